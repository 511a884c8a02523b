/* export-files.h — real attachment files for the binder's tests and benchmark
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each function writes one file into @dir under its SHA-256 (as the store keeps attachments),
 * returns that SHA-256 (free with g_free()) and puts its size in @size.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A JPEG "scan" of an A4 page: ruled lines, text (@text, repeated), a red seal, and grain, at
 * @dpi and JPEG @quality. */
char  *cp_test_make_jpeg  (const char  *dir,
                           const char  *text,
                           double       dpi,
                           int          quality,
                           guint64     *size);
/* The same scan, about @target bytes large (within a few per cent). */
char  *cp_test_make_jpeg_of_size (const char *dir,
                                  const char *text,
                                  guint64     target,
                                  guint64    *size);
/* A PNG of @width × @height pixels with @text in it. */
char  *cp_test_make_png   (const char  *dir,
                           const char  *text,
                           int          width,
                           int          height,
                           guint64     *size);
/* An A4 PDF of @n_pages pages; page k (from 1) carries the text "@marker-Pk" as real text, a
 * Chinese line, and, when @scan_bytes > 0, a JPEG scan of about that many bytes. */
char  *cp_test_make_pdf   (const char  *dir,
                           const char  *marker,
                           guint        n_pages,
                           guint64      scan_bytes,
                           guint64     *size);
/* @length bytes of @data, as they are. */
char  *cp_test_make_file  (const char  *dir,
                           const char  *data,
                           gsize        length,
                           guint64     *size);

G_END_DECLS
