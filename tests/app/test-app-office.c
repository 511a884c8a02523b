/* test-app-office.c — a credit office's screens against a real credit-packet-server on loopback
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts the server program (CP_SERVER_BINARY) on 127.0.0.1 port 0 with a new data
 * folder; districts, quotas and users come from its own command line, packets from second
 * clients (the client library), and the application is driven as the office uses it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-app-util.h"
#include "cp-application.h"
#include "cp-completeness-page.h"
#include "cp-completeness-page-private.h"
#include "cp-demo.h"
#include "cp-field-chooser.h"
#include "cp-login-dialog.h"
#include "cp-new-packet-dialog.h"
#include "cp-packet-item.h"
#include "cp-packet-list.h"
#include "cp-login-dialog-private.h"
#include "cp-packet-view.h"
#include "cp-packet-view-private.h"
#include "cp-progress-page.h"
#include "cp-progress-page-private.h"
#include "cp-review-dialog-private.h"
#include "cp-scoring-page.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-scoring-page.h"
#include "cp-scoring-page-private.h"
#include "cp-sync-client-private.h"
#include "cp-sync-engine.h"
#include "cp-test-app.h"
#include "cp-window.h"
#include "cp-window-private.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char          *dir;
  char          *server_dir;
  char          *config;
  GSubprocess   *server;
  char          *base;
  CpApplication *app;
  CpWindow      *window;
  char          *uscc;     /* ent-1's enterprise */
} Fixture;

/* Runs the main loop until @cond holds or @secs seconds pass. */
#define WAIT_FOR_SECS(cond, secs) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (secs) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END
#define WAIT_FOR(cond) WAIT_FOR_SECS (cond, 20)

#define server_admin(f, ...) cp_test_server_admin ((f)->server_dir, (f)->config, __VA_ARGS__)
#define server_start(f) ((f)->server = cp_test_server_start ((f)->server_dir, (f)->config, \
                                                             &(f)->base))
#define server_stop(f) cp_test_server_stop (&(f)->server)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;

  f->dir = g_dir_make_tmp ("cp-app-office-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  g_file_set_contents (f->config, "[server]\nlog-requests=false\n"
                       "[login]\nmax-failures=1000\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  {
    g_autofree char *uscc = cp_test_make_uscc ("320583", 51 + serial);

    server_admin (f, PASSWORD "\n", "user", "add", "ent-1", "--role", "enterprise",
                  "--enterprise", uscc, NULL);
    f->uscc = g_strdup (uscc);
    serial++;
  }
  /* Kunshan's office, and the city office that sees all of Suzhou (prefix 3205). */
  server_admin (f, PASSWORD "\n", "user", "add", "wang", "--role", "office", "--district",
                "kunshan", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "city", "--role", "office", "--district",
                "suzhou", NULL);
  server_admin (f, NULL, "agency", "add", "A001", "苏州某信用服务有限公司", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "zhang", "--role", "agency", "--agency", "A001",
                NULL);
  server_start (f);

  data_dir = g_build_filename (f->dir, "app", NULL);
  f->app = cp_test_app_start (data_dir, f->base, &f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cp_test_app_stop (&f->app, &f->window);
  server_stop (f);
  cp_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_dir);
  g_free (f->config);
  g_free (f->base);
  g_free (f->uscc);
}

