/* test-sync-hostile.c — the sync client against a hostile server on 127.0.0.1 (issue 13)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A small SoupServer in a thread of its own plays the malicious server: ids that climb out of the
 * store, replies nested 100,000 levels deep or 300 MB long, a page with one packet nobody can
 * read. The real CpSyncClient and CpSyncEngine run against it. The last test runs two accounts
 * against the real server (client-fixture.c).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "client-fixture.h"
#include "cp-packet.h"

/* --- the hostile server ------------------------------------------------------------------ */

typedef void (*HostileHandler) (SoupServerMessage *msg,
                                const char        *path,
                                GHashTable        *query,
                                gpointer           data);

typedef struct
{
  GThread        *thread;
  GMainContext   *context;
  GMainLoop      *loop;
  SoupServer     *server;
  char           *base;
  GMutex          lock;
  GCond           cond;
  gboolean        ready;
  HostileHandler  handler;
  gpointer        data;
  guint           requests;  /* atomic */
} Hostile;

static void
hostile_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Hostile *hostile = user_data;

  g_atomic_int_inc (&hostile->requests);
  hostile->handler (msg, path, query, hostile->data);
}

static gpointer
hostile_thread (gpointer user_data)
{
  Hostile *hostile = user_data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (hostile->context);
  hostile->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (hostile->server, NULL, hostile_cb, hostile, NULL);
  soup_server_listen_local (hostile->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (hostile->server);
  hostile->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&hostile->lock);
  hostile->ready = TRUE;
  g_cond_signal (&hostile->cond);
  g_mutex_unlock (&hostile->lock);

  g_main_loop_run (hostile->loop);
  soup_server_disconnect (hostile->server);
  g_clear_object (&hostile->server);
  while (g_main_context_iteration (hostile->context, FALSE))
    ;
  g_main_context_pop_thread_default (hostile->context);
  return NULL;
}

static Hostile *
hostile_start (HostileHandler handler,
               gpointer       data)
{
  Hostile *hostile = g_new0 (Hostile, 1);

  hostile->handler = handler;
  hostile->data = data;
  hostile->context = g_main_context_new ();
  hostile->loop = g_main_loop_new (hostile->context, FALSE);
  g_mutex_init (&hostile->lock);
  g_cond_init (&hostile->cond);
  hostile->thread = g_thread_new ("hostile", hostile_thread, hostile);
  g_mutex_lock (&hostile->lock);
  while (!hostile->ready)
    g_cond_wait (&hostile->cond, &hostile->lock);
  g_mutex_unlock (&hostile->lock);
  return hostile;
}

static void
hostile_stop (Hostile *hostile)
{
  g_main_loop_quit (hostile->loop);
  g_thread_join (hostile->thread);
  g_main_loop_unref (hostile->loop);
  g_main_context_unref (hostile->context);
  g_mutex_clear (&hostile->lock);
  g_cond_clear (&hostile->cond);
  g_free (hostile->base);
  g_free (hostile);
}

static void
reply_json (SoupServerMessage *msg,
            const char        *json)
{
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

static void
reply_take (SoupServerMessage *msg,
            guint              status,
            char              *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, json,
                                    strlen (json));
}

static char *
nested (guint depth)
{
  GString *text = g_string_sized_new (2 * depth + 16);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

/* A store in @dir and a client with a token for @base (no login needed). */
typedef struct
{
  char         *dir;
  CpStore      *store;
  CpSyncClient *client;
  CpSyncEngine *engine;
} Local;

static Local *
local_new (const char *base,
           const char *dir)
{
  Local *local = g_new0 (Local, 1);
  g_autoptr(GError) error = NULL;

  local->dir = g_strdup (dir);
  local->store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  local->client = cp_sync_client_new (base, &error);
  g_assert_no_error (error);
  cp_sync_client_set_retry_policy (local->client, 1, 5, 10);
  cp_sync_client_set_token (local->client, "a-token-the-hostile-server-takes");
  cp_sync_client_set_user (local->client, "ent-1");
  local->engine = cp_sync_engine_new (local->store, local->client);
  return local;
}

static void
local_free (Local *local)
{
  g_clear_object (&local->engine);
  g_clear_object (&local->client);
  g_clear_object (&local->store);
  g_free (local->dir);
  g_free (local);
}

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static gboolean
local_sync (Local        *local,
            CpSyncStats  *stats,
            GError      **error)
{
  Wait wait = { NULL };
  gboolean ok;

  cp_sync_engine_sync_async (local->engine, NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  ok = cp_sync_engine_sync_finish (local->engine, wait.result, stats, error);
  g_object_unref (wait.result);
  return ok;
}

static char *
temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cp-hostile-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_dir (const char *dir)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

  g_assert_cmpint (system (command), ==, 0);
}

/* --- 8: ids from the network named files anywhere ---------------------------------------- */

typedef struct
{
  const char *uuid;
  const char *action;
} Planted;

static void
planted_cb (SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  Planted *planted = data;

  if (g_str_equal (path, "/api/v1/changes"))
    reply_take (msg, 200, g_strdup_printf ("{\"changes\": [{\"uuid\": \"%s\", \"revision\": 1, "
                                           "\"action\": \"%s\", \"seq\": 1}], \"next\": \"1\", "
                                           "\"more\": false}", planted->uuid, planted->action));
  else if (g_str_has_suffix (path, "/comments"))
    reply_take (msg, 200, g_strdup_printf ("{\"uuid\": \"%s\", \"comments\": [], \"owned\": "
                                           "\"by the server\"}", planted->uuid));
  else if (g_str_equal (path, "/api/v1/templates"))
    reply_json (msg, "{\"kinds\": [], \"sheets\": []}");
  else
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_STATIC,
                                        "{}", 2);
    }
}

