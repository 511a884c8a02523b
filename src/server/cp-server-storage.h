/* cp-server-storage.h — the server's storage, behind one interface
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two backends, SQLite and PostgreSQL, behind one set of functions; each backend fills the
 * CpServerStorageVTable of cp-server-storage-private.h with what it does its own way. Each
 * operation is atomic on its own: put_revision() checks the expected base revision and writes
 * the new revision in one transaction, so several server processes can share one database.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CP_SERVER_STORAGE_ERROR (cp_server_storage_error_quark ())

typedef enum
{
  CP_SERVER_STORAGE_ERROR_FAILED,     /* the database failed (I/O, corruption) */
  CP_SERVER_STORAGE_ERROR_NOT_FOUND,  /* no such user, agency, district, packet, revision */
  CP_SERVER_STORAGE_ERROR_EXISTS,     /* the name or id is already taken */
  CP_SERVER_STORAGE_ERROR_STALE,      /* the packet moved on: the base revision is not current */
  CP_SERVER_STORAGE_ERROR_INVALID,    /* a value the schema refuses */
} CpServerStorageError;

GQuark cp_server_storage_error_quark (void);

typedef enum
{
  CP_SERVER_ROLE_ADMIN,
  CP_SERVER_ROLE_OFFICE,
  CP_SERVER_ROLE_AGENCY,
  CP_SERVER_ROLE_ENTERPRISE,
} CpServerRole;

const char *cp_server_role_to_string   (CpServerRole  role);
gboolean    cp_server_role_from_string (const char   *text,
                                        CpServerRole *role);

typedef struct
{
  gint64        id;
  char         *name;
  CpServerRole  role;
  char         *district;       /* office users: the district code */
  char         *uscc;           /* enterprise users: their credit code */
  char         *agency;         /* agency users: the agency id */
  char         *agency_name;    /* agency users: the agency's name, its credit code or NULL */
  char         *agency_uscc;
  char         *password_hash;  /* crypto_pwhash_str() output */
} CpServerUser;

CpServerUser *cp_server_user_copy (const CpServerUser *user);
void          cp_server_user_free (CpServerUser       *user);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpServerUser, cp_server_user_free)

typedef struct
{
  char  *code;
  char  *name;
  GStrv  prefixes;  /* division-code prefixes (positions 3-8 of a USCC) the district covers */
} CpServerDistrict;

void cp_server_district_free (CpServerDistrict *district);

typedef struct
{
  char *id;
  char *name;
} CpServerAgency;

void cp_server_agency_free (CpServerAgency *agency);

/* One revision of a packet (and, for the current one, the packet's index entry). */
typedef struct
{
  char   *uuid;
  gint64  revision;
  gint64  base;        /* the revision this one was written on top of (0 for the first) */
  char   *action;      /* "put", "submit", "return", "accept" */
  char   *state;       /* the packet state after this revision */
  char   *uscc;
  char   *kind;
  int     year;
  char   *sha256;      /* of the canonical body */
  char   *user_name;   /* who wrote it */
  gint64  created_at;  /* microseconds since the epoch, UTC */
  gint64  seq;         /* change sequence number (the changes feed cursor) */
  GBytes *body;        /* the canonical packet JSON; NULL in listings */
  GStrv   blobs;       /* on write: the attachment hashes the body names (user_name wrote
                        * them: the packet records who first listed each) */
  char   *stage;       /* the workflow state after this revision (docs/templates.md); NULL for
                        * a kind without a workflow and for revisions written before schema 3,
                        * which are in the state their packet state maps to */
  char   *evaluator;   /* the evaluating agency's id, once the city office assigned one */
  GPtrArray *signed_parts;    /* on write, nullable: pointers of the signatures and stamps this
                               * revision records or changes (user_name made them) */
  GPtrArray *unsigned_parts;  /* on write, nullable: pointers of those it removes */
} CpServerRevision;

void cp_server_revision_free (CpServerRevision *revision);

/* Who recorded a signature or stamp of a packet (docs/api.md): the server's record, from the
 * session of the write that made or last changed it. */
typedef struct
{
  char   *pointer;      /* /sections/S/F or /sections/S/G/I/M */
  gint64  revision;
  char   *recorded_by;
  gint64  recorded_at;  /* microseconds since the epoch, UTC */
} CpServerSignature;

void cp_server_signature_free (CpServerSignature *signature);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpServerRevision, cp_server_revision_free)

typedef struct
{
  gint64  id;
  gint64  revision;
  char   *section;  /* nullable */
  char   *field;    /* nullable */
  char   *text;
  char   *author;
  gint64  created_at;
} CpServerComment;

void cp_server_comment_free (CpServerComment *comment);

typedef struct
{
  char *district;
  char *kind;
  int   year;
  int   count;  /* the quota, or the number of accepted packets */
} CpServerCount;

void cp_server_count_free (CpServerCount *count);

/* One write of a batch: the revision to write on top of @expected, and what happened to it. */
typedef struct
{
  CpServerRevision *revision;
  gint64            expected;
  GPtrArray        *comments;  /* nullable, CpServerComment * */
  GError           *error;     /* set when this write failed (STALE, ...) */
} CpServerWrite;

