/* cp-server-blobs.c — content-addressed attachments: missing, chunked resumable upload, download
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blobs live in DATA_DIR/blobs/ab/abcdef… (named by their SHA-256). An upload streams into
 * DATA_DIR/blobs/partial/<sha256>.u<user id> as the chunks arrive (libsoup's accumulation is off),
 * so a broken connection leaves what arrived on disk and the client resumes from there
 * (Content-Range: bytes START-END/TOTAL, START = the bytes already stored). One request at a time
 * writes a partial file (an exclusive flock, across server processes too: a second one gets 409
 * upload-in-progress). When the last byte is in, the file is synced and then hashed as it is on
 * disk; a file whose hash is its name is linked into place unless the blob exists already (a
 * stored blob is never replaced). A user keeps at most max-partials unfinished uploads (the oldest
 * go first) for partial-ttl at most; cp_server_collect_garbage() also removes blobs no revision
 * lists once they are older than blob-grace.
 *
 * A blob counts as present for a user only if that user uploaded it or can see a packet where
 * someone who uploaded it listed it: otherwise "missing" says it is missing and the user uploads
 * it, so nobody can learn whether someone else holds a given file, nor read it by listing its
 * hash.
 */
#define _GNU_SOURCE  /* sync_file_range */
#include "config.h"

#include "cp-server-private.h"

#include "cp-json-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef CP_SERVER_HAVE_NETTLE
#include <nettle/sha2.h>
#endif

#define MAX_MISSING_QUERY 10000

/* SHA-256 of uploads: nettle when available (it uses the CPU's SHA extensions, about seven times
 * GLib's speed here), GChecksum otherwise. */
typedef struct
{
#ifdef CP_SERVER_HAVE_NETTLE
  struct sha256_ctx ctx;
#else
  GChecksum *checksum;
#endif
} CpSha256;

static CpSha256 *
cp_sha256_new (void)
{
  CpSha256 *self = g_new0 (CpSha256, 1);

#ifdef CP_SERVER_HAVE_NETTLE
  sha256_init (&self->ctx);
#else
  self->checksum = g_checksum_new (G_CHECKSUM_SHA256);
#endif
  return self;
}

static void
cp_sha256_update (CpSha256     *self,
                  const guint8 *data,
                  gsize         length)
{
#ifdef CP_SERVER_HAVE_NETTLE
  sha256_update (&self->ctx, length, data);
#else
  g_checksum_update (self->checksum, data, length);
#endif
}

/* The lowercase hex digest; frees @self. */
static char *
cp_sha256_finish (CpSha256 *self)
{
  char *hex;
#ifdef CP_SERVER_HAVE_NETTLE
  guint8 digest[SHA256_DIGEST_SIZE];

  sha256_digest (&self->ctx, sizeof digest, digest);
  hex = g_malloc (2 * SHA256_DIGEST_SIZE + 1);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    {
      hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
      hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 0xf];
    }
  hex[2 * SHA256_DIGEST_SIZE] = '\0';
#else
  hex = g_strdup (g_checksum_get_string (self->checksum));
  g_checksum_free (self->checksum);
#endif
  g_free (self);
  return hex;
}

static void
cp_sha256_free (CpSha256 *self)
{
  g_free (cp_sha256_finish (self));
}

struct _CpBlobUpload
{
  char     *path;
  int       fd;          /* holds an exclusive flock while the request lasts */
  guint64   start;
  guint64   length;      /* bytes this request may carry */
  guint64   total;       /* the blob's size, or 0 when the body is the whole blob */
  gboolean  has_range;
  guint64   written;
  gboolean  overflow;
  int       write_errno;
  guint64   flushed;     /* bytes of this request handed to writeback already */
};

/* Start writing back every 8 MiB as the upload streams, so that the final fsync has little left
 * to do (Linux; elsewhere the final fsync does it all). */
#define WRITEBACK_STEP (8 * 1024 * 1024)

void
cp_server_blob_upload_free (CpBlobUpload *upload)
{
  if (upload == NULL)
    return;
  if (upload->fd >= 0)
    close (upload->fd);
  g_free (upload->path);
  g_free (upload);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpBlobUpload, cp_server_blob_upload_free)

char *
cp_server_blob_path (CpServer   *self,
                     const char *sha256)
{
  char prefix[3] = { sha256[0], sha256[1], '\0' };

  g_assert (cp_sha256_text_is_valid (sha256));
  return g_build_filename (self->blob_dir, prefix, sha256, NULL);
}

