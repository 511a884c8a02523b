/* test-server-processes.c — two credit-packet-server processes on one database
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a province or a high-availability setup does: two server binaries share one database
 * (and one data folder for the blobs), and clients talk to either. Runs on the fixture's
 * backend: SQLite (one file, two processes) as test server-processes, PostgreSQL as
 * server-processes-pg.
 *  - Many clients PUT the same packet on the same base revision through both servers at once:
 *    exactly one wins per round, every other gets 412, and the changes feed, followed through
 *    either server, lists each new revision once with a strictly increasing seq.
 *  - Writers on many packets and a follower of the changes feed run together: the follower
 *    sees strictly increasing sequence numbers, never the same revision twice, and in the end
 *    the last revision of every packet, even when commits finish in another order than their
 *    sequence numbers were taken.
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>

#include "cp-packet.h"
#include "cp-template-registry.h"
#include "server-fixture.h"

#define KIND "standardization-acceptance"

static char *template_version;

typedef struct
{
  GSubprocess *process;
  char        *base;
} Child;

static void
start_child (ServerFixture *f,
             Child         *child)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *config = g_build_filename (f->dir, "server.conf", NULL);
  g_autofree char *line = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *binary = g_getenv ("CP_SERVER_BINARY");
  guint port = 0;

  g_assert_nonnull (binary);
  g_assert_true (g_file_set_contents (config, "[server]\nlog-requests = false\n", -1, NULL));
  g_ptr_array_add (argv, (gpointer) binary);
  g_ptr_array_add (argv, (gpointer) "--config");
  g_ptr_array_add (argv, config);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, f->dir);
  g_ptr_array_add (argv, (gpointer) "--listen");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1:0");
  if (f->database != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--database");
      g_ptr_array_add (argv, f->database);
    }
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
  child->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                                 &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_cmpint (sscanf (line, "listening on http://127.0.0.1:%u/", &port), ==, 1);
  g_assert_cmpuint (port, >, 0);
  child->base = g_strdup_printf ("http://127.0.0.1:%u", port);
}

static void
stop_child (Child *child)
{
  g_autoptr(GError) error = NULL;

  g_subprocess_send_signal (child->process, SIGTERM);
  g_subprocess_wait_check (child->process, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&child->process);
  g_clear_pointer (&child->base, g_free);
}

static void
configure_manual (ServerFixture *f)
{
  f->manual_start = TRUE;
}

static char *
login (SoupSession *session,
       const char  *base,
       const char  *user)
{
  g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"password-%s\"}",
                                           user, user);
  g_autoptr(Reply) reply = server_request_session (session, base, "POST", "/api/v1/session", NULL,
                                                   body, -1, NULL);

  g_assert_cmpuint (reply->status, ==, 201);
  return g_strdup (json_get_string (reply->json, "token"));
}

static CpPacket *
new_packet (const char *name)
{
  CpPacket *packet = cp_packet_new (KIND, template_version);

  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "uscc", USCC_1);
  cp_packet_set_string (packet, "cover", "enterprise_name", name);
  return packet;
}

/* PUTs @packet renamed to @name on top of @base (0: creates it). */
static Reply *
put_named (SoupSession *session,
           const char  *server,
           const char  *token,
           CpPacket    *packet,
           const char  *name,
           gint64       base)
{
  g_autoptr(CpPacket) copy = cp_packet_copy (packet);
  g_autofree char *path = g_strconcat ("/api/v1/packets/", cp_packet_get_uuid (packet), NULL);
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", base);
  g_autofree char *body = NULL;
  const char *create[] = { "If-None-Match", "*", NULL };
  const char *update[] = { "If-Match", etag, NULL };

  cp_packet_set_string (copy, "cover", "enterprise_name", name);
  body = cp_packet_to_data (copy, FALSE, NULL);
  return server_request_session (session, server, "PUT", path, token, body, -1,
                                 base == 0 ? create : update);
}

/* One page of the changes feed after @since. */
static Reply *
changes_page (SoupSession *session,
              const char  *server,
              const char  *token,
              const char  *since)
{
  g_autofree char *path = g_strconcat ("/api/v1/changes?since=", since, "&limit=50", NULL);
  Reply *reply = server_request_session (session, server, "GET", path, token, NULL, 0, NULL);

  g_assert_cmpuint (reply->status, ==, 200);
  return reply;
}

