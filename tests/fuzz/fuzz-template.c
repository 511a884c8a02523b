/* fuzz-template.c — the packet-kind template loader
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "cp-packet.h"
#include "cp-template.h"
#include "cp-validator.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CpTemplate) template = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  template = cp_template_new_from_data ((const char *) data, (gssize) size, "fuzz", &error);
  if (template == NULL)
    {
      if (error == NULL || error->message == NULL)
        abort ();
      return 0;
    }

  /* A template that loads answers questions about itself. */
  if (cp_template_get_id (template) == NULL || cp_template_get_version (template) == NULL)
    fuzz_fail ("a loaded template has no id or version", NULL, NULL);
  {
    GPtrArray *sections = cp_template_get_sections (template);

    for (guint i = 0; sections != NULL && i < sections->len; i++)
      {
        const CpSection *section = g_ptr_array_index (sections, i);

        if (cp_template_lookup_section (template, section->id) != section)
          fuzz_fail ("a section cannot be found by its id", section->id, NULL);
      }
  }

  /* Templates come from the server too: the validator must cope with any that loads. */
  {
    g_autoptr(CpPacket) packet = cp_packet_new (cp_template_get_id (template),
                                                cp_template_get_version (template));
    g_autoptr(GPtrArray) findings = NULL;
    GDate today;

    g_date_clear (&today, 1);
    g_date_set_dmy (&today, 1, G_DATE_MARCH, 2020);
    findings = cp_validator_validate_with_template (template, NULL, packet, &today);
    if (findings == NULL)
      fuzz_fail ("the validator gave no findings list", NULL, NULL);
  }
  return 0;
}
