/* cp-scoring-sheet.h — a scoring sheet published as data: categories, items, pass marks, grades
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-packet.h"
#include "cp-text.h"

G_BEGIN_DECLS

/* The JSON format is documented in docs/scoring-sheets.md. A sheet is a tree
 * categories → sub-categories → items; every item has a maximum number of points. Ids are
 * unique across the whole sheet (categories, sub-categories, items and adjustments), so a packet
 * stores scores by item id alone. */

#define CP_SCORING_SHEET_FORMAT 1
/* Sheet files larger than this are refused. */
#define CP_SCORING_SHEET_MAX_SIZE (1024 * 1024)

typedef enum
{
  CP_SCORING_METHOD_SUM,       /* the score is the sum of the item scores */
  CP_SCORING_METHOD_WEIGHTED,  /* each category's points are scaled to its weight (per cent) */
} CpScoringMethod;

const char *cp_scoring_method_to_string (CpScoringMethod method);

typedef struct _CpScoringCategory    CpScoringCategory;
typedef struct _CpScoringSubcategory CpScoringSubcategory;
typedef struct _CpScoringItem        CpScoringItem;

/* All of these belong to the sheet and live as long as it does. */
struct _CpScoringItem
{
  char                       *id;         /* "1.1.1" */
  CpText                     *title;
  double                      points;     /* the maximum */
  CpText                     *guidance;   /* nullable: what the reviewer looks for */
  CpText                     *evidence;   /* nullable: which document or ledger proves it */
  const CpScoringSubcategory *subcategory;
  guint                       index;      /* position in cp_scoring_sheet_get_items() */
};

struct _CpScoringSubcategory
{
  char                    *id;
  CpText                  *title;
  double                   points;
  GPtrArray               *items;        /* element type CpScoringItem * */
  const CpScoringCategory *category;
  guint                    index;        /* position among all sub-categories of the sheet */
};

struct _CpScoringCategory
{
  char      *id;
  CpText    *title;
  double     points;                     /* the raw maximum: the sum of its sub-categories */
  double     weight;                     /* per cent of the total (weighted sheets), else 0 */
  char      *reference;                  /* nullable: the clause of a standard it follows */
  GPtrArray *subcategories;              /* element type CpScoringSubcategory * */
  guint      index;
};

/* A pass mark ("city": 700) or a grade band ("AA": 80). Grades are sorted by descending min. */
typedef struct
{
  char   *id;
  CpText *label;
  double  min;
} CpScoringMark;

/* An addition or deduction outside the item tree, scored like an item within [min, max]
 * (min ≤ 0 ≤ max) and added to the final score. Leaving it unscored counts as 0. */
typedef struct
{
  char   *id;
  CpText *title;
  double  min;
  double  max;
  CpText *guidance;   /* nullable */
  CpText *evidence;   /* nullable */
} CpScoringAdjustment;

#define CP_TYPE_SCORING_SHEET (cp_scoring_sheet_get_type ())
G_DECLARE_FINAL_TYPE (CpScoringSheet, cp_scoring_sheet, CP, SCORING_SHEET, GObject)

/* Strict loaders: a malformed sheet is a CP_JSON_ERROR naming @origin, the JSON path and the
 * fault (missing or unknown member, wrong type, duplicate id, points that do not add up, ...). */
CpScoringSheet             *cp_scoring_sheet_new_from_json        (JsonNode        *root,
                                                                   const char      *origin,
                                                                   GError         **error);
CpScoringSheet             *cp_scoring_sheet_new_from_data        (const char      *data,
                                                                   gssize           length,
                                                                   const char      *origin,
                                                                   GError         **error);
CpScoringSheet             *cp_scoring_sheet_new_from_resource    (const char      *resource_path,
                                                                   GError         **error);
CpScoringSheet             *cp_scoring_sheet_new_from_file        (const char      *path,
                                                                   GError         **error);

const char                 *cp_scoring_sheet_get_id               (CpScoringSheet  *self);
const char                 *cp_scoring_sheet_get_version          (CpScoringSheet  *self);
const CpText               *cp_scoring_sheet_get_title            (CpScoringSheet  *self);
/* Nullable metadata: where the sheet comes from, and notes on its status. */
const CpText               *cp_scoring_sheet_get_source           (CpScoringSheet  *self);
const CpText               *cp_scoring_sheet_get_note             (CpScoringSheet  *self);
/* The origin the sheet was loaded from (file name, resource path or "<memory>"). */
const char                 *cp_scoring_sheet_get_origin           (CpScoringSheet  *self);
/* The declared maximum of the final score (1000, 100). */
double                      cp_scoring_sheet_get_total            (CpScoringSheet  *self);
CpScoringMethod             cp_scoring_sheet_get_method           (CpScoringSheet  *self);
/* Scores must be multiples of this (0.5), or 0 when any value is allowed. */
double                      cp_scoring_sheet_get_step             (CpScoringSheet  *self);
/* Whether the sheet has a column for self-assessment or for acceptance scores. */
gboolean                    cp_scoring_sheet_has_column           (CpScoringSheet  *self,
                                                                   CpScoreColumn    column);

guint                       cp_scoring_sheet_get_n_categories     (CpScoringSheet  *self);
const CpScoringCategory    *cp_scoring_sheet_get_category         (CpScoringSheet  *self,
                                                                   guint            index);
guint                       cp_scoring_sheet_get_n_subcategories  (CpScoringSheet  *self);
/* Every item of the sheet in order (element type const CpScoringItem *); owned by the sheet. */
GPtrArray                  *cp_scoring_sheet_get_items            (CpScoringSheet  *self);
guint                       cp_scoring_sheet_get_n_items          (CpScoringSheet  *self);

/* NULL when the sheet has no such id. */
const CpScoringItem        *cp_scoring_sheet_lookup_item          (CpScoringSheet  *self,
                                                                   const char      *item_id);
const CpScoringCategory    *cp_scoring_sheet_lookup_category      (CpScoringSheet  *self,
                                                                   const char      *category_id);
const CpScoringSubcategory *cp_scoring_sheet_lookup_subcategory   (CpScoringSheet  *self,
                                                                   const char      *subcategory_id);

guint                       cp_scoring_sheet_get_n_pass_marks     (CpScoringSheet  *self);
const CpScoringMark        *cp_scoring_sheet_get_pass_mark        (CpScoringSheet  *self,
                                                                   guint            index);
const CpScoringMark        *cp_scoring_sheet_lookup_pass_mark     (CpScoringSheet  *self,
                                                                   const char      *pass_mark_id);

/* Grade bands, highest first; none for an ungraded sheet. */
guint                       cp_scoring_sheet_get_n_grades         (CpScoringSheet  *self);
const CpScoringMark        *cp_scoring_sheet_get_grade            (CpScoringSheet  *self,
                                                                   guint            index);
/* The highest band whose minimum @score reaches, or NULL (ungraded sheet, or below all bands). */
const CpScoringMark        *cp_scoring_sheet_grade_for_score      (CpScoringSheet  *self,
                                                                   double           score);

guint                       cp_scoring_sheet_get_n_adjustments    (CpScoringSheet  *self);
const CpScoringAdjustment  *cp_scoring_sheet_get_adjustment       (CpScoringSheet  *self,
                                                                   guint            index);
const CpScoringAdjustment  *cp_scoring_sheet_lookup_adjustment    (CpScoringSheet  *self,
                                                                   const char      *adjustment_id);

G_END_DECLS
