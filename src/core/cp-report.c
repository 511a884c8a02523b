/* cp-report.c — a table an office sends upward, defined as data: which packets, which columns
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-report.h"
#include "cp-packet.h"
#include "cp-json-private.h"
#include "cp-scoring-sheet.h"
#include "cp-template.h"

struct _CpReport
{
  GObject     parent_instance;

  char       *id;
  char       *version;
  char       *origin;
  CpText     *title;
  CpText     *description;
  int         due_month;    /* 0 for none */
  int         due_day;
  char       *kind;
  guint       states;       /* 1 << CpPacketState; 0 for every state */
  GPtrArray  *columns;      /* CpReportColumn * */
  GHashTable *columns_by_id;
  GPtrArray  *sort;         /* CpReportSort * */
  GPtrArray  *totals;       /* CpReportTotalSpec * */
  CpText     *totals_label;
  guint       freeze_columns;
};

G_DEFINE_FINAL_TYPE (CpReport, cp_report, G_TYPE_OBJECT)

static const char * const value_names[] = {
  [CP_REPORT_VALUE_ROW_NUMBER] = "row-number",
  [CP_REPORT_VALUE_FIELD] = "field",
  [CP_REPORT_VALUE_STATE] = "state",
  [CP_REPORT_VALUE_YEAR] = "year",
  [CP_REPORT_VALUE_SUBMITTED] = "submitted-on",
  [CP_REPORT_VALUE_SCORE] = "score",
  [CP_REPORT_VALUE_GRADE] = "grade",
  [CP_REPORT_VALUE_PASS_MARK] = "pass-mark",
  [CP_REPORT_VALUE_REACHED] = "reached",
};

static const char * const total_names[] = {
  [CP_REPORT_TOTAL_COUNT] = "count",
  [CP_REPORT_TOTAL_SUM] = "sum",
  [CP_REPORT_TOTAL_AVERAGE] = "average",
};

const char *
cp_report_value_to_string (CpReportValue value)
{
  g_return_val_if_fail ((guint) value < G_N_ELEMENTS (value_names), NULL);

  return value_names[value];
}

