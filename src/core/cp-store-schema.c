/* cp-store-schema.c — the local store's schema: its migrations, and the check of an existing file
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

/* 'CPKT': marks the database as ours, so that another program's SQLite file is never migrated. */
#define CP_STORE_APPLICATION_ID 0x43504b54

/* Ordered migration steps: step N takes a database from schema N-1 to schema N. Each runs in
 * its own transaction together with the user_version update. Never edit a released step; add
 * a new one. */
static const char * const migrations[CP_STORE_SCHEMA_VERSION] = {
  /* 1: packets and their saved revisions. */
  "PRAGMA application_id = 1129335636;"
  "CREATE TABLE packets ("
  "  uuid TEXT PRIMARY KEY NOT NULL,"
  "  kind TEXT NOT NULL,"
  "  year INTEGER NOT NULL,"
  "  state TEXT NOT NULL,"
  "  enterprise_name TEXT,"
  "  uscc TEXT,"
  "  created INTEGER NOT NULL,"
  "  modified INTEGER NOT NULL,"
  "  revision INTEGER NOT NULL,"
  "  body TEXT NOT NULL,"
  "  deleted_at INTEGER"
  ");"
  "CREATE INDEX packets_by_modified ON packets (modified DESC) WHERE deleted_at IS NULL;"
  "CREATE TABLE revisions ("
  "  uuid TEXT NOT NULL REFERENCES packets (uuid) ON DELETE CASCADE,"
  "  revision INTEGER NOT NULL,"
  "  saved_at INTEGER NOT NULL,"
  "  body TEXT NOT NULL,"
  "  PRIMARY KEY (uuid, revision)"
  ") WITHOUT ROWID;",

  /* 2: the field-edit journal, the sync bookkeeping and a covering index for the list. */
  "ALTER TABLE packets ADD COLUMN sync_state TEXT NOT NULL DEFAULT 'pending'"
  "  CHECK (sync_state IN ('pending', 'synced', 'conflict', 'quarantined'));"
  "ALTER TABLE packets ADD COLUMN server_revision TEXT;"
  "ALTER TABLE packets ADD COLUMN base_body TEXT;"
  "CREATE TABLE edits ("
  "  uuid TEXT NOT NULL REFERENCES packets (uuid) ON DELETE CASCADE,"
  "  seq INTEGER NOT NULL,"
  "  op TEXT NOT NULL CHECK (op IN ('value', 'score', 'score-note')),"
  "  section TEXT,"
  "  field TEXT NOT NULL,"
  "  value TEXT,"
  "  at INTEGER NOT NULL,"
  "  PRIMARY KEY (uuid, seq)"
  ") WITHOUT ROWID;"
  /* The list reads only this index (a covering index), never the rows with their bodies. */
  "DROP INDEX packets_by_modified;"
  "CREATE INDEX packets_list ON packets (modified DESC, uuid, kind, year, state,"
  "  enterprise_name, uscc, sync_state, deleted_at) WHERE deleted_at IS NULL;",

  /* 3: where the packet stands in its workflow, as the server last said (issue 11): the list
   * shows the stage and the party, so they join its covering index. */
  "ALTER TABLE packets ADD COLUMN stage TEXT;"
  "ALTER TABLE packets ADD COLUMN party TEXT;"
  "ALTER TABLE packets ADD COLUMN evaluator TEXT;"
  "DROP INDEX packets_list;"
  "CREATE INDEX packets_list ON packets (modified DESC, uuid, kind, year, state,"
  "  enterprise_name, uscc, sync_state, deleted_at, stage, party) WHERE deleted_at IS NULL;",
};

/* Looks at an existing database without writing anything: not even the journal mode is
 * touched, and the connection is read-only, so the file stays byte-for-byte the same when it
 * is refused. */
