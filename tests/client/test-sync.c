/* test-sync.c — the sync engine against the real credit-packet-server on 127.0.0.1
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "client-fixture.h"
#include "cp-demo.h"
#include "cp-finding.h"
#include "cp-sync-client-private.h"
#include "cp-sync-engine-private.h"

typedef struct
{
  TestServer *server;
  CpTestClient *a;  /* ent-1 */
  CpTestClient *b;  /* agency-a: the same enterprise's packets */
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->server = test_server_start ();
  f->a = cp_test_client_new (NULL, f->server->base, "ent-1", NULL);
  f->b = cp_test_client_new (NULL, f->server->base, "agency-a", NULL);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cp_test_client_free (f->a);
  cp_test_client_free (f->b);
  test_server_stop (f->server);
}

static void
sync_ok (CpTestClient  *client,
         CpSyncStats *stats)
{
  g_autoptr(GError) error = NULL;
  CpSyncStats local;

  cp_test_client_sync (client, stats != NULL ? stats : &local, &error);
  g_assert_no_error (error);
}

static CpStoreSyncState
sync_state (CpTestClient *client,
            const char *uuid,
            char      **server_revision)
{
  g_autoptr(GError) error = NULL;
  CpStoreSyncState state;

  g_assert_true (cp_store_get_sync_info (client->store, uuid, &state, server_revision, NULL,
                                         &error));
  g_assert_no_error (error);
  return state;
}

/* The server's canonical body of @uuid, as admin sees it. */
static char *
server_body (Fixture    *f,
             const char *uuid,
             guint      *status)
{
  g_autofree char *token = cp_test_login_token (f->server->base, "admin");
  g_autofree char *path = g_strconcat ("/api/v1/packets/", uuid, NULL);
  g_autoptr(GBytes) body = NULL;
  guint code = cp_test_http (f->server->base, "GET", path, token, NULL, NULL, &body);

  if (status != NULL)
    *status = code;
  if (code != 200)
    return NULL;
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
local_body (CpTestClient *client,
            const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = cp_store_load_packet (client->store, uuid, &error);

  g_assert_no_error (error);
  return cp_packet_to_data (packet, FALSE, NULL);
}

static char *
create_packet (CpTestClient *client,
               const char *uscc,
               const char *name)
{
  g_autoptr(CpPacket) packet = cp_test_make_packet (uscc, name);
  g_autoptr(GError) error = NULL;

  g_assert_true (cp_store_save_packet (client->store, packet, NULL, &error));
  g_assert_no_error (error);
  return g_strdup (cp_packet_get_uuid (packet));
}

static void
set_string (CpTestClient *client,
            const char *uuid,
            const char *section,
            const char *field,
            const char *value)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;

  json_node_set_string (node, value);
  g_assert_true (cp_store_set_value (client->store, uuid, section, field, node, &error));
  g_assert_no_error (error);
}

static const char *
get_string (CpTestClient *client,
            const char *uuid,
            const char *section,
            const char *field,
            CpPacket  **keep)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (keep);
  *keep = cp_store_load_packet (client->store, uuid, &error);
  g_assert_no_error (error);
  return cp_packet_get_string (*keep, section, field);
}

static void
test_urls (void)
{
  g_autoptr(GError) error = NULL;
  static const char * const ok[] = {
    "https://credit.example.cn", "https://credit.example.cn:8443/", "http://127.0.0.1:8080",
    "http://127.1.2.3", "http://[::1]:8080", "http://localhost:1/", NULL
  };
  static const char * const insecure[] = {
    "http://credit.example.cn", "http://192.168.1.10:8080", "http://[2001:db8::1]/", NULL
  };
  static const char * const invalid[] = {
    "ftp://credit.example.cn", "credit.example.cn", "", "https://", "https://u:p@host/", NULL
  };

  for (guint i = 0; ok[i] != NULL; i++)
    {
      g_autoptr(CpSyncClient) client = cp_sync_client_new (ok[i], &error);

      g_assert_no_error (error);
      g_assert_nonnull (client);
    }
  for (guint i = 0; insecure[i] != NULL; i++)
    {
      g_autoptr(CpSyncClient) client = cp_sync_client_new (insecure[i], &error);

      g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_INSECURE);
      g_assert_null (client);
      g_clear_error (&error);
    }
  for (guint i = 0; invalid[i] != NULL; i++)
    {
      g_autoptr(CpSyncClient) client = cp_sync_client_new (invalid[i], &error);

      g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_INVALID_URL);
      g_assert_null (client);
      g_clear_error (&error);
    }
}

static void
test_login (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CpTestClient *c = cp_test_client_new (NULL, f->server->base, NULL, NULL);
  g_autofree char *user = NULL;

  g_assert_false (cp_test_client_login (c, "nobody", NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_LOGIN_FAILED);
  g_clear_error (&error);

  /* No token: the sync asks for a login and sends nothing. */
  g_assert_false (cp_test_client_sync (c, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN);
  g_clear_error (&error);

  g_assert_true (cp_test_client_login (c, "ent-1", NULL, &error));
  g_assert_no_error (error);
  user = cp_sync_client_dup_user (c->client);
  g_assert_cmpstr (user, ==, "ent-1");
  g_assert_nonnull (cp_sync_client_dup_token (c->client));
  cp_test_client_free (c);
}

static void
test_push_new_and_edit (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Widgets");
  g_autofree char *revision = NULL;
  g_autofree char *body = NULL;
  g_autofree char *local = NULL;
  CpSyncStats stats;
  guint status;

  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_PENDING);
  g_assert_null (server_body (f, uuid, &status));
  g_assert_cmpuint (status, ==, 404);

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpint (sync_state (f->a, uuid, &revision), ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (revision, ==, "1");
  body = server_body (f, uuid, NULL);
  local = local_body (f->a, uuid);
  g_assert_cmpstr (body, ==, local);

  /* Edit and push again: revision 2 on the server. */
  set_string (f->a, uuid, "cover", "phone", "0512-5555555");
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_PENDING);
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_clear_pointer (&revision, g_free);
  g_assert_cmpint (sync_state (f->a, uuid, &revision), ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (revision, ==, "2");
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&local, g_free);
  body = server_body (f, uuid, NULL);
  local = local_body (f->a, uuid);
  g_assert_cmpstr (body, ==, local);
  g_assert_nonnull (strstr (body, "0512-5555555"));

  /* Nothing changed: one request, the changes pull (the templates were fetched above). */
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.requests, ==, 1);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (stats.pulled, ==, 0);
}

