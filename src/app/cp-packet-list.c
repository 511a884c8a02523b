/* cp-packet-list.c — the list of packets: search, filters and rows
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-packet-list.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"

struct _CpPacketList
{
  AdwBin              parent_instance;

  /* template children */
  GtkSearchEntry     *search_entry;
  GtkDropDown        *kind_dropdown;
  GtkDropDown        *state_dropdown;
  GtkDropDown        *year_dropdown;
  GtkToggleButton    *my_turn_button;
  GtkStack           *list_stack;
  GtkWidget          *empty_new_button;
  GtkSpinner         *loading_spinner;
  GtkListView        *list_view;

  CpStore            *store;
  CpTemplateRegistry *registry;
  GListStore         *packets;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GPtrArray          *kind_ids;     /* kind filter position - 1 → kind id */
  GArray             *years;        /* year filter position - 1 → year */
  char               *needle;       /* case-folded search text */
  char               *subtitle;
  gboolean            loading_filters;
  gboolean            loaded;       /* the list has been given its packets at least once */
  gboolean            show_trash;   /* the list shows the deleted packets */
  gboolean            show_sync;    /* rows show their sync state */
  gboolean            can_create;
  char               *account_role;  /* the signed-in account's role, or NULL */
  GQueue             *completeness_queue;   /* items waiting for their completeness */
  GHashTable         *completeness_queued;
  guint               completeness_id;
};

enum {
  PROP_0,
  PROP_LOADED,
  PROP_SUBTITLE,
  PROP_SHOW_TRASH,
  PROP_SHOW_SYNC,
  PROP_CAN_CREATE,
  PROP_ACCOUNT_ROLE,
  PROP_MY_TURN,
  N_PROPS
};

enum {
  PACKET_ACTIVATED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpPacketList, cp_packet_list, ADW_TYPE_BIN)

static const CpPacketState filter_states[] = {
  CP_PACKET_STATE_DRAFT,
  CP_PACKET_STATE_READY,
  CP_PACKET_STATE_SUBMITTED,
  CP_PACKET_STATE_RETURNED,
  CP_PACKET_STATE_ACCEPTED,
};

/* Where a listed packet stands in its chain, for the signed-in account: the template of its
 * kind (NULL for an unknown kind), its stage (NULL without a workflow) and the party. */
static CpTemplate *
summary_place (CpPacketList           *self,
               const CpPacketSummary  *summary,
               const CpWorkflowState **stage_out,
               CpRole                 *party_out)
{
  CpTemplate *tmpl = self->registry != NULL
                     ? cp_template_registry_lookup_kind (self->registry, summary->kind) : NULL;

  *stage_out = NULL;
  *party_out = CP_ROLE_NONE;
  if (tmpl == NULL)
    return NULL;
  *stage_out = cp_app_stage_for (tmpl, summary->state, summary->stage);
  *party_out = cp_app_party_for (tmpl, self->account_role, summary->party);
  return tmpl;
}

static gboolean
packet_filter_func (gpointer item,
                    gpointer user_data)
{
  CpPacketList *self = user_data;
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
  if (!self->show_trash && self->account_role != NULL &&
      gtk_toggle_button_get_active (self->my_turn_button))
    {
      const CpWorkflowState *stage;
      CpRole party;
      CpTemplate *tmpl = summary_place (self, summary, &stage, &party);

      if (tmpl == NULL || !cp_app_is_my_turn (tmpl, stage, party))
        return FALSE;
    }
  return cp_packet_item_matches (item, self->needle);
}

static void
cp_packet_list_update_page (CpPacketList *self)
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
  if (g_strcmp0 (subtitle, self->subtitle) != 0)
    {
      g_free (self->subtitle);
      self->subtitle = g_steal_pointer (&subtitle);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBTITLE]);
    }
}

static void
filtered_items_changed_cb (CpPacketList *self,
                           guint         position,
                           guint         removed,
                           guint         added,
                           GListModel   *model)
{
  cp_packet_list_update_page (self);
}

static void
search_changed_cb (CpPacketList   *self,
                   GtkSearchEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_free (self->needle);
  self->needle = *stripped ? g_utf8_casefold (stripped, -1) : NULL;
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

static void
filter_changed_cb (CpPacketList *self)
{
  gboolean trash;

  /* The drop-downs go with the template when the list is disposed. */
  if (self->loading_filters || self->state_dropdown == NULL)
    return;
  /* The last state is "Deleted": the list then shows the trash, which its owner reads. */
  trash = gtk_drop_down_get_selected (self->state_dropdown) == G_N_ELEMENTS (filter_states) + 1;
  if (trash != self->show_trash)
    {
      self->show_trash = trash;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_TRASH]);
      return;
    }
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

