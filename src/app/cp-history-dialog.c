/* cp-history-dialog.c — the revisions of one packet: which, who, when
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-history-dialog.h"

#include <glib/gi18n.h>

struct _CpHistoryDialog
{
  AdwWindow            parent_instance;

  AdwPreferencesGroup *group;
  GtkSpinner          *spinner;
  GPtrArray           *rows;      /* AdwActionRow *, not owned */
  GCancellable        *cancellable;
  gboolean             loading;
  gboolean             from_server;
};

G_DEFINE_FINAL_TYPE (CpHistoryDialog, cp_history_dialog, ADW_TYPE_WINDOW)

static const char *
action_title (const char *action)
{
  if (g_strcmp0 (action, "submit") == 0)
    return _("Submitted");
  if (g_strcmp0 (action, "return") == 0)
    return _("Returned with comments");
  if (g_strcmp0 (action, "accept") == 0)
    return _("Accepted");
  return _("Saved");
}

static void
add_row (CpHistoryDialog *self,
         const char      *title,
         const char      *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_preferences_group_add (self->group, row);
  g_ptr_array_add (self->rows, row);
}

static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = g_date_time_to_local (time);

  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
show_local (CpHistoryDialog *self,
            CpStore         *store,
            const char      *uuid)
{
  g_autoptr(GPtrArray) revisions = cp_store_list_revisions (store, uuid, NULL);

  adw_preferences_group_set_description (self->group,
                                         _("The versions saved on this computer. Log in to see "
                                           "who changed the packet on the server."));
  for (guint i = 0; revisions != NULL && i < revisions->len; i++)
    {
      const CpRevisionInfo *info = g_ptr_array_index (revisions, i);
      g_autofree char *title = g_strdup_printf (_("Version %u"), info->revision);
      g_autofree char *when = format_time (info->saved_at);

      add_row (self, title, when);
    }
}

static void
revisions_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CpHistoryDialog) self = user_data;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  JsonArray *revisions = NULL;
  guint status = 0;

  node = cp_sync_manager_request_finish (CP_SYNC_MANAGER (object), result, &status, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->loading = FALSE;
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (node != NULL && status == 200 && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object_ = json_node_get_object (node);

      if (json_object_has_member (object_, "revisions") &&
          JSON_NODE_HOLDS_ARRAY (json_object_get_member (object_, "revisions")))
        revisions = json_object_get_array_member (object_, "revisions");
    }
  if (revisions == NULL)
    {
      adw_preferences_group_set_description (self->group,
                                             status == 404
                                             ? _("The server has no version of this packet yet. "
                                                 "It is sent with the next sync.")
                                             : _("The history could not be read from the "
                                                 "server. Try again later."));
      return;
    }

  self->from_server = TRUE;
  adw_preferences_group_set_description (self->group,
                                         _("Every version the server keeps, oldest first."));
  for (guint i = 0; i < json_array_get_length (revisions); i++)
    {
      JsonNode *element = json_array_get_element (revisions, i);
      JsonObject *receipt;
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      const char *who, *when;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        continue;
      receipt = json_node_get_object (element);
      who = json_object_get_string_member_with_default (receipt, "modified_by", "?");
      when = json_object_get_string_member_with_default (receipt, "modified_at", "");
      /* Translators: "Version 3 · Submitted" */
      title = g_strdup_printf (_("Version %d · %s"),
                               (int) json_object_get_int_member_with_default (receipt,
                                                                              "revision", 0),
                               action_title (json_object_get_string_member_with_default (
                                 receipt, "action", NULL)));
      {
        g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (when, NULL);
        g_autofree char *local = time != NULL ? format_time (time) : g_strdup (when);

        /* Translators: "by USER, DATE TIME" */
        subtitle = g_strdup_printf (_("by %s, %s"), who, local);
      }
      add_row (self, title, subtitle);
    }
}

static void
cp_history_dialog_dispose (GObject *object)
{
  CpHistoryDialog *self = CP_HISTORY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (cp_history_dialog_parent_class)->dispose (object);
}

static void
cp_history_dialog_finalize (GObject *object)
{
  CpHistoryDialog *self = CP_HISTORY_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->rows, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_history_dialog_parent_class)->finalize (object);
}

static void
cp_history_dialog_class_init (CpHistoryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_history_dialog_dispose;
  object_class->finalize = cp_history_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_history_dialog_init (CpHistoryDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *page = adw_preferences_page_new ();

  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  gtk_window_set_title (GTK_WINDOW (self), _("History"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 520);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);

  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->spinner), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reading the history"), -1);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->spinner));
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->group);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);
}

CpHistoryDialog *
cp_history_dialog_new (GtkWindow     *parent,
                       CpSyncManager *manager,
                       CpStore       *store,
                       const char    *uuid)
{
  CpHistoryDialog *self;

  g_return_val_if_fail (manager == NULL || CP_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  self = g_object_new (CP_TYPE_HISTORY_DIALOG, "transient-for", parent, NULL);
  if (manager != NULL && cp_sync_manager_is_logged_in (manager))
    {
      g_autofree char *path = g_strdup_printf ("/api/v1/packets/%s/revisions", uuid);

      self->loading = TRUE;
      gtk_spinner_set_spinning (self->spinner, TRUE);
      cp_sync_manager_request_async (manager, "GET", path, NULL, self->cancellable,
                                     revisions_done_cb, g_object_ref (self));
    }
  else
    show_local (self, store, uuid);
  return self;
}

guint
cp_history_dialog_get_n_rows (CpHistoryDialog *self)
{
  g_return_val_if_fail (CP_IS_HISTORY_DIALOG (self), 0);
  return self->rows->len;
}

gboolean
cp_history_dialog_is_loading (CpHistoryDialog *self)
{
  g_return_val_if_fail (CP_IS_HISTORY_DIALOG (self), FALSE);
  return self->loading;
}

gboolean
cp_history_dialog_is_from_server (CpHistoryDialog *self)
{
  g_return_val_if_fail (CP_IS_HISTORY_DIALOG (self), FALSE);
  return self->from_server;
}

const char *
cp_history_dialog_get_row_subtitle (CpHistoryDialog *self,
                                    guint            index)
{
  g_return_val_if_fail (CP_IS_HISTORY_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  return adw_action_row_get_subtitle (g_ptr_array_index (self->rows, index));
}
