/* cp-report-table.c — a report evaluated over packets: its rows, cells and totals
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cp-report-table.h"
#include "cp-date.h"
#include "cp-scoring.h"
#include "cp-scoring-sheet.h"
#include "cp-template.h"

G_DEFINE_QUARK (cp-report-error-quark, cp_report_error)

typedef struct
{
  CpReportCell *cells;
  char        **sort_keys;   /* per column: a collation key for text, or NULL */
  const char   *uuid;        /* the last tie-break */
} Row;

struct _CpReportTable
{
  GObject             parent_instance;

  CpReport           *report;
  int                 year;
  char               *title;
  guint               n_columns;
  char              **headings;
  CpReportColumnType *types;
  double             *widths;
  GPtrArray          *rows;        /* Row * */
  CpReportCell       *totals;      /* n_columns, or NULL */
  gboolean           *averages;
  char              **number_formats;  /* tables made with cp_report_table_new(): per column */
  guint               freeze_columns;
};

G_DEFINE_FINAL_TYPE (CpReportTable, cp_report_table, G_TYPE_OBJECT)

static void
cell_clear (CpReportCell *cell)
{
  g_clear_pointer (&cell->text, g_free);
}

static void
row_free (gpointer data,
          gpointer user_data)
{
  Row *row = data;
  guint n_columns = GPOINTER_TO_UINT (user_data);

  for (guint i = 0; i < n_columns; i++)
    {
      cell_clear (&row->cells[i]);
      g_free (row->sort_keys[i]);
    }
  g_free (row->cells);
  g_free (row->sort_keys);
  g_free (row);
}

static void
set_text (CpReportCell *cell,
          const char   *text)
{
  if (text == NULL || *text == '\0')
    return;
  cell->type = CP_REPORT_CELL_TEXT;
  cell->text = g_strdup (text);
}

static void
set_number (CpReportCell *cell,
            double        number)
{
  cell->type = CP_REPORT_CELL_NUMBER;
  /* Scores are sums of decimals: keep what the scoring sheet keeps (six places). */
  cell->number = round (number * 1e6) / 1e6;
}

static const char *
label_for (const CpReportColumn *column,
           const char           *key,
           const char           *fallback,
           const char           *lang)
{
  const CpText *text = column->labels != NULL ? g_hash_table_lookup (column->labels, key) : NULL;

  return text != NULL ? cp_report_text (text, lang) : fallback;
}

static const char *
state_word (CpPacketState state)
{
  switch (state)
    {
    case CP_PACKET_STATE_DRAFT:
      return C_("report", "Draft");
    case CP_PACKET_STATE_READY:
      return C_("report", "Ready to submit");
    case CP_PACKET_STATE_SUBMITTED:
      return C_("report", "Submitted");
    case CP_PACKET_STATE_RETURNED:
      return C_("report", "Returned");
    case CP_PACKET_STATE_ACCEPTED:
      return C_("report", "Accepted");
    default:
      return cp_packet_state_to_string (state);
    }
}

typedef struct
{
  CpTemplate     *kind;
  CpScoringSheet *sheet;
  CpScoreSummary *summary;  /* computed on first use */
} PacketContext;

static CpScoreSummary *
summary_of (PacketContext *ctx,
            CpPacket      *packet)
{
  if (ctx->summary == NULL && ctx->sheet != NULL)
    ctx->summary = cp_scoring_compute (ctx->sheet, packet);
  return ctx->summary;
}

/* The pass mark a column names, for this packet. */
static const CpScoringMark *
mark_of (const CpReportColumn *column,
         PacketContext        *ctx,
         CpPacket             *packet)
{
  const char *id = column->mark;

  if (ctx->sheet == NULL)
    return NULL;
  if (id == NULL && column->mark_field != NULL)
    {
      g_auto(GStrv) parts = g_strsplit (column->mark_field, ".", 2);

      id = cp_packet_get_string (packet, parts[0], parts[1]);
    }
  return id != NULL ? cp_scoring_sheet_lookup_pass_mark (ctx->sheet, id) : NULL;
}

