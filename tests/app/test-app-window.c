/* test-app-window.c — the application's windows under Xvfb, driven the way a user drives them
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <sqlite3.h>
#include <string.h>

#include "cp-app-util.h"
#include "cp-application.h"
#include "cp-completeness-page.h"
#include "cp-date.h"
#include "cp-completeness-page-private.h"
#include "cp-demo.h"
#include "cp-new-packet-dialog.h"
#include "cp-new-packet-dialog-private.h"
#include "cp-packet-view.h"
#include "cp-packet-view-private.h"
#include "cp-scoring-page.h"
#include "cp-scoring-page-private.h"
#include "cp-section-page.h"
#include "cp-section-page-private.h"
#include "cp-test-app.h"
#include "cp-window.h"
#include "cp-window-private.h"

typedef struct
{
  char          *dir;
  CpApplication *app;
  CpWindow      *window;
} Fixture;

/* Runs the main loop until @cond holds or twenty seconds pass. */
#define WAIT_FOR(cond) \
  G_STMT_START { \
    gint64 _deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC; \
    while (!(cond) && g_get_monotonic_time () < _deadline) \
      g_main_context_iteration (NULL, FALSE); \
  } G_STMT_END

static void
spin (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* @window_added, when given, hears of each window before it is shown. */
static void
start_app_full (Fixture  *f,
                GCallback window_added,
                gpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  g_setenv ("CP_DATA_DIR", f->dir, TRUE);

  {
    /* A fresh id for each test: the previous application may still be on the bus. */
    static guint serial;
    g_autofree char *id = g_strdup_printf ("%s.Test%u", APP_ID, ++serial);

    f->app = g_object_new (CP_TYPE_APPLICATION,
                           "application-id", id,
                           "resource-base-path", "/io/github/creditpacket/CreditPacket",
                           "flags", G_APPLICATION_NON_UNIQUE,
                           NULL);
  }
  if (window_added != NULL)
    g_signal_connect (f->app, "window-added", window_added, user_data);
  g_application_register (G_APPLICATION (f->app), NULL, &error);
  g_assert_no_error (error);
  g_application_activate (G_APPLICATION (f->app));
  f->window = CP_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (f->app)));
  g_assert_nonnull (f->window);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
}

