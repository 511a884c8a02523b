/* cp-export-screenshots.c — the export, report and attachment screens, for looking at them
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   cp-export-screenshots SERVER_BINARY OUTDIR
 *
 * Run it under Xvfb (the screen's size decides the window's) in the language wanted. A packet
 * whose attachments are real files (one of them 300 pages, so that the export takes a while),
 * a real credit-packet-server on loopback for the reports; ImageMagick's import takes:
 * section-thumbnails.png, attachment-details.png, export-dialog.png, export-progress.png,
 * export-notices.png, report-dialog.png and progress-export.png.
 */
#include "config.h"

#include <gdk/x11/gdkx.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include "cp-application.h"
#include "cp-attachment-details.h"
#include "cp-attachment-thumbnail.h"
#include "cp-attachment-thumbnail-private.h"
#include "cp-demo.h"
#include "cp-export-dialog.h"
#include "cp-export-dialog-private.h"
#include "cp-login-dialog.h"
#include "cp-login-dialog-private.h"
#include "cp-packet-view.h"
#include "cp-progress-page.h"
#include "cp-progress-page-private.h"
#include "cp-report-dialog.h"
#include "cp-report-dialog-private.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-test-attachments.h"
#include "cp-test-keys.h"
#include "cp-test-app.h"
#include "cp-window.h"
#include "cp-window-private.h"
#include "export-files.h"

#define PASSWORD "correct horse battery"
#define WAIT_FOR(cond) CP_TEST_WAIT_FOR_SECS (cond, 30)

static const char *out_dir;

static void
shot (const char *name,
      guint       settle_ms)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("import -window root '%s'", path);

  cp_test_spin (settle_ms);
  if (system (command) != 0)
    g_error ("import failed for %s", path);
  g_print ("%s\n", path);
}

static void
find_all (GtkWidget *widget,
          GType      type,
          GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (out, child);
      find_all (child, type, out);
    }
}

static gboolean
thumbnails_settled (GtkWidget *page)
{
  g_autoptr(GPtrArray) thumbnails = g_ptr_array_new ();

  find_all (page, CP_TYPE_ATTACHMENT_THUMBNAIL, thumbnails);
  for (guint i = 0; i < thumbnails->len; i++)
    if (cp_attachment_thumbnail_get_paintable (g_ptr_array_index (thumbnails, i)) == NULL &&
        cp_attachment_thumbnail_get_problem (g_ptr_array_index (thumbnails, i)) == NULL)
      return FALSE;
  return thumbnails->len > 0;
}

/* The window as large as the screen (no window manager places it). */
static void
fill_screen (GtkWindow *window)
{
  GdkDisplay *display = gtk_widget_get_display (GTK_WIDGET (window));
  GdkMonitor *monitor = g_list_model_get_item (gdk_display_get_monitors (display), 0);
  GdkRectangle area;
  g_autofree char *xid = NULL;
  g_autofree char *width = NULL;
  g_autofree char *height = NULL;

  CP_TEST_WAIT_FOR_SECS (gtk_widget_get_mapped (GTK_WIDGET (window)), 10);
  gdk_monitor_get_geometry (monitor, &area);
  g_object_unref (monitor);
  xid = g_strdup_printf ("%lu", (gulong) gdk_x11_surface_get_xid (
                                  gtk_native_get_surface (GTK_NATIVE (window))));
  width = g_strdup_printf ("%d", area.width);
  height = g_strdup_printf ("%d", area.height);
  cp_test_xdotool ("windowmove", xid, "0", "0", NULL);
  cp_test_xdotool ("windowsize", xid, width, height, NULL);
  cp_test_spin (800);
}

static gboolean shot_progress;

