/* test-app-export.c — what leaves the program: the binder, printing, attachments people see
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real application under Xvfb with openbox; keys go through the X server with xdotool. The
 * packet's attachments are real files in the store (PDFs with text, JPEG scans, a PNG, a damaged
 * PDF and one left out). Page counts come from pdfinfo (poppler-utils) and are compared with
 * the binder's own (CpBinder paginated in the test).
 *
 * Dropping files: xdotool cannot be a drag source (that needs an XDND client offering
 * text/uri-list), so the drop is delivered by emitting the page's GtkDropTarget "drop" signal
 * with a GdkFileList, which is what GTK does when a real drop arrives.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <gtk/gtkunixprint.h>
#include <string.h>

#include "cp-application.h"
#include "cp-attachment-drop.h"
#include "cp-attachment-drop-private.h"
#include "cp-attachment-thumbnail.h"
#include "cp-attachment-thumbnail-private.h"
#include "cp-attachment-details.h"
#include "cp-attachment-details-private.h"
#include "cp-binder.h"
#include "cp-export.h"
#include "cp-export-dialog.h"
#include "cp-export-dialog-private.h"
#include "cp-packet-view.h"
#include "cp-print-operation.h"
#include "cp-print-operation-private.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-test-attachments.h"
#include "cp-test-keys.h"
#include "cp-test-app.h"
#include "cp-thumbnail-cache.h"
#include "cp-thumbnail-cache-private.h"
#include "cp-window.h"
#include "cp-window-private.h"
#include "export-files.h"

typedef struct
{
  char          *dir;       /* the test's folder: the store in "app", outputs in "out" */
  char          *out;
  CpApplication *app;
  CpWindow      *window;
  CpPacket      *packet;    /* as saved, with its real files */
} Fixture;

#define WAIT_FOR_SECS(cond, secs) CP_TEST_WAIT_FOR_SECS (cond, secs)
#define WAIT_FOR(cond) CP_TEST_WAIT_FOR_SECS (cond, 20)
#define spin(ms) cp_test_spin (ms)
#define press(...) cp_test_press (__VA_ARGS__)
#define activate(window) cp_test_activate (window)
#define find_toplevel(type) cp_test_find_toplevel (type)

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

