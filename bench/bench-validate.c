/* bench-validate.c — complete packets validated per second, per kind, on one core
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each kind's complete demo packet (a filled scoring sheet where the kind has one: 69 items of
 * the Jiangsu 1000-point sheet) is validated in a loop for about two seconds; the figure is
 * the packets per second of one thread. A second figure adds parsing the packet from its JSON,
 * what the server does for every submission. Prints figures, never fails on them.
 */
#include "config.h"

#include <string.h>

#include "cp-date.h"
#include "cp-demo.h"
#include "cp-packet.h"
#include "cp-template.h"
#include "cp-template-registry.h"
#include "cp-validator.h"

#define N_PACKETS 32
#define TARGET_PER_SECOND 20000.0

static double
run_validate (CpTemplateRegistry  *registry,
              CpPacket           **packets,
              const GDate         *today,
              double               seconds,
              guint64             *n_done)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 n = 0;

  while (g_get_monotonic_time () < deadline)
    {
      for (guint i = 0; i < N_PACKETS; i++)
        {
          g_autoptr(GPtrArray) findings = cp_validator_validate (registry, packets[i], today, NULL);

          g_assert (findings != NULL);
          if (!cp_validator_is_ready (findings))
            g_error ("demo packet %u of %s is not complete", i, cp_packet_get_kind (packets[i]));
        }
      n += N_PACKETS;
    }

  *n_done = n;
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

static double
run_parse_validate (CpTemplateRegistry  *registry,
                    char               **texts,
                    const GDate         *today,
                    double               seconds,
                    guint64             *n_done)
{
  gint64 start = g_get_monotonic_time ();
  gint64 deadline = start + (gint64) (seconds * G_USEC_PER_SEC);
  guint64 n = 0;

  while (g_get_monotonic_time () < deadline)
    {
      for (guint i = 0; i < N_PACKETS; i++)
        {
          g_autoptr(CpPacket) packet = cp_packet_new_from_data (texts[i], -1, "bench", NULL);
          g_autoptr(GPtrArray) findings = NULL;

          g_assert (packet != NULL);
          findings = cp_validator_validate (registry, packet, today, NULL);
          g_assert (findings != NULL && cp_validator_is_ready (findings));
        }
      n += N_PACKETS;
    }

  *n_done = n;
  return (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GError) error = NULL;
  double seconds = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 2.0;
  GDate today;

  if (seconds <= 0)
    seconds = 2.0;

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  kinds = cp_template_registry_list_kinds (registry);

  g_print ("bench-validate: complete packets validated per second, one thread, %.1f s per "
           "figure (target >= %.0f/s)\n", seconds, TARGET_PER_SECOND);
  g_print ("%-28s %6s %6s %12s %10s %14s\n", "kind", "items", "bytes", "validate/s", "us each",
           "parse+valid/s");

  for (guint k = 0; k < kinds->len; k++)
    {
      CpTemplate *tpl = g_ptr_array_index (kinds, k);
      const char *kind = cp_template_get_id (tpl);
      CpPacket *packets[N_PACKETS];
      char *texts[N_PACKETS];
      guint64 n_validated = 0, n_parsed = 0;
      double t_validate, t_parse;
      gsize bytes = 0;

      for (guint i = 0; i < N_PACKETS; i++)
        {
          packets[i] = cp_demo_packet (registry, kind, i + 1);
          texts[i] = cp_packet_to_data (packets[i], FALSE, NULL);
          bytes += strlen (texts[i]);
        }

      /* Submission date inside the campaign: the demo packets carry their own. */
      cp_date_today (&today);

      t_validate = run_validate (registry, packets, &today, seconds, &n_validated);
      t_parse = run_parse_validate (registry, texts, &today, seconds, &n_parsed);

      g_print ("%-28s %6u %6zu %12.0f %10.1f %14.0f\n", kind,
               g_hash_table_size (cp_packet_get_scores (packets[0])), bytes / N_PACKETS,
               n_validated / t_validate, t_validate * 1e6 / n_validated, n_parsed / t_parse);

      for (guint i = 0; i < N_PACKETS; i++)
        {
          g_object_unref (packets[i]);
          g_free (texts[i]);
        }
    }

  return 0;
}
