/* cp-login-dialog.c — asks for the server, the user name and the password
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-login-dialog.h"
#include "cp-login-dialog-private.h"

#include <glib/gi18n.h>
#include <string.h>

struct _CpLoginDialog
{
  AdwWindow      parent_instance;

  GtkButton     *cancel_button;
  GtkButton     *login_button;
  GtkSpinner    *spinner;
  AdwEntryRow   *server_row;
  AdwEntryRow   *user_row;
  AdwEntryRow   *password_row;
  GtkLabel      *url_label;
  GtkLabel      *message_label;
  AdwPreferencesPage *page;

  CpSyncManager *manager;
  GCancellable  *cancellable;
  gboolean       busy;
  gboolean       done;     /* logged in; "Log In" now closes */
  char          *intro;    /* shown when there is nothing else to say (the session ended) */
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpLoginDialog, cp_login_dialog, ADW_TYPE_WINDOW)

/* Drops the focus first: GTK 4.8 warns when a window goes away with a text field focused. */
static void
close_dialog (GtkWindow *window)
{
  GtkWidget *focus = gtk_window_get_focus (window);

  /* The text inside an entry row holds the focus: move it out of the window's widgets. */
  if (focus != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (window));
  gtk_window_set_focus (window, NULL);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_destroy (window);
}

static gboolean
host_is_loopback (const char *host)
{
  if (host == NULL)
    return FALSE;
  return g_str_has_prefix (host, "127.") || g_str_equal (host, "::1") ||
         g_str_equal (host, "[::1]") || g_ascii_strcasecmp (host, "localhost") == 0;
}

/* NULL when @text is an address the client accepts, else what is wrong with it. */
static const char *
url_problem (const char *text)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (text == NULL || *text == '\0')
    return NULL;
  uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return _("Enter an address such as https://credit.example.org.");
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return NULL;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    {
      if (host_is_loopback (g_uri_get_host (uri)))
        return NULL;
      return _("The address must start with https:// so that your password and packets are "
               "encrypted. Plain http:// is allowed only for a server on this computer.");
    }
  return _("Enter an address such as https://credit.example.org.");
}

/* What the dialog says under the rows, or NULL. */
static const char *
cp_login_dialog_shown_message (CpLoginDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->message_label))
         ? gtk_label_get_text (self->message_label) : NULL;
}

static void
cp_login_dialog_set_message (CpLoginDialog *self,
                             const char    *message,
                             gboolean       is_error)
{
  g_autofree char *before = g_strdup (cp_login_dialog_shown_message (self));

  if (message == NULL)
    message = self->intro;
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL && *message);
  if (is_error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
  if (g_strcmp0 (before, cp_login_dialog_shown_message (self)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);
}

static void
cp_login_dialog_set_busy (CpLoginDialog *self,
                          gboolean       busy)
{
  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
cp_login_dialog_update (CpLoginDialog *self)
{
  const char *url = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  const char *problem = url_problem (url);

  gtk_label_set_text (self->url_label, problem != NULL ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->url_label), problem != NULL);
  if (problem != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");

  gtk_widget_set_sensitive (GTK_WIDGET (self->login_button),
                            self->done || cp_login_dialog_can_log_in (self));
  /* Rows that hold the focus must not turn insensitive (GTK 4.8 loses the focus-out): while
   * a login runs they stay as they are; the "Log In" button is what is switched off. */
  if (self->done)
    {
      gtk_widget_grab_focus (GTK_WIDGET (self->login_button));
      gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->user_row), FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), FALSE);
    }
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

static void
entry_changed_cb (CpLoginDialog *self)
{
  if (!self->busy && !self->done)
    cp_login_dialog_set_message (self, NULL, FALSE);
  cp_login_dialog_update (self);
}

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CpLoginDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  cp_login_dialog_set_busy (self, FALSE);
  if (!cp_sync_manager_login_finish (CP_SYNC_MANAGER (object), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_LOGIN_FAILED))
        cp_login_dialog_set_message (self, _("The user name or the password is wrong. Check "
                                             "them and try again."), TRUE);
      else
        cp_login_dialog_set_message (self, error->message, TRUE);
      cp_login_dialog_update (self);
      if (gtk_widget_get_realized (GTK_WIDGET (self)))
        gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  if (cp_sync_manager_is_session_only (CP_SYNC_MANAGER (object)))
    {
      /* Say it plainly, with the reason, and let the user close the dialog. */
      self->done = TRUE;
      cp_login_dialog_set_message (self,
                                   cp_sync_manager_get_session_only_reason (
                                     CP_SYNC_MANAGER (object)), FALSE);
      gtk_button_set_label (self->login_button, _("_Close"));
      gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), FALSE);
      cp_login_dialog_update (self);
      return;
    }
  close_dialog (GTK_WINDOW (self));
}