/* Row widgets. */

static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CpPacketList             *self)
{
  GtkWidget *box, *text_box, *title, *subtitle, *sync_label, *progress_box, *progress, *deadline;
  GtkWidget *delete;

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

  /* The completeness, and under it the deadline of the packet's stage. */
  progress_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  gtk_widget_set_valign (progress_box, GTK_ALIGN_CENTER);
  progress = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (progress), 1);
  gtk_widget_add_css_class (progress, "dim-label");
  gtk_widget_add_css_class (progress, "numeric");
  deadline = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (deadline), 1);
  gtk_widget_add_css_class (deadline, "caption");
  gtk_widget_add_css_class (deadline, "numeric");
  gtk_widget_set_visible (deadline, FALSE);
  gtk_box_append (GTK_BOX (progress_box), progress);
  gtk_box_append (GTK_BOX (progress_box), deadline);

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
  gtk_box_append (GTK_BOX (box), progress_box);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_item_set_child (list_item, box);
}

/* The packet's sync state, once there is a server to sync with. */
static const char *
cp_packet_list_sync_state_title (CpStoreSyncState state)
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
cp_packet_list_bind_sync_label (CpPacketList     *self,
                           GtkLabel         *label,
                           CpStoreSyncState  state)
{
  static const char * const classes[] = { "warning", "success", "error", "error" };
  gboolean shown = self->show_sync;

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (label), classes[i]);
  gtk_widget_set_visible (GTK_WIDGET (label), shown);
  if (!shown)
    return;
  gtk_label_set_text (label, cp_packet_list_sync_state_title (state));
  if ((guint) state < G_N_ELEMENTS (classes))
    gtk_widget_add_css_class (GTK_WIDGET (label), classes[state]);
}

/* The completeness and the deadline of @item, from its @packet (NULL: it cannot be read). */
static void
cp_packet_list_set_progress (CpPacketList *self,
                             CpPacketItem *item,
                             CpPacket     *packet)
{
  g_autofree char *completeness = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *details = NULL;
  CpAppDeadline urgency = CP_APP_DEADLINE_NONE;

  if (packet != NULL)
    {
      completeness = cp_app_completeness_text (self->registry, packet);
      /* A packet in the trash has no deadline to keep. */
      if (cp_packet_item_get_summary (item)->deleted == NULL)
        deadline = cp_app_deadline_text (self->registry, packet, NULL, &details, &urgency);
    }
  else
    completeness = g_strdup (_("Cannot be read"));
  cp_packet_item_set_deadline (item, deadline, details, urgency);
  cp_packet_item_set_completeness (item, completeness != NULL ? completeness : "");
}

static void
cp_packet_list_compute_completeness (CpPacketList *self,
                                     CpPacketItem *item)
{
  g_autoptr(CpPacket) packet = NULL;

  if (self->store == NULL || self->registry == NULL)
    {
      cp_packet_item_set_completeness (item, "");
      return;
    }
  packet = cp_store_load_packet (self->store, cp_packet_item_get_uuid (item), NULL);
  cp_packet_list_set_progress (self, item, packet);
}

static void
item_completeness_cb (CpPacketItem *item,
                      GParamSpec   *pspec,
                      GtkLabel     *label)
{
  const char *text = cp_packet_item_get_completeness (item);

  gtk_label_set_text (label, text != NULL ? text : "");
}

