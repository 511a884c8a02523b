/* cp-server.c — credit-packet-server: configuration, routing, sessions, limits and logging
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every request passes through one early handler (after the headers, before the body) and one
 * normal handler (after the body). The early handler routes the path, authenticates the bearer
 * token, enforces the body limits and turns libsoup's body accumulation off: request bodies
 * are collected by got-chunk up to the limit (or, for blobs, streamed to disk), so a huge body
 * never sits in memory. Handlers run on one main context; the only work off it is the Argon2id
 * check of a login, which runs in a GTask thread while the message is paused.
 */
#include "config.h"

#include "cp-server-private.h"

#include "cp-json-private.h"
#include "cp-server-reports.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

G_DEFINE_FINAL_TYPE (CpServer, cp_server, G_TYPE_OBJECT)

#define REQUEST_KEY "cp-request"
#define MAX_CONCURRENT_LOGINS 2

/* --- configuration ----------------------------------------------------------------------- */

void
cp_server_config_init (CpServerConfig *config)
{
  memset (config, 0, sizeof *config);
  config->listen = g_strdup ("127.0.0.1:8080");
  config->max_body = CP_SERVER_DEFAULT_MAX_BODY;
  config->max_blob = CP_SERVER_DEFAULT_MAX_BLOB;
  config->session_ttl = 12 * 60 * 60;
  config->login_max_failures = 5;
  config->login_window = 60;
  config->log_requests = TRUE;
  config->header_timeout = 15;
  config->body_timeout = 30;
  config->idle_timeout = 60;
  config->listen_backlog = 1024;
  config->max_partials = 8;
  config->partial_ttl = 24 * 3600;
  config->blob_grace = 7 * 24 * 3600;
  cp_password_cost_init_default (&config->password_cost);
}

void
cp_server_config_clear (CpServerConfig *config)
{
  g_clear_pointer (&config->data_dir, g_free);
  g_clear_pointer (&config->database, g_free);
  g_clear_pointer (&config->listen, g_free);
  g_clear_pointer (&config->tls_cert, g_free);
  g_clear_pointer (&config->tls_key, g_free);
  g_clear_pointer (&config->templates_dir, g_free);
}

static gboolean
key_file_get_uint64 (GKeyFile    *file,
                     const char  *group,
                     const char  *key,
                     guint64      min,
                     guint64      max,
                     guint64     *out,
                     GError     **error)
{
  g_autofree char *text = NULL;
  guint64 value;

  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;
  text = g_key_file_get_string (file, group, key, error);
  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "[%s] %s must be a whole number from %" G_GUINT64_FORMAT " to %"
                   G_GUINT64_FORMAT ".", group, key, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
key_file_get_path (GKeyFile    *file,
                   const char  *group,
                   const char  *key,
                   const char  *base_dir,
                   char       **out,
                   GError     **error)
{
  g_autofree char *text = NULL;

  if (!g_key_file_has_key (file, group, key, NULL))
    return TRUE;
  text = g_key_file_get_string (file, group, key, error);
  if (text == NULL)
    return FALSE;
  g_strstrip (text);
  g_free (*out);
  if (base_dir != NULL && !g_path_is_absolute (text))
    *out = g_build_filename (base_dir, text, NULL);
  else
    *out = g_steal_pointer (&text);
  return TRUE;
}

gboolean
cp_server_config_load (CpServerConfig  *config,
                       const char      *path,
                       GError         **error)
{
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autofree char *base_dir = NULL;
  guint64 value;

  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  base_dir = g_path_get_dirname (path);

  if (!key_file_get_path (file, "server", "data-dir", base_dir, &config->data_dir, error) ||
      !key_file_get_path (file, "server", "database", NULL, &config->database, error) ||
      !key_file_get_path (file, "server", "listen", NULL, &config->listen, error) ||
      !key_file_get_path (file, "server", "tls-cert", base_dir, &config->tls_cert, error) ||
      !key_file_get_path (file, "server", "tls-key", base_dir, &config->tls_key, error) ||
      !key_file_get_path (file, "server", "templates-dir", base_dir, &config->templates_dir,
                          error))
    goto fail;
  if (!key_file_get_uint64 (file, "server", "max-body", 1024, G_MAXUINT32, &config->max_body,
                            error) ||
      !key_file_get_uint64 (file, "server", "max-blob", 1, G_MAXINT64, &config->max_blob,
                            error))
    goto fail;
  value = (guint64) config->session_ttl;
  if (!key_file_get_uint64 (file, "server", "session-ttl", 60, 366 * 24 * 3600, &value, error))
    goto fail;
  config->session_ttl = (gint64) value;
  if (g_key_file_has_key (file, "server", "log-requests", NULL))
    {
      g_autoptr(GError) local_error = NULL;
      gboolean log = g_key_file_get_boolean (file, "server", "log-requests", &local_error);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          goto fail;
        }
      config->log_requests = log;
    }
  {
    static const struct
    {
      const char *key;
      guint64     min;
      guint64     max;
      gsize       offset;
    } uints[] = {
      { "header-timeout", 1, 3600, G_STRUCT_OFFSET (CpServerConfig, header_timeout) },
      { "body-timeout", 1, 3600, G_STRUCT_OFFSET (CpServerConfig, body_timeout) },
      { "idle-timeout", 1, 24 * 3600, G_STRUCT_OFFSET (CpServerConfig, idle_timeout) },
      { "listen-backlog", 16, 65535, G_STRUCT_OFFSET (CpServerConfig, listen_backlog) },
      { "max-partial-uploads", 1, 10000, G_STRUCT_OFFSET (CpServerConfig, max_partials) },
      { "partial-upload-ttl", 60, 366 * 24 * 3600, G_STRUCT_OFFSET (CpServerConfig, partial_ttl) },
      { "blob-grace", 60, 366 * 24 * 3600, G_STRUCT_OFFSET (CpServerConfig, blob_grace) },
    };

    for (guint i = 0; i < G_N_ELEMENTS (uints); i++)
      {
        guint *field = G_STRUCT_MEMBER_P (config, uints[i].offset);

        value = *field;
        if (!key_file_get_uint64 (file, "server", uints[i].key, uints[i].min, uints[i].max,
                                  &value, error))
          goto fail;
        *field = (guint) value;
      }
  }
  value = config->login_max_failures;
  if (!key_file_get_uint64 (file, "login", "max-failures", 1, 1000, &value, error))
    goto fail;
  config->login_max_failures = (guint) value;
  value = config->login_window;
  if (!key_file_get_uint64 (file, "login", "window", 1, 24 * 3600, &value, error))
    goto fail;
  config->login_window = (guint) value;
  value = config->password_cost.opslimit;
  if (!key_file_get_uint64 (file, "passwords", "opslimit", 1, 64, &value, error))
    goto fail;
  config->password_cost.opslimit = value;
  value = config->password_cost.memlimit;
  if (!key_file_get_uint64 (file, "passwords", "memlimit", 8192, G_GUINT64_CONSTANT (4) << 30,
                            &value, error))
    goto fail;
  config->password_cost.memlimit = (gsize) value;
  return TRUE;

fail:
  g_prefix_error (error, "%s: ", path);
  return FALSE;
}