/* A storage: one of the backends of cp-server-storage-private.h behind the functions below. */
typedef struct _CpServerStorage CpServerStorage;

/* Users and sessions. */
gboolean          cp_server_storage_add_user           (CpServerStorage    *self,
                                                        CpServerUser       *user,
                                                        GError            **error);
CpServerUser     *cp_server_storage_find_user          (CpServerStorage    *self,
                                                        const char         *name,
                                                        GError            **error);
gboolean          cp_server_storage_add_session        (CpServerStorage    *self,
                                                        const char         *token_hash,
                                                        gint64              user_id,
                                                        gint64              expires_at,
                                                        GError            **error);
CpServerUser     *cp_server_storage_find_session       (CpServerStorage    *self,
                                                        const char         *token_hash,
                                                        gint64              now,
                                                        gint64             *expires_at,
                                                        GError            **error);
gboolean          cp_server_storage_delete_session     (CpServerStorage    *self,
                                                        const char         *token_hash,
                                                        GError            **error);

/* Agencies, assignments, districts, quotas. */
/* @uscc: the agency's own credit code, or NULL. */
gboolean          cp_server_storage_add_agency         (CpServerStorage    *self,
                                                        const char         *id,
                                                        const char         *name,
                                                        const char         *uscc,
                                                        GError            **error);
/* FALSE with NOT_FOUND when no agency has the id @id. */
gboolean          cp_server_storage_set_agency_uscc    (CpServerStorage    *self,
                                                        const char         *id,
                                                        const char         *uscc,
                                                        GError            **error);
gboolean          cp_server_storage_assign             (CpServerStorage    *self,
                                                        const char         *uscc,
                                                        const char         *agency_id,
                                                        GError            **error);
/* FALSE with NOT_FOUND when no agency has the id @id. */
gboolean          cp_server_storage_agency_exists      (CpServerStorage    *self,
                                                        const char         *id,
                                                        GError            **error);
/* Whether agency @agency_id may evaluate packet @uuid (of @kind and @year, enterprise @uscc):
 * *conflict is "coaching-agency" when it coaches the enterprise (an assignment), with
 * @independent "active-this-year" when it coaches the enterprise of another packet of @year or
 * evaluates one of another kind (seed 000 二(四)2), else NULL. FALSE on a database failure. */
gboolean          cp_server_storage_evaluator_conflict (CpServerStorage    *self,
                                                        const char         *agency_id,
                                                        const char         *uuid,
                                                        const char         *uscc,
                                                        const char         *kind,
                                                        int                 year,
                                                        gboolean            independent,
                                                        const char        **conflict,
                                                        GError            **error);
gboolean          cp_server_storage_add_district       (CpServerStorage    *self,
                                                        const char         *code,
                                                        const char         *name,
                                                        const char * const *prefixes,
                                                        GError            **error);
GPtrArray        *cp_server_storage_list_districts     (CpServerStorage    *self,
                                                        GError            **error);
/* Every agency (element type CpServerAgency *), by id. */
GPtrArray        *cp_server_storage_list_agencies      (CpServerStorage    *self,
                                                        GError            **error);
gboolean          cp_server_storage_set_quota          (CpServerStorage    *self,
                                                        const char         *district,
                                                        int                 year,
                                                        const char         *kind,
                                                        int                 quota,
                                                        GError            **error);
/* CpServerCount *: quotas of @year. */
GPtrArray        *cp_server_storage_list_quotas        (CpServerStorage    *self,
                                                        int                 year,
                                                        GError            **error);
/* CpServerCount *: accepted packets of @year per district and kind. */
GPtrArray        *cp_server_storage_count_accepted     (CpServerStorage    *self,
                                                        int                 year,
                                                        GError            **error);

/* Tenancy: may @user see a packet whose cover names @uscc? (An agency sees besides the packets
 * whose evaluator it is, and only those of their enterprise: the packet's own evaluator column
 * decides that, in the changes feed and blob reads here and in cp-server-packets.c.) */
gboolean          cp_server_storage_can_see_uscc       (CpServerStorage    *self,
                                                        const CpServerUser *user,
                                                        const char         *uscc,
                                                        GError            **error);

/* Whether a packet in @state is one @user may see beside its tenancy: an office sees a packet
 * only once it is handed in (not "draft" or "ready"), as cp_server_storage_visibility_condition()
 * says in SQL. */
gboolean          cp_server_storage_is_handed_in       (const CpServerUser *user,
                                                        const char         *state);

/* Packets. get_packet returns the current revision with its body, or NULL (and a NOT_FOUND
 * error). put_revision writes @revision on top of @expected (0: the packet must not exist);
 * it sets revision->revision, ->base, ->seq and ->created_at, and the revision, creation time
 * and author of each of @comments. STALE when the packet moved. */
CpServerRevision *cp_server_storage_get_packet         (CpServerStorage    *self,
                                                        const char         *uuid,
                                                        GError            **error);