static void
login_clicked_cb (CpLoginDialog *self)
{
  g_autofree char *url = NULL;

  if (self->done)
    {
      close_dialog (GTK_WINDOW (self));
      return;
    }
  if (!cp_login_dialog_can_log_in (self))
    return;

  url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  cp_login_dialog_set_busy (self, TRUE);
  cp_login_dialog_set_message (self, NULL, FALSE);
  cp_login_dialog_update (self);
  cp_sync_manager_login_async (self->manager, url,
                               gtk_editable_get_text (GTK_EDITABLE (self->user_row)),
                               gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                               self->cancellable, login_done_cb, g_object_ref (self));
}

static void
entry_activated_cb (CpLoginDialog *self)
{
  login_clicked_cb (self);
}

static void
cancel_clicked_cb (CpLoginDialog *self)
{
  close_dialog (GTK_WINDOW (self));
}

/* The accounts of the local server tools/run-app.sh starts (CP_LOCAL_ACCOUNTS names the file
 * it writes, readable by the user only): one of each role, listed so that a newcomer can log
 * in as each of them. */
static const struct
{
  const char *group;
  const char *title;
} local_roles[] = {
  { "enterprise", N_("Enterprise") },
  { "agency", N_("Credit service agency") },
  { "district-office", N_("District credit office (Gusu)") },
  { "city-office", N_("City credit office (all of Suzhou)") },
  { "admin", N_("Administrator") },
};

static void
local_account_activated_cb (AdwActionRow  *row,
                            CpLoginDialog *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->user_row),
                         g_object_get_data (G_OBJECT (row), "cp-user"));
  gtk_editable_set_text (GTK_EDITABLE (self->password_row),
                         g_object_get_data (G_OBJECT (row), "cp-password"));
  gtk_widget_grab_focus (GTK_WIDGET (self->login_button));
}

static void
cp_login_dialog_add_local_accounts (CpLoginDialog *self,
                                    const char    *url)
{
  const char *path = g_getenv ("CP_LOCAL_ACCOUNTS");
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GUri) uri = NULL;
  g_autofree char *contents = NULL;
  GtkWidget *group = NULL;
  gsize length = 0;

  if (path == NULL || url == NULL ||
      (uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      !host_is_loopback (g_uri_get_host (uri)) ||
      !g_file_get_contents (path, &contents, &length, NULL) || length > 65536 ||
      !g_key_file_load_from_data (file, contents, length, G_KEY_FILE_NONE, NULL))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (local_roles); i++)
    {
      g_autofree char *user = g_key_file_get_string (file, local_roles[i].group, "user", NULL);
      g_autofree char *password = g_key_file_get_string (file, local_roles[i].group,
                                                         "password", NULL);
      g_autofree char *subtitle = NULL;
      GtkWidget *row;

      if (user == NULL || password == NULL || !g_utf8_validate (user, -1, NULL) ||
          !g_utf8_validate (password, -1, NULL))
        continue;
      if (group == NULL)
        {
          group = adw_preferences_group_new ();
          adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group),
                                           _("Accounts of the Local Server"));
          adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                                 _("The server on this computer has one "
                                                   "account of each role. Choose one to fill "
                                                   "in its name and password."));
        }
      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(local_roles[i].title));
      /* Translators: a user name and its password on the local server */
      subtitle = g_strdup_printf (_("User name %s · password %s"), user, password);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("go-next-symbolic"));
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_object_set_data_full (G_OBJECT (row), "cp-user", g_steal_pointer (&user), g_free);
      g_object_set_data_full (G_OBJECT (row), "cp-password", g_steal_pointer (&password),
                              g_free);
      g_signal_connect (row, "activated", G_CALLBACK (local_account_activated_cb), self);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  if (group != NULL)
    adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (group));
}

