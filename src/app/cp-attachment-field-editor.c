/* cp-attachment-field-editor.c — the editor of attached files (and of a signature's scan)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-attachment-field-editor.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-attachment-details.h"
#include "cp-attachment-drop.h"
#include "cp-attachment-thumbnail.h"

struct _CpAttachmentFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *list;
  GtkWidget *add_row;
  GtkWidget *add_button;
  GPtrArray *file_rows;    /* the rows before add_row */
  gboolean   scan;
};

typedef struct
{
  GFile *file;
  char  *replace;   /* the hash being replaced, or NULL */
  char  *name;
  char  *sha256;
  char  *const *mime_types;
  guint64 size;
} AttachJob;

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpAttachmentFieldEditor, cp_attachment_field_editor,
                               ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

static void
attach_job_free (AttachJob *job)
{
  g_clear_object (&job->file);
  g_free (job->replace);
  g_free (job->name);
  g_free (job->sha256);
  g_free (job);
}

static void
set_hashes (CpAttachmentFieldEditor *self,
            GPtrArray               *hashes)
{
  const CpField *field = cp_field_editor_get_field (CP_FIELD_EDITOR (self));
  JsonNode *node = NULL;

  if (hashes->len == 0)
    node = NULL;
  else if (field->max_count == 1)
    node = json_node_init_string (json_node_alloc (), g_ptr_array_index (hashes, 0));
  else
    {
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < hashes->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (hashes, i));
      node = json_node_init_array (json_node_alloc (), array);
    }
  cp_field_editor_set_value (CP_FIELD_EDITOR (self), node, TRUE);
}

/* Drops the manifest entry of @sha256 when no value names it any more. */
static void
prune_manifest (CpAttachmentFieldEditor *self,
                const char              *sha256)
{
  CpPacket *packet = cp_field_editor_get_packet (CP_FIELD_EDITOR (self));
  g_autofree char *data = NULL;
  g_autofree char *quoted = NULL;
  const char *found;

  if (sha256 == NULL)
    return;
  data = cp_packet_to_data (packet, FALSE, NULL);
  quoted = g_strdup_printf ("\"%s\"", sha256);
  /* The manifest itself names the hash once. */
  found = strstr (data, quoted);
  if (found != NULL && strstr (found + 1, quoted) == NULL)
    cp_packet_remove_attachment (packet, sha256);
}

static void
attach_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpStore *store = cp_field_editor_get_store (CP_FIELD_EDITOR (source_object));
  AttachJob *job = task_data;
  GError *error = NULL;

  /* An empty or unreadable file, a folder, a type the field does not take: said, not kept. */
  if (!cp_attachment_check_file (job->file, (const char * const *) job->mime_types,
                                 cancellable, &error) ||
      !cp_store_add_blob_from_file (store, job->file, &job->sha256, &job->size, cancellable,
                                    &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
attach_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CpAttachmentFieldEditor *self = CP_ATTACHMENT_FIELD_EDITOR (object);
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  AttachJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) hashes = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *mime = NULL;
  gboolean replaced = FALSE;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The file could not be attached: %s"),
                                                  error->message);
      cp_field_editor_report_error (editor, message);
      return;
    }

  content_type = g_content_type_guess (job->name, NULL, 0, NULL);
  mime = g_content_type_get_mime_type (content_type);
  cp_packet_add_attachment (cp_field_editor_get_packet (editor), job->name, job->sha256,
                            job->size, mime != NULL ? mime : "application/octet-stream");

  hashes = cp_packet_get_file_hashes (cp_field_editor_get_value (editor));
  for (guint i = 0; job->replace != NULL && i < hashes->len; i++)
    if (g_str_equal (g_ptr_array_index (hashes, i), job->replace))
      {
        g_free (hashes->pdata[i]);
        hashes->pdata[i] = g_strdup (job->sha256);
        replaced = TRUE;
      }
  if (!replaced)
    {
      gboolean present = FALSE;

      for (guint i = 0; i < hashes->len; i++)
        present |= g_str_equal (g_ptr_array_index (hashes, i), job->sha256);
      if (cp_field_editor_get_field (editor)->max_count == 1)
        g_ptr_array_set_size (hashes, 0);
      if (!present || hashes->len == 0)
        g_ptr_array_add (hashes, g_strdup (job->sha256));
    }
  cp_field_editor_set_local_error (editor, NULL);
  set_hashes (self, hashes);
  if (job->replace != NULL)
    prune_manifest (self, job->replace);
  cp_field_editor_refresh (editor);
}

static void
chooser_response_cb (GtkNativeDialog         *native,
                     int                      response,
                     CpAttachmentFieldEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        cp_attachment_field_editor_attach (self, file,
                                           g_object_get_data (G_OBJECT (native), "cp-replace"));
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
  g_object_unref (self);
}