static void
test_planted_ids (void)
{
  g_autofree char *top = temp_dir ();
  g_autofree char *store_dir = g_build_filename (top, "store", NULL);
  g_autofree char *victims = g_build_filename (top, "victims", NULL);
  g_autofree char *written = g_build_filename (victims, "written.json", NULL);
  g_autofree char *kept = g_build_filename (victims, "kept.json", NULL);
  g_autofree char *comments_dir = g_build_filename (store_dir, "sync", "comments", NULL);
  Planted planted = { "../../../victims/written", "return" };
  Hostile *hostile = hostile_start (planted_cb, &planted);
  Local *local = local_new (hostile->base, store_dir);
  g_autoptr(GError) error = NULL;
  CpSyncStats stats;

  g_assert_cmpint (g_mkdir_with_parents (victims, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (comments_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (kept, "{\"mine\": true}", -1, NULL));

  /* "return": the client fetches the comments and keeps them, under the server's id. */
  local_sync (local, &stats, &error);
  if (g_file_test (written, G_FILE_TEST_EXISTS))
    g_test_message ("the server wrote %s", written);
  g_assert_false (g_file_test (written, G_FILE_TEST_EXISTS));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.unreadable, ==, 1);

  /* Any other action: the client deletes the comments it kept, under the server's id. */
  planted.uuid = "../../../victims/kept";
  planted.action = "put";
  g_clear_pointer (&local, local_free);
  g_clear_error (&error);
  remove_dir (store_dir);
  g_assert_cmpint (g_mkdir_with_parents (comments_dir, 0700), ==, 0);
  local = local_new (hostile->base, store_dir);
  local_sync (local, &stats, &error);
  if (!g_file_test (kept, G_FILE_TEST_EXISTS))
    g_test_message ("the server deleted %s", kept);
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
  g_assert_no_error (error);

  local_free (local);
  hostile_stop (hostile);
  remove_dir (top);
}

/* --- 9: a deeply nested or huge reply crashed the client or took its memory -------------- */

static void
deep_cb (SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  g_autofree char *deep = nested (100000);

  if (g_str_equal (path, "/api/v1/session"))
    reply_take (msg, 201, g_strdup_printf ("{\"token\": \"t\", \"user\": %s}", deep));
  else
    reply_take (msg, 200, g_strdup_printf ("{\"changes\": %s, \"next\": \"1\"}", deep));
}

static void
test_deep_replies (void)
{
  Hostile *hostile = hostile_start (deep_cb, NULL);
  g_autofree char *dir = temp_dir ();
  Local *local = local_new (hostile->base, dir);
  g_autoptr(GError) error = NULL;
  Wait wait = { NULL };
  g_autoptr(JsonNode) user = NULL;

  cp_sync_client_login_async (local->client, "ent-1", "password", NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  user = cp_sync_client_login_finish (local->client, wait.result, &error);
  g_object_unref (wait.result);
  g_assert_null (user);
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  g_clear_error (&error);

  g_assert_false (local_sync (local, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
}

typedef struct
{
  guint64 sent;
  guint64 total;
  guint8 *chunk;
} Flood;

#define FLOOD_CHUNK (1024 * 1024)

static void
flood_wrote_chunk_cb (SoupServerMessage *msg,
                      gpointer           user_data)
{
  Flood *flood = user_data;
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  if (flood->sent >= flood->total)
    {
      soup_message_body_complete (body);
      return;
    }
  soup_message_body_append (body, SOUP_MEMORY_STATIC, flood->chunk, FLOOD_CHUNK);
  flood->sent += FLOOD_CHUNK;
}

static void
flood_cb (SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           data)
{
  Flood *flood = g_new0 (Flood, 1);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  /* 300 MB of one JSON string, in chunks, with no length announced. */
  flood->total = G_GUINT64_CONSTANT (300) * 1024 * 1024;
  flood->chunk = g_malloc (FLOOD_CHUNK);
  memset (flood->chunk, 'x', FLOOD_CHUNK);
  memcpy (flood->chunk, "{\"changes\": [], \"x\": \"", 22);
  g_object_set_data_full (G_OBJECT (msg), "flood", flood, (GDestroyNotify) g_free);
  g_object_set_data_full (G_OBJECT (msg), "flood-chunk", flood->chunk, g_free);
  soup_message_headers_set_encoding (soup_server_message_get_response_headers (msg),
                                     SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg),
                                         "application/json", NULL);
  soup_message_body_set_accumulate (body, FALSE);
  soup_server_message_set_status (msg, 200, NULL);
  g_signal_connect (msg, "wrote-chunk", G_CALLBACK (flood_wrote_chunk_cb), flood);
  soup_message_body_append (body, SOUP_MEMORY_STATIC, flood->chunk, FLOOD_CHUNK);
  flood->sent = FLOOD_CHUNK;
}

static glong
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

static void
test_huge_reply (void)
{
  Hostile *hostile = hostile_start (flood_cb, NULL);
  g_autofree char *dir = temp_dir ();
  Local *local = local_new (hostile->base, dir);
  g_autoptr(GError) error = NULL;
  glong before = peak_rss_mb ();
  gint64 started = g_get_monotonic_time ();

  g_assert_false (local_sync (local, NULL, &error));
  g_test_message ("a 300 MB reply: %s after %" G_GINT64_FORMAT " ms; peak RSS %ld MB "
                  "(%ld MB before)", error->message, (g_get_monotonic_time () - started) / 1000,
                  peak_rss_mb (), before);
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  /* Read up to the ceiling (32 MB) and given up: nowhere near the 300 MB. */
  g_assert_cmpint (peak_rss_mb (), <, before + 120);

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
}

/* The server's advertised max_reply is the limit, within a floor and the ceiling. */
typedef struct
{
  const char *limits;  /* the /limits answer */
} Limited;

static void
limited_cb (SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  Limited *limited = data;

  if (g_str_equal (path, "/api/v1/session"))
    {
      soup_server_message_set_status (msg, 201, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"token\": \"t\"}", 14);
    }
  else if (g_str_equal (path, "/api/v1/limits"))
    reply_json (msg, limited->limits);
  else
    flood_cb (msg, path, query, data);
}

static gsize
login_hostile (Local *local)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) user = NULL;
  Wait wait = { NULL };

  cp_sync_client_login_async (local->client, "ent-1", "password", NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  user = cp_sync_client_login_finish (local->client, wait.result, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  return cp_sync_client_get_max_reply (local->client);
}

static void
test_advertised_reply_limit (void)
{
  Limited limited = { "{\"max_reply\": 2097152}" };
  Hostile *hostile = hostile_start (limited_cb, &limited);
  g_autofree char *dir = temp_dir ();
  Local *local = local_new (hostile->base, dir);
  g_autoptr(GError) error = NULL;

  /* Until a login the ceiling; then what the server says. */
  g_assert_cmpuint (cp_sync_client_get_max_reply (local->client), ==, CP_SYNC_MAX_REPLY);
  g_assert_cmpuint (login_hostile (local), ==, 2 * 1024 * 1024);
  g_assert_false (local_sync (local, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, " 2 MB"));
  g_clear_error (&error);

  /* A server that claims more than the ceiling, less than the floor, or nonsense. */
  limited.limits = "{\"max_reply\": 10000000000000}";
  g_assert_cmpuint (login_hostile (local), ==, CP_SYNC_MAX_REPLY);
  limited.limits = "{\"max_reply\": 10}";
  g_assert_cmpuint (login_hostile (local), ==, CP_SYNC_MIN_REPLY);
  limited.limits = "{\"max_reply\": -5}";
  cp_sync_client_set_max_reply (local->client, 3 * 1024 * 1024);
  g_assert_cmpuint (login_hostile (local), ==, 3 * 1024 * 1024);
  limited.limits = "{\"max_reply\": \"lots\"}";
  g_assert_cmpuint (login_hostile (local), ==, 3 * 1024 * 1024);

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
}

/* --- 8, 9: the typed report calls (issue 12's) trust the server no more ------------------- */

typedef struct
{
  const char *list;     /* the answer to GET /reports */
  gsize       size;     /* the size of the "workbook" GET /reports/NAME sends */
} Reports;

static void
reports_cb (SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  Reports *reports = data;

  if (g_str_equal (path, "/api/v1/reports"))
    reply_json (msg, reports->list);
  else if (g_str_has_prefix (path, "/api/v1/reports/"))
    {
      guint8 *bytes = g_malloc0 (reports->size);

      memcpy (bytes, "PK\003\004", 4);
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/vnd.openxmlformats-officedocument."
                                        "spreadsheetml.sheet", SOUP_MEMORY_TAKE,
                                        (const char *) bytes, reports->size);
    }
  else
    soup_server_message_set_status (msg, 404, NULL);
}

static GPtrArray *
list_reports (Local   *local,
              GError **error)
{
  Wait wait = { NULL };
  GPtrArray *list;

  cp_sync_client_list_reports_async (local->client, NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  list = cp_sync_client_list_reports_finish (local->client, wait.result, error);
  g_object_unref (wait.result);
  return list;
}

static void
test_report_list (void)
{
  static const char *titles[] = {
    /* a line break, a terminal escape, a path, a direction override, and a novel */
    "\"2020年\\n汇总表\"",
    "{\"zh_CN\": \"\\u001b[2J汇总表\", \"en\": \"Summary\"}",
    "\"../../.config/autostart/x\"",
    "\"汇总表\\u202egnp.exe\"",
    NULL,
  };
  Reports reports = { NULL, 0 };
  Hostile *hostile = hostile_start (reports_cb, &reports);
  g_autofree char *dir = temp_dir ();
  Local *local = local_new (hostile->base, dir);
  g_autofree char *novel = NULL;

  {
    GString *text = g_string_new ("\"");

    for (guint i = 0; i < 300; i++)
      g_string_append (text, "表");
    g_string_append_c (text, '"');
    novel = g_string_free (text, FALSE);
  }
  for (guint i = 0; i <= G_N_ELEMENTS (titles) - 1; i++)
    {
      g_autofree char *list = g_strdup_printf ("{\"reports\": [{\"id\": \"summary\", "
                                               "\"version\": \"1\", \"kind\": \"k\", "
                                               "\"title\": %s}]}",
                                               titles[i] != NULL ? titles[i] : novel);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) got = NULL;

      reports.list = list;
      got = list_reports (local, &error);
      if (got != NULL)
        g_test_message ("title %u was taken", i);
      g_assert_null (got);
      g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
    }
  /* An id that would climb out of the request's path, and a plain good list. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) got = NULL;

    reports.list = "{\"reports\": [{\"id\": \"../session\", \"version\": \"1\", \"kind\": \"k\", "
                   "\"title\": \"x\"}]}";
    got = list_reports (local, &error);
    g_assert_null (got);
    g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  }
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) got = NULL;

    reports.list = "{\"reports\": [{\"id\": \"summary\", \"version\": \"1\", \"kind\": \"k\", "
                   "\"title\": {\"zh_CN\": \"{year}年{district}汇总表\", \"en\": \"Summary\"}}]}";
    got = list_reports (local, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (got->len, ==, 1);
  }

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
}

static void
test_report_size (void)
{
  Reports reports = { NULL, 20 * 1024 * 1024 };
  Hostile *hostile = hostile_start (reports_cb, &reports);
  g_autofree char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "汇总表.xlsx", NULL);
  Local *local = local_new (hostile->base, dir);
  g_autoptr(GError) error = NULL;
  Wait wait = { NULL };

  /* 20 MB of "workbook": more than a server sends (16 MB), less than the reply ceiling. */
  cp_sync_client_fetch_report_async (local->client, "summary", 2020, NULL, CP_SYNC_REPORT_XLSX,
                                     "zh_CN", path, NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (cp_sync_client_fetch_report_finish (local->client, wait.result, &error));
  g_object_unref (wait.result);
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "16 MB"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));

  /* A workbook of a usual size is written. */
  reports.size = 200 * 1024;
  g_clear_error (&error);
  wait.result = NULL;
  cp_sync_client_fetch_report_async (local->client, "summary", 2020, NULL, CP_SYNC_REPORT_XLSX,
                                     "zh_CN", path, NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (cp_sync_client_fetch_report_finish (local->client, wait.result, &error));
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
}

/* --- 3: one unreadable packet in a page stopped every sync -------------------------------- */

typedef struct
{
  char  *page;        /* the first changes page */
  char  *lone_uuid;   /* listed without its body; GET answers something unreadable */
  char  *since_asked; /* the cursor of the next sync's request */
} Page;

static void
page_cb (SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           data)
{
  Page *page = data;

  if (g_str_equal (path, "/api/v1/changes"))
    {
      const char *since = query != NULL ? g_hash_table_lookup (query, "since") : NULL;

      if (since != NULL && !g_str_equal (since, "0"))
        {
          g_free (page->since_asked);
          page->since_asked = g_strdup (since);
          reply_json (msg, "{\"changes\": [], \"next\": \"4\", \"more\": false}");
        }
      else
        reply_json (msg, page->page);
      return;
    }
  if (g_str_equal (path, "/api/v1/templates"))
    {
      reply_json (msg, "{\"kinds\": [], \"sheets\": []}");
      return;
    }
  if (g_str_has_prefix (path, "/api/v1/packets/") && g_str_has_suffix (path, page->lone_uuid))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag",
                                    "\"1\"");
      /* How an older server wrote 1e20: not JSON. */
      reply_take (msg, 200, g_strdup_printf ("{\"format\":1,\"uuid\":\"%s\",\"x\":1e+20.0}",
                                             page->lone_uuid));
      return;
    }
  soup_server_message_set_status (msg, 404, NULL);
}