static void
item_deadline_cb (CpPacketItem *item,
                  GParamSpec   *pspec,
                  GtkLabel     *label)
{
  const char *details = NULL;
  CpAppDeadline urgency = CP_APP_DEADLINE_NONE;
  const char *text = cp_packet_item_get_deadline (item, &details, &urgency);

  gtk_label_set_text (label, text != NULL ? text : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), details);
  gtk_widget_set_visible (GTK_WIDGET (label), text != NULL);
  if (urgency == CP_APP_DEADLINE_PAST)
    gtk_widget_add_css_class (GTK_WIDGET (label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  if (urgency == CP_APP_DEADLINE_NEAR)
    gtk_widget_add_css_class (GTK_WIDGET (label), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
  if (urgency == CP_APP_DEADLINE_AHEAD)
    gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
}

/* Completeness needs the packet itself (read and validated): it is worked out for the rows that
 * are shown only, a few at a time in an idle, so that neither the first frame nor scrolling
 * waits for it. */
static gboolean
completeness_idle_cb (gpointer user_data)
{
  CpPacketList *self = user_data;
  gint64 deadline = g_get_monotonic_time () + 4000;

  while (!g_queue_is_empty (self->completeness_queue) && g_get_monotonic_time () < deadline)
    {
      g_autoptr(CpPacketItem) item = g_queue_pop_head (self->completeness_queue);

      g_hash_table_remove (self->completeness_queued, item);
      if (cp_packet_item_get_completeness (item) != NULL)
        continue;
      cp_packet_list_compute_completeness (self, item);
    }
  if (!g_queue_is_empty (self->completeness_queue))
    return G_SOURCE_CONTINUE;
  self->completeness_id = 0;
  return G_SOURCE_REMOVE;
}

static void
cp_packet_list_queue_completeness (CpPacketList *self,
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
             CpPacketList             *self)
{
  CpPacketItem *item = gtk_list_item_get_item (list_item);
  const CpPacketSummary *summary = cp_packet_item_get_summary (item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *text_box = gtk_widget_get_first_child (box);
  GtkWidget *title = gtk_widget_get_first_child (text_box);
  GtkWidget *subtitle = gtk_widget_get_next_sibling (title);
  GtkWidget *sync_label = gtk_widget_get_next_sibling (text_box);
  GtkWidget *progress_box = gtk_widget_get_next_sibling (sync_label);
  GtkWidget *progress = gtk_widget_get_first_child (progress_box);
  GtkWidget *deadline = gtk_widget_get_next_sibling (progress);
  GtkWidget *delete = gtk_widget_get_next_sibling (progress_box);
  g_autofree char *sub = NULL;
  g_autofree char *delete_label = NULL;
  const char *kind_title;
  gulong handler;

  if (cp_packet_item_get_completeness (item) == NULL)
    cp_packet_list_queue_completeness (self, item);
  handler = g_signal_connect (item, "notify::completeness",
                              G_CALLBACK (item_completeness_cb), progress);
  g_object_set_data (G_OBJECT (list_item), "cp-handler", GSIZE_TO_POINTER (handler));
  handler = g_signal_connect (item, "notify::deadline", G_CALLBACK (item_deadline_cb), deadline);
  g_object_set_data (G_OBJECT (list_item), "cp-deadline-handler", GSIZE_TO_POINTER (handler));

  g_object_set_data_full (G_OBJECT (box), "cp-uuid", g_strdup (summary->uuid), g_free);
  kind_title = cp_app_kind_title (self->registry, summary->kind);
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
  else
    {
      const CpWorkflowState *stage;
      CpRole party;
      /* A kind with a review chain: the stage it is in ("区初审") says more than the state. */
      const char *state_title = summary_place (self, summary, &stage, &party) != NULL &&
                                stage != NULL ? cp_text_get (stage->label)
                                              : cp_app_state_title (summary->state);

      if (summary->uscc != NULL && *summary->uscc)
        /* Translators: kind of packet · campaign year · state · credit code */
        sub = g_strdup_printf (_("%s · %d · %s · %s"), kind_title, summary->year, state_title,
                               summary->uscc);
      else
        /* Translators: kind of packet · campaign year · state */
        sub = g_strdup_printf (_("%s · %d · %s"), kind_title, summary->year, state_title);
    }

  gtk_label_set_text (GTK_LABEL (title), cp_packet_item_get_title (item));
  gtk_label_set_text (GTK_LABEL (subtitle), sub);
  cp_packet_list_bind_sync_label (self, GTK_LABEL (sync_label), summary->sync_state);
  item_completeness_cb (item, NULL, GTK_LABEL (progress));
  item_deadline_cb (item, NULL, GTK_LABEL (deadline));

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
               CpPacketList             *self)
{
  CpPacketItem *item = gtk_list_item_get_item (list_item);
  const char *keys[] = { "cp-handler", "cp-deadline-handler" };

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (list_item), keys[i]));

      if (item != NULL && handler != 0)
        g_signal_handler_disconnect (item, handler);
      g_object_set_data (G_OBJECT (list_item), keys[i], NULL);
    }
}

static void
list_activate_cb (CpPacketList *self,
                  guint         position,
                  GtkListView  *list_view)
{
  g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);

  if (item != NULL)
    g_signal_emit (self, signals[PACKET_ACTIVATED], 0, item);
}

