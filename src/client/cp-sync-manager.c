/* cp-sync-manager.c — the application's side of sync: account, status, schedule
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One per application. It owns the HTTP client and the sync engine of the logged-in account,
 * keeps the token through CpCredentials, decides when to sync (on demand, when the network
 * comes back, every sync-interval-minutes) and sums up the outcome for the header bar. Every
 * network and disk step runs in a worker thread or asynchronously: nothing here blocks the
 * main loop.
 */
#include "config.h"

#include "cp-sync-manager.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-sync-client-private.h"

struct _CpSyncManager
{
  GObject          parent_instance;

  CpStore         *store;
  char            *account_base;   /* nullable: every account then shares @store */
  GSettings       *settings;
  char            *override_url;
  char            *server_url;
  CpCredentials   *credentials;
  CpSyncClient    *client;
  CpSyncEngine    *engine;
  char            *user;
  char            *role;
  char            *district;
  gboolean         session_only;
  char            *session_only_reason;

  CpSyncManagerStatus     status;
  char            *message;
  guint            n_pending;
  guint            n_conflicts;
  guint            n_quarantined;
  GDateTime       *last_sync;
  guint64          blob_sent;
  guint64          blob_total;

  GCancellable    *sync_cancellable;
  GCancellable    *cancellable;        /* everything else; cancelled in dispose */
  gboolean         sync_again;
  guint            timer_id;
  gulong           network_id;
  guint            counts_generation;
};

G_DEFINE_FINAL_TYPE (CpSyncManager, cp_sync_manager, G_TYPE_OBJECT)

enum {
  CHANGED,
  PACKETS_CHANGED,
  STORE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
cp_sync_manager_changed (CpSyncManager *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
cp_sync_manager_set_status (CpSyncManager *self,
                            CpSyncManagerStatus   status,
                            const char    *message)
{
  self->status = status;
  g_free (self->message);
  self->message = g_strdup (message);
  cp_sync_manager_changed (self);
}

/* SYNCED or PENDING from the counts, for when nothing else is to be said. */
static void
cp_sync_manager_set_idle (CpSyncManager *self)
{
  if (self->n_pending > 0)
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_PENDING, NULL);
  else
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_SYNCED, NULL);
}

static gboolean
network_available (void)
{
  return g_network_monitor_get_network_available (g_network_monitor_get_default ());
}

/* Counting. */

typedef struct
{
  guint pending, conflicts, quarantined;
} Counts;

static void
counts_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpStore *store = task_data;
  g_autoptr(GPtrArray) summaries = NULL;
  GError *error = NULL;
  Counts *counts;

  summaries = cp_store_list_packets (store, &error);
  if (summaries == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  counts = g_new0 (Counts, 1);
  for (guint i = 0; i < summaries->len; i++)
    {
      const CpPacketSummary *summary = g_ptr_array_index (summaries, i);

      if (summary->sync_state == CP_STORE_SYNC_PENDING)
        counts->pending++;
      else if (summary->sync_state == CP_STORE_SYNC_CONFLICT)
        counts->conflicts++;
      else if (summary->sync_state == CP_STORE_SYNC_QUARANTINED)
        counts->quarantined++;
    }
  g_task_return_pointer (task, counts, g_free);
}

static void
counts_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CpSyncManager *self = CP_SYNC_MANAGER (object);
  g_autofree Counts *counts = NULL;
  g_autoptr(GError) error = NULL;

  counts = g_task_propagate_pointer (G_TASK (result), &error);
  if (counts == NULL || GPOINTER_TO_UINT (user_data) != self->counts_generation)
    return;
  self->n_pending = counts->pending;
  self->n_conflicts = counts->conflicts;
  self->n_quarantined = counts->quarantined;
  if (self->status == CP_SYNC_STATUS_SYNCED || self->status == CP_SYNC_STATUS_PENDING)
    cp_sync_manager_set_idle (self);
  else
    cp_sync_manager_changed (self);
}

void
cp_sync_manager_refresh_counts (CpSyncManager *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));

  task = g_task_new (self, self->cancellable, counts_done_cb,
                     GUINT_TO_POINTER (++self->counts_generation));
  g_task_set_source_tag (task, cp_sync_manager_refresh_counts);
  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, counts_thread);
}

/* Syncing. */

