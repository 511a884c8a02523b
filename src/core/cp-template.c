/* cp-template.c — a packet kind published as data: sections, fields, rules, deadlines
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cp-template.h"
#include "cp-packet.h"
#include "cp-json-private.h"
#include "cp-workflow-private.h"

struct _CpTemplate
{
  GObject     parent_instance;

  char       *id;
  char       *version;
  char       *origin;
  CpText     *title;
  CpText     *description;
  int         year;
  CpText     *campaign;
  GPtrArray  *deadlines;    /* CpDeadline * */
  GPtrArray  *eligibility;  /* CpText * */
  CpScoringRef *scoring;    /* nullable */
  GPtrArray  *sections;     /* CpSection * */
  GHashTable *sections_by_id;
  GHashTable *fields_by_path;
  GPtrArray  *rules;        /* CpRule * */
  GHashTable *rules_by_id;
  CpWorkflow *workflow;     /* nullable */
  CpScoreColumn scoring_first;  /* the first column the kind requires */
  JsonNode   *json;
};

G_DEFINE_FINAL_TYPE (CpTemplate, cp_template, G_TYPE_OBJECT)

static const char * const field_type_names[] = {
  [CP_FIELD_TEXT] = "text",
  [CP_FIELD_MULTILINE] = "multiline",
  [CP_FIELD_NUMBER] = "number",
  [CP_FIELD_INTEGER] = "integer",
  [CP_FIELD_MONEY] = "money",
  [CP_FIELD_DATE] = "date",
  [CP_FIELD_TIME] = "time",
  [CP_FIELD_CHOICE] = "choice",
  [CP_FIELD_BOOLEAN] = "boolean",
  [CP_FIELD_USCC] = "uscc",
  [CP_FIELD_PHONE] = "phone",
  [CP_FIELD_EMAIL] = "email",
  [CP_FIELD_URL] = "url",
  [CP_FIELD_POSTCODE] = "postcode",
  [CP_FIELD_GROUP] = "group",
  [CP_FIELD_ATTACHMENT] = "attachment",
  [CP_FIELD_SIGNATURE] = "signature",
};

static const char * const rule_type_names[] = {
  [CP_RULE_MONTHS_BETWEEN] = "months-between",
  [CP_RULE_VALID_ON_SUBMISSION] = "valid-on-submission",
  [CP_RULE_YEARS_BEFORE] = "years-before",
  [CP_RULE_MIN_AGE] = "min-age",
  [CP_RULE_SAME_VALUE] = "same-value",
  [CP_RULE_MIN_ITEMS] = "min-items",
  [CP_RULE_REQUIRED_IF] = "required-if",
  [CP_RULE_ORDER] = "order",
  [CP_RULE_DURATION] = "duration",
  [CP_RULE_EXCLUDED_VALUES] = "excluded-values",
  [CP_RULE_CAMPAIGN_YEAR] = "campaign-year",
  [CP_RULE_PASS_MARK] = "pass-mark",
  [CP_RULE_RECENT_YEARS] = "recent-years",
  [CP_RULE_PASS_MARK_DECISION] = "pass-mark-decision",
  [CP_RULE_DIVISION] = "division",
};

const char *
cp_field_type_to_string (CpFieldType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (field_type_names), NULL);

  return field_type_names[type];
}

gboolean
cp_field_type_from_string (const char  *text,
                           CpFieldType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (field_type_names); i++)
    {
      if (g_str_equal (text, field_type_names[i]))
        {
          *type = (CpFieldType) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
cp_rule_type_to_string (CpRuleType type)
{
  g_return_val_if_fail ((guint) type < G_N_ELEMENTS (rule_type_names), NULL);

  return rule_type_names[type];
}

gboolean
cp_rule_type_from_string (const char *text,
                          CpRuleType *type)
{
  g_return_val_if_fail (type != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (rule_type_names); i++)
    {
      if (g_str_equal (text, rule_type_names[i]))
        {
          *type = (CpRuleType) i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Freeing. */

static void
cp_choice_option_free (CpChoiceOption *option)
{
  g_free (option->id);
  g_clear_pointer (&option->label, cp_text_unref);
  g_strfreev (option->divisions);
  g_free (option);
}

static void
cp_field_free (CpField *field)
{
  g_free (field->id);
  g_free (field->path);
  g_clear_pointer (&field->label, cp_text_unref);
  g_clear_pointer (&field->help, cp_text_unref);
  g_free (field->pattern);
  g_clear_pointer (&field->regex, g_regex_unref);
  g_free (field->unit);
  g_clear_pointer (&field->options, g_ptr_array_unref);
  g_clear_pointer (&field->field_index, g_hash_table_unref);
  g_clear_pointer (&field->fields, g_ptr_array_unref);
  g_strfreev (field->mime_types);
  g_free (field->role);
  g_free (field->repeats_ref);
  g_free (field->division_ref);
  g_free (field);
}

static void
cp_section_free (CpSection *section)
{
  g_free (section->id);
  g_clear_pointer (&section->title, cp_text_unref);
  g_clear_pointer (&section->help, cp_text_unref);
  g_clear_pointer (&section->field_index, g_hash_table_unref);
  g_clear_pointer (&section->fields, g_ptr_array_unref);
  g_free (section);
}

static void
cp_rule_free (CpRule *rule)
{
  g_free (rule->id);
  g_free (rule->code);
  g_clear_pointer (&rule->description, cp_text_unref);
  g_clear_pointer (&rule->fields, g_ptr_array_unref);
  g_clear_pointer (&rule->equals, json_node_unref);
  g_strfreev (rule->values);
  g_strfreev (rule->prefixes);
  g_clear_pointer (&rule->region, cp_text_unref);
  g_free (rule);
}

static void
cp_deadline_free (CpDeadline *deadline)
{
  g_free (deadline->id);
  g_clear_pointer (&deadline->label, cp_text_unref);
  g_free (deadline);
}

static void
cp_scoring_ref_free (CpScoringRef *ref)
{
  g_free (ref->sheet_id);
  g_clear_pointer (&ref->column_label[CP_SCORE_SELF], cp_text_unref);
  g_clear_pointer (&ref->column_label[CP_SCORE_ACCEPTANCE], cp_text_unref);
  g_free (ref);
}

/* Reading helpers. */

static gboolean fail_at (CpJsonCtx   *ctx,
                         const char  *member,
                         GError     **error,
                         CpJsonError  code,
                         const char  *format,
                         ...) G_GNUC_PRINTF (5, 6);

/* Fails with a message about @member of the current object (or the object itself). */
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

/* A template's ids are also the segments of field paths ("section.field", "group[1].field"):
 * ids by the packet's rule, without its '.'. */
static gboolean
path_id_is_valid (const char *id)
{
  return cp_id_is_valid (id) && strchr (id, '.') == NULL;
}

static gboolean
read_id (CpJsonCtx   *ctx,
         JsonObject  *object,
         const char  *member,
         const char **out,
         GError     **error)
{
  if (!cp_json_get_string (ctx, object, member, TRUE, out, error))
    return FALSE;
  if (!path_id_is_valid (*out))
    {
      gsize mark = cp_json_ctx_push_member (ctx, member);

      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "“%s” is not a valid id (use letters, digits, “-” and “_”)",
                        *out);
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }
  return TRUE;
}

/* The optional member "owner": a role (cp-role.h). */
static gboolean
read_owner (CpJsonCtx   *ctx,
            JsonObject  *object,
            const char  *member,
            CpRole      *out,
            GError     **error)
{
  const char *text = NULL;

  if (!cp_json_get_string (ctx, object, member, FALSE, &text, error))
    return FALSE;
  if (text != NULL && !cp_role_from_string (text, out))
    return fail_at (ctx, member, error, CP_JSON_ERROR_INVALID_VALUE,
                    "unknown role “%s” (the roles are enterprise, coaching-agency, "
                    "evaluating-agency, district-office and city-office)", text);
  return TRUE;
}

static gboolean
read_count (CpJsonCtx   *ctx,
            JsonObject  *object,
            const char  *member,
            gint64       min,
            gint64       max,
            gint64      *out,
            GError     **error)
{
  gint64 value = *out;

  if (!cp_json_get_int (ctx, object, member, FALSE, &value, error))
    return FALSE;
  if (value != *out && (value < min || value > max))
    {
      gsize mark = cp_json_ctx_push_member (ctx, member);

      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "%" G_GINT64_FORMAT " is out of range (%" G_GINT64_FORMAT "–%"
                        G_GINT64_FORMAT ")", value, min, max);
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
read_string_array (CpJsonCtx   *ctx,
                   JsonObject  *object,
                   const char  *member,
                   gboolean     required,
                   char      ***out,
                   GError     **error)
{
  JsonArray *array = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  gsize mark;
  guint n;

  if (!cp_json_get_array (ctx, object, member, required, &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;

  n = json_array_get_length (array);
  mark = cp_json_ctx_push_member (ctx, member);
  if (n == 0)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE, "the list is empty");
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }

  builder = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          gsize imark = cp_json_ctx_push_index (ctx, i);

          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE, "expected a string, found %s",
                            cp_json_node_type_name (node));
          cp_json_ctx_pop (ctx, imark);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      g_strv_builder_add (builder, json_node_get_string (node));
    }
  cp_json_ctx_pop (ctx, mark);

  *out = g_strv_builder_end (builder);
  return TRUE;
}

/* Fields. */

static const char * const common_members[] = {
  "id", "type", "label", "help", "required", "owner", NULL
};

static const char * const *
members_for_type (CpFieldType type)
{
  static const char * const text_members[] = {
    "id", "type", "label", "help", "required", "owner", "min_length", "max_length", "pattern",
    "repeats", "account", NULL
  };
  static const char * const uscc_members[] = {
    "id", "type", "label", "help", "required", "owner", "repeats", "account", NULL
  };
  static const char * const number_members[] = {
    "id", "type", "label", "help", "required", "owner", "min", "max", "unit", NULL
  };
  static const char * const choice_members[] = {
    "id", "type", "label", "help", "required", "owner", "options", "division_of", NULL
  };
  static const char * const group_members[] = {
    "id", "type", "label", "help", "required", "owner", "fields", "min_items", "max_items", NULL
  };
  static const char * const attachment_members[] = {
    "id", "type", "label", "help", "required", "owner", "mime_types", "min_count", "max_count",
    NULL
  };
  static const char * const signature_members[] = {
    "id", "type", "label", "help", "required", "owner", "role", "stamp", NULL
  };

  switch (type)
    {
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
      return text_members;
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
      return number_members;
    case CP_FIELD_CHOICE:
      return choice_members;
    case CP_FIELD_GROUP:
      return group_members;
    case CP_FIELD_ATTACHMENT:
      return attachment_members;
    case CP_FIELD_SIGNATURE:
      return signature_members;
    case CP_FIELD_USCC:
      return uscc_members;
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_BOOLEAN:
    default:
      return common_members;
    }
}

static gboolean
read_options (CpJsonCtx   *ctx,
              JsonObject  *object,
              CpField     *field,
              GError     **error)
{
  static const char * const option_members[] = { "id", "label", "divisions", NULL };
  JsonArray *array = NULL;
  gsize mark;
  guint n;

  if (!cp_json_get_array (ctx, object, "options", TRUE, &array, error))
    return FALSE;

  n = json_array_get_length (array);
  mark = cp_json_ctx_push_member (ctx, "options");
  if (n == 0)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "a choice needs at least one option");
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }

  field->options = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_choice_option_free);
  for (guint i = 0; i < n; i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      JsonObject *o = NULL;
      const char *id = NULL;
      CpChoiceOption *option;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &o, error) ||
          !cp_json_check_members (ctx, o, option_members, error) ||
          !read_id (ctx, o, "id", &id, error))
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      if (cp_field_lookup_option (field, id) != NULL)
        {
          fail_at (ctx, "id", error, CP_JSON_ERROR_DUPLICATE_ID,
                   "the option id “%s” is used twice", id);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }

      option = g_new0 (CpChoiceOption, 1);
      option->id = g_strdup (id);
      g_ptr_array_add (field->options, option);
      if (!read_text (ctx, o, "label", TRUE, &option->label, error) ||
          !read_string_array (ctx, o, "divisions", FALSE, &option->divisions, error))
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      for (guint j = 0; option->divisions != NULL && option->divisions[j] != NULL; j++)
        {
          const char *prefix = option->divisions[j];
          gsize len = strlen (prefix);

          if (len < 2 || len > 6 || strspn (prefix, "0123456789") != len)
            {
              cp_json_ctx_push_member (ctx, "divisions");
              cp_json_ctx_push_index (ctx, j);
              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                "“%s” is not the start of a division code (2 to 6 digits)",
                                prefix);
              cp_json_ctx_pop (ctx, mark);
              return FALSE;
            }
        }
      cp_json_ctx_pop (ctx, imark);
    }

  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

