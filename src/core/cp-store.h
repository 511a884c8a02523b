/* cp-store.h — the client's local store: packets in SQLite, attachments as files
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cp-packet.h"
#include "cp-role.h"

G_BEGIN_DECLS

/* The layout, the durability guarantees and the migration policy are described in
 * docs/store.md. */

#define CP_STORE_ERROR (cp_store_error_quark ())

typedef enum
{
  CP_STORE_ERROR_FAILED,        /* an SQLite error not covered below */
  CP_STORE_ERROR_IO,            /* a file could not be read, written or synced */
  CP_STORE_ERROR_NO_SPACE,      /* the disk is full */
  CP_STORE_ERROR_READ_ONLY,     /* the database or the folder cannot be written */
  CP_STORE_ERROR_BUSY,          /* another program holds the database locked for too long */
  CP_STORE_ERROR_CORRUPT,       /* the file is not a Credit Packet database, or is damaged */
  CP_STORE_ERROR_NEWER_SCHEMA,  /* written by a newer version of the application */
  CP_STORE_ERROR_NOT_FOUND,     /* no such packet, revision or attachment */
  CP_STORE_ERROR_INVALID,       /* a bad argument: not a UUID, not a SHA-256, bad packet data */
  CP_STORE_ERROR_BLOB_MISMATCH, /* an attachment file no longer has the content its name says */
  CP_STORE_ERROR_CHANGED,       /* a conditional write found the packet changed since it was read */
  CP_STORE_ERROR_IN_WORKFLOW,   /* submitted, returned or accepted: the server holds it */
} CpStoreError;

GQuark cp_store_error_quark (void);

/* The highest schema version this program reads and writes. */
#define CP_STORE_SCHEMA_VERSION 3

/* Where a packet stands with the server (the upcoming sync feature). */
typedef enum
{
  CP_STORE_SYNC_PENDING,     /* changed locally since the last server receipt (or never sent) */
  CP_STORE_SYNC_SYNCED,      /* the server's receipt covers the current content */
  CP_STORE_SYNC_CONFLICT,    /* the server moved on and a field changed on both sides */
  CP_STORE_SYNC_QUARANTINED, /* the server rejected it with a reason */
} CpStoreSyncState;

const char *cp_store_sync_state_to_string   (CpStoreSyncState  state);
gboolean    cp_store_sync_state_from_string (const char       *text,
                                             CpStoreSyncState *state);

/* One row of the packet list. */
#define CP_TYPE_PACKET_SUMMARY (cp_packet_summary_get_type ())

typedef struct
{
  char             *uuid;
  char             *kind;
  int               year;
  CpPacketState     state;
  char             *enterprise_name; /* nullable */
  char             *uscc;            /* nullable */
  GDateTime        *modified;        /* UTC; the last save or field edit */
  CpStoreSyncState  sync_state;
  GDateTime        *deleted;         /* UTC; when it was moved to the trash, or NULL */
  char             *stage;   /* the workflow state id the server last gave, or NULL */
  CpRole            party;   /* who the signed-in account is to the packet, CP_ROLE_NONE if unknown */
} CpPacketSummary;

GType            cp_packet_summary_get_type (void) G_GNUC_CONST;
CpPacketSummary *cp_packet_summary_copy     (const CpPacketSummary *summary);
void             cp_packet_summary_free     (CpPacketSummary       *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpPacketSummary, cp_packet_summary_free)

/* One saved revision of a packet. */
#define CP_TYPE_REVISION_INFO (cp_revision_info_get_type ())

typedef struct
{
  guint      revision;  /* 1, 2, 3, … per packet */
  GDateTime *saved_at;  /* UTC */
} CpRevisionInfo;

GType           cp_revision_info_get_type (void) G_GNUC_CONST;
CpRevisionInfo *cp_revision_info_copy     (const CpRevisionInfo *info);
void            cp_revision_info_free     (CpRevisionInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpRevisionInfo, cp_revision_info_free)

#define CP_TYPE_STORE (cp_store_get_type ())
G_DECLARE_FINAL_TYPE (CpStore, cp_store, CP, STORE, GObject)

/* g_get_user_data_dir()/APP_ID; free with g_free(). */
char       *cp_store_get_default_directory (void);

/* Opens or creates DIRECTORY/packets.db and DIRECTORY/blobs/. A database written by a newer
 * version (CP_STORE_ERROR_NEWER_SCHEMA) or a file that is not a database
 * (CP_STORE_ERROR_CORRUPT) is refused and left untouched. Every method may be called from any
 * thread; calls are serialized on the connection. */
CpStore    *cp_store_new                   (const char        *directory,
                                            GError           **error);
const char *cp_store_get_directory         (CpStore           *self);

