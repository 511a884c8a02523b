/* cp-thumbnail-cache-private.h — how much the thumbnail cache rendered, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-thumbnail-cache.h"

G_BEGIN_DECLS

/* How many thumbnails were rendered from their files (not found in memory or on disk). */
guint             cp_thumbnail_cache_get_n_rendered (CpThumbnailCache *self);

G_END_DECLS
