/* test-validator.c — the completeness check of packets against their templates
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-date.h"
#include "cp-demo.h"
#include "cp-uscc.h"
#include "cp-validator.h"
#include "cp-workflow.h"

static CpTemplateRegistry *registry;

static const char * const all_kinds[] = {
  "standardization-acceptance", "city-demonstration", "provincial-recommendation",
  "demonstration-review", NULL
};

static GPtrArray *
validate (CpPacket *packet)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *findings = cp_validator_validate (registry, packet, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (findings);
  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (findings, i);

      g_test_message ("%s %s %s/%s: %s", cp_severity_to_string (f->severity), f->code,
                      f->section, f->field, f->message);
    }
  return findings;
}

static const CpFinding *
find (GPtrArray  *findings,
      const char *code,
      const char *section,
      const char *field)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (findings, i);

      if (g_strcmp0 (f->code, code) == 0 && g_strcmp0 (f->section, section) == 0 &&
          g_strcmp0 (f->field, field) == 0)
        return f;
    }
  return NULL;
}

static guint
count_code (GPtrArray  *findings,
            const char *code)
{
  guint n = 0;

  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (findings, i);

      if (g_str_equal (f->code, code))
        n++;
    }
  return n;
}

/* Asserts that @findings holds exactly one finding with @code, at @section/@field, of
 * @severity, and returns it. */
static const CpFinding *
assert_only (GPtrArray  *findings,
             CpSeverity  severity,
             const char *code,
             const char *section,
             const char *field)
{
  const CpFinding *f = find (findings, code, section, field);

  if (f == NULL)
    g_error ("no finding %s at %s/%s", code, section, field);
  g_assert_cmpuint (count_code (findings, code), ==, 1);
  g_assert_cmpint (f->severity, ==, severity);
  g_assert_nonnull (f->message);
  g_assert_cmpstr (f->message, !=, "");
  return f;
}

static CpPacket *
demo (const char *kind)
{
  CpPacket *packet = cp_demo_packet (registry, kind, 7);

  g_assert_nonnull (packet);
  return packet;
}

static void
set_date (CpPacket   *packet,
          const char *section,
          const char *field,
          const char *date)
{
  cp_packet_set_string (packet, section, field, date);
}

/* Sets the enterprise's credit code in every section that holds it. */
static void
set_uscc_everywhere (CpPacket   *packet,
                     const char *code)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  GPtrArray *sections = cp_template_get_sections (tpl);

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      if (cp_section_lookup_field (section, "uscc") != NULL)
        cp_packet_set_string (packet, section->id, "uscc", code);
    }
}

/* A copy of the object value @section.@field with @member set to @value (NULL: removed). */
static void
edit_object (CpPacket   *packet,
             const char *section,
             const char *field,
             const char *member,
             const char *value)
{
  JsonNode *node = json_node_copy (cp_packet_get_value (packet, section, field));
  JsonObject *object;

  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  object = json_node_get_object (node);
  if (value != NULL)
    json_object_set_string_member (object, member, value);
  else
    json_object_remove_member (object, member);
  cp_packet_set_value (packet, section, field, node);
}

/* Complete packets: every kind, many seeds, not one finding. */
static void
test_complete (void)
{
  for (guint k = 0; all_kinds[k] != NULL; k++)
    {
      CpTemplate *tpl = cp_template_registry_lookup_kind (registry, all_kinds[k]);

      for (guint seed = 0; seed < 25; seed++)
        {
          g_autoptr(CpPacket) packet = cp_demo_packet (registry, all_kinds[k], seed);
          g_autoptr(GPtrArray) findings = validate (packet);
          guint n_sections = 0;

          g_assert_cmpstr (cp_packet_get_kind (packet), ==, all_kinds[k]);
          g_assert_cmpstr (cp_packet_get_template_version (packet), ==,
                           cp_template_get_version (tpl));
          g_assert_cmpuint (findings->len, ==, 0);
          g_assert_true (cp_validator_is_ready (findings));
          g_assert_cmpuint (cp_validator_count_complete (tpl, packet, findings, &n_sections), ==,
                            n_sections);
          g_assert_cmpuint (n_sections, ==, cp_template_get_n_sections (tpl));
        }
    }
}

/* The demo packets survive a round trip through their JSON, and the same seed gives the same
 * values. */
static void
test_demo_round_trip (void)
{
  for (guint k = 0; all_kinds[k] != NULL; k++)
    {
      g_autoptr(CpPacket) packet = demo (all_kinds[k]);
      g_autoptr(CpPacket) again = demo (all_kinds[k]);
      g_autofree char *data = cp_packet_to_data (packet, FALSE, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CpPacket) copy = cp_packet_new_from_data (data, -1, "demo", &error);
      g_autoptr(GPtrArray) findings = NULL;

      g_assert_no_error (error);
      findings = validate (copy);
      g_assert_cmpuint (findings->len, ==, 0);
      g_assert_cmpstr (cp_packet_get_enterprise_name (packet), ==,
                       cp_packet_get_enterprise_name (again));
      g_assert_cmpstr (cp_packet_get_uscc (packet), ==, cp_packet_get_uscc (again));
      g_assert_true (cp_uscc_validate (cp_packet_get_uscc (packet), NULL, NULL));
      g_assert_cmpint (cp_packet_get_year (packet), ==, 2020);
    }
}

/* The fixtures under tests/data/packets are complete packets of each kind. */
static void
test_fixtures (void)
{
  for (guint k = 0; all_kinds[k] != NULL; k++)
    {
      g_autofree char *name = g_strdup_printf ("%s.json", all_kinds[k]);
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "packets", name, NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CpPacket) packet = cp_packet_new_from_file (path, &error);
      g_autoptr(GPtrArray) findings = NULL;

      g_assert_no_error (error);
      findings = validate (packet);
      g_assert_cmpuint (findings->len, ==, 0);
    }
}

static void
test_uscc_length (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;

  set_uscc_everywhere (packet, "91320506MA1W8XKQ3");
  findings = validate (packet);
  g_assert_nonnull (find (findings, "uscc-length", "cover", "uscc"));
  g_assert_nonnull (find (findings, "uscc-length", "application-form", "uscc"));
  g_assert_cmpuint (count_code (findings, "uscc-length"), ==, 5);
  g_assert_cmpuint (findings->len, ==, 5);
  g_assert_false (cp_validator_is_ready (findings));
  g_assert_nonnull (strstr (((CpFinding *) g_ptr_array_index (findings, 0))->message,
                            "Unified social credit code"));
}

static void
test_uscc_charset (void)
{
  g_autoptr(CpPacket) packet = demo ("standardization-acceptance");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *code = g_strdup (cp_packet_get_uscc (packet));

  code[10] = 'I';
  cp_packet_set_string (packet, "cover", "uscc", code);
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_ERROR, "uscc-charset", "cover", "uscc");
  /* The other sections keep the right code, so the codes differ. */
  g_assert_nonnull (find (findings, "uscc-mismatch", "credit-report", "uscc"));
}

