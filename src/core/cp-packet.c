/* cp-packet.c — one enterprise's application packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cp-date.h"
#include "cp-json-private.h"
#include "cp-packet.h"

/* Section values may nest (a group is an array of objects, a signature an object), but never
 * deeper than this: deeper documents are refused instead of being walked. */
#define MAX_VALUE_DEPTH 6
#define MAX_ID_LENGTH 64

struct _CpPacket
{
  GObject        parent_instance;

  char          *uuid;
  char          *kind;
  char          *template_version;
  int            year;
  CpPacketState  state;
  GDateTime     *created;
  GDateTime     *modified;
  char          *submitted_on;

  /* section id → JsonObject of field id → value */
  JsonObject    *sections;

  /* CpAttachment * */
  GPtrArray     *attachments;

  char          *sheet_id;
  char          *sheet_version;
  /* item id → CpItemScore * */
  GHashTable    *scores;

  gint64         review_seconds;
  GDateTime     *review_started;
};

enum {
  PROP_0,
  PROP_UUID,
  PROP_KIND,
  PROP_STATE,
  PROP_YEAR,
  PROP_MODIFIED,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpPacket, cp_packet, G_TYPE_OBJECT)

static const char * const state_names[] = {
  [CP_PACKET_STATE_DRAFT] = "draft",
  [CP_PACKET_STATE_READY] = "ready",
  [CP_PACKET_STATE_SUBMITTED] = "submitted",
  [CP_PACKET_STATE_RETURNED] = "returned",
  [CP_PACKET_STATE_ACCEPTED] = "accepted",
};

const char *
cp_packet_state_to_string (CpPacketState state)
{
  g_return_val_if_fail (state <= CP_PACKET_STATE_ACCEPTED, "draft");

  return state_names[state];
}

gboolean
cp_packet_state_from_string (const char    *text,
                             CpPacketState *state)
{
  g_return_val_if_fail (state != NULL, FALSE);

  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    {
      if (g_str_equal (text, state_names[i]))
        {
          *state = (CpPacketState) i;
          return TRUE;
        }
    }

  return FALSE;
}

gboolean
cp_sha256_is_valid (const char *text)
{
  if (text == NULL)
    return FALSE;

  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isdigit (text[i]) && !(text[i] >= 'a' && text[i] <= 'f'))
      return FALSE;

  return text[64] == '\0';
}

gboolean
cp_uuid_is_valid (const char *text)
{
  /* 8-4-4-4-12 lowercase hex digits. */
  static const guint groups[] = { 8, 4, 4, 4, 12 };
  const char *p = text;

  if (text == NULL)
    return FALSE;

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      for (guint i = 0; i < groups[g]; i++, p++)
        if (!g_ascii_isdigit (*p) && !(*p >= 'a' && *p <= 'f'))
          return FALSE;
      if (g + 1 < G_N_ELEMENTS (groups) && *p++ != '-')
        return FALSE;
    }

  return *p == '\0';
}

gboolean
cp_id_is_valid (const char *text)
{
  gsize len = 0;

  /* A letter or a digit first: never "", ".", ".." or an option-like "-x". */
  if (text == NULL || !g_ascii_isalnum (*text))
    return FALSE;

  for (const char *p = text; *p != '\0'; p++, len++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;

  return len <= MAX_ID_LENGTH;
}

static gboolean
mime_is_valid (const char *text)
{
  const char *slash;

  if (text == NULL || strlen (text) > 127)
    return FALSE;
  slash = strchr (text, '/');
  if (slash == NULL || slash == text || slash[1] == '\0')
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("/-+.", *p) == NULL)
      return FALSE;
  return strchr (slash + 1, '/') == NULL;
}

static gboolean
attachment_name_is_valid (const char *text)
{
  if (text == NULL || *text == '\0' || strlen (text) > 255)
    return FALSE;
  for (const char *p = text; *p; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\')
      return FALSE;
  return TRUE;
}

static void
cp_attachment_free (CpAttachment *attachment)
{
  g_free (attachment->name);
  g_free (attachment->sha256);
  g_free (attachment->mime);
  g_free (attachment);
}

static void
cp_item_score_free (CpItemScore *score)
{
  g_free (score->note);
  g_free (score->evidence);
  g_free (score);
}

static void
attachment_append (CpPacket   *self,
                   const char *name,
                   const char *sha256,
                   guint64     size,
                   const char *mime)
{
  CpAttachment *attachment = g_new0 (CpAttachment, 1);

  attachment->name = g_strdup (name);
  attachment->sha256 = g_strdup (sha256);
  attachment->size = size;
  attachment->mime = g_strdup (mime);
  g_ptr_array_add (self->attachments, attachment);
}

static void
touch (CpPacket *self)
{
  g_clear_pointer (&self->modified, g_date_time_unref);
  self->modified = g_date_time_new_now_utc ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
}

static void
cp_packet_finalize (GObject *object)
{
  CpPacket *self = (CpPacket *)object;

  g_clear_pointer (&self->uuid, g_free);
  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->template_version, g_free);
  g_clear_pointer (&self->created, g_date_time_unref);
  g_clear_pointer (&self->modified, g_date_time_unref);
  g_clear_pointer (&self->submitted_on, g_free);
  g_clear_pointer (&self->sections, json_object_unref);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_clear_pointer (&self->sheet_id, g_free);
  g_clear_pointer (&self->sheet_version, g_free);
  g_clear_pointer (&self->scores, g_hash_table_unref);
  g_clear_pointer (&self->review_started, g_date_time_unref);

  G_OBJECT_CLASS (cp_packet_parent_class)->finalize (object);
}