static void
start_app (Fixture *f)
{
  start_app_full (f, NULL, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("cp-app-test-XXXXXX", &error);
  g_assert_no_error (error);
  start_app (f);
}

static void
stop_app (Fixture *f)
{
  gtk_window_close (GTK_WINDOW (f->window));
  spin (50);
  g_application_quit (G_APPLICATION (f->app));
  g_clear_object (&f->app);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  stop_app (f);
  remove_tree (f->dir);
  g_free (f->dir);
}

static CpStore *
open_store_again (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  CpStore *store = cp_store_new (f->dir, &error);

  g_assert_no_error (error);
  return store;
}

static CpPacketView *
get_view (Fixture *f)
{
  return CP_PACKET_VIEW (cp_window_get_packet_view (f->window));
}

/* The new-packet dialog checks the credit code as it is typed. */
static void
test_new_packet_dialog (Fixture       *f,
                        gconstpointer  data)
{
  CpTemplateRegistry *registry = cp_application_get_registry (f->app);
  CpStore *store = cp_application_get_store (f->app, NULL);
  CpNewPacketDialog *dialog = cp_new_packet_dialog_new (GTK_WINDOW (f->window), registry, store);
  g_autofree char *uscc = cp_demo_uscc ("320506", 3);
  g_autofree char *wrong = g_strdup (uscc);
  g_autoptr(CpPacket) existing = NULL;
  g_autoptr(GError) error = NULL;

  cp_new_packet_dialog_set_kind (dialog, "city-demonstration");
  g_assert_cmpstr (cp_new_packet_dialog_get_kind (dialog), ==, "city-demonstration");

  /* No name yet: nothing to create. */
  g_assert_false (cp_new_packet_dialog_can_create (dialog));

  cp_new_packet_dialog_set_enterprise (dialog, "苏州测试有限公司", "91320506");
  g_assert_false (cp_new_packet_dialog_can_create (dialog));
  g_assert_nonnull (strstr (cp_new_packet_dialog_get_uscc_status (dialog),
                            "10 more characters"));

  /* One character changed: the check character no longer matches. */
  wrong[10] = wrong[10] == '1' ? '2' : '1';
  cp_new_packet_dialog_set_enterprise (dialog, "苏州测试有限公司", wrong);
  g_assert_false (cp_new_packet_dialog_can_create (dialog));
  g_assert_nonnull (strstr (cp_new_packet_dialog_get_uscc_status (dialog), "check character"));

  /* Lower case and spaces are normalized; the division is named. */
  {
    g_autofree char *lower = g_ascii_strdown (uscc, -1);
    g_autofree char *spaced = g_strdup_printf (" %s ", lower);

    cp_new_packet_dialog_set_enterprise (dialog, "苏州测试有限公司", spaced);
  }
  g_assert_true (cp_new_packet_dialog_can_create (dialog));
  g_assert_nonnull (strstr (cp_new_packet_dialog_get_uscc_status (dialog), "吴中区"));
  g_assert_null (strstr (cp_new_packet_dialog_get_uscc_status (dialog), "already has"));

  /* A packet of the same kind and year for that code is there: a warning, not a refusal; of
   * another kind, nothing to say. */
  existing = cp_app_new_packet (registry, "city-demonstration", &error);
  g_assert_no_error (error);
  cp_packet_set_string (existing, "cover", "enterprise_name", "苏州原有有限公司");
  cp_packet_set_string (existing, "cover", "uscc", uscc);
  cp_packet_set_year (existing, g_date_time_get_year (cp_packet_get_created (existing)));
  cp_store_save_packet (store, existing, NULL, &error);
  g_assert_no_error (error);
  cp_new_packet_dialog_set_enterprise (dialog, "苏州测试有限公司", uscc);
  g_assert_true (cp_new_packet_dialog_can_create (dialog));
  g_assert_nonnull (strstr (cp_new_packet_dialog_get_uscc_status (dialog), "already has"));
  g_assert_nonnull (strstr (cp_new_packet_dialog_get_uscc_status (dialog), "苏州原有有限公司"));
  cp_new_packet_dialog_set_kind (dialog, "standardization-acceptance");
  g_assert_null (strstr (cp_new_packet_dialog_get_uscc_status (dialog), "already has"));

  gtk_window_destroy (GTK_WINDOW (dialog));
}

static gboolean
cover_is (CpPacketView    *view,
          CpSectionStatus  status)
{
  return cp_packet_view_get_status (view, "cover") == status;
}

/* Create a packet, fill its cover through the widgets, see the badge turn complete and the
 * values reach the store within a fraction of a second. */
static void
test_fill_section (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *uscc = cp_demo_uscc ("320505", 11);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) saved = NULL;
  g_autofree char *uuid = NULL;
  CpPacketView *view;
  CpSectionPage *cover;
  GtkWidget *editor;

  uuid = g_strdup (cp_window_create_packet (f->window, "standardization-acceptance",
                                            "苏州恒瑞智能装备有限公司", uscc, &error));
  g_assert_no_error (error);
  g_assert_nonnull (uuid);

  view = get_view (f);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, "cover");
  /* Where sync stands shows in the packet's header bar too (no server here). */
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (cp_packet_view_get_sync_status (view))));
  {
    g_autofree char *label = NULL;

    g_object_get (cp_packet_view_get_sync_status (view), "label", &label, NULL);
    g_assert_cmpstr (label, ==, "Not Syncing");
  }
  /* Name and code only: the cover is started but lacks required fields. */
  g_assert_cmpint (cp_packet_view_get_status (view, "cover"), ==, CP_SECTION_STATUS_ERRORS);
  g_assert_cmpint (cp_packet_view_get_status (view, "work-summary"), ==,
                   CP_SECTION_STATUS_EMPTY);

  cover = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "cover"));
  gtk_editable_set_text (GTK_EDITABLE (cp_section_page_get_editor (cover, "legal_representative")),
                         "黄燕");
  gtk_editable_set_text (GTK_EDITABLE (cp_section_page_get_editor (cover, "address")),
                         "江苏省苏州市吴中区木渎镇金山路18号");
  gtk_editable_set_text (GTK_EDITABLE (cp_section_page_get_editor (cover, "contact_person")),
                         "马丽华");

  /* A bad phone number shows under the field once the focus leaves it. */
  editor = cp_section_page_get_editor (cover, "phone");
  gtk_widget_grab_focus (editor);
  gtk_editable_set_text (GTK_EDITABLE (editor), "abc");
  gtk_widget_grab_focus (cp_section_page_get_editor (cover, "address"));
  WAIT_FOR (cp_section_page_get_error (cover, "phone") != NULL);
  g_assert_nonnull (cp_section_page_get_error (cover, "phone"));
  gtk_editable_set_text (GTK_EDITABLE (editor), "0512-63265277");

  editor = cp_section_page_get_editor (cover, "district");
  g_assert_true (ADW_IS_COMBO_ROW (editor));
  adw_combo_row_set_selected (ADW_COMBO_ROW (editor), 1);

  WAIT_FOR (cover_is (view, CP_SECTION_STATUS_COMPLETE));
  g_assert_cmpint (cp_packet_view_get_status (view, "cover"), ==, CP_SECTION_STATUS_COMPLETE);
  /* Saved without anyone pressing a button. How soon is a figure for bench/, not a test. */
  WAIT_FOR (cp_packet_view_get_n_pending (view) == 0);
  g_assert_cmpuint (cp_packet_view_get_n_pending (view), ==, 0);
  gtk_widget_grab_focus (cp_section_page_get_editor (cover, "address"));
  WAIT_FOR (cp_section_page_get_error (cover, "phone") == NULL);
  g_assert_null (cp_section_page_get_error (cover, "phone"));

  store = open_store_again (f);
  saved = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_string (saved, "cover", "legal_representative"), ==, "黄燕");
  g_assert_cmpstr (cp_packet_get_string (saved, "cover", "phone"), ==, "0512-63265277");
  g_assert_cmpstr (cp_packet_get_string (saved, "cover", "uscc"), ==, uscc);
  g_assert_nonnull (cp_packet_get_string (saved, "cover", "district"));

  /* Next goes to the second step; the list shows the packet with its progress. */
  gtk_widget_activate_action (GTK_WIDGET (view), "packet.next", NULL);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, "eligibility");
  gtk_widget_activate_action (GTK_WIDGET (view), "packet.previous", NULL);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, "cover");
  g_assert_cmpuint (g_list_model_get_n_items (cp_window_get_visible_packets (f->window)), ==, 1);
}

static GtkEventController *
find_key_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (c))
        return c;
    }
  return NULL;
}

static GtkWidget *
focused_entry (Fixture *f)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (f->window));

  while (focus != NULL && !GTK_IS_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  return focus;
}

