/* cp-attachment-details-private.h — what the attachment details show, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-attachment-details.h"

G_BEGIN_DECLS

const char *cp_attachment_details_get_sha256  (CpAttachmentDetails *self);

G_END_DECLS
