/* cp-section-page.c — one wizard page: the fields of a template section
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-section-page.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "cp-app-util.h"
#include "cp-attachment-details.h"
#include "cp-attachment-drop.h"
#include "cp-attachment-thumbnail.h"
#include "cp-date.h"
#include "cp-review-dialog.h"
#include "cp-uscc.h"

typedef struct _FieldEditor FieldEditor;

struct _CpSectionPage
{
  AdwBin           parent_instance;

  CpTemplate      *tmpl;
  const CpSection *section;
  CpPacket        *packet;
  CpStore         *store;
  GtkWidget       *fields_box;
  GPtrArray       *editors;       /* element type FieldEditor * */
  GPtrArray       *findings;
  GPtrArray       *comments;      /* element type CpComment *, of this section */
  GtkWidget       *comments_box;  /* reviewer comments on the whole section, at the top */
  gboolean         populating;
};

/* One top-level field of the section. */
struct _FieldEditor
{
  CpSectionPage *page;
  const CpField *field;
  GtkWidget     *group;        /* AdwPreferencesGroup holding the rows */
  GtkWidget     *items_box;    /* groups, attachments, signatures: rebuilt on change */
  GtkWidget     *info_label;   /* division of a credit code, etc. */
  GtkWidget     *error_label;
  GtkWidget     *comments_box; /* reviewer comments on this field */
  char          *comments_text; /* the same, for the accessible description */
  GtkWidget     *focus_widget;
  char          *local_error;  /* what the widget itself refused (not a number, …) */
  char          *shown_error;
  gboolean       touched;
};

/* Where a widget reads and writes its value: the field itself, an element of a group, or a
 * member of an object (signature). */
typedef struct
{
  FieldEditor   *fe;
  const CpField *field;   /* the field (or sub-field) that decides the widget */
  int            index;   /* group element, or -1 */
  char          *member;  /* object member, or NULL */
  GtkWidget     *entry;   /* the editable of number/date rows */
} ValueRef;

enum {
  EDITED,
  FIELD_LEFT,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpSectionPage, cp_section_page, ADW_TYPE_BIN)

static void field_editor_rebuild (FieldEditor *fe);
static void build_attachment_rows (FieldEditor   *fe,
                                   GtkWidget     *list,
                                   const CpField *field,
                                   int            index,
                                   const char    *member);
static void field_editor_update_error (FieldEditor *fe);

static void
field_editor_free (FieldEditor *fe)
{
  g_clear_pointer (&fe->local_error, g_free);
  g_clear_pointer (&fe->shown_error, g_free);
  g_clear_pointer (&fe->comments_text, g_free);
  g_free (fe);
}

static void
value_ref_free (ValueRef *ref)
{
  g_free (ref->member);
  g_free (ref);
}

static ValueRef *
value_ref_new (FieldEditor   *fe,
               const CpField *field,
               int            index,
               const char    *member)
{
  ValueRef *ref = g_new0 (ValueRef, 1);

  ref->fe = fe;
  ref->field = field;
  ref->index = index;
  ref->member = g_strdup (member);
  return ref;
}

static JsonNode *
value_ref_get (ValueRef *ref)
{
  CpSectionPage *self = ref->fe->page;
  JsonNode *node = cp_packet_get_value (self->packet, self->section->id, ref->fe->field->id);

  if (node != NULL && ref->index >= 0)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return NULL;
      array = json_node_get_array (node);
      if ((guint) ref->index >= json_array_get_length (array))
        return NULL;
      node = json_array_get_element (array, ref->index);
    }
  if (node != NULL && ref->member != NULL)
    {
      JsonObject *object;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      object = json_node_get_object (node);
      node = json_object_get_member (object, ref->member);
    }
  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

static void
cp_section_page_emit_edited (CpSectionPage *self,
                             const char    *field_id,
                             gboolean       full_save)
{
  g_signal_emit (self, signals [EDITED], 0, field_id, full_save);
}

/* Takes ownership of @value (nullable: unset). */
static void
value_ref_set (ValueRef *ref,
               JsonNode *value,
               gboolean  full_save)
{
  CpSectionPage *self = ref->fe->page;
  const char *field_id = ref->fe->field->id;
  JsonNode *current;
  JsonNode *top = NULL;
  JsonObject *object = NULL;

  if (self->populating)
    {
      g_clear_pointer (&value, json_node_unref);
      return;
    }

  if (ref->index < 0 && ref->member == NULL)
    {
      cp_packet_set_value (self->packet, self->section->id, field_id, value);
      cp_section_page_emit_edited (self, field_id, full_save);
      return;
    }

  current = cp_packet_get_value (self->packet, self->section->id, field_id);
  if (ref->index >= 0)
    {
      JsonArray *array;
      JsonNode *element;

      if (current == NULL || !JSON_NODE_HOLDS_ARRAY (current))
        {
          g_clear_pointer (&value, json_node_unref);
          return;
        }
      top = json_node_copy (current);
      array = json_node_get_array (top);
      if ((guint) ref->index >= json_array_get_length (array))
        {
          json_node_unref (top);
          g_clear_pointer (&value, json_node_unref);
          return;
        }
      element = json_array_get_element (array, ref->index);
      if (!JSON_NODE_HOLDS_OBJECT (element))
        json_node_take_object (element, json_object_new ());
      object = json_node_get_object (element);
    }
  else
    {
      if (current != NULL && JSON_NODE_HOLDS_OBJECT (current))
        top = json_node_copy (current);
      else
        top = json_node_init_object (json_node_alloc (), json_object_new ());
      object = json_node_get_object (top);
    }

  if (value != NULL)
    json_object_set_member (object, ref->member, value);
  else if (json_object_has_member (object, ref->member))
    json_object_remove_member (object, ref->member);

  /* A signature with nothing left in it is no signature. */
  if (ref->index < 0 && json_object_get_size (object) == 0)
    g_clear_pointer (&top, json_node_unref);

  cp_packet_set_value (self->packet, self->section->id, field_id, top);
  cp_section_page_emit_edited (self, field_id, full_save);
}

static void
field_editor_set_local_error (FieldEditor *fe,
                              const char  *message)
{
  if (g_strcmp0 (fe->local_error, message) == 0)
    return;
  g_free (fe->local_error);
  fe->local_error = g_strdup (message);
  field_editor_update_error (fe);
}

/* Text-like rows. */

static void
text_changed_cb (GtkEditable *editable,
                 ValueRef    *ref)
{
  const char *text = gtk_editable_get_text (editable);
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (ref->field->type == CP_FIELD_USCC && ref->fe->info_label != NULL)
    {
      g_autofree char *normalized = cp_uscc_normalize (text);
      gboolean ok;
      g_autofree char *info = NULL;

      if (normalized != NULL && *normalized)
        info = cp_app_describe_uscc (normalized, &ok);
      gtk_label_set_text (GTK_LABEL (ref->fe->info_label), info != NULL ? info : "");
      gtk_widget_set_visible (ref->fe->info_label, info != NULL && ok);
    }

  value_ref_set (ref, *stripped ? json_node_init_string (json_node_alloc (), stripped) : NULL,
                 FALSE);
}