static void
blob_progress_cb (CpSyncEngine  *engine,
                  guint64        sent,
                  guint64        total,
                  CpSyncManager *self)
{
  self->blob_sent = sent;
  self->blob_total = total;
  cp_sync_manager_changed (self);
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CpSyncManager) self = user_data;
  g_autoptr(GError) error = NULL;
  CpSyncStats stats;

  g_clear_object (&self->sync_cancellable);
  self->blob_sent = self->blob_total = 0;

  if (cp_sync_engine_sync_finish (CP_SYNC_ENGINE (object), result, &stats, &error))
    {
      g_clear_pointer (&self->last_sync, g_date_time_unref);
      self->last_sync = g_date_time_new_now_local ();
      /* SYNCED or PENDING once the counts are in. */
      self->status = CP_SYNC_STATUS_SYNCED;
      g_debug ("sync: %u pushed, %u pulled, %u merged, %u conflicts, %u requests",
               stats.pushed, stats.pulled, stats.merged, stats.conflicts, stats.requests);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->status = CP_SYNC_STATUS_SYNCED;
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_OFFLINE, error->message);
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_NEEDS_LOGIN,
                                _("Your session has ended. Log in again to continue syncing; "
                                  "your changes are kept."));
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_BUSY))
    self->status = CP_SYNC_STATUS_SYNCED;
  else
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_ERROR, error->message);

  cp_sync_manager_refresh_counts (self);

  /* Queued changes go out first: listeners of ::packets-changed see SYNCING then. */
  if (self->sync_again && self->engine != NULL)
    {
      self->sync_again = FALSE;
      cp_sync_manager_sync (self);
    }
  g_signal_emit (self, signals[PACKETS_CHANGED], 0);
}

void
cp_sync_manager_sync (CpSyncManager *self)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));

  if (self->engine == NULL || self->status == CP_SYNC_STATUS_NEEDS_LOGIN)
    return;
  if (self->sync_cancellable != NULL)
    {
      /* Changes made during a sync go out in the next one. */
      self->sync_again = TRUE;
      return;
    }
  if (!network_available ())
    {
      cp_sync_manager_set_status (self, CP_SYNC_STATUS_OFFLINE,
                                  _("This computer is not connected to a network."));
      return;
    }
  self->sync_cancellable = g_cancellable_new ();
  cp_sync_manager_set_status (self, CP_SYNC_STATUS_SYNCING, NULL);
  cp_sync_engine_sync_async (self->engine, self->sync_cancellable, sync_done_cb,
                             g_object_ref (self));
}

void
cp_sync_manager_cancel (CpSyncManager *self)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));

  self->sync_again = FALSE;
  if (self->sync_cancellable != NULL)
    g_cancellable_cancel (self->sync_cancellable);
}

static gboolean
timer_cb (gpointer user_data)
{
  cp_sync_manager_sync (user_data);
  return G_SOURCE_CONTINUE;
}

static void
cp_sync_manager_restart_timer (CpSyncManager *self)
{
  int minutes = 5;

  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->settings != NULL)
    minutes = g_settings_get_int (self->settings, "sync-interval-minutes");
  self->timer_id = g_timeout_add_seconds (MAX (minutes, 1) * 60, timer_cb, self);
}

static void
network_changed_cb (GNetworkMonitor *monitor,
                    gboolean         available,
                    CpSyncManager   *self)
{
  if (self->engine == NULL)
    return;
  if (available)
    {
      if (self->status == CP_SYNC_STATUS_OFFLINE)
        cp_sync_manager_set_idle (self);
      cp_sync_manager_sync (self);
    }
  else if (self->sync_cancellable == NULL)
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_OFFLINE,
                                _("This computer is not connected to a network."));
}

static void
interval_changed_cb (GSettings     *settings,
                     const char    *key,
                     CpSyncManager *self)
{
  cp_sync_manager_restart_timer (self);
}

/* Accounts.
 *
 * The server and user strings given to cp-credentials are interned: its keyring calls read
 * them after the call returns (libsecret keeps the attribute table, not copies of the
 * strings), so they must outlive any string the manager frees on a new login. */

static void
cp_sync_manager_drop_session (CpSyncManager *self)
{
  cp_sync_manager_cancel (self);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->district, g_free);
  self->session_only = FALSE;
  g_clear_pointer (&self->session_only_reason, g_free);
}

/* The account of this session has a store of its own: switch to it when it is not the one in
 * use (another user logged in), so that the previous account's packets are neither shown nor
 * sent as this one's. */
