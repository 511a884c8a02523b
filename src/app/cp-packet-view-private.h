/* cp-packet-view-private.h — what the packet view shows, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-packet-view.h"

G_BEGIN_DECLS

/* The badge of a step as last shown. */
CpSectionStatus  cp_packet_view_get_status        (CpPacketView       *self,
                                                   const char         *page);
/* Validates now (instead of after the short delay) and updates the badges. */
void             cp_packet_view_revalidate        (CpPacketView       *self);
/* Writes the binder to @path (what "Export PDF…" does after asking for a file). */
gboolean         cp_packet_view_export_pdf        (CpPacketView       *self,
                                                   const char         *path,
                                                   GError            **error);
/* How many comments the step @page shows (NULL: all of them). */
guint            cp_packet_view_get_n_comments    (CpPacketView       *self,
                                                   const char         *page);

G_END_DECLS
