/* cp-login-dialog-private.h — the login dialog's fields and state, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-login-dialog.h"

G_BEGIN_DECLS

/* Fills the rows as if typed. */
void           cp_login_dialog_set_fields   (CpLoginDialog *self,
                                             const char    *server_url,
                                             const char    *user,
                                             const char    *password);
/* What the dialog says under the address (an https warning), or NULL. */
const char    *cp_login_dialog_get_url_problem (CpLoginDialog *self);
gboolean       cp_login_dialog_can_log_in   (CpLoginDialog *self);
/* Presses "Log In". */
void           cp_login_dialog_log_in       (CpLoginDialog *self);

G_END_DECLS