/* The identity members "repeats", "division_of" and "account" as written; they are resolved
 * once every section is read (resolve_identity()). */
static gboolean
read_identity (CpJsonCtx   *ctx,
               JsonObject  *object,
               CpField     *field,
               GError     **error)
{
  static const char * const members[] = { "repeats", "division_of", "account" };
  const char *repeats = NULL;
  const char *division_of = NULL;
  const char *account = NULL;

  if (!cp_json_get_string (ctx, object, "repeats", FALSE, &repeats, error) ||
      !cp_json_get_string (ctx, object, "division_of", FALSE, &division_of, error) ||
      !cp_json_get_string (ctx, object, "account", FALSE, &account, error))
    return FALSE;
  if (field->parent != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (members); i++)
        {
          if (json_object_has_member (object, members[i]))
            return fail_at (ctx, members[i], error, CP_JSON_ERROR_INCONSISTENT,
                            "a field inside a group cannot carry the enterprise's or the "
                            "agency's identity");
        }
    }
  if (account != NULL)
    {
      if (g_str_equal (account, "agency-name"))
        field->account = CP_ACCOUNT_AGENCY_NAME;
      else if (g_str_equal (account, "agency-uscc"))
        field->account = CP_ACCOUNT_AGENCY_USCC;
      else
        return fail_at (ctx, "account", error, CP_JSON_ERROR_INVALID_VALUE,
                        "unknown account value “%s” (“agency-name” or “agency-uscc”)", account);
      if ((field->account == CP_ACCOUNT_AGENCY_NAME) != (field->type == CP_FIELD_TEXT))
        return fail_at (ctx, "account", error, CP_JSON_ERROR_INCONSISTENT,
                        "“agency-name” goes in a text field, “agency-uscc” in a uscc field");
    }
  field->repeats_ref = g_strdup (repeats);
  field->division_ref = g_strdup (division_of);
  return TRUE;
}

static gboolean read_fields (CpJsonCtx        *ctx,
                             JsonObject       *object,
                             const char       *prefix,
                             const CpSection  *section,
                             const CpField    *parent,
                             GPtrArray       **out_fields,
                             GHashTable      **out_index,
                             GError          **error);

