/* cp-thumbnail-cache.c — small pictures of attachments, made in worker threads and kept
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * PDFs through poppler-glib, in the formats module (cp-formats.h; the first page rendered onto a cairo image at the thumbnail's
 * scale), images through gdk-pixbuf (decoded straight at the small size, so that a 30-megapixel
 * scan is never held whole). The work runs in a pool of two threads; the textures are made and
 * kept in the main thread, and the PNG files on disk let the next run skip the rendering.
 */
#include "config.h"

#include "cp-thumbnail-cache.h"
#include "cp-thumbnail-cache-private.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cp-formats.h"

/* More than a section page shows; beyond it the oldest run's textures are dropped. */
#define MAX_TEXTURES 512

struct _CpThumbnailCache
{
  GObject       parent_instance;

  char         *directory;    /* PNG files, or NULL */
  GMainContext *context;      /* where the textures are made and kept */
  GThreadPool  *pool;
  GHashTable   *textures;     /* sha256 → GdkTexture */
  GHashTable   *pending;      /* sha256 → Job *, being made */
  guint         n_rendered;   /* atomic */
};

G_DEFINE_FINAL_TYPE (CpThumbnailCache, cp_thumbnail_cache, G_TYPE_OBJECT)
G_DEFINE_QUARK (cp-thumbnail-error-quark, cp_thumbnail_error)

typedef struct
{
  CpThumbnailCache *cache;
  char             *path;
  char             *sha256;
  GPtrArray        *tasks;    /* GTask *, waiting */
  GdkPixbuf        *pixbuf;   /* the result, or NULL with @error */
  GError           *error;
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->cache);
  g_free (job->path);
  g_free (job->sha256);
  g_clear_pointer (&job->tasks, g_ptr_array_unref);
  g_clear_object (&job->pixbuf);
  g_clear_error (&job->error);
  g_free (job);
}

static char *
disk_path (CpThumbnailCache *self,
           const char       *sha256)
{
  g_autofree char *name = NULL;

  if (self->directory == NULL)
    return NULL;
  name = g_strdup_printf ("%s-%d.png", sha256, CP_THUMBNAIL_SIZE);
  return g_build_filename (self->directory, name, NULL);
}

/* The first page of a PDF on white, its longest side CP_THUMBNAIL_SIZE pixels. */
static GdkPixbuf *
render_pdf (const char  *path,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GObject) document = NULL;
  g_autoptr(GObject) page = NULL;
  const CpFormats *formats;
  cairo_surface_t *surface;
  cairo_t *cr;
  GdkPixbuf *pixbuf;
  double width = 0, height = 0, scale;
  int w, h, stride;
  const guchar *src;

  formats = cp_formats_get (&local_error);
  if (formats == NULL)
    {
      g_set_error_literal (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_UNSUPPORTED,
                           local_error->message);
      return NULL;
    }
  document = formats->pdf_open_file (path, &local_error);
  if (document == NULL)
    {
      if (g_error_matches (local_error, CP_FORMATS_ERROR, CP_FORMATS_ERROR_ENCRYPTED))
        g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_ENCRYPTED, "%s",
                     _("The PDF is protected by a password."));
      else
        g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_DAMAGED,
                     _("The PDF cannot be read: %s"), local_error->message);
      return NULL;
    }
  if (formats->pdf_get_n_pages (document) < 1 ||
      (page = formats->pdf_get_page (document, 0)) == NULL)
    {
      g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_DAMAGED, "%s",
                   _("The PDF has no pages."));
      return NULL;
    }
  formats->pdf_page_get_size (page, &width, &height);
  if (!(width > 0 && height > 0 && isfinite (width) && isfinite (height)))
    {
      g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_DAMAGED, "%s",
                   _("The PDF’s first page has no size."));
      return NULL;
    }
  scale = CP_THUMBNAIL_SIZE / MAX (width, height);
  w = MAX (1, (int) lround (width * scale));
  h = MAX (1, (int) lround (height * scale));

  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  formats->pdf_page_render (page, cr, FALSE);
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* Cairo's native-endian xRGB words into gdk-pixbuf's RGB bytes. */
  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  src = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < h; y++)
    {
      const guint32 *in = (const guint32 *) (src + (gsize) y * stride);
      guchar *out = gdk_pixbuf_get_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf);

      for (int x = 0; x < w; x++)
        {
          out[3 * x + 0] = (in[x] >> 16) & 0xff;
          out[3 * x + 1] = (in[x] >> 8) & 0xff;
          out[3 * x + 2] = in[x] & 0xff;
        }
    }
  cairo_surface_destroy (surface);
  return pixbuf;
}

static gboolean
is_pdf (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, NULL);
  char head[5] = { 0, };

  return input != NULL &&
         g_input_stream_read_all (G_INPUT_STREAM (input), head, 5, NULL, NULL, NULL) &&
         memcmp (head, "%PDF-", 5) == 0;
}

static GdkPixbuf *
render (const char  *path,
        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GdkPixbuf *pixbuf;

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_MISSING, "%s",
                   _("The file is not on this computer."));
      return NULL;
    }
  /* By their bytes: the name an attachment was given says little. */
  if (is_pdf (path))
    return render_pdf (path, error);
  if (gdk_pixbuf_get_file_info (path, NULL, NULL) == NULL)
    {
      g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_UNSUPPORTED, "%s",
                   _("Neither a PDF nor a picture."));
      return NULL;
    }
  pixbuf = gdk_pixbuf_new_from_file_at_scale (path, CP_THUMBNAIL_SIZE, CP_THUMBNAIL_SIZE, TRUE,
                                              &local_error);
  if (pixbuf == NULL)
    {
      g_set_error (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_DAMAGED,
                   _("The picture cannot be read: %s"), local_error->message);
      return NULL;
    }
  /* A photo taken sideways shows as it was taken. */
  {
    GdkPixbuf *oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);

    g_object_unref (pixbuf);
    return oriented;
  }
}