/* The row that has the keyboard focus in the list, as its packet's uuid (NULL: none). */
static const char *
cp_packet_list_focused_row_uuid (CpPacketList *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  while (focus != NULL && gtk_widget_get_parent (focus) != GTK_WIDGET (self->list_view))
    focus = gtk_widget_get_parent (focus);
  if (focus == NULL || gtk_widget_get_first_child (focus) == NULL)
    return NULL;
  return g_object_get_data (G_OBJECT (gtk_widget_get_first_child (focus)), "cp-uuid");
}

static CpPacketItem *
cp_packet_list_find_visible (CpPacketList *self,
                             const char   *uuid,
                             guint        *position)
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
  CpPacketList *self = CP_PACKET_LIST (gtk_widget_get_ancestor (widget, CP_TYPE_PACKET_LIST));
  const char *key = g_variant_get_string (args, NULL);
  const char *uuid = cp_packet_list_focused_row_uuid (self);
  g_autoptr(CpPacketItem) item = NULL;
  guint position = 0;

  if ((item = cp_packet_list_find_visible (self, uuid, &position)) == NULL)
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
  g_signal_emit (self, signals[PACKET_ACTIVATED], 0, item);
  return TRUE;
}

/* Filters. */

static void
cp_packet_list_rebuild_filters (CpPacketList *self)
{
  CpTemplateRegistry *registry = self->registry;
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

static void
cp_packet_list_dispose (GObject *object)
{
  CpPacketList *self = CP_PACKET_LIST (object);

  g_clear_handle_id (&self->completeness_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_PACKET_LIST);

  G_OBJECT_CLASS (cp_packet_list_parent_class)->dispose (object);
}

static void
cp_packet_list_finalize (GObject *object)
{
  CpPacketList *self = CP_PACKET_LIST (object);

  g_clear_object (&self->store);
  g_clear_object (&self->registry);
  g_clear_object (&self->packets);
  g_clear_object (&self->filtered);
  g_clear_pointer (&self->account_role, g_free);
  g_clear_pointer (&self->kind_ids, g_ptr_array_unref);
  g_clear_pointer (&self->years, g_array_unref);
  g_clear_pointer (&self->needle, g_free);
  g_clear_pointer (&self->subtitle, g_free);
  if (self->completeness_queue != NULL)
    g_queue_free_full (g_steal_pointer (&self->completeness_queue), g_object_unref);
  g_clear_pointer (&self->completeness_queued, g_hash_table_unref);

  G_OBJECT_CLASS (cp_packet_list_parent_class)->finalize (object);
}

static void
cp_packet_list_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CpPacketList *self = CP_PACKET_LIST (object);

  switch (prop_id)
    {
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    case PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case PROP_SHOW_TRASH:
      g_value_set_boolean (value, self->show_trash);
      break;
    case PROP_SHOW_SYNC:
      g_value_set_boolean (value, self->show_sync);
      break;
    case PROP_CAN_CREATE:
      g_value_set_boolean (value, self->can_create);
      break;
    case PROP_ACCOUNT_ROLE:
      g_value_set_string (value, self->account_role);
      break;
    case PROP_MY_TURN:
      g_value_set_boolean (value, gtk_toggle_button_get_active (self->my_turn_button));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_packet_list_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CpPacketList *self = CP_PACKET_LIST (object);

  switch (prop_id)
    {
    case PROP_SHOW_TRASH:
      cp_packet_list_set_show_trash (self, g_value_get_boolean (value));
      break;
    case PROP_SHOW_SYNC:
      cp_packet_list_set_show_sync (self, g_value_get_boolean (value));
      break;
    case PROP_CAN_CREATE:
      cp_packet_list_set_can_create (self, g_value_get_boolean (value));
      break;
    case PROP_ACCOUNT_ROLE:
      cp_packet_list_set_account_role (self, g_value_get_string (value));
      break;
    case PROP_MY_TURN:
      gtk_toggle_button_set_active (self->my_turn_button, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_packet_list_class_init (CpPacketListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_packet_list_dispose;
  object_class->finalize = cp_packet_list_finalize;
  object_class->get_property = cp_packet_list_get_property;
  object_class->set_property = cp_packet_list_set_property;

  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SUBTITLE] =
    g_param_spec_string ("subtitle", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_TRASH] =
    g_param_spec_boolean ("show-trash", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SHOW_SYNC] =
    g_param_spec_boolean ("show-sync", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_CREATE] =
    g_param_spec_boolean ("can-create", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The signed-in account's role ("enterprise", "agency", "office"), or NULL: with one, the
   * "My Turn" filter is offered. */
  properties[PROP_ACCOUNT_ROLE] =
    g_param_spec_string ("account-role", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Only the packets in which the account has a part to write or a step to take. */
  properties[PROP_MY_TURN] =
    g_param_spec_boolean ("my-turn", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[PACKET_ACTIVATED] =
    g_signal_new ("packet-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, CP_TYPE_PACKET_ITEM);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/creditpacket/CreditPacket/cp-packet-list.ui");
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, state_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, year_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, my_turn_button);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, list_stack);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, empty_new_button);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, CpPacketList, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
}

static void
my_turn_notify_cb (CpPacketList *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MY_TURN]);
}

static void
cp_packet_list_init (CpPacketList *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  GtkEventController *controller;
  GtkNoSelection *selection;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->can_create = TRUE;
  self->kind_ids = g_ptr_array_new_with_free_func (g_free);
  self->years = g_array_new (FALSE, FALSE, sizeof (int));
  self->completeness_queue = g_queue_new ();
  self->completeness_queued = g_hash_table_new (NULL, NULL);
  self->packets = g_list_store_new (CP_TYPE_PACKET_ITEM);
  g_signal_connect_object (self->my_turn_button, "notify::active",
                           G_CALLBACK (my_turn_notify_cb), self, G_CONNECT_SWAPPED);
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
}

void
cp_packet_list_set_sources (CpPacketList       *self,
                            CpStore            *store,
                            CpTemplateRegistry *registry)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));
  g_return_if_fail (store == NULL || CP_IS_STORE (store));
  g_return_if_fail (registry == NULL || CP_IS_TEMPLATE_REGISTRY (registry));

  g_set_object (&self->store, store);
  g_set_object (&self->registry, registry);
}