static void
field_cell (CpReportCell         *cell,
            const CpReportColumn *column,
            PacketContext        *ctx,
            CpPacket             *packet,
            const char           *lang)
{
  g_auto(GStrv) parts = g_strsplit (column->field, ".", 2);
  const CpField *field = cp_template_lookup_field (ctx->kind, column->field);
  JsonNode *node = cp_packet_get_value (packet, parts[0], parts[1]);
  GType type;

  if (field == NULL || node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    {
      /* A signature is an object: who signed, and when. */
      if (field != NULL && node != NULL && field->type == CP_FIELD_SIGNATURE &&
          JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);
          const char *signer = json_object_get_string_member_with_default (object, "signer", "");
          const char *date = json_object_get_string_member_with_default (object, "date", "");
          g_autofree char *text = g_strstrip (g_strdup_printf ("%s %s", signer, date));

          set_text (cell, text);
        }
      return;
    }

  type = json_node_get_value_type (node);
  switch (field->type)
    {
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
      if (type == G_TYPE_DOUBLE || type == G_TYPE_INT64)
        set_number (cell, json_node_get_double (node));
      break;

    case CP_FIELD_BOOLEAN:
      if (type == G_TYPE_BOOLEAN)
        set_text (cell, json_node_get_boolean (node) ?
                        label_for (column, "true", C_("report", "Yes"), lang) :
                        label_for (column, "false", C_("report", "No"), lang));
      break;

    case CP_FIELD_CHOICE:
      if (type == G_TYPE_STRING)
        {
          const char *id = json_node_get_string (node);
          const CpChoiceOption *option = cp_field_lookup_option (field, id);

          set_text (cell, option != NULL ? cp_report_text (option->label, lang) : id);
          if (option != NULL)
            for (guint i = 0; i < field->options->len; i++)
              if (g_ptr_array_index (field->options, i) == option)
                cell->order = (int) i;
        }
      break;

    case CP_FIELD_DATE:
      if (type == G_TYPE_STRING)
        {
          GDate date;

          if (cp_date_parse (json_node_get_string (node), &date))
            {
              cell->type = CP_REPORT_CELL_DATE;
              cell->date = date;
            }
          else
            set_text (cell, json_node_get_string (node));
        }
      break;

    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_TIME:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      if (type == G_TYPE_STRING)
        set_text (cell, json_node_get_string (node));
      break;
    }
}

static void
fill_cell (CpReportCell         *cell,
           const CpReportColumn *column,
           PacketContext        *ctx,
           CpPacket             *packet,
           const char           *lang)
{
  CpScoreSummary *summary;
  const CpScoringMark *mark;

  cell->order = -1;
  switch (column->value)
    {
    case CP_REPORT_VALUE_ROW_NUMBER:
      break;  /* after sorting */

    case CP_REPORT_VALUE_FIELD:
      field_cell (cell, column, ctx, packet, lang);
      break;

    case CP_REPORT_VALUE_STATE:
      {
        CpPacketState state = cp_packet_get_state (packet);

        set_text (cell, label_for (column, cp_packet_state_to_string (state), state_word (state),
                                   lang));
        cell->order = (int) state;
      }
      break;

    case CP_REPORT_VALUE_YEAR:
      set_number (cell, cp_packet_get_year (packet));
      break;

    case CP_REPORT_VALUE_SUBMITTED:
      {
        const char *text = cp_packet_get_submitted_on (packet);
        GDate date;

        if (text != NULL && cp_date_parse (text, &date))
          {
            cell->type = CP_REPORT_CELL_DATE;
            cell->date = date;
          }
      }
      break;

    case CP_REPORT_VALUE_SCORE:
      summary = summary_of (ctx, packet);
      if (summary != NULL && cp_score_summary_get_n_scored (summary, column->score_column) > 0)
        set_number (cell, cp_score_summary_get_total (summary, column->score_column));
      break;

    case CP_REPORT_VALUE_GRADE:
      summary = summary_of (ctx, packet);
      if (summary != NULL && cp_score_summary_get_n_scored (summary, column->score_column) > 0)
        set_text (cell, cp_score_summary_get_grade (summary, column->score_column));
      break;

    case CP_REPORT_VALUE_PASS_MARK:
      mark = mark_of (column, ctx, packet);
      if (mark != NULL)
        set_number (cell, mark->min);
      break;

    case CP_REPORT_VALUE_REACHED:
      summary = summary_of (ctx, packet);
      mark = mark_of (column, ctx, packet);
      if (summary != NULL && mark != NULL &&
          cp_score_summary_get_n_scored (summary, column->score_column) > 0)
        {
          gboolean reached = cp_score_summary_meets_pass_mark (summary, column->score_column,
                                                               mark->id);

          set_text (cell, reached ? label_for (column, "true", C_("report", "Reached"), lang)
                                  : label_for (column, "false", C_("report", "Not reached"),
                                               lang));
          cell->order = reached ? 1 : 0;
        }
      break;

    default:
      break;
    }
}

