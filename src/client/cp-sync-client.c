/* cp-sync-client.c — one HTTP session with the Credit Packet server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One SoupSession (user agent, timeouts) configured here, in the thread that creates the client.
 * libsoup 3.2 lets other threads send messages on it, which the sync engine's worker does with
 * blocking calls; login and logout wrap the same calls in GTasks.
 */
#include "config.h"

#include "cp-sync-client-private.h"

#include "cp-json-private.h"
#include "cp-packet-diff.h"
#include "cp-role.h"
#include "cp-sync-engine-private.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

struct _CpSyncClient
{
  GObject      parent_instance;
  SoupSession *session;
  char        *base_url;   /* without a trailing slash */
  GMutex       lock;       /* token, user */
  char        *token;
  char        *user;
  guint        max_attempts;
  guint        base_delay_ms;
  guint        max_delay_ms;
  guint        n_requests; /* atomic */
  gsize        max_reply;  /* atomic; the largest reply read (CP_SYNC_MAX_REPLY at most) */
};

G_DEFINE_FINAL_TYPE (CpSyncClient, cp_sync_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (cp-sync-error-quark, cp_sync_error)

#define PROBLEM_PREFIX "/problems/"

void
cp_sync_reply_free (CpSyncReply *reply)
{
  if (reply == NULL)
    return;
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_clear_pointer (&reply->headers, soup_message_headers_unref);
  g_clear_pointer (&reply->json, json_node_unref);
  g_free (reply->problem_type);
  g_free (reply->detail);
  g_free (reply);
}

gboolean
cp_sync_sleep (guint         ms,
               GCancellable *cancellable)
{
  GPollFD pollfd;

  if (g_cancellable_is_cancelled (cancellable))
    return FALSE;
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &pollfd))
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
      gint64 now;

      while (!g_cancellable_is_cancelled (cancellable) &&
             (now = g_get_monotonic_time ()) < deadline)
        g_poll (&pollfd, 1, (int) ((deadline - now + 999) / 1000));
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong) ms * 1000);
  return !g_cancellable_is_cancelled (cancellable);
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  bare = g_strdup (host);
  if (bare[0] == '[')
    {
      bare[strlen (bare) - 1] = '\0';
      memmove (bare, bare + 1, strlen (bare));
    }
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Retry-After: seconds or an HTTP date; -1 when absent or unreadable. */
static gint64
retry_after_ms (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  guint64 seconds;

  if (value == NULL)
    return -1;
  if (g_ascii_string_to_unsigned (value, 10, 0, 86400, &seconds, NULL))
    return (gint64) seconds * 1000;
  {
    g_autoptr(GDateTime) when = soup_date_time_new_from_http_string (value);
    g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

    if (when == NULL)
      return -1;
    return MAX (0, g_date_time_difference (when, now) / 1000);
  }
}

static guint
backoff_ms (CpSyncClient *self,
            guint         attempt)
{
  guint64 delay = (guint64) self->base_delay_ms << MIN (attempt, 20u);

  delay = MIN (delay, self->max_delay_ms);
  /* ±50 % jitter, so that many clients do not come back at the same moment. */
  return (guint) (delay / 2 + (guint64) g_random_int_range (0, (gint32) MAX (1u, delay) + 1));
}

static gboolean
status_is_transient (guint status)
{
  return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

static CpSyncReply *
reply_new (SoupMessage *msg,
           GBytes      *body)
{
  CpSyncReply *reply = g_new0 (CpSyncReply, 1);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  const char *content_type = soup_message_headers_get_content_type (headers, NULL);

  reply->status = soup_message_get_status (msg);
  reply->headers = soup_message_headers_ref (headers);
  reply->body = g_bytes_ref (body);
  /* Through the core's reader: a reply nested deeper than 64 levels (json-glib recurses and
   * overflows the stack), with \u0000 or unreadable numbers does not parse. */
  if (content_type != NULL && (g_str_equal (content_type, "application/json") ||
                               g_str_equal (content_type, "application/problem+json")) &&
      g_bytes_get_size (body) > 0)
    reply->json = cp_json_parse (g_bytes_get_data (body, NULL), (gssize) g_bytes_get_size (body),
                                 0, "reply", NULL);
  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json) && content_type != NULL &&
      g_str_equal (content_type, "application/problem+json"))
    {
      JsonObject *object = json_node_get_object (reply->json);
      const char *type = json_object_get_string_member_with_default (object, "type", NULL);
      const char *detail = json_object_get_string_member_with_default (object, "detail", NULL);

      if (type != NULL && strstr (type, PROBLEM_PREFIX) != NULL)
        reply->problem_type = g_strdup (strstr (type, PROBLEM_PREFIX) + strlen (PROBLEM_PREFIX));
      else
        reply->problem_type = g_strdup (type);
      reply->detail = g_strdup (detail);
    }
  return reply;
}

/* A JSON reply that does not parse was cut short on the way: worth another try. */
static gboolean
reply_is_damaged (CpSyncReply *reply)
{
  const char *content_type = soup_message_headers_get_content_type (reply->headers, NULL);

  return content_type != NULL && g_bytes_get_size (reply->body) > 0 && reply->json == NULL &&
         (g_str_equal (content_type, "application/json") ||
          g_str_equal (content_type, "application/problem+json"));
}

GError *
cp_sync_reply_to_error (CpSyncReply *reply)
{
  const char *detail = reply->detail != NULL ? reply->detail : "";

  if (reply->status == 401)
    return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                        _("Your login has expired. Log in again; your work is kept and will be "
                          "sent afterwards."));
  if (reply->status >= 500 || status_is_transient (reply->status))
    return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                        _("The server could not handle the request (%u %s). Try again later."),
                        reply->status, detail);
  return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                      _("The server refused the request (%u %s)."), reply->status, detail);
}

typedef struct
{
  CpSyncWroteFunc func;
  gpointer        data;
} Wrote;

typedef struct
{
  GBytes     *body;
  const char *content_type;
} Body;

/* libsoup re-sends a message by itself when a kept-alive connection turns out to be closed, but
 * the body stream was consumed by the first try: without this, the retry goes out with
 * "Content-Length: 0". */
static void
restarted_cb (SoupMessage *msg,
              gpointer     user_data)
{
  Body *body = user_data;

  soup_message_set_request_body_from_bytes (msg, body->content_type, body->body);
}

static void
wrote_body_data_cb (SoupMessage *msg,
                    guint        n_bytes,
                    gpointer     user_data)
{
  Wrote *wrote = user_data;

  wrote->func (n_bytes, wrote->data);
}

/* Reads the reply body of @msg from @stream, at most @limit bytes: a bigger one (announced or
 * sent) fails with CP_SYNC_ERROR_SERVER instead of filling the memory. */
static GBytes *
read_reply (SoupMessage   *msg,
            GInputStream  *stream,
            gsize          limit,
            GCancellable  *cancellable,
            GError       **error)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);
  g_autoptr(GByteArray) data = NULL;
  goffset announced = soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
                      ? soup_message_headers_get_content_length (headers) : -1;
  guint8 buffer[65536];

  if (announced > 0 && (guint64) announced > limit)
    goto too_large;
  data = g_byte_array_sized_new (announced > 0 ? (guint) announced : 4096);
  for (;;)
    {
      gssize n = g_input_stream_read (stream, buffer, sizeof buffer, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (data->len + (gsize) n > limit)
        goto too_large;
      g_byte_array_append (data, buffer, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));

too_large:
  g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
               _("The server's answer is larger than %u MB, more than it may send. Check the "
                 "server address."), (guint) (limit / (1024 * 1024)));
  return NULL;
}

