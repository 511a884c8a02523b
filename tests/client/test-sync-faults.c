/* test-sync-faults.c — sync through a fault-injecting proxy, and sync killed with SIGKILL
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The proxy sits on 127.0.0.1 between two clients and the real server. Per connection it picks
 * (from a seeded generator) to pass everything, to cut the request after a random number of
 * bytes, to cut the response after a random number of bytes, to delay every chunk, or to answer
 * 503 with Retry-After itself. libsoup keeps connections alive, so a cut can land in any request
 * of a connection: in headers, mid-body, mid-reply.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "client-fixture.h"

#define SEED_DEFAULT 20260423

typedef enum
{
  FAULT_NONE,
  FAULT_CUT_REQUEST,
  FAULT_CUT_RESPONSE,
  FAULT_DELAY,
  FAULT_UNAVAILABLE,
  N_FAULTS
} Fault;

typedef struct
{
  GSocketService *service;
  guint           port;
  guint           upstream_port;
  gint            enabled;  /* atomic */
  GMutex          lock;
  GRand          *rand;
  guint           counts[N_FAULTS];
} Proxy;

typedef struct
{
  GSocketConnection *from;
  GSocketConnection *to;
  guint64            cut_after;  /* G_MAXUINT64: never */
  gboolean           delay;
} Pump;

static void
shutdown_both (Pump *pump)
{
  g_socket_shutdown (g_socket_connection_get_socket (pump->from), TRUE, TRUE, NULL);
  g_socket_shutdown (g_socket_connection_get_socket (pump->to), TRUE, TRUE, NULL);
}

static gpointer
pump_run (gpointer data)
{
  Pump *pump = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (pump->from));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (pump->to));
  guint8 buffer[16384];
  guint64 passed = 0;

  for (;;)
    {
      gssize n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL);
      gsize to_send;

      if (n <= 0)
        break;
      to_send = (gsize) n;
      if (pump->cut_after != G_MAXUINT64 && passed + to_send > pump->cut_after)
        {
          to_send = (gsize) (pump->cut_after - passed);
          if (to_send > 0)
            g_output_stream_write_all (out, buffer, to_send, NULL, NULL, NULL);
          break;
        }
      if (pump->delay)
        g_usleep (1000 + g_random_int_range (0, 4000));
      if (!g_output_stream_write_all (out, buffer, to_send, NULL, NULL, NULL))
        break;
      passed += to_send;
    }
  shutdown_both (pump);
  return NULL;
}