static gboolean
toasts_contain (Fixture    *f,
                const char *text)
{
  GPtrArray *toasts = cp_window_get_toasts (f->window);

  for (guint i = 0; i < toasts->len; i++)
    if (strstr (g_ptr_array_index (toasts, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* The number of pages pdfinfo reads in @path; 0 when it cannot read it (yet). */
static guint
try_pdf_pages (const char *path)
{
  g_autofree char *out = NULL;
  const char *argv[] = { "pdfinfo", path, NULL };
  const char *line;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                     G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL) ||
      status != 0 || (line = strstr (out, "Pages:")) == NULL)
    return 0;
  return (guint) g_ascii_strtoull (line + strlen ("Pages:"), NULL, 10);
}

/* The number of pages pdfinfo reads in @path. */
static guint
pdf_pages (const char *path)
{
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdfinfo", path, NULL };
  const char *line;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status,
                               &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  line = strstr (out, "Pages:");
  g_assert_nonnull (line);
  return (guint) g_ascii_strtoull (line + strlen ("Pages:"), NULL, 10);
}

static char *
pdf_text (const char *path,
          guint       page)
{
  g_autofree char *first = g_strdup_printf ("%u", page);
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "pdftotext", "-f", first, "-l", first, path, "-", NULL };
  char *out = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                               G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL,
                               &error));
  g_assert_no_error (error);
  return out;
}

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The binder the application should write: paginated here from the packet as saved. */
static CpBinder *
expected_binder (Fixture  *f,
                 gboolean  forms_only)
{
  g_autofree char *files = g_build_filename (cp_store_get_directory (store_of (f)), "blobs",
                                             NULL);
  g_autoptr(GError) error = NULL;
  CpBinder *binder = cp_binder_new (cp_application_get_registry (f->app), f->packet,
                                    forms_only ? NULL : files,
                                    forms_only ? CP_BINDER_FLAGS_FORMS_ONLY
                                               : CP_BINDER_FLAGS_NONE);

  g_assert_true (cp_binder_paginate (binder, NULL, &error));
  g_assert_no_error (error);
  return binder;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);

  f->dir = g_dir_make_tmp ("cp-app-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (g_mkdir (f->out, 0700), ==, 0);
  data_dir = g_build_filename (f->dir, "app", NULL);
  store = cp_store_new (data_dir, &error);
  g_assert_no_error (error);
  f->packet = cp_test_packet_with_files (store, registry, "city-demonstration", 7,
                                         GPOINTER_TO_INT (data));
  g_clear_object (&store);

  f->app = cp_test_app_start (data_dir, NULL, &f->window);
  g_assert_true (cp_window_open_packet (f->window, cp_packet_get_uuid (f->packet), "contract",
                                        &error));
  g_assert_no_error (error);
  activate (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cp_test_app_stop (&f->app, &f->window);
  cp_test_remove_tree (f->dir);
  g_clear_object (&f->packet);
  g_free (f->dir);
  g_free (f->out);
}

static CpExportDialog *
open_export_by_keys (Fixture *f)
{
  CpExportDialog *dialog;

  press ("ctrl+e");
  WAIT_FOR (find_toplevel (CP_TYPE_EXPORT_DIALOG) != NULL);
  dialog = find_toplevel (CP_TYPE_EXPORT_DIALOG);
  g_assert_nonnull (dialog);
  activate (GTK_WINDOW (dialog));
  return dialog;
}

/* Ctrl+E, Enter (the whole binder is the choice), the file: every attachment's pages, and the
 * damaged and the missing file named afterwards. */
static void
test_whole_binder (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "binder.pdf", NULL);
  g_autoptr(CpBinder) expected = expected_binder (f, FALSE);
  CpExportDialog *dialog = open_export_by_keys (f);
  const char *message;
  g_autofree char *text = NULL;
  guint first_page = 0;

  g_assert_false (cp_test_get_boolean (dialog, "forms-only"));
  press ("Return");
  cp_test_choose_file ("Export the Binder as PDF", path);
  WAIT_FOR_SECS (cp_test_get_int (dialog, "state") == CP_EXPORT_DIALOG_DONE, 60);
  g_assert_cmpint (cp_test_get_int (dialog, "state"), ==, CP_EXPORT_DIALOG_DONE);
  g_assert_cmpuint (cp_test_get_uint (dialog, "n-pages"), ==, cp_binder_get_n_pages (expected));
  g_assert_cmpuint (cp_test_get_uint (dialog, "pages-done"), ==,
                    cp_binder_get_n_pages (expected));
  g_assert_cmpuint (pdf_pages (path), ==, cp_binder_get_n_pages (expected));
  g_assert_cmpuint (cp_binder_get_n_pages (expected), >, 30);
  /* The attachment pages are in it: the first PDF's own text on the page the binder says. */
  for (guint i = 0; i < cp_binder_get_n_files (expected) && first_page == 0; i++)
    {
      const char *sha256;
      CpBinderFile what;
      guint first, n;

      cp_binder_get_file (expected, i, &sha256, &what, &first, &n);
      if (what == CP_BINDER_FILE_PDF)
        first_page = first;
    }
  g_assert_cmpuint (first_page, >, 0);
  text = pdf_text (path, first_page);
  g_assert_nonnull (strstr (text, "MARK-P1"));

  /* The notices: which files, why, and on which page. */
  message = cp_test_get_string (dialog, "message");
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "damaged-"));
  g_assert_nonnull (strstr (message, "missing-"));
  g_assert_nonnull (strstr (message, "not on this computer"));
  g_assert_cmpuint (count_entries (f->out), ==, 1);

  /* Enter closes it. */
  press ("Return");
  WAIT_FOR (find_toplevel (CP_TYPE_EXPORT_DIALOG) == NULL);
  g_assert_null (find_toplevel (CP_TYPE_EXPORT_DIALOG));
}

/* The form pages alone (Alt+F, Alt+E): as many pages as a forms-only binder; no notices, so the
 * dialog closes and the window says where the file went. */