gboolean
cp_server_blob_exists (CpServer   *self,
                       const char *sha256)
{
  g_autofree char *path = cp_server_blob_path (self, sha256);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static char *
partial_path (CpServer   *self,
              const char *sha256,
              gint64      user_id)
{
  g_autofree char *name = g_strdup_printf ("%s.u%" G_GINT64_FORMAT, sha256, user_id);

  return g_build_filename (self->partial_dir, name, NULL);
}

/* A partial file that no request is writing: NOT locked by anyone. Used before removing one. */
static gboolean
partial_is_idle (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean idle;

  if (fd < 0)
    return FALSE;
  idle = flock (fd, LOCK_EX | LOCK_NB) == 0;
  close (fd);
  return idle;
}

typedef struct
{
  char   *path;
  gint64  mtime;
} Partial;

static void
partial_free (Partial *partial)
{
  g_free (partial->path);
  g_free (partial);
}

static int
compare_partials (gconstpointer a,
                  gconstpointer b)
{
  const Partial *pa = *(const Partial * const *) a;
  const Partial *pb = *(const Partial * const *) b;

  return pa->mtime < pb->mtime ? -1 : pa->mtime > pb->mtime;
}

/* The unfinished uploads of @user_id (every user's when < 0), oldest first. */
static GPtrArray *
list_partials (CpServer *self,
               gint64    user_id)
{
  g_autoptr(GDir) dir = g_dir_open (self->partial_dir, 0, NULL);
  g_autofree char *suffix = user_id >= 0 ? g_strdup_printf (".u%" G_GINT64_FORMAT, user_id)
                                         : NULL;
  GPtrArray *partials = g_ptr_array_new_with_free_func ((GDestroyNotify) partial_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;
      Partial *partial;

      if (suffix != NULL && !g_str_has_suffix (name, suffix))
        continue;
      path = g_build_filename (self->partial_dir, name, NULL);
      if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode))
        continue;
      partial = g_new0 (Partial, 1);
      partial->path = g_steal_pointer (&path);
      partial->mtime = (gint64) st.st_mtime;
      g_ptr_array_add (partials, partial);
    }
  g_ptr_array_sort (partials, compare_partials);
  return partials;
}

/* Before a user starts a new upload: keep at most max_partials - 1 of their unfinished ones, so
 * that abandoned uploads cannot fill the disk. The oldest go first; one being written stays. */
static void
trim_partials (CpServer *self,
               gint64    user_id)
{
  g_autoptr(GPtrArray) partials = list_partials (self, user_id);
  guint keep = MAX (self->config.max_partials, 1) - 1;
  guint left = partials->len;

  for (guint i = 0; i < partials->len && left > keep; i++)
    {
      Partial *partial = g_ptr_array_index (partials, i);

      if (partial_is_idle (partial->path) && g_unlink (partial->path) == 0)
        left--;
    }
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return 0;
  return (guint64) st.st_size;
}

static gboolean
visible (CpServer     *self,
         CpRequest    *request,
         const char   *sha256)
{
  return cp_server_blob_exists (self, sha256) &&
         cp_server_storage_can_see_blob (self->storage, request->user, sha256, NULL);
}

static void
reply_too_large (CpServer          *self,
                 SoupServerMessage *msg)
{
  g_autofree char *detail = g_strdup_printf ("Attachments are limited to %" G_GUINT64_FORMAT
                                             " bytes.", self->config.max_blob);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large", detail, NULL);
}

