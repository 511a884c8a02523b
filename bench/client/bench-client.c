/* bench-client.c — the sync engine against the real server on 127.0.0.1
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Prints: the initial push and the initial pull of N packets (default 10,000; CP_BENCH_PACKETS),
 * a sync with nothing changed (time and number of requests), and the upload of a 200 MB
 * attachment (CP_BENCH_BLOB_MB) by the engine next to curl sending the same bytes to the same
 * server in the same run.
 */
#include "config.h"

#include <glib/gstdio.h>
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
  double push_s, pull_s;
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

  reader = cp_test_client_new (NULL, server->base, "agency-a", NULL);
  start = g_get_monotonic_time ();
  must_sync (reader, &stats);
  pull_s = seconds_since (start);
  g_assert_cmpuint (stats.pulled, ==, n_packets);
  printf ("initial pull of %u packets: %.2f s (%.0f packets/s), %u requests\n", n_packets,
          pull_s, n_packets / pull_s, stats.requests);

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