static void
test_forms_only (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "forms.pdf", NULL);
  g_autoptr(CpBinder) expected = expected_binder (f, TRUE);
  g_autoptr(CpBinder) whole = expected_binder (f, FALSE);
  CpExportDialog *dialog = open_export_by_keys (f);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  press ("alt+f");
  WAIT_FOR (cp_test_get_boolean (dialog, "forms-only"));
  g_assert_true (cp_test_get_boolean (dialog, "forms-only"));
  press ("alt+e");
  cp_test_choose_file ("Export the Binder as PDF", path);
  WAIT_FOR_SECS (dialog == NULL, 60);
  g_assert_null (dialog);
  g_assert_true (toasts_contain (f, "The binder was saved as forms.pdf"));
  g_assert_cmpuint (pdf_pages (path), ==, cp_binder_get_n_pages (expected));
  g_assert_cmpuint (cp_binder_get_n_pages (expected), <, cp_binder_get_n_pages (whole));
  g_assert_cmpuint (count_entries (f->out), ==, 1);
}

static void
pages_done_cb (CpExportDialog *dialog,
               GParamSpec     *pspec,
               gpointer        user_data)
{
  if (cp_test_get_uint (dialog, "pages-done") >= 1 &&
      cp_test_get_int (dialog, "state") == CP_EXPORT_DIALOG_RUNNING)
    gtk_widget_activate_action (GTK_WIDGET (dialog), "export.cancel", NULL);
}

/* Cancel while pages are being written: the earlier file is as it was and nothing else is
 * there. A long attachment (300 pages) keeps the export going long enough. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->out, "binder.pdf", NULL);
  g_autofree char *files = g_build_filename (cp_store_get_directory (store_of (f)), "blobs",
                                             NULL);
  g_autofree char *contents = NULL;
  g_autofree char *long_pdf = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *source = NULL;
  CpExportDialog *dialog;
  CpSectionPage *page;
  CpPacket *packet = cp_packet_view_get_packet (get_view (f));
  guint64 size = 0;
  guint n_attachments = cp_packet_get_attachments (packet)->len;

  /* A 300-page scan attached on the contract page, as a user does. */
  long_pdf = cp_test_make_pdf (f->dir, "LONG", 300, 0, &size);
  source = g_build_filename (f->dir, long_pdf, NULL);
  {
    g_autofree char *named = g_build_filename (f->dir, "long-contract.pdf", NULL);

    g_assert_cmpint (g_rename (source, named), ==, 0);
    file = g_file_new_for_path (named);
  }
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (get_view (f), "contract"));
  cp_section_page_attach_file (page, "scan", file);
  WAIT_FOR (cp_packet_get_attachments (packet)->len == n_attachments + 1);
  g_assert_cmpuint (cp_packet_get_attachments (packet)->len, ==, n_attachments + 1);

  g_assert_true (g_file_set_contents (path, "the earlier binder", -1, NULL));
  dialog = open_export_by_keys (f);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_signal_connect (dialog, "notify::pages-done", G_CALLBACK (pages_done_cb), NULL);
  cp_export_dialog_export_to (dialog, path);
  g_assert_cmpint (cp_test_get_int (dialog, "state"), ==, CP_EXPORT_DIALOG_RUNNING);
  WAIT_FOR_SECS (dialog == NULL, 60);
  g_assert_null (dialog);
  g_assert_true (toasts_contain (f, "The export was cancelled. No file was written."));
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_cmpstr (contents, ==, "the earlier binder");
  g_assert_cmpuint (count_entries (f->out), ==, 1);
}

/* Escape before anything is written closes the dialog and writes nothing. */
static void
test_escape (Fixture       *f,
             gconstpointer  data)
{
  CpExportDialog *dialog = open_export_by_keys (f);

  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  press ("Escape");
  WAIT_FOR (dialog == NULL);
  g_assert_null (dialog);
  g_assert_cmpuint (count_entries (f->out), ==, 0);
}

/* GtkPrintOperation in export mode through the same pages: as many pages as the binder, the
 * attachments' text where the binder has it. */
