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
/* While the list or a file is being fetched. */
gboolean            cp_report_dialog_is_busy       (CpReportDialog     *self);
/* Whether the list came from the server (FALSE: the shipped definitions). */
gboolean            cp_report_dialog_is_online     (CpReportDialog     *self);
guint               cp_report_dialog_get_n_reports (CpReportDialog     *self);
const char         *cp_report_dialog_get_report_id (CpReportDialog     *self,
                                                    guint               index);
gboolean            cp_report_dialog_select_report (CpReportDialog     *self,
                                                    const char         *id);
void                cp_report_dialog_set_year      (CpReportDialog     *self,
                                                    int                 year);
/* The district codes offered, in order; NULL stands for all the districts the user may see. */
GPtrArray          *cp_report_dialog_get_districts (CpReportDialog     *self);
gboolean            cp_report_dialog_select_district (CpReportDialog   *self,
                                                      const char       *code);
void                cp_report_dialog_set_format    (CpReportDialog     *self,
                                                    CpSyncReportFormat  format);
/* Fetches the chosen report into @path, as choosing that file does. */
void                cp_report_dialog_export_to     (CpReportDialog     *self,
                                                    const char         *path);
/* What the dialog says above its buttons (offline, an error), or NULL. */
const char         *cp_report_dialog_get_message   (CpReportDialog     *self);

G_END_DECLS