static gpointer
find_toplevel (GType type)
{
  gpointer found = NULL;
  GList *list = gtk_window_list_toplevels ();

  for (GList *l = list; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (list);
  return found;
}

/* The confirmation a submission asks for: it names the packet, where it goes and who sends it.
 * @response is "submit" or "cancel". */
static void
answer_submit (const char *response,
               const char *enterprise,
               const char *user)
{
  AdwMessageDialog *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  const char *body;

  g_assert_nonnull (dialog);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Submit to the Credit Office?");
  body = adw_message_dialog_get_body (dialog);
  g_assert_nonnull (strstr (body, enterprise));
  g_assert_nonnull (strstr (body, "127.0.0.1:"));
  g_assert_nonnull (strstr (body, user));
  adw_message_dialog_response (dialog, response);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Logs the application in through its dialog, as a user would. */
static void
log_in_as (Fixture    *f,
           const char *user)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpLoginDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  cp_login_dialog_set_fields (dialog, f->base, user, PASSWORD);
  cp_login_dialog_log_in (dialog);
  /* A session of an earlier test kept in the keyring for the same loopback port may be
   * restored first: wait for this login's user. */
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            g_strcmp0 (cp_sync_manager_get_user (sync), user) == 0 &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpstr (cp_sync_manager_get_user (sync), ==, user);
  if (cp_sync_manager_is_session_only (sync))
    {
      /* No keyring answered: the dialog stays open to say so. */
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  else
    WAIT_FOR (find_toplevel (CP_TYPE_LOGIN_DIALOG) == NULL);
  g_assert_null (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  /* Another account than the store's gets a window on its own store (issue 13): go on with
   * the window there is now. */
  {
    gint64 until = g_get_monotonic_time () + 300 * 1000;

    while (g_get_monotonic_time () < until)
      g_main_context_iteration (NULL, FALSE);
  }
  f->window = find_toplevel (CP_TYPE_WINDOW);
  g_assert_nonnull (f->window);
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static CpTestClient *
client_new (Fixture    *f,
            const char *name,
            const char *user)
{
  g_autofree char *parent = g_build_filename (f->dir, name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  return cp_test_client_new (parent, f->base, user, PASSWORD);
}

static int
current_year (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_get_year (now);
}

/* A complete standardization-acceptance packet of this year for an enterprise in @division
 * (not one of @taken, the credit codes used before), with real attachment files, pushed and
 * submitted by the agency's client and accepted by the city office's. */
static void
push_accepted (Fixture      *f,
               CpTestClient *agency,
               CpTestClient *office,
               const char   *division,
               GPtrArray    *taken)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *json = NULL;
  g_autofree char *accept_path = NULL;
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *attachments;

  for (guint seed = 1; seed < 400 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry,
                                                               "standardization-acceptance",
                                                               current_year (), seed);

      if (candidate != NULL &&
          strncmp (cp_packet_get_uscc (candidate) + 2, division, strlen (division)) == 0 &&
          !g_ptr_array_find_with_equal_func (taken, cp_packet_get_uscc (candidate), g_str_equal,
                                             NULL))
        demo = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (demo);
  g_ptr_array_add (taken, g_strdup (cp_packet_get_uscc (demo)));
  server_admin (f, NULL, "assign", cp_packet_get_uscc (demo), "A001", NULL);

  /* Real bytes for every attachment, in the agency's store. */
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      g_assert_true (cp_store_add_blob_from_bytes (agency->store, bytes, &sha, &error));
      g_assert_no_error (error);
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  /* An agency makes and submits the packet and the office accepts it at once: the legacy
   * chain of the 2020.1 format, whose sections are those of the newest version; in that one
   * (2020.2) only the enterprise makes 贯标 packets, and acceptance has steps (issue 11). */
  {
    g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                               cp_packet_get_template_version (demo));

    g_assert_cmpuint (g_string_replace (text, newest, "\"template_version\":\"2020.1\"", 1),
                      ==, 1);
  }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  g_assert_true (cp_store_save_packet (agency->store, packet, NULL, &error));
  g_assert_no_error (error);

  cp_sync_engine_submit_async (agency->engine, cp_packet_get_uuid (packet), NULL, async_done_cb,
                               &result);
  WAIT_FOR (result != NULL);
  g_assert_nonnull (result);
  g_assert_true (cp_sync_engine_submit_finish (agency->engine, result, &findings, &error));
  g_assert_no_error (error);

  accept_path = g_strdup_printf ("/api/v1/packets/%s/accept", cp_packet_get_uuid (packet));
  reply = cp_sync_client_request (office->client, "POST", accept_path, NULL, NULL, NULL, NULL,
                                  NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->status, ==, 200);
}

static CpProgressPage *
open_progress (Fixture *f)
{
  CpProgressPage *page;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.progress", NULL);
  page = find_toplevel (CP_TYPE_PROGRESS_PAGE);
  g_assert_nonnull (page);
  WAIT_FOR (!cp_test_get_boolean (page, "busy"));
  g_assert_false (cp_test_get_boolean (page, "busy"));
  return page;
}

static const char *
cell_text (CpProgressPage   *page,
           const char       *district,
           const char       *kind,
           CpProgressColumn  column)
{
  GtkLabel *label = cp_progress_page_get_cell (page, district, kind, column);

  g_assert_nonnull (label);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (label)));
  return gtk_label_get_text (label);
}

/* quota, accepted, rate, deduction of one cell group, as shown. */
static void
assert_figures (CpProgressPage *page,
                const char     *district,
                const char     *kind,
                const char     *quota,
                const char     *accepted,
                const char     *rate,
                const char     *deduction)
{
  g_assert_cmpstr (cell_text (page, district, kind, CP_PROGRESS_COLUMN_QUOTA), ==, quota);
  g_assert_cmpstr (cell_text (page, district, kind, CP_PROGRESS_COLUMN_ACCEPTED), ==, accepted);
  g_assert_cmpstr (cell_text (page, district, kind, CP_PROGRESS_COLUMN_RATE), ==, rate);
  g_assert_cmpstr (cell_text (page, district, kind, CP_PROGRESS_COLUMN_DEDUCTION), ==,
                   deduction);
}

static gboolean
deduction_has_class (CpProgressPage *page,
                     const char     *district,
                     const char     *kind,
                     const char     *css_class)
{
  GtkLabel *label = cp_progress_page_get_cell (page, district, kind,
                                               CP_PROGRESS_COLUMN_DEDUCTION);

  g_assert_nonnull (label);
  return gtk_widget_has_css_class (GTK_WIDGET (label), css_class);
}

#define SA "standardization-acceptance"
#define CD "city-demonstration"

/* Quotas of this year for Kunshan, Taicang and a district added with the command line; three
 * packets accepted (two in Kunshan, one in Taicang): the office's table shows, per district
 * and kind, what the quotas and the Kunshan-style deductions make of them. */
static void
test_progress_figures (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *year = g_strdup_printf ("%d", current_year ());
  g_autoptr(GPtrArray) taken = g_ptr_array_new_with_free_func (g_free);
  CpTestClient *agency, *office;
  CpProgressPage *page;

  server_admin (f, NULL, "district", "add", "dsq", "度假区", "320571", NULL);
  server_admin (f, NULL, "quota", "set", "kunshan", year, SA, "3", NULL);
  server_admin (f, NULL, "quota", "set", "kunshan", year, CD, "2", NULL);
  server_admin (f, NULL, "quota", "set", "taicang", year, SA, "1", NULL);
  server_admin (f, NULL, "quota", "set", "dsq", year, SA, "0", NULL);

  agency = client_new (f, "agency", "zhang");
  office = client_new (f, "office", "city");
  push_accepted (f, agency, office, "320583", taken);
  push_accepted (f, agency, office, "320583", taken);
  push_accepted (f, agency, office, "320585", taken);
  cp_test_client_free (agency);
  cp_test_client_free (office);

  log_in_as (f, "wang");
  page = open_progress (f);
  g_assert_cmpint (cp_progress_page_get_year (page), ==, current_year ());
  g_assert_null (cp_test_get_string (page, "message"));
  g_assert_cmpuint (cp_test_get_uint (page, "n-districts"), ==, 3);

  /* Kunshan: 2 of 3 = 66.7 % (below 70 %: −3); none of 2 city demonstrations (−5); together
   * 2 of 5 = 40 % (−5). */
  assert_figures (page, "kunshan", SA, "3", "2", "66.7%", "−3");
  assert_figures (page, "kunshan", CD, "2", "0", "0.0%", "−5");
  assert_figures (page, "kunshan", NULL, "5", "2", "40.0%", "−5");
  g_assert_true (deduction_has_class (page, "kunshan", SA, "error"));
  /* Taicang: 1 of 1, nothing deducted; no city-demonstration quota, so no such cells. */
  assert_figures (page, "taicang", SA, "1", "1", "100.0%", "0");
  assert_figures (page, "taicang", NULL, "1", "1", "100.0%", "0");
  g_assert_null (cp_progress_page_get_cell (page, "taicang", CD, CP_PROGRESS_COLUMN_QUOTA));
  g_assert_false (deduction_has_class (page, "taicang", SA, "error"));
  g_assert_false (deduction_has_class (page, "taicang", SA, "warning"));
  /* The new district's quota 0 has no rate. */
  assert_figures (page, "dsq", SA, "0", "0", "—", "0");
  /* Totals: acceptance 3 of 4 = 75 % (−2, a warning), city demonstration 0 of 2, all 3 of 6. */
  assert_figures (page, NULL, SA, "4", "3", "75.0%", "−2");
  assert_figures (page, NULL, CD, "2", "0", "0.0%", "−5");
  assert_figures (page, NULL, NULL, "6", "3", "50.0%", "−5");
  g_assert_true (deduction_has_class (page, NULL, SA, "warning"));

  /* Refreshing shows the same figures. */
  gtk_widget_activate_action (GTK_WIDGET (page), "progress.refresh", NULL);
  g_assert_true (cp_test_get_boolean (page, "busy"));
  g_assert_true (cp_test_wait_notify (page, "busy", 20));
  g_assert_false (cp_test_get_boolean (page, "busy"));
  assert_figures (page, NULL, NULL, "6", "3", "50.0%", "−5");
  gtk_window_destroy (GTK_WINDOW (page));
}

/* Without quotas this year the table opens on the newest year that has some; other years can
 * be chosen, and a year without quotas says so. */
static void
test_progress_years (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *two_years_ago = g_strdup_printf ("%d", current_year () - 2);
  CpProgressPage *page;

  server_admin (f, NULL, "quota", "set", "kunshan", two_years_ago, SA, "5", NULL);
  log_in_as (f, "wang");
  page = open_progress (f);
  g_assert_cmpint (cp_progress_page_get_year (page), ==, current_year () - 2);
  g_assert_cmpuint (cp_test_get_uint (page, "n-districts"), ==, 1);
  assert_figures (page, "kunshan", SA, "5", "0", "0.0%", "−5");

  /* The Suzhou 2020 quotas the server starts with: 11 districts, the city's 7 provincial
   * recommendations among them. */
  cp_progress_page_set_year (page, 2020);
  g_assert_true (cp_test_wait_notify (page, "n-districts", 20));
  g_assert_false (cp_test_get_boolean (page, "busy"));
  g_assert_cmpuint (cp_test_get_uint (page, "n-districts"), ==, 11);
  assert_figures (page, "suzhou", "provincial-recommendation", "7", "0", "0.0%", "−5");
  assert_figures (page, "kunshan", SA, "66", "0", "0.0%", "−5");

  cp_progress_page_set_year (page, 2001);
  WAIT_FOR (!cp_test_get_boolean (page, "busy"));
  g_assert_cmpuint (cp_test_get_uint (page, "n-districts"), ==, 0);
  g_assert_null (cp_progress_page_get_cell (page, NULL, NULL, CP_PROGRESS_COLUMN_QUOTA));
  g_assert_nonnull (cp_test_get_string (page, "message"));
  g_assert_nonnull (strstr (cp_test_get_string (page, "message"), "no district quotas"));
  gtk_window_destroy (GTK_WINDOW (page));
}

/* The server goes away: the figures shown stay, with a plain message; a table opened offline
 * says that the server cannot be reached. */
static void
test_progress_offline (Fixture       *f,
                       gconstpointer  data)
{
  CpProgressPage *page;
  const char *message;

  log_in_as (f, "wang");
  page = open_progress (f);
  cp_progress_page_set_year (page, 2020);
  WAIT_FOR (!cp_test_get_boolean (page, "busy"));
  g_assert_cmpuint (cp_test_get_uint (page, "n-districts"), ==, 11);

  server_stop (f);
  cp_progress_page_refresh (page);
  WAIT_FOR (!cp_test_get_boolean (page, "busy"));
  message = cp_test_get_string (page, "message");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "cannot be reached"));
  g_assert_nonnull (strstr (message, "Connect to the network, then refresh"));
  /* The last figures stay on screen. */
  assert_figures (page, "kunshan", SA, "66", "0", "0.0%", "−5");
  gtk_window_destroy (GTK_WINDOW (page));

  page = open_progress (f);
  message = cp_test_get_string (page, "message");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "cannot be reached"));
  g_assert_cmpuint (cp_test_get_uint (page, "n-districts"), ==, 0);
  gtk_window_destroy (GTK_WINDOW (page));
}

/* Enterprises (and anybody logged out) have no progress table. */
static void
test_progress_not_office (Fixture       *f,
                          gconstpointer  data)
{
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.progress", NULL);
  WAIT_FOR_SECS (FALSE, 0.1);
  g_assert_null (find_toplevel (CP_TYPE_PROGRESS_PAGE));

  log_in_as (f, "ent-1");
  g_assert_cmpstr (cp_sync_manager_get_role (cp_application_get_sync_manager (f->app)), ==,
                   "enterprise");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.progress", NULL);
  WAIT_FOR_SECS (FALSE, 0.1);
  g_assert_null (find_toplevel (CP_TYPE_PROGRESS_PAGE));
}

