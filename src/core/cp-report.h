/* cp-report.h — a table an office sends upward, defined as data: which packets, which columns
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-packet.h"
#include "cp-template-registry.h"
#include "cp-text.h"

G_BEGIN_DECLS

/* The JSON format ("format": 1, "type": "report") is documented in docs/reports.md. */
#define CP_REPORT_FORMAT 1
#define CP_REPORT_MAX_SIZE (256 * 1024)

/* Where a column's values come from. */
typedef enum
{
  CP_REPORT_VALUE_ROW_NUMBER,  /* 1, 2, 3… in the sorted table */
  CP_REPORT_VALUE_FIELD,       /* a field of the packet ("cover.enterprise_name") */
  CP_REPORT_VALUE_STATE,       /* the packet's state, by @labels */
  CP_REPORT_VALUE_YEAR,        /* the campaign year */
  CP_REPORT_VALUE_SUBMITTED,   /* the submission date */
  CP_REPORT_VALUE_SCORE,       /* the scoring sheet's total in @score_column */
  CP_REPORT_VALUE_GRADE,       /* the grade of that total (weighted sheets) */
  CP_REPORT_VALUE_PASS_MARK,   /* the pass mark that applies: @mark, or the one the choice
                                * field @mark_field names */
  CP_REPORT_VALUE_REACHED,     /* whether the total reaches that pass mark, by @labels */
} CpReportValue;

const char *cp_report_value_to_string   (CpReportValue  value);
gboolean    cp_report_value_from_string (const char    *text,
                                         CpReportValue *value);

typedef enum
{
  CP_REPORT_TOTAL_COUNT,
  CP_REPORT_TOTAL_SUM,
  CP_REPORT_TOTAL_AVERAGE,
} CpReportTotal;

typedef struct
{
  char          *id;
  CpText        *heading;
  CpReportValue  value;
  char          *field;         /* FIELD: "section.field" */
  CpScoreColumn  score_column;  /* SCORE, GRADE, PASS_MARK, REACHED */
  char          *mark;          /* PASS_MARK, REACHED: a pass mark id, or NULL */
  char          *mark_field;    /* PASS_MARK, REACHED: a choice field naming the mark, or NULL */
  GHashTable    *labels;        /* value id ("accepted", "true") → CpText *; nullable */
  double         width;         /* in characters; 0 for "fit the contents" */
  char          *number_format; /* an Excel number format ("0.0"), or NULL */
  guint          index;
} CpReportColumn;

typedef struct
{
  const CpReportColumn *column;
  gboolean              descending;
} CpReportSort;

typedef struct
{
  const CpReportColumn *column;
  CpReportTotal         function;
} CpReportTotalSpec;

#define CP_TYPE_REPORT (cp_report_get_type ())
G_DECLARE_FINAL_TYPE (CpReport, cp_report, CP, REPORT, GObject)

/* Strict readers: a wrong type, an unknown member, a duplicate column id, a sort or total naming
 * no column... are CP_JSON_ERROR errors that name the JSON path. The fields the columns name are
 * only checked against a template with cp_report_check(). */
CpReport         *cp_report_new_from_json     (JsonNode     *root,
                                               const char   *origin,
                                               GError      **error);
CpReport         *cp_report_new_from_data     (const char   *data,
                                               gssize        length,
                                               const char   *origin,
                                               GError      **error);
CpReport         *cp_report_new_from_file     (const char   *path,
                                               GError      **error);

/* Checks the report against the template of its kind in @templates (its newest version): the
 * kind exists, every field a column names exists and can be a column (not a group or an
 * attachment), a mark field is a choice, a score column exists in the kind's scoring sheet, a
 * pass mark exists. Errors are CP_JSON_ERROR_INCONSISTENT and name the JSON path. */
gboolean          cp_report_check             (CpReport            *self,
                                               CpTemplateRegistry  *templates,
                                               GError             **error);

const char       *cp_report_get_id            (CpReport     *self);
const char       *cp_report_get_version       (CpReport     *self);
const char       *cp_report_get_origin        (CpReport     *self);
/* The title may hold "{year}" and "{district}" (see cp_report_format_title()). */
const CpText     *cp_report_get_title         (CpReport     *self);
const CpText     *cp_report_get_description   (CpReport     *self);
/* The day it is due within the campaign year (8/31), or FALSE when the report names none. */
gboolean          cp_report_get_due           (CpReport     *self,
                                               int          *month,
                                               int          *day);
const char       *cp_report_get_kind          (CpReport     *self);
/* Whether packets in @state are in the report (every state when the report names none). */
gboolean          cp_report_includes_state    (CpReport     *self,
                                               CpPacketState state);
guint             cp_report_get_n_columns     (CpReport     *self);
const CpReportColumn *cp_report_get_column    (CpReport     *self,
                                               guint         index);
const CpReportColumn *cp_report_lookup_column (CpReport     *self,
                                               const char   *id);
/* Element type CpReportSort * / CpReportTotalSpec *. */
GPtrArray        *cp_report_get_sort          (CpReport     *self);
GPtrArray        *cp_report_get_totals        (CpReport     *self);
const CpText     *cp_report_get_totals_label  (CpReport     *self);
/* The number of columns to keep in view beside the frozen header row. */
guint             cp_report_get_freeze_columns (CpReport    *self);

/* "{year}年{district}贯标企业信息汇总表" with @year and @district (nullable) filled in, in @lang
 * (NULL: the locale's), spaces tidied. */
char             *cp_report_format_title      (CpReport     *self,
                                               int           year,
                                               const char   *district,
                                               const char   *lang);

/* A text in @lang, falling back to the locale's choice. */
const char       *cp_report_text              (const CpText *text,
                                               const char   *lang);

G_END_DECLS
