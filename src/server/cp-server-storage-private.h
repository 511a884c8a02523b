/* cp-server-storage-private.h — what a storage backend fills in, and what the backends share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cp-server-storage.c holds what is the same for every backend: the public functions, the
 * transaction around a packet write and the loop of a batch, the stamping of a new revision,
 * the changes feed's two forms, the tenant a user's visibility is checked against. A backend
 * (cp-server-storage-sqlite.c, cp-server-storage-pg.c) fills the vtable with its statements,
 * its transactions and its way of checking a base revision and handing out change numbers.
 */
#pragma once

#include "cp-server-storage.h"

G_BEGIN_DECLS

typedef struct
{
  void              (*close)              (CpServerStorage    *self);

  /* One statement each (or one transaction of the backend's), as the public function of the
   * same name in cp-server-storage.h says. */
  gboolean          (*add_user)           (CpServerStorage    *self,
                                           CpServerUser       *user,
                                           GError            **error);
  CpServerUser     *(*find_user)          (CpServerStorage    *self,
                                           const char         *name,
                                           GError            **error);
  gboolean          (*add_session)        (CpServerStorage    *self,
                                           const char         *token_hash,
                                           gint64              user_id,
                                           gint64              expires_at,
                                           GError            **error);
  CpServerUser     *(*find_session)       (CpServerStorage    *self,
                                           const char         *token_hash,
                                           gint64              now,
                                           gint64             *expires_at,
                                           GError            **error);
  gboolean          (*delete_session)     (CpServerStorage    *self,
                                           const char         *token_hash,
                                           GError            **error);
  gboolean          (*add_agency)         (CpServerStorage    *self,
                                           const char         *id,
                                           const char         *name,
                                           GError            **error);
  gboolean          (*assign)             (CpServerStorage    *self,
                                           const char         *uscc,
                                           const char         *agency_id,
                                           GError            **error);
  gboolean          (*add_district)       (CpServerStorage    *self,
                                           const char         *code,
                                           const char         *name,
                                           const char * const *prefixes,
                                           GError            **error);
  GPtrArray        *(*list_districts)     (CpServerStorage    *self,
                                           GError            **error);
  gboolean          (*set_quota)          (CpServerStorage    *self,
                                           const char         *district,
                                           int                 year,
                                           const char         *kind,
                                           int                 quota,
                                           GError            **error);
  GPtrArray        *(*list_quotas)        (CpServerStorage    *self,
                                           int                 year,
                                           GError            **error);
  GPtrArray        *(*count_accepted)     (CpServerStorage    *self,
                                           int                 year,
                                           GError            **error);
  gboolean          (*can_see_uscc)       (CpServerStorage    *self,
                                           const CpServerUser *user,
                                           const char         *uscc,
                                           GError            **error);
  CpServerRevision *(*get_packet)         (CpServerStorage    *self,
                                           const char         *uuid,
                                           GError            **error);
  GPtrArray        *(*list_revisions)     (CpServerStorage    *self,
                                           const char         *uuid,
                                           GError            **error);
  CpServerRevision *(*get_revision)       (CpServerStorage    *self,
                                           const char         *uuid,
                                           gint64              revision,
                                           GError            **error);
  GPtrArray        *(*list_comments)      (CpServerStorage    *self,
                                           const char         *uuid,
                                           GError            **error);
  gboolean          (*add_blob_owner)     (CpServerStorage    *self,
                                           const char         *sha256,
                                           gint64              user_id,
                                           GError            **error);
  gboolean          (*can_see_blob)       (CpServerStorage    *self,
                                           const CpServerUser *user,
                                           const char         *sha256,
                                           GError            **error);
  gboolean          (*blob_is_attached)   (CpServerStorage    *self,
                                           const char         *uuid,
                                           const char         *sha256,
                                           GError            **error);
  gboolean          (*blob_is_referenced) (CpServerStorage    *self,
                                           const char         *sha256,
                                           gboolean           *referenced,
                                           GError            **error);
  gboolean          (*forget_blob)        (CpServerStorage    *self,
                                           const char         *sha256,
                                           GError            **error);

  /* Packet writes: begin_write opens the transaction that serialises them (the write lock);
   * commit_write ends it, and rolls it back when it cannot; rollback abandons it. */
  gboolean          (*begin_write)        (CpServerStorage    *self,
                                           GError            **error);
  gboolean          (*commit_write)       (CpServerStorage    *self,
                                           GError            **error);
  void              (*rollback)           (CpServerStorage    *self);
  /* Inside the write transaction: checks that @revision's packet is at @expected and takes the
   * next change sequence number (*seq), or fails with STALE having changed nothing. Then
   * write_revision writes the stamped @revision (and @comments) that claim_revision let
   * through: whatever of its row, the packet's index row and the blobs it lists
   * claim_revision did not write. */
  gboolean          (*claim_revision)     (CpServerStorage    *self,
                                           CpServerRevision   *revision,
                                           gint64              expected,
                                           gint64             *seq,
                                           GError            **error);
  gboolean          (*write_revision)     (CpServerStorage    *self,
                                           CpServerRevision   *revision,
                                           GPtrArray          *comments,
                                           GError            **error);

  /* The changes feed, with each revision's body when @max_bytes > 0 (see
   * cp_server_storage_list_changes_with_bodies()); *last_seq and the rows in one snapshot. */
  GPtrArray        *(*read_changes)       (CpServerStorage    *self,
                                           const CpServerUser *user,
                                           gint64              since,
                                           guint               limit,
                                           gsize               max_bytes,
                                           gint64             *last_seq,
                                           gboolean           *truncated,
                                           GError            **error);
} CpServerStorageVTable;

struct _CpServerStorage
{
  const CpServerStorageVTable *vtable;
};

/* The columns both backends read a user and a revision by, in this order. */
#define CP_SERVER_USER_COLUMNS \
  "u.id, u.name, u.role, u.district, u.uscc, u.agency, u.password_hash"
#define CP_SERVER_REVISION_COLUMNS \
  "r.uuid, r.revision, r.base, r.action, r.state, r.uscc, r.kind, r.year, r.sha256, " \
  "r.user_name, r.created_at"

/* Whoever first listed the blob in packet "b" (packet_blobs) uploaded it. A user may read a
 * blob they uploaded, or one that a packet they can see lists *and* that was listed there by
 * someone who uploaded it. Listing a hash in one's own packet grants nothing, and nor does a
 * later writer of that packet who holds the bytes (an agency of two enterprises): otherwise
 * knowing a hash would be enough to download another tenant's file. */
#define CP_SERVER_LISTED_BY_UPLOADER \
  "EXISTS (SELECT 1 FROM blob_owners o JOIN users u ON u.id = o.user_id " \
  "        WHERE o.sha256 = b.sha256 AND u.name = b.added_by)"

/* The value a user's visibility condition compares packets with: the enterprise's credit
 * code, the agency's id, the office's district ("" when the user has none), NULL for admins. */
const char *cp_server_storage_tenant_of (const CpServerUser *user);

/* The STALE error of a write on top of @expected to a packet at @current. */
gboolean    cp_server_storage_set_stale (GError            **error,
                                         gint64              current,
                                         gint64              expected);

G_END_DECLS
