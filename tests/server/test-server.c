/* test-server.c — credit-packet-server over HTTP on 127.0.0.1
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <sqlite3.h>
#include <string.h>

#include "cp-demo.h"
#include "cp-packet.h"
#include "cp-server-private.h"
#include "cp-template-registry.h"
#include "server-fixture.h"

#define KIND "standardization-acceptance"

static char *template_version;

/* --- helpers ----------------------------------------------------------------------------- */

static CpPacket *
new_packet (const char *uscc,
            const char *name)
{
  CpPacket *packet = cp_packet_new (KIND, template_version);

  cp_packet_set_year (packet, 2020);
  if (uscc != NULL)
    cp_packet_set_string (packet, "cover", "uscc", uscc);
  if (name != NULL)
    cp_packet_set_string (packet, "cover", "enterprise_name", name);
  return packet;
}

static char *
packet_data (CpPacket *packet)
{
  return cp_packet_to_data (packet, FALSE, NULL);
}

static char *
packet_path (CpPacket   *packet,
             const char *suffix)
{
  return g_strconcat ("/api/v1/packets/", cp_packet_get_uuid (packet), suffix, NULL);
}

static Reply *
put_packet (ServerFixture *f,
            const char    *token,
            CpPacket      *packet,
            gint64         if_match)
{
  g_autofree char *path = packet_path (packet, "");
  g_autofree char *data = packet_data (packet);
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", if_match);

  if (if_match == 0)
    return server_request (f, "PUT", path, token, data, -1, "If-None-Match", "*", NULL);
  return server_request (f, "PUT", path, token, data, -1, "If-Match", etag, NULL);
}

static char *
sha256_hex (const guint8 *data,
            gsize         length)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, length);
}

/* Stops the server, sets the packet's state directly in the database, starts it again: the
 * setup for the workflow tests, which need packets in states only a full submission reaches. */
static void
force_state (ServerFixture *f,
             CpPacket      *packet,
             CpPacketState  state,
             int            year,
             const char    *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpServerRevision) current = NULL;
  g_autoptr(CpServerRevision) revision = g_new0 (CpServerRevision, 1);
  g_autoptr(CpPacket) copy = cp_packet_copy (packet);
  CpServerStorage *storage;
  gsize length;
  char *data;

  server_fixture_stop (f);
  storage = server_fixture_open_storage (f);
  current = cp_server_storage_get_packet (storage, cp_packet_get_uuid (packet), NULL);

  cp_packet_set_state (copy, state);
  cp_packet_set_year (copy, year);
  data = cp_packet_to_data (copy, FALSE, &length);
  revision->uuid = g_strdup (cp_packet_get_uuid (copy));
  revision->action = g_strdup ("test");
  revision->state = g_strdup (cp_packet_state_to_string (state));
  revision->uscc = g_strdup (cp_packet_get_uscc (copy));
  revision->kind = g_strdup (kind);
  revision->year = year;
  revision->sha256 = sha256_hex ((const guint8 *) data, length);
  revision->user_name = g_strdup ("test");
  revision->body = g_bytes_new_take (data, length);
  cp_server_storage_put_revision (storage, revision, current != NULL ? current->revision : 0, NULL,
                                  &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
  server_fixture_start (f);
}

/* --- sessions ---------------------------------------------------------------------------- */

static void
test_login (ServerFixture *f,
            gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autofree char *db = g_build_filename (f->dir, "server.sqlite", NULL);
  g_autofree char *token_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
  g_autofree char *contents = NULL;
  g_auto(GStrv) hashes = NULL;
  gsize length;

  /* 256 bits in base64url without padding. */
  g_assert_cmpuint (strlen (token), ==, 43);

  {
    g_autoptr(Reply) reply = server_request (f, "GET", "/api/v1/session", token, NULL, 0, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpstr (json_get_string (reply->json, "name"), ==, "ent-1");
    g_assert_cmpstr (json_get_string (reply->json, "role"), ==, "enterprise");
    g_assert_cmpstr (json_get_string (reply->json, "uscc"), ==, USCC_1);
    g_assert_null (json_get_string (reply->json, "agency_name"));
  }

  /* The database holds the token's SHA-256, never the token. */
  hashes = server_fixture_query_column (f, "SELECT token_hash FROM sessions");
  g_assert_cmpuint (g_strv_length (hashes), ==, 1);
  g_assert_cmpstr (hashes[0], ==, token_hash);
  if (f->database == NULL)
    {
      g_assert_true (g_file_get_contents (db, &contents, &length, NULL));
      g_assert_null (g_strstr_len (contents, length, token));
      g_assert_null (g_strstr_len (contents, length, "password-ent-1"));
    }

  /* An agency user's object names the agency, and its code when the agency has one. */
  {
    g_autofree char *a = server_login (f, "agency-a");
    g_autofree char *b = server_login (f, "agency-b");
    g_autoptr(Reply) reply_a = server_request (f, "GET", "/api/v1/session", a, NULL, 0, NULL);
    g_autoptr(Reply) reply_b = server_request (f, "GET", "/api/v1/session", b, NULL, 0, NULL);

    g_assert_cmpuint (reply_a->status, ==, 200);
    g_assert_cmpstr (json_get_string (reply_a->json, "agency"), ==, "A");
    g_assert_cmpstr (json_get_string (reply_a->json, "agency_name"), ==, "Agency A");
    g_assert_cmpstr (json_get_string (reply_a->json, "agency_uscc"), ==, AGENCY_A_USCC);
    g_assert_cmpstr (json_get_string (reply_b->json, "agency_name"), ==, "Agency B");
    g_assert_null (json_get_string (reply_b->json, "agency_uscc"));
  }

  /* Wrong password, unknown user, malformed bodies. */
  {
    g_autoptr(Reply) bad = server_request (f, "POST", "/api/v1/session", NULL,
                                           "{\"user\": \"ent-1\", \"password\": \"nope\"}", -1,
                                           NULL);
    g_autoptr(Reply) unknown = server_request (f, "POST", "/api/v1/session", NULL,
                                               "{\"user\": \"nobody\", \"password\": \"x\"}", -1,
                                               NULL);
    g_autoptr(Reply) missing = server_request (f, "POST", "/api/v1/session", NULL,
                                               "{\"user\": \"ent-1\"}", -1, NULL);
    g_autoptr(Reply) extra = server_request (f, "POST", "/api/v1/session", NULL,
                                             "{\"user\": \"ent-1\", \"password\": \"x\", "
                                             "\"admin\": true}", -1, NULL);
    g_autoptr(Reply) type = server_request (f, "POST", "/api/v1/session", NULL,
                                            "{\"user\": 12, \"password\": \"x\"}", -1, NULL);
    g_autoptr(Reply) garbage = server_request (f, "POST", "/api/v1/session", NULL, "user=x", -1,
                                               NULL);

    assert_problem (bad, 401, "login-failed");
    assert_problem (unknown, 401, "login-failed");
    assert_problem (missing, 422, "invalid-value");
    assert_problem (extra, 422, "invalid-value");
    assert_problem (type, 422, "invalid-value");
    assert_problem (garbage, 400, "invalid-json");
  }

  /* Logout ends the session. */
  {
    g_autoptr(Reply) out = server_request (f, "DELETE", "/api/v1/session", token, NULL, 0, NULL);
    g_autoptr(Reply) after = server_request (f, "GET", "/api/v1/session", token, NULL, 0, NULL);
    g_autoptr(Reply) forged = server_request (f, "GET", "/api/v1/session",
                                              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL,
                                              0, NULL);

    g_assert_cmpuint (out->status, ==, 204);
    assert_problem (after, 401, "unauthorized");
    assert_problem (forged, 401, "unauthorized");
  }
}

/* Migration 4 on a database of schema 3 (no agency codes): the agencies stay, without a code,
 * until one is set; the session then names it. */
static void
test_agency_uscc_migration (ServerFixture *f,
                            gconstpointer  data)
{
  g_auto(GStrv) before = NULL;
  g_auto(GStrv) after = NULL;
  g_auto(GStrv) version = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;

  server_fixture_stop (f);
  server_fixture_exec (f, "ALTER TABLE agencies DROP COLUMN uscc");
  server_fixture_exec (f, f->database == NULL ? "PRAGMA user_version = 3"
                                              : "UPDATE schema_version SET version = 3");
  {
    g_autoptr(CpServerStorage) storage = server_fixture_open_storage (f);

    version = server_fixture_query_column (f, f->database == NULL
                                              ? "PRAGMA user_version"
                                              : "SELECT version FROM schema_version");
    g_assert_cmpstr (version[0], ==, "4");
    before = server_fixture_query_column (f, "SELECT coalesce (uscc, 'none') FROM agencies "
                                             "ORDER BY id");
    g_assert_cmpuint (g_strv_length (before), ==, 2);
    g_assert_cmpstr (before[0], ==, "none");
    g_assert_true (cp_server_storage_set_agency_uscc (storage, "A", AGENCY_A_USCC, &error));
    g_assert_no_error (error);
    g_assert_false (cp_server_storage_set_agency_uscc (storage, "Z", AGENCY_A_USCC, &error));
    g_assert_error (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND);
  }
  after = server_fixture_query_column (f, "SELECT uscc FROM agencies WHERE id = 'A'");
  g_assert_cmpstr (after[0], ==, AGENCY_A_USCC);

  server_fixture_start (f);
  token = server_login (f, "agency-a");
  {
    g_autoptr(Reply) reply = server_request (f, "GET", "/api/v1/session", token, NULL, 0, NULL);

    g_assert_cmpuint (reply->status, ==, 200);
    g_assert_cmpstr (json_get_string (reply->json, "agency_uscc"), ==, AGENCY_A_USCC);
  }
}

static void
test_login_rate_limit (ServerFixture *f,
                       gconstpointer  data)
{
  const char *bad = "{\"user\": \"ent-2\", \"password\": \"wrong-password\"}";
  const char *good = "{\"user\": \"ent-2\", \"password\": \"password-ent-2\"}";
  const char *retry_after;
  guint64 seconds;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(Reply) reply = server_request (f, "POST", "/api/v1/session", NULL, bad, -1, NULL);

      assert_problem (reply, 401, "login-failed");
    }
  /* The sixth attempt is refused before the password is even checked, right or wrong. */
  {
    g_autoptr(Reply) limited = server_request (f, "POST", "/api/v1/session", NULL, good, -1, NULL);

    assert_problem (limited, 429, "rate-limited");
    retry_after = soup_message_headers_get_one (soup_message_get_response_headers (limited->msg),
                                                "Retry-After");
    g_assert_nonnull (retry_after);
    g_assert_true (g_ascii_string_to_unsigned (retry_after, 10, 1, 60, &seconds, NULL));
  }
  /* Another user from the same address is not locked out by ent-2's failures. */
  {
    g_autofree char *token = server_login (f, "ent-1");

    g_assert_nonnull (token);
  }
  /* But an address that guesses across many names is: 20 failures (4 × 5) within the window. */
  for (guint i = 0; i < 15; i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"user\": \"ghost-%u\", \"password\": \"x\"}", i);
      g_autoptr(Reply) reply = server_request (f, "POST", "/api/v1/session", NULL, body, -1, NULL);

      assert_problem (reply, 401, "login-failed");
    }
  {
    g_autoptr(Reply) limited = server_request (f, "POST", "/api/v1/session", NULL,
                                               "{\"user\": \"ent-1\", \"password\": "
                                               "\"password-ent-1\"}", -1, NULL);

    assert_problem (limited, 429, "rate-limited");
  }
}

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *pending = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  (*pending)--;
}

/* More logins at once than the server checks in parallel: they queue, and all succeed. */
static void
test_concurrent_logins (ServerFixture *f,
                        gconstpointer  data)
{
  static const char *users[] = { "admin", "office-kunshan", "office-wuzhong", "agency-a",
                                 "agency-b", "ent-1", "ent-2", "ent-1" };
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 16, NULL);
  g_autofree char *url = g_strconcat (f->base, "/api/v1/session", NULL);
  guint pending = G_N_ELEMENTS (users);

  for (guint i = 0; i < G_N_ELEMENTS (users); i++)
    {
      SoupMessage *msg = soup_message_new ("POST", url);
      g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": "
                                               "\"password-%s\"}", users[i], users[i]);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      g_ptr_array_add (messages, msg);
      soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, login_done_cb,
                                        &pending);
    }
  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < messages->len; i++)
    g_assert_cmpuint (soup_message_get_status (g_ptr_array_index (messages, i)), ==, 201);
}

