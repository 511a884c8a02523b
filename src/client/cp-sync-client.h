/* cp-sync-client.h — one HTTP session with the Credit Packet server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cp-agency-info.h"
#include "cp-text.h"

G_BEGIN_DECLS

#define CP_SYNC_ERROR (cp_sync_error_quark ())

/* The classes of failure the UI tells apart (docs/sync.md says what to show for each). */
typedef enum
{
  CP_SYNC_ERROR_OFFLINE,      /* the server could not be reached (retried with backoff) */
  CP_SYNC_ERROR_SERVER,       /* the server failed or stayed busy (5xx, 429/503 after retries,
                               * a reply that makes no sense) */
  CP_SYNC_ERROR_NEEDS_LOGIN,  /* the token is missing, expired or logged out: log in again;
                               * nothing local is lost */
  CP_SYNC_ERROR_LOGIN_FAILED, /* wrong user name or password */
  CP_SYNC_ERROR_REJECTED,     /* the server refused the request (4xx) */
  CP_SYNC_ERROR_INSECURE,     /* plain http to a host that is not this computer */
  CP_SYNC_ERROR_INVALID_URL,  /* not an http(s) address */
  CP_SYNC_ERROR_BUSY,         /* a sync is already running */
  CP_SYNC_ERROR_NO_DATA,      /* a report: no packet of that year (and district) is in it */
  CP_SYNC_ERROR_NOT_FOUND,    /* the server has no such packet (or none of its revisions) */
  /* A workflow transition (issue 11): */
  CP_SYNC_ERROR_FORBIDDEN,    /* 403: another party makes this transition */
  CP_SYNC_ERROR_WRONG_STAGE,  /* 409/412: the packet is not (or no longer) in a stage this
                               * transition leaves, or the agency cannot be assigned */
  CP_SYNC_ERROR_INCOMPLETE,   /* 422: the parts the transition needs have errors, or the
                               * comments or the agency are missing */
} CpSyncError;

GQuark cp_sync_error_quark (void);

#define CP_TYPE_SYNC_CLIENT (cp_sync_client_get_type ())
G_DECLARE_FINAL_TYPE (CpSyncClient, cp_sync_client, CP, SYNC_CLIENT, GObject)

/* @base_url: "https://host[:port]" (a trailing slash is fine); "http://" only for 127.0.0.0/8,
 * ::1 and localhost. Create it in the thread that runs the main loop. */
CpSyncClient *cp_sync_client_new               (const char           *base_url,
                                                GError              **error);
const char   *cp_sync_client_get_base_url      (CpSyncClient         *self);

/* The bearer token (set by login, or from the keyring). */
void          cp_sync_client_set_token         (CpSyncClient         *self,
                                                const char           *token);
char         *cp_sync_client_dup_token         (CpSyncClient         *self);
/* The user name given at login (or set with the token), or NULL. */
void          cp_sync_client_set_user          (CpSyncClient         *self,
                                                const char           *user);
char         *cp_sync_client_dup_user          (CpSyncClient         *self);

/* Retries of transient failures (network errors, 5xx, 429, 503): @max_attempts tries in all,
 * waiting base·2ⁿ with ±50 % jitter, at most @max_delay_ms, or what Retry-After says (capped the
 * same way). Defaults: 6 attempts, 500 ms, 60 s. */
void          cp_sync_client_set_retry_policy  (CpSyncClient         *self,
                                                guint                 max_attempts,
                                                guint                 base_delay_ms,
                                                guint                 max_delay_ms);
/* Seconds before an unanswered request is given up (default 30). */
void          cp_sync_client_set_timeout       (CpSyncClient         *self,
                                                guint                 seconds);

/* The largest reply the client reads: the server's advertised max_reply (GET /limits, asked
 * after each login), within [CP_SYNC_MIN_REPLY, CP_SYNC_MAX_REPLY]; CP_SYNC_MAX_REPLY until then.
 * A bigger answer fails with CP_SYNC_ERROR_SERVER. */
#define CP_SYNC_MIN_REPLY (1024 * 1024)
#define CP_SYNC_MAX_REPLY (32 * 1024 * 1024)
gsize         cp_sync_client_get_max_reply     (CpSyncClient         *self);
void          cp_sync_client_set_max_reply     (CpSyncClient         *self,
                                                gsize                 max_reply);

/* The number of HTTP requests sent so far (each retry counts). */
guint         cp_sync_client_get_n_requests    (CpSyncClient         *self);

/* POST /api/v1/session. On success the client keeps the token; the reply's user object
 * ({"name", "role", …}) is returned. */
