/* bench-export.c — how long the printable binder of a complete packet takes
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Exports a complete city-demonstration packet (cp_validator_demo_packet) to a temporary folder
 * N times (default 20, or the first argument) and prints the first run, the median and the
 * maximum of the others, the page count and the file size. Target: under 1 s.
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "cp-demo.h"
#include "cp-export.h"
#include "cp-template-registry.h"

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *pdf = NULL;
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
  int runs = argc > 1 ? atoi (argv[1]) : 20;
  double first = 0;
  GStatBuf st;

  setlocale (LC_ALL, "");

  if (runs < 2)
    runs = 2;

  registry = cp_template_registry_new_default (&error);
  if (registry == NULL)
    g_error ("Could not load the templates: %s", error->message);
  packet = cp_validator_demo_packet (registry, "city-demonstration", 1);
  if (packet == NULL)
    g_error ("Could not make a demonstration packet");

  dir = g_dir_make_tmp ("bench-export-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  pdf = g_build_filename (dir, "binder.pdf", NULL);

  for (int i = 0; i < runs; i++)
    {
      gint64 start = g_get_monotonic_time ();
      double seconds;

      if (!cp_export_pdf (registry, packet, pdf, NULL, &error))
        g_error ("Export failed: %s", error->message);
      seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
      if (i == 0)
        first = seconds;
      else
        g_array_append_val (times, seconds);
    }

  g_array_sort (times, compare_doubles);
  if (g_stat (pdf, &st) != 0)
    g_error ("The binder is missing");

  g_print ("bench-export: city-demonstration binder, %d runs\n", runs);
  g_print ("  first run (cold fonts):  %.1f ms\n", first * 1000);
  g_print ("  median of the others:    %.1f ms\n",
           g_array_index (times, double, times->len / 2) * 1000);
  g_print ("  max of the others:       %.1f ms\n",
           g_array_index (times, double, times->len - 1) * 1000);
  g_print ("  file size:               %.1f KiB\n", st.st_size / 1024.0);
  g_print ("  target:                  < 1000 ms\n");

  g_unlink (pdf);
  g_rmdir (dir);
  return 0;
}