static void
test_uscc_check (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *code = g_strdup (cp_packet_get_uscc (packet));

  code[17] = code[17] == 'A' ? 'B' : 'A';
  set_uscc_everywhere (packet, code);
  findings = validate (packet);
  g_assert_nonnull (find (findings, "uscc-check", "cover", "uscc"));
  g_assert_cmpuint (count_code (findings, "uscc-check"), ==, 5);
  g_assert_cmpuint (count_code (findings, "uscc-mismatch"), ==, 0);
}

static void
test_uscc_org_check (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *code = g_strdup (cp_packet_get_uscc (packet));

  /* A wrong organization check character with a recomputed final check character. */
  code[16] = code[16] == '1' ? '2' : '1';
  code[17] = cp_uscc_compute_check (code);
  set_uscc_everywhere (packet, code);
  findings = validate (packet);
  g_assert_nonnull (find (findings, "uscc-org-check", "field-survey", "uscc"));
  g_assert_cmpuint (count_code (findings, "uscc-org-check"), ==, 5);
  g_assert_cmpuint (count_code (findings, "uscc-check"), ==, 0);
}

static void
test_uscc_unknown_division (void)
{
  g_autoptr(CpPacket) packet = demo ("demonstration-review");
  g_autoptr(GPtrArray) findings = NULL;
  /* Well formed, but 329901 is no division of any GB/T 2260 revision. */
  g_autofree char *code = cp_demo_uscc ("329901", 3);

  g_assert_true (cp_uscc_validate (code, NULL, NULL));
  set_uscc_everywhere (packet, code);
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_WARNING, "uscc-unknown-division", "cover", "uscc");
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_nonnull (strstr (((CpFinding *) g_ptr_array_index (findings, 0))->message, "329901"));
  /* A warning does not block submission. */
  g_assert_true (cp_validator_is_ready (findings));
}

static void
test_uscc_worked_example (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;

  /* The worked example of GB 32100: valid, Beijing Haidian. */
  set_uscc_everywhere (packet, "91110108551385082Q");
  findings = validate (packet);
  g_assert_cmpuint (findings->len, ==, 0);
}

static void
test_contract_six_months (void)
{
  struct { const char *start, *end; gboolean ok; } cases[] = {
    { "2020-01-15", "2020-07-15", TRUE },   /* exactly six months */
    { "2020-01-15", "2020-07-14", FALSE },  /* one day short */
    { "2019-08-31", "2020-02-29", TRUE },   /* end of month, leap year */
    { "2019-08-31", "2020-02-28", FALSE },
    { "2020-03-31", "2020-09-30", TRUE },
    { "2020-03-31", "2020-09-29", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CpPacket) packet = demo ("city-demonstration");
      g_autoptr(GPtrArray) findings = NULL;

      set_date (packet, "contract", "start_date", cases[i].start);
      set_date (packet, "contract", "end_date", cases[i].end);
      /* Keep the survey inside the contract. */
      set_date (packet, "field-survey", "survey_date", cases[i].end);
      findings = validate (packet);
      if (cases[i].ok)
        g_assert_cmpuint (findings->len, ==, 0);
      else
        {
          const CpFinding *f = assert_only (findings, CP_SEVERITY_ERROR, "contract-too-short",
                                            "contract", "end_date");

          g_assert_cmpuint (findings->len, ==, 1);
          g_assert_nonnull (strstr (f->message, "Coaching ends"));
          g_assert_nonnull (strstr (f->message, "6 months"));
        }
    }
}

static void
test_credit_report_validity (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) ok = NULL;
  g_autoptr(GPtrArray) expired = NULL;
  g_autoptr(GPtrArray) by_today = NULL;
  g_autoptr(GError) error = NULL;
  GDate today;

  cp_packet_set_submitted_on (packet, "2020-09-10");
  set_date (packet, "credit-report", "valid_until", "2020-09-10");
  ok = validate (packet);
  g_assert_cmpuint (ok->len, ==, 0);

  set_date (packet, "credit-report", "valid_until", "2020-09-09");
  expired = validate (packet);
  assert_only (expired, CP_SEVERITY_ERROR, "credit-report-expired", "credit-report",
               "valid_until");
  g_assert_cmpuint (expired->len, ==, 1);

  /* Without a submission date, today counts. */
  cp_packet_set_submitted_on (packet, NULL);
  g_date_clear (&today, 1);
  g_date_set_dmy (&today, 9, G_DATE_SEPTEMBER, 2020);
  by_today = cp_validator_validate (registry, packet, &today, &error);
  g_assert_no_error (error);
  g_assert_null (find (by_today, "credit-report-expired", "credit-report", "valid_until"));
  g_clear_pointer (&by_today, g_ptr_array_unref);
  g_date_set_dmy (&today, 10, G_DATE_SEPTEMBER, 2020);
  by_today = cp_validator_validate (registry, packet, &today, &error);
  g_assert_nonnull (find (by_today, "credit-report-expired", "credit-report", "valid_until"));
}

/* The pool of a city application is the enterprises that passed standardization acceptance in
 * the campaign year before or earlier ("2019年度（含）之前通过贯标验收" for the 2020 round, seed 000
 * 二(二)1), not those that passed 365 days before the submission. */
static void
test_standardization_pool (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(CpPacket) next_year = cp_demo_packet_for_year (registry, "city-demonstration", 2021,
                                                           7);
  g_autoptr(GPtrArray) december = NULL;
  g_autoptr(GPtrArray) january = NULL;
  g_autoptr(GPtrArray) last_year = NULL;
  const CpFinding *f;

  /* Passed in December 2019: in the 2020 pool, although less than a year before. */
  cp_packet_set_submitted_on (packet, "2020-04-20");
  set_date (packet, "application-form", "standardization_passed_on", "2019-12-20");
  december = validate (packet);
  g_assert_cmpuint (december->len, ==, 0);

  /* Passed in January 2020: not in the 2020 pool, even when the packet is handed in more than a
   * year later. */
  cp_packet_set_submitted_on (packet, "2021-02-01");
  set_date (packet, "credit-report", "valid_until", "2021-03-01");
  set_date (packet, "application-form", "standardization_passed_on", "2020-01-10");
  january = validate (packet);
  f = assert_only (january, CP_SEVERITY_ERROR, "standardization-too-recent", "application-form",
                   "standardization_passed_on");
  g_assert_nonnull (strstr (f->message, "2019"));
  g_assert_cmpuint (january->len, ==, 1);

  /* For the 2021 round, 2020 is in the pool. */
  g_assert_cmpint (cp_packet_get_year (next_year), ==, 2021);
  set_date (next_year, "application-form", "standardization_passed_on", "2020-12-31");
  last_year = validate (next_year);
  g_assert_cmpuint (last_year->len, ==, 0);
}

static void
test_operating_two_years (void)
{
  g_autoptr(CpPacket) packet = demo ("standardization-acceptance");
  g_autoptr(GPtrArray) ok = NULL;
  g_autoptr(GPtrArray) young = NULL;

  cp_packet_set_submitted_on (packet, "2020-08-20");
  set_date (packet, "eligibility", "founding_date", "2018-08-20");
  ok = validate (packet);
  g_assert_cmpuint (ok->len, ==, 0);

  set_date (packet, "eligibility", "founding_date", "2018-08-21");
  young = validate (packet);
  assert_only (young, CP_SEVERITY_ERROR, "operating-too-short", "eligibility", "founding_date");
  g_assert_cmpuint (young->len, ==, 1);
}

