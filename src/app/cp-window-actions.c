/* cp-window-actions.c — what the main window's actions do: packets, import, sync, workflow
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "cp-agency-info.h"
#include "cp-app-util.h"
#include "cp-completeness-page.h"
#include "cp-conflict-page.h"
#include "cp-history-dialog.h"
#include "cp-progress-page.h"
#include "cp-report-dialog.h"
#include "cp-review-dialog.h"
#include "cp-login-dialog.h"
#include "cp-new-packet-dialog.h"
#include "cp-packet-item.h"
#include "cp-packet-view.h"
#include "cp-sync-status.h"
#include "cp-validator.h"
#include "cp-window-private.h"

/* Actions. */

static void
new_packet_response_cb (CpNewPacketDialog *dialog,
                        CpWindow          *self)
{
  g_autoptr(GError) error = NULL;

  if (cp_window_create_packet (self,
                               cp_new_packet_dialog_get_kind (dialog),
                               cp_new_packet_dialog_get_enterprise_name (dialog),
                               cp_new_packet_dialog_get_uscc (dialog),
                               &error) == NULL)
    {
      cp_window_show_toast (self, error->message);
      return;
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
new_packet_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  CpNewPacketDialog *dialog;

  if (registry == NULL)
    {
      cp_window_show_toast (self, _("The packet templates could not be loaded."));
      return;
    }
  dialog = cp_new_packet_dialog_new (GTK_WINDOW (self), registry, _cp_window_get_store (self));
  g_signal_connect (dialog, "create", G_CALLBACK (new_packet_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);

  cp_packet_view_flush (self->packet_view);
  gtk_stack_set_visible_child_name (self->main_stack, "list");
  cp_packet_list_focus_search (self->packet_list);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  GSettings *settings = cp_application_get_settings (_cp_window_get_app (self));

  cp_packet_view_flush (self->packet_view);
  cp_packet_view_close (self->packet_view);
  if (settings != NULL)
    {
      g_settings_set_string (settings, "last-packet", "");
      g_settings_set_string (settings, "last-page", "");
    }
  gtk_stack_set_visible_child_name (self->main_stack, "list");
  cp_packet_list_focus_list (self->packet_list);
}

static char *
cp_window_lookup_title (CpWindow   *self,
                        const char *uuid)
{
  CpPacketItem *item = cp_packet_list_lookup (self->packet_list, uuid);

  return g_strdup (item != NULL ? cp_packet_item_get_title (item) : _("Unnamed enterprise"));
}

static void
undo_toast_dismissed_cb (AdwToast *toast,
                         CpWindow *self)
{
  if (toast != self->undo_toast)
    return;
  g_clear_weak_pointer (&self->undo_toast);
  g_clear_pointer (&self->undo_uuid, g_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-last-delete", FALSE);
}

/* Moves a packet to the trash: no question asked, since the toast can undo it (Ctrl+Z) and the
 * trash keeps it 30 days. A packet in the office's workflow is refused, with the reason. */
static void
delete_packet_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpStore *store = _cp_window_get_store (self);
  const char *uuid = g_variant_get_string (parameter, NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *message = NULL;
  AdwToast *toast;

  if (store == NULL)
    return;

  title = cp_window_lookup_title (self, uuid);
  if (g_strcmp0 (cp_packet_view_get_uuid (self->packet_view), uuid) == 0)
    {
      CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
      GSettings *settings = cp_application_get_settings (_cp_window_get_app (self));

      g_free (title);
      title = g_strdup (cp_packet_get_enterprise_name (packet) != NULL &&
                        *cp_packet_get_enterprise_name (packet)
                        ? cp_packet_get_enterprise_name (packet) : _("Unnamed enterprise"));
      cp_packet_view_flush (self->packet_view);
      if (!cp_store_delete_packet (store, uuid, &error))
        {
          cp_window_show_toast (self, error->message);
          return;
        }
      cp_packet_view_close (self->packet_view);
      gtk_stack_set_visible_child_name (self->main_stack, "list");
      cp_packet_list_focus_list (self->packet_list);
      /* A deleted packet can still be loaded (for undo): do not reopen it at the next start. */
      if (settings != NULL)
        g_settings_set_string (settings, "last-packet", "");
    }
  else if (!cp_store_delete_packet (store, uuid, &error))
    {
      cp_window_show_toast (self, error->message);
      return;
    }
  cp_window_reload (self);

  /* One undo toast at a time: a second deletion while it is up takes it over (the first one
   * stays in the trash). It is never dismissed or replaced from here: libadwaita 1.2 crashes
   * when toasts are dismissed and added again while they animate. */
  message = g_strdup_printf (_("The packet of %s was moved to the trash"), title);
  g_free (self->undo_uuid);
  self->undo_uuid = g_strdup (uuid);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-last-delete", TRUE);
  if (self->undo_toast != NULL)
    {
      adw_toast_set_title (self->undo_toast, message);
      adw_toast_set_button_label (self->undo_toast, _("_Undo"));
      adw_toast_set_action_target_value (self->undo_toast, g_variant_new_string (uuid));
      return;
    }
  toast = adw_toast_new (message);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-delete");
  adw_toast_set_action_target_value (toast, g_variant_new_string (uuid));
  adw_toast_set_timeout (toast, 10);
  g_set_weak_pointer (&self->undo_toast, toast);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (undo_toast_dismissed_cb), self, 0);
  _cp_window_add_toast (self, toast);
}

static gboolean
cp_window_restore (CpWindow   *self,
                   const char *uuid)
{
  CpStore *store = _cp_window_get_store (self);
  g_autoptr(GError) error = NULL;

  if (store == NULL)
    return FALSE;
  if (!cp_store_undelete_packet (store, uuid, &error))
    {
      cp_window_show_toast (self, error->message);
      return FALSE;
    }
  cp_window_reload (self);
  /* The toast of its deletion says so now, without an Undo. */
  if (g_strcmp0 (self->undo_uuid, uuid) == 0)
    {
      g_autofree char *title = cp_window_lookup_title (self, uuid);
      g_autofree char *message = g_strdup_printf (_("The packet of %s is back in the list"),
                                                  title);

      g_clear_pointer (&self->undo_uuid, g_free);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-last-delete", FALSE);
      if (self->undo_toast != NULL)
        {
          adw_toast_set_title (self->undo_toast, message);
          adw_toast_set_button_label (self->undo_toast, NULL);
        }
      return TRUE;
    }
  return TRUE;
}

static void
undo_delete_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  cp_window_restore (CP_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

/* Ctrl+Z while the toast of a deletion is up. */
static void
undo_last_delete_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  g_autofree char *uuid = g_strdup (self->undo_uuid);

  if (uuid != NULL)
    cp_window_restore (self, uuid);
}

static void
restore_packet_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  const char *uuid = g_variant_get_string (parameter, NULL);
  gboolean was_last = g_strcmp0 (self->undo_uuid, uuid) == 0;
  g_autofree char *title = cp_window_lookup_title (self, uuid);

  /* The last deletion's toast says it itself. */
  if (cp_window_restore (self, uuid) && !was_last)
    {
      g_autofree char *message =
        g_strdup_printf (_("The packet of %s was restored; it is in the list again"), title);

      cp_window_show_toast (self, message);
    }
}

/* Import: packet files as credit-packet-tool writes them (one packet, or an array of them). */

#define IMPORT_MAX_DEPTH 64

typedef struct
{
  GPtrArray *files;     /* GFile * */
  GPtrArray *packets;   /* CpPacket *, read in the thread */
  GPtrArray *origins;   /* char *: the file each packet came from */
  GPtrArray *problems;  /* char *: what could not be read, one sentence each */
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_clear_pointer (&job->files, g_ptr_array_unref);
  g_clear_pointer (&job->packets, g_ptr_array_unref);
  g_clear_pointer (&job->origins, g_ptr_array_unref);
  g_clear_pointer (&job->problems, g_ptr_array_unref);
  g_free (job);
}

/* json-glib parses recursively: a file nested thousands of levels deep would overflow the
 * stack. A packet nests a few levels; anything deeper than IMPORT_MAX_DEPTH is refused. */
static gboolean
json_depth_ok (const char *data,
               gsize       length)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > IMPORT_MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static void
import_read_file (ImportJob    *job,
                  GFile        *file,
                  GCancellable *cancellable)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = NULL;
  JsonNode *root;
  gsize length = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            cancellable, &error);
  name = info != NULL ? g_strdup (g_file_info_get_display_name (info))
                      : g_file_get_basename (file);
  if (info != NULL && g_file_info_get_size (info) > CP_PACKET_MAX_SIZE)
    {
      g_ptr_array_add (job->problems,
                       g_strdup_printf (_("“%s” is too large to be a packet file (more than "
                                          "%u MB)."), name,
                                        (guint) (CP_PACKET_MAX_SIZE / (1024 * 1024))));
      return;
    }
  if (!g_file_load_contents (file, cancellable, &contents, &length, NULL, &error))
    {
      g_ptr_array_add (job->problems, g_strdup_printf (_("“%s” could not be read: %s"), name,
                                                       error->message));
      return;
    }
  parser = json_parser_new_immutable ();
  if (length > CP_PACKET_MAX_SIZE || !g_utf8_validate (contents, length, NULL) ||
      !json_depth_ok (contents, length) ||
      !json_parser_load_from_data (parser, contents, length, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !(JSON_NODE_HOLDS_OBJECT (root) || JSON_NODE_HOLDS_ARRAY (root)))
    {
      g_ptr_array_add (job->problems,
                       g_strdup_printf (_("“%s” is not a packet file: it is not the JSON that "
                                          "Credit Packet and credit-packet-tool write."), name));
      return;
    }

  for (guint i = 0; i < (JSON_NODE_HOLDS_ARRAY (root)
                         ? json_array_get_length (json_node_get_array (root)) : 1); i++)
    {
      JsonNode *node = JSON_NODE_HOLDS_ARRAY (root)
                       ? json_array_get_element (json_node_get_array (root), i) : root;
      g_autoptr(GError) packet_error = NULL;
      g_autoptr(CpPacket) packet = cp_packet_new_from_json (node, name, &packet_error);

      if (packet == NULL)
        {
          g_ptr_array_add (job->problems,
                           g_strdup_printf (_("“%s” does not hold a valid packet: %s"), name,
                                            packet_error->message));
          continue;
        }
      g_ptr_array_add (job->packets, g_steal_pointer (&packet));
      g_ptr_array_add (job->origins, g_strdup (name));
    }
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportJob *job = task_data;

  for (guint i = 0; i < job->files->len; i++)
    import_read_file (job, g_ptr_array_index (job->files, i), cancellable);
  g_task_return_boolean (task, TRUE);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CpWindow *self = CP_WINDOW (object);
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  CpStore *store = _cp_window_get_store (self);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  g_autofree char *first_uuid = NULL;
  guint n_imported = 0;

  for (guint i = 0; store != NULL && registry != NULL && i < job->packets->len; i++)
    {
      CpPacket *packet = g_ptr_array_index (job->packets, i);
      const char *origin = g_ptr_array_index (job->origins, i);
      g_autoptr(GError) error = NULL;
      CpPacketState state = cp_packet_get_state (packet);

      if (cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet)) == NULL)
        {
          g_ptr_array_add (job->problems,
                           g_strdup_printf (_("“%s” holds a packet of the kind “%s”, which this "
                                              "program does not know."), origin,
                                            cp_packet_get_kind (packet)));
          continue;
        }
      if (cp_store_has_packet (store, cp_packet_get_uuid (packet)))
        {
          g_ptr_array_add (job->problems,
                           g_strdup_printf (_("The packet in “%s” is already on this computer "
                                              "(in the list or in the trash); it was not "
                                              "imported again."), origin));
          continue;
        }
      /* Only the office's server puts a packet in its workflow: an imported one is a draft
       * here (it becomes ready when complete). */
      if (state == CP_PACKET_STATE_SUBMITTED || state == CP_PACKET_STATE_RETURNED ||
          state == CP_PACKET_STATE_ACCEPTED)
        cp_packet_set_state (packet, CP_PACKET_STATE_DRAFT);
      if (!cp_store_save_packet (store, packet, NULL, &error))
        {
          g_ptr_array_add (job->problems, g_strdup_printf (_("“%s” could not be saved: %s"),
                                                           origin, error->message));
          continue;
        }
      if (first_uuid == NULL)
        first_uuid = g_strdup (cp_packet_get_uuid (packet));
      n_imported++;
    }

  if (n_imported > 0)
    {
      g_autofree char *message =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u packet was imported",
                                      "%u packets were imported", n_imported), n_imported);

      cp_packet_list_set_show_trash (self->packet_list, FALSE);
      cp_window_reload (self);
      cp_window_show_toast (self, message);
    }
  for (guint i = 0; i < job->problems->len; i++)
    cp_window_show_toast (self, g_ptr_array_index (job->problems, i));
}