static CpField *
read_field (CpJsonCtx        *ctx,
            JsonNode         *node,
            const char       *prefix,
            const CpSection  *section,
            const CpField    *parent,
            GError          **error)
{
  JsonObject *object = NULL;
  const char *id = NULL;
  const char *type_name = NULL;
  const char *pattern = NULL;
  const char *unit = NULL;
  const char *role = NULL;
  CpField *field;
  gint64 count;

  if (!cp_json_require_object (ctx, node, &object, error) ||
      !read_id (ctx, object, "id", &id, error) ||
      !cp_json_get_string (ctx, object, "type", TRUE, &type_name, error))
    return NULL;

  field = g_new0 (CpField, 1);
  field->id = g_strdup (id);
  field->path = g_strconcat (prefix, ".", id, NULL);
  field->section = section;
  field->parent = parent;
  field->min_length = -1;
  field->max_length = -1;

  if (!cp_field_type_from_string (type_name, &field->type))
    {
      gsize mark = cp_json_ctx_push_member (ctx, "type");

      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "unknown field type “%s”", type_name);
      cp_json_ctx_pop (ctx, mark);
      goto fail;
    }

  if (!cp_json_check_members (ctx, object, members_for_type (field->type), error) ||
      !read_text (ctx, object, "label", TRUE, &field->label, error) ||
      !read_text (ctx, object, "help", FALSE, &field->help, error) ||
      !cp_json_get_boolean (ctx, object, "required", FALSE, &field->required, error) ||
      !read_owner (ctx, object, "owner", &field->owner, error) ||
      !read_identity (ctx, object, field, error))
    goto fail;

  switch (field->type)
    {
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
      count = -1;
      if (!read_count (ctx, object, "min_length", 0, 1000000, &count, error))
        goto fail;
      field->min_length = (int) count;
      count = -1;
      if (!read_count (ctx, object, "max_length", 1, 1000000, &count, error))
        goto fail;
      field->max_length = (int) count;
      if (field->min_length >= 0 && field->max_length >= 0 &&
          field->min_length > field->max_length)
        {
          fail_at (ctx, "max_length", error, CP_JSON_ERROR_INCONSISTENT,
                   "the maximum length is smaller than the minimum length");
          goto fail;
        }
      if (!cp_json_get_string (ctx, object, "pattern", FALSE, &pattern, error))
        goto fail;
      if (pattern != NULL)
        {
          g_autoptr(GError) regex_error = NULL;
          g_autofree char *anchored = g_strdup_printf ("\\A(?:%s)\\z", pattern);
          g_autoptr(GRegex) plain = NULL;

          /* Compiled alone first, so that an error speaks of the pattern as written. */
          field->pattern = g_strdup (pattern);
          plain = g_regex_new (pattern, 0, 0, &regex_error);
          if (plain != NULL)
            field->regex = g_regex_new (anchored, G_REGEX_OPTIMIZE, 0, &regex_error);
          if (field->regex == NULL)
            {
              gsize mark = cp_json_ctx_push_member (ctx, "pattern");

              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                "invalid regular expression “%s”: %s", pattern,
                                regex_error->message);
              cp_json_ctx_pop (ctx, mark);
              goto fail;
            }
        }
      break;

    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
      field->has_min = json_object_get_member (object, "min") != NULL;
      field->has_max = json_object_get_member (object, "max") != NULL;
      if (!cp_json_get_double (ctx, object, "min", FALSE, &field->min, error) ||
          !cp_json_get_double (ctx, object, "max", FALSE, &field->max, error) ||
          !cp_json_get_string (ctx, object, "unit", FALSE, &unit, error))
        goto fail;
      if (field->has_min && field->has_max && field->min > field->max)
        {
          fail_at (ctx, "max", error, CP_JSON_ERROR_INCONSISTENT,
                   "the maximum is smaller than the minimum");
          goto fail;
        }
      field->unit = g_strdup (unit);
      break;

    case CP_FIELD_CHOICE:
      if (!read_options (ctx, object, field, error))
        goto fail;
      break;

    case CP_FIELD_GROUP:
      if (parent != NULL)
        {
          fail_at (ctx, "type", error, CP_JSON_ERROR_INVALID_VALUE,
                   "a group cannot contain another group");
          goto fail;
        }
      if (json_object_get_member (object, "fields") == NULL)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                            "the group “%s” has no member “fields”: a group needs sub-fields",
                            id);
          goto fail;
        }
      if (!read_fields (ctx, object, field->path, section, field, &field->fields,
                        &field->field_index, error))
        goto fail;
      if (field->fields->len == 0)
        {
          fail_at (ctx, "fields", error, CP_JSON_ERROR_INVALID_VALUE,
                   "a group needs at least one sub-field");
          goto fail;
        }
      count = 0;
      if (!read_count (ctx, object, "min_items", 0, 1000, &count, error))
        goto fail;
      field->min_items = (guint) count;
      count = 0;
      if (!read_count (ctx, object, "max_items", 1, 1000, &count, error))
        goto fail;
      field->max_items = (guint) count;
      if (field->max_items > 0 && field->min_items > field->max_items)
        {
          fail_at (ctx, "max_items", error, CP_JSON_ERROR_INCONSISTENT,
                   "the maximum number of items is smaller than the minimum");
          goto fail;
        }
      break;

    case CP_FIELD_ATTACHMENT:
      if (!read_string_array (ctx, object, "mime_types", FALSE, &field->mime_types, error))
        goto fail;
      count = 1;
      if (!read_count (ctx, object, "min_count", 1, 1000, &count, error))
        goto fail;
      field->min_count = (guint) count;
      count = 0;
      if (!read_count (ctx, object, "max_count", 1, 1000, &count, error))
        goto fail;
      field->max_count = (guint) count;
      if (field->max_count > 0 && field->min_count > field->max_count)
        {
          fail_at (ctx, "max_count", error, CP_JSON_ERROR_INCONSISTENT,
                   "the maximum number of files is smaller than the minimum");
          goto fail;
        }
      break;

    case CP_FIELD_SIGNATURE:
      if (!cp_json_get_string (ctx, object, "role", FALSE, &role, error) ||
          !cp_json_get_boolean (ctx, object, "stamp", FALSE, &field->stamp, error))
        goto fail;
      if (role != NULL && !cp_id_is_valid (role))
        {
          fail_at (ctx, "role", error, CP_JSON_ERROR_INVALID_VALUE,
                   "a signer role is an id such as “enterprise-head”");
          goto fail;
        }
      field->role = g_strdup (role);
      break;

    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_USCC:
    default:
      break;
    }

  return field;

fail:
  cp_field_free (field);
  return NULL;
}

static gboolean
read_fields (CpJsonCtx        *ctx,
             JsonObject       *object,
             const char       *prefix,
             const CpSection  *section,
             const CpField    *parent,
             GPtrArray       **out_fields,
             GHashTable      **out_index,
             GError          **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_field_free);
  g_autoptr(GHashTable) index = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, object, "fields", FALSE, &array, error))
    return FALSE;

  mark = cp_json_ctx_push_member (ctx, "fields");
  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      CpField *field = read_field (ctx, json_array_get_element (array, i), prefix, section,
                                   parent, error);

      if (field == NULL)
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      if (g_hash_table_contains (index, field->id))
        {
          fail_at (ctx, "id", error, CP_JSON_ERROR_DUPLICATE_ID,
                   "the field id “%s” is used twice in “%s”", field->id, prefix);
          cp_field_free (field);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      field->index = fields->len;
      g_ptr_array_add (fields, field);
      g_hash_table_insert (index, field->id, field);
      cp_json_ctx_pop (ctx, imark);
    }
  cp_json_ctx_pop (ctx, mark);

  *out_fields = g_steal_pointer (&fields);
  *out_index = g_steal_pointer (&index);
  return TRUE;
}

/* Sections. */

static gboolean
read_sections (CpTemplate  *self,
               CpJsonCtx   *ctx,
               JsonObject  *root,
               GError     **error)
{
  static const char * const section_members[] = {
    "id", "title", "help", "generated", "owner", "fields", NULL
  };
  JsonArray *array = NULL;
  gsize mark;
  guint n;

  if (!cp_json_get_array (ctx, root, "sections", TRUE, &array, error))
    return FALSE;

  n = json_array_get_length (array);
  mark = cp_json_ctx_push_member (ctx, "sections");
  if (n == 0)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "a packet kind needs at least one section");
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      JsonObject *object = NULL;
      const char *id = NULL;
      CpSection *section;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &object, error) ||
          !cp_json_check_members (ctx, object, section_members, error) ||
          !read_id (ctx, object, "id", &id, error))
        goto fail;

      if (g_hash_table_contains (self->sections_by_id, id))
        {
          gsize idmark = cp_json_ctx_push_member (ctx, "id");

          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_DUPLICATE_ID,
                            "the section id “%s” is used twice", id);
          cp_json_ctx_pop (ctx, idmark);
          goto fail;
        }

      section = g_new0 (CpSection, 1);
      section->id = g_strdup (id);
      section->index = i;
      g_ptr_array_add (self->sections, section);
      g_hash_table_insert (self->sections_by_id, section->id, section);

      if (!read_text (ctx, object, "title", TRUE, &section->title, error) ||
          !read_text (ctx, object, "help", FALSE, &section->help, error) ||
          !cp_json_get_boolean (ctx, object, "generated", FALSE, &section->generated, error) ||
          !read_owner (ctx, object, "owner", &section->owner, error) ||
          !read_fields (ctx, object, section->id, section, NULL, &section->fields,
                        &section->field_index, error))
        goto fail;

      if (section->generated && section->fields->len > 0)
        {
          fail_at (ctx, "fields", error, CP_JSON_ERROR_INCONSISTENT,
                   "a generated section cannot have fields");
          goto fail;
        }

      for (guint j = 0; j < section->fields->len; j++)
        {
          CpField *field = g_ptr_array_index (section->fields, j);

          g_hash_table_insert (self->fields_by_path, field->path, field);
          for (guint k = 0; field->fields != NULL && k < field->fields->len; k++)
            {
              CpField *sub = g_ptr_array_index (field->fields, k);

              g_hash_table_insert (self->fields_by_path, sub->path, sub);
            }
        }

      cp_json_ctx_pop (ctx, imark);
    }

  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

/* Rules. */

typedef enum
{
  NEED_ANY,
  NEED_DATE,
  NEED_TIME,
  NEED_DATE_OR_TIME,
  NEED_GROUP_OR_ATTACHMENT,
  NEED_GROUP,
  NEED_CHOICE,
  NEED_INTEGER,
  NEED_INTEGER_OR_DATE,
  NEED_USCC,
} FieldNeed;