static void
cp_sync_manager_use_account_store (CpSyncManager *self)
{
  g_autofree char *dir = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (self->account_base == NULL || self->server_url == NULL || self->user == NULL)
    return;
  dir = cp_sync_engine_dup_account_directory (self->account_base,
                                              cp_sync_client_get_base_url (self->client),
                                              self->user, &error);
  if (dir == NULL)
    {
      g_message ("The account's folder is not known: %s", error->message);
      return;
    }
  if (g_strcmp0 (dir, cp_store_get_directory (self->store)) == 0)
    return;
  store = cp_store_new (dir, &error);
  if (store == NULL)
    {
      g_message ("The store of %s cannot be opened: %s", self->user, error->message);
      return;
    }
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_set_object (&self->store, store);
  g_signal_emit (self, signals[STORE_CHANGED], 0);
}

static void
cp_sync_manager_start_session (CpSyncManager *self,
                               JsonNode      *user_node)
{
  JsonObject *object = user_node != NULL && JSON_NODE_HOLDS_OBJECT (user_node)
                       ? json_node_get_object (user_node) : NULL;

  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->district, g_free);
  if (object != NULL)
    {
      const char *name = json_object_get_string_member_with_default (object, "name", NULL);
      const char *role = json_object_get_string_member_with_default (object, "role", NULL);

      self->district = g_strdup (json_object_get_string_member_with_default (object, "district",
                                                                             NULL));

      if (name != NULL)
        {
          g_free (self->user);
          self->user = g_strdup (name);
          cp_sync_client_set_user (self->client, name);
        }
      self->role = g_strdup (role);
    }
  cp_sync_manager_use_account_store (self);
  if (self->engine == NULL)
    {
      self->engine = cp_sync_engine_new (self->store, self->client);
      g_signal_connect (self->engine, "blob-progress", G_CALLBACK (blob_progress_cb), self);
    }
  self->status = CP_SYNC_STATUS_SYNCED;
  cp_sync_manager_restart_timer (self);
  cp_sync_manager_refresh_counts (self);
  cp_sync_manager_sync (self);
}

static CpSyncClient *
make_client (const char  *url,
             GError     **error)
{
  CpSyncClient *client = cp_sync_client_new (url, error);

  if (client != NULL)
    {
      /* A background sync that cannot reach the server gives up quickly; the timer and the
       * network monitor try again later. */
      cp_sync_client_set_retry_policy (client, 3, 500, 4000);
      cp_sync_client_set_timeout (client, 20);
    }
  return client;
}

typedef struct
{
  char     *user;
  JsonNode *user_node;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_free (data->user);
  g_clear_pointer (&data->user_node, json_node_unref);
  g_free (data);
}

/* What the user is told when the keyring could not keep the login (@error from
 * cp-credentials): that the password will not be remembered, why, and for how long the login
 * lasts. */
static char *
session_only_reason (const GError *error)
{
  if (g_error_matches (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE))
    return g_strdup (_("Your password will not be remembered: no keyring (secret service) is "
                       "running on this computer. You stay logged in for this session only, "
                       "until you quit Credit Packet."));
  if (g_error_matches (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_LOCKED))
    return g_strdup (_("Your password will not be remembered: your keyring is locked. You stay "
                       "logged in for this session only, until you quit Credit Packet. Unlock "
                       "the keyring to be remembered next time."));
  if (g_error_matches (error, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_TIMED_OUT))
    return g_strdup (_("Your password will not be remembered: the keyring did not answer in "
                       "time. You stay logged in for this session only, until you quit Credit "
                       "Packet."));
  return g_strdup (_("Your password will not be remembered: the keyring could not store it. "
                     "You stay logged in for this session only, until you quit Credit "
                     "Packet."));
}

static void
login_stored_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* The token is in memory whatever happened; say when it is only there, and why. */
  self->session_only = !cp_credentials_store_finish (CP_CREDENTIALS (object), result, &error);
  g_clear_pointer (&self->session_only_reason, g_free);
  if (self->session_only)
    {
      g_debug ("The token is kept in memory only: %s", error->message);
      self->session_only_reason = session_only_reason (error);
    }
  cp_sync_manager_start_session (self, data->user_node);
  g_task_return_boolean (task, TRUE);
}

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  LoginData *data = g_task_get_task_data (task);
  g_autofree char *token = NULL;
  GError *error = NULL;

  data->user_node = cp_sync_client_login_finish (CP_SYNC_CLIENT (object), result, &error);
  if (data->user_node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_free (self->user);
  self->user = g_strdup (data->user);
  token = cp_sync_client_dup_token (self->client);
  cp_credentials_store_async (self->credentials, g_intern_string (self->server_url),
                              g_intern_string (data->user), token,
                              g_task_get_cancellable (task), login_stored_cb,
                              g_object_ref (task));
}