static GtkWidget *
find_descendant (GtkWidget *root,
                 GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_descendant (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Whether a label of @root's on screen reads @text. */
static gboolean
shows_label (GtkWidget  *root,
             const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (root)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

/* Whether a label of @root's, on screen or not, holds @text. */
static gboolean
has_label_with (GtkWidget  *root,
                const char *text)
{
  if (GTK_IS_LABEL (root) && strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label_with (child, text))
      return TRUE;
  return FALSE;
}

/* The buttons of @root's that make a new packet and are on screen. */
static guint
count_new_buttons (GtkWidget *root)
{
  guint n = 0;

  if (GTK_IS_BUTTON (root) && gtk_widget_get_mapped (root) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), "win.new-packet") == 0)
    n++;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_new_buttons (child);
  return n;
}

/* Offices review packets and make none: no New button, no Ctrl+N, and an empty list that says
 * what will come. An enterprise has both. */
static void
test_office_makes_no_packets (Fixture       *f,
                              gconstpointer  data)
{
  CpPacketList *list;

  log_in_as (f, "wang");
  g_assert_cmpstr (cp_sync_manager_get_role (cp_application_get_sync_manager (f->app)), ==,
                   "office");
  WAIT_FOR (count_new_buttons (GTK_WIDGET (f->window)) == 0);
  g_assert_cmpuint (count_new_buttons (GTK_WIDGET (f->window)), ==, 0);
  /* Ctrl+N's action does nothing. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-packet", NULL);
  WAIT_FOR_SECS (FALSE, 0.2);
  g_assert_null (find_toplevel (CP_TYPE_NEW_PACKET_DIALOG));
  list = CP_PACKET_LIST (find_descendant (GTK_WIDGET (f->window), CP_TYPE_PACKET_LIST));
  g_assert_false (cp_packet_list_get_can_create (list));
  g_assert_true (shows_label (GTK_WIDGET (list), "No Packets to Review"));
}

static void
test_enterprise_makes_packets (Fixture       *f,
                               gconstpointer  data)
{
  log_in_as (f, "ent-1");
  WAIT_FOR (count_new_buttons (GTK_WIDGET (f->window)) == 2);
  /* The header bar's and the empty list's. */
  g_assert_cmpuint (count_new_buttons (GTK_WIDGET (f->window)), ==, 2);
  g_assert_true (cp_packet_list_get_can_create (
    CP_PACKET_LIST (find_descendant (GTK_WIDGET (f->window), CP_TYPE_PACKET_LIST))));
  g_assert_true (shows_label (GTK_WIDGET (f->window), "No Packets Yet"));
}

static CpProgress *
parse (const char  *json,
       GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  json_parser_load_from_data (parser, json, -1, &local_error);
  g_assert_no_error (local_error);
  return cp_progress_new_from_json (json_parser_get_root (parser), error);
}

#define ROW(district, quota, rate) \
  "{\"district\": \"" district "\", \"name\": \"N\", \"kinds\": [{\"kind\": \"" SA "\", " \
  "\"quota\": " quota ", \"accepted\": 0, \"rate\": " rate ", \"deduction\": 0}], " \
  "\"quota\": " quota ", \"accepted\": 0, \"rate\": " rate ", \"deduction\": 0}"
#define TOTAL(quota, rate) \
  "{\"kinds\": [], \"quota\": " quota ", \"accepted\": 0, \"rate\": " rate ", \"deduction\": 0}"

/* The client reads the server's answer strictly: a wrong type is an error naming the member. */
/* Every kind of the newest templates is made by the enterprise (issue 11): an agency coaches and
 * evaluates, it makes no packets, and its empty list says where packets come from. */
static void
test_agency_makes_no_packets (Fixture       *f,
                              gconstpointer  data)
{
  CpPacketList *list;

  log_in_as (f, "zhang");
  WAIT_FOR (count_new_buttons (GTK_WIDGET (f->window)) == 0);
  g_assert_cmpuint (count_new_buttons (GTK_WIDGET (f->window)), ==, 0);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.new-packet", NULL);
  WAIT_FOR_SECS (FALSE, 0.2);
  g_assert_null (find_toplevel (CP_TYPE_NEW_PACKET_DIALOG));
  list = CP_PACKET_LIST (find_descendant (GTK_WIDGET (f->window), CP_TYPE_PACKET_LIST));
  g_assert_false (cp_packet_list_get_can_create (list));
  g_assert_true (has_label_with (GTK_WIDGET (list), "your agency coaches"));
}

/* Issue 11: the list shows each packet's stage, and "My Turn" keeps the packets in which the
 * signed-in enterprise has a part to write or a step to take: its application being prepared,
 * not the one the district office is reviewing. Signed out, there is no such filter. */
static void
test_my_turn (Fixture       *f,
              gconstpointer  data)
{
  CpPacketList *list;
  g_autoptr(GError) error = NULL;
  g_autofree char *preparing = NULL;
  g_autofree char *reviewed = NULL;
  g_autoptr(CpPacket) packet = NULL;
  CpStore *store;
  GListModel *shown;

  log_in_as (f, "ent-1");
  preparing = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                                 "苏州准备有限公司", NULL, &error));
  g_assert_no_error (error);
  reviewed = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                                "苏州初审有限公司", NULL, &error));
  g_assert_no_error (error);
  store = cp_application_get_store (f->app, NULL);
  packet = cp_store_load_packet (store, reviewed, &error);
  g_assert_no_error (error);
  cp_packet_set_state (packet, CP_PACKET_STATE_SUBMITTED);
  g_assert_true (cp_store_save_packet (store, packet, NULL, &error));
  g_assert_no_error (error);
  cp_window_reload (f->window);
  list = CP_PACKET_LIST (find_descendant (GTK_WIDGET (f->window), CP_TYPE_PACKET_LIST));
  shown = cp_window_get_visible_packets (f->window);
  WAIT_FOR (g_list_model_get_n_items (shown) == 2);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  /* The rows name the stage in the kind's own words. */
  WAIT_FOR (has_label_with (GTK_WIDGET (list), "Preliminary review by the district"));
  g_assert_true (has_label_with (GTK_WIDGET (list), "Preliminary review by the district"));
  g_assert_true (has_label_with (GTK_WIDGET (list), "Preparing the application"));

  g_object_set (list, "my-turn", TRUE, NULL);
  WAIT_FOR (g_list_model_get_n_items (shown) == 1);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 1);
  {
    g_autoptr(CpPacketItem) item = g_list_model_get_item (shown, 0);

    g_assert_cmpstr (cp_packet_item_get_uuid (item), ==, preparing);
  }
  g_object_set (list, "my-turn", FALSE, NULL);
  WAIT_FOR (g_list_model_get_n_items (shown) == 2);
  g_assert_cmpuint (g_list_model_get_n_items (shown), ==, 2);
  g_assert_cmpstr (cp_test_get_string (list, "account-role"), ==, "enterprise");
}

static void
test_progress_parse (void)
{
  static const struct { const char *json; const char *member; } bad[] = {
    { "[]", "{}" },
    { "{\"year\": \"2026\", \"districts\": [], \"total\": " TOTAL ("0", "null") "}", "year" },
    { "{\"year\": 2026, \"districts\": {}, \"total\": " TOTAL ("0", "null") "}", "districts" },
    { "{\"year\": 2026, \"districts\": []}", "total" },
    { "{\"year\": 2026, \"districts\": [" ROW ("k", "\"3\"", "0") "], \"total\": "
      TOTAL ("0", "null") "}", "quota" },
    { "{\"year\": 2026, \"districts\": [" ROW ("k", "3", "null") "], \"total\": "
      TOTAL ("0", "null") "}", "rate" },
    { "{\"year\": 2026, \"districts\": [" ROW ("k", "0", "0.5") "], \"total\": "
      TOTAL ("0", "null") "}", "rate" },
    { "{\"year\": 2026, \"districts\": [" ROW ("k", "3", "\"0.5\"") "], \"total\": "
      TOTAL ("0", "null") "}", "rate" },
    { "{\"year\": 2026, \"districts\": [42], \"total\": " TOTAL ("0", "null") "}", "districts" },
    { "{\"year\": 2026, \"districts\": [{\"district\": 1}], \"total\": " TOTAL ("0", "null") "}",
      "district" },
    { "{\"year\": 2026, \"districts\": [], \"total\": {\"kinds\": [], \"quota\": 1, "
      "\"accepted\": 0, \"rate\": 0, \"deduction\": -7}}", "deduction" },
  };
  g_autoptr(CpProgress) progress = NULL;
  g_autoptr(GError) error = NULL;
  const CpProgressRow *row;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(CpProgress) wrong = parse (bad[i].json, &error);

      g_assert_null (wrong);
      g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
      if (strstr (error->message, bad[i].member) == NULL)
        g_error ("case %u: “%s” does not name %s", i, error->message, bad[i].member);
      g_clear_error (&error);
    }

  progress = parse ("{\"year\": 2026, \"districts\": [" ROW ("k", "3", "1") ", "
                    ROW ("z", "0", "null") "], \"total\": " TOTAL ("3", "0.3333") "}", &error);
  g_assert_no_error (error);
  g_assert_cmpint (progress->year, ==, 2026);
  g_assert_cmpuint (progress->districts->len, ==, 2);
  row = g_ptr_array_index (progress->districts, 0);
  g_assert_cmpstr (row->district, ==, "k");
  g_assert_true (cp_progress_row_get_kind (row, SA)->has_rate);
  g_assert_cmpfloat (cp_progress_row_get_kind (row, SA)->rate, ==, 1.0);
  g_assert_null (cp_progress_row_get_kind (row, CD));
  row = g_ptr_array_index (progress->districts, 1);
  g_assert_false (row->all.has_rate);
  g_assert_cmpfloat (progress->total->all.rate, ==, 0.3333);
}