/* The summary and cp_store_get_review_place of @uuid hold @stage and @party. */
static void
assert_place (CpTestClient *client,
              const char   *uuid,
              const char   *stage,
              CpRole        party)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cp_store_list_packets (client->store, &error);
  g_autofree char *stored_stage = NULL;
  g_autofree char *evaluator = NULL;
  CpRole stored_party = CP_ROLE_EVALUATING_AGENCY;
  guint found = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      CpPacketSummary *summary = g_ptr_array_index (list, i);
      g_autoptr(CpPacketSummary) copy = cp_packet_summary_copy (summary);

      if (!g_str_equal (summary->uuid, uuid))
        continue;
      found++;
      g_assert_cmpstr (copy->stage, ==, stage);
      g_assert_cmpint (copy->party, ==, party);
    }
  g_assert_cmpuint (found, ==, 1);
  g_assert_true (cp_store_get_review_place (client->store, uuid, &stored_stage, &stored_party,
                                            &evaluator, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored_stage, ==, stage);
  g_assert_cmpint (stored_party, ==, party);
  g_assert_null (evaluator);
}

/* What the server says of a packet's place in its workflow is kept: after the push (from the
 * receipt) and after the pull (from the feed), each client with its own party. */
static void
test_review_place (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(CpPacket) packet = cp_packet_new ("city-demonstration", "2020.2");
  g_autofree char *old = create_packet (f->a, f->server->uscc, "Old");
  g_autofree char *second = NULL;
  g_autoptr(GError) error = NULL;
  const char *uuid;

  /* Of the kind's version with a workflow (2020.1 has none: no stage, still a party). */
  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "enterprise_name", "Widgets");
  cp_packet_set_string (packet, "cover", "uscc", f->server->uscc);
  g_assert_true (cp_store_save_packet (f->a->store, packet, NULL, &error));
  g_assert_no_error (error);
  uuid = cp_packet_get_uuid (packet);

  /* Not sent yet: the server has said nothing. */
  assert_place (f->a, uuid, NULL, CP_ROLE_NONE);
  sync_ok (f->a, NULL);
  assert_place (f->a, uuid, "preparing", CP_ROLE_ENTERPRISE);
  assert_place (f->a, old, NULL, CP_ROLE_ENTERPRISE);
  sync_ok (f->b, NULL);
  assert_place (f->b, uuid, "preparing", CP_ROLE_COACHING_AGENCY);
  assert_place (f->b, old, NULL, CP_ROLE_COACHING_AGENCY);

  /* The same from the list of one enterprise's packets, and in a batch of several receipts. */
  {
    g_autoptr(CpPacket) gadgets = cp_packet_new ("city-demonstration", "2020.2");

    cp_packet_set_year (gadgets, 2020);
    cp_packet_set_string (gadgets, "cover", "uscc", f->server->uscc);
    g_assert_true (cp_store_save_packet (f->a->store, gadgets, NULL, &error));
    g_assert_no_error (error);
    second = g_strdup (cp_packet_get_uuid (gadgets));
  }
  set_string (f->a, uuid, "cover", "phone", "0512-5555555");
  sync_ok (f->a, NULL);
  assert_place (f->a, second, "preparing", CP_ROLE_ENTERPRISE);
  assert_place (f->a, uuid, "preparing", CP_ROLE_ENTERPRISE);
  {
    g_autoptr(GPtrArray) list = cp_store_list_packets_for_uscc (f->a->store, f->server->uscc,
                                                                &error);

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 3);
    for (guint i = 0; i < list->len; i++)
      {
        CpPacketSummary *summary = g_ptr_array_index (list, i);

        g_assert_cmpstr (summary->stage, ==, g_str_equal (summary->uuid, old) ? NULL
                                                                              : "preparing");
        g_assert_cmpint (summary->party, ==, CP_ROLE_ENTERPRISE);
      }
  }
  g_assert_false (cp_store_get_review_place (f->a->store, "00000000-0000-4000-8000-000000000000",
                                             NULL, NULL, NULL, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
}

static void
test_changes_pull (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *u1 = create_packet (f->a, f->server->uscc, "One");
  g_autofree char *u2 = create_packet (f->a, f->server->uscc, "Two");
  g_autofree char *u3 = create_packet (f->a, f->server->uscc, "Three");
  g_autoptr(CpPacket) keep = NULL;
  g_autofree char *ba = NULL;
  g_autofree char *bb = NULL;
  CpSyncStats stats;

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 3);

  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 3);
  g_assert_cmpint (sync_state (f->b, u2, NULL), ==, CP_STORE_SYNC_SYNCED);
  ba = local_body (f->a, u2);
  bb = local_body (f->b, u2);
  g_assert_cmpstr (ba, ==, bb);

  /* Incremental: only what changed since the cursor. */
  set_string (f->a, u3, "cover", "phone", "3");
  sync_ok (f->a, NULL);
  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 1);
  g_assert_cmpuint (stats.requests, ==, 1); /* the changes page, with the packet in it */
  g_assert_cmpstr (get_string (f->b, u3, "cover", "phone", &keep), ==, "3");

  /* A's own writes coming back through the feed are not fetched again. */
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.requests, ==, 1);
  g_assert_cmpuint (stats.pulled, ==, 0);
  (void) u1;
}

/* An older server: a proxy in front of the real one that drops "bodies" from the query of the
 * changes feed, as a server that does not know the parameter would ignore it. */
typedef struct
{
  SoupServer  *server;
  SoupSession *session;
  char        *upstream;
  char        *base;
  guint        changes;      /* changes pages asked for */
  guint        packet_gets;  /* GET /api/v1/packets/UUID */
} OldServer;

static void
copy_header (const char *name,
             const char *value,
             gpointer    user_data)
{
  if (g_ascii_strcasecmp (name, "Host") == 0 || g_ascii_strcasecmp (name, "Connection") == 0 ||
      g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    return;
  soup_message_headers_append (user_data, name, value);
}

static void
old_server_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  OldServer *old = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *method = soup_server_message_get_method (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  g_autoptr(GString) kept = g_string_new (NULL);
  g_autoptr(SoupMessage) up = NULL;
  g_autoptr(GBytes) request = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_auto(GStrv) params = NULL;

  if (g_uri_get_query (uri) != NULL)
    {
      params = g_strsplit (g_uri_get_query (uri), "&", -1);
      for (guint i = 0; params[i] != NULL; i++)
        {
          if (g_str_has_prefix (params[i], "bodies="))
            continue;
          g_string_append_printf (kept, "%s%s", kept->len > 0 ? "&" : "", params[i]);
        }
    }
  if (g_str_equal (path, "/api/v1/changes"))
    old->changes++;
  else if (g_str_equal (method, "GET") && g_str_has_prefix (path, "/api/v1/packets/"))
    old->packet_gets++;

  url = g_strdup_printf ("%s%s%s%s", old->upstream, path, kept->len > 0 ? "?" : "", kept->str);
  up = soup_message_new (method, url);
  soup_message_headers_foreach (soup_server_message_get_request_headers (msg), copy_header,
                                soup_message_get_request_headers (up));
  request = soup_message_body_flatten (request_body);
  if (g_bytes_get_size (request) > 0)
    soup_message_set_request_body_from_bytes (
      up, soup_message_headers_get_content_type (soup_server_message_get_request_headers (msg),
                                                 NULL), request);
  reply = soup_session_send_and_read (old->session, up, NULL, &error);
  g_assert_no_error (error);
  soup_message_headers_foreach (soup_message_get_response_headers (up), copy_header,
                                soup_server_message_get_response_headers (msg));
  soup_server_message_set_status (msg, soup_message_get_status (up), NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), reply);
}

