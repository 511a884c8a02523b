/* cp-sync-engine.c — the outbox, the changes pull and conflict handling against a CpStore
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The algorithm, the states and the files are described in docs/sync.md. In short: a sync runs
 * in a worker thread with blocking requests on the client's session; every step that changes
 * local state is a durable write made only after the server's answer, in an order that lets a
 * sync killed at any moment converge on the next run:
 *   - the hash of the body about to be sent is recorded in sync/inflight/ first (a batch of
 *     them with one sync to disk), so that a 412 whose "current" is our own unacknowledged write
 *     is recognised as such (no false conflict);
 *   - a packet is marked synced only after the receipt, and only if it did not change meanwhile;
 *   - the changes cursor is stored only after its page was applied.
 */
#include "config.h"

#include "cp-sync-engine.h"
#include "cp-sync-engine-private.h"
#include "cp-sync-client-private.h"
#include "cp-finding.h"
#include "cp-json-private.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#define CHANGES_LIMIT "1000"
#define MAX_PUSH_ROUNDS 4
/* How often a write over the local packet starts over because an edit came in meanwhile. */
#define MAX_CAS_ROUNDS 16
/* Writes to the store that share one transaction (one sync to disk): pulled packets, packets
 * marked sent. Small enough that the store's lock is never held for long. */
#define STORE_BATCH 128
/* Uploads of a batch on their way at once, each on a connection of its own (the client's
 * session keeps up to 8 per host); the server commits those that arrive together in one
 * transaction. */
#define PUSH_SENDERS 8

/* What the conflict page's merge was computed from: the local packet and its version. */
typedef struct
{
  CpPacket *mine;
  guint64   version;
} ConflictRead;

static void
conflict_read_free (ConflictRead *read)
{
  g_object_unref (read->mine);
  g_free (read);
}

G_DEFINE_FINAL_TYPE (CpSyncEngine, cp_sync_engine, G_TYPE_OBJECT)

static guint signals[N_SIGNALS];

typedef struct
{
  CpSyncEngine *self;
  guint         signal;
  guint64       a;
  guint64       b;
} Emission;

/* --- small helpers ------------------------------------------------------------------------- */

static gboolean
emit_cb (gpointer user_data)
{
  Emission *e = user_data;

  if (e->signal == PACKET_PROGRESS)
    g_signal_emit (e->self, signals[PACKET_PROGRESS], 0, (guint) e->a, (guint) e->b);
  else
    g_signal_emit (e->self, signals[BLOB_PROGRESS], 0, e->a, e->b);
  return G_SOURCE_REMOVE;
}

static void
emission_free (Emission *e)
{
  g_object_unref (e->self);
  g_free (e);
}

void
cp_sync_run_emit (CpSyncRun *run,
                  guint    signal,
                  guint64  a,
                  guint64  b)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (run->self);
  e->signal = signal;
  e->a = a;
  e->b = b;
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, emit_cb, e,
                              (GDestroyNotify) emission_free);
}

static char *
sha256_of (const char *data,
           gsize       length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

static gint64
revision_number (const char *text)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, G_MAXINT64, &value, NULL))
    return 0;
  return (gint64) value;
}

const char *
cp_sync_object_string (JsonNode   *node,
                       const char *member)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_object_get_string_member_with_default (json_node_get_object (node), member, NULL);
}

gint64
cp_sync_object_int (JsonNode   *node,
                    const char *member,
                    gint64      fallback)
{
  JsonNode *value;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return fallback;
  value = json_object_get_member (json_node_get_object (node), member);
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      json_node_get_value_type (value) != G_TYPE_INT64)
    return fallback;
  return json_node_get_int (value);
}

GError *
cp_sync_bad_reply_error (const char *what)
{
  return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                      _("The server's answer to %s makes no sense. Try again later."), what);
}

/* --- applying a server version ------------------------------------------------------------- */

static CpPacket *
parse_body (const char  *body,
            GError     **error)
{
  CpPacket *packet = cp_packet_new_from_data (body, -1, "server", error);

  if (packet == NULL)
    {
      g_autoptr(GError) inner = g_steal_pointer (error);

      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                   _("The server sent a packet this version cannot read: %s"), inner->message);
    }
  return packet;
}

static void
test_point (CpSyncEngine *self,
            const char   *point,
            const char   *uuid)
{
  if (G_UNLIKELY (self->test_hook != NULL))
    self->test_hook (self, point, uuid, self->test_hook_data);
}

static gboolean
is_changed (const GError *error)
{
  return g_error_matches (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED);
}

/* Loads the local packet with its version; *mine_out is NULL and the version 0 when the store
 * does not have it. */
static gboolean
load_local (CpSyncEngine  *self,
            const char    *uuid,
            CpPacket     **mine_out,
            guint64       *version_out,
            GError       **error)
{
  g_autoptr(GError) local_error = NULL;

  *version_out = 0;
  *mine_out = cp_store_load_packet_versioned (self->store, uuid, version_out, &local_error);
  if (*mine_out == NULL)
    {
      if (!g_error_matches (local_error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      *version_out = 0;
    }
  return TRUE;
}

/* One attempt at merging @theirs (at @theirs_revision, canonical @theirs_body) into @mine, the
 * local packet @uuid at @version, whose base is @base (nullable). Every write is conditional on
 * @version: CP_STORE_ERROR_CHANGED when an edit came in after @mine was read. */
static gboolean
merge_once (CpSyncRun   *run,
            const char  *uuid,
            CpPacket    *base,
            CpPacket    *mine,
            guint64      version,
            CpPacket    *theirs,
            const char  *theirs_revision,
            const char  *theirs_body,
            GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(CpMergeResult) result = NULL;
  CpPacket *merged;

  result = cp_merge_packets (base, mine, theirs);
  if (cp_merge_result_has_conflicts (result))
    {
      if (!cp_sync_journal_save_conflict (self, uuid, theirs_revision, theirs_body, result, error))
        return FALSE;
      test_point (self, "merge", uuid);
      if (!cp_store_set_sync_info_if_unchanged (self->store, uuid, version,
                                                CP_STORE_SYNC_CONFLICT, NULL, NULL, error))
        return FALSE;
      run->stats.conflicts++;
      return TRUE;
    }
  merged = cp_merge_result_get_packet (result);
  if (merged == NULL)
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                   _("The server's version could not be merged: %s"),
                   cp_merge_result_get_error (result)->message);
      return FALSE;
    }
  test_point (self, "merge", uuid);
  if (!cp_store_save_packet_if_unchanged (self->store, merged, version, CP_STORE_SYNC_PENDING,
                                          theirs_revision, theirs_body, NULL, error))
    return FALSE;
  cp_sync_journal_remove_conflict (self, uuid);
  run->stats.merged++;
  g_hash_table_add (run->repush, g_strdup (uuid));
  return TRUE;
}

/* The error after MAX_CAS_ROUNDS: the sync stops (its cursor stays), nothing is overwritten. */
static void
set_still_changing (GError     **error,
                    const char  *uuid,
                    GError      *last)
{
  g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED,
               _("The packet %s kept changing while the server's version was being merged "
                 "into it. Sync again in a moment."), uuid);
  g_debug ("%s", last != NULL ? last->message : "");
}

/* Merges @theirs into the local packet @uuid (a 412 while pushing), against @base (nullable).
 * Sets the packet pending (the merge must be sent) or in conflict. An edit that lands while
 * merging makes it start over from the packet as it is then. */