void
cp_server_blob_upload_begin (CpServer          *self,
                             SoupServerMessage *msg,
                             CpRequest         *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *content_range = soup_message_headers_get_one (headers, "Content-Range");
  g_autoptr(CpBlobUpload) upload = g_new0 (CpBlobUpload, 1);
  gboolean has_length = soup_message_headers_get_encoding (headers) ==
                        SOUP_ENCODING_CONTENT_LENGTH;
  goffset content_length = has_length ? soup_message_headers_get_content_length (headers) : 0;
  guint64 stored;

  upload->fd = -1;
  if (request->user->role == CP_SERVER_ROLE_OFFICE)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                               "Credit offices do not upload attachments.", NULL);
      return;
    }

  if (content_range != NULL)
    {
      guint64 end;

      if (!cp_server_parse_content_range (content_range, &upload->start, &end, &upload->total))
        {
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-range",
                                   "Content-Range must read “bytes START-END/TOTAL” with "
                                   "START ≤ END < TOTAL.", NULL);
          return;
        }
      if (upload->total > self->config.max_blob)
        {
          reply_too_large (self, msg);
          return;
        }
      upload->has_range = TRUE;
      upload->length = end - upload->start + 1;
      if (has_length && (guint64) content_length != upload->length)
        {
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-range",
                                   "Content-Length does not match the Content-Range.", NULL);
          return;
        }
    }
  else
    {
      if (has_length && (guint64) content_length > self->config.max_blob)
        {
          reply_too_large (self, msg);
          return;
        }
      upload->start = 0;
      upload->length = self->config.max_blob;
    }

  upload->path = partial_path (self, request->sha256, request->user->id);
  if (!g_file_test (upload->path, G_FILE_TEST_EXISTS))
    trim_partials (self, request->user->id);
  upload->fd = g_open (upload->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (upload->fd < 0)
    {
      g_warning ("Could not open %s for an upload: %s", upload->path, g_strerror (errno));
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not store the upload.", NULL);
      return;
    }
  /* One request at a time per user and blob: a second one writing the same partial file would
   * change bytes under the first one's feet. */
  if (flock (upload->fd, LOCK_EX | LOCK_NB) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "5");
      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "upload-in-progress",
                               "Another request is uploading this attachment for this user. "
                               "Wait for it to end, then ask the upload status.", NULL);
      return;
    }
  stored = file_size (upload->path);
  if (upload->start > stored)
    {
      JsonObject *extra = json_object_new ();
      g_autofree char *detail = g_strdup_printf ("The server holds the first %" G_GUINT64_FORMAT
                                                 " bytes; continue from there.", stored);

      json_object_set_int_member (extra, "received", (gint64) stored);
      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "upload-offset", detail, extra);
      return;
    }

  if (ftruncate (upload->fd, (off_t) upload->start) != 0 ||
      lseek (upload->fd, (off_t) upload->start, SEEK_SET) < 0)
    {
      g_warning ("Could not prepare %s for an upload: %s", upload->path, g_strerror (errno));
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not store the upload.", NULL);
      return;
    }
  request->upload = g_steal_pointer (&upload);
}

void
cp_server_blob_upload_chunk (CpRequest *request,
                             GBytes    *chunk)
{
  CpBlobUpload *upload = request->upload;
  gsize size;
  const guint8 *data = g_bytes_get_data (chunk, &size);

  if (upload->overflow || upload->write_errno != 0)
    return;
  if (upload->written + size > upload->length)
    {
      upload->overflow = TRUE;
      return;
    }
  while (size > 0)
    {
      gssize n = write (upload->fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          upload->write_errno = n < 0 ? errno : EIO;
          return;
        }
      data += n;
      size -= (gsize) n;
      upload->written += (guint64) n;
    }
#ifdef SYNC_FILE_RANGE_WRITE
  if (upload->written - upload->flushed >= WRITEBACK_STEP)
    {
      sync_file_range (upload->fd, (off64_t) (upload->start + upload->flushed),
                       (off64_t) (upload->written - upload->flushed), SYNC_FILE_RANGE_WRITE);
      upload->flushed = upload->written;
    }
#endif
}

static char *
hash_file (int      fd,
           GError **error)
{
  CpSha256 *checksum = cp_sha256_new ();
  g_autofree guint8 *buffer = g_malloc (256 * 1024);

  if (lseek (fd, 0, SEEK_SET) < 0)
    goto fail;
  for (;;)
    {
      gssize n = read (fd, buffer, 256 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      if (n == 0)
        break;
      cp_sha256_update (checksum, buffer, (gsize) n);
    }
  return cp_sha256_finish (checksum);

fail:
  {
    int saved = errno;

    cp_sha256_free (checksum);
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s", g_strerror (saved));
  }
  return NULL;
}

static void
reply_upload_state (SoupServerMessage *msg,
                    guint              status,
                    const char        *sha256,
                    guint64            received,
                    gboolean           complete)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "sha256", sha256);
  json_object_set_int_member (object, "received", (gint64) received);
  json_object_set_boolean_member (object, "complete", complete);
  json_node_set_object (node, object);
  cp_server_reply_json (msg, status, node);
}

