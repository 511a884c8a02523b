/* test-chain.c — the review chain end to end: every party on its own computer, one server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each user has a CpStore and a CpSyncManager of its own in a temporary folder, like separate
 * laptops, against one real credit-packet-server. The enterprise makes a packet with its own
 * parts, each next party pulls it, writes only its own parts in its own store and takes its step
 * through the manager; after every step each party syncs and its store must show the stage.
 */
#include "config.h"

#include <string.h>

#include "client-fixture.h"
#include "cp-demo.h"
#include "cp-sync-manager.h"
#include "cp-template-registry.h"
#include "cp-workflow.h"

typedef struct
{
  const char    *user;
  CpRole         role;
  char          *dir;
  CpStore       *store;
  CpSyncManager *manager;
} Party;

enum { ENTERPRISE, COACH, EVALUATOR, DISTRICT, CITY, N_PARTIES };

typedef struct
{
  TestServer         *server;
  CpTemplateRegistry *registry;
  Party               parties[N_PARTIES];
} Fixture;

static gboolean
manager_idle (CpSyncManager *manager)
{
  return cp_sync_manager_get_status (manager) != CP_SYNC_STATUS_SYNCING;
}

static void
wait_idle (CpSyncManager *manager)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!manager_idle (manager) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (manager_idle (manager));
}

static void
result_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
party_sync (Party *party)
{
  wait_idle (party->manager);
  cp_sync_manager_sync (party->manager);
  wait_idle (party->manager);
  g_assert_cmpint (cp_sync_manager_get_status (party->manager), !=, CP_SYNC_STATUS_ERROR);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  static const struct { const char *user; CpRole role; } accounts[] = {
    { "ent-1", CP_ROLE_ENTERPRISE },
    { "agency-a", CP_ROLE_COACHING_AGENCY },
    { "agency-c", CP_ROLE_EVALUATING_AGENCY },
    { "office-kunshan", CP_ROLE_DISTRICT_OFFICE },
    { "office-city", CP_ROLE_CITY_OFFICE },
  };
  g_autoptr(GError) error = NULL;

  f->registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  f->server = test_server_start ();
  test_server_admin (f->server, NULL, "agency", "add", "C", "Agency C", NULL);
  cp_test_server_add_user (f->server->data_dir, f->server->config, "agency-c", "--role",
                           "agency", "--agency", "C", NULL);
  cp_test_server_add_user (f->server->data_dir, f->server->config, "office-kunshan", "--role",
                           "office", "--district", "kunshan", NULL);
  cp_test_server_add_user (f->server->data_dir, f->server->config, "office-city", "--role",
                           "office", "--district", "suzhou", NULL);
  for (guint i = 0; i < N_PARTIES; i++)
    {
      Party *party = &f->parties[i];
      g_autoptr(GAsyncResult) result = NULL;
      g_autofree char *password = g_strconcat ("password-", accounts[i].user, NULL);

      party->user = accounts[i].user;
      party->role = accounts[i].role;
      party->dir = g_dir_make_tmp ("cp-test-chain-XXXXXX", &error);
      g_assert_no_error (error);
      party->store = cp_store_new (party->dir, &error);
      g_assert_no_error (error);
      party->manager = cp_sync_manager_new (party->store, NULL, f->server->base);
      cp_sync_manager_login_async (party->manager, f->server->base, party->user, password, NULL,
                                   result_cb, &result);
      g_assert_true (cp_sync_manager_login_finish (party->manager, wait_result (&result),
                                                   &error));
      g_assert_no_error (error);
      wait_idle (party->manager);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < N_PARTIES; i++)
    {
      Party *party = &f->parties[i];
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      g_object_run_dispose (G_OBJECT (party->manager));
      g_object_add_weak_pointer (G_OBJECT (party->manager), (gpointer *) &party->manager);
      g_object_unref (party->manager);
      while (party->manager != NULL && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_null (party->manager);
      g_clear_object (&party->store);
      cp_test_remove_tree (party->dir);
      g_free (party->dir);
    }
  test_server_stop (f->server);
  g_clear_object (&f->registry);
}

static Party *
party_of (Fixture *f,
          CpRole   role)
{
  for (guint i = 0; i < N_PARTIES; i++)
    if (f->parties[i].role == role)
      return &f->parties[i];
  g_assert_not_reached ();
}

/* A valid packet of @kind for ent-1's enterprise, with real bytes for its attachments in every
 * party's store. */
static CpPacket *
valid_packet (Fixture    *f,
              const char *kind)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *attachments;
  CpPacket *packet;
  char *json;

  for (guint seed = 1; seed < 400 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (f->registry, kind,
                                                               g_date_time_get_year (now), seed);

      if (candidate != NULL && strncmp (cp_packet_get_uscc (candidate) + 2, "320583", 6) == 0)
        demo = g_steal_pointer (&candidate);
    }
  g_assert_nonnull (demo);
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  g_free (json);
  g_string_replace (text, cp_packet_get_uscc (demo), f->server->uscc, 0);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      for (guint p = 0; p < N_PARTIES; p++)
        {
          g_clear_pointer (&sha, g_free);
          g_assert_true (cp_store_add_blob_from_bytes (f->parties[p].store, bytes, &sha,
                                                       &error));
          g_assert_no_error (error);
        }
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  /* The city's recognition block, which the demo leaves to the city office. */
  if (g_str_equal (kind, "city-demonstration") && attachments->len > 0)
    {
      const CpAttachment *scan = g_ptr_array_index (cp_packet_get_attachments (packet), 0);
      const char *signers[] = { "city_reviewer", "city_approver" };
      g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

      cp_packet_set_string (packet, "application-form", "city_opinion", "同意认定");
      cp_packet_set_string (packet, "application-form", "city_review_date", today);
      for (guint i = 0; i < G_N_ELEMENTS (signers); i++)
        {
          g_autofree char *signature = g_strdup_printf ("{\"signer\": \"张%u\", \"role\": "
                                                        "\"city-office\", \"date\": \"%s\", "
                                                        "\"scan\": \"%s\"}", i, today,
                                                        scan->sha256);

          cp_packet_set_value (packet, "application-form", signers[i],
                               json_from_string (signature, NULL));
        }
    }
  if (cp_packet_get_value (packet, "credit-report", "valid_until") != NULL)
    cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  return packet;
}

