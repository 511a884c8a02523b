/* cp-server-storage-private.h — what a storage backend fills in, and what the backends share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cp-server-storage.c holds what is the same for every backend: every statement both can run
 * as it is (in the SQL they share: $n parameters, CAST for types, ON CONFLICT, RETURNING), the
 * transaction around a packet write and the loop of a batch, the stamping of a new revision,
 * the changes feed's two forms, who may see what. A backend (cp-server-storage-sqlite.c,
 * cp-server-storage-pg.c) fills the vtable with how it runs a statement and a transaction, and
 * with what it does its own way: the base-revision check and the change numbers, a packet's
 * index row and blob listing, the change read.
 */
#pragma once

#include "cp-server-storage.h"

G_BEGIN_DECLS

/* The SQL both backends read: parameters are $1 … $n; values are text, whole numbers or bytes. */
#define CP_SERVER_MAX_PARAMS 16

typedef enum
{
  CP_SERVER_VALUE_NULL,
  CP_SERVER_VALUE_INT,
  CP_SERVER_VALUE_TEXT,
  CP_SERVER_VALUE_BYTES,
} CpServerValueType;

/* A parameter (its text and bytes are borrowed) or a cell of a result (they are owned). */
typedef struct
{
  CpServerValueType  type;
  gint64             number;
  char              *text;
  GBytes            *bytes;
} CpServerValue;

typedef struct
{
  guint         n;
  CpServerValue values[CP_SERVER_MAX_PARAMS];
} CpServerParams;

void cp_server_params_text  (CpServerParams *params,
                             const char     *text);  /* NULL: SQL NULL */
void cp_server_params_int   (CpServerParams *params,
                             gint64          value);
void cp_server_params_bytes (CpServerParams *params,
                             GBytes         *bytes);

/* What a statement returned, read whole: n_rows × n_columns cells, row by row. */
typedef struct
{
  guint   n_columns;
  guint   n_rows;
  GArray *cells;  /* CpServerValue */
} CpServerRows;

CpServerRows  *cp_server_rows_new      (guint               n_columns);
/* Adds a row of NULL cells and returns its first cell, for the backend to fill. */
CpServerValue *cp_server_rows_add      (CpServerRows       *rows);
void           cp_server_rows_free     (CpServerRows       *rows);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpServerRows, cp_server_rows_free)
gint64         cp_server_rows_get_int  (const CpServerRows *rows,
                                        guint               row,
                                        guint               column);
/* NULL for SQL NULL. */
const char    *cp_server_rows_get_text (const CpServerRows *rows,
                                        guint               row,
                                        guint               column);
GBytes        *cp_server_rows_get_bytes (const CpServerRows *rows,
                                         guint               row,
                                         guint               column);

