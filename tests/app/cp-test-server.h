/* cp-test-server.h — a real credit-packet-server for the application's tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-application.h"
#include "cp-store.h"
#include "cp-window.h"

G_BEGIN_DECLS

/* A valid credit code in @division6 whose organisation code is MA + @serial. */
char        *cp_test_make_uscc     (const char   *division6,
                                    guint         serial);
/* Runs an administration command of the server on its data folder, with @input on stdin;
 * the arguments end with NULL. Aborts the test when the command fails. */
void         cp_test_server_admin  (const char   *data_dir,
                                    const char   *config,
                                    const char   *input,
                                    ...) G_GNUC_NULL_TERMINATED;
/* Starts the server on 127.0.0.1 with a free port; *base gets "http://127.0.0.1:PORT". */
GSubprocess *cp_test_server_start  (const char   *data_dir,
                                    const char   *config,
                                    char        **base);
/* Stops it with SIGTERM and waits; does nothing for NULL. */
void         cp_test_server_stop   (GSubprocess **server);
void         cp_test_remove_tree   (const char   *path);

/* A second client of the same server: the client library on its own store, in the folder
 * "other" inside @parent. */
typedef struct _CpSyncClient CpSyncClient;
typedef struct _CpSyncEngine CpSyncEngine;
typedef struct
{
  char         *dir;
  CpStore      *store;
  CpSyncClient *client;
  CpSyncEngine *engine;
} CpTestClient;

CpTestClient *cp_test_client_new   (const char   *parent,
                                    const char   *base,
                                    const char   *user,
                                    const char   *password);
/* One complete sync; the test fails when it does. */
void          cp_test_client_sync  (CpTestClient *client);
void          cp_test_client_free  (CpTestClient *client);
/* Sets the cover's enterprise name as a durable edit. */
void          cp_test_set_name     (CpStore      *store,
                                    const char   *uuid,
                                    const char   *name);

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
gboolean       cp_test_get_boolean (gpointer        object,
                                    const char     *property);
/* Runs the main loop until @property of @object is notified, or @seconds pass; TRUE when it
 * was notified. */
gboolean       cp_test_wait_notify (gpointer        object,
                                    const char     *property,
                                    double          seconds);

G_END_DECLS
