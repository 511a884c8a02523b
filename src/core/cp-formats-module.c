/* cp-formats-module.c — libcpformats.so: the PDF and Excel libraries behind cp-formats.h
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Loaded with GModule by cp-formats-loader.c. It calls nothing of the core (which lives in the
 * program), only GLib, cairo and the libraries it wraps.
 */
#include "config.h"

#include <errno.h>

#include <gmodule.h>
#include <poppler.h>
#include <qpdf/qpdfjob-c.h>
#include <qpdf/qpdflogger-c.h>
#include <xlsxwriter.h>

#include "cp-formats.h"

/* A4 in Excel's paper codes. */
#define XLSX_PAPER_A4 9

/* The same quark as cp_formats_error_quark(), without calling into the program. */
#define FORMATS_ERROR (g_quark_from_static_string ("cp-formats-error-quark"))

G_MODULE_EXPORT const CpFormats *cp_formats_module_get (void);

static GObject *
pdf_open_file (const char  *path,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = g_filename_to_uri (path, NULL, error);
  PopplerDocument *doc;

  if (uri == NULL)
    return NULL;
  doc = poppler_document_new_from_file (uri, NULL, &local_error);
  if (doc == NULL)
    g_set_error_literal (error, FORMATS_ERROR,
                         g_error_matches (local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)
                           ? CP_FORMATS_ERROR_ENCRYPTED : CP_FORMATS_ERROR_DAMAGED,
                         local_error->message);
  return G_OBJECT (doc);
}

static GObject *
pdf_open_fd (int      fd,
             GError **error)
{
  g_autoptr(GError) local_error = NULL;
  PopplerDocument *doc = poppler_document_new_from_fd (fd, NULL, &local_error);

  if (doc == NULL)
    g_set_error_literal (error, FORMATS_ERROR,
                         g_error_matches (local_error, POPPLER_ERROR, POPPLER_ERROR_ENCRYPTED)
                           ? CP_FORMATS_ERROR_ENCRYPTED : CP_FORMATS_ERROR_DAMAGED,
                         local_error->message);
  return G_OBJECT (doc);
}

static int
pdf_get_n_pages (GObject *document)
{
  return poppler_document_get_n_pages (POPPLER_DOCUMENT (document));
}

static GObject *
pdf_get_page (GObject *document,
              int      index)
{
  return G_OBJECT (poppler_document_get_page (POPPLER_DOCUMENT (document), index));
}

static void
pdf_page_get_size (GObject *page,
                   double  *width,
                   double  *height)
{
  poppler_page_get_size (POPPLER_PAGE (page), width, height);
}

static void
pdf_page_render (GObject  *page,
                 cairo_t  *cr,
                 gboolean  for_printing)
{
  if (for_printing)
    poppler_page_render_for_printing (POPPLER_PAGE (page), cr);
  else
    poppler_page_render (POPPLER_PAGE (page), cr);
}

static int
discard_log_cb (const char *data,
                size_t      length,
                void       *user_data)
{
  return 0;
}

static int
pdf_run_qpdf (const char * const *argv)
{
  qpdfjob_handle job = qpdfjob_init ();
  qpdflogger_handle logger = qpdflogger_create ();
  int status;

  qpdflogger_set_info (logger, qpdf_log_dest_custom, discard_log_cb, NULL);
  qpdflogger_set_warn (logger, qpdf_log_dest_custom, discard_log_cb, NULL);
  qpdflogger_set_error (logger, qpdf_log_dest_custom, discard_log_cb, NULL);
  qpdfjob_set_logger (job, logger);
  status = qpdfjob_initialize_from_argv (job, argv);
  if (status == 0)
    status = qpdfjob_run (job);
  qpdflogger_cleanup (&logger);
  qpdfjob_cleanup (&job);
  return status;
}

typedef struct
{
  lxw_format *title;
  lxw_format *header;
  lxw_format *text;
  lxw_format *total_text;
  lxw_format **numbers;        /* per column */
  lxw_format **total_numbers;  /* per column */
} Formats;

static lxw_format *
cell_format (lxw_workbook *workbook,
             const char   *number_format,
             gboolean      total,
             gboolean      average)
{
  lxw_format *format = workbook_add_format (workbook);

  format_set_border (format, LXW_BORDER_THIN);
  format_set_align (format, LXW_ALIGN_VERTICAL_TOP);
  if (average)
    format_set_num_format (format, "0.00");
  else if (number_format != NULL)
    format_set_num_format (format, number_format);
  if (total)
    {
      format_set_bold (format);
      format_set_top (format, LXW_BORDER_DOUBLE);
      format_set_bg_color (format, 0xF2F2F2);
    }
  return format;
}

static void
write_cell (lxw_worksheet      *sheet,
            lxw_row_t           row,
            lxw_col_t           col,
            const CpReportCell *cell,
            lxw_format         *text_format,
            lxw_format         *number_format)
{
  lxw_datetime when = { 0, };

  switch (cell->type)
    {
    case CP_REPORT_CELL_TEXT:
      worksheet_write_string (sheet, row, col, cell->text, text_format);
      break;
    case CP_REPORT_CELL_NUMBER:
      worksheet_write_number (sheet, row, col, cell->number, number_format);
      break;
    case CP_REPORT_CELL_DATE:
      when.year = g_date_get_year (&cell->date);
      when.month = g_date_get_month (&cell->date);
      when.day = g_date_get_day (&cell->date);
      worksheet_write_datetime (sheet, row, col, &when, number_format);
      break;
    case CP_REPORT_CELL_EMPTY:
    default:
      worksheet_write_blank (sheet, row, col, text_format);
      break;
    }
}

