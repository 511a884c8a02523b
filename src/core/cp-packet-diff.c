/* cp-packet-diff.c — what differs between two revisions of a packet, as JSON pointers
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "cp-packet-diff.h"

void
cp_packet_change_free (CpPacketChange *change)
{
  if (change == NULL)
    return;
  g_free (change->pointer);
  g_free (change->section);
  g_free (change->field);
  g_free (change->member);
  g_free (change->item);
  g_free (change->sha256);
  g_free (change);
}

char *
cp_json_pointer_escape (const char *token)
{
  GString *out;

  g_return_val_if_fail (token != NULL, NULL);

  out = g_string_sized_new (strlen (token));
  for (const char *p = token; *p != '\0'; p++)
    {
      if (*p == '~')
        g_string_append (out, "~0");
      else if (*p == '/')
        g_string_append (out, "~1");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

char **
cp_json_pointer_split (const char *pointer)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) raw = NULL;

  g_return_val_if_fail (pointer != NULL, NULL);

  builder = g_strv_builder_new ();
  if (*pointer == '\0')
    return g_strv_builder_end (builder);
  if (*pointer != '/')
    return NULL;

  raw = g_strsplit (pointer + 1, "/", -1);
  for (guint i = 0; raw[i] != NULL; i++)
    {
      GString *token = g_string_new (NULL);

      for (const char *p = raw[i]; *p != '\0'; p++)
        {
          if (*p != '~')
            g_string_append_c (token, *p);
          else if (p[1] == '0')
            g_string_append_c (token, '~'), p++;
          else if (p[1] == '1')
            g_string_append_c (token, '/'), p++;
          else
            {
              g_string_free (token, TRUE);
              return NULL;
            }
        }
      g_strv_builder_add (builder, token->str);
      g_string_free (token, TRUE);
    }
  return g_strv_builder_end (builder);
}

/* Equality of JSON values; numbers compare by value (1 and 1.0 are equal). */
static gboolean
nodes_equal (JsonNode *a,
             JsonNode *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (JSON_NODE_TYPE (a) != JSON_NODE_TYPE (b))
    return FALSE;

  switch (JSON_NODE_TYPE (a))
    {
    case JSON_NODE_NULL:
      return TRUE;

    case JSON_NODE_VALUE:
      {
        GType ta = json_node_get_value_type (a);
        GType tb = json_node_get_value_type (b);
        gboolean na = ta == G_TYPE_INT64 || ta == G_TYPE_DOUBLE;
        gboolean nb = tb == G_TYPE_INT64 || tb == G_TYPE_DOUBLE;

        if (na && nb)
          return json_node_get_double (a) == json_node_get_double (b);
        if (ta != tb)
          return FALSE;
        if (ta == G_TYPE_STRING)
          return g_strcmp0 (json_node_get_string (a), json_node_get_string (b)) == 0;
        if (ta == G_TYPE_BOOLEAN)
          return json_node_get_boolean (a) == json_node_get_boolean (b);
        return FALSE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *aa = json_node_get_array (a), *ab = json_node_get_array (b);
        guint n = json_array_get_length (aa);

        if (n != json_array_get_length (ab))
          return FALSE;
        for (guint i = 0; i < n; i++)
          {
            if (!nodes_equal (json_array_get_element (aa, i), json_array_get_element (ab, i)))
              return FALSE;
          }
        return TRUE;
      }

    case JSON_NODE_OBJECT:
      {
        JsonObject *oa = json_node_get_object (a), *ob = json_node_get_object (b);
        JsonObjectIter iter;
        const char *name;
        JsonNode *value;

        if (oa == ob)
          return TRUE;
        if (json_object_get_size (oa) != json_object_get_size (ob))
          return FALSE;
        json_object_iter_init (&iter, oa);
        while (json_object_iter_next (&iter, &name, &value))
          {
            if (!nodes_equal (value, json_object_get_member (ob, name)))
              return FALSE;
          }
        return TRUE;
      }

    default:
      return FALSE;
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The member names of @a and @b (either may be NULL), sorted, each once; the strings belong to
 * the objects. */
static GPtrArray *
union_members (JsonObject *a,
               JsonObject *b)
{
  GPtrArray *names = g_ptr_array_new ();
  JsonObject *objects[2] = { a, b };

  for (guint k = 0; k < 2; k++)
    {
      g_autoptr(GList) members = objects[k] != NULL ? json_object_get_members (objects[k]) : NULL;

      for (GList *l = members; l != NULL; l = l->next)
        g_ptr_array_add (names, l->data);
    }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 1; i < names->len;)
    {
      if (g_str_equal (g_ptr_array_index (names, i - 1), g_ptr_array_index (names, i)))
        g_ptr_array_remove_index (names, i);
      else
        i++;
    }
  return names;
}

static JsonObject *
object_member (JsonObject *object,
               const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
array_member (JsonObject *object,
              const char *member)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, member) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

static JsonNode *
member (JsonObject *object,
        const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

/* Absent, or an array of objects: the shape of a group's value. */
static gboolean
is_entries (JsonNode *node)
{
  JsonArray *array;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (array, i)))
        return FALSE;
    }
  return TRUE;
}

