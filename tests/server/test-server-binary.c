/* test-server-binary.c — the credit-packet-server program: admin commands, port 0, logging,
 * and a clean shutdown on SIGTERM that finishes the request in flight
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"
#include "cp-test-support.h"

#include "cp-demo.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct
{
  char *dir;
  char *data_dir;
  char *config;
} Fixture;

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

    g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
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

/* One text column of the first row @sql gives, or NULL. */
static char *
sqlite_text (const char *db,
             const char *sql)
{
  sqlite3 *handle;
  sqlite3_stmt *stmt;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (handle);
  return text;
}

/* The agency's credit code: migration 4 on a database of schema 3, "agency add --uscc" and
 * "agency set-uscc". */
static void
test_agency_uscc (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->data_dir, "server.sqlite", NULL);
  g_autofree char *code = cp_demo_uscc ("320506", 4);
  g_autofree char *other = cp_demo_uscc ("320583", 5);
  g_autofree char *bad = g_strdup (code);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  char *sqlite_error = NULL;
  sqlite3 *handle;

  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "add", "A", "苏州信诚", NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Back to schema 3, which had no such column, with an agency in it. */
  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "ALTER TABLE agencies DROP COLUMN uscc;"
                                 "PRAGMA user_version = 3;", NULL, NULL, &sqlite_error), ==,
                   SQLITE_OK);
  sqlite3_close (handle);
  text = sqlite_text (db, "PRAGMA user_version");
  g_assert_cmpstr (text, ==, "3");
  g_clear_pointer (&text, g_free);

  /* A code with a wrong check character is refused, and changes nothing. */
  bad[17] = bad[17] == '0' ? '1' : '0';
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "set-uscc", "A", bad, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "not a valid unified social credit code"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  text = sqlite_text (db, "SELECT coalesce (uscc, 'none') FROM agencies WHERE id = 'A'");
  g_assert_cmpstr (text, ==, "none");
  g_clear_pointer (&text, g_free);
  text = sqlite_text (db, "PRAGMA user_version");
  g_assert_cmpstr (text, ==, "4");
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "set-uscc", "A", code, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Set the credit code of agency A.\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  text = sqlite_text (db, "SELECT uscc FROM agencies WHERE id = 'A'");
  g_assert_cmpstr (text, ==, code);
  g_clear_pointer (&text, g_free);

  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "set-uscc", "Z", code, NULL), !=, 0);
  g_assert_nonnull (strstr (err, "No agency has the id"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "add", "B", "苏州华信", "--uscc",
                              other, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  text = sqlite_text (db, "SELECT uscc FROM agencies WHERE id = 'B'");
  g_assert_cmpstr (text, ==, other);
  g_clear_pointer (&text, g_free);
  g_assert_cmpint (run_admin (f, NULL, &out, &err, "agency", "add", "C", "苏州某", "--uscc",
                              bad, NULL), !=, 0);
  text = sqlite_text (db, "SELECT count (*) FROM agencies WHERE id = 'C'");
  g_assert_cmpstr (text, ==, "0");
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

  g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
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

/* --- connections (issue 13, finding 2) --------------------------------------------------- */

#define LIMITS_REQUEST "GET /api/v1/limits HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* Appends @extra to the configuration file's [server] group. */
static void
configure (Fixture    *f,
           const char *extra)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  text = g_strdup_printf ("[server]\nlog-requests=true\nmax-body=65536\n%s\n"
                          "[passwords]\nopslimit=1\nmemlimit=8192\n", extra);
  g_file_set_contents (f->config, text, -1, &error);
  g_assert_no_error (error);
}

/* Starts the server (through `prlimit --nofile=@nofile` when @nofile > 0) with its log in
 * DIR/server.log; returns it and its port. */
static GSubprocess *
start_server (Fixture *f,
              guint    nofile,
              guint   *port)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *log = g_build_filename (f->dir, "server.log", NULL);
  g_autofree char *limit = g_strdup_printf ("--nofile=%u:%u", nofile, nofile);
  g_autofree char *line = NULL;
  GSubprocess *server;

  g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  if (nofile > 0)
    server = g_subprocess_launcher_spawn (launcher, &error, "prlimit", limit, "--", binary (),
                                          "--data-dir", f->data_dir, "--config", f->config,
                                          "--listen", "127.0.0.1:0", NULL);
  else
    server = g_subprocess_launcher_spawn (launcher, &error, binary (), "--data-dir", f->data_dir,
                                          "--config", f->config, "--listen", "127.0.0.1:0",
                                          NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "listening on http://127.0.0.1:%u/", port), ==, 1);
  return server;
}

