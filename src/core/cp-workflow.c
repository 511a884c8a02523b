/* cp-workflow.c — a packet kind's review chain: states, transitions, who writes what when
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-workflow-private.h"
#include "cp-date.h"

struct _CpWorkflow
{
  CpRole                 creator;
  const CpWorkflowState *initial;
  GPtrArray             *states;       /* CpWorkflowState * */
  GHashTable            *states_by_id;
  GPtrArray             *transitions;  /* CpTransition * */
  /* Indexed by CpPacketState. */
  const CpWorkflowState *from_legacy[CP_PACKET_STATE_ACCEPTED + 1];
};

/* Freeing. */

static void
cp_part_set_free (CpPartSet *set)
{
  if (set == NULL)
    return;
  g_clear_pointer (&set->sections, g_ptr_array_unref);
  g_clear_pointer (&set->fields, g_ptr_array_unref);
  g_free (set);
}

static void
cp_workflow_state_free (CpWorkflowState *state)
{
  g_free (state->id);
  g_clear_pointer (&state->label, cp_text_unref);
  for (guint i = 0; i < CP_N_ROLES; i++)
    cp_part_set_free (state->writers[i]);
  g_free (state);
}

static void
cp_transition_free (CpTransition *transition)
{
  g_free (transition->id);
  g_clear_pointer (&transition->label, cp_text_unref);
  for (guint i = 0; i < CP_N_ROLES; i++)
    cp_part_set_free (transition->complete[i]);
  g_clear_pointer (&transition->filled, g_ptr_array_unref);
  g_free (transition);
}

void
cp_workflow_free (CpWorkflow *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->states_by_id, g_hash_table_unref);
  g_clear_pointer (&self->states, g_ptr_array_unref);
  g_clear_pointer (&self->transitions, g_ptr_array_unref);
  g_free (self);
}

/* Ownership. */

gboolean
cp_template_role_owns_field (const CpField *field,
                             CpRole         role)
{
  if (field->owner == role)
    return TRUE;
  for (guint i = 0; field->fields != NULL && i < field->fields->len; i++)
    {
      const CpField *sub = g_ptr_array_index (field->fields, i);

      if (sub->owner == role)
        return TRUE;
    }
  return FALSE;
}

gboolean
cp_template_role_owns_section (CpTemplate      *tpl,
                               const CpSection *section,
                               CpRole           role)
{
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);

  for (guint i = 0; i < section->fields->len; i++)
    {
      if (cp_template_role_owns_field (g_ptr_array_index (section->fields, i), role))
        return TRUE;
    }
  if (scoring != NULL && scoring->section == section)
    return scoring->column_owner[CP_SCORE_SELF] == role ||
           scoring->column_owner[CP_SCORE_ACCEPTANCE] == role ||
           scoring->note_owner == role || scoring->evidence_owner == role ||
           scoring->review_owner == role || scoring->sheet_owner == role;
  return FALSE;
}

gboolean
cp_part_set_covers_section (const CpPartSet *set,
                            const CpSection *section)
{
  if (set == NULL)
    return FALSE;
  if (set->all)
    return TRUE;
  for (guint i = 0; i < set->sections->len; i++)
    {
      if (g_ptr_array_index (set->sections, i) == section)
        return TRUE;
    }
  return FALSE;
}

gboolean
cp_part_set_covers_field (const CpPartSet *set,
                          const CpField   *field)
{
  if (set == NULL)
    return FALSE;
  if (cp_part_set_covers_section (set, field->section))
    return TRUE;
  for (guint i = 0; i < set->fields->len; i++)
    {
      const CpField *named = g_ptr_array_index (set->fields, i);

      if (named == field || named == field->parent)
        return TRUE;
    }
  return FALSE;
}

/* Reading. */

