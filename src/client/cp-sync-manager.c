/* cp-sync-manager.c — the application's one door to the server: account, sync, workflow
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One per application, and the only object of it that reaches the server. It owns the HTTP
 * client and the sync engine of the logged-in account, keeps the token through CpCredentials,
 * decides when to sync (on demand, when the network comes back, every sync-interval-minutes),
 * sums up the outcome in its properties for the header bar, and offers the workflow typed:
 * submit, accept, return, revisions, comments, progress. Every network and disk step runs in a
 * worker thread or asynchronously: nothing here blocks the main loop.
 */
#include "config.h"

#include "cp-sync-manager.h"
#include "cp-sync-manager-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-client-enums.h"
#include "cp-revision.h"
#include "cp-sync-client-private.h"
#include "cp-template-registry.h"
#include "cp-workflow.h"

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
  char            *agency_name;   /* an agency user's agency, as the server names it */
  char            *agency_uscc;
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

  GCancellable    *sync_cancellable;   /* of the running sync or submission */
  GQueue           submits;            /* GTask *: submissions and transitions waiting for
                                        * the sync to end */
  GCancellable    *cancellable;        /* everything else; cancelled in dispose */
  gboolean         sync_again;
  guint            timer_id;
  gulong           network_id;
  guint            counts_generation;

  /* What the properties said when they were last notified. */
  struct
  {
    CpSyncManagerStatus status;
    char               *message;
    guint               n_pending, n_conflicts, n_quarantined;
    gboolean            logged_in;
    char               *role;
    char               *user;
    char               *agency_name;
    char               *agency_uscc;
    char               *server_url;
    char               *session_only_reason;
    GDateTime          *last_sync;
    guint64             blob_sent, blob_total;
  } shown;
};

enum {
  PROP_0,
  PROP_STATUS,
  PROP_MESSAGE,
  PROP_N_PENDING,
  PROP_N_CONFLICTS,
  PROP_N_QUARANTINED,
  PROP_LOGGED_IN,
  PROP_ROLE,
  PROP_USER,
  PROP_AGENCY_NAME,
  PROP_AGENCY_USCC,
  PROP_SERVER_URL,
  PROP_SESSION_ONLY_REASON,
  PROP_LAST_SYNC,
  PROP_BLOB_SENT,
  PROP_BLOB_TOTAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  PACKETS_CHANGED,
  STORE_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpSyncManager, cp_sync_manager, G_TYPE_OBJECT)

static void cp_sync_manager_run_next (CpSyncManager *self);
static void cp_sync_manager_start_transition (CpSyncManager *self,
                                              GTask         *task);

static void
notify_string (CpSyncManager  *self,
               char          **shown,
               const char     *now,
               guint           prop_id)
{
  if (g_strcmp0 (*shown, now) == 0)
    return;
  g_free (*shown);
  *shown = g_strdup (now);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

#define NOTIFY_VALUE(self, field, now, prop_id) \
  G_STMT_START { \
    if ((self)->shown.field != (now)) \
      { \
        (self)->shown.field = (now); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]); \
      } \
  } G_STMT_END

/* The state settled (a sync step, the counts, an account change): every property whose value
 * is not the one last notified is notified now, together. */
