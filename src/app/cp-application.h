/* cp-application.h — the Credit Packet application
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-store.h"
#include "cp-sync-manager.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

#define CP_TYPE_APPLICATION (cp_application_get_type ())
G_DECLARE_FINAL_TYPE (CpApplication, cp_application, CP, APPLICATION, AdwApplication)

/* Binds the text domain; honours CP_LOCALEDIR for uninstalled runs. */
void           cp_application_init_i18n      (void);
CpApplication *cp_application_new            (void);
/* The store folder: --data-dir, else $CP_DATA_DIR, else the default. */
const char    *cp_application_get_data_dir   (CpApplication *self);
/* The store, opened on first use; NULL (with @error set) when it cannot be opened. */
CpStore       *cp_application_get_store      (CpApplication *self,
                                              GError       **error);
/* The packet kinds and scoring sheets, loaded on first use; NULL when they cannot be read. */
CpTemplateRegistry *cp_application_get_registry (CpApplication *self);
/* The GSettings of the application, or NULL when its schema is not installed. */
GSettings     *cp_application_get_settings   (CpApplication *self);
CpSyncManager *cp_application_get_sync_manager (CpApplication *self);

G_END_DECLS