static GtkWidget *
build_text_row (ValueRef *ref)
{
  GtkWidget *row = adw_entry_row_new ();
  JsonNode *node = value_ref_get (ref);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cp_text_get (ref->field->label));
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    gtk_editable_set_text (GTK_EDITABLE (row), json_node_get_string (node));

  switch (ref->field->type)
    {
    case CP_FIELD_PHONE:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_PHONE);
      break;
    case CP_FIELD_EMAIL:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_EMAIL);
      break;
    case CP_FIELD_URL:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_URL);
      break;
    case CP_FIELD_POSTCODE:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (row), GTK_INPUT_PURPOSE_DIGITS);
      break;
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_CHOICE:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_USCC:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      break;
    }

  g_signal_connect_data (row, "changed", G_CALLBACK (text_changed_cb), ref,
                         (GClosureNotify) value_ref_free, 0);
  return row;
}

/* Multi-line text. */

static void
buffer_changed_cb (GtkTextBuffer *buffer,
                   ValueRef      *ref)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;
  g_autofree char *stripped = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  stripped = g_strstrip (g_strdup (text));
  /* Keep what was typed, inner line breaks included; only an empty text unsets the field. */
  value_ref_set (ref, *stripped ? json_node_init_string (json_node_alloc (), text) : NULL, FALSE);
}

static GtkWidget *
build_multiline (ValueRef *ref)
{
  GtkWidget *frame = gtk_frame_new (NULL);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *view = gtk_text_view_new ();
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  JsonNode *node = value_ref_get (ref);

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 110);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_frame_set_child (GTK_FRAME (frame), scrolled);
  gtk_widget_add_css_class (frame, "multiline-field");

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    gtk_text_buffer_set_text (buffer, json_node_get_string (node), -1);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cp_text_get (ref->field->label),
                                  -1);
  g_signal_connect_data (buffer, "changed", G_CALLBACK (buffer_changed_cb), ref,
                         (GClosureNotify) value_ref_free, 0);
  g_object_set_data (G_OBJECT (frame), "cp-focus", view);
  return frame;
}

/* Numbers, money, dates and times: an entry checked as typed. */

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

static void
scalar_entry_changed_cb (GtkEditable *editable,
                         ValueRef    *ref)
{
  const char *text = gtk_editable_get_text (editable);
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  FieldEditor *fe = ref->fe;

  if (*stripped == '\0')
    {
      field_editor_set_local_error (fe, NULL);
      value_ref_set (ref, NULL, FALSE);
      return;
    }

  switch (ref->field->type)
    {
    case CP_FIELD_NUMBER:
    case CP_FIELD_MONEY:
    case CP_FIELD_INTEGER:
      {
        double value;

        if (!parse_number (stripped, &value))
          {
            field_editor_set_local_error (fe, _("Enter a number, for example 1250.5."));
            return;
          }
        if (ref->field->type == CP_FIELD_INTEGER && value != (double) (gint64) value)
          {
            field_editor_set_local_error (fe, _("Enter a whole number, without decimals."));
            return;
          }
        field_editor_set_local_error (fe, NULL);
        if (ref->field->type == CP_FIELD_INTEGER)
          value_ref_set (ref, json_node_init_int (json_node_alloc (), (gint64) value), FALSE);
        else
          value_ref_set (ref, json_node_init_double (json_node_alloc (), value), FALSE);
      }
      break;

    case CP_FIELD_DATE:
      {
        g_autofree char *iso = NULL;
        GDate date;

        /* 2026/3/1, 2026.3.1, 20260301, 2026年3月1日…: kept as 2026-03-01. The text stays as
         * typed until the focus leaves it. */
        if (!cp_date_parse_input (stripped, &date))
          {
            field_editor_set_local_error (fe, _("Enter a date such as 2026-3-1, 2026/3/1 or "
                                                "2026年3月1日, or pick it from the calendar "
                                                "(Alt+Down)."));
            return;
          }
        field_editor_set_local_error (fe, NULL);
        iso = cp_date_format (&date);
        value_ref_set (ref, json_node_init_string (json_node_alloc (), iso), FALSE);
      }
      break;

    case CP_FIELD_TIME:
      {
        int minutes;

        if (!cp_time_parse (stripped, &minutes))
          {
            field_editor_set_local_error (fe, _("Enter the time as hours and minutes, for "
                                                "example 09:30."));
            return;
          }
        field_editor_set_local_error (fe, NULL);
        value_ref_set (ref, json_node_init_string (json_node_alloc (), stripped), FALSE);
      }
      break;

    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_CHOICE:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      value_ref_set (ref, json_node_init_string (json_node_alloc (), stripped), FALSE);
      break;
    }
}

static void
calendar_day_selected_cb (GtkCalendar *calendar,
                          ValueRef    *ref)
{
  g_autoptr(GDateTime) dt = gtk_calendar_get_date (calendar);
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%d");
  GtkWidget *popover = gtk_widget_get_ancestor (GTK_WIDGET (calendar), GTK_TYPE_POPOVER);

  gtk_editable_set_text (GTK_EDITABLE (ref->entry), text);
  if (popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (popover));
}

static void
calendar_show_cb (GtkWidget *popover,
                  ValueRef  *ref)
{
  GtkWidget *calendar = gtk_popover_get_child (GTK_POPOVER (popover));
  GDate date;

  if (cp_date_parse_input (gtk_editable_get_text (GTK_EDITABLE (ref->entry)), &date))
    {
      g_autoptr(GDateTime) dt = g_date_time_new_local (g_date_get_year (&date),
                                                       g_date_get_month (&date),
                                                       g_date_get_day (&date), 0, 0, 0);
      g_signal_handlers_block_by_func (calendar, calendar_day_selected_cb, ref);
      gtk_calendar_select_day (GTK_CALENDAR (calendar), dt);
      g_signal_handlers_unblock_by_func (calendar, calendar_day_selected_cb, ref);
    }
}

/* Leaving a date written as 2026/3/1 shows it as it is kept: 2026-03-01. */
static void
date_focus_leave_cb (GtkEventControllerFocus *controller,
                     ValueRef                *ref)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (ref->entry));
  g_autofree char *iso = NULL;
  GDate date;

  if (!cp_date_parse_input (text, &date))
    return;
  iso = cp_date_format (&date);
  if (!g_str_equal (iso, text))
    gtk_editable_set_text (GTK_EDITABLE (ref->entry), iso);
}

