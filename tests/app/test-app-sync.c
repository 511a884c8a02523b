/* test-app-sync.c — the application's sync against a real credit-packet-server on loopback
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts the server program (CP_SERVER_BINARY) on 127.0.0.1 port 0 with a new data
 * folder and users made with its own command line, then drives the application's windows.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-application.h"
#include "cp-conflict-page.h"
#include "cp-conflict-page-private.h"
#include "cp-completeness-page.h"
#include "cp-completeness-page-private.h"
#include "cp-app-util.h"
#include "cp-demo.h"
#include "cp-history-dialog-private.h"
#include "cp-packet-view.h"
#include "cp-login-dialog.h"
#include "cp-login-dialog-private.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-sync-status.h"
#include "cp-sync-status-private.h"
#include "cp-uscc.h"
#include "cp-sync-manager-private.h"
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
  char          *uscc;
  CpApplication *app;
  CpWindow      *window;
} Fixture;

/* Runs the main loop until @cond holds or @secs seconds pass. */
#define WAIT_FOR_SECS(cond, secs) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (secs) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END
#define WAIT_FOR(cond) WAIT_FOR_SECS (cond, 20)

#define make_uscc cp_test_make_uscc
#define server_admin(f, ...) cp_test_server_admin ((f)->server_dir, (f)->config, __VA_ARGS__)
#define server_start(f) ((f)->server = cp_test_server_start ((f)->server_dir, (f)->config, \
                                                             &(f)->base))
#define server_stop(f) cp_test_server_stop (&(f)->server)
#define remove_tree cp_test_remove_tree

/* Starts the application on the test's data folder and server, as a user would. */
static void
start_app (Fixture *f)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "app", NULL);

  f->app = cp_test_app_start (data_dir, f->base, &f->window);
}

static void
stop_app (Fixture *f)
{
  cp_test_app_stop (&f->app, &f->window);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = NULL;

  f->dir = g_dir_make_tmp ("cp-app-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  /* @data: more [server] keys for this test ("session-ttl=60\n"), or NULL. */
  config = g_strdup_printf ("[server]\nlog-requests=false\n%s"
                            "[login]\nmax-failures=1000\n"
                            "[passwords]\nopslimit=1\nmemlimit=8192\n",
                            data != NULL ? (const char *) data : "");
  g_file_set_contents (f->config, config, -1, &error);
  g_assert_no_error (error);
  f->uscc = make_uscc ("320583", 11 + serial);
  server_admin (f, PASSWORD "\n", "user", "add", "ent-1", "--role", "enterprise",
                "--enterprise", f->uscc, NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "wang", "--role", "office", "--district",
                "kunshan", NULL);
  server_start (f);
  serial++;
  start_app (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  stop_app (f);
  server_stop (f);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_dir);
  g_free (f->config);
  g_free (f->base);
  g_free (f->uscc);
}

static CpSyncStatus *
find_sync_status (GtkWidget *widget)
{
  if (CP_IS_SYNC_STATUS (widget))
    return CP_SYNC_STATUS (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      CpSyncStatus *found = find_sync_status (child);

      if (found != NULL)
        return found;
    }
  return NULL;
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

static CpStoreSyncState
row_sync_state (Fixture    *f,
                const char *uuid)
{
  g_autoptr(CpStore) store = NULL;
  CpStoreSyncState state = CP_STORE_SYNC_PENDING;

  store = g_object_ref (cp_application_get_store (f->app, NULL));
  g_assert_true (cp_store_get_sync_info (store, uuid, &state, NULL, NULL, NULL));
  return state;
}

/* Logs in through the dialog, as a user would. */
static void log_in_as (Fixture *f, const char *user);

static void
log_in (Fixture *f)
{
  log_in_as (f, "ent-1");
}

static void
log_in_as (Fixture    *f,
           const char *user)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpLoginDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);

  /* Plain http to another computer is refused, and the dialog says why. */
  cp_login_dialog_set_fields (dialog, "http://credit.example.org", user, PASSWORD);
  g_assert_nonnull (cp_login_dialog_get_url_problem (dialog));
  g_assert_nonnull (strstr (cp_login_dialog_get_url_problem (dialog), "https://"));
  g_assert_false (cp_login_dialog_can_log_in (dialog));

  /* A wrong password is told plainly. */
  cp_login_dialog_set_fields (dialog, f->base, user, "wrong password");
  g_assert_null (cp_login_dialog_get_url_problem (dialog));
  g_assert_true (cp_login_dialog_can_log_in (dialog));
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (!cp_test_get_boolean (dialog, "busy"));
  g_assert_nonnull (cp_test_get_string (dialog, "message"));
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "wrong"));
  g_assert_false (cp_sync_manager_is_logged_in (sync));

  cp_login_dialog_set_fields (dialog, NULL, NULL, PASSWORD);
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
      /* No keyring answered: the dialog stays open and says the login lasts this session. */
      g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "this session only"));
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  else
    WAIT_FOR (find_toplevel (CP_TYPE_LOGIN_DIALOG) == NULL);
  g_assert_null (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  /* Logging in starts a first sync. */
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  WAIT_FOR_SECS (FALSE, 0.2);
}

