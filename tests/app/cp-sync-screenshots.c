/* cp-sync-screenshots.c — puts the application's sync screens on show for tools/screenshots.sh
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   cp-sync-screenshots SERVER_BINARY OUTDIR
 *
 * Starts a real credit-packet-server on loopback, logs in, makes a conflict with a second
 * client, and takes login-dialog.png, sync-status.png and conflict-page.png of the screen with
 * ImageMagick's import (run it under Xvfb). Then this year's quotas for the Suzhou districts, a
 * few packets accepted by the city office, and progress.png of Kunshan office's table; then a
 * packet returned by that office with a comment, and returned-comment.png of it as the agency
 * sees it.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp-application.h"
#include "cp-conflict-page.h"
#include "cp-conflict-page-private.h"
#include "cp-demo.h"
#include "cp-field-chooser.h"
#include "cp-login-dialog.h"
#include "cp-login-dialog-private.h"
#include "cp-packet-view.h"
#include "cp-packet-view-private.h"
#include "cp-progress-page.h"
#include "cp-progress-page-private.h"
#include "cp-review-dialog-private.h"
#include "cp-sync-client-private.h"
#include "cp-sync-engine.h"
#include "cp-sync-status.h"
#include "cp-sync-status-private.h"
#include "cp-uscc.h"
#include "cp-workflow.h"
#include "cp-test-app.h"
#include "cp-packet-list.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-window.h"
#include "cp-window-private.h"

#define PASSWORD "correct horse battery"

typedef struct
{
  char          *dir;
  char          *server_dir;
  char          *config;
  GSubprocess   *server;
  char          *base;
  char          *uscc;
  CpApplication *app;
  CpWindow      *window;
} Fixture;

#define WAIT_FOR_SECS(cond, secs) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + (secs) * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END
#define WAIT_FOR(cond) WAIT_FOR_SECS (cond, 20)

static const char *out_dir;

#define make_uscc cp_test_make_uscc
#define server_admin(f, ...) cp_test_server_admin ((f)->server_dir, (f)->config, __VA_ARGS__)
#define server_start(f) ((f)->server = cp_test_server_start ((f)->server_dir, (f)->config, \
                                                             &(f)->base))
#define server_stop(f) cp_test_server_stop (&(f)->server)
#define remove_tree cp_test_remove_tree

static CpSyncStatus *
find_sync_status (GtkWidget *widget)
{
  if (CP_IS_SYNC_STATUS (widget))
    return CP_SYNC_STATUS (widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      CpSyncStatus *found = find_sync_status (child);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gpointer
find_toplevel (GType type)
{
  gpointer found = NULL;
  GList *list = gtk_window_list_toplevels ();

  for (GList *l = list; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      found = l->data;
  g_list_free (list);
  return found;
}

/* A second client of the same account: the client library on its own store. */
typedef CpTestClient Other;
#define other_new(f) cp_test_client_new ((f)->dir, (f)->base, "zhang", PASSWORD)
#define other_sync(c) cp_test_client_sync ((c), NULL, NULL)
#define other_free cp_test_client_free
#define set_name cp_test_set_name


