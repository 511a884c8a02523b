/* test-server-hostile.c — hostile input and hostile peers against the real server (issue 13)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test replays one finding of the security review through HTTP on 127.0.0.1, on SQLite and
 * (server-hostile-pg) on PostgreSQL. Connection-level findings (descriptors, timeouts, the
 * backlog, the log) are in test-server-binary.c, which runs the program itself.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

#include "cp-packet.h"
#include "cp-server-admin.h"
#include "cp-server-private.h"
#include "cp-server-reports.h"
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
  cp_packet_set_string (packet, "cover", "uscc", uscc);
  cp_packet_set_string (packet, "cover", "enterprise_name", name);
  return packet;
}

static char *
packet_path (const char *uuid,
             const char *suffix)
{
  return g_strconcat ("/api/v1/packets/", uuid, suffix, NULL);
}

static Reply *
put_body (ServerFixture *f,
          const char    *token,
          const char    *uuid,
          const char    *body,
          gint64         if_match)
{
  g_autofree char *path = packet_path (uuid, "");
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", if_match);

  if (if_match == 0)
    return server_request (f, "PUT", path, token, body, -1, "If-None-Match", "*", NULL);
  return server_request (f, "PUT", path, token, body, -1, "If-Match", etag, NULL);
}

static Reply *
put_packet (ServerFixture *f,
            const char    *token,
            CpPacket      *packet,
            gint64         if_match)
{
  g_autofree char *body = cp_packet_to_data (packet, FALSE, NULL);

  return put_body (f, token, cp_packet_get_uuid (packet), body, if_match);
}

static GBytes *
make_content (gsize size,
              guint seed)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((i * 7 + seed * 131 + (i >> 8)) & 0xff);
  return g_bytes_new_take (data, size);
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static Reply *
upload (ServerFixture *f,
        const char    *token,
        GBytes        *content)
{
  g_autofree char *sha = sha256_of (content);
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);

  return server_request (f, "PUT", path, token, g_bytes_get_data (content, NULL),
                         (gssize) g_bytes_get_size (content), NULL);
}

static guint
get_status (ServerFixture *f,
            const char    *token,
            const char    *path)
{
  g_autoptr(Reply) reply = server_request (f, "GET", path, token, NULL, 0, NULL);

  return reply->status;
}

/* A connection of our own, for what libsoup's client will not send. */
static GSocketConnection *
raw_connect (ServerFixture *f)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  connection = g_socket_client_connect_to_host (client, f->base + strlen ("http://"), 0, NULL,
                                                &error);
  g_assert_no_error (error);
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 10);
  return connection;
}

static void
raw_send (GSocketConnection *connection,
          const void        *data,
          gsize              length)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), data,
                             length, NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Reads one answer: its status (0 when the connection ended first) and body. Waits at most
 * @timeout_ms for each read. */
static guint
raw_read_answer (GSocketConnection  *connection,
                 guint               timeout_ms,
                 char              **body_out)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GString) text = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  const char *end_of_head = NULL;
  gsize content_length = 0;
  guint status = 0;

  while (g_get_monotonic_time () < deadline)
    {
      char buffer[4096];
      gssize n;
      g_autoptr(GError) error = NULL;

      if (!g_socket_condition_timed_wait (socket, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                          deadline - g_get_monotonic_time (), NULL, NULL))
        break;
      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
      if (n <= 0)
        break;
      g_string_append_len (text, buffer, n);
      end_of_head = strstr (text->str, "\r\n\r\n");
      if (end_of_head != NULL)
        {
          const char *length = g_strstr_len (text->str, end_of_head - text->str,
                                             "Content-Length: ");

          content_length = length != NULL ? strtoul (length + 16, NULL, 10) : 0;
          if (text->len >= (gsize) (end_of_head + 4 - text->str) + content_length)
            break;
        }
    }
  if (end_of_head == NULL || sscanf (text->str, "HTTP/1.%*d %u", &status) != 1)
    status = 0;
  if (body_out != NULL)
    *body_out = end_of_head != NULL ? g_strndup (end_of_head + 4, content_length) : NULL;
  return status;
}

static const char *
problem_type_of (const char *body)
{
  static char type[128];
  const char *at = body != NULL ? strstr (body, "/problems/") : NULL;
  gsize i = 0;

  type[0] = '\0';
  if (at == NULL)
    return type;
  at += strlen ("/problems/");
  while (at[i] != '\0' && at[i] != '"' && i + 1 < sizeof type)
    {
      type[i] = at[i];
      i++;
    }
  type[i] = '\0';
  return type;
}

/* --- configurations ---------------------------------------------------------------------- */

static void
configure_big_bodies (ServerFixture *f)
{
  f->config.max_body = 1024 * 1024;
}

/* A third enterprise, ent-3 (USCC_3, Kunshan), that agency A also serves. */
static void
configure_shared_agency (ServerFixture *f)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage = server_fixture_open_storage (f);

  cp_server_storage_assign (storage, USCC_3, "A", &error);
  g_assert_no_error (error);
  cp_server_admin_add_user (storage, "ent-3", CP_SERVER_ROLE_ENTERPRISE, NULL, USCC_3, NULL,
                            "password-ent-3", &f->config.password_cost, &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
}

/* Password checks slow enough (about 0.1 s each, two at a time) that 40 attempts sent at once are
 * all in flight before the first one fails; "slow" has such a hash. */
