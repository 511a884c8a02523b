/* cp-new-packet-dialog.h — asks for the kind, the enterprise and its credit code
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-store.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_NEW_PACKET_DIALOG (cp_new_packet_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CpNewPacketDialog, cp_new_packet_dialog, CP, NEW_PACKET_DIALOG, AdwWindow)

/* Emits ::create when the user confirms; the receiver destroys the dialog. */
/* @store (nullable): the packets a new one may repeat (same credit code, kind and year), of
 * which the dialog warns. */
CpNewPacketDialog *cp_new_packet_dialog_new                 (GtkWindow          *parent,
                                                             CpTemplateRegistry *registry,
                                                             CpStore            *store);
const char        *cp_new_packet_dialog_get_kind            (CpNewPacketDialog  *self);
const char        *cp_new_packet_dialog_get_enterprise_name (CpNewPacketDialog  *self);
const char        *cp_new_packet_dialog_get_uscc            (CpNewPacketDialog  *self);

G_END_DECLS
