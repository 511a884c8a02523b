/* cp-sync-status.c — the header-bar button that tells where sync stands
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-sync-status.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"

struct _CpSyncStatus
{
  AdwBin            parent_instance;

  GtkMenuButton    *button;
  AdwButtonContent *content;
  GtkLabel         *title_label;
  GtkLabel         *message_label;
  GtkLabel         *account_label;
  GtkBox           *progress_box;
  GtkProgressBar   *progress_bar;
  GtkButton        *sync_button;
  GtkButton        *login_button;
  GtkButton        *logout_button;

  CpSyncManager    *manager;
};

G_DEFINE_FINAL_TYPE (CpSyncStatus, cp_sync_status, ADW_TYPE_BIN)

static void
cp_sync_status_update (CpSyncStatus *self)
{
  CpSyncManager *m = self->manager;
  CpSyncManagerStatus status;
  const char *icon = "emblem-synchronizing-symbolic";
  g_autofree char *label = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *account = NULL;
  guint n_pending, n_conflicts, n_quarantined;
  guint64 sent = 0, total = 0;
  gboolean logged_in;

  if (m == NULL)
    return;
  status = cp_sync_manager_get_status (m);
  n_pending = cp_sync_manager_get_n_pending (m);
  n_conflicts = cp_sync_manager_get_n_conflicts (m);
  n_quarantined = cp_sync_manager_get_n_quarantined (m);
  logged_in = cp_sync_manager_is_logged_in (m);

  switch (status)
    {
    case CP_SYNC_STATUS_DISABLED:
    case CP_SYNC_STATUS_LOGGED_OUT:
      icon = "avatar-default-symbolic";
      label = g_strdup (_("Not Syncing"));
      title = g_strdup (_("Your packets are kept on this computer only"));
      g_string_append (message, _("Log in to the credit office’s server to send your packets "
                                  "and keep them in step with it."));
      break;
    case CP_SYNC_STATUS_SYNCED:
      icon = "emblem-ok-symbolic";
      label = g_strdup (_("Synced"));
      title = g_strdup (_("All changes are synced"));
      break;
    case CP_SYNC_STATUS_PENDING:
      icon = "emblem-synchronizing-symbolic";
      /* Translators: on the header-bar button; %u is a number of packets */
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u pending", "%u pending",
                                            n_pending), n_pending);
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%u packet waits to be sent",
                                            "%u packets wait to be sent", n_pending),
                               n_pending);
      g_string_append (message, _("Changes are sent at the next sync. Press “Sync Now” to send "
                                  "them at once."));
      break;
    case CP_SYNC_STATUS_SYNCING:
      icon = "emblem-synchronizing-symbolic";
      label = g_strdup (_("Syncing…"));
      title = g_strdup (_("Syncing with the server"));
      break;
    case CP_SYNC_STATUS_OFFLINE:
      icon = "network-offline-symbolic";
      label = g_strdup (_("Offline"));
      title = g_strdup (_("The server cannot be reached"));
      if (cp_sync_manager_get_message (m) != NULL)
        g_string_append (message, cp_sync_manager_get_message (m));
      g_string_append_printf (message, "%s%s", message->len > 0 ? "\n" : "",
                              _("Keep working: your changes are saved on this computer and "
                                "sent when the server can be reached again."));
      break;
    case CP_SYNC_STATUS_ERROR:
      icon = "dialog-warning-symbolic";
      label = g_strdup (_("Sync Error"));
      title = g_strdup (_("The last sync failed"));
      if (cp_sync_manager_get_message (m) != NULL)
        g_string_append (message, cp_sync_manager_get_message (m));
      break;
    case CP_SYNC_STATUS_NEEDS_LOGIN:
      icon = "dialog-password-symbolic";
      label = g_strdup (_("Log In Again"));
      title = g_strdup (_("Your session has ended"));
      g_string_append (message, _("Log in again to continue syncing. Your changes are kept."));
      break;
    default:
      g_assert_not_reached ();
    }

  /* Conflicts wait for the user: say so before "synced" or "pending". */
  if ((status == CP_SYNC_STATUS_SYNCED || status == CP_SYNC_STATUS_PENDING) && n_conflicts > 0)
    {
      icon = "dialog-warning-symbolic";
      g_free (label);
      /* Translators: on the header-bar button; %u is a number of packets */
      label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts",
                                            n_conflicts), n_conflicts);
      g_free (title);
      title = g_strdup (_("Some packets need your decision"));
    }

  if ((status == CP_SYNC_STATUS_OFFLINE || status == CP_SYNC_STATUS_ERROR ||
       status == CP_SYNC_STATUS_NEEDS_LOGIN) && n_pending > 0)
    {
      g_string_append_c (message, '\n');
      g_string_append_printf (message, g_dngettext (GETTEXT_PACKAGE,
                                                    "%u packet waits to be sent.",
                                                    "%u packets wait to be sent.", n_pending),
                              n_pending);
    }
  if (n_conflicts > 0)
    {
      if (message->len > 0)
        g_string_append_c (message, '\n');
      g_string_append_printf (message,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "%u packet was changed both here and on the server. "
                                           "Open it from the list to choose which values to keep.",
                                           "%u packets were changed both here and on the server. "
                                           "Open them from the list to choose which values to keep.",
                                           n_conflicts), n_conflicts);
    }
  if (n_quarantined > 0)
    {
      if (message->len > 0)
        g_string_append_c (message, '\n');
      g_string_append_printf (message,
                              g_dngettext (GETTEXT_PACKAGE,
                                           "The server refused %u packet. Open it to see why.",
                                           "The server refused %u packets. Open them to see why.",
                                           n_quarantined), n_quarantined);
    }
  if (status == CP_SYNC_STATUS_SYNCED && cp_sync_manager_get_last_sync (m) != NULL)
    {
      g_autofree char *time = g_date_time_format (cp_sync_manager_get_last_sync (m), "%H:%M");

      if (message->len > 0)
        g_string_append_c (message, '\n');
      g_string_append_printf (message, _("Last synced at %s."), time);
    }

  if (cp_sync_manager_get_user (m) != NULL && cp_sync_manager_get_server_url (m) != NULL &&
      status != CP_SYNC_STATUS_DISABLED && status != CP_SYNC_STATUS_LOGGED_OUT)
    {
      /* Translators: "Logged in as USER on SERVER" */
      account = g_strdup_printf (_("Logged in as %s on %s"), cp_sync_manager_get_user (m),
                                 cp_sync_manager_get_server_url (m));
      if (cp_sync_manager_get_session_only_reason (m) != NULL)
        {
          char *tmp = g_strconcat (account, "\n", cp_sync_manager_get_session_only_reason (m),
                                   NULL);
          g_free (account);
          account = tmp;
        }
    }

  cp_sync_manager_get_blob_progress (m, &sent, &total);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box),
                          status == CP_SYNC_STATUS_SYNCING && total > 0);
  if (total > 0)
    {
      g_autofree char *sent_text = cp_app_format_size (sent);
      g_autofree char *total_text = cp_app_format_size (total);
      g_autofree char *text = NULL;

      /* Translators: attachment upload progress, "1.2 MB of 20 MB" */
      text = g_strdup_printf (_("%s of %s"), sent_text, total_text);
      gtk_progress_bar_set_fraction (self->progress_bar, (double) sent / (double) total);
      gtk_progress_bar_set_text (self->progress_bar, text);
    }

  adw_button_content_set_icon_name (self->content, icon);
  adw_button_content_set_label (self->content, label);
  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->message_label, message->str);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message->len > 0);
  gtk_label_set_text (self->account_label, account != NULL ? account : "");
  gtk_widget_set_visible (GTK_WIDGET (self->account_label), account != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_button), logged_in);
  gtk_widget_set_visible (GTK_WIDGET (self->login_button), !logged_in);
  /* After an ended session the dialog asks only for the password of the same account. */
  gtk_button_set_label (self->login_button, status == CP_SYNC_STATUS_NEEDS_LOGIN
                                            ? _("_Log In Again…") : _("_Log In…"));
  gtk_widget_set_visible (GTK_WIDGET (self->logout_button),
                          logged_in || status == CP_SYNC_STATUS_NEEDS_LOGIN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
}