static JsonArray *
changes_of (Reply *reply)
{
  return json_object_get_array_member (json_node_get_object (reply->json), "changes");
}

/* --- many clients, one packet ------------------------------------------------------------ */

typedef struct
{
  SoupSession *session;
  const char  *server;
  const char  *token;
  CpPacket    *packet;
  guint        index;
  gint64       base;
  GMutex      *lock;
  GCond       *cond;
  guint       *round;
  guint        status;
  gint64       revision;
  char        *type;
} Client;

static gpointer
client_thread (gpointer user_data)
{
  Client *c = user_data;
  g_autofree char *name = NULL;
  g_autoptr(Reply) reply = NULL;
  guint round;

  /* All clients of a round leave the gate together. */
  g_mutex_lock (c->lock);
  while (*c->round == 0)
    g_cond_wait (c->cond, c->lock);
  round = *c->round;
  g_mutex_unlock (c->lock);

  name = g_strdup_printf ("第 %u 轮 写入者 %u", round, c->index);
  reply = put_named (c->session, c->server, c->token, c->packet, name, c->base);
  c->status = reply->status;
  if (reply->json != NULL)
    {
      c->revision = json_get_int (reply->json, "revision");
      g_free (c->type);
      c->type = g_strdup (json_get_string (reply->json, "type"));
    }
  return NULL;
}