static OldServer *
old_server_start (const char *upstream)
{
  OldServer *old = g_new0 (OldServer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  old->upstream = g_strdup (upstream);
  old->session = soup_session_new ();
  old->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (old->server, NULL, old_server_cb, old, NULL);
  g_assert_true (soup_server_listen_local (old->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (old->server);
  old->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return old;
}

static void
old_server_free (OldServer *old)
{
  soup_server_disconnect (old->server);
  g_object_unref (old->server);
  g_object_unref (old->session);
  g_free (old->upstream);
  g_free (old->base);
  g_free (old);
}

/* The same pull from a server that ignores bodies=1: one GET per packet, the same result. */
static void
test_changes_pull_old_server (Fixture       *f,
                              gconstpointer  data)
{
  OldServer *old = old_server_start (f->server->base);
  CpTestClient *c = cp_test_client_new (NULL, old->base, "agency-a", NULL);
  g_autofree char *u1 = create_packet (f->a, f->server->uscc, "One");
  g_autofree char *u2 = create_packet (f->a, f->server->uscc, "Two");
  g_autofree char *u3 = create_packet (f->a, f->server->uscc, "Three");
  g_autoptr(CpPacket) keep = NULL;
  g_autofree char *ba = NULL;
  g_autofree char *bc = NULL;
  CpSyncStats stats;

  sync_ok (f->a, NULL);
  sync_ok (c, &stats);
  g_assert_cmpuint (stats.pulled, ==, 3);
  g_assert_cmpuint (old->changes, ==, 1);
  g_assert_cmpuint (old->packet_gets, ==, 3);
  g_assert_cmpint (sync_state (c, u1, NULL), ==, CP_STORE_SYNC_SYNCED);
  ba = local_body (f->a, u2);
  bc = local_body (c, u2);
  g_assert_cmpstr (ba, ==, bc);

  set_string (f->a, u3, "cover", "phone", "3");
  sync_ok (f->a, NULL);
  sync_ok (c, &stats);
  g_assert_cmpuint (stats.pulled, ==, 1);
  g_assert_cmpuint (stats.requests, ==, 2); /* the changes page and the one packet */
  g_assert_cmpuint (old->packet_gets, ==, 4);
  g_assert_cmpstr (get_string (c, u3, "cover", "phone", &keep), ==, "3");

  /* The same through the real server: the bodies come with the page, no GET at all. */
  set_string (f->a, u1, "cover", "phone", "1");
  sync_ok (f->a, NULL);
  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.pulled, ==, 3);
  g_assert_cmpuint (stats.requests, ==, 2); /* the changes page and the templates */
  g_assert_cmpstr (get_string (f->b, u1, "cover", "phone", &keep), ==, "1");

  cp_test_client_free (c);
  old_server_free (old);
}

static void
test_two_clients_merge (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Shared");
  g_autoptr(CpPacket) keep = NULL;
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;
  g_autofree char *server = NULL;
  CpSyncStats stats;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);

  /* Offline, both edit different fields. */
  set_string (f->a, uuid, "cover", "phone", "a-phone");
  set_string (f->b, uuid, "cover", "email", "b@example.cn");
  set_string (f->b, uuid, "finance", "note", "b-note");

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  sync_ok (f->b, &stats);  /* 412, merge, push */
  g_assert_cmpuint (stats.merged, >=, 1);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (stats.pushed, ==, 1);
  sync_ok (f->a, &stats);  /* pull the merge */
  g_assert_cmpuint (stats.pulled, ==, 1);

  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
  sa = local_body (f->a, uuid);
  sb = local_body (f->b, uuid);
  server = server_body (f, uuid, NULL);
  g_assert_cmpstr (sa, ==, server);
  g_assert_cmpstr (sb, ==, server);
  g_assert_cmpstr (get_string (f->a, uuid, "cover", "phone", &keep), ==, "a-phone");
  g_assert_cmpstr (get_string (f->a, uuid, "cover", "email", &keep), ==, "b@example.cn");
  g_assert_cmpstr (get_string (f->a, uuid, "finance", "note", &keep), ==, "b-note");
}

static void
test_two_clients_conflict (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Disputed");
  g_autoptr(CpPacket) keep = NULL;
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;
  const CpMergeConflict *c;
  CpSyncStats stats;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);

  set_string (f->a, uuid, "cover", "phone", "from-a");
  set_string (f->b, uuid, "cover", "phone", "from-b");
  set_string (f->b, uuid, "cover", "email", "b@example.cn");
  sync_ok (f->a, NULL);
  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.conflicts, ==, 1);
  g_assert_cmpuint (stats.pushed, ==, 0);

  /* Nothing overwritten: B keeps its value, the server keeps A's. */
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_CONFLICT);
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "phone", &keep), ==, "from-b");
  server = server_body (f, uuid, NULL);
  g_assert_nonnull (strstr (server, "from-a"));
  g_assert_null (strstr (server, "from-b"));

  /* A conflicting packet is not sent again by later syncs. */
  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_CONFLICT);

  /* The conflict page's data. */
  result = cp_sync_engine_load_conflict (f->b->engine, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cp_merge_result_get_conflicts (result)->len, ==, 1);
  c = g_ptr_array_index (cp_merge_result_get_conflicts (result), 0);
  g_assert_cmpstr (c->path, ==, "/sections/cover/phone");
  g_assert_cmpstr (json_node_get_string (c->mine), ==, "from-b");
  g_assert_cmpstr (json_node_get_string (c->theirs), ==, "from-a");
  g_assert_null (c->base);

  /* Unresolved results are refused. */
  g_assert_false (cp_sync_engine_resolve_conflict (f->b->engine, uuid, result, &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (cp_merge_result_resolve (result, "/sections/cover/phone", CP_MERGE_THEIRS, NULL,
                                          &error));
  g_assert_true (cp_sync_engine_resolve_conflict (f->b->engine, uuid, result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_PENDING);
  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  sync_ok (f->a, NULL);

  g_clear_pointer (&server, g_free);
  server = server_body (f, uuid, NULL);
  sa = local_body (f->a, uuid);
  sb = local_body (f->b, uuid);
  g_assert_cmpstr (sa, ==, server);
  g_assert_cmpstr (sb, ==, server);
  g_assert_cmpstr (get_string (f->a, uuid, "cover", "phone", &keep), ==, "from-a");
  g_assert_cmpstr (get_string (f->a, uuid, "cover", "email", &keep), ==, "b@example.cn");
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
}

/* An edit typed exactly while the engine holds the local packet it read: the test hook runs in
 * the sync's worker thread between the engine's read and its write. */
typedef struct
{
  CpTestClient *client;
  const char *uuid;
  const char *point;    /* "pull" or "merge" */
  const char *section;
  const char *field;
  const char *value;
  guint       fired;
} Injection;

static void
inject_edit_cb (CpSyncEngine *engine,
                const char   *point,
                const char   *uuid,
                gpointer      user_data)
{
  Injection *injection = user_data;

  if (injection->fired > 0 || !g_str_equal (point, injection->point) ||
      !g_str_equal (uuid, injection->uuid))
    return;
  injection->fired++;
  set_string (injection->client, uuid, injection->section, injection->field, injection->value);
}

/* A synced packet, changed on the server; the user types while the pull writes the server's
 * version over it: the edit survives (merged, not overwritten) and reaches the server. */
static void
test_edit_during_pull (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Raced");
  Injection injection = { f->b, uuid, "pull", "cover", "email", "typed@example.cn", 0 };
  g_autoptr(CpPacket) keep = NULL;
  g_autofree char *server = NULL;
  g_autofree char *sa = NULL;
  g_autofree char *sb = NULL;
  CpSyncStats stats;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
  set_string (f->a, uuid, "cover", "phone", "a-phone");
  sync_ok (f->a, NULL);

  cp_sync_engine_set_test_hook (f->b->engine, inject_edit_cb, &injection);
  sync_ok (f->b, &stats);
  cp_sync_engine_set_test_hook (f->b->engine, NULL, NULL);
  g_assert_cmpuint (injection.fired, ==, 1);
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "email", &keep), ==, "typed@example.cn");
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "phone", &keep), ==, "a-phone");
  /* The write over the synced packet was refused, the engine read it again (now with local
   * changes) and merged; the merge went out in the same sync. */
  g_assert_cmpuint (stats.pulled, ==, 0);
  g_assert_cmpuint (stats.merged, ==, 1);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);

  server = server_body (f, uuid, NULL);
  g_assert_nonnull (strstr (server, "typed@example.cn"));
  g_assert_nonnull (strstr (server, "a-phone"));
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pulled, ==, 1);
  sa = local_body (f->a, uuid);
  sb = local_body (f->b, uuid);
  g_assert_cmpstr (sa, ==, server);
  g_assert_cmpstr (sb, ==, server);
}

