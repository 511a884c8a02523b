/* cp-export-dialog.c — exports a packet's binder as PDF: what, where, progress, notices
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The whole binder (the form pages and every attachment's own pages, from the store's blob
 * folder) or the form pages alone. The core writes it in a worker thread to a temporary file
 * that is renamed over the chosen one when complete (cp_export_binder_async()); the dialog shows
 * the pages written of all and cancels through the export's GCancellable. Afterwards the
 * attachments that got a notice page (missing, damaged, password-protected) or are only listed
 * are named, so that whoever sends the binder knows what to supply.
 */
#include "config.h"

#include "cp-export-dialog.h"
#include "cp-export-dialog-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-binder.h"
#include "cp-export.h"
#include "cp-window.h"

struct _CpExportDialog
{
  AdwWindow            parent_instance;

  /* template children */
  GtkButton           *cancel_button;
  GtkButton           *export_button;
  GtkStack            *stack;
  AdwActionRow        *whole_row;
  GtkCheckButton      *whole_check;
  GtkCheckButton      *forms_check;
  GtkLabel            *notes_label;
  GtkLabel            *progress_title;
  GtkProgressBar      *progress_bar;
  GtkLabel            *progress_label;
  AdwStatusPage       *done_page;
  GtkLabel            *notices_label;
  GtkButton           *open_button;
  GtkButton           *close_button;

  CpTemplateRegistry  *registry;
  CpStore             *store;
  CpPacket            *packet;         /* a copy, as it was when the dialog opened */
  CpBinder            *binder;         /* the running or last export's */
  GCancellable        *cancellable;
  GtkFileChooserNative *chooser;
  char                *path;
  char                *message;
  CpExportDialogState  state;
  guint                pages_done;
  guint                n_pages;
  guint                pulse_id;
  gboolean             draft;
  gboolean             disposed;
};

enum {
  PROP_0,
  PROP_STATE,
  PROP_PAGES_DONE,
  PROP_N_PAGES,
  PROP_FORMS_ONLY,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpExportDialog, cp_export_dialog, ADW_TYPE_WINDOW)

static void
cp_export_dialog_set_state (CpExportDialog      *self,
                            CpExportDialogState  state)
{
  static const char * const pages[] = { "choose", "progress", "done" };

  self->state = state;
  gtk_stack_set_visible_child_name (self->stack, pages[state]);
  gtk_widget_set_visible (GTK_WIDGET (self->export_button), state == CP_EXPORT_DIALOG_CHOOSE);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), state != CP_EXPORT_DIALOG_DONE);
  if (state == CP_EXPORT_DIALOG_CHOOSE)
    gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->export_button));
  else if (state == CP_EXPORT_DIALOG_RUNNING)
    gtk_widget_grab_focus (GTK_WIDGET (self->cancel_button));
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
}

static void
cp_export_dialog_set_message (CpExportDialog *self,
                              const char     *message)
{
  if (g_strcmp0 (message, self->message) == 0)
    return;
  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);
}

static void
cp_export_dialog_set_progress (CpExportDialog *self,
                               guint           done,
                               guint           total)
{
  g_autofree char *text = NULL;

  if (done != self->pages_done)
    {
      self->pages_done = done;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PAGES_DONE]);
    }
  if (total != self->n_pages)
    {
      self->n_pages = total;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PAGES]);
    }
  if (total == 0)
    return;
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  /* Translators: pages of the binder written so far, of all its pages */
  text = g_strdup_printf (_("Page %u of %u"), done, total);
  gtk_progress_bar_set_text (self->progress_bar, text);
  gtk_progress_bar_set_fraction (self->progress_bar, (double) done / total);
  gtk_label_set_text (self->progress_label, _("Each page is written and forgotten before the "
                                              "next. Cancel leaves no file behind."));
}