static void
cp_sync_manager_changed (CpSyncManager *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  NOTIFY_VALUE (self, status, self->status, PROP_STATUS);
  notify_string (self, &self->shown.message, self->message, PROP_MESSAGE);
  NOTIFY_VALUE (self, n_pending, self->n_pending, PROP_N_PENDING);
  NOTIFY_VALUE (self, n_conflicts, self->n_conflicts, PROP_N_CONFLICTS);
  NOTIFY_VALUE (self, n_quarantined, self->n_quarantined, PROP_N_QUARANTINED);
  NOTIFY_VALUE (self, logged_in, cp_sync_manager_is_logged_in (self), PROP_LOGGED_IN);
  notify_string (self, &self->shown.role, self->role, PROP_ROLE);
  notify_string (self, &self->shown.user, self->user, PROP_USER);
  notify_string (self, &self->shown.agency_name, self->agency_name, PROP_AGENCY_NAME);
  notify_string (self, &self->shown.agency_uscc, self->agency_uscc, PROP_AGENCY_USCC);
  notify_string (self, &self->shown.server_url, self->server_url, PROP_SERVER_URL);
  notify_string (self, &self->shown.session_only_reason,
                 cp_sync_manager_get_session_only_reason (self), PROP_SESSION_ONLY_REASON);
  if (self->shown.last_sync != self->last_sync)
    {
      g_clear_pointer (&self->shown.last_sync, g_date_time_unref);
      self->shown.last_sync = self->last_sync != NULL ? g_date_time_ref (self->last_sync) : NULL;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNC]);
    }
  NOTIFY_VALUE (self, blob_sent, self->blob_sent, PROP_BLOB_SENT);
  NOTIFY_VALUE (self, blob_total, self->blob_total, PROP_BLOB_TOTAL);
  g_object_thaw_notify (G_OBJECT (self));
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

  /* Queued submissions and changes go out first: listeners of ::packets-changed see SYNCING
   * then. */
  cp_sync_manager_run_next (self);
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
  g_clear_pointer (&self->agency_name, g_free);
  g_clear_pointer (&self->agency_uscc, g_free);
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
  g_clear_pointer (&self->agency_name, g_free);
  g_clear_pointer (&self->agency_uscc, g_free);
  if (object != NULL)
    {
      const char *name = json_object_get_string_member_with_default (object, "name", NULL);
      const char *role = json_object_get_string_member_with_default (object, "role", NULL);

      self->district = g_strdup (json_object_get_string_member_with_default (object, "district",
                                                                             NULL));
      self->agency_name = g_strdup (json_object_get_string_member_with_default (object,
                                                                                "agency_name",
                                                                                NULL));
      self->agency_uscc = g_strdup (json_object_get_string_member_with_default (object,
                                                                                "agency_uscc",
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

/* Requests of the facade.
 *
 * Each one is a request in a worker thread on the session's client; the thread reads the
 * reply into what the caller gets (a list of revisions, comments, the session's user), so
 * that nothing above this object sees a status code or a JSON reply. */

typedef enum
{
  CALL_SESSION,     /* GET /session: the user object, or NULL when the server said no */
  CALL_WORKFLOW,    /* POST …/accept or …/return: TRUE */
  CALL_REVISIONS,   /* GET …/revisions: a GListModel of CpRevision */
  CALL_COMMENTS,    /* GET …/comments: a GPtrArray of CpComment */
} CallKind;

typedef struct
{
  CallKind  kind;
  char     *method;
  char     *uuid;
  char     *path;
  GBytes   *body;
} Call;

static void
call_free (Call *call)
{
  g_free (call->method);
  g_free (call->uuid);
  g_free (call->path);
  g_clear_pointer (&call->body, g_bytes_unref);
  g_free (call);
}

/* The message of a problem document ("detail", else "title"), or NULL. */
static const char *
reply_problem_detail (CpSyncReply *reply)
{
  JsonObject *object;
  const char *text;

  if (reply->detail != NULL)
    return reply->detail;
  if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json))
    return NULL;
  object = json_node_get_object (reply->json);
  text = json_object_get_string_member_with_default (object, "detail", NULL);
  if (text == NULL)
    text = json_object_get_string_member_with_default (object, "title", NULL);
  return text;
}

static GListModel *
revisions_from_reply (CpSyncReply  *reply,
                      GError      **error)
{
  g_autoptr(GListStore) store = g_list_store_new (CP_TYPE_REVISION);
  JsonNode *list = NULL;

  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
    list = json_object_get_member (json_node_get_object (reply->json), "revisions");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                   _("The history could not be read from the server. Try again later."));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      g_autoptr(CpRevision) revision =
        cp_revision_new_from_json (json_array_get_element (json_node_get_array (list), i));

      if (revision != NULL)
        g_list_store_append (store, revision);
    }
  return G_LIST_MODEL (g_steal_pointer (&store));
}

static void
call_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CpSyncManager *self = source_object;
  Call *call = task_data;
  g_autoptr(CpSyncReply) reply = NULL;
  GError *error = NULL;

  reply = cp_sync_client_request (self->client, call->method, call->path,
                                  NULL, call->body,
                                  call->body != NULL ? "application/json" : NULL,
                                  NULL, NULL, cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  switch (call->kind)
    {
    case CALL_SESSION:
      g_task_return_pointer (task,
                             reply->status == 200 && reply->json != NULL
                             ? json_node_ref (reply->json) : NULL,
                             (GDestroyNotify) json_node_unref);
      return;

    case CALL_WORKFLOW:
      if (reply->status == 200)
        g_task_return_boolean (task, TRUE);
      else
        {
          const char *detail = reply_problem_detail (reply);

          g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                                   _("The server did not accept this: %s"),
                                   detail != NULL ? detail : _("it gave no reason."));
        }
      return;

    case CALL_REVISIONS:
      if (reply->status == 404)
        g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NOT_FOUND, "%s",
                                 _("The server has no version of this packet yet. It is sent "
                                   "with the next sync."));
      else if (reply->status != 200)
        g_task_return_error (task, cp_sync_reply_to_error (reply));
      else
        {
          GListModel *revisions = revisions_from_reply (reply, &error);

          if (revisions == NULL)
            g_task_return_error (task, error);
          else
            g_task_return_pointer (task, revisions, g_object_unref);
        }
      return;

    case CALL_COMMENTS:
      {
        GPtrArray *comments = reply->status == 200
                              ? cp_comment_list_from_json (reply->json, call->uuid) : NULL;

        if (comments != NULL)
          g_task_return_pointer (task, comments, (GDestroyNotify) g_ptr_array_unref);
        else if (reply->status != 200)
          g_task_return_error (task, cp_sync_reply_to_error (reply));
        else
          g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                                   _("The server's comments on this packet could not be "
                                     "read."));
      }
      return;

    default:
      g_assert_not_reached ();
    }
}

