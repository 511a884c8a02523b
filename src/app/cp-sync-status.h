/* cp-sync-status.h — the header-bar button that tells where sync stands
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-sync-manager.h"

G_BEGIN_DECLS

#define CP_TYPE_SYNC_STATUS (cp_sync_status_get_type ())
G_DECLARE_FINAL_TYPE (CpSyncStatus, cp_sync_status, CP, SYNC_STATUS, AdwBin)

/* Binds the manager's state to ours. Properties: "label" (what the button says: "Synced",
 * "1 pending", …), "title" and "message" (what its popover says), read-only. */
void        cp_sync_status_set_manager   (CpSyncStatus  *self,
                                          CpSyncManager *manager);
void        cp_sync_status_popdown       (CpSyncStatus  *self);

G_END_DECLS
