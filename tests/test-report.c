/* test-report.c — report definitions, their evaluation over packets, and their files
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cp-demo.h"
#include "cp-json-private.h"
#include "cp-report-registry.h"
#include "cp-report-table.h"
#include "cp-template-registry.h"

static CpTemplateRegistry *templates;

static const char * const shipped[] = {
  "city-demonstration-applicants",
  "demonstration-review-list",
  "demonstration-review-results",
  "provincial-candidates",
  "standardization-acceptance-summary",
  "standardization-enterprises",
};

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-report-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static guint
count_entries (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  g_dir_close (dir);
  return n;
}

/* The six reports of seed 000 ship, and each is a sound definition of its kind. */
static void
test_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReportRegistry) registry = cp_report_registry_new_default (templates, &error);
  g_autoptr(GPtrArray) list = NULL;

  g_assert_no_error (error);
  list = cp_report_registry_list (registry);
  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (shipped));
  for (guint i = 0; i < list->len; i++)
    {
      CpReport *report = g_ptr_array_index (list, i);
      int month = 0, day = 0;

      g_assert_cmpstr (cp_report_get_id (report), ==, shipped[i]);
      g_assert_true (cp_report_get_due (report, &month, &day));
      g_assert_nonnull (cp_text_get_for (cp_report_get_title (report), "zh_CN"));
      g_assert_nonnull (strstr (cp_text_get_for (cp_report_get_description (report), "zh_CN"),
                                "请与本办实际表式核对"));
      g_assert_true (cp_report_check (report, templates, &error));
      g_assert_no_error (error);
    }

  /* The seed's dates. */
  {
    static const struct { const char *id; int month, day; const char *title; } due[] = {
      { "standardization-enterprises", 8, 31, "2020年贯标企业信息汇总表" },
      { "standardization-acceptance-summary", 8, 31, "2020年贯标验收汇总表" },
      { "city-demonstration-applicants", 4, 30, "2020年市级示范企业申报名单及对应辅导机构" },
      { "provincial-candidates", 7, 31, "2020年省级示范候选企业名单" },
      { "demonstration-review-list", 4, 1, "2020年示范企业复核名单" },
      { "demonstration-review-results", 11, 30, "2020年示范企业复核结果及处理意见" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (due); i++)
      {
        CpReport *report = cp_report_registry_lookup (registry, due[i].id);
        g_autofree char *title = NULL;
        g_autofree char *with_district = NULL;
        int month, day;

        g_assert_nonnull (report);
        cp_report_get_due (report, &month, &day);
        g_assert_cmpint (month, ==, due[i].month);
        g_assert_cmpint (day, ==, due[i].day);
        title = cp_report_format_title (report, 2020, NULL, "zh_CN");
        g_assert_cmpstr (title, ==, due[i].title);
        with_district = cp_report_format_title (report, 2020, "昆山", "zh_CN");
        g_assert_true (g_str_has_prefix (with_district, "2020年昆山"));
      }
  }
}

static const char good[] =
  "{ \"format\": 1, \"type\": \"report\", \"id\": \"probe\", \"version\": \"1\","
  "  \"title\": { \"en\": \"Probe {year}\", \"zh_CN\": \"{year}年测试表\" },"
  "  \"packets\": { \"kind\": \"demonstration-review\" },"
  "  \"columns\": ["
  "    { \"id\": \"n\", \"heading\": \"No.\", \"value\": \"row-number\" },"
  "    { \"id\": \"name\", \"heading\": \"Name\", \"value\": \"field\","
  "      \"field\": \"cover.enterprise_name\" },"
  "    { \"id\": \"score\", \"heading\": \"Score\","
  "      \"value\": \"score\", \"column\": \"acceptance\" }"
  "  ],"
  "  \"sort\": [ { \"column\": \"name\" } ],"
  "  \"totals\": { \"label\": \"Total\","
  "    \"columns\": [ { \"column\": \"score\", \"function\": \"sum\" } ] } }";

