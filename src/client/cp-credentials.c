/* cp-credentials.c — the session token in the keyring, with an in-memory fallback
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every keyring call runs with its own GCancellable and a timeout: with a display but no
 * unlocked keyring, the unlock prompt can block a call for ever. Whatever the keyring does, a
 * stored token is kept in memory first, so the user can go on working in this session.
 */
#include "config.h"

#include "cp-credentials.h"

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>

struct _CpCredentials
{
  GObject     parent_instance;
  GHashTable *memory;        /* "server\nuser" → token */
  GHashTable *session_only;  /* "server\nuser" set: the keyring refused it */
  guint       timeout_ms;
};

G_DEFINE_FINAL_TYPE (CpCredentials, cp_credentials, G_TYPE_OBJECT)
G_DEFINE_QUARK (cp-credentials-error-quark, cp_credentials_error)

typedef enum
{
  OP_STORE,
  OP_LOOKUP,
  OP_CLEAR,
} Op;

/* One keyring call: whichever comes first — its reply, the timeout or the caller's
 * cancellation — completes the task; the others then find it gone. */
typedef struct
{
  gatomicrefcount  ref_count;
  Op               op;
  GTask           *task;           /* NULL once completed */
  GCancellable    *op_cancellable; /* cancels the libsecret call */
  GCancellable    *cancellable;    /* the caller's */
  gulong           cancelled_id;
  GSource         *timeout;
  GMainContext    *context;
} Call;

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    CP_CREDENTIALS_SCHEMA_NAME, SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static char *
make_key (const char *server,
          const char *user)
{
  return g_strconcat (server, "\n", user != NULL ? user : "", NULL);
}

static Call *
call_ref (Call *call)
{
  g_atomic_ref_count_inc (&call->ref_count);
  return call;
}

static void
call_unref (Call *call)
{
  if (!g_atomic_ref_count_dec (&call->ref_count))
    return;
  g_assert (call->task == NULL);
  g_clear_object (&call->op_cancellable);
  g_clear_object (&call->cancellable);
  g_clear_pointer (&call->context, g_main_context_unref);
  g_free (call);
}

/* Takes the task away from the call and detaches the timeout and the cancellation hook; NULL
 * when another path already completed it. Runs in the call's main context. */
static GTask *
call_take_task (Call *call)
{
  GTask *task = g_steal_pointer (&call->task);

  if (task == NULL)
    return NULL;
  if (call->timeout != NULL)
    {
      g_source_destroy (call->timeout);
      g_clear_pointer (&call->timeout, g_source_unref);
    }
  if (call->cancelled_id != 0)
    {
      g_cancellable_disconnect (call->cancellable, call->cancelled_id);
      call->cancelled_id = 0;
    }
  return task;
}

static GError *
translate_error (const GError *error)
{
  const char *detail = error->message;

  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_IS_LOCKED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      (error->domain == G_DBUS_ERROR && error->code == G_DBUS_ERROR_ACCESS_DENIED))
    return g_error_new (CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_LOCKED,
                        _("The keyring is locked, so the login is kept only until you quit. "
                          "Unlock the keyring to be remembered next time."));

  if ((error->domain == G_DBUS_ERROR &&
       (error->code == G_DBUS_ERROR_SERVICE_UNKNOWN ||
        error->code == G_DBUS_ERROR_NAME_HAS_NO_OWNER ||
        error->code == G_DBUS_ERROR_NO_SERVER ||
        error->code == G_DBUS_ERROR_FILE_NOT_FOUND ||
        error->code == G_DBUS_ERROR_SPAWN_EXEC_FAILED ||
        error->code == G_DBUS_ERROR_SPAWN_CHILD_EXITED ||
        error->code == G_DBUS_ERROR_SPAWN_SERVICE_NOT_FOUND ||
        error->code == G_DBUS_ERROR_SPAWN_SERVICE_INVALID ||
        error->code == G_DBUS_ERROR_UNKNOWN_METHOD)) ||
      error->domain == G_IO_ERROR)
    return g_error_new (CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_NO_SERVICE,
                        _("No keyring is available (%s), so the login is kept only until you "
                          "quit. You will be asked for the password next time."), detail);

  return g_error_new (CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_FAILED,
                      _("The keyring could not be used (%s), so the login is kept only until "
                        "you quit."), detail);
}