static gboolean
xlsx_write (const CpFormatsSheet  *table,
            const char            *path,
            const char            *tmpdir,
            char                 **reason)
{
  lxw_workbook_options options = { 0, };
  lxw_doc_properties properties = { 0, };
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_error status;
  Formats formats = { 0, };
  guint n_columns = table->n_columns;
  guint n_rows = table->n_rows;

  /* libxlsxwriter's own scratch files go beside the result, not into a shared /tmp. */
  options.tmpdir = (char *) tmpdir;
  workbook = workbook_new_opt (path, &options);
  if (workbook == NULL)
    {
      *reason = g_strdup (g_strerror (ENOMEM));
      return FALSE;
    }

  properties.title = (char *) table->title;
  properties.author = (char *) "Credit Packet";
  properties.comments = (char *) table->comments;
  workbook_set_properties (workbook, &properties);

  sheet = workbook_add_worksheet (workbook, table->sheet_name);
  if (sheet == NULL)
    sheet = workbook_add_worksheet (workbook, NULL);

  formats.title = workbook_add_format (workbook);
  format_set_bold (formats.title);
  format_set_font_size (formats.title, 14);
  format_set_align (formats.title, LXW_ALIGN_CENTER);
  format_set_align (formats.title, LXW_ALIGN_VERTICAL_CENTER);
  formats.header = workbook_add_format (workbook);
  format_set_bold (formats.header);
  format_set_text_wrap (formats.header);
  format_set_align (formats.header, LXW_ALIGN_CENTER);
  format_set_align (formats.header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_border (formats.header, LXW_BORDER_THIN);
  format_set_bg_color (formats.header, 0xD9E1F2);
  formats.text = cell_format (workbook, NULL, FALSE, FALSE);
  format_set_text_wrap (formats.text);
  formats.total_text = cell_format (workbook, NULL, TRUE, FALSE);
  formats.numbers = g_new0 (lxw_format *, n_columns);
  formats.total_numbers = g_new0 (lxw_format *, n_columns);
  for (guint c = 0; c < n_columns; c++)
    {
      const char *number_format = table->number_formats[c];

      formats.numbers[c] = cell_format (workbook, number_format, FALSE, FALSE);
      formats.total_numbers[c] = cell_format (workbook, number_format, TRUE,
                                              table->averages[c]);
    }

  /* Row 1: the title across the table; row 2: the headings, frozen with the title. */
  if (n_columns > 1)
    worksheet_merge_range (sheet, 0, 0, 0, n_columns - 1, table->title,
                           formats.title);
  else
    worksheet_write_string (sheet, 0, 0, table->title, formats.title);
  worksheet_set_row (sheet, 0, 28, NULL);
  for (guint c = 0; c < n_columns; c++)
    {
      worksheet_write_string (sheet, 1, c, table->headings[c],
                              formats.header);
      worksheet_set_column (sheet, c, c, table->widths[c], NULL);
    }
  worksheet_set_row (sheet, 1, 32, NULL);

  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      write_cell (sheet, 2 + r, c, table->get_cell (table->table, r, c), formats.text,
                  formats.numbers[c]);

  if (table->has_totals)
    for (guint c = 0; c < n_columns; c++)
      write_cell (sheet, 2 + n_rows, c, table->get_total (table->table, c), formats.total_text,
                  formats.total_numbers[c]);

  worksheet_freeze_panes (sheet, 2, table->freeze_columns);
  worksheet_autofilter (sheet, 1, 0, 1 + n_rows, n_columns - 1);
  /* Printed as the office sends it: A4 landscape, one page wide, the headings on every page. */
  worksheet_set_paper (sheet, XLSX_PAPER_A4);
  worksheet_set_landscape (sheet);
  worksheet_fit_to_pages (sheet, 1, 0);
  worksheet_repeat_rows (sheet, 1, 1);

  status = workbook_close (workbook);
  g_free (formats.numbers);
  g_free (formats.total_numbers);
  if (status != LXW_NO_ERROR)
    {
      *reason = g_strdup (lxw_strerror (status));
      return FALSE;
    }
  return TRUE;
}

static const CpFormats module_formats = {
  .abi_version = CP_FORMATS_ABI_VERSION,
  .pdf_open_file = pdf_open_file,
  .pdf_open_fd = pdf_open_fd,
  .pdf_get_n_pages = pdf_get_n_pages,
  .pdf_get_page = pdf_get_page,
  .pdf_page_get_size = pdf_page_get_size,
  .pdf_page_render = pdf_page_render,
  .pdf_run_qpdf = pdf_run_qpdf,
  .xlsx_write = xlsx_write,
};

const CpFormats *
cp_formats_module_get (void)
{
  return &module_formats;
}