static void
cp_packet_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CpPacket *self = CP_PACKET (object);

  switch (prop_id)
    {
    case PROP_UUID:
      g_value_set_string (value, self->uuid);
      break;

    case PROP_KIND:
      g_value_set_string (value, self->kind);
      break;

    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_YEAR:
      g_value_set_int (value, self->year);
      break;

    case PROP_MODIFIED:
      g_value_set_boxed (value, self->modified);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_packet_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CpPacket *self = CP_PACKET (object);

  switch (prop_id)
    {
    case PROP_STATE:
      cp_packet_set_state (self, g_value_get_int (value));
      break;

    case PROP_YEAR:
      cp_packet_set_year (self, g_value_get_int (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_packet_class_init (CpPacketClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_packet_finalize;
  object_class->get_property = cp_packet_get_property;
  object_class->set_property = cp_packet_set_property;

  properties [PROP_UUID] =
    g_param_spec_string ("uuid", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_KIND] =
    g_param_spec_string ("kind", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      CP_PACKET_STATE_DRAFT, CP_PACKET_STATE_ACCEPTED, CP_PACKET_STATE_DRAFT,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_YEAR] =
    g_param_spec_int ("year", NULL, NULL, 0, 9999, 0,
                      (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_MODIFIED] =
    g_param_spec_boxed ("modified", NULL, NULL, G_TYPE_DATE_TIME,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CpPacket::changed:
   * @section: (nullable): the section whose value changed, or %NULL
   * @field: (nullable): the field, a scoring item id, or %NULL
   *
   * Emitted after a value, an attachment or a score changed.
   */
  signals [CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
cp_packet_init (CpPacket *self)
{
  self->sections = json_object_new ();
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_attachment_free);
  self->scores = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) cp_item_score_free);
}

CpPacket *
cp_packet_new (const char *kind,
               const char *template_version)
{
  CpPacket *self;

  g_return_val_if_fail (cp_id_is_valid (kind), NULL);
  g_return_val_if_fail (template_version != NULL && *template_version, NULL);

  self = g_object_new (CP_TYPE_PACKET, NULL);
  self->uuid = g_uuid_string_random ();
  self->kind = g_strdup (kind);
  self->template_version = g_strdup (template_version);
  self->created = g_date_time_new_now_utc ();
  self->modified = g_date_time_ref (self->created);
  self->year = g_date_time_get_year (self->created);

  return self;
}

/* ---- reading ---------------------------------------------------------------------------- */

gboolean
cp_packet_number_is_valid (double value)
{
  return isfinite (value) && fabs (value) <= CP_PACKET_MAX_NUMBER &&
         cp_json_double_is_writable (value);
}

/* Numbers in a value: whole numbers are written as they are; others must be valid. */
static gboolean
number_node_is_valid (JsonNode *node)
{
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 value = json_node_get_int (node);

      return value >= -(gint64) CP_PACKET_MAX_NUMBER && value <= (gint64) CP_PACKET_MAX_NUMBER;
    }
  return cp_packet_number_is_valid (json_node_get_double (node));
}

static gboolean
check_value (CpJsonCtx  *ctx,
             JsonNode   *node,
             guint       depth,
             GError    **error)
{
  if (depth > MAX_VALUE_DEPTH)
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                             "values nest deeper than %d levels", MAX_VALUE_DEPTH);

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          gsize mark = cp_json_ctx_push_index (ctx, i);

          if (!check_value (ctx, json_array_get_element (array, i), depth + 1, error))
            return FALSE;
          cp_json_ctx_pop (ctx, mark);
        }
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *child;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &child))
        {
          gsize mark = cp_json_ctx_push_member (ctx, name);

          if (!check_value (ctx, child, depth + 1, error))
            return FALSE;
          cp_json_ctx_pop (ctx, mark);
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (node) &&
           (json_node_get_value_type (node) == G_TYPE_DOUBLE ||
            json_node_get_value_type (node) == G_TYPE_INT64) &&
           !number_node_is_valid (node))
    {
      return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                               "not a number a packet can hold (finite, at most %g in "
                               "magnitude, and not so small that it cannot be written)",
                               CP_PACKET_MAX_NUMBER);
    }

  return TRUE;
}

gboolean
cp_packet_value_is_valid (JsonNode *value)
{
  CpJsonCtx ctx;
  gboolean ok;

  g_return_val_if_fail (value != NULL, FALSE);

  cp_json_ctx_init (&ctx, NULL);
  ok = check_value (&ctx, value, 1, NULL);
  cp_json_ctx_clear (&ctx);
  return ok;
}

static gboolean
read_sections (CpPacket    *self,
               CpJsonCtx   *ctx,
               JsonObject  *sections,
               GError     **error)
{
  JsonObjectIter iter;
  const char *section_id;
  JsonNode *section_node;

  json_object_iter_init_ordered (&iter, sections);
  while (json_object_iter_next_ordered (&iter, &section_id, &section_node))
    {
      gsize mark = cp_json_ctx_push_member (ctx, section_id);
      g_autoptr(JsonObject) copy = json_object_new ();
      JsonObjectIter fields;
      const char *field_id;
      JsonNode *value;
      JsonObject *section;

      if (!cp_id_is_valid (section_id))
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                 "“%s” is not a valid section id", section_id);
      if (!cp_json_require_object (ctx, section_node, &section, error))
        return FALSE;

      json_object_iter_init_ordered (&fields, section);
      while (json_object_iter_next_ordered (&fields, &field_id, &value))
        {
          gsize field_mark = cp_json_ctx_push_member (ctx, field_id);

          if (!cp_id_is_valid (field_id))
            return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                     "“%s” is not a valid field id", field_id);
          if (!check_value (ctx, value, 1, error))
            return FALSE;
          if (!JSON_NODE_HOLDS_NULL (value))
            json_object_set_member (copy, field_id, json_node_copy (value));
          cp_json_ctx_pop (ctx, field_mark);
        }

      if (json_object_get_size (copy) > 0)
        json_object_set_object_member (self->sections, section_id, g_steal_pointer (&copy));
      cp_json_ctx_pop (ctx, mark);
    }

  return TRUE;
}

static gboolean
read_attachments (CpPacket   *self,
                  CpJsonCtx  *ctx,
                  JsonArray  *array,
                  GError    **error)
{
  static const char * const known[] = { "name", "sha256", "size", "mime", NULL };

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      gsize mark = cp_json_ctx_push_index (ctx, i);
      const char *name = NULL, *sha256 = NULL, *mime = NULL;
      gint64 size = 0;
      JsonObject *object;

      if (!cp_json_require_object (ctx, json_array_get_element (array, i), &object, error) ||
          !cp_json_check_members (ctx, object, known, error) ||
          !cp_json_get_string (ctx, object, "name", TRUE, &name, error) ||
          !cp_json_get_string (ctx, object, "sha256", TRUE, &sha256, error) ||
          !cp_json_get_int (ctx, object, "size", TRUE, &size, error) ||
          !cp_json_get_string (ctx, object, "mime", TRUE, &mime, error))
        return FALSE;

      if (!attachment_name_is_valid (name))
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                 "“name” must be a file name without slashes or control characters");
      if (!cp_sha256_is_valid (sha256))
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                 "“sha256” must be 64 lowercase hexadecimal digits");
      if (size < 0)
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                 "“size” must not be negative");
      if (!mime_is_valid (mime))
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                 "“%s” is not a MIME type such as application/pdf", mime);
      if (cp_packet_find_attachment (self, sha256) != NULL)
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_DUPLICATE_ID,
                                 "the attachment %s is listed twice", sha256);

      attachment_append (self, name, sha256, (guint64) size, mime);
      cp_json_ctx_pop (ctx, mark);
    }

  return TRUE;
}

static gboolean
read_score (CpJsonCtx    *ctx,
            JsonObject   *object,
            CpItemScore  *score,
            GError      **error)
{
  static const char * const known[] = { "self", "acceptance", "note", "evidence", NULL };
  const char *note = NULL, *evidence = NULL;

  if (!cp_json_check_members (ctx, object, known, error))
    return FALSE;

  if (json_object_has_member (object, "self") && !json_object_get_null_member (object, "self"))
    {
      if (!cp_json_get_double (ctx, object, "self", TRUE, &score->self, error))
        return FALSE;
      score->has_self = TRUE;
    }
  if (json_object_has_member (object, "acceptance") &&
      !json_object_get_null_member (object, "acceptance"))
    {
      if (!cp_json_get_double (ctx, object, "acceptance", TRUE, &score->acceptance, error))
        return FALSE;
      score->has_acceptance = TRUE;
    }
  if ((score->has_self && !cp_packet_number_is_valid (score->self)) ||
      (score->has_acceptance && !cp_packet_number_is_valid (score->acceptance)))
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                             "not a number a packet can hold");

  if (!cp_json_get_string (ctx, object, "note", FALSE, &note, error) ||
      !cp_json_get_string (ctx, object, "evidence", FALSE, &evidence, error))
    return FALSE;

  if (evidence != NULL && !cp_sha256_is_valid (evidence))
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                             "“evidence” must be the SHA-256 of an attachment");

  score->note = g_strdup (note);
  score->evidence = g_strdup (evidence);
  return TRUE;
}