static void
shot (const char *name)
{
  g_autofree char *path = g_build_filename (out_dir, name, NULL);
  g_autofree char *command = g_strdup_printf ("import -window root '%s'", path);

  /* Let everything paint, then take the screen. */
  WAIT_FOR_SECS (FALSE, 1.5);
  if (system (command) != 0)
    g_error ("import failed for %s", path);
  g_print ("%s\n", path);
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* The agency makes and submits, the office returns or accepts in one step: the legacy chain of
 * the 2020.1 format (the same sections, no workflow), as in test-app-office's push_accepted;
 * the newest version gives 贯标 packets to the enterprise and acceptance steps (issue 11). */
static void
as_legacy_format (GString  *text,
                  CpPacket *demo)
{
  g_autofree char *newest = g_strdup_printf ("\"template_version\":\"%s\"",
                                             cp_packet_get_template_version (demo));

  g_string_replace (text, newest, "\"template_version\":\"2020.1\"", 1);
}

/* A complete packet of @kind for this year in @division (seed search from *@seed on), with
 * attachment files, submitted by the agency's client and accepted by the city office's. */
static void
push_accepted (Fixture      *f,
               CpTestClient *agency,
               CpTestClient *office,
               const char   *kind,
               const char   *division,
               guint        *seed)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *json = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CpSyncReply) reply = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *attachments;

  for (; *seed < 5000 && demo == NULL; (*seed)++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry, kind,
                                                               g_date_time_get_year (now),
                                                               *seed);

      if (candidate != NULL &&
          strncmp (cp_packet_get_uscc (candidate) + 2, division, strlen (division)) == 0)
        demo = g_steal_pointer (&candidate);
    }
  if (demo == NULL)
    g_error ("no demo packet of %s in %s", kind, division);
  server_admin (f, NULL, "assign", cp_packet_get_uscc (demo), "A001", NULL);
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  as_legacy_format (text, demo);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      if (!cp_store_add_blob_from_bytes (agency->store, bytes, &sha, &error))
        g_error ("%s", error->message);
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "screenshots", &error);
  g_assert_no_error (error);
  cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  if (!cp_store_save_packet (agency->store, packet, NULL, &error))
    g_error ("%s", error->message);
  cp_sync_engine_submit_async (agency->engine, cp_packet_get_uuid (packet), NULL, async_done_cb,
                               &result);
  WAIT_FOR (result != NULL);
  if (result == NULL ||
      !cp_sync_engine_submit_finish (agency->engine, result, &findings, &error))
    g_error ("submitting a %s packet failed: %s", kind, error != NULL ? error->message : "");
  path = g_strdup_printf ("/api/v1/packets/%s/accept", cp_packet_get_uuid (packet));
  reply = cp_sync_client_request (office->client, "POST", path, NULL, NULL, NULL, NULL, NULL,
                                  NULL, &error);
  if (reply == NULL || reply->status != 200)
    g_error ("accepting failed");
}