static void
stop_server (GSubprocess *server)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (server, SIGCONT);
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_wait (server, NULL, &error);
  g_assert_no_error (error);
}

static int
tcp_connect (guint    port,
             gboolean nonblocking)
{
  struct sockaddr_in address = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  g_assert_cmpint (fd, >=, 0);
  address.sin_family = AF_INET;
  address.sin_port = htons ((guint16) port);
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0 && errno != EINPROGRESS)
    {
      g_test_message ("connect: %s", g_strerror (errno));
      close (fd);
      return -1;
    }
  if (!nonblocking)
    {
      /* At most 3 s: a server that stopped accepting leaves the connection unanswered. */
      struct pollfd pfd = { fd, POLLOUT, 0 };
      int error = 0;
      socklen_t length = sizeof error;

      if (poll (&pfd, 1, 3000) != 1 ||
          getsockopt (fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
        {
          g_test_message ("connect: %s", error != 0 ? g_strerror (error) : "timed out");
          close (fd);
          return -1;
        }
      fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
    }
  return fd;
}

static void
send_text (int         fd,
           const char *text)
{
  gsize length = strlen (text);

  while (length > 0)
    {
      gssize n = send (fd, text, length, MSG_NOSIGNAL);

      g_assert_cmpint (n, >, 0);
      text += n;
      length -= (gsize) n;
    }
}

/* Reads one answer and returns its status, or 0 when the connection ended or nothing came
 * within @timeout_ms. */
static guint
read_status (int   fd,
             guint timeout_ms)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint status = 0;

  while (g_get_monotonic_time () < deadline)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };
      char buffer[4096];
      const char *head_end;
      gssize n;

      if (poll (&pfd, 1, (int) ((deadline - g_get_monotonic_time ()) / 1000) + 1) <= 0)
        break;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
      head_end = strstr (text->str, "\r\n\r\n");
      if (head_end != NULL)
        {
          const char *length = strstr (text->str, "Content-Length: ");
          gsize body = length != NULL && length < head_end ? strtoul (length + 16, NULL, 10) : 0;

          if (text->len >= (gsize) (head_end + 4 - text->str) + body)
            break;
        }
    }
  if (sscanf (text->str, "HTTP/1.1 %u", &status) != 1)
    status = 0;
  return status;
}

