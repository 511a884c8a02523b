/* cp-merge.c — three-way merge of packets, field by field
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-merge.h"

#include <glib/gi18n-lib.h>
#include <string.h>

/* A packet flattened into leaves: path → value (borrowed from @root). */
typedef struct
{
  JsonNode   *root;        /* owned */
  GHashTable *leaves;      /* char * → JsonNode * (borrowed) */
  GPtrArray  *attachments; /* sha256 in manifest order (borrowed strings) */
  const char *modified;
  const char *uuid;
} Flat;

struct _CpMergeResult
{
  gatomicrefcount  ref_count;
  char            *uuid;
  char            *modified;
  GHashTable      *merged;       /* path → JsonNode * (owned), absent = unset */
  GPtrArray       *order;        /* attachment sha256 order (owned strings) */
  GPtrArray       *conflicts;    /* CpMergeConflict * */
  char            *sheet_fallback;
  char            *sheet_version_fallback;
  guint            n_theirs;
  CpPacket        *packet;       /* built lazily */
  GError          *error;
};

G_DEFINE_QUARK (cp-merge-error-quark, cp_merge_error)
G_DEFINE_BOXED_TYPE (CpMergeConflict, cp_merge_conflict, cp_merge_conflict_copy,
                     cp_merge_conflict_free)
G_DEFINE_BOXED_TYPE (CpMergeResult, cp_merge_result, cp_merge_result_ref, cp_merge_result_unref)

static JsonNode *
node_copy_or_null (JsonNode *node)
{
  return node != NULL ? json_node_copy (node) : NULL;
}

CpMergeConflict *
cp_merge_conflict_copy (const CpMergeConflict *conflict)
{
  CpMergeConflict *copy;

  g_return_val_if_fail (conflict != NULL, NULL);

  copy = g_new0 (CpMergeConflict, 1);
  copy->path = g_strdup (conflict->path);
  copy->base = node_copy_or_null (conflict->base);
  copy->mine = node_copy_or_null (conflict->mine);
  copy->theirs = node_copy_or_null (conflict->theirs);
  return copy;
}

void
cp_merge_conflict_free (CpMergeConflict *conflict)
{
  if (conflict == NULL)
    return;
  g_free (conflict->path);
  g_clear_pointer (&conflict->base, json_node_unref);
  g_clear_pointer (&conflict->mine, json_node_unref);
  g_clear_pointer (&conflict->theirs, json_node_unref);
  g_free (conflict);
}

CpMergeResult *
cp_merge_result_ref (CpMergeResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_atomic_ref_count_inc (&result->ref_count);
  return result;
}

void
cp_merge_result_unref (CpMergeResult *result)
{
  g_return_if_fail (result != NULL);

  if (!g_atomic_ref_count_dec (&result->ref_count))
    return;
  g_free (result->uuid);
  g_free (result->modified);
  g_hash_table_unref (result->merged);
  g_ptr_array_unref (result->order);
  g_ptr_array_unref (result->conflicts);
  g_free (result->sheet_fallback);
  g_free (result->sheet_version_fallback);
  g_clear_object (&result->packet);
  g_clear_error (&result->error);
  g_free (result);
}

/* --- flattening ---------------------------------------------------------------------------- */

static void
flat_clear (Flat *flat)
{
  g_clear_pointer (&flat->root, json_node_unref);
  g_clear_pointer (&flat->leaves, g_hash_table_unref);
  g_clear_pointer (&flat->attachments, g_ptr_array_unref);
}

static void
flat_add (Flat       *flat,
          char       *path,
          JsonNode   *value)
{
  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    {
      g_free (path);
      return;
    }
  g_hash_table_replace (flat->leaves, path, value);
}