static void
test_unreadable_in_page (void)
{
  g_autoptr(CpPacket) good_a = cp_test_make_packet ("91320583MA0000015L", "甲");
  g_autoptr(CpPacket) good_b = cp_test_make_packet ("91320583MA0000015L", "乙");
  g_autoptr(CpPacket) bad = cp_test_make_packet ("91320583MA0000015L", "坏");
  g_autoptr(CpPacket) lone = cp_test_make_packet ("91320583MA0000015L", "单独");
  g_autofree char *a = cp_packet_to_data (good_a, FALSE, NULL);
  g_autofree char *b = cp_packet_to_data (good_b, FALSE, NULL);
  g_autofree char *bad_body = cp_packet_to_data (bad, FALSE, NULL);
  g_autoptr(GString) poisoned = g_string_new (bad_body);
  g_autofree char *dir = temp_dir ();
  Page page = { NULL };
  Hostile *hostile = NULL;
  Local *local = NULL;
  g_autoptr(GError) error = NULL;
  CpSyncStats stats;

  /* A creation time in year 26: JSON, but not a packet this version reads. */
  {
    char *created = strstr (poisoned->str, "\"created\":\"") + strlen ("\"created\":\"");

    memcpy (created, "0026", 4);
  }
  page.lone_uuid = g_strdup (cp_packet_get_uuid (lone));
  page.page = g_strdup_printf ("{\"changes\": ["
                               "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 1, \"packet\": %s},"
                               "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 2, \"packet\": %s},"
                               "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 3, \"packet\": null},"
                               "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 4, \"packet\": %s}"
                               "], \"next\": \"4\", \"more\": false}",
                               cp_packet_get_uuid (good_a), a, cp_packet_get_uuid (bad),
                               poisoned->str, page.lone_uuid, cp_packet_get_uuid (good_b), b);
  hostile = hostile_start (page_cb, &page);
  local = local_new (hostile->base, dir);

  g_assert_true (local_sync (local, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pulled, ==, 2);
  g_assert_cmpuint (stats.unreadable, ==, 2);
  g_assert_true (cp_store_has_packet (local->store, cp_packet_get_uuid (good_a)));
  g_assert_true (cp_store_has_packet (local->store, cp_packet_get_uuid (good_b)));
  g_assert_false (cp_store_has_packet (local->store, cp_packet_get_uuid (bad)));
  g_assert_false (cp_store_has_packet (local->store, page.lone_uuid));
  /* Each set aside says why. */
  {
    g_autofree char *name = g_strconcat (cp_packet_get_uuid (bad), ".json", NULL);
    g_autofree char *path = g_build_filename (dir, "sync", "unreadable", name, NULL);
    g_autofree char *why = NULL;

    g_assert_true (g_file_get_contents (path, &why, NULL, NULL));
    g_assert_nonnull (strstr (why, "0026"));
  }

  /* The cursor moved past the page: the next sync goes on from there. */
  g_assert_true (local_sync (local, &stats, &error));
  g_assert_cmpstr (page.since_asked, ==, "4");

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
  g_free (page.page);
  g_free (page.lone_uuid);
  g_free (page.since_asked);
}

/* --- issue 11: what a feed says of a packet's place in its workflow ----------------------- */

static void
assert_hostile_place (Local      *local,
                      CpPacket   *packet,
                      const char *stage,
                      CpRole      party,
                      const char *evaluator)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stored_stage = NULL;
  g_autofree char *stored_evaluator = NULL;
  CpRole stored_party = CP_ROLE_CITY_OFFICE;

  g_assert_true (cp_store_has_packet (local->store, cp_packet_get_uuid (packet)));
  g_assert_true (cp_store_get_review_place (local->store, cp_packet_get_uuid (packet),
                                            &stored_stage, &stored_party, &stored_evaluator,
                                            &error));
  g_assert_no_error (error);
  g_assert_cmpstr (stored_stage, ==, stage);
  g_assert_cmpint (stored_party, ==, party);
  g_assert_cmpstr (stored_evaluator, ==, evaluator);
}