void
cp_window_import_files (CpWindow  *self,
                        GPtrArray *files)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  g_return_if_fail (CP_IS_WINDOW (self));
  g_return_if_fail (files != NULL);

  job = g_new0 (ImportJob, 1);
  job->files = g_ptr_array_ref (files);
  job->packets = g_ptr_array_new_with_free_func (g_object_unref);
  job->origins = g_ptr_array_new_with_free_func (g_free);
  job->problems = g_ptr_array_new_with_free_func (g_free);
  task = g_task_new (self, NULL, import_done_cb, NULL);
  g_task_set_source_tag (task, cp_window_import_files);
  g_task_set_task_data (task, job, (GDestroyNotify) import_job_free);
  g_task_run_in_thread (task, import_thread);
}

static void
import_response_cb (GtkNativeDialog *native,
                    int              response,
                    CpWindow        *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) chosen = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (native));
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < g_list_model_get_n_items (chosen); i++)
        g_ptr_array_add (files, g_list_model_get_item (chosen, i));
      if (files->len > 0)
        cp_window_import_files (self, files);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  GtkFileChooserNative *native;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  cp_packet_view_flush (self->packet_view);
  native = gtk_file_chooser_native_new (_("Import Packets"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (native), TRUE);
  gtk_file_filter_set_name (filter, _("Packet files (JSON)"));
  gtk_file_filter_add_mime_type (filter, "application/json");
  gtk_file_filter_add_suffix (filter, "json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), all);
  g_signal_connect (native, "response", G_CALLBACK (import_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

/* Sync. */

static void
cp_window_update_sync_actions (CpWindow *self)
{
  gboolean logged_in = self->sync != NULL && cp_sync_manager_is_logged_in (self->sync);
  gboolean office = logged_in && g_strcmp0 (cp_sync_manager_get_role (self->sync), "office") == 0;
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  gboolean creates;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.logout",
                                 self->sync != NULL &&
                                 cp_sync_manager_get_engine (self->sync) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.login", self->sync != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.review-queue", office);
  /* Offices review what enterprises hand in, and agencies coach and evaluate it: they make no
   * packets of the kinds whose creator is the enterprise. */
  creates = !office && (registry == NULL ||
                        cp_app_role_can_create (registry, logged_in
                                                          ? cp_sync_manager_get_role (self->sync)
                                                          : NULL));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-packet",
                                 creates && _cp_window_get_store (self) != NULL);
  gtk_widget_set_visible (self->new_button, creates);
  cp_packet_list_set_account_role (self->packet_list,
                                   logged_in ? cp_sync_manager_get_role (self->sync) : NULL);
  cp_packet_list_set_can_create (self->packet_list, creates);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.progress",
                                 office || (logged_in &&
                                            g_strcmp0 (cp_sync_manager_get_role (self->sync),
                                                       "admin") == 0));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-report",
                                 office || (logged_in &&
                                            g_strcmp0 (cp_sync_manager_get_role (self->sync),
                                                       "admin") == 0));
}