static CpReportColumnType
column_type (const CpReportColumn *column,
             CpTemplate           *kind)
{
  const CpField *field;

  switch (column->value)
    {
    case CP_REPORT_VALUE_ROW_NUMBER:
    case CP_REPORT_VALUE_YEAR:
      return CP_REPORT_COLUMN_INTEGER;
    case CP_REPORT_VALUE_SUBMITTED:
      return CP_REPORT_COLUMN_DATE;
    case CP_REPORT_VALUE_SCORE:
    case CP_REPORT_VALUE_PASS_MARK:
      return CP_REPORT_COLUMN_NUMBER;
    case CP_REPORT_VALUE_FIELD:
      field = cp_template_lookup_field (kind, column->field);
      if (field == NULL)
        return CP_REPORT_COLUMN_TEXT;
      switch (field->type)
        {
        case CP_FIELD_INTEGER:
          return CP_REPORT_COLUMN_INTEGER;
        case CP_FIELD_NUMBER:
          return CP_REPORT_COLUMN_NUMBER;
        case CP_FIELD_MONEY:
          return CP_REPORT_COLUMN_MONEY;
        case CP_FIELD_DATE:
          return CP_REPORT_COLUMN_DATE;
        case CP_FIELD_TEXT:
        case CP_FIELD_MULTILINE:
        case CP_FIELD_TIME:
        case CP_FIELD_CHOICE:
        case CP_FIELD_BOOLEAN:
        case CP_FIELD_USCC:
        case CP_FIELD_PHONE:
        case CP_FIELD_EMAIL:
        case CP_FIELD_URL:
        case CP_FIELD_POSTCODE:
        case CP_FIELD_GROUP:
        case CP_FIELD_ATTACHMENT:
        case CP_FIELD_SIGNATURE:
        default:
          return CP_REPORT_COLUMN_TEXT;
        }
    case CP_REPORT_VALUE_STATE:
    case CP_REPORT_VALUE_GRADE:
    case CP_REPORT_VALUE_REACHED:
    default:
      return CP_REPORT_COLUMN_TEXT;
    }
}

/* Empty cells last; choices and states in their own order; text by collation. */
static int
compare_cells (const Row *a,
               const Row *b,
               guint      column)
{
  const CpReportCell *x = &a->cells[column];
  const CpReportCell *y = &b->cells[column];

  if (x->type == CP_REPORT_CELL_EMPTY || y->type == CP_REPORT_CELL_EMPTY)
    return (x->type == CP_REPORT_CELL_EMPTY) - (y->type == CP_REPORT_CELL_EMPTY);
  if (x->order >= 0 && y->order >= 0 && x->order != y->order)
    return x->order < y->order ? -1 : 1;
  if (x->type != y->type)
    return (int) x->type - (int) y->type;
  switch (x->type)
    {
    case CP_REPORT_CELL_NUMBER:
      return (x->number > y->number) - (x->number < y->number);
    case CP_REPORT_CELL_DATE:
      return g_date_compare (&x->date, &y->date);
    case CP_REPORT_CELL_TEXT:
      return strcmp (a->sort_keys[column], b->sort_keys[column]);
    case CP_REPORT_CELL_EMPTY:
    default:
      return 0;
    }
}

static int
compare_rows (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const Row *x = *(const Row * const *) a;
  const Row *y = *(const Row * const *) b;
  CpReport *report = user_data;
  GPtrArray *sort = cp_report_get_sort (report);

  for (guint i = 0; i < sort->len; i++)
    {
      const CpReportSort *key = g_ptr_array_index (sort, i);
      int c = compare_cells (x, y, key->column->index);

      if (c != 0)
        return key->descending ? -c : c;
    }
  return strcmp (x->uuid, y->uuid);
}