/* Types @text into the focused score cell and presses @keyval (Return or Tab). */
static void
type_and_press (Fixture    *f,
                const char *text,
                guint       keyval)
{
  GtkWidget *entry = focused_entry (f);
  gboolean handled = FALSE;

  g_assert_nonnull (entry);
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  for (const char *p = text; *p; p++)
    {
      int pos = gtk_editable_get_position (GTK_EDITABLE (entry));
      char c[2] = { *p, 0 };

      gtk_editable_insert_text (GTK_EDITABLE (entry), c, 1, &pos);
      gtk_editable_set_position (GTK_EDITABLE (entry), pos);
    }
  if (keyval == GDK_KEY_Return)
    g_signal_emit_by_name (entry, "activate");
  else
    g_signal_emit_by_name (find_key_controller (entry), "key-pressed", keyval, 0, 0, &handled);
  spin (20);
}

/* Score a sheet from the keyboard: digits, Enter and Tab; above-max is refused. */
static void
test_score_from_keyboard (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *uscc = cp_demo_uscc ("320508", 5);
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) saved = NULL;
  g_autofree char *uuid = NULL;
  CpPacketView *view;
  CpScoringPage *sheet;
  const CpItemScore *score;

  uuid = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                            "苏州新宇新材料有限公司", uscc, &error));
  g_assert_no_error (error);
  view = get_view (f);

  gtk_widget_activate_action (GTK_WIDGET (view), "packet.show-scoring", NULL);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, CP_PAGE_SCORING);
  sheet = CP_SCORING_PAGE (cp_packet_view_get_page_widget (view, CP_PAGE_SCORING));
  spin (100);
  /* Opening the sheet puts the focus on the first unscored item, ready for digits. */
  g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.1");
  g_assert_true (cp_scoring_page_focus_item (sheet, "1.1.2", CP_SCORE_ACCEPTANCE));

  g_assert_true (cp_scoring_page_focus_item (sheet, "1.1.1", CP_SCORE_ACCEPTANCE));
  g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.1");

  type_and_press (f, "8", GDK_KEY_Return);
  g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.2");
  type_and_press (f, "5", GDK_KEY_Tab);
  g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.3");

  /* 1.1.3 is worth 5 points: 9 is refused and the focus stays. */
  type_and_press (f, "9", GDK_KEY_Tab);
  g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.3");
  g_assert_nonnull (cp_scoring_page_get_message (sheet));
  g_assert_nonnull (strstr (cp_scoring_page_get_message (sheet), "refused"));
  g_assert_null (cp_packet_get_score (cp_packet_view_get_packet (view), "1.1.3"));

  type_and_press (f, "4", GDK_KEY_Tab);
  g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.4");
  g_assert_null (cp_scoring_page_get_message (sheet));

  /* Shift+Tab goes back. */
  {
    gboolean handled = FALSE;

    g_signal_emit_by_name (find_key_controller (focused_entry (f)), "key-pressed",
                           GDK_KEY_ISO_Left_Tab, 0, GDK_SHIFT_MASK, &handled);
    g_assert_true (handled);
    g_assert_cmpstr (cp_scoring_page_get_focus_item (sheet), ==, "1.1.3");
  }

  /* 8 + 5 + 4 = 17 of 1000; 683 short of the city pass mark of 700. */
  g_assert_true (g_str_has_prefix (cp_scoring_page_get_total_text (sheet, CP_SCORE_ACCEPTANCE),
                                   "17 of 1000 points · 3 of 69 items scored"));
  g_assert_nonnull (strstr (cp_scoring_page_get_verdict_text (sheet, CP_SCORE_ACCEPTANCE),
                            "(700): not reached, 683 points short"));

  /* The unscored filter leaves the 66 items without a score. */
  gtk_widget_activate_action (GTK_WIDGET (view), "packet.only-unscored", NULL);
  g_assert_cmpuint (cp_scoring_page_get_n_shown (sheet), ==, 66);
  cp_scoring_page_set_only_unscored (sheet, FALSE);
  g_assert_cmpuint (cp_scoring_page_get_n_shown (sheet), ==, 69);

  /* Each accepted score is in the store at once. */
  store = open_store_again (f);
  saved = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  score = cp_packet_get_score (saved, "1.1.1");
  g_assert_nonnull (score);
  g_assert_true (score->has_acceptance);
  g_assert_cmpfloat (score->acceptance, ==, 8);
  score = cp_packet_get_score (saved, "1.1.3");
  g_assert_cmpfloat (score->acceptance, ==, 4);

  /* Evidence for an item: stored by its hash and named in the manifest. */
  {
    g_autofree char *path = g_build_filename (f->dir, "方针文件.pdf", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autofree char *sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "policy", -1);
    CpPacket *packet = cp_packet_view_get_packet (view);

    g_assert_true (g_file_set_contents (path, "policy", -1, NULL));
    cp_scoring_page_attach_evidence (sheet, "1.1.1", file);
    WAIT_FOR (cp_packet_get_score (packet, "1.1.1")->evidence != NULL);
    g_assert_cmpstr (cp_packet_get_score (packet, "1.1.1")->evidence, ==, sha256);
    g_assert_cmpstr (cp_packet_find_attachment (packet, sha256)->name, ==, "方针文件.pdf");
    g_assert_true (cp_store_has_blob (store, sha256));
    g_clear_object (&saved);
    saved = cp_store_load_packet (store, uuid, &error);
    g_assert_cmpstr (cp_packet_get_score (saved, "1.1.1")->evidence, ==, sha256);
    g_assert_cmpfloat (cp_packet_get_score (saved, "1.1.1")->acceptance, ==, 8);
  }

  /* The review clock is kept with the packet. */
  cp_scoring_page_toggle_clock (sheet);
  g_assert_true (cp_packet_get_review_running (cp_packet_view_get_packet (view)));
  g_clear_object (&saved);
  saved = cp_store_load_packet (store, uuid, &error);
  g_assert_true (cp_packet_get_review_running (saved));
  cp_scoring_page_toggle_clock (sheet);
  g_clear_object (&saved);
  saved = cp_store_load_packet (store, uuid, &error);
  g_assert_false (cp_packet_get_review_running (saved));
}

