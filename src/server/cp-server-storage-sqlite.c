/* cp-server-storage-sqlite.c — the embedded SQLite storage backend
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * WAL, synchronous=FULL, foreign keys, migrations numbered by PRAGMA user_version. Most
 * statements are cp-server-storage.c's, in the SQL both backends read; they run here through
 * query(), with their $1 … $n bound by name. What is SQLite's own: the schema, the transactions
 * (BEGIN IMMEDIATE), the base check and the change counter of a packet write, and the changes
 * feed, stepped row by row so that it stops reading bodies at the page's size.
 */
#include "config.h"

#include "cp-server-storage-private.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  CpServerStorage  parent;
  sqlite3         *db;
  GHashTable      *statements;  /* SQL text → sqlite3_stmt *, prepared once */
} CpServerStorageSqlite;

#define SELF(s) ((CpServerStorageSqlite *) (s))

static const char * const migrations[] = {
  /* 1: the first schema. */
  "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);"
  "INSERT INTO meta (key, value) VALUES ('change_seq', 0);"
  "CREATE TABLE users ("
  "  id INTEGER PRIMARY KEY,"
  "  name TEXT NOT NULL UNIQUE,"
  "  role TEXT NOT NULL CHECK (role IN ('admin', 'office', 'agency', 'enterprise')),"
  "  district TEXT REFERENCES districts (code),"
  "  uscc TEXT,"
  "  agency TEXT REFERENCES agencies (id),"
  "  password_hash TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE TABLE sessions ("
  "  token_hash TEXT PRIMARY KEY,"
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  created_at INTEGER NOT NULL,"
  "  expires_at INTEGER NOT NULL);"
  "CREATE INDEX sessions_expiry ON sessions (expires_at);"
  "CREATE TABLE agencies (id TEXT PRIMARY KEY, name TEXT NOT NULL);"
  "CREATE TABLE assignments ("
  "  uscc TEXT NOT NULL,"
  "  agency_id TEXT NOT NULL REFERENCES agencies (id),"
  "  PRIMARY KEY (uscc, agency_id));"
  "CREATE INDEX assignments_agency ON assignments (agency_id);"
  "CREATE TABLE districts (code TEXT PRIMARY KEY, name TEXT NOT NULL);"
  "CREATE TABLE district_divisions ("
  "  district TEXT NOT NULL REFERENCES districts (code) ON DELETE CASCADE,"
  "  prefix TEXT NOT NULL,"
  "  PRIMARY KEY (district, prefix));"
  "CREATE TABLE quotas ("
  "  district TEXT NOT NULL REFERENCES districts (code) ON DELETE CASCADE,"
  "  year INTEGER NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  quota INTEGER NOT NULL CHECK (quota >= 0),"
  "  PRIMARY KEY (district, year, kind));"
  "CREATE TABLE packets ("
  "  uuid TEXT PRIMARY KEY,"
  "  revision INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  uscc TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  year INTEGER NOT NULL,"
  "  seq INTEGER NOT NULL);"
  "CREATE INDEX packets_seq ON packets (seq);"
  "CREATE INDEX packets_uscc ON packets (uscc);"
  "CREATE TABLE revisions ("
  "  uuid TEXT NOT NULL,"
  "  revision INTEGER NOT NULL,"
  "  base INTEGER NOT NULL,"
  "  action TEXT NOT NULL,"
  "  state TEXT NOT NULL,"
  "  uscc TEXT NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  year INTEGER NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  user_name TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  body BLOB NOT NULL,"
  "  PRIMARY KEY (uuid, revision));"
  "CREATE TABLE packet_blobs ("
  "  uuid TEXT NOT NULL,"
  "  sha256 TEXT NOT NULL,"
  "  PRIMARY KEY (uuid, sha256));"
  "CREATE INDEX packet_blobs_sha ON packet_blobs (sha256);"
  "CREATE TABLE blob_owners ("
  "  sha256 TEXT NOT NULL,"
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"
  "  PRIMARY KEY (sha256, user_id));"
  "CREATE TABLE comments ("
  "  id INTEGER PRIMARY KEY,"
  "  uuid TEXT NOT NULL,"
  "  revision INTEGER NOT NULL,"
  "  section TEXT,"
  "  field TEXT,"
  "  comment TEXT NOT NULL,"
  "  author TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL);"
  "CREATE INDEX comments_uuid ON comments (uuid);",
  /* 2: who first listed each blob of a packet (issue 13: listing someone else's hash granted
   * its bytes), and every blob any revision listed (garbage collection). Existing listings are
   * credited to a user who uploaded the blob and wrote the packet, when there is one. */
  "ALTER TABLE packet_blobs ADD COLUMN added_by TEXT;"
  "UPDATE packet_blobs SET added_by = ("
  "  SELECT u.name FROM blob_owners o JOIN users u ON u.id = o.user_id"
  "  WHERE o.sha256 = packet_blobs.sha256 AND EXISTS ("
  "    SELECT 1 FROM revisions r WHERE r.uuid = packet_blobs.uuid AND r.user_name = u.name)"
  "  ORDER BY u.id LIMIT 1);"
  "CREATE TABLE blob_refs ("
  "  sha256 TEXT NOT NULL,"
  "  uuid TEXT NOT NULL,"
  "  PRIMARY KEY (sha256, uuid));"
  "INSERT INTO blob_refs (sha256, uuid) SELECT sha256, uuid FROM packet_blobs WHERE 1 "
  "  ON CONFLICT DO NOTHING;",
  /* 3: each packet's stage in its kind's workflow and its evaluating agency (issue 11), on the
   * packet and on every revision. Packets written before stay NULL: they are in the stage their
   * packet state maps to (the kind's "from_legacy"), and their next write records it. */
  "ALTER TABLE packets ADD COLUMN stage TEXT;"
  "ALTER TABLE packets ADD COLUMN evaluator TEXT;"
  "ALTER TABLE revisions ADD COLUMN stage TEXT;"
  "ALTER TABLE revisions ADD COLUMN evaluator TEXT;"
  "CREATE INDEX packets_evaluator ON packets (evaluator) WHERE evaluator IS NOT NULL;"
  /* Who recorded each signature or stamp of a packet, and when (set from the session). */
  "CREATE TABLE signatures ("
  "  uuid TEXT NOT NULL,"
  "  pointer TEXT NOT NULL,"
  "  revision INTEGER NOT NULL,"
  "  recorded_by TEXT NOT NULL,"
  "  recorded_at INTEGER NOT NULL,"
  "  PRIMARY KEY (uuid, pointer));",
  /* 4 (agency identity): the agency's own credit code, which with its name fills the agency's
   * blocks of a packet from its account (issue 11). Agencies added before have none until
   * "agency set-uscc" gives it. */
  "ALTER TABLE agencies ADD COLUMN uscc TEXT;",
};

