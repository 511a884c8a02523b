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
  g_assert_cmpstr (cp_template_get_version (tpl), ==, "2020.2");
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
  { "bad-workflow-independent.json", CP_JSON_ERROR_INCONSISTENT,
    "$.workflow.transitions[1].independent", "only a transition that assigns an agency" },
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
  /* Score columns; notes, evidence and review clock go with the first required column, the
   * sheet reference (set when the packet is made) with the creator. */
  g_assert_cmpint (scoring->column_owner[CP_SCORE_SELF], ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpint (scoring->column_owner[CP_SCORE_ACCEPTANCE], ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->note_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->evidence_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->review_owner, ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (scoring->sheet_owner, ==, CP_ROLE_ENTERPRISE);
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
  /* As the application makes packets: on the kind's sheet from the start. */
  cp_packet_set_sheet (stored, "tiny-sheet", "1");
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

/* The shipped kinds: who writes what in which state, cell by cell, against the seeds (000 二 and
 * 三, ../shared/DOMAIN.md "Who writes what"). The tables below are written from the seeds, not
 * from the templates. */

typedef struct
{
  const char *part;   /* "section" (every field of it), "section.field", "section.group.field",
                       * or "score:self" / "score:acceptance" */
  const char *owner;
} OwnerSpec;

typedef struct
{
  const char *state;
  const char *role;
  const char *sections;  /* "*" for everything the role owns, or section ids */
} WriterSpec;

typedef struct
{
  const char       *kind;
  const char       *states;   /* in the template's order; the final ones end with "!" */
  const OwnerSpec  *owners;
  const WriterSpec *writers;
} KindSpec;

static const OwnerSpec standardization_owners[] = {
  { "cover", "enterprise" }, { "eligibility", "enterprise" }, { "credit-report", "enterprise" },
  { "work-summary", "enterprise" }, { "internal-assessment", "enterprise" },
  { "commitment", "enterprise" }, { "evidence", "enterprise" },
  /* 企业自评; the acceptance organised by the district (二(一)4). */
  { "score:self", "enterprise" }, { "score:acceptance", "district-office" },
  { NULL, NULL }
};

static const WriterSpec standardization_writers[] = {
  { "self-check", "enterprise", "*" },
  { "coaching", "enterprise", "work-summary internal-assessment evidence" },
  { "acceptance", "district-office", "evidence" },
  { "returned", "enterprise", "*" },
  { NULL, NULL, NULL }
};

static const OwnerSpec city_owners[] = {
  { "cover", "enterprise" },
  /* The contract is the enterprise's, stamped by the district office (盖章鉴定). */
  { "contract", "enterprise" }, { "contract.district_stamp", "district-office" },
  /* The agency's field survey; the receipt signed by the enterprise head. */
  { "field-survey", "coaching-agency" }, { "field-survey.confirmation", "enterprise" },
  { "field-survey.head_signature", "enterprise" }, { "field-survey.seal", "enterprise" },
  { "field-survey.receipt_scan", "enterprise" },
  { "internal-assessment", "enterprise" }, { "work-plan", "enterprise" },
  /* The agency's evaluation report, the enterprise's written feedback. */
  { "evaluation", "coaching-agency" }, { "evaluation.feedback", "enterprise" },
  { "evaluation.feedback_date", "enterprise" },
  /* The application form, with the district's 初审 block and the city's block. */
  { "application-form", "enterprise" },
  { "application-form.district_opinion", "district-office" },
  { "application-form.district_reviewer", "district-office" },
  { "application-form.district_approver", "district-office" },
  { "application-form.district_stamp", "district-office" },
  { "application-form.city_opinion", "city-office" },
  { "application-form.city_reviewer", "city-office" },
  { "application-form.city_approver", "city-office" },
  { "application-form.city_review_date", "city-office" },
  { "credit-report", "enterprise" }, { "commitment", "enterprise" },
  /* The third party's on-site evaluation (现场评价认定). */
  { "scoring", "evaluating-agency" }, { "score:acceptance", "evaluating-agency" },
  { NULL, NULL }
};

static const WriterSpec city_writers[] = {
  { "preparing", "enterprise", "*" }, { "preparing", "coaching-agency", "*" },
  { "district-review", "district-office", "*" },
  { "coaching", "enterprise",
    "field-survey internal-assessment work-plan evaluation credit-report commitment" },
  { "coaching", "coaching-agency", "*" },
  { "evaluation", "evaluating-agency", "*" },
  { "recognition", "city-office", "*" },
  { "returned", "enterprise", "*" }, { "returned", "coaching-agency", "*" },
  { NULL, NULL, NULL }
};

static const OwnerSpec provincial_owners[] = {
  { "cover", "enterprise" }, { "city-recognition", "enterprise" },
  /* The district checks the credit status through the platforms (二(三)1). */
  { "credit-check", "district-office" }, { "credit-check.repair_evidence", "enterprise" },
  { "credit-report", "enterprise" },
  { "application-form", "enterprise" },
  { "application-form.district_opinion", "district-office" },
  { "application-form.district_stamp", "district-office" },
  { "application-form.city_opinion", "city-office" },
  { "application-form.city_stamp", "city-office" },
  { "coaching", "coaching-agency" }, { "commitment", "enterprise" },
  { "scoring", "enterprise" }, { "score:self", "enterprise" },
  { NULL, NULL }
};

static const WriterSpec provincial_writers[] = {
  { "preparing", "enterprise", "*" }, { "preparing", "coaching-agency", "*" },
  { "district-review", "district-office", "*" },
  { "city-review", "city-office", "*" },
  { "returned", "enterprise", "*" }, { "returned", "coaching-agency", "*" },
  { NULL, NULL, NULL }
};

static const OwnerSpec review_owners[] = {
  { "cover", "enterprise" },
  /* The district's credit review (二(四)3). */
  { "recognition", "enterprise" }, { "recognition.credit_status", "district-office" },
  { "financial-statements", "enterprise" },
  /* The selected agency re-reviews on site; the enterprise head signs the record. */
  { "on-site", "evaluating-agency" }, { "on-site.head_signature", "enterprise" },
  /* Its report; the conclusion and 处理意见 are the city's (二(四)6). */
  { "review-report", "evaluating-agency" }, { "review-report.conclusion", "city-office" },
  { "review-report.city_opinion", "city-office" },
  { "review-report.city_decided_on", "city-office" },
  { "scoring", "evaluating-agency" }, { "score:acceptance", "evaluating-agency" },
  { NULL, NULL }
};

static const WriterSpec review_writers[] = {
  { "preparing", "enterprise", "*" },
  { "district-review", "district-office", "*" },
  { "on-site", "evaluating-agency", "*" }, { "on-site", "enterprise", "on-site" },
  { "decision", "city-office", "*" },
  { "returned", "enterprise", "*" },
  { NULL, NULL, NULL }
};

static const KindSpec kind_specs[] = {
  { "standardization-acceptance",
    "self-check credit-review coaching acceptance accepted! returned",
    standardization_owners, standardization_writers },
  { "city-demonstration",
    "preparing district-review coaching acceptance-requested evaluation recognition recognised! "
    "returned", city_owners, city_writers },
  { "provincial-recommendation",
    "preparing district-review city-review provincial-evaluation recognised! returned",
    provincial_owners, provincial_writers },
  { "demonstration-review",
    "preparing district-review listed on-site decision decided reported! returned",
    review_owners, review_writers },
};

static CpRole
role_of (const char *text)
{
  CpRole role = CP_ROLE_NONE;

  if (text != NULL)
    g_assert_true (cp_role_from_string (text, &role));
  return role;
}

/* The owner the spec gives @path ("section.field", "section.group.field" or "score:…"). */
static CpRole
spec_owner (const KindSpec *spec,
            const char     *path)
{
  const char *dot = strchr (path, '.');
  const char *last = strrchr (path, '.');
  g_autofree char *section = dot != NULL ? g_strndup (path, dot - path) : NULL;
  g_autofree char *group = last != dot ? g_strndup (path, last - path) : NULL;
  const char *want[] = { path, group, section };

  /* The most precise entry: the field, its group, its section. */
  for (guint w = 0; w < G_N_ELEMENTS (want); w++)
    {
      for (guint i = 0; want[w] != NULL && spec->owners[i].part != NULL; i++)
        {
          if (g_str_equal (spec->owners[i].part, want[w]))
            return role_of (spec->owners[i].owner);
        }
    }
  return CP_ROLE_NONE;
}

static gboolean
spec_writes (const KindSpec *spec,
             const char     *state,
             CpRole          role,
             const char     *section)
{
  for (guint i = 0; spec->writers[i].state != NULL; i++)
    {
      const WriterSpec *w = &spec->writers[i];
      g_auto(GStrv) sections = NULL;

      if (!g_str_equal (w->state, state) || role_of (w->role) != role)
        continue;
      if (g_str_equal (w->sections, "*"))
        return TRUE;
      sections = g_strsplit (w->sections, " ", -1);
      return g_strv_contains ((const char * const *) sections, section);
    }
  return FALSE;
}

typedef struct
{
  char          *path;      /* as spec_owner() reads it */
  char          *pointer;
  const char    *section;
  const CpField *field;     /* NULL for a score column */
  int            column;
  CpPacket      *changed;   /* the demo packet with this part changed */
} Cell;

static void
cell_free (Cell *cell)
{
  g_free (cell->path);
  g_free (cell->pointer);
  g_clear_object (&cell->changed);
  g_free (cell);
}

/* Every part of @tpl (every field, every group sub-field, every score column the sheet has), each
 * with a copy of @demo where that part holds another value. */
static GPtrArray *
all_cells (CpTemplate *tpl,
           CpPacket   *demo)
{
  GPtrArray *cells = g_ptr_array_new_with_free_func ((GDestroyNotify) cell_free);
  GPtrArray *sections = cp_template_get_sections (tpl);
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);

  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);

          for (int k = -1; k < (int) (field->fields != NULL ? field->fields->len : 0); k++)
            {
              Cell *cell = g_new0 (Cell, 1);

              cell->section = section->id;
              cell->column = -1;
              cell->changed = cp_packet_copy (demo);
              if (k < 0)
                {
                  cell->field = field;
                  cell->path = g_strdup (field->path);
                  cell->pointer = g_strdup_printf ("/sections/%s/%s", section->id, field->id);
                  cp_packet_set_string (cell->changed, section->id, field->id,
                                        "changed by the matrix test");
                }
              else
                {
                  const CpField *sub = g_ptr_array_index (field->fields, k);
                  /* A deep copy: json_node_copy() shares the array with the packet. */
                  g_autofree char *text = json_to_string (cp_packet_get_value (demo, section->id,
                                                                               field->id),
                                                          FALSE);
                  JsonNode *entries = json_from_string (text, NULL);

                  /* The sample packet has entries in every group. */
                  g_assert_nonnull (entries);
                  g_assert_cmpuint (json_array_get_length (json_node_get_array (entries)), >, 0);
                  json_object_set_string_member (json_array_get_object_element (
                                                   json_node_get_array (entries), 0),
                                                 sub->id, "changed by the matrix test");
                  cp_packet_set_value (cell->changed, section->id, field->id, entries);
                  cell->field = sub;
                  cell->path = g_strdup (sub->path);
                  cell->pointer = g_strdup_printf ("/sections/%s/%s/0/%s", section->id,
                                                   field->id, sub->id);
                }
              g_ptr_array_add (cells, cell);
            }
        }
    }

  for (int column = CP_SCORE_SELF; scoring != NULL && column <= CP_SCORE_ACCEPTANCE; column++)
    {
      Cell *cell = g_new0 (Cell, 1);
      const CpItemScore *score = cp_packet_get_score (demo, "1.1.1");
      double before = score == NULL ? -1
                      : column == CP_SCORE_SELF ? (score->has_self ? score->self : -1)
                                                : (score->has_acceptance ? score->acceptance : -1);

      cell->section = scoring->section->id;
      cell->column = column;
      cell->path = g_strdup (column == CP_SCORE_SELF ? "score:self" : "score:acceptance");
      cell->pointer = g_strdup_printf ("/scoring/items/1.1.1/%s",
                                       column == CP_SCORE_SELF ? "self" : "acceptance");
      cell->changed = cp_packet_copy (demo);
      cp_packet_set_score (cell->changed, "1.1.1", (CpScoreColumn) column,
                           before == 1 ? 2 : 1);
      g_ptr_array_add (cells, cell);
    }
  return cells;
}

