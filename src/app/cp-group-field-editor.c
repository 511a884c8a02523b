/* cp-group-field-editor.c — the editor of a repeated group: entries of sub-fields
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-group-field-editor.h"

#include <glib/gi18n.h>

struct _CpGroupFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *entries_box;
  GtkWidget *add_button;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpGroupFieldEditor, cp_group_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

/* The entries as they are, without entry @skip (-1: all of them), plus a new empty one when
 * @add: a new array, not an edit of the packet's. */
static JsonNode *
copy_entries (CpGroupFieldEditor *self,
              int                 skip,
              gboolean            add)
{
  JsonNode *current = cp_field_editor_get_value (CP_FIELD_EDITOR (self));
  g_autoptr(JsonArray) array = json_array_new ();

  for (guint i = 0; current != NULL && JSON_NODE_HOLDS_ARRAY (current) &&
                    i < json_array_get_length (json_node_get_array (current)); i++)
    if ((int) i != skip)
      json_array_add_element (array,
                              json_node_copy (json_array_get_element (json_node_get_array (current),
                                                                      i)));
  if (add)
    json_array_add_object_element (array, json_object_new ());
  if (json_array_get_length (array) == 0)
    return NULL;
  return json_node_init_array (json_node_alloc (), array);
}

static void
add_clicked_cb (CpGroupFieldEditor *self)
{
  cp_field_editor_set_value (CP_FIELD_EDITOR (self), copy_entries (self, -1, TRUE), FALSE);
  cp_field_editor_refresh (CP_FIELD_EDITOR (self));
}

static void
remove_clicked_cb (GtkButton          *button,
                   CpGroupFieldEditor *self)
{
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "cp-index"));

  cp_field_editor_set_value (CP_FIELD_EDITOR (self), copy_entries (self, index, FALSE), FALSE);
  cp_field_editor_refresh (CP_FIELD_EDITOR (self));
}

static void
sub_edited_cb (CpFieldEditor      *sub,
               gboolean            full_save,
               CpGroupFieldEditor *self)
{
  g_signal_emit_by_name (self, "edited", full_save);
}

static void
sub_local_error_changed_cb (CpFieldEditor      *sub,
                            gboolean            now,
                            CpGroupFieldEditor *self)
{
  const char *message = cp_field_editor_get_local_error (sub);

  if (now && message != NULL)
    cp_field_editor_report_error (CP_FIELD_EDITOR (self), message);
  else
    cp_field_editor_set_local_error (CP_FIELD_EDITOR (self), message);
}

static GtkWidget *
new_entry (CpGroupFieldEditor *self,
           guint               index)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  const CpField *field = cp_field_editor_get_field (editor);
  GtkWidget *list = gtk_list_box_new ();
  GtkWidget *header = adw_action_row_new ();
  GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  g_autofree char *title = g_strdup_printf (_("Entry %u"), index + 1);
  g_autofree char *remove_label = g_strdup_printf (_("Remove entry %u of %s"), index + 1,
                                                   cp_text_get (field->label));

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_widget_add_css_class (list, "group-entry");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (header), title);
  gtk_widget_add_css_class (header, "group-entry-header");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (remove, "flat");
  gtk_widget_set_tooltip_text (remove, remove_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                  -1);
  g_object_set_data (G_OBJECT (remove), "cp-index", GINT_TO_POINTER (index));
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_clicked_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (header), remove);
  gtk_list_box_append (GTK_LIST_BOX (list), header);

  /* Each sub-field's editor in a row of the entry's list; its own rows look like the
   * entry's (style.css). */
  for (guint j = 0; field->fields != NULL && j < field->fields->len; j++)
    {
      const CpField *sub_field = g_ptr_array_index (field->fields, j);
      CpFieldEditor *sub = cp_field_editor_new_for_field (sub_field,
                                                          cp_field_editor_get_store (editor));
      GtkWidget *holder = gtk_list_box_row_new ();

      cp_field_editor_set_packet (sub, cp_field_editor_get_packet (editor),
                                  cp_field_editor_get_section (editor), field, index);
      g_signal_connect (sub, "edited", G_CALLBACK (sub_edited_cb), self);
      g_signal_connect (sub, "local-error-changed", G_CALLBACK (sub_local_error_changed_cb),
                        self);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (holder), FALSE);
      gtk_widget_set_focusable (holder, FALSE);
      gtk_widget_add_css_class (holder, "group-entry-field");
      gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (holder), GTK_WIDGET (sub));
      gtk_list_box_append (GTK_LIST_BOX (list), holder);
    }
  return list;
}

static void
cp_group_field_editor_refresh (CpFieldEditor *editor)
{
  CpGroupFieldEditor *self = CP_GROUP_FIELD_EDITOR (editor);
  const CpField *field = cp_field_editor_get_field (editor);
  JsonNode *value = cp_field_editor_get_value (editor);
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (self->entries_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->entries_box), child);
  if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
    n = json_array_get_length (json_node_get_array (value));
  for (guint i = 0; i < n; i++)
    gtk_box_append (GTK_BOX (self->entries_box), new_entry (self, i));
  gtk_widget_set_visible (self->entries_box, n > 0);
  gtk_widget_set_sensitive (self->add_button, field->max_items == 0 || n < field->max_items);
}

static GtkWidget *
cp_group_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  return CP_GROUP_FIELD_EDITOR (editor)->add_button;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_group_field_editor_refresh;
  iface->get_focus_widget = cp_group_field_editor_get_focus_widget;
}

static void
cp_group_field_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_GROUP_FIELD_EDITOR);

  G_OBJECT_CLASS (cp_group_field_editor_parent_class)->dispose (object);
}

static void
cp_group_field_editor_class_init (CpGroupFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_group_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-group-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpGroupFieldEditor, entries_box);
  gtk_widget_class_bind_template_child (widget_class, CpGroupFieldEditor, add_button);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
}

static void
cp_group_field_editor_init (CpGroupFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CpGroupFieldEditor *
cp_group_field_editor_new (const CpField *field)
{
  CpGroupFieldEditor *self;
  g_autofree char *add_label = NULL;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_GROUP_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  add_label = g_strdup_printf (_("Add an entry to %s"), cp_text_get (field->label));
  gtk_widget_set_tooltip_text (self->add_button, add_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, add_label,
                                  -1);
  return self;
}
