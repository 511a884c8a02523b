/* cp-sync-client-private.h — blocking requests for the sync engine's worker thread
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "cp-sync-client.h"

G_BEGIN_DECLS

typedef struct
{
  guint               status;
  GBytes             *body;
  SoupMessageHeaders *headers;
  JsonNode           *json;          /* the parsed body when it is JSON, else NULL */
  char               *problem_type;  /* the problem's type after ".../problems/", or NULL */
  char               *detail;        /* the problem's detail, or NULL */
} CpSyncReply;

void         cp_sync_reply_free            (CpSyncReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpSyncReply, cp_sync_reply_free)

/* Called as the request body goes out (from the calling thread). */
typedef void (*CpSyncWroteFunc) (gsize    n_bytes,
                                 gpointer user_data);

/* Sends one request and waits for the reply, retrying transient failures with backoff. Returns
 * the reply for any final HTTP status (the caller judges it); NULL with a CP_SYNC_ERROR
 * (OFFLINE or SERVER) when the retries ran out, or G_IO_ERROR_CANCELLED. A 401 is turned into
 * CP_SYNC_ERROR_NEEDS_LOGIN. @headers: NULL-terminated name/value pairs. May be called from
 * any thread. */
CpSyncReply *cp_sync_client_request        (CpSyncClient        *self,
                                            const char          *method,
                                            const char          *path,
                                            const char * const  *headers,
                                            GBytes              *body,
                                            const char          *content_type,
                                            CpSyncWroteFunc      wrote_func,
                                            gpointer             wrote_data,
                                            GCancellable        *cancellable,
                                            GError             **error);

/* The same with a single attempt: transient failures come back as errors (CP_SYNC_ERROR_OFFLINE
 * or SERVER) with *@retry_after_ms set to the server's Retry-After (or -1), so that the caller
 * can look at the server's state before trying again. */
CpSyncReply *cp_sync_client_request_once   (CpSyncClient        *self,
                                            const char          *method,
                                            const char          *path,
                                            const char * const  *headers,
                                            GBytes              *body,
                                            const char          *content_type,
                                            CpSyncWroteFunc      wrote_func,
                                            gpointer             wrote_data,
                                            gint64              *retry_after_ms,
                                            GCancellable        *cancellable,
                                            GError             **error);
/* The retry policy, for callers that retry themselves. */
guint        cp_sync_client_get_max_attempts (CpSyncClient      *self);
guint        cp_sync_client_backoff_ms     (CpSyncClient        *self,
                                            guint                attempt,
                                            gint64               retry_after_ms);

/* A CP_SYNC_ERROR_REJECTED (or SERVER for 5xx) error describing @reply. */
GError      *cp_sync_reply_to_error        (CpSyncReply         *reply);

/* Sleeps @ms milliseconds unless @cancellable fires first; FALSE when cancelled. */
gboolean     cp_sync_sleep                 (guint                ms,
                                            GCancellable        *cancellable);

G_END_DECLS
