/* cp-print-operation-private.h — a print operation on a binder, and the settings it starts from, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-print-operation.h"

G_BEGIN_DECLS

/* A print operation drawing the pages of @binder (already paginated: cp_binder_paginate()),
 * each scaled from A4 to the print context's page and centred on it. Run it like any
 * GtkPrintOperation; GTK_PRINT_OPERATION_ACTION_EXPORT with an export file name writes the
 * pages as a PDF. */
CpPrintOperation *cp_print_operation_new           (CpBinder           *binder);
void              cp_print_operation_set_settings  (GtkPrintSettings   *settings);

G_END_DECLS
