/* test-sync-manager.c — the application's facade against the real credit-packet-server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "client-fixture.h"
#include "cp-sync-manager.h"

typedef struct
{
  TestServer    *server;
  char          *dir;
  CpStore       *store;
  CpSyncManager *manager;   /* ent-1 */
  CpTestClient    *other;     /* agency-a: the same enterprise's packets */
} Fixture;

static gboolean
wait_until (gboolean (*done) (Fixture *f),
            Fixture  *f)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (!done (f) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  return done (f);
}

static gboolean
idle_and_counted (Fixture *f)
{
  guint n_pending = G_MAXUINT;

  g_object_get (f->manager, "n-pending", &n_pending, NULL);
  return cp_sync_manager_is_logged_in (f->manager) &&
         cp_sync_manager_get_status (f->manager) != CP_SYNC_STATUS_SYNCING && n_pending == 0;
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  f->server = test_server_start ();
  f->dir = g_dir_make_tmp ("cp-test-manager-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = cp_store_new (f->dir, &error);
  g_assert_no_error (error);
  f->manager = cp_sync_manager_new (f->store, NULL, f->server->base);
  cp_sync_manager_login_async (f->manager, f->server->base, "ent-1", "password-ent-1", NULL,
                               result_cb, &result);
  g_assert_true (cp_sync_manager_login_finish (f->manager, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_true (wait_until (idle_and_counted, f));
  f->other = cp_test_client_new (NULL, f->server->base, "agency-a", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  cp_test_client_free (f->other);
  /* Counts still being read hold the manager until they come back. */
  g_object_run_dispose (G_OBJECT (f->manager));
  g_object_add_weak_pointer (G_OBJECT (f->manager), (gpointer *) &f->manager);
  g_object_unref (f->manager);
  while (f->manager != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_null (f->manager);
  g_clear_object (&f->store);
  test_server_stop (f->server);
  g_free (f->dir);
}

/* The server's state of @uuid, as admin sees it. */
static char *
server_state (Fixture    *f,
              const char *uuid)
{
  g_autofree char *token = cp_test_login_token (f->server->base, "admin");
  g_autofree char *path = g_strconcat ("/api/v1/packets/", uuid, "/revisions", NULL);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *revisions;
  JsonObject *newest;

  g_assert_cmpuint (cp_test_http (f->server->base, "GET", path, token, NULL, NULL, &body), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  revisions = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                            "revisions");
  newest = json_array_get_object_element (revisions, json_array_get_length (revisions) - 1);
  return g_strdup (json_object_get_string_member (newest, "state"));
}

/* The packet changed on the server after this computer last synced it: the submission goes
 * with If-Match on the revision this computer holds, the server answers 412, and nothing is
 * submitted; a sync then brings the other change, and the submission goes through to the
 * server's checks. */
static void
test_submit_stale_revision (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CpPacket) packet = cp_test_make_packet (f->server->uscc, "Stale revision Ltd");
  const char *uuid = cp_packet_get_uuid (packet);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) again = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autofree char *revision = NULL;
  g_autofree char *state = NULL;
  g_autofree char *after = NULL;
  CpStoreSyncState sync_state;
  CpSyncStats stats;

  g_assert_true (cp_store_save_packet (f->store, packet, NULL, &error));
  g_assert_no_error (error);
  cp_sync_manager_refresh_counts (f->manager);
  cp_sync_manager_sync (f->manager);
  g_assert_true (wait_until (idle_and_counted, f));
  g_assert_true (cp_store_get_sync_info (f->store, uuid, &sync_state, &revision, NULL, &error));
  g_assert_cmpint (sync_state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (revision, ==, "1");

  /* The agency changes the packet on the server. */
  g_assert_true (cp_test_client_sync (f->other, &stats, &error));
  g_assert_no_error (error);
  json_node_set_string (value, "江苏省苏州市干将西路1号");
  g_assert_true (cp_store_set_value (f->other->store, uuid, "cover", "address", value, &error));
  g_assert_no_error (error);
  g_assert_true (cp_test_client_sync (f->other, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 1);

  /* This computer still holds revision 1 as synced: the server refuses the submission. */
  cp_sync_manager_submit_async (f->manager, uuid, NULL, result_cb, &result);
  g_assert_false (cp_sync_manager_submit_finish (f->manager, wait_result (&result), &findings,
                                                 &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "changed on the server"));
  g_assert_null (findings);
  state = server_state (f, uuid);
  g_assert_cmpstr (state, ==, "draft");
  g_assert_cmpint (cp_sync_manager_get_status (f->manager), !=, CP_SYNC_STATUS_ERROR);
  g_clear_error (&error);

  /* After a sync it is submitted on the current revision; the server's checks then find
   * what this test packet lacks. */
  cp_sync_manager_sync (f->manager);
  g_assert_true (wait_until (idle_and_counted, f));
  g_clear_pointer (&revision, g_free);
  g_assert_true (cp_store_get_sync_info (f->store, uuid, &sync_state, &revision, NULL, &error));
  g_assert_cmpstr (revision, ==, "2");
  cp_sync_manager_submit_async (f->manager, uuid, NULL, result_cb, &again);
  g_assert_false (cp_sync_manager_submit_finish (f->manager, wait_result (&again), &findings,
                                                 &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_nonnull (findings);
  g_assert_cmpuint (findings->len, >, 0);
  after = server_state (f, uuid);
  g_assert_cmpstr (after, ==, "draft");
}

static void
count_cb (GObject    *object,
          GParamSpec *pspec,
          guint      *count)
{
  (*count)++;
}

/* An agency user's manager holds its agency's name and code from the login, notifies them,
 * and drops them with the session. */
static void
test_agency_identity (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *dir = g_dir_make_tmp ("cp-test-manager-XXXXXX", NULL);
  g_autoptr(CpStore) store = cp_store_new (dir, NULL);
  g_autoptr(CpSyncManager) manager = cp_sync_manager_new (store, NULL, f->server->base);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GAsyncResult) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  guint n_name = 0;
  guint n_uscc = 0;

  /* The enterprise's manager has none. */
  g_assert_null (cp_sync_manager_get_agency_name (f->manager));
  g_assert_null (cp_sync_manager_get_agency_uscc (f->manager));

  g_signal_connect (manager, "notify::agency-name", G_CALLBACK (count_cb), &n_name);
  g_signal_connect (manager, "notify::agency-uscc", G_CALLBACK (count_cb), &n_uscc);
  cp_sync_manager_login_async (manager, f->server->base, "agency-a", "password-agency-a", NULL,
                               result_cb, &result);
  g_assert_true (cp_sync_manager_login_finish (manager, wait_result (&result), &error));
  g_assert_no_error (error);
  g_assert_cmpstr (cp_sync_manager_get_agency_name (manager), ==, "Agency A");
  g_assert_cmpstr (cp_sync_manager_get_agency_uscc (manager), ==, "91320506712345672Q");
  g_object_get (manager, "agency-name", &name, NULL);
  g_assert_cmpstr (name, ==, "Agency A");
  g_assert_cmpuint (n_name, ==, 1);
  g_assert_cmpuint (n_uscc, ==, 1);

  cp_sync_manager_logout_async (manager, NULL, result_cb, &out);
  g_assert_true (cp_sync_manager_logout_finish (manager, wait_result (&out), &error));
  g_assert_no_error (error);
  g_assert_null (cp_sync_manager_get_agency_name (manager));
  g_assert_null (cp_sync_manager_get_agency_uscc (manager));
  g_assert_cmpuint (n_name, ==, 2);
  g_assert_cmpuint (n_uscc, ==, 2);
  g_object_run_dispose (G_OBJECT (manager));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync-manager/submit-stale-revision", test_submit_stale_revision);
  ADD ("/sync-manager/agency-identity", test_agency_identity);
#undef ADD

  return g_test_run ();
}