/* Indexed by CpPacketState, and NULL-terminated for cp_json_check_members(). */
static const char * const legacy_names[] = {
  [CP_PACKET_STATE_DRAFT] = "draft",
  [CP_PACKET_STATE_READY] = "ready",
  [CP_PACKET_STATE_SUBMITTED] = "submitted",
  [CP_PACKET_STATE_RETURNED] = "returned",
  [CP_PACKET_STATE_ACCEPTED] = "accepted",
  NULL
};
#define N_LEGACY (CP_PACKET_STATE_ACCEPTED + 1)

static gboolean fail_at (CpJsonCtx   *ctx,
                         const char  *member,
                         GError     **error,
                         CpJsonError  code,
                         const char  *format,
                         ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail_at (CpJsonCtx   *ctx,
         const char  *member,
         GError     **error,
         CpJsonError  code,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  gsize mark = 0;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (member != NULL)
    mark = cp_json_ctx_push_member (ctx, member);
  cp_json_ctx_fail (ctx, error, code, "%s", message);
  if (member != NULL)
    cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

static gboolean
read_text (CpJsonCtx   *ctx,
           JsonObject  *object,
           const char  *member,
           gboolean     required,
           CpText     **out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                                 "the member “%s” is missing", member);
      return TRUE;
    }
  *out = cp_text_new_from_json (node, &local_error);
  if (*out == NULL)
    return fail_at (ctx, member, error, CP_JSON_ERROR_WRONG_TYPE, "%s", local_error->message);
  return TRUE;
}

static gboolean
read_role (CpJsonCtx   *ctx,
           JsonObject  *object,
           const char  *member,
           gboolean     required,
           CpRole      *out,
           GError     **error)
{
  const char *text = NULL;

  if (!cp_json_get_string (ctx, object, member, required, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;
  if (!cp_role_from_string (text, out))
    return fail_at (ctx, member, error, CP_JSON_ERROR_INVALID_VALUE,
                    "unknown role “%s” (the roles are enterprise, coaching-agency, "
                    "evaluating-agency, district-office and city-office)", text);
  return TRUE;
}

static const CpWorkflowState *
read_state_ref (CpWorkflow  *self,
                CpJsonCtx   *ctx,
                JsonObject  *object,
                const char  *member,
                GError     **error)
{
  const char *id = NULL;
  const CpWorkflowState *state;

  if (!cp_json_get_string (ctx, object, member, TRUE, &id, error))
    return NULL;
  state = g_hash_table_lookup (self->states_by_id, id);
  if (state == NULL)
    fail_at (ctx, member, error, CP_JSON_ERROR_INCONSISTENT,
             "the workflow has no state “%s”", id);
  return state;
}

/* "all", or an array of section ids and field paths, each holding something @role owns. */
static CpPartSet *
read_part_set (CpTemplate  *tpl,
               CpJsonCtx   *ctx,
               JsonNode    *node,
               CpRole       role,
               GError     **error)
{
  CpPartSet *set = g_new0 (CpPartSet, 1);
  JsonArray *array;

  set->sections = g_ptr_array_new ();
  set->fields = g_ptr_array_new ();

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING &&
      g_str_equal (json_node_get_string (node), "all"))
    {
      set->all = TRUE;
      return set;
    }
  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (json_node_get_array (node)) == 0)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE,
                        "expected “all” or a non-empty list of sections and fields, found %s",
                        cp_json_node_type_name (node));
      cp_part_set_free (set);
      return NULL;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      gsize mark = cp_json_ctx_push_index (ctx, i);
      const CpSection *section = NULL;
      const CpField *field = NULL;
      const char *name;

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE,
                            "expected a section id or a field path, found %s",
                            cp_json_node_type_name (element));
          goto fail;
        }
      name = json_node_get_string (element);
      if (strchr (name, '.') == NULL)
        section = cp_template_lookup_section (tpl, name);
      else
        field = cp_template_lookup_field (tpl, name);
      if (section == NULL && field == NULL)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                            "the template has no section or field “%s” (write a section id "
                            "or “section.field”)", name);
          goto fail;
        }
      if (section != NULL ? !cp_template_role_owns_section (tpl, section, role)
                          : !cp_template_role_owns_field (field, role))
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                            "the role %s owns nothing in “%s”", cp_role_to_string (role), name);
          goto fail;
        }
      if (section != NULL)
        g_ptr_array_add (set->sections, (gpointer) section);
      else
        g_ptr_array_add (set->fields, (gpointer) field);
      cp_json_ctx_pop (ctx, mark);
      continue;

    fail:
      cp_json_ctx_pop (ctx, mark);
      cp_part_set_free (set);
      return NULL;
    }
  return set;
}

