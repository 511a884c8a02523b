/* cp-sync-screenshots.c — puts the application's sync screens on show for tools/screenshots.sh
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   cp-sync-screenshots SERVER_BINARY OUTDIR
 *
 * Starts a real credit-packet-server on loopback, logs in, makes a conflict with a second
 * client, and takes login-dialog.png, sync-status.png and conflict-page.png of the screen with
 * ImageMagick's import (run it under Xvfb).
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

#define WAIT_FOR_SECS(cond, secs) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (secs) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END
#define WAIT_FOR(cond) WAIT_FOR_SECS (cond, 20)

static const char *out_dir;

#define make_uscc cp_test_make_uscc
#define server_admin(f, ...) cp_test_server_admin ((f)->server_dir, (f)->config, __VA_ARGS__)
#define server_start(f) ((f)->server = cp_test_server_start ((f)->server_dir, (f)->config, \
                                                             &(f)->base))
#define server_stop(f) cp_test_server_stop (&(f)->server)
#define remove_tree cp_test_remove_tree

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

/* A second client of the same account: the client library on its own store. */
typedef CpTestClient Other;
#define other_new(f) cp_test_client_new ((f)->dir, (f)->base, "zhang", PASSWORD)
#define other_sync cp_test_client_sync
#define other_free cp_test_client_free
#define set_name cp_test_set_name


static void
shot (const char *name)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("import -window root '%s'", path);

  /* Let everything paint, then take the screen. */
  WAIT_FOR_SECS (FALSE, 1.5);
  if (system (command) != 0)
    g_error ("import failed for %s", path);
  g_print ("%s\n", path);
}

int
main (int   argc,
      char *argv[])
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *data_dir = NULL;
  CpSyncManager *sync;
  CpLoginDialog *dialog;
  CpConflictPage *page;
  Other *other;

  if (argc != 3)
    {
      g_printerr ("usage: %s SERVER_BINARY OUTDIR\n", argv[0]);
      return 2;
    }
  g_setenv ("CP_SERVER_BINARY", argv[1], TRUE);
  out_dir = argv[2];
  cp_application_init_i18n ();
  gtk_init ();

  f->dir = g_dir_make_tmp ("cp-sync-shots-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  g_file_set_contents (f->config, "[server]\nlog-requests=false\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  f->uscc = make_uscc ("320583", 21);
  server_admin (f, PASSWORD "\n", "user", "add", "zhang", "--role", "enterprise",
                "--enterprise", f->uscc, NULL);
  server_start (f);
  data_dir = g_build_filename (f->dir, "app", NULL);
  g_setenv ("CP_DATA_DIR", data_dir, TRUE);
  g_setenv ("CP_SERVER_URL", f->base, TRUE);

  f->app = cp_application_new ();
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = CP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 720);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)) && cp_window_is_loaded (f->window));
  sync = cp_application_get_sync_manager (f->app);

  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州华盛纺织有限公司", f->uscc, &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-list", NULL);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  cp_login_dialog_set_fields (dialog, "http://credit.example.cn", "zhang", PASSWORD);
  shot ("login-dialog.png");
  cp_login_dialog_set_fields (dialog, f->base, NULL, NULL);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  if (find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    gtk_window_destroy (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  WAIT_FOR_SECS (FALSE, 0.5);

  other = other_new (f);
  other_sync (other);
  set_name (other->store, uuid, "苏州华盛纺织股份有限公司");
  other_sync (other);
  set_name (cp_application_get_store (f->app, NULL), uuid, "苏州华盛纺织集团有限公司");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  WAIT_FOR (cp_sync_manager_get_n_conflicts (sync) == 1 &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  WAIT_FOR_SECS (FALSE, 0.3);

  cp_sync_status_popup (find_sync_status (GTK_WIDGET (f->window)));
  shot ("sync-status.png");
  cp_sync_status_popdown (find_sync_status (GTK_WIDGET (f->window)));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.resolve-conflict", "s", uuid);
  page = find_toplevel (CP_TYPE_CONFLICT_PAGE);
  g_assert_nonnull (page);
  cp_conflict_page_choose (page, 0, CP_MERGE_THEIRS, NULL);
  shot ("conflict-page.png");

  other_free (other);
  gtk_window_destroy (GTK_WINDOW (page));
  gtk_window_close (GTK_WINDOW (f->window));
  WAIT_FOR_SECS (FALSE, 0.2);
  g_clear_object (&f->app);
  server_stop (f);
  remove_tree (f->dir);
  return 0;
}
