/* cp-server-workflow.c — who a user is to a packet, what they may write, and the stamps they leave
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server's half of issue 11: a kind with a workflow (docs/templates.md, "Ownership" and
 * "Workflow") names the party that writes each part and the parts each party writes in each
 * stage. Here an account becomes a party of one packet, a write is checked against the stored
 * revision, and the signatures and stamps it records are named for the server's record of who
 * recorded them (cp_server_storage_list_signatures). The request
 * handlers (cp-server-packets.c) use these.
 */
#include "config.h"

#include "cp-server-private.h"

#include "cp-access.h"
#include "cp-packet-diff.h"

#include <string.h>

CpTemplate *
cp_server_packet_template (CpServer   *self,
                           const char *kind,
                           const char *version)
{
  if (kind == NULL || version == NULL)
    return NULL;
  return cp_template_registry_lookup_kind_version (self->registry, kind, version);
}

const CpWorkflowState *
cp_server_revision_stage (const CpWorkflow       *workflow,
                          const CpServerRevision *revision)
{
  CpPacketState state;

  g_assert (workflow != NULL);

  if (revision->stage != NULL)
    return cp_workflow_lookup_state (workflow, revision->stage);
  /* Written before schema 3, or by a legacy endpoint: the stage its packet state maps to. */
  if (!cp_packet_state_from_string (revision->state, &state))
    return NULL;
  return cp_workflow_state_from_legacy (workflow, state);
}

gboolean
cp_server_user_is_city_office (CpServer           *self,
                               const CpServerUser *user)
{
  g_autoptr(GPtrArray) districts = NULL;

  if (user->role != CP_SERVER_ROLE_OFFICE || user->district == NULL)
    return FALSE;
  districts = cp_server_storage_list_districts (self->storage, NULL);
  for (guint i = 0; districts != NULL && i < districts->len; i++)
    {
      const CpServerDistrict *district = g_ptr_array_index (districts, i);
      gboolean city;

      if (!g_str_equal (district->code, user->district))
        continue;
      /* A district whose divisions are whole prefectures (GB/T 2260: two digits of province,
       * two of city: "3205", all of Suzhou) is the city's; a county or district has six. */
      city = district->prefixes != NULL && district->prefixes[0] != NULL;
      for (guint j = 0; city && district->prefixes[j] != NULL; j++)
        city = strlen (district->prefixes[j]) <= 4;
      return city;
    }
  return FALSE;
}

CpRole
cp_server_party_of (CpServer           *self,
                    const CpServerUser *user,
                    const char         *evaluator)
{
  switch (user->role)
    {
    case CP_SERVER_ROLE_ENTERPRISE:
      return CP_ROLE_ENTERPRISE;
    case CP_SERVER_ROLE_AGENCY:
      /* The city office never assigns the coaching agency as evaluator, so an agency is one or
       * the other to a packet; were it both (a contract filed later), it evaluates. */
      if (evaluator != NULL && user->agency != NULL && g_str_equal (evaluator, user->agency))
        return CP_ROLE_EVALUATING_AGENCY;
      return CP_ROLE_COACHING_AGENCY;
    case CP_SERVER_ROLE_OFFICE:
      return cp_server_user_is_city_office (self, user) ? CP_ROLE_CITY_OFFICE
                                                        : CP_ROLE_DISTRICT_OFFICE;
    case CP_SERVER_ROLE_ADMIN:
    default:
      /* The administrator runs the server; it is no party of the programme. */
      return CP_ROLE_NONE;
    }
}

gboolean
cp_server_can_see_revision (CpServer               *self,
                            const CpServerUser     *user,
                            const CpServerRevision *revision,
                            GError                **error)
{
  if (!cp_server_storage_is_handed_in (user, revision->state))
    {
      g_set_error_literal (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND,
                           "The packet has not been handed in yet.");
      return FALSE;
    }
  if (user->role == CP_SERVER_ROLE_AGENCY && revision->evaluator != NULL &&
      user->agency != NULL && g_str_equal (revision->evaluator, user->agency))
    return TRUE;
  return cp_server_storage_can_see_uscc (self->storage, user, revision->uscc, error);
}

/* --- signatures -------------------------------------------------------------------------- */

