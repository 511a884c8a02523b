/* store-writer.c — the child of the store crash test
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: store-writer DIRECTORY
 *
 * Opens the store in DIRECTORY, creates the test packet if it is missing, finds the highest edit
 * number already stored and continues from there: edit N sets crash/f<N mod 50> to "value-<N>".
 * It prints "READY <next>" once open, then "ACK <N>" after each edit the store acknowledged,
 * and every 100 edits folds the journal into a saved revision. It runs until it is killed
 * (or for two minutes at most).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cp-store.h"

#define PACKET_UUID "5a0c2d3e-1b4f-4c6a-9e8d-7f6a5b4c3d2e"
#define N_FIELDS 50

static const char *packet_json =
  "{\"format\": 1, \"uuid\": \"" PACKET_UUID "\", \"kind\": \"crash-test\","
  " \"template_version\": \"1\", \"year\": 2020, \"state\": \"draft\","
  " \"created\": \"2020-01-01T00:00:00Z\", \"modified\": \"2020-01-01T00:00:00Z\","
  " \"sections\": {\"cover\": {\"enterprise_name\": \"Crash Test Ltd\"}}}";

static void G_GNUC_NORETURN
die (const char *what,
     GError     *error)
{
  fprintf (stderr, "store-writer: %s: %s\n", what, error ? error->message : "failed");
  exit (1);
}

/* One line on stdout, flushed at once so that the parent sees it before any kill. */
static void
say (const char *word,
     guint64     n)
{
  if (printf ("%s %" G_GUINT64_FORMAT "\n", word, n) < 0 || fflush (stdout) != 0)
    exit (2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) packet = NULL;
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  guint64 next = 0;

  if (argc != 2)
    {
      fprintf (stderr, "Usage: store-writer DIRECTORY\n");
      return 1;
    }

  store = cp_store_new (argv[1], &error);
  if (store == NULL)
    die ("open", error);

  if (!cp_store_has_packet (store, PACKET_UUID))
    {
      g_autoptr(CpPacket) fresh = cp_packet_new_from_data (packet_json, -1, "writer", &error);

      if (fresh == NULL)
        die ("packet", error);
      if (!cp_store_save_packet (store, fresh, NULL, &error))
        die ("create", error);
    }

  packet = cp_store_load_packet (store, PACKET_UUID, &error);
  if (packet == NULL)
    die ("load", error);

  /* Continue after the highest edit stored (acknowledged or not). */
  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *field = g_strdup_printf ("f%u", i);
      const char *value = cp_packet_get_string (packet, "crash", field);
      guint64 n;

      if (value == NULL)
        continue;
      if (!g_str_has_prefix (value, "value-") ||
          !g_ascii_string_to_unsigned (value + 6, 10, 0, G_MAXUINT64, &n, NULL) ||
          n % N_FIELDS != i)
        {
          fprintf (stderr, "store-writer: field %s holds “%s”\n", field, value);
          return 1;
        }
      next = MAX (next, n + 1);
    }
  g_clear_object (&packet);

  say ("READY", next);

  for (guint64 n = next; g_get_monotonic_time () < deadline; n++)
    {
      g_autofree char *field = g_strdup_printf ("f%u", (guint) (n % N_FIELDS));
      g_autofree char *text = g_strdup_printf ("value-%" G_GUINT64_FORMAT, n);
      g_autoptr(JsonNode) value = json_node_init_string (json_node_alloc (), text);

      if (!cp_store_set_value (store, PACKET_UUID, "crash", field, value, &error))
        die ("edit", error);
      say ("ACK", n);

      /* Compaction: a kill may also land in the middle of a save. */
      if (n % 100 == 99)
        {
          packet = cp_store_load_packet (store, PACKET_UUID, &error);
          if (packet == NULL)
            die ("load", error);
          if (!cp_store_save_packet (store, packet, NULL, &error))
            die ("save", error);
          g_clear_object (&packet);
        }
    }

  return 0;
}
