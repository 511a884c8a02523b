/* cp-test-server.c — a real credit-packet-server for the application's tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shared by the application's sync tests and cp-sync-screenshots: they run the server binary
 * named by CP_SERVER_BINARY on 127.0.0.1 with a free port and a data folder of their own, and
 * start and stop the application against it.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cp-sync-client.h"
#include "cp-sync-engine.h"
#include "cp-test-server.h"
#include "cp-uscc.h"

char *
cp_test_make_uscc (const char *division6,
                   guint       serial)
{
  char code[19];
  char org[9];

  g_snprintf (org, sizeof org, "MA%06u", serial);
  g_snprintf (code, sizeof code, "91%s%s", division6, org);
  code[16] = cp_uscc_compute_org_check (org);
  code[17] = '\0';
  code[17] = cp_uscc_compute_check (code);
  code[18] = '\0';
  g_assert_true (cp_uscc_validate (code, NULL, NULL));
  return g_strdup (code);
}

void
cp_test_server_admin (const char *data_dir,
                      const char *config,
                      const char *input,
                      ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (gpointer) g_getenv ("CP_SERVER_BINARY"));
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, (gpointer) config);
  va_start (ap, input);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("server command failed: %s", err);
}

/* The server dies with the test, so that a failed assertion leaves none behind holding the
 * test runner's pipes open. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

GSubprocess *
cp_test_server_start (const char  *data_dir,
                      const char  *config,
                      char       **base)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  guint port = 0;

  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  GSubprocess *server;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error,
                                        g_getenv ("CP_SERVER_BINARY"), "--data-dir", data_dir,
                                        "--config", config, "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "listening on http://127.0.0.1:%u/", &port), ==, 1);
  *base = g_strdup_printf ("http://127.0.0.1:%u", port);
  return server;
}

void
cp_test_server_stop (GSubprocess **server)
{
  if (*server == NULL)
    return;
  g_subprocess_send_signal (*server, SIGTERM);
  g_subprocess_wait (*server, NULL, NULL);
  g_clear_object (server);
}

void
cp_test_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        cp_test_remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

/* Runs the default main context until @done is set or 20 seconds pass. */
static void
wait_for_result (GAsyncResult **done)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (*done == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_assert_nonnull (*done);
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

CpTestClient *
cp_test_client_new (const char *parent,
                    const char *base,
                    const char *user,
                    const char *password)
{
  CpTestClient *o = g_new0 (CpTestClient, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) account = NULL;

  o->dir = g_build_filename (parent, "other", NULL);
  o->store = cp_store_new (o->dir, &error);
  g_assert_no_error (error);
  o->client = cp_sync_client_new (base, &error);
  g_assert_no_error (error);
  cp_sync_client_login_async (o->client, user, password, NULL, async_done_cb, &result);
  wait_for_result (&result);
  account = cp_sync_client_login_finish (o->client, result, &error);
  g_assert_no_error (error);
  o->engine = cp_sync_engine_new (o->store, o->client);
  return o;
}

void
cp_test_client_sync (CpTestClient *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  cp_sync_engine_sync_async (o->engine, NULL, async_done_cb, &result);
  wait_for_result (&result);
  cp_sync_engine_sync_finish (o->engine, result, NULL, &error);
  g_assert_no_error (error);
}

void
cp_test_client_free (CpTestClient *o)
{
  g_clear_object (&o->engine);
  g_clear_object (&o->client);
  g_clear_object (&o->store);
  g_free (o->dir);
  g_free (o);
}

void
cp_test_set_name (CpStore    *store,
                  const char *uuid,
                  const char *name)
{
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;

  json_node_set_string (value, name);
  cp_store_set_value (store, uuid, "cover", "enterprise_name", value, &error);
  g_assert_no_error (error);
}

/* Runs the default main context until @cond holds or 20 seconds pass. */
static void
wait_for (gboolean (*cond) (gpointer),
          gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!cond (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

static gboolean
window_ready (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (data)) && cp_window_is_loaded (CP_WINDOW (data));
}

static gboolean
not_syncing (gpointer data)
{
  return cp_sync_manager_get_status (CP_SYNC_MANAGER (data)) != CP_SYNC_STATUS_SYNCING;
}

static gboolean
never (gpointer data)
{
  return g_get_monotonic_time () >= *(gint64 *) data;
}

CpApplication *
cp_test_app_start (const char  *data_dir,
                   const char  *server_url,
                   CpWindow   **window)
{
  static guint serial;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup_printf ("%s.Test%u.P%d", APP_ID, ++serial, (int) getpid ());
  CpApplication *app;

  g_setenv ("CP_DATA_DIR", data_dir, TRUE);
  if (server_url != NULL)
    g_setenv ("CP_SERVER_URL", server_url, TRUE);
  else
    g_unsetenv ("CP_SERVER_URL");
  app = g_object_new (CP_TYPE_APPLICATION,
                      "application-id", id,
                      "resource-base-path", "/io/github/creditpacket/CreditPacket",
                      "flags", G_APPLICATION_NON_UNIQUE,
                      NULL);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (app));
  *window = CP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert_nonnull (*window);
  wait_for (window_ready, *window);
  g_assert_true (window_ready (*window));
  return app;
}

void
cp_test_app_stop (CpApplication **app,
                  CpWindow      **window)
{
  CpSyncManager *sync;
  gint64 until;

  if (*app == NULL)
    return;
  sync = cp_application_get_sync_manager (*app);
  if (sync != NULL)
    wait_for (not_syncing, sync);
  gtk_window_close (GTK_WINDOW (*window));
  until = g_get_monotonic_time () + 50 * 1000;
  wait_for (never, &until);
  g_application_quit (G_APPLICATION (*app));
  g_clear_object (app);
  *window = NULL;
}

const char *
cp_test_get_string (gpointer    object,
                    const char *property)
{
  g_autofree char *key = g_strconcat ("cp-test-", property, NULL);
  char *value = NULL;

  g_object_get (object, property, &value, NULL);
  g_object_set_data_full (G_OBJECT (object), g_intern_string (key), value, g_free);
  return value;
}

guint
cp_test_get_uint (gpointer    object,
                  const char *property)
{
  guint value = 0;

  g_object_get (object, property, &value, NULL);
  return value;
}

gboolean
cp_test_get_boolean (gpointer    object,
                     const char *property)
{
  gboolean value = FALSE;

  g_object_get (object, property, &value, NULL);
  return value;
}

static void
notified_cb (GObject    *object,
             GParamSpec *pspec,
             gboolean   *notified)
{
  *notified = TRUE;
}

gboolean
cp_test_wait_notify (gpointer    object,
                     const char *property,
                     double      seconds)
{
  g_autofree char *signal = g_strconcat ("notify::", property, NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  gboolean notified = FALSE;
  gulong id = g_signal_connect (object, signal, G_CALLBACK (notified_cb), &notified);

  while (!notified && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_signal_handler_disconnect (object, id);
  return notified;
}
