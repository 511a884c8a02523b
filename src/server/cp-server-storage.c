/* cp-server-storage.c — the server's storage: what both backends do the same way
 *
 * Every operation of cp-server-storage.h whose statements both backends run as they are, the
 * packet writes around the backends' base checks, the changes feed's two forms; see
 * cp-server-storage-private.h for what a backend supplies.
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-server-storage-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

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
  copy->agency_name = g_strdup (user->agency_name);
  copy->agency_uscc = g_strdup (user->agency_uscc);
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
  g_free (user->agency_name);
  g_free (user->agency_uscc);
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
cp_server_agency_free (CpServerAgency *agency)
{
  if (agency == NULL)
    return;
  g_free (agency->id);
  g_free (agency->name);
  g_free (agency);
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
  g_free (revision->stage);
  g_free (revision->evaluator);
  g_clear_pointer (&revision->signed_parts, g_ptr_array_unref);
  g_clear_pointer (&revision->unsigned_parts, g_ptr_array_unref);
  g_free (revision);
}

void
cp_server_signature_free (CpServerSignature *signature)
{
  if (signature == NULL)
    return;
  g_free (signature->pointer);
  g_free (signature->recorded_by);
  g_free (signature);
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

/* --- statements: parameters and rows ---------------------------------------------------- */

static CpServerValue *
next_param (CpServerParams *params)
{
  CpServerValue *value;

  g_assert (params->n < CP_SERVER_MAX_PARAMS);
  value = &params->values[params->n++];
  memset (value, 0, sizeof *value);
  return value;
}

void
cp_server_params_text (CpServerParams *params,
                       const char     *text)
{
  CpServerValue *value = next_param (params);

  value->type = text != NULL ? CP_SERVER_VALUE_TEXT : CP_SERVER_VALUE_NULL;
  value->text = (char *) text;
}

void
cp_server_params_int (CpServerParams *params,
                      gint64          number)
{
  CpServerValue *value = next_param (params);

  value->type = CP_SERVER_VALUE_INT;
  value->number = number;
}

void
cp_server_params_bytes (CpServerParams *params,
                        GBytes         *bytes)
{
  CpServerValue *value = next_param (params);

  value->type = CP_SERVER_VALUE_BYTES;
  value->bytes = bytes;
}

static void
cell_clear (gpointer data)
{
  CpServerValue *cell = data;

  g_clear_pointer (&cell->text, g_free);
  g_clear_pointer (&cell->bytes, g_bytes_unref);
}

CpServerRows *
cp_server_rows_new (guint n_columns)
{
  CpServerRows *rows = g_new0 (CpServerRows, 1);

  rows->n_columns = n_columns;
  rows->cells = g_array_new (FALSE, TRUE, sizeof (CpServerValue));
  g_array_set_clear_func (rows->cells, cell_clear);
  return rows;
}

CpServerValue *
cp_server_rows_add (CpServerRows *rows)
{
  g_array_set_size (rows->cells, rows->cells->len + rows->n_columns);
  return &g_array_index (rows->cells, CpServerValue, rows->n_rows++ * rows->n_columns);
}

void
cp_server_rows_free (CpServerRows *rows)
{
  if (rows == NULL)
    return;
  g_array_unref (rows->cells);
  g_free (rows);
}

static const CpServerValue *
cell_at (const CpServerRows *rows,
         guint               row,
         guint               column)
{
  g_assert (row < rows->n_rows && column < rows->n_columns);
  return &g_array_index (rows->cells, CpServerValue, row * rows->n_columns + column);
}

gint64
cp_server_rows_get_int (const CpServerRows *rows,
                        guint               row,
                        guint               column)
{
  const CpServerValue *cell = cell_at (rows, row, column);

  if (cell->type == CP_SERVER_VALUE_TEXT)
    return g_ascii_strtoll (cell->text, NULL, 10);
  return cell->number;
}

const char *
cp_server_rows_get_text (const CpServerRows *rows,
                         guint               row,
                         guint               column)
{
  return cell_at (rows, row, column)->text;
}

GBytes *
cp_server_rows_get_bytes (const CpServerRows *rows,
                          guint               row,
                          guint               column)
{
  return cell_at (rows, row, column)->bytes;
}

