/* cp-server-storage.c — shared helpers of the storage interface
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-server-storage-private.h"

#include <json-glib/json-glib.h>

G_DEFINE_QUARK (cp-server-storage-error-quark, cp_server_storage_error)

static const char * const role_names[] = { "admin", "office", "agency", "enterprise" };

const char *
cp_server_role_to_string (CpServerRole role)
{
  g_return_val_if_fail (role <= CP_SERVER_ROLE_ENTERPRISE, NULL);
  return role_names[role];
}

gboolean
cp_server_role_from_string (const char   *text,
                            CpServerRole *role)
{
  for (guint i = 0; i < G_N_ELEMENTS (role_names); i++)
    {
      if (g_strcmp0 (text, role_names[i]) == 0)
        {
          *role = (CpServerRole) i;
          return TRUE;
        }
    }
  return FALSE;
}

CpServerUser *
cp_server_user_copy (const CpServerUser *user)
{
  CpServerUser *copy = g_new0 (CpServerUser, 1);

  copy->id = user->id;
  copy->name = g_strdup (user->name);
  copy->role = user->role;
  copy->district = g_strdup (user->district);
  copy->uscc = g_strdup (user->uscc);
  copy->agency = g_strdup (user->agency);
  copy->password_hash = g_strdup (user->password_hash);
  return copy;
}

void
cp_server_user_free (CpServerUser *user)
{
  if (user == NULL)
    return;
  g_free (user->name);
  g_free (user->district);
  g_free (user->uscc);
  g_free (user->agency);
  if (user->password_hash != NULL)
    memset (user->password_hash, 0, strlen (user->password_hash));
  g_free (user->password_hash);
  g_free (user);
}

void
cp_server_district_free (CpServerDistrict *district)
{
  if (district == NULL)
    return;
  g_free (district->code);
  g_free (district->name);
  g_strfreev (district->prefixes);
  g_free (district);
}

void
cp_server_revision_free (CpServerRevision *revision)
{
  if (revision == NULL)
    return;
  g_free (revision->uuid);
  g_free (revision->action);
  g_free (revision->state);
  g_free (revision->uscc);
  g_free (revision->kind);
  g_free (revision->sha256);
  g_free (revision->user_name);
  g_clear_pointer (&revision->body, g_bytes_unref);
  g_strfreev (revision->blobs);
  g_free (revision);
}

void
cp_server_comment_free (CpServerComment *comment)
{
  if (comment == NULL)
    return;
  g_free (comment->section);
  g_free (comment->field);
  g_free (comment->text);
  g_free (comment->author);
  g_free (comment);
}

void
cp_server_count_free (CpServerCount *count)
{
  if (count == NULL)
    return;
  g_free (count->district);
  g_free (count->kind);
  g_free (count);
}

gboolean
cp_server_storage_is_postgres (const char *database)
{
  return database != NULL &&
         (g_str_has_prefix (database, "postgresql://") ||
          g_str_has_prefix (database, "postgres://") || strchr (database, '=') != NULL);
}

CpServerStorage *
cp_server_storage_open (const char  *database,
                        const char  *data_dir,
                        GError     **error)
{
  if (database == NULL || *database == '\0')
    {
      g_autofree char *path = g_build_filename (data_dir, "server.sqlite", NULL);

      return cp_server_storage_sqlite_open (path, error);
    }
  if (!cp_server_storage_is_postgres (database))
    {
      g_set_error_literal (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_INVALID,
                           "The database must be a postgresql:// URL or a PostgreSQL connection "
                           "string (host=… dbname=…); leave it out for SQLite in the data "
                           "folder.");
      return NULL;
    }
#ifdef CP_SERVER_HAVE_POSTGRES
  return cp_server_storage_pg_open (database, error);
#else
  g_set_error_literal (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_FAILED,
                       "This credit-packet-server was built without PostgreSQL support "
                       "(meson option postgres).");
  return NULL;
#endif
}

void
cp_server_storage_close (CpServerStorage *self)
{
  if (self != NULL)
    self->vtable->close (self);
}

/* --- the operations ------------------------------------------------------------------- */

gboolean
cp_server_storage_add_user (CpServerStorage  *self,
                            CpServerUser     *user,
                            GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  return self->vtable->add_user (self, user, error);
}

