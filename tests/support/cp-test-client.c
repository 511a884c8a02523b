/* cp-test-client.c — real sync clients for the tests
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-test-client.h"

#include "cp-demo.h"
#include "cp-template-registry.h"

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

/* --- packets handed in for the offices' reports ------------------------------------------ */

void
cp_test_hand_in_packets (CpTestClient           *pusher,
                         const char             *base,
                         const char             *data_dir,
                         const char             *config,
                         const char             *agency_id,
                         const char             *agency_user,
                         const CpTestEnterprise *enterprises,
                         guint                   n)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autoptr(GPtrArray) uuids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  CpTestClient *agency;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpPacket) demo = cp_demo_packet_for_year (registry, "city-demonstration", 2020,
                                                          7 + i);
      g_autoptr(CpPacket) packet = NULL;
      g_autofree char *uscc = cp_test_make_uscc (enterprises[i].division, 700 + i);
      g_autofree char *text = cp_packet_to_data (demo, FALSE, NULL);
      g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                                 cp_packet_get_template_version (demo));
      g_autoptr(GString) legacy = g_string_new (text);
      GPtrArray *attachments = cp_packet_get_attachments (demo);

      /* The enterprise's name and code in every section that repeats them. */
      g_string_replace (legacy, cp_packet_get_uscc (demo), uscc, 0);
      g_string_replace (legacy, cp_packet_get_string (demo, "cover", "enterprise_name"),
                        enterprises[i].name, 0);
      /* Real bytes for every attachment, which the server asks for on submission. */
      for (guint a = 0; a < attachments->len; a++)
        {
          const CpAttachment *attachment = g_ptr_array_index (attachments, a);
          g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s (%u)", a,
                                                   attachment->name, i);
          g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
          g_autofree char *sha = NULL;

          g_assert_true (cp_store_add_blob_from_bytes (pusher->store, bytes, &sha, &error));
          g_assert_no_error (error);
          g_string_replace (legacy, attachment->sha256, sha, 0);
        }
      /* The administrator pushes them: it writes no part of a packet of a kind with a
       * workflow (2020.2, issue 11), so they are of the 2020.1 format, whose sections are the
       * same. */
      g_assert_cmpuint (g_string_replace (legacy, newest, "\"template_version\":\"2020.1\"", 1),
                        ==, 1);
      packet = cp_packet_new_from_data (legacy->str, (gssize) legacy->len, "demo", &error);
      g_assert_no_error (error);
      cp_packet_set_string (packet, "cover", "district", enterprises[i].district);
      /* The server validates on the day of submission: the report must be valid today. */
      cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
      g_assert_true (cp_store_save_packet (pusher->store, packet, NULL, &error));
      g_assert_no_error (error);
      g_ptr_array_add (uuids, g_strdup (cp_packet_get_uuid (packet)));
      cp_test_server_admin (data_dir, config, NULL, "assign", uscc, agency_id, NULL);
    }
  g_assert_true (cp_test_client_sync (pusher, NULL, &error));
  g_assert_no_error (error);

  agency = cp_test_client_new (NULL, base, agency_user, NULL);
  g_assert_true (cp_test_client_sync (agency, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < uuids->len; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GPtrArray) findings = NULL;

      cp_sync_engine_submit_async (agency->engine, g_ptr_array_index (uuids, i), NULL,
                                   cp_test_async_done_cb, &result);
      cp_test_wait_result (&result);
      if (!cp_sync_engine_submit_finish (agency->engine, result, &findings, &error))
        {
          for (guint j = 0; findings != NULL && j < findings->len; j++)
            g_test_message ("finding: %s",
                            ((CpFinding *) g_ptr_array_index (findings, j))->message);
          g_assert_no_error (error);
        }
    }
  cp_test_client_free (agency);
}
