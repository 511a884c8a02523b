/* cp-sync-manager.h — the application's one door to the server: account, sync, workflow
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "cp-comment.h"
#include "cp-credentials.h"
#include "cp-revision.h"
#include "cp-store.h"
#include "cp-sync-engine.h"
#include "cp-transition-offer.h"

G_BEGIN_DECLS

/* What the header bar shows. */
typedef enum
{
  CP_SYNC_STATUS_DISABLED,     /* no server address: work stays on this computer */
  CP_SYNC_STATUS_LOGGED_OUT,   /* a server, but nobody logged in */
  CP_SYNC_STATUS_SYNCED,       /* nothing waits to be sent */
  CP_SYNC_STATUS_PENDING,      /* changes wait for the next sync */
  CP_SYNC_STATUS_SYNCING,      /* a sync runs */
  CP_SYNC_STATUS_OFFLINE,      /* no network or the server cannot be reached */
  CP_SYNC_STATUS_ERROR,        /* the last sync failed: see the message */
  CP_SYNC_STATUS_NEEDS_LOGIN,  /* the session expired: the password is asked again */
} CpSyncManagerStatus;

/* The state is in properties, notified only when a value changes: status
 * (CpSyncManagerStatus), message, n-pending, n-conflicts, n-quarantined, logged-in, role, user,
 * agency-name, agency-uscc, server-url, session-only-reason, last-sync (GDateTime), blob-sent and blob-total. Signals:
 * ::packets-changed (a sync or a submission ended: packets in the store may have changed) and
 * ::store-changed (another account's store is in use). */
#define CP_TYPE_SYNC_MANAGER (cp_sync_manager_get_type ())
G_DECLARE_FINAL_TYPE (CpSyncManager, cp_sync_manager, CP, SYNC_MANAGER, GObject)

/* @settings (nullable) gives server-url and sync-interval-minutes; @server_url (nullable)
 * overrides the setting for this run (--server, CP_SERVER_URL). */
CpSyncManager *cp_sync_manager_new              (CpStore        *store,
                                                 GSettings      *settings,
                                                 const char     *server_url);

/* Each account gets its own store under @base_dir (cp_sync_engine_dup_account_directory()):
 * a session of another account than the store's switches to that account's store and emits
 * ::store-changed. Without a base folder the store given at creation is used for everyone. */
void           cp_sync_manager_set_account_base (CpSyncManager  *self,
                                                 const char     *base_dir);
CpStore       *cp_sync_manager_get_store        (CpSyncManager  *self);

CpSyncManagerStatus   cp_sync_manager_get_status       (CpSyncManager  *self);
/* Why the status is what it is ("The server could not be reached."), or NULL. */
const char    *cp_sync_manager_get_message      (CpSyncManager  *self);

const char    *cp_sync_manager_get_server_url   (CpSyncManager  *self);
const char    *cp_sync_manager_get_user         (CpSyncManager  *self);
/* "enterprise", "agency", "office", "admin", or NULL before the server said. */
const char    *cp_sync_manager_get_role         (CpSyncManager  *self);
/* An agency user's agency: its name and its credit code as the server keeps them, or NULL
 * (another role, no session, or an agency the administrator gave no code). */
const char    *cp_sync_manager_get_agency_name  (CpSyncManager  *self);
const char    *cp_sync_manager_get_agency_uscc  (CpSyncManager  *self);
/* A credit office's district code ("gusu", "suzhou" for the whole city), or NULL. */
const char    *cp_sync_manager_get_district     (CpSyncManager  *self);
gboolean       cp_sync_manager_is_logged_in     (CpSyncManager  *self);
/* TRUE when the keyring could not keep the token: it lives in memory for this session. */
gboolean       cp_sync_manager_is_session_only  (CpSyncManager  *self);
/* Why, in a sentence for the user ("Your password will not be remembered: …"); NULL when the
 * keyring keeps the token. */
const char    *cp_sync_manager_get_session_only_reason (CpSyncManager *self);
/* NULL until logged in. */
CpSyncEngine  *cp_sync_manager_get_engine       (CpSyncManager  *self);

/* Looks for a token kept in the keyring for the configured server and, when the server still
 * takes it, logs in with it. */
void           cp_sync_manager_restore          (CpSyncManager  *self);