/* What the binder did with the attachments it could not bind in, one line each. */
static char *
describe_notices (CpExportDialog *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  CpPacket *packet = cp_binder_get_packet (self->binder);

  for (guint i = 0; i < cp_binder_get_n_files (self->binder); i++)
    {
      const char *sha256 = NULL;
      const CpAttachment *attachment;
      CpBinderFile what;
      guint first_page = 0;
      guint n_pages = 0;
      const char *why;

      cp_binder_get_file (self->binder, i, &sha256, &what, &first_page, &n_pages);
      switch (what)
        {
        case CP_BINDER_FILE_MISSING:
          why = _("not on this computer: sync, or attach it again");
          break;
        case CP_BINDER_FILE_DAMAGED:
          why = _("damaged, or not the file the packet names: attach it again");
          break;
        case CP_BINDER_FILE_ENCRYPTED:
          why = _("protected by a password: attach a copy without one");
          break;
        case CP_BINDER_FILE_OTHER:
          why = _("a type the binder cannot show: listed, not bound in");
          break;
        case CP_BINDER_FILE_PDF:
        case CP_BINDER_FILE_IMAGE:
        case CP_BINDER_FILE_NOT_BOUND:
        default:
          continue;
        }
      attachment = cp_packet_find_attachment (packet, sha256);
      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (first_page > 0)
        /* Translators: an attachment's name, why it is not bound in, the page that says so */
        g_string_append_printf (text, _("• %s — %s (page %u)"),
                                attachment != NULL ? attachment->name : sha256, why, first_page);
      else
        /* Translators: an attachment's name, why it is not bound in */
        g_string_append_printf (text, _("• %s — %s"),
                                attachment != NULL ? attachment->name : sha256, why);
    }
  return text->len > 0 ? g_string_free (g_steal_pointer (&text), FALSE) : NULL;
}

static void
cp_export_dialog_toast (CpExportDialog *self,
                        const char     *message)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  g_debug ("%s", message);
  if (CP_IS_WINDOW (parent))
    cp_window_show_toast (CP_WINDOW (parent), message);
}

static void
cp_export_dialog_show_error (CpExportDialog *self,
                             const char     *message)
{
  cp_export_dialog_set_message (self, message);
  gtk_label_set_text (self->notes_label, message);
  gtk_widget_remove_css_class (GTK_WIDGET (self->notes_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->notes_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), TRUE);
  cp_export_dialog_set_state (self, CP_EXPORT_DIALOG_CHOOSE);
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  g_autoptr(CpExportDialog) self = g_weak_ref_get (user_data);

  if (self != NULL && !self->disposed && self->state == CP_EXPORT_DIALOG_RUNNING)
    cp_export_dialog_set_progress (self, done, total);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpExportDialog) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *notices = NULL;
  g_autofree char *message = NULL;
  gboolean visible;

  cp_app_weak_free (user_data);
  if (self == NULL)
    {
      /* Closed meanwhile (and so cancelled): nobody to tell. */
      cp_export_binder_finish (CP_BINDER (object), result, NULL);
      return;
    }
  name = g_filename_display_basename (self->path);
  visible = !self->disposed && gtk_widget_get_visible (GTK_WIDGET (self));

  g_clear_handle_id (&self->pulse_id, g_source_remove);
  g_clear_object (&self->cancellable);
  if (!cp_export_binder_finish (CP_BINDER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          cp_export_dialog_toast (self, _("The export was cancelled. No file was written."));
          if (visible)
            gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
      message = g_strdup_printf (_("The binder could not be exported: %s"), error->message);
      if (!visible)
        {
          cp_export_dialog_toast (self, message);
          return;
        }
      cp_export_dialog_show_error (self, message);
      return;
    }

  notices = describe_notices (self);
  if (visible)
    cp_export_dialog_set_progress (self, cp_binder_get_n_pages (self->binder),
                                   cp_binder_get_n_pages (self->binder));
  if (cp_binder_get_draft (self->binder))
    /* Translators: the file name of the exported binder */
    message = g_strdup_printf (_("The binder was saved as %s, marked 草稿 (draft): the packet "
                                 "is not ready to submit."), name);
  else
    message = g_strdup_printf (_("The binder was saved as %s"), name);

  if (notices == NULL || !visible)
    {
      cp_export_dialog_toast (self, message);
      cp_export_dialog_set_message (self, NULL);
      self->state = CP_EXPORT_DIALOG_DONE;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATE]);
      if (visible)
        gtk_window_destroy (GTK_WINDOW (self));
      return;
    }

  /* Say which attachments got a notice page instead of their own, and what to do. */
  cp_export_dialog_set_message (self, notices);
  adw_status_page_set_icon_name (self->done_page, "dialog-warning-symbolic");
  adw_status_page_set_title (self->done_page, _("Exported, with Notices"));
  {
    guint n = 1;
    g_autofree char *description = NULL;

    for (const char *p = notices; *p != '\0'; p++)
      n += *p == '\n';
    description =
      g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                    "%s. %u attachment is not bound in; a page in its place "
                                    "says why:",
                                    "%s. %u attachments are not bound in; a page in the place "
                                    "of each says why:", n),
                       message, n);

    adw_status_page_set_description (self->done_page, description);
  }
  gtk_label_set_text (self->notices_label, notices);
  gtk_widget_set_visible (GTK_WIDGET (self->notices_label), TRUE);
  cp_export_dialog_set_state (self, CP_EXPORT_DIALOG_DONE);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->close_button));
  gtk_widget_grab_focus (GTK_WIDGET (self->close_button));
}