static CpPacketChange *
add_change (GPtrArray    *changes,
            CpChangeKind  kind,
            const char   *first,
            ...) G_GNUC_NULL_TERMINATED;

/* Appends a change whose pointer is made of the tokens @first…, escaped. */
static CpPacketChange *
add_change (GPtrArray    *changes,
            CpChangeKind  kind,
            const char   *first,
            ...)
{
  CpPacketChange *change = g_new0 (CpPacketChange, 1);
  GString *pointer = g_string_new (NULL);
  va_list args;

  va_start (args, first);
  for (const char *token = first; token != NULL; token = va_arg (args, const char *))
    {
      g_autofree char *escaped = cp_json_pointer_escape (token);

      g_string_append_c (pointer, '/');
      g_string_append (pointer, escaped);
    }
  va_end (args);

  change->kind = kind;
  change->pointer = g_string_free (pointer, FALSE);
  change->index = -1;
  g_ptr_array_add (changes, change);
  return change;
}

static void
diff_entries (GPtrArray  *changes,
              const char *section,
              const char *field,
              JsonArray  *old_entries,
              JsonArray  *new_entries)
{
  guint n_old = old_entries != NULL ? json_array_get_length (old_entries) : 0;
  guint n_new = new_entries != NULL ? json_array_get_length (new_entries) : 0;

  for (guint i = 0; i < MAX (n_old, n_new); i++)
    {
      JsonObject *a = i < n_old ? json_array_get_object_element (old_entries, i) : NULL;
      JsonObject *b = i < n_new ? json_array_get_object_element (new_entries, i) : NULL;
      g_autofree char *index = g_strdup_printf ("%u", i);
      g_autoptr(GPtrArray) names = union_members (a, b);
      CpPacketChange *change;

      if (a == NULL || b == NULL)
        {
          change = add_change (changes, CP_CHANGE_ENTRY, "sections", section, field, index,
                               NULL);
          change->section = g_strdup (section);
          change->field = g_strdup (field);
          change->index = (int) i;
        }
      for (guint m = 0; m < names->len; m++)
        {
          const char *name = g_ptr_array_index (names, m);

          if (nodes_equal (member (a, name), member (b, name)))
            continue;
          change = add_change (changes, CP_CHANGE_ENTRY_VALUE, "sections", section, field, index,
                               name, NULL);
          change->section = g_strdup (section);
          change->field = g_strdup (field);
          change->index = (int) i;
          change->member = g_strdup (name);
        }
    }
}

static void
diff_sections (GPtrArray  *changes,
               JsonObject *old_sections,
               JsonObject *new_sections)
{
  g_autoptr(GPtrArray) ids = union_members (old_sections, new_sections);

  for (guint s = 0; s < ids->len; s++)
    {
      const char *section = g_ptr_array_index (ids, s);
      JsonObject *a = object_member (old_sections, section);
      JsonObject *b = object_member (new_sections, section);
      g_autoptr(GPtrArray) fields = NULL;

      /* Most of a packet does not change between two revisions. */
      if (nodes_equal (member (old_sections, section), member (new_sections, section)))
        continue;
      fields = union_members (a, b);

      for (guint f = 0; f < fields->len; f++)
        {
          const char *field = g_ptr_array_index (fields, f);
          JsonNode *va = member (a, field), *vb = member (b, field);
          CpPacketChange *change;

          if (is_entries (va) && is_entries (vb))
            {
              diff_entries (changes, section, field, va != NULL ? json_node_get_array (va) : NULL,
                            vb != NULL ? json_node_get_array (vb) : NULL);
              continue;
            }
          if (nodes_equal (va, vb))
            continue;
          change = add_change (changes, CP_CHANGE_VALUE, "sections", section, field, NULL);
          change->section = g_strdup (section);
          change->field = g_strdup (field);
        }
    }
}

static gboolean
objects_equal (JsonObject *a,
               JsonObject *b)
{
  g_autoptr(JsonNode) na = json_node_init_object (json_node_alloc (), a);
  g_autoptr(JsonNode) nb = json_node_init_object (json_node_alloc (), b);

  return nodes_equal (na, nb);
}

static JsonObject *
find_attachment (JsonArray  *manifest,
                 const char *sha256)
{
  for (guint i = 0; manifest != NULL && i < json_array_get_length (manifest); i++)
    {
      JsonNode *node = json_array_get_element (manifest, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;

      if (entry != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (entry, "sha256", NULL),
                     sha256) == 0)
        return entry;
    }
  return NULL;
}

