/* cp-print-operation.h — prints a packet's binder: the same pages as the PDF export
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cp-binder.h"
#include "cp-packet.h"
#include "cp-store.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_PRINT_OPERATION (cp_print_operation_get_type ())
G_DECLARE_FINAL_TYPE (CpPrintOperation, cp_print_operation, CP, PRINT_OPERATION,
                      GtkPrintOperation)

CpBinder         *cp_print_operation_get_binder    (CpPrintOperation   *self);

/* What Print… (Ctrl+P) does: paginates the whole binder of @packet (the attachments from
 * @store's blob folder) in a worker thread, then shows the print dialog (in a sandbox the
 * print portal's) with its pages. Errors and the end are told in @parent's toasts (a
 * CpWindow). The settings chosen are kept for the next print of this run. */
void              cp_print_operation_print_packet  (GtkWindow          *parent,
                                                    CpTemplateRegistry *registry,
                                                    CpStore            *store,
                                                    CpPacket           *packet);
/* The settings the next print dialog opens with (those of the last print), or NULL. */
GtkPrintSettings *cp_print_operation_get_settings  (void);

G_END_DECLS
