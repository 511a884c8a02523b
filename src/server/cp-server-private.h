/* cp-server-private.h — what the request handlers of credit-packet-server share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>
#include <json-glib/json-glib.h>

#include "cp-packet.h"
#include "cp-report-registry.h"
#include "cp-server.h"
#include "cp-template-registry.h"
#include "cp-workflow.h"

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
  CP_ROUTE_AGENCIES,
  CP_ROUTE_PACKET,
  CP_ROUTE_REVISIONS,
  CP_ROUTE_REVISION,
  CP_ROUTE_COMMENTS,
  CP_ROUTE_SUBMIT,
  CP_ROUTE_RETURN,
  CP_ROUTE_ACCEPT,
  CP_ROUTE_TRANSITIONS,
  CP_ROUTE_SIGNATURES,
  CP_ROUTE_AUTHORS,
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

  CpTemplateRegistry *registry;
  CpReportRegistry   *reports;

  GHashTable      *requests;      /* CpRequest * in flight */
  GPtrArray       *write_queue;   /* PendingWrite *, committed together (group commit) */
  GSource         *flush_source;
  guint            in_flight;
  gboolean         stopping;
  GTask           *shutdown_task;
  GSource         *shutdown_timeout;
  GSource         *shutdown_idle;
  GSource         *gc_source;     /* cp_server_collect_garbage() every hour */

  /* cp-server-connections.c */
  GHashTable      *connections;   /* GSocket * → its state, every connection seen */
  GSource         *sweep_source;
  GSocket         *listen_socket;
  guint64          accepted;      /* connections seen so far */
  guint64          accepted_at_check;
  gint64           listen_waiting_since;
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

/* cp-server-parse.c: reading bodies and headers, without libsoup (tests/fuzz drives them). */
/* The body as a JSON object, at most @limit bytes: CP_JSON_ERROR_SYNTAX (empty, not JSON),
 * TOO_DEEP, TOO_LARGE, or WRONG_TYPE when it is not an object. */
JsonObject *cp_server_parse_json_object (const char   *data,
                                         gsize         length,
                                         guint64       limit,
                                         GError      **error);
/* {"user", "password"}; the strings belong to @object. CP_JSON_ERROR on anything else. */
gboolean   cp_server_parse_login    (JsonObject        *object,
                                     const char       **user,
                                     const char       **password,
                                     GError           **error);
/* {"comments": [{"section", "field", "comment"}, …]} of a return: CpServerComment *, at least
 * one. */
GPtrArray *cp_server_parse_comments (JsonObject        *object,
                                     GError           **error);
/* {"sha256": [...]} of blobs/missing: the distinct hashes (strings of @object), at most @max
 * (else CP_JSON_ERROR_TOO_LARGE); *@bad_index is the entry that is not a SHA-256
 * (CP_JSON_ERROR_INVALID_VALUE), G_MAXUINT otherwise. */
GPtrArray *cp_server_parse_hash_list (JsonObject       *object,
                                      guint             max,
                                      guint            *bad_index,
                                      GError          **error);
/* "bytes START-END/TOTAL" with START ≤ END < TOTAL, decimal digits only. */
gboolean   cp_server_parse_content_range (const char   *value,
                                          guint64      *start,
                                          guint64      *end,
                                          guint64      *total);
/* An If-Match value naming one revision ("3" or "\"3\""): the number, 0 when @value is NULL,
 * -1 when it is not a revision. */
gint64     cp_server_parse_revision_tag (const char    *value);
/* @text with control characters, invalid UTF-8, spaces, quotes, backslashes and bidirectional
 * controls escaped (\xNN, \uNNNN): safe for one field of a log line. */
char      *cp_server_escape_for_log (const char        *text);

char      *cp_server_format_time    (gint64             usec);
/* cp_sha256_is_valid() and cp_uuid_is_valid() (cp-packet.h) check names from the network. */
gboolean   cp_sha256_text_is_valid  (const char        *text);
JsonNode  *cp_server_user_to_json   (const CpServerUser *user);

/* cp-server-packets.c */
/* The shipped templates, then the versions in @templates_dir (nullable) over them. */
CpTemplateRegistry *cp_server_load_registry (const char  *templates_dir,
                                             GError     **error);
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
void       cp_server_handle_agencies (CpServer          *self,
                                      SoupServerMessage *msg,
                                      CpRequest         *request);