void
cp_sync_manager_login_async (CpSyncManager       *self,
                             const char          *server_url,
                             const char          *user,
                             const char          *password,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(CpSyncClient) client = NULL;
  GError *error = NULL;
  LoginData *data;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (server_url != NULL && user != NULL && password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_login_async);

  client = make_client (server_url, &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* A new address or account starts a new session; the same one (the session expired) keeps
   * the engine and its outbox. */
  if (g_strcmp0 (server_url, self->server_url) != 0 || g_strcmp0 (user, self->user) != 0 ||
      self->client == NULL)
    {
      cp_sync_manager_drop_session (self);
      g_set_object (&self->client, client);
      g_free (self->server_url);
      self->server_url = g_strdup (cp_sync_client_get_base_url (client));
      if (self->settings != NULL && g_strcmp0 (server_url, self->override_url) != 0)
        g_settings_set_string (self->settings, "server-url", server_url);
      if (self->status == CP_SYNC_STATUS_NEEDS_LOGIN)
        self->status = CP_SYNC_STATUS_LOGGED_OUT;
    }
  /* The same account whose session ended stays NEEDS_LOGIN until the server takes the
   * password: a wrong one must not look like a working session. */
  if (self->status == CP_SYNC_STATUS_DISABLED)
    self->status = CP_SYNC_STATUS_LOGGED_OUT;

  data = g_new0 (LoginData, 1);
  data->user = g_strdup (user);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  cp_sync_client_login_async (self->client, user, password, cancellable, login_done_cb,
                              g_object_ref (task));
}

gboolean
cp_sync_manager_login_finish (CpSyncManager  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_manager_login_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
logout_cleared_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The memory copy is gone in any case; a keyring that cannot be reached keeps nothing. */
  if (!cp_credentials_clear_finish (CP_CREDENTIALS (object), result, &error))
    g_debug ("Forgetting the token in the keyring failed: %s", error->message);
  g_task_return_boolean (task, TRUE);
}

static void
logout_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!cp_sync_client_logout_finish (CP_SYNC_CLIENT (object), result, &error))
    g_debug ("Logging out on the server failed: %s", error->message);
  if (g_task_get_task_data (task) == NULL || self->server_url == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  cp_credentials_clear_async (self->credentials, g_intern_string (self->server_url),
                              g_intern_string (g_task_get_task_data (task)),
                              NULL, logout_cleared_cb, g_object_ref (task));
}

void
cp_sync_manager_logout_async (CpSyncManager       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_logout_async);
  g_task_set_task_data (task, g_strdup (self->user), g_free);

  cp_sync_manager_drop_session (self);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  cp_sync_manager_set_status (self, self->server_url != NULL ? CP_SYNC_STATUS_LOGGED_OUT
                                                             : CP_SYNC_STATUS_DISABLED, NULL);
  if (self->client == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  cp_sync_client_logout_async (self->client, NULL, logout_done_cb, g_object_ref (task));
}

gboolean
cp_sync_manager_logout_finish (CpSyncManager  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Requests. */

typedef struct
{
  char     *method;
  char     *path;
  GBytes   *body;
  guint     status;
} Request;

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->path);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

static void
request_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CpSyncManager *self = source_object;
  Request *request = task_data;
  g_autoptr(CpSyncReply) reply = NULL;
  GError *error = NULL;

  reply = cp_sync_client_request (self->client, request->method, request->path, NULL,
                                  request->body, request->body != NULL ? "application/json" : NULL,
                                  NULL, NULL, cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  request->status = reply->status;
  g_task_return_pointer (task, reply->json != NULL ? json_node_ref (reply->json) : NULL,
                         (GDestroyNotify) json_node_unref);
}

void
cp_sync_manager_request_async (CpSyncManager       *self,
                               const char          *method,
                               const char          *path,
                               JsonNode            *body,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Request *request;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (method != NULL && path != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_request_async);
  if (self->client == NULL || self->engine == NULL)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                               _("Log in to the server first."));
      return;
    }
  request = g_new0 (Request, 1);
  request->method = g_strdup (method);
  request->path = g_strdup (path);
  if (body != NULL)
    {
      char *text = json_to_string (body, FALSE);

      request->body = g_bytes_new_take (text, strlen (text));
    }
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  g_task_run_in_thread (task, request_thread);
}