/* Terminal columns: CJK characters take two. */
static double
display_width (const char *text)
{
  double width = 0;
  double longest = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        {
          longest = MAX (longest, width);
          width = 0;
          continue;
        }
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return MAX (longest, width);
}

static double
fit_width (CpReportTable *self,
           guint          column)
{
  /* The heading wraps; the values do not. */
  double width = MIN (display_width (self->headings[column]), 16);

  for (guint r = 0; r < self->rows->len; r++)
    {
      const CpReportCell *cell = &((Row *) g_ptr_array_index (self->rows, r))->cells[column];

      if (cell->type == CP_REPORT_CELL_TEXT)
        width = MAX (width, display_width (cell->text));
      else if (cell->type == CP_REPORT_CELL_DATE)
        width = MAX (width, 10);
      else if (cell->type == CP_REPORT_CELL_NUMBER)
        width = MAX (width, self->types[column] == CP_REPORT_COLUMN_MONEY ? 12 : 8);
    }
  return CLAMP (width + 2, 6, 50);
}

static void
compute_totals (CpReportTable *self,
                const char    *lang)
{
  GPtrArray *specs = cp_report_get_totals (self->report);
  const CpText *label = cp_report_get_totals_label (self->report);
  gboolean labelled = FALSE;

  if (specs->len == 0 && label == NULL)
    return;

  self->totals = g_new0 (CpReportCell, self->n_columns);
  self->averages = g_new0 (gboolean, self->n_columns);
  for (guint c = 0; c < self->n_columns; c++)
    self->totals[c].order = -1;

  for (guint i = 0; i < specs->len; i++)
    {
      const CpReportTotalSpec *spec = g_ptr_array_index (specs, i);
      guint c = spec->column->index;
      guint count = 0;
      double sum = 0;

      for (guint r = 0; r < self->rows->len; r++)
        {
          const CpReportCell *cell = &((Row *) g_ptr_array_index (self->rows, r))->cells[c];

          if (cell->type == CP_REPORT_CELL_EMPTY)
            continue;
          count++;
          if (cell->type == CP_REPORT_CELL_NUMBER)
            sum += cell->number;
        }
      switch (spec->function)
        {
        case CP_REPORT_TOTAL_COUNT:
          set_number (&self->totals[c], count);
          break;
        case CP_REPORT_TOTAL_SUM:
          set_number (&self->totals[c], sum);
          break;
        case CP_REPORT_TOTAL_AVERAGE:
          self->averages[c] = TRUE;
          if (count > 0)
            set_number (&self->totals[c], sum / count);
          break;
        default:
          break;
        }
    }

  /* The label in the first column that has no total. */
  for (guint c = 0; c < self->n_columns && !labelled && label != NULL; c++)
    {
      if (self->totals[c].type != CP_REPORT_CELL_EMPTY || self->averages[c])
        continue;
      set_text (&self->totals[c], cp_report_text (label, lang));
      labelled = TRUE;
    }
}

static void
cp_report_table_finalize (GObject *object)
{
  CpReportTable *self = CP_REPORT_TABLE (object);

  if (self->rows != NULL)
    g_ptr_array_foreach (self->rows, row_free, GUINT_TO_POINTER (self->n_columns));
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  if (self->totals != NULL)
    for (guint c = 0; c < self->n_columns; c++)
      cell_clear (&self->totals[c]);
  g_clear_pointer (&self->totals, g_free);
  g_clear_pointer (&self->averages, g_free);
  g_clear_pointer (&self->headings, g_strfreev);
  g_clear_pointer (&self->types, g_free);
  g_clear_pointer (&self->widths, g_free);
  g_clear_pointer (&self->title, g_free);
  if (self->number_formats != NULL)
    for (guint c = 0; c < self->n_columns; c++)
      g_free (self->number_formats[c]);
  g_clear_pointer (&self->number_formats, g_free);
  g_clear_object (&self->report);

  G_OBJECT_CLASS (cp_report_table_parent_class)->finalize (object);
}

