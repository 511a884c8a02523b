/* cp-attachment-thumbnail.h — an attachment's row picture: its first page, or the picture
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CP_TYPE_ATTACHMENT_THUMBNAIL (cp_attachment_thumbnail_get_type ())
G_DECLARE_FINAL_TYPE (CpAttachmentThumbnail, cp_attachment_thumbnail, CP, ATTACHMENT_THUMBNAIL,
                      AdwBin)

/* The thumbnail of the attachment @sha256 stored at @path (the store's blob), of type @mime
 * (its icon until the thumbnail is there, or when there is none). It is made off the main
 * thread once the widget is first shown, and kept by cp_thumbnail_cache_get_default(). */
GtkWidget    *cp_attachment_thumbnail_new           (const char            *path,
                                                     const char            *sha256,
                                                     const char            *mime);

G_END_DECLS