/* --- packets ----------------------------------------------------------------------------- */

static void
test_packet_create_update (ServerFixture *f,
                           gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "苏州一号科技有限公司");
  g_autoptr(CpPacket) v2 = NULL;
  g_autoptr(CpPacket) other = NULL;
  g_autofree char *path = packet_path (packet, "");
  g_autofree char *v1_data = packet_data (packet);
  g_autofree char *v2_data = NULL;
  g_autofree char *receipt_time = NULL;

  {
    g_autoptr(Reply) created = put_packet (f, token, packet, 0);
    g_autoptr(Reply) replay = put_packet (f, token, packet, 0);

    g_assert_cmpuint (created->status, ==, 201);
    g_assert_cmpint (json_get_int (created->json, "revision"), ==, 1);
    g_assert_cmpint (json_get_int (created->json, "base"), ==, 0);
    g_assert_cmpstr (json_get_string (created->json, "state"), ==, "draft");
    g_assert_cmpstr (json_get_string (created->json, "modified_by"), ==, "ent-1");
    g_assert_cmpstr (json_get_string (created->json, "party"), ==, "enterprise");
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (created->msg),
                                                   "ETag"), ==, "\"1\"");
    receipt_time = g_strdup (json_get_string (created->json, "modified_at"));

    /* The identical replay gets the same receipt, not a second revision. */
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"), ==, 1);
    g_assert_cmpstr (json_get_string (replay->json, "modified_at"), ==, receipt_time);
    g_assert_cmpstr (json_get_string (replay->json, "sha256"), ==,
                     json_get_string (created->json, "sha256"));
  }

  {
    g_autoptr(Reply) got = server_request (f, "GET", path, token, NULL, 0, NULL);
    g_autoptr(Reply) not_modified = server_request (f, "GET", path, token, NULL, 0,
                                                    "If-None-Match", "\"1\"", NULL);
    g_autoptr(Reply) unconditional = server_request (f, "PUT", path, token, v1_data, -1, NULL);

    g_assert_cmpuint (got->status, ==, 200);
    g_assert_cmpmem (g_bytes_get_data (got->body, NULL), g_bytes_get_size (got->body),
                     v1_data, strlen (v1_data));
    g_assert_cmpuint (not_modified->status, ==, 304);
    assert_problem (unconditional, 428, "precondition-required");
  }

  v2 = cp_packet_copy (packet);
  cp_packet_set_string (v2, "cover", "enterprise_name", "苏州一号科技股份有限公司");
  v2_data = packet_data (v2);
  {
    g_autoptr(Reply) updated = put_packet (f, token, v2, 1);
    g_autoptr(Reply) replay = put_packet (f, token, v2, 1);

    g_assert_cmpuint (updated->status, ==, 200);
    g_assert_cmpint (json_get_int (updated->json, "revision"), ==, 2);
    g_assert_cmpint (json_get_int (updated->json, "base"), ==, 1);
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"), ==, 2);
  }

  /* A different body on the old base is stale: 412 with the current version. */
  other = cp_packet_copy (packet);
  cp_packet_set_string (other, "cover", "enterprise_name", "别的名字");
  {
    g_autoptr(Reply) stale = put_packet (f, token, other, 1);
    g_autoptr(Reply) exists = put_packet (f, token, other, 0);
    g_autoptr(Reply) future = put_packet (f, token, other, 7);
    JsonObject *current;

    assert_problem (stale, 412, "stale-revision");
    g_assert_cmpint (json_get_int (stale->json, "current_revision"), ==, 2);
    current = json_object_get_object_member (json_node_get_object (stale->json), "current");
    g_assert_nonnull (current);
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                       json_object_get_object_member (current, "sections"), "cover"),
                       "enterprise_name"), ==, "苏州一号科技股份有限公司");
    assert_problem (exists, 412, "stale-revision");
    assert_problem (future, 412, "stale-revision");
  }

  /* Every revision is kept, with who and when. */
  {
    g_autofree char *revisions_path = packet_path (packet, "/revisions");
    g_autofree char *first_path = packet_path (packet, "/revisions/1");
    g_autofree char *missing_path = packet_path (packet, "/revisions/9");
    g_autoptr(Reply) list = server_request (f, "GET", revisions_path, token, NULL, 0, NULL);
    g_autoptr(Reply) first = server_request (f, "GET", first_path, token, NULL, 0, NULL);
    g_autoptr(Reply) missing = server_request (f, "GET", missing_path, token, NULL, 0, NULL);
    JsonArray *array;

    g_assert_cmpuint (list->status, ==, 200);
    g_assert_cmpint (json_get_int (list->json, "current"), ==, 2);
    array = json_object_get_array_member (json_node_get_object (list->json), "revisions");
    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *entry = json_array_get_object_element (array, i);

        g_assert_cmpint (json_object_get_int_member (entry, "revision"), ==, i + 1);
        g_assert_cmpint (json_object_get_int_member (entry, "base"), ==, i);
        g_assert_cmpstr (json_object_get_string_member (entry, "modified_by"), ==, "ent-1");
        g_assert_cmpstr (json_object_get_string_member (entry, "action"), ==, "put");
        g_assert_nonnull (json_object_get_string_member (entry, "modified_at"));
      }
    g_assert_cmpuint (first->status, ==, 200);
    g_assert_cmpmem (g_bytes_get_data (first->body, NULL), g_bytes_get_size (first->body),
                     v1_data, strlen (v1_data));
    assert_problem (missing, 404, "not-found");
  }

  /* The body must match the URL and be a draft or ready packet with a credit code. */
  {
    g_autoptr(CpPacket) stranger = new_packet (USCC_1, "x");
    g_autoptr(CpPacket) submitted = cp_packet_copy (v2);
    g_autoptr(CpPacket) no_code = new_packet (NULL, "无代码");
    g_autofree char *stranger_data = packet_data (stranger);
    g_autoptr(Reply) mismatch = server_request (f, "PUT", path, token, stranger_data, -1,
                                                "If-Match", "\"2\"", NULL);
    g_autoptr(Reply) state = NULL;
    g_autoptr(Reply) uscc = NULL;

    cp_packet_set_state (submitted, CP_PACKET_STATE_SUBMITTED);
    state = put_packet (f, token, submitted, 2);
    uscc = put_packet (f, token, no_code, 0);
    assert_problem (mismatch, 422, "invalid-value");
    assert_problem (state, 422, "invalid-state");
    assert_problem (uscc, 422, "invalid-value");
    g_assert_cmpstr (json_get_string (uscc->json, "pointer"), ==, "/sections/cover/uscc");
  }
}

typedef struct
{
  ServerFixture *f;
  CpPacket      *packet;
  guint          index;
  guint          status;
  GMutex        *lock;
  GCond         *cond;
  gboolean      *go;
} Writer;

static gpointer
writer_thread (gpointer user_data)
{
  Writer *w = user_data;
  g_autoptr(SoupSession) session = soup_session_new ();
  const char *token;
  g_autofree char *path = packet_path (w->packet, "");
  g_autofree char *name = g_strdup_printf ("写入者 %u", w->index);
  g_autoptr(CpPacket) mine = cp_packet_copy (w->packet);
  g_autofree char *body = NULL;
  const char *headers[] = { "If-Match", "\"1\"", NULL };
  g_autoptr(Reply) reply = NULL;

  cp_packet_set_string (mine, "cover", "enterprise_name", name);
  body = packet_data (mine);
  g_mutex_lock (w->lock);
  while (!*w->go)
    g_cond_wait (w->cond, w->lock);
  g_mutex_unlock (w->lock);

  token = g_object_get_data (G_OBJECT (w->f->session), "token");
  reply = server_request_session (session, w->f->base, "PUT", path, token, body, -1, headers);
  w->status = reply->status;
  return NULL;
}

static void
test_concurrent_writers (ServerFixture *f,
                         gconstpointer  data)
{
  enum { N_WRITERS = 8 };
  char *token = server_login (f, "agency-a");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "并发");
  g_autofree char *path = packet_path (packet, "");
  Writer writers[N_WRITERS];
  GThread *threads[N_WRITERS];
  GMutex lock;
  GCond cond;
  gboolean go = FALSE;
  guint wins = 0;
  guint stale = 0;
  int winner = -1;

  g_object_set_data_full (G_OBJECT (f->session), "token", token, g_free);
  {
    g_autoptr(Reply) created = put_packet (f, token, packet, 0);

    g_assert_cmpuint (created->status, ==, 201);
  }

  g_mutex_init (&lock);
  g_cond_init (&cond);
  for (guint i = 0; i < N_WRITERS; i++)
    {
      writers[i] = (Writer) { f, packet, i, 0, &lock, &cond, &go };
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }
  g_usleep (100 * 1000);
  g_mutex_lock (&lock);
  go = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
  for (guint i = 0; i < N_WRITERS; i++)
    {
      g_thread_join (threads[i]);
      if (writers[i].status == 200)
        wins++, winner = (int) i;
      else if (writers[i].status == 412)
        stale++;
    }
  g_mutex_clear (&lock);
  g_cond_clear (&cond);

  /* Exactly one wins, the others learn that they are stale; nothing is lost. */
  g_assert_cmpuint (wins, ==, 1);
  g_assert_cmpuint (stale, ==, N_WRITERS - 1);
  {
    g_autoptr(Reply) got = server_request (f, "GET", path, token, NULL, 0, NULL);
    g_autofree char *expected = g_strdup_printf ("写入者 %d", winner);
    JsonObject *cover;

    g_assert_cmpuint (got->status, ==, 200);
    g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (got->msg),
                                                   "ETag"), ==, "\"2\"");
    cover = json_object_get_object_member (json_object_get_object_member (
                                             json_node_get_object (got->json), "sections"),
                                           "cover");
    g_assert_cmpstr (json_object_get_string_member (cover, "enterprise_name"), ==, expected);
  }

  /* The losers merge (here: reapply their change on the current version) and retry: every
   * update lands, as its own revision. */
  for (guint i = 0; i < N_WRITERS; i++)
    {
      g_autoptr(Reply) got = NULL;
      g_autoptr(Reply) retried = NULL;
      g_autoptr(CpPacket) current = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup_printf ("写入者 %u", i);
      g_autofree char *body = NULL;
      const char *etag;

      if ((int) i == winner)
        continue;
      got = server_request (f, "GET", path, token, NULL, 0, NULL);
      etag = soup_message_headers_get_one (soup_message_get_response_headers (got->msg), "ETag");
      current = cp_packet_new_from_data (g_bytes_get_data (got->body, NULL),
                                         (gssize) g_bytes_get_size (got->body), "reply", &error);
      g_assert_no_error (error);
      cp_packet_set_string (current, "cover", "enterprise_name", name);
      body = packet_data (current);
      retried = server_request (f, "PUT", path, token, body, -1, "If-Match", etag, NULL);
      g_assert_cmpuint (retried->status, ==, 200);
    }
  {
    g_autofree char *revisions_path = packet_path (packet, "/revisions");
    g_autoptr(Reply) list = server_request (f, "GET", revisions_path, token, NULL, 0, NULL);
    JsonArray *array = json_object_get_array_member (json_node_get_object (list->json),
                                                     "revisions");

    g_assert_cmpuint (json_array_get_length (array), ==, N_WRITERS + 1);
    for (guint i = 0; i < N_WRITERS; i++)
      {
        g_autofree char *revision_path = g_strdup_printf ("%s/%u", revisions_path, i + 2);
        g_autoptr(Reply) revision = server_request (f, "GET", revision_path, token, NULL, 0, NULL);

        g_assert_cmpuint (revision->status, ==, 200);
        g_assert_nonnull (g_strstr_len (g_bytes_get_data (revision->body, NULL),
                                        (gssize) g_bytes_get_size (revision->body), "写入者"));
      }
  }
}

static void
replay_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  guint *pending = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  g_assert_no_error (error);
  (*pending)--;
}