gboolean
cp_store_check_existing_database (const char  *path,
                                  GError     **error)
{
  static const char magic[16] = "SQLite format 3";
  g_autoptr(GError) local_error = NULL;
  g_autofree char *wal_path = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char header[100];
  gint64 user_version = 0;
  gint64 application_id = 0;
  gint64 n_objects = 0;
  GStatBuf st;
  ssize_t n_read;
  int fd;
  int rc;

  if (g_stat (path, &st) != 0)
    {
      if (errno == ENOENT)
        return TRUE;

      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IO,
                   _("The packet database “%s” cannot be read (%s). "
                     "Check its permissions, then try again."),
                   path, g_strerror (errno));
      return FALSE;
    }

  /* SQLite treats an empty file as an empty database. */
  if (st.st_size == 0)
    return TRUE;

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IO,
                   _("The packet database “%s” cannot be read (%s). "
                     "Check its permissions, then try again."),
                   path, g_strerror (errno));
      return FALSE;
    }

  do
    n_read = read (fd, header, sizeof header);
  while (n_read < 0 && errno == EINTR);
  close (fd);

  if (n_read != sizeof header || memcmp (header, magic, sizeof magic) != 0)
    goto not_ours;

  /* Without a WAL file the main file is complete: open it immutable, which creates no -wal
   * or -shm file beside it. With one, a read-only connection reads the WAL too. */
  wal_path = g_strconcat (path, "-wal", NULL);
  if (g_file_test (wal_path, G_FILE_TEST_EXISTS))
    {
      rc = sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL);
    }
  else
    {
      g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);
      g_autofree char *uri = g_strconcat ("file:", escaped, "?immutable=1", NULL);

      rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
    }
  if (rc != SQLITE_OK)
    goto sqlite_failed;

  sqlite3_busy_timeout (db, CP_STORE_BUSY_TIMEOUT_MS);

  rc = sqlite3_prepare_v2 (db,
                           "SELECT (SELECT user_version FROM pragma_user_version),"
                           " (SELECT application_id FROM pragma_application_id),"
                           " (SELECT COUNT (*) FROM sqlite_schema)",
                           -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    goto sqlite_failed;

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    goto sqlite_failed;

  user_version = sqlite3_column_int64 (stmt, 0);
  application_id = sqlite3_column_int64 (stmt, 1);
  n_objects = sqlite3_column_int64 (stmt, 2);
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  if (application_id != CP_STORE_APPLICATION_ID && (application_id != 0 || n_objects > 0))
    goto not_ours;

  if (user_version > CP_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NEWER_SCHEMA,
                   _("This database was written by a newer version of Credit Packet "
                     "(schema %d; this version reads up to %d). Update the application; "
                     "the database has not been changed."),
                   (int) user_version, CP_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;

sqlite_failed:
  cp_store_set_sqlite_error (&local_error, db, rc, path);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (g_error_matches (local_error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT))
    goto not_ours;
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;

not_ours:
  g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CORRUPT,
               _("The file “%s” is not a Credit Packet database, or it is damaged. "
                 "Move it away or restore it from a backup; the file has not been changed."),
               path);
  return FALSE;
}

static gboolean
query_int (CpStore     *self,
           const char  *sql,
           gint64      *value,
           GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      cp_store_set_sqlite_error (error, self->db, rc, self->db_path);
      sqlite3_finalize (stmt);
      return FALSE;
    }

  *value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return TRUE;
}

gboolean
cp_store_migrate (CpStore  *self,
                  GError  **error)
{
  for (;;)
    {
      g_autofree char *set_version = NULL;
      gint64 version;

      if (!cp_store_exec_sql (self, "BEGIN IMMEDIATE", error))
        return FALSE;

      /* Read again inside the write transaction: another process may have migrated. */
      if (!query_int (self, "PRAGMA user_version", &version, error))
        {
          cp_store_rollback (self);
          return FALSE;
        }

      if (version == CP_STORE_SCHEMA_VERSION)
        return cp_store_commit (self, error);

      if (version > CP_STORE_SCHEMA_VERSION || version < 0)
        {
          cp_store_rollback (self);
          g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NEWER_SCHEMA,
                       _("This database was written by a newer version of Credit Packet "
                         "(schema %d; this version reads up to %d). Update the application; "
                         "the database has not been changed."),
                       (int) version, CP_STORE_SCHEMA_VERSION);
          return FALSE;
        }

      set_version = g_strdup_printf ("PRAGMA user_version = %d", (int) version + 1);
      if (!cp_store_exec_sql (self, migrations[version], error) ||
          !cp_store_exec_sql (self, set_version, error) ||
          !cp_store_commit (self, error))
        {
          cp_store_rollback (self);
          g_prefix_error (error, _("The packet database could not be updated to schema %d: "),
                          (int) version + 1);
          return FALSE;
        }

      g_debug ("Migrated %s to schema %d", self->db_path, (int) version + 1);
    }
}