static const char *
save_demo (Fixture    *f,
           const char *kind,
           guint       seed)
{
  CpTemplateRegistry *registry = cp_application_get_registry (f->app);
  CpStore *store = cp_application_get_store (f->app, NULL);
  g_autoptr(CpPacket) packet = cp_demo_packet (registry, kind, seed);
  g_autoptr(GError) error = NULL;
  static char uuid[64];

  g_assert_nonnull (packet);
  cp_store_save_packet (store, packet, NULL, &error);
  g_assert_no_error (error);
  g_strlcpy (uuid, cp_packet_get_uuid (packet), sizeof uuid);
  cp_window_reload (f->window);
  return uuid;
}

/* The completeness page lists what is missing, jumps to it, and says when all is there. */
static void
test_completeness (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *uuid = g_strdup (save_demo (f, "standardization-acceptance", 2));
  g_autoptr(GError) error = NULL;
  CpPacketView *view;
  CpCompletenessPage *page;
  CpSectionPage *section;

  g_assert_true (cp_window_open_packet (f->window, uuid, CP_PAGE_COMPLETENESS, &error));
  g_assert_no_error (error);
  view = get_view (f);
  page = CP_COMPLETENESS_PAGE (cp_packet_view_get_page_widget (view, CP_PAGE_COMPLETENESS));
  g_assert_true (cp_test_get_boolean (page, "ready"));
  g_assert_cmpstr (cp_test_get_string (page, "title"), ==, "Ready to Submit");
  g_assert_cmpint (cp_packet_get_state (cp_packet_view_get_packet (view)), ==,
                   CP_PACKET_STATE_READY);

  /* Clear the summary: one problem, and its row leads to the field. */
  section = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "work-summary"));
  {
    GtkWidget *editor = cp_section_page_get_editor (section, "summary");
    GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (editor));

    gtk_text_buffer_set_text (buffer, "", -1);
  }
  cp_packet_view_revalidate (view);
  g_assert_false (cp_test_get_boolean (page, "ready"));
  g_assert_cmpuint (cp_test_get_uint (page, "n-rows"), ==, 1);
  g_assert_cmpstr (cp_test_get_string (page, "title"), ==, "1 Problem Left");
  g_assert_cmpint (cp_packet_view_get_status (view, "work-summary"), ==,
                   CP_SECTION_STATUS_ERRORS);
  g_assert_cmpint (cp_packet_get_state (cp_packet_view_get_packet (view)), ==,
                   CP_PACKET_STATE_DRAFT);

  cp_completeness_page_activate_row (page, 0);
  g_assert_cmpstr (cp_packet_view_get_page (view), ==, "work-summary");
  g_assert_nonnull (cp_section_page_get_error (section, "summary"));
}

/* Search, filters, delete with undo. */
static void
test_list (Fixture       *f,
           gconstpointer  data)
{
  GListModel *visible = cp_window_get_visible_packets (f->window);
  g_autofree char *first = NULL;
  g_autoptr(CpStore) store = NULL;

  first = g_strdup (save_demo (f, "standardization-acceptance", 1));
  save_demo (f, "city-demonstration", 2);
  save_demo (f, "provincial-recommendation", 3);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);

  {
    g_autoptr(CpPacket) packet = cp_store_load_packet (cp_application_get_store (f->app, NULL),
                                                       first, NULL);
    g_autofree char *name_part = g_utf8_substring (cp_packet_get_enterprise_name (packet), 2, 4);
    g_autofree char *code_part = g_ascii_strdown (cp_packet_get_uscc (packet) + 8, 6);

    cp_window_set_search (f->window, name_part);
    g_assert_cmpuint (g_list_model_get_n_items (visible), >=, 1);
    cp_window_set_search (f->window, code_part);
    g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 1);
    cp_window_set_search (f->window, "no such enterprise");
    g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 0);
    cp_window_set_search (f->window, "");
  }

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-packet", "s", first);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  store = open_store_again (f);
  g_assert_cmpuint (cp_store_list_packets (store, NULL)->len, ==, 2);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.undo-delete", "s", first);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);
}

/* A label of @root's (or the text of a window title within it) that holds @text. */
static gboolean
widget_shows_text (GtkWidget  *root,
                   const char *text)
{
  if (GTK_IS_LABEL (root) && gtk_widget_get_mapped (root) &&
      strstr (gtk_label_get_text (GTK_LABEL (root)), text) != NULL)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (widget_shows_text (child, text))
      return TRUE;
  return FALSE;
}

/* The deadline of a packet's stage: in words, in the list row and under the packet's title,
 * counted from the day the template gives its stage. */
