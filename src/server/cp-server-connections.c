/* cp-server-connections.c — the server's connections: listening, timeouts, closing, early replies
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libsoup 3.2.3 (Debian 12) keeps a kept-alive connection open after the client closed it (it
 * stays in CLOSE-WAIT with its descriptor; fixed upstream in 3.3), has no read timeouts, stops
 * accepting for good the first time accept() fails (no descriptor left), and reads a whole request
 * body before it sends an answer it had from the headers. This file makes the server survive all
 * four on that libsoup:
 *
 *  - Every connection the server has seen is tracked by its GSocket, from its first request to its
 *    end. Between two requests a watch on the socket notices when the client closed it (a peek
 *    reads end-of-file) and closes it; a connection idle longer than idle-timeout is closed too.
 *  - A request must deliver its headers within header-timeout (counted from the connection, or
 *    from the first byte of a later request on it) and each part of its body within
 *    body-timeout; otherwise its socket is shut down, which makes libsoup end it.
 *  - The listening socket is made here with a backlog of listen-backlog (libsoup's is 10), and a
 *    listener that stopped accepting while connections wait is replaced.
 *  - An answer known from the headers (401, 413, 400 …) while a body is still to come is sent at
 *    once on the connection taken from libsoup, which is then closed after a short lingering
 *    read (so that the client reads the answer rather than a reset).
 */
#include "config.h"

#include "cp-server-private.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

/* How long a socket that was shut down may take to be closed by libsoup before it is closed here,
 * and how long (and how much) an early answer reads of the rest of the request before it closes:
 * a client such as libsoup's, which reads no answer before it has sent its body, then still sees
 * the answer instead of a reset (and does not send the request again). */
#define SHUTDOWN_GRACE_USEC (5 * G_USEC_PER_SEC)
#define LINGER_USEC (10 * G_USEC_PER_SEC)
#define LINGER_BYTES (G_GUINT64_CONSTANT (64) * 1024 * 1024)

typedef enum
{
  PHASE_HEADERS,   /* waiting for a request's headers */
  PHASE_BODY,      /* reading a request body */
  PHASE_HANDLING,  /* the server works on the request or writes the answer */
  PHASE_IDLE,      /* kept alive, between two requests */
} Phase;

typedef struct
{
  CpServer *server;
  GSocket  *socket;     /* the key in server->connections (a reference) */
  Phase     phase;
  gint64    deadline;   /* monotonic µs; 0 for none */
  gint64    shut_at;    /* when the socket was shut down, or 0 */
  GSource  *watch;      /* while idle: readable or hung up */
} Connection;

static void
connection_free (Connection *conn)
{
  g_clear_pointer (&conn->watch, cp_server_source_clear);
  g_clear_object (&conn->socket);
  g_free (conn);
}

static void
connection_close (Connection *conn)
{
  g_clear_pointer (&conn->watch, cp_server_source_clear);
  if (!g_socket_is_closed (conn->socket))
    {
      g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
      g_socket_close (conn->socket, NULL);
    }
}

/* Ends a connection whose request is under way: libsoup's read fails and it cleans up. */
static void
connection_shut_down (Connection *conn)
{
  if (conn->shut_at != 0 || g_socket_is_closed (conn->socket))
    return;
  conn->shut_at = g_get_monotonic_time ();
  g_socket_shutdown (conn->socket, TRUE, TRUE, NULL);
}

static Connection *
lookup (CpServer          *self,
        SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  return socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;
}

static void
set_phase (Connection *conn,
           Phase       phase,
           guint       timeout_s)
{
  conn->phase = phase;
  conn->deadline = timeout_s > 0 ? g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC
                                 : 0;
}

