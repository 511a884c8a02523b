/* test-server-workflow.c — the server enforces who writes what, stage by stage (issue 11)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Through the real server, on SQLite and (as server-workflow-pg) PostgreSQL: every party × every
 * stage × a value of every owner in every section of each of the four kinds, each written alone
 * (allowed → 200, refused → 403 naming the pointer, the reason and the owner); a few cells
 * spelled out by hand from docs/templates.md; the transitions; the evaluating agency's
 * assignment and what it then sees; the stamps on signatures; a packet stored before stages.
 */
#include "config.h"

#include "server-fixture.h"

#include "cp-access.h"
#include "cp-demo.h"
#include "cp-packet.h"
#include "cp-scoring-sheet.h"
#include "cp-server-admin.h"
#include "cp-server-storage.h"
#include "cp-template-registry.h"
#include "cp-workflow.h"

#include <string.h>

#define CITY   "city-demonstration"
#define REVIEW "demonstration-review"

static CpTemplateRegistry *registry;

typedef struct
{
  const char *user;
  CpRole      party;
} Account;

/* ent-1 (USCC_1, Kunshan) is agency A's client: agency-a coaches it; agency-c evaluates the
 * packets the city office gives it; office-kunshan is its district's office, office-city the
 * city's (district suzhou, prefix 3205). */
static const Account accounts[] = {
  { "ent-1", CP_ROLE_ENTERPRISE },
  { "agency-a", CP_ROLE_COACHING_AGENCY },
  { "agency-c", CP_ROLE_EVALUATING_AGENCY },
  { "office-kunshan", CP_ROLE_DISTRICT_OFFICE },
  { "office-city", CP_ROLE_CITY_OFFICE },
};

static void
add_parties (ServerFixture *f)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage;
  static const char * const agencies[] = { "C", "D" };

  server_fixture_stop (f);
  storage = server_fixture_open_storage (f);
  for (guint i = 0; i < G_N_ELEMENTS (agencies); i++)
    {
      g_autofree char *name = g_strdup_printf ("Agency %s", agencies[i]);
      g_autofree char *user = g_ascii_strdown (name, -1);
      g_autofree char *password = NULL;

      user[strlen ("agency")] = '-';
      password = g_strconcat ("password-", user, NULL);
      cp_server_storage_add_agency (storage, agencies[i], name, NULL, &error);
      g_assert_no_error (error);
      cp_server_admin_add_user (storage, user, CP_SERVER_ROLE_AGENCY, NULL, NULL, agencies[i],
                                password, &f->config.password_cost, &error);
      g_assert_no_error (error);
    }
  cp_server_admin_add_user (storage, "office-city", CP_SERVER_ROLE_OFFICE, "suzhou", NULL, NULL,
                            "password-office-city", &f->config.password_cost, &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
  server_fixture_start (f);
}

static char *
packet_path (const char *uuid,
             const char *suffix)
{
  return g_strconcat ("/api/v1/packets/", uuid, suffix, NULL);
}

static Reply *
put_packet (ServerFixture *f,
            const char    *token,
            CpPacket      *packet,
            gint64         if_match)
{
  g_autofree char *path = packet_path (cp_packet_get_uuid (packet), "");
  g_autofree char *data = cp_packet_to_data (packet, FALSE, NULL);
  g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", if_match);

  if (if_match == 0)
    return server_request (f, "PUT", path, token, data, -1, "If-None-Match", "*", NULL);
  return server_request (f, "PUT", path, token, data, -1, "If-Match", etag, NULL);
}

/* The current version as @token sees it, and its revision. */
static CpPacket *
fetch (ServerFixture *f,
       const char    *token,
       const char    *uuid,
       gint64        *revision)
{
  g_autofree char *path = packet_path (uuid, "");
  g_autoptr(Reply) got = server_request (f, "GET", path, token, NULL, 0, NULL);
  g_autoptr(GError) error = NULL;
  const char *etag;
  CpPacket *packet;

  g_assert_cmpuint (got->status, ==, 200);
  etag = soup_message_headers_get_one (soup_message_get_response_headers (got->msg), "ETag");
  g_assert_nonnull (etag);
  *revision = g_ascii_strtoll (etag + 1, NULL, 10);
  packet = cp_packet_new_from_data (g_bytes_get_data (got->body, NULL),
                                    (gssize) g_bytes_get_size (got->body), "reply", &error);
  g_assert_no_error (error);
  return packet;
}

/* Puts the packet's current revision (and the packet) of @kind in @stage, with the stage's
 * legacy state, and with @evaluator, directly in the database, as the earlier steps of the chain
 * would have. */
static void
set_stage (ServerFixture *f,
           const char    *kind,
           const char    *uuid,
           const char    *stage,
           const char    *evaluator)
{
  const char *tables[] = { "packets", "revisions" };
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, kind);
  const CpWorkflowState *state = cp_workflow_lookup_state (cp_template_get_workflow (tpl), stage);

  g_assert_nonnull (state);
  server_fixture_stop (f);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = NULL;

      sql = g_strdup_printf ("UPDATE %s SET stage = '%s', state = '%s', evaluator = %s%s%s "
                             "WHERE uuid = '%s'",
                             tables[i], stage, cp_packet_state_to_string (state->legacy),
                             evaluator != NULL ? "'" : "",
                             evaluator != NULL ? evaluator : "NULL",
                             evaluator != NULL ? "'" : "", uuid);
      server_fixture_exec (f, sql);
    }
  server_fixture_start (f);
}

/* Writes @body (a packet, stored as it is) as the packet's next revision in @stage. */
static void
force_revision (ServerFixture *f,
                CpPacket      *packet,
                const char    *stage,
                const char    *evaluator)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpServerRevision) current = NULL;
  g_autoptr(CpServerRevision) revision = g_new0 (CpServerRevision, 1);
  CpServerStorage *storage;
  gsize length;
  char *data;

  server_fixture_stop (f);
  storage = server_fixture_open_storage (f);
  current = cp_server_storage_get_packet (storage, cp_packet_get_uuid (packet), NULL);
  data = cp_packet_to_data (packet, FALSE, &length);
  revision->uuid = g_strdup (cp_packet_get_uuid (packet));
  revision->action = g_strdup ("test");
  revision->state = g_strdup (cp_packet_state_to_string (cp_packet_get_state (packet)));
  revision->uscc = g_strdup (cp_packet_get_uscc (packet));
  revision->kind = g_strdup (cp_packet_get_kind (packet));
  revision->year = cp_packet_get_year (packet);
  revision->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data,
                                                  length);
  revision->user_name = g_strdup ("test");
  revision->body = g_bytes_new_take (data, length);
  revision->stage = g_strdup (stage);
  revision->evaluator = g_strdup (evaluator);
  cp_server_storage_put_revision (storage, revision, current != NULL ? current->revision : 0,
                                  NULL, &error);
  g_assert_no_error (error);
  cp_server_storage_close (storage);
  server_fixture_start (f);
}