CpServerUser *
cp_server_storage_find_user (CpServerStorage  *self,
                             const char       *name,
                             GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->find_user (self, name, error);
}

gboolean
cp_server_storage_add_session (CpServerStorage  *self,
                               const char       *token_hash,
                               gint64            user_id,
                               gint64            expires_at,
                               GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->add_session (self, token_hash, user_id, expires_at, error);
}

CpServerUser *
cp_server_storage_find_session (CpServerStorage  *self,
                                const char       *token_hash,
                                gint64            now,
                                gint64           *expires_at,
                                GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->find_session (self, token_hash, now, expires_at, error);
}

gboolean
cp_server_storage_delete_session (CpServerStorage  *self,
                                  const char       *token_hash,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->delete_session (self, token_hash, error);
}

gboolean
cp_server_storage_add_agency (CpServerStorage  *self,
                              const char       *id,
                              const char       *name,
                              GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->add_agency (self, id, name, error);
}

gboolean
cp_server_storage_assign (CpServerStorage  *self,
                          const char       *uscc,
                          const char       *agency_id,
                          GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->assign (self, uscc, agency_id, error);
}

gboolean
cp_server_storage_add_district (CpServerStorage     *self,
                                const char          *code,
                                const char          *name,
                                const char * const  *prefixes,
                                GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->add_district (self, code, name, prefixes, error);
}

GPtrArray *
cp_server_storage_list_districts (CpServerStorage  *self,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->list_districts (self, error);
}

gboolean
cp_server_storage_set_quota (CpServerStorage  *self,
                             const char       *district,
                             int               year,
                             const char       *kind,
                             int               quota,
                             GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->set_quota (self, district, year, kind, quota, error);
}

GPtrArray *
cp_server_storage_list_quotas (CpServerStorage  *self,
                               int               year,
                               GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->list_quotas (self, year, error);
}

GPtrArray *
cp_server_storage_count_accepted (CpServerStorage  *self,
                                  int               year,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->count_accepted (self, year, error);
}

gboolean
cp_server_storage_can_see_uscc (CpServerStorage     *self,
                                const CpServerUser  *user,
                                const char          *uscc,
                                GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  return self->vtable->can_see_uscc (self, user, uscc, error);
}

CpServerRevision *
cp_server_storage_get_packet (CpServerStorage  *self,
                              const char       *uuid,
                              GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->get_packet (self, uuid, error);
}

GPtrArray *
cp_server_storage_list_revisions (CpServerStorage  *self,
                                  const char       *uuid,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->list_revisions (self, uuid, error);
}

CpServerRevision *
cp_server_storage_get_revision (CpServerStorage  *self,
                                const char       *uuid,
                                gint64            revision,
                                GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->get_revision (self, uuid, revision, error);
}

GPtrArray *
cp_server_storage_list_comments (CpServerStorage  *self,
                                 const char       *uuid,
                                 GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->vtable->list_comments (self, uuid, error);
}

gboolean
cp_server_storage_add_blob_owner (CpServerStorage  *self,
                                  const char       *sha256,
                                  gint64            user_id,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->add_blob_owner (self, sha256, user_id, error);
}

gboolean
cp_server_storage_can_see_blob (CpServerStorage     *self,
                                const CpServerUser  *user,
                                const char          *sha256,
                                GError             **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  return self->vtable->can_see_blob (self, user, sha256, error);
}

gboolean
cp_server_storage_blob_is_attached (CpServerStorage  *self,
                                    const char       *uuid,
                                    const char       *sha256,
                                    GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->blob_is_attached (self, uuid, sha256, error);
}

gboolean
cp_server_storage_blob_is_referenced (CpServerStorage  *self,
                                      const char       *sha256,
                                      gboolean         *referenced,
                                      GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->blob_is_referenced (self, sha256, referenced, error);
}

gboolean
cp_server_storage_forget_blob (CpServerStorage  *self,
                               const char       *sha256,
                               GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->vtable->forget_blob (self, sha256, error);
}

/* --- what the backends share ---------------------------------------------------------- */

