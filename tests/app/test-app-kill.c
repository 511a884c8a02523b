/* test-app-kill.c — kill -9 of the real application during sync loses nothing
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The application binary (CP_APP_BINARY) runs on a store with many pending packets and several
 * MB of attachments, against the real server (CP_SERVER_BINARY) on 127.0.0.1. It finds its
 * server in CP_SERVER_URL and its token in the keyring (put there with cp-credentials, as a
 * login would), restores the session and syncs at once. While the server is receiving its data
 * it gets SIGKILL at a random moment; between runs the store gets more edits, packets and
 * files; then it starts again. In the end a clean sync with the client library must find every
 * packet and every attachment on the server exactly once, identical to the local store, and the
 * store must pass PRAGMA integrity_check.
 *
 * Needs a display and a session bus with an unlocked keyring (tools/test.sh). CP_KILL_SEED
 * replays a run; the seed is printed.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <string.h>

#include "client-fixture.h"
#include "cp-credentials.h"

#define N_KILLS        10
#define FIRST_PACKETS  600
#define FIRST_BLOBS    16

typedef struct
{
  TestServer *server;
  char       *store_dir;
  GRand      *rand;
  GHashTable *names;      /* uuid → the enterprise name last written */
  GHashTable *addresses;  /* uuid → the address last written, when written */
  guint       n_packets;
} Kill;

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static void
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

/* --- the local store, while the application is not running ------------------------------- */

static void
add_blob (Kill     *k,
          CpStore  *store,
          CpPacket *packet)
{
  gsize size = (gsize) g_rand_int_range (k->rand, 256 * 1024, 1024 * 1024);
  guint32 *data = g_malloc (size + 4);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = NULL;

  for (gsize i = 0; i < size / 4 + 1; i++)
    data[i] = g_rand_int (k->rand);
  bytes = g_bytes_new_take (data, size);
  g_assert_true (cp_store_add_blob_from_bytes (store, bytes, &sha256, &error));
  g_assert_no_error (error);
  cp_packet_add_attachment (packet, "scan.pdf", sha256, size, "application/pdf");
}

static void
new_packets (Kill    *k,
             CpStore *store,
             guint    n_packets,
             guint    n_blobs)
{
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < n_packets; i++)
    {
      g_autofree char *name = g_strdup_printf ("苏州断电测试%03u有限公司", k->n_packets++);

      g_ptr_array_add (made, cp_test_make_packet (k->server->uscc, name));
    }
  /* Files on random new packets; one file is named by two packets (stored once). */
  for (guint i = 0; i < n_blobs; i++)
    add_blob (k, store, g_ptr_array_index (made, g_rand_int_range (k->rand, 0,
                                                                   (gint32) made->len)));
  if (n_blobs > 0 && made->len > 1)
    {
      CpPacket *from = NULL;

      for (guint i = 0; i < made->len && from == NULL; i++)
        if (cp_packet_get_attachments (g_ptr_array_index (made, i))->len > 0)
          from = g_ptr_array_index (made, i);
      if (from != NULL)
        {
          const CpAttachment *a = g_ptr_array_index (cp_packet_get_attachments (from), 0);
          CpPacket *to = g_ptr_array_index (made, 0) != from ? g_ptr_array_index (made, 0)
                                                             : g_ptr_array_index (made, 1);

          if (cp_packet_find_attachment (to, a->sha256) == NULL)
            cp_packet_add_attachment (to, "copy.pdf", a->sha256, a->size, a->mime);
        }
    }
  for (guint i = 0; i < made->len; i++)
    {
      CpPacket *packet = g_ptr_array_index (made, i);

      g_assert_true (cp_store_save_packet (store, packet, NULL, &error));
      g_assert_no_error (error);
      g_hash_table_insert (k->names, g_strdup (cp_packet_get_uuid (packet)),
                           g_strdup (cp_packet_get_enterprise_name (packet)));
    }
}

