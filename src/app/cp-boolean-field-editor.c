/* cp-boolean-field-editor.c — the editor of a yes-or-no answer
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-boolean-field-editor.h"

struct _CpBooleanFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *row;
  GtkWidget *switch_;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpBooleanFieldEditor, cp_boolean_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

static void
active_cb (CpBooleanFieldEditor *self)
{
  gboolean active = gtk_switch_get_active (GTK_SWITCH (self->switch_));

  cp_field_editor_set_value (CP_FIELD_EDITOR (self),
                             json_node_init_boolean (json_node_alloc (), active), FALSE);
}

static void
cp_boolean_field_editor_refresh (CpFieldEditor *editor)
{
  CpBooleanFieldEditor *self = CP_BOOLEAN_FIELD_EDITOR (editor);
  JsonNode *node = cp_field_editor_get_value (editor);

  gtk_switch_set_active (GTK_SWITCH (self->switch_),
                         node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
                         json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
                         json_node_get_boolean (node));
}

static GtkWidget *
cp_boolean_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  return CP_BOOLEAN_FIELD_EDITOR (editor)->switch_;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_boolean_field_editor_refresh;
  iface->get_focus_widget = cp_boolean_field_editor_get_focus_widget;
}

static void
cp_boolean_field_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_BOOLEAN_FIELD_EDITOR);

  G_OBJECT_CLASS (cp_boolean_field_editor_parent_class)->dispose (object);
}

static void
cp_boolean_field_editor_class_init (CpBooleanFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_boolean_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-boolean-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpBooleanFieldEditor, row);
  gtk_widget_class_bind_template_child_full (widget_class, "switch", FALSE,
                                             G_STRUCT_OFFSET (CpBooleanFieldEditor, switch_));
  gtk_widget_class_bind_template_callback (widget_class, active_cb);
}

static void
cp_boolean_field_editor_init (CpBooleanFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CpBooleanFieldEditor *
cp_boolean_field_editor_new (const CpField *field)
{
  CpBooleanFieldEditor *self;
  const char *label;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_BOOLEAN_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  label = cp_text_get (field->label);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->row), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->switch_),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return self;
}