gboolean          cp_server_storage_put_revision       (CpServerStorage    *self,
                                                        CpServerRevision   *revision,
                                                        gint64              expected,
                                                        GPtrArray          *comments,
                                                        GError            **error);
/* Group commit: every write of @writes in one transaction (one sync). A stale write fails
 * alone (its ->error is set) and the others land; any other failure writes nothing and
 * returns FALSE. */
gboolean          cp_server_storage_write_batch        (CpServerStorage    *self,
                                                        GPtrArray          *writes,
                                                        GError            **error);
GPtrArray        *cp_server_storage_list_revisions     (CpServerStorage    *self,
                                                        const char         *uuid,
                                                        GError            **error);
CpServerRevision *cp_server_storage_get_revision       (CpServerStorage    *self,
                                                        const char         *uuid,
                                                        gint64              revision,
                                                        GError            **error);
/* CpServerSignature *, by pointer. */
GPtrArray        *cp_server_storage_list_signatures    (CpServerStorage    *self,
                                                        const char         *uuid,
                                                        GError            **error);
GPtrArray        *cp_server_storage_list_comments      (CpServerStorage    *self,
                                                        const char         *uuid,
                                                        GError            **error);
/* Current revisions (without bodies) visible to @user with seq > @since, by seq, at most
 * @limit; *last_seq is the highest seq in the whole database. */
GPtrArray        *cp_server_storage_list_changes       (CpServerStorage    *self,
                                                        const CpServerUser *user,
                                                        gint64              since,
                                                        guint               limit,
                                                        gint64             *last_seq,
                                                        GError            **error);
/* The same with each revision's body, in one read: the page ends early (*truncated) before
 * the row whose body would take the bodies past @max_bytes (> 0); the first row always
 * comes. */
GPtrArray        *cp_server_storage_list_changes_with_bodies (CpServerStorage    *self,
                                                              const CpServerUser *user,
                                                              gint64              since,
                                                              guint               limit,
                                                              gsize               max_bytes,
                                                              gint64             *last_seq,
                                                              gboolean           *truncated,
                                                              GError            **error);

/* Blobs: who uploaded what, and whether @user may read a blob: one they uploaded, or one
 * attached to a packet they can see by a user who uploaded it. A packet remembers who first
 * listed each of its blobs (put_revision keeps that across revisions), so that listing a hash
 * one never uploaded grants nothing, whoever writes the packet later. FALSE with NOT_FOUND when
 * the user may not. */
gboolean          cp_server_storage_add_blob_owner     (CpServerStorage    *self,
                                                        const char         *sha256,
                                                        gint64              user_id,
                                                        GError            **error);
gboolean          cp_server_storage_can_see_blob       (CpServerStorage    *self,
                                                        const CpServerUser *user,
                                                        const char         *sha256,
                                                        GError            **error);
/* Whether the current revision of packet @uuid lists @sha256 and whoever first listed it
 * there uploaded it (what a submission needs). FALSE with NOT_FOUND otherwise. */
gboolean          cp_server_storage_blob_is_attached   (CpServerStorage    *self,
                                                        const char         *uuid,
                                                        const char         *sha256,
                                                        GError            **error);
/* Garbage collection: whether any revision ever written listed @sha256, and forgetting who
 * uploaded a blob whose file is gone. */
gboolean          cp_server_storage_blob_is_referenced (CpServerStorage    *self,
                                                        const char         *sha256,
                                                        gboolean           *referenced,
                                                        GError            **error);
gboolean          cp_server_storage_forget_blob        (CpServerStorage    *self,
                                                        const char         *sha256,
                                                        GError            **error);

/* Opens (creating and migrating when needed) the SQLite database at @path. */
CpServerStorage *cp_server_storage_sqlite_open (const char  *path,
                                                GError     **error);
/* Opens (creating and migrating when needed) the PostgreSQL database that @conninfo names (a
 * postgresql:// URL or libpq's key=value form). Only in builds with CP_SERVER_HAVE_POSTGRES. */
CpServerStorage *cp_server_storage_pg_open     (const char  *conninfo,
                                                GError     **error);
/* The server's choice: PostgreSQL when @database is a postgresql:// URL or a key=value
 * connection string, else SQLite in @data_dir/server.sqlite (@database NULL or empty). */
CpServerStorage *cp_server_storage_open        (const char  *database,
                                                const char  *data_dir,
                                                GError     **error);
gboolean         cp_server_storage_is_postgres (const char  *database);
void             cp_server_storage_close       (CpServerStorage *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpServerStorage, cp_server_storage_close)

/* Fills an empty database with the shipped districts and quotas (data/server/quotas-*.json). */
gboolean         cp_server_storage_seed_defaults (CpServerStorage  *self,
                                                  GError          **error);
/* Imports districts and quotas from a JSON file in the format of data/server/quotas-2020.json. */
gboolean         cp_server_storage_import_quotas (CpServerStorage  *self,
                                                  const char       *data,
                                                  gsize             length,
                                                  GError          **error);

G_END_DECLS