static void
configure_slow_passwords (ServerFixture *f)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage = server_fixture_open_storage (f);

  f->config.password_cost.opslimit = 2;
  f->config.password_cost.memlimit = 32 * 1024 * 1024;
  cp_server_admin_add_user (storage, "slow", CP_SERVER_ROLE_ENTERPRISE, NULL, USCC_1, NULL,
                            "password-slow", &f->config.password_cost, &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
}

static void
configure_small_limits (ServerFixture *f)
{
  f->config.max_partials = 3;
  f->config.partial_ttl = 3600;
  f->config.blob_grace = 3600;
}

/* --- 1: one deeply nested body killed the server ----------------------------------------- */

static char *
nested_array (guint depth)
{
  GString *text = g_string_sized_new (2 * depth + 2);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

static void
test_deep_json (ServerFixture *f,
                gconstpointer  data)
{
  g_autofree char *deep = nested_array (100000);
  g_autofree char *login = g_strdup_printf ("{\"user\": %s, \"password\": \"x\"}", deep);
  g_autofree char *missing = g_strdup_printf ("{\"sha256\": %s}", deep);
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "深");

  /* About 200 KB, under the body limit: unauthenticated, the first thing json-glib would see. */
  g_assert_cmpuint (strlen (login), <, f->config.max_body);
  {
    g_autoptr(Reply) reply = server_request (f, "POST", "/api/v1/session", NULL, login, -1,
                                             NULL);

    assert_problem (reply, 400, "too-deep");
  }
  {
    g_autoptr(Reply) reply = server_request (f, "POST", "/api/v1/blobs/missing", token, missing,
                                             -1, NULL);

    assert_problem (reply, 400, "too-deep");
  }
  {
    g_autofree char *body = g_strdup_printf ("{\"format\": 1, \"sections\": {\"cover\": "
                                             "{\"x\": %s}}}", deep);
    g_autoptr(Reply) reply = put_body (f, token, cp_packet_get_uuid (packet), body, 0);

    assert_problem (reply, 400, "too-deep");
  }
  /* 64 levels are still read (and then judged on their content). */
  {
    g_autofree char *ok = nested_array (60);
    g_autofree char *body = g_strdup_printf ("{\"user\": %s, \"password\": \"x\"}", ok);
    g_autoptr(Reply) reply = server_request (f, "POST", "/api/v1/session", NULL, body, -1, NULL);

    assert_problem (reply, 422, "invalid-value");
  }
  /* And the server is still there. */
  g_assert_cmpuint (get_status (f, NULL, "/api/v1/limits"), ==, 200);
}

/* --- 7: "ent-1\u0000xyz" logged in as ent-1 ---------------------------------------------- */

static void
test_nul_login (ServerFixture *f,
                gconstpointer  data)
{
  g_autoptr(Reply) nul = server_request (f, "POST", "/api/v1/session", NULL,
                                         "{\"user\": \"ent-1\\u0000xyz\", "
                                         "\"password\": \"password-ent-1\"}", -1, NULL);
  g_autoptr(Reply) in_password = server_request (f, "POST", "/api/v1/session", NULL,
                                                 "{\"user\": \"ent-1\", "
                                                 "\"password\": \"password-ent-1\\u0000\"}", -1,
                                                 NULL);
  g_autoptr(Reply) surrogate = server_request (f, "POST", "/api/v1/session", NULL,
                                               "{\"user\": \"ent-1\\ud800x\", "
                                               "\"password\": \"password-ent-1\"}", -1, NULL);
  g_autoptr(Reply) huge_year = server_request (f, "POST", "/api/v1/session", NULL,
                                               "{\"user\": \"ent-1\", \"password\": 1e400}", -1,
                                               NULL);

  assert_problem (nul, 400, "invalid-json");
  assert_problem (in_password, 400, "invalid-json");
  assert_problem (surrogate, 400, "invalid-json");
  assert_problem (huge_year, 400, "invalid-json");
}

/* --- 3: a value whose canonical form cannot be read again broke everyone's sync ----------- */