/* Whether the server closed @fd: end of file or a reset, without waiting. */
static gboolean
closed_by_peer (int fd)
{
  char byte;
  gssize n = recv (fd, &byte, 1, MSG_DONTWAIT);

  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

static guint
count_descriptors (GSubprocess *server)
{
  g_autofree char *dir_path = g_strdup_printf ("/proc/%s/fd",
                                               g_subprocess_get_identifier (server));
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* 5,000 well-behaved requests in a row, each on a kept-alive connection that the client then
 * closes, with the usual 1,024 descriptors: libsoup 3.2.3 kept every one in CLOSE-WAIT and the
 * server stopped accepting at about the 1,013th. */
static void
test_descriptors (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  guint port = 0;
  guint failed = 0;
  guint first_failure = 0;
  guint descriptors;
  int ring[16];

  configure (f, "log-requests=false");
  server = start_server (f, 1024, &port);
  for (guint i = 0; i < G_N_ELEMENTS (ring); i++)
    ring[i] = -1;
  for (guint i = 0; i < 5000; i++)
    {
      int fd = tcp_connect (port, FALSE);
      guint status = 0;

      if (fd >= 0)
        {
          send (fd, LIMITS_REQUEST, strlen (LIMITS_REQUEST),
                MSG_NOSIGNAL);
          status = read_status (fd, 2000);
        }
      if (status != 200)
        {
          if (failed++ == 0)
            first_failure = i + 1;
          /* It no longer answers: no need to wait for the rest. */
          if (failed >= 20)
            break;
        }
      /* The client closes each connection a little later, once the server waits on it for
       * the next request (as a browser or libsoup closing an idle connection does). */
      if (ring[i % G_N_ELEMENTS (ring)] >= 0)
        close (ring[i % G_N_ELEMENTS (ring)]);
      ring[i % G_N_ELEMENTS (ring)] = fd;
    }
  for (guint i = 0; i < G_N_ELEMENTS (ring); i++)
    if (ring[i] >= 0)
      close (ring[i]);
  g_usleep (500 * 1000);
  descriptors = count_descriptors (server);
  g_test_message ("%u of 5000 failed (the first: %u); %u descriptors open at the end", failed,
                  first_failure, descriptors);
  g_assert_cmpuint (failed, ==, 0);
  g_assert_cmpuint (descriptors, <, 100);
  stop_server (server);
}

/* More connections at once than descriptors: accept() fails, and libsoup 3.2.3 then stops
 * accepting for good. Once the timeouts have closed them, the server must accept again. */
static void
test_out_of_descriptors (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  int fds[80];
  guint port = 0;
  guint status = 0;

  configure (f, "log-requests=false\nheader-timeout=1");
  server = start_server (f, 64, &port);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    fds[i] = tcp_connect (port, TRUE);
  g_usleep (3 * G_USEC_PER_SEC);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    if (fds[i] >= 0)
      close (fds[i]);
  /* Give the server time to close what the timeouts cut and to listen again. */
  for (guint attempt = 0; attempt < 10 && status != 200; attempt++)
    {
      int fd;

      g_usleep (G_USEC_PER_SEC);
      fd = tcp_connect (port, FALSE);
      if (fd < 0)
        continue;
      send_text (fd, LIMITS_REQUEST);
      status = read_status (fd, 2000);
      close (fd);
    }
  g_assert_cmpuint (status, ==, 200);
  stop_server (server);
}

/* 200 slowloris connections (headers that never end), a body that stalls and a kept-alive
 * connection with nothing more to say are all closed by the server after their timeouts; it
 * answers others meanwhile. */
static void
test_timeouts (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GArray) slow = g_array_new (FALSE, FALSE, sizeof (int));
  guint port = 0;
  int stalled_body;
  int idle;
  guint closed = 0;

  configure (f, "log-requests=false\nheader-timeout=2\nbody-timeout=2\nidle-timeout=2");
  server = start_server (f, 0, &port);
  for (guint i = 0; i < 200; i++)
    {
      int fd = tcp_connect (port, FALSE);

      g_assert_cmpint (fd, >=, 0);
      send_text (fd, "GET /api/v1/limits HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
      g_array_append_val (slow, fd);
    }
  stalled_body = tcp_connect (port, FALSE);
  g_assert_cmpint (stalled_body, >=, 0);
  send_text (stalled_body, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user\"");
  idle = tcp_connect (port, FALSE);
  g_assert_cmpint (idle, >=, 0);
  send_text (idle, "GET /api/v1/limits HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  g_assert_cmpuint (read_status (idle, 5000), ==, 200);

  /* Others are served while they wait. */
  {
    int fd = tcp_connect (port, FALSE);

    g_assert_cmpint (fd, >=, 0);
    send_text (fd, "GET /api/v1/limits HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    g_assert_cmpuint (read_status (fd, 5000), ==, 200);
    close (fd);
  }

  g_usleep (5 * G_USEC_PER_SEC);
  for (guint i = 0; i < slow->len; i++)
    if (closed_by_peer (g_array_index (slow, int, i)))
      closed++;
  g_test_message ("%u of 200 slow connections closed after 5 s", closed);
  g_assert_cmpuint (closed, ==, 200);
  g_assert_true (closed_by_peer (stalled_body));
  g_assert_true (closed_by_peer (idle));
  for (guint i = 0; i < slow->len; i++)
    close (g_array_index (slow, int, i));
  close (stalled_body);
  close (idle);
  stop_server (server);
}

/* A burst of 100 connections while the server is busy: libsoup listens with a backlog of 10, so
 * most connections waited for a retried SYN (and some logins were reset). */
static void
test_backlog (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  int fds[100];
  guint connected = 0;
  guint answered = 0;
  guint port = 0;

  configure (f, "log-requests=false");
  server = start_server (f, 0, &port);
  /* Busy: it accepts nothing while stopped, so only the kernel's queue holds the burst. */
  g_subprocess_send_signal (server, SIGSTOP);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      fds[i] = tcp_connect (port, TRUE);
      g_assert_cmpint (fds[i], >=, 0);
    }
  g_usleep (500 * 1000);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      struct pollfd pfd = { fds[i], POLLOUT, 0 };
      int error = 0;
      socklen_t length = sizeof error;

      if (poll (&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT) &&
          getsockopt (fds[i], SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
        connected++;
    }
  g_subprocess_send_signal (server, SIGCONT);
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      int flags = fcntl (fds[i], F_GETFL);

      fcntl (fds[i], F_SETFL, flags & ~O_NONBLOCK);
      send (fds[i], LIMITS_REQUEST, strlen (LIMITS_REQUEST), MSG_NOSIGNAL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (fds); i++)
    {
      if (read_status (fds[i], 10000) == 200)
        answered++;
      close (fds[i]);
    }
  g_test_message ("%u of 100 connections established while the server was busy; %u answered",
                  connected, answered);
  g_assert_cmpuint (connected, ==, 100);
  g_assert_cmpuint (answered, ==, 100);
  stop_server (server);
}

/* A path with escape sequences, a line break or invalid UTF-8 is written escaped to the log. */
static void
test_log_escaping (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GSubprocess) server = NULL;
  g_autofree char *log_path = g_build_filename (f->dir, "server.log", NULL);
  g_autofree char *log = NULL;
  guint port = 0;
  int fd;

  configure (f, "");
  server = start_server (f, 0, &port);
  fd = tcp_connect (port, FALSE);
  g_assert_cmpint (fd, >=, 0);
  send_text (fd, "GET /api/v1/%1b%5b2J%1b%5b31mred%ff%fe%0a2026-01-01T00:00:00Z%20fake%e2%80%ae"
                 " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  g_assert_cmpuint (read_status (fd, 5000), ==, 404);
  close (fd);
  stop_server (server);

  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  g_test_message ("%s", log);
  g_assert_null (strchr (log, 0x1b));
  g_assert_null (strstr (log, "\xff"));
  g_assert_null (strstr (log, "\xe2\x80\xae"));
  g_assert_null (strstr (log, "red\\xff\\xfe\n"));
  g_assert_true (g_utf8_validate (log, -1, NULL));
  g_assert_nonnull (strstr (log, "/api/v1/\\x1b[2J\\x1b[31mred\\xff\\xfe\\x0a2026-01-01T00:00:00Z"
                                 "\\x20fake\\u202e 404 "));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/server-binary/admin", Fixture, NULL, fixture_setup, test_admin,
              fixture_teardown);
  g_test_add ("/server-binary/agency-uscc", Fixture, NULL, fixture_setup, test_agency_uscc,
              fixture_teardown);
  g_test_add ("/server-binary/run-and-stop", Fixture, NULL, fixture_setup, test_run_and_stop,
              fixture_teardown);
  g_test_add ("/server-binary/descriptors", Fixture, NULL, fixture_setup, test_descriptors,
              fixture_teardown);
  g_test_add ("/server-binary/out-of-descriptors", Fixture, NULL, fixture_setup,
              test_out_of_descriptors, fixture_teardown);
  g_test_add ("/server-binary/timeouts", Fixture, NULL, fixture_setup, test_timeouts,
              fixture_teardown);
  g_test_add ("/server-binary/backlog", Fixture, NULL, fixture_setup, test_backlog,
              fixture_teardown);
  g_test_add ("/server-binary/log-escaping", Fixture, NULL, fixture_setup, test_log_escaping,
              fixture_teardown);
  g_test_add ("/server-binary/templates-dir", Fixture, NULL, fixture_setup, test_templates_dir,
              fixture_teardown);
  return g_test_run ();
}