gboolean
cp_report_value_from_string (const char    *text,
                             CpReportValue *value)
{
  for (guint i = 0; i < G_N_ELEMENTS (value_names); i++)
    {
      if (g_strcmp0 (text, value_names[i]) == 0)
        {
          *value = (CpReportValue) i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
column_free (CpReportColumn *column)
{
  g_free (column->id);
  g_clear_pointer (&column->heading, cp_text_unref);
  g_free (column->field);
  g_free (column->mark);
  g_free (column->mark_field);
  g_clear_pointer (&column->labels, g_hash_table_unref);
  g_free (column->number_format);
  g_free (column);
}

/* Reading ---------------------------------------------------------------------------------- */

static gboolean
fail_at (CpJsonCtx   *ctx,
         const char  *member,
         GError     **error,
         CpJsonError  code,
         const char  *format,
         ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail_at (CpJsonCtx   *ctx,
         const char  *member,
         GError     **error,
         CpJsonError  code,
         const char  *format,
         ...)
{
  g_autofree char *message = NULL;
  gsize mark = 0;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (member != NULL)
    mark = cp_json_ctx_push_member (ctx, member);
  cp_json_ctx_fail (ctx, error, code, "%s", message);
  if (member != NULL)
    cp_json_ctx_pop (ctx, mark);
  return FALSE;
}

static gboolean
read_text (CpJsonCtx   *ctx,
           JsonObject  *object,
           const char  *member,
           gboolean     required,
           CpText     **out,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                                 "the member “%s” is missing", member);
      return TRUE;
    }

  *out = cp_text_new_from_json (node, &local_error);
  if (*out == NULL)
    return fail_at (ctx, member, error, CP_JSON_ERROR_WRONG_TYPE, "%s", local_error->message);
  return TRUE;
}

static gboolean
read_id (CpJsonCtx   *ctx,
         JsonObject  *object,
         const char  *member,
         const char **out,
         GError     **error)
{
  if (!cp_json_get_string (ctx, object, member, TRUE, out, error))
    return FALSE;
  if (!cp_id_is_valid (*out))
    return fail_at (ctx, member, error, CP_JSON_ERROR_INVALID_VALUE,
                    "“%s” is not a valid id (use letters, digits, “-”, “_” and “.”)",
                    *out);
  return TRUE;
}

static gboolean
version_is_valid (const char *version)
{
  if (version == NULL || *version == '\0' || strlen (version) > 32)
    return FALSE;
  for (const char *p = version; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

/* "section.field": two ids. */
static gboolean
field_path_is_valid (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);

  return g_strv_length (parts) == 2 && cp_id_is_valid (parts[0]) && cp_id_is_valid (parts[1]);
}

static gboolean
read_due (CpReport    *self,
          CpJsonCtx   *ctx,
          JsonObject  *object,
          GError     **error)
{
  static const char * const known[] = { "month", "day", NULL };
  static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  JsonObject *due = NULL;
  gint64 month = 0;
  gint64 day = 0;
  gsize mark;
  gboolean ok;

  if (!cp_json_get_object (ctx, object, "due", FALSE, &due, error))
    return FALSE;
  if (due == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "due");
  ok = cp_json_check_members (ctx, due, known, error) &&
       cp_json_get_int (ctx, due, "month", TRUE, &month, error) &&
       cp_json_get_int (ctx, due, "day", TRUE, &day, error);
  if (ok && (month < 1 || month > 12))
    ok = fail_at (ctx, "month", error, CP_JSON_ERROR_INVALID_VALUE, "a month is 1 to 12");
  if (ok && (day < 1 || day > days[month - 1]))
    ok = fail_at (ctx, "day", error, CP_JSON_ERROR_INVALID_VALUE,
                  "%d/%d is not a day of the year (month, day)", (int) month, (int) day);
  cp_json_ctx_pop (ctx, mark);
  self->due_month = (int) month;
  self->due_day = (int) day;
  return ok;
}

static gboolean
read_packets (CpReport    *self,
              CpJsonCtx   *ctx,
              JsonObject  *object,
              GError     **error)
{
  static const char * const known[] = { "kind", "states", NULL };
  JsonObject *packets = NULL;
  JsonArray *states = NULL;
  const char *kind = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, object, "packets", TRUE, &packets, error))
    return FALSE;

  mark = cp_json_ctx_push_member (ctx, "packets");
  if (!cp_json_check_members (ctx, packets, known, error) ||
      !read_id (ctx, packets, "kind", &kind, error) ||
      !cp_json_get_array (ctx, packets, "states", FALSE, &states, error))
    {
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }
  self->kind = g_strdup (kind);

  if (states != NULL)
    {
      gsize states_mark = cp_json_ctx_push_member (ctx, "states");

      if (json_array_get_length (states) == 0)
        {
          cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                            "name at least one state, or leave “states” out for every state");
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      for (guint i = 0; i < json_array_get_length (states); i++)
        {
          JsonNode *node = json_array_get_element (states, i);
          gsize index_mark = cp_json_ctx_push_index (ctx, i);
          CpPacketState state;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            {
              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_WRONG_TYPE,
                                "expected a string, found %s", cp_json_node_type_name (node));
              cp_json_ctx_pop (ctx, mark);
              return FALSE;
            }
          if (!cp_packet_state_from_string (json_node_get_string (node), &state))
            {
              cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                                "“%s” is not a packet state (draft, ready, submitted, returned, "
                                "accepted)", json_node_get_string (node));
              cp_json_ctx_pop (ctx, mark);
              return FALSE;
            }
          self->states |= 1u << state;
          cp_json_ctx_pop (ctx, index_mark);
        }
      cp_json_ctx_pop (ctx, states_mark);
    }

  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static gboolean