static void
test_canonical_round_trip (ServerFixture *f,
                           gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autofree char *agency = server_login (f, "agency-a");
  g_autofree char *office = server_login (f, "office-kunshan");
  static const struct
  {
    const char *find;
    const char *replace;
    guint       status;
  } poisons[] = {
    /* json-glib writes this number as "1e+20.0", which is not JSON */
    { "\"enterprise_name\":\"毒\"", "\"enterprise_name\":\"毒\",\"capital\":1e20", 422 },
    { "\"enterprise_name\":\"毒\"", "\"enterprise_name\":\"毒\",\"capital\":1e-8", 422 },
    /* a lone surrogate, stored as invalid UTF-8 */
    { "\"enterprise_name\":\"毒\"", "\"enterprise_name\":\"\\ud800毒\"", 400 },
    /* year 26, written back as "26-12-02T…" */
    { "\"created\":\"", "\"created\":\"0026-12-02T08:00:00Z\",\"x-created\":\"", 422 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (poisons); i++)
    {
      g_autoptr(CpPacket) packet = new_packet (USCC_1, "毒");
      g_autofree char *body = cp_packet_to_data (packet, FALSE, NULL);
      g_autoptr(GString) poisoned = g_string_new (body);
      g_autoptr(Reply) reply = NULL;
      g_autofree char *path = packet_path (cp_packet_get_uuid (packet), "");

      g_assert_cmpuint (g_string_replace (poisoned, poisons[i].find, poisons[i].replace, 1), ==,
                        1);
      if (i == 3)
        {
          /* Drop the real "created" so that only the year-26 one is left. */
          char *x = strstr (poisoned->str, ",\"x-created\":\"");
          char *end = strchr (x + strlen (",\"x-created\":\""), '"');

          memmove (x, end + 1, strlen (end + 1) + 1);
          g_string_set_size (poisoned, strlen (poisoned->str));
        }
      reply = put_body (f, token, cp_packet_get_uuid (packet), poisoned->str, 0);
      if (reply->status < 400)
        g_test_message ("poison %u was stored: %u", i, reply->status);
      g_assert_cmpuint (reply->status, ==, poisons[i].status);
      g_assert_nonnull (reply->json);
      g_assert_cmpuint (get_status (f, token, path), ==, 404);
    }

  /* Everyone who sees the enterprise still reads the changes feed as JSON. */
  for (guint i = 0; i < 3; i++)
    {
      const char *who = i == 0 ? token : i == 1 ? agency : office;
      g_autoptr(Reply) changes = server_request (f, "GET", "/api/v1/changes?since=0&bodies=1",
                                                 who, NULL, 0, NULL);

      g_assert_cmpuint (changes->status, ==, 200);
      g_assert_nonnull (changes->json);
    }

  /* A good packet goes in and reads back, whoever reads it (its agency: the office sees no
   * draft). */
  {
    g_autoptr(CpPacket) good = new_packet (USCC_1, "好");
    g_autoptr(Reply) created = NULL;
    g_autofree char *path = packet_path (cp_packet_get_uuid (good), "");
    g_autoptr(Reply) got = NULL;
    g_autoptr(CpPacket) back = NULL;
    g_autoptr(GError) error = NULL;

    cp_packet_set_number (good, "cover", "capital", 1250000.5);
    created = put_packet (f, token, good, 0);
    g_assert_cmpuint (created->status, ==, 201);
    got = server_request (f, "GET", path, agency, NULL, 0, NULL);
    g_assert_cmpuint (got->status, ==, 200);
    back = cp_packet_new_from_data (g_bytes_get_data (got->body, NULL),
                                    (gssize) g_bytes_get_size (got->body), "server", &error);
    g_assert_no_error (error);
  }
}

/* A packet stored by an older server, whose body is not JSON any more (it wrote 1e20 as
 * "1e+20.0"), goes out of the changes page as null instead of spoiling the page; submitting it
 * says to save it again. */
static void
test_stored_poison (ServerFixture *f,
                    gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  /* Its coaching agency reads the feed (an office would see no draft). */
  g_autofree char *reader = NULL;
  g_autoptr(CpPacket) poisoned = new_packet (USCC_1, "旧毒");
  g_autoptr(CpPacket) good = new_packet (USCC_1, "好");
  g_autofree char *sql = NULL;

  cp_packet_set_number (poisoned, "cover", "capital", 123456);
  {
    g_autoptr(Reply) a = put_packet (f, token, poisoned, 0);
    g_autoptr(Reply) b = put_packet (f, token, good, 0);

    g_assert_cmpuint (a->status, ==, 201);
    g_assert_cmpuint (b->status, ==, 201);
  }
  server_fixture_stop (f);
  if (f->database == NULL)
    sql = g_strdup_printf ("UPDATE revisions SET body = CAST (replace (CAST (body AS TEXT), "
                           "'\"capital\":123456', '\"capital\":1e+20.0') AS BLOB) "
                           "WHERE uuid = '%s'", cp_packet_get_uuid (poisoned));
  else
    sql = g_strdup_printf ("UPDATE revisions SET body = convert_to (replace (convert_from "
                           "(body, 'UTF8'), '\"capital\":123456', '\"capital\":1e+20.0'), "
                           "'UTF8') WHERE uuid = '%s'", cp_packet_get_uuid (poisoned));
  server_fixture_exec (f, sql);
  server_fixture_start (f);
  reader = server_login (f, "agency-a");

  {
    g_autoptr(Reply) changes = server_request (f, "GET", "/api/v1/changes?since=0&bodies=1",
                                               reader, NULL, 0, NULL);
    JsonArray *array;
    guint with_body = 0;
    guint without = 0;

    g_assert_cmpuint (changes->status, ==, 200);
    g_assert_nonnull (changes->json);
    array = json_object_get_array_member (json_node_get_object (changes->json), "changes");
    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    for (guint i = 0; i < 2; i++)
      {
        JsonObject *entry = json_array_get_object_element (array, i);
        JsonNode *packet = json_object_get_member (entry, "packet");

        if (JSON_NODE_HOLDS_OBJECT (packet))
          with_body++;
        else
          {
            g_assert_true (JSON_NODE_HOLDS_NULL (packet));
            g_assert_cmpstr (json_object_get_string_member (entry, "uuid"), ==,
                             cp_packet_get_uuid (poisoned));
            without++;
          }
      }
    g_assert_cmpuint (with_body, ==, 1);
    g_assert_cmpuint (without, ==, 1);
  }
  {
    g_autofree char *submit = packet_path (cp_packet_get_uuid (poisoned), "/submit");
    g_autoptr(Reply) submitted = server_request (f, "POST", submit, token, NULL, 0, NULL);

    assert_problem (submitted, 422, "invalid-packet");
  }
}

/* --- 4: a stored attachment could be overwritten with other bytes ------------------------ */

static guint64
partial_received (ServerFixture *f,
                  const char    *token,
                  const char    *sha)
{
  g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, "/status", NULL);
  g_autoptr(Reply) reply = server_request (f, "GET", path, token, NULL, 0, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  return (guint64) json_get_int (reply->json, "received");
}

static void
test_blob_overwrite_race (ServerFixture *f,
                          gconstpointer  data)
{
  g_autofree char *owner = server_login (f, "ent-1");
  g_autofree char *attacker = server_login (f, "ent-2");
  g_autoptr(GBytes) file = make_content (200000, 7);
  g_autofree char *sha = sha256_of (file);
  gsize size = g_bytes_get_size (file);
  const guint8 *bytes = g_bytes_get_data (file, NULL);
  g_autoptr(GSocketConnection) first = NULL;
  g_autofree char *head = NULL;
  g_autofree char *blob_path = g_strconcat ("/api/v1/blobs/", sha, NULL);
  g_autoptr(Reply) second = NULL;
  gint64 deadline;

  /* The owner stores the file. */
  {
    g_autoptr(Reply) stored = upload (f, owner, file);

    g_assert_cmpuint (stored->status, ==, 201);
  }

  /* The attacker, who has the same bytes, sends all but the last one and holds the request. */
  first = raw_connect (f);
  head = g_strdup_printf ("PUT %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n", blob_path, attacker,
                          size);
  raw_send (first, head, strlen (head));
  raw_send (first, bytes, size - 1);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (partial_received (f, attacker, sha) < size - 1 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpuint (partial_received (f, attacker, sha), ==, size - 1);

  /* A second request rewrites the start of the same partial file with other bytes. */
  {
    g_autofree char *range = g_strdup_printf ("bytes 0-11/%" G_GSIZE_FORMAT, size);

    second = server_request (f, "PUT", blob_path, attacker, "garbage-bytes", 12,
                             "Content-Range", range, NULL);
    g_test_message ("the second request got %u", second->status);
  }

  /* The first request ends with the right last byte. */
  {
    g_autofree char *answer = NULL;
    guint status;

    raw_send (first, bytes + size - 1, 1);
    status = raw_read_answer (first, 10000, &answer);
    g_test_message ("the held request ended with %u: %s", status, answer);
    g_assert_true (status == 201 || status == 422);
  }

  /* What the owner downloads is still the file its name says. */
  {
    g_autoptr(Reply) got = server_request (f, "GET", blob_path, owner, NULL, 0, NULL);
    g_autofree char *got_sha = NULL;

    g_assert_cmpuint (got->status, ==, 200);
    got_sha = sha256_of (got->body);
    g_assert_cmpstr (got_sha, ==, sha);
    g_assert_true (g_bytes_equal (got->body, file));
  }
  /* One upload per user and blob at a time: the second one had to wait. */
  assert_problem (second, 409, "upload-in-progress");
}

/* --- 5: attachments leaked across tenants through a shared agency or the admin ----------- */

static void
test_blob_tenancy (ServerFixture *f,
                   gconstpointer  data)
{
  g_autofree char *agency = server_login (f, "agency-a");
  g_autofree char *admin = server_login (f, "admin");
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autofree char *ent2 = server_login (f, "ent-2");
  g_autofree char *ent3 = server_login (f, "ent-3");
  g_autofree char *office = server_login (f, "office-kunshan");
  g_autoptr(GBytes) secret = make_content (5000, 21);
  g_autoptr(GBytes) admin_secret = make_content (5000, 22);
  g_autofree char *sha = sha256_of (secret);
  g_autofree char *admin_sha = sha256_of (admin_secret);
  g_autofree char *blob_path = g_strconcat ("/api/v1/blobs/", sha, NULL);
  g_autofree char *admin_blob_path = g_strconcat ("/api/v1/blobs/", admin_sha, NULL);
  g_autoptr(CpPacket) p1 = new_packet (USCC_1, "一号");
  g_autoptr(CpPacket) p1_admin = new_packet (USCC_1, "一号（管理员）");
  g_autoptr(CpPacket) p3 = new_packet (USCC_3, "三号");
  g_autoptr(CpPacket) p2 = new_packet (USCC_2, "二号");

  /* The agency uploads a file for E1's packet; the admin another one for E1. */
  {
    g_autoptr(Reply) u1 = upload (f, agency, secret);
    g_autoptr(Reply) u2 = upload (f, admin, admin_secret);
    g_autoptr(Reply) c1 = NULL;
    g_autoptr(Reply) c2 = NULL;

    g_assert_cmpuint (u1->status, ==, 201);
    g_assert_cmpuint (u2->status, ==, 201);
    cp_packet_add_attachment (p1, "e1-secret.pdf", sha, 5000, "application/pdf");
    cp_packet_add_attachment (p1_admin, "e1-admin.pdf", admin_sha, 5000, "application/pdf");
    c1 = put_packet (f, agency, p1, 0);
    c2 = put_packet (f, admin, p1_admin, 0);
    g_assert_cmpuint (c1->status, ==, 201);
    g_assert_cmpuint (c2->status, ==, 201);
  }
  /* Those entitled to E1's packets read them: its district office once the packet is handed
   * in (marked so in the database, as the submission would). */
  g_assert_cmpuint (get_status (f, ent1, blob_path), ==, 200);
  g_assert_cmpuint (get_status (f, office, blob_path), ==, 404);
  {
    const char *tables[] = { "packets", "revisions" };

    server_fixture_stop (f);
    for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
      {
        g_autofree char *sql = g_strdup_printf ("UPDATE %s SET state = 'submitted' "
                                                "WHERE uuid = '%s'", tables[i],
                                                cp_packet_get_uuid (p1));

        server_fixture_exec (f, sql);
      }
    server_fixture_start (f);
  }
  g_assert_cmpuint (get_status (f, office, blob_path), ==, 200);
  g_assert_cmpuint (get_status (f, ent1, admin_blob_path), ==, 200);

  /* E3 (same agency) and E2 (another agency) list the hashes in packets of their own. */
  cp_packet_add_attachment (p3, "borrowed.pdf", sha, 5000, "application/pdf");
  cp_packet_add_attachment (p3, "borrowed-admin.pdf", admin_sha, 5000, "application/pdf");
  cp_packet_add_attachment (p2, "borrowed-admin.pdf", admin_sha, 5000, "application/pdf");
  {
    g_autoptr(Reply) c3 = put_packet (f, ent3, p3, 0);
    g_autoptr(Reply) c2 = put_packet (f, ent2, p2, 0);

    g_assert_cmpuint (c3->status, ==, 201);
    g_assert_cmpuint (c2->status, ==, 201);
  }
  g_assert_cmpuint (get_status (f, ent3, blob_path), ==, 404);
  g_assert_cmpuint (get_status (f, ent3, admin_blob_path), ==, 404);
  g_assert_cmpuint (get_status (f, ent2, admin_blob_path), ==, 404);
  {
    g_autofree char *body = g_strdup_printf ("{\"sha256\": [\"%s\", \"%s\"]}", sha, admin_sha);
    g_autoptr(Reply) missing = server_request (f, "POST", "/api/v1/blobs/missing", ent3, body,
                                               -1, NULL);

    g_assert_cmpuint (missing->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                        json_node_get_object (missing->json), "missing")), ==, 2);
  }

  /* The agency later saves E3's packet (it serves E3 too) with the planted hash still listed:
   * that does not hand E3 the file either. */
  {
    g_autoptr(Reply) saved = NULL;

    cp_packet_set_string (p3, "cover", "enterprise_name", "三号（代理机构修改）");
    saved = put_packet (f, agency, p3, 1);
    g_assert_cmpuint (saved->status, ==, 200);
  }
  g_assert_cmpuint (get_status (f, ent3, blob_path), ==, 404);
  g_assert_cmpuint (get_status (f, ent3, admin_blob_path), ==, 404);

  /* Nor may E3 submit with it: the attachment is not there for its packet. */
  {
    g_autofree char *submit = packet_path (cp_packet_get_uuid (p3), "/submit");
    g_autoptr(Reply) submitted = server_request (f, "POST", submit, ent3, NULL, 0, NULL);

    g_autofree char *text = g_strndup (g_bytes_get_data (submitted->body, NULL),
                                       g_bytes_get_size (submitted->body));

    assert_problem (submitted, 422, "incomplete");
    g_assert_nonnull (strstr (text, "blob-missing"));
  }

  /* The agency attaches the file to E3's packet itself: its choice, and then E3 reads it. */
  {
    g_autoptr(CpPacket) own = new_packet (USCC_3, "三号（代理机构附上）");
    g_autoptr(Reply) created = NULL;

    cp_packet_add_attachment (own, "shared.pdf", sha, 5000, "application/pdf");
    created = put_packet (f, agency, own, 0);
    g_assert_cmpuint (created->status, ==, 201);
  }
  g_assert_cmpuint (get_status (f, ent3, blob_path), ==, 200);
  g_assert_cmpuint (get_status (f, ent2, admin_blob_path), ==, 404);
}