static gboolean
merge_into_local (CpSyncRun   *run,
                  const char  *uuid,
                  CpPacket    *base,
                  CpPacket    *theirs,
                  const char  *theirs_revision,
                  const char  *theirs_body,
                  GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  for (guint round = 0; round < MAX_CAS_ROUNDS; round++)
    {
      g_autoptr(CpPacket) mine = NULL;
      guint64 version = 0;

      g_clear_error (&local_error);
      mine = cp_store_load_packet_versioned (run->self->store, uuid, &version, error);
      if (mine == NULL)
        return FALSE;
      if (merge_once (run, uuid, base, mine, version, theirs, theirs_revision, theirs_body,
                      &local_error))
        return TRUE;
      if (!is_changed (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  set_still_changing (error, uuid, local_error);
  return FALSE;
}

/* What the store holds of @uuid before a server version at @revision is applied. The packet
 * (NULL when the store lacks it) and its version come first, then its sync state and last
 * synced body (@base_body may be NULL): an edit after the read changes the version, one before
 * it shows in the state (an edit makes a synced packet pending). *@have_it: the store has
 * @revision or a later one already. */
static gboolean
read_local_for (CpSyncEngine      *self,
                const char        *uuid,
                const char        *revision,
                CpPacket         **mine,
                guint64           *version,
                CpStoreSyncState  *state,
                char             **base_body,
                gboolean          *have_it,
                GError           **error)
{
  g_autofree char *server_revision = NULL;

  *have_it = FALSE;
  if (!load_local (self, uuid, mine, version, error))
    return FALSE;
  if (*mine == NULL)
    return TRUE;
  if (!cp_store_get_sync_info (self->store, uuid, state, &server_revision, base_body, error))
    return FALSE;
  *have_it = revision_number (server_revision) >= revision_number (revision);
  return TRUE;
}

/* A server version of @uuid arrived through the changes feed (or after a submission): @theirs,
 * at @revision, with its canonical @body. A packet the store lacks or holds synced is replaced
 * by it; one with local changes gets a three-way merge against the last synced base. The local
 * packet and its state are read first, and every write is conditional on the version read: an
 * edit that lands in between makes it start over (now as a packet with local changes), so
 * nothing typed meanwhile is overwritten. */
static gboolean
apply_server_version (CpSyncRun   *run,
                      const char  *uuid,
                      CpPacket    *theirs,
                      const char  *revision,
                      const char  *body,
                      GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(GError) local_error = NULL;

  for (guint round = 0; round < MAX_CAS_ROUNDS; round++)
    {
      g_autoptr(CpPacket) mine = NULL;
      g_autoptr(CpPacket) base = NULL;
      g_autofree char *base_body = NULL;
      CpStoreSyncState state = CP_STORE_SYNC_PENDING;
      guint64 version = 0;
      gboolean have_it;

      g_clear_error (&local_error);
      if (!read_local_for (self, uuid, revision, &mine, &version, &state, &base_body, &have_it,
                           error))
        return FALSE;

      if (mine == NULL)
        {
          test_point (self, "pull", uuid);
          if (cp_store_save_packet_if_unchanged (self->store, theirs, 0, CP_STORE_SYNC_SYNCED,
                                                 revision, body, NULL, &local_error))
            {
              run->stats.pulled++;
              return TRUE;
            }
          if (is_changed (local_error))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (have_it)
        return TRUE; /* our own write, seen again */

      if (state == CP_STORE_SYNC_SYNCED)
        {
          test_point (self, "pull", uuid);
          if (cp_store_save_packet_if_unchanged (self->store, theirs, version,
                                                 CP_STORE_SYNC_SYNCED, revision, body, NULL,
                                                 &local_error))
            {
              run->stats.pulled++;
              return TRUE;
            }
          if (is_changed (local_error))
            continue; /* edited meanwhile: merge it next round */
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (state == CP_STORE_SYNC_CONFLICT)
        {
          g_autofree char *path = cp_sync_journal_path (self, "conflicts", uuid);
          g_autoptr(JsonNode) conflict = cp_sync_journal_read_json (path);

          /* Already in conflict with this very version. */
          if (revision_number (cp_sync_object_string (conflict, "theirs_revision")) >=
              revision_number (revision))
            return TRUE;
        }

      /* Local changes (pending, in conflict or refused): merge against the last synced base. */
      if (base_body != NULL &&
          (base = cp_packet_new_from_data (base_body, -1, "base", NULL)) == NULL)
        g_warning ("The stored base of %s does not parse; merging without it", uuid);
      if (state == CP_STORE_SYNC_QUARANTINED)
        cp_sync_journal_remove_rejection (self, uuid);
      if (merge_once (run, uuid, base, mine, version, theirs, revision, body, &local_error))
        return TRUE;
      if (!is_changed (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  set_still_changing (error, uuid, local_error);
  return FALSE;
}

/* --- pushing ------------------------------------------------------------------------------- */

static gboolean
quarantine (CpSyncRun    *run,
            const char   *uuid,
            CpSyncReply  *reply,
            const char   *body_sha256,
            GError      **error)
{
  CpSyncEngine *self = run->self;
  g_autofree char *path = cp_sync_journal_path (self, "rejections", uuid);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
    node = json_node_copy (reply->json);
  else
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
  object = json_node_get_object (node);
  json_object_set_int_member (object, "status", reply->status);
  json_object_set_string_member (object, "body_sha256", body_sha256);
  if (!cp_sync_journal_write_json (path, node, error) ||
      !cp_store_set_sync_info (self->store, uuid, CP_STORE_SYNC_QUARANTINED, NULL, NULL, error))
    return FALSE;
  run->stats.quarantined++;
  return TRUE;
}

/* The server acknowledged @body (read at @version) as @revision: the packet is synced, unless it
 * changed while the request was on its way (then it stays pending, on the new base). Marking it
 * synced is conditional on the version, so an edit landing at that moment is never marked sent;
 * a save that changed nothing but the version (compaction) is checked by content. */
static gboolean
mark_sent (CpSyncRun   *run,
           const char  *uuid,
           guint64      version,
           const char  *body,
           const char  *revision,
           GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(GError) local_error = NULL;

  for (guint round = 0; round < MAX_CAS_ROUNDS; round++)
    {
      g_autoptr(CpPacket) now = NULL;
      g_autofree char *now_body = NULL;

      g_clear_error (&local_error);
      if (cp_store_set_sync_info_if_unchanged (self->store, uuid, version, CP_STORE_SYNC_SYNCED,
                                               revision, body, &local_error))
        return TRUE;
      if (!is_changed (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      now = cp_store_load_packet_versioned (self->store, uuid, &version, error);
      if (now == NULL)
        return FALSE;
      now_body = cp_packet_to_data (now, FALSE, NULL);
      if (!g_str_equal (now_body, body))
        break;
    }
  /* Pending is always safe: the next sync sends what is there. */
  return cp_store_set_sync_info (self->store, uuid, CP_STORE_SYNC_PENDING, revision, body, error);
}

/* One upload of a packet: what was read and sent, and the server's answer. */
typedef struct
{
  char        *uuid;
  guint64      version;        /* of the local packet when it was read */
  char        *server_revision;
  char        *base_body;
  char        *body;           /* canonical JSON sent */
  gsize        length;
  char        *sha256;
  CpSyncReply *reply;
  GError      *error;          /* the request failed (after its retries) */
} Upload;

static void
upload_free (Upload *upload)
{
  g_free (upload->uuid);
  g_free (upload->server_revision);
  g_free (upload->base_body);
  g_free (upload->body);
  g_free (upload->sha256);
  g_clear_pointer (&upload->reply, cp_sync_reply_free);
  g_clear_error (&upload->error);
  g_free (upload);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Upload, upload_free)

/* Reads what is to be sent of @uuid; *upload_out is NULL when nothing is (synced, or in
 * conflict until the user resolves it). */
static gboolean
upload_prepare (CpSyncRun   *run,
                const char  *uuid,
                Upload     **upload_out,
                GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(Upload) upload = g_new0 (Upload, 1);
  g_autoptr(CpPacket) packet = NULL;
  CpStoreSyncState state;

  *upload_out = NULL;
  if (!cp_store_get_sync_info (self->store, uuid, &state, &upload->server_revision,
                               &upload->base_body, error))
    return FALSE;
  if (state == CP_STORE_SYNC_SYNCED || state == CP_STORE_SYNC_CONFLICT)
    return TRUE;
  packet = cp_store_load_packet_versioned (self->store, uuid, &upload->version, error);
  if (packet == NULL)
    return FALSE;
  upload->uuid = g_strdup (uuid);
  upload->body = cp_packet_to_data (packet, FALSE, &upload->length);
  upload->sha256 = sha256_of (upload->body, upload->length);
  *upload_out = g_steal_pointer (&upload);
  return TRUE;
}

/* PUTs the body (recorded in flight before: record_inflight); the answer or the error is kept
 * in @upload. Runs in any thread: it touches only @upload and the client's session. */
static void
upload_send (CpSyncRun *run,
             Upload    *upload)
{
  CpSyncEngine *self = run->self;
  g_autofree char *url = NULL;
  g_autofree char *if_match = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *headers[3];

  if (upload->server_revision == NULL)
    {
      headers[0] = "If-None-Match";
      headers[1] = "*";
    }
  else
    {
      if_match = g_strdup_printf ("\"%s\"", upload->server_revision);
      headers[0] = "If-Match";
      headers[1] = if_match;
    }
  headers[2] = NULL;

  url = g_strconcat ("/api/v1/packets/", upload->uuid, NULL);
  bytes = g_bytes_new_static (upload->body, upload->length);
  upload->reply = cp_sync_client_request (self->client, "PUT", url, headers, bytes,
                                          "application/json", NULL, NULL, run->cancellable,
                                          &upload->error);
}

/* The revision a 2xx receipt gives, or NULL (with @error) when it makes no sense. */
static char *
upload_receipt_revision (Upload  *upload,
                         GError **error)
{
  gint64 number = cp_sync_object_int (upload->reply->json, "revision", 0);
  const char *receipt_sha = cp_sync_object_string (upload->reply->json, "sha256");

  if (number <= 0)
    {
      g_propagate_error (error, cp_sync_bad_reply_error ("a packet upload"));
      return NULL;
    }
  if (receipt_sha != NULL && !g_str_equal (receipt_sha, upload->sha256))
    g_warning ("The receipt for %s names other content (%s, sent %s)", upload->uuid,
               receipt_sha, upload->sha256);
  return g_strdup_printf ("%" G_GINT64_FORMAT, number);
}

/* Records the bodies of @uploads in flight, with one sync to disk for all of them. */
static gboolean
record_inflight (CpSyncRun   *run,
                 GPtrArray   *uploads,
                 GError     **error)
{
  g_autofree const char **uuids = g_new0 (const char *, uploads->len + 1);
  g_autofree const char **sha256s = g_new0 (const char *, uploads->len + 1);

  for (guint i = 0; i < uploads->len; i++)
    {
      Upload *upload = g_ptr_array_index (uploads, i);

      uuids[i] = upload->uuid;
      sha256s[i] = upload->sha256;
    }
  return cp_sync_journal_record_inflight (run->self, uuids, sha256s, uploads->len, error);
}

/* After the packet is marked sent: its old refusal goes, and it goes into @acknowledged, whose
 * in-flight records the caller clears. */
static void
upload_done (CpSyncRun  *run,
             Upload     *upload,
             GHashTable *acknowledged)
{
  cp_sync_journal_remove_rejection (run->self, upload->uuid);
  g_hash_table_add (acknowledged, g_strdup (upload->uuid));
  run->stats.pushed++;
}

/* --- the review place ---------------------------------------------------------------------- */

/* Longest stage id or evaluator id kept: ids of templates and agencies are short. */
#define PLACE_MAX_ID 64

/* @member of @receipt when it is a string: NULL when absent or of another type (an array, an
 * object, a number), which cp_sync_object_string does not check. */
static const char *
place_string (JsonNode   *receipt,
              const char *member)
{
  JsonNode *value;

  if (receipt == NULL || !JSON_NODE_HOLDS_OBJECT (receipt))
    return NULL;
  value = json_object_get_member (json_node_get_object (receipt), member);
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (value);
}

static const char *
place_id (JsonNode   *receipt,
          const char *member)
{
  const char *text = place_string (receipt, member);
  gsize length;

  if (text == NULL)
    return NULL;
  length = strlen (text);
  /* Ids: lowercase letters, digits, '-', '_' and '.', as the templates and agencies name them. */
  if (length == 0 || length > PLACE_MAX_ID ||
      strspn (text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != length)
    {
      g_message ("The server named a %s that is no id; ignored", member);
      return NULL;
    }
  return text;
}

/* What a receipt or an entry of the feed says of the packet's place in its workflow (docs/api.md,
 * "Receipts"), each NULL when absent or not what the server sends (an unknown party, a stage
 * that is no id): such a value is ignored, the packet kept. Point into @receipt. */
static void
place_from_receipt (JsonNode    *receipt,
                    const char **stage_out,
                    const char **party_out,
                    const char **evaluator_out)
{
  const char *party = place_string (receipt, "party");
  CpRole role;

  *stage_out = place_id (receipt, "stage");
  *evaluator_out = place_id (receipt, "evaluator");
  if (party != NULL && !cp_role_from_string (party, &role))
    {
      g_message ("The server named an unknown party; ignored");
      party = NULL;
    }
  *party_out = party;
}

/* Records the place @receipt gives for @uuid, when it differs from what the store holds. A
 * packet the store does not hold (set aside, or never pulled) is no error. */
static gboolean
record_place (CpSyncEngine  *self,
              const char    *uuid,
              JsonNode      *receipt,
              GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *stage = NULL;
  g_autofree char *evaluator = NULL;
  const char *new_stage, *new_party, *new_evaluator;
  CpRole party = CP_ROLE_NONE;

  place_from_receipt (receipt, &new_stage, &new_party, &new_evaluator);
  if (!cp_store_get_review_place (self->store, uuid, &stage, &party, &evaluator, &local_error))
    {
      if (g_error_matches (local_error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (g_strcmp0 (stage, new_stage) == 0 && g_strcmp0 (evaluator, new_evaluator) == 0 &&
      g_strcmp0 (cp_role_to_string (party), new_party) == 0)
    return TRUE;
  if (!cp_store_set_review_place (self->store, uuid, new_stage, new_party, new_evaluator,
                                  &local_error) &&
      !g_error_matches (local_error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
status_is_refusal (guint status)
{
  return status == 400 || status == 403 || status == 404 || status == 409 || status == 413 ||
         status == 422 || status == 428;
}

/* Acts on the server's answer to @upload: synced on a receipt, merged on 412 (*again_out:
 * send the merge), quarantined on a refusal, an error otherwise. */
static gboolean
upload_handle_reply (CpSyncRun   *run,
                     Upload      *upload,
                     GHashTable  *acknowledged,
                     gboolean    *again_out,
                     GError     **error)
{
  CpSyncEngine *self = run->self;
  CpSyncReply *reply = upload->reply;
  const char *uuid = upload->uuid;

  *again_out = FALSE;
  if (upload->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&upload->error));
      return FALSE;
    }

  if (reply->status == 200 || reply->status == 201)
    {
      g_autofree char *revision = upload_receipt_revision (upload, error);

      if (revision == NULL ||
          !mark_sent (run, uuid, upload->version, upload->body, revision, error) ||
          !record_place (self, uuid, reply->json, error))
        return FALSE;
      upload_done (run, upload, acknowledged);
      return TRUE;
    }

  if (reply->status == 412)
    {
      g_autoptr(CpPacket) theirs = NULL;
      g_autoptr(CpPacket) base = NULL;
      JsonNode *current = NULL;
      g_autofree char *theirs_body = NULL;
      g_autofree char *theirs_sha = NULL;
      g_autofree char *theirs_revision = NULL;
      gint64 number = cp_sync_object_int (reply->json, "current_revision", 0);
      gsize length = 0;

      if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
        current = json_object_get_member (json_node_get_object (reply->json), "current");
      if (current == NULL || JSON_NODE_HOLDS_NULL (current))
        /* We hold a revision of a packet the server no longer has. */
        return quarantine (run, uuid, reply, upload->sha256, error);
      theirs = cp_packet_new_from_json (current, "server", NULL);
      if (theirs == NULL || number <= 0 || !g_str_equal (cp_packet_get_uuid (theirs), uuid))
        {
          g_propagate_error (error, cp_sync_bad_reply_error ("a stale packet upload"));
          return FALSE;
        }
      theirs_body = cp_packet_to_data (theirs, FALSE, &length);
      theirs_sha = sha256_of (theirs_body, length);
      theirs_revision = g_strdup_printf ("%" G_GINT64_FORMAT, number);

      if (cp_sync_journal_has_inflight (self, uuid, theirs_sha))
        /* The server holds a write of ours whose receipt never arrived: that is our base. */
        base = g_object_ref (theirs);
      else if (upload->base_body != NULL)
        base = cp_packet_new_from_data (upload->base_body, -1, "base", NULL);

      if (!merge_into_local (run, uuid, base, theirs, theirs_revision, theirs_body, error))
        return FALSE;
      g_hash_table_remove (run->repush, uuid);
      *again_out = TRUE; /* pending again (send the merge) or in conflict (stops there) */
      return TRUE;
    }

  if (status_is_refusal (reply->status))
    return quarantine (run, uuid, reply, upload->sha256, error);

  g_propagate_error (error, cp_sync_reply_to_error (reply));
  return FALSE;
}

/* Sends one packet until the server holds it, merging with the server's version on 412. */
static gboolean
push_packet (CpSyncRun   *run,
             const char  *uuid,
             GError     **error)
{
  g_autoptr(GHashTable) acknowledged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              NULL);
  gboolean ok = TRUE;

  for (guint round = 0; ok && round < MAX_PUSH_ROUNDS; round++)
    {
      g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) upload_free);
      Upload *upload = NULL;
      gboolean again = FALSE;

      if (!upload_prepare (run, uuid, &upload, error))
        return FALSE;
      if (upload == NULL)
        break;
      g_ptr_array_add (one, upload);
      if (!record_inflight (run, one, error))
        return FALSE;
      upload_send (run, upload);
      ok = upload_handle_reply (run, upload, acknowledged, &again, error);
      if (!again)
        break;
    }
  cp_sync_journal_clear_inflight (run->self, acknowledged);
  return ok;
}

/* Whether the answer to @upload ends the sync (the network, the session, the server): then
 * the rest of the batch is not sent. */
static gboolean
upload_failed (Upload *upload)
{
  guint status;

  if (upload->error != NULL)
    return TRUE;
  status = upload->reply->status;
  return status != 200 && status != 201 && status != 412 && !status_is_refusal (status);
}

/* The senders of a batch: PUSH_SENDERS threads take the next upload until none is left, or
 * until one failed; the uploads not taken then are neither sent nor recorded in flight. */
typedef struct
{
  CpSyncRun *run;
  GPtrArray *uploads;
  gint       next;     /* atomic */
  gint       stop;     /* atomic */
} Senders;

static gpointer
sender_thread (gpointer data)
{
  Senders *senders = data;
  guint i;

  while (!g_atomic_int_get (&senders->stop) &&
         (i = (guint) g_atomic_int_add (&senders->next, 1)) < senders->uploads->len)
    {
      Upload *upload = g_ptr_array_index (senders->uploads, i);

      upload_send (senders->run, upload);
      if (upload_failed (upload))
        g_atomic_int_set (&senders->stop, TRUE);
    }
  return NULL;
}

static void
send_all (CpSyncRun *run,
          GPtrArray *uploads)
{
  Senders senders = { run, uploads, 0, FALSE };
  GThread *threads[PUSH_SENDERS];
  guint n = MIN (PUSH_SENDERS, uploads->len);

  for (guint t = 1; t < n; t++)
    threads[t] = g_thread_new ("cp-sync-send", sender_thread, &senders);
  sender_thread (&senders);
  for (guint t = 1; t < n; t++)
    g_thread_join (threads[t]);
}

/* Marks the acknowledged uploads of a batch sent in one transaction, each on the version it
 * was read at; one edited meanwhile goes through mark_sent alone (it stays pending unless
 * the edit changed nothing). Every other answer is handled one by one, as push_packet does,
 * and a merge after 412 is sent again by push_packet. The first error is returned after every
 * answer that came has been acted on. */
static gboolean
handle_batch (CpSyncRun  *run,
              GPtrArray  *uploads,
              guint      *done,
              guint       total,
              GError    **error)
{
  g_autofree CpStoreSyncWrite *writes = g_new0 (CpStoreSyncWrite, MAX (uploads->len, 1));
  g_autoptr(GPtrArray) revisions = g_ptr_array_new_full (uploads->len, g_free);
  g_autoptr(GHashTable) acknowledged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                              NULL);
  g_autoptr(GError) first_error = NULL;
  guint n_writes = 0;

  for (guint i = 0; i < uploads->len; i++)
    {
      Upload *upload = g_ptr_array_index (uploads, i);
      g_autoptr(GError) local_error = NULL;
      char *revision;

      g_ptr_array_add (revisions, NULL);
      if (upload->reply == NULL ||
          (upload->reply->status != 200 && upload->reply->status != 201))
        continue;
      revision = upload_receipt_revision (upload, &local_error);
      if (revision == NULL)
        {
          upload->error = g_steal_pointer (&local_error);
          continue;
        }
      revisions->pdata[i] = revision;
      writes[n_writes] = (CpStoreSyncWrite) { upload->uuid, NULL, upload->version,
                                              CP_STORE_SYNC_SYNCED, revision, upload->body,
                                              FALSE, NULL, NULL, NULL };
      place_from_receipt (upload->reply->json, &writes[n_writes].stage,
                          &writes[n_writes].party, &writes[n_writes].evaluator);
      n_writes++;
    }
  if (!cp_store_write_sync_batch (run->self->store, writes, n_writes, error))
    return FALSE;

  for (guint i = 0, w = 0; i < uploads->len; i++)
    {
      Upload *upload = g_ptr_array_index (uploads, i);
      g_autoptr(GError) local_error = NULL;
      const char *revision = g_ptr_array_index (revisions, i);
      gboolean again = FALSE;
      gboolean ok;

      if (upload->reply == NULL && upload->error == NULL)
        continue; /* not sent: an earlier one failed */
      cp_sync_run_emit (run, PACKET_PROGRESS, ++*done, total);
      if (revision != NULL)
        {
          gboolean changed = writes[w++].changed;

          ok = !changed ||
               (mark_sent (run, upload->uuid, upload->version, upload->body, revision,
                           &local_error) &&
                record_place (run->self, upload->uuid, upload->reply->json, &local_error));
          if (ok)
            upload_done (run, upload, acknowledged);
        }
      else
        ok = upload_handle_reply (run, upload, acknowledged, &again, &local_error) &&
             (!again || push_packet (run, upload->uuid, &local_error));
      if (!ok && first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  cp_sync_journal_clear_inflight (run->self, acknowledged);
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
collect_outbox (CpSyncRun  *run,
                GPtrArray **uuids_out,
                GPtrArray **packets_out,
                GError    **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func (g_object_unref);

  list = cp_store_list_packets (self->store, error);
  if (list == NULL)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      const CpPacketSummary *summary = g_ptr_array_index (list, i);
      g_autoptr(CpPacket) packet = NULL;

      if (summary->sync_state != CP_STORE_SYNC_PENDING &&
          summary->sync_state != CP_STORE_SYNC_QUARANTINED)
        continue;
      packet = cp_store_load_packet (self->store, summary->uuid, error);
      if (packet == NULL)
        return FALSE;
      if (summary->sync_state == CP_STORE_SYNC_QUARANTINED)
        {
          /* Try a refused packet again only once its content changed. */
          g_autoptr(JsonNode) rejection = cp_sync_engine_get_rejection (self, summary->uuid);
          gsize length = 0;
          g_autofree char *body = cp_packet_to_data (packet, FALSE, &length);
          g_autofree char *sha256 = sha256_of (body, length);

          if (g_strcmp0 (cp_sync_object_string (rejection, "body_sha256"), sha256) == 0)
            continue;
          if (!cp_store_set_sync_info (self->store, summary->uuid, CP_STORE_SYNC_PENDING, NULL,
                                       NULL, error))
            return FALSE;
        }
      g_ptr_array_add (uuids, g_strdup (summary->uuid));
      g_ptr_array_add (packets, g_steal_pointer (&packet));
    }
  *uuids_out = g_steal_pointer (&uuids);
  *packets_out = g_steal_pointer (&packets);
  return TRUE;
}

static gboolean
push_outbox (CpSyncRun   *run,
             GError     **error)
{
  g_autoptr(GPtrArray) uuids = NULL;
  g_autoptr(GPtrArray) packets = NULL;
  guint done = 0;

  if (!collect_outbox (run, &uuids, &packets, error))
    return FALSE;
  if (uuids->len == 0)
    return TRUE;
  if (!cp_sync_run_upload_missing_blobs (run, packets, error))
    return FALSE;
  /* In batches: read, sent over PUSH_SENDERS connections at once, marked sent together. */
  for (guint start = 0; start < uuids->len; start += STORE_BATCH)
    {
      g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func ((GDestroyNotify) upload_free);

      for (guint i = start; i < MIN (start + STORE_BATCH, uuids->len); i++)
        {
          Upload *upload = NULL;

          if (!upload_prepare (run, g_ptr_array_index (uuids, i), &upload, error))
            return FALSE;
          if (upload != NULL)
            g_ptr_array_add (uploads, upload);
          else
            cp_sync_run_emit (run, PACKET_PROGRESS, ++done, uuids->len);
        }
      if (g_cancellable_set_error_if_cancelled (run->cancellable, error) ||
          !record_inflight (run, uploads, error))
        return FALSE;
      send_all (run, uploads);
      if (!handle_batch (run, uploads, &done, uuids->len, error))
        return FALSE;
    }
  return TRUE;
}

/* --- pulling ------------------------------------------------------------------------------- */

static gboolean
fetch_and_apply (CpSyncRun   *run,
                 const char  *uuid,
                 const char  *revision,
                 GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autofree char *url = g_strconcat ("/api/v1/packets/", uuid, NULL);
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(CpPacket) theirs = NULL;
  g_autofree char *body = NULL;
  g_autofree char *etag_revision = NULL;
  const char *etag;

  reply = cp_sync_client_request (self->client, "GET", url, NULL, NULL, NULL, NULL, NULL,
                                  run->cancellable, error);
  if (reply == NULL)
    {
      /* The server keeps failing on this one packet (or answers it with what is not JSON):
       * it is set aside and asked again at the next sync. */
      run->unreadable = g_error_matches (*error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
      return FALSE;
    }
  if (reply->status == 404)
    return TRUE; /* no longer visible to this user */
  if (reply->status != 200)
    {
      g_propagate_error (error, cp_sync_reply_to_error (reply));
      return FALSE;
    }
  etag = soup_message_headers_get_one (reply->headers, "ETag");
  if (etag != NULL)
    {
      etag_revision = g_strdup (etag);
      g_strdelimit (etag_revision, "\"W/", ' ');
      g_strstrip (etag_revision);
    }
  if (revision_number (etag_revision) <= 0)
    {
      g_propagate_error (error, cp_sync_bad_reply_error ("a packet download"));
      return FALSE;
    }
  body = g_strndup (g_bytes_get_data (reply->body, NULL), g_bytes_get_size (reply->body));
  theirs = parse_body (body, error);
  if (theirs == NULL)
    {
      run->unreadable = TRUE;
      return FALSE;
    }
  if (!g_str_equal (cp_packet_get_uuid (theirs), uuid))
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                   _("The server sent another packet than the one asked for (%s)."), uuid);
      run->unreadable = TRUE;
      return FALSE;
    }
  /* The packet may have moved on since the change was listed: the ETag says which it is. */
  (void) revision;
  return apply_server_version (run, uuid, theirs, etag_revision, body, error);
}

/* A server version waiting in a page's batch for its write (pull_or_queue). */
typedef struct
{
  char     *uuid;
  CpPacket *theirs;
  guint64   version;
  char     *revision;
  char     *body;
  /* The place the entry of the feed gives (place_from_receipt), written with the packet. */
  char     *stage;
  char     *party;
  char     *evaluator;
  gboolean  placed;  /* the entry with the place is the packet's last of its page */
} Pulled;

static void
pulled_free (Pulled *pulled)
{
  g_free (pulled->uuid);
  g_clear_object (&pulled->theirs);
  g_free (pulled->revision);
  g_free (pulled->body);
  g_free (pulled->stage);
  g_free (pulled->party);
  g_free (pulled->evaluator);
  g_free (pulled);
}

/* The first round of apply_server_version for a change of the feed: a packet the store lacks
 * or holds synced is queued in @batch, to be written with the others of the page in one
 * transaction (flush_pulled), conditional on the version read here; one with local changes is
 * merged at once. */
static gboolean
pull_or_queue (CpSyncRun   *run,
               GPtrArray   *batch,
               const char  *uuid,
               CpPacket    *theirs,
               const char  *revision,
               const char  *body,
               JsonNode    *change,
               gboolean     last,
               GError     **error)
{
  const char *stage, *party, *evaluator;
  CpSyncEngine *self = run->self;
  g_autoptr(CpPacket) mine = NULL;
  CpStoreSyncState state = CP_STORE_SYNC_PENDING;
  guint64 version = 0;
  gboolean have_it;
  Pulled *pulled;

  if (!read_local_for (self, uuid, revision, &mine, &version, &state, NULL, &have_it, error))
    return FALSE;
  if (have_it)
    return TRUE;
  if (mine != NULL && state != CP_STORE_SYNC_SYNCED)
    return apply_server_version (run, uuid, theirs, revision, body, error);
  test_point (self, "pull", uuid);
  pulled = g_new0 (Pulled, 1);
  pulled->uuid = g_strdup (uuid);
  pulled->theirs = g_object_ref (theirs);
  pulled->version = version;
  pulled->revision = g_strdup (revision);
  pulled->body = g_strdup (body);
  place_from_receipt (change, &stage, &party, &evaluator);
  pulled->stage = g_strdup (stage);
  pulled->party = g_strdup (party);
  pulled->evaluator = g_strdup (evaluator);
  pulled->placed = last;
  g_ptr_array_add (batch, pulled);
  return TRUE;
}

/* Writes the queued server versions in one transaction, each with the place its entry gives.
 * One that was edited since it was read is left out by the store and goes through
 * apply_server_version again, which reads it as it is now (with local changes: merged). The
 * packets whose place was written with the last entry of theirs in the page go into @placed. */
static gboolean
flush_pulled (CpSyncRun   *run,
              GPtrArray   *batch,
              GHashTable  *placed,
              GError     **error)
{
  g_autofree CpStoreSyncWrite *writes = g_new0 (CpStoreSyncWrite, MAX (batch->len, 1));

  for (guint i = 0; i < batch->len; i++)
    {
      Pulled *pulled = g_ptr_array_index (batch, i);

      /* The body is the canonical form of the packet: the store need not write it again. */
      writes[i] = (CpStoreSyncWrite) { pulled->uuid, pulled->theirs, pulled->version,
                                       CP_STORE_SYNC_SYNCED, pulled->revision, pulled->body,
                                       FALSE, pulled->stage, pulled->party, pulled->evaluator,
                                       pulled->body };
    }
  if (!cp_store_write_sync_batch (run->self->store, writes, batch->len, error))
    return FALSE;
  for (guint i = 0; i < batch->len; i++)
    {
      Pulled *pulled = g_ptr_array_index (batch, i);

      if (!writes[i].changed)
        {
          run->stats.pulled++;
          if (pulled->placed)
            g_hash_table_add (placed, g_strdup (pulled->uuid));
          else
            g_hash_table_remove (placed, pulled->uuid);
        }
      else if (!apply_server_version (run, pulled->uuid, pulled->theirs, pulled->revision,
                                      pulled->body, error))
        return FALSE;
    }
  g_ptr_array_set_size (batch, 0);
  return TRUE;
}

/* A change that came with its body (GET /changes?bodies=1): no request needed; queued in
 * @batch when it replaces the local packet. */
static gboolean
apply_change_body (CpSyncRun   *run,
                   GPtrArray   *batch,
                   const char  *uuid,
                   const char  *revision,
                   JsonNode    *change,
                   JsonNode    *packet_node,
                   gboolean     last,
                   GError     **error)
{
  g_autoptr(CpPacket) theirs = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *body = NULL;

  theirs = cp_packet_new_from_json (packet_node, "server", &local_error);
  if (theirs == NULL)
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                   _("The server sent a packet this version cannot read: %s"),
                   local_error->message);
      run->unreadable = TRUE;
      return FALSE;
    }
  if (!g_str_equal (cp_packet_get_uuid (theirs), uuid))
    {
      g_propagate_error (error, cp_sync_bad_reply_error ("the list of changes"));
      run->unreadable = TRUE;
      return FALSE;
    }
  /* The canonical body, as the packet model writes it (the server stores the same). */
  body = cp_packet_to_data (theirs, FALSE, NULL);
  return pull_or_queue (run, batch, uuid, theirs, revision, body, change, last, error);
}

/* A server version that cannot be read (a packet stored by an older server that did not
 * check it, or a reply that makes no sense for one packet) is set aside in sync/unreadable/ with
 * the reason: the local packet stays as it is, the rest of the page is applied, and the packet
 * is tried again when the server's version changes. Only errors of that one packet (the
 * server's) are set aside; others end the sync. */
static gboolean
set_aside_unreadable (CpSyncRun    *run,
                      const char   *uuid,
                      const char   *revision,
                      GError      **error)
{
  g_autofree char *path = cp_sync_journal_path (run->self, "unreadable", uuid);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  GError *reason = *error;

  if (!run->unreadable || !g_error_matches (reason, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER))
    return FALSE;
  run->unreadable = FALSE;
  g_message ("Packet %s (revision %s) from the server cannot be read; set aside: %s", uuid,
             revision, reason->message);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "revision");
  json_builder_add_string_value (builder, revision);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason->message);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  g_clear_error (error);
  if (!cp_sync_journal_write_json (path, node, error))
    return FALSE;
  run->stats.unreadable++;
  return TRUE;
}

/* The reviewer's comments of a returned packet, kept with the sync state so that they show
 * offline; a later change of the packet (it was submitted again) makes them history. */
static char *
comments_path (CpStore    *store,
               const char *uuid)
{
  g_autofree char *name = NULL;

  if (!cp_uuid_is_valid (uuid))
    return NULL;
  name = g_strconcat (uuid, ".json", NULL);

  return g_build_filename (cp_store_get_directory (store), "sync", "comments", name, NULL);
}

static gboolean
cache_comments (CpSyncRun   *run,
                const char  *uuid,
                const char  *action,
                GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autofree char *path = comments_path (self->store, uuid);
  g_autofree char *url = NULL;
  g_autoptr(CpSyncReply) reply = NULL;

  if (path == NULL)
    return TRUE;
  if (g_strcmp0 (action, "return") != 0)
    {
      g_unlink (path);
      return TRUE;
    }
  url = g_strdup_printf ("/api/v1/packets/%s/comments", uuid);
  reply = cp_sync_client_request (self->client, "GET", url, NULL, NULL, NULL, NULL, NULL,
                                  run->cancellable, error);
  if (reply == NULL)
    return FALSE;
  /* Refused or gone: nothing to keep; the application asks again when the packet opens. */
  if (reply->status != 200 || reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json) ||
      g_strcmp0 (cp_sync_object_string (reply->json, "uuid"), uuid) != 0)
    return TRUE;
  return cp_sync_journal_write_json (path, reply->json, error);
}

/* The packets set aside at an earlier sync are asked for again, one by one: applied when they
 * read now, left aside when they still do not. */
static gboolean
retry_unreadable (CpSyncRun *run,
                  GError **error)
{
  g_autofree char *dir_path = g_build_filename (run->self->sync_dir, "unreadable", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *uuid = g_str_has_suffix (name, ".json")
                              ? g_strndup (name, strlen (name) - 5) : NULL;

      if (cp_uuid_is_valid (uuid))
        g_ptr_array_add (uuids, g_steal_pointer (&uuid));
    }
  for (guint i = 0; i < uuids->len; i++)
    {
      const char *uuid = g_ptr_array_index (uuids, i);
      g_autofree char *path = cp_sync_journal_path (run->self, "unreadable", uuid);

      run->unreadable = FALSE;
      if (fetch_and_apply (run, uuid, "0", error))
        g_unlink (path);
      else if (!set_aside_unreadable (run, uuid, "0", error))
        return FALSE;
    }
  return TRUE;
}

/* Whether the store holds revision @number of @uuid already (our own writes, listed again). */
static gboolean
holds_change (CpSyncEngine *self,
              const char   *uuid,
              gint64        number)
{
  g_autofree char *local_revision = NULL;
  CpStoreSyncState local_state;

  return cp_store_has_packet (self->store, uuid) &&
         cp_store_get_sync_info (self->store, uuid, &local_state, &local_revision, NULL, NULL) &&
         revision_number (local_revision) >= number;
}

/* How many changes of @changes the store lacks. */
static guint
count_needed (CpSyncEngine *self,
              JsonArray    *changes)
{
  guint needed = 0;

  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonNode *change = json_array_get_element (changes, i);
      const char *uuid = cp_sync_object_string (change, "uuid");
      gint64 number = cp_sync_object_int (change, "revision", 0);

      if (cp_uuid_is_valid (uuid) && number > 0 && !holds_change (self, uuid, number))
        needed++;
    }
  return needed;
}

static gboolean
pull_changes (CpSyncRun   *run,
              CpSyncState *state,
              GError     **error)
{
  CpSyncEngine *self = run->self;
  gboolean more = TRUE;
  /* Pages with the bodies, until one is mostly our own writes (after a large push): then
   * receipts only, and a page that turns out to need more than a tenth of its packets is
   * asked again with them; the few missing from a page without bodies are fetched alone. */
  gboolean bodies = TRUE;

  if (!retry_unreadable (run, error))
    return FALSE;

  while (more)
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) pulled_free);
      /* uuid (in the reply) → index of its last entry in the page */
      g_autoptr(GHashTable) last_entry = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr(GHashTable) placed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
      g_autofree char *url = NULL;
      g_autoptr(CpSyncReply) reply = NULL;
      JsonObject *object;
      JsonNode *changes;
      const char *next;
      guint n_changes;
      guint needed = 0;

      /* With the bodies: a server that knows bodies=1 sends each packet in the page (an older
       * one ignores it, and each packet is fetched on its own below). */
      url = g_strdup_printf ("/api/v1/changes?since=%s&limit=" CHANGES_LIMIT "%s",
                             state->cursor != NULL ? state->cursor : "0",
                             bodies ? "&bodies=1" : "");
      reply = cp_sync_client_request (self->client, "GET", url, NULL, NULL, NULL, NULL, NULL,
                                      run->cancellable, error);
      if (reply == NULL)
        return FALSE;
      if (reply->status != 200)
        {
          g_propagate_error (error, cp_sync_reply_to_error (reply));
          return FALSE;
        }
      if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json) ||
          (changes = json_object_get_member (json_node_get_object (reply->json),
                                             "changes")) == NULL ||
          !JSON_NODE_HOLDS_ARRAY (changes) ||
          (next = cp_sync_object_string (reply->json, "next")) == NULL ||
          revision_number (next) < 0 || strspn (next, "0123456789") != strlen (next) ||
          *next == '\0' || strlen (next) > 19)
        {
          g_propagate_error (error, cp_sync_bad_reply_error ("the list of changes"));
          return FALSE;
        }
      object = json_node_get_object (reply->json);
      more = json_object_get_boolean_member_with_default (object, "more", FALSE);
      n_changes = json_array_get_length (json_node_get_array (changes));
      if (!bodies)
        {
          guint lacking = count_needed (self, json_node_get_array (changes));

          if (lacking > 0 && lacking * 10 >= n_changes)
            {
              bodies = TRUE;
              more = TRUE;
              continue; /* the same page again, with the bodies */
            }
        }

      /* The last entry of each packet in the page: its place is the one kept. */
      for (guint i = 0; i < n_changes; i++)
        {
          JsonNode *change = json_array_get_element (json_node_get_array (changes), i);
          const char *uuid = cp_sync_object_string (change, "uuid");

          if (uuid != NULL && cp_uuid_is_valid (uuid))
            g_hash_table_insert (last_entry, (gpointer) uuid, GUINT_TO_POINTER (i));
        }

      for (guint i = 0; i < n_changes; i++)
        {
          JsonNode *change = json_array_get_element (json_node_get_array (changes), i);
          const char *uuid = cp_sync_object_string (change, "uuid");
          JsonNode *packet_node = NULL;
          gint64 number = cp_sync_object_int (change, "revision", 0);
          g_autofree char *revision = NULL;

          /* A UUID names files here: anything else ("../../x") is not one. Such an entry
           * cannot be set aside by its name either; it is skipped. */
          if (uuid != NULL && !cp_uuid_is_valid (uuid))
            {
              g_message ("The changes feed lists a packet with an invalid id; skipped");
              run->stats.unreadable++;
              continue;
            }
          if (uuid == NULL || number <= 0)
            {
              g_propagate_error (error, cp_sync_bad_reply_error ("the list of changes"));
              return FALSE;
            }
          revision = g_strdup_printf ("%" G_GINT64_FORMAT, number);
          /* Our own writes come back through the feed: skip what we hold already. */
          if (holds_change (self, uuid, number))
            continue;
          needed++;
          if (JSON_NODE_HOLDS_OBJECT (change))
            packet_node = json_object_get_member (json_node_get_object (change), "packet");
          run->unreadable = FALSE;
          if (packet_node != NULL && JSON_NODE_HOLDS_OBJECT (packet_node)
              ? !apply_change_body (run, batch, uuid, revision, change, packet_node,
                                    GPOINTER_TO_UINT (g_hash_table_lookup (last_entry,
                                                                           uuid)) == i,
                                    error)
              : !fetch_and_apply (run, uuid, revision, error))
            {
              if (!set_aside_unreadable (run, uuid, revision, error))
                return FALSE;
            }
          else
            {
              /* Read at last: no longer aside. */
              g_autofree char *aside = cp_sync_journal_path (self, "unreadable", uuid);

              g_unlink (aside);
            }
          if (!cache_comments (run, uuid, cp_sync_object_string (change, "action"), error))
            return FALSE;
          if (batch->len >= STORE_BATCH && !flush_pulled (run, batch, placed, error))
            return FALSE;
        }
      if (!flush_pulled (run, batch, placed, error))
        return FALSE;
      /* The packets written, the place of each packet's last entry too, where the batch did
       * not write it with the packet (an entry of a packet set aside or skipped changes
       * nothing). */
      for (guint i = 0; i < n_changes; i++)
        {
          JsonNode *change = json_array_get_element (json_node_get_array (changes), i);
          const char *uuid = cp_sync_object_string (change, "uuid");

          if (uuid == NULL || !cp_uuid_is_valid (uuid) ||
              GPOINTER_TO_UINT (g_hash_table_lookup (last_entry, uuid)) != i ||
              g_hash_table_contains (placed, uuid))
            continue;
          if (!record_place (self, uuid, change, error))
            return FALSE;
        }
      if (n_changes > 0)
        bodies = needed * 10 >= n_changes;

      /* Only now is the page applied: keep the cursor. */
      if (g_strcmp0 (state->cursor, next) != 0)
        {
          g_free (state->cursor);
          state->cursor = g_strdup (next);
          if (!cp_sync_journal_save_state (self, state, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* --- templates ----------------------------------------------------------------------------- */

static gboolean
refresh_templates (CpSyncRun   *run,
                   CpSyncState *state,
                   GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(CpTemplateRegistry) check = NULL;
  g_autofree char *fresh = g_strconcat (self->templates_dir, ".new", NULL);
  g_autofree char *old = g_strconcat (self->templates_dir, ".old", NULL);
  static const char * const lists[] = { "sheets", "kinds", NULL };
  g_autoptr(GError) local_error = NULL;

  reply = cp_sync_client_request (self->client, "GET", "/api/v1/templates", NULL, NULL, NULL,
                                  NULL, NULL, run->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->status != 200 || reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json))
    {
      g_propagate_error (error, reply->status != 200 ? cp_sync_reply_to_error (reply)
                                                     : cp_sync_bad_reply_error ("the templates"));
      return FALSE;
    }

  cp_sync_journal_remove_tree (fresh);
  for (guint l = 0; lists[l] != NULL; l++)
    {
      JsonNode *list = json_object_get_member (json_node_get_object (reply->json), lists[l]);

      if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
        {
          g_propagate_error (error, cp_sync_bad_reply_error ("the templates"));
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        {
          g_autofree char *name = g_strdup_printf ("%s-%04u.json", lists[l], i);
          g_autofree char *path = g_build_filename (fresh, name, NULL);
          JsonNode *element = json_array_get_element (json_node_get_array (list), i);

          if (!cp_sync_journal_write_json (path, element, error))
            return FALSE;
        }
    }

  /* Keep the new set only if it loads: a cache that cannot be read is worse than an old one. */
  check = cp_template_registry_new ();
  if (g_file_test (fresh, G_FILE_TEST_IS_DIR) &&
      !cp_template_registry_load_directory (check, fresh, &local_error))
    {
      g_warning ("The server's templates do not load; keeping the cached ones: %s",
                 local_error->message);
      cp_sync_journal_remove_tree (fresh);
    }
  else
    {
      g_mkdir_with_parents (fresh, 0700);
      cp_sync_journal_remove_tree (old);
      if (g_file_test (self->templates_dir, G_FILE_TEST_IS_DIR) &&
          g_rename (self->templates_dir, old) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("The template cache could not be replaced: %s"), g_strerror (errno));
          return FALSE;
        }
      if (g_rename (fresh, self->templates_dir) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       _("The template cache could not be replaced: %s"), g_strerror (errno));
          return FALSE;
        }
      cp_sync_journal_remove_tree (old);
      run->stats.templates_refreshed = TRUE;
    }

  state->templates_at = g_get_real_time () / G_USEC_PER_SEC;
  return cp_sync_journal_save_state (self, state, error);
}

/* --- the sync ------------------------------------------------------------------------------ */

static gboolean
run_sync (CpSyncRun *run,
          GError **error)
{
  CpSyncEngine *self = run->self;
  CpSyncState state = { 0 };
  gboolean ok = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  cp_sync_journal_load_state (self, &state);

  if (!push_outbox (run, error))
    goto out;
  if (!pull_changes (run, &state, error))
    goto out;

  /* Merges made while pulling go out in the same sync. */
  if (g_hash_table_size (run->repush) > 0)
    {
      g_autofree gpointer *uuids = NULL;
      guint n = 0;

      uuids = g_hash_table_get_keys_as_array (run->repush, &n);
      for (guint i = 0; i < n; i++)
        {
          cp_sync_run_emit (run, PACKET_PROGRESS, i + 1, n);
          if (!push_packet (run, uuids[i], error))
            goto out;
        }
    }

  if (state.templates_at == 0 || now - state.templates_at >= (gint64) self->templates_max_age)
    {
      if (!refresh_templates (run, &state, error))
        goto out;
    }
  ok = TRUE;

out:
  g_free (state.cursor);
  return ok;
}

static void
run_free (CpSyncRun *run)
{
  g_clear_object (&run->self);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->context, g_main_context_unref);
  g_clear_pointer (&run->repush, g_hash_table_unref);
  g_clear_pointer (&run->findings, g_ptr_array_unref);
  g_free (run->submit_uuid);
  g_free (run);
}

static void
sync_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CpSyncRun *run = task_data;
  GError *error = NULL;
  gboolean ok;

  ok = run_sync (run, &error);
  run->stats.requests = cp_sync_client_get_n_requests (run->self->client) -
                        run->requests_at_start;
  g_atomic_int_set (&run->self->syncing, 0);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* --- submit ------------------------------------------------------------------------------- */

static gboolean
run_submit (CpSyncRun *run,
            GError **error)
{
  CpSyncEngine *self = run->self;
  const char *uuid = run->submit_uuid;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CpSyncReply) reply = NULL;
  g_autofree char *server_revision = NULL;
  g_autofree char *if_match = NULL;
  g_autofree char *url = NULL;
  const char *headers[3] = { "If-Match", NULL, NULL };
  CpStoreSyncState state;

  if (!cp_store_get_sync_info (self->store, uuid, &state, NULL, NULL, error))
    return FALSE;
  if (state == CP_STORE_SYNC_PENDING || state == CP_STORE_SYNC_QUARANTINED)
    {
      /* Send the local changes first (with the files the server lacks). */
      if (state == CP_STORE_SYNC_QUARANTINED &&
          !cp_store_set_sync_info (self->store, uuid, CP_STORE_SYNC_PENDING, NULL, NULL, error))
        return FALSE;
      packet = cp_store_load_packet (self->store, uuid, error);
      if (packet == NULL)
        return FALSE;
      g_ptr_array_add (packets, g_steal_pointer (&packet));
      if (!cp_sync_run_upload_missing_blobs (run, packets, error) ||
          !push_packet (run, uuid, error))
        return FALSE;
    }
  if (!cp_store_get_sync_info (self->store, uuid, &state, &server_revision, NULL, error))
    return FALSE;
  if (state != CP_STORE_SYNC_SYNCED || server_revision == NULL)
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                   state == CP_STORE_SYNC_CONFLICT
                   ? _("This packet differs from the server's version. Resolve the conflict "
                       "before submitting it.")
                   : _("The server did not accept this packet, so it cannot be submitted. "
                       "Correct what the server reported first."));
      return FALSE;
    }

  if_match = g_strdup_printf ("\"%s\"", server_revision);
  headers[1] = if_match;
  url = g_strconcat ("/api/v1/packets/", uuid, "/submit", NULL);
  reply = cp_sync_client_request (self->client, "POST", url, headers, NULL, NULL, NULL, NULL,
                                  run->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->status == 200)
    {
      gint64 number = cp_sync_object_int (reply->json, "revision", 0);
      g_autofree char *revision = g_strdup_printf ("%" G_GINT64_FORMAT, number);

      if (number <= 0)
        {
          g_propagate_error (error, cp_sync_bad_reply_error ("the submission"));
          return FALSE;
        }
      /* The server changed the state and the submission date: bring its version back. */
      return fetch_and_apply (run, uuid, revision, error);
    }
  if (reply->status == 422 && reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
    {
      JsonArray *list = json_object_get_array_member (json_node_get_object (reply->json),
                                                      "findings");

      run->findings = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);
      for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
        {
          CpFinding *finding = cp_finding_new_from_json (json_array_get_element (list, i), NULL);

          if (finding != NULL)
            g_ptr_array_add (run->findings, finding);
        }
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                   run->findings->len > 0
                   ? _("The server found errors in this packet. Correct them, then submit "
                       "again.")
                   : reply->detail != NULL ? reply->detail : _("The server refused the packet."));
      return FALSE;
    }
  if (reply->status == 412)
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                   _("The packet changed on the server. Sync, check the changes, then submit "
                     "again."));
      return FALSE;
    }
  g_propagate_error (error, cp_sync_reply_to_error (reply));
  return FALSE;
}

