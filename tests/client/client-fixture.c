/* client-fixture.c — the client tests' server: three accounts on a real credit-packet-server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "client-fixture.h"

#include <stdio.h>

TestServer *
test_server_start (void)
{
  TestServer *server = g_new0 (TestServer, 1);
  g_autoptr(GError) error = NULL;

  server->dir = g_dir_make_tmp ("cp-client-test-XXXXXX", &error);
  g_assert_no_error (error);
  server->data_dir = g_build_filename (server->dir, "data", NULL);
  server->config = g_build_filename (server->dir, "server.conf", NULL);
  g_file_set_contents (server->config,
                       "[server]\nlog-requests=false\nmax-blob=268435456\n"
                       "[login]\nmax-failures=1000\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  server->uscc = cp_test_make_uscc ("320583", 11);
  server->uscc_other = cp_test_make_uscc ("320506", 12);

  test_server_admin (server, NULL, "agency", "add", "A", "Agency A", "--uscc",
                     "91320506712345672Q", NULL);
  test_server_admin (server, NULL, "assign", server->uscc, "A", NULL);
  cp_test_server_add_user (server->data_dir, server->config, "admin", "--role", "admin", NULL);
  cp_test_server_add_user (server->data_dir, server->config, "ent-1", "--role", "enterprise",
                           "--enterprise", server->uscc, NULL);
  cp_test_server_add_user (server->data_dir, server->config, "agency-a", "--role", "agency",
                           "--agency", "A", NULL);

  server->process = cp_test_server_start (server->data_dir, server->config, &server->base);
  g_assert_cmpint (sscanf (server->base, "http://127.0.0.1:%u", &server->port), ==, 1);
  return server;
}

void
test_server_stop (TestServer *server)
{
  if (server == NULL)
    return;
  cp_test_server_stop (&server->process);
  cp_test_remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->data_dir);
  g_free (server->config);
  g_free (server->base);
  g_free (server->uscc);
  g_free (server->uscc_other);
  g_free (server);
}