/* Replaces @from with @to in the good definition. */
static char *
variant (const char *from,
         const char *to)
{
  g_autoptr(GString) text = g_string_new (good);

  g_assert_nonnull (strstr (good, from));
  g_string_replace (text, from, to, 1);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* Bad definitions are refused with the JSON path of the fault, by the reader or, for what
 * needs the templates, by cp_report_check(). */
static void
test_refused (void)
{
  static const struct
  {
    const char *from;
    const char *to;
    const char *path;
    CpJsonError code;
  } cases[] = {
    { "\"format\": 1", "\"format\": 2", "$.format:", CP_JSON_ERROR_UNSUPPORTED },
    { "\"type\": \"report\"", "\"type\": \"packet-kind\"", "$.type:", CP_JSON_ERROR_INVALID_VALUE },
    { "\"version\": \"1\",", "\"version\": \"1\", \"colour\": 3,", "$.colour:",
      CP_JSON_ERROR_UNKNOWN_MEMBER },
    { "\"id\": \"probe\"", "\"id\": \"Probe!\"", "$.id:", CP_JSON_ERROR_INVALID_VALUE },
    { "\"version\": \"1\"", "\"version\": \"1 0\"", "$.version:", CP_JSON_ERROR_INVALID_VALUE },
    { "\"title\": { \"en\": \"Probe {year}\", \"zh_CN\": \"{year}年测试表\" },", "",
      "$: the member “title” is missing", CP_JSON_ERROR_MISSING_MEMBER },
    { "\"kind\": \"demonstration-review\"",
      "\"kind\": \"demonstration-review\", \"states\": [\"submitted\", \"finished\"]",
      "$.packets.states[1]:", CP_JSON_ERROR_INVALID_VALUE },
    { "\"id\": \"name\"", "\"id\": \"n\"", "$.columns[1].id:", CP_JSON_ERROR_DUPLICATE_ID },
    { "\"value\": \"row-number\"", "\"value\": \"rank\"", "$.columns[0].value:",
      CP_JSON_ERROR_INVALID_VALUE },
    { "\"field\": \"cover.enterprise_name\"", "\"field\": \"enterprise_name\"",
      "$.columns[1].field:", CP_JSON_ERROR_INVALID_VALUE },
    { "\"column\": \"acceptance\" }", "\"column\": \"middle\" }", "$.columns[2].column:",
      CP_JSON_ERROR_INVALID_VALUE },
    { "\"value\": \"row-number\" }", "\"value\": \"row-number\", \"width\": 500 }",
      "$.columns[0].width:", CP_JSON_ERROR_INVALID_VALUE },
    { "\"value\": \"row-number\" }", "\"value\": \"row-number\", \"field\": \"cover.uscc\" }",
      "$.columns[0].field:", CP_JSON_ERROR_UNKNOWN_MEMBER },
    { "\"sort\": [ { \"column\": \"name\" } ]", "\"sort\": [ { \"column\": \"nom\" } ]",
      "$.sort[0].column:", CP_JSON_ERROR_INCONSISTENT },
    { "\"sort\": [ { \"column\": \"name\" } ]", "\"sort\": [ { \"column\": \"n\" } ]",
      "$.sort[0].column:", CP_JSON_ERROR_INCONSISTENT },
    { "{ \"column\": \"score\", \"function\": \"sum\" }",
      "{ \"column\": \"score\", \"function\": \"median\" }", "$.totals.columns[0].function:",
      CP_JSON_ERROR_INVALID_VALUE },
    { "\"sort\": [", "\"freeze_columns\": 3, \"sort\": [", "$.freeze_columns:",
      CP_JSON_ERROR_INVALID_VALUE },
    { "\"value\": \"score\", \"column\": \"acceptance\" }",
      "\"value\": \"pass-mark\", \"column\": \"acceptance\" }", "$.columns[2]:",
      CP_JSON_ERROR_MISSING_MEMBER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *data = variant (cases[i].from, cases[i].to);
      g_autoptr(GError) error = NULL;
      g_autoptr(CpReport) report = cp_report_new_from_data (data, -1, "probe.json", &error);

      g_test_message ("%s", error != NULL ? error->message : "(accepted)");
      g_assert_null (report);
      g_assert_error (error, CP_JSON_ERROR, (int) cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "probe.json: "));
      g_assert_nonnull (strstr (error->message, cases[i].path));
    }

  /* What only the templates can tell. */
  {
    static const struct
    {
      const char *from;
      const char *to;
      const char *path;
    } checked[] = {
      { "\"kind\": \"demonstration-review\"", "\"kind\": \"city-demo\"", "$.packets.kind:" },
      { "\"field\": \"cover.enterprise_name\"", "\"field\": \"cover.enterprise_nom\"",
        "$.columns[1].field:" },
      { "\"field\": \"cover.enterprise_name\"", "\"field\": \"review-report.indicators\"",
        "$.columns[1].field:" },
      { "\"field\": \"cover.enterprise_name\"", "\"field\": \"review-report.report\"",
        "$.columns[1].field:" },
      { "\"field\": \"cover.enterprise_name\" }",
        "\"field\": \"cover.enterprise_name\", \"labels\": { \"true\": \"Y\" } }",
        "$.columns[1].labels:" },
      { "\"value\": \"score\", \"column\": \"acceptance\" }",
        "\"value\": \"pass-mark\", \"column\": \"acceptance\", \"mark_field\": \"cover.uscc\" }",
        "$.columns[2].mark_field:" },
      { "\"value\": \"score\", \"column\": \"acceptance\" }",
        "\"value\": \"pass-mark\", \"column\": \"acceptance\", \"mark\": \"county\" }",
        "$.columns[2].mark:" },
      { "{ \"column\": \"score\", \"function\": \"sum\" }",
        "{ \"column\": \"name\", \"function\": \"sum\" }", "$.totals.columns[0].function:" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (checked); i++)
      {
        g_autofree char *data = variant (checked[i].from, checked[i].to);
        g_autoptr(GError) error = NULL;
        g_autoptr(CpReport) report = cp_report_new_from_data (data, -1, "probe.json", &error);
        g_autoptr(CpReportRegistry) registry = cp_report_registry_new (templates);

        g_assert_no_error (error);
        g_assert_nonnull (report);
        g_assert_false (cp_report_check (report, templates, &error));
        g_test_message ("%s", error->message);
        g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INCONSISTENT);
        g_assert_nonnull (strstr (error->message, checked[i].path));
        g_clear_error (&error);

        /* The registry refuses it the same way and keeps nothing. */
        g_assert_false (cp_report_registry_load_data (registry, data, -1, "probe.json", &error));
        g_assert_nonnull (strstr (error->message, checked[i].path));
        g_assert_null (cp_report_registry_lookup (registry, "probe"));
      }
  }

  /* Not JSON at all. */
  {
    g_autoptr(GError) error = NULL;

    g_assert_null (cp_report_new_from_data ("{ \"format\": ", -1, "probe.json", &error));
    g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX);
  }
}

