/* test-packet.c — the packet model and its JSON format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cp-json-private.h"
#include "cp-demo.h"
#include "cp-packet.h"
#include "cp-template-registry.h"

#include <glib/gstdio.h>

#define SHA_A "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_B "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static const char *sample =
  "{\"format\": 1,"
  " \"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\","
  " \"kind\": \"city-demonstration\", \"template_version\": \"2020.1\", \"year\": 2020,"
  " \"state\": \"draft\", \"created\": \"2020-03-01T08:00:00Z\","
  " \"modified\": \"2020-03-02T09:30:15.250000Z\", \"submitted_on\": \"2020-04-20\","
  " \"sections\": {\"cover\": {\"uscc\": \"91320506MA1XXXXX0X\", \"enterprise_name\": \"苏州某某科技有限公司\"},"
  "   \"survey\": {\"surveyors\": [{\"name\": \"王芳\", \"certificate\": \"XY-001\"}],"
  "     \"head_signature\": {\"signer\": \"李明\", \"role\": \"enterprise-head\","
  "       \"date\": \"2020-04-01\", \"scan\": \"" SHA_A "\"}, \"empty\": null}},"
  " \"attachments\": [{\"name\": \"receipt.pdf\", \"sha256\": \"" SHA_A "\", \"size\": 3,"
  "   \"mime\": \"application/pdf\"}],"
  " \"scoring\": {\"sheet\": \"jiangsu-2019\", \"sheet_version\": \"2019.12\","
  "   \"items\": {\"1.1.1\": {\"self\": 10, \"acceptance\": 8.5, \"note\": \"文件齐全\"},"
  "     \"1.1.2\": {\"self\": 5}}},"
  " \"review\": {\"seconds\": 600}}";

static CpPacket *
load (const char *json)
{
  g_autoptr(GError) error = NULL;
  CpPacket *packet = cp_packet_new_from_data (json, -1, "sample.json", &error);

  g_assert_no_error (error);
  g_assert_nonnull (packet);
  return packet;
}

static void
test_read (void)
{
  g_autoptr(CpPacket) packet = load (sample);
  const CpItemScore *score;
  const CpAttachment *attachment;
  JsonNode *surveyors;

  g_assert_cmpstr (cp_packet_get_uuid (packet), ==, "0f8fad5b-d9cb-469f-a165-70867728950e");
  g_assert_cmpstr (cp_packet_get_kind (packet), ==, "city-demonstration");
  g_assert_cmpstr (cp_packet_get_template_version (packet), ==, "2020.1");
  g_assert_cmpint (cp_packet_get_year (packet), ==, 2020);
  g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_DRAFT);
  g_assert_cmpstr (cp_packet_get_submitted_on (packet), ==, "2020-04-20");
  g_assert_cmpstr (cp_packet_get_enterprise_name (packet), ==, "苏州某某科技有限公司");
  g_assert_cmpstr (cp_packet_get_uscc (packet), ==, "91320506MA1XXXXX0X");
  g_assert_cmpint (g_date_time_get_microsecond (cp_packet_get_modified (packet)), ==, 250000);

  /* A null value is the same as no value. */
  g_assert_null (cp_packet_get_value (packet, "survey", "empty"));
  surveyors = cp_packet_get_value (packet, "survey", "surveyors");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (surveyors));
  g_assert_null (cp_packet_get_string (packet, "survey", "surveyors"));

  attachment = cp_packet_find_attachment (packet, SHA_A);
  g_assert_nonnull (attachment);
  g_assert_cmpstr (attachment->name, ==, "receipt.pdf");
  g_assert_cmpuint (attachment->size, ==, 3);

  g_assert_cmpstr (cp_packet_get_sheet_id (packet), ==, "jiangsu-2019");
  score = cp_packet_get_score (packet, "1.1.1");
  g_assert_true (score->has_self && score->has_acceptance);
  g_assert_cmpfloat (score->self, ==, 10);
  g_assert_cmpfloat (score->acceptance, ==, 8.5);
  g_assert_cmpstr (score->note, ==, "文件齐全");
  score = cp_packet_get_score (packet, "1.1.2");
  g_assert_true (score->has_self);
  g_assert_false (score->has_acceptance);
  g_assert_cmpint (cp_packet_get_review_seconds (packet, NULL), ==, 600);
}