/* Logs the application in as @user of the server (after a logout). */
static void
log_in_again (Fixture    *f,
              const char *user)
{
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  g_autoptr(GAsyncResult) result = NULL;
  CpLoginDialog *dialog;

  cp_sync_manager_logout_async (sync, NULL, async_done_cb, &result);
  WAIT_FOR (result != NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  cp_login_dialog_set_fields (dialog, f->base, user, PASSWORD);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  if (find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    gtk_window_destroy (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  /* Another account has a store of its own: the application gives way to a window on it. */
  WAIT_FOR_SECS (FALSE, 0.5);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (f->app)); l != NULL; l = l->next)
    if (CP_IS_WINDOW (l->data))
      f->window = l->data;
}

/* This year's quotas (a part of the 2020 figures) and accepted packets, then the progress
 * table as Kunshan's office sees it. */
static void
progress_shot (Fixture *f)
{
  static const struct
  {
    const char *district;
    const char *division;
    int         acceptance;
    int         demonstration;
    int         accepted;       /* standardization-acceptance packets to accept */
  } plan[] = {
    { "zhangjiagang", "320582", 5, 1, 4 },
    { "changshu",     "320581", 4, 1, 2 },
    { "taicang",      "320585", 4, 1, 4 },
    { "kunshan",      "320583", 6, 2, 4 },
    { "wujiang",      "320509", 6, 1, 3 },
    { "wuzhong",      "320506", 5, 1, 5 },
    { "xiangcheng",   "320507", 4, 1, 3 },
    { "gusu",         "320508", 3, 1, 3 },
    { "sip",          "320594", 5, 1, 0 },
    { "snd",          "320505", 4, 1, 3 },
  };
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *year = g_strdup_printf ("%d", g_date_time_get_year (now));
  g_autofree char *agency_dir = g_build_filename (f->dir, "agency", NULL);
  g_autofree char *office_dir = g_build_filename (f->dir, "office", NULL);
  CpTestClient *agency, *office;
  CpProgressPage *page;
  guint seed = 1;

  server_admin (f, NULL, "agency", "add", "A001", "苏州某信用服务有限公司", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "li", "--role", "agency", "--agency", "A001",
                NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "city", "--role", "office", "--district",
                "suzhou", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "wang", "--role", "office", "--district",
                "kunshan", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (plan); i++)
    {
      g_autofree char *acceptance = g_strdup_printf ("%d", plan[i].acceptance);
      g_autofree char *demonstration = g_strdup_printf ("%d", plan[i].demonstration);

      server_admin (f, NULL, "quota", "set", plan[i].district, year,
                    "standardization-acceptance", acceptance, NULL);
      server_admin (f, NULL, "quota", "set", plan[i].district, year, "city-demonstration",
                    demonstration, NULL);
    }
  server_admin (f, NULL, "quota", "set", "suzhou", year, "provincial-recommendation", "7", NULL);

  g_mkdir_with_parents (agency_dir, 0700);
  g_mkdir_with_parents (office_dir, 0700);
  agency = cp_test_client_new (agency_dir, f->base, "li", PASSWORD);
  office = cp_test_client_new (office_dir, f->base, "city", PASSWORD);
  for (guint i = 0; i < G_N_ELEMENTS (plan); i++)
    for (int n = 0; n < plan[i].accepted; n++)
      push_accepted (f, agency, office, "standardization-acceptance", plan[i].division, &seed);
  cp_test_client_free (agency);
  cp_test_client_free (office);

  log_in_again (f, "wang");

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.progress", NULL);
  page = find_toplevel (CP_TYPE_PROGRESS_PAGE);
  g_assert_nonnull (page);
  gtk_window_set_default_size (GTK_WINDOW (page), 1240, 760);
  WAIT_FOR (!cp_test_get_boolean (page, "busy"));
  shot ("progress.png");
  gtk_window_destroy (GTK_WINDOW (page));
}

/* A complete packet of @kind for this year in @division (seed search from *@seed on), with
 * attachment files, submitted by the agency's client; returns its uuid. */
static char *
push_submitted (Fixture      *f,
                CpTestClient *agency,
                const char   *kind,
                const char   *division,
                guint        *seed)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *json = NULL;
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *attachments;

  for (; *seed < 9000 && demo == NULL; (*seed)++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry, kind,
                                                               g_date_time_get_year (now),
                                                               *seed);

      if (candidate != NULL &&
          strncmp (cp_packet_get_uscc (candidate) + 2, division, strlen (division)) == 0)
        demo = g_steal_pointer (&candidate);
    }
  if (demo == NULL)
    g_error ("no demo packet of %s in %s", kind, division);
  server_admin (f, NULL, "assign", cp_packet_get_uscc (demo), "A001", NULL);
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  as_legacy_format (text, demo);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      if (!cp_store_add_blob_from_bytes (agency->store, bytes, &sha, &error))
        g_error ("%s", error->message);
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "screenshots", &error);
  g_assert_no_error (error);
  cp_packet_set_string (packet, "credit-report", "valid_until", valid_until);
  if (!cp_store_save_packet (agency->store, packet, NULL, &error))
    g_error ("%s", error->message);
  cp_sync_engine_submit_async (agency->engine, cp_packet_get_uuid (packet), NULL, async_done_cb,
                               &result);
  WAIT_FOR (result != NULL);
  if (result == NULL ||
      !cp_sync_engine_submit_finish (agency->engine, result, &findings, &error))
    g_error ("submitting a %s packet failed: %s", kind, error != NULL ? error->message : "");
  return g_strdup (cp_packet_get_uuid (packet));
}


/* Kunshan's office (logged in) returns a packet the agency submitted, with a comment on the
 * address, through its review queue; returned-comment.png is the cover page as the agency
 * then sees it. review-queue.png is the queue, return-dialog.png the Return dialog on the way, its field search open on
 * "地址". */
static GtkWidget *
find_of_type (GtkWidget  *root,
              GType       type,
              const char *label)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) &&
      (label == NULL || g_strcmp0 (gtk_button_get_label (GTK_BUTTON (root)), label) == 0))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_of_type (child, type, label);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
