/* cp-test-support.c — a real credit-packet-server and real sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-test-support.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>

#include "cp-uscc.h"

/* --- the server --------------------------------------------------------------------------- */

const char *
cp_test_server_binary (void)
{
  const char *path = g_getenv ("CP_SERVER_BINARY");

  g_assert_nonnull (path);
  return path;
}

char *
cp_test_make_uscc (const char *division6,
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

/* Runs the server program on @data_dir with @args, @input on stdin. */
static void
run_admin (const char *data_dir,
           const char *config,
           const char *input,
           GPtrArray  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_ptr_array_add (argv, (gpointer) cp_test_server_binary ());
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, (gpointer) config);
  for (guint i = 0; i < args->len; i++)
    g_ptr_array_add (argv, args->pdata[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (process) != 0)
    {
      g_autofree char *command = g_strjoinv (" ", (char **) argv->pdata + 5);

      g_error ("server command `%s` failed: %s", command, err);
    }
}

static GPtrArray *
collect_args (const char *first,
              va_list     args)
{
  GPtrArray *array = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (array, (gpointer) arg);
  return array;
}

void
cp_test_server_admin (const char *data_dir,
                      const char *config,
                      const char *input,
                      ...)
{
  g_autoptr(GPtrArray) array = NULL;
  va_list args;

  va_start (args, input);
  array = collect_args (va_arg (args, const char *), args);
  va_end (args);
  run_admin (data_dir, config, input, array);
}

void
cp_test_server_add_user (const char *data_dir,
                         const char *config,
                         const char *name,
                         ...)
{
  g_autofree char *password = g_strdup_printf ("password-%s\n", name);
  g_autoptr(GPtrArray) array = NULL;
  va_list args;

  va_start (args, name);
  array = collect_args (va_arg (args, const char *), args);
  va_end (args);
  g_ptr_array_insert (array, 0, (gpointer) name);
  g_ptr_array_insert (array, 0, (gpointer) "add");
  g_ptr_array_insert (array, 0, (gpointer) "user");
  run_admin (data_dir, config, password, array);
}

void
cp_test_die_with_parent (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* The addresses of the servers started and not yet asked about (cp_test_server_take_fresh()). */
static GHashTable *fresh_servers;

GSubprocess *
cp_test_server_start (const char  *data_dir,
                      const char  *config,
                      char       **base)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *server;
  guint port = 0;

  g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, cp_test_server_binary (),
                                        "--data-dir", data_dir, "--config", config,
                                        "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "listening on http://127.0.0.1:%u/", &port), ==, 1);
  *base = g_strdup_printf ("http://127.0.0.1:%u", port);
  if (fresh_servers == NULL)
    fresh_servers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (fresh_servers, g_strdup (*base));
  return server;
}

gboolean
cp_test_server_take_fresh (const char *base)
{
  return fresh_servers != NULL && base != NULL && g_hash_table_remove (fresh_servers, base);
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

/* --- raw HTTP ----------------------------------------------------------------------------- */

guint
cp_test_http (const char          *base,
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
cp_test_login_token (const char *base,
                     const char *user)
{
  g_autofree char *json = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"password-%s\"}",
                                           user, user);
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char * const headers[] = { "Content-Type", "application/json", NULL };

  g_assert_cmpuint (cp_test_http (base, "POST", "/api/v1/session", NULL, body, headers, &reply),
                    ==, 201);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             (gssize) g_bytes_get_size (reply), NULL));
  return g_strdup (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (parser)), "token"));
}

/* --- packets ------------------------------------------------------------------------------ */

CpPacket *
cp_test_make_packet (const char *uscc,
                     const char *name)
{
  CpPacket *packet = cp_packet_new ("city-demonstration", "2020.1");

  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "enterprise_name", name);
  if (uscc != NULL)
    cp_packet_set_string (packet, "cover", "uscc", uscc);
  return packet;
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