static CpPacket *
new_packet (const char *kind)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, kind);
  CpPacket *packet = cp_packet_new (kind, cp_template_get_version (tpl));

  const CpScoringRef *scoring = cp_template_get_scoring (tpl);
  CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, scoring->sheet_id);

  g_assert_nonnull (cp_template_get_workflow (tpl));
  cp_packet_set_sheet (packet, scoring->sheet_id, cp_scoring_sheet_get_version (sheet));
  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "uscc", USCC_1);
  cp_packet_set_string (packet, "cover", "enterprise_name", "苏州矩阵科技有限公司");
  return packet;
}

/* The one refusal of a 403 "not-writable". */
static void
assert_refused (Reply      *reply,
                const char *pointer,
                const char *reason,
                const char *owner)
{
  JsonArray *refused;
  JsonObject *first;

  assert_problem (reply, 403, "not-writable");
  refused = json_object_get_array_member (json_node_get_object (reply->json), "refused");
  g_assert_cmpuint (json_array_get_length (refused), ==, 1);
  first = json_array_get_object_element (refused, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "pointer"), ==, pointer);
  g_assert_cmpstr (json_object_get_string_member (first, "reason"), ==, reason);
  if (owner != NULL)
    g_assert_cmpstr (json_object_get_string_member (first, "owner"), ==, owner);
  else
    g_assert_true (json_object_get_null_member (first, "owner"));
}

/* One value of each owner in each section (fields that hold text, dates, numbers, choices). */
static GPtrArray *
probe_fields (CpTemplate *tpl)
{
  GPtrArray *probes = g_ptr_array_new ();
  GPtrArray *sections = cp_template_get_sections (tpl);

  for (guint s = 0; s < sections->len; s++)
    {
      const CpSection *section = g_ptr_array_index (sections, s);
      guint seen = 0;

      for (guint i = 0; i < section->fields->len; i++)
        {
          const CpField *field = g_ptr_array_index (section->fields, i);

          if (field->type == CP_FIELD_GROUP || field->type == CP_FIELD_ATTACHMENT ||
              field->type == CP_FIELD_SIGNATURE || (seen & CP_ROLE_BIT (field->owner)) != 0)
            continue;
          seen |= CP_ROLE_BIT (field->owner);
          g_ptr_array_add (probes, (gpointer) field);
        }
    }
  return probes;
}

/* Every party × every stage × a value of every owner in every section, and each score column
 * someone owns: each write alone, against what the template says. */
static void
check_matrix (ServerFixture *f,
              const char    *kind)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, kind);
  const CpScoringRef *scoring = cp_template_get_scoring (tpl);
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  GPtrArray *states = cp_workflow_get_states (workflow);
  g_autoptr(GPtrArray) probes = probe_fields (tpl);
  g_autoptr(CpPacket) packet = new_packet (kind);
  g_autofree char *tokens[G_N_ELEMENTS (accounts)] = { NULL };
  const char *uuid = cp_packet_get_uuid (packet);
  guint allowed = 0;
  guint refused = 0;
  guint n = 0;

  add_parties (f);
  for (guint a = 0; a < G_N_ELEMENTS (accounts); a++)
    tokens[a] = server_login (f, accounts[a].user);
  {
    g_autoptr(Reply) created = put_packet (f, tokens[0], packet, 0);

    g_assert_cmpuint (created->status, ==, 201);
    g_assert_cmpstr (json_get_string (created->json, "stage"), ==,
                     cp_workflow_get_initial (workflow)->id);
  }
  g_assert_cmpuint (probes->len, >=, 5);

  for (guint s = 0; s < states->len; s++)
    {
      const CpWorkflowState *state = g_ptr_array_index (states, s);
      guint allowed_before = allowed;
      gboolean has_writer = FALSE;

      for (guint r = 0; r < CP_N_ROLES; r++)
        has_writer |= state->writers[r] != NULL;
      set_stage (f, kind, uuid, state->id, "C");
      for (guint a = 0; a < G_N_ELEMENTS (accounts); a++)
        for (guint p = 0; p < probes->len + 2; p++)
          {
            const CpField *field = p < probes->len ? g_ptr_array_index (probes, p) : NULL;
            CpScoreColumn column = p == probes->len ? CP_SCORE_SELF : CP_SCORE_ACCEPTANCE;
            g_autoptr(CpPacket) current = NULL;
            g_autoptr(Reply) reply = NULL;
            g_autofree char *pointer = NULL;
            gint64 revision = 0;
            gboolean unseen;
            gboolean may;
            CpRole owner;

            if (field == NULL && scoring->column_owner[column] == CP_ROLE_NONE)
              continue;
            /* An office does not see a draft (issue 11): it writes on what the enterprise
             * sees, and is refused whole. */
            unseen = (accounts[a].party == CP_ROLE_DISTRICT_OFFICE ||
                      accounts[a].party == CP_ROLE_CITY_OFFICE) &&
                     (state->legacy == CP_PACKET_STATE_DRAFT ||
                      state->legacy == CP_PACKET_STATE_READY);
            current = fetch (f, unseen ? tokens[0] : tokens[a], uuid, &revision);
            n++;
            if (field != NULL)
              {
                g_autofree char *value = g_strdup_printf ("矩阵 %u", n);

                cp_packet_set_string (current, field->section->id, field->id, value);
                pointer = g_strdup_printf ("/sections/%s/%s", field->section->id, field->id);
                may = cp_template_may_write_field (tpl, accounts[a].party, state->id, field);
                owner = field->owner;
              }
            else
              {
                {
                  const CpItemScore *score = cp_packet_get_score (current, "1.1.1");
                  gboolean has = score != NULL && (column == CP_SCORE_SELF ? score->has_self
                                                                           : score->has_acceptance);
                  double stored = score == NULL ? 0 : column == CP_SCORE_SELF ? score->self
                                                                              : score->acceptance;

                  cp_packet_set_score (current, "1.1.1", column, has && stored == 5 ? 6 : 5);
                }
                pointer = g_strdup_printf ("/scoring/items/1.1.1/%s",
                                           column == CP_SCORE_SELF ? "self" : "acceptance");
                may = cp_template_may_write_score (tpl, accounts[a].party, state->id, column);
                owner = cp_template_get_owner (tpl, pointer);
              }
            reply = put_packet (f, tokens[a], current, revision);
            if (state->final)
              {
                assert_problem (reply, 409, "invalid-state");
                continue;
              }
            if (unseen)
              {
                g_assert_false (may);
                assert_problem (reply, 403, "forbidden");
                refused++;
                continue;
              }
            if (may)
              {
                if (reply->status != 200)
                  g_test_message ("%s in %s, %s: %.*s", accounts[a].user, state->id, pointer,
                                  (int) g_bytes_get_size (reply->body),
                                  (const char *) g_bytes_get_data (reply->body, NULL));
                g_assert_cmpuint (reply->status, ==, 200);
                g_assert_cmpint (json_get_int (reply->json, "revision"), ==, revision + 1);
                g_assert_cmpstr (json_get_string (reply->json, "stage"), ==, state->id);
                allowed++;
              }
            else
              {
                if (reply->status != 403)
                  g_test_message ("%s in %s, %s: %u", accounts[a].user, state->id, pointer,
                                  reply->status);
                assert_refused (reply, pointer,
                                owner == accounts[a].party ? "not-in-this-state" : "not-owner",
                                cp_role_to_string (owner));
                g_assert_cmpstr (json_get_string (reply->json, "role"), ==,
                                 cp_role_to_string (accounts[a].party));
                g_assert_cmpstr (json_get_string (reply->json, "stage"), ==, state->id);
                refused++;
              }
          }
      /* Whoever writes in a stage got some write through (the probes reach every owner). */
      if (has_writer)
        g_assert_cmpuint (allowed, >, allowed_before);
    }
  g_test_message ("%s: %u writes: %u allowed, %u refused", kind, n, allowed, refused);
  g_assert_cmpuint (allowed, >, 0);
  g_assert_cmpuint (refused, >, allowed);
}