/* A packet with local changes meets the server's newer version (412 on push); the user types
 * while the merge is being written: the merge is done again with that edit in it. */
static void
test_edit_during_merge (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Raced twice");
  Injection injection = { f->b, uuid, "merge", "finance", "note", "typed while merging", 0 };
  g_autoptr(CpPacket) keep = NULL;
  g_autofree char *server = NULL;
  g_autofree char *sa = NULL;
  CpSyncStats stats;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);
  set_string (f->a, uuid, "cover", "phone", "a-phone");
  set_string (f->b, uuid, "cover", "email", "b@example.cn");
  sync_ok (f->a, NULL);

  cp_sync_engine_set_test_hook (f->b->engine, inject_edit_cb, &injection);
  sync_ok (f->b, &stats);
  cp_sync_engine_set_test_hook (f->b->engine, NULL, NULL);
  g_assert_cmpuint (injection.fired, ==, 1);
  g_assert_cmpuint (stats.merged, ==, 1);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpstr (get_string (f->b, uuid, "finance", "note", &keep), ==,
                   "typed while merging");
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "email", &keep), ==, "b@example.cn");
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "phone", &keep), ==, "a-phone");
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);

  server = server_body (f, uuid, NULL);
  g_assert_nonnull (strstr (server, "typed while merging"));
  g_assert_nonnull (strstr (server, "b@example.cn"));
  g_assert_nonnull (strstr (server, "a-phone"));
  sync_ok (f->a, NULL);
  sa = local_body (f->a, uuid);
  g_assert_cmpstr (sa, ==, server);
}

/* An edit made while the conflict page is open is kept when the conflict is resolved. */
static void
test_edit_during_resolve (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Resolved");
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(CpPacket) keep = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);
  set_string (f->a, uuid, "cover", "phone", "from-a");
  set_string (f->b, uuid, "cover", "phone", "from-b");
  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_CONFLICT);

  result = cp_sync_engine_load_conflict (f->b->engine, uuid, &error);
  g_assert_no_error (error);
  set_string (f->b, uuid, "cover", "email", "typed@example.cn");
  g_assert_true (cp_merge_result_resolve (result, "/sections/cover/phone", CP_MERGE_THEIRS, NULL,
                                          &error));
  g_assert_true (cp_sync_engine_resolve_conflict (f->b->engine, uuid, result, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "phone", &keep), ==, "from-a");
  g_assert_cmpstr (get_string (f->b, uuid, "cover", "email", &keep), ==, "typed@example.cn");
  g_assert_cmpint (sync_state (f->b, uuid, NULL), ==, CP_STORE_SYNC_PENDING);

  sync_ok (f->b, NULL);
  server = server_body (f, uuid, NULL);
  g_assert_nonnull (strstr (server, "typed@example.cn"));
  g_assert_nonnull (strstr (server, "from-a"));
  g_assert_null (strstr (server, "from-b"));
}

static GBytes *
random_bytes (gsize   size,
              guint32 seed)
{
  guint8 *data = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

static char *
add_blob (CpTestClient *client,
          GBytes     *bytes)
{
  g_autoptr(GError) error = NULL;
  char *sha256 = NULL;

  g_assert_true (cp_store_add_blob_from_bytes (client->store, bytes, &sha256, &error));
  g_assert_no_error (error);
  return sha256;
}

static void
attach (CpTestClient *client,
        const char *uuid,
        const char *name,
        const char *sha256,
        gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = cp_store_load_packet (client->store, uuid, &error);

  g_assert_no_error (error);
  cp_packet_add_attachment (packet, name, sha256, size, "application/pdf");
  g_assert_true (cp_store_save_packet (client->store, packet, NULL, &error));
  g_assert_no_error (error);
}

static void
assert_server_blob (Fixture    *f,
                    const char *sha256,
                    GBytes     *expected)
{
  g_autofree char *token = cp_test_login_token (f->server->base, "ent-1");
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha256, NULL);
  g_autoptr(GBytes) body = NULL;

  g_assert_cmpuint (cp_test_http (f->server->base, "GET", path, token, NULL, NULL, &body), ==, 200);
  g_assert_true (g_bytes_equal (body, expected));
}

