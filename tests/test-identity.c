/* test-identity.c — the enterprise's and the agency's identity, typed once
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-demo.h"
#include "cp-identity.h"
#include "cp-json-private.h"
#include "cp-template-registry.h"
#include "cp-workflow.h"

static CpTemplateRegistry *registry;

static CpTemplate *
kind (const char *id)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, id);

  g_assert_nonnull (tpl);
  return tpl;
}

static CpPacket *
new_packet (const char *id)
{
  return cp_packet_new (id, cp_template_get_version (kind (id)));
}

static gboolean
has_path (GPtrArray  *paths,
          const char *path)
{
  for (guint i = 0; i < paths->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (paths, i), path))
        return TRUE;
    }
  return FALSE;
}

/* Sets a cover value as the application does, then carries it. */
static GPtrArray *
type_cover (CpTemplate *tpl,
            CpPacket   *packet,
            const char *field,
            const char *text)
{
  JsonNode *current = cp_packet_get_value (packet, "cover", field);
  g_autoptr(JsonNode) previous = current != NULL ? json_node_copy (current) : NULL;

  cp_packet_set_string (packet, "cover", field, text);
  return cp_identity_carry (tpl, packet, "cover", field, previous);
}

static void
test_shipped_repeats (void)
{
  CpTemplate *tpl = kind ("city-demonstration");
  const CpField *name = cp_template_lookup_field (tpl, "cover.enterprise_name");
  const CpField *phone = cp_template_lookup_field (tpl, "cover.phone");
  const CpField *district = cp_template_lookup_field (tpl, "cover.district");
  g_autoptr(GPtrArray) names = cp_identity_list_repeats (tpl, name);
  g_autoptr(GPtrArray) phones = cp_identity_list_repeats (tpl, phone);

  /* The application form and the commitment are the enterprise's; the field survey's name is
   * the coaching agency's, which the enterprise does not write. */
  g_assert_cmpuint (names->len, ==, 2);
  g_assert_cmpstr (((const CpField *) g_ptr_array_index (names, 0))->path, ==,
                   "application-form.enterprise_name");
  g_assert_cmpstr (((const CpField *) g_ptr_array_index (names, 1))->path, ==,
                   "commitment.enterprise_name");
  g_assert_cmpuint (phones->len, ==, 1);
  g_assert_cmpstr (((const CpField *) g_ptr_array_index (phones, 0))->path, ==,
                   "commitment.contact_phone");
  g_assert_true (district->division_of == cp_template_lookup_field (tpl, "cover.uscc"));

  /* Every shipped kind's repeated fields name a cover field of the same owner. */
  for (const char * const *k = (const char * const []) { "standardization-acceptance",
         "city-demonstration", "provincial-recommendation", "demonstration-review", NULL };
       *k != NULL; k++)
    {
      GPtrArray *sections = cp_template_get_sections (kind (*k));

      for (guint i = 0; i < sections->len; i++)
        {
          const CpSection *section = g_ptr_array_index (sections, i);

          for (guint j = 0; j < section->fields->len; j++)
            {
              const CpField *f = g_ptr_array_index (section->fields, j);

              if (f->repeats != NULL)
                {
                  g_assert_cmpstr (f->repeats->section->id, ==, "cover");
                  g_assert_cmpint (f->repeats->owner, ==, f->owner);
                }
            }
        }
    }
}

