/* cp-report-dialog.h — a credit office exports a table it sends upward
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-sync-client.h"
#include "cp-sync-manager.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_REPORT_DIALOG (cp_report_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpReportDialog, cp_report_dialog, CP, REPORT_DIALOG, AdwWindow)

/* Lists the reports the server publishes (offline: the definitions this program ships, which
 * cannot be exported without the server) and exports the one chosen, for a campaign year and a
 * district within the user's own, as an Excel workbook or CSV file from the server. */
CpReportDialog     *cp_report_dialog_new           (GtkWindow          *parent,
                                                    CpSyncManager      *manager,
                                                    CpTemplateRegistry *registry);
const char         *cp_report_dialog_get_report_id (CpReportDialog     *self,
                                                    guint               index);

G_END_DECLS