static void
test_deadline (Fixture       *f,
               gconstpointer  data)
{
  CpTemplateRegistry *registry = cp_application_get_registry (f->app);
  CpStore *store = cp_application_get_store (f->app, NULL);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *details = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *uuid = NULL;
  struct { int month, day; const char *text; CpAppDeadline urgency; } days[] = {
    { 4, 20, "10 days left", CP_APP_DEADLINE_AHEAD },
    { 4, 23, "7 days left", CP_APP_DEADLINE_NEAR },
    { 4, 29, "1 day left", CP_APP_DEADLINE_NEAR },
    { 4, 30, "Due today", CP_APP_DEADLINE_NEAR },
    { 5, 2, "2 days overdue", CP_APP_DEADLINE_PAST },
  };
  GDate today, due;
  int year;

  /* A city-level application being prepared: its list is due at the city office by 30 April. */
  packet = cp_app_new_packet (registry, "city-demonstration", &error);
  g_assert_no_error (error);
  cp_packet_set_year (packet, 2020);
  for (guint i = 0; i < G_N_ELEMENTS (days); i++)
    {
      g_autofree char *text = NULL;
      CpAppDeadline urgency = CP_APP_DEADLINE_NONE;

      g_date_clear (&today, 1);
      g_date_set_dmy (&today, days[i].day, days[i].month, 2020);
      g_clear_pointer (&details, g_free);
      text = cp_app_deadline_text (registry, packet, &today, &details, &urgency);
      g_assert_cmpstr (text, ==, days[i].text);
      g_assert_cmpint (urgency, ==, days[i].urgency);
      g_assert_nonnull (strstr (details, "due by 2020-04-30"));
    }
  /* Recognised: no deadline is left to keep. */
  cp_packet_set_state (packet, CP_PACKET_STATE_ACCEPTED);
  g_assert_null (cp_app_deadline_text (registry, packet, &today, NULL, NULL));

  /* Last year's packet, still being prepared, in the list and opened. */
  g_clear_object (&packet);
  packet = cp_demo_packet (registry, "city-demonstration", 5);
  cp_date_today (&today);
  year = g_date_get_year (&today) - 1;
  cp_packet_set_year (packet, year);
  cp_packet_set_state (packet, CP_PACKET_STATE_DRAFT);
  cp_store_save_packet (store, packet, NULL, &error);
  g_assert_no_error (error);
  uuid = g_strdup (cp_packet_get_uuid (packet));
  g_date_clear (&due, 1);
  g_date_set_dmy (&due, 30, 4, year);
  expected = g_strdup_printf ("%d days overdue", g_date_days_between (&due, &today));
  cp_window_reload (f->window);
  WAIT_FOR (widget_shows_text (GTK_WIDGET (f->window), expected));
  g_assert_true (widget_shows_text (GTK_WIDGET (f->window), expected));

  g_assert_true (cp_window_open_packet (f->window, uuid, NULL, &error));
  g_assert_no_error (error);
  WAIT_FOR (widget_shows_text (GTK_WIDGET (get_view (f)), expected));
  g_assert_true (widget_shows_text (GTK_WIDGET (get_view (f)), expected));
}

typedef struct
{
  char     *db_path;
  gboolean  painted;
  gboolean  db_at_first_frame;
} FirstFrame;

static void
first_frame_painted_cb (GdkFrameClock *clock,
                        FirstFrame    *ff)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_painted_cb, ff);
  ff->painted = TRUE;
  ff->db_at_first_frame = g_file_test (ff->db_path, G_FILE_TEST_EXISTS);
}

static void
first_frame_realize_cb (GtkWidget  *window,
                        FirstFrame *ff)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (first_frame_painted_cb), ff);
}

static void
first_frame_window_added_cb (GtkApplication *app,
                             GtkWindow      *window,
                             FirstFrame     *ff)
{
  g_signal_connect (window, "realize", G_CALLBACK (first_frame_realize_cb), ff);
}

/* Nothing but the window before its first frame: a first start paints the window (the list
 * loading) before the store is even created, and the list comes right after. */