static void
choose_file (CpAttachmentFieldEditor *self,
             const char              *replace)
{
  const CpField *field = cp_field_editor_get_field (CP_FIELD_EDITOR (self));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;
  const char *const *mime_types = (const char *const *) field->mime_types;

  native = gtk_file_chooser_native_new (replace != NULL ? _("Replace the File")
                                                        : _("Attach a File"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        replace != NULL ? _("_Replace") : _("_Attach"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  if (mime_types != NULL)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("Accepted files"));
      for (guint i = 0; mime_types[i] != NULL; i++)
        gtk_file_filter_add_mime_type (filter, mime_types[i]);
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
    }
  g_object_set_data_full (G_OBJECT (native), "cp-replace", g_strdup (replace), g_free);
  g_signal_connect (native, "response", G_CALLBACK (chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
add_clicked_cb (CpAttachmentFieldEditor *self)
{
  choose_file (self, NULL);
}

static void
replace_clicked_cb (GtkButton               *button,
                    CpAttachmentFieldEditor *self)
{
  choose_file (self, g_object_get_data (G_OBJECT (button), "cp-sha256"));
}

static void
remove_clicked_cb (GtkButton               *button,
                   CpAttachmentFieldEditor *self)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  g_autofree char *removed = g_strdup (g_object_get_data (G_OBJECT (button), "cp-sha256"));
  g_autoptr(GPtrArray) hashes = cp_packet_get_file_hashes (cp_field_editor_get_value (editor));

  for (guint i = hashes->len; i > 0; i--)
    if (g_str_equal (g_ptr_array_index (hashes, i - 1), removed))
      g_ptr_array_remove_index (hashes, i - 1);
  set_hashes (self, hashes);
  prune_manifest (self, removed);
  cp_field_editor_refresh (editor);
}

static void
open_clicked_cb (GtkButton               *button,
                 CpAttachmentFieldEditor *self)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  const char *sha256 = g_object_get_data (G_OBJECT (button), "cp-sha256");
  const CpAttachment *attachment = cp_packet_find_attachment (cp_field_editor_get_packet (editor),
                                                              sha256);
  g_autofree char *blob = cp_store_get_blob_path (cp_field_editor_get_store (editor), sha256);
  g_autofree char *dir = g_build_filename (g_get_user_cache_dir (), "credit-packet", "open",
                                           sha256, NULL);
  g_autofree char *base = g_path_get_basename (attachment != NULL && attachment->name != NULL ?
                                               attachment->name : sha256);
  g_autofree char *target = g_build_filename (dir, base, NULL);
  g_autoptr(GFile) src = NULL;
  g_autoptr(GFile) dst = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;

  if (blob == NULL)
    return;
  /* Open a copy with the original name, so that the right program opens it and the store
   * keeps its file untouched. */
  g_mkdir_with_parents (dir, 0700);
  src = g_file_new_for_path (blob);
  dst = g_file_new_for_path (target);
  if (!g_file_copy (src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The file could not be opened: %s"),
                                                  error->message);
      cp_field_editor_report_error (editor, message);
      return;
    }
  uri = g_file_get_uri (dst);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (button))), uri, GDK_CURRENT_TIME);
}

static GtkWidget *
make_icon_button (CpAttachmentFieldEditor *self,
                  const char              *icon,
                  const char              *label,
                  const char              *sha256,
                  GCallback                clicked)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (button), "cp-sha256", g_strdup (sha256), g_free);
  g_signal_connect (button, "clicked", clicked, self);
  return button;
}

static GtkWidget *
new_file_row (CpAttachmentFieldEditor *self,
              const char              *sha256)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  const CpAttachment *attachment = cp_packet_find_attachment (cp_field_editor_get_packet (editor),
                                                              sha256);
  const CpAttachment unknown = { (char *) sha256, (char *) sha256, 0, NULL };
  const CpAttachment *shown = attachment != NULL ? attachment : &unknown;
  g_autofree char *blob = cp_store_get_blob_path (cp_field_editor_get_store (editor), sha256);
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = cp_attachment_details_describe (shown);
  g_autofree char *open_label = g_strdup_printf (_("Open %s"), shown->name);
  g_autofree char *replace_label = g_strdup_printf (_("Replace %s"), shown->name);
  g_autofree char *remove_label = g_strdup_printf (_("Remove %s"), shown->name);

  /* A thumbnail, the type and size; the SHA-256 in the details. */
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), shown->name);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                             cp_attachment_thumbnail_new (blob, sha256, shown->mime));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), cp_attachment_details_new_button (shown));
  gtk_widget_add_css_class (row, "attachment-row");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             make_icon_button (self, "document-open-symbolic", open_label,
                                               sha256, G_CALLBACK (open_clicked_cb)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             make_icon_button (self, "document-revert-symbolic", replace_label,
                                               sha256, G_CALLBACK (replace_clicked_cb)));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             make_icon_button (self, "user-trash-symbolic", remove_label,
                                               sha256, G_CALLBACK (remove_clicked_cb)));
  return row;
}

