/* cp-completeness-page-private.h — what the completeness page shows, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-completeness-page.h"

G_BEGIN_DECLS

/* Activates the @index-th finding row, as a click would. */
void                cp_completeness_page_activate_row (CpCompletenessPage *self,
                                                       guint               index);

/* How many of the rows are about parts other parties fill in (listed last). */
guint               cp_completeness_page_get_n_others (CpCompletenessPage *self);

G_END_DECLS
