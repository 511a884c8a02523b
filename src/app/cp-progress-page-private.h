/* cp-progress-page-private.h — the progress page's state and cells, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-progress-page.h"

G_BEGIN_DECLS

int             cp_progress_page_get_year     (CpProgressPage     *self);
/* Shows @year (loading it). */
void            cp_progress_page_set_year     (CpProgressPage     *self,
                                               int                 year);
/* Loads the shown year again (the Refresh button, Ctrl+R, F5). */
void            cp_progress_page_refresh      (CpProgressPage     *self);
/* How many times the table has been asked for (a refresh counts one). */
guint           cp_progress_page_get_n_loads  (CpProgressPage     *self);
/* The label shown for @district (its code; NULL for the totals row) and @kind (NULL for the
 * row's kinds together) in @column, or NULL when the table has no such cell. */
GtkLabel       *cp_progress_page_get_cell     (CpProgressPage     *self,
                                               const char         *district,
                                               const char         *kind,
                                               CpProgressColumn    column);

G_END_DECLS