/* (The fixture takes its test data for a configuration function.) */
static void
test_matrix_city (ServerFixture *f,
                  gconstpointer  data)
{
  check_matrix (f, CITY);
}

static void
test_matrix_standardization (ServerFixture *f,
                             gconstpointer  data)
{
  check_matrix (f, "standardization-acceptance");
}

static void
test_matrix_provincial (ServerFixture *f,
                        gconstpointer  data)
{
  check_matrix (f, "provincial-recommendation");
}

static void
test_matrix_review (ServerFixture *f,
                    gconstpointer  data)
{
  check_matrix (f, REVIEW);
}

/* Cells of docs/templates.md ("Who writes what, stage by stage"), spelled out. */
static void
test_cells (ServerFixture *f,
            gconstpointer  data)
{
  g_autoptr(CpPacket) packet = new_packet (CITY);
  const char *uuid = cp_packet_get_uuid (packet);
  g_autofree char *ent = NULL;
  g_autofree char *coach = NULL;
  g_autofree char *evaluator = NULL;
  g_autofree char *district = NULL;
  g_autofree char *city = NULL;
  g_autofree char *admin = NULL;

  add_parties (f);
  ent = server_login (f, "ent-1");
  coach = server_login (f, "agency-a");
  evaluator = server_login (f, "agency-c");
  district = server_login (f, "office-kunshan");
  city = server_login (f, "office-city");
  admin = server_login (f, "admin");
  {
    g_autoptr(Reply) by_office = put_packet (f, district, packet, 0);
    g_autoptr(Reply) created = NULL;

    JsonObject *first;

    /* The enterprise makes the packet; nobody else ("" is the whole packet, then each value). */
    assert_problem (by_office, 403, "not-writable");
    first = json_array_get_object_element (json_object_get_array_member (
                                             json_node_get_object (by_office->json), "refused"),
                                           0);
    g_assert_cmpstr (json_object_get_string_member (first, "pointer"), ==, "");
    g_assert_cmpstr (json_object_get_string_member (first, "owner"), ==, "enterprise");
    created = put_packet (f, ent, packet, 0);
    g_assert_cmpuint (created->status, ==, 201);
  }
  /* Preparing: the enterprise and its coaching agency write, not the district office, which
   * does not even see the draft (issue 11), nor the administrator. */
  {
    gint64 revision;
    g_autoptr(CpPacket) current = fetch (f, ent, uuid, &revision);
    g_autofree char *path = packet_path (uuid, "");
    g_autoptr(Reply) unseen = server_request (f, "GET", path, district, NULL, 0, NULL);
    g_autoptr(Reply) refused = NULL;
    g_autoptr(Reply) by_admin = NULL;
    g_autoptr(Reply) refused_coach = NULL;
    g_autoptr(Reply) saved_ent = NULL;
    g_autoptr(Reply) saved = NULL;

    assert_problem (unseen, 404, "not-found");
    cp_packet_set_string (current, "application-form", "district_opinion", "同意");
    refused = put_packet (f, district, current, revision);
    assert_problem (refused, 403, "forbidden");
    by_admin = put_packet (f, admin, current, revision);
    assert_refused (by_admin, "/sections/application-form/district_opinion", "not-owner",
                    "district-office");
    g_clear_object (&current);
    /* "all" is all of what the party owns: the agency writes its survey, not the cover. */
    current = fetch (f, coach, uuid, &revision);
    cp_packet_set_string (current, "cover", "address", "昆山市前进路 1 号");
    refused_coach = put_packet (f, coach, current, revision);
    assert_refused (refused_coach, "/sections/cover/address", "not-owner", "enterprise");
    saved_ent = put_packet (f, ent, current, revision);
    g_assert_cmpuint (saved_ent->status, ==, 200);
    g_clear_object (&current);
    current = fetch (f, coach, uuid, &revision);
    cp_packet_set_string (current, "field-survey", "contract_number", "XY-2020-001");
    saved = put_packet (f, coach, current, revision);
    g_assert_cmpuint (saved->status, ==, 200);
  }
  /* District review: the 初审 block is the district office's, the city's block the city's;
   * everything refused in one write is listed, and nothing of it is saved. */
  set_stage (f, CITY, uuid, "district-review", NULL);
  {
    gint64 revision;
    gint64 after;
    g_autoptr(CpPacket) current = fetch (f, ent, uuid, &revision);
    g_autoptr(CpPacket) again = NULL;
    g_autoptr(Reply) refused = NULL;
    g_autoptr(Reply) by_city = NULL;
    g_autoptr(Reply) saved = NULL;
    JsonArray *list;

    cp_packet_set_string (current, "application-form", "district_opinion", "自己同意");
    cp_packet_set_string (current, "cover", "address", "改");
    refused = put_packet (f, ent, current, revision);
    assert_problem (refused, 403, "not-writable");
    list = json_object_get_array_member (json_node_get_object (refused->json), "refused");
    g_assert_cmpuint (json_array_get_length (list), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                    "pointer"), ==,
                     "/sections/application-form/district_opinion");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                    "owner"), ==, "district-office");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
                                                    "pointer"), ==, "/sections/cover/address");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 1),
                                                    "reason"), ==, "not-in-this-state");
    again = fetch (f, ent, uuid, &after);
    g_assert_cmpint (after, ==, revision);
    g_assert_cmpstr (cp_packet_get_string (again, "cover", "address"), ==, "昆山市前进路 1 号");

    g_clear_object (&current);
    current = fetch (f, city, uuid, &revision);
    cp_packet_set_string (current, "application-form", "district_opinion", "同意推荐");
    by_city = put_packet (f, city, current, revision);
    assert_refused (by_city, "/sections/application-form/district_opinion", "not-owner",
                    "district-office");
    saved = put_packet (f, district, current, revision);
    g_assert_cmpuint (saved->status, ==, 200);
  }
  /* On-site evaluation: the acceptance column is the evaluating agency's alone. */
  set_stage (f, CITY, uuid, "evaluation", "C");
  {
    gint64 revision;
    g_autoptr(CpPacket) current = fetch (f, coach, uuid, &revision);
    g_autoptr(Reply) by_coach = NULL;
    g_autoptr(Reply) by_ent = NULL;
    g_autoptr(Reply) saved = NULL;

    cp_packet_set_score (current, "1.1.1", CP_SCORE_ACCEPTANCE, 9);
    by_coach = put_packet (f, coach, current, revision);
    assert_refused (by_coach, "/scoring/items/1.1.1/acceptance", "not-owner",
                    "evaluating-agency");
    by_ent = put_packet (f, ent, current, revision);
    assert_refused (by_ent, "/scoring/items/1.1.1/acceptance", "not-owner", "evaluating-agency");
    saved = put_packet (f, evaluator, current, revision);
    g_assert_cmpuint (saved->status, ==, 200);
  }
}