static void
pages_done_cb (CpExportDialog *dialog,
               GParamSpec     *pspec,
               gpointer        user_data)
{
  /* Half way: the progress bar, the pages written of all, Cancel. */
  if (!shot_progress && cp_test_get_uint (dialog, "n-pages") > 0 &&
      cp_test_get_uint (dialog, "pages-done") * 3 >= cp_test_get_uint (dialog, "n-pages"))
    {
      shot_progress = TRUE;
      shot ("export-progress.png", 50);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *server_dir = NULL;
  g_autofree char *config = NULL;
  g_autofree char *base = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *binder = NULL;
  g_autofree char *long_pdf = NULL;
  g_autofree char *named = NULL;
  g_autoptr(GFile) file = NULL;
  GSubprocess *server = NULL;
  CpApplication *app;
  CpWindow *window;
  CpPacketView *view;
  CpSectionPage *page;
  CpExportDialog *export;
  CpReportDialog *report;
  CpLoginDialog *login;
  CpSyncManager *sync;
  guint64 size;

  if (argc != 3)
    {
      g_printerr ("usage: %s SERVER_BINARY OUTDIR\n", argv[0]);
      return 2;
    }
  g_setenv ("CP_SERVER_BINARY", argv[1], TRUE);
  out_dir = argv[2];
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  cp_application_init_i18n ();
  gtk_init ();

  dir = g_dir_make_tmp ("cp-export-shots-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  server_dir = g_build_filename (dir, "server", NULL);
  config = g_build_filename (dir, "server.conf", NULL);
  g_file_set_contents (config, "[server]\nlog-requests=false\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  cp_test_server_admin (server_dir, config, PASSWORD "\n", "user", "add", "city", "--role",
                        "office", "--district", "suzhou", NULL);
  server = cp_test_server_start (server_dir, config, &base);

  /* The packet with its files, and a 300-page scan on the contract. */
  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  data_dir = g_build_filename (dir, "app", NULL);
  store = cp_store_new (data_dir, &error);
  g_assert_no_error (error);
  packet = cp_test_packet_with_files (store, registry, "city-demonstration", 7, TRUE);
  g_clear_object (&store);
  long_pdf = cp_test_make_pdf (dir, "LONG", 300, 0, &size);
  {
    g_autofree char *made = g_build_filename (dir, long_pdf, NULL);

    named = g_build_filename (dir, "合同附件（全本）.pdf", NULL);
    g_assert_cmpint (g_rename (made, named), ==, 0);
    file = g_file_new_for_path (named);
  }

  app = cp_test_app_start (data_dir, base, &window);
  fill_screen (GTK_WINDOW (window));
  g_assert_true (cp_window_open_packet (window, cp_packet_get_uuid (packet), "contract",
                                        &error));
  view = CP_PACKET_VIEW (cp_window_get_packet_view (window));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "contract"));
  WAIT_FOR (thumbnails_settled (GTK_WIDGET (page)));
  {
    /* The attachments, below the page's first fields. */
    GtkWidget *editor = cp_section_page_get_editor (page, "scan");
    GtkWidget *scrolled = gtk_widget_get_ancestor (editor, GTK_TYPE_SCROLLED_WINDOW);
    GtkWidget *group = gtk_widget_get_ancestor (editor, ADW_TYPE_PREFERENCES_GROUP);
    graphene_point_t top = GRAPHENE_POINT_INIT (0, 0), at;

    GtkScrolledWindow *sw = GTK_SCROLLED_WINDOW (scrolled);

    cp_test_spin (800);
    if (gtk_widget_compute_point (group, gtk_scrolled_window_get_child (sw), &top, &at))
      gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (sw), at.y - 24);
  }
  shot ("section-thumbnails.png", 800);
  {
    g_autoptr(GPtrArray) buttons = g_ptr_array_new ();

    find_all (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON, buttons);
    for (guint i = 0; i < buttons->len; i++)
      if (CP_IS_ATTACHMENT_DETAILS (gtk_menu_button_get_popover (g_ptr_array_index (buttons,
                                                                                    i))))
        {
          gtk_menu_button_popup (g_ptr_array_index (buttons, i));
          shot ("attachment-details.png", 800);
          gtk_menu_button_popdown (g_ptr_array_index (buttons, i));
          break;
        }
  }

  /* The export: the choice, the progress, the notices. */
  cp_section_page_attach_file (page, "scan", file);
  WAIT_FOR (cp_packet_find_attachment (cp_packet_view_get_packet (view),
                                       long_pdf) != NULL);
  gtk_widget_activate_action (GTK_WIDGET (view), "packet.export-pdf", NULL);
  export = cp_test_find_toplevel (CP_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (export);
  shot ("export-dialog.png", 800);
  g_signal_connect (export, "notify::pages-done", G_CALLBACK (pages_done_cb), NULL);
  binder = g_build_filename (dir, "binder.pdf", NULL);
  cp_export_dialog_export_to (export, binder);
  WAIT_FOR (cp_test_get_int (export, "state") == CP_EXPORT_DIALOG_DONE);
  shot ("export-notices.png", 800);
  gtk_window_destroy (GTK_WINDOW (export));

  /* The city office's report dialog. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.login", NULL);
  login = cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG);
  cp_login_dialog_set_fields (login, base, "city", PASSWORD);
  cp_login_dialog_log_in (login);
  sync = cp_application_get_sync_manager (app);
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  if (cp_test_find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    gtk_window_destroy (GTK_WINDOW (login));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.export-report", NULL);
  report = cp_test_find_toplevel (CP_TYPE_REPORT_DIALOG);
  g_assert_nonnull (report);
  WAIT_FOR (!cp_test_get_boolean (report, "busy"));
  cp_report_dialog_select_report (report, "standardization-enterprises");
  cp_report_dialog_set_year (report, 2020);
  cp_report_dialog_select_district (report, "kunshan");
  shot ("report-dialog.png", 800);
  gtk_window_destroy (GTK_WINDOW (report));

  /* The progress table with its Export button. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.progress", NULL);
  {
    CpProgressPage *progress = cp_test_find_toplevel (CP_TYPE_PROGRESS_PAGE);

    fill_screen (GTK_WINDOW (progress));
    cp_progress_page_set_year (progress, 2020);
    WAIT_FOR (!cp_test_get_boolean (progress, "busy") &&
              cp_test_get_uint (progress, "n-districts") > 0);
    shot ("progress-export.png", 800);
    gtk_window_destroy (GTK_WINDOW (progress));
  }

  cp_test_app_stop (&app, &window);
  cp_test_server_stop (&server);
  cp_test_remove_tree (dir);
  return 0;
}
