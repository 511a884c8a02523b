/* client-fixture.h — the client tests' server: three accounts on a real credit-packet-server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-test-client.h"

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
/* Runs an admin command of the server program on its data folder; asserts exit status 0. */
#define test_server_admin(server, input, ...) \
  cp_test_server_admin ((server)->data_dir, (server)->config, (input), __VA_ARGS__)

G_END_DECLS