static gboolean
set_db_error (CpServerStorageSqlite  *self,
              GError                **error,
              const char             *what)
{
  int code = sqlite3_extended_errcode (self->db);
  CpServerStorageError domain_code = CP_SERVER_STORAGE_ERROR_FAILED;

  if (code == SQLITE_CONSTRAINT_PRIMARYKEY || code == SQLITE_CONSTRAINT_UNIQUE)
    domain_code = CP_SERVER_STORAGE_ERROR_EXISTS;
  else if ((code & 0xff) == SQLITE_CONSTRAINT)
    domain_code = CP_SERVER_STORAGE_ERROR_INVALID;

  g_set_error (error, CP_SERVER_STORAGE_ERROR, domain_code, "%s: %s", what,
               sqlite3_errmsg (self->db));
  return FALSE;
}

static gboolean
exec (CpServerStorageSqlite  *self,
      const char             *sql,
      GError                **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    return set_db_error (self, error, "Database statement failed");
  return TRUE;
}

/* Statements are prepared once and kept; callers hold them through g_autoptr(CpStmt), which
 * resets them (and drops their bindings) when they go out of scope. */
static sqlite3_stmt *
prepare (CpServerStorageSqlite  *self,
         const char             *sql,
         GError                **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    return stmt;
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, "Could not prepare a database statement");
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

