/* cp-sync-journal.c — the sync engine's files: cursor, in-flight bodies, conflicts, rejections
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything the engine keeps beside the store, in STORE_DIR/sync/ (docs/sync.md, "Files"). Each
 * file is written durably (fsync, then rename) before the step that depends on it, so that a
 * sync killed at any moment finds on the next run what it needs to converge.
 */
#include "config.h"

#include "cp-sync-engine-private.h"
#include "cp-json-private.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

gboolean
cp_sync_journal_write_durably (const char  *path,
                               const char  *data,
                               gssize       length,
                               GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (path);

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("The folder %s could not be created: %s"), dir, g_strerror (saved));
      return FALSE;
    }
  return g_file_set_contents_full (path, data, length,
                                   G_FILE_SET_CONTENTS_CONSISTENT |
                                   G_FILE_SET_CONTENTS_DURABLE, 0600, error);
}

/* The files here hold what servers sent (comments, problem documents): read like a reply. */
JsonNode *
cp_sync_journal_read_json (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (path == NULL || !g_file_get_contents (path, &contents, &length, NULL) || length == 0)
    return NULL;
  return cp_json_parse (contents, (gssize) length, CP_SYNC_MAX_REPLY, path, NULL);
}

gboolean
cp_sync_journal_write_json (const char  *path,
                            JsonNode    *node,
                            GError     **error)
{
  g_autofree char *text = json_to_string (node, FALSE);

  return cp_sync_journal_write_durably (path, text, -1, error);
}

void
cp_sync_journal_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            cp_sync_journal_remove_tree (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

/* Every file named after a packet: its UUID must be one (from the store, or checked when it
 * came from the server), or it could name "../../x". */
char *
cp_sync_journal_path (CpSyncEngine *self,
                      const char   *folder,
                      const char   *uuid)
{
  g_autofree char *name = NULL;

  g_assert (cp_uuid_is_valid (uuid));
  name = g_strconcat (uuid, ".json", NULL);

  return g_build_filename (self->sync_dir, folder, name, NULL);
}

/* --- sync state (cursor) ------------------------------------------------------------------- */

void
cp_sync_journal_load_state (CpSyncEngine *self,
                            CpSyncState  *state)
{
  g_autofree char *path = g_build_filename (self->sync_dir, "state.json", NULL);
  g_autoptr(JsonNode) node = cp_sync_journal_read_json (path);
  g_autofree char *user = cp_sync_client_dup_user (self->client);
  const char *server = cp_sync_object_string (node, "server");
  const char *saved_user = cp_sync_object_string (node, "user");

  state->cursor = NULL;
  state->templates_at = 0;
  /* The cursor belongs to one server and one user: anything else starts from the beginning. */
  if (g_strcmp0 (server, cp_sync_client_get_base_url (self->client)) != 0 ||
      g_strcmp0 (saved_user, user) != 0)
    return;
  state->cursor = g_strdup (cp_sync_object_string (node, "cursor"));
  state->templates_at = cp_sync_object_int (node, "templates_at", 0);
}

gboolean
cp_sync_journal_save_state (CpSyncEngine  *self,
                            CpSyncState   *state,
                            GError       **error)
{
  g_autofree char *path = g_build_filename (self->sync_dir, "state.json", NULL);
  g_autofree char *user = cp_sync_client_dup_user (self->client);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "server");
  json_builder_add_string_value (builder, cp_sync_client_get_base_url (self->client));
  json_builder_set_member_name (builder, "user");
  if (user != NULL)
    json_builder_add_string_value (builder, user);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "cursor");
  json_builder_add_string_value (builder, state->cursor != NULL ? state->cursor : "0");
  json_builder_set_member_name (builder, "templates_at");
  json_builder_add_int_value (builder, state->templates_at);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return cp_sync_journal_write_json (path, node, error);
}

/* --- in-flight bodies ---------------------------------------------------------------------- */