static void
flatten (CpPacket *packet,
         Flat     *flat)
{
  static const char * const top[] = { "kind", "template_version", "year", "state", "submitted_on",
                                      "created", "review", NULL };
  JsonObject *root;
  JsonObject *sections;
  JsonArray *attachments;
  JsonObject *scoring;
  JsonObjectIter iter;
  const char *name;
  JsonNode *node;

  flat->leaves = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  flat->attachments = g_ptr_array_new ();
  if (packet == NULL)
    return;

  flat->root = cp_packet_to_json (packet);
  root = json_node_get_object (flat->root);
  flat->uuid = json_object_get_string_member (root, "uuid");
  flat->modified = json_object_get_string_member (root, "modified");

  for (guint i = 0; top[i] != NULL; i++)
    if (json_object_has_member (root, top[i]))
      flat_add (flat, g_strconcat ("/", top[i], NULL), json_object_get_member (root, top[i]));

  sections = json_object_get_object_member (root, "sections");
  json_object_iter_init (&iter, sections);
  while (json_object_iter_next (&iter, &name, &node))
    {
      JsonObjectIter fields;
      const char *field;
      JsonNode *value;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      json_object_iter_init (&fields, json_node_get_object (node));
      while (json_object_iter_next (&fields, &field, &value))
        flat_add (flat, g_strconcat ("/sections/", name, "/", field, NULL), value);
    }

  attachments = json_object_get_array_member (root, "attachments");
  for (guint i = 0; attachments != NULL && i < json_array_get_length (attachments); i++)
    {
      JsonNode *entry = json_array_get_element (attachments, i);
      const char *sha256 = json_object_get_string_member (json_node_get_object (entry), "sha256");

      g_ptr_array_add (flat->attachments, (gpointer) sha256);
      flat_add (flat, g_strconcat ("/attachments/", sha256, NULL), entry);
    }

  if (json_object_has_member (root, "scoring"))
    {
      JsonObject *items;

      scoring = json_object_get_object_member (root, "scoring");
      flat_add (flat, g_strdup ("/scoring/sheet"), json_object_get_member (scoring, "sheet"));
      flat_add (flat, g_strdup ("/scoring/sheet_version"),
                json_object_get_member (scoring, "sheet_version"));
      items = json_object_get_object_member (scoring, "items");
      json_object_iter_init (&iter, items);
      while (json_object_iter_next (&iter, &name, &node))
        {
          JsonObjectIter members;
          const char *member;
          JsonNode *value;

          json_object_iter_init (&members, json_node_get_object (node));
          while (json_object_iter_next (&members, &member, &value))
            flat_add (flat, g_strconcat ("/scoring/items/", name, "/", member, NULL), value);
        }
    }
}