/* The stage the server gives @party for @uuid, and the ids of the steps it may take. */
static char *
list_steps (Party       *party,
            const char  *uuid,
            GPtrArray  **offers_out)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) offers = NULL;
  char *stage = NULL;

  cp_sync_manager_list_transitions_async (party->manager, uuid, NULL, result_cb, &result);
  offers = cp_sync_manager_list_transitions_finish (party->manager, wait_result (&result),
                                                    &stage, &error);
  g_assert_no_error (error);
  g_assert_nonnull (offers);
  for (guint i = 0; i < offers->len; i++)
    {
      CpTransitionOffer *offer = g_ptr_array_index (offers, i);

      /* The label is the template's, not the bare id. */
      g_assert_nonnull (offer->label);
      g_assert_cmpstr (offer->label, !=, offer->id);
    }
  if (offers_out != NULL)
    *offers_out = g_steal_pointer (&offers);
  return stage;
}

static gboolean
take_step (Party       *party,
           const char  *uuid,
           const char  *transition,
           const char  *comments,
           const char  *agency,
           GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  cp_sync_manager_transition_async (party->manager, uuid, transition, comments, agency, NULL,
                                    result_cb, &result);
  return cp_sync_manager_transition_finish (party->manager, wait_result (&result), error);
}

/* The agency ids @party's manager lists, or NULL with @error. */
static GPtrArray *
list_agency_ids (Party   *party,
                 GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) agencies = NULL;
  GPtrArray *ids;

  cp_sync_manager_list_agencies_async (party->manager, NULL, result_cb, &result);
  agencies = cp_sync_manager_list_agencies_finish (party->manager, wait_result (&result), error);
  if (agencies == NULL)
    return NULL;
  ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < agencies->len; i++)
    {
      CpAgencyInfo *info = g_ptr_array_index (agencies, i);

      g_assert_cmpstr (info->name, !=, "");
      g_ptr_array_add (ids, g_strdup (info->id));
    }
  return ids;
}

