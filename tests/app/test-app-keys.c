/* test-app-keys.c — the application driven by real key presses (xdotool under Xvfb)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every key goes through the X server: xdotool presses it while the main loop runs, GDK reads it
 * like any other key event. openbox runs beside (xdotool needs a window manager to give the
 * window the focus). A real credit-packet-server on loopback serves the keys that need one
 * (Sync now, the district progress).
 *
 * The shortcuts are those of the shortcuts window (resources/gtk/help-overlay.ui), read from the
 * resource: a shortcut listed there without a test here fails.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <gtk/gtkunixprint.h>
#include <signal.h>
#include <string.h>

#include "cp-application.h"
#include "cp-completeness-page.h"
#include "cp-completeness-page-private.h"
#include "cp-demo.h"
#include "cp-export-dialog.h"
#include "cp-field-chooser.h"
#include "cp-group-field-editor.h"
#include "cp-login-dialog.h"
#include "cp-new-packet-dialog.h"
#include "cp-packet-item.h"
#include "cp-packet-view.h"
#include "cp-progress-page.h"
#include "cp-progress-page-private.h"
#include "cp-role.h"
#include "cp-scoring-page.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-signature-field-editor.h"
#include "cp-test-app.h"
#include "cp-test-keys.h"
#include "cp-text-field-editor.h"
#include "cp-window.h"
#include "cp-window-private.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char          *dir;
  char          *server_dir;
  char          *config;
  char          *base;
  GSubprocess   *server;
  CpApplication *app;
  CpWindow      *window;
  char          *uuid;       /* the packet the shortcuts are tried on */
  gboolean       quit;       /* Ctrl+Q ended the application */
} Fixture;

typedef enum
{
  IN_FIELD,    /* the focus in a text field of the page */
  IN_HEADER,   /* the focus on a button of the header bar */
} Where;

#define WAIT_FOR_SECS(cond, secs) CP_TEST_WAIT_FOR_SECS (cond, secs)
#define WAIT_FOR(cond) WAIT_FOR_SECS (cond, 10)

/* Types @text at the speed of a user who checks each character. */
#define type(text) cp_test_xdotool ("type", "--delay", "80", text, NULL)

/* A GTK accelerator ("<Control><Shift>p") as xdotool names it ("ctrl+shift+p"). */
static char *
xdotool_keys (const char *accel)
{
  GdkModifierType mods = 0;
  guint keyval = 0;
  GString *keys = g_string_new (NULL);

  g_assert_true (gtk_accelerator_parse (accel, &keyval, &mods));
  if (mods & GDK_CONTROL_MASK)
    g_string_append (keys, "ctrl+");
  if (mods & GDK_SHIFT_MASK)
    g_string_append (keys, "shift+");
  if (mods & GDK_ALT_MASK)
    g_string_append (keys, "alt+");
  g_string_append (keys, gdk_keyval_name (keyval));
  return g_string_free (keys, FALSE);
}

static GtkWidget *
find_descendant (GtkWidget *widget,
                 GType      type,
                 gboolean   focusable)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (!gtk_widget_get_visible (child))
        continue;
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type) &&
          (!focusable || (gtk_widget_get_focusable (child) && gtk_widget_is_sensitive (child))))
        return child;
      if ((found = find_descendant (child, type, focusable)) != NULL)
        return found;
    }
  return NULL;
}

static GtkWidget *
focus_widget (Fixture *f)
{
  return gtk_root_get_focus (GTK_ROOT (f->window));
}

/* Whether the focus is @widget or inside it (an entry's text). */
static gboolean
focus_is (Fixture   *f,
          GtkWidget *widget)
{
  GtkWidget *focus = focus_widget (f);

  return focus != NULL && (focus == widget || gtk_widget_is_ancestor (focus, widget));
}

static CpPacketView *
get_view (Fixture *f)
{
  return CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
}

static CpStore *
store_of (Fixture *f)
{
  return cp_application_get_store (f->app, NULL);
}

/* Logs in through the dialog with real keys: the dialog opens with the focus in its first
 * empty entry (the user name: the address comes from the application's --server). */
static void
log_in_by_keys (Fixture    *f,
                const char *user)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpLoginDialog *dialog;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  cp_test_activate (GTK_WINDOW (dialog));
  type (user);
  cp_test_press ("Tab");
  type (PASSWORD);
  cp_test_press ("Return");
  /* A session of an earlier test kept in the keyring for the same loopback port may be
   * restored first: wait for this login's user. */
  WAIT_FOR_SECS (cp_sync_manager_is_logged_in (sync) &&
                 g_strcmp0 (cp_sync_manager_get_user (sync), user) == 0 &&
                 cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING, 30);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpstr (cp_sync_manager_get_user (sync), ==, user);
  if (cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    {
      /* No keyring answered: the dialog stays open to say so. */
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  cp_test_activate (GTK_WINDOW (f->window));
}

static void
start_app (Fixture *f)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "app", NULL);

  f->app = cp_test_app_start (data_dir, f->base, &f->window);
  f->quit = FALSE;
  cp_test_activate (GTK_WINDOW (f->window));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cp-app-keys-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  g_file_set_contents (f->config, "[server]\nlog-requests=false\n"
                       "[login]\nmax-failures=1000\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  /* The city office: it may sync and see the district progress. */
  cp_test_server_admin (f->server_dir, f->config, PASSWORD "\n", "user", "add", "city",
                        "--role", "office", "--district", "suzhou", NULL);
  f->server = cp_test_server_start (f->server_dir, f->config, &f->base);
  start_app (f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->quit)
    g_clear_object (&f->app);
  else
    cp_test_app_stop (&f->app, &f->window);
  cp_test_server_stop (&f->server);
  cp_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_dir);
  g_free (f->config);
  g_free (f->base);
  g_free (f->uuid);
}

/* The packet view on @page of the test packet, with the focus where @where says. */
static void
show_page (Fixture    *f,
           const char *page,
           Where       where)
{
  CpPacketView *view = get_view (f);
  g_autoptr(GError) error = NULL;
  GtkWidget *target = NULL;

  if (f->uuid == NULL)
    {
      g_autofree char *uscc = cp_demo_uscc ("320508", 41);

      f->uuid = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                                   "苏州快捷键测试有限公司", uscc, &error));
      g_assert_no_error (error);
      /* The keys are tried as the city office, which writes none of a 2020.2 application's
       * fields or scores (issue 11; /keys/owned-fields tries those): the packet is of the
       * 2020.1 format, whose parts every party writes. */
      {
        g_autoptr(CpPacket) made = cp_store_load_packet (store_of (f), f->uuid, &error);
        g_autofree char *json = cp_packet_to_data (made, FALSE, NULL);
        g_autoptr(GString) text = g_string_new (json);
        g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                                   cp_packet_get_template_version (made));
        g_autoptr(CpPacket) legacy = NULL;

        g_assert_cmpuint (g_string_replace (text, newest, "\"template_version\":\"2020.1\"",
                                            1), ==, 1);
        legacy = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
        g_assert_no_error (error);
        g_assert_true (cp_store_save_packet (store_of (f), legacy, NULL, &error));
        g_assert_no_error (error);
        g_assert_true (cp_window_open_packet (f->window, f->uuid, page, &error));
        g_assert_no_error (error);
      }
    }
  if (g_strcmp0 (cp_packet_view_get_uuid (view), f->uuid) != 0)
    g_assert_true (cp_window_open_packet (f->window, f->uuid, page, &error));
  g_assert_true (cp_packet_view_set_page (view, page));
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, page);

  if (where == IN_HEADER)
    target = find_descendant (find_descendant (GTK_WIDGET (view), ADW_TYPE_HEADER_BAR, FALSE),
                              GTK_TYPE_BUTTON, TRUE);
  else
    {
      GtkWidget *widget = cp_packet_view_get_page_widget (view, page);

      if (CP_IS_SECTION_PAGE (widget))
        target = find_descendant (widget, GTK_TYPE_TEXT, TRUE);
      else if (CP_IS_SCORING_PAGE (widget))
        {
          g_assert_true (cp_scoring_page_focus_item (CP_SCORING_PAGE (widget), "1.1.2",
                                                     CP_SCORE_ACCEPTANCE));
          target = focus_widget (f);
        }
      else
        target = find_descendant (widget, GTK_TYPE_BUTTON, TRUE);
    }
  g_assert_nonnull (target);
  gtk_widget_grab_focus (target);
  g_assert_true (focus_is (f, target));
  if (where == IN_FIELD && !CP_IS_COMPLETENESS_PAGE (cp_packet_view_get_page_widget (view, page)))
    g_assert_true (GTK_IS_TEXT (focus_widget (f)));
}