/* The signatures the packet's signature fields record (GET …/signatures). */
static JsonArray *
signature_records (ServerFixture *f,
                   const char    *token,
                   const char    *uuid,
                   Reply        **keep)
{
  g_autofree char *path = packet_path (uuid, "/signatures");

  *keep = server_request (f, "GET", path, token, NULL, 0, NULL);
  g_assert_cmpuint ((*keep)->status, ==, 200);
  return json_object_get_array_member (json_node_get_object ((*keep)->json), "signatures");
}

/* A signature or stamp is recorded by the server as the account that wrote it, with the time;
 * the client cannot type that record; a write that leaves a signature alone keeps its record;
 * the body is stored as sent, so a replay is still recognised. */
static void
test_signatures (ServerFixture *f,
                 gconstpointer  data)
{
  g_autoptr(CpPacket) packet = new_packet (CITY);
  const char *uuid = cp_packet_get_uuid (packet);
  g_autofree char *ent = NULL;
  g_autofree char *district = NULL;
  g_autofree char *recorded_at = NULL;
  g_autofree char *path = packet_path (uuid, "");
  const char *stamp_json = "{\"signer\": \"王科长\", \"role\": \"district-office\", "
                           "\"date\": \"2020-04-20\"}";
  gint64 revision;

  add_parties (f);
  ent = server_login (f, "ent-1");
  district = server_login (f, "office-kunshan");
  {
    g_autoptr(Reply) created = put_packet (f, ent, packet, 0);
    g_autoptr(Reply) records = NULL;

    g_assert_cmpuint (created->status, ==, 201);
    g_assert_cmpuint (json_array_get_length (signature_records (f, ent, uuid, &records)), ==, 0);
  }
  set_stage (f, CITY, uuid, "district-review", NULL);
  {
    g_autoptr(CpPacket) current = fetch (f, district, uuid, &revision);
    g_autoptr(Reply) typed = NULL;
    g_autoptr(Reply) saved = NULL;
    g_autoptr(Reply) replay = NULL;
    g_autoptr(Reply) records = NULL;
    g_autofree char *body = NULL;
    g_autofree char *sent_sha = NULL;
    JsonArray *list;
    JsonObject *record;

    /* A record typed by the client is refused, whoever it names. */
    cp_packet_set_value (current, "application-form", "district_stamp",
                         json_from_string ("{\"signer\": \"王科长\", \"date\": \"2020-04-20\", "
                                           "\"recorded_by\": \"office-kunshan\"}", NULL));
    typed = put_packet (f, district, current, revision);
    assert_problem (typed, 422, "invalid-value");
    g_assert_cmpstr (json_get_string (typed->json, "pointer"), ==,
                     "/sections/application-form/district_stamp");

    cp_packet_set_value (current, "application-form", "district_stamp",
                         json_from_string (stamp_json, NULL));
    body = cp_packet_to_data (current, FALSE, NULL);
    sent_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, body, -1);
    saved = put_packet (f, district, current, revision);
    g_assert_cmpuint (saved->status, ==, 200);
    /* Stored as sent: the receipt names the body the client sent. */
    g_assert_cmpstr (json_get_string (saved->json, "sha256"), ==, sent_sha);
    list = signature_records (f, ent, uuid, &records);
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    record = json_array_get_object_element (list, 0);
    g_assert_cmpstr (json_object_get_string_member (record, "pointer"), ==,
                     "/sections/application-form/district_stamp");
    g_assert_cmpstr (json_object_get_string_member (record, "recorded_by"), ==,
                     "office-kunshan");
    g_assert_cmpint (json_object_get_int_member (record, "revision"), ==, revision + 1);
    recorded_at = g_strdup (json_object_get_string_member (record, "recorded_at"));
    /* The same body again (a client resending after a lost reply): the same receipt. */
    {
      g_autofree char *etag = g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", revision);

      replay = server_request (f, "PUT", path, district, body, -1, "If-Match", etag, NULL);
    }
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"), ==, revision + 1);
  }
  /* Another write that leaves the stamp alone keeps its record. */
  {
    g_autoptr(CpPacket) current = fetch (f, district, uuid, &revision);
    g_autoptr(Reply) saved = NULL;
    g_autoptr(Reply) records = NULL;
    JsonObject *record;

    cp_packet_set_string (current, "application-form", "district_opinion", "同意");
    saved = put_packet (f, district, current, revision);
    g_assert_cmpuint (saved->status, ==, 200);
    record = json_array_get_object_element (signature_records (f, district, uuid, &records), 0);
    g_assert_cmpint (json_object_get_int_member (record, "revision"), ==, revision);
    g_assert_cmpstr (json_object_get_string_member (record, "recorded_at"), ==, recorded_at);
  }
  /* The enterprise cannot stamp for the district office. */
  {
    g_autoptr(CpPacket) current = fetch (f, ent, uuid, &revision);
    g_autoptr(Reply) refused = NULL;

    cp_packet_set_value (current, "application-form", "district_stamp",
                         json_from_string ("{\"signer\": \"李明\", \"date\": \"2020-04-21\"}",
                                           NULL));
    refused = put_packet (f, ent, current, revision);
    assert_refused (refused, "/sections/application-form/district_stamp", "not-owner",
                    "district-office");
  }
  /* Changed, the stamp is recorded again; removed, its record goes. */
  {
    g_autoptr(CpPacket) current = fetch (f, district, uuid, &revision);
    g_autoptr(Reply) changed = NULL;
    g_autoptr(Reply) removed = NULL;
    g_autoptr(Reply) records = NULL;
    g_autoptr(Reply) none = NULL;
    JsonObject *record;

    cp_packet_set_value (current, "application-form", "district_stamp",
                         json_from_string ("{\"signer\": \"王科长\", \"date\": \"2020-04-22\"}",
                                           NULL));
    changed = put_packet (f, district, current, revision);
    g_assert_cmpuint (changed->status, ==, 200);
    record = json_array_get_object_element (signature_records (f, district, uuid, &records), 0);
    g_assert_cmpint (json_object_get_int_member (record, "revision"), ==, revision + 1);
    cp_packet_set_value (current, "application-form", "district_stamp", NULL);
    removed = put_packet (f, district, current, revision + 1);
    g_assert_cmpuint (removed->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (signature_records (f, district, uuid, &none)), ==, 0);
  }
}