typedef struct
{
  void              (*close)              (CpServerStorage       *self);

  /* Runs one statement of the shared SQL outside a transaction or inside begin()'s, and
   * returns its rows (none for most writes). On failure sets @error (EXISTS for a taken key,
   * INVALID for a value the schema refuses) and self->reference_failed when the statement broke
   * a foreign key. */
  CpServerRows     *(*query)              (CpServerStorage       *self,
                                           const char            *sql,
                                           const CpServerParams  *params,
                                           GError               **error);
  /* A transaction of several statements; commit rolls it back when it cannot commit. */
  gboolean          (*begin)              (CpServerStorage       *self,
                                           GError               **error);
  gboolean          (*commit)             (CpServerStorage       *self,
                                           GError               **error);
  void              (*rollback)           (CpServerStorage       *self);

  /* Packet writes: begin_write opens the transaction that serialises them (the write lock);
   * commit_write ends it, and rolls it back when it cannot; rollback abandons it. */
  gboolean          (*begin_write)        (CpServerStorage       *self,
                                           GError               **error);
  gboolean          (*commit_write)       (CpServerStorage       *self,
                                           GError               **error);
  /* Inside the write transaction: checks that @revision's packet is at @expected and takes the
   * next change sequence number (*seq), or fails with STALE having changed nothing. Once the
   * revision is stamped and its row written, write_packet writes what else the packet needs:
   * its index row, unless claim_revision wrote it, and the blobs @revision lists (those it no
   * longer lists go, the others keep who first listed them). */
  gboolean          (*claim_revision)     (CpServerStorage       *self,
                                           CpServerRevision      *revision,
                                           gint64                 expected,
                                           gint64                *seq,
                                           GError               **error);
  gboolean          (*write_packet)       (CpServerStorage       *self,
                                           CpServerRevision      *revision,
                                           GError               **error);

  /* The changes feed, with each revision's body when @max_bytes > 0 (see
   * cp_server_storage_list_changes_with_bodies()); *last_seq and the rows in one snapshot. */
  GPtrArray        *(*read_changes)       (CpServerStorage       *self,
                                           const CpServerUser    *user,
                                           gint64                 since,
                                           guint                  limit,
                                           gsize                  max_bytes,
                                           gint64                *last_seq,
                                           gboolean              *truncated,
                                           GError               **error);
} CpServerStorageVTable;

struct _CpServerStorage
{
  const CpServerStorageVTable *vtable;
  gboolean                     reference_failed;  /* see query */
};

/* The columns both backends read a user and a revision by, in this order. */
#define CP_SERVER_USER_COLUMNS \
  "u.id, u.name, u.role, u.district, u.uscc, u.agency, u.password_hash, ag.name, ag.uscc"
/* Joined to every query that reads CP_SERVER_USER_COLUMNS. */
#define CP_SERVER_USER_AGENCY_JOIN " LEFT JOIN agencies ag ON ag.id = u.agency "
#define CP_SERVER_REVISION_COLUMNS \
  "r.uuid, r.revision, r.base, r.action, r.state, r.uscc, r.kind, r.year, r.sha256, " \
  "r.user_name, r.created_at, r.stage, r.evaluator"

/* Whoever first listed the blob in packet "b" (packet_blobs) uploaded it. A user may read a
 * blob they uploaded, or one that a packet they can see lists *and* that was listed there by
 * someone who uploaded it. Listing a hash in one's own packet grants nothing, and nor does a
 * later writer of that packet who holds the bytes (an agency of two enterprises): otherwise
 * knowing a hash would be enough to download another tenant's file. */
#define CP_SERVER_LISTED_BY_UPLOADER \
  "EXISTS (SELECT 1 FROM blob_owners o JOIN users u ON u.id = o.user_id " \
  "        WHERE o.sha256 = b.sha256 AND u.name = b.added_by)"

/* A condition on the packets row aliased "p": whether @user may see it (its tenancy, and for an
 * office, that it is handed in), with the user's tenant as parameter $@param (text; see
 * cp_server_storage_tenant_of()). */
char       *cp_server_storage_visibility_condition (const CpServerUser *user,
                                                    int                 param);
/* Reads CP_SERVER_REVISION_COLUMNS of @row from @column on, then the seq, then (@with_body) the
 * body. */
CpServerRevision *cp_server_storage_read_revision (const CpServerRows *rows,
                                                   guint               row,
                                                   guint               column,
                                                   gboolean            with_body);

/* The value a user's visibility condition compares packets with: the enterprise's credit
 * code, the agency's id, the office's district ("" when the user has none), NULL for admins. */
const char *cp_server_storage_tenant_of (const CpServerUser *user);

/* Refuses a database at schema @version when the backend knows @known migrations. */
gboolean    cp_server_storage_check_schema (int      version,
                                            guint    known,
                                            GError **error);

/* The STALE error of a write on top of @expected to a packet at @current. */
gboolean    cp_server_storage_set_stale (GError            **error,
                                         gint64              current,
                                         gint64              expected);

G_END_DECLS