/* { role: "all" | [parts] } into @sets (indexed by CpRole). */
static gboolean
read_role_parts (CpTemplate  *tpl,
                 CpJsonCtx   *ctx,
                 JsonObject  *object,
                 const char  *member,
                 CpPartSet  **sets,
                 GError     **error)
{
  JsonObject *parts = NULL;
  g_autoptr(GList) names = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, object, member, FALSE, &parts, error))
    return FALSE;
  if (parts == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, member);
  names = json_object_get_members (parts);
  for (GList *l = names; l != NULL; l = l->next)
    {
      const char *name = l->data;
      CpRole role = CP_ROLE_NONE;
      gsize rmark;

      if (!cp_role_from_string (name, &role))
        {
          fail_at (ctx, name, error, CP_JSON_ERROR_INVALID_VALUE,
                   "unknown role “%s” (the roles are enterprise, coaching-agency, "
                   "evaluating-agency, district-office and city-office)", name);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      rmark = cp_json_ctx_push_member (ctx, name);
      sets[role] = read_part_set (tpl, ctx, json_object_get_member (parts, name), role, error);
      cp_json_ctx_pop (ctx, rmark);
      if (sets[role] == NULL)
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static gboolean
read_states (CpWorkflow  *self,
             CpTemplate  *tpl,
             CpJsonCtx   *ctx,
             JsonObject  *object,
             GError     **error)
{
  static const char * const state_members[] = {
    "id", "label", "legacy", "deadline", "final", "writers", NULL
  };
  JsonArray *array = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, object, "states", TRUE, &array, error))
    return FALSE;
  mark = cp_json_ctx_push_member (ctx, "states");
  if (json_array_get_length (array) < 2)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "a workflow needs at least two states");
      goto fail;
    }

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      JsonObject *o = NULL;
      const char *id = NULL, *legacy = NULL, *deadline = NULL;
      CpWorkflowState *state;
      gboolean found = FALSE;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &o, error) ||
          !cp_json_check_members (ctx, o, state_members, error) ||
          !cp_json_get_string (ctx, o, "id", TRUE, &id, error))
        goto fail;
      if (*id == '\0' || strlen (id) > 64 || strspn (id, "abcdefghijklmnopqrstuvwxyz0123456789-_")
          != strlen (id))
        {
          fail_at (ctx, "id", error, CP_JSON_ERROR_INVALID_VALUE,
                   "“%s” is not a valid id (use lower-case letters, digits, “-” and “_”)", id);
          goto fail;
        }
      if (g_hash_table_contains (self->states_by_id, id))
        {
          fail_at (ctx, "id", error, CP_JSON_ERROR_DUPLICATE_ID,
                   "the state id “%s” is used twice", id);
          goto fail;
        }

      state = g_new0 (CpWorkflowState, 1);
      state->id = g_strdup (id);
      state->index = i;
      g_ptr_array_add (self->states, state);
      g_hash_table_insert (self->states_by_id, state->id, state);

      if (!read_text (ctx, o, "label", TRUE, &state->label, error) ||
          !cp_json_get_string (ctx, o, "legacy", TRUE, &legacy, error) ||
          !cp_json_get_string (ctx, o, "deadline", FALSE, &deadline, error) ||
          !cp_json_get_boolean (ctx, o, "final", FALSE, &state->final, error))
        goto fail;

      for (guint l = 0; l < N_LEGACY; l++)
        {
          if (g_str_equal (legacy, legacy_names[l]))
            {
              state->legacy = (CpPacketState) l;
              found = TRUE;
            }
        }
      if (!found)
        {
          fail_at (ctx, "legacy", error, CP_JSON_ERROR_INVALID_VALUE,
                   "unknown packet state “%s” (draft, ready, submitted, returned or accepted)",
                   legacy);
          goto fail;
        }

      if (deadline != NULL)
        {
          GPtrArray *deadlines = cp_template_get_deadlines (tpl);

          for (guint d = 0; d < deadlines->len; d++)
            {
              const CpDeadline *candidate = g_ptr_array_index (deadlines, d);

              if (g_str_equal (candidate->id, deadline))
                state->deadline = candidate;
            }
          if (state->deadline == NULL)
            {
              fail_at (ctx, "deadline", error, CP_JSON_ERROR_INCONSISTENT,
                       "the template has no deadline “%s”", deadline);
              goto fail;
            }
        }

      if (state->final && json_object_get_member (o, "writers") != NULL)
        {
          fail_at (ctx, "writers", error, CP_JSON_ERROR_INCONSISTENT,
                   "nobody writes in a final state");
          goto fail;
        }
      if (!read_role_parts (tpl, ctx, o, "writers", state->writers, error))
        goto fail;
      cp_json_ctx_pop (ctx, imark);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