JsonNode *
cp_sync_manager_request_finish (CpSyncManager  *self,
                                GAsyncResult   *result,
                                guint          *status,
                                GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  Request *request;
  JsonNode *node;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_manager_request_async,
                        NULL);

  request = g_task_get_task_data (G_TASK (result));
  node = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (status != NULL)
    *status = request != NULL ? request->status : 0;
  if (local_error != NULL)
    {
      if (g_error_matches (local_error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN) &&
          self->engine != NULL)
        cp_sync_manager_set_status (self, CP_SYNC_STATUS_NEEDS_LOGIN,
                                    _("Your session has ended. Log in again to continue "
                                      "syncing; your changes are kept."));
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return node;
}

char *
cp_sync_problem_detail (JsonNode *problem)
{
  JsonObject *object;
  const char *text;

  if (problem == NULL || !JSON_NODE_HOLDS_OBJECT (problem))
    return NULL;
  object = json_node_get_object (problem);
  text = json_object_get_string_member_with_default (object, "detail", NULL);
  if (text == NULL)
    text = json_object_get_string_member_with_default (object, "title", NULL);
  return g_strdup (text);
}

/* Restoring a session. */

static void
restore_session_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CpSyncManager *self = CP_SYNC_MANAGER (object);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  guint status = 0;

  node = cp_sync_manager_request_finish (self, result, &status, &error);
  if (error != NULL)
    {
      if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN))
        {
          cp_sync_manager_drop_session (self);
          cp_sync_manager_set_status (self, CP_SYNC_STATUS_NEEDS_LOGIN,
                                      _("Your session has ended. Log in again to continue "
                                        "syncing; your changes are kept."));
        }
      else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        /* Offline at start: work with the token and try again later. */
        cp_sync_manager_start_session (self, NULL);
      return;
    }
  if (status == 200)
    cp_sync_manager_start_session (self, node);
}

static void
restore_lookup_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CpSyncManager) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *last_user = NULL;

  token = cp_credentials_lookup_finish (CP_CREDENTIALS (object), result, &error);
  if (token == NULL || self->client == NULL)
    {
      if (error != NULL)
        g_debug ("No token from the keyring: %s", error->message);
      return;
    }
  cp_sync_client_set_token (self->client, token);
  /* Who the token belongs to, as far as this computer knows: kept when the server cannot be
   * reached (the sync cursor belongs to that user), and named when the password is asked
   * again because the server no longer takes the token. */
  last_user = cp_sync_engine_dup_last_user (self->store,
                                            cp_sync_client_get_base_url (self->client));
  if (last_user != NULL)
    {
      g_free (self->user);
      self->user = g_strdup (last_user);
      cp_sync_client_set_user (self->client, last_user);
    }
  /* Needed by request_async; the session check says whether the token is still good. */
  self->engine = cp_sync_engine_new (self->store, self->client);
  g_signal_connect (self->engine, "blob-progress", G_CALLBACK (blob_progress_cb), self);
  cp_sync_manager_request_async (self, "GET", "/api/v1/session", NULL, self->cancellable,
                                 restore_session_cb, NULL);
}

void
cp_sync_manager_restore (CpSyncManager *self)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));

  if (self->client == NULL || self->engine != NULL)
    return;
  cp_credentials_lookup_async (self->credentials, g_intern_string (self->server_url), NULL,
                               self->cancellable,
                               restore_lookup_cb, g_object_ref (self));
}

/* GObject. */

static void
cp_sync_manager_dispose (GObject *object)
{
  CpSyncManager *self = CP_SYNC_MANAGER (object);

  g_cancellable_cancel (self->cancellable);
  cp_sync_manager_cancel (self);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->network_id != 0)
    g_clear_signal_handler (&self->network_id, g_network_monitor_get_default ());
  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  g_clear_object (&self->engine);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (cp_sync_manager_parent_class)->dispose (object);
}

static void
cp_sync_manager_finalize (GObject *object)
{
  CpSyncManager *self = CP_SYNC_MANAGER (object);

  g_clear_object (&self->store);
  g_free (self->account_base);
  g_clear_object (&self->settings);
  g_clear_object (&self->credentials);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->sync_cancellable);
  g_clear_pointer (&self->last_sync, g_date_time_unref);
  g_free (self->override_url);
  g_free (self->server_url);
  g_free (self->user);
  g_free (self->role);
  g_free (self->district);
  g_free (self->session_only_reason);
  g_free (self->message);

  G_OBJECT_CLASS (cp_sync_manager_parent_class)->finalize (object);
}

