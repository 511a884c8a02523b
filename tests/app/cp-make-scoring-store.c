/* cp-make-scoring-store.c — a store with one packet whose scoring sheet is still empty, for the
 * typing test and the scoring-sheet screenshots
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: cp-make-scoring-store FOLDER [KIND]
 *   Writes a complete sample packet of KIND (city-demonstration by default) with every score
 *   removed, and prints its UUID followed by the scoring sheet's items, one "ID MAX" per line,
 *   in the order the sheet shows them (a sheet's additions and deductions are left out).
 * Usage: cp-make-scoring-store --scores FOLDER UUID
 *   Reads the packet through the store (its last revision with the edit journal replayed) and
 *   prints "ID SELF ACCEPTANCE" for every item that has a score, "-" for a missing column.
 */
#include "config.h"

#include "cp-demo.h"
#include "cp-store.h"
#include "cp-template-registry.h"

static int
print_scores (const char *folder,
              const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = cp_store_new (folder, &error);
  g_autoptr(CpPacket) packet = NULL;
  GHashTableIter iter;
  const char *id;
  const CpItemScore *score;

  if (store == NULL || (packet = cp_store_load_packet (store, uuid, &error)) == NULL)
    {
      g_printerr ("Cannot read %s in %s: %s\n", uuid, folder, error->message);
      return 1;
    }
  g_hash_table_iter_init (&iter, cp_packet_get_scores (packet));
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, (gpointer *) &score))
    {
      char self[G_ASCII_DTOSTR_BUF_SIZE] = "-";
      char acceptance[G_ASCII_DTOSTR_BUF_SIZE] = "-";

      if (!score->has_self && !score->has_acceptance)
        continue;
      if (score->has_self)
        g_ascii_formatd (self, sizeof self, "%g", score->self);
      if (score->has_acceptance)
        g_ascii_formatd (acceptance, sizeof acceptance, "%g", score->acceptance);
      g_print ("%s %s %s\n", id, self, acceptance);
    }
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  const char *kind = argc > 2 ? argv[2] : "city-demonstration";
  CpScoringSheet *sheet;
  GPtrArray *items;
  GHashTableIter iter;
  const char *id;

  if (argc == 4 && g_str_equal (argv[1], "--scores"))
    return print_scores (argv[2], argv[3]);
  if (argc < 2)
    {
      g_printerr ("Usage: %s FOLDER [KIND] | --scores FOLDER UUID\n", argv[0]);
      return 2;
    }
  registry = cp_template_registry_new_default (&error);
  if (registry == NULL)
    {
      g_printerr ("Cannot load the templates: %s\n", error->message);
      return 1;
    }
  packet = cp_demo_packet (registry, kind, 7);
  if (packet == NULL || cp_packet_get_sheet_id (packet) == NULL)
    {
      g_printerr ("No scored sample packet of the kind %s\n", kind);
      return 1;
    }
  sheet = cp_template_registry_lookup_sheet (registry, cp_packet_get_sheet_id (packet));
  if (sheet == NULL)
    {
      g_printerr ("No scoring sheet %s\n", cp_packet_get_sheet_id (packet));
      return 1;
    }

  ids = g_ptr_array_new_with_free_func (g_free);
  g_hash_table_iter_init (&iter, cp_packet_get_scores (packet));
  while (g_hash_table_iter_next (&iter, (gpointer *) &id, NULL))
    g_ptr_array_add (ids, g_strdup (id));
  for (guint i = 0; i < ids->len; i++)
    {
      cp_packet_unset_score (packet, g_ptr_array_index (ids, i), CP_SCORE_SELF);
      cp_packet_unset_score (packet, g_ptr_array_index (ids, i), CP_SCORE_ACCEPTANCE);
    }
  cp_packet_set_state (packet, CP_PACKET_STATE_DRAFT);

  store = cp_store_new (argv[1], &error);
  if (store == NULL || !cp_store_save_packet (store, packet, NULL, &error))
    {
      g_printerr ("Cannot write the store in %s: %s\n", argv[1], error->message);
      return 1;
    }

  g_print ("%s\n", cp_packet_get_uuid (packet));
  items = cp_scoring_sheet_get_items (sheet);
  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_print ("%s %s\n", item->id, g_ascii_formatd (buf, sizeof buf, "%g", item->points));
    }
  return 0;
}