static void
test_round_trip (void)
{
  g_autoptr(CpPacket) packet = load (sample);
  g_autofree char *first = cp_packet_to_data (packet, FALSE, NULL);
  g_autoptr(CpPacket) again = load (first);
  g_autofree char *second = cp_packet_to_data (again, FALSE, NULL);
  g_autoptr(CpPacket) copy = cp_packet_copy (again);
  g_autofree char *third = cp_packet_to_data (copy, TRUE, NULL);
  g_autoptr(CpPacket) from_pretty = load (third);
  g_autofree char *fourth = cp_packet_to_data (from_pretty, FALSE, NULL);

  g_assert_cmpstr (first, ==, second);
  g_assert_cmpstr (first, ==, fourth);
  /* Canonical: members sorted, so enterprise_name comes before uscc whatever the input order. */
  g_assert_true (strstr (first, "\"enterprise_name\"") < strstr (first, "\"uscc\""));
  g_assert_nonnull (strstr (first, "\"modified\":\"2020-03-02T09:30:15.250000Z\""));
  g_assert_nonnull (strstr (first, "\"acceptance\":8.5"));
  g_assert_null (strstr (first, "\"empty\""));
}

typedef struct
{
  const char *find;
  const char *replace;
  CpJsonError code;
  const char *path;
} BadCase;