/* --- small helpers ----------------------------------------------------------------------- */

gboolean
cp_sha256_text_is_valid (const char *text)
{
  return cp_sha256_is_valid (text);
}

char *
cp_server_format_time (gint64 usec)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  if (time == NULL)
    return g_strdup ("1970-01-01T00:00:00Z");
  return g_date_time_format (time, "%Y-%m-%dT%H:%M:%SZ");
}

JsonNode *
cp_server_user_to_json (const CpServerUser *user)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, user->name);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, cp_server_role_to_string (user->role));
  if (user->district != NULL)
    {
      json_builder_set_member_name (builder, "district");
      json_builder_add_string_value (builder, user->district);
    }
  if (user->uscc != NULL)
    {
      json_builder_set_member_name (builder, "uscc");
      json_builder_add_string_value (builder, user->uscc);
    }
  if (user->agency != NULL)
    {
      json_builder_set_member_name (builder, "agency");
      json_builder_add_string_value (builder, user->agency);
    }
  if (user->agency_name != NULL)
    {
      json_builder_set_member_name (builder, "agency_name");
      json_builder_add_string_value (builder, user->agency_name);
    }
  if (user->agency_uscc != NULL)
    {
      json_builder_set_member_name (builder, "agency_uscc");
      json_builder_add_string_value (builder, user->agency_uscc);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

GSource *
cp_server_attach_source (GSource     *source,
                         GSourceFunc  func,
                         gpointer     data)
{
  g_source_set_callback (source, func, data, NULL);
  g_source_attach (source, g_main_context_get_thread_default ());
  return source;
}

void
cp_server_source_clear (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

void
cp_server_message_resume (SoupServerMessage *msg)
{
  /* A message whose connection went away while it waited has no I/O left to resume. */
  if (g_object_get_data (G_OBJECT (msg), "cp-done") == NULL)
    soup_server_message_unpause (msg);
}

CpRequest *
cp_request_get (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), REQUEST_KEY);
}

static void maybe_finish_shutdown (CpServer *self);

/* Also runs for requests libsoup gives up on before it has parsed their headers (they get no
 * request-finished signal), so that a shutdown does not wait for them. */
static void
cp_request_free (CpRequest *request)
{
  CpServer *self = request->server;

  if (self != NULL)
    {
      g_hash_table_remove (self->requests, request);
      g_assert (self->in_flight > 0);
      self->in_flight--;
      maybe_finish_shutdown (self);
    }
  g_clear_pointer (&request->uuid, g_free);
  g_clear_pointer (&request->sha256, g_free);
  g_clear_pointer (&request->report, g_free);
  g_clear_pointer (&request->user, cp_server_user_free);
  g_clear_pointer (&request->token_hash, g_free);
  g_clear_pointer (&request->body, g_byte_array_unref);
  g_clear_pointer (&request->upload, cp_server_blob_upload_free);
  g_free (request);
}

/* --- replies ----------------------------------------------------------------------------- */

void
cp_server_reply_json (SoupServerMessage *msg,
                      guint              status,
                      JsonNode          *node)
{
  gsize length = 0;
  char *text = json_to_string (node, FALSE);

  length = strlen (text);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, length);
}

static const struct
{
  const char *type;
  const char *title;
} problem_titles[] = {
  { "already-exists", "The packet already exists" },
  { "bad-request", "The request is malformed" },
  { "forbidden", "Not allowed for this user" },
  { "hash-mismatch", "The content does not match its SHA-256" },
  { "incomplete", "The packet is incomplete" },
  { "internal", "Internal server error" },
  { "invalid-hash", "Not a SHA-256" },
  { "invalid-json", "The body is not valid JSON" },
  { "invalid-packet", "The packet does not follow the packet format" },
  { "invalid-range", "The Content-Range header is not usable" },
  { "invalid-state", "The packet is not in a state that allows this" },
  { "invalid-uuid", "Not a UUID" },
  { "invalid-value", "A value is not acceptable" },
  { "login-failed", "Wrong user name or password" },
  { "method-not-allowed", "Method not allowed" },
  { "not-found", "Not found" },
  { "precondition-required", "If-Match or If-None-Match is required" },
  { "rate-limited", "Too many attempts" },
  { "shutting-down", "The server is shutting down" },
  { "stale-revision", "The packet has changed since that revision" },
  { "too-deep", "The JSON nests too deeply" },
  { "too-large", "The request is too large" },
  { "unauthorized", "Authentication required" },
  { "unknown-template", "The packet kind is unknown to this server" },
  { "upload-in-progress", "Another request is uploading this attachment" },
  { "upload-offset", "The upload does not continue where the stored part ends" },
};