static void
test_shipped_matrix (gconstpointer data)
{
  const KindSpec *spec = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, spec->kind);
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  g_autoptr(CpPacket) demo = cp_demo_packet (registry, spec->kind, 3);
  g_autoptr(GPtrArray) cells = all_cells (tpl, demo);
  g_auto(GStrv) states = g_strsplit (spec->states, " ", -1);
  guint n_cells = 0, n_allowed = 0;

  g_assert_nonnull (workflow);
  g_assert_cmpuint (cp_workflow_get_states (workflow)->len, ==, g_strv_length (states));
  for (guint st = 0; states[st] != NULL; st++)
    {
      const CpWorkflowState *state = g_ptr_array_index (cp_workflow_get_states (workflow), st);
      gboolean final = g_str_has_suffix (states[st], "!");
      g_autofree char *id = g_strndup (states[st], strlen (states[st]) - (final ? 1 : 0));

      g_assert_cmpstr (state->id, ==, id);
      g_assert_cmpint (state->final, ==, final);
    }

  for (guint c = 0; c < cells->len; c++)
    {
      const Cell *cell = g_ptr_array_index (cells, c);
      CpRole owner = spec_owner (spec, cell->path);
      /* The write of this one value changes exactly its pointer (and the time stamp). */
      g_autoptr(GPtrArray) changes = cp_packet_diff (demo, cell->changed);

      guint n_value_changes = 0;

      for (guint i = 0; i < changes->len; i++)
        {
          const char *pointer = ((CpPacketChange *) g_ptr_array_index (changes, i))->pointer;

          if (g_str_equal (pointer, "/modified"))
            continue;
          g_assert_cmpstr (pointer, ==, cell->pointer);
          n_value_changes++;
        }
      g_assert_cmpuint (n_value_changes, ==, 1);
      g_assert_cmpint (cp_template_get_owner (tpl, cell->pointer), ==, owner);
      if (cell->field != NULL)
        g_assert_cmpint (cell->field->owner, ==, owner);

      for (guint st = 0; states[st] != NULL; st++)
        {
          gboolean final = g_str_has_suffix (states[st], "!");
          g_autofree char *id = g_strndup (states[st], strlen (states[st]) - (final ? 1 : 0));

          for (guint r = CP_ROLE_ENTERPRISE; r < CP_N_ROLES; r++)
            {
              gboolean expected = !final && owner == r &&
                                  spec_writes (spec, id, r, cell->section);
              g_autoptr(GPtrArray) refused = NULL;
              gboolean may;

              may = cell->field != NULL
                    ? cp_template_may_write_field (tpl, r, id, cell->field)
                    : cp_template_may_write_score (tpl, r, id, (CpScoreColumn) cell->column);
              if (may != expected)
                g_error ("%s: %s may%s write %s in %s", spec->kind, cp_role_to_string (r),
                         may ? "" : " not", cell->path, id);
              g_assert_cmpint (cp_template_may_write (tpl, r, id, cell->pointer), ==, expected);

              /* The same through a real write of the value: refused exactly there, or not.
               * The whole path (diff included) once per value, the changes reused after. */
              if (st == 0 && r == CP_ROLE_ENTERPRISE)
                refused = cp_template_check_write (tpl, r, id, demo, cell->changed);
              else
                refused = cp_template_check_changes (tpl, r, id, demo, cell->changed, changes);
              if (expected)
                {
                  if (refused->len != 0)
                    g_error ("%s: %s writing %s in %s is refused at %s", spec->kind,
                             cp_role_to_string (r), cell->path, id,
                             ((CpRefusal *) g_ptr_array_index (refused, 0))->pointer);
                  n_allowed++;
                }
              else
                {
                  const CpRefusal *refusal;

                  g_assert_cmpuint (refused->len, ==, 1);
                  refusal = g_ptr_array_index (refused, 0);
                  g_assert_cmpstr (refusal->pointer, ==, cell->pointer);
                  g_assert_cmpint (refusal->owner, ==, owner);
                  g_assert_cmpint (refusal->reason, ==, owner == r ? CP_REFUSAL_NOT_NOW
                                                                   : CP_REFUSAL_NOT_OWNER);
                }
              n_cells++;
            }
        }
    }
  g_test_message ("%s: %u cells, %u writable", spec->kind, n_cells, n_allowed);
  g_assert_cmpuint (n_allowed, >, 0);
}