static void
test_refuse (void)
{
  static const BadCase cases[] = {
    { "\"year\": 2020", "\"year\": \"2020\"", CP_JSON_ERROR_WRONG_TYPE, "$.year" },
    { "\"year\": 2020", "\"year\": 2020.5", CP_JSON_ERROR_WRONG_TYPE, "$.year" },
    { "\"format\": 1", "\"format\": 2", CP_JSON_ERROR_UNSUPPORTED, "$" },
    { "\"format\": 1,", "\"format\": 1, \"colour\": \"red\",", CP_JSON_ERROR_UNKNOWN_MEMBER,
      "$.colour" },
    { "0f8fad5b-d9cb", "0f8fad5b_d9cb", CP_JSON_ERROR_INVALID_VALUE, "$.uuid" },
    { "\"state\": \"draft\"", "\"state\": \"lost\"", CP_JSON_ERROR_INVALID_VALUE, "$.state" },
    { "\"submitted_on\": \"2020-04-20\"", "\"submitted_on\": \"2020-02-30\"",
      CP_JSON_ERROR_INVALID_VALUE, "$.submitted_on" },
    { "\"created\": \"2020-03-01T08:00:00Z\"", "\"created\": \"yesterday\"",
      CP_JSON_ERROR_INVALID_VALUE, "$.created" },
    { "\"uuid\": \"0f8fad5b-d9cb-469f-a165-70867728950e\",", "", CP_JSON_ERROR_MISSING_MEMBER,
      "$" },
    { "\"size\": 3", "\"size\": -3", CP_JSON_ERROR_INVALID_VALUE, "$.attachments[0]" },
    { "\"name\": \"receipt.pdf\"", "\"name\": \"../../etc/passwd\"", CP_JSON_ERROR_INVALID_VALUE,
      "$.attachments[0]" },
    { "\"mime\": \"application/pdf\"", "\"mime\": \"pdf\"", CP_JSON_ERROR_INVALID_VALUE,
      "$.attachments[0]" },
    { "\"sha256\": \"" SHA_A "\"", "\"sha256\": \"XYZ\"", CP_JSON_ERROR_INVALID_VALUE,
      "$.attachments[0]" },
    { "\"acceptance\": 8.5", "\"acceptance\": \"8.5\"", CP_JSON_ERROR_WRONG_TYPE,
      "$.scoring.items.1.1.1.acceptance" },
    { "\"cover\": {", "\"cover\": 5, \"x\": {", CP_JSON_ERROR_WRONG_TYPE, "$.sections.cover" },
    { "\"sections\": {", "\"sections\": {\"a b\": {}, ", CP_JSON_ERROR_INVALID_VALUE,
      "$.sections.a b" },
    { "\"seconds\": 600", "\"seconds\": -1", CP_JSON_ERROR_INVALID_VALUE, "$.review" },
    /* Values that the canonical writer cannot write so that they read back (issue 13): json-glib
     * writes 1e20 as "1e+20.0" and 1e-8 as "1e-08.0"; a year 26 as "26-03-01T…". */
    { "\"certificate\": \"XY-001\"", "\"certificate\": 1e20", CP_JSON_ERROR_INVALID_VALUE,
      "$.sections.survey.surveyors[0].certificate" },
    { "\"certificate\": \"XY-001\"", "\"certificate\": 1e-8", CP_JSON_ERROR_INVALID_VALUE,
      "$.sections.survey.surveyors[0].certificate" },
    { "\"certificate\": \"XY-001\"", "\"certificate\": 2000000000000000",
      CP_JSON_ERROR_INVALID_VALUE, "$.sections.survey.surveyors[0].certificate" },
    { "\"acceptance\": 8.5", "\"acceptance\": 1e300", CP_JSON_ERROR_INVALID_VALUE,
      "$.scoring.items.1.1.1" },
    { "\"created\": \"2020-03-01T08:00:00Z\"", "\"created\": \"0026-12-02T08:00:00Z\"",
      CP_JSON_ERROR_INVALID_VALUE, "$.created" },
    { "\"modified\": \"2020-03-02T09:30:15.250000Z\"",
      "\"modified\": \"3000-01-01T00:00:00Z\"", CP_JSON_ERROR_INVALID_VALUE, "$.modified" },
    { "\"seconds\": 600", "\"seconds\": 600, \"running_since\": \"1899-12-31T23:59:59Z\"",
      CP_JSON_ERROR_INVALID_VALUE, "$.review.running_since" },
    /* Refused before json-glib reads them (cp_json_check_text). */
    { "\"王芳\"", "\"ent1\\u0000xyz\"", CP_JSON_ERROR_SYNTAX, "byte" },
    { "\"王芳\"", "\"\\ud800\"", CP_JSON_ERROR_SYNTAX, "byte" },
    { "\"王芳\"", "\"\\udc00\\ud800\"", CP_JSON_ERROR_SYNTAX, "byte" },
    { "\"year\": 2020", "\"year\": 1e400", CP_JSON_ERROR_SYNTAX, "byte" },
    { "\"size\": 3", "\"size\": 99999999999999999999999", CP_JSON_ERROR_SYNTAX, "byte" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) json = g_string_new (sample);
      g_autoptr(GError) error = NULL;
      g_autoptr(CpPacket) packet = NULL;
      g_autofree char *expect = NULL;

      g_assert_cmpuint (g_string_replace (json, cases[i].find, cases[i].replace, 1), ==, 1);
      packet = cp_packet_new_from_data (json->str, -1, "bad.json", &error);
      g_assert_null (packet);
      g_assert_error (error, CP_JSON_ERROR, cases[i].code);
      expect = g_strdup_printf ("bad.json: %s", cases[i].path);
      if (!g_str_has_prefix (error->message, expect))
        g_error ("case %u: “%s” does not start with “%s”", i, error->message, expect);
    }
}

/* The canonical text as json-glib's generator writes cp_packet_to_json(): the form that stored
 * hashes and receipts were made with before the packet wrote its text itself. */
static char *
generator_text (CpPacket *packet)
{
  g_autoptr(JsonNode) root = cp_packet_to_json (packet);
  g_autoptr(JsonGenerator) generator = json_generator_new ();

  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

static void
assert_same_text (CpPacket   *packet,
                  const char *what)
{
  g_autofree char *expected = generator_text (packet);
  g_autofree char *text = NULL;
  g_autofree char *verified = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *expected_sha256 = NULL;
  g_autoptr(GError) error = NULL;
  gsize length = 0;

  text = cp_packet_to_data (packet, FALSE, &length);
  if (g_strcmp0 (text, expected) != 0)
    g_error ("%s: the canonical text differs from json-glib's:\n%s\n%s", what, text, expected);
  g_assert_cmpuint (length, ==, strlen (expected));

  verified = cp_packet_to_verified_data_full (packet, &length, &sha256, &error);
  if (verified == NULL)
    return;  /* Refused as it was before, on the same text. */
  g_assert_cmpstr (verified, ==, expected);
  expected_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, expected, -1);
  g_assert_cmpstr (sha256, ==, expected_sha256);
}