/* Edits some packets (synced or not) as a user of the application would have. */
static void
edit_packets (Kill    *k,
              CpStore *store,
              guint    run,
              guint    n_edits)
{
  g_autoptr(GList) uuids = g_hash_table_get_keys (k->names);
  guint n = g_list_length (uuids);

  for (guint i = 0; i < n_edits; i++)
    {
      const char *uuid = g_list_nth_data (uuids, (guint) g_rand_int_range (k->rand, 0,
                                                                          (gint32) n));
      g_autofree char *address = g_strdup_printf ("苏州市第%u轮第%u号", run, i);
      g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
      g_autoptr(GError) error = NULL;

      json_node_set_string (value, address);
      g_assert_true (cp_store_set_value (store, uuid, "cover", "address", value, &error));
      g_assert_no_error (error);
      g_hash_table_insert (k->addresses, g_strdup (uuid), g_steal_pointer (&address));
    }
}

static void
change_store (Kill  *k,
              guint  run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = cp_store_new (k->store_dir, &error);

  g_assert_no_error (error);
  if (run == 0)
    new_packets (k, store, FIRST_PACKETS, FIRST_BLOBS);
  else
    {
      new_packets (k, store, 100, 2);
      edit_packets (k, store, run, 20);
    }
}

static sqlite3 *
open_db (const char *path,
         int         flags)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, flags, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

static gint64
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* Packets of the local store that wait to be sent. */
static guint
local_pending (Kill *k)
{
  g_autofree char *path = g_build_filename (k->store_dir, "packets.db", NULL);
  sqlite3 *db = open_db (path, SQLITE_OPEN_READWRITE);
  guint n = (guint) query_int (db, "SELECT count(*) FROM packets WHERE sync_state = 'pending'");

  sqlite3_close (db);
  return n;
}

static void
assert_integrity_ok (Kill *k)
{
  g_autofree char *path = g_build_filename (k->store_dir, "packets.db", NULL);
  sqlite3 *db = open_db (path, SQLITE_OPEN_READWRITE);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* --- what the server received ------------------------------------------------------------- */

static guint64
tree_bytes (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;
  guint64 total = 0;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_lstat (path, &st) != 0)
        continue;
      if (S_ISDIR (st.st_mode))
        total += tree_bytes (path);
      else
        total += (guint64) st.st_size;
    }
  return total;
}

static guint64
server_revisions (Kill *k)
{
  g_autofree char *path = g_build_filename (k->server->data_dir, "server.sqlite", NULL);
  sqlite3 *db = open_db (path, SQLITE_OPEN_READONLY);
  guint64 revisions = (guint64) query_int (db, "SELECT count(*) FROM revisions");

  sqlite3_close (db);
  return revisions;
}

/* Grows with every revision and every attachment byte the server stores. */
static guint64
server_progress (Kill *k)
{
  g_autofree char *blobs = g_build_filename (k->server->data_dir, "blobs", NULL);

  return server_revisions (k) + tree_bytes (blobs);
}

/* --- the application ---------------------------------------------------------------------- */

static gboolean
app_name_owned (GDBusConnection *bus)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply == NULL)
    return FALSE;
  return g_variant_get_boolean (g_variant_get_child_value (reply, 0));
}

/* The previous instance's bus name must be gone, or the new one would hand over to it. */
static void
wait_name_released (GDBusConnection *bus)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (app_name_owned (bus))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10 * 1000);
    }
}

static GSubprocess *
launch_app (Kill *k)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *app;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, cp_test_die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "CP_DATA_DIR", k->store_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "CP_SERVER_URL", k->server->base, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "memory", TRUE);
  g_subprocess_launcher_setenv (launcher, "GSK_RENDERER", "cairo", TRUE);
  app = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("CP_APP_BINARY"), NULL);
  g_assert_no_error (error);
  return app;
}

/* --- the server's view, at the end -------------------------------------------------------- */