static gboolean
proxy_run_cb (GThreadedSocketService *service,
              GSocketConnection      *connection,
              GObject                *source,
              gpointer                user_data)
{
  Proxy *proxy = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) upstream = NULL;
  Fault fault = FAULT_NONE;
  guint64 cut = 0;
  Pump up = { 0 }, down = { 0 };
  GThread *thread;

  if (g_atomic_int_get (&proxy->enabled))
    {
      g_mutex_lock (&proxy->lock);
      {
        guint roll = (guint) g_rand_int_range (proxy->rand, 0, 100);

        /* Every connection breaks sooner or later, so that faults keep coming although
         * libsoup keeps connections alive; a clean one carries a few requests first. */
        fault = roll < 20 ? FAULT_NONE : roll < 45 ? FAULT_CUT_REQUEST
              : roll < 70 ? FAULT_CUT_RESPONSE : roll < 88 ? FAULT_DELAY : FAULT_UNAVAILABLE;
        cut = (guint64) g_rand_int_range (proxy->rand, 0, 40000);
        proxy->counts[fault]++;
      }
      g_mutex_unlock (&proxy->lock);
    }

  if (fault == FAULT_UNAVAILABLE)
    {
      static const char reply[] = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\n"
                                  "Content-Type: application/problem+json\r\n"
                                  "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
      guint8 buffer[4096];

      g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)), buffer,
                           sizeof buffer, NULL, NULL);
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                 reply, sizeof reply - 1, NULL, NULL, NULL);
      g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
      return TRUE;
    }

  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->upstream_port, NULL,
                                              NULL);
  if (upstream == NULL)
    return TRUE;

  up.from = connection;
  up.to = upstream;
  if (fault == FAULT_NONE || fault == FAULT_DELAY)
    cut = 40000 + cut * 4;
  up.cut_after = fault == FAULT_CUT_REQUEST ? cut : G_MAXUINT64;
  up.delay = fault == FAULT_DELAY;
  down.from = upstream;
  down.to = connection;
  down.cut_after = fault != FAULT_CUT_REQUEST ? cut : G_MAXUINT64;
  down.delay = fault == FAULT_DELAY;

  thread = g_thread_new ("proxy-down", pump_run, &down);
  pump_run (&up);
  g_thread_join (thread);
  g_io_stream_close (G_IO_STREAM (upstream), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static Proxy *
proxy_new (guint   upstream_port,
           guint32 seed)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) effective = NULL;

  g_mutex_init (&proxy->lock);
  proxy->rand = g_rand_new_with_seed (seed);
  proxy->upstream_port = upstream_port;
  proxy->service = g_threaded_socket_service_new (64);
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &effective,
                                 &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (proxy->service, "run", G_CALLBACK (proxy_run_cb), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

static void
proxy_free (Proxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_object_unref (proxy->service);
  g_rand_free (proxy->rand);
  g_mutex_clear (&proxy->lock);
  g_free (proxy);
}

/* --- helpers ------------------------------------------------------------------------------- */

static char *
create_packet (CpTestClient *client,
               const char *uscc,
               const char *name)
{
  g_autoptr(CpPacket) packet = cp_test_make_packet (uscc, name);
  g_autoptr(GError) error = NULL;

  g_assert_true (cp_store_save_packet (client->store, packet, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (cp_packet_get_uuid (packet));
}

static void
set_string (CpTestClient *client,
            const char *uuid,
            const char *section,
            const char *field,
            const char *value)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;

  json_node_set_string (node, value);
  g_assert_true (cp_store_set_value (client->store, uuid, section, field, node, &error));
  g_assert_no_error (error);
}

/* Resolves every conflict on @client by taking the server's value (what a user might do); only
 * the shared field may ever conflict. Returns how many packets were resolved. */
static guint
resolve_conflicts (CpTestClient *client)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cp_store_list_packets (client->store, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      const CpPacketSummary *summary = g_ptr_array_index (list, i);
      g_autoptr(CpMergeResult) result = NULL;
      g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

      if (summary->sync_state != CP_STORE_SYNC_CONFLICT)
        continue;
      result = cp_sync_engine_load_conflict (client->engine, summary->uuid, &error);
      g_assert_no_error (error);
      for (guint j = 0; j < cp_merge_result_get_conflicts (result)->len; j++)
        {
          CpMergeConflict *c = g_ptr_array_index (cp_merge_result_get_conflicts (result), j);

          g_assert_cmpstr (c->path, ==, "/sections/shared/x");
          g_ptr_array_add (paths, g_strdup (c->path));
        }
      for (guint j = 0; j < paths->len; j++)
        {
          cp_merge_result_resolve (result, g_ptr_array_index (paths, j), CP_MERGE_THEIRS, NULL,
                                   &error);
          g_assert_no_error (error);
        }
      cp_sync_engine_resolve_conflict (client->engine, summary->uuid, result, &error);
      g_assert_no_error (error);
      n++;
    }
  return n;
}

static gboolean
try_sync (CpTestClient *client)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cp_test_client_sync (client, NULL, &error);

  if (!ok)
    g_assert_true (error->domain == CP_SYNC_ERROR &&
                   (error->code == CP_SYNC_ERROR_OFFLINE || error->code == CP_SYNC_ERROR_SERVER));
  resolve_conflicts (client);
  return ok;
}

/* Every packet the server has, as admin sees it: uuid → canonical body. */
static GHashTable *
server_packets (TestServer *server)
{
  g_autofree char *token = cp_test_login_token (server->base, "admin");
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GHashTable *packets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *changes;

  g_assert_cmpuint (cp_test_http (server->base, "GET", "/api/v1/changes?since=0&limit=1000", token,
                               NULL, NULL, &body), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  changes = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "changes");
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      const char *uuid = json_object_get_string_member (json_array_get_object_element (changes,
                                                                                      i),
                                                        "uuid");
      g_autofree char *path = g_strconcat ("/api/v1/packets/", uuid, NULL);
      g_autoptr(GBytes) packet = NULL;

      /* The feed lists each packet once. */
      g_assert_false (g_hash_table_contains (packets, uuid));
      g_assert_cmpuint (cp_test_http (server->base, "GET", path, token, NULL, NULL, &packet), ==,
                        200);
      g_hash_table_insert (packets, g_strdup (uuid),
                           g_strndup (g_bytes_get_data (packet, NULL), g_bytes_get_size (packet)));
    }
  return packets;
}