/* Alt+Down in a date opens the calendar: its button is not a Tab stop of its own. */
static gboolean
date_key_pressed_cb (GtkEventControllerKey *controller,
                     guint                  keyval,
                     guint                  keycode,
                     GdkModifierType        state,
                     GtkMenuButton         *button)
{
  if ((keyval == GDK_KEY_Down || keyval == GDK_KEY_KP_Down) && (state & GDK_ALT_MASK))
    {
      gtk_menu_button_popup (button);
      return TRUE;
    }
  return FALSE;
}

static GtkWidget *
build_scalar_row (ValueRef *ref)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *entry = gtk_entry_new ();
  JsonNode *node = value_ref_get (ref);
  const char *label = cp_text_get (ref->field->label);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), label);
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  ref->entry = entry;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    {
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        gtk_editable_set_text (GTK_EDITABLE (entry), json_node_get_string (node));
      else
        {
          g_autofree char *text = format_number (json_node_get_double (node));
          gtk_editable_set_text (GTK_EDITABLE (entry), text);
        }
    }

  switch (ref->field->type)
    {
    case CP_FIELD_NUMBER:
    case CP_FIELD_MONEY:
    case CP_FIELD_INTEGER:
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), ref->field->type == CP_FIELD_INTEGER ?
                                   GTK_INPUT_PURPOSE_DIGITS : GTK_INPUT_PURPOSE_NUMBER);
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
      gtk_entry_set_alignment (GTK_ENTRY (entry), 1.0);
      gtk_widget_add_css_class (entry, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
      if (ref->field->unit != NULL)
        {
          GtkWidget *unit = gtk_label_new (ref->field->unit);

          gtk_widget_add_css_class (unit, "dim-label");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), unit);
        }
      break;

    case CP_FIELD_DATE:
      {
        GtkWidget *button = gtk_menu_button_new ();
        GtkWidget *popover = gtk_popover_new ();
        GtkWidget *calendar = gtk_calendar_new ();
        GtkEventController *key = gtk_event_controller_key_new ();
        GtkEventController *focus = gtk_event_controller_focus_new ();

        /* One Tab stop for the date: the entry. The calendar is for the mouse and Alt+Down. */
        gtk_widget_set_can_focus (button, FALSE);
        g_signal_connect (key, "key-pressed", G_CALLBACK (date_key_pressed_cb), button);
        gtk_widget_add_controller (entry, key);
        g_signal_connect (focus, "leave", G_CALLBACK (date_focus_leave_cb), ref);
        gtk_widget_add_controller (entry, focus);
        gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("YYYY-MM-DD"));
        gtk_editable_set_width_chars (GTK_EDITABLE (entry), 12);
        gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "x-office-calendar-symbolic");
        gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
        gtk_widget_add_css_class (button, "flat");
        gtk_widget_set_tooltip_text (button, _("Pick the date from a calendar (Alt+Down)"));
        gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                        GTK_ACCESSIBLE_PROPERTY_LABEL,
                                        _("Pick the date from a calendar"),
                                        -1);
        gtk_popover_set_child (GTK_POPOVER (popover), calendar);
        gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), popover);
        g_signal_connect (calendar, "day-selected", G_CALLBACK (calendar_day_selected_cb), ref);
        g_signal_connect (popover, "show", G_CALLBACK (calendar_show_cb), ref);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
        adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      }
      break;

    case CP_FIELD_TIME:
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("HH:MM"));
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 6);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
      break;

    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_CHOICE:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), entry);
      break;
    }

  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), entry);
  /* The entry is the Tab stop, not the row around it (typing on a focused row goes nowhere). */
  gtk_widget_set_focusable (row, FALSE);
  g_signal_connect_data (entry, "changed", G_CALLBACK (scalar_entry_changed_cb), ref,
                         (GClosureNotify) value_ref_free, 0);
  g_object_set_data (G_OBJECT (row), "cp-focus", entry);
  return row;
}

/* Choice and yes/no. */

static void
choice_selected_cb (AdwComboRow *row,
                    GParamSpec  *pspec,
                    ValueRef    *ref)
{
  guint pos = adw_combo_row_get_selected (row);
  const CpChoiceOption *option;

  if (pos == GTK_INVALID_LIST_POSITION || pos == 0 || ref->field->options == NULL ||
      pos > ref->field->options->len)
    {
      value_ref_set (ref, NULL, FALSE);
      return;
    }
  option = g_ptr_array_index (ref->field->options, pos - 1);
  value_ref_set (ref, json_node_init_string (json_node_alloc (), option->id), FALSE);
}

static GtkWidget *
build_choice_row (ValueRef *ref)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  JsonNode *node = value_ref_get (ref);
  const char *current = NULL;
  guint selected = 0;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    current = json_node_get_string (node);

  gtk_string_list_append (model, _("Not chosen"));
  for (guint i = 0; ref->field->options != NULL && i < ref->field->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (ref->field->options, i);

      gtk_string_list_append (model, cp_text_get (option->label));
      if (g_strcmp0 (option->id, current) == 0)
        selected = i + 1;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cp_text_get (ref->field->label));
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_combo_row_set_selected (ADW_COMBO_ROW (row), selected);
  g_signal_connect_data (row, "notify::selected", G_CALLBACK (choice_selected_cb), ref,
                         (GClosureNotify) value_ref_free, 0);
  return row;
}

static void
switch_active_cb (GtkSwitch  *sw,
                  GParamSpec *pspec,
                  ValueRef   *ref)
{
  value_ref_set (ref, json_node_init_boolean (json_node_alloc (), gtk_switch_get_active (sw)),
                 FALSE);
}

static GtkWidget *
build_boolean_row (ValueRef *ref)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *sw = gtk_switch_new ();
  JsonNode *node = value_ref_get (ref);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cp_text_get (ref->field->label));
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    gtk_switch_set_active (GTK_SWITCH (sw), json_node_get_boolean (node));
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, cp_text_get (ref->field->label),
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), sw);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), sw);
  g_signal_connect_data (sw, "notify::active", G_CALLBACK (switch_active_cb), ref,
                         (GClosureNotify) value_ref_free, 0);
  g_object_set_data (G_OBJECT (row), "cp-focus", sw);
  return row;
}

static GtkWidget *
build_simple_row (FieldEditor   *fe,
                  const CpField *field,
                  int            index,
                  const char    *member)
{
  ValueRef *ref = value_ref_new (fe, field, index, member);

  switch (field->type)
    {
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
      return build_scalar_row (ref);
    case CP_FIELD_CHOICE:
      return build_choice_row (ref);
    case CP_FIELD_BOOLEAN:
      return build_boolean_row (ref);
    case CP_FIELD_MULTILINE:
      return build_multiline (ref);
    case CP_FIELD_TEXT:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      return build_text_row (ref);
    }
}

/* Repeated groups. */

