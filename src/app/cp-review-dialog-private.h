/* cp-review-dialog-private.h — the rows of the review queue and what a reviewer does with them
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-review-dialog.h"

G_BEGIN_DECLS

const char     *cp_review_dialog_get_uuid    (CpReviewDialog     *self,
                                              guint               index);
/* The row of @index (an AdwActionRow with its Return… and Accept buttons), for tests. */
GtkWidget      *cp_review_dialog_get_row     (CpReviewDialog     *self,
                                              guint               index);
/* What the Accept button does: asks for confirmation (the dialog is returned); "accept"
 * then accepts as cp_review_dialog_accept() does. */
AdwMessageDialog *cp_review_dialog_ask_accept (CpReviewDialog   *self,
                                               guint             index);
/* What the reviewer does with row @index; the result shows in the dialog and a sync follows. */
void            cp_review_dialog_accept      (CpReviewDialog     *self,
                                              guint               index);
/* @section and @field may be NULL for a comment on the whole packet, @field alone for one on
 * the whole section. */
void            cp_review_dialog_return      (CpReviewDialog     *self,
                                              guint               index,
                                              const char         *section,
                                              const char         *field,
                                              const char         *comment);
/* Several comments at once (element type CpComment *; section, field and text used). */
void            cp_review_dialog_return_comments (CpReviewDialog *self,
                                                  guint           index,
                                                  GPtrArray      *comments);

G_END_DECLS
