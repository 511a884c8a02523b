/* cp-server-packets.c — packets, revisions, workflow, the changes feed, progress, templates
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-server-private.h"

#include "cp-access.h"
#include "cp-finding.h"
#include "cp-json-private.h"
#include "cp-packet.h"
#include "cp-packet-diff.h"
#include "cp-template-registry.h"
#include "cp-validator.h"

#include <math.h>
#include <string.h>

#define MAX_CHANGES 1000
#define DEFAULT_CHANGES 500

/* --- templates --------------------------------------------------------------------------- */

CpTemplateRegistry *
cp_server_load_registry (const char  *templates_dir,
                         GError     **error)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (error);

  if (registry == NULL)
    return NULL;
  /* The office's revisions (a new version of a kind or of the scoring sheet's wording) are
   * loaded over the shipped ones and handed to the clients through GET /templates. */
  if (templates_dir != NULL)
    {
      if (!g_file_test (templates_dir, G_FILE_TEST_IS_DIR))
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR,
                       "templates-dir %s is not a folder.", templates_dir);
          return NULL;
        }
      if (!cp_template_registry_load_directory (registry, templates_dir, error))
        {
          g_prefix_error (error, "templates-dir %s: ", templates_dir);
          return NULL;
        }
    }
  return g_steal_pointer (&registry);
}

void
cp_server_handle_templates (CpServer          *self,
                            SoupServerMessage *msg,
                            CpRequest         *request)
{
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GPtrArray) sheets = NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonArray *kind_array = json_array_new ();
  JsonArray *sheet_array = json_array_new ();

  kinds = cp_template_registry_list_kinds (self->registry);
  sheets = cp_template_registry_list_sheets (self->registry);
  for (guint i = 0; i < kinds->len; i++)
    {
      JsonNode *json = cp_template_get_json (g_ptr_array_index (kinds, i));

      if (json != NULL)
        json_array_add_element (kind_array, json_node_copy (json));
    }
  for (guint i = 0; i < sheets->len; i++)
    {
      CpScoringSheet *sheet = g_ptr_array_index (sheets, i);
      const char *origin = cp_scoring_sheet_get_origin (sheet);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();

      /* Sheets keep no document; the shipped ones are read again from the resources. */
      if (origin == NULL || origin[0] != '/')
        continue;
      bytes = g_resources_lookup_data (origin, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
      if (bytes == NULL)
        {
          g_autofree char *contents = NULL;
          gsize length;

          if (!g_file_get_contents (origin, &contents, &length, NULL))
            continue;
          bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
        }
      if (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                      g_bytes_get_size (bytes), NULL))
        json_array_add_element (sheet_array, json_node_copy (json_parser_get_root (parser)));
    }
  json_object_set_array_member (object, "kinds", kind_array);
  json_object_set_array_member (object, "sheets", sheet_array);
  json_node_set_object (node, object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* --- helpers ----------------------------------------------------------------------------- */

static gboolean
uscc_is_well_formed (const char *uscc)
{
  static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  gsize i;

  if (uscc == NULL)
    return FALSE;
  for (i = 0; uscc[i] != '\0'; i++)
    if (strchr (charset, uscc[i]) == NULL)
      return FALSE;
  return i == 18;
}

static gboolean
header_equals (const char *value,
               const char *expected)
{
  g_autofree char *copy = g_strstrip (g_strdup (value));

  return g_str_equal (copy, expected);
}

static char *
etag_for (gint64 revision)
{
  return g_strdup_printf ("\"%" G_GINT64_FORMAT "\"", revision);
}

/* The party @user is to the packet of @revision (cp_server_party_of), as docs/api.md names it,
 * or NULL for a kind without a workflow or a user who is no party (the administrator). Lists
 * pass @cache (-1 at first): only an agency's party depends on the packet, and an office's
 * takes a look at the districts. */
static const char *
revision_party_cached (CpServer               *self,
                       const CpServerUser     *user,
                       const CpServerRevision *revision,
                       int                    *cache)
{
  CpTemplate *tpl;
  CpRole party;

  if (user == NULL || revision->kind == NULL)
    return NULL;
  tpl = cp_template_registry_lookup_kind (self->registry, revision->kind);
  if (tpl == NULL || cp_template_get_workflow (tpl) == NULL)
    return NULL;
  if (cache != NULL && *cache >= 0 && user->role != CP_SERVER_ROLE_AGENCY)
    party = (CpRole) *cache;
  else
    party = cp_server_party_of (self, user, revision->evaluator);
  if (cache != NULL)
    *cache = (int) party;
  return party != CP_ROLE_NONE ? cp_role_to_string (party) : NULL;
}

static const char *
revision_party (CpServer               *self,
                const CpServerUser     *user,
                const CpServerRevision *revision)
{
  return revision_party_cached (self, user, revision, NULL);
}

/* A revision as the API shows it; @party (revision_party) is the requester's to the packet. */
static JsonObject *
revision_to_json_object (CpServerRevision *revision,
                         const char       *party)
{
  JsonObject *object = json_object_new ();
  g_autofree char *time = cp_server_format_time (revision->created_at);

  json_object_set_string_member (object, "uuid", revision->uuid);
  json_object_set_int_member (object, "revision", revision->revision);
  json_object_set_int_member (object, "base", revision->base);
  json_object_set_string_member (object, "action", revision->action);
  json_object_set_string_member (object, "state", revision->state);
  json_object_set_string_member (object, "uscc", revision->uscc);
  json_object_set_string_member (object, "kind", revision->kind);
  json_object_set_int_member (object, "year", revision->year);
  json_object_set_string_member (object, "sha256", revision->sha256);
  json_object_set_string_member (object, "modified_by", revision->user_name);
  json_object_set_string_member (object, "modified_at", time);
  if (revision->stage != NULL)
    json_object_set_string_member (object, "stage", revision->stage);
  if (revision->evaluator != NULL)
    json_object_set_string_member (object, "evaluator", revision->evaluator);
  if (party != NULL)
    json_object_set_string_member (object, "party", party);
  return object;
}

static void
reply_receipt (CpServer           *self,
               SoupServerMessage  *msg,
               const CpServerUser *user,
               guint               status,
               CpServerRevision   *revision,
               JsonArray          *comments)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *etag = etag_for (revision->revision);
  JsonObject *object = revision_to_json_object (revision,
                                                revision_party (self, user, revision));

  if (comments != NULL)
    json_object_set_array_member (object, "comments", json_array_ref (comments));
  json_node_take_object (node, object);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
  cp_server_reply_json (msg, status, node);
}

static JsonNode *
body_to_json (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                   g_bytes_get_size (body), NULL))
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

static void
reply_stale (CpServer           *self,
             SoupServerMessage  *msg,
             const CpServerUser *user,
             CpServerRevision   *current,
             const char         *detail)
{
  JsonObject *extra = json_object_new ();

  if (current != NULL)
    {
      g_autofree char *etag = etag_for (current->revision);

      json_object_set_int_member (extra, "current_revision", current->revision);
      json_object_set_object_member (extra, "current_receipt",
                                     revision_to_json_object (current,
                                                              revision_party (self, user,
                                                                              current)));
      json_object_set_member (extra, "current", body_to_json (current->body));
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag",
                                    etag);
    }
  else
    json_object_set_null_member (extra, "current");
  cp_server_reply_problem (msg, SOUP_STATUS_PRECONDITION_FAILED, "stale-revision", detail,
                           extra);
}

/* The request's If-Match revision: 0 when absent, -1 (after replying) when malformed. */
static gint64
parse_if_match (SoupServerMessage *msg)
{
  const char *value = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                    "If-Match");
  gint64 number = cp_server_parse_revision_tag (value);

  if (number < 0)
    cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                             "If-Match must name one revision, such as \"3\".", NULL);
  return number;
}

/* Loads the current revision of the packet in the path, if the caller may see it. Replies
 * 404 and returns NULL otherwise (an invisible packet looks like a missing one). */
static CpServerRevision *
load_visible (CpServer          *self,
              SoupServerMessage *msg,
              CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = NULL;
  g_autoptr(GError) error = NULL;

  current = cp_server_storage_get_packet (self->storage, request->uuid, &error);
  if (current == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return NULL;
    }
  if (!cp_server_can_see_revision (self, request->user, current, &error))
    {
      cp_server_reply_storage_error (msg, error);
      return NULL;
    }
  return g_steal_pointer (&current);
}

static void
reply_json_error (SoupServerMessage *msg,
                  const GError      *error)
{
  if (g_error_matches (error, CP_JSON_ERROR, CP_JSON_ERROR_SYNTAX))
    cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-json", error->message, NULL);
  else if (g_error_matches (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_DEEP))
    cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "too-deep", error->message, NULL);
  else if (g_error_matches (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE))
    cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                             error->message, NULL);
  else
    cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-packet",
                             error->message, NULL);
}

static GStrv
attachment_hashes (CpPacket *packet)
{
  GPtrArray *attachments = cp_packet_get_attachments (packet);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);

      g_strv_builder_add (builder, attachment->sha256);
    }
  return g_strv_builder_end (builder);
}