static gboolean
field_meets (const CpField *field,
             FieldNeed      need)
{
  switch (need)
    {
    case NEED_DATE:
      return field->type == CP_FIELD_DATE;
    case NEED_TIME:
      return field->type == CP_FIELD_TIME;
    case NEED_DATE_OR_TIME:
      return field->type == CP_FIELD_DATE || field->type == CP_FIELD_TIME;
    case NEED_GROUP_OR_ATTACHMENT:
      return field->type == CP_FIELD_GROUP || field->type == CP_FIELD_ATTACHMENT;
    case NEED_GROUP:
      return field->type == CP_FIELD_GROUP;
    case NEED_CHOICE:
      return field->type == CP_FIELD_CHOICE;
    case NEED_INTEGER:
      return field->type == CP_FIELD_INTEGER;
    case NEED_INTEGER_OR_DATE:
      return field->type == CP_FIELD_INTEGER || field->type == CP_FIELD_DATE;
    case NEED_USCC:
      return field->type == CP_FIELD_USCC;
    case NEED_ANY:
    default:
      return TRUE;
    }
}

static const char *
need_name (FieldNeed need)
{
  switch (need)
    {
    case NEED_DATE:
      return "a date field";
    case NEED_TIME:
      return "a time field";
    case NEED_DATE_OR_TIME:
      return "a date or time field";
    case NEED_GROUP_OR_ATTACHMENT:
      return "a group or attachment field";
    case NEED_GROUP:
      return "a group field";
    case NEED_CHOICE:
      return "a choice field";
    case NEED_INTEGER:
      return "an integer field";
    case NEED_INTEGER_OR_DATE:
      return "an integer (year) or date field";
    case NEED_USCC:
      return "a credit-code (uscc) field";
    case NEED_ANY:
    default:
      return "a field";
    }
}

/* Resolves a "section.field" reference held in @member (or, for @index ≥ 0, in element @index
 * of the array @member) and appends it to the rule's fields. Group sub-fields cannot be
 * compared across items, so rules name top-level fields only. */
static gboolean
resolve_ref (CpTemplate  *self,
             CpJsonCtx   *ctx,
             CpRule      *rule,
             const char  *member,
             int          index,
             const char  *ref,
             FieldNeed    need,
             GError     **error)
{
  const CpField *field = g_hash_table_lookup (self->fields_by_path, ref);
  gsize mark = cp_json_ctx_push_member (ctx, member);

  if (index >= 0)
    cp_json_ctx_push_index (ctx, (guint) index);

  if (field == NULL)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                        "the rule names the field “%s”, which this template does not have "
                        "(write “section.field”)", ref);
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }
  if (field->parent != NULL)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                        "the rule names “%s”, a field inside a group; rules read top-level "
                        "fields", ref);
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }
  if (!field_meets (field, need))
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                        "the rule needs %s, but “%s” is a %s field", need_name (need), ref,
                        cp_field_type_to_string (field->type));
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }

  cp_json_ctx_pop (ctx, mark);
  g_ptr_array_add (rule->fields, (gpointer) field);
  return TRUE;
}

static gboolean
read_ref (CpTemplate  *self,
          CpJsonCtx   *ctx,
          JsonObject  *object,
          CpRule      *rule,
          const char  *member,
          gboolean     required,
          FieldNeed    need,
          GError     **error)
{
  const char *ref = NULL;

  if (!cp_json_get_string (ctx, object, member, required, &ref, error))
    return FALSE;
  if (ref == NULL)
    return TRUE;
  return resolve_ref (self, ctx, rule, member, -1, ref, need, error);
}

