/* client-fixture.h — a real credit-packet-server subprocess and sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "cp-store.h"
#include "cp-sync-client.h"
#include "cp-sync-engine.h"

G_BEGIN_DECLS

typedef struct
{
  char        *dir;
  char        *data_dir;
  char        *config;
  GSubprocess *process;
  char        *base;        /* http://127.0.0.1:PORT */
  guint        port;
  char        *uscc;        /* the enterprise of ent-1, assigned to agency A */
  char        *uscc_other;  /* another enterprise (Wuzhong), nobody's */
} TestServer;

/* Creates users (all with password "password-NAME"): admin, ent-1 (enterprise uscc), agency-a
 * (agency A, which is assigned uscc), then starts the server on 127.0.0.1 port 0. */
TestServer *test_server_start      (void);
void        test_server_stop       (TestServer   *server);
/* The binary from CP_SERVER_BINARY. */
const char *test_server_binary     (void);
/* Runs an admin command of the server program; asserts exit status 0. */
void        test_server_admin      (TestServer   *server,
                                    const char   *input,
                                    ...) G_GNUC_NULL_TERMINATED;
/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test process dies. */
void        test_die_with_parent   (gpointer      user_data);
char       *test_make_uscc         (const char   *division6,
                                    guint         serial);

typedef struct
{
  char         *dir;
  CpStore      *store;
  CpSyncClient *client;
  CpSyncEngine *engine;
} TestClient;

/* A store in a new temporary folder and a client logged in as @user at @base_url. */
TestClient *test_client_new        (const char   *base_url,
                                    const char   *user);
void        test_client_free       (TestClient   *client);
/* Runs one sync to completion in the default main context. */
gboolean    test_client_sync       (TestClient   *client,
                                    CpSyncStats  *stats,
                                    GError      **error);
gboolean    test_client_login      (TestClient   *client,
                                    const char   *user,
                                    GError      **error);

/* A blocking request straight to the server with @token (may be NULL). Returns the status; the
 * body goes to @body_out when not NULL. */
guint       test_http              (const char   *base,
                                    const char   *method,
                                    const char   *path,
                                    const char   *token,
                                    GBytes       *body,
                                    const char * const *headers,
                                    GBytes      **body_out);
char       *test_login_token       (const char   *base,
                                    const char   *user);

/* A new draft packet of @uscc with the given enterprise name. */
CpPacket   *test_make_packet       (const char   *uscc,
                                    const char   *name);

G_END_DECLS