typedef struct
{
  guint64 last_sent;
  guint64 last_total;
  guint   n_packet_signals;
} Progress;

static void
blob_progress_cb (CpSyncEngine *engine,
                  guint64       sent,
                  guint64       total,
                  Progress     *progress)
{
  /* Monotonic within one sync (a new sync starts again with its own total). */
  if (total == progress->last_total)
    g_assert_cmpuint (sent, >=, progress->last_sent);
  g_assert_cmpuint (sent, <=, total);
  progress->last_sent = sent;
  progress->last_total = total;
}

static void
packet_progress_cb (CpSyncEngine *engine,
                    guint         n,
                    guint         total,
                    Progress     *progress)
{
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, total);
  progress->n_packet_signals++;
}

static void
test_blobs_only_missing (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GBytes) one = random_bytes (300 * 1024 + 7, 1);
  g_autoptr(GBytes) two = random_bytes (50 * 1024, 2);
  g_autoptr(GBytes) three = random_bytes (10, 3);
  g_autofree char *s1 = add_blob (f->a, one);
  g_autofree char *s2 = add_blob (f->a, two);
  g_autofree char *s3 = add_blob (f->a, three);
  g_autofree char *p1 = create_packet (f->a, f->server->uscc, "With files");
  g_autofree char *p2 = NULL;
  Progress progress = { 0 };
  CpSyncStats stats;

  cp_sync_engine_set_chunk_size (f->a->engine, 64 * 1024);
  g_signal_connect (f->a->engine, "blob-progress", G_CALLBACK (blob_progress_cb), &progress);
  g_signal_connect (f->a->engine, "packet-progress", G_CALLBACK (packet_progress_cb), &progress);
  attach (f->a, p1, "one.pdf", s1, g_bytes_get_size (one));
  attach (f->a, p1, "two.pdf", s2, g_bytes_get_size (two));

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.blobs_uploaded, ==, 2);
  g_assert_cmpuint (stats.bytes_uploaded, ==, g_bytes_get_size (one) + g_bytes_get_size (two));
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (progress.last_total, ==, g_bytes_get_size (one) + g_bytes_get_size (two));
  g_assert_cmpuint (progress.last_sent, ==, progress.last_total);
  g_assert_cmpuint (progress.n_packet_signals, ==, 1);
  assert_server_blob (f, s1, one);
  assert_server_blob (f, s2, two);

  /* A second packet naming a blob the server has and a new one: only the new one goes. */
  p2 = create_packet (f->a, f->server->uscc, "More files");
  attach (f->a, p2, "one-again.pdf", s1, g_bytes_get_size (one));
  attach (f->a, p2, "three.pdf", s3, g_bytes_get_size (three));
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.blobs_uploaded, ==, 1);
  g_assert_cmpuint (stats.bytes_uploaded, ==, g_bytes_get_size (three));
  assert_server_blob (f, s3, three);

  /* B pulls the packets; B has no blob files and sends none when it edits. */
  sync_ok (f->b, NULL);
  set_string (f->b, p2, "cover", "phone", "1");
  sync_ok (f->b, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpuint (stats.blobs_uploaded, ==, 0);
}

static void
test_blob_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) blob = random_bytes (256 * 1024, 4);
  g_autofree char *sha = add_blob (f->a, blob);
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Resume");
  g_autofree char *token = cp_sync_client_dup_token (f->a->client);
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
  g_autoptr(GBytes) first = g_bytes_new_from_bytes (blob, 0, 100 * 1024);
  const char * const range[] = { "Content-Range", "bytes 0-102399/262144", NULL };
  CpSyncStats stats;

  /* An earlier run sent the first 100 KiB before the connection broke. */
  g_assert_cmpuint (cp_test_http (f->server->base, "PUT", path, token, first, range, NULL), ==, 202);

  cp_sync_engine_set_chunk_size (f->a->engine, 64 * 1024);
  attach (f->a, uuid, "big.pdf", sha, g_bytes_get_size (blob));
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.blobs_uploaded, ==, 1);
  /* Only the rest was sent. */
  g_assert_cmpuint (stats.bytes_uploaded, ==, 256 * 1024 - 100 * 1024);
  assert_server_blob (f, sha, blob);
}

static void
test_needs_login_keeps_work (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Login");
  g_autoptr(GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *local = NULL;
  CpSyncStats stats;

  sync_ok (f->a, NULL);
  set_string (f->a, uuid, "cover", "phone", "while-expired");

  /* The token is no longer valid (logged out elsewhere, or expired). */
  {
    g_autofree char *token = cp_sync_client_dup_token (f->a->client);

    g_assert_cmpuint (cp_test_http (f->server->base, "DELETE", "/api/v1/session", token, NULL,
                                 NULL, NULL), ==, 204);
  }
  g_assert_false (cp_test_client_sync (f->a, &stats, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN);
  g_clear_error (&error);
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_PENDING);

  g_assert_true (cp_test_client_login (f->a, "ent-1", NULL, &error));
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
  server = server_body (f, uuid, NULL);
  local = local_body (f->a, uuid);
  g_assert_cmpstr (server, ==, local);
  g_assert_nonnull (strstr (server, "while-expired"));
}

static void
test_quarantine (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *no_code = create_packet (f->a, NULL, "No credit code yet");
  g_autofree char *foreign = create_packet (f->a, f->server->uscc_other, "Someone else");
  g_autoptr(JsonNode) rejection = NULL;
  CpSyncStats stats;

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.quarantined, ==, 2);
  g_assert_cmpint (sync_state (f->a, no_code, NULL), ==, CP_STORE_SYNC_QUARANTINED);
  g_assert_cmpint (sync_state (f->a, foreign, NULL), ==, CP_STORE_SYNC_QUARANTINED);

  rejection = cp_sync_engine_get_rejection (f->a->engine, no_code);
  g_assert_nonnull (rejection);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (rejection), "status"), ==,
                   422);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rejection), "pointer"),
                   ==, "/sections/cover/uscc");
  g_clear_pointer (&rejection, json_node_unref);
  rejection = cp_sync_engine_get_rejection (f->a->engine, foreign);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (rejection), "status"), ==,
                   403);

  /* Unchanged refused packets are not sent again. */
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.requests, ==, 1);

  /* Fixed: sent again, and accepted. */
  set_string (f->a, no_code, "cover", "uscc", f->server->uscc);
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_assert_cmpint (sync_state (f->a, no_code, NULL), ==, CP_STORE_SYNC_SYNCED);
  g_assert_null (cp_sync_engine_get_rejection (f->a->engine, no_code));
  g_assert_cmpint (sync_state (f->a, foreign, NULL), ==, CP_STORE_SYNC_QUARANTINED);
}