/* Every party that can see @uuid syncs; its store holds the packet state of @state, and the
 * server names @state to it. Returns how many parties see it. */
static guint
assert_everyone_sees (Fixture               *f,
                      const char            *uuid,
                      const CpWorkflowState *state)
{
  guint n = 0;

  for (guint i = 0; i < N_PARTIES; i++)
    {
      Party *party = &f->parties[i];
      g_autoptr(CpPacket) packet = NULL;
      g_autofree char *stage = NULL;

      party_sync (party);
      if (!cp_store_has_packet (party->store, uuid))
        continue;
      packet = cp_store_load_packet (party->store, uuid, NULL);
      g_assert_nonnull (packet);
      if (cp_packet_get_state (packet) != state->legacy)
        g_error ("%s sees %s in state %d, not %d (%s)", party->user, uuid,
                 cp_packet_get_state (packet), state->legacy, state->id);
      stage = list_steps (party, uuid, NULL);
      g_assert_cmpstr (stage, ==, state->id);
      n++;
    }
  return n;
}

/* Makes the packet of @kind and walks it along @path (transition ids) from its initial stage:
 * before each step every party that writes in the stage writes its parts; a party that may
 * not take the step is refused first. Returns the packet's uuid. */
static char *
walk (Fixture            *f,
      const char         *kind,
      const char * const *path,
      CpPacket          **valid_out)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (f->registry, kind);
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  const CpWorkflowState *state = cp_workflow_get_initial (workflow);
  Party *creator = party_of (f, cp_workflow_get_creator (workflow));
  g_autoptr(CpPacket) valid = valid_packet (f, kind);
  g_autoptr(CpPacket) mine = cp_packet_copy (valid);
  g_autoptr(GError) error = NULL;
  char *uuid = g_strdup (cp_packet_get_uuid (valid));

  cp_test_keep_own_parts (mine, tpl, creator->role);
  g_assert_true (cp_store_save_packet (creator->store, mine, NULL, &error));
  g_assert_no_error (error);
  party_sync (creator);
  g_assert_cmpuint (assert_everyone_sees (f, uuid, state), >=, 1);

  for (guint step = 0; path[step] != NULL; step++)
    {
      const CpTransition *transition = cp_workflow_lookup_transition (workflow, state->id,
                                                                      path[step]);
      Party *maker;

      g_assert_nonnull (transition);
      maker = party_of (f, transition->role);
      for (guint i = 0; i < N_PARTIES; i++)
        if (cp_store_has_packet (f->parties[i].store, uuid) &&
            cp_test_write_own_parts (f->parties[i].store, f->parties[i].role, uuid, valid, tpl,
                                       state) > 0)
          party_sync (&f->parties[i]);
      /* Another party that sees the packet may not take the step. */
      for (guint i = 0; i < N_PARTIES; i++)
        {
          Party *other = &f->parties[i];

          if (other == maker || !cp_store_has_packet (other->store, uuid))
            continue;
          g_assert_false (take_step (other, uuid, transition->id,
                                     transition->comment ? "意见" : NULL,
                                     transition->assigns != CP_ROLE_NONE ? "C" : NULL, &error));
          g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_FORBIDDEN);
          g_clear_error (&error);
          break;
        }
      /* Skipping this step is refused: the next one does not leave this stage. */
      if (path[step + 1] != NULL)
        {
          const CpTransition *next = cp_workflow_lookup_transition (workflow, transition->to->id,
                                                                    path[step + 1]);
          Party *next_maker;

          g_assert_nonnull (next);
          next_maker = party_of (f, next->role);
          if (cp_store_has_packet (next_maker->store, uuid) &&
              cp_workflow_lookup_transition (workflow, state->id, next->id) == NULL)
            {
              g_assert_false (take_step (next_maker, uuid, next->id,
                                         next->comment ? "意见" : NULL,
                                         next->assigns != CP_ROLE_NONE ? "C" : NULL, &error));
              g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_WRONG_STAGE);
              g_clear_error (&error);
            }
        }
      /* The city office picks the evaluator from the server's list; nobody else gets it. */
      if (transition->assigns != CP_ROLE_NONE)
        {
          g_autoptr(GPtrArray) ids = list_agency_ids (maker, &error);
          g_autoptr(GPtrArray) none = list_agency_ids (party_of (f, CP_ROLE_ENTERPRISE), &error);

          g_assert_null (none);
          g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
          g_clear_error (&error);
          g_assert_nonnull (ids);
          g_assert_true (g_ptr_array_find_with_equal_func (ids, "A", g_str_equal, NULL));
          g_assert_true (g_ptr_array_find_with_equal_func (ids, "C", g_str_equal, NULL));
          /* The coaching agency is listed but not eligible. */
          g_assert_false (take_step (maker, uuid, transition->id, NULL, "A", &error));
          g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_WRONG_STAGE);
          g_clear_error (&error);
        }
      if (!take_step (maker, uuid, transition->id, transition->comment ? "请补充材料" : NULL,
                      transition->assigns != CP_ROLE_NONE ? "C" : NULL, &error))
        g_error ("%s: %s by %s: %s", kind, transition->id, maker->user, error->message);
      state = transition->to;
      g_assert_cmpuint (assert_everyone_sees (f, uuid, state), >=, 2);
    }
  if (valid_out != NULL)
    *valid_out = g_steal_pointer (&valid);
  return uuid;
}