/* Builds a revision record from a packet, with its canonical body, which is read back first:
 * what is stored can always be read again, by every user who sees it. NULL (after replying 422)
 * when it does not round-trip. */
static CpServerRevision *
revision_from_packet (SoupServerMessage *msg,
                      CpPacket          *packet,
                      const char        *action,
                      CpRequest         *request)
{
  CpServerRevision *revision;
  g_autoptr(GError) error = NULL;
  gsize length = 0;
  g_autofree char *sha256 = NULL;
  char *data = cp_packet_to_verified_data_full (packet, &length, &sha256, &error);

  if (data == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-packet",
                               error->message, NULL);
      return NULL;
    }
  revision = g_new0 (CpServerRevision, 1);

  revision->uuid = g_strdup (cp_packet_get_uuid (packet));
  revision->action = g_strdup (action);
  revision->state = g_strdup (cp_packet_state_to_string (cp_packet_get_state (packet)));
  revision->uscc = g_strdup (cp_packet_get_uscc (packet));
  revision->kind = g_strdup (cp_packet_get_kind (packet));
  revision->year = cp_packet_get_year (packet);
  revision->sha256 = g_steal_pointer (&sha256);
  revision->user_name = g_strdup (request->user->name);
  revision->body = g_bytes_new_take (data, length);
  revision->blobs = attachment_hashes (packet);
  return revision;
}

static void
reply_forbidden (SoupServerMessage *msg,
                 const char        *detail)
{
  cp_server_reply_problem (msg, SOUP_STATUS_FORBIDDEN, "forbidden", detail, NULL);
}

/* --- group commit ------------------------------------------------------------------------ */

/* PUTs are not written one by one: each handler queues its write and pauses its message; once
 * the main loop has run every ready handler, one transaction (one sync to disk) commits the
 * whole queue, and then every message gets its answer. A receipt is only ever sent after the
 * commit, so the durability is that of one write per transaction, at a fraction of the syncs. */
typedef struct
{
  SoupServerMessage *msg;
  CpServerUser      *user;  /* who wrote it: the receipt names their party */
  CpServerWrite      write;
  guint              status;
} PendingWrite;

static void
pending_write_free (PendingWrite *pending)
{
  g_clear_object (&pending->msg);
  g_clear_pointer (&pending->user, cp_server_user_free);
  g_clear_pointer (&pending->write.revision, cp_server_revision_free);
  g_clear_error (&pending->write.error);
  g_free (pending);
}

static gboolean
flush_writes_cb (gpointer user_data)
{
  CpServer *self = CP_SERVER (user_data);
  g_autoptr(GPtrArray) queue = g_steal_pointer (&self->write_queue);
  g_autoptr(GPtrArray) writes = g_ptr_array_sized_new (queue->len);
  g_autoptr(GError) error = NULL;
  gboolean committed;

  g_clear_pointer (&self->flush_source, cp_server_source_clear);
  self->write_queue = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_write_free);
  for (guint i = 0; i < queue->len; i++)
    g_ptr_array_add (writes, &((PendingWrite *) g_ptr_array_index (queue, i))->write);

  committed = self->storage != NULL &&
              cp_server_storage_write_batch (self->storage, writes, &error);
  for (guint i = 0; i < queue->len; i++)
    {
      PendingWrite *pending = g_ptr_array_index (queue, i);
      SoupServerMessage *msg = pending->msg;

      if (!committed)
        {
          if (error != NULL)
            g_warning ("Committing %u packet writes failed: %s", queue->len, error->message);
          g_clear_error (&error);
          cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                                   "The server could not write its database.", NULL);
        }
      else if (pending->write.error == NULL)
        reply_receipt (self, msg, pending->user, pending->status, pending->write.revision,
                       NULL);
      else if (g_error_matches (pending->write.error, CP_SERVER_STORAGE_ERROR,
                                CP_SERVER_STORAGE_ERROR_STALE))
        {
          g_autoptr(CpServerRevision) now = NULL;

          now = cp_server_storage_get_packet (self->storage, pending->write.revision->uuid,
                                              NULL);
          /* The same body twice in one batch (a client resending at once) is a replay too. */
          if (now != NULL && g_str_equal (now->sha256, pending->write.revision->sha256) &&
              now->base == pending->write.expected)
            reply_receipt (self, msg, pending->user, SOUP_STATUS_OK, now, NULL);
          else
            reply_stale (self, msg, pending->user, now,
                         "The packet changed while this request was written. Merge and retry.");
        }
      else
        cp_server_reply_storage_error (msg, pending->write.error);
      cp_server_message_resume (msg);
    }
  return G_SOURCE_REMOVE;
}

static void
queue_write (CpServer           *self,
             SoupServerMessage  *msg,
             const CpServerUser *user,
             CpServerRevision   *revision,
             gint64              expected,
             guint               status)
{
  PendingWrite *pending = g_new0 (PendingWrite, 1);

  pending->msg = g_object_ref (msg);
  pending->user = cp_server_user_copy (user);
  pending->write.revision = revision;
  pending->write.expected = expected;
  pending->status = status;
  if (self->write_queue == NULL)
    self->write_queue = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_write_free);
  g_ptr_array_add (self->write_queue, pending);
  soup_server_message_pause (msg);
  /* Idle priority: runs after the handlers of every request that is ready now. */
  if (self->flush_source == NULL)
    self->flush_source = cp_server_attach_source (g_idle_source_new (), flush_writes_cb, self);
}

void
cp_server_drop_writes (CpServer *self)
{
  g_clear_pointer (&self->flush_source, cp_server_source_clear);
  g_clear_pointer (&self->write_queue, g_ptr_array_unref);
}

/* --- GET and PUT ------------------------------------------------------------------------- */

static void
handle_get (CpServer          *self,
            SoupServerMessage *msg,
            CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autofree char *etag = NULL;
  const char *if_none_match;

  if (current == NULL)
    return;
  etag = etag_for (current->revision);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
  if_none_match = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                "If-None-Match");
  if (if_none_match != NULL && header_equals (if_none_match, etag))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_MODIFIED, NULL);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (current->body, NULL),
                                    g_bytes_get_size (current->body));
}