static const char *
second_page (Fixture *f)
{
  g_autoptr(GPtrArray) pages = cp_packet_view_get_pages (get_view (f));

  return g_intern_string (g_ptr_array_index (pages, 1));
}

/* The checks, one per shortcut title of the shortcuts window, and what they share. */

typedef void (*KeyCheck) (Fixture    *f,
                          Where       where,
                          const char *keys);

static guint n_deleted (Fixture *f);
static void focus_row (Fixture *f, const char *name);

/* On the cover with the focus where @where says, @keys open a window of @type within @secs
 * seconds; it is returned. */
static gpointer
press_for_window (Fixture    *f,
                  Where       where,
                  const char *keys,
                  GType       type,
                  guint       secs)
{
  gpointer window;

  show_page (f, "cover", where);
  cp_test_press (keys);
  WAIT_FOR_SECS (cp_test_find_toplevel (type) != NULL, secs);
  window = cp_test_find_toplevel (type);
  g_assert_nonnull (window);
  return window;
}

/* Closes @window (the focus out of it first, so no handler runs on a dying entry) and gives
 * the main window the keyboard again. */
static void
destroy_window (Fixture   *f,
                GtkWindow *window)
{
  gtk_window_set_focus (window, NULL);
  gtk_window_destroy (window);
  cp_test_activate (GTK_WINDOW (f->window));
}

/* Cancels the GtkDialog of @type that is up (a file chooser, the print dialog) and waits until
 * it is gone. */
static void
cancel_dialog (GType type)
{
  gtk_dialog_response (GTK_DIALOG (cp_test_find_toplevel (type)), GTK_RESPONSE_CANCEL);
  WAIT_FOR (cp_test_find_toplevel (type) == NULL);
  g_assert_null (cp_test_find_toplevel (type));
}

static gboolean
page_is (Fixture    *f,
         const char *page)
{
  return g_strcmp0 (cp_packet_view_get_page (get_view (f)), page) == 0;
}

/* From page @from, @keys lead to page @to; NULL for either is the packet's second page (known
 * once the packet is open). */
static void
expect_page (Fixture    *f,
             Where       where,
             const char *keys,
             const char *from,
             const char *to)
{
  show_page (f, from != NULL ? from : "cover", where);
  if (from == NULL)
    show_page (f, second_page (f), where);
  if (to == NULL)
    to = second_page (f);
  cp_test_press (keys);
  WAIT_FOR (page_is (f, to));
  g_assert_cmpstr (cp_packet_view_get_page (get_view (f)), ==, to);
}

/* The shortcuts are tried logged in as the city office, which makes no packets: the key opens
 * nothing. (/keys/typing-lands makes a packet with it, logged out.) */
static void
check_new_packet (Fixture *f, Where where, const char *keys)
{
  show_page (f, "cover", where);
  cp_test_press (keys);
  cp_test_spin (500);
  g_assert_null (cp_test_find_toplevel (CP_TYPE_NEW_PACKET_DIALOG));
}

static gboolean
search_has_focus (Fixture *f)
{
  GtkWidget *focus = focus_widget (f);

  return focus != NULL && gtk_widget_get_ancestor (focus, GTK_TYPE_SEARCH_ENTRY) != NULL;
}

static void
check_search (Fixture *f, Where where, const char *keys)
{
  show_page (f, "cover", where);
  cp_test_press (keys);
  WAIT_FOR (search_has_focus (f));
  g_assert_true (search_has_focus (f));
}

static gboolean
synced_since (CpSyncManager *sync,
              GDateTime     *before)
{
  g_autoptr(GDateTime) last = NULL;

  g_object_get (sync, "last-sync", &last, NULL);
  return last != NULL && (before == NULL || g_date_time_compare (last, before) > 0) &&
         cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING;
}

static void
check_sync (Fixture *f, Where where, const char *keys)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  g_autoptr(GDateTime) before = NULL;

  show_page (f, "cover", where);
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_object_get (sync, "last-sync", &before, NULL);
  cp_test_spin (1100);   /* the next sync's time must differ */
  cp_test_press (keys);
  WAIT_FOR_SECS (synced_since (sync, before), 30);
  g_assert_true (synced_since (sync, before));
}

static void
check_back_to_list (Fixture *f, Where where, const char *keys)
{
  show_page (f, "cover", where);
  cp_test_press (keys);
  WAIT_FOR (cp_packet_view_get_uuid (get_view (f)) == NULL);
  g_assert_null (cp_packet_view_get_uuid (get_view (f)));
}

/* Ctrl+E: the export dialog (whole binder or form pages), which Escape closes. */
static void
check_export (Fixture *f, Where where, const char *keys)
{
  cp_test_activate (press_for_window (f, where, keys, CP_TYPE_EXPORT_DIALOG, 10));
  cp_test_press ("Escape");
  WAIT_FOR (cp_test_find_toplevel (CP_TYPE_EXPORT_DIALOG) == NULL);
  g_assert_null (cp_test_find_toplevel (CP_TYPE_EXPORT_DIALOG));
  cp_test_activate (GTK_WINDOW (f->window));
}

/* Ctrl+P: the print dialog, once the binder's pages are laid out. */
static void
check_print (Fixture *f, Where where, const char *keys)
{
  press_for_window (f, where, keys, GTK_TYPE_PRINT_UNIX_DIALOG, 30);
  cancel_dialog (GTK_TYPE_PRINT_UNIX_DIALOG);
  cp_test_activate (GTK_WINDOW (f->window));
}

static void
check_import (Fixture *f, Where where, const char *keys)
{
  GtkWindow *chooser = press_for_window (f, where, keys, GTK_TYPE_FILE_CHOOSER_DIALOG, 10);

  g_assert_cmpstr (gtk_window_get_title (chooser), ==, "Import Packets");
  cancel_dialog (GTK_TYPE_FILE_CHOOSER_DIALOG);
  cp_test_activate (GTK_WINDOW (f->window));
}

static void
check_next_step (Fixture *f, Where where, const char *keys)
{
  expect_page (f, where, keys, "cover", NULL);
}

static void
check_previous_step (Fixture *f, Where where, const char *keys)
{
  expect_page (f, where, keys, NULL, "cover");
}