/* Fails @task with NEEDS_LOGIN when nobody is logged in; TRUE then. */
static gboolean
cp_sync_manager_fail_logged_out (CpSyncManager *self,
                                 GTask         *task)
{
  if (self->client != NULL && self->engine != NULL)
    return FALSE;
  g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                           _("Log in to the server first."));
  return TRUE;
}

/* Starts @call (taken) for @task, or fails it when nobody is logged in. */
static void
cp_sync_manager_start_call (CpSyncManager *self,
                            GTask         *task,
                            Call          *call)
{
  if (cp_sync_manager_fail_logged_out (self, task))
    {
      call_free (call);
      return;
    }
  g_task_set_task_data (task, call, (GDestroyNotify) call_free);
  g_task_run_in_thread (task, call_thread);
}

static Call *
call_new (CallKind    kind,
          const char *uuid,
          const char *what)
{
  Call *call = g_new0 (Call, 1);

  call->kind = kind;
  call->method = g_strdup (kind == CALL_WORKFLOW ? "POST" : "GET");
  call->uuid = g_strdup (uuid);
  call->path = uuid != NULL ? g_strdup_printf ("/api/v1/packets/%s/%s", uuid, what)
                            : g_strdup (what);
  return call;
}

/* A session that ended shows in the status: the password is asked again. */
static void
cp_sync_manager_check_error (CpSyncManager *self,
                             const GError  *error)
{
  if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN) && self->engine != NULL)
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_NEEDS_LOGIN,
                                _("Your session has ended. Log in again to continue "
                                  "syncing; your changes are kept."));
}

static gpointer
cp_sync_manager_call_finish (CpSyncManager  *self,
                             GAsyncResult   *result,
                             gpointer        source_tag,
                             GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  gpointer value;

  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  value = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      cp_sync_manager_check_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return value;
}

/* Submitting. */

typedef struct
{
  char      *uuid;
  GPtrArray *findings;
  gulong     cancel_id;
} Submit;

static void
submit_free (Submit *submit)
{
  g_free (submit->uuid);
  g_clear_pointer (&submit->findings, g_ptr_array_unref);
  g_free (submit);
}

static void
submit_cancelled_cb (GCancellable *cancellable,
                     GCancellable *run_cancellable)
{
  g_cancellable_cancel (run_cancellable);
}

static void
submit_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  Submit *submit = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = cp_sync_engine_submit_finish (CP_SYNC_ENGINE (object), result, &submit->findings,
                                     &error);
  g_cancellable_disconnect (g_task_get_cancellable (task), submit->cancel_id);
  g_clear_object (&self->sync_cancellable);
  if (error == NULL || g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->status = CP_SYNC_STATUS_SYNCED;   /* SYNCED or PENDING once the counts are in */
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_OFFLINE, error->message);
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_NEEDS_LOGIN,
                                _("Your session has ended. Log in again to continue syncing; "
                                  "your changes are kept."));
  else
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_ERROR, error->message);
  cp_sync_manager_refresh_counts (self);
  cp_sync_manager_run_next (self);
  g_signal_emit (self, signals[PACKETS_CHANGED], 0);

  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

/* Starts the submission of @task (taken); nothing else runs. */
static void
cp_sync_manager_start_submit (CpSyncManager *self,
                              GTask         *task)
{
  Submit *submit = g_task_get_task_data (task);

  g_assert (self->sync_cancellable == NULL);

  if (self->engine == NULL)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                               _("Log in to the server first."));
      g_object_unref (task);
      return;
    }
  self->sync_cancellable = g_cancellable_new ();
  if (g_task_get_cancellable (task) != NULL)
    submit->cancel_id = g_cancellable_connect (g_task_get_cancellable (task),
                                               G_CALLBACK (submit_cancelled_cb),
                                               self->sync_cancellable, NULL);
  cp_sync_manager_set_status (self, CP_SYNC_STATUS_SYNCING, NULL);
  cp_sync_engine_submit_async (self->engine, submit->uuid, self->sync_cancellable,
                               submit_done_cb, task);
}

