/* cp-sync-status.c — the header-bar button that tells where sync stands
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-sync-status.h"
#include "cp-sync-status-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-client-enums.h"

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
  GPtrArray        *bindings;   /* GBinding *, from the manager's properties */

  /* The manager's state, bound from its properties. */
  CpSyncManagerStatus status;
  char             *reason;
  guint             n_pending;
  guint             n_conflicts;
  guint             n_quarantined;
  gboolean          logged_in;
  char             *user;
  char             *server_url;
  char             *session_only_reason;
  GDateTime        *last_sync;
  guint64           blob_sent;
  guint64           blob_total;
};

enum {
  PROP_0,
  PROP_STATUS,
  PROP_REASON,
  PROP_N_PENDING,
  PROP_N_CONFLICTS,
  PROP_N_QUARANTINED,
  PROP_LOGGED_IN,
  PROP_USER,
  PROP_SERVER_URL,
  PROP_SESSION_ONLY_REASON,
  PROP_LAST_SYNC,
  PROP_BLOB_SENT,
  PROP_BLOB_TOTAL,
  PROP_LABEL,
  PROP_TITLE,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Each manager property and the property of ours it is bound to. */
static const struct
{
  const char *source;
  guint       target;
} bound[] = {
  { "status", PROP_STATUS },
  { "message", PROP_REASON },
  { "n-pending", PROP_N_PENDING },
  { "n-conflicts", PROP_N_CONFLICTS },
  { "n-quarantined", PROP_N_QUARANTINED },
  { "logged-in", PROP_LOGGED_IN },
  { "user", PROP_USER },
  { "server-url", PROP_SERVER_URL },
  { "session-only-reason", PROP_SESSION_ONLY_REASON },
  { "last-sync", PROP_LAST_SYNC },
  { "blob-sent", PROP_BLOB_SENT },
  { "blob-total", PROP_BLOB_TOTAL },
};

G_DEFINE_FINAL_TYPE (CpSyncStatus, cp_sync_status, ADW_TYPE_BIN)

static void
cp_sync_status_update (CpSyncStatus *self)
{
  CpSyncManagerStatus status = self->status;
  const char *icon = "emblem-synchronizing-symbolic";
  g_autofree char *label = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GString) message = g_string_new (NULL);
  g_autofree char *account = NULL;
  guint n_pending = self->n_pending;
  guint n_conflicts = self->n_conflicts;
  guint n_quarantined = self->n_quarantined;
  guint64 sent = self->blob_sent, total = self->blob_total;
  gboolean logged_in = self->logged_in;
  g_autofree char *old_label = g_strdup (adw_button_content_get_label (self->content));
  g_autofree char *old_title = g_strdup (gtk_label_get_text (self->title_label));
  g_autofree char *old_message = g_strdup (gtk_label_get_text (self->message_label));

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
      if (self->reason != NULL)
        g_string_append (message, self->reason);
      g_string_append_printf (message, "%s%s", message->len > 0 ? "\n" : "",
                              _("Keep working: your changes are saved on this computer and "
                                "sent when the server can be reached again."));
      break;
    case CP_SYNC_STATUS_ERROR:
      icon = "dialog-warning-symbolic";
      label = g_strdup (_("Sync Error"));
      title = g_strdup (_("The last sync failed"));
      if (self->reason != NULL)
        g_string_append (message, self->reason);
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
  if (status == CP_SYNC_STATUS_SYNCED && self->last_sync != NULL)
    {
      g_autofree char *time = g_date_time_format (self->last_sync, "%H:%M");

      if (message->len > 0)
        g_string_append_c (message, '\n');
      g_string_append_printf (message, _("Last synced at %s."), time);
    }

  if (self->user != NULL && self->server_url != NULL &&
      status != CP_SYNC_STATUS_DISABLED && status != CP_SYNC_STATUS_LOGGED_OUT)
    {
      /* Translators: "Logged in as USER on SERVER" */
      account = g_strdup_printf (_("Logged in as %s on %s"), self->user, self->server_url);
      if (self->session_only_reason != NULL)
        {
          char *tmp = g_strconcat (account, "\n", self->session_only_reason, NULL);
          g_free (account);
          account = tmp;
        }
    }

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

  if (g_strcmp0 (old_label, label) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LABEL]);
  if (g_strcmp0 (old_title, title) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
  if (g_strcmp0 (old_message, message->str) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static void
cp_sync_status_unbind (CpSyncStatus *self)
{
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);
}

static void
set_string (CpSyncStatus *self,
            char        **field,
            const char   *value,
            guint         prop_id)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

#define SET_VALUE(self, field, value, prop_id) \
  G_STMT_START { \
    if ((self)->field != (value)) \
      { \
        (self)->field = (value); \
        g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]); \
      } \
  } G_STMT_END

