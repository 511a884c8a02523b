/* cp-test-client.h — real sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The client half of the test-support library (cp-test-support.h): the client library on a
 * store of its own, talking to a server started there.
 */
#pragma once

#include "cp-sync-client.h"
#include "cp-sync-engine.h"
#include "cp-test-support.h"

G_BEGIN_DECLS

/* --- clients ------------------------------------------------------------------------------ */

/* A GAsyncReadyCallback that stores a reference to the result in *(GAsyncResult **) user_data,
 * and the wait for it: the default main context runs until it is set, for at most 60 s. */
void         cp_test_async_done_cb  (GObject      *object,
                                     GAsyncResult *result,
                                     gpointer      user_data);
void         cp_test_wait_result    (GAsyncResult **result);

typedef struct
{
  char         *dir;
  gboolean      owns_dir;  /* a temporary folder of its own, removed by _free() */
  CpStore      *store;
  CpSyncClient *client;
  CpSyncEngine *engine;
} CpTestClient;

/* The client library on its own store in the folder "other" inside @parent (NULL: in a new
 * temporary folder of its own), talking to @base and, when @user is not NULL, logged in as
 * @user with @password (NULL: "password-USER"). */
CpTestClient *cp_test_client_new    (const char   *parent,
                                     const char   *base,
                                     const char   *user,
                                     const char   *password);
void          cp_test_client_free   (CpTestClient *client);
gboolean      cp_test_client_login  (CpTestClient *client,
                                     const char   *user,
                                     const char   *password,
                                     GError      **error);
/* One complete sync. With @error NULL the test fails when the sync does. */
gboolean      cp_test_client_sync   (CpTestClient *client,
                                     CpSyncStats  *stats,
                                     GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpTestClient, cp_test_client_free)

G_END_DECLS
