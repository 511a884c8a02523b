/* bench-server.c — credit-packet-server under wrk and curl, next to a minimal libsoup floor
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In one run, on 127.0.0.1: requests per second and p99 latency (wrk -t2 -c32) for the floor's
 * fixed JSON GET, an empty changes feed, the floor receiving packet bodies, and packet PUTs that
 * create packets (a full write transaction with fsync each); then the upload throughput of one
 * attachment with curl to the floor's streaming sink and to the server (which also syncs, hashes
 * and renames it). Prints the figures and the ratios; never fails on a number.
 *
 * Environment: CP_BENCH_SECONDS (default 10), CP_BENCH_BLOB_MB (default 200), CP_BENCH_RUNS
 * (uploads per target, default 3, the median is reported), CP_BENCH_DATABASE (an empty
 * PostgreSQL database to run the server on instead of SQLite).
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cp-access.h"
#include "cp-demo.h"
#include "cp-template-registry.h"
#include "cp-server-admin.h"
#include "cp-server.h"
#include "cp-test-support.h"

typedef struct
{
  double rps;
  double p99_ms;
  guint64 non_2xx;
} WrkResult;

/* The demo packet holds every party's parts; a new packet of a kind with a workflow may only
 * hold what its creator (the enterprise) writes in the first stage, or the server refuses it
 * with 403 before it commits anything. Drops every value the enterprise may not write yet. */
static void
keep_enterprise_parts (CpTemplateRegistry *registry,
                       CpPacket           *packet)
{
  const char *version = cp_packet_get_template_version (packet);
  CpTemplate *tpl = NULL;
  g_autoptr(GPtrArray) refused = NULL;

  tpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet), version);
  g_assert_nonnull (tpl);
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, NULL, NULL, packet);
  for (guint i = 0; i < refused->len; i++)
    {
      const CpRefusal *refusal = g_ptr_array_index (refused, i);
      g_auto(GStrv) parts = g_strsplit (refusal->pointer, "/", 0);
      guint n = g_strv_length (parts);

      /* A row of a group goes with its whole field. */
      if (n >= 4 && g_str_equal (parts[1], "sections"))
        cp_packet_set_value (packet, parts[2], parts[3], NULL);
      else if (n == 5 && g_str_equal (parts[1], "scoring") && g_str_equal (parts[4], "acceptance"))
        cp_packet_unset_score (packet, parts[3], CP_SCORE_ACCEPTANCE);
      /* A draft is refused as a whole ("/state") while it holds parts of other parties. */
      else if (!g_str_equal (refusal->pointer, "/state"))
        g_error ("bench-server: the demo packet has a part the enterprise cannot write: %s",
                 refusal->pointer);
    }
  g_clear_pointer (&refused, g_ptr_array_unref);
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, NULL, NULL, packet);
  g_assert_cmpuint (refused->len, ==, 0);
}

static const char *
env_or (const char *name,
        const char *fallback)
{
  const char *value = g_getenv (name);

  return value != NULL && *value != '\0' ? value : fallback;
}

static GSubprocess *
spawn_listening (const char * const *argv,
                 guint              *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  const char *colon;

  {
    g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);

    g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
    process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  }
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  colon = strrchr (line, ':');
  g_assert_nonnull (colon);
  *port = (guint) g_ascii_strtoull (colon + 1, NULL, 10);
  g_assert_cmpuint (*port, >, 0);
  return process;
}

static guint64
rss_kib (GSubprocess *process)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (process));
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return 0;
  line = strstr (contents, "VmRSS:");
  return line != NULL ? g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

static double
parse_latency_ms (const char *text)
{
  double value = g_ascii_strtod (text, NULL);

  if (strstr (text, "us") != NULL)
    return value / 1000;
  if (strstr (text, "ms") != NULL)
    return value;
  if (strstr (text, "s") != NULL)
    return value * 1000;
  return value;
}

