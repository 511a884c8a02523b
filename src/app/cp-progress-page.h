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

G_END_DECLS