static CpSyncReply *
request_full (CpSyncClient        *self,
              const char          *method,
              const char          *path,
              const char * const  *headers,
              GBytes              *body,
              const char          *content_type,
              CpSyncWroteFunc      wrote_func,
              gpointer             wrote_data,
              guint                max_attempts,
              gboolean             authenticate,
              gint64              *retry_after_out,
              GCancellable        *cancellable,
              GError             **error)
{
  g_autofree char *url = g_strconcat (self->base_url, path, NULL);
  g_autoptr(GError) last_error = NULL;
  g_autoptr(CpSyncReply) last_reply = NULL;

  for (guint attempt = 0; attempt < max_attempts; attempt++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new (method, url);
      g_autoptr(GBytes) reply_body = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(CpSyncReply) reply = NULL;
      SoupMessageHeaders *request_headers;
      gint64 wait_ms = -1;
      Wrote wrote = { wrote_func, wrote_data };
      Body request_body = { body, content_type };

      if (msg == NULL)
        {
          g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_INVALID_URL,
                       _("“%s” is not a valid server address."), url);
          return NULL;
        }
      request_headers = soup_message_get_request_headers (msg);
      if (authenticate)
        {
          g_autofree char *token = cp_sync_client_dup_token (self);
          g_autofree char *value = NULL;

          if (token == NULL)
            {
              g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN, "%s",
                           _("Log in to the server to send and receive packets."));
              return NULL;
            }
          value = g_strconcat ("Bearer ", token, NULL);
          soup_message_headers_replace (request_headers, "Authorization", value);
        }
      for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
        soup_message_headers_replace (request_headers, headers[i], headers[i + 1]);
      if (body != NULL)
        {
          soup_message_set_request_body_from_bytes (msg, content_type, body);
          g_signal_connect (msg, "restarted", G_CALLBACK (restarted_cb), &request_body);
        }
      if (wrote_func != NULL)
        g_signal_connect (msg, "wrote-body-data", G_CALLBACK (wrote_body_data_cb), &wrote);

      g_atomic_int_inc (&self->n_requests);
      {
        g_autoptr(GInputStream) stream = soup_session_send (self->session, msg, cancellable,
                                                            &local_error);

        if (stream != NULL)
          {
            reply_body = read_reply (msg, stream, cp_sync_client_get_max_reply (self),
                                     cancellable, &local_error);
            g_input_stream_close (stream, NULL, NULL);
          }
      }
      /* An answer too large is the server's fault, not the network's: not worth retrying. */
      if (reply_body == NULL && g_error_matches (local_error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (wrote_func != NULL)
        g_signal_handlers_disconnect_by_func (msg, wrote_body_data_cb, &wrote);
      if (body != NULL)
        g_signal_handlers_disconnect_by_func (msg, restarted_cb, &request_body);

      if (reply_body == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              g_cancellable_is_cancelled (cancellable))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                           _("Sync was cancelled."));
              return NULL;
            }
          if (local_error->domain == G_TLS_ERROR)
            {
              g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE,
                           _("The server's identity could not be verified (%s)."),
                           local_error->message);
              return NULL;
            }
          g_clear_error (&last_error);
          last_error = g_steal_pointer (&local_error);
          g_clear_pointer (&last_reply, cp_sync_reply_free);
        }
      else
        {
          reply = reply_new (msg, reply_body);
          if (reply->status == 401 && authenticate)
            {
              g_propagate_error (error, cp_sync_reply_to_error (reply));
              return NULL;
            }
          if (!status_is_transient (reply->status) && !reply_is_damaged (reply))
            return g_steal_pointer (&reply);
          wait_ms = retry_after_ms (reply->headers);
          if (retry_after_out != NULL)
            *retry_after_out = wait_ms;
          g_clear_pointer (&last_reply, cp_sync_reply_free);
          last_reply = g_steal_pointer (&reply);
          g_clear_error (&last_error);
        }

      if (attempt + 1 < max_attempts)
        {
          guint delay = wait_ms >= 0 ? (guint) MIN (wait_ms, (gint64) self->max_delay_ms)
                                     : backoff_ms (self, attempt);

          if (!cp_sync_sleep (delay, cancellable))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                           _("Sync was cancelled."));
              return NULL;
            }
        }
    }

  if (last_reply != NULL)
    {
      if (reply_is_damaged (last_reply) && !status_is_transient (last_reply->status))
        g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                     _("The server's replies arrive damaged. Try again later."));
      else
        g_propagate_error (error, cp_sync_reply_to_error (last_reply));
    }
  else
    g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE,
                 _("The server cannot be reached (%s). Your work is kept on this computer and "
                   "will be sent when the connection is back."), last_error->message);
  return NULL;
}

CpSyncReply *
cp_sync_client_request (CpSyncClient        *self,
                        const char          *method,
                        const char          *path,
                        const char * const  *headers,
                        GBytes              *body,
                        const char          *content_type,
                        CpSyncWroteFunc      wrote_func,
                        gpointer             wrote_data,
                        GCancellable        *cancellable,
                        GError             **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL && path != NULL && path[0] == '/', NULL);

  return request_full (self, method, path, headers, body, content_type, wrote_func, wrote_data,
                       self->max_attempts, TRUE, NULL, cancellable, error);
}

CpSyncReply *
cp_sync_client_request_once (CpSyncClient        *self,
                             const char          *method,
                             const char          *path,
                             const char * const  *headers,
                             GBytes              *body,
                             const char          *content_type,
                             CpSyncWroteFunc      wrote_func,
                             gpointer             wrote_data,
                             gint64              *retry_after_ms_out,
                             GCancellable        *cancellable,
                             GError             **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (method != NULL && path != NULL && path[0] == '/', NULL);

  if (retry_after_ms_out != NULL)
    *retry_after_ms_out = -1;
  return request_full (self, method, path, headers, body, content_type, wrote_func, wrote_data,
                       1, TRUE, retry_after_ms_out, cancellable, error);
}

guint
cp_sync_client_get_max_attempts (CpSyncClient *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), 1);
  return self->max_attempts;
}

guint
cp_sync_client_backoff_ms (CpSyncClient *self,
                           guint         attempt,
                           gint64        retry_after)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), 0);
  if (retry_after >= 0)
    return (guint) MIN (retry_after, (gint64) self->max_delay_ms);
  return backoff_ms (self, attempt);
}

/* --- GObject ------------------------------------------------------------------------------- */

static void
cp_sync_client_finalize (GObject *object)
{
  CpSyncClient *self = CP_SYNC_CLIENT (object);

  g_clear_object (&self->session);
  g_free (self->base_url);
  g_free (self->token);
  g_free (self->user);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (cp_sync_client_parent_class)->finalize (object);
}

static void
cp_sync_client_class_init (CpSyncClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_sync_client_finalize;
}

