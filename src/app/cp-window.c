/* cp-window.c — the main window: the packet list and the open packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-window.h"
#include "cp-window-private.h"

#include <glib/gi18n.h>
#if HAVE_MALLOC_TRIM
#include <malloc.h>
#endif

#include "cp-app-util.h"
#include "cp-identity.h"
#include "cp-packet-item.h"
#include "cp-packet-list.h"
#include "cp-packet-view.h"
#include "cp-sync-status.h"
#include "cp-uscc.h"

G_DEFINE_FINAL_TYPE (CpWindow, cp_window, ADW_TYPE_APPLICATION_WINDOW)

CpApplication *
_cp_window_get_app (CpWindow *self)
{
  return CP_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void cp_window_start (CpWindow *self);

/* Whatever needs the store or the templates before the window's first frame (a test, a file
 * opened from the command line) starts the window at once. */
CpStore *
_cp_window_get_store (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);

  if (app == NULL)
    return NULL;
  cp_window_start (self);
  return cp_application_get_store (app, NULL);
}

CpTemplateRegistry *
_cp_window_get_registry (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);

  if (app == NULL)
    return NULL;
  cp_window_start (self);
  return cp_application_get_registry (app);
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
  CpPacket *packet = cp_packet_view_get_packet (view);

  if (cp_packet_view_get_uuid (view) == NULL || packet == NULL)
    return;

  if (self->sync != NULL && self->counts_id == 0)
    self->counts_id = g_timeout_add (300, counts_timeout_cb, self);

  /* Keep the list row in step with the packet being edited. */
  cp_packet_list_update_packet (self->packet_list, packet);
}

/* Packet list signals. */

static void
packet_activated_cb (CpWindow     *self,
                     CpPacketItem *item,
                     CpPacketList *list)
{
  g_autoptr(GError) error = NULL;

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

/* The state filter went to or from "Deleted": the list shows other packets. */
static void
show_trash_changed_cb (CpWindow     *self,
                       GParamSpec   *pspec,
                       CpPacketList *list)
{
  cp_window_reload (self);
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

static void first_frame_cb (GdkFrameClock *clock,
                            CpWindow      *self);

/* The store, the templates, the sync and the list: everything but the window itself. */
static void
cp_window_start (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);
  GSettings *settings = app != NULL ? cp_application_get_settings (app) : NULL;
  g_autoptr(GError) error = NULL;

  if (self->started)
    return;
  self->started = TRUE;
  g_clear_handle_id (&self->start_id, g_source_remove);
  if (self->start_clock != NULL)
    g_signal_handlers_disconnect_by_func (self->start_clock, first_frame_cb, self);
  g_clear_object (&self->start_clock);

  if (app != NULL && cp_application_get_store (app, &error) == NULL)
    {
      g_autofree char *message =
        g_strdup_printf (_("The packets in %s could not be opened: %s"),
                         cp_application_get_data_dir (app), error->message);
      cp_packet_list_show_open_error (self->packet_list, message);
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-packet", FALSE);
      return;
    }

  cp_packet_list_set_sources (self->packet_list, _cp_window_get_store (self),
                              _cp_window_get_registry (self));
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

static gboolean
start_cb (gpointer user_data)
{
  CpWindow *self = CP_WINDOW (user_data);

  self->start_id = 0;
  cp_window_start (self);
  return G_SOURCE_REMOVE;
}

/* The first frame is on the screen: the rest starts when the main loop is next idle, so that
 * opening the store and the templates never delays it. */
static void
first_frame_cb (GdkFrameClock *clock,
                CpWindow      *self)
{
  g_signal_handlers_disconnect_by_func (clock, first_frame_cb, self);
  if (!self->started && self->start_id == 0)
    self->start_id = g_idle_add (start_cb, self);
}

static void
realize_cb (CpWindow *self)
{
  g_signal_handlers_disconnect_by_func (self, realize_cb, NULL);
  if (self->started)
    return;
  g_set_object (&self->start_clock, gtk_widget_get_frame_clock (GTK_WIDGET (self)));
  g_signal_connect (self->start_clock, "after-paint", G_CALLBACK (first_frame_cb), self);
}

/* Runs once the window belongs to the application (the "application" property is set after
 * constructed()). */
static void
cp_window_setup (CpWindow *self)
{
  CpApplication *app = _cp_window_get_app (self);
  GSettings *settings = app != NULL ? cp_application_get_settings (app) : NULL;
  g_autofree char *last_packet = NULL;

  if (g_strcmp0 (PROFILE, "development") == 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  if (settings != NULL)
    {
      gtk_window_set_default_size (GTK_WINDOW (self),
                                   g_settings_get_int (settings, "window-width"),
                                   g_settings_get_int (settings, "window-height"));
      if (g_settings_get_boolean (settings, "window-maximized"))
        gtk_window_maximize (GTK_WINDOW (self));
      last_packet = g_settings_get_string (settings, "last-packet");
    }

  /* Nothing but the window before its first frame: the list shows its loading page until the
   * store is open and read. A window that returns to the packet the user left opens it at once
   * instead, so that the list never flashes by before it. */
  if (last_packet != NULL && *last_packet != '\0')
    cp_window_start (self);
  else
    g_signal_connect (self, "realize", G_CALLBACK (realize_cb), NULL);
}

static void
cp_window_dispose (GObject *object)
{
  CpWindow *self = CP_WINDOW (object);

  g_clear_handle_id (&self->counts_id, g_source_remove);
  g_clear_handle_id (&self->start_id, g_source_remove);
  if (self->start_clock != NULL)
    g_signal_handlers_disconnect_by_func (self->start_clock, first_frame_cb, self);
  g_clear_object (&self->start_clock);
  g_clear_weak_pointer (&self->login_toast);
  g_clear_weak_pointer (&self->last_toast);
  g_clear_pointer (&self->waiting_toasts, g_ptr_array_unref);
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

  g_clear_pointer (&self->review_comments, g_hash_table_unref);
  g_clear_pointer (&self->submissions, g_hash_table_unref);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);
  g_clear_pointer (&self->undo_uuid, g_free);
  g_clear_pointer (&self->authors_uuid, g_free);

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

  g_type_ensure (CP_TYPE_PACKET_LIST);
  g_type_ensure (CP_TYPE_PACKET_VIEW);
  g_type_ensure (CP_TYPE_SYNC_STATUS);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/cp-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CpWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, list_title);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, packet_list);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, packet_view);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, sync_status);
  gtk_widget_class_bind_template_child (widget_class, CpWindow, new_button);
  gtk_widget_class_bind_template_callback (widget_class, packet_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, show_trash_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, packet_page_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, packet_edited_cb);

  _cp_window_class_actions_init (widget_class);
}

