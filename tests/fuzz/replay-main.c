/* replay-main.c — runs a fuzz target over its corpus without libFuzzer
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: fuzz-NAME-replay DIR-OR-FILE…  Feeds every file (folders are read one level deep) to
 * LLVMFuzzerTestOneInput and prints a TAP line per folder. A finding aborts the process.
 */
#include "config.h"

#include <glib.h>
#include <stdio.h>

#include "fuzz-common.h"

static guint
replay_file (const char *path)
{
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return 1;
}

int
main (int   argc,
      char *argv[])
{
  guint total = 0;

  printf ("1..%d\n", argc - 1);
  for (int i = 1; i < argc; i++)
    {
      guint n = 0;

      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, NULL);
          const char *name;

          while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
            {
              g_autofree char *path = g_build_filename (argv[i], name, NULL);

              if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
                n += replay_file (path);
            }
        }
      else
        n = replay_file (argv[i]);
      printf ("ok %d - %s: %u inputs\n", i, argv[i], n);
      total += n;
    }
  printf ("# %u inputs replayed\n", total);
  return 0;
}
