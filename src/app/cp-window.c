/* cp-window.c — the main window: the packet list and the open packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-window.h"

#include <glib/gi18n.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "cp-uscc.h"
#include "cp-validator.h"

struct _CpWindow
{
  AdwApplicationWindow  parent_instance;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwWindowTitle       *list_title;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *kind_dropdown;
  GtkDropDown          *state_dropdown;
  GtkDropDown          *year_dropdown;
  GtkStack             *list_stack;
  GtkSpinner           *loading_spinner;
  GtkListView          *list_view;
  CpPacketView         *packet_view;
  CpSyncStatus         *sync_status;

  CpSyncManager        *sync;
  CpSyncManagerStatus   last_status;
  AdwToast             *login_toast;  /* weak: "log in again", until dismissed or logged in */
  guint                 counts_id;

  GListStore           *packets;
  GtkFilterListModel   *filtered;
  GtkCustomFilter      *filter;
  GPtrArray            *kind_ids;     /* kind filter position - 1 → kind id */
  GArray               *years;        /* year filter position - 1 → year */
  char                 *needle;       /* case-folded search text */
  gboolean              loading_filters;
  gboolean              loaded;       /* the list has been read at least once */
  GQueue               *completeness_queue;   /* items waiting for their completeness */
  GHashTable           *completeness_queued;
  guint                 completeness_id;
  guint                 generation;   /* of list reads: a late thread result is dropped */
  GHashTable           *review_comments;  /* uuid → GPtrArray of CpComment *, as last read */
  GHashTable           *submissions;  /* uuid → "Submitted on … by …", from the server */
  gboolean              show_trash;   /* the list shows the deleted packets */
  char                 *undo_uuid;    /* the last deletion, while its toast is up */
  AdwToast             *undo_toast;   /* weak */
  GPtrArray            *toasts;       /* the texts of the last toasts shown, oldest first */
};

G_DEFINE_FINAL_TYPE (CpWindow, cp_window, ADW_TYPE_APPLICATION_WINDOW)

static void cp_window_reload_async (CpWindow *self);
static void cp_window_apply_workflow_state (CpWindow *self);

static const CpPacketState filter_states[] = {
  CP_PACKET_STATE_DRAFT,
  CP_PACKET_STATE_READY,
  CP_PACKET_STATE_SUBMITTED,
  CP_PACKET_STATE_RETURNED,
  CP_PACKET_STATE_ACCEPTED,
};

static CpApplication *
cp_window_get_app (CpWindow *self)
{
  return CP_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static CpStore *
cp_window_get_store (CpWindow *self)
{
  CpApplication *app = cp_window_get_app (self);

  return app != NULL ? cp_application_get_store (app, NULL) : NULL;
}

static CpTemplateRegistry *
cp_window_get_registry (CpWindow *self)
{
  CpApplication *app = cp_window_get_app (self);

  return app != NULL ? cp_application_get_registry (app) : NULL;
}

static gboolean
packet_filter_func (gpointer item,
                    gpointer user_data)
{
  CpWindow *self = user_data;
  const CpPacketSummary *summary = cp_packet_item_get_summary (item);
  guint kind_pos = gtk_drop_down_get_selected (self->kind_dropdown);
  guint state_pos = gtk_drop_down_get_selected (self->state_dropdown);
  guint year_pos = gtk_drop_down_get_selected (self->year_dropdown);

  if (kind_pos != GTK_INVALID_LIST_POSITION && kind_pos > 0 && kind_pos <= self->kind_ids->len &&
      g_strcmp0 (summary->kind, g_ptr_array_index (self->kind_ids, kind_pos - 1)) != 0)
    return FALSE;
  if (!self->show_trash && state_pos != GTK_INVALID_LIST_POSITION && state_pos > 0 &&
      state_pos <= G_N_ELEMENTS (filter_states) &&
      summary->state != filter_states[state_pos - 1])
    return FALSE;
  if (year_pos != GTK_INVALID_LIST_POSITION && year_pos > 0 && year_pos <= self->years->len &&
      summary->year != g_array_index (self->years, int, year_pos - 1))
    return FALSE;
  return cp_packet_item_matches (item, self->needle);
}

static void
cp_window_update_list_page (CpWindow *self)
{
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->packets));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  AdwStatusPage *no_results = ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->list_stack,
                                                                            "no-results"));
  g_autofree char *subtitle = NULL;

  if (!self->loaded)
    gtk_stack_set_visible_child_name (self->list_stack, "loading");
  else if (n_all == 0 && !self->show_trash)
    gtk_stack_set_visible_child_name (self->list_stack, "empty");
  else if (n_shown == 0)
    gtk_stack_set_visible_child_name (self->list_stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->list_stack, "list");
  /* A spinning spinner animates (and redraws the window at 60 frames a second) even on a
   * hidden stack page: it spins only while it is shown. */
  gtk_spinner_set_spinning (self->loading_spinner, !self->loaded);

  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), n_all > 0);
  if (self->show_trash)
    {
      /* The trash, even empty, is a list of its own, not "no packets yet". */
      adw_status_page_set_title (no_results, n_all == 0 ? _("The Trash Is Empty")
                                                        : _("No Matching Packets"));
      adw_status_page_set_description (no_results,
                                       _("Deleted packets stay here for 30 days; select one to "
                                         "restore it. After that they are removed for good."));
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%u deleted packet · kept for 30 days",
                                               "%u deleted packets · kept for 30 days", n_all),
                                  n_all);
    }
  else
    {
      adw_status_page_set_title (no_results, _("No Matching Packets"));
      adw_status_page_set_description (no_results,
                                       _("Try another enterprise name or credit code, or choose "
                                         "“All” in the filters."));
      if (n_all == 0)
        subtitle = NULL;
      else if (n_shown == n_all)
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u packet", "%u packets",
                                                 n_all), n_all);
      else
        subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u packet shown",
                                                 "%u of %u packets shown", n_all),
                                    n_shown, n_all);
    }
  adw_window_title_set_subtitle (self->list_title, subtitle);
}