/* After a sync or a submission: what waits goes next, submissions first. */
static void
cp_sync_manager_run_next (CpSyncManager *self)
{
  GTask *queued = g_queue_pop_head (&self->submits);

  if (queued != NULL && g_task_get_source_tag (queued) == cp_sync_manager_transition_async)
    cp_sync_manager_start_transition (self, queued);
  else if (queued != NULL)
    cp_sync_manager_start_submit (self, queued);
  else if (self->sync_again && self->engine != NULL)
    {
      self->sync_again = FALSE;
      cp_sync_manager_sync (self);
    }
}

void
cp_sync_manager_submit_async (CpSyncManager       *self,
                              const char          *uuid,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  Submit *submit;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_submit_async);
  submit = g_new0 (Submit, 1);
  submit->uuid = g_strdup (uuid);
  g_task_set_task_data (task, submit, (GDestroyNotify) submit_free);
  if (self->engine == NULL || self->status == CP_SYNC_STATUS_NEEDS_LOGIN)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                               _("Log in to the server first."));
      g_object_unref (task);
      return;
    }
  /* A running sync ends first; the submission then sends what it did not. */
  if (self->sync_cancellable != NULL)
    g_queue_push_tail (&self->submits, task);
  else
    cp_sync_manager_start_submit (self, task);
}

gboolean
cp_sync_manager_submit_finish (CpSyncManager  *self,
                               GAsyncResult   *result,
                               GPtrArray     **findings,
                               GError        **error)
{
  Submit *submit;

  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_manager_submit_async,
                        FALSE);

  submit = g_task_get_task_data (G_TASK (result));
  if (findings != NULL)
    *findings = submit->findings != NULL && submit->findings->len > 0
                ? g_ptr_array_ref (submit->findings) : NULL;
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Returning and accepting. */

static void
workflow_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = CP_SYNC_MANAGER (object);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      cp_sync_manager_check_error (self, error);
      g_task_return_error (task, error);
      return;
    }
  /* The sync brings the new state of the packet back. */
  cp_sync_manager_sync (self);
  g_task_return_boolean (task, TRUE);
}

static void
cp_sync_manager_decide_async (CpSyncManager       *self,
                              const char          *uuid,
                              const char          *action,
                              GPtrArray           *comments,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  Call *call = call_new (CALL_WORKFLOW, uuid, action);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_decide_async);
  if (comments != NULL)
    {
      g_autoptr(JsonNode) body = cp_comment_list_to_json (comments);
      char *text = json_to_string (body, FALSE);

      call->body = g_bytes_new_take (text, strlen (text));
    }
  inner = g_task_new (self, cancellable, workflow_done_cb, g_steal_pointer (&task));
  cp_sync_manager_start_call (self, inner, call);
}

void
cp_sync_manager_accept_async (CpSyncManager       *self,
                              const char          *uuid,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL);

  cp_sync_manager_decide_async (self, uuid, "accept", NULL, cancellable, callback, user_data);
}

void
cp_sync_manager_return_async (CpSyncManager       *self,
                              const char          *uuid,
                              GPtrArray           *comments,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL);
  g_return_if_fail (comments != NULL && comments->len > 0);

  cp_sync_manager_decide_async (self, uuid, "return", comments, cancellable, callback,
                                user_data);
}

gboolean
cp_sync_manager_decide_finish (CpSyncManager  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_manager_decide_async,
                        FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The review chain: the steps the user may take, and taking one. */

typedef struct
{
  char     *uuid;
  JsonNode *listing;   /* the server's GET …/transitions answer */
  CpStore  *store;
  char     *templates_dir;
  char     *stage;
} ListTransitions;

static void
list_transitions_free (ListTransitions *list)
{
  g_free (list->uuid);
  g_clear_pointer (&list->listing, json_node_unref);
  g_clear_object (&list->store);
  g_free (list->templates_dir);
  g_free (list->stage);
  g_free (list);
}

/* The template's label of @transition_id leaving @stage_id for the packet @uuid in @store, or
 * NULL when the store or the templates do not know it. */
static char *
transition_label (CpTemplateRegistry *registry,
                  CpPacket           *packet,
                  const char         *stage_id,
                  const char         *transition_id)
{
  CpTemplate *tpl;
  const CpWorkflow *workflow;
  const CpTransition *transition;

  if (registry == NULL || packet == NULL || stage_id == NULL)
    return NULL;
  tpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                  cp_packet_get_template_version (packet));
  if (tpl == NULL)
    tpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  if (tpl == NULL || (workflow = cp_template_get_workflow (tpl)) == NULL)
    return NULL;
  transition = cp_workflow_lookup_transition (workflow, stage_id, transition_id);
  if (transition == NULL || transition->label == NULL)
    return NULL;
  return g_strdup (cp_text_get (transition->label));
}

