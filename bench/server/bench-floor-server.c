/* bench-floor-server.c — the floor for the server benchmarks: a minimal libsoup 3 server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GET answers a fixed 60-byte JSON body; PUT and POST stream the body away (accumulation off,
 * got-chunk counting the bytes) and answer 200. Prints "listening on URL" and runs until
 * SIGTERM.
 */
#include "config.h"

#include <glib-unix.h>
#include <libsoup/soup.h>
#include <stdio.h>

static const char body[] = "{\"changes\":[],\"next\":\"0\",\"more\":false,\"padding\":\"0123\"}";

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  guint64 *received = g_object_get_data (G_OBJECT (msg), "received");

  *received += g_bytes_get_size (chunk);
}

static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), "received", g_new0 (guint64, 1), g_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (method, "GET"))
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC, body,
                                      sizeof body - 1);
  else
    {
      guint64 *received = g_object_get_data (G_OBJECT (msg), "received");
      char *reply = g_strdup_printf ("{\"received\":%" G_GUINT64_FORMAT "}", *received);

      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, reply,
                                        strlen (reply));
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  char *url;

  soup_server_add_early_handler (server, NULL, early_cb, NULL, NULL);
  soup_server_add_handler (server, NULL, handler_cb, NULL, NULL);
  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    {
      g_printerr ("bench-floor-server: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_print ("listening on %s\n", url);
  fflush (stdout);
  g_free (url);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);
  return 0;
}