static void
test_contended_puts (ServerFixture *f,
                     gconstpointer  data)
{
  enum { N_CLIENTS = 12, N_ROUNDS = 6 };
  Child servers[2] = { { 0 } };
  g_autoptr(CpPacket) packet = new_packet ("两个进程");
  SoupSession *sessions[N_CLIENTS];
  g_autofree char *token = NULL;
  g_autofree char *cursor = g_strdup ("0");
  gint64 last_seq = 0;
  GMutex lock;
  GCond cond;

  start_child (f, &servers[0]);
  start_child (f, &servers[1]);

  /* A session opened on one server is valid on the other: they share the database. */
  token = login (f->session, servers[0].base, "agency-a");
  {
    g_autoptr(Reply) me = server_request_session (f->session, servers[1].base, "GET",
                                                  "/api/v1/session", token, NULL, 0, NULL);

    g_assert_cmpuint (me->status, ==, 200);
    g_assert_cmpstr (json_get_string (me->json, "name"), ==, "agency-a");
  }
  {
    g_autoptr(Reply) created = put_named (f->session, servers[1].base, token, packet, "两个进程",
                                          0);

    g_assert_cmpuint (created->status, ==, 201);
    g_assert_cmpint (json_get_int (created->json, "revision"), ==, 1);
  }
  /* The feed, read through the other server, starts with revision 1. */
  {
    g_autoptr(Reply) page = changes_page (f->session, servers[0].base, token, cursor);
    JsonObject *entry;

    g_assert_cmpuint (json_array_get_length (changes_of (page)), ==, 1);
    entry = json_array_get_object_element (changes_of (page), 0);
    g_assert_cmpint (json_object_get_int_member (entry, "revision"), ==, 1);
    last_seq = json_object_get_int_member (entry, "seq");
    g_free (cursor);
    cursor = g_strdup (json_get_string (page->json, "next"));
  }

  for (guint i = 0; i < N_CLIENTS; i++)
    sessions[i] = soup_session_new_with_options ("timeout", 60, NULL);
  g_mutex_init (&lock);
  g_cond_init (&cond);

  for (guint round = 1; round <= N_ROUNDS; round++)
    {
      Client clients[N_CLIENTS];
      GThread *threads[N_CLIENTS];
      guint gate = 0;
      guint wins = 0;
      guint stale = 0;
      gint64 winner_revision = 0;

      /* Every client copies the one packet in its own thread, as the PDF export copies the
       * open packet: with copies that shared json-glib values (whose reference counts are not
       * atomic) this crashed about one run in four under MALLOC_PERTURB_. */
      for (guint i = 0; i < N_CLIENTS; i++)
        {
          clients[i] = (Client) { sessions[i], servers[i % 2].base, token, packet, i, round,
                                  &lock, &cond, &gate, 0, 0, NULL };
          threads[i] = g_thread_new ("client", client_thread, &clients[i]);
        }
      g_mutex_lock (&lock);
      gate = round;
      g_cond_broadcast (&cond);
      g_mutex_unlock (&lock);

      for (guint i = 0; i < N_CLIENTS; i++)
        {
          g_thread_join (threads[i]);
          if (clients[i].status == 200)
            {
              wins++;
              winner_revision = clients[i].revision;
            }
          else
            {
              if (clients[i].status != 412)
                g_test_message ("round %u, client %u: %u %s", round, i, clients[i].status,
                                clients[i].type);
              g_assert_cmpuint (clients[i].status, ==, 412);
              g_assert_true (g_str_has_suffix (clients[i].type, "/stale-revision"));
              stale++;
            }
          g_free (clients[i].type);
        }
      /* Exactly one wins on each base revision; the others are told they are stale. */
      g_assert_cmpuint (wins, ==, 1);
      g_assert_cmpuint (stale, ==, N_CLIENTS - 1);
      g_assert_cmpint (winner_revision, ==, round + 1);

      /* The feed, through either server, has the new revision exactly once, further on. */
      {
        g_autoptr(Reply) page = changes_page (f->session, servers[round % 2].base, token, cursor);
        JsonObject *entry;

        g_assert_cmpuint (json_array_get_length (changes_of (page)), ==, 1);
        entry = json_array_get_object_element (changes_of (page), 0);
        g_assert_cmpstr (json_object_get_string_member (entry, "uuid"), ==,
                         cp_packet_get_uuid (packet));
        g_assert_cmpint (json_object_get_int_member (entry, "revision"), ==, round + 1);
        g_assert_cmpint (json_object_get_int_member (entry, "seq"), >, last_seq);
        last_seq = json_object_get_int_member (entry, "seq");
        g_free (cursor);
        cursor = g_strdup (json_get_string (page->json, "next"));
      }
    }

  /* Every revision is in the history once, each on top of the one before. */
  {
    g_autofree char *path = g_strconcat ("/api/v1/packets/", cp_packet_get_uuid (packet),
                                         "/revisions", NULL);
    g_autoptr(Reply) history = server_request_session (f->session, servers[1].base, "GET", path,
                                                       token, NULL, 0, NULL);
    JsonArray *revisions;

    g_assert_cmpuint (history->status, ==, 200);
    revisions = json_object_get_array_member (json_node_get_object (history->json), "revisions");
    g_assert_cmpuint (json_array_get_length (revisions), ==, N_ROUNDS + 1);
    for (guint i = 0; i < json_array_get_length (revisions); i++)
      {
        JsonObject *revision = json_array_get_object_element (revisions, i);

        g_assert_cmpint (json_object_get_int_member (revision, "revision"), ==, i + 1);
        g_assert_cmpint (json_object_get_int_member (revision, "base"), ==, i);
      }
  }

  g_mutex_clear (&lock);
  g_cond_clear (&cond);
  for (guint i = 0; i < N_CLIENTS; i++)
    g_object_unref (sessions[i]);
  stop_child (&servers[0]);
  stop_child (&servers[1]);
}

/* --- many packets, one follower ---------------------------------------------------------- */

enum { N_WRITERS = 6, N_PACKETS_EACH = 3, N_UPDATES = 6 };

typedef struct
{
  Child       *servers;
  const char  *token;
  guint        index;
  CpPacket    *packets[N_PACKETS_EACH];
  guint       *finished;
} Writer;

static gpointer
writer_thread (gpointer user_data)
{
  Writer *w = user_data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  guint request = w->index;

  /* Revision by revision, packet after packet, each request to the other server. */
  for (guint revision = 0; revision < N_UPDATES; revision++)
    for (guint i = 0; i < N_PACKETS_EACH; i++)
      {
        g_autofree char *name = g_strdup_printf ("写入者 %u 包 %u 第 %u 版", w->index, i,
                                                 revision + 1);
        g_autoptr(Reply) reply = put_named (session, w->servers[request++ % 2].base, w->token,
                                            w->packets[i], name, revision);

        g_assert_cmpuint (reply->status, ==, revision == 0 ? 201 : 200);
        g_assert_cmpint (json_get_int (reply->json, "revision"), ==, revision + 1);
      }
  g_atomic_int_inc (w->finished);
  return NULL;
}