/* Runs @sql; prefixes a failure with @what. */
static CpServerRows *
query (CpServerStorage       *self,
       const char            *what,
       const char            *sql,
       const CpServerParams  *params,
       GError               **error)
{
  CpServerRows *rows = self->vtable->query (self, sql, params, error);

  if (rows == NULL)
    g_prefix_error (error, "%s: ", what);
  return rows;
}

static gboolean
run (CpServerStorage       *self,
     const char            *what,
     const char            *sql,
     const CpServerParams  *params,
     GError               **error)
{
  g_autoptr(CpServerRows) rows = query (self, what, sql, params, error);

  return rows != NULL;
}

static gboolean
set_not_found (GError     **error,
               const char  *format,
               ...) G_GNUC_PRINTF (2, 3);

static gboolean
set_not_found (GError     **error,
               const char  *format,
               ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (CP_SERVER_STORAGE_ERROR,
                                                CP_SERVER_STORAGE_ERROR_NOT_FOUND, format,
                                                args));
  va_end (args);
  return FALSE;
}

/* --- users and sessions ----------------------------------------------------------------- */

gboolean
cp_server_storage_add_user (CpServerStorage  *self,
                            CpServerUser     *user,
                            GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  cp_server_params_text (&p, user->name);
  cp_server_params_text (&p, cp_server_role_to_string (user->role));
  cp_server_params_text (&p, user->district);
  cp_server_params_text (&p, user->uscc);
  cp_server_params_text (&p, user->agency);
  cp_server_params_text (&p, user->password_hash);
  cp_server_params_int (&p, g_get_real_time ());
  rows = query (self, "Could not add the user",
                "INSERT INTO users (name, role, district, uscc, agency, password_hash, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", &p, error);
  if (rows == NULL)
    return FALSE;
  user->id = cp_server_rows_get_int (rows, 0, 0);
  return TRUE;
}

static CpServerUser *
read_user (const CpServerRows *rows,
           guint               row)
{
  CpServerUser *user = g_new0 (CpServerUser, 1);

  user->id = cp_server_rows_get_int (rows, row, 0);
  user->name = g_strdup (cp_server_rows_get_text (rows, row, 1));
  if (!cp_server_role_from_string (cp_server_rows_get_text (rows, row, 2), &user->role))
    user->role = CP_SERVER_ROLE_ENTERPRISE;
  user->district = g_strdup (cp_server_rows_get_text (rows, row, 3));
  user->uscc = g_strdup (cp_server_rows_get_text (rows, row, 4));
  user->agency = g_strdup (cp_server_rows_get_text (rows, row, 5));
  user->password_hash = g_strdup (cp_server_rows_get_text (rows, row, 6));
  user->agency_name = g_strdup (cp_server_rows_get_text (rows, row, 7));
  user->agency_uscc = g_strdup (cp_server_rows_get_text (rows, row, 8));
  return user;
}

CpServerUser *
cp_server_storage_find_user (CpServerStorage  *self,
                             const char       *name,
                             GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, name);
  rows = query (self, "Could not read the user",
                "SELECT " CP_SERVER_USER_COLUMNS " FROM users u" CP_SERVER_USER_AGENCY_JOIN
                "WHERE u.name = $1", &p, error);
  if (rows == NULL)
    return NULL;
  if (rows->n_rows > 0)
    return read_user (rows, 0);
  set_not_found (error, "No user is called “%s”.", name);
  return NULL;
}

gboolean
cp_server_storage_add_session (CpServerStorage  *self,
                               const char       *token_hash,
                               gint64            user_id,
                               gint64            expires_at,
                               GError          **error)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  CpServerParams purge = { 0 };
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  /* Expired sessions are useless; drop them as new ones come in. */
  cp_server_params_int (&purge, now);
  if (!run (self, "Could not drop the expired sessions",
            "DELETE FROM sessions WHERE expires_at <= $1", &purge, error))
    return FALSE;

  cp_server_params_text (&p, token_hash);
  cp_server_params_int (&p, user_id);
  cp_server_params_int (&p, now);
  cp_server_params_int (&p, expires_at);
  return run (self, "Could not add the session",
              "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
              "VALUES ($1, $2, $3, $4)", &p, error);
}

