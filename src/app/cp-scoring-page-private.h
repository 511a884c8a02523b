/* cp-scoring-page-private.h — what the scoring page shows, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-scoring-page.h"

G_BEGIN_DECLS

/* "812 of 1000", the verdict ("Reaches the city pass mark (700)…" or "Grade AA"), and the
 * last refusal message, as shown. */
const char     *cp_scoring_page_get_total_text    (CpScoringPage  *self,
                                                   CpScoreColumn   column);
const char     *cp_scoring_page_get_verdict_text  (CpScoringPage  *self,
                                                   CpScoreColumn   column);
const char     *cp_scoring_page_get_message       (CpScoringPage  *self);
/* The caption above the sheet: which columns others fill in, and who last did (NULL: none). */
const char     *cp_scoring_page_get_access_caption (CpScoringPage *self);
/* Whether the review clock is offered (to a party that writes a score column). */
gboolean        cp_scoring_page_get_clock_shown   (CpScoringPage  *self);
/* Rows shown (after the unscored filter). */
guint           cp_scoring_page_get_n_shown       (CpScoringPage  *self);
void            cp_scoring_page_toggle_clock      (CpScoringPage  *self);
/* Emits ::evidence-chosen (item id, @file), as choosing a file in the Evidence column does; the
 * packet view stores the file and calls cp_scoring_page_update_evidence(). */
void            cp_scoring_page_attach_evidence   (CpScoringPage  *self,
                                                   const char     *item_id,
                                                   GFile          *file);

G_END_DECLS
