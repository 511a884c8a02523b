/* server-fixture.c — a real credit-packet-server on 127.0.0.1 for the integration tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "server-fixture.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef CP_SERVER_HAVE_POSTGRES
#include <libpq-fe.h>
#endif

#include "cp-server-admin.h"
#include "cp-uscc.h"

char *USCC_1;
char *USCC_2;
char *USCC_3;

/* --- the backend --------------------------------------------------------------------------- */

static gboolean
backend_is_postgres (void)
{
  return g_strcmp0 (g_getenv ("CP_TEST_BACKEND"), "postgresql") == 0;
}

/* Before g_test_init(): a PostgreSQL run without a database skips the whole program (TAP plan
 * 1..0), except in CI, which must run it. */
__attribute__((constructor)) static void
check_backend (void)
{
  const char *reason = NULL;

  if (!backend_is_postgres ())
    return;
#ifdef CP_SERVER_HAVE_POSTGRES
  if (g_getenv ("CP_TEST_DATABASE") == NULL || *g_getenv ("CP_TEST_DATABASE") == '\0')
    reason = "CP_TEST_DATABASE is not set, so there is no PostgreSQL database to test on "
             "(eval \"$(sh tools/pg-test-cluster.sh start DIR)\" starts a throwaway one)";
#else
  reason = "this build has no PostgreSQL support (libpq was not found)";
#endif
  if (reason == NULL)
    return;
  if (g_strcmp0 (g_getenv ("CI"), "true") == 0)
    {
      printf ("Bail out! CI must run the PostgreSQL tests, but %s\n", reason);
      fflush (stdout);
      _exit (1);
    }
  printf ("1..0 # SKIP %s\n", reason);
  fflush (stdout);
  _exit (0);
}

#ifdef CP_SERVER_HAVE_POSTGRES
static void
ignore_notice (void       *user_data,
               const char *message)
{
}

static PGconn *
pg_connect (void)
{
  PGconn *conn = PQconnectdb (g_getenv ("CP_TEST_DATABASE"));

  if (PQstatus (conn) != CONNECTION_OK)
    g_error ("Cannot connect to CP_TEST_DATABASE: %s", PQerrorMessage (conn));
  PQsetNoticeProcessor (conn, ignore_notice, NULL);
  return conn;
}

static void
pg_exec (PGconn     *conn,
         const char *sql)
{
  PGresult *result = PQexec (conn, sql);

  if (PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQresultErrorMessage (result));
  PQclear (result);
}

/* Appends key='value' with libpq's quoting. */
static void
append_conninfo (GString    *conninfo,
                 const char *key,
                 const char *value)
{
  g_string_append_printf (conninfo, "%s='", key);
  for (const char *c = value; *c != '\0'; c++)
    {
      if (*c == '\'' || *c == '\\')
        g_string_append_c (conninfo, '\\');
      g_string_append_c (conninfo, *c);
    }
  g_string_append (conninfo, "' ");
}

/* A schema of its own for this test, and a connection string whose search path starts there. */
static void
pg_create_schema (ServerFixture *f)
{
  static guint counter;
  PGconn *conn = pg_connect ();
  g_autofree char *create = NULL;
  g_autofree char *search_path = NULL;
  GString *conninfo = g_string_new (NULL);
  PQconninfoOption *options;
  char *message = NULL;

  f->schema = g_strdup_printf ("cp_test_%d_%u", (int) getpid (), ++counter);
  create = g_strdup_printf ("DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", f->schema,
                            f->schema);
  pg_exec (conn, create);
  PQfinish (conn);

  options = PQconninfoParse (g_getenv ("CP_TEST_DATABASE"), &message);
  if (options == NULL)
    g_error ("CP_TEST_DATABASE: %s", message);
  search_path = g_strdup_printf ("-c search_path=%s", f->schema);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (o->val != NULL && !g_str_equal (o->keyword, "options"))
      append_conninfo (conninfo, o->keyword, o->val);
  for (PQconninfoOption *o = options; o->keyword != NULL; o++)
    if (g_str_equal (o->keyword, "options"))
      {
        g_autofree char *both = g_strconcat (o->val != NULL ? o->val : "", " ", search_path, NULL);

        append_conninfo (conninfo, "options", both);
      }
  PQconninfoFree (options);
  f->database = g_string_free (conninfo, FALSE);
}