/* A body on its way is recorded as an empty file sync/inflight/UUID.SHA256, all of them in one
 * folder: a batch of them is made durable by one sync of that folder (an empty file has no
 * data to sync), instead of two syncs each. Nothing reads the body back; its hash is what a 412
 * is compared with. Earlier versions kept the body itself in sync/inflight/UUID/SHA256;
 * those records are still found and cleared. */
static char *
inflight_name (const char *uuid,
               const char *sha256)
{
  g_assert (cp_uuid_is_valid (uuid));
  g_assert (cp_sha256_is_valid (sha256));
  return g_strconcat (uuid, ".", sha256, NULL);
}

gboolean
cp_sync_journal_record_inflight (CpSyncEngine        *self,
                                 const char * const  *uuids,
                                 const char * const  *sha256s,
                                 guint                n,
                                 GError             **error)
{
  g_autofree char *dir = g_build_filename (self->sync_dir, "inflight", NULL);
  int fd;

  if (n == 0)
    return TRUE;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    goto failed;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = inflight_name (uuids[i], sha256s[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0)
        goto failed;
      close (fd);
    }
  fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (fd < 0)
    goto failed;
  if (fsync (fd) != 0)
    {
      int saved = errno;

      close (fd);
      errno = saved;
      goto failed;
    }
  close (fd);
  return TRUE;

failed:
  {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("The record of the packets being sent could not be written in %s: %s"), dir,
                 g_strerror (saved));
    return FALSE;
  }
}

gboolean
cp_sync_journal_has_inflight (CpSyncEngine *self,
                              const char   *uuid,
                              const char   *sha256)
{
  g_autofree char *name = inflight_name (uuid, sha256);
  g_autofree char *path = g_build_filename (self->sync_dir, "inflight", name, NULL);
  g_autofree char *legacy = g_build_filename (self->sync_dir, "inflight", uuid, sha256, NULL);

  return g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (legacy, G_FILE_TEST_EXISTS);
}

/* Removes every record of the packets in @uuids (a set of UUIDs), whatever body it names: one
 * reading of the folder, which holds little more than the batch on its way. */
void
cp_sync_journal_clear_inflight (CpSyncEngine *self,
                                GHashTable   *uuids)
{
  g_autofree char *dir_path = g_build_filename (self->sync_dir, "inflight", NULL);
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *uuid = g_strndup (name, 36);
      g_autofree char *path = NULL;

      if (!g_hash_table_contains (uuids, uuid))
        continue;
      path = g_build_filename (dir_path, name, NULL);
      if (name[36] == '.')
        g_unlink (path);
      else if (name[36] == '\0')
        cp_sync_journal_remove_tree (path); /* an older version's folder */
    }
}

/* --- conflicts and rejections -------------------------------------------------------------- */

gboolean
cp_sync_journal_save_conflict (CpSyncEngine   *self,
                               const char     *uuid,
                               const char     *theirs_revision,
                               const char     *theirs_body,
                               CpMergeResult  *result,
                               GError        **error)
{
  g_autofree char *path = cp_sync_journal_path (self, "conflicts", uuid);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "theirs_revision");
  json_builder_add_string_value (builder, theirs_revision);
  json_builder_set_member_name (builder, "theirs");
  json_builder_add_string_value (builder, theirs_body);
  json_builder_set_member_name (builder, "conflicts");
  json_builder_add_value (builder,
                          cp_merge_conflicts_to_json (cp_merge_result_get_conflicts (result)));
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  return cp_sync_journal_write_json (path, node, error);
}

void
cp_sync_journal_remove_conflict (CpSyncEngine *self,
                                 const char   *uuid)
{
  g_autofree char *path = cp_sync_journal_path (self, "conflicts", uuid);

  g_unlink (path);
}

void
cp_sync_journal_remove_rejection (CpSyncEngine *self,
                                  const char   *uuid)
{
  g_autofree char *path = cp_sync_journal_path (self, "rejections", uuid);

  g_unlink (path);
}