static void
handle_put (CpServer          *self,
            SoupServerMessage *msg,
            CpRequest         *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *if_none_match = soup_message_headers_get_one (headers, "If-None-Match");
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpServerRevision) revision = NULL;
  g_autoptr(CpServerRevision) current = NULL;
  g_autoptr(CpPacket) old = NULL;
  g_autoptr(GError) error = NULL;
  CpTemplate *tpl = NULL;
  const CpWorkflow *workflow = NULL;
  const CpWorkflowState *stage = NULL;
  CpRole party = CP_ROLE_NONE;
  gboolean create;
  gint64 expected;
  CpPacketState state;
  const char *uscc;

  expected = parse_if_match (msg);
  if (expected < 0)
    return;
  create = if_none_match != NULL && header_equals (if_none_match, "*");
  if (if_none_match != NULL && !create)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                               "If-None-Match on a PUT must be “*”.", NULL);
      return;
    }
  if (create == (expected > 0))
    {
      cp_server_reply_problem (msg, 428 /* Precondition Required */, "precondition-required",
                               "Send If-None-Match: * to create a packet, or If-Match: "
                               "\"REVISION\" to update one — exactly one of them.", NULL);
      return;
    }

  if (request->body == NULL || request->body->len == 0)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-json",
                               "The request needs the packet as a JSON body.", NULL);
      return;
    }
  packet = cp_packet_new_from_data ((const char *) request->body->data, request->body->len,
                                    "request", &error);
  if (packet == NULL)
    {
      reply_json_error (msg, error);
      return;
    }
  if (g_strcmp0 (cp_packet_get_uuid (packet), request->uuid) != 0)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               "The packet's uuid differs from the one in the URL.", NULL);
      return;
    }
  uscc = cp_packet_get_uscc (packet);
  if (!uscc_is_well_formed (uscc))
    {
      JsonObject *extra = json_object_new ();

      json_object_set_string_member (extra, "pointer", "/sections/cover/uscc");
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               "The server files packets under the enterprise's credit code: "
                               "fill in the 18-character code on the cover first.", extra);
      return;
    }
  current = cp_server_storage_get_packet (self->storage, request->uuid, &error);
  if (current == NULL &&
      !g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND))
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  g_clear_error (&error);
  if (current != NULL && !cp_server_storage_is_handed_in (request->user, current->state))
    {
      reply_forbidden (msg, "The packet has not been handed in yet: until then it is the "
                            "enterprise's.");
      return;
    }
  if (current != NULL &&
      !cp_server_can_see_revision (self, request->user, current, NULL))
    {
      reply_forbidden (msg, "This packet id belongs to another enterprise.");
      return;
    }
  /* The enterprise named on the cover must be one the user writes for; the evaluating agency
   * writes only the packet it was given, whose enterprise stays the same. */
  if (!(current != NULL && g_str_equal (current->uscc, uscc) &&
        cp_server_can_see_revision (self, request->user, current, NULL)) &&
      !cp_server_storage_can_see_uscc (self->storage, request->user, uscc, &error))
    {
      if (!g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND))
        cp_server_reply_storage_error (msg, error);
      else
        reply_forbidden (msg, "This user may not write packets of that enterprise.");
      return;
    }
  g_clear_error (&error);

  /* A kind with a workflow: who the user is to this packet, in which stage. */
  if (current != NULL)
    {
      old = cp_packet_new_from_data (g_bytes_get_data (current->body, NULL),
                                     g_bytes_get_size (current->body), "stored", NULL);
      /* A stored body that does not read (issue 13) is replaced under the new body's
       * version, checked as a new packet would be. */
      tpl = cp_server_packet_template (self, current->kind,
                                       old != NULL ? cp_packet_get_template_version (old)
                                                   : cp_packet_get_template_version (packet));
    }
  else
    tpl = cp_server_packet_template (self, cp_packet_get_kind (packet),
                                     cp_packet_get_template_version (packet));
  /* A version the server does not know of a kind whose chain it enforces cannot escape it. */
  if (tpl == NULL)
    {
      CpTemplate *newest = cp_template_registry_lookup_kind (self->registry,
                                                             current != NULL ? current->kind
                                                             : cp_packet_get_kind (packet));

      if (newest != NULL && cp_template_get_workflow (newest) != NULL)
        {
          cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "unknown-template",
                                   "The server has no template for this version of the packet's "
                                   "kind; update the application.", NULL);
          return;
        }
    }
  workflow = tpl != NULL ? cp_template_get_workflow (tpl) : NULL;
  if (workflow != NULL)
    {
      g_autofree char *typed = cp_server_find_typed_stamp (tpl, packet);

      stage = current != NULL ? cp_server_revision_stage (workflow, current)
                              : cp_workflow_get_initial (workflow);
      party = cp_server_party_of (self, request->user,
                                  current != NULL ? current->evaluator : NULL);
      if (typed != NULL)
        {
          JsonObject *extra = json_object_new ();

          json_object_set_string_member (extra, "pointer", typed);
          cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                                   "Who recorded a signature, and when, is the server's record "
                                   "(GET …/signatures): leave out “recorded_by” and "
                                   "“recorded_at”.", extra);
          return;
        }
    }
  else if (request->user->role == CP_SERVER_ROLE_OFFICE)
    {
      /* A kind without a workflow (the 2020.1 format) has no office blocks of its own. */
      reply_forbidden (msg, "Credit offices review packets of this kind; they do not write "
                            "them. Use return or accept.");
      return;
    }

  revision = revision_from_packet (msg, packet, "put", request);
  if (revision == NULL)
    return;
  if (stage != NULL)
    {
      /* The state a workflow packet is filed under follows its stage, whatever the body says:
       * the stage decides who sees it (an office sees no draft). */
      revision->stage = g_strdup (stage->id);
      g_free (revision->state);
      revision->state = g_strdup (cp_packet_state_to_string (stage->legacy));
    }
  if (current != NULL)
    revision->evaluator = g_strdup (current->evaluator);

  /* An identical replay of the write that made the current revision gets its receipt. */
  if (current != NULL && g_str_equal (current->sha256, revision->sha256) &&
      ((create && current->base == 0) || (!create && (expected == current->base ||
                                                      expected == current->revision))))
    {
      reply_receipt (self, msg, request->user, SOUP_STATUS_OK, current, NULL);
      return;
    }
  if (create && current != NULL)
    {
      reply_stale (self, msg, request->user, current,
                   "A packet with this id already exists. Fetch it and update it with "
                   "If-Match.");
      return;
    }
  if (!create && (current == NULL || current->revision != expected))
    {
      reply_stale (self, msg, request->user, current,
                   current == NULL ? "The packet does not exist; create it with "
                                     "If-None-Match: *."
                                   : "The packet has changed since that revision. "
                                     "Merge with the current version and retry.");
      return;
    }

  if (workflow != NULL)
    {
      g_autoptr(GPtrArray) changes = NULL;
      g_autoptr(GPtrArray) refusals = NULL;

      if (stage == NULL || stage->final)
        {
          g_autofree char *detail = g_strdup_printf ("The packet is %s and can no longer be "
                                                     "edited.",
                                                     stage != NULL ? stage->id
                                                                   : "in a stage this server "
                                                                     "does not know");

          cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "invalid-state", detail, NULL);
          return;
        }
      /* A stored body that does not read (issue 13) is checked as a new packet would be. */
      changes = cp_packet_diff (old, packet);
      refusals = cp_template_check_changes (tpl, party, stage->id, old, packet, changes);
      if (refusals->len > 0)
        {
          cp_server_reply_refused (msg, refusals, party, stage->id);
          return;
        }
      /* The signatures this write records are the writer's, from its session. */
      cp_server_signature_changes (tpl, packet, changes, &revision->signed_parts,
                                   &revision->unsigned_parts);
      queue_write (self, msg, request->user, g_steal_pointer (&revision), create ? 0 : expected,
                   create ? SOUP_STATUS_CREATED : SOUP_STATUS_OK);
      return;
    }

  state = cp_packet_get_state (packet);
  if (current != NULL && (g_str_equal (current->state, "submitted") ||
                          g_str_equal (current->state, "accepted")))
    {
      g_autofree char *detail = g_strdup_printf ("The packet is %s and can no longer be "
                                                 "edited.", current->state);

      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "invalid-state", detail, NULL);
      return;
    }
  if (state != CP_PACKET_STATE_DRAFT && state != CP_PACKET_STATE_READY &&
      !(state == CP_PACKET_STATE_RETURNED && current != NULL &&
        g_str_equal (current->state, "returned")))
    {
      JsonObject *extra = json_object_new ();

      json_object_set_string_member (extra, "pointer", "/state");
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-state",
                               "A PUT may only save a draft or a ready packet; submit with "
                               "POST …/submit.", extra);
      return;
    }

  queue_write (self, msg, request->user, g_steal_pointer (&revision), create ? 0 : expected,
               create ? SOUP_STATUS_CREATED : SOUP_STATUS_OK);
}

/* --- history ----------------------------------------------------------------------------- */

/* A packet can move to another enterprise (an agency of both, or the admin, changes its credit
 * code): the revisions written while it belonged to an enterprise the user cannot see stay
 * hidden from them. @cache maps credit codes to GINT_TO_POINTER (1 visible, 2 not). */
static gboolean
revision_is_visible (CpServer           *self,
                     CpRequest          *request,
                     CpServerRevision   *current,
                     GHashTable         *cache,
                     CpServerRevision   *revision)
{
  gpointer known;

  /* The evaluating agency sees the packet's history while it belonged to its enterprise. */
  if (request->user->role == CP_SERVER_ROLE_AGENCY && current->evaluator != NULL &&
      g_strcmp0 (current->evaluator, request->user->agency) == 0 &&
      g_str_equal (revision->uscc, current->uscc))
    return TRUE;
  known = g_hash_table_lookup (cache, revision->uscc);

  if (known == NULL)
    {
      gboolean visible = cp_server_storage_can_see_uscc (self->storage, request->user,
                                                         revision->uscc, NULL);

      known = GINT_TO_POINTER (visible ? 1 : 2);
      g_hash_table_insert (cache, revision->uscc, known);
    }
  return GPOINTER_TO_INT (known) == 1;
}

/* What the packet's lists answer (revisions, comments, signatures): {"uuid", @member: @array},
 * @array taken; more members may be added before reply_object(). */
static JsonObject *
reply_packet_list (SoupServerMessage *msg,
                   CpRequest         *request,
                   const char        *member,
                   JsonArray         *array)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "uuid", request->uuid);
  json_object_set_array_member (object, member, array);
  return object;
}