void           cp_sync_manager_login_async      (CpSyncManager       *self,
                                                 const char          *server_url,
                                                 const char          *user,
                                                 const char          *password,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       cp_sync_manager_login_finish     (CpSyncManager       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
void           cp_sync_manager_logout_async     (CpSyncManager       *self,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       cp_sync_manager_logout_finish    (CpSyncManager       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

/* Starts a sync in the background unless one runs or nobody is logged in. */
void           cp_sync_manager_sync             (CpSyncManager  *self);
/* Stops the running sync (uploads included); what was acknowledged stays acknowledged. */
void           cp_sync_manager_cancel           (CpSyncManager  *self);
/* Counts the pending, conflicting and refused packets again (after local edits). */
void           cp_sync_manager_refresh_counts   (CpSyncManager  *self);

/* The workflow, on the server. Submitting sends the packet first when it has local changes
 * (with the files the server lacks), then submits it on the revision the server holds
 * (If-Match); a packet that changed on the server meanwhile (412) is not submitted. It waits
 * for a running sync to end. When the server's checks find errors it fails with
 * CP_SYNC_ERROR_REJECTED and @findings (element type CpFinding *) holds them; other refusals
 * and failures say why in the error. The store holds the submitted version afterwards and
 * ::packets-changed is emitted. */
void           cp_sync_manager_submit_async     (CpSyncManager       *self,
                                                 const char          *uuid,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       cp_sync_manager_submit_finish    (CpSyncManager       *self,
                                                 GAsyncResult        *result,
                                                 GPtrArray          **findings,
                                                 GError             **error);
/* A credit office accepts a submitted packet, or returns it with @comments (element type
 * CpComment *; section, field and text are sent). A sync follows that brings the new state
 * back. Finish both with cp_sync_manager_decide_finish(); a refusal of the server is
 * CP_SYNC_ERROR_REJECTED with its reason. */
void           cp_sync_manager_accept_async     (CpSyncManager       *self,
                                                 const char          *uuid,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
void           cp_sync_manager_return_async     (CpSyncManager       *self,
                                                 const char          *uuid,
                                                 GPtrArray           *comments,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
gboolean       cp_sync_manager_decide_finish    (CpSyncManager       *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);
/* Every revision the server keeps of a packet, oldest first: a GListModel of CpRevision.
 * CP_SYNC_ERROR_NOT_FOUND when the server has none yet. */
void           cp_sync_manager_list_revisions_async  (CpSyncManager       *self,
                                                      const char          *uuid,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GListModel    *cp_sync_manager_list_revisions_finish (CpSyncManager       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* The comments of the newest return of a packet (element type CpComment *). */
void           cp_sync_manager_get_comments_async    (CpSyncManager       *self,
                                                      const char          *uuid,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray     *cp_sync_manager_get_comments_finish   (CpSyncManager       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
/* A credit office's progress against the quotas of @year (cp_sync_client_get_progress_async()
 * says which errors). */
void           cp_sync_manager_get_progress_async    (CpSyncManager       *self,
                                                      int                  year,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
CpProgress    *cp_sync_manager_get_progress_finish   (CpSyncManager       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* --- who wrote what (issue 11) ----------------------------------------------------------- */

/* Who last wrote each value of a packet, and when: the reply's "authors" object, transfer full
 * (cp_sync_client_get_authors_async() says what is checked and which errors; NEEDS_LOGIN when
 * logged out, OFFLINE when the server cannot be reached). */
void           cp_sync_manager_get_authors_async     (CpSyncManager       *self,
                                                      const char          *uuid,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
JsonObject    *cp_sync_manager_get_authors_finish    (CpSyncManager       *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

/* The review chain (kinds with a workflow, issue 11). */

/* The steps the user's party may take now on @uuid (element type CpTransitionOffer *, in the
 * template's order; empty when it is another party's turn), and the packet's stage id through
 * @stage_out (nullable; NULL when the server knows no stage). Errors as
 * cp_sync_client_list_transitions_async(); NEEDS_LOGIN when nobody is logged in. */
void           cp_sync_manager_list_transitions_async  (CpSyncManager       *self,
                                                        const char          *uuid,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray     *cp_sync_manager_list_transitions_finish (CpSyncManager       *self,
                                                        GAsyncResult        *result,
                                                        char               **stage_out,
                                                        GError             **error);
/* Takes the step @transition on @uuid: first a sync sends the local edits (a packet whose
 * edits the server refused, or whose edits clash with the server's version, is not moved:
 * CP_SYNC_ERROR_REJECTED with the reason; the edits stay quarantined or in conflict), then the step is posted with @comments (nullable, one comment
 * on the whole packet, for a return) and @agency (nullable, for an assignment), then a sync
 * brings the new state into the store and ::packets-changed is emitted. It waits for a
 * running sync to end. Fails with CP_SYNC_ERROR_OFFLINE without a network, NEEDS_LOGIN when
 * logged out, and the refusals of cp_sync_client_transition_async() (FORBIDDEN, WRONG_STAGE,
 * INCOMPLETE) with the server's reason. */
void           cp_sync_manager_transition_async        (CpSyncManager       *self,
                                                        const char          *uuid,
                                                        const char          *transition,
                                                        const char          *comments,
                                                        const char          *agency,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean       cp_sync_manager_transition_finish       (CpSyncManager       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* Every agency, for a city office choosing the one to assign (element type CpAgencyInfo *);
 * errors as cp_sync_client_list_agencies_async(), NEEDS_LOGIN when nobody is logged in. */
void           cp_sync_manager_list_agencies_async     (CpSyncManager       *self,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
GPtrArray     *cp_sync_manager_list_agencies_finish    (CpSyncManager       *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

G_END_DECLS