/* In a worker: the offers of the server's answer, labelled from the templates. */
static void
list_transitions_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  ListTransitions *list = task_data;
  JsonObject *object = json_node_get_object (list->listing);
  JsonArray *array = json_object_get_array_member (object, "transitions");
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(CpPacket) packet = cp_store_load_packet (list->store, list->uuid, NULL);
  g_autoptr(GPtrArray) offers = g_ptr_array_new_with_free_func (
                                  (GDestroyNotify) cp_transition_offer_free);

  /* The server's templates, cached by the sync, come over the shipped ones. */
  if (registry != NULL && list->templates_dir != NULL &&
      g_file_test (list->templates_dir, G_FILE_TEST_IS_DIR))
    cp_template_registry_load_directory (registry, list->templates_dir, NULL);
  list->stage = g_strdup (json_object_get_string_member_with_default (object, "stage", NULL));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *entry = json_array_get_object_element (array, i);
      const char *id = json_object_get_string_member (entry, "transition");
      g_autofree char *label = transition_label (registry, packet, list->stage, id);

      g_ptr_array_add (offers,
                       cp_transition_offer_new (id, label,
                                                json_object_get_string_member (entry, "to"),
                                                json_object_get_boolean_member (entry,
                                                                                "comments"),
                                                json_object_get_boolean_member (entry,
                                                                                "assigns")));
    }
  g_task_return_pointer (task, g_steal_pointer (&offers), (GDestroyNotify) g_ptr_array_unref);
}

static void
list_transitions_done_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  ListTransitions *list = g_task_get_task_data (task);
  GError *error = NULL;

  list->listing = cp_sync_client_list_transitions_finish (CP_SYNC_CLIENT (object), result,
                                                          &error);
  if (list->listing == NULL)
    {
      cp_sync_manager_check_error (self, error);
      g_task_return_error (task, error);
      return;
    }
  g_task_run_in_thread (task, list_transitions_thread);
}

void
cp_sync_manager_list_transitions_async (CpSyncManager       *self,
                                        const char          *uuid,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ListTransitions *list;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL && g_uuid_string_is_valid (uuid));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_list_transitions_async);
  if (cp_sync_manager_fail_logged_out (self, task))
    return;
  list = g_new0 (ListTransitions, 1);
  list->uuid = g_strdup (uuid);
  list->store = g_object_ref (self->store);
  list->templates_dir = cp_sync_engine_get_templates_dir (self->engine);
  g_task_set_task_data (task, list, (GDestroyNotify) list_transitions_free);
  cp_sync_client_list_transitions_async (self->client, uuid, cancellable,
                                         list_transitions_done_cb, g_steal_pointer (&task));
}

GPtrArray *
cp_sync_manager_list_transitions_finish (CpSyncManager  *self,
                                         GAsyncResult   *result,
                                         char          **stage_out,
                                         GError        **error)
{
  ListTransitions *list;
  GPtrArray *offers;

  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_manager_list_transitions_async, NULL);

  offers = g_task_propagate_pointer (G_TASK (result), error);
  list = g_task_get_task_data (G_TASK (result));
  if (stage_out != NULL)
    *stage_out = offers != NULL && list != NULL ? g_strdup (list->stage) : NULL;
  return offers;
}

typedef struct
{
  char   *uuid;
  char   *transition;
  char   *comments;
  char   *agency;
  gulong  cancel_id;
} TakeTransition;

static void
take_transition_free (TakeTransition *take)
{
  g_free (take->uuid);
  g_free (take->transition);
  g_free (take->comments);
  g_free (take->agency);
  g_free (take);
}

/* The end of a transition, with @error (taken) or without: the status says how the syncs went,
 * what waits goes next. */