static void
sync_changed_cb (CpWindow      *self,
                 GParamSpec    *pspec,
                 CpSyncManager *manager)
{
  CpSyncManagerStatus status = cp_sync_manager_get_status (manager);

  if (status == CP_SYNC_STATUS_NEEDS_LOGIN && self->last_status != CP_SYNC_STATUS_NEEDS_LOGIN)
    {
      AdwToast *toast = adw_toast_new (_("Your session has ended. Log in again to continue "
                                         "syncing; your changes are kept."));

      adw_toast_set_button_label (toast, _("_Log In"));
      adw_toast_set_action_name (toast, "win.login");
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      /* It stays until used or dismissed: a user in the middle of typing must not miss it, and
       * nothing takes the focus from the field being typed in. */
      adw_toast_set_timeout (toast, 0);
      g_set_weak_pointer (&self->login_toast, toast);
      _cp_window_add_toast (self, toast);
    }
  else if (status != CP_SYNC_STATUS_NEEDS_LOGIN && self->login_toast != NULL)
    {
      _cp_window_dismiss_toast (self, self->login_toast);
      g_clear_weak_pointer (&self->login_toast);
    }
  /* The rows show sync states only while there is a server. */
  cp_packet_list_set_show_sync (self->packet_list, status != CP_SYNC_STATUS_DISABLED);
  if ((status == CP_SYNC_STATUS_DISABLED) != (self->last_status == CP_SYNC_STATUS_DISABLED))
    _cp_window_reload_async (self);
  self->last_status = status;
  cp_window_update_sync_actions (self);
}

/* Whether two versions of a packet say the same, whatever their modification times (the view
 * and the store each stamp an edit with their own clock, which can straddle a second). */
static gboolean
same_content (CpPacket *a,
              CpPacket *b)
{
  g_autofree char *data_a = cp_packet_to_data (a, FALSE, NULL);
  g_autofree char *data_b = cp_packet_to_data (b, FALSE, NULL);
  g_autoptr(JsonParser) parser_a = json_parser_new ();
  g_autoptr(JsonParser) parser_b = json_parser_new ();
  JsonNode *root_a, *root_b;

  if (data_a == NULL || data_b == NULL)
    return data_a == data_b;
  if (g_str_equal (data_a, data_b))
    return TRUE;
  if (!json_parser_load_from_data (parser_a, data_a, -1, NULL) ||
      !json_parser_load_from_data (parser_b, data_b, -1, NULL))
    return FALSE;
  root_a = json_parser_get_root (parser_a);
  root_b = json_parser_get_root (parser_b);
  if (!JSON_NODE_HOLDS_OBJECT (root_a) || !JSON_NODE_HOLDS_OBJECT (root_b))
    return FALSE;
  json_object_remove_member (json_node_get_object (root_a), "modified");
  json_object_remove_member (json_node_get_object (root_b), "modified");
  return json_node_equal (root_a, root_b);
}

static void cp_window_follow_stage (CpWindow *self);

