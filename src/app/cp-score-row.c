/* cp-score-row.c — one row of the scoring sheet: an item or an adjustment
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-score-row.h"

struct _CpScoreRow
{
  GObject                    parent_instance;

  const CpScoringItem       *item;
  const CpScoringAdjustment *adjustment;
  guint                      position;
};

G_DEFINE_FINAL_TYPE (CpScoreRow, cp_score_row, G_TYPE_OBJECT)

static void
cp_score_row_class_init (CpScoreRowClass *klass)
{
}

static void
cp_score_row_init (CpScoreRow *self)
{
}

CpScoreRow *
cp_score_row_new (const CpScoringItem       *item,
                  const CpScoringAdjustment *adjustment,
                  guint                      position)
{
  CpScoreRow *self;

  g_return_val_if_fail ((item == NULL) != (adjustment == NULL), NULL);

  self = g_object_new (CP_TYPE_SCORE_ROW, NULL);
  self->item = item;
  self->adjustment = adjustment;
  self->position = position;
  return self;
}

const char *
cp_score_row_get_id (CpScoreRow *self)
{
  g_return_val_if_fail (CP_IS_SCORE_ROW (self), NULL);

  return self->item != NULL ? self->item->id : self->adjustment->id;
}

const CpScoringItem *
cp_score_row_get_item (CpScoreRow *self)
{
  g_return_val_if_fail (CP_IS_SCORE_ROW (self), NULL);

  return self->item;
}

const CpScoringAdjustment *
cp_score_row_get_adjustment (CpScoreRow *self)
{
  g_return_val_if_fail (CP_IS_SCORE_ROW (self), NULL);

  return self->adjustment;
}

guint
cp_score_row_get_position (CpScoreRow *self)
{
  g_return_val_if_fail (CP_IS_SCORE_ROW (self), 0);

  return self->position;
}

double
cp_score_row_get_min (CpScoreRow *self)
{
  g_return_val_if_fail (CP_IS_SCORE_ROW (self), 0);

  return self->item != NULL ? 0 : self->adjustment->min;
}

double
cp_score_row_get_max (CpScoreRow *self)
{
  g_return_val_if_fail (CP_IS_SCORE_ROW (self), 0);

  return self->item != NULL ? self->item->points : self->adjustment->max;
}
