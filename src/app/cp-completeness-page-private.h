/* cp-completeness-page-private.h — what the completeness page shows, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-completeness-page.h"

G_BEGIN_DECLS

gboolean            cp_completeness_page_is_ready  (CpCompletenessPage *self);
/* Whether the Submit button is shown (ready, and not submitted or accepted yet). */
gboolean            cp_completeness_page_can_submit (CpCompletenessPage *self);
const char         *cp_completeness_page_get_description (CpCompletenessPage *self);
/* The heading shown: "Ready to Submit", "3 Problems Left", … */
const char         *cp_completeness_page_get_title (CpCompletenessPage *self);
guint               cp_completeness_page_get_n_rows (CpCompletenessPage *self);
/* Activates the @index-th finding row, as a click would. */
void                cp_completeness_page_activate_row (CpCompletenessPage *self,
                                                       guint               index);

G_END_DECLS
