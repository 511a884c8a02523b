/* test-app-reports.c — the tables offices send upward, from the application
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real credit-packet-server on loopback holds city-demonstration packets of Kunshan and
 * Wuzhong (pushed by the administrator's client) and the year's quotas. The application logs in
 * as the city office or as Kunshan's, exports a report and the district progress with real keys
 * (xdotool) through the file chooser, and python3-openpyxl reads the workbook back as a
 * spreadsheet program would (tests/server/read-table.py).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <string.h>

#include "cp-application.h"
#include "cp-demo.h"
#include "cp-login-dialog.h"
#include "cp-login-dialog-private.h"
#include "cp-progress-page.h"
#include "cp-progress-page-private.h"
#include "cp-report-dialog.h"
#include "cp-report-dialog-private.h"
#include "cp-sync-client.h"
#include "cp-sync-engine.h"
#include "cp-test-keys.h"
#include "cp-test-app.h"
#include "cp-window.h"
#include "cp-window-private.h"

#define PASSWORD "correct horse battery"
#define REPORT "city-demonstration-applicants"
#define CD "city-demonstration"
#define WAIT_FOR(cond) CP_TEST_WAIT_FOR_SECS (cond, 20)

typedef struct
{
  char          *dir;
  char          *server_dir;
  char          *config;
  char          *out;
  GSubprocess   *server;
  char          *base;
  CpApplication *app;
  CpWindow      *window;
} Fixture;

static const CpTestEnterprise packets[] = {
  { "320583", "kunshan", "昆山报表测试甲有限公司" },
  { "320583", "kunshan", "昆山报表测试乙有限公司" },
  { "320506", "wuzhong", "吴中报表测试有限公司" },
};

#define server_admin(f, ...) cp_test_server_admin ((f)->server_dir, (f)->config, __VA_ARGS__)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *root_dir = NULL;
  CpTestClient *root;

  f->dir = g_dir_make_tmp ("cp-app-reports-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  f->out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (g_mkdir (f->out, 0700), ==, 0);
  g_file_set_contents (f->config, "[server]\nlog-requests=false\n"
                       "[login]\nmax-failures=1000\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  server_admin (f, PASSWORD "\n", "user", "add", "root", "--role", "admin", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "city", "--role", "office", "--district",
                "suzhou", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "ks", "--role", "office", "--district",
                "kunshan", NULL);
  server_admin (f, NULL, "quota", "set", "kunshan", "2020", CD, "2", NULL);
  server_admin (f, NULL, "quota", "set", "wuzhong", "2020", CD, "4", NULL);
  /* Agency A coaches the three enterprises and hands their packets in. */
  server_admin (f, NULL, "agency", "add", "A", "Agency A", "--uscc", "91320506712345672Q",
                NULL);
  cp_test_server_add_user (f->server_dir, f->config, "agency-a", "--role", "agency", "--agency",
                           "A", NULL);
  f->server = cp_test_server_start (f->server_dir, f->config, &f->base);

  /* The packets, pushed by the administrator's own client, handed in by their agency. */
  root_dir = g_build_filename (f->dir, "root", NULL);
  g_assert_cmpint (g_mkdir (root_dir, 0700), ==, 0);
  root = cp_test_client_new (root_dir, f->base, "root", PASSWORD);
  cp_test_hand_in_packets (root, f->base, f->server_dir, f->config, "A", "agency-a", packets,
                           G_N_ELEMENTS (packets));
  cp_test_client_free (root);

  data_dir = g_build_filename (f->dir, "app", NULL);
  f->app = cp_test_app_start (data_dir, f->base, &f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cp_test_app_stop (&f->app, &f->window);
  cp_test_server_stop (&f->server);
  cp_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_dir);
  g_free (f->config);
  g_free (f->out);
  g_free (f->base);
}