static void
cp_sync_client_init (CpSyncClient *self)
{
  g_mutex_init (&self->lock);
  self->max_attempts = 6;
  self->max_reply = CP_SYNC_MAX_REPLY;
  self->base_delay_ms = 500;
  self->max_delay_ms = 60 * 1000;
  self->session = soup_session_new_with_options ("user-agent", "CreditPacket/" PACKAGE_VERSION,
                                                 "timeout", 30,
                                                 "idle-timeout", 60,
                                                 "max-conns-per-host", 8,
                                                 NULL);
}

CpSyncClient *
cp_sync_client_new (const char  *base_url,
                    GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(CpSyncClient) self = NULL;
  const char *scheme;
  const char *host;
  gsize len;

  g_return_val_if_fail (base_url != NULL, NULL);

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  host = uri != NULL ? g_uri_get_host (uri) : NULL;
  if (uri == NULL || host == NULL || host[0] == '\0' ||
      (g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0) ||
      g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_INVALID_URL,
                   _("“%s” is not a server address. Enter one such as "
                     "https://credit.example.cn."), base_url);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "http") == 0 && !host_is_loopback (host))
    {
      g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_INSECURE,
                   _("The address %s is not encrypted. Use an https:// address, so that "
                     "passwords and packets cannot be read on the way."), base_url);
      return NULL;
    }

  self = g_object_new (CP_TYPE_SYNC_CLIENT, NULL);
  self->base_url = g_strdup (base_url);
  len = strlen (self->base_url);
  while (len > 0 && self->base_url[len - 1] == '/')
    self->base_url[--len] = '\0';
  return g_steal_pointer (&self);
}

const char *
cp_sync_client_get_base_url (CpSyncClient *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  return self->base_url;
}

/* The token and the user are read from the sync thread and written from the main thread. */
static void
set_locked (CpSyncClient  *self,
            char         **field,
            const char    *value)
{
  g_mutex_lock (&self->lock);
  g_free (*field);
  *field = g_strdup (value);
  g_mutex_unlock (&self->lock);
}

static char *
dup_locked (CpSyncClient  *self,
            char         **field)
{
  char *value;

  g_mutex_lock (&self->lock);
  value = g_strdup (*field);
  g_mutex_unlock (&self->lock);
  return value;
}

void
cp_sync_client_set_token (CpSyncClient *self,
                          const char   *token)
{
  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  set_locked (self, &self->token, token);
}

char *
cp_sync_client_dup_token (CpSyncClient *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  return dup_locked (self, &self->token);
}

void
cp_sync_client_set_user (CpSyncClient *self,
                         const char   *user)
{
  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  set_locked (self, &self->user, user);
}

char *
cp_sync_client_dup_user (CpSyncClient *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  return dup_locked (self, &self->user);
}

void
cp_sync_client_set_retry_policy (CpSyncClient *self,
                                 guint         max_attempts,
                                 guint         base_delay_ms,
                                 guint         max_delay_ms)
{
  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (max_attempts >= 1);

  self->max_attempts = max_attempts;
  self->base_delay_ms = MAX (1u, base_delay_ms);
  self->max_delay_ms = MAX (self->base_delay_ms, max_delay_ms);
}

void
cp_sync_client_set_timeout (CpSyncClient *self,
                            guint         seconds)
{
  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_object_set (self->session, "timeout", seconds, NULL);
}

gsize
cp_sync_client_get_max_reply (CpSyncClient *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), CP_SYNC_MAX_REPLY);
  return (gsize) g_atomic_pointer_get ((gpointer *) &self->max_reply);
}

void
cp_sync_client_set_max_reply (CpSyncClient *self,
                              gsize         max_reply)
{
  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  max_reply = CLAMP (max_reply, CP_SYNC_MIN_REPLY, CP_SYNC_MAX_REPLY);
  g_atomic_pointer_set ((gpointer *) &self->max_reply, (gpointer) max_reply);
}

guint
cp_sync_client_get_n_requests (CpSyncClient *self)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), 0);
  return (guint) g_atomic_int_get (&self->n_requests);
}

/* --- login and logout ---------------------------------------------------------------------- */

typedef struct
{
  char *user;
  char *password;
} Login;

static void
login_free (Login *login)
{
  g_free (login->user);
  if (login->password != NULL)
    memset (login->password, 0, strlen (login->password));
  g_free (login->password);
  g_free (login);
}

/* The largest reply the server says it sends (GET /limits, "max_reply"): replies are read up to
 * that (within CP_SYNC_MIN_REPLY and CP_SYNC_MAX_REPLY). A server that does not say, or cannot
 * be asked, leaves the ceiling. */
static void
update_max_reply (CpSyncClient *self,
                  GCancellable *cancellable)
{
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  reply = request_full (self, "GET", "/api/v1/limits", NULL, NULL, NULL, NULL, NULL, 1, FALSE,
                        NULL, cancellable, &error);
  if (reply == NULL || reply->status != 200 || reply->json == NULL ||
      !JSON_NODE_HOLDS_OBJECT (reply->json))
    return;
  node = json_object_get_member (json_node_get_object (reply->json), "max_reply");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) > 0)
    cp_sync_client_set_max_reply (self, (gsize) MIN (json_node_get_int (node),
                                                     (gint64) CP_SYNC_MAX_REPLY));
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  Login *login = task_data;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(CpSyncReply) reply = NULL;
  GError *error = NULL;
  JsonObject *object;
  const char *token;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "user");
  json_builder_add_string_value (builder, login->user);
  json_builder_set_member_name (builder, "password");
  json_builder_add_string_value (builder, login->password);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  text = json_to_string (request, FALSE);
  body = g_bytes_new_take (text, strlen (text));

  /* One attempt: a login is not worth repeating behind the user's back. */
  reply = request_full (self, "POST", "/api/v1/session", NULL, body, "application/json", NULL,
                        NULL, 1, FALSE, NULL, cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status == 401)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_LOGIN_FAILED, "%s",
                               _("The user name or the password is wrong."));
      return;
    }
  if (reply->status == 429)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                               _("Too many failed logins. Wait a minute, then try again."));
      return;
    }
  if (reply->status != 201 && reply->status != 200)
    {
      g_task_return_error (task, cp_sync_reply_to_error (reply));
      return;
    }
  if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json) ||
      (token = json_object_get_string_member_with_default (json_node_get_object (reply->json),
                                                           "token", NULL)) == NULL)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                               _("The server's answer to the login makes no sense. Check the "
                                 "server address."));
      return;
    }
  object = json_node_get_object (reply->json);
  cp_sync_client_set_token (self, token);
  cp_sync_client_set_user (self, login->user);
  update_max_reply (self, cancellable);
  if (json_object_has_member (object, "user") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "user")))
    g_task_return_pointer (task, json_node_copy (json_object_get_member (object, "user")),
                           (GDestroyNotify) json_node_unref);
  else
    g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                           (GDestroyNotify) json_node_unref);
}

void
cp_sync_client_login_async (CpSyncClient        *self,
                            const char          *user,
                            const char          *password,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Login *login;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (user != NULL && password != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  login = g_new0 (Login, 1);
  login->user = g_strdup (user);
  login->password = g_strdup (password);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_login_async);
  g_task_set_task_data (task, login, (GDestroyNotify) login_free);
  g_task_run_in_thread (task, login_thread);
}

