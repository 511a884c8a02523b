/* bench-client.c — the sync engine against the real server on 127.0.0.1
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints: the initial push and the initial pull of N packets (default 10,000; CP_BENCH_PACKETS),
 * each beside its floor from the same run, on a second server started the same way (the push:
 * the same packets PUT by eight threads on keep-alive connections of their own, the way the
 * engine sends them, with no store; the pull: those pages of the changes feed with the bodies,
 * read and parsed, with no store), a sync with nothing changed (time and number of requests), and the upload of a 200 MB
 * attachment (CP_BENCH_BLOB_MB) by the engine next to curl sending the same bytes to the same
 * server in the same run.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <stdlib.h>

#include "client-fixture.h"

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *text = g_getenv (name);

  return text != NULL ? (guint) g_ascii_strtoull (text, NULL, 10) : fallback;
}

static CpPacket *
make_packet (const char *uscc,
             guint       i)
{
  g_autofree char *name = g_strdup_printf ("Enterprise %u", i);
  CpPacket *packet = cp_test_make_packet (uscc, name);

  /* About 2 KB of values, like a packet in progress. */
  for (guint f = 0; f < 30; f++)
    {
      g_autofree char *field = g_strdup_printf ("f%02u", f);
      g_autofree char *value = g_strdup_printf ("value %u of packet %u, written in the bench", f,
                                                i);

      cp_packet_set_string (packet, f < 15 ? "survey" : "finance", field, value);
    }
  return packet;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

/* The floor of the push: N packets like the engine's (new UUIDs), each PUT with If-None-Match by
 * PUSH_SENDERS threads on keep-alive sessions of their own, nothing read or written locally. */
typedef struct
{
  const char *base;
  const char *token;
  GPtrArray  *bodies;  /* of GBytes, the canonical JSON */
  GPtrArray  *uuids;
  gint        next;    /* atomic */
} FloorPush;

static gpointer
floor_push_thread (gpointer data)
{
  FloorPush *floor = data;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *authorization = g_strdup_printf ("Bearer %s", floor->token);
  guint i;

  while ((i = (guint) g_atomic_int_add (&floor->next, 1)) < floor->bodies->len)
    {
      g_autofree char *url = g_strdup_printf ("%s/api/v1/packets/%s", floor->base,
                                              (const char *) g_ptr_array_index (floor->uuids, i));
      g_autoptr(SoupMessage) msg = soup_message_new ("PUT", url);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(GError) error = NULL;
      SoupMessageHeaders *headers = soup_message_get_request_headers (msg);

      soup_message_headers_append (headers, "Authorization", authorization);
      soup_message_headers_append (headers, "If-None-Match", "*");
      soup_message_set_request_body_from_bytes (msg, "application/json",
                                                g_ptr_array_index (floor->bodies, i));
      reply = soup_session_send_and_read (session, msg, NULL, &error);
      if (reply == NULL)
        g_error ("floor PUT: %s", error->message);
      if (soup_message_get_status (msg) != 201 && soup_message_get_status (msg) != 200)
        g_error ("floor PUT: status %u", soup_message_get_status (msg));
    }
  return NULL;
}

static double
floor_push (TestServer *server,
            guint       n_packets)
{
  g_autofree char *token = cp_test_login_token (server->base, "ent-1");
  FloorPush floor = { server->base, token,
                      g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref),
                      g_ptr_array_new_with_free_func (g_free), 0 };
  GThread *threads[8];
  gint64 start;

  for (guint i = 0; i < n_packets; i++)
    {
      g_autoptr(CpPacket) packet = make_packet (server->uscc, i);
      gsize length = 0;
      char *body = cp_packet_to_data (packet, FALSE, &length);

      g_ptr_array_add (floor.bodies, g_bytes_new_take (body, length));
      g_ptr_array_add (floor.uuids, g_strdup (cp_packet_get_uuid (packet)));
    }
  start = g_get_monotonic_time ();
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    threads[t] = g_thread_new ("floor-push", floor_push_thread, &floor);
  for (guint t = 0; t < G_N_ELEMENTS (threads); t++)
    g_thread_join (threads[t]);
  g_ptr_array_unref (floor.bodies);
  g_ptr_array_unref (floor.uuids);
  return seconds_since (start);
}