static void
finish_upload (CpServer          *self,
               SoupServerMessage *msg,
               CpRequest         *request)
{
  CpBlobUpload *upload = request->upload;
  g_autoptr(GError) error = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *final_path = NULL;
  g_autofree char *final_dir = NULL;
  guint64 size;
  int dir_fd;

  if (upload == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The upload was not prepared.", NULL);
      return;
    }
  if (upload->write_errno != 0)
    {
      g_warning ("Writing %s failed: %s", upload->path, g_strerror (upload->write_errno));
      cp_server_reply_problem (msg, upload->write_errno == ENOSPC ? SOUP_STATUS_INSUFFICIENT_STORAGE
                                                                 : SOUP_STATUS_INTERNAL_SERVER_ERROR,
                               "internal", "The server could not store the upload.", NULL);
      return;
    }
  if (upload->overflow)
    {
      /* Drop the excess: what is stored stays a clean prefix. */
      if (ftruncate (upload->fd, (off_t) (upload->start + upload->written)) != 0)
        g_warning ("Could not truncate %s: %s", upload->path, g_strerror (errno));
      if (upload->has_range)
        cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-range",
                                 "The body is longer than its Content-Range says.", NULL);
      else
        reply_too_large (self, msg);
      return;
    }
  if (upload->has_range && upload->written != upload->length)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-range",
                               "The body is shorter than its Content-Range says.", NULL);
      return;
    }

  size = upload->start + upload->written;
  if (upload->has_range && size < upload->total)
    {
      reply_upload_state (msg, SOUP_STATUS_ACCEPTED, request->sha256, size, FALSE);
      return;
    }

  if (fsync (upload->fd) != 0)
    {
      g_warning ("Could not sync %s: %s", upload->path, g_strerror (errno));
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not store the upload.", NULL);
      return;
    }
  /* The file as it is on disk, not the bytes as they streamed past: only they are stored. */
  actual = hash_file (upload->fd, &error);
  if (actual == NULL)
    {
      g_warning ("Could not hash %s: %s", upload->path, error->message);
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not verify the upload.", NULL);
      return;
    }
  if (!g_str_equal (actual, request->sha256))
    {
      JsonObject *extra = json_object_new ();

      g_unlink (upload->path);
      json_object_set_string_member (extra, "actual", actual);
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "hash-mismatch",
                               "The uploaded bytes do not have the SHA-256 in the URL; the "
                               "upload was discarded. Upload the file again from the start.",
                               extra);
      return;
    }

  final_path = cp_server_blob_path (self, request->sha256);
  final_dir = g_path_get_dirname (final_path);
  /* A new name for the file, never a replacement: link() fails when the blob exists (stored by
   * someone else meanwhile, with the same bytes since the name is their hash). */
  if (g_mkdir_with_parents (final_dir, 0700) != 0 ||
      (link (upload->path, final_path) != 0 && errno != EEXIST))
    {
      g_warning ("Could not move the blob into %s: %s", final_path, g_strerror (errno));
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not store the upload.", NULL);
      return;
    }
  g_unlink (upload->path);
  /* Make the new name durable before saying so. */
  dir_fd = g_open (final_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  if (!cp_server_storage_add_blob_owner (self->storage, request->sha256, request->user->id,
                                         &error))
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  reply_upload_state (msg, SOUP_STATUS_CREATED, request->sha256, size, TRUE);
}

