/* cp-score-row.h — one row of the scoring sheet: an item or an adjustment
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cp-scoring-sheet.h"

G_BEGIN_DECLS

#define CP_TYPE_SCORE_ROW (cp_score_row_get_type ())
G_DECLARE_FINAL_TYPE (CpScoreRow, cp_score_row, CP, SCORE_ROW, GObject)

/* Exactly one of @item and @adjustment is set; both belong to the sheet, which must outlive
 * the row. */
CpScoreRow                *cp_score_row_new            (const CpScoringItem       *item,
                                                        const CpScoringAdjustment *adjustment,
                                                        guint                      position);
const char                *cp_score_row_get_id         (CpScoreRow *self);
const CpScoringItem       *cp_score_row_get_item       (CpScoreRow *self);
const CpScoringAdjustment *cp_score_row_get_adjustment (CpScoreRow *self);
/* Position among all rows of the sheet. */
guint                      cp_score_row_get_position   (CpScoreRow *self);
double                     cp_score_row_get_min        (CpScoreRow *self);
double                     cp_score_row_get_max        (CpScoreRow *self);

G_END_DECLS