/* An office's own revision in a folder (the server's templates-dir/reports) replaces the shipped
 * report when it is newer; an older one is ignored. */
static void
test_directory (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *newer = g_build_filename (dir, "a-newer.json", NULL);
  g_autofree char *older = g_build_filename (dir, "b-older.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReportRegistry) registry = cp_report_registry_new_default (templates, &error);
  g_autofree char *shipped_data = NULL;
  g_autoptr(GString) text = NULL;
  CpReport *report;

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (SOURCE_DATA_DIR "/reports/provincial-candidates.json",
                                      &shipped_data, NULL, NULL));
  text = g_string_new (shipped_data);
  g_string_replace (text, "\"version\": \"2020.1\"", "\"version\": \"2021.1\"", 1);
  g_string_replace (text, "省级示范候选企业名单", "省级示范候选企业推荐表", 0);
  g_assert_true (g_file_set_contents (newer, text->str, -1, NULL));
  g_string_replace (text, "\"version\": \"2021.1\"", "\"version\": \"2019.1\"", 1);
  g_string_replace (text, "推荐表", "旧表", 0);
  g_assert_true (g_file_set_contents (older, text->str, -1, NULL));

  g_assert_true (cp_report_registry_load_directory (registry, dir, &error));
  g_assert_no_error (error);
  report = cp_report_registry_lookup (registry, "provincial-candidates");
  g_assert_cmpstr (cp_report_get_version (report), ==, "2021.1");
  g_assert_nonnull (strstr (cp_text_get_for (cp_report_get_title (report), "zh_CN"),
                            "推荐表"));

  /* A bad file stops the load and names itself. */
  g_assert_true (g_file_set_contents (older, "{ \"format\": 1 }", -1, NULL));
  g_assert_false (cp_report_registry_load_directory (registry, dir, &error));
  g_assert_nonnull (strstr (error->message, "b-older.json"));

  remove_tree (dir);
}

