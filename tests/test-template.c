/* test-template.c — packet-kind templates and the registry
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-json-private.h"
#include "cp-template-registry.h"
#include "cp-template.h"

static char *
fixture (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "kinds", name, NULL);
}

static void
assert_sections (CpTemplate         *tpl,
                 const char * const *ids)
{
  guint n = g_strv_length ((char **) ids);

  g_assert_cmpuint (cp_template_get_n_sections (tpl), ==, n);
  for (guint i = 0; i < n; i++)
    {
      const CpSection *section = cp_template_get_section (tpl, i);

      g_assert_cmpstr (section->id, ==, ids[i]);
      g_assert_cmpuint (section->index, ==, i);
      g_assert_true (cp_template_lookup_section (tpl, ids[i]) == section);
    }
}

static void
test_shipped_load (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GPtrArray) sheets = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (registry);

  kinds = cp_template_registry_list_kinds (registry);
  g_assert_cmpuint (kinds->len, ==, 4);
  /* Sorted by id. */
  g_assert_cmpstr (cp_template_get_id (g_ptr_array_index (kinds, 0)), ==, "city-demonstration");
  g_assert_cmpstr (cp_template_get_id (g_ptr_array_index (kinds, 1)), ==, "demonstration-review");
  g_assert_cmpstr (cp_template_get_id (g_ptr_array_index (kinds, 2)), ==,
                   "provincial-recommendation");
  g_assert_cmpstr (cp_template_get_id (g_ptr_array_index (kinds, 3)), ==,
                   "standardization-acceptance");

  sheets = cp_template_registry_list_sheets (registry);
  g_assert_cmpuint (sheets->len, ==, 2);
  g_assert_nonnull (cp_template_registry_lookup_sheet (registry, "jiangsu-2019"));
  g_assert_nonnull (cp_template_registry_lookup_sheet (registry, "anhui-2016"));
  g_assert_null (cp_template_registry_lookup_kind (registry, "no-such-kind"));
}

