/* cp-store.c — the client's local store: packets in SQLite, attachments as files
 *
 * This file holds the packet API; the schema and its migrations are in cp-store-schema.c, the
 * attachments in cp-store-blobs.c, what they share in cp-store-private.h.
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-store.h"
#include "cp-store-private.h"
#include "cp-packet.h"
#include "cp-uscc.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

static const char * const statement_sql[N_STMTS] = {
  [STMT_BEGIN] = "BEGIN IMMEDIATE",
  [STMT_BEGIN_READ] = "BEGIN",
  [STMT_COMMIT] = "COMMIT",
  [STMT_ROLLBACK] = "ROLLBACK",
  /* ?3 names the cover field being edited ("enterprise_name" or "uscc") or is NULL; ?4 is its
   * new text. The list shows these two columns without loading the packet. */
  [STMT_TOUCH] =
    "UPDATE packets SET modified = MAX (modified, ?2),"
    " sync_state = CASE sync_state WHEN 'synced' THEN 'pending' ELSE sync_state END,"
    " enterprise_name = CASE WHEN ?3 = 'enterprise_name' THEN ?4 ELSE enterprise_name END,"
    " uscc = CASE WHEN ?3 = 'uscc' THEN ?4 ELSE uscc END"
    " WHERE uuid = ?1 AND deleted_at IS NULL",
  [STMT_INSERT_EDIT] =
    "INSERT INTO edits (uuid, seq, op, section, field, value, at)"
    " VALUES (?1, (SELECT IFNULL (MAX (seq), 0) + 1 FROM edits WHERE uuid = ?1),"
    " ?2, ?3, ?4, ?5, ?6)",
  [STMT_SELECT_CURRENT] =
    "SELECT body, modified, revision, deleted_at FROM packets WHERE uuid = ?1",
  [STMT_SELECT_EDITS] =
    "SELECT op, section, field, value FROM edits WHERE uuid = ?1 ORDER BY seq",
  [STMT_UPSERT_PACKET] =
    "INSERT INTO packets (uuid, kind, year, state, enterprise_name, uscc, created, modified,"
    " revision, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (uuid) DO UPDATE SET kind = excluded.kind, year = excluded.year,"
    " state = excluded.state, enterprise_name = excluded.enterprise_name,"
    " uscc = excluded.uscc, created = excluded.created, modified = excluded.modified,"
    " revision = excluded.revision, body = excluded.body,"
    " sync_state = CASE sync_state WHEN 'synced' THEN 'pending' ELSE sync_state END",
  [STMT_INSERT_REVISION] =
    "INSERT INTO revisions (uuid, revision, saved_at, body) VALUES (?1, ?2, ?3, ?4)",
  [STMT_DELETE_EDITS] = "DELETE FROM edits WHERE uuid = ?1",
  [STMT_LIST] =
    "SELECT uuid, kind, year, state, enterprise_name, uscc, modified, sync_state, deleted_at,"
    " stage, party FROM packets WHERE deleted_at IS NULL ORDER BY modified DESC",
  [STMT_LIST_REVISIONS] =
    "SELECT revision, saved_at FROM revisions WHERE uuid = ?1 ORDER BY revision",
  [STMT_SELECT_REVISION] =
    "SELECT body FROM revisions WHERE uuid = ?1 AND revision = ?2",
  /* A packet in the office's workflow is held by the server: it never goes to the trash. */
  [STMT_DELETE] =
    "UPDATE packets SET deleted_at = ?2 WHERE uuid = ?1 AND deleted_at IS NULL"
    " AND state NOT IN ('submitted', 'returned', 'accepted')",
  [STMT_UNDELETE] =
    "UPDATE packets SET deleted_at = NULL WHERE uuid = ?1 AND deleted_at IS NOT NULL",
  [STMT_SELECT_PURGEABLE] =
    "SELECT uuid FROM packets WHERE deleted_at IS NOT NULL AND deleted_at < ?1",
  [STMT_PURGE] = "DELETE FROM packets WHERE uuid = ?1 AND deleted_at IS NOT NULL",
  [STMT_COUNT_EDITS] = "SELECT COUNT (*) FROM edits WHERE uuid = ?1",
  [STMT_GET_SYNC] =
    "SELECT sync_state, server_revision, base_body FROM packets WHERE uuid = ?1",
  [STMT_SET_SYNC] =
    "UPDATE packets SET sync_state = ?2, server_revision = IFNULL (?3, server_revision),"
    " base_body = IFNULL (?4, base_body) WHERE uuid = ?1",
  /* What a packet's version is made of (see packet_version()). */
  [STMT_VERSION] =
    "SELECT revision, (SELECT COUNT (*) FROM edits WHERE uuid = ?1) FROM packets WHERE uuid = ?1",
  [STMT_LIST_DELETED] =
    "SELECT uuid, kind, year, state, enterprise_name, uscc, modified, sync_state, deleted_at,"
    " stage, party FROM packets WHERE deleted_at IS NOT NULL ORDER BY deleted_at DESC",
  [STMT_SELECT_STATE] = "SELECT state, deleted_at FROM packets WHERE uuid = ?1",
  /* A save that puts a packet in the trash into the workflow (a pulled submission, return or
   * acceptance) takes it out: what the office decided must be seen. */
  [STMT_RESCUE] =
    "UPDATE packets SET deleted_at = NULL WHERE uuid = ?1 AND deleted_at IS NOT NULL"
    " AND state IN ('submitted', 'returned', 'accepted')",
  [STMT_GET_PLACE] = "SELECT stage, party, evaluator FROM packets WHERE uuid = ?1",
  [STMT_SET_PLACE] =
    "UPDATE packets SET stage = ?2, party = ?3, evaluator = ?4 WHERE uuid = ?1",
};

enum {
  PACKET_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpStore, cp_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (cp-store-error-quark, cp_store_error)

G_DEFINE_BOXED_TYPE (CpPacketSummary, cp_packet_summary,
                     cp_packet_summary_copy, cp_packet_summary_free)
G_DEFINE_BOXED_TYPE (CpRevisionInfo, cp_revision_info,
                     cp_revision_info_copy, cp_revision_info_free)

/* A cached statement, reset (not finalized) when it goes out of scope. */
typedef sqlite3_stmt CpCachedStmt;

static void
cached_stmt_release (CpCachedStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpCachedStmt, cached_stmt_release)

static const char * const sync_state_names[] = {
  [CP_STORE_SYNC_PENDING] = "pending",
  [CP_STORE_SYNC_SYNCED] = "synced",
  [CP_STORE_SYNC_CONFLICT] = "conflict",
  [CP_STORE_SYNC_QUARANTINED] = "quarantined",
};

const char *
cp_store_sync_state_to_string (CpStoreSyncState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (sync_state_names), NULL);

  return sync_state_names[state];
}

gboolean
cp_store_sync_state_from_string (const char       *text,
                                 CpStoreSyncState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (sync_state_names); i++)
    {
      if (strcmp (text, sync_state_names[i]) == 0)
        {
          *state = (CpStoreSyncState) i;
          return TRUE;
        }
    }

  return FALSE;
}