void
cp_server_reply_problem (SoupServerMessage *msg,
                         guint              status,
                         const char        *type,
                         const char        *detail,
                         JsonObject        *extra)
{
  g_autoptr(JsonObject) object = extra != NULL ? extra : json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *uri = g_strconcat (CP_PROBLEM_BASE, type, NULL);
  const char *title = type;
  gsize length;
  char *text;

  for (guint i = 0; i < G_N_ELEMENTS (problem_titles); i++)
    if (g_str_equal (problem_titles[i].type, type))
      title = problem_titles[i].title;

  json_object_set_string_member (object, "type", uri);
  json_object_set_string_member (object, "title", title);
  json_object_set_int_member (object, "status", status);
  if (detail != NULL)
    json_object_set_string_member (object, "detail", detail);
  json_node_set_object (node, object);

  text = json_to_string (node, FALSE);
  length = strlen (text);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_TAKE, text,
                                    length);
}

void
cp_server_reply_storage_error (SoupServerMessage *msg,
                               const GError      *error)
{
  if (g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found", error->message, NULL);
      return;
    }
  g_warning ("Storage failed: %s", error->message);
  cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                           "The server could not read or write its database.", NULL);
}

JsonObject *
cp_server_parse_body_object (SoupServerMessage *msg,
                             CpRequest         *request)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  if (request->too_large)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                               "The request body exceeds the server's limit.", NULL);
      return NULL;
    }
  object = cp_server_parse_json_object (request->body != NULL ? (const char *) request->body->data
                                                              : NULL,
                                        request->body != NULL ? request->body->len : 0,
                                        request->limit, &error);
  if (object == NULL)
    {
      if (g_error_matches (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_LARGE))
        cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                                 error->message, NULL);
      else if (g_error_matches (error, CP_JSON_ERROR, CP_JSON_ERROR_TOO_DEEP))
        cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "too-deep", error->message, NULL);
      else
        cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-json", error->message,
                                 NULL);
    }
  return object;
}

/* --- routing ----------------------------------------------------------------------------- */

static void
reply_method_not_allowed (SoupServerMessage *msg,
                          const char        *allow)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allow);
  cp_server_reply_problem (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
                           "This resource does not support that method.", NULL);
}

/* Splits the path, fills @request->route and its parameters, and checks the method. Replies
 * and returns FALSE when the request cannot be routed. */
static gboolean
route_request (SoupServerMessage *msg,
               const char        *path,
               CpRequest         *request)
{
  const char *method = soup_server_message_get_method (msg);
  g_auto(GStrv) parts = NULL;
  guint n;
  const char *allow = NULL;

  if (!g_str_has_prefix (path, "/api/v1/"))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found",
                               "The API lives under /api/v1/.", NULL);
      return FALSE;
    }
  parts = g_strsplit (path + strlen ("/api/v1/"), "/", 0);
  n = g_strv_length (parts);

  if (n == 1 && g_str_equal (parts[0], "session"))
    request->route = CP_ROUTE_SESSION, allow = "GET, POST, DELETE";
  else if (n == 1 && g_str_equal (parts[0], "limits"))
    request->route = CP_ROUTE_LIMITS, allow = "GET";
  else if (n == 1 && g_str_equal (parts[0], "templates"))
    request->route = CP_ROUTE_TEMPLATES, allow = "GET";
  else if (n == 1 && g_str_equal (parts[0], "changes"))
    request->route = CP_ROUTE_CHANGES, allow = "GET";
  else if (n == 1 && g_str_equal (parts[0], "progress"))
    request->route = CP_ROUTE_PROGRESS, allow = "GET";
  else if (n == 1 && g_str_equal (parts[0], "agencies"))
    request->route = CP_ROUTE_AGENCIES, allow = "GET";
  else if (n == 1 && g_str_equal (parts[0], "reports"))
    request->route = CP_ROUTE_REPORTS, allow = "GET";
  else if (n == 2 && g_str_equal (parts[0], "reports"))
    {
      /* Report ids are the definitions' own ("provincial-candidates"); nothing else. */
      gboolean valid = *parts[1] != '\0' && strlen (parts[1]) <= 64;

      for (const char *p = parts[1]; valid && *p != '\0'; p++)
        valid = g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '_';
      if (!valid)
        {
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                                   "Report names are lower-case letters, digits, “-” and “_”.",
                                   NULL);
          return FALSE;
        }
      request->report = g_strdup (parts[1]);
      request->route = CP_ROUTE_REPORT, allow = "GET";
    }
  else if (n >= 2 && n <= 4 && g_str_equal (parts[0], "packets"))
    {
      if (!cp_uuid_is_valid (parts[1]))
        {
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-uuid",
                                   "Packet ids are lowercase UUIDs "
                                   "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).", NULL);
          return FALSE;
        }
      request->uuid = g_strdup (parts[1]);
      if (n == 2)
        request->route = CP_ROUTE_PACKET, allow = "GET, PUT";
      else if (n == 3 && g_str_equal (parts[2], "revisions"))
        request->route = CP_ROUTE_REVISIONS, allow = "GET";
      else if (n == 3 && g_str_equal (parts[2], "comments"))
        request->route = CP_ROUTE_COMMENTS, allow = "GET";
      else if (n == 3 && g_str_equal (parts[2], "submit"))
        request->route = CP_ROUTE_SUBMIT, allow = "POST";
      else if (n == 3 && g_str_equal (parts[2], "return"))
        request->route = CP_ROUTE_RETURN, allow = "POST";
      else if (n == 3 && g_str_equal (parts[2], "accept"))
        request->route = CP_ROUTE_ACCEPT, allow = "POST";
      else if (n == 3 && g_str_equal (parts[2], "transitions"))
        request->route = CP_ROUTE_TRANSITIONS, allow = "GET, POST";
      else if (n == 3 && g_str_equal (parts[2], "signatures"))
        request->route = CP_ROUTE_SIGNATURES, allow = "GET";
      else if (n == 3 && g_str_equal (parts[2], "authors"))
        request->route = CP_ROUTE_AUTHORS, allow = "GET";
      else if (n == 4 && g_str_equal (parts[2], "revisions"))
        {
          guint64 number;

          if (!g_ascii_string_to_unsigned (parts[3], 10, 1, G_MAXINT64, &number, NULL))
            {
              cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                                       "Revision numbers are whole numbers from 1.", NULL);
              return FALSE;
            }
          request->number = (gint64) number;
          request->route = CP_ROUTE_REVISION, allow = "GET";
        }
    }
  else if (n == 2 && g_str_equal (parts[0], "blobs") && g_str_equal (parts[1], "missing"))
    request->route = CP_ROUTE_BLOBS_MISSING, allow = "POST";
  else if ((n == 2 || n == 3) && g_str_equal (parts[0], "blobs"))
    {
      if (!cp_sha256_text_is_valid (parts[1]))
        {
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-hash",
                                   "Blobs are named by their SHA-256 in 64 lowercase "
                                   "hexadecimal digits.", NULL);
          return FALSE;
        }
      request->sha256 = g_strdup (parts[1]);
      if (n == 2)
        request->route = CP_ROUTE_BLOB, allow = "GET, HEAD, PUT";
      else if (g_str_equal (parts[2], "status"))
        request->route = CP_ROUTE_BLOB_STATUS, allow = "GET";
    }

  if (request->route == CP_ROUTE_NONE)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found",
                               "No such resource in this API.", NULL);
      return FALSE;
    }

  /* HEAD is answered wherever GET is. */
  if (g_str_equal (method, "HEAD") && strstr (allow, "GET") != NULL)
    return TRUE;
  {
    g_auto(GStrv) methods = g_strsplit (allow, ", ", 0);

    if (!g_strv_contains ((const char * const *) methods, method))
      {
        reply_method_not_allowed (msg, allow);
        return FALSE;
      }
  }
  return TRUE;
}

