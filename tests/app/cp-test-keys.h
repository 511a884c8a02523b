/* cp-test-keys.h — real key presses for the application's tests (xdotool under Xvfb)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Runs the main loop until @cond holds or @secs seconds pass. */
#define CP_TEST_WAIT_FOR_SECS(cond, secs) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (secs) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END

/* Starts openbox on the display (xdotool needs a window manager to give windows the focus);
 * FALSE when xdotool or openbox is missing. */
gboolean  cp_test_keys_start_wm  (void);
void      cp_test_keys_stop_wm   (void);
/* Runs the main loop for @ms milliseconds. */
void      cp_test_spin           (guint       ms);
/* Runs xdotool with the arguments (NULL-terminated) while the main loop runs. */
void      cp_test_xdotool        (const char *first,
                                  ...) G_GNUC_NULL_TERMINATED;
#define cp_test_press(...) cp_test_xdotool ("key", "--delay", "80", __VA_ARGS__, NULL)
#define cp_test_type(text) cp_test_xdotool ("type", "--delay", "40", text, NULL)
/* Gives @window the keyboard focus of the X server, as clicking on it would. */
void      cp_test_activate       (GtkWindow  *window);
/* The visible toplevel of @type shown last, or NULL. */
gpointer  cp_test_find_toplevel  (GType       type);
/* In a GtkFileChooserDialog titled @title: the whole @path typed into the name, Enter. */
void      cp_test_choose_file    (const char *title,
                                  const char *path);

G_END_DECLS