const char *
cp_server_storage_tenant_of (const CpServerUser *user)
{
  switch (user->role)
    {
    case CP_SERVER_ROLE_ENTERPRISE:
      return user->uscc != NULL ? user->uscc : "";
    case CP_SERVER_ROLE_AGENCY:
      return user->agency != NULL ? user->agency : "";
    case CP_SERVER_ROLE_OFFICE:
      return user->district != NULL ? user->district : "";
    case CP_SERVER_ROLE_ADMIN:
    default:
      return NULL;
    }
}

gboolean
cp_server_storage_set_stale (GError **error,
                             gint64   current,
                             gint64   expected)
{
  g_set_error (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_STALE,
               "The packet is at revision %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT ".",
               current, expected);
  return FALSE;
}

/* One revision inside the write transaction: the backend's base check and change number, the
 * stamping of the new revision and its comments, then the backend's rows. */
static gboolean
write_locked (CpServerStorage   *self,
              CpServerRevision  *revision,
              gint64             expected,
              GPtrArray         *comments,
              GError           **error)
{
  gint64 seq = 0;

  if (!self->vtable->claim_revision (self, revision, expected, &seq, error))
    return FALSE;

  revision->seq = seq;
  revision->base = expected;
  revision->revision = expected + 1;
  revision->created_at = g_get_real_time ();
  for (guint i = 0; comments != NULL && i < comments->len; i++)
    {
      CpServerComment *comment = g_ptr_array_index (comments, i);

      comment->revision = revision->revision;
      comment->created_at = revision->created_at;
      g_free (comment->author);
      comment->author = g_strdup (revision->user_name);
    }

  return self->vtable->write_revision (self, revision, comments, error);
}

gboolean
cp_server_storage_put_revision (CpServerStorage   *self,
                                CpServerRevision  *revision,
                                gint64             expected,
                                GPtrArray         *comments,
                                GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (revision != NULL, FALSE);

  if (!self->vtable->begin_write (self, error))
    return FALSE;
  if (!write_locked (self, revision, expected, comments, error))
    {
      self->vtable->rollback (self);
      return FALSE;
    }
  return self->vtable->commit_write (self, error);
}

gboolean
cp_server_storage_write_batch (CpServerStorage  *self,
                               GPtrArray        *writes,
                               GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (writes != NULL, FALSE);

  if (writes->len == 0)
    return TRUE;
  if (!self->vtable->begin_write (self, error))
    return FALSE;
  for (guint i = 0; i < writes->len; i++)
    {
      CpServerWrite *write = g_ptr_array_index (writes, i);

      /* A stale write fails at its first statement, before it changes anything, so it needs no
       * savepoint to fail alone; any other failure abandons the whole batch. */
      if (!write_locked (self, write->revision, write->expected, write->comments,
                         &write->error) &&
          !g_error_matches (write->error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_STALE))
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&write->error),
                                      "Packet %s: ", write->revision->uuid);
          self->vtable->rollback (self);
          return FALSE;
        }
    }
  return self->vtable->commit_write (self, error);
}

GPtrArray *
cp_server_storage_list_changes (CpServerStorage     *self,
                                const CpServerUser  *user,
                                gint64               since,
                                guint                limit,
                                gint64              *last_seq,
                                GError             **error)
{
  gboolean truncated = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (last_seq != NULL, NULL);

  return self->vtable->read_changes (self, user, since, limit, 0, last_seq, &truncated, error);
}

GPtrArray *
cp_server_storage_list_changes_with_bodies (CpServerStorage     *self,
                                            const CpServerUser  *user,
                                            gint64               since,
                                            guint                limit,
                                            gsize                max_bytes,
                                            gint64              *last_seq,
                                            gboolean            *truncated,
                                            GError             **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (max_bytes > 0, NULL);
  g_return_val_if_fail (last_seq != NULL && truncated != NULL, NULL);

  return self->vtable->read_changes (self, user, since, limit, max_bytes, last_seq, truncated,
                                     error);
}

static gboolean
prefix_is_valid (const char *prefix)
{
  gsize len = strlen (prefix);

  if (len == 0 || len > 6)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (prefix[i]))
      return FALSE;
  return TRUE;
}

static gboolean import_fail (GError    **error,
                             const char *format,
                             ...) G_GNUC_PRINTF (2, 3);

static gboolean
import_fail (GError    **error,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_INVALID, message);
  return FALSE;
}

