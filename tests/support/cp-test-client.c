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

gboolean
cp_test_client_transition (CpTestClient *client,
                           const char   *uuid,
                           const char   *transition,
                           const char   *comments,
                           const char   *agency,
                           GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) receipt = NULL;

  cp_sync_client_transition_async (client->client, uuid, transition, comments, agency, NULL,
                                   cp_test_async_done_cb, &result);
  cp_test_wait_result (&result);
  receipt = cp_sync_client_transition_finish (client->client, result, error);
  return receipt != NULL;
}

/* --- the parts of a packet each party writes (issue 11) ----------------------------------- */

void
cp_test_keep_own_parts (CpPacket   *packet,
                        CpTemplate *tpl,
                        CpRole      role)
{
  GPtrArray *sections = cp_template_get_sections (tpl);
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);

  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint i = 0; i < section->fields->len; i++)
        {
          const CpField *field = g_ptr_array_index (section->fields, i);

          if (field->owner != role)
            cp_packet_set_value (packet, section->id, field->id, NULL);
        }
    }
  if (scoring != NULL)
    {
      GHashTableIter iter;
      const char *item;
      const CpItemScore *score;
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_free);

      g_hash_table_iter_init (&iter, cp_packet_get_scores (packet));
      while (g_hash_table_iter_next (&iter, (gpointer *) &item, (gpointer *) &score))
        g_ptr_array_add (items, g_strdup (item));
      for (guint i = 0; i < items->len; i++)
        {
          const char *id = g_ptr_array_index (items, i);

          for (CpScoreColumn c = CP_SCORE_SELF; c <= CP_SCORE_ACCEPTANCE; c++)
            if (scoring->column_owner[c] != role)
              cp_packet_unset_score (packet, id, c);
          if (scoring->note_owner != role)
            cp_packet_set_score_note (packet, id, NULL);
          if (scoring->evidence_owner != role)
            cp_packet_set_score_evidence (packet, id, NULL);
        }
    }
}

guint
cp_test_write_own_parts (CpStore               *store,
                         CpRole                 role,
                         const char            *uuid,
                         CpPacket              *valid,
                         CpTemplate            *tpl,
                         const CpWorkflowState *state)
{
  GPtrArray *sections = cp_template_get_sections (tpl);
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);
  const CpPartSet *writers = state->writers[role];
  g_autoptr(CpPacket) current = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  if (writers == NULL)
    return 0;
  current = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);

      for (guint i = 0; i < section->fields->len; i++)
        {
          const CpField *field = g_ptr_array_index (section->fields, i);
          JsonNode *value = cp_packet_get_value (valid, section->id, field->id);

          if (field->owner != role || !cp_part_set_covers_field (writers, field) ||
              value == NULL || cp_packet_get_value (current, section->id, field->id) != NULL)
            continue;
          g_assert_true (cp_store_set_value (store, uuid, section->id, field->id, value,
                                             &error));
          g_assert_no_error (error);
          n++;
        }
    }
  if (scoring != NULL && cp_part_set_covers_section (writers, scoring->section))
    {
      GHashTableIter iter;
      const char *item;
      const CpItemScore *score;

      g_hash_table_iter_init (&iter, cp_packet_get_scores (valid));
      while (g_hash_table_iter_next (&iter, (gpointer *) &item, (gpointer *) &score))
        {
          const CpItemScore *mine = cp_packet_get_score (current, item);

          if (scoring->column_owner[CP_SCORE_SELF] == role && score->has_self &&
              (mine == NULL || !mine->has_self))
            {
              g_assert_true (cp_store_set_score (store, uuid, item, CP_SCORE_SELF,
                                                 score->self, &error));
              n++;
            }
          if (scoring->column_owner[CP_SCORE_ACCEPTANCE] == role &&
              score->has_acceptance && (mine == NULL || !mine->has_acceptance))
            {
              g_assert_true (cp_store_set_score (store, uuid, item, CP_SCORE_ACCEPTANCE,
                                                 score->acceptance, &error));
              n++;
            }
          if (scoring->note_owner == role && score->note != NULL &&
              (mine == NULL || mine->note == NULL))
            {
              g_assert_true (cp_store_set_score_note (store, uuid, item, score->note,
                                                      &error));
              n++;
            }
          g_assert_no_error (error);
        }
    }
  return n;
}