returned_comment_shot (Fixture *f)
{
  g_autofree char *agency_dir = g_build_filename (f->dir, "agency-review", NULL);
  CpSyncManager *sync = cp_application_get_sync_manager (f->app);
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  CpTestClient *agency;
  CpReviewDialog *review;
  GtkWidget *view;
  guint seed = 2000;

  g_mkdir_with_parents (agency_dir, 0700);
  agency = cp_test_client_new (agency_dir, f->base, "li", PASSWORD);
  uuid = push_submitted (f, agency, "standardization-acceptance", "320583", &seed);
  cp_test_client_free (agency);

  cp_sync_manager_sync (sync);
  WAIT_FOR (cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.review-queue", NULL);
  review = find_toplevel (CP_TYPE_REVIEW_DIALOG);
  g_assert_nonnull (review);
  WAIT_FOR (cp_test_get_boolean (review, "loaded"));
  gtk_window_set_default_size (GTK_WINDOW (review), 900, 640);
  shot ("review-queue.png");
  for (guint i = 0; i < cp_test_get_uint (review, "n-rows"); i++)
    if (g_str_equal (cp_review_dialog_get_uuid (review, i), uuid))
      {
        GtkWidget *message, *chooser, *comment;

        gtk_widget_activate (find_of_type (cp_review_dialog_get_row (review, i), GTK_TYPE_BUTTON,
                                           _("_Return…")));
        WAIT_FOR (find_toplevel (ADW_TYPE_MESSAGE_DIALOG) != NULL);
        message = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
        comment = find_of_type (message, GTK_TYPE_TEXT_VIEW, NULL);
        gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (comment)),
                                  "门牌号与营业执照不一致，请按营业执照填写完整地址。", -1);
        chooser = find_of_type (message, CP_TYPE_FIELD_CHOOSER, NULL);
        gtk_menu_button_popup (GTK_MENU_BUTTON (find_of_type (chooser, GTK_TYPE_MENU_BUTTON,
                                                              NULL)));
        cp_field_chooser_search (CP_FIELD_CHOOSER (chooser), "地址");
        shot ("return-dialog.png");
        gtk_window_destroy (GTK_WINDOW (message));
        cp_review_dialog_return (review, i, "cover", "address",
                               "门牌号与营业执照不一致，请按营业执照填写完整地址。");
      }
  WAIT_FOR (!cp_test_get_boolean (review, "busy") && cp_test_get_string (review, "message") != NULL);
  gtk_window_destroy (GTK_WINDOW (review));

  log_in_again (f, "li");
  if (!cp_window_open_packet (f->window, uuid, "cover", &error))
    g_error ("%s", error->message);
  view = cp_window_get_packet_view (f->window);
  WAIT_FOR (cp_packet_view_get_n_comments (CP_PACKET_VIEW (view), NULL) > 0);
  shot ("returned-comment.png");
}

/* Scrolls the page that holds @widget until @widget is near its top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkWidget *content;
  graphene_point_t at;

  if (scrolled == NULL)
    return;
  content = gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled));
  if (gtk_widget_compute_point (widget, content, &GRAPHENE_POINT_INIT (0, 0), &at))
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)),
                              at.y - 120);
}

/* Issue 11: the enterprise's own city application, signed in. owned-fields.png is the
 * application form at the district office's opinion, read-only with who fills it in (at the
 * window's size and at 800×600, owned-fields-small.png); completeness-split.png the completeness
 * page, the enterprise's own tasks first; my-turn.png the list with "My Turn" on. */
