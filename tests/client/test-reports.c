/* test-reports.c — the client's typed report calls against the real server on loopback
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The administrator's client pushes city-demonstration packets of two districts, which their
 * agency hands in; the report list and the files come back through cp_sync_client_list_reports_async() and
 * cp_sync_client_fetch_report_async() for the administrator and for Kunshan's office, with the
 * server's tenancy; bad names never reach the server, and a failed or cancelled fetch leaves an
 * earlier file as it was.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "client-fixture.h"

#define REPORT "city-demonstration-applicants"

typedef struct
{
  TestServer *server;
  CpTestClient *admin;
  char       *dir;
} Fixture;

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* Three packets of 2020: two from Kunshan (320583), one from Wuzhong (320506). */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const CpTestEnterprise packets[] = {
    { "320583", "kunshan", "昆山报表测试甲有限公司" },
    { "320583", "kunshan", "昆山报表测试乙有限公司" },
    { "320506", "wuzhong", "吴中报表测试有限公司" },
  };

  f->server = test_server_start ();
  test_server_admin (f->server, "password-ks\n", "user", "add", "ks", "--role", "office",
                     "--district", "kunshan", NULL);
  f->admin = cp_test_client_new (NULL, f->server->base, "admin", NULL);
  cp_test_hand_in_packets (f->admin, f->server->base, f->server->data_dir, f->server->config,
                           "A", "agency-a", packets, G_N_ELEMENTS (packets));
  f->dir = g_dir_make_tmp ("cp-client-reports-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  cp_test_client_free (f->admin);
  test_server_stop (f->server);
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
fetch (CpSyncClient        *client,
       const char          *report,
       int                  year,
       const char          *district,
       CpSyncReportFormat   format,
       const char          *path,
       GCancellable        *cancellable,
       GError             **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cp_sync_client_fetch_report_async (client, report, year, district, format, "zh_CN", path,
                                     cancellable, async_done_cb, &result);
  return cp_sync_client_fetch_report_finish (client, wait_for (&result), error);
}

/* The CSV's lines without the byte-order mark and the empty one after the last CRLF. */
static GStrv
read_csv (const char *path)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "\xef\xbb\xbf"));
  lines = g_strsplit (contents + 3, "\r\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  g_free (lines[n - 1]);
  lines[n - 1] = NULL;
  return g_steal_pointer (&lines);
}