void       cp_server_handle_templates (CpServer          *self,
                                       SoupServerMessage *msg,
                                       CpRequest         *request);
/* Drops queued writes without answering them (the server is going away). */
void       cp_server_drop_writes    (CpServer          *self);
/* Kunshan-style deduction for a completion rate in [0, ∞): -5, -3, -2, -1 or 0. */
int        cp_server_deduction      (double             rate);

/* cp-server.c: logs the request and detaches its state (once). */
void       cp_server_request_done   (CpServer          *self,
                                     SoupServerMessage *msg,
                                     gboolean           aborted);

/* cp-server-connections.c: every connection's course, its timeouts, and early answers. */
void       cp_server_connections_init     (CpServer          *self);
void       cp_server_connections_clear    (CpServer          *self);
void       cp_server_connection_started   (CpServer          *self,
                                           SoupServerMessage *msg);
void       cp_server_connection_got_headers (CpServer        *self,
                                             SoupServerMessage *msg,
                                             gboolean         has_body);
void       cp_server_connection_got_chunk (CpServer          *self,
                                           SoupServerMessage *msg);
void       cp_server_connection_got_body  (CpServer          *self,
                                           SoupServerMessage *msg);
void       cp_server_connection_finished  (CpServer          *self,
                                           SoupServerMessage *msg);
/* Sends the answer @msg has (status, headers, body) at once on its connection, taken from
 * libsoup, and closes that connection: for an answer known before the body was read. */
void       cp_server_reply_now            (CpServer          *self,
                                           SoupServerMessage *msg);
/* Listens on @address with a socket of our own (its backlog: config.listen_backlog). */
gboolean   cp_server_listen_address       (CpServer          *self,
                                           GSocketAddress    *address,
                                           GError           **error);

/* cp-server-workflow.c: parties, ownership and stamps of kinds with a workflow */
/* The template @kind @version names (the version the packet was made with), or NULL. */
CpTemplate *cp_server_packet_template (CpServer          *self,
                                       const char        *kind,
                                       const char        *version);
/* The stage of the packet @revision holds: its own, or (stored before stages were) the one its
 * packet state maps to; NULL for a stage the workflow does not have. */
const CpWorkflowState *cp_server_revision_stage (const CpWorkflow       *workflow,
                                                 const CpServerRevision *revision);
/* Is @user the city office (市信用办): an office whose district's divisions are whole
 * prefectures ("3205")? */
gboolean   cp_server_user_is_city_office (CpServer           *self,
                                          const CpServerUser *user);
/* The party @user is to a packet whose evaluating agency is @evaluator (nullable):
 * CP_ROLE_NONE for the administrator. Whether the user sees the packet is not checked. */
CpRole     cp_server_party_of       (CpServer           *self,
                                     const CpServerUser *user,
                                     const char         *evaluator);
/* Whether @user may see one revision: its enterprise is visible to @user, or @user is its
 * evaluator; and for an office, the packet is handed in. */
gboolean   cp_server_can_see_revision (CpServer               *self,
                                       const CpServerUser     *user,
                                       const CpServerRevision *revision,
                                       GError                **error);
/* The members a client may not type in a signature: the server keeps who recorded it, and
 * when, itself (GET …/signatures). */
#define CP_SERVER_STAMP_BY "recorded_by"
#define CP_SERVER_STAMP_AT "recorded_at"
/* Of @changes (cp_packet_diff() up to @packet), the pointers of the signatures and stamps that
 * @packet records or changes, and of those it removes (element type char *). */
void       cp_server_signature_changes (CpTemplate *tpl,
                                        CpPacket   *packet,
                                        GPtrArray  *changes,
                                        GPtrArray **signed_parts,
                                        GPtrArray **unsigned_parts);
/* The pointer of a signature of @packet that carries a record of its own (recorded_by,
 * recorded_at), or NULL. */
char      *cp_server_find_typed_stamp  (CpTemplate *tpl,
                                        CpPacket   *packet);
/* 403 "not-writable" listing @refusals (CpRefusal *) with the party and the stage. */
void       cp_server_reply_refused  (SoupServerMessage *msg,
                                     GPtrArray         *refusals,
                                     CpRole             party,
                                     const char        *stage);

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
