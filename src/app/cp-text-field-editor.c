/* cp-text-field-editor.c — the editor of text, multi-line text, credit codes, phone numbers,
 * e-mail and web addresses and postcodes
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-text-field-editor.h"

#include "cp-app-util.h"
#include "cp-uscc.h"

struct _CpTextFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *list;
  GtkWidget *entry_row;
  GtkWidget *frame;
  GtkWidget *text_view;
  GtkWidget *info_label;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpTextFieldEditor, cp_text_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

static gboolean
is_multiline (CpTextFieldEditor *self)
{
  return cp_field_editor_get_field (CP_FIELD_EDITOR (self))->type == CP_FIELD_MULTILINE;
}

/* Shows the division of a credit code. */
static void
update_info (CpTextFieldEditor *self,
             const char        *text)
{
  g_autofree char *normalized = NULL;
  g_autofree char *info = NULL;
  gboolean ok = FALSE;

  if (cp_field_editor_get_field (CP_FIELD_EDITOR (self))->type != CP_FIELD_USCC)
    return;
  normalized = text != NULL ? cp_uscc_normalize (text) : NULL;
  if (normalized != NULL && *normalized)
    info = cp_app_describe_uscc (normalized, &ok);
  gtk_label_set_text (GTK_LABEL (self->info_label), info != NULL ? info : "");
  gtk_widget_set_visible (self->info_label, info != NULL && ok);
}

static void
entry_changed_cb (CpTextFieldEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry_row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  update_info (self, text);
  cp_field_editor_set_value (CP_FIELD_EDITOR (self),
                             *stripped ? json_node_init_string (json_node_alloc (), stripped)
                                       : NULL,
                             FALSE);
}

static void
buffer_changed_cb (CpTextFieldEditor *self,
                   GtkTextBuffer     *buffer)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *stripped = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  stripped = g_strstrip (g_strdup (text));
  /* Keep what was typed, inner line breaks included; only an empty text unsets the field. */
  cp_field_editor_set_value (CP_FIELD_EDITOR (self),
                             *stripped ? json_node_init_string (json_node_alloc (), text) : NULL,
                             FALSE);
}

static void
cp_text_field_editor_refresh (CpFieldEditor *editor)
{
  CpTextFieldEditor *self = CP_TEXT_FIELD_EDITOR (editor);
  JsonNode *node = cp_field_editor_get_value (editor);
  const char *text = "";

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    text = json_node_get_string (node);

  if (is_multiline (self))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view));

      gtk_text_buffer_set_text (buffer, text, -1);
    }
  else
    {
      gtk_editable_set_text (GTK_EDITABLE (self->entry_row), text);
      update_info (self, text);
    }
}

static GtkWidget *
cp_text_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  CpTextFieldEditor *self = CP_TEXT_FIELD_EDITOR (editor);

  return is_multiline (self) ? self->text_view : self->entry_row;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_text_field_editor_refresh;
  iface->get_focus_widget = cp_text_field_editor_get_focus_widget;
}

static void
cp_text_field_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_TEXT_FIELD_EDITOR);

  G_OBJECT_CLASS (cp_text_field_editor_parent_class)->dispose (object);
}

static void
cp_text_field_editor_class_init (CpTextFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_text_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-text-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpTextFieldEditor, list);
  gtk_widget_class_bind_template_child (widget_class, CpTextFieldEditor, entry_row);
  gtk_widget_class_bind_template_child (widget_class, CpTextFieldEditor, frame);
  gtk_widget_class_bind_template_child (widget_class, CpTextFieldEditor, text_view);
  gtk_widget_class_bind_template_child (widget_class, CpTextFieldEditor, info_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
}

static void
cp_text_field_editor_init (CpTextFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  g_signal_connect_swapped (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_view)),
                            "changed", G_CALLBACK (buffer_changed_cb), self);
}

CpTextFieldEditor *
cp_text_field_editor_new (const CpField *field)
{
  CpTextFieldEditor *self;
  GtkInputPurpose purpose = GTK_INPUT_PURPOSE_FREE_FORM;
  const char *label;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_TEXT_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  label = cp_text_get (field->label);

  if (field->type == CP_FIELD_MULTILINE)
    {
      gtk_widget_set_visible (self->list, FALSE);
      gtk_widget_set_visible (self->frame, TRUE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->text_view),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
      return self;
    }

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->entry_row), label);
  if (field->type == CP_FIELD_PHONE)
    purpose = GTK_INPUT_PURPOSE_PHONE;
  else if (field->type == CP_FIELD_EMAIL)
    purpose = GTK_INPUT_PURPOSE_EMAIL;
  else if (field->type == CP_FIELD_URL)
    purpose = GTK_INPUT_PURPOSE_URL;
  else if (field->type == CP_FIELD_POSTCODE)
    purpose = GTK_INPUT_PURPOSE_DIGITS;
  adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (self->entry_row), purpose);
  return self;
}
