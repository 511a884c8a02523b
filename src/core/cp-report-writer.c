/* cp-report-writer.c — a report table as an Excel workbook (libxlsxwriter, through the formats
 * module) or as CSV
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

#include "cp-formats.h"
#include "cp-report-table.h"

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

static const CpReportCell *
get_cell (gpointer table,
          guint    row,
          guint    column)
{
  return cp_report_table_get_cell (table, row, column);
}

static const CpReportCell *
get_total (gpointer table,
           guint    column)
{
  return cp_report_table_get_total (table, column);
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
  g_autofree char *reason = NULL;
  g_autofree const char **headings = NULL;
  g_autofree const char **number_formats = NULL;
  g_autofree double *widths = NULL;
  g_autofree gboolean *averages = NULL;
  const CpFormats *formats;
  CpFormatsSheet sheet = { 0, };
  CpReport *report;
  guint n_columns;

  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* The workbook writer is in the formats module, loaded on first use. */
  formats = cp_formats_get (error);
  if (formats == NULL)
    return FALSE;

  tmp_path = make_temp (path, error);
  if (tmp_path == NULL)
    return FALSE;

  report = cp_report_table_get_report (self);
  n_columns = cp_report_table_get_n_columns (self);
  headings = g_new0 (const char *, n_columns + 1);
  number_formats = g_new0 (const char *, n_columns + 1);
  widths = g_new0 (double, n_columns + 1);
  averages = g_new0 (gboolean, n_columns + 1);
  for (guint c = 0; c < n_columns; c++)
    {
      headings[c] = cp_report_table_get_heading (self, c);
      number_formats[c] = cp_report_table_get_number_format (self, c);
      widths[c] = cp_report_table_get_width (self, c);
      averages[c] = cp_report_table_total_is_average (self, c);
    }
  if (report != NULL)
    comments = g_strdup_printf ("%s %s", cp_report_get_id (report),
                                cp_report_get_version (report));
  name = sheet_name (cp_report_table_get_title (self));

  sheet.title = cp_report_table_get_title (self);
  sheet.sheet_name = name;
  sheet.comments = comments;
  sheet.n_columns = n_columns;
  sheet.n_rows = cp_report_table_get_n_rows (self);
  sheet.headings = headings;
  sheet.number_formats = number_formats;
  sheet.widths = widths;
  sheet.averages = averages;
  sheet.has_totals = cp_report_table_has_totals (self);
  sheet.freeze_columns = cp_report_table_get_freeze_columns (self);
  sheet.table = self;
  sheet.get_cell = get_cell;
  sheet.get_total = get_total;

  dir = g_path_get_dirname (path);
  if (!formats->xlsx_write (&sheet, tmp_path, dir, &reason))
    {
      set_write_error (error, path, reason);
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
