/* cp-report-writer.c — a report table as an Excel workbook (libxlsxwriter) or as CSV
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <xlsxwriter.h>

#include "cp-report-table.h"

/* A4 in Excel's paper codes. */
#define XLSX_PAPER_A4 9

static void
set_write_error (GError    **error,
                 const char *path,
                 const char *reason)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_WRITE,
               /* Translators: the first %s is a file name, the second the reason. */
               _("Could not write the report to “%s”: %s. Choose another folder or free some "
                 "space, then try again."),
               display, reason);
}

/* A hidden temporary file beside @path, created empty; NULL (and @error) when the folder cannot
 * be written. */
static char *
make_temp (const char  *path,
           GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  char *tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  int fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0666);

  if (fd < 0)
    {
      set_write_error (error, path, g_strerror (errno));
      g_free (tmp_path);
      return NULL;
    }
  close (fd);
  return tmp_path;
}

/* Puts a complete temporary file in place: synced, then renamed. */
static gboolean
finish_temp (const char  *tmp_path,
             const char  *path,
             GError     **error)
{
  int fd = g_open (tmp_path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fsync (fd) != 0)
    {
      set_write_error (error, path, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      g_unlink (tmp_path);
      return FALSE;
    }
  close (fd);
  if (g_rename (tmp_path, path) != 0)
    {
      set_write_error (error, path, g_strerror (errno));
      g_unlink (tmp_path);
      return FALSE;
    }
  return TRUE;
}

/* Numbers as a spreadsheet reads them: no thousands separators, a dot, no trailing zeros. */
static char *
format_number (double             number,
               CpReportColumnType type,
               gboolean           average)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];
  char *text;
  char *end;

  if (type == CP_REPORT_COLUMN_MONEY || average)
    return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.2f", number));

  text = g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6f", number));
  end = text + strlen (text);
  while (end > text && end[-1] == '0')
    *--end = '\0';
  if (end > text && end[-1] == '.')
    *--end = '\0';
  if (g_str_equal (text, "-0"))
    {
      g_free (text);
      text = g_strdup ("0");
    }
  return text;
}

/* CSV ------------------------------------------------------------------------------------- */