static void
sync_now (Fixture *f)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  /* The counts come from a thread after the sync. */
  WAIT_FOR_SECS (FALSE, 0.2);
}

/* A second client of the same account: the client library on its own store. */
typedef CpTestClient Other;
#define other_new(f) cp_test_client_new ((f)->dir, (f)->base, "ent-1", PASSWORD)
#define other_sync(c) cp_test_client_sync ((c), NULL, NULL)
#define other_free cp_test_client_free
#define set_name cp_test_set_name

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Log in through the dialog, make a packet, sync with Ctrl+R's action: "Synced", and the
 * packet is on the server (a second client pulls it). Then the server goes away: an edit
 * shows "1 pending" and the status says the server cannot be reached. */
static void
test_login_sync_offline (Fixture       *f,
                         gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpSyncStatus *status = find_sync_status (GTK_WIDGET (f->window));
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(CpPacket) pulled = NULL;
  Other *other;

  g_assert_nonnull (status);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_LOGGED_OUT);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Not Syncing");

  log_in (f);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Synced");

  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州同步测试有限公司", f->uscc, &error));
  g_assert_no_error (error);
  cp_sync_manager_refresh_counts (sync);
  WAIT_FOR (cp_test_get_uint (sync, "n-pending") == 1);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "1 pending");
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_PENDING);

  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_SYNCED);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Synced");
  g_assert_cmpuint (cp_test_get_uint (sync, "n-pending"), ==, 0);
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_SYNCED);

  other = other_new (f);
  other_sync (other);
  pulled = cp_store_load_packet (other->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_enterprise_name (pulled), ==, "苏州同步测试有限公司");
  other_free (other);

  /* Offline: the edit waits in the outbox. */
  server_stop (f);
  set_name (cp_application_get_store (f->app, NULL), uuid, "苏州离线修改有限公司");
  cp_sync_manager_refresh_counts (sync);
  WAIT_FOR (cp_test_get_uint (sync, "n-pending") == 1);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "1 pending");
  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_OFFLINE);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Offline");
  g_assert_nonnull (strstr (cp_test_get_string (status, "message"), "1 packet waits to be sent."));
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_PENDING);
}

/* The same field changed here and by a second client: the conflict page shows both values,
 * keeps "Keep These Values" off until a value is chosen, and the typed value syncs. */
static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpStore *store = cp_application_get_store (f->app, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *mine = NULL;
  g_autofree char *theirs = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpPacket) pulled = NULL;
  CpConflictPage *page;
  Other *other;

  log_in (f);
  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州原名有限公司", f->uscc, &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-list", NULL);
  sync_now (f);
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_SYNCED);

  other = other_new (f);
  other_sync (other);
  set_name (other->store, uuid, "苏州他方有限公司");
  other_sync (other);

  set_name (store, uuid, "苏州我方有限公司");
  sync_now (f);
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_CONFLICT);
  WAIT_FOR (cp_test_get_uint (sync, "n-conflicts") == 1);
  g_assert_cmpuint (cp_test_get_uint (sync, "n-conflicts"), ==, 1);
  g_assert_cmpstr (cp_test_get_string (find_sync_status (GTK_WIDGET (f->window)), "label"), ==,
                   "1 conflict");
  /* Nothing was overwritten: both sides still hold their own value. */
  packet = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_enterprise_name (packet), ==, "苏州我方有限公司");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.resolve-conflict", "s", uuid);
  page = find_toplevel (CP_TYPE_CONFLICT_PAGE);
  g_assert_nonnull (page);
  g_assert_cmpuint (cp_test_get_uint (page, "n-conflicts"), ==, 1);
  g_assert_cmpstr (cp_conflict_page_get_path (page, 0), ==, "/sections/cover/enterprise_name");
  mine = cp_conflict_page_get_mine_text (page, 0);
  theirs = cp_conflict_page_get_theirs_text (page, 0);
  g_assert_cmpstr (mine, ==, "苏州我方有限公司");
  g_assert_cmpstr (theirs, ==, "苏州他方有限公司");
  g_assert_false (cp_test_get_boolean (page, "can-save"));
  g_assert_false (cp_conflict_page_save (page, &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID);
  g_clear_error (&error);

  cp_conflict_page_choose (page, 0, CP_MERGE_EDIT, "苏州合并后有限公司");
  g_assert_true (cp_test_get_boolean (page, "can-save"));
  g_assert_true (cp_conflict_page_save (page, &error));
  g_assert_no_error (error);
  g_assert_null (find_toplevel (CP_TYPE_CONFLICT_PAGE));
  /* Pending again (the sync the window starts may already have sent it). */
  g_assert_cmpint (row_sync_state (f, uuid), !=, CP_STORE_SYNC_CONFLICT);

  /* The window syncs after a resolution; wait for it. */
  WAIT_FOR (row_sync_state (f, uuid) == CP_STORE_SYNC_SYNCED &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_SYNCED);

  other_sync (other);
  pulled = cp_store_load_packet (other->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_enterprise_name (pulled), ==, "苏州合并后有限公司");
  other_free (other);
}

