/* first-frame.c — credit-packet under a stopwatch: it prints "frame RSS_KB" on stdout at the
 * first painted frame of its window and quits
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: first-frame frame|list [credit-packet's arguments]
 * "frame": the first frame the window paints; "list": the first frame after the packet list
 * was read and shown. bench-app.c times it from spawn to that line, next to a bare window
 * (bare-window.c, the same protocol). The application's code is the same as credit-packet's
 * (main.c); only these hooks, which the application itself does not carry, are added.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-application.h"
#include "cp-window.h"
#include "cp-window-private.h"

static gboolean list_mode;

static long
read_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "VmRSS:");
  return line != NULL ? strtol (line + 6, NULL, 10) : -1;
}

static void
after_paint_cb (GdkFrameClock *clock,
                GtkWindow     *window)
{
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, window);
  g_print ("frame %ld\n", read_rss_kb ());
  fflush (stdout);
  g_application_quit (G_APPLICATION (gtk_window_get_application (window)));
}

static void
watch_next_frame (GtkWindow *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (window)), "after-paint",
                    G_CALLBACK (after_paint_cb), window);
  gtk_widget_queue_draw (GTK_WIDGET (window));
}

static void
packets_changed_cb (GListModel *model,
                    guint       position,
                    guint       removed,
                    guint       added,
                    GtkWindow  *window)
{
  if (g_list_model_get_n_items (model) == 0)
    return;
  g_signal_handlers_disconnect_by_func (model, packets_changed_cb, window);
  watch_next_frame (window);
}

static void
window_realized_cb (GtkWindow *window)
{
  GListModel *packets = cp_window_get_visible_packets (CP_WINDOW (window));

  /* The list is read in a thread: it comes after the window. */
  if (list_mode && g_list_model_get_n_items (packets) == 0)
    g_signal_connect (packets, "items-changed", G_CALLBACK (packets_changed_cb), window);
  else
    watch_next_frame (window);
}

static void
window_added_cb (GtkApplication *app,
                 GtkWindow      *window)
{
  if (CP_IS_WINDOW (window))
    g_signal_connect (window, "realize", G_CALLBACK (window_realized_cb), NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CpApplication) app = NULL;

  if (argc < 2 || (g_strcmp0 (argv[1], "frame") != 0 && g_strcmp0 (argv[1], "list") != 0))
    {
      g_printerr ("Usage: %s frame|list [credit-packet's arguments]\n", argv[0]);
      return 2;
    }
  list_mode = g_str_equal (argv[1], "list");
  argv[1] = argv[0];

  setlocale (LC_ALL, "");
  cp_application_init_i18n ();

  app = cp_application_new ();
  g_signal_connect (app, "window-added", G_CALLBACK (window_added_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc - 1, argv + 1);
}
