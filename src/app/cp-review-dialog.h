/* cp-review-dialog.h — a credit office's queue: submitted packets to return or accept
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-sync-manager.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_REVIEW_DIALOG (cp_review_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpReviewDialog, cp_review_dialog, CP, REVIEW_DIALOG, AdwWindow)

/* The submitted packets of the office's district, as the last sync brought them. */
CpReviewDialog *cp_review_dialog_new         (GtkWindow          *parent,
                                              CpSyncManager      *manager,
                                              CpStore            *store,
                                              CpTemplateRegistry *registry);
guint           cp_review_dialog_get_n_rows  (CpReviewDialog     *self);
const char     *cp_review_dialog_get_uuid    (CpReviewDialog     *self,
                                              guint               index);
/* What the reviewer does with row @index; the result shows in the dialog and a sync follows. */
void            cp_review_dialog_accept      (CpReviewDialog     *self,
                                              guint               index);
/* @section and @field may be NULL for a comment on the whole packet. */
void            cp_review_dialog_return      (CpReviewDialog     *self,
                                              guint               index,
                                              const char         *section,
                                              const char         *field,
                                              const char         *comment);
gboolean        cp_review_dialog_is_busy     (CpReviewDialog     *self);
/* The last outcome ("Accepted.", an error), or NULL. */
const char     *cp_review_dialog_get_message (CpReviewDialog     *self);

G_END_DECLS
