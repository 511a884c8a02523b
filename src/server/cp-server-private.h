/* cp-server-private.h — what the request handlers of credit-packet-server share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cp-server.h"

G_BEGIN_DECLS

/* Stable problem types (RFC 9457); docs/api.md lists them. */
#define CP_PROBLEM_BASE "https://creditpacket.example/problems/"

typedef enum
{
  CP_ROUTE_NONE,
  CP_ROUTE_SESSION,
  CP_ROUTE_LIMITS,
  CP_ROUTE_TEMPLATES,
  CP_ROUTE_CHANGES,
  CP_ROUTE_PROGRESS,
  CP_ROUTE_PACKET,
  CP_ROUTE_REVISIONS,
  CP_ROUTE_REVISION,
  CP_ROUTE_COMMENTS,
  CP_ROUTE_SUBMIT,
  CP_ROUTE_RETURN,
  CP_ROUTE_ACCEPT,
  CP_ROUTE_BLOBS_MISSING,
  CP_ROUTE_BLOB,
  CP_ROUTE_BLOB_STATUS,
  CP_ROUTE_REPORTS,
  CP_ROUTE_REPORT,
} CpRoute;

typedef struct _CpBlobUpload CpBlobUpload;

struct _CpServer
{
  GObject          parent_instance;

  CpServerConfig   config;
  CpServerStorage *storage;
  SoupServer      *soup;
  gboolean         tls;
  char            *blob_dir;
  char            *partial_dir;

  CpRateLimiter   *user_limiter;
  CpRateLimiter   *addr_limiter;
  guint            logins_running;
  GQueue           login_queue;   /* GTask * waiting for a password check */

  gpointer         registry;      /* CpTemplateRegistry *, when the core has one */
  gpointer         reports;       /* CpReportRegistry *, likewise */

  GHashTable      *requests;      /* CpRequest * in flight */
  GPtrArray       *write_queue;   /* PendingWrite *, committed together (group commit) */
  GSource         *flush_source;
  guint            in_flight;
  gboolean         stopping;
  GTask           *shutdown_task;
  GSource         *shutdown_timeout;
  GSource         *shutdown_idle;
};

/* Per-request state, attached to the SoupServerMessage. */
typedef struct
{
  CpServer      *server;
  gint64         started;
  CpRoute        route;
  char          *uuid;
  char          *sha256;
  char          *report;        /* report id in the path */
  gint64         number;        /* revision number in the path */
  CpServerUser  *user;
  char          *token_hash;
  GByteArray    *body;          /* collected request body (not for blob uploads) */
  guint64        received;      /* request body bytes seen */
  guint64        limit;         /* request body limit */
  gboolean       too_large;
  CpBlobUpload  *upload;
} CpRequest;

CpRequest *cp_request_get           (SoupServerMessage *msg);
/* Unpauses @msg unless it has already finished (its client went away). */
void       cp_server_message_resume (SoupServerMessage *msg);

/* Attaches @source (consumed) with @func to the thread-default main context — the server's —
 * and returns it; cp_server_source_clear destroys and releases it. */
GSource   *cp_server_attach_source  (GSource           *source,
                                     GSourceFunc        func,
                                     gpointer           data);
void       cp_server_source_clear   (GSource           *source);

/* Replies. cp_server_reply_problem takes ownership of @extra. */
void       cp_server_reply_json     (SoupServerMessage *msg,
                                     guint              status,
                                     JsonNode          *node);
void       cp_server_reply_problem  (SoupServerMessage *msg,
                                     guint              status,
                                     const char        *type,
                                     const char        *detail,
                                     JsonObject        *extra);
void       cp_server_reply_storage_error (SoupServerMessage *msg,
                                          const GError      *error);
/* Parses the collected body as a JSON object; replies 400/413 and returns NULL on failure. */
JsonObject *cp_server_parse_body_object (SoupServerMessage *msg,
                                         CpRequest         *request);

char      *cp_server_format_time    (gint64             usec);
gboolean   cp_uuid_is_valid         (const char        *text);
gboolean   cp_sha256_text_is_valid  (const char        *text);
JsonNode  *cp_server_user_to_json   (const CpServerUser *user);

/* cp-server-packets.c */
/* The core's template registry, or NULL (without an error) when the core has none. */
/* The shipped templates, then the versions in @templates_dir (nullable) over them. */
gpointer   cp_server_load_registry  (const char        *templates_dir,
                                     GError           **error);
void       cp_server_free_registry  (gpointer           registry);
void       cp_server_handle_packets (CpServer          *self,
                                     SoupServerMessage *msg,
                                     CpRequest         *request);
void       cp_server_handle_changes (CpServer          *self,
                                     SoupServerMessage *msg,
                                     CpRequest         *request,
                                     GHashTable        *query);
void       cp_server_handle_progress (CpServer          *self,
                                      SoupServerMessage *msg,
                                      CpRequest         *request,
                                      GHashTable        *query);
void       cp_server_handle_templates (CpServer          *self,
                                       SoupServerMessage *msg,
                                       CpRequest         *request);
/* Drops queued writes without answering them (the server is going away). */
void       cp_server_drop_writes    (CpServer          *self);
/* Kunshan-style deduction for a completion rate in [0, ∞): -5, -3, -2, -1 or 0. */
int        cp_server_deduction      (double             rate);

/* cp-server-reports.c */
void       cp_server_handle_reports (CpServer          *self,
                                     SoupServerMessage *msg,
                                     CpRequest         *request,
                                     GHashTable        *query);

/* cp-server-blobs.c */
char      *cp_server_blob_path      (CpServer          *self,
                                     const char        *sha256);
gboolean   cp_server_blob_exists    (CpServer          *self,
                                     const char        *sha256);
/* Early: validates the upload and opens the partial file; replies on failure. */
void       cp_server_blob_upload_begin (CpServer          *self,
                                        SoupServerMessage *msg,
                                        CpRequest         *request);
void       cp_server_blob_upload_chunk (CpRequest         *request,
                                        GBytes            *chunk);
void       cp_server_blob_upload_free  (CpBlobUpload      *upload);
void       cp_server_handle_blobs   (CpServer          *self,
                                     SoupServerMessage *msg,
                                     CpRequest         *request);

G_END_DECLS
