/* export-files.c — real attachment files for the binder's tests and benchmark
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <pango/pangocairo.h>

#include "export-files.h"

#define A4_WIDTH_IN  8.2677
#define A4_HEIGHT_IN 11.6929

static char *
store (const char *dir,
       const void *data,
       gsize       length,
       guint64    *size)
{
  g_autoptr(GError) error = NULL;
  char *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
  g_autofree char *path = g_build_filename (dir, sha256, NULL);

  if (!g_file_set_contents (path, data, length, &error))
    g_error ("%s", error->message);
  if (size != NULL)
    *size = length;
  return sha256;
}

static void
draw_text (cairo_t    *cr,
           const char *text,
           double      x,
           double      y,
           double      points,
           double      width)
{
  g_autoptr(PangoLayout) layout = pango_cairo_create_layout (cr);
  g_autoptr(PangoFontDescription) font = NULL;

  font = pango_font_description_from_string ("Noto Sans CJK SC, DejaVu Sans, sans");

  pango_font_description_set_absolute_size (font, points * PANGO_SCALE);
  pango_layout_set_font_description (layout, font);
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* A scanned page: paper, ruled lines, text, a red seal, grain. */
static cairo_surface_t *
render_scan (const char *text,
             double      dpi,
             guint       seed)
{
  int width = MAX (16, (int) (A4_WIDTH_IN * dpi));
  int height = MAX (16, (int) (A4_HEIGHT_IN * dpi));
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  double unit = dpi / 72.0;
  guint32 state = seed * 2654435761u + 1;
  guchar *data;
  int stride;

  cairo_set_source_rgb (cr, 0.97, 0.96, 0.93);
  cairo_paint (cr);
  cairo_scale (cr, unit, unit);

  cairo_set_source_rgb (cr, 0.1, 0.1, 0.12);
  draw_text (cr, text, 60, 50, 16, 470);
  cairo_set_line_width (cr, 0.6);
  for (int i = 0; i < 34; i++)
    {
      g_autofree char *line = g_strdup_printf ("%02d  %s 本页为扫描件，内容与原件一致。", i + 1, text);

      draw_text (cr, line, 60, 100 + i * 20, 9, 470);
      cairo_move_to (cr, 60, 114 + i * 20);
      cairo_line_to (cr, 535, 114 + i * 20);
      cairo_stroke (cr);
    }
  cairo_set_source_rgba (cr, 0.85, 0.1, 0.1, 0.75);
  cairo_set_line_width (cr, 3);
  cairo_arc (cr, 440, 740, 48, 0, 2 * G_PI);
  cairo_stroke (cr);
  draw_text (cr, "盖章", 418, 725, 20, 100);
  cairo_destroy (cr);

  /* Grain, as a scanner leaves it: it is what makes scans large. */
  cairo_surface_flush (surface);
  data = cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface);
  for (int y = 0; y < height; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (data + (gsize) y * stride);

      for (int x = 0; x < width; x++)
        {
          int noise;
          guint32 p = row[x];
          int r, g, b;

          state ^= state << 13;
          state ^= state >> 17;
          state ^= state << 5;
          noise = (int) (state % 25) - 12;
          r = CLAMP ((int) ((p >> 16) & 0xff) + noise, 0, 255);
          g = CLAMP ((int) ((p >> 8) & 0xff) + noise, 0, 255);
          b = CLAMP ((int) (p & 0xff) + noise, 0, 255);
          row[x] = 0xff000000u | (guint32) (r << 16) | (guint32) (g << 8) | (guint32) b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static GBytes *
encode_jpeg (cairo_surface_t *surface,
             int              quality)
{
  g_autoptr(GError) error = NULL;
  int width = cairo_image_surface_get_width (surface);
  int height = cairo_image_surface_get_height (surface);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autofree char *quality_text = g_strdup_printf ("%d", quality);
  const guchar *src = cairo_image_surface_get_data (surface);
  int src_stride = cairo_image_surface_get_stride (surface);
  guchar *dst = gdk_pixbuf_get_pixels (pixbuf);
  int dst_stride = gdk_pixbuf_get_rowstride (pixbuf);
  char *buffer = NULL;
  gsize length = 0;

  cairo_surface_flush (surface);
  for (int y = 0; y < height; y++)
    {
      const guint32 *s = (const guint32 *) (gconstpointer) (src + (gsize) y * src_stride);
      guchar *d = dst + (gsize) y * dst_stride;

      for (int x = 0; x < width; x++)
        {
          d[3 * x] = (s[x] >> 16) & 0xff;
          d[3 * x + 1] = (s[x] >> 8) & 0xff;
          d[3 * x + 2] = s[x] & 0xff;
        }
    }
  if (!gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "jpeg", &error, "quality",
                                  quality_text, NULL))
    g_error ("%s", error->message);
  return g_bytes_new_take (buffer, length);
}

/* A scan of about @target bytes: its size grows with the square of the resolution. */
static GBytes *
scan_of_size (const char       *text,
              guint64           target,
              guint             seed,
              cairo_surface_t **surface_out)
{
  double dpi = 100;
  GBytes *jpeg = NULL;
  cairo_surface_t *surface = NULL;

  for (int round = 0; round < 3; round++)
    {
      gsize length;

      g_clear_pointer (&jpeg, g_bytes_unref);
      g_clear_pointer (&surface, cairo_surface_destroy);
      surface = render_scan (text, dpi, seed);
      jpeg = encode_jpeg (surface, 85);
      length = g_bytes_get_size (jpeg);
      if (fabs ((double) length - (double) target) < 0.04 * target)
        break;
      dpi = CLAMP (dpi * sqrt ((double) target / length), 20, 600);
    }

  if (surface_out != NULL)
    *surface_out = surface;
  else
    cairo_surface_destroy (surface);
  return jpeg;
}

char *
cp_test_make_jpeg (const char *dir,
                   const char *text,
                   double      dpi,
                   int         quality,
                   guint64    *size)
{
  cairo_surface_t *surface = render_scan (text, dpi, g_str_hash (text));
  g_autoptr(GBytes) jpeg = encode_jpeg (surface, quality);

  cairo_surface_destroy (surface);
  return store (dir, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), size);
}