static void
submit_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpSyncRun *run = task_data;
  GError *error = NULL;
  gboolean ok;

  ok = run_submit (run, &error);
  g_atomic_int_set (&run->self->syncing, 0);
  if (!ok)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* --- GObject ------------------------------------------------------------------------------- */

static void
cp_sync_engine_finalize (GObject *object)
{
  CpSyncEngine *self = CP_SYNC_ENGINE (object);

  g_clear_object (&self->store);
  g_clear_object (&self->client);
  g_free (self->sync_dir);
  g_free (self->templates_dir);
  g_clear_pointer (&self->conflict_reads, g_hash_table_unref);

  G_OBJECT_CLASS (cp_sync_engine_parent_class)->finalize (object);
}

static void
cp_sync_engine_class_init (CpSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_sync_engine_finalize;

  /**
   * CpSyncEngine::packet-progress:
   * @n: the packet being sent (1-based)
   * @total: how many are sent in this step
   */
  signals[PACKET_PROGRESS] = g_signal_new ("packet-progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);
  /**
   * CpSyncEngine::blob-progress:
   * @sent: attachment bytes sent so far in this sync
   * @total: attachment bytes to send
   */
  signals[BLOB_PROGRESS] = g_signal_new ("blob-progress", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 2, G_TYPE_UINT64, G_TYPE_UINT64);
}

static void
cp_sync_engine_init (CpSyncEngine *self)
{
  self->chunk_size = 8 * 1024 * 1024;
  self->templates_max_age = 24 * 60 * 60;
  self->conflict_reads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) conflict_read_free);
}