static void
test_audited_statements (void)
{
  g_autoptr(CpPacket) packet = demo ("demonstration-review");
  JsonNode *node = json_node_copy (cp_packet_get_value (packet, "financial-statements",
                                                        "statements"));
  JsonArray *array = json_node_get_array (node);
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) none = NULL;

  g_assert_cmpuint (json_array_get_length (array), ==, 3);
  json_array_remove_element (array, 0);
  cp_packet_set_value (packet, "financial-statements", "statements", node);
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_ERROR, "audited-statements-missing", "financial-statements",
               "statements");
  /* 2017 is the year that is now missing. */
  g_assert_nonnull (strstr (find (findings, "audited-statements-years", "financial-statements",
                                  "statements")->message, "2017 is missing"));

  cp_packet_set_value (packet, "financial-statements", "statements", NULL);
  none = validate (packet);
  g_assert_nonnull (find (none, "audited-statements-missing", "financial-statements",
                          "statements"));
}

static void
test_signatures (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;

  /* The receipt signed by the head of the enterprise. */
  cp_packet_set_value (packet, "field-survey", "head_signature", NULL);
  /* The contract stamped by the district office: stamp recorded without its scan. */
  edit_object (packet, "contract", "district_stamp", "scan", NULL);
  /* The application form's preliminary-review stamp: no date, no signer. */
  edit_object (packet, "application-form", "district_stamp", "date", NULL);
  edit_object (packet, "application-form", "district_stamp", "signer", " ");
  findings = validate (packet);

  assert_only (findings, CP_SEVERITY_ERROR, "required", "field-survey", "head_signature");
  g_assert_nonnull (find (findings, "signature-incomplete", "contract", "district_stamp"));
  g_assert_nonnull (strstr (find (findings, "signature-incomplete", "contract",
                                  "district_stamp")->message, "the scanned page"));
  g_assert_nonnull (find (findings, "signature-incomplete", "application-form",
                          "district_stamp"));
  g_assert_nonnull (strstr (find (findings, "signature-incomplete", "application-form",
                                  "district_stamp")->message, "who stamped it, the date"));
  g_assert_cmpuint (findings->len, ==, 3);
}

static void
test_signature_role_and_scan (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;

  edit_object (packet, "field-survey", "head_signature", "role", "agency");
  edit_object (packet, "contract", "district_stamp", "scan",
               "0000000000000000000000000000000000000000000000000000000000000000");
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_ERROR, "signature-role", "field-survey", "head_signature");
  assert_only (findings, CP_SEVERITY_ERROR, "attachment-missing", "contract", "district_stamp");
  g_assert_cmpuint (findings->len, ==, 2);
}

static void
test_same_enterprise_code (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *other = cp_demo_uscc ("320506", 999);

  g_assert_cmpstr (other, !=, cp_packet_get_uscc (packet));
  cp_packet_set_string (packet, "commitment", "uscc", other);
  cp_packet_set_string (packet, "application-form", "enterprise_name", "苏州别家有限公司");
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_ERROR, "uscc-mismatch", "commitment", "uscc");
  assert_only (findings, CP_SEVERITY_ERROR, "enterprise-name-mismatch", "application-form",
               "enterprise_name");
  g_assert_cmpuint (findings->len, ==, 2);
}

static void
test_scoring (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, "jiangsu-2019");
  GPtrArray *items = cp_scoring_sheet_get_items (sheet);
  const CpScoringItem *first = g_ptr_array_index (items, 0);
  const CpScoringItem *second = g_ptr_array_index (items, 1);
  g_autoptr(GPtrArray) findings = NULL;

  cp_packet_unset_score (packet, first->id, CP_SCORE_ACCEPTANCE);
  cp_packet_set_score (packet, second->id, CP_SCORE_ACCEPTANCE, second->points + 1);
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_ERROR, "score-missing", "scoring", first->id);
  assert_only (findings, CP_SEVERITY_ERROR, "score-over-max", "scoring", second->id);
  g_assert_cmpuint (findings->len, ==, 2);
}

/* The re-review names its score column 复核评价 (“Re-review”) in its findings. */
static void
test_review_column_word (void)
{
  g_autoptr(CpPacket) packet = demo ("demonstration-review");
  g_autoptr(CpPacket) city = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) city_findings = NULL;
  const CpFinding *f;

  cp_packet_unset_score (packet, "1.1.1", CP_SCORE_ACCEPTANCE);
  findings = validate (packet);
  f = assert_only (findings, CP_SEVERITY_ERROR, "score-missing", "scoring", "1.1.1");
  g_assert_nonnull (strstr (f->message, "“Re-review”"));
  cp_packet_unset_score (city, "1.1.1", CP_SCORE_ACCEPTANCE);
  city_findings = validate (city);
  f = assert_only (city_findings, CP_SEVERITY_ERROR, "score-missing", "scoring", "1.1.1");
  g_assert_nonnull (strstr (f->message, "no acceptance score"));
}

/* Takes acceptance points away from the first items until about @points are gone. */
static void
lower_acceptance (CpPacket *packet,
                  double    points)
{
  CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, "jiangsu-2019");
  GPtrArray *items = cp_scoring_sheet_get_items (sheet);
  double taken = 0;

  for (guint i = 0; i < items->len && taken < points; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);

      taken += cp_packet_get_score (packet, item->id)->acceptance;
      cp_packet_set_score (packet, item->id, CP_SCORE_ACCEPTANCE, 0);
    }
}

/* The city's decision on a re-review, with its written opinion when it is not a pass. */
static void
decide (CpPacket   *packet,
        const char *conclusion)
{
  cp_packet_set_string (packet, "review-report", "conclusion", conclusion);
  if (!g_str_equal (conclusion, "pass"))
    {
      cp_packet_set_string (packet, "review-report", "city_opinion", "限期一年整改，列入下一年度复核计划。");
      cp_packet_set_string (packet, "review-report", "city_decided_on", "2020-11-20");
    }
}

static void
test_pass_mark (void)
{
  g_autoptr(CpPacket) packet = demo ("demonstration-review");
  g_autoptr(GPtrArray) province = NULL;
  g_autoptr(GPtrArray) city = NULL;

  /* Bring the acceptance total to about 850: below 900, above 700. The city decided on a year
   * to rectify. */
  lower_acceptance (packet, 150);
  decide (packet, "rectify");

  cp_packet_set_string (packet, "recognition", "level", "province");
  province = validate (packet);
  assert_only (province, CP_SEVERITY_WARNING, "score-below-pass-mark", "scoring", NULL);
  g_assert_cmpuint (province->len, ==, 1);
  g_assert_true (cp_validator_is_ready (province));

  cp_packet_set_string (packet, "recognition", "level", "city");
  city = validate (packet);
  g_assert_cmpuint (city->len, ==, 0);
}

/* Below the pass mark the city decides on a year to rectify or on withdrawing the title,
 * certificate and plaque (seed 000 二(四)6): "passed" is an error there. */