char *
cp_test_make_jpeg_of_size (const char *dir,
                           const char *text,
                           guint64     target,
                           guint64    *size)
{
  g_autoptr(GBytes) jpeg = scan_of_size (text, target, g_str_hash (text), NULL);

  return store (dir, g_bytes_get_data (jpeg, NULL), g_bytes_get_size (jpeg), size);
}

static cairo_status_t
append_cb (void                *closure,
           const unsigned char *data,
           unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

char *
cp_test_make_png (const char *dir,
                  const char *text,
                  int         width,
                  int         height,
                  guint64    *size)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GByteArray) png = g_byte_array_new ();
  double scale = width / 595.0;

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  cairo_set_source_rgb (cr, 0.1, 0.3, 0.6);
  cairo_rectangle (cr, 40, 40, 515, 120);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  draw_text (cr, text, 50, 200, 28, 500);
  cairo_destroy (cr);
  cairo_surface_write_to_png_stream (surface, append_cb, png);
  cairo_surface_destroy (surface);

  return store (dir, png->data, png->len, size);
}

char *
cp_test_make_pdf (const char *dir,
                  const char *marker,
                  guint       n_pages,
                  guint64     scan_bytes,
                  guint64    *size)
{
  g_autoptr(GByteArray) pdf = g_byte_array_new ();
  cairo_surface_t *target = cairo_pdf_surface_create_for_stream (append_cb, pdf, 595.276,
                                                                 841.89);
  cairo_t *cr = cairo_create (target);

  for (guint k = 1; k <= n_pages; k++)
    {
      g_autofree char *line = g_strdup_printf ("%s-P%u", marker, k);

      if (scan_bytes > 0)
        {
          cairo_surface_t *scan = NULL;
          g_autoptr(GBytes) jpeg = scan_of_size (line, scan_bytes, g_str_hash (line), &scan);
          gsize length = 0;
          const guchar *data = g_bytes_get_data (jpeg, &length);

          /* The scan goes in as the JPEG it is, as a scanner's PDF has it. */
          cairo_surface_set_mime_data (scan, CAIRO_MIME_TYPE_JPEG, data, length,
                                       (cairo_destroy_func_t) g_bytes_unref,
                                       g_bytes_ref (jpeg));
          cairo_save (cr);
          cairo_scale (cr, 595.276 / cairo_image_surface_get_width (scan),
                       841.89 / cairo_image_surface_get_height (scan));
          cairo_set_source_surface (cr, scan, 0, 0);
          cairo_paint (cr);
          cairo_restore (cr);
          cairo_surface_destroy (scan);
        }
      cairo_set_source_rgb (cr, 0, 0, 0);
      draw_text (cr, line, 72, 60, 14, 450);
      draw_text (cr, "附件正文：信用管理制度与台账。", 72, 90, 12, 450);
      cairo_show_page (cr);
    }
  cairo_destroy (cr);
  cairo_surface_finish (target);
  cairo_surface_destroy (target);

  return store (dir, pdf->data, pdf->len, size);
}

char *
cp_test_make_file (const char *dir,
                   const char *data,
                   gsize       length,
                   guint64    *size)
{
  return store (dir, data, length, size);
}