void
cp_sync_engine_set_test_hook (CpSyncEngine         *self,
                              CpSyncEngineTestHook  hook,
                              gpointer              user_data)
{
  g_return_if_fail (CP_IS_SYNC_ENGINE (self));
  g_return_if_fail (!cp_sync_engine_is_syncing (self));

  self->test_hook = hook;
  self->test_hook_data = user_data;
}

CpSyncEngine *
cp_sync_engine_new (CpStore      *store,
                    CpSyncClient *client)
{
  CpSyncEngine *self;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (client), NULL);

  self = g_object_new (CP_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->sync_dir = g_build_filename (cp_store_get_directory (store), "sync", NULL);
  self->templates_dir = cp_sync_engine_templates_dir_for_store (store);
  return self;
}

CpStore *
cp_sync_engine_get_store (CpSyncEngine *self)
{
  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), NULL);
  return self->store;
}

CpSyncClient *
cp_sync_engine_get_client (CpSyncEngine *self)
{
  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), NULL);
  return self->client;
}

void
cp_sync_engine_set_chunk_size (CpSyncEngine *self,
                               gsize         chunk_size)
{
  g_return_if_fail (CP_IS_SYNC_ENGINE (self));
  g_return_if_fail (chunk_size >= 1024);
  self->chunk_size = chunk_size;
}

