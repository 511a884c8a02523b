/* cp-packet-list.h — the list of packets: search, filters and rows
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-packet-item.h"
#include "cp-store.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_PACKET_LIST (cp_packet_list_get_type ())
G_DECLARE_FINAL_TYPE (CpPacketList, cp_packet_list, CP, PACKET_LIST, AdwBin)

/* Properties: "loaded" (the list has been given its packets at least once) and "subtitle" (how
 * many packets it shows, for the header bar), read-only; "show-trash" (the state filter is on
 * "Deleted": the list shows the deleted packets, which its owner reads on notify) and
 * "show-sync" (rows show their sync state); "can-create" (the user makes packets: an office
 * does not, and its empty list says what will come instead). Signal "packet-activated" (CpPacketItem): a row was
 * opened with a click, Enter or Space. Its rows' buttons and the Delete key use the window's
 * "win.delete-packet" and "win.restore-packet" actions. */
void          cp_packet_list_set_sources     (CpPacketList       *self,
                                              CpStore            *store,
                                              CpTemplateRegistry *registry);
void          cp_packet_list_set_items       (CpPacketList       *self,
                                              GPtrArray          *items);
gboolean      cp_packet_list_get_loaded      (CpPacketList       *self);
const char   *cp_packet_list_get_subtitle    (CpPacketList       *self);
gboolean      cp_packet_list_get_show_trash  (CpPacketList       *self);
void          cp_packet_list_set_show_trash  (CpPacketList       *self,
                                              gboolean            show_trash);
gboolean      cp_packet_list_get_show_sync   (CpPacketList       *self);
void          cp_packet_list_set_show_sync   (CpPacketList       *self,
                                              gboolean            show_sync);
gboolean      cp_packet_list_get_can_create  (CpPacketList       *self);
/* The signed-in account's role, or NULL ("account-role"); with one, the list offers its "My
 * Turn" filter ("my-turn"). */
void          cp_packet_list_set_account_role (CpPacketList      *self,
                                               const char        *role);
void          cp_packet_list_set_can_create  (CpPacketList       *self,
                                              gboolean            can_create);
/* The packets that the search and the filters let through. */
GListModel   *cp_packet_list_get_visible     (CpPacketList       *self);
/* Any packet of the list, shown or not (owned by the list); NULL when it is not in it. */
CpPacketItem *cp_packet_list_lookup          (CpPacketList       *self,
                                              const char         *uuid);
/* Puts @packet's current name, code and state in its row. */
void          cp_packet_list_update_packet   (CpPacketList       *self,
                                              CpPacket           *packet);
/* Applies @text at once, not after the search entry's delay. */
void          cp_packet_list_set_search      (CpPacketList       *self,
                                              const char         *text);
void          cp_packet_list_focus_search    (CpPacketList       *self);
void          cp_packet_list_focus_list      (CpPacketList       *self);
/* Shows, instead of "No Packets Yet", that the packets cannot be opened, and why. */
void          cp_packet_list_show_open_error (CpPacketList       *self,
                                              const char         *message);

G_END_DECLS