CpPacketSummary *
cp_packet_summary_copy (const CpPacketSummary *summary)
{
  CpPacketSummary *copy;

  g_return_val_if_fail (summary != NULL, NULL);

  copy = g_new0 (CpPacketSummary, 1);
  copy->uuid = g_strdup (summary->uuid);
  copy->kind = g_strdup (summary->kind);
  copy->year = summary->year;
  copy->state = summary->state;
  copy->enterprise_name = g_strdup (summary->enterprise_name);
  copy->uscc = g_strdup (summary->uscc);
  copy->modified = summary->modified ? g_date_time_ref (summary->modified) : NULL;
  copy->sync_state = summary->sync_state;
  copy->deleted = summary->deleted ? g_date_time_ref (summary->deleted) : NULL;
  copy->stage = g_strdup (summary->stage);
  copy->party = summary->party;

  return copy;
}

void
cp_packet_summary_free (CpPacketSummary *summary)
{
  if (summary == NULL)
    return;

  g_free (summary->uuid);
  g_free (summary->kind);
  g_free (summary->enterprise_name);
  g_free (summary->uscc);
  g_free (summary->stage);
  g_clear_pointer (&summary->modified, g_date_time_unref);
  g_clear_pointer (&summary->deleted, g_date_time_unref);
  g_free (summary);
}

CpRevisionInfo *
cp_revision_info_copy (const CpRevisionInfo *info)
{
  CpRevisionInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (CpRevisionInfo, 1);
  copy->revision = info->revision;
  copy->saved_at = info->saved_at ? g_date_time_ref (info->saved_at) : NULL;

  return copy;
}

void
cp_revision_info_free (CpRevisionInfo *info)
{
  if (info == NULL)
    return;

  g_clear_pointer (&info->saved_at, g_date_time_unref);
  g_free (info);
}

/* Helpers */

static gint64
date_time_to_usec (GDateTime *dt)
{
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

static GDateTime *
usec_to_date_time (gint64 usec)
{
  g_autoptr(GDateTime) seconds = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  if (seconds == NULL)
    return g_date_time_new_from_unix_utc (0);

  return g_date_time_add (seconds, usec % G_USEC_PER_SEC);
}

static gint64
now_usec (void)
{
  return g_get_real_time ();
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

/* Maps an SQLite result code to a CP_STORE_ERROR with a message that says what to do. Must be
 * called with the lock held when @db is the store's connection (errmsg is per connection). */
gboolean
cp_store_set_sqlite_error (GError     **error,
                           sqlite3     *db,
                           int          rc,
                           const char  *path)
{
  const char *detail = db ? sqlite3_errmsg (db) : sqlite3_errstr (rc);

  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NO_SPACE,
                   _("The disk is full, so the change could not be saved. "
                     "Free some disk space, then try again."));
      break;

    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_READ_ONLY,
                   _("The packet database “%s” cannot be written (%s). "
                     "Check that you may write to its folder, then try again."),
                   path, detail);
      break;

    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_BUSY,
                   _("The packet database is locked by another program. "
                     "Close other copies of Credit Packet, then try again."));
      break;

    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT,
                   _("The packet database “%s” is damaged (%s). "
                     "Restore it from a backup."),
                   path, detail);
      break;

    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_NOLFS:
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IO,
                   _("The packet database “%s” could not be read or written (%s). "
                     "Check the disk, then try again."),
                   path, detail);
      break;

    default:
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_FAILED,
                   _("The packet database “%s” reported an error (%s). "
                     "Try again; if it happens again, report it."),
                   path, detail);
      break;
    }

  return FALSE;
}

static gboolean
set_not_found (GError     **error,
               const char  *uuid)
{
  g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND,
               _("The packet %s is not in the local store. "
                 "It may have been deleted; refresh the list."),
               uuid);
  return FALSE;
}

/* What the packet model takes: values nest at most 6 levels and numbers are ones a packet can
 * hold and write (cp_packet_value_is_valid()). */
static gboolean
value_is_storable (JsonNode *node)
{
  return JSON_NODE_HOLDS_NULL (node) || cp_packet_value_is_valid (node);
}

static gboolean
check_uuid (const char  *uuid,
            GError     **error)
{
  if (uuid == NULL || !g_uuid_string_is_valid (uuid))
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID,
                   _("“%s” is not a valid packet identifier."),
                   uuid ? uuid : "(null)");
      return FALSE;
    }

  return TRUE;
}

/* Returns the cached statement @id, prepared on first use. Lock held. */
static CpCachedStmt *
get_stmt (CpStore  *self,
          StmtId    id,
          GError  **error)
{
  if (self->stmts[id] == NULL)
    {
      int rc = sqlite3_prepare_v3 (self->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                   &self->stmts[id], NULL);
      if (rc != SQLITE_OK)
        {
          cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
          return NULL;
        }
    }

  return self->stmts[id];
}

/* Runs a statement that returns no rows. Lock held. */
static gboolean
step_done (CpStore       *self,
           sqlite3_stmt  *stmt,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  return TRUE;
}

static gboolean
exec_cached (CpStore  *self,
             StmtId    id,
             GError  **error)
{
  g_autoptr(CpCachedStmt) stmt = get_stmt (self, id, error);

  if (stmt == NULL)
    return FALSE;

  return step_done (self, stmt, error);
}

static gboolean
begin_write (CpStore  *self,
             GError  **error)
{
  return exec_cached (self, STMT_BEGIN, error);
}

void
cp_store_rollback (CpStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    {
      g_autoptr(GError) error = NULL;

      if (!exec_cached (self, STMT_ROLLBACK, &error))
        g_debug ("Rollback failed: %s", error->message);
    }
}

/* Commits, or rolls back when the commit fails. */
gboolean
cp_store_commit (CpStore  *self,
                 GError  **error)
{
  if (!exec_cached (self, STMT_COMMIT, error))
    {
      cp_store_rollback (self);
      return FALSE;
    }

  return TRUE;
}

typedef struct
{
  CpStore *store;
  char    *uuid;
} ChangedData;

static void
changed_data_free (gpointer data)
{
  ChangedData *changed = data;

  g_object_unref (changed->store);
  g_free (changed->uuid);
  g_free (changed);
}

static gboolean
emit_changed_cb (gpointer data)
{
  ChangedData *changed = data;

  g_signal_emit (changed->store, signals[PACKET_CHANGED], 0, changed->uuid);

  return G_SOURCE_REMOVE;
}

/* Emits ::packet-changed in the store's main context: at once when the caller runs in it,
 * otherwise from an idle callback there. Call without the lock held. */
static void
emit_changed (CpStore    *self,
              const char *uuid)
{
  ChangedData *changed = g_new0 (ChangedData, 1);

  changed->store = g_object_ref (self);
  changed->uuid = g_strdup (uuid);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT,
                              emit_changed_cb, changed, changed_data_free);
}

/* Opening */

gboolean
cp_store_exec_sql (CpStore     *self,
                   const char  *sql,
                   GError     **error)
{
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  return TRUE;
}