static gboolean
read_scoring (CpPacket    *self,
              CpJsonCtx   *ctx,
              JsonObject  *scoring,
              GError     **error)
{
  static const char * const known[] = { "sheet", "sheet_version", "items", NULL };
  const char *sheet = NULL, *sheet_version = NULL;
  JsonObject *items = NULL;
  JsonObjectIter iter;
  const char *item_id;
  JsonNode *node;

  if (!cp_json_check_members (ctx, scoring, known, error) ||
      !cp_json_get_string (ctx, scoring, "sheet", TRUE, &sheet, error) ||
      !cp_json_get_string (ctx, scoring, "sheet_version", TRUE, &sheet_version, error) ||
      !cp_json_get_object (ctx, scoring, "items", FALSE, &items, error))
    return FALSE;

  if (!cp_id_is_valid (sheet))
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                             "“%s” is not a valid scoring sheet id", sheet);

  self->sheet_id = g_strdup (sheet);
  self->sheet_version = g_strdup (sheet_version);

  if (items == NULL)
    return TRUE;

  {
    gsize items_mark = cp_json_ctx_push_member (ctx, "items");

    json_object_iter_init_ordered (&iter, items);
    while (json_object_iter_next_ordered (&iter, &item_id, &node))
      {
        gsize mark = cp_json_ctx_push_member (ctx, item_id);
        CpItemScore *score;
        JsonObject *object;

        if (!cp_id_is_valid (item_id))
          return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                   "“%s” is not a valid item id", item_id);
        if (!cp_json_require_object (ctx, node, &object, error))
          return FALSE;

        score = g_new0 (CpItemScore, 1);
        g_hash_table_replace (self->scores, g_strdup (item_id), score);
        if (!read_score (ctx, object, score, error))
          return FALSE;
        cp_json_ctx_pop (ctx, mark);
      }

    cp_json_ctx_pop (ctx, items_mark);
  }

  return TRUE;
}

static gboolean
read_datetime (CpJsonCtx   *ctx,
               JsonObject  *object,
               const char  *member,
               gboolean     required,
               GDateTime  **out,
               GError     **error)
{
  const char *text = NULL;
  GDateTime *dt;

  if (!cp_json_get_string (ctx, object, member, required, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt != NULL)
    {
      GDateTime *utc = g_date_time_to_utc (dt);
      int year = utc != NULL ? g_date_time_get_year (utc) : 0;

      g_date_time_unref (dt);
      dt = utc;
      if (dt != NULL && (year < CP_PACKET_MIN_TIME_YEAR || year > CP_PACKET_MAX_TIME_YEAR))
        {
          gsize mark = cp_json_ctx_push_member (ctx, member);

          g_date_time_unref (dt);
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "“%s” is not a time between the years %d and %d", text,
                            CP_PACKET_MIN_TIME_YEAR, CP_PACKET_MAX_TIME_YEAR);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
    }
  if (dt == NULL)
    {
      gsize mark = cp_json_ctx_push_member (ctx, member);

      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "“%s” is not an ISO 8601 date and time with a time zone, such as "
                        "2020-08-31T09:30:00Z", text);
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }

  *out = dt;
  return TRUE;
}

static gboolean
read_review (CpPacket    *self,
             CpJsonCtx   *ctx,
             JsonObject  *review,
             GError     **error)
{
  static const char * const known[] = { "seconds", "running_since", NULL };

  if (!cp_json_check_members (ctx, review, known, error) ||
      !cp_json_get_int (ctx, review, "seconds", TRUE, &self->review_seconds, error) ||
      !read_datetime (ctx, review, "running_since", FALSE, &self->review_started, error))
    return FALSE;

  if (self->review_seconds < 0)
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                             "“seconds” must not be negative");
  return TRUE;
}

static gboolean
read_packet (CpPacket    *self,
             CpJsonCtx   *ctx,
             JsonNode    *node,
             GError     **error)
{
  static const char * const known[] = {
    "format", "uuid", "kind", "template_version", "year", "state", "created", "modified",
    "submitted_on", "sections", "attachments", "scoring", "review", NULL
  };
  JsonObject *root, *sections = NULL, *scoring = NULL, *review = NULL;
  JsonArray *attachments = NULL;
  const char *uuid = NULL, *kind = NULL, *template_version = NULL, *state = NULL;
  const char *submitted_on = NULL;
  gint64 format = 0, year = 0;
  GDate date;

  if (!cp_json_require_object (ctx, node, &root, error) ||
      !cp_json_get_int (ctx, root, "format", TRUE, &format, error))
    return FALSE;

  if (format != CP_PACKET_FORMAT)
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_UNSUPPORTED,
                             "packet format %" G_GINT64_FORMAT " is not supported; this version "
                             "reads format %d", format, CP_PACKET_FORMAT);

  if (!cp_json_check_members (ctx, root, known, error) ||
      !cp_json_get_string (ctx, root, "uuid", TRUE, &uuid, error) ||
      !cp_json_get_string (ctx, root, "kind", TRUE, &kind, error) ||
      !cp_json_get_string (ctx, root, "template_version", TRUE, &template_version, error) ||
      !cp_json_get_int (ctx, root, "year", TRUE, &year, error) ||
      !cp_json_get_string (ctx, root, "state", TRUE, &state, error) ||
      !read_datetime (ctx, root, "created", TRUE, &self->created, error) ||
      !read_datetime (ctx, root, "modified", TRUE, &self->modified, error) ||
      !cp_json_get_string (ctx, root, "submitted_on", FALSE, &submitted_on, error) ||
      !cp_json_get_object (ctx, root, "sections", TRUE, &sections, error) ||
      !cp_json_get_array (ctx, root, "attachments", FALSE, &attachments, error) ||
      !cp_json_get_object (ctx, root, "scoring", FALSE, &scoring, error) ||
      !cp_json_get_object (ctx, root, "review", FALSE, &review, error))
    return FALSE;

#define FAIL_AT(member, ...) \
  G_STMT_START { \
    cp_json_ctx_push_member (ctx, member); \
    return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE, __VA_ARGS__); \
  } G_STMT_END

  if (!cp_uuid_is_valid (uuid))
    FAIL_AT ("uuid", "“%s” is not a lowercase UUID such as "
             "0f8fad5b-d9cb-469f-a165-70867728950e", uuid);
  if (!cp_id_is_valid (kind))
    FAIL_AT ("kind", "“%s” is not a valid packet kind id", kind);
  if (*template_version == '\0' || strlen (template_version) > MAX_ID_LENGTH)
    FAIL_AT ("template_version", "the template version must be a short non-empty string");
  if (year < 1990 || year > 9999)
    FAIL_AT ("year", "%" G_GINT64_FORMAT " is not a campaign year", year);
  if (!cp_packet_state_from_string (state, &self->state))
    FAIL_AT ("state", "“%s” is not a packet state (draft, ready, submitted, returned or "
             "accepted)", state);
  if (submitted_on != NULL && !cp_date_parse (submitted_on, &date))
    FAIL_AT ("submitted_on", "“%s” is not a date such as 2020-08-31", submitted_on);