static void
filtered_items_changed_cb (CpWindow   *self,
                           guint       position,
                           guint       removed,
                           guint       added,
                           GListModel *model)
{
  cp_window_update_list_page (self);
}

static void
search_changed_cb (CpWindow       *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_free (self->needle);
  self->needle = *stripped ? g_utf8_casefold (stripped, -1) : NULL;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
filter_changed_cb (CpWindow *self)
{
  gboolean trash;

  /* The drop-downs go with the template when the window is disposed. */
  if (self->loading_filters || self->state_dropdown == NULL)
    return;
  /* The last state is "Deleted": the list then shows the trash. */
  trash = gtk_drop_down_get_selected (self->state_dropdown) == G_N_ELEMENTS (filter_states) + 1;
  if (trash != self->show_trash)
    {
      self->show_trash = trash;
      cp_window_reload (self);
      return;
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Row widgets. */

static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CpWindow                 *self)
{
  GtkWidget *box, *text_box, *title, *subtitle, *sync_label, *progress, *delete;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);

  text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_hexpand (text_box, TRUE);
  title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subtitle, "dim-label");
  gtk_box_append (GTK_BOX (text_box), title);
  gtk_box_append (GTK_BOX (text_box), subtitle);

  sync_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (sync_label, "caption");
  gtk_widget_add_css_class (sync_label, "sync-state");
  gtk_widget_set_valign (sync_label, GTK_ALIGN_CENTER);

  progress = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (progress), 1);
  gtk_widget_add_css_class (progress, "dim-label");
  gtk_widget_add_css_class (progress, "numeric");

  delete = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (delete, "flat");
  /* For the mouse only: a key meant to open the row must never land on it (the Delete key
   * moves the focused row's packet to the trash). */
  gtk_widget_set_focusable (delete, FALSE);
  /* Set once: a tooltip per bind costs a text layout for every row scrolled into view. */
  gtk_widget_set_tooltip_text (delete, _("Move this packet to the trash (Delete)"));

  gtk_box_append (GTK_BOX (box), text_box);
  gtk_box_append (GTK_BOX (box), sync_label);
  gtk_box_append (GTK_BOX (box), progress);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_item_set_child (list_item, box);
}

/* The packet's sync state, once there is a server to sync with. */
static const char *
cp_window_sync_state_title (CpStoreSyncState state)
{
  switch (state)
    {
    case CP_STORE_SYNC_PENDING:
      return _("Pending");
    case CP_STORE_SYNC_SYNCED:
      return _("Synced");
    case CP_STORE_SYNC_CONFLICT:
      return _("Conflict");
    case CP_STORE_SYNC_QUARANTINED:
      return _("Refused");
    default:
      return "";
    }
}

static void
cp_window_bind_sync_label (CpWindow         *self,
                           GtkLabel         *label,
                           CpStoreSyncState  state)
{
  static const char * const classes[] = { "warning", "success", "error", "error" };
  gboolean shown = self->sync != NULL &&
                   cp_sync_manager_get_status (self->sync) != CP_SYNC_STATUS_DISABLED;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), classes[i]);
  gtk_widget_set_visible (GTK_WIDGET (label), shown);
  if (!shown)
    return;
  gtk_label_set_text (label, cp_window_sync_state_title (state));
  if ((guint) state < G_N_ELEMENTS (classes))
    gtk_widget_add_css_class (GTK_WIDGET (label), classes[state]);
}

static char *
cp_window_compute_completeness (CpWindow     *self,
                                CpPacketItem *item)
{
  CpStore *store = cp_window_get_store (self);
  CpTemplateRegistry *registry = cp_window_get_registry (self);
  g_autoptr(CpPacket) packet = NULL;

  if (store == NULL || registry == NULL)
    return NULL;
  packet = cp_store_load_packet (store, cp_packet_item_get_uuid (item), NULL);
  if (packet == NULL)
    return g_strdup (_("Cannot be read"));
  return cp_app_completeness_text (registry, packet);
}

static void
item_completeness_cb (CpPacketItem *item,
                      GParamSpec   *pspec,
                      GtkLabel     *label)
{
  const char *text = cp_packet_item_get_completeness (item);

  gtk_label_set_text (label, text != NULL ? text : "");
}

/* Completeness needs the packet itself (read and validated): it is worked out for the rows that
 * are shown only, a few at a time in an idle, so that neither the first frame nor scrolling
 * waits for it. */