static gboolean
read_transitions (CpWorkflow  *self,
                  CpTemplate  *tpl,
                  CpJsonCtx   *ctx,
                  JsonObject  *object,
                  GError     **error)
{
  static const char * const transition_members[] = {
    "id", "label", "from", "to", "role", "complete", "filled", "assigns", "independent",
    "submits", "comment", NULL
  };
  JsonArray *array = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, object, "transitions", TRUE, &array, error))
    return FALSE;
  mark = cp_json_ctx_push_member (ctx, "transitions");

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      JsonObject *o = NULL;
      const char *id = NULL;
      JsonArray *filled = NULL;
      CpTransition *transition;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &o, error) ||
          !cp_json_check_members (ctx, o, transition_members, error) ||
          !cp_json_get_string (ctx, o, "id", TRUE, &id, error))
        goto fail;
      if (*id == '\0' || strlen (id) > 64 || strspn (id, "abcdefghijklmnopqrstuvwxyz0123456789-_")
          != strlen (id))
        {
          fail_at (ctx, "id", error, CP_JSON_ERROR_INVALID_VALUE,
                   "“%s” is not a valid id (use lower-case letters, digits, “-” and “_”)", id);
          goto fail;
        }

      transition = g_new0 (CpTransition, 1);
      transition->id = g_strdup (id);
      transition->index = i;
      transition->filled = g_ptr_array_new ();
      g_ptr_array_add (self->transitions, transition);

      if (!read_text (ctx, o, "label", TRUE, &transition->label, error) ||
          (transition->from = read_state_ref (self, ctx, o, "from", error)) == NULL ||
          (transition->to = read_state_ref (self, ctx, o, "to", error)) == NULL)
        goto fail;
      if (json_object_get_member (o, "role") == NULL)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                            "the transition “%s” has no “role”: name the party that makes it",
                            id);
          goto fail;
        }
      if (!read_role (ctx, o, "role", TRUE, &transition->role, error) ||
          !read_role (ctx, o, "assigns", FALSE, &transition->assigns, error) ||
          !cp_json_get_boolean (ctx, o, "independent", FALSE, &transition->independent, error) ||
          !cp_json_get_boolean (ctx, o, "submits", FALSE, &transition->submits, error) ||
          !cp_json_get_boolean (ctx, o, "comment", FALSE, &transition->comment, error))
        goto fail;

      for (guint j = 0; j + 1 < self->transitions->len; j++)
        {
          const CpTransition *other = g_ptr_array_index (self->transitions, j);

          if (other->from == transition->from && g_str_equal (other->id, id))
            {
              fail_at (ctx, "id", error, CP_JSON_ERROR_DUPLICATE_ID,
                       "the state “%s” has two transitions “%s”", transition->from->id, id);
              goto fail;
            }
        }
      if (transition->from == transition->to)
        {
          fail_at (ctx, "to", error, CP_JSON_ERROR_INCONSISTENT,
                   "a transition leads to another state");
          goto fail;
        }
      if (transition->from->final)
        {
          fail_at (ctx, "from", error, CP_JSON_ERROR_INCONSISTENT,
                   "no transition leaves the final state “%s”", transition->from->id);
          goto fail;
        }
      if (transition->assigns != CP_ROLE_NONE &&
          transition->assigns != CP_ROLE_EVALUATING_AGENCY)
        {
          fail_at (ctx, "assigns", error, CP_JSON_ERROR_INVALID_VALUE,
                   "a transition can only assign the evaluating agency");
          goto fail;
        }
      if (transition->independent && transition->assigns == CP_ROLE_NONE)
        {
          fail_at (ctx, "independent", error, CP_JSON_ERROR_INCONSISTENT,
                   "only a transition that assigns an agency can ask for an independent one");
          goto fail;
        }

      if (!read_role_parts (tpl, ctx, o, "complete", transition->complete, error) ||
          !cp_json_get_array (ctx, o, "filled", FALSE, &filled, error))
        goto fail;
      for (guint f = 0; filled != NULL && f < json_array_get_length (filled); f++)
        {
          JsonNode *element = json_array_get_element (filled, f);
          const CpField *field = NULL;
          gsize fmark = cp_json_ctx_push_member (ctx, "filled");

          cp_json_ctx_push_index (ctx, f);
          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            field = cp_template_lookup_field (tpl, json_node_get_string (element));
          if (field == NULL || field->parent != NULL)
            {
              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                                "expected the path of a field of this template "
                                "(“section.field”)");
              cp_json_ctx_pop (ctx, fmark);
              goto fail;
            }
          cp_json_ctx_pop (ctx, fmark);
          g_ptr_array_add (transition->filled, (gpointer) field);
        }
      cp_json_ctx_pop (ctx, imark);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

