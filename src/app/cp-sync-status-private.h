/* cp-sync-status-private.h — opening the sync status popover, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-sync-status.h"

G_BEGIN_DECLS

void        cp_sync_status_popup         (CpSyncStatus  *self);

G_END_DECLS
