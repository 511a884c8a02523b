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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-application.h"
#include "cp-conflict-page.h"
#include "cp-completeness-page.h"
#include "cp-app-util.h"
#include "cp-demo.h"
#include "cp-history-dialog.h"
#include "cp-packet-view.h"
#include "cp-login-dialog.h"
#include "cp-sync-status.h"
#include "cp-uscc.h"
#include "cp-test-server.h"
#include "cp-window.h"

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

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;

  f->dir = g_dir_make_tmp ("cp-app-sync-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  g_file_set_contents (f->config,
                       "[server]\nlog-requests=false\n"
                       "[login]\nmax-failures=1000\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  f->uscc = make_uscc ("320583", 11 + serial);
  server_admin (f, PASSWORD "\n", "user", "add", "ent-1", "--role", "enterprise",
                "--enterprise", f->uscc, NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "wang", "--role", "office", "--district",
                "kunshan", NULL);
  server_start (f);

  {
    g_autofree char *data_dir = g_build_filename (f->dir, "app", NULL);

    g_setenv ("CP_DATA_DIR", data_dir, TRUE);
    g_setenv ("CP_SERVER_URL", f->base, TRUE);
  }
  /* A fresh id for each test: the previous application may still be on the bus. */
  id = g_strdup_printf ("%s.SyncTest%u", APP_ID, ++serial);
  f->app = g_object_new (CP_TYPE_APPLICATION,
                         "application-id", id,
                         "resource-base-path", "/io/github/creditpacket/CreditPacket",
                         "flags", G_APPLICATION_NON_UNIQUE,
                         NULL);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = CP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)) && cp_window_is_loaded (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);

  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  gtk_window_close (GTK_WINDOW (f->window));
  WAIT_FOR_SECS (FALSE, 0.05);
  g_application_quit (G_APPLICATION (f->app));
  g_clear_object (&f->app);
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
  WAIT_FOR (!cp_login_dialog_is_busy (dialog));
  g_assert_nonnull (cp_login_dialog_get_message (dialog));
  g_assert_nonnull (strstr (cp_login_dialog_get_message (dialog), "wrong"));
  g_assert_false (cp_sync_manager_is_logged_in (sync));

  cp_login_dialog_set_fields (dialog, NULL, NULL, PASSWORD);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpstr (cp_sync_manager_get_user (sync), ==, user);
  if (cp_sync_manager_is_session_only (sync))
    {
      /* No keyring answered: the dialog stays open and says the login lasts this session. */
      g_assert_nonnull (strstr (cp_login_dialog_get_message (dialog), "this session only"));
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
#define other_sync cp_test_client_sync
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
  g_assert_cmpstr (cp_sync_status_get_label (status), ==, "Not Syncing");

  log_in (f);
  g_assert_cmpstr (cp_sync_status_get_label (status), ==, "Synced");

  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州同步测试有限公司", f->uscc, &error));
  g_assert_no_error (error);
  cp_sync_manager_refresh_counts (sync);
  WAIT_FOR (cp_sync_manager_get_n_pending (sync) == 1);
  g_assert_cmpstr (cp_sync_status_get_label (status), ==, "1 pending");
  g_assert_cmpint (row_sync_state (f, uuid), ==, CP_STORE_SYNC_PENDING);

  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_SYNCED);
  g_assert_cmpstr (cp_sync_status_get_label (status), ==, "Synced");
  g_assert_cmpuint (cp_sync_manager_get_n_pending (sync), ==, 0);
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
  WAIT_FOR (cp_sync_manager_get_n_pending (sync) == 1);
  g_assert_cmpstr (cp_sync_status_get_label (status), ==, "1 pending");
  sync_now (f);
  g_assert_cmpint (cp_sync_manager_get_status (sync), ==, CP_SYNC_STATUS_OFFLINE);
  g_assert_cmpstr (cp_sync_status_get_label (status), ==, "Offline");
  g_assert_nonnull (strstr (cp_sync_status_get_message (status), "1 packet waits to be sent."));
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
  WAIT_FOR (cp_sync_manager_get_n_conflicts (sync) == 1);
  g_assert_cmpuint (cp_sync_manager_get_n_conflicts (sync), ==, 1);
  g_assert_cmpstr (cp_sync_status_get_label (find_sync_status (GTK_WIDGET (f->window))), ==,
                   "1 conflict");
  /* Nothing was overwritten: both sides still hold their own value. */
  packet = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_enterprise_name (packet), ==, "苏州我方有限公司");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.resolve-conflict", "s", uuid);
  page = find_toplevel (CP_TYPE_CONFLICT_PAGE);
  g_assert_nonnull (page);
  g_assert_cmpuint (cp_conflict_page_get_n_conflicts (page), ==, 1);
  g_assert_cmpstr (cp_conflict_page_get_path (page, 0), ==, "/sections/cover/enterprise_name");
  mine = cp_conflict_page_get_mine_text (page, 0);
  theirs = cp_conflict_page_get_theirs_text (page, 0);
  g_assert_cmpstr (mine, ==, "苏州我方有限公司");
  g_assert_cmpstr (theirs, ==, "苏州他方有限公司");
  g_assert_false (cp_conflict_page_can_save (page));
  g_assert_false (cp_conflict_page_save (page, &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID);
  g_clear_error (&error);

  cp_conflict_page_choose (page, 0, CP_MERGE_EDIT, "苏州合并后有限公司");
  g_assert_true (cp_conflict_page_can_save (page));
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
  WAIT_FOR_SECS (FALSE, 0.5);

  cp_credentials_lookup_async (cp_sync_manager_get_credentials (sync),
                               g_intern_string (server), "ent-1", NULL,
                               async_done_cb, &result);
  WAIT_FOR (result != NULL);
  token = cp_credentials_lookup_finish (cp_sync_manager_get_credentials (sync), result, &error);
  g_assert_no_error (error);
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
  WAIT_FOR_SECS (FALSE, 0.5);
  packet = cp_store_load_packet (cp_application_get_store (f->app, NULL), uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (cp_packet_get_state (packet), !=, CP_PACKET_STATE_SUBMITTED);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-history", NULL);
  history = find_toplevel (CP_TYPE_HISTORY_DIALOG);
  g_assert_nonnull (history);
  WAIT_FOR (!cp_history_dialog_is_loading (history));
  g_assert_true (cp_history_dialog_is_from_server (history));
  g_assert_cmpuint (cp_history_dialog_get_n_rows (history), ==, 1);
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
  local_rows = cp_completeness_page_get_n_rows (CP_COMPLETENESS_PAGE (page));

  /* The demo's attachment files are not on this computer, so none reach the server. */
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.submit", NULL);
  WAIT_FOR (g_strcmp0 (cp_packet_view_get_page (view), CP_PAGE_COMPLETENESS) == 0 &&
            cp_completeness_page_get_n_rows (CP_COMPLETENESS_PAGE (page)) > local_rows);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, CP_PAGE_COMPLETENESS);
  g_assert_cmpuint (cp_completeness_page_get_n_rows (CP_COMPLETENESS_PAGE (page)), >,
                    local_rows);
  g_assert_cmpint (stored_state (f, uuid), !=, CP_PACKET_STATE_SUBMITTED);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
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
#undef ADD

  return g_test_run ();
}