static void
group_add_clicked_cb (GtkButton   *button,
                      FieldEditor *fe)
{
  CpSectionPage *self = fe->page;
  JsonNode *current = cp_packet_get_value (self->packet, self->section->id, fe->field->id);
  JsonNode *copy;
  JsonArray *array;

  if (current != NULL && JSON_NODE_HOLDS_ARRAY (current))
    copy = json_node_copy (current);
  else
    copy = json_node_init_array (json_node_alloc (), json_array_new ());
  array = json_node_get_array (copy);
  json_array_add_object_element (array, json_object_new ());
  cp_packet_set_value (self->packet, self->section->id, fe->field->id, copy);
  cp_section_page_emit_edited (self, fe->field->id, FALSE);
  field_editor_rebuild (fe);
}

static void
group_remove_clicked_cb (GtkButton   *button,
                         FieldEditor *fe)
{
  CpSectionPage *self = fe->page;
  int index = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "cp-index"));
  JsonNode *current = cp_packet_get_value (self->packet, self->section->id, fe->field->id);
  JsonNode *copy;
  JsonArray *array;

  if (current == NULL || !JSON_NODE_HOLDS_ARRAY (current))
    return;
  copy = json_node_copy (current);
  array = json_node_get_array (copy);
  if ((guint) index < json_array_get_length (array))
    json_array_remove_element (array, index);
  if (json_array_get_length (array) == 0)
    g_clear_pointer (&copy, json_node_unref);
  cp_packet_set_value (self->packet, self->section->id, fe->field->id, copy);
  cp_section_page_emit_edited (self, fe->field->id, FALSE);
  field_editor_rebuild (fe);
}

static void
build_group_items (FieldEditor *fe)
{
  CpSectionPage *self = fe->page;
  JsonNode *value = cp_packet_get_value (self->packet, self->section->id, fe->field->id);
  guint n = 0;
  GtkWidget *add;
  g_autofree char *add_label = NULL;

  if (value != NULL && JSON_NODE_HOLDS_ARRAY (value))
    n = json_array_get_length (json_node_get_array (value));

  for (guint i = 0; i < n; i++)
    {
      GtkWidget *list = gtk_list_box_new ();
      GtkWidget *header = adw_action_row_new ();
      GtkWidget *remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autofree char *title = g_strdup_printf (_("Entry %u"), i + 1);
      g_autofree char *remove_label = g_strdup_printf (_("Remove entry %u of %s"), i + 1,
                                                       cp_text_get (fe->field->label));

      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (header), title);
      gtk_widget_add_css_class (header, "group-entry-header");
      gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (remove, "flat");
      gtk_widget_set_tooltip_text (remove, remove_label);
      gtk_accessible_update_property (GTK_ACCESSIBLE (remove),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label,
                                      -1);
      g_object_set_data (G_OBJECT (remove), "cp-index", GINT_TO_POINTER (i));
      g_signal_connect (remove, "clicked", G_CALLBACK (group_remove_clicked_cb), fe);
      adw_action_row_add_suffix (ADW_ACTION_ROW (header), remove);
      gtk_list_box_append (GTK_LIST_BOX (list), header);

      for (guint j = 0; fe->field->fields != NULL && j < fe->field->fields->len; j++)
        {
          const CpField *sub = g_ptr_array_index (fe->field->fields, j);
          GtkWidget *row;

          if (sub->type == CP_FIELD_ATTACHMENT)
            {
              build_attachment_rows (fe, list, sub, i, sub->id);
              continue;
            }
          row = build_simple_row (fe, sub, i, sub->id);
          if (GTK_IS_LIST_BOX_ROW (row))
            gtk_list_box_append (GTK_LIST_BOX (list), row);
          else
            {
              GtkWidget *holder = gtk_list_box_row_new ();

              gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (holder), FALSE);
              gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (holder), row);
              gtk_list_box_append (GTK_LIST_BOX (list), holder);
            }
        }
      gtk_box_append (GTK_BOX (fe->items_box), list);
    }

  add_label = g_strdup_printf (_("Add an entry to %s"), cp_text_get (fe->field->label));
  add = gtk_button_new_with_mnemonic (_("_Add Entry"));
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_widget_set_tooltip_text (add, add_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (add),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, add_label,
                                  -1);
  gtk_widget_set_sensitive (add, fe->field->max_items == 0 || n < fe->field->max_items);
  g_signal_connect (add, "clicked", G_CALLBACK (group_add_clicked_cb), fe);
  gtk_box_append (GTK_BOX (fe->items_box), add);
  if (fe->focus_widget == NULL)
    fe->focus_widget = add;
}

/* Attachments (also the scan of a signature). */

typedef struct
{
  ValueRef *ref;
  GFile    *file;
  char     *replace;   /* the hash being replaced, or NULL */
  char     *name;
  char     *sha256;
  guint64   size;
} AttachJob;

static void
attach_job_free (AttachJob *job)
{
  value_ref_free (job->ref);
  g_clear_object (&job->file);
  g_free (job->replace);
  g_free (job->name);
  g_free (job->sha256);
  g_free (job);
}

static GPtrArray *
value_ref_get_hashes (ValueRef *ref)
{
  GPtrArray *hashes = g_ptr_array_new_with_free_func (g_free);
  JsonNode *node = value_ref_get (ref);

  if (node == NULL)
    return hashes;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_ptr_array_add (hashes, g_strdup (json_node_get_string (node)));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (hashes, g_strdup (json_node_get_string (element)));
        }
    }
  return hashes;
}

static void
value_ref_set_hashes (ValueRef  *ref,
                      GPtrArray *hashes)
{
  JsonNode *node = NULL;
  gboolean single = ref->field->max_count == 1;

  if (hashes->len == 0)
    node = NULL;
  else if (single)
    node = json_node_init_string (json_node_alloc (), g_ptr_array_index (hashes, 0));
  else
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; i < hashes->len; i++)
        json_array_add_string_element (array, g_ptr_array_index (hashes, i));
      node = json_node_init_array (json_node_alloc (), array);
      json_array_unref (array);
    }
  value_ref_set (ref, node, TRUE);
}

/* Drops manifest entries no value names any more. */
static void
cp_section_page_prune_manifest (CpSectionPage *self,
                                const char    *sha256)
{
  g_autofree char *data = NULL;
  g_autofree char *quoted = NULL;
  const char *found;

  if (sha256 == NULL)
    return;
  data = cp_packet_to_data (self->packet, FALSE, NULL);
  quoted = g_strdup_printf ("\"%s\"", sha256);
  /* The manifest itself names the hash once. */
  found = strstr (data, quoted);
  if (found != NULL && strstr (found + 1, quoted) == NULL)
    cp_packet_remove_attachment (self->packet, sha256);
}