static void
check_completeness (Fixture *f, Where where, const char *keys)
{
  expect_page (f, where, keys, "cover", CP_PAGE_COMPLETENESS);
}

static void
check_scoring (Fixture *f, Where where, const char *keys)
{
  expect_page (f, where, keys, "cover", CP_PAGE_SCORING);
}

static CpScoringPage *
get_sheet (Fixture *f)
{
  return CP_SCORING_PAGE (cp_packet_view_get_page_widget (get_view (f), CP_PAGE_SCORING));
}

static gboolean
stored_score_is (Fixture    *f,
                 const char *item,
                 double      value)
{
  g_autoptr(CpPacket) packet = cp_store_load_packet (store_of (f), f->uuid, NULL);
  const CpItemScore *score = packet != NULL ? cp_packet_get_score (packet, item) : NULL;

  return score != NULL && score->has_acceptance && score->acceptance == value;
}

static gboolean
focus_item_is (Fixture    *f,
               const char *item)
{
  return g_strcmp0 (cp_scoring_page_get_focus_item (get_sheet (f)), item) == 0;
}

/* A score typed on 1.1.2, then @keys: the score is stored and the focus is on item @to. Keys
 * of the sheet's score cells only: nothing to try from the header bar. */
static void
expect_score_moves (Fixture    *f,
                    Where       where,
                    const char *keys,
                    const char *to)
{
  g_autofree char *digit = g_strdup_printf ("%u", (guint) g_random_int_range (1, 5));

  if (where == IN_HEADER)
    return;
  show_page (f, CP_PAGE_SCORING, IN_FIELD);
  type (digit);
  cp_test_press (keys);
  WAIT_FOR (focus_item_is (f, to));
  g_assert_cmpstr (cp_scoring_page_get_focus_item (get_sheet (f)), ==, to);
  g_assert_true (stored_score_is (f, "1.1.2", g_ascii_strtod (digit, NULL)));
}

/* Return and Tab. */
static void
check_next_item (Fixture *f, Where where, const char *keys)
{
  expect_score_moves (f, where, keys, "1.1.3");
}

static void
check_previous_item (Fixture *f, Where where, const char *keys)
{
  expect_score_moves (f, where, keys, "1.1.1");
}

static void
check_only_unscored (Fixture *f, Where where, const char *keys)
{
  show_page (f, CP_PAGE_SCORING, where);
  g_assert_false (cp_scoring_page_get_only_unscored (get_sheet (f)));
  cp_test_press (keys);
  WAIT_FOR (cp_scoring_page_get_only_unscored (get_sheet (f)));
  g_assert_true (cp_scoring_page_get_only_unscored (get_sheet (f)));
  cp_test_press (keys);
  WAIT_FOR (!cp_scoring_page_get_only_unscored (get_sheet (f)));
  g_assert_false (cp_scoring_page_get_only_unscored (get_sheet (f)));
}

static void
close_progress (Fixture *f)
{
  GtkWindow *progress = cp_test_find_toplevel (CP_TYPE_PROGRESS_PAGE);

  if (progress != NULL)
    destroy_window (f, progress);
}

/* The progress window, opened from the packet view once its table is read (@with_districts:
 * with district rows), the focus in its year field (IN_FIELD) or on its Refresh button. */
static CpProgressPage *
open_progress (Fixture  *f,
               Where     where,
               gboolean  with_districts)
{
  CpProgressPage *progress;

  show_page (f, "cover", IN_HEADER);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.progress", NULL);
  progress = cp_test_find_toplevel (CP_TYPE_PROGRESS_PAGE);
  g_assert_nonnull (progress);
  cp_test_activate (GTK_WINDOW (progress));
  WAIT_FOR_SECS (!cp_test_get_boolean (progress, "busy") &&
                 (!with_districts || cp_test_get_uint (progress, "n-districts") > 0), 30);
  g_assert_false (cp_test_get_boolean (progress, "busy"));
  if (with_districts)
    g_assert_cmpuint (cp_test_get_uint (progress, "n-districts"), >, 0);
  gtk_widget_grab_focus (where == IN_FIELD
                         ? find_descendant (GTK_WIDGET (progress), GTK_TYPE_TEXT, TRUE)
                         : find_descendant (GTK_WIDGET (progress), GTK_TYPE_BUTTON, TRUE));
  return progress;
}

static void
check_progress (Fixture *f, Where where, const char *keys)
{
  press_for_window (f, where, keys, CP_TYPE_PROGRESS_PAGE, 10);
  close_progress (f);
}

/* In the progress window: from its year field and from its Refresh button. */
static void
check_refresh_progress (Fixture *f, Where where, const char *keys)
{
  CpProgressPage *progress = open_progress (f, where, FALSE);
  guint loads = cp_progress_page_get_n_loads (progress);

  cp_test_press (keys);
  WAIT_FOR (cp_progress_page_get_n_loads (progress) > loads);
  g_assert_cmpuint (cp_progress_page_get_n_loads (progress), >, loads);
  close_progress (f);
}

/* In the progress window, from its year field and from its Refresh button: the file chooser
 * of the table's export. */
static void
check_export_progress (Fixture *f, Where where, const char *keys)
{
  GtkWindow *chooser;

  open_progress (f, where, TRUE);
  cp_test_press (keys);
  WAIT_FOR (cp_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL);
  chooser = cp_test_find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG);
  g_assert_nonnull (chooser);
  g_assert_cmpstr (gtk_window_get_title (chooser), ==, "Export the District Progress");
  cancel_dialog (GTK_TYPE_FILE_CHOOSER_DIALOG);
  close_progress (f);
}

static void
check_shortcuts_window (Fixture *f, Where where, const char *keys)
{
  GtkWindow *shortcuts = press_for_window (f, where, keys, GTK_TYPE_SHORTCUTS_WINDOW, 10);

  gtk_widget_set_visible (GTK_WIDGET (shortcuts), FALSE);
  cp_test_activate (GTK_WINDOW (f->window));
}

/* On the cover with the focus where @where says, @keys close the main window. */
static void
expect_window_closed (Fixture    *f,
                      Where       where,
                      const char *keys)
{
  GtkWidget *window = GTK_WIDGET (f->window);

  show_page (f, "cover", where);
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  cp_test_press (keys);
  WAIT_FOR (window == NULL || !gtk_widget_get_visible (window));
  g_assert_true (window == NULL || !gtk_widget_get_visible (window));
  if (window != NULL)
    g_object_remove_weak_pointer (G_OBJECT (window), (gpointer *) &window);
}

static void
check_close_window (Fixture *f, Where where, const char *keys)
{
  expect_window_closed (f, where, keys);
  /* A new window for the keys that follow. */
  f->window = cp_window_new (f->app);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (cp_window_is_loaded (f->window));
  cp_test_activate (GTK_WINDOW (f->window));
}

static void
check_quit (Fixture *f, Where where, const char *keys)
{
  expect_window_closed (f, where, keys);
  f->quit = TRUE;
  f->window = NULL;
}

/* Back to the list, the focus on the test packet's row (the focus on a row, whatever @where
 * says), then @keys: the packet is in the trash. */
static void
delete_from_list (Fixture    *f,
                  const char *keys)
{
  show_page (f, "cover", IN_HEADER);
  cp_test_press ("alt+Home");
  WAIT_FOR (cp_packet_view_get_uuid (get_view (f)) == NULL);
  focus_row (f, "苏州快捷键测试有限公司");
  cp_test_press (keys);
  WAIT_FOR (n_deleted (f) == 1);
  g_assert_cmpuint (n_deleted (f), ==, 1);
}