/* Replies 200 with @object (taken). */
static void
reply_object (SoupServerMessage *msg,
              JsonObject        *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  json_object_unref (object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
handle_revisions (CpServer          *self,
                  SoupServerMessage *msg,
                  CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autoptr(GPtrArray) revisions = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  JsonArray *array;

  if (current == NULL)
    return;
  revisions = cp_server_storage_list_revisions (self->storage, request->uuid, &error);
  if (revisions == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  array = json_array_sized_new (revisions->len);
  {
    g_autoptr(GHashTable) cache = g_hash_table_new (g_str_hash, g_str_equal);
    /* The user's party to the packet now: what the user may do with it is about now. */
    const char *party = revision_party (self, request->user, current);

    for (guint i = 0; i < revisions->len; i++)
      {
        CpServerRevision *revision = g_ptr_array_index (revisions, i);

        if (revision_is_visible (self, request, current, cache, revision))
          json_array_add_object_element (array, revision_to_json_object (revision, party));
      }
  }
  object = reply_packet_list (msg, request, "revisions", array);
  json_object_set_int_member (object, "current", current->revision);
  reply_object (msg, object);
}

/* At most this many of a packet's last revisions are read to say who wrote each value. */
#define MAX_AUTHOR_REVISIONS 200

/* The party @name was to the packet at @revision, for revisions written with a stage (schema
 * 3: the workflow known), else NULL. @users caches the accounts by name. */
static const char *
author_party (CpServer         *self,
              GHashTable       *users,
              CpServerRevision *revision)
{
  CpServerUser *user;
  CpRole party;

  if (revision->stage == NULL || revision->user_name == NULL)
    return NULL;
  if (!g_hash_table_lookup_extended (users, revision->user_name, NULL, (gpointer *) &user))
    {
      user = cp_server_storage_find_user (self->storage, revision->user_name, NULL);
      g_hash_table_insert (users, g_strdup (revision->user_name), user);
    }
  if (user == NULL)
    return NULL;
  party = cp_server_party_of (self, user, revision->evaluator);
  return party != CP_ROLE_NONE ? cp_role_to_string (party) : NULL;
}

/* GET …/authors: per value pointer (cp_packet_diff), the last revision that changed it, from the
 * stored bodies of the last MAX_AUTHOR_REVISIONS revisions the user may see. */
static void
handle_authors (CpServer          *self,
                SoupServerMessage *msg,
                CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autoptr(GPtrArray) revisions = NULL;
  g_autoptr(GHashTable) cache = NULL;
  g_autoptr(GHashTable) users = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) previous = NULL;
  JsonObject *authors;
  JsonObject *object;
  guint start;

  if (current == NULL)
    return;
  revisions = cp_server_storage_list_revisions (self->storage, request->uuid, &error);
  if (revisions == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  cache = g_hash_table_new (g_str_hash, g_str_equal);
  users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                 (GDestroyNotify) cp_server_user_free);
  authors = json_object_new ();
  start = revisions->len > MAX_AUTHOR_REVISIONS + 1 ? revisions->len - MAX_AUTHOR_REVISIONS - 1
                                                    : 0;
  for (guint i = start; i < revisions->len; i++)
    {
      CpServerRevision *listed = g_ptr_array_index (revisions, i);
      g_autoptr(CpServerRevision) revision = NULL;
      g_autoptr(CpPacket) packet = NULL;
      g_autoptr(GPtrArray) changes = NULL;
      g_autofree char *time = NULL;
      const char *party;

      if (!revision_is_visible (self, request, current, cache, listed))
        continue;
      revision = cp_server_storage_get_revision (self->storage, request->uuid,
                                                 listed->revision, NULL);
      if (revision == NULL || revision->body == NULL)
        continue;
      packet = cp_packet_new_from_data (g_bytes_get_data (revision->body, NULL),
                                        (gssize) g_bytes_get_size (revision->body), "server",
                                        NULL);
      if (packet == NULL)
        continue;
      /* The first one read: the base, unless it is the packet's first revision. */
      if (previous == NULL && revision->revision != 1)
        {
          previous = g_steal_pointer (&packet);
          continue;
        }
      changes = cp_packet_diff_pointers (previous, packet);
      time = cp_server_format_time (revision->created_at);
      party = author_party (self, users, revision);
      for (guint j = 0; j < changes->len; j++)
        {
          JsonObject *author = json_object_new ();

          json_object_set_string_member (author, "name", revision->user_name);
          if (party != NULL)
            json_object_set_string_member (author, "party", party);
          json_object_set_string_member (author, "at", time);
          json_object_set_object_member (authors, g_ptr_array_index (changes, j), author);
        }
      g_clear_object (&previous);
      previous = g_steal_pointer (&packet);
    }
  object = json_object_new ();
  json_object_set_string_member (object, "uuid", request->uuid);
  json_object_set_object_member (object, "authors", authors);
  reply_object (msg, object);
}

static void
handle_revision (CpServer          *self,
                 SoupServerMessage *msg,
                 CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autoptr(CpServerRevision) revision = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *etag = NULL;

  if (current == NULL)
    return;
  revision = cp_server_storage_get_revision (self->storage, request->uuid, request->number,
                                             &error);
  if (revision == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  {
    g_autoptr(GHashTable) cache = g_hash_table_new (g_str_hash, g_str_equal);

    if (!revision_is_visible (self, request, current, cache, revision))
      {
        cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found",
                                 "The packet has no such revision for this user.", NULL);
        return;
      }
  }
  etag = etag_for (revision->revision);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "ETag", etag);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "X-Modified-By", revision->user_name);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    g_bytes_get_data (revision->body, NULL),
                                    g_bytes_get_size (revision->body));
}

static JsonArray *
comments_to_json (GPtrArray *comments)
{
  JsonArray *array = json_array_sized_new (comments->len);

  for (guint i = 0; i < comments->len; i++)
    {
      CpServerComment *comment = g_ptr_array_index (comments, i);
      JsonObject *object = json_object_new ();
      g_autofree char *time = cp_server_format_time (comment->created_at);

      json_object_set_int_member (object, "revision", comment->revision);
      if (comment->section != NULL)
        json_object_set_string_member (object, "section", comment->section);
      if (comment->field != NULL)
        json_object_set_string_member (object, "field", comment->field);
      json_object_set_string_member (object, "comment", comment->text);
      json_object_set_string_member (object, "author", comment->author);
      json_object_set_string_member (object, "created_at", time);
      json_array_add_object_element (array, object);
    }
  return array;
}

static void
handle_comments (CpServer          *self,
                 SoupServerMessage *msg,
                 CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GError) error = NULL;

  if (current == NULL)
    return;
  comments = cp_server_storage_list_comments (self->storage, request->uuid, &error);
  if (comments == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  /* Comments on revisions written for an enterprise the user cannot see stay hidden too. */
  {
    g_autoptr(GPtrArray) revisions = NULL;
    g_autoptr(GHashTable) cache = g_hash_table_new (g_str_hash, g_str_equal);
    g_autoptr(GHashTable) hidden = g_hash_table_new (g_int64_hash, g_int64_equal);

    revisions = cp_server_storage_list_revisions (self->storage, request->uuid, &error);
    if (revisions == NULL)
      {
        cp_server_reply_storage_error (msg, error);
        return;
      }
    for (guint i = 0; i < revisions->len; i++)
      {
        CpServerRevision *revision = g_ptr_array_index (revisions, i);

        if (!revision_is_visible (self, request, current, cache, revision))
          g_hash_table_add (hidden, &revision->revision);
      }
    for (guint i = comments->len; i > 0; i--)
      {
        CpServerComment *comment = g_ptr_array_index (comments, i - 1);

        if (g_hash_table_contains (hidden, &comment->revision))
          g_ptr_array_remove_index (comments, i - 1);
      }
  }
  reply_object (msg, reply_packet_list (msg, request, "comments", comments_to_json (comments)));
}

/* Who recorded each signature and stamp of the packet, and when. */
static void
handle_signatures (CpServer          *self,
                   SoupServerMessage *msg,
                   CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autoptr(GPtrArray) signatures = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *array;

  if (current == NULL)
    return;
  signatures = cp_server_storage_list_signatures (self->storage, request->uuid, &error);
  if (signatures == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  array = json_array_sized_new (signatures->len);
  for (guint i = 0; i < signatures->len; i++)
    {
      CpServerSignature *signature = g_ptr_array_index (signatures, i);
      JsonObject *entry = json_object_new ();
      g_autofree char *time = cp_server_format_time (signature->recorded_at);

      json_object_set_string_member (entry, "pointer", signature->pointer);
      json_object_set_int_member (entry, "revision", signature->revision);
      json_object_set_string_member (entry, CP_SERVER_STAMP_BY, signature->recorded_by);
      json_object_set_string_member (entry, CP_SERVER_STAMP_AT, time);
      json_array_add_object_element (array, entry);
    }
  reply_object (msg, reply_packet_list (msg, request, "signatures", array));
}

/* --- workflow ---------------------------------------------------------------------------- */

/* Parses the "comments" of a return request into CpServerComment *. Replies on failure. */
static GPtrArray *
parse_return_comments (SoupServerMessage *msg,
                       CpRequest         *request)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *comments;

  object = cp_server_parse_body_object (msg, request);
  if (object == NULL)
    return NULL;
  comments = cp_server_parse_comments (object, &error);
  if (comments == NULL)
    cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                             error->message, NULL);
  return comments;
}

static void
add_finding_error (JsonArray       *errors,
                   const CpFinding *finding)
{
  JsonObject *object = json_object_new ();
  g_autofree char *pointer = NULL;

  if (finding->section != NULL && finding->field != NULL)
    pointer = g_strdup_printf ("/sections/%s/%s", finding->section, finding->field);
  else if (finding->section != NULL)
    pointer = g_strdup_printf ("/sections/%s", finding->section);
  else
    pointer = g_strdup ("");
  json_object_set_string_member (object, "pointer", pointer);
  json_object_set_string_member (object, "code", finding->code);
  json_object_set_string_member (object, "detail", finding->message);
  json_array_add_object_element (errors, object);
}

static void add_missing_blobs (CpServer          *self,
                               CpPacket          *packet,
                               GPtrArray         *findings);