static void
test_standardization (Fixture       *f,
                      gconstpointer  data)
{
  static const char * const path[] = { "submit", "approve", "request-acceptance", "accept",
                                       NULL };
  g_autofree char *uuid = walk (f, "standardization-acceptance", path, NULL);
  g_autoptr(CpPacket) packet = cp_store_load_packet (f->parties[ENTERPRISE].store, uuid, NULL);

  g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_ACCEPTED);
}

static void
test_city (Fixture       *f,
           gconstpointer  data)
{
  static const char * const path[] = { "submit", "approve", "request-acceptance", "assign",
                                       "finish-evaluation", "recognise", NULL };
  g_autofree char *uuid = walk (f, "city-demonstration", path, NULL);
  g_autoptr(CpPacket) packet = cp_store_load_packet (f->parties[ENTERPRISE].store, uuid, NULL);

  g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_ACCEPTED);
}

static void
test_provincial (Fixture       *f,
                 gconstpointer  data)
{
  static const char * const path[] = { "submit", "propose", "recommend", "recognise", NULL };
  g_autofree char *uuid = walk (f, "provincial-recommendation", path, NULL);
  g_autoptr(CpPacket) packet = cp_store_load_packet (f->parties[ENTERPRISE].store, uuid, NULL);

  g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_ACCEPTED);
}

static void
test_review (Fixture       *f,
             gconstpointer  data)
{
  static const char * const path[] = { "submit", "list", "assign", "report", "decide",
                                       "report-to-province", NULL };
  g_autofree char *uuid = walk (f, "demonstration-review", path, NULL);
  g_autoptr(CpPacket) packet = cp_store_load_packet (f->parties[ENTERPRISE].store, uuid, NULL);

  g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_ACCEPTED);
}

/* A step is not taken on a packet whose local edits clash with the server's version: the
 * enterprise's second laptop changed the same field meanwhile. */