static gboolean
completeness_idle_cb (gpointer user_data)
{
  CpWindow *self = user_data;
  gint64 deadline = g_get_monotonic_time () + 4000;

  while (!g_queue_is_empty (self->completeness_queue) && g_get_monotonic_time () < deadline)
    {
      g_autoptr(CpPacketItem) item = g_queue_pop_head (self->completeness_queue);
      g_autofree char *text = NULL;

      g_hash_table_remove (self->completeness_queued, item);
      if (cp_packet_item_get_completeness (item) != NULL)
        continue;
      text = cp_window_compute_completeness (self, item);
      cp_packet_item_set_completeness (item, text != NULL ? text : "");
    }
  if (!g_queue_is_empty (self->completeness_queue))
    return G_SOURCE_CONTINUE;
  self->completeness_id = 0;
  return G_SOURCE_REMOVE;
}

static void
cp_window_queue_completeness (CpWindow     *self,
                              CpPacketItem *item)
{
  if (g_hash_table_contains (self->completeness_queued, item))
    return;
  g_hash_table_add (self->completeness_queued, item);
  g_queue_push_tail (self->completeness_queue, g_object_ref (item));
  if (self->completeness_id == 0)
    self->completeness_id = g_idle_add_full (G_PRIORITY_LOW, completeness_idle_cb, self, NULL);
}

static void
row_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             CpWindow                 *self)
{
  CpPacketItem *item = gtk_list_item_get_item (list_item);
  const CpPacketSummary *summary = cp_packet_item_get_summary (item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *text_box = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (text_box);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  GtkWidget *sync_label = gtk_widget_get_next_sibling (text_box);
  GtkWidget *progress = gtk_widget_get_next_sibling (sync_label);
  GtkWidget *delete = gtk_widget_get_next_sibling (progress);
  g_autofree char *sub = NULL;
  g_autofree char *delete_label = NULL;
  const char *kind_title;
  gulong handler;

  if (cp_packet_item_get_completeness (item) == NULL)
    cp_window_queue_completeness (self, item);
  handler = g_signal_connect (item, "notify::completeness",
                              G_CALLBACK (item_completeness_cb), progress);
  g_object_set_data (G_OBJECT (list_item), "cp-handler", GSIZE_TO_POINTER (handler));

  g_object_set_data_full (G_OBJECT (box), "cp-uuid", g_strdup (summary->uuid), g_free);
  kind_title = cp_app_kind_title (cp_window_get_registry (self), summary->kind);
  if (summary->deleted != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (summary->deleted);
      g_autoptr(GDateTime) until = g_date_time_add_days (local, CP_APP_TRASH_DAYS);
      g_autofree char *on = g_date_time_format (local, "%Y-%m-%d");
      g_autofree char *kept = g_date_time_format (until, "%Y-%m-%d");

      /* Translators: kind of packet · campaign year · deleted on a date · kept until a date */
      sub = g_strdup_printf (_("%s · %d · deleted on %s · kept until %s"), kind_title,
                             summary->year, on, kept);
    }
  else if (summary->uscc != NULL && *summary->uscc)
    /* Translators: kind of packet · campaign year · state · credit code */
    sub = g_strdup_printf (_("%s · %d · %s · %s"), kind_title, summary->year,
                           cp_app_state_title (summary->state), summary->uscc);
  else
    /* Translators: kind of packet · campaign year · state */
    sub = g_strdup_printf (_("%s · %d · %s"), kind_title, summary->year,
                           cp_app_state_title (summary->state));

  gtk_label_set_text (GTK_LABEL (title), cp_packet_item_get_title (item));
  gtk_label_set_text (GTK_LABEL (subtitle), sub);
  cp_window_bind_sync_label (self, GTK_LABEL (sync_label), summary->sync_state);
  item_completeness_cb (item, NULL, GTK_LABEL (progress));

  gtk_actionable_set_action_target (GTK_ACTIONABLE (delete), "s", summary->uuid);
  if (summary->deleted != NULL)
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "win.restore-packet");
      if (g_object_get_data (G_OBJECT (delete), "cp-restore") == NULL)
        {
          gtk_button_set_icon_name (GTK_BUTTON (delete), "edit-undo-symbolic");
          gtk_widget_set_tooltip_text (delete, _("Restore this packet"));
          g_object_set_data (G_OBJECT (delete), "cp-restore", GINT_TO_POINTER (TRUE));
        }
      delete_label = g_strdup_printf (_("Restore the packet of %s"),
                                      cp_packet_item_get_title (item));
    }
  else
    {
      gtk_actionable_set_action_name (GTK_ACTIONABLE (delete), "win.delete-packet");
      if (g_object_get_data (G_OBJECT (delete), "cp-restore") != NULL)
        {
          gtk_button_set_icon_name (GTK_BUTTON (delete), "user-trash-symbolic");
          gtk_widget_set_tooltip_text (delete, _("Move this packet to the trash (Delete)"));
          g_object_set_data (G_OBJECT (delete), "cp-restore", NULL);
        }
      delete_label = g_strdup_printf (_("Move the packet of %s to the trash"),
                                      cp_packet_item_get_title (item));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, delete_label,
                                  -1);
}

static void
row_unbind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CpWindow                 *self)
{
  CpPacketItem *item = gtk_list_item_get_item (list_item);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (list_item), "cp-handler"));

  if (item != NULL && handler != 0)
    g_signal_handler_disconnect (item, handler);
  g_object_set_data (G_OBJECT (list_item), "cp-handler", NULL);
}

