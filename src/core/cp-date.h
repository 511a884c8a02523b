/* cp-date.h — calendar dates as the packets write them (YYYY-MM-DD)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses a strict ISO 8601 calendar date "YYYY-MM-DD" into @date (a valid GDate).
 * Returns FALSE for anything else, including 2021-02-29. */
gboolean    cp_date_parse            (const char  *text,
                                      GDate       *date);
/* Parses a date as people type it in China: 2026-3-1, 2026/3/1, 2026.3.1 (one separator
 * throughout; months and days with or without a leading zero), 20260301, 2026年3月1日 (the 日
 * may be left out, or written 号), with surrounding spaces and full-width digits and
 * separators allowed. Years 1900–9999; FALSE for anything else, including 2026-2-30. Store
 * the result with cp_date_format(). */
gboolean    cp_date_parse_input      (const char  *text,
                                      GDate       *date);
/* Formats @date as "YYYY-MM-DD"; free with g_free(). */
char       *cp_date_format           (const GDate *date);
/* Today in local time. */
void        cp_date_today            (GDate       *date);
/* @date plus @months calendar months, clamped to the end of the month
 * (2020-08-31 + 6 months = 2021-02-28). @months may be negative. */
void        cp_date_add_months       (const GDate *date,
                                      int          months,
                                      GDate       *out);
/* Whole calendar months from @from to @to (negative when @to is earlier):
 * 2020-01-15 → 2020-07-15 is 6, → 2020-07-14 is 5. */
int         cp_date_months_between   (const GDate *from,
                                      const GDate *to);
/* Parses a strict "HH:MM" time into minutes since midnight; FALSE on anything else. */
gboolean    cp_time_parse            (const char  *text,
                                      int         *minutes);

G_END_DECLS