void          cp_sync_client_login_async       (CpSyncClient         *self,
                                                const char           *user,
                                                const char           *password,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
JsonNode     *cp_sync_client_login_finish      (CpSyncClient         *self,
                                                GAsyncResult         *result,
                                                GError              **error);
/* DELETE /api/v1/session, then forgets the token (also when the server cannot be reached). */
void          cp_sync_client_logout_async      (CpSyncClient         *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean      cp_sync_client_logout_finish     (CpSyncClient         *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* --- progress against the quotas (credit offices) ----------------------------------------- */

/* One cell group of the progress table: a kind in a district, a district over its kinds, a kind
 * over all districts, or everything. */
typedef struct
{
  char     *kind;       /* the packet kind's id; NULL for the figures over several kinds */
  int       quota;
  int       accepted;
  gboolean  has_rate;   /* FALSE when the quota is 0 (the server's "rate": null) */
  double    rate;       /* accepted / quota, rounded to 4 decimals by the server */
  int       deduction;  /* 0, -1, -2, -3 or -5 */
} CpProgressFigures;

typedef struct
{
  char              *district;  /* "kunshan"; NULL for the totals */
  char              *name;      /* "昆山"; NULL for the totals */
  GPtrArray         *kinds;     /* CpProgressFigures *, in the server's order */
  CpProgressFigures  all;       /* over the row's kinds */
} CpProgressRow;

typedef struct
{
  int            year;
  GPtrArray     *districts;  /* CpProgressRow *; empty when the year has no quotas */
  CpProgressRow *total;
} CpProgress;

#define CP_TYPE_PROGRESS (cp_progress_get_type ())
GType                    cp_progress_get_type      (void) G_GNUC_CONST;
CpProgress              *cp_progress_ref           (CpProgress           *progress);
void                     cp_progress_unref         (CpProgress           *progress);
/* The figures of @kind in @row, or NULL when the row has no quota for it. */
const CpProgressFigures *cp_progress_row_get_kind  (const CpProgressRow  *row,
                                                    const char           *kind);
/* Reads the server's answer (docs/api.md, "Progress"); a member missing or of the wrong type
 * gives CP_SYNC_ERROR_SERVER saying which. */
CpProgress              *cp_progress_new_from_json (JsonNode             *node,
                                                    GError              **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpProgress, cp_progress_unref)

/* GET /api/v1/progress?year=@year for an office or admin: the quotas, accepted packets,
 * completion rates and deductions per district and kind. Tried at most twice (the user waits
 * and can refresh): CP_SYNC_ERROR_OFFLINE when the server cannot be reached, NEEDS_LOGIN,
 * REJECTED (403 for enterprises and agencies), SERVER for failures and answers that make no
 * sense; G_IO_ERROR_CANCELLED. */
void                     cp_sync_client_get_progress_async  (CpSyncClient         *self,
                                                             int                   year,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
CpProgress              *cp_sync_client_get_progress_finish (CpSyncClient         *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* --- reports (credit offices) ------------------------------------------------------------ */

/* One report definition the server publishes (GET /api/v1/reports). */
typedef struct
{
  char   *id;         /* lower-case letters, digits, "-" and "_": checked */
  char   *version;
  char   *kind;       /* the packet kind it is about */
  CpText *title;      /* may hold "{year}" and "{district}" */
  int     due_month;  /* 0 when the report names no day it is due */
  int     due_day;
} CpReportInfo;

#define CP_TYPE_REPORT_INFO (cp_report_info_get_type ())
GType         cp_report_info_get_type          (void) G_GNUC_CONST;
CpReportInfo *cp_report_info_copy              (const CpReportInfo   *info);
void          cp_report_info_free              (CpReportInfo         *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpReportInfo, cp_report_info_free)

/* Whether @id can name a report (or a district) in a request: 1–64 lower-case ASCII letters,
 * digits, "-" or "_". */
gboolean      cp_sync_client_is_report_id      (const char           *id);

/* GET /api/v1/reports for an office or admin: the reports, sorted by id (element type
 * CpReportInfo *). Tried at most twice; errors as cp_sync_client_get_progress_async(), and
 * CP_SYNC_ERROR_SERVER for an answer that is not a list of reports. */
void          cp_sync_client_list_reports_async  (CpSyncClient        *self,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
GPtrArray    *cp_sync_client_list_reports_finish (CpSyncClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

typedef enum
{
  CP_SYNC_REPORT_XLSX,
  CP_SYNC_REPORT_CSV,
} CpSyncReportFormat;

/* GET /api/v1/reports/@report_id?year=@year[&district=@district]&format=…&lang=@lang for an
 * office or admin (the server applies the reader's tenancy), written to @path: the server's
 * file is checked (an Excel workbook, or UTF-8 CSV with a byte-order mark) and written to a
 * temporary file beside @path, synced and renamed over it, so that on any failure or
 * cancellation nothing is left half-written and an earlier file at @path stays as it was.
 * @district (nullable) and @report_id must pass cp_sync_client_is_report_id(); @lang is
 * "zh_CN" or "en" (NULL: the server's choice, Chinese).
 *
 * Errors: CP_SYNC_ERROR_NO_DATA (no packet of that year and district is in the report),
 * CP_SYNC_ERROR_REJECTED (not an office, a district outside its own, an unknown report or
 * district, a bad argument), CP_SYNC_ERROR_OFFLINE, NEEDS_LOGIN, SERVER (failures, a file that
 * is not what was asked for), G_IO_ERROR_CANCELLED, and G_IO_ERROR for a file that cannot be
 * written; every message says what to do. */
void          cp_sync_client_fetch_report_async  (CpSyncClient        *self,
                                                  const char          *report_id,
                                                  int                  year,
                                                  const char          *district,
                                                  CpSyncReportFormat   format,
                                                  const char          *lang,
                                                  const char          *path,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
gboolean      cp_sync_client_fetch_report_finish (CpSyncClient        *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* --- who wrote what (issue 11) ----------------------------------------------------------- */

/* GET /api/v1/packets/@uuid/authors (docs/api.md): the reply's "authors" object, one member per
 * value pointer, each {"name", "party"?, "at"}. Checked as the server's word: a member that is
 * not a JSON pointer, has no string "name", an unknown "party" or an "at" that is no RFC 3339
 * time is left out. Errors as cp_sync_client_get_progress_async() (REJECTED for 403), with
 * CP_SYNC_ERROR_NOT_FOUND when the server does not have the packet or the user may not see it. */
void                     cp_sync_client_get_authors_async   (CpSyncClient         *self,
                                                             const char           *uuid,
                                                             GCancellable         *cancellable,
                                                             GAsyncReadyCallback   callback,
                                                             gpointer              user_data);
JsonObject              *cp_sync_client_get_authors_finish  (CpSyncClient         *self,
                                                             GAsyncResult         *result,
                                                             GError              **error);

/* --- workflow transitions (issue 11) -------------------------------------------------------- */

/* GET /api/v1/packets/@uuid/transitions: the packet's stage and the transitions the caller's
 * party may make from it. Returns the server's object, every member checked (docs/api.md):
 * {"uuid" (= @uuid), "revision" (int), "stage" (string or null), "role" (string or null),
 * "evaluator"? (string), "transitions": [{"transition", "to" (strings), "comments", "assigns"
 * (booleans)}]}; an answer that differs is CP_SYNC_ERROR_SERVER. CP_SYNC_ERROR_NOT_FOUND for a
 * packet the server does not have (or the caller cannot see), REJECTED for a kind without a
 * workflow; OFFLINE, NEEDS_LOGIN, G_IO_ERROR_CANCELLED. */
void          cp_sync_client_list_transitions_async  (CpSyncClient        *self,
                                                      const char          *uuid,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonNode     *cp_sync_client_list_transitions_finish (CpSyncClient        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* POST /api/v1/packets/@uuid/transitions {"transition", "comments"?, "agency"?}: @comments
 * (nullable) is sent as one comment on the whole packet, @agency (nullable) as the evaluating
 * agency to assign. Returns the server's receipt (an object with "revision" and "stage"
 * checked). Errors carry the server's reason: CP_SYNC_ERROR_FORBIDDEN (403),
 * CP_SYNC_ERROR_WRONG_STAGE (409, 412), CP_SYNC_ERROR_INCOMPLETE (422), NOT_FOUND (404),
 * REJECTED for other refusals; OFFLINE, NEEDS_LOGIN, SERVER, G_IO_ERROR_CANCELLED. A replay
 * after a lost reply gets the receipt of the first try. */
void          cp_sync_client_transition_async        (CpSyncClient        *self,
                                                      const char          *uuid,
                                                      const char          *transition,
                                                      const char          *comments,
                                                      const char          *agency,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonNode     *cp_sync_client_transition_finish       (CpSyncClient        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* GET /api/v1/agencies for an office or admin: every agency (element type CpAgencyInfo *), by
 * id, each member checked. Tried at most twice; REJECTED (403) for enterprises and agencies,
 * SERVER for an answer that is not a list of agencies, OFFLINE, NEEDS_LOGIN,
 * G_IO_ERROR_CANCELLED. */
void          cp_sync_client_list_agencies_async     (CpSyncClient        *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray    *cp_sync_client_list_agencies_finish    (CpSyncClient        *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