/* --- 6: concurrent wrong passwords passed the rate limit --------------------------------- */

typedef struct
{
  ServerFixture *f;
  char          *user;
  guint          status;
  GMutex        *lock;
  GCond         *cond;
  gboolean      *go;
} Attempt;

static gpointer
attempt_thread (gpointer data)
{
  Attempt *attempt = data;
  g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"wrong\"}",
                                           attempt->user);
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *url = g_strconcat (attempt->f->base, "/api/v1/session", NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr(GBytes) request = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", request);
  g_mutex_lock (attempt->lock);
  while (!*attempt->go)
    g_cond_wait (attempt->cond, attempt->lock);
  g_mutex_unlock (attempt->lock);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  /* 0: the connection failed (a reset when the listen backlog overflows). */
  attempt->status = reply != NULL ? soup_message_get_status (msg) : 0;
  if (error != NULL)
    g_test_message ("an attempt failed: %s", error->message);
  return NULL;
}

static void
run_attempts (ServerFixture *f,
              gboolean       same_user,
              guint         *checked,
              guint         *limited)
{
  enum { N = 40 };
  Attempt attempts[N];
  GThread *threads[N];
  GMutex lock;
  GCond cond;
  gboolean go = FALSE;

  g_mutex_init (&lock);
  g_cond_init (&cond);
  for (guint i = 0; i < N; i++)
    {
      attempts[i] = (Attempt) { f, same_user ? g_strdup ("slow")
                                             : g_strdup_printf ("nobody-%u", i),
                                0, &lock, &cond, &go };
      threads[i] = g_thread_new ("attempt", attempt_thread, &attempts[i]);
    }
  g_usleep (200 * 1000);
  g_mutex_lock (&lock);
  go = TRUE;
  g_cond_broadcast (&cond);
  g_mutex_unlock (&lock);
  *checked = *limited = 0;
  for (guint i = 0; i < N; i++)
    {
      g_thread_join (threads[i]);
      if (attempts[i].status == 401)
        (*checked)++;
      else if (attempts[i].status == 429)
        (*limited)++;
      g_free (attempts[i].user);
    }
  g_mutex_clear (&lock);
  g_cond_clear (&cond);
}