JsonNode *
cp_sync_client_login_finish (CpSyncClient  *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_client_login_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
logout_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  g_autoptr(CpSyncReply) reply = NULL;
  GError *error = NULL;

  reply = request_full (self, "DELETE", "/api/v1/session", NULL, NULL, NULL, NULL, NULL, 1, TRUE,
                        NULL, cancellable, &error);
  cp_sync_client_set_token (self, NULL);
  if (reply == NULL && !g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN))
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_error (&error);
  g_task_return_boolean (task, TRUE);
}

void
cp_sync_client_logout_async (CpSyncClient        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_logout_async);
  g_task_run_in_thread (task, logout_thread);
}

gboolean
cp_sync_client_logout_finish (CpSyncClient  *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cp_sync_client_logout_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- progress against the quotas --------------------------------------------------------- */

typedef struct
{
  CpProgress     progress;
  gatomicrefcount ref_count;
} ProgressReal;

static void
progress_row_free (CpProgressRow *row)
{
  if (row == NULL)
    return;
  g_free (row->district);
  g_free (row->name);
  g_clear_pointer (&row->kinds, g_ptr_array_unref);
  g_free (row->all.kind);
  g_free (row);
}

static void
progress_figures_free (CpProgressFigures *figures)
{
  g_free (figures->kind);
  g_free (figures);
}

static CpProgress *
progress_new (void)
{
  ProgressReal *real = g_new0 (ProgressReal, 1);

  g_atomic_ref_count_init (&real->ref_count);
  real->progress.districts = g_ptr_array_new_with_free_func ((GDestroyNotify) progress_row_free);
  return &real->progress;
}

CpProgress *
cp_progress_ref (CpProgress *progress)
{
  g_return_val_if_fail (progress != NULL, NULL);
  g_atomic_ref_count_inc (&((ProgressReal *) progress)->ref_count);
  return progress;
}

void
cp_progress_unref (CpProgress *progress)
{
  g_return_if_fail (progress != NULL);
  if (!g_atomic_ref_count_dec (&((ProgressReal *) progress)->ref_count))
    return;
  g_clear_pointer (&progress->districts, g_ptr_array_unref);
  g_clear_pointer (&progress->total, progress_row_free);
  g_free (progress);
}

G_DEFINE_BOXED_TYPE (CpProgress, cp_progress, cp_progress_ref, cp_progress_unref)

const CpProgressFigures *
cp_progress_row_get_kind (const CpProgressRow *row,
                          const char          *kind)
{
  g_return_val_if_fail (row != NULL, NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  for (guint i = 0; i < row->kinds->len; i++)
    {
      const CpProgressFigures *figures = g_ptr_array_index (row->kinds, i);

      if (g_str_equal (figures->kind, kind))
        return figures;
    }
  return NULL;
}

static gboolean
progress_bad (GError     **error,
              const char  *member,
              const char  *where)
{
  g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
               _("The server’s progress report cannot be read: “%s” of %s is missing or "
                 "wrong. Check the server address, or update the server."), member, where);
  return FALSE;
}

static JsonNode *
progress_member (JsonObject *object,
                 const char *member)
{
  return object != NULL ? json_object_get_member (object, member) : NULL;
}

static gboolean
progress_read_int (JsonObject  *object,
                   const char  *member,
                   const char  *where,
                   gint64       min,
                   gint64       max,
                   int         *out,
                   GError     **error)
{
  JsonNode *node = progress_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    return progress_bad (error, member, where);
  *out = (int) json_node_get_int (node);
  return TRUE;
}

static const char *
progress_read_string (JsonObject  *object,
                      const char  *member,
                      const char  *where,
                      GError     **error)
{
  JsonNode *node = progress_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING ||
      *json_node_get_string (node) == '\0')
    {
      progress_bad (error, member, where);
      return NULL;
    }
  return json_node_get_string (node);
}

/* quota, accepted, rate and deduction of @object into @figures. */
static gboolean
progress_read_figures (JsonObject         *object,
                       const char         *where,
                       CpProgressFigures  *figures,
                       GError            **error)
{
  JsonNode *rate;

  if (!progress_read_int (object, "quota", where, 0, G_MAXINT, &figures->quota, error) ||
      !progress_read_int (object, "accepted", where, 0, G_MAXINT, &figures->accepted, error) ||
      !progress_read_int (object, "deduction", where, -5, 0, &figures->deduction, error))
    return FALSE;
  rate = progress_member (object, "rate");
  if (rate != NULL && JSON_NODE_HOLDS_NULL (rate) && figures->quota == 0)
    {
      figures->has_rate = FALSE;
      figures->rate = 0;
      return TRUE;
    }
  if (rate == NULL || !JSON_NODE_HOLDS_VALUE (rate) || figures->quota == 0 ||
      (json_node_get_value_type (rate) != G_TYPE_DOUBLE &&
       json_node_get_value_type (rate) != G_TYPE_INT64))
    return progress_bad (error, "rate", where);
  figures->has_rate = TRUE;
  figures->rate = json_node_get_value_type (rate) == G_TYPE_DOUBLE ? json_node_get_double (rate)
                                                                     : json_node_get_int (rate);
  if (!isfinite (figures->rate) || figures->rate < 0)
    return progress_bad (error, "rate", where);
  return TRUE;
}

/* A district (@district_member TRUE) or the totals. */
static CpProgressRow *
progress_read_row (JsonNode    *node,
                   gboolean     district_member,
                   GError     **error)
{
  g_autoptr(GPtrArray) kinds = NULL;
  CpProgressRow *row;
  const char *where = district_member ? _("a district") : _("the totals");
  JsonObject *object;
  JsonNode *kinds_node;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      progress_bad (error, district_member ? "districts" : "total", _("the report"));
      return NULL;
    }
  object = json_node_get_object (node);
  row = g_new0 (CpProgressRow, 1);
  row->kinds = g_ptr_array_new_with_free_func ((GDestroyNotify) progress_figures_free);
  if (district_member)
    {
      const char *code = progress_read_string (object, "district", where, error);
      const char *name = code != NULL ? progress_read_string (object, "name", code, error) : NULL;

      if (name == NULL)
        {
          progress_row_free (row);
          return NULL;
        }
      row->district = g_strdup (code);
      row->name = g_strdup (name);
      where = row->district;
    }

  kinds_node = progress_member (object, "kinds");
  if (kinds_node == NULL || !JSON_NODE_HOLDS_ARRAY (kinds_node))
    {
      progress_bad (error, "kinds", where);
      progress_row_free (row);
      return NULL;
    }
  array = json_node_get_array (kinds_node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *kind_node = json_array_get_element (array, i);
      JsonObject *kind_object = JSON_NODE_HOLDS_OBJECT (kind_node)
                                ? json_node_get_object (kind_node) : NULL;
      CpProgressFigures *figures = g_new0 (CpProgressFigures, 1);
      const char *kind;

      g_ptr_array_add (row->kinds, figures);
      kind = progress_read_string (kind_object, "kind", where, error);
      if (kind == NULL)
        {
          progress_row_free (row);
          return NULL;
        }
      figures->kind = g_strdup (kind);
      if (cp_progress_row_get_kind (row, kind) != figures)
        {
          progress_bad (error, kind, where);
          progress_row_free (row);
          return NULL;
        }
      {
        g_autofree char *kind_where = g_strdup_printf ("%s/%s", where, kind);

        if (!progress_read_figures (kind_object, kind_where, figures, error))
          {
            progress_row_free (row);
            return NULL;
          }
      }
    }
  if (!progress_read_figures (object, where, &row->all, error))
    {
      progress_row_free (row);
      return NULL;
    }
  return row;
}