/* --- comparing ----------------------------------------------------------------------------- */

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static gboolean
values_equal (JsonNode *a,
              JsonNode *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  if (node_is_number (a) && node_is_number (b))
    return json_node_get_double (a) == json_node_get_double (b);
  return json_node_equal (a, b);
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static int
compare_conflicts (gconstpointer a,
                   gconstpointer b)
{
  const CpMergeConflict *ca = *(CpMergeConflict * const *) a;
  const CpMergeConflict *cb = *(CpMergeConflict * const *) b;

  return strcmp (ca->path, cb->path);
}

static const char *
later_time (const char *a,
            const char *b)
{
  g_autoptr(GDateTime) ta = NULL;
  g_autoptr(GDateTime) tb = NULL;

  if (a == NULL || b == NULL)
    return a != NULL ? a : b;
  ta = g_date_time_new_from_iso8601 (a, NULL);
  tb = g_date_time_new_from_iso8601 (b, NULL);
  if (ta == NULL || tb == NULL)
    return ta != NULL ? a : b;
  return g_date_time_compare (ta, tb) >= 0 ? a : b;
}

static void
add_unique (GPtrArray  *order,
            const char *sha256)
{
  for (guint i = 0; i < order->len; i++)
    if (g_str_equal (g_ptr_array_index (order, i), sha256))
      return;
  g_ptr_array_add (order, g_strdup (sha256));
}

/* --- building the merged packet ------------------------------------------------------------ */

static JsonObject *
ensure_object (JsonObject *parent,
               const char *member)
{
  if (!json_object_has_member (parent, member))
    json_object_set_object_member (parent, member, json_object_new ());
  return json_object_get_object_member (parent, member);
}

static JsonNode *
build_document (CpMergeResult *result)
{
  g_autoptr(JsonNode) root_node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *root = json_object_new ();
  JsonObject *sections = json_object_new ();
  JsonArray *attachments = json_array_new ();
  JsonObject *scoring = NULL;
  GHashTableIter iter;
  gpointer key, value;

  json_node_take_object (root_node, root);
  json_object_set_int_member (root, "format", CP_PACKET_FORMAT);
  json_object_set_string_member (root, "uuid", result->uuid);
  json_object_set_string_member (root, "modified", result->modified);
  json_object_set_object_member (root, "sections", sections);
  json_object_set_array_member (root, "attachments", attachments);

  g_hash_table_iter_init (&iter, result->merged);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *path = key;
      JsonNode *node = json_node_copy (value);

      if (g_str_has_prefix (path, "/sections/"))
        {
          g_auto(GStrv) parts = g_strsplit (path + strlen ("/sections/"), "/", 2);

          json_object_set_member (ensure_object (sections, parts[0]), parts[1], node);
        }
      else if (g_str_has_prefix (path, "/attachments/"))
        json_node_unref (node); /* added below, in order */
      else if (g_str_has_prefix (path, "/scoring/items/"))
        {
          g_auto(GStrv) parts = g_strsplit (path + strlen ("/scoring/items/"), "/", 2);

          if (scoring == NULL)
            scoring = ensure_object (root, "scoring");
          json_object_set_member (ensure_object (ensure_object (scoring, "items"), parts[0]),
                                  parts[1], node);
        }
      else if (g_str_has_prefix (path, "/scoring/"))
        {
          if (scoring == NULL)
            scoring = ensure_object (root, "scoring");
          json_object_set_member (scoring, path + strlen ("/scoring/"), node);
        }
      else
        json_object_set_member (root, path + 1, node);
    }

  for (guint i = 0; i < result->order->len; i++)
    {
      g_autofree char *path = g_strconcat ("/attachments/",
                                           (char *) g_ptr_array_index (result->order, i), NULL);
      JsonNode *entry = g_hash_table_lookup (result->merged, path);

      if (entry != NULL)
        json_array_add_element (attachments, json_node_copy (entry));
    }

  /* A scoring block needs its sheet: keep a side's sheet when the merge left only items. */
  if (scoring != NULL)
    {
      if (!json_object_has_member (scoring, "sheet") && result->sheet_fallback != NULL)
        json_object_set_string_member (scoring, "sheet", result->sheet_fallback);
      if (!json_object_has_member (scoring, "sheet_version") &&
          result->sheet_version_fallback != NULL)
        json_object_set_string_member (scoring, "sheet_version", result->sheet_version_fallback);
    }

  return g_steal_pointer (&root_node);
}

static void
invalidate (CpMergeResult *result)
{
  g_clear_object (&result->packet);
  g_clear_error (&result->error);
}

/* --- public API ---------------------------------------------------------------------------- */

