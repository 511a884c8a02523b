/* cp-history-dialog.h — the revisions of one packet: which, who, when
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-sync-manager.h"

G_BEGIN_DECLS

#define CP_TYPE_HISTORY_DIALOG (cp_history_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpHistoryDialog, cp_history_dialog, CP, HISTORY_DIALOG, AdwWindow)

/* Shows the server's revisions (with who wrote them) when @manager is logged in, else the
 * revisions saved on this computer. */
CpHistoryDialog *cp_history_dialog_new         (GtkWindow       *parent,
                                                CpSyncManager   *manager,
                                                CpStore         *store,
                                                const char      *uuid);
/* Properties, read-only: "loading" (the server's revisions are being read), "from-server" (the
 * rows are the server's revisions) and "n-rows" (the rows shown so far). */

G_END_DECLS
