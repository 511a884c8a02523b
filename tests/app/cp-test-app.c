/* cp-test-app.c — the application as a user starts it, for the application's tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application's tests and screenshot tools start and stop the real application on a data
 * folder of their own, against a server of tests/support when they sync.
 */
#include "config.h"

#include <unistd.h>

#include "cp-test-app.h"

#include <libsecret/secret.h>

#include "cp-credentials.h"
#include "cp-test-support.h"
#include "cp-window-private.h"

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

/* The keyring outlives each test, and a new server may listen on the port of an earlier test's:
 * forget every token kept for @server_url, or the application would restore that old session (a
 * user its new store does not know) while the test logs in. */
static void
forget_tokens (const char *server_url)
{
  static const SecretSchema schema = {
    CP_CREDENTIALS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };
  g_autoptr(GError) error = NULL;

  /* No keyring: nothing was kept. */
  if (!secret_password_clear_sync (&schema, NULL, &error, "server", server_url, NULL) &&
      error != NULL)
    g_test_message ("No token forgotten for %s: %s", server_url, error->message);
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
    {
      /* The first start against a new server; a restart keeps the test's own session. */
      if (cp_test_server_take_fresh (server_url))
        forget_tokens (server_url);
      g_setenv ("CP_SERVER_URL", server_url, TRUE);
    }
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

int
cp_test_get_int (gpointer    object,
                 const char *property)
{
  int value = 0;

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
