/* cp-scoring.c — a packet's scores measured against a scoring sheet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "cp-scoring.h"

#define SCORE_EPSILON 1e-6
#define N_COLUMNS 2

typedef struct
{
  double   raw_total;
  double   adjustments;
  double   total;
  guint    n_scored;
  double  *category_raw;        /* per category index */
  double  *category_weighted;
  guint   *category_scored;
  double  *subcategory_raw;     /* per sub-category index */
  guint   *subcategory_scored;
  const CpScoringMark *grade;
  gboolean *pass_marks_met;     /* per pass-mark index */
} ColumnTotals;

struct _CpScoreSummary
{
  gatomicrefcount  ref_count;
  CpScoringSheet  *sheet;
  ColumnTotals     columns[N_COLUMNS];
};

G_DEFINE_BOXED_TYPE (CpScoreSummary, cp_score_summary, cp_score_summary_ref,
                     cp_score_summary_unref)

static gboolean
get_column_value (const CpItemScore *score,
                  CpScoreColumn      column,
                  double            *value)
{
  if (score == NULL)
    return FALSE;

  switch (column)
    {
    case CP_SCORE_SELF:
      *value = score->self;
      return score->has_self;
    case CP_SCORE_ACCEPTANCE:
      *value = score->acceptance;
      return score->has_acceptance;
    default:
      g_assert_not_reached ();
    }
}

/* Keeps sums of halves and of weights like 26 % from showing as 69.99999999. */
static double
round_score (double value)
{
  return round (value * 1e6) / 1e6;
}

static void
compute_column (CpScoreSummary *self,
                CpPacket       *packet,
                CpScoreColumn   column)
{
  CpScoringSheet *sheet = self->sheet;
  ColumnTotals *totals = &self->columns[column];
  GPtrArray *items = cp_scoring_sheet_get_items (sheet);
  guint n_categories = cp_scoring_sheet_get_n_categories (sheet);
  guint n_pass_marks = cp_scoring_sheet_get_n_pass_marks (sheet);
  double sheet_total = cp_scoring_sheet_get_total (sheet);
  double base = 0;

  totals->category_raw = g_new0 (double, n_categories);
  totals->category_weighted = g_new0 (double, n_categories);
  totals->category_scored = g_new0 (guint, n_categories);
  totals->subcategory_raw = g_new0 (double, cp_scoring_sheet_get_n_subcategories (sheet));
  totals->subcategory_scored = g_new0 (guint, cp_scoring_sheet_get_n_subcategories (sheet));
  totals->pass_marks_met = g_new0 (gboolean, n_pass_marks);

  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);
      const CpScoringSubcategory *sub = item->subcategory;
      double value;

      if (!get_column_value (cp_packet_get_score (packet, item->id), column, &value))
        continue;

      totals->n_scored++;
      totals->raw_total += value;
      totals->subcategory_raw[sub->index] += value;
      totals->subcategory_scored[sub->index]++;
      totals->category_raw[sub->category->index] += value;
      totals->category_scored[sub->category->index]++;
    }

  for (guint i = 0; i < n_categories; i++)
    {
      const CpScoringCategory *category = cp_scoring_sheet_get_category (sheet, i);

      if (cp_scoring_sheet_get_method (sheet) == CP_SCORING_METHOD_WEIGHTED)
        totals->category_weighted[i] =
          round_score (totals->category_raw[i] * category->weight * sheet_total /
                       (category->points * 100.0));
      else
        totals->category_weighted[i] = totals->category_raw[i];
      base += totals->category_weighted[i];
    }

  for (guint i = 0; i < cp_scoring_sheet_get_n_adjustments (sheet); i++)
    {
      const CpScoringAdjustment *adjustment = cp_scoring_sheet_get_adjustment (sheet, i);
      double value;

      if (get_column_value (cp_packet_get_score (packet, adjustment->id), column, &value))
        totals->adjustments += value;
    }

  totals->raw_total = round_score (totals->raw_total);
  totals->adjustments = round_score (totals->adjustments);
  totals->total = CLAMP (round_score (base + totals->adjustments), 0, sheet_total);
  totals->grade = cp_scoring_sheet_grade_for_score (sheet, totals->total);

  for (guint i = 0; i < n_pass_marks; i++)
    {
      const CpScoringMark *mark = cp_scoring_sheet_get_pass_mark (sheet, i);

      totals->pass_marks_met[i] = totals->total + SCORE_EPSILON >= mark->min;
    }
}