static Reply *
transition (ServerFixture *f,
            const char    *token,
            const char    *uuid,
            const char    *body)
{
  g_autofree char *path = packet_path (uuid, "/transitions");

  return server_request (f, "POST", path, token, body, -1, NULL);
}

/* The chain from the acceptance request to recognition, with who may take each step; the
 * assignment of the evaluating agency and what that agency then sees. */
static void
test_transitions (ServerFixture *f,
                  gconstpointer  data)
{
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) other = new_packet (CITY);
  g_autofree char *ent = NULL;
  g_autofree char *coach = NULL;
  g_autofree char *evaluator = NULL;
  g_autofree char *district = NULL;
  g_autofree char *city = NULL;
  g_autofree char *listing = NULL;
  const char *uuid;

  add_parties (f);
  ent = server_login (f, "ent-1");
  coach = server_login (f, "agency-a");
  evaluator = server_login (f, "agency-c");
  district = server_login (f, "office-kunshan");
  city = server_login (f, "office-city");

  /* A bare new packet cannot be handed in: 422 with what is missing. */
  {
    g_autoptr(Reply) created = put_packet (f, ent, other, 0);
    g_autoptr(Reply) early = transition (f, ent, cp_packet_get_uuid (other),
                                         "{\"transition\": \"submit\"}");
    g_autoptr(Reply) by_office = transition (f, district, cp_packet_get_uuid (other),
                                             "{\"transition\": \"submit\"}");
    g_autoptr(Reply) unknown = transition (f, ent, cp_packet_get_uuid (other),
                                           "{\"transition\": \"recognise\"}");

    g_assert_cmpuint (created->status, ==, 201);
    /* Every revision the server sends names the requester's party to the packet. */
    g_assert_cmpstr (json_get_string (created->json, "party"), ==, "enterprise");
    assert_problem (early, 422, "incomplete");
    /* The office does not see a draft at all. */
    assert_problem (by_office, 404, "not-found");
    assert_problem (unknown, 409, "invalid-state");
  }

  demo = cp_demo_packet_for_year (registry, CITY, 2020, 7);
  g_assert_nonnull (demo);
  cp_packet_set_string (demo, "cover", "uscc", USCC_1);
  cp_packet_set_state (demo, CP_PACKET_STATE_SUBMITTED);
  uuid = cp_packet_get_uuid (demo);
  force_revision (f, demo, "acceptance-requested", NULL);
  listing = packet_path (uuid, "/transitions");
  {
    g_autoptr(Reply) listed = server_request (f, "GET", listing, city, NULL, 0, NULL);
    g_autoptr(Reply) none = server_request (f, "GET", listing, ent, NULL, 0, NULL);
    JsonArray *array;

    g_assert_cmpuint (listed->status, ==, 200);
    g_assert_cmpstr (json_get_string (listed->json, "stage"), ==, "acceptance-requested");
    g_assert_cmpstr (json_get_string (listed->json, "role"), ==, "city-office");
    array = json_object_get_array_member (json_node_get_object (listed->json), "transitions");
    g_assert_cmpuint (json_array_get_length (array), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                    "transition"), ==, "assign");
    g_assert_cmpuint (none->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                                               json_node_get_object (none->json),
                                               "transitions")), ==, 0);
  }
  /* Before the assignment agency C does not see the packet. */
  {
    g_autofree char *path = packet_path (uuid, "");
    g_autoptr(Reply) hidden = server_request (f, "GET", path, evaluator, NULL, 0, NULL);
    g_autofree char *authors_path = packet_path (uuid, "/authors");
    g_autoptr(Reply) no_authors = server_request (f, "GET", authors_path, evaluator, NULL, 0,
                                                  NULL);

    assert_problem (hidden, 404, "not-found");
    /* Who wrote what is as visible as the packet. */
    assert_problem (no_authors, 404, "not-found");
  }
  /* The assignment: the city's, of a third party. */
  {
    g_autoptr(Reply) by_district = transition (f, district, uuid,
                                               "{\"transition\": \"assign\", \"agency\": \"C\"}");
    g_autoptr(Reply) no_agency = transition (f, city, uuid, "{\"transition\": \"assign\"}");
    g_autoptr(Reply) unknown = transition (f, city, uuid,
                                           "{\"transition\": \"assign\", \"agency\": \"Z\"}");
    g_autoptr(Reply) coaching = transition (f, city, uuid,
                                            "{\"transition\": \"assign\", \"agency\": \"A\"}");
    g_autoptr(Reply) assigned = NULL;
    g_autoptr(Reply) replay = NULL;

    assert_problem (by_district, 403, "forbidden");
    assert_problem (no_agency, 422, "invalid-value");
    assert_problem (unknown, 422, "invalid-value");
    assert_problem (coaching, 409, "agency-not-eligible");
    g_assert_cmpstr (json_get_string (coaching->json, "reason"), ==, "coaching-agency");
    assigned = transition (f, city, uuid, "{\"transition\": \"assign\", \"agency\": \"C\"}");
    g_assert_cmpuint (assigned->status, ==, 200);
    g_assert_cmpstr (json_get_string (assigned->json, "stage"), ==, "evaluation");
    g_assert_cmpstr (json_get_string (assigned->json, "evaluator"), ==, "C");
    g_assert_cmpstr (json_get_string (assigned->json, "state"), ==, "submitted");
    g_assert_cmpstr (json_get_string (assigned->json, "action"), ==, "assign");
    g_assert_cmpstr (json_get_string (assigned->json, "party"), ==, "city-office");
    replay = transition (f, city, uuid, "{\"transition\": \"assign\", \"agency\": \"C\"}");
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"),
                     ==, json_get_int (assigned->json, "revision"));
  }
  /* Agency C sees this packet (and its history), not the enterprise's other one. */
  {
    g_autofree char *path = packet_path (uuid, "");
    g_autofree char *history = packet_path (uuid, "/revisions");
    g_autofree char *other_path = packet_path (cp_packet_get_uuid (other), "");
    g_autoptr(Reply) got = server_request (f, "GET", path, evaluator, NULL, 0, NULL);
    g_autoptr(Reply) revisions = server_request (f, "GET", history, evaluator, NULL, 0, NULL);
    g_autoptr(Reply) hidden = server_request (f, "GET", other_path, evaluator, NULL, 0, NULL);
    g_autoptr(Reply) changes = server_request (f, "GET", "/api/v1/changes", evaluator, NULL, 0,
                                               NULL);
    JsonArray *array = json_object_get_array_member (json_node_get_object (changes->json),
                                                     "changes");

    g_assert_cmpuint (got->status, ==, 200);
    g_assert_cmpuint (revisions->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                                               json_node_get_object (revisions->json),
                                               "revisions")), ==, 2);
    assert_problem (hidden, 404, "not-found");
    g_assert_cmpuint (json_array_get_length (array), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                    "uuid"), ==, uuid);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, 0),
                                                    "party"), ==, "evaluating-agency");
    array = json_object_get_array_member (json_node_get_object (revisions->json), "revisions");
    for (guint i = 0; i < json_array_get_length (array); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (array, i),
                                                      "party"), ==, "evaluating-agency");
  }
  /* The same packet is the coaching agency's too, in the feed with and without bodies; the
   * district office is the district office to it. */
  {
    const char *paths[] = { "/api/v1/changes", "/api/v1/changes?bodies=1" };

    for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
      {
        g_autoptr(Reply) by_coach = server_request (f, "GET", paths[i], coach, NULL, 0, NULL);
        g_autoptr(Reply) by_district = server_request (f, "GET", paths[i], district, NULL, 0,
                                                       NULL);
        struct { Reply *reply; const char *party; } cases[] = {
          { by_coach, "coaching-agency" }, { by_district, "district-office" },
        };

        for (guint j = 0; j < G_N_ELEMENTS (cases); j++)
          {
            JsonArray *entries;
            guint found = 0;

            g_assert_cmpuint (cases[j].reply->status, ==, 200);
            entries = json_object_get_array_member (json_node_get_object (cases[j].reply->json),
                                                    "changes");
            for (guint k = 0; k < json_array_get_length (entries); k++)
              {
                JsonObject *entry = json_array_get_object_element (entries, k);

                g_assert_cmpstr (json_object_get_string_member (entry, "party"), ==,
                                 cases[j].party);
                found += g_str_equal (json_object_get_string_member (entry, "uuid"), uuid);
              }
            g_assert_cmpuint (found, ==, 1);
          }
      }
  }
  /* The evaluation done, the city recognises: each step only by its party, in its stage. */
  {
    g_autoptr(Reply) early = transition (f, city, uuid, "{\"transition\": \"recognise\"}");
    g_autoptr(Reply) by_coach = transition (f, coach, uuid,
                                            "{\"transition\": \"finish-evaluation\"}");
    g_autoptr(Reply) finished = transition (f, evaluator, uuid,
                                            "{\"transition\": \"finish-evaluation\"}");
    g_autoptr(Reply) incomplete = NULL;
    g_autoptr(Reply) recognised = NULL;
    g_autoptr(Reply) after = NULL;

    assert_problem (early, 409, "invalid-state");
    assert_problem (by_coach, 403, "forbidden");
    if (finished->status != 200)
      g_test_message ("%.*s", (int) g_bytes_get_size (finished->body),
                      (const char *) g_bytes_get_data (finished->body, NULL));
    g_assert_cmpuint (finished->status, ==, 200);
    g_assert_cmpstr (json_get_string (finished->json, "stage"), ==, "recognition");
    /* The city's block must be filled first, by the city. */
    incomplete = transition (f, city, uuid, "{\"transition\": \"recognise\"}");
    assert_problem (incomplete, 422, "incomplete");
    {
      gint64 revision;
      g_autoptr(CpPacket) current = fetch (f, city, uuid, &revision);
      const CpAttachment *scan = g_ptr_array_index (cp_packet_get_attachments (current), 0);
      const char *signers[] = { "city_reviewer", "city_approver" };
      g_autoptr(Reply) saved = NULL;

      cp_packet_set_string (current, "application-form", "city_opinion", "同意认定");
      cp_packet_set_string (current, "application-form", "city_review_date", "2020-09-30");
      for (guint i = 0; i < G_N_ELEMENTS (signers); i++)
        {
          g_autofree char *json = g_strdup_printf ("{\"signer\": \"张%u\", \"role\": "
                                                   "\"city-office\", \"date\": \"2020-09-30\", "
                                                   "\"scan\": \"%s\"}", i, scan->sha256);

          cp_packet_set_value (current, "application-form", signers[i],
                               json_from_string (json, NULL));
        }
      saved = put_packet (f, city, current, revision);
      g_assert_cmpuint (saved->status, ==, 200);
    }
    /* Who wrote each value: the city its opinion, the first revision ("test", no account: no
     * party) the cover; a field nobody wrote is not listed. */
    {
      g_autofree char *authors_path = packet_path (uuid, "/authors");
      g_autoptr(Reply) authors = server_request (f, "GET", authors_path, district, NULL, 0,
                                                 NULL);
      g_autoptr(GDateTime) at = NULL;
      JsonObject *members;
      JsonObject *author;

      g_assert_cmpuint (authors->status, ==, 200);
      g_assert_cmpstr (json_get_string (authors->json, "uuid"), ==, uuid);
      members = json_object_get_object_member (json_node_get_object (authors->json), "authors");
      author = json_object_get_object_member (members, "/sections/application-form/city_opinion");
      g_assert_nonnull (author);
      g_assert_cmpstr (json_object_get_string_member (author, "name"), ==, "office-city");
      g_assert_cmpstr (json_object_get_string_member (author, "party"), ==, "city-office");
      at = g_date_time_new_from_iso8601 (json_object_get_string_member (author, "at"), NULL);
      g_assert_nonnull (at);
      author = json_object_get_object_member (members, "/sections/cover/uscc");
      g_assert_nonnull (author);
      g_assert_cmpstr (json_object_get_string_member (author, "name"), ==, "test");
      g_assert_false (json_object_has_member (author, "party"));
      g_assert_false (json_object_has_member (members, "/sections/cover/no_such_field"));
    }
    recognised = transition (f, city, uuid, "{\"transition\": \"recognise\"}");
    if (recognised->status != 200)
      g_test_message ("%.*s", (int) g_bytes_get_size (recognised->body),
                      (const char *) g_bytes_get_data (recognised->body, NULL));
    g_assert_cmpuint (recognised->status, ==, 200);
    g_assert_cmpstr (json_get_string (recognised->json, "stage"), ==, "recognised");
    g_assert_cmpstr (json_get_string (recognised->json, "state"), ==, "accepted");
    after = transition (f, city, uuid, "{\"transition\": \"return\", \"comments\": "
                                       "[{\"comment\": \"晚了\"}]}");
    assert_problem (after, 409, "invalid-state");
  }
}

