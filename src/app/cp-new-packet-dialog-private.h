/* cp-new-packet-dialog-private.h — the new-packet dialog's fields and state, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-new-packet-dialog.h"

G_BEGIN_DECLS

void               cp_new_packet_dialog_set_kind            (CpNewPacketDialog  *self,
                                                             const char         *kind);
/* Fills in the enterprise, as if typed. */
void               cp_new_packet_dialog_set_enterprise      (CpNewPacketDialog  *self,
                                                             const char         *name,
                                                             const char         *uscc);
/* The text under the credit code: the division, or what is wrong. */
const char        *cp_new_packet_dialog_get_uscc_status     (CpNewPacketDialog  *self);
gboolean           cp_new_packet_dialog_can_create          (CpNewPacketDialog  *self);

G_END_DECLS