#undef FAIL_AT

  self->uuid = g_strdup (uuid);
  self->kind = g_strdup (kind);
  self->template_version = g_strdup (template_version);
  self->year = (int) year;
  self->submitted_on = g_strdup (submitted_on);

  {
    gsize mark = cp_json_ctx_push_member (ctx, "sections");

    if (!read_sections (self, ctx, sections, error))
      return FALSE;
    cp_json_ctx_pop (ctx, mark);
  }

  if (attachments != NULL)
    {
      gsize mark = cp_json_ctx_push_member (ctx, "attachments");

      if (!read_attachments (self, ctx, attachments, error))
        return FALSE;
      cp_json_ctx_pop (ctx, mark);
    }

  if (scoring != NULL)
    {
      gsize mark = cp_json_ctx_push_member (ctx, "scoring");

      if (!read_scoring (self, ctx, scoring, error))
        return FALSE;
      cp_json_ctx_pop (ctx, mark);
    }

  if (review != NULL)
    {
      gsize mark = cp_json_ctx_push_member (ctx, "review");

      if (!read_review (self, ctx, review, error))
        return FALSE;
      cp_json_ctx_pop (ctx, mark);
    }

  return TRUE;
}

CpPacket *
cp_packet_new_from_json (JsonNode    *node,
                         const char  *origin,
                         GError     **error)
{
  g_autoptr(CpPacket) self = g_object_new (CP_TYPE_PACKET, NULL);
  CpJsonCtx ctx;
  gboolean ok;

  g_return_val_if_fail (node != NULL, NULL);

  cp_json_ctx_init (&ctx, origin);
  ok = read_packet (self, &ctx, node, error);
  cp_json_ctx_clear (&ctx);

  return ok ? g_steal_pointer (&self) : NULL;
}

CpPacket *
cp_packet_new_from_data (const char  *data,
                         gssize       length,
                         const char  *origin,
                         GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  root = cp_json_parse (data, length, CP_PACKET_MAX_SIZE, origin, error);
  if (root == NULL)
    return NULL;

  return cp_packet_new_from_json (root, origin, error);
}

CpPacket *
cp_packet_new_from_file (const char  *path,
                         GError     **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                   _("%s is a folder, not a packet file"), display);
      return NULL;
    }

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, local_error->domain, local_error->code,
                   _("Could not read %s: %s"), display, local_error->message);
      return NULL;
    }

  if (g_mapped_file_get_length (mapped) > CP_PACKET_MAX_SIZE)
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE,
                   _("%s is %" PRIu64 " bytes; a packet file may have at most %d bytes"),
                   display, (guint64) g_mapped_file_get_length (mapped), CP_PACKET_MAX_SIZE);
      return NULL;
    }

  return cp_packet_new_from_data (g_mapped_file_get_contents (mapped),
                                  (gssize) g_mapped_file_get_length (mapped), display, error);
}

/* ---- writing ---------------------------------------------------------------------------- */

static char *
format_datetime (GDateTime *dt)
{
  /* Microseconds only when there are any, so that hand-written packets round-trip as written. */
  if (g_date_time_get_microsecond (dt) == 0)
    return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Copies @node with object members in sorted order, so that the output is canonical. */
static JsonNode *
canonical_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (object);
      g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
      g_autoptr(JsonObject) copy = json_object_new ();
      JsonNode *out;

      for (const GList *l = names; l; l = l->next)
        g_ptr_array_add (sorted, l->data);
      g_ptr_array_sort (sorted, compare_strings);
      for (guint i = 0; i < sorted->len; i++)
        {
          const char *name = g_ptr_array_index (sorted, i);

          json_object_set_member (copy, name,
                                  canonical_copy (json_object_get_member (object, name)));
        }

      out = json_node_alloc ();
      json_node_init_object (out, copy);
      return out;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(JsonArray) copy = json_array_sized_new (json_array_get_length (array));
      JsonNode *out;

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (copy, canonical_copy (json_array_get_element (array, i)));

      out = json_node_alloc ();
      json_node_init_array (out, copy);
      return out;
    }

  /* A new value, not json_node_copy(): that shares the JsonValue, whose reference count
   * json-glib 1.6 does not change atomically, so a copy handed to another thread (the PDF
   * export while the user types) raced with the original over it. */
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return json_node_init_string (json_node_alloc (), json_node_get_string (node));
    case G_TYPE_INT64:
      return json_node_init_int (json_node_alloc (), json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return json_node_init_double (json_node_alloc (), json_node_get_double (node));
    case G_TYPE_BOOLEAN:
      return json_node_init_boolean (json_node_alloc (), json_node_get_boolean (node));
    default:
      return json_node_init_null (json_node_alloc ());
    }
}

static void
add_number (JsonBuilder *builder,
            double       value)
{
  if (value == (double) (gint64) value && fabs (value) < 1e15)
    json_builder_add_int_value (builder, (gint64) value);
  else
    json_builder_add_double_value (builder, value);
}