static void
pg_drop_schema (ServerFixture *f)
{
  PGconn *conn = pg_connect ();
  g_autofree char *drop = g_strdup_printf ("DROP SCHEMA %s CASCADE", f->schema);

  pg_exec (conn, drop);
  PQfinish (conn);
}
#endif

CpServerStorage *
server_fixture_open_storage (ServerFixture *f)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage = cp_server_storage_open (f->database, f->dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (storage);
  return storage;
}

GStrv
server_fixture_query_column (ServerFixture *f,
                             const char    *sql)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (f->database == NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, "server.sqlite", NULL);
      sqlite3 *handle;
      sqlite3_stmt *stmt;

      g_assert_cmpint (sqlite3_open (path, &handle), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        g_strv_builder_add (builder, (const char *) sqlite3_column_text (stmt, 0));
      sqlite3_finalize (stmt);
      sqlite3_exec (handle, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
      sqlite3_close (handle);
    }
  else
    {
#ifdef CP_SERVER_HAVE_POSTGRES
      PGconn *conn = PQconnectdb (f->database);
      PGresult *result;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      result = PQexec (conn, sql);
      g_assert_cmpint (PQresultStatus (result), ==, PGRES_TUPLES_OK);
      for (int row = 0; row < PQntuples (result); row++)
        g_strv_builder_add (builder, PQgetvalue (result, row, 0));
      PQclear (result);
      PQfinish (conn);
#else
      g_assert_not_reached ();
#endif
    }
  return g_strv_builder_end (builder);
}

void
server_fixture_exec (ServerFixture *f,
                     const char    *sql)
{
  if (f->database == NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, "server.sqlite", NULL);
      sqlite3 *handle;
      char *message = NULL;

      g_assert_cmpint (sqlite3_open (path, &handle), ==, SQLITE_OK);
      if (sqlite3_exec (handle, sql, NULL, NULL, &message) != SQLITE_OK)
        g_error ("%s: %s", sql, message);
      sqlite3_close (handle);
    }
  else
    {
#ifdef CP_SERVER_HAVE_POSTGRES
      PGconn *conn = PQconnectdb (f->database);
      PGresult *result;

      g_assert_cmpint (PQstatus (conn), ==, CONNECTION_OK);
      result = PQexec (conn, sql);
      if (PQresultStatus (result) != PGRES_COMMAND_OK)
        g_error ("%s: %s", sql, PQresultErrorMessage (result));
      PQclear (result);
      PQfinish (conn);
#else
      g_assert_not_reached ();
#endif
    }
}

/* --- replies ------------------------------------------------------------------------------ */

void
reply_free (Reply *reply)
{
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_object (&reply->msg);
  g_clear_pointer (&reply->json, json_node_unref);
  g_free (reply);
}

static gpointer
server_thread (gpointer user_data)
{
  ServerFixture *f = user_data;
  g_autoptr(GError) error = NULL;
  CpServer *server;

  g_main_context_push_thread_default (f->context);
  server = cp_server_new (&f->config, &error);
  if (server != NULL && !cp_server_listen (server, &error))
    g_clear_object (&server);

  g_mutex_lock (&f->lock);
  f->server = server;
  f->start_error = g_steal_pointer (&error);
  f->ready = TRUE;
  g_cond_signal (&f->cond);
  g_mutex_unlock (&f->lock);

  if (server != NULL)
    {
      g_main_loop_run (f->loop);
      g_object_unref (server);
      while (g_main_context_iteration (f->context, FALSE))
        ;
    }
  g_main_context_pop_thread_default (f->context);
  return NULL;
}

void
server_fixture_start (ServerFixture *f)
{
  g_autofree char *url = NULL;

  f->context = g_main_context_new ();
  f->loop = g_main_loop_new (f->context, FALSE);
  f->ready = FALSE;
  f->thread = g_thread_new ("server", server_thread, f);
  g_mutex_lock (&f->lock);
  while (!f->ready)
    g_cond_wait (&f->cond, &f->lock);
  g_mutex_unlock (&f->lock);
  g_assert_no_error (f->start_error);
  g_assert_nonnull (f->server);
  g_free (f->base);
  f->base = g_strdup_printf ("%s://127.0.0.1:%u", f->certificate != NULL ? "https" : "http",
                             cp_server_get_port (f->server));
}

static gboolean
quit_loop_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

