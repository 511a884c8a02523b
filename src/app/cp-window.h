/* cp-window.h — the main window: the packet list and the open packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-application.h"

G_BEGIN_DECLS

#define CP_TYPE_WINDOW (cp_window_get_type ())
G_DECLARE_FINAL_TYPE (CpWindow, cp_window, CP, WINDOW, AdwApplicationWindow)

CpWindow   *cp_window_new              (CpApplication *application);
/* Writes every pending edit to the store now. */
void        cp_window_flush            (CpWindow      *self);
/* Re-reads the packet list from the store. */
void        cp_window_reload           (CpWindow      *self);
/* Opens the packet with @uuid on @page (a section id, "completeness", "scoring" or NULL for
 * the first page). FALSE with @error set when it cannot be loaded. */
gboolean    cp_window_open_packet      (CpWindow      *self,
                                        const char    *uuid,
                                        const char    *page,
                                        GError       **error);
/* Creates a packet and opens it; returns its uuid (owned by the window's packet view). */
const char *cp_window_create_packet    (CpWindow      *self,
                                        const char    *kind,
                                        const char    *enterprise_name,
                                        const char    *uscc,
                                        GError       **error);
/* Imports the packets in @files (element type GFile *), as File → Import does: in a thread,
 * then a toast for what was imported and one for each file that held no packet. */
void        cp_window_import_files     (CpWindow      *self,
                                        GPtrArray     *files);
void        cp_window_show_toast       (CpWindow      *self,
                                        const char    *message);

G_END_DECLS