static gboolean
pulse_cb (gpointer user_data)
{
  CpExportDialog *self = user_data;

  gtk_progress_bar_pulse (self->progress_bar);
  return G_SOURCE_CONTINUE;
}

static char *
cp_export_dialog_files_dir (CpExportDialog *self)
{
  return g_build_filename (cp_store_get_directory (self->store), "blobs", NULL);
}

void
cp_export_dialog_export_to (CpExportDialog *self,
                            const char     *path)
{
  g_autofree char *files_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;
  gboolean forms_only;

  g_return_if_fail (CP_IS_EXPORT_DIALOG (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (self->state != CP_EXPORT_DIALOG_RUNNING);

  forms_only = cp_export_dialog_get_forms_only (self);
  files_dir = cp_export_dialog_files_dir (self);
  g_clear_object (&self->binder);
  self->binder = cp_binder_new (self->registry, self->packet, forms_only ? NULL : files_dir,
                                forms_only ? CP_BINDER_FLAGS_FORMS_ONLY : CP_BINDER_FLAGS_NONE);
  g_free (self->path);
  self->path = g_strdup (path);
  cp_export_dialog_set_message (self, NULL);
  self->cancellable = g_cancellable_new ();

  name = g_filename_display_basename (path);
  /* Translators: the file the binder is written to */
  title = g_strdup_printf (forms_only ? _("Writing the form pages to %s")
                                      : _("Writing the binder to %s"), name);
  gtk_label_set_text (self->progress_title, title);
  gtk_label_set_text (self->progress_label, forms_only
                      ? _("Laying out the pages…")
                      : _("Reading and checking the attachments…"));
  gtk_progress_bar_set_text (self->progress_bar, NULL);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  self->pulse_id = g_timeout_add (120, pulse_cb, self);
  cp_export_dialog_set_progress (self, 0, 0);
  cp_export_dialog_set_state (self, CP_EXPORT_DIALOG_RUNNING);

  cp_export_binder_async (self->binder, path, progress_cb, cp_app_weak_new (self), cp_app_weak_free,
                          self->cancellable, export_done_cb, cp_app_weak_new (self));
}

static void
chooser_response_cb (GtkNativeDialog *native,
                     int              response,
                     CpExportDialog  *self)
{
  gboolean not_local = FALSE;
  g_autofree char *path = cp_app_export_chooser_finish (native, response, &not_local);

  g_clear_object (&self->chooser);
  if (not_local)
    cp_export_dialog_show_error (self, _("Choose a folder on this computer."));
  if (path != NULL)
    cp_export_dialog_export_to (self, path);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (widget);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char *name = cp_packet_get_enterprise_name (self->packet);
  g_autofree char *suggested = NULL;

  if (self->state == CP_EXPORT_DIALOG_RUNNING || self->chooser != NULL)
    return;
  if (name == NULL || *name == '\0')
    name = _("Packet");
  if (cp_export_dialog_get_forms_only (self))
    /* Translators: file name of the exported form pages: enterprise, year */
    suggested = g_strdup_printf (_("%s %d form pages.pdf"), name,
                                 cp_packet_get_year (self->packet));
  else
    /* Translators: file name of the exported binder: enterprise, year */
    suggested = g_strdup_printf (_("%s %d binder.pdf"), name, cp_packet_get_year (self->packet));

  gtk_file_filter_set_name (filter, _("PDF documents"));
  gtk_file_filter_add_mime_type (filter, "application/pdf");
  self->chooser = cp_app_export_chooser_new (GTK_WINDOW (self), _("Export the Binder as PDF"),
                                             suggested, filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  cp_export_dialog_cancel (CP_EXPORT_DIALOG (widget));
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (widget);
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  if (self->path == NULL)
    return;
  file = g_file_new_for_path (self->path);
  uri = g_file_get_uri (file);
  gtk_show_uri (parent, uri, GDK_CURRENT_TIME);
  gtk_window_close (GTK_WINDOW (self));
}

/* Enter while choosing exports, wherever the focus is (a check button would only toggle). */
static gboolean
enter_cb (GtkWidget *widget,
          GVariant  *args,
          gpointer   user_data)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (widget);

  if (self->state != CP_EXPORT_DIALOG_CHOOSE)
    return FALSE;
  gtk_widget_activate_action (widget, "export.choose-file", NULL);
  return TRUE;
}

static void
choice_toggled_cb (CpExportDialog *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FORMS_ONLY]);
}