static void
test_conflict (Fixture       *f,
               gconstpointer  data)
{
  const char *kind = "standardization-acceptance";
  CpTemplate *tpl = cp_template_registry_lookup_kind (f->registry, kind);
  const CpWorkflowState *initial = cp_workflow_get_initial (cp_template_get_workflow (tpl));
  Party *enterprise = &f->parties[ENTERPRISE];
  Party laptop = { "ent-1", CP_ROLE_ENTERPRISE, NULL, NULL, NULL };
  g_autoptr(CpPacket) valid = valid_packet (f, kind);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = json_from_string ("\"笔记本一的名称\"", NULL);
  g_autoptr(JsonNode) second = json_from_string ("\"笔记本二的名称\"", NULL);
  g_autofree char *stage = NULL;
  const char *uuid = cp_packet_get_uuid (valid);
  CpStoreSyncState state;

  cp_test_keep_own_parts (valid, tpl, CP_ROLE_ENTERPRISE);
  g_assert_true (cp_store_save_packet (enterprise->store, valid, NULL, &error));
  g_assert_no_error (error);
  party_sync (enterprise);

  laptop.dir = g_dir_make_tmp ("cp-test-chain-XXXXXX", &error);
  g_assert_no_error (error);
  laptop.store = cp_store_new (laptop.dir, &error);
  g_assert_no_error (error);
  laptop.manager = cp_sync_manager_new (laptop.store, NULL, f->server->base);
  cp_sync_manager_login_async (laptop.manager, f->server->base, "ent-1", "password-ent-1", NULL,
                               result_cb, &result);
  g_assert_true (cp_sync_manager_login_finish (laptop.manager, wait_result (&result), &error));
  g_assert_no_error (error);
  party_sync (&laptop);
  g_assert_true (cp_store_has_packet (laptop.store, uuid));
  g_assert_true (cp_store_set_value (laptop.store, uuid, "cover", "enterprise_name", second,
                                     &error));
  g_assert_no_error (error);
  party_sync (&laptop);

  g_assert_true (cp_store_set_value (enterprise->store, uuid, "cover", "enterprise_name", first,
                                     &error));
  g_assert_no_error (error);
  g_assert_false (take_step (enterprise, uuid, "submit", NULL, NULL, &error));
  g_assert_error (error, CP_SYNC_ERROR, CP_SYNC_ERROR_REJECTED);
  g_assert_true (cp_store_get_sync_info (enterprise->store, uuid, &state, NULL, NULL, NULL));
  g_assert_cmpint (state, ==, CP_STORE_SYNC_CONFLICT);
  stage = list_steps (enterprise, uuid, NULL);
  g_assert_cmpstr (stage, ==, initial->id);

  g_object_run_dispose (G_OBJECT (laptop.manager));
  g_clear_object (&laptop.manager);
  g_clear_object (&laptop.store);
  cp_test_remove_tree (laptop.dir);
  g_free (laptop.dir);
}

/* The path to recognition of each kind, and its returns. */
typedef struct
{
  const char         *kind;
  const char * const *path;
} Chain;

static const char * const standardization_path[] = { "submit", "approve", "request-acceptance",
                                                     "accept", NULL };
static const char * const city_path[] = { "submit", "approve", "request-acceptance", "assign",
                                          "finish-evaluation", "recognise", NULL };
static const char * const provincial_path[] = { "submit", "propose", "recommend", "recognise",
                                                NULL };
static const char * const review_path[] = { "submit", "list", "assign", "report", "decide",
                                            "report-to-province", NULL };
static const Chain chains[] = {
  { "standardization-acceptance", standardization_path },
  { "city-demonstration", city_path },
  { "provincial-recommendation", provincial_path },
  { "demonstration-review", review_path },
};

/* For every stage on the kind's path that allows a return: walks a new packet there, the
 * reviewer returns it with a comment, the enterprise gets it back with the comment; a write of
 * the reviewer's into the enterprise's part is refused, kept aside and not lost. */