static void
list_activate_cb (CpWindow    *self,
                  guint        position,
                  GtkListView *list_view)
{
  g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  g_autoptr(GError) error = NULL;

  if (item == NULL)
    return;
  if (cp_packet_item_get_summary (item)->deleted != NULL)
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.restore-packet", "s",
                                  cp_packet_item_get_uuid (item));
      return;
    }
  if (!cp_window_open_packet (self, cp_packet_item_get_uuid (item), NULL, &error))
    {
      cp_window_show_toast (self, error->message);
      return;
    }
  if (cp_packet_item_get_summary (item)->sync_state == CP_STORE_SYNC_CONFLICT)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.resolve-conflict", "s",
                                cp_packet_item_get_uuid (item));
}

/* Filters. */

static void
cp_window_rebuild_filters (CpWindow *self)
{
  CpTemplateRegistry *registry = cp_window_get_registry (self);
  g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) years = gtk_string_list_new (NULL);
  g_autoptr(GHashTable) seen_years = g_hash_table_new (NULL, NULL);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->packets));
  g_autofree char *old_kind = NULL;
  int old_year = 0;
  guint pos;

  pos = gtk_drop_down_get_selected (self->kind_dropdown);
  if (pos != GTK_INVALID_LIST_POSITION && pos > 0 && pos <= self->kind_ids->len)
    old_kind = g_strdup (g_ptr_array_index (self->kind_ids, pos - 1));
  pos = gtk_drop_down_get_selected (self->year_dropdown);
  if (pos != GTK_INVALID_LIST_POSITION && pos > 0 && pos <= self->years->len)
    old_year = g_array_index (self->years, int, pos - 1);

  self->loading_filters = TRUE;

  g_ptr_array_set_size (self->kind_ids, 0);
  gtk_string_list_append (kinds, _("All kinds"));
  if (registry != NULL)
    {
      g_autoptr(GPtrArray) ids = cp_app_list_kinds (registry);

      for (guint i = 0; i < ids->len; i++)
        {
          g_ptr_array_add (self->kind_ids, g_strdup (g_ptr_array_index (ids, i)));
          gtk_string_list_append (kinds, cp_app_kind_title (registry, g_ptr_array_index (ids, i)));
        }
    }
  gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));
  gtk_drop_down_set_selected (self->kind_dropdown, 0);
  for (guint i = 0; old_kind != NULL && i < self->kind_ids->len; i++)
    if (g_str_equal (old_kind, g_ptr_array_index (self->kind_ids, i)))
      gtk_drop_down_set_selected (self->kind_dropdown, i + 1);

  if (gtk_drop_down_get_model (self->state_dropdown) == NULL)
    {
      gtk_string_list_append (states, _("All states"));
      for (guint i = 0; i < G_N_ELEMENTS (filter_states); i++)
        gtk_string_list_append (states, cp_app_state_title (filter_states[i]));
      /* The trash: what was deleted in the last 30 days, to restore. */
      gtk_string_list_append (states, _("Deleted"));
      gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (states));
    }

  g_array_set_size (self->years, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->packets), i);
      int year = cp_packet_item_get_summary (item)->year;

      if (!g_hash_table_contains (seen_years, GINT_TO_POINTER (year)))
        {
          g_hash_table_add (seen_years, GINT_TO_POINTER (year));
          g_array_append_val (self->years, year);
        }
    }
  for (guint i = 1; i < self->years->len; i++)
    for (guint j = i; j > 0 && g_array_index (self->years, int, j - 1) <
                               g_array_index (self->years, int, j); j--)
      {
        int tmp = g_array_index (self->years, int, j);
        g_array_index (self->years, int, j) = g_array_index (self->years, int, j - 1);
        g_array_index (self->years, int, j - 1) = tmp;
      }
  gtk_string_list_append (years, _("All years"));
  for (guint i = 0; i < self->years->len; i++)
    {
      char buf[16];

      g_snprintf (buf, sizeof buf, "%d", g_array_index (self->years, int, i));
      gtk_string_list_append (years, buf);
    }
  gtk_drop_down_set_model (self->year_dropdown, G_LIST_MODEL (years));
  gtk_drop_down_set_selected (self->year_dropdown, 0);
  for (guint i = 0; old_year != 0 && i < self->years->len; i++)
    if (g_array_index (self->years, int, i) == old_year)
      gtk_drop_down_set_selected (self->year_dropdown, i + 1);

  self->loading_filters = FALSE;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

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
  CpTemplateRegistry *registry = cp_window_get_registry (self);
  CpNewPacketDialog *dialog;

  if (registry == NULL)
    {
      cp_window_show_toast (self, _("The packet templates could not be loaded."));
      return;
    }
  dialog = cp_new_packet_dialog_new (GTK_WINDOW (self), registry);
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
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  GSettings *settings = cp_application_get_settings (cp_window_get_app (self));

  cp_packet_view_flush (self->packet_view);
  cp_packet_view_close (self->packet_view);
  if (settings != NULL)
    {
      g_settings_set_string (settings, "last-packet", "");
      g_settings_set_string (settings, "last-page", "");
    }
  gtk_stack_set_visible_child_name (self->main_stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static char *
cp_window_lookup_title (CpWindow   *self,
                        const char *uuid)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->packets)); i++)
    {
      g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->packets), i);

      if (g_str_equal (cp_packet_item_get_uuid (item), uuid))
        return g_strdup (cp_packet_item_get_title (item));
    }
  return g_strdup (_("Unnamed enterprise"));
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
  CpStore *store = cp_window_get_store (self);
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
      GSettings *settings = cp_application_get_settings (cp_window_get_app (self));

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
      gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
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
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static gboolean
cp_window_restore (CpWindow   *self,
                   const char *uuid)
{
  CpStore *store = cp_window_get_store (self);
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

/* The row that has the keyboard focus in the list, as its packet's uuid (NULL: none). */
static const char *
cp_window_focused_row_uuid (CpWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

  while (focus != NULL && gtk_widget_get_parent (focus) != GTK_WIDGET (self->list_view))
    focus = gtk_widget_get_parent (focus);
  if (focus == NULL || gtk_widget_get_first_child (focus) == NULL)
    return NULL;
  return g_object_get_data (G_OBJECT (gtk_widget_get_first_child (focus)), "cp-uuid");
}

static CpPacketItem *
cp_window_find_item (CpWindow   *self,
                     const char *uuid,
                     guint      *position)
{
  GListModel *model = G_LIST_MODEL (self->filtered);

  for (guint i = 0; uuid != NULL && i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(CpPacketItem) item = g_list_model_get_item (model, i);

      if (g_str_equal (cp_packet_item_get_uuid (item), uuid))
        {
          *position = i;
          return g_steal_pointer (&item);
        }
    }
  return NULL;
}

/* Delete: the focused row's packet to the trash. Space opens it, as Enter does. */
static gboolean
list_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  CpWindow *self = CP_WINDOW (gtk_widget_get_root (widget));
  const char *key = g_variant_get_string (args, NULL);
  const char *uuid = cp_window_focused_row_uuid (self);
  g_autoptr(CpPacketItem) item = NULL;
  guint position = 0;

  if ((item = cp_window_find_item (self, uuid, &position)) == NULL)
    return FALSE;
  if (g_str_equal (key, "delete"))
    {
      if (cp_packet_item_get_summary (item)->deleted != NULL)
        return TRUE;
      gtk_widget_activate_action (GTK_WIDGET (self), "win.delete-packet", "s", uuid);
      /* The focus stays in the list, on the row that took the deleted one's place. */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
        gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                                    MIN (position, g_list_model_get_n_items (
                                                     G_LIST_MODEL (self->filtered)) - 1));
      return TRUE;
    }
  list_activate_cb (self, position, self->list_view);
  return TRUE;
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
  CpStore *store = cp_window_get_store (self);
  CpTemplateRegistry *registry = cp_window_get_registry (self);
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

      if (self->show_trash)
        gtk_drop_down_set_selected (self->state_dropdown, 0);
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

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sync", logged_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.logout",
                                 self->sync != NULL &&
                                 cp_sync_manager_get_engine (self->sync) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.login", self->sync != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.review-queue", office);
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
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  else if (status != CP_SYNC_STATUS_NEEDS_LOGIN && self->login_toast != NULL)
    adw_toast_dismiss (self->login_toast);
  /* The rows show sync states only while there is a server. */
  if ((status == CP_SYNC_STATUS_DISABLED) != (self->last_status == CP_SYNC_STATUS_DISABLED))
    cp_window_reload_async (self);
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

