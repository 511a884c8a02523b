/* cp-sync-engine.h — the outbox, the changes pull and conflict handling against a CpStore
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-comment.h"
#include "cp-merge.h"
#include "cp-store.h"
#include "cp-sync-client.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* What one sync did (docs/sync.md). */
typedef struct
{
  guint   pushed;          /* packets the server acknowledged with a receipt */
  guint   pulled;          /* server versions written into the store */
  guint   merged;          /* packets merged with the server's version without a conflict */
  guint   conflicts;       /* packets that went into the conflict state */
  guint   quarantined;     /* packets the server refused */
  guint   blobs_uploaded;  /* attachments sent */
  guint64 bytes_uploaded;  /* attachment bytes sent (resent bytes included) */
  guint   requests;        /* HTTP requests, retries included */
  gboolean templates_refreshed;
  guint   unreadable;      /* server versions that could not be read, set aside (STORE/sync/
                            * unreadable/UUID.json says why); the rest of the page applies */
} CpSyncStats;

#define CP_TYPE_SYNC_ENGINE (cp_sync_engine_get_type ())
G_DECLARE_FINAL_TYPE (CpSyncEngine, cp_sync_engine, CP, SYNC_ENGINE, GObject)

/* Keeps its own bookkeeping (cursor, conflicts, rejections, in-flight bodies, cached templates)
 * beside the store, in STORE_DIRECTORY/sync/. */
CpSyncEngine  *cp_sync_engine_new                 (CpStore              *store,
                                                   CpSyncClient         *client);
CpStore       *cp_sync_engine_get_store           (CpSyncEngine         *self);
CpSyncClient  *cp_sync_engine_get_client          (CpSyncEngine         *self);

/* Attachment chunk size (default 8 MiB) and how old the cached templates may get before a sync
 * asks the server again (default 24 h; 0: every sync). */
void           cp_sync_engine_set_chunk_size      (CpSyncEngine         *self,
                                                   gsize                 chunk_size);
void           cp_sync_engine_set_templates_max_age (CpSyncEngine       *self,
                                                   guint                 seconds);

/* One sync in a worker thread: push every pending packet (blobs the server lacks first), then
 * pull what changed since the stored cursor. Signals are emitted in the thread-default main
 * context of the caller. Fails with CP_SYNC_ERROR (OFFLINE, SERVER, NEEDS_LOGIN, BUSY),
 * G_IO_ERROR_CANCELLED or a CP_STORE_ERROR; packets the server refuses do not fail the sync
 * (they are quarantined or in conflict). Nothing is marked synced without a receipt. */
void           cp_sync_engine_sync_async          (CpSyncEngine         *self,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       cp_sync_engine_sync_finish         (CpSyncEngine         *self,
                                                   GAsyncResult         *result,
                                                   CpSyncStats          *stats,
                                                   GError              **error);
gboolean       cp_sync_engine_is_syncing          (CpSyncEngine         *self);

/* Submits a packet for review: sends it first if it has local changes, then
 * POST …/submit on the revision the server holds, and stores the server's submitted version.
 * When the server finds errors it fails with CP_SYNC_ERROR_REJECTED and @findings (element type
 * CpFinding *) holds what the server's validator reported, to be shown like the completeness
 * page's findings. A packet in conflict or refused cannot be submitted. */
void           cp_sync_engine_submit_async        (CpSyncEngine         *self,
                                                   const char           *uuid,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean       cp_sync_engine_submit_finish       (CpSyncEngine         *self,
                                                   GAsyncResult         *result,
                                                   GPtrArray           **findings,
                                                   GError              **error);

/* Conflicts: the three-way merge again, from the stored base, the local packet and the server's
 * version kept when the conflict arose. Resolve its conflicts (cp_merge_result_resolve), then
 * hand it back: the merged packet is saved and sent by the next sync. */
CpMergeResult *cp_sync_engine_load_conflict       (CpSyncEngine         *self,
                                                   const char           *uuid,
                                                   GError              **error);
gboolean       cp_sync_engine_resolve_conflict    (CpSyncEngine         *self,
                                                   const char           *uuid,
                                                   CpMergeResult        *result,
                                                   GError              **error);

/* Why the server refused a quarantined packet: the problem document it answered (with
 * "status", "type", "detail", and "findings" or "errors" when it gave them), or NULL. A
 * quarantined packet is tried again once its content changes. */
JsonNode      *cp_sync_engine_get_rejection       (CpSyncEngine         *self,
                                                   const char           *uuid);

/* Loads the templates cached by the last refresh into @registry. */
gboolean       cp_sync_engine_load_templates      (CpSyncEngine         *self,
                                                   CpTemplateRegistry   *registry,
                                                   GError              **error);

/* The folder the templates are cached in. */
char          *cp_sync_engine_get_templates_dir   (CpSyncEngine         *self);
/* The same folder for an engine on @store, for loading the cache before anyone logs in. */
char          *cp_sync_engine_templates_dir_for_store (CpStore          *store);
/* The user the last sync on @store ran as, when it was with @server_url; else NULL. Lets a
 * session restored from the keyring keep its cursor, and ask only for the password when the
 * server no longer takes the token. */
char          *cp_sync_engine_dup_last_user      (CpStore              *store,
                                                   const char           *server_url);
/* Each account — a server address and a user — keeps its packets in a store of its own under
 * @base_dir, so that after a user switch the previous account's packets are neither shown nor
 * sent as the new account's. The first account that logs in on a computer keeps @base_dir
 * itself (what was made before any login, or by an older version whose sync state names that
 * account); every other one gets BASE/accounts/KEY, KEY from a hash of the address and the name.
 * The map, and which account came last, is BASE/accounts.json (0600). Returns the folder (to
 * create with cp_store_new()) and records @user at @server_url as the last account. */
char          *cp_sync_engine_dup_account_directory (const char   *base_dir,
                                                   const char     *server_url,
                                                   const char     *user,
                                                   GError        **error);
/* The folder of the account that logged in last on this computer, or @base_dir. */
char          *cp_sync_engine_dup_last_account_directory (const char *base_dir);

/* The reviewer's comments of a returned packet as the last sync fetched them (element type
 * CpComment *, cp_comment_list_from_json()), or NULL; they go when the packet changes again. */
GPtrArray     *cp_sync_engine_load_comments      (CpStore              *store,
                                                   const char           *uuid);

G_END_DECLS