/* Keys of the list's rows: Delete moves the test packet to the trash, Ctrl+Z brings it
 * back. */
static void
check_delete_key (Fixture *f, Where where, const char *keys)
{
  delete_from_list (f, keys);
  g_assert_true (cp_store_undelete_packet (store_of (f), f->uuid, NULL));
  cp_window_reload (f->window);
  cp_window_set_search (f->window, "");
}

static void
check_undo_key (Fixture *f, Where where, const char *keys)
{
  delete_from_list (f, "Delete");
  cp_test_press (keys);
  WAIT_FOR (n_deleted (f) == 0);
  g_assert_cmpuint (n_deleted (f), ==, 0);
  cp_window_set_search (f->window, "");
}

static const struct
{
  const char *title;
  KeyCheck    check;
} checks[] = {
  { "New packet", check_new_packet },
  { "Search packets", check_search },
  { "Sync now", check_sync },
  { "Back to the packet list", check_back_to_list },
  { "Export the binder as PDF", check_export },
  { "Print the binder", check_print },
  { "Import packets from files", check_import },
  { "Move the packet to the trash", check_delete_key },
  { "Undo the deletion", check_undo_key },
  { "Next step", check_next_step },
  { "Previous step", check_previous_step },
  { "Completeness", check_completeness },
  { "Scoring sheet", check_scoring },
  { "Accept the score and go to the next item", check_next_item },
  { "Go to the previous item", check_previous_item },
  { "Show only unscored items", check_only_unscored },
  { "District progress", check_progress },
  { "Refresh the district progress", check_refresh_progress },
  { "Export the district progress", check_export_progress },
  { "Keyboard shortcuts", check_shortcuts_window },
  { "Close the window", check_close_window },
  { "Quit", check_quit },
};

/* The shortcuts of the window, once each (its search page holds copies of them). */
static void
collect_shortcuts (GtkWidget  *widget,
                   GPtrArray  *out,
                   GHashTable *seen)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SHORTCUTS_SHORTCUT (child))
        {
          g_autofree char *title = NULL;
          g_autofree char *accelerator = NULL;

          g_object_get (child, "title", &title, "accelerator", &accelerator, NULL);
          if (title != NULL && accelerator != NULL &&
              g_hash_table_add (seen, g_strconcat (title, "\n", accelerator, NULL)))
            g_ptr_array_add (out, child);
        }
      collect_shortcuts (child, out, seen);
    }
}

/* Every shortcut of the shortcuts window, each of its keys, pressed for real with the focus in
 * a field (or from the header bar): Quit last, since it ends the application. */
static void
test_shortcuts (Fixture       *f,
                gconstpointer  data)
{
  Where where = GPOINTER_TO_INT (data);
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource ("/io/github/creditpacket/CreditPacket/gtk/help-overlay.ui");
  GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));
  g_autoptr(GPtrArray) shortcuts = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_keys = 0;

  g_assert_nonnull (overlay);
  collect_shortcuts (overlay, shortcuts, seen);
  g_assert_cmpuint (shortcuts->len, >=, 15);
  log_in_by_keys (f, "city");

  for (guint pass = 0; pass < 2 && !f->quit; pass++)
    for (guint i = 0; i < shortcuts->len && !f->quit; i++)
      {
        g_autofree char *title = NULL;
        g_autofree char *accelerator = NULL;
        g_auto(GStrv) accels = NULL;
        KeyCheck check = NULL;

        g_object_get (g_ptr_array_index (shortcuts, i), "title", &title, "accelerator",
                      &accelerator, NULL);
        for (guint c = 0; c < G_N_ELEMENTS (checks); c++)
          if (g_str_equal (checks[c].title, title))
            check = checks[c].check;
        if (check == NULL)
          g_error ("The shortcut “%s” (%s) of the shortcuts window has no test", title,
                   accelerator);
        /* Quit (and closing the window) on the second pass, after everything else. */
        if ((pass == 1) != (check == check_quit || check == check_close_window))
          continue;
        accels = g_strsplit (accelerator, " ", -1);
        for (guint k = 0; accels[k] != NULL; k++)
          {
            g_autofree char *keys = NULL;

            if (*accels[k] == '\0')
              continue;
            keys = xdotool_keys (accels[k]);
            g_test_message ("%s: %s (%s)", title, accels[k], keys);
            check (f, where, keys);
            n_keys++;
            if (f->quit)
              break;
          }
      }
  g_assert_true (f->quit);
  g_assert_cmpuint (n_keys, >=, 20);
}

/* Enter and Space on any row open it and never delete; the trash button is not on the way. */
static void
test_list_enter_opens (Fixture       *f,
                       gconstpointer  data)
{
  CpTemplateRegistry *registry = cp_application_get_registry (f->app);
  GListModel *visible = cp_window_get_visible_packets (f->window);
  const char *kinds[] = { "standardization-acceptance", "city-demonstration",
                          "provincial-recommendation", "demonstration-review" };
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autoptr(CpPacket) packet = cp_demo_packet (registry, kinds[i], 60 + i);

      g_assert_true (cp_store_save_packet (store_of (f), packet, NULL, NULL));
      g_ptr_array_add (uuids, g_strdup (cp_packet_get_uuid (packet)));
    }
  cp_window_reload (f->window);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);

  /* Down from the search field reaches the rows; then each row in turn, opened with Enter or
   * Space, and back with Alt+Home, which leaves the focus on a row. */
  cp_test_press ("ctrl+f");
  WAIT_FOR (search_has_focus (f));
  g_assert_true (search_has_focus (f));
  cp_test_press ("Down");
  for (guint i = 0; i < 8; i++)
    {
      GtkWidget *focus = focus_widget (f);
      const char *key = i % 2 == 0 ? "Return" : "space";

      g_assert_nonnull (focus);
      g_assert_false (GTK_IS_BUTTON (focus));
      cp_test_press (key);
      WAIT_FOR (cp_packet_view_get_uuid (get_view (f)) != NULL);
      g_assert_nonnull (cp_packet_view_get_uuid (get_view (f)));
      g_assert_cmpuint (cp_store_list_packets (store_of (f), NULL)->len, ==, 4);
      cp_test_press ("alt+Home");
      WAIT_FOR (cp_packet_view_get_uuid (get_view (f)) == NULL);
      g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);
      cp_test_press (i % 4 == 3 ? "Up" : "Down");
    }
  /* Tab from a row never lands on a row's trash button. */
  for (guint i = 0; i < 4; i++)
    {
      GtkWidget *focus;

      cp_test_press ("Tab");
      focus = focus_widget (f);
      g_assert_false (focus != NULL && GTK_IS_BUTTON (focus) &&
                      gtk_widget_is_ancestor (focus, GTK_WIDGET (f->window)) &&
                      gtk_widget_get_ancestor (focus, GTK_TYPE_LIST_VIEW) != NULL);
    }
  for (guint i = 0; i < uuids->len; i++)
    g_assert_true (cp_store_has_packet (store_of (f), g_ptr_array_index (uuids, i)));
  {
    g_autoptr(GPtrArray) trash = cp_store_list_deleted_packets (store_of (f), NULL);

    g_assert_cmpuint (trash->len, ==, 0);
  }
}