static void
diff_manifest (GPtrArray *changes,
               JsonArray *old_manifest,
               JsonArray *new_manifest,
               gboolean   removed)
{
  JsonArray *here = removed ? old_manifest : new_manifest;
  JsonArray *there = removed ? new_manifest : old_manifest;

  for (guint i = 0; here != NULL && i < json_array_get_length (here); i++)
    {
      JsonNode *node = json_array_get_element (here, i);
      JsonObject *entry = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *sha = entry != NULL
                        ? json_object_get_string_member_with_default (entry, "sha256", NULL)
                        : NULL;
      JsonObject *other = sha != NULL ? find_attachment (there, sha) : NULL;
      g_autofree char *index = NULL;
      CpPacketChange *change;

      if (entry == NULL)
        continue;
      /* A removal is listed once, from the old manifest; an entry in both only when it
       * changed. */
      if (other != NULL && (removed || objects_equal (entry, other)))
        continue;
      index = g_strdup_printf ("%u", i);
      change = add_change (changes, CP_CHANGE_ATTACHMENT, "attachments", index, NULL);
      change->index = (int) i;
      change->sha256 = g_strdup (sha);
    }
}

static void
diff_scoring (GPtrArray  *changes,
              JsonObject *old_scoring,
              JsonObject *new_scoring)
{
  g_autoptr(GPtrArray) names = union_members (old_scoring, new_scoring);
  JsonObject *old_items = object_member (old_scoring, "items");
  JsonObject *new_items = object_member (new_scoring, "items");
  g_autoptr(GPtrArray) items = union_members (old_items, new_items);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      CpPacketChange *change;

      if (g_str_equal (name, "items") ||
          nodes_equal (member (old_scoring, name), member (new_scoring, name)))
        continue;
      change = add_change (changes, CP_CHANGE_SCORING, "scoring", name, NULL);
      change->member = g_strdup (name);
    }

  for (guint i = 0; i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);
      JsonObject *a = object_member (old_items, item);
      JsonObject *b = object_member (new_items, item);
      g_autoptr(GPtrArray) columns = NULL;

      if (nodes_equal (member (old_items, item), member (new_items, item)))
        continue;
      columns = union_members (a, b);

      for (guint c = 0; c < columns->len; c++)
        {
          const char *name = g_ptr_array_index (columns, c);
          CpPacketChange *change;

          if (nodes_equal (member (a, name), member (b, name)))
            continue;
          change = add_change (changes, CP_CHANGE_SCORE, "scoring", "items", item, name, NULL);
          change->item = g_strdup (item);
          change->member = g_strdup (name);
        }
    }
}

static void
diff_review (GPtrArray  *changes,
             JsonObject *old_review,
             JsonObject *new_review)
{
  g_autoptr(GPtrArray) names = union_members (old_review, new_review);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      CpPacketChange *change;

      if (nodes_equal (member (old_review, name), member (new_review, name)))
        continue;
      change = add_change (changes, CP_CHANGE_REVIEW, "review", name, NULL);
      change->member = g_strdup (name);
    }
}

static gboolean
is_body_member (const char *name)
{
  return g_str_equal (name, "sections") || g_str_equal (name, "attachments") ||
         g_str_equal (name, "scoring") || g_str_equal (name, "review");
}

GPtrArray *
cp_packet_diff (CpPacket *old,
                CpPacket *new_packet)
{
  g_autoptr(JsonNode) old_root = NULL;
  g_autoptr(JsonNode) new_root = NULL;
  JsonObject *a = NULL, *b;
  GPtrArray *changes;

  g_return_val_if_fail (old == NULL || CP_IS_PACKET (old), NULL);
  g_return_val_if_fail (CP_IS_PACKET (new_packet), NULL);

  changes = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_packet_change_free);
  if (old != NULL)
    {
      old_root = cp_packet_to_json (old);
      a = json_node_get_object (old_root);
    }
  new_root = cp_packet_to_json (new_packet);
  b = json_node_get_object (new_root);

  if (a != NULL)
    {
      g_autoptr(GPtrArray) names = union_members (a, b);

      for (guint i = 0; i < names->len; i++)
        {
          const char *name = g_ptr_array_index (names, i);
          CpPacketChange *change;

          if (is_body_member (name) || nodes_equal (member (a, name), member (b, name)))
            continue;
          change = add_change (changes, CP_CHANGE_HEADER, name, NULL);
          change->member = g_strdup (name);
        }
    }

  diff_sections (changes, object_member (a, "sections"), object_member (b, "sections"));
  diff_manifest (changes, array_member (a, "attachments"), array_member (b, "attachments"),
                 FALSE);
  diff_manifest (changes, array_member (a, "attachments"), array_member (b, "attachments"),
                 TRUE);
  diff_scoring (changes, object_member (a, "scoring"), object_member (b, "scoring"));
  diff_review (changes, object_member (a, "review"), object_member (b, "review"));
  return changes;
}

GPtrArray *
cp_packet_diff_pointers (CpPacket *old,
                         CpPacket *new_packet)
{
  g_autoptr(GPtrArray) changes = NULL;
  GPtrArray *ret;

  g_return_val_if_fail (old == NULL || CP_IS_PACKET (old), NULL);
  g_return_val_if_fail (CP_IS_PACKET (new_packet), NULL);

  changes = cp_packet_diff (old, new_packet);
  ret = g_ptr_array_new_full (changes->len, g_free);
  for (guint i = 0; i < changes->len; i++)
    {
      CpPacketChange *change = g_ptr_array_index (changes, i);

      g_ptr_array_add (ret, g_steal_pointer (&change->pointer));
    }
  return ret;
}