/* For a re-review, the agency must not have coached or accepted enterprises that year. */
static void
test_assignment_review (ServerFixture *f,
                        gconstpointer  data)
{
  g_autoptr(CpPacket) review = new_packet (REVIEW);
  g_autoptr(CpPacket) city_packet = NULL;
  g_autofree char *city = NULL;
  const char *uuid = cp_packet_get_uuid (review);

  add_parties (f);
  city = server_login (f, "office-city");
  cp_packet_set_state (review, CP_PACKET_STATE_SUBMITTED);
  force_revision (f, review, "listed", NULL);
  /* Agency B coaches ent-2, which applies in 2020; agency D evaluates a city application. */
  {
    g_autoptr(CpPacket) coached = new_packet (CITY);

    cp_packet_set_string (coached, "cover", "uscc", USCC_2);
    force_revision (f, coached, "preparing", NULL);
    city_packet = new_packet (CITY);
    cp_packet_set_string (city_packet, "cover", "uscc", USCC_3);
    cp_packet_set_state (city_packet, CP_PACKET_STATE_SUBMITTED);
    force_revision (f, city_packet, "evaluation", "D");
  }
  {
    g_autoptr(Reply) coaching = transition (f, city, uuid,
                                            "{\"transition\": \"assign\", \"agency\": \"A\"}");
    g_autoptr(Reply) coached = transition (f, city, uuid,
                                           "{\"transition\": \"assign\", \"agency\": \"B\"}");
    g_autoptr(Reply) accepted = transition (f, city, uuid,
                                            "{\"transition\": \"assign\", \"agency\": \"D\"}");
    g_autoptr(Reply) assigned = NULL;

    assert_problem (coaching, 409, "agency-not-eligible");
    g_assert_cmpstr (json_get_string (coaching->json, "reason"), ==, "coaching-agency");
    assert_problem (coached, 409, "agency-not-eligible");
    g_assert_cmpstr (json_get_string (coached->json, "reason"), ==, "active-this-year");
    assert_problem (accepted, 409, "agency-not-eligible");
    g_assert_cmpstr (json_get_string (accepted->json, "reason"), ==, "active-this-year");
    assigned = transition (f, city, uuid, "{\"transition\": \"assign\", \"agency\": \"C\"}");
    g_assert_cmpuint (assigned->status, ==, 200);
    g_assert_cmpstr (json_get_string (assigned->json, "stage"), ==, "on-site");
  }
  /* The city application's assignment is not independent of the year: D evaluates another
   * city application too. */
  {
    g_autoptr(CpPacket) second = new_packet (CITY);
    g_autoptr(Reply) assigned = NULL;

    cp_packet_set_string (second, "cover", "uscc", USCC_3);
    cp_packet_set_state (second, CP_PACKET_STATE_SUBMITTED);
    force_revision (f, second, "acceptance-requested", NULL);
    assigned = transition (f, city, cp_packet_get_uuid (second),
                           "{\"transition\": \"assign\", \"agency\": \"D\"}");
    g_assert_cmpuint (assigned->status, ==, 200);
  }
}

