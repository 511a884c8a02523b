/* cp-access.c — who may write what of a packet, in which state
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp-access.h"

/* What a pointer names, at the grain ownership is decided on. */
typedef enum
{
  TARGET_UNKNOWN,
  TARGET_FIXED,       /* identity, template version, state, submission date */
  TARGET_MODIFIED,
  TARGET_YEAR,
  TARGET_FIELD,       /* a field, a group (its entries) or a sub-field */
  TARGET_ATTACHMENT,
  TARGET_SCORE,       /* a scoring part: see ScorePart */
} TargetKind;

typedef enum
{
  PART_SELF,
  PART_ACCEPTANCE,
  PART_NOTE,
  PART_EVIDENCE,
  PART_REVIEW,
  PART_SHEET,
} ScorePart;

typedef struct
{
  TargetKind     kind;
  const CpField *field;
  ScorePart      part;
} Target;

const char *
cp_refusal_reason_to_string (CpRefusalReason reason)
{
  switch (reason)
    {
    case CP_REFUSAL_NOT_OWNER:
      return "not-owner";
    case CP_REFUSAL_NOT_NOW:
      return "not-in-this-state";
    case CP_REFUSAL_FIXED:
      return "fixed";
    case CP_REFUSAL_UNKNOWN:
      return "unknown";
    default:
      g_return_val_if_reached (NULL);
    }
}

void
cp_refusal_free (CpRefusal *refusal)
{
  if (refusal == NULL)
    return;
  g_free (refusal->pointer);
  g_free (refusal);
}

static const CpWorkflowState *
resolve_state (const CpWorkflow *workflow,
               const char       *state_id,
               CpPacket         *packet)
{
  if (state_id != NULL)
    return cp_workflow_lookup_state (workflow, state_id);
  if (packet != NULL)
    return cp_workflow_state_for_packet (workflow, packet);
  return cp_workflow_get_initial (workflow);
}

static gboolean
is_index (const char *token)
{
  return token != NULL && *token != '\0' && strspn (token, "0123456789") == strlen (token) &&
         (token[0] != '0' || token[1] == '\0');
}

/* A field of the template from a section id and a field id (and, for @sub non-NULL, a sub-field
 * of that group). */
static const CpField *
lookup_field (CpTemplate *tpl,
              const char *section_id,
              const char *field_id,
              const char *sub_id)
{
  const CpSection *section = cp_template_lookup_section (tpl, section_id);
  const CpField *field;

  if (section == NULL || section->generated)
    return NULL;
  field = cp_section_lookup_field (section, field_id);
  if (field == NULL || sub_id == NULL)
    return field;
  return cp_field_lookup_subfield (field, sub_id);
}

static Target
classify_tokens (CpTemplate         *tpl,
                 const char * const *t)
{
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);
  Target target = { TARGET_UNKNOWN, NULL, PART_SELF };
  guint n = g_strv_length ((char **) t);

  if (n == 0)
    return target;

  if (g_str_equal (t[0], "sections"))
    {
      const CpField *field;

      if (n < 3)
        return target;
      field = lookup_field (tpl, t[1], t[2], NULL);
      if (field == NULL)
        return target;
      /* /sections/S/G/I/M: a sub-field of a group's entry. */
      if (field->type == CP_FIELD_GROUP && n >= 5 && is_index (t[3]))
        field = cp_field_lookup_subfield (field, t[4]);
      else if (field->type == CP_FIELD_GROUP && n >= 4 && !is_index (t[3]))
        field = NULL;
      if (field == NULL)
        return target;
      target.kind = TARGET_FIELD;
      target.field = field;
      return target;
    }

  if (g_str_equal (t[0], "attachments"))
    {
      if (n == 1 || is_index (t[1]))
        target.kind = TARGET_ATTACHMENT;
      return target;
    }

  if (g_str_equal (t[0], "scoring") || g_str_equal (t[0], "review"))
    {
      if (scoring == NULL)
        return target;
      target.kind = TARGET_SCORE;
      if (g_str_equal (t[0], "review"))
        target.part = PART_REVIEW;
      else if (n == 2 && (g_str_equal (t[1], "sheet") || g_str_equal (t[1], "sheet_version")))
        target.part = PART_SHEET;
      else if (n >= 4 && g_str_equal (t[1], "items") && g_str_equal (t[3], "self"))
        target.part = PART_SELF;
      else if (n >= 4 && g_str_equal (t[1], "items") && g_str_equal (t[3], "acceptance"))
        target.part = PART_ACCEPTANCE;
      else if (n >= 4 && g_str_equal (t[1], "items") && g_str_equal (t[3], "note"))
        target.part = PART_NOTE;
      else if (n >= 4 && g_str_equal (t[1], "items") && g_str_equal (t[3], "evidence"))
        target.part = PART_EVIDENCE;
      else
        target.kind = TARGET_UNKNOWN;
      return target;
    }

  if (n == 1 && g_str_equal (t[0], "modified"))
    target.kind = TARGET_MODIFIED;
  else if (n == 1 && g_str_equal (t[0], "year"))
    target.kind = TARGET_YEAR;
  else
    target.kind = TARGET_FIXED;
  return target;
}