static void reply_incomplete  (SoupServerMessage *msg,
                               GPtrArray         *findings);

/* Re-validates @packet with the core validator; replies 422 with every finding when it is not
 * ready. Attachments the packet lists must also be on the server. */
static gboolean
check_complete (CpServer          *self,
                SoupServerMessage *msg,
                CpRequest         *request,
                CpPacket          *packet)
{
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  GDate today;

  g_date_clear (&today, 1);
  g_date_set_dmy (&today, g_date_time_get_day_of_month (now),
                  g_date_time_get_month (now), g_date_time_get_year (now));
  findings = cp_validator_validate (self->registry, packet, &today, &error);
  if (findings == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "unknown-template",
                               error->message, NULL);
      return FALSE;
    }
  add_missing_blobs (self, packet, findings);
  if (cp_validator_is_ready (findings) && cp_findings_count (findings, CP_SEVERITY_ERROR) == 0)
    return TRUE;
  reply_incomplete (msg, findings);
  return FALSE;
}

/* Adds a finding for each attachment of @packet that is not on the server. */
static void
add_missing_blobs (CpServer  *self,
                   CpPacket  *packet,
                   GPtrArray *findings)
{
  GPtrArray *attachments = cp_packet_get_attachments (packet);

  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);

      /* Uploaded, and listed in this packet by someone who uploaded it (see can_see_blob):
       * a hash listed by someone who never held the bytes is not there. */
      if (!cp_server_blob_exists (self, attachment->sha256) ||
          !cp_server_storage_blob_is_attached (self->storage, cp_packet_get_uuid (packet),
                                               attachment->sha256, NULL))
        g_ptr_array_add (findings,
                         cp_finding_new (CP_SEVERITY_ERROR, NULL, attachment->sha256,
                                         "blob-missing",
                                         "The attachment “%s” has not been uploaded yet.",
                                         attachment->name));
    }
}

/* 422 "incomplete" with every finding, and the errors' pointers. */
static void
reply_incomplete (SoupServerMessage *msg,
                  GPtrArray         *findings)
{
  JsonObject *extra;
  JsonArray *errors;

  extra = json_object_new ();
  json_object_set_member (extra, "findings", cp_findings_to_json (findings));
  errors = json_array_new ();
  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *finding = g_ptr_array_index (findings, i);

      if (finding->severity == CP_SEVERITY_ERROR)
        add_finding_error (errors, finding);
    }
  json_object_set_array_member (extra, "errors", errors);
  {
    g_autofree char *detail = g_strdup_printf ("The packet cannot be submitted: %u problems "
                                               "must be fixed first.",
                                               cp_findings_count (findings, CP_SEVERITY_ERROR));

    cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "incomplete", detail,
                             extra);
  }
}

/* --- workflow transitions (kinds with a workflow) ------------------------------------------ */

static void
today_date (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

/* Assigns the evaluating agency of a transition that "assigns": @agency must exist, not coach
 * the packet's enterprise and, for an "independent" transition, not have coached or accepted
 * enterprises in the packet's year. Replies and returns FALSE otherwise. */
static gboolean
check_evaluator (CpServer           *self,
                 SoupServerMessage  *msg,
                 CpServerRevision   *current,
                 const CpTransition *transition,
                 const char         *agency)
{
  g_autoptr(GError) error = NULL;
  const char *conflict = NULL;
  JsonObject *extra;

  if (agency == NULL || *agency == '\0')
    {
      extra = json_object_new ();
      json_object_set_string_member (extra, "pointer", "/agency");
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               "This transition assigns the evaluating agency: name it as "
                               "\"agency\".", extra);
      return FALSE;
    }
  if (!cp_server_storage_agency_exists (self->storage, agency, &error))
    {
      if (!g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND))
        {
          cp_server_reply_storage_error (msg, error);
          return FALSE;
        }
      extra = json_object_new ();
      json_object_set_string_member (extra, "pointer", "/agency");
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               error->message, extra);
      return FALSE;
    }
  if (!cp_server_storage_evaluator_conflict (self->storage, agency, current->uuid,
                                             current->uscc, current->kind, current->year,
                                             transition->independent, &conflict, &error))
    {
      cp_server_reply_storage_error (msg, error);
      return FALSE;
    }
  if (conflict != NULL)
    {
      g_autofree char *detail = NULL;

      if (g_str_equal (conflict, "coaching-agency"))
        detail = g_strdup_printf ("The agency %s coaches this enterprise; the evaluation must "
                                  "be a third party's.", agency);
      else
        detail = g_strdup_printf ("The agency %s coached or accepted enterprises in %d; it "
                                  "cannot re-review that year.", agency, current->year);
      extra = json_object_new ();
      json_object_set_string_member (extra, "agency", agency);
      json_object_set_string_member (extra, "reason", conflict);
      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "agency-not-eligible", detail, extra);
      return FALSE;
    }
  return TRUE;
}

/* Moves the packet of @current (its body read as @stored, of @tpl) on by @transition_id from
 * its stage, as @request's user. @body (nullable) is the request's object: "comments" for a
 * transition that needs them, "agency" for one that assigns the evaluating agency. */
static void
run_transition (CpServer          *self,
                SoupServerMessage *msg,
                CpRequest         *request,
                CpServerRevision  *current,
                CpPacket          *stored,
                CpTemplate        *tpl,
                const char        *transition_id,
                JsonObject        *body,
                gint64             expected)
{
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  const CpWorkflowState *stage = cp_server_revision_stage (workflow, current);
  CpRole party = cp_server_party_of (self, request->user, current->evaluator);
  const CpTransition *transition = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpServerRevision) revision = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(JsonArray) comment_json = NULL;
  g_autoptr(GError) error = NULL;
  const char *agency = NULL;
  GDate today;

  /* Replaying the transition that made the current revision returns its receipt. */
  if (g_str_equal (current->action, transition_id) &&
      g_str_equal (current->user_name, request->user->name) &&
      (expected == 0 || expected == current->base))
    {
      reply_receipt (self, msg, request->user, SOUP_STATUS_OK, current, NULL);
      return;
    }
  if (expected > 0 && expected != current->revision)
    {
      reply_stale (self, msg, request->user, current,
                   "The packet has changed since that revision.");
      return;
    }
  if (stage != NULL)
    transition = cp_workflow_lookup_transition (workflow, stage->id, transition_id);
  if (transition == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("The packet is in the stage “%s”, which the "
                                                 "transition “%s” does not leave.",
                                                 stage != NULL ? stage->id : "?",
                                                 transition_id);
      JsonObject *extra = json_object_new ();

      json_object_set_string_member (extra, "stage", stage != NULL ? stage->id : "");
      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "invalid-state", detail, extra);
      return;
    }
  if (transition->role != party)
    {
      g_autofree char *detail = g_strdup_printf ("The transition “%s” is made by the %s; this "
                                                 "user is the %s of this packet.",
                                                 transition->id,
                                                 cp_role_to_string (transition->role),
                                                 party != CP_ROLE_NONE ? cp_role_to_string (party)
                                                                       : "administrator");

      reply_forbidden (msg, detail);
      return;
    }

  if (transition->comment)
    {
      if (body == NULL)
        {
          cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                                   "A return needs the reviewer's comments.", NULL);
          return;
        }
      /* The body of POST …/transitions names the transition (and maybe an agency) beside
       * the comments; the comments' own parser knows only "comments". */
      if (json_object_has_member (body, "transition"))
        {
          g_autoptr(JsonObject) only = json_object_new ();
          JsonNode *list = json_object_get_member (body, "comments");

          if (list != NULL)
            json_object_set_member (only, "comments", json_node_copy (list));
          comments = cp_server_parse_comments (only, &error);
        }
      else
        comments = cp_server_parse_comments (body, &error);
      if (comments == NULL)
        {
          cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                                   error->message, NULL);
          return;
        }
    }
  if (transition->assigns == CP_ROLE_EVALUATING_AGENCY)
    {
      JsonNode *node = body != NULL ? json_object_get_member (body, "agency") : NULL;

      agency = node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
               json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node)
                                                                : NULL;
      if (!check_evaluator (self, msg, current, transition, agency))
        return;
    }

  packet = cp_packet_copy (stored);
  today_date (&today);
  if (transition->submits)
    {
      g_autofree char *text = g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&today),
                                               g_date_get_month (&today),
                                               g_date_get_day (&today));

      cp_packet_set_submitted_on (packet, text);
    }
  if (!cp_validator_check_transition (self->registry, packet, stage->id, transition->id, party,
                                      &today, &findings, &error))
    {
      if (g_error_matches (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_INCOMPLETE))
        reply_incomplete (msg, findings);
      else
        cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "invalid-state", error->message,
                                 NULL);
      return;
    }
  if (transition->submits)
    {
      g_autoptr(GPtrArray) missing = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);

      add_missing_blobs (self, packet, missing);
      if (missing->len > 0)
        {
          reply_incomplete (msg, missing);
          return;
        }
    }
  cp_packet_set_state (packet, transition->to->legacy);

  revision = revision_from_packet (msg, packet, transition->id, request);
  if (revision == NULL)
    return;
  revision->stage = g_strdup (transition->to->id);
  revision->evaluator = g_strdup (agency != NULL ? agency : current->evaluator);
  if (!cp_server_storage_put_revision (self->storage, revision, current->revision, comments,
                                       &error))
    {
      if (g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_STALE))
        {
          g_autoptr(CpServerRevision) latest = NULL;

          latest = cp_server_storage_get_packet (self->storage, request->uuid, NULL);
          reply_stale (self, msg, request->user, latest,
                       "The packet changed while this request was handled.");
        }
      else
        cp_server_reply_storage_error (msg, error);
      return;
    }
  if (comments != NULL)
    comment_json = comments_to_json (comments);
  reply_receipt (self, msg, request->user, SOUP_STATUS_OK, revision, comment_json);
}

