/* cp-server-workflow.c — who a user is to a packet, what they may write, and the stamps they leave
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server's half of issue 11: a kind with a workflow (docs/templates.md, "Ownership" and
 * "Workflow") names the party that writes each part and the parts each party writes in each
 * stage. Here an account becomes a party of one packet, a write is checked against the stored
 * revision, and signatures and stamps get the account and time that recorded them. The request
 * handlers (cp-server-packets.c) use these.
 */
#include "config.h"

#include "cp-server-private.h"

#include "cp-access.h"

#include <string.h>

#define STAMP_BY "recorded_by"
#define STAMP_AT "recorded_at"

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
  if (user->role == CP_SERVER_ROLE_AGENCY && revision->evaluator != NULL &&
      user->agency != NULL && g_str_equal (revision->evaluator, user->agency))
    return TRUE;
  return cp_server_storage_can_see_uscc (self->storage, user, revision->uscc, error);
}

/* --- signatures -------------------------------------------------------------------------- */

/* A new object with the members of @signature but the stamp (json_node_copy() would share the
 * object itself). */
static JsonNode *
without_stamp (JsonNode *signature)
{
  JsonObject *object = json_node_get_object (signature);
  JsonObject *copy = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    if (!g_str_equal (name, STAMP_BY) && !g_str_equal (name, STAMP_AT))
      json_object_set_member (copy, name, json_node_copy (member));
  return json_node_init_object (json_node_alloc (), copy);
}

/* Sets the stamp of the signature @value (changed in place) from @old when the two record the
 * same signature, else to @user_name and @now. */
static void
stamp_signature (JsonNode   *value,
                 JsonNode   *old,
                 const char *user_name,
                 const char *now)
{
  g_autoptr(JsonNode) bare = NULL;
  JsonObject *object;
  g_autofree char *by = g_strdup (user_name);
  g_autofree char *at = g_strdup (now);

  if (value == NULL || !JSON_NODE_HOLDS_OBJECT (value))
    return;
  bare = without_stamp (value);
  if (old != NULL && JSON_NODE_HOLDS_OBJECT (old))
    {
      g_autoptr(JsonNode) old_bare = without_stamp (old);

      if (json_node_equal (bare, old_bare))
        {
          JsonObject *old_object = json_node_get_object (old);

          g_free (by);
          g_free (at);
          by = g_strdup (json_object_get_string_member_with_default (old_object, STAMP_BY, NULL));
          at = g_strdup (json_object_get_string_member_with_default (old_object, STAMP_AT, NULL));
        }
    }
  object = json_node_get_object (value);
  if (by != NULL)
    json_object_set_string_member (object, STAMP_BY, by);
  else if (json_object_has_member (object, STAMP_BY))
    json_object_remove_member (object, STAMP_BY);
  if (at != NULL)
    json_object_set_string_member (object, STAMP_AT, at);
  else if (json_object_has_member (object, STAMP_AT))
    json_object_remove_member (object, STAMP_AT);
}

static JsonNode *
entry_member (JsonNode   *group,
              guint       index,
              const char *member)
{
  JsonNode *entry;

  if (group == NULL || !JSON_NODE_HOLDS_ARRAY (group) ||
      index >= json_array_get_length (json_node_get_array (group)))
    return NULL;
  entry = json_array_get_element (json_node_get_array (group), index);
  if (!JSON_NODE_HOLDS_OBJECT (entry))
    return NULL;
  return json_object_get_member (json_node_get_object (entry), member);
}

void
cp_server_stamp_signatures (CpTemplate *tpl,
                            CpPacket   *packet,
                            CpPacket   *old,
                            const char *user_name,
                            gint64      now_usec)
{
  g_autofree char *now = cp_server_format_time (now_usec);
  GPtrArray *sections = cp_template_get_sections (tpl);

  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);
          JsonNode *value = cp_packet_get_value (packet, section->id, field->id);
          JsonNode *old_value = old != NULL ? cp_packet_get_value (old, section->id, field->id)
                                            : NULL;

          if (value == NULL)
            continue;
          if (field->type == CP_FIELD_SIGNATURE)
            stamp_signature (value, old_value, user_name, now);
          else if (field->type == CP_FIELD_GROUP && JSON_NODE_HOLDS_ARRAY (value))
            {
              JsonArray *entries = json_node_get_array (value);

              for (guint e = 0; e < json_array_get_length (entries); e++)
                for (guint m = 0; m < field->fields->len; m++)
                  {
                    const CpField *sub = g_ptr_array_index (field->fields, m);

                    if (sub->type == CP_FIELD_SIGNATURE)
                      stamp_signature (entry_member (value, e, sub->id),
                                       entry_member (old_value, e, sub->id), user_name, now);
                  }
            }
        }
    }
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