static gboolean
cp_store_open (CpStore  *self,
               GError  **error)
{
  const char *mode;
  sqlite3_stmt *stmt = NULL;
  int rc;

  /* A refused database leaves its folder as it was: check it before creating anything. */
  if (!cp_store_check_existing_database (self->db_path, error))
    return FALSE;

  if (g_mkdir_with_parents (self->directory, 0700) != 0 ||
      g_mkdir_with_parents (self->blob_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, CP_STORE_ERROR,
                   saved_errno == ENOSPC ? CP_STORE_ERROR_NO_SPACE : CP_STORE_ERROR_IO,
                   _("The folder “%s” could not be created (%s). "
                     "Check that you may write there, then try again."),
                   self->directory, g_strerror (saved_errno));
      return FALSE;
    }

  /* Only the user may read the packets: the database is made 0600 before SQLite opens it (the
   * -wal and -shm files take its mode), and an older store's files are corrected. */
  {
    int fd = g_open (self->db_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd >= 0)
      {
        fchmod (fd, 0600);
        close (fd);
      }
    for (guint i = 0; i < 2; i++)
      {
        g_autofree char *side = g_strconcat (self->db_path, i == 0 ? "-wal" : "-shm", NULL);

        if (g_file_test (side, G_FILE_TEST_EXISTS))
          g_chmod (side, 0600);
      }
  }

  rc = sqlite3_open_v2 (self->db_path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  sqlite3_extended_result_codes (self->db, TRUE);
  sqlite3_busy_timeout (self->db, CP_STORE_BUSY_TIMEOUT_MS);

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
      sqlite3_finalize (stmt);
      return FALSE;
    }
  mode = column_text (stmt, 0);
  if (g_strcmp0 (mode, "wal") != 0)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IO,
                   _("The packet database “%s” cannot use write-ahead logging "
                     "(journal mode “%s”). Store it on a local disk."),
                   self->db_path, mode ? mode : "");
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);

  if (!cp_store_exec_sql (self, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;", error))
    return FALSE;

  if (!cp_store_migrate (self, error))
    return FALSE;

  cp_store_clean_blob_dir (self);

  return TRUE;
}

/* GObject */

static void
cp_store_finalize (GObject *object)
{
  CpStore *self = (CpStore *) object;

  for (guint i = 0; i < N_STMTS; i++)
    g_clear_pointer (&self->stmts[i], sqlite3_finalize);
  if (self->db != NULL)
    sqlite3_close (self->db);

  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->directory);
  g_free (self->db_path);
  g_free (self->blob_dir);

  G_OBJECT_CLASS (cp_store_parent_class)->finalize (object);
}