/* Logging out forgets the token; the packets stay. */
static void
test_logout (Fixture       *f,
             gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *server = NULL;

  log_in (f);
  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州登出测试有限公司", f->uscc, &error));
  g_assert_no_error (error);
  server = g_strdup (cp_sync_manager_get_server_url (sync));

  /* The token is where cp-credentials keeps it (the keyring, or memory for this session). */
  cp_credentials_lookup_async (cp_sync_manager_get_credentials (sync),
                               g_intern_string (server), "ent-1", NULL,
                               async_done_cb, &result);
  WAIT_FOR (result != NULL);
  token = cp_credentials_lookup_finish (cp_sync_manager_get_credentials (sync), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_clear_object (&result);
  g_clear_pointer (&token, g_free);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.logout", NULL);
  WAIT_FOR (cp_sync_manager_get_status (sync) == CP_SYNC_STATUS_LOGGED_OUT);
  g_assert_false (cp_sync_manager_is_logged_in (sync));

  /* The token goes once the server has answered the logout (or failed to): ask until then. */
  for (guint tries = 0; tries < 50; tries++)
    {
      g_clear_object (&result);
      g_clear_pointer (&token, g_free);
      WAIT_FOR_SECS (FALSE, 0.2);
      cp_credentials_lookup_async (cp_sync_manager_get_credentials (sync),
                                   g_intern_string (server), "ent-1", NULL,
                                   async_done_cb, &result);
      WAIT_FOR (result != NULL);
      token = cp_credentials_lookup_finish (cp_sync_manager_get_credentials (sync), result,
                                            &error);
      g_assert_no_error (error);
      if (token == NULL)
        break;
    }
  g_assert_null (token);
  g_assert_true (cp_store_has_packet (cp_application_get_store (f->app, NULL), uuid));
}


/* Submit is refused while the completeness page shows errors (a new packet has them), and the
 * history shows the server's revisions with who wrote them. */
static void
test_submit_refused_and_history (Fixture       *f,
                                 gconstpointer  data)
{
  CpPacketView *view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(CpPacket) packet = NULL;
  CpHistoryDialog *history;

  log_in (f);
  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州提交测试有限公司", f->uscc, &error));
  g_assert_no_error (error);
  sync_now (f);
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_SYNCED);

  g_assert_cmpstr (cp_packet_view_get_page (view), !=, CP_PAGE_COMPLETENESS);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.submit", NULL);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, CP_PAGE_COMPLETENESS);
  /* Incomplete: refused before anything is asked. */
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  WAIT_FOR_SECS (FALSE, 0.5);
  packet = cp_store_load_packet (cp_application_get_store (f->app, NULL), uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cp_packet_get_state (packet), !=, CP_PACKET_STATE_SUBMITTED);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  history = find_toplevel (CP_TYPE_HISTORY_DIALOG);
  g_assert_nonnull (history);
  WAIT_FOR (!cp_test_get_boolean (history, "loading"));
  g_assert_true (cp_test_get_boolean (history, "from-server"));
  g_assert_cmpuint (cp_test_get_uint (history, "n-rows"), ==, 1);
  g_assert_true (g_str_has_prefix (cp_history_dialog_get_row_subtitle (history, 0),
                                   "by ent-1, "));
  gtk_window_destroy (GTK_WINDOW (history));
}

static CpPacketState
stored_state (Fixture    *f,
              const char *uuid)
{
  g_autoptr(CpPacket) packet = cp_store_load_packet (cp_application_get_store (f->app, NULL),
                                                     uuid, NULL);

  return packet != NULL ? cp_packet_get_state (packet) : CP_PACKET_STATE_DRAFT;
}

/* A packet that passes the local checks but lacks attachment files on the server: the server
 * answers 422 with findings, and they appear on the completeness page like local ones. */