/* Identical creations at the same moment: one creates, the others get its receipt. */
static void
test_concurrent_replay (ServerFixture *f,
                        gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "重放");
  g_autofree char *path = packet_path (packet, "");
  g_autofree char *body = packet_data (packet);
  g_autoptr(GPtrArray) messages = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("max-conns-per-host", 8, NULL);
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  guint pending = 4;
  guint created = 0;
  guint replayed = 0;

  for (guint i = 0; i < 4; i++)
    {
      SoupMessage *msg = soup_message_new ("PUT", url);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_headers_replace (soup_message_get_request_headers (msg), "If-None-Match", "*");
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                    auth);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      g_ptr_array_add (messages, msg);
    }
  for (guint i = 0; i < messages->len; i++)
    soup_session_send_and_read_async (session, g_ptr_array_index (messages, i),
                                      G_PRIORITY_DEFAULT, NULL, replay_done_cb, &pending);
  while (pending > 0)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < messages->len; i++)
    {
      guint status = soup_message_get_status (g_ptr_array_index (messages, i));

      g_assert_true (status == 201 || status == 200);
      if (status == 201)
        created++;
      else
        replayed++;
      g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (
                         g_ptr_array_index (messages, i)), "ETag"), ==, "\"1\"");
    }
  g_assert_cmpuint (created, ==, 1);
  g_assert_cmpuint (replayed, ==, 3);
}

/* --- blobs ------------------------------------------------------------------------------- */

static GBytes *
make_content (gsize  size,
              guint  seed)
{
  guint8 *data = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (seed);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_rand_free (rand);
  return g_bytes_new_take (data, size);
}

static Reply *
put_range (ServerFixture *f,
           const char    *token,
           const char    *sha,
           GBytes        *content,
           gsize          start,
           gsize          end_exclusive)
{
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
  g_autofree char *range = g_strdup_printf ("bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT "/%"
                                            G_GSIZE_FORMAT, start, end_exclusive - 1,
                                            g_bytes_get_size (content));
  const guint8 *data = g_bytes_get_data (content, NULL);

  return server_request (f, "PUT", path, token, (const char *) data + start,
                         (gssize) (end_exclusive - start), "Content-Range", range, NULL);
}

static gint64
blob_received (ServerFixture *f,
               const char    *token,
               const char    *sha)
{
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, "/status", NULL);
  g_autoptr(Reply) reply = server_request (f, "GET", path, token, NULL, 0, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  return json_get_int (reply->json, "received");
}

/* Sends the headers and @sent bytes of a @declared-byte body, then drops the connection. */
static void
broken_upload (ServerFixture *f,
               const char    *token,
               const char    *sha,
               GBytes        *content,
               gsize          start,
               gsize          sent)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *head = NULL;
  GOutputStream *out;
  gsize total = g_bytes_get_size (content);

  connection = g_socket_client_connect_to_host (client, f->base + strlen ("http://"), 0, NULL,
                                                &error);
  g_assert_no_error (error);
  head = g_strdup_printf ("PUT /api/v1/blobs/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Authorization: Bearer %s\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n"
                          "Content-Range: bytes %" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT "/%"
                          G_GSIZE_FORMAT "\r\n\r\n", sha, token, total - start, start, total - 1,
                          total);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (out, (const guint8 *) g_bytes_get_data (content, NULL) + start, sent,
                             NULL, NULL, &error);
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static void
test_blobs (ServerFixture *f,
            gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autofree char *other = server_login (f, "ent-2");
  g_autoptr(GBytes) a = make_content (300000, 1);
  g_autoptr(GBytes) b = make_content (1000, 2);
  g_autofree char *sha_a = sha256_hex (g_bytes_get_data (a, NULL), g_bytes_get_size (a));
  g_autofree char *sha_b = sha256_hex (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
  g_autofree char *missing_body = g_strdup_printf ("{\"sha256\": [\"%s\", \"%s\", \"%s\"]}", sha_a,
                                                   sha_b, sha_a);
  g_autofree char *blob_path = g_strconcat ("/api/v1/blobs/", sha_a, NULL);
  gint64 deadline;

  {
    g_autoptr(Reply) missing = server_request (f, "POST", "/api/v1/blobs/missing", token,
                                               missing_body, -1, NULL);
    JsonArray *array;

    g_assert_cmpuint (missing->status, ==, 200);
    array = json_object_get_array_member (json_node_get_object (missing->json), "missing");
    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    g_assert_cmpstr (json_array_get_string_element (array, 0), ==, sha_a);
    g_assert_cmpstr (json_array_get_string_element (array, 1), ==, sha_b);
  }

  /* First chunk. */
  {
    g_autoptr(Reply) first = put_range (f, token, sha_a, a, 0, 100000);

    g_assert_cmpuint (first->status, ==, 202);
    g_assert_cmpint (json_get_int (first->json, "received"), ==, 100000);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (first->json),
                                                    "complete"));
    g_assert_cmpint (blob_received (f, token, sha_a), ==, 100000);
  }

  /* The connection breaks after 50000 more bytes: they stay, and the upload resumes there. */
  broken_upload (f, token, sha_a, a, 100000, 50000);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (blob_received (f, token, sha_a) < 150000 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpint (blob_received (f, token, sha_a), ==, 150000);
  {
    g_autoptr(Reply) gap = NULL;
    g_autoptr(Reply) rest = NULL;

    /* The server ends the broken request when it notices the connection is gone; until then a
     * second upload of the same blob waits its turn (409 upload-in-progress). */
    deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    for (;;)
      {
        g_clear_pointer (&gap, reply_free);
        gap = put_range (f, token, sha_a, a, 200000, 300000);
        if (!(gap->status == 409 && g_str_has_suffix (json_get_string (gap->json, "type"),
                                                      "/upload-in-progress")) ||
            g_get_monotonic_time () > deadline)
          break;
        g_usleep (20 * 1000);
      }

    assert_problem (gap, 409, "upload-offset");
    g_assert_cmpint (json_get_int (gap->json, "received"), ==, 150000);
    rest = put_range (f, token, sha_a, a, 150000, 300000);
    g_assert_cmpuint (rest->status, ==, 201);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (rest->json),
                                                   "complete"));
    g_assert_cmpint (json_get_int (rest->json, "received"), ==, 300000);
  }

  {
    g_autoptr(Reply) missing = server_request (f, "POST", "/api/v1/blobs/missing", token,
                                               missing_body, -1, NULL);
    g_autoptr(Reply) missing_other = server_request (f, "POST", "/api/v1/blobs/missing", other,
                                                     missing_body, -1, NULL);
    g_autoptr(Reply) got = server_request (f, "GET", blob_path, token, NULL, 0, NULL);
    g_autoptr(Reply) head = server_request (f, "HEAD", blob_path, token, NULL, 0, NULL);
    g_autoptr(Reply) denied = server_request (f, "GET", blob_path, other, NULL, 0, NULL);
    JsonArray *array;

    array = json_object_get_array_member (json_node_get_object (missing->json), "missing");
    g_assert_cmpuint (json_array_get_length (array), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (array, 0), ==, sha_b);
    /* Another enterprise cannot learn that the server holds the file. */
    array = json_object_get_array_member (json_node_get_object (missing_other->json), "missing");
    g_assert_cmpuint (json_array_get_length (array), ==, 2);

    g_assert_cmpuint (got->status, ==, 200);
    g_assert_true (g_bytes_equal (got->body, a));
    g_assert_cmpuint (head->status, ==, 200);
    g_assert_cmpint (soup_message_headers_get_content_length (
                       soup_message_get_response_headers (head->msg)), ==, 300000);
    assert_problem (denied, 404, "not-found");
  }

  /* Bytes that do not hash to the name are refused and dropped. */
  {
    g_autofree char *path_b = g_strconcat ("/api/v1/blobs/", sha_b, NULL);
    g_autoptr(Reply) wrong = server_request (f, "PUT", path_b, token,
                                             g_bytes_get_data (a, NULL), 5000, NULL);

    assert_problem (wrong, 422, "hash-mismatch");
    g_assert_cmpint (blob_received (f, token, sha_b), ==, 0);
  }
  {
    g_autofree char *path_b = g_strconcat ("/api/v1/blobs/", sha_b, NULL);
    g_autoptr(Reply) right = server_request (f, "PUT", path_b, token, g_bytes_get_data (b, NULL),
                                             (gssize) g_bytes_get_size (b), NULL);

    g_assert_cmpuint (right->status, ==, 201);
  }

  /* Size limits (1 MiB in the fixture). */
  {
    g_autoptr(GBytes) big = make_content (1100 * 1024, 3);
    g_autofree char *sha_big = sha256_hex (g_bytes_get_data (big, NULL), g_bytes_get_size (big));
    g_autofree char *path_big = g_strconcat ("/api/v1/blobs/", sha_big, NULL);
    g_autoptr(Reply) whole = server_request (f, "PUT", path_big, token,
                                             g_bytes_get_data (big, NULL),
                                             (gssize) g_bytes_get_size (big), NULL);
    g_autoptr(Reply) ranged = put_range (f, token, sha_big, big, 0, 1000);

    assert_problem (whole, 413, "too-large");
    assert_problem (ranged, 413, "too-large");
  }
}

static void
test_blob_names (ServerFixture *f,
                 gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  const char *bad_paths[] = {
    "/api/v1/blobs/ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789",
    "/api/v1/blobs/abc",
    "/api/v1/blobs/..%2F..%2F..%2Fetc%2Fpasswd",
    "/api/v1/blobs/%2e%2e",
    "/api/v1/blobs/partial",
    "/api/v1/blobs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
    "/api/v1/blobs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
    "/api/v1/blobs/%00",
    "/api/v1/blobs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.u1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_paths); i++)
    {
      g_autoptr(Reply) get = server_request (f, "GET", bad_paths[i], token, NULL, 0, NULL);
      g_autoptr(Reply) put = server_request (f, "PUT", bad_paths[i], token, "x", 1, NULL);

      g_test_message ("%s → %u / %u", bad_paths[i], get->status, put->status);
      g_assert_cmpuint (get->status, >=, 400);
      g_assert_cmpuint (get->status, <, 500);
      g_assert_cmpuint (put->status, >=, 400);
      g_assert_cmpuint (put->status, <, 500);
      g_assert_nonnull (get->json);
      g_assert_nonnull (put->json);
    }
  /* Nothing escaped into the data directory. */
  {
    g_autofree char *partial = g_build_filename (f->dir, "blobs", "partial", NULL);
    g_autoptr(GDir) dir = g_dir_open (partial, 0, NULL);

    g_assert_nonnull (dir);
    g_assert_null (g_dir_read_name (dir));
  }
}

/* --- the changes feed -------------------------------------------------------------------- */

static JsonArray *
changes_of (Reply *reply)
{
  g_assert_cmpuint (reply->status, ==, 200);
  return json_object_get_array_member (json_node_get_object (reply->json), "changes");
}

static void
test_changes (ServerFixture *f,
              gconstpointer  data)
{
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autofree char *ent2 = server_login (f, "ent-2");
  g_autofree char *office = server_login (f, "office-kunshan");
  g_autofree char *office2 = server_login (f, "office-wuzhong");
  g_autofree char *admin = server_login (f, "admin");
  g_autofree char *agency_a = server_login (f, "agency-a");
  g_autoptr(CpPacket) p1 = new_packet (USCC_1, "一");
  g_autoptr(CpPacket) p2 = new_packet (USCC_1, "二");
  g_autoptr(CpPacket) p3 = new_packet (USCC_2, "三");
  g_autofree char *cursor = NULL;

  {
    g_autoptr(Reply) empty = server_request (f, "GET", "/api/v1/changes", ent1, NULL, 0, NULL);

    g_assert_cmpuint (json_array_get_length (changes_of (empty)), ==, 0);
    g_assert_cmpstr (json_get_string (empty->json, "next"), ==, "0");
  }
  {
    g_autoptr(Reply) r1 = put_packet (f, ent1, p1, 0);
    g_autoptr(Reply) r2 = put_packet (f, agency_a, p2, 0);
    g_autoptr(Reply) r3 = put_packet (f, ent2, p3, 0);

    g_assert_cmpuint (r1->status, ==, 201);
    g_assert_cmpuint (r2->status, ==, 201);
    g_assert_cmpuint (r3->status, ==, 201);
  }
  {
    g_autoptr(Reply) all = server_request (f, "GET", "/api/v1/changes?since=0", ent1, NULL, 0,
                                           NULL);
    JsonArray *array = changes_of (all);

    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                    "uuid"), ==, cp_packet_get_uuid (p1));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1),
                                                    "uuid"), ==, cp_packet_get_uuid (p2));
    g_assert_false (json_object_get_boolean_member (json_node_get_object (all->json), "more"));
    cursor = g_strdup (json_get_string (all->json, "next"));
    g_assert_cmpstr (cursor, ==, "3");
  }
  {
    g_autofree char *path = g_strconcat ("/api/v1/changes?since=", cursor, NULL);
    g_autoptr(Reply) none = server_request (f, "GET", path, ent1, NULL, 0, NULL);
    g_autoptr(Reply) updated = NULL;
    g_autoptr(Reply) one = NULL;

    g_assert_cmpuint (json_array_get_length (changes_of (none)), ==, 0);
    g_assert_cmpstr (json_get_string (none->json, "next"), ==, cursor);

    cp_packet_set_string (p1, "cover", "enterprise_name", "一号");
    updated = put_packet (f, ent1, p1, 1);
    g_assert_cmpuint (updated->status, ==, 200);
    one = server_request (f, "GET", path, ent1, NULL, 0, NULL);
    g_assert_cmpuint (json_array_get_length (changes_of (one)), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (changes_of (one), 0),
                                                 "revision"), ==, 2);
    g_assert_cmpstr (json_get_string (one->json, "next"), ==, "4");
  }
  /* Paging. */
  {
    g_autoptr(Reply) page = server_request (f, "GET", "/api/v1/changes?since=0&limit=1", admin,
                                            NULL, 0, NULL);

    g_assert_cmpuint (json_array_get_length (changes_of (page)), ==, 1);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (page->json), "more"));
    g_assert_cmpstr (json_get_string (page->json, "next"), ==, "2");
  }
  /* Each role sees its tenants only. */
  {
    struct { const char *token; guint expected; } views[] = {
      /* The offices see none of these drafts: test_submit_complete sees one handed in. */
      { ent1, 2 }, { ent2, 1 }, { office, 0 }, { office2, 0 }, { admin, 3 }, { agency_a, 2 },
    };

    for (guint i = 0; i < G_N_ELEMENTS (views); i++)
      {
        g_autoptr(Reply) reply = server_request (f, "GET", "/api/v1/changes", views[i].token,
                                                 NULL, 0, NULL);

        g_assert_cmpuint (json_array_get_length (changes_of (reply)), ==, views[i].expected);
      }
  }
  {
    g_autoptr(Reply) bad = server_request (f, "GET", "/api/v1/changes?since=abc", ent1, NULL, 0,
                                           NULL);
    g_autoptr(Reply) negative = server_request (f, "GET", "/api/v1/changes?since=-1", ent1, NULL,
                                                0, NULL);
    g_autoptr(Reply) limit = server_request (f, "GET", "/api/v1/changes?limit=100000", ent1,
                                             NULL, 0, NULL);

    assert_problem (bad, 400, "bad-request");
    assert_problem (negative, 400, "bad-request");
    assert_problem (limit, 400, "bad-request");
  }
}

