/* cp-sync-blobs.c — the sync engine's attachment uploads
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before a packet is pushed, its attachments the server lacks are uploaded in chunks
 * (docs/sync.md); after a broken connection the upload asks the server how much arrived and
 * goes on from there.
 */
#include "config.h"

#include "cp-sync-engine-private.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#define MISSING_BATCH 10000

static void
blob_wrote_cb (gsize    n_bytes,
               gpointer user_data)
{
  CpSyncRun *run = user_data;

  run->blob_sent += n_bytes;
  run->stats.bytes_uploaded += n_bytes;
  if (run->blob_sent - run->blob_reported >= 1024 * 1024 || run->blob_sent >= run->blob_total)
    {
      run->blob_reported = run->blob_sent;
      cp_sync_run_emit (run, BLOB_PROGRESS, MIN (run->blob_sent, run->blob_total), run->blob_total);
    }
}

static gboolean
parse_upload_state (CpSyncReply *reply,
                    guint64     *received,
                    gboolean    *complete)
{
  JsonObject *object;
  JsonNode *node;

  if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json))
    return FALSE;
  object = json_node_get_object (reply->json);
  node = json_object_get_member (object, "received");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 || json_node_get_int (node) < 0)
    return FALSE;
  *received = (guint64) json_node_get_int (node);
  *complete = json_object_get_boolean_member_with_default (object, "complete", FALSE);
  return TRUE;
}

/* Asks the server how much of the blob it holds. */
static gboolean
blob_status (CpSyncRun   *run,
             const char  *sha256,
             guint64     *received,
             gboolean    *complete,
             GError     **error)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/blobs/%s/status", sha256);
  g_autoptr(CpSyncReply) reply = NULL;

  reply = cp_sync_client_request (run->self->client, "GET", path, NULL, NULL, NULL, NULL, NULL,
                                  run->cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->status == 404)
    {
      *received = 0;
      *complete = FALSE;
      return TRUE;
    }
  if (reply->status != 200 || !parse_upload_state (reply, received, complete))
    {
      g_propagate_error (error, reply->status != 200
                                ? cp_sync_reply_to_error (reply)
                                : cp_sync_bad_reply_error ("an upload status"));
      return FALSE;
    }
  return TRUE;
}

static GBytes *
read_chunk (GInputStream  *stream,
            guint64        offset,
            gsize          length,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree guint8 *buffer = g_malloc (MAX (length, 1));
  gsize n_read = 0;

  if (!g_seekable_seek (G_SEEKABLE (stream), (goffset) offset, G_SEEK_SET, cancellable, error) ||
      !g_input_stream_read_all (stream, buffer, length, &n_read, cancellable, error))
    return NULL;
  if (n_read != length)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_BLOB_MISMATCH,
                   _("An attachment file became shorter while it was being sent."));
      return NULL;
    }
  return g_bytes_new_take (g_steal_pointer (&buffer), length);
}

/* Uploads one blob in chunks. After a broken connection it asks the server how much arrived and
 * continues from there. FALSE with an error only for failures that end the sync; a blob the
 * server refuses is reported through @refused. */
static gboolean
upload_blob (CpSyncRun   *run,
             const char  *sha256,
             gboolean    *refused,
             GError     **error)
{
  CpSyncEngine *self = run->self;
  g_autofree char *path = cp_store_get_blob_path (self->store, sha256);
  g_autofree char *url = g_strdup_printf ("/api/v1/blobs/%s", sha256);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) stream = NULL;
  g_autoptr(GFileInfo) info = NULL;
  guint64 size, offset = 0;
  gboolean complete = FALSE;
  guint failures = 0;
  guint max_attempts = cp_sync_client_get_max_attempts (self->client);

  *refused = FALSE;
  stream = g_file_read (file, run->cancellable, error);
  if (stream == NULL)
    return FALSE;
  info = g_file_input_stream_query_info (stream, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                         run->cancellable, error);
  if (info == NULL)
    return FALSE;
  size = (guint64) g_file_info_get_size (info);

  if (!blob_status (run, sha256, &offset, &complete, error))
    return FALSE;
  if (complete)
    return TRUE;
  if (offset > size)
    offset = 0;

  for (;;)
    {
      g_autoptr(GBytes) chunk = NULL;
      g_autoptr(CpSyncReply) reply = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *range = NULL;
      gsize length = (gsize) MIN ((guint64) self->chunk_size, size - offset);
      const char *headers[] = { "Content-Range", NULL, NULL };
      gint64 retry_after = -1;

      chunk = read_chunk (G_INPUT_STREAM (stream), offset, length, run->cancellable, error);
      if (chunk == NULL)
        return FALSE;
      if (size > 0)
        {
          range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%"
                                   G_GUINT64_FORMAT, offset, offset + length - 1, size);
          headers[1] = range;
        }
      else
        headers[0] = NULL;

      reply = cp_sync_client_request_once (self->client, "PUT", url, headers, chunk,
                                           "application/octet-stream", blob_wrote_cb, run,
                                           &retry_after, run->cancellable, &local_error);
      if (reply == NULL)
        {
          if (!g_error_matches (local_error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE) &&
              !g_error_matches (local_error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (++failures >= max_attempts)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          if (!cp_sync_sleep (cp_sync_client_backoff_ms (self->client, failures - 1, retry_after),
                              run->cancellable))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                           _("Sync was cancelled."));
              return FALSE;
            }
          /* The connection broke: continue from what the server kept. */
          if (!blob_status (run, sha256, &offset, &complete, error))
            return FALSE;
          if (complete)
            break;
          if (offset > size)
            offset = 0;
          continue;
        }

      if (reply->status == 201 || reply->status == 202)
        {
          guint64 received;

          if (!parse_upload_state (reply, &received, &complete))
            {
              g_propagate_error (error, cp_sync_bad_reply_error ("an upload"));
              return FALSE;
            }
          if (complete)
            break;
          offset = MIN (received, size);
          failures = 0;
          continue;
        }
      /* A request of ours the server has not seen end yet (the connection broke and it does
       * not know): wait as it says, then continue from what it kept. */
      if (reply->status == 409 && g_strcmp0 (reply->problem_type, "upload-in-progress") == 0)
        {
          if (++failures >= max_attempts)
            {
              g_propagate_error (error, cp_sync_reply_to_error (reply));
              return FALSE;
            }
          if (!cp_sync_sleep (cp_sync_client_backoff_ms (self->client, failures - 1, retry_after),
                              run->cancellable))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                           _("Sync was cancelled."));
              return FALSE;
            }
          if (!blob_status (run, sha256, &offset, &complete, error))
            return FALSE;
          if (complete)
            break;
          if (offset > size)
            offset = 0;
          continue;
        }
      if (reply->status == 409 && g_strcmp0 (reply->problem_type, "upload-offset") == 0)
        {
          offset = (guint64) MAX (0, cp_sync_object_int (reply->json, "received", 0));
          offset = MIN (offset, size);
          if (++failures >= max_attempts)
            {
              g_propagate_error (error, cp_sync_reply_to_error (reply));
              return FALSE;
            }
          continue;
        }
      /* The server discarded an upload whose bytes did not hash to the name: if the local
       * file is intact, send it again from the start. */
      if (reply->status == 422 && g_strcmp0 (reply->problem_type, "hash-mismatch") == 0)
        {
          g_autoptr(GError) verify_error = NULL;

          if (!cp_store_verify_blob (self->store, sha256, run->cancellable, &verify_error))
            g_message ("Attachment %s is damaged locally: %s", sha256, verify_error->message);
          else if (++failures < max_attempts)
            {
              g_message ("The server discarded attachment %s (hash mismatch); sending it again",
                         sha256);
              offset = 0;
              continue;
            }
        }
      /* Refused for good (too large, forbidden, damaged here): the packets that name it are
       * sent anyway; submitting them will report the missing file. */
      g_message ("The server refused attachment %s: %u %s", sha256, reply->status,
                 reply->detail != NULL ? reply->detail : "");
      *refused = TRUE;
      return TRUE;
    }

  run->stats.blobs_uploaded++;
  return TRUE;
}

