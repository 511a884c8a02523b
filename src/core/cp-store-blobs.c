/* cp-store-blobs.c — the local store's attachments: files named by their SHA-256
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-store-private.h"
#include "cp-packet.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#define BLOB_BUFFER_SIZE (64 * 1024)

/* Removes temporary blob files left behind by a crash (older than a day, so that another
 * process's copy in progress is left alone). */
void
cp_store_clean_blob_dir (CpStore *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->blob_dir, 0, NULL);
  gint64 limit = g_get_real_time () / G_USEC_PER_SEC - 24 * 60 * 60;
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      GStatBuf st;

      if (!g_str_has_prefix (name, ".tmp-"))
        continue;

      path = g_build_filename (self->blob_dir, name, NULL);
      if (g_stat (path, &st) == 0 && st.st_mtime < limit)
        g_unlink (path);
    }
}

static gboolean
set_io_error (GError     **error,
              int          saved_errno,
              const char  *path)
{
  if (saved_errno == ENOSPC || saved_errno == EDQUOT)
    g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NO_SPACE,
                 _("The disk is full, so the attachment could not be stored. "
                   "Free some disk space, then try again."));
  else if (saved_errno == EACCES || saved_errno == EPERM || saved_errno == EROFS)
    g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_READ_ONLY,
                 _("The attachment folder “%s” cannot be written (%s). "
                   "Check that you may write there, then try again."),
                 path, g_strerror (saved_errno));
  else
    g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IO,
                 _("The attachment file “%s” could not be written (%s). "
                   "Check the disk, then try again."),
                 path, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
write_all (int          fd,
           const guint8 *data,
           gsize         length)
{
  while (length > 0)
    {
      ssize_t n = write (fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          return FALSE;
        }
      data += n;
      length -= (gsize) n;
    }

  return TRUE;
}

static gboolean
fsync_directory (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  int rc;

  if (fd < 0)
    return FALSE;

  rc = fsync (fd);
  close (fd);

  return rc == 0;
}

/* A temporary blob being written: its descriptor, path and running hash. */
typedef struct
{
  int        fd;
  char      *path;
  GChecksum *checksum;
  guint64    size;
} BlobWriter;

static gboolean
blob_writer_open (CpStore     *self,
                  BlobWriter  *writer,
                  GError     **error)
{
  writer->path = g_build_filename (self->blob_dir, ".tmp-XXXXXX", NULL);
  writer->fd = g_mkstemp_full (writer->path, O_RDWR | O_CLOEXEC, 0600);
  writer->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  writer->size = 0;

  if (writer->fd < 0)
    return set_io_error (error, errno, self->blob_dir);

  return TRUE;
}

static gboolean
blob_writer_write (BlobWriter    *writer,
                   const guint8  *data,
                   gsize          length,
                   GError       **error)
{
  if (!write_all (writer->fd, data, length))
    return set_io_error (error, errno, writer->path);

  g_checksum_update (writer->checksum, data, length);
  writer->size += length;

  return TRUE;
}

/* Discards a writer that was not committed. */
static void
blob_writer_clear (BlobWriter *writer)
{
  if (writer->fd >= 0)
    {
      close (writer->fd);
      writer->fd = -1;
      g_unlink (writer->path);
    }
  g_clear_pointer (&writer->path, g_free);
  g_clear_pointer (&writer->checksum, g_checksum_free);
}

/* Makes the temporary file durable and gives it its final name, unless an identical blob is
 * already there. */
static gboolean
blob_writer_commit (CpStore     *self,
                    BlobWriter  *writer,
                    char       **sha256_out,
                    GError     **error)
{
  g_autofree char *final_path = NULL;
  const char *sha256 = g_checksum_get_string (writer->checksum);
  GStatBuf st;
  int fd = writer->fd;

  final_path = g_build_filename (self->blob_dir, sha256, NULL);

  if (g_stat (final_path, &st) == 0 && (guint64) st.st_size == writer->size)
    {
      /* Already stored: nothing is written twice. */
      if (sha256_out)
        *sha256_out = g_strdup (sha256);
      blob_writer_clear (writer);
      return TRUE;
    }

  if (fsync (fd) != 0)
    return set_io_error (error, errno, writer->path);

  writer->fd = -1;
  if (close (fd) != 0)
    {
      int saved_errno = errno;

      g_unlink (writer->path);
      return set_io_error (error, saved_errno, writer->path);
    }

  if (g_rename (writer->path, final_path) != 0)
    {
      int saved_errno = errno;

      g_unlink (writer->path);
      return set_io_error (error, saved_errno, final_path);
    }

  if (!fsync_directory (self->blob_dir))
    return set_io_error (error, errno, self->blob_dir);

  if (sha256_out)
    *sha256_out = g_strdup (sha256);

  return TRUE;
}