CpServerUser *
cp_server_storage_find_session (CpServerStorage  *self,
                                const char       *token_hash,
                                gint64            now,
                                gint64           *expires_at,
                                GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, token_hash);
  cp_server_params_int (&p, now);
  rows = query (self, "Could not read the session",
                "SELECT " CP_SERVER_USER_COLUMNS ", s.expires_at FROM sessions s "
                "JOIN users u ON u.id = s.user_id" CP_SERVER_USER_AGENCY_JOIN
                "WHERE s.token_hash = $1 AND s.expires_at > $2", &p, error);
  if (rows == NULL)
    return NULL;
  if (rows->n_rows > 0)
    {
      if (expires_at != NULL)
        *expires_at = cp_server_rows_get_int (rows, 0, 9);
      return read_user (rows, 0);
    }
  set_not_found (error, "The session does not exist or has expired.");
  return NULL;
}

gboolean
cp_server_storage_delete_session (CpServerStorage  *self,
                                  const char       *token_hash,
                                  GError          **error)
{
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, token_hash);
  return run (self, "Could not delete the session",
              "DELETE FROM sessions WHERE token_hash = $1", &p, error);
}

/* --- agencies, districts, quotas ------------------------------------------------------- */

gboolean
cp_server_storage_add_agency (CpServerStorage  *self,
                              const char       *id,
                              const char       *name,
                              const char       *uscc,
                              GError          **error)
{
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, id);
  cp_server_params_text (&p, name);
  cp_server_params_text (&p, uscc);
  return run (self, "Could not add the agency",
              "INSERT INTO agencies (id, name, uscc) VALUES ($1, $2, $3)", &p, error);
}

gboolean
cp_server_storage_set_agency_uscc (CpServerStorage  *self,
                                   const char       *id,
                                   const char       *uscc,
                                   GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, id);
  cp_server_params_text (&p, uscc);
  rows = query (self, "Could not set the agency's credit code",
                "UPDATE agencies SET uscc = $2 WHERE id = $1 RETURNING id", &p, error);
  if (rows == NULL)
    return FALSE;
  if (rows->n_rows > 0)
    return TRUE;
  return set_not_found (error, "No agency has the id “%s”.", id);
}

gboolean
cp_server_storage_assign (CpServerStorage  *self,
                          const char       *uscc,
                          const char       *agency_id,
                          GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, uscc);
  cp_server_params_text (&p, agency_id);
  if (run (self, "Could not assign the enterprise",
           "INSERT INTO assignments (uscc, agency_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
           &p, &local_error))
    return TRUE;
  if (self->reference_failed)
    return set_not_found (error, "No agency has the id “%s”.", agency_id);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

gboolean
cp_server_storage_agency_exists (CpServerStorage  *self,
                                 const char       *id,
                                 GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, id);
  rows = query (self, "Could not look up the agency", "SELECT 1 FROM agencies WHERE id = $1",
                &p, error);
  if (rows == NULL)
    return FALSE;
  if (rows->n_rows > 0)
    return TRUE;
  return set_not_found (error, "No agency has the id “%s”.", id);
}

gboolean
cp_server_storage_evaluator_conflict (CpServerStorage  *self,
                                      const char       *agency_id,
                                      const char       *uuid,
                                      const char       *uscc,
                                      const char       *kind,
                                      int               year,
                                      gboolean          independent,
                                      const char      **conflict,
                                      GError          **error)
{
  g_autoptr(CpServerRows) coaching = NULL;
  g_autoptr(CpServerRows) active = NULL;
  CpServerParams c = { 0 };
  CpServerParams a = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (conflict != NULL, FALSE);

  *conflict = NULL;
  cp_server_params_text (&c, uscc);
  cp_server_params_text (&c, agency_id);
  coaching = query (self, "Could not check the agency",
                    "SELECT 1 FROM assignments WHERE uscc = $1 AND agency_id = $2", &c, error);
  if (coaching == NULL)
    return FALSE;
  if (coaching->n_rows > 0)
    {
      *conflict = "coaching-agency";
      return TRUE;
    }
  if (!independent)
    return TRUE;
  /* Coached: an enterprise it is under contract with has a packet of the year. Accepted: it
   * evaluates a packet of the year of another kind (re-reviewing several is its job). */
  cp_server_params_int (&a, year);
  cp_server_params_text (&a, agency_id);
  cp_server_params_text (&a, uuid);
  cp_server_params_text (&a, kind);
  active = query (self, "Could not check the agency",
                  "SELECT 1 FROM packets p WHERE p.year = $1 AND p.uuid <> $3 AND "
                  "((p.evaluator = $2 AND p.kind <> $4) OR EXISTS (SELECT 1 FROM assignments a "
                  "  WHERE a.uscc = p.uscc AND a.agency_id = $2)) LIMIT 1", &a, error);
  if (active == NULL)
    return FALSE;
  if (active->n_rows > 0)
    *conflict = "active-this-year";
  return TRUE;
}