static WrkResult
run_wrk (const char         *label,
         const char         *url,
         const char * const *extra)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *duration = g_strdup_printf ("%ss", env_or ("CP_BENCH_SECONDS", "10"));
  g_auto(GStrv) lines = NULL;
  WrkResult result = { 0 };

  g_ptr_array_add (argv, (gpointer) "wrk");
  g_ptr_array_add (argv, (gpointer) "-t2");
  g_ptr_array_add (argv, (gpointer) "-c32");
  g_ptr_array_add (argv, (gpointer) "-d");
  g_ptr_array_add (argv, duration);
  g_ptr_array_add (argv, (gpointer) "--latency");
  for (guint i = 0; extra != NULL && extra[i] != NULL && !g_str_equal (extra[i], "--"); i++)
    g_ptr_array_add (argv, (gpointer) extra[i]);
  g_ptr_array_add (argv, (gpointer) url);
  for (guint i = 0; extra != NULL && extra[i] != NULL; i++)
    if (g_str_equal (extra[i], "--"))
      {
        for (; extra[i] != NULL; i++)
          g_ptr_array_add (argv, (gpointer) extra[i]);
        break;
      }
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = g_strstrip (lines[i]);

      if (g_str_has_prefix (line, "Requests/sec:"))
        result.rps = g_ascii_strtod (line + strlen ("Requests/sec:"), NULL);
      else if (g_str_has_prefix (line, "99%"))
        result.p99_ms = parse_latency_ms (g_strstrip ((char *) line + 3));
      else if (g_str_has_prefix (line, "Non-2xx or 3xx responses:"))
        result.non_2xx = g_ascii_strtoull (line + strlen ("Non-2xx or 3xx responses:"), NULL, 10);
    }
  g_print ("  %-40s %10.0f req/s   p99 %7.2f ms%s\n", label, result.rps, result.p99_ms,
           result.non_2xx > 0 ? "   (non-2xx responses!)" : "");
  if (result.rps == 0)
    g_print ("%s\n", out);
  return result;
}

static char *
login (guint       port,
       const char *user,
       const char *password)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/api/v1/session", port);
  g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"%s\"}", user,
                                           password);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 201);
  json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL), g_bytes_get_size (reply),
                              &error);
  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (json_node_get_object (
                     json_parser_get_root (parser)), "token"));
}

/* curl -T FILE URL; returns the seconds, asserts the status. */
static double
curl_upload (const char *file,
             const char *url,
             const char *token,
             guint       expected)
{
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *auth = g_strdup_printf ("Authorization: Bearer %s", token != NULL ? token : "-");
  guint status = 0;
  double seconds = 0;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "curl", "-s", "-o",
                              "/dev/null", "-w", "%{http_code} %{time_total}", "-H", "Expect:",
                              "-H", auth, "-T", file, url, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  if (sscanf (out, "%u", &status) != 1 || status != expected)
    g_printerr ("curl %s: unexpected reply %s\n", url, out);
  seconds = g_ascii_strtod (strchr (out, ' ') != NULL ? strchr (out, ' ') + 1 : "0", NULL);
  return seconds;
}

/* The disk's own floor: writing @size bytes and syncing them, as the server must. */
static double
disk_write_mbps (const char *dir,
                 gsize       size)
{
  g_autofree char *path = g_build_filename (dir, "disk-floor.bin", NULL);
  g_autofree guint8 *block = g_malloc0 (1024 * 1024);
  gint64 start = g_get_monotonic_time ();
  double seconds;
  int fd;

  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  g_assert_cmpint (fd, >=, 0);
  for (gsize written = 0; written < size; written += 1024 * 1024)
    g_assert_cmpint (write (fd, block, 1024 * 1024), ==, 1024 * 1024);
  g_assert_cmpint (fsync (fd), ==, 0);
  close (fd);
  seconds = (g_get_monotonic_time () - start) / 1e6;
  g_unlink (path);
  return size / (1024.0 * 1024.0) / seconds;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values,
        guint   n)
{
  qsort (values, n, sizeof (double), compare_doubles);
  return values[n / 2];
}