/* Idle: the client closed the connection (end of file), reset it, or starts another request. */
static gboolean
idle_watch_cb (GSocket      *socket,
               GIOCondition  condition,
               gpointer      user_data)
{
  Connection *conn = user_data;
  CpServer *self = conn->server;
  char byte;
  gssize n;

  if (g_socket_is_closed (socket))
    {
      g_clear_pointer (&conn->watch, g_source_unref);
      g_hash_table_remove (self->connections, socket);
      return G_SOURCE_REMOVE;
    }
  n = recv (g_socket_get_fd (socket), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  /* Stop watching either way: a new request is libsoup's to read (request-started follows), a
   * closed one is closed here. */
  g_clear_pointer (&conn->watch, g_source_unref);
  if (n == 0 || n < 0)
    {
      connection_close (conn);
      g_hash_table_remove (self->connections, socket);
    }
  return G_SOURCE_REMOVE;
}

static void
watch_idle (Connection *conn)
{
  g_clear_pointer (&conn->watch, cp_server_source_clear);
  if (g_socket_is_closed (conn->socket))
    return;
  conn->watch = g_socket_create_source (conn->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback (conn->watch, (GSourceFunc) (GCallback) idle_watch_cb, conn, NULL);
  g_source_attach (conn->watch, g_main_context_get_thread_default ());
}

/* The listener libsoup made on our socket stops for good when accept() fails once (no descriptor
 * left). While connections wait to be accepted and none arrives, give it a new one. */
static void
check_listener (CpServer *self)
{
  struct pollfd pfd = { 0 };
  gint64 now = g_get_monotonic_time ();

  if (self->listen_socket == NULL || self->stopping)
    return;
  pfd.fd = g_socket_get_fd (self->listen_socket);
  pfd.events = POLLIN;
  if (poll (&pfd, 1, 0) != 1 || !(pfd.revents & POLLIN))
    {
      self->listen_waiting_since = 0;
      return;
    }
  if (self->listen_waiting_since == 0 || self->accepted != self->accepted_at_check)
    {
      self->listen_waiting_since = now;
      self->accepted_at_check = self->accepted;
      return;
    }
  if (now - self->listen_waiting_since < 2 * G_USEC_PER_SEC)
    return;
  {
    g_autoptr(GError) error = NULL;

    g_message ("Connections wait but none is accepted (out of descriptors?): listening again");
    if (!soup_server_listen_socket (self->soup, self->listen_socket,
                                    self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0, &error))
      g_message ("Could not listen again: %s", error->message);
    self->listen_waiting_since = now;
  }
}

static gboolean
sweep_cb (gpointer user_data)
{
  CpServer *self = CP_SERVER (user_data);
  gint64 now = g_get_monotonic_time ();
  GHashTableIter iter;
  Connection *conn;

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    {
      if (g_socket_is_closed (conn->socket))
        {
          g_hash_table_iter_remove (&iter);
          continue;
        }
      if (conn->shut_at != 0)
        {
          /* Shut down and still not closed by libsoup: close it here. */
          if (now - conn->shut_at > SHUTDOWN_GRACE_USEC)
            {
              connection_close (conn);
              g_hash_table_iter_remove (&iter);
            }
          continue;
        }
      if (conn->deadline == 0 || now < conn->deadline)
        continue;
      if (conn->phase == PHASE_IDLE)
        {
          connection_close (conn);
          g_hash_table_iter_remove (&iter);
        }
      else
        connection_shut_down (conn);
    }
  check_listener (self);
  return G_SOURCE_CONTINUE;
}

void
cp_server_connections_init (CpServer *self)
{
  self->connections = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) connection_free);
  self->sweep_source = cp_server_attach_source (g_timeout_source_new (500), sweep_cb, self);
}

void
cp_server_connections_clear (CpServer *self)
{
  g_clear_pointer (&self->sweep_source, cp_server_source_clear);
  g_clear_pointer (&self->connections, g_hash_table_unref);
  g_clear_object (&self->listen_socket);
}

guint
cp_server_get_n_connections (CpServer *self)
{
  GHashTableIter iter;
  Connection *conn;
  guint n = 0;

  g_return_val_if_fail (CP_IS_SERVER (self), 0);

  g_hash_table_iter_init (&iter, self->connections);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &conn))
    if (!g_socket_is_closed (conn->socket))
      n++;
  return n;
}