static void
test_review_decision (void)
{
  static const struct { const char *conclusion; gboolean below; gboolean error; } cases[] = {
    { "pass", TRUE, TRUE },
    { "rectify", TRUE, FALSE },
    { "withdraw", TRUE, FALSE },
    { "pass", FALSE, FALSE },
  };
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "demonstration-review");
  const CpField *conclusion = cp_template_lookup_field (tpl, "review-report.conclusion");

  /* The choices as the seed words them. */
  g_assert_cmpuint (conclusion->options->len, ==, 3);
  g_assert_cmpstr (cp_text_get_for (cp_field_lookup_option (conclusion, "pass")->label, "zh_CN"),
                   ==, "通过");
  g_assert_cmpstr (cp_text_get_for (cp_field_lookup_option (conclusion, "rectify")->label,
                                    "zh_CN"), ==, "限期整改（一年）");
  g_assert_cmpstr (cp_text_get_for (cp_field_lookup_option (conclusion, "withdraw")->label,
                                    "zh_CN"), ==, "取消认定、收回证书和铜牌");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(CpPacket) packet = demo ("demonstration-review");
      g_autoptr(GPtrArray) findings = NULL;

      cp_packet_set_string (packet, "recognition", "level", "city");
      if (cases[i].below)
        lower_acceptance (packet, 400);
      decide (packet, cases[i].conclusion);
      findings = validate (packet);
      if (cases[i].error)
        {
          const CpFinding *f = assert_only (findings, CP_SEVERITY_ERROR,
                                            "review-passed-below-mark", "review-report",
                                            "conclusion");

          g_assert_nonnull (strstr (f->message, "700"));
          g_assert_false (cp_validator_is_ready (findings));
        }
      else
        g_assert_null (find (findings, "review-passed-below-mark", "review-report",
                             "conclusion"));
      g_assert_cmpuint (count_code (findings, "score-below-pass-mark"), ==, cases[i].below);
      g_assert_cmpuint (findings->len, ==, cases[i].below + cases[i].error);
    }
}

/* 贯标 is for enterprises registered in the city's jurisdiction (在我市辖区内注册, seed 000
 * 三(一)1): a credit code of another division is a warning. */
static void
test_registered_in_city (void)
{
  g_autoptr(CpPacket) packet = demo ("standardization-acceptance");
  g_autoptr(GPtrArray) suzhou = NULL;
  g_autoptr(GPtrArray) beijing = NULL;
  g_autofree char *park = cp_demo_uscc ("320594", 11);
  const CpFinding *f;

  /* The Industrial Park registers under a development-zone code, still in Suzhou. */
  set_uscc_everywhere (packet, park);
  suzhou = validate (packet);
  g_assert_cmpuint (suzhou->len, ==, 0);

  set_uscc_everywhere (packet, "91110108551385082Q");
  beijing = validate (packet);
  f = assert_only (beijing, CP_SEVERITY_WARNING, "registered-outside-city", "cover", "uscc");
  g_assert_nonnull (strstr (f->message, "110108"));
  g_assert_cmpuint (beijing->len, ==, 1);
  g_assert_true (cp_validator_is_ready (beijing));
}

static void
test_types_and_constraints (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(CpPacket) review = demo ("demonstration-review");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) review_findings = NULL;
  g_autofree char *long_name = g_strnfill (101, 'x');

  cp_packet_set_string (packet, "application-form", "headcount", "many");
  cp_packet_set_number (packet, "application-form", "registered_capital", -5);
  cp_packet_set_string (packet, "application-form", "email", "credit.example.com");
  cp_packet_set_string (packet, "application-form", "postcode", "2151");
  cp_packet_set_string (packet, "application-form", "website", "www example com");
  cp_packet_set_string (packet, "application-form", "legal_representative_mobile", "phone me");
  cp_packet_set_string (packet, "application-form", "enterprise_type", "cooperative");
  cp_packet_set_string (packet, "application-form", "founding_date", "2019-02-29");
  cp_packet_set_number (packet, "application-form", "staff_bachelor", 2.5);
  cp_packet_set_string (packet, "contract", "contract_number", long_name);
  cp_packet_set_string (packet, "field-survey", "contract_number", long_name);
  cp_packet_set_string (packet, "field-survey", "start_time", "9 o'clock");
  findings = validate (packet);

  assert_only (findings, CP_SEVERITY_ERROR, "min", "application-form", "registered_capital");
  g_assert_nonnull (strstr (find (findings, "min", "application-form",
                                  "registered_capital")->message, "0 万元"));
  g_assert_nonnull (find (findings, "type", "application-form", "headcount"));
  g_assert_nonnull (find (findings, "type", "application-form", "founding_date"));
  g_assert_nonnull (find (findings, "type", "application-form", "staff_bachelor"));
  g_assert_nonnull (find (findings, "type", "field-survey", "start_time"));
  g_assert_nonnull (find (findings, "pattern", "application-form", "email"));
  g_assert_nonnull (find (findings, "pattern", "application-form", "postcode"));
  g_assert_nonnull (find (findings, "pattern", "application-form", "website"));
  g_assert_nonnull (find (findings, "pattern", "application-form",
                          "legal_representative_mobile"));
  assert_only (findings, CP_SEVERITY_ERROR, "choice", "application-form", "enterprise_type");
  g_assert_nonnull (find (findings, "length", "contract", "contract_number"));
  g_assert_nonnull (find (findings, "length", "field-survey", "contract_number"));
  g_assert_cmpuint (cp_findings_count (findings, CP_SEVERITY_ERROR), ==, 12);
  g_assert_cmpuint (findings->len, ==, 12);

  cp_packet_set_number (review, "on-site", "report_minutes", 45);
  cp_packet_set_string (review, "on-site", "start_time", "08:30");
  cp_packet_set_string (review, "on-site", "end_time", "14:00");
  review_findings = validate (review);
  assert_only (review_findings, CP_SEVERITY_ERROR, "max", "on-site", "report_minutes");
  assert_only (review_findings, CP_SEVERITY_WARNING, "on-site-over-half-day", "on-site",
               "end_time");
  g_assert_cmpuint (review_findings->len, ==, 2);
}

static void
test_group_items (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  JsonNode *node = json_node_copy (cp_packet_get_value (packet, "field-survey", "surveyors"));
  JsonArray *array = json_node_get_array (node);
  JsonObject *second = json_array_get_object_element (array, 1);
  g_autoptr(GPtrArray) findings = NULL;
  const CpFinding *f;

  json_object_remove_member (second, "certificate_number");
  json_object_set_string_member (second, "shoe_size", "42");
  cp_packet_set_value (packet, "field-survey", "surveyors", node);
  findings = validate (packet);
  f = assert_only (findings, CP_SEVERITY_ERROR, "required", "field-survey",
                   "surveyors[1].certificate_number");
  g_assert_nonnull (strstr (f->message, "Certificate number (Surveyors, entry 2)"));
  assert_only (findings, CP_SEVERITY_WARNING, "unknown-field", "field-survey",
               "surveyors[1].shoe_size");
  g_assert_cmpuint (findings->len, ==, 2);
}