/* The stored packet of @current and its template, when its kind has a workflow. Replies (422)
 * and returns FALSE when the stored body does not read. */
static gboolean
load_workflow_packet (SoupServerMessage  *msg,
                      CpServer           *self,
                      CpServerRevision   *current,
                      CpPacket          **stored,
                      CpTemplate        **tpl)
{
  g_autoptr(GError) error = NULL;

  *tpl = NULL;
  *stored = cp_packet_new_from_data (g_bytes_get_data (current->body, NULL),
                                     g_bytes_get_size (current->body), "stored", &error);
  if (*stored == NULL)
    {
      /* Stored by a server that did not check its canonical form (issue 13): saving the
       * packet again with a readable version repairs it. */
      g_message ("Stored packet %s does not parse: %s", current->uuid, error->message);
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-packet",
                               "The stored version of this packet cannot be read. Save the "
                               "packet again, then retry.", NULL);
      return FALSE;
    }
  *tpl = cp_server_packet_template (self, current->kind,
                                    cp_packet_get_template_version (*stored));
  if (*tpl != NULL && cp_template_get_workflow (*tpl) == NULL)
    *tpl = NULL;
  return TRUE;
}

/* GET …/transitions: the stage and the transitions the user may make now; POST: make one,
 * {"transition": ID, "comments": […], "agency": ID}. */
static void
handle_transitions (CpServer          *self,
                    SoupServerMessage *msg,
                    CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = load_visible (self, msg, request);
  g_autoptr(CpPacket) stored = NULL;
  g_autoptr(JsonObject) body = NULL;
  CpTemplate *tpl = NULL;
  const CpWorkflow *workflow;
  const CpWorkflowState *stage;
  CpRole party;
  JsonNode *id;
  gint64 expected;

  if (current == NULL)
    return;
  if (!load_workflow_packet (msg, self, current, &stored, &tpl))
    return;
  if (tpl == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "no-workflow",
                               "This packet's kind has no workflow: use submit, return and "
                               "accept.", NULL);
      return;
    }
  workflow = cp_template_get_workflow (tpl);
  stage = cp_server_revision_stage (workflow, current);
  party = cp_server_party_of (self, request->user, current->evaluator);

  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      g_autoptr(GPtrArray) possible = NULL;
      g_autoptr(JsonObject) object = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      JsonArray *array = json_array_new ();

      if (stage != NULL)
        possible = cp_workflow_list_transitions (workflow, party, stage->id);
      for (guint i = 0; possible != NULL && i < possible->len; i++)
        {
          const CpTransition *transition = g_ptr_array_index (possible, i);
          JsonObject *entry = json_object_new ();

          json_object_set_string_member (entry, "transition", transition->id);
          json_object_set_string_member (entry, "to", transition->to->id);
          json_object_set_boolean_member (entry, "comments", transition->comment);
          json_object_set_boolean_member (entry, "assigns",
                                          transition->assigns != CP_ROLE_NONE);
          json_array_add_object_element (array, entry);
        }
      json_object_set_string_member (object, "uuid", current->uuid);
      json_object_set_int_member (object, "revision", current->revision);
      if (stage != NULL)
        json_object_set_string_member (object, "stage", stage->id);
      else
        json_object_set_null_member (object, "stage");
      if (party != CP_ROLE_NONE)
        json_object_set_string_member (object, "role", cp_role_to_string (party));
      else
        json_object_set_null_member (object, "role");
      if (current->evaluator != NULL)
        json_object_set_string_member (object, "evaluator", current->evaluator);
      json_object_set_array_member (object, "transitions", array);
      node = json_node_init_object (json_node_alloc (), object);
      cp_server_reply_json (msg, SOUP_STATUS_OK, node);
      return;
    }

  expected = parse_if_match (msg);
  if (expected < 0)
    return;
  body = cp_server_parse_body_object (msg, request);
  if (body == NULL)
    return;
  id = json_object_get_member (body, "transition");
  if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) || json_node_get_value_type (id) != G_TYPE_STRING)
    {
      JsonObject *extra = json_object_new ();

      json_object_set_string_member (extra, "pointer", "/transition");
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               "Name the transition: {\"transition\": \"submit\"}.", extra);
      return;
    }
  run_transition (self, msg, request, current, stored, tpl, json_node_get_string (id), body,
                  expected);
}

/* The legacy endpoints on a kind with a workflow: submit is the party's transition that
 * "submits" from the stage, return the one that needs comments, accept the party's other one
 * (the review step forward: approve, propose, recognise, …). */
static const CpTransition *
legacy_transition (const CpWorkflow *workflow,
                   CpRole            party,
                   const char       *stage_id,
                   CpRoute           route)
{
  g_autoptr(GPtrArray) possible = cp_workflow_list_transitions (workflow, party, stage_id);

  for (guint i = 0; i < possible->len; i++)
    {
      const CpTransition *t = g_ptr_array_index (possible, i);

      if ((route == CP_ROUTE_SUBMIT && t->submits) ||
          (route == CP_ROUTE_RETURN && t->comment) ||
          (route == CP_ROUTE_ACCEPT && !t->submits && !t->comment &&
           t->assigns == CP_ROLE_NONE))
        return t;
    }
  return NULL;
}