static void
test_login_in_flight (ServerFixture *f,
                      gconstpointer  data)
{
  guint checked = 0;
  guint limited = 0;

  /* 40 at once for one user: at most 5 password checks (the limit per user). */
  run_attempts (f, TRUE, &checked, &limited);
  g_test_message ("one user: %u checked, %u refused with 429", checked, limited);
  g_assert_cmpuint (checked, <=, f->config.login_max_failures);
  g_assert_cmpuint (checked + limited, ==, 40);
}

static void
test_login_in_flight_address (ServerFixture *f,
                              gconstpointer  data)
{
  guint checked = 0;
  guint limited = 0;

  /* 40 at once for 40 names from one address: at most 20 (four times the limit). */
  run_attempts (f, FALSE, &checked, &limited);
  g_test_message ("one address: %u checked, %u refused with 429", checked, limited);
  g_assert_cmpuint (checked, <=, 4 * f->config.login_max_failures);
  g_assert_cmpuint (checked + limited, ==, 40);
}

/* --- 7: abandoned uploads and unused blobs were kept for ever ---------------------------- */

static guint
count_partials (ServerFixture *f)
{
  g_autofree char *dir_path = g_build_filename (f->dir, "blobs", "partial", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
age_file (const char *path,
          gint64      seconds)
{
  struct utimbuf times;

  times.actime = times.modtime = (time_t) (g_get_real_time () / G_USEC_PER_SEC - seconds);
  g_assert_cmpint (utime (path, &times), ==, 0);
}

static char *
blob_file (ServerFixture *f,
           const char    *sha)
{
  char prefix[3] = { sha[0], sha[1], '\0' };

  return g_build_filename (f->dir, "blobs", prefix, sha, NULL);
}

static void
test_partials_and_garbage (ServerFixture *f,
                           gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(GBytes) unused = make_content (3000, 31);
  g_autoptr(GBytes) used = make_content (3000, 32);
  g_autofree char *unused_sha = sha256_of (unused);
  g_autofree char *used_sha = sha256_of (used);
  g_autofree char *unused_file = blob_file (f, unused_sha);
  g_autofree char *used_file = blob_file (f, used_sha);

  /* Five abandoned 1000-byte uploads: the user keeps the three newest. */
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GBytes) content = make_content (1000, 40 + i);
      g_autofree char *sha = sha256_of (content);
      g_autofree char *path = g_strconcat ("/api/v1/blobs/", sha, NULL);
      g_autoptr(Reply) part = server_request (f, "PUT", path, token,
                                              g_bytes_get_data (content, NULL), 100,
                                              "Content-Range", "bytes 0-99/1000", NULL);

      g_assert_cmpuint (part->status, ==, 202);
    }
  g_assert_cmpuint (count_partials (f), ==, f->config.max_partials);

  /* One blob no packet lists, one that a packet lists. */
  {
    g_autoptr(Reply) u1 = upload (f, token, unused);
    g_autoptr(Reply) u2 = upload (f, token, used);
    g_autoptr(CpPacket) packet = new_packet (USCC_1, "附件");
    g_autoptr(Reply) created = NULL;

    g_assert_cmpuint (u1->status, ==, 201);
    g_assert_cmpuint (u2->status, ==, 201);
    cp_packet_add_attachment (packet, "used.pdf", used_sha, 3000, "application/pdf");
    created = put_packet (f, token, packet, 0);
    g_assert_cmpuint (created->status, ==, 201);
  }

  /* Two hours later (the limits are one hour here), at the next start: */
  server_fixture_stop (f);
  {
    g_autofree char *dir_path = g_build_filename (f->dir, "blobs", "partial", NULL);
    g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *path = g_build_filename (dir_path, name, NULL);

        age_file (path, 7200);
      }
  }
  age_file (unused_file, 7200);
  age_file (used_file, 7200);
  server_fixture_start (f);
  g_free (token);
  token = server_login (f, "ent-1");

  g_assert_cmpuint (count_partials (f), ==, 0);
  g_assert_false (g_file_test (unused_file, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (used_file, G_FILE_TEST_EXISTS));
  {
    g_autofree char *unused_path = g_strconcat ("/api/v1/blobs/", unused_sha, NULL);
    g_autofree char *used_path = g_strconcat ("/api/v1/blobs/", used_sha, NULL);
    g_autofree char *query = g_strdup_printf ("SELECT count(*) FROM blob_owners WHERE sha256 = "
                                              "'%s'", unused_sha);
    g_auto(GStrv) owners = NULL;

    g_assert_cmpuint (get_status (f, token, unused_path), ==, 404);
    g_assert_cmpuint (get_status (f, token, used_path), ==, 200);
    server_fixture_stop (f);
    owners = server_fixture_query_column (f, query);
    g_assert_cmpstr (owners[0], ==, "0");
    server_fixture_start (f);
  }
}