/* --- the review queue and the comments of a returned packet ------------------------------- */

#define COMMENT "The street number differs from the business licence; copy it from there."

/* A complete standardization-acceptance packet of this year for a Kunshan enterprise with
 * attachment files whose bytes the agency's client uploads, submitted by it. Returns its uuid. */
static char *
push_submitted (Fixture      *f,
                CpTestClient *agency,
                guint         first_seed)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *json = NULL;
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *attachments;

  for (guint seed = first_seed; seed < first_seed + 400 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry, SA, current_year (),
                                                               seed);

      if (candidate != NULL && strncmp (cp_packet_get_uscc (candidate) + 2, "320583", 6) == 0)
        demo = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (demo);
  server_admin (f, NULL, "assign", cp_packet_get_uscc (demo), "A001", NULL);

  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  attachments = cp_packet_get_attachments (demo);
  g_assert_cmpuint (attachments->len, >, 0);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 review scan %u of %s", i,
                                               attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      g_assert_true (cp_store_add_blob_from_bytes (agency->store, bytes, &sha, &error));
      g_assert_no_error (error);
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  /* An agency makes and submits the packet and the office accepts it at once: the legacy
   * chain of the 2020.1 format, whose sections are those of the newest version; in that one
   * (2020.2) only the enterprise makes 贯标 packets, and acceptance has steps (issue 11). */
  {
    g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                               cp_packet_get_template_version (demo));

    g_assert_cmpuint (g_string_replace (text, newest, "\"template_version\":\"2020.1\"", 1),
                      ==, 1);
  }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  g_assert_true (cp_store_save_packet (agency->store, packet, NULL, &error));
  g_assert_no_error (error);

  /* Submitting pushes the packet and uploads the blobs first: the server requires them. */
  cp_sync_engine_submit_async (agency->engine, cp_packet_get_uuid (packet), NULL, async_done_cb,
                               &result);
  WAIT_FOR (result != NULL);
  g_assert_nonnull (result);
  g_assert_true (cp_sync_engine_submit_finish (agency->engine, result, &findings, &error));
  g_assert_no_error (error);
  return g_strdup (cp_packet_get_uuid (packet));
}

/* Submits @uuid again from @client (after a return). */
static void
resubmit (CpTestClient *client,
          const char   *uuid)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;

  cp_sync_engine_submit_async (client->engine, uuid, NULL, async_done_cb, &result);
  WAIT_FOR (result != NULL);
  g_assert_nonnull (result);
  g_assert_true (cp_sync_engine_submit_finish (client->engine, result, &findings, &error));
  g_assert_no_error (error);
}

static CpPacketState
stored_state (CpStore    *store,
              const char *uuid)
{
  g_autoptr(CpPacket) packet = cp_store_load_packet (store, uuid, NULL);

  g_assert_nonnull (packet);
  return cp_packet_get_state (packet);
}

/* The server's comments on @uuid, as @client reads them. */
static JsonArray *
server_comments (CpTestClient *client,
                 const char   *uuid)
{
  g_autofree char *path = g_strdup_printf ("/api/v1/packets/%s/comments", uuid);
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = cp_sync_client_request (client->client, "GET", path, NULL, NULL, NULL, NULL, NULL, NULL,
                                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (reply->status, ==, 200);
  g_assert_nonnull (reply->json);
  return json_array_ref (json_object_get_array_member (json_node_get_object (reply->json),
                                                       "comments"));
}

/* The first widget of @type under @root (itself included) whose button label, when @label is
 * given, is @label. */
static GtkWidget *
find_widget (GtkWidget  *root,
             GType       type,
             const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (label == NULL || (GTK_IS_BUTTON (root) &&
                         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0)))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* All widgets of @type under @root, in order. */
static void
collect_widgets (GtkWidget *root,
                 GType      type,
                 GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    g_ptr_array_add (found, root);
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_widgets (child, type, found);
}

static guint
count_widgets (GtkWidget *root,
               GType      type)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  collect_widgets (root, type, found);
  return found->len;
}

/* Selects the choice labelled @label in @chooser, after searching for @part of it: any part
 * of a label finds it. */
static void
choose (GtkWidget  *chooser,
        const char *part,
        const char *label)
{
  GListModel *found = cp_field_chooser_search (CP_FIELD_CHOOSER (chooser), part);
  GtkStringList *choices = cp_field_chooser_get_choices (CP_FIELD_CHOOSER (chooser));
  guint choice = GTK_INVALID_LIST_POSITION;
  gboolean shown = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (found); i++)
    {
      g_autoptr(GtkStringObject) item = g_list_model_get_item (found, i);

      shown |= g_str_equal (gtk_string_object_get_string (item), label);
    }
  if (!shown)
    g_error ("“%s” does not find “%s”", part, label);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (choices)); i++)
    if (g_str_equal (gtk_string_list_get_string (choices, i), label))
      choice = i;
  cp_field_chooser_set_selected (CP_FIELD_CHOOSER (chooser), choice);
}

static void
set_comment (GtkWidget  *view,
             const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), text, -1);
}

#define SECTION_COMMENT "Attach the report of this year, not last year's."

/* The texts of the visible labels with @css_class under @root, joined with "|". */
static char *
label_texts (GtkWidget  *root,
             const char *css_class)
{
  GString *texts = g_string_new (NULL);
  GPtrArray *stack = g_ptr_array_new ();

  g_ptr_array_add (stack, root);
  while (stack->len > 0)
    {
      GtkWidget *widget = g_ptr_array_steal_index (stack, stack->len - 1);

      if (!gtk_widget_get_visible (widget))
        continue;
      if (GTK_IS_LABEL (widget) && gtk_widget_has_css_class (widget, css_class))
        g_string_append_printf (texts, "%s%s", texts->len > 0 ? "|" : "",
                                gtk_label_get_text (GTK_LABEL (widget)));
      for (GtkWidget *child = gtk_widget_get_last_child (widget); child != NULL;
           child = gtk_widget_get_prev_sibling (child))
        g_ptr_array_add (stack, child);
    }
  g_ptr_array_unref (stack);
  return g_string_free (texts, FALSE);
}

static CpReviewDialog *
open_review (Fixture *f)
{
  CpReviewDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.review-queue", NULL);
  dialog = find_toplevel (CP_TYPE_REVIEW_DIALOG);
  g_assert_nonnull (dialog);
  /* The queue is read in a thread. */
  WAIT_FOR (cp_test_get_boolean (dialog, "loaded"));
  return dialog;
}

static void
close_review (CpReviewDialog *dialog)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_FOR (find_toplevel (CP_TYPE_REVIEW_DIALOG) == NULL);
}

/* Clicks a button as the user does (the click arrives from a timeout). */
static void
click (GtkWidget *button)
{
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_is_sensitive (button));
  gtk_widget_activate (button);
}

static void
switch_user (Fixture    *f,
             const char *user)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  WAIT_FOR (!cp_sync_manager_is_logged_in (sync));
  g_assert_false (cp_sync_manager_is_logged_in (sync));
  log_in_as (f, user);
}

static CpStore *
app_store (Fixture *f)
{
  return cp_application_get_store (f->app, NULL);
}

/* The titles of the queue's rows on show, in their order, joined with "|". */
static char *
queue_titles (CpReviewDialog *review)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GString *titles = g_string_new (NULL);

  collect_widgets (GTK_WIDGET (review), ADW_TYPE_ACTION_ROW, rows);
  for (guint i = 0; i < rows->len; i++)
    if (gtk_widget_get_visible (rows->pdata[i]))
      g_string_append_printf (titles, "%s%s", titles->len > 0 ? "|" : "",
                              adw_preferences_row_get_title (rows->pdata[i]));
  return g_string_free (titles, FALSE);
}

static gboolean
titles_are (CpReviewDialog *review,
            const char     *expected)
{
  g_autofree char *titles = queue_titles (review);

  return g_strcmp0 (titles, expected) == 0;
}

/* The queue finds a packet by any part of its enterprise's name or code, filters by kind and
 * district, and orders by submission, deadline or name; each row says when it was submitted
 * and how near its deadline is. */
