/* cp-report-table.h — a report evaluated over packets: its rows, cells and totals, and files
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-report.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_REPORT_ERROR (cp_report_error_quark ())

typedef enum
{
  CP_REPORT_ERROR_NO_DATA,      /* no packet of the year (and district) is in the report */
  CP_REPORT_ERROR_WRITE,        /* the file cannot be created or written */
  CP_REPORT_ERROR_FILE_TYPE,    /* a file name that is neither .xlsx nor .csv */
} CpReportError;

GQuark cp_report_error_quark (void);

typedef enum
{
  CP_REPORT_CELL_EMPTY,
  CP_REPORT_CELL_TEXT,
  CP_REPORT_CELL_NUMBER,
  CP_REPORT_CELL_DATE,
} CpReportCellType;

typedef struct
{
  CpReportCellType type;
  char            *text;     /* TEXT */
  double           number;   /* NUMBER */
  GDate            date;     /* DATE */
  int              order;    /* a choice's position among its options, for sorting; -1 */
} CpReportCell;

/* What a column holds, for number formats and widths. */
typedef enum
{
  CP_REPORT_COLUMN_TEXT,
  CP_REPORT_COLUMN_INTEGER,
  CP_REPORT_COLUMN_NUMBER,
  CP_REPORT_COLUMN_MONEY,
  CP_REPORT_COLUMN_DATE,
} CpReportColumnType;

#define CP_TYPE_REPORT_TABLE (cp_report_table_get_type ())
G_DECLARE_FINAL_TYPE (CpReportTable, cp_report_table, CP, REPORT_TABLE, GObject)

/* The rows of @report over @packets (CpPacket *; the caller has already left out what the
 * reader may not see): the packets of the report's kind, of @year, in the report's states, in
 * the report's order, with totals. @district (nullable) names the district the packets are
 * from, for the title. Texts from the templates and the report are in @lang ("zh_CN", "en";
 * NULL: the locale's). Fails with CP_REPORT_ERROR_NO_DATA when no packet qualifies. */
CpReportTable     *cp_report_evaluate               (CpReport            *report,
                                                     CpTemplateRegistry  *templates,
                                                     GPtrArray           *packets,
                                                     int                  year,
                                                     const char          *district,
                                                     const char          *lang,
                                                     GError             **error);

/* The report the table was made of; NULL for a table made with cp_report_table_new(). */
CpReport          *cp_report_table_get_report       (CpReportTable *self);
int                cp_report_table_get_year         (CpReportTable *self);
/* "2020年昆山贯标企业信息汇总表" */
const char        *cp_report_table_get_title        (CpReportTable *self);
guint              cp_report_table_get_n_columns    (CpReportTable *self);
guint              cp_report_table_get_n_rows       (CpReportTable *self);
const char        *cp_report_table_get_heading      (CpReportTable *self,
                                                     guint          column);
CpReportColumnType cp_report_table_get_column_type  (CpReportTable *self,
                                                     guint          column);
/* The Excel number format of the column's numbers and dates ("0", "#,##0.00", "yyyy-mm-dd"),
 * or NULL for text. */
const char        *cp_report_table_get_number_format (CpReportTable *self,
                                                      guint          column);
/* In characters: the report's, or one that fits the heading and the longest value. */
double             cp_report_table_get_width        (CpReportTable *self,
                                                     guint          column);
const CpReportCell *cp_report_table_get_cell        (CpReportTable *self,
                                                     guint          row,
                                                     guint          column);
/* The totals row (the report's label, counts, sums, averages), or FALSE when it has none. */
gboolean           cp_report_table_has_totals       (CpReportTable *self);
const CpReportCell *cp_report_table_get_total       (CpReportTable *self,
                                                     guint          column);
/* Whether the total of @column is an average (shown with two decimals). */
gboolean           cp_report_table_total_is_average (CpReportTable *self,
                                                     guint          column);

/* How many first columns stay in view beside the frozen header rows. */
guint              cp_report_table_get_freeze_columns (CpReportTable *self);

/* A table that no report definition makes, such as the district progress an office has on
 * screen, for the same writers: @title (its first row), @year, @n_columns headings and what
 * each column holds. Rows are added in order with cp_report_table_append_row() (@cells: one per
 * column, copied); texts must be UTF-8. cp_report_table_get_report() is NULL for it. */
CpReportTable     *cp_report_table_new              (const char               *title,
                                                     int                       year,
                                                     guint                     n_columns,
                                                     const char * const       *headings,
                                                     const CpReportColumnType *types);
void               cp_report_table_append_row       (CpReportTable            *self,
                                                     const CpReportCell       *cells);
/* The totals row (@cells: one per column, copied; NULL for none); @averages (nullable) marks
 * the columns whose total is an average. */
void               cp_report_table_set_totals       (CpReportTable            *self,
                                                     const CpReportCell       *cells,
                                                     const gboolean           *averages);
/* The Excel number format of a column's numbers ("0.0%"); the column type's otherwise. */
void               cp_report_table_set_number_format (CpReportTable           *self,
                                                      guint                    column,
                                                      const char              *number_format);
void               cp_report_table_set_freeze_columns (CpReportTable          *self,
                                                       guint                   n_columns);

/* Writes the table as an Excel workbook (a title row, a header row, the rows and the totals;
 * the header frozen, filters on the header, widths and number formats) or as CSV (UTF-8 with a
 * byte-order mark so that Excel opens it, CRLF line ends, the header row first). The file is
 * written beside @path under a temporary name and renamed into place only when complete.
 * cp_report_table_write() chooses by the name's ending (.xlsx or .csv). */
gboolean           cp_report_table_write_xlsx       (CpReportTable  *self,
                                                     const char     *path,
                                                     GError        **error);
gboolean           cp_report_table_write_csv        (CpReportTable  *self,
                                                     const char     *path,
                                                     GError        **error);
gboolean           cp_report_table_write            (CpReportTable  *self,
                                                     const char     *path,
                                                     GError        **error);

G_END_DECLS