/* Before anything is written: how many attachments the whole binder has, which are not on
 * this computer, and whether every page will say 草稿. */
static void
cp_export_dialog_describe (CpExportDialog *self)
{
  GPtrArray *attachments = cp_packet_get_attachments (self->packet);
  g_autoptr(GPtrArray) findings = cp_app_validate (self->registry, self->packet);
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autofree char *subtitle = NULL;
  guint n_missing = 0;

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);

      if (!cp_store_has_blob (self->store, attachment->sha256))
        n_missing++;
    }
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The form pages and, after its section, the pages "
                                           "of the %u attachment",
                                           "The form pages and, after their sections, the pages "
                                           "of all %u attachments",
                                           attachments != NULL ? attachments->len : 0),
                              attachments != NULL ? attachments->len : 0);
  adw_action_row_set_subtitle (self->whole_row, subtitle);

  self->draft = !cp_validator_is_ready (findings);
  if (n_missing > 0)
    g_string_append_printf (notes,
                            g_dngettext (GETTEXT_PACKAGE,
                                         "%u attachment is not on this computer: the binder "
                                         "gets a page that says so in its place.",
                                         "%u attachments are not on this computer: the binder "
                                         "gets a page that says so in the place of each.",
                                         n_missing),
                            n_missing);
  if (self->draft)
    {
      if (notes->len > 0)
        g_string_append_c (notes, '\n');
      g_string_append (notes, _("The packet is not ready to submit: every page will be marked "
                                "草稿 (draft)."));
    }
  gtk_label_set_text (self->notes_label, notes->str);
  gtk_widget_set_visible (GTK_WIDGET (self->notes_label), notes->len > 0);
}