typedef sqlite3_stmt CpStmt;
static void
stmt_release (CpStmt *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpStmt, stmt_release)

static void
bind_text (sqlite3_stmt *stmt,
           int           index,
           const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

static char *
column_text (sqlite3_stmt *stmt,
             int           index)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, index));
}

/* Runs a statement that returns no rows. */
static gboolean
step_done (CpServerStorageSqlite  *self,
           sqlite3_stmt           *stmt,
           GError                **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    return set_db_error (self, error, "Database write failed");
  return TRUE;
}

static void
storage_close (CpServerStorage *storage)
{
  CpServerStorageSqlite *self = SELF (storage);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      /* Checkpoint the WAL so that a cleanly stopped server leaves one self-contained file. */
      sqlite3_exec (self->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
      sqlite3_close (self->db);
    }
  g_free (self);
}

/* Binds @params to the $1 … $n of @stmt (a parameter the SQL does not name is left out). */
static void
bind_params (sqlite3_stmt         *stmt,
             const CpServerParams *params)
{
  for (guint i = 0; params != NULL && i < params->n; i++)
    {
      const CpServerValue *value = &params->values[i];
      char name[16];
      int index;

      g_snprintf (name, sizeof name, "$%u", i + 1);
      index = sqlite3_bind_parameter_index (stmt, name);
      if (index == 0)
        continue;
      switch (value->type)
        {
        case CP_SERVER_VALUE_INT:
          sqlite3_bind_int64 (stmt, index, value->number);
          break;
        case CP_SERVER_VALUE_TEXT:
          bind_text (stmt, index, value->text);
          break;
        case CP_SERVER_VALUE_BYTES:
          sqlite3_bind_blob (stmt, index, g_bytes_get_data (value->bytes, NULL),
                             (int) g_bytes_get_size (value->bytes), SQLITE_STATIC);
          break;
        case CP_SERVER_VALUE_NULL:
        default:
          sqlite3_bind_null (stmt, index);
          break;
        }
    }
}

