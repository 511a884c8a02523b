/* test-server-binary.c — the credit-packet-server program: admin commands, port 0, logging,
 * and a clean shutdown on SIGTERM that finishes the request in flight
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>

typedef struct
{
  char *dir;
  char *data_dir;
  char *config;
} Fixture;

/* The child dies with this process, so that a failed assertion leaves no server behind. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static const char *
binary (void)
{
  const char *path = g_getenv ("CP_SERVER_BINARY");

  g_assert_nonnull (path);
  return path;
}

/* Runs an admin command; returns its exit status and fills @out / @err. */
static int
run_admin (Fixture     *f,
           const char  *input,
           char       **out,
           char       **err,
           ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) binary ());
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, f->data_dir);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, f->config);
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, out, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (process);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cp-server-binary-XXXXXX", &error);
  g_assert_no_error (error);
  f->data_dir = g_build_filename (f->dir, "data", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  g_file_set_contents (f->config,
                       "[server]\nlog-requests=true\nmax-body=65536\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->data_dir);
  g_free (f->config);
}

static void
test_admin (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "add", "A", "Agency A", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Added agency A.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (f, "correct horse battery\n", &out, &err, "user", "add", "alice",
                              "--role", "agency", "--agency", "A", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Added agency user alice.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Roles need their tenant; passwords need 8 characters; unknown agencies are refused. */
  g_assert_cmpint (run_admin (f, "correct horse battery\n", &out, &err, "user", "add", "bob",
                              "--role", "office", NULL), ==, 2);
  g_assert_nonnull (strstr (err, "--district"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, "short\n", &out, &err, "user", "add", "bob", "--role", "office",
                              "--district", "kunshan", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "8 characters"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, "correct horse battery\n", &out, &err, "user", "add", "carol",
                              "--role", "agency", "--agency", "nope", NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* The shipped districts and quotas, and editing them. */
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "district", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "kunshan\t昆山\t320583\n"));
  g_assert_nonnull (strstr (out, "sip\t工业园区\t320594\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "quota", "list", "2020", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "kunshan\tstandardization-acceptance\t66\n"));
  g_assert_nonnull (strstr (out, "gusu\tcity-demonstration\t2\n"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "quota", "set", "kunshan", "2021",
                              "standardization-acceptance", "70", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "quota", "list", "2021", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "kunshan\tstandardization-acceptance\t70\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "district", "add", "dsq", "度假区", "3205",
                              "32a", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "assign", "91320583MA0000010X", "A", NULL),
                   ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "frobnicate", NULL), ==, 2);
}

static void
test_run_and_stop (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) server_out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *base = NULL;
  g_autofree char *token = NULL;
  g_autofree char *head = NULL;
  g_autofree char *status_line = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *log = NULL;
  g_autofree char *db = NULL;
  g_autofree char *wal = NULL;
  const char *body = "%PDF-1.4 the whole attachment, sent in two halves";
  gsize half = strlen (body) / 2;
  GOutputStream *socket_out;
  guint port = 0;

  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "add", "A", "Agency A", NULL), ==, 0);
  g_assert_cmpint (run_admin (f, "correct horse battery\n", &out, &err, "user", "add", "alice",
                              "--role", "agency", "--agency", "A", NULL), ==, 0);

  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
    server = g_subprocess_launcher_spawn (launcher, &error, binary (), "--data-dir", f->data_dir,
                                          "--config", f->config, "--listen", "127.0.0.1:0",
                                          NULL);
  }
  g_assert_no_error (error);
  server_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (server_out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "listening on http://127.0.0.1:"));
  g_assert_cmpint (sscanf (line, "listening on http://127.0.0.1:%u/", &port), ==, 1);
  g_assert_cmpuint (port, >, 0);
  base = g_strdup_printf ("http://127.0.0.1:%u", port);

  /* Log in. */
  {
    g_autofree char *url = g_strconcat (base, "/api/v1/session", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
    const char *login = "{\"user\": \"alice\", \"password\": \"correct horse battery\"}";
    g_autoptr(GBytes) request = g_bytes_new_static (login, strlen (login));
    g_autoptr(GBytes) reply = NULL;

    soup_message_set_request_body_from_bytes (msg, "application/json", request);
    reply = soup_session_send_and_read (session, msg, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
    json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                                &error);
    g_assert_no_error (error);
    token = g_strdup (json_object_get_string_member (json_node_get_object (
                        json_parser_get_root (parser)), "token"));
  }

  /* An upload is in flight: headers and half the body. */
  sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
  connection = g_socket_client_connect_to_host (client, base + strlen ("http://"), 0, NULL,
                                                &error);
  g_assert_no_error (error);
  head = g_strdup_printf ("PUT /api/v1/blobs/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Authorization: Bearer %s\r\nContent-Length: %" G_GSIZE_FORMAT
                          "\r\n\r\n", sha, token, strlen (body));
  socket_out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (socket_out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (socket_out, body, half, NULL, NULL, &error);
  g_assert_no_error (error);
  g_usleep (200 * 1000);

  /* SIGTERM: new requests are turned away, the one in flight completes. */
  g_subprocess_send_signal (server, SIGTERM);
  g_usleep (300 * 1000);
  {
    g_autofree char *url = g_strconcat (base, "/api/v1/limits", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GBytes) reply = soup_session_send_and_read (session, msg, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (soup_message_get_status (msg), ==, 503);
    g_assert_nonnull (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                    "Retry-After"));
  }
  g_output_stream_write_all (socket_out, body + half, strlen (body) - half, NULL, NULL, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  status_line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (status_line, ==, "HTTP/1.1 201 Created\r");

  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);

  /* One log line per request; never a token or a password. */
  {
    g_autoptr(GDataInputStream) server_err =
      g_data_input_stream_new (g_subprocess_get_stderr_pipe (server));
    gsize length;

    log = g_data_input_stream_read_upto (server_err, "", 0, &length, NULL, &error);
    g_assert_no_error (error);
  }
  g_test_message ("%s", log);
  g_assert_nonnull (strstr (log, " POST /api/v1/session 201 "));
  g_assert_nonnull (strstr (log, " GET /api/v1/limits 503 "));
  g_assert_nonnull (strstr (log, " 201 "));
  g_assert_nonnull (strstr (log, "user=alice"));
  g_assert_nonnull (strstr (log, "stopped"));
  g_assert_null (strstr (log, token));
  g_assert_null (strstr (log, "correct horse"));

  /* The database is whole, checkpointed, and has the upload. */
  db = g_build_filename (f->data_dir, "server.sqlite", NULL);
  wal = g_strconcat (db, "-wal", NULL);
  {
    GStatBuf st;

    g_assert_true (g_stat (wal, &st) != 0 || st.st_size == 0);
  }
  {
    sqlite3 *handle;
    sqlite3_stmt *stmt;

    g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (handle, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
    sqlite3_finalize (stmt);
    g_assert_cmpint (sqlite3_prepare_v2 (handle, "SELECT sha256 FROM blob_owners", -1, &stmt,
                                         NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, sha);
    sqlite3_finalize (stmt);
    sqlite3_close (handle);
  }
}

/* Runs the server with --templates-dir @dir and returns its exit status, or -1 when it came
 * up (it is stopped then); @err gets what it printed on stderr. */
static int
run_with_templates (Fixture     *f,
                    const char  *dir,
                    char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, binary (), "--data-dir", f->data_dir,
                                        "--config", f->config, "--listen", "127.0.0.1:0",
                                        "--templates-dir", dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line != NULL && g_str_has_prefix (line, "listening on "))
    {
      g_subprocess_send_signal (server, SIGTERM);
      g_subprocess_wait (server, NULL, &error);
      g_assert_no_error (error);
      *err = NULL;
      return -1;
    }
  g_subprocess_communicate_utf8 (server, NULL, NULL, NULL, err, &error);
  g_assert_no_error (error);
  return g_subprocess_get_exit_status (server);
}

/* The office's template folder: a revision loads; a broken file or a missing folder stops the
 * start with a message that names it, instead of serving the wrong templates. */
static void
test_templates_dir (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *dir = g_build_filename (f->dir, "templates", NULL);
  g_autofree char *broken = g_build_filename (dir, "broken-kind.json", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "no-such-folder", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  /* An empty folder adds nothing and takes nothing away. */
  g_assert_cmpint (run_with_templates (f, dir, &err), ==, -1);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_with_templates (f, missing, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no-such-folder is not a folder"));
  g_clear_pointer (&err, g_free);

  g_file_set_contents (broken, "{\"format\": 1, \"type\": \"packet-kind\", \"id\": 3}", -1,
                       &error);
  g_assert_no_error (error);
  g_assert_cmpint (run_with_templates (f, dir, &err), ==, 1);
  g_assert_nonnull (strstr (err, "templates-dir"));
  g_assert_nonnull (strstr (err, "broken-kind.json"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server-binary/admin", Fixture, NULL, fixture_setup, test_admin,
              fixture_teardown);
  g_test_add ("/server-binary/run-and-stop", Fixture, NULL, fixture_setup, test_run_and_stop,
              fixture_teardown);
  g_test_add ("/server-binary/templates-dir", Fixture, NULL, fixture_setup, test_templates_dir,
              fixture_teardown);
  return g_test_run ();
}