static void
owned_fields_shot (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  GtkWidget *view, *page, *list;
  int width, height;

  uuid = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                            "苏州华盛纺织有限公司", f->uscc, &error));
  g_assert_no_error (error);
  view = cp_window_get_packet_view (f->window);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1366, 768);
  cp_packet_view_set_page (CP_PACKET_VIEW (view), "application-form");
  page = cp_packet_view_get_page_widget (CP_PACKET_VIEW (view), "application-form");
  /* The page puts the focus in its first empty field first. */
  WAIT_FOR_SECS (FALSE, 1.5);
  gtk_widget_grab_focus (cp_section_page_get_editor (CP_SECTION_PAGE (page), "city_opinion"));
  WAIT_FOR_SECS (FALSE, 0.5);
  scroll_to (cp_section_page_get_editor (CP_SECTION_PAGE (page), "district_opinion"));
  shot ("owned-fields.png");
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 800, 600);
  WAIT_FOR_SECS (FALSE, 0.5);
  scroll_to (cp_section_page_get_editor (CP_SECTION_PAGE (page), "district_opinion"));
  shot ("owned-fields-small.png");
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  WAIT_FOR_SECS (FALSE, 0.5);
  cp_packet_view_set_page (CP_PACKET_VIEW (view), CP_PAGE_COMPLETENESS);
  shot ("completeness-split.png");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-list", NULL);
  list = find_of_type (GTK_WIDGET (f->window), CP_TYPE_PACKET_LIST, NULL);
  g_object_set (list, "my-turn", TRUE, NULL);
  shot ("my-turn.png");
  g_object_set (list, "my-turn", FALSE, NULL);
}

/* A client of its own for @user, in a folder of its own. */
static CpTestClient *
party_new (Fixture    *f,
           const char *user)
{
  g_autofree char *dir = g_build_filename (f->dir, "party", user, NULL);

  g_mkdir_with_parents (dir, 0700);
  return cp_test_client_new (dir, f->base, user, PASSWORD);
}

static void
party_step (CpTestClient *party,
            const char   *uuid,
            const char   *transition,
            const char   *agency)
{
  g_autoptr(GError) error = NULL;

  cp_test_client_sync (party, NULL, NULL);
  if (!cp_test_client_transition (party, uuid, transition, NULL, agency, &error))
    g_error ("%s: %s", transition, error->message);
}

/* Issue 11: an enterprise's city application in the on-site evaluation (现场评价认定), walked
 * there by every party from a client of its own: the enterprise submits, Kunshan's office
 * approves, the enterprise and its coaching agency finish their parts and ask for acceptance,
 * the city office assigns an evaluating agency, which scores. evaluation-stage.png is the
 * scoring sheet as the enterprise then sees it (at 800×600, evaluation-stage-small.png), and
 * evaluation-completeness.png its completeness page. */
