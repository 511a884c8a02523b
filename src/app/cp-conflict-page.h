/* cp-conflict-page.h — choose mine, theirs or another value for each conflicting field
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-merge.h"
#include "cp-sync-manager.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_CONFLICT_PAGE (cp_conflict_page_get_type ())
G_DECLARE_FINAL_TYPE (CpConflictPage, cp_conflict_page, CP, CONFLICT_PAGE, AdwWindow)

/* Loads the conflict of packet @uuid from @manager's sync engine. Emits ::resolved after the
 * merged packet was saved (it is pending again) and closes itself. */
CpConflictPage *cp_conflict_page_new            (GtkWindow          *parent,
                                                 CpSyncManager      *manager,
                                                 CpTemplateRegistry *registry,
                                                 const char         *uuid,
                                                 GError            **error);

G_END_DECLS
