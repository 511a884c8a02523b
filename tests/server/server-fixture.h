/* server-fixture.h — a real credit-packet-server on 127.0.0.1 for the integration tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server runs in its own thread and main context, exactly as in the binary; the tests talk
 * HTTP to it with a synchronous SoupSession from the test thread (and from extra threads for the
 * concurrency test).
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cp-server.h"
#include "cp-test-support.h"

G_BEGIN_DECLS

typedef struct
{
  char         *dir;
  char         *base;       /* "http://127.0.0.1:PORT" */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  CpServer     *server;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GError       *start_error;
  SoupSession  *session;
  CpServerConfig config;
  GTlsCertificate *certificate;  /* the server's, when it serves HTTPS */
  gboolean      skip;           /* set by a ServerConfigure that cannot run here */
  /* The backend: CP_TEST_BACKEND=postgresql runs every test on the PostgreSQL database that
   * CP_TEST_DATABASE names, in a schema of its own (dropped after the test). */
  char         *database;       /* this test's connection string; NULL: SQLite in dir */
  char         *schema;
  gboolean      manual_start;   /* set by a ServerConfigure: the test starts its servers itself */
} ServerFixture;

/* Test data for g_test_add: adjusts the configuration before the server starts. */
typedef void (*ServerConfigure) (ServerFixture *f);

typedef struct
{
  guint       status;
  GBytes     *body;
  SoupMessage *msg;
  JsonNode   *json;         /* the parsed body when it is JSON, else NULL */
} Reply;

void   reply_free (Reply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

/* @data may be a ServerConfigure. Creates the data directory and users before the server starts: admin, office-kunshan (district
 * kunshan), office-wuzhong, agency-a (agency A), agency-b (agency B), ent-1 (USCC_1, Kunshan,
 * assigned to A), ent-2 (USCC_2, Wuzhong, assigned to B). Every password is "password-NAME". */
void   server_fixture_setup    (ServerFixture *f,
                                gconstpointer  data);
void   server_fixture_teardown (ServerFixture *f,
                                gconstpointer  data);
/* The fixture's database, opened directly (the server should be stopped when writing). */
CpServerStorage *server_fixture_open_storage (ServerFixture *f);
/* The first column of every row @sql returns, straight from the backend's database (for SQLite
 * after a WAL checkpoint, so that the database file holds everything). */
GStrv  server_fixture_query_column (ServerFixture *f,
                                    const char    *sql);

/* Runs @sql (no rows) on the backend's database; stop the server first. */
void   server_fixture_exec     (ServerFixture *f,
                                const char    *sql);

/* Restart support: starts the server on the existing data directory. */
void   server_fixture_start    (ServerFixture *f);
void   server_fixture_stop     (ServerFixture *f);

/* A request; @headers are NULL-terminated name/value pairs. */
Reply *server_request          (ServerFixture *f,
                                const char    *method,
                                const char    *path,
                                const char    *token,
                                const char    *body,
                                gssize         length,
                                ...) G_GNUC_NULL_TERMINATED;
Reply *server_request_session  (SoupSession   *session,
                                const char    *base,
                                const char    *method,
                                const char    *path,
                                const char    *token,
                                const char    *body,
                                gssize         length,
                                const char * const *headers);
/* Logs in and returns the token (asserts success). */
char  *server_login            (ServerFixture *f,
                                const char    *user);

/* Asserts an application/problem+json reply with @status and the problem type ending in @type. */
void   assert_problem          (Reply         *reply,
                                guint          status,
                                const char    *type);

const char *json_get_string    (JsonNode      *node,
                                const char    *member);
gint64      json_get_int       (JsonNode      *node,
                                const char    *member);

extern char *USCC_1;  /* a Kunshan (320583) enterprise */
/* Agency A's own credit code (agency B has none). */
#define AGENCY_A_USCC "91320506712345672Q"
extern char *USCC_2;  /* a Wuzhong (320506) enterprise */
extern char *USCC_3;  /* a Kunshan enterprise with no user and no agency */

G_END_DECLS
