/* cp-revision.c — one revision the server keeps of a packet: who wrote it, when, and how
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The items of the revisions list that CpSyncManager gives (a GListModel), read from the
 * receipts of GET /api/v1/packets/{uuid}/revisions.
 */
#include "config.h"

#include "cp-revision.h"

struct _CpRevision
{
  GObject    parent_instance;

  char      *uuid;
  gint64     number;
  char      *action;
  char      *state;
  char      *modified_by;
  GDateTime *modified_at;
};

enum {
  PROP_0,
  PROP_UUID,
  PROP_NUMBER,
  PROP_ACTION,
  PROP_STATE,
  PROP_MODIFIED_BY,
  PROP_MODIFIED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CpRevision, cp_revision, G_TYPE_OBJECT)

static void
cp_revision_finalize (GObject *object)
{
  CpRevision *self = CP_REVISION (object);

  g_free (self->uuid);
  g_free (self->action);
  g_free (self->state);
  g_free (self->modified_by);
  g_clear_pointer (&self->modified_at, g_date_time_unref);

  G_OBJECT_CLASS (cp_revision_parent_class)->finalize (object);
}

static void
cp_revision_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CpRevision *self = CP_REVISION (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;
    case PROP_NUMBER:
      g_value_set_int64 (value, self->number);
      break;
    case PROP_ACTION:
      g_value_set_string (value, self->action);
      break;
    case PROP_STATE:
      g_value_set_string (value, self->state);
      break;
    case PROP_MODIFIED_BY:
      g_value_set_string (value, self->modified_by);
      break;
    case PROP_MODIFIED_AT:
      g_value_set_boxed (value, self->modified_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_revision_class_init (CpRevisionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = cp_revision_finalize;
  object_class->get_property = cp_revision_get_property;

  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, flags);
  properties[PROP_NUMBER] = g_param_spec_int64 ("number", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_ACTION] = g_param_spec_string ("action", NULL, NULL, NULL, flags);
  properties[PROP_STATE] = g_param_spec_string ("state", NULL, NULL, NULL, flags);
  properties[PROP_MODIFIED_BY] = g_param_spec_string ("modified-by", NULL, NULL, NULL, flags);
  properties[PROP_MODIFIED_AT] = g_param_spec_boxed ("modified-at", NULL, NULL,
                                                     G_TYPE_DATE_TIME, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cp_revision_init (CpRevision *self)
{
}

static char *
dup_string_member (JsonObject *object,
                   const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_node_get_string (node));
}

CpRevision *
cp_revision_new_from_json (JsonNode *receipt)
{
  CpRevision *self;
  JsonObject *object;
  JsonNode *number;
  g_autofree char *at = NULL;

  if (receipt == NULL || !JSON_NODE_HOLDS_OBJECT (receipt))
    return NULL;
  object = json_node_get_object (receipt);
  number = json_object_get_member (object, "revision");
  if (number == NULL || !JSON_NODE_HOLDS_VALUE (number) ||
      json_node_get_value_type (number) != G_TYPE_INT64)
    return NULL;

  self = g_object_new (CP_TYPE_REVISION, NULL);
  self->number = MAX (json_node_get_int (number), 0);
  self->uuid = dup_string_member (object, "uuid");
  self->action = dup_string_member (object, "action");
  self->state = dup_string_member (object, "state");
  self->modified_by = dup_string_member (object, "modified_by");
  at = dup_string_member (object, "modified_at");
  self->modified_at = at != NULL ? g_date_time_new_from_iso8601 (at, NULL) : NULL;
  return self;
}

const char *
cp_revision_get_uuid (CpRevision *self)
{
  g_return_val_if_fail (CP_IS_REVISION (self), NULL);
  return self->uuid;
}

gint64
cp_revision_get_number (CpRevision *self)
{
  g_return_val_if_fail (CP_IS_REVISION (self), 0);
  return self->number;
}

const char *
cp_revision_get_action (CpRevision *self)
{
  g_return_val_if_fail (CP_IS_REVISION (self), NULL);
  return self->action;
}

const char *
cp_revision_get_state (CpRevision *self)
{
  g_return_val_if_fail (CP_IS_REVISION (self), NULL);
  return self->state;
}

const char *
cp_revision_get_modified_by (CpRevision *self)
{
  g_return_val_if_fail (CP_IS_REVISION (self), NULL);
  return self->modified_by;
}

GDateTime *
cp_revision_get_modified_at (CpRevision *self)
{
  g_return_val_if_fail (CP_IS_REVISION (self), NULL);
  return self->modified_at;
}