CpMergeResult *
cp_merge_packets (CpPacket *base,
                  CpPacket *mine,
                  CpPacket *theirs)
{
  Flat fb = { 0 }, fm = { 0 }, ft = { 0 };
  g_autoptr(GHashTable) all = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gpointer *paths = NULL;
  guint n_paths = 0;
  CpMergeResult *result;
  GHashTableIter iter;
  gpointer key;
  Flat *sides[3];

  g_return_val_if_fail (base == NULL || CP_IS_PACKET (base), NULL);
  g_return_val_if_fail (CP_IS_PACKET (mine), NULL);
  g_return_val_if_fail (CP_IS_PACKET (theirs), NULL);
  g_return_val_if_fail (g_str_equal (cp_packet_get_uuid (mine), cp_packet_get_uuid (theirs)),
                        NULL);

  flatten (base, &fb);
  flatten (mine, &fm);
  flatten (theirs, &ft);

  result = g_new0 (CpMergeResult, 1);
  g_atomic_ref_count_init (&result->ref_count);
  result->uuid = g_strdup (fm.uuid);
  result->modified = g_strdup (later_time (fm.modified, ft.modified));
  result->merged = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) json_node_unref);
  result->order = g_ptr_array_new_with_free_func (g_free);
  result->conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_merge_conflict_free);
  result->sheet_fallback = g_strdup (cp_packet_get_sheet_id (mine) != NULL
                                     ? cp_packet_get_sheet_id (mine)
                                     : cp_packet_get_sheet_id (theirs));
  result->sheet_version_fallback = g_strdup (cp_packet_get_sheet_id (mine) != NULL
                                             ? cp_packet_get_sheet_version (mine)
                                             : cp_packet_get_sheet_version (theirs));

  /* The union of the leaves of the three sides, in a stable order. */
  sides[0] = &fb;
  sides[1] = &fm;
  sides[2] = &ft;
  for (guint s = 0; s < G_N_ELEMENTS (sides); s++)
    {
      g_hash_table_iter_init (&iter, sides[s]->leaves);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_hash_table_add (all, key);
    }
  paths = g_hash_table_get_keys_as_array (all, &n_paths);
  qsort (paths, n_paths, sizeof (gpointer), compare_paths);

  for (guint i = 0; i < n_paths; i++)
    {
      const char *path = paths[i];
      JsonNode *b = g_hash_table_lookup (fb.leaves, path);
      JsonNode *m = g_hash_table_lookup (fm.leaves, path);
      JsonNode *t = g_hash_table_lookup (ft.leaves, path);
      JsonNode *take;

      if (values_equal (m, t))
        take = m;
      else if (values_equal (b, m))
        {
          take = t;
          result->n_theirs++;
        }
      else if (values_equal (b, t))
        take = m;
      else
        {
          CpMergeConflict *conflict = g_new0 (CpMergeConflict, 1);

          conflict->path = g_strdup (path);
          conflict->base = node_copy_or_null (b);
          conflict->mine = node_copy_or_null (m);
          conflict->theirs = node_copy_or_null (t);
          g_ptr_array_add (result->conflicts, conflict);
          take = m; /* provisional, until resolved */
        }

      if (take != NULL)
        g_hash_table_replace (result->merged, g_strdup (path), json_node_copy (take));
    }

  /* The manifest keeps the server's order, then what was added here. */
  for (guint i = 0; i < ft.attachments->len; i++)
    add_unique (result->order, g_ptr_array_index (ft.attachments, i));
  for (guint i = 0; i < fm.attachments->len; i++)
    add_unique (result->order, g_ptr_array_index (fm.attachments, i));

  flat_clear (&fb);
  flat_clear (&fm);
  flat_clear (&ft);
  return result;
}

CpPacket *
cp_merge_result_get_packet (CpMergeResult *result)
{
  g_autoptr(JsonNode) document = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->packet != NULL || result->error != NULL)
    return result->packet;

  document = build_document (result);
  result->packet = cp_packet_new_from_json (document, "merge", &result->error);
  return result->packet;
}

const GError *
cp_merge_result_get_error (CpMergeResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  cp_merge_result_get_packet (result);
  return result->error;
}

GPtrArray *
cp_merge_result_get_conflicts (CpMergeResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);
  return result->conflicts;
}

gboolean
cp_merge_result_has_conflicts (CpMergeResult *result)
{
  g_return_val_if_fail (result != NULL, FALSE);
  return result->conflicts->len > 0;
}

guint
cp_merge_result_get_n_theirs (CpMergeResult *result)
{
  g_return_val_if_fail (result != NULL, 0);
  return result->n_theirs;
}

