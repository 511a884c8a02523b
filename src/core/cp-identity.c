/* cp-identity.c — the enterprise's and the agency's identity, typed once
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-identity.h"

#include <string.h>

#include "cp-access.h"
#include "cp-workflow.h"

/* Absent, null or a blank string. */
static gboolean
value_is_empty (JsonNode *value)
{
  const char *text;

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
    return FALSE;
  text = json_node_get_string (value);
  while (text != NULL && g_ascii_isspace (*text))
    text++;
  return text == NULL || *text == '\0';
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  if (value_is_empty (a) || value_is_empty (b))
    return value_is_empty (a) && value_is_empty (b);
  return json_node_equal (a, b);
}

/* Every top-level field of the template, in binder order. */
static void
foreach_field (CpTemplate *tpl,
               void      (*func) (const CpField *field, gpointer data),
               gpointer    data)
{
  GPtrArray *sections = cp_template_get_sections (tpl);

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      for (guint j = 0; section->fields != NULL && j < section->fields->len; j++)
        func (g_ptr_array_index (section->fields, j), data);
    }
}

typedef struct
{
  const CpField *source;
  GPtrArray     *out;
} RepeatsData;

static void
collect_repeats (const CpField *field,
                 gpointer       data)
{
  RepeatsData *d = data;

  if (field->repeats == d->source)
    g_ptr_array_add (d->out, (gpointer) field);
}

GPtrArray *
cp_identity_list_repeats (CpTemplate    *tpl,
                          const CpField *source)
{
  RepeatsData d = { source, g_ptr_array_new () };

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);
  g_return_val_if_fail (source != NULL, NULL);

  foreach_field (tpl, collect_repeats, &d);
  return d.out;
}

const char *
cp_identity_district_for_uscc (const CpField *district,
                               const char    *uscc)
{
  const char *best = NULL;
  gsize best_len = 0;
  char division[7];

  g_return_val_if_fail (district != NULL, NULL);

  if (district->type != CP_FIELD_CHOICE || uscc == NULL || strlen (uscc) < 8)
    return NULL;
  memcpy (division, uscc + 2, 6);
  division[6] = '\0';
  if (strspn (division, "0123456789") != 6)
    return NULL;

  for (guint i = 0; i < district->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (district->options, i);

      for (guint j = 0; option->divisions != NULL && option->divisions[j] != NULL; j++)
        {
          gsize len = strlen (option->divisions[j]);

          if (len > best_len && strncmp (division, option->divisions[j], len) == 0)
            {
              best = option->id;
              best_len = len;
            }
        }
    }
  return best;
}

static const char *
string_of (JsonNode *value)
{
  if (value == NULL || !JSON_NODE_HOLDS_VALUE (value) ||
      json_node_get_value_type (value) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (value);
}

typedef struct
{
  CpPacket      *packet;
  const CpField *source;
  JsonNode      *previous;
  JsonNode      *current;
  GPtrArray     *out;
} CarryData;

static void
carry_one (const CpField *field,
           gpointer       data)
{
  CarryData *d = data;
  JsonNode *value;
  JsonNode *wanted = NULL;

  if (field->repeats == d->source)
    {
      value = cp_packet_get_value (d->packet, field->section->id, field->id);
      if (!value_is_empty (value) && !values_equal (value, d->previous))
        return;  /* typed by hand: left alone */
      wanted = d->current;
    }
  else if (field->division_of == d->source)
    {
      const char *before = cp_identity_district_for_uscc (field, string_of (d->previous));
      const char *after = cp_identity_district_for_uscc (field, string_of (d->current));
      const char *district;

      value = cp_packet_get_value (d->packet, field->section->id, field->id);
      district = string_of (value);
      if (!value_is_empty (value) && g_strcmp0 (district, before) != 0)
        return;  /* chosen by hand */
      if (after == NULL)
        {
          /* A code with no known division yet: a district derived from the old one goes, an
           * empty one stays empty. */
          if (value_is_empty (value))
            return;
          cp_packet_set_value (d->packet, field->section->id, field->id, NULL);
          g_ptr_array_add (d->out, g_strdup (field->path));
          return;
        }
      if (g_strcmp0 (district, after) == 0)
        return;
      cp_packet_set_value (d->packet, field->section->id, field->id,
                           json_node_init_string (json_node_alloc (), after));
      g_ptr_array_add (d->out, g_strdup (field->path));
      return;
    }
  else
    return;

  if (values_equal (value, wanted))
    return;
  cp_packet_set_value (d->packet, field->section->id, field->id,
                       value_is_empty (wanted) ? NULL : json_node_copy (wanted));
  g_ptr_array_add (d->out, g_strdup (field->path));
}

GPtrArray *
cp_identity_carry (CpTemplate *tpl,
                   CpPacket   *packet,
                   const char *section,
                   const char *field,
                   JsonNode   *previous)
{
  g_autofree char *path = NULL;
  CarryData d = { packet, NULL, previous, NULL, NULL };

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);
  g_return_val_if_fail (section != NULL && field != NULL, NULL);

  d.out = g_ptr_array_new_with_free_func (g_free);
  path = g_strconcat (section, ".", field, NULL);
  d.source = cp_template_lookup_field (tpl, path);
  if (d.source == NULL || d.source->parent != NULL)
    return d.out;
  d.current = cp_packet_get_value (packet, section, field);
  foreach_field (tpl, carry_one, &d);
  return d.out;
}

typedef struct
{
  CpTemplate *tpl;
  CpPacket   *packet;
  const char *state_id;
  const char *name;
  const char *uscc;
  GPtrArray  *out;
} FillData;

static void
fill_one (const CpField *field,
          gpointer       data)
{
  FillData *d = data;
  const char *wanted;

  if (field->account == CP_ACCOUNT_NONE)
    return;
  wanted = field->account == CP_ACCOUNT_AGENCY_NAME ? d->name : d->uscc;
  if (wanted == NULL || *wanted == '\0')
    return;
  if (!value_is_empty (cp_packet_get_value (d->packet, field->section->id, field->id)))
    return;
  if (d->state_id == NULL ||
      !cp_template_may_write_field (d->tpl, field->owner, d->state_id, field))
    return;
  cp_packet_set_string (d->packet, field->section->id, field->id, wanted);
  g_ptr_array_add (d->out, g_strdup (field->path));
}

GPtrArray *
cp_identity_fill_account (CpTemplate *tpl,
                          CpPacket   *packet,
                          const char *agency_name,
                          const char *agency_uscc)
{
  const CpWorkflow *workflow;
  const CpWorkflowState *state = NULL;
  FillData d = { tpl, packet, NULL, agency_name, agency_uscc, NULL };

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  d.out = g_ptr_array_new_with_free_func (g_free);
  workflow = cp_template_get_workflow (tpl);
  if (workflow != NULL)
    state = cp_workflow_state_for_packet (workflow, packet);
  if (state == NULL)
    return d.out;
  d.state_id = state->id;
  foreach_field (tpl, fill_one, &d);
  return d.out;
}