/* The floor of the pull: the pages of the changes feed with the bodies, as the engine asks for
 * them, read and parsed until @n_packets changes came, nothing written locally. */
static double
floor_pull (TestServer *server,
            guint       n_packets)
{
  g_autofree char *token = cp_test_login_token (server->base, "agency-a");
  g_autofree char *cursor = g_strdup ("0");
  guint seen = 0;
  gint64 start = g_get_monotonic_time ();

  while (seen < n_packets)
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/changes?since=%s&limit=1000&bodies=1",
                                               cursor);
      g_autoptr(GBytes) reply = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *object;
      guint n;

      g_assert_cmpuint (cp_test_http (server->base, "GET", path, token, NULL, NULL, &reply),
                        ==, 200);
      if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                       (gssize) g_bytes_get_size (reply), NULL))
        g_error ("floor pull: not JSON");
      object = json_node_get_object (json_parser_get_root (parser));
      n = json_array_get_length (json_object_get_array_member (object, "changes"));
      if (n == 0)
        g_error ("floor pull: the feed ended after %u changes", seen);
      seen += n;
      g_free (cursor);
      cursor = g_strdup (json_object_get_string_member (object, "next"));
    }
  return seconds_since (start);
}

/* Waits as long as the sync takes: the tests' helper gives up after 60 s, which a push of
 * 10,000 packets on a loaded machine can take. */
static void
must_sync (CpTestClient  *client,
           CpSyncStats *stats)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  cp_sync_engine_sync_async (client->engine, NULL, cp_test_async_done_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  if (!cp_sync_engine_sync_finish (client->engine, result, stats, &error))
    g_error ("sync failed: %s", error->message);
}