static GHashTable *
server_packets (Kill *k)
{
  g_autofree char *token = cp_test_login_token (k->server->base, "admin");
  g_autofree char *since = g_strdup ("0");
  GHashTable *packets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gboolean more = TRUE;

  while (more)
    {
      g_autofree char *feed = g_strdup_printf ("/api/v1/changes?since=%s&limit=1000", since);
      g_autoptr(GBytes) body = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *page;
      JsonArray *changes;

      g_assert_cmpuint (cp_test_http (k->server->base, "GET", feed, token, NULL, NULL, &body), ==,
                        200);
      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                                 (gssize) g_bytes_get_size (body), NULL));
      page = json_node_get_object (json_parser_get_root (parser));
      more = json_object_get_boolean_member (page, "more");
      g_free (since);
      since = g_strdup (json_object_get_string_member (page, "next"));
      changes = json_object_get_array_member (page, "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *change = json_array_get_object_element (changes, i);
          const char *uuid = json_object_get_string_member (change, "uuid");
          g_autofree char *path = g_strconcat ("/api/v1/packets/", uuid, NULL);
          g_autoptr(GBytes) packet = NULL;

          /* The feed lists each packet once. */
          g_assert_false (g_hash_table_contains (packets, uuid));
          g_assert_cmpuint (cp_test_http (k->server->base, "GET", path, token, NULL, NULL,
                                       &packet), ==, 200);
          g_hash_table_insert (packets, g_strdup (uuid),
                               g_strndup (g_bytes_get_data (packet, NULL),
                                          g_bytes_get_size (packet)));
        }
    }
  return packets;
}

/* The attachment files in the server's folder (not the partial uploads). */
static GHashTable *
server_blob_files (Kill *k)
{
  g_autofree char *blobs = g_build_filename (k->server->data_dir, "blobs", NULL);
  g_autoptr(GDir) top = g_dir_open (blobs, 0, NULL);
  GHashTable *files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *prefix;

  g_assert_nonnull (top);
  while ((prefix = g_dir_read_name (top)) != NULL)
    {
      g_autofree char *sub = g_build_filename (blobs, prefix, NULL);
      g_autoptr(GDir) dir = NULL;
      const char *name;

      if (g_strcmp0 (prefix, "partial") == 0 || !g_file_test (sub, G_FILE_TEST_IS_DIR))
        continue;
      dir = g_dir_open (sub, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_assert_true (g_str_has_prefix (name, prefix));
          g_assert_false (g_hash_table_contains (files, name));
          g_hash_table_add (files, g_strdup (name));
        }
    }
  return files;
}