static void
transition_end (CpSyncManager *self,
                GTask         *task,
                GError        *error)
{
  TakeTransition *take = g_task_get_task_data (task);

  g_cancellable_disconnect (g_task_get_cancellable (task), take->cancel_id);
  take->cancel_id = 0;
  g_clear_object (&self->sync_cancellable);
  self->blob_sent = self->blob_total = 0;
  if (error == NULL)
    {
      g_clear_pointer (&self->last_sync, g_date_time_unref);
      self->last_sync = g_date_time_new_now_local ();
      self->status = CP_SYNC_STATUS_SYNCED;   /* SYNCED or PENDING once the counts are in */
    }
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_OFFLINE, error->message);
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_NEEDS_LOGIN,
                                _("Your session has ended. Log in again to continue syncing; "
                                  "your changes are kept."));
  else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER))
    cp_sync_manager_set_status (self, CP_SYNC_STATUS_ERROR, error->message);
  else
    self->status = CP_SYNC_STATUS_SYNCED;     /* a refusal of the step, or cancelled */
  cp_sync_manager_refresh_counts (self);
  cp_sync_manager_run_next (self);
  g_signal_emit (self, signals[PACKETS_CHANGED], 0);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
transition_pulled_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  GError *error = NULL;

  /* The step was made: a pull that fails leaves the store behind, not the step undone. The
   * next sync brings the new state. */
  if (!cp_sync_engine_sync_finish (CP_SYNC_ENGINE (object), result, NULL, &error))
    {
      g_debug ("transition: the pull after the step failed: %s", error->message);
      g_clear_error (&error);
      self->sync_again = TRUE;
    }
  transition_end (self, task, NULL);
}

static void
transition_posted_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) receipt = NULL;
  GError *error = NULL;

  receipt = cp_sync_client_transition_finish (CP_SYNC_CLIENT (object), result, &error);
  if (receipt == NULL || self->engine == NULL)
    {
      if (error == NULL)
        error = g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                             _("Log in to the server first."));
      transition_end (self, task, error);
      return;
    }
  cp_sync_engine_sync_async (self->engine, self->sync_cancellable, transition_pulled_cb, task);
}

static void
transition_pushed_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  GTask *task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  TakeTransition *take = g_task_get_task_data (task);
  g_autoptr(JsonNode) rejection = NULL;
  CpStoreSyncState state;
  GError *error = NULL;

  if (!cp_sync_engine_sync_finish (CP_SYNC_ENGINE (object), result, NULL, &error))
    {
      transition_end (self, task, error);
      return;
    }
  /* The step is taken on what the server holds: edits it refused would be left behind. */
  rejection = cp_sync_engine_get_rejection (CP_SYNC_ENGINE (object), take->uuid);
  if (rejection != NULL)
    {
      const char *detail = NULL;

      if (JSON_NODE_HOLDS_OBJECT (rejection))
        detail = json_object_get_string_member_with_default (json_node_get_object (rejection),
                                                             "detail", NULL);
      transition_end (self, task,
                      g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                                   _("The server refused your changes to this packet, so the "
                                     "step was not taken: %s. Your changes are kept aside."),
                                   detail != NULL ? detail : _("it gave no reason")));
      return;
    }
  /* Nor edits that clash with the server's version. */
  if (cp_store_get_sync_info (self->store, take->uuid, &state, NULL, NULL, NULL) &&
      state == CP_STORE_SYNC_CONFLICT)
    {
      transition_end (self, task,
                      g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                                   _("Your changes to this packet clash with the server's "
                                     "version, so the step was not taken. Resolve the conflict "
                                     "first.")));
      return;
    }
  cp_sync_client_transition_async (self->client, take->uuid, take->transition, take->comments,
                                   take->agency, self->sync_cancellable, transition_posted_cb,
                                   task);
}

/* Starts the transition of @task (taken); nothing else runs. */
static void
cp_sync_manager_start_transition (CpSyncManager *self,
                                  GTask         *task)
{
  TakeTransition *take = g_task_get_task_data (task);

  g_assert (self->sync_cancellable == NULL);

  if (self->engine == NULL || self->client == NULL)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                               _("Log in to the server first."));
      g_object_unref (task);
      return;
    }
  self->sync_cancellable = g_cancellable_new ();
  if (g_task_get_cancellable (task) != NULL)
    take->cancel_id = g_cancellable_connect (g_task_get_cancellable (task),
                                             G_CALLBACK (submit_cancelled_cb),
                                             self->sync_cancellable, NULL);
  cp_sync_manager_set_status (self, CP_SYNC_STATUS_SYNCING, NULL);
  cp_sync_engine_sync_async (self->engine, self->sync_cancellable, transition_pushed_cb, task);
}

