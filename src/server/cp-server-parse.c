/* cp-server-parse.c — reading what clients send: request bodies and headers
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pure functions, without libsoup: the handlers call them, and tests/fuzz/fuzz-request.c drives
 * them with arbitrary bytes. Every JSON body goes through cp_json_parse(), whose byte scanner
 * refuses deep nesting, \u0000, lone surrogates and unreadable numbers before json-glib sees them.
 */
#include "config.h"

#include "cp-server-private.h"

#include "cp-json-private.h"

#include <string.h>

JsonObject *
cp_server_parse_json_object (const char  *data,
                             gsize        length,
                             guint64      limit,
                             GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX,
                           "The request needs a JSON body.");
      return NULL;
    }
  root = cp_json_parse (data, (gssize) length, (gsize) MIN (limit, G_MAXSIZE), "request", error);
  if (root == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, CP_JSON_ERROR, CP_JSON_ERROR_WRONG_TYPE,
                           "The body must be a JSON object.");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

gboolean
cp_server_parse_login (JsonObject  *object,
                       const char **user,
                       const char **password,
                       GError     **error)
{
  static const char * const known[] = { "user", "password", NULL };
  CpJsonCtx ctx;
  gboolean ok;

  *user = NULL;
  *password = NULL;
  cp_json_ctx_init (&ctx, "request");
  ok = cp_json_check_members (&ctx, object, known, error) &&
       cp_json_get_string (&ctx, object, "user", TRUE, user, error) &&
       cp_json_get_string (&ctx, object, "password", TRUE, password, error);
  cp_json_ctx_clear (&ctx);
  if (!ok)
    return FALSE;
  if (**user == '\0' || strlen (*user) > 200 || strlen (*password) > 1024)
    {
      g_set_error_literal (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE,
                           "The user name must not be empty (at most 200 bytes, and the "
                           "password at most 1024).");
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
cp_server_parse_comments (JsonObject  *object,
                          GError     **error)
{
  static const char * const known_root[] = { "comments", NULL };
  static const char * const known_comment[] = { "section", "field", "comment", NULL };
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_comment_free);
  JsonArray *array = NULL;
  CpJsonCtx ctx;

  cp_json_ctx_init (&ctx, "request");
  if (!cp_json_check_members (&ctx, object, known_root, error) ||
      !cp_json_get_array (&ctx, object, "comments", TRUE, &array, error))
    goto fail;
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize mark = cp_json_ctx_push_member (&ctx, "comments");
      JsonObject *item = NULL;
      const char *section = NULL;
      const char *field = NULL;
      const char *text = NULL;
      CpServerComment *comment;

      cp_json_ctx_push_index (&ctx, i);
      if (!cp_json_require_object (&ctx, json_array_get_element (array, i), &item, error) ||
          !cp_json_check_members (&ctx, item, known_comment, error) ||
          !cp_json_get_string (&ctx, item, "section", FALSE, &section, error) ||
          !cp_json_get_string (&ctx, item, "field", FALSE, &field, error) ||
          !cp_json_get_string (&ctx, item, "comment", TRUE, &text, error))
        goto fail;
      if (*text == '\0' || strlen (text) > 10000)
        {
          cp_json_ctx_fail (&ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "a comment must say something (at most 10000 bytes)");
          goto fail;
        }
      if ((section != NULL && strlen (section) > 200) || (field != NULL && strlen (field) > 200))
        {
          cp_json_ctx_fail (&ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "a section or field name is at most 200 bytes");
          goto fail;
        }
      cp_json_ctx_pop (&ctx, mark);
      comment = g_new0 (CpServerComment, 1);
      comment->section = g_strdup (section);
      comment->field = g_strdup (field);
      comment->text = g_strdup (text);
      g_ptr_array_add (comments, comment);
    }
  cp_json_ctx_clear (&ctx);
  if (comments->len == 0)
    {
      g_set_error_literal (error, CP_JSON_ERROR, CP_JSON_ERROR_MISSING_MEMBER,
                           "Say why the packet is returned: give at least one comment, "
                           "attached to the field it concerns.");
      return NULL;
    }
  return g_steal_pointer (&comments);

fail:
  cp_json_ctx_clear (&ctx);
  return NULL;
}