static void
cp_window_init (CpWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->review_comments = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                 (GDestroyNotify) g_ptr_array_unref);
  self->submissions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->toasts = g_ptr_array_new_with_free_func (g_free);
  g_object_bind_property (self->packet_list, "subtitle", self->list_title, "subtitle",
                          G_BINDING_SYNC_CREATE);

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
  cp_packet_list_set_items (self->packet_list, items);
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
  g_clear_pointer (&items, g_ptr_array_unref);
#if HAVE_MALLOC_TRIM
  /* The thread built the summaries and then the items from them; the summaries' memory, freed,
   * stayed resident in its malloc arena. */
  malloc_trim (0);
#endif
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
  g_object_set_data (G_OBJECT (task), "cp-trash",
                     GINT_TO_POINTER (cp_packet_list_get_show_trash (self->packet_list)));
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
  items = list_items (store, cp_packet_list_get_show_trash (self->packet_list), &error);
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

  return cp_packet_list_get_loaded (self->packet_list);
}

GListModel *
cp_window_get_visible_packets (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return cp_packet_list_get_visible (self->packet_list);
}

void
cp_window_set_search (CpWindow   *self,
                      const char *text)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  cp_packet_list_set_search (self->packet_list, text);
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
  /* The name and code typed in the dialog are the cover's: the pages that repeat them, and
   * the district, follow as they would have from the cover (cp-identity.h). */
  {
    CpTemplate *tmpl = cp_template_registry_lookup_kind (registry, kind);

    if (tmpl != NULL)
      {
        g_autoptr(GPtrArray) names = cp_identity_carry (tmpl, packet, "cover", "enterprise_name",
                                                        NULL);
        g_autoptr(GPtrArray) codes = cp_identity_carry (tmpl, packet, "cover", "uscc", NULL);
      }
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

/* libadwaita 1.2 frees a toast's record when its hide animation ends, even while its show
 * animation still runs, and the end of that animation then reads the freed record (fixed upstream
 * in 1.3 by commit 1674ebc9, "toast-overlay: Prevent show_done from firing after hide_done").
 * Both animations run on the overlay's frame clock, whose frames may pause (the frame time alone
 * says nothing), so the crash came whenever a toast was dismissed, or pushed aside by one of high
 * priority, before frames had run its show to the end: app-sync's session-ended-at-start met it
 * about one run in two when the user logged in at once. So each toast is watched on the frame
 * clock until its show has surely ended, and only then may it be dismissed or pushed aside. */
#define TOAST_SHOW_US (600 * G_TIME_SPAN_MILLISECOND)  /* the longest show animation, and more */

typedef struct
{
  CpWindow *window;    /* the overlay's, alive while the tick callback is */
  AdwToast *toast;
  gint64    due;       /* frame time, or 0 until the first frame */
} ToastWatch;

static void
toast_watch_free (gpointer data)
{
  ToastWatch *watch = data;

  /* Its show ends with the frames (or the overlay): nothing waits for it any more. */
  g_object_set_data (G_OBJECT (watch->toast), "cp-shown", GINT_TO_POINTER (TRUE));
  g_clear_object (&watch->toast);
  g_free (watch);
}

static gboolean
toast_shown (AdwToast *toast)
{
  return g_object_get_data (G_OBJECT (toast), "cp-shown") != NULL;
}

/* Runs after the show animation's own tick (registered before it, on the same widget). */
static gboolean
toast_watch_tick_cb (GtkWidget     *overlay,
                     GdkFrameClock *clock,
                     gpointer       data)
{
  ToastWatch *watch = data;
  gint64 now = gdk_frame_clock_get_frame_time (clock);

  if (watch->due == 0)
    watch->due = now + TOAST_SHOW_US;
  if (now < watch->due)
    return G_SOURCE_CONTINUE;
  g_object_set_data (G_OBJECT (watch->toast), "cp-shown", GINT_TO_POINTER (TRUE));
  if (g_object_get_data (G_OBJECT (watch->toast), "cp-dismiss") != NULL)
    adw_toast_dismiss (watch->toast);
  /* A toast of high priority waited for this one. */
  if (watch->window->waiting_toasts != NULL && watch->toast == watch->window->last_toast)
    {
      g_autoptr(GPtrArray) waiting = g_steal_pointer (&watch->window->waiting_toasts);

      for (guint i = 0; i < waiting->len; i++)
        _cp_window_add_toast (watch->window, g_object_ref (g_ptr_array_index (waiting, i)));
    }
  return G_SOURCE_REMOVE;
}

/* Takes @toast, as adw_toast_overlay_add_toast() does. */
void
_cp_window_add_toast (CpWindow *self,
                      AdwToast *toast)
{
  GtkWidget *overlay = GTK_WIDGET (self->toast_overlay);
  ToastWatch *watch;

  if (g_object_get_data (G_OBJECT (toast), "cp-dismiss") != NULL)
    {
      g_object_unref (toast);  /* dismissed while it waited: never shown */
      return;
    }
  if (adw_toast_get_priority (toast) == ADW_TOAST_PRIORITY_HIGH && self->last_toast != NULL &&
      !toast_shown (self->last_toast) && gtk_widget_get_mapped (overlay))
    {
      if (self->waiting_toasts == NULL)
        self->waiting_toasts = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (self->waiting_toasts, toast);
      return;
    }
  g_set_weak_pointer (&self->last_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  if (!gtk_widget_get_mapped (overlay))
    {
      /* Not drawn: libadwaita ends the show at once. */
      g_object_set_data (G_OBJECT (toast), "cp-shown", GINT_TO_POINTER (TRUE));
      return;
    }
  watch = g_new0 (ToastWatch, 1);
  watch->window = self;
  watch->toast = g_object_ref (toast);
  gtk_widget_add_tick_callback (overlay, toast_watch_tick_cb, watch, toast_watch_free);
}

void
_cp_window_dismiss_toast (CpWindow *self,
                          AdwToast *toast)
{
  g_object_set_data (G_OBJECT (toast), "cp-dismiss", GINT_TO_POINTER (TRUE));
  if (self->waiting_toasts != NULL && g_ptr_array_remove (self->waiting_toasts, toast))
    return;  /* never shown */
  if (toast_shown (toast) || !gtk_widget_get_mapped (GTK_WIDGET (self->toast_overlay)))
    adw_toast_dismiss (toast);
  /* else toast_watch_tick_cb() dismisses it once its show has ended */
}

void
cp_window_show_toast (CpWindow   *self,
                      const char *message)
{
  g_return_if_fail (CP_IS_WINDOW (self));

  if (self->toasts->len >= 20)
    g_ptr_array_remove_index (self->toasts, 0);
  g_ptr_array_add (self->toasts, g_strdup (message));
  _cp_window_add_toast (self, adw_toast_new (message));
}

GPtrArray *
cp_window_get_toasts (CpWindow *self)
{
  g_return_val_if_fail (CP_IS_WINDOW (self), NULL);

  return self->toasts;
}