static gboolean
cp_export_dialog_close_request (GtkWindow *window)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (window);

  /* Closing while it runs cancels the export: nothing is left half-written. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (cp_export_dialog_parent_class)->close_request (window);
}

static void
cp_export_dialog_unrealize (GtkWidget *widget)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (widget);

  /* Destroyed (with its parent, say) while it runs: the export stops, leaving no file. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  GTK_WIDGET_CLASS (cp_export_dialog_parent_class)->unrealize (widget);
}

static void
cp_export_dialog_dispose (GObject *object)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (object);

  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->pulse_id, g_source_remove);
  cp_app_clear_chooser (&self->chooser, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (cp_export_dialog_parent_class)->dispose (object);
}

static void
cp_export_dialog_finalize (GObject *object)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->binder);
  g_clear_object (&self->packet);
  g_clear_object (&self->store);
  g_clear_object (&self->registry);
  g_free (self->path);
  g_free (self->message);

  G_OBJECT_CLASS (cp_export_dialog_parent_class)->finalize (object);
}

static void
cp_export_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_PAGES_DONE:
      g_value_set_uint (value, self->pages_done);
      break;
    case PROP_N_PAGES:
      g_value_set_uint (value, self->n_pages);
      break;
    case PROP_FORMS_ONLY:
      g_value_set_boolean (value, cp_export_dialog_get_forms_only (self));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_export_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CpExportDialog *self = CP_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_FORMS_ONLY:
      cp_export_dialog_set_forms_only (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_export_dialog_class_init (CpExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cp_export_dialog_dispose;
  object_class->finalize = cp_export_dialog_finalize;
  object_class->get_property = cp_export_dialog_get_property;
  object_class->set_property = cp_export_dialog_set_property;
  window_class->close_request = cp_export_dialog_close_request;
  widget_class->unrealize = cp_export_dialog_unrealize;

  properties [PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL, CP_EXPORT_DIALOG_CHOOSE, CP_EXPORT_DIALOG_DONE,
                      CP_EXPORT_DIALOG_CHOOSE,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_PAGES_DONE] =
    g_param_spec_uint ("pages-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_N_PAGES] =
    g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties [PROP_FORMS_ONLY] =
    g_param_spec_boolean ("forms-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the dialog says about the last export: the error, or the attachments that got a
   * notice page (one line each); NULL when there is nothing to say. */
  properties [PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/creditpacket/CreditPacket/cp-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, whole_row);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, whole_check);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, forms_check);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, notes_label);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, progress_title);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, done_page);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, notices_label);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, open_button);
  gtk_widget_class_bind_template_child (widget_class, CpExportDialog, close_button);

  gtk_widget_class_install_action (widget_class, "export.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "export.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "export.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "export.open", NULL, open_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "export.cancel", NULL);
}

static void
cp_export_dialog_init (CpExportDialog *self)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();
  const guint keys[] = { GDK_KEY_Return, GDK_KEY_KP_Enter, GDK_KEY_ISO_Enter };

  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (
      GTK_SHORTCUT_CONTROLLER (controller),
      gtk_shortcut_new (gtk_keyval_trigger_new (keys[i], 0),
                        gtk_callback_action_new (enter_cb, NULL, NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  g_signal_connect_swapped (self->forms_check, "toggled", G_CALLBACK (choice_toggled_cb), self);
  cp_export_dialog_set_state (self, CP_EXPORT_DIALOG_CHOOSE);
}

CpExportDialog *
cp_export_dialog_new (GtkWindow          *parent,
                      CpTemplateRegistry *registry,
                      CpStore            *store,
                      CpPacket           *packet)
{
  CpExportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);
  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  self = g_object_new (CP_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->registry = g_object_ref (registry);
  self->store = g_object_ref (store);
  self->packet = cp_packet_copy (packet);
  cp_export_dialog_describe (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->whole_check));
  return self;
}

gboolean
cp_export_dialog_get_forms_only (CpExportDialog *self)
{
  g_return_val_if_fail (CP_IS_EXPORT_DIALOG (self), FALSE);
  return gtk_check_button_get_active (self->forms_check);
}

void
cp_export_dialog_set_forms_only (CpExportDialog *self,
                                 gboolean        forms_only)
{
  g_return_if_fail (CP_IS_EXPORT_DIALOG (self));

  if (forms_only)
    gtk_check_button_set_active (self->forms_check, TRUE);
  else
    gtk_check_button_set_active (self->whole_check, TRUE);
}

void
cp_export_dialog_cancel (CpExportDialog *self)
{
  g_return_if_fail (CP_IS_EXPORT_DIALOG (self));

  if (self->state == CP_EXPORT_DIALOG_RUNNING && self->cancellable != NULL)
    {
      gtk_label_set_text (self->progress_label, _("Cancelling…"));
      g_cancellable_cancel (self->cancellable);
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}