void
cp_sync_engine_set_templates_max_age (CpSyncEngine *self,
                                      guint         seconds)
{
  g_return_if_fail (CP_IS_SYNC_ENGINE (self));
  self->templates_max_age = seconds;
}

gboolean
cp_sync_engine_is_syncing (CpSyncEngine *self)
{
  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), FALSE);
  return g_atomic_int_get (&self->syncing) != 0;
}

void
cp_sync_engine_sync_async (CpSyncEngine        *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CpSyncRun *run;

  g_return_if_fail (CP_IS_SYNC_ENGINE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_engine_sync_async);
  if (!g_atomic_int_compare_and_exchange (&self->syncing, 0, 1))
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_BUSY, "%s",
                               _("A sync is already running."));
      return;
    }

  run = g_new0 (CpSyncRun, 1);
  run->self = g_object_ref (self);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->repush = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->requests_at_start = cp_sync_client_get_n_requests (self->client);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_run_in_thread (task, sync_thread);
}

gboolean
cp_sync_engine_sync_finish (CpSyncEngine  *self,
                            GAsyncResult  *result,
                            CpSyncStats   *stats,
                            GError       **error)
{
  CpSyncRun *run;

  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_engine_sync_async,
                        FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (stats != NULL)
    {
      if (run != NULL)
        *stats = run->stats;
      else
        memset (stats, 0, sizeof *stats);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
cp_sync_engine_submit_async (CpSyncEngine        *self,
                             const char          *uuid,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CpSyncRun *run;

  g_return_if_fail (CP_IS_SYNC_ENGINE (self));
  g_return_if_fail (uuid != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_engine_submit_async);
  if (!g_atomic_int_compare_and_exchange (&self->syncing, 0, 1))
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_BUSY, "%s",
                               _("A sync is already running."));
      return;
    }

  run = g_new0 (CpSyncRun, 1);
  run->self = g_object_ref (self);
  run->context = g_main_context_ref_thread_default ();
  run->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  run->repush = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  run->submit_uuid = g_strdup (uuid);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);
  g_task_run_in_thread (task, submit_thread);
}

