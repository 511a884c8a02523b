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
#include "cp-template.h"
#include "cp-workflow.h"
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

/* POST …/transitions: @client takes the step @transition of @uuid (@comments and @agency
 * nullable, as cp_sync_client_transition_async()). */
gboolean      cp_test_client_transition (CpTestClient *client,
                                         const char   *uuid,
                                         const char   *transition,
                                         const char   *comments,
                                         const char   *agency,
                                         GError      **error);

/* --- the parts of a packet each party writes (issue 11) ----------------------------------- */

/* Removes from @packet every value, score column and note @role does not own. */
void          cp_test_keep_own_parts  (CpPacket              *packet,
                                       CpTemplate            *tpl,
                                       CpRole                 role);
/* @role writes in @store the values of @valid that it owns and may write in @state and that
 * @store's copy of @uuid does not hold yet; returns how many edits it made. */
guint         cp_test_write_own_parts (CpStore               *store,
                                       CpRole                 role,
                                       const char            *uuid,
                                       CpPacket              *valid,
                                       CpTemplate            *tpl,
                                       const CpWorkflowState *state);

/* --- packets handed in for the offices' reports ------------------------------------------ */

typedef struct
{
  const char *division;  /* six digits */
  const char *district;
  const char *name;
} CpTestEnterprise;

/* For each of the @n @enterprises, a complete city-demonstration packet of 2020 in the 2020.1
 * format (the demo of seed 7 + i, whose credit code is cp_test_make_uscc (division, 700 + i)),
 * with real bytes for its attachments and a credit report valid today, pushed by @pusher, an
 * administrator; each enterprise is then assigned to agency @agency_id (on the server of
 * @data_dir and @config), whose user @agency_user (password "password-USER") hands the packet
 * in: an office sees only what is handed in (issue 11). */
void          cp_test_hand_in_packets (CpTestClient           *pusher,
                                       const char             *base,
                                       const char             *data_dir,
                                       const char             *config,
                                       const char             *agency_id,
                                       const char             *agency_user,
                                       const CpTestEnterprise *enterprises,
                                       guint                   n);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpTestClient, cp_test_client_free)

G_END_DECLS