static void
secret_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Call *call = user_data;
  g_autoptr(GTask) task = call_take_task (call);
  g_autoptr(GError) error = NULL;
  CpCredentials *self;

  switch (call->op)
    {
    case OP_STORE:
      /* A dismissed or failed unlock prompt gives FALSE without an error: the token was not
       * kept, which is what a locked keyring means. */
      if (!secret_password_store_finish (result, &error) && error == NULL)
        error = g_error_new_literal (SECRET_ERROR, SECRET_ERROR_IS_LOCKED,
                                     "The unlock prompt was dismissed.");
      break;
    case OP_CLEAR:
      secret_password_clear_finish (result, &error);
      break;
    case OP_LOOKUP:
      {
        g_autofree char *token = secret_password_lookup_finish (result, &error);

        if (task != NULL && error == NULL)
          {
            g_task_return_pointer (task, g_steal_pointer (&token), g_free);
            call_unref (call);
            return;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }

  if (task == NULL)
    {
      /* Timed out or cancelled before: the answer comes too late to matter. */
      call_unref (call);
      return;
    }

  self = g_task_get_source_object (task);
  if (error != NULL)
    {
      if (call->op == OP_STORE)
        g_hash_table_add (self->session_only, g_strdup (g_task_get_task_data (task)));
      if (g_cancellable_is_cancelled (call->cancellable))
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                                 _("The operation was cancelled."));
      else
        g_task_return_error (task, translate_error (error));
    }
  else
    {
      if (call->op == OP_STORE)
        g_hash_table_remove (self->session_only, g_task_get_task_data (task));
      g_task_return_boolean (task, TRUE);
    }
  call_unref (call);
}

static gboolean
timeout_cb (gpointer user_data)
{
  Call *call = user_data;
  g_autoptr(GTask) task = call_take_task (call);
  CpCredentials *self;

  if (task == NULL)
    return G_SOURCE_REMOVE;
  self = g_task_get_source_object (task);
  if (call->op == OP_STORE)
    g_hash_table_add (self->session_only, g_strdup (g_task_get_task_data (task)));
  /* The keyring's own call is left to finish (its answer is dropped): a locked keyring shows
   * an unlock prompt, and cancelling a call with a prompt up trips libsecret 0.20
   * ("g_task_return_error: assertion 'error != NULL' failed"). An explicit cancel by the
   * caller still cancels it. */
  g_task_return_new_error (task, CP_CREDENTIALS_ERROR, CP_CREDENTIALS_ERROR_TIMED_OUT,
                           _("The keyring did not answer within %u seconds, so the login is "
                             "kept only until you quit. Unlock the keyring to be remembered "
                             "next time."), (self->timeout_ms + 999) / 1000);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_idle_cb (gpointer user_data)
{
  Call *call = user_data;
  g_autoptr(GTask) task = call_take_task (call);

  g_cancellable_cancel (call->op_cancellable);
  if (task != NULL)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                             _("The operation was cancelled."));
  return G_SOURCE_REMOVE;
}

static void
cancelled_cb (GCancellable *cancellable,
              gpointer      user_data)
{
  Call *call = user_data;

  g_autoptr(GSource) idle = g_idle_source_new ();

  /* May run in any thread, and inside g_cancellable_cancel(), where disconnecting would
   * deadlock: complete later, in the call's context. */
  g_source_set_callback (idle, cancelled_idle_cb, call_ref (call), (GDestroyNotify) call_unref);
  g_source_set_static_name (idle, "[credit-packet] keyring cancelled");
  g_source_attach (idle, call->context);
}

static GHashTable *
attributes_for (const char *server,
                const char *user)
{
  /* The values are copies: the caller's strings need not outlive the call. */
  GHashTable *attributes = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attributes, (gpointer) "server", g_strdup (server));
  if (user != NULL)
    g_hash_table_insert (attributes, (gpointer) "user", g_strdup (user));
  return attributes;
}

static void
start_call (CpCredentials       *self,
            Op                   op,
            const char          *server,
            const char          *user,
            const char          *token,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data,
            gpointer             source_tag)
{
  g_autoptr(GHashTable) attributes = attributes_for (server, user);
  g_autofree char *label = NULL;
  Call *call;

  call = g_new0 (Call, 1);
  g_atomic_ref_count_init (&call->ref_count);
  call->op = op;
  call->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (call->task, source_tag);
  g_task_set_task_data (call->task, make_key (server, user), g_free);
  call->op_cancellable = g_cancellable_new ();
  call->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  call->context = g_main_context_ref_thread_default ();

  call->timeout = g_timeout_source_new (self->timeout_ms);
  g_source_set_callback (call->timeout, timeout_cb, call_ref (call),
                         (GDestroyNotify) call_unref);
  g_source_set_static_name (call->timeout, "[credit-packet] keyring timeout");
  g_source_attach (call->timeout, call->context);

  if (cancellable != NULL)
    call->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), call,
                                                NULL);

  /* The libsecret callback holds its own reference. */
  call_ref (call);
  switch (op)
    {
    case OP_STORE:
      label = g_strdup_printf (_("Credit Packet login for %s on %s"), user, server);
      secret_password_storev (token_schema (), attributes, SECRET_COLLECTION_DEFAULT, label,
                              token, call->op_cancellable, secret_done_cb, call);
      break;
    case OP_LOOKUP:
      secret_password_lookupv (token_schema (), attributes, call->op_cancellable,
                               secret_done_cb, call);
      break;
    case OP_CLEAR:
      secret_password_clearv (token_schema (), attributes, call->op_cancellable,
                              secret_done_cb, call);
      break;
    default:
      g_assert_not_reached ();
    }
  /* The creator's reference. */
  call_unref (call);
}

