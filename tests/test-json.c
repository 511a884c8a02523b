/* test-json.c — the strict readers behind every loader
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
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

static GString *
nested (guint depth,
        char  open,
        char  close)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, open);
  if (open == '{')
    {
      g_string_truncate (text, 0);
      for (guint i = 0; i < depth; i++)
        g_string_append (text, "{\"a\":");
      g_string_append (text, "1");
    }
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, close);
  return text;
}

/* Issue 13: a body 100,000 levels deep overflowed json-glib's recursive parser (the server
 * segfaulted on one login); the scanner refuses it before json-glib sees it. */
static void
test_depth (void)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(GString) ok = nested (CP_JSON_MAX_DEPTH, '[', ']');
    g_autoptr(GString) ok_objects = nested (CP_JSON_MAX_DEPTH, '{', '}');
    g_autoptr(JsonNode) a = cp_json_parse (ok->str, (gssize) ok->len, 0, "ok", &error);
    g_autoptr(JsonNode) b = NULL;

    g_assert_no_error (error);
    g_assert_nonnull (a);
    b = cp_json_parse (ok_objects->str, (gssize) ok_objects->len, 0, "ok", &error);
    g_assert_no_error (error);
    g_assert_nonnull (b);
  }

  for (guint i = 0; i < 3; i++)
    {
      static const guint depths[] = { CP_JSON_MAX_DEPTH + 1, 20000, 100000 };
      g_autoptr(GString) deep = nested (depths[i], i == 1 ? '{' : '[', i == 1 ? '}' : ']');
      g_autoptr(JsonNode) node = cp_json_parse (deep->str, (gssize) deep->len, 0, "deep.json",
                                                &error);

      g_assert_null (node);
      g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_DEEP);
      g_assert_true (g_str_has_prefix (error->message, "deep.json: byte "));
      g_clear_error (&error);
    }

  /* Brackets inside strings do not count; escaped quotes do not end a string. */
  {
    g_autoptr(GString) text = g_string_new ("[\"");

    for (guint i = 0; i < 1000; i++)
      g_string_append (text, "[{\\\"");
    g_string_append (text, "\"]");
    g_assert_true (cp_json_check_text (text->str, text->len, 2, NULL, &error));
    g_assert_no_error (error);
  }
}

static void
test_text_checks (void)
{
  static const struct
  {
    const char *text;
    gboolean    ok;
  } cases[] = {
    { "[\"a\\u0000b\"]", FALSE },                 /* json-glib truncates at U+0000 */
    { "{\"user\\u0000\": 1}", FALSE },            /* in a member name too */
    { "[\"\\ud800\"]", FALSE },                   /* a lone high surrogate */
    { "[\"\\ud800x\"]", FALSE },
    { "[\"\\ud800\\u0041\"]", FALSE },           /* high, then not a low one */
    { "[\"\\udc00\"]", FALSE },                   /* a lone low surrogate */
    { "[\"\\ud83d\\ude00\"]", TRUE },           /* a pair: 😀 */
    { "[\"\\u00e9\\u4e2d\"]", TRUE },
    { "[\"\\\\u0000\"]", TRUE },                /* an escaped backslash, then "u0000" */
    { "[1e400]", FALSE },
    { "[-1e400]", FALSE },
    { "[1e-400]", FALSE },
    { "[99999999999999999999999]", FALSE },       /* json-glib wraps it to -1 */
    { "[9223372036854775808]", FALSE },
    { "[9223372036854775807, -9223372036854775808]", TRUE },
    { "[1.5e300, -0.0, 0.1, 1e20]", TRUE },       /* readable (writing is another matter) */
    { "[\"1e400\"]", TRUE },
    { "[1e+20.0]", FALSE },                       /* json-glib's writing of 1e20 */
    { "[1.5.3]", FALSE },
    /* json-glib takes escapes JSON does not have, and decodes a short \u escape followed by a
     * Chinese character into invalid UTF-8 (found by tests/fuzz/fuzz-packet). */
    { "[\"\\q\"]", FALSE },
    { "[\"\\uZZZZ\"]", FALSE },
    { "[\"\\uE\xe4\xbc\x81\"]", FALSE },
    { "[\"\\u00e\xe4\xbc\x81\"]", FALSE },
    { "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]", TRUE },
    { "[1.0000000000000000000000000000000000000000000000000000000000000000001]", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = cp_json_parse (cases[i].text, -1, 0, "t.json", &error);

      if (cases[i].ok)
        {
          g_assert_no_error (error);
          g_assert_nonnull (node);
        }
      else
        {
          if (node != NULL)
            g_error ("case %u (%s) was accepted", i, cases[i].text);
          g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX);
        }
    }

  g_assert_true (cp_json_double_is_writable (0));
  g_assert_true (cp_json_double_is_writable (0.1));
  g_assert_true (cp_json_double_is_writable (1.5e16));
  g_assert_true (cp_json_double_is_writable (-2.5e-5));
  g_assert_false (cp_json_double_is_writable (1e17));
  g_assert_false (cp_json_double_is_writable (1e20));
  g_assert_false (cp_json_double_is_writable (1e-8));
  g_assert_false (cp_json_double_is_writable (INFINITY));
  g_assert_false (cp_json_double_is_writable (NAN));
}

/* cp_json_get_int on a number no gint64 holds: refused, not converted (that is undefined). */
static void
test_get_int_range (void)
{
  static const double values[] = { 1e300, -1e300, 9223372036854775808.0, INFINITY, -INFINITY,
                                   NAN, 0.5 };
  CpJsonCtx ctx;

  cp_json_ctx_init (&ctx, "t.json");
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(GError) error = NULL;
      gint64 out = 42;

      json_object_set_double_member (object, "year", values[i]);
      g_assert_false (cp_json_get_int (&ctx, object, "year", TRUE, &out, &error));
      g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_WRONG_TYPE);
      g_assert_cmpint (out, ==, 42);
    }
  {
    g_autoptr(JsonObject) object = json_object_new ();
    g_autoptr(GError) error = NULL;
    gint64 out = 0;

    json_object_set_double_member (object, "year", 2020.0);
    g_assert_true (cp_json_get_int (&ctx, object, "year", TRUE, &out, &error));
    g_assert_cmpint (out, ==, 2020);
  }
  cp_json_ctx_clear (&ctx);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/json/parse-errors", test_parse_errors);
  g_test_add_func ("/json/members", test_members);
  g_test_add_func ("/json/depth", test_depth);
  g_test_add_func ("/json/text-checks", test_text_checks);
  g_test_add_func ("/json/get-int-range", test_get_int_range);
  return g_test_run ();
}
