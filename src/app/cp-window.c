/* cp-window.c — the main window: the packet list and the open packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-window.h"
#include "cp-window-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-packet-item.h"
#include "cp-packet-view.h"
#include "cp-sync-status.h"
#include "cp-uscc.h"

G_DEFINE_FINAL_TYPE (CpWindow, cp_window, ADW_TYPE_APPLICATION_WINDOW)

static const CpPacketState filter_states[] = {
  CP_PACKET_STATE_DRAFT,
  CP_PACKET_STATE_READY,
  CP_PACKET_STATE_SUBMITTED,
  CP_PACKET_STATE_RETURNED,
  CP_PACKET_STATE_ACCEPTED,
};

CpApplication *
_cp_window_get_app (CpWindow *self)
{
  return CP_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

CpStore *
_cp_window_get_store (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);

  return app != NULL ? cp_application_get_store (app, NULL) : NULL;
}

CpTemplateRegistry *
_cp_window_get_registry (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);

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
  CpStore *store = _cp_window_get_store (self);
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
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
  kind_title = cp_app_kind_title (_cp_window_get_registry (self), summary->kind);
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

void
_cp_window_list_activate_cb (CpWindow    *self,
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
  CpTemplateRegistry *registry = _cp_window_get_registry (self);
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

/* Packet view signals. */

static void
packet_page_changed_cb (CpWindow     *self,
                        CpPacketView *view)
{
  GSettings *settings = cp_application_get_settings (_cp_window_get_app (self));
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
          completeness = cp_app_completeness_text (_cp_window_get_registry (self), packet);
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

  if (_cp_window_get_app (self) == NULL)
    return;
  settings = cp_application_get_settings (_cp_window_get_app (self));
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
  CpApplication *app = _cp_window_get_app (self);
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

  _cp_window_setup_sync (self);
  _cp_window_reload_async (self);

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
  gtk_widget_class_bind_template_callback_full (widget_class, "list_activate_cb",
                                                G_CALLBACK (_cp_window_list_activate_cb));
  gtk_widget_class_bind_template_callback (widget_class, packet_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, packet_edited_cb);

  _cp_window_class_actions_init (widget_class);
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
                                     gtk_callback_action_new (_cp_window_list_key_cb, NULL, NULL),
                                     "s", "delete"));
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0),
                                     gtk_callback_action_new (_cp_window_list_key_cb, NULL, NULL),
                                     "s", "delete"));
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (controller),
    gtk_shortcut_new_with_arguments (gtk_keyval_trigger_new (GDK_KEY_space, 0),
                                     gtk_callback_action_new (_cp_window_list_key_cb, NULL, NULL),
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
}

/* Reads the list in a thread, so that the window shows at once even with many packets. */
void
_cp_window_reload_async (CpWindow *self)
{
  CpStore *store = _cp_window_get_store (self);
  g_autoptr(GTask) task = NULL;

  if (store == NULL)
    return;
  task = g_task_new (self, NULL, list_done_cb, GUINT_TO_POINTER (++self->generation));
  g_task_set_source_tag (task, _cp_window_reload_async);
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

  store = _cp_window_get_store (self);
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

  store = _cp_window_get_store (self);
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
  if (!cp_packet_view_set_packet (self->packet_view, store, _cp_window_get_registry (self),
                                  packet, error))
    return FALSE;
  if (page != NULL)
    cp_packet_view_set_page (self->packet_view, page);
  gtk_stack_set_visible_child_name (self->main_stack, "packet");
  packet_page_changed_cb (self, self->packet_view);
  _cp_window_apply_workflow_state (self);
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

  store = _cp_window_get_store (self);
  registry = _cp_window_get_registry (self);
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
