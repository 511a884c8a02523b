/* cp-test-support.h — a real credit-packet-server and real sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one test-support library of the server, client, application and benchmark tests (as
 * gnome-calendar builds one test library): the server binary named by CP_SERVER_BINARY run on
 * 127.0.0.1 with a free port, its administration commands, and blocking HTTP requests straight
 * to the server. Sync clients are in cp-test-client.h, for the builds that have the client.
 */
#pragma once

#include <gio/gio.h>

#include "cp-packet.h"
#include "cp-store.h"

G_BEGIN_DECLS

/* --- the server --------------------------------------------------------------------------- */

/* The binary from CP_SERVER_BINARY; the test fails when it is not set. */
const char  *cp_test_server_binary  (void);
/* A valid credit code in @division6 whose organisation code is MA + @serial (mod 10^6). */
char        *cp_test_make_uscc      (const char   *division6,
                                     guint         serial);
/* Runs an administration command of the server on its data folder, with @input on stdin
 * (may be NULL); the arguments end with NULL. The test fails when the command does. */
void         cp_test_server_admin   (const char   *data_dir,
                                     const char   *config,
                                     const char   *input,
                                     ...) G_GNUC_NULL_TERMINATED;
/* `user add NAME ARGS…` with the password "password-NAME"; the arguments end with NULL. */
void         cp_test_server_add_user (const char  *data_dir,
                                      const char  *config,
                                      const char  *name,
                                      ...) G_GNUC_NULL_TERMINATED;
/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test process dies, so that a failed
 * assertion leaves no server behind holding the test runner's pipes open. */
void         cp_test_die_with_parent (gpointer    user_data);
/* Starts the server on 127.0.0.1 with a free port; *base gets "http://127.0.0.1:PORT". */
GSubprocess *cp_test_server_start   (const char   *data_dir,
                                     const char   *config,
                                     char        **base);
/* Whether the server at @base was started since the last call for it: a port of an earlier
 * test's server may be given to a new one. */
gboolean     cp_test_server_take_fresh (const char  *base);
/* Stops it with SIGTERM and waits; does nothing for NULL. */
void         cp_test_server_stop    (GSubprocess **server);
/* Removes a folder and everything in it (symbolic links are removed, not followed). */
void         cp_test_remove_tree    (const char   *path);

/* --- raw HTTP ----------------------------------------------------------------------------- */

/* A blocking request straight to the server with @token (may be NULL) and @headers (name,
 * value, …, NULL; may be NULL). Returns the status; the body goes to @body_out when not NULL. */
guint         cp_test_http          (const char   *base,
                                     const char   *method,
                                     const char   *path,
                                     const char   *token,
                                     GBytes       *body,
                                     const char * const *headers,
                                     GBytes      **body_out);
/* Logs @user in with "password-USER" and returns the session token. */
char         *cp_test_login_token   (const char   *base,
                                     const char   *user);

/* --- packets ------------------------------------------------------------------------------ */

/* A new draft city-demonstration packet of 2020 for @uscc (may be NULL) named @name. */
CpPacket     *cp_test_make_packet   (const char   *uscc,
                                     const char   *name);
/* Sets the cover's enterprise name as a durable edit. */
void          cp_test_set_name      (CpStore      *store,
                                     const char   *uuid,
                                     const char   *name);

G_END_DECLS