gboolean
cp_server_storage_add_district (CpServerStorage     *self,
                                const char          *code,
                                const char          *name,
                                const char * const  *prefixes,
                                GError             **error)
{
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  if (!self->vtable->begin (self, error))
    return FALSE;
  cp_server_params_text (&p, code);
  cp_server_params_text (&p, name);
  if (!run (self, "Could not add the district",
            "INSERT INTO districts (code, name) VALUES ($1, $2)", &p, error))
    goto fail;
  for (guint i = 0; prefixes != NULL && prefixes[i] != NULL; i++)
    {
      CpServerParams div = { 0 };

      cp_server_params_text (&div, code);
      cp_server_params_text (&div, prefixes[i]);
      if (!run (self, "Could not add the district",
                "INSERT INTO district_divisions (district, prefix) VALUES ($1, $2) "
                "ON CONFLICT DO NOTHING", &div, error))
        goto fail;
    }
  return self->vtable->commit (self, error);

fail:
  self->vtable->rollback (self);
  return FALSE;
}

GPtrArray *
cp_server_storage_list_agencies (CpServerStorage  *self,
                                 GError          **error)
{
  g_autoptr(GPtrArray) agencies = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_agency_free);
  g_autoptr(CpServerRows) rows = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  rows = query (self, "Could not list the agencies", "SELECT id, name FROM agencies ORDER BY id",
                NULL, error);
  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < rows->n_rows; row++)
    {
      CpServerAgency *agency = g_new0 (CpServerAgency, 1);

      agency->id = g_strdup (cp_server_rows_get_text (rows, row, 0));
      agency->name = g_strdup (cp_server_rows_get_text (rows, row, 1));
      g_ptr_array_add (agencies, agency);
    }
  return g_steal_pointer (&agencies);
}

GPtrArray *
cp_server_storage_list_districts (CpServerStorage  *self,
                                  GError          **error)
{
  g_autoptr(GPtrArray) districts = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_district_free);
  g_autoptr(CpServerRows) rows = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;
  CpServerDistrict *district = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  rows = query (self, "Could not list the districts",
                "SELECT d.code, d.name, v.prefix FROM districts d "
                "LEFT JOIN district_divisions v ON v.district = d.code "
                "ORDER BY d.code, v.prefix", NULL, error);
  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < rows->n_rows; row++)
    {
      const char *code = cp_server_rows_get_text (rows, row, 0);
      const char *prefix = cp_server_rows_get_text (rows, row, 2);

      if (district == NULL || !g_str_equal (district->code, code))
        {
          if (district != NULL)
            district->prefixes = g_strv_builder_end (builder);
          g_clear_pointer (&builder, g_strv_builder_unref);
          builder = g_strv_builder_new ();
          district = g_new0 (CpServerDistrict, 1);
          district->code = g_strdup (code);
          district->name = g_strdup (cp_server_rows_get_text (rows, row, 1));
          g_ptr_array_add (districts, district);
        }
      if (prefix != NULL)
        g_strv_builder_add (builder, prefix);
    }
  if (district != NULL)
    district->prefixes = g_strv_builder_end (builder);
  return g_steal_pointer (&districts);
}

gboolean
cp_server_storage_set_quota (CpServerStorage  *self,
                             const char       *district,
                             int               year,
                             const char       *kind,
                             int               quota,
                             GError          **error)
{
  g_autoptr(GError) local_error = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, district);
  cp_server_params_int (&p, year);
  cp_server_params_text (&p, kind);
  cp_server_params_int (&p, quota);
  if (run (self, "Could not set the quota",
           "INSERT INTO quotas (district, year, kind, quota) VALUES ($1, $2, $3, $4) "
           "ON CONFLICT (district, year, kind) DO UPDATE SET quota = excluded.quota",
           &p, &local_error))
    return TRUE;
  if (self->reference_failed)
    return set_not_found (error, "No district has the code “%s”.", district);
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static GPtrArray *
read_counts (CpServerStorage  *self,
             const char       *sql,
             int               year,
             GError          **error)
{
  g_autoptr(GPtrArray) counts = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_count_free);
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  cp_server_params_int (&p, year);
  rows = query (self, "Could not count", sql, &p, error);
  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < rows->n_rows; row++)
    {
      CpServerCount *count = g_new0 (CpServerCount, 1);

      count->district = g_strdup (cp_server_rows_get_text (rows, row, 0));
      count->kind = g_strdup (cp_server_rows_get_text (rows, row, 1));
      count->year = year;
      count->count = (int) cp_server_rows_get_int (rows, row, 2);
      g_ptr_array_add (counts, count);
    }
  return g_steal_pointer (&counts);
}

