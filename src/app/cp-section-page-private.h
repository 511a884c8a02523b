/* cp-section-page-private.h — a section page's editors, errors and comments, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-section-page.h"

G_BEGIN_DECLS

/* The error text shown under @field_id, or NULL when none is shown. */
const char      *cp_section_page_get_error    (CpSectionPage   *self,
                                               const char      *field_id);
/* The widget that edits @field_id (an AdwEntryRow, a GtkEntry, …), for tests. */
GtkWidget       *cp_section_page_get_editor   (CpSectionPage   *self,
                                               const char      *field_id);
/* The box holding the comment widgets under @field_id (NULL: at the top of the page); hidden
 * when empty. For tests. */
GtkWidget       *cp_section_page_get_comments_box (CpSectionPage *self,
                                                   const char    *field_id);

/* Whether the editor of @field_id is read-only, and the caption under it (NULL: @field_id's
 * shows none; with @field_id NULL, the section's caption at the top). For tests. */
gboolean         cp_section_page_get_read_only     (CpSectionPage *self,
                                                    const char    *field_id);
const char      *cp_section_page_get_owner_caption (CpSectionPage *self,
                                                    const char    *field_id);

G_END_DECLS