/* More packets than one push batch holds (STORE_BATCH, 128), sent several at a time: each
 * answer lands on its own packet. One in the middle has no credit code (422), one belongs to
 * another enterprise (403), one meets a newer version on the server (412, merged and sent
 * again); every other one is on the server, synced, with its own revision and body. */
static void
test_push_batches (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *raced = create_packet (f->a, f->server->uscc, "Changed on both sides");
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) rejection = NULL;
  g_autoptr(GDir) inflight = NULL;
  g_autofree char *inflight_path = NULL;
  g_autofree char *server = NULL;
  const guint n = 300;
  const guint no_code = 150;
  const guint foreign = 201;
  CpSyncStats stats;
  guint status = 0;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);
  set_string (f->b, raced, "cover", "phone", "b-phone");
  sync_ok (f->b, NULL);
  set_string (f->a, raced, "cover", "email", "a@example.cn");

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("Batch %u", i);
      const char *uscc = i == no_code ? NULL : i == foreign ? f->server->uscc_other
                                                            : f->server->uscc;

      g_ptr_array_add (uuids, create_packet (f->a, uscc, name));
    }

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.quarantined, ==, 2);
  g_assert_cmpuint (stats.merged, ==, 1);
  g_assert_cmpuint (stats.conflicts, ==, 0);
  g_assert_cmpuint (stats.pushed, ==, n - 2 + 1);

  for (guint i = 0; i < n; i++)
    {
      const char *uuid = g_ptr_array_index (uuids, i);
      g_autofree char *revision = NULL;
      g_autofree char *body = NULL;
      g_autofree char *local = NULL;
      g_autofree char *name = g_strdup_printf ("Batch %u", i);

      body = server_body (f, uuid, &status);
      if (i == no_code || i == foreign)
        {
          g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_QUARANTINED);
          g_assert_cmpuint (status, ==, 404);
          continue;
        }
      g_assert_cmpint (sync_state (f->a, uuid, &revision), ==, CP_STORE_SYNC_SYNCED);
      g_assert_cmpstr (revision, ==, "1");
      g_assert_null (cp_sync_engine_get_rejection (f->a->engine, uuid));
      local = local_body (f->a, uuid);
      g_assert_cmpstr (body, ==, local);
      g_assert_nonnull (strstr (body, name));
    }

  rejection = cp_sync_engine_get_rejection (f->a->engine, g_ptr_array_index (uuids, no_code));
  g_assert_nonnull (rejection);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (rejection), "status"), ==,
                   422);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (rejection), "pointer"),
                   ==, "/sections/cover/uscc");
  g_clear_pointer (&rejection, json_node_unref);
  rejection = cp_sync_engine_get_rejection (f->a->engine, g_ptr_array_index (uuids, foreign));
  g_assert_nonnull (rejection);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (rejection), "status"), ==,
                   403);

  /* The 412: merged with the server's version and sent again in the same sync. */
  g_assert_cmpint (sync_state (f->a, raced, NULL), ==, CP_STORE_SYNC_SYNCED);
  server = server_body (f, raced, NULL);
  g_assert_nonnull (strstr (server, "b-phone"));
  g_assert_nonnull (strstr (server, "a@example.cn"));

  /* Every acknowledged body's in-flight record is gone; the refused ones' stay (they never
   * got a receipt). */
  inflight_path = g_build_filename (f->a->dir, "sync", "inflight", NULL);
  inflight = g_dir_open (inflight_path, 0, NULL);
  g_assert_nonnull (inflight);
  {
    const char *name;
    guint left = 0;

    while ((name = g_dir_read_name (inflight)) != NULL)
      {
        g_assert_true (g_str_has_prefix (name, g_ptr_array_index (uuids, no_code)) ||
                       g_str_has_prefix (name, g_ptr_array_index (uuids, foreign)));
        left++;
      }
    g_assert_cmpuint (left, ==, 2);
  }

  /* Nothing left to send: one request. */
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.requests, ==, 1);
}

/* A page of the feed that is all our own writes makes the next one come without bodies; when
 * that one turns out to list packets the store lacks, it is asked again with them (not one GET
 * per packet), and every packet arrives. */
static void
test_pull_after_own_writes (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) theirs = g_ptr_array_new_with_free_func (g_free);
  CpSyncState state = { NULL, 0 };
  g_autoptr(GError) error = NULL;
  CpSyncStats stats;

  for (guint i = 0; i < 1000; i++)
    {
      g_autofree char *name = g_strdup_printf ("Own %u", i);

      g_free (create_packet (f->a, f->server->uscc, name));
    }
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pushed, ==, 1000);
  /* The feed from the start again: a full page of a's own writes comes first. */
  cp_sync_journal_load_state (f->a->engine, &state);
  g_clear_pointer (&state.cursor, g_free);
  g_assert_true (cp_sync_journal_save_state (f->a->engine, &state, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < 200; i++)
    {
      g_autofree char *name = g_strdup_printf ("Theirs %u", i);

      g_ptr_array_add (theirs, create_packet (f->b, f->server->uscc, name));
    }
  sync_ok (f->b, NULL);

  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.pulled, ==, 200);
  /* The page of own writes with bodies, the next without, the same again with them, and the
   * empty one after it. */
  g_assert_cmpuint (stats.requests, <=, 4);
  for (guint i = 0; i < theirs->len; i++)
    {
      g_autofree char *local = local_body (f->a, g_ptr_array_index (theirs, i));
      g_autofree char *server = server_body (f, g_ptr_array_index (theirs, i), NULL);

      g_assert_cmpstr (local, ==, server);
      g_assert_cmpint (sync_state (f->a, g_ptr_array_index (theirs, i), NULL), ==,
                       CP_STORE_SYNC_SYNCED);
    }
  g_free (state.cursor);
}

/* The in-flight records: a batch written at once, found by packet and hash, cleared by packet;
 * an older version's records (a folder per packet holding the body) found and cleared too. */