GPtrArray *
cp_server_storage_list_quotas (CpServerStorage  *self,
                               int               year,
                               GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return read_counts (self, "SELECT district, kind, quota FROM quotas WHERE year = $1 "
                            "ORDER BY district, kind", year, error);
}

GPtrArray *
cp_server_storage_count_accepted (CpServerStorage  *self,
                                  int               year,
                                  GError          **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  return read_counts (self,
                      "SELECT d.district, p.kind, COUNT(DISTINCT p.uuid) FROM packets p "
                      "JOIN district_divisions d "
                      "  ON substr (p.uscc, 3, length (d.prefix)) = d.prefix "
                      "WHERE p.state = 'accepted' AND p.year = $1 "
                      "GROUP BY d.district, p.kind ORDER BY d.district, p.kind", year, error);
}

/* --- tenancy ----------------------------------------------------------------------------- */

/* The enterprises whose packets @user may see, as an SQL condition on a row p with a uscc and
 * an evaluator, the user's tenant bound as parameter @param. */
static char *
tenancy_condition (const CpServerUser *user,
                   int                 param)
{
  switch (user->role)
    {
    case CP_SERVER_ROLE_ADMIN:
      return g_strdup_printf ("(CAST($%d AS text) IS NULL OR TRUE)", param);
    case CP_SERVER_ROLE_ENTERPRISE:
      return g_strdup_printf ("(p.uscc = CAST($%d AS text))", param);
    case CP_SERVER_ROLE_AGENCY:
      /* The enterprises it coaches, and the packets the city office gave it to evaluate. */
      return g_strdup_printf ("(p.uscc IN (SELECT a.uscc FROM assignments a "
                              "WHERE a.agency_id = CAST($%d AS text)) "
                              "OR p.evaluator = CAST($%d AS text))", param, param);
    case CP_SERVER_ROLE_OFFICE:
      return g_strdup_printf ("(EXISTS (SELECT 1 FROM district_divisions d "
                              "WHERE d.district = CAST($%d AS text) "
                              "AND substr (p.uscc, 3, length (d.prefix)) = d.prefix))", param);
    default:
      return g_strdup_printf ("(CAST($%d AS text) IS NULL AND FALSE)", param);
    }
}

/* The packets @user may see, as an SQL condition on a row p of the packets table: those of its
 * enterprises, and for an office only those handed in (issue 11: a draft is the enterprise's own
 * until it is submitted; a returned packet stays with the office that returned it). */
char *
cp_server_storage_visibility_condition (const CpServerUser *user,
                                        int                 param)
{
  g_autofree char *tenancy = tenancy_condition (user, param);

  if (user->role == CP_SERVER_ROLE_OFFICE)
    return g_strdup_printf ("(%s AND p.state NOT IN ('draft', 'ready'))", tenancy);
  return g_steal_pointer (&tenancy);
}

gboolean
cp_server_storage_is_handed_in (const CpServerUser *user,
                                const char         *state)
{
  return user->role != CP_SERVER_ROLE_OFFICE ||
         !(g_strcmp0 (state, "draft") == 0 || g_strcmp0 (state, "ready") == 0);
}

gboolean
cp_server_storage_can_see_uscc (CpServerStorage     *self,
                                const CpServerUser  *user,
                                const char          *uscc,
                                GError             **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *sql = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  condition = tenancy_condition (user, 2);
  sql = g_strdup_printf ("SELECT 1 FROM (SELECT CAST($1 AS text) AS uscc, "
                         "CAST(NULL AS text) AS evaluator) p WHERE %s",
                         condition);
  cp_server_params_text (&p, uscc);
  cp_server_params_text (&p, cp_server_storage_tenant_of (user));
  rows = query (self, "Could not check access", sql, &p, error);
  if (rows == NULL)
    return FALSE;
  if (rows->n_rows > 0)
    return TRUE;
  return set_not_found (error, "The enterprise is not visible to this user.");
}