static void
cp_sync_status_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CpSyncStatus *self = CP_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_N_CONFLICTS:
      g_value_set_uint (value, self->n_conflicts);
      break;
    case PROP_N_QUARANTINED:
      g_value_set_uint (value, self->n_quarantined);
      break;
    case PROP_LOGGED_IN:
      g_value_set_boolean (value, self->logged_in);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_SESSION_ONLY_REASON:
      g_value_set_string (value, self->session_only_reason);
      break;
    case PROP_LAST_SYNC:
      g_value_set_boxed (value, self->last_sync);
      break;
    case PROP_BLOB_SENT:
      g_value_set_uint64 (value, self->blob_sent);
      break;
    case PROP_BLOB_TOTAL:
      g_value_set_uint64 (value, self->blob_total);
      break;
    case PROP_LABEL:
      g_value_set_string (value, adw_button_content_get_label (self->content));
      break;
    case PROP_TITLE:
      g_value_set_string (value, gtk_label_get_text (self->title_label));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, gtk_label_get_text (self->message_label));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_sync_status_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CpSyncStatus *self = CP_SYNC_STATUS (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      SET_VALUE (self, status, (CpSyncManagerStatus) g_value_get_enum (value), prop_id);
      break;
    case PROP_REASON:
      set_string (self, &self->reason, g_value_get_string (value), prop_id);
      break;
    case PROP_N_PENDING:
      SET_VALUE (self, n_pending, g_value_get_uint (value), prop_id);
      break;
    case PROP_N_CONFLICTS:
      SET_VALUE (self, n_conflicts, g_value_get_uint (value), prop_id);
      break;
    case PROP_N_QUARANTINED:
      SET_VALUE (self, n_quarantined, g_value_get_uint (value), prop_id);
      break;
    case PROP_LOGGED_IN:
      SET_VALUE (self, logged_in, g_value_get_boolean (value), prop_id);
      break;
    case PROP_USER:
      set_string (self, &self->user, g_value_get_string (value), prop_id);
      break;
    case PROP_SERVER_URL:
      set_string (self, &self->server_url, g_value_get_string (value), prop_id);
      break;
    case PROP_SESSION_ONLY_REASON:
      set_string (self, &self->session_only_reason, g_value_get_string (value), prop_id);
      break;
    case PROP_LAST_SYNC:
      if (self->last_sync != g_value_get_boxed (value))
        {
          g_clear_pointer (&self->last_sync, g_date_time_unref);
          self->last_sync = g_value_dup_boxed (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_BLOB_SENT:
      SET_VALUE (self, blob_sent, g_value_get_uint64 (value), prop_id);
      break;
    case PROP_BLOB_TOTAL:
      SET_VALUE (self, blob_total, g_value_get_uint64 (value), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }
  cp_sync_status_update (self);
}

static void
cp_sync_status_dispose (GObject *object)
{
  CpSyncStatus *self = CP_SYNC_STATUS (object);

  cp_sync_status_unbind (self);
  g_clear_object (&self->manager);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_SYNC_STATUS);

  G_OBJECT_CLASS (cp_sync_status_parent_class)->dispose (object);
}

static void
cp_sync_status_finalize (GObject *object)
{
  CpSyncStatus *self = CP_SYNC_STATUS (object);

  g_clear_pointer (&self->bindings, g_ptr_array_unref);
  g_free (self->reason);
  g_free (self->user);
  g_free (self->server_url);
  g_free (self->session_only_reason);
  g_clear_pointer (&self->last_sync, g_date_time_unref);

  G_OBJECT_CLASS (cp_sync_status_parent_class)->finalize (object);
}

static void
cp_sync_status_class_init (CpSyncStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  GParamFlags bound_flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags shown_flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cp_sync_status_dispose;
  object_class->finalize = cp_sync_status_finalize;
  object_class->get_property = cp_sync_status_get_property;
  object_class->set_property = cp_sync_status_set_property;

  /* What the manager says (cp_sync_status_set_manager() binds them). */
  properties[PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, CP_TYPE_SYNC_MANAGER_STATUS,
                       CP_SYNC_STATUS_DISABLED, bound_flags);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, bound_flags);
  properties[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                                                  bound_flags);
  properties[PROP_N_CONFLICTS] = g_param_spec_uint ("n-conflicts", NULL, NULL, 0, G_MAXUINT,
                                                    0, bound_flags);
  properties[PROP_N_QUARANTINED] = g_param_spec_uint ("n-quarantined", NULL, NULL, 0,
                                                      G_MAXUINT, 0, bound_flags);
  properties[PROP_LOGGED_IN] = g_param_spec_boolean ("logged-in", NULL, NULL, FALSE,
                                                     bound_flags);
  properties[PROP_USER] = g_param_spec_string ("user", NULL, NULL, NULL, bound_flags);
  properties[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, NULL,
                                                     bound_flags);
  properties[PROP_SESSION_ONLY_REASON] = g_param_spec_string ("session-only-reason", NULL,
                                                              NULL, NULL, bound_flags);
  properties[PROP_LAST_SYNC] = g_param_spec_boxed ("last-sync", NULL, NULL, G_TYPE_DATE_TIME,
                                                   bound_flags);
  properties[PROP_BLOB_SENT] = g_param_spec_uint64 ("blob-sent", NULL, NULL, 0, G_MAXUINT64, 0,
                                                    bound_flags);
  properties[PROP_BLOB_TOTAL] = g_param_spec_uint64 ("blob-total", NULL, NULL, 0, G_MAXUINT64,
                                                     0, bound_flags);
  /* What it shows: the button's label ("Synced", "1 pending", …), and its popover's title
   * and message. */
  properties[PROP_LABEL] = g_param_spec_string ("label", NULL, NULL, NULL, shown_flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, shown_flags);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, shown_flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

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
  self->bindings = g_ptr_array_new ();
  cp_sync_status_update (self);
}

void
cp_sync_status_set_manager (CpSyncStatus  *self,
                            CpSyncManager *manager)
{
  g_return_if_fail (CP_IS_SYNC_STATUS (self));
  g_return_if_fail (manager == NULL || CP_IS_SYNC_MANAGER (manager));

  cp_sync_status_unbind (self);
  g_set_object (&self->manager, manager);
  if (manager == NULL)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 0; i < G_N_ELEMENTS (bound); i++)
    g_ptr_array_add (self->bindings,
                     g_object_bind_property (manager, bound[i].source,
                                             self, properties[bound[i].target]->name,
                                             G_BINDING_SYNC_CREATE));
  g_object_thaw_notify (G_OBJECT (self));
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
