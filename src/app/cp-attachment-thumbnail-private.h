/* cp-attachment-thumbnail-private.h — what a thumbnail shows, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-attachment-thumbnail.h"

G_BEGIN_DECLS

/* The thumbnail shown, or NULL while it is made or when there is none. */
GdkPaintable *cp_attachment_thumbnail_get_paintable (CpAttachmentThumbnail *self);
/* Why there is no thumbnail ("The file is not on this computer."), or NULL. */
const char   *cp_attachment_thumbnail_get_problem   (CpAttachmentThumbnail *self);

G_END_DECLS
