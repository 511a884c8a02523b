/* cp-export-dialog.h — exports a packet's binder as PDF: what, where, progress, notices
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-packet.h"
#include "cp-store.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

typedef enum
{
  CP_EXPORT_DIALOG_CHOOSE,   /* whole binder or form pages, then the file */
  CP_EXPORT_DIALOG_RUNNING,  /* pages written of all, Cancel */
  CP_EXPORT_DIALOG_DONE,     /* written, with the attachments that could not be bound in */
} CpExportDialogState;

#define CP_TYPE_EXPORT_DIALOG (cp_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpExportDialog, cp_export_dialog, CP, EXPORT_DIALOG, AdwWindow)

/* A dialog for @packet as it is now (later edits do not reach the export). The attachments come
 * from @store's blob folder. When the binder is written without notices the dialog closes and
 * @parent (a CpWindow) shows a toast; otherwise it lists the attachments that got a notice
 * page. */
CpExportDialog      *cp_export_dialog_new            (GtkWindow          *parent,
                                                      CpTemplateRegistry *registry,
                                                      CpStore            *store,
                                                      CpPacket           *packet);
gboolean             cp_export_dialog_get_forms_only (CpExportDialog     *self);
void                 cp_export_dialog_set_forms_only (CpExportDialog     *self,
                                                      gboolean            forms_only);
/* Cancels a running export (nothing is left at the file; an earlier file stays as it was),
 * or closes the dialog. */
void                 cp_export_dialog_cancel         (CpExportDialog     *self);

G_END_DECLS