static void
test_print_export (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *printed = g_build_filename (f->out, "printed.pdf", NULL);
  g_autofree char *exported = g_build_filename (f->out, "exported.pdf", NULL);
  g_autoptr(CpBinder) binder = expected_binder (f, FALSE);
  g_autoptr(CpBinder) again = expected_binder (f, FALSE);
  g_autoptr(CpPrintOperation) operation = cp_print_operation_new (binder);
  g_autoptr(GError) error = NULL;
  GtkPrintOperationResult result;

  gtk_print_operation_set_export_filename (GTK_PRINT_OPERATION (operation), printed);
  result = gtk_print_operation_run (GTK_PRINT_OPERATION (operation),
                                    GTK_PRINT_OPERATION_ACTION_EXPORT, GTK_WINDOW (f->window),
                                    &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, GTK_PRINT_OPERATION_RESULT_APPLY);
  g_assert_true (cp_export_binder (again, exported, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pdf_pages (printed), ==, cp_binder_get_n_pages (binder));
  g_assert_cmpuint (pdf_pages (printed), ==, pdf_pages (exported));
  for (guint page = 1; page <= cp_binder_get_n_pages (binder); page += 7)
    {
      g_autofree char *a = pdf_text (printed, page);
      g_autofree char *b = pdf_text (exported, page);
      g_autofree char *footer = g_strdup_printf ("%u", page);

      g_assert_nonnull (strstr (a, footer));
      g_assert_cmpuint (strlen (a) / 10, ==, strlen (b) / 10);
    }
}

/* Ctrl+P: the print dialog, opened on the settings of the last print (here: print to a PDF
 * file); Enter prints every page of the binder. */
static void
test_print_by_keys (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *printed = g_build_filename (f->out, "ctrl-p.pdf", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (printed);
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GtkPrintSettings) settings = gtk_print_settings_new ();
  g_autoptr(CpBinder) binder = expected_binder (f, FALSE);
  GtkWindow *dialog;

  gtk_print_settings_set_printer (settings, "Print to File");
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_URI, uri);
  gtk_print_settings_set (settings, GTK_PRINT_SETTINGS_OUTPUT_FILE_FORMAT, "pdf");
  cp_print_operation_set_settings (settings);

  press ("ctrl+p");
  WAIT_FOR_SECS (find_toplevel (GTK_TYPE_PRINT_UNIX_DIALOG) != NULL, 30);
  dialog = find_toplevel (GTK_TYPE_PRINT_UNIX_DIALOG);
  g_assert_nonnull (dialog);
  activate (dialog);
  /* The printer list fills in as the backends answer. */
  WAIT_FOR (gtk_print_unix_dialog_get_selected_printer (GTK_PRINT_UNIX_DIALOG (dialog)) != NULL);
  g_assert_cmpstr (gtk_printer_get_name (
                     gtk_print_unix_dialog_get_selected_printer (GTK_PRINT_UNIX_DIALOG (dialog))),
                   ==, "Print to File");
  spin (300);
  press ("Return");
  WAIT_FOR_SECS (toasts_contain (f, "sent to the printer") && g_file_test (printed,
                                                                          G_FILE_TEST_EXISTS),
                 60);
  g_assert_true (toasts_contain (f, "sent to the printer"));
  /* The file backend copies the spooled job in the main loop: let it run between looks. */
  for (guint i = 0; i < 120 && try_pdf_pages (printed) != cp_binder_get_n_pages (binder); i++)
    spin (250);
  if (try_pdf_pages (printed) != cp_binder_get_n_pages (binder))
    {
      g_autofree char *head = NULL;
      gsize length = 0;

      g_file_get_contents (printed, &head, &length, NULL);
      g_error ("printed: %" G_GSIZE_FORMAT " bytes, %.8s…, %u pages", length,
               head != NULL ? head : "", try_pdf_pages (printed));
    }
  g_assert_cmpuint (pdf_pages (printed), ==, cp_binder_get_n_pages (binder));
  cp_print_operation_set_settings (NULL);
}

static GPtrArray *
thumbnails_of (GtkWidget *page)
{
  GPtrArray *found = g_ptr_array_new ();

  find_all (page, CP_TYPE_ATTACHMENT_THUMBNAIL, found);
  return found;
}