static void
follow_stage_idle_cb (gpointer data)
{
  GWeakRef *ref = data;
  g_autoptr(CpWindow) self = g_weak_ref_get (ref);

  g_weak_ref_clear (ref);
  g_free (ref);
  if (self != NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    cp_window_follow_stage (self);
}

static void
sync_packets_changed_cb (CpWindow      *self,
                         CpSyncManager *manager)
{
  const char *uuid = cp_packet_view_get_uuid (self->packet_view);
  CpStore *store = _cp_window_get_store (self);

  _cp_window_reload_async (self);

  /* The open packet may have taken the server's changes: show them. */
  if (uuid != NULL && store != NULL && cp_packet_view_get_n_pending (self->packet_view) == 0)
    {
      g_autoptr(CpPacket) stored = cp_store_load_packet (store, uuid, NULL);
      CpPacket *shown = cp_packet_view_get_packet (self->packet_view);

      if (stored != NULL && shown != NULL && !same_content (stored, shown))
        {
          g_autofree char *page = g_strdup (cp_packet_view_get_page (self->packet_view));
          g_autofree char *id = g_strdup (uuid);

          if (cp_window_open_packet (self, id, page, NULL))
            cp_window_show_toast (self, _("This packet was updated with changes from the "
                                          "server."));
        }
      else
        {
          GWeakRef *ref = g_new0 (GWeakRef, 1);

          /* Not inside the manager's signal, which may come while the window is being torn
           * down or a dialog over it is closing. */
          g_weak_ref_init (ref, self);
          g_idle_add_once (follow_stage_idle_cb, ref);
        }
    }
}

/* Steps of the review chain (issue 11): the completeness page offers the transitions the
 * user's party may make in the packet's stage; each is confirmed, a return with the
 * reviewer's comments, an assignment with the agency chosen, then taken through the server. */

typedef struct
{
  GWeakRef      window;
  char         *uuid;
  char         *transition;
  char         *label;
  gboolean      comment;
  GtkTextView  *comments;   /* in the dialog, with @comment */
  GtkDropDown  *agencies;   /* in the dialog, for an assignment */
  GPtrArray    *agency_ids; /* char *, in the drop-down's order */
} StepRequest;

static void
step_request_free (StepRequest *request)
{
  g_weak_ref_clear (&request->window);
  g_free (request->uuid);
  g_free (request->transition);
  g_free (request->label);
  g_clear_pointer (&request->agency_ids, g_ptr_array_unref);
  g_free (request);
}

static void
step_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  StepRequest *request = user_data;
  g_autoptr(CpWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(GError) error = NULL;
  gboolean done = cp_sync_manager_transition_finish (CP_SYNC_MANAGER (object), result, &error);

  if (self != NULL && !done)
    cp_window_show_toast (self, error->message);
  else if (self != NULL)
    {
      /* Translators: a toast once a step of the review chain is taken: "已完成：通过初审" */
      g_autofree char *text = g_strdup_printf (_("Done: %s"), request->label);

      if (g_strcmp0 (cp_packet_view_get_uuid (self->packet_view), request->uuid) == 0)
        cp_window_follow_stage (self);
      cp_window_show_toast (self, text);
    }
  step_request_free (request);
}

static char *
step_comments (StepRequest *request)
{
  GtkTextBuffer *buffer;
  GtkTextIter start, end;

  if (request->comments == NULL)
    return NULL;
  buffer = gtk_text_view_get_buffer (request->comments);
  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

static void
step_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  StepRequest      *request)
{
  g_autoptr(CpWindow) self = g_weak_ref_get (&request->window);
  g_autofree char *comments = NULL;
  const char *agency = NULL;

  if (self == NULL || self->sync == NULL || g_strcmp0 (response, "take") != 0)
    {
      step_request_free (request);
      return;
    }
  comments = step_comments (request);
  if (request->agencies != NULL && request->agency_ids != NULL)
    {
      guint selected = gtk_drop_down_get_selected (request->agencies);

      if (selected < request->agency_ids->len)
        agency = g_ptr_array_index (request->agency_ids, selected);
    }
  cp_sync_manager_transition_async (self->sync, request->uuid, request->transition,
                                    comments != NULL && *comments ? comments : NULL, agency,
                                    NULL, step_done_cb, request);
}

static void
step_comments_changed_cb (GtkTextBuffer    *buffer,
                          AdwMessageDialog *dialog)
{
  GtkTextIter start, end;
  g_autofree char *text = NULL;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  text = g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
  adw_message_dialog_set_response_enabled (dialog, "take", *text != '\0');
}

/* The confirmation of a step, naming the packet; with a text for a return's comments and a
 * choice of agency for an assignment (@agencies: element type CpAgencyInfo *). */
static void
step_ask (CpWindow    *self,
          StepRequest *request,
          GPtrArray   *agencies)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  const char *name = packet != NULL ? cp_packet_get_enterprise_name (packet) : NULL;
  /* Translators: the heading of the confirmation of a step of the review chain */
  g_autofree char *heading = g_strdup_printf (_("%s?"), request->label);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, NULL);
  GtkWidget *extra = NULL;

  if (name != NULL && *name)
    /* Translators: the body of the confirmation of a step: the enterprise's name */
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    _("The packet of %s moves on to the next stage when the "
                                      "server has taken the step."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "take", request->label, NULL);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "take",
                                              request->comment ? ADW_RESPONSE_DESTRUCTIVE
                                                               : ADW_RESPONSE_SUGGESTED);
  if (request->comment)
    {
      GtkWidget *frame = gtk_frame_new (NULL);
      GtkWidget *view = gtk_text_view_new ();

      gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
      gtk_widget_set_size_request (view, -1, 96);
      gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
      gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
      gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("What the enterprise must change"), -1);
      gtk_frame_set_child (GTK_FRAME (frame), view);
      request->comments = GTK_TEXT_VIEW (view);
      g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (view)), "changed",
                        G_CALLBACK (step_comments_changed_cb), dialog);
      adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "take", FALSE);
      extra = frame;
    }
  else if (agencies != NULL)
    {
      g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

      request->agency_ids = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < agencies->len; i++)
        {
          const CpAgencyInfo *info = g_ptr_array_index (agencies, i);

          gtk_string_list_append (names, info->name);
          g_ptr_array_add (request->agency_ids, g_strdup (info->id));
        }
      extra = gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)), NULL);
      gtk_accessible_update_property (GTK_ACCESSIBLE (extra), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Evaluating agency"), -1);
      request->agencies = GTK_DROP_DOWN (extra);
      adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "take",
                                               agencies->len > 0);
    }
  if (extra != NULL)
    adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), extra);
  g_signal_connect (dialog, "response", G_CALLBACK (step_response_cb), request);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
step_agencies_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  StepRequest *request = user_data;
  g_autoptr(CpWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) agencies =
    cp_sync_manager_list_agencies_finish (CP_SYNC_MANAGER (object), result, &error);

  if (self == NULL || agencies == NULL)
    {
      if (self != NULL)
        cp_window_show_toast (self, error->message);
      step_request_free (request);
      return;
    }
  step_ask (self, request, agencies);
}

static void
packet_step_cb (CpWindow   *self,
                const char *transition_id)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  CpTemplate *tmpl;
  const CpTransition *transition;
  StepRequest *request;

  if (packet == NULL || registry == NULL || self->sync == NULL)
    return;
  tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                   cp_packet_get_template_version (packet));
  transition = tmpl != NULL && cp_template_get_workflow (tmpl) != NULL
               ? cp_workflow_lookup_transition (cp_template_get_workflow (tmpl),
                                                cp_packet_view_get_stage (self->packet_view),
                                                transition_id)
               : NULL;
  if (transition == NULL)
    return;
  /* What is typed goes to the server first, with the step. */
  cp_packet_view_flush (self->packet_view);
  request = g_new0 (StepRequest, 1);
  g_weak_ref_init (&request->window, self);
  request->uuid = g_strdup (cp_packet_get_uuid (packet));
  request->transition = g_strdup (transition->id);
  request->label = g_strdup (cp_text_get (transition->label));
  request->comment = transition->comment;
  if (transition->assigns != CP_ROLE_NONE)
    cp_sync_manager_list_agencies_async (self->sync, NULL, step_agencies_cb, request);
  else
    step_ask (self, request, NULL);
}