static void
test_attachments (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  const char *scan = cp_packet_get_string (packet, "contract", "scan");
  g_autoptr(GPtrArray) findings = NULL;
  const CpAttachment *report;

  g_assert_true (cp_packet_remove_attachment (packet, scan));
  /* The credit query report must be a PDF. */
  report = cp_packet_find_attachment (packet, cp_packet_get_string (packet, "credit-report",
                                                                    "report"));
  {
    g_autofree char *name = g_strdup (report->name);
    g_autofree char *sha = g_strdup (report->sha256);

    cp_packet_add_attachment (packet, name, sha, report->size, "image/png");
  }
  cp_packet_set_string (packet, "work-plan", "plan", "not a checksum");
  cp_packet_set_value (packet, "evaluation", "feedback", NULL);
  findings = validate (packet);
  assert_only (findings, CP_SEVERITY_ERROR, "attachment-missing", "contract", "scan");
  assert_only (findings, CP_SEVERITY_ERROR, "attachment-type", "credit-report", "report");
  assert_only (findings, CP_SEVERITY_ERROR, "type", "work-plan", "plan");
  assert_only (findings, CP_SEVERITY_ERROR, "required", "evaluation", "feedback");
  g_assert_cmpuint (findings->len, ==, 4);
}

static void
test_unknown_fields (void)
{
  g_autoptr(CpPacket) packet = demo ("standardization-acceptance");
  g_autoptr(GPtrArray) findings = NULL;

  cp_packet_set_string (packet, "cover", "favourite_colour", "red");
  cp_packet_set_string (packet, "extras", "note", "hello");
  findings = validate (packet);
  g_assert_cmpint (find (findings, "unknown-field", "cover", "favourite_colour")->severity, ==,
                   CP_SEVERITY_WARNING);
  g_assert_cmpint (find (findings, "unknown-field", "extras", NULL)->severity, ==,
                   CP_SEVERITY_WARNING);
  g_assert_cmpuint (findings->len, ==, 2);
  g_assert_true (cp_validator_is_ready (findings));
}

static void
test_other_rules (void)
{
  g_autoptr(CpPacket) provincial = demo ("provincial-recommendation");
  g_autoptr(CpPacket) city = demo ("city-demonstration");
  g_autoptr(GPtrArray) p = NULL;
  g_autoptr(GPtrArray) c = NULL;
  JsonNode *economics;
  JsonArray *array;

  cp_packet_set_string (provincial, "credit-check", "result", "serious");
  cp_packet_set_number (provincial, "city-recognition", "recognised_year", 2019);
  p = validate (provincial);
  assert_only (p, CP_SEVERITY_ERROR, "dishonesty-record", "credit-check", "result");
  assert_only (p, CP_SEVERITY_ERROR, "city-recognition-too-recent", "city-recognition",
               "recognised_year");
  g_assert_cmpuint (p->len, ==, 2);
  g_clear_pointer (&p, g_ptr_array_unref);

  /* Repaired credit needs the evidence of the repair. */
  cp_packet_set_string (provincial, "credit-check", "result", "ordinary-repaired");
  cp_packet_set_number (provincial, "city-recognition", "recognised_year", 2018);
  p = validate (provincial);
  assert_only (p, CP_SEVERITY_ERROR, "credit-repair-evidence-missing", "credit-check",
               "repair_evidence");
  g_assert_cmpuint (p->len, ==, 1);

  /* A city opinion without its date; economic figures of the wrong years. */
  cp_packet_set_string (city, "application-form", "city_opinion", "同意。");
  economics = json_node_copy (cp_packet_get_value (city, "application-form", "economics"));
  array = json_node_get_array (economics);
  for (guint i = 0; i < 3; i++)
    json_object_set_int_member (json_array_get_object_element (array, i), "year", 2016 + i);
  cp_packet_set_value (city, "application-form", "economics", economics);
  c = validate (city);
  assert_only (c, CP_SEVERITY_ERROR, "city-review-date-missing", "application-form",
               "city_review_date");
  g_assert_nonnull (strstr (find (c, "economic-figures-years", "application-form",
                                  "economics")->message, "2019 is missing"));
  g_assert_cmpuint (c->len, ==, 2);
}

/* Findings come in binder order, whatever order the checks run in. */
static void
test_binder_order (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  guint last = 0;

  cp_packet_set_value (packet, "credit-report", "report_number", NULL);
  cp_packet_set_value (packet, "cover", "phone", NULL);
  set_date (packet, "contract", "end_date", "2000-01-01");   /* a rule finding */
  cp_packet_set_value (packet, "contract", "contract_number", NULL);
  cp_packet_set_value (packet, "commitment", "letter", NULL);
  cp_packet_set_string (packet, "cover", "enterprise_name", "另一家公司");
  findings = validate (packet);
  g_assert_cmpuint (findings->len, >=, 6);

  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (findings, i);
      guint index = cp_template_lookup_section (tpl, f->section)->index;

      g_assert_cmpuint (index, >=, last);
      last = index;
    }
  g_assert_cmpstr (((CpFinding *) g_ptr_array_index (findings, 0))->section, ==, "cover");
  g_assert_cmpstr (((CpFinding *) g_ptr_array_index (findings, 0))->field, ==, "phone");
  /* Within the contract: the number (1st field) before the end date (6th). */
  {
    guint a = G_MAXUINT, b = G_MAXUINT;

    for (guint i = 0; i < findings->len; i++)
      {
        const CpFinding *f = g_ptr_array_index (findings, i);

        if (g_str_equal (f->code, "required") && g_strcmp0 (f->field, "contract_number") == 0)
          a = i;
        if (g_str_equal (f->code, "contract-too-short"))
          b = i;
      }
    g_assert_cmpuint (a, <, b);
  }
}

static void
test_section_status (void)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  g_autoptr(CpPacket) empty = cp_packet_new ("city-demonstration", "2020.1");
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) empty_findings = validate (empty);
  g_autoptr(GPtrArray) findings = NULL;
  guint n = 0;

  /* Nothing filled in: everything is missing, only the generated contents are complete. */
  g_assert_false (cp_validator_is_ready (empty_findings));
  g_assert_nonnull (find (empty_findings, "required", "cover", "enterprise_name"));
  g_assert_nonnull (find (empty_findings, "score-missing", "scoring", "1.1.1"));
  g_assert_cmpint (cp_validator_section_status (tpl, empty, empty_findings, "cover"), ==,
                   CP_SECTION_STATUS_EMPTY);
  g_assert_cmpint (cp_validator_section_status (tpl, empty, empty_findings, "contents"), ==,
                   CP_SECTION_STATUS_COMPLETE);
  g_assert_cmpint (cp_validator_section_status (tpl, empty, empty_findings, "scoring"), ==,
                   CP_SECTION_STATUS_EMPTY);
  g_assert_cmpuint (cp_validator_count_complete (tpl, empty, empty_findings, &n), ==, 1);
  g_assert_cmpuint (n, ==, 11);

  cp_packet_set_value (packet, "contract", "scan", NULL);
  cp_packet_set_string (packet, "cover", "favourite_colour", "red");
  findings = validate (packet);
  g_assert_cmpint (cp_validator_section_status (tpl, packet, findings, "contract"), ==,
                   CP_SECTION_STATUS_ERRORS);
  g_assert_cmpint (cp_validator_section_status (tpl, packet, findings, "cover"), ==,
                   CP_SECTION_STATUS_WARNINGS);
  g_assert_cmpint (cp_validator_section_status (tpl, packet, findings, "scoring"), ==,
                   CP_SECTION_STATUS_COMPLETE);
  g_assert_cmpuint (cp_validator_count_complete (tpl, packet, findings, &n), ==, 10);
  g_assert_cmpstr (cp_section_status_to_string (CP_SECTION_STATUS_WARNINGS), ==, "warnings");
}

