/* cp-json.c — strict JSON readers shared by the loaders
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cp-json-private.h"

G_DEFINE_QUARK (cp-json-error-quark, cp_json_error)

void
cp_json_ctx_init (CpJsonCtx  *ctx,
                  const char *origin)
{
  g_assert (ctx != NULL);

  ctx->origin = origin != NULL ? origin : "<memory>";
  ctx->path = g_string_new ("$");
}

void
cp_json_ctx_clear (CpJsonCtx *ctx)
{
  if (ctx->path != NULL)
    g_string_free (g_steal_pointer (&ctx->path), TRUE);
}

gsize
cp_json_ctx_push_member (CpJsonCtx  *ctx,
                         const char *member)
{
  gsize mark = ctx->path->len;

  g_string_append_c (ctx->path, '.');
  g_string_append (ctx->path, member);
  return mark;
}

gsize
cp_json_ctx_push_index (CpJsonCtx *ctx,
                        guint      index)
{
  gsize mark = ctx->path->len;

  g_string_append_printf (ctx->path, "[%u]", index);
  return mark;
}

void
cp_json_ctx_pop (CpJsonCtx *ctx,
                 gsize      mark)
{
  g_string_truncate (ctx->path, mark);
}

gboolean
cp_json_ctx_fail (CpJsonCtx   *ctx,
                  GError     **error,
                  CpJsonError  code,
                  const char  *format,
                  ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, CP_JSON_ERROR, code, "%s: %s: %s", ctx->origin, ctx->path->str, message);
  return FALSE;
}

const char *
cp_json_node_type_name (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return "null";

  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          return "a string";
        case G_TYPE_BOOLEAN:
          return "a boolean";
        case G_TYPE_INT64:
        case G_TYPE_DOUBLE:
          return "a number";
        default:
          return "a value";
        }
    default:
      return "unknown";
    }
}

/* --- the byte scanner -------------------------------------------------------------------- */

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* The code unit of the escape "\uXXXX" at @p (which points at the backslash), or -1 when the
 * four characters after "\u" are not all hexadecimal digits (json-glib refuses those). */
static int
unicode_escape (const char *p,
                const char *end)
{
  int value = 0;

  if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
    return -1;
  for (int i = 2; i < 6; i++)
    {
      int digit = hex_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

static gboolean
text_fail (GError     **error,
           CpJsonError  code,
           const char  *origin,
           const char  *start,
           const char  *at,
           const char  *message)
{
  g_set_error (error, CP_JSON_ERROR, code, _("%s: byte %" PRIu64 ": %s"), origin,
               (guint64) (at - start), message);
  return FALSE;
}

/* Checks the number token [@p, @token_end). */
static gboolean
check_number (const char  *p,
              const char  *token_end,
              const char  *origin,
              const char  *start,
              GError     **error)
{
  char buffer[64];
  gsize len = (gsize) (token_end - p);
  gboolean whole = TRUE;
  char *parsed_end = NULL;

  /* Longer than any number worth reading: 1000 digits of zeros is not a price. */
  if (len >= sizeof buffer)
    return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, start, p,
                      _("a number has too many digits"));
  memcpy (buffer, p, len);
  buffer[len] = '\0';
  for (gsize i = 0; i < len; i++)
    if (buffer[i] == '.' || buffer[i] == 'e' || buffer[i] == 'E')
      whole = FALSE;

  errno = 0;
  if (whole)
    {
      (void) g_ascii_strtoll (buffer, &parsed_end, 10);
      if (errno == ERANGE)
        return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, start, p,
                          _("a whole number is too large"));
    }
  else
    {
      double value = g_ascii_strtod (buffer, &parsed_end);

      if (errno == ERANGE || !isfinite (value))
        return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, start, p,
                          _("a number is too large or too small"));
    }
  /* All of it must be the number: "1e+20.0" (json-glib's way of writing 1e20) is not one. */
  if (parsed_end != buffer + len)
    return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, start, p, _("not a number"));
  return TRUE;
}