gboolean
cp_merge_result_resolve (CpMergeResult  *result,
                         const char     *path,
                         CpMergeChoice   choice,
                         JsonNode       *value,
                         GError        **error)
{
  CpMergeConflict *conflict = NULL;
  JsonNode *take = NULL;
  JsonNode *previous = NULL;
  g_autofree char *key = NULL;
  guint index = 0;

  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; i < result->conflicts->len; i++)
    {
      CpMergeConflict *c = g_ptr_array_index (result->conflicts, i);

      if (g_str_equal (c->path, path))
        {
          conflict = c;
          index = i;
          break;
        }
    }
  if (conflict == NULL)
    {
      g_set_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_NO_SUCH_CONFLICT,
                   _("There is no unresolved conflict at “%s”."), path);
      return FALSE;
    }

  switch (choice)
    {
    case CP_MERGE_MINE:
      take = conflict->mine;
      break;
    case CP_MERGE_THEIRS:
      take = conflict->theirs;
      break;
    case CP_MERGE_EDIT:
      take = value;
      break;
    default:
      g_return_val_if_reached (FALSE);
    }
  if (take != NULL && JSON_NODE_HOLDS_NULL (take))
    take = NULL;

  /* Try it: the resolution must still give a valid packet. */
  if (g_hash_table_steal_extended (result->merged, path, (gpointer *) &key,
                                   (gpointer *) &previous) == FALSE)
    key = g_strdup (path);
  if (take != NULL)
    g_hash_table_insert (result->merged, g_strdup (key), json_node_copy (take));
  invalidate (result);
  if (cp_merge_result_get_packet (result) == NULL)
    {
      g_set_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                   _("That value cannot be used here: %s"), result->error->message);
      g_hash_table_remove (result->merged, key);
      if (previous != NULL)
        g_hash_table_insert (result->merged, g_steal_pointer (&key), previous);
      invalidate (result);
      return FALSE;
    }

  if (previous != NULL)
    json_node_unref (previous);
  g_ptr_array_remove_index (result->conflicts, index);
  return TRUE;
}

JsonNode *
cp_merge_conflicts_to_json (GPtrArray *conflicts)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);

  for (guint i = 0; conflicts != NULL && i < conflicts->len; i++)
    {
      const CpMergeConflict *c = g_ptr_array_index (conflicts, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "path", c->path);
      if (c->base != NULL)
        json_object_set_member (object, "base", json_node_copy (c->base));
      if (c->mine != NULL)
        json_object_set_member (object, "mine", json_node_copy (c->mine));
      if (c->theirs != NULL)
        json_object_set_member (object, "theirs", json_node_copy (c->theirs));
      json_array_add_object_element (array, object);
    }
  json_node_take_array (node, array);
  return node;
}

GPtrArray *
cp_merge_conflicts_from_json (JsonNode  *node,
                              GError   **error)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  JsonArray *array;

  g_return_val_if_fail (node != NULL, NULL);

  conflicts = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_merge_conflict_free);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                   _("The saved conflict list is damaged: it is not a list."));
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object;
      JsonNode *path;
      CpMergeConflict *c;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          (path = json_object_get_member (json_node_get_object (element), "path")) == NULL ||
          !JSON_NODE_HOLDS_VALUE (path) || json_node_get_value_type (path) != G_TYPE_STRING ||
          json_node_get_string (path)[0] != '/')
        {
          g_set_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                       _("The saved conflict list is damaged at entry %u."), i);
          return NULL;
        }
      object = json_node_get_object (element);
      c = g_new0 (CpMergeConflict, 1);
      c->path = g_strdup (json_node_get_string (path));
      c->base = node_copy_or_null (json_object_get_member (object, "base"));
      c->mine = node_copy_or_null (json_object_get_member (object, "mine"));
      c->theirs = node_copy_or_null (json_object_get_member (object, "theirs"));
      g_ptr_array_add (conflicts, c);
    }
  g_ptr_array_sort (conflicts, compare_conflicts);
  return g_steal_pointer (&conflicts);
}
