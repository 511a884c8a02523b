/* cp-test-client.c — real sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-test-client.h"

#include <json-glib/json-glib.h>

/* --- clients ------------------------------------------------------------------------------ */

void
cp_test_async_done_cb (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
cp_test_wait_result (GAsyncResult **result)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (60, wait_timeout_cb, &timed_out);

  while (*result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  g_assert_nonnull (*result);
}

gboolean
cp_test_client_login (CpTestClient  *client,
                      const char    *user,
                      const char    *password,
                      GError       **error)
{
  g_autofree char *fallback = g_strdup_printf ("password-%s", user);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) me = NULL;

  cp_sync_client_login_async (client->client, user, password != NULL ? password : fallback,
                              NULL, cp_test_async_done_cb, &result);
  cp_test_wait_result (&result);
  me = cp_sync_client_login_finish (client->client, result, error);
  return me != NULL;
}

CpTestClient *
cp_test_client_new (const char *parent,
                    const char *base,
                    const char *user,
                    const char *password)
{
  CpTestClient *client = g_new0 (CpTestClient, 1);
  g_autoptr(GError) error = NULL;

  if (parent != NULL)
    client->dir = g_build_filename (parent, "other", NULL);
  else
    {
      client->dir = g_dir_make_tmp ("cp-client-store-XXXXXX", &error);
      g_assert_no_error (error);
      client->owns_dir = TRUE;
    }
  client->store = cp_store_new (client->dir, &error);
  g_assert_no_error (error);
  client->client = cp_sync_client_new (base, &error);
  g_assert_no_error (error);
  cp_sync_client_set_retry_policy (client->client, 8, 5, 100);
  client->engine = cp_sync_engine_new (client->store, client->client);
  if (user != NULL)
    {
      cp_test_client_login (client, user, password, &error);
      g_assert_no_error (error);
    }
  return client;
}

void
cp_test_client_free (CpTestClient *client)
{
  if (client == NULL)
    return;
  g_clear_object (&client->engine);
  g_clear_object (&client->client);
  g_clear_object (&client->store);
  if (client->owns_dir)
    cp_test_remove_tree (client->dir);
  g_free (client->dir);
  g_free (client);
}

gboolean
cp_test_client_sync (CpTestClient  *client,
                     CpSyncStats   *stats,
                     GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  cp_sync_engine_sync_async (client->engine, NULL, cp_test_async_done_cb, &result);
  cp_test_wait_result (&result);
  ok = cp_sync_engine_sync_finish (client->engine, result, stats,
                                   error != NULL ? error : &local_error);
  g_assert_no_error (local_error);
  return ok;
}