static const char * const *
rule_members (CpRuleType type)
{
#define COMMON "id", "type", "code", "severity", "description", "section"
  static const char * const months_between[] = { COMMON, "from", "to", "min", NULL };
  static const char * const field_only[] = { COMMON, "field", NULL };
  static const char * const years_before[] = { COMMON, "field", "years", "reference", NULL };
  static const char * const same_value[] = { COMMON, "fields", NULL };
  static const char * const min_items[] = { COMMON, "field", "min", NULL };
  static const char * const required_if[] = { COMMON, "field", "if", "equals", NULL };
  static const char * const order[] = { COMMON, "from", "to", "strict", NULL };
  static const char * const duration[] = {
    COMMON, "from", "to", "min_minutes", "max_minutes", NULL
  };
  static const char * const excluded[] = { COMMON, "field", "values", NULL };
  static const char * const campaign_year[] = { COMMON, "field", "years", NULL };
  static const char * const pass_mark[] = { COMMON, "field", "column", NULL };
  static const char * const recent_years[] = { COMMON, "field", "year_field", "count", NULL };
  static const char * const pass_mark_decision[] = {
    COMMON, "field", "column", "decision", "values", NULL
  };
  static const char * const division[] = { COMMON, "field", "prefixes", "region", NULL };
#undef COMMON

  switch (type)
    {
    case CP_RULE_MONTHS_BETWEEN:
      return months_between;
    case CP_RULE_VALID_ON_SUBMISSION:
      return field_only;
    case CP_RULE_YEARS_BEFORE:
    case CP_RULE_MIN_AGE:
      return years_before;
    case CP_RULE_SAME_VALUE:
      return same_value;
    case CP_RULE_MIN_ITEMS:
      return min_items;
    case CP_RULE_REQUIRED_IF:
      return required_if;
    case CP_RULE_ORDER:
      return order;
    case CP_RULE_DURATION:
      return duration;
    case CP_RULE_EXCLUDED_VALUES:
      return excluded;
    case CP_RULE_CAMPAIGN_YEAR:
      return campaign_year;
    case CP_RULE_PASS_MARK:
      return pass_mark;
    case CP_RULE_RECENT_YEARS:
      return recent_years;
    case CP_RULE_PASS_MARK_DECISION:
      return pass_mark_decision;
    case CP_RULE_DIVISION:
      return division;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_positive (CpJsonCtx   *ctx,
               JsonObject  *object,
               const char  *member,
               int         *out,
               GError     **error)
{
  gint64 value = -1;

  if (!cp_json_get_int (ctx, object, member, TRUE, &value, error))
    return FALSE;
  if (value < 1 || value > 10000)
    return fail_at (ctx, member, error, CP_JSON_ERROR_INVALID_VALUE,
                    "expected a whole number from 1 to 10000");
  *out = (int) value;
  return TRUE;
}

static gboolean
read_rule_params (CpTemplate  *self,
                  CpJsonCtx   *ctx,
                  JsonObject  *object,
                  CpRule      *rule,
                  GError     **error)
{
  switch (rule->type)
    {
    case CP_RULE_MONTHS_BETWEEN:
      return read_ref (self, ctx, object, rule, "from", TRUE, NEED_DATE, error) &&
             read_ref (self, ctx, object, rule, "to", TRUE, NEED_DATE, error) &&
             read_positive (ctx, object, "min", &rule->min, error);

    case CP_RULE_VALID_ON_SUBMISSION:
      return read_ref (self, ctx, object, rule, "field", TRUE, NEED_DATE, error);

    case CP_RULE_YEARS_BEFORE:
    case CP_RULE_MIN_AGE:
      return read_ref (self, ctx, object, rule, "field", TRUE, NEED_DATE, error) &&
             read_positive (ctx, object, "years", &rule->years, error) &&
             read_ref (self, ctx, object, rule, "reference", FALSE, NEED_DATE, error);

    case CP_RULE_SAME_VALUE:
      {
        g_auto(GStrv) refs = NULL;

        if (!read_string_array (ctx, object, "fields", TRUE, &refs, error))
          return FALSE;
        if (g_strv_length (refs) < 2)
          return fail_at (ctx, "fields", error, CP_JSON_ERROR_INVALID_VALUE,
                          "a same-value rule compares at least two fields");
        for (guint i = 0; refs[i] != NULL; i++)
          {
            if (!resolve_ref (self, ctx, rule, "fields", (int) i, refs[i], NEED_ANY, error))
              return FALSE;
          }
        for (guint i = 1; i < rule->fields->len; i++)
          {
            const CpField *a = g_ptr_array_index (rule->fields, 0);
            const CpField *b = g_ptr_array_index (rule->fields, i);

            if (a->type != b->type || a->type == CP_FIELD_GROUP ||
                a->type == CP_FIELD_SIGNATURE)
              return fail_at (ctx, "fields", error, CP_JSON_ERROR_INCONSISTENT,
                              "a same-value rule compares fields of one simple type");
          }
        return TRUE;
      }

    case CP_RULE_MIN_ITEMS:
      return read_ref (self, ctx, object, rule, "field", TRUE, NEED_GROUP_OR_ATTACHMENT,
                       error) &&
             read_positive (ctx, object, "min", &rule->min, error);

    case CP_RULE_REQUIRED_IF:
      {
        JsonNode *equals;

        if (!read_ref (self, ctx, object, rule, "field", TRUE, NEED_ANY, error) ||
            !read_ref (self, ctx, object, rule, "if", TRUE, NEED_ANY, error))
          return FALSE;
        equals = json_object_get_member (object, "equals");
        if (equals != NULL)
          {
            if (!JSON_NODE_HOLDS_VALUE (equals))
              return fail_at (ctx, "equals", error, CP_JSON_ERROR_WRONG_TYPE,
                              "expected a string, a number or true/false");
            rule->equals = json_node_copy (equals);
          }
        return TRUE;
      }

    case CP_RULE_ORDER:
      {
        const CpField *from, *to;

        if (!read_ref (self, ctx, object, rule, "from", TRUE, NEED_DATE_OR_TIME, error) ||
            !read_ref (self, ctx, object, rule, "to", TRUE, NEED_DATE_OR_TIME, error) ||
            !cp_json_get_boolean (ctx, object, "strict", FALSE, &rule->strict, error))
          return FALSE;
        from = g_ptr_array_index (rule->fields, 0);
        to = g_ptr_array_index (rule->fields, 1);
        if (from->type != to->type)
          return fail_at (ctx, "to", error, CP_JSON_ERROR_INCONSISTENT,
                          "an order rule compares two dates or two times");
        return TRUE;
      }

    case CP_RULE_DURATION:
      {
        gint64 min = -1, max = -1;

        if (!read_ref (self, ctx, object, rule, "from", TRUE, NEED_TIME, error) ||
            !read_ref (self, ctx, object, rule, "to", TRUE, NEED_TIME, error) ||
            !read_count (ctx, object, "min_minutes", 0, 1440, &min, error) ||
            !read_count (ctx, object, "max_minutes", 0, 1440, &max, error))
          return FALSE;
        if (min < 0 && max < 0)
          return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                                   "a duration rule needs “min_minutes” or “max_minutes”");
        if (min >= 0 && max >= 0 && min > max)
          return fail_at (ctx, "max_minutes", error, CP_JSON_ERROR_INCONSISTENT,
                          "the maximum is smaller than the minimum");
        rule->min_minutes = (int) min;
        rule->max_minutes = (int) max;
        return TRUE;
      }

    case CP_RULE_EXCLUDED_VALUES:
      {
        const CpField *field;

        if (!read_ref (self, ctx, object, rule, "field", TRUE, NEED_CHOICE, error) ||
            !read_string_array (ctx, object, "values", TRUE, &rule->values, error))
          return FALSE;
        field = g_ptr_array_index (rule->fields, 0);
        for (guint i = 0; rule->values[i] != NULL; i++)
          {
            if (cp_field_lookup_option (field, rule->values[i]) == NULL)
              {
                gsize mark = cp_json_ctx_push_member (ctx, "values");

                cp_json_ctx_push_index (ctx, i);
                cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                                  "“%s” is not an option of “%s”", rule->values[i],
                                  field->path);
                cp_json_ctx_pop (ctx, mark);
                return FALSE;
              }
          }
        return TRUE;
      }

    case CP_RULE_CAMPAIGN_YEAR:
      {
        gint64 years = 0;

        if (!read_ref (self, ctx, object, rule, "field", TRUE, NEED_INTEGER_OR_DATE, error) ||
            !read_count (ctx, object, "years", 0, 100, &years, error))
          return FALSE;
        rule->years = (int) years;
        return TRUE;
      }

    case CP_RULE_PASS_MARK:
    case CP_RULE_PASS_MARK_DECISION:
      {
        const char *column = NULL;

        if (!read_ref (self, ctx, object, rule, "field", TRUE, NEED_CHOICE, error) ||
            !cp_json_get_string (ctx, object, "column", TRUE, &column, error))
          return FALSE;
        if (g_str_equal (column, "self"))
          rule->column = CP_SCORE_SELF;
        else if (g_str_equal (column, "acceptance"))
          rule->column = CP_SCORE_ACCEPTANCE;
        else
          return fail_at (ctx, "column", error, CP_JSON_ERROR_INVALID_VALUE,
                          "the column is “self” or “acceptance”");
        if (self->scoring == NULL)
          return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                                   "a %s rule needs the template's “scoring” member",
                                   cp_rule_type_to_string (rule->type));
        if (rule->type == CP_RULE_PASS_MARK_DECISION)
          {
            const CpField *decision;

            if (!read_ref (self, ctx, object, rule, "decision", TRUE, NEED_CHOICE, error) ||
                !read_string_array (ctx, object, "values", TRUE, &rule->values, error))
              return FALSE;
            decision = g_ptr_array_index (rule->fields, 1);
            for (guint i = 0; rule->values[i] != NULL; i++)
              {
                if (cp_field_lookup_option (decision, rule->values[i]) == NULL)
                  {
                    gsize mark = cp_json_ctx_push_member (ctx, "values");

                    cp_json_ctx_push_index (ctx, i);
                    cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                                      "“%s” is not an option of “%s”", rule->values[i],
                                      decision->path);
                    cp_json_ctx_pop (ctx, mark);
                    return FALSE;
                  }
              }
          }
        return TRUE;
      }

    case CP_RULE_DIVISION:
      {
        if (!read_ref (self, ctx, object, rule, "field", TRUE, NEED_USCC, error) ||
            !read_string_array (ctx, object, "prefixes", TRUE, &rule->prefixes, error) ||
            !read_text (ctx, object, "region", TRUE, &rule->region, error))
          return FALSE;
        for (guint i = 0; rule->prefixes[i] != NULL; i++)
          {
            const char *prefix = rule->prefixes[i];
            gsize len = strlen (prefix);

            if (len < 2 || len > 6 || strspn (prefix, "0123456789") != len)
              {
                gsize mark = cp_json_ctx_push_member (ctx, "prefixes");

                cp_json_ctx_push_index (ctx, i);
                cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                  "“%s” is not the start of a division code (2 to 6 digits)",
                                  prefix);
                cp_json_ctx_pop (ctx, mark);
                return FALSE;
              }
          }
        return TRUE;
      }

    case CP_RULE_RECENT_YEARS:
      {
        const char *year_field = NULL;
        const CpField *group;

        if (!read_ref (self, ctx, object, rule, "field", TRUE, NEED_GROUP, error) ||
            !cp_json_get_string (ctx, object, "year_field", TRUE, &year_field, error) ||
            !read_positive (ctx, object, "count", &rule->count, error))
          return FALSE;
        group = g_ptr_array_index (rule->fields, 0);
        rule->year_field = cp_field_lookup_subfield (group, year_field);
        if (rule->year_field == NULL || rule->year_field->type != CP_FIELD_INTEGER)
          return fail_at (ctx, "year_field", error, CP_JSON_ERROR_INCONSISTENT,
                          "the group has no integer sub-field by that name");
        return TRUE;
      }

    default:
      g_assert_not_reached ();
    }
}

static gboolean
read_rules (CpTemplate  *self,
            CpJsonCtx   *ctx,
            JsonObject  *root,
            GError     **error)
{
  JsonArray *array = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, root, "rules", FALSE, &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "rules");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      JsonObject *object = NULL;
      const char *id = NULL;
      const char *type = NULL;
      const char *code = NULL;
      const char *severity = NULL;
      const char *section = NULL;
      CpRule *rule;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &object, error) ||
          !read_id (ctx, object, "id", &id, error) ||
          !cp_json_get_string (ctx, object, "type", TRUE, &type, error))
        goto fail;

      if (g_hash_table_contains (self->rules_by_id, id))
        {
          fail_at (ctx, "id", error, CP_JSON_ERROR_DUPLICATE_ID,
                   "the rule id “%s” is used twice", id);
          goto fail;
        }

      rule = g_new0 (CpRule, 1);
      rule->id = g_strdup (id);
      rule->fields = g_ptr_array_new ();
      rule->min_minutes = -1;
      rule->max_minutes = -1;
      g_ptr_array_add (self->rules, rule);
      g_hash_table_insert (self->rules_by_id, rule->id, rule);

      if (!cp_rule_type_from_string (type, &rule->type))
        {
          gsize tmark = cp_json_ctx_push_member (ctx, "type");

          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "unknown rule type “%s”", type);
          cp_json_ctx_pop (ctx, tmark);
          goto fail;
        }

      if (!cp_json_check_members (ctx, object, rule_members (rule->type), error) ||
          !read_id (ctx, object, "code", &code, error) ||
          !cp_json_get_string (ctx, object, "severity", FALSE, &severity, error) ||
          !read_text (ctx, object, "description", FALSE, &rule->description, error) ||
          !cp_json_get_string (ctx, object, "section", FALSE, &section, error))
        goto fail;

      rule->code = g_strdup (code);
      rule->severity = CP_SEVERITY_ERROR;
      if (severity != NULL)
        {
          if (g_str_equal (severity, "warning"))
            rule->severity = CP_SEVERITY_WARNING;
          else if (!g_str_equal (severity, "error"))
            {
              fail_at (ctx, "severity", error, CP_JSON_ERROR_INVALID_VALUE,
                       "the severity is “error” or “warning”");
              goto fail;
            }
        }

      if (!read_rule_params (self, ctx, object, rule, error))
        goto fail;

      if (section != NULL)
        {
          rule->section = g_hash_table_lookup (self->sections_by_id, section);
          if (rule->section == NULL)
            {
              gsize smark = cp_json_ctx_push_member (ctx, "section");

              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                                "the rule names the section “%s”, which this template does "
                                "not have", section);
              cp_json_ctx_pop (ctx, smark);
              goto fail;
            }
        }
      else if (rule->type == CP_RULE_PASS_MARK)
        rule->section = self->scoring->section;
      else if (rule->type == CP_RULE_PASS_MARK_DECISION)
        rule->section = ((const CpField *) g_ptr_array_index (rule->fields, 1))->section;
      else
        rule->section = ((const CpField *) g_ptr_array_index (rule->fields, 0))->section;

      cp_json_ctx_pop (ctx, imark);
    }

  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