/* A value the server never sends (an unknown party, a 10 kB stage, a number for a string) is
 * ignored, alone: the packet and the rest of what its entry says are kept. */
static void
test_hostile_place (void)
{
  g_autoptr(CpPacket) unknown_party = cp_test_make_packet ("91320583MA0000015L", "甲");
  g_autoptr(CpPacket) long_stage = cp_test_make_packet ("91320583MA0000015L", "乙");
  g_autoptr(CpPacket) wrong_types = cp_test_make_packet ("91320583MA0000015L", "丙");
  g_autoptr(CpPacket) good = cp_test_make_packet ("91320583MA0000015L", "丁");
  g_autofree char *a = cp_packet_to_data (unknown_party, FALSE, NULL);
  g_autofree char *b = cp_packet_to_data (long_stage, FALSE, NULL);
  g_autofree char *c = cp_packet_to_data (wrong_types, FALSE, NULL);
  g_autofree char *d = cp_packet_to_data (good, FALSE, NULL);
  g_autofree char *huge = g_strnfill (10 * 1024, 'x');
  g_autofree char *dir = temp_dir ();
  Page page = { NULL };
  Hostile *hostile = NULL;
  Local *local = NULL;
  g_autoptr(GError) error = NULL;
  CpSyncStats stats;

  page.lone_uuid = g_strdup ("none");
  page.page = g_strdup_printf (
    "{\"changes\": ["
    "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 1, \"stage\": \"preparing\","
    " \"party\": \"boss\", \"packet\": %s},"
    "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 2, \"stage\": \"%s\","
    " \"party\": \"enterprise\", \"packet\": %s},"
    "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 3, \"stage\": 42, \"party\": [\"x\"],"
    " \"evaluator\": {\"id\": \"C\"}, \"packet\": %s},"
    "{\"uuid\": \"%s\", \"revision\": 1, \"seq\": 4, \"stage\": \"district-review\","
    " \"party\": \"district-office\", \"evaluator\": \"C\", \"packet\": %s}"
    "], \"next\": \"4\", \"more\": false}",
    cp_packet_get_uuid (unknown_party), a, cp_packet_get_uuid (long_stage), huge, b,
    cp_packet_get_uuid (wrong_types), c, cp_packet_get_uuid (good), d);
  hostile = hostile_start (page_cb, &page);
  local = local_new (hostile->base, dir);

  g_assert_true (local_sync (local, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pulled, ==, 4);
  assert_hostile_place (local, unknown_party, "preparing", CP_ROLE_NONE, NULL);
  assert_hostile_place (local, long_stage, NULL, CP_ROLE_ENTERPRISE, NULL);
  assert_hostile_place (local, wrong_types, NULL, CP_ROLE_NONE, NULL);
  assert_hostile_place (local, good, "district-review", CP_ROLE_DISTRICT_OFFICE, "C");

  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
  g_free (page.page);
  g_free (page.lone_uuid);
  g_free (page.since_asked);
}

static void
authors_cb (SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  reply_json (msg, data);
}

static void
authors_wait_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static JsonObject *
hostile_authors (const char  *reply,
                 GError     **error)
{
  g_autofree char *dir = temp_dir ();
  Hostile *hostile = hostile_start (authors_cb, (gpointer) reply);
  Local *local = local_new (hostile->base, dir);
  GAsyncResult *result = NULL;
  JsonObject *authors;

  cp_sync_client_get_authors_async (local->client, "00000000-0000-4000-8000-000000000001",
                                    NULL, authors_wait_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  authors = cp_sync_client_get_authors_finish (local->client, result, error);
  g_object_unref (result);
  local_free (local);
  hostile_stop (hostile);
  remove_dir (dir);
  return authors;
}

/* Who wrote what is the server's word, checked: a bad member is left out, the rest kept; a
 * reply that is no authors object is an error, never a crash. */
static void
test_hostile_authors (void)
{
  g_autoptr(JsonObject) authors = NULL;
  g_autoptr(GError) error = NULL;

  authors = hostile_authors (
    "{\"uuid\": \"00000000-0000-4000-8000-000000000001\", \"authors\": {"
    "\"/sections/cover/phone\": {\"name\": \"ent-1\", \"party\": \"enterprise\","
    " \"at\": \"2020-04-20T08:00:00Z\"},"
    "\"/sections/cover/fax\": {\"name\": \"ent-1\", \"at\": \"2020-04-20T08:00:00Z\"},"
    "\"/sections/cover/a\": {\"name\": \"x\", \"party\": \"boss\", \"at\": \"2020-04-20T08:00:00Z\"},"
    "\"/sections/cover/b\": {\"name\": 7, \"at\": \"2020-04-20T08:00:00Z\"},"
    "\"/sections/cover/c\": {\"name\": \"x\", \"at\": \"yesterday\"},"
    "\"/sections/cover/d\": [\"x\"],"
    "\"no-pointer\": {\"name\": \"x\", \"at\": \"2020-04-20T08:00:00Z\"},"
    "\"/sections/cover/e\": {\"name\": \"x\", \"party\": [1], \"at\": \"2020-04-20T08:00:00Z\"}"
    "}}", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_object_get_size (authors), ==, 2);
  g_assert_true (json_object_has_member (authors, "/sections/cover/phone"));
  g_assert_true (json_object_has_member (authors, "/sections/cover/fax"));
  g_clear_pointer (&authors, json_object_unref);

  authors = hostile_authors ("{\"uuid\": \"00000000-0000-4000-8000-000000000001\", "
                             "\"authors\": [1, 2]}", &error);
  g_assert_null (authors);
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
  g_clear_error (&error);
  /* Another packet's answer. */
  authors = hostile_authors ("{\"uuid\": \"00000000-0000-4000-8000-000000000002\", "
                             "\"authors\": {}}", &error);
  g_assert_null (authors);
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER);
}

/* --- 10: the store and its attachments were readable by others ----------------------------- */

static void
test_store_modes (void)
{
  g_autofree char *dir = temp_dir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) packet = cp_test_make_packet (NULL, "权限");
  g_autoptr(GBytes) scan = g_bytes_new_static ("%PDF-1.4 scan", 13);
  g_autofree char *sha = NULL;
  g_autofree char *blob = NULL;
  const char *names[] = { "packets.db", "packets.db-wal", "packets.db-shm" };
  mode_t old_mask = umask (022);

  store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_save_packet (store, packet, NULL, &error));
  g_assert_true (cp_store_add_blob_from_bytes (store, scan, &sha, &error));
  g_assert_no_error (error);
  umask (old_mask);
  blob = cp_store_get_blob_path (store, sha);
  for (guint i = 0; i <= G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = i < G_N_ELEMENTS (names) ? g_build_filename (dir, names[i], NULL)
                                                        : g_strdup (blob);
      GStatBuf st;

      g_assert_cmpint (g_stat (path, &st), ==, 0);
      if ((st.st_mode & 0077) != 0)
        g_test_message ("%s is %o", path, (unsigned) (st.st_mode & 0777));
      g_assert_cmpint (st.st_mode & 0077, ==, 0);
    }
  g_clear_object (&store);

  /* A store an older version left readable by others is corrected when it is opened. */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);

      if (g_file_test (path, G_FILE_TEST_EXISTS))
        g_assert_cmpint (g_chmod (path, 0644), ==, 0);
    }
  store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0)
        g_assert_cmpint (st.st_mode & 0077, ==, 0);
    }
  g_clear_object (&store);
  remove_dir (dir);
}