static void
cp_attachment_field_editor_refresh (CpFieldEditor *editor)
{
  CpAttachmentFieldEditor *self = CP_ATTACHMENT_FIELD_EDITOR (editor);
  const CpField *field = cp_field_editor_get_field (editor);
  g_autoptr(GPtrArray) hashes = cp_packet_get_file_hashes (cp_field_editor_get_value (editor));
  gboolean had_focus = gtk_widget_has_focus (self->add_button);
  gboolean more = !(field->max_count == 1 && hashes->len > 0) &&
                  !(field->max_count > 0 && hashes->len >= field->max_count);
  const char *title;

  for (guint i = 0; i < self->file_rows->len; i++)
    gtk_list_box_remove (GTK_LIST_BOX (self->list), g_ptr_array_index (self->file_rows, i));
  g_ptr_array_set_size (self->file_rows, 0);
  for (guint i = 0; i < hashes->len; i++)
    {
      GtkWidget *row = new_file_row (self, g_ptr_array_index (hashes, i));

      gtk_list_box_insert (GTK_LIST_BOX (self->list), row, i);
      g_ptr_array_add (self->file_rows, row);
    }

  if (hashes->len > 0)
    title = _("Attach another file");
  else if (cp_field_editor_get_index (editor) >= 0)
    title = cp_text_get (field->label);
  else if (self->scan)
    title = _("No scanned page attached");
  else
    title = _("No file attached");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->add_row), title);
  gtk_widget_set_visible (self->add_row, more);
  /* With no row at all the list would draw as an empty frame. */
  gtk_widget_set_visible (self->list, more || hashes->len > 0);
  if (had_focus && more)
    gtk_widget_grab_focus (self->add_button);
}

static GtkWidget *
cp_attachment_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  CpAttachmentFieldEditor *self = CP_ATTACHMENT_FIELD_EDITOR (editor);

  return gtk_widget_get_visible (self->add_row) ? self->add_button : NULL;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_attachment_field_editor_refresh;
  iface->get_focus_widget = cp_attachment_field_editor_get_focus_widget;
}

static void
cp_attachment_field_editor_dispose (GObject *object)
{
  CpAttachmentFieldEditor *self = CP_ATTACHMENT_FIELD_EDITOR (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_ATTACHMENT_FIELD_EDITOR);
  g_clear_pointer (&self->file_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_attachment_field_editor_parent_class)->dispose (object);
}

static void
cp_attachment_field_editor_class_init (CpAttachmentFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_attachment_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-attachment-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpAttachmentFieldEditor, list);
  gtk_widget_class_bind_template_child (widget_class, CpAttachmentFieldEditor, add_row);
  gtk_widget_class_bind_template_child (widget_class, CpAttachmentFieldEditor, add_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
cp_attachment_field_editor_init (CpAttachmentFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->file_rows = g_ptr_array_new ();
}

static CpAttachmentFieldEditor *
new_editor (const CpField *field,
            gboolean       scan)
{
  CpAttachmentFieldEditor *self = g_object_new (CP_TYPE_ATTACHMENT_FIELD_EDITOR, NULL);
  const char *what = scan ? _("scanned page") : cp_text_get (field->label);
  g_autofree char *add_label = g_strdup_printf (_("Attach a file to %s"), what);

  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  self->scan = scan;
  gtk_widget_set_tooltip_text (self->add_button, add_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, add_label,
                                  -1);
  return self;
}

CpAttachmentFieldEditor *
cp_attachment_field_editor_new (const CpField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return new_editor (field, FALSE);
}

CpAttachmentFieldEditor *
cp_attachment_field_editor_new_scan (const CpField *field)
{
  g_return_val_if_fail (field != NULL, NULL);

  return new_editor (field, TRUE);
}

void
cp_attachment_field_editor_attach (CpAttachmentFieldEditor *self,
                                   GFile                   *file,
                                   const char              *replace)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFileInfo) info = NULL;
  AttachJob *job;

  g_return_if_fail (CP_IS_ATTACHMENT_FIELD_EDITOR (self));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (AttachJob, 1);
  job->file = g_object_ref (file);
  job->replace = g_strdup (replace);
  job->mime_types = cp_field_editor_get_field (CP_FIELD_EDITOR (self))->mime_types;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  job->name = info != NULL ? g_strdup (g_file_info_get_display_name (info))
                           : g_file_get_basename (file);

  task = g_task_new (self, NULL, attach_done_cb, NULL);
  g_task_set_source_tag (task, cp_attachment_field_editor_attach);
  g_task_set_task_data (task, job, (GDestroyNotify) attach_job_free);
  g_task_run_in_thread (task, attach_thread);
}
