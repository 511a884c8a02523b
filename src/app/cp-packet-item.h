/* cp-packet-item.h — one row of the packet list
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "cp-app-util.h"
#include "cp-store.h"

G_BEGIN_DECLS

#define CP_TYPE_PACKET_ITEM (cp_packet_item_get_type ())
G_DECLARE_FINAL_TYPE (CpPacketItem, cp_packet_item, CP, PACKET_ITEM, GObject)

/* Copies @summary. */
CpPacketItem          *cp_packet_item_new              (const CpPacketSummary *summary);
const CpPacketSummary *cp_packet_item_get_summary      (CpPacketItem          *self);
const char            *cp_packet_item_get_uuid         (CpPacketItem          *self);
/* The enterprise name, or a placeholder when it is not filled in yet. */
const char            *cp_packet_item_get_title        (CpPacketItem          *self);
/* Whether @needle (already case-folded) is in the enterprise name or the credit code. */
gboolean               cp_packet_item_matches          (CpPacketItem          *self,
                                                        const char            *needle);
/* "7 of 9 sections complete", or NULL until it has been computed. */
const char            *cp_packet_item_get_completeness (CpPacketItem          *self);
void                   cp_packet_item_set_completeness (CpPacketItem          *self,
                                                        const char            *text);
/* The deadline of the packet's stage (cp_app_deadline_text()), worked out with the
 * completeness; NULL when the stage has none or until it has been worked out. */
const char            *cp_packet_item_get_deadline     (CpPacketItem          *self,
                                                        const char           **details,
                                                        CpAppDeadline         *urgency);
void                   cp_packet_item_set_deadline     (CpPacketItem          *self,
                                                        const char            *text,
                                                        const char            *details,
                                                        CpAppDeadline          urgency);

G_END_DECLS