static GPtrArray *
demo_packets (const char *kind,
              int         year,
              guint       n)
{
  GPtrArray *packets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      CpPacket *packet = cp_demo_packet_for_year (templates, kind, year, 100 + i);

      g_assert_nonnull (packet);
      cp_packet_set_state (packet, i % 3 == 0 ? CP_PACKET_STATE_ACCEPTED
                                              : i % 3 == 1 ? CP_PACKET_STATE_SUBMITTED
                                                           : CP_PACKET_STATE_DRAFT);
      g_ptr_array_add (packets, packet);
    }
  return packets;
}

/* The rows: the right packets, in the report's order, the totals; the files. */
static void
test_evaluate_and_write (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReportRegistry) registry = cp_report_registry_new_default (templates, &error);
  g_autoptr(GPtrArray) packets = demo_packets ("demonstration-review", 2020, 9);
  g_autoptr(GPtrArray) others = demo_packets ("city-demonstration", 2020, 2);
  g_autoptr(GPtrArray) later = demo_packets ("demonstration-review", 2021, 2);
  g_autoptr(CpReportTable) table = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "results.csv", NULL);
  g_autofree char *xlsx = g_build_filename (dir, "results.xlsx", NULL);
  g_autofree char *contents = NULL;
  CpReport *report = cp_report_registry_lookup (registry, "demonstration-review-results");
  const CpReportColumn *score_column = cp_report_lookup_column (report, "score");
  const CpReportColumn *district_column = cp_report_lookup_column (report, "district");
  const CpReportColumn *name_column = cp_report_lookup_column (report, "name");
  double sum = 0;
  gsize length;
  guint wanted = 0;

  g_ptr_array_extend (packets, others, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  g_ptr_array_extend (packets, later, (GCopyFunc) (void (*) (void)) g_object_ref, NULL);
  for (guint i = 0; i < 9; i++)
    wanted += i % 3 != 2;

  table = cp_report_evaluate (report, templates, packets, 2020, "昆山", "zh_CN", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_report_table_get_title (table), ==, "2020年昆山示范企业复核结果及处理意见");
  /* Accepted and submitted ones of 2020 only: no draft, no other kind, no other year. */
  g_assert_cmpuint (cp_report_table_get_n_rows (table), ==, wanted);
  g_assert_cmpstr (cp_report_table_get_heading (table, 0), ==, "序号");

  for (guint r = 0; r < cp_report_table_get_n_rows (table); r++)
    {
      const CpReportCell *number = cp_report_table_get_cell (table, r, 0);
      const CpReportCell *score = cp_report_table_get_cell (table, r, score_column->index);

      g_assert_cmpint (number->type, ==, CP_REPORT_CELL_NUMBER);
      g_assert_cmpfloat (number->number, ==, r + 1);
      g_assert_cmpint (score->type, ==, CP_REPORT_CELL_NUMBER);
      sum += score->number;
      if (r > 0)
        {
          const CpReportCell *d0 = cp_report_table_get_cell (table, r - 1, district_column->index);
          const CpReportCell *d1 = cp_report_table_get_cell (table, r, district_column->index);
          const CpReportCell *s0 = cp_report_table_get_cell (table, r - 1, score_column->index);

          /* District in the template's order, then the score from the highest. */
          g_assert_cmpint (d0->order, <=, d1->order);
          if (d0->order == d1->order)
            g_assert_cmpfloat (s0->number, >=, score->number);
        }
    }

  g_assert_true (cp_report_table_has_totals (table));
  g_assert_cmpstr (cp_report_table_get_total (table, 0)->text, ==, "合计");
  g_assert_cmpfloat (cp_report_table_get_total (table, name_column->index)->number, ==, wanted);
  g_assert_cmpfloat_with_epsilon (cp_report_table_get_total (table, score_column->index)->number,
                                  sum / wanted, 1e-6);

  /* CSV: the byte-order mark, CRLF, the header row first, a line per row and the totals. */
  g_assert_true (cp_report_table_write_csv (table, csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &contents, &length, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbf序号,所属市、区,企业名称,"));
  {
    g_auto(GStrv) lines = g_strsplit (contents, "\r\n", -1);

    g_assert_cmpuint (g_strv_length (lines), ==, 1 + wanted + 1 + 1);
    g_assert_cmpstr (lines[wanted + 2], ==, "");
    g_assert_true (g_str_has_prefix (lines[1], "1,"));
    g_assert_true (g_str_has_prefix (lines[wanted + 1], "合计,"));
  }

  /* XLSX: a zip archive (the server tests read it back cell by cell with openpyxl). */
  g_clear_pointer (&contents, g_free);
  g_assert_true (cp_report_table_write (table, xlsx, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (xlsx, &contents, &length, NULL));
  g_assert_true (g_str_has_prefix (contents, "PK\003\004"));
  g_assert_cmpuint (count_entries (dir), ==, 2);

  remove_tree (dir);
}

/* A year without data, a name that is no spreadsheet, an unwritable place: a clear error and
 * nothing left behind. */
static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReportRegistry) registry = cp_report_registry_new_default (templates, &error);
  g_autoptr(GPtrArray) packets = demo_packets ("city-demonstration", 2020, 3);
  g_autoptr(CpReportTable) table = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *blocker = g_build_filename (dir, "not-a-folder", NULL);
  g_autofree char *inside = g_build_filename (blocker, "report.xlsx", NULL);
  g_autofree char *text = g_build_filename (dir, "report.txt", NULL);
  g_autofree char *kept = g_build_filename (dir, "kept.csv", NULL);
  g_autofree char *contents = NULL;
  CpReport *report = cp_report_registry_lookup (registry, "city-demonstration-applicants");

  g_assert_null (cp_report_evaluate (report, templates, packets, 2024, NULL, "zh_CN", &error));
  g_assert_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_NO_DATA);
  g_assert_nonnull (strstr (error->message, "2024"));
  g_clear_error (&error);
  g_assert_null (cp_report_evaluate (report, templates, packets, 2024, "吴中", "zh_CN", &error));
  g_assert_nonnull (strstr (error->message, "吴中"));
  g_clear_error (&error);

  table = cp_report_evaluate (report, templates, packets, 2020, NULL, "en", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cp_report_table_get_n_rows (table), ==, 3);
  g_assert_cmpstr (cp_report_table_get_heading (table, 0), ==, "No.");

  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  g_assert_false (cp_report_table_write (table, inside, &error));
  g_assert_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "report.xlsx"));
  g_clear_error (&error);
  g_assert_false (cp_report_table_write_csv (table, inside, &error));
  g_assert_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_WRITE);
  g_clear_error (&error);

  g_assert_false (cp_report_table_write (table, text, &error));
  g_assert_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_FILE_TYPE);
  g_clear_error (&error);

  /* An earlier file is replaced whole. */
  g_assert_true (g_file_set_contents (kept, "earlier", -1, NULL));
  g_assert_true (cp_report_table_write (table, kept, &error));
  g_assert_true (g_file_get_contents (kept, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbfNo.,"));
  g_assert_cmpuint (count_entries (dir), ==, 2);

  remove_tree (dir);
}

/* CSV quoting: commas, quotes and line breaks in a value. */
static void
test_csv_quoting (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpReportRegistry) registry = cp_report_registry_new_default (templates, &error);
  g_autoptr(GPtrArray) packets = demo_packets ("standardization-acceptance", 2020, 1);
  g_autoptr(CpReportTable) table = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "q.csv", NULL);
  g_autofree char *contents = NULL;
  CpReport *report = cp_report_registry_lookup (registry, "standardization-enterprises");

  cp_packet_set_string (g_ptr_array_index (packets, 0), "cover", "address",
                        "苏州市\"工业园区\", 星湖街\n328号");
  cp_packet_set_state (g_ptr_array_index (packets, 0), CP_PACKET_STATE_SUBMITTED);
  table = cp_report_evaluate (report, templates, packets, 2020, NULL, "zh_CN", &error);
  g_assert_no_error (error);
  g_assert_true (cp_report_table_write_csv (table, csv, &error));
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, ",\"苏州市\"\"工业园区\"\", 星湖街\n328号\","));

  remove_tree (dir);
}