/* --- packets ----------------------------------------------------------------------------- */

CpServerRevision *
cp_server_storage_read_revision (const CpServerRows *rows,
                                 guint               row,
                                 guint               column,
                                 gboolean            with_body)
{
  CpServerRevision *revision = g_new0 (CpServerRevision, 1);

  revision->uuid = g_strdup (cp_server_rows_get_text (rows, row, column + 0));
  revision->revision = cp_server_rows_get_int (rows, row, column + 1);
  revision->base = cp_server_rows_get_int (rows, row, column + 2);
  revision->action = g_strdup (cp_server_rows_get_text (rows, row, column + 3));
  revision->state = g_strdup (cp_server_rows_get_text (rows, row, column + 4));
  revision->uscc = g_strdup (cp_server_rows_get_text (rows, row, column + 5));
  revision->kind = g_strdup (cp_server_rows_get_text (rows, row, column + 6));
  revision->year = (int) cp_server_rows_get_int (rows, row, column + 7);
  revision->sha256 = g_strdup (cp_server_rows_get_text (rows, row, column + 8));
  revision->user_name = g_strdup (cp_server_rows_get_text (rows, row, column + 9));
  revision->created_at = cp_server_rows_get_int (rows, row, column + 10);
  revision->stage = g_strdup (cp_server_rows_get_text (rows, row, column + 11));
  revision->evaluator = g_strdup (cp_server_rows_get_text (rows, row, column + 12));
  revision->seq = cp_server_rows_get_int (rows, row, column + 13);
  if (with_body)
    {
      GBytes *body = cp_server_rows_get_bytes (rows, row, column + 14);

      revision->body = body != NULL ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
    }
  return revision;
}

CpServerRevision *
cp_server_storage_get_packet (CpServerStorage  *self,
                              const char       *uuid,
                              GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, uuid);
  rows = query (self, "Could not read the packet",
                "SELECT " CP_SERVER_REVISION_COLUMNS ", p.seq, r.body FROM packets p "
                "JOIN revisions r ON r.uuid = p.uuid AND r.revision = p.revision "
                "WHERE p.uuid = $1", &p, error);
  if (rows == NULL)
    return NULL;
  if (rows->n_rows > 0)
    return cp_server_storage_read_revision (rows, 0, 0, TRUE);
  set_not_found (error, "No packet has the id %s.", uuid);
  return NULL;
}

GPtrArray *
cp_server_storage_list_revisions (CpServerStorage  *self,
                                  const char       *uuid,
                                  GError          **error)
{
  g_autoptr(GPtrArray) revisions = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_revision_free);
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, uuid);
  rows = query (self, "Could not list the revisions",
                "SELECT " CP_SERVER_REVISION_COLUMNS ", 0 FROM revisions r "
                "WHERE r.uuid = $1 ORDER BY r.revision", &p, error);
  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < rows->n_rows; row++)
    g_ptr_array_add (revisions, cp_server_storage_read_revision (rows, row, 0, FALSE));
  return g_steal_pointer (&revisions);
}

CpServerRevision *
cp_server_storage_get_revision (CpServerStorage  *self,
                                const char       *uuid,
                                gint64            number,
                                GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, uuid);
  cp_server_params_int (&p, number);
  rows = query (self, "Could not read the revision",
                "SELECT " CP_SERVER_REVISION_COLUMNS ", 0, r.body FROM revisions r "
                "WHERE r.uuid = $1 AND r.revision = $2", &p, error);
  if (rows == NULL)
    return NULL;
  if (rows->n_rows > 0)
    return cp_server_storage_read_revision (rows, 0, 0, TRUE);
  set_not_found (error, "The packet has no revision %" G_GINT64_FORMAT ".", number);
  return NULL;
}

GPtrArray *
cp_server_storage_list_signatures (CpServerStorage  *self,
                                   const char       *uuid,
                                   GError          **error)
{
  g_autoptr(GPtrArray) signatures = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_signature_free);
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, uuid);
  rows = query (self, "Could not list the signatures",
                "SELECT pointer, revision, recorded_by, recorded_at FROM signatures "
                "WHERE uuid = $1 ORDER BY pointer", &p, error);
  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < rows->n_rows; row++)
    {
      CpServerSignature *signature = g_new0 (CpServerSignature, 1);

      signature->pointer = g_strdup (cp_server_rows_get_text (rows, row, 0));
      signature->revision = cp_server_rows_get_int (rows, row, 1);
      signature->recorded_by = g_strdup (cp_server_rows_get_text (rows, row, 2));
      signature->recorded_at = cp_server_rows_get_int (rows, row, 3);
      g_ptr_array_add (signatures, signature);
    }
  return g_steal_pointer (&signatures);
}