read_labels (CpReportColumn  *column,
             CpJsonCtx       *ctx,
             JsonObject      *object,
             GError         **error)
{
  JsonObject *labels = NULL;
  g_autoptr(GList) members = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, object, "labels", FALSE, &labels, error))
    return FALSE;
  if (labels == NULL)
    return TRUE;

  if (column->value != CP_REPORT_VALUE_STATE && column->value != CP_REPORT_VALUE_REACHED &&
      column->value != CP_REPORT_VALUE_FIELD)
    return fail_at (ctx, "labels", error, CP_JSON_ERROR_UNKNOWN_MEMBER,
                    "only “state”, “reached” and yes/no “field” columns have labels");

  column->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) cp_text_unref);
  mark = cp_json_ctx_push_member (ctx, "labels");
  members = json_object_get_members (labels);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      CpPacketState state;
      CpText *text = NULL;

      if (column->value == CP_REPORT_VALUE_STATE && !cp_packet_state_from_string (key, &state))
        {
          fail_at (ctx, key, error, CP_JSON_ERROR_INVALID_VALUE,
                   "“%s” is not a packet state (draft, ready, submitted, returned, accepted)",
                   key);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      if (column->value != CP_REPORT_VALUE_STATE && !g_str_equal (key, "true") &&
          !g_str_equal (key, "false"))
        {
          fail_at (ctx, key, error, CP_JSON_ERROR_INVALID_VALUE,
                   "the labels of a yes/no column are “true” and “false”");
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      if (!read_text (ctx, labels, key, TRUE, &text, error))
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      g_hash_table_insert (column->labels, g_strdup (key), text);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static gboolean
read_score_column (CpJsonCtx      *ctx,
                   JsonObject     *object,
                   CpScoreColumn  *out,
                   GError        **error)
{
  const char *column = NULL;

  if (!cp_json_get_string (ctx, object, "column", TRUE, &column, error))
    return FALSE;
  if (g_str_equal (column, "self"))
    *out = CP_SCORE_SELF;
  else if (g_str_equal (column, "acceptance"))
    *out = CP_SCORE_ACCEPTANCE;
  else
    return fail_at (ctx, "column", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a score column is “self” or “acceptance”");
  return TRUE;
}

static gboolean
read_column (CpReport        *self,
             CpJsonCtx       *ctx,
             JsonObject      *object,
             guint            index,
             GError         **error)
{
  static const char * const known[] = {
    "id", "heading", "value", "field", "column", "mark", "mark_field", "labels", "width",
    "format", NULL
  };
  CpReportColumn *column = g_new0 (CpReportColumn, 1);
  const char *id = NULL;
  const char *value = NULL;
  const char *field = NULL;
  const char *mark = NULL;
  const char *mark_field = NULL;
  const char *number_format = NULL;
  double width = 0;
  gboolean scored;

  column->index = index;
  g_ptr_array_add (self->columns, column);

  if (!cp_json_check_members (ctx, object, known, error) ||
      !read_id (ctx, object, "id", &id, error))
    return FALSE;
  if (g_hash_table_contains (self->columns_by_id, id))
    return fail_at (ctx, "id", error, CP_JSON_ERROR_DUPLICATE_ID,
                    "the column id “%s” is used twice", id);
  column->id = g_strdup (id);
  g_hash_table_insert (self->columns_by_id, column->id, column);

  if (!read_text (ctx, object, "heading", TRUE, &column->heading, error) ||
      !cp_json_get_string (ctx, object, "value", TRUE, &value, error))
    return FALSE;
  if (!cp_report_value_from_string (value, &column->value))
    return fail_at (ctx, "value", error, CP_JSON_ERROR_INVALID_VALUE,
                    "“%s” is not a column value (row-number, field, state, year, submitted-on, "
                    "score, grade, pass-mark, reached)", value);

  if (!cp_json_get_string (ctx, object, "field", column->value == CP_REPORT_VALUE_FIELD,
                           &field, error))
    return FALSE;
  if (field != NULL && column->value != CP_REPORT_VALUE_FIELD)
    return fail_at (ctx, "field", error, CP_JSON_ERROR_UNKNOWN_MEMBER,
                    "only a “field” column names a field");
  if (field != NULL && !field_path_is_valid (field))
    return fail_at (ctx, "field", error, CP_JSON_ERROR_INVALID_VALUE,
                    "“%s” is not a field path (“section.field”)", field);
  column->field = g_strdup (field);

  scored = column->value == CP_REPORT_VALUE_SCORE || column->value == CP_REPORT_VALUE_GRADE ||
           column->value == CP_REPORT_VALUE_PASS_MARK || column->value == CP_REPORT_VALUE_REACHED;
  if (scored && !read_score_column (ctx, object, &column->score_column, error))
    return FALSE;
  if (!scored && json_object_has_member (object, "column"))
    return fail_at (ctx, "column", error, CP_JSON_ERROR_UNKNOWN_MEMBER,
                    "only score columns name a score column");

  if (!cp_json_get_string (ctx, object, "mark", FALSE, &mark, error) ||
      !cp_json_get_string (ctx, object, "mark_field", FALSE, &mark_field, error))
    return FALSE;
  if (column->value == CP_REPORT_VALUE_PASS_MARK || column->value == CP_REPORT_VALUE_REACHED)
    {
      if ((mark == NULL) == (mark_field == NULL))
        return cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_MISSING_MEMBER,
                                 "name the pass mark with “mark” (its id) or “mark_field” (a "
                                 "choice field whose options are the marks), not both");
      if (mark_field != NULL && !field_path_is_valid (mark_field))
        return fail_at (ctx, "mark_field", error, CP_JSON_ERROR_INVALID_VALUE,
                        "“%s” is not a field path (“section.field”)", mark_field);
    }
  else if (mark != NULL || mark_field != NULL)
    return fail_at (ctx, mark != NULL ? "mark" : "mark_field", error,
                    CP_JSON_ERROR_UNKNOWN_MEMBER,
                    "only “pass-mark” and “reached” columns name a pass mark");
  column->mark = g_strdup (mark);
  column->mark_field = g_strdup (mark_field);

  if (!read_labels (column, ctx, object, error) ||
      !cp_json_get_double (ctx, object, "width", FALSE, &width, error) ||
      !cp_json_get_string (ctx, object, "format", FALSE, &number_format, error))
    return FALSE;
  if (json_object_has_member (object, "width") && (width < 1 || width > 200))
    return fail_at (ctx, "width", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a width is 1 to 200 characters");
  if (number_format != NULL && (*number_format == '\0' || strlen (number_format) > 64))
    return fail_at (ctx, "format", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a number format is an Excel format such as “0.0” or “#,##0.00”");
  column->width = width;
  column->number_format = g_strdup (number_format);
  return TRUE;
}

static gboolean
read_columns (CpReport    *self,
              CpJsonCtx   *ctx,
              JsonObject  *object,
              GError     **error)
{
  JsonArray *columns = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, object, "columns", TRUE, &columns, error))
    return FALSE;
  mark = cp_json_ctx_push_member (ctx, "columns");
  if (json_array_get_length (columns) == 0 || json_array_get_length (columns) > 100)
    {
      cp_json_ctx_fail (ctx, error, CP_JSON_ERROR_INVALID_VALUE,
                        "a report has 1 to 100 columns");
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (columns); i++)
    {
      gsize index_mark = cp_json_ctx_push_index (ctx, i);
      JsonObject *column = NULL;

      if (!cp_json_require_object (ctx, json_array_get_element (columns, i), &column, error) ||
          !read_column (self, ctx, column, i, error))
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      cp_json_ctx_pop (ctx, index_mark);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static const CpReportColumn *
read_column_ref (CpReport    *self,
                 CpJsonCtx   *ctx,
                 JsonObject  *object,
                 GError     **error)
{
  const char *id = NULL;
  const CpReportColumn *column;

  if (!cp_json_get_string (ctx, object, "column", TRUE, &id, error))
    return NULL;
  column = g_hash_table_lookup (self->columns_by_id, id);
  if (column == NULL)
    fail_at (ctx, "column", error, CP_JSON_ERROR_INCONSISTENT,
             "the report has no column “%s”", id);
  return column;
}

static gboolean
read_sort (CpReport    *self,
           CpJsonCtx   *ctx,
           JsonObject  *object,
           GError     **error)
{
  static const char * const known[] = { "column", "descending", NULL };
  JsonArray *sort = NULL;
  gsize mark;

  if (!cp_json_get_array (ctx, object, "sort", FALSE, &sort, error))
    return FALSE;
  if (sort == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "sort");
  for (guint i = 0; i < json_array_get_length (sort); i++)
    {
      gsize index_mark = cp_json_ctx_push_index (ctx, i);
      JsonObject *key = NULL;
      CpReportSort *entry = g_new0 (CpReportSort, 1);

      g_ptr_array_add (self->sort, entry);
      if (!cp_json_require_object (ctx, json_array_get_element (sort, i), &key, error) ||
          !cp_json_check_members (ctx, key, known, error) ||
          (entry->column = read_column_ref (self, ctx, key, error)) == NULL ||
          !cp_json_get_boolean (ctx, key, "descending", FALSE, &entry->descending, error))
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      if (entry->column->value == CP_REPORT_VALUE_ROW_NUMBER)
        {
          fail_at (ctx, "column", error, CP_JSON_ERROR_INCONSISTENT,
                   "the row number follows the order; it cannot be sorted by");
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      cp_json_ctx_pop (ctx, index_mark);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static gboolean
column_is_numeric_value (const CpReportColumn *column)
{
  /* Fields are checked against the template in cp_report_check(). */
  return column->value == CP_REPORT_VALUE_SCORE || column->value == CP_REPORT_VALUE_PASS_MARK ||
         column->value == CP_REPORT_VALUE_YEAR || column->value == CP_REPORT_VALUE_FIELD;
}

static gboolean
read_totals (CpReport    *self,
             CpJsonCtx   *ctx,
             JsonObject  *object,
             GError     **error)
{
  static const char * const known[] = { "label", "columns", NULL };
  static const char * const column_known[] = { "column", "function", NULL };
  JsonObject *totals = NULL;
  JsonArray *columns = NULL;
  gsize mark;

  if (!cp_json_get_object (ctx, object, "totals", FALSE, &totals, error))
    return FALSE;
  if (totals == NULL)
    return TRUE;

  mark = cp_json_ctx_push_member (ctx, "totals");
  if (!cp_json_check_members (ctx, totals, known, error) ||
      !read_text (ctx, totals, "label", TRUE, &self->totals_label, error) ||
      !cp_json_get_array (ctx, totals, "columns", TRUE, &columns, error))
    {
      cp_json_ctx_pop (ctx, mark);
      return FALSE;
    }

  cp_json_ctx_push_member (ctx, "columns");
  for (guint i = 0; i < json_array_get_length (columns); i++)
    {
      gsize index_mark = cp_json_ctx_push_index (ctx, i);
      JsonObject *spec = NULL;
      const char *function = NULL;
      CpReportTotalSpec *entry = g_new0 (CpReportTotalSpec, 1);
      gboolean found = FALSE;

      g_ptr_array_add (self->totals, entry);
      if (!cp_json_require_object (ctx, json_array_get_element (columns, i), &spec, error) ||
          !cp_json_check_members (ctx, spec, column_known, error) ||
          (entry->column = read_column_ref (self, ctx, spec, error)) == NULL ||
          !cp_json_get_string (ctx, spec, "function", TRUE, &function, error))
        {
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      for (guint f = 0; f < G_N_ELEMENTS (total_names); f++)
        if (g_str_equal (function, total_names[f]))
          {
            entry->function = (CpReportTotal) f;
            found = TRUE;
          }
      if (!found)
        {
          fail_at (ctx, "function", error, CP_JSON_ERROR_INVALID_VALUE,
                   "“%s” is not a total (count, sum, average)", function);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      if (entry->function != CP_REPORT_TOTAL_COUNT && !column_is_numeric_value (entry->column))
        {
          fail_at (ctx, "function", error, CP_JSON_ERROR_INCONSISTENT,
                   "the column “%s” holds no numbers to add up; count it instead",
                   entry->column->id);
          cp_json_ctx_pop (ctx, mark);
          return FALSE;
        }
      for (guint j = 0; j + 1 < self->totals->len; j++)
        if (((CpReportTotalSpec *) g_ptr_array_index (self->totals, j))->column == entry->column)
          {
            fail_at (ctx, "column", error, CP_JSON_ERROR_DUPLICATE_ID,
                     "the column “%s” has a total already", entry->column->id);
            cp_json_ctx_pop (ctx, mark);
            return FALSE;
          }
      cp_json_ctx_pop (ctx, index_mark);
    }
  cp_json_ctx_pop (ctx, mark);
  return TRUE;
}

static gboolean
cp_report_load (CpReport    *self,
                CpJsonCtx   *ctx,
                JsonNode    *root,
                GError     **error)
{
  static const char * const top_members[] = {
    "format", "type", "id", "version", "title", "description", "due", "packets", "columns",
    "sort", "totals", "freeze_columns", NULL
  };
  JsonObject *object = NULL;
  gint64 format = 0;
  gint64 freeze = 0;
  const char *type = NULL;
  const char *id = NULL;
  const char *version = NULL;

  if (!cp_json_require_object (ctx, root, &object, error) ||
      !cp_json_get_int (ctx, object, "format", TRUE, &format, error))
    return FALSE;
  if (format != CP_REPORT_FORMAT)
    return fail_at (ctx, "format", error, CP_JSON_ERROR_UNSUPPORTED,
                    "this program reads report format 1 only; update the program");
  if (!cp_json_get_string (ctx, object, "type", TRUE, &type, error))
    return FALSE;
  if (!g_str_equal (type, "report"))
    return fail_at (ctx, "type", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a report definition has the type “report”");
  if (!cp_json_check_members (ctx, object, top_members, error) ||
      !read_id (ctx, object, "id", &id, error) ||
      !cp_json_get_string (ctx, object, "version", TRUE, &version, error))
    return FALSE;
  if (!version_is_valid (version))
    return fail_at (ctx, "version", error, CP_JSON_ERROR_INVALID_VALUE,
                    "a version is made of digits, letters, “.” and “-” (“2020.1”)");
  self->id = g_strdup (id);
  self->version = g_strdup (version);

  if (!read_text (ctx, object, "title", TRUE, &self->title, error) ||
      !read_text (ctx, object, "description", FALSE, &self->description, error) ||
      !read_due (self, ctx, object, error) ||
      !read_packets (self, ctx, object, error) ||
      !read_columns (self, ctx, object, error) ||
      !read_sort (self, ctx, object, error) ||
      !read_totals (self, ctx, object, error) ||
      !cp_json_get_int (ctx, object, "freeze_columns", FALSE, &freeze, error))
    return FALSE;
  if (freeze < 0 || freeze >= (gint64) self->columns->len)
    return fail_at (ctx, "freeze_columns", error, CP_JSON_ERROR_INVALID_VALUE,
                    "freeze fewer columns than the report has");
  self->freeze_columns = (guint) freeze;
  return TRUE;
}

/* Checking against the templates ----------------------------------------------------------- */

static gboolean
fail_column (CpReport             *self,
             const CpReportColumn *column,
             const char           *member,
             GError              **error,
             const char           *format,
             ...) G_GNUC_PRINTF (5, 6);

static gboolean
fail_column (CpReport             *self,
             const CpReportColumn *column,
             const char           *member,
             GError              **error,
             const char           *format,
             ...)
{
  g_autofree char *message = NULL;
  CpJsonCtx ctx;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  cp_json_ctx_init (&ctx, self->origin);
  cp_json_ctx_push_member (&ctx, "columns");
  cp_json_ctx_push_index (&ctx, column->index);
  cp_json_ctx_push_member (&ctx, member);
  cp_json_ctx_fail (&ctx, error, CP_JSON_ERROR_INCONSISTENT, "%s", message);
  cp_json_ctx_clear (&ctx);
  return FALSE;
}

gboolean
cp_report_check (CpReport            *self,
                 CpTemplateRegistry  *templates,
                 GError             **error)
{
  CpTemplate *kind;
  const CpScoringRef *scoring;
  CpScoringSheet *sheet = NULL;

  g_return_val_if_fail (CP_IS_REPORT (self), FALSE);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (templates), FALSE);

  kind = cp_template_registry_lookup_kind (templates, self->kind);
  if (kind == NULL)
    {
      CpJsonCtx ctx;

      cp_json_ctx_init (&ctx, self->origin);
      cp_json_ctx_push_member (&ctx, "packets");
      cp_json_ctx_push_member (&ctx, "kind");
      cp_json_ctx_fail (&ctx, error, CP_JSON_ERROR_INCONSISTENT,
                        "there is no packet kind “%s”", self->kind);
      cp_json_ctx_clear (&ctx);
      return FALSE;
    }
  scoring = cp_template_get_scoring (kind);
  if (scoring != NULL)
    sheet = cp_template_registry_lookup_sheet (templates, scoring->sheet_id);

  for (guint i = 0; i < self->columns->len; i++)
    {
      const CpReportColumn *column = g_ptr_array_index (self->columns, i);

      if (column->field != NULL)
        {
          const CpField *field = cp_template_lookup_field (kind, column->field);

          if (field == NULL || field->parent != NULL)
            return fail_column (self, column, "field", error,
                                "the kind “%s” has no field “%s”", self->kind, column->field);
          if (field->type == CP_FIELD_GROUP || field->type == CP_FIELD_ATTACHMENT)
            return fail_column (self, column, "field", error,
                                "“%s” is a %s: it does not fit in one cell", column->field,
                                cp_field_type_to_string (field->type));
          if (column->labels != NULL && field->type != CP_FIELD_BOOLEAN)
            return fail_column (self, column, "labels", error,
                                "only a yes/no field has labels; “%s” is a %s", column->field,
                                cp_field_type_to_string (field->type));
        }

      if (column->value == CP_REPORT_VALUE_SCORE || column->value == CP_REPORT_VALUE_GRADE ||
          column->value == CP_REPORT_VALUE_PASS_MARK || column->value == CP_REPORT_VALUE_REACHED)
        {
          if (sheet == NULL)
            return fail_column (self, column, "value", error,
                                "the kind “%s” has no scoring sheet", self->kind);
          if (!cp_scoring_sheet_has_column (sheet, column->score_column))
            return fail_column (self, column, "column", error,
                                "the scoring sheet “%s” has no %s column",
                                cp_scoring_sheet_get_id (sheet),
                                column->score_column == CP_SCORE_SELF ? "self" : "acceptance");
        }
      if (column->mark != NULL && cp_scoring_sheet_lookup_pass_mark (sheet, column->mark) == NULL)
        return fail_column (self, column, "mark", error,
                            "the scoring sheet “%s” has no pass mark “%s”",
                            cp_scoring_sheet_get_id (sheet), column->mark);
      if (column->mark_field != NULL)
        {
          const CpField *field = cp_template_lookup_field (kind, column->mark_field);

          if (field == NULL || field->type != CP_FIELD_CHOICE)
            return fail_column (self, column, "mark_field", error,
                                "“%s” is not a choice field of the kind “%s”",
                                column->mark_field, self->kind);
        }
    }

  /* A total of a text field is a count only. */
  for (guint i = 0; i < self->totals->len; i++)
    {
      const CpReportTotalSpec *spec = g_ptr_array_index (self->totals, i);
      const CpField *field;
      CpJsonCtx ctx;

      if (spec->function == CP_REPORT_TOTAL_COUNT || spec->column->field == NULL)
        continue;
      field = cp_template_lookup_field (kind, spec->column->field);
      if (field->type == CP_FIELD_NUMBER || field->type == CP_FIELD_INTEGER ||
          field->type == CP_FIELD_MONEY)
        continue;
      cp_json_ctx_init (&ctx, self->origin);
      cp_json_ctx_push_member (&ctx, "totals");
      cp_json_ctx_push_member (&ctx, "columns");
      cp_json_ctx_push_index (&ctx, i);
      cp_json_ctx_push_member (&ctx, "function");
      cp_json_ctx_fail (&ctx, error, CP_JSON_ERROR_INCONSISTENT,
                        "the field “%s” is not a number; count it instead", field->path);
      cp_json_ctx_clear (&ctx);
      return FALSE;
    }

  return TRUE;
}

/* GObject ---------------------------------------------------------------------------------- */

static void
cp_report_finalize (GObject *object)
{
  CpReport *self = (CpReport *) object;

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->version, g_free);
  g_clear_pointer (&self->origin, g_free);
  g_clear_pointer (&self->title, cp_text_unref);
  g_clear_pointer (&self->description, cp_text_unref);
  g_clear_pointer (&self->kind, g_free);
  g_clear_pointer (&self->sort, g_ptr_array_unref);
  g_clear_pointer (&self->totals, g_ptr_array_unref);
  g_clear_pointer (&self->totals_label, cp_text_unref);
  g_clear_pointer (&self->columns_by_id, g_hash_table_unref);
  g_clear_pointer (&self->columns, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_report_parent_class)->finalize (object);
}

static void
cp_report_class_init (CpReportClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_report_finalize;
}

static void
cp_report_init (CpReport *self)
{
  self->columns = g_ptr_array_new_with_free_func ((GDestroyNotify) column_free);
  self->columns_by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->sort = g_ptr_array_new_with_free_func (g_free);
  self->totals = g_ptr_array_new_with_free_func (g_free);
}

/* Public API ------------------------------------------------------------------------------- */

CpReport *
cp_report_new_from_json (JsonNode    *root,
                         const char  *origin,
                         GError     **error)
{
  g_autoptr(CpReport) self = NULL;
  CpJsonCtx ctx;
  gboolean ok;

  g_return_val_if_fail (root != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (CP_TYPE_REPORT, NULL);
  cp_json_ctx_init (&ctx, origin);
  self->origin = g_strdup (ctx.origin);
  ok = cp_report_load (self, &ctx, root, error);
  cp_json_ctx_clear (&ctx);
  if (!ok)
    return NULL;
  return g_steal_pointer (&self);
}

CpReport *
cp_report_new_from_data (const char  *data,
                         gssize       length,
                         const char  *origin,
                         GError     **error)
{
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (data != NULL, NULL);

  root = cp_json_parse (data, length, CP_REPORT_MAX_SIZE, origin, error);
  if (root == NULL)
    return NULL;
  return cp_report_new_from_json (root, origin, error);
}

CpReport *
cp_report_new_from_file (const char  *path,
                         GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *display = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  display = g_filename_display_name (path);
  return cp_report_new_from_data (contents, (gssize) length, display, error);
}

const char *
cp_report_get_id (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->id;
}

const char *
cp_report_get_version (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->version;
}

const char *
cp_report_get_origin (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->origin;
}

const CpText *
cp_report_get_title (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->title;
}

const CpText *
cp_report_get_description (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->description;
}

gboolean
cp_report_get_due (CpReport *self,
                   int      *month,
                   int      *day)
{
  g_return_val_if_fail (CP_IS_REPORT (self), FALSE);

  if (month != NULL)
    *month = self->due_month;
  if (day != NULL)
    *day = self->due_day;
  return self->due_month > 0;
}

const char *
cp_report_get_kind (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->kind;
}

gboolean
cp_report_includes_state (CpReport      *self,
                          CpPacketState  state)
{
  g_return_val_if_fail (CP_IS_REPORT (self), FALSE);
  return self->states == 0 || (self->states & (1u << state)) != 0;
}

guint
cp_report_get_n_columns (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), 0);
  return self->columns->len;
}

const CpReportColumn *
cp_report_get_column (CpReport *self,
                      guint     index)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  g_return_val_if_fail (index < self->columns->len, NULL);
  return g_ptr_array_index (self->columns, index);
}

const CpReportColumn *
cp_report_lookup_column (CpReport   *self,
                         const char *id)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return g_hash_table_lookup (self->columns_by_id, id);
}

GPtrArray *
cp_report_get_sort (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->sort;
}

GPtrArray *
cp_report_get_totals (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->totals;
}

const CpText *
cp_report_get_totals_label (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), NULL);
  return self->totals_label;
}

guint
cp_report_get_freeze_columns (CpReport *self)
{
  g_return_val_if_fail (CP_IS_REPORT (self), 0);
  return self->freeze_columns;
}

const char *
cp_report_text (const CpText *text,
                const char   *lang)
{
  const char *s = NULL;

  if (text == NULL)
    return NULL;
  if (lang != NULL)
    s = cp_text_get_for (text, lang);
  return s != NULL ? s : cp_text_get (text);
}

char *
cp_report_format_title (CpReport   *self,
                        int         year,
                        const char *district,
                        const char *lang)
{
  g_autoptr(GString) title = NULL;
  g_autofree char *year_text = g_strdup_printf ("%d", year);

  g_return_val_if_fail (CP_IS_REPORT (self), NULL);

  title = g_string_new (cp_report_text (self->title, lang));
  g_string_replace (title, "{year}", year_text, 0);
  g_string_replace (title, "{district}", district != NULL ? district : "", 0);
  /* "  " left by an empty district, and spaces at the ends. */
  while (g_string_replace (title, "  ", " ", 0) > 0)
    ;
  g_strstrip (title->str);
  title->len = strlen (title->str);
  return g_string_free (g_steal_pointer (&title), FALSE);
}
