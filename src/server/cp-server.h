/* cp-server.h — credit-packet-server: the REST/JSON API on SoupServer
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "cp-server-auth.h"
#include "cp-server-storage.h"

G_BEGIN_DECLS

#define CP_SERVER_DEFAULT_MAX_BODY (8 * 1024 * 1024)
#define CP_SERVER_DEFAULT_MAX_BLOB (G_GUINT64_CONSTANT (256) * 1024 * 1024)
/* The packet bodies in one page of GET /changes?bodies=1. */
#define CP_SERVER_DEFAULT_CHANGES_MAX_BYTES (8 * 1024 * 1024)

typedef struct
{
  char           *data_dir;        /* the SQLite database and the blob folder live here */
  char           *database;        /* a PostgreSQL URL or connection string; NULL: SQLite */
  char           *listen;          /* "ADDR:PORT"; port 0 picks a free one */
  char           *tls_cert;        /* PEM files; both or neither */
  char           *tls_key;
  char           *templates_dir;   /* the office's own template versions, or NULL */
  guint64         max_body;        /* request bodies other than blobs */
  guint64         max_blob;        /* one attachment */
  gint64          session_ttl;     /* seconds */
  guint           login_max_failures;
  guint           login_window;    /* seconds */
  CpPasswordCost  password_cost;
  gboolean        log_requests;
  guint64         changes_max_bytes; /* bodies per changes page; 0: the default (8 MiB) */
} CpServerConfig;

void      cp_server_config_init  (CpServerConfig  *config);
/* Reads a GKeyFile ([server] listen, data-dir, database, tls-cert, tls-key, templates-dir, max-body,
 * max-blob, session-ttl, log-requests; [login] max-failures, window; [passwords] opslimit, memlimit). */
gboolean  cp_server_config_load  (CpServerConfig  *config,
                                  const char      *path,
                                  GError         **error);
void      cp_server_config_clear (CpServerConfig  *config);

#define CP_TYPE_SERVER (cp_server_get_type ())
G_DECLARE_FINAL_TYPE (CpServer, cp_server, CP, SERVER, GObject)

/* Opens (and migrates) the storage: config->database, or SQLite in config->data_dir. Nothing
 * listens yet. */
CpServer        *cp_server_new            (const CpServerConfig  *config,
                                           GError               **error);
/* Binds config->listen on the thread-default main context. */
gboolean         cp_server_listen         (CpServer              *self,
                                           GError               **error);
guint            cp_server_get_port       (CpServer              *self);
/* "http://127.0.0.1:PORT/" (https when TLS is configured). */
char            *cp_server_get_url        (CpServer              *self);
CpServerStorage *cp_server_get_storage    (CpServer              *self);
guint            cp_server_get_in_flight  (CpServer              *self);

/* Stops taking requests (new ones get 503), waits for those in flight (at most @timeout_ms),
 * then closes the connections and the database. */
void             cp_server_shutdown_async  (CpServer             *self,
                                            guint                 timeout_ms,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean         cp_server_shutdown_finish (CpServer             *self,
                                            GAsyncResult         *result,
                                            GError              **error);

G_END_DECLS