gboolean
cp_sync_engine_submit_finish (CpSyncEngine  *self,
                              GAsyncResult  *result,
                              GPtrArray    **findings,
                              GError       **error)
{
  CpSyncRun *run;

  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_engine_submit_async,
                        FALSE);

  run = g_task_get_task_data (G_TASK (result));
  if (findings != NULL)
    *findings = run != NULL && run->findings != NULL ? g_ptr_array_ref (run->findings) : NULL;
  return g_task_propagate_boolean (G_TASK (result), error);
}

CpMergeResult *
cp_sync_engine_load_conflict (CpSyncEngine  *self,
                              const char    *uuid,
                              GError       **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(CpPacket) mine = NULL;
  g_autoptr(CpPacket) theirs = NULL;
  g_autoptr(CpPacket) base = NULL;
  g_autofree char *base_body = NULL;
  const char *theirs_body;
  ConflictRead *read;
  guint64 version = 0;

  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  path = cp_sync_journal_path (self, "conflicts", uuid);
  node = cp_sync_journal_read_json (path);
  theirs_body = cp_sync_object_string (node, "theirs");
  if (theirs_body == NULL)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND,
                   _("This packet has no conflict to resolve."));
      return NULL;
    }
  theirs = cp_packet_new_from_data (theirs_body, -1, "conflict", error);
  if (theirs == NULL)
    return NULL;
  mine = cp_store_load_packet_versioned (self->store, uuid, &version, error);
  if (mine == NULL)
    return NULL;
  if (!cp_store_get_sync_info (self->store, uuid, NULL, NULL, &base_body, error))
    return NULL;
  if (base_body != NULL)
    base = cp_packet_new_from_data (base_body, -1, "base", NULL);
  /* What the result is made of, so that resolving it does not overwrite a later edit. */
  read = g_new0 (ConflictRead, 1);
  read->mine = g_object_ref (mine);
  read->version = version;
  g_hash_table_replace (self->conflict_reads, g_strdup (uuid), read);
  return cp_merge_packets (base, mine, theirs);
}

