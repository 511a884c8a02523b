/* cp-history-dialog.c — the revisions of one packet: which, who, when
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-history-dialog.h"
#include "cp-history-dialog-private.h"

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

enum {
  PROP_0,
  PROP_LOADING,
  PROP_FROM_SERVER,
  PROP_N_ROWS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ROWS]);
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
  g_autoptr(GListModel) revisions = NULL;
  g_autoptr(GError) error = NULL;

  revisions = cp_sync_manager_list_revisions_finish (CP_SYNC_MANAGER (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_object_freeze_notify (G_OBJECT (self));
  self->loading = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  if (revisions == NULL)
    {
      adw_preferences_group_set_description (self->group,
                                             g_error_matches (error, CP_SYNC_ERROR,
                                                              CP_SYNC_ERROR_NOT_FOUND)
                                             ? _("The server has no version of this packet yet. "
                                                 "It is sent with the next sync.")
                                             : _("The history could not be read from the "
                                                 "server. Try again later."));
      g_object_thaw_notify (G_OBJECT (self));
      return;
    }

  self->from_server = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FROM_SERVER]);
  adw_preferences_group_set_description (self->group,
                                         _("Every version the server keeps, oldest first."));
  for (guint i = 0; i < g_list_model_get_n_items (revisions); i++)
    {
      g_autoptr(CpRevision) revision = g_list_model_get_item (revisions, i);
      const char *who = cp_revision_get_modified_by (revision);
      GDateTime *when = cp_revision_get_modified_at (revision);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *local = when != NULL ? format_time (when) : g_strdup ("");

      /* Translators: "Version 3 · Submitted" */
      title = g_strdup_printf (_("Version %d · %s"), (int) cp_revision_get_number (revision),
                               action_title (cp_revision_get_action (revision)));
      /* Translators: "by USER, DATE TIME" */
      subtitle = g_strdup_printf (_("by %s, %s"), who != NULL ? who : "?", local);
      add_row (self, title, subtitle);
    }
  g_object_thaw_notify (G_OBJECT (self));
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
cp_history_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CpHistoryDialog *self = CP_HISTORY_DIALOG (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_FROM_SERVER:
      g_value_set_boolean (value, self->from_server);
      break;
    case PROP_N_ROWS:
      g_value_set_uint (value, self->rows->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_history_dialog_class_init (CpHistoryDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cp_history_dialog_dispose;
  object_class->finalize = cp_history_dialog_finalize;
  object_class->get_property = cp_history_dialog_get_property;

  /* Whether the server's revisions are being read. */
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, flags);
  /* Whether the rows are the server's revisions (else the ones saved on this computer). */
  properties[PROP_FROM_SERVER] = g_param_spec_boolean ("from-server", NULL, NULL, FALSE, flags);
  properties[PROP_N_ROWS] = g_param_spec_uint ("n-rows", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
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
      self->loading = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
      gtk_spinner_set_spinning (self->spinner, TRUE);
      cp_sync_manager_list_revisions_async (manager, uuid, self->cancellable, revisions_done_cb,
                                            g_object_ref (self));
    }
  else
    show_local (self, store, uuid);
  return self;
}

const char *
cp_history_dialog_get_row_subtitle (CpHistoryDialog *self,
                                    guint            index)
{
  g_return_val_if_fail (CP_IS_HISTORY_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  return adw_action_row_get_subtitle (g_ptr_array_index (self->rows, index));
}