static void
sync_packets_changed_cb (CpWindow      *self,
                         CpSyncManager *manager)
{
  const char *uuid = cp_packet_view_get_uuid (self->packet_view);
  CpStore *store = cp_window_get_store (self);

  cp_window_reload_async (self);

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
    }
}

static void
cp_window_setup_sync (CpWindow *self)
{
  CpApplication *app = cp_window_get_app (self);

  self->sync = app != NULL ? cp_application_get_sync_manager (app) : NULL;
  if (self->sync == NULL)
    {
      cp_window_update_sync_actions (self);
      gtk_widget_set_visible (GTK_WIDGET (self->sync_status), FALSE);
      return;
    }
  g_object_ref (self->sync);
  self->last_status = cp_sync_manager_get_status (self->sync);
  cp_sync_status_set_manager (self->sync_status, self->sync);
  cp_sync_status_set_manager (cp_packet_view_get_sync_status (self->packet_view), self->sync);
  gtk_widget_set_visible (GTK_WIDGET (cp_packet_view_get_sync_status (self->packet_view)), TRUE);
  g_signal_connect_swapped (self->sync, "notify::status", G_CALLBACK (sync_changed_cb), self);
  g_signal_connect_swapped (self->sync, "notify::logged-in", G_CALLBACK (sync_changed_cb),
                            self);
  g_signal_connect_swapped (self->sync, "notify::role", G_CALLBACK (sync_changed_cb), self);
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
  page = cp_conflict_page_new (GTK_WINDOW (self), self->sync, cp_window_get_registry (self),
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
  CpStore *store = cp_window_get_store (self);

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
  CpTemplateRegistry *registry = cp_window_get_registry (self);
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
  CpTemplateRegistry *registry = cp_window_get_registry (self);
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
  findings = cp_app_validate (cp_window_get_registry (self), packet);
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

static void
review_queue_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpStore *store = cp_window_get_store (self);
  CpTemplateRegistry *registry = cp_window_get_registry (self);

  if (self->sync == NULL || store == NULL || registry == NULL)
    return;
  gtk_window_present (GTK_WINDOW (cp_review_dialog_new (GTK_WINDOW (self), self->sync, store,
                                                        registry)));
}

static void
progress_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CpWindow *self = CP_WINDOW (widget);
  CpTemplateRegistry *registry = cp_window_get_registry (self);

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
  CpTemplateRegistry *registry = cp_window_get_registry (self);

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

/* What the packet's workflow state allows: an accepted or submitted packet is read-only. */
static void
cp_window_apply_workflow_state (CpWindow *self)
{
  CpPacket *packet = cp_packet_view_get_packet (self->packet_view);
  GPtrArray *pages;   /* owned by the view */
  gboolean locked;

  if (packet == NULL)
    return;
  locked = cp_packet_get_state (packet) == CP_PACKET_STATE_ACCEPTED ||
           cp_packet_get_state (packet) == CP_PACKET_STATE_SUBMITTED;
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.submit", !locked);
  cp_window_show_workflow (self);
  if (cp_packet_get_state (packet) != CP_PACKET_STATE_DRAFT &&
      cp_packet_get_state (packet) != CP_PACKET_STATE_READY && self->sync != NULL &&
      cp_sync_manager_is_logged_in (self->sync))
    cp_window_load_workflow_step (self, cp_packet_get_uuid (packet));
  if (cp_packet_get_state (packet) == CP_PACKET_STATE_ACCEPTED)
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
      CpStore *store = cp_window_get_store (self);

      /* Offline, or before the server answers: the comments the last sync kept. */
      if (!g_hash_table_contains (self->review_comments, cp_packet_get_uuid (packet)) &&
          store != NULL)
        {
          g_autoptr(GPtrArray) comments = cp_sync_engine_load_comments (store,
                                                                        cp_packet_get_uuid (packet));

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

/* Packet view signals. */

static void
packet_page_changed_cb (CpWindow     *self,
                        CpPacketView *view)
{
  GSettings *settings = cp_application_get_settings (cp_window_get_app (self));
  const char *uuid = cp_packet_view_get_uuid (view);
  const char *page = cp_packet_view_get_page (view);

  if (settings == NULL || uuid == NULL)
    return;
  g_settings_set_string (settings, "last-packet", uuid);
  g_settings_set_string (settings, "last-page", page != NULL ? page : "");
}

static gboolean
counts_timeout_cb (gpointer user_data)
{
  CpWindow *self = user_data;

  self->counts_id = 0;
  cp_sync_manager_refresh_counts (self->sync);
  return G_SOURCE_REMOVE;
}

static void
packet_edited_cb (CpWindow     *self,
                  CpPacketView *view)
{
  const char *uuid = cp_packet_view_get_uuid (view);
  CpPacket *packet = cp_packet_view_get_packet (view);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->packets));

  if (uuid == NULL || packet == NULL)
    return;

  if (self->sync != NULL && self->counts_id == 0)
    self->counts_id = g_timeout_add (300, counts_timeout_cb, self);

  /* Keep the list row in step with the packet being edited. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->packets), i);
      const CpPacketSummary *old = cp_packet_item_get_summary (item);

      if (g_str_equal (old->uuid, uuid))
        {
          CpPacketSummary summary = *old;
          g_autoptr(CpPacketItem) replacement = NULL;
          g_autofree char *completeness = NULL;

          summary.enterprise_name = (char *) cp_packet_get_enterprise_name (packet);
          summary.uscc = (char *) cp_packet_get_uscc (packet);
          summary.state = cp_packet_get_state (packet);
          if (summary.sync_state == CP_STORE_SYNC_SYNCED)
            summary.sync_state = CP_STORE_SYNC_PENDING;
          replacement = cp_packet_item_new (&summary);
          completeness = cp_app_completeness_text (cp_window_get_registry (self), packet);
          cp_packet_item_set_completeness (replacement, completeness);
          g_list_store_splice (self->packets, i, 1, (gpointer *) &replacement, 1);
          break;
        }
    }
}

/* Window state. */

static void
cp_window_save_state (CpWindow *self)
{
  GSettings *settings;
  int width, height;

  if (cp_window_get_app (self) == NULL)
    return;
  settings = cp_application_get_settings (cp_window_get_app (self));
  if (settings == NULL)
    return;
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
}

static gboolean
cp_window_close_request (GtkWindow *window)
{
  CpWindow *self = CP_WINDOW (window);

  cp_window_flush (self);
  cp_window_save_state (self);
  return GTK_WINDOW_CLASS (cp_window_parent_class)->close_request (window);
}

/* Runs once the window belongs to the application (the "application" property is set after
 * constructed()). */
static void
cp_window_setup (CpWindow *self)
{
  CpApplication *app = cp_window_get_app (self);
  GSettings *settings = app != NULL ? cp_application_get_settings (app) : NULL;
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
    }

  if (app != NULL && cp_application_get_store (app, &error) == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The packets in %s could not be opened: %s"),
                         cp_application_get_data_dir (app), error->message);
      adw_status_page_set_title (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->list_stack,
                                                                               "empty")),
                                 _("Packets Cannot Be Opened"));
      adw_status_page_set_description (ADW_STATUS_PAGE (gtk_stack_get_child_by_name (
                                         self->list_stack, "empty")), message);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-packet", FALSE);
      return;
    }

  cp_window_setup_sync (self);
  cp_window_reload_async (self);

  /* Return to the packet and the page the user left. */
  if (settings != NULL)
    {
      g_autofree char *uuid = g_settings_get_string (settings, "last-packet");
      g_autofree char *page = g_settings_get_string (settings, "last-page");

      if (uuid != NULL && *uuid &&
          !cp_window_open_packet (self, uuid, *page ? page : NULL, NULL))
        g_settings_set_string (settings, "last-packet", "");
    }
}