static gboolean
route_needs_auth (SoupServerMessage *msg,
                  CpRoute            route)
{
  const char *method = soup_server_message_get_method (msg);

  if (route == CP_ROUTE_LIMITS)
    return FALSE;
  if (route == CP_ROUTE_SESSION && g_str_equal (method, "POST"))
    return FALSE;
  return TRUE;
}

static gboolean
authenticate (CpServer          *self,
              SoupServerMessage *msg,
              CpRequest         *request)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autoptr(GError) error = NULL;
  const char *token;

  if (authorization == NULL || g_ascii_strncasecmp (authorization, "Bearer ", 7) != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer realm=\"credit-packet\"");
      cp_server_reply_problem (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                               "Log in with POST /api/v1/session and send the token as "
                               "“Authorization: Bearer TOKEN”.", NULL);
      return FALSE;
    }
  token = authorization + 7;
  while (*token == ' ')
    token++;
  if (strlen (token) < 16 || strlen (token) > 256)
    goto invalid;

  request->token_hash = cp_token_hash (token);
  request->user = cp_server_storage_find_session (self->storage, request->token_hash,
                                                  g_get_real_time () / G_USEC_PER_SEC,
                                                  NULL, &error);
  if (request->user != NULL)
    return TRUE;
  if (!g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND))
    {
      cp_server_reply_storage_error (msg, error);
      return FALSE;
    }

invalid:
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "WWW-Authenticate",
                                "Bearer realm=\"credit-packet\", error=\"invalid_token\"");
  cp_server_reply_problem (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                           "The session has expired or was closed. Log in again.", NULL);
  return FALSE;
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              CpRequest         *request)
{
  gsize size = g_bytes_get_size (chunk);

  if (request->server != NULL)
    cp_server_connection_got_chunk (request->server, msg);
  if (request->upload != NULL)
    {
      cp_server_blob_upload_chunk (request, chunk);
      return;
    }
  request->received += size;
  if (request->too_large || request->received > request->limit)
    {
      request->too_large = TRUE;
      g_clear_pointer (&request->body, g_byte_array_unref);
      /* A body without a length (chunked) passed the limit: answer now rather than after
       * reading the rest of it. */
      if (request->server != NULL)
        {
          g_autofree char *detail = g_strdup_printf ("Request bodies are limited to %"
                                                     G_GUINT64_FORMAT " bytes.",
                                                     request->limit);

          cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                                   detail, NULL);
          cp_server_reply_now (request->server, msg);
        }
      return;
    }
  if (request->body == NULL)
    request->body = g_byte_array_new ();
  g_byte_array_append (request->body, g_bytes_get_data (chunk, NULL), size);
}

/* Two Authorization headers (which one counts?), two lengths, or a length and a transfer
 * encoding (request smuggling through a proxy that reads the other one) get 400. */
static gboolean
headers_are_unambiguous (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeadersIter iter;
  const char *name;
  const char *value;
  guint authorization = 0;
  guint content_length = 0;
  guint transfer_encoding = 0;
  const char *detail = NULL;

  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    {
      if (g_ascii_strcasecmp (name, "Authorization") == 0)
        authorization++;
      else if (g_ascii_strcasecmp (name, "Content-Length") == 0)
        content_length++;
      else if (g_ascii_strcasecmp (name, "Transfer-Encoding") == 0)
        transfer_encoding++;
    }
  if (authorization > 1)
    detail = "Send one Authorization header.";
  else if (content_length > 1)
    detail = "Send one Content-Length header.";
  else if (content_length > 0 && transfer_encoding > 0)
    detail = "Send Content-Length or Transfer-Encoding, not both.";
  if (detail == NULL)
    return TRUE;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request", detail, NULL);
  return FALSE;
}