static void
handle_transition (CpServer          *self,
                   SoupServerMessage *msg,
                   CpRequest         *request)
{
  g_autoptr(CpServerRevision) current = NULL;
  g_autoptr(CpServerRevision) revision = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GPtrArray) comments = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) comment_json = NULL;
  const char *action;
  CpPacketState target;
  gboolean allowed_role;
  gboolean allowed_state;
  gint64 expected;

  switch (request->route)
    {
    case CP_ROUTE_SUBMIT:
      action = "submit";
      target = CP_PACKET_STATE_SUBMITTED;
      allowed_role = request->user->role == CP_SERVER_ROLE_ENTERPRISE ||
                     request->user->role == CP_SERVER_ROLE_AGENCY;
      break;
    case CP_ROUTE_RETURN:
      action = "return";
      target = CP_PACKET_STATE_RETURNED;
      allowed_role = request->user->role == CP_SERVER_ROLE_OFFICE;
      break;
    case CP_ROUTE_ACCEPT:
      action = "accept";
      target = CP_PACKET_STATE_ACCEPTED;
      allowed_role = request->user->role == CP_SERVER_ROLE_OFFICE;
      break;
    case CP_ROUTE_NONE:
    case CP_ROUTE_SESSION:
    case CP_ROUTE_LIMITS:
    case CP_ROUTE_TEMPLATES:
    case CP_ROUTE_CHANGES:
    case CP_ROUTE_PROGRESS:
    case CP_ROUTE_AGENCIES:
    case CP_ROUTE_REPORTS:
    case CP_ROUTE_REPORT:
    case CP_ROUTE_PACKET:
    case CP_ROUTE_REVISIONS:
    case CP_ROUTE_REVISION:
    case CP_ROUTE_COMMENTS:
    case CP_ROUTE_TRANSITIONS:
    case CP_ROUTE_SIGNATURES:
    case CP_ROUTE_AUTHORS:
    case CP_ROUTE_BLOBS_MISSING:
    case CP_ROUTE_BLOB:
    case CP_ROUTE_BLOB_STATUS:
    default:
      g_assert_not_reached ();
    }

  current = load_visible (self, msg, request);
  if (current == NULL)
    return;
  {
    g_autoptr(CpPacket) stored = NULL;
    CpTemplate *tpl = NULL;

    if (!load_workflow_packet (msg, self, current, &stored, &tpl))
      return;
    if (tpl != NULL)
      {
        const CpWorkflow *workflow = cp_template_get_workflow (tpl);
        const CpWorkflowState *stage = cp_server_revision_stage (workflow, current);
        CpRole party = cp_server_party_of (self, request->user, current->evaluator);
        const CpTransition *transition = NULL;
        g_autoptr(JsonObject) body = NULL;

        expected = parse_if_match (msg);
        if (expected < 0)
          return;
        /* A replay of the transition this endpoint made. */
        if (g_str_equal (current->user_name, request->user->name) &&
            (expected == 0 || expected == current->base) && current->base > 0)
          {
            g_autoptr(CpServerRevision) before = NULL;

            before = cp_server_storage_get_revision (self->storage, current->uuid, current->base,
                                                     NULL);
            if (before != NULL)
              {
                const CpWorkflowState *from = cp_server_revision_stage (workflow, before);

                transition = from != NULL ? legacy_transition (workflow, party, from->id,
                                                               request->route) : NULL;
                if (transition != NULL && g_str_equal (transition->id, current->action))
                  {
                    reply_receipt (self, msg, request->user, SOUP_STATUS_OK, current, NULL);
                    return;
                  }
              }
          }
        transition = stage != NULL ? legacy_transition (workflow, party, stage->id,
                                                        request->route) : NULL;
        if (transition == NULL)
          {
            g_autofree char *detail = g_strdup_printf ("There is no “%s” for this user in the "
                                                       "stage “%s”; see GET …/transitions.",
                                                       action,
                                                       stage != NULL ? stage->id : "?");

            cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "invalid-state", detail, NULL);
            return;
          }
        if (transition->comment)
          {
            body = cp_server_parse_body_object (msg, request);
            if (body == NULL)
              return;
          }
        run_transition (self, msg, request, current, stored, tpl, transition->id, body,
                        expected);
        return;
      }
  }
  if (!allowed_role)
    {
      g_autofree char *detail = g_strdup_printf ("A %s user may not %s packets.",
                                                 cp_server_role_to_string (request->user->role),
                                                 action);

      reply_forbidden (msg, detail);
      return;
    }
  expected = parse_if_match (msg);
  if (expected < 0)
    return;

  /* Replaying the transition that made the current revision returns its receipt. */
  if (g_str_equal (current->action, action) && g_str_equal (current->user_name,
                                                            request->user->name) &&
      (expected == 0 || expected == current->base))
    {
      reply_receipt (self, msg, request->user, SOUP_STATUS_OK, current, NULL);
      return;
    }
  if (expected > 0 && expected != current->revision)
    {
      reply_stale (self, msg, request->user, current,
                   "The packet has changed since that revision.");
      return;
    }

  if (target == CP_PACKET_STATE_SUBMITTED)
    allowed_state = g_str_equal (current->state, "draft") ||
                    g_str_equal (current->state, "ready") ||
                    g_str_equal (current->state, "returned");
  else
    allowed_state = g_str_equal (current->state, "submitted");
  if (!allowed_state)
    {
      g_autofree char *detail = g_strdup_printf ("A %s packet cannot be %s.", current->state,
                                                 target == CP_PACKET_STATE_SUBMITTED ? "submitted"
                                                 : target == CP_PACKET_STATE_RETURNED ? "returned"
                                                 : "accepted");

      cp_server_reply_problem (msg, SOUP_STATUS_CONFLICT, "invalid-state", detail, NULL);
      return;
    }

  if (target == CP_PACKET_STATE_RETURNED)
    {
      comments = parse_return_comments (msg, request);
      if (comments == NULL)
        return;
    }

  packet = cp_packet_new_from_data (g_bytes_get_data (current->body, NULL),
                                    g_bytes_get_size (current->body), "stored", &error);
  if (packet == NULL)
    {
      /* Stored by a server that did not check its canonical form (issue 13): saving the
       * packet again with a readable version repairs it. */
      g_message ("Stored packet %s does not parse: %s", request->uuid, error->message);
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-packet",
                               "The stored version of this packet cannot be read. Save the "
                               "packet again, then retry.", NULL);
      return;
    }

  if (target == CP_PACKET_STATE_SUBMITTED)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");

      cp_packet_set_submitted_on (packet, today);
      if (!check_complete (self, msg, request, packet))
        return;
    }
  cp_packet_set_state (packet, target);

  revision = revision_from_packet (msg, packet, action, request);
  if (revision == NULL)
    return;
  if (!cp_server_storage_put_revision (self->storage, revision, current->revision,
                                       comments, &error))
    {
      if (g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_STALE))
        {
          g_autoptr(CpServerRevision) latest = NULL;

          latest = cp_server_storage_get_packet (self->storage, request->uuid, NULL);
          reply_stale (self, msg, request->user, latest,
                       "The packet changed while this request was handled.");
        }
      else
        cp_server_reply_storage_error (msg, error);
      return;
    }
  if (comments != NULL)
    comment_json = comments_to_json (comments);
  reply_receipt (self, msg, request->user, SOUP_STATUS_OK, revision, comment_json);
}

void
cp_server_handle_packets (CpServer          *self,
                          SoupServerMessage *msg,
                          CpRequest         *request)
{
  const char *method = soup_server_message_get_method (msg);

  switch (request->route)
    {
    case CP_ROUTE_PACKET:
      if (g_str_equal (method, "PUT"))
        handle_put (self, msg, request);
      else
        handle_get (self, msg, request);
      break;
    case CP_ROUTE_REVISIONS:
      handle_revisions (self, msg, request);
      break;
    case CP_ROUTE_REVISION:
      handle_revision (self, msg, request);
      break;
    case CP_ROUTE_COMMENTS:
      handle_comments (self, msg, request);
      break;
    case CP_ROUTE_SUBMIT:
    case CP_ROUTE_RETURN:
    case CP_ROUTE_ACCEPT:
      handle_transition (self, msg, request);
      break;
    case CP_ROUTE_TRANSITIONS:
      handle_transitions (self, msg, request);
      break;
    case CP_ROUTE_SIGNATURES:
      handle_signatures (self, msg, request);
      break;
    case CP_ROUTE_AUTHORS:
      handle_authors (self, msg, request);
      break;
    case CP_ROUTE_NONE:
    case CP_ROUTE_SESSION:
    case CP_ROUTE_LIMITS:
    case CP_ROUTE_TEMPLATES:
    case CP_ROUTE_CHANGES:
    case CP_ROUTE_PROGRESS:
    case CP_ROUTE_AGENCIES:
    case CP_ROUTE_REPORTS:
    case CP_ROUTE_REPORT:
    case CP_ROUTE_BLOBS_MISSING:
    case CP_ROUTE_BLOB:
    case CP_ROUTE_BLOB_STATUS:
    default:
      g_assert_not_reached ();
    }
}

/* --- changes feed ------------------------------------------------------------------------ */

static gboolean
query_uint (SoupServerMessage *msg,
            GHashTable        *query,
            const char        *name,
            guint64            min,
            guint64            max,
            guint64           *out)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    {
      g_autofree char *detail = g_strdup_printf ("The “%s” parameter must be a whole number "
                                                 "from %" G_GUINT64_FORMAT " to %"
                                                 G_GUINT64_FORMAT ".", name, min, max);

      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request", detail, NULL);
      return FALSE;
    }
  return TRUE;
}

/* A page of changes with each packet's canonical body as "packet": written by hand so that the
 * stored bytes go out as they are (no parsing and writing again of up to 8 MiB). */
static void
reply_changes_with_bodies (CpServer           *self,
                           SoupServerMessage  *msg,
                           const CpServerUser *user,
                           GPtrArray          *changes,
                           const char         *next,
                           gboolean            more)
{
  GString *text = g_string_sized_new (4096);
  int party_cache = -1;

  g_string_append (text, "{\"changes\":[");
  for (guint i = 0; i < changes->len; i++)
    {
      CpServerRevision *revision = g_ptr_array_index (changes, i);
      g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
      g_autofree char *receipt = NULL;
      JsonObject *entry = revision_to_json_object (revision,
                                                   revision_party_cached (self, user, revision,
                                                                          &party_cache));
      gsize length;

      json_object_set_int_member (entry, "seq", revision->seq);
      json_node_take_object (node, entry);
      receipt = json_to_string (node, FALSE);
      length = strlen (receipt);
      g_assert (length > 2 && receipt[length - 1] == '}');
      if (i > 0)
        g_string_append_c (text, ',');
      g_string_append_len (text, receipt, (gssize) length - 1);
      g_string_append (text, ",\"packet\":");
      /* A body stored by a server that did not check its canonical form may not even be JSON
       * (json-glib wrote 1e20 as "1e+20.0"): it goes out as null rather than spoil the whole
       * page, and the client fetches that one packet (and sets it aside) on its own. The
       * check is a byte scan, not a parse. */
      if (revision->body != NULL && g_bytes_get_size (revision->body) > 0 &&
          g_utf8_validate (g_bytes_get_data (revision->body, NULL),
                           (gssize) g_bytes_get_size (revision->body), NULL) &&
          cp_json_check_text (g_bytes_get_data (revision->body, NULL),
                              g_bytes_get_size (revision->body), CP_JSON_MAX_DEPTH, NULL, NULL))
        g_string_append_len (text, g_bytes_get_data (revision->body, NULL),
                             (gssize) g_bytes_get_size (revision->body));
      else
        g_string_append (text, "null");
      g_string_append_c (text, '}');
    }
  g_string_append_printf (text, "],\"next\":\"%s\",\"more\":%s}", next,
                          more ? "true" : "false");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text->str,
                                    text->len);
  g_string_free (text, FALSE);
}