/* Asks which attachments of the outbox the server lacks and uploads those. */
gboolean
cp_sync_run_upload_missing_blobs (CpSyncRun  *run,
                                  GPtrArray  *packets,
                                  GError    **error)
{
  CpSyncEngine *self = run->self;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) hashes = g_ptr_array_new ();
  g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < packets->len; i++)
    {
      GPtrArray *attachments = cp_packet_get_attachments (g_ptr_array_index (packets, i));

      for (guint j = 0; attachments != NULL && j < attachments->len; j++)
        {
          const CpAttachment *a = g_ptr_array_index (attachments, j);

          /* A blob this store never had came from the server: nothing to send. */
          if (g_hash_table_contains (seen, a->sha256) ||
              !cp_store_has_blob (self->store, a->sha256))
            continue;
          g_hash_table_add (seen, a->sha256);
          g_ptr_array_add (hashes, a->sha256);
        }
    }

  for (guint start = 0; start < hashes->len; start += MISSING_BATCH)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) request = NULL;
      g_autoptr(GBytes) body = NULL;
      g_autoptr(CpSyncReply) reply = NULL;
      JsonNode *list;
      char *text;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sha256");
      json_builder_begin_array (builder);
      for (guint i = start; i < MIN (hashes->len, start + MISSING_BATCH); i++)
        json_builder_add_string_value (builder, g_ptr_array_index (hashes, i));
      json_builder_end_array (builder);
      json_builder_end_object (builder);
      request = json_builder_get_root (builder);
      text = json_to_string (request, FALSE);
      body = g_bytes_new_take (text, strlen (text));

      reply = cp_sync_client_request (self->client, "POST", "/api/v1/blobs/missing", NULL, body,
                                      "application/json", NULL, NULL, run->cancellable, error);
      if (reply == NULL)
        return FALSE;
      if (reply->status != 200)
        {
          g_propagate_error (error, cp_sync_reply_to_error (reply));
          return FALSE;
        }
      if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json) ||
          (list = json_object_get_member (json_node_get_object (reply->json), "missing")) == NULL ||
          !JSON_NODE_HOLDS_ARRAY (list))
        {
          g_propagate_error (error, cp_sync_bad_reply_error ("the list of missing attachments"));
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
        {
          const char *sha256 = json_array_get_string_element (json_node_get_array (list), i);

          if (sha256 == NULL || !g_hash_table_contains (seen, sha256))
            {
              g_propagate_error (error,
                                 cp_sync_bad_reply_error ("the list of missing attachments"));
              return FALSE;
            }
          g_ptr_array_add (missing, g_strdup (sha256));
        }
    }

  run->blob_total = 0;
  run->blob_sent = 0;
  run->blob_reported = 0;
  for (guint i = 0; i < missing->len; i++)
    {
      g_autofree char *path = cp_store_get_blob_path (self->store, g_ptr_array_index (missing, i));
      GStatBuf buf;

      if (g_stat (path, &buf) == 0)
        run->blob_total += (guint64) buf.st_size;
    }
  for (guint i = 0; i < missing->len; i++)
    {
      gboolean refused = FALSE;

      if (!upload_blob (run, g_ptr_array_index (missing, i), &refused, error))
        return FALSE;
    }
  if (missing->len > 0)
    cp_sync_run_emit (run, BLOB_PROGRESS, run->blob_total, run->blob_total);
  return TRUE;
}
