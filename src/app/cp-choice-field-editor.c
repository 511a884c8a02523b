/* cp-choice-field-editor.c — the editor of a choice among the template's options
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-choice-field-editor.h"

#include <glib/gi18n.h>

struct _CpChoiceFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *row;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpChoiceFieldEditor, cp_choice_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

/* Position 0 is "Not chosen"; the options follow in the template's order. */
static void
selected_cb (CpChoiceFieldEditor *self)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  const CpField *field = cp_field_editor_get_field (editor);
  guint pos = adw_combo_row_get_selected (ADW_COMBO_ROW (self->row));
  const CpChoiceOption *option;

  if (pos == GTK_INVALID_LIST_POSITION || pos == 0 || field->options == NULL ||
      pos > field->options->len)
    {
      cp_field_editor_set_value (editor, NULL, FALSE);
      return;
    }
  option = g_ptr_array_index (field->options, pos - 1);
  cp_field_editor_set_value (editor, json_node_init_string (json_node_alloc (), option->id),
                             FALSE);
}

static void
cp_choice_field_editor_refresh (CpFieldEditor *editor)
{
  CpChoiceFieldEditor *self = CP_CHOICE_FIELD_EDITOR (editor);
  const CpField *field = cp_field_editor_get_field (editor);
  JsonNode *node = cp_field_editor_get_value (editor);
  const char *current = NULL;
  guint selected = 0;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    current = json_node_get_string (node);
  for (guint i = 0; current != NULL && field->options != NULL && i < field->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (field->options, i);

      if (g_strcmp0 (option->id, current) == 0)
        selected = i + 1;
    }
  adw_combo_row_set_selected (ADW_COMBO_ROW (self->row), selected);
}

static GtkWidget *
cp_choice_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  return CP_CHOICE_FIELD_EDITOR (editor)->row;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_choice_field_editor_refresh;
  iface->get_focus_widget = cp_choice_field_editor_get_focus_widget;
}

static void
cp_choice_field_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_CHOICE_FIELD_EDITOR);

  G_OBJECT_CLASS (cp_choice_field_editor_parent_class)->dispose (object);
}

static void
cp_choice_field_editor_class_init (CpChoiceFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_choice_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-choice-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpChoiceFieldEditor, row);
  gtk_widget_class_bind_template_callback (widget_class, selected_cb);
}

static void
cp_choice_field_editor_init (CpChoiceFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CpChoiceFieldEditor *
cp_choice_field_editor_new (const CpField *field)
{
  CpChoiceFieldEditor *self;
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_CHOICE_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  gtk_string_list_append (model, _("Not chosen"));
  for (guint i = 0; field->options != NULL && i < field->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (field->options, i);

      gtk_string_list_append (model, cp_text_get (option->label));
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->row), cp_text_get (field->label));
  /* Not yet pointed at a packet: choosing "Not chosen" here writes nothing. */
  adw_combo_row_set_model (ADW_COMBO_ROW (self->row), G_LIST_MODEL (model));
  return self;
}