static void
test_kill_during_sync (void)
{
  const char *seed_text = g_getenv ("CP_KILL_SEED");
  guint32 seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10)
                                   : g_random_int ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpCredentials) credentials = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GHashTable) on_server = NULL;
  g_autoptr(GHashTable) files = NULL;
  g_autoptr(GHashTable) local_blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                            NULL);
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *token = NULL;
  g_autofree char *partial = NULL;
  CpTestClient *check;
  CpSyncStats stats = { 0 };
  guint mid_sync = 0;
  Kill k = { 0 };

  if (g_getenv ("CP_APP_BINARY") == NULL || g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    {
      g_test_skip ("needs CP_APP_BINARY and a session bus with an unlocked keyring "
                   "(tools/test.sh)");
      return;
    }
  g_test_message ("seed %u (CP_KILL_SEED=%u replays it)", seed, seed);
  g_printerr ("test-app-kill: seed %u\n", seed);
  k.rand = g_rand_new_with_seed (seed);
  k.names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  k.addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  k.server = test_server_start ();
  k.store_dir = g_build_filename (k.server->dir, "app", NULL);
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (app_name_owned (bus));

  /* What a login through the application leaves behind: the token in the keyring. */
  token = cp_test_login_token (k.server->base, "ent-1");
  credentials = cp_credentials_new ();
  cp_credentials_store_async (credentials, k.server->base, "ent-1", token, NULL, async_done_cb,
                              &result);
  wait_result (&result);
  if (!cp_credentials_store_finish (credentials, result, &error))
    {
      g_autofree char *why = g_strdup_printf ("the keyring cannot keep the token: %s",
                                              error->message);

      g_test_skip (why);
      test_server_stop (k.server);
      return;
    }
  g_clear_object (&result);

  for (guint run = 0; run < N_KILLS; run++)
    {
      g_autoptr(GSubprocess) app = NULL;
      guint64 before = server_progress (&k);
      guint64 target, after;
      gint64 started = g_get_monotonic_time ();
      gint64 deadline = started + 30 * G_USEC_PER_SEC;
      guint delay_ms = (guint) g_rand_int_range (k.rand, 0, 20);
      guint pending;

      change_store (&k, run);
      pending = local_pending (&k);
      g_assert_cmpuint (pending, >, 0);
      /* The moment: anywhere from the first attachment byte to the middle of the packets, so
       * that the kill lands mid-sync even on a fast machine (the delay below adds a few). */
      target = server_revisions (&k) +
               (guint64) g_rand_int_range (k.rand, 0, (gint32) MAX (1, pending / 2));
      wait_name_released (bus);
      app = launch_app (&k);

      /* Killed only while the server is receiving this run's data. */
      while (server_progress (&k) == before || server_revisions (&k) < target)
        {
          g_assert_cmpint (g_get_monotonic_time (), <, deadline);
          /* Still running (GLib reaps it in its worker thread once it ends). */
          g_assert_nonnull (g_subprocess_get_identifier (app));
          g_usleep (2 * 1000);
        }
      g_usleep (delay_ms * 1000);
      g_subprocess_force_exit (app);
      g_assert_true (g_subprocess_wait (app, NULL, &error));
      g_assert_no_error (error);
      /* SIGKILL, not a crash of its own. */
      g_assert_true (g_subprocess_get_if_signaled (app));
      g_assert_cmpint (g_subprocess_get_term_sig (app), ==, SIGKILL);

      after = server_progress (&k);
      pending = local_pending (&k);
      if (pending > 0)
        mid_sync++;
      g_test_message ("run %u: killed %.2f s after the start, %u ms after revision %"
                      G_GUINT64_FORMAT "; %" G_GUINT64_FORMAT " revisions and bytes received, %u "
                      "packets still pending", run, (g_get_monotonic_time () - started) / 1e6,
                      delay_ms, target, after - before, pending);
      assert_integrity_ok (&k);
    }
  /* Each run adds work; most kills land before it is all sent (a fast machine may finish a
   * small run within the delay: a fresh CI machine did so twice in ten). */
  g_assert_cmpuint (mid_sync, >=, N_KILLS / 2);

  /* Left alone, the application sends everything, and quits cleanly when asked. */
  {
    g_autoptr(GSubprocess) app = NULL;
    gint64 started = g_get_monotonic_time ();
    gint64 deadline = started + 60 * G_USEC_PER_SEC;

    wait_name_released (bus);
    app = launch_app (&k);
    while (local_pending (&k) > 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_assert_nonnull (g_subprocess_get_identifier (app));
        g_usleep (50 * 1000);
      }
    g_test_message ("the application sent the rest in %.1f s",
                    (g_get_monotonic_time () - started) / 1e6);
    g_subprocess_send_signal (app, SIGTERM);
    g_assert_true (g_subprocess_wait_check (app, NULL, &error));
    g_assert_no_error (error);
  }

  /* A clean sync with the client library on the same store. */
  check = g_new0 (CpTestClient, 1);
  check->dir = g_strdup (k.store_dir);
  check->store = cp_store_new (check->dir, &error);
  g_assert_no_error (error);
  check->client = cp_sync_client_new (k.server->base, &error);
  g_assert_no_error (error);
  check->engine = cp_sync_engine_new (check->store, check->client);
  g_assert_true (cp_test_client_login (check, "ent-1", NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cp_test_client_sync (check, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_true (cp_test_client_sync (check, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (stats.conflicts, ==, 0);

  /* Every packet exactly once, as the store has it, with the last edits. */
  on_server = server_packets (&k);
  list = cp_store_list_packets (check->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, k.n_packets);
  g_assert_cmpuint (g_hash_table_size (on_server), ==, k.n_packets);
  for (guint i = 0; i < list->len; i++)
    {
      const CpPacketSummary *summary = g_ptr_array_index (list, i);
      g_autoptr(CpPacket) packet = cp_store_load_packet (check->store, summary->uuid, &error);
      g_autofree char *body = NULL;
      const char *address = g_hash_table_lookup (k.addresses, summary->uuid);
      GPtrArray *attachments;

      g_assert_no_error (error);
      g_assert_cmpint (summary->sync_state, ==, CP_STORE_SYNC_SYNCED);
      body = cp_packet_to_data (packet, FALSE, NULL);
      g_assert_cmpstr (body, ==, g_hash_table_lookup (on_server, summary->uuid));
      g_assert_cmpstr (cp_packet_get_enterprise_name (packet), ==,
                       g_hash_table_lookup (k.names, summary->uuid));
      g_assert_cmpstr (cp_packet_get_string (packet, "cover", "address"), ==, address);
      attachments = cp_packet_get_attachments (packet);
      for (guint j = 0; j < attachments->len; j++)
        {
          const CpAttachment *a = g_ptr_array_index (attachments, j);

          if (!g_hash_table_contains (local_blobs, a->sha256))
            g_hash_table_add (local_blobs, g_strdup (a->sha256));
        }
    }

  /* Every attachment exactly once, byte for byte. */
  files = server_blob_files (&k);
  g_assert_cmpuint (g_hash_table_size (files), ==, g_hash_table_size (local_blobs));
  g_assert_cmpuint (g_hash_table_size (local_blobs), >=, FIRST_BLOBS);
  {
    GHashTableIter iter;
    gpointer sha256;

    g_hash_table_iter_init (&iter, local_blobs);
    while (g_hash_table_iter_next (&iter, &sha256, NULL))
      {
        g_autofree char *path = g_strdup_printf ("/api/v1/blobs/%s", (char *) sha256);
        g_autofree char *local_path = cp_store_get_blob_path (check->store, sha256);
        g_autofree char *local = NULL;
        g_autoptr(GBytes) remote = NULL;
        gsize length = 0;

        g_assert_true (g_hash_table_contains (files, sha256));
        g_assert_true (g_file_get_contents (local_path, &local, &length, NULL));
        g_assert_cmpuint (cp_test_http (k.server->base, "GET", path, token, NULL, NULL, &remote),
                          ==, 200);
        g_assert_cmpmem (g_bytes_get_data (remote, NULL), g_bytes_get_size (remote), local,
                         length);
      }
  }
  /* No upload was left half done on the server. */
  partial = g_build_filename (k.server->data_dir, "blobs", "partial", NULL);
  g_assert_cmpuint (tree_bytes (partial), ==, 0);

  assert_integrity_ok (&k);
  /* cp_test_client_free() would remove the folder: the server's cleanup does. */
  g_clear_object (&check->engine);
  g_clear_object (&check->client);
  g_clear_object (&check->store);
  g_free (check->dir);
  g_free (check);
  g_test_message ("%u packets, %u attachments; %u of %u kills left packets unsent", k.n_packets,
                  g_hash_table_size (files), mid_sync, N_KILLS);

  cp_credentials_clear_async (credentials, k.server->base, "ent-1", NULL, async_done_cb,
                              &result);
  wait_result (&result);
  cp_credentials_clear_finish (credentials, result, NULL);
  g_hash_table_unref (k.names);
  g_hash_table_unref (k.addresses);
  g_rand_free (k.rand);
  g_free (k.store_dir);
  test_server_stop (k.server);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/app-kill/kill-during-sync", test_kill_during_sync);

  return g_test_run ();
}