CpProgress *
cp_progress_new_from_json (JsonNode  *node,
                           GError   **error)
{
  g_autoptr(CpProgress) progress = NULL;
  JsonObject *object;
  JsonNode *districts;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      progress_bad (error, "{}", _("the report"));
      return NULL;
    }
  object = json_node_get_object (node);
  progress = progress_new ();
  if (!progress_read_int (object, "year", _("the report"), 1, 9999, &progress->year, error))
    return NULL;
  districts = progress_member (object, "districts");
  if (districts == NULL || !JSON_NODE_HOLDS_ARRAY (districts))
    {
      progress_bad (error, "districts", _("the report"));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (json_node_get_array (districts)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (districts), i);
      CpProgressRow *row = progress_read_row (element, TRUE, error);

      if (row == NULL)
        return NULL;
      g_ptr_array_add (progress->districts, row);
    }
  progress->total = progress_read_row (progress_member (object, "total"), FALSE, error);
  if (progress->total == NULL)
    return NULL;
  return g_steal_pointer (&progress);
}

/* A GET of @path that an office waits for (two tries at most: the user has a Refresh button):
 * the reply when its status is 200, otherwise NULL with @error set, @forbidden its message
 * for a 403. */
static CpSyncReply *
get_for_office (CpSyncClient  *self,
                const char    *path,
                const char    *forbidden,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(CpSyncReply) reply = NULL;

  reply = request_full (self, "GET", path, NULL, NULL, NULL, NULL, NULL,
                        MIN (2u, self->max_attempts), TRUE, NULL, cancellable, error);
  if (reply == NULL)
    return NULL;
  if (reply->status == 403)
    {
      g_set_error_literal (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, forbidden);
      return NULL;
    }
  if (reply->status != 200)
    {
      g_propagate_error (error, cp_sync_reply_to_error (reply));
      return NULL;
    }
  return g_steal_pointer (&reply);
}

static void
progress_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  int year = GPOINTER_TO_INT (task_data);
  g_autofree char *path = g_strdup_printf ("/api/v1/progress?year=%d", year);
  g_autoptr(CpSyncReply) reply = NULL;
  CpProgress *progress;
  GError *error = NULL;

  reply = get_for_office (self, path, _("Only credit offices can see the progress against the "
                                        "quotas."), cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  progress = cp_progress_new_from_json (reply->json, &error);
  if (progress == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (progress->year != year)
    {
      cp_progress_unref (progress);
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                               _("The server answered for another year than %d."), year);
      return;
    }
  g_task_return_pointer (task, progress, (GDestroyNotify) cp_progress_unref);
}

void
cp_sync_client_get_progress_async (CpSyncClient        *self,
                                   int                  year,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (year > 0 && year < 10000);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_get_progress_async);
  g_task_set_task_data (task, GINT_TO_POINTER (year), NULL);
  g_task_run_in_thread (task, progress_thread);
}

CpProgress *
cp_sync_client_get_progress_finish (CpSyncClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_get_progress_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- reports ------------------------------------------------------------------------------ */

/* A report file is a table of at most a few thousand rows; anything far larger is not one
 * (the server sends at most 16 MB, CP_SERVER_MAX_REPORT). */
#define MAX_REPORT_SIZE (16 * 1024 * 1024)
/* A report's title becomes the suggested file name and a line of the report dialog. */
#define MAX_REPORT_TITLE 200

CpReportInfo *
cp_report_info_copy (const CpReportInfo *info)
{
  CpReportInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_new0 (CpReportInfo, 1);
  copy->id = g_strdup (info->id);
  copy->version = g_strdup (info->version);
  copy->kind = g_strdup (info->kind);
  copy->title = info->title != NULL ? cp_text_ref (info->title) : NULL;
  copy->due_month = info->due_month;
  copy->due_day = info->due_day;
  return copy;
}

void
cp_report_info_free (CpReportInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->version);
  g_free (info->kind);
  g_clear_pointer (&info->title, cp_text_unref);
  g_free (info);
}

G_DEFINE_BOXED_TYPE (CpReportInfo, cp_report_info, cp_report_info_copy, cp_report_info_free)

gboolean
cp_sync_client_is_report_id (const char *id)
{
  gsize len;

  if (id == NULL)
    return FALSE;
  len = strlen (id);
  if (len == 0 || len > 64)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!(g_ascii_islower (id[i]) || g_ascii_isdigit (id[i]) || id[i] == '-' || id[i] == '_'))
      return FALSE;
  return TRUE;
}

static gboolean
reports_bad (GError     **error,
             const char  *what)
{
  g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
               _("The server’s list of reports cannot be read: %s. Check the server address, "
                 "or update the server."), what);
  return FALSE;
}

/* Text fit for a title: at most MAX_REPORT_TITLE characters, no control characters (line
 * breaks, escapes) and no path separators. */
static gboolean
report_title_is_plain (const char *text)
{
  if (text == NULL || *text == '\0' || g_utf8_strlen (text, -1) > MAX_REPORT_TITLE)
    return FALSE;
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) || c == '/' || c == '\\' || c == 0x2028 || c == 0x2029 ||
          (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
        return FALSE;
    }
  return TRUE;
}

/* The title member: a string, or an object of strings by language. */
static gboolean
report_title_node_is_plain (JsonNode *node)
{
  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_VALUE (node))
    return json_node_get_value_type (node) == G_TYPE_STRING &&
           report_title_is_plain (json_node_get_string (node));
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        if (!report_title_node_is_plain (member) || strlen (name) > 16)
          return FALSE;
      return TRUE;
    }
  return FALSE;
}

static CpReportInfo *
report_info_from_json (JsonNode  *node,
                       GError   **error)
{
  g_autoptr(CpReportInfo) info = g_new0 (CpReportInfo, 1);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;
  JsonNode *title;
  const char *due;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      reports_bad (error, _("an entry is not an object"));
      return NULL;
    }
  object = json_node_get_object (node);
  info->id = g_strdup (json_object_get_string_member_with_default (object, "id", NULL));
  if (!cp_sync_client_is_report_id (info->id))
    {
      reports_bad (error, _("a report has no valid id"));
      return NULL;
    }
  info->version = g_strdup (json_object_get_string_member_with_default (object, "version",
                                                                        NULL));
  info->kind = g_strdup (json_object_get_string_member_with_default (object, "kind", NULL));
  if (info->version == NULL || info->kind == NULL || *info->kind == '\0')
    {
      reports_bad (error, info->id);
      return NULL;
    }
  title = json_object_get_member (object, "title");
  if (!report_title_node_is_plain (title))
    {
      reports_bad (error, info->id);
      return NULL;
    }
  info->title = cp_text_new_from_json (title, &local_error);
  if (info->title == NULL)
    {
      reports_bad (error, info->id);
      return NULL;
    }
  due = json_object_get_string_member_with_default (object, "due", NULL);
  if (due != NULL)
    {
      guint64 month = 0;
      guint64 day = 0;
      g_auto(GStrv) parts = g_strsplit (due, "-", -1);

      if (g_strv_length (parts) != 2 ||
          !g_ascii_string_to_unsigned (parts[0], 10, 1, 12, &month, NULL) ||
          !g_ascii_string_to_unsigned (parts[1], 10, 1, 31, &day, NULL))
        {
          reports_bad (error, info->id);
          return NULL;
        }
      info->due_month = (int) month;
      info->due_day = (int) day;
    }
  return g_steal_pointer (&info);
}