static void
early_handler_cb (SoupServer        *soup,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  CpServer *self = CP_SERVER (user_data);
  CpRequest *request = cp_request_get (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  goffset content_length = 0;

  g_assert (request != NULL);

  /* Nothing of the body is kept unless we keep it ourselves. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (self->stopping)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "5");
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
      cp_server_reply_problem (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting-down",
                               "The server is shutting down. Try again shortly.", NULL);
      return;
    }

  if (!headers_are_unambiguous (msg))
    return;
  if (!route_request (msg, path, request))
    return;
  if (route_needs_auth (msg, request->route) && !authenticate (self, msg, request))
    return;

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH)
    content_length = soup_message_headers_get_content_length (headers);

  if (request->route == CP_ROUTE_BLOB &&
      g_str_equal (soup_server_message_get_method (msg), "PUT"))
    {
      cp_server_blob_upload_begin (self, msg, request);
      if (soup_server_message_get_status (msg) != 0)
        return;
    }
  else
    {
      request->limit = self->config.max_body;
      if ((guint64) content_length > request->limit)
        {
          g_autofree char *detail = g_strdup_printf ("Request bodies are limited to %"
                                                     G_GUINT64_FORMAT " bytes.",
                                                     request->limit);

          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Connection", "close");
          cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                                   detail, NULL);
          return;
        }
    }

  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), request);
}

/* --- sessions ---------------------------------------------------------------------------- */

typedef struct
{
  SoupServerMessage *msg;
  CpServerUser      *user;      /* NULL when the name is unknown */
  char              *name;
  char              *address;
  char              *hash;
  char              *password;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_clear_object (&data->msg);
  g_clear_pointer (&data->user, cp_server_user_free);
  g_free (data->name);
  g_free (data->address);
  g_free (data->hash);
  if (data->password != NULL)
    memset (data->password, 0, strlen (data->password));
  g_free (data->password);
  g_free (data);
}

static void
login_verify_thread (GTask        *task,
                     gpointer      source_object,
                     gpointer      task_data,
                     GCancellable *cancellable)
{
  LoginData *data = task_data;

  g_task_return_boolean (task, cp_password_verify (data->hash, data->password));
}

static void
login_verified_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  CpServer *self = CP_SERVER (object);
  LoginData *data = g_task_get_task_data (G_TASK (result));
  SoupServerMessage *msg = data->msg;
  g_autoptr(GTask) next = g_queue_pop_head (&self->login_queue);
  gboolean ok = g_task_propagate_boolean (G_TASK (result), NULL);
  g_autofree char *user_key = g_strconcat ("user:", data->name, NULL);
  g_autofree char *addr_key = g_strconcat ("addr:", data->address, NULL);
  gint64 now = g_get_real_time ();

  if (next != NULL)
    g_task_run_in_thread (next, login_verify_thread);
  else
    self->logins_running--;

  cp_rate_limiter_end (self->user_limiter, user_key);
  cp_rate_limiter_end (self->addr_limiter, addr_key);

  if (!ok || data->user == NULL)
    {
      cp_rate_limiter_fail (self->user_limiter, user_key, now);
      cp_rate_limiter_fail (self->addr_limiter, addr_key, now);
      cp_server_reply_problem (msg, SOUP_STATUS_UNAUTHORIZED, "login-failed",
                               "The user name or the password is wrong.", NULL);
    }
  else if (self->storage == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting-down",
                               "The server is shutting down. Try again shortly.", NULL);
    }
  else
    {
      g_autofree char *token = cp_token_new ();
      g_autofree char *token_hash = cp_token_hash (token);
      g_autofree char *expires_text = NULL;
      g_autoptr(GError) error = NULL;
      /* Rounded up to the second, so that a session lasts at least its ttl: sessions end when
       * the whole-second clock reaches expires_at. */
      gint64 expires = (now + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC + self->config.session_ttl;

      cp_rate_limiter_reset (self->user_limiter, user_key);
      if (!cp_server_storage_add_session (self->storage, token_hash, data->user->id,
                                          expires, &error))
        cp_server_reply_storage_error (msg, error);
      else
        {
          g_autoptr(JsonObject) reply = json_object_new ();
          g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

          expires_text = cp_server_format_time (expires * G_USEC_PER_SEC);
          json_object_set_string_member (reply, "token", token);
          json_object_set_string_member (reply, "token_type", "Bearer");
          json_object_set_string_member (reply, "expires_at", expires_text);
          json_object_set_member (reply, "user", cp_server_user_to_json (data->user));
          json_node_set_object (node, reply);
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Cache-Control", "no-store");
          cp_server_reply_json (msg, SOUP_STATUS_CREATED, node);
        }
      memset (token, 0, strlen (token));
    }
  cp_server_message_resume (msg);
}

static void
handle_login (CpServer          *self,
              SoupServerMessage *msg,
              CpRequest         *request)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *user_key = NULL;
  g_autofree char *addr_key = NULL;
  LoginData *data;
  const char *name = NULL;
  const char *password = NULL;
  const char *address;
  guint wait;
  gint64 now = g_get_real_time ();

  object = cp_server_parse_body_object (msg, request);
  if (object == NULL)
    return;
  if (!cp_server_parse_login (object, &name, &password, &error))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "invalid-value",
                               error->message, NULL);
      return;
    }

  address = soup_server_message_get_remote_host (msg);
  user_key = g_strconcat ("user:", name, NULL);
  addr_key = g_strconcat ("addr:", address != NULL ? address : "", NULL);
  wait = MAX (cp_rate_limiter_check (self->user_limiter, user_key, now),
              cp_rate_limiter_check (self->addr_limiter, addr_key, now));
  if (wait > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", wait);
      g_autofree char *detail = g_strdup_printf ("Too many failed logins. Wait %u seconds "
                                                 "before trying again.", wait);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", seconds);
      cp_server_reply_problem (msg, 429 /* Too Many Requests */, "rate-limited", detail,
                               NULL);
      return;
    }

  /* From here the attempt counts against both limits until its outcome is known. */
  cp_rate_limiter_begin (self->user_limiter, user_key);
  cp_rate_limiter_begin (self->addr_limiter, addr_key);
  data = g_new0 (LoginData, 1);
  data->msg = g_object_ref (msg);
  data->name = g_strdup (name);
  data->address = g_strdup (address != NULL ? address : "");
  data->password = g_strdup (password);
  data->user = cp_server_storage_find_user (self->storage, name, &error);
  if (data->user == NULL &&
      !g_error_matches (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND))
    {
      cp_rate_limiter_end (self->user_limiter, user_key);
      cp_rate_limiter_end (self->addr_limiter, addr_key);
      login_data_free (data);
      cp_server_reply_storage_error (msg, error);
      return;
    }
  /* Unknown users cost the same time as known ones. */
  data->hash = g_strdup (data->user != NULL ? data->user->password_hash
                                            : cp_password_dummy_hash (&self->config.password_cost));

  soup_server_message_pause (msg);
  task = g_task_new (self, NULL, login_verified_cb, NULL);
  g_task_set_source_tag (task, handle_login);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  /* Argon2id takes 64 MiB and a good fraction of a second per check at the default cost: a
   * burst of logins waits its turn instead of taking all the memory at once. */
  if (self->logins_running < MAX_CONCURRENT_LOGINS)
    {
      self->logins_running++;
      g_task_run_in_thread (task, login_verify_thread);
    }
  else
    g_queue_push_tail (&self->login_queue, g_steal_pointer (&task));
}