static void
assert_same_text_of_data (const char *data,
                          gsize       length,
                          const char *what)
{
  g_autoptr(CpPacket) packet = cp_packet_new_from_data (data, (gssize) length, what, NULL);

  if (packet != NULL)
    assert_same_text (packet, what);
}

/* Byte for byte the text json-glib 1.6 writes, on every fixture, fuzz seed and demo packet, and
 * on strings with every escape. */
static void
test_canonical_text (void)
{
  const char *dirs[] = { "data/packets", "fuzz/corpus/packet" };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(GStrvBuilder) escapes = g_strv_builder_new ();
  g_auto(GStrv) strings = NULL;
  g_autoptr(JsonNode) array = NULL;
  g_autoptr(CpPacket) edited = NULL;
  guint n_files = 0;

  assert_same_text_of_data (sample, strlen (sample), "sample");

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *path = g_test_build_filename (G_TEST_DIST, dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      const char *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, name, NULL);
          g_autofree char *data = NULL;
          gsize length = 0;

          g_assert_true (g_file_get_contents (file, &data, &length, NULL));
          assert_same_text_of_data (data, length, name);
          n_files++;
        }
    }
  g_assert_cmpuint (n_files, >, 100);

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) kinds = cp_template_registry_list_kinds (registry);

    g_assert_cmpuint (kinds->len, >, 0);
    for (guint i = 0; i < kinds->len; i++)
      for (guint seed = 1; seed <= 3; seed++)
        {
          const char *kind = cp_template_get_id (g_ptr_array_index (kinds, i));
          g_autoptr(CpPacket) demo = cp_demo_packet (registry, kind, seed);

          g_assert_nonnull (demo);
          assert_same_text (demo, kind);
        }
  }

  /* Every byte that json-glib escapes, the one it forgets (0x1f), and non-ASCII text. */
  for (guint c = 1; c < 0x80; c++)
    {
      char text[4] = { 'a', (char) c, 'b', '\0' };

      g_strv_builder_add (escapes, text);
    }
  g_strv_builder_add (escapes, "苏州 “引号” \xf0\x9f\x98\x80");
  strings = g_strv_builder_end (escapes);
  array = json_node_init_array (json_node_alloc (), json_array_new ());
  for (guint i = 0; strings[i] != NULL; i++)
    json_array_add_string_element (json_node_get_array (array), strings[i]);
  for (guint i = 0; i < 6; i++)
    json_array_add_double_element (json_node_get_array (array),
                                   (double[]) { 0.1, -2.5, 3.0, 1e14, 123456.789, 0.3 }[i]);
  json_array_add_int_element (json_node_get_array (array), -7);
  json_array_add_boolean_element (json_node_get_array (array), TRUE);
  json_array_add_null_element (json_node_get_array (array));
  edited = load (sample);
  cp_packet_set_value (edited, "survey", "notes", g_steal_pointer (&array));
  assert_same_text (edited, "escapes");
}