/* Header parts. */

static gboolean
read_campaign (CpTemplate  *self,
               CpJsonCtx   *ctx,
               JsonObject  *root,
               GError     **error)
{
  static const char * const campaign_members[] = { "year", "name", NULL };
  JsonObject *object = NULL;
  gint64 year = 0;
  gsize mark;
  gboolean ok;

  if (!cp_json_get_object (ctx, root, "campaign", TRUE, &object, error))
    return FALSE;

  mark = cp_json_ctx_push_member (ctx, "campaign");
  ok = cp_json_check_members (ctx, object, campaign_members, error) &&
       cp_json_get_int (ctx, object, "year", TRUE, &year, error) &&
       read_text (ctx, object, "name", FALSE, &self->campaign, error);
  if (ok && (year < 2000 || year > 2200))
    ok = fail_at (ctx, "year", error, CP_JSON_ERROR_INVALID_VALUE,
                  "the campaign year is out of range");
  cp_json_ctx_pop (ctx, mark);
  self->year = (int) year;
  return ok;
}

static gboolean
read_deadlines (CpTemplate  *self,
                CpJsonCtx   *ctx,
                JsonObject  *root,
                GError     **error)
{
  static const char * const deadline_members[] = { "id", "month", "day", "label", NULL };
  JsonArray *array = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, root, "deadlines", FALSE, &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "deadlines");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize imark = cp_json_ctx_push_index (ctx, i);
      JsonObject *object = NULL;
      const char *id = NULL;
      gint64 month = 0, day = 0;
      CpDeadline *deadline;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &object, error) ||
          !cp_json_check_members (ctx, object, deadline_members, error) ||
          !read_id (ctx, object, "id", &id, error) ||
          !cp_json_get_int (ctx, object, "month", TRUE, &month, error) ||
          !cp_json_get_int (ctx, object, "day", TRUE, &day, error))
        goto fail;

      for (guint j = 0; j < self->deadlines->len; j++)
        {
          CpDeadline *other = g_ptr_array_index (self->deadlines, j);

          if (g_str_equal (other->id, id))
            {
              gsize idmark = cp_json_ctx_push_member (ctx, "id");

              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_DUPLICATE_ID,
                                "the deadline id “%s” is used twice", id);
              cp_json_ctx_pop (ctx, idmark);
              goto fail;
            }
        }

      /* 2020 is a leap year, so 29 Feb is accepted. */
      if (month < 1 || month > 12 || day < 1 || day > 31 ||
          !g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, 2020))
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
                            " is not a day of the year (month, day)", month, day);
          goto fail;
        }

      deadline = g_new0 (CpDeadline, 1);
      deadline->id = g_strdup (id);
      deadline->month = (guint) month;
      deadline->day = (guint) day;
      g_ptr_array_add (self->deadlines, deadline);
      if (!read_text (ctx, object, "label", TRUE, &deadline->label, error))
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
read_eligibility (CpTemplate  *self,
                  CpJsonCtx   *ctx,
                  JsonObject  *root,
                  GError     **error)
{
  JsonArray *array = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, root, "eligibility", FALSE, &array, error))
    return FALSE;
  if (array == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "eligibility");
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(GError) local_error = NULL;
      CpText *text = cp_text_new_from_json (json_array_get_element (array, i), &local_error);

      if (text == NULL)
        {
          cp_json_ctx_push_index (ctx, i);
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE, "%s", local_error->message);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      g_ptr_array_add (self->eligibility, text);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static gboolean
read_scoring (CpTemplate  *self,
              CpJsonCtx   *ctx,
              JsonObject  *root,
              GError     **error)
{
  static const char * const scoring_members[] = {
    "sheet", "section", "columns", "owners", "labels", NULL
  };
  static const char * const owner_members[] = {
    "self", "acceptance", "note", "evidence", "review", "sheet", NULL
  };
  static const char * const label_members[] = { "self", "acceptance", NULL };
  JsonObject *object = NULL;
  JsonObject *owners = NULL;
  JsonObject *labels = NULL;
  const char *sheet = NULL;
  const char *section = NULL;
  g_auto(GStrv) columns = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, root, "scoring", FALSE, &object, error))
    return FALSE;
  if (object == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "scoring");
  if (!cp_json_check_members (ctx, object, scoring_members, error) ||
      !read_id (ctx, object, "sheet", &sheet, error) ||
      !cp_json_get_string (ctx, object, "section", TRUE, &section, error) ||
      !read_string_array (ctx, object, "columns", TRUE, &columns, error))
    goto fail;

  self->scoring = g_new0 (CpScoringRef, 1);
  self->scoring->sheet_id = g_strdup (sheet);
  self->scoring->section = g_hash_table_lookup (self->sections_by_id, section);
  if (self->scoring->section == NULL)
    {
      fail_at (ctx, "section", error, CP_JSON_ERROR_INCONSISTENT,
               "the scoring sheet belongs to the section “%s”, which this template does not "
               "have", section);
      goto fail;
    }
  for (guint i = 0; columns[i] != NULL; i++)
    {
      gboolean first = !self->scoring->self && !self->scoring->acceptance;

      if (g_str_equal (columns[i], "self"))
        self->scoring->self = TRUE;
      else if (g_str_equal (columns[i], "acceptance"))
        self->scoring->acceptance = TRUE;
      else
        {
          gsize cmark = cp_json_ctx_push_member (ctx, "columns");

          cp_json_ctx_push_index (ctx, i);
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "unknown column “%s” (use “self” or “acceptance”)", columns[i]);
          cp_json_ctx_pop (ctx, cmark);
          goto fail;
        }
      if (first)
        self->scoring_first = g_str_equal (columns[i], "self") ? CP_SCORE_SELF
                                                               : CP_SCORE_ACCEPTANCE;
    }

  if (!cp_json_get_object (ctx, object, "owners", FALSE, &owners, error) ||
      !cp_json_get_object (ctx, object, "labels", FALSE, &labels, error))
    goto fail;
  if (owners != NULL)
    {
      gsize omark = cp_json_ctx_push_member (ctx, "owners");
      gboolean ok = cp_json_check_members (ctx, owners, owner_members, error) &&
                    read_owner (ctx, owners, "self", &self->scoring->column_owner[CP_SCORE_SELF],
                                error) &&
                    read_owner (ctx, owners, "acceptance",
                                &self->scoring->column_owner[CP_SCORE_ACCEPTANCE], error) &&
                    read_owner (ctx, owners, "note", &self->scoring->note_owner, error) &&
                    read_owner (ctx, owners, "evidence", &self->scoring->evidence_owner, error) &&
                    read_owner (ctx, owners, "review", &self->scoring->review_owner, error) &&
                    read_owner (ctx, owners, "sheet", &self->scoring->sheet_owner, error);

      cp_json_ctx_pop (ctx, omark);
      if (!ok)
        goto fail;
    }
  if (labels != NULL)
    {
      gsize lmark = cp_json_ctx_push_member (ctx, "labels");
      gboolean ok = cp_json_check_members (ctx, labels, label_members, error) &&
                    read_text (ctx, labels, "self", FALSE,
                               &self->scoring->column_label[CP_SCORE_SELF], error) &&
                    read_text (ctx, labels, "acceptance", FALSE,
                               &self->scoring->column_label[CP_SCORE_ACCEPTANCE], error);

      cp_json_ctx_pop (ctx, lmark);
      if (!ok)
        goto fail;
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

/* Ownership: a field's owner is its own, else its group's, else its section's. With a workflow,
 * every value of the kind has an owner; without one, none names an owner. */
static gboolean
resolve_owners (CpTemplate  *self,
                CpJsonCtx   *ctx,
                gboolean     has_workflow,
                GError     **error)
{
  CpScoringRef *scoring = self->scoring;
  gsize mark = cp_json_ctx_push_member (ctx, "sections");

  for (guint i = 0; i < self->sections->len; i++)
    {
      CpSection *section = g_ptr_array_index (self->sections, i);
      gsize imark = cp_json_ctx_push_index (ctx, i);

      if (!has_workflow && section->owner != CP_ROLE_NONE)
        {
          fail_at (ctx, "owner", error, CP_JSON_ERROR_INCONSISTENT,
                   "an “owner” needs the template's “workflow”");
          goto fail;
        }
      cp_json_ctx_push_member (ctx, "fields");
      for (guint j = 0; j < section->fields->len; j++)
        {
          CpField *field = g_ptr_array_index (section->fields, j);
          gsize jmark = cp_json_ctx_push_index (ctx, j);

          for (int k = -1; k < (int) (field->fields != NULL ? field->fields->len : 0); k++)
            {
              CpField *f = k < 0 ? field : g_ptr_array_index (field->fields, k);
              gsize kmark = 0;

              if (k >= 0)
                {
                  kmark = cp_json_ctx_push_member (ctx, "fields");
                  cp_json_ctx_push_index (ctx, (guint) k);
                }
              if (!has_workflow && f->owner != CP_ROLE_NONE)
                {
                  fail_at (ctx, "owner", error, CP_JSON_ERROR_INCONSISTENT,
                           "an “owner” needs the template's “workflow”");
                  goto fail;
                }
              if (f->owner == CP_ROLE_NONE)
                f->owner = k < 0 ? section->owner : field->owner;
              if (has_workflow && f->owner == CP_ROLE_NONE)
                {
                  cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INCONSISTENT,
                                    "the field “%s” has no owner: give it, its group or its "
                                    "section an “owner”", f->path);
                  goto fail;
                }
              if (k >= 0)
                cp_json_ctx_pop (ctx, kmark);
            }
          cp_json_ctx_pop (ctx, jmark);
        }
      cp_json_ctx_pop (ctx, imark);
    }
  cp_json_ctx_pop (ctx, mark);

  if (scoring == NULL)
    return TRUE;
  mark = cp_json_ctx_push_member (ctx, "scoring");
  if (!has_workflow)
    {
      if (scoring->column_owner[CP_SCORE_SELF] != CP_ROLE_NONE ||
          scoring->column_owner[CP_SCORE_ACCEPTANCE] != CP_ROLE_NONE ||
          scoring->note_owner != CP_ROLE_NONE || scoring->evidence_owner != CP_ROLE_NONE ||
          scoring->review_owner != CP_ROLE_NONE || scoring->sheet_owner != CP_ROLE_NONE)
        {
          fail_at (ctx, "owners", error, CP_JSON_ERROR_INCONSISTENT,
                   "“owners” need the template's “workflow”");
          goto fail;
        }
      cp_json_ctx_pop (ctx, mark);
      return TRUE;
    }
  if ((scoring->self && scoring->column_owner[CP_SCORE_SELF] == CP_ROLE_NONE) ||
      (scoring->acceptance && scoring->column_owner[CP_SCORE_ACCEPTANCE] == CP_ROLE_NONE))
    {
      fail_at (ctx, "owners", error, CP_JSON_ERROR_INCONSISTENT,
               "every column in “columns” needs an owner (“owners”: { \"%s\": role })",
               scoring->self && scoring->column_owner[CP_SCORE_SELF] == CP_ROLE_NONE
               ? "self" : "acceptance");
      goto fail;
    }
  /* Notes, evidence and the review clock go with the first column the kind requires (the sheet
   * reference with the creator: read_workflow()). */
  if (scoring->note_owner == CP_ROLE_NONE)
    scoring->note_owner = scoring->column_owner[self->scoring_first];
  if (scoring->evidence_owner == CP_ROLE_NONE)
    scoring->evidence_owner = scoring->column_owner[self->scoring_first];
  if (scoring->review_owner == CP_ROLE_NONE)
    scoring->review_owner = scoring->column_owner[self->scoring_first];
  cp_json_ctx_pop (ctx, mark);
  return TRUE;

fail:
  cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

/* Identity: a field that repeats another names a top-level field of another section, of the
 * same type and owner, that repeats nothing itself; a choice filled from a credit code's
 * division names a top-level uscc field and has options with divisions; a field that holds an
 * agency's account value belongs to an agency. */
static gboolean
resolve_identity (CpTemplate  *self,
                  CpJsonCtx   *ctx,
                  GError     **error)
{
  gsize mark = cp_json_ctx_push_member (ctx, "sections");

  for (guint i = 0; i < self->sections->len; i++)
    {
      CpSection *section = g_ptr_array_index (self->sections, i);
      gsize imark = cp_json_ctx_push_index (ctx, i);

      cp_json_ctx_push_member (ctx, "fields");
      for (guint j = 0; j < section->fields->len; j++)
        {
          CpField *field = g_ptr_array_index (section->fields, j);
          gsize jmark = cp_json_ctx_push_index (ctx, j);

          if (field->repeats_ref != NULL)
            {
              const CpField *source = g_hash_table_lookup (self->fields_by_path,
                                                           field->repeats_ref);

              if (source == NULL || source->parent != NULL)
                {
                  fail_at (ctx, "repeats", error, CP_JSON_ERROR_INCONSISTENT,
                           "the template has no top-level field “%s” (write “section.field”)",
                           field->repeats_ref);
                  goto fail;
                }
              if (source->section == field->section || source->repeats_ref != NULL ||
                  source->type != field->type || source->owner != field->owner)
                {
                  fail_at (ctx, "repeats", error, CP_JSON_ERROR_INCONSISTENT,
                           "“%s” can only repeat a field of another section, of the same type "
                           "and owner, that repeats nothing itself; “%s” is not one",
                           field->path, source->path);
                  goto fail;
                }
              field->repeats = source;
            }
          if (field->division_ref != NULL)
            {
              const CpField *code = g_hash_table_lookup (self->fields_by_path,
                                                         field->division_ref);
              gboolean any = FALSE;

              if (code == NULL || code->parent != NULL || code->type != CP_FIELD_USCC)
                {
                  fail_at (ctx, "division_of", error, CP_JSON_ERROR_INCONSISTENT,
                           "“division_of” names a top-level uscc field; “%s” is not one",
                           field->division_ref);
                  goto fail;
                }
              for (guint k = 0; k < field->options->len && !any; k++)
                any = ((CpChoiceOption *) g_ptr_array_index (field->options, k))->divisions
                      != NULL;
              if (!any)
                {
                  fail_at (ctx, "division_of", error, CP_JSON_ERROR_INCONSISTENT,
                           "no option of “%s” has “divisions”", field->path);
                  goto fail;
                }
              field->division_of = code;
            }
          if (field->account != CP_ACCOUNT_NONE &&
              field->owner != CP_ROLE_COACHING_AGENCY &&
              field->owner != CP_ROLE_EVALUATING_AGENCY)
            {
              fail_at (ctx, "account", error, CP_JSON_ERROR_INCONSISTENT,
                       "a field that holds the agency's account value belongs to the coaching "
                       "or the evaluating agency (its “owner”)");
              goto fail;
            }
          cp_json_ctx_pop (ctx, jmark);
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
read_workflow (CpTemplate  *self,
               CpJsonCtx   *ctx,
               JsonObject  *root,
               GError     **error)
{
  JsonObject *object = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, root, "workflow", FALSE, &object, error))
    return FALSE;
  if (!resolve_owners (self, ctx, object != NULL, error))
    return FALSE;
  if (object == NULL)
    return TRUE;
  mark = cp_json_ctx_push_member (ctx, "workflow");
  self->workflow = cp_workflow_read (self, ctx, object, error);
  cp_json_ctx_pop (ctx, mark);
  if (self->workflow == NULL)
    return FALSE;
  /* The packet is scored on the sheet (and version) it was made with, by its creator. */
  if (self->scoring != NULL && self->scoring->sheet_owner == CP_ROLE_NONE)
    self->scoring->sheet_owner = cp_workflow_get_creator (self->workflow);
  return TRUE;
}

static gboolean
version_is_valid (const char *version)
{
  if (version == NULL || *version == '\0' || strlen (version) > 32)
    return FALSE;
  for (const char *p = version; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
        return FALSE;
    }
  return TRUE;
}

static gboolean
cp_template_load (CpTemplate  *self,
                  CpJsonCtx   *ctx,
                  JsonNode    *root,
                  GError     **error)
{
  static const char * const top_members[] = {
    "format", "type", "id", "version", "title", "description", "campaign", "deadlines",
    "eligibility", "scoring", "sections", "rules", "workflow", NULL
  };
  JsonObject *object = NULL;
  gint64 format = 0;
  const char *type = NULL;
  const char *id = NULL;
  const char *version = NULL;

  if (!cp_json_require_object (ctx, root, &object, error) ||
      !cp_json_get_int (ctx, object, "format", TRUE, &format, error))
    return FALSE;
  if (format != CP_TEMPLATE_FORMAT)
    return fail_at (ctx, "format", error, CP_JSON_ERROR_UNSUPPORTED,
                    "this program reads template format 1 only; update the program");
  if (!cp_json_get_string (ctx, object, "type", TRUE, &type, error))
    return FALSE;
  if (!g_str_equal (type, "packet-kind"))
    return fail_at (ctx, "type", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a packet kind has the type “packet-kind”");
  if (!cp_json_check_members (ctx, object, top_members, error) ||
      !read_id (ctx, object, "id", &id, error) ||
      !cp_json_get_string (ctx, object, "version", TRUE, &version, error))
    return FALSE;
  if (!version_is_valid (version))
    return fail_at (ctx, "version", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a version is made of digits, letters, “.” and “-” (“2020.1”)");

  self->id = g_strdup (id);
  self->version = g_strdup (version);

  return read_text (ctx, object, "title", TRUE, &self->title, error) &&
         read_text (ctx, object, "description", FALSE, &self->description, error) &&
         read_campaign (self, ctx, object, error) &&
         read_deadlines (self, ctx, object, error) &&
         read_eligibility (self, ctx, object, error) &&
         read_sections (self, ctx, object, error) &&
         read_scoring (self, ctx, object, error) &&
         read_rules (self, ctx, object, error) &&
         read_workflow (self, ctx, object, error) &&
         resolve_identity (self, ctx, error);
}

/* GObject. */

static void
cp_template_finalize (GObject *object)
{
  CpTemplate *self = (CpTemplate *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->title, cp_text_unref);
  g_clear_pointer (&self->description, cp_text_unref);
  g_clear_pointer (&self->campaign, cp_text_unref);
  g_clear_pointer (&self->deadlines, g_ptr_array_unref);
  g_clear_pointer (&self->eligibility, g_ptr_array_unref);
  g_clear_pointer (&self->scoring, cp_scoring_ref_free);
  g_clear_pointer (&self->rules_by_id, g_hash_table_unref);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->fields_by_path, g_hash_table_unref);
  g_clear_pointer (&self->sections_by_id, g_hash_table_unref);
  g_clear_pointer (&self->workflow, cp_workflow_free);
  g_clear_pointer (&self->sections, g_ptr_array_unref);
  g_clear_pointer (&self->json, json_node_unref);

  G_OBJECT_CLASS (cp_template_parent_class)->finalize (object);
}

static void
cp_template_class_init (CpTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_template_finalize;
}

static void
cp_template_init (CpTemplate *self)
{
  self->deadlines = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_deadline_free);
  self->eligibility = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_text_unref);
  self->sections = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_section_free);
  self->sections_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->fields_by_path = g_hash_table_new (g_str_hash, g_str_equal);
  self->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_rule_free);
  self->rules_by_id = g_hash_table_new (g_str_hash, g_str_equal);
}

