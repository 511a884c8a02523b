/* test-app-templates.c — a template revised by the office reaches the application and stays
 * there offline
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The server (CP_SERVER_BINARY, on 127.0.0.1) serves a new version of the city demonstration
 * kind from its templates-dir. The application logs in and syncs; new packets are then made
 * with the new version, and after a restart without the server the cached version is still
 * there, so the packet opens with its own template.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cp-application.h"
#include "cp-packet-view.h"
#include "cp-test-app.h"
#include "cp-window.h"
#include "cp-window-private.h"

#define PASSWORD "correct horse battery"
#define NEW_VERSION "2026.1"
#define NEW_COVER_TITLE "Cover (office revision 2026)"

typedef struct
{
  char          *dir;
  char          *server_dir;
  char          *config;
  GSubprocess   *server;
  char          *base;
  CpApplication *app;
  CpWindow      *window;
} Fixture;

#define WAIT_FOR(cond) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END

/* The shipped city demonstration kind with a higher version and another cover title. */
static void
write_revised_kind (const char *dir)
{
  g_autofree char *source = g_build_filename (g_getenv ("CP_SOURCE_DATA_DIR"), "templates",
                                              "kinds", "city-demonstration.json", NULL);
  g_autofree char *target = g_build_filename (dir, "city-demonstration-2026.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *kind, *cover, *title;

  json_parser_load_from_file (parser, source, &error);
  g_assert_no_error (error);
  kind = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (kind, "version"), !=, NEW_VERSION);
  json_object_set_string_member (kind, "version", NEW_VERSION);
  cover = json_array_get_object_element (json_object_get_array_member (kind, "sections"), 0);
  g_assert_cmpstr (json_object_get_string_member (cover, "id"), ==, "cover");
  title = json_object_new ();
  json_object_set_string_member (title, "en", NEW_COVER_TITLE);
  json_object_set_string_member (title, "zh_CN", "封面（2026年修订）");
  json_object_set_object_member (cover, "title", title);

  g_mkdir_with_parents (dir, 0700);
  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_to_file (generator, target, &error);
  g_assert_no_error (error);
}

static void
start_app (Fixture    *f,
           const char *server_url)
{
  g_autofree char *data_dir = g_build_filename (f->dir, "app", NULL);

  f->app = cp_test_app_start (data_dir, server_url, &f->window);
}

static void
stop_app (Fixture *f)
{
  cp_test_app_stop (&f->app, &f->window);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *templates = NULL;
  g_autofree char *config = NULL;

  f->dir = g_dir_make_tmp ("cp-app-templates-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  templates = g_build_filename (f->dir, "office-templates", NULL);
  write_revised_kind (templates);
  config = g_strdup_printf ("[server]\nlog-requests=false\ntemplates-dir=%s\n"
                            "[passwords]\nopslimit=1\nmemlimit=8192\n", templates);
  g_file_set_contents (f->config, config, -1, &error);
  g_assert_no_error (error);
  {
    g_autofree char *uscc = cp_test_make_uscc ("320508", 21);

    cp_test_server_admin (f->server_dir, f->config, PASSWORD "\n", "user", "add", "ent",
                          "--role", "enterprise", "--enterprise", uscc, NULL);
  }
  f->server = cp_test_server_start (f->server_dir, f->config, &f->base);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  stop_app (f);
  cp_test_server_stop (&f->server);
  cp_test_remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->server_dir);
  g_free (f->config);
  g_free (f->base);
}

static void
login_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GError **error = user_data;

  if (!cp_sync_manager_login_finish (CP_SYNC_MANAGER (object), result, error))
    g_assert_nonnull (*error);
}

static gboolean
has_label (GtkWidget  *widget,
           const char *text)
{
  if (GTK_IS_LABEL (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (has_label (child, text))
      return TRUE;
  return FALSE;
}

static void
test_revised_template (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uscc = cp_test_make_uscc ("320508", 21);
  g_autofree char *uuid = NULL;
  CpTemplateRegistry *registry;
  CpSyncManager *sync;
  CpPacket *packet;

  start_app (f, f->base);
  registry = cp_application_get_registry (f->app);
  /* Before any sync the shipped version is the newest one. */
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind (
                     registry, "city-demonstration")), !=, NEW_VERSION);

  sync = cp_application_get_sync_manager (f->app);
  cp_sync_manager_login_async (sync, f->base, "ent", PASSWORD, NULL, login_done_cb, &error);
  WAIT_FOR (error != NULL || (cp_sync_manager_is_logged_in (sync) &&
                              cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING &&
                              cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_LOGGED_OUT));
  g_assert_no_error (error);
  /* The first sync after logging in fetched the templates: the revision is there now. */
  WAIT_FOR (g_strcmp0 (cp_template_get_version (cp_template_registry_lookup_kind (
                         registry, "city-demonstration")), NEW_VERSION) == 0);
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind (
                     registry, "city-demonstration")), ==, NEW_VERSION);
  /* The shipped version stays for the packets made with it. */
  g_assert_nonnull (cp_template_registry_lookup_kind_version (registry, "city-demonstration",
                                                              "2020.1"));

  /* A new packet is made with the office's version and shows its wording. */
  uuid = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                            "苏州恒信精密机械有限公司", uscc, &error));
  g_assert_no_error (error);
  packet = cp_packet_view_get_packet (CP_PACKET_VIEW (cp_window_get_packet_view (f->window)));
  g_assert_cmpstr (cp_packet_get_template_version (packet), ==, NEW_VERSION);
  g_assert_true (has_label (cp_window_get_packet_view (f->window), NEW_COVER_TITLE));
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  WAIT_FOR (cp_test_get_uint (sync, "n-pending") == 0 &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  g_assert_cmpuint (cp_test_get_uint (sync, "n-pending"), ==, 0);
  stop_app (f);

  /* Restarted with no server at all: the cached version is loaded again. */
  cp_test_server_stop (&f->server);
  start_app (f, NULL);
  registry = cp_application_get_registry (f->app);
  g_assert_cmpstr (cp_template_get_version (cp_template_registry_lookup_kind (
                     registry, "city-demonstration")), ==, NEW_VERSION);
  g_assert_true (cp_window_open_packet (f->window, uuid, "cover", &error));
  g_assert_no_error (error);
  g_assert_true (has_label (cp_window_get_packet_view (f->window), NEW_COVER_TITLE));
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  cp_application_init_i18n ();

  g_test_add ("/app-templates/revised", Fixture, NULL, fixture_set_up, test_revised_template,
              fixture_tear_down);
  return g_test_run ();
}