static void
cp_report_table_class_init (CpReportTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_report_table_finalize;
}

static void
cp_report_table_init (CpReportTable *self)
{
  self->rows = g_ptr_array_new ();
}

/* Public API ------------------------------------------------------------------------------- */

CpReportTable *
cp_report_evaluate (CpReport            *report,
                    CpTemplateRegistry  *templates,
                    GPtrArray           *packets,
                    int                  year,
                    const char          *district,
                    const char          *lang,
                    GError             **error)
{
  g_autoptr(CpReportTable) self = NULL;
  CpTemplate *newest;

  g_return_val_if_fail (CP_IS_REPORT (report), NULL);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (templates), NULL);
  g_return_val_if_fail (packets != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  newest = cp_template_registry_lookup_kind (templates, cp_report_get_kind (report));
  if (newest == NULL)
    {
      g_set_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_NO_DATA,
                   _("The report “%s” is about packets of the kind “%s”, which this program "
                     "does not know. Update the templates."),
                   cp_report_get_id (report), cp_report_get_kind (report));
      return NULL;
    }

  self = g_object_new (CP_TYPE_REPORT_TABLE, NULL);
  self->report = g_object_ref (report);
  self->year = year;
  self->title = cp_report_format_title (report, year, district, lang);
  self->n_columns = cp_report_get_n_columns (report);
  self->headings = g_new0 (char *, self->n_columns + 1);
  self->types = g_new0 (CpReportColumnType, self->n_columns);
  self->widths = g_new0 (double, self->n_columns);
  for (guint c = 0; c < self->n_columns; c++)
    {
      const CpReportColumn *column = cp_report_get_column (report, c);

      self->headings[c] = g_strdup (cp_report_text (column->heading, lang));
      self->types[c] = column_type (column, newest);
    }

  for (guint i = 0; i < packets->len; i++)
    {
      CpPacket *packet = g_ptr_array_index (packets, i);
      PacketContext ctx = { NULL, NULL, NULL };
      const char *sheet_id;
      Row *row;

      if (!g_str_equal (cp_packet_get_kind (packet), cp_report_get_kind (report)) ||
          cp_packet_get_year (packet) != year ||
          !cp_report_includes_state (report, cp_packet_get_state (packet)))
        continue;

      /* The template the packet was made with, else the newest. */
      ctx.kind = cp_template_registry_lookup_kind_version (templates, cp_packet_get_kind (packet),
                                                           cp_packet_get_template_version (packet));
      if (ctx.kind == NULL)
        ctx.kind = newest;
      sheet_id = cp_packet_get_sheet_id (packet);
      if (sheet_id != NULL)
        ctx.sheet = cp_template_registry_lookup_sheet_version (
          templates, sheet_id, cp_packet_get_sheet_version (packet));
      if (ctx.sheet == NULL && sheet_id == NULL && cp_template_get_scoring (ctx.kind) != NULL)
        sheet_id = cp_template_get_scoring (ctx.kind)->sheet_id;
      if (ctx.sheet == NULL && sheet_id != NULL)
        ctx.sheet = cp_template_registry_lookup_sheet (templates, sheet_id);

      row = g_new0 (Row, 1);
      row->cells = g_new0 (CpReportCell, self->n_columns);
      row->sort_keys = g_new0 (char *, self->n_columns);
      row->uuid = cp_packet_get_uuid (packet);
      for (guint c = 0; c < self->n_columns; c++)
        {
          fill_cell (&row->cells[c], cp_report_get_column (report, c), &ctx, packet, lang);
          if (row->cells[c].type == CP_REPORT_CELL_TEXT)
            row->sort_keys[c] = g_utf8_collate_key (row->cells[c].text, -1);
        }
      g_clear_pointer (&ctx.summary, cp_score_summary_unref);
      g_ptr_array_add (self->rows, row);
    }

  if (self->rows->len == 0)
    {
      if (district != NULL)
        g_set_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_NO_DATA,
                     _("There is nothing for “%s”: no packet of %d from %s is in the report. "
                       "Check the year and the district."),
                     self->title, year, district);
      else
        g_set_error (error, CP_REPORT_ERROR, CP_REPORT_ERROR_NO_DATA,
                     _("There is nothing for “%s”: no packet of %d is in the report. Check the "
                       "year."),
                     self->title, year);
      return NULL;
    }

  g_ptr_array_sort_with_data (self->rows, compare_rows, report);

  /* Row numbers follow the order. */
  for (guint c = 0; c < self->n_columns; c++)
    {
      if (cp_report_get_column (report, c)->value != CP_REPORT_VALUE_ROW_NUMBER)
        continue;
      for (guint r = 0; r < self->rows->len; r++)
        set_number (&((Row *) g_ptr_array_index (self->rows, r))->cells[c], r + 1);
    }

  compute_totals (self, lang);

  for (guint c = 0; c < self->n_columns; c++)
    {
      const CpReportColumn *column = cp_report_get_column (report, c);

      self->widths[c] = column->width > 0 ? column->width : fit_width (self, c);
    }

  return g_steal_pointer (&self);
}