static void
handle_missing (CpServer          *self,
                SoupServerMessage *msg,
                CpRequest         *request)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hashes = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *missing;
  guint bad_index = G_MAXUINT;

  object = cp_server_parse_body_object (msg, request);
  if (object == NULL)
    return;
  hashes = cp_server_parse_hash_list (object, MAX_MISSING_QUERY, &bad_index, &error);
  if (hashes == NULL)
    {
      if (g_error_matches (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE))
        cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                                 error->message, NULL);
      else if (bad_index != G_MAXUINT)
        {
          JsonObject *extra = json_object_new ();
          g_autofree char *pointer = g_strdup_printf ("/sha256/%u", bad_index);

          json_object_set_string_member (extra, "pointer", pointer);
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-hash", error->message,
                                   extra);
        }
      else
        cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                                 error->message, NULL);
      return;
    }

  missing = json_array_new ();
  for (guint i = 0; i < hashes->len; i++)
    {
      const char *sha256 = g_ptr_array_index (hashes, i);

      if (!visible (self, request, sha256))
        json_array_add_string_element (missing, sha256);
    }
  reply = json_object_new ();
  json_object_set_array_member (reply, "missing", missing);
  node = json_node_init_object (json_node_alloc (), reply);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_download (CpServer          *self,
                 SoupServerMessage *msg,
                 CpRequest         *request)
{
  g_autofree char *path = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (!visible (self, request, request->sha256))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found",
                               "No such attachment for this user.", NULL);
      return;
    }
  path = cp_server_blob_path (self, request->sha256);
  mapped = g_mapped_file_new (path, FALSE, &error);
  if (mapped == NULL)
    {
      g_warning ("Could not read %s: %s", path, error->message);
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not read the attachment.", NULL);
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  etag = g_strdup_printf ("\"%s\"", request->sha256);
  soup_message_headers_replace (headers, "ETag", etag);
  soup_message_headers_replace (headers, "Cache-Control", "private, max-age=31536000, immutable");
  soup_message_headers_set_content_type (headers, "application/octet-stream", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
handle_status (CpServer          *self,
               SoupServerMessage *msg,
               CpRequest         *request)
{
  g_autofree char *path = NULL;

  if (visible (self, request, request->sha256))
    {
      g_autofree char *final_path = cp_server_blob_path (self, request->sha256);

      reply_upload_state (msg, SOUP_STATUS_OK, request->sha256, file_size (final_path), TRUE);
      return;
    }
  path = partial_path (self, request->sha256, request->user->id);
  reply_upload_state (msg, SOUP_STATUS_OK, request->sha256, file_size (path), FALSE);
}

guint
cp_server_collect_garbage (CpServer *self)
{
  g_autoptr(GPtrArray) partials = NULL;
  g_autoptr(GDir) dir = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *prefix;
  guint removed = 0;

  g_return_val_if_fail (CP_IS_SERVER (self), 0);

  /* Unfinished uploads that rested too long are not coming back. */
  partials = list_partials (self, -1);
  for (guint i = 0; i < partials->len; i++)
    {
      Partial *partial = g_ptr_array_index (partials, i);

      if (partial->mtime + (gint64) self->config.partial_ttl < now &&
          partial_is_idle (partial->path) && g_unlink (partial->path) == 0)
        removed++;
    }

  /* Blobs no revision ever listed, once they are old enough that no push is on its way with
   * them. */
  if (self->storage == NULL)
    return removed;
  dir = g_dir_open (self->blob_dir, 0, NULL);
  while (dir != NULL && (prefix = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *sub_path = NULL;
      g_autoptr(GDir) sub = NULL;
      const char *name;

      if (strlen (prefix) != 2 || !g_ascii_isxdigit (prefix[0]) || !g_ascii_isxdigit (prefix[1]))
        continue;
      sub_path = g_build_filename (self->blob_dir, prefix, NULL);
      sub = g_dir_open (sub_path, 0, NULL);
      while (sub != NULL && (name = g_dir_read_name (sub)) != NULL)
        {
          g_autofree char *path = NULL;
          g_autoptr(GError) error = NULL;
          gboolean referenced = TRUE;
          GStatBuf st;

          if (!cp_sha256_is_valid (name) || strncmp (name, prefix, 2) != 0)
            continue;
          path = g_build_filename (sub_path, name, NULL);
          if (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode) ||
              (gint64) st.st_mtime + (gint64) self->config.blob_grace >= now)
            continue;
          if (!cp_server_storage_blob_is_referenced (self->storage, name, &referenced,
                                                     &error))
            {
              g_message ("Garbage collection stopped: %s", error->message);
              return removed;
            }
          if (referenced)
            continue;
          if (g_unlink (path) == 0)
            {
              removed++;
              if (!cp_server_storage_forget_blob (self->storage, name, &error))
                g_message ("Could not forget the uploaders of %s: %s", name, error->message);
            }
        }
    }
  return removed;
}

void
cp_server_handle_blobs (CpServer          *self,
                        SoupServerMessage *msg,
                        CpRequest         *request)
{
  const char *method = soup_server_message_get_method (msg);

  switch (request->route)
    {
    case CP_ROUTE_BLOBS_MISSING:
      handle_missing (self, msg, request);
      break;
    case CP_ROUTE_BLOB_STATUS:
      handle_status (self, msg, request);
      break;
    case CP_ROUTE_BLOB:
      if (g_str_equal (method, "PUT"))
        finish_upload (self, msg, request);
      else
        handle_download (self, msg, request);
      break;
    case CP_ROUTE_NONE:
    case CP_ROUTE_SESSION:
    case CP_ROUTE_LIMITS:
    case CP_ROUTE_TEMPLATES:
    case CP_ROUTE_CHANGES:
    case CP_ROUTE_PROGRESS:
    case CP_ROUTE_AGENCIES:
    case CP_ROUTE_REPORTS:
    case CP_ROUTE_REPORT:
    case CP_ROUTE_PACKET:
    case CP_ROUTE_REVISIONS:
    case CP_ROUTE_REVISION:
    case CP_ROUTE_COMMENTS:
    case CP_ROUTE_SUBMIT:
    case CP_ROUTE_RETURN:
    case CP_ROUTE_ACCEPT:
    case CP_ROUTE_TRANSITIONS:
    case CP_ROUTE_SIGNATURES:
    case CP_ROUTE_AUTHORS:
    default:
      g_assert_not_reached ();
    }
}