GPtrArray *
cp_server_parse_hash_list (JsonObject   *object,
                           guint         max,
                           guint        *bad_index,
                           GError      **error)
{
  static const char * const known[] = { "sha256", NULL };
  g_autoptr(GPtrArray) hashes = g_ptr_array_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *list = NULL;
  CpJsonCtx ctx;
  gboolean ok;

  *bad_index = G_MAXUINT;
  cp_json_ctx_init (&ctx, "request");
  ok = cp_json_check_members (&ctx, object, known, error) &&
       cp_json_get_array (&ctx, object, "sha256", TRUE, &list, error);
  cp_json_ctx_clear (&ctx);
  if (!ok)
    return NULL;
  if (json_array_get_length (list) > max)
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE,
                   "Ask about at most %u hashes at a time.", max);
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *element = json_array_get_element (list, i);
      const char *sha256;

      if (!JSON_NODE_HOLDS_VALUE (element) ||
          json_node_get_value_type (element) != G_TYPE_STRING ||
          !cp_sha256_is_valid (json_node_get_string (element)))
        {
          *bad_index = i;
          g_set_error_literal (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE,
                               "Every entry must be a SHA-256 in 64 lowercase hexadecimal "
                               "digits.");
          return NULL;
        }
      sha256 = json_node_get_string (element);
      if (g_hash_table_add (seen, (gpointer) sha256))
        g_ptr_array_add (hashes, (gpointer) sha256);
    }
  return g_steal_pointer (&hashes);
}

static gboolean
parse_decimal (const char *text,
               guint64     min,
               guint64    *out)
{
  /* Digits only: g_ascii_string_to_unsigned() alone would also take a sign or spaces. */
  if (text == NULL || *text == '\0' || strlen (text) > 19)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return g_ascii_string_to_unsigned (text, 10, min, G_MAXINT64, out, NULL);
}

gboolean
cp_server_parse_content_range (const char *value,
                               guint64    *start,
                               guint64    *end,
                               guint64    *total)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) range = NULL;

  if (value == NULL)
    return FALSE;
  text = g_strstrip (g_strdup (value));
  if (!g_str_has_prefix (text, "bytes "))
    return FALSE;
  parts = g_strsplit (text + 6, "/", 2);
  if (g_strv_length (parts) != 2)
    return FALSE;
  range = g_strsplit (parts[0], "-", 2);
  if (g_strv_length (range) != 2)
    return FALSE;
  if (!parse_decimal (range[0], 0, start) || !parse_decimal (range[1], 0, end) ||
      !parse_decimal (parts[1], 1, total))
    return FALSE;
  return *start <= *end && *end < *total;
}

gint64
cp_server_parse_revision_tag (const char *value)
{
  g_autofree char *text = NULL;
  guint64 number;
  gsize len;

  if (value == NULL)
    return 0;
  text = g_strstrip (g_strdup (value));
  len = strlen (text);
  if (len >= 2 && text[0] == '"' && text[len - 1] == '"')
    {
      text[len - 1] = '\0';
      memmove (text, text + 1, len - 1);
    }
  if (!parse_decimal (text, 1, &number))
    return -1;
  return (gint64) number;
}

char *
cp_server_escape_for_log (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("-");
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0';)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* Not UTF-8: the byte as \xNN. */
          g_string_append_printf (out, "\\x%02x", (guchar) *p);
          p++;
          continue;
        }
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\\' || c == ' ' ||
          c == '"' || c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f ||
          (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        {
          /* Control characters (escape sequences), direction overrides, spaces and quotes
           * would let a client forge or disguise a log line. */
          if (c < 0x80)
            g_string_append_printf (out, "\\x%02x", (guint) c);
          else
            g_string_append_printf (out, "\\u%04x", (guint) c);
        }
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }
  return g_string_free (out, FALSE);
}
