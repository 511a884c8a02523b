/* cp-attachment-drop-private.h — where a drop lands, for tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-attachment-drop.h"

G_BEGIN_DECLS

/* The drop target cp_attachment_drop_install() added, or NULL. */
GtkDropTarget *cp_attachment_drop_get_target (CpSectionPage *page);

G_END_DECLS
