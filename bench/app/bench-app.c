/* bench-app.c — launch → first frame of credit-packet next to a bare AdwApplicationWindow in
 * the same run, and the memory with 10,000 packets in the list
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage (needs a display; the numbers are for GSK_RENDERER=cairo):
 *   xvfb-run -a dbus-run-session -- bench-app BARE_WINDOW FIRST_FRAME MAKE_DEMO_STORE [RUNS]
 * FIRST_FRAME is credit-packet with the stopwatch hooks (first-frame.c). Each program prints
 * "frame RSS_KB" at its first painted frame and quits; the time is taken here, from spawn to
 * that line, so it includes exec, linking and start-up.
 */
#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

typedef struct
{
  double ms;
  long   rss_kb;
} Sample;

static gboolean
run_once (char  **argv,
          char  **envp,
          Sample *out)
{
  g_autoptr(GError) error = NULL;
  GPid pid;
  int out_fd;
  gint64 start;
  FILE *stream;
  char line[128] = "";
  int status;

  start = g_get_monotonic_time ();
  if (!g_spawn_async_with_pipes (NULL, argv, envp, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                 NULL, &out_fd, NULL, &error))
    {
      g_printerr ("Cannot start %s: %s\n", argv[0], error->message);
      return FALSE;
    }
  stream = fdopen (out_fd, "r");
  while (fgets (line, sizeof line, stream) != NULL && !g_str_has_prefix (line, "frame "))
    ;
  out->ms = (g_get_monotonic_time () - start) / 1000.0;
  out->rss_kb = g_str_has_prefix (line, "frame ") ? strtol (line + 6, NULL, 10) : -1;
  fclose (stream);
  waitpid (pid, &status, 0);
  g_spawn_close_pid (pid);
  if (out->rss_kb < 0)
    {
      g_printerr ("%s did not report a frame\n", argv[0]);
      return FALSE;
    }
  return TRUE;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_double);
  return g_array_index (values, double, values->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *tmp = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *big = NULL;
  g_auto(GStrv) envp = NULL;
  g_autoptr(GError) error = NULL;
  int runs = argc > 4 ? atoi (argv[4]) : 7;
  const char *names[] = { "bare AdwApplicationWindow", "credit-packet, empty store",
                          "credit-packet, 10,000 packets", "  … until the list is shown" };
  GArray *times[4], *rss[4];
  gint64 t0;

  if (argc < 4)
    {
      g_printerr ("Usage: %s BARE_WINDOW FIRST_FRAME MAKE_DEMO_STORE [RUNS]\n", argv[0]);
      return 2;
    }
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("bench-app needs a display: run it under xvfb-run -a dbus-run-session\n");
      return 0;
    }

  tmp = g_dir_make_tmp ("cp-bench-app-XXXXXX", &error);
  g_assert_no_error (error);
  empty = g_build_filename (tmp, "empty", NULL);
  big = g_build_filename (tmp, "big", NULL);

  t0 = g_get_monotonic_time ();
  {
    char *make_argv[] = { argv[3], big, (char *) "10000", NULL };
    int status;

    if (!g_spawn_sync (NULL, make_argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                       &status, &error) || !g_spawn_check_wait_status (status, &error))
      {
        g_printerr ("Cannot make the sample store: %s\n", error->message);
        return 1;
      }
  }
  g_print ("# 10,000 sample packets written in %.1f s\n",
           (g_get_monotonic_time () - t0) / 1e6);

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, "GSK_RENDERER", "cairo", FALSE);
  envp = g_environ_setenv (envp, "GSETTINGS_BACKEND", "memory", TRUE);
  envp = g_environ_unsetenv (envp, "G_DEBUG");

  for (guint k = 0; k < 4; k++)
    {
      times[k] = g_array_new (FALSE, FALSE, sizeof (double));
      rss[k] = g_array_new (FALSE, FALSE, sizeof (double));
    }

  /* One warm-up round (font and shader caches), then alternate the three. */
  for (int i = -1; i < runs; i++)
    for (guint k = 0; k < 4; k++)
      {
        char *bare_argv[] = { argv[1], NULL };
        char *empty_argv[] = { argv[2], (char *) "frame", (char *) "--data-dir", empty, NULL };
        char *big_argv[] = { argv[2], (char *) "frame", (char *) "--data-dir", big, NULL };
        char *list_argv[] = { argv[2], (char *) "list", (char *) "--data-dir", big, NULL };
        char **which[] = { bare_argv, empty_argv, big_argv, list_argv };
        Sample s;
        double kb;

        if (!run_once (which[k], envp, &s))
          return 1;
        if (i < 0)
          continue;
        kb = s.rss_kb;
        g_array_append_val (times[k], s.ms);
        g_array_append_val (rss[k], kb);
      }

  g_print ("# launch → first frame, median of %d runs (GSK_RENDERER=cairo)\n", runs);
  for (guint k = 0; k < 4; k++)
    g_print ("%-32s %7.1f ms   RSS %6.1f MB\n", names[k], median (times[k]),
             median (rss[k]) / 1024.0);
  g_print ("ratio credit-packet / bare window:  %.2f (empty store), %.2f (10,000 packets)\n",
           median (times[1]) / median (times[0]), median (times[2]) / median (times[0]));
  g_print ("RSS with 10,000 packets in the list: %.1f MB (bare window %.1f MB)\n",
           median (rss[3]) / 1024.0, median (rss[0]) / 1024.0);

  {
    g_autofree char *quoted = g_shell_quote (tmp);
    g_autofree char *cmd = g_strdup_printf ("rm -rf %s", quoted);

    if (system (cmd) != 0)
      g_printerr ("Could not remove %s\n", tmp);
  }
  return 0;
}