/* Every section of the shipped kinds has an owner for each of its values; the packet states of
 * before map onto the workflow. */
static void
test_shipped_workflows (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  g_autoptr(GPtrArray) kinds = cp_template_registry_list_kinds (registry);
  static const struct { const char *kind; const char *legacy[5]; } mapping[] = {
    { "city-demonstration",
      { "preparing", "preparing", "district-review", "returned", "recognised" } },
    { "demonstration-review",
      { "preparing", "preparing", "district-review", "returned", "reported" } },
    { "provincial-recommendation",
      { "preparing", "preparing", "district-review", "returned", "recognised" } },
    { "standardization-acceptance",
      { "self-check", "self-check", "credit-review", "returned", "accepted" } },
  };

  g_assert_cmpuint (kinds->len, ==, G_N_ELEMENTS (mapping));
  for (guint k = 0; k < kinds->len; k++)
    {
      CpTemplate *tpl = g_ptr_array_index (kinds, k);
      const CpWorkflow *workflow = cp_template_get_workflow (tpl);
      GPtrArray *transitions = cp_workflow_get_transitions (workflow);
      gboolean assigns = FALSE;

      g_assert_cmpstr (cp_template_get_id (tpl), ==, mapping[k].kind);
      g_assert_cmpstr (cp_template_get_version (tpl), ==, "2020.2");
      g_assert_cmpint (cp_workflow_get_creator (workflow), ==, CP_ROLE_ENTERPRISE);
      for (guint l = 0; l < 5; l++)
        {
          const CpWorkflowState *state = cp_workflow_state_from_legacy (workflow, l);

          g_assert_cmpstr (state->id, ==, mapping[k].legacy[l]);
          /* And back: the store and the queue still see the packet where it was. */
          if (l != CP_PACKET_STATE_READY)
            g_assert_cmpint (state->legacy, ==, l);
        }
      /* The office's transitions that send a packet back need comments; every kind hands the
       * packet in once and again after a return. */
      for (guint t = 0; t < transitions->len; t++)
        {
          const CpTransition *transition = g_ptr_array_index (transitions, t);

          if (g_str_equal (transition->to->id, "returned"))
            {
              g_assert_true (transition->comment);
              g_assert_true (transition->role == CP_ROLE_DISTRICT_OFFICE ||
                             transition->role == CP_ROLE_CITY_OFFICE);
            }
          if (transition->submits)
            g_assert_cmpint (transition->role, ==, CP_ROLE_ENTERPRISE);
          if (transition->assigns != CP_ROLE_NONE)
            {
              assigns = TRUE;
              g_assert_cmpint (transition->role, ==, CP_ROLE_CITY_OFFICE);
            }
        }
      /* The city commissions the third party: the city application and the re-review. */
      g_assert_cmpint (assigns, ==, g_str_equal (mapping[k].kind, "city-demonstration") ||
                                    g_str_equal (mapping[k].kind, "demonstration-review"));
    }
}