static gboolean
read_from_legacy (CpWorkflow  *self,
                  CpJsonCtx   *ctx,
                  JsonObject  *object,
                  GError     **error)
{
  JsonObject *map = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, object, "from_legacy", TRUE, &map, error))
    return FALSE;
  mark = cp_json_ctx_push_member (ctx, "from_legacy");
  if (!cp_json_check_members (ctx, map, legacy_names, error))
    goto fail;
  for (guint l = 0; l < N_LEGACY; l++)
    {
      const CpWorkflowState *state = read_state_ref (self, ctx, map, legacy_names[l], error);
      gboolean fits;

      if (state == NULL)
        goto fail;
      /* A draft becomes a state that shows as a draft, and so on. */
      if (l == CP_PACKET_STATE_DRAFT || l == CP_PACKET_STATE_READY)
        fits = state->legacy == CP_PACKET_STATE_DRAFT || state->legacy == CP_PACKET_STATE_READY;
      else
        fits = state->legacy == (CpPacketState) l;
      if (!fits)
        {
          fail_at (ctx, legacy_names[l], error, CP_JSON_ERROR_INCONSISTENT,
                   "a packet that was “%s” cannot become “%s”, which shows as %s",
                   legacy_names[l],
                   state->id, legacy_names[state->legacy]);
          goto fail;
        }
      self->from_legacy[l] = state;
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

/* Every state can be reached from the initial one; every state but the final ones leads on. */
static gboolean
check_graph (CpWorkflow  *self,
             CpJsonCtx   *ctx,
             GError     **error)
{
  g_autofree gboolean *reached = g_new0 (gboolean, self->states->len);
  gboolean assigned = FALSE;
  gboolean changed = TRUE;
  gsize mark;

  reached[self->initial->index] = TRUE;
  while (changed)
    {
      changed = FALSE;
      for (guint i = 0; i < self->transitions->len; i++)
        {
          const CpTransition *t = g_ptr_array_index (self->transitions, i);

          if (reached[t->from->index] && !reached[t->to->index])
            reached[t->to->index] = changed = TRUE;
          if (t->assigns == CP_ROLE_EVALUATING_AGENCY)
            assigned = TRUE;
        }
    }

  mark = cp_json_ctx_push_member (ctx, "states");
  for (guint i = 0; i < self->states->len; i++)
    {
      const CpWorkflowState *state = g_ptr_array_index (self->states, i);
      gboolean leads_on = FALSE;
      gsize imark = cp_json_ctx_push_index (ctx, i);

      for (guint j = 0; j < self->transitions->len; j++)
        {
          const CpTransition *t = g_ptr_array_index (self->transitions, j);

          if (t->from == state)
            leads_on = TRUE;
        }
      if (!reached[i])
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                            "the state “%s” cannot be reached from the initial state “%s”",
                            state->id, self->initial->id);
          goto fail;
        }
      if (!state->final && !leads_on)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                            "no transition leaves the state “%s”: make it “final” or add one",
                            state->id);
          goto fail;
        }
      if (state->writers[CP_ROLE_EVALUATING_AGENCY] != NULL && !assigned)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                            "the evaluating agency writes in “%s”, but no transition assigns "
                            "it (“assigns”: “evaluating-agency”)", state->id);
          goto fail;
        }
      cp_json_ctx_pop (ctx, imark);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

