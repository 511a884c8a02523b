/* cp-make-demo-store.c — fills a store folder with sample packets for screenshots, the
 * end-to-end test and the benchmarks
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: cp-make-demo-store FOLDER [COUNT]
 * Packets cycle through the kinds; every third one has its last sections cleared and every
 * fifth one is an earlier campaign year, so that lists show a realistic mix.
 */
#include "config.h"

#include <stdlib.h>

#include "cp-demo.h"
#include "cp-store.h"
#include "cp-template-registry.h"
#include "cp-validator.h"

static void
clear_sections (CpTemplate *tmpl,
                CpPacket   *packet,
                guint       n_last)
{
  GPtrArray *sections = cp_template_get_sections (tmpl);
  guint cleared = 0;

  for (guint i = sections->len; i > 0 && cleared < n_last; i--)
    {
      const CpSection *section = g_ptr_array_index (sections, i - 1);

      if (section->generated || section->fields->len == 0 ||
          g_str_equal (section->id, "cover"))
        continue;
      for (guint j = 0; j < section->fields->len; j++)
        cp_packet_set_value (packet, section->id,
                             ((const CpField *) g_ptr_array_index (section->fields, j))->id, NULL);
      cleared++;
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(GPtrArray) kinds = NULL;
  guint count;

  if (argc < 2)
    {
      g_printerr ("Usage: %s FOLDER [COUNT]\n", argv[0]);
      return 2;
    }
  count = argc > 2 ? (guint) strtoul (argv[2], NULL, 10) : 8;

  registry = cp_template_registry_new_default (&error);
  if (registry == NULL)
    {
      g_printerr ("Cannot load the templates: %s\n", error->message);
      return 1;
    }
  store = cp_store_new (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("Cannot open the store in %s: %s\n", argv[1], error->message);
      return 1;
    }
  kinds = cp_template_registry_list_kinds (registry);

  for (guint i = 0; i < count; i++)
    {
      CpTemplate *tmpl = g_ptr_array_index (kinds, i % kinds->len);
      g_autoptr(CpPacket) packet = NULL;
      int year = cp_template_get_year (tmpl) - (i % 5 == 4 ? 1 : 0);

      packet = cp_demo_packet_for_year (registry, cp_template_get_id (tmpl), year, i + 1);
      if (packet == NULL)
        {
          g_printerr ("No sample data for %s\n", cp_template_get_id (tmpl));
          return 1;
        }
      if (i % 3 == 1)
        clear_sections (tmpl, packet, 1 + i % 4);
      {
        g_autoptr(GPtrArray) findings = cp_validator_validate (registry, packet, NULL, NULL);

        cp_packet_set_state (packet, findings != NULL && cp_validator_is_ready (findings)
                                     ? CP_PACKET_STATE_READY : CP_PACKET_STATE_DRAFT);
      }
      if (!cp_store_save_packet (store, packet, NULL, &error))
        {
          g_printerr ("Cannot save packet %u: %s\n", i + 1, error->message);
          return 1;
        }
    }
  g_print ("%u packets in %s\n", count, argv[1]);
  return 0;
}
