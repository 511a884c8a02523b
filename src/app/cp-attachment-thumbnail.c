/* cp-attachment-thumbnail.c — an attachment's row picture: its first page, or the picture
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-attachment-thumbnail.h"
#include "cp-attachment-thumbnail-private.h"

#include <glib/gi18n.h>

#include "cp-thumbnail-cache.h"

/* Logical pixels: the thumbnail's longest side on screen. */
#define DISPLAY_SIZE 48

struct _CpAttachmentThumbnail
{
  AdwBin        parent_instance;

  char         *path;
  char         *sha256;
  char         *mime;
  GCancellable *cancellable;
  GdkPaintable *paintable;
  char         *problem;
  gboolean      requested;
};

enum {
  PROP_0,
  PROP_PAINTABLE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpAttachmentThumbnail, cp_attachment_thumbnail, ADW_TYPE_BIN)

static GtkWidget *
icon_new (const char *mime,
          gboolean    problem)
{
  g_autofree char *content_type = g_content_type_from_mime_type (mime != NULL ? mime
                                                                 : "application/octet-stream");
  g_autoptr(GIcon) icon = problem ? g_themed_icon_new ("dialog-warning-symbolic")
                                  : g_content_type_get_symbolic_icon (content_type);
  GtkWidget *image = gtk_image_new_from_gicon (icon);

  gtk_image_set_pixel_size (GTK_IMAGE (image), 32);
  if (problem)
    gtk_widget_add_css_class (image, "warning");
  else
    gtk_widget_add_css_class (image, "dim-label");
  return image;
}

static void
cp_attachment_thumbnail_show (CpAttachmentThumbnail *self,
                              GdkPaintable          *paintable)
{
  GtkWidget *picture = gtk_picture_new_for_paintable (paintable);
  double ratio = gdk_paintable_get_intrinsic_aspect_ratio (paintable);
  int width = DISPLAY_SIZE, height = DISPLAY_SIZE;

  /* The longest side DISPLAY_SIZE, the aspect kept. */
  if (ratio > 1)
    height = MAX (1, (int) (DISPLAY_SIZE / ratio + 0.5));
  else if (ratio > 0)
    width = MAX (1, (int) (DISPLAY_SIZE * ratio + 0.5));
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, width, height);
  gtk_widget_set_halign (picture, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (picture, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (picture, "attachment-thumbnail");
  adw_bin_set_child (ADW_BIN (self), picture);
  g_set_object (&self->paintable, paintable);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PAINTABLE]);
}

static void
loaded_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CpAttachmentThumbnail) self = user_data;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GError) error = NULL;

  texture = cp_thumbnail_cache_load_finish (CP_THUMBNAIL_CACHE (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (texture != NULL)
    {
      cp_attachment_thumbnail_show (self, GDK_PAINTABLE (texture));
      return;
    }
  /* A Word file has no thumbnail: its icon stays. A file that should have one says why not. */
  if (g_error_matches (error, CP_THUMBNAIL_ERROR, CP_THUMBNAIL_ERROR_UNSUPPORTED))
    return;
  g_free (self->problem);
  self->problem = g_strdup (error->message);
  adw_bin_set_child (ADW_BIN (self), icon_new (self->mime, TRUE));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PAINTABLE]);
}

static void
cp_attachment_thumbnail_map (GtkWidget *widget)
{
  CpAttachmentThumbnail *self = CP_ATTACHMENT_THUMBNAIL (widget);
  CpThumbnailCache *cache = cp_thumbnail_cache_get_default ();

  GTK_WIDGET_CLASS (cp_attachment_thumbnail_parent_class)->map (widget);

  /* Made once it is first seen: the pages of a packet not looked at cost nothing. */
  if (self->requested || self->path == NULL)
    return;
  self->requested = TRUE;
  cp_thumbnail_cache_load_async (cache, self->path, self->sha256, self->cancellable, loaded_cb,
                                 g_object_ref (self));
}

static void
cp_attachment_thumbnail_dispose (GObject *object)
{
  CpAttachmentThumbnail *self = CP_ATTACHMENT_THUMBNAIL (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (cp_attachment_thumbnail_parent_class)->dispose (object);
}

static void
cp_attachment_thumbnail_finalize (GObject *object)
{
  CpAttachmentThumbnail *self = CP_ATTACHMENT_THUMBNAIL (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->paintable);
  g_free (self->path);
  g_free (self->sha256);
  g_free (self->mime);
  g_free (self->problem);

  G_OBJECT_CLASS (cp_attachment_thumbnail_parent_class)->finalize (object);
}

static void
cp_attachment_thumbnail_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  CpAttachmentThumbnail *self = CP_ATTACHMENT_THUMBNAIL (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_attachment_thumbnail_class_init (CpAttachmentThumbnailClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_attachment_thumbnail_dispose;
  object_class->finalize = cp_attachment_thumbnail_finalize;
  object_class->get_property = cp_attachment_thumbnail_get_property;
  widget_class->map = cp_attachment_thumbnail_map;

  properties [PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL, GDK_TYPE_PAINTABLE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cp_attachment_thumbnail_init (CpAttachmentThumbnail *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_set_size_request (GTK_WIDGET (self), DISPLAY_SIZE, DISPLAY_SIZE);
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

GtkWidget *
cp_attachment_thumbnail_new (const char *path,
                             const char *sha256,
                             const char *mime)
{
  CpAttachmentThumbnail *self;
  GdkTexture *texture;

  g_return_val_if_fail (sha256 != NULL, NULL);

  self = g_object_new (CP_TYPE_ATTACHMENT_THUMBNAIL, NULL);
  self->path = g_strdup (path);
  self->sha256 = g_strdup (sha256);
  self->mime = g_strdup (mime);
  /* Made before in this run: no flicker through the icon. */
  texture = cp_thumbnail_cache_lookup (cp_thumbnail_cache_get_default (), sha256);
  if (texture != NULL)
    {
      self->requested = TRUE;
      cp_attachment_thumbnail_show (self, GDK_PAINTABLE (texture));
    }
  else
    adw_bin_set_child (ADW_BIN (self), icon_new (mime, FALSE));
  return GTK_WIDGET (self);
}

GdkPaintable *
cp_attachment_thumbnail_get_paintable (CpAttachmentThumbnail *self)
{
  g_return_val_if_fail (CP_IS_ATTACHMENT_THUMBNAIL (self), NULL);
  return self->paintable;
}

const char *
cp_attachment_thumbnail_get_problem (CpAttachmentThumbnail *self)
{
  g_return_val_if_fail (CP_IS_ATTACHMENT_THUMBNAIL (self), NULL);
  return self->problem;
}