static void
test_store_after_first_frame (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *db_path = g_build_filename (f->dir, "packets.db", NULL);
  FirstFrame ff = { db_path, FALSE, FALSE };

  stop_app (f);
  remove_tree (f->dir);
  g_assert_cmpint (g_mkdir (f->dir, 0700), ==, 0);
  g_assert_false (g_file_test (db_path, G_FILE_TEST_EXISTS));

  start_app_full (f, G_CALLBACK (first_frame_window_added_cb), &ff);
  WAIT_FOR (ff.painted);
  g_assert_true (ff.painted);
  g_assert_false (ff.db_at_first_frame);

  WAIT_FOR (cp_window_is_loaded (f->window));
  g_assert_true (cp_window_is_loaded (f->window));
  g_assert_true (g_file_test (db_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (g_list_model_get_n_items (cp_window_get_visible_packets (f->window)), ==, 0);
}

/* The trash keeps a deleted packet 30 days: at the next start, one deleted 31 days ago is
 * gone and one deleted 29 days ago is still there, to restore. */
static void
test_trash_kept_30_days (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *old = g_strdup (save_demo (f, "standardization-acceptance", 31));
  g_autofree char *recent = g_strdup (save_demo (f, "city-demonstration", 29));
  g_autofree char *db_path = g_build_filename (f->dir, "packets.db", NULL);
  g_autoptr(CpStore) store = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  gint64 day = G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC;
  gint64 now = g_get_real_time ();
  sqlite3 *db = NULL;
  char *sql;

  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-packet", "s", old);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.delete-packet", "s", recent);
  stop_app (f);

  /* Back-date the deletions as if the days had passed. */
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  sql = sqlite3_mprintf ("UPDATE packets SET deleted_at = %lld WHERE uuid = %Q;"
                         "UPDATE packets SET deleted_at = %lld WHERE uuid = %Q;",
                         (long long) (now - 31 * day), old, (long long) (now - 29 * day),
                         recent);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_free (sql);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  start_app (f);
  /* The store opens (and purges) after the window's first frame. */
  WAIT_FOR (cp_window_is_loaded (f->window));
  store = open_store_again (f);
  g_assert_false (cp_store_has_packet (store, old));
  trash = cp_store_list_deleted_packets (store, NULL);
  g_assert_cmpuint (trash->len, ==, 1);
  g_assert_cmpstr (((CpPacketSummary *) g_ptr_array_index (trash, 0))->uuid, ==, recent);
}

static gboolean
toasts_contain (Fixture    *f,
                const char *text)
{
  GPtrArray *toasts = cp_window_get_toasts (f->window);

  for (guint i = 0; i < toasts->len; i++)
    if (strstr (g_ptr_array_index (toasts, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* Import: the files credit-packet-tool demo -o writes come in; a file that is not a packet,
 * one nested too deep and one already imported are each named with the reason. */
static void
test_import (Fixture       *f,
             gconstpointer  data)
{
  const char *tool = g_getenv ("CP_TOOL_BINARY");
  g_autofree char *demo_dir = g_build_filename (f->dir, "demo", NULL);
  g_autofree char *quoted = g_shell_quote (demo_dir);
  g_autofree char *command = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GString) deep = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GListModel *visible = cp_window_get_visible_packets (f->window);
  g_auto(GStrv) paths = NULL;
  int status = -1;
  const struct { const char *name; const char *content; } bad[] = {
    { "notes.json", "{\"hello\": 1}" },
    { "letter.json", "Dear office, please find the packet enclosed." },
    { "list.json", "[1, 2, 3]" },
  };

  if (tool == NULL)
    {
      g_test_skip ("CP_TOOL_BINARY is not set");
      return;
    }
  command = g_strdup_printf ("%s demo -o %s", tool, quoted);
  g_assert_true (g_spawn_command_line_sync (command, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpint (status, ==, 0);
  paths = g_strsplit (g_strstrip (out), "\n", -1);
  g_assert_cmpuint (g_strv_length (paths), ==, 4);
  for (guint i = 0; paths[i] != NULL; i++)
    g_ptr_array_add (files, g_file_new_for_path (paths[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, bad[i].name, NULL);

      g_assert_true (g_file_set_contents (path, bad[i].content, -1, NULL));
      g_ptr_array_add (files, g_file_new_for_path (path));
    }
  {
    g_autofree char *path = g_build_filename (f->dir, "deep.json", NULL);

    for (guint i = 0; i < 200000; i++)
      g_string_append_c (deep, '[');
    g_assert_true (g_file_set_contents (path, deep->str, deep->len, NULL));
    g_ptr_array_add (files, g_file_new_for_path (path));
  }

  cp_window_import_files (f->window, files);
  WAIT_FOR (g_list_model_get_n_items (visible) == 4 && toasts_contain (f, "deep.json"));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);
  g_assert_true (toasts_contain (f, "4 packets were imported"));
  g_assert_true (toasts_contain (f, "“notes.json” does not hold a valid packet"));
  g_assert_true (toasts_contain (f, "“letter.json” is not a packet file"));
  g_assert_true (toasts_contain (f, "“list.json” does not hold a valid packet"));
  g_assert_true (toasts_contain (f, "“deep.json” is not a packet file"));

  /* The same files again: nothing doubles. */
  g_ptr_array_set_size (files, 1);
  cp_window_import_files (f->window, files);
  WAIT_FOR (toasts_contain (f, "already on this computer"));
  g_assert_true (toasts_contain (f, "already on this computer"));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 4);
  {
    g_autoptr(CpStore) store = open_store_again (f);
    g_autoptr(GPtrArray) list = cp_store_list_packets (store, NULL);

    g_assert_cmpuint (list->len, ==, 4);
  }
}

/* Export PDF from the open packet. */
static void
test_export_pdf (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *uuid = g_strdup (save_demo (f, "city-demonstration", 4));
  g_autofree char *path = g_build_filename (f->dir, "binder.pdf", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize length;

  g_assert_true (cp_window_open_packet (f->window, uuid, NULL, &error));
  g_assert_true (cp_packet_view_export_pdf (get_view (f), path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpuint (length, >, 10000);
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));

  if (g_find_program_in_path ("pdftotext") != NULL)
    {
      g_autofree char *out = NULL;
      g_autofree char *quoted = g_shell_quote (path);
      g_autofree char *cmd = g_strdup_printf ("pdftotext -l 1 %s -", quoted);
      const char *name = cp_packet_get_enterprise_name (cp_packet_view_get_packet (get_view (f)));

      g_assert_true (g_spawn_command_line_sync (cmd, &out, NULL, NULL, &error));
      g_assert_nonnull (strstr (out, name));
    }
}

/* Closing and opening the window again returns to the same packet and page. */
static void
test_reopen (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *uuid = g_strdup (save_demo (f, "demonstration-review", 5));
  g_autoptr(GError) error = NULL;
  CpWindow *second;

  if (cp_application_get_settings (f->app) == NULL)
    {
      g_test_skip ("The GSettings schema is not available");
      return;
    }
  g_assert_true (cp_window_open_packet (f->window, uuid, "on-site", &error));
  gtk_widget_activate_action (GTK_WIDGET (get_view (f)), "packet.next", NULL);
  g_assert_cmpstr (cp_packet_view_get_page (get_view (f)), ==, "review-report");

  gtk_window_close (GTK_WINDOW (f->window));
  spin (50);
  second = cp_window_new (f->app);
  f->window = second;
  gtk_window_present (GTK_WINDOW (second));
  g_assert_cmpstr (cp_packet_view_get_uuid (get_view (f)), ==, uuid);
  g_assert_cmpstr (cp_packet_view_get_page (get_view (f)), ==, "review-report");
  /* The page's required fields are filled: the focus is in its first empty field (the city
   * office's opinion, optional), its text not selected. */
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (second)));
  spin (200);
  {
    CpSectionPage *page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (get_view (f),
                                                                           "review-report"));
    const CpSection *section = cp_section_page_get_section (page);
    CpPacket *packet = cp_packet_view_get_packet (get_view (f));
    const CpField *first_empty = NULL;
    GtkWidget *editor;
    GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (second));

    for (guint i = 0; i < section->fields->len && first_empty == NULL; i++)
      {
        const CpField *field = g_ptr_array_index (section->fields, i);
        JsonNode *value = cp_packet_get_value (packet, section->id, field->id);

        g_assert_false (field->required && value == NULL);
        if (value == NULL)
          first_empty = field;
      }
    g_assert_nonnull (first_empty);
    g_assert_cmpstr (first_empty->id, ==, "city_opinion");
    editor = cp_section_page_get_editor (page, first_empty->id);

    g_assert_nonnull (focus);
    g_test_message ("focus %s in %s", G_OBJECT_TYPE_NAME (focus),
                    G_OBJECT_TYPE_NAME (gtk_widget_get_parent (focus)));
    g_assert_true (focus == editor || gtk_widget_is_ancestor (focus, editor));
    if (GTK_IS_EDITABLE (focus))
      g_assert_false (gtk_editable_get_selection_bounds (GTK_EDITABLE (focus), NULL, NULL));
  }
}

static gboolean
has_attachment (CpPacket   *packet,
                const char *sha256)
{
  return cp_packet_find_attachment (packet, sha256) != NULL;
}

/* Attachments (name, size, SHA-256), a signature's scan, and repeated groups. */
static void
test_attachments_and_groups (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *uscc = cp_demo_uscc ("320508", 9);
  g_autofree char *file_path = g_build_filename (f->dir, "现场调查报告.pdf", NULL);
  g_autofree char *sha256 = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) saved = NULL;
  g_autofree char *uuid = NULL;
  const char *content = "%PDF-1.4 field survey report for the test\n";
  const CpAttachment *attachment;
  CpPacketView *view;
  CpPacket *packet;
  CpSectionPage *page;
  GtkWidget *add;
  JsonNode *value;

  g_assert_true (g_file_set_contents (file_path, content, -1, &error));
  sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, content, -1);
  file = g_file_new_for_path (file_path);

  uuid = g_strdup (cp_window_create_packet (f->window, "city-demonstration",
                                            "苏州新宇智能装备有限公司", uscc, &error));
  g_assert_no_error (error);
  view = get_view (f);
  packet = cp_packet_view_get_packet (view);
  g_assert_true (cp_packet_view_set_page (view, "field-survey"));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "field-survey"));

  cp_section_page_attach_file (page, "report", file);
  WAIT_FOR (has_attachment (packet, sha256));
  attachment = cp_packet_find_attachment (packet, sha256);
  g_assert_nonnull (attachment);
  g_assert_cmpstr (attachment->name, ==, "现场调查报告.pdf");
  g_assert_cmpuint (attachment->size, ==, strlen (content));
  g_assert_cmpstr (attachment->mime, ==, "application/pdf");

  /* The group of surveyors: add two entries, fill one, remove the other. */
  add = cp_section_page_get_editor (page, "surveyors");
  g_assert_true (GTK_IS_BUTTON (add));
  g_signal_emit_by_name (add, "clicked");
  add = cp_section_page_get_editor (page, "surveyors");
  g_signal_emit_by_name (add, "clicked");
  value = cp_packet_get_value (packet, "field-survey", "surveyors");
  g_assert_nonnull (value);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (value)), ==, 2);
  cp_packet_view_flush (view);

  /* The signature of the district office on the contract, with its scanned page. */
  g_assert_true (cp_packet_view_set_page (view, "contract"));
  page = CP_SECTION_PAGE (cp_packet_view_get_page_widget (view, "contract"));
  gtk_editable_set_text (GTK_EDITABLE (cp_section_page_get_editor (page, "district_stamp")),
                         "姑苏区信用办");
  cp_section_page_attach_file (page, "district_stamp", file);
  WAIT_FOR (cp_packet_get_value (packet, "contract", "district_stamp") != NULL &&
            json_object_has_member (json_node_get_object (
              cp_packet_get_value (packet, "contract", "district_stamp")), "scan"));
  value = cp_packet_get_value (packet, "contract", "district_stamp");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (value), "signer"), ==,
                   "姑苏区信用办");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (value), "scan"), ==,
                   sha256);
  cp_packet_view_flush (view);

  /* All of it is in the store, and the blob is kept by its hash. */
  store = open_store_again (f);
  saved = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  /* "report" takes several files: its value is an array of hashes. */
  value = cp_packet_get_value (saved, "field-survey", "report");
  g_assert_nonnull (value);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (value));
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (value), 0), ==, sha256);
  g_assert_true (has_attachment (saved, sha256));
  g_assert_true (cp_store_has_blob (store, sha256));
  value = cp_packet_get_value (saved, "field-survey", "surveyors");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (value)), ==, 2);
  value = cp_packet_get_value (saved, "contract", "district_stamp");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (value), "scan"), ==,
                   sha256);
}