static void
log_in_as (Fixture    *f,
           const char *user)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpLoginDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  cp_login_dialog_set_fields (dialog, f->base, user, PASSWORD);
  cp_login_dialog_log_in (dialog);
  /* A session of an earlier test kept in the keyring for the same loopback port may be
   * restored first: wait for this login's user. */
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            g_strcmp0 (cp_sync_manager_get_user (sync), user) == 0 &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  if (cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    {
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
}

static gboolean
toasts_contain (Fixture    *f,
                const char *text)
{
  GPtrArray *toasts = cp_window_get_toasts (f->window);

  for (guint i = 0; i < toasts->len; i++)
    if (strstr (g_ptr_array_index (toasts, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* "导出报表…" from the main menu, once the server's list is in. */
static CpReportDialog *
open_reports (Fixture *f)
{
  CpReportDialog *dialog;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-report",
                                             NULL));
  dialog = cp_test_find_toplevel (CP_TYPE_REPORT_DIALOG);
  g_assert_nonnull (dialog);
  WAIT_FOR (!cp_test_get_boolean (dialog, "busy"));
  g_assert_false (cp_test_get_boolean (dialog, "busy"));
  return dialog;
}

/* The table as openpyxl (or Python's csv) reads it: {"rows": [[cell, …], …], …}. */
static JsonNode *
read_table (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "..", "server", "read-table.py",
                                                   NULL);
  const char *argv[] = { "/usr/bin/python3", script, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status,
                               &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("read-table.py %s: %s", path, err);
  return json_from_string (out, &error);
}

static JsonArray *
rows_of (JsonNode *table)
{
  return json_object_get_array_member (json_node_get_object (table), "rows");
}

static const char *
cell_text (JsonArray *rows,
           guint      row,
           guint      column)
{
  JsonArray *cells = json_array_get_array_element (rows, row);
  JsonNode *cell = json_array_get_element (cells, column);

  return JSON_NODE_HOLDS_VALUE (cell) && json_node_get_value_type (cell) == G_TYPE_STRING
         ? json_node_get_string (cell) : NULL;
}

static double
cell_number (JsonArray *rows,
             guint      row,
             guint      column)
{
  JsonNode *cell = json_array_get_element (json_array_get_array_element (rows, row), column);

  g_assert_true (JSON_NODE_HOLDS_VALUE (cell));
  return json_node_get_double (cell);
}

/* The column whose heading (row @heading_row) is @heading. */
static guint
column_of (JsonArray  *rows,
           guint       heading_row,
           const char *heading)
{
  JsonArray *headings = json_array_get_array_element (rows, heading_row);

  for (guint c = 0; c < json_array_get_length (headings); c++)
    if (g_strcmp0 (cell_text (rows, heading_row, c), heading) == 0)
      return c;
  g_error ("no column “%s”", heading);
  return 0;
}

static gboolean
same_code (gconstpointer a,
           gconstpointer b)
{
  return g_strcmp0 (a, b) == 0;
}

/* The city office: every district is offered; the whole city's table as an Excel workbook, with
 * a user's keys for Export (Alt+E) and the file. */
static void
test_city_office_xlsx (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "applicants.xlsx", NULL);
  g_autoptr(JsonNode) table = NULL;
  CpReportDialog *dialog;
  GPtrArray *districts;
  JsonArray *rows;
  guint name_column;
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  log_in_as (f, "city");
  dialog = open_reports (f);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (cp_test_get_boolean (dialog, "online"));
  g_assert_cmpuint (cp_test_get_uint (dialog, "n-reports"), ==, 6);
  g_assert_null (cp_test_get_string (dialog, "message"));
  g_assert_true (cp_report_dialog_select_report (dialog, REPORT));
  districts = cp_report_dialog_get_districts (dialog);
  /* All of them together, then each. */
  g_assert_cmpuint (districts->len, ==, 11);
  g_assert_null (g_ptr_array_index (districts, 0));
  g_assert_true (g_ptr_array_find_with_equal_func (districts, "kunshan", same_code, NULL));
  cp_report_dialog_set_year (dialog, 2020);
  cp_report_dialog_set_format (dialog, CP_SYNC_REPORT_XLSX);

  cp_test_activate (GTK_WINDOW (dialog));
  cp_test_press ("alt+e");
  cp_test_choose_file ("Export the Report", path);
  WAIT_FOR (dialog == NULL);
  g_assert_null (dialog);
  g_assert_true (toasts_contain (f, "The report was saved as applicants.xlsx"));

  table = read_table (path);
  rows = rows_of (table);
  /* The title, the headings, three packets, the totals. */
  g_assert_cmpuint (json_array_get_length (rows), ==, 6);
  g_assert_nonnull (strstr (cell_text (rows, 0, 0), "2020"));
  g_assert_cmpstr (cell_text (rows, 1, 0), ==, "No.");
  name_column = column_of (rows, 1, "Enterprise");
  for (guint r = 2; r < 5; r++)
    {
      g_assert_cmpfloat (cell_number (rows, r, 0), ==, r - 1);
      g_ptr_array_add (names, (gpointer) cell_text (rows, r, name_column));
    }
  for (guint i = 0; i < G_N_ELEMENTS (packets); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (names, packets[i].name, g_str_equal, NULL));
  g_assert_cmpstr (cell_text (rows, 5, 0), ==, "Total");
  g_assert_cmpfloat (cell_number (rows, 5, name_column), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (table), "freeze"), ==,
                   "D3");
}

/* Kunshan's office is offered Kunshan only, and its table holds Kunshan's packets only. */
static void
test_district_office (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "kunshan.csv", NULL);
  g_autoptr(JsonNode) table = NULL;
  CpReportDialog *dialog;
  GPtrArray *districts;
  JsonArray *rows;
  guint name_column;

  log_in_as (f, "ks");
  dialog = open_reports (f);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (cp_report_dialog_select_report (dialog, REPORT));
  districts = cp_report_dialog_get_districts (dialog);
  g_assert_cmpuint (districts->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (districts, 0), ==, "kunshan");
  g_assert_false (cp_report_dialog_select_district (dialog, "wuzhong"));
  g_assert_false (cp_report_dialog_select_district (dialog, NULL));
  cp_report_dialog_set_year (dialog, 2020);
  cp_report_dialog_set_format (dialog, CP_SYNC_REPORT_CSV);
  cp_report_dialog_export_to (dialog, path);
  WAIT_FOR (dialog == NULL);
  g_assert_null (dialog);

  table = read_table (path);
  rows = rows_of (table);
  /* CSV: the headings, Kunshan's two packets, the totals. */
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  name_column = column_of (rows, 0, "Enterprise");
  for (guint r = 1; r <= 2; r++)
    g_assert_true (g_str_has_prefix (cell_text (rows, r, name_column), "昆山报表测试"));
  g_assert_cmpstr (cell_text (rows, 3, 0), ==, "Total");
}

