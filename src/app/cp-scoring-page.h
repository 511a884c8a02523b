/* cp-scoring-page.h — the scoring sheet of the on-site review, keyboard first
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-packet.h"
#include "cp-role.h"
#include "cp-scoring-sheet.h"
#include "cp-template.h"

G_BEGIN_DECLS

/* The "column" of ::score-edited for a note. */
#define CP_SCORING_PAGE_NOTE 2

#define CP_TYPE_SCORING_PAGE (cp_scoring_page_get_type ())
G_DECLARE_FINAL_TYPE (CpScoringPage, cp_scoring_page, CP, SCORING_PAGE, AdwBin)

/* The page edits @packet's scores in memory and emits ::score-edited (item id, CpScoreColumn)
 * after each accepted score or note, and ::clock-changed when the review clock starts or
 * stops. */
/* Shows the self-assessment and/or acceptance columns (both FALSE: every column the sheet
 * has). */
CpScoringPage  *cp_scoring_page_new               (CpScoringSheet *sheet,
                                                   CpPacket       *packet,
                                                   gboolean        show_self,
                                                   gboolean        show_acceptance);
CpScoringSheet *cp_scoring_page_get_sheet         (CpScoringPage  *self);
/* What typing @text into the score cell of @item_id does: an empty text clears the score;
 * anything that is not a number, below the minimum or above the maximum is refused with a
 * message (@error) and changes nothing. */
gboolean        cp_scoring_page_enter_score       (CpScoringPage  *self,
                                                   const char     *item_id,
                                                   CpScoreColumn   column,
                                                   const char     *text,
                                                   GError        **error);
/* Recomputes subtotals, total and verdict from the packet. */
void            cp_scoring_page_refresh           (CpScoringPage  *self);
/* Who the user is to the packet of @tmpl, and its stage (cp-access.h): a column (and the notes)
 * @party may not write in @stage_id is read-only, and the page says who fills it in.
 * CP_ROLE_NONE: everything is writable. */
void            cp_scoring_page_set_access        (CpScoringPage  *self,
                                                   CpTemplate     *tmpl,
                                                   CpRole          party,
                                                   const char     *stage_id);
/* Who last wrote each value (the server's …/authors), or NULL: the caption of a column someone
 * else fills in says who last wrote in it, and when. */
void            cp_scoring_page_set_authors       (CpScoringPage  *self,
                                                   JsonObject     *authors);
/* Whether @column (CP_SCORE_SELF, CP_SCORE_ACCEPTANCE, CP_SCORING_PAGE_NOTE) is read-only. */
gboolean        cp_scoring_page_get_read_only     (CpScoringPage  *self,
                                                   int             column);
/* A vertical box above the sheet for notes from outside it (the reviewer's comments on a
 * returned packet), hidden until its owner fills and shows it. */
GtkWidget      *cp_scoring_page_get_notes_box     (CpScoringPage  *self);
void            cp_scoring_page_set_only_unscored (CpScoringPage  *self,
                                                   gboolean        only_unscored);
gboolean        cp_scoring_page_get_only_unscored (CpScoringPage  *self);
/* Focuses the score cell of @item_id in @column; FALSE when the row is not shown. */
gboolean        cp_scoring_page_focus_item        (CpScoringPage  *self,
                                                   const char     *item_id,
                                                   CpScoreColumn   column);
/* Focuses the first item still without a score in the main column (or the first item). */
void            cp_scoring_page_focus_first_unscored (CpScoringPage *self);
/* The item whose score cell has the focus, or NULL. */
const char     *cp_scoring_page_get_focus_item    (CpScoringPage  *self);
void            cp_scoring_page_update_evidence   (CpScoringPage  *self,
                                                   const char     *item_id);

G_END_DECLS