CpWorkflow *
cp_workflow_read (CpTemplate  *tpl,
                  CpJsonCtx   *ctx,
                  JsonObject  *object,
                  GError     **error)
{
  static const char * const workflow_members[] = {
    "creator", "initial", "from_legacy", "states", "transitions", NULL
  };
  CpWorkflow *self = g_new0 (CpWorkflow, 1);

  self->states = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_workflow_state_free);
  self->states_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->transitions = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_transition_free);

  if (!cp_json_check_members (ctx, object, workflow_members, error) ||
      !read_role (ctx, object, "creator", TRUE, &self->creator, error) ||
      !read_states (self, tpl, ctx, object, error) ||
      (self->initial = read_state_ref (self, ctx, object, "initial", error)) == NULL)
    goto fail;
  if (self->initial->final)
    {
      fail_at (ctx, "initial", error, CP_JSON_ERROR_INCONSISTENT,
               "the initial state cannot be final");
      goto fail;
    }
  if (!read_transitions (self, tpl, ctx, object, error) ||
      !read_from_legacy (self, ctx, object, error) ||
      !check_graph (self, ctx, error))
    goto fail;
  return self;

fail:
  cp_workflow_free (self);
  return NULL;
}

/* Public API. */

CpRole
cp_workflow_get_creator (const CpWorkflow *self)
{
  g_return_val_if_fail (self != NULL, CP_ROLE_NONE);
  return self->creator;
}

const CpWorkflowState *
cp_workflow_get_initial (const CpWorkflow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->initial;
}

GPtrArray *
cp_workflow_get_states (const CpWorkflow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->states;
}

const CpWorkflowState *
cp_workflow_lookup_state (const CpWorkflow *self,
                          const char       *state_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (state_id == NULL)
    return NULL;
  return g_hash_table_lookup (self->states_by_id, state_id);
}

GPtrArray *
cp_workflow_get_transitions (const CpWorkflow *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->transitions;
}