/* The canonical body GET /packets/UUID serves to @token. */
static GBytes *
get_body (ServerFixture *f,
          const char    *token,
          const char    *uuid)
{
  g_autofree char *path = g_strconcat ("/api/v1/packets/", uuid, NULL);
  g_autoptr(Reply) reply = server_request (f, "GET", path, token, NULL, 0, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  return g_bytes_ref (reply->body);
}

/* Each entry's "packet" is the body GET /packets/UUID gives (same JSON, same SHA-256 as the
 * receipt). */
static void
assert_bodies_match (ServerFixture *f,
                     const char    *token,
                     JsonArray     *array)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      const char *uuid = json_object_get_string_member (entry, "uuid");
      JsonNode *packet = json_object_get_member (entry, "packet");
      g_autoptr(GBytes) body = get_body (f, token, uuid);
      g_autoptr(JsonNode) expected = json_from_string (g_bytes_get_data (body, NULL), NULL);
      g_autofree char *sha = sha256_hex (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      g_assert_nonnull (packet);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (packet));
      g_assert_true (json_node_equal (packet, expected));
      g_assert_cmpstr (json_object_get_string_member (entry, "sha256"), ==, sha);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (packet), "uuid"), ==,
                       uuid);
    }
}

static void
test_changes_bodies (ServerFixture *f,
                     gconstpointer  data)
{
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autofree char *ent2 = server_login (f, "ent-2");
  g_autofree char *admin = server_login (f, "admin");
  g_autofree char *office2 = server_login (f, "office-wuzhong");
  g_autoptr(CpPacket) p1 = new_packet (USCC_1, "甲公司");
  g_autoptr(CpPacket) p2 = new_packet (USCC_1, "乙公司");
  g_autoptr(CpPacket) p3 = new_packet (USCC_2, "丙公司机密");

  {
    g_autoptr(Reply) r1 = put_packet (f, ent1, p1, 0);
    g_autoptr(Reply) r2 = put_packet (f, ent1, p2, 0);
    g_autoptr(Reply) r3 = put_packet (f, ent2, p3, 0);

    g_assert_cmpuint (r1->status, ==, 201);
    g_assert_cmpuint (r2->status, ==, 201);
    g_assert_cmpuint (r3->status, ==, 201);
  }
  /* An enterprise gets its own packets with their bodies, never another's. */
  {
    g_autoptr(Reply) page = server_request (f, "GET", "/api/v1/changes?since=0&bodies=1", ent1,
                                            NULL, 0, NULL);
    JsonArray *array = changes_of (page);
    g_autofree char *text = g_strndup (g_bytes_get_data (page->body, NULL),
                                       g_bytes_get_size (page->body));

    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                    "uuid"), ==, cp_packet_get_uuid (p1));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 1),
                                                    "uuid"), ==, cp_packet_get_uuid (p2));
    assert_bodies_match (f, ent1, array);
    g_assert_nonnull (strstr (text, "乙公司"));
    g_assert_null (strstr (text, "丙公司机密"));
    g_assert_null (strstr (text, cp_packet_get_uuid (p3)));
    g_assert_false (json_object_get_boolean_member (json_node_get_object (page->json), "more"));
    g_assert_cmpstr (json_get_string (page->json, "next"), ==, "3");
  }
  {
    g_autoptr(Reply) page = server_request (f, "GET", "/api/v1/changes?bodies=1", ent2, NULL, 0,
                                            NULL);
    g_autoptr(Reply) office = server_request (f, "GET", "/api/v1/changes?bodies=1", office2,
                                              NULL, 0, NULL);
    g_autoptr(Reply) all = server_request (f, "GET", "/api/v1/changes?bodies=1&limit=2", admin,
                                           NULL, 0, NULL);
    g_autofree char *text = g_strndup (g_bytes_get_data (page->body, NULL),
                                       g_bytes_get_size (page->body));

    g_assert_cmpuint (json_array_get_length (changes_of (page)), ==, 1);
    assert_bodies_match (f, ent2, changes_of (page));
    g_assert_null (strstr (text, "甲公司"));
    g_assert_null (strstr (text, "乙公司"));
    /* Drafts all: the office gets none (test_submit_complete has it get one handed in). */
    g_assert_cmpuint (json_array_get_length (changes_of (office)), ==, 0);
    g_assert_null (g_strstr_len (g_bytes_get_data (office->body, NULL),
                                 (gssize) g_bytes_get_size (office->body), "丙公司机密"));
    /* The count limit still holds. */
    g_assert_cmpuint (json_array_get_length (changes_of (all)), ==, 2);
    g_assert_true (json_object_get_boolean_member (json_node_get_object (all->json), "more"));
    g_assert_cmpstr (json_get_string (all->json, "next"), ==, "2");
    assert_bodies_match (f, admin, changes_of (all));
  }
  /* Without the parameter (or with 0): receipts only, as before. */
  {
    const char *paths[] = { "/api/v1/changes", "/api/v1/changes?bodies=0" };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(Reply) page = server_request (f, "GET", paths[i], ent1, NULL, 0, NULL);
        JsonArray *array = changes_of (page);

        g_assert_cmpuint (json_array_get_length (array), ==, 2);
        g_assert_false (json_object_has_member (json_array_get_object_element (array, 0),
                                                "packet"));
      }
  }
  {
    const char *bad[] = { "bodies=2", "bodies=yes", "bodies=-1", "bodies=", "bodies=1x",
                          "bodies=true" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strconcat ("/api/v1/changes?", bad[i], NULL);
        g_autoptr(Reply) reply = server_request (f, "GET", path, ent1, NULL, 0, NULL);

        assert_problem (reply, 400, "bad-request");
      }
  }
}

#define CHANGES_CAP 3000

static void
configure_small_pages (ServerFixture *f)
{
  f->config.changes_max_bytes = CHANGES_CAP;
}

/* Pages are cut by the bytes of their bodies too: as many as fit, and a body larger than the
 * cap alone. Following the cursor still gives every packet once, in order. */
static void
test_changes_bodies_cap (ServerFixture *f,
                         gconstpointer  data)
{
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) sizes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *cursor = g_strdup ("0");
  guint seen = 0;
  guint pages = 0;
  gboolean more = TRUE;
  gboolean saw_alone = FALSE;

  for (guint i = 0; i < 7; i++)
    {
      g_autoptr(CpPacket) packet = new_packet (USCC_1, "分页公司");
      /* About 1 KB each, and one (the fifth) larger than the whole cap. */
      g_autofree char *filler = g_strnfill (i == 4 ? 2 * CHANGES_CAP : 900 + 50 * i, 'x');
      g_autoptr(Reply) reply = NULL;
      g_autoptr(GBytes) body = NULL;

      cp_packet_set_string (packet, "cover", "address", filler);
      reply = put_packet (f, ent1, packet, 0);
      g_assert_cmpuint (reply->status, ==, 201);
      body = get_body (f, ent1, cp_packet_get_uuid (packet));
      g_ptr_array_add (uuids, g_strdup (cp_packet_get_uuid (packet)));
      g_hash_table_insert (sizes, g_strdup (cp_packet_get_uuid (packet)),
                           GSIZE_TO_POINTER (g_bytes_get_size (body)));
    }

  while (more)
    {
      g_autofree char *path = g_strconcat ("/api/v1/changes?limit=1000&bodies=1&since=", cursor,
                                           NULL);
      g_autoptr(Reply) page = server_request (f, "GET", path, ent1, NULL, 0, NULL);
      JsonArray *array = changes_of (page);
      guint n = json_array_get_length (array);
      gsize bytes = 0;

      g_assert_cmpuint (++pages, <=, uuids->len);
      g_assert_cmpuint (n, >=, 1);
      for (guint i = 0; i < n; i++)
        {
          const char *uuid = json_object_get_string_member (json_array_get_object_element (array,
                                                                                          i),
                                                            "uuid");

          g_assert_cmpstr (uuid, ==, g_ptr_array_index (uuids, seen));
          bytes += GPOINTER_TO_SIZE (g_hash_table_lookup (sizes, uuid));
          seen++;
        }
      assert_bodies_match (f, ent1, array);
      more = json_object_get_boolean_member (json_node_get_object (page->json), "more");
      if (n > 1)
        g_assert_cmpuint (bytes, <=, CHANGES_CAP);
      else if (bytes > CHANGES_CAP)
        saw_alone = TRUE;
      /* As many as fit: the next packet would have gone over. */
      if (more)
        g_assert_cmpuint (bytes + GPOINTER_TO_SIZE (g_hash_table_lookup (
                            sizes, g_ptr_array_index (uuids, seen))), >, CHANGES_CAP);
      g_free (cursor);
      cursor = g_strdup (json_get_string (page->json, "next"));
    }
  g_assert_cmpuint (seen, ==, uuids->len);
  g_assert_true (saw_alone);
  g_assert_cmpuint (pages, >=, 4);
  g_test_message ("%u packets in %u pages", seen, pages);
}

/* --- workflow ---------------------------------------------------------------------------- */

