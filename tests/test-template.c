/* test-template.c — packet-kind templates and the registry
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-access.h"
#include "cp-demo.h"
#include "cp-json-private.h"
#include "cp-packet-diff.h"
#include "cp-template-registry.h"
#include "cp-template.h"
#include "cp-validator.h"
#include "cp-workflow.h"

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
  { "bad-rule-division-prefix.json", CP_JSON_ERROR_INVALID_VALUE, "$.rules[0].prefixes[0]",
    "“32x5” is not the start of a division code" },
  /* Ownership and the workflow. */
  { "bad-owner-unknown-role.json", CP_JSON_ERROR_INVALID_VALUE, "$.sections[0].owner",
    "unknown role “bank”" },
  { "bad-owner-missing.json", CP_JSON_ERROR_INCONSISTENT, "$.sections[3].fields[0]: ",
    "“decision.opinion” has no owner" },
  { "bad-owner-without-workflow.json", CP_JSON_ERROR_INCONSISTENT, "$.sections[0].owner",
    "needs the template's “workflow”" },
  { "bad-scoring-owner-missing.json", CP_JSON_ERROR_INCONSISTENT, "$.scoring.owners",
    "\"acceptance\"" },
  { "bad-workflow-unknown-state.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.transitions[0].to", "no state “nowhere”" },
  { "bad-workflow-unknown-role.json", CP_JSON_ERROR_INVALID_VALUE,
    "$.workflow.transitions[0].role", "unknown role “auditor”" },
  { "bad-workflow-writers-unknown-role.json", CP_JSON_ERROR_INVALID_VALUE,
    "$.workflow.states[0].writers.agency", "unknown role “agency”" },
  { "bad-workflow-unknown-section.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.states[0].writers.enterprise[0]", "no section or field “covers”" },
  { "bad-workflow-unknown-field.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.transitions[0].complete.enterprise[0]", "no section or field “cover.nmae”" },
  { "bad-workflow-filled-unknown.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.transitions[4].filled[0]", "the path of a field" },
  { "bad-workflow-owns-nothing.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.states[1].writers.district-office[0]",
    "district-office owns nothing in “cover”" },
  { "bad-workflow-unreachable.json", CP_JSON_ERROR_INCONSISTENT, "$.workflow.states[6]: ",
    "“limbo” cannot be reached from the initial state “draft”" },
  { "bad-workflow-transition-without-role.json", CP_JSON_ERROR_MISSING_MEMBER,
    "$.workflow.transitions[1]: ", "has no “role”" },
  { "bad-workflow-dead-end.json", CP_JSON_ERROR_INCONSISTENT, "$.workflow.states[3]: ",
    "no transition leaves the state “decision”" },
  { "bad-workflow-unknown-deadline.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.states[0].deadline", "no deadline “later”" },
  { "bad-workflow-legacy.json", CP_JSON_ERROR_INCONSISTENT, "$.workflow.from_legacy.accepted",
    "“accepted” cannot become “review”" },
  { "bad-workflow-final-writers.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.states[4].writers", "nobody writes in a final state" },
  { "bad-workflow-no-assignment.json", CP_JSON_ERROR_INCONSISTENT, "$.workflow.states[2]: ",
    "no transition assigns it" },
  { "bad-workflow-initial.json", CP_JSON_ERROR_INCONSISTENT, "$.workflow.initial",
    "no state “start”" },
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


/* Ownership and the workflow of a small kind (tests/data/kinds/good-workflow.json). */

static CpTemplate *
chain_kind (void)
{
  g_autofree char *path = fixture ("good-workflow.json");
  g_autoptr(GError) error = NULL;
  CpTemplate *tpl = cp_template_new_from_file (path, &error);

  g_assert_no_error (error);
  return tpl;
}