static void
cp_store_class_init (CpStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_store_finalize;

  /**
   * CpStore::packet-changed:
   * @uuid: the packet that changed
   *
   * Emitted after a change to a packet is committed: a save, a field edit, a deletion, an
   * undeletion, a purge or a sync state change. Emitted in the main context that was the
   * thread default when the store was created.
   */
  signals[PACKET_CHANGED] =
    g_signal_new ("packet-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cp_store_init (CpStore *self)
{
  g_mutex_init (&self->lock);
  self->context = g_main_context_ref_thread_default ();
}

/* Public API */

char *
cp_store_get_default_directory (void)
{
  return g_build_filename (g_get_user_data_dir (), APP_ID, NULL);
}

CpStore *
cp_store_new (const char  *directory,
              GError     **error)
{
  g_autoptr(CpStore) self = NULL;

  g_return_val_if_fail (directory != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CP_TYPE_STORE, NULL);
  self->directory = g_strdup (directory);
  self->db_path = g_build_filename (directory, "packets.db", NULL);
  self->blob_dir = g_build_filename (directory, "blobs", NULL);

  if (!cp_store_open (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
cp_store_get_directory (CpStore *self)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);

  return self->directory;
}

/* Packets */

/* The body of a save, inside the write transaction. Returns FALSE on error; *unchanged_out is
 * TRUE when nothing needs writing. The cached statements are reset on return. */
static gboolean
save_packet_locked (CpStore     *self,
                    CpPacket    *packet,
                    const char  *body,
                    gsize        body_length,
                    gint64      *revision_out,
                    gboolean    *unchanged_out,
                    GError     **error)
{
  g_autoptr(CpCachedStmt) current = NULL;
  g_autoptr(CpCachedStmt) count = NULL;
  g_autoptr(CpCachedStmt) upsert = NULL;
  g_autoptr(CpCachedStmt) revision = NULL;
  g_autoptr(CpCachedStmt) delete_edits = NULL;
  g_autoptr(CpCachedStmt) rescue = NULL;
  const char *uuid = cp_packet_get_uuid (packet);
  gint64 next_revision = 1;
  int rc;

  if (!(current = get_stmt (self, STMT_SELECT_CURRENT, error)) ||
      !(count = get_stmt (self, STMT_COUNT_EDITS, error)) ||
      !(upsert = get_stmt (self, STMT_UPSERT_PACKET, error)) ||
      !(revision = get_stmt (self, STMT_INSERT_REVISION, error)) ||
      !(delete_edits = get_stmt (self, STMT_DELETE_EDITS, error)) ||
      !(rescue = get_stmt (self, STMT_RESCUE, error)))
    return FALSE;

  sqlite3_bind_text (current, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (current);
  if (rc == SQLITE_ROW)
    {
      next_revision = sqlite3_column_int64 (current, 2) + 1;

      sqlite3_bind_text (count, 1, uuid, -1, SQLITE_STATIC);
      rc = sqlite3_step (count);
      if (rc != SQLITE_ROW)
        return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

      /* Saving what is already the current content, with no edits on top, adds nothing. */
      if (sqlite3_column_int64 (count, 0) == 0 &&
          (gsize) sqlite3_column_bytes (current, 0) == body_length &&
          memcmp (sqlite3_column_blob (current, 0), body, body_length) == 0)
        {
          *revision_out = next_revision - 1;
          *unchanged_out = TRUE;
          return TRUE;
        }
    }
  else if (rc != SQLITE_DONE)
    {
      return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
    }

  sqlite3_bind_text (upsert, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert, 2, cp_packet_get_kind (packet), -1, SQLITE_STATIC);
  sqlite3_bind_int (upsert, 3, cp_packet_get_year (packet));
  sqlite3_bind_text (upsert, 4, cp_packet_state_to_string (cp_packet_get_state (packet)), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (upsert, 5, cp_packet_get_enterprise_name (packet), -1, SQLITE_STATIC);
  sqlite3_bind_text (upsert, 6, cp_packet_get_uscc (packet), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (upsert, 7, date_time_to_usec (cp_packet_get_created (packet)));
  sqlite3_bind_int64 (upsert, 8, date_time_to_usec (cp_packet_get_modified (packet)));
  sqlite3_bind_int64 (upsert, 9, next_revision);
  sqlite3_bind_text (upsert, 10, body, (int) body_length, SQLITE_STATIC);
  if (!step_done (self, upsert, error))
    return FALSE;
  sqlite3_bind_text (rescue, 1, uuid, -1, SQLITE_STATIC);
  if (!step_done (self, rescue, error))
    return FALSE;

  sqlite3_bind_text (revision, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (revision, 2, next_revision);
  sqlite3_bind_int64 (revision, 3, now_usec ());
  sqlite3_bind_text (revision, 4, body, (int) body_length, SQLITE_STATIC);
  if (!step_done (self, revision, error))
    return FALSE;

  /* Compaction: the saved packet includes the journalled edits. */
  sqlite3_bind_text (delete_edits, 1, uuid, -1, SQLITE_STATIC);
  if (!step_done (self, delete_edits, error))
    return FALSE;

  *revision_out = next_revision;
  *unchanged_out = FALSE;
  return TRUE;
}

gboolean
cp_store_save_packet (CpStore   *self,
                      CpPacket  *packet,
                      guint     *revision_out,
                      GError   **error)
{
  g_autofree char *body = NULL;
  const char *uuid;
  gsize body_length = 0;
  gint64 revision = 0;
  gboolean unchanged = FALSE;
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uuid = cp_packet_get_uuid (packet);
  if (!check_uuid (uuid, error))
    return FALSE;

  body = cp_packet_to_data (packet, FALSE, &body_length);

  g_mutex_lock (&self->lock);
  ok = begin_write (self, error) &&
       save_packet_locked (self, packet, body, body_length, &revision, &unchanged, error);
  if (ok && !unchanged)
    ok = cp_store_commit (self, error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (!ok)
    {
      g_prefix_error (error, _("The packet could not be saved. "));
      return FALSE;
    }

  if (revision_out)
    *revision_out = (guint) revision;
  if (!unchanged)
    emit_changed (self, uuid);

  return TRUE;
}

static CpPacket *
parse_body (const char  *body,
            const char  *uuid,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *origin = g_strdup_printf ("packets.db:%s", uuid);
  CpPacket *packet;

  packet = cp_packet_new_from_data (body, -1, origin, &local_error);
  if (packet == NULL)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT,
                   _("The stored packet %s cannot be read (%s). "
                     "Restore the database from a backup."),
                   uuid, local_error->message);
      return NULL;
    }

  return packet;
}

typedef struct
{
  char *op;
  char *section;
  char *field;
  char *value;
} Edit;

static void
edit_clear (gpointer data)
{
  Edit *edit = data;

  g_free (edit->op);
  g_free (edit->section);
  g_free (edit->field);
  g_free (edit->value);
}

static gboolean
apply_edit (CpPacket    *packet,
            const Edit  *edit,
            GError     **error)
{
  g_autoptr(JsonNode) value = NULL;

  if (edit->value != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      value = json_from_string (edit->value, &local_error);
      if (value == NULL)
        {
          g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT,
                       _("A stored edit of field “%s” cannot be read (%s). "
                         "Restore the database from a backup."),
                       edit->field, local_error->message);
          return FALSE;
        }
    }

  if (!cp_id_is_valid (edit->field) ||
      (g_strcmp0 (edit->op, "value") == 0 && !cp_id_is_valid (edit->section)))
    goto invalid;

  if (value != NULL && !value_is_storable (value))
    goto invalid;

  if (g_strcmp0 (edit->op, "value") == 0)
    {
      cp_packet_set_value (packet, edit->section, edit->field, g_steal_pointer (&value));
      return TRUE;
    }

  if (g_strcmp0 (edit->op, "score") == 0)
    {
      CpScoreColumn column;

      if (g_strcmp0 (edit->section, "self") == 0)
        column = CP_SCORE_SELF;
      else if (g_strcmp0 (edit->section, "acceptance") == 0)
        column = CP_SCORE_ACCEPTANCE;
      else
        goto invalid;

      if (value == NULL)
        cp_packet_unset_score (packet, edit->field, column);
      else if (JSON_NODE_HOLDS_VALUE (value) &&
               (json_node_get_value_type (value) == G_TYPE_DOUBLE ||
                json_node_get_value_type (value) == G_TYPE_INT64))
        cp_packet_set_score (packet, edit->field, column, json_node_get_double (value));
      else
        goto invalid;

      return TRUE;
    }

  if (g_strcmp0 (edit->op, "score-note") == 0)
    {
      if (value != NULL && !(JSON_NODE_HOLDS_VALUE (value) &&
                             json_node_get_value_type (value) == G_TYPE_STRING))
        goto invalid;

      cp_packet_set_score_note (packet, edit->field,
                                value ? json_node_get_string (value) : NULL);
      return TRUE;
    }

invalid:
  g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT,
               _("A stored edit of field “%s” is not valid. "
                 "Restore the database from a backup."),
               edit->field);
  return FALSE;
}

/* cp_packet_set_value() and friends stamp the packet as modified now; a loaded packet must
 * instead carry the time of its last edit, so that loading twice gives the same packet. */
static CpPacket *
restamp_modified (CpPacket    *packet,
                  gint64       modified_usec,
                  const char  *uuid,
                  GError     **error)
{
  g_autoptr(JsonNode) node = cp_packet_to_json (packet);
  g_autoptr(GDateTime) modified = usec_to_date_time (modified_usec);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *origin = NULL;
  CpPacket *restamped;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return g_object_ref (packet);

  text = g_date_time_format_iso8601 (modified);
  json_object_set_string_member (json_node_get_object (node), "modified", text);

  origin = g_strdup_printf ("packets.db:%s", uuid);
  restamped = cp_packet_new_from_json (node, origin, &local_error);
  if (restamped == NULL)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT,
                   _("The edits stored for packet %s do not fit it (%s). "
                     "Restore the database from a backup."),
                   uuid, local_error->message);
      return NULL;
    }

  return restamped;
}

/* Reads the snapshot and its edits, inside a read transaction. */
static gboolean
load_packet_locked (CpStore     *self,
                    const char  *uuid,
                    char       **body_out,
                    gint64      *modified_out,
                    gint64      *revision_out,
                    GArray      *edits,
                    GError     **error)
{
  g_autoptr(CpCachedStmt) current = NULL;
  g_autoptr(CpCachedStmt) select_edits = NULL;
  int rc;

  if (!(current = get_stmt (self, STMT_SELECT_CURRENT, error)) ||
      !(select_edits = get_stmt (self, STMT_SELECT_EDITS, error)))
    return FALSE;

  sqlite3_bind_text (current, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (current);
  if (rc == SQLITE_DONE)
    return set_not_found (error, uuid);
  else if (rc != SQLITE_ROW)
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  *body_out = g_strdup (column_text (current, 0));
  *modified_out = sqlite3_column_int64 (current, 1);
  *revision_out = sqlite3_column_int64 (current, 2);

  sqlite3_bind_text (select_edits, 1, uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (select_edits)) == SQLITE_ROW)
    {
      Edit edit;

      edit.op = g_strdup (column_text (select_edits, 0));
      edit.section = g_strdup (column_text (select_edits, 1));
      edit.field = g_strdup (column_text (select_edits, 2));
      edit.value = g_strdup (column_text (select_edits, 3));
      g_array_append_val (edits, edit);
    }
  if (rc != SQLITE_DONE)
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  return TRUE;
}

/* A packet's version: its revision number in the high 32 bits, the number of field edits since
 * that revision in the low ones. A save that writes a revision raises the first and empties the
 * journal, an edit raises the second, so every change of content makes it grow; 0 is no packet. */
static guint64
packet_version (gint64 revision,
                gint64 n_edits)
{
  return ((guint64) revision << 32) | (guint64) MIN (n_edits, (gint64) G_MAXUINT32);
}

/* The current version of @uuid (0 when the store does not have it). Lock held. */
static gboolean
read_version_locked (CpStore     *self,
                     const char  *uuid,
                     guint64     *version_out,
                     GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = get_stmt (self, STMT_VERSION, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *version_out = packet_version (sqlite3_column_int64 (stmt, 0),
                                   sqlite3_column_int64 (stmt, 1));
  else if (rc == SQLITE_DONE)
    *version_out = 0;
  else
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
  return TRUE;
}

/* Inside a write transaction: fails with CP_STORE_ERROR_CHANGED unless @uuid is at @expected. */
static gboolean
check_version_locked (CpStore     *self,
                      const char  *uuid,
                      guint64      expected,
                      GError     **error)
{
  guint64 version = 0;

  if (!read_version_locked (self, uuid, &version, error))
    return FALSE;
  if (version != expected)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED,
                   _("The packet %s was changed while it was being updated, so the update was "
                     "not written. Load it again and repeat the update."),
                   uuid);
      return FALSE;
    }
  return TRUE;
}

static CpPacket *
load_packet (CpStore     *self,
             const char  *uuid,
             guint64     *version_out,
             GError     **error)
{
  g_autoptr(GArray) edits = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *body = NULL;
  gint64 modified = 0;
  gint64 revision = 0;
  gboolean ok;

  if (!check_uuid (uuid, error))
    return NULL;

  edits = g_array_new (FALSE, TRUE, sizeof (Edit));
  g_array_set_clear_func (edits, edit_clear);

  /* One read transaction, so that the snapshot and its edits match. */
  g_mutex_lock (&self->lock);
  ok = exec_cached (self, STMT_BEGIN_READ, error) &&
       load_packet_locked (self, uuid, &body, &modified, &revision, edits, error);
  if (ok)
    ok = cp_store_commit (self, error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (!ok)
    return NULL;
  if (version_out != NULL)
    *version_out = packet_version (revision, edits->len);

  if (body == NULL)
    {
      set_not_found (error, uuid);
      return NULL;
    }

  packet = parse_body (body, uuid, error);
  if (packet == NULL)
    return NULL;

  if (edits->len == 0)
    return g_steal_pointer (&packet);

  for (guint i = 0; i < edits->len; i++)
    {
      if (!apply_edit (packet, &g_array_index (edits, Edit, i), error))
        return NULL;
    }

  return restamp_modified (packet, modified, uuid, error);
}

CpPacket *
cp_store_load_packet (CpStore     *self,
                      const char  *uuid,
                      GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_packet (self, uuid, NULL, error);
}

CpPacket *
cp_store_load_packet_versioned (CpStore     *self,
                                const char  *uuid,
                                guint64     *version_out,
                                GError     **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (version_out != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return load_packet (self, uuid, version_out, error);
}

gboolean
cp_store_has_packet (CpStore    *self,
                     const char *uuid)
{
  g_autoptr(CpCachedStmt) current = NULL;
  gboolean found = FALSE;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);

  if (uuid == NULL || !g_uuid_string_is_valid (uuid))
    return FALSE;

  g_mutex_lock (&self->lock);
  current = get_stmt (self, STMT_SELECT_CURRENT, NULL);
  if (current != NULL)
    {
      sqlite3_bind_text (current, 1, uuid, -1, SQLITE_STATIC);
      found = sqlite3_step (current) == SQLITE_ROW;
      cached_stmt_release (g_steal_pointer (&current));
    }
  g_mutex_unlock (&self->lock);

  return found;
}

/* Runs one single-statement write keyed by @uuid (with an optional int64 ?2) in its own
 * transaction; *changes_out receives the number of rows changed. */
static gboolean
run_update (CpStore     *self,
            StmtId       id,
            const char  *uuid,
            gint64       arg,
            int         *changes_out,
            GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;

  g_mutex_lock (&self->lock);

  if (!(stmt = get_stmt (self, id, error)))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }

  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, arg);

  if (!step_done (self, stmt, error))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }

  *changes_out = sqlite3_changes (self->db);
  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);

  return TRUE;
}