void
cp_packet_list_set_items (CpPacketList *self,
                          GPtrArray    *items)
{
  gboolean was_loaded;

  g_return_if_fail (CP_IS_PACKET_LIST (self));
  g_return_if_fail (items != NULL);

  was_loaded = self->loaded;
  self->loaded = TRUE;
  g_list_store_splice (self->packets, 0, g_list_model_get_n_items (G_LIST_MODEL (self->packets)),
                       items->pdata, items->len);
  cp_packet_list_rebuild_filters (self);
  cp_packet_list_update_page (self);
  if (!was_loaded)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
}

gboolean
cp_packet_list_get_loaded (CpPacketList *self)
{
  g_return_val_if_fail (CP_IS_PACKET_LIST (self), FALSE);

  return self->loaded;
}

const char *
cp_packet_list_get_subtitle (CpPacketList *self)
{
  g_return_val_if_fail (CP_IS_PACKET_LIST (self), NULL);

  return self->subtitle;
}

gboolean
cp_packet_list_get_show_trash (CpPacketList *self)
{
  g_return_val_if_fail (CP_IS_PACKET_LIST (self), FALSE);

  return self->show_trash;
}

/* Through the state filter, whose last entry is "Deleted". */
void
cp_packet_list_set_show_trash (CpPacketList *self,
                               gboolean      show_trash)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));

  if (!show_trash == !self->show_trash)
    return;
  gtk_drop_down_set_selected (self->state_dropdown,
                              show_trash ? G_N_ELEMENTS (filter_states) + 1 : 0);
}

gboolean
cp_packet_list_get_show_sync (CpPacketList *self)
{
  g_return_val_if_fail (CP_IS_PACKET_LIST (self), FALSE);

  return self->show_sync;
}

/* Rows bound from now on show it; the owner reloads the list to bind them all again. */
void
cp_packet_list_set_show_sync (CpPacketList *self,
                              gboolean      show_sync)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));

  show_sync = !!show_sync;
  if (show_sync == self->show_sync)
    return;
  self->show_sync = show_sync;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_SYNC]);
}

gboolean
cp_packet_list_get_can_create (CpPacketList *self)
{
  g_return_val_if_fail (CP_IS_PACKET_LIST (self), FALSE);

  return self->can_create;
}

