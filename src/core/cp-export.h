/* cp-export.h — the printable binder written as a PDF the credit office receives
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-binder.h"
#include "cp-packet.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_EXPORT_ERROR (cp_export_error_quark ())

typedef enum
{
  CP_EXPORT_ERROR_WRITE,     /* the file cannot be created or written */
  CP_EXPORT_ERROR_TEMPLATE,  /* the packet's kind (or its scoring sheet) is not in the registry */
} CpExportError;

GQuark      cp_export_error_quark    (void);

/* Called after each page is written: @done of @total pages. */
typedef void (*CpExportProgressFunc) (guint    done,
                                      guint    total,
                                      gpointer user_data);

/* Writes @binder (paginating it first when needed) as an A4 PDF to @path, page by page: one
 * page is drawn, written and forgotten before the next, so the attachments are never held in
 * memory together. The table of contents links to its pages and the PDF outline has every
 * entry of cp_binder_get_n_entries().
 *
 * The PDF is written to a hidden temporary file beside @path (".NAME.XXXXXX"), synced, and
 * renamed over @path only once complete: on any error or on cancellation (G_IO_ERROR_CANCELLED,
 * checked between pages) the temporary file is removed and an earlier file at @path is left as
 * it was. @progress (nullable) is called in this thread. Blocks: call it from a worker thread
 * in an interactive program, or use cp_export_binder_async(). */
gboolean    cp_export_binder         (CpBinder             *binder,
                                      const char           *path,
                                      CpExportProgressFunc  progress,
                                      gpointer              progress_data,
                                      GCancellable         *cancellable,
                                      GError              **error);

/* The same in a worker thread. @progress is called in the thread-default main context of the
 * caller (as @callback is), so it may touch widgets; @progress_notify frees @progress_data
 * once the export is over. */
void        cp_export_binder_async   (CpBinder             *binder,
                                      const char           *path,
                                      CpExportProgressFunc  progress,
                                      gpointer              progress_data,
                                      GDestroyNotify        progress_notify,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean    cp_export_binder_finish  (CpBinder             *binder,
                                      GAsyncResult         *result,
                                      GError              **error);

/* The form pages alone (no attachment pages): cover, table of contents, the sections, the
 * scoring sheet and the attachment list, as cp_export_binder() writes them for a forms-only
 * binder without a files folder. */
gboolean    cp_export_pdf            (CpTemplateRegistry   *registry,
                                      CpPacket             *packet,
                                      const char           *path,
                                      GCancellable         *cancellable,
                                      GError              **error);

G_END_DECLS