/* What is written reads back as the same packet, byte for byte; what cannot is refused. */
static void
test_verified_data (void)
{
  g_autoptr(CpPacket) packet = load (sample);
  g_autoptr(GError) error = NULL;
  g_autofree char *plain = cp_packet_to_data (packet, FALSE, NULL);
  g_autofree char *verified = NULL;
  gsize length = 0;

  verified = cp_packet_to_verified_data (packet, &length, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (verified, ==, plain);
  g_assert_cmpuint (length, ==, strlen (plain));

  g_assert_true (cp_packet_number_is_valid (0));
  g_assert_true (cp_packet_number_is_valid (-1250.5));
  g_assert_true (cp_packet_number_is_valid (0.1));
  g_assert_true (cp_packet_number_is_valid (CP_PACKET_MAX_NUMBER));
  g_assert_false (cp_packet_number_is_valid (1e20));
  g_assert_false (cp_packet_number_is_valid (1e-8));
  g_assert_false (cp_packet_number_is_valid (2 * CP_PACKET_MAX_NUMBER));
  g_assert_false (cp_packet_number_is_valid (INFINITY));
  g_assert_false (cp_packet_number_is_valid (NAN));

  g_assert_true (cp_uuid_is_valid ("0f8fad5b-d9cb-469f-a165-70867728950e"));
  g_assert_false (cp_uuid_is_valid ("0F8FAD5B-D9CB-469F-A165-70867728950E"));
  g_assert_false (cp_uuid_is_valid ("../../../../tmp/x"));
  g_assert_false (cp_uuid_is_valid ("0f8fad5b-d9cb-469f-a165-70867728950e/.."));
  g_assert_false (cp_uuid_is_valid (""));
  g_assert_false (cp_uuid_is_valid (NULL));
  g_assert_true (cp_sha256_is_valid (SHA_A));
  g_assert_false (cp_sha256_is_valid ("../" SHA_A));
  g_assert_false (cp_sha256_is_valid ("abc"));
}

static void
test_id_is_valid (void)
{
  static const char * const valid[] = {
    "0f8fad5b-d9cb-469f-a165-70867728950e",  /* a UUID, as packets and kinds may be named */
    "0F8FAD5B-D9CB-469F-A165-70867728950E",
    "cover", "city-demonstration", "group_2", "A.1.1", "HIGH", "x",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  /* 64 */
  };
  static const char * const invalid[] = {
    "",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",  /* 65 */
    "a b", "a\"b", "a'b", "a:b", "a,b", "a[1]", "a\tb", "a\nb", "\x7f", "é", "名称",
    "../cover", "a/b", "a\\b", "/", "\\", ".", "..", ".cover", "-cover", "_cover",
  };
  const char with_nul[] = { 'a', '\0', 'b', '\0' };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    g_assert_true (cp_id_is_valid (valid[i]));
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_test_message ("%s", invalid[i]);
      g_assert_false (cp_id_is_valid (invalid[i]));
    }
  /* The id ends at a NUL: what follows it is not read as part of it. */
  g_assert_true (cp_id_is_valid (with_nul));
  g_assert_false (cp_id_is_valid (with_nul + 1));
  g_assert_false (cp_id_is_valid (NULL));
}

static void
test_refuse_garbage (void)
{
  static const char * const inputs[] = {
    "", "nul", "[]", "42", "{\"format\": 1", "\xef\xbb\xbf{\"format\": 1}", "\xff",
  };
  g_autoptr(GString) deep = g_string_new (sample);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) huge = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(CpPacket) p = cp_packet_new_from_data (inputs[i], -1, "junk", &e);

      g_assert_null (p);
      g_assert_error (e, CP_JSON_ERROR, e->code);
    }

  g_string_replace (deep, "\"empty\": null", "\"empty\": [[[[[[[[1]]]]]]]]", 1);
  packet = cp_packet_new_from_data (deep->str, -1, "deep.json", &error);
  g_assert_null (packet);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE);
  g_clear_error (&error);

  /* Far deeper than json-glib's recursive parser survives: refused before it sees the bytes. */
  {
    g_autoptr(GString) nested = g_string_new ("{\"format\": 1, \"x\": ");

    for (guint i = 0; i < 100000; i++)
      g_string_append_c (nested, '[');
    for (guint i = 0; i < 100000; i++)
      g_string_append_c (nested, ']');
    g_string_append_c (nested, '}');
    packet = cp_packet_new_from_data (nested->str, (gssize) nested->len, "nested.json", &error);
    g_assert_null (packet);
    g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_DEEP);
    g_clear_error (&error);
  }

  huge = g_string_sized_new (CP_PACKET_MAX_SIZE + 16);
  g_string_append (huge, "\"");
  while (huge->len < CP_PACKET_MAX_SIZE + 8)
    g_string_append (huge, "xxxxxxxxxxxxxxxx");
  g_string_append (huge, "\"");
  packet = cp_packet_new_from_data (huge->str, (gssize) huge->len, "huge.json", &error);
  g_assert_null (packet);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE);
}

static void
changed_cb (CpPacket   *packet,
            const char *section,
            const char *field,
            GPtrArray  *log)
{
  g_ptr_array_add (log, g_strdup_printf ("%s/%s", section ? section : "-", field ? field : "-"));
}