static void
test_workflow_good (void)
{
  g_autoptr(CpTemplate) tpl = chain_kind ();
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);
  const CpWorkflowState *draft, *review, *evaluation, *done;
  const CpTransition *approve;
  g_autoptr(GPtrArray) from_review = NULL;
  g_autoptr(GPtrArray) enterprise_in_review = NULL;
  g_autoptr(CpPacket) packet = cp_packet_new ("chain-kind", "1");

  g_assert_nonnull (workflow);
  /* Owners: a field's own, else its group's, else its section's. */
  g_assert_cmpint (cp_template_lookup_section (tpl, "cover")->owner, ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpint (cp_template_lookup_field (tpl, "cover.name")->owner, ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpint (cp_template_lookup_field (tpl, "contract.people")->owner, ==,
                   CP_ROLE_COACHING_AGENCY);
  g_assert_cmpint (cp_template_lookup_field (tpl, "contract.people.name")->owner, ==,
                   CP_ROLE_COACHING_AGENCY);
  g_assert_cmpint (cp_template_lookup_field (tpl, "contract.people.grade")->owner, ==,
                   CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (cp_template_lookup_field (tpl, "contract.stamp")->owner, ==,
                   CP_ROLE_DISTRICT_OFFICE);
  g_assert_cmpint (cp_template_lookup_field (tpl, "decision.opinion")->owner, ==,
                   CP_ROLE_CITY_OFFICE);
  /* Score columns; notes, evidence, review clock and sheet go with the first required
   * column. */
  g_assert_cmpint (scoring->column_owner[CP_SCORE_SELF], ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpint (scoring->column_owner[CP_SCORE_ACCEPTANCE], ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->note_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->evidence_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->review_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->sheet_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpstr (cp_text_get_for (cp_template_get_column_label (tpl, CP_SCORE_ACCEPTANCE),
                                    "zh_CN"), ==, "现场评价认定");
  g_assert_null (cp_template_get_column_label (tpl, CP_SCORE_SELF));

  /* States, in order, with their legacy states and deadlines. */
  g_assert_cmpint (cp_workflow_get_creator (workflow), ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpuint (cp_workflow_get_states (workflow)->len, ==, 6);
  draft = cp_workflow_get_initial (workflow);
  g_assert_cmpstr (draft->id, ==, "draft");
  g_assert_true (cp_workflow_lookup_state (workflow, "draft") == draft);
  g_assert_null (cp_workflow_lookup_state (workflow, "limbo"));
  g_assert_cmpstr (draft->deadline->id, ==, "hand-in");
  review = cp_workflow_lookup_state (workflow, "review");
  evaluation = cp_workflow_lookup_state (workflow, "evaluation");
  done = cp_workflow_lookup_state (workflow, "done");
  g_assert_cmpint (review->legacy, ==, CP_PACKET_STATE_SUBMITTED);
  g_assert_true (done->final);
  g_assert_null (done->deadline);
  g_assert_cmpstr (evaluation->deadline->id, ==, "evaluated");
  g_assert_true (cp_workflow_state_has_writer (draft, CP_ROLE_ENTERPRISE));
  g_assert_true (cp_workflow_state_has_writer (draft, CP_ROLE_COACHING_AGENCY));
  g_assert_false (cp_workflow_state_has_writer (draft, CP_ROLE_DISTRICT_OFFICE));
  g_assert_false (cp_workflow_state_has_writer (done, CP_ROLE_CITY_OFFICE));

  /* The packets made before workflows existed. */
  g_assert_true (cp_workflow_state_from_legacy (workflow, CP_PACKET_STATE_DRAFT) == draft);
  g_assert_true (cp_workflow_state_from_legacy (workflow, CP_PACKET_STATE_READY) == draft);
  g_assert_true (cp_workflow_state_from_legacy (workflow, CP_PACKET_STATE_SUBMITTED) == review);
  g_assert_true (cp_workflow_state_from_legacy (workflow, CP_PACKET_STATE_ACCEPTED) == done);
  g_assert_cmpstr (cp_workflow_state_from_legacy (workflow, CP_PACKET_STATE_RETURNED)->id, ==,
                   "returned");
  cp_packet_set_state (packet, CP_PACKET_STATE_SUBMITTED);
  g_assert_true (cp_workflow_state_for_packet (workflow, packet) == review);

  /* Transitions: which role makes which from which state. */
  g_assert_cmpuint (cp_workflow_get_transitions (workflow)->len, ==, 7);
  from_review = cp_workflow_list_transitions (workflow, CP_ROLE_DISTRICT_OFFICE, "review");
  g_assert_cmpuint (from_review->len, ==, 2);
  g_assert_cmpstr (((CpTransition *) g_ptr_array_index (from_review, 0))->id, ==, "approve");
  g_assert_cmpstr (((CpTransition *) g_ptr_array_index (from_review, 1))->id, ==, "return");
  enterprise_in_review = cp_workflow_list_transitions (workflow, CP_ROLE_ENTERPRISE, "review");
  g_assert_cmpuint (enterprise_in_review->len, ==, 0);
  approve = cp_workflow_lookup_transition (workflow, "review", "approve");
  g_assert_nonnull (approve);
  g_assert_true (approve->from == review);
  g_assert_true (approve->to == evaluation);
  g_assert_cmpint (approve->role, ==, CP_ROLE_DISTRICT_OFFICE);
  g_assert_cmpint (approve->assigns, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_true (approve->complete[CP_ROLE_DISTRICT_OFFICE]->all);
  g_assert_null (approve->complete[CP_ROLE_ENTERPRISE]);
  g_assert_true (cp_workflow_lookup_transition (workflow, "draft", "submit")->submits);
  /* Two transitions may share an id when they leave different states. */
  g_assert_true (cp_workflow_lookup_transition (workflow, "decision", "return")->comment);
  g_assert_cmpstr (cp_workflow_lookup_transition (workflow, "decision", "return")->from->id, ==,
                   "decision");
  g_assert_null (cp_workflow_lookup_transition (workflow, "draft", "approve"));
  g_assert_cmpuint (cp_workflow_lookup_transition (workflow, "decision", "decide")->filled->len,
                    ==, 1);
  g_assert_finalize_object (g_steal_pointer (&tpl));
}

static void
test_roles (void)
{
  CpRole role;

  for (guint r = CP_ROLE_ENTERPRISE; r < CP_N_ROLES; r++)
    {
      g_assert_true (cp_role_from_string (cp_role_to_string (r), &role));
      g_assert_cmpint (role, ==, r);
      g_assert_nonnull (cp_role_get_label (r));
      g_assert_nonnull (cp_role_get_caption (r));
    }
  g_assert_cmpstr (cp_role_to_string (CP_ROLE_DISTRICT_OFFICE), ==, "district-office");
  g_assert_null (cp_role_to_string (CP_ROLE_NONE));
  g_assert_false (cp_role_from_string ("none", &role));
  g_assert_false (cp_role_from_string ("agency", &role));
  g_assert_false (cp_role_from_string ("office", &role));
}

/* The diff of two revisions, as RFC 6901 pointers at the grain ownership is decided on. */
static void
test_diff_pointers (void)
{
  g_autoptr(CpPacket) old = cp_packet_new ("chain-kind", "1");
  g_autoptr(CpPacket) new_packet = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autoptr(GPtrArray) pointers = NULL;
  g_autoptr(GPtrArray) created = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_auto(GStrv) tokens = NULL;
  g_autofree char *escaped = NULL;
  JsonNode *people;
  const char *sha1 = "1111111111111111111111111111111111111111111111111111111111111111";
  const char *sha2 = "2222222222222222222222222222222222222222222222222222222222222222";

  cp_packet_set_string (old, "cover", "name", "苏州甲公司");
  cp_packet_set_string (old, "contract", "number", "AB-1234");
  people = json_from_string ("[{\"name\": \"王芳\", \"grade\": 3}, {\"name\": \"李明\"}]", NULL);
  cp_packet_set_value (old, "contract", "people", people);
  cp_packet_add_attachment (old, "a.pdf", sha1, 10, "application/pdf");
  cp_packet_set_string (old, "contract", "scan", sha1);
  cp_packet_set_score (old, "1.1", CP_SCORE_ACCEPTANCE, 5);
  cp_packet_set_sheet (old, "tiny-sheet", "1");

  new_packet = cp_packet_copy (old);
  none = cp_packet_diff_pointers (old, new_packet);
  g_assert_cmpuint (none->len, ==, 0);

  cp_packet_set_string (new_packet, "cover", "name", "苏州乙公司");
  cp_packet_set_value (new_packet, "contract", "number", NULL);
  people = json_from_string ("[{\"name\": \"王芳\", \"grade\": 4}, {\"name\": \"李明\"},"
                             " {\"name\": \"张伟\"}]", NULL);
  cp_packet_set_value (new_packet, "contract", "people", people);
  cp_packet_add_attachment (new_packet, "b.pdf", sha2, 20, "application/pdf");
  cp_packet_remove_attachment (new_packet, sha1);
  cp_packet_set_score (new_packet, "1.1", CP_SCORE_SELF, 4);
  cp_packet_set_score_note (new_packet, "2.1", "note");
  cp_packet_set_year (new_packet, 2021);
  pointers = cp_packet_diff_pointers (old, new_packet);
  for (guint i = 0; i < pointers->len; i++)
    g_test_message ("%s", (char *) g_ptr_array_index (pointers, i));

  {
    static const char * const expected[] = {
      "/modified", "/year",
      "/sections/contract/number",
      "/sections/contract/people/0/grade",
      "/sections/contract/people/2", "/sections/contract/people/2/name",
      "/sections/cover/name",
      "/attachments/0", "/attachments/0",
      "/scoring/items/1.1/self", "/scoring/items/2.1/note",
    };

    g_assert_cmpuint (pointers->len, ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      g_assert_cmpstr (g_ptr_array_index (pointers, i), ==, expected[i]);
  }
  changes = cp_packet_diff (old, new_packet);
  /* The added file at its new index, the removed one at its old index. */
  g_assert_cmpstr (((CpPacketChange *) g_ptr_array_index (changes, 7))->sha256, ==, sha2);
  g_assert_cmpstr (((CpPacketChange *) g_ptr_array_index (changes, 8))->sha256, ==, sha1);
  g_assert_cmpint (((CpPacketChange *) g_ptr_array_index (changes, 4))->kind, ==,
                   CP_CHANGE_ENTRY);
  g_assert_cmpint (((CpPacketChange *) g_ptr_array_index (changes, 4))->index, ==, 2);
  g_assert_cmpint (((CpPacketChange *) g_ptr_array_index (changes, 3))->kind, ==,
                   CP_CHANGE_ENTRY_VALUE);
  g_assert_cmpstr (((CpPacketChange *) g_ptr_array_index (changes, 3))->member, ==, "grade");
  g_assert_cmpstr (((CpPacketChange *) g_ptr_array_index (changes, 10))->item, ==, "2.1");

  /* Nothing stored yet: every value of the new packet, no header. */
  created = cp_packet_diff_pointers (NULL, old);
  for (guint i = 0; i < created->len; i++)
    g_assert_false (g_str_equal (g_ptr_array_index (created, i), "/year"));
  g_assert_true (g_ptr_array_find_with_equal_func (created, "/sections/contract/people/1/name",
                                                   g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (created, "/scoring/sheet", g_str_equal,
                                                   NULL));

  /* RFC 6901 escapes. */
  escaped = cp_json_pointer_escape ("a/b~c");
  g_assert_cmpstr (escaped, ==, "a~1b~0c");
  tokens = cp_json_pointer_split ("/scoring/items/a~1b~0c/note");
  g_assert_cmpuint (g_strv_length (tokens), ==, 4);
  g_assert_cmpstr (tokens[2], ==, "a/b~c");
  g_clear_pointer (&tokens, g_strfreev);
  tokens = cp_json_pointer_split ("");
  g_assert_cmpuint (g_strv_length (tokens), ==, 0);
  g_assert_null (cp_json_pointer_split ("sections"));
  g_assert_null (cp_json_pointer_split ("/a~2"));
}

static gboolean
refused_only (GPtrArray          *refused,
              const char * const *pointers)
{
  guint n = g_strv_length ((char **) pointers);

  for (guint i = 0; i < refused->len; i++)
    g_test_message ("refused %s", ((CpRefusal *) g_ptr_array_index (refused, i))->pointer);
  if (refused->len != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      if (!g_str_equal (((CpRefusal *) g_ptr_array_index (refused, i))->pointer, pointers[i]))
        return FALSE;
    }
  return TRUE;
}

/* Writes checked against the owner and the state: values, entries, files, header. */
static void
test_check_write (void)
{
  g_autoptr(CpTemplate) tpl = chain_kind ();
  g_autoptr(CpPacket) stored = cp_packet_new ("chain-kind", "1");
  g_autoptr(CpPacket) edit = NULL;
  g_autoptr(GPtrArray) refused = NULL;
  const char *scan = "3333333333333333333333333333333333333333333333333333333333333333";
  const char *other = "4444444444444444444444444444444444444444444444444444444444444444";
  JsonNode *stamp;
  CpRefusal *refusal;

  cp_packet_set_string (stored, "cover", "name", "苏州甲公司");
  cp_packet_add_attachment (stored, "stamp.pdf", scan, 10, "application/pdf");
  {
    g_autofree char *text = g_strdup_printf ("{\"signer\": \"区信用办\", \"role\": "
                                             "\"district-office\", \"date\": \"2020-04-01\", "
                                             "\"scan\": \"%s\"}", scan);

    stamp = json_from_string (text, NULL);
  }
  cp_packet_set_value (stored, "contract", "stamp", stamp);
  cp_packet_set_value (stored, "contract", "people",
                       json_from_string ("[{\"name\": \"王芳\"}]", NULL));

  /* The enterprise fills its cover in the draft, but not the district's stamp. */
  edit = cp_packet_copy (stored);
  cp_packet_set_string (edit, "cover", "name", "苏州乙公司");
  cp_packet_set_string (edit, "cover", "code", "91320506MA1W8XKQ3X");
  {
    JsonNode *changed = json_from_string ("{\"signer\": \"企业\", \"role\": \"district-office\","
                                          " \"date\": \"2020-04-01\"}", NULL);

    cp_packet_set_value (edit, "contract", "stamp", changed);
  }
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, "draft", stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) {
                   "/sections/contract/stamp", NULL }));
  refusal = g_ptr_array_index (refused, 0);
  g_assert_cmpint (refusal->reason, ==, CP_REFUSAL_NOT_OWNER);
  g_assert_cmpint (refusal->owner, ==, CP_ROLE_DISTRICT_OFFICE);
  g_clear_pointer (&refused, g_ptr_array_unref);

  /* The district owns its stamp, but writes it only in review. */
  refused = cp_template_check_write (tpl, CP_ROLE_DISTRICT_OFFICE, "draft", stored, edit);
  g_assert_cmpuint (refused->len, ==, 3);
  g_assert_cmpint (((CpRefusal *) g_ptr_array_index (refused, 0))->reason, ==,
                   CP_REFUSAL_NOT_NOW);
  g_assert_cmpint (((CpRefusal *) g_ptr_array_index (refused, 1))->reason, ==,
                   CP_REFUSAL_NOT_OWNER);
  g_clear_pointer (&refused, g_ptr_array_unref);
  g_clear_object (&edit);

  /* Group entries are the group owner's; a sub-field can belong to another party. */
  edit = cp_packet_copy (stored);
  cp_packet_set_value (edit, "contract", "people",
                       json_from_string ("[{\"name\": \"王芳\", \"grade\": 5},"
                                         " {\"name\": \"李明\"}]", NULL));
  refused = cp_template_check_write (tpl, CP_ROLE_COACHING_AGENCY, "draft", stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) {
                   "/sections/contract/people/0/grade", NULL }));
  g_clear_pointer (&refused, g_ptr_array_unref);
  refused = cp_template_check_write (tpl, CP_ROLE_EVALUATING_AGENCY, "evaluation", stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) {
                   "/sections/contract/people/1", "/sections/contract/people/1/name", NULL }));
  g_clear_pointer (&refused, g_ptr_array_unref);
  g_clear_object (&edit);

  /* Files: anyone who writes now may add one; removing the district's stamp scan is the
   * district's business. */
  edit = cp_packet_copy (stored);
  cp_packet_add_attachment (edit, "scan.pdf", other, 20, "application/pdf");
  cp_packet_set_string (edit, "contract", "scan", other);
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, "draft", stored, edit);
  g_assert_cmpuint (refused->len, ==, 0);
  g_clear_pointer (&refused, g_ptr_array_unref);
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, "review", stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) {
                   "/sections/contract/scan", "/attachments/1", NULL }));
  g_clear_pointer (&refused, g_ptr_array_unref);
  g_assert_true (cp_packet_remove_attachment (edit, scan));
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, "draft", stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) { "/attachments/0", NULL }));
  g_assert_cmpint (((CpRefusal *) g_ptr_array_index (refused, 0))->owner, ==,
                   CP_ROLE_DISTRICT_OFFICE);
  g_clear_pointer (&refused, g_ptr_array_unref);
  g_clear_object (&edit);

  /* The header: draft ↔ ready is the enterprise's flag; a submission is a transition. */
  edit = cp_packet_copy (stored);
  cp_packet_set_state (edit, CP_PACKET_STATE_READY);
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, NULL, stored, edit);
  g_assert_cmpuint (refused->len, ==, 0);
  g_clear_pointer (&refused, g_ptr_array_unref);
  refused = cp_template_check_write (tpl, CP_ROLE_CITY_OFFICE, NULL, stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) { "/state", NULL }));
  g_clear_pointer (&refused, g_ptr_array_unref);
  cp_packet_set_state (edit, CP_PACKET_STATE_SUBMITTED);
  cp_packet_set_submitted_on (edit, "2020-04-20");
  cp_packet_set_year (edit, 2021);
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, NULL, stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) { "/state", "/submitted_on",
                                                                 NULL }));
  g_assert_cmpint (((CpRefusal *) g_ptr_array_index (refused, 0))->reason, ==, CP_REFUSAL_FIXED);
  g_clear_pointer (&refused, g_ptr_array_unref);
  g_clear_object (&edit);

  /* A value the kind does not have. */
  edit = cp_packet_copy (stored);
  cp_packet_set_string (edit, "cover", "colour", "red");
  cp_packet_set_string (edit, "contents", "page", "1");
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, "draft", stored, edit);
  g_assert_true (refused_only (refused, (const char * const[]) {
                   "/sections/contents/page", "/sections/cover/colour", NULL }));
  g_assert_cmpint (((CpRefusal *) g_ptr_array_index (refused, 0))->reason, ==,
                   CP_REFUSAL_UNKNOWN);
  g_clear_pointer (&refused, g_ptr_array_unref);
  g_clear_object (&edit);

  /* A new packet: the creator's, in the initial state, with the creator's values only. */
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, NULL, NULL, stored);
  g_assert_true (refused_only (refused, (const char * const[]) {
                   "/sections/contract/people/0", "/sections/contract/people/0/name",
                   "/sections/contract/stamp", NULL }));
  g_clear_pointer (&refused, g_ptr_array_unref);
  refused = cp_template_check_write (tpl, CP_ROLE_CITY_OFFICE, NULL, NULL, stored);
  g_assert_cmpstr (((CpRefusal *) g_ptr_array_index (refused, 0))->pointer, ==, "");
  g_clear_pointer (&refused, g_ptr_array_unref);

  /* An unknown state lets nobody write. */
  edit = cp_packet_copy (stored);
  cp_packet_set_string (edit, "cover", "name", "苏州丙公司");
  refused = cp_template_check_write (tpl, CP_ROLE_ENTERPRISE, "limbo", stored, edit);
  g_assert_cmpuint (refused->len, ==, 1);
  g_clear_pointer (&refused, g_ptr_array_unref);

  /* A kind without a workflow refuses nothing. */
  {
    g_autofree char *path = fixture ("good-minimal.json");
    g_autoptr(CpTemplate) plain = cp_template_new_from_file (path, NULL);
    g_autoptr(CpPacket) a = cp_packet_new ("test-kind", "1");
    g_autoptr(CpPacket) b = cp_packet_new ("test-kind", "1");

    cp_packet_set_string (b, "contract", "number", "AB-1234");
    cp_packet_set_state (b, CP_PACKET_STATE_ACCEPTED);
    refused = cp_template_check_write (plain, CP_ROLE_CITY_OFFICE, NULL, a, b);
    g_assert_cmpuint (refused->len, ==, 0);
    g_assert_true (cp_template_may_write (plain, CP_ROLE_ENTERPRISE, NULL,
                                          "/sections/contract/number"));
    g_assert_cmpint (cp_template_get_owner (plain, "/sections/contract/number"), ==,
                     CP_ROLE_NONE);
    g_assert_null (cp_template_get_workflow (plain));
  }
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
  g_test_add_func ("/template/roles", test_roles);
  g_test_add_func ("/template/workflow/good", test_workflow_good);
  g_test_add_func ("/template/access/diff-pointers", test_diff_pointers);
  g_test_add_func ("/template/access/check-write", test_check_write);

  return g_test_run ();
}