gboolean
cp_store_add_blob_from_file (CpStore       *self,
                             GFile         *file,
                             char         **sha256_out,
                             guint64       *size_out,
                             GCancellable  *cancellable,
                             GError       **error)
{
  g_autoptr(GFileInputStream) input = NULL;
  g_autofree guint8 *buffer = NULL;
  BlobWriter writer = { -1, NULL, NULL, 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  input = g_file_read (file, cancellable, error);
  if (input == NULL)
    {
      g_prefix_error (error, _("The attachment could not be read: "));
      return FALSE;
    }

  if (!blob_writer_open (self, &writer, error))
    goto out;

  buffer = g_malloc (BLOB_BUFFER_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (input), buffer, BLOB_BUFFER_SIZE,
                                      cancellable, error);

      if (n < 0)
        {
          if (error && *error && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_prefix_error (error, _("The attachment could not be read: "));
          goto out;
        }
      if (n == 0)
        break;
      if (!blob_writer_write (&writer, buffer, (gsize) n, error))
        goto out;
    }

  if (size_out)
    *size_out = writer.size;
  ok = blob_writer_commit (self, &writer, sha256_out, error);

out:
  blob_writer_clear (&writer);
  return ok;
}

gboolean
cp_store_add_blob_from_bytes (CpStore   *self,
                              GBytes    *bytes,
                              char     **sha256_out,
                              GError   **error)
{
  BlobWriter writer = { -1, NULL, NULL, 0 };
  gsize length = 0;
  const guint8 *data;
  gboolean ok = FALSE;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (bytes != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = g_bytes_get_data (bytes, &length);

  if (blob_writer_open (self, &writer, error) &&
      blob_writer_write (&writer, data, length, error))
    ok = blob_writer_commit (self, &writer, sha256_out, error);

  blob_writer_clear (&writer);
  return ok;
}

gboolean
cp_store_has_blob (CpStore    *self,
                   const char *sha256)
{
  g_autofree char *path = NULL;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);

  path = cp_store_get_blob_path (self, sha256);

  return path != NULL && g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

char *
cp_store_get_blob_path (CpStore    *self,
                        const char *sha256)
{
  g_return_val_if_fail (CP_IS_STORE (self), NULL);

  if (sha256 == NULL || !cp_sha256_is_valid (sha256))
    return NULL;

  return g_build_filename (self->blob_dir, sha256, NULL);
}

gboolean
cp_store_verify_blob (CpStore       *self,
                      const char    *sha256,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buffer = NULL;

  g_return_val_if_fail (CP_IS_STORE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  path = cp_store_get_blob_path (self, sha256);
  if (path == NULL)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID,
                   _("“%s” is not a valid attachment checksum."), sha256 ? sha256 : "(null)");
      return FALSE;
    }

  file = g_file_new_for_path (path);
  input = g_file_read (file, cancellable, &local_error);
  if (input == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND,
                     _("The attachment %s is missing from the local store. "
                       "Add the file again."), sha256);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  buffer = g_malloc (BLOB_BUFFER_SIZE);
  for (;;)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (input), buffer, BLOB_BUFFER_SIZE,
                                      cancellable, error);

      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      g_checksum_update (checksum, buffer, (gsize) n);
    }

  if (strcmp (g_checksum_get_string (checksum), sha256) != 0)
    {
      g_set_error (error, CP_STORE_ERROR, CP_STORE_ERROR_BLOB_MISMATCH,
                   _("The attachment %s in the local store has been damaged. "
                     "Add the file again."), sha256);
      return FALSE;
    }

  return TRUE;
}