static void
test_edit (void)
{
  g_autoptr(CpPacket) packet = cp_packet_new ("standardization-acceptance", "2020.1");
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDateTime) t0 = g_date_time_new_utc (2020, 5, 1, 9, 0, 0);
  g_autoptr(GDateTime) t1 = g_date_time_add_minutes (t0, 90);
  g_autoptr(GDateTime) t2 = g_date_time_add_minutes (t1, 30);
  g_autoptr(GDateTime) t3 = g_date_time_add_minutes (t2, 45);
  const CpItemScore *score;
  g_autoptr(GPtrArray) sections = NULL;

  g_assert_true (g_uuid_string_is_valid (cp_packet_get_uuid (packet)));
  g_signal_connect (packet, "changed", G_CALLBACK (changed_cb), log);

  cp_packet_set_string (packet, "cover", "enterprise_name", "常熟某某纺织有限公司");
  cp_packet_set_string (packet, "cover", "enterprise_name", "常熟某某纺织有限公司");
  cp_packet_set_number (packet, "form", "assets_2019", 1234.5);
  g_assert_cmpuint (log->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, "cover/enterprise_name");
  g_assert_cmpfloat (json_node_get_double (cp_packet_get_value (packet, "form", "assets_2019")),
                     ==, 1234.5);

  cp_packet_set_value (packet, "form", "assets_2019", NULL);
  g_assert_null (cp_packet_get_section (packet, "form"));
  sections = cp_packet_list_sections (packet);
  g_assert_cmpuint (sections->len, ==, 1);

  cp_packet_add_attachment (packet, "a.pdf", SHA_A, 3, "application/pdf");
  cp_packet_add_attachment (packet, "b.png", SHA_B, 0, "image/png");
  cp_packet_add_attachment (packet, "a-renamed.pdf", SHA_A, 3, "application/pdf");
  g_assert_cmpuint (cp_packet_get_attachments (packet)->len, ==, 2);
  g_assert_cmpstr (cp_packet_find_attachment (packet, SHA_A)->name, ==, "a-renamed.pdf");
  g_assert_true (cp_packet_remove_attachment (packet, SHA_B));
  g_assert_false (cp_packet_remove_attachment (packet, SHA_B));

  cp_packet_set_sheet (packet, "jiangsu-2019", "2019.12");
  cp_packet_set_score (packet, "2.1.1", CP_SCORE_ACCEPTANCE, 30);
  cp_packet_set_score (packet, "2.1.1", CP_SCORE_SELF, 25);
  cp_packet_set_score_note (packet, "2.1.1", "信用管理部设立文件");
  score = cp_packet_get_score (packet, "2.1.1");
  g_assert_cmpfloat (score->acceptance, ==, 30);
  g_assert_cmpfloat (score->self, ==, 25);
  cp_packet_unset_score (packet, "2.1.1", CP_SCORE_SELF);
  cp_packet_unset_score (packet, "2.1.1", CP_SCORE_ACCEPTANCE);
  cp_packet_set_score_note (packet, "2.1.1", NULL);
  g_assert_null (cp_packet_get_score (packet, "2.1.1"));

  cp_packet_start_review_clock (packet, t0);
  g_assert_true (cp_packet_get_review_running (packet));
  g_assert_cmpint (cp_packet_get_review_seconds (packet, t1), ==, 90 * 60);
  cp_packet_stop_review_clock (packet, t1);
  g_assert_cmpint (cp_packet_get_review_seconds (packet, t3), ==, 90 * 60);
  cp_packet_start_review_clock (packet, t2);
  g_assert_cmpint (cp_packet_get_review_seconds (packet, t3), ==, 135 * 60);

  {
    /* The running clock survives a round trip. */
    g_autofree char *data = cp_packet_to_data (packet, FALSE, NULL);
    g_autoptr(CpPacket) again = load (data);

    g_assert_true (cp_packet_get_review_running (again));
    g_assert_cmpint (cp_packet_get_review_seconds (again, t3), ==, 135 * 60);
  }

  cp_packet_set_state (packet, CP_PACKET_STATE_READY);
  g_assert_cmpstr (cp_packet_state_to_string (cp_packet_get_state (packet)), ==, "ready");
  g_assert_finalize_object (g_steal_pointer (&packet));
}