static void
handle_session (CpServer          *self,
                SoupServerMessage *msg,
                CpRequest         *request)
{
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (method, "POST"))
    handle_login (self, msg, request);
  else if (g_str_equal (method, "DELETE"))
    {
      g_autoptr(GError) error = NULL;

      if (!cp_server_storage_delete_session (self->storage, request->token_hash, &error))
        cp_server_reply_storage_error (msg, error);
      else
        soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
    }
  else
    {
      g_autoptr(JsonNode) node = cp_server_user_to_json (request->user);

      cp_server_reply_json (msg, SOUP_STATUS_OK, node);
    }
}

static void
handle_limits (CpServer          *self,
               SoupServerMessage *msg)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_object_set_string_member (object, "api", "v1");
  json_object_set_int_member (object, "max_body", (gint64) self->config.max_body);
  json_object_set_int_member (object, "max_blob", (gint64) self->config.max_blob);
  json_object_set_int_member (object, "max_changes", 1000);
  /* The largest reply: a changes page (its bodies, the first of which may be a whole packet,
   * and up to 1000 receipts), or a report file. Clients read no more than this. */
  json_object_set_int_member (object, "max_reply",
                              (gint64) MAX ((self->config.changes_max_bytes > 0
                                             ? self->config.changes_max_bytes
                                             : CP_SERVER_DEFAULT_CHANGES_MAX_BYTES) +
                                            self->config.max_body + 1024 * 1024,
                                            CP_SERVER_MAX_REPORT + 1024 * 1024));
  json_object_set_int_member (object, "session_ttl", self->config.session_ttl);
  json_object_set_int_member (object, "login_max_failures", self->config.login_max_failures);
  json_object_set_int_member (object, "login_window", self->config.login_window);
  json_node_set_object (node, object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

static void
handler_cb (SoupServer        *soup,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  CpServer *self = CP_SERVER (user_data);
  CpRequest *request = cp_request_get (msg);

  g_assert (request != NULL);
  if (request->too_large && request->upload == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                               "The request body exceeds the server's limit.", NULL);
      return;
    }

  switch (request->route)
    {
    case CP_ROUTE_SESSION:
      handle_session (self, msg, request);
      break;
    case CP_ROUTE_LIMITS:
      handle_limits (self, msg);
      break;
    case CP_ROUTE_TEMPLATES:
      cp_server_handle_templates (self, msg, request);
      break;
    case CP_ROUTE_CHANGES:
      cp_server_handle_changes (self, msg, request, query);
      break;
    case CP_ROUTE_PROGRESS:
      cp_server_handle_progress (self, msg, request, query);
      break;
    case CP_ROUTE_AGENCIES:
      cp_server_handle_agencies (self, msg, request);
      break;
    case CP_ROUTE_REPORTS:
    case CP_ROUTE_REPORT:
      cp_server_handle_reports (self, msg, request, query);
      break;
    case CP_ROUTE_PACKET:
    case CP_ROUTE_REVISIONS:
    case CP_ROUTE_REVISION:
    case CP_ROUTE_COMMENTS:
    case CP_ROUTE_SUBMIT:
    case CP_ROUTE_RETURN:
    case CP_ROUTE_ACCEPT:
    case CP_ROUTE_TRANSITIONS:
    case CP_ROUTE_SIGNATURES:
    case CP_ROUTE_AUTHORS:
      cp_server_handle_packets (self, msg, request);
      break;
    case CP_ROUTE_BLOBS_MISSING:
    case CP_ROUTE_BLOB:
    case CP_ROUTE_BLOB_STATUS:
      cp_server_handle_blobs (self, msg, request);
      break;
    case CP_ROUTE_NONE:
    default:
      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found",
                               "No such resource in this API.", NULL);
      break;
    }
}

/* --- request lifecycle and logging -------------------------------------------------------- */

/* libsoup itself refuses some requests after their headers (a path that climbs with "..", a
 * scheme mismatch) with a bare status; give those a problem body too. This runs after libsoup's
 * own got-headers handler, which was connected first. */
static void
got_headers_cb (SoupServerMessage *msg,
                CpServer          *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  guint status = soup_server_message_get_status (msg);
  gboolean has_body;

  if (status >= 400 && soup_server_message_get_response_body (msg)->length == 0)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      cp_server_reply_problem (msg, status, status == SOUP_STATUS_BAD_REQUEST ? "bad-request"
                                                                              : "not-found",
                               "The request's path or headers are not acceptable.", NULL);
    }

  has_body = encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF ||
             (encoding == SOUP_ENCODING_CONTENT_LENGTH &&
              soup_message_headers_get_content_length (headers) > 0);
  cp_server_connection_got_headers (self, msg, has_body);

  /* The answer is known from the headers (401, 413, 400, …) and a body is on its way: send the
   * answer now instead of reading the body first. With Expect: 100-continue libsoup already
   * answers without reading it. */
  if (status != 0 && has_body &&
      !(soup_message_headers_get_expectations (headers) & SOUP_EXPECTATION_CONTINUE))
    cp_server_reply_now (self, msg);
}