static void
cp_login_dialog_dispose (GObject *object)
{
  CpLoginDialog *self = CP_LOGIN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_LOGIN_DIALOG);

  G_OBJECT_CLASS (cp_login_dialog_parent_class)->dispose (object);
}

static void
cp_login_dialog_finalize (GObject *object)
{
  CpLoginDialog *self = CP_LOGIN_DIALOG (object);

  g_clear_object (&self->manager);
  g_clear_object (&self->cancellable);
  g_free (self->intro);

  G_OBJECT_CLASS (cp_login_dialog_parent_class)->finalize (object);
}

static void
cp_login_dialog_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  CpLoginDialog *self = CP_LOGIN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, cp_login_dialog_shown_message (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_login_dialog_class_init (CpLoginDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_login_dialog_dispose;
  object_class->finalize = cp_login_dialog_finalize;
  object_class->get_property = cp_login_dialog_get_property;

  /* TRUE while the login runs. */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the dialog says under the rows (an error, the session-only notice, why the session
   * ended), or NULL. */
  properties [PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-login-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, login_button);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, user_row);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, url_label);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, message_label);
  gtk_widget_class_bind_template_child (widget_class, CpLoginDialog, page);
  gtk_widget_class_bind_template_callback (widget_class, entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, login_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_login_dialog_init (CpLoginDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

CpLoginDialog *
cp_login_dialog_new (GtkWindow     *parent,
                     CpSyncManager *manager)
{
  CpLoginDialog *self;
  const char *url, *user;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (manager), NULL);

  self = g_object_new (CP_TYPE_LOGIN_DIALOG, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  url = cp_sync_manager_get_server_url (manager);
  user = cp_sync_manager_get_user (manager);
  if (url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), url);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);

  if (cp_sync_manager_get_status (manager) == CP_SYNC_STATUS_NEEDS_LOGIN && url != NULL &&
      user != NULL)
    {
      g_autofree char *message = NULL;

      /* Only the password is asked, and for which account; the outbox waits. */
      gtk_window_set_title (GTK_WINDOW (self), _("Log In Again"));
      gtk_widget_set_visible (GTK_WIDGET (self->server_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->user_row), FALSE);
      /* Translators: the first %s is a user name, the second a server address */
      message = g_strdup_printf (_("The session of %s on %s has ended. Enter the password to "
                                   "continue syncing. Your changes are kept on this computer "
                                   "and sent once you are logged in."), user, url);
      self->intro = g_steal_pointer (&message);
    }
  else if (cp_sync_manager_get_status (manager) == CP_SYNC_STATUS_NEEDS_LOGIN)
    self->intro = g_strdup (cp_sync_manager_get_message (manager));
  else
    cp_login_dialog_add_local_accounts (self, url);
  cp_login_dialog_set_message (self, NULL, FALSE);
  cp_login_dialog_update (self);
  /* Typing starts in the first field still to fill (never on a button). */
  if (url == NULL || *url == '\0')
    gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->server_row));
  else if (user == NULL || *user == '\0')
    gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->user_row));
  else
    gtk_window_set_focus (GTK_WINDOW (self), GTK_WIDGET (self->password_row));
  return self;
}

void
cp_login_dialog_set_fields (CpLoginDialog *self,
                            const char    *server_url,
                            const char    *user,
                            const char    *password)
{
  g_return_if_fail (CP_IS_LOGIN_DIALOG (self));

  if (server_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  if (user != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->user_row), user);
  if (password != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

const char *
cp_login_dialog_get_url_problem (CpLoginDialog *self)
{
  g_return_val_if_fail (CP_IS_LOGIN_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->url_label))
         ? gtk_label_get_text (self->url_label) : NULL;
}

gboolean
cp_login_dialog_can_log_in (CpLoginDialog *self)
{
  const char *url, *user, *password;

  g_return_val_if_fail (CP_IS_LOGIN_DIALOG (self), FALSE);

  url = gtk_editable_get_text (GTK_EDITABLE (self->server_row));
  user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  return !self->busy && !self->done && *url && url_problem (url) == NULL && *user && *password;
}

void
cp_login_dialog_log_in (CpLoginDialog *self)
{
  g_return_if_fail (CP_IS_LOGIN_DIALOG (self));

  login_clicked_cb (self);
}