/**
 * cp_scoring_compute:
 * @sheet: a scoring sheet
 * @packet: a packet whose scores are read by item id
 *
 * Returns: (transfer full): the totals of both columns.
 */
CpScoreSummary *
cp_scoring_compute (CpScoringSheet *sheet,
                    CpPacket       *packet)
{
  CpScoreSummary *self;

  g_return_val_if_fail (CP_IS_SCORING_SHEET (sheet), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  self = g_new0 (CpScoreSummary, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->sheet = g_object_ref (sheet);
  compute_column (self, packet, CP_SCORE_SELF);
  compute_column (self, packet, CP_SCORE_ACCEPTANCE);
  return self;
}

CpScoreSummary *
cp_score_summary_ref (CpScoreSummary *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
cp_score_summary_unref (CpScoreSummary *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      ColumnTotals *totals = &self->columns[c];

      g_free (totals->category_raw);
      g_free (totals->category_weighted);
      g_free (totals->category_scored);
      g_free (totals->subcategory_raw);
      g_free (totals->subcategory_scored);
      g_free (totals->pass_marks_met);
    }
  g_clear_object (&self->sheet);
  g_free (self);
}

static ColumnTotals *
get_totals (CpScoreSummary *self,
            CpScoreColumn   column)
{
  g_assert (column == CP_SCORE_SELF || column == CP_SCORE_ACCEPTANCE);
  return &self->columns[column];
}

#define VALID_COLUMN(column) ((column) == CP_SCORE_SELF || (column) == CP_SCORE_ACCEPTANCE)

CpScoringSheet *
cp_score_summary_get_sheet (CpScoreSummary *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->sheet;
}

double
cp_score_summary_get_total (CpScoreSummary *self,
                            CpScoreColumn   column)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  return get_totals (self, column)->total;
}

double
cp_score_summary_get_raw_total (CpScoreSummary *self,
                                CpScoreColumn   column)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  return get_totals (self, column)->raw_total;
}

double
cp_score_summary_get_adjustments (CpScoreSummary *self,
                                  CpScoreColumn   column)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  return get_totals (self, column)->adjustments;
}

guint
cp_score_summary_get_n_scored (CpScoreSummary *self,
                               CpScoreColumn   column)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  return get_totals (self, column)->n_scored;
}

guint
cp_score_summary_get_n_items (CpScoreSummary *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return cp_scoring_sheet_get_n_items (self->sheet);
}

gboolean
cp_score_summary_is_complete (CpScoreSummary *self,
                              CpScoreColumn   column)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (VALID_COLUMN (column), FALSE);
  return get_totals (self, column)->n_scored == cp_scoring_sheet_get_n_items (self->sheet);
}

double
cp_score_summary_get_subtotal (CpScoreSummary *self,
                               CpScoreColumn   column,
                               const char     *group_id)
{
  const CpScoringCategory *category;
  const CpScoringSubcategory *sub;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  g_return_val_if_fail (group_id != NULL, 0);

  if ((category = cp_scoring_sheet_lookup_category (self->sheet, group_id)) != NULL)
    return round_score (get_totals (self, column)->category_raw[category->index]);
  if ((sub = cp_scoring_sheet_lookup_subcategory (self->sheet, group_id)) != NULL)
    return round_score (get_totals (self, column)->subcategory_raw[sub->index]);
  return 0;
}

guint
cp_score_summary_get_group_n_scored (CpScoreSummary *self,
                                     CpScoreColumn   column,
                                     const char     *group_id)
{
  const CpScoringCategory *category;
  const CpScoringSubcategory *sub;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  g_return_val_if_fail (group_id != NULL, 0);

  if ((category = cp_scoring_sheet_lookup_category (self->sheet, group_id)) != NULL)
    return get_totals (self, column)->category_scored[category->index];
  if ((sub = cp_scoring_sheet_lookup_subcategory (self->sheet, group_id)) != NULL)
    return get_totals (self, column)->subcategory_scored[sub->index];
  return 0;
}