/* Packets. save_packet writes @packet as a new revision and makes it the current content;
 * pending field edits of that packet are folded into it (the packet is taken to include them).
 * Returns the new revision number through @revision_out; saving the current content again
 * writes nothing. A packet in the trash stays there (unless the saved state is submitted,
 * returned or accepted: see cp_store_delete_packet()). */
gboolean    cp_store_save_packet           (CpStore           *self,
                                            CpPacket          *packet,
                                            guint             *revision_out,
                                            GError           **error);
/* The last saved revision with every field edit made since then applied. Deleted packets can
 * still be loaded until they are purged. */
CpPacket   *cp_store_load_packet           (CpStore           *self,
                                            const char        *uuid,
                                            GError           **error);
gboolean    cp_store_has_packet            (CpStore           *self,
                                            const char        *uuid);
/* Moves a packet to the trash (hidden from the list, refuses edits); undelete restores it. A
 * packet in the credit office's workflow (submitted, returned or accepted) is refused with
 * CP_STORE_ERROR_IN_WORKFLOW, and a save that puts a packet in the trash into one of those
 * states (the sync pulling the office's decision) takes it out of the trash. */
gboolean    cp_store_delete_packet         (CpStore           *self,
                                            const char        *uuid,
                                            GError           **error);
gboolean    cp_store_undelete_packet       (CpStore           *self,
                                            const char        *uuid,
                                            GError           **error);
/* Removes for good the packets deleted before @deleted_before (NULL: all deleted packets),
 * with their revisions and edits. */
gboolean    cp_store_purge_deleted         (CpStore           *self,
                                            GDateTime         *deleted_before,
                                            guint             *n_purged,
                                            GError           **error);
/* Element type CpPacketSummary *, newest modification first, deleted packets left out. */
GPtrArray  *cp_store_list_packets          (CpStore           *self,
                                            GError           **error);
/* The packets, not deleted, whose cover holds the credit code @uscc (compared normalized: see
 * cp_uscc_normalize()), element type CpPacketSummary *, newest modification first. */
GPtrArray  *cp_store_list_packets_for_uscc (CpStore          *self,
                                            const char       *uscc,
                                            GError          **error);
/* The trash: element type CpPacketSummary * (with @deleted set), last deleted first. */
GPtrArray  *cp_store_list_deleted_packets  (CpStore           *self,
                                            GError           **error);
/* Element type CpRevisionInfo *, oldest first. */
GPtrArray  *cp_store_list_revisions        (CpStore           *self,
                                            const char        *uuid,
                                            GError           **error);
CpPacket   *cp_store_load_revision         (CpStore           *self,
                                            const char        *uuid,
                                            guint              revision,
                                            GError           **error);

/* Field edits: each call is one durable transaction and returns TRUE only once the edit is
 * committed. set_value does not take ownership of @value; NULL unsets the field. */
gboolean    cp_store_set_value             (CpStore           *self,
                                            const char        *uuid,
                                            const char        *section,
                                            const char        *field,
                                            JsonNode          *value,
                                            GError           **error);
gboolean    cp_store_set_score             (CpStore           *self,
                                            const char        *uuid,
                                            const char        *item_id,
                                            CpScoreColumn      column,
                                            double             value,
                                            GError           **error);
gboolean    cp_store_unset_score           (CpStore           *self,
                                            const char        *uuid,
                                            const char        *item_id,
                                            CpScoreColumn      column,
                                            GError           **error);
/* @note NULL clears the note. */
gboolean    cp_store_set_score_note        (CpStore           *self,
                                            const char        *uuid,
                                            const char        *item_id,
                                            const char        *note,
                                            GError           **error);
/* The number of field edits recorded since the last save of @uuid. */
guint       cp_store_count_pending_edits   (CpStore           *self,
                                            const char        *uuid);

/* Compare-and-swap, for writers that read a packet, compute a new version of it elsewhere (the
 * sync engine merging the server's version) and must not overwrite an edit made meanwhile.
 *
 * A packet's version is a number that grows with every save that writes a revision and with
 * every field edit, and never changes otherwise (not with sync bookkeeping, not with moving it
 * to the trash); 0 means "no such packet". Compare versions for equality only.
 * load_packet_versioned returns the packet and the version it has, read together. */
CpPacket   *cp_store_load_packet_versioned (CpStore           *self,
                                            const char        *uuid,
                                            guint64           *version_out,
                                            GError           **error);
/* In one transaction: if @packet's version is still @expected_version (0: the store does not
 * have it), saves it as cp_store_save_packet does and records the sync state as
 * cp_store_set_sync_info does (@server_revision, @base_body: NULL leaves them unchanged).
 * Otherwise changes nothing and fails with CP_STORE_ERROR_CHANGED: load it again and start
 * over from what is there now. */