static gboolean
all_settled (GPtrArray *thumbnails)
{
  for (guint i = 0; i < thumbnails->len; i++)
    {
      CpAttachmentThumbnail *t = g_ptr_array_index (thumbnails, i);

      if (cp_attachment_thumbnail_get_paintable (t) == NULL &&
          cp_attachment_thumbnail_get_problem (t) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Whether the texture has darker pixels (text, lines): a real page or scan, not a blank. */
static gboolean
has_ink (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc ((gsize) width * height * 4);
  guint dark = 0;

  gdk_texture_download (texture, data, (gsize) width * 4);
  for (int i = 0; i < width * height; i++)
    {
      const guchar *p = data + 4 * i;

      /* Two lines of small text come out as a few grey pixels at this size. */
      if (MAX (p[0], MAX (p[1], p[2])) < 220)
        dark++;
    }
  return dark >= 8;
}

static const CpAttachment *
attachment_of (Fixture    *f,
               const char *prefix)
{
  GPtrArray *attachments = cp_packet_get_attachments (f->packet);

  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *a = g_ptr_array_index (attachments, i);

      if (g_str_has_prefix (a->name, prefix))
        return a;
    }
  return NULL;
}

/* Every section's attachment rows show a thumbnail made off the main thread: the first page of
 * a PDF, a JPEG scaled down, both with their aspect; the damaged and the missing file say why
 * they have none; the SHA-256 is in the details, not the row. Opened again, the thumbnails come
 * from the cache. */
static void
test_thumbnails (Fixture       *f,
                 gconstpointer  data)
{
  CpThumbnailCache *cache = cp_thumbnail_cache_get_default ();
  g_autoptr(GPtrArray) pages = cp_packet_view_get_pages (get_view (f));
  const CpAttachment *pdf = attachment_of (f, "file-");
  const CpAttachment *jpeg = attachment_of (f, "scan-");
  gboolean seen_pdf = FALSE, seen_jpeg = FALSE, seen_missing = FALSE, seen_damaged = FALSE;
  guint rendered_before = cp_thumbnail_cache_get_n_rendered (cache);
  guint n_thumbnails = 0;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (pdf);
  g_assert_nonnull (jpeg);
  for (guint p = 0; p < pages->len; p++)
    {
      GtkWidget *page = cp_packet_view_get_page_widget (get_view (f),
                                                        g_ptr_array_index (pages, p));
      g_autoptr(GPtrArray) thumbnails = NULL;
      g_autoptr(GPtrArray) rows = g_ptr_array_new ();

      if (!CP_IS_SECTION_PAGE (page))
        continue;
      cp_packet_view_set_page (get_view (f), g_ptr_array_index (pages, p));
      thumbnails = thumbnails_of (page);
      WAIT_FOR_SECS (all_settled (thumbnails), 30);
      g_assert_true (all_settled (thumbnails));
      n_thumbnails += thumbnails->len;
      for (guint i = 0; i < thumbnails->len; i++)
        {
          CpAttachmentThumbnail *t = g_ptr_array_index (thumbnails, i);
          GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (t), ADW_TYPE_ACTION_ROW);
          const char *name = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
          GdkPaintable *paintable = cp_attachment_thumbnail_get_paintable (t);
          const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
          g_autoptr(GPtrArray) details = g_ptr_array_new ();

          /* No fingerprint in the row: it is in the details popover. */
          find_all (row, CP_TYPE_ATTACHMENT_DETAILS, details);
          g_assert_cmpuint (details->len, ==, 1);
          if (g_str_equal (name, pdf->name))
            g_assert_cmpstr (cp_attachment_details_get_sha256 (g_ptr_array_index (details, 0)),
                             ==, pdf->sha256);
          for (guint a = 0; a < cp_packet_get_attachments (f->packet)->len; a++)
            g_assert_null (strstr (subtitle, ((CpAttachment *) g_ptr_array_index (
                                     cp_packet_get_attachments (f->packet), a))->sha256));
          g_assert_null (strstr (subtitle, "SHA-256"));

          if (g_str_has_prefix (name, "missing-"))
            {
              g_assert_null (paintable);
              g_assert_cmpstr (cp_attachment_thumbnail_get_problem (t), ==,
                               "The file is not on this computer.");
              seen_missing = TRUE;
            }
          else if (g_str_has_prefix (name, "damaged-"))
            {
              g_assert_null (paintable);
              g_assert_nonnull (strstr (cp_attachment_thumbnail_get_problem (t),
                                        "cannot be read"));
              seen_damaged = TRUE;
            }
          else
            {
              GdkTexture *texture;
              int w, h;

              g_assert_true (GDK_IS_TEXTURE (paintable));
              texture = GDK_TEXTURE (paintable);
              w = gdk_texture_get_width (texture);
              h = gdk_texture_get_height (texture);
              /* The longest side CP_THUMBNAIL_SIZE; A4 upright kept upright. */
              g_assert_cmpint (MAX (w, h), ==, CP_THUMBNAIL_SIZE);
              if (g_getenv ("CP_TEST_THUMBNAILS") != NULL)
                {
                  g_autofree char *png = g_strdup_printf ("%s/%s.png",
                                                          g_getenv ("CP_TEST_THUMBNAILS"), name);
                  gdk_texture_save_to_png (texture, png);
                }
              g_assert_true (has_ink (texture));
              if (g_str_has_prefix (name, "file-"))
                {
                  g_assert_cmpint (h, ==, CP_THUMBNAIL_SIZE);
                  g_assert_cmpint (abs (w - (int) (CP_THUMBNAIL_SIZE / 1.4142 + 0.5)), <=, 1);
                  seen_pdf = TRUE;
                }
              if (g_str_has_prefix (name, "scan-"))
                {
                  g_assert_cmpint (h, ==, CP_THUMBNAIL_SIZE);
                  g_assert_cmpint (w, <, h);
                  seen_jpeg = TRUE;
                }
            }
        }
    }
  g_assert_true (seen_pdf);
  g_assert_true (seen_jpeg);
  g_assert_true (seen_missing);
  g_assert_true (seen_damaged);
  g_assert_cmpuint (cp_thumbnail_cache_get_n_rendered (cache) - rendered_before, <=, n_thumbnails);
  g_assert_cmpuint (cp_thumbnail_cache_get_n_rendered (cache), >, rendered_before);

  /* Kept on disk under the SHA-256, and in memory: opening the packet again renders none. */
  {
    g_autofree char *name = g_strdup_printf ("%s-%d.png", pdf->sha256, CP_THUMBNAIL_SIZE);
    g_autofree char *png = g_build_filename (g_get_user_cache_dir (), "credit-packet",
                                             "thumbnails", name, NULL);
    guint rendered = cp_thumbnail_cache_get_n_rendered (cache);
    g_autoptr(GPtrArray) thumbnails = NULL;

    g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
    g_assert_nonnull (cp_thumbnail_cache_lookup (cache, pdf->sha256));
    cp_packet_view_close (get_view (f));
    g_assert_true (cp_window_open_packet (f->window, cp_packet_get_uuid (f->packet), "contract",
                                          &error));
    thumbnails = thumbnails_of (cp_packet_view_get_page_widget (get_view (f), "contract"));
    g_assert_cmpuint (thumbnails->len, >, 0);
    for (guint i = 0; i < thumbnails->len; i++)
      if (cp_attachment_thumbnail_get_problem (g_ptr_array_index (thumbnails, i)) == NULL)
        g_assert_nonnull (cp_attachment_thumbnail_get_paintable (g_ptr_array_index (thumbnails,
                                                                                    i)));
    spin (200);
    /* The missing and the damaged file are tried again; nothing else. */
    g_assert_cmpuint (cp_thumbnail_cache_get_n_rendered (cache) - rendered, <=, 2);
  }
}

/* Drops @paths onto @page at the centre of @target (NULL: the page's top left, its title). */
static gboolean
drop_files (CpSectionPage      *page,
            GtkWidget          *target,
            const char * const *paths)
{
  GtkDropTarget *drop = cp_attachment_drop_get_target (page);
  GdkFileList *list;
  GSList *files = NULL;
  GValue value = G_VALUE_INIT;
  graphene_point_t point = GRAPHENE_POINT_INIT (8, 8);
  gboolean accepted = FALSE;

  g_assert_nonnull (drop);
  for (guint i = 0; paths[i] != NULL; i++)
    files = g_slist_append (files, g_file_new_for_path (paths[i]));
  list = gdk_file_list_new_from_list (files);
  g_slist_free_full (files, g_object_unref);
  if (target != NULL)
    {
      graphene_point_t centre = GRAPHENE_POINT_INIT (gtk_widget_get_width (target) / 2.0f,
                                                     gtk_widget_get_height (target) / 2.0f);

      g_assert_true (gtk_widget_compute_point (target, GTK_WIDGET (page), &centre, &point));
    }
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, list);
  g_signal_emit_by_name (drop, "drop", &value, (double) point.x, (double) point.y, &accepted);
  g_value_unset (&value);
  return accepted;
}

