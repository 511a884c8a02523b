/* sync-runner.c — edits a store and syncs it in a loop until it is killed
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: sync-runner STORE_DIR BASE_URL USER USCC FIRST_EDIT
 * Prints "E N UUID" once edit N (the field log/eN = N of packet UUID) is committed to the store,
 * then syncs; every 20th edit goes into a new packet. test-sync-faults kills it with SIGKILL at
 * random moments and checks that a clean sync afterwards brings every acknowledged edit to the
 * server.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cp-store.h"
#include "cp-sync-engine.h"

static GAsyncResult *result;

static void
done_cb (GObject      *object,
         GAsyncResult *res,
         gpointer      user_data)
{
  result = g_object_ref (res);
}

static void
wait_result (void)
{
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
}

static char *
new_packet (CpStore    *store,
            const char *uscc)
{
  g_autoptr(CpPacket) packet = cp_packet_new ("city-demonstration", "2020.1");
  g_autoptr(GError) error = NULL;

  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "enterprise_name", "Runner");
  cp_packet_set_string (packet, "cover", "uscc", uscc);
  if (!cp_store_save_packet (store, packet, NULL, &error))
    g_error ("save: %s", error->message);
  return g_strdup (cp_packet_get_uuid (packet));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpSyncClient) client = NULL;
  g_autoptr(CpSyncEngine) engine = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonNode) me = NULL;
  g_autofree char *password = NULL;
  g_autofree char *uuid = NULL;
  guint64 n;

  if (argc != 6)
    {
      g_printerr ("usage: sync-runner STORE_DIR BASE_URL USER USCC FIRST_EDIT\n");
      return 2;
    }
  n = g_ascii_strtoull (argv[5], NULL, 10);

  store = cp_store_new (argv[1], &error);
  if (store == NULL)
    g_error ("store: %s", error->message);
  client = cp_sync_client_new (argv[2], &error);
  if (client == NULL)
    g_error ("client: %s", error->message);
  cp_sync_client_set_retry_policy (client, 8, 5, 100);
  engine = cp_sync_engine_new (store, client);

  password = g_strdup_printf ("password-%s", argv[3]);
  cp_sync_client_login_async (client, argv[3], password, NULL, done_cb, NULL);
  wait_result ();
  me = cp_sync_client_login_finish (client, result, &error);
  g_clear_object (&result);
  if (me == NULL)
    g_error ("login: %s", error->message);

  list = cp_store_list_packets (store, &error);
  if (list == NULL)
    g_error ("list: %s", error->message);
  if (list->len > 0)
    uuid = g_strdup (((CpPacketSummary *) g_ptr_array_index (list, 0))->uuid);
  else
    uuid = new_packet (store, argv[4]);

  for (;; n++)
    {
      g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
      g_autofree char *field = g_strdup_printf ("e%" G_GUINT64_FORMAT, n);

      if (n % 20 == 0)
        {
          g_free (uuid);
          uuid = new_packet (store, argv[4]);
        }
      json_node_set_int (value, (gint64) n);
      if (!cp_store_set_value (store, uuid, "log", field, value, &error))
        g_error ("edit: %s", error->message);
      printf ("E %" G_GUINT64_FORMAT " %s\n", n, uuid);
      fflush (stdout);

      cp_sync_engine_sync_async (engine, NULL, done_cb, NULL);
      wait_result ();
      if (!cp_sync_engine_sync_finish (engine, result, NULL, &error))
        {
          g_printerr ("sync-runner: %s\n", error->message);
          g_clear_error (&error);
        }
      g_clear_object (&result);
    }
  return 0;
}