typedef struct
{
  Child       *servers;
  const char  *token;
  GHashTable  *seen;      /* "uuid/revision" → the seq it came with */
  GHashTable  *latest;    /* uuid → the highest revision seen */
  char        *cursor;
  gint64       last_seq;
  guint        pages;
} Follower;

/* Reads the feed up to its end once; returns the number of entries. */
static guint
follow (Follower    *follower,
        SoupSession *session)
{
  guint entries = 0;
  gboolean more = TRUE;

  while (more)
    {
      g_autoptr(Reply) page = changes_page (session, follower->servers[follower->pages++ % 2].base,
                                            follower->token, follower->cursor);
      JsonArray *changes = changes_of (page);

      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *entry = json_array_get_object_element (changes, i);
          const char *uuid = json_object_get_string_member (entry, "uuid");
          gint64 revision = json_object_get_int_member (entry, "revision");
          gint64 seq = json_object_get_int_member (entry, "seq");
          char *key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, uuid, revision);

          /* Strictly increasing over the whole run, and no revision twice. */
          g_assert_cmpint (seq, >, follower->last_seq);
          follower->last_seq = seq;
          g_assert_false (g_hash_table_contains (follower->seen, key));
          g_hash_table_insert (follower->seen, key, GINT_TO_POINTER (1));
          if (revision > GPOINTER_TO_INT (g_hash_table_lookup (follower->latest, uuid)))
            g_hash_table_insert (follower->latest, g_strdup (uuid),
                                 GINT_TO_POINTER ((int) revision));
          entries++;
        }
      more = json_object_get_boolean_member (json_node_get_object (page->json), "more");
      g_free (follower->cursor);
      follower->cursor = g_strdup (json_get_string (page->json, "next"));
    }
  return entries;
}

static void
test_follow_changes (ServerFixture *f,
                     gconstpointer  data)
{
  Child servers[2] = { { 0 } };
  Writer writers[N_WRITERS];
  GThread *threads[N_WRITERS];
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 60, NULL);
  g_autofree char *token = NULL;
  Follower follower = { servers, NULL, NULL, NULL, NULL, 0, 0 };
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  guint finished = 0;

  start_child (f, &servers[0]);
  start_child (f, &servers[1]);
  token = login (f->session, servers[1].base, "agency-a");
  follower.token = token;
  follower.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  follower.latest = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  follower.cursor = g_strdup ("0");

  for (guint i = 0; i < N_WRITERS; i++)
    {
      writers[i] = (Writer) { servers, token, i, { NULL }, &finished };
      for (guint j = 0; j < N_PACKETS_EACH; j++)
        writers[i].packets[j] = new_packet ("写入者");
      threads[i] = g_thread_new ("writer", writer_thread, &writers[i]);
    }

  /* Follow the feed while the writers write, as a client that syncs often would. */
  while (g_atomic_int_get (&finished) < N_WRITERS)
    {
      follow (&follower, session);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
    }
  for (guint i = 0; i < N_WRITERS; i++)
    g_thread_join (threads[i]);
  g_test_message ("followed %u pages while %u writers wrote", follower.pages, N_WRITERS);
  /* Once more to the end, and then there is nothing left. */
  follow (&follower, session);
  g_assert_cmpuint (follow (&follower, session), ==, 0);

  /* The follower ends with the last revision of every packet. */
  for (guint i = 0; i < N_WRITERS; i++)
    for (guint j = 0; j < N_PACKETS_EACH; j++)
      {
        const char *uuid = cp_packet_get_uuid (writers[i].packets[j]);

        g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (follower.latest, uuid)), ==,
                         N_UPDATES);
        g_object_unref (writers[i].packets[j]);
      }
  g_assert_cmpuint (g_hash_table_size (follower.latest), ==, N_WRITERS * N_PACKETS_EACH);

  g_hash_table_unref (follower.seen);
  g_hash_table_unref (follower.latest);
  g_free (follower.cursor);
  stop_child (&servers[0]);
  stop_child (&servers[1]);
}