JsonNode *
cp_packet_to_json (CpPacket *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autofree char *created = NULL;
  g_autofree char *modified = NULL;
  g_autoptr(JsonNode) sections = NULL;
  JsonNode *sections_copy;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);

  created = format_datetime (self->created);
  modified = format_datetime (self->modified);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_int_value (builder, CP_PACKET_FORMAT);
  json_builder_set_member_name (builder, "uuid");
  json_builder_add_string_value (builder, self->uuid);
  json_builder_set_member_name (builder, "kind");
  json_builder_add_string_value (builder, self->kind);
  json_builder_set_member_name (builder, "template_version");
  json_builder_add_string_value (builder, self->template_version);
  json_builder_set_member_name (builder, "year");
  json_builder_add_int_value (builder, self->year);
  json_builder_set_member_name (builder, "state");
  json_builder_add_string_value (builder, cp_packet_state_to_string (self->state));
  json_builder_set_member_name (builder, "created");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "modified");
  json_builder_add_string_value (builder, modified);
  if (self->submitted_on != NULL)
    {
      json_builder_set_member_name (builder, "submitted_on");
      json_builder_add_string_value (builder, self->submitted_on);
    }

  sections = json_node_alloc ();
  json_node_init_object (sections, self->sections);
  sections_copy = canonical_copy (sections);
  json_builder_set_member_name (builder, "sections");
  json_builder_add_value (builder, sections_copy);

  json_builder_set_member_name (builder, "attachments");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (self->attachments, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, attachment->name);
      json_builder_set_member_name (builder, "sha256");
      json_builder_add_string_value (builder, attachment->sha256);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) attachment->size);
      json_builder_set_member_name (builder, "mime");
      json_builder_add_string_value (builder, attachment->mime);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  if (self->sheet_id != NULL)
    {
      g_autofree gpointer *keys = NULL;
      guint n_keys = 0;

      json_builder_set_member_name (builder, "scoring");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "sheet");
      json_builder_add_string_value (builder, self->sheet_id);
      json_builder_set_member_name (builder, "sheet_version");
      json_builder_add_string_value (builder, self->sheet_version);
      json_builder_set_member_name (builder, "items");
      json_builder_begin_object (builder);

      keys = g_hash_table_get_keys_as_array (self->scores, &n_keys);
      qsort (keys, n_keys, sizeof (gpointer), compare_strings);
      for (guint i = 0; i < n_keys; i++)
        {
          const CpItemScore *score = g_hash_table_lookup (self->scores, keys[i]);

          json_builder_set_member_name (builder, keys[i]);
          json_builder_begin_object (builder);
          if (score->has_acceptance)
            {
              json_builder_set_member_name (builder, "acceptance");
              add_number (builder, score->acceptance);
            }
          if (score->evidence != NULL)
            {
              json_builder_set_member_name (builder, "evidence");
              json_builder_add_string_value (builder, score->evidence);
            }
          if (score->note != NULL)
            {
              json_builder_set_member_name (builder, "note");
              json_builder_add_string_value (builder, score->note);
            }
          if (score->has_self)
            {
              json_builder_set_member_name (builder, "self");
              add_number (builder, score->self);
            }
          json_builder_end_object (builder);
        }

      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }

  if (self->review_seconds > 0 || self->review_started != NULL)
    {
      json_builder_set_member_name (builder, "review");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "seconds");
      json_builder_add_int_value (builder, self->review_seconds);
      if (self->review_started != NULL)
        {
          g_autofree char *since = format_datetime (self->review_started);

          json_builder_set_member_name (builder, "running_since");
          json_builder_add_string_value (builder, since);
        }
      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* ---- canonical form, written directly ----------------------------------------------------- */

/* The canonical text is what json-glib 1.6's generator writes for cp_packet_to_json(), byte for
 * byte (stored hashes and receipts depend on it), but written straight from the packet: no
 * JsonBuilder tree, no sorted copy of the sections, no generator. test-packet compares the two
 * on every fixture and demo packet. */

/* As json-glib 1.6 escapes a string: \" and \\, the short escapes, \u00XX for the other
 * control characters from 0x01 to 0x1e and for 0x7f; 0x1f and all other bytes as they are. */
static void
write_string (GString    *out,
              const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (out, '"');
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;
      const char *escape = NULL;
      char buf[8];

      if (c == '"')
        escape = "\\\"";
      else if (c == '\\')
        escape = "\\\\";
      else if ((c > 0 && c < 0x1f) || c == 0x7f)
        {
          switch (c)
            {
            case '\b': escape = "\\b"; break;
            case '\f': escape = "\\f"; break;
            case '\n': escape = "\\n"; break;
            case '\r': escape = "\\r"; break;
            case '\t': escape = "\\t"; break;
            default:
              g_snprintf (buf, sizeof buf, "\\u00%02x", (guint) c);
              escape = buf;
              break;
            }
        }
      if (escape != NULL)
        {
          g_string_append_len (out, run, p - run);
          g_string_append (out, escape);
          run = p + 1;
        }
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

static void
write_name (GString    *out,
            const char *name)
{
  write_string (out, name);
  g_string_append_c (out, ':');
}

static void
write_int (GString *out,
           gint64   value)
{
  char buf[24];
  char *end = buf + sizeof buf;
  char *p = end;
  /* Through the unsigned magnitude, so that G_MININT64 has one too. */
  guint64 magnitude = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;

  do
    {
      *--p = (char) ('0' + magnitude % 10);
      magnitude /= 10;
    }
  while (magnitude != 0);
  if (value < 0)
    *--p = '-';
  g_string_append_len (out, p, end - p);
}

/* "%.17g", and ".0" when there is no '.' (json-glib 1.6 appends it after an exponent too: that
 * text does not read back, which cp_packet_to_verified_data() reports). */
static void
write_double (GString *out,
              double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_dtostr (buf, sizeof buf, value);
  g_string_append (out, buf);
  if (strchr (buf, '.') == NULL)
    g_string_append (out, ".0");
}

static void
write_number (GString *out,
              double   value)
{
  if (value == (double) (gint64) value && fabs (value) < 1e15)
    write_int (out, (gint64) value);
  else
    write_double (out, value);
}

static void write_node (GString  *out,
                        JsonNode *node);

typedef struct
{
  const char *name;
  JsonNode   *node;
} Member;

/* An object with its members in strcmp() order, as canonical_copy() sorts them. */
static void
write_object (GString    *out,
              JsonObject *object)
{
  guint n = json_object_get_size (object);
  Member stack_members[32];
  g_autofree Member *heap_members = NULL;
  Member *members = stack_members;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  guint i = 0;

  if (n > G_N_ELEMENTS (stack_members))
    members = heap_members = g_new (Member, n);
  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    {
      members[i].name = name;
      members[i].node = member;
      i++;
    }
  /* The name comes first in a Member, so compare_strings() orders them by name. */
  qsort (members, n, sizeof (Member), compare_strings);

  g_string_append_c (out, '{');
  for (i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      write_name (out, members[i].name);
      write_node (out, members[i].node);
    }
  g_string_append_c (out, '}');
}

/* A value as canonical_copy() copies it: a value of any other type becomes null. */
static void
write_node (GString  *out,
            JsonNode *node)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      write_object (out, json_node_get_object (node));
      return;
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            write_node (out, json_array_get_element (array, i));
          }
        g_string_append_c (out, ']');
      }
      return;
    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          write_string (out, json_node_get_string (node));
          return;
        case G_TYPE_INT64:
          write_int (out, json_node_get_int (node));
          return;
        case G_TYPE_DOUBLE:
          write_double (out, json_node_get_double (node));
          return;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          return;
        default:
          break;
        }
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
  g_string_append (out, "null");
}

static void
write_datetime_member (GString    *out,
                       const char *name,
                       GDateTime  *dt)
{
  g_autofree char *text = format_datetime (dt);

  write_name (out, name);
  write_string (out, text);
}

