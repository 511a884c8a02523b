/* cp-sync-engine-private.h — test points inside the sync engine
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-sync-engine.h"

G_BEGIN_DECLS

/* Called from the sync's worker thread at @point for packet @uuid:
 *   "pull":  the server's version is about to replace the local packet (absent or synced);
 *   "merge": a merge of the server's version is about to be written over the local packet.
 * The local packet has been read at that moment; a test can edit it in the store here to land
 * an edit exactly between the engine's read and its conditional write. For tests only. */
typedef void (*CpSyncEngineTestHook) (CpSyncEngine *engine,
                                      const char   *point,
                                      const char   *uuid,
                                      gpointer      user_data);

void cp_sync_engine_set_test_hook (CpSyncEngine         *self,
                                   CpSyncEngineTestHook  hook,
                                   gpointer              user_data);

G_END_DECLS