static void
evaluation_shot (Fixture *f)
{
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (NULL);
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, "city-demonstration");
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) later = g_date_time_add_days (now, 60);
  g_autofree char *valid_until = g_date_time_format (later, "%Y-%m-%d");
  g_autofree char *json = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(CpPacket) demo = NULL;
  g_autoptr(CpPacket) valid = NULL;
  g_autoptr(CpPacket) mine = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CpTestClient *parties[5];
  enum { ENTERPRISE, COACH, DISTRICT, CITY, EVALUATOR };
  const CpRole roles[] = { CP_ROLE_ENTERPRISE, CP_ROLE_COACHING_AGENCY, CP_ROLE_DISTRICT_OFFICE,
                           CP_ROLE_CITY_OFFICE, CP_ROLE_EVALUATING_AGENCY };
  GPtrArray *attachments;
  GtkWidget *view;
  int width, height;

  for (guint seed = 3000; seed < 9000 && demo == NULL; seed++)
    {
      g_autoptr(CpPacket) candidate = cp_demo_packet_for_year (registry, "city-demonstration",
                                                               g_date_time_get_year (now),
                                                               seed);

      if (candidate != NULL && strncmp (cp_packet_get_uscc (candidate) + 2, "320583", 6) == 0)
        demo = g_steal_pointer (&candidate);
    }
  if (demo == NULL)
    g_error ("no demo city application in Kunshan");
  server_admin (f, PASSWORD "\n", "user", "add", "sun", "--role", "enterprise", "--enterprise",
                cp_packet_get_uscc (demo), NULL);
  server_admin (f, NULL, "agency", "add", "A002", "苏州诚信评价有限公司", NULL);
  server_admin (f, PASSWORD "\n", "user", "add", "zhao", "--role", "agency", "--agency", "A002",
                NULL);
  server_admin (f, NULL, "assign", cp_packet_get_uscc (demo), "A001", NULL);
  parties[ENTERPRISE] = party_new (f, "sun");
  parties[COACH] = party_new (f, "li");
  parties[DISTRICT] = party_new (f, "wang");
  parties[CITY] = party_new (f, "city");
  parties[EVALUATOR] = party_new (f, "zhao");

  /* Real bytes for the scans, in every party's store. */
  json = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (json);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *body = g_strdup_printf ("%%PDF-1.4 scan %u of %s", i, attachment->name);
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
      g_autofree char *sha = NULL;

      for (guint p = 0; p < G_N_ELEMENTS (parties); p++)
        {
          g_clear_pointer (&sha, g_free);
          if (!cp_store_add_blob_from_bytes (parties[p]->store, bytes, &sha, &error))
            g_error ("%s", error->message);
        }
      g_string_replace (text, attachment->sha256, sha, 0);
    }
  valid = cp_packet_new_from_data (text->str, (gssize) text->len, "screenshots", &error);
  g_assert_no_error (error);
  if (cp_packet_get_value (valid, "credit-report", "valid_until") != NULL)
    cp_packet_set_string (valid, "credit-report", "valid_until", valid_until);
  uuid = g_strdup (cp_packet_get_uuid (valid));

  /* The enterprise's own parts, handed in. */
  mine = cp_packet_copy (valid);
  cp_test_keep_own_parts (mine, tpl, CP_ROLE_ENTERPRISE);
  if (!cp_store_save_packet (parties[ENTERPRISE]->store, mine, NULL, &error))
    g_error ("%s", error->message);
  cp_sync_engine_submit_async (parties[ENTERPRISE]->engine, uuid, NULL, async_done_cb, &result);
  WAIT_FOR (result != NULL);
  if (result == NULL ||
      !cp_sync_engine_submit_finish (parties[ENTERPRISE]->engine, result, &findings, &error))
    g_error ("submitting the city application failed: %s",
             error != NULL ? error->message : "");

  /* Each stage: whoever writes in it writes its parts, then its party takes the step. */
  {
    const char *path[] = { "approve", "request-acceptance", "assign" };
    const CpWorkflowState *state = cp_workflow_get_initial (workflow);

    state = cp_workflow_lookup_transition (workflow, state->id, "submit")->to;
    for (guint step = 0; step <= G_N_ELEMENTS (path); step++)
      {
        const CpTransition *transition = NULL;

        for (guint p = 0; p < G_N_ELEMENTS (parties); p++)
          {
            cp_test_client_sync (parties[p], NULL, NULL);
            if (cp_store_has_packet (parties[p]->store, uuid) &&
                cp_test_write_own_parts (parties[p]->store, roles[p], uuid, valid, tpl,
                                         state) > 0)
              cp_test_client_sync (parties[p], NULL, NULL);
          }
        if (step == G_N_ELEMENTS (path))
          break;
        transition = cp_workflow_lookup_transition (workflow, state->id, path[step]);
        g_assert_nonnull (transition);
        for (guint p = 0; p < G_N_ELEMENTS (parties); p++)
          if (roles[p] == transition->role)
            party_step (parties[p], uuid, transition->id,
                        transition->assigns != CP_ROLE_NONE ? "A002" : NULL);
        state = transition->to;
      }
    g_assert_cmpstr (state->id, ==, "evaluation");
  }
  for (guint p = 0; p < G_N_ELEMENTS (parties); p++)
    cp_test_client_free (parties[p]);

  /* The enterprise looks at its packet. */
  log_in_again (f, "sun");
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1366, 768);
  WAIT_FOR (cp_store_has_packet (cp_application_get_store (f->app, NULL), uuid));
  if (!cp_window_open_packet (f->window, uuid, CP_PAGE_SCORING, &error))
    g_error ("%s", error->message);
  view = cp_window_get_packet_view (f->window);
  WAIT_FOR_SECS (FALSE, 1.5);
  shot ("evaluation-stage.png");
  gtk_window_get_default_size (GTK_WINDOW (f->window), &width, &height);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 800, 600);
  WAIT_FOR_SECS (FALSE, 0.5);
  shot ("evaluation-stage-small.png");
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  WAIT_FOR_SECS (FALSE, 0.5);
  cp_packet_view_set_page (CP_PACKET_VIEW (view), CP_PAGE_COMPLETENESS);
  WAIT_FOR_SECS (FALSE, 0.5);
  shot ("evaluation-completeness.png");
}