static void sync_account_changed_cb (CpWindow *self);

void
_cp_window_setup_sync (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);

  g_signal_connect_swapped (self->packet_view, "step", G_CALLBACK (packet_step_cb), self);
  self->sync = app != NULL ? cp_application_get_sync_manager (app) : NULL;
  if (self->sync == NULL)
    {
      cp_window_update_sync_actions (self);
      gtk_widget_set_visible (GTK_WIDGET (self->sync_status), FALSE);
      return;
    }
  g_object_ref (self->sync);
  self->last_status = cp_sync_manager_get_status (self->sync);
  cp_packet_list_set_show_sync (self->packet_list,
                                self->last_status != CP_SYNC_STATUS_DISABLED);
  cp_sync_status_set_manager (self->sync_status, self->sync);
  cp_sync_status_set_manager (cp_packet_view_get_sync_status (self->packet_view), self->sync);
  gtk_widget_set_visible (GTK_WIDGET (cp_packet_view_get_sync_status (self->packet_view)), TRUE);
  g_signal_connect_swapped (self->sync, "notify::status", G_CALLBACK (sync_changed_cb), self);
  g_signal_connect_swapped (self->sync, "notify::logged-in", G_CALLBACK (sync_changed_cb),
                            self);
  g_signal_connect_swapped (self->sync, "notify::role", G_CALLBACK (sync_changed_cb), self);
  g_signal_connect_swapped (self->sync, "notify::logged-in",
                            G_CALLBACK (sync_account_changed_cb), self);
  g_signal_connect_swapped (self->sync, "notify::role", G_CALLBACK (sync_account_changed_cb),
                            self);
  g_signal_connect_swapped (self->sync, "packets-changed",
                            G_CALLBACK (sync_packets_changed_cb), self);
  cp_window_update_sync_actions (self);
}

static void
sync_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->sync == NULL)
    return;
  /* What is typed goes out with this sync. */
  cp_packet_view_flush (self->packet_view);
  cp_sync_manager_sync (self->sync);
}

static void
cancel_sync_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->sync != NULL)
    cp_sync_manager_cancel (self->sync);
}

static void
login_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->sync == NULL)
    return;
  /* What is typed goes out with the sync that follows the login. */
  cp_packet_view_flush (self->packet_view);
  cp_sync_status_popdown (self->sync_status);
  cp_sync_status_popdown (cp_packet_view_get_sync_status (self->packet_view));
  gtk_window_present (GTK_WINDOW (cp_login_dialog_new (GTK_WINDOW (self), self->sync)));
}

static void
logout_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpWindow) self = user_data;

  cp_sync_manager_logout_finish (CP_SYNC_MANAGER (object), result, NULL);
  cp_window_show_toast (self, _("You are logged out. Your packets stay on this computer."));
}

static void
logout_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);

  if (self->sync == NULL)
    return;
  cp_sync_status_popdown (self->sync_status);
  cp_sync_status_popdown (cp_packet_view_get_sync_status (self->packet_view));
  cp_sync_manager_logout_async (self->sync, NULL, logout_done_cb, g_object_ref (self));
}

static void
conflict_resolved_cb (CpWindow       *self,
                      CpConflictPage *page)
{
  const char *uuid = cp_packet_view_get_uuid (self->packet_view);

  cp_window_reload (self);
  if (uuid != NULL)
    {
      g_autofree char *id = g_strdup (uuid);
      g_autofree char *current = g_strdup (cp_packet_view_get_page (self->packet_view));

      cp_window_open_packet (self, id, current, NULL);
    }
  cp_window_show_toast (self, _("The conflicts are resolved. The packet is sent with the next "
                                "sync."));
  cp_sync_manager_sync (self->sync);
}

static void
resolve_conflict_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  g_autoptr(GError) error = NULL;
  CpConflictPage *page;

  if (self->sync == NULL)
    return;
  cp_packet_view_flush (self->packet_view);
  page = cp_conflict_page_new (GTK_WINDOW (self), self->sync, _cp_window_get_registry (self),
                               g_variant_get_string (parameter, NULL), &error);
  if (page == NULL)
    {
      cp_window_show_toast (self, error->message);
      return;
    }
  g_signal_connect_object (page, "resolved", G_CALLBACK (conflict_resolved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (page));
}

/* Workflow. */

static void
show_history_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  const char *uuid = cp_packet_view_get_uuid (self->packet_view);
  CpStore *store = _cp_window_get_store (self);

  if (uuid == NULL || store == NULL)
    return;
  cp_packet_view_flush (self->packet_view);
  gtk_window_present (GTK_WINDOW (cp_history_dialog_new (GTK_WINDOW (self), self->sync, store,
                                                         uuid)));
}

/* Shows @findings on the completeness page of the open packet, as its own findings are. */
static void
cp_window_show_findings (CpWindow  *self,
                         GPtrArray *findings)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  GtkWidget *page = cp_packet_view_get_page_widget (self->packet_view, CP_PAGE_COMPLETENESS);
  CpTemplate *tmpl = NULL;

  if (packet == NULL || registry == NULL || page == NULL || !CP_IS_COMPLETENESS_PAGE (page))
    return;
  tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                   cp_packet_get_template_version (packet));
  if (tmpl == NULL)
    tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  cp_packet_view_set_page (self->packet_view, CP_PAGE_COMPLETENESS);
  if (tmpl != NULL)
    cp_completeness_page_update (CP_COMPLETENESS_PAGE (page), tmpl, findings);
}

/* "Submitted on 2026-03-01 14:05 by zhang" from a revision the server keeps, or NULL for one
 * that is no workflow step. */
static char *
describe_revision (CpRevision *revision)
{
  const char *action = cp_revision_get_action (revision);
  const char *by = cp_revision_get_modified_by (revision);
  GDateTime *when = cp_revision_get_modified_at (revision);
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *time = NULL;

  if (action == NULL || by == NULL || when == NULL)
    return NULL;
  local = g_date_time_to_local (when);
  time = g_date_time_format (local, "%Y-%m-%d %H:%M");
  if (g_str_equal (action, "submit"))
    /* Translators: date and time, user name */
    return g_strdup_printf (_("Submitted on %s by %s."), time, by);
  if (g_str_equal (action, "accept"))
    return g_strdup_printf (_("Accepted on %s by %s."), time, by);
  if (g_str_equal (action, "return"))
    return g_strdup_printf (_("Returned on %s by %s."), time, by);
  return NULL;
}