/* Public API. */

CpTemplate *
cp_template_new_from_json (JsonNode    *root,
                           const char  *origin,
                           GError     **error)
{
  g_autoptr(CpTemplate) self = NULL;
  CpJsonCtx ctx;
  gboolean ok;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CP_TYPE_TEMPLATE, NULL);
  cp_json_ctx_init (&ctx, origin);
  self->origin = g_strdup (ctx.origin);
  ok = cp_template_load (self, &ctx, root, error);
  cp_json_ctx_clear (&ctx);
  if (!ok)
    return NULL;

  self->json = json_node_copy (root);
  return g_steal_pointer (&self);
}

CpTemplate *
cp_template_new_from_data (const char  *data,
                           gssize       length,
                           const char  *origin,
                           GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  root = cp_json_parse (data, length, CP_TEMPLATE_MAX_SIZE, origin, error);
  if (root == NULL)
    return NULL;
  return cp_template_new_from_json (root, origin, error);
}

CpTemplate *
cp_template_new_from_file (const char  *path,
                           GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  display = g_filename_display_name (path);
  return cp_template_new_from_data (contents, (gssize) length, display, error);
}

const char *
cp_template_get_id (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->id;
}

const char *
cp_template_get_version (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->version;
}

const char *
cp_template_get_origin (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->origin;
}

