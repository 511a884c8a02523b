/* cp-store-private.h — what the parts of CpStore share: cp-store.c (the packet API),
 * cp-store-schema.c (the schema and its migrations) and cp-store-blobs.c (the attachments)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "cp-store.h"

G_BEGIN_DECLS

#define CP_STORE_BUSY_TIMEOUT_MS 10000

typedef enum
{
  STMT_BEGIN,
  STMT_BEGIN_READ,
  STMT_COMMIT,
  STMT_ROLLBACK,
  STMT_TOUCH,
  STMT_INSERT_EDIT,
  STMT_SELECT_CURRENT,
  STMT_SELECT_EDITS,
  STMT_UPSERT_PACKET,
  STMT_INSERT_REVISION,
  STMT_DELETE_EDITS,
  STMT_LIST,
  STMT_LIST_REVISIONS,
  STMT_SELECT_REVISION,
  STMT_DELETE,
  STMT_UNDELETE,
  STMT_SELECT_PURGEABLE,
  STMT_PURGE,
  STMT_COUNT_EDITS,
  STMT_GET_SYNC,
  STMT_SET_SYNC,
  STMT_VERSION,
  STMT_LIST_DELETED,
  STMT_SELECT_STATE,
  STMT_RESCUE,
  STMT_GET_PLACE,
  STMT_SET_PLACE,
  N_STMTS
} StmtId;

struct _CpStore
{
  GObject       parent_instance;

  char         *directory;
  char         *db_path;
  char         *blob_dir;
  GMainContext *context;

  GMutex        lock;
  sqlite3      *db;
  sqlite3_stmt *stmts[N_STMTS];
};

/* cp-store.c. Maps an SQLite result code to a CP_STORE_ERROR with a message that says what to
 * do; with the lock held when @db is the store's connection (errmsg is per connection). */
gboolean cp_store_set_sqlite_error        (GError     **error,
                                           sqlite3     *db,
                                           int          rc,
                                           const char  *path);
gboolean cp_store_exec_sql                (CpStore     *self,
                                           const char  *sql,
                                           GError     **error);
/* Commits, or rolls back when the commit fails. */
gboolean cp_store_commit                  (CpStore     *self,
                                           GError     **error);
void     cp_store_rollback                (CpStore     *self);

/* cp-store-schema.c. Looks at an existing database without writing anything (a refused file
 * stays byte-for-byte the same); then runs the migration steps the database lacks, one
 * transaction each. */
gboolean cp_store_check_existing_database (const char  *path,
                                           GError     **error);
gboolean cp_store_migrate                 (CpStore     *self,
                                           GError     **error);

/* cp-store-blobs.c. Removes temporary blob files left behind by a crash (older than a day, so
 * that another process's copy in progress is left alone). */
void     cp_store_clean_blob_dir          (CpStore     *self);

G_END_DECLS