static void
list_reports_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GPtrArray) reports = NULL;
  GError *error = NULL;
  JsonNode *list;

  reply = get_for_office (self, "/api/v1/reports", _("Only credit offices can export reports."),
                          cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  list = reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json)
         ? json_object_get_member (json_node_get_object (reply->json), "reports") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      reports_bad (&error, _("it has no list"));
      g_task_return_error (task, error);
      return;
    }
  reports = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_report_info_free);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      CpReportInfo *info = report_info_from_json (
        json_array_get_element (json_node_get_array (list), i), &error);

      if (info == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (reports, info);
    }
  g_task_return_pointer (task, g_steal_pointer (&reports), (GDestroyNotify) g_ptr_array_unref);
}

void
cp_sync_client_list_reports_async (CpSyncClient        *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_list_reports_async);
  g_task_run_in_thread (task, list_reports_thread);
}

GPtrArray *
cp_sync_client_list_reports_finish (CpSyncClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_list_reports_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char               *report_id;
  int                 year;
  char               *district;
  CpSyncReportFormat  format;
  char               *lang;
  char               *path;
} FetchReport;

static void
fetch_report_free (FetchReport *fetch)
{
  g_free (fetch->report_id);
  g_free (fetch->district);
  g_free (fetch->lang);
  g_free (fetch->path);
  g_free (fetch);
}

/* The server's answer to a report request that is not the file, in words for the user: the
 * server's own detail is English, the problem's type says which. */
static GError *
report_problem (CpSyncReply       *reply,
                const FetchReport *fetch)
{
  const char *type = reply->problem_type != NULL ? reply->problem_type : "";

  if (reply->status == 404 && g_str_equal (type, "no-data"))
    {
      if (fetch->district != NULL)
        return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_NO_DATA,
                            _("No packet of %d from the district “%s” is in this report. "
                              "Check the year and the district."),
                            fetch->year, fetch->district);
      return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_NO_DATA,
                          _("No packet of %d is in this report. Check the year."), fetch->year);
    }
  if (reply->status == 404 && g_str_equal (type, "unknown-report"))
    return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                        _("The server has no report “%s”. Choose another report; the list may "
                          "have changed on the server."), fetch->report_id);
  if (reply->status == 404 && g_str_equal (type, "unknown-district"))
    return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                        _("The server knows no district “%s”. Choose another district."),
                        fetch->district);
  if (reply->status == 403)
    return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                        fetch->district != NULL
                        ? _("This account may not export reports of that district: an office's "
                            "reports cover its own district only.")
                        : _("Only credit offices can export reports."));
  if (reply->status == 400)
    return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                        _("The server refused the request (%s). Choose a campaign year from "
                          "1990 to 2999."), reply->detail != NULL ? reply->detail : "400");
  return cp_sync_reply_to_error (reply);
}

/* Whether @body is the file that was asked for. */
static gboolean
report_body_is (CpSyncReply        *reply,
                CpSyncReportFormat  format)
{
  const char *content_type = soup_message_headers_get_content_type (reply->headers, NULL);
  gsize size = 0;
  const char *data = g_bytes_get_data (reply->body, &size);

  if (content_type == NULL || size == 0)
    return FALSE;
  if (format == CP_SYNC_REPORT_CSV)
    return g_str_equal (content_type, "text/csv") && size >= 3 &&
           memcmp (data, "\xef\xbb\xbf", 3) == 0 && g_utf8_validate_len (data, size, NULL);
  /* An Excel workbook is a zip archive. */
  return g_str_equal (content_type,
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet") &&
         size >= 4 && memcmp (data, "PK\003\004", 4) == 0;
}

static void
fetch_report_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  FetchReport *fetch = task_data;
  g_autoptr(GString) path = g_string_new ("/api/v1/reports/");
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GError) local_error = NULL;
  GError *error = NULL;

  /* Every part was checked (cp_sync_client_is_report_id()): nothing needs escaping. */
  g_string_append_printf (path, "%s?year=%d&format=%s", fetch->report_id, fetch->year,
                          fetch->format == CP_SYNC_REPORT_CSV ? "csv" : "xlsx");
  if (fetch->district != NULL)
    g_string_append_printf (path, "&district=%s", fetch->district);
  if (fetch->lang != NULL)
    g_string_append_printf (path, "&lang=%s", fetch->lang);

  reply = request_full (self, "GET", path->str, NULL, NULL, NULL, NULL, NULL,
                        MIN (2u, self->max_attempts), TRUE, NULL, cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status != 200)
    {
      g_task_return_error (task, report_problem (reply, fetch));
      return;
    }
  if (g_bytes_get_size (reply->body) > MAX_REPORT_SIZE)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
                               _("The server sent a report larger than %u MB, more than it may "
                                 "send. Check the server address, or update the server."),
                               (guint) (MAX_REPORT_SIZE / (1024 * 1024)));
      return;
    }
  if (!report_body_is (reply, fetch->format))
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                               fetch->format == CP_SYNC_REPORT_CSV
                               ? _("The server did not send a CSV file. Check the server "
                                   "address, or update the server.")
                               : _("The server did not send an Excel workbook. Check the server "
                                   "address, or update the server."));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* A temporary file beside @path, synced, renamed over it. */
  if (!g_file_set_contents_full (fetch->path, g_bytes_get_data (reply->body, NULL),
                                 (gssize) g_bytes_get_size (reply->body),
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0666, &local_error))
    {
      g_autofree char *display = g_filename_display_name (fetch->path);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _("Could not write the report to “%s”: %s. Choose another "
                                 "folder or free some space, then try again."),
                               display, local_error->message);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
