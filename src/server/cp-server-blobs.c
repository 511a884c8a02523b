/* cp-server-blobs.c — content-addressed attachments: missing, chunked resumable upload, download
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Blobs live in DATA_DIR/blobs/ab/abcdef… (named by their SHA-256). An upload streams into
 * DATA_DIR/blobs/partial/<sha256>.u<user id> as the chunks arrive (libsoup's accumulation is off),
 * so a broken connection leaves what arrived on disk and the client resumes from there
 * (Content-Range: bytes START-END/TOTAL, START = the bytes already stored). When the last byte is
 * in, the file is synced, hashed, and renamed into place only if the hash matches its name.
 *
 * A blob counts as present for a user only if that user uploaded it or can see a packet that
 * lists it: otherwise "missing" says it is missing and the user uploads it, so nobody can learn
 * whether someone else holds a given file.
 */
#define _GNU_SOURCE  /* sync_file_range */
#include "config.h"

#include "cp-server-private.h"

#include "cp-json-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
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
  int       fd;
  guint64   start;
  guint64   length;      /* bytes this request may carry */
  guint64   total;       /* the blob's size, or 0 when the body is the whole blob */
  gboolean  has_range;
  guint64   written;
  gboolean  overflow;
  int       write_errno;
  CpSha256 *checksum;    /* over the whole blob, when this request starts at byte 0 */
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
  g_clear_pointer (&upload->checksum, cp_sha256_free);
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
         self->storage->vtable->can_see_blob (self->storage, request->user, sha256, NULL);
}

/* "bytes START-END/TOTAL" */
static gboolean
parse_content_range (const char *value,
                     guint64    *start,
                     guint64    *end,
                     guint64    *total)
{
  g_autofree char *text = g_strstrip (g_strdup (value));
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) range = NULL;

  if (!g_str_has_prefix (text, "bytes "))
    return FALSE;
  parts = g_strsplit (text + 6, "/", 2);
  if (g_strv_length (parts) != 2)
    return FALSE;
  range = g_strsplit (parts[0], "-", 2);
  if (g_strv_length (range) != 2)
    return FALSE;
  if (!g_ascii_string_to_unsigned (range[0], 10, 0, G_MAXINT64, start, NULL) ||
      !g_ascii_string_to_unsigned (range[1], 10, 0, G_MAXINT64, end, NULL) ||
      !g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXINT64, total, NULL))
    return FALSE;
  return *start <= *end && *end < *total;
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

      if (!parse_content_range (content_range, &upload->start, &end, &upload->total))
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

  upload->fd = g_open (upload->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (upload->fd < 0 ||
      ftruncate (upload->fd, (off_t) upload->start) != 0 ||
      lseek (upload->fd, (off_t) upload->start, SEEK_SET) < 0)
    {
      g_warning ("Could not open %s for an upload: %s", upload->path, g_strerror (errno));
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not store the upload.", NULL);
      return;
    }
  /* Hash as the bytes arrive; a resumed upload hashes the stored part at the end instead. */
  if (upload->start == 0)
    upload->checksum = cp_sha256_new ();
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
  if (upload->checksum != NULL)
    cp_sha256_update (upload->checksum, data, size);
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
  if (upload->checksum != NULL)
    actual = cp_sha256_finish (g_steal_pointer (&upload->checksum));
  else
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
  if (g_mkdir_with_parents (final_dir, 0700) != 0 || g_rename (upload->path, final_path) != 0)
    {
      g_warning ("Could not move the blob into %s: %s", final_path, g_strerror (errno));
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The server could not store the upload.", NULL);
      return;
    }
  /* Make the rename durable before saying so. */
  dir_fd = g_open (final_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  if (!self->storage->vtable->add_blob_owner (self->storage, request->sha256, request->user->id,
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
  static const char * const known[] = { "sha256", NULL };
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonNode) node = NULL;
  JsonArray *hashes = NULL;
  JsonArray *missing;
  CpJsonCtx ctx;

  object = cp_server_parse_body_object (msg, request);
  if (object == NULL)
    return;
  cp_json_ctx_init (&ctx, "request");
  if (!cp_json_check_members (&ctx, object, known, &error) ||
      !cp_json_get_array (&ctx, object, "sha256", TRUE, &hashes, &error))
    {
      cp_json_ctx_clear (&ctx);
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               error->message, NULL);
      return;
    }
  cp_json_ctx_clear (&ctx);
  if (json_array_get_length (hashes) > MAX_MISSING_QUERY)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                               "Ask about at most 10000 hashes at a time.", NULL);
      return;
    }

  missing = json_array_new ();
  for (guint i = 0; i < json_array_get_length (hashes); i++)
    {
      JsonNode *element = json_array_get_element (hashes, i);
      const char *sha256;

      if (json_node_get_value_type (element) != G_TYPE_STRING ||
          !cp_sha256_text_is_valid (json_node_get_string (element)))
        {
          JsonObject *extra = json_object_new ();
          g_autofree char *pointer = g_strdup_printf ("/sha256/%u", i);

          json_object_set_string_member (extra, "pointer", pointer);
          json_array_unref (missing);
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-hash",
                                   "Every entry must be a SHA-256 in 64 lowercase hexadecimal "
                                   "digits.", extra);
          return;
        }
      sha256 = json_node_get_string (element);
      if (!g_hash_table_add (seen, (gpointer) sha256))
        continue;
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
    case CP_ROUTE_REPORTS:
    case CP_ROUTE_REPORT:
    case CP_ROUTE_PACKET:
    case CP_ROUTE_REVISIONS:
    case CP_ROUTE_REVISION:
    case CP_ROUTE_COMMENTS:
    case CP_ROUTE_SUBMIT:
    case CP_ROUTE_RETURN:
    case CP_ROUTE_ACCEPT:
    default:
      g_assert_not_reached ();
    }
}
