/* cp-conflict-page-private.h — the conflict page's rows and what a user does with them, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-conflict-page.h"

G_BEGIN_DECLS

/* The JSON pointer of conflict @index, and what its rows show. */
const char     *cp_conflict_page_get_path       (CpConflictPage     *self,
                                                 guint               index);
char           *cp_conflict_page_get_mine_text  (CpConflictPage     *self,
                                                 guint               index);
char           *cp_conflict_page_get_theirs_text (CpConflictPage    *self,
                                                 guint               index);
/* Picks a value for conflict @index, as the user would; @text only with CP_MERGE_EDIT. */
void            cp_conflict_page_choose         (CpConflictPage     *self,
                                                 guint               index,
                                                 CpMergeChoice       choice,
                                                 const char         *text);
gboolean        cp_conflict_page_save           (CpConflictPage     *self,
                                                 GError            **error);

G_END_DECLS
