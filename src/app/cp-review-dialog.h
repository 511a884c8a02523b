/* cp-review-dialog.h — a credit office's queue: submitted packets to return or accept
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-comment.h"
#include "cp-sync-manager.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* The comment as shown in a packet: a warning-coloured box with a speech bubble, who and when
 * (".review-comment-heading"), and the text (".review-comment-text"). @where (nullable) names
 * the field when the comment is not shown under it. @spoken (nullable) receives what a screen
 * reader says for it. */
GtkWidget *cp_review_comment_new_widget   (const CpComment  *comment,
                                           const char             *where,
                                           char                  **spoken);

#define CP_TYPE_REVIEW_DIALOG (cp_review_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpReviewDialog, cp_review_dialog, CP, REVIEW_DIALOG, AdwWindow)

/* The submitted packets of the office's district, as the last sync brought them. */
CpReviewDialog *cp_review_dialog_new         (GtkWindow          *parent,
                                              CpSyncManager      *manager,
                                              CpStore            *store,
                                              CpTemplateRegistry *registry);
/* Properties, read-only: "busy" (a return or an acceptance is on its way), "message" (the last
 * outcome, or NULL) and "n-rows". */

G_END_DECLS