const CpTransition *
cp_workflow_lookup_transition (const CpWorkflow *self,
                               const char       *from_state_id,
                               const char       *transition_id)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (from_state_id == NULL || transition_id == NULL)
    return NULL;
  for (guint i = 0; i < self->transitions->len; i++)
    {
      const CpTransition *t = g_ptr_array_index (self->transitions, i);

      if (g_str_equal (t->from->id, from_state_id) && g_str_equal (t->id, transition_id))
        return t;
    }
  return NULL;
}

GPtrArray *
cp_workflow_list_transitions (const CpWorkflow *self,
                              CpRole            role,
                              const char       *state_id)
{
  GPtrArray *ret;

  g_return_val_if_fail (self != NULL, NULL);

  ret = g_ptr_array_new ();
  for (guint i = 0; state_id != NULL && i < self->transitions->len; i++)
    {
      const CpTransition *t = g_ptr_array_index (self->transitions, i);

      if (t->role == role && role != CP_ROLE_NONE && g_str_equal (t->from->id, state_id))
        g_ptr_array_add (ret, (gpointer) t);
    }
  return ret;
}

gboolean
cp_workflow_state_has_writer (const CpWorkflowState *state,
                              CpRole                 role)
{
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail ((guint) role < CP_N_ROLES, FALSE);

  return state->writers[role] != NULL;
}

const CpWorkflowState *
cp_workflow_state_from_legacy (const CpWorkflow *self,
                               CpPacketState     legacy)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail ((guint) legacy < G_N_ELEMENTS (self->from_legacy), NULL);

  return self->from_legacy[legacy];
}

const CpWorkflowState *
cp_workflow_state_for_packet (const CpWorkflow *self,
                              CpPacket         *packet)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  return cp_workflow_state_from_legacy (self, cp_packet_get_state (packet));
}

/* @deadline in @year; 29 Feb in a year that has none is the last day of February. */
static void
deadline_date (const CpDeadline *deadline,
               int               year,
               GDate            *out)
{
  GDateDay day = (GDateDay) deadline->day;

  g_date_clear (out, 1);
  if (!g_date_valid_dmy (day, (GDateMonth) deadline->month, (GDateYear) year))
    day = g_date_get_days_in_month ((GDateMonth) deadline->month, (GDateYear) year);
  g_date_set_dmy (out, day, (GDateMonth) deadline->month, (GDateYear) year);
}

gboolean
cp_template_get_stage_deadline (CpTemplate      *tpl,
                                CpPacket        *packet,
                                const char      *state_id,
                                const GDate     *today,
                                CpStageDeadline *out)
{
  const CpWorkflow *workflow;
  const CpDeadline *deadline = NULL;
  GDate now, date;
  int year;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (today != NULL && g_date_valid (today))
    now = *today;
  else
    cp_date_today (&now);
  year = cp_packet_get_year (packet);
  if (year <= 0)
    year = cp_template_get_year (tpl);

  workflow = cp_template_get_workflow (tpl);
  if (workflow != NULL)
    {
      const CpWorkflowState *state = state_id != NULL
                                     ? cp_workflow_lookup_state (workflow, state_id)
                                     : cp_workflow_state_for_packet (workflow, packet);

      if (state == NULL || state->final || state->deadline == NULL)
        return FALSE;
      deadline = state->deadline;
    }
  else
    {
      GPtrArray *deadlines = cp_template_get_deadlines (tpl);

      if (cp_packet_get_state (packet) == CP_PACKET_STATE_ACCEPTED || deadlines->len == 0)
        return FALSE;
      for (guint i = 0; i < deadlines->len && deadline == NULL; i++)
        {
          const CpDeadline *candidate = g_ptr_array_index (deadlines, i);

          deadline_date (candidate, year, &date);
          if (g_date_compare (&date, &now) >= 0)
            deadline = candidate;
        }
      if (deadline == NULL)
        deadline = g_ptr_array_index (deadlines, deadlines->len - 1);
    }

  deadline_date (deadline, year, &date);
  out->deadline = deadline;
  out->date = date;
  out->days_left = g_date_days_between (&now, &date);
  return TRUE;
}
