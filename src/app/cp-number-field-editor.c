/* cp-number-field-editor.c — the editor of numbers, sums of money and whole numbers
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-number-field-editor.h"

#include <glib/gi18n.h>

struct _CpNumberFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *row;
  GtkWidget *entry;
  GtkWidget *unit_label;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpNumberFieldEditor, cp_number_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == (double) (gint64) value && value < 1e15 && value > -1e15)
    return g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.10g", value));
}

static gboolean
parse_number (const char *text,
              double     *value)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;

  for (char *p = copy; *p; p++)
    if (*p == ',')
      *p = '.';
  if (*copy == '\0')
    return FALSE;
  *value = g_ascii_strtod (copy, &end);
  /* Finite, and a number the packet can hold and write back (not 1e20). */
  return end != NULL && *end == '\0' && cp_packet_number_is_valid (*value);
}

/* Checked as typed: a text that is no number stays on screen with an error and is not kept. */
static void
entry_changed_cb (CpNumberFieldEditor *self)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  gboolean integer = cp_field_editor_get_field (editor)->type == CP_FIELD_INTEGER;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  double value;

  if (*stripped == '\0')
    {
      cp_field_editor_set_local_error (editor, NULL);
      cp_field_editor_set_value (editor, NULL, FALSE);
      return;
    }
  if (!parse_number (stripped, &value))
    {
      cp_field_editor_set_local_error (editor, _("Enter a number, for example 1250.5."));
      return;
    }
  if (integer && value != (double) (gint64) value)
    {
      cp_field_editor_set_local_error (editor, _("Enter a whole number, without decimals."));
      return;
    }
  cp_field_editor_set_local_error (editor, NULL);
  if (integer)
    cp_field_editor_set_value (editor, json_node_init_int (json_node_alloc (), (gint64) value),
                               FALSE);
  else
    cp_field_editor_set_value (editor, json_node_init_double (json_node_alloc (), value), FALSE);
}

static void
cp_number_field_editor_refresh (CpFieldEditor *editor)
{
  CpNumberFieldEditor *self = CP_NUMBER_FIELD_EDITOR (editor);
  JsonNode *node = cp_field_editor_get_value (editor);
  g_autofree char *text = NULL;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (node));
      else
        text = format_number (json_node_get_double (node));
    }
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text != NULL ? text : "");
}

static GtkWidget *
cp_number_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  return CP_NUMBER_FIELD_EDITOR (editor)->entry;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_number_field_editor_refresh;
  iface->get_focus_widget = cp_number_field_editor_get_focus_widget;
}

static void
cp_number_field_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_NUMBER_FIELD_EDITOR);

  G_OBJECT_CLASS (cp_number_field_editor_parent_class)->dispose (object);
}

static void
cp_number_field_editor_class_init (CpNumberFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_number_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-number-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpNumberFieldEditor, row);
  gtk_widget_class_bind_template_child (widget_class, CpNumberFieldEditor, entry);
  gtk_widget_class_bind_template_child (widget_class, CpNumberFieldEditor, unit_label);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
}

static void
cp_number_field_editor_init (CpNumberFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CpNumberFieldEditor *
cp_number_field_editor_new (const CpField *field)
{
  CpNumberFieldEditor *self;
  const char *label;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_NUMBER_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  label = cp_text_get (field->label);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->row), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  gtk_entry_set_input_purpose (GTK_ENTRY (self->entry), field->type == CP_FIELD_INTEGER
                                                        ? GTK_INPUT_PURPOSE_DIGITS
                                                        : GTK_INPUT_PURPOSE_NUMBER);
  if (field->unit != NULL)
    {
      gtk_label_set_text (GTK_LABEL (self->unit_label), field->unit);
      gtk_widget_set_visible (self->unit_label, TRUE);
    }
  return self;
}