static void
test_queue_search_and_order (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *first_title = NULL;
  g_autofree char *second_title = NULL;
  g_autofree char *both = NULL;
  g_autofree char *by_name = NULL;
  g_autofree char *titles = NULL;
  g_autofree char *code_part = NULL;
  CpTestClient *agency;
  CpReviewDialog *review;
  GtkSearchEntry *search;
  g_autoptr(GPtrArray) dropdowns = g_ptr_array_new ();
  g_autoptr(CpPacket) packet = NULL;
  const char *subtitle;

  agency = client_new (f, "agency", "zhang");
  first = push_submitted (f, agency, 1);
  second = push_submitted (f, agency, 60);
  log_in_as (f, "wang");
  WAIT_FOR (cp_store_get_sync_info (app_store (f), second, NULL, NULL, NULL, NULL) &&
            cp_store_get_sync_info (app_store (f), first, NULL, NULL, NULL, NULL));
  review = open_review (f);
  g_assert_cmpuint (cp_test_get_uint (review, "n-rows"), ==, 2);

  packet = cp_store_load_packet (app_store (f), first, NULL);
  first_title = g_strdup (cp_packet_get_enterprise_name (packet));
  code_part = g_ascii_strdown (cp_packet_get_uscc (packet) + 9, 5);
  g_clear_object (&packet);
  packet = cp_store_load_packet (app_store (f), second, NULL);
  second_title = g_strdup (cp_packet_get_enterprise_name (packet));
  g_assert_cmpstr (first_title, !=, second_title);

  /* Submitted first (both today: either order); the row says when, and the deadline. */
  titles = queue_titles (review);
  both = g_strdup (titles);
  g_assert_true (g_str_has_prefix (both, first_title) || g_str_has_prefix (both, second_title));
  g_assert_nonnull (strstr (both, first_title));
  g_assert_nonnull (strstr (both, second_title));
  subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (cp_review_dialog_get_row (review, 0)));
  g_assert_nonnull (strstr (subtitle, "submitted on "));
  g_assert_true (strstr (subtitle, "days left") != NULL || strstr (subtitle, "overdue") != NULL ||
                 strstr (subtitle, "Due today") != NULL);

  /* Part of the code, in lower case, from its middle. */
  search = GTK_SEARCH_ENTRY (find_descendant (GTK_WIDGET (review), GTK_TYPE_SEARCH_ENTRY));
  gtk_editable_set_text (GTK_EDITABLE (search), code_part);
  WAIT_FOR (titles_are (review, first_title));
  g_clear_pointer (&titles, g_free);
  titles = queue_titles (review);
  g_assert_cmpstr (titles, ==, first_title);
  gtk_editable_set_text (GTK_EDITABLE (search), "no such enterprise");
  WAIT_FOR (titles_are (review, ""));
  g_clear_pointer (&titles, g_free);
  titles = queue_titles (review);
  g_assert_cmpstr (titles, ==, "");
  g_assert_true (shows_label (GTK_WIDGET (review),
                              "No packet in the queue matches the search and the filters."));
  gtk_editable_set_text (GTK_EDITABLE (search), "");
  WAIT_FOR (titles_are (review, both));

  /* Kind, district (both Kunshan's), order. */
  collect_widgets (GTK_WIDGET (review), GTK_TYPE_DROP_DOWN, dropdowns);
  g_assert_cmpuint (dropdowns->len, ==, 4);
  /* Packets of the 2020.1 format have no review chain: no stages to filter by. */
  g_assert_false (gtk_widget_get_visible (dropdowns->pdata[2]));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (dropdowns->pdata[1])), ==,
                    2);
  g_assert_cmpstr (gtk_string_list_get_string (
                     GTK_STRING_LIST (gtk_drop_down_get_model (dropdowns->pdata[1])), 1), ==,
                   "昆山市");
  gtk_drop_down_set_selected (dropdowns->pdata[1], 1);
  gtk_drop_down_set_selected (dropdowns->pdata[0], 1);
  gtk_drop_down_set_selected (dropdowns->pdata[3], 2);
  by_name = g_utf8_collate (first_title, second_title) <= 0
            ? g_strdup_printf ("%s|%s", first_title, second_title)
            : g_strdup_printf ("%s|%s", second_title, first_title);
  g_clear_pointer (&titles, g_free);
  titles = queue_titles (review);
  g_assert_cmpstr (titles, ==, by_name);

  /* A row opens its packet in the window, and the queue closes. */
  {
    g_autofree char *uuid = g_strdup (cp_review_dialog_get_uuid (review, 0));

    g_signal_emit_by_name (cp_review_dialog_get_row (review, 0), "activated");
    WAIT_FOR (find_toplevel (CP_TYPE_REVIEW_DIALOG) == NULL);
    g_assert_null (find_toplevel (CP_TYPE_REVIEW_DIALOG));
    g_assert_cmpstr (cp_packet_view_get_uuid (CP_PACKET_VIEW (
                       cp_window_get_packet_view (f->window))), ==, uuid);
  }
  cp_test_client_free (agency);
}

/* The office returns a packet through the review queue with a comment on a field; the agency
 * sees it returned with that comment, and the application, logged in as the agency, shows the
 * comment under the field. It is submitted again from there, its comments go, and the office
 * accepts it through the queue: then it is accepted and read-only everywhere. */
