/* cp-print-operation.c — prints a packet's binder: the same pages as the PDF export
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The binder is paginated once (in a worker thread: it reads and checks every attachment), then
 * GtkPrintOperation asks for its pages one by one and each is drawn by cp_binder_draw_page()
 * onto the print context, scaled from A4 points. GTK shows its own print dialog, or inside a
 * Flatpak sandbox goes through the print portal by itself: no permission is needed for that.
 */
#include "config.h"

#include "cp-print-operation.h"
#include "cp-print-operation-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-window.h"

struct _CpPrintOperation
{
  GtkPrintOperation  parent_instance;

  CpBinder          *binder;
};

G_DEFINE_FINAL_TYPE (CpPrintOperation, cp_print_operation, GTK_TYPE_PRINT_OPERATION)

/* The settings of the last print, for the next dialog of this run. */
static GtkPrintSettings *last_settings;

static void
cp_print_operation_begin_print (GtkPrintOperation *operation,
                                GtkPrintContext   *context)
{
  CpPrintOperation *self = CP_PRINT_OPERATION (operation);

  gtk_print_operation_set_n_pages (operation, (int) cp_binder_get_n_pages (self->binder));
}

static void
cp_print_operation_draw_page (GtkPrintOperation *operation,
                              GtkPrintContext   *context,
                              int                page_nr)
{
  CpPrintOperation *self = CP_PRINT_OPERATION (operation);
  cairo_t *cr = gtk_print_context_get_cairo_context (context);
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);
  double scale = MIN (width / CP_BINDER_PAGE_WIDTH, height / CP_BINDER_PAGE_HEIGHT);

  /* A4 on the paper the printer has, whole and centred (Letter paper gets a small margin). */
  cairo_save (cr);
  cairo_translate (cr, (width - CP_BINDER_PAGE_WIDTH * scale) / 2,
                   (height - CP_BINDER_PAGE_HEIGHT * scale) / 2);
  cairo_scale (cr, scale, scale);
  cp_binder_draw_page (self->binder, cr, (guint) page_nr);
  cairo_restore (cr);
}

static void
cp_print_operation_finalize (GObject *object)
{
  CpPrintOperation *self = CP_PRINT_OPERATION (object);

  g_clear_object (&self->binder);

  G_OBJECT_CLASS (cp_print_operation_parent_class)->finalize (object);
}

static void
cp_print_operation_class_init (CpPrintOperationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkPrintOperationClass *operation_class = GTK_PRINT_OPERATION_CLASS (klass);

  object_class->finalize = cp_print_operation_finalize;
  operation_class->begin_print = cp_print_operation_begin_print;
  operation_class->draw_page = cp_print_operation_draw_page;
}

static void
cp_print_operation_init (CpPrintOperation *self)
{
  g_autoptr(GtkPageSetup) setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_PORTRAIT);
  gtk_print_operation_set_default_page_setup (GTK_PRINT_OPERATION (self), setup);
  /* The binder's pages have their own margins: draw on the whole sheet. */
  gtk_print_operation_set_use_full_page (GTK_PRINT_OPERATION (self), TRUE);
  gtk_print_operation_set_unit (GTK_PRINT_OPERATION (self), GTK_UNIT_POINTS);
  gtk_print_operation_set_embed_page_setup (GTK_PRINT_OPERATION (self), TRUE);
}

CpPrintOperation *
cp_print_operation_new (CpBinder *binder)
{
  CpPrintOperation *self;

  g_return_val_if_fail (CP_IS_BINDER (binder), NULL);
  g_return_val_if_fail (cp_binder_get_n_pages (binder) > 0, NULL);

  self = g_object_new (CP_TYPE_PRINT_OPERATION, NULL);
  self->binder = g_object_ref (binder);
  gtk_print_operation_set_job_name (GTK_PRINT_OPERATION (self), cp_binder_get_title (binder));
  return self;
}

CpBinder *
cp_print_operation_get_binder (CpPrintOperation *self)
{
  g_return_val_if_fail (CP_IS_PRINT_OPERATION (self), NULL);
  return self->binder;
}