/* An edit typed just before the window closes is not lost. */
static void
test_flush_on_close (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) saved = NULL;
  g_autofree char *uuid = NULL;
  CpSectionPage *cover;

  uuid = g_strdup (cp_window_create_packet (f->window, "demonstration-review", "苏州华盛纺织有限公司",
                                            NULL, &error));
  g_assert_no_error (error);
  cover = CP_SECTION_PAGE (cp_packet_view_get_page_widget (get_view (f), "cover"));
  gtk_editable_set_text (GTK_EDITABLE (cp_section_page_get_editor (cover, "address")),
                         "江苏省苏州市吴江区松陵镇");
  g_assert_cmpuint (cp_packet_view_get_n_pending (get_view (f)), ==, 1);
  /* Close at once, well within the save delay. */
  gtk_window_close (GTK_WINDOW (f->window));

  store = open_store_again (f);
  saved = cp_store_load_packet (store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_string (saved, "cover", "address"), ==,
                   "江苏省苏州市吴江区松陵镇");
  f->window = cp_window_new (f->app);
}

/* Every page of every kind opens without a warning (G_DEBUG=fatal-warnings), with the sample
 * packets: complete ones say so on their last page. */
static void
test_visit_every_page (Fixture       *f,
                       gconstpointer  data)
{
  const char *kinds[] = { "standardization-acceptance", "city-demonstration",
                          "provincial-recommendation", "demonstration-review" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *uuid = g_strdup (save_demo (f, kinds[k], 20 + k));
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) pages = NULL;
      CpPacketView *view = get_view (f);
      CpCompletenessPage *completeness;

      g_assert_true (cp_window_open_packet (f->window, uuid, NULL, &error));
      g_assert_no_error (error);
      pages = cp_packet_view_get_pages (view);
      g_assert_cmpuint (pages->len, >=, 3);
      g_assert_cmpstr (cp_packet_view_get_page (view), ==, "cover");
      for (guint i = 1; i < pages->len; i++)
        {
          gtk_widget_activate_action (GTK_WIDGET (view), "packet.next", NULL);
          spin (5);
          g_assert_cmpstr (cp_packet_view_get_page (view), ==, g_ptr_array_index (pages, i));
          g_assert_cmpint (cp_packet_view_get_status (view, g_ptr_array_index (pages, i)), ==,
                           CP_SECTION_STATUS_COMPLETE);
        }
      g_assert_cmpstr (cp_packet_view_get_page (view), ==, CP_PAGE_COMPLETENESS);
      completeness = CP_COMPLETENESS_PAGE (cp_packet_view_get_page_widget (view,
                                                                           CP_PAGE_COMPLETENESS));
      g_assert_true (cp_test_get_boolean (completeness, "ready"));
      gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-list", NULL);
      g_assert_null (cp_packet_view_get_uuid (view));
    }
}