static void
test_review_return_accept (Fixture       *f,
                           gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  g_autofree char *uuid = NULL;
  g_autoptr(JsonArray) comments = NULL;
  g_autoptr(GError) error = NULL;
  CpTestClient *agency;
  CpReviewDialog *review;
  AdwMessageDialog *message;
  g_autoptr(GPtrArray) dropdowns = g_ptr_array_new ();
  g_autoptr(GPtrArray) entries = g_ptr_array_new ();
  GtkWidget *row, *view, *page, *box, *editor;
  GListModel *choices;
  JsonObject *comment;

  agency = client_new (f, "agency", "zhang");
  uuid = push_submitted (f, agency, 1);

  /* The office's queue lists the submitted packet. */
  log_in_as (f, "wang");
  WAIT_FOR (cp_store_get_sync_info (app_store (f), uuid, NULL, NULL, NULL, NULL));
  g_assert_cmpint (stored_state (app_store (f), uuid), ==, CP_PACKET_STATE_SUBMITTED);
  review = open_review (f);
  g_assert_cmpuint (cp_test_get_uint (review, "n-rows"), ==, 1);
  g_assert_cmpstr (cp_review_dialog_get_uuid (review, 0), ==, uuid);

  /* Return…: choose the field, write the comment, add one on a whole section, confirm. */
  row = cp_review_dialog_get_row (review, 0);
  click (find_widget (row, GTK_TYPE_BUTTON, "_Return…"));
  WAIT_FOR (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL);
  message = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (message);
  g_assert_false (adw_message_dialog_get_response_enabled (message, "return"));
  collect_widgets (GTK_WIDGET (message), CP_TYPE_FIELD_CHOOSER, dropdowns);
  collect_widgets (GTK_WIDGET (message), GTK_TYPE_TEXT_VIEW, entries);
  g_assert_cmpuint (dropdowns->len, ==, 1);
  g_assert_cmpuint (entries->len, ==, 1);
  /* The dialog opens in its comment, ready to type. */
  {
    GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (message));

    g_assert_true (focus != NULL && (focus == entries->pdata[0] ||
                                     gtk_widget_is_ancestor (focus, entries->pdata[0])));
  }
  choices = G_LIST_MODEL (cp_field_chooser_get_choices (dropdowns->pdata[0]));
  /* Whole sections and the scoring items can be chosen too. */
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (choices), 1), ==,
                   "Cover (the whole section)");
  choose (dropdowns->pdata[0], "policy determined",
          "Jiangsu enterprise credit management status evaluation indicators (revised) › "
          "1.1.1 Policy determined and documented");
  choose (dropdowns->pdata[0], "address", "Cover › Address");
  set_comment (entries->pdata[0], COMMENT);
  g_assert_true (adw_message_dialog_get_response_enabled (message, "return"));
  click (find_widget (GTK_WIDGET (message), GTK_TYPE_BUTTON, "A_nother Comment"));
  g_ptr_array_set_size (dropdowns, 0);
  g_ptr_array_set_size (entries, 0);
  WAIT_FOR (count_widgets (GTK_WIDGET (message), GTK_TYPE_TEXT_VIEW) == 2);
  collect_widgets (GTK_WIDGET (message), GTK_TYPE_TEXT_VIEW, entries);
  collect_widgets (GTK_WIDGET (message), CP_TYPE_FIELD_CHOOSER, dropdowns);
  g_assert_cmpuint (dropdowns->len, ==, 2);
  g_assert_cmpuint (entries->len, ==, 2);
  choose (dropdowns->pdata[1], "query report",
          "Credit information query report (the whole section)");
  set_comment (entries->pdata[1], SECTION_COMMENT);
  click (find_widget (GTK_WIDGET (message), GTK_TYPE_BUTTON, "_Return"));
  WAIT_FOR (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL &&
            cp_test_get_string (review, "message") != NULL && !cp_test_get_boolean (review, "busy"));
  g_assert_cmpstr (cp_test_get_string (review, "message"), ==,
                   "The packet was returned to the enterprise with your comments.");
  g_assert_false (gtk_widget_is_sensitive (row));
  close_review (review);

  /* The agency's side: returned, with the comment on that field and the one on the section. */
  cp_test_client_sync (agency, NULL, NULL);
  g_assert_cmpint (stored_state (agency->store, uuid), ==, CP_PACKET_STATE_RETURNED);
  comments = server_comments (agency, uuid);
  g_assert_cmpuint (json_array_get_length (comments), ==, 2);
  comment = json_array_get_object_element (comments, 0);
  g_assert_cmpstr (json_object_get_string_member (comment, "section"), ==, "cover");
  g_assert_cmpstr (json_object_get_string_member (comment, "field"), ==, "address");
  g_assert_cmpstr (json_object_get_string_member (comment, "comment"), ==, COMMENT);
  g_assert_cmpstr (json_object_get_string_member (comment, "author"), ==, "wang");
  comment = json_array_get_object_element (comments, 1);
  g_assert_cmpstr (json_object_get_string_member (comment, "section"), ==, "credit-report");
  g_assert_false (json_object_has_member (comment, "field"));
  g_assert_cmpstr (json_object_get_string_member (comment, "comment"), ==, SECTION_COMMENT);

  /* The application as the agency: the comment under the address, and nowhere else. */
  switch_user (f, "zhang");
  WAIT_FOR (stored_state (app_store (f), uuid) == CP_PACKET_STATE_RETURNED);
  g_assert_cmpint (stored_state (app_store (f), uuid), ==, CP_PACKET_STATE_RETURNED);
  g_assert_true (cp_window_open_packet (f->window, uuid, "cover", &error));
  g_assert_no_error (error);
  view = cp_window_get_packet_view (f->window);
  WAIT_FOR (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL) == 2);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL), ==, 2);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "cover"), ==, 1);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "credit-report"), ==,
                    1);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "eligibility"), ==, 0);
  {
    GtkWidget *report = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "credit-report");
    g_autofree char *top = label_texts (cp_section_page_get_comments_box (
                                          CP_SECTION_PAGE (report), NULL),
                                        "review-comment-text");

    g_assert_cmpstr (top, ==, SECTION_COMMENT);
  }
  page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "cover");
  box = cp_section_page_get_comments_box (CP_SECTION_PAGE (page), "address");
  g_assert_true (gtk_widget_get_visible (box));
  {
    g_autofree char *texts = label_texts (box, "review-comment-text");
    g_autofree char *headings = label_texts (box, "review-comment-heading");
    g_autofree char *everything = label_texts (page, "review-comment-text");
    g_autofree char *top = label_texts (cp_section_page_get_comments_box (CP_SECTION_PAGE (page),
                                                                          NULL),
                                        "review-comment-text");

    g_assert_cmpstr (texts, ==, COMMENT);
    g_assert_true (g_str_has_prefix (headings, "Comment from wang · "));
    g_assert_cmpstr (everything, ==, COMMENT);
    g_assert_cmpstr (top, ==, "");
  }
  /* The box sits in the address field's group, right under its editor. */
  editor = cp_section_page_get_editor (CP_SECTION_PAGE (page), "address");
  g_assert_true (gtk_widget_get_ancestor (box, ADW_TYPE_PREFERENCES_GROUP) ==
                 gtk_widget_get_ancestor (editor, ADW_TYPE_PREFERENCES_GROUP));
  g_assert_true (gtk_widget_is_sensitive (editor));

  /* The agency corrects the address and submits again: the comments are answered. */
  gtk_editable_set_text (GTK_EDITABLE (editor), "江苏省昆山市前进西路1号");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.submit", NULL);
  answer_submit ("submit",
                 cp_packet_get_enterprise_name (cp_packet_view_get_packet (CP_PACKET_VIEW (view))),
                 "zhang");
  WAIT_FOR (stored_state (app_store (f), uuid) == CP_PACKET_STATE_SUBMITTED &&
            cp_packet_get_state (cp_packet_view_get_packet (CP_PACKET_VIEW (view))) ==
            CP_PACKET_STATE_SUBMITTED);
  g_assert_cmpint (stored_state (app_store (f), uuid), ==, CP_PACKET_STATE_SUBMITTED);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL), ==, 0);
  /* The completeness page says it was submitted, when and by whom; no Submit button. */
  {
    CpCompletenessPage *completeness =
      CP_COMPLETENESS_PAGE (cp_packet_view_get_page_widget (CP_PACKET_VIEW (view),
                                                            CP_PAGE_COMPLETENESS));

    WAIT_FOR (strstr (cp_test_get_string (completeness, "description"), "zhang") != NULL);
    g_assert_cmpstr (cp_test_get_string (completeness, "title"), ==,
                     "Submitted to the Credit Office");
    g_assert_nonnull (strstr (cp_test_get_string (completeness, "description"),
                              "Submitted on "));
    g_assert_nonnull (strstr (cp_test_get_string (completeness, "description"), " by zhang"));
    g_assert_false (cp_test_get_boolean (completeness, "can-submit"));
  }
  page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "cover");
  {
    g_autofree char *everything = label_texts (page, "review-comment-text");

    g_assert_cmpstr (everything, ==, "");
  }
  g_assert_cmpstr (cp_packet_get_string (cp_packet_view_get_packet (CP_PACKET_VIEW (view)),
                                         "cover", "address"), ==, "江苏省昆山市前进西路1号");

  /* The office accepts it through the queue. */
  switch_user (f, "wang");
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  review = open_review (f);
  g_assert_cmpuint (cp_test_get_uint (review, "n-rows"), ==, 1);
  g_assert_cmpstr (cp_review_dialog_get_uuid (review, 0), ==, uuid);
  /* Accept asks first; Cancel leaves the packet submitted. */
  click (find_widget (cp_review_dialog_get_row (review, 0), GTK_TYPE_BUTTON, "_Accept"));
  {
    AdwMessageDialog *confirm = NULL;

    WAIT_FOR ((confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
    g_assert_nonnull (confirm);
    g_assert_cmpstr (adw_message_dialog_get_heading (confirm), ==, "Accept This Packet?");
    g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm),
                              adw_preferences_row_get_title (ADW_PREFERENCES_ROW (
                                cp_review_dialog_get_row (review, 0)))));
    adw_message_dialog_response (confirm, "cancel");
    gtk_window_destroy (GTK_WINDOW (confirm));
    WAIT_FOR_SECS (FALSE, 0.5);
    g_assert_null (cp_test_get_string (review, "message"));
    click (find_widget (cp_review_dialog_get_row (review, 0), GTK_TYPE_BUTTON, "_Accept"));
    WAIT_FOR ((confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
    adw_message_dialog_response (confirm, "accept");
    gtk_window_destroy (GTK_WINDOW (confirm));
  }
  WAIT_FOR (cp_test_get_string (review, "message") != NULL && !cp_test_get_boolean (review, "busy"));
  g_assert_cmpstr (cp_test_get_string (review, "message"), ==, "The packet was accepted.");
  close_review (review);

  /* After the sync it is accepted and nothing in it can be edited. */
  WAIT_FOR (stored_state (app_store (f), uuid) == CP_PACKET_STATE_ACCEPTED &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_cmpint (stored_state (app_store (f), uuid), ==, CP_PACKET_STATE_ACCEPTED);
  g_assert_true (cp_window_open_packet (f->window, uuid, "cover", &error));
  g_assert_no_error (error);
  /* The office's own window, since the log in. */
  view = cp_window_get_packet_view (f->window);
  g_assert_cmpint (cp_packet_get_state (cp_packet_view_get_packet (CP_PACKET_VIEW (view))), ==,
                   CP_PACKET_STATE_ACCEPTED);
  page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "cover");
  editor = cp_section_page_get_editor (CP_SECTION_PAGE (page), "address");
  g_assert_false (gtk_widget_is_sensitive (editor));
  g_assert_false (gtk_widget_is_sensitive (cp_section_page_get_editor (CP_SECTION_PAGE (page),
                                                                       "enterprise_name")));
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL), ==, 0);

  /* And so it is for the agency. */
  cp_test_client_sync (agency, NULL, NULL);
  g_assert_cmpint (stored_state (agency->store, uuid), ==, CP_PACKET_STATE_ACCEPTED);
  cp_test_client_free (agency);
}

/* Where comments go: on a field under it, on a section at the top of its page, on the whole
 * packet at the top of the first page, on a scoring item above the scoring sheet; the steps
 * count them and the completeness page lists them. Only the newest return counts. */