const CpText *
cp_template_get_title (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->title;
}

const CpText *
cp_template_get_description (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->description;
}

int
cp_template_get_year (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), 0);
  return self->year;
}

const CpText *
cp_template_get_campaign (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->campaign;
}

GPtrArray *
cp_template_get_deadlines (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->deadlines;
}

GPtrArray *
cp_template_get_eligibility (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->eligibility;
}

const CpScoringRef *
cp_template_get_scoring (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->scoring;
}

const CpText *
cp_template_get_column_label (CpTemplate    *self,
                              CpScoreColumn  column)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (column == CP_SCORE_SELF || column == CP_SCORE_ACCEPTANCE, NULL);

  return self->scoring != NULL ? self->scoring->column_label[column] : NULL;
}

const CpWorkflow *
cp_template_get_workflow (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->workflow;
}

GPtrArray *
cp_template_get_sections (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->sections;
}

guint
cp_template_get_n_sections (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), 0);
  return self->sections->len;
}

const CpSection *
cp_template_get_section (CpTemplate *self,
                         guint       index)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (index < self->sections->len, NULL);
  return g_ptr_array_index (self->sections, index);
}

const CpSection *
cp_template_lookup_section (CpTemplate *self,
                            const char *section_id)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (section_id != NULL, NULL);
  return g_hash_table_lookup (self->sections_by_id, section_id);
}

const CpField *
cp_template_lookup_field (CpTemplate *self,
                          const char *path)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);
  return g_hash_table_lookup (self->fields_by_path, path);
}

GPtrArray *
cp_template_get_rules (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->rules;
}

const CpRule *
cp_template_lookup_rule (CpTemplate *self,
                         const char *rule_id)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  g_return_val_if_fail (rule_id != NULL, NULL);
  return g_hash_table_lookup (self->rules_by_id, rule_id);
}

JsonNode *
cp_template_get_json (CpTemplate *self)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (self), NULL);
  return self->json;
}

const CpChoiceOption *
cp_field_lookup_option (const CpField *field,
                        const char    *option_id)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (field->options == NULL || option_id == NULL)
    return NULL;
  for (guint i = 0; i < field->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (field->options, i);

      if (g_str_equal (option->id, option_id))
        return option;
    }
  return NULL;
}

const CpField *
cp_field_lookup_subfield (const CpField *field,
                          const char    *field_id)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (field->field_index == NULL || field_id == NULL)
    return NULL;
  return g_hash_table_lookup (field->field_index, field_id);
}

const CpField *
cp_section_lookup_field (const CpSection *section,
                         const char      *field_id)
{
  g_return_val_if_fail (section != NULL, NULL);

  if (field_id == NULL)
    return NULL;
  return g_hash_table_lookup (section->field_index, field_id);
}

int
cp_template_version_compare (const char *a,
                             const char *b)
{
  const char *pa = a, *pb = b;

  g_return_val_if_fail (a != NULL && b != NULL, 0);

  while (*pa != '\0' || *pb != '\0')
    {
      if (g_ascii_isdigit (*pa) && g_ascii_isdigit (*pb))
        {
          char *ea, *eb;
          guint64 na = g_ascii_strtoull (pa, &ea, 10);
          guint64 nb = g_ascii_strtoull (pb, &eb, 10);

          if (na != nb)
            return na < nb ? -1 : 1;
          pa = ea;
          pb = eb;
        }
      else if (*pa == '\0')
        return -1;
      else if (*pb == '\0')
        return 1;
      else if (*pa != *pb)
        {
          /* A numeric component sorts after a letter one ("2020.1" > "2020.rc"). */
          if (g_ascii_isdigit (*pa))
            return 1;
          if (g_ascii_isdigit (*pb))
            return -1;
          return *pa < *pb ? -1 : 1;
        }
      else
        {
          pa++;
          pb++;
        }
    }
  return 0;
}
