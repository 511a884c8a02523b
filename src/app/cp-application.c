/* cp-application.c — the Credit Packet application
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-application.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>

#include "cp-app-resources.h"
#include "cp-app-util.h"
#include "cp-sync-manager.h"
#include "cp-window.h"

struct _CpApplication
{
  AdwApplication  parent_instance;

  char           *data_dir;
  CpStore        *store;
  CpTemplateRegistry *registry;
  GSettings      *settings;
  gboolean        settings_looked_up;
  char           *server_url;       /* --server or CP_SERVER_URL, or NULL */
  CpSyncManager  *sync_manager;
  guint           signal_ids[3];
  guint64         templates_inode;  /* the template cache folder last loaded */
  gint64          templates_mtime;
};

G_DEFINE_FINAL_TYPE (CpApplication, cp_application, ADW_TYPE_APPLICATION)

#define RESOURCE_BASE "/io/github/creditpacket/CreditPacket"

static void
cp_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  CpApplication *self = user_data;
  static const char *developers[] = { "The Credit Packet authors", NULL };
  GtkWindow *window;
  GtkWidget *about;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", window,
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        "application-name", _("Credit Packet"),
                        "developer-name", _("The Credit Packet authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Prepare, check and score enterprise credit-management "
                                      "application packets."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
cp_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  CpApplication *self = user_data;
  GList *windows;

  /* Closing each window flushes its pending edits before the application quits. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
  g_application_quit (G_APPLICATION (self));
}

static gboolean
quit_signal_cb (gpointer user_data)
{
  /* SIGTERM, SIGINT or SIGHUP (the session ending): write pending edits, then quit. */
  g_action_group_activate_action (G_ACTION_GROUP (user_data), "quit", NULL);
  return G_SOURCE_CONTINUE;
}

static const GActionEntry app_actions[] = {
  { "about", cp_application_about_action },
  { "quit", cp_application_quit_action },
};

static int
cp_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  CpApplication *self = CP_APPLICATION (app);
  const char *dir = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("credit-packet %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "data-dir", "^&ay", &dir) && dir != NULL && *dir)
    {
      g_free (self->data_dir);
      self->data_dir = g_canonicalize_filename (dir, NULL);
    }

  if (g_variant_dict_lookup (options, "server", "&s", &dir) && dir != NULL && *dir)
    {
      g_free (self->server_url);
      self->server_url = g_strdup (dir);
    }

  return G_APPLICATION_CLASS (cp_application_parent_class)->handle_local_options (app, options);
}

static void
cp_application_startup (GApplication *app)
{
  CpApplication *self = CP_APPLICATION (app);
  const CpAppAccel *accels = cp_app_get_accels ();

  G_APPLICATION_CLASS (cp_application_parent_class)->startup (app);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_PREFER_LIGHT);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  self->signal_ids[0] = g_unix_signal_add (SIGTERM, quit_signal_cb, self);
  self->signal_ids[1] = g_unix_signal_add (SIGINT, quit_signal_cb, self);
  self->signal_ids[2] = g_unix_signal_add (SIGHUP, quit_signal_cb, self);
  /* These also label the menu items; the packet view's own actions get their keys from a
   * shortcut controller of its own as well (see cp_app_shortcut_controller_new()). */
  for (guint i = 0; accels[i].action != NULL; i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);
}

static void
cp_application_activate (GApplication *app)
{
  CpApplication *self = CP_APPLICATION (app);
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    window = GTK_WINDOW (cp_window_new (self));
  gtk_window_present (window);
}

