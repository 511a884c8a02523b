/* test-text.c — localized strings from data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-text.h"

static CpText *
parse (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);
  g_autoptr(GError) error = NULL;
  CpText *text;

  g_assert_nonnull (node);
  text = cp_text_new_from_json (node, &error);
  g_assert_no_error (error);
  return text;
}

static void
test_locale (void)
{
  g_autoptr(CpText) plain = parse ("\"Cover\"");
  g_autoptr(CpText) both = parse ("{\"en\": \"Cover\", \"zh_CN\": \"封面\"}");
  g_autoptr(CpText) zh = parse ("{\"zh\": \"目录\"}");

  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  /* LANGUAGE is ignored under the C locale by gettext, but g_get_language_names reads it. */
  g_assert_cmpstr (cp_text_get (both), ==, "封面");
  g_assert_cmpstr (cp_text_get (plain), ==, "Cover");
  g_assert_cmpstr (cp_text_get (zh), ==, "目录");

  g_setenv ("LANGUAGE", "en_GB", TRUE);
  g_assert_cmpstr (cp_text_get (both), ==, "Cover");
  /* No English: any translation rather than nothing. */
  g_assert_cmpstr (cp_text_get (zh), ==, "目录");

  g_assert_cmpstr (cp_text_get_for (both, "zh_CN"), ==, "封面");
  g_assert_null (cp_text_get_for (both, "fr"));
}

static void
test_errors (void)
{
  static const char * const bad[] = {
    "42", "[\"x\"]", "{}", "{\"en\": 3}", "{\"not a lang\": \"x\"}", "null",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (bad[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(CpText) text = cp_text_new_from_json (node, &error);

      g_assert_null (text);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    }
}

static void
test_round_trip (void)
{
  g_autoptr(CpText) both = parse ("{\"en\": \"Cover\", \"zh_CN\": \"封面\"}");
  g_autoptr(CpText) plain = parse ("\"Cover\"");
  g_autoptr(JsonNode) a = cp_text_to_json (both);
  g_autoptr(JsonNode) b = cp_text_to_json (plain);
  g_autofree char *sa = json_to_string (a, FALSE);
  g_autofree char *sb = json_to_string (b, FALSE);

  g_assert_cmpstr (sa, ==, "{\"en\":\"Cover\",\"zh_CN\":\"封面\"}");
  g_assert_cmpstr (sb, ==, "\"Cover\"");
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/text/locale", test_locale);
  g_test_add_func ("/text/errors", test_errors);
  g_test_add_func ("/text/round-trip", test_round_trip);
  return g_test_run ();
}