static void
test_shipped_binder_order (void)
{
  static const char * const standardization[] = {
    "cover", "eligibility", "credit-report", "work-summary", "internal-assessment",
    "commitment", "evidence", NULL
  };
  static const char * const city[] = {
    "cover", "contents", "contract", "field-survey", "internal-assessment", "work-plan",
    "evaluation", "application-form", "credit-report", "commitment", "scoring", NULL
  };
  static const char * const provincial[] = {
    "cover", "city-recognition", "credit-check", "credit-report", "application-form",
    "coaching", "commitment", "scoring", NULL
  };
  static const char * const review[] = {
    "cover", "recognition", "financial-statements", "on-site", "review-report", "scoring", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  CpTemplate *tpl;

  g_assert_no_error (error);

  tpl = cp_template_registry_lookup_kind (registry, "standardization-acceptance");
  assert_sections (tpl, standardization);
  tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  assert_sections (tpl, city);
  /* The table of contents is generated: a section without fields. */
  g_assert_true (cp_template_lookup_section (tpl, "contents")->generated);
  g_assert_cmpuint (cp_template_lookup_section (tpl, "contents")->fields->len, ==, 0);
  tpl = cp_template_registry_lookup_kind (registry, "provincial-recommendation");
  assert_sections (tpl, provincial);
  tpl = cp_template_registry_lookup_kind (registry, "demonstration-review");
  assert_sections (tpl, review);
}

static void
test_shipped_city_details (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  const CpField *field;
  const CpRule *rule;
  const CpScoringRef *scoring;
  const CpDeadline *deadline;

  g_assert_no_error (error);
  g_assert_cmpstr (cp_template_get_version (tpl), ==, "2020.1");
  g_assert_cmpint (cp_template_get_year (tpl), ==, 2020);
  g_assert_cmpstr (cp_text_get_for (cp_template_get_title (tpl), "zh_CN"), ==, "市级示范企业申报");
  g_assert_cmpstr (cp_text_get_for (cp_template_lookup_section (tpl, "field-survey")->title,
                                    "zh_CN"), ==, "现场调查报告及现场调查回执");

  /* Deadlines of the 2020 plan: applicant list by 30 Apr, on-site evaluation by 30 Sep. */
  g_assert_cmpuint (cp_template_get_deadlines (tpl)->len, ==, 2);
  deadline = g_ptr_array_index (cp_template_get_deadlines (tpl), 1);
  g_assert_cmpuint (deadline->month, ==, 9);
  g_assert_cmpuint (deadline->day, ==, 30);
  g_assert_cmpuint (cp_template_get_eligibility (tpl)->len, ==, 3);

  scoring = cp_template_get_scoring (tpl);
  g_assert_nonnull (scoring);
  g_assert_cmpstr (scoring->sheet_id, ==, "jiangsu-2019");
  g_assert_cmpstr (scoring->section->id, ==, "scoring");
  g_assert_true (scoring->acceptance);
  g_assert_false (scoring->self);

  field = cp_template_lookup_field (tpl, "contract.end_date");
  g_assert_nonnull (field);
  g_assert_cmpint (field->type, ==, CP_FIELD_DATE);
  g_assert_true (field->required);
  g_assert_cmpstr (field->path, ==, "contract.end_date");

  field = cp_template_lookup_field (tpl, "contract.district_stamp");
  g_assert_cmpint (field->type, ==, CP_FIELD_SIGNATURE);
  g_assert_true (field->stamp);
  g_assert_cmpstr (field->role, ==, "district-office");

  field = cp_template_lookup_field (tpl, "field-survey.head_signature");
  g_assert_false (field->stamp);
  g_assert_cmpstr (field->role, ==, "enterprise-head");

  field = cp_template_lookup_field (tpl, "application-form.district_stamp");
  g_assert_true (field->stamp);

  field = cp_template_lookup_field (tpl, "field-survey.surveyors.certificate_number");
  g_assert_nonnull (field);
  g_assert_cmpstr (field->parent->id, ==, "surveyors");

  field = cp_template_lookup_field (tpl, "application-form.economics");
  g_assert_cmpint (field->type, ==, CP_FIELD_GROUP);
  g_assert_cmpuint (field->min_items, ==, 3);
  g_assert_cmpuint (field->max_items, ==, 3);
  g_assert_cmpstr (cp_field_lookup_subfield (field, "total_assets")->unit, ==, "万元");

  g_assert_null (cp_template_lookup_field (tpl, "contract.nothing"));
  g_assert_null (cp_template_lookup_field (tpl, "contract"));

  rule = cp_template_lookup_rule (tpl, "contract-six-months");
  g_assert_nonnull (rule);
  g_assert_cmpint (rule->type, ==, CP_RULE_MONTHS_BETWEEN);
  g_assert_cmpstr (rule->code, ==, "contract-too-short");
  g_assert_cmpint (rule->min, ==, 6);
  g_assert_cmpuint (rule->fields->len, ==, 2);
  g_assert_true (g_ptr_array_index (rule->fields, 0) ==
                 cp_template_lookup_field (tpl, "contract.start_date"));
}

/* The enterprise-identity block is the same in every kind. */
static void
test_shipped_identity_block (void)
{
  static const char * const ids[] = {
    "enterprise_name", "uscc", "legal_representative", "address", "contact_person", "phone",
    "district", NULL
  };
  static const CpFieldType types[] = {
    CP_FIELD_TEXT, CP_FIELD_USCC, CP_FIELD_TEXT, CP_FIELD_TEXT, CP_FIELD_TEXT, CP_FIELD_PHONE,
    CP_FIELD_CHOICE,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  g_autoptr(GPtrArray) kinds = cp_template_registry_list_kinds (registry);

  for (guint k = 0; k < kinds->len; k++)
    {
      CpTemplate *tpl = g_ptr_array_index (kinds, k);
      const CpSection *cover = cp_template_get_section (tpl, 0);

      g_assert_cmpstr (cover->id, ==, "cover");
      g_assert_cmpuint (cover->fields->len, ==, G_N_ELEMENTS (types));
      for (guint i = 0; ids[i] != NULL; i++)
        {
          const CpField *field = g_ptr_array_index (cover->fields, i);

          g_assert_cmpstr (field->id, ==, ids[i]);
          g_assert_cmpint (field->type, ==, types[i]);
          g_assert_true (field->required);
        }
    }
}

typedef struct
{
  const char  *file;
  CpJsonError  code;
  const char  *path;
  const char  *words;
} BadCase;

static const BadCase bad_cases[] = {
  { "bad-missing-member.json", CP_JSON_ERROR_MISSING_MEMBER, ": $: ", "“title” is missing" },
  { "bad-wrong-type.json", CP_JSON_ERROR_WRONG_TYPE, "$.sections[0].fields[0].required",
    "true or false" },
  { "bad-unknown-member.json", CP_JSON_ERROR_UNKNOWN_MEMBER, "$.sections[0].fields[1].colour",
    "unknown member" },
  { "bad-unknown-field-type.json", CP_JSON_ERROR_INVALID_VALUE, "$.sections[0].fields[0].type",
    "unknown field type “colour”" },
  { "bad-rule-unknown-field.json", CP_JSON_ERROR_INCONSISTENT, "$.rules[0].from",
    "“contract.begin”" },
  { "bad-rule-unknown-section.json", CP_JSON_ERROR_INCONSISTENT, "$.rules[0].section",
    "“nowhere”" },
  { "bad-rule-wrong-field-type.json", CP_JSON_ERROR_INCONSISTENT, "$.rules[0].from",
    "needs a date field" },
  { "bad-unknown-rule-type.json", CP_JSON_ERROR_INVALID_VALUE, "$.rules[0].type",
    "unknown rule type “moon-phase”" },
  { "bad-duplicate-section.json", CP_JSON_ERROR_DUPLICATE_ID, "$.sections[1].id",
    "section id “contract” is used twice" },
  { "bad-duplicate-field.json", CP_JSON_ERROR_DUPLICATE_ID, "$.sections[0].fields[2].id",
    "field id “start” is used twice" },
  { "bad-duplicate-rule.json", CP_JSON_ERROR_DUPLICATE_ID, "$.rules[1].id",
    "rule id “six” is used twice" },
  { "bad-regex.json", CP_JSON_ERROR_INVALID_VALUE, "$.sections[0].fields[0].pattern",
    "invalid regular expression" },
  { "bad-group-without-fields.json", CP_JSON_ERROR_MISSING_MEMBER, "$.sections[0].fields[3]: ",
    "needs sub-fields" },
  { "bad-group-empty-fields.json", CP_JSON_ERROR_INVALID_VALUE, "$.sections[0].fields[3].fields",
    "at least one sub-field" },
  { "bad-scoring-unknown-section.json", CP_JSON_ERROR_INCONSISTENT, "$.scoring.section",
    "“nowhere”" },
  { "bad-unsupported-format.json", CP_JSON_ERROR_UNSUPPORTED, "$.format", "format 1" },
  { "bad-not-json.json", CP_JSON_ERROR_SYNTAX, "", "not valid JSON" },
};

static void
test_malformed (gconstpointer data)
{
  const BadCase *bad = data;
  g_autofree char *path = fixture (bad->file);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplate) tpl = cp_template_new_from_file (path, &error);
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new ();

  g_assert_null (tpl);
  g_assert_error (error, CP_JSON_ERROR, (int) bad->code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, bad->file));
  g_assert_nonnull (strstr (error->message, bad->path));
  g_assert_nonnull (strstr (error->message, bad->words));

  /* The registry refuses it the same way. */
  g_clear_error (&error);
  g_assert_false (cp_template_registry_load_file (registry, path, &error));
  g_assert_error (error, CP_JSON_ERROR, (int) bad->code);
  g_assert_nonnull (strstr (error->message, bad->path));
  g_assert_null (cp_template_registry_lookup_kind (registry, "test-kind"));
}

