/* test-credentials.c — the session token in the keyring, and the fallbacks
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /credentials/keyring needs a session bus with an unlocked gnome-keyring (tools/test.sh runs the
 * tests that way). The other cases run in subprocesses on a private bus (GTestDBus) that has no
 * secret service, or one whose "secret service" never answers.
 */
#include "config.h"

#include <gio/gio.h>
#include <libsecret/secret.h>

#include "cp-credentials.h"

#define SERVER "https://credit.example.cn"

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
wait_result (Wait *wait)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (wait->result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return wait->result;
}

static gboolean
store (CpCredentials  *credentials,
       const char     *user,
       const char     *token,
       GCancellable   *cancellable,
       GError        **error)
{
  Wait wait = { NULL };
  gboolean ok;

  cp_credentials_store_async (credentials, SERVER, user, token, cancellable, done_cb, &wait);
  ok = cp_credentials_store_finish (credentials, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static char *
lookup (CpCredentials  *credentials,
        const char     *user,
        GError        **error)
{
  Wait wait = { NULL };
  char *token;

  cp_credentials_lookup_async (credentials, SERVER, user, NULL, done_cb, &wait);
  token = cp_credentials_lookup_finish (credentials, wait_result (&wait), error);
  g_object_unref (wait.result);
  return token;
}

static gboolean
clear (CpCredentials  *credentials,
       const char     *user,
       GError        **error)
{
  Wait wait = { NULL };
  gboolean ok;

  cp_credentials_clear_async (credentials, SERVER, user, NULL, done_cb, &wait);
  ok = cp_credentials_clear_finish (credentials, wait_result (&wait), error);
  g_object_unref (wait.result);
  return ok;
}

static void
test_keyring (void)
{
  g_autoptr(CpCredentials) credentials = cp_credentials_new ();
  g_autoptr(CpCredentials) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *any = NULL;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs a session bus with an unlocked keyring (run under tools/test.sh)");
      return;
    }

  g_assert_true (store (credentials, "zhang", "token-zhang-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cp_credentials_is_session_only (credentials, SERVER, "zhang"));

  /* A new object has nothing in memory: the token comes from the keyring. */
  fresh = cp_credentials_new ();
  token = lookup (fresh, "zhang", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-zhang-1");
  any = lookup (fresh, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (any, ==, "token-zhang-1");
  g_clear_pointer (&token, g_free);

  /* Storing again replaces it. */
  g_assert_true (store (credentials, "zhang", "token-zhang-2", NULL, &error));
  g_clear_object (&fresh);
  fresh = cp_credentials_new ();
  token = lookup (fresh, "zhang", &error);
  g_assert_cmpstr (token, ==, "token-zhang-2");
  g_clear_pointer (&token, g_free);

  /* Another user of the same server is separate. */
  token = lookup (fresh, "li", &error);
  g_assert_no_error (error);
  g_assert_null (token);

  g_assert_true (clear (credentials, "zhang", &error));
  g_assert_no_error (error);
  g_assert_null (lookup (credentials, "zhang", &error));
  g_assert_no_error (error);
  g_clear_object (&fresh);
  fresh = cp_credentials_new ();
  g_assert_null (lookup (fresh, "zhang", &error));
  g_assert_no_error (error);
}

/* --- private buses ------------------------------------------------------------------------- */

static GDBusMessage *
swallow_calls_filter (GDBusConnection *connection,
                      GDBusMessage    *message,
                      gboolean         incoming,
                      gpointer         user_data)
{
  if (incoming && g_dbus_message_get_message_type (message) == G_DBUS_MESSAGE_TYPE_METHOD_CALL)
    {
      g_object_unref (message);
      return NULL; /* never answered: a keyring stuck behind a prompt */
    }
  return message;
}

static GDBusConnection *
own_silent_secret_service (GTestDBus *bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  GDBusConnection *connection;

  connection = g_dbus_connection_new_for_address_sync (
    g_test_dbus_get_bus_address (bus),
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_add_filter (connection, swallow_calls_filter, NULL, NULL);
  reply = g_dbus_connection_call_sync (connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.secrets", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                                       &error);
  g_assert_no_error (error);
  return connection;
}

static void
test_no_service_child (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(CpCredentials) credentials = NULL;
  g_autoptr(CpCredentials) fresh = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  g_test_dbus_up (bus);
  credentials = cp_credentials_new ();

  g_assert_false (store (credentials, "zhang", "token-in-memory", NULL, &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE);
  g_assert_true (g_str_has_prefix (error->message, "No keyring is available"));
  g_clear_error (&error);
  g_assert_true (cp_credentials_is_session_only (credentials, SERVER, "zhang"));

  /* The session goes on with the in-memory token. */
  token = lookup (credentials, "zhang", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-in-memory");

  /* Nothing was written anywhere else. */
  fresh = cp_credentials_new ();
  g_assert_null (lookup (fresh, "zhang", &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE);
  g_clear_error (&error);

  /* Logout forgets the in-memory copy. */
  g_assert_false (clear (credentials, "zhang", &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE);
  g_clear_error (&error);
  g_assert_false (cp_credentials_is_session_only (credentials, SERVER, "zhang"));
  g_assert_null (lookup (credentials, "zhang", &error));

  g_clear_object (&credentials);
  g_clear_object (&fresh);
  secret_service_disconnect (); /* libsecret keeps the bus connection otherwise */
  g_test_dbus_down (bus);
}

static void
test_no_bus_child (void)
{
  g_autoptr(CpCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/cp-no-bus", TRUE);
  g_unsetenv ("DISPLAY");
  credentials = cp_credentials_new ();
  g_assert_false (store (credentials, "zhang", "t", NULL, &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE);
  g_clear_error (&error);
  token = lookup (credentials, "zhang", &error);
  g_assert_cmpstr (token, ==, "t");
}

static void
test_timeout_child (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(GDBusConnection) owner = NULL;
  g_autoptr(CpCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  gint64 start;

  g_test_dbus_up (bus);
  owner = own_silent_secret_service (bus);
  credentials = cp_credentials_new ();
  cp_credentials_set_timeout (credentials, 300);

  start = g_get_monotonic_time ();
  g_assert_false (store (credentials, "zhang", "token-kept", NULL, &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_TIMED_OUT);
  g_clear_error (&error);
  /* Given up after the timeout, not after D-Bus's 25 s. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_true (cp_credentials_is_session_only (credentials, SERVER, "zhang"));
  token = lookup (credentials, "zhang", &error);
  g_assert_cmpstr (token, ==, "token-kept");

  /* A lookup that hangs times out too. */
  g_clear_object (&credentials);
  credentials = cp_credentials_new ();
  cp_credentials_set_timeout (credentials, 200);
  g_assert_null (lookup (credentials, "zhang", &error));
  g_assert_error (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_TIMED_OUT);
  g_clear_error (&error);

  /* Cancelling a hanging call ends it at once. */
  {
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Wait wait = { NULL };

    cp_credentials_set_timeout (credentials, 10000);
    start = g_get_monotonic_time ();
    cp_credentials_store_async (credentials, SERVER, "li", "x", cancellable, done_cb, &wait);
    g_timeout_add_once (50, (GSourceOnceFunc) g_cancellable_cancel, cancellable);
    g_assert_false (cp_credentials_store_finish (credentials, wait_result (&wait), &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
    g_object_unref (wait.result);
  }

  g_clear_object (&credentials);
  g_dbus_connection_close_sync (owner, NULL, NULL);
  secret_service_disconnect (); /* libsecret keeps the bus connection otherwise */
  g_test_dbus_down (bus);
}

static void
run_child (const char *path)
{
  g_test_trap_subprocess (path, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_no_service (void)
{
  run_child ("/credentials/no-service/subprocess");
}

static void
test_no_bus (void)
{
  run_child ("/credentials/no-bus/subprocess");
}

static void
test_timeout (void)
{
  run_child ("/credentials/timeout/subprocess");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/credentials/keyring", test_keyring);
  g_test_add_func ("/credentials/no-service", test_no_service);
  g_test_add_func ("/credentials/no-service/subprocess", test_no_service_child);
  g_test_add_func ("/credentials/no-bus", test_no_bus);
  g_test_add_func ("/credentials/no-bus/subprocess", test_no_bus_child);
  g_test_add_func ("/credentials/timeout", test_timeout);
  g_test_add_func ("/credentials/timeout/subprocess", test_timeout_child);

  return g_test_run ();
}