void
server_fixture_stop (ServerFixture *f)
{
  GSource *source;

  if (f->thread == NULL)
    return;
  /* Quit from inside the server's loop: g_main_loop_quit() before the thread has entered
   * g_main_loop_run() (a stop right after a start) would be lost, and the join would wait
   * forever. */
  source = g_idle_source_new ();
  g_source_set_callback (source, quit_loop_cb, f->loop, NULL);
  g_source_attach (source, f->context);
  g_source_unref (source);
  g_thread_join (f->thread);
  f->thread = NULL;
  f->server = NULL;
  g_clear_pointer (&f->loop, g_main_loop_unref);
  g_clear_pointer (&f->context, g_main_context_unref);
}

static void
add_user (CpServerStorage *storage,
          const char      *name,
          CpServerRole     role,
          const char      *district,
          const char      *uscc,
          const char      *agency,
          CpPasswordCost  *cost)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *password = g_strconcat ("password-", name, NULL);

  cp_server_admin_add_user (storage, name, role, district, uscc, agency, password, cost, &error);
  g_assert_no_error (error);
}

void
server_fixture_setup (ServerFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage;

  if (USCC_1 == NULL)
    {
      USCC_1 = cp_test_make_uscc ("320583", 1);
      USCC_2 = cp_test_make_uscc ("320506", 2);
      USCC_3 = cp_test_make_uscc ("320583", 3);
    }

  g_mutex_init (&f->lock);
  g_cond_init (&f->cond);
  f->dir = g_dir_make_tmp ("cp-server-test-XXXXXX", &error);
  g_assert_no_error (error);

  cp_server_config_init (&f->config);
  f->config.data_dir = g_strdup (f->dir);
  g_free (f->config.listen);
  f->config.listen = g_strdup ("127.0.0.1:0");
  f->config.password_cost.opslimit = 1;
  f->config.password_cost.memlimit = 8192;
  f->config.max_body = 64 * 1024;
  f->config.max_blob = 1024 * 1024;
  f->config.log_requests = g_getenv ("CP_SERVER_TEST_LOG") != NULL;

  if (backend_is_postgres ())
    {
#ifdef CP_SERVER_HAVE_POSTGRES
      pg_create_schema (f);
      f->config.database = g_strdup (f->database);
#endif
    }

  g_assert_true (cp_server_auth_init ());
  storage = server_fixture_open_storage (f);
  cp_server_storage_seed_defaults (storage, &error);
  g_assert_no_error (error);
  cp_server_storage_add_agency (storage, "A", "Agency A", AGENCY_A_USCC, &error);
  g_assert_no_error (error);
  cp_server_storage_add_agency (storage, "B", "Agency B", NULL, &error);
  g_assert_no_error (error);
  cp_server_storage_assign (storage, USCC_1, "A", &error);
  g_assert_no_error (error);
  cp_server_storage_assign (storage, USCC_2, "B", &error);
  g_assert_no_error (error);
  add_user (storage, "admin", CP_SERVER_ROLE_ADMIN, NULL, NULL, NULL, &f->config.password_cost);
  add_user (storage, "office-kunshan", CP_SERVER_ROLE_OFFICE, "kunshan", NULL, NULL,
            &f->config.password_cost);
  add_user (storage, "office-wuzhong", CP_SERVER_ROLE_OFFICE, "wuzhong", NULL, NULL,
            &f->config.password_cost);
  add_user (storage, "agency-a", CP_SERVER_ROLE_AGENCY, NULL, NULL, "A", &f->config.password_cost);
  add_user (storage, "agency-b", CP_SERVER_ROLE_AGENCY, NULL, NULL, "B", &f->config.password_cost);
  add_user (storage, "ent-1", CP_SERVER_ROLE_ENTERPRISE, NULL, USCC_1, NULL,
            &f->config.password_cost);
  add_user (storage, "ent-2", CP_SERVER_ROLE_ENTERPRISE, NULL, USCC_2, NULL,
            &f->config.password_cost);
  cp_server_storage_close (storage);

  f->session = soup_session_new_with_options ("timeout", 30, "max-conns", 64,
                                              "max-conns-per-host", 64, NULL);
  if (data != NULL)
    ((ServerConfigure) data) (f);
  if (f->skip || f->manual_start)
    return;
  server_fixture_start (f);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

void
server_fixture_teardown (ServerFixture *f,
                         gconstpointer  data)
{
  g_clear_object (&f->session);
  g_clear_object (&f->certificate);
  server_fixture_stop (f);
  cp_server_config_clear (&f->config);
#ifdef CP_SERVER_HAVE_POSTGRES
  if (f->schema != NULL)
    pg_drop_schema (f);
#endif
  g_clear_pointer (&f->schema, g_free);
  g_clear_pointer (&f->database, g_free);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->base);
  g_clear_error (&f->start_error);
  g_mutex_clear (&f->lock);
  g_cond_clear (&f->cond);
}