/* The template field a value or entry-value change is about. */
static const CpField *
change_field (CpTemplate           *tpl,
              const CpPacketChange *change)
{
  g_autofree char *path = NULL;

  if (change->kind == CP_CHANGE_VALUE)
    path = g_strdup_printf ("%s.%s", change->section, change->field);
  else if (change->kind == CP_CHANGE_ENTRY_VALUE && change->member != NULL)
    path = g_strdup_printf ("%s.%s.%s", change->section, change->field, change->member);
  else
    return NULL;
  return cp_template_lookup_field (tpl, path);
}

void
cp_server_signature_changes (CpTemplate *tpl,
                             CpPacket   *packet,
                             GPtrArray  *changes,
                             GPtrArray **signed_parts,
                             GPtrArray **unsigned_parts)
{
  *signed_parts = g_ptr_array_new_with_free_func (g_free);
  *unsigned_parts = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < changes->len; i++)
    {
      const CpPacketChange *change = g_ptr_array_index (changes, i);
      const CpField *field = change_field (tpl, change);
      JsonNode *value;

      if (field == NULL || field->type != CP_FIELD_SIGNATURE)
        continue;
      if (change->kind == CP_CHANGE_VALUE)
        value = cp_packet_get_value (packet, change->section, change->field);
      else
        value = cp_packet_get_value_at (packet, change->section, change->field, change->index,
                                        change->member);
      g_ptr_array_add (value != NULL ? *signed_parts : *unsigned_parts,
                       g_strdup (change->pointer));
    }
}

static gboolean
has_stamp (JsonNode *value)
{
  JsonObject *object;

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    return FALSE;
  object = json_node_get_object (value);
  return json_object_has_member (object, CP_SERVER_STAMP_BY) ||
         json_object_has_member (object, CP_SERVER_STAMP_AT);
}

char *
cp_server_find_typed_stamp (CpTemplate *tpl,
                            CpPacket   *packet)
{
  GPtrArray *sections = cp_template_get_sections (tpl);

  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);
          JsonNode *value = cp_packet_get_value (packet, section->id, field->id);

          if (value == NULL)
            continue;
          if (field->type == CP_FIELD_SIGNATURE && has_stamp (value))
            return g_strdup_printf ("/sections/%s/%s", section->id, field->id);
          if (field->type != CP_FIELD_GROUP || !JSON_NODE_HOLDS_ARRAY (value))
            continue;
          for (guint e = 0; e < json_array_get_length (json_node_get_array (value)); e++)
            for (guint m = 0; m < field->fields->len; m++)
              {
                const CpField *sub = g_ptr_array_index (field->fields, m);

                if (sub->type == CP_FIELD_SIGNATURE &&
                    has_stamp (cp_packet_get_value_at (packet, section->id, field->id, (int) e,
                                                       sub->id)))
                  return g_strdup_printf ("/sections/%s/%s/%u/%s", section->id, field->id, e,
                                          sub->id);
              }
        }
    }
  return NULL;
}

/* --- refusals ---------------------------------------------------------------------------- */

void
cp_server_reply_refused (SoupServerMessage *msg,
                         GPtrArray         *refusals,
                         CpRole             party,
                         const char        *stage)
{
  JsonObject *extra = json_object_new ();
  JsonArray *array = json_array_sized_new (refusals->len);
  g_autofree char *detail = NULL;

  for (guint i = 0; i < refusals->len; i++)
    {
      const CpRefusal *refusal = g_ptr_array_index (refusals, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "pointer", refusal->pointer);
      json_object_set_string_member (object, "reason",
                                     cp_refusal_reason_to_string (refusal->reason));
      if (refusal->owner != CP_ROLE_NONE)
        json_object_set_string_member (object, "owner", cp_role_to_string (refusal->owner));
      else
        json_object_set_null_member (object, "owner");
      json_array_add_object_element (array, object);
    }
  if (party != CP_ROLE_NONE)
    json_object_set_string_member (extra, "role", cp_role_to_string (party));
  else
    json_object_set_null_member (extra, "role");
  json_object_set_string_member (extra, "stage", stage);
  json_object_set_array_member (extra, "refused", array);
  detail = g_strdup_printf ("This write changes %u %s that this user may not write in the "
                            "stage “%s”; nothing was saved.", refusals->len,
                            refusals->len == 1 ? "part" : "parts", stage);
  cp_server_reply_problem (msg, SOUP_STATUS_FORBIDDEN, "not-writable", detail, extra);
}
