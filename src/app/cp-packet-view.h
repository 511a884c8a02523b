/* cp-packet-view.h — an open packet: the steps of the wizard, completeness and scoring
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-app-util.h"
#include "cp-store.h"
#include "cp-sync-status.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_PACKET_VIEW (cp_packet_view_get_type ())
G_DECLARE_FINAL_TYPE (CpPacketView, cp_packet_view, CP, PACKET_VIEW, AdwBin)

/* Page ids: section ids, "scoring-sheet" and "completeness". */
#define CP_PAGE_COMPLETENESS "completeness"
#define CP_PAGE_SCORING      "scoring-sheet"

/* Shows @packet (the view keeps a reference and edits it); every change goes to @store. */
gboolean         cp_packet_view_set_packet        (CpPacketView       *self,
                                                   CpStore            *store,
                                                   CpTemplateRegistry *registry,
                                                   CpPacket           *packet,
                                                   GError            **error);
/* Writes pending edits and forgets the packet. */
void             cp_packet_view_close             (CpPacketView       *self);
CpPacket        *cp_packet_view_get_packet        (CpPacketView       *self);
const char      *cp_packet_view_get_uuid          (CpPacketView       *self);
/* Writes every pending edit to the store now. */
void             cp_packet_view_flush             (CpPacketView       *self);
/* The number of edits not yet written. */
guint            cp_packet_view_get_n_pending     (CpPacketView       *self);
const char      *cp_packet_view_get_page          (CpPacketView       *self);
gboolean         cp_packet_view_set_page          (CpPacketView       *self,
                                                   const char         *page);
/* Page ids in step order (owned by the view). */
GPtrArray       *cp_packet_view_get_pages         (CpPacketView       *self);
GtkWidget       *cp_packet_view_get_page_widget   (CpPacketView       *self,
                                                   const char         *page);
/* Shows the completeness page again with the findings as they are (after
 * cp_completeness_page_set_workflow()). */
void             cp_packet_view_refresh_completeness (CpPacketView    *self);
/* Who the user is to the packet and the stage it is in: the parts @party may not write in
 * @stage_id are read-only, with who fills them in, and the completeness page tells the user's
 * own tasks from the others'. CP_ROLE_NONE: nothing is restricted. Kept until the next packet. */
void             cp_packet_view_set_access        (CpPacketView       *self,
                                                   CpRole              party,
                                                   const char         *stage_id);
CpRole           cp_packet_view_get_party         (CpPacketView       *self);
const char      *cp_packet_view_get_stage         (CpPacketView       *self);
/* An agency's account fills the empty fields that hold its name and credit code, where the
 * agency writes them in the packet's stage (cp_identity_fill_account()), and saves; returns how
 * many it filled. */
guint            cp_packet_view_fill_account      (CpPacketView       *self,
                                                   const char         *agency_name,
                                                   const char         *agency_uscc);
/* Who last wrote each value (the server's …/authors), or NULL. */
void             cp_packet_view_set_authors       (CpPacketView       *self,
                                                   JsonObject         *authors);
/* Goes to the step of @section and focuses @field there. */
gboolean         cp_packet_view_jump              (CpPacketView       *self,
                                                   const char         *section,
                                                   const char         *field);
CpSyncStatus    *cp_packet_view_get_sync_status   (CpPacketView       *self);
/* Shows the reviewer's comments on a returned packet (element type CpComment *; NULL or
 * empty for none): under the fields they concern, at the top of the pages of the sections they
 * concern, on the scoring sheet, marked in the steps and listed on the completeness page. */
void             cp_packet_view_set_review_comments (CpPacketView     *self,
                                                     GPtrArray        *comments);

G_END_DECLS