static void
attach_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpSectionPage *self = source_object;
  AttachJob *job = task_data;
  GError *error = NULL;

  /* An empty or unreadable file, a folder, a type the field does not take: said, not kept. */
  if (!cp_attachment_check_file (job->file, (const char * const *) job->ref->field->mime_types,
                                 cancellable, &error) ||
      !cp_store_add_blob_from_file (self->store, job->file, &job->sha256, &job->size,
                                    cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
attach_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CpSectionPage *self = CP_SECTION_PAGE (object);
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
      field_editor_set_local_error (job->ref->fe, message);
      job->ref->fe->touched = TRUE;
      field_editor_update_error (job->ref->fe);
      return;
    }

  content_type = g_content_type_guess (job->name, NULL, 0, NULL);
  mime = g_content_type_get_mime_type (content_type);
  cp_packet_add_attachment (self->packet, job->name, job->sha256, job->size,
                            mime != NULL ? mime : "application/octet-stream");

  hashes = value_ref_get_hashes (job->ref);
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
      if (job->ref->field->max_count == 1)
        g_ptr_array_set_size (hashes, 0);
      if (!present || hashes->len == 0)
        g_ptr_array_add (hashes, g_strdup (job->sha256));
    }
  field_editor_set_local_error (job->ref->fe, NULL);
  value_ref_set_hashes (job->ref, hashes);
  if (job->replace != NULL)
    cp_section_page_prune_manifest (self, job->replace);
  field_editor_rebuild (job->ref->fe);
}

static void
cp_section_page_attach (CpSectionPage *self,
                        ValueRef      *ref,
                        GFile         *file,
                        const char    *replace)
{
  g_autoptr(GTask) task = NULL;
  AttachJob *job = g_new0 (AttachJob, 1);
  g_autoptr(GFileInfo) info = NULL;

  job->ref = value_ref_new (ref->fe, ref->field, ref->index, ref->member);
  job->file = g_object_ref (file);
  job->replace = g_strdup (replace);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  job->name = info != NULL ? g_strdup (g_file_info_get_display_name (info))
                           : g_file_get_basename (file);

  task = g_task_new (self, NULL, attach_done_cb, NULL);
  g_task_set_source_tag (task, cp_section_page_attach);
  g_task_set_task_data (task, job, (GDestroyNotify) attach_job_free);
  g_task_run_in_thread (task, attach_thread);
}

static void
chooser_response_cb (GtkNativeDialog *native,
                     int              response,
                     ValueRef        *ref)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
      const char *replace = g_object_get_data (G_OBJECT (native), "cp-replace");

      if (file != NULL)
        cp_section_page_attach (ref->fe->page, ref, file, replace);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
attachment_choose (ValueRef   *ref,
                   const char *replace)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (ref->fe->page));
  GtkFileChooserNative *native;
  const char *const *mime_types = (const char *const *) ref->field->mime_types;

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
  g_object_set_data_full (G_OBJECT (native), "cp-ref",
                          value_ref_new (ref->fe, ref->field, ref->index, ref->member),
                          (GDestroyNotify) value_ref_free);
  g_signal_connect (native, "response", G_CALLBACK (chooser_response_cb),
                    g_object_get_data (G_OBJECT (native), "cp-ref"));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
attachment_add_clicked_cb (GtkButton *button,
                           ValueRef  *ref)
{
  attachment_choose (ref, NULL);
}

static void
attachment_replace_clicked_cb (GtkButton *button,
                               ValueRef  *ref)
{
  attachment_choose (ref, g_object_get_data (G_OBJECT (button), "cp-sha256"));
}

static void
attachment_remove_clicked_cb (GtkButton *button,
                              ValueRef  *ref)
{
  const char *sha256 = g_object_get_data (G_OBJECT (button), "cp-sha256");
  g_autofree char *removed = g_strdup (sha256);
  g_autoptr(GPtrArray) hashes = value_ref_get_hashes (ref);
  FieldEditor *fe = ref->fe;

  for (guint i = hashes->len; i > 0; i--)
    if (g_str_equal (g_ptr_array_index (hashes, i - 1), removed))
      g_ptr_array_remove_index (hashes, i - 1);
  value_ref_set_hashes (ref, hashes);
  cp_section_page_prune_manifest (fe->page, removed);
  field_editor_rebuild (fe);
}

static void
attachment_open_clicked_cb (GtkButton *button,
                            ValueRef  *ref)
{
  CpSectionPage *self = ref->fe->page;
  const char *sha256 = g_object_get_data (G_OBJECT (button), "cp-sha256");
  const CpAttachment *attachment = cp_packet_find_attachment (self->packet, sha256);
  g_autofree char *blob = cp_store_get_blob_path (self->store, sha256);
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
      field_editor_set_local_error (ref->fe, message);
      ref->fe->touched = TRUE;
      field_editor_update_error (ref->fe);
      return;
    }
  uri = g_file_get_uri (dst);
  gtk_show_uri (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (button))), uri, GDK_CURRENT_TIME);
}

static GtkWidget *
make_icon_button (const char *icon,
                  const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

static CpField sig_signer, sig_role, sig_date, sig_scan;

/* The rows of an attachment field (@index ≥ 0 and @member: a sub-field of a group entry; @member
 * alone: the scan of a signature). */
static void
build_attachment_rows (FieldEditor   *fe,
                       GtkWidget     *list,
                       const CpField *field,
                       int            index,
                       const char    *member)
{
  CpSectionPage *self = fe->page;
  ValueRef *ref = value_ref_new (fe, field, index, member);
  g_autoptr(GPtrArray) hashes = value_ref_get_hashes (ref);
  gboolean single = field->max_count == 1;
  GtkWidget *add_row, *add;
  const char *what = field == &sig_scan ? _("scanned page") : cp_text_get (field->label);
  g_autofree char *add_label = NULL;
  g_autofree char *key = g_strdup_printf ("cp-ref-%s", member != NULL ? member : "");

  /* The ref lives as long as the list that holds its rows. */
  g_object_set_data_full (G_OBJECT (list), key, ref, (GDestroyNotify) value_ref_free);

  for (guint i = 0; i < hashes->len; i++)
    {
      const char *sha256 = g_ptr_array_index (hashes, i);
      const CpAttachment *attachment = cp_packet_find_attachment (self->packet, sha256);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *open, *replace, *remove;
      g_autofree char *subtitle = NULL;
      g_autofree char *open_label = NULL;
      g_autofree char *replace_label = NULL;
      g_autofree char *remove_label = NULL;
      const char *name = attachment != NULL ? attachment->name : sha256;

      g_autofree char *blob = cp_store_get_blob_path (self->store, sha256);
      const CpAttachment unknown = { (char *) sha256, (char *) sha256, 0, NULL };

      /* A thumbnail, the type and size; the SHA-256 in the details. */
      subtitle = cp_attachment_details_describe (attachment != NULL ? attachment : &unknown);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 cp_attachment_thumbnail_new (blob, sha256,
                                                              attachment != NULL
                                                              ? attachment->mime : NULL));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 cp_attachment_details_new_button (attachment != NULL ? attachment
                                                                                      : &unknown));
      gtk_widget_add_css_class (row, "attachment-row");

      open_label = g_strdup_printf (_("Open %s"), name);
      replace_label = g_strdup_printf (_("Replace %s"), name);
      remove_label = g_strdup_printf (_("Remove %s"), name);
      open = make_icon_button ("document-open-symbolic", open_label);
      replace = make_icon_button ("document-revert-symbolic", replace_label);
      remove = make_icon_button ("user-trash-symbolic", remove_label);
      g_object_set_data_full (G_OBJECT (open), "cp-sha256", g_strdup (sha256), g_free);
      g_object_set_data_full (G_OBJECT (replace), "cp-sha256", g_strdup (sha256), g_free);
      g_object_set_data_full (G_OBJECT (remove), "cp-sha256", g_strdup (sha256), g_free);
      g_signal_connect (open, "clicked", G_CALLBACK (attachment_open_clicked_cb), ref);
      g_signal_connect (replace, "clicked", G_CALLBACK (attachment_replace_clicked_cb), ref);
      g_signal_connect (remove, "clicked", G_CALLBACK (attachment_remove_clicked_cb), ref);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), replace);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
    }

  if (single && hashes->len > 0)
    return;
  if (field->max_count > 0 && hashes->len >= field->max_count)
    return;

  add_label = g_strdup_printf (_("Attach a file to %s"), what);
  add_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add_row),
                                 field == &sig_scan ? _("No scanned page attached")
                                                    : _("No file attached"));
  if (index >= 0)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add_row), cp_text_get (field->label));
  if (hashes->len > 0)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (add_row), _("Attach another file"));
  add = gtk_button_new_with_mnemonic (_("_Attach…"));
  gtk_widget_set_valign (add, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (add, add_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (add),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, add_label,
                                  -1);
  g_signal_connect (add, "clicked", G_CALLBACK (attachment_add_clicked_cb), ref);
  adw_action_row_add_suffix (ADW_ACTION_ROW (add_row), add);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (add_row), add);
  gtk_list_box_append (GTK_LIST_BOX (list), add_row);
  if (fe->focus_widget == NULL)
    fe->focus_widget = add;
}