/* --- 10: every account shared one store ---------------------------------------------------- */

static gboolean
login_client (CpSyncClient *client,
              const char   *user)
{
  g_autofree char *password = g_strconcat ("password-", user, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  Wait wait = { NULL };

  cp_sync_client_login_async (client, user, password, NULL, done_cb, &wait);
  while (wait.result == NULL)
    g_main_context_iteration (NULL, TRUE);
  node = cp_sync_client_login_finish (client, wait.result, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  return node != NULL;
}

static void
test_account_stores (void)
{
  TestServer *server = test_server_start ();
  g_autofree char *base = temp_dir ();
  g_autoptr(GError) error = NULL;
  g_autofree char *ent_dir = NULL;
  g_autofree char *agency_dir = NULL;
  g_autofree char *again = NULL;
  g_autofree char *last = NULL;
  g_autoptr(CpPacket) packet = cp_test_make_packet (server->uscc, "企业的草稿");
  Local *ent = NULL;
  Local *agency = NULL;
  CpSyncStats stats;

  /* The first account to log in keeps the folder the application used before any login. */
  ent_dir = cp_sync_engine_dup_account_directory (base, server->base, "ent-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ent_dir, ==, base);
  ent = local_new (server->base, ent_dir);
  g_assert_true (login_client (ent->client, "ent-1"));
  /* The real server says how large its replies get (a changes page and a packet), less than
   * the client's ceiling: the client reads no more than that from now on. */
  g_assert_cmpuint (cp_sync_client_get_max_reply (ent->client), >, CP_SYNC_MIN_REPLY);
  g_assert_cmpuint (cp_sync_client_get_max_reply (ent->client), <, CP_SYNC_MAX_REPLY);
  g_assert_true (cp_store_save_packet (ent->store, packet, NULL, &error));
  g_assert_no_error (error);

  /* Another user on the same computer gets a store of their own: the enterprise's unsent
   * draft is not in the agency's outbox, and the agency does not see it. */
  agency_dir = cp_sync_engine_dup_account_directory (base, server->base, "agency-a", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (agency_dir, !=, base);
  g_assert_true (g_str_has_prefix (agency_dir, base));
  agency = local_new (server->base, agency_dir);
  g_assert_true (login_client (agency->client, "agency-a"));
  g_assert_false (cp_store_has_packet (agency->store, cp_packet_get_uuid (packet)));
  g_assert_true (local_sync (agency, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 0);
  g_assert_cmpuint (stats.quarantined, ==, 0);
  last = cp_sync_engine_dup_last_account_directory (base);
  g_assert_cmpstr (last, ==, agency_dir);

  /* Back to the enterprise: its own store, its draft there, sent as its own. */
  again = cp_sync_engine_dup_account_directory (base, server->base, "ent-1", &error);
  g_assert_cmpstr (again, ==, ent_dir);
  g_assert_true (local_sync (ent, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (stats.pushed, ==, 1);
  g_clear_pointer (&last, g_free);
  last = cp_sync_engine_dup_last_account_directory (base);
  g_assert_cmpstr (last, ==, base);

  /* The map is the user's only. */
  {
    g_autofree char *map = g_build_filename (base, "accounts.json", NULL);
    GStatBuf st;

    g_assert_cmpint (g_stat (map, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0077, ==, 0);
  }

  local_free (agency);
  local_free (ent);
  test_server_stop (server);
  remove_dir (base);
}

/* A store of an older version, used by whoever logged in: it belongs to the account its sync
 * state names, and another account that logs in first gets a store of its own. */
static void
test_account_stores_legacy (void)
{
  g_autofree char *base = temp_dir ();
  g_autofree char *sync_dir = g_build_filename (base, "sync", NULL);
  g_autofree char *state = g_build_filename (sync_dir, "state.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *other = NULL;
  g_autofree char *owner = NULL;

  g_assert_cmpint (g_mkdir_with_parents (sync_dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (state, "{\"server\": \"https://credit.example.cn\", "
                                      "\"user\": \"agency-a\", \"cursor\": \"12\"}", -1, NULL));
  other = cp_sync_engine_dup_account_directory (base, "https://credit.example.cn", "ent-1",
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other, !=, base);
  owner = cp_sync_engine_dup_account_directory (base, "https://credit.example.cn", "agency-a",
                                                &error);
  g_assert_no_error (error);
  g_assert_cmpstr (owner, ==, base);
  remove_dir (base);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client-hostile/planted-ids", test_planted_ids);
  g_test_add_func ("/client-hostile/deep-replies", test_deep_replies);
  g_test_add_func ("/client-hostile/huge-reply", test_huge_reply);
  g_test_add_func ("/client-hostile/advertised-reply-limit", test_advertised_reply_limit);
  g_test_add_func ("/client-hostile/report-list", test_report_list);
  g_test_add_func ("/client-hostile/report-size", test_report_size);
  g_test_add_func ("/client-hostile/unreadable-in-page", test_unreadable_in_page);
  g_test_add_func ("/client-hostile/store-modes", test_store_modes);
  g_test_add_func ("/client-hostile/review-place", test_hostile_place);
  g_test_add_func ("/client-hostile/authors", test_hostile_authors);
  g_test_add_func ("/client-accounts/separate-stores", test_account_stores);
  g_test_add_func ("/client-accounts/legacy-store", test_account_stores_legacy);
  return g_test_run ();
}