static Target
classify (CpTemplate *tpl,
          const char *pointer)
{
  g_auto(GStrv) tokens = cp_json_pointer_split (pointer);
  Target unknown = { TARGET_UNKNOWN, NULL, PART_SELF };

  if (tokens == NULL)
    return unknown;
  return classify_tokens (tpl, (const char * const *) tokens);
}

static CpRole
score_owner (const CpScoringRef *scoring,
             ScorePart           part)
{
  switch (part)
    {
    case PART_SELF:
      return scoring->column_owner[CP_SCORE_SELF];
    case PART_ACCEPTANCE:
      return scoring->column_owner[CP_SCORE_ACCEPTANCE];
    case PART_NOTE:
      return scoring->note_owner;
    case PART_EVIDENCE:
      return scoring->evidence_owner;
    case PART_REVIEW:
      return scoring->review_owner;
    case PART_SHEET:
      return scoring->sheet_owner;
    default:
      g_return_val_if_reached (CP_ROLE_NONE);
    }
}

static CpRole
target_owner (CpTemplate   *tpl,
              const Target *target)
{
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);

  if (workflow == NULL)
    return CP_ROLE_NONE;
  switch (target->kind)
    {
    case TARGET_FIELD:
      return target->field->owner;
    case TARGET_SCORE:
      return score_owner (cp_template_get_scoring (tpl), target->part);
    case TARGET_YEAR:
      return cp_workflow_get_creator (workflow);
    case TARGET_UNKNOWN:
    case TARGET_FIXED:
    case TARGET_MODIFIED:
    case TARGET_ATTACHMENT:
    default:
      return CP_ROLE_NONE;
    }
}

/* Whether @role may write @target in @state; *reason and *owner say why not. Attachments are
 * decided by the caller. */
static gboolean
target_writable (CpTemplate            *tpl,
                 CpRole                 role,
                 const CpWorkflowState *state,
                 const Target          *target,
                 CpRefusalReason       *reason,
                 CpRole                *owner)
{
  const CpPartSet *set;
  CpRole who = target_owner (tpl, target);

  *owner = who;
  switch (target->kind)
    {
    case TARGET_UNKNOWN:
      *reason = CP_REFUSAL_UNKNOWN;
      return FALSE;
    case TARGET_FIXED:
      *reason = CP_REFUSAL_FIXED;
      return FALSE;
    case TARGET_MODIFIED:
      return TRUE;
    case TARGET_ATTACHMENT:
      *reason = CP_REFUSAL_NOT_NOW;
      return state != NULL && role != CP_ROLE_NONE && state->writers[role] != NULL;
    case TARGET_YEAR:
    case TARGET_FIELD:
    case TARGET_SCORE:
    default:
      break;
    }

  if (who == CP_ROLE_NONE || who != role)
    {
      *reason = CP_REFUSAL_NOT_OWNER;
      return FALSE;
    }
  *reason = CP_REFUSAL_NOT_NOW;
  if (state == NULL)
    return FALSE;
  set = state->writers[role];
  if (set == NULL)
    return FALSE;
  if (target->kind == TARGET_FIELD)
    return cp_part_set_covers_field (set, target->field);
  if (target->kind == TARGET_SCORE)
    return cp_part_set_covers_section (set, cp_template_get_scoring (tpl)->section);
  /* The year: the creator, whenever it writes. */
  return TRUE;
}

CpRole
cp_template_get_owner (CpTemplate *tpl,
                       const char *pointer)
{
  Target target;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), CP_ROLE_NONE);
  g_return_val_if_fail (pointer != NULL, CP_ROLE_NONE);

  target = classify (tpl, pointer);
  return target_owner (tpl, &target);
}

gboolean
cp_template_may_write (CpTemplate *tpl,
                       CpRole      role,
                       const char *state_id,
                       const char *pointer)
{
  const CpWorkflow *workflow;
  CpRefusalReason reason;
  CpRole owner;
  Target target;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), FALSE);
  g_return_val_if_fail ((guint) role < CP_N_ROLES, FALSE);
  g_return_val_if_fail (pointer != NULL, FALSE);

  workflow = cp_template_get_workflow (tpl);
  if (workflow == NULL)
    return TRUE;
  target = classify (tpl, pointer);
  return target_writable (tpl, role, resolve_state (workflow, state_id, NULL), &target, &reason,
                          &owner);
}