/* Values inside fields: group entries and signature parts, and paths that do not fit. */
static void
test_value_at (void)
{
  g_autoptr(CpPacket) packet = load (sample);
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JsonNode *node;
  JsonNode *group;

  g_signal_connect (packet, "changed", G_CALLBACK (changed_cb), log);

  node = cp_packet_get_value_at (packet, "survey", "surveyors", 0, "name");
  g_assert_cmpstr (json_node_get_string (node), ==, "王芳");
  node = cp_packet_get_value_at (packet, "survey", "head_signature", -1, "role");
  g_assert_cmpstr (json_node_get_string (node), ==, "enterprise-head");
  node = cp_packet_get_value_at (packet, "cover", "uscc", -1, NULL);
  g_assert_cmpstr (json_node_get_string (node), ==, "91320506MA1XXXXX0X");
  g_assert_true (cp_packet_get_value_at (packet, "survey", "surveyors", -1, NULL) ==
                 cp_packet_get_value (packet, "survey", "surveyors"));

  /* Places that are not there, or do not fit the value, are NULL. */
  g_assert_null (cp_packet_get_value_at (packet, "survey", "empty", -1, NULL));
  g_assert_null (cp_packet_get_value_at (packet, "survey", "no_such_field", 0, "name"));
  g_assert_null (cp_packet_get_value_at (packet, "no_such_section", "surveyors", 0, "name"));
  g_assert_null (cp_packet_get_value_at (packet, "survey", "surveyors", 1, "name"));
  g_assert_null (cp_packet_get_value_at (packet, "survey", "surveyors", 0, "phone"));
  g_assert_null (cp_packet_get_value_at (packet, "cover", "uscc", 0, "name"));
  g_assert_null (cp_packet_get_value_at (packet, "cover", "uscc", -1, "name"));
  g_assert_null (cp_packet_get_value_at (packet, "survey", "head_signature", 0, "role"));
  g_assert_null (cp_packet_get_value_at (packet, "survey", "surveyors", 0, "name.first"));

  /* Setting inside a group entry and a signature. */
  g_assert_true (cp_packet_set_value_at (packet, "survey", "surveyors", 0, "certificate",
                                         json_node_init_string (json_node_alloc (), "XY-002")));
  node = cp_packet_get_value_at (packet, "survey", "surveyors", 0, "certificate");
  g_assert_cmpstr (json_node_get_string (node), ==, "XY-002");
  g_assert_cmpstr (json_node_get_string (cp_packet_get_value_at (packet, "survey", "surveyors",
                                                                 0, "name")), ==, "王芳");
  g_assert_true (cp_packet_set_value_at (packet, "survey", "surveyors", 0, "certificate", NULL));
  g_assert_null (cp_packet_get_value_at (packet, "survey", "surveyors", 0, "certificate"));
  g_assert_true (cp_packet_set_value_at (packet, "survey", "head_signature", -1, "signer",
                                         json_node_init_string (json_node_alloc (), "赵六")));
  g_assert_cmpstr (json_node_get_string (cp_packet_get_value_at (packet, "survey",
                                                                 "head_signature", -1,
                                                                 "signer")), ==, "赵六");
  g_assert_cmpuint (log->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (log, 0), ==, "survey/surveyors");
  g_assert_cmpstr (g_ptr_array_index (log, 2), ==, "survey/head_signature");

  /* A member of an unset field makes it an object; the last member gone unsets it. */
  g_assert_true (cp_packet_set_value_at (packet, "survey", "stamp", -1, "date",
                                         json_node_init_string (json_node_alloc (),
                                                                "2020-04-02")));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (cp_packet_get_value (packet, "survey", "stamp")));
  g_assert_true (cp_packet_set_value_at (packet, "survey", "stamp", -1, "date", NULL));
  g_assert_null (cp_packet_get_value (packet, "survey", "stamp"));

  /* The whole field. */
  g_assert_true (cp_packet_set_value_at (packet, "cover", "phone", -1, NULL,
                                         json_node_init_string (json_node_alloc (),
                                                                "0512-1234567")));
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "phone"), ==, "0512-1234567");
  g_assert_true (cp_packet_set_value_at (packet, "cover", "phone", -1, NULL, NULL));
  g_assert_null (cp_packet_get_value (packet, "cover", "phone"));

  /* Paths that do not fit change nothing and say so, without a critical. */
  g_ptr_array_set_size (log, 0);
  before = cp_packet_to_data (packet, FALSE, NULL);
  g_assert_false (cp_packet_set_value_at (packet, "survey", "no_such_field", 0, "name",
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "survey", "surveyors", 1, "name",
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "survey", "surveyors", 0, NULL,
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "cover", "uscc", 0, "name",
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "cover", "uscc", -1, "name",
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "survey", "head_signature", 0, "signer",
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "survey", "bad field", -1, NULL,
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "survey", "head_signature", -1, "",
                                          json_node_init_string (json_node_alloc (), "x")));
  g_assert_false (cp_packet_set_value_at (packet, "survey", "surveyors", 0, "name",
                                          json_node_init_double (json_node_alloc (), 1e20)));
  group = cp_packet_get_value (packet, "survey", "surveyors");
  json_array_add_string_element (json_node_get_array (group), "not an entry");
  g_assert_false (cp_packet_set_value_at (packet, "survey", "surveyors", 1, "name",
                                          json_node_init_string (json_node_alloc (), "x")));
  json_array_remove_element (json_node_get_array (group), 1);
  after = cp_packet_to_data (packet, FALSE, NULL);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpuint (log->len, ==, 0);
}