static guint
n_values (CpPacket   *packet,
          const char *section,
          const char *field)
{
  JsonNode *node = cp_packet_get_value (packet, section, field);

  if (node == NULL)
    return 0;
  return JSON_NODE_HOLDS_ARRAY (node) ? json_array_get_length (json_node_get_array (node)) : 1;
}

static GtkWidget *
field_group (CpSectionPage *page,
             const char    *field)
{
  GtkWidget *editor = cp_section_page_get_editor (page, field);
  GtkWidget *group;

  g_assert_nonnull (editor);
  group = gtk_widget_get_ancestor (editor, ADW_TYPE_PREFERENCES_GROUP);
  g_assert_nonnull (group);
  /* Shown, laid out and scrolled into view, so that the drop point is over it. */
  WAIT_FOR (gtk_widget_get_mapped (group) && gtk_widget_get_height (group) > 0);
  {
    GtkScrolledWindow *scrolled =
      GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (group, GTK_TYPE_SCROLLED_WINDOW));
    graphene_point_t top = GRAPHENE_POINT_INIT (0, 0);
    graphene_point_t in_content;

    g_assert_true (gtk_widget_compute_point (group, gtk_scrolled_window_get_child (scrolled),
                                             &top, &in_content));
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (scrolled), in_content.y - 12);
  }
  spin (300);
  return group;
}

