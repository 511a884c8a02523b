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

/* The finding code under which the completeness page lists a reviewer's comment. */
#define CP_REVIEW_COMMENT_CODE "review-comment"

/* A reviewer's comment on a returned packet, as GET /api/v1/packets/{uuid}/comments gives it. */
typedef struct
{
  gint64  revision;     /* the revision the return made */
  char   *section;      /* nullable: NULL for the whole packet */
  char   *field;        /* nullable: NULL for the whole section; a field path or scoring item */
  char   *text;
  char   *author;
  char   *created_at;   /* as the server wrote it ("2026-05-03T06:20:00Z") */
} CpReviewComment;

void       cp_review_comment_free         (CpReviewComment *comment);
/* "2026-05-03 14:20" in local time, or the server's text when it cannot be read. */
char      *cp_review_comment_format_time  (const CpReviewComment *comment);
/* The comments of the newest return in a …/comments answer for @uuid (element type
 * CpReviewComment *); NULL when @node is not such an answer. The server keeps the comments of
 * earlier returns too; they were answered by the resubmission that followed them. */
GPtrArray *cp_review_comments_from_json   (JsonNode              *node,
                                           const char            *uuid);

/* The comment as shown in a packet: a warning-coloured box with a speech bubble, who and when
 * (".review-comment-heading"), and the text (".review-comment-text"). @where (nullable) names
 * the field when the comment is not shown under it. @spoken (nullable) receives what a screen
 * reader says for it. */
GtkWidget *cp_review_comment_new_widget   (const CpReviewComment  *comment,
                                           const char             *where,
                                           char                  **spoken);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpReviewComment, cp_review_comment_free)

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
/* Several comments at once (element type CpReviewComment *; section, field and text used). */
void            cp_review_dialog_return_comments (CpReviewDialog *self,
                                                  guint           index,
                                                  GPtrArray      *comments);
gboolean        cp_review_dialog_is_busy     (CpReviewDialog     *self);
/* The last outcome ("Accepted.", an error), or NULL. */
const char     *cp_review_dialog_get_message (CpReviewDialog     *self);

G_END_DECLS