static void cp_window_show_workflow (CpWindow *self);

/* The open packet's place in the workflow, on its completeness page. */
static void
cp_window_show_workflow (CpWindow *self)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  GtkWidget *page = cp_packet_view_get_page_widget (self->packet_view, CP_PAGE_COMPLETENESS);
  const char *detail;
  g_autofree char *fallback = NULL;

  if (packet == NULL || page == NULL || !CP_IS_COMPLETENESS_PAGE (page))
    return;
  detail = g_hash_table_lookup (self->submissions, cp_packet_get_uuid (packet));
  if (detail == NULL && cp_packet_get_submitted_on (packet) != NULL)
    detail = fallback = g_strdup_printf (_("Submitted on %s."),
                                         cp_packet_get_submitted_on (packet));
  cp_completeness_page_set_workflow (CP_COMPLETENESS_PAGE (page), cp_packet_get_state (packet),
                                     detail);
  cp_packet_view_refresh_completeness (self->packet_view);
}

/* The newest workflow step of a packet on the server: who submitted (or accepted) it, and
 * when. */
static void
revisions_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CpWindow) self = user_data;
  g_autoptr(GListModel) revisions = NULL;

  revisions = cp_sync_manager_list_revisions_finish (CP_SYNC_MANAGER (object), result, NULL);
  for (guint i = revisions != NULL ? g_list_model_get_n_items (revisions) : 0; i > 0; i--)
    {
      g_autoptr(CpRevision) revision = g_list_model_get_item (revisions, i - 1);
      g_autofree char *text = describe_revision (revision);

      if (text != NULL && cp_revision_get_uuid (revision) != NULL)
        {
          g_hash_table_replace (self->submissions, g_strdup (cp_revision_get_uuid (revision)),
                                g_steal_pointer (&text));
          cp_window_show_workflow (self);
          return;
        }
    }
}

static void
cp_window_load_workflow_step (CpWindow   *self,
                              const char *uuid)
{
  cp_sync_manager_list_revisions_async (self->sync, uuid, NULL, revisions_done_cb,
                                        g_object_ref (self));
}

typedef struct
{
  CpWindow *window;
  char     *uuid;
} Submission;

static void
submission_free (Submission *submission)
{
  g_object_unref (submission->window);
  g_free (submission->uuid);
  g_free (submission);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Submission, submission_free)

static void
submit_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Submission) submission = user_data;
  CpWindow *self = submission->window;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GError) error = NULL;

  if (cp_sync_manager_submit_finish (CP_SYNC_MANAGER (object), result, &findings, &error))
    {
      cp_window_show_toast (self, _("The packet was submitted to the credit office."));
      cp_window_load_workflow_step (self, submission->uuid);
      return;
    }
  if (findings != NULL)
    {
      cp_window_show_findings (self, findings);
      cp_window_show_toast (self, _("The credit office’s server found problems in this packet. "
                                    "Fix them on the completeness page, then submit again."));
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cp_window_show_toast (self, error->message);
}

/* What a submission sends and to whom, for the confirmation. */
static char *
cp_window_describe_submission (CpWindow *self,
                               CpPacket *packet)
{
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  CpTemplate *tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  const char *name = cp_packet_get_enterprise_name (packet);
  const char *url = cp_sync_manager_get_server_url (self->sync);
  const char *district_id = cp_packet_get_string (packet, "cover", "district");
  const char *district = NULL;
  const CpField *field = tmpl != NULL ? cp_template_lookup_field (tmpl, "cover.district") : NULL;
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autofree char *host = NULL;
  g_autofree char *office = NULL;
  guint n_sections = 0;
  GPtrArray *sections = tmpl != NULL ? cp_template_get_sections (tmpl) : NULL;
  guint n_files = cp_packet_get_attachments (packet)->len;

  for (guint i = 0; sections != NULL && i < sections->len; i++)
    if (!((const CpSection *) g_ptr_array_index (sections, i))->generated)
      n_sections++;
  for (guint i = 0; field != NULL && field->options != NULL && district_id != NULL &&
                    i < field->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (field->options, i);

      if (g_str_equal (option->id, district_id))
        district = cp_text_get (option->label);
    }
  if (uri != NULL && g_uri_get_port (uri) > 0)
    host = g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri));
  else
    host = g_strdup (uri != NULL ? g_uri_get_host (uri) : url);
  if (district != NULL)
    /* Translators: the district's credit office, on a server */
    office = g_strdup_printf (_("the credit office of %s on the server %s"), district, host);
  else
    office = g_strdup_printf (_("the credit office on the server %s"), host);

  /* Translators: enterprise, kind of packet, campaign year, number of sections, number of
   * files, the office (above), the user name; then a sentence on what follows */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The packet of %s (%s, %d): %u sections and %u attached "
                                       "file, as it is now, goes to %s, sent by %s.\n\nThe "
                                       "office reviews it and accepts or returns it; until it "
                                       "returns it, the packet cannot be changed.",
                                       "The packet of %s (%s, %d): %u sections and %u attached "
                                       "files, as it is now, goes to %s, sent by %s.\n\nThe "
                                       "office reviews it and accepts or returns it; until it "
                                       "returns it, the packet cannot be changed.", n_files),
                          name != NULL && *name ? name : _("Unnamed enterprise"),
                          cp_app_kind_title (registry, cp_packet_get_kind (packet)),
                          cp_packet_get_year (packet), n_sections, n_files, office,
                          cp_sync_manager_get_user (self->sync));
}

static void
submit_confirm_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   CpWindow         *self)
{
  const char *uuid = g_object_get_data (G_OBJECT (dialog), "cp-uuid");
  Submission *submission;

  if (!g_str_equal (response, "submit") || self->sync == NULL ||
      g_strcmp0 (cp_packet_view_get_uuid (self->packet_view), uuid) != 0)
    return;
  /* The server must hold exactly what is shown: the submission sends it first. */
  cp_packet_view_flush (self->packet_view);
  submission = g_new0 (Submission, 1);
  submission->window = g_object_ref (self);
  submission->uuid = g_strdup (uuid);
  cp_sync_manager_submit_async (self->sync, uuid, NULL, submit_done_cb, submission);
}

