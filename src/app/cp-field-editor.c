/* cp-field-editor.c — what the section page asks of the editor of one field
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-field-editor.h"

#include "cp-attachment-field-editor.h"
#include "cp-boolean-field-editor.h"
#include "cp-choice-field-editor.h"
#include "cp-date-field-editor.h"
#include "cp-group-field-editor.h"
#include "cp-number-field-editor.h"
#include "cp-signature-field-editor.h"
#include "cp-text-field-editor.h"

/* Where an editor reads and writes: kept on the instance, as an interface has no fields. */
typedef struct
{
  CpPacket      *packet;
  char          *section;
  const CpField *field;
  const CpField *group_field;   /* with index ≥ 0: the group whose entry holds the field */
  int            index;
  CpFieldEditor *owner;         /* a signature whose part this is, or NULL */
  char          *part;
  CpStore       *store;
  char          *local_error;
  gboolean       refreshing;
  gboolean       read_only;     /* another party writes the value, or nobody does now */
} Place;

enum {
  EDITED,
  LOCAL_ERROR_CHANGED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];
static GQuark place_quark;

G_DEFINE_INTERFACE (CpFieldEditor, cp_field_editor, GTK_TYPE_WIDGET)

static void
place_free (Place *place)
{
  g_clear_object (&place->packet);
  g_clear_object (&place->store);
  g_clear_pointer (&place->section, g_free);
  g_clear_pointer (&place->part, g_free);
  g_clear_pointer (&place->local_error, g_free);
  g_free (place);
}

static Place *
get_place (CpFieldEditor *self)
{
  Place *place = g_object_get_qdata (G_OBJECT (self), place_quark);

  if (place == NULL)
    {
      place = g_new0 (Place, 1);
      place->index = -1;
      g_object_set_qdata_full (G_OBJECT (self), place_quark, place, (GDestroyNotify) place_free);
    }
  return place;
}