gboolean    cp_store_save_packet_if_unchanged (CpStore        *self,
                                            CpPacket          *packet,
                                            guint64            expected_version,
                                            CpStoreSyncState   state,
                                            const char        *server_revision,
                                            const char        *base_body,
                                            guint             *revision_out,
                                            GError           **error);
/* The same for the sync bookkeeping alone: records it only if the packet's version is still
 * @expected_version, else fails with CP_STORE_ERROR_CHANGED. */
gboolean    cp_store_set_sync_info_if_unchanged (CpStore      *self,
                                            const char        *uuid,
                                            guint64            expected_version,
                                            CpStoreSyncState   state,
                                            const char        *server_revision,
                                            const char        *base_body,
                                            GError           **error);

/* One conditional write of the sync, for cp_store_write_sync_batch: with @packet, what
 * cp_store_save_packet_if_unchanged writes; without, what cp_store_set_sync_info_if_unchanged
 * does. @changed is set when the packet's version was no longer @expected_version. */
typedef struct
{
  const char        *uuid;
  CpPacket          *packet;
  guint64            expected_version;
  CpStoreSyncState   state;
  const char        *server_revision;
  const char        *base_body;
  gboolean           changed;
  /* What the server said of the packet with this revision (docs/sync.md, "Review place"): each
   * is written as given, NULL when the server did not say. */
  const char        *stage;
  const char        *party;
  const char        *evaluator;
  /* The canonical JSON of @packet (cp_packet_to_data) when the caller has it already, or NULL
   * for the store to write it. */
  const char        *body;
} CpStoreSyncWrite;

/* The writes of @writes in one transaction (one sync to disk for all of them), each checked
 * against its own expected version: one whose packet changed meanwhile is left out alone (its
 * @changed is TRUE; load it again and start over), the others are written. Any other failure
 * writes none of them and returns FALSE. */
gboolean    cp_store_write_sync_batch      (CpStore           *self,
                                            CpStoreSyncWrite  *writes,
                                            guint              n_writes,
                                            GError           **error);

/* Sync bookkeeping, for the sync feature. */
gboolean    cp_store_get_sync_info         (CpStore           *self,
                                            const char        *uuid,
                                            CpStoreSyncState  *state_out,
                                            char             **server_revision_out,
                                            char             **base_body_out,
                                            GError           **error);
/* Records a state; @server_revision and @base_body (the canonical JSON the server holds for
 * that revision, the base of a later three-way merge) are left unchanged when NULL. */
gboolean    cp_store_set_sync_info         (CpStore           *self,
                                            const char        *uuid,
                                            CpStoreSyncState   state,
                                            const char        *server_revision,
                                            const char        *base_body,
                                            GError           **error);

/* Where the packet stands in its kind's workflow, as the server last said (docs/sync.md,
 * "Review place"): its stage (a workflow state id), the signed-in account's party to it and its
 * evaluating agency. Each out argument is nullable and gets NULL (CP_ROLE_NONE) when the server
 * has not said; FALSE only on an error or an unknown @uuid. */
gboolean    cp_store_get_review_place      (CpStore           *self,
                                            const char        *uuid,
                                            char             **stage_out,
                                            CpRole            *party_out,
                                            char             **evaluator_out,
                                            GError           **error);
/* Records what the server said; NULL clears. @party is a party string (cp_role_to_string). */
gboolean    cp_store_set_review_place      (CpStore           *self,
                                            const char        *uuid,
                                            const char        *stage,
                                            const char        *party,
                                            const char        *evaluator,
                                            GError           **error);

/* Attachments, named by the SHA-256 of their content (64 lowercase hex digits). Adding content
 * that is already stored writes nothing. */
gboolean    cp_store_add_blob_from_file    (CpStore           *self,
                                            GFile             *file,
                                            char             **sha256_out,
                                            guint64           *size_out,
                                            GCancellable      *cancellable,
                                            GError           **error);
gboolean    cp_store_add_blob_from_bytes   (CpStore           *self,
                                            GBytes            *bytes,
                                            char             **sha256_out,
                                            GError           **error);
gboolean    cp_store_has_blob              (CpStore           *self,
                                            const char        *sha256);
/* DIRECTORY/blobs/<sha256> (whether or not it exists), or NULL for an invalid hash. */
char       *cp_store_get_blob_path         (CpStore           *self,
                                            const char        *sha256);
/* Re-reads the file and checks its hash: CP_STORE_ERROR_NOT_FOUND when it is missing,
 * CP_STORE_ERROR_BLOB_MISMATCH when the content changed. */
gboolean    cp_store_verify_blob           (CpStore           *self,
                                            const char        *sha256,
                                            GCancellable      *cancellable,
                                            GError           **error);

G_END_DECLS