/* The packet's state and whether it is in the trash; *state_out NULL when there is no such
 * packet. */
static gboolean
read_state (CpStore     *self,
            const char  *uuid,
            char       **state_out,
            gboolean    *deleted_out,
            GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  int rc;

  g_mutex_lock (&self->lock);
  if (!(stmt = get_stmt (self, STMT_SELECT_STATE, error)))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  *state_out = NULL;
  if (rc == SQLITE_ROW)
    {
      *state_out = g_strdup (column_text (stmt, 0));
      *deleted_out = sqlite3_column_type (stmt, 1) != SQLITE_NULL;
    }
  else if (rc != SQLITE_DONE)
    {
      cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
      cached_stmt_release (g_steal_pointer (&stmt));
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);
  return TRUE;
}

static gboolean
set_in_workflow (GError        **error,
                 CpPacketState   state)
{
  const char *why;

  switch (state)
    {
    case CP_PACKET_STATE_SUBMITTED:
      why = _("It has been submitted to the credit office, which is reviewing it.");
      break;
    case CP_PACKET_STATE_RETURNED:
      why = _("The credit office returned it with comments; correct it and submit it again.");
      break;
    case CP_PACKET_STATE_ACCEPTED:
      why = _("The credit office has accepted it.");
      break;
    case CP_PACKET_STATE_DRAFT:
    case CP_PACKET_STATE_READY:
    default:
      why = "";
      break;
    }
  /* Translators: the %s is one of the sentences above */
  g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IN_WORKFLOW,
               _("This packet cannot be deleted on this computer. %s The credit office’s "
                 "server keeps it, and the office’s decisions and comments must stay in "
                 "view."), why);
  return FALSE;
}

gboolean
cp_store_delete_packet (CpStore     *self,
                        const char  *uuid,
                        GError     **error)
{
  int changes = 0;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;

  if (!run_update (self, STMT_DELETE, uuid, now_usec (), &changes, error))
    return FALSE;

  if (changes == 0)
    {
      g_autofree char *state_text = NULL;
      gboolean deleted = FALSE;
      CpPacketState state = CP_PACKET_STATE_DRAFT;

      if (!read_state (self, uuid, &state_text, &deleted, error))
        return FALSE;
      if (state_text == NULL)
        return set_not_found (error, uuid);
      /* Deleting a packet that is already in the trash changes nothing. */
      if (deleted)
        return TRUE;
      cp_packet_state_from_string (state_text, &state);
      return set_in_workflow (error, state);
    }

  emit_changed (self, uuid);
  return TRUE;
}