static void
test_carry (void)
{
  CpTemplate *tpl = kind ("city-demonstration");
  g_autoptr(CpPacket) packet = new_packet ("city-demonstration");
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(GPtrArray) third = NULL;
  g_autoptr(GPtrArray) other = NULL;

  /* Typed on the cover, letter by letter: the repeated fields follow each keystroke. */
  g_clear_pointer (&first, g_ptr_array_unref);
  first = type_cover (tpl, packet, "enterprise_name", "苏");
  g_clear_pointer (&first, g_ptr_array_unref);
  first = type_cover (tpl, packet, "enterprise_name", "苏州恒瑞");
  g_assert_cmpuint (first->len, ==, 2);
  g_assert_true (has_path (first, "application-form.enterprise_name"));
  g_assert_true (has_path (first, "commitment.enterprise_name"));
  g_assert_cmpstr (cp_packet_get_string (packet, "application-form", "enterprise_name"), ==,
                   "苏州恒瑞");
  g_assert_cmpstr (cp_packet_get_string (packet, "commitment", "enterprise_name"), ==,
                   "苏州恒瑞");
  /* Another party's copy is theirs to type. */
  g_assert_null (cp_packet_get_value (packet, "field-survey", "enterprise_name"));

  /* Changed by hand on the commitment: the next cover change leaves it alone. */
  cp_packet_set_string (packet, "commitment", "enterprise_name", "恒瑞精密");
  second = type_cover (tpl, packet, "enterprise_name", "苏州恒瑞精密机械有限公司");
  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (second, 0), ==, "application-form.enterprise_name");
  g_assert_cmpstr (cp_packet_get_string (packet, "application-form", "enterprise_name"), ==,
                   "苏州恒瑞精密机械有限公司");
  g_assert_cmpstr (cp_packet_get_string (packet, "commitment", "enterprise_name"), ==,
                   "恒瑞精密");

  /* Emptied on the cover: the copies that followed it empty too. */
  third = type_cover (tpl, packet, "enterprise_name", "");
  g_assert_cmpuint (third->len, ==, 1);
  g_assert_null (cp_packet_get_value (packet, "application-form", "enterprise_name"));
  g_assert_cmpstr (cp_packet_get_string (packet, "commitment", "enterprise_name"), ==,
                   "恒瑞精密");

  /* A field nobody repeats carries nothing, nor does a repeated one edited itself. */
  other = cp_identity_carry (tpl, packet, "contract", "contract_number", NULL);
  g_assert_cmpuint (other->len, ==, 0);
  g_clear_pointer (&other, g_ptr_array_unref);
  other = cp_identity_carry (tpl, packet, "commitment", "enterprise_name", NULL);
  g_assert_cmpuint (other->len, ==, 0);
}

static void
test_carry_phone_and_code (void)
{
  CpTemplate *tpl = kind ("standardization-acceptance");
  g_autoptr(CpPacket) packet = new_packet ("standardization-acceptance");
  g_autofree char *code = cp_demo_uscc ("320583", 1);
  g_autoptr(GPtrArray) phone = NULL;
  g_autoptr(GPtrArray) written = NULL;

  phone = type_cover (tpl, packet, "phone", "0512-57001234");
  g_assert_cmpstr (cp_packet_get_string (packet, "commitment", "contact_phone"), ==,
                   "0512-57001234");
  g_assert_cmpuint (phone->len, ==, 1);

  written = type_cover (tpl, packet, "uscc", code);
  g_assert_true (has_path (written, "credit-report.uscc"));
  g_assert_true (has_path (written, "commitment.uscc"));
  g_assert_true (has_path (written, "cover.district"));
  g_assert_cmpstr (cp_packet_get_string (packet, "credit-report", "uscc"), ==, code);
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "district"), ==, "kunshan");
}

static void
test_district (void)
{
  CpTemplate *tpl = kind ("city-demonstration");
  const CpField *district = cp_template_lookup_field (tpl, "cover.district");
  g_autoptr(CpPacket) packet = new_packet ("city-demonstration");
  g_autofree char *kunshan = cp_demo_uscc ("320583", 3);
  g_autofree char *wuzhong = cp_demo_uscc ("320506", 3);
  g_autofree char *gusu_old = cp_demo_uscc ("320503", 3);
  g_autofree char *sip = cp_demo_uscc ("320594", 3);
  g_autofree char *nanjing = cp_demo_uscc ("320102", 3);
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  g_autoptr(GPtrArray) d = NULL;

  g_assert_cmpstr (cp_identity_district_for_uscc (district, kunshan), ==, "kunshan");
  g_assert_cmpstr (cp_identity_district_for_uscc (district, gusu_old), ==, "gusu");
  g_assert_cmpstr (cp_identity_district_for_uscc (district, sip), ==, "sip");
  g_assert_null (cp_identity_district_for_uscc (district, nanjing));
  g_assert_null (cp_identity_district_for_uscc (district, "913205"));
  g_assert_null (cp_identity_district_for_uscc (district, NULL));

  /* Typed character by character: the district appears once the division is complete. */
  a = type_cover (tpl, packet, "uscc", "913205");
  g_assert_false (has_path (a, "cover.district"));
  g_assert_null (cp_packet_get_value (packet, "cover", "district"));
  g_clear_pointer (&a, g_ptr_array_unref);
  a = type_cover (tpl, packet, "uscc", "91320583");
  g_assert_true (has_path (a, "cover.district"));
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "district"), ==, "kunshan");
  g_clear_pointer (&a, g_ptr_array_unref);
  a = type_cover (tpl, packet, "uscc", kunshan);
  g_assert_false (has_path (a, "cover.district"));

  /* A derived district follows a corrected code. */
  b = type_cover (tpl, packet, "uscc", wuzhong);
  g_assert_true (has_path (b, "cover.district"));
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "district"), ==, "wuzhong");

  /* Chosen by hand: it stays, whatever the code says. */
  cp_packet_set_string (packet, "cover", "district", "gusu");
  c = type_cover (tpl, packet, "uscc", kunshan);
  g_assert_false (has_path (c, "cover.district"));
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "district"), ==, "gusu");

  /* A derived district goes when the code leaves the city's divisions. */
  cp_packet_set_string (packet, "cover", "district", "kunshan");
  d = type_cover (tpl, packet, "uscc", nanjing);
  g_assert_true (has_path (d, "cover.district"));
  g_assert_null (cp_packet_get_value (packet, "cover", "district"));
}

