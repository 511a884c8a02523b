/* cp-test-app.h — the application as a user starts it, for the application's tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-application.h"
#include "cp-test-client.h"
#include "cp-window.h"

G_BEGIN_DECLS

/* The application as a user starts it: on @data_dir, syncing with @server_url (NULL: none),
 * under a fresh application id (the previous instance may still be on the bus); returns once
 * its window is mapped and shows the list. */
CpApplication *cp_test_app_start   (const char     *data_dir,
                                    const char     *server_url,
                                    CpWindow      **window);
/* Lets a running sync end, closes the window (its edits are written) and quits. */
void           cp_test_app_stop    (CpApplication **app,
                                    CpWindow      **window);

G_END_DECLS