static void
cp_application_shutdown (GApplication *app)
{
  GList *windows;

  /* Any window still open gets the chance to write its pending edits. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (app)));
  for (GList *l = windows; l != NULL; l = l->next)
    if (CP_IS_WINDOW (l->data))
      cp_window_flush (CP_WINDOW (l->data));
  g_list_free (windows);
  if (CP_APPLICATION (app)->sync_manager != NULL)
    cp_sync_manager_cancel (CP_APPLICATION (app)->sync_manager);
  for (guint i = 0; i < G_N_ELEMENTS (CP_APPLICATION (app)->signal_ids); i++)
    g_clear_handle_id (&CP_APPLICATION (app)->signal_ids[i], g_source_remove);

  G_APPLICATION_CLASS (cp_application_parent_class)->shutdown (app);
}

static void
cp_application_finalize (GObject *object)
{
  CpApplication *self = CP_APPLICATION (object);

  g_clear_object (&self->sync_manager);
  g_clear_object (&self->store);
  g_clear_object (&self->registry);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->server_url, g_free);

  G_OBJECT_CLASS (cp_application_parent_class)->finalize (object);
}

static void
cp_application_class_init (CpApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cp_application_finalize;
  app_class->handle_local_options = cp_application_handle_local_options;
  app_class->startup = cp_application_startup;
  app_class->activate = cp_application_activate;
  app_class->shutdown = cp_application_shutdown;
}

static void
cp_application_init (CpApplication *self)
{
  static const GOptionEntry options[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Keep the packets in DIRECTORY instead of the usual place"), N_("DIRECTORY") },
    { "server", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("Sync with the server at URL instead of the one in the settings"), N_("URL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and quit"), NULL },
    { NULL }
  };
  const char *env_dir = g_getenv ("CP_DATA_DIR");
  const char *env_server = g_getenv ("CP_SERVER_URL");

  /* Make sure the resources are linked in from the static library. */
  g_resources_register (cp_app_get_resource ());

  if (env_dir != NULL && *env_dir != '\0')
    self->data_dir = g_canonicalize_filename (env_dir, NULL);
  else
    self->data_dir = cp_store_get_default_directory ();

  if (env_server != NULL && *env_server != '\0')
    self->server_url = g_strdup (env_server);

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), NULL);
}

void
cp_application_init_i18n (void)
{
  const char *localedir = g_getenv ("CP_LOCALEDIR");

  if (localedir == NULL || *localedir == '\0')
    localedir = LOCALEDIR;
  bindtextdomain (GETTEXT_PACKAGE, localedir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

CpApplication *
cp_application_new (void)
{
  return g_object_new (CP_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "resource-base-path", RESOURCE_BASE,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

const char *
cp_application_get_data_dir (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  return self->data_dir;
}

/* The trash keeps a packet CP_APP_TRASH_DAYS days, then it goes for good. */
static void
cp_application_purge_trash (CpStore *store)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) limit = g_date_time_add_days (now, -CP_APP_TRASH_DAYS);
  g_autoptr(GError) purge_error = NULL;
  guint n_purged = 0;

  if (!cp_store_purge_deleted (store, limit, &n_purged, &purge_error))
    g_message ("The trash could not be emptied of old packets: %s", purge_error->message);
  else if (n_purged > 0)
    g_debug ("Removed %u packets deleted more than %d days ago", n_purged, CP_APP_TRASH_DAYS);
}

CpStore *
cp_application_get_store (CpApplication *self,
                          GError       **error)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  /* The store of the account that logged in last (each account has its own). */
  if (self->store == NULL)
    {
      g_autofree char *dir = cp_sync_engine_dup_last_account_directory (self->data_dir);

      self->store = cp_store_new (dir, error);
      if (self->store != NULL)
        cp_application_purge_trash (self->store);
    }
  return self->store;
}

/* The templates the server handed out at the last refresh (the sync engine keeps them with
 * the store) join the shipped ones: packets pulled with a newer version open offline, and new
 * packets use the newest version the office publishes. The engine swaps in a new folder only
 * when it loads; it is loaded here only when it changed since the last time. */
static void
cp_application_load_cached_templates (CpApplication *self)
{
  g_autoptr(CpTemplateRegistry) check = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  CpStore *store;
  GStatBuf info;

  if (self->registry == NULL || (store = cp_application_get_store (self, NULL)) == NULL)
    return;
  dir = cp_sync_engine_templates_dir_for_store (store);
  if (g_stat (dir, &info) != 0 || !S_ISDIR (info.st_mode))
    return;
  if ((guint64) info.st_ino == self->templates_inode &&
      (gint64) info.st_mtime == self->templates_mtime)
    return;
  self->templates_inode = (guint64) info.st_ino;
  self->templates_mtime = (gint64) info.st_mtime;

  /* Checked on the side first, so that a damaged cache cannot leave half of it loaded. */
  check = cp_template_registry_new_default (&error);
  if (check == NULL || !cp_template_registry_load_directory (check, dir, &error) ||
      !cp_template_registry_load_directory (self->registry, dir, &error))
    {
      g_message ("The templates cached from the server are not used: %s", error->message);
      return;
    }
  g_debug ("Loaded the templates cached from the server in %s", dir);
}

CpTemplateRegistry *
cp_application_get_registry (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  if (self->registry == NULL)
    {
      g_autoptr(GError) error = NULL;

      self->registry = cp_template_registry_new_default (&error);
      if (self->registry == NULL)
        g_critical ("The shipped packet templates cannot be loaded: %s", error->message);
      cp_application_load_cached_templates (self);
    }
  return self->registry;
}

GSettings *
cp_application_get_settings (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  if (!self->settings_looked_up)
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema = NULL;

      self->settings_looked_up = TRUE;
      if (source != NULL)
        schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
      if (schema != NULL)
        self->settings = g_settings_new_full (schema, NULL, NULL);
      else
        g_debug ("GSettings schema %s is not installed; window state is not remembered", APP_ID);
    }
  return self->settings;
}