/* The canonical text, in the member order of cp_packet_to_json(). */
static GString *
write_canonical (CpPacket *self)
{
  GString *out = g_string_sized_new (16384);

  g_string_append_c (out, '{');
  write_name (out, "format");
  write_int (out, CP_PACKET_FORMAT);
  g_string_append_c (out, ',');
  write_name (out, "uuid");
  write_string (out, self->uuid);
  g_string_append_c (out, ',');
  write_name (out, "kind");
  write_string (out, self->kind);
  g_string_append_c (out, ',');
  write_name (out, "template_version");
  write_string (out, self->template_version);
  g_string_append_c (out, ',');
  write_name (out, "year");
  write_int (out, self->year);
  g_string_append_c (out, ',');
  write_name (out, "state");
  write_string (out, cp_packet_state_to_string (self->state));
  g_string_append_c (out, ',');
  write_datetime_member (out, "created", self->created);
  g_string_append_c (out, ',');
  write_datetime_member (out, "modified", self->modified);
  if (self->submitted_on != NULL)
    {
      g_string_append_c (out, ',');
      write_name (out, "submitted_on");
      write_string (out, self->submitted_on);
    }

  g_string_append_c (out, ',');
  write_name (out, "sections");
  write_object (out, self->sections);

  g_string_append_c (out, ',');
  write_name (out, "attachments");
  g_string_append_c (out, '[');
  for (guint i = 0; i < self->attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (self->attachments, i);

      if (i > 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, '{');
      write_name (out, "name");
      write_string (out, attachment->name);
      g_string_append_c (out, ',');
      write_name (out, "sha256");
      write_string (out, attachment->sha256);
      g_string_append_c (out, ',');
      write_name (out, "size");
      write_int (out, (gint64) attachment->size);
      g_string_append_c (out, ',');
      write_name (out, "mime");
      write_string (out, attachment->mime);
      g_string_append_c (out, '}');
    }
  g_string_append_c (out, ']');

  if (self->sheet_id != NULL)
    {
      g_autofree gpointer *keys = NULL;
      guint n_keys = 0;

      g_string_append_c (out, ',');
      write_name (out, "scoring");
      g_string_append_c (out, '{');
      write_name (out, "sheet");
      write_string (out, self->sheet_id);
      g_string_append_c (out, ',');
      write_name (out, "sheet_version");
      write_string (out, self->sheet_version);
      g_string_append_c (out, ',');
      write_name (out, "items");
      g_string_append_c (out, '{');

      keys = g_hash_table_get_keys_as_array (self->scores, &n_keys);
      qsort (keys, n_keys, sizeof (gpointer), compare_strings);
      for (guint i = 0; i < n_keys; i++)
        {
          const CpItemScore *score = g_hash_table_lookup (self->scores, keys[i]);
          gboolean first = TRUE;

          if (i > 0)
            g_string_append_c (out, ',');
          write_name (out, keys[i]);
          g_string_append_c (out, '{');
          if (score->has_acceptance)
            {
              write_name (out, "acceptance");
              write_number (out, score->acceptance);
              first = FALSE;
            }
          if (score->evidence != NULL)
            {
              if (!first)
                g_string_append_c (out, ',');
              write_name (out, "evidence");
              write_string (out, score->evidence);
              first = FALSE;
            }
          if (score->note != NULL)
            {
              if (!first)
                g_string_append_c (out, ',');
              write_name (out, "note");
              write_string (out, score->note);
              first = FALSE;
            }
          if (score->has_self)
            {
              if (!first)
                g_string_append_c (out, ',');
              write_name (out, "self");
              write_number (out, score->self);
            }
          g_string_append_c (out, '}');
        }
      g_string_append (out, "}}");
    }

  if (self->review_seconds > 0 || self->review_started != NULL)
    {
      g_string_append_c (out, ',');
      write_name (out, "review");
      g_string_append_c (out, '{');
      write_name (out, "seconds");
      write_int (out, self->review_seconds);
      if (self->review_started != NULL)
        {
          g_string_append_c (out, ',');
          write_datetime_member (out, "running_since", self->review_started);
        }
      g_string_append_c (out, '}');
    }

  g_string_append_c (out, '}');
  return out;
}

char *
cp_packet_to_data (CpPacket *self,
                   gboolean  pretty,
                   gsize    *length)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);

  if (!pretty)
    {
      GString *out = write_canonical (self);

      if (length != NULL)
        *length = out->len;
      return g_string_free (out, FALSE);
    }

  root = cp_packet_to_json (self);
  generator = json_generator_new ();
  json_generator_set_pretty (generator, pretty);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, length);
}

char *
cp_packet_to_verified_data (CpPacket  *self,
                            gsize     *length,
                            GError   **error)
{
  return cp_packet_to_verified_data_full (self, length, NULL, error);
}

char *
cp_packet_to_verified_data_full (CpPacket  *self,
                                 gsize     *length,
                                 char     **sha256,
                                 GError   **error)
{
  g_autofree char *data = NULL;
  g_autofree char *again = NULL;
  g_autoptr(CpPacket) copy = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize data_length = 0;
  gsize again_length = 0;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);

  data = cp_packet_to_data (self, FALSE, &data_length);
  copy = cp_packet_new_from_data (data, (gssize) data_length, "canonical form", &local_error);
  if (copy == NULL)
    {
      g_set_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE,
                   _("The packet cannot be written in a form that reads back: %s"),
                   local_error->message);
      return NULL;
    }
  again = cp_packet_to_data (copy, FALSE, &again_length);
  if (again_length != data_length || memcmp (again, data, data_length) != 0)
    {
      g_set_error_literal (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE,
                           _("The packet does not read back as it was written: a value "
                             "changes on the way."));
      return NULL;
    }
  if (length != NULL)
    *length = data_length;
  if (sha256 != NULL)
    *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data,
                                           data_length);
  return g_steal_pointer (&data);
}

CpPacket *
cp_packet_copy (CpPacket *self)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  CpPacket *copy;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);

  root = cp_packet_to_json (self);
  copy = cp_packet_new_from_json (root, "<copy>", &error);
  /* A packet always reads back what it writes. */
  g_assert_no_error (error);
  return copy;
}

/* ---- accessors -------------------------------------------------------------------------- */

const char *
cp_packet_get_uuid (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->uuid;
}

const char *
cp_packet_get_kind (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->kind;
}

const char *
cp_packet_get_template_version (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->template_version;
}

int
cp_packet_get_year (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), 0);
  return self->year;
}

void
cp_packet_set_year (CpPacket *self,
                    int       year)
{
  g_return_if_fail (CP_IS_PACKET (self));

  if (self->year != year)
    {
      self->year = year;
      touch (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_YEAR]);
      g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
    }
}

CpPacketState
cp_packet_get_state (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), CP_PACKET_STATE_DRAFT);
  return self->state;
}