/* A table made row by row (the district progress the application exports): the same files,
 * with the number formats, totals and frozen columns it was given. */
static void
test_new_table (void)
{
  const char * const headings[] = { "区域", "任务数", "完成率" };
  const CpReportColumnType types[] = { CP_REPORT_COLUMN_TEXT, CP_REPORT_COLUMN_INTEGER,
                                       CP_REPORT_COLUMN_NUMBER };
  g_autoptr(CpReportTable) table = cp_report_table_new ("2020年信用管理贯标示范创建进度", 2020,
                                                        3, headings, types);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "progress.csv", NULL);
  g_autofree char *xlsx = g_build_filename (dir, "progress.xlsx", NULL);
  g_autofree char *contents = NULL;
  CpReportCell row[3] = { { 0, }, };
  CpReportCell totals[3] = { { 0, }, };
  const gboolean averages[3] = { FALSE, FALSE, TRUE };

  g_assert_null (cp_report_table_get_report (table));
  g_assert_cmpuint (cp_report_table_get_n_rows (table), ==, 0);
  cp_report_table_set_number_format (table, 2, "0.0%");
  cp_report_table_set_freeze_columns (table, 1);

  row[0].type = CP_REPORT_CELL_TEXT;
  row[0].text = (char *) "昆山";
  row[1].type = CP_REPORT_CELL_NUMBER;
  row[1].number = 66;
  row[2].type = CP_REPORT_CELL_NUMBER;
  row[2].number = 0.6061;
  cp_report_table_append_row (table, row);
  row[0].text = (char *) "吴中, 东山";
  row[1].number = 40;
  row[2].type = CP_REPORT_CELL_EMPTY;
  cp_report_table_append_row (table, row);
  totals[0].type = CP_REPORT_CELL_TEXT;
  totals[0].text = (char *) "合计";
  totals[1].type = CP_REPORT_CELL_NUMBER;
  totals[1].number = 106;
  totals[2].type = CP_REPORT_CELL_NUMBER;
  totals[2].number = 0.5;
  cp_report_table_set_totals (table, totals, averages);

  g_assert_cmpuint (cp_report_table_get_n_rows (table), ==, 2);
  g_assert_cmpstr (cp_report_table_get_cell (table, 1, 0)->text, ==, "吴中, 东山");
  g_assert_cmpint (cp_report_table_get_cell (table, 1, 2)->type, ==, CP_REPORT_CELL_EMPTY);
  g_assert_cmpstr (cp_report_table_get_number_format (table, 2), ==, "0.0%");
  g_assert_cmpstr (cp_report_table_get_number_format (table, 1), ==, "0");
  g_assert_null (cp_report_table_get_number_format (table, 0));
  g_assert_cmpuint (cp_report_table_get_freeze_columns (table), ==, 1);
  g_assert_true (cp_report_table_total_is_average (table, 2));
  /* Fitted: the longest value, CJK characters counted twice, and a margin. */
  g_assert_cmpfloat (cp_report_table_get_width (table, 0), ==, 12);

  g_assert_true (cp_report_table_write (table, csv, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "\xef\xbb\xbf区域,任务数,完成率\r\n"
                                 "昆山,66,0.6061\r\n"
                                 "\"吴中, 东山\",40,\r\n"
                                 "合计,106,0.50\r\n");
  g_clear_pointer (&contents, g_free);
  g_assert_true (cp_report_table_write (table, xlsx, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (xlsx, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "PK\003\004"));
  g_assert_cmpuint (count_entries (dir), ==, 2);

  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  templates = cp_template_registry_new_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/report/shipped", test_shipped);
  g_test_add_func ("/report/refused", test_refused);
  g_test_add_func ("/report/directory", test_directory);
  g_test_add_func ("/report/evaluate-and-write", test_evaluate_and_write);
  g_test_add_func ("/report/bad-input", test_bad_input);
  g_test_add_func ("/report/csv-quoting", test_csv_quoting);
  g_test_add_func ("/report/new-table", test_new_table);

  ret = g_test_run ();
  g_clear_object (&templates);
  return ret;
}