static void
got_body_cb (SoupServerMessage *msg,
             CpServer          *self)
{
  cp_server_connection_got_body (self, msg);
}

static void
request_started_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    CpServer          *self)
{
  CpRequest *request = g_new0 (CpRequest, 1);

  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), self, 0);
  g_signal_connect_object (msg, "got-body", G_CALLBACK (got_body_cb), self, 0);
  cp_server_connection_started (self, msg);

  request->server = self;
  request->started = g_get_monotonic_time ();
  g_object_set_data_full (G_OBJECT (msg), REQUEST_KEY, request, (GDestroyNotify) cp_request_free);
  g_hash_table_add (self->requests, request);
  self->in_flight++;
}

void
cp_server_request_done (CpServer          *self,
                        SoupServerMessage *msg,
                        gboolean           aborted)
{
  CpRequest *request = cp_request_get (msg);

  if (request == NULL)
    return;

  if (self->config.log_requests)
    {
      GUri *uri = soup_server_message_get_uri (msg);
      SoupMessageBody *body = soup_server_message_get_response_body (msg);
      const char *address = soup_server_message_get_remote_host (msg);
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%dT%H:%M:%SZ");
      gint64 elapsed = g_get_monotonic_time () - request->started;
      /* What the client chose is escaped: a path with escape sequences or invalid UTF-8 must
       * not reach a terminal or forge a line. */
      g_autofree char *method = cp_server_escape_for_log (soup_server_message_get_method (msg));
      g_autofree char *path = cp_server_escape_for_log (uri != NULL ? g_uri_get_path (uri) : NULL);
      g_autofree char *user = request->user != NULL
                              ? cp_server_escape_for_log (request->user->name) : NULL;

      /* Never the query (it may carry secrets), never a header, never a body. */
      g_printerr ("%s %s %s %s %u %" G_GINT64_FORMAT " %" G_GINT64_FORMAT ".%01" G_GINT64_FORMAT
                  "ms%s%s%s\n",
                  stamp,
                  address != NULL ? address : "-",
                  method,
                  path,
                  soup_server_message_get_status (msg),
                  body != NULL ? (gint64) body->length : 0,
                  elapsed / 1000, (elapsed % 1000) / 100,
                  user != NULL ? " user=" : "",
                  user != NULL ? user : "",
                  aborted ? " aborted" : "");
    }

  /* Closing the partial blob file keeps what arrived, so that the upload can resume. */
  g_object_set_data (G_OBJECT (msg), REQUEST_KEY, NULL);
  g_object_set_data (G_OBJECT (msg), "cp-done", GINT_TO_POINTER (TRUE));
}

static void
request_finished_cb (SoupServer        *soup,
                     SoupServerMessage *msg,
                     CpServer          *self)
{
  cp_server_request_done (self, msg, FALSE);
  cp_server_connection_finished (self, msg);
}

static void
request_aborted_cb (SoupServer        *soup,
                    SoupServerMessage *msg,
                    CpServer          *self)
{
  cp_server_request_done (self, msg, TRUE);
  cp_server_connection_finished (self, msg);
}

/* --- shutdown ---------------------------------------------------------------------------- */

static void
finish_shutdown (CpServer *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown_task);

  g_clear_pointer (&self->shutdown_timeout, cp_server_source_clear);
  g_clear_pointer (&self->shutdown_idle, cp_server_source_clear);
  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_pointer (&self->storage, cp_server_storage_close);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static gboolean
finish_shutdown_idle_cb (gpointer user_data)
{
  CpServer *self = CP_SERVER (user_data);

  g_clear_pointer (&self->shutdown_idle, cp_server_source_clear);
  if (self->shutdown_task != NULL)
    finish_shutdown (self);
  return G_SOURCE_REMOVE;
}

/* Deferred: this runs while libsoup finishes or frees a message. */
static void
maybe_finish_shutdown (CpServer *self)
{
  if (self->stopping && self->in_flight == 0 && self->shutdown_task != NULL &&
      self->shutdown_idle == NULL)
    self->shutdown_idle = cp_server_attach_source (g_idle_source_new (), finish_shutdown_idle_cb,
                                                   self);
}

static gboolean
shutdown_timeout_cb (gpointer user_data)
{
  CpServer *self = CP_SERVER (user_data);

  g_clear_pointer (&self->shutdown_timeout, cp_server_source_clear);
  g_warning ("%u requests still in flight after the shutdown timeout; closing them.",
             self->in_flight);
  finish_shutdown (self);
  return G_SOURCE_REMOVE;
}

void
cp_server_shutdown_async (CpServer            *self,
                          guint                timeout_ms,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CP_IS_SERVER (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_server_shutdown_async);
  if (self->shutdown_task != NULL || self->storage == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The server is already shutting down.");
      return;
    }
  self->stopping = TRUE;
  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timeout = cp_server_attach_source (g_timeout_source_new (timeout_ms),
                                                    shutdown_timeout_cb, self);
  maybe_finish_shutdown (self);
}