static void
test_submit_incomplete (ServerFixture *f,
                        gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "不完整");
  g_autofree char *submit = packet_path (packet, "/submit");

  {
    g_autoptr(Reply) created = put_packet (f, token, packet, 0);

    g_assert_cmpuint (created->status, ==, 201);
  }
  {
    g_autoptr(Reply) reply = server_request (f, "POST", submit, token, NULL, 0, NULL);
    JsonArray *findings;
    JsonArray *errors;
    guint n_errors = 0;

    assert_problem (reply, 422, "incomplete");
    findings = json_object_get_array_member (json_node_get_object (reply->json), "findings");
    errors = json_object_get_array_member (json_node_get_object (reply->json), "errors");
    g_assert_nonnull (findings);
    g_assert_cmpuint (json_array_get_length (findings), >, 0);
    for (guint i = 0; i < json_array_get_length (findings); i++)
      {
        JsonObject *finding = json_array_get_object_element (findings, i);

        g_assert_nonnull (json_object_get_string_member (finding, "code"));
        g_assert_nonnull (json_object_get_string_member (finding, "message"));
        if (g_str_equal (json_object_get_string_member (finding, "severity"), "error"))
          n_errors++;
      }
    g_assert_cmpuint (n_errors, >, 0);
    g_assert_cmpuint (json_array_get_length (errors), ==, n_errors);
    g_assert_true (g_str_has_prefix (json_object_get_string_member (
                     json_array_get_object_element (errors, 0), "pointer"), "/sections/"));
  }
  /* Nothing changed. */
  {
    g_autofree char *path = packet_path (packet, "");
    g_autoptr(Reply) got = server_request (f, "GET", path, token, NULL, 0, NULL);

    g_assert_cmpstr (json_get_string (got->json, "state"), ==, "draft");
  }
}

static void
test_return_accept (ServerFixture *f,
                    gconstpointer  data)
{
  g_autofree char *ent = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "退回测试");
  g_autofree char *return_path = packet_path (packet, "/return");
  g_autofree char *accept_path = packet_path (packet, "/accept");
  g_autofree char *comments_path = packet_path (packet, "/comments");
  g_autofree char *path = packet_path (packet, "");
  g_autofree char *office = NULL;
  g_autofree char *office2 = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *admin = NULL;
  const char *comment = "{\"comments\": [{\"section\": \"cover\", \"field\": \"uscc\", "
                        "\"comment\": \"统一社会信用代码与营业执照不一致\"}]}";

  {
    g_autoptr(Reply) created = put_packet (f, ent, packet, 0);

    g_assert_cmpuint (created->status, ==, 201);
  }
  force_state (f, packet, CP_PACKET_STATE_SUBMITTED, 2020, KIND);
  /* The server restarted: sessions live in the database and survive. */
  office = server_login (f, "office-kunshan");
  office2 = server_login (f, "office-wuzhong");
  agency = server_login (f, "agency-a");
  admin = server_login (f, "admin");

  {
    g_autoptr(Reply) by_ent = server_request (f, "POST", accept_path, ent, NULL, 0, NULL);
    g_autoptr(Reply) by_agency = server_request (f, "POST", return_path, agency, comment, -1,
                                                 NULL);
    g_autoptr(Reply) by_admin = server_request (f, "POST", accept_path, admin, NULL, 0, NULL);
    g_autoptr(Reply) other_district = server_request (f, "POST", accept_path, office2, NULL, 0,
                                                      NULL);
    g_autoptr(Reply) no_comment = server_request (f, "POST", return_path, office,
                                                  "{\"comments\": []}", -1, NULL);
    g_autoptr(Reply) edit = NULL;

    assert_problem (by_ent, 403, "forbidden");
    assert_problem (by_agency, 403, "forbidden");
    assert_problem (by_admin, 403, "forbidden");
    assert_problem (other_district, 404, "not-found");
    assert_problem (no_comment, 422, "invalid-value");
    /* A submitted packet is locked. */
    cp_packet_set_string (packet, "cover", "enterprise_name", "改");
    edit = put_packet (f, ent, packet, 2);
    assert_problem (edit, 409, "invalid-state");
  }
  {
    g_autoptr(Reply) returned = server_request (f, "POST", return_path, office, comment, -1, NULL);
    g_autoptr(Reply) listed = server_request (f, "GET", comments_path, ent, NULL, 0, NULL);
    g_autoptr(Reply) again = server_request (f, "POST", accept_path, office, NULL, 0, NULL);
    JsonObject *first;

    g_assert_cmpuint (returned->status, ==, 200);
    g_assert_cmpstr (json_get_string (returned->json, "state"), ==, "returned");
    g_assert_cmpint (json_get_int (returned->json, "revision"), ==, 3);
    g_assert_cmpstr (json_get_string (returned->json, "modified_by"), ==, "office-kunshan");
    g_assert_cmpuint (listed->status, ==, 200);
    first = json_array_get_object_element (json_object_get_array_member (
                                             json_node_get_object (listed->json), "comments"), 0);
    g_assert_cmpstr (json_object_get_string_member (first, "section"), ==, "cover");
    g_assert_cmpstr (json_object_get_string_member (first, "field"), ==, "uscc");
    g_assert_cmpstr (json_object_get_string_member (first, "author"), ==, "office-kunshan");
    g_assert_cmpint (json_object_get_int_member (first, "revision"), ==, 3);
    /* Only a submitted packet can be accepted. */
    assert_problem (again, 409, "invalid-state");
  }
  /* The enterprise can edit a returned packet again. */
  {
    g_autoptr(Reply) got = server_request (f, "GET", path, ent, NULL, 0, NULL);
    g_autoptr(CpPacket) fixed = NULL;
    g_autoptr(Reply) saved = NULL;
    g_autoptr(GError) error = NULL;

    fixed = cp_packet_new_from_data (g_bytes_get_data (got->body, NULL),
                                     (gssize) g_bytes_get_size (got->body), "reply", &error);
    g_assert_no_error (error);
    g_assert_cmpint (cp_packet_get_state (fixed), ==, CP_PACKET_STATE_RETURNED);
    cp_packet_set_state (fixed, CP_PACKET_STATE_DRAFT);
    saved = put_packet (f, ent, fixed, 3);
    g_assert_cmpuint (saved->status, ==, 200);
    g_assert_cmpint (json_get_int (saved->json, "revision"), ==, 4);
  }
  force_state (f, packet, CP_PACKET_STATE_SUBMITTED, 2020, KIND);
  {
    g_autoptr(Reply) accepted = server_request (f, "POST", accept_path, office, NULL, 0, NULL);
    g_autoptr(Reply) replay = server_request (f, "POST", accept_path, office, NULL, 0,
                                              "If-Match", "\"5\"", NULL);
    g_autoptr(Reply) returned = server_request (f, "POST", return_path, office, comment, -1,
                                                NULL);

    g_assert_cmpuint (accepted->status, ==, 200);
    g_assert_cmpstr (json_get_string (accepted->json, "state"), ==, "accepted");
    g_assert_cmpint (json_get_int (accepted->json, "revision"), ==, 6);
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"), ==, 6);
    assert_problem (returned, 409, "invalid-state");
  }
}

/* A complete packet (the core's demo for this year, in Kunshan) with real attachments: the agency
 * uploads what "missing" asks for and submits; the office accepts. */
