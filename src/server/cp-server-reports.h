/* cp-server-reports.h — the tables offices send upward, from the server's database
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-report-registry.h"
#include "cp-server-storage.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* The largest report file GET /api/v1/reports/NAME sends (a table of a few thousand rows is a
 * fraction of it); GET /limits counts it in max_reply. */
#define CP_SERVER_MAX_REPORT (16 * 1024 * 1024)

typedef struct
{
  int         year;      /* 0: not given */
  const char *district;  /* a district code, or NULL for every district */
  const char *output;    /* FILE.xlsx or FILE.csv */
  const char *lang;      /* "zh_CN" (NULL) or "en" */
} CpServerReportOptions;

/* The shipped report definitions, then those in TEMPLATES_DIR/reports/ over them (nullable). */
CpReportRegistry *cp_server_load_reports (CpTemplateRegistry  *templates,
                                          const char          *templates_dir,
                                          GError             **error);

/* The "report" commands of credit-packet-server: @args is { "report", "list" } or
 * { "report", NAME }. Bad usage (an unknown report, no year, no output file) is a
 * G_OPTION_ERROR_BAD_VALUE error; a year without data, an unknown district or an unwritable file
 * another error; nothing half-written is left. */
gboolean  cp_server_reports_run  (CpServerStorage              *storage,
                                  const char                   *templates_dir,
                                  const CpServerReportOptions  *options,
                                  char                        **args,
                                  GError                      **error);

G_END_DECLS