/* Files dropped onto a field go into it (with a thumbnail); onto the page's title, into the
 * first field that takes their type. */
static void
test_drop (Fixture       *f,
           gconstpointer  data)
{
  CpPacketView *view = get_view (f);
  CpPacket *packet = cp_packet_view_get_packet (view);
  CpSectionPage *page;
  g_autofree char *sha = NULL;
  g_autofree char *pdf = g_build_filename (f->dir, "补充合同.pdf", NULL);
  g_autofree char *jpeg = NULL;
  g_autofree char *jpeg_sha = NULL;
  const char *paths[] = { pdf, NULL, NULL };
  guint64 size = 0;
  guint before;
  GPtrArray *attachments;

  g_assert_true (cp_packet_view_set_page (view, "field-survey"));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "field-survey"));
  sha = cp_test_make_pdf (f->dir, "DROPPED", 2, 0, &size);
  {
    g_autofree char *made = g_build_filename (f->dir, sha, NULL);

    g_assert_cmpint (g_rename (made, pdf), ==, 0);
  }
  /* Onto "receipt_scan", the second field for files of the page. */
  before = n_values (packet, "field-survey", "receipt_scan");
  g_assert_true (drop_files (page, field_group (page, "receipt_scan"), paths));
  WAIT_FOR (n_values (packet, "field-survey", "receipt_scan") == before + 1);
  g_assert_cmpuint (n_values (packet, "field-survey", "receipt_scan"), ==, before + 1);
  g_assert_nonnull (cp_packet_find_attachment (packet, sha));
  g_assert_cmpstr (cp_packet_find_attachment (packet, sha)->name, ==, "补充合同.pdf");
  {
    g_autoptr(CpPacket) saved = cp_store_load_packet (store_of (f), cp_packet_get_uuid (packet),
                                                      NULL);

    g_assert_nonnull (cp_packet_find_attachment (saved, sha));
    g_assert_true (cp_store_has_blob (store_of (f), sha));
  }
  /* Its row has its thumbnail. */
  {
    g_autoptr(GPtrArray) thumbnails = thumbnails_of (GTK_WIDGET (page));
    gboolean found = FALSE;

    WAIT_FOR_SECS (all_settled (thumbnails), 30);
    for (guint i = 0; i < thumbnails->len; i++)
      {
        CpAttachmentThumbnail *t = g_ptr_array_index (thumbnails, i);
        GtkWidget *row = gtk_widget_get_ancestor (GTK_WIDGET (t), ADW_TYPE_ACTION_ROW);

        if (g_str_equal (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                         "补充合同.pdf"))
          found = cp_attachment_thumbnail_get_paintable (t) != NULL;
      }
    g_assert_true (found);
  }

  /* A JPEG onto the page's title: "report" takes no pictures, so it goes to "receipt_scan". */
  jpeg_sha = cp_test_make_jpeg (f->dir, "现场照片", 30, 80, &size);
  jpeg = g_build_filename (f->dir, "现场照片.jpg", NULL);
  {
    g_autofree char *made = g_build_filename (f->dir, jpeg_sha, NULL);

    g_assert_cmpint (g_rename (made, jpeg), ==, 0);
  }
  paths[0] = jpeg;
  before = n_values (packet, "field-survey", "receipt_scan");
  attachments = cp_packet_get_attachments (packet);
  g_assert_true (drop_files (page, NULL, paths));
  WAIT_FOR (n_values (packet, "field-survey", "receipt_scan") == before + 1);
  g_assert_cmpuint (n_values (packet, "field-survey", "receipt_scan"), ==, before + 1);
  g_assert_nonnull (cp_packet_find_attachment (packet, jpeg_sha));
  g_assert_cmpstr (cp_packet_find_attachment (packet, jpeg_sha)->mime, ==, "image/jpeg");
  g_assert_cmpuint (attachments->len, >, 0);
}