static void
assert_same_as_server (CpTestClient *client,
                       GHashTable *packets)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cp_store_list_packets (client->store, &error);
  GHashTableIter iter;
  gpointer key, value;

  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, g_hash_table_size (packets));
  g_hash_table_iter_init (&iter, packets);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(CpPacket) packet = cp_store_load_packet (client->store, key, &error);
      g_autofree char *body = NULL;
      CpStoreSyncState state;

      g_assert_no_error (error);
      body = cp_packet_to_data (packet, FALSE, NULL);
      g_assert_cmpstr (body, ==, value);
      g_assert_true (cp_store_get_sync_info (client->store, key, &state, NULL, NULL, &error));
      g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
    }
}

/* --- the fault rounds ---------------------------------------------------------------------- */

typedef struct
{
  char *uuid;
  char *a[4];  /* the last value A wrote to a/f0..3, or NULL */
  char *b[4];
  GPtrArray *blobs;  /* sha256 attached */
} Expected;

static void
expected_free (Expected *e)
{
  g_free (e->uuid);
  for (guint i = 0; i < 4; i++)
    {
      g_free (e->a[i]);
      g_free (e->b[i]);
    }
  g_ptr_array_unref (e->blobs);
  g_free (e);
}

static void
attach_blob (CpTestClient *client,
             Expected   *e,
             GRand      *rand)
{
  gsize size = (gsize) g_rand_int_range (rand, 1, 90 * 1024);
  guint8 *data = g_malloc (size);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *sha256 = NULL;

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  bytes = g_bytes_new_take (data, size);
  g_assert_true (cp_store_add_blob_from_bytes (client->store, bytes, &sha256, &error));
  packet = cp_store_load_packet (client->store, e->uuid, &error);
  g_assert_no_error (error);
  cp_packet_add_attachment (packet, "scan.pdf", sha256, size, "application/pdf");
  g_assert_true (cp_store_save_packet (client->store, packet, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_add (e->blobs, g_steal_pointer (&sha256));
}

static void
test_fault_rounds (void)
{
  TestServer *server = test_server_start ();
  const char *seed_text = g_getenv ("CP_FAULT_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10)
                                   : SEED_DEFAULT;
  const char *rounds_text = g_getenv ("CP_FAULT_ROUNDS");
  guint rounds = rounds_text != NULL ? (guint) g_ascii_strtoull (rounds_text, NULL, 10) : 500;
  Proxy *proxy = proxy_new (server->port, seed);
  g_autofree char *base = g_strdup_printf ("http://127.0.0.1:%u", proxy->port);
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed + 1);
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func ((GDestroyNotify) expected_free);
  g_autoptr(GHashTable) on_server = NULL;
  CpTestClient *a = cp_test_client_new (NULL, base, "ent-1", NULL);
  CpTestClient *b = cp_test_client_new (NULL, base, "agency-a", NULL);
  guint ok_syncs = 0, failed_syncs = 0;
  gint64 start = g_get_monotonic_time ();

  g_test_message ("seed %u, %u rounds", seed, rounds);
  cp_sync_engine_set_chunk_size (a->engine, 16 * 1024);
  cp_sync_engine_set_chunk_size (b->engine, 16 * 1024);
  g_atomic_int_set (&proxy->enabled, 1);

  for (guint round = 0; round < rounds; round++)
    {
      Expected *e;
      g_autofree char *value_a = g_strdup_printf ("a%u", round);
      g_autofree char *value_b = g_strdup_printf ("b%u", round);

      if (packets->len == 0 || g_rand_int_range (rand, 0, 100) < 4)
        {
          CpTestClient *creator = g_rand_boolean (rand) ? a : b;

          e = g_new0 (Expected, 1);
          e->uuid = create_packet (creator, server->uscc, "Round");
          e->blobs = g_ptr_array_new_with_free_func (g_free);
          g_ptr_array_add (packets, e);
          /* The other side can only edit it once it pulled it. */
          ok_syncs += try_sync (creator);
        }

      /* A edits its fields, B its own; sometimes both the shared one. */
      e = g_ptr_array_index (packets, g_rand_int_range (rand, 0, (gint32) packets->len));
      if (cp_store_has_packet (a->store, e->uuid) && g_rand_int_range (rand, 0, 100) < 70)
        {
          guint k = (guint) g_rand_int_range (rand, 0, 4);

          set_string (a, e->uuid, "a", (const char[]) { 'f', (char) ('0' + k), 0 }, value_a);
          g_free (e->a[k]);
          e->a[k] = g_strdup (value_a);
          if (g_rand_int_range (rand, 0, 100) < 5)
            attach_blob (a, e, rand);
        }
      e = g_ptr_array_index (packets, g_rand_int_range (rand, 0, (gint32) packets->len));
      if (cp_store_has_packet (b->store, e->uuid) && g_rand_int_range (rand, 0, 100) < 70)
        {
          guint k = (guint) g_rand_int_range (rand, 0, 4);

          set_string (b, e->uuid, "b", (const char[]) { 'f', (char) ('0' + k), 0 }, value_b);
          g_free (e->b[k]);
          e->b[k] = g_strdup (value_b);
          if (g_rand_int_range (rand, 0, 100) < 5)
            attach_blob (b, e, rand);
        }
      if (g_rand_int_range (rand, 0, 100) < 6 && cp_store_has_packet (a->store, e->uuid) &&
          cp_store_has_packet (b->store, e->uuid))
        {
          set_string (a, e->uuid, "shared", "x", value_a);
          set_string (b, e->uuid, "shared", "x", value_b);
        }

      if (try_sync (a))
        ok_syncs++;
      else
        failed_syncs++;
      if (try_sync (b))
        ok_syncs++;
      else
        failed_syncs++;
    }

  g_test_message ("%u rounds in %.1f s: %u syncs completed, %u gave up; connections: %u clean, "
                  "%u request cut, %u response cut, %u delayed, %u answered 503", rounds,
                  (g_get_monotonic_time () - start) / 1e6, ok_syncs, failed_syncs,
                  proxy->counts[FAULT_NONE], proxy->counts[FAULT_CUT_REQUEST],
                  proxy->counts[FAULT_CUT_RESPONSE], proxy->counts[FAULT_DELAY],
                  proxy->counts[FAULT_UNAVAILABLE]);
  g_assert_cmpuint (proxy->counts[FAULT_CUT_REQUEST] + proxy->counts[FAULT_CUT_RESPONSE], >, 0);

  /* The network heals: clean syncs converge. */
  g_atomic_int_set (&proxy->enabled, 0);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_true (try_sync (a));
      g_assert_true (try_sync (b));
    }
  g_assert_true (try_sync (a));

  on_server = server_packets (server);
  g_assert_cmpuint (g_hash_table_size (on_server), ==, packets->len);
  assert_same_as_server (a, on_server);
  assert_same_as_server (b, on_server);

  /* Nothing lost: every side's last write of its own fields is there, with every file. */
  for (guint i = 0; i < packets->len; i++)
    {
      Expected *e = g_ptr_array_index (packets, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(CpPacket) packet = cp_packet_new_from_data (g_hash_table_lookup (on_server,
                                                                                e->uuid),
                                                            -1, "server", &error);

      g_assert_no_error (error);
      for (guint k = 0; k < 4; k++)
        {
          char field[3] = { 'f', (char) ('0' + k), 0 };

          g_assert_cmpstr (cp_packet_get_string (packet, "a", field), ==, e->a[k]);
          g_assert_cmpstr (cp_packet_get_string (packet, "b", field), ==, e->b[k]);
        }
      for (guint j = 0; j < e->blobs->len; j++)
        {
          const char *sha256 = g_ptr_array_index (e->blobs, j);
          g_autofree char *path = g_strdup_printf ("/api/v1/blobs/%s/status", sha256);
          g_autofree char *token = cp_test_login_token (server->base, "admin");
          g_autoptr(GBytes) status = NULL;

          g_assert_nonnull (cp_packet_find_attachment (packet, sha256));
          g_assert_cmpuint (cp_test_http (server->base, "GET", path, token, NULL, NULL, &status),
                            ==, 200);
          g_assert_nonnull (g_strstr_len (g_bytes_get_data (status, NULL),
                                          (gssize) g_bytes_get_size (status),
                                          "\"complete\":true"));
        }
    }

  cp_test_client_free (a);
  cp_test_client_free (b);
  proxy_free (proxy);
  test_server_stop (server);
}

/* --- SIGKILL during sync ------------------------------------------------------------------- */

typedef struct
{
  GSubprocess *process;
  gint64       deadline;
} Kill;

/* SIGKILL at a random moment, whatever the runner is doing then. */
static gpointer
kill_at_deadline (gpointer data)
{
  Kill *kill = data;
  gint64 now = g_get_monotonic_time ();

  if (kill->deadline > now)
    g_usleep ((gulong) (kill->deadline - now));
  g_subprocess_force_exit (kill->process);
  return NULL;
}

static void
test_kill_during_sync (void)
{
  TestServer *server = test_server_start ();
  g_autofree char *runner = g_getenv ("CP_SYNC_RUNNER") != NULL
                            ? g_strdup (g_getenv ("CP_SYNC_RUNNER"))
                            : g_test_build_filename (G_TEST_BUILT, "sync-runner", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) acknowledged = g_hash_table_new_full (g_direct_hash, g_direct_equal,
                                                              NULL, g_free);
  g_autoptr(GRand) rand = g_rand_new_with_seed (SEED_DEFAULT);
  g_autoptr(GHashTable) on_server = NULL;
  g_autofree char *store_dir = g_dir_make_tmp ("cp-runner-store-XXXXXX", &error);
  guint next = 1;
  CpTestClient *check;

  g_assert_no_error (error);
  for (guint run = 0; run < 25; run++)
    {
      g_autofree char *first = g_strdup_printf ("%u", next);
      g_autoptr(GSubprocessLauncher) launcher = NULL;
      g_autoptr(GSubprocess) process = NULL;
      g_autoptr(GDataInputStream) out = NULL;
      gint64 deadline = g_get_monotonic_time () + g_rand_int_range (rand, 50, 700) * 1000;
      GThread *killer;

      launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
      g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
      process = g_subprocess_launcher_spawn (launcher, &error, runner, store_dir, server->base,
                                             "ent-1", server->uscc, first, NULL);
      g_assert_no_error (error);
      out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
      killer = g_thread_new ("killer", kill_at_deadline, &(Kill) { process, deadline });
      for (;;)
        {
          g_autofree char *line = NULL;
          guint64 n = 0;
          char uuid[40] = { 0 };

          /* Lines arrive after each committed edit; a blocked read ends at the kill below. */
          line = g_data_input_stream_read_line (out, NULL, NULL, NULL);
          if (line == NULL)
            break;
          g_assert_cmpint (sscanf (line, "E %" G_GUINT64_FORMAT " %36s", &n, uuid), ==, 2);
          g_hash_table_insert (acknowledged, GUINT_TO_POINTER ((guint) n), g_strdup (uuid));
          next = (guint) n + 1;
        }
      g_thread_join (killer);
      g_subprocess_wait (process, NULL, NULL);
      g_assert_true (g_subprocess_get_if_signaled (process));
      /* An edit may have committed after its line was last read: the next run starts past it. */
      next += 1;
    }
  g_test_message ("%u acknowledged edits over 25 killed runs",
                  g_hash_table_size (acknowledged));
  g_assert_cmpuint (g_hash_table_size (acknowledged), >, 25);

  /* A clean sync on the same store converges. */
  check = g_new0 (CpTestClient, 1);
  check->dir = g_steal_pointer (&store_dir);
  check->store = cp_store_new (check->dir, &error);
  g_assert_no_error (error);
  check->client = cp_sync_client_new (server->base, &error);
  check->engine = cp_sync_engine_new (check->store, check->client);
  g_assert_true (cp_test_client_login (check, "ent-1", NULL, &error));
  g_assert_true (cp_test_client_sync (check, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cp_test_client_sync (check, NULL, &error));

  on_server = server_packets (server);
  assert_same_as_server (check, on_server);
  {
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init (&iter, acknowledged);
    while (g_hash_table_iter_next (&iter, &key, &value))
      {
        g_autofree char *field = g_strdup_printf ("\"e%u\":%u", GPOINTER_TO_UINT (key),
                                                  GPOINTER_TO_UINT (key));
        const char *body = g_hash_table_lookup (on_server, value);

        g_assert_nonnull (body);
        if (strstr (body, field) == NULL)
          g_error ("edit %s of %s is not on the server", field, (char *) value);
      }
  }

  cp_test_client_free (check);
  test_server_stop (server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync-faults/fault-rounds", test_fault_rounds);
  g_test_add_func ("/sync-faults/kill-during-sync", test_kill_during_sync);

  return g_test_run ();
}
