/* cp-export.h — the printable binder: a packet as a PDF the credit office receives
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

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

/* Writes the binder of @packet as an A4 PDF to @path: a cover page, a table of contents with
 * page numbers, every section of the packet's kind in binder order, the scoring sheet with its
 * totals and verdict, and the attachment list with sizes and SHA-256 digests. Template labels
 * follow the current locale (cp_text_get()), the program's own words go through gettext.
 *
 * The PDF is written to a temporary file beside @path and renamed over @path once complete, so
 * @path never holds a partial document. Cancelling @cancellable stops the export with
 * G_IO_ERROR_CANCELLED and removes the temporary file. This function blocks: call it from a
 * worker thread (GTask) in an interactive program. */
gboolean    cp_export_pdf            (CpTemplateRegistry *registry,
                                      CpPacket           *packet,
                                      const char         *path,
                                      GCancellable       *cancellable,
                                      GError            **error);

G_END_DECLS