static void
cp_sync_status_dispose (GObject *object)
{
  CpSyncStatus *self = CP_SYNC_STATUS (object);

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_SYNC_STATUS);

  G_OBJECT_CLASS (cp_sync_status_parent_class)->dispose (object);
}

static void
cp_sync_status_class_init (CpSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_sync_status_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-sync-status.ui");
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, content);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, title_label);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, message_label);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, account_label);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, progress_box);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, sync_button);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, login_button);
  gtk_widget_class_bind_template_child (widget_class, CpSyncStatus, logout_button);
}

static void
cp_sync_status_init (CpSyncStatus *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Not bound: AdwBin unparents its child itself, after the template is gone. */
  self->button = GTK_MENU_BUTTON (adw_bin_get_child (ADW_BIN (self)));
}

void
cp_sync_status_set_manager (CpSyncStatus  *self,
                            CpSyncManager *manager)
{
  g_return_if_fail (CP_IS_SYNC_STATUS (self));
  g_return_if_fail (manager == NULL || CP_IS_SYNC_MANAGER (manager));

  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (self->manager, self);
  g_set_object (&self->manager, manager);
  if (manager != NULL)
    g_signal_connect_swapped (manager, "changed", G_CALLBACK (cp_sync_status_update), self);
  cp_sync_status_update (self);
}

const char *
cp_sync_status_get_label (CpSyncStatus *self)
{
  g_return_val_if_fail (CP_IS_SYNC_STATUS (self), NULL);
  return adw_button_content_get_label (self->content);
}

const char *
cp_sync_status_get_title (CpSyncStatus *self)
{
  g_return_val_if_fail (CP_IS_SYNC_STATUS (self), NULL);
  return gtk_label_get_text (self->title_label);
}

const char *
cp_sync_status_get_message (CpSyncStatus *self)
{
  g_return_val_if_fail (CP_IS_SYNC_STATUS (self), NULL);
  return gtk_label_get_text (self->message_label);
}

void
cp_sync_status_popup (CpSyncStatus *self)
{
  g_return_if_fail (CP_IS_SYNC_STATUS (self));
  gtk_menu_button_popup (self->button);
}

void
cp_sync_status_popdown (CpSyncStatus *self)
{
  g_return_if_fail (CP_IS_SYNC_STATUS (self));
  gtk_menu_button_popdown (self->button);
}