static gboolean
cp_application_new_windows_cb (gpointer user_data)
{
  CpApplication *self = CP_APPLICATION (user_data);
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  gboolean had_window = FALSE;

  /* The windows show the previous account's packets: they write what is pending (into that
   * account's store, which their views hold) and give way to a window on the new store. */
  for (GList *l = windows; l != NULL; l = l->next)
    if (CP_IS_WINDOW (l->data))
      {
        cp_window_flush (CP_WINDOW (l->data));
        gtk_window_destroy (GTK_WINDOW (l->data));
        had_window = TRUE;
      }
  if (had_window)
    gtk_window_present (GTK_WINDOW (cp_window_new (self)));
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
cp_application_store_changed_cb (CpSyncManager *manager,
                                 CpApplication *self)
{
  g_set_object (&self->store, cp_sync_manager_get_store (manager));
  cp_application_purge_trash (self->store);
  self->templates_inode = 0;
  self->templates_mtime = 0;
  cp_application_load_cached_templates (self);
  /* After the login that switched finishes (its dialog belongs to the old window). */
  g_idle_add_full (G_PRIORITY_LOW, cp_application_new_windows_cb, g_object_ref (self), NULL);
}

/* The sync side of the application; NULL when the store cannot be opened. */
CpSyncManager *
cp_application_get_sync_manager (CpApplication *self)
{
  g_return_val_if_fail (CP_IS_APPLICATION (self), NULL);

  if (self->sync_manager == NULL)
    {
      CpStore *store = cp_application_get_store (self, NULL);

      if (store == NULL)
        return NULL;
      self->sync_manager = cp_sync_manager_new (store, cp_application_get_settings (self),
                                                self->server_url);
      cp_sync_manager_set_account_base (self->sync_manager, self->data_dir);
      g_signal_connect_object (self->sync_manager, "store-changed",
                               G_CALLBACK (cp_application_store_changed_cb), self, 0);
      /* A sync may have refreshed the templates: newer versions are there at once. */
      g_signal_connect_object (self->sync_manager, "packets-changed",
                               G_CALLBACK (cp_application_load_cached_templates), self,
                               G_CONNECT_SWAPPED);
      cp_sync_manager_restore (self->sync_manager);
    }
  return self->sync_manager;
}
