/* cp-completeness-page.h — every finding of a packet, grouped by section
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-packet.h"
#include "cp-template.h"

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
gboolean            cp_completeness_page_is_ready  (CpCompletenessPage *self);
/* Whether the Submit button is shown (ready, and not submitted or accepted yet). */
gboolean            cp_completeness_page_can_submit (CpCompletenessPage *self);
const char         *cp_completeness_page_get_description (CpCompletenessPage *self);
/* Focuses the Submit button when it is shown, else the first finding that leads somewhere. */
gboolean            cp_completeness_page_focus     (CpCompletenessPage *self);
/* The heading shown: "Ready to Submit", "3 Problems Left", … */
const char         *cp_completeness_page_get_title (CpCompletenessPage *self);
guint               cp_completeness_page_get_n_rows (CpCompletenessPage *self);
/* Activates the @index-th finding row, as a click would. */
void                cp_completeness_page_activate_row (CpCompletenessPage *self,
                                                       guint               index);

G_END_DECLS
