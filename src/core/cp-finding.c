/* cp-finding.c — one thing the validator found wrong or doubtful in a packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-finding.h"

G_DEFINE_BOXED_TYPE (CpFinding, cp_finding, cp_finding_copy, cp_finding_free)

CpFinding *
cp_finding_new (CpSeverity  severity,
                const char *section,
                const char *field,
                const char *code,
                const char *format,
                ...)
{
  CpFinding *finding;
  va_list args;

  g_return_val_if_fail (code != NULL, NULL);
  g_return_val_if_fail (format != NULL, NULL);

  finding = g_new0 (CpFinding, 1);
  finding->severity = severity;
  finding->section = g_strdup (section);
  finding->field = g_strdup (field);
  finding->code = g_strdup (code);

  va_start (args, format);
  finding->message = g_strdup_vprintf (format, args);
  va_end (args);

  return finding;
}

CpFinding *
cp_finding_copy (const CpFinding *finding)
{
  CpFinding *copy;

  g_return_val_if_fail (finding != NULL, NULL);

  copy = g_new0 (CpFinding, 1);
  copy->severity = finding->severity;
  copy->section = g_strdup (finding->section);
  copy->field = g_strdup (finding->field);
  copy->code = g_strdup (finding->code);
  copy->message = g_strdup (finding->message);
  return copy;
}

void
cp_finding_free (CpFinding *finding)
{
  if (finding == NULL)
    return;

  g_free (finding->section);
  g_free (finding->field);
  g_free (finding->code);
  g_free (finding->message);
  g_free (finding);
}

const char *
cp_severity_to_string (CpSeverity severity)
{
  switch (severity)
    {
    case CP_SEVERITY_ERROR:
      return "error";
    case CP_SEVERITY_WARNING:
      return "warning";
    default:
      g_return_val_if_reached ("error");
    }
}

JsonNode *
cp_finding_to_json (const CpFinding *finding)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();

  g_return_val_if_fail (finding != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "severity");
  json_builder_add_string_value (builder, cp_severity_to_string (finding->severity));
  json_builder_set_member_name (builder, "section");
  if (finding->section != NULL)
    json_builder_add_string_value (builder, finding->section);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "field");
  if (finding->field != NULL)
    json_builder_add_string_value (builder, finding->field);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "code");
  json_builder_add_string_value (builder, finding->code);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, finding->message);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

static gboolean
get_optional_string (JsonObject  *object,
                     const char  *member,
                     gboolean     required,
                     char       **out,
                     GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "a finding needs the member “%s”", member);
          return FALSE;
        }
      *out = NULL;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the member “%s” of a finding must be a string", member);
      return FALSE;
    }

  *out = g_strdup (json_node_get_string (node));
  return TRUE;
}

CpFinding *
cp_finding_new_from_json (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(CpFinding) finding = NULL;
  g_autofree char *severity = NULL;
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "a finding must be a JSON object");
      return NULL;
    }

  object = json_node_get_object (node);
  finding = g_new0 (CpFinding, 1);

  if (!get_optional_string (object, "severity", TRUE, &severity, error) ||
      !get_optional_string (object, "section", FALSE, &finding->section, error) ||
      !get_optional_string (object, "field", FALSE, &finding->field, error) ||
      !get_optional_string (object, "code", TRUE, &finding->code, error) ||
      !get_optional_string (object, "message", TRUE, &finding->message, error))
    return NULL;

  if (g_str_equal (severity, "error"))
    finding->severity = CP_SEVERITY_ERROR;
  else if (g_str_equal (severity, "warning"))
    finding->severity = CP_SEVERITY_WARNING;
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "“%s” is not a severity (error or warning)", severity);
      return NULL;
    }

  return g_steal_pointer (&finding);
}

guint
cp_findings_count (GPtrArray  *findings,
                   CpSeverity  severity)
{
  guint n = 0;

  g_return_val_if_fail (findings != NULL, 0);

  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *finding = g_ptr_array_index (findings, i);

      if (finding->severity == severity)
        n++;
    }

  return n;
}

JsonNode *
cp_findings_to_json (GPtrArray *findings)
{
  g_autoptr(JsonArray) array = NULL;
  JsonNode *node;

  g_return_val_if_fail (findings != NULL, NULL);

  array = json_array_sized_new (findings->len);
  for (guint i = 0; i < findings->len; i++)
    json_array_add_element (array, cp_finding_to_json (g_ptr_array_index (findings, i)));

  node = json_node_alloc ();
  json_node_init_array (node, array);
  return node;
}