static void
append_csv_field (GString    *out,
                  const char *text)
{
  gboolean quote = strpbrk (text, ",\"\r\n") != NULL || g_ascii_isspace (*text) ||
                   (*text != '\0' && g_ascii_isspace (text[strlen (text) - 1]));

  if (!quote)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
append_csv_cell (GString            *out,
                 const CpReportCell *cell,
                 CpReportColumnType  type,
                 gboolean            average)
{
  switch (cell->type)
    {
    case CP_REPORT_CELL_TEXT:
      append_csv_field (out, cell->text);
      break;
    case CP_REPORT_CELL_NUMBER:
      {
        g_autofree char *text = format_number (cell->number, type, average);

        g_string_append (out, text);
      }
      break;
    case CP_REPORT_CELL_DATE:
      g_string_append_printf (out, "%04d-%02d-%02d", g_date_get_year (&cell->date),
                              g_date_get_month (&cell->date), g_date_get_day (&cell->date));
      break;
    case CP_REPORT_CELL_EMPTY:
    default:
      break;
    }
}

gboolean
cp_report_table_write_csv (CpReportTable  *self,
                           const char     *path,
                           GError        **error)
{
  g_autoptr(GString) out = g_string_new ("\xef\xbb\xbf");
  g_autofree char *tmp_path = NULL;
  g_autoptr(GError) local_error = NULL;
  guint n_columns;

  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  n_columns = cp_report_table_get_n_columns (self);
  for (guint c = 0; c < n_columns; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      append_csv_field (out, cp_report_table_get_heading (self, c));
    }
  g_string_append (out, "\r\n");

  for (guint r = 0; r < cp_report_table_get_n_rows (self); r++)
    {
      for (guint c = 0; c < n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          append_csv_cell (out, cp_report_table_get_cell (self, r, c),
                           cp_report_table_get_column_type (self, c), FALSE);
        }
      g_string_append (out, "\r\n");
    }

  if (cp_report_table_has_totals (self))
    {
      for (guint c = 0; c < n_columns; c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          append_csv_cell (out, cp_report_table_get_total (self, c),
                           cp_report_table_get_column_type (self, c),
                           cp_report_table_total_is_average (self, c));
        }
      g_string_append (out, "\r\n");
    }

  tmp_path = make_temp (path, error);
  if (tmp_path == NULL)
    return FALSE;
  if (!g_file_set_contents_full (tmp_path, out->str, out->len, G_FILE_SET_CONTENTS_NONE, 0666,
                                 &local_error))
    {
      set_write_error (error, path, local_error->message);
      g_unlink (tmp_path);
      return FALSE;
    }
  return finish_temp (tmp_path, path, error);
}

/* XLSX ------------------------------------------------------------------------------------ */

/* Excel's rules for a sheet name: at most 31 characters, none of []:*?/\. */
static char *
sheet_name (const char *title)
{
  GString *name = g_string_new (NULL);
  guint n = 0;

  for (const char *p = title; *p != '\0' && n < 31; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (strchr ("[]:*?/\\", (int) c) != NULL && c < 0x80)
        c = '_';
      g_string_append_unichar (name, c);
    }
  if (name->len == 0 || name->str[0] == '\'')
    g_string_prepend (name, "Report");
  return g_string_free (name, FALSE);
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

gboolean
cp_report_table_write_xlsx (CpReportTable  *self,
                            const char     *path,
                            GError        **error)
{
  g_autofree char *tmp_path = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *comments = NULL;
  CpReport *report;
  lxw_workbook_options options = { 0, };
  lxw_doc_properties properties = { 0, };
  lxw_workbook *workbook;
  lxw_worksheet *sheet;
  lxw_error status;
  Formats formats = { 0, };
  guint n_columns;
  guint n_rows;

  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  tmp_path = make_temp (path, error);
  if (tmp_path == NULL)
    return FALSE;

  report = cp_report_table_get_report (self);
  n_columns = cp_report_table_get_n_columns (self);
  n_rows = cp_report_table_get_n_rows (self);

  /* libxlsxwriter's own scratch files go beside the result, not into a shared /tmp. */
  dir = g_path_get_dirname (path);
  options.tmpdir = dir;
  workbook = workbook_new_opt (tmp_path, &options);
  if (workbook == NULL)
    {
      set_write_error (error, path, g_strerror (ENOMEM));
      g_unlink (tmp_path);
      return FALSE;
    }

  if (report != NULL)
    comments = g_strdup_printf ("%s %s", cp_report_get_id (report),
                                cp_report_get_version (report));
  properties.title = (char *) cp_report_table_get_title (self);
  properties.author = (char *) "Credit Packet";
  properties.comments = comments;
  workbook_set_properties (workbook, &properties);

  name = sheet_name (cp_report_table_get_title (self));
  sheet = workbook_add_worksheet (workbook, name);
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
      const char *number_format = cp_report_table_get_number_format (self, c);

      formats.numbers[c] = cell_format (workbook, number_format, FALSE, FALSE);
      formats.total_numbers[c] = cell_format (workbook, number_format, TRUE,
                                              cp_report_table_total_is_average (self, c));
    }

  /* Row 1: the title across the table; row 2: the headings, frozen with the title. */
  if (n_columns > 1)
    worksheet_merge_range (sheet, 0, 0, 0, n_columns - 1, cp_report_table_get_title (self),
                           formats.title);
  else
    worksheet_write_string (sheet, 0, 0, cp_report_table_get_title (self), formats.title);
  worksheet_set_row (sheet, 0, 28, NULL);
  for (guint c = 0; c < n_columns; c++)
    {
      worksheet_write_string (sheet, 1, c, cp_report_table_get_heading (self, c),
                              formats.header);
      worksheet_set_column (sheet, c, c, cp_report_table_get_width (self, c), NULL);
    }
  worksheet_set_row (sheet, 1, 32, NULL);

  for (guint r = 0; r < n_rows; r++)
    for (guint c = 0; c < n_columns; c++)
      write_cell (sheet, 2 + r, c, cp_report_table_get_cell (self, r, c), formats.text,
                  formats.numbers[c]);

  if (cp_report_table_has_totals (self))
    for (guint c = 0; c < n_columns; c++)
      write_cell (sheet, 2 + n_rows, c, cp_report_table_get_total (self, c), formats.total_text,
                  formats.total_numbers[c]);

  worksheet_freeze_panes (sheet, 2, cp_report_table_get_freeze_columns (self));
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
      set_write_error (error, path, lxw_strerror (status));
      g_unlink (tmp_path);
      return FALSE;
    }
  return finish_temp (tmp_path, path, error);
}

gboolean
cp_report_table_write (CpReportTable  *self,
                       const char     *path,
                       GError        **error)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  lower = g_ascii_strdown (path, -1);
  if (g_str_has_suffix (lower, ".xlsx"))
    return cp_report_table_write_xlsx (self, path, error);
  if (g_str_has_suffix (lower, ".csv"))
    return cp_report_table_write_csv (self, path, error);

  {
    g_autofree char *display = g_filename_display_name (path);

    g_set_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_FILE_TYPE,
                 _("“%s” is neither an Excel workbook (.xlsx) nor a CSV file (.csv): name the "
                   "file with one of those endings."),
                 display);
  }
  return FALSE;
}