static guint
n_live (Fixture *f)
{
  g_autoptr(GPtrArray) list = cp_store_list_packets (store_of (f), NULL);

  return list->len;
}

static guint
n_deleted (Fixture *f)
{
  g_autoptr(GPtrArray) list = cp_store_list_deleted_packets (store_of (f), NULL);

  return list->len;
}

static void
focus_row (Fixture    *f,
           const char *name)
{
  cp_window_set_search (f->window, name);
  cp_test_press ("ctrl+f");
  WAIT_FOR (search_has_focus (f));
  cp_test_press ("Down");
  g_assert_false (search_has_focus (f));
}

/* Delete → trash → restore, Ctrl+Z while the toast is up, and a submitted packet that stays. */
static void
test_trash (Fixture       *f,
            gconstpointer  data)
{
  CpTemplateRegistry *registry = cp_application_get_registry (f->app);
  g_autoptr(CpPacket) draft = cp_demo_packet (registry, "city-demonstration", 71);
  g_autoptr(CpPacket) submitted = cp_demo_packet (registry, "standardization-acceptance", 72);
  GtkDropDown *states;

  cp_packet_set_state (submitted, CP_PACKET_STATE_SUBMITTED);
  g_assert_true (cp_store_save_packet (store_of (f), draft, NULL, NULL));
  g_assert_true (cp_store_save_packet (store_of (f), submitted, NULL, NULL));
  cp_window_reload (f->window);
  g_assert_cmpuint (n_live (f), ==, 2);

  /* Delete on the draft's row: to the trash at once, no question. */
  focus_row (f, cp_packet_get_enterprise_name (draft));
  cp_test_press ("Delete");
  WAIT_FOR (n_live (f) == 1);
  g_assert_cmpuint (n_live (f), ==, 1);
  g_assert_cmpuint (n_deleted (f), ==, 1);
  /* Ctrl+Z while the toast is up brings it back. */
  cp_test_press ("ctrl+z");
  WAIT_FOR (n_live (f) == 2);
  g_assert_cmpuint (n_live (f), ==, 2);
  g_assert_cmpuint (n_deleted (f), ==, 0);

  /* Deleted again; then restored from the trash ("Deleted" in the state filter). */
  focus_row (f, cp_packet_get_enterprise_name (draft));
  cp_test_press ("Delete");
  WAIT_FOR (n_deleted (f) == 1);
  g_assert_cmpuint (n_deleted (f), ==, 1);
  cp_window_set_search (f->window, "");
  states = GTK_DROP_DOWN (find_descendant (GTK_WIDGET (f->window), GTK_TYPE_DROP_DOWN, FALSE));
  states = GTK_DROP_DOWN (gtk_widget_get_next_sibling (GTK_WIDGET (states)));
  gtk_drop_down_set_selected (states,
                              g_list_model_get_n_items (gtk_drop_down_get_model (states)) - 1);
  WAIT_FOR (g_list_model_get_n_items (cp_window_get_visible_packets (f->window)) == 1);
  g_assert_cmpuint (g_list_model_get_n_items (cp_window_get_visible_packets (f->window)), ==, 1);
  {
    g_autoptr(CpPacketItem) item = g_list_model_get_item (cp_window_get_visible_packets (f->window),
                                                          0);

    g_assert_cmpstr (cp_packet_item_get_uuid (item), ==, cp_packet_get_uuid (draft));
  }
  cp_test_press ("ctrl+f");
  WAIT_FOR (search_has_focus (f));
  cp_test_press ("Down");
  cp_test_press ("Return");
  WAIT_FOR (n_live (f) == 2);
  g_assert_cmpuint (n_live (f), ==, 2);
  g_assert_cmpuint (n_deleted (f), ==, 0);
  gtk_drop_down_set_selected (states, 0);
  WAIT_FOR (g_list_model_get_n_items (cp_window_get_visible_packets (f->window)) == 2);

  /* The submitted packet: Delete is refused (the server holds it), it stays in the list. */
  focus_row (f, cp_packet_get_enterprise_name (submitted));
  cp_test_press ("Delete");
  cp_test_spin (300);
  g_assert_cmpuint (n_live (f), ==, 2);
  g_assert_cmpuint (n_deleted (f), ==, 0);
  {
    GPtrArray *toasts = cp_window_get_toasts (f->window);

    g_assert_cmpuint (toasts->len, >, 0);
    g_assert_nonnull (strstr (g_ptr_array_index (toasts, toasts->len - 1),
                              "cannot be deleted on this computer"));
  }
  /* With no deletion to undo, Ctrl+Z is the search field's own again. */
  cp_window_set_search (f->window, "");
}

static char *
stored_string (Fixture    *f,
               const char *section,
               const char *field)
{
  g_autoptr(CpPacket) packet = cp_store_load_packet (store_of (f), f->uuid, NULL);

  return packet != NULL ? g_strdup (cp_packet_get_string (packet, section, field)) : NULL;
}

/* A new packet by keys alone: the dialog starts in the name, the cover in its first empty
 * required field, the next step in its own; a date is one Tab stop and 2026/3/1 is a date. */
/* The cover's identity typed once: the legal representative typed on the cover shows on the
 * application form and the commitment; one changed there by hand stays when the cover changes
 * again. */
static void
test_identity_carried (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *uscc = cp_demo_uscc ("320583", 47);
  g_autofree char *value = NULL;
  GtkWidget *commitment;
  GtkWidget *cover;

  cp_test_press ("ctrl+n");
  WAIT_FOR (cp_test_find_toplevel (CP_TYPE_NEW_PACKET_DIALOG) != NULL);
  cp_test_activate (cp_test_find_toplevel (CP_TYPE_NEW_PACKET_DIALOG));
  type ("Kunshan Carry Ltd");
  cp_test_press ("Tab");
  type (uscc);
  cp_test_press ("Return");
  WAIT_FOR (cp_packet_view_get_uuid (get_view (f)) != NULL);
  g_assert_nonnull (cp_packet_view_get_uuid (get_view (f)));
  f->uuid = g_strdup (cp_packet_view_get_uuid (get_view (f)));
  cp_test_activate (GTK_WINDOW (f->window));
  g_assert_cmpstr (cp_packet_view_get_page (get_view (f)), ==, "cover");
  cover = cp_packet_view_get_page_widget (get_view (f), "cover");
  commitment = cp_packet_view_get_page_widget (get_view (f), "commitment");

  /* The name and code of the new-packet dialog are the cover's, carried like it; the district
   * comes from the code's division (320583, Kunshan). */
  value = stored_string (f, "commitment", "enterprise_name");
  g_assert_cmpstr (value, ==, "Kunshan Carry Ltd");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "application-form", "uscc");
  g_assert_cmpstr (value, ==, uscc);
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "cover", "district");
  g_assert_cmpstr (value, ==, "kunshan");
  g_clear_pointer (&value, g_free);

  /* Typed on the cover (the focus is in the legal representative). */
  type ("Huang Yan");
  cp_test_press ("Tab");
  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "application-form", "legal_representative");
  g_assert_cmpstr (value, ==, "Huang Yan");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "commitment", "legal_representative");
  g_assert_cmpstr (value, ==, "Huang Yan");
  g_clear_pointer (&value, g_free);

  /* The commitment's page shows it. */
  g_assert_true (cp_packet_view_set_page (get_view (f), "commitment"));
  WAIT_FOR (page_is (f, "commitment"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cp_section_page_get_editor (
                     CP_SECTION_PAGE (commitment), "legal_representative"))), ==, "Huang Yan");

  /* Changed there by hand. */
  g_assert_true (cp_section_page_focus_field (CP_SECTION_PAGE (commitment),
                                              "legal_representative"));
  cp_test_press ("ctrl+a");
  type ("Li Ming");
  cp_test_press ("Tab");
  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "commitment", "legal_representative");
  g_assert_cmpstr (value, ==, "Li Ming");
  g_clear_pointer (&value, g_free);

  /* The cover changes again: the application form follows, the hand-typed one stays. */
  g_assert_true (cp_packet_view_set_page (get_view (f), "cover"));
  WAIT_FOR (page_is (f, "cover"));
  g_assert_true (cp_section_page_focus_field (CP_SECTION_PAGE (cover), "legal_representative"));
  cp_test_press ("ctrl+a");
  type ("Zhou Min");
  cp_test_press ("Tab");
  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "cover", "legal_representative");
  g_assert_cmpstr (value, ==, "Zhou Min");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "application-form", "legal_representative");
  g_assert_cmpstr (value, ==, "Zhou Min");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "commitment", "legal_representative");
  g_assert_cmpstr (value, ==, "Li Ming");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cp_section_page_get_editor (
                     CP_SECTION_PAGE (commitment), "legal_representative"))), ==, "Li Ming");
}