/* --- the storage directly ---------------------------------------------------------------- */

/* The feed with bodies stops before the body that would go past the budget; the first row
 * always comes. The same answer from every backend. */
static void
test_changes_with_bodies (ServerFixture *f,
                          gconstpointer  data)
{
  g_autoptr(CpServerStorage) storage = server_fixture_open_storage (f);
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GError) error = NULL;
  CpServerUser admin = { .role = CP_SERVER_ROLE_ADMIN, .name = (char *) "admin" };
  gint64 last_seq = 0;
  gboolean truncated = TRUE;

  /* Bodies of 100, 200, 300 and 400 bytes. */
  for (guint i = 1; i <= 4; i++)
    {
      g_autoptr(CpServerRevision) revision = g_new0 (CpServerRevision, 1);
      char *body = g_malloc (i * 100);

      memset (body, '0' + i, i * 100);
      body[0] = '\0';  /* bodies are bytes, not strings */
      revision->uuid = g_uuid_string_random ();
      revision->action = g_strdup ("test");
      revision->state = g_strdup ("draft");
      revision->uscc = g_strdup (USCC_1);
      revision->kind = g_strdup (KIND);
      revision->year = 2020;
      revision->sha256 = g_strdup ("0000000000000000000000000000000000000000000000000000000000000000");
      revision->user_name = g_strdup ("test");
      revision->body = g_bytes_new_take (body, i * 100);
      g_assert_true (cp_server_storage_put_revision (storage, revision, 0, NULL, &error));
      g_assert_no_error (error);
    }

  page = cp_server_storage_list_changes_with_bodies (storage, &admin, 0, 10, 350, &last_seq,
                                                     &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 2);
  g_assert_true (truncated);
  g_assert_cmpint (last_seq, ==, 4);
  for (guint i = 0; i < page->len; i++)
    {
      CpServerRevision *revision = g_ptr_array_index (page, i);

      g_assert_cmpint (revision->seq, ==, i + 1);
      g_assert_cmpuint (g_bytes_get_size (revision->body), ==, (i + 1) * 100);
      g_assert_cmpint (((const char *) g_bytes_get_data (revision->body, NULL))[0], ==, '\0');
      g_assert_cmpint (((const char *) g_bytes_get_data (revision->body, NULL))[1], ==, '1' + i);
    }
  g_clear_pointer (&page, g_ptr_array_unref);

  /* A budget smaller than the first body still returns it. */
  page = cp_server_storage_list_changes_with_bodies (storage, &admin, 2, 10, 1, &last_seq,
                                                     &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 1);
  g_assert_true (truncated);
  g_assert_cmpint (((CpServerRevision *) g_ptr_array_index (page, 0))->seq, ==, 3);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Everything fits: not truncated; the limit still applies. */
  page = cp_server_storage_list_changes_with_bodies (storage, &admin, 0, 3, 1 << 20, &last_seq,
                                                     &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 3);
  g_assert_false (truncated);
  g_clear_pointer (&page, g_ptr_array_unref);

  /* Past the end: nothing, and the last sequence number all the same. */
  page = cp_server_storage_list_changes_with_bodies (storage, &admin, 4, 10, 1 << 20, &last_seq,
                                                     &truncated, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 0);
  g_assert_false (truncated);
  g_assert_cmpint (last_seq, ==, 4);
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

  g_test_add ("/server/processes/contended-puts", ServerFixture, (gconstpointer) configure_manual,
              server_fixture_setup, test_contended_puts, server_fixture_teardown);
  g_test_add ("/server/processes/follow-changes", ServerFixture, (gconstpointer) configure_manual,
              server_fixture_setup, test_follow_changes, server_fixture_teardown);
  g_test_add ("/server/storage/changes-with-bodies", ServerFixture,
              (gconstpointer) configure_manual, server_fixture_setup, test_changes_with_bodies,
              server_fixture_teardown);

  return g_test_run ();
}