static void
test_submit_complete (ServerFixture *f,
                      gconstpointer  data)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) contents = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *office = NULL;
  g_autofree char *submit_path = NULL;
  g_autofree char *accept_path = NULL;
  GPtrArray *attachments;
  CpServerStorage *storage;
  gsize length;
  char *json;

  for (guint seed = 1; seed < 200 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry, KIND,
                                                               g_date_time_get_year (now), seed);

      if (candidate != NULL && strncmp (cp_packet_get_uscc (candidate) + 2, "320583", 6) == 0)
        demo = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (demo);

  /* Give every attachment real bytes, and rename it by their hash everywhere it is named. */
  json = cp_packet_to_data (demo, FALSE, &length);
  text = g_string_new (json);
  g_free (json);
  attachments = cp_packet_get_attachments (demo);
  g_assert_cmpuint (attachments->len, >, 0);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      GBytes *bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = sha256_hex ((const guint8 *) body, strlen (body));

      g_string_replace (text, attachment->sha256, sha, 0);
      g_ptr_array_add (contents, bytes);
    }
  /* The demo packets are made with the newest version of the kind; this test walks the
   * legacy chain (an agency submits, the office accepts), that of the 2020.1 format, whose
   * sections are the same. */
  {
    g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                               cp_packet_get_template_version (demo));
    g_autofree char *legacy = g_strdup_printf ("\"template_version\":\"%s\"",
                                               template_version);

    g_assert_cmpuint (g_string_replace (text, newest, legacy, 1), ==, 1);
  }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_template_version (packet), ==, template_version);
  /* The server validates on the day of submission: the report must be valid today. */
  {
    g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
    g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");

    cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  }

  /* The enterprise is a client of agency A. */
  server_fixture_stop (f);
  storage = server_fixture_open_storage (f);
  cp_server_storage_assign (storage, cp_packet_get_uscc (packet), "A", &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
  server_fixture_start (f);

  agency = server_login (f, "agency-a");
  office = server_login (f, "office-kunshan");
  submit_path = packet_path (packet, "/submit");
  accept_path = packet_path (packet, "/accept");
  {
    g_autoptr(Reply) created = put_packet (f, agency, packet, 0);
    g_autoptr(Reply) early = server_request (f, "POST", submit_path, agency, NULL, 0, NULL);
    JsonArray *findings;
    gboolean blob_missing = FALSE;

    g_assert_cmpuint (created->status, ==, 201);
    /* The attachments are not uploaded yet: that alone blocks the submission. */
    assert_problem (early, 422, "incomplete");
    findings = json_object_get_array_member (json_node_get_object (early->json), "findings");
    for (guint i = 0; i < json_array_get_length (findings); i++)
      {
        JsonObject *finding = json_array_get_object_element (findings, i);

        if (g_str_equal (json_object_get_string_member (finding, "severity"), "error"))
          {
            g_test_message ("finding: %s", json_object_get_string_member (finding, "message"));
            g_assert_cmpstr (json_object_get_string_member (finding, "code"), ==,
                             "blob-missing");
            blob_missing = TRUE;
          }
      }
    g_assert_true (blob_missing);
  }
  for (guint i = 0; i < contents->len; i++)
    {
      GBytes *bytes = g_ptr_array_index (contents, i);
      g_autofree char *sha = sha256_hex (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
      g_autoptr(Reply) uploaded = server_request (f, "PUT", path, agency,
                                                  g_bytes_get_data (bytes, NULL),
                                                  (gssize) g_bytes_get_size (bytes), NULL);

      g_assert_cmpuint (uploaded->status, ==, 201);
    }
  /* A draft is the enterprise's and its agency's: the office neither lists nor reads it, nor
   * its attachments, until it is handed in. */
  {
    g_autofree char *get_path = packet_path (packet, "");
    g_autofree char *first_sha = sha256_hex (g_bytes_get_data (g_ptr_array_index (contents, 0),
                                                               NULL),
                                             g_bytes_get_size (g_ptr_array_index (contents, 0)));
    g_autofree char *blob_path = g_strconcat ("/api/v1/blobs/", first_sha, NULL);
    g_autoptr(Reply) feed = server_request (f, "GET", "/api/v1/changes", office, NULL, 0, NULL);
    g_autoptr(Reply) got = server_request (f, "GET", get_path, office, NULL, 0, NULL);
    g_autoptr(Reply) blob = server_request (f, "GET", blob_path, office, NULL, 0, NULL);
    g_autoptr(Reply) history = NULL;
    g_autofree char *history_path = packet_path (packet, "/revisions");

    g_assert_cmpuint (json_array_get_length (changes_of (feed)), ==, 0);
    g_assert_cmpuint (got->status, ==, 404);
    g_assert_cmpuint (blob->status, ==, 404);
    history = server_request (f, "GET", history_path, office, NULL, 0, NULL);
    g_assert_cmpuint (history->status, ==, 404);
  }
  {
    g_autoptr(Reply) submitted = server_request (f, "POST", submit_path, agency, NULL, 0,
                                                 "If-Match", "\"1\"", NULL);
    g_autoptr(Reply) replay = server_request (f, "POST", submit_path, agency, NULL, 0,
                                              "If-Match", "\"1\"", NULL);
    g_autoptr(Reply) accepted = NULL;
    g_autoptr(Reply) blob = NULL;
    g_autofree char *blob_path = NULL;
    g_autofree char *first_sha = NULL;

    if (submitted->status != 200)
      g_test_message ("%.*s", (int) g_bytes_get_size (submitted->body),
                      (const char *) g_bytes_get_data (submitted->body, NULL));
    g_assert_cmpuint (submitted->status, ==, 200);
    g_assert_cmpstr (json_get_string (submitted->json, "state"), ==, "submitted");
    g_assert_cmpstr (json_get_string (submitted->json, "action"), ==, "submit");
    g_assert_cmpint (json_get_int (submitted->json, "revision"), ==, 2);
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"), ==, 2);

    /* Handed in, it is in its district office's feed, and in no other office's. */
    {
      g_autofree char *other = server_login (f, "office-wuzhong");
      g_autoptr(Reply) feed = server_request (f, "GET", "/api/v1/changes?bodies=1", office,
                                              NULL, 0, NULL);
      g_autoptr(Reply) elsewhere = server_request (f, "GET", "/api/v1/changes", other, NULL, 0,
                                                   NULL);

      g_assert_cmpuint (json_array_get_length (changes_of (feed)), ==, 1);
      g_assert_cmpstr (json_object_get_string_member (
                         json_array_get_object_element (changes_of (feed), 0), "state"),
                       ==, "submitted");
      assert_bodies_match (f, office, changes_of (feed));
      g_assert_cmpuint (json_array_get_length (changes_of (elsewhere)), ==, 0);
    }

    accepted = server_request (f, "POST", accept_path, office, NULL, 0, NULL);
    g_assert_cmpuint (accepted->status, ==, 200);
    g_assert_cmpstr (json_get_string (accepted->json, "state"), ==, "accepted");
    g_assert_cmpstr (json_get_string (accepted->json, "modified_by"), ==, "office-kunshan");

    /* The office can read the attachments of packets in its district. */
    first_sha = sha256_hex (g_bytes_get_data (g_ptr_array_index (contents, 0), NULL),
                            g_bytes_get_size (g_ptr_array_index (contents, 0)));
    blob_path = g_strconcat ("/api/v1/blobs/", first_sha, NULL);
    blob = server_request (f, "GET", blob_path, office, NULL, 0, NULL);
    g_assert_cmpuint (blob->status, ==, 200);
  }
  {
    g_autoptr(Reply) progress = server_request (f, "GET", "/api/v1/progress?year=2026", office,
                                                NULL, 0, NULL);

    g_assert_cmpuint (progress->status, ==, 200);
  }
}

/* --- the access matrix ------------------------------------------------------------------- */

typedef enum
{
  EP_GET,
  EP_REVISIONS,
  EP_REVISION,
  EP_COMMENTS,
  EP_PUT,
  EP_SUBMIT,
  EP_RETURN,
  EP_ACCEPT,
  EP_BLOB,
  N_ENDPOINTS
} Endpoint;

static const char *endpoint_names[] = {
  "GET packet", "GET revisions", "GET revision", "GET comments", "PUT packet", "POST submit",
  "POST return", "POST accept", "GET blob",
};

static void
test_access_matrix (ServerFixture *f,
                    gconstpointer  data)
{
  /* Expected status per role for its own tenant's packet and for another tenant's. Submit on
   * the own packet reaches the validator (422: the packet is incomplete); return and accept on a
   * draft reach the state check (409). Both prove that the role and the tenant passed. */
  static const struct
  {
    const char *user;
    guint       own[N_ENDPOINTS];
    guint       other[N_ENDPOINTS];
  } matrix[] = {
    { "ent-1",
      { 200, 200, 200, 200, 200, 422, 403, 403, 200 },
      { 404, 404, 404, 404, 403, 404, 404, 404, 404 } },
    { "agency-a",
      { 200, 200, 200, 200, 200, 422, 403, 403, 200 },
      { 404, 404, 404, 404, 403, 404, 404, 404, 404 } },
    /* The office's own district's packet is a draft: the office does not see it (issue 11),
     * and test_submit_complete reads one handed in. */
    { "office-kunshan",
      { 404, 404, 404, 404, 403, 404, 404, 404, 404 },
      { 404, 404, 404, 404, 403, 404, 404, 404, 404 } },
    { "admin",
      { 200, 200, 200, 200, 200, 403, 403, 403, 200 },
      { 200, 200, 200, 200, 200, 403, 403, 403, 200 } },
  };
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autofree char *ent2 = server_login (f, "ent-2");
  g_autoptr(CpPacket) own = new_packet (USCC_1, "自己的");
  g_autoptr(CpPacket) other = new_packet (USCC_2, "别人的");
  g_autoptr(GBytes) blob_own = make_content (100, 10);
  g_autoptr(GBytes) blob_other = make_content (100, 11);
  g_autofree char *sha_own = sha256_hex (g_bytes_get_data (blob_own, NULL), 100);
  g_autofree char *sha_other = sha256_hex (g_bytes_get_data (blob_other, NULL), 100);

  /* Each enterprise uploads its blob and lists it in its packet. */
  {
    g_autofree char *p1 = g_strconcat ("/api/v1/blobs/", sha_own, NULL);
    g_autofree char *p2 = g_strconcat ("/api/v1/blobs/", sha_other, NULL);
    g_autoptr(Reply) u1 = server_request (f, "PUT", p1, ent1, g_bytes_get_data (blob_own, NULL),
                                          100, NULL);
    g_autoptr(Reply) u2 = server_request (f, "PUT", p2, ent2, g_bytes_get_data (blob_other, NULL),
                                          100, NULL);
    g_autoptr(Reply) c1 = NULL;
    g_autoptr(Reply) c2 = NULL;

    g_assert_cmpuint (u1->status, ==, 201);
    g_assert_cmpuint (u2->status, ==, 201);
    cp_packet_add_attachment (own, "own.pdf", sha_own, 100, "application/pdf");
    cp_packet_add_attachment (other, "other.pdf", sha_other, 100, "application/pdf");
    c1 = put_packet (f, ent1, own, 0);
    c2 = put_packet (f, ent2, other, 0);
    g_assert_cmpuint (c1->status, ==, 201);
    g_assert_cmpuint (c2->status, ==, 201);
  }

  for (guint r = 0; r < G_N_ELEMENTS (matrix); r++)
    {
      g_autofree char *token = server_login (f, matrix[r].user);

      for (guint t = 0; t < 2; t++)
        {
          CpPacket *packet = t == 0 ? own : other;
          const char *sha = t == 0 ? sha_own : sha_other;
          const guint *expected = t == 0 ? matrix[r].own : matrix[r].other;

          for (guint e = 0; e < N_ENDPOINTS; e++)
            {
              g_autoptr(Reply) reply = NULL;
              g_autofree char *path = NULL;

              switch ((Endpoint) e)
                {
                case EP_GET:
                  path = packet_path (packet, "");
                  reply = server_request (f, "GET", path, token, NULL, 0, NULL);
                  break;
                case EP_REVISIONS:
                  path = packet_path (packet, "/revisions");
                  reply = server_request (f, "GET", path, token, NULL, 0, NULL);
                  break;
                case EP_REVISION:
                  path = packet_path (packet, "/revisions/1");
                  reply = server_request (f, "GET", path, token, NULL, 0, NULL);
                  break;
                case EP_COMMENTS:
                  path = packet_path (packet, "/comments");
                  reply = server_request (f, "GET", path, token, NULL, 0, NULL);
                  break;
                case EP_PUT:
                  {
                    g_autofree char *current_path = packet_path (packet, "");
                    g_autoptr(Reply) current = server_request (f, "GET", current_path, ent1,
                                                               NULL, 0, NULL);
                    g_autoptr(Reply) current2 = server_request (f, "GET", current_path, ent2,
                                                                NULL, 0, NULL);
                    Reply *visible = current->status == 200 ? current : current2;
                    const char *etag = soup_message_headers_get_one (
                      soup_message_get_response_headers (visible->msg), "ETag");
                    g_autofree char *name = g_strdup_printf ("%s-%u", matrix[r].user, t);
                    g_autofree char *body = NULL;

                    g_assert_cmpuint (visible->status, ==, 200);
                    cp_packet_set_string (packet, "cover", "enterprise_name", name);
                    body = packet_data (packet);
                    reply = server_request (f, "PUT", current_path, token, body, -1, "If-Match",
                                            etag, NULL);
                  }
                  break;
                case EP_SUBMIT:
                  path = packet_path (packet, "/submit");
                  reply = server_request (f, "POST", path, token, NULL, 0, NULL);
                  break;
                case EP_RETURN:
                  path = packet_path (packet, "/return");
                  reply = server_request (f, "POST", path, token,
                                          "{\"comments\": [{\"comment\": \"缺材料\"}]}", -1, NULL);
                  break;
                case EP_ACCEPT:
                  path = packet_path (packet, "/accept");
                  reply = server_request (f, "POST", path, token, NULL, 0, NULL);
                  break;
                case EP_BLOB:
                  path = g_strconcat ("/api/v1/blobs/", sha, NULL);
                  reply = server_request (f, "GET", path, token, NULL, 0, NULL);
                  break;
                case N_ENDPOINTS:
                default:
                  g_assert_not_reached ();
                }
              if (reply->status != expected[e])
                g_test_message ("%s × %s × %s: %u, expected %u", matrix[r].user,
                                endpoint_names[e], t == 0 ? "own" : "other", reply->status,
                                expected[e]);
              g_assert_cmpuint (reply->status, ==, expected[e]);
              if (reply->status >= 400)
                g_assert_nonnull (reply->json);
            }
        }
    }

  /* Knowing a hash is not enough: listing another tenant's blob in one's own packet does not
   * make it readable; only uploading the bytes does. */
  {
    g_autoptr(CpPacket) thief = new_packet (USCC_2, "借用");
    g_autofree char *blob_path = g_strconcat ("/api/v1/blobs/", sha_own, NULL);
    g_autofree char *missing_body = g_strdup_printf ("{\"sha256\": [\"%s\"]}", sha_own);
    g_autoptr(Reply) created = NULL;
    g_autoptr(Reply) denied = NULL;
    g_autoptr(Reply) missing = NULL;
    g_autoptr(Reply) uploaded = NULL;
    g_autoptr(Reply) allowed = NULL;

    cp_packet_add_attachment (thief, "borrowed.pdf", sha_own, 100, "application/pdf");
    created = put_packet (f, ent2, thief, 0);
    g_assert_cmpuint (created->status, ==, 201);
    denied = server_request (f, "GET", blob_path, ent2, NULL, 0, NULL);
    assert_problem (denied, 404, "not-found");
    missing = server_request (f, "POST", "/api/v1/blobs/missing", ent2, missing_body, -1, NULL);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (missing->json), "missing")), ==, 1);
    uploaded = server_request (f, "PUT", blob_path, ent2, g_bytes_get_data (blob_own, NULL), 100,
                               NULL);
    g_assert_cmpuint (uploaded->status, ==, 201);
    allowed = server_request (f, "GET", blob_path, ent2, NULL, 0, NULL);
    g_assert_cmpuint (allowed->status, ==, 200);
  }

  /* Endpoints without a packet: unauthenticated requests are refused everywhere. */
  {
    const char *paths[] = { "/api/v1/changes", "/api/v1/templates", "/api/v1/progress?year=2020",
                            "/api/v1/session", "/api/v1/blobs/missing" };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(Reply) reply = server_request (f, i == 4 ? "POST" : "GET", paths[i], NULL,
                                                 i == 4 ? "{\"sha256\": []}" : NULL, -1, NULL);

        assert_problem (reply, 401, "unauthorized");
      }
  }
}

/* --- bad input --------------------------------------------------------------------------- */

