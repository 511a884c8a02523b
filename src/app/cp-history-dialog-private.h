/* cp-history-dialog-private.h — the rows of the history dialog
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-history-dialog.h"

G_BEGIN_DECLS

/* "by USER, DATE TIME" of row @index. */
const char *cp_history_dialog_get_row_subtitle (CpHistoryDialog *self,
                                                guint            index);

G_END_DECLS
