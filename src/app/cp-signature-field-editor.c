/* cp-signature-field-editor.c — the editor of a signature or a seal
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-signature-field-editor.h"

#include <glib/gi18n.h>

#include "cp-date-field-editor.h"
#include "cp-role.h"
#include "cp-text-field-editor.h"

struct _CpSignatureFieldEditor
{
  AdwBin         parent_instance;

  GtkWidget     *signer_row;
  GtkWidget     *role_box;
  GtkWidget     *role_label;
  GtkWidget     *date_row;
  GtkWidget     *scan_row;
  CpFieldEditor *signer;
  CpFieldEditor *date;
  CpFieldEditor *scan;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpSignatureFieldEditor, cp_signature_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

/* The parts of every signature, edited as fields of their own. */
static CpField sig_signer, sig_date, sig_scan;

/* The capacity is the template's: the value records it with the first part written (and so
 * replaces one typed by hand in earlier versions); a value with nothing else in it is none. */
static void
edited_cb (CpSignatureFieldEditor *self,
           gboolean                full_save,
           gpointer                user_data)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  const char *role = cp_field_editor_get_field (editor)->role;
  JsonNode *value = cp_field_editor_get_value (editor);
  JsonObject *object;
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(GList) names = NULL;

  if (role == NULL || value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    return;
  object = json_node_get_object (value);
  if (json_object_get_size (object) == 1 && json_object_has_member (object, "role"))
    {
      cp_field_editor_set_value (editor, NULL, FALSE);
      return;
    }
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "role", NULL), role) == 0)
    return;
  copy = json_object_new ();
  names = json_object_get_members (object);
  for (const GList *l = names; l != NULL; l = l->next)
    json_object_set_member (copy, l->data, json_node_copy (json_object_get_member (object,
                                                                                    l->data)));
  json_object_set_string_member (copy, "role", role);
  cp_field_editor_set_value (editor, json_node_init_object (json_node_alloc (), copy), FALSE);
}

static void
cp_signature_field_editor_refresh (CpFieldEditor *editor)
{
  CpSignatureFieldEditor *self = CP_SIGNATURE_FIELD_EDITOR (editor);

  cp_field_editor_refresh (self->signer);
  cp_field_editor_refresh (self->date);
  cp_field_editor_refresh (self->scan);
}

static GtkWidget *
cp_signature_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  return cp_field_editor_get_focus_widget (CP_SIGNATURE_FIELD_EDITOR (editor)->signer);
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_signature_field_editor_refresh;
  iface->get_focus_widget = cp_signature_field_editor_get_focus_widget;
}

static void
cp_signature_field_editor_dispose (GObject *object)
{
  CpSignatureFieldEditor *self = CP_SIGNATURE_FIELD_EDITOR (object);

  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_SIGNATURE_FIELD_EDITOR);
  self->signer = NULL;
  self->date = NULL;
  self->scan = NULL;

  G_OBJECT_CLASS (cp_signature_field_editor_parent_class)->dispose (object);
}

static void
init_part (CpField    *field,
           const char *id,
           CpFieldType type,
           const char *label)
{
  field->id = (char *) id;
  field->type = type;
  field->label = cp_text_new (label);
  field->min_length = -1;
  field->max_length = -1;
}

static void
cp_signature_field_editor_class_init (CpSignatureFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_signature_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-signature-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpSignatureFieldEditor, signer_row);
  gtk_widget_class_bind_template_child (widget_class, CpSignatureFieldEditor, role_box);
  gtk_widget_class_bind_template_child (widget_class, CpSignatureFieldEditor, role_label);
  gtk_widget_class_bind_template_child (widget_class, CpSignatureFieldEditor, date_row);
  gtk_widget_class_bind_template_child (widget_class, CpSignatureFieldEditor, scan_row);

  init_part (&sig_signer, "signer", CP_FIELD_TEXT, _("Signed by"));
  init_part (&sig_date, "date", CP_FIELD_DATE, _("Date signed"));
  init_part (&sig_scan, "scan", CP_FIELD_ATTACHMENT, _("Scanned page"));
  sig_scan.max_count = 1;
}

static void
add_part (CpSignatureFieldEditor *self,
          CpFieldEditor          *part,
          const CpField          *field,
          GtkWidget              *row)
{
  cp_field_editor_set_owner (part, CP_FIELD_EDITOR (self), field->id);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), GTK_WIDGET (part));
}

static void
cp_signature_field_editor_init (CpSignatureFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->signer = CP_FIELD_EDITOR (cp_text_field_editor_new (&sig_signer));
  self->date = CP_FIELD_EDITOR (cp_date_field_editor_new (&sig_date));
  self->scan = CP_FIELD_EDITOR (cp_attachment_field_editor_new_scan (&sig_scan));
  add_part (self, self->signer, &sig_signer, self->signer_row);
  add_part (self, self->date, &sig_date, self->date_row);
  add_part (self, self->scan, &sig_scan, self->scan_row);
  g_signal_connect (self, "edited", G_CALLBACK (edited_cb), NULL);
}

CpSignatureFieldEditor *
cp_signature_field_editor_new (const CpField *field)
{
  CpSignatureFieldEditor *self;
  const char *name;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_SIGNATURE_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  /* Never the role's id: its name, or nothing when the template names none. */
  name = field->role != NULL ? cp_role_get_signer_name (field->role) : NULL;
  gtk_label_set_text (GTK_LABEL (self->role_label), name != NULL ? name : "");
  gtk_widget_set_visible (self->role_box, name != NULL);
  return self;
}

CpAttachmentFieldEditor *
cp_signature_field_editor_get_scan (CpSignatureFieldEditor *self)
{
  g_return_val_if_fail (CP_IS_SIGNATURE_FIELD_EDITOR (self), NULL);

  return CP_ATTACHMENT_FIELD_EDITOR (self->scan);
}