void
cp_sync_manager_transition_async (CpSyncManager       *self,
                                  const char          *uuid,
                                  const char          *transition,
                                  const char          *comments,
                                  const char          *agency,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task;
  TakeTransition *take;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL && g_uuid_string_is_valid (uuid));
  g_return_if_fail (transition != NULL && *transition != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_transition_async);
  take = g_new0 (TakeTransition, 1);
  take->uuid = g_strdup (uuid);
  take->transition = g_strdup (transition);
  take->comments = g_strdup (comments);
  take->agency = g_strdup (agency);
  g_task_set_task_data (task, take, (GDestroyNotify) take_transition_free);
  if (self->engine == NULL || self->status == CP_SYNC_STATUS_NEEDS_LOGIN)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                               _("Log in to the server first."));
      g_object_unref (task);
      return;
    }
  if (!network_available ())
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE, "%s",
                               _("This computer is not connected to a network. The step can be "
                                 "taken once it is."));
      g_object_unref (task);
      return;
    }
  /* A running sync ends first. */
  if (self->sync_cancellable != NULL)
    g_queue_push_tail (&self->submits, task);
  else
    cp_sync_manager_start_transition (self, task);
}

gboolean
cp_sync_manager_transition_finish (CpSyncManager  *self,
                                   GAsyncResult   *result,
                                   GError        **error)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_manager_transition_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The agencies a city office may assign. */

static void
list_agencies_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CpSyncManager *self = g_task_get_source_object (task);
  GError *error = NULL;
  GPtrArray *agencies;

  agencies = cp_sync_client_list_agencies_finish (CP_SYNC_CLIENT (object), result, &error);
  if (agencies == NULL)
    {
      cp_sync_manager_check_error (self, error);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, agencies, (GDestroyNotify) g_ptr_array_unref);
}

void
cp_sync_manager_list_agencies_async (CpSyncManager       *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_list_agencies_async);
  if (cp_sync_manager_fail_logged_out (self, task))
    return;
  cp_sync_client_list_agencies_async (self->client, cancellable, list_agencies_done_cb,
                                      g_steal_pointer (&task));
}

GPtrArray *
cp_sync_manager_list_agencies_finish (CpSyncManager  *self,
                                      GAsyncResult   *result,
                                      GError        **error)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_manager_list_agencies_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Revisions and comments. */

void
cp_sync_manager_list_revisions_async (CpSyncManager       *self,
                                      const char          *uuid,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_list_revisions_async);
  cp_sync_manager_start_call (self, task, call_new (CALL_REVISIONS, uuid, "revisions"));
}

GListModel *
cp_sync_manager_list_revisions_finish (CpSyncManager  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return cp_sync_manager_call_finish (self, result, cp_sync_manager_list_revisions_async, error);
}

void
cp_sync_manager_get_comments_async (CpSyncManager       *self,
                                    const char          *uuid,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (uuid != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_get_comments_async);
  cp_sync_manager_start_call (self, task, call_new (CALL_COMMENTS, uuid, "comments"));
}

GPtrArray *
cp_sync_manager_get_comments_finish (CpSyncManager  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return cp_sync_manager_call_finish (self, result, cp_sync_manager_get_comments_async, error);
}

/* Progress. */

static void
progress_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CpProgress *progress;

  progress = cp_sync_client_get_progress_finish (CP_SYNC_CLIENT (object), result, &error);
  if (progress == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, progress, (GDestroyNotify) cp_progress_unref);
}

void
cp_sync_manager_get_progress_async (CpSyncManager       *self,
                                    int                  year,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_get_progress_async);
  if (cp_sync_manager_fail_logged_out (self, task))
    return;
  cp_sync_client_get_progress_async (self->client, year, cancellable, progress_done_cb,
                                     g_steal_pointer (&task));
}

CpProgress *
cp_sync_manager_get_progress_finish (CpSyncManager  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return cp_sync_manager_call_finish (self, result, cp_sync_manager_get_progress_async, error);
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

  node = g_task_propagate_pointer (G_TASK (result), &error);
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
  if (node != NULL)
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
  g_autoptr(GTask) task = NULL;

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
  /* The session check says whether the token is still good. */
  self->engine = cp_sync_engine_new (self->store, self->client);
  g_signal_connect (self->engine, "blob-progress", G_CALLBACK (blob_progress_cb), self);
  task = g_task_new (self, self->cancellable, restore_session_cb, NULL);
  g_task_set_source_tag (task, cp_sync_manager_restore);
  cp_sync_manager_start_call (self, task, call_new (CALL_SESSION, NULL, "/api/v1/session"));
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
  for (GTask *task; (task = g_queue_pop_head (&self->submits)) != NULL; g_object_unref (task))
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The submission was cancelled."));
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
  g_free (self->agency_name);
  g_free (self->agency_uscc);
  g_free (self->session_only_reason);
  g_free (self->message);
  g_free (self->shown.message);
  g_free (self->shown.role);
  g_free (self->shown.user);
  g_free (self->shown.agency_name);
  g_free (self->shown.agency_uscc);
  g_free (self->shown.server_url);
  g_free (self->shown.session_only_reason);
  g_clear_pointer (&self->shown.last_sync, g_date_time_unref);

  G_OBJECT_CLASS (cp_sync_manager_parent_class)->finalize (object);
}