GtkPrintSettings *
cp_print_operation_get_settings (void)
{
  return last_settings;
}

void
cp_print_operation_set_settings (GtkPrintSettings *settings)
{
  g_return_if_fail (settings == NULL || GTK_IS_PRINT_SETTINGS (settings));

  if (settings != NULL)
    g_object_ref (settings);
  g_clear_object (&last_settings);
  last_settings = settings;
}

/* Print… */

static void
toast (GtkWindow  *parent,
       const char *message)
{
  g_debug ("%s", message);
  if (CP_IS_WINDOW (parent))
    cp_window_show_toast (CP_WINDOW (parent), message);
}

static void
print_done_cb (GtkPrintOperation       *operation,
               GtkPrintOperationResult  result,
               GtkWindow               *parent)
{
  g_autoptr(GError) error = NULL;

  g_object_set_data (G_OBJECT (operation), "cp-done", GINT_TO_POINTER (TRUE));
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autofree char *message = NULL;

      gtk_print_operation_get_error (operation, &error);
      message = g_strdup_printf (_("The binder could not be printed: %s"),
                                 error != NULL ? error->message : _("unknown error"));
      toast (parent, message);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    {
      cp_print_operation_set_settings (gtk_print_operation_get_print_settings (operation));
      toast (parent, _("The binder was sent to the printer."));
    }
}

static void
paginate_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  CpBinder *binder = task_data;
  GError *error = NULL;

  if (!cp_binder_paginate (binder, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
paginated_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GtkWindow) parent = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  CpBinder *binder = g_task_get_task_data (G_TASK (result));
  g_autoptr(CpPrintOperation) operation = NULL;
  GtkPrintOperationResult res;

  cp_app_weak_free (user_data);
  /* The window may have gone meanwhile: then there is nobody to print for. */
  if (parent == NULL || !gtk_widget_get_visible (GTK_WIDGET (parent)))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The binder could not be printed: %s"),
                                                  error->message);

      toast (parent, message);
      return;
    }

  operation = cp_print_operation_new (binder);
  if (last_settings != NULL)
    gtk_print_operation_set_print_settings (GTK_PRINT_OPERATION (operation), last_settings);
  gtk_print_operation_set_allow_async (GTK_PRINT_OPERATION (operation), TRUE);
  g_signal_connect_object (operation, "done", G_CALLBACK (print_done_cb), parent, 0);
  /* The dialog keeps the operation while it is open; "done" tells how it ended. */
  res = gtk_print_operation_run (GTK_PRINT_OPERATION (operation),
                                 GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, &error);
  if (res == GTK_PRINT_OPERATION_RESULT_ERROR &&
      g_object_get_data (G_OBJECT (operation), "cp-done") == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("The binder could not be printed: %s"),
                                                  error != NULL ? error->message
                                                                : _("unknown error"));

      toast (parent, message);
    }
}

void
cp_print_operation_print_packet (GtkWindow          *parent,
                                 CpTemplateRegistry *registry,
                                 CpStore            *store,
                                 CpPacket           *packet)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *files_dir = NULL;
  CpBinder *binder;

  g_return_if_fail (GTK_IS_WINDOW (parent));
  g_return_if_fail (CP_IS_TEMPLATE_REGISTRY (registry));
  g_return_if_fail (CP_IS_STORE (store));
  g_return_if_fail (CP_IS_PACKET (packet));

  files_dir = g_build_filename (cp_store_get_directory (store), "blobs", NULL);
  binder = cp_binder_new (registry, packet, files_dir, CP_BINDER_FLAGS_NONE);
  toast (parent, _("Preparing the pages to print…"));
  task = g_task_new (NULL, NULL, paginated_cb, cp_app_weak_new (parent));
  g_task_set_source_tag (task, cp_print_operation_print_packet);
  g_task_set_task_data (task, binder, g_object_unref);
  g_task_run_in_thread (task, paginate_thread);
}