static void
test_unknown_sheet (void)
{
  g_autofree char *path = fixture ("bad-unknown-sheet.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new ();
  g_autoptr(CpTemplate) tpl = NULL;

  /* The template itself is well formed... */
  tpl = cp_template_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_template_get_scoring (tpl)->sheet_id, ==, "no-such-sheet");

  /* ...but the registry does not take a kind whose sheet it has not loaded. */
  g_assert_false (cp_template_registry_load_file (registry, path, &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INCONSISTENT);
  g_assert_nonnull (strstr (error->message, "bad-unknown-sheet.json"));
  g_assert_nonnull (strstr (error->message, "$.scoring.sheet"));
  g_assert_nonnull (strstr (error->message, "“no-such-sheet” is not loaded"));
  g_assert_null (cp_template_registry_lookup_kind (registry, "test-kind"));
}

static void
test_good_minimal (void)
{
  g_autofree char *path = fixture ("good-minimal.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplate) tpl = cp_template_new_from_file (path, &error);
  const CpField *number;

  g_assert_no_error (error);
  g_assert_cmpstr (cp_template_get_id (tpl), ==, "test-kind");
  g_assert_cmpstr (cp_template_get_version (tpl), ==, "1");
  g_assert_nonnull (strstr (cp_template_get_origin (tpl), "good-minimal.json"));
  g_assert_null (cp_template_get_scoring (tpl));

  /* Patterns are compiled at load and match the whole value. */
  number = cp_template_lookup_field (tpl, "contract.number");
  g_assert_nonnull (number->regex);
  g_assert_true (g_regex_match (number->regex, "AB-1234", 0, NULL));
  g_assert_false (g_regex_match (number->regex, "AB-12345", 0, NULL));
  g_assert_false (g_regex_match (number->regex, "xAB-1234", 0, NULL));

  /* The document is kept for publishing. */
  g_assert_true (JSON_NODE_HOLDS_OBJECT (cp_template_get_json (tpl)));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (cp_template_get_json (tpl)),
                                                  "id"), ==, "test-kind");
  g_assert_finalize_object (g_steal_pointer (&tpl));
}