/* Saves the resolved packet over the local one, pending on the server's revision. The write is
 * conditional on the version the conflict page's merge was computed from: if the packet was
 * edited since, the edits are merged into the resolution (three-way, against what the page
 * showed); an edit of a field the user also resolved is a new conflict to look at. */
static gboolean
save_resolution (CpSyncEngine  *self,
                 const char    *uuid,
                 CpPacket      *resolved,
                 const char    *theirs_revision,
                 const char    *theirs_body,
                 GError       **error)
{
  ConflictRead *read = g_hash_table_lookup (self->conflict_reads, uuid);
  g_autoptr(CpPacket) shown = NULL;
  g_autoptr(CpPacket) candidate = g_object_ref (resolved);
  g_autoptr(GError) local_error = NULL;
  guint64 version = 0;

  if (read != NULL)
    {
      shown = g_object_ref (read->mine);
      version = read->version;
    }
  else
    {
      /* Resolved without load_conflict: the packet as it is now is what was resolved. */
      shown = cp_store_load_packet_versioned (self->store, uuid, &version, error);
      if (shown == NULL)
        return FALSE;
    }

  for (guint round = 0; round < MAX_CAS_ROUNDS; round++)
    {
      g_autoptr(CpPacket) now = NULL;
      g_autoptr(CpMergeResult) result = NULL;

      g_clear_error (&local_error);
      if (cp_store_save_packet_if_unchanged (self->store, candidate, version,
                                             CP_STORE_SYNC_PENDING, theirs_revision, theirs_body,
                                             NULL, &local_error))
        return TRUE;
      if (!is_changed (local_error))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      now = cp_store_load_packet_versioned (self->store, uuid, &version, error);
      if (now == NULL)
        return FALSE;
      result = cp_merge_packets (shown, now, resolved);
      if (cp_merge_result_has_conflicts (result) || cp_merge_result_get_packet (result) == NULL)
        {
          g_hash_table_remove (self->conflict_reads, uuid);
          g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED, "%s",
                       _("The packet was edited while the conflict was being resolved. Look "
                         "at the differences again."));
          return FALSE;
        }
      g_set_object (&candidate, cp_merge_result_get_packet (result));
    }
  set_still_changing (error, uuid, local_error);
  return FALSE;
}