static void
test_typing_lands (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *uscc = cp_demo_uscc ("320508", 43);
  g_autofree char *value = NULL;

  cp_test_press ("ctrl+n");
  WAIT_FOR (cp_test_find_toplevel (CP_TYPE_NEW_PACKET_DIALOG) != NULL);
  cp_test_activate (cp_test_find_toplevel (CP_TYPE_NEW_PACKET_DIALOG));
  type ("Suzhou Keys Ltd");
  cp_test_press ("Tab");
  type (uscc);
  cp_test_press ("Return");
  WAIT_FOR (cp_packet_view_get_uuid (get_view (f)) != NULL);
  g_assert_nonnull (cp_packet_view_get_uuid (get_view (f)));
  f->uuid = g_strdup (cp_packet_view_get_uuid (get_view (f)));
  cp_test_activate (GTK_WINDOW (f->window));
  g_assert_cmpstr (cp_packet_view_get_page (get_view (f)), ==, "cover");

  /* The first characters typed go to the legal representative, the first empty required
   * field after the name and the code. */
  type ("Huang Yan");
  cp_test_press ("Tab");
  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "cover", "legal_representative");
  g_assert_cmpstr (value, ==, "Huang Yan");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "cover", "enterprise_name");
  g_assert_cmpstr (value, ==, "Suzhou Keys Ltd");
  g_clear_pointer (&value, g_free);

  /* Next step: the service contract, typing starts in its first field. */
  cp_test_press ("alt+Right");
  WAIT_FOR (page_is (f, "contract"));
  type ("HT-2026-07");
  cp_test_press ("Tab");
  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "contract", "contract_number");
  g_assert_cmpstr (value, ==, "HT-2026-07");
  g_clear_pointer (&value, g_free);

  /* Three dates in a row, each one Tab stop, in the forms people type. */
  g_assert_true (cp_section_page_focus_field (
                   CP_SECTION_PAGE (cp_packet_view_get_page_widget (get_view (f), "contract")),
                   "signed_on"));
  type ("2026/3/1");
  cp_test_press ("Tab");
  type ("20260302");
  cp_test_press ("Tab");
  type ("2027.3.1");
  cp_test_press ("Tab");
  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "contract", "signed_on");
  g_assert_cmpstr (value, ==, "2026-03-01");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "contract", "start_date");
  g_assert_cmpstr (value, ==, "2026-03-02");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "contract", "end_date");
  g_assert_cmpstr (value, ==, "2027-03-01");
  /* The text shows the date as it is kept once the focus has left it. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (cp_section_page_get_editor (
                     CP_SECTION_PAGE (cp_packet_view_get_page_widget (get_view (f), "contract")),
                     "signed_on"))), ==, "2026-03-01");

  /* The scoring sheet, left and reopened: the first unscored item, its value not selected. */
  cp_test_press ("ctrl+k");
  WAIT_FOR (page_is (f, CP_PAGE_SCORING));
  WAIT_FOR (focus_item_is (f, "1.1.1"));
  g_assert_true (focus_item_is (f, "1.1.1"));
  type ("8");
  cp_test_press ("Return");
  type ("4");
  cp_test_press ("Return");
  WAIT_FOR (stored_score_is (f, "1.1.2", 4));
  cp_test_press ("alt+Left");
  WAIT_FOR (!page_is (f, CP_PAGE_SCORING));
  cp_test_press ("ctrl+k");
  WAIT_FOR (page_is (f, CP_PAGE_SCORING));
  WAIT_FOR (focus_item_is (f, "1.1.3"));
  g_assert_true (focus_item_is (f, "1.1.3"));
  g_assert_true (stored_score_is (f, "1.1.1", 8));
  /* Arriving at an item with a value (a jump from the completeness page) selects nothing: a
   * stray key must not replace the 8. */
  g_assert_true (cp_scoring_page_focus_item (get_sheet (f), "1.1.1", CP_SCORE_ACCEPTANCE));
  g_assert_false (gtk_editable_get_selection_bounds (GTK_EDITABLE (focus_widget (f)), NULL,
                                                     NULL));
}

static JsonNode *
stored_value (Fixture    *f,
              const char *section,
              const char *field,
              int         index,
              const char *member)
{
  g_autoptr(CpPacket) packet = cp_store_load_packet (store_of (f), f->uuid, NULL);
  JsonNode *node;

  g_assert_nonnull (packet);
  node = cp_packet_get_value_at (packet, section, field, index, member);
  return node != NULL ? json_node_copy (node) : NULL;
}

/* The visible label under @widget that reads @text, or NULL. */
static GtkWidget *
find_label (GtkWidget  *widget,
            const char *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (!gtk_widget_get_visible (child))
        continue;
      if (GTK_IS_LABEL (child) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (child)), text) == 0)
        return child;
      if ((found = find_label (child, text)) != NULL)
        return found;
    }
  return NULL;
}

static CpSectionPage *
section_page (Fixture    *f,
              const char *page)
{
  show_page (f, page, IN_FIELD);
  return CP_SECTION_PAGE (cp_packet_view_get_page_widget (get_view (f), page));
}

/* Types into @field_id of @page as a user would, focused through the page as a finding's
 * "go to" does, then leaves it with Tab. */
static void
type_into (Fixture    *f,
           const char *page,
           const char *field_id,
           const char *text)
{
  g_assert_true (cp_section_page_focus_field (section_page (f, page), field_id));
  type (text);
  cp_test_press ("Tab");
}

/* One field of every editor family, typed into with real keys at a user's speed and read back
 * from the store: text, multi-line text, money, a date, a time, a choice, yes/no, a group entry's
 * field and a signature (whose role is the template's, shown by name, never typed). Files are
 * attached by the chooser or a drop, not by keys: test-app-window covers them. */
