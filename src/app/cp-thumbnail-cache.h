/* cp-thumbnail-cache.h — small pictures of attachments, made in worker threads and kept
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define CP_THUMBNAIL_ERROR (cp_thumbnail_error_quark ())

typedef enum
{
  CP_THUMBNAIL_ERROR_MISSING,      /* the file is not there */
  CP_THUMBNAIL_ERROR_UNSUPPORTED,  /* neither a PDF nor an image gdk-pixbuf reads */
  CP_THUMBNAIL_ERROR_DAMAGED,      /* a PDF or image that cannot be read */
  CP_THUMBNAIL_ERROR_ENCRYPTED,    /* a password-protected PDF */
} CpThumbnailError;

GQuark cp_thumbnail_error_quark (void);

/* The longest side of a thumbnail, in pixels: 48 logical pixels on a screen of scale 2. */
#define CP_THUMBNAIL_SIZE 96

#define CP_TYPE_THUMBNAIL_CACHE (cp_thumbnail_cache_get_type ())
G_DECLARE_FINAL_TYPE (CpThumbnailCache, cp_thumbnail_cache, CP, THUMBNAIL_CACHE, GObject)

/* The application's cache: in memory, and as PNG files in
 * $XDG_CACHE_HOME/credit-packet/thumbnails/ named by the attachment's SHA-256 (an attachment's
 * content never changes under its name). */
CpThumbnailCache *cp_thumbnail_cache_get_default (void);
/* A cache of its own; @directory (nullable) keeps the PNG files, NULL keeps them in memory
 * only. */
CpThumbnailCache *cp_thumbnail_cache_new         (const char        *directory);

/* The thumbnail of the attachment @sha256 if it has been made in this run, or NULL. */
GdkTexture       *cp_thumbnail_cache_lookup      (CpThumbnailCache  *self,
                                                  const char        *sha256);
/* Makes the thumbnail of the file at @path (the attachment @sha256): the first page of a PDF,
 * an image scaled down (its aspect kept), at most CP_THUMBNAIL_SIZE pixels on its longest side,
 * in a worker thread (two at a time); then it is kept. Asking again for a thumbnail being made
 * waits for the same work. */
void              cp_thumbnail_cache_load_async  (CpThumbnailCache  *self,
                                                  const char        *path,
                                                  const char        *sha256,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
GdkTexture       *cp_thumbnail_cache_load_finish (CpThumbnailCache  *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);

G_END_DECLS