static void
test_malformed (ServerFixture *f,
                gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "坏输入");
  g_autofree char *path = packet_path (packet, "");
  g_autofree char *good = packet_data (packet);
  g_autofree char *wrong_type = NULL;
  g_autofree char *unknown = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *upper_uuid = g_ascii_strup (cp_packet_get_uuid (packet), -1);
  g_autofree char *upper = g_strconcat ("/api/v1/packets/", upper_uuid, NULL);
  g_autofree char *revision_zero = packet_path (packet, "/revisions/0");
  g_autofree char *revision_text = packet_path (packet, "/revisions/abc");
  GString *big = g_string_new (NULL);
  g_autoptr(GString) s = NULL;
  struct
  {
    const char *method;
    const char *path;
    const char *body;
    gssize      length;
    guint       status;
    const char *type;
  } cases[] = {
    { "PUT", "/api/v1/packets/not-a-uuid", "{}", -1, 400, "invalid-uuid" },
    { "GET", "/api/v1/packets/12345678-1234-1234-1234-1234567890ab/x", NULL, 0, 404, "not-found" },
    { "PUT", path, "{", -1, 400, "invalid-json" },
    { "PUT", path, "", 0, 400, "invalid-json" },
    { "PUT", path, "[1, 2]", -1, 422, "invalid-packet" },
    { "PUT", path, "\xff\xfe{}", -1, 400, "invalid-json" },
    { "PUT", path, NULL, -1, 422, "invalid-packet" },   /* wrong type */
    { "PUT", path, NULL, -1, 422, "invalid-packet" },   /* unknown member */
    { "PUT", path, NULL, -1, 413, "too-large" },        /* huge */
    { "GET", upper, NULL, 0, 400, "invalid-uuid" },
    { "GET", revision_zero, NULL, 0, 400, "bad-request" },
    { "GET", revision_text, NULL, 0, 400, "bad-request" },
    { "DELETE", path, NULL, 0, 405, "method-not-allowed" },
    { "GET", "/api/v2/packets", NULL, 0, 404, "not-found" },
    { "GET", "/api/v1/nothing", NULL, 0, 404, "not-found" },
    { "GET", "/", NULL, 0, 404, "not-found" },
    { "POST", "/api/v1/blobs/missing", "{\"sha256\": [\"xyz\"]}", -1, 400, "invalid-hash" },
    { "POST", "/api/v1/blobs/missing", "{\"sha256\": \"xyz\"}", -1, 422, "invalid-value" },
    { "POST", "/api/v1/blobs/missing", "{\"sha256\": [], \"x\": 1}", -1, 422, "invalid-value" },
    { "GET", "/api/v1/progress", NULL, 0, 403, "forbidden" },
    { "PUT", "/api/v1/blobs/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
      "x", 1, 400, "invalid-range" },  /* Content-Range below */
  };

  s = g_string_new (good);
  g_string_replace (s, "\"year\":2020", "\"year\":\"2020\"", 1);
  g_assert_cmpstr (s->str, !=, good);
  wrong_type = g_strdup (s->str);
  g_string_assign (s, good);
  g_string_replace (s, "\"format\":1", "\"format\":1,\"owner\":\"me\"", 1);
  g_assert_cmpstr (s->str, !=, good);
  unknown = g_strdup (s->str);
  g_string_append (big, "{\"x\": \"");
  while (big->len < 100 * 1024)
    g_string_append (big, "0123456789abcdef");
  g_string_append (big, "\"}");
  huge = g_string_free (big, FALSE);
  cases[6].body = wrong_type;
  cases[7].body = unknown;
  cases[8].body = huge;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Reply) reply = NULL;

      if (i == G_N_ELEMENTS (cases) - 1)
        reply = server_request (f, cases[i].method, cases[i].path, token, cases[i].body,
                                cases[i].length, "Content-Range", "bytes 5-1/10", NULL);
      else if (g_str_equal (cases[i].method, "PUT") && cases[i].path == path)
        reply = server_request (f, cases[i].method, cases[i].path, token, cases[i].body,
                                cases[i].length, "If-None-Match", "*", NULL);
      else
        reply = server_request (f, cases[i].method, cases[i].path, token, cases[i].body,
                                cases[i].length, NULL);
      g_test_message ("case %u: %s %s → %u", i, cases[i].method, cases[i].path, reply->status);
      assert_problem (reply, cases[i].status, cases[i].type);
    }

  /* The packet was never created by any of them. */
  {
    g_autoptr(Reply) got = server_request (f, "GET", path, token, NULL, 0, NULL);

    assert_problem (got, 404, "not-found");
  }
}

/* A chunked body with no Content-Length still meets the limit, without being kept in memory. */
static void
test_chunked_too_large (ServerFixture *f,
                        gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *head = NULL;
  g_autofree char *status_line = NULL;
  g_autofree char *chunk = g_malloc (4096 + 16);
  GOutputStream *out;

  connection = g_socket_client_connect_to_host (client, f->base + strlen ("http://"), 0, NULL,
                                                &error);
  g_assert_no_error (error);
  head = g_strdup_printf ("POST /api/v1/blobs/missing HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n"
                          "Content-Type: application/json\r\n\r\n", token);
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  memcpy (chunk, "1000\r\n", 6);
  memset (chunk + 6, ' ', 4096);
  memcpy (chunk + 6 + 4096, "\r\n", 2);
  for (guint i = 0; i < 40; i++)  /* 160 KiB against a 64 KiB limit */
    {
      g_output_stream_write_all (out, chunk, 6 + 4096 + 2, NULL, NULL, &error);
      g_assert_no_error (error);
    }
  g_output_stream_write_all (out, "0\r\n\r\n", 5, NULL, NULL, &error);
  g_assert_no_error (error);

  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  status_line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 413"));
}

/* Random requests against every endpoint: whatever comes in, the answer is a 2xx-4xx, and every
 * error is problem+json. The seed is printed, so a failure can be replayed with --seed. */
static char *
random_text (GRand *rand,
             gsize  max)
{
  gsize length = (gsize) g_rand_int_range (rand, 0, (gint32) max + 1);
  char *text = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    text[i] = (char) g_rand_int_range (rand, 1, 256);
  text[length] = '\0';
  return text;
}

static void
test_fuzz (ServerFixture *f,
           gconstpointer  data)
{
  static const char *methods[] = { "GET", "PUT", "POST", "DELETE", "HEAD", "PATCH" };
  static const char *suffixes[] = { "", "/revisions", "/revisions/1", "/revisions/0", "/submit",
                                    "/return", "/accept", "/comments", "/x", "/status" };
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "模糊测试");
  g_autofree char *good = packet_data (packet);
  GRand *rand = g_rand_new_with_seed (g_test_rand_int ());

  {
    g_autoptr(Reply) created = put_packet (f, token, packet, 0);

    g_assert_cmpuint (created->status, ==, 201);
  }

  for (guint i = 0; i < 400; i++)
    {
      g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GString) path = g_string_new (NULL);
      g_autofree char *body = NULL;
      g_autofree char *random = NULL;
      g_autoptr(Reply) reply = NULL;
      const char *method = methods[g_rand_int_range (rand, 0, G_N_ELEMENTS (methods))];
      gssize length = -1;
      guint kind = (guint) g_rand_int_range (rand, 0, 9);

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
          g_string_append_printf (path, "/api/v1/packets/%s%s", cp_packet_get_uuid (packet),
                                  suffixes[g_rand_int_range (rand, 0, G_N_ELEMENTS (suffixes))]);
          break;
        case 1:
          {
            g_autofree char *uuid = g_uuid_string_random ();

            g_string_append_printf (path, "/api/v1/packets/%s%s", uuid,
                                    suffixes[g_rand_int_range (rand, 0,
                                                               G_N_ELEMENTS (suffixes))]);
          }
          break;
        case 2:
          g_string_append (path, "/api/v1/blobs/");
          for (guint j = 0; j < (guint) g_rand_int_range (rand, 60, 68); j++)
            {
              guint c = (guint) g_rand_int_range (rand, 0, 26);

              if (c >= 24)
                g_string_append (path, c == 24 ? "%2e" : "%2F");
              else
                g_string_append_c (path, "0123456789abcdefABCDEF./"[c]);
            }
          if (g_rand_boolean (rand))
            g_string_append (path, "/status");
          break;
        case 3:
          {
            static const char *fixed[] = { "/api/v1/blobs/missing", "/api/v1/changes?since=",
                                           "/api/v1/progress?year=", "/api/v1/session",
                                           "/api/v1/templates", "/api/v1/limits",
                                           "/api/v1/changes?limit=" };

            g_string_append (path, fixed[g_rand_int_range (rand, 0, G_N_ELEMENTS (fixed))]);
            if (path->str[path->len - 1] == '=')
              g_string_append_printf (path, "%d", g_rand_int_range (rand, -5, 3000));
          }
          break;
        case 4:
          {
            g_autofree char *junk = random_text (rand, 40);
            g_autofree char *escaped = g_uri_escape_bytes ((const guint8 *) junk, strlen (junk),
                                                           NULL);

            g_string_append_printf (path, "/api/v1/%s", escaped);
          }
          break;
        default:
          g_string_append_printf (path, "/api/v1/packets/%s", cp_packet_get_uuid (packet));
          break;
        }

      switch (kind)
        {
        case 0:
          break;
        case 1:
          random = random_text (rand, 2000);
          body = g_strdup (random);
          break;
        case 2:  /* the packet, truncated */
          body = g_strndup (good, (gsize) g_rand_int_range (rand, 0, (gint32) strlen (good)));
          break;
        case 3:  /* the packet with one byte changed */
          body = g_strdup (good);
          body[g_rand_int_range (rand, 0, (gint32) strlen (good))] =
            "{}[]\",:0a\\ "[g_rand_int_range (rand, 0, 11)];
          break;
        case 4:  /* deeply nested */
          {
            guint depth = (guint) g_rand_int_range (rand, 100, 30000);

            body = g_malloc (2 * depth + 1);
            memset (body, '[', depth);
            memset (body + depth, ']', depth);
            body[2 * depth] = '\0';
          }
          break;
        case 5:
          body = g_strdup ("{\"sha256\": [\"0\", 1, null, {}], \"comments\": [{}]}");
          break;
        case 6:
          body = g_strdup ("{\"user\": \"ent-1\", \"password\": \"password-ent-1\"}");
          break;
        default:
          body = g_strdup (good);
          break;
        }
      if (body != NULL)
        length = (gssize) strlen (body);

      if (g_rand_boolean (rand))
        {
          g_ptr_array_add (headers, g_strdup ("If-Match"));
          g_ptr_array_add (headers, g_strdup_printf ("\"%d\"", g_rand_int_range (rand, -1, 4)));
        }
      else if (g_rand_boolean (rand))
        {
          g_ptr_array_add (headers, g_strdup ("If-None-Match"));
          g_ptr_array_add (headers, g_strdup ("*"));
        }
      if (g_rand_int_range (rand, 0, 4) == 0)
        {
          g_ptr_array_add (headers, g_strdup ("Content-Range"));
          g_ptr_array_add (headers, g_strdup_printf ("bytes %d-%d/%d",
                                                     g_rand_int_range (rand, -2, 100),
                                                     g_rand_int_range (rand, -2, 100),
                                                     g_rand_int_range (rand, -2, 100)));
        }
      g_ptr_array_add (headers, NULL);

      reply = server_request_session (f->session, f->base, method, path->str,
                                      g_rand_int_range (rand, 0, 8) == 0 ? "garbage-token-xx"
                                                                         : token,
                                      body, length, (const char * const *) headers->pdata);
      if (reply->status >= 500 || reply->status < 100)
        g_test_message ("%s %s (body kind %u) → %u", method, path->str, kind, reply->status);
      g_assert_cmpuint (reply->status, >=, 200);
      g_assert_cmpuint (reply->status, <, 500);
      if (reply->status >= 400 && !g_str_equal (method, "HEAD"))
        {
          const char *content_type = soup_message_headers_get_content_type (
            soup_message_get_response_headers (reply->msg), NULL);

          if (g_strcmp0 (content_type, "application/problem+json") != 0)
            g_test_message ("%s %s → %u %s", method, path->str, reply->status, content_type);
          g_assert_cmpstr (content_type, ==, "application/problem+json");
        }
    }
  g_rand_free (rand);

  /* Still serving, and the packet is intact or properly revised (a fuzzed DELETE /session may
   * have logged the token out). */
  {
    g_autofree char *packet_url = packet_path (packet, "");
    g_autofree char *fresh = server_login (f, "ent-1");
    g_autoptr(Reply) got = server_request (f, "GET", packet_url, fresh, NULL, 0, NULL);

    g_assert_cmpuint (got->status, ==, 200);
  }
}

/* --- progress ---------------------------------------------------------------------------- */