static void
test_registry_versions (void)
{
  g_autofree char *v1 = fixture ("good-minimal.json");
  g_autofree char *v2 = fixture ("good-minimal-v2.json");
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new ();
  g_autoptr(GPtrArray) kinds = NULL;

  g_assert_null (cp_template_registry_lookup_kind (registry, "test-kind"));

  g_assert_true (cp_template_registry_load_file (registry, v1, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind (registry, "test-kind")),
                   ==, "1");

  /* A newer version replaces the older one for lookups and lists... */
  g_assert_true (cp_template_registry_load_file (registry, v2, &error));
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind (registry, "test-kind")),
                   ==, "2");
  /* ...loading the older one again does not bring it back... */
  g_assert_true (cp_template_registry_load_file (registry, v1, &error));
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind (registry, "test-kind")),
                   ==, "2");
  kinds = cp_template_registry_list_kinds (registry);
  g_assert_cmpuint (kinds->len, ==, 1);
  g_assert_cmpstr (cp_template_get_version (g_ptr_array_index (kinds, 0)), ==, "2");
  /* ...and packets made with version 1 still find it. */
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind_version (registry,
                                                                                     "test-kind",
                                                                                     "1")),
                   ==, "1");
  g_assert_null (cp_template_registry_lookup_kind_version (registry, "test-kind", "3"));
}

static void
test_registry_data_and_types (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new ();

  g_assert_false (cp_template_registry_load_data (registry, "{\"type\": \"recipe\"}", -1,
                                                  "recipe.json", &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE);
  g_assert_nonnull (strstr (error->message, "recipe.json: $.type:"));
  g_clear_error (&error);

  g_assert_false (cp_template_registry_load_data (registry, "[1, 2]", -1, "list.json", &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_WRONG_TYPE);
  g_clear_error (&error);

  g_assert_false (cp_template_registry_load_data (registry, "{}", -1, "empty.json", &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_MISSING_MEMBER);
}

static void
test_registry_directory (void)
{
  g_autofree char *dir = fixture ("dir");
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new ();
  CpTemplate *tpl;

  /* a-scored-kind.json sorts before z-tiny-sheet.json, which it needs. */
  g_assert_true (cp_template_registry_load_directory (registry, dir, &error));
  g_assert_no_error (error);
  tpl = cp_template_registry_lookup_kind (registry, "a-scored-kind");
  g_assert_nonnull (tpl);
  g_assert_nonnull (cp_template_registry_lookup_sheet (registry, "tiny-sheet"));
  g_assert_cmpstr (cp_template_get_scoring (tpl)->section->id, ==, "other");
}

static void
test_version_compare (void)
{
  g_assert_cmpint (cp_template_version_compare ("2020.1", "2020.1"), ==, 0);
  g_assert_cmpint (cp_template_version_compare ("2020.1", "2020.2"), <, 0);
  g_assert_cmpint (cp_template_version_compare ("2020.10", "2020.9"), >, 0);
  g_assert_cmpint (cp_template_version_compare ("2021", "2020.5"), >, 0);
  g_assert_cmpint (cp_template_version_compare ("2020", "2020.1"), <, 0);
  g_assert_cmpint (cp_template_version_compare ("1", "2"), <, 0);
}

static void
test_type_names (void)
{
  CpFieldType type;
  CpRuleType rule;

  for (guint i = CP_FIELD_TEXT; i <= CP_FIELD_SIGNATURE; i++)
    {
      g_assert_true (cp_field_type_from_string (cp_field_type_to_string (i), &type));
      g_assert_cmpint (type, ==, i);
    }
  g_assert_false (cp_field_type_from_string ("colour", &type));
  g_assert_true (cp_rule_type_from_string ("valid-on-submission", &rule));
  g_assert_cmpint (rule, ==, CP_RULE_VALID_ON_SUBMISSION);
  g_assert_false (cp_rule_type_from_string ("moon-phase", &rule));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/template/shipped/load", test_shipped_load);
  g_test_add_func ("/template/shipped/binder-order", test_shipped_binder_order);
  g_test_add_func ("/template/shipped/city-details", test_shipped_city_details);
  g_test_add_func ("/template/shipped/identity-block", test_shipped_identity_block);
  g_test_add_func ("/template/good-minimal", test_good_minimal);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/template/malformed/%s", bad_cases[i].file);

      g_test_add_data_func (name, &bad_cases[i], test_malformed);
    }
  g_test_add_func ("/template/malformed/bad-unknown-sheet.json", test_unknown_sheet);
  g_test_add_func ("/template/registry/versions", test_registry_versions);
  g_test_add_func ("/template/registry/data-and-types", test_registry_data_and_types);
  g_test_add_func ("/template/registry/directory", test_registry_directory);
  g_test_add_func ("/template/version-compare", test_version_compare);
  g_test_add_func ("/template/type-names", test_type_names);

  return g_test_run ();
}
