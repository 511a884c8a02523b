/* cp-attachment-details.h — what an attachment is: name, type, size, SHA-256
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cp-packet.h"

G_BEGIN_DECLS

#define CP_TYPE_ATTACHMENT_DETAILS (cp_attachment_details_get_type ())
G_DECLARE_FINAL_TYPE (CpAttachmentDetails, cp_attachment_details, CP, ATTACHMENT_DETAILS,
                      GtkPopover)

/* A popover with the details of @attachment (copied): its name, its type, its exact size and
 * its SHA-256 fingerprint, selectable and with a button that copies it. */
GtkWidget  *cp_attachment_details_new         (const CpAttachment  *attachment);
/* A flat "details" menu button for an attachment row, opening such a popover. */
GtkWidget  *cp_attachment_details_new_button  (const CpAttachment  *attachment);
/* What the row shows under the name: "PDF document · 1.2 MB". */
char       *cp_attachment_details_describe    (const CpAttachment  *attachment);

G_END_DECLS
