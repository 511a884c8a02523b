/* cp-formats.h — the heavy file formats (PDF through poppler-glib and qpdf, Excel workbooks
 * through libxlsxwriter), in a module loaded on first use
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Linking poppler (with NSS, qpdf, lcms, OpenJPEG) and libxlsxwriter into every program cost
 * the application a quarter of its start-up in the dynamic loader alone, for screens most
 * sessions never open. Their users (the binder, the report writer, the attachment thumbnails)
 * go through this table instead; cp_formats_get() loads libcpformats.so from
 * LIBDIR/credit-packet (found beside the program, so the Flatpak and a relocated install work)
 * or, for a program run from the build tree, from the build tree.
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "cp-report-table.h"

G_BEGIN_DECLS

#define CP_FORMATS_ERROR (cp_formats_error_quark ())

typedef enum
{
  CP_FORMATS_ERROR_NOT_INSTALLED,  /* the module is not where it belongs, or will not load */
  CP_FORMATS_ERROR_ENCRYPTED,      /* a password-protected PDF */
  CP_FORMATS_ERROR_DAMAGED,        /* a file the library cannot read */
} CpFormatsError;

/* A report table as the workbook writer needs it: plain data and two cell getters. */
typedef struct
{
  const char          *title;
  const char          *sheet_name;
  const char          *comments;        /* the document's comments property, or NULL */
  guint                n_columns;
  guint                n_rows;
  const char * const  *headings;        /* n_columns */
  const char * const  *number_formats;  /* n_columns, each may be NULL */
  const double        *widths;          /* n_columns */
  const gboolean      *averages;        /* n_columns: the total is an average */
  gboolean             has_totals;
  guint                freeze_columns;
  gpointer             table;
  const CpReportCell *(*get_cell)  (gpointer table, guint row, guint column);
  const CpReportCell *(*get_total) (gpointer table, guint column);
} CpFormatsSheet;

/* Documents and pages are the library's GObjects (PopplerDocument, PopplerPage), to be released
 * with g_object_unref(). */
typedef struct
{
  /* CP_FORMATS_ABI_VERSION: a module of another version is refused. */
  guint      abi_version;

  GObject *(*pdf_open_file)    (const char *path,
                                GError    **error);
  /* Takes @fd. */
  GObject *(*pdf_open_fd)      (int         fd,
                                GError    **error);
  int      (*pdf_get_n_pages)  (GObject    *document);
  GObject *(*pdf_get_page)     (GObject    *document,
                                int         index);
  void     (*pdf_page_get_size) (GObject   *page,
                                 double    *width,
                                 double    *height);
  void     (*pdf_page_render)  (GObject    *page,
                                cairo_t    *cr,
                                gboolean    for_printing);
  /* Runs qpdf with @argv (argv[0] "qpdf", NULL-terminated), silently; its exit status. */
  int      (*pdf_run_qpdf)     (const char * const *argv);

  /* Writes @sheet as a workbook at @path, scratch files in @tmpdir; FALSE with *@reason (a
   * library's message, untranslated) when it cannot. */
  gboolean (*xlsx_write)       (const CpFormatsSheet *sheet,
                                const char           *path,
                                const char           *tmpdir,
                                char                **reason);
} CpFormats;

#define CP_FORMATS_ABI_VERSION 1

/* The module's one entry point. */
typedef const CpFormats *(*CpFormatsModuleGet) (void);
#define CP_FORMATS_MODULE_SYMBOL "cp_formats_module_get"

GQuark           cp_formats_error_quark (void);

const CpFormats *cp_formats_get         (GError **error);

G_END_DECLS