static void
test_unknown_kind_and_version (void)
{
  g_autoptr(CpPacket) alien = cp_packet_new ("alien-kind", "1");
  g_autoptr(CpPacket) old = cp_packet_new ("city-demonstration", "1999.1");
  g_autoptr(GError) error = NULL;

  g_assert_null (cp_validator_validate (registry, alien, NULL, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_KIND);
  g_clear_error (&error);
  g_assert_null (cp_validator_validate (registry, old, NULL, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_VERSION);
  g_assert_nonnull (strstr (error->message, "1999.1"));
}

static void
test_sheet_mismatch (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;

  cp_packet_set_sheet (packet, "anhui-2016", "2016.1");
  findings = validate (packet);
  g_assert_nonnull (find (findings, "scoring-sheet-mismatch", "scoring", NULL));
  g_assert_false (cp_validator_is_ready (findings));
}


static void
set_day (GDate *date,
         int    day,
         int    month,
         int    year)
{
  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day, (GDateMonth) month, (GDateYear) year);
}

/* Each stage's deadline on the packet's year, the days left, and the warning once it is past. */
static void
test_stage_deadline (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(CpPacket) next_year = cp_demo_packet_for_year (registry, "city-demonstration", 2021,
                                                           7);
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  CpStageDeadline stage;
  GDate today;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) on_time = NULL;
  g_autoptr(GPtrArray) on_the_day = NULL;
  g_autoptr(GPtrArray) late = NULL;
  g_autoptr(GPtrArray) recognised = NULL;
  const CpFinding *f;

  /* A draft is preparing: the applicant list goes to the city by 30 April. */
  set_day (&today, 20, 4, 2020);
  g_assert_true (cp_template_get_stage_deadline (tpl, packet, NULL, &today, &stage));
  g_assert_cmpstr (stage.deadline->id, ==, "applicant-list");
  g_assert_cmpint (g_date_get_day (&stage.date), ==, 30);
  g_assert_cmpint (g_date_get_month (&stage.date), ==, 4);
  g_assert_cmpint (g_date_get_year (&stage.date), ==, 2020);
  g_assert_cmpint (stage.days_left, ==, 10);
  on_time = cp_validator_validate_in_state (registry, packet, NULL, &today, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (on_time->len, ==, 0);

  set_day (&today, 30, 4, 2020);
  g_assert_true (cp_template_get_stage_deadline (tpl, packet, NULL, &today, &stage));
  g_assert_cmpint (stage.days_left, ==, 0);
  on_the_day = cp_validator_validate_in_state (registry, packet, NULL, &today, &error);
  g_assert_cmpuint (on_the_day->len, ==, 0);

  set_day (&today, 2, 5, 2020);
  g_assert_true (cp_template_get_stage_deadline (tpl, packet, NULL, &today, &stage));
  g_assert_cmpint (stage.days_left, ==, -2);
  late = cp_validator_validate_in_state (registry, packet, NULL, &today, &error);
  f = assert_only (late, CP_SEVERITY_WARNING, "stage-overdue", NULL, NULL);
  g_assert_nonnull (strstr (f->message, "2020-04-30"));
  g_assert_nonnull (strstr (f->message, "2 days"));
  g_assert_true (cp_validator_is_ready (late));
  /* The plain check leaves deadlines alone. */
  g_clear_pointer (&late, g_ptr_array_unref);
  late = cp_validator_validate (registry, packet, &today, &error);
  g_assert_cmpuint (late->len, ==, 0);

  /* Another stage: the on-site evaluation by 30 September; a final stage has none. */
  g_assert_true (cp_template_get_stage_deadline (tpl, packet, "evaluation", &today, &stage));
  g_assert_cmpstr (stage.deadline->id, ==, "on-site-evaluation");
  g_assert_cmpint (stage.days_left, ==, 151);
  g_assert_false (cp_template_get_stage_deadline (tpl, packet, "recognised", &today, &stage));
  g_assert_false (cp_template_get_stage_deadline (tpl, packet, "recognition", &today, &stage));
  g_assert_false (cp_template_get_stage_deadline (tpl, packet, "no-such-state", &today, &stage));
  cp_packet_set_state (packet, CP_PACKET_STATE_ACCEPTED);
  set_day (&today, 1, 12, 2020);
  recognised = cp_validator_validate_in_state (registry, packet, NULL, &today, &error);
  g_assert_cmpuint (recognised->len, ==, 0);

  /* The deadline is on the packet's own campaign year. */
  set_day (&today, 1, 10, 2021);
  g_assert_true (cp_template_get_stage_deadline (tpl, next_year, "evaluation", &today, &stage));
  g_assert_cmpint (g_date_get_year (&stage.date), ==, 2021);
  g_assert_cmpint (stage.days_left, ==, -1);
}

/* A kind of the 2020.1 format has no stages: the next of its deadlines, until accepted. */
static void
test_stage_deadline_without_workflow (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "packets",
                                                 "demonstration-review.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = cp_packet_new_from_file (path, &error);
  CpTemplate *old = cp_template_registry_lookup_kind_version (registry, "demonstration-review",
                                                              "2020.1");
  CpStageDeadline stage;
  GDate today;

  g_assert_no_error (error);
  set_day (&today, 1, 3, 2020);
  g_assert_true (cp_template_get_stage_deadline (old, packet, NULL, &today, &stage));
  g_assert_cmpstr (stage.deadline->id, ==, "review-list");
  g_assert_cmpint (stage.days_left, ==, 31);
  set_day (&today, 2, 4, 2020);
  g_assert_true (cp_template_get_stage_deadline (old, packet, NULL, &today, &stage));
  g_assert_cmpstr (stage.deadline->id, ==, "results");
  set_day (&today, 2, 12, 2020);
  g_assert_true (cp_template_get_stage_deadline (old, packet, NULL, &today, &stage));
  g_assert_cmpstr (stage.deadline->id, ==, "results");
  g_assert_cmpint (stage.days_left, ==, -2);
  cp_packet_set_state (packet, CP_PACKET_STATE_ACCEPTED);
  g_assert_false (cp_template_get_stage_deadline (old, packet, NULL, &today, &stage));
}

/* What each party must still do. */
static void
test_validate_owned (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) enterprise = NULL;
  g_autoptr(GPtrArray) district = NULL;
  g_autoptr(GPtrArray) agency = NULL;
  g_autoptr(GPtrArray) others = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *surveyors;

  cp_packet_set_value (packet, "cover", "phone", NULL);
  cp_packet_set_value (packet, "application-form", "district_opinion", NULL);
  cp_packet_unset_score (packet, "1.1.1", CP_SCORE_ACCEPTANCE);
  surveyors = json_from_string ("[{\"name\": \"王芳\"}]", NULL);
  cp_packet_set_value (packet, "field-survey", "surveyors", surveyors);

  all = validate (packet);
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpint (cp_validator_finding_owner (tpl, find (all, "required", "cover", "phone")),
                   ==, CP_ROLE_ENTERPRISE);
  g_assert_cmpint (cp_validator_finding_owner (tpl, find (all, "required", "application-form",
                                                          "district_opinion")), ==,
                   CP_ROLE_DISTRICT_OFFICE);
  g_assert_cmpint (cp_validator_finding_owner (tpl, find (all, "score-missing", "scoring",
                                                          "1.1.1")), ==,
                   CP_ROLE_EVALUATING_AGENCY);
  g_assert_cmpint (cp_validator_finding_owner (tpl, find (all, "required", "field-survey",
                                                          "surveyors[0].certificate_number")),
                   ==, CP_ROLE_COACHING_AGENCY);

  enterprise = cp_validator_validate_owned (registry, packet, CP_ROLE_BIT (CP_ROLE_ENTERPRISE),
                                            NULL, &error);
  g_assert_no_error (error);
  assert_only (enterprise, CP_SEVERITY_ERROR, "required", "cover", "phone");
  g_assert_cmpuint (enterprise->len, ==, 1);
  district = cp_validator_validate_owned (registry, packet,
                                          CP_ROLE_BIT (CP_ROLE_DISTRICT_OFFICE), NULL, &error);
  assert_only (district, CP_SEVERITY_ERROR, "required", "application-form", "district_opinion");
  g_assert_cmpuint (district->len, ==, 1);
  agency = cp_validator_validate_owned (registry, packet,
                                        CP_ROLE_BIT (CP_ROLE_EVALUATING_AGENCY), NULL, &error);
  assert_only (agency, CP_SEVERITY_ERROR, "score-missing", "scoring", "1.1.1");
  g_assert_cmpuint (agency->len, ==, 1);
  others = cp_validator_validate_owned (registry, packet,
                                        CP_ROLE_MASK_ALL & ~CP_ROLE_BIT (CP_ROLE_ENTERPRISE),
                                        NULL, &error);
  g_assert_cmpuint (others->len, ==, 3);
  g_assert_null (find (others, "required", "cover", "phone"));
}