gboolean
cp_store_undelete_packet (CpStore     *self,
                          const char  *uuid,
                          GError     **error)
{
  int changes = 0;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;

  if (!run_update (self, STMT_UNDELETE, uuid, 0, &changes, error))
    return FALSE;

  if (changes == 0)
    {
      if (cp_store_has_packet (self, uuid))
        return TRUE;
      return set_not_found (error, uuid);
    }

  emit_changed (self, uuid);
  return TRUE;
}

static gboolean
purge_deleted_locked (CpStore    *self,
                      gint64      limit,
                      GPtrArray  *uuids,
                      GError    **error)
{
  g_autoptr(CpCachedStmt) select = NULL;
  g_autoptr(CpCachedStmt) purge = NULL;
  int rc;

  if (!(select = get_stmt (self, STMT_SELECT_PURGEABLE, error)) ||
      !(purge = get_stmt (self, STMT_PURGE, error)))
    return FALSE;

  sqlite3_bind_int64 (select, 1, limit);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    g_ptr_array_add (uuids, g_strdup (column_text (select, 0)));
  if (rc != SQLITE_DONE)
    return cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  for (guint i = 0; i < uuids->len; i++)
    {
      sqlite3_reset (purge);
      sqlite3_bind_text (purge, 1, g_ptr_array_index (uuids, i), -1, SQLITE_STATIC);
      if (!step_done (self, purge, error))
        return FALSE;
    }

  return TRUE;
}

gboolean
cp_store_purge_deleted (CpStore    *self,
                        GDateTime  *deleted_before,
                        guint      *n_purged,
                        GError    **error)
{
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  gint64 limit = deleted_before ? date_time_to_usec (deleted_before) : G_MAXINT64;
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ok = begin_write (self, error) && purge_deleted_locked (self, limit, uuids, error);
  if (ok)
    ok = cp_store_commit (self, error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;

  if (n_purged)
    *n_purged = uuids->len;
  for (guint i = 0; i < uuids->len; i++)
    emit_changed (self, g_ptr_array_index (uuids, i));

  return TRUE;
}

static GPtrArray *
list_summaries (CpStore  *self,
                StmtId    id,
                GError  **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_packet_summary_free);

  g_mutex_lock (&self->lock);

  if (!(stmt = get_stmt (self, id, error)))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CpPacketSummary *summary = g_new0 (CpPacketSummary, 1);

      summary->uuid = g_strdup (column_text (stmt, 0));
      summary->kind = g_strdup (column_text (stmt, 1));
      summary->year = sqlite3_column_int (stmt, 2);
      if (!cp_packet_state_from_string (column_text (stmt, 3), &summary->state))
        summary->state = CP_PACKET_STATE_DRAFT;
      summary->enterprise_name = g_strdup (column_text (stmt, 4));
      summary->uscc = g_strdup (column_text (stmt, 5));
      summary->modified = usec_to_date_time (sqlite3_column_int64 (stmt, 6));
      if (!cp_store_sync_state_from_string (column_text (stmt, 7), &summary->sync_state))
        summary->sync_state = CP_STORE_SYNC_PENDING;
      if (sqlite3_column_type (stmt, 8) != SQLITE_NULL)
        summary->deleted = usec_to_date_time (sqlite3_column_int64 (stmt, 8));
      summary->stage = g_strdup (column_text (stmt, 9));
      if (!cp_role_from_string (column_text (stmt, 10), &summary->party))
        summary->party = CP_ROLE_NONE;
      g_ptr_array_add (list, summary);
    }

  if (rc != SQLITE_DONE)
    {
      cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
      cached_stmt_release (g_steal_pointer (&stmt));
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);

  return g_steal_pointer (&list);
}

GPtrArray *
cp_store_list_packets (CpStore  *self,
                       GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_summaries (self, STMT_LIST, error);
}

GPtrArray *
cp_store_list_packets_for_uscc (CpStore     *self,
                                const char  *uscc,
                                GError     **error)
{
  g_autofree char *normalized = NULL;
  g_autoptr(GPtrArray) all = NULL;
  GPtrArray *found;

  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (uscc != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* The column holds the cover's code as it was typed: compare normalized. */
  if ((all = list_summaries (self, STMT_LIST, error)) == NULL)
    return NULL;
  normalized = cp_uscc_normalize (uscc);
  found = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_packet_summary_free);
  for (guint i = 0; i < all->len; i++)
    {
      CpPacketSummary *summary = g_ptr_array_index (all, i);
      g_autofree char *code = NULL;

      if (summary->uscc == NULL || *summary->uscc == '\0')
        continue;
      code = cp_uscc_normalize (summary->uscc);
      if (*normalized != '\0' && g_str_equal (code, normalized))
        g_ptr_array_add (found, g_ptr_array_steal_index (all, i--));
    }
  return found;
}

GPtrArray *
cp_store_list_deleted_packets (CpStore  *self,
                               GError  **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return list_summaries (self, STMT_LIST_DELETED, error);
}

GPtrArray *
cp_store_list_revisions (CpStore     *self,
                         const char  *uuid,
                         GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  g_autoptr(GPtrArray) list = NULL;
  int rc;

  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_uuid (uuid, error))
    return NULL;

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_revision_info_free);

  g_mutex_lock (&self->lock);

  if (!(stmt = get_stmt (self, STMT_LIST_REVISIONS, error)))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CpRevisionInfo *info = g_new0 (CpRevisionInfo, 1);

      info->revision = (guint) sqlite3_column_int64 (stmt, 0);
      info->saved_at = usec_to_date_time (sqlite3_column_int64 (stmt, 1));
      g_ptr_array_add (list, info);
    }

  if (rc != SQLITE_DONE)
    cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);

  if (rc != SQLITE_DONE)
    return NULL;

  if (list->len == 0 && !cp_store_has_packet (self, uuid))
    {
      set_not_found (error, uuid);
      return NULL;
    }

  return g_steal_pointer (&list);
}

CpPacket *
cp_store_load_revision (CpStore     *self,
                        const char  *uuid,
                        guint        revision,
                        GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  g_autofree char *body = NULL;
  int rc;

  g_return_val_if_fail (CP_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_uuid (uuid, error))
    return NULL;

  g_mutex_lock (&self->lock);

  if (!(stmt = get_stmt (self, STMT_SELECT_REVISION, error)))
    {
      g_mutex_unlock (&self->lock);
      return NULL;
    }

  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, revision);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    body = g_strdup (column_text (stmt, 0));
  else if (rc != SQLITE_DONE)
    cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);

  if (rc == SQLITE_DONE)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND,
                   _("Revision %u of packet %s is not in the local store."),
                   revision, uuid);
      return NULL;
    }
  if (body == NULL)
    return NULL;

  return parse_body (body, uuid, error);
}

/* Field edits: the hot path. One IMMEDIATE transaction with two cached statements; the cost is
 * dominated by the commit's fsync of the WAL. */
