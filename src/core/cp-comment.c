/* cp-comment.c — a reviewer's comment on a returned packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one reader and writer of the comments' JSON: the client caches the server's answer, the
 * application shows it, and a reviewer's return sends it.
 */
#include "config.h"

#include "cp-comment.h"

G_DEFINE_BOXED_TYPE (CpComment, cp_comment, cp_comment_copy, cp_comment_free)

static char *
dup_nonempty_member (JsonObject *object,
                     const char *member)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *text;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  text = json_node_get_string (node);
  return text != NULL && *text != '\0' ? g_strdup (text) : NULL;
}

CpComment *
cp_comment_new (const char *section,
                const char *field,
                const char *text)
{
  CpComment *comment;

  g_return_val_if_fail (text != NULL, NULL);

  comment = g_new0 (CpComment, 1);
  comment->section = g_strdup (section);
  comment->field = g_strdup (field);
  comment->text = g_strdup (text);
  return comment;
}

CpComment *
cp_comment_copy (const CpComment *comment)
{
  CpComment *copy;

  g_return_val_if_fail (comment != NULL, NULL);

  copy = cp_comment_new (comment->section, comment->field, comment->text);
  copy->revision = comment->revision;
  copy->author = g_strdup (comment->author);
  copy->created_at = g_strdup (comment->created_at);
  return copy;
}

void
cp_comment_free (CpComment *comment)
{
  if (comment == NULL)
    return;
  g_free (comment->section);
  g_free (comment->field);
  g_free (comment->text);
  g_free (comment->author);
  g_free (comment->created_at);
  g_free (comment);
}

char *
cp_comment_format_time (const CpComment *comment)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  g_return_val_if_fail (comment != NULL, NULL);

  if (comment->created_at == NULL)
    return g_strdup ("");
  utc = g_date_time_new_from_iso8601 (comment->created_at, NULL);
  if (utc == NULL)
    return g_strdup (comment->created_at);
  local = g_date_time_to_local (utc);
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

GPtrArray *
cp_comment_list_from_json (JsonNode   *node,
                           const char *uuid)
{
  g_autoptr(GPtrArray) comments = NULL;
  JsonObject *object;
  JsonNode *array_node;
  JsonArray *array;
  gint64 newest = G_MININT64;

  g_return_val_if_fail (uuid != NULL, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);
  if (g_strcmp0 (json_object_get_string_member_with_default (object, "uuid", NULL), uuid) != 0)
    return NULL;
  array_node = json_object_get_member (object, "comments");
  if (array_node == NULL || !JSON_NODE_HOLDS_ARRAY (array_node))
    return NULL;
  array = json_node_get_array (array_node);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (element))
        newest = MAX (newest, json_object_get_int_member_with_default (
                                json_node_get_object (element), "revision", 0));
    }

  comments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_comment_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *item;
      CpComment *comment;
      g_autofree char *text = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      item = json_node_get_object (element);
      text = dup_nonempty_member (item, "comment");
      if (text == NULL || json_object_get_int_member_with_default (item, "revision", 0) != newest)
        continue;
      comment = g_new0 (CpComment, 1);
      comment->revision = newest;
      comment->section = dup_nonempty_member (item, "section");
      comment->field = comment->section != NULL ? dup_nonempty_member (item, "field") : NULL;
      comment->text = g_steal_pointer (&text);
      comment->author = dup_nonempty_member (item, "author");
      comment->created_at = dup_nonempty_member (item, "created_at");
      g_ptr_array_add (comments, comment);
    }
  return g_steal_pointer (&comments);
}

JsonNode *
cp_comment_list_to_json (GPtrArray *comments)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (comments != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "comments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < comments->len; i++)
    {
      const CpComment *comment = g_ptr_array_index (comments, i);

      json_builder_begin_object (builder);
      if (comment->section != NULL)
        {
          json_builder_set_member_name (builder, "section");
          json_builder_add_string_value (builder, comment->section);
          if (comment->field != NULL)
            {
              json_builder_set_member_name (builder, "field");
              json_builder_add_string_value (builder, comment->field);
            }
        }
      json_builder_set_member_name (builder, "comment");
      json_builder_add_string_value (builder, comment->text);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