static gboolean
check_transition (CpPacket    *packet,
                  const char  *state,
                  const char  *transition,
                  CpRole       role,
                  const GDate *today,
                  GPtrArray  **findings,
                  GError     **error)
{
  gboolean ok = cp_validator_check_transition (registry, packet, state, transition, role, today,
                                               findings, error);

  if (*error != NULL)
    g_test_message ("%s", (*error)->message);
  for (guint i = 0; *findings != NULL && i < (*findings)->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (*findings, i);

      g_test_message ("  %s %s/%s", f->code, f->section, f->field);
    }
  return ok;
}

/* A transition needs its party, its state, and the parts owned so far complete. */
static void
test_transitions (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  GDate today;

  set_day (&today, 20, 4, 2020);
  /* The complete sample goes through the district's preliminary review... */
  g_assert_true (check_transition (packet, NULL, "submit", CP_ROLE_ENTERPRISE, &today,
                                   &findings, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (findings->len, ==, 0);
  g_clear_pointer (&findings, g_ptr_array_unref);

  /* ...made by the enterprise only, from its own state only. */
  g_assert_false (check_transition (packet, NULL, "submit", CP_ROLE_DISTRICT_OFFICE, &today,
                                    &findings, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_NOT_ALLOWED);
  g_clear_error (&error);
  g_assert_false (check_transition (packet, NULL, "approve", CP_ROLE_DISTRICT_OFFICE, &today,
                                    &findings, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_TRANSITION);
  g_clear_error (&error);
  g_assert_null (findings);

  /* The district's stamp is not the enterprise's to supply when it hands in... */
  cp_packet_set_value (packet, "contract", "district_stamp", NULL);
  /* ...nor the coaching agency's field survey, which comes during the coaching... */
  cp_packet_set_value (packet, "field-survey", "report_date", NULL);
  g_assert_true (check_transition (packet, NULL, "submit", CP_ROLE_ENTERPRISE, &today,
                                   &findings, &error));
  g_clear_pointer (&findings, g_ptr_array_unref);
  /* ...but the district needs its stamp to pass the review, */
  g_assert_false (check_transition (packet, "district-review", "approve",
                                    CP_ROLE_DISTRICT_OFFICE, &today, &findings, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_INCOMPLETE);
  g_clear_error (&error);
  assert_only (findings, CP_SEVERITY_ERROR, "required", "contract", "district_stamp");
  g_assert_cmpuint (findings->len, ==, 1);
  g_clear_pointer (&findings, g_ptr_array_unref);
  /* and the enterprise the agency's survey to request the acceptance. */
  g_assert_false (check_transition (packet, "coaching", "request-acceptance",
                                    CP_ROLE_ENTERPRISE, &today, &findings, &error));
  g_clear_error (&error);
  assert_only (findings, CP_SEVERITY_ERROR, "required", "field-survey", "report_date");
  g_assert_cmpuint (findings->len, ==, 1);
  g_clear_pointer (&findings, g_ptr_array_unref);

  /* The enterprise's own part missing blocks its hand-in. */
  cp_packet_set_value (packet, "cover", "phone", NULL);
  g_assert_false (check_transition (packet, NULL, "submit", CP_ROLE_ENTERPRISE, &today,
                                    &findings, &error));
  g_clear_error (&error);
  assert_only (findings, CP_SEVERITY_ERROR, "required", "cover", "phone");
  g_clear_pointer (&findings, g_ptr_array_unref);
}

/* Handing in checks the validity rules against the day of the hand-in. */
static void
test_transition_submission_date (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  GDate today;

  cp_packet_set_submitted_on (packet, "2020-04-10");
  set_date (packet, "credit-report", "issued_on", "2020-03-01");
  set_date (packet, "credit-report", "valid_until", "2020-04-15");
  set_day (&today, 12, 4, 2020);
  g_assert_true (check_transition (packet, NULL, "submit", CP_ROLE_ENTERPRISE, &today,
                                   &findings, &error));
  g_clear_pointer (&findings, g_ptr_array_unref);
  set_day (&today, 20, 4, 2020);
  g_assert_false (check_transition (packet, NULL, "submit", CP_ROLE_ENTERPRISE, &today,
                                    &findings, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_INCOMPLETE);
  assert_only (findings, CP_SEVERITY_ERROR, "credit-report-expired", "credit-report",
               "valid_until");
}

/* The city office's recognition needs its own block, which the template leaves optional. */
static void
test_transition_filled (void)
{
  g_autoptr(CpPacket) packet = demo ("city-demonstration");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *signature;

  g_assert_false (check_transition (packet, "recognition", "recognise", CP_ROLE_CITY_OFFICE,
                                    NULL, &findings, &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_INCOMPLETE);
  g_clear_error (&error);
  g_assert_cmpuint (findings->len, ==, 4);
  g_assert_nonnull (find (findings, "required", "application-form", "city_opinion"));
  g_assert_nonnull (find (findings, "required", "application-form", "city_review_date"));
  g_clear_pointer (&findings, g_ptr_array_unref);

  signature = json_node_copy (cp_packet_get_value (packet, "application-form",
                                                   "district_reviewer"));
  cp_packet_set_string (packet, "application-form", "city_opinion", "同意认定。");
  cp_packet_set_string (packet, "application-form", "city_review_date", "2020-10-20");
  cp_packet_set_value (packet, "application-form", "city_reviewer", signature);
  g_assert_false (check_transition (packet, "recognition", "recognise", CP_ROLE_CITY_OFFICE,
                                    NULL, &findings, &error));
  g_clear_error (&error);
  /* The city's signatures are the city's. */
  assert_only (findings, CP_SEVERITY_ERROR, "signature-role", "application-form",
               "city_reviewer");
  g_clear_pointer (&findings, g_ptr_array_unref);
  edit_object (packet, "application-form", "city_reviewer", "role", "city-office");
  signature = json_node_copy (cp_packet_get_value (packet, "application-form", "city_reviewer"));
  cp_packet_set_value (packet, "application-form", "city_approver", signature);
  g_assert_true (check_transition (packet, "recognition", "recognise", CP_ROLE_CITY_OFFICE,
                                   NULL, &findings, &error));
  g_assert_no_error (error);
}

/* The city decides a re-review: "passed" below the mark does not go through. */
static void
test_transition_review_decision (void)
{
  g_autoptr(CpPacket) packet = demo ("demonstration-review");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;

  cp_packet_set_string (packet, "recognition", "level", "city");
  lower_acceptance (packet, 400);
  /* The agency's report is complete: the low score is its finding to hand in. */
  g_assert_true (check_transition (packet, "on-site", "report", CP_ROLE_EVALUATING_AGENCY,
                                   NULL, &findings, &error));
  g_assert_no_error (error);
  assert_only (findings, CP_SEVERITY_WARNING, "score-below-pass-mark", "scoring", NULL);
  g_clear_pointer (&findings, g_ptr_array_unref);
  g_assert_false (check_transition (packet, "decision", "decide", CP_ROLE_CITY_OFFICE, NULL,
                                    &findings, &error));
  g_clear_error (&error);
  assert_only (findings, CP_SEVERITY_ERROR, "review-passed-below-mark", "review-report",
               "conclusion");
  g_clear_pointer (&findings, g_ptr_array_unref);
  decide (packet, "withdraw");
  g_assert_true (check_transition (packet, "decision", "decide", CP_ROLE_CITY_OFFICE, NULL,
                                   &findings, &error));
}

/* The 2020.1 templates have no workflow; their packets move as before. */
static void
test_transition_without_workflow (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "packets",
                                                 "city-demonstration.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = cp_packet_new_from_file (path, &error);
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) owned = NULL;

  g_assert_no_error (error);
  g_assert_false (check_transition (packet, NULL, "submit", CP_ROLE_ENTERPRISE, NULL, &findings,
                                    &error));
  g_assert_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_NO_WORKFLOW);
  g_clear_error (&error);
  cp_packet_set_value (packet, "cover", "phone", NULL);
  owned = cp_validator_validate_owned (registry, packet, CP_ROLE_MASK_ALL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (owned->len, ==, 0);
}

/* Run with -m perf: complete packets validated per second on one core. */
static void
test_perf (void)
{
  for (guint k = 0; all_kinds[k] != NULL; k++)
    {
      g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = 20000;
      gint64 start, elapsed;
      GDate today;

      g_date_clear (&today, 1);
      g_date_set_dmy (&today, 1, G_DATE_JULY, 2020);
      for (guint i = 0; i < 64; i++)
        g_ptr_array_add (packets, cp_demo_packet (registry, all_kinds[k], i));

      start = g_get_monotonic_time ();
      for (guint i = 0; i < n; i++)
        {
          GPtrArray *findings = cp_validator_validate (registry,
                                                       g_ptr_array_index (packets, i % 64),
                                                       &today, NULL);

          g_assert (findings->len == 0);
          g_ptr_array_unref (findings);
        }
      elapsed = g_get_monotonic_time () - start;
      g_test_minimized_result ((double) elapsed / n, "%s: %.1f µs per packet", all_kinds[k],
                               (double) elapsed / n);
      g_test_message ("%s: %.0f packets/s", all_kinds[k], n * 1e6 / (double) elapsed);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/validator/complete", test_complete);
  g_test_add_func ("/validator/demo-round-trip", test_demo_round_trip);
  g_test_add_func ("/validator/fixtures", test_fixtures);
  g_test_add_func ("/validator/uscc/length", test_uscc_length);
  g_test_add_func ("/validator/uscc/charset", test_uscc_charset);
  g_test_add_func ("/validator/uscc/check", test_uscc_check);
  g_test_add_func ("/validator/uscc/org-check", test_uscc_org_check);
  g_test_add_func ("/validator/uscc/unknown-division", test_uscc_unknown_division);
  g_test_add_func ("/validator/uscc/worked-example", test_uscc_worked_example);
  g_test_add_func ("/validator/rules/contract-six-months", test_contract_six_months);
  g_test_add_func ("/validator/rules/credit-report-validity", test_credit_report_validity);
  g_test_add_func ("/validator/rules/standardization-pool", test_standardization_pool);
  g_test_add_func ("/validator/rules/operating-two-years", test_operating_two_years);
  g_test_add_func ("/validator/rules/audited-statements", test_audited_statements);
  g_test_add_func ("/validator/rules/same-enterprise-code", test_same_enterprise_code);
  g_test_add_func ("/validator/rules/other", test_other_rules);
  g_test_add_func ("/validator/signatures/missing-and-incomplete", test_signatures);
  g_test_add_func ("/validator/signatures/role-and-scan", test_signature_role_and_scan);
  g_test_add_func ("/validator/scoring/items", test_scoring);
  g_test_add_func ("/validator/scoring/pass-mark", test_pass_mark);
  g_test_add_func ("/validator/scoring/review-column-word", test_review_column_word);
  g_test_add_func ("/validator/rules/review-decision", test_review_decision);
  g_test_add_func ("/validator/rules/registered-in-city", test_registered_in_city);
  g_test_add_func ("/validator/fields/types-and-constraints", test_types_and_constraints);
  g_test_add_func ("/validator/fields/group-items", test_group_items);
  g_test_add_func ("/validator/fields/attachments", test_attachments);
  g_test_add_func ("/validator/fields/unknown", test_unknown_fields);
  g_test_add_func ("/validator/binder-order", test_binder_order);
  g_test_add_func ("/validator/section-status", test_section_status);
  g_test_add_func ("/validator/unknown-kind-and-version", test_unknown_kind_and_version);
  g_test_add_func ("/validator/sheet-mismatch", test_sheet_mismatch);
  g_test_add_func ("/validator/stage/deadline", test_stage_deadline);
  g_test_add_func ("/validator/stage/deadline-without-workflow",
                   test_stage_deadline_without_workflow);
  g_test_add_func ("/validator/owned", test_validate_owned);
  g_test_add_func ("/validator/transitions/parties-and-parts", test_transitions);
  g_test_add_func ("/validator/transitions/submission-date", test_transition_submission_date);
  g_test_add_func ("/validator/transitions/filled", test_transition_filled);
  g_test_add_func ("/validator/transitions/review-decision", test_transition_review_decision);
  g_test_add_func ("/validator/transitions/without-workflow", test_transition_without_workflow);
  if (g_test_perf ())
    g_test_add_func ("/validator/perf", test_perf);

  ret = g_test_run ();
  g_clear_object (&registry);
  return ret;
}