static void
cp_sync_manager_class_init (CpSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_sync_manager_dispose;
  object_class->finalize = cp_sync_manager_finalize;

  /**
   * CpSyncManager::changed:
   *
   * The status, the counts, the account or the upload progress changed.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * CpSyncManager::packets-changed:
   *
   * A sync ended: packets in the store may have changed (pulled, merged, states).
   */
  signals[PACKETS_CHANGED] = g_signal_new ("packets-changed", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  /**
   * CpSyncManager::store-changed:
   *
   * Another account logged in, and its own store is in use now (cp_sync_manager_get_store()).
   */
  signals[STORE_CHANGED] = g_signal_new ("store-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
}

static void
cp_sync_manager_init (CpSyncManager *self)
{
  self->cancellable = g_cancellable_new ();
  self->credentials = cp_credentials_new ();
}

CpSyncManager *
cp_sync_manager_new (CpStore    *store,
                     GSettings  *settings,
                     const char *server_url)
{
  CpSyncManager *self;
  g_autofree char *url = NULL;

  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (settings == NULL || G_IS_SETTINGS (settings), NULL);

  self = g_object_new (CP_TYPE_SYNC_MANAGER, NULL);
  self->store = g_object_ref (store);
  self->settings = settings != NULL ? g_object_ref (settings) : NULL;
  self->override_url = g_strdup (server_url != NULL && *server_url ? server_url : NULL);

  if (self->override_url != NULL)
    url = g_strdup (self->override_url);
  else if (settings != NULL)
    url = g_settings_get_string (settings, "server-url");

  self->status = CP_SYNC_STATUS_DISABLED;
  if (url != NULL && *url)
    {
      g_autoptr(GError) error = NULL;

      self->server_url = g_strdup (url);
      self->client = make_client (url, &error);
      if (self->client == NULL)
        {
          self->status = CP_SYNC_STATUS_ERROR;
          self->message = g_strdup (error->message);
        }
      else
        self->status = CP_SYNC_STATUS_LOGGED_OUT;
    }

  if (settings != NULL)
    g_signal_connect (settings, "changed::sync-interval-minutes",
                      G_CALLBACK (interval_changed_cb), self);
  self->network_id = g_signal_connect (g_network_monitor_get_default (), "network-changed",
                                       G_CALLBACK (network_changed_cb), self);
  cp_sync_manager_refresh_counts (self);
  return self;
}

void
cp_sync_manager_set_account_base (CpSyncManager *self,
                                  const char    *base_dir)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_free (self->account_base);
  self->account_base = g_strdup (base_dir);
}

CpStore *
cp_sync_manager_get_store (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->store;
}

CpSyncManagerStatus
cp_sync_manager_get_status (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), CP_SYNC_STATUS_DISABLED);
  return self->status;
}

const char *
cp_sync_manager_get_message (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->message;
}

guint
cp_sync_manager_get_n_pending (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), 0);
  return self->n_pending;
}

guint
cp_sync_manager_get_n_conflicts (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), 0);
  return self->n_conflicts;
}

guint
cp_sync_manager_get_n_quarantined (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), 0);
  return self->n_quarantined;
}

GDateTime *
cp_sync_manager_get_last_sync (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->last_sync;
}

void
cp_sync_manager_get_blob_progress (CpSyncManager *self,
                                   guint64       *sent,
                                   guint64       *total)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  if (sent != NULL)
    *sent = self->blob_sent;
  if (total != NULL)
    *total = self->blob_total;
}

const char *
cp_sync_manager_get_server_url (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->server_url;
}

const char *
cp_sync_manager_get_user (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->user;
}

const char *
cp_sync_manager_get_role (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->role;
}

const char *
cp_sync_manager_get_district (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->district;
}

gboolean
cp_sync_manager_is_logged_in (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), FALSE);
  return self->engine != NULL && self->status != CP_SYNC_STATUS_NEEDS_LOGIN;
}

gboolean
cp_sync_manager_is_session_only (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), FALSE);
  return self->session_only;
}

const char *
cp_sync_manager_get_session_only_reason (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->session_only ? self->session_only_reason : NULL;
}

CpCredentials *
cp_sync_manager_get_credentials (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->credentials;
}

CpSyncEngine *
cp_sync_manager_get_engine (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->engine;
}
