/* cp-sync-engine-private.h — what the sync engine's files share, and its test points
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-sync-client-private.h"
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


/* --- the engine's state, shared by cp-sync-engine.c, cp-sync-journal.c and cp-sync-blobs.c -- */

struct _CpSyncEngine
{
  GObject       parent_instance;
  CpStore      *store;
  CpSyncClient *client;
  char         *sync_dir;
  char         *templates_dir;
  gsize         chunk_size;
  guint         templates_max_age;
  gint          syncing;  /* atomic */
  GHashTable   *conflict_reads;  /* uuid → ConflictRead, from load_conflict (main thread) */
  CpSyncEngineTestHook test_hook;
  gpointer      test_hook_data;
};


enum {
  PACKET_PROGRESS,
  BLOB_PROGRESS,
  N_SIGNALS
};


typedef struct
{
  CpSyncEngine *self;
  GMainContext *context;
  GCancellable *cancellable;
  CpSyncStats   stats;
  guint         requests_at_start;
  GHashTable   *repush;        /* uuids that became pending while pulling */
  guint64       blob_total;
  guint64       blob_sent;
  guint64       blob_reported;
  char         *submit_uuid;   /* for a submit */
  gboolean      unreadable;    /* the last failure was a server version that cannot be read */
  GPtrArray    *findings;      /* CpFinding *, from a refused submit */
} CpSyncRun;

/* The sync's cursor in the changes feed, and when the templates were last fetched
 * (STORE_DIR/sync/state.json). */
typedef struct
{
  char   *cursor;
  gint64  templates_at;
} CpSyncState;

/* cp-sync-engine.c: small helpers. */
void         cp_sync_run_emit              (CpSyncRun      *run,
                                            guint           signal,
                                            guint64         a,
                                            guint64         b);
const char  *cp_sync_object_string         (JsonNode       *node,
                                            const char     *member);
gint64       cp_sync_object_int            (JsonNode       *node,
                                            const char     *member,
                                            gint64          fallback);
GError      *cp_sync_bad_reply_error       (const char     *what);

/* cp-sync-journal.c: the engine's files in STORE_DIR/sync/ (docs/sync.md, "Files"), each
 * written durably before the step that depends on it. */
gboolean     cp_sync_journal_write_durably (const char     *path,
                                            const char     *data,
                                            gssize          length,
                                            GError        **error);
JsonNode    *cp_sync_journal_read_json     (const char     *path);
gboolean     cp_sync_journal_write_json    (const char     *path,
                                            JsonNode       *node,
                                            GError        **error);
void         cp_sync_journal_remove_tree   (const char     *path);
/* STORE_DIR/sync/FOLDER/UUID.json; @uuid must be valid (it is asserted). */
char        *cp_sync_journal_path          (CpSyncEngine   *self,
                                            const char     *folder,
                                            const char     *uuid);
void         cp_sync_journal_load_state    (CpSyncEngine   *self,
                                            CpSyncState    *state);
gboolean     cp_sync_journal_save_state    (CpSyncEngine   *self,
                                            CpSyncState    *state,
                                            GError        **error);
/* The bodies about to be sent (@n pairs of UUID and SHA-256), recorded with one sync to disk. */
gboolean     cp_sync_journal_record_inflight (CpSyncEngine        *self,
                                              const char * const  *uuids,
                                              const char * const  *sha256s,
                                              guint                n,
                                              GError             **error);
gboolean     cp_sync_journal_has_inflight  (CpSyncEngine   *self,
                                            const char     *uuid,
                                            const char     *sha256);
/* Clears every record of the packets in the set @uuids. */
void         cp_sync_journal_clear_inflight (CpSyncEngine  *self,
                                             GHashTable    *uuids);
gboolean     cp_sync_journal_save_conflict (CpSyncEngine   *self,
                                            const char     *uuid,
                                            const char     *theirs_revision,
                                            const char     *theirs_body,
                                            CpMergeResult  *result,
                                            GError        **error);
void         cp_sync_journal_remove_conflict  (CpSyncEngine *self,
                                               const char   *uuid);
void         cp_sync_journal_remove_rejection (CpSyncEngine *self,
                                               const char   *uuid);

/* cp-sync-blobs.c: asks which attachments of @packets the server lacks and uploads those in
 * chunks, resuming after a broken connection. */
gboolean     cp_sync_run_upload_missing_blobs (CpSyncRun   *run,
                                               GPtrArray   *packets,
                                               GError     **error);


G_END_DECLS