/* {"year": 2020, "districts": [{"code", "name", "divisions": ["320583"],
 *                               "quotas": {"kind": n}}]} */
gboolean
cp_server_storage_import_quotas (CpServerStorage  *self,
                                 const char       *data,
                                 gsize             length,
                                 GError          **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *districts;
  gint64 year;

  if (!json_parser_load_from_data (parser, data, length, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return import_fail (error, "The quota file must hold a JSON object.");
  root = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (root, "year") ||
      json_node_get_value_type (json_object_get_member (root, "year")) != G_TYPE_INT64)
    return import_fail (error, "The quota file needs an integer \"year\".");
  year = json_object_get_int_member (root, "year");
  if (year < 1990 || year > 2999)
    return import_fail (error, "The quota file names an impossible year.");
  if (!json_object_has_member (root, "districts") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "districts")))
    return import_fail (error, "The quota file needs a \"districts\" array.");
  districts = json_object_get_array_member (root, "districts");

  for (guint i = 0; i < json_array_get_length (districts); i++)
    {
      JsonNode *node = json_array_get_element (districts, i);
      JsonObject *district;
      JsonNode *member;
      const char *code;
      const char *name;
      g_autoptr(GPtrArray) prefixes = g_ptr_array_new ();
      g_autoptr(GError) local_error = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return import_fail (error, "Every district must be a JSON object.");
      district = json_node_get_object (node);
      member = json_object_get_member (district, "code");
      if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
        return import_fail (error, "Every district needs a \"code\" string.");
      code = json_node_get_string (member);
      member = json_object_get_member (district, "name");
      if (member == NULL || json_node_get_value_type (member) != G_TYPE_STRING)
        return import_fail (error, "District %s needs a \"name\" string.", code);
      name = json_node_get_string (member);
      member = json_object_get_member (district, "divisions");
      if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
        return import_fail (error, "District %s needs a \"divisions\" array.", code);
      for (guint j = 0; j < json_array_get_length (json_node_get_array (member)); j++)
        {
          JsonNode *prefix = json_array_get_element (json_node_get_array (member), j);

          if (json_node_get_value_type (prefix) != G_TYPE_STRING ||
              !prefix_is_valid (json_node_get_string (prefix)))
            return import_fail (error, "District %s has a division that is not 1-6 digits.", code);
          g_ptr_array_add (prefixes, (gpointer) json_node_get_string (prefix));
        }
      g_ptr_array_add (prefixes, NULL);

      if (!cp_server_storage_add_district (self, code, name,
                                           (const char * const *) prefixes->pdata, &local_error))
        {
          if (!g_error_matches (local_error, CP_SERVER_STORAGE_ERROR,
                                CP_SERVER_STORAGE_ERROR_EXISTS))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }

      member = json_object_get_member (district, "quotas");
      if (member != NULL)
        {
          JsonObjectIter iter;
          const char *kind;
          JsonNode *value;

          if (!JSON_NODE_HOLDS_OBJECT (member))
            return import_fail (error, "The quotas of district %s must be an object.", code);
          json_object_iter_init (&iter, json_node_get_object (member));
          while (json_object_iter_next (&iter, &kind, &value))
            {
              if (json_node_get_value_type (value) != G_TYPE_INT64 ||
                  json_node_get_int (value) < 0 || json_node_get_int (value) > G_MAXINT)
                return import_fail (error, "A quota of district %s is not a whole number.", code);
              if (!cp_server_storage_set_quota (self, code, (int) year, kind,
                                                (int) json_node_get_int (value), error))
                return FALSE;
            }
        }
    }

  return TRUE;
}

gboolean
cp_server_storage_seed_defaults (CpServerStorage  *self,
                                 GError          **error)
{
  g_autoptr(GPtrArray) districts = NULL;
  g_autoptr(GBytes) bytes = NULL;

  districts = cp_server_storage_list_districts (self, error);
  if (districts == NULL)
    return FALSE;
  if (districts->len > 0)
    return TRUE;

  bytes = g_resources_lookup_data ("/io/github/creditpacket/server/quotas-2020.json",
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;
  return cp_server_storage_import_quotas (self, g_bytes_get_data (bytes, NULL),
                                          g_bytes_get_size (bytes), error);
}
