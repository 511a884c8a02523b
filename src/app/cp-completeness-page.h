/* cp-completeness-page.h — every finding of a packet, grouped by section
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-packet.h"
#include "cp-role.h"
#include "cp-template.h"
#include "cp-workflow.h"

G_BEGIN_DECLS

#define CP_TYPE_COMPLETENESS_PAGE (cp_completeness_page_get_type ())
G_DECLARE_FINAL_TYPE (CpCompletenessPage, cp_completeness_page, CP, COMPLETENESS_PAGE, AdwBin)

/* Emits ::jump (section id, field path or NULL) when a row is activated. */
CpCompletenessPage *cp_completeness_page_new       (void);
/* Shows @findings (element type CpFinding *) of a packet made with @tmpl. The findings of
 * @scoring_section (nullable) are shown under @scoring_title. */
void                cp_completeness_page_update    (CpCompletenessPage *self,
                                                    CpTemplate         *tmpl,
                                                    GPtrArray          *findings);
/* Where the packet stands in the office's workflow; a submitted or accepted packet says so
 * first, with @detail ("Submitted on … by …", nullable). Shown at the next update. */
void                cp_completeness_page_set_workflow (CpCompletenessPage *self,
                                                       CpPacketState       state,
                                                       const char         *detail);
/* Who the user is to the packet: the findings on parts @party fills in come first, under "For
 * You to Do", the others' after, each saying who fills it in. CP_ROLE_NONE (the default): one
 * list. Shown at the next update. */
void                cp_completeness_page_set_party (CpCompletenessPage *self,
                                                    CpRole              party);
/* The stage of the packet's review chain (nullable): a packet handed in says which stage it is
 * in and whose turn it is, instead of "Submitted to the Credit Office". Shown at the next
 * update. */
void                cp_completeness_page_set_stage (CpCompletenessPage *self,
                                                    const char         *stage_id);
/* The steps of the packet's review chain the user may take in its stage (element type
 * const CpTransition *, or NULL for none): a button each, which emits ::step with the
 * transition's id; a step that hands the packet in is left to the Submit button. */
void                cp_completeness_page_set_steps (CpCompletenessPage *self,
                                                    GPtrArray          *steps);
guint               cp_completeness_page_get_n_steps (CpCompletenessPage *self);
/* Focuses the Submit button when it is shown, else the first finding that leads somewhere. */
gboolean            cp_completeness_page_focus     (CpCompletenessPage *self);

G_END_DECLS