gboolean
cp_template_may_write_field (CpTemplate    *tpl,
                             CpRole         role,
                             const char    *state_id,
                             const CpField *field)
{
  const CpWorkflow *workflow;
  CpRefusalReason reason;
  CpRole owner;
  Target target = { TARGET_FIELD, field, PART_SELF };

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), FALSE);
  g_return_val_if_fail ((guint) role < CP_N_ROLES, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  workflow = cp_template_get_workflow (tpl);
  if (workflow == NULL)
    return TRUE;
  return target_writable (tpl, role, resolve_state (workflow, state_id, NULL), &target, &reason,
                          &owner);
}

gboolean
cp_template_may_write_score (CpTemplate    *tpl,
                             CpRole         role,
                             const char    *state_id,
                             CpScoreColumn  column)
{
  const CpWorkflow *workflow;
  CpRefusalReason reason;
  CpRole owner;
  Target target = { TARGET_SCORE, NULL,
                    column == CP_SCORE_SELF ? PART_SELF : PART_ACCEPTANCE };

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), FALSE);
  g_return_val_if_fail ((guint) role < CP_N_ROLES, FALSE);

  workflow = cp_template_get_workflow (tpl);
  if (workflow == NULL)
    return TRUE;
  if (cp_template_get_scoring (tpl) == NULL)
    return FALSE;
  return target_writable (tpl, role, resolve_state (workflow, state_id, NULL), &target, &reason,
                          &owner);
}

/* Does the value @node of the attachment or signature field @field name the file @sha256? */
static gboolean
value_names_file (const CpField *field,
                  JsonNode      *node,
                  const char    *sha256)
{
  if (field->type == CP_FIELD_SIGNATURE)
    return JSON_NODE_HOLDS_OBJECT (node) &&
           g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (node),
                                                                  "scan", NULL), sha256) == 0;
  if (field->type == CP_FIELD_ATTACHMENT)
    {
      g_autoptr(GPtrArray) hashes = cp_packet_get_file_hashes (node);

      return g_ptr_array_find_with_equal_func (hashes, sha256, g_str_equal, NULL);
    }
  return FALSE;
}

/* The fields of @packet whose values name the file @sha256 (attachments and signature scans, in
 * group entries too), into @fields; *evidence when a score's evidence does. */
static void
collect_refs (CpTemplate *tpl,
              CpPacket   *packet,
              const char *sha256,
              GPtrArray  *fields,
              gboolean   *evidence)
{
  GPtrArray *sections = cp_template_get_sections (tpl);
  GHashTableIter iter;
  gpointer value;

  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);
          JsonNode *node = cp_packet_get_value (packet, section->id, field->id);
          JsonArray *entries;

          if (node == NULL)
            continue;
          if (field->type != CP_FIELD_GROUP)
            {
              if (value_names_file (field, node, sha256))
                g_ptr_array_add (fields, (gpointer) field);
              continue;
            }
          entries = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
          for (guint i = 0; entries != NULL && i < json_array_get_length (entries); i++)
            {
              JsonNode *entry = json_array_get_element (entries, i);

              if (!JSON_NODE_HOLDS_OBJECT (entry))
                continue;
              for (guint k = 0; k < field->fields->len; k++)
                {
                  const CpField *sub = g_ptr_array_index (field->fields, k);
                  JsonNode *v = json_object_get_member (json_node_get_object (entry), sub->id);

                  if (v != NULL && value_names_file (sub, v, sha256))
                    g_ptr_array_add (fields, (gpointer) sub);
                }
            }
        }
    }

  g_hash_table_iter_init (&iter, cp_packet_get_scores (packet));
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      const CpItemScore *score = value;

      if (g_strcmp0 (score->evidence, sha256) == 0)
        *evidence = TRUE;
    }
}

/* May @role remove or change the manifest entry of @sha256? Every part naming the file, in
 * either revision, must be the role's to write now; *owner is the owner of one that is not. */
static gboolean
attachment_writable (CpTemplate            *tpl,
                     CpRole                 role,
                     const CpWorkflowState *state,
                     CpPacket              *old,
                     CpPacket              *new_packet,
                     const char            *sha256,
                     CpRefusalReason       *reason,
                     CpRole                *owner)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  gboolean evidence = FALSE;
  Target any = { TARGET_ATTACHMENT, NULL, PART_SELF };

  if (!target_writable (tpl, role, state, &any, reason, owner))
    return FALSE;
  if (sha256 == NULL)
    return TRUE;
  if (old != NULL)
    collect_refs (tpl, old, sha256, fields, &evidence);
  collect_refs (tpl, new_packet, sha256, fields, &evidence);
  for (guint i = 0; i < fields->len; i++)
    {
      Target target = { TARGET_FIELD, g_ptr_array_index (fields, i), PART_SELF };

      if (!target_writable (tpl, role, state, &target, reason, owner))
        return FALSE;
    }
  if (evidence)
    {
      Target target = { TARGET_SCORE, NULL, PART_EVIDENCE };

      if (!target_writable (tpl, role, state, &target, reason, owner))
        return FALSE;
    }
  return TRUE;
}

