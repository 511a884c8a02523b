/* cp-progress-export.h — the district progress table as a workbook or CSV file
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-report-table.h"
#include "cp-sync-client.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* The table the progress window shows, for the core's writers: a row per district and the
 * totals; per kind (in the registry's order) and for all kinds together the quota, the accepted
 * packets, the completion rate (a percentage; empty without a quota) and the deduction. */
CpReportTable *cp_progress_export_make_table (CpProgress         *progress,
                                              CpTemplateRegistry *registry);
/* Writes it to @path: .xlsx or .csv by the name (cp_report_table_write()). Blocks. */
gboolean       cp_progress_export_write      (CpProgress         *progress,
                                              CpTemplateRegistry *registry,
                                              const char         *path,
                                              GError            **error);
/* What Export… in the progress window does: asks for the file (Excel or CSV), writes it in a
 * worker thread, and says how it went in a toast of @parent's AdwToastOverlay content. */
void           cp_progress_export_run        (AdwWindow          *parent,
                                              CpProgress         *progress,
                                              CpTemplateRegistry *registry);

G_END_DECLS
