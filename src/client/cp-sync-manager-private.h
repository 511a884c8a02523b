/* cp-sync-manager-private.h — what tests look at behind the facade
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-sync-manager.h"

G_BEGIN_DECLS

/* The keyring the manager keeps the token in. */
CpCredentials *cp_sync_manager_get_credentials  (CpSyncManager  *self);

G_END_DECLS