/* --- the request's course ---------------------------------------------------------------- */

void
cp_server_connection_started (CpServer          *self,
                              SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *conn;

  if (socket == NULL)
    return;
  conn = g_hash_table_lookup (self->connections, socket);
  if (conn == NULL)
    {
      conn = g_new0 (Connection, 1);
      conn->server = self;
      conn->socket = g_object_ref (socket);
      g_hash_table_insert (self->connections, socket, conn);
      self->accepted++;
    }
  g_clear_pointer (&conn->watch, cp_server_source_clear);
  set_phase (conn, PHASE_HEADERS, self->config.header_timeout);
}

void
cp_server_connection_got_headers (CpServer          *self,
                                  SoupServerMessage *msg,
                                  gboolean           has_body)
{
  Connection *conn = lookup (self, msg);

  if (conn != NULL)
    {
      if (has_body)
        set_phase (conn, PHASE_BODY, self->config.body_timeout);
      else
        set_phase (conn, PHASE_HANDLING, 0);
    }
}

void
cp_server_connection_got_chunk (CpServer          *self,
                                SoupServerMessage *msg)
{
  Connection *conn = lookup (self, msg);

  if (conn != NULL && conn->phase == PHASE_BODY)
    set_phase (conn, PHASE_BODY, self->config.body_timeout);
}

void
cp_server_connection_got_body (CpServer          *self,
                               SoupServerMessage *msg)
{
  Connection *conn = lookup (self, msg);

  if (conn != NULL)
    set_phase (conn, PHASE_HANDLING, 0);
}

void
cp_server_connection_finished (CpServer          *self,
                               SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);
  Connection *conn = socket != NULL ? g_hash_table_lookup (self->connections, socket) : NULL;

  if (conn == NULL)
    return;
  if (g_socket_is_closed (socket) || conn->shut_at != 0)
    {
      if (conn->shut_at == 0)
        g_hash_table_remove (self->connections, socket);
      return;
    }
  /* libsoup closes a connection that is not kept alive right after this; the watch then sees it
   * closed. One that is kept alive waits for the next request, or for its end. */
  set_phase (conn, PHASE_IDLE, self->config.idle_timeout);
  watch_idle (conn);
}

/* --- early answers ----------------------------------------------------------------------- */

typedef struct
{
  GIOStream *stream;
  GSocket   *socket;
  gint64     until;
  guint64    drained;
  guint8     buffer[16384];
} Linger;

static void
linger_free (Linger *linger)
{
  g_io_stream_close (linger->stream, NULL, NULL);
  if (linger->socket != NULL && !g_socket_is_closed (linger->socket))
    g_socket_close (linger->socket, NULL);
  g_clear_object (&linger->stream);
  g_clear_object (&linger->socket);
  g_free (linger);
}

static void linger_read (Linger *linger);

static void
linger_read_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Linger *linger = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);

  if (n <= 0 || g_get_monotonic_time () > linger->until)
    {
      linger_free (linger);
      return;
    }
  linger->drained += (guint64) n;
  if (linger->drained >= LINGER_BYTES)
    {
      linger_free (linger);
      return;
    }
  linger_read (linger);
}

static void
linger_read (Linger *linger)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  /* A client that neither sends nor closes is cut by the time limit: the cancellable fires. */
  g_input_stream_read_async (g_io_stream_get_input_stream (linger->stream), linger->buffer,
                             sizeof linger->buffer, G_PRIORITY_DEFAULT, cancellable,
                             linger_read_cb, linger);
  g_object_set_data_full (G_OBJECT (linger->stream), "cp-linger-cancellable",
                          g_object_ref (cancellable), g_object_unref);
}

static gboolean
linger_timeout_cb (gpointer user_data)
{
  GIOStream *stream = user_data;
  GCancellable *cancellable = g_object_get_data (G_OBJECT (stream), "cp-linger-cancellable");

  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
  return G_SOURCE_REMOVE;
}