static void
test_returns (Fixture       *f,
              gconstpointer  data)
{
  const Chain *chain = data;
  CpTemplate *tpl = cp_template_registry_lookup_kind (f->registry, chain->kind);
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  const CpWorkflowState *state = cp_workflow_get_initial (workflow);
  Party *enterprise = &f->parties[ENTERPRISE];
  guint n_returns = 0;

  for (guint n = 0; chain->path[n] != NULL; n++)
    {
      g_autoptr(GPtrArray) possible = NULL;
      const CpTransition *back = NULL;
      const CpTransition *step = cp_workflow_lookup_transition (workflow, state->id,
                                                                chain->path[n]);

      g_assert_nonnull (step);
      for (guint r = CP_ROLE_NONE + 1; r < CP_N_ROLES && back == NULL; r++)
        {
          g_clear_pointer (&possible, g_ptr_array_unref);
          possible = cp_workflow_list_transitions (workflow, r, state->id);
          for (guint i = 0; i < possible->len && back == NULL; i++)
            {
              const CpTransition *t = g_ptr_array_index (possible, i);

              if (t->comment)
                back = t;
            }
        }
      if (back != NULL)
        {
          g_autofree char **prefix = g_new0 (char *, n + 1);
          g_autofree char *uuid = NULL;
          g_autofree char *comment = g_strdup_printf ("%s：请补充第%u项材料", state->id, n);
          g_autoptr(GPtrArray) comments = NULL;
          g_autoptr(CpPacket) packet = NULL;
          g_autoptr(CpPacket) theirs = NULL;
          g_autoptr(GError) error = NULL;
          g_autoptr(JsonNode) wrong = json_from_string ("\"改错的企业名称\"", NULL);
          Party *reviewer = party_of (f, back->role);
          gboolean found = FALSE;

          for (guint i = 0; i < n; i++)
            prefix[i] = (char *) chain->path[i];
          uuid = walk (f, chain->kind, (const char * const *) prefix, NULL);
          /* The enterprise may not return it. */
          g_assert_false (take_step (enterprise, uuid, back->id, comment, NULL, &error));
          g_assert_nonnull (error);
          g_clear_error (&error);
          if (!take_step (reviewer, uuid, back->id, comment, NULL, &error))
            g_error ("%s: %s by %s: %s", chain->kind, back->id, reviewer->user, error->message);
          g_assert_cmpuint (assert_everyone_sees (f, uuid, back->to), >=, 2);
          packet = cp_store_load_packet (enterprise->store, uuid, &error);
          g_assert_no_error (error);
          g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_RETURNED);
          comments = cp_sync_engine_load_comments (enterprise->store, uuid);
          g_assert_nonnull (comments);
          for (guint i = 0; i < comments->len; i++)
            found |= g_strcmp0 (((CpComment *) g_ptr_array_index (comments, i))->text,
                                comment) == 0;
          g_assert_true (found);

          /* The reviewer types into the enterprise's cover in its own store. */
          g_assert_true (cp_store_set_value (reviewer->store, uuid, "cover", "enterprise_name",
                                             wrong, &error));
          g_assert_no_error (error);
          party_sync (reviewer);
          {
            g_autoptr(JsonNode) rejection =
              cp_sync_engine_get_rejection (cp_sync_manager_get_engine (reviewer->manager),
                                            uuid);

            g_assert_nonnull (rejection);
          }
          theirs = cp_store_load_packet (reviewer->store, uuid, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (cp_packet_get_string (theirs, "cover", "enterprise_name"), ==,
                           "改错的企业名称");
          party_sync (enterprise);
          g_clear_object (&packet);
          packet = cp_store_load_packet (enterprise->store, uuid, &error);
          g_assert_cmpstr (cp_packet_get_string (packet, "cover", "enterprise_name"), !=,
                           "改错的企业名称");
          n_returns++;
        }
      state = step->to;
    }
  g_assert_cmpuint (n_returns, >=, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/chain/standardization", Fixture, NULL, fixture_setup, test_standardization,
              fixture_teardown);
  g_test_add ("/chain/city", Fixture, NULL, fixture_setup, test_city, fixture_teardown);
  g_test_add ("/chain/provincial", Fixture, NULL, fixture_setup, test_provincial,
              fixture_teardown);
  g_test_add ("/chain/review", Fixture, NULL, fixture_setup, test_review, fixture_teardown);
  g_test_add ("/chain/conflict", Fixture, NULL, fixture_setup, test_conflict,
              fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (chains); i++)
    {
      g_autofree char *name = g_strdup_printf ("/chain/returns/%s", chains[i].kind);

      g_test_add (name, Fixture, &chains[i], fixture_setup, test_returns, fixture_teardown);
    }
  return g_test_run ();
}