static void
submit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  g_autoptr(GPtrArray) findings = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  if (packet == NULL)
    return;
  cp_packet_view_flush (self->packet_view);
  findings = cp_app_validate (_cp_window_get_registry (self), packet);
  if (findings != NULL && cp_findings_count (findings, CP_SEVERITY_ERROR) > 0)
    {
      cp_packet_view_set_page (self->packet_view, CP_PAGE_COMPLETENESS);
      cp_window_show_toast (self, _("This packet still has errors. Fix the errors on the "
                                    "completeness page before you submit it."));
      return;
    }
  if (self->sync == NULL || !cp_sync_manager_is_logged_in (self->sync))
    {
      cp_window_show_toast (self, _("Log in to the credit office’s server to submit this "
                                    "packet."));
      return;
    }

  body = cp_window_describe_submission (self, packet);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Submit to the Credit Office?"),
                                                       body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "submit", _("_Submit"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "submit", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "submit");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "cp-uuid", g_strdup (cp_packet_get_uuid (packet)),
                          g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (submit_confirm_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A queue row opens its packet here: read-only but for the office's own parts in its stage. */
static void
review_open_packet_cb (CpReviewDialog *review,
                       const char     *uuid,
                       CpWindow       *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (uuid);

  gtk_window_close (GTK_WINDOW (review));
  if (!cp_window_open_packet (self, id, NULL, &error))
    cp_window_show_toast (self, error->message);
}

static void
review_queue_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpStore *store = _cp_window_get_store (self);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);

  CpReviewDialog *review;

  if (self->sync == NULL || store == NULL || registry == NULL)
    return;
  review = cp_review_dialog_new (GTK_WINDOW (self), self->sync, store, registry);
  g_signal_connect_object (review, "open-packet", G_CALLBACK (review_open_packet_cb), self, 0);
  gtk_window_present (GTK_WINDOW (review));
}

static void
progress_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);

  if (self->sync == NULL || registry == NULL)
    return;
  gtk_window_present (GTK_WINDOW (cp_progress_page_new (GTK_WINDOW (self), self->sync,
                                                        registry)));
}

static void
export_report_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);

  if (self->sync == NULL || registry == NULL)
    return;
  gtk_window_present (GTK_WINDOW (cp_report_dialog_new (GTK_WINDOW (self), self->sync,
                                                        registry)));
}

/* A returned packet: the reviewer's comments of its newest return appear under the fields
 * they concern, in the steps and on the completeness page. The last ones read stay for when
 * the server cannot be reached. */
static void
comments_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CpWindow) self = user_data;
  g_autoptr(GPtrArray) comments = NULL;
  CpPacket *packet;

  comments = cp_sync_manager_get_comments_finish (CP_SYNC_MANAGER (object), result, NULL);
  packet = cp_packet_view_get_packet (self->packet_view);
  if (comments == NULL || packet == NULL ||
      cp_packet_get_state (packet) != CP_PACKET_STATE_RETURNED)
    return;
  g_hash_table_replace (self->review_comments, g_strdup (cp_packet_get_uuid (packet)),
                        g_ptr_array_ref (comments));
  cp_packet_view_set_review_comments (self->packet_view, comments);
  if (comments->len > 0)
    cp_window_show_toast (self, _("The credit office returned this packet. Its comments are "
                                  "shown under the fields they concern."));
}

/* What the last sync said of @uuid's place in its chain: its stage and who the account is to it
 * (NULL and CP_ROLE_NONE when it said nothing). */
static void
cp_window_get_review_place (CpWindow    *self,
                            const char  *uuid,
                            char       **stage_out,
                            CpRole      *party_out)
{
  CpStore *store = _cp_window_get_store (self);

  *stage_out = NULL;
  *party_out = CP_ROLE_NONE;
  if (store != NULL &&
      !cp_store_get_review_place (store, uuid, stage_out, party_out, NULL, NULL))
    {
      g_clear_pointer (stage_out, g_free);
      *party_out = CP_ROLE_NONE;
    }
}

/* Who last wrote each value of the open packet, for the captions of the parts others fill in;
 * asked each time a packet opens while signed in (offline, the captions say who fills them in
 * only). */
typedef struct
{
  GWeakRef  window;
  char     *uuid;
} AuthorsRequest;

static void
authors_request_free (AuthorsRequest *request)
{
  g_weak_ref_clear (&request->window);
  g_free (request->uuid);
  g_free (request);
}

static void
authors_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  AuthorsRequest *request = user_data;
  g_autoptr(CpWindow) self = g_weak_ref_get (&request->window);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) authors = NULL;

  authors = cp_sync_manager_get_authors_finish (CP_SYNC_MANAGER (object), result, &error);
  if (self != NULL && g_strcmp0 (self->authors_uuid, request->uuid) == 0)
    g_clear_pointer (&self->authors_uuid, g_free);
  if (authors == NULL)
    g_debug ("Who wrote the values of %s is not known: %s", request->uuid, error->message);
  else if (self != NULL && g_strcmp0 (cp_packet_view_get_uuid (self->packet_view),
                                      request->uuid) == 0)
    cp_packet_view_set_authors (self->packet_view, authors);
  authors_request_free (request);
}

static void
cp_window_load_authors (CpWindow   *self,
                        const char *uuid)
{
  AuthorsRequest *request;

  /* Signing in notifies both the session and the role: one request is enough. */
  if (g_strcmp0 (self->authors_uuid, uuid) == 0)
    return;
  g_free (self->authors_uuid);
  self->authors_uuid = g_strdup (uuid);
  request = g_new0 (AuthorsRequest, 1);
  g_weak_ref_init (&request->window, self);
  request->uuid = g_strdup (uuid);
  cp_sync_manager_get_authors_async (self->sync, uuid, NULL, authors_done_cb, request);
}

/* Who the signed-in user is to @packet and the stage it is in: what the packet view lets them
 * write. */
