/* cp-login-dialog.h — asks for the server, the user name and the password
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-sync-manager.h"

G_BEGIN_DECLS

#define CP_TYPE_LOGIN_DIALOG (cp_login_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpLoginDialog, cp_login_dialog, CP, LOGIN_DIALOG, AdwWindow)

/* Logs in through @manager. The server address and the user name are filled in from the
 * manager's account; when the session expired only the password is asked. The dialog closes
 * itself after a login, except when the keyring could not keep the token: then it says so and
 * waits for the user to close it. */
CpLoginDialog *cp_login_dialog_new          (GtkWindow     *parent,
                                             CpSyncManager *manager);

G_END_DECLS