static void
test_progress (ServerFixture *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage;
  g_autofree char *office = NULL;
  g_autofree char *ent = NULL;

  /* 40 accepted standardization packets and all 6 city demonstrations in Kunshan,
   * 44 in Wuzhong; a draft and a 2019 packet that do not count. */
  server_fixture_stop (f);
  storage = server_fixture_open_storage (f);
  for (guint i = 0; i < 40 + 6 + 44 + 2; i++)
    {
      g_autoptr(CpServerRevision) revision = g_new0 (CpServerRevision, 1);
      gboolean kunshan = i < 46 || i == 90;

      revision->uuid = g_uuid_string_random ();
      revision->action = g_strdup ("test");
      revision->state = g_strdup (i == 90 ? "draft" : "accepted");
      revision->uscc = cp_test_make_uscc (kunshan ? "320583" : "320506", 100 + i);
      revision->kind = g_strdup (i >= 40 && i < 46 ? "city-demonstration" : KIND);
      revision->year = i == 91 ? 2019 : 2020;
      revision->sha256 = g_strdup ("0000000000000000000000000000000000000000000000000000000000000000");
      revision->user_name = g_strdup ("test");
      revision->body = g_bytes_new_static ("{}", 2);
      cp_server_storage_put_revision (storage, revision, 0, NULL, &error);
      g_assert_no_error (error);
    }
  /* Quotas are editable: Xiangcheng's goes from 50 to 10. */
  cp_server_storage_set_quota (storage, "xiangcheng", 2020, KIND, 10, &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
  server_fixture_start (f);

  office = server_login (f, "office-wuzhong");
  ent = server_login (f, "ent-1");
  {
    g_autoptr(Reply) reply = server_request (f, "GET", "/api/v1/progress?year=2020", office,
                                             NULL, 0, NULL);
    g_autoptr(Reply) denied = server_request (f, "GET", "/api/v1/progress?year=2020", ent, NULL,
                                              0, NULL);
    g_autoptr(Reply) no_year = server_request (f, "GET", "/api/v1/progress", office, NULL, 0,
                                               NULL);
    JsonArray *districts;
    JsonObject *total;
    gboolean seen_kunshan = FALSE;
    gboolean seen_wuzhong = FALSE;
    gboolean seen_xiangcheng = FALSE;

    g_assert_cmpuint (reply->status, ==, 200);
    assert_problem (denied, 403, "forbidden");
    assert_problem (no_year, 400, "bad-request");
    districts = json_object_get_array_member (json_node_get_object (reply->json), "districts");
    g_assert_cmpuint (json_array_get_length (districts), ==, 11);
    for (guint i = 0; i < json_array_get_length (districts); i++)
      {
        JsonObject *row = json_array_get_object_element (districts, i);
        const char *code = json_object_get_string_member (row, "district");
        JsonArray *kinds = json_object_get_array_member (row, "kinds");

        if (g_str_equal (code, "kunshan"))
          {
            JsonObject *city = json_array_get_object_element (kinds, 0);
            JsonObject *standard = json_array_get_object_element (kinds, 1);

            seen_kunshan = TRUE;
            /* 40 / 66 = 60.6 % → −3; 6 / 6 → 0; together 46 / 72 = 63.9 % → −3. */
            g_assert_cmpstr (json_object_get_string_member (standard, "kind"), ==, KIND);
            g_assert_cmpint (json_object_get_int_member (standard, "quota"), ==, 66);
            g_assert_cmpint (json_object_get_int_member (standard, "accepted"), ==, 40);
            g_assert_cmpfloat_with_epsilon (json_object_get_double_member (standard, "rate"),
                                            0.6061, 1e-9);
            g_assert_cmpint (json_object_get_int_member (standard, "deduction"), ==, -3);
            g_assert_cmpstr (json_object_get_string_member (city, "kind"), ==,
                             "city-demonstration");
            g_assert_cmpint (json_object_get_int_member (city, "accepted"), ==, 6);
            g_assert_cmpint (json_object_get_int_member (city, "deduction"), ==, 0);
            g_assert_cmpint (json_object_get_int_member (row, "quota"), ==, 72);
            g_assert_cmpint (json_object_get_int_member (row, "accepted"), ==, 46);
            g_assert_cmpint (json_object_get_int_member (row, "deduction"), ==, -3);
          }
        else if (g_str_equal (code, "wuzhong"))
          {
            JsonObject *standard = json_array_get_object_element (kinds, 1);

            seen_wuzhong = TRUE;
            /* 44 of 50 = 88 % → −1 (the 2019 packet does not count); city 0 / 6 → −5. */
            g_assert_cmpint (json_object_get_int_member (standard, "accepted"), ==, 44);
            g_assert_cmpint (json_object_get_int_member (standard, "deduction"), ==, -1);
            g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (kinds, 0),
                                                         "deduction"), ==, -5);
          }
        else if (g_str_equal (code, "xiangcheng"))
          {
            seen_xiangcheng = TRUE;
            g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (kinds, 1),
                                                         "quota"), ==, 10);
          }
      }
    g_assert_true (seen_kunshan && seen_wuzhong && seen_xiangcheng);
    /* 421 − 50 + 10 = 381 standardization, 49 city, 7 provincial. */
    total = json_object_get_object_member (json_node_get_object (reply->json), "total");
    g_assert_cmpint (json_object_get_int_member (total, "quota"), ==, 381 + 49 + 7);
    g_assert_cmpint (json_object_get_int_member (total, "accepted"), ==, 40 + 6 + 44);
  }
}

static void
test_deduction (void)
{
  g_assert_cmpint (cp_server_deduction (0.0), ==, -5);
  g_assert_cmpint (cp_server_deduction (0.5999), ==, -5);
  g_assert_cmpint (cp_server_deduction (0.6), ==, -3);
  g_assert_cmpint (cp_server_deduction (0.6999), ==, -3);
  g_assert_cmpint (cp_server_deduction (0.7), ==, -2);
  g_assert_cmpint (cp_server_deduction (0.8), ==, -1);
  g_assert_cmpint (cp_server_deduction (0.8999), ==, -1);
  g_assert_cmpint (cp_server_deduction (0.9), ==, 0);
  g_assert_cmpint (cp_server_deduction (1.2), ==, 0);
}

/* --- limits and templates ---------------------------------------------------------------- */

static void
test_limits_templates (ServerFixture *f,
                       gconstpointer  data)
{
  g_autofree char *token = server_login (f, "agency-a");
  g_autoptr(Reply) limits = server_request (f, "GET", "/api/v1/limits", NULL, NULL, 0, NULL);
  g_autoptr(Reply) templates = server_request (f, "GET", "/api/v1/templates", token, NULL, 0,
                                               NULL);
  JsonArray *kinds;
  gboolean found = FALSE;

  g_assert_cmpuint (limits->status, ==, 200);
  g_assert_cmpint (json_get_int (limits->json, "max_body"), ==, 64 * 1024);
  g_assert_cmpint (json_get_int (limits->json, "max_blob"), ==, 1024 * 1024);
  g_assert_cmpuint (templates->status, ==, 200);
  kinds = json_object_get_array_member (json_node_get_object (templates->json), "kinds");
  g_assert_cmpuint (json_array_get_length (kinds), ==, 4);
  for (guint i = 0; i < json_array_get_length (kinds); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (kinds, i), "id"),
                   KIND) == 0)
      found = TRUE;
  g_assert_true (found);
}

/* --- session expiry and TLS ------------------------------------------------------------- */

static void
configure_short_sessions (ServerFixture *f)
{
  f->config.session_ttl = 1;
}

static void
test_session_expiry (ServerFixture *f,
                     gconstpointer  data)
{
  g_autofree char *token = NULL;
  gint64 start;

  /* A session lasts at least its ttl, whatever the fraction of the second it begins in: log in
   * late in a second and ask again half a second later, in the next one. */
  while (g_get_real_time () % G_USEC_PER_SEC < 800000)
    g_usleep (10 * 1000);
  start = g_get_real_time ();
  token = server_login (f, "ent-1");
  g_usleep (MAX (0, start + 500 * 1000 - g_get_real_time ()));
  {
    g_autoptr(Reply) fresh = server_request (f, "GET", "/api/v1/session", token, NULL, 0, NULL);

    g_assert_cmpuint (fresh->status, ==, 200);
  }
  g_usleep (2100 * 1000);
  {
    g_autoptr(Reply) expired = server_request (f, "GET", "/api/v1/session", token, NULL, 0, NULL);

    assert_problem (expired, 401, "unauthorized");
  }
}

static void
configure_tls (ServerFixture *f)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *cert = g_build_filename (f->dir, "cert.pem", NULL);
  g_autofree char *key = g_build_filename (f->dir, "key.pem", NULL);
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (openssl == NULL)
    {
      g_test_skip ("openssl is needed to make a test certificate");
      f->skip = TRUE;
      return;
    }
  {
    const char *argv[] = { openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                           "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                           "-keyout", key, "-out", cert, NULL };

    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                  G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
    g_assert_no_error (error);
    g_assert_cmpint (status, ==, 0);
  }
  f->config.tls_cert = g_strdup (cert);
  f->config.tls_key = g_strdup (key);
  f->certificate = g_tls_certificate_new_from_file (cert, &error);
  g_assert_no_error (error);
  g_object_set_data_full (G_OBJECT (f->session), "cp-test-certificate",
                          g_object_ref (f->certificate), g_object_unref);
}

static void
test_tls (ServerFixture *f,
          gconstpointer  data)
{
  g_autofree char *token = NULL;
  g_autofree char *plain = NULL;
  g_autoptr(SoupSession) untrusting = soup_session_new ();

  if (f->skip)
    return;
  g_assert_true (g_str_has_prefix (f->base, "https://"));
  token = server_login (f, "ent-1");
  {
    g_autoptr(Reply) me = server_request (f, "GET", "/api/v1/session", token, NULL, 0, NULL);

    g_assert_cmpuint (me->status, ==, 200);
  }
  /* A client that does not trust the certificate cannot talk to it. */
  {
    g_autofree char *url = g_strconcat (f->base, "/api/v1/limits", NULL);
    g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) body = soup_session_send_and_read (untrusting, msg, NULL, &error);

    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  /* These tests exercise the API of a kind without a workflow (the 2020.1 format), where every
   * party entitled to a packet writes all of it: agencies create packets, the enterprise sets
   * a returned packet back to draft. The 2020.2 kinds give those parts to other parties; the
   * server's checks of them are test-server-workflow.c's. */
  g_assert_nonnull (cp_template_registry_lookup_kind_version (registry, KIND, "2020.1"));
  g_assert_null (cp_template_get_workflow (cp_template_registry_lookup_kind_version (registry,
                                                                                     KIND,
                                                                                     "2020.1")));
  template_version = g_strdup ("2020.1");

#define ADD(path, func) \
  g_test_add (path, ServerFixture, NULL, server_fixture_setup, func, server_fixture_teardown)
  ADD ("/server/session/login", test_login);
  ADD ("/server/storage/agency-uscc-migration", test_agency_uscc_migration);
  ADD ("/server/session/rate-limit", test_login_rate_limit);
  ADD ("/server/session/concurrent", test_concurrent_logins);
  ADD ("/server/packets/create-update", test_packet_create_update);
  ADD ("/server/packets/concurrent-writers", test_concurrent_writers);
  ADD ("/server/packets/concurrent-replay", test_concurrent_replay);
  ADD ("/server/blobs/upload-resume", test_blobs);
  ADD ("/server/blobs/names", test_blob_names);
  ADD ("/server/changes", test_changes);
  ADD ("/server/changes/bodies", test_changes_bodies);
  ADD ("/server/workflow/submit-incomplete", test_submit_incomplete);
  ADD ("/server/workflow/return-accept", test_return_accept);
  ADD ("/server/workflow/submit-complete", test_submit_complete);
  ADD ("/server/access-matrix", test_access_matrix);
  ADD ("/server/bad-input/malformed", test_malformed);
  ADD ("/server/bad-input/chunked-too-large", test_chunked_too_large);
  ADD ("/server/bad-input/fuzz", test_fuzz);
  ADD ("/server/progress", test_progress);
  ADD ("/server/limits-templates", test_limits_templates);
#undef ADD
  g_test_add_func ("/server/deduction", test_deduction);
  g_test_add ("/server/changes/bodies-cap", ServerFixture, (gconstpointer) configure_small_pages,
              server_fixture_setup, test_changes_bodies_cap, server_fixture_teardown);
  g_test_add ("/server/session/expiry", ServerFixture, (gconstpointer) configure_short_sessions,
              server_fixture_setup, test_session_expiry, server_fixture_teardown);
  g_test_add ("/server/tls", ServerFixture, (gconstpointer) configure_tls,
              server_fixture_setup, test_tls, server_fixture_teardown);

  return g_test_run ();
}