/* What cannot be attached says so: an empty file and a folder under the field they were dropped
 * on, a type the field does not take under it too, a file where no field takes it in a toast;
 * nothing is added. */
static void
test_bad_drops (Fixture       *f,
                gconstpointer  data)
{
  CpPacketView *view = get_view (f);
  CpPacket *packet = cp_packet_view_get_packet (view);
  CpSectionPage *page;
  g_autofree char *empty = g_build_filename (f->dir, "空白扫描.pdf", NULL);
  g_autofree char *folder = g_build_filename (f->dir, "扫描件", NULL);
  g_autofree char *text = g_build_filename (f->dir, "notes.txt", NULL);
  const char *paths[] = { empty, NULL };
  guint n_attachments = cp_packet_get_attachments (packet)->len;
  guint before;
  const char *error;

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  g_assert_cmpint (g_mkdir (folder, 0700), ==, 0);
  g_assert_true (g_file_set_contents (text, "meeting notes", -1, NULL));
  g_assert_true (cp_packet_view_set_page (view, "field-survey"));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "field-survey"));
  before = n_values (packet, "field-survey", "report");

  g_assert_true (drop_files (page, field_group (page, "report"), paths));
  WAIT_FOR (cp_section_page_get_error (page, "report") != NULL &&
            strstr (cp_section_page_get_error (page, "report"), "empty") != NULL);
  error = cp_section_page_get_error (page, "report");
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error, "“空白扫描.pdf” is empty (0 bytes)"));

  paths[0] = folder;
  g_assert_true (drop_files (page, field_group (page, "report"), paths));
  WAIT_FOR (strstr (cp_section_page_get_error (page, "report"), "is not a file") != NULL);
  g_assert_nonnull (strstr (cp_section_page_get_error (page, "report"), "“扫描件” is not a file"));

  paths[0] = text;
  g_assert_true (drop_files (page, field_group (page, "report"), paths));
  WAIT_FOR (strstr (cp_section_page_get_error (page, "report"), "not of a type") != NULL);
  g_assert_nonnull (strstr (cp_section_page_get_error (page, "report"), "“notes.txt”"));

  /* Onto the title: no field of the page takes plain text. */
  g_assert_false (drop_files (page, NULL, paths));
  WAIT_FOR (toasts_contain (f, "“notes.txt” was not attached"));
  g_assert_true (toasts_contain (f, "no field of this page takes another file of its type"));

  spin (200);
  g_assert_cmpuint (n_values (packet, "field-survey", "report"), ==, before);
  g_assert_cmpuint (cp_packet_get_attachments (packet)->len, ==, n_attachments);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *cache = NULL;
  int status;

  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GDK_BACKEND", "x11", TRUE);
  /* Thumbnails of this run only. */
  cache = g_dir_make_tmp ("cp-app-export-cache-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  cp_application_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);
  /* No CUPS to wait for: the file backend prints. */
  g_object_set (gtk_settings_get_default (), "gtk-print-backends", "file", NULL);

  if (g_find_program_in_path ("pdfinfo") == NULL || !cp_test_keys_start_wm ())
    {
      g_test_message ("xdotool, openbox and pdfinfo are needed");
      return 77;
    }

#define ADD(name, problems, func) \
  g_test_add ("/export/" name, Fixture, GINT_TO_POINTER (problems), fixture_set_up, func, \
              fixture_tear_down)
  ADD ("whole-binder", TRUE, test_whole_binder);
  ADD ("forms-only", TRUE, test_forms_only);
  ADD ("cancel", FALSE, test_cancel);
  ADD ("escape", FALSE, test_escape);
  ADD ("print-export", TRUE, test_print_export);
  ADD ("print-by-keys", FALSE, test_print_by_keys);
  ADD ("thumbnails", TRUE, test_thumbnails);
  ADD ("drop", FALSE, test_drop);
  ADD ("bad-drops", FALSE, test_bad_drops);
#undef ADD

  status = g_test_run ();
  cp_test_keys_stop_wm ();
  cp_test_remove_tree (cache);
  return status;
}