static void
cp_sync_manager_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CpSyncManager *self = CP_SYNC_MANAGER (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_N_CONFLICTS:
      g_value_set_uint (value, self->n_conflicts);
      break;
    case PROP_N_QUARANTINED:
      g_value_set_uint (value, self->n_quarantined);
      break;
    case PROP_LOGGED_IN:
      g_value_set_boolean (value, cp_sync_manager_is_logged_in (self));
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_AGENCY_NAME:
      g_value_set_string (value, self->agency_name);
      break;
    case PROP_AGENCY_USCC:
      g_value_set_string (value, self->agency_uscc);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_SESSION_ONLY_REASON:
      g_value_set_string (value, cp_sync_manager_get_session_only_reason (self));
      break;
    case PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    case PROP_BLOB_SENT:
      g_value_set_uint64 (value, self->blob_sent);
      break;
    case PROP_BLOB_TOTAL:
      g_value_set_uint64 (value, self->blob_total);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_sync_manager_class_init (CpSyncManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cp_sync_manager_dispose;
  object_class->finalize = cp_sync_manager_finalize;
  object_class->get_property = cp_sync_manager_get_property;

  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CP_TYPE_SYNC_MANAGER_STATUS,
                       CP_SYNC_STATUS_DISABLED, flags);
  /* Why the status is what it is, or NULL. */
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  properties[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                                                  flags);
  properties[PROP_N_CONFLICTS] = g_param_spec_uint ("n-conflicts", NULL, NULL, 0, G_MAXUINT,
                                                    0, flags);
  properties[PROP_N_QUARANTINED] = g_param_spec_uint ("n-quarantined", NULL, NULL, 0,
                                                      G_MAXUINT, 0, flags);
  properties[PROP_LOGGED_IN] = g_param_spec_boolean ("logged-in", NULL, NULL, FALSE, flags);
  properties[PROP_ROLE] = g_param_spec_string ("role", NULL, NULL, NULL, flags);
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, flags);
  properties[PROP_AGENCY_NAME] = g_param_spec_string ("agency-name", NULL, NULL, NULL, flags);
  properties[PROP_AGENCY_USCC] = g_param_spec_string ("agency-uscc", NULL, NULL, NULL, flags);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL, flags);
  properties[PROP_SESSION_ONLY_REASON] = g_param_spec_string ("session-only-reason", NULL,
                                                              NULL, NULL, flags);
  properties[PROP_LAST_SYNC] = g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME,
                                                   flags);
  /* Attachment bytes sent and to send in the running sync (both 0 when none). */
  properties[PROP_BLOB_SENT] = g_param_spec_uint64 ("blob-sent", NULL, NULL, 0, G_MAXUINT64, 0,
                                                    flags);
  properties[PROP_BLOB_TOTAL] = g_param_spec_uint64 ("blob-total", NULL, NULL, 0, G_MAXUINT64,
                                                     0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  cp_sync_manager_changed (self);   /* nobody listens yet: what is shown starts here */
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
cp_sync_manager_get_agency_name (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->agency_name;
}

const char *
cp_sync_manager_get_agency_uscc (CpSyncManager *self)
{
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (self), NULL);
  return self->agency_uscc;
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

/* --- who wrote what ----------------------------------------------------------------------- */

static void
authors_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonObject *authors;

  authors = cp_sync_client_get_authors_finish (CP_SYNC_CLIENT (object), result, &error);
  if (authors == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, authors, (GDestroyNotify) json_object_unref);
}

void
cp_sync_manager_get_authors_async (CpSyncManager       *self,
                                   const char          *uuid,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_MANAGER (self));
  g_return_if_fail (cp_uuid_is_valid (uuid));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_manager_get_authors_async);
  if (cp_sync_manager_fail_logged_out (self, task))
    return;
  cp_sync_client_get_authors_async (self->client, uuid, cancellable, authors_done_cb,
                                    g_steal_pointer (&task));
}

JsonObject *
cp_sync_manager_get_authors_finish (CpSyncManager  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  /* A session that ended meanwhile shows in the status, as for the other requests. */
  return cp_sync_manager_call_finish (self, result, cp_sync_manager_get_authors_async, error);
}