/* --- 7: a moved packet showed the new enterprise the old one's revisions ------------------ */

static void
test_moved_packet (ServerFixture *f,
                   gconstpointer  data)
{
  g_autofree char *agency = server_login (f, "agency-a");
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autofree char *ent3 = server_login (f, "ent-3");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "一号的秘密");
  g_autofree char *uuid = g_strdup (cp_packet_get_uuid (packet));
  g_autofree char *revisions_path = packet_path (uuid, "/revisions");
  g_autofree char *first_path = packet_path (uuid, "/revisions/1");
  g_autofree char *second_path = packet_path (uuid, "/revisions/2");

  {
    g_autoptr(Reply) created = put_packet (f, agency, packet, 0);
    g_autoptr(Reply) moved = NULL;

    g_assert_cmpuint (created->status, ==, 201);
    /* The agency serves both and moves the packet to E3. */
    cp_packet_set_string (packet, "cover", "uscc", USCC_3);
    cp_packet_set_string (packet, "cover", "enterprise_name", "三号");
    moved = put_packet (f, agency, packet, 1);
    g_assert_cmpuint (moved->status, ==, 200);
  }

  g_assert_cmpuint (get_status (f, ent3, second_path), ==, 200);
  {
    g_autoptr(Reply) old = server_request (f, "GET", first_path, ent3, NULL, 0, NULL);

    if (old->status == 200)
      g_test_message ("E3 read E1's revision: %.*s", (int) g_bytes_get_size (old->body),
                      (const char *) g_bytes_get_data (old->body, NULL));
    assert_problem (old, 404, "not-found");
  }
  {
    g_autoptr(Reply) list = server_request (f, "GET", revisions_path, ent3, NULL, 0, NULL);
    JsonArray *array;

    g_assert_cmpuint (list->status, ==, 200);
    array = json_object_get_array_member (json_node_get_object (list->json), "revisions");
    g_assert_cmpuint (json_array_get_length (array), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (array, 0),
                                                 "revision"), ==, 2);
  }
  /* The agency, which saw both, still reads the whole history; E1 no longer sees the packet. */
  g_assert_cmpuint (get_status (f, agency, first_path), ==, 200);
  g_assert_cmpuint (get_status (f, ent1, first_path), ==, 404);
}