/* Signatures and stamps. */

static void
build_signature_rows (FieldEditor *fe,
                      GtkWidget   *list)
{
  const CpField *subs[] = { &sig_signer, &sig_role, &sig_date };

  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      GtkWidget *row = build_simple_row (fe, subs[i], -1, subs[i]->id);

      gtk_list_box_append (GTK_LIST_BOX (list), row);
      if (fe->focus_widget == NULL)
        {
          GtkWidget *focus = g_object_get_data (G_OBJECT (row), "cp-focus");
          fe->focus_widget = focus != NULL ? focus : row;
        }
    }
  build_attachment_rows (fe, list, &sig_scan, -1, "scan");
}

static void
field_editor_rebuild (FieldEditor *fe)
{
  GtkWidget *child;
  GtkWidget *list;

  gboolean had_focus = fe->focus_widget != NULL && gtk_widget_has_focus (fe->focus_widget);

  while ((child = gtk_widget_get_first_child (fe->items_box)) != NULL)
    gtk_box_remove (GTK_BOX (fe->items_box), child);
  fe->focus_widget = NULL;
  fe->page->populating = TRUE;

  switch (fe->field->type)
    {
    case CP_FIELD_GROUP:
      build_group_items (fe);
      break;

    case CP_FIELD_ATTACHMENT:
      list = gtk_list_box_new ();
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      build_attachment_rows (fe, list, fe->field, -1, NULL);
      gtk_box_append (GTK_BOX (fe->items_box), list);
      break;

    case CP_FIELD_SIGNATURE:
      list = gtk_list_box_new ();
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      build_signature_rows (fe, list);
      gtk_box_append (GTK_BOX (fe->items_box), list);
      break;

    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_CHOICE:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    default:
      {
        GtkWidget *row = build_simple_row (fe, fe->field, -1, NULL);
        GtkWidget *focus = g_object_get_data (G_OBJECT (row), "cp-focus");

        if (GTK_IS_LIST_BOX_ROW (row))
          {
            list = gtk_list_box_new ();
            gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
            gtk_widget_add_css_class (list, "boxed-list");
            gtk_list_box_append (GTK_LIST_BOX (list), row);
            gtk_box_append (GTK_BOX (fe->items_box), list);
          }
        else
          gtk_box_append (GTK_BOX (fe->items_box), row);
        fe->focus_widget = focus != NULL ? focus : row;
      }
      break;
    }

  fe->page->populating = FALSE;
  if (had_focus && fe->focus_widget != NULL)
    gtk_widget_grab_focus (fe->focus_widget);
}

/* Errors and reviewer comments. */

/* The field's accessible description: its error, then what the reviewer said about it. */
static void
field_editor_update_description (FieldEditor *fe)
{
  g_autoptr(GString) text = g_string_new (fe->shown_error);

  if (fe->focus_widget == NULL)
    return;
  if (fe->comments_text != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, fe->comments_text);
    }
  if (text->len > 0)
    gtk_accessible_update_property (GTK_ACCESSIBLE (fe->focus_widget),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (fe->focus_widget),
                                   GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
  gtk_widget_set_visible (box, FALSE);
}

static FieldEditor *cp_section_page_find_editor (CpSectionPage *self,
                                                 const char    *field_path);

/* The label of a field path that has no editor on this page ("surveyors[1].name" names its
 * group), or the path itself. */
static const char *
describe_field (CpSectionPage *self,
                const char    *field_path)
{
  g_autofree char *top = g_strndup (field_path, strcspn (field_path, "[."));
  const CpField *field = cp_section_lookup_field (self->section, top);

  return field != NULL ? cp_text_get (field->label) : field_path;
}

static void
cp_section_page_show_comments (CpSectionPage *self)
{
  clear_box (self->comments_box);
  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);

      clear_box (fe->comments_box);
      g_clear_pointer (&fe->comments_text, g_free);
    }

  for (guint i = 0; self->comments != NULL && i < self->comments->len; i++)
    {
      const CpComment *comment = g_ptr_array_index (self->comments, i);
      FieldEditor *fe = g_strcmp0 (comment->section, self->section->id) == 0
                        ? cp_section_page_find_editor (self, comment->field) : NULL;
      g_autofree char *spoken = NULL;
      GtkWidget *widget;

      if (fe != NULL)
        {
          widget = cp_review_comment_new_widget (comment, NULL, &spoken);
          gtk_box_append (GTK_BOX (fe->comments_box), widget);
          gtk_widget_set_visible (fe->comments_box, TRUE);
          if (fe->comments_text != NULL)
            {
              g_autofree char *joined = g_strdup_printf ("%s\n%s", fe->comments_text, spoken);

              g_free (fe->comments_text);
              fe->comments_text = g_steal_pointer (&joined);
            }
          else
            fe->comments_text = g_steal_pointer (&spoken);
        }
      else
        {
          const char *where = NULL;

          if (comment->section == NULL)
            where = _("the whole packet");
          else if (g_strcmp0 (comment->section, self->section->id) != 0)
            where = comment->field != NULL ? comment->field : comment->section;
          else if (comment->field != NULL)
            where = describe_field (self, comment->field);
          widget = cp_review_comment_new_widget (comment, where, &spoken);
          gtk_box_append (GTK_BOX (self->comments_box), widget);
          gtk_widget_set_visible (self->comments_box, TRUE);
        }
    }

  for (guint i = 0; i < self->editors->len; i++)
    field_editor_update_description (g_ptr_array_index (self->editors, i));
}