CpReport *
cp_report_table_get_report (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), NULL);
  return self->report;
}

int
cp_report_table_get_year (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), 0);
  return self->year;
}

const char *
cp_report_table_get_title (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), NULL);
  return self->title;
}

guint
cp_report_table_get_n_columns (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), 0);
  return self->n_columns;
}

guint
cp_report_table_get_n_rows (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), 0);
  return self->rows->len;
}

const char *
cp_report_table_get_heading (CpReportTable *self,
                             guint          column)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);
  return self->headings[column];
}

CpReportColumnType
cp_report_table_get_column_type (CpReportTable *self,
                                 guint          column)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), CP_REPORT_COLUMN_TEXT);
  g_return_val_if_fail (column < self->n_columns, CP_REPORT_COLUMN_TEXT);
  return self->types[column];
}

const char *
cp_report_table_get_number_format (CpReportTable *self,
                                   guint          column)
{
  const CpReportColumn *spec;

  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);

  spec = self->report != NULL ? cp_report_get_column (self->report, column) : NULL;
  if (spec != NULL && spec->number_format != NULL && self->types[column] != CP_REPORT_COLUMN_TEXT)
    return spec->number_format;
  if (self->number_formats != NULL && self->number_formats[column] != NULL &&
      self->types[column] != CP_REPORT_COLUMN_TEXT)
    return self->number_formats[column];
  switch (self->types[column])
    {
    case CP_REPORT_COLUMN_INTEGER:
      return "0";
    case CP_REPORT_COLUMN_NUMBER:
      return "General";
    case CP_REPORT_COLUMN_MONEY:
      return "#,##0.00";
    case CP_REPORT_COLUMN_DATE:
      return "yyyy-mm-dd";
    case CP_REPORT_COLUMN_TEXT:
    default:
      return NULL;
    }
}

double
cp_report_table_get_width (CpReportTable *self,
                           guint          column)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), 0);
  g_return_val_if_fail (column < self->n_columns, 0);
  /* A table made row by row fits its columns when asked. */
  if (self->widths[column] <= 0)
    return fit_width (self, column);
  return self->widths[column];
}

const CpReportCell *
cp_report_table_get_cell (CpReportTable *self,
                          guint          row,
                          guint          column)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), NULL);
  g_return_val_if_fail (row < self->rows->len && column < self->n_columns, NULL);
  return &((Row *) g_ptr_array_index (self->rows, row))->cells[column];
}

gboolean
cp_report_table_has_totals (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), FALSE);
  return self->totals != NULL;
}

const CpReportCell *
cp_report_table_get_total (CpReportTable *self,
                           guint          column)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), NULL);
  g_return_val_if_fail (self->totals != NULL && column < self->n_columns, NULL);
  return &self->totals[column];
}

gboolean
cp_report_table_total_is_average (CpReportTable *self,
                                  guint          column)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), FALSE);
  g_return_val_if_fail (column < self->n_columns, FALSE);
  return self->averages != NULL && self->averages[column];
}

guint
cp_report_table_get_freeze_columns (CpReportTable *self)
{
  g_return_val_if_fail (CP_IS_REPORT_TABLE (self), 0);
  if (self->report != NULL)
    return cp_report_get_freeze_columns (self->report);
  return self->freeze_columns;
}

/* Tables that no report definition makes -------------------------------------------------- */