/* The stages in the seeds' order and words. */
static void
test_shipped_stages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  const CpWorkflow *city = cp_template_get_workflow (cp_template_registry_lookup_kind (
                             registry, "city-demonstration"));
  const CpWorkflow *review = cp_template_get_workflow (cp_template_registry_lookup_kind (
                               registry, "demonstration-review"));
  const CpWorkflow *standardization = cp_template_get_workflow (
    cp_template_registry_lookup_kind (registry, "standardization-acceptance"));
  const CpWorkflowState *state;

  /* City application: 初审 by the district by the applicant list of 30 Apr; the third party's
   * 现场评价认定 by 30 Sep; the city's recognition. */
  state = cp_workflow_lookup_state (city, "district-review");
  g_assert_cmpstr (cp_text_get_for (state->label, "zh_CN"), ==, "市、区信用办初审");
  g_assert_cmpstr (state->deadline->id, ==, "applicant-list");
  state = cp_workflow_lookup_state (city, "evaluation");
  g_assert_cmpstr (cp_text_get_for (state->label, "zh_CN"), ==, "现场评价认定");
  g_assert_cmpuint (state->deadline->month, ==, 9);
  g_assert_cmpuint (state->deadline->day, ==, 30);
  g_assert_cmpint (cp_workflow_lookup_transition (city, "acceptance-requested", "assign")->assigns,
                   ==, CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (cp_workflow_lookup_transition (city, "recognition", "recognise")->role, ==,
                   CP_ROLE_CITY_OFFICE);

  /* 贯标: 企业自查 → 信用审查 → 辅导 → 验收 by the district, by 31 Aug. */
  g_assert_cmpstr (cp_text_get_for (cp_workflow_get_initial (standardization)->label, "zh_CN"),
                   ==, "企业自查");
  state = cp_workflow_lookup_state (standardization, "acceptance");
  g_assert_cmpuint (state->deadline->month, ==, 8);
  g_assert_cmpint (cp_workflow_lookup_transition (standardization, "acceptance", "accept")->role,
                   ==, CP_ROLE_DISTRICT_OFFICE);

  /* Re-review: list by 1 Apr, the agency on site, the city's decision, reported by 30 Nov. */
  g_assert_cmpstr (cp_workflow_lookup_state (review, "district-review")->deadline->id, ==,
                   "review-list");
  g_assert_cmpstr (cp_workflow_lookup_state (review, "decided")->deadline->id, ==, "results");
  g_assert_cmpint (cp_workflow_lookup_transition (review, "on-site", "report")->role, ==,
                   CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (cp_workflow_lookup_transition (review, "decided", "report-to-province")->role,
                   ==, CP_ROLE_CITY_OFFICE);
}

/* The seeds' words in the shipped data (seed 000 二 and 三). */
static void
test_shipped_terms (void)
{
  static const char * const with_report[] = {
    "standardization-acceptance", "city-demonstration", "provincial-recommendation", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  CpTemplate *standardization = cp_template_registry_lookup_kind (registry,
                                                                  "standardization-acceptance");
  CpTemplate *review = cp_template_registry_lookup_kind (registry, "demonstration-review");
  CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, "jiangsu-2019");

  for (guint i = 0; with_report[i] != NULL; i++)
    {
      CpTemplate *tpl = cp_template_registry_lookup_kind (registry, with_report[i]);

      g_assert_cmpstr (cp_text_get_for (cp_template_lookup_section (tpl, "credit-report")->title,
                                        "zh_CN"), ==, "《社会法人信用信息查询报告》");
    }
  g_assert_cmpstr (cp_text_get_for (cp_template_lookup_section (standardization,
                                                                "commitment")->title, "zh_CN"),
                   ==, "贯标申请信用承诺书");
  g_assert_nonnull (strstr (cp_text_get_for (cp_scoring_sheet_get_source (sheet), "zh_CN"),
                            "《江苏省企业信用管理贯标指南（修订版）》"));
  g_assert_cmpstr (cp_scoring_sheet_get_version (sheet), ==, "2019.2");
  g_assert_nonnull (strstr (cp_text_get_for (cp_template_lookup_field (review,
                                                                       "recognition.level")->help,
                                             "zh_CN"), "标准分"));
  g_assert_cmpstr (cp_text_get_for (cp_template_get_column_label (review, CP_SCORE_ACCEPTANCE),
                                    "zh_CN"), ==, "复核评价");
  g_assert_nonnull (strstr (cp_text_get_for (cp_template_lookup_field (
                                               cp_template_registry_lookup_kind (
                                                 registry, "city-demonstration"),
                                               "contract.district_stamp")->label, "zh_CN"),
                            "市、区信用办"));
}

/* Packets made with the earlier versions keep their templates, and move on to the newest. */
static void
test_shipped_archive (void)
{
  static const char * const kinds[] = {
    "standardization-acceptance", "city-demonstration", "provincial-recommendation",
    "demonstration-review", NULL
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);

  g_assert_no_error (error);
  g_assert_cmpstr (cp_scoring_sheet_get_version (cp_template_registry_lookup_sheet_version (
                     registry, "jiangsu-2019", "2019.1")), ==, "2019.1");
  for (guint k = 0; kinds[k] != NULL; k++)
    {
      CpTemplate *old = cp_template_registry_lookup_kind_version (registry, kinds[k], "2020.1");
      g_autofree char *name = g_strdup_printf ("%s.json", kinds[k]);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "packets", name, NULL);
      g_autoptr(CpPacket) packet = cp_packet_new_from_file (path, &error);
      g_autoptr(CpPacket) upgraded = NULL;
      g_autoptr(GPtrArray) before = NULL;
      g_autoptr(GPtrArray) after = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (old);
      /* The format of 2020.1: no owners, no workflow. */
      g_assert_null (cp_template_get_workflow (old));
      g_assert_cmpstr (cp_packet_get_template_version (packet), ==, "2020.1");
      before = cp_validator_validate (registry, packet, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (before->len, ==, 0);

      upgraded = cp_template_registry_upgrade_packet (registry, packet, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (cp_packet_get_template_version (upgraded), ==, "2020.2");
      g_assert_cmpstr (cp_packet_get_uuid (upgraded), ==, cp_packet_get_uuid (packet));
      g_assert_cmpint (cp_packet_get_state (upgraded), ==, cp_packet_get_state (packet));
      /* Same ids: every value carries over and the newer version finds nothing unknown. */
      after = cp_validator_validate (registry, upgraded, NULL, &error);
      g_assert_no_error (error);
      for (guint i = 0; i < after->len; i++)
        {
          const CpFinding *f = g_ptr_array_index (after, i);

          g_test_message ("%s: %s %s/%s", kinds[k], f->code, f->section, f->field);
          g_assert_cmpstr (f->code, !=, "unknown-field");
        }
    }

  {
    g_autoptr(CpPacket) alien = cp_packet_new ("alien-kind", "1");

    g_assert_null (cp_template_registry_upgrade_packet (registry, alien, &error));
    g_assert_error (error, CP_TEMPLATE_REGISTRY_ERROR, CP_TEMPLATE_REGISTRY_ERROR_UNKNOWN_KIND);
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
  g_test_add_func ("/template/shipped/workflows", test_shipped_workflows);
  g_test_add_func ("/template/shipped/stages", test_shipped_stages);
  g_test_add_func ("/template/shipped/terms", test_shipped_terms);
  g_test_add_func ("/template/shipped/archive", test_shipped_archive);
  for (guint i = 0; i < G_N_ELEMENTS (kind_specs); i++)
    {
      g_autofree char *name = g_strdup_printf ("/template/shipped/matrix/%s",
                                               kind_specs[i].kind);

      g_test_add_data_func (name, &kind_specs[i], test_shipped_matrix);
    }

  return g_test_run ();
}