static void
test_inflight_records (Fixture       *f,
                       gconstpointer  data)
{
  const char *one = "0b0c4bd6-0d5a-4a3e-9a5f-1d2f3b4c5d6e";
  const char *two = "1b0c4bd6-0d5a-4a3e-9a5f-1d2f3b4c5d6e";
  const char *old = "2b0c4bd6-0d5a-4a3e-9a5f-1d2f3b4c5d6e";
  const char *uuids[] = { one, two, one };
  const char *hashes[] = { "aa00000000000000000000000000000000000000000000000000000000000000",
                           "bb00000000000000000000000000000000000000000000000000000000000000",
                           "cc00000000000000000000000000000000000000000000000000000000000000" };
  g_autofree char *old_dir = g_build_filename (f->a->dir, "sync", "inflight", old, NULL);
  g_autofree char *old_file = g_build_filename (old_dir, hashes[0], NULL);
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_assert_true (cp_sync_journal_record_inflight (f->a->engine, uuids, hashes, 3, &error));
  g_assert_no_error (error);
  g_assert_true (cp_sync_journal_has_inflight (f->a->engine, one, hashes[0]));
  g_assert_true (cp_sync_journal_has_inflight (f->a->engine, one, hashes[2]));
  g_assert_true (cp_sync_journal_has_inflight (f->a->engine, two, hashes[1]));
  g_assert_false (cp_sync_journal_has_inflight (f->a->engine, two, hashes[0]));

  g_assert_cmpint (g_mkdir_with_parents (old_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (old_file, "{}", -1, &error));
  g_assert_true (cp_sync_journal_has_inflight (f->a->engine, old, hashes[0]));

  g_hash_table_add (set, (gpointer) one);
  g_hash_table_add (set, (gpointer) old);
  cp_sync_journal_clear_inflight (f->a->engine, set);
  g_assert_false (cp_sync_journal_has_inflight (f->a->engine, one, hashes[0]));
  g_assert_false (cp_sync_journal_has_inflight (f->a->engine, one, hashes[2]));
  g_assert_false (cp_sync_journal_has_inflight (f->a->engine, old, hashes[0]));
  g_assert_false (g_file_test (old_dir, G_FILE_TEST_EXISTS));
  g_assert_true (cp_sync_journal_has_inflight (f->a->engine, two, hashes[1]));
}

static void
test_templates_cached (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new ();
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GError) error = NULL;
  CpSyncStats stats;

  g_assert_false (cp_sync_engine_load_templates (f->a->engine, registry, &error));
  g_clear_error (&error);
  sync_ok (f->a, &stats);
  g_assert_true (stats.templates_refreshed);
  g_assert_true (cp_sync_engine_load_templates (f->a->engine, registry, &error));
  g_assert_no_error (error);
  kinds = cp_template_registry_list_kinds (registry);
  g_assert_cmpuint (kinds->len, >=, 1);
  g_assert_nonnull (cp_template_registry_lookup_kind (registry, "city-demonstration"));

  /* Fresh enough: not asked again. */
  sync_ok (f->a, &stats);
  g_assert_false (stats.templates_refreshed);
  /* Too old: asked again. */
  cp_sync_engine_set_templates_max_age (f->a->engine, 0);
  sync_ok (f->a, &stats);
  g_assert_true (stats.templates_refreshed);
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *uuid = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *base = NULL;
  CpTestClient *c;

  /* A port where nobody listens. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_socket_bind (socket, address, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  c = cp_test_client_new (NULL, base, NULL, NULL);
  uuid = create_packet (c, f->server->uscc, "Offline");
  cp_sync_client_set_token (c->client, "whatever");
  cp_sync_client_set_retry_policy (c->client, 3, 1, 5);
  g_assert_false (cp_test_client_sync (c, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE);
  g_assert_cmpuint (cp_sync_client_get_n_requests (c->client), ==, 3);
  /* The work stays pending. */
  g_assert_cmpint (sync_state (c, uuid, NULL), ==, CP_STORE_SYNC_PENDING);
  cp_test_client_free (c);
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static JsonObject *
get_authors (CpTestClient  *client,
             const char    *uuid,
             GError       **error)
{
  Wait wait = { NULL };
  JsonObject *authors;

  cp_sync_client_get_authors_async (client->client, uuid, NULL, wait_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  authors = cp_sync_client_get_authors_finish (client->client, wait.result, error);
  g_object_unref (wait.result);
  return authors;
}

/* Two accounts write different fields: the server names each writer, and the client keeps it. */
static void
test_authors (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Widgets");
  g_autoptr(JsonObject) authors = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *author;

  sync_ok (f->a, NULL);
  sync_ok (f->b, NULL);
  set_string (f->b, uuid, "cover", "phone", "0512-5555555");
  sync_ok (f->b, NULL);

  authors = get_authors (f->a, uuid, &error);
  g_assert_no_error (error);
  author = json_object_get_object_member (authors, "/sections/cover/phone");
  g_assert_nonnull (author);
  g_assert_cmpstr (json_object_get_string_member (author, "name"), ==, "agency-a");
  author = json_object_get_object_member (authors, "/sections/cover/enterprise_name");
  g_assert_nonnull (author);
  g_assert_cmpstr (json_object_get_string_member (author, "name"), ==, "ent-1");
  g_clear_pointer (&authors, json_object_unref);

  /* A packet the server does not have: an error, like its GET. */
  authors = get_authors (f->a, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (authors);
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NOT_FOUND);
}

static gboolean
submit (CpTestClient  *client,
        const char  *uuid,
        GPtrArray  **findings,
        GError     **error)
{
  Wait wait = { NULL };
  gboolean ok;

  cp_sync_engine_submit_async (client->engine, uuid, NULL, wait_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = cp_sync_engine_submit_finish (client->engine, wait.result, findings, error);
  g_object_unref (wait.result);
  return ok;
}

static void
test_submit_incomplete (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Incomplete");
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;

  /* Never synced: sent first, then submitted; the server's validator refuses it. */
  g_assert_false (submit (f->a, uuid, &findings, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_nonnull (findings);
  g_assert_cmpuint (cp_findings_count (findings, CP_SEVERITY_ERROR), >, 0);
  /* The packet itself is on the server, unchanged and synced. */
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
}

static void
test_submit_complete (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpPacket) back = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *attachments;
  char *json;

  for (guint seed = 1; seed < 200 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry,
                                                               "standardization-acceptance",
                                                               g_date_time_get_year (now), seed);

      if (candidate != NULL && strncmp (cp_packet_get_uscc (candidate) + 2, "320583", 6) == 0)
        demo = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (demo);
  test_server_admin (f->server, NULL, "assign", cp_packet_get_uscc (demo), "A", NULL);

  /* Real bytes for every attachment, in the agency's store. */
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  g_free (json);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = add_blob (f->b, bytes);

      g_string_replace (text, attachment->sha256, sha, 0);
    }
  /* The agency makes and submits the packet: the legacy chain of the 2020.1 format, whose
   * sections are those of the newest version; in that one (2020.2) the enterprise makes 贯标
   * packets and the server refuses an agency's (issue 11). */
  {
    g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                               cp_packet_get_template_version (demo));

    g_assert_cmpuint (g_string_replace (text, newest, "\"template_version\":\"2020.1\"", 1),
                      ==, 1);
  }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  g_assert_true (cp_store_save_packet (f->b->store, packet, NULL, &error));

  g_assert_true (submit (f->b, cp_packet_get_uuid (packet), &findings, &error));
  g_assert_no_error (error);
  g_assert_null (findings);
  back = cp_store_load_packet (f->b->store, cp_packet_get_uuid (packet), &error);
  g_assert_cmpint (cp_packet_get_state (back), ==, CP_PACKET_STATE_SUBMITTED);
  g_assert_nonnull (cp_packet_get_submitted_on (back));
  g_assert_cmpint (sync_state (f->b, cp_packet_get_uuid (packet), NULL), ==,
                   CP_STORE_SYNC_SYNCED);
  {
    g_autofree char *server = server_body (f, cp_packet_get_uuid (packet), NULL);
    g_autofree char *local = local_body (f->b, cp_packet_get_uuid (packet));

    g_assert_cmpstr (server, ==, local);
  }
}

static void
cancel_on_progress_cb (CpSyncEngine *engine,
                       guint64       sent,
                       guint64       total,
                       GCancellable *cancellable)
{
  if (sent > 0 && sent < total)
    g_cancellable_cancel (cancellable);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GBytes) blob = random_bytes (8 * 1024 * 1024, 5);
  g_autofree char *sha = add_blob (f->a, blob);
  g_autofree char *uuid = create_packet (f->a, f->server->uscc, "Cancelled");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  Wait wait = { NULL };
  CpSyncStats stats;

  attach (f->a, uuid, "big.pdf", sha, g_bytes_get_size (blob));
  cp_sync_engine_set_chunk_size (f->a->engine, 64 * 1024);
  g_signal_connect (f->a->engine, "blob-progress", G_CALLBACK (cancel_on_progress_cb),
                    cancellable);
  cp_sync_engine_sync_async (f->a->engine, cancellable, wait_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (cp_sync_engine_sync_finish (f->a->engine, wait.result, &stats, &error));
  g_object_unref (wait.result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (cp_sync_engine_is_syncing (f->a->engine));
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_PENDING);
  g_assert_cmpuint (stats.bytes_uploaded, <, g_bytes_get_size (blob));

  /* The next sync resumes and completes. */
  g_signal_handlers_disconnect_by_func (f->a->engine, cancel_on_progress_cb, cancellable);
  sync_ok (f->a, &stats);
  g_assert_cmpuint (stats.blobs_uploaded, ==, 1);
  g_assert_cmpint (sync_state (f->a, uuid, NULL), ==, CP_STORE_SYNC_SYNCED);
  assert_server_blob (f, sha, blob);
}

/* A stand-in server that answers the changes feed with @n_busy 503s (Retry-After: 1) first. */
typedef struct
{
  guint n_busy;
  guint n_changes;
  guint status;  /* what to answer after the busy ones */
} Busy;

static void
busy_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Busy *busy = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_str_equal (path, "/api/v1/templates"))
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"kinds\": [], \"sheets\": []}", 27);
      return;
    }
  g_assert_cmpstr (path, ==, "/api/v1/changes");
  if (busy->n_changes++ < busy->n_busy)
    {
      soup_message_headers_replace (headers, "Retry-After", "1");
      soup_server_message_set_status (msg, 503, NULL);
      return;
    }
  soup_server_message_set_status (msg, busy->status, NULL);
  if (busy->status == 200)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                      "{\"changes\": [], \"next\": \"7\", \"more\": false}",
                                      43);
}