static void
cp_window_dispose (GObject *object)
{
  CpWindow *self = CP_WINDOW (object);

  g_clear_handle_id (&self->completeness_id, g_source_remove);
  g_clear_handle_id (&self->counts_id, g_source_remove);
  g_clear_weak_pointer (&self->login_toast);
  g_clear_weak_pointer (&self->undo_toast);
  if (self->sync != NULL)
    g_signal_handlers_disconnect_by_data (self->sync, self);
  g_clear_object (&self->sync);
  /* A field that loses the focus while the packet view goes writes and revalidates; the list
   * it would update goes first. */
  if (self->packet_view != NULL)
    g_signal_handlers_disconnect_by_data (self->packet_view, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_WINDOW);

  G_OBJECT_CLASS (cp_window_parent_class)->dispose (object);
}

static void
cp_window_finalize (GObject *object)
{
  CpWindow *self = CP_WINDOW (object);

  g_clear_object (&self->packets);
  g_clear_object (&self->filtered);
  g_clear_pointer (&self->kind_ids, g_ptr_array_unref);
  g_clear_pointer (&self->years, g_array_unref);
  g_clear_pointer (&self->needle, g_free);
  if (self->completeness_queue != NULL)
    g_queue_free_full (g_steal_pointer (&self->completeness_queue), g_object_unref);
  g_clear_pointer (&self->completeness_queued, g_hash_table_unref);
  g_clear_pointer (&self->review_comments, g_hash_table_unref);
  g_clear_pointer (&self->submissions, g_hash_table_unref);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  g_clear_pointer (&self->undo_uuid, g_free);

  G_OBJECT_CLASS (cp_window_parent_class)->finalize (object);
}