/* A year without packets: the dialog says so, stays open, and writes nothing. */
static void
test_no_data (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "none.xlsx", NULL);
  CpReportDialog *dialog;

  log_in_as (f, "city");
  dialog = open_reports (f);
  g_assert_true (cp_report_dialog_select_report (dialog, REPORT));
  cp_report_dialog_set_year (dialog, 2019);
  cp_report_dialog_export_to (dialog, path);
  g_assert_true (cp_test_get_boolean (dialog, "busy"));
  g_assert_true (cp_test_wait_notify (dialog, "busy", 20));
  g_assert_false (cp_test_get_boolean (dialog, "busy"));
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"),
                            "No packet of 2019 is in this report"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_nonnull (cp_test_find_toplevel (CP_TYPE_REPORT_DIALOG));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Offline: the shipped reports are listed, exporting them needs the server and says so. */
static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "offline.xlsx", NULL);
  CpReportDialog *dialog;

  log_in_as (f, "city");
  cp_test_server_stop (&f->server);
  dialog = open_reports (f);
  g_assert_false (cp_test_get_boolean (dialog, "online"));
  g_assert_cmpuint (cp_test_get_uint (dialog, "n-reports"), ==, 6);
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "cannot be reached"));
  cp_report_dialog_export_to (dialog, path);
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "made by the server"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Not logged in as an office: the menu entry is not there. */
static void
test_not_for_others (Fixture       *f,
                     gconstpointer  data)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.export-report", NULL);
  cp_test_spin (100);
  g_assert_null (cp_test_find_toplevel (CP_TYPE_REPORT_DIALOG));
}