static void
test_every_editor (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *value = NULL;
  CpSectionPage *page;
  GtkWidget *add;
  GtkWidget *signature;

  show_page (f, "cover", IN_FIELD);
  cp_test_activate (GTK_WINDOW (f->window));

  type_into (f, "cover", "address", "1 Renmin Road");
  type_into (f, "application-form", "registered_capital", "1250.5");
  type_into (f, "application-form", "business_scope", "Weaving");
  type_into (f, "field-survey", "start_time", "09:30");
  type_into (f, "contract", "signed_on", "2026/3/1");

  /* A choice: Return opens the list, Down and Return pick the first option. */
  g_assert_true (cp_section_page_focus_field (section_page (f, "cover"), "district"));
  cp_test_press ("Return");
  cp_test_press ("Down", "Return");

  /* Yes/no: Space turns the switch on. */
  g_assert_true (cp_section_page_focus_field (section_page (f, "commitment"), "promise_true"));
  cp_test_press ("space");

  /* A group: Space on Add Entry adds one; Shift+Tab reaches its last field. */
  page = section_page (f, "field-survey");
  g_assert_true (cp_section_page_focus_field (page, "surveyors"));
  add = cp_section_page_get_editor (page, "surveyors");
  g_assert_true (gtk_widget_has_focus (add));
  cp_test_press ("space");
  WAIT_FOR (find_descendant (gtk_widget_get_ancestor (add, CP_TYPE_GROUP_FIELD_EDITOR),
                             CP_TYPE_TEXT_FIELD_EDITOR, FALSE) != NULL);
  cp_test_press ("shift+Tab");
  type ("XY-007");
  cp_test_press ("Tab");

  /* A signature: who signed, then (one Tab: the role is no Tab stop) the date. */
  page = section_page (f, "contract");
  g_assert_true (cp_section_page_focus_field (page, "district_stamp"));
  type ("Li Ming");
  cp_test_press ("Tab");
  type ("2026/3/5");
  cp_test_press ("Tab");
  /* The role reads as a name, never as the template's id. */
  signature = find_descendant (GTK_WIDGET (page), CP_TYPE_SIGNATURE_FIELD_EDITOR, FALSE);
  g_assert_nonnull (signature);
  g_assert_nonnull (find_label (signature, cp_role_get_signer_name ("district-office")));
  g_assert_null (find_label (signature, "district-office"));

  cp_packet_view_flush (get_view (f));
  value = stored_string (f, "cover", "address");
  g_assert_cmpstr (value, ==, "1 Renmin Road");
  g_clear_pointer (&value, g_free);
  node = stored_value (f, "application-form", "registered_capital", -1, NULL);
  g_assert_nonnull (node);
  g_assert_cmpfloat (json_node_get_double (node), ==, 1250.5);
  g_clear_pointer (&node, json_node_unref);
  value = stored_string (f, "application-form", "business_scope");
  g_assert_cmpstr (value, ==, "Weaving");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "field-survey", "start_time");
  g_assert_cmpstr (value, ==, "09:30");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "contract", "signed_on");
  g_assert_cmpstr (value, ==, "2026-03-01");
  g_clear_pointer (&value, g_free);
  value = stored_string (f, "cover", "district");
  g_assert_nonnull (value);
  g_clear_pointer (&value, g_free);
  node = stored_value (f, "commitment", "promise_true", -1, NULL);
  g_assert_nonnull (node);
  g_assert_true (json_node_get_boolean (node));
  g_clear_pointer (&node, json_node_unref);
  node = stored_value (f, "field-survey", "surveyors", 0, "certificate_number");
  g_assert_nonnull (node);
  g_assert_cmpstr (json_node_get_string (node), ==, "XY-007");
  g_clear_pointer (&node, json_node_unref);
  node = stored_value (f, "contract", "district_stamp", -1, "signer");
  g_assert_nonnull (node);
  g_assert_cmpstr (json_node_get_string (node), ==, "Li Ming");
  g_clear_pointer (&node, json_node_unref);
  node = stored_value (f, "contract", "district_stamp", -1, "date");
  g_assert_nonnull (node);
  g_assert_cmpstr (json_node_get_string (node), ==, "2026-03-05");
  g_clear_pointer (&node, json_node_unref);
  node = stored_value (f, "contract", "district_stamp", -1, "role");
  g_assert_nonnull (node);
  g_assert_cmpstr (json_node_get_string (node), ==, "district-office");
}

/* A first login, with no server given: the dialog starts in the address, not on Cancel. */
static void
test_login_dialog_focus (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "fresh", NULL);
  CpSyncManager *sync;
  CpLoginDialog *dialog;

  cp_test_app_stop (&f->app, &f->window);
  f->app = cp_test_app_start (data_dir, NULL, &f->window);
  cp_test_activate (GTK_WINDOW (f->window));
  sync = cp_application_get_sync_manager (f->app);
  g_assert_null (cp_sync_manager_get_server_url (sync));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_assert_nonnull (dialog);
  cp_test_activate (GTK_WINDOW (dialog));
  g_assert_true (GTK_IS_TEXT (gtk_window_get_focus (GTK_WINDOW (dialog))));
  type (f->base);
  cp_test_press ("Tab");
  type ("city");
  cp_test_press ("Tab");
  type (PASSWORD);
  cp_test_press ("Return");
  WAIT_FOR_SECS (cp_sync_manager_is_logged_in (sync), 30);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpstr (cp_sync_manager_get_user (sync), ==, "city");
  WAIT_FOR_SECS (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING, 30);
  if (cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    {
      dialog = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG);
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

/* The Return dialog's field chooser, by keys: typing finds a field by any part of its name,
 * Enter takes the first match, Down goes through the matches, Escape leaves the choice as it
 * was. */
static void
test_field_chooser (Fixture       *f,
                    gconstpointer  data)
{
  const char *labels[] = { "The whole packet", "Cover › Enterprise name",
                           "Cover › Legal representative", "Cover › Address",
                           "Contract › Address of the agency", NULL };
  g_autoptr(GtkStringList) choices = gtk_string_list_new (labels);
  CpFieldChooser *chooser = cp_field_chooser_new (choices);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *after = gtk_entry_new ();

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (chooser));
  gtk_box_append (GTK_BOX (box), after);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 360);
  gtk_window_present (GTK_WINDOW (window));
  cp_test_activate (GTK_WINDOW (window));
  g_assert_cmpuint (cp_field_chooser_get_selected (chooser), ==, 0);
  gtk_widget_grab_focus (GTK_WIDGET (chooser));
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (window)),
                                         GTK_WIDGET (chooser)));

  /* "legal" is inside the label, not at its start. */
  cp_test_press ("Return");
  type ("legal");
  cp_test_spin (300);
  cp_test_press ("Return");
  WAIT_FOR (cp_field_chooser_get_selected (chooser) == 2);
  g_assert_cmpuint (cp_field_chooser_get_selected (chooser), ==, 2);

  /* Two fields hold "address": the second one. */
  cp_test_press ("space");
  type ("ADDRESS");
  cp_test_spin (300);
  cp_test_press ("Down", "Down", "Return");
  WAIT_FOR (cp_field_chooser_get_selected (chooser) == 4);
  g_assert_cmpuint (cp_field_chooser_get_selected (chooser), ==, 4);

  /* Nothing matches: Enter takes nothing, Escape closes, the choice stays. */
  cp_test_press ("space");
  type ("zzz");
  cp_test_spin (300);
  cp_test_press ("Return", "Escape");
  cp_test_spin (200);
  g_assert_cmpuint (cp_field_chooser_get_selected (chooser), ==, 4);

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_row_titled (GtkWidget  *widget,
                 const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (ADW_IS_ACTION_ROW (child) &&
          g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)), title) == 0)
        return child;
      if ((found = find_row_titled (child, title)) != NULL)
        return found;
    }
  return NULL;
}

