/* cp-packet-item.c — one row of the packet list
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-packet-item.h"

#include <glib/gi18n.h>
#include <string.h>

struct _CpPacketItem
{
  GObject          parent_instance;

  CpPacketSummary *summary;
  char            *folded_name;
  char            *folded_uscc;
  char            *completeness;
  char            *deadline;
  char            *deadline_details;
  CpAppDeadline    deadline_urgency;
};

enum {
  PROP_0,
  PROP_TITLE,
  PROP_COMPLETENESS,
  PROP_DEADLINE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpPacketItem, cp_packet_item, G_TYPE_OBJECT)

static void
cp_packet_item_finalize (GObject *object)
{
  CpPacketItem *self = CP_PACKET_ITEM (object);

  g_clear_pointer (&self->summary, cp_packet_summary_free);
  g_clear_pointer (&self->folded_name, g_free);
  g_clear_pointer (&self->folded_uscc, g_free);
  g_clear_pointer (&self->completeness, g_free);
  g_clear_pointer (&self->deadline, g_free);
  g_clear_pointer (&self->deadline_details, g_free);

  G_OBJECT_CLASS (cp_packet_item_parent_class)->finalize (object);
}

static void
cp_packet_item_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CpPacketItem *self = CP_PACKET_ITEM (object);

  switch (prop_id)
    {
    case PROP_TITLE:
      g_value_set_string (value, cp_packet_item_get_title (self));
      break;

    case PROP_COMPLETENESS:
      g_value_set_string (value, self->completeness);
      break;

    case PROP_DEADLINE:
      g_value_set_string (value, self->deadline);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_packet_item_class_init (CpPacketItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_packet_item_finalize;
  object_class->get_property = cp_packet_item_get_property;

  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties [PROP_COMPLETENESS] =
    g_param_spec_string ("completeness", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Notified when the deadline's text, details or urgency change. */
  properties [PROP_DEADLINE] =
    g_param_spec_string ("deadline", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cp_packet_item_init (CpPacketItem *self)
{
}

CpPacketItem *
cp_packet_item_new (const CpPacketSummary *summary)
{
  CpPacketItem *self;

  g_return_val_if_fail (summary != NULL, NULL);

  self = g_object_new (CP_TYPE_PACKET_ITEM, NULL);
  self->summary = cp_packet_summary_copy (summary);
  if (summary->enterprise_name != NULL)
    self->folded_name = g_utf8_casefold (summary->enterprise_name, -1);
  if (summary->uscc != NULL)
    self->folded_uscc = g_utf8_casefold (summary->uscc, -1);
  return self;
}

const CpPacketSummary *
cp_packet_item_get_summary (CpPacketItem *self)
{
  g_return_val_if_fail (CP_IS_PACKET_ITEM (self), NULL);

  return self->summary;
}

const char *
cp_packet_item_get_uuid (CpPacketItem *self)
{
  g_return_val_if_fail (CP_IS_PACKET_ITEM (self), NULL);

  return self->summary->uuid;
}

const char *
cp_packet_item_get_title (CpPacketItem *self)
{
  g_return_val_if_fail (CP_IS_PACKET_ITEM (self), NULL);

  if (self->summary->enterprise_name == NULL || *self->summary->enterprise_name == '\0')
    return _("Unnamed enterprise");
  return self->summary->enterprise_name;
}

gboolean
cp_packet_item_matches (CpPacketItem *self,
                        const char   *needle)
{
  g_return_val_if_fail (CP_IS_PACKET_ITEM (self), FALSE);

  if (needle == NULL || *needle == '\0')
    return TRUE;
  if (self->folded_name != NULL && strstr (self->folded_name, needle) != NULL)
    return TRUE;
  if (self->folded_uscc != NULL && strstr (self->folded_uscc, needle) != NULL)
    return TRUE;
  return FALSE;
}

const char *
cp_packet_item_get_completeness (CpPacketItem *self)
{
  g_return_val_if_fail (CP_IS_PACKET_ITEM (self), NULL);

  return self->completeness;
}

void
cp_packet_item_set_completeness (CpPacketItem *self,
                                 const char   *text)
{
  g_return_if_fail (CP_IS_PACKET_ITEM (self));

  if (g_strcmp0 (self->completeness, text) == 0)
    return;
  g_free (self->completeness);
  self->completeness = g_strdup (text);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_COMPLETENESS]);
}

const char *
cp_packet_item_get_deadline (CpPacketItem  *self,
                             const char   **details,
                             CpAppDeadline *urgency)
{
  g_return_val_if_fail (CP_IS_PACKET_ITEM (self), NULL);

  if (details != NULL)
    *details = self->deadline_details;
  if (urgency != NULL)
    *urgency = self->deadline_urgency;
  return self->deadline;
}

void
cp_packet_item_set_deadline (CpPacketItem  *self,
                             const char    *text,
                             const char    *details,
                             CpAppDeadline  urgency)
{
  g_return_if_fail (CP_IS_PACKET_ITEM (self));

  if (g_strcmp0 (self->deadline, text) == 0 &&
      g_strcmp0 (self->deadline_details, details) == 0 && self->deadline_urgency == urgency)
    return;
  g_free (self->deadline);
  self->deadline = g_strdup (text);
  g_free (self->deadline_details);
  self->deadline_details = g_strdup (details);
  self->deadline_urgency = urgency;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DEADLINE]);
}