GPtrArray *
cp_server_storage_list_comments (CpServerStorage  *self,
                                 const char       *uuid,
                                 GError          **error)
{
  g_autoptr(GPtrArray) comments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_server_comment_free);
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, NULL);

  cp_server_params_text (&p, uuid);
  rows = query (self, "Could not list the comments",
                "SELECT id, revision, section, field, comment, author, created_at "
                "FROM comments WHERE uuid = $1 ORDER BY id", &p, error);
  if (rows == NULL)
    return NULL;
  for (guint row = 0; row < rows->n_rows; row++)
    {
      CpServerComment *comment = g_new0 (CpServerComment, 1);

      comment->id = cp_server_rows_get_int (rows, row, 0);
      comment->revision = cp_server_rows_get_int (rows, row, 1);
      comment->section = g_strdup (cp_server_rows_get_text (rows, row, 2));
      comment->field = g_strdup (cp_server_rows_get_text (rows, row, 3));
      comment->text = g_strdup (cp_server_rows_get_text (rows, row, 4));
      comment->author = g_strdup (cp_server_rows_get_text (rows, row, 5));
      comment->created_at = cp_server_rows_get_int (rows, row, 6);
      g_ptr_array_add (comments, comment);
    }
  return g_steal_pointer (&comments);
}

/* --- blobs ------------------------------------------------------------------------------- */

gboolean
cp_server_storage_add_blob_owner (CpServerStorage  *self,
                                  const char       *sha256,
                                  gint64            user_id,
                                  GError          **error)
{
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, sha256);
  cp_server_params_int (&p, user_id);
  return run (self, "Could not record the blob's owner",
              "INSERT INTO blob_owners (sha256, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
              &p, error);
}

/* See CP_SERVER_LISTED_BY_UPLOADER. */
gboolean
cp_server_storage_can_see_blob (CpServerStorage     *self,
                                const CpServerUser  *user,
                                const char          *sha256,
                                GError             **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  g_autofree char *condition = NULL;
  g_autofree char *sql = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (user != NULL, FALSE);

  condition = cp_server_storage_visibility_condition (user, 3);
  sql = g_strdup_printf ("SELECT 1 FROM blob_owners WHERE sha256 = $1 AND user_id = $2 "
                         "UNION ALL "
                         "SELECT 1 FROM packet_blobs b JOIN packets p ON p.uuid = b.uuid "
                         "WHERE b.sha256 = $1 AND %s AND " CP_SERVER_LISTED_BY_UPLOADER " "
                         "LIMIT 1", condition);
  cp_server_params_text (&p, sha256);
  cp_server_params_int (&p, user->id);
  cp_server_params_text (&p, cp_server_storage_tenant_of (user));
  rows = query (self, "Could not check access to the blob", sql, &p, error);
  if (rows == NULL)
    return FALSE;
  if (rows->n_rows > 0)
    return TRUE;
  return set_not_found (error, "The blob is not visible to this user.");
}

gboolean
cp_server_storage_blob_is_attached (CpServerStorage  *self,
                                    const char       *uuid,
                                    const char       *sha256,
                                    GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, uuid);
  cp_server_params_text (&p, sha256);
  rows = query (self, "Could not check the packet's blob",
                "SELECT 1 FROM packet_blobs b WHERE b.uuid = $1 AND b.sha256 = $2 AND "
                CP_SERVER_LISTED_BY_UPLOADER, &p, error);
  if (rows == NULL)
    return FALSE;
  if (rows->n_rows > 0)
    return TRUE;
  return set_not_found (error, "The packet does not hold that blob.");
}

gboolean
cp_server_storage_blob_is_referenced (CpServerStorage  *self,
                                      const char       *sha256,
                                      gboolean         *referenced,
                                      GError          **error)
{
  g_autoptr(CpServerRows) rows = NULL;
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (referenced != NULL, FALSE);

  cp_server_params_text (&p, sha256);
  rows = query (self, "Could not check the blob's references",
                "SELECT 1 FROM blob_refs WHERE sha256 = $1 UNION ALL "
                "SELECT 1 FROM packet_blobs WHERE sha256 = $1 LIMIT 1", &p, error);
  if (rows == NULL)
    return FALSE;
  *referenced = rows->n_rows > 0;
  return TRUE;
}