static CpServerRows *
query (CpServerStorage       *storage,
       const char            *sql,
       const CpServerParams  *params,
       GError               **error)
{
  CpServerStorageSqlite *self = SELF (storage);
  g_autoptr(CpServerRows) rows = NULL;
  g_autoptr(CpStmt) stmt = NULL;
  int rc;

  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  bind_params (stmt, params);
  rows = cp_server_rows_new ((guint) sqlite3_column_count (stmt));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      CpServerValue *cells = cp_server_rows_add (rows);

      for (guint column = 0; column < rows->n_columns; column++)
        {
          CpServerValue *cell = &cells[column];

          switch (sqlite3_column_type (stmt, (int) column))
            {
            case SQLITE_INTEGER:
            case SQLITE_FLOAT:
              cell->type = CP_SERVER_VALUE_INT;
              cell->number = sqlite3_column_int64 (stmt, (int) column);
              break;
            case SQLITE_TEXT:
              cell->type = CP_SERVER_VALUE_TEXT;
              cell->text = column_text (stmt, (int) column);
              break;
            case SQLITE_BLOB:
              cell->type = CP_SERVER_VALUE_BYTES;
              cell->bytes = g_bytes_new (sqlite3_column_blob (stmt, (int) column),
                                         (gsize) sqlite3_column_bytes (stmt, (int) column));
              break;
            default:
              break;
            }
        }
    }
  if (rc != SQLITE_DONE)
    {
      storage->reference_failed =
        sqlite3_extended_errcode (self->db) == SQLITE_CONSTRAINT_FOREIGNKEY;
      set_db_error (self, error, "Database statement failed");
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* BEGIN IMMEDIATE takes the write lock at once: for a packet write, before the revision check,
 * so that two processes cannot both see the same base revision. */
static gboolean
begin (CpServerStorage  *storage,
       GError          **error)
{
  return exec (SELF (storage), "BEGIN IMMEDIATE", error);
}

static void
rollback (CpServerStorage *storage)
{
  sqlite3_exec (SELF (storage)->db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
commit (CpServerStorage  *storage,
        GError          **error)
{
  if (!exec (SELF (storage), "COMMIT", error))
    {
      rollback (storage);
      return FALSE;
    }
  return TRUE;
}

/* --- packets ----------------------------------------------------------------------------- */

static CpServerRevision *
read_revision (sqlite3_stmt *stmt,
               gboolean      with_body)
{
  CpServerRevision *revision = g_new0 (CpServerRevision, 1);

  revision->uuid = column_text (stmt, 0);
  revision->revision = sqlite3_column_int64 (stmt, 1);
  revision->base = sqlite3_column_int64 (stmt, 2);
  revision->action = column_text (stmt, 3);
  revision->state = column_text (stmt, 4);
  revision->uscc = column_text (stmt, 5);
  revision->kind = column_text (stmt, 6);
  revision->year = sqlite3_column_int (stmt, 7);
  revision->sha256 = column_text (stmt, 8);
  revision->user_name = column_text (stmt, 9);
  revision->created_at = sqlite3_column_int64 (stmt, 10);
  revision->stage = column_text (stmt, 11);
  revision->evaluator = column_text (stmt, 12);
  revision->seq = sqlite3_column_int64 (stmt, 13);
  if (with_body)
    revision->body = g_bytes_new (sqlite3_column_blob (stmt, 14),
                                  sqlite3_column_bytes (stmt, 14));
  return revision;
}

static gboolean
claim_revision (CpServerStorage   *storage,
                CpServerRevision  *revision,
                gint64             expected,
                gint64            *seq_out,
                GError           **error)
{
  CpServerStorageSqlite *self = SELF (storage);
  g_autoptr(CpStmt) current = NULL;
  g_autoptr(CpStmt) seq = NULL;
  gint64 current_revision = 0;
  int rc;

  current = prepare (self, "SELECT revision FROM packets WHERE uuid = ?", error);
  if (current == NULL)
    return FALSE;
  bind_text (current, 1, revision->uuid);
  rc = sqlite3_step (current);
  if (rc == SQLITE_ROW)
    current_revision = sqlite3_column_int64 (current, 0);
  else if (rc != SQLITE_DONE)
    return set_db_error (self, error, "Could not read the packet");
  if (current_revision != expected)
    return cp_server_storage_set_stale (error, current_revision, expected);

  seq = prepare (self, "UPDATE meta SET value = value + 1 WHERE key = 'change_seq' "
                       "RETURNING value", error);
  if (seq == NULL)
    return FALSE;
  if (sqlite3_step (seq) != SQLITE_ROW)
    return set_db_error (self, error, "Could not advance the change sequence");
  *seq_out = sqlite3_column_int64 (seq, 0);
  return TRUE;
}

static gboolean
write_packet (CpServerStorage   *storage,
              CpServerRevision  *revision,
              GError           **error)
{
  CpServerStorageSqlite *self = SELF (storage);
  g_autoptr(CpStmt) index = NULL;
  g_autoptr(CpStmt) unlink = NULL;
  g_autoptr(CpStmt) link = NULL;
  g_autoptr(CpStmt) ref = NULL;

  index = prepare (self, "INSERT INTO packets (uuid, revision, state, uscc, kind, year, seq, "
                         "stage, evaluator) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (uuid) DO UPDATE SET "
                         "revision = excluded.revision, state = excluded.state, "
                         "uscc = excluded.uscc, kind = excluded.kind, year = excluded.year, "
                         "seq = excluded.seq, stage = excluded.stage, "
                         "evaluator = excluded.evaluator", error);
  if (index == NULL)
    return FALSE;
  bind_text (index, 1, revision->uuid);
  sqlite3_bind_int64 (index, 2, revision->revision);
  bind_text (index, 3, revision->state);
  bind_text (index, 4, revision->uscc);
  bind_text (index, 5, revision->kind);
  sqlite3_bind_int (index, 6, revision->year);
  sqlite3_bind_int64 (index, 7, revision->seq);
  bind_text (index, 8, revision->stage);
  bind_text (index, 9, revision->evaluator);
  if (!step_done (self, index, error))
    return FALSE;

  /* The blobs the body no longer lists go; those it keeps keep who first listed them. The
   * hashes are fixed-length hexadecimal, so a search in their comma-separated list is exact. */
  unlink = prepare (self, "DELETE FROM packet_blobs WHERE uuid = ?1 AND instr (?2, sha256) = 0",
                    error);
  link = prepare (self, "INSERT INTO packet_blobs (uuid, sha256, added_by) VALUES (?, ?, ?) "
                        "ON CONFLICT DO NOTHING", error);
  ref = prepare (self, "INSERT INTO blob_refs (sha256, uuid) VALUES (?, ?) "
                       "ON CONFLICT DO NOTHING", error);
  if (unlink == NULL || link == NULL || ref == NULL)
    return FALSE;
  {
    g_autofree char *listed = revision->blobs != NULL ? g_strjoinv (",", revision->blobs)
                                                      : g_strdup ("");

    bind_text (unlink, 1, revision->uuid);
    bind_text (unlink, 2, listed);
    if (!step_done (self, unlink, error))
      return FALSE;
  }
  for (guint i = 0; revision->blobs != NULL && revision->blobs[i] != NULL; i++)
    {
      sqlite3_reset (link);
      bind_text (link, 1, revision->uuid);
      bind_text (link, 2, revision->blobs[i]);
      bind_text (link, 3, revision->user_name);
      if (!step_done (self, link, error))
        return FALSE;
      sqlite3_reset (ref);
      bind_text (ref, 1, revision->blobs[i]);
      bind_text (ref, 2, revision->uuid);
      if (!step_done (self, ref, error))
        return FALSE;
    }

  return TRUE;
}

/* The changes feed, with the bodies when @max_bytes > 0: then the page stops before the row
 * whose body would take the bodies past @max_bytes (the first row always comes, so that the feed
 * moves on), and *truncated says whether it stopped there. */
static GPtrArray *
read_changes (CpServerStorage     *storage,
              const CpServerUser  *user,
              gint64               since,
              guint                limit,
              gsize                max_bytes,
              gint64              *last_seq,
              gboolean            *truncated,
              GError             **error)
{
  CpServerStorageSqlite *self = SELF (storage);
  gboolean with_bodies = max_bytes > 0;
  gsize bytes = 0;
  g_autoptr(GPtrArray) result = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_revision_free);
  g_autoptr(CpStmt) stmt = NULL;
  g_autoptr(CpStmt) top = NULL;
  g_autofree char *condition = cp_server_storage_visibility_condition (user, 3);
  g_autofree char *sql = NULL;
  CpServerParams p = { 0 };
  int rc;

  /* One read transaction, so that the last sequence number matches the rows. */
  if (!exec (self, "BEGIN", error))
    return NULL;

  top = prepare (self, "SELECT value FROM meta WHERE key = 'change_seq'", error);
  if (top == NULL || sqlite3_step (top) != SQLITE_ROW)
    {
      if (top != NULL)
        set_db_error (self, error, "Could not read the change sequence");
      goto fail;
    }
  *last_seq = sqlite3_column_int64 (top, 0);

  *truncated = FALSE;
  sql = g_strdup_printf ("SELECT " CP_SERVER_REVISION_COLUMNS ", p.seq%s FROM packets p "
                         "JOIN revisions r ON r.uuid = p.uuid AND r.revision = p.revision "
                         "WHERE p.seq > $1 AND %s ORDER BY p.seq LIMIT $2",
                         with_bodies ? ", r.body" : "", condition);
  stmt = prepare (self, sql, error);
  if (stmt == NULL)
    goto fail;
  cp_server_params_int (&p, since);
  cp_server_params_int (&p, limit);
  cp_server_params_text (&p, cp_server_storage_tenant_of (user));
  bind_params (stmt, &p);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (with_bodies)
        {
          gsize size = (gsize) sqlite3_column_bytes (stmt, 14);

          if (result->len > 0 && (size > max_bytes || bytes > max_bytes - size))
            {
              *truncated = TRUE;
              break;
            }
          bytes += size;
        }
      g_ptr_array_add (result, read_revision (stmt, with_bodies));
    }
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      set_db_error (self, error, "Could not list the changes");
      goto fail;
    }
  g_clear_pointer (&stmt, stmt_release);
  g_clear_pointer (&top, stmt_release);
  if (!exec (self, "COMMIT", error))
    goto fail;
  return g_steal_pointer (&result);

fail:
  g_clear_pointer (&stmt, stmt_release);
  g_clear_pointer (&top, stmt_release);
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return NULL;
}