static void
test_review_comment_places (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  CpTestClient *agency, *office;
  GtkWidget *view, *page, *scoring;
  guint n_rows;

  agency = client_new (f, "agency", "zhang");
  office = client_new (f, "office", "wang");
  uuid = push_submitted (f, agency, 40);
  path = g_strdup_printf ("/api/v1/packets/%s/return", uuid);

  /* A first return, answered by a resubmission. */
  {
    static const char first[] = "{\"comments\": [{\"section\": \"cover\", \"field\": \"phone\", "
                                "\"comment\": \"Old: no one answers.\"}]}";
    g_autoptr(GBytes) body = g_bytes_new_static (first, strlen (first));
    g_autoptr(CpSyncReply) reply = cp_sync_client_request (office->client, "POST", path, NULL,
                                                           body, "application/json", NULL, NULL,
                                                           NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (reply->status, ==, 200);
  }
  cp_test_client_sync (agency, NULL, NULL);
  resubmit (agency, uuid);
  {
    static const char second[] =
      "{\"comments\": ["
      "{\"section\": \"cover\", \"field\": \"address\", \"comment\": \"Give the street number.\"},"
      "{\"section\": \"work-summary\", \"comment\": \"Summarize the year, not the plan.\"},"
      "{\"comment\": \"Stamp every page.\"},"
      "{\"section\": \"evidence\", \"field\": \"1.1.1\", \"comment\": \"The policy is unsigned.\"}"
      "]}";
    g_autoptr(GBytes) body = g_bytes_new_static (second, strlen (second));
    g_autoptr(CpSyncReply) reply = cp_sync_client_request (office->client, "POST", path, NULL,
                                                           body, "application/json", NULL, NULL,
                                                           NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (reply->status, ==, 200);
  }
  cp_test_client_free (office);
  cp_test_client_free (agency);

  log_in_as (f, "zhang");
  WAIT_FOR (cp_store_get_sync_info (app_store (f), uuid, NULL, NULL, NULL, NULL) &&
            stored_state (app_store (f), uuid) == CP_PACKET_STATE_RETURNED);
  g_assert_true (cp_window_open_packet (f->window, uuid, NULL, &error));
  g_assert_no_error (error);
  view = cp_window_get_packet_view (f->window);
  WAIT_FOR (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL) > 0);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL), ==, 4);
  /* The rows of the findings alone (the comments were kept by the sync and show at once, so
   * there is no moment without them to count). */
  n_rows = cp_test_get_uint (cp_packet_view_get_page_widget (CP_PACKET_VIEW (view),
                                                              "completeness"), "n-rows") - 4;
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "cover"), ==, 2);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "work-summary"), ==, 1);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "scoring-sheet"), ==,
                    1);
  g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), "evidence"), ==, 0);

  page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "cover");
  {
    g_autofree char *address = label_texts (cp_section_page_get_comments_box (
                                              CP_SECTION_PAGE (page), "address"),
                                            "review-comment-text");
    g_autofree char *phone = label_texts (cp_section_page_get_comments_box (
                                            CP_SECTION_PAGE (page), "phone"),
                                          "review-comment-text");
    g_autofree char *top = label_texts (cp_section_page_get_comments_box (CP_SECTION_PAGE (page),
                                                                          NULL),
                                        "review-comment-text");
    g_autofree char *top_heading = label_texts (cp_section_page_get_comments_box (
                                                  CP_SECTION_PAGE (page), NULL),
                                                "review-comment-heading");

    g_assert_cmpstr (address, ==, "Give the street number.");
    g_assert_cmpstr (phone, ==, "");   /* the first return's comment was answered */
    g_assert_cmpstr (top, ==, "Stamp every page.");
    g_assert_nonnull (strstr (top_heading, "the whole packet"));
  }
  page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "work-summary");
  {
    g_autofree char *top = label_texts (cp_section_page_get_comments_box (CP_SECTION_PAGE (page),
                                                                          NULL),
                                        "review-comment-text");

    g_assert_cmpstr (top, ==, "Summarize the year, not the plan.");
  }
  scoring = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "scoring-sheet");
  {
    GtkWidget *notes = cp_scoring_page_get_notes_box (CP_SCORING_PAGE (scoring));
    g_autofree char *texts = label_texts (notes, "review-comment-text");
    g_autofree char *headings = label_texts (notes, "review-comment-heading");

    g_assert_true (gtk_widget_get_visible (notes));
    g_assert_cmpstr (texts, ==, "The policy is unsigned.");
    g_assert_nonnull (strstr (headings, "1.1.1 Policy determined and documented"));
  }
  /* The completeness page lists the four comments above the findings, and keeps them after an
   * edit. */
  g_assert_cmpuint (cp_test_get_uint (cp_packet_view_get_page_widget (CP_PACKET_VIEW (view),
                                                                      "completeness"), "n-rows"),
                    ==, n_rows + 4);
  cp_packet_view_revalidate (CP_PACKET_VIEW (view));
  g_assert_cmpuint (cp_test_get_uint (cp_packet_view_get_page_widget (CP_PACKET_VIEW (view),
                                                                      "completeness"), "n-rows"),
                    ==, n_rows + 4);

  /* The sync kept the return's comments: the next morning, restarted without a network, they
   * are still under their fields. */
  {
    g_autoptr(GPtrArray) cached = cp_sync_engine_load_comments (app_store (f), uuid);
    g_autofree char *data_dir = g_build_filename (f->dir, "app", NULL);
    g_autofree char *dead_url = g_strdup (f->base);

    g_assert_nonnull (cached);
    g_assert_cmpuint (cached->len, ==, 4);
    server_stop (f);
    cp_test_app_stop (&f->app, &f->window);
    f->app = cp_test_app_start (data_dir, dead_url, &f->window);
    g_assert_true (cp_window_open_packet (f->window, uuid, "cover", &error));
    g_assert_no_error (error);
    view = cp_window_get_packet_view (f->window);
    g_assert_cmpuint (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL), ==, 4);
    page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "cover");
    {
      g_autofree char *address = label_texts (cp_section_page_get_comments_box (
                                                CP_SECTION_PAGE (page), "address"),
                                              "review-comment-text");

      g_assert_cmpstr (address, ==, "Give the street number.");
    }
  }
}

static gboolean
stage_is (CpStore    *store,
          const char *uuid,
          const char *expected)
{
  g_autofree char *stage = NULL;

  return cp_store_get_review_place (store, uuid, &stage, NULL, NULL, NULL) &&
         g_strcmp0 (stage, expected) == 0;
}

/* Issue 11: the district office takes its step of a 2020.2 贯标 packet from the application.
 * The enterprise (its own client) submits a packet holding its own parts only; the office opens
 * it from the queue, where it is the district office in the credit review, and the completeness
 * page offers its two steps; approving, confirmed, moves the packet on to the coaching stage on
 * the server and in the office's store. */
/* The enterprise (@enterprise, its own client) submits a 2020.2 贯标 packet holding its own
 * parts only, with real scans; returns its uuid. */
static char *
submit_own_parts (Fixture      *f,
                  CpTestClient *enterprise)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *json = NULL;
  char *uuid;
  CpTemplate *tmpl;
  GPtrArray *sections, *attachments;

  for (guint seed = 1; seed < 400 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry, SA, current_year (),
                                                               seed);

      if (candidate != NULL && strncmp (cp_packet_get_uscc (candidate) + 2, "320583", 6) == 0)
        demo = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (demo);
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  g_string_replace (text, cp_packet_get_uscc (demo), f->uscc, 0);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      g_assert_true (cp_store_add_blob_from_bytes (enterprise->store, bytes, &sha, &error));
      g_assert_no_error (error);
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  uuid = g_strdup (cp_packet_get_uuid (packet));
  /* The enterprise's own parts only. */
  tmpl = cp_template_registry_lookup_kind (registry, SA);
  sections = cp_template_get_sections (tmpl);
  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint i = 0; i < section->fields->len; i++)
        {
          const CpField *field = g_ptr_array_index (section->fields, i);

          if (field->owner != CP_ROLE_ENTERPRISE)
            cp_packet_set_value (packet, section->id, field->id, NULL);
        }
    }
  if (cp_packet_get_value (packet, "credit-report", "valid_until") != NULL)
    cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  g_assert_true (cp_store_save_packet (enterprise->store, packet, NULL, &error));
  g_assert_no_error (error);
  cp_sync_engine_submit_async (enterprise->engine, uuid, NULL, async_done_cb, &result);
  WAIT_FOR (result != NULL);
  g_assert_true (cp_sync_engine_submit_finish (enterprise->engine, result, &findings, &error));
  g_assert_no_error (error);

  return uuid;
}