static void
test_file_hashes (void)
{
  g_autoptr(JsonNode) single = json_from_string ("\"" SHA_A "\"", NULL);
  g_autoptr(JsonNode) several = json_from_string ("[\"" SHA_A "\", 3, null, \"" SHA_B "\"]",
                                                  NULL);
  g_autoptr(JsonNode) number = json_from_string ("42", NULL);
  g_autoptr(JsonNode) object = json_from_string ("{\"scan\": \"" SHA_A "\"}", NULL);
  g_autoptr(GPtrArray) none = cp_packet_get_file_hashes (NULL);
  g_autoptr(GPtrArray) one = cp_packet_get_file_hashes (single);
  g_autoptr(GPtrArray) two = cp_packet_get_file_hashes (several);
  g_autoptr(GPtrArray) from_number = cp_packet_get_file_hashes (number);
  g_autoptr(GPtrArray) from_object = cp_packet_get_file_hashes (object);

  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (one->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (one, 0), ==, SHA_A);
  g_assert_cmpuint (two->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (two, 0), ==, SHA_A);
  g_assert_cmpstr (g_ptr_array_index (two, 1), ==, SHA_B);
  g_assert_cmpuint (from_number->len, ==, 0);
  g_assert_cmpuint (from_object->len, ==, 0);
}

static void
test_states (void)
{
  static const char * const names[] = { "draft", "ready", "submitted", "returned", "accepted" };
  CpPacketState state;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_assert_true (cp_packet_state_from_string (names[i], &state));
      g_assert_cmpint (state, ==, i);
      g_assert_cmpstr (cp_packet_state_to_string (state), ==, names[i]);
    }
  g_assert_false (cp_packet_state_from_string ("Draft", &state));
  g_assert_true (cp_sha256_is_valid (SHA_A));
  g_assert_false (cp_sha256_is_valid ("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
  g_assert_false (cp_sha256_is_valid (SHA_A "0"));
}

static void
test_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cp-packet-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "p.json", NULL);
  g_autoptr(CpPacket) packet = NULL;

  g_assert_no_error (error);
  packet = cp_packet_new_from_file (path, &error);
  g_assert_null (packet);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  packet = cp_packet_new_from_file (dir, &error);
  g_assert_null (packet);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (path, sample, -1, &error));
  packet = cp_packet_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_kind (packet), ==, "city-demonstration");

  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/packet/read", test_read);
  g_test_add_func ("/packet/round-trip", test_round_trip);
  g_test_add_func ("/packet/refuse", test_refuse);
  g_test_add_func ("/packet/refuse-garbage", test_refuse_garbage);
  g_test_add_func ("/packet/id-is-valid", test_id_is_valid);
  g_test_add_func ("/packet/verified-data", test_verified_data);
  g_test_add_func ("/packet/canonical-text", test_canonical_text);
  g_test_add_func ("/packet/edit", test_edit);
  g_test_add_func ("/packet/value-at", test_value_at);
  g_test_add_func ("/packet/file-hashes", test_file_hashes);
  g_test_add_func ("/packet/states", test_states);
  g_test_add_func ("/packet/file", test_file);
  return g_test_run ();
}