/* --- opening and migrations -------------------------------------------------------------- */

static const CpServerStorageVTable sqlite_vtable = {
  .close = storage_close,
  .query = query,
  .begin = begin,
  .commit = commit,
  .rollback = rollback,
  .begin_write = begin,
  .commit_write = commit,
  .claim_revision = claim_revision,
  .write_packet = write_packet,
  .read_changes = read_changes,
};

static gboolean
migrate (CpServerStorageSqlite  *self,
         GError                **error)
{
  g_autoptr(CpStmt) stmt = NULL;
  int version;

  stmt = prepare (self, "PRAGMA user_version", error);
  if (stmt == NULL)
    return FALSE;
  if (sqlite3_step (stmt) != SQLITE_ROW)
    return set_db_error (self, error, "Could not read the schema version");
  version = sqlite3_column_int (stmt, 0);
  g_clear_pointer (&stmt, stmt_release);

  if (!cp_server_storage_check_schema (version, G_N_ELEMENTS (migrations), error))
    return FALSE;

  for (int i = version; i < (int) G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", i + 1);

      if (!exec (self, "BEGIN IMMEDIATE", error))
        return FALSE;
      if (!exec (self, migrations[i], error) || !exec (self, bump, error))
        {
          sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
          g_prefix_error (error, "Migration to schema version %d failed: ", i + 1);
          return FALSE;
        }
      if (!exec (self, "COMMIT", error))
        return FALSE;
    }
  return TRUE;
}