void
cp_server_handle_changes (CpServer          *self,
                          SoupServerMessage *msg,
                          CpRequest         *request,
                          GHashTable        *query)
{
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *next_text = NULL;
  JsonArray *array;
  guint64 since = 0;
  guint64 limit = DEFAULT_CHANGES;
  guint64 bodies = 0;
  gint64 last_seq = 0;
  gint64 next;
  gboolean more;
  gboolean truncated = FALSE;
  int party_cache = -1;

  if (!query_uint (msg, query, "since", 0, G_MAXINT64, &since) ||
      !query_uint (msg, query, "limit", 1, MAX_CHANGES, &limit) ||
      !query_uint (msg, query, "bodies", 0, 1, &bodies))
    return;

  if (bodies != 0)
    {
      gsize max_bytes = self->config.changes_max_bytes > 0
                        ? (gsize) self->config.changes_max_bytes
                        : CP_SERVER_DEFAULT_CHANGES_MAX_BYTES;

      changes = cp_server_storage_list_changes_with_bodies (self->storage, request->user,
                                                            (gint64) since, (guint) limit,
                                                            max_bytes, &last_seq,
                                                            &truncated, &error);
    }
  else
    changes = cp_server_storage_list_changes (self->storage, request->user,
                                              (gint64) since, (guint) limit, &last_seq,
                                              &error);
  if (changes == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  /* A full page (or one cut by the bytes of its bodies) continues after its last entry;
   * otherwise the caller has seen everything up to the newest sequence number. A cursor never
   * moves backwards. */
  more = changes->len == limit || truncated;
  if (more)
    next = ((CpServerRevision *) g_ptr_array_index (changes, changes->len - 1))->seq;
  else
    next = MAX (last_seq, (gint64) since);
  next_text = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  if (bodies != 0)
    {
      reply_changes_with_bodies (self, msg, request->user, changes, next_text, more);
      return;
    }

  array = json_array_sized_new (changes->len);
  for (guint i = 0; i < changes->len; i++)
    {
      CpServerRevision *revision = g_ptr_array_index (changes, i);
      JsonObject *entry = revision_to_json_object (revision,
                                                   revision_party_cached (self, request->user,
                                                                          revision, &party_cache));

      json_object_set_int_member (entry, "seq", revision->seq);
      json_array_add_object_element (array, entry);
    }

  object = json_object_new ();
  json_object_set_array_member (object, "changes", array);
  json_object_set_string_member (object, "next", next_text);
  json_object_set_boolean_member (object, "more", more);
  node = json_node_init_object (json_node_alloc (), object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

/* --- progress ---------------------------------------------------------------------------- */

int
cp_server_deduction (double rate)
{
  if (rate < 0.6)
    return -5;
  if (rate < 0.7)
    return -3;
  if (rate < 0.8)
    return -2;
  if (rate < 0.9)
    return -1;
  return 0;
}

static void
set_rate (JsonObject *object,
          int         quota,
          int         accepted)
{
  json_object_set_int_member (object, "quota", quota);
  json_object_set_int_member (object, "accepted", accepted);
  if (quota > 0)
    {
      double rate = (double) accepted / quota;

      /* Rounded to 4 decimals so that clients show what the deduction was computed from. */
      json_object_set_double_member (object, "rate", round (rate * 10000) / 10000);
      json_object_set_int_member (object, "deduction", cp_server_deduction (rate));
    }
  else
    {
      json_object_set_null_member (object, "rate");
      json_object_set_int_member (object, "deduction", 0);
    }
}

static int
lookup_count (GPtrArray  *counts,
              const char *district,
              const char *kind)
{
  for (guint i = 0; i < counts->len; i++)
    {
      CpServerCount *count = g_ptr_array_index (counts, i);

      if (g_str_equal (count->district, district) && g_str_equal (count->kind, kind))
        return count->count;
    }
  return 0;
}

/* GET /api/v1/agencies: the agencies a city office may assign (id and name), for offices. */
void
cp_server_handle_agencies (CpServer          *self,
                           SoupServerMessage *msg,
                           CpRequest         *request)
{
  g_autoptr(GPtrArray) agencies = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array;

  if (request->user->role != CP_SERVER_ROLE_OFFICE && request->user->role != CP_SERVER_ROLE_ADMIN)
    {
      reply_forbidden (msg, "The list of agencies is for credit offices.");
      return;
    }
  agencies = cp_server_storage_list_agencies (self->storage, &error);
  if (agencies == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  array = json_array_sized_new (agencies->len);
  for (guint i = 0; i < agencies->len; i++)
    {
      CpServerAgency *agency = g_ptr_array_index (agencies, i);
      JsonObject *entry = json_object_new ();

      json_object_set_string_member (entry, "id", agency->id);
      json_object_set_string_member (entry, "name", agency->name);
      json_array_add_object_element (array, entry);
    }
  json_object_set_array_member (object, "agencies", array);
  node = json_node_init_object (json_node_alloc (), object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

void
cp_server_handle_progress (CpServer          *self,
                           SoupServerMessage *msg,
                           CpRequest         *request,
                           GHashTable        *query)
{
  g_autoptr(GPtrArray) districts = NULL;
  g_autoptr(GPtrArray) quotas = NULL;
  g_autoptr(GPtrArray) accepted = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) total_quota = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) total_accepted = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *rows;
  JsonObject *totals;
  JsonArray *total_kinds;
  guint64 year = 0;
  int all_quota = 0;
  int all_accepted = 0;
  GList *kinds;

  if (request->user->role != CP_SERVER_ROLE_OFFICE && request->user->role != CP_SERVER_ROLE_ADMIN)
    {
      reply_forbidden (msg, "Progress against the quotas is for credit offices.");
      return;
    }
  if (query == NULL || g_hash_table_lookup (query, "year") == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                               "Name the campaign year: ?year=2020.", NULL);
      return;
    }
  if (!query_uint (msg, query, "year", 1990, 2999, &year))
    return;

  districts = cp_server_storage_list_districts (self->storage, &error);
  if (districts != NULL)
    quotas = cp_server_storage_list_quotas (self->storage, (int) year, &error);
  if (quotas != NULL)
    accepted = cp_server_storage_count_accepted (self->storage, (int) year, &error);
  if (accepted == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }

  rows = json_array_new ();
  for (guint i = 0; i < districts->len; i++)
    {
      CpServerDistrict *district = g_ptr_array_index (districts, i);
      JsonObject *row = json_object_new ();
      JsonArray *kind_rows = json_array_new ();
      int district_quota = 0;
      int district_accepted = 0;

      for (guint j = 0; j < quotas->len; j++)
        {
          CpServerCount *quota = g_ptr_array_index (quotas, j);
          JsonObject *kind_row;
          int n;

          if (!g_str_equal (quota->district, district->code))
            continue;
          n = lookup_count (accepted, district->code, quota->kind);
          kind_row = json_object_new ();
          json_object_set_string_member (kind_row, "kind", quota->kind);
          set_rate (kind_row, quota->count, n);
          json_array_add_object_element (kind_rows, kind_row);
          district_quota += quota->count;
          district_accepted += n;
          g_hash_table_insert (total_quota, quota->kind,
                               GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (total_quota, quota->kind)) + quota->count));
          g_hash_table_insert (total_accepted, quota->kind,
                               GINT_TO_POINTER (GPOINTER_TO_INT (g_hash_table_lookup (total_accepted, quota->kind)) + n));
        }
      if (json_array_get_length (kind_rows) == 0)
        {
          json_array_unref (kind_rows);
          json_object_unref (row);
          continue;
        }
      json_object_set_string_member (row, "district", district->code);
      json_object_set_string_member (row, "name", district->name);
      json_object_set_array_member (row, "kinds", kind_rows);
      set_rate (row, district_quota, district_accepted);
      json_array_add_object_element (rows, row);
      all_quota += district_quota;
      all_accepted += district_accepted;
    }

  totals = json_object_new ();
  total_kinds = json_array_new ();
  kinds = g_list_sort (g_hash_table_get_keys (total_quota), (GCompareFunc) g_strcmp0);
  for (GList *l = kinds; l != NULL; l = l->next)
    {
      JsonObject *kind_row = json_object_new ();

      json_object_set_string_member (kind_row, "kind", l->data);
      set_rate (kind_row, GPOINTER_TO_INT (g_hash_table_lookup (total_quota, l->data)),
                GPOINTER_TO_INT (g_hash_table_lookup (total_accepted, l->data)));
      json_array_add_object_element (total_kinds, kind_row);
    }
  g_list_free (kinds);
  json_object_set_array_member (totals, "kinds", total_kinds);
  set_rate (totals, all_quota, all_accepted);

  object = json_object_new ();
  json_object_set_int_member (object, "year", (gint64) year);
  json_object_set_array_member (object, "districts", rows);
  json_object_set_object_member (object, "total", totals);
  node = json_node_init_object (json_node_alloc (), object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}