static void
early_written_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Linger *linger = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (object), result, NULL, NULL))
    {
      linger_free (linger);
      return;
    }
  /* The answer is out: no more from us, and read what the client still sends for a moment,
   * so that it sees the answer rather than a reset. */
  if (linger->socket != NULL)
    g_socket_shutdown (linger->socket, FALSE, TRUE, NULL);
  linger->until = g_get_monotonic_time () + LINGER_USEC;
  {
    GSource *timeout = g_timeout_source_new (LINGER_USEC / 1000);

    g_source_set_callback (timeout, linger_timeout_cb, g_object_ref (linger->stream),
                           g_object_unref);
    g_source_attach (timeout, g_main_context_get_thread_default ());
    g_source_unref (timeout);
  }
  linger_read (linger);
}

static void
append_header_cb (const char *name,
                  const char *value,
                  gpointer    user_data)
{
  GString *text = user_data;

  if (g_ascii_strcasecmp (name, "Content-Length") == 0 ||
      g_ascii_strcasecmp (name, "Connection") == 0 ||
      g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
    return;
  g_string_append_printf (text, "%s: %s\r\n", name, value);
}

void
cp_server_reply_now (CpServer          *self,
                     SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_response_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  GSocket *socket = soup_server_message_get_socket (msg);
  guint status = soup_server_message_get_status (msg);
  const char *reason = soup_server_message_get_reason_phrase (msg);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%a, %d %b %Y %H:%M:%S GMT");
  GString *text = g_string_new (NULL);
  Linger *linger;
  GIOStream *stream;

  g_string_append_printf (text, "HTTP/1.1 %u %s\r\n", status,
                          reason != NULL ? reason : soup_status_get_phrase (status));
  g_string_append_printf (text, "Date: %s\r\n", date);
  soup_message_headers_foreach (soup_server_message_get_response_headers (msg),
                                append_header_cb, text);
  g_string_append_printf (text, "Content-Length: %" G_GSIZE_FORMAT "\r\nConnection: close\r\n\r\n",
                          g_bytes_get_size (bytes));
  if (!g_str_equal (soup_server_message_get_method (msg), "HEAD"))
    g_string_append_len (text, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes));

  /* Logged now: a connection taken from libsoup has no request-finished. */
  cp_server_request_done (self, msg, FALSE);
  if (socket != NULL)
    {
      Connection *conn = g_hash_table_lookup (self->connections, socket);

      if (conn != NULL)
        g_hash_table_remove (self->connections, socket);
    }

  linger = g_new0 (Linger, 1);
  linger->socket = socket != NULL ? g_object_ref (socket) : NULL;
  g_object_ref (msg);
  stream = soup_server_message_steal_connection (msg);
  g_object_unref (msg);
  if (stream == NULL)
    {
      g_clear_object (&linger->socket);
      g_free (linger);
      g_string_free (text, TRUE);
      return;
    }
  linger->stream = stream;
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream), text->str, text->len,
                                   G_PRIORITY_DEFAULT, NULL, early_written_cb, linger);
  /* The GString's buffer lives until the write ends, with the stream. */
  g_object_set_data_full (G_OBJECT (stream), "cp-early-answer", g_string_free (text, FALSE),
                          g_free);
}

/* --- listening --------------------------------------------------------------------------- */

gboolean
cp_server_listen_address (CpServer        *self,
                          GSocketAddress  *address,
                          GError         **error)
{
  g_autoptr(GSocket) socket = NULL;
  GSocketFamily family = g_socket_address_get_family (address);

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    return FALSE;
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, TRUE, NULL);
  if (!g_socket_bind (socket, address, TRUE, error))
    return FALSE;
  /* libsoup's own sockets queue 10 connections: a burst of logins got resets. */
  g_socket_set_listen_backlog (socket, (int) self->config.listen_backlog);
  if (!g_socket_listen (socket, error))
    return FALSE;
  if (!soup_server_listen_socket (self->soup, socket, self->tls ? SOUP_SERVER_LISTEN_HTTPS : 0,
                                  error))
    return FALSE;
  g_set_object (&self->listen_socket, socket);
  return TRUE;
}
