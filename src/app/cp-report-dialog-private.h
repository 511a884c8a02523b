/* cp-report-dialog-private.h — the report dialog's state and choices, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-report-dialog.h"

G_BEGIN_DECLS

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

G_END_DECLS
