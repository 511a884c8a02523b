/* cp-test-keys.c — real key presses for the application's tests (xdotool under Xvfb)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-test-keys.h"

#include <gdk/x11/gdkx.h>
#include <signal.h>

static GPid wm_pid;

gboolean
cp_test_keys_start_wm (void)
{
  g_autoptr(GError) error = NULL;
  char *argv[] = { (char *) "openbox", NULL };

  if (g_find_program_in_path ("xdotool") == NULL || g_find_program_in_path ("openbox") == NULL)
    return FALSE;
  if (!g_spawn_async (NULL, argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                      G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
                      &wm_pid, &error))
    g_error ("openbox: %s", error->message);
  g_usleep (300 * 1000);
  return TRUE;
}

void
cp_test_keys_stop_wm (void)
{
  if (wm_pid == 0)
    return;
  kill (wm_pid, SIGTERM);
  g_spawn_close_pid (wm_pid);
  wm_pid = 0;
}

void
cp_test_spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

static void
subprocess_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  *(gboolean *) user_data = TRUE;
}

void
cp_test_xdotool (const char *first,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  gboolean done = FALSE;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (args, first);
  for (arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_newv ((const char * const *) argv->pdata, G_SUBPROCESS_FLAGS_NONE,
                               &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (process, NULL, subprocess_done_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (g_subprocess_get_successful (process));
  cp_test_spin (100);
}

void
cp_test_activate (GtkWindow *window)
{
  GdkSurface *surface;
  g_autofree char *xid = NULL;

  CP_TEST_WAIT_FOR_SECS (gtk_widget_get_mapped (GTK_WIDGET (window)), 10);
  surface = gtk_native_get_surface (GTK_NATIVE (window));
  g_assert_true (GDK_IS_X11_SURFACE (surface));
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (surface));
  cp_test_xdotool ("windowactivate", "--sync", xid, NULL);
  CP_TEST_WAIT_FOR_SECS (gtk_window_is_active (window), 10);
  g_assert_true (gtk_window_is_active (window));
}

gpointer
cp_test_find_toplevel (GType type)
{
  gpointer found = NULL;
  GList *list = gtk_window_list_toplevels ();

  for (GList *l = list; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (list);
  return found;
}

void
cp_test_choose_file (const char *title,
                     const char *path)
{
  GtkWindow *chooser;

  CP_TEST_WAIT_FOR_SECS (cp_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL, 20);
  chooser = cp_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  g_assert_cmpstr (gtk_window_get_title (chooser), ==, title);
  cp_test_activate (chooser);
  cp_test_press ("ctrl+a");
  cp_test_type (path);
  cp_test_press ("Return");
  CP_TEST_WAIT_FOR_SECS (cp_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL, 20);
  g_assert_null (cp_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
}