/* The district progress window exports its table with Ctrl+E: the core's writer, the figures
 * the server gave, rates as percentages. */
static void
test_progress_export (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "progress.xlsx", NULL);
  g_autoptr(JsonNode) table = NULL;
  CpProgressPage *page;
  JsonArray *rows;
  JsonArray *formats;
  guint quota, accepted, rate, kunshan = 0, wuzhong = 0, total;

  log_in_as (f, "city");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.progress", NULL);
  page = cp_test_find_toplevel (CP_TYPE_PROGRESS_PAGE);
  g_assert_nonnull (page);
  cp_progress_page_set_year (page, 2020);
  WAIT_FOR (!cp_test_get_boolean (page, "busy") && cp_test_get_uint (page, "n-districts") > 0);
  cp_test_activate (GTK_WINDOW (page));
  cp_test_press ("ctrl+e");
  cp_test_choose_file ("Export the District Progress", path);
  WAIT_FOR (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  table = read_table (path);
  rows = rows_of (table);
  g_assert_nonnull (strstr (cell_text (rows, 0, 0), "2020"));
  g_assert_cmpstr (cell_text (rows, 1, 0), ==, "District");
  quota = column_of (rows, 1, "City demonstration enterprise application: Quota");
  accepted = column_of (rows, 1, "City demonstration enterprise application: Accepted");
  rate = column_of (rows, 1, "City demonstration enterprise application: Rate");
  for (guint r = 2; r < json_array_get_length (rows); r++)
    {
      if (g_strcmp0 (cell_text (rows, r, 0), "昆山") == 0)
        kunshan = r;
      if (g_strcmp0 (cell_text (rows, r, 0), "吴中") == 0)
        wuzhong = r;
    }
  g_assert_cmpuint (kunshan, >, 0);
  g_assert_cmpuint (wuzhong, >, 0);
  total = json_array_get_length (rows) - 1;
  g_assert_cmpstr (cell_text (rows, total, 0), ==, "Total");
  g_assert_cmpfloat (cell_number (rows, kunshan, quota), ==, 2);
  g_assert_cmpfloat (cell_number (rows, wuzhong, quota), ==, 4);
  /* The totals are the server's: the sum of the districts' quotas. */
  {
    double sum = 0;

    for (guint r = 2; r < total; r++)
      if (JSON_NODE_HOLDS_VALUE (json_array_get_element (json_array_get_array_element (rows, r),
                                                         quota)))
        sum += cell_number (rows, r, quota);
    g_assert_cmpfloat (cell_number (rows, total, quota), ==, sum);
    g_assert_cmpuint (total - 2, ==, cp_test_get_uint (page, "n-districts"));
  }
  g_assert_cmpfloat (cell_number (rows, kunshan, accepted), ==, 0);
  g_assert_cmpfloat (cell_number (rows, kunshan, rate), ==, 0);
  formats = json_array_get_array_element (json_object_get_array_member (
    json_node_get_object (table), "formats"), kunshan);
  g_assert_cmpstr (json_array_get_string_element (formats, rate), ==, "0.0%");
  gtk_window_destroy (GTK_WINDOW (page));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  cp_application_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);

  if (g_getenv ("CP_SERVER_BINARY") == NULL ||
      !g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) || !cp_test_keys_start_wm ())
    {
      g_test_message ("the server, /usr/bin/python3, xdotool and openbox are needed");
      return 77;
    }

#define ADD(name, func) \
  g_test_add ("/reports/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("city-office-xlsx", test_city_office_xlsx);
  ADD ("district-office", test_district_office);
  ADD ("no-data", test_no_data);
  ADD ("offline", test_offline);
  ADD ("not-for-others", test_not_for_others);
  ADD ("progress-export", test_progress_export);
#undef ADD

  status = g_test_run ();
  cp_test_keys_stop_wm ();
  return status;
}