/* The About and shortcuts windows build without a warning. */
static void
test_about_and_shortcuts (Fixture       *f,
                          gconstpointer  data)
{
  guint n_about = 0, n_shortcuts = 0;

  g_action_group_activate_action (G_ACTION_GROUP (f->app), "about", NULL);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.show-help-overlay", NULL);
  spin (100);
  for (GList *l = gtk_window_list_toplevels (); l != NULL; l = g_list_delete_link (l, l))
    {
      if (!gtk_widget_get_visible (l->data))
        continue;
      if (ADW_IS_ABOUT_WINDOW (l->data))
        {
          g_assert_cmpstr (adw_about_window_get_version (l->data), ==, PACKAGE_VERSION);
          n_about++;
          gtk_window_destroy (l->data);
        }
      else if (GTK_IS_SHORTCUTS_WINDOW (l->data))
        {
          n_shortcuts++;
          gtk_widget_set_visible (l->data, FALSE);
        }
    }
  g_assert_cmpuint (n_about, ==, 1);
  g_assert_cmpuint (n_shortcuts, ==, 1);
}

static void
count_frame_cb (GdkFrameClock *clock,
                guint         *n_frames)
{
  (*n_frames)++;
}

/* Lets what was just shown settle (the delayed validation, the badges, transitions): a second,
 * then until 500 ms pass without a frame (at most 5 s more). */
static void
settle (guint *n_frames)
{
  gint64 deadline = g_get_monotonic_time () + 6 * G_USEC_PER_SEC;

  spin (1000);
  do
    {
      *n_frames = 0;
      spin (500);
    }
  while (*n_frames > 0 && g_get_monotonic_time () < deadline);
}

/* An idle window draws nothing: on the list and inside a packet, once everything is shown, no
 * frame is painted while nobody does anything (a hidden spinner used to repaint the window 60
 * times a second, a few per cent of a laptop's CPU for as long as the application was open). */
static void
test_idle_draws_nothing (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *uscc = cp_demo_uscc ("320505", 12);
  g_autoptr(GError) error = NULL;
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  guint n_frames = 0;
  gulong id;

  /* A blinking cursor in the focused entry paints by design: not what is measured here. */
  g_object_set (gtk_widget_get_settings (GTK_WIDGET (f->window)), "gtk-cursor-blink", FALSE,
                NULL);
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame_cb), &n_frames);

  WAIT_FOR (cp_window_is_loaded (f->window));
  settle (&n_frames);
  n_frames = 0;
  spin (1000);
  g_assert_cmpuint (n_frames, <=, 1);

  cp_window_create_packet (f->window, "city-demonstration", "苏州安泰物流有限公司", uscc, &error);
  g_assert_no_error (error);
  settle (&n_frames);
  n_frames = 0;
  spin (1000);
  g_assert_cmpuint (n_frames, <=, 1);
  g_signal_handler_disconnect (clock, id);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  cp_application_init_i18n ();
  gtk_test_init (&argc, &argv, NULL);

#define ADD(name, func) \
  g_test_add ("/app/" name, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("new-packet-dialog", test_new_packet_dialog);
  ADD ("fill-section", test_fill_section);
  ADD ("score-from-keyboard", test_score_from_keyboard);
  ADD ("completeness", test_completeness);
  ADD ("list", test_list);
  ADD ("deadline", test_deadline);
  ADD ("trash-kept-30-days", test_trash_kept_30_days);
  ADD ("import", test_import);
  ADD ("export-pdf", test_export_pdf);
  ADD ("reopen", test_reopen);
  ADD ("attachments-and-groups", test_attachments_and_groups);
  ADD ("about-and-shortcuts", test_about_and_shortcuts);
  ADD ("visit-every-page", test_visit_every_page);
  ADD ("flush-on-close", test_flush_on_close);
  ADD ("idle-draws-nothing", test_idle_draws_nothing);
  ADD ("store-after-first-frame", test_store_after_first_frame);
#undef ADD

  return g_test_run ();
}