/* A packet stored before stages existed (NULL stage) is in the stage its state maps to; the
 * legacy endpoints take the workflow's steps; a 2020.1 packet keeps the old rules. */
static void
test_legacy (ServerFixture *f,
             gconstpointer  data)
{
  g_autoptr(CpPacket) packet = cp_demo_packet_for_year (registry, CITY, 2020, 3);
  g_autoptr(CpPacket) old_format = cp_packet_new (CITY, "2020.1");
  const char *uuid = cp_packet_get_uuid (packet);
  g_autofree char *ent = NULL;
  g_autofree char *district = NULL;
  g_autofree char *coach = NULL;
  g_autofree char *accept = packet_path (uuid, "/accept");
  g_autofree char *listing = packet_path (uuid, "/transitions");
  gint64 revision;

  add_parties (f);
  ent = server_login (f, "ent-1");
  district = server_login (f, "office-kunshan");
  coach = server_login (f, "agency-a");
  cp_packet_set_string (packet, "cover", "uscc", USCC_1);
  cp_packet_set_state (packet, CP_PACKET_STATE_SUBMITTED);
  force_revision (f, packet, NULL, NULL);
  {
    GStrv stages = server_fixture_query_column (f, "SELECT COALESCE (stage, '-') FROM packets");

    g_assert_cmpuint (g_strv_length (stages), ==, 1);
    g_assert_cmpstr (stages[0], ==, "-");
    g_strfreev (stages);
  }
  {
    g_autoptr(Reply) listed = server_request (f, "GET", listing, district, NULL, 0, NULL);
    g_autoptr(CpPacket) current = fetch (f, district, uuid, &revision);
    g_autoptr(Reply) by_ent = NULL;
    g_autoptr(Reply) saved = NULL;
    g_autoptr(Reply) accepted = NULL;
    g_autoptr(Reply) replay = NULL;

    g_assert_cmpuint (listed->status, ==, 200);
    g_assert_cmpstr (json_get_string (listed->json, "stage"), ==, "district-review");
    cp_packet_set_string (current, "application-form", "district_opinion", "同意（遗留）");
    by_ent = put_packet (f, ent, current, revision);
    assert_refused (by_ent, "/sections/application-form/district_opinion", "not-owner",
                    "district-office");
    saved = put_packet (f, district, current, revision);
    g_assert_cmpuint (saved->status, ==, 200);
    g_assert_cmpstr (json_get_string (saved->json, "stage"), ==, "district-review");
    /* POST …/accept is the district's step forward here: approve, to coaching. */
    accepted = server_request (f, "POST", accept, district, NULL, 0, NULL);
    g_assert_cmpuint (accepted->status, ==, 200);
    g_assert_cmpstr (json_get_string (accepted->json, "action"), ==, "approve");
    g_assert_cmpstr (json_get_string (accepted->json, "stage"), ==, "coaching");
    g_assert_cmpstr (json_get_string (accepted->json, "state"), ==, "submitted");
    replay = server_request (f, "POST", accept, district, NULL, 0, NULL);
    g_assert_cmpuint (replay->status, ==, 200);
    g_assert_cmpint (json_get_int (replay->json, "revision"), ==,
                     json_get_int (accepted->json, "revision"));
  }
  /* A body stored by an older server that does not read any more (issue 13) can be saved
   * again, as a new packet would be: by the enterprise, in the first stage. */
  {
    g_autoptr(CpPacket) poisoned = new_packet (CITY);
    g_autoptr(Reply) created = put_packet (f, ent, poisoned, 0);
    g_autoptr(Reply) by_coach = NULL;
    g_autoptr(Reply) repaired = NULL;
    g_autofree char *sql = NULL;

    g_assert_cmpuint (created->status, ==, 201);
    server_fixture_stop (f);
    if (f->database == NULL)
      sql = g_strdup_printf ("UPDATE revisions SET body = CAST (replace (CAST (body AS TEXT), "
                             "'\"year\":2020', '\"year\":2020.0.0') AS BLOB) "
                             "WHERE uuid = '%s'", cp_packet_get_uuid (poisoned));
    else
      sql = g_strdup_printf ("UPDATE revisions SET body = convert_to (replace (convert_from "
                             "(body, 'UTF8'), '\"year\":2020', '\"year\":2020.0.0'), "
                             "'UTF8') WHERE uuid = '%s'", cp_packet_get_uuid (poisoned));
    server_fixture_exec (f, sql);
    server_fixture_start (f);
    cp_packet_set_string (poisoned, "cover", "address", "苏州");
    by_coach = put_packet (f, coach, poisoned, 1);
    assert_problem (by_coach, 403, "not-writable");
    repaired = put_packet (f, ent, poisoned, 1);
    g_assert_cmpuint (repaired->status, ==, 200);
  }
  /* A version the server does not know is no way around the chain. */
  {
    g_autoptr(CpPacket) unknown = cp_packet_new (CITY, "2099.1");
    g_autoptr(Reply) refused = NULL;

    cp_packet_set_year (unknown, 2020);
    cp_packet_set_string (unknown, "cover", "uscc", USCC_1);
    refused = put_packet (f, coach, unknown, 0);
    assert_problem (refused, 422, "unknown-template");
  }
  /* The 2020.1 format has no owners: an agency writes it all, offices still write none. */
  {
    g_autoptr(Reply) by_coach = NULL;
    g_autoptr(Reply) by_office = NULL;

    cp_packet_set_year (old_format, 2020);
    cp_packet_set_string (old_format, "cover", "uscc", USCC_1);
    by_office = put_packet (f, district, old_format, 0);
    assert_problem (by_office, 403, "forbidden");
    by_coach = put_packet (f, coach, old_format, 0);
    g_assert_cmpuint (by_coach->status, ==, 201);
    g_assert_false (json_object_has_member (json_node_get_object (by_coach->json), "stage"));
  }
}