gboolean
cp_json_check_text (const char  *data,
                    gsize        length,
                    guint        max_depth,
                    const char  *origin,
                    GError     **error)
{
  const char *p = data;
  const char *end = data + length;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (origin == NULL)
    origin = "<memory>";

  while (p < end)
    {
      char c = *p;

      if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            {
              g_autofree char *message = g_strdup_printf (_("arrays and objects nest deeper "
                                                            "than %u levels"), max_depth);

              return text_fail (error, CP_JSON_ERROR_TOO_DEEP, origin, data, p, message);
            }
          p++;
        }
      else if (c == ']' || c == '}')
        {
          /* Unbalanced brackets are json-glib's to report. */
          if (depth > 0)
            depth--;
          p++;
        }
      else if (c == '"')
        {
          /* A string: look at its escapes; it ends at the next unescaped quote. */
          p++;
          while (p < end && *p != '"')
            {
              int unit;

              if (*p != '\\')
                {
                  p++;
                  continue;
                }
              if (p + 1 >= end)
                break;
              if (p[1] != 'u')
                {
                  /* json-glib takes "\q" for "q"; JSON knows only these. */
                  if (strchr ("\"\\/bfnrt", p[1]) == NULL || p[1] == '\0')
                    return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, data, p,
                                      _("a string holds an escape that JSON does not know"));
                  p += 2;
                  continue;
                }
              unit = unicode_escape (p, end);
              /* json-glib decodes "\uE" followed by a Chinese character into invalid UTF-8. */
              if (unit < 0)
                return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, data, p,
                                  _("a \\u escape needs four hexadecimal digits"));
              if (unit == 0)
                return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, data, p,
                                  _("a string holds the character U+0000 (\\u0000)"));
              if (unit >= 0xdc00 && unit <= 0xdfff)
                return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, data, p,
                                  _("a string holds half of a UTF-16 surrogate pair"));
              if (unit >= 0xd800 && unit <= 0xdbff)
                {
                  int low = unicode_escape (p + 6, end);

                  if (low < 0xdc00 || low > 0xdfff)
                    return text_fail (error, CP_JSON_ERROR_SYNTAX, origin, data, p,
                                      _("a string holds half of a UTF-16 surrogate pair"));
                  p += 12;
                  continue;
                }
              p += 6;
            }
          p++;
        }
      else if (c == '-' || (c >= '0' && c <= '9'))
        {
          const char *token = p;

          while (p < end && (g_ascii_isdigit (*p) || *p == '-' || *p == '+' || *p == '.' ||
                             *p == 'e' || *p == 'E'))
            p++;
          if (!check_number (token, p, origin, data, error))
            return FALSE;
        }
      else
        p++;
    }

  return TRUE;
}

gboolean
cp_json_double_is_writable (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return FALSE;
  g_ascii_formatd (buffer, sizeof buffer, "%.17g", value);
  return strchr (buffer, '.') != NULL || strchr (buffer, 'e') == NULL;
}

/* Every string and member name in @node is valid UTF-8 (depth is bounded by the scanner). */
static gboolean
strings_are_valid (JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *child;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &child))
          if (!g_utf8_validate (name, -1, NULL) || !strings_are_valid (child))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!strings_are_valid (json_array_get_element (array, i)))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return g_utf8_validate (json_node_get_string (node), -1, NULL);
      return TRUE;
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

JsonNode *
cp_json_parse (const char  *data,
               gssize       length,
               gsize        max_size,
               const char  *origin,
               GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *end = NULL;
  gsize len;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (origin == NULL)
    origin = "<memory>";

  len = length < 0 ? strlen (data) : (gsize) length;

  if (max_size > 0 && len > max_size)
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE,
                   _("%s: the document is %" PRIu64 " bytes; at most %" PRIu64
                     " bytes are accepted"), origin, (guint64) len, (guint64) max_size);
      return NULL;
    }

  if (!g_utf8_validate (data, len, &end))
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX,
                   _("%s: the text is not valid UTF-8 (at byte %" PRIu64 "); save it as UTF-8"),
                   origin, (guint64) (end - data));
      return NULL;
    }

  if (len == 0)
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX,
                   _("%s: the document is empty"), origin);
      return NULL;
    }

  if (!cp_json_check_text (data, len, CP_JSON_MAX_DEPTH, origin, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX,
                   _("%s: not valid JSON: %s"), origin, local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX,
                   _("%s: the document is empty"), origin);
      return NULL;
    }

  /* Whatever json-glib decoded must be text: a string it got wrong is refused, not kept. */
  if (!strings_are_valid (json_parser_get_root (parser)))
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX,
                   _("%s: a string does not decode to valid UTF-8"), origin);
      return NULL;
    }

  return json_parser_steal_root (parser);
}

