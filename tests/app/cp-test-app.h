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

/* State is read through properties, as a binding would. A string property's value (NULL
 * when unset) is kept on @object until the next read, for asserting. */
const char    *cp_test_get_string  (gpointer        object,
                                    const char     *property);
guint          cp_test_get_uint    (gpointer        object,
                                    const char     *property);
int            cp_test_get_int     (gpointer        object,
                                    const char     *property);
gboolean       cp_test_get_boolean (gpointer        object,
                                    const char     *property);
/* Runs the main loop until @property of @object is notified, or @seconds pass; TRUE when it
 * was notified. */
gboolean       cp_test_wait_notify (gpointer        object,
                                    const char     *property,
                                    double          seconds);

G_END_DECLS