void
cp_packet_set_state (CpPacket      *self,
                     CpPacketState  state)
{
  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (state <= CP_PACKET_STATE_ACCEPTED);

  if (self->state != state)
    {
      self->state = state;
      touch (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
    }
}

GDateTime *
cp_packet_get_created (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->created;
}

GDateTime *
cp_packet_get_modified (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->modified;
}

const char *
cp_packet_get_submitted_on (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->submitted_on;
}

void
cp_packet_set_submitted_on (CpPacket   *self,
                            const char *date)
{
  GDate parsed;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (date == NULL || cp_date_parse (date, &parsed));

  if (g_strcmp0 (self->submitted_on, date) != 0)
    {
      g_free (self->submitted_on);
      self->submitted_on = g_strdup (date);
      touch (self);
      g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
    }
}

const char *
cp_packet_get_enterprise_name (CpPacket *self)
{
  return cp_packet_get_string (self, "cover", "enterprise_name");
}

const char *
cp_packet_get_uscc (CpPacket *self)
{
  return cp_packet_get_string (self, "cover", "uscc");
}

JsonObject *
cp_packet_get_section (CpPacket   *self,
                       const char *section)
{
  JsonNode *node;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  g_return_val_if_fail (section != NULL, NULL);

  node = json_object_get_member (self->sections, section);
  return node != NULL ? json_node_get_object (node) : NULL;
}

JsonNode *
cp_packet_get_value (CpPacket   *self,
                     const char *section,
                     const char *field)
{
  JsonObject *object;

  g_return_val_if_fail (field != NULL, NULL);

  object = cp_packet_get_section (self, section);
  return object != NULL ? json_object_get_member (object, field) : NULL;
}

JsonNode *
cp_packet_get_value_at (CpPacket   *self,
                        const char *section,
                        const char *field,
                        int         index,
                        const char *member)
{
  JsonNode *node;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  node = cp_packet_get_value (self, section, field);
  if (node != NULL && index >= 0)
    {
      JsonArray *array;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        return NULL;
      array = json_node_get_array (node);
      if ((guint) index >= json_array_get_length (array))
        return NULL;
      node = json_array_get_element (array, index);
    }
  if (node != NULL && member != NULL)
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return NULL;
      node = json_object_get_member (json_node_get_object (node), member);
    }
  if (node != NULL && JSON_NODE_HOLDS_NULL (node))
    return NULL;
  return node;
}

gboolean
cp_packet_set_value_at (CpPacket   *self,
                        const char *section,
                        const char *field,
                        int         index,
                        const char *member,
                        JsonNode   *value)
{
  g_autoptr(JsonNode) owned = value;
  g_autoptr(JsonNode) top = NULL;
  JsonNode *current;
  JsonObject *object;

  g_return_val_if_fail (CP_IS_PACKET (self), FALSE);
  g_return_val_if_fail (section != NULL, FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  if (!cp_id_is_valid (section) || !cp_id_is_valid (field) || (member != NULL && *member == '\0') ||
      (index >= 0 && member == NULL) || (value != NULL && !cp_packet_value_is_valid (value)))
    return FALSE;

  if (index < 0 && member == NULL)
    {
      cp_packet_set_value (self, section, field, g_steal_pointer (&owned));
      return TRUE;
    }

  current = cp_packet_get_value (self, section, field);
  if (current != NULL && JSON_NODE_HOLDS_NULL (current))
    current = NULL;
  if (index >= 0)
    {
      JsonArray *array;
      JsonNode *entry;

      if (current == NULL || !JSON_NODE_HOLDS_ARRAY (current) ||
          (guint) index >= json_array_get_length (json_node_get_array (current)))
        return FALSE;
      entry = json_array_get_element (json_node_get_array (current), index);
      if (!JSON_NODE_HOLDS_OBJECT (entry))
        return FALSE;
      /* A deep copy: json_node_copy() shares the array, and editing that in place would leave
       * cp_packet_set_value() nothing to compare, notify or stamp. */
      top = canonical_copy (current);
      array = json_node_get_array (top);
      object = json_node_get_object (json_array_get_element (array, index));
    }
  else
    {
      if (current != NULL && !JSON_NODE_HOLDS_OBJECT (current))
        return FALSE;
      top = current != NULL ? canonical_copy (current)
                            : json_node_init_object (json_node_alloc (), json_object_new ());
      object = json_node_get_object (top);
    }

  if (owned != NULL && !JSON_NODE_HOLDS_NULL (owned))
    json_object_set_member (object, member, g_steal_pointer (&owned));
  else if (json_object_has_member (object, member))
    json_object_remove_member (object, member);

  /* A signature with nothing left in it is no signature. */
  if (index < 0 && json_object_get_size (object) == 0)
    g_clear_pointer (&top, json_node_unref);

  if (top != NULL && !cp_packet_value_is_valid (top))
    return FALSE;
  cp_packet_set_value (self, section, field, g_steal_pointer (&top));
  return TRUE;
}

GPtrArray *
cp_packet_get_file_hashes (JsonNode *value)
{
  GPtrArray *hashes = g_ptr_array_new_with_free_func (g_free);

  if (value == NULL)
    return hashes;
  if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
    g_ptr_array_add (hashes, g_strdup (json_node_get_string (value)));
  else if (JSON_NODE_HOLDS_ARRAY (value))
    {
      JsonArray *array = json_node_get_array (value);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (hashes, g_strdup (json_node_get_string (element)));
        }
    }
  return hashes;
}

const char *
cp_packet_get_string (CpPacket   *self,
                      const char *section,
                      const char *field)
{
  JsonNode *node = cp_packet_get_value (self, section, field);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

void
cp_packet_set_value (CpPacket   *self,
                     const char *section,
                     const char *field,
                     JsonNode   *value)
{
  JsonObject *object;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (cp_id_is_valid (section));
  g_return_if_fail (cp_id_is_valid (field));
  g_return_if_fail (value == NULL || cp_packet_value_is_valid (value));

  if (value != NULL && JSON_NODE_HOLDS_NULL (value))
    g_clear_pointer (&value, json_node_unref);

  object = cp_packet_get_section (self, section);

  if (value == NULL)
    {
      if (object == NULL || !json_object_has_member (object, field))
        return;
      json_object_remove_member (object, field);
      if (json_object_get_size (object) == 0)
        json_object_remove_member (self->sections, section);
    }
  else
    {
      JsonNode *old = object != NULL ? json_object_get_member (object, field) : NULL;

      if (old != NULL && json_node_equal (old, value))
        {
          json_node_unref (value);
          return;
        }
      if (object == NULL)
        {
          object = json_object_new ();
          json_object_set_object_member (self->sections, section, object);
        }
      json_object_set_member (object, field, value);
    }

  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, section, field);
}

void
cp_packet_set_string (CpPacket   *self,
                      const char *section,
                      const char *field,
                      const char *value)
{
  cp_packet_set_value (self, section, field,
                       value != NULL ? json_node_init_string (json_node_alloc (), value) : NULL);
}

void
cp_packet_set_number (CpPacket   *self,
                      const char *section,
                      const char *field,
                      double      value)
{
  JsonNode *node;

  g_return_if_fail (cp_packet_number_is_valid (value));

  node = json_node_alloc ();
  if (value == (double) (gint64) value && fabs (value) < 1e15)
    json_node_init_int (node, (gint64) value);
  else
    json_node_init_double (node, value);
  cp_packet_set_value (self, section, field, node);
}

GPtrArray *
cp_packet_list_sections (CpPacket *self)
{
  g_autoptr(GList) names = NULL;
  GPtrArray *ret;

  g_return_val_if_fail (CP_IS_PACKET (self), NULL);

  names = json_object_get_members (self->sections);
  ret = g_ptr_array_new_with_free_func (g_free);
  for (const GList *l = names; l; l = l->next)
    g_ptr_array_add (ret, g_strdup (l->data));
  return ret;
}

GPtrArray *
cp_packet_get_attachments (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->attachments;
}

const CpAttachment *
cp_packet_find_attachment (CpPacket   *self,
                           const char *sha256)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);

  if (sha256 == NULL)
    return NULL;

  for (guint i = 0; i < self->attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (self->attachments, i);

      if (g_str_equal (attachment->sha256, sha256))
        return attachment;
    }

  return NULL;
}