gboolean
cp_json_require_object (CpJsonCtx   *ctx,
                        JsonNode    *node,
                        JsonObject **out,
                        GError     **error)
{
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE,
                             "expected an object, found %s", cp_json_node_type_name (node));
  *out = json_node_get_object (node);
  return TRUE;
}

/* Looks @member up; returns FALSE with an error when it is required and absent. *present tells
 * whether a non-null value is there. */
static gboolean
lookup_member (CpJsonCtx   *ctx,
               JsonObject  *object,
               const char  *member,
               gboolean     required,
               JsonNode   **node,
               GError     **error)
{
  *node = json_object_get_member (object, member);

  if (*node == NULL || JSON_NODE_HOLDS_NULL (*node))
    {
      *node = NULL;
      if (required)
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                                 "the member “%s” is missing", member);
    }

  return TRUE;
}

static gboolean
wrong_type (CpJsonCtx  *ctx,
            const char *member,
            const char *expected,
            JsonNode   *node,
            GError    **error)
{
  gsize mark = cp_json_ctx_push_member (ctx, member);
  gboolean ret;

  ret = cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE, "expected %s, found %s",
                          expected, cp_json_node_type_name (node));
  cp_json_ctx_pop (ctx, mark);
  return ret;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

gboolean
cp_json_get_string (CpJsonCtx   *ctx,
                    JsonObject  *object,
                    const char  *member,
                    gboolean     required,
                    const char **out,
                    GError     **error)
{
  JsonNode *node;

  if (!lookup_member (ctx, object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return wrong_type (ctx, member, "a string", node, error);

  *out = json_node_get_string (node);
  return TRUE;
}

gboolean
cp_json_get_int (CpJsonCtx   *ctx,
                 JsonObject  *object,
                 const char  *member,
                 gboolean     required,
                 gint64      *out,
                 GError     **error)
{
  JsonNode *node;

  if (!lookup_member (ctx, object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!node_is_number (node))
    return wrong_type (ctx, member, "a whole number", node, error);

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* Range first: converting a double outside gint64 (or NaN) is undefined. */
      if (!isfinite (d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0 ||
          d != floor (d))
        return wrong_type (ctx, member, "a whole number", node, error);
      *out = (gint64) d;
    }
  else
    *out = json_node_get_int (node);

  return TRUE;
}

gboolean
cp_json_get_double (CpJsonCtx   *ctx,
                    JsonObject  *object,
                    const char  *member,
                    gboolean     required,
                    double      *out,
                    GError     **error)
{
  JsonNode *node;

  if (!lookup_member (ctx, object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!node_is_number (node))
    return wrong_type (ctx, member, "a number", node, error);

  *out = json_node_get_double (node);
  return TRUE;
}

gboolean
cp_json_get_boolean (CpJsonCtx   *ctx,
                     JsonObject  *object,
                     const char  *member,
                     gboolean     required,
                     gboolean    *out,
                     GError     **error)
{
  JsonNode *node;

  if (!lookup_member (ctx, object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return wrong_type (ctx, member, "true or false", node, error);

  *out = json_node_get_boolean (node);
  return TRUE;
}

gboolean
cp_json_get_array (CpJsonCtx   *ctx,
                   JsonObject  *object,
                   const char  *member,
                   gboolean     required,
                   JsonArray  **out,
                   GError     **error)
{
  JsonNode *node;

  if (!lookup_member (ctx, object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return wrong_type (ctx, member, "an array", node, error);

  *out = json_node_get_array (node);
  return TRUE;
}

gboolean
cp_json_get_object (CpJsonCtx   *ctx,
                    JsonObject  *object,
                    const char  *member,
                    gboolean     required,
                    JsonObject **out,
                    GError     **error)
{
  JsonNode *node;

  if (!lookup_member (ctx, object, member, required, &node, error))
    return FALSE;
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return wrong_type (ctx, member, "an object", node, error);

  *out = json_node_get_object (node);
  return TRUE;
}

gboolean
cp_json_check_members (CpJsonCtx          *ctx,
                       JsonObject         *object,
                       const char * const *known,
                       GError            **error)
{
  JsonObjectIter iter;
  const char *name;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, NULL))
    {
      if (!g_strv_contains (known, name))
        {
          gsize mark = cp_json_ctx_push_member (ctx, name);
          gboolean ret;

          ret = cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_UNKNOWN_MEMBER,
                                  "unknown member “%s”", name);
          cp_json_ctx_pop (ctx, mark);
          return ret;
        }
    }

  return TRUE;
}