/* --- 7: the database was created 0644 ----------------------------------------------------- */

static void
test_database_modes (ServerFixture *f,
                     gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "权限");
  g_autoptr(Reply) created = put_packet (f, token, packet, 0);
  static const char * const names[] = { "server.sqlite", "server.sqlite-wal",
                                        "server.sqlite-shm" };

  g_assert_cmpuint (created->status, ==, 201);
  if (f->database != NULL)
    {
      g_test_skip ("PostgreSQL keeps no database file in the data folder");
      return;
    }
  /* Whatever the umask (the usual 022 made them 0644) and the folder. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, names[i], NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      if ((st.st_mode & 0077) != 0)
        g_test_message ("%s is %o", names[i], (unsigned) (st.st_mode & 0777));
      g_assert_cmpint (st.st_mode & 0077, ==, 0);
    }
}

/* --- 7: two Authorization headers, a length and a transfer encoding ----------------------- */

static void
test_ambiguous_headers (ServerFixture *f,
                        gconstpointer  data)
{
  g_autofree char *ent1 = server_login (f, "ent-1");
  g_autofree char *ent2 = server_login (f, "ent-2");
  char *requests[] = {
    g_strdup_printf ("GET /api/v1/session HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
                     "Authorization: Bearer %s\r\n\r\n", ent1, ent2),
    g_strdup_printf ("POST /api/v1/blobs/missing HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer %s\r\nContent-Length: 15\r\n"
                     "Transfer-Encoding: chunked\r\n\r\nf\r\n{\"sha256\": []}\r\n0\r\n\r\n",
                     ent1),
    g_strdup_printf ("POST /api/v1/blobs/missing HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer %s\r\nContent-Length: 15\r\nContent-Length: 15\r\n"
                     "\r\n{\"sha256\": []}", ent1),
  };

  for (guint i = 0; i < G_N_ELEMENTS (requests); i++)
    {
      g_autoptr(GSocketConnection) connection = raw_connect (f);
      g_autofree char *answer = NULL;
      guint status;

      raw_send (connection, requests[i], strlen (requests[i]));
      status = raw_read_answer (connection, 5000, &answer);
      if (status != 400)
        g_test_message ("request %u got %u: %s", i, status, answer);
      g_assert_cmpuint (status, ==, 400);
      g_assert_cmpstr (problem_type_of (answer), ==, "bad-request");
      g_free (requests[i]);
    }
}

/* --- 7: 413 and 401 only after the whole body ------------------------------------------- */