static void
cp_credentials_finalize (GObject *object)
{
  CpCredentials *self = CP_CREDENTIALS (object);

  g_clear_pointer (&self->memory, g_hash_table_unref);
  g_clear_pointer (&self->session_only, g_hash_table_unref);

  G_OBJECT_CLASS (cp_credentials_parent_class)->finalize (object);
}

static void
cp_credentials_class_init (CpCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_credentials_finalize;
}

static void
cp_credentials_init (CpCredentials *self)
{
  self->memory = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->session_only = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->timeout_ms = CP_CREDENTIALS_DEFAULT_TIMEOUT_MS;
}

CpCredentials *
cp_credentials_new (void)
{
  return g_object_new (CP_TYPE_CREDENTIALS, NULL);
}

void
cp_credentials_set_timeout (CpCredentials *self,
                            guint          timeout_ms)
{
  g_return_if_fail (CP_IS_CREDENTIALS (self));
  g_return_if_fail (timeout_ms > 0);
  self->timeout_ms = timeout_ms;
}

guint
cp_credentials_get_timeout (CpCredentials *self)
{
  g_return_val_if_fail (CP_IS_CREDENTIALS (self), 0);
  return self->timeout_ms;
}

void
cp_credentials_store_async (CpCredentials       *self,
                            const char          *server,
                            const char          *user,
                            const char          *token,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (CP_IS_CREDENTIALS (self));
  g_return_if_fail (server != NULL && user != NULL && token != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  g_hash_table_replace (self->memory, make_key (server, user), g_strdup (token));
  start_call (self, OP_STORE, server, user, token, cancellable, callback, user_data,
              cp_credentials_store_async);
}

gboolean
cp_credentials_store_finish (CpCredentials  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CP_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_credentials_store_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static char *
memory_lookup (CpCredentials *self,
               const char    *server,
               const char    *user)
{
  GHashTableIter iter;
  gpointer key, value;
  g_autofree char *prefix = NULL;

  if (user != NULL)
    {
      g_autofree char *k = make_key (server, user);

      return g_strdup (g_hash_table_lookup (self->memory, k));
    }
  prefix = g_strconcat (server, "\n", NULL);
  g_hash_table_iter_init (&iter, self->memory);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_str_has_prefix (key, prefix))
      return g_strdup (value);
  return NULL;
}

void
cp_credentials_lookup_async (CpCredentials       *self,
                             const char          *server,
                             const char          *user,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autofree char *token = NULL;

  g_return_if_fail (CP_IS_CREDENTIALS (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  token = memory_lookup (self, server, user);
  if (token != NULL)
    {
      g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

      g_task_set_source_tag (task, cp_credentials_lookup_async);
      g_task_return_pointer (task, g_steal_pointer (&token), g_free);
      return;
    }
  start_call (self, OP_LOOKUP, server, user, NULL, cancellable, callback, user_data,
              cp_credentials_lookup_async);
}

char *
cp_credentials_lookup_finish (CpCredentials  *self,
                              GAsyncResult   *result,
                              GError        **error)
{
  g_return_val_if_fail (CP_IS_CREDENTIALS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_credentials_lookup_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
cp_credentials_clear_async (CpCredentials       *self,
                            const char          *server,
                            const char          *user,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autofree char *key = NULL;

  g_return_if_fail (CP_IS_CREDENTIALS (self));
  g_return_if_fail (server != NULL && user != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  key = make_key (server, user);
  g_hash_table_remove (self->memory, key);
  g_hash_table_remove (self->session_only, key);
  start_call (self, OP_CLEAR, server, user, NULL, cancellable, callback, user_data,
              cp_credentials_clear_async);
}

gboolean
cp_credentials_clear_finish (CpCredentials  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (CP_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_credentials_clear_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
cp_credentials_is_session_only (CpCredentials *self,
                                const char    *server,
                                const char    *user)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CP_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (server != NULL && user != NULL, FALSE);

  key = make_key (server, user);
  return g_hash_table_contains (self->session_only, key);
}