static void
field_editor_update_error (FieldEditor *fe)
{
  CpSectionPage *self = fe->page;
  g_autoptr(GString) text = g_string_new (NULL);

  if (fe->local_error != NULL)
    g_string_append (text, fe->local_error);
  for (guint i = 0; fe->local_error == NULL && self->findings != NULL &&
                    i < self->findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (self->findings, i);

      if (g_strcmp0 (f->section, self->section->id) != 0 ||
          !cp_app_finding_is_for_field (f->field, fe->field->id))
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, f->message);
    }

  g_clear_pointer (&fe->shown_error, g_free);
  if (fe->touched && text->len > 0)
    fe->shown_error = g_strdup (text->str);

  gtk_label_set_text (GTK_LABEL (fe->error_label), fe->shown_error != NULL ? fe->shown_error : "");
  gtk_widget_set_visible (fe->error_label, fe->shown_error != NULL);
  field_editor_update_description (fe);
}

static void
field_focus_leave_cb (GtkEventControllerFocus *controller,
                      FieldEditor             *fe)
{
  fe->touched = TRUE;
  field_editor_update_error (fe);
  g_signal_emit (fe->page, signals [FIELD_LEFT], 0, fe->field->id);
}

static FieldEditor *
field_editor_new (CpSectionPage *self,
                  const CpField *field)
{
  FieldEditor *fe = g_new0 (FieldEditor, 1);
  GtkEventController *focus;
  gboolean complex = field->type == CP_FIELD_GROUP || field->type == CP_FIELD_ATTACHMENT ||
                     field->type == CP_FIELD_SIGNATURE || field->type == CP_FIELD_MULTILINE;
  GtkWidget *help = NULL;

  fe->page = self;
  fe->field = field;
  fe->group = adw_preferences_group_new ();
  gtk_widget_add_css_class (fe->group, "field");
  /* Files dropped onto the group go into this field (cp-attachment-drop.c). */
  g_object_set_data (G_OBJECT (fe->group), "cp-field-id", (gpointer) field->id);
  if (complex)
    {
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (fe->group),
                                       cp_text_get (field->label));
      if (field->help != NULL)
        adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (fe->group),
                                               cp_text_get (field->help));
    }
  if (field->required && complex)
    {
      GtkWidget *required = gtk_label_new (_("Required"));

      gtk_widget_add_css_class (required, "dim-label");
      gtk_widget_add_css_class (required, "caption");
      gtk_widget_set_valign (required, GTK_ALIGN_END);
      adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (fe->group), required);
    }

  fe->items_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (fe->group), fe->items_box);

  if (!complex && field->help != NULL)
    {
      help = gtk_label_new (cp_text_get (field->help));
      gtk_label_set_wrap (GTK_LABEL (help), TRUE);
      gtk_label_set_xalign (GTK_LABEL (help), 0);
      gtk_widget_add_css_class (help, "dim-label");
      gtk_widget_add_css_class (help, "caption");
      gtk_widget_add_css_class (help, "field-help");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (fe->group), help);
    }
  if (field->type == CP_FIELD_USCC)
    {
      fe->info_label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (fe->info_label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (fe->info_label), 0);
      gtk_widget_add_css_class (fe->info_label, "caption");
      gtk_widget_add_css_class (fe->info_label, "field-info");
      gtk_widget_add_css_class (fe->info_label, "dim-label");
      gtk_widget_set_visible (fe->info_label, FALSE);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (fe->group), fe->info_label);
    }
  fe->error_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (fe->error_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (fe->error_label), 0);
  gtk_widget_add_css_class (fe->error_label, "error");
  gtk_widget_add_css_class (fe->error_label, "caption");
  gtk_widget_add_css_class (fe->error_label, "field-error");
  gtk_widget_set_visible (fe->error_label, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (fe->group), fe->error_label);
  fe->comments_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (fe->comments_box, "review-comments");
  gtk_widget_set_visible (fe->comments_box, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (fe->group), fe->comments_box);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "leave", G_CALLBACK (field_focus_leave_cb), fe);
  gtk_widget_add_controller (fe->group, focus);

  field_editor_rebuild (fe);

  /* Show the division of a credit code that is already filled in. */
  if (fe->info_label != NULL)
    {
      const char *uscc = cp_packet_get_string (self->packet, self->section->id, field->id);
      g_autofree char *normalized = uscc != NULL ? cp_uscc_normalize (uscc) : NULL;

      if (normalized != NULL && *normalized)
        {
          gboolean ok;
          g_autofree char *info = cp_app_describe_uscc (normalized, &ok);

          gtk_label_set_text (GTK_LABEL (fe->info_label), info);
          gtk_widget_set_visible (fe->info_label, ok);
        }
    }
  return fe;
}

/* The page. */

static void
cp_section_page_dispose (GObject *object)
{
  CpSectionPage *self = CP_SECTION_PAGE (object);

  adw_bin_set_child (ADW_BIN (self), NULL);

  G_OBJECT_CLASS (cp_section_page_parent_class)->dispose (object);
}

static void
cp_section_page_finalize (GObject *object)
{
  CpSectionPage *self = CP_SECTION_PAGE (object);

  g_clear_pointer (&self->editors, g_ptr_array_unref);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_clear_object (&self->tmpl);
  g_clear_object (&self->packet);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cp_section_page_parent_class)->finalize (object);
}