/* The city office chooses the evaluating agency from GET /agencies; other roles get 403. */
static void
test_agencies (ServerFixture *f,
               gconstpointer  data)
{
  static const char * const expected[] = { "A", "B", "C", "D" };
  g_autofree char *city = NULL;
  g_autofree char *ent = NULL;
  g_autofree char *agency = NULL;

  add_parties (f);
  city = server_login (f, "office-city");
  ent = server_login (f, "ent-1");
  agency = server_login (f, "agency-a");
  {
    g_autoptr(Reply) listed = server_request (f, "GET", "/api/v1/agencies", city, NULL, 0, NULL);
    g_autoptr(Reply) by_enterprise = server_request (f, "GET", "/api/v1/agencies", ent, NULL, 0,
                                                     NULL);
    g_autoptr(Reply) by_agency = server_request (f, "GET", "/api/v1/agencies", agency, NULL, 0,
                                                 NULL);
    g_autoptr(Reply) post = server_request (f, "POST", "/api/v1/agencies", city, "{}", 2, NULL);
    JsonArray *array;

    g_assert_cmpuint (listed->status, ==, 200);
    array = json_object_get_array_member (json_node_get_object (listed->json), "agencies");
    g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (expected));
    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        JsonObject *entry = json_array_get_object_element (array, i);
        g_autofree char *name = g_strdup_printf ("Agency %s", expected[i]);

        g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, expected[i]);
        g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, name);
      }
    assert_problem (by_enterprise, 403, "forbidden");
    assert_problem (by_agency, 403, "forbidden");
    g_assert_cmpuint (post->status, ==, 405);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, NULL);

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);

#define ADD(path, func) \
  g_test_add (path, ServerFixture, NULL, server_fixture_setup, func, server_fixture_teardown)
  ADD ("/server/workflow/matrix/city-demonstration", test_matrix_city);
  ADD ("/server/workflow/matrix/standardization-acceptance", test_matrix_standardization);
  ADD ("/server/workflow/matrix/provincial-recommendation", test_matrix_provincial);
  ADD ("/server/workflow/matrix/demonstration-review", test_matrix_review);
  ADD ("/server/workflow/cells", test_cells);
  ADD ("/server/workflow/signatures", test_signatures);
  ADD ("/server/workflow/transitions", test_transitions);
  ADD ("/server/workflow/assignment-review", test_assignment_review);
  ADD ("/server/workflow/legacy", test_legacy);
  ADD ("/server/workflow/agencies", test_agencies);
#undef ADD

  return g_test_run ();
}
