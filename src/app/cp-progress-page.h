/* cp-progress-page.h — a credit office's progress against the districts' quotas
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-sync-manager.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* The figures shown for a kind (or a row's kinds together). */
typedef enum
{
  CP_PROGRESS_COLUMN_QUOTA,
  CP_PROGRESS_COLUMN_ACCEPTED,
  CP_PROGRESS_COLUMN_RATE,
  CP_PROGRESS_COLUMN_DEDUCTION,
} CpProgressColumn;

#define CP_TYPE_PROGRESS_PAGE (cp_progress_page_get_type ())
G_DECLARE_FINAL_TYPE (CpProgressPage, cp_progress_page, CP, PROGRESS_PAGE, AdwWindow)

/* Loads the current year's progress from the server; when that year has no quotas, the newest
 * of the ten years before that has. */
CpProgressPage *cp_progress_page_new          (GtkWindow          *parent,
                                               CpSyncManager      *manager,
                                               CpTemplateRegistry *registry);
int             cp_progress_page_get_year     (CpProgressPage     *self);
/* Shows @year (loading it). */
void            cp_progress_page_set_year     (CpProgressPage     *self,
                                               int                 year);
/* Loads the shown year again (the Refresh button, Ctrl+R, F5). */
void            cp_progress_page_refresh      (CpProgressPage     *self);
gboolean        cp_progress_page_is_busy      (CpProgressPage     *self);
/* How many times the table has been asked for (a refresh counts one). */
guint           cp_progress_page_get_n_loads  (CpProgressPage     *self);
/* The number of district rows shown (without the totals). */
guint           cp_progress_page_get_n_districts (CpProgressPage  *self);
/* The label shown for @district (its code; NULL for the totals row) and @kind (NULL for the
 * row's kinds together) in @column, or NULL when the table has no such cell. */
GtkLabel       *cp_progress_page_get_cell     (CpProgressPage     *self,
                                               const char         *district,
                                               const char         *kind,
                                               CpProgressColumn    column);
/* The explanation shown instead of or above the table (offline, errors, no quotas), or NULL. */
const char     *cp_progress_page_get_message  (CpProgressPage     *self);

G_END_DECLS
