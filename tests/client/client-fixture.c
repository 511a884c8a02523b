/* client-fixture.c — a real credit-packet-server subprocess and sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "client-fixture.h"

#include <json-glib/json-glib.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-uscc.h"

const char *
test_server_binary (void)
{
  const char *path = g_getenv ("CP_SERVER_BINARY");

  g_assert_nonnull (path);
  return path;
}

char *
test_make_uscc (const char *division6,
                guint       serial)
{
  char code[19];
  char org[9];

  g_snprintf (org, sizeof org, "MA%06u", serial % 1000000);
  g_snprintf (code, sizeof code, "91%s%s", division6, org);
  code[16] = cp_uscc_compute_org_check (org);
  code[17] = '\0';
  code[17] = cp_uscc_compute_check (code);
  code[18] = '\0';
  g_assert_true (cp_uscc_validate (code, NULL, NULL));
  return g_strdup (code);
}

void
test_server_admin (TestServer *server,
                   const char *input,
                   ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) test_server_binary ());
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, server->data_dir);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, server->config);
  va_start (args, input);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("admin command failed: %s", err);
}

static void
add_user (TestServer *server,
          const char *name,
          ...)
{
  g_autofree char *password = g_strdup_printf ("password-%s\n", name);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) test_server_binary ());
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, server->data_dir);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, server->config);
  g_ptr_array_add (argv, (gpointer) "user");
  g_ptr_array_add (argv, (gpointer) "add");
  g_ptr_array_add (argv, (gpointer) name);
  va_start (args, name);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, password, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    g_error ("user add %s failed: %s", name, err);
}

/* The server must not outlive a test that aborts: it holds the test's stderr open, and the test
 * runner would wait for it until the timeout. */
void
test_die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

TestServer *
test_server_start (void)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;

  server->dir = g_dir_make_tmp ("cp-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->data_dir = g_build_filename (server->dir, "data", NULL);
  server->config = g_build_filename (server->dir, "server.conf", NULL);
  g_file_set_contents (server->config,
                       "[server]\nlog-requests=false\nmax-blob=268435456\n"
                       "[login]\nmax-failures=1000\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  server->uscc = test_make_uscc ("320583", 11);
  server->uscc_other = test_make_uscc ("320506", 12);

  test_server_admin (server, NULL, "agency", "add", "A", "Agency A", NULL);
  test_server_admin (server, NULL, "assign", server->uscc, "A", NULL);
  add_user (server, "admin", "--role", "admin", NULL);
  add_user (server, "ent-1", "--role", "enterprise", "--enterprise", server->uscc, NULL);
  add_user (server, "agency-a", "--role", "agency", "--agency", "A", NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, test_die_with_parent, NULL, NULL);
  server->process = g_subprocess_launcher_spawn (launcher, &error, test_server_binary (),
                                                 "--data-dir", server->data_dir,
                                                 "--config", server->config,
                                                 "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "listening on http://127.0.0.1:%u/", &server->port), ==, 1);
  server->base = g_strdup_printf ("http://127.0.0.1:%u", server->port);
  return server;
}

void
test_server_stop (TestServer *server)
{
  g_autofree char *command = NULL;

  if (server == NULL)
    return;
  if (server->process != NULL)
    {
      g_subprocess_send_signal (server->process, SIGTERM);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
    }
  command = g_strdup_printf ("rm -rf '%s'", server->dir);
  g_assert_cmpint (system (command), ==, 0);
  g_free (server->dir);
  g_free (server->data_dir);
  g_free (server->config);
  g_free (server->base);
  g_free (server->uscc);
  g_free (server->uscc_other);
  g_free (server);
}

/* --- clients ------------------------------------------------------------------------------- */

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

static void
wait_for (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
test_client_login (TestClient  *client,
                   const char  *user,
                   GError     **error)
{
  g_autofree char *password = g_strdup_printf ("password-%s", user);
  g_autoptr(JsonNode) me = NULL;
  Wait wait = { NULL };

  cp_sync_client_login_async (client->client, user, password, NULL, done_cb, &wait);
  wait_for (&wait);
  me = cp_sync_client_login_finish (client->client, wait.result, error);
  g_object_unref (wait.result);
  return me != NULL;
}

TestClient *
test_client_new (const char *base_url,
                 const char *user)
{
  TestClient *client = g_new0 (TestClient, 1);
  g_autoptr(GError) error = NULL;

  client->dir = g_dir_make_tmp ("cp-client-store-XXXXXX", &error);
  g_assert_no_error (error);
  client->store = cp_store_new (client->dir, &error);
  g_assert_no_error (error);
  client->client = cp_sync_client_new (base_url, &error);
  g_assert_no_error (error);
  cp_sync_client_set_retry_policy (client->client, 8, 5, 100);
  client->engine = cp_sync_engine_new (client->store, client->client);
  if (user != NULL)
    {
      test_client_login (client, user, &error);
      g_assert_no_error (error);
    }
  return client;
}

void
test_client_free (TestClient *client)
{
  g_autofree char *command = NULL;

  if (client == NULL)
    return;
  g_clear_object (&client->engine);
  g_clear_object (&client->client);
  g_clear_object (&client->store);
  command = g_strdup_printf ("rm -rf '%s'", client->dir);
  g_assert_cmpint (system (command), ==, 0);
  g_free (client->dir);
  g_free (client);
}

gboolean
test_client_sync (TestClient   *client,
                  CpSyncStats  *stats,
                  GError      **error)
{
  Wait wait = { NULL };
  gboolean ok;

  cp_sync_engine_sync_async (client->engine, NULL, done_cb, &wait);
  wait_for (&wait);
  ok = cp_sync_engine_sync_finish (client->engine, wait.result, stats, error);
  g_object_unref (wait.result);
  return ok;
}

/* --- raw HTTP ------------------------------------------------------------------------------ */

guint
test_http (const char          *base,
           const char          *method,
           const char          *path,
           const char          *token,
           GBytes              *body,
           const char * const  *headers,
           GBytes             **body_out)
{
  static SoupSession *session;
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  if (session == NULL)
    session = soup_session_new ();
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    value);
    }
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/octet-stream", body);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (soup_message_get_request_headers (msg), headers[i],
                                  headers[i + 1]);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (body_out != NULL)
    *body_out = g_steal_pointer (&reply);
  return soup_message_get_status (msg);
}

char *
test_login_token (const char *base,
                  const char *user)
{
  g_autofree char *json = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"password-%s\"}",
                                           user, user);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char * const headers[] = { "Content-Type", "application/json", NULL };

  g_assert_cmpuint (test_http (base, "POST", "/api/v1/session", NULL, body, headers, &reply), ==,
                    201);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), NULL));
  return g_strdup (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (parser)), "token"));
}

CpPacket *
test_make_packet (const char *uscc,
                  const char *name)
{
  CpPacket *packet = cp_packet_new ("city-demonstration", "2020.1");

  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "enterprise_name", name);
  if (uscc != NULL)
    cp_packet_set_string (packet, "cover", "uscc", uscc);
  return packet;
}