static void
test_fill_account (void)
{
  g_autoptr(CpPacket) provincial = new_packet ("provincial-recommendation");
  g_autoptr(CpPacket) city = new_packet ("city-demonstration");
  g_autoptr(CpPacket) review = new_packet ("demonstration-review");
  g_autofree char *code = cp_demo_uscc ("320506", 9);
  g_autoptr(GPtrArray) a = NULL;
  g_autoptr(GPtrArray) b = NULL;
  g_autoptr(GPtrArray) c = NULL;
  g_autoptr(GPtrArray) again = NULL;

  /* Preparing: the coaching agency writes its block. */
  a = cp_identity_fill_account (kind ("provincial-recommendation"), provincial,
                                "苏州信诚信用服务有限公司", code);
  g_assert_cmpuint (a->len, ==, 2);
  g_assert_cmpstr (cp_packet_get_string (provincial, "coaching", "agency_name"), ==,
                   "苏州信诚信用服务有限公司");
  g_assert_cmpstr (cp_packet_get_string (provincial, "coaching", "agency_uscc"), ==, code);

  /* What is there already stays. */
  cp_packet_set_string (city, "field-survey", "agency_name", "另一家机构");
  b = cp_identity_fill_account (kind ("city-demonstration"), city, "苏州信诚", code);
  g_assert_cmpuint (b->len, ==, 0);
  g_assert_cmpstr (cp_packet_get_string (city, "field-survey", "agency_name"), ==, "另一家机构");
  /* The contract's agency is written by the enterprise, not from the account. */
  g_assert_null (cp_packet_get_value (city, "contract", "agency_name"));

  /* The re-review's agency writes on site only once assigned, not while the enterprise
   * prepares. */
  c = cp_identity_fill_account (kind ("demonstration-review"), review, "苏州信诚", code);
  g_assert_cmpuint (c->len, ==, 0);

  again = cp_identity_fill_account (kind ("provincial-recommendation"), provincial,
                                    "别的名字", NULL);
  g_assert_cmpuint (again->len, ==, 0);
}

/* The shipped city application with one change: @section.@field gets @member = @value (a JSON
 * text; NULL removes the member). */
static JsonNode *
mutated (const char *section,
         const char *field,
         const char *member,
         const char *value)
{
  g_autofree char *path = g_build_filename (g_getenv ("CP_SOURCE_DATA_DIR"), "templates", "kinds",
                                            "city-demonstration.json", NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  g_autofree char *data = NULL;
  JsonArray *sections;

  g_assert_true (g_file_get_contents (path, &data, NULL, &error));
  g_assert_no_error (error);
  root = json_from_string (data, &error);
  g_assert_no_error (error);
  sections = json_object_get_array_member (json_node_get_object (root), "sections");
  for (guint i = 0; i < json_array_get_length (sections); i++)
    {
      JsonObject *s = json_array_get_object_element (sections, i);
      JsonArray *fields;

      if (!g_str_equal (json_object_get_string_member (s, "id"), section))
        continue;
      fields = json_object_get_array_member (s, "fields");
      for (guint j = 0; j < json_array_get_length (fields); j++)
        {
          JsonObject *f = json_array_get_object_element (fields, j);

          if (!g_str_equal (json_object_get_string_member (f, "id"), field))
            continue;
          if (value == NULL)
            json_object_remove_member (f, member);
          else
            json_object_set_member (f, member, json_from_string (value, NULL));
          return root;
        }
    }
  g_assert_not_reached ();
}

static void
expect_refused (JsonNode   *root,
                const char *where,
                const char *words)
{
  g_autoptr(JsonNode) owned = root;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplate) tpl = cp_template_new_from_json (owned, "city.json", &error);

  g_assert_null (tpl);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == CP_JSON_ERROR);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_nonnull (strstr (error->message, words));
}