/* Trust exactly the certificate the test made for its server. */
static gboolean
accept_certificate_cb (SoupMessage          *msg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       GTlsCertificate      *expected)
{
  return expected != NULL && g_tls_certificate_is_same (certificate, expected);
}

Reply *
server_request_session (SoupSession        *session,
                        const char         *base,
                        const char         *method,
                        const char         *path,
                        const char         *token,
                        const char         *body,
                        gssize              length,
                        const char * const *headers)
{
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(GError) error = NULL;
  Reply *reply = g_new0 (Reply, 1);
  SoupMessageHeaders *request_headers;
  const char *content_type;

  reply->msg = soup_message_new (method, url);
  g_assert_nonnull (reply->msg);
  g_signal_connect (reply->msg, "accept-certificate", G_CALLBACK (accept_certificate_cb),
                    g_object_get_data (G_OBJECT (session), "cp-test-certificate"));
  request_headers = soup_message_get_request_headers (reply->msg);
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", token, NULL);

      soup_message_headers_replace (request_headers, "Authorization", value);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);

      soup_message_set_request_body_from_bytes (reply->msg, "application/json", bytes);
    }
  reply->body = soup_session_send_and_read (session, reply->msg, NULL, &error);
  g_assert_no_error (error);
  reply->status = soup_message_get_status (reply->msg);
  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (reply->msg),
                                                        NULL);
  if (content_type != NULL && g_str_has_suffix (content_type, "json") &&
      g_bytes_get_size (reply->body) > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      json_parser_load_from_data (parser, g_bytes_get_data (reply->body, NULL),
                                  g_bytes_get_size (reply->body), &error);
      g_assert_no_error (error);
      reply->json = json_node_copy (json_parser_get_root (parser));
    }
  return reply;
}

Reply *
server_request (ServerFixture *f,
                const char    *method,
                const char    *path,
                const char    *token,
                const char    *body,
                gssize         length,
                ...)
{
  g_autoptr(GPtrArray) headers = g_ptr_array_new ();
  const char *item;
  va_list args;

  va_start (args, length);
  while ((item = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (headers, (gpointer) item);
  va_end (args);
  g_ptr_array_add (headers, NULL);
  return server_request_session (f->session, f->base, method, path, token, body, length,
                                 (const char * const *) headers->pdata);
}

char *
server_login (ServerFixture *f,
              const char    *user)
{
  g_autofree char *body = g_strdup_printf ("{\"user\": \"%s\", \"password\": \"password-%s\"}",
                                           user, user);
  g_autoptr(Reply) reply = server_request (f, "POST", "/api/v1/session", NULL, body, -1, NULL);

  g_assert_cmpuint (reply->status, ==, 201);
  return g_strdup (json_get_string (reply->json, "token"));
}

void
assert_problem (Reply      *reply,
                guint       status,
                const char *type)
{
  const char *content_type;
  g_autofree char *suffix = g_strconcat ("/problems/", type, NULL);

  if (reply->status != status)
    g_test_message ("unexpected reply %u: %.*s", reply->status,
                    (int) g_bytes_get_size (reply->body),
                    (const char *) g_bytes_get_data (reply->body, NULL));
  g_assert_cmpuint (reply->status, ==, status);
  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (reply->msg),
                                                        NULL);
  g_assert_cmpstr (content_type, ==, "application/problem+json");
  g_assert_nonnull (reply->json);
  g_assert_true (g_str_has_suffix (json_get_string (reply->json, "type"), suffix));
  g_assert_cmpint (json_get_int (reply->json, "status"), ==, status);
  g_assert_nonnull (json_get_string (reply->json, "title"));
}

const char *
json_get_string (JsonNode   *node,
                 const char *member)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_string_member_with_default (json_node_get_object (node), member, NULL);
}

gint64
json_get_int (JsonNode   *node,
              const char *member)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_get_int_member_with_default (json_node_get_object (node), member, -1);
}
