/* cp-text.c — a string published in data with its translations
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "cp-text.h"

struct _CpText
{
  gatomicrefcount  ref_count;
  /* Pairs of language and value, in the order they were given; "en" is the source. */
  GPtrArray       *langs;
  GPtrArray       *values;
};

G_DEFINE_BOXED_TYPE (CpText, cp_text, cp_text_ref, cp_text_unref)

static CpText *
cp_text_alloc (void)
{
  CpText *self = g_new0 (CpText, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->langs = g_ptr_array_new_with_free_func (g_free);
  self->values = g_ptr_array_new_with_free_func (g_free);
  return self;
}

CpText *
cp_text_new (const char *english)
{
  CpText *self = cp_text_alloc ();

  if (english != NULL)
    cp_text_set (self, "en", english);
  return self;
}

CpText *
cp_text_ref (CpText *text)
{
  g_return_val_if_fail (text != NULL, NULL);

  g_atomic_ref_count_inc (&text->ref_count);
  return text;
}

void
cp_text_unref (CpText *text)
{
  g_return_if_fail (text != NULL);

  if (g_atomic_ref_count_dec (&text->ref_count))
    {
      g_ptr_array_unref (text->langs);
      g_ptr_array_unref (text->values);
      g_free (text);
    }
}

void
cp_text_set (CpText     *text,
             const char *lang,
             const char *value)
{
  g_return_if_fail (text != NULL);
  g_return_if_fail (lang != NULL);
  g_return_if_fail (value != NULL);

  for (guint i = 0; i < text->langs->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (text->langs, i), lang))
        {
          g_free (g_ptr_array_index (text->values, i));
          g_ptr_array_index (text->values, i) = g_strdup (value);
          return;
        }
    }

  g_ptr_array_add (text->langs, g_strdup (lang));
  g_ptr_array_add (text->values, g_strdup (value));
}

const char *
cp_text_get_for (const CpText *text,
                 const char   *lang)
{
  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (lang != NULL, NULL);

  for (guint i = 0; i < text->langs->len; i++)
    if (g_str_equal (g_ptr_array_index (text->langs, i), lang))
      return g_ptr_array_index (text->values, i);

  return NULL;
}

static gboolean
valid_lang (const char *lang)
{
  gsize len = strlen (lang);

  if (len < 2 || len > 16)
    return FALSE;
  for (const char *p = lang; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '@')
      return FALSE;
  return TRUE;
}

CpText *
cp_text_new_from_json (JsonNode  *node,
                       GError   **error)
{
  g_autoptr(CpText) self = NULL;
  JsonObjectIter iter;
  const char *lang;
  JsonNode *value;

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return cp_text_new (json_node_get_string (node));

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "expected a string or an object of translations such as "
                           "{\"en\": \"Cover\", \"zh_CN\": \"封面\"}");
      return NULL;
    }

  self = cp_text_alloc ();
  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &lang, &value))
    {
      if (!valid_lang (lang))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "“%s” is not a language code such as \"en\" or \"zh_CN\"", lang);
          return NULL;
        }
      if (!JSON_NODE_HOLDS_VALUE (value) || json_node_get_value_type (value) != G_TYPE_STRING)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "the translation “%s” must be a string", lang);
          return NULL;
        }
      cp_text_set (self, lang, json_node_get_string (value));
    }

  if (self->langs->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "the text has no translation at all");
      return NULL;
    }

  return g_steal_pointer (&self);
}

JsonNode *
cp_text_to_json (const CpText *text)
{
  g_autoptr(JsonObject) object = NULL;
  JsonNode *node;

  g_return_val_if_fail (text != NULL, NULL);

  if (text->langs->len == 1 && g_str_equal (g_ptr_array_index (text->langs, 0), "en"))
    return json_node_init_string (json_node_alloc (), g_ptr_array_index (text->values, 0));

  object = json_object_new ();
  for (guint i = 0; i < text->langs->len; i++)
    json_object_set_string_member (object, g_ptr_array_index (text->langs, i),
                                   g_ptr_array_index (text->values, i));

  node = json_node_alloc ();
  json_node_init_object (node, object);
  return node;
}

/* Looks up the locale name @name ("zh_CN.UTF-8@x" is read as "zh_CN"). */
static const char *
lookup_locale (const CpText *text,
               const char   *name)
{
  char buf[32];
  gsize len = strcspn (name, ".@");
  const char *found;

  if (len == 0 || len >= sizeof buf)
    return NULL;
  memcpy (buf, name, len);
  buf[len] = '\0';

  if ((found = cp_text_get_for (text, buf)))
    return found;

  /* "zh_CN" also stands for a data file's "zh" and vice versa. */
  for (guint i = 0; i < text->langs->len; i++)
    {
      const char *lang = g_ptr_array_index (text->langs, i);
      gsize lang_len = strcspn (lang, "_-");
      gsize buf_len = strcspn (buf, "_-");

      if (lang_len == buf_len && strncmp (lang, buf, buf_len) == 0 &&
          (lang[lang_len] == '\0' || buf[buf_len] == '\0'))
        return g_ptr_array_index (text->values, i);
    }

  return NULL;
}

const char *
cp_text_get (const CpText *text)
{
  const char * const *names;
  const char *found;

  g_return_val_if_fail (text != NULL, NULL);

  names = g_get_language_names ();
  found = NULL;
  for (guint i = 0; names[i] != NULL && found == NULL; i++)
    {
      if (g_str_equal (names[i], "C") || g_str_equal (names[i], "POSIX"))
        break;
      found = lookup_locale (text, names[i]);
    }

  if (found == NULL)
    found = cp_text_get_for (text, "en");
  if (found == NULL)
    found = text->values->len > 0 ? g_ptr_array_index (text->values, 0) : "";

  return found;
}