CpReportTable *
cp_report_table_new (const char               *title,
                     int                       year,
                     guint                     n_columns,
                     const char * const       *headings,
                     const CpReportColumnType *types)
{
  CpReportTable *self;

  g_return_val_if_fail (title != NULL && *title != '\0', NULL);
  g_return_val_if_fail (n_columns > 0, NULL);
  g_return_val_if_fail (headings != NULL && types != NULL, NULL);

  self = g_object_new (CP_TYPE_REPORT_TABLE, NULL);
  self->year = year;
  self->title = g_strdup (title);
  self->n_columns = n_columns;
  self->headings = g_new0 (char *, n_columns + 1);
  self->types = g_new0 (CpReportColumnType, n_columns);
  self->widths = g_new0 (double, n_columns);
  self->number_formats = g_new0 (char *, n_columns);
  for (guint c = 0; c < n_columns; c++)
    {
      g_return_val_if_fail (headings[c] != NULL, self);
      self->headings[c] = g_strdup (headings[c]);
      self->types[c] = types[c];
    }
  return self;
}

static void
copy_cells (CpReportTable      *self,
            CpReportCell       *to,
            const CpReportCell *from)
{
  for (guint c = 0; c < self->n_columns; c++)
    {
      to[c].type = from[c].type;
      to[c].order = -1;
      switch (from[c].type)
        {
        case CP_REPORT_CELL_TEXT:
          if (from[c].text != NULL)
            to[c].text = g_strdup (from[c].text);
          else
            to[c].type = CP_REPORT_CELL_EMPTY;
          break;
        case CP_REPORT_CELL_NUMBER:
          to[c].number = from[c].number;
          break;
        case CP_REPORT_CELL_DATE:
          if (g_date_valid (&from[c].date))
            to[c].date = from[c].date;
          else
            to[c].type = CP_REPORT_CELL_EMPTY;
          break;
        case CP_REPORT_CELL_EMPTY:
        default:
          to[c].type = CP_REPORT_CELL_EMPTY;
          break;
        }
    }
}

void
cp_report_table_append_row (CpReportTable      *self,
                            const CpReportCell *cells)
{
  Row *row;

  g_return_if_fail (CP_IS_REPORT_TABLE (self));
  g_return_if_fail (self->report == NULL);
  g_return_if_fail (cells != NULL);

  row = g_new0 (Row, 1);
  row->cells = g_new0 (CpReportCell, self->n_columns);
  row->sort_keys = g_new0 (char *, self->n_columns);
  row->uuid = "";
  copy_cells (self, row->cells, cells);
  g_ptr_array_add (self->rows, row);
}

void
cp_report_table_set_totals (CpReportTable      *self,
                            const CpReportCell *cells,
                            const gboolean     *averages)
{
  g_return_if_fail (CP_IS_REPORT_TABLE (self));
  g_return_if_fail (self->report == NULL);

  if (self->totals != NULL)
    for (guint c = 0; c < self->n_columns; c++)
      cell_clear (&self->totals[c]);
  g_clear_pointer (&self->totals, g_free);
  g_clear_pointer (&self->averages, g_free);
  if (cells == NULL)
    return;
  self->totals = g_new0 (CpReportCell, self->n_columns);
  self->averages = g_new0 (gboolean, self->n_columns);
  copy_cells (self, self->totals, cells);
  for (guint c = 0; averages != NULL && c < self->n_columns; c++)
    self->averages[c] = averages[c];
}

void
cp_report_table_set_number_format (CpReportTable *self,
                                   guint          column,
                                   const char    *number_format)
{
  g_return_if_fail (CP_IS_REPORT_TABLE (self));
  g_return_if_fail (self->report == NULL);
  g_return_if_fail (column < self->n_columns);

  g_free (self->number_formats[column]);
  self->number_formats[column] = g_strdup (number_format);
}

void
cp_report_table_set_freeze_columns (CpReportTable *self,
                                    guint          n_columns)
{
  g_return_if_fail (CP_IS_REPORT_TABLE (self));
  g_return_if_fail (self->report == NULL);
  g_return_if_fail (n_columns < self->n_columns);

  self->freeze_columns = n_columns;
}