cp_sync_client_fetch_report_async (CpSyncClient        *self,
                                   const char          *report_id,
                                   int                  year,
                                   const char          *district,
                                   CpSyncReportFormat   format,
                                   const char          *lang,
                                   const char          *path,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FetchReport *fetch;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (report_id != NULL);
  g_return_if_fail (format == CP_SYNC_REPORT_XLSX || format == CP_SYNC_REPORT_CSV);
  g_return_if_fail (lang == NULL || g_str_equal (lang, "zh_CN") || g_str_equal (lang, "en"));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_fetch_report_async);
  /* The names go into the request's path: only what the server's ids can be. */
  if (!cp_sync_client_is_report_id (report_id))
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                               _("“%s” is not the name of a report."), report_id);
      return;
    }
  if (district != NULL && !cp_sync_client_is_report_id (district))
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                               _("“%s” is not the code of a district."), district);
      return;
    }
  if (year < 1990 || year > 2999)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED,
                               _("Choose a campaign year from 1990 to 2999, not %d."), year);
      return;
    }

  fetch = g_new0 (FetchReport, 1);
  fetch->report_id = g_strdup (report_id);
  fetch->year = year;
  fetch->district = g_strdup (district);
  fetch->format = format;
  fetch->lang = g_strdup (lang);
  fetch->path = g_strdup (path);
  g_task_set_task_data (task, fetch, (GDestroyNotify) fetch_report_free);
  g_task_run_in_thread (task, fetch_report_thread);
}

gboolean
cp_sync_client_fetch_report_finish (CpSyncClient  *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_fetch_report_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- who wrote what ----------------------------------------------------------------------- */

/* A member of the authors object as the server sends it (docs/api.md), else FALSE. */
static gboolean
author_is_valid (const char *pointer,
                 JsonNode   *node)
{
  g_auto(GStrv) tokens = NULL;
  g_autoptr(GDateTime) at = NULL;
  JsonObject *object;
  JsonNode *member;
  CpRole role;

  tokens = cp_json_pointer_split (pointer);
  if (tokens == NULL || tokens[0] == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return FALSE;
  object = json_node_get_object (node);
  member = json_object_get_member (object, "name");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING ||
      *json_node_get_string (member) == '\0')
    return FALSE;
  member = json_object_get_member (object, "party");
  if (member != NULL &&
      (!JSON_NODE_HOLDS_VALUE (member) || json_node_get_value_type (member) != G_TYPE_STRING ||
       !cp_role_from_string (json_node_get_string (member), &role)))
    return FALSE;
  member = json_object_get_member (object, "at");
  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return FALSE;
  at = g_date_time_new_from_iso8601 (json_node_get_string (member), NULL);
  return at != NULL;
}

static void
authors_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  const char *uuid = task_data;
  g_autofree char *path = g_strconcat ("/api/v1/packets/", uuid, "/authors", NULL);
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(JsonObject) authors = NULL;
  JsonNode *member = NULL;
  GError *error = NULL;

  reply = request_full (self, "GET", path, NULL, NULL, NULL, NULL, NULL,
                        MIN (2u, self->max_attempts), TRUE, NULL, cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status != 200)
    {
      error = cp_sync_reply_to_error (reply);
      /* As invisible as missing (docs/api.md): the server's sentence, the caller's code. */
      if (reply->status == 404 && error->domain == CP_SYNC_ERROR)
        error->code = CP_SYNC_ERROR_NOT_FOUND;
      g_task_return_error (task, error);
      return;
    }
  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
    member = json_object_get_member (json_node_get_object (reply->json), "authors");
  if (member == NULL || !JSON_NODE_HOLDS_OBJECT (member) ||
      g_strcmp0 (cp_sync_object_string (reply->json, "uuid"), uuid) != 0)
    {
      g_task_return_error (task, cp_sync_bad_reply_error ("the authors of a packet"));
      return;
    }
  authors = json_object_new ();
  {
    JsonObjectIter iter;
    const char *pointer;
    JsonNode *node;
    guint dropped = 0;

    json_object_iter_init (&iter, json_node_get_object (member));
    while (json_object_iter_next (&iter, &pointer, &node))
      {
        if (author_is_valid (pointer, node))
          json_object_set_member (authors, pointer, json_node_copy (node));
        else
          dropped++;
      }
    if (dropped > 0)
      g_message ("Left out %u authors the server named that make no sense", dropped);
  }
  g_task_return_pointer (task, g_steal_pointer (&authors), (GDestroyNotify) json_object_unref);
}

void
cp_sync_client_get_authors_async (CpSyncClient        *self,
                                  const char          *uuid,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (cp_uuid_is_valid (uuid));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_get_authors_async);
  g_task_set_task_data (task, g_strdup (uuid), g_free);
  g_task_run_in_thread (task, authors_thread);
}

JsonObject *
cp_sync_client_get_authors_finish (CpSyncClient  *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_get_authors_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}


/* --- workflow transitions ------------------------------------------------------------------ */

static gboolean
transitions_bad (GError     **error,
                 const char  *what)
{
  g_set_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER,
               _("The server's list of next steps could not be read (%s). Try again later."),
               what);
  return FALSE;
}

static gboolean
member_is (JsonObject *object,
           const char *name,
           GType       type,
           gboolean    nullable)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    return FALSE;
  if (JSON_NODE_HOLDS_NULL (node))
    return nullable;
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* Checks every member of a GET …/transitions answer for @uuid. */
static gboolean
transitions_check (JsonNode    *node,
                   const char  *uuid,
                   GError     **error)
{
  JsonObject *object;
  JsonNode *list;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return transitions_bad (error, "not an object");
  object = json_node_get_object (node);
  if (!member_is (object, "uuid", G_TYPE_STRING, FALSE) ||
      g_strcmp0 (json_object_get_string_member (object, "uuid"), uuid) != 0)
    return transitions_bad (error, "uuid");
  if (!member_is (object, "revision", G_TYPE_INT64, FALSE) ||
      json_object_get_int_member (object, "revision") < 1)
    return transitions_bad (error, "revision");
  if (!member_is (object, "stage", G_TYPE_STRING, TRUE))
    return transitions_bad (error, "stage");
  if (!member_is (object, "role", G_TYPE_STRING, TRUE))
    return transitions_bad (error, "role");
  if (json_object_has_member (object, "evaluator") &&
      !member_is (object, "evaluator", G_TYPE_STRING, TRUE))
    return transitions_bad (error, "evaluator");
  list = json_object_get_member (object, "transitions");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return transitions_bad (error, "transitions");
  for (guint i = 0; i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (list), i);
      JsonObject *entry;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        return transitions_bad (error, "transitions");
      entry = json_node_get_object (element);
      if (!member_is (entry, "transition", G_TYPE_STRING, FALSE) ||
          *json_object_get_string_member (entry, "transition") == '\0' ||
          !member_is (entry, "to", G_TYPE_STRING, FALSE) ||
          !member_is (entry, "comments", G_TYPE_BOOLEAN, FALSE) ||
          !member_is (entry, "assigns", G_TYPE_BOOLEAN, FALSE))
        return transitions_bad (error, "transitions");
    }
  return TRUE;
}

static void
list_transitions_thread (GTask        *task,
                         gpointer      source_object,
                         gpointer      task_data,
                         GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  const char *uuid = task_data;
  g_autofree char *path = g_strdup_printf ("/api/v1/packets/%s/transitions", uuid);
  g_autoptr(CpSyncReply) reply = NULL;
  GError *error = NULL;

  reply = cp_sync_client_request (self, "GET", path, NULL, NULL, NULL, NULL, NULL, cancellable,
                                  &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status == 404)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_NOT_FOUND, "%s",
                               _("The server does not have this packet yet, or you cannot see "
                                 "it. Sync first."));
      return;
    }
  if (reply->status == 409)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED, "%s",
                               _("This packet's kind has no review chain: submit it instead."));
      return;
    }
  if (reply->status != 200)
    {
      g_task_return_error (task, cp_sync_reply_to_error (reply));
      return;
    }
  if (!transitions_check (reply->json, uuid, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, json_node_ref (reply->json), (GDestroyNotify) json_node_unref);
}

