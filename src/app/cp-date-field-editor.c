/* cp-date-field-editor.c — the editor of dates and times of day
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-date-field-editor.h"

#include <glib/gi18n.h>

#include "cp-date.h"

struct _CpDateFieldEditor
{
  AdwBin     parent_instance;

  GtkWidget *row;
  GtkWidget *entry;
  GtkWidget *calendar_button;
  GtkWidget *calendar;
};

static void field_editor_iface_init (CpFieldEditorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (CpDateFieldEditor, cp_date_field_editor, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (CP_TYPE_FIELD_EDITOR,
                                                      field_editor_iface_init))

static gboolean
is_time (CpDateFieldEditor *self)
{
  return cp_field_editor_get_field (CP_FIELD_EDITOR (self))->type == CP_FIELD_TIME;
}

/* 2026/3/1, 2026.3.1, 20260301, 2026年3月1日…: kept as 2026-03-01. The text stays as typed
 * until the focus leaves it. Times are kept as typed. */
static void
entry_changed_cb (CpDateFieldEditor *self)
{
  CpFieldEditor *editor = CP_FIELD_EDITOR (self);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  g_autofree char *iso = NULL;
  GDate date;
  int minutes;

  if (*stripped == '\0')
    {
      cp_field_editor_set_local_error (editor, NULL);
      cp_field_editor_set_value (editor, NULL, FALSE);
      return;
    }
  if (is_time (self))
    {
      if (!cp_time_parse (stripped, &minutes))
        {
          cp_field_editor_set_local_error (editor, _("Enter the time as hours and minutes, for "
                                                     "example 09:30."));
          return;
        }
      cp_field_editor_set_local_error (editor, NULL);
      cp_field_editor_set_value (editor, json_node_init_string (json_node_alloc (), stripped),
                                 FALSE);
      return;
    }
  if (!cp_date_parse_input (stripped, &date))
    {
      cp_field_editor_set_local_error (editor, _("Enter a date such as 2026-3-1, 2026/3/1 or "
                                                 "2026年3月1日, or pick it from the calendar "
                                                 "(Alt+Down)."));
      return;
    }
  cp_field_editor_set_local_error (editor, NULL);
  iso = cp_date_format (&date);
  cp_field_editor_set_value (editor, json_node_init_string (json_node_alloc (), iso), FALSE);
}

/* Leaving a date written as 2026/3/1 shows it as it is kept: 2026-03-01. */
static void
entry_focus_leave_cb (CpDateFieldEditor *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *iso = NULL;
  GDate date;

  if (is_time (self) || !cp_date_parse_input (text, &date))
    return;
  iso = cp_date_format (&date);
  if (!g_str_equal (iso, text))
    gtk_editable_set_text (GTK_EDITABLE (self->entry), iso);
}

/* Alt+Down in a date opens the calendar: its button is not a Tab stop of its own. */
static gboolean
entry_key_pressed_cb (CpDateFieldEditor *self,
                      guint              keyval,
                      guint              keycode,
                      GdkModifierType    state)
{
  if (!is_time (self) && (keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) &&
      (state & GDK_ALT_MASK))
    {
      gtk_menu_button_popup (GTK_MENU_BUTTON (self->calendar_button));
      return TRUE;
    }
  return FALSE;
}

static void
calendar_day_selected_cb (CpDateFieldEditor *self)
{
  g_autoptr(GDateTime) dt = gtk_calendar_get_date (GTK_CALENDAR (self->calendar));
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%d");

  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
  gtk_menu_button_popdown (GTK_MENU_BUTTON (self->calendar_button));
}

static void
popover_show_cb (CpDateFieldEditor *self)
{
  GDate date;

  if (cp_date_parse_input (gtk_editable_get_text (GTK_EDITABLE (self->entry)), &date))
    {
      g_autoptr(GDateTime) dt = g_date_time_new_local (g_date_get_year (&date),
                                                       g_date_get_month (&date),
                                                       g_date_get_day (&date), 0, 0, 0);

      g_signal_handlers_block_by_func (self->calendar, calendar_day_selected_cb, self);
      gtk_calendar_select_day (GTK_CALENDAR (self->calendar), dt);
      g_signal_handlers_unblock_by_func (self->calendar, calendar_day_selected_cb, self);
    }
}

static void
cp_date_field_editor_refresh (CpFieldEditor *editor)
{
  CpDateFieldEditor *self = CP_DATE_FIELD_EDITOR (editor);
  JsonNode *node = cp_field_editor_get_value (editor);
  const char *text = "";

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    text = json_node_get_string (node);
  gtk_editable_set_text (GTK_EDITABLE (self->entry), text);
}

static GtkWidget *
cp_date_field_editor_get_focus_widget (CpFieldEditor *editor)
{
  return CP_DATE_FIELD_EDITOR (editor)->entry;
}

static void
field_editor_iface_init (CpFieldEditorInterface *iface)
{
  iface->refresh = cp_date_field_editor_refresh;
  iface->get_focus_widget = cp_date_field_editor_get_focus_widget;
}

static void
cp_date_field_editor_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_DATE_FIELD_EDITOR);

  G_OBJECT_CLASS (cp_date_field_editor_parent_class)->dispose (object);
}

static void
cp_date_field_editor_class_init (CpDateFieldEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_date_field_editor_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-date-field-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, CpDateFieldEditor, row);
  gtk_widget_class_bind_template_child (widget_class, CpDateFieldEditor, entry);
  gtk_widget_class_bind_template_child (widget_class, CpDateFieldEditor, calendar_button);
  gtk_widget_class_bind_template_child (widget_class, CpDateFieldEditor, calendar);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_focus_leave_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_key_pressed_cb);
  gtk_widget_class_bind_template_callback (widget_class, calendar_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
}

static void
cp_date_field_editor_init (CpDateFieldEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CpDateFieldEditor *
cp_date_field_editor_new (const CpField *field)
{
  CpDateFieldEditor *self;
  const char *label;

  g_return_val_if_fail (field != NULL, NULL);

  self = g_object_new (CP_TYPE_DATE_FIELD_EDITOR, NULL);
  cp_field_editor_set_field (CP_FIELD_EDITOR (self), field);
  label = cp_text_get (field->label);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->row), label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  if (field->type == CP_FIELD_TIME)
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), _("HH:MM"));
      gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 6);
    }
  else
    {
      gtk_entry_set_placeholder_text (GTK_ENTRY (self->entry), _("YYYY-MM-DD"));
      gtk_editable_set_width_chars (GTK_EDITABLE (self->entry), 12);
      gtk_widget_set_visible (self->calendar_button, TRUE);
    }
  return self;
}