/* What the empty list says: how to make a packet, or where the packets come from. */
static void
cp_packet_list_update_empty (CpPacketList *self)
{
  AdwStatusPage *empty = ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->list_stack,
                                                                       "empty"));

  if (self->can_create)
    {
      adw_status_page_set_title (empty, _("No Packets Yet"));
      adw_status_page_set_description (empty, _("A packet holds everything one enterprise hands in for one campaign year. Press “New Packet”, choose the kind of packet and enter the enterprise and its credit code. Everything you type is saved at once."));
    }
  else if (g_strcmp0 (self->account_role, "agency") == 0)
    {
      adw_status_page_set_title (empty, _("No Packets Yet"));
      adw_status_page_set_description (empty, _("Enterprises make their own packets. The packets of the enterprises your agency coaches, and of those the city credit office assigns it to evaluate, appear here after a sync."));
    }
  else
    {
      adw_status_page_set_title (empty, _("No Packets to Review"));
      adw_status_page_set_description (empty, _("The packets that enterprises hand in to your office appear here after a sync."));
    }
  gtk_widget_set_visible (self->empty_new_button, self->can_create);
}

void
cp_packet_list_set_can_create (CpPacketList *self,
                               gboolean      can_create)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));

  can_create = !!can_create;
  if (can_create == self->can_create)
    return;
  self->can_create = can_create;
  cp_packet_list_update_empty (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_CREATE]);
}

GListModel *
cp_packet_list_get_visible (CpPacketList *self)
{
  g_return_val_if_fail (CP_IS_PACKET_LIST (self), NULL);

  return G_LIST_MODEL (self->filtered);
}

CpPacketItem *
cp_packet_list_lookup (CpPacketList *self,
                       const char   *uuid)
{
  guint n;

  g_return_val_if_fail (CP_IS_PACKET_LIST (self), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  n = g_list_model_get_n_items (G_LIST_MODEL (self->packets));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->packets), i);

      if (g_str_equal (cp_packet_item_get_uuid (item), uuid))
        return item;
    }
  return NULL;
}

void
cp_packet_list_update_packet (CpPacketList *self,
                              CpPacket     *packet)
{
  guint n;

  g_return_if_fail (CP_IS_PACKET_LIST (self));
  g_return_if_fail (CP_IS_PACKET (packet));

  n = g_list_model_get_n_items (G_LIST_MODEL (self->packets));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpPacketItem) item = g_list_model_get_item (G_LIST_MODEL (self->packets), i);
      const CpPacketSummary *old = cp_packet_item_get_summary (item);

      if (g_str_equal (old->uuid, cp_packet_get_uuid (packet)))
        {
          CpPacketSummary summary = *old;
          g_autoptr(CpPacketItem) replacement = NULL;

          summary.enterprise_name = (char *) cp_packet_get_enterprise_name (packet);
          summary.uscc = (char *) cp_packet_get_uscc (packet);
          summary.state = cp_packet_get_state (packet);
          if (summary.sync_state == CP_STORE_SYNC_SYNCED)
            summary.sync_state = CP_STORE_SYNC_PENDING;
          replacement = cp_packet_item_new (&summary);
          cp_packet_list_set_progress (self, replacement, packet);
          g_list_store_splice (self->packets, i, 1, (gpointer *) &replacement, 1);
          break;
        }
    }
}

void
cp_packet_list_set_search (CpPacketList *self,
                           const char   *text)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));
  g_return_if_fail (text != NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  search_changed_cb (self, self->search_entry);
}

void
cp_packet_list_focus_search (CpPacketList *self)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

void
cp_packet_list_focus_list (CpPacketList *self)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

void
cp_packet_list_show_open_error (CpPacketList *self,
                                const char   *message)
{
  AdwStatusPage *empty;

  g_return_if_fail (CP_IS_PACKET_LIST (self));
  g_return_if_fail (message != NULL);

  empty = ADW_STATUS_PAGE (gtk_stack_get_child_by_name (self->list_stack, "empty"));
  adw_status_page_set_title (empty, _("Packets Cannot Be Opened"));
  adw_status_page_set_description (empty, message);
}

void
cp_packet_list_set_account_role (CpPacketList *self,
                                 const char   *role)
{
  g_return_if_fail (CP_IS_PACKET_LIST (self));

  if (g_strcmp0 (self->account_role, role) == 0)
    return;
  g_free (self->account_role);
  self->account_role = g_strdup (role);
  gtk_widget_set_visible (GTK_WIDGET (self->my_turn_button), role != NULL);
  cp_packet_list_update_empty (self);
  if (role == NULL)
    gtk_toggle_button_set_active (self->my_turn_button, FALSE);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_ROLE]);
}