static void
cp_window_apply_access (CpWindow *self,
                        CpPacket *packet)
{
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
  GPtrArray *pages;   /* owned by the view */
  gboolean locked;
  CpTemplate *tmpl = NULL;
  const char *role = NULL;
  CpRole party = CP_ROLE_NONE;
  const CpWorkflowState *stage = NULL;
  g_autofree char *server_stage = NULL;
  CpRole server_party = CP_ROLE_NONE;

  if (registry != NULL)
    tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                     cp_packet_get_template_version (packet));
  if (self->sync != NULL && cp_sync_manager_is_logged_in (self->sync))
    role = cp_sync_manager_get_role (self->sync);
  if (tmpl != NULL)
    {
      cp_window_get_review_place (self, cp_packet_get_uuid (packet), &server_stage,
                                  &server_party);
      party = cp_app_party_for (tmpl, role, server_party);
      stage = cp_app_stage_for (tmpl, cp_packet_get_state (packet), server_stage);
    }
  cp_packet_view_set_access (self->packet_view, party, stage != NULL ? stage->id : NULL);
  if (party != CP_ROLE_NONE && role != NULL)
    cp_window_load_authors (self, cp_packet_get_uuid (packet));
  /* An agency's name and code come from its account, not from typing. */
  if (party == CP_ROLE_COACHING_AGENCY || party == CP_ROLE_EVALUATING_AGENCY)
    cp_packet_view_fill_account (self->packet_view, cp_sync_manager_get_agency_name (self->sync),
                                 cp_sync_manager_get_agency_uscc (self->sync));

  /* Nobody signed in, or a kind without a review chain: a submitted or accepted packet is
   * read-only as a whole. Else each part is writable or not by its owner and the stage, field by
   * field. */
  locked = party == CP_ROLE_NONE && (cp_packet_get_state (packet) == CP_PACKET_STATE_ACCEPTED ||
                                     cp_packet_get_state (packet) == CP_PACKET_STATE_SUBMITTED);
  pages = cp_packet_view_get_pages (self->packet_view);
  for (guint i = 0; pages != NULL && i < pages->len; i++)
    {
      const char *id = g_ptr_array_index (pages, i);
      GtkWidget *page = cp_packet_view_get_page_widget (self->packet_view, id);
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

      if (page == NULL || g_strcmp0 (id, CP_PAGE_COMPLETENESS) == 0)
        continue;
      /* A field that turns insensitive with the focus in it never gets its focus-out in
       * GTK 4.8: take the focus out first. */
      if (locked && focus != NULL && gtk_widget_is_ancestor (focus, page))
        gtk_window_set_focus (GTK_WINDOW (self), NULL);
      gtk_widget_set_sensitive (page, !locked);
    }
}

/* A step taken here or by another party moves the open packet to another stage, where other
 * parts are writable: follow it (the content may not have changed at all). */
static void
cp_window_follow_stage (CpWindow *self)
{
  CpPacket *shown = cp_packet_view_get_packet (self->packet_view);
  g_autofree char *stage = NULL;
  CpRole party = CP_ROLE_NONE;

  if (shown == NULL)
    return;
  cp_window_get_review_place (self, cp_packet_get_uuid (shown), &stage, &party);
  if (stage != NULL && g_strcmp0 (stage, cp_packet_view_get_stage (self->packet_view)) != 0)
    _cp_window_apply_workflow_state (self);
}

/* Signing in or out, or as someone else, changes who writes what in the open packet. */
static void
sync_account_changed_cb (CpWindow *self)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);

  if (packet != NULL)
    cp_window_apply_access (self, packet);
}

void
_cp_window_apply_workflow_state (CpWindow *self)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  gboolean submitted;

  if (packet == NULL)
    return;
  submitted = cp_packet_get_state (packet) == CP_PACKET_STATE_ACCEPTED ||
              cp_packet_get_state (packet) == CP_PACKET_STATE_SUBMITTED;
  cp_window_apply_access (self, packet);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", !submitted);
  cp_window_show_workflow (self);
  if (cp_packet_get_state (packet) != CP_PACKET_STATE_DRAFT &&
      cp_packet_get_state (packet) != CP_PACKET_STATE_READY && self->sync != NULL &&
      cp_sync_manager_is_logged_in (self->sync))
    cp_window_load_workflow_step (self, cp_packet_get_uuid (packet));
  /* In a review chain each party writes its own parts in each stage: the fields say which. */
  if (cp_packet_view_get_party (self->packet_view) != CP_ROLE_NONE)
    ;
  else if (cp_packet_get_state (packet) == CP_PACKET_STATE_ACCEPTED)
    cp_window_show_toast (self, _("The credit office accepted this packet. It can no longer be "
                                  "changed."));
  else if (cp_packet_get_state (packet) == CP_PACKET_STATE_SUBMITTED)
    cp_window_show_toast (self, _("This packet was submitted. It cannot be changed unless the "
                                  "credit office returns it."));
  /* Comments belong to a returned packet; once it is submitted again they have been answered. */
  if (cp_packet_get_state (packet) != CP_PACKET_STATE_RETURNED)
    g_hash_table_remove (self->review_comments, cp_packet_get_uuid (packet));
  else
    {
      CpStore *store = _cp_window_get_store (self);

      /* Offline, or before the server answers: the comments the last sync kept. */
      if (!g_hash_table_contains (self->review_comments, cp_packet_get_uuid (packet)) &&
          store != NULL)
        {
          const char *uuid = cp_packet_get_uuid (packet);
          g_autoptr(GPtrArray) comments = cp_sync_engine_load_comments (store, uuid);

          if (comments != NULL)
            g_hash_table_replace (self->review_comments, g_strdup (cp_packet_get_uuid (packet)),
                                  g_ptr_array_ref (comments));
        }
      cp_packet_view_set_review_comments (self->packet_view,
                                          g_hash_table_lookup (self->review_comments,
                                                               cp_packet_get_uuid (packet)));
    }
  if (cp_packet_get_state (packet) == CP_PACKET_STATE_RETURNED && self->sync != NULL &&
      cp_sync_manager_is_logged_in (self->sync))
    cp_sync_manager_get_comments_async (self->sync, cp_packet_get_uuid (packet), NULL,
                                        comments_done_cb, g_object_ref (self));
}

void
_cp_window_class_actions_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.new-packet", NULL, new_packet_action);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "win.delete-packet", "s",
                                   delete_packet_action);
  gtk_widget_class_install_action (widget_class, "win.undo-delete", "s", undo_delete_action);
  gtk_widget_class_install_action (widget_class, "win.undo-last-delete", NULL,
                                   undo_last_delete_action);
  gtk_widget_class_install_action (widget_class, "win.restore-packet", "s",
                                   restore_packet_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.sync", NULL, sync_action);
  gtk_widget_class_install_action (widget_class, "win.cancel-sync", NULL, cancel_sync_action);
  gtk_widget_class_install_action (widget_class, "win.login", NULL, login_action);
  gtk_widget_class_install_action (widget_class, "win.logout", NULL, logout_action);
  gtk_widget_class_install_action (widget_class, "win.resolve-conflict", "s",
                                   resolve_conflict_action);
  gtk_widget_class_install_action (widget_class, "win.show-history", NULL, show_history_action);
  gtk_widget_class_install_action (widget_class, "win.submit", NULL, submit_action);
  gtk_widget_class_install_action (widget_class, "win.review-queue", NULL, review_queue_action);
  gtk_widget_class_install_action (widget_class, "win.progress", NULL, progress_action);
  gtk_widget_class_install_action (widget_class, "win.export-report", NULL,
                                   export_report_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.progress", NULL);
}