static void
test_answer_from_headers (ServerFixture *f,
                          gconstpointer  data)
{
  g_autofree char *token = server_login (f, "ent-1");
  g_autoptr(CpPacket) packet = new_packet (USCC_1, "大");
  g_autofree char *path = packet_path (cp_packet_get_uuid (packet), "");
  struct
  {
    char  *head;
    guint  status;
    const char *type;
  } cases[] = {
    /* no token, a body of 10 MB announced: 401 at once */
    { g_strdup_printf ("PUT %s HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n"
                       "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n", path),
      401, "unauthorized" },
    /* a body over the limit: 413 at once */
    { g_strdup_printf ("PUT %s HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                       "Content-Length: 10000000\r\n\r\n", path, token), 413, "too-large" },
    /* an attachment over the limit: 413 at once */
    { g_strdup_printf ("PUT /api/v1/blobs/%064d HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer %s\r\nContent-Length: 100000000\r\n\r\n", 0, token),
      413, "too-large" },
    /* a chunked body that passes the limit: 413 once it does, not at its end */
    { g_strdup_printf ("POST /api/v1/blobs/missing HTTP/1.1\r\nHost: x\r\n"
                       "Authorization: Bearer %s\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "10000\r\n", token), 413, "too-large" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GSocketConnection) connection = raw_connect (f);
      g_autofree char *answer = NULL;
      gint64 started = g_get_monotonic_time ();
      guint status;

      raw_send (connection, cases[i].head, strlen (cases[i].head));
      if (i == 3)
        {
          /* Past the 64 KiB limit of the fixture, and then the client waits. */
          g_autofree char *chunk = g_malloc0 (0x10000);

          memset (chunk, ' ', 0x10000);
          raw_send (connection, chunk, 0x10000);
          raw_send (connection, "\r\n10000\r\n", 9);
          raw_send (connection, chunk, 0x10000);
        }
      /* The body never comes: the answer must come from the headers. */
      status = raw_read_answer (connection, 3000, &answer);
      g_test_message ("case %u: %u after %" G_GINT64_FORMAT " ms", i, status,
                      (g_get_monotonic_time () - started) / 1000);
      g_assert_cmpuint (status, ==, cases[i].status);
      g_assert_cmpstr (problem_type_of (answer), ==, cases[i].type);
      g_free (cases[i].head);
    }
  /* The server serves on. */
  g_assert_cmpuint (get_status (f, NULL, "/api/v1/limits"), ==, 200);
}

/* --- the reports endpoint (issue 12's) reads the query as hostile input too ---------------- */

static void
test_report_requests (ServerFixture *f,
                      gconstpointer  data)
{
  g_autofree char *office = server_login (f, "office-kunshan");
  g_autofree char *novel = NULL;
  g_autofree char *long_path = NULL;
  static const char * const bad[] = {
    "/api/v1/reports/standardization-enterprises?year=2020&district=..%2F..%2Fx",
    "/api/v1/reports/standardization-enterprises?year=2020&district=Kunshan%0A2026-01-01%20x",
    "/api/v1/reports/standardization-enterprises?year=2020&district=kun%1b%5b2Jshan",
    "/api/v1/reports/Standardization%20Enterprises?year=2020",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(Reply) reply = server_request (f, "GET", bad[i], office, NULL, 0, NULL);

      if (reply->status != 400)
        g_test_message ("%s got %u", bad[i], reply->status);
      assert_problem (reply, 400, "bad-request");
    }
  /* A district code of 5000 bytes is refused, not looked up and echoed. */
  novel = g_strnfill (5000, 'k');
  long_path = g_strconcat ("/api/v1/reports/standardization-enterprises?year=2020&district=",
                           novel, NULL);
  {
    g_autoptr(Reply) reply = server_request (f, "GET", long_path, office, NULL, 0, NULL);

    assert_problem (reply, 400, "bad-request");
    g_assert_cmpuint (g_bytes_get_size (reply->body), <, 1000);
  }
  /* The office's own district is still asked for. */
  {
    g_autoptr(Reply) reply = server_request (f, "GET", "/api/v1/reports/"
                                             "standardization-enterprises?year=2020"
                                             "&district=kunshan", office, NULL, 0, NULL);

    g_assert_cmpuint (reply->status, !=, 400);
  }
  /* Clients read a report file in full: max_reply covers the largest one. */
  {
    g_autoptr(Reply) limits = server_request (f, "GET", "/api/v1/limits", NULL, NULL, 0, NULL);

    g_assert_cmpuint (limits->status, ==, 200);
    g_assert_cmpint (json_get_int (limits->json, "max_reply"), >=, CP_SERVER_MAX_REPORT);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);
  /* The usual umask, whatever the test runner's: with it the database was created 0644. */
  umask (022);

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

#define ADD(path, configure, func) \
  g_test_add (path, ServerFixture, (gconstpointer) configure, server_fixture_setup, func, \
              server_fixture_teardown)
  ADD ("/hostile/deep-json", configure_big_bodies, test_deep_json);
  ADD ("/hostile/nul-login", NULL, test_nul_login);
  ADD ("/hostile/canonical-round-trip", NULL, test_canonical_round_trip);
  ADD ("/hostile/stored-poison", NULL, test_stored_poison);
  ADD ("/hostile/blob-overwrite-race", NULL, test_blob_overwrite_race);
  ADD ("/hostile/blob-tenancy", configure_shared_agency, test_blob_tenancy);
  ADD ("/hostile/login-in-flight/user", configure_slow_passwords, test_login_in_flight);
  ADD ("/hostile/login-in-flight/address", configure_slow_passwords,
       test_login_in_flight_address);
  ADD ("/hostile/partials-and-garbage", configure_small_limits, test_partials_and_garbage);
  ADD ("/hostile/moved-packet", configure_shared_agency, test_moved_packet);
  ADD ("/hostile/database-modes", NULL, test_database_modes);
  ADD ("/hostile/ambiguous-headers", NULL, test_ambiguous_headers);
  ADD ("/hostile/answer-from-headers", NULL, test_answer_from_headers);
  ADD ("/hostile/report-requests", NULL, test_report_requests);
#undef ADD

  return g_test_run ();
}