static void
cp_field_editor_default_init (CpFieldEditorInterface *iface)
{
  place_quark = g_quark_from_static_string ("cp-field-editor-place");

  /**
   * CpFieldEditor::edited:
   * @full_save: whether the whole packet must be saved (the attachment manifest changed)
   *
   * Emitted after the editor wrote a value to the packet.
   */
  signals [EDITED] = g_signal_new ("edited", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
  /**
   * CpFieldEditor::local-error-changed:
   * @now: whether the error is to be shown at once (a file that could not be attached) rather
   *   than when the user leaves the field (a number still being typed)
   */
  signals [LOCAL_ERROR_CHANGED] = g_signal_new ("local-error-changed",
                                                G_TYPE_FROM_INTERFACE (iface),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

CpFieldEditor *
cp_field_editor_new_for_field (const CpField *field,
                               CpStore       *store)
{
  CpFieldEditor *self = NULL;

  g_return_val_if_fail (field != NULL, NULL);
  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  switch (field->type)
    {
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
      self = CP_FIELD_EDITOR (cp_text_field_editor_new (field));
      break;
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
      self = CP_FIELD_EDITOR (cp_number_field_editor_new (field));
      break;
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
      self = CP_FIELD_EDITOR (cp_date_field_editor_new (field));
      break;
    case CP_FIELD_CHOICE:
      self = CP_FIELD_EDITOR (cp_choice_field_editor_new (field));
      break;
    case CP_FIELD_BOOLEAN:
      self = CP_FIELD_EDITOR (cp_boolean_field_editor_new (field));
      break;
    case CP_FIELD_GROUP:
      self = CP_FIELD_EDITOR (cp_group_field_editor_new (field));
      break;
    case CP_FIELD_ATTACHMENT:
      self = CP_FIELD_EDITOR (cp_attachment_field_editor_new (field));
      break;
    case CP_FIELD_SIGNATURE:
      self = CP_FIELD_EDITOR (cp_signature_field_editor_new (field));
      break;
    default:
      g_return_val_if_reached (NULL);
    }

  g_set_object (&get_place (self)->store, store);
  return self;
}

void
cp_field_editor_set_packet (CpFieldEditor *self,
                            CpPacket      *packet,
                            const char    *section,
                            const CpField *group_field,
                            int            index)
{
  Place *place;

  g_return_if_fail (CP_IS_FIELD_EDITOR (self));
  g_return_if_fail (CP_IS_PACKET (packet));
  g_return_if_fail (section != NULL);
  g_return_if_fail ((group_field != NULL) == (index >= 0));

  place = get_place (self);
  g_set_object (&place->packet, packet);
  g_free (place->section);
  place->section = g_strdup (section);
  place->group_field = group_field;
  place->index = index;
  cp_field_editor_refresh (self);
}

CpPacket *
cp_field_editor_get_packet (CpFieldEditor *self)
{
  Place *place;

  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  place = get_place (self);
  return place->owner != NULL ? cp_field_editor_get_packet (place->owner) : place->packet;
}

const char *
cp_field_editor_get_section (CpFieldEditor *self)
{
  Place *place;

  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  place = get_place (self);
  return place->owner != NULL ? cp_field_editor_get_section (place->owner) : place->section;
}

CpStore *
cp_field_editor_get_store (CpFieldEditor *self)
{
  Place *place;

  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  place = get_place (self);
  return place->owner != NULL ? cp_field_editor_get_store (place->owner) : place->store;
}

const CpField *
cp_field_editor_get_field (CpFieldEditor *self)
{
  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  return get_place (self)->field;
}

void
cp_field_editor_set_field (CpFieldEditor *self,
                           const CpField *field)
{
  g_return_if_fail (CP_IS_FIELD_EDITOR (self));
  g_return_if_fail (field != NULL);

  get_place (self)->field = field;
}

void
cp_field_editor_refresh (CpFieldEditor *self)
{
  Place *place;

  g_return_if_fail (CP_IS_FIELD_EDITOR (self));

  place = get_place (self);
  if (cp_field_editor_get_packet (self) == NULL)
    return;
  place->refreshing = TRUE;
  CP_FIELD_EDITOR_GET_IFACE (self)->refresh (self);
  place->refreshing = FALSE;
}

JsonNode *
cp_field_editor_get_value (CpFieldEditor *self)
{
  Place *place;
  const CpField *field;
  JsonNode *owner_value;

  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  place = get_place (self);
  if (place->owner != NULL)
    {
      owner_value = cp_field_editor_get_value (place->owner);
      if (owner_value == NULL || !JSON_NODE_HOLDS_OBJECT (owner_value))
        return NULL;
      owner_value = json_object_get_member (json_node_get_object (owner_value), place->part);
      return owner_value != NULL && !JSON_NODE_HOLDS_NULL (owner_value) ? owner_value : NULL;
    }
  if (place->packet == NULL)
    return NULL;
  field = cp_field_editor_get_field (self);
  if (place->index >= 0)
    return cp_packet_get_value_at (place->packet, place->section, place->group_field->id,
                                   place->index, field->id);
  return cp_packet_get_value_at (place->packet, place->section, field->id, -1, NULL);
}

void
cp_field_editor_set_value (CpFieldEditor *self,
                           JsonNode      *value,
                           gboolean       full_save)
{
  g_autoptr(JsonNode) owned = value;
  Place *place;
  const CpField *field;
  gboolean written;

  g_return_if_fail (CP_IS_FIELD_EDITOR (self));

  place = get_place (self);
  if (place->refreshing || place->read_only)
    return;
  if (place->owner != NULL)
    {
      JsonNode *current = cp_field_editor_get_value (place->owner);
      g_autoptr(JsonObject) object = json_object_new ();
      JsonNode *node = NULL;

      /* The owner's other parts stay as they are. */
      if (current != NULL && JSON_NODE_HOLDS_OBJECT (current))
        {
          JsonObject *old = json_node_get_object (current);
          g_autoptr(GList) names = json_object_get_members (old);

          for (const GList *l = names; l != NULL; l = l->next)
            json_object_set_member (object, l->data,
                                    json_node_copy (json_object_get_member (old, l->data)));
        }
      if (owned != NULL)
        json_object_set_member (object, place->part, g_steal_pointer (&owned));
      else if (json_object_has_member (object, place->part))
        json_object_remove_member (object, place->part);
      /* A signature with nothing left in it is no signature. */
      if (json_object_get_size (object) > 0)
        node = json_node_init_object (json_node_alloc (), object);
      cp_field_editor_set_value (place->owner, node, full_save);
      return;
    }
  if (place->packet == NULL)
    return;
  field = cp_field_editor_get_field (self);
  if (place->index >= 0)
    written = cp_packet_set_value_at (place->packet, place->section, place->group_field->id,
                                      place->index, field->id, g_steal_pointer (&owned));
  else
    written = cp_packet_set_value_at (place->packet, place->section, field->id, -1, NULL,
                                      g_steal_pointer (&owned));
  if (written)
    g_signal_emit (self, signals [EDITED], 0, full_save);
}

void
cp_field_editor_set_owner (CpFieldEditor *self,
                           CpFieldEditor *owner,
                           const char    *part)
{
  Place *place;

  g_return_if_fail (CP_IS_FIELD_EDITOR (self));
  g_return_if_fail (CP_IS_FIELD_EDITOR (owner));
  g_return_if_fail (part != NULL);

  place = get_place (self);
  /* The owner holds its parts: no reference back. */
  place->owner = owner;
  g_free (place->part);
  place->part = g_strdup (part);
}

const char *
cp_field_editor_get_local_error (CpFieldEditor *self)
{
  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  return get_place (self)->local_error;
}

static void
set_local_error (CpFieldEditor *self,
                 const char    *message,
                 gboolean       now)
{
  Place *place = get_place (self);

  if (g_strcmp0 (place->local_error, message) == 0 && !now)
    return;
  g_free (place->local_error);
  place->local_error = g_strdup (message);
  /* A part's refusal is its signature's. */
  if (place->owner != NULL)
    set_local_error (place->owner, message, now);
  g_signal_emit (self, signals [LOCAL_ERROR_CHANGED], 0, now);
}

void
cp_field_editor_set_local_error (CpFieldEditor *self,
                                 const char    *message)
{
  g_return_if_fail (CP_IS_FIELD_EDITOR (self));

  set_local_error (self, message, FALSE);
}

void
cp_field_editor_report_error (CpFieldEditor *self,
                              const char    *message)
{
  g_return_if_fail (CP_IS_FIELD_EDITOR (self));
  g_return_if_fail (message != NULL);

  set_local_error (self, message, TRUE);
}

int
cp_field_editor_get_index (CpFieldEditor *self)
{
  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), -1);

  return get_place (self)->index;
}

GtkWidget *
cp_field_editor_get_focus_widget (CpFieldEditor *self)
{
  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), NULL);

  return CP_FIELD_EDITOR_GET_IFACE (self)->get_focus_widget (self);
}