gboolean
cp_server_storage_forget_blob (CpServerStorage  *self,
                               const char       *sha256,
                               GError          **error)
{
  CpServerParams p = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);

  cp_server_params_text (&p, sha256);
  return run (self, "Could not forget the blob",
              "DELETE FROM blob_owners WHERE sha256 = $1", &p, error);
}

/* --- helpers of the backends ----------------------------------------------------------- */

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
cp_server_storage_check_schema (int      version,
                                guint    known,
                                GError **error)
{
  if (version <= (int) known)
    return TRUE;
  g_set_error (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_FAILED,
               "The database has schema version %d, newer than this server knows (%u). "
               "Run a newer credit-packet-server.", version, known);
  return FALSE;
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

/* --- packet writes and the changes feed ------------------------------------------------ */

/* One revision inside the write transaction: the backend's base check and change number, the
 * stamping of the new revision and its comments, its row, the backend's rows of the packet,
 * the comments. */
static gboolean
write_locked (CpServerStorage   *self,
              CpServerRevision  *revision,
              gint64             expected,
              GPtrArray         *comments,
              GError           **error)
{
  CpServerParams r = { 0 };
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

  cp_server_params_text (&r, revision->uuid);
  cp_server_params_int (&r, revision->revision);
  cp_server_params_int (&r, revision->base);
  cp_server_params_text (&r, revision->action);
  cp_server_params_text (&r, revision->state);
  cp_server_params_text (&r, revision->uscc);
  cp_server_params_text (&r, revision->kind);
  cp_server_params_int (&r, revision->year);
  cp_server_params_text (&r, revision->sha256);
  cp_server_params_text (&r, revision->user_name);
  cp_server_params_int (&r, revision->created_at);
  cp_server_params_bytes (&r, revision->body);
  cp_server_params_text (&r, revision->stage);
  cp_server_params_text (&r, revision->evaluator);
  if (!run (self, "Could not write the revision",
            "INSERT INTO revisions (uuid, revision, base, action, state, uscc, kind, year, "
            "sha256, user_name, created_at, body, stage, evaluator) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", &r,
            error) ||
      !self->vtable->write_packet (self, revision, error))
    return FALSE;

  for (guint i = 0; revision->signed_parts != NULL && i < revision->signed_parts->len; i++)
    {
      CpServerParams g = { 0 };

      cp_server_params_text (&g, revision->uuid);
      cp_server_params_text (&g, g_ptr_array_index (revision->signed_parts, i));
      cp_server_params_int (&g, revision->revision);
      cp_server_params_text (&g, revision->user_name);
      cp_server_params_int (&g, revision->created_at);
      if (!run (self, "Could not record the signature",
                "INSERT INTO signatures (uuid, pointer, revision, recorded_by, recorded_at) "
                "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uuid, pointer) DO UPDATE SET "
                "revision = excluded.revision, recorded_by = excluded.recorded_by, "
                "recorded_at = excluded.recorded_at", &g, error))
        return FALSE;
    }
  for (guint i = 0; revision->unsigned_parts != NULL && i < revision->unsigned_parts->len; i++)
    {
      CpServerParams g = { 0 };

      cp_server_params_text (&g, revision->uuid);
      cp_server_params_text (&g, g_ptr_array_index (revision->unsigned_parts, i));
      if (!run (self, "Could not remove the signature's record",
                "DELETE FROM signatures WHERE uuid = $1 AND pointer = $2", &g, error))
        return FALSE;
    }

  for (guint i = 0; comments != NULL && i < comments->len; i++)
    {
      CpServerComment *comment = g_ptr_array_index (comments, i);
      CpServerParams c = { 0 };

      cp_server_params_text (&c, revision->uuid);
      cp_server_params_int (&c, comment->revision);
      cp_server_params_text (&c, comment->section);
      cp_server_params_text (&c, comment->field);
      cp_server_params_text (&c, comment->text);
      cp_server_params_text (&c, comment->author);
      cp_server_params_int (&c, comment->created_at);
      if (!run (self, "Could not write the comment",
                "INSERT INTO comments (uuid, revision, section, field, comment, author, "
                "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", &c, error))
        return FALSE;
    }
  return TRUE;
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
