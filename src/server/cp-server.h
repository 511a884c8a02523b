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
  /* Connections (seconds): from a connection (or a request's first byte) to its last header
   * byte; between two pieces of a request body; a kept-alive connection with no request. */
  guint           header_timeout;
  guint           body_timeout;
  guint           idle_timeout;
  guint           listen_backlog;  /* pending connections the kernel queues for accept() */
  /* Uploads: unfinished ones a user may keep (the oldest go first), and how long one may rest
   * before it is removed (seconds). */
  guint           max_partials;
  guint           partial_ttl;
  /* Attachments no revision lists are removed once their file is this old (seconds). */
  guint           blob_grace;
} CpServerConfig;

void      cp_server_config_init  (CpServerConfig  *config);
/* Reads a GKeyFile ([server] listen, data-dir, database, tls-cert, tls-key, templates-dir, max-body,
 * max-blob, session-ttl, log-requests, header-timeout, body-timeout, idle-timeout, listen-backlog,
 * max-partial-uploads, partial-upload-ttl, blob-grace; [login] max-failures, window;
 * [passwords] opslimit, memlimit). */
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
/* Connections the server holds open now (for tests and diagnostics). */
guint            cp_server_get_n_connections (CpServer           *self);
/* Removes unfinished uploads past their time and attachments no revision lists that are older
 * than the grace period; runs at start and every hour by itself. Returns how many files went. */
guint            cp_server_collect_garbage (CpServer             *self);

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
