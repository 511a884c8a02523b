/* test-formats.c — the formats module (poppler, qpdf, libxlsxwriter) is loaded on first use,
 * and its absence is an error the user can read, not a crash
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cp-formats.h"
#include "cp-report-table.h"

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cp-test-formats-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static CpReportTable *
make_table (void)
{
  const char * const headings[] = { "区域", "任务数" };
  const CpReportColumnType types[] = { CP_REPORT_COLUMN_TEXT, CP_REPORT_COLUMN_INTEGER };
  CpReportTable *table = cp_report_table_new ("进度", 2020, 2, headings, types);
  CpReportCell row[2] = { { 0, }, };

  row[0].type = CP_REPORT_CELL_TEXT;
  row[0].text = (char *) "昆山";
  row[1].type = CP_REPORT_CELL_NUMBER;
  row[1].number = 66;
  cp_report_table_append_row (table, row);
  return table;
}

/* From the build tree the module is found there, and it does the work. */
static void
test_loaded (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReportTable) table = make_table ();
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *xlsx = g_build_filename (dir, "progress.xlsx", NULL);
  g_autofree char *pdf = g_build_filename (dir, "not-a.pdf", NULL);
  g_autofree char *contents = NULL;
  const CpFormats *formats;
  GObject *document;
  gsize length = 0;

  formats = cp_formats_get (&error);
  g_assert_no_error (error);
  g_assert_nonnull (formats);
  g_assert_cmpuint (formats->abi_version, ==, CP_FORMATS_ABI_VERSION);
  /* Once loaded, the same table for everyone. */
  g_assert_true (cp_formats_get (NULL) == formats);

  g_assert_true (cp_report_table_write_xlsx (table, xlsx, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (xlsx, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 4);
  g_assert_cmpmem (contents, 2, "PK", 2);

  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4 nothing else", -1, NULL));
  document = formats->pdf_open_file (pdf, &error);
  g_assert_null (document);
  g_assert_error (error, CP_FORMATS_ERROR, CP_FORMATS_ERROR_DAMAGED);

  g_unlink (xlsx);
  g_unlink (pdf);
  g_rmdir (dir);
}

/* Pointed at a folder without the module: every use fails with one clear error, and nothing is
 * left behind. */
static void
test_missing (void)
{
  g_autofree char *dir = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CpReportTable) table = make_table ();
      g_autofree char *xlsx = NULL;
      g_autoptr(GDir) listing = NULL;

      dir = make_temp_dir ();
      xlsx = g_build_filename (dir, "progress.xlsx", NULL);
      g_setenv ("CP_FORMATS_MODULE_DIR", dir, TRUE);

      g_assert_null (cp_formats_get (&error));
      g_assert_error (error, CP_FORMATS_ERROR, CP_FORMATS_ERROR_NOT_INSTALLED);
      g_assert_nonnull (strstr (error->message, "libcpformats.so"));
      g_clear_error (&error);

      g_assert_false (cp_report_table_write_xlsx (table, xlsx, &error));
      g_assert_error (error, CP_FORMATS_ERROR, CP_FORMATS_ERROR_NOT_INSTALLED);
      listing = g_dir_open (dir, 0, NULL);
      g_assert_null (g_dir_read_name (listing));

      /* CSV needs no module. */
      g_clear_error (&error);
      g_clear_pointer (&xlsx, g_free);
      xlsx = g_build_filename (dir, "progress.csv", NULL);
      g_assert_true (cp_report_table_write_csv (table, xlsx, &error));
      g_assert_no_error (error);
      g_unlink (xlsx);
      g_rmdir (dir);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/formats/loaded", test_loaded);
  g_test_add_func ("/formats/missing", test_missing);
  return g_test_run ();
}