double
cp_score_summary_get_weighted_subtotal (CpScoreSummary *self,
                                        CpScoreColumn   column,
                                        const char     *category_id)
{
  const CpScoringCategory *category;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (VALID_COLUMN (column), 0);
  g_return_val_if_fail (category_id != NULL, 0);

  category = cp_scoring_sheet_lookup_category (self->sheet, category_id);
  if (category == NULL)
    return 0;
  return round_score (get_totals (self, column)->category_weighted[category->index]);
}

const char *
cp_score_summary_get_grade (CpScoreSummary *self,
                            CpScoreColumn   column)
{
  const CpScoringMark *grade;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (VALID_COLUMN (column), NULL);

  grade = get_totals (self, column)->grade;
  return grade != NULL ? grade->id : NULL;
}

gboolean
cp_score_summary_meets_pass_mark (CpScoreSummary *self,
                                  CpScoreColumn   column,
                                  const char     *pass_mark_id)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (VALID_COLUMN (column), FALSE);
  g_return_val_if_fail (pass_mark_id != NULL, FALSE);

  for (guint i = 0; i < cp_scoring_sheet_get_n_pass_marks (self->sheet); i++)
    {
      const CpScoringMark *mark = cp_scoring_sheet_get_pass_mark (self->sheet, i);

      if (g_str_equal (mark->id, pass_mark_id))
        return get_totals (self, column)->pass_marks_met[i];
    }
  return FALSE;
}

char **
cp_score_summary_list_pass_marks_met (CpScoreSummary *self,
                                      CpScoreColumn   column)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (VALID_COLUMN (column), NULL);

  for (guint i = 0; i < cp_scoring_sheet_get_n_pass_marks (self->sheet); i++)
    if (get_totals (self, column)->pass_marks_met[i])
      g_strv_builder_add (builder, cp_scoring_sheet_get_pass_mark (self->sheet, i)->id);
  return g_strv_builder_end (builder);
}

static void
column_to_json (CpScoreSummary *self,
                CpScoreColumn   column,
                JsonBuilder    *builder)
{
  ColumnTotals *totals = get_totals (self, column);
  CpScoringSheet *sheet = self->sheet;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_double_value (builder, totals->total);
  json_builder_set_member_name (builder, "raw");
  json_builder_add_double_value (builder, totals->raw_total);
  json_builder_set_member_name (builder, "adjustments");
  json_builder_add_double_value (builder, totals->adjustments);
  json_builder_set_member_name (builder, "scored");
  json_builder_add_int_value (builder, totals->n_scored);
  json_builder_set_member_name (builder, "grade");
  if (totals->grade != NULL)
    json_builder_add_string_value (builder, totals->grade->id);
  else
    json_builder_add_null_value (builder);

  json_builder_set_member_name (builder, "pass_marks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < cp_scoring_sheet_get_n_pass_marks (sheet); i++)
    if (totals->pass_marks_met[i])
      json_builder_add_string_value (builder, cp_scoring_sheet_get_pass_mark (sheet, i)->id);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "categories");
  json_builder_begin_object (builder);
  for (guint i = 0; i < cp_scoring_sheet_get_n_categories (sheet); i++)
    {
      const CpScoringCategory *category = cp_scoring_sheet_get_category (sheet, i);

      json_builder_set_member_name (builder, category->id);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "points");
      json_builder_add_double_value (builder, round_score (totals->category_raw[i]));
      json_builder_set_member_name (builder, "weighted");
      json_builder_add_double_value (builder, totals->category_weighted[i]);
      json_builder_set_member_name (builder, "scored");
      json_builder_add_int_value (builder, totals->category_scored[i]);
      json_builder_set_member_name (builder, "subcategories");
      json_builder_begin_object (builder);
      for (guint j = 0; j < category->subcategories->len; j++)
        {
          const CpScoringSubcategory *sub = g_ptr_array_index (category->subcategories, j);

          json_builder_set_member_name (builder, sub->id);
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "points");
          json_builder_add_double_value (builder,
                                         round_score (totals->subcategory_raw[sub->index]));
          json_builder_set_member_name (builder, "scored");
          json_builder_add_int_value (builder, totals->subcategory_scored[sub->index]);
          json_builder_end_object (builder);
        }
      json_builder_end_object (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  json_builder_end_object (builder);
}