gboolean
cp_server_shutdown_finish (CpServer      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
collect_garbage_cb (gpointer user_data)
{
  CpServer *self = CP_SERVER (user_data);
  guint removed = cp_server_collect_garbage (self);

  if (removed > 0)
    g_message ("Removed %u unfinished uploads and unused attachments", removed);
  return G_SOURCE_CONTINUE;
}

/* --- object ------------------------------------------------------------------------------ */

static void
cp_server_dispose (GObject *object)
{
  CpServer *self = CP_SERVER (object);
  GHashTableIter iter;
  CpRequest *request;

  /* Messages may outlive the server; they must not touch it then. */
  g_hash_table_iter_init (&iter, self->requests);
  while (g_hash_table_iter_next (&iter, (gpointer *) &request, NULL))
    request->server = NULL;
  g_hash_table_remove_all (self->requests);

  g_clear_pointer (&self->shutdown_timeout, cp_server_source_clear);
  g_clear_pointer (&self->shutdown_idle, cp_server_source_clear);
  g_clear_pointer (&self->gc_source, cp_server_source_clear);
  cp_server_drop_writes (self);
  if (self->soup != NULL)
    {
      soup_server_disconnect (self->soup);
      g_signal_handlers_disconnect_by_data (self->soup, self);
    }
  g_clear_object (&self->soup);
  cp_server_connections_clear (self);
  g_clear_pointer (&self->storage, cp_server_storage_close);
  g_clear_object (&self->shutdown_task);

  G_OBJECT_CLASS (cp_server_parent_class)->dispose (object);
}

static void
cp_server_finalize (GObject *object)
{
  CpServer *self = CP_SERVER (object);

  cp_server_config_clear (&self->config);
  g_clear_pointer (&self->blob_dir, g_free);
  g_clear_pointer (&self->partial_dir, g_free);
  g_clear_pointer (&self->user_limiter, cp_rate_limiter_free);
  g_clear_pointer (&self->addr_limiter, cp_rate_limiter_free);
  g_clear_pointer (&self->requests, g_hash_table_unref);
  g_clear_object (&self->reports);
  g_clear_object (&self->registry);

  G_OBJECT_CLASS (cp_server_parent_class)->finalize (object);
}

static void
cp_server_class_init (CpServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_server_dispose;
  object_class->finalize = cp_server_finalize;
}

static void
cp_server_init (CpServer *self)
{
  self->requests = g_hash_table_new (NULL, NULL);
}

CpServer *
cp_server_new (const CpServerConfig  *config,
               GError               **error)
{
  g_autoptr(CpServer) self = NULL;
  g_autoptr(GTlsCertificate) certificate = NULL;

  g_return_val_if_fail (config != NULL, NULL);
  g_return_val_if_fail (config->data_dir != NULL, NULL);

  if (!cp_server_auth_init ())
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           "libsodium could not be initialised.");
      return NULL;
    }
  if ((config->tls_cert == NULL) != (config->tls_key == NULL))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Give both --tls-cert and --tls-key, or neither.");
      return NULL;
    }

  self = g_object_new (CP_TYPE_SERVER, NULL);
  self->config = *config;
  self->config.data_dir = g_strdup (config->data_dir);
  self->config.database = g_strdup (config->database);
  self->config.listen = g_strdup (config->listen != NULL ? config->listen : "127.0.0.1:8080");
  self->config.tls_cert = g_strdup (config->tls_cert);
  self->config.tls_key = g_strdup (config->tls_key);
  self->config.templates_dir = g_strdup (config->templates_dir);
  self->user_limiter = cp_rate_limiter_new (config->login_max_failures,
                                            (gint64) config->login_window * G_USEC_PER_SEC);
  self->addr_limiter = cp_rate_limiter_new (config->login_max_failures * 4,
                                            (gint64) config->login_window * G_USEC_PER_SEC);

  self->blob_dir = g_build_filename (config->data_dir, "blobs", NULL);
  self->partial_dir = g_build_filename (config->data_dir, "blobs", "partial", NULL);
  if (g_mkdir_with_parents (self->partial_dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "Could not create %s: %s", self->partial_dir, g_strerror (saved));
      return NULL;
    }

  self->storage = cp_server_storage_open (config->database, config->data_dir, error);
  if (self->storage == NULL)
    return NULL;
  if (!cp_server_storage_seed_defaults (self->storage, error))
    return NULL;

  cp_server_collect_garbage (self);
  self->gc_source = cp_server_attach_source (g_timeout_source_new_seconds (3600),
                                             collect_garbage_cb, self);

  /* Computed now rather than on the first login with an unknown name. */
  cp_password_dummy_hash (&self->config.password_cost);

  self->registry = cp_server_load_registry (config->templates_dir, error);
  if (self->registry == NULL)
    return NULL;
  self->reports = cp_server_load_reports (self->registry, config->templates_dir, error);
  if (self->reports == NULL)
    return NULL;

  if (config->tls_cert != NULL)
    {
      certificate = g_tls_certificate_new_from_files (config->tls_cert, config->tls_key, error);
      if (certificate == NULL)
        return NULL;
      self->tls = TRUE;
    }

  self->soup = g_object_new (SOUP_TYPE_SERVER,
                             "server-header", "credit-packet-server/" PACKAGE_VERSION " ",
                             "tls-certificate", certificate,
                             NULL);
  cp_server_connections_init (self);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (request_aborted_cb), self);

  return g_steal_pointer (&self);
}

gboolean
cp_server_listen (CpServer  *self,
                  GError   **error)
{
  g_autoptr(GSocketConnectable) connectable = NULL;
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  const char *host;
  guint16 port;

  g_return_val_if_fail (CP_IS_SERVER (self), FALSE);

  connectable = g_network_address_parse (self->config.listen, 0, error);
  if (connectable == NULL)
    {
      g_prefix_error (error, "--listen %s: ", self->config.listen);
      return FALSE;
    }
  host = g_network_address_get_hostname (G_NETWORK_ADDRESS (connectable));
  port = g_network_address_get_port (G_NETWORK_ADDRESS (connectable));
  if (g_str_equal (host, "localhost"))
    host = "127.0.0.1";
  inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "--listen %s: give a numeric address such as 127.0.0.1:8080 or [::1]:8080.",
                   self->config.listen);
      return FALSE;
    }
  address = g_inet_socket_address_new (inet, port);
  return cp_server_listen_address (self, address, error);
}

guint
cp_server_get_port (CpServer *self)
{
  GSList *uris;
  guint port = 0;

  g_return_val_if_fail (CP_IS_SERVER (self), 0);

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

char *
cp_server_get_url (CpServer *self)
{
  GSList *uris;
  char *url = NULL;

  g_return_val_if_fail (CP_IS_SERVER (self), NULL);

  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return url;
}

CpServerStorage *
cp_server_get_storage (CpServer *self)
{
  g_return_val_if_fail (CP_IS_SERVER (self), NULL);
  return self->storage;
}

guint
cp_server_get_in_flight (CpServer *self)
{
  g_return_val_if_fail (CP_IS_SERVER (self), 0);
  return self->in_flight;
}