int
main (int   argc,
      char *argv[])
{
  guint n_packets = env_uint ("CP_BENCH_PACKETS", 10000);
  guint blob_mb = env_uint ("CP_BENCH_BLOB_MB", 200);
  guint chunk_mb = env_uint ("CP_BENCH_CHUNK_MB", 0);
  TestServer *server;
  CpTestClient *writer;
  CpTestClient *reader;
  CpSyncStats stats;
  gint64 start;
  double push_s, pull_s, floor_push_s, floor_pull_s;
  g_autoptr(GError) error = NULL;

  g_setenv ("G_MESSAGES_DEBUG", "", TRUE);
  server = test_server_start ();

  /* 1. N packets: pushed by one client, pulled by a fresh one. */
  writer = cp_test_client_new (NULL, server->base, "ent-1", NULL);
  for (guint i = 0; i < n_packets; i++)
    {
      g_autoptr(CpPacket) packet = make_packet (server->uscc, i);

      if (!cp_store_save_packet (writer->store, packet, NULL, &error))
        g_error ("%s", error->message);
    }
  start = g_get_monotonic_time ();
  must_sync (writer, &stats);
  push_s = seconds_since (start);
  g_assert_cmpuint (stats.pushed, ==, n_packets);
  printf ("initial push of %u packets: %.2f s (%.0f packets/s), %u requests\n", n_packets,
          push_s, n_packets / push_s, stats.requests);
  fflush (stdout);

  reader = cp_test_client_new (NULL, server->base, "agency-a", NULL);
  start = g_get_monotonic_time ();
  must_sync (reader, &stats);
  pull_s = seconds_since (start);
  g_assert_cmpuint (stats.pulled, ==, n_packets);
  printf ("initial pull of %u packets: %.2f s (%.0f packets/s), %u requests\n", n_packets,
          pull_s, n_packets / pull_s, stats.requests);
  fflush (stdout);

  /* The floors, on a server of their own started the same way: the same pushed, then pulled. */
  {
    TestServer *floor_server = test_server_start ();

    floor_push_s = floor_push (floor_server, n_packets);
    floor_pull_s = floor_pull (floor_server, n_packets);
    test_server_stop (floor_server);
  }
  printf ("floor, push: the same %u packets PUT by 8 threads, no store: %.2f s (%.0f packets/s); "
          "engine/floor %.2f\n", n_packets, floor_push_s, n_packets / floor_push_s,
          push_s / floor_push_s);
  printf ("floor, pull: the same pages of the feed read and parsed, no store: %.2f s "
          "(%.0f packets/s); engine/floor %.2f\n", floor_pull_s, n_packets / floor_pull_s,
          pull_s / floor_pull_s);
  fflush (stdout);

  /* 2. Nothing changed. */
  {
    double best = G_MAXDOUBLE;

    for (guint i = 0; i < 20; i++)
      {
        start = g_get_monotonic_time ();
        must_sync (reader, &stats);
        best = MIN (best, seconds_since (start));
        g_assert_cmpuint (stats.requests, ==, 1);
      }
    printf ("sync with nothing changed (%u packets in the store): %u request, best of 20 "
            "%.2f ms\n", n_packets, stats.requests, best * 1000);
  }

  /* 3. A large attachment: curl and the engine, same bytes, same server. */
  if (blob_mb > 0)
    {
      g_autofree char *path = g_build_filename (writer->dir, "big.bin", NULL);
      g_autofree char *sha256 = NULL;
      g_autofree char *token = cp_test_login_token (server->base, "agency-a");
      g_autofree char *command = NULL;
      g_autofree char *curl_out = NULL;
      g_autoptr(GFile) file = NULL;
      g_autoptr(CpPacket) packet = NULL;
      guint64 size = (guint64) blob_mb * 1000 * 1000;
      guint64 blob_size = 0;
      double curl_s, engine_s;
      int status = 0;
      FILE *out;

      out = fopen (path, "wb");
      g_assert_nonnull (out);
      {
        GRand *rand = g_rand_new_with_seed (7);
        guint32 buffer[16384];

        for (guint64 written = 0; written < size; written += sizeof buffer)
          {
            for (guint i = 0; i < G_N_ELEMENTS (buffer); i++)
              buffer[i] = g_rand_int (rand);
            fwrite (buffer, 1, MIN (sizeof buffer, size - written), out);
          }
        g_rand_free (rand);
      }
      fclose (out);
      file = g_file_new_for_path (path);
      if (!cp_store_add_blob_from_file (writer->store, file, &sha256, &blob_size, NULL, &error))
        g_error ("%s", error->message);

      /* curl, as another user, so that the engine's user still lacks the blob. */
      command = g_strdup_printf ("curl -s -o /dev/null -w '%%{time_total}' -T '%s' "
                                 "-H 'Authorization: Bearer %s' "
                                 "-H 'Content-Type: application/octet-stream' "
                                 "%s/api/v1/blobs/%s", path, token, server->base, sha256);
      start = g_get_monotonic_time ();
      if (!g_spawn_command_line_sync (command, &curl_out, NULL, &status, &error) ||
          !g_spawn_check_wait_status (status, &error))
        g_error ("curl: %s", error ? error->message : "failed");
      curl_s = seconds_since (start);

      packet = make_packet (server->uscc, n_packets);
      cp_packet_add_attachment (packet, "big.bin", sha256, blob_size, "application/pdf");
      if (!cp_store_save_packet (writer->store, packet, NULL, &error))
        g_error ("%s", error->message);
      if (chunk_mb > 0)
        cp_sync_engine_set_chunk_size (writer->engine, (gsize) chunk_mb * 1024 * 1024);
      start = g_get_monotonic_time ();
      must_sync (writer, &stats);
      engine_s = seconds_since (start);
      g_assert_cmpuint (stats.blobs_uploaded, ==, 1);
      g_assert_cmpuint (stats.bytes_uploaded, ==, blob_size);
      printf ("upload of %u MB: curl (one PUT) %.2f s = %.0f MB/s; engine (%u MiB chunks, "
              "%u requests in the sync) %.2f s = %.0f MB/s; engine/curl time %.2f\n", blob_mb,
              curl_s, blob_mb / curl_s, chunk_mb > 0 ? chunk_mb : 8, stats.requests, engine_s,
              blob_mb / engine_s, engine_s / curl_s);
      g_unlink (path);
    }

  cp_test_client_free (reader);
  cp_test_client_free (writer);
  test_server_stop (server);
  return 0;
}