static void
test_submit_server_findings (Fixture       *f,
                             gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpStore *store = cp_application_get_store (f->app, NULL);
  CpPacketView *view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  guint local_rows;
  GtkWidget *page;

  log_in (f);
  g_assert_cmpstr (cp_sync_manager_get_role (sync), ==, "enterprise");
  packet = cp_demo_packet (cp_application_get_registry (f->app), "standardization-acceptance", 3);
  cp_packet_set_string (packet, "cover", "uscc", f->uscc);
  cp_packet_set_string (packet, "credit-report", "uscc", f->uscc);
  cp_packet_set_string (packet, "commitment", "uscc", f->uscc);
  findings = cp_app_validate (cp_application_get_registry (f->app), packet);
  g_assert_cmpuint (cp_findings_count (findings, CP_SEVERITY_ERROR), ==, 0);
  cp_store_save_packet (store, packet, NULL, &error);
  g_assert_no_error (error);
  uuid = g_strdup (cp_packet_get_uuid (packet));
  cp_window_reload (f->window);
  g_assert_true (cp_window_open_packet (f->window, uuid, NULL, &error));
  g_assert_no_error (error);
  page = cp_packet_view_get_page_widget (view, CP_PAGE_COMPLETENESS);
  g_assert_true (CP_IS_COMPLETENESS_PAGE (page));
  local_rows = cp_test_get_uint (CP_COMPLETENESS_PAGE (page), "n-rows");

  /* Ready here: the Submit button is on the completeness page, and it asks first. Cancel
   * sends nothing. */
  g_assert_true (cp_test_get_boolean (CP_COMPLETENESS_PAGE (page), "can-submit"));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.submit", NULL);
  answer_submit ("cancel", cp_packet_get_enterprise_name (cp_packet_view_get_packet (view)),
                 cp_sync_manager_get_user (cp_application_get_sync_manager (f->app)));
  WAIT_FOR_SECS (FALSE, 0.5);
  g_assert_cmpint (stored_state (f, uuid), !=, CP_PACKET_STATE_SUBMITTED);

  /* The demo's attachment files are not on this computer, so none reach the server. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.submit", NULL);
  answer_submit ("submit", cp_packet_get_enterprise_name (cp_packet_view_get_packet (view)),
                 cp_sync_manager_get_user (cp_application_get_sync_manager (f->app)));
  WAIT_FOR (g_strcmp0 (cp_packet_view_get_page (view), CP_PAGE_COMPLETENESS) == 0 &&
            cp_test_get_uint (CP_COMPLETENESS_PAGE (page), "n-rows") > local_rows);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, CP_PAGE_COMPLETENESS);
  g_assert_cmpuint (cp_test_get_uint (CP_COMPLETENESS_PAGE (page), "n-rows"), >,
                    local_rows);
  g_assert_cmpint (stored_state (f, uuid), !=, CP_PACKET_STATE_SUBMITTED);
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

/* The header-bar button follows the manager's properties through bindings: a change of the
 * pending count is notified once, and the button's label and its own notify follow; counting
 * again to the same number notifies nothing. */
static void
test_status_follows_manager (Fixture       *f,
                             gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpSyncStatus *status = find_sync_status (GTK_WIDGET (f->window));
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  guint n_pending_notified = 0;
  guint label_notified = 0;
  gulong pending_id, label_id;

  g_assert_cmpint (cp_test_get_uint (status, "n-pending"), ==, 0);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Not Syncing");
  g_assert_false (cp_test_get_boolean (status, "logged-in"));
  log_in (f);
  g_assert_true (cp_test_get_boolean (sync, "logged-in"));
  g_assert_true (cp_test_get_boolean (status, "logged-in"));
  g_assert_cmpstr (cp_test_get_string (status, "user"), ==, "ent-1");
  g_assert_cmpstr (cp_test_get_string (sync, "role"), ==, "enterprise");
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Synced");

  pending_id = g_signal_connect (sync, "notify::n-pending", G_CALLBACK (count_cb),
                                 &n_pending_notified);
  label_id = g_signal_connect (status, "notify::label", G_CALLBACK (count_cb), &label_notified);
  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州绑定测试有限公司", f->uscc, &error));
  g_assert_no_error (error);
  cp_sync_manager_refresh_counts (sync);
  g_assert_true (cp_test_wait_notify (status, "n-pending", 10));
  g_assert_cmpuint (n_pending_notified, ==, 1);
  g_assert_cmpuint (cp_test_get_uint (sync, "n-pending"), ==, 1);
  g_assert_cmpuint (cp_test_get_uint (status, "n-pending"), ==, 1);
  g_assert_cmpint (cp_test_get_uint (sync, "status"), ==, CP_SYNC_STATUS_PENDING);
  g_assert_cmpuint (label_notified, ==, 1);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "1 pending");

  /* The same count again: no notify. */
  cp_sync_manager_refresh_counts (sync);
  g_assert_false (cp_test_wait_notify (sync, "n-pending", 1));
  g_assert_cmpuint (n_pending_notified, ==, 1);
  g_assert_cmpuint (label_notified, ==, 1);

  g_signal_handler_disconnect (sync, pending_id);
  g_signal_handler_disconnect (status, label_id);
  sync_now (f);
  g_assert_cmpuint (cp_test_get_uint (status, "n-pending"), ==, 0);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Synced");
}

