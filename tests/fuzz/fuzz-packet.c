/* fuzz-packet.c — the packet reader: whatever it accepts, its canonical form reads back as the
 * same packet (parse → canonical write → parse again gives the same canonical text)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp-packet.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpPacket) again = NULL;
  g_autoptr(CpPacket) copy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *verified = NULL;
  gsize first_length = 0;
  gsize second_length = 0;

  fuzz_init ();
  packet = cp_packet_new_from_data ((const char *) data, (gssize) size, "fuzz", &error);
  if (packet == NULL)
    {
      /* Every refusal says why. */
      if (error == NULL || error->message == NULL)
        abort ();
      return 0;
    }

  first = cp_packet_to_data (packet, FALSE, &first_length);
  again = cp_packet_new_from_data (first, (gssize) first_length, "canonical", &error);
  if (again == NULL)
    fuzz_fail ("the canonical form does not read back", first, error);
  second = cp_packet_to_data (again, FALSE, &second_length);
  if (second_length != first_length || memcmp (first, second, first_length) != 0)
    fuzz_fail ("the canonical form changes when read back", second, NULL);

  verified = cp_packet_to_verified_data (packet, NULL, &error);
  if (verified == NULL || strcmp (verified, first) != 0)
    fuzz_fail ("cp_packet_to_verified_data disagrees", first, error);

  /* The pretty form and the in-memory copy are the same packet too. */
  pretty = cp_packet_to_data (packet, TRUE, NULL);
  g_clear_object (&again);
  again = cp_packet_new_from_data (pretty, -1, "pretty", &error);
  if (again == NULL)
    fuzz_fail ("the pretty form does not read back", pretty, error);
  g_free (second);
  second = cp_packet_to_data (again, FALSE, NULL);
  if (strcmp (first, second) != 0)
    fuzz_fail ("the pretty form reads back as another packet", second, NULL);
  copy = cp_packet_copy (packet);
  g_free (second);
  second = cp_packet_to_data (copy, FALSE, NULL);
  if (strcmp (first, second) != 0)
    fuzz_fail ("cp_packet_copy gives another packet", second, NULL);
  return 0;
}