int
main (int   argc,
      char *argv[])
{
  Fixture fixture = { 0 }, *f = &fixture;
  g_autoptr(GError) error = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *data_dir = NULL;
  CpSyncManager *sync;
  CpLoginDialog *dialog;
  CpConflictPage *page;
  Other *other;

  if (argc != 3)
    {
      g_printerr ("usage: %s SERVER_BINARY OUTDIR\n", argv[0]);
      return 2;
    }
  g_setenv ("CP_SERVER_BINARY", argv[1], TRUE);
  out_dir = argv[2];
  cp_application_init_i18n ();
  gtk_init ();

  f->dir = g_dir_make_tmp ("cp-sync-shots-XXXXXX", &error);
  g_assert_no_error (error);
  f->server_dir = g_build_filename (f->dir, "server", NULL);
  f->config = g_build_filename (f->dir, "server.conf", NULL);
  g_file_set_contents (f->config, "[server]\nlog-requests=false\n"
                       "[passwords]\nopslimit=1\nmemlimit=8192\n", -1, &error);
  g_assert_no_error (error);
  f->uscc = make_uscc ("320583", 21);
  server_admin (f, PASSWORD "\n", "user", "add", "zhang", "--role", "enterprise",
                "--enterprise", f->uscc, NULL);
  server_start (f);
  data_dir = g_build_filename (f->dir, "app", NULL);
  g_setenv ("CP_DATA_DIR", data_dir, TRUE);
  g_setenv ("CP_SERVER_URL", f->base, TRUE);

  f->app = cp_application_new ();
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = CP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 720);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)) && cp_window_is_loaded (f->window));
  sync = cp_application_get_sync_manager (f->app);

  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州华盛纺织有限公司", f->uscc, &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-list", NULL);

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.login", NULL);
  dialog = find_toplevel (CP_TYPE_LOGIN_DIALOG);
  cp_login_dialog_set_fields (dialog, "http://credit.example.cn", "zhang", PASSWORD);
  shot ("login-dialog.png");
  cp_login_dialog_set_fields (dialog, f->base, NULL, NULL);
  cp_login_dialog_log_in (dialog);
  WAIT_FOR (cp_sync_manager_is_logged_in (sync) &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  if (find_toplevel (CP_TYPE_LOGIN_DIALOG) != NULL)
    gtk_window_destroy (find_toplevel (CP_TYPE_LOGIN_DIALOG));
  WAIT_FOR_SECS (FALSE, 0.5);

  other = other_new (f);
  other_sync (other);
  set_name (other->store, uuid, "苏州华盛纺织股份有限公司");
  other_sync (other);
  set_name (cp_application_get_store (f->app, NULL), uuid, "苏州华盛纺织集团有限公司");
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.sync", NULL);
  WAIT_FOR (cp_test_get_uint (sync, "n-conflicts") == 1 &&
            cp_sync_manager_get_status (sync) != CP_SYNC_STATUS_SYNCING);
  WAIT_FOR_SECS (FALSE, 0.3);

  cp_sync_status_popup (find_sync_status (GTK_WIDGET (f->window)));
  shot ("sync-status.png");
  cp_sync_status_popdown (find_sync_status (GTK_WIDGET (f->window)));

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.resolve-conflict", "s", uuid);
  page = find_toplevel (CP_TYPE_CONFLICT_PAGE);
  g_assert_nonnull (page);
  cp_conflict_page_choose (page, 0, CP_MERGE_THEIRS, NULL);
  shot ("conflict-page.png");

  other_free (other);
  gtk_window_destroy (GTK_WINDOW (page));
  owned_fields_shot (f);
  progress_shot (f);
  returned_comment_shot (f);
  evaluation_shot (f);
  gtk_window_close (GTK_WINDOW (f->window));
  WAIT_FOR_SECS (FALSE, 0.2);
  g_clear_object (&f->app);
  server_stop (f);
  remove_tree (f->dir);
  return 0;
}