static void
test_office_takes_step (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autofree char *uuid = NULL;
  g_autofree char *stage = NULL;
  CpTestClient *enterprise = client_new (f, "enterprise", "ent-1");
  CpTemplate *tmpl = cp_template_registry_lookup_kind (registry, SA);
  CpReviewDialog *review;
  CpPacketView *view;
  AdwMessageDialog *confirm = NULL;
  CpRole party = CP_ROLE_NONE;

  uuid = submit_own_parts (f, enterprise);
  log_in_as (f, "wang");
  review = open_review (f);
  g_assert_cmpuint (cp_test_get_uint (review, "n-rows"), ==, 1);
  g_assert_cmpstr (cp_review_dialog_get_uuid (review, 0), ==, uuid);
  g_signal_emit_by_name (cp_review_dialog_get_row (review, 0), "activated");
  WAIT_FOR (find_toplevel (CP_TYPE_REVIEW_DIALOG) == NULL);
  view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  g_assert_cmpstr (cp_packet_view_get_uuid (view), ==, uuid);
  g_assert_cmpint (cp_packet_view_get_party (view), ==, CP_ROLE_DISTRICT_OFFICE);
  g_assert_cmpstr (cp_packet_view_get_stage (view), ==, "credit-review");
  g_assert_cmpuint (cp_completeness_page_get_n_steps (CP_COMPLETENESS_PAGE (
                      cp_packet_view_get_page_widget (view, CP_PAGE_COMPLETENESS))), ==, 2);
  /* The enterprise's part is read-only to the office, and says who wrote it (the server's
   * …/authors, asked for when the packet opened). */
  {
    CpSectionPage *cover = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "cover"));

    g_assert_true (cp_section_page_get_read_only (cover, "enterprise_name"));
    WAIT_FOR (cp_section_page_get_owner_caption (cover, "enterprise_name") != NULL &&
              strstr (cp_section_page_get_owner_caption (cover, "enterprise_name"),
                      "ent-1") != NULL);
    g_assert_nonnull (cp_section_page_get_owner_caption (cover, "enterprise_name"));
    g_assert_nonnull (strstr (cp_section_page_get_owner_caption (cover, "enterprise_name"),
                              "ent-1"));
  }
  /* So is the enterprise's self-assessment on the scoring sheet; the review clock, which only
   * a party that scores needs, is not offered. */
  {
    CpScoringPage *sheet = CP_SCORING_PAGE (cp_packet_view_get_page_widget (view,
                                                                            CP_PAGE_SCORING));

    g_assert_true (cp_scoring_page_get_read_only (sheet, CP_SCORE_SELF));
    g_assert_false (cp_scoring_page_get_clock_shown (sheet));
    g_assert_nonnull (cp_scoring_page_get_access_caption (sheet));
    g_assert_nonnull (strstr (cp_scoring_page_get_access_caption (sheet), "ent-1"));
  }

  /* Approve; Cancel first leaves it where it is. */
  g_signal_emit_by_name (view, "step", "approve");
  WAIT_FOR ((confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_nonnull (confirm);
  adw_message_dialog_response (confirm, "take");
  gtk_window_destroy (GTK_WINDOW (confirm));
  WAIT_FOR_SECS (stage_is (app_store (f), uuid, "coaching"), 30);
  g_assert_true (cp_store_get_review_place (app_store (f), uuid, &stage, &party, NULL, NULL));
  g_assert_cmpstr (stage, ==, "coaching");
  g_assert_cmpint (party, ==, CP_ROLE_DISTRICT_OFFICE);
  /* Its completeness page names the stage it is in now and whose turn it is. */
  {
    CpCompletenessPage *completeness =
      CP_COMPLETENESS_PAGE (cp_packet_view_get_page_widget (view, CP_PAGE_COMPLETENESS));
    const CpWorkflowState *coaching =
      cp_workflow_lookup_state (cp_template_get_workflow (tmpl), "coaching");
    const char *label = cp_text_get (coaching->label);

    WAIT_FOR (g_strcmp0 (cp_test_get_string (completeness, "title"), label) == 0);
    g_assert_cmpstr (cp_test_get_string (completeness, "title"), ==, label);
    g_assert_nonnull (strstr (cp_test_get_string (completeness, "description"),
                              cp_role_get_label (CP_ROLE_ENTERPRISE)));
  }
  cp_test_client_free (enterprise);
}

/* Issue 11: a step another party takes reaches the open packet with the next sync. The
 * enterprise has its 贯标 packet open in the credit review, where it writes nothing; the district
 * office approves from its own client; after a sync the packet is in the coaching stage, where
 * the enterprise's work summary is writable again, without opening the packet again. */
static void
test_stage_follows_sync (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  CpTemplate *tmpl = cp_template_registry_lookup_kind (registry, SA);
  const CpSection *summary = cp_template_lookup_section (tmpl, "work-summary");
  const CpField *field;
  g_autofree char *uuid = NULL;
  g_autoptr(GError) error = NULL;
  CpTestClient *enterprise = client_new (f, "enterprise", "ent-1");
  CpTestClient *office = client_new (f, "office", "wang");
  CpPacketView *view;
  CpSectionPage *page;

  g_assert_nonnull (summary);
  field = g_ptr_array_index (summary->fields, 0);
  uuid = submit_own_parts (f, enterprise);
  log_in_as (f, "ent-1");
  WAIT_FOR (stage_is (app_store (f), uuid, "credit-review"));
  g_assert_true (cp_window_open_packet (f->window, uuid, "cover", &error));
  g_assert_no_error (error);
  view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "work-summary"));
  g_assert_cmpstr (cp_packet_view_get_stage (view), ==, "credit-review");
  g_assert_true (cp_section_page_get_read_only (page, field->id));

  cp_test_client_sync (office, NULL, NULL);
  g_assert_true (cp_test_client_transition (office, uuid, "approve", NULL, NULL, &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  WAIT_FOR (g_strcmp0 (cp_packet_view_get_stage (view), "coaching") == 0);
  g_assert_cmpstr (cp_packet_view_get_stage (view), ==, "coaching");
  g_assert_false (cp_section_page_get_read_only (page, field->id));
  cp_test_client_free (office);
  cp_test_client_free (enterprise);
}

/* Issue 11: an agency's name comes from its account. The enterprise makes a city application
 * (its own client) and the agency that coaches it opens it: the field survey's agency name is
 * filled in from the agency's account, and saved, without a key typed. */
static void
test_agency_fills_its_name (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpPacket) stored = NULL;
  g_autoptr(GError) error = NULL;
  CpTestClient *enterprise = client_new (f, "enterprise", "ent-1");
  CpPacketView *view;

  server_admin (f, NULL, "assign", f->uscc, "A001", NULL);
  packet = cp_app_new_packet (registry, CD, &error);
  g_assert_no_error (error);
  cp_packet_set_year (packet, current_year ());
  cp_packet_set_string (packet, "cover", "uscc", f->uscc);
  cp_packet_set_string (packet, "cover", "enterprise_name", "苏州辅导测试有限公司");
  g_assert_true (cp_store_save_packet (enterprise->store, packet, NULL, &error));
  g_assert_no_error (error);
  cp_test_client_sync (enterprise, NULL, NULL);

  log_in_as (f, "zhang");
  WAIT_FOR (cp_store_has_packet (app_store (f), cp_packet_get_uuid (packet)));
  g_assert_true (cp_window_open_packet (f->window, cp_packet_get_uuid (packet), NULL, &error));
  g_assert_no_error (error);
  view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  g_assert_cmpint (cp_packet_view_get_party (view), ==, CP_ROLE_COACHING_AGENCY);
  g_assert_cmpstr (cp_packet_get_string (cp_packet_view_get_packet (view), "field-survey",
                                         "agency_name"), ==, "苏州某信用服务有限公司");
  cp_packet_view_flush (view);
  stored = cp_store_load_packet (app_store (f), cp_packet_get_uuid (packet), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_string (stored, "field-survey", "agency_name"), ==,
                   "苏州某信用服务有限公司");
  cp_test_client_free (enterprise);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  cp_application_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app-office/progress-parse", test_progress_parse);
  if (g_getenv ("CP_SERVER_BINARY") == NULL)
    {
      g_test_skip ("CP_SERVER_BINARY is not set");
      return g_test_run ();
    }

#define ADD(name, func) \
  g_test_add ("/app-office/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("progress-figures", test_progress_figures);
  ADD ("progress-years", test_progress_years);
  ADD ("progress-offline", test_progress_offline);
  ADD ("progress-not-office", test_progress_not_office);
  ADD ("office-makes-no-packets", test_office_makes_no_packets);
  ADD ("enterprise-makes-packets", test_enterprise_makes_packets);
  ADD ("agency-makes-no-packets", test_agency_makes_no_packets);
  ADD ("my-turn", test_my_turn);
  ADD ("office-takes-step", test_office_takes_step);
  ADD ("stage-follows-sync", test_stage_follows_sync);
  ADD ("agency-fills-its-name", test_agency_fills_its_name);
  ADD ("review-return-accept", test_review_return_accept);
  ADD ("queue-search-and-order", test_queue_search_and_order);
  ADD ("review-comment-places", test_review_comment_places);
#undef ADD

  return g_test_run ();
}