static gboolean
record_edit_locked (CpStore     *self,
                    const char  *uuid,
                    const char  *op,
                    const char  *section,
                    const char  *field,
                    const char  *value,
                    const char  *cover_field,
                    const char  *cover_text,
                    GError     **error)
{
  g_autoptr(CpCachedStmt) touch = NULL;
  g_autoptr(CpCachedStmt) insert = NULL;
  gint64 now = now_usec ();

  if (!(touch = get_stmt (self, STMT_TOUCH, error)) ||
      !(insert = get_stmt (self, STMT_INSERT_EDIT, error)))
    return FALSE;

  sqlite3_bind_text (touch, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (touch, 2, now);
  sqlite3_bind_text (touch, 3, cover_field, -1, SQLITE_STATIC);
  sqlite3_bind_text (touch, 4, cover_text, -1, SQLITE_STATIC);
  if (!step_done (self, touch, error))
    return FALSE;

  /* No row: no such packet, or it is in the trash. */
  if (sqlite3_changes (self->db) != 1)
    return set_not_found (error, uuid);

  sqlite3_bind_text (insert, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 2, op, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, section, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 4, field, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 5, value, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 6, now);

  return step_done (self, insert, error);
}

static gboolean
record_edit (CpStore     *self,
             const char  *uuid,
             const char  *op,
             const char  *section,
             const char  *field,
             const char  *value,
             GError     **error)
{
  g_autoptr(JsonNode) cover_node = NULL;
  const char *cover_field = NULL;
  const char *cover_text = NULL;
  gboolean ok;

  if (!check_uuid (uuid, error))
    return FALSE;

  if (!cp_id_is_valid (field) || (strcmp (op, "value") == 0 && !cp_id_is_valid (section)))
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID,
                   _("The field “%s” in section “%s” cannot be stored: identifiers use "
                     "letters, digits, “-”, “_” and “.”, at most 64 characters."),
                   field ? field : "", section ? section : "");
      return FALSE;
    }

  if (strcmp (op, "value") == 0 && strcmp (section, "cover") == 0 &&
      (strcmp (field, "enterprise_name") == 0 || strcmp (field, "uscc") == 0))
    {
      cover_field = field;
      if (value != NULL && (cover_node = json_from_string (value, NULL)) != NULL &&
          JSON_NODE_HOLDS_VALUE (cover_node) &&
          json_node_get_value_type (cover_node) == G_TYPE_STRING)
        cover_text = json_node_get_string (cover_node);
    }

  g_mutex_lock (&self->lock);
  ok = begin_write (self, error) &&
       record_edit_locked (self, uuid, op, section, field, value, cover_field, cover_text,
                           error);
  if (ok)
    ok = cp_store_commit (self, error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (ok)
    emit_changed (self, uuid);

  return ok;
}

gboolean
cp_store_set_value (CpStore     *self,
                    const char  *uuid,
                    const char  *section,
                    const char  *field,
                    JsonNode    *value,
                    GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (value != NULL && !value_is_storable (value))
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID,
                   _("The value of field “%s” cannot be stored: it nests deeper than "
                     "6 levels or holds a number a packet cannot hold."),
                   field ? field : "");
      return FALSE;
    }

  /* JSON null means "unset", as in the packet model. */
  if (value != NULL && !JSON_NODE_HOLDS_NULL (value))
    text = json_to_string (value, FALSE);

  return record_edit (self, uuid, "value", section, field, text, error);
}

gboolean
cp_store_set_score (CpStore        *self,
                    const char     *uuid,
                    const char     *item_id,
                    CpScoreColumn   column,
                    double          value,
                    GError        **error)
{
  char text[G_ASCII_DTOSTR_BUF_SIZE];

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cp_packet_number_is_valid (value))
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID,
                   _("A score must be a finite number."));
      return FALSE;
    }

  g_ascii_dtostr (text, sizeof text, value);

  return record_edit (self, uuid, "score",
                      column == CP_SCORE_SELF ? "self" : "acceptance",
                      item_id, text, error);
}

gboolean
cp_store_unset_score (CpStore        *self,
                      const char     *uuid,
                      const char     *item_id,
                      CpScoreColumn   column,
                      GError        **error)
{
  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return record_edit (self, uuid, "score",
                      column == CP_SCORE_SELF ? "self" : "acceptance",
                      item_id, NULL, error);
}

gboolean
cp_store_set_score_note (CpStore     *self,
                         const char  *uuid,
                         const char  *item_id,
                         const char  *note,
                         GError     **error)
{
  g_autofree char *text = NULL;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (note != NULL)
    {
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (node, note);
      text = json_to_string (node, FALSE);
    }

  return record_edit (self, uuid, "score-note", NULL, item_id, text, error);
}

guint
cp_store_count_pending_edits (CpStore    *self,
                              const char *uuid)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  guint count = 0;

  g_return_val_if_fail (CP_IS_STORE (self), 0);
  g_return_val_if_fail (uuid != NULL, 0);

  g_mutex_lock (&self->lock);
  stmt = get_stmt (self, STMT_COUNT_EDITS, NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = (guint) sqlite3_column_int64 (stmt, 0);
      cached_stmt_release (g_steal_pointer (&stmt));
    }
  g_mutex_unlock (&self->lock);

  return count;
}

/* Sync bookkeeping */

gboolean
cp_store_get_sync_info (CpStore           *self,
                        const char        *uuid,
                        CpStoreSyncState  *state_out,
                        char             **server_revision_out,
                        char             **base_body_out,
                        GError           **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;

  g_mutex_lock (&self->lock);

  if (!(stmt = get_stmt (self, STMT_GET_SYNC, error)))
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }

  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (state_out &&
          !cp_store_sync_state_from_string (column_text (stmt, 0), state_out))
        *state_out = CP_STORE_SYNC_PENDING;
      if (server_revision_out)
        *server_revision_out = g_strdup (column_text (stmt, 1));
      if (base_body_out)
        *base_body_out = g_strdup (column_text (stmt, 2));
    }
  else if (rc == SQLITE_DONE)
    set_not_found (error, uuid);
  else
    cp_store_set_sqlite_error (error, self->db, rc, self->db_path);

  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);

  return rc == SQLITE_ROW;
}