/* Issue 11: an enterprise signed in, in its own city application, writes its own parts only.
 * The district office's opinion is read-only and says who fills it in: keys typed into it write
 * nothing, while the enterprise's own field beside it takes them. The evaluating agency's score
 * column is read-only too, and the completeness page lists those parts after the user's own. */
static void
test_owned_fields (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *uscc = cp_test_make_uscc ("320583", 7);
  g_autoptr(GError) error = NULL;
  CpPacketView *view;
  CpSectionPage *page;
  GtkWidget *opinion, *manager;
  CpPacket *packet;
  JsonNode *value;
  GtkWidget *completeness;

  cp_test_server_admin (f->server_dir, f->config, PASSWORD "\n", "user", "add", "ent",
                        "--role", "enterprise", "--enterprise", uscc, NULL);
  log_in_by_keys (f, "ent");
  g_assert_nonnull (cp_window_create_packet (f->window, "city-demonstration",
                                             "苏州测试科技有限公司", uscc, &error));
  g_assert_no_error (error);
  view = get_view (f);
  g_assert_cmpint (cp_packet_view_get_party (view), ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpstr (cp_packet_view_get_stage (view), ==, "preparing");

  g_assert_true (cp_packet_view_set_page (view, "application-form"));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "application-form"));
  g_assert_true (cp_section_page_get_read_only (page, "district_opinion"));
  g_assert_cmpstr (cp_section_page_get_owner_caption (page, "district_opinion"), ==,
                   "Filled in by the district credit office");
  g_assert_true (cp_section_page_get_read_only (page, "city_review_date"));
  g_assert_cmpstr (cp_section_page_get_owner_caption (page, "city_review_date"), ==,
                   "Filled in by the city credit office");
  g_assert_false (cp_section_page_get_read_only (page, "manager"));
  g_assert_null (cp_section_page_get_owner_caption (page, "manager"));
  /* The section is the enterprise's, with some of the offices' fields: no caption on top. */
  g_assert_null (cp_section_page_get_owner_caption (page, NULL));

  opinion = cp_section_page_get_editor (page, "district_opinion");
  manager = cp_section_page_get_editor (page, "manager");
  g_assert_true (gtk_widget_grab_focus (opinion));
  cp_test_spin (100);
  type ("abc");
  cp_test_spin (300);
  g_assert_true (gtk_widget_grab_focus (manager));
  cp_test_spin (100);
  type ("Li");
  cp_test_spin (300);
  cp_packet_view_flush (view);
  packet = cp_packet_view_get_packet (view);
  value = cp_packet_get_value (packet, "application-form", "district_opinion");
  g_assert_true (value == NULL || JSON_NODE_HOLDS_NULL (value) ||
                 g_strcmp0 (json_node_get_string (value), "") == 0);
  g_assert_cmpstr (cp_packet_get_string (packet, "application-form", "manager"), ==, "Li");

  g_assert_true (cp_scoring_page_get_read_only (
                   CP_SCORING_PAGE (cp_packet_view_get_page_widget (view, CP_PAGE_SCORING)),
                   CP_SCORE_ACCEPTANCE));

  completeness = cp_packet_view_get_page_widget (view, CP_PAGE_COMPLETENESS);
  g_assert_cmpuint (cp_completeness_page_get_n_others (CP_COMPLETENESS_PAGE (completeness)), >,
                    0);
  g_assert_cmpuint (cp_completeness_page_get_n_others (CP_COMPLETENESS_PAGE (completeness)), <,
                    cp_test_get_uint (completeness, "n-rows"));
}

/* The accounts tools/run-app.sh makes on the local server are listed in the login dialog;
 * choosing one fills it in, and Enter logs in. */
static void
test_local_accounts (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "local-accounts.ini", NULL);
  g_autofree char *contents = g_strdup_printf ("[enterprise]\nuser=ent\npassword=one two\n\n"
                                               "[city-office]\nuser=city\npassword=%s\n",
                                               PASSWORD);
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  CpLoginDialog *dialog;
  GtkWidget *row;

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  g_setenv ("CP_LOCAL_ACCOUNTS", path, TRUE);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG);
  g_unsetenv ("CP_LOCAL_ACCOUNTS");
  g_assert_nonnull (dialog);
  cp_test_activate (GTK_WINDOW (dialog));
  g_assert_nonnull (find_row_titled (GTK_WIDGET (dialog), "Enterprise"));
  g_assert_null (find_row_titled (GTK_WIDGET (dialog), "Credit service agency"));
  row = find_row_titled (GTK_WIDGET (dialog), "City credit office (all of Suzhou)");
  g_assert_nonnull (row);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "city"));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), PASSWORD));
  /* By keys: the row is focused and Enter chooses it; Enter again logs in. */
  gtk_widget_grab_focus (row);
  cp_test_press ("Return");
  cp_test_press ("Return");
  WAIT_FOR_SECS (cp_sync_manager_is_logged_in (sync), 30);
  g_assert_true (cp_sync_manager_is_logged_in (sync));
  g_assert_cmpstr (cp_sync_manager_get_user (sync), ==, "city");
  WAIT_FOR_SECS (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING, 30);
  if ((dialog = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG)) != NULL)
    {
      gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  /* Typing goes to the field, not to a blinking-cursor repaint loop. */
  cp_application_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);

  if (g_getenv ("CP_SERVER_BINARY") == NULL)
    {
      g_test_message ("CP_SERVER_BINARY is not set");
      return 77;
    }
  if (!cp_test_keys_start_wm ())
    {
      g_test_message ("xdotool and openbox are needed");
      return 77;
    }

  g_test_add ("/keys/shortcuts-from-field", Fixture, GINT_TO_POINTER (IN_FIELD),
              fixture_set_up, test_shortcuts, fixture_tear_down);
  g_test_add ("/keys/shortcuts-from-header-bar", Fixture, GINT_TO_POINTER (IN_HEADER),
              fixture_set_up, test_shortcuts, fixture_tear_down);
  g_test_add ("/keys/list-enter-opens", Fixture, NULL, fixture_set_up, test_list_enter_opens,
              fixture_tear_down);
  g_test_add ("/keys/trash", Fixture, NULL, fixture_set_up, test_trash, fixture_tear_down);
  g_test_add ("/keys/every-editor", Fixture, NULL, fixture_set_up, test_every_editor,
              fixture_tear_down);
  g_test_add ("/keys/identity-carried", Fixture, NULL, fixture_set_up, test_identity_carried,
              fixture_tear_down);
  g_test_add ("/keys/typing-lands", Fixture, NULL, fixture_set_up, test_typing_lands,
              fixture_tear_down);
  g_test_add ("/keys/owned-fields", Fixture, NULL, fixture_set_up, test_owned_fields,
              fixture_tear_down);
  g_test_add ("/keys/field-chooser", Fixture, NULL, fixture_set_up, test_field_chooser,
              fixture_tear_down);
  g_test_add ("/keys/login-dialog-focus", Fixture, NULL, fixture_set_up,
              test_login_dialog_focus, fixture_tear_down);
  g_test_add ("/keys/local-accounts", Fixture, NULL, fixture_set_up, test_local_accounts,
              fixture_tear_down);

  status = g_test_run ();
  cp_test_keys_stop_wm ();
  return status;
}