gboolean
cp_sync_engine_resolve_conflict (CpSyncEngine   *self,
                                 const char     *uuid,
                                 CpMergeResult  *result,
                                 GError        **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;
  const char *theirs_body;
  const char *theirs_revision;
  CpPacket *merged;

  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (uuid != NULL && result != NULL, FALSE);

  if (cp_merge_result_has_conflicts (result))
    {
      g_set_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                   _("Some fields still differ. Choose a value for each of them first."));
      return FALSE;
    }
  merged = cp_merge_result_get_packet (result);
  if (merged == NULL || !g_str_equal (cp_packet_get_uuid (merged), uuid))
    {
      g_set_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                   _("The merged packet is not valid."));
      return FALSE;
    }
  path = cp_sync_journal_path (self, "conflicts", uuid);
  node = cp_sync_journal_read_json (path);
  theirs_body = cp_sync_object_string (node, "theirs");
  theirs_revision = cp_sync_object_string (node, "theirs_revision");
  if (theirs_body == NULL || theirs_revision == NULL)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND,
                   _("This packet has no conflict to resolve."));
      return FALSE;
    }
  if (!save_resolution (self, uuid, merged, theirs_revision, theirs_body, error))
    return FALSE;
  g_hash_table_remove (self->conflict_reads, uuid);
  g_unlink (path);
  return TRUE;
}

JsonNode *
cp_sync_engine_get_rejection (CpSyncEngine *self,
                              const char   *uuid)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  path = cp_sync_journal_path (self, "rejections", uuid);
  return cp_sync_journal_read_json (path);
}

char *
cp_sync_engine_get_templates_dir (CpSyncEngine *self)
{
  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), NULL);
  return g_strdup (self->templates_dir);
}

gboolean
cp_sync_engine_load_templates (CpSyncEngine        *self,
                               CpTemplateRegistry  *registry,
                               GError             **error)
{
  g_return_val_if_fail (CP_IS_SYNC_ENGINE (self), FALSE);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), FALSE);

  return cp_template_registry_load_directory (registry, self->templates_dir, error);
}

char *
cp_sync_engine_templates_dir_for_store (CpStore *store)
{
  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  return g_build_filename (cp_store_get_directory (store), "sync", "templates", NULL);
}

char *
cp_sync_engine_dup_last_user (CpStore    *store,
                              const char *server_url)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  if (server_url == NULL)
    return NULL;
  path = g_build_filename (cp_store_get_directory (store), "sync", "state.json", NULL);
  node = cp_sync_journal_read_json (path);
  if (g_strcmp0 (cp_sync_object_string (node, "server"), server_url) != 0)
    return NULL;
  return g_strdup (cp_sync_object_string (node, "user"));
}

GPtrArray *
cp_sync_engine_load_comments (CpStore    *store,
                              const char *uuid)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  path = comments_path (store, uuid);
  node = path != NULL ? cp_sync_journal_read_json (path) : NULL;
  return cp_comment_list_from_json (node, uuid);
}

/* --- one store per account ---------------------------------------------------------------- */

#define ACCOUNTS_FILE "accounts.json"

static char *
account_key (const char *server_url,
             const char *user)
{
  g_autofree char *both = g_strconcat (server_url, "\n", user, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, both, -1);

  return g_strndup (hash, 32);
}

/* A relative folder from accounts.json: "." or "accounts/" and 32 hexadecimal digits, and
 * nothing else (the file is ours, but it names folders). */
static gboolean
account_folder_is_valid (const char *folder)
{
  if (g_strcmp0 (folder, ".") == 0)
    return TRUE;
  if (folder == NULL || !g_str_has_prefix (folder, "accounts/") || strlen (folder) != 9 + 32)
    return FALSE;
  for (const char *p = folder + 9; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

static JsonArray *
accounts_of (JsonNode *node)
{
  JsonNode *list;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  list = json_object_get_member (json_node_get_object (node), "accounts");
  return list != NULL && JSON_NODE_HOLDS_ARRAY (list) ? json_node_get_array (list) : NULL;
}

char *
cp_sync_engine_dup_account_directory (const char  *base_dir,
                                      const char  *server_url,
                                      const char  *user,
                                      GError     **error)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) old = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *folder = NULL;
  JsonArray *accounts;
  gboolean base_taken = FALSE;

  g_return_val_if_fail (base_dir != NULL && server_url != NULL && user != NULL, NULL);

  path = g_build_filename (base_dir, ACCOUNTS_FILE, NULL);
  old = cp_sync_journal_read_json (path);
  accounts = accounts_of (old);
  for (guint i = 0; accounts != NULL && i < json_array_get_length (accounts); i++)
    {
      JsonNode *entry = json_array_get_element (accounts, i);
      const char *entry_folder = cp_sync_object_string (entry, "folder");

      if (!account_folder_is_valid (entry_folder))
        continue;
      if (g_str_equal (entry_folder, "."))
        base_taken = TRUE;
      if (g_strcmp0 (cp_sync_object_string (entry, "server"), server_url) == 0 &&
          g_strcmp0 (cp_sync_object_string (entry, "user"), user) == 0)
        folder = g_strdup (entry_folder);
    }

  if (folder == NULL && !base_taken)
    {
      g_autofree char *state_path = g_build_filename (base_dir, "sync", "state.json", NULL);
      g_autoptr(JsonNode) state = cp_sync_journal_read_json (state_path);
      const char *state_server = cp_sync_object_string (state, "server");
      const char *state_user = cp_sync_object_string (state, "user");

      /* The packets in @base_dir belong to the account whose sync state is there (an older
       * version had one store for all), or, never synced, to the first that logs in. */
      if (state_user == NULL ||
          (g_strcmp0 (state_server, server_url) == 0 && g_str_equal (state_user, user)))
        folder = g_strdup (".");
      else if (accounts == NULL)
        {
          /* Record the owner found in the state, so that the base folder stays theirs. */
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "accounts");
          json_builder_begin_array (builder);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "server");
          json_builder_add_string_value (builder, state_server != NULL ? state_server : "");
          json_builder_set_member_name (builder, "user");
          json_builder_add_string_value (builder, state_user);
          json_builder_set_member_name (builder, "folder");
          json_builder_add_string_value (builder, ".");
          json_builder_end_object (builder);
          json_builder_end_array (builder);
          json_builder_end_object (builder);
          g_clear_pointer (&old, json_node_unref);
          old = json_builder_get_root (builder);
          accounts = accounts_of (old);
          json_builder_reset (builder);
        }
    }
  if (folder == NULL)
    {
      g_autofree char *key = account_key (server_url, user);

      folder = g_strconcat ("accounts/", key, NULL);
    }

  /* The map again, with this account last. */
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "accounts");
  json_builder_begin_array (builder);
  for (guint i = 0; accounts != NULL && i < json_array_get_length (accounts); i++)
    {
      JsonNode *entry = json_array_get_element (accounts, i);

      if (!account_folder_is_valid (cp_sync_object_string (entry, "folder")) ||
          (g_strcmp0 (cp_sync_object_string (entry, "server"), server_url) == 0 &&
           g_strcmp0 (cp_sync_object_string (entry, "user"), user) == 0))
        continue;
      json_builder_add_value (builder, json_node_copy (entry));
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "server");
  json_builder_add_string_value (builder, server_url);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, user);
  json_builder_set_member_name (builder, "folder");
  json_builder_add_string_value (builder, folder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  if (!cp_sync_journal_write_json (path, root, error))
    return NULL;

  if (g_str_equal (folder, "."))
    return g_strdup (base_dir);
  return g_build_filename (base_dir, folder, NULL);
}

char *
cp_sync_engine_dup_last_account_directory (const char *base_dir)
{
  g_autofree char *path = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *accounts;
  const char *folder;

  g_return_val_if_fail (base_dir != NULL, NULL);

  path = g_build_filename (base_dir, ACCOUNTS_FILE, NULL);
  node = cp_sync_journal_read_json (path);
  accounts = accounts_of (node);
  if (accounts == NULL || json_array_get_length (accounts) == 0)
    return g_strdup (base_dir);
  folder = cp_sync_object_string (json_array_get_element (accounts,
                                                          json_array_get_length (accounts) - 1),
                                  "folder");
  if (!account_folder_is_valid (folder) || g_str_equal (folder, "."))
    return g_strdup (base_dir);
  return g_build_filename (base_dir, folder, NULL);
}