void
cp_packet_add_attachment (CpPacket   *self,
                          const char *name,
                          const char *sha256,
                          guint64     size,
                          const char *mime)
{
  CpAttachment *attachment;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (attachment_name_is_valid (name));
  g_return_if_fail (cp_sha256_is_valid (sha256));
  g_return_if_fail (mime_is_valid (mime));

  attachment = (CpAttachment *) cp_packet_find_attachment (self, sha256);
  if (attachment != NULL)
    {
      if (g_str_equal (attachment->name, name) && g_str_equal (attachment->mime, mime) &&
          attachment->size == size)
        return;
      g_free (attachment->name);
      attachment->name = g_strdup (name);
      g_free (attachment->mime);
      attachment->mime = g_strdup (mime);
      attachment->size = size;
    }
  else
    attachment_append (self, name, sha256, size, mime);

  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
}

gboolean
cp_packet_remove_attachment (CpPacket   *self,
                             const char *sha256)
{
  const CpAttachment *attachment;

  g_return_val_if_fail (CP_IS_PACKET (self), FALSE);

  attachment = cp_packet_find_attachment (self, sha256);
  if (attachment == NULL)
    return FALSE;

  g_ptr_array_remove (self->attachments, (gpointer) attachment);
  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
  return TRUE;
}

/* ---- scoring ---------------------------------------------------------------------------- */

const char *
cp_packet_get_sheet_id (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->sheet_id;
}

const char *
cp_packet_get_sheet_version (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->sheet_version;
}

void
cp_packet_set_sheet (CpPacket   *self,
                     const char *sheet_id,
                     const char *sheet_version)
{
  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (sheet_id == NULL || cp_id_is_valid (sheet_id));
  g_return_if_fail (sheet_id == NULL || sheet_version != NULL);

  if (g_strcmp0 (self->sheet_id, sheet_id) == 0 &&
      g_strcmp0 (self->sheet_version, sheet_version) == 0)
    return;

  g_free (self->sheet_id);
  self->sheet_id = g_strdup (sheet_id);
  g_free (self->sheet_version);
  self->sheet_version = g_strdup (sheet_version);
  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
}

const CpItemScore *
cp_packet_get_score (CpPacket   *self,
                     const char *item_id)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  g_return_val_if_fail (item_id != NULL, NULL);

  return g_hash_table_lookup (self->scores, item_id);
}

GHashTable *
cp_packet_get_scores (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), NULL);
  return self->scores;
}

static CpItemScore *
ensure_score (CpPacket   *self,
              const char *item_id)
{
  CpItemScore *score = g_hash_table_lookup (self->scores, item_id);

  if (score == NULL)
    {
      score = g_new0 (CpItemScore, 1);
      g_hash_table_insert (self->scores, g_strdup (item_id), score);
    }

  return score;
}

static void
drop_if_empty (CpPacket    *self,
               const char  *item_id,
               CpItemScore *score)
{
  if (!score->has_self && !score->has_acceptance && score->note == NULL && score->evidence == NULL)
    g_hash_table_remove (self->scores, item_id);
}

static void
score_changed (CpPacket   *self,
               const char *item_id)
{
  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, "scoring", item_id);
}

void
cp_packet_set_score (CpPacket      *self,
                     const char    *item_id,
                     CpScoreColumn  column,
                     double         value)
{
  CpItemScore *score;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (cp_id_is_valid (item_id));
  g_return_if_fail (cp_packet_number_is_valid (value));

  score = ensure_score (self, item_id);
  if (column == CP_SCORE_SELF)
    {
      if (score->has_self && score->self == value)
        return;
      score->has_self = TRUE;
      score->self = value;
    }
  else
    {
      if (score->has_acceptance && score->acceptance == value)
        return;
      score->has_acceptance = TRUE;
      score->acceptance = value;
    }

  score_changed (self, item_id);
}

void
cp_packet_unset_score (CpPacket      *self,
                       const char    *item_id,
                       CpScoreColumn  column)
{
  CpItemScore *score;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (item_id != NULL);

  score = g_hash_table_lookup (self->scores, item_id);
  if (score == NULL)
    return;

  if (column == CP_SCORE_SELF)
    {
      if (!score->has_self)
        return;
      score->has_self = FALSE;
      score->self = 0;
    }
  else
    {
      if (!score->has_acceptance)
        return;
      score->has_acceptance = FALSE;
      score->acceptance = 0;
    }

  drop_if_empty (self, item_id, score);
  score_changed (self, item_id);
}

void
cp_packet_set_score_note (CpPacket   *self,
                          const char *item_id,
                          const char *note)
{
  CpItemScore *score;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (cp_id_is_valid (item_id));

  if (note != NULL && *note == '\0')
    note = NULL;

  score = ensure_score (self, item_id);
  if (g_strcmp0 (score->note, note) == 0)
    {
      drop_if_empty (self, item_id, score);
      return;
    }

  g_free (score->note);
  score->note = g_strdup (note);
  drop_if_empty (self, item_id, score);
  score_changed (self, item_id);
}

void
cp_packet_set_score_evidence (CpPacket   *self,
                              const char *item_id,
                              const char *sha256)
{
  CpItemScore *score;

  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (cp_id_is_valid (item_id));
  g_return_if_fail (sha256 == NULL || cp_sha256_is_valid (sha256));

  score = ensure_score (self, item_id);
  if (g_strcmp0 (score->evidence, sha256) == 0)
    {
      drop_if_empty (self, item_id, score);
      return;
    }

  g_free (score->evidence);
  score->evidence = g_strdup (sha256);
  drop_if_empty (self, item_id, score);
  score_changed (self, item_id);
}

/* ---- review clock ----------------------------------------------------------------------- */

gint64
cp_packet_get_review_seconds (CpPacket  *self,
                              GDateTime *now)
{
  gint64 seconds;

  g_return_val_if_fail (CP_IS_PACKET (self), 0);

  seconds = self->review_seconds;
  if (self->review_started != NULL && now != NULL)
    {
      GTimeSpan span = g_date_time_difference (now, self->review_started);

      if (span > 0)
        seconds += span / G_TIME_SPAN_SECOND;
    }

  return seconds;
}

gboolean
cp_packet_get_review_running (CpPacket *self)
{
  g_return_val_if_fail (CP_IS_PACKET (self), FALSE);
  return self->review_started != NULL;
}

void
cp_packet_start_review_clock (CpPacket  *self,
                              GDateTime *now)
{
  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (now != NULL);

  if (self->review_started != NULL)
    return;

  self->review_started = g_date_time_to_utc (now);
  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
}

void
cp_packet_stop_review_clock (CpPacket  *self,
                             GDateTime *now)
{
  g_return_if_fail (CP_IS_PACKET (self));
  g_return_if_fail (now != NULL);

  if (self->review_started == NULL)
    return;

  self->review_seconds = cp_packet_get_review_seconds (self, now);
  g_clear_pointer (&self->review_started, g_date_time_unref);
  touch (self);
  g_signal_emit (self, signals[CHANGED], 0, NULL, NULL);
}
