/* cp-section-page.h — one wizard page: the fields of a template section
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-role.h"
#include "cp-store.h"
#include "cp-template.h"

G_BEGIN_DECLS

#define CP_TYPE_SECTION_PAGE (cp_section_page_get_type ())
G_DECLARE_FINAL_TYPE (CpSectionPage, cp_section_page, CP, SECTION_PAGE, AdwBin)

/* The page edits @packet in memory and emits ::edited (field id, whether the whole packet must
 * be saved, as when the attachment manifest changed) after each change, and ::field-left when
 * the focus leaves a field. */
CpSectionPage   *cp_section_page_new          (CpTemplate      *tmpl,
                                               const CpSection *section,
                                               CpPacket        *packet,
                                               CpStore         *store);
const CpSection *cp_section_page_get_section  (CpSectionPage   *self);
CpPacket        *cp_section_page_get_packet   (CpSectionPage   *self);
/* Shows the findings of this section under the fields the user has left (or all of them
 * when @all is TRUE). */
void             cp_section_page_set_findings (CpSectionPage   *self,
                                               GPtrArray       *findings,
                                               gboolean         all);
/* Moves the focus to the field a finding names ("surveyors[1].name" → surveyors). */
/* Puts the focus in the first required field that is still empty (else the first empty one,
 * else the first), so that typing starts there. FALSE when the page has nothing to focus. */
gboolean         cp_section_page_focus_first_empty (CpSectionPage *self);
gboolean         cp_section_page_focus_field  (CpSectionPage   *self,
                                               const char      *field_path);
/* Attaches @file to the attachment field @field_id (or the scan of a signature field)
 * without a file chooser; runs in a thread and emits ::edited when done. */
void             cp_section_page_attach_file  (CpSectionPage   *self,
                                               const char      *field_id,
                                               GFile           *file);
/* Shows reviewer comments (element type CpComment *; NULL for none): each one on a field
 * of this section under that field, the others (on the whole section, the whole packet, a field
 * the page does not have) at the top of the page. */
void             cp_section_page_set_comments (CpSectionPage   *self,
                                               GPtrArray       *comments);
guint            cp_section_page_get_n_comments (CpSectionPage *self);
/* Who the user is to the packet, and the stage it is in (cp-access.h): a field @party may not
 * write in @stage_id is read-only, captioned with who fills it in ("由区信用办填写"), or that it
 * is not changed at this stage. CP_ROLE_NONE (nobody signed in, a kind without a workflow):
 * every field is writable, as the page starts. */
void             cp_section_page_set_access   (CpSectionPage   *self,
                                               CpRole           party,
                                               const char      *stage_id);
/* Who last wrote each value ({pointer: {"name", "party", "at"}}, the server's …/authors), or
 * NULL: a read-only field's caption then also says who filled it in and when. */
void             cp_section_page_set_authors  (CpSectionPage   *self,
                                               JsonObject      *authors);

/* Shows the packet's value of the field @field_id again, after something else than its editor
 * wrote it (the cover's value carried into it, cp-identity.h). */
void             cp_section_page_refresh_field (CpSectionPage *self,
                                                const char    *field_id);

G_END_DECLS