static void
test_loader (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplate) plain = NULL;
  JsonNode *root;

  /* The shipped file itself loads, and without its identity members too. */
  root = mutated ("commitment", "enterprise_name", "repeats", NULL);
  plain = cp_template_new_from_json (root, "city.json", &error);
  json_node_unref (root);
  g_assert_no_error (error);
  g_assert_null (cp_template_lookup_field (plain, "commitment.enterprise_name")->repeats);

  expect_refused (mutated ("commitment", "enterprise_name", "repeats", "\"cover.name\""),
                  "$.sections[9].fields[0].repeats", "no top-level field “cover.name”");
  expect_refused (mutated ("commitment", "enterprise_name", "repeats", "\"cover.uscc\""),
                  ".repeats", "same type and owner");
  expect_refused (mutated ("commitment", "enterprise_name", "repeats",
                           "\"commitment.legal_representative\""),
                  ".repeats", "another section");
  expect_refused (mutated ("commitment", "enterprise_name", "repeats",
                           "\"field-survey.enterprise_name\""),
                  ".repeats", "same type and owner");
  expect_refused (mutated ("commitment", "enterprise_name", "repeats",
                           "\"application-form.enterprise_name\""),
                  ".repeats", "repeats nothing itself");
  expect_refused (mutated ("commitment", "promise_true", "repeats", "\"cover.enterprise_name\""),
                  "$.sections[9].fields[5]", "repeats");
  expect_refused (mutated ("cover", "district", "division_of", "\"cover.enterprise_name\""),
                  "$.sections[0].fields[6].division_of", "top-level uscc field");
  expect_refused (mutated ("field-survey", "agency_name", "account", "\"agency-code\""),
                  ".account", "unknown account value");
  expect_refused (mutated ("field-survey", "agency_name", "account", "\"agency-uscc\""),
                  ".account", "in a uscc field");
  expect_refused (mutated ("contract", "agency_name", "account", "\"agency-name\""),
                  ".account", "belongs to the coaching or the evaluating agency");
}

static void
test_loader_divisions (void)
{
  g_autoptr(JsonNode) root = mutated ("cover", "district", "division_of", "\"cover.uscc\"");
  JsonArray *sections = json_object_get_array_member (json_node_get_object (root), "sections");
  JsonObject *cover = json_array_get_object_element (sections, 0);
  JsonObject *district = json_array_get_object_element (
    json_object_get_array_member (cover, "fields"), 6);
  JsonArray *options = json_object_get_array_member (district, "options");
  JsonObject *first = json_array_get_object_element (options, 0);
  g_autoptr(JsonNode) bad = json_from_string ("[\"32058X\"]", NULL);

  g_assert_cmpstr (json_object_get_string_member (district, "id"), ==, "district");
  json_object_set_member (first, "divisions", g_steal_pointer (&bad));
  expect_refused (json_node_ref (root), "$.sections[0].fields[6].options[0].divisions[0]",
                  "not the start of a division code");

  /* No option with divisions: nothing to derive a district from. */
  for (guint i = 0; i < json_array_get_length (options); i++)
    json_object_remove_member (json_array_get_object_element (options, i), "divisions");
  expect_refused (json_node_ref (root), "$.sections[0].fields[6].division_of",
                  "no option of “cover.district” has “divisions”");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);

  g_test_add_func ("/identity/shipped", test_shipped_repeats);
  g_test_add_func ("/identity/carry", test_carry);
  g_test_add_func ("/identity/carry-phone-and-code", test_carry_phone_and_code);
  g_test_add_func ("/identity/district", test_district);
  g_test_add_func ("/identity/fill-account", test_fill_account);
  g_test_add_func ("/identity/loader", test_loader);
  g_test_add_func ("/identity/loader-divisions", test_loader_divisions);

  status = g_test_run ();
  g_clear_object (&registry);
  return status;
}