static gboolean
job_done_cb (gpointer user_data)
{
  Job *job = user_data;
  CpThumbnailCache *self = job->cache;
  g_autoptr(GdkTexture) texture = NULL;

  g_hash_table_remove (self->pending, job->sha256);
  if (job->pixbuf != NULL)
    {
      texture = gdk_texture_new_for_pixbuf (job->pixbuf);
      if (g_hash_table_size (self->textures) >= MAX_TEXTURES)
        g_hash_table_remove_all (self->textures);
      g_hash_table_insert (self->textures, g_strdup (job->sha256), g_object_ref (texture));
    }
  for (guint i = 0; i < job->tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (job->tasks, i);

      if (g_task_return_error_if_cancelled (task))
        continue;
      if (texture != NULL)
        g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      else
        g_task_return_error (task, g_error_copy (job->error));
    }
  job_free (job);
  return G_SOURCE_REMOVE;
}

static void
job_thread (gpointer data,
            gpointer user_data)
{
  Job *job = data;
  CpThumbnailCache *self = job->cache;
  g_autofree char *cached = disk_path (self, job->sha256);

  if (cached != NULL && g_file_test (cached, G_FILE_TEST_IS_REGULAR))
    job->pixbuf = gdk_pixbuf_new_from_file (cached, NULL);
  /* A cached file that does not read (cut short, replaced) is made again. */
  if (job->pixbuf == NULL)
    {
      job->pixbuf = render (job->path, &job->error);
      g_atomic_int_inc (&self->n_rendered);
      if (job->pixbuf != NULL && cached != NULL &&
          g_mkdir_with_parents (self->directory, 0700) == 0)
        {
          g_autofree char *tmp = g_strdup_printf ("%s.%u.tmp", cached, g_random_int ());

          if (gdk_pixbuf_save (job->pixbuf, tmp, "png", NULL, NULL))
            g_rename (tmp, cached);
          else
            g_unlink (tmp);
        }
    }
  g_main_context_invoke (self->context, job_done_cb, job);
}

static void
cp_thumbnail_cache_finalize (GObject *object)
{
  CpThumbnailCache *self = CP_THUMBNAIL_CACHE (object);

  /* Jobs hold a reference: the pool is empty by now. */
  g_thread_pool_free (self->pool, FALSE, TRUE);
  g_clear_pointer (&self->textures, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->directory);

  G_OBJECT_CLASS (cp_thumbnail_cache_parent_class)->finalize (object);
}

static void
cp_thumbnail_cache_class_init (CpThumbnailCacheClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_thumbnail_cache_finalize;
}

static void
cp_thumbnail_cache_init (CpThumbnailCache *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->pool = g_thread_pool_new (job_thread, NULL, 2, FALSE, NULL);
  self->textures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->pending = g_hash_table_new (g_str_hash, g_str_equal);
}

CpThumbnailCache *
cp_thumbnail_cache_new (const char *directory)
{
  CpThumbnailCache *self = g_object_new (CP_TYPE_THUMBNAIL_CACHE, NULL);

  self->directory = g_strdup (directory);
  return self;
}

CpThumbnailCache *
cp_thumbnail_cache_get_default (void)
{
  static CpThumbnailCache *cache;

  if (cache == NULL)
    {
      g_autofree char *directory = g_build_filename (g_get_user_cache_dir (), "credit-packet",
                                                     "thumbnails", NULL);

      cache = cp_thumbnail_cache_new (directory);
    }
  return cache;
}

GdkTexture *
cp_thumbnail_cache_lookup (CpThumbnailCache *self,
                           const char       *sha256)
{
  g_return_val_if_fail (CP_IS_THUMBNAIL_CACHE (self), NULL);
  g_return_val_if_fail (sha256 != NULL, NULL);

  return g_hash_table_lookup (self->textures, sha256);
}

void
cp_thumbnail_cache_load_async (CpThumbnailCache    *self,
                               const char          *path,
                               const char          *sha256,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GdkTexture *texture;
  Job *job;

  g_return_if_fail (CP_IS_THUMBNAIL_CACHE (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (sha256 != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_thumbnail_cache_load_async);
  texture = g_hash_table_lookup (self->textures, sha256);
  if (texture != NULL)
    {
      g_task_return_pointer (task, g_object_ref (texture), g_object_unref);
      return;
    }
  job = g_hash_table_lookup (self->pending, sha256);
  if (job != NULL)
    {
      g_ptr_array_add (job->tasks, g_steal_pointer (&task));
      return;
    }
  job = g_new0 (Job, 1);
  job->cache = g_object_ref (self);
  job->path = g_strdup (path);
  job->sha256 = g_strdup (sha256);
  job->tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (job->tasks, g_steal_pointer (&task));
  g_hash_table_insert (self->pending, job->sha256, job);
  g_thread_pool_push (self->pool, job, NULL);
}

GdkTexture *
cp_thumbnail_cache_load_finish (CpThumbnailCache  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (CP_IS_THUMBNAIL_CACHE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_thumbnail_cache_load_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

guint
cp_thumbnail_cache_get_n_rendered (CpThumbnailCache *self)
{
  g_return_val_if_fail (CP_IS_THUMBNAIL_CACHE (self), 0);
  return (guint) g_atomic_int_get (&self->n_rendered);
}