/* A visible label under @widget whose text contains @text, or NULL. */
static GtkWidget *
find_label_containing (GtkWidget  *widget,
                       const char *text)
{
  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_label_containing (child, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The visible button under @widget labelled @label (with its mnemonic), or NULL. The popover of
 * a menu button is its child in the widget tree. */
static GtkWidget *
find_button (GtkWidget  *widget,
             const char *label)
{
  if (!gtk_widget_get_visible (widget))
    return NULL;
  if (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_button (child, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
collect_visible_entry_rows (GtkWidget *widget,
                            GPtrArray *rows)
{
  if (!gtk_widget_get_visible (widget))
    return;
  if (ADW_IS_ENTRY_ROW (widget))
    g_ptr_array_add (rows, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_visible_entry_rows (child, rows);
}

/* Types into a field of the open packet, as a user would: the focus goes there first. */
static GtkWidget *
type_into (Fixture    *f,
           const char *field,
           const char *text)
{
  CpPacketView *view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  CpSectionPage *cover = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "cover"));
  GtkWidget *editor = cp_section_page_get_editor (cover, field);

  gtk_widget_grab_focus (editor);
  gtk_editable_set_text (GTK_EDITABLE (editor), text);
  return editor;
}

static gboolean
focus_is_in (Fixture   *f,
             GtkWidget *editor)
{
  GtkWidget *focus = gtk_window_get_focus (GTK_WINDOW (f->window));

  return focus != NULL && (focus == editor || gtk_widget_is_ancestor (focus, editor));
}

#define SESSION_TTL 60  /* the server's smallest session-ttl */

static void
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

/* Runs the main loop for @ms milliseconds without spinning: this test waits a minute. */
static void
idle_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add_once (ms, set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The session ends while the user types (the server's session-ttl passes): the next sync turns
 * to "Log In Again" without opening anything over the field being typed in; a toast that stays
 * offers to log in, and the status popover does too; the dialog is filled with the server and
 * the user and asks only for the password; a wrong one keeps the session ended; the right one
 * resumes the sync by itself, and every edit typed before and after the end reaches the
 * server. */
static void
test_session_expired (Fixture       *f,
                      gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpStore *store = cp_application_get_store (f->app, NULL);
  CpPacketView *view = CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
  CpSyncStatus *status;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(CpPacket) local = NULL;
  g_autoptr(CpPacket) pulled = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *contact = NULL;
  g_autofree char *local_data = NULL;
  g_autofree char *pulled_data = NULL;
  const char *toast_text = "Your session has ended";
  GtkWidget *editor, *button;
  CpLoginDialog *dialog;
  gint64 expired_at, typed_at;
  guint n_typed = 0;
  Other *other;

  log_in (f);
  /* The server counts whole seconds from the login: one more and the token is surely stale. */
  expired_at = g_get_real_time () + (SESSION_TTL + 1) * G_USEC_PER_SEC;

  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州会话测试有限公司", f->uscc, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_view_get_uuid (view), ==, uuid);
  status = cp_packet_view_get_sync_status (view);
  g_assert_nonnull (status);
  type_into (f, "legal_representative", "黄燕");
  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_SYNCED);

  /* The user keeps typing and syncing while the session lasts. */
  while (g_get_real_time () < expired_at)
    {
      g_free (contact);
      contact = g_strdup_printf ("联系人%u", ++n_typed);
      type_into (f, "contact_person", contact);
      idle_for (500);
      if (g_get_real_time () < expired_at - 3 * G_USEC_PER_SEC && n_typed % 8 == 0)
        {
          sync_now (f);
          g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_SYNCED);
        }
    }
  g_test_message ("%u edits typed during the session", n_typed);

  /* Typed after the end of the session; Ctrl+R finds the session gone. */
  editor = type_into (f, "address", "江苏省苏州市昆山市前进东路1号");
  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_NEEDS_LOGIN);
  g_assert_false (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Log In Again");
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_PENDING);
  /* Nothing opened over the window: the focus is still where the user types. */
  g_assert_null (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  g_assert_true (focus_is_in (f, editor));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (f->window), toast_text));

  /* The user goes on typing for longer than a toast lasts; the toast stays. */
  typed_at = g_get_monotonic_time ();
  editor = type_into (f, "phone", "0512-57001234");
  idle_for (3000);
  editor = type_into (f, "contact_person", "马丽华");
  idle_for (3000);
  g_assert_cmpint (g_get_monotonic_time () - typed_at, >, 5 * G_USEC_PER_SEC);
  g_assert_true (focus_is_in (f, editor));
  g_assert_null (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (f->window), toast_text));
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_NEEDS_LOGIN);

  /* The status popover offers to log in again; the dialog asks only for the password. */
  cp_sync_status_popup (status);
  WAIT_FOR_SECS (FALSE, 0.2);
  g_assert_nonnull (strstr (cp_test_get_string (status, "message"), "1 packet waits to be sent."));
  button = find_button (GTK_WIDGET (status), "_Log In Again…");
  g_assert_nonnull (button);
  g_assert_true (gtk_widget_activate (button));
  WAIT_FOR (find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Log In Again");
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "The session of ent-1 on "));
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), f->base));
  collect_visible_entry_rows (GTK_WIDGET (dialog), rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (g_ptr_array_index (rows, 0)));
  g_assert_false (cp_login_dialog_can_log_in (dialog));

  /* A wrong password: told so, and the session stays ended. */
  cp_login_dialog_set_fields (dialog, NULL, NULL, "wrong password");
  g_assert_true (cp_login_dialog_can_log_in (dialog));
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (!cp_test_get_boolean (dialog, "busy"));
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "wrong"));
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_NEEDS_LOGIN);
  g_assert_false (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_PENDING);

  /* The right one: the dialog closes and the sync resumes by itself. */
  cp_login_dialog_set_fields (dialog, NULL, NULL, PASSWORD);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (find_toplevel (CP_TYPE_LOGIN_DIALOG) == NULL &&
            row_sync_state (f, uuid) == CP_STORE_SYNC_SYNCED &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_null (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_SYNCED);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  WAIT_FOR (cp_sync_manager_get_status (sync) == CP_SYNC_STATUS_SYNCED &&
            cp_test_get_uint (sync, "n-pending") == 0);
  g_assert_cmpstr (cp_test_get_string (status, "label"), ==, "Synced");
  WAIT_FOR (find_label_containing (GTK_WIDGET (f->window), toast_text) == NULL);
  g_assert_null (find_label_containing (GTK_WIDGET (f->window), toast_text));

  /* Every edit, from before and after the end of the session, is on the server. */
  other = other_new (f);
  other_sync (other);
  pulled = cp_store_load_packet (other->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_string (pulled, "cover", "legal_representative"), ==, "黄燕");
  g_assert_cmpstr (cp_packet_get_string (pulled, "cover", "address"), ==,
                   "江苏省苏州市昆山市前进东路1号");
  g_assert_cmpstr (cp_packet_get_string (pulled, "cover", "phone"), ==, "0512-57001234");
  g_assert_cmpstr (cp_packet_get_string (pulled, "cover", "contact_person"), ==, "马丽华");
  local = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  local_data = cp_packet_to_data (local, FALSE, NULL);
  pulled_data = cp_packet_to_data (pulled, FALSE, NULL);
  g_assert_cmpstr (local_data, ==, pulled_data);
  other_free (other);
}