static void
cp_window_class_init (CpWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = cp_window_dispose;
  object_class->finalize = cp_window_finalize;
  window_class->close_request = cp_window_close_request;

  g_type_ensure (CP_TYPE_PACKET_VIEW);
  g_type_ensure (CP_TYPE_SYNC_STATUS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/cp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, year_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, packet_view);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, sync_status);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, packet_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, packet_edited_cb);

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

static void
cp_window_init (CpWindow *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkEventController *controller;
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->kind_ids = g_ptr_array_new_with_free_func (g_free);
  self->completeness_queue = g_queue_new ();
  self->completeness_queued = g_hash_table_new (NULL, NULL);
  self->review_comments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_ptr_array_unref);
  self->submissions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->toasts = g_ptr_array_new_with_free_func (g_free);
  self->years = g_array_new (FALSE, FALSE, sizeof (int));
  self->packets = g_list_store_new (CP_TYPE_PACKET_ITEM);
  self->filter = gtk_custom_filter_new (packet_filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->packets)),
                                              GTK_FILTER (self->filter));
  g_signal_connect_object (self->filtered, "items-changed",
                           G_CALLBACK (filtered_items_changed_cb), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (row_unbind_cb), self);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (selection);

  /* Keys on a row: Enter (the list's own) and Space open it; Delete moves it to the trash.
   * In the capture phase, before the row's own Space (select) binding. */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                     gtk_callback_action_new (list_key_cb, NULL, NULL),
                                     "s", "delete"));
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0),
                                     gtk_callback_action_new (list_key_cb, NULL, NULL),
                                     "s", "delete"));
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                     gtk_callback_action_new (list_key_cb, NULL, NULL),
                                     "s", "open"));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), controller);

  /* Ctrl+Z undoes the last deletion while its toast is up (the action is off otherwise, and
   * the key goes on to an entry's own undo). */
  controller = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_z, GDK_CONTROL_MASK),
                      gtk_named_action_new ("win.undo-last-delete")));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-last-delete", FALSE);
}

CpWindow *
cp_window_new (CpApplication *application)
{
  CpWindow *self = g_object_new (CP_TYPE_WINDOW, "application", application, NULL);

  cp_window_setup (self);
  return self;
}

void
cp_window_flush (CpWindow *self)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  cp_packet_view_flush (self->packet_view);
}

static void
cp_window_apply_items (CpWindow  *self,
                       GPtrArray *items)
{
  self->loaded = TRUE;
  g_list_store_splice (self->packets, 0, g_list_model_get_n_items (G_LIST_MODEL (self->packets)),
                       items->pdata, items->len);
  cp_window_rebuild_filters (self);
  cp_window_update_list_page (self);
}

static GPtrArray *
list_items (CpStore   *store,
            gboolean   trash,
            GError   **error)
{
  g_autoptr(GPtrArray) summaries = trash ? cp_store_list_deleted_packets (store, error)
                                         : cp_store_list_packets (store, error);
  GPtrArray *items;

  if (summaries == NULL)
    return NULL;
  items = g_ptr_array_new_full (summaries->len, g_object_unref);
  for (guint i = 0; i < summaries->len; i++)
    g_ptr_array_add (items, cp_packet_item_new (g_ptr_array_index (summaries, i)));
  return items;
}

