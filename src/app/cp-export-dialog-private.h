/* cp-export-dialog-private.h — choosing the file without the file chooser, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-export-dialog.h"

G_BEGIN_DECLS

/* Writes the binder to @path, as choosing that file does. */
void                 cp_export_dialog_export_to      (CpExportDialog     *self,
                                                      const char         *path);

G_END_DECLS