/* TRUE when a file under @dir (not following links) holds @needle. */
static gboolean
tree_contains (const char *dir,
               const char *needle)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          if (tree_contains (path, needle))
            return TRUE;
          continue;
        }
      if (g_file_get_contents (path, &contents, &length, NULL) &&
          g_strstr_len (contents, (gssize) length, needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    CP_CREDENTIALS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* Runs in a child of /app-sync/no-keyring, on a session bus of its own without a secret
 * service (main() starts it): the login dialog says plainly that the password will not be
 * remembered and why, and waits to be closed; the status popover says it too; sync works for the
 * session; no keyring holds the token and no file on disk does. */
static void
test_no_keyring_child (Fixture       *f,
                       gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpSyncStatus *status = find_sync_status (GTK_WIDGET (f->window));
  g_autoptr(CpCredentials) fresh = cp_credentials_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) pulled = NULL;
  g_autofree char *token = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *server = NULL;
  const char *reason = "Your password will not be remembered: no keyring (secret service) is "
                       "running on this computer.";
  GtkWidget *label, *close;
  CpLoginDialog *dialog;
  Other *other;

  if (!g_test_subprocess ())
    {
      g_test_skip ("runs in the child of /app-sync/no-keyring");
      return;
    }
  g_assert_nonnull (g_getenv ("CP_TEST_PRIVATE_BUS"));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  cp_login_dialog_set_fields (dialog, f->base, "ent-1", PASSWORD);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (!cp_test_get_boolean (dialog, "busy") && cp_sync_manager_is_logged_in (sync));
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  g_assert_true (cp_sync_manager_is_session_only (sync));

  /* Said in the dialog, which stays open until the user has read it. */
  g_assert_true (g_str_has_prefix (cp_test_get_string (dialog, "message"), reason));
  label = find_label_containing (GTK_WIDGET (dialog), reason);
  g_assert_nonnull (label);
  WAIT_FOR (gtk_widget_get_mapped (label));
  g_assert_true (gtk_widget_get_mapped (label));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "for this session only"));
  g_assert_false (gtk_widget_has_css_class (label, "error"));
  WAIT_FOR_SECS (FALSE, 0.5);
  g_assert_true (find_toplevel (CP_TYPE_LOGIN_DIALOG) == dialog);
  close = find_button (GTK_WIDGET (dialog), "_Close");
  g_assert_nonnull (close);
  g_assert_true (gtk_widget_activate (close));
  WAIT_FOR (find_toplevel (CP_TYPE_LOGIN_DIALOG) == NULL);
  g_assert_null (find_toplevel (CP_TYPE_LOGIN_DIALOG));

  /* …and in the status popover, next to the account. */
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  cp_sync_status_popup (status);
  WAIT_FOR_SECS (FALSE, 0.2);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (status), reason));
  cp_sync_status_popdown (status);

  /* Sync works for the session. */
  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州无密钥环有限公司", f->uscc, &error));
  g_assert_no_error (error);
  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_SYNCED);
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_SYNCED);
  other = other_new (f);
  other_sync (other);
  pulled = cp_store_load_packet (other->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_enterprise_name (pulled), ==, "苏州无密钥环有限公司");
  other_free (other);

  /* The token is in memory only: no keyring answers for it, no file holds it. */
  server = g_strdup (cp_sync_manager_get_server_url (sync));
  cp_credentials_lookup_async (cp_sync_manager_get_credentials (sync), g_intern_string (server),
                               "ent-1", NULL, async_done_cb, &result);
  WAIT_FOR (result != NULL);
  token = cp_credentials_lookup_finish (cp_sync_manager_get_credentials (sync), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (token);
  g_assert_cmpuint (strlen (token), >=, 16);
  g_clear_object (&result);
  cp_credentials_lookup_async (fresh, g_intern_string (server), NULL, NULL, async_done_cb,
                               &result);
  WAIT_FOR (result != NULL);
  g_assert_null (cp_credentials_lookup_finish (fresh, result, &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE);
  g_clear_error (&error);
  g_assert_false (tree_contains (f->dir, token));
  g_assert_false (tree_contains (g_get_home_dir (), token));

  /* For the parent: the server this child used. */
  g_file_set_contents (g_getenv ("CP_TEST_BASE_FILE"), server, -1, &error);
  g_assert_no_error (error);
}

/* The child's part sets up only in the child, on its own bus. */
static void
child_set_up (Fixture       *f,
              gconstpointer  data)
{
  if (g_test_subprocess ())
    fixture_set_up (f, data);
}

static void
child_tear_down (Fixture       *f,
                 gconstpointer  data)
{
  if (g_test_subprocess ())
    fixture_tear_down (f, data);
}

/* "When there is no secret service: say so plainly and keep the token in memory for this
 * session only", with the application's own windows: the part without a keyring runs in a child
 * with a session bus of its own; then the real keyring (when there is one) holds nothing for the
 * server the child used. */
static void
test_no_keyring (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cp-no-keyring-XXXXXX", &error);
  g_autofree char *base_file = NULL;
  g_autofree char *server = NULL;
  g_autofree char *token = NULL;

  g_assert_no_error (error);
  base_file = g_build_filename (dir, "base", NULL);
  g_setenv ("CP_TEST_PRIVATE_BUS", "1", TRUE);
  g_setenv ("CP_TEST_BASE_FILE", base_file, TRUE);
  g_test_trap_subprocess ("/app-sync/no-keyring/subprocess", 120 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("CP_TEST_PRIVATE_BUS");
  g_unsetenv ("CP_TEST_BASE_FILE");
  g_test_trap_assert_passed ();

  g_file_get_contents (base_file, &server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (server, "http://127.0.0.1:"));
  token = secret_password_lookup_sync (token_schema (), NULL, &error, "server", server, NULL);
  if (error != NULL)
    g_test_message ("no keyring in this session either: %s", error->message);
  g_assert_null (token);
  remove_tree (dir);
}

static void
lookup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  char **token = user_data;

  *token = cp_credentials_lookup_finish (CP_CREDENTIALS (object), result, NULL);
  if (*token == NULL)
    *token = g_strdup ("");
}

/* The usual morning: the token in the keyring ended overnight. At start the application asks
 * only for the password of the account it knows, and what was typed meanwhile is sent. */
static void
test_session_ended_at_start (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autofree char *token = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GError) error = NULL;
  CpSyncManager *sync;
  CpLoginDialog *dialog;
  Other *other;

  log_in (f);
  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "昆山晨光精密模具有限公司", f->uscc, &error));
  g_assert_no_error (error);
  sync_now (f);
  sync = cp_application_get_sync_manager (f->app);
  g_assert_cmpuint (cp_test_get_uint (sync, "n-pending"), ==, 0);

  /* The session ends on the server (as when it expires) while the application is closed. */
  cp_credentials_lookup_async (cp_sync_manager_get_credentials (sync), f->base, NULL, NULL,
                               lookup_done_cb, &token);
  WAIT_FOR (token != NULL);
  g_assert_cmpuint (strlen (token), >, 0);
  stop_app (f);
  {
    g_autoptr(SoupSession) session = soup_session_new ();
    g_autofree char *url = g_strconcat (f->base, "/api/v1/session", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("DELETE", url);
    g_autofree char *bearer = g_strconcat ("Bearer ", token, NULL);
    g_autoptr(GBytes) reply = NULL;

    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  bearer);
    reply = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
  }

  start_app (f);
  sync = cp_application_get_sync_manager (f->app);
  WAIT_FOR (cp_sync_manager_get_status (sync) == CP_SYNC_STATUS_NEEDS_LOGIN);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_NEEDS_LOGIN);
  g_assert_cmpstr (cp_sync_manager_get_user (sync), ==, "ent-1");

  /* Work goes on meanwhile. */
  g_assert_true (cp_window_open_packet (f->window, uuid, "cover", &error));
  g_assert_no_error (error);
  type_into (f, "address", "江苏省昆山市玉山镇前进西路88号");
  cp_window_flush (f->window);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (dialog)), ==, "Log In Again");
  g_assert_nonnull (strstr (cp_test_get_string (dialog, "message"), "The session of ent-1 on "));
  collect_visible_entry_rows (GTK_WIDGET (dialog), rows);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_true (ADW_IS_PASSWORD_ENTRY_ROW (g_ptr_array_index (rows, 0)));

  cp_login_dialog_set_fields (dialog, NULL, NULL, PASSWORD);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_NEEDS_LOGIN &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING &&
            cp_test_get_uint (sync, "n-pending") == 0);
  g_assert_cmpuint (cp_test_get_uint (sync, "n-pending"), ==, 0);
  if (find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    gtk_window_destroy (GTK_WINDOW (find_toplevel (CP_TYPE_LOGIN_DIALOG)));

  /* The address typed before the password reached the server. */
  other = other_new (f);
  other_sync (other);
  {
    g_autoptr(CpPacket) there = cp_store_load_packet (other->store, uuid, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (cp_packet_get_string (there, "cover", "address"), ==,
                     "江苏省昆山市玉山镇前进西路88号");
  }
  other_free (other);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GTestDBus) private_bus = NULL;
  int status;

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  if (g_getenv ("CP_TEST_PRIVATE_BUS") != NULL)
    {
      /* The child of /app-sync/no-keyring: a session bus of its own before GTK connects to one,
       * with no secret service on it (and no accessibility bus either). */
      g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));

      g_setenv ("GTK_A11Y", "none", TRUE);
      private_bus = g_test_dbus_new (G_TEST_DBUS_NONE);
      g_test_dbus_up (private_bus);  /* which unsets DISPLAY */
      if (display != NULL)
        g_setenv ("DISPLAY", display, TRUE);
    }
  cp_application_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);

  if (g_getenv ("CP_SERVER_BINARY") == NULL)
    {
      g_test_skip ("CP_SERVER_BINARY is not set");
      return g_test_run ();
    }