int
main (int   argc,
      char *argv[])
{
  const char *server_binary = env_or ("CP_SERVER_BINARY", "credit-packet-server");
  const char *floor_binary = env_or ("CP_FLOOR_BINARY", "bench-floor-server");
  const char *lua_dir = env_or ("CP_BENCH_LUA_DIR", ".");
  const char *database = g_getenv ("CP_BENCH_DATABASE");
  guint blob_mb = (guint) g_ascii_strtoull (env_or ("CP_BENCH_BLOB_MB", "200"), NULL, 10);
  guint runs = MAX (1, (guint) g_ascii_strtoull (env_or ("CP_BENCH_RUNS", "3"), NULL, 10));
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GSubprocess) server = NULL;
  g_autoptr(GSubprocess) floor_server = NULL;
  g_autoptr(GString) template_text = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *template_path = NULL;
  g_autofree char *lua = NULL;
  g_autofree char *blob_file = NULL;
  g_autofree char *token_empty = NULL;
  g_autofree char *token_writer = NULL;
  g_autofree char *server_base = NULL;
  g_autofree char *floor_base = NULL;
  g_autofree char *data = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *changes_url = NULL;
  g_autofree char *floor_url = NULL;
  g_autofree char *sink_url = NULL;
  g_autofree char *blob_url = NULL;
  g_autofree char *cleanup = NULL;
  CpPasswordCost cost = { 1, 8192 };
  CpServerStorage *storage;
  WrkResult floor_get, changes, floor_put, put;
  double *floor_times = g_new0 (double, runs);
  double *server_times = g_new0 (double, runs);
  double floor_mbps, server_mbps, disk_mbps;
  double core_us;
  guint64 server_idle_rss, floor_idle_rss;
  guint server_port, floor_port;
  gsize length;

  setvbuf (stdout, NULL, _IOLBF, 0);
  g_assert_true (cp_server_auth_init ());

  dir = g_dir_make_tmp ("cp-bench-server-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (dir, "data", NULL);
  config = g_build_filename (dir, "server.conf", NULL);
  g_mkdir_with_parents (data_dir, 0700);
  {
    g_autofree char *text = g_strdup_printf ("[server]\nlog-requests=false\nmax-blob=%"
                                             G_GUINT64_FORMAT "\n",
                                             (guint64) (blob_mb + 1) * 1024 * 1024);

    g_file_set_contents (config, text, -1, &error);
    g_assert_no_error (error);
  }

  /* A realistic packet, as the PUT template: a complete demo packet with what the enterprise
   * writes when it creates one; its enterprise gets a user. */
  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  packet = cp_demo_packet (registry, "city-demonstration", 4);
  g_assert_nonnull (packet);
  keep_enterprise_parts (registry, packet);
  data = cp_packet_to_data (packet, FALSE, &length);
  template_text = g_string_new (data);
  g_string_replace (template_text, cp_packet_get_uuid (packet), "@UUID@", 0);
  template_path = g_build_filename (dir, "packet.json", NULL);
  g_file_set_contents (template_path, template_text->str, (gssize) template_text->len, &error);
  g_assert_no_error (error);

  /* CP_BENCH_DATABASE: an empty PostgreSQL database instead of SQLite in the data folder. */
  storage = cp_server_storage_open (database, data_dir, &error);
  g_assert_no_error (error);
  cp_server_admin_add_user (storage, "writer", CP_SERVER_ROLE_ENTERPRISE, NULL,
                            cp_packet_get_uscc (packet), NULL, "bench-password", &cost, &error);
  g_assert_no_error (error);
  cp_server_admin_add_user (storage, "empty", CP_SERVER_ROLE_ENTERPRISE, NULL,
                            "91320506MA00000000", NULL, "bench-password", &cost, &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);

  {
    const char *server_argv[] = { server_binary, "--data-dir", data_dir, "--config", config,
                                  "--listen", "127.0.0.1:0",
                                  database != NULL ? "--database" : NULL, database, NULL };
    const char *floor_argv[] = { floor_binary, NULL };

    server = spawn_listening (server_argv, &server_port);
    floor_server = spawn_listening (floor_argv, &floor_port);
  }
  g_usleep (200 * 1000);
  server_idle_rss = rss_kib (server);
  floor_idle_rss = rss_kib (floor_server);
  token_empty = login (server_port, "empty", "bench-password");
  token_writer = login (server_port, "writer", "bench-password");
  server_base = g_strdup_printf ("http://127.0.0.1:%u", server_port);
  floor_base = g_strdup_printf ("http://127.0.0.1:%u", floor_port);

  g_print ("credit-packet-server benchmarks (wrk -t2 -c32 -d%ss, loopback; packet body %"
           G_GSIZE_FORMAT " bytes)\n", env_or ("CP_BENCH_SECONDS", "10"), length);

  /* The core's own cost per PUT: strict parse and canonical form of the same packet. */
  {
    gint64 start = g_get_monotonic_time ();
    guint n = 2000;

    for (guint i = 0; i < n; i++)
      {
        g_autoptr(CpPacket) parsed = cp_packet_new_from_data (data, (gssize) length, "bench",
                                                              &error);
        g_autofree char *canonical = NULL;

        g_assert_no_error (error);
        canonical = cp_packet_to_data (parsed, FALSE, NULL);
      }
    core_us = (double) (g_get_monotonic_time () - start) / n;
    g_print ("  %-40s %10.0f us/packet (a ceiling of %.0f PUT/s on one core)\n",
             "core: parse + canonical form", core_us, 1e6 / core_us);
  }
  floor_url = g_strconcat (floor_base, "/", NULL);
  changes_url = g_strconcat (server_base, "/api/v1/changes", NULL);
  lua = g_build_filename (lua_dir, "put.lua", NULL);
  {
    g_autofree char *auth_empty = g_strdup_printf ("Authorization: Bearer %s", token_empty);
    const char *get_extra[] = { NULL };
    const char *changes_extra[] = { "-H", auth_empty, NULL };
    const char *put_extra[] = { "-s", lua, "--", template_path, token_writer, NULL };

    floor_get = run_wrk ("floor: libsoup GET, fixed JSON", floor_url, get_extra);
    changes = run_wrk ("server: GET /changes (empty feed)", changes_url, changes_extra);
    floor_put = run_wrk ("floor: libsoup PUT sink, packet body", floor_url, put_extra);
    put = run_wrk ("server: PUT /packets (create, fsync)", server_base, put_extra);
  }

  /* Attachment upload throughput. */
  {
    g_autoptr(GRand) rand = g_rand_new_with_seed (42);
    gsize size = (gsize) blob_mb * 1024 * 1024;
    guint32 *buffer = g_malloc (size);

    for (gsize i = 0; i < size / 4; i++)
      buffer[i] = g_rand_int (rand);
    blob_file = g_build_filename (dir, "blob.bin", NULL);
    g_file_set_contents (blob_file, (const char *) buffer, (gssize) size, &error);
    g_assert_no_error (error);
    sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) buffer, size);
    g_free (buffer);
  }
  sink_url = g_strconcat (floor_base, "/sink", NULL);
  blob_url = g_strconcat (server_base, "/api/v1/blobs/", sha, NULL);
  for (guint i = 0; i < runs; i++)
    {
      floor_times[i] = curl_upload (blob_file, sink_url, NULL, 200);
      server_times[i] = curl_upload (blob_file, blob_url, token_writer, 201);
    }
  disk_mbps = disk_write_mbps (data_dir, (gsize) blob_mb * 1024 * 1024);
  floor_mbps = blob_mb / median (floor_times, runs);
  server_mbps = blob_mb / median (server_times, runs);
  g_print ("  %-40s %10.0f MB/s\n", "floor: curl -T to a streaming sink", floor_mbps);
  g_print ("  %-40s %10.0f MB/s\n", "disk: write + fsync the same size", disk_mbps);
  g_print ("  %-40s %10.0f MB/s   (%u MB, median of %u; includes fsync + SHA-256)\n",
           "server: curl -T PUT /blobs/SHA256", server_mbps, blob_mb, runs);
  g_print ("  RSS: server idle %" G_GUINT64_FORMAT " KiB, after uploads %" G_GUINT64_FORMAT
           " KiB; floor idle %" G_GUINT64_FORMAT " KiB, after %" G_GUINT64_FORMAT " KiB\n",
           server_idle_rss, rss_kib (server), floor_idle_rss, rss_kib (floor_server));

  g_print ("Ratios (server / floor, same run):\n");
  g_print ("  empty changes feed: %.2fx the floor's req/s, p99 %.2fx\n",
           changes.rps / floor_get.rps, changes.p99_ms / MAX (floor_get.p99_ms, 0.001));
  g_print ("  packet PUT:         %.2fx the floor's req/s on the same bodies, p99 %.2fx; "
           "%.2fx the core's parse+canonical ceiling\n",
           put.rps / floor_put.rps, put.p99_ms / MAX (floor_put.p99_ms, 0.001),
           put.rps / (1e6 / core_us));
  g_print ("  blob upload:        %.2fx the floor's throughput, %.2fx the disk's write+fsync\n",
           server_mbps / floor_mbps, server_mbps / disk_mbps);

  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_send_signal (floor_server, SIGTERM);
  g_subprocess_wait (server, NULL, NULL);
  g_subprocess_wait (floor_server, NULL, NULL);
  cleanup = g_strdup_printf ("rm -rf '%s'", dir);
  if (system (cleanup) != 0)
    g_printerr ("could not remove %s\n", dir);
  g_free (floor_times);
  g_free (server_times);
  return 0;
}