static void
refuse (GPtrArray       *refusals,
        const char      *pointer,
        CpRefusalReason  reason,
        CpRole           owner)
{
  CpRefusal *refusal = g_new0 (CpRefusal, 1);

  refusal->pointer = g_strdup (pointer);
  refusal->reason = reason;
  refusal->owner = owner;
  g_ptr_array_add (refusals, refusal);
}

GPtrArray *
cp_template_check_write (CpTemplate *tpl,
                         CpRole      role,
                         const char *state_id,
                         CpPacket   *old,
                         CpPacket   *new_packet)
{
  g_autoptr(GPtrArray) changes = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);
  g_return_val_if_fail ((guint) role < CP_N_ROLES, NULL);
  g_return_val_if_fail (old == NULL || CP_IS_PACKET (old), NULL);
  g_return_val_if_fail (CP_IS_PACKET (new_packet), NULL);

  changes = cp_packet_diff (old, new_packet);
  return cp_template_check_changes (tpl, role, state_id, old, new_packet, changes);
}

GPtrArray *
cp_template_check_changes (CpTemplate *tpl,
                           CpRole      role,
                           const char *state_id,
                           CpPacket   *old,
                           CpPacket   *new_packet,
                           GPtrArray  *changes)
{
  const CpWorkflow *workflow;
  const CpWorkflowState *state;
  GPtrArray *refusals;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);
  g_return_val_if_fail ((guint) role < CP_N_ROLES, NULL);
  g_return_val_if_fail (old == NULL || CP_IS_PACKET (old), NULL);
  g_return_val_if_fail (CP_IS_PACKET (new_packet), NULL);
  g_return_val_if_fail (changes != NULL, NULL);

  refusals = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_refusal_free);
  workflow = cp_template_get_workflow (tpl);
  if (workflow == NULL)
    return refusals;

  state = resolve_state (workflow, state_id, old);
  if (old == NULL)
    {
      CpRole creator = cp_workflow_get_creator (workflow);

      if (role != creator)
        refuse (refusals, "", CP_REFUSAL_NOT_OWNER, creator);
      if (cp_workflow_state_for_packet (workflow, new_packet) != cp_workflow_get_initial (workflow))
        refuse (refusals, "/state", CP_REFUSAL_FIXED, CP_ROLE_NONE);
    }

  for (guint i = 0; i < changes->len; i++)
    {
      const CpPacketChange *change = g_ptr_array_index (changes, i);
      CpRefusalReason reason = CP_REFUSAL_UNKNOWN;
      CpRole owner = CP_ROLE_NONE;
      gboolean ok;

      if (change->kind == CP_CHANGE_ATTACHMENT)
        {
          /* Added files only need a party that writes now; removed or changed ones also the
           * right to every value that names them. */
          gboolean added = old == NULL || cp_packet_find_attachment (old, change->sha256) == NULL;

          ok = attachment_writable (tpl, role, state, added ? NULL : old, new_packet,
                                    added ? NULL : change->sha256, &reason, &owner);
        }
      else if (change->kind == CP_CHANGE_HEADER && g_str_equal (change->member, "state"))
        {
          /* Draft and ready are one workflow state: the enterprise's own flag. */
          ok = old != NULL && state != NULL &&
               cp_workflow_state_for_packet (workflow, old) ==
               cp_workflow_state_for_packet (workflow, new_packet) &&
               state->writers[role] != NULL;
          reason = CP_REFUSAL_FIXED;
        }
      else
        {
          Target target = classify (tpl, change->pointer);

          ok = target_writable (tpl, role, state, &target, &reason, &owner);
        }
      if (!ok)
        refuse (refusals, change->pointer, reason, owner);
    }
  return refusals;
}

GPtrArray *
cp_template_refused_pointers (CpTemplate *tpl,
                              CpRole      role,
                              const char *state_id,
                              CpPacket   *old,
                              CpPacket   *new_packet)
{
  g_autoptr(GPtrArray) refusals = NULL;
  GPtrArray *ret;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);

  refusals = cp_template_check_write (tpl, role, state_id, old, new_packet);
  ret = g_ptr_array_new_full (refusals->len, g_free);
  for (guint i = 0; i < refusals->len; i++)
    {
      CpRefusal *refusal = g_ptr_array_index (refusals, i);

      g_ptr_array_add (ret, g_steal_pointer (&refusal->pointer));
    }
  return ret;
}