#define ADD(name, func) \
  g_test_add ("/app-sync/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("login-sync-offline", test_login_sync_offline);
  ADD ("conflict", test_conflict);
  ADD ("logout", test_logout);
  ADD ("submit-refused-and-history", test_submit_refused_and_history);
  ADD ("submit-server-findings", test_submit_server_findings);
  ADD ("session-ended-at-start", test_session_ended_at_start);
  ADD ("status-follows-manager", test_status_follows_manager);
#undef ADD
  g_test_add ("/app-sync/session-expired", Fixture, "session-ttl=" G_STRINGIFY (SESSION_TTL) "\n",
              fixture_set_up, test_session_expired, fixture_tear_down);
  g_test_add_func ("/app-sync/no-keyring", test_no_keyring);
  g_test_add ("/app-sync/no-keyring/subprocess", Fixture, NULL, child_set_up,
              test_no_keyring_child, child_tear_down);

  status = g_test_run ();
  if (private_bus != NULL)
    {
      GDBusConnection *bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);

      /* Stopping the daemon must not end this process through the closed connection. */
      if (bus != NULL)
        g_dbus_connection_set_exit_on_close (bus, FALSE);
      g_clear_object (&bus);
      g_test_dbus_stop (private_bus);
      g_steal_pointer (&private_bus);  /* finalizing would wait for the connection to go */
    }
  return status;
}
