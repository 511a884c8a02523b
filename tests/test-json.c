/* test-json.c — the strict readers behind every loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-json-private.h"

static void
test_parse_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = cp_json_parse ("{\"a\": ", -1, 0, "x.json", &error);
  g_assert_null (node);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, "x.json: "));
  g_clear_error (&error);

  node = cp_json_parse ("\"\xff\xfe\"", -1, 0, "latin.json", &error);
  g_assert_null (node);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
  g_clear_error (&error);

  node = cp_json_parse ("", 0, 0, "empty.json", &error);
  g_assert_null (node);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX);
  g_clear_error (&error);

  node = cp_json_parse ("[1,2,3]", -1, 4, "big.json", &error);
  g_assert_null (node);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE);
  g_clear_error (&error);

  node = cp_json_parse ("[1,2,3]", -1, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
}

static void
test_members (void)
{
  static const char * const known[] = { "id", "points", "items", "flag", NULL };
  g_autoptr(JsonNode) node = json_from_string ("{\"id\": \"a\", \"points\": 2.5, "
                                               "\"items\": [1], \"flag\": true}", NULL);
  JsonObject *object = json_node_get_object (node);
  g_autoptr(GError) error = NULL;
  const char *id = NULL;
  double points = 0;
  gint64 whole = 0;
  gboolean flag = FALSE;
  JsonArray *items = NULL;
  JsonObject *missing = NULL;
  CpJsonCtx ctx;
  gsize mark;

  cp_json_ctx_init (&ctx, "t.json");
  mark = cp_json_ctx_push_member (&ctx, "sections");
  cp_json_ctx_push_index (&ctx, 2);

  g_assert_true (cp_json_check_members (&ctx, object, known, &error));
  g_assert_true (cp_json_get_string (&ctx, object, "id", TRUE, &id, &error));
  g_assert_cmpstr (id, ==, "a");
  g_assert_true (cp_json_get_double (&ctx, object, "points", TRUE, &points, &error));
  g_assert_cmpfloat (points, ==, 2.5);
  g_assert_true (cp_json_get_boolean (&ctx, object, "flag", TRUE, &flag, &error));
  g_assert_true (flag);
  g_assert_true (cp_json_get_array (&ctx, object, "items", TRUE, &items, &error));
  g_assert_cmpuint (json_array_get_length (items), ==, 1);
  g_assert_true (cp_json_get_object (&ctx, object, "absent", FALSE, &missing, &error));
  g_assert_null (missing);
  g_assert_no_error (error);

  g_assert_false (cp_json_get_int (&ctx, object, "points", TRUE, &whole, &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_WRONG_TYPE);
  g_assert_cmpstr (error->message, ==, "t.json: $.sections[2].points: expected a whole number, "
                   "found a number");
  g_clear_error (&error);

  g_assert_false (cp_json_get_string (&ctx, object, "points", TRUE, &id, &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_WRONG_TYPE);
  g_clear_error (&error);

  g_assert_false (cp_json_get_string (&ctx, object, "title", TRUE, &id, &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_MISSING_MEMBER);
  g_assert_cmpstr (error->message, ==, "t.json: $.sections[2]: the member “title” is missing");
  g_clear_error (&error);

  cp_json_ctx_pop (&ctx, mark);
  g_assert_false (cp_json_check_members (&ctx, object, (const char * const[]) { "id", NULL },
                                         &error));
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_UNKNOWN_MEMBER);
  g_assert_cmpstr (error->message, ==, "t.json: $.points: unknown member “points”");
  cp_json_ctx_clear (&ctx);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/parse-errors", test_parse_errors);
  g_test_add_func ("/json/members", test_members);
  return g_test_run ();
}
