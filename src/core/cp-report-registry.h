/* cp-report-registry.h — the report definitions a program knows
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-report.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* Where the shipped reports live in the core's resources (data/reports/). */
#define CP_REPORT_RESOURCE "/io/github/creditpacket/core/reports"

#define CP_TYPE_REPORT_REGISTRY (cp_report_registry_get_type ())
G_DECLARE_FINAL_TYPE (CpReportRegistry, cp_report_registry, CP, REPORT_REGISTRY, GObject)

/* Every report loaded is checked against @templates (cp_report_check()). A report with the id of
 * one already known replaces it when its version is the same or newer; an older version is
 * ignored (the office's revision in its templates-dir wins over the shipped one). */
CpReportRegistry *cp_report_registry_new            (CpTemplateRegistry  *templates);
/* The reports shipped in the core's resources. */
CpReportRegistry *cp_report_registry_new_default    (CpTemplateRegistry  *templates,
                                                     GError             **error);
gboolean          cp_report_registry_load_data      (CpReportRegistry    *self,
                                                     const char          *data,
                                                     gssize               length,
                                                     const char          *origin,
                                                     GError             **error);
gboolean          cp_report_registry_load_file      (CpReportRegistry    *self,
                                                     const char          *path,
                                                     GError             **error);
/* Every *.json file of @path, in name order; stops at the first error. */
gboolean          cp_report_registry_load_directory (CpReportRegistry    *self,
                                                     const char          *path,
                                                     GError             **error);

/* The templates the reports are checked against. */
CpTemplateRegistry *cp_report_registry_get_templates (CpReportRegistry  *self);

/* The newest version, or NULL. */
CpReport         *cp_report_registry_lookup         (CpReportRegistry    *self,
                                                     const char          *id);
/* The newest version of each report, sorted by id (references). */
GPtrArray        *cp_report_registry_list           (CpReportRegistry    *self);

G_END_DECLS