/* Records the sync columns of @uuid; NOT_FOUND when there is no such packet. Lock held. */
static gboolean
set_sync_locked (CpStore           *self,
                 const char        *uuid,
                 CpStoreSyncState   state,
                 const char        *server_revision,
                 const char        *base_body,
                 GError           **error)
{
  g_autoptr(CpCachedStmt) stmt = get_stmt (self, STMT_SET_SYNC, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, sync_state_names[state], -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, server_revision, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, base_body, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return set_not_found (error, uuid);
  return TRUE;
}

static gboolean
set_place_locked (CpStore     *self,
                  const char  *uuid,
                  const char  *stage,
                  const char  *party,
                  const char  *evaluator,
                  GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = get_stmt (self, STMT_SET_PLACE, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, stage, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, party, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, evaluator, -1, SQLITE_STATIC);
  if (!step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (self->db) == 0)
    return set_not_found (error, uuid);
  return TRUE;
}

gboolean
cp_store_set_review_place (CpStore     *self,
                           const char  *uuid,
                           const char  *stage,
                           const char  *party,
                           const char  *evaluator,
                           GError     **error)
{
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  ok = set_place_locked (self, uuid, stage, party, evaluator, error);
  g_mutex_unlock (&self->lock);
  if (ok)
    emit_changed (self, uuid);
  return ok;
}

gboolean
cp_store_get_review_place (CpStore     *self,
                           const char  *uuid,
                           char       **stage_out,
                           CpRole      *party_out,
                           char       **evaluator_out,
                           GError     **error)
{
  g_autoptr(CpCachedStmt) stmt = NULL;
  CpRole party = CP_ROLE_NONE;
  int rc;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;
  g_mutex_lock (&self->lock);
  stmt = get_stmt (self, STMT_GET_PLACE, error);
  if (stmt == NULL)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        set_not_found (error, uuid);
      else
        cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
      cached_stmt_release (g_steal_pointer (&stmt));
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  if (stage_out != NULL)
    *stage_out = g_strdup (column_text (stmt, 0));
  if (!cp_role_from_string (column_text (stmt, 1), &party))
    party = CP_ROLE_NONE;
  if (party_out != NULL)
    *party_out = party;
  if (evaluator_out != NULL)
    *evaluator_out = g_strdup (column_text (stmt, 2));
  cached_stmt_release (g_steal_pointer (&stmt));
  g_mutex_unlock (&self->lock);
  return TRUE;
}

gboolean
cp_store_set_sync_info (CpStore           *self,
                        const char        *uuid,
                        CpStoreSyncState   state,
                        const char        *server_revision,
                        const char        *base_body,
                        GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (sync_state_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;

  /* A single statement: its own implicit transaction. */
  g_mutex_lock (&self->lock);
  ok = set_sync_locked (self, uuid, state, server_revision, base_body, error);
  g_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;

  emit_changed (self, uuid);
  return TRUE;
}

gboolean
cp_store_set_sync_info_if_unchanged (CpStore           *self,
                                     const char        *uuid,
                                     guint64            expected_version,
                                     CpStoreSyncState   state,
                                     const char        *server_revision,
                                     const char        *base_body,
                                     GError           **error)
{
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (sync_state_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_uuid (uuid, error))
    return FALSE;

  g_mutex_lock (&self->lock);
  ok = begin_write (self, error) &&
       check_version_locked (self, uuid, expected_version, error) &&
       set_sync_locked (self, uuid, state, server_revision, base_body, error);
  if (ok)
    ok = cp_store_commit (self, error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (!ok)
    return FALSE;

  emit_changed (self, uuid);
  return TRUE;
}

gboolean
cp_store_write_sync_batch (CpStore           *self,
                           CpStoreSyncWrite  *writes,
                           guint              n_writes,
                           GError           **error)
{
  g_autoptr(GPtrArray) bodies = g_ptr_array_new_full (n_writes, g_free);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (writes != NULL || n_writes == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < n_writes; i++)
    {
      CpStoreSyncWrite *write = &writes[i];

      g_return_val_if_fail ((guint) write->state < G_N_ELEMENTS (sync_state_names), FALSE);
      g_return_val_if_fail (write->packet == NULL || CP_IS_PACKET (write->packet), FALSE);
      g_return_val_if_fail (write->packet == NULL ||
                            g_strcmp0 (cp_packet_get_uuid (write->packet), write->uuid) == 0,
                            FALSE);
      if (!check_uuid (write->uuid, error))
        return FALSE;
      write->changed = FALSE;
      g_ptr_array_add (bodies, write->packet == NULL ? NULL
                               : write->body != NULL ? g_strdup (write->body)
                               : cp_packet_to_data (write->packet, FALSE, NULL));
    }
  if (n_writes == 0)
    return TRUE;

  /* Each write in a savepoint of its own: a packet edited meanwhile is rolled back alone. */
  g_mutex_lock (&self->lock);
  ok = begin_write (self, &local_error);
  for (guint i = 0; ok && i < n_writes; i++)
    {
      CpStoreSyncWrite *write = &writes[i];
      const char *body = g_ptr_array_index (bodies, i);
      gint64 revision = 0;
      gboolean unchanged = FALSE;

      ok = cp_store_exec_sql (self, "SAVEPOINT sync_write", &local_error);
      if (!ok)
        break;
      if (check_version_locked (self, write->uuid, write->expected_version, &local_error) &&
          (body == NULL ||
           save_packet_locked (self, write->packet, body, strlen (body), &revision, &unchanged,
                               &local_error)) &&
          set_sync_locked (self, write->uuid, write->state, write->server_revision,
                           write->base_body, &local_error) &&
          set_place_locked (self, write->uuid, write->stage, write->party, write->evaluator,
                            &local_error))
        ok = cp_store_exec_sql (self, "RELEASE sync_write", &local_error);
      else if (g_error_matches (local_error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED))
        {
          g_clear_error (&local_error);
          write->changed = TRUE;
          ok = cp_store_exec_sql (self, "ROLLBACK TO sync_write; RELEASE sync_write",
                                  &local_error);
        }
      else
        ok = FALSE;
    }
  if (ok)
    ok = cp_store_commit (self, &local_error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (!ok)
    {
      g_prefix_error (&local_error, _("The sync state could not be saved. "));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  for (guint i = 0; i < n_writes; i++)
    if (!writes[i].changed)
      emit_changed (self, writes[i].uuid);
  return TRUE;
}

gboolean
cp_store_save_packet_if_unchanged (CpStore           *self,
                                   CpPacket          *packet,
                                   guint64            expected_version,
                                   CpStoreSyncState   state,
                                   const char        *server_revision,
                                   const char        *base_body,
                                   guint             *revision_out,
                                   GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *body = NULL;
  const char *uuid;
  gsize body_length = 0;
  gint64 revision = 0;
  gboolean unchanged = FALSE;
  gboolean ok;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (sync_state_names), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uuid = cp_packet_get_uuid (packet);
  if (!check_uuid (uuid, error))
    return FALSE;

  body = cp_packet_to_data (packet, FALSE, &body_length);

  /* The check, the save and the sync columns in one IMMEDIATE transaction: no edit can come in
   * between (an edit takes the same write lock, and the connection's mutex). */
  g_mutex_lock (&self->lock);
  ok = begin_write (self, &local_error) &&
       check_version_locked (self, uuid, expected_version, &local_error) &&
       save_packet_locked (self, packet, body, body_length, &revision, &unchanged,
                           &local_error) &&
       set_sync_locked (self, uuid, state, server_revision, base_body, &local_error);
  if (ok)
    ok = cp_store_commit (self, &local_error);
  else
    cp_store_rollback (self);
  g_mutex_unlock (&self->lock);

  if (!ok)
    {
      if (!g_error_matches (local_error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED))
        g_prefix_error (&local_error, _("The packet could not be saved. "));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (revision_out)
    *revision_out = (guint) revision;
  emit_changed (self, uuid);

  return TRUE;
}