static void
test_retry_after (void)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *base = NULL;
  Busy busy = { 2, 0, 200 };
  CpTestClient *c;
  CpSyncStats stats;
  gint64 start;

  soup_server_add_handler (server, NULL, busy_handler, &busy, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  /* Backoff of 1 ms: only Retry-After can make the client wait a second per 503. */
  c = cp_test_client_new (NULL, base, NULL, NULL);
  cp_sync_client_set_token (c->client, "t");
  cp_sync_client_set_retry_policy (c->client, 5, 1, 10 * 1000);
  start = g_get_monotonic_time ();
  g_assert_true (cp_test_client_sync (c, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (busy.n_changes, ==, 3);
  g_assert_cmpuint (stats.requests, ==, 4); /* 3 changes + templates */

  /* Busy for longer than the retries: a server error, nothing lost. */
  busy.n_busy = 100;
  busy.n_changes = 0;
  cp_sync_client_set_retry_policy (c->client, 3, 1, 1);  /* Retry-After capped at 1 ms */
  g_assert_false (cp_test_client_sync (c, &stats, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  g_assert_cmpuint (busy.n_changes, ==, 3);
  g_clear_error (&error);

  /* 401: needs login, not retried. */
  busy.n_busy = 0;
  busy.n_changes = 0;
  busy.status = 401;
  g_assert_false (cp_test_client_sync (c, &stats, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN);
  g_assert_cmpuint (busy.n_changes, ==, 1);
  cp_test_client_free (c);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/urls", test_urls);
  g_test_add_func ("/sync/retry-after", test_retry_after);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/sync/login", test_login);
  ADD ("/sync/push-new-and-edit", test_push_new_and_edit);
  ADD ("/sync/review-place", test_review_place);
  ADD ("/sync/authors", test_authors);
  ADD ("/sync/changes-pull", test_changes_pull);
  ADD ("/sync/changes-pull-old-server", test_changes_pull_old_server);
  ADD ("/sync/two-clients-merge", test_two_clients_merge);
  ADD ("/sync/two-clients-conflict", test_two_clients_conflict);
  ADD ("/sync/edit-during-pull", test_edit_during_pull);
  ADD ("/sync/edit-during-merge", test_edit_during_merge);
  ADD ("/sync/edit-during-resolve", test_edit_during_resolve);
  ADD ("/sync/blobs-only-missing", test_blobs_only_missing);
  ADD ("/sync/blob-resume", test_blob_resume);
  ADD ("/sync/needs-login-keeps-work", test_needs_login_keeps_work);
  ADD ("/sync/quarantine", test_quarantine);
  ADD ("/sync/push-batches", test_push_batches);
  ADD ("/sync/inflight-records", test_inflight_records);
  ADD ("/sync/pull-after-own-writes", test_pull_after_own_writes);
  ADD ("/sync/templates-cached", test_templates_cached);
  ADD ("/sync/offline", test_offline);
  ADD ("/sync/submit-incomplete", test_submit_incomplete);
  ADD ("/sync/submit-complete", test_submit_complete);
  ADD ("/sync/cancel", test_cancel);
#undef ADD

  return g_test_run ();
}