static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;
  CpTestClient *enterprise;
  const CpReportInfo *applicants = NULL;

  cp_sync_client_list_reports_async (f->admin->client, NULL, async_done_cb, &result);
  reports = cp_sync_client_list_reports_finish (f->admin->client, wait_for (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reports->len, ==, 6);
  for (guint i = 0; i < reports->len; i++)
    {
      const CpReportInfo *info = g_ptr_array_index (reports, i);

      g_assert_true (cp_sync_client_is_report_id (info->id));
      if (i > 0)
        g_assert_cmpint (strcmp (((CpReportInfo *) g_ptr_array_index (reports, i - 1))->id,
                                 info->id), <, 0);
      if (g_str_equal (info->id, REPORT))
        applicants = info;
    }
  g_assert_nonnull (applicants);
  g_assert_cmpstr (applicants->kind, ==, "city-demonstration");
  g_assert_cmpint (applicants->due_month, ==, 4);
  g_assert_cmpint (applicants->due_day, ==, 30);
  g_assert_nonnull (strstr (cp_text_get_for (applicants->title, "zh_CN"), "{year}"));

  /* An enterprise is not an office. */
  enterprise = cp_test_client_new (NULL, f->server->base, "ent-1", NULL);
  g_clear_object (&result);
  cp_sync_client_list_reports_async (enterprise->client, NULL, async_done_cb, &result);
  g_assert_null (cp_sync_client_list_reports_finish (enterprise->client, wait_for (&result),
                                                     &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  cp_test_client_free (enterprise);
}

/* The administrator's table holds both districts; Kunshan's office's only Kunshan. */
static void
test_tenancy (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CpTestClient *office = cp_test_client_new (NULL, f->server->base, "ks", NULL);
  g_autofree char *all = g_build_filename (f->dir, "all.csv", NULL);
  g_autofree char *mine = g_build_filename (f->dir, "kunshan.csv", NULL);
  g_autofree char *xlsx = g_build_filename (f->dir, "kunshan.xlsx", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (fetch (f->admin->client, REPORT, 2020, NULL, CP_SYNC_REPORT_CSV, all, NULL,
                        &error));
  g_assert_no_error (error);
  lines = read_csv (all);
  /* The headings, three packets, the totals. */
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], "序号,"));
  g_assert_nonnull (strstr (lines[1], "昆山"));
  g_assert_nonnull (strstr (lines[3], "吴中报表测试有限公司"));
  g_assert_true (g_str_has_prefix (lines[4], "合计"));
  g_clear_pointer (&lines, g_strfreev);

  g_assert_true (fetch (office->client, REPORT, 2020, NULL, CP_SYNC_REPORT_CSV, mine, NULL,
                        &error));
  g_assert_no_error (error);
  lines = read_csv (mine);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  for (guint i = 1; i <= 2; i++)
    g_assert_nonnull (strstr (lines[i], "昆山报表测试"));
  g_assert_null (strstr (lines[1], "吴中"));
  g_assert_null (strstr (lines[2], "吴中"));

  /* Narrowed to its own district: the same; another district is refused, the earlier file
   * stays. */
  g_assert_true (fetch (office->client, REPORT, 2020, "kunshan", CP_SYNC_REPORT_XLSX, xlsx,
                        NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (xlsx, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "PK\003\004"));
  g_assert_false (fetch (office->client, REPORT, 2020, "wuzhong", CP_SYNC_REPORT_CSV, mine,
                         NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "own district"));
  g_clear_error (&error);
  g_clear_pointer (&lines, g_strfreev);
  lines = read_csv (mine);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpuint (count_entries (f->dir), ==, 3);
  cp_test_client_free (office);
}

/* A year without data, an unknown report or district, names that are no ids, a cancelled
 * fetch, an unwritable place, a server that is gone: an error that says which, and no file. */
static void
test_errors (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *path = g_build_filename (f->dir, "report.csv", NULL);
  g_autofree char *inside = g_build_filename (path, "report.csv", NULL);
  guint n_requests;

  g_assert_false (fetch (f->admin->client, REPORT, 2019, NULL, CP_SYNC_REPORT_CSV, path, NULL,
                         &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NO_DATA);
  g_assert_nonnull (strstr (error->message, "2019"));
  g_clear_error (&error);
  g_assert_false (fetch (f->admin->client, REPORT, 2020, "taicang", CP_SYNC_REPORT_CSV, path,
                         NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NO_DATA);
  g_assert_nonnull (strstr (error->message, "taicang"));
  g_clear_error (&error);
  g_assert_false (fetch (f->admin->client, "no-such-report", 2020, NULL, CP_SYNC_REPORT_CSV,
                         path, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "no-such-report"));
  g_clear_error (&error);
  g_assert_false (fetch (f->admin->client, REPORT, 2020, "atlantis", CP_SYNC_REPORT_CSV, path,
                         NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "atlantis"));
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (f->dir), ==, 0);

  /* Never sent. */
  n_requests = cp_sync_client_get_n_requests (f->admin->client);
  g_assert_false (fetch (f->admin->client, "../session", 2020, NULL, CP_SYNC_REPORT_CSV, path,
                         NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_false (fetch (f->admin->client, REPORT, 2020, "kunshan&year=1", CP_SYNC_REPORT_CSV,
                         path, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_false (fetch (f->admin->client, REPORT, 20200, NULL, CP_SYNC_REPORT_CSV, path, NULL,
                         &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_clear_error (&error);
  g_assert_cmpuint (cp_sync_client_get_n_requests (f->admin->client), ==, n_requests);

  g_cancellable_cancel (cancellable);
  g_assert_false (fetch (f->admin->client, REPORT, 2020, NULL, CP_SYNC_REPORT_CSV, path,
                         cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (count_entries (f->dir), ==, 0);

  /* An earlier file where a folder should be. */
  g_assert_true (g_file_set_contents (path, "earlier", -1, NULL));
  g_assert_false (fetch (f->admin->client, REPORT, 2020, NULL, CP_SYNC_REPORT_CSV, inside, NULL,
                         &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "report.csv"));
  g_clear_error (&error);

  cp_sync_client_set_retry_policy (f->admin->client, 2, 10, 20);
  test_server_stop (f->server);
  f->server = NULL;
  g_assert_false (fetch (f->admin->client, REPORT, 2020, NULL, CP_SYNC_REPORT_CSV, path, NULL,
                         &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE);
  {
    g_autofree char *contents = NULL;

    g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
    g_assert_cmpstr (contents, ==, "earlier");
  }
  g_assert_cmpuint (count_entries (f->dir), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/reports/list", Fixture, NULL, fixture_set_up, test_list, fixture_tear_down);
  g_test_add ("/reports/tenancy", Fixture, NULL, fixture_set_up, test_tenancy,
              fixture_tear_down);
  g_test_add ("/reports/errors", Fixture, NULL, fixture_set_up, test_errors, fixture_tear_down);
  return g_test_run ();
}