void
cp_sync_client_list_transitions_async (CpSyncClient        *self,
                                       const char          *uuid,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (uuid != NULL && g_uuid_string_is_valid (uuid));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_list_transitions_async);
  g_task_set_task_data (task, g_strdup (uuid), g_free);
  g_task_run_in_thread (task, list_transitions_thread);
}

JsonNode *
cp_sync_client_list_transitions_finish (CpSyncClient  *self,
                                        GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_list_transitions_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  char   *uuid;
  GBytes *body;
} Transition;

static void
transition_free (Transition *transition)
{
  g_free (transition->uuid);
  g_bytes_unref (transition->body);
  g_free (transition);
}

/* The server's reason without its closing full stop (the message goes on after it), or words
 * saying it gave none. */
static char *
reply_reason (CpSyncReply *reply)
{
  g_autofree char *reason = g_strdup (reply->detail != NULL ? reply->detail : "");

  g_strstrip (reason);
  while (g_str_has_suffix (reason, ".") || g_str_has_suffix (reason, "。"))
    reason[strlen (reason) - (g_str_has_suffix (reason, ".") ? 1 : strlen ("。"))] = '\0';
  if (*reason == '\0')
    return g_strdup (_("the server gave no reason"));
  return g_steal_pointer (&reason);
}

static GError *
transition_error (CpSyncReply *reply)
{
  g_autofree char *reason = reply_reason (reply);

  switch (reply->status)
    {
    case 403:
      return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_FORBIDDEN,
                          _("This step is not yours to take: %s."), reason);
    case 404:
      return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_NOT_FOUND,
                          _("The server does not have this packet, or you cannot see it: %s."),
                          reason);
    case 409:
      if (g_strcmp0 (reply->problem_type, "agency-not-eligible") == 0)
        return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_WRONG_STAGE,
                            _("This agency cannot evaluate the packet: %s. Choose another "
                              "one."), reason);
      return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_WRONG_STAGE,
                          _("The packet is not in a stage this step leaves: %s. Sync to see "
                            "where it is now."), reason);
    case 412:
      return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_WRONG_STAGE,
                          _("The packet changed on the server meanwhile: %s. Sync and look at "
                            "it again."), reason);
    case 422:
      return g_error_new (CP_SYNC_ERROR, CP_SYNC_ERROR_INCOMPLETE,
                          _("The packet is not ready for this step: %s."), reason);
    default:
      return cp_sync_reply_to_error (reply);
    }
}

static void
transition_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  Transition *transition = task_data;
  g_autofree char *path = g_strdup_printf ("/api/v1/packets/%s/transitions", transition->uuid);
  g_autoptr(CpSyncReply) reply = NULL;
  JsonObject *object;
  GError *error = NULL;

  reply = cp_sync_client_request (self, "POST", path, NULL, transition->body, "application/json",
                                  NULL, NULL, cancellable, &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->status != 200)
    {
      g_task_return_error (task, transition_error (reply));
      return;
    }
  if (reply->json == NULL || !JSON_NODE_HOLDS_OBJECT (reply->json) ||
      !member_is ((object = json_node_get_object (reply->json)), "revision", G_TYPE_INT64, FALSE) ||
      !member_is (object, "stage", G_TYPE_STRING, FALSE) ||
      !member_is (object, "uuid", G_TYPE_STRING, FALSE) ||
      g_strcmp0 (json_object_get_string_member (object, "uuid"), transition->uuid) != 0)
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                               _("The server's answer to this step could not be read. Sync to "
                                 "see whether it was made."));
      return;
    }
  g_task_return_pointer (task, json_node_ref (reply->json), (GDestroyNotify) json_node_unref);
}

void
cp_sync_client_transition_async (CpSyncClient        *self,
                                 const char          *uuid,
                                 const char          *transition,
                                 const char          *comments,
                                 const char          *agency,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  Transition *data;
  char *text;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (uuid != NULL && g_uuid_string_is_valid (uuid));
  g_return_if_fail (transition != NULL && *transition != '\0');
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "transition");
  json_builder_add_string_value (builder, transition);
  if (comments != NULL)
    {
      json_builder_set_member_name (builder, "comments");
      json_builder_begin_array (builder);
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "comment");
      json_builder_add_string_value (builder, comments);
      json_builder_end_object (builder);
      json_builder_end_array (builder);
    }
  if (agency != NULL)
    {
      json_builder_set_member_name (builder, "agency");
      json_builder_add_string_value (builder, agency);
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);

  data = g_new0 (Transition, 1);
  data->uuid = g_strdup (uuid);
  data->body = g_bytes_new_take (text, strlen (text));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_transition_async);
  g_task_set_task_data (task, data, (GDestroyNotify) transition_free);
  g_task_run_in_thread (task, transition_thread);
}

JsonNode *
cp_sync_client_transition_finish (CpSyncClient  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_transition_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- agencies ------------------------------------------------------------------------------ */

static void
list_agencies_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  CpSyncClient *self = source_object;
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GPtrArray) agencies = g_ptr_array_new_with_free_func (
                                    (GDestroyNotify) cp_agency_info_free);
  JsonNode *list = NULL;
  GError *error = NULL;

  reply = get_for_office (self, "/api/v1/agencies",
                          _("Only credit offices can see the list of agencies."), cancellable,
                          &error);
  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (reply->json != NULL && JSON_NODE_HOLDS_OBJECT (reply->json))
    list = json_object_get_member (json_node_get_object (reply->json), "agencies");
  for (guint i = 0; list != NULL && JSON_NODE_HOLDS_ARRAY (list) &&
                    i < json_array_get_length (json_node_get_array (list)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (list), i);
      JsonObject *entry;

      if (!JSON_NODE_HOLDS_OBJECT (element) ||
          !member_is ((entry = json_node_get_object (element)), "id", G_TYPE_STRING, FALSE) ||
          *json_object_get_string_member (entry, "id") == '\0' ||
          !member_is (entry, "name", G_TYPE_STRING, FALSE))
        {
          list = NULL;
          break;
        }
      g_ptr_array_add (agencies,
                       cp_agency_info_new (json_object_get_string_member (entry, "id"),
                                           json_object_get_string_member (entry, "name")));
    }
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    {
      g_task_return_new_error (task, CP_SYNC_ERROR, CP_SYNC_ERROR_SERVER, "%s",
                               _("The server's list of agencies could not be read. Try again "
                                 "later."));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&agencies), (GDestroyNotify) g_ptr_array_unref);
}

void
cp_sync_client_list_agencies_async (CpSyncClient        *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SYNC_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_sync_client_list_agencies_async);
  g_task_run_in_thread (task, list_agencies_thread);
}

GPtrArray *
cp_sync_client_list_agencies_finish (CpSyncClient  *self,
                                     GAsyncResult  *result,
                                     GError       **error)
{
  g_return_val_if_fail (CP_IS_SYNC_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        cp_sync_client_list_agencies_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