gboolean
cp_field_editor_take_focus (CpFieldEditor *self,
                            gboolean       at_start)
{
  GtkWidget *widget;
  GtkEditable *delegate;
  gboolean focused;

  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), FALSE);

  widget = cp_field_editor_get_focus_widget (self);
  if (widget == NULL)
    return FALSE;
  if (!at_start)
    return gtk_widget_grab_focus (widget);

  /* A page just shown must not have a value that a stray key replaces. */
  delegate = GTK_IS_EDITABLE (widget) ? gtk_editable_get_delegate (GTK_EDITABLE (widget)) : NULL;
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

void
cp_field_editor_set_read_only (CpFieldEditor *self,
                               gboolean       read_only)
{
  Place *place;
  GtkWidget *focus;

  g_return_if_fail (CP_IS_FIELD_EDITOR (self));

  place = get_place (self);
  read_only = !!read_only;
  if (place->read_only == read_only)
    return;
  place->read_only = read_only;
  focus = cp_field_editor_get_focus_widget (self);
  /* A text or a number stays readable, selectable and focusable, so that it can be read, copied
   * and spoken; anything else (a date with its calendar, a switch, a list of choices, a
   * signature's parts, the buttons of files and entries) is made insensitive as a whole. */
  if (focus != NULL && GTK_IS_EDITABLE (focus) &&
      (CP_IS_TEXT_FIELD_EDITOR (self) || CP_IS_NUMBER_FIELD_EDITOR (self)))
    gtk_editable_set_editable (GTK_EDITABLE (focus), !read_only);
  else if (focus != NULL && GTK_IS_TEXT_VIEW (focus))
    {
      gtk_text_view_set_editable (GTK_TEXT_VIEW (focus), !read_only);
      gtk_text_view_set_cursor_visible (GTK_TEXT_VIEW (focus), !read_only);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self), !read_only);
  if (read_only)
    gtk_widget_add_css_class (GTK_WIDGET (self), "read-only");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "read-only");
  if (focus != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (focus), GTK_ACCESSIBLE_PROPERTY_READ_ONLY,
                                    read_only, -1);
}

gboolean
cp_field_editor_get_read_only (CpFieldEditor *self)
{
  g_return_val_if_fail (CP_IS_FIELD_EDITOR (self), FALSE);

  return get_place (self)->read_only;
}
