/* cp-scoring.h — a packet's scores measured against a scoring sheet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-finding.h"
#include "cp-packet.h"
#include "cp-scoring-sheet.h"

G_BEGIN_DECLS

/* The totals of one packet against one sheet, for both columns (CP_SCORE_SELF and
 * CP_SCORE_ACCEPTANCE) side by side. Scores are counted as entered: an item without a score
 * counts 0, a score above its maximum counts in full (cp_scoring_check() reports both), scores
 * for items the sheet does not have are ignored.
 *
 * The final score of a column (cp_score_summary_get_total()):
 *   sum sheets       Σ item scores + Σ adjustments
 *   weighted sheets  Σ over categories of (category points / category maximum × weight % × total)
 *                    + Σ adjustments
 * rounded to 6 decimals and kept within [0, sheet total]. Pass marks and grades are judged on
 * it. */
typedef struct _CpScoreSummary CpScoreSummary;

#define CP_TYPE_SCORE_SUMMARY (cp_score_summary_get_type ())
GType            cp_score_summary_get_type                (void) G_GNUC_CONST;

CpScoreSummary  *cp_scoring_compute                       (CpScoringSheet  *sheet,
                                                           CpPacket        *packet);

CpScoreSummary  *cp_score_summary_ref                     (CpScoreSummary  *self);
void             cp_score_summary_unref                   (CpScoreSummary  *self);

CpScoringSheet  *cp_score_summary_get_sheet               (CpScoreSummary  *self);
/* The final score, as described above. */
double           cp_score_summary_get_total               (CpScoreSummary  *self,
                                                           CpScoreColumn    column);
/* The plain sum of the item scores, before weighting and adjustments. */
double           cp_score_summary_get_raw_total           (CpScoreSummary  *self,
                                                           CpScoreColumn    column);
/* The sum of the adjustments (additions minus deductions). */
double           cp_score_summary_get_adjustments         (CpScoreSummary  *self,
                                                           CpScoreColumn    column);
/* Items with a score in @column, and all items of the sheet. */
guint            cp_score_summary_get_n_scored            (CpScoreSummary  *self,
                                                           CpScoreColumn    column);
guint            cp_score_summary_get_n_items             (CpScoreSummary  *self);
gboolean         cp_score_summary_is_complete             (CpScoreSummary  *self,
                                                           CpScoreColumn    column);

/* The raw points of a category or sub-category (by id) and how many of its items are scored;
 * 0 for an unknown id. */
double           cp_score_summary_get_subtotal            (CpScoreSummary  *self,
                                                           CpScoreColumn    column,
                                                           const char      *group_id);
guint            cp_score_summary_get_group_n_scored      (CpScoreSummary  *self,
                                                           CpScoreColumn    column,
                                                           const char      *group_id);
/* What a category contributes to the final score: its raw points on a sum sheet, its points
 * scaled to its weight on a weighted sheet. */
double           cp_score_summary_get_weighted_subtotal   (CpScoreSummary  *self,
                                                           CpScoreColumn    column,
                                                           const char      *category_id);

/* The grade id ("AA") the final score reaches, or NULL (ungraded sheet or below every band). */
const char      *cp_score_summary_get_grade               (CpScoreSummary  *self,
                                                           CpScoreColumn    column);
/* Whether the final score reaches the pass mark @pass_mark_id (FALSE for an unknown id). */
gboolean         cp_score_summary_meets_pass_mark         (CpScoreSummary  *self,
                                                           CpScoreColumn    column,
                                                           const char      *pass_mark_id);
/* The ids of the pass marks met, in sheet order; free with g_strfreev(). */
char           **cp_score_summary_list_pass_marks_met     (CpScoreSummary  *self,
                                                           CpScoreColumn    column);

/* { "sheet": id, "version": v, "total": max, "items": n,
 *   "self": { "total", "raw", "adjustments", "scored", "grade", "pass_marks": [ids],
 *             "categories": { id: { "points", "weighted", "scored",
 *                                   "subcategories": { id: { "points", "scored" } } } } },
 *   "acceptance": { ... } } */
JsonNode        *cp_score_summary_to_json                 (CpScoreSummary  *self);

/* Appends a CpFinding (section @section_id, field = the item id) to @findings for every problem
 * with the scores in @column:
 *   score-missing       error    an item has no score
 *   score-negative      error    a score below 0
 *   score-over-max      error    a score above the item's maximum (or an adjustment's)
 *   score-below-min     error    an adjustment below its minimum
 *   score-step          error    not a multiple of the sheet's step (sheets with "step": 0.5)
 *   score-unknown-item  error    a score for an item the sheet does not have
 * Items come in sheet order, then adjustments, then unknown ids sorted. The column is checked
 * whether or not the sheet lists it (cp_scoring_sheet_has_column()): the caller decides which
 * columns must be complete. */
void             cp_scoring_check                         (CpScoringSheet  *sheet,
                                                           CpPacket        *packet,
                                                           CpScoreColumn    column,
                                                           const char      *section_id,
                                                           GPtrArray       *findings);
/* The same, naming the column @label (the kind's word for it, "复核评价"; NULL: the usual
 * wording) in the messages that speak of it. */
void             cp_scoring_check_column                  (CpScoringSheet  *sheet,
                                                           CpPacket        *packet,
                                                           CpScoreColumn    column,
                                                           const char      *label,
                                                           const char      *section_id,
                                                           GPtrArray       *findings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpScoreSummary, cp_score_summary_unref)

G_END_DECLS