static void
init_signature_field (CpField    *field,
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
cp_section_page_class_init (CpSectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_section_page_dispose;
  object_class->finalize = cp_section_page_finalize;

  signals [EDITED] = g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals [FIELD_LEFT] = g_signal_new ("field-left", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);

  init_signature_field (&sig_signer, "signer", CP_FIELD_TEXT, _("Signed by"));
  init_signature_field (&sig_role, "role", CP_FIELD_TEXT, _("Role or title of the signer"));
  init_signature_field (&sig_date, "date", CP_FIELD_DATE, _("Date signed"));
  init_signature_field (&sig_scan, "scan", CP_FIELD_ATTACHMENT, _("Scanned page"));
  sig_scan.max_count = 1;
}

static void
cp_section_page_init (CpSectionPage *self)
{
  self->editors = g_ptr_array_new_with_free_func ((GDestroyNotify) field_editor_free);
}

CpSectionPage *
cp_section_page_new (CpTemplate      *tmpl,
                     const CpSection *section,
                     CpPacket        *packet,
                     CpStore         *store)
{
  CpSectionPage *self;
  GtkWidget *scrolled, *clamp, *box, *title;

  g_return_val_if_fail (CP_IS_TEMPLATE (tmpl), NULL);
  g_return_val_if_fail (section != NULL, NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);
  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_SECTION_PAGE, NULL);
  self->tmpl = g_object_ref (tmpl);
  self->section = section;
  self->packet = g_object_ref (packet);
  self->store = g_object_ref (store);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  self->fields_box = box;

  title = gtk_label_new (cp_text_get (section->title));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (title),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 1, -1);
  gtk_box_append (GTK_BOX (box), title);
  if (section->help != NULL)
    {
      GtkWidget *help = gtk_label_new (cp_text_get (section->help));

      gtk_label_set_xalign (GTK_LABEL (help), 0);
      gtk_label_set_wrap (GTK_LABEL (help), TRUE);
      gtk_widget_add_css_class (help, "dim-label");
      gtk_box_append (GTK_BOX (box), help);
    }
  self->comments_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->comments_box, "review-comments");
  gtk_widget_set_visible (self->comments_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->comments_box);

  for (guint i = 0; section->fields != NULL && i < section->fields->len; i++)
    {
      FieldEditor *fe = field_editor_new (self, g_ptr_array_index (section->fields, i));

      g_ptr_array_add (self->editors, fe);
      gtk_box_append (GTK_BOX (box), fe->group);
    }

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  adw_bin_set_child (ADW_BIN (self), scrolled);
  cp_attachment_drop_install (self);
  return self;
}

const CpSection *
cp_section_page_get_section (CpSectionPage *self)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  return self->section;
}

CpPacket *
cp_section_page_get_packet (CpSectionPage *self)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  return self->packet;
}

void
cp_section_page_set_findings (CpSectionPage *self,
                              GPtrArray     *findings,
                              gboolean       all)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));

  if (findings != NULL)
    g_ptr_array_ref (findings);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  self->findings = findings;

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);

      if (all)
        fe->touched = TRUE;
      field_editor_update_error (fe);
    }
}

static FieldEditor *
cp_section_page_find_editor (CpSectionPage *self,
                             const char    *field_path)
{
  for (guint i = 0; field_path != NULL && i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);

      if (cp_app_finding_is_for_field (field_path, fe->field->id))
        return fe;
    }
  return NULL;
}

static gboolean
value_is_empty (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      return text == NULL || *text == '\0';
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) == 0;
  return FALSE;
}

static gboolean
field_editor_can_focus (FieldEditor *fe)
{
  return fe->focus_widget != NULL && gtk_widget_is_sensitive (fe->focus_widget) &&
         gtk_widget_get_visible (fe->focus_widget);
}

/* Focuses @widget without selecting its text: a page just shown must not have a value that a
 * stray key replaces. */
static gboolean
grab_focus_without_selecting (GtkWidget *widget)
{
  GtkEditable *delegate = GTK_IS_EDITABLE (widget)
                          ? gtk_editable_get_delegate (GTK_EDITABLE (widget)) : NULL;
  gboolean focused;

  if (GTK_IS_ENTRY (widget))
    focused = gtk_entry_grab_focus_without_selecting (GTK_ENTRY (widget));
  else if (GTK_IS_TEXT (widget))
    focused = gtk_text_grab_focus_without_selecting (GTK_TEXT (widget));
  else if (GTK_IS_TEXT (delegate))
    focused = gtk_text_grab_focus_without_selecting (GTK_TEXT (delegate));
  else
    return gtk_widget_grab_focus (widget);
  /* The cursor after what is there, ready to add to it. */
  if (focused)
    gtk_editable_set_position (GTK_EDITABLE (widget), -1);
  return focused;
}

gboolean
cp_section_page_focus_first_empty (CpSectionPage *self)
{
  FieldEditor *empty = NULL, *first = NULL;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), FALSE);

  for (guint i = 0; i < self->editors->len; i++)
    {
      FieldEditor *fe = g_ptr_array_index (self->editors, i);
      gboolean is_empty;

      if (!field_editor_can_focus (fe))
        continue;
      is_empty = value_is_empty (cp_packet_get_value (self->packet, self->section->id,
                                                      fe->field->id));
      if (is_empty && fe->field->required)
        return grab_focus_without_selecting (fe->focus_widget);
      if (is_empty && empty == NULL)
        empty = fe;
      if (first == NULL)
        first = fe;
    }
  if (empty != NULL)
    return grab_focus_without_selecting (empty->focus_widget);
  if (first != NULL)
    return grab_focus_without_selecting (first->focus_widget);
  return FALSE;
}

gboolean
cp_section_page_focus_field (CpSectionPage *self,
                             const char    *field_path)
{
  FieldEditor *fe;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), FALSE);

  fe = cp_section_page_find_editor (self, field_path);
  if (fe == NULL)
    return FALSE;
  fe->touched = TRUE;
  field_editor_update_error (fe);
  if (fe->focus_widget != NULL)
    gtk_widget_grab_focus (fe->focus_widget);
  return TRUE;
}

const char *
cp_section_page_get_error (CpSectionPage *self,
                           const char    *field_id)
{
  FieldEditor *fe;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  fe = cp_section_page_find_editor (self, field_id);
  return fe != NULL ? fe->shown_error : NULL;
}

GtkWidget *
cp_section_page_get_editor (CpSectionPage *self,
                            const char    *field_id)
{
  FieldEditor *fe;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  fe = cp_section_page_find_editor (self, field_id);
  return fe != NULL ? fe->focus_widget : NULL;
}

void
cp_section_page_attach_file (CpSectionPage *self,
                             const char    *field_id,
                             GFile         *file)
{
  FieldEditor *fe;
  g_autoptr(GPtrArray) hashes = NULL;
  ValueRef *ref;

  g_return_if_fail (CP_IS_SECTION_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  fe = cp_section_page_find_editor (self, field_id);
  g_return_if_fail (fe != NULL);
  if (fe->field->type == CP_FIELD_SIGNATURE)
    ref = value_ref_new (fe, &sig_scan, -1, "scan");
  else
    ref = value_ref_new (fe, fe->field, -1, NULL);
  cp_section_page_attach (self, ref, file, NULL);
  value_ref_free (ref);
}

void
cp_section_page_set_comments (CpSectionPage *self,
                              GPtrArray     *comments)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));

  if (comments != NULL)
    g_ptr_array_ref (comments);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  self->comments = comments;
  cp_section_page_show_comments (self);
}

guint
cp_section_page_get_n_comments (CpSectionPage *self)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), 0);

  return self->comments != NULL ? self->comments->len : 0;
}

GtkWidget *
cp_section_page_get_comments_box (CpSectionPage *self,
                                  const char    *field_id)
{
  FieldEditor *fe;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  if (field_id == NULL)
    return self->comments_box;
  fe = cp_section_page_find_editor (self, field_id);
  return fe != NULL ? fe->comments_box : NULL;
}