static void
list_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *items = list_items (task_data, GPOINTER_TO_INT (g_object_get_data (G_OBJECT (task),
                                                                             "cp-trash")),
                                 &error);

  if (items == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

static void
bench_list_painted_cb (GdkFrameClock *clock,
                       CpWindow      *self)
{
  g_autofree char *status = NULL;
  const char *line = NULL;

  g_signal_handlers_disconnect_by_func (clock, bench_list_painted_cb, self);
  if (g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    line = strstr (status, "VmRSS:");
  g_print ("frame %ld\n", line != NULL ? strtol (line + 6, NULL, 10) : -1L);
  fflush (stdout);
  g_application_quit (G_APPLICATION (cp_window_get_app (self)));
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CpWindow *self = CP_WINDOW (object);
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = g_task_propagate_pointer (G_TASK (result), &error);
  /* A synchronous reload since then has newer content. */
  if (GPOINTER_TO_UINT (user_data) != self->generation)
    return;
  if (items == NULL)
    {
      cp_window_show_toast (self, error->message);
      return;
    }
  cp_window_apply_items (self, items);

  if (g_strcmp0 (g_getenv ("CP_BENCH_FIRST_FRAME"), "list") == 0)
    {
      g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (self)), "after-paint",
                        G_CALLBACK (bench_list_painted_cb), self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

/* Reads the list in a thread, so that the window shows at once even with many packets. */
static void
cp_window_reload_async (CpWindow *self)
{
  CpStore *store = cp_window_get_store (self);
  g_autoptr(GTask) task = NULL;

  if (store == NULL)
    return;
  task = g_task_new (self, NULL, list_done_cb, GUINT_TO_POINTER (++self->generation));
  g_task_set_source_tag (task, cp_window_reload_async);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_object_set_data (G_OBJECT (task), "cp-trash", GINT_TO_POINTER (self->show_trash));
  g_task_run_in_thread (task, list_thread);
}

void
cp_window_reload (CpWindow *self)
{
  CpStore *store;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (CP_IS_WINDOW (self));

  store = cp_window_get_store (self);
  if (store == NULL)
    return;
  self->generation++;
  items = list_items (store, self->show_trash, &error);
  if (items == NULL)
    {
      cp_window_show_toast (self, error->message);
      return;
    }
  cp_window_apply_items (self, items);
}

gboolean
cp_window_is_loaded (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), FALSE);

  return self->loaded;
}

GListModel *
cp_window_get_visible_packets (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

void
cp_window_set_search (CpWindow   *self,
                      const char *text)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  /* Apply at once instead of after the entry's delay. */
  search_changed_cb (self, self->search_entry);
}

gboolean
cp_window_open_packet (CpWindow    *self,
                       const char  *uuid,
                       const char  *page,
                       GError     **error)
{
  CpStore *store;
  g_autoptr(CpPacket) packet = NULL;

  g_return_val_if_fail (CP_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (uuid != NULL, FALSE);

  store = cp_window_get_store (self);
  if (store == NULL)
    {
      g_set_error_literal (error, CP_STORE_ERROR, CP_STORE_ERROR_FAILED,
                           _("The packet store is not open."));
      return FALSE;
    }
  packet = cp_store_load_packet (store, uuid, error);
  if (packet == NULL)
    return FALSE;

  cp_packet_view_flush (self->packet_view);
  if (!cp_packet_view_set_packet (self->packet_view, store, cp_window_get_registry (self),
                                  packet, error))
    return FALSE;
  if (page != NULL)
    cp_packet_view_set_page (self->packet_view, page);
  gtk_stack_set_visible_child_name (self->main_stack, "packet");
  packet_page_changed_cb (self, self->packet_view);
  cp_window_apply_workflow_state (self);
  return TRUE;
}

const char *
cp_window_create_packet (CpWindow    *self,
                         const char  *kind,
                         const char  *enterprise_name,
                         const char  *uscc,
                         GError     **error)
{
  CpStore *store;
  CpTemplateRegistry *registry;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *uuid = NULL;
  GDateTime *now;

  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);
  g_return_val_if_fail (kind != NULL, NULL);

  store = cp_window_get_store (self);
  registry = cp_window_get_registry (self);
  if (store == NULL || registry == NULL)
    {
      g_set_error_literal (error, CP_STORE_ERROR, CP_STORE_ERROR_FAILED,
                           _("The packet store is not open."));
      return NULL;
    }

  packet = cp_app_new_packet (registry, kind, error);
  if (packet == NULL)
    return NULL;
  now = cp_packet_get_created (packet);
  if (now != NULL)
    cp_packet_set_year (packet, g_date_time_get_year (now));
  if (enterprise_name != NULL && *enterprise_name)
    cp_packet_set_string (packet, "cover", "enterprise_name", enterprise_name);
  if (uscc != NULL && *uscc)
    {
      normalized = cp_uscc_normalize (uscc);
      cp_packet_set_string (packet, "cover", "uscc", normalized != NULL ? normalized : uscc);
    }
  if (!cp_store_save_packet (store, packet, NULL, error))
    return NULL;

  uuid = g_strdup (cp_packet_get_uuid (packet));
  cp_window_reload (self);
  if (!cp_window_open_packet (self, uuid, NULL, error))
    return NULL;
  return cp_packet_view_get_uuid (self->packet_view);
}

GtkWidget *
cp_window_get_packet_view (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->packet_view);
}

void
cp_window_show_toast (CpWindow   *self,
                      const char *message)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  if (self->toasts->len >= 20)
    g_ptr_array_remove_index (self->toasts, 0);
  g_ptr_array_add (self->toasts, g_strdup (message));
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

GPtrArray *
cp_window_get_toasts (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return self->toasts;
}