JsonNode *
cp_score_summary_to_json (CpScoreSummary *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (self != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "sheet");
  json_builder_add_string_value (builder, cp_scoring_sheet_get_id (self->sheet));
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, cp_scoring_sheet_get_version (self->sheet));
  json_builder_set_member_name (builder, "total");
  json_builder_add_double_value (builder, cp_scoring_sheet_get_total (self->sheet));
  json_builder_set_member_name (builder, "items");
  json_builder_add_int_value (builder, cp_scoring_sheet_get_n_items (self->sheet));
  json_builder_set_member_name (builder, "self");
  column_to_json (self, CP_SCORE_SELF, builder);
  json_builder_set_member_name (builder, "acceptance");
  column_to_json (self, CP_SCORE_ACCEPTANCE, builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* "10", "2.5": points as people write them. */
static char *
format_points (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%g", value));
}

static void
check_item (CpScoringSheet      *sheet,
            const CpScoringItem *item,
            const CpItemScore   *score,
            CpScoreColumn        column,
            const char          *label,
            const char          *section_id,
            GPtrArray           *findings)
{
  g_autofree char *max = NULL;
  g_autofree char *value_text = NULL;
  const char *title;
  double step = cp_scoring_sheet_get_step (sheet);
  double value;
  gboolean has_value = get_column_value (score, column, &value);

  /* The common case, a score within range and step, must cost nothing more than the tests:
   * texts are only formatted for a finding. */
  if (has_value && isfinite (value) && value >= 0 && value <= item->points + SCORE_EPSILON &&
      (step <= 0 || fabs (value / step - round (value / step)) <= SCORE_EPSILON))
    return;

  max = format_points (item->points);
  title = cp_text_get (item->title);

  if (!has_value && label != NULL)
    {
      g_ptr_array_add (findings,
                       cp_finding_new (CP_SEVERITY_ERROR, section_id, item->id, "score-missing",
                                       _("Item %s “%s” has no score in the column “%s”. Enter a "
                                         "score from 0 to %s."),
                                       item->id, title, label, max));
      return;
    }
  if (!has_value)
    {
      g_ptr_array_add (findings,
                       cp_finding_new (CP_SEVERITY_ERROR, section_id, item->id, "score-missing",
                                       column == CP_SCORE_SELF
                                       ? _("Item %s “%s” has no self-assessment score. Enter a "
                                           "score from 0 to %s.")
                                       : _("Item %s “%s” has no acceptance score. Enter a score "
                                           "from 0 to %s."),
                                       item->id, title, max));
      return;
    }

  value_text = format_points (value);

  if (!isfinite (value) || value < 0)
    g_ptr_array_add (findings,
                     cp_finding_new (CP_SEVERITY_ERROR, section_id, item->id, "score-negative",
                                     _("Item %s “%s” has the negative score %s. Enter a score "
                                       "from 0 to %s."),
                                     item->id, title, value_text, max));
  else if (value > item->points + SCORE_EPSILON)
    g_ptr_array_add (findings,
                     cp_finding_new (CP_SEVERITY_ERROR, section_id, item->id, "score-over-max",
                                     _("Item %s “%s” has the score %s, above its maximum of %s "
                                       "points. Enter a score from 0 to %s."),
                                     item->id, title, value_text, max, max));
  else if (step > 0 && fabs (value / step - round (value / step)) > SCORE_EPSILON)
    {
      g_autofree char *step_text = format_points (step);

      g_ptr_array_add (findings,
                       cp_finding_new (CP_SEVERITY_ERROR, section_id, item->id, "score-step",
                                       _("Item %s “%s” has the score %s, which is not a multiple "
                                         "of %s. Enter a score from 0 to %s in steps of %s."),
                                       item->id, title, value_text, step_text, max, step_text));
    }
}

static void
check_adjustment (CpScoringSheet            *sheet,
                  const CpScoringAdjustment *adjustment,
                  const CpItemScore         *score,
                  CpScoreColumn              column,
                  const char                *section_id,
                  GPtrArray                 *findings)
{
  g_autofree char *min = format_points (adjustment->min);
  g_autofree char *max = format_points (adjustment->max);
  g_autofree char *value_text = NULL;
  const char *title = cp_text_get (adjustment->title);
  double step = cp_scoring_sheet_get_step (sheet);
  double value;

  /* An adjustment left empty counts as 0: nothing to report. */
  if (!get_column_value (score, column, &value))
    return;

  value_text = format_points (value);

  if (!isfinite (value) || value < adjustment->min - SCORE_EPSILON)
    g_ptr_array_add (findings,
                     cp_finding_new (CP_SEVERITY_ERROR, section_id, adjustment->id,
                                     "score-below-min",
                                     _("Adjustment %s “%s” is %s, below its minimum of %s. Enter "
                                       "a value from %s to %s."),
                                     adjustment->id, title, value_text, min, min, max));
  else if (value > adjustment->max + SCORE_EPSILON)
    g_ptr_array_add (findings,
                     cp_finding_new (CP_SEVERITY_ERROR, section_id, adjustment->id,
                                     "score-over-max",
                                     _("Adjustment %s “%s” is %s, above its maximum of %s. Enter "
                                       "a value from %s to %s."),
                                     adjustment->id, title, value_text, max, min, max));
  else if (step > 0 && fabs (value / step - round (value / step)) > SCORE_EPSILON)
    {
      g_autofree char *step_text = format_points (step);

      g_ptr_array_add (findings,
                       cp_finding_new (CP_SEVERITY_ERROR, section_id, adjustment->id,
                                       "score-step",
                                       _("Adjustment %s “%s” is %s, which is not a multiple of "
                                         "%s. Enter a value from %s to %s in steps of %s."),
                                       adjustment->id, title, value_text, step_text, min, max,
                                       step_text));
    }
}

/* g_ptr_array_sort() passes pointers to the elements. */
static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

void
cp_scoring_check (CpScoringSheet *sheet,
                  CpPacket       *packet,
                  CpScoreColumn   column,
                  const char     *section_id,
                  GPtrArray      *findings)
{
  cp_scoring_check_column (sheet, packet, column, NULL, section_id, findings);
}

void
cp_scoring_check_column (CpScoringSheet *sheet,
                         CpPacket       *packet,
                         CpScoreColumn   column,
                         const char     *label,
                         const char     *section_id,
                         GPtrArray      *findings)
{
  g_autoptr(GPtrArray) unknown = g_ptr_array_new ();
  GPtrArray *items;
  GHashTable *scores;

  g_return_if_fail (CP_IS_SCORING_SHEET (sheet));
  g_return_if_fail (CP_IS_PACKET (packet));
  g_return_if_fail (VALID_COLUMN (column));
  g_return_if_fail (findings != NULL);

  items = cp_scoring_sheet_get_items (sheet);
  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);

      check_item (sheet, item, cp_packet_get_score (packet, item->id), column, label, section_id,
                  findings);
    }

  for (guint i = 0; i < cp_scoring_sheet_get_n_adjustments (sheet); i++)
    {
      const CpScoringAdjustment *adjustment = cp_scoring_sheet_get_adjustment (sheet, i);

      check_adjustment (sheet, adjustment, cp_packet_get_score (packet, adjustment->id), column,
                        section_id, findings);
    }

  scores = cp_packet_get_scores (packet);
  if (scores != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, scores);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          double ignored;

          if (cp_scoring_sheet_lookup_item (sheet, key) == NULL &&
              cp_scoring_sheet_lookup_adjustment (sheet, key) == NULL &&
              get_column_value (value, column, &ignored))
            g_ptr_array_add (unknown, key);
        }
    }

  g_ptr_array_sort (unknown, compare_ids);
  for (guint i = 0; i < unknown->len; i++)
    {
      const char *id = g_ptr_array_index (unknown, i);

      if (label != NULL)
        {
          g_ptr_array_add (findings,
                           cp_finding_new (CP_SEVERITY_ERROR, section_id, id, "score-unknown-item",
                                           _("The score in the column “%s” for item %s does not "
                                             "belong to the scoring sheet “%s”. Remove the score "
                                             "or use the matching sheet."),
                                           label, id,
                                           cp_text_get (cp_scoring_sheet_get_title (sheet))));
          continue;
        }
      g_ptr_array_add (findings,
                       cp_finding_new (CP_SEVERITY_ERROR, section_id, id, "score-unknown-item",
                                       column == CP_SCORE_SELF
                                       ? _("The self-assessment score for item %s does not "
                                           "belong to the scoring sheet “%s”. Remove the score "
                                           "or use the matching sheet.")
                                       : _("The acceptance score for item %s does not belong to "
                                           "the scoring sheet “%s”. Remove the score or use the "
                                           "matching sheet."),
                                       id, cp_text_get (cp_scoring_sheet_get_title (sheet))));
    }
}