CpServerStorage *
cp_server_storage_sqlite_open (const char  *path,
                               GError     **error)
{
  CpServerStorageSqlite *self;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  /* The database holds password hashes and every packet: readable by the server's user only,
   * whatever the folder's mode and the umask. SQLite gives the -wal and -shm files the mode of
   * the database file, so making that one first is enough; files of an older server are
   * corrected. */
  {
    int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

    if (fd >= 0)
      {
        fchmod (fd, 0600);
        close (fd);
      }
    for (guint i = 0; i < 2; i++)
      {
        g_autofree char *side = g_strconcat (path, i == 0 ? "-wal" : "-shm", NULL);

        if (g_file_test (side, G_FILE_TEST_EXISTS))
          g_chmod (side, 0600);
      }
  }

  self = g_new0 (CpServerStorageSqlite, 1);
  self->parent.vtable = &sqlite_vtable;
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_FAILED,
                   "Could not open the database %s: %s", path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      if (self->db != NULL)
        sqlite3_close (self->db);
      g_hash_table_unref (self->statements);
      g_free (self);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (!exec (self, "PRAGMA journal_mode = WAL", error) ||
      !exec (self, "PRAGMA synchronous = FULL", error) ||
      !exec (self, "PRAGMA foreign_keys = ON", error) ||
      !exec (self, "PRAGMA temp_store = MEMORY", error) ||
      !migrate (self, error))
    {
      g_prefix_error (error, "%s: ", path);
      g_hash_table_unref (self->statements);
      sqlite3_close (self->db);
      g_free (self);
      return NULL;
    }
  return &self->parent;
}
