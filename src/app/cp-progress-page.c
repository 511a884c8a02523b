/* cp-progress-page.c — a credit office's progress against the districts' quotas
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table for a campaign year, straight from the server (GET /api/v1/progress): a row per
 * district with quotas, and for each packet kind and for the district's kinds together the
 * quota, the accepted packets, the completion rate and the deduction; the totals last. Nothing
 * is kept on this computer: offline, the last figures stay on screen with the time they are
 * from.
 */
#include "config.h"

#include "cp-progress-page.h"
#include "cp-progress-page-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-progress-export.h"
#include "cp-sync-client.h"

/* How many years before the current one the first load looks back for quotas. */
#define MAX_YEARS_BACK 10

struct _CpProgressPage
{
  AdwWindow           parent_instance;

  AdwWindowTitle     *title;
  GtkSpinButton      *year_spin;
  GtkSpinner         *spinner;
  GtkLabel           *message_label;   /* above the table: offline with figures shown */
  GtkStack           *stack;           /* "loading", "status", "table" */
  AdwStatusPage      *status_page;
  GtkScrolledWindow  *scroller;

  CpSyncManager      *manager;
  CpTemplateRegistry *registry;
  GCancellable       *cancellable;
  CpProgress         *progress;        /* what the table shows, or NULL */
  GDateTime          *updated;         /* when it came */
  GHashTable         *cells;           /* "district|kind|column" → GtkLabel *, not owned */
  gboolean            busy;
  guint               n_loads;
  gboolean            searching;       /* the first load, looking back for a year with quotas */
  int                 first_year;
  guint               shown_districts; /* as last notified */
  char               *shown_message;
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_N_DISTRICTS,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpProgressPage, cp_progress_page, ADW_TYPE_WINDOW)

static void cp_progress_page_load (CpProgressPage *self);

static char *
cell_key (const char       *district,
          const char       *kind,
          CpProgressColumn  column)
{
  return g_strdup_printf ("%s|%s|%d", district != NULL ? district : "",
                          kind != NULL ? kind : "", (int) column);
}

static char *
format_rate (const CpProgressFigures *figures)
{
  if (!figures->has_rate)
    return g_strdup ("—");
  return g_strdup_printf ("%.1f%%", figures->rate * 100);
}

static char *
format_deduction (int deduction)
{
  /* A real minus sign, as in print. */
  return deduction < 0 ? g_strdup_printf ("−%d", -deduction) : g_strdup_printf ("%d", deduction);
}

static void
cp_progress_page_set_busy (CpProgressPage *self,
                           gboolean        busy)
{
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

/* The number of district rows shown (without the totals). */
static guint
cp_progress_page_count_districts (CpProgressPage *self)
{
  if (self->progress == NULL || g_hash_table_size (self->cells) == 0)
    return 0;
  return self->progress->districts->len;
}

/* The explanation shown instead of or above the table (offline, errors, no quotas), or NULL. */
static const char *
cp_progress_page_current_message (CpProgressPage *self)
{
  if (gtk_widget_get_visible (GTK_WIDGET (self->message_label)))
    return gtk_label_get_text (self->message_label);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "status") == 0)
    return adw_status_page_get_description (self->status_page);
  return NULL;
}

/* After a load began or ended: notifies what it changed of what the page shows. */
static void
cp_progress_page_notify_shown (CpProgressPage *self)
{
  guint n_districts = cp_progress_page_count_districts (self);
  const char *message = cp_progress_page_current_message (self);

  if (n_districts != self->shown_districts)
    {
      self->shown_districts = n_districts;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_DISTRICTS]);
    }
  if (g_strcmp0 (message, self->shown_message) != 0)
    {
      g_free (self->shown_message);
      self->shown_message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);
    }
}

/* Instead of the table: no quotas, not logged in, an error. */
static void
cp_progress_page_show_status (CpProgressPage *self,
                              const char     *icon_name,
                              const char     *title,
                              const char     *description)
{
  adw_status_page_set_icon_name (self->status_page, icon_name);
  adw_status_page_set_title (self->status_page, title);
  adw_status_page_set_description (self->status_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  gtk_stack_set_visible_child_name (self->stack, "status");
}

static GtkWidget *
cell_new (const char *text,
          float       xalign)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  return label;
}

static void
add_figures (CpProgressPage          *self,
             GtkGrid                 *grid,
             const CpProgressRow     *row,
             const char              *kind,
             const CpProgressFigures *figures,
             int                      column,
             int                      line,
             gboolean                 strong)
{
  g_autofree char *quota = NULL;
  g_autofree char *accepted = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *deduction = NULL;
  const char *texts[4];

  if (figures == NULL)
    return;
  quota = g_strdup_printf ("%d", figures->quota);
  accepted = g_strdup_printf ("%d", figures->accepted);
  rate = format_rate (figures);
  deduction = format_deduction (figures->deduction);
  texts[CP_PROGRESS_COLUMN_QUOTA] = quota;
  texts[CP_PROGRESS_COLUMN_ACCEPTED] = accepted;
  texts[CP_PROGRESS_COLUMN_RATE] = rate;
  texts[CP_PROGRESS_COLUMN_DEDUCTION] = deduction;

  for (int i = 0; i < 4; i++)
    {
      GtkWidget *label = cell_new (texts[i], 1.0);

      gtk_widget_add_css_class (label, "numeric");
      if (strong)
        gtk_widget_add_css_class (label, "heading");
      if (i == CP_PROGRESS_COLUMN_RATE && !figures->has_rate)
        {
          gtk_widget_add_css_class (label, "dim-label");
          gtk_widget_set_tooltip_text (label, _("No quota: no rate"));
        }
      if (i == CP_PROGRESS_COLUMN_DEDUCTION && figures->deduction < 0)
        gtk_widget_add_css_class (label, figures->deduction <= -3 ? "error" : "warning");
      gtk_grid_attach (grid, label, column + i, line, 1, 1);
      g_hash_table_insert (self->cells, cell_key (row->district, kind, i), label);
    }
}

/* The kinds the table has columns for: the registry's order, then any others the server
 * knows. */
static GPtrArray *
table_kinds (CpProgressPage *self)
{
  g_autoptr(GPtrArray) known = cp_app_list_kinds (self->registry);
  GPtrArray *kinds = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();

  g_ptr_array_extend (rows, self->progress->districts, NULL, NULL);
  g_ptr_array_add (rows, self->progress->total);
  for (guint i = 0; known != NULL && i < known->len; i++)
    for (guint r = 0; r < rows->len; r++)
      if (cp_progress_row_get_kind (g_ptr_array_index (rows, r), g_ptr_array_index (known, i)))
        {
          g_ptr_array_add (kinds, g_strdup (g_ptr_array_index (known, i)));
          break;
        }
  for (guint r = 0; r < rows->len; r++)
    {
      const CpProgressRow *row = g_ptr_array_index (rows, r);

      for (guint j = 0; j < row->kinds->len; j++)
        {
          const CpProgressFigures *figures = g_ptr_array_index (row->kinds, j);

          if (!g_ptr_array_find_with_equal_func (kinds, figures->kind, g_str_equal, NULL))
            g_ptr_array_add (kinds, g_strdup (figures->kind));
        }
    }
  return kinds;
}

static void
cp_progress_page_fill (CpProgressPage *self)
{
  g_autoptr(GPtrArray) kinds = table_kinds (self);
  const char *headers[4] = { C_("progress table", "Quota"),
                              C_("progress table", "Accepted"),
                              C_("progress table", "Rate"),
                              C_("progress table", "Deduction") };
  guint n_groups = kinds->len + 1;
  int n_columns = 1 + (int) n_groups * 5;
  int n_lines = 3 + (int) self->progress->districts->len + 2;
  int line;
  GtkGrid *grid;
  GtkWidget *card, *label;

  g_hash_table_remove_all (self->cells);
  grid = GTK_GRID (gtk_grid_new ());
  gtk_grid_set_column_spacing (grid, 10);
  gtk_grid_set_row_spacing (grid, 8);
  gtk_widget_set_margin_start (GTK_WIDGET (grid), 14);
  gtk_widget_set_margin_end (GTK_WIDGET (grid), 14);
  gtk_widget_set_margin_top (GTK_WIDGET (grid), 12);
  gtk_widget_set_margin_bottom (GTK_WIDGET (grid), 12);

  label = cell_new (C_("progress table", "District"), 0.0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_valign (label, GTK_ALIGN_END);
  gtk_grid_attach (grid, label, 0, 0, 1, 2);

  for (guint g = 0; g < n_groups; g++)
    {
      int column = 1 + (int) g * 5;

      gtk_grid_attach (grid, gtk_separator_new (GTK_ORIENTATION_VERTICAL), column, 0, 1,
                       n_lines);
      label = cell_new (g < kinds->len
                        ? cp_app_kind_title (self->registry, g_ptr_array_index (kinds, g))
                        : C_("progress table", "All Kinds"), 0.5);
      gtk_widget_add_css_class (label, "heading");
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_CENTER);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
      gtk_widget_set_hexpand (label, FALSE);
      gtk_grid_attach (grid, label, column + 1, 0, 4, 1);
      for (int i = 0; i < 4; i++)
        {
          label = cell_new (headers[i], 1.0);
          gtk_widget_add_css_class (label, "caption");
          gtk_widget_add_css_class (label, "dim-label");
          gtk_grid_attach (grid, label, column + 1 + i, 1, 1, 1);
        }
    }
  gtk_grid_attach (grid, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL), 0, 2, n_columns, 1);

  line = 3;
  for (guint d = 0; d <= self->progress->districts->len; d++)
    {
      gboolean total = d == self->progress->districts->len;
      const CpProgressRow *row = total ? self->progress->total
                                       : g_ptr_array_index (self->progress->districts, d);

      if (total)
        gtk_grid_attach (grid, gtk_separator_new (GTK_ORIENTATION_HORIZONTAL), 0, line++,
                         n_columns, 1);
      label = cell_new (total ? C_("progress table", "Total") : row->name, 0.0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      /* Counted in Latin characters: room for 8 Chinese ones, as 苏州市（全市）. */
      gtk_label_set_max_width_chars (GTK_LABEL (label), 16);
      if (total)
        gtk_widget_add_css_class (label, "heading");
      gtk_grid_attach (grid, label, 0, line, 1, 1);
      for (guint g = 0; g < n_groups; g++)
        {
          const char *kind = g < kinds->len ? g_ptr_array_index (kinds, g) : NULL;

          add_figures (self, grid, row, kind,
                       kind != NULL ? cp_progress_row_get_kind (row, kind) : &row->all,
                       2 + (int) g * 5, line, total || kind == NULL);
        }
      line++;
    }

  card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_halign (card, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (card, GTK_ALIGN_START);
  gtk_widget_set_margin_start (card, 12);
  gtk_widget_set_margin_end (card, 12);
  gtk_widget_set_margin_top (card, 12);
  gtk_widget_set_margin_bottom (card, 12);
  gtk_box_append (GTK_BOX (card), GTK_WIDGET (grid));
  gtk_scrolled_window_set_child (self->scroller, card);
}

/* Shows what the server answered; FALSE when the load was cancelled (the page may be going). */
static gboolean
cp_progress_page_show_result (CpProgressPage *self,
                              GAsyncResult   *result)
{
  g_autoptr(CpProgress) progress = NULL;
  g_autoptr(GError) error = NULL;
  int year;

  progress = cp_sync_manager_get_progress_finish (self->manager, result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  year = cp_progress_page_get_year (self);
  cp_progress_page_set_busy (self, FALSE);

  if (error != NULL)
    {
      self->searching = FALSE;
      if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE) &&
          self->progress != NULL && self->progress->year == year)
        {
          g_autofree char *time = g_date_time_format (self->updated, "%H:%M");
          g_autofree char *message =
            g_strdup_printf (_("The server cannot be reached: these figures are from %s. "
                               "Connect to the network, then refresh."), time);

          gtk_label_set_text (self->message_label, message);
          gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
          gtk_stack_set_visible_child_name (self->stack, "table");
        }
      else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE))
        cp_progress_page_show_status (self, "network-offline-symbolic", _("Offline"),
                                      _("The server cannot be reached. Connect to the "
                                        "network, then refresh."));
      else if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN))
        cp_progress_page_show_status (self, "dialog-password-symbolic", _("Log In Again"),
                                      error->message);
      else
        cp_progress_page_show_status (self, "dialog-error-symbolic",
                                      _("The Progress Could Not Be Loaded"), error->message);
      return TRUE;
    }

  if (progress->districts->len == 0 && self->searching &&
      year > self->first_year - MAX_YEARS_BACK)
    {
      /* The first look: go back to the newest year with quotas. */
      g_signal_handlers_block_matched (self->year_spin, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                       self);
      gtk_spin_button_set_value (self->year_spin, year - 1);
      g_signal_handlers_unblock_matched (self->year_spin, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                         self);
      cp_progress_page_load (self);
      return TRUE;
    }
  if (progress->districts->len == 0 && self->searching)
    {
      g_signal_handlers_block_matched (self->year_spin, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                       self);
      gtk_spin_button_set_value (self->year_spin, self->first_year);
      g_signal_handlers_unblock_matched (self->year_spin, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL,
                                         self);
      year = self->first_year;
    }
  self->searching = FALSE;

  g_clear_pointer (&self->progress, cp_progress_unref);
  g_clear_pointer (&self->updated, g_date_time_unref);
  self->progress = g_steal_pointer (&progress);
  self->updated = g_date_time_new_now_local ();
  {
    g_autofree char *time = g_date_time_format (self->updated, "%H:%M");
    g_autofree char *subtitle = g_strdup_printf (_("Updated at %s"), time);

    adw_window_title_set_subtitle (self->title, subtitle);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  if (self->progress->districts->len == 0)
    {
      g_autofree char *title = g_strdup_printf (_("No Quotas for %d"), year);

      g_hash_table_remove_all (self->cells);
      gtk_scrolled_window_set_child (self->scroller, NULL);
      cp_progress_page_show_status (self, "x-office-spreadsheet-symbolic", title,
                                    _("The credit office has set no district quotas for this "
                                      "year. Choose another year."));
      return TRUE;
    }
  cp_progress_page_fill (self);
  gtk_stack_set_visible_child_name (self->stack, "table");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "progress.export", TRUE);
  return TRUE;
}

static void
progress_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(CpProgressPage) self = user_data;

  if (cp_progress_page_show_result (self, result))
    cp_progress_page_notify_shown (self);
}

static void
cp_progress_page_load (CpProgressPage *self)
{
  int year = cp_progress_page_get_year (self);

  self->n_loads++;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  /* No session at all; an ended one is told by the server's answer ("Log In Again"). */
  if (cp_sync_manager_get_engine (self->manager) == NULL)
    {
      cp_progress_page_set_busy (self, FALSE);
      self->searching = FALSE;
      cp_progress_page_show_status (self, "dialog-password-symbolic", _("Not Logged In"),
                                    _("Log in to the credit office’s server to see the "
                                      "progress."));
      cp_progress_page_notify_shown (self);
      return;
    }
  cp_progress_page_set_busy (self, TRUE);
  /* Another year's figures must not stand under this year. */
  if (self->progress == NULL || self->progress->year != year)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  cp_progress_page_notify_shown (self);
  cp_sync_manager_get_progress_async (self->manager, year, self->cancellable, progress_cb,
                                      g_object_ref (self));
}

static void
year_changed_cb (GtkSpinButton  *spin,
                 CpProgressPage *self)
{
  self->searching = FALSE;
  cp_progress_page_load (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpProgressPage *self = CP_PROGRESS_PAGE (widget);

  if (self->progress != NULL && self->progress->districts->len > 0)
    cp_progress_export_run (ADW_WINDOW (self), self->progress, self->registry);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  cp_progress_page_refresh (CP_PROGRESS_PAGE (widget));
}

static void
cp_progress_page_dispose (GObject *object)
{
  CpProgressPage *self = CP_PROGRESS_PAGE (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (cp_progress_page_parent_class)->dispose (object);
}

static void
cp_progress_page_finalize (GObject *object)
{
  CpProgressPage *self = CP_PROGRESS_PAGE (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->registry);
  g_clear_pointer (&self->progress, cp_progress_unref);
  g_clear_pointer (&self->updated, g_date_time_unref);
  g_clear_pointer (&self->cells, g_hash_table_unref);
  g_free (self->shown_message);

  G_OBJECT_CLASS (cp_progress_page_parent_class)->finalize (object);
}

static void
cp_progress_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpProgressPage *self = CP_PROGRESS_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_N_DISTRICTS:
      g_value_set_uint (value, cp_progress_page_count_districts (self));
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, cp_progress_page_current_message (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_progress_page_class_init (CpProgressPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_progress_page_dispose;
  object_class->finalize = cp_progress_page_finalize;
  object_class->get_property = cp_progress_page_get_property;

  /* Whether the table is being asked for. */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The number of district rows shown (without the totals). */
  properties [PROP_N_DISTRICTS] =
    g_param_spec_uint ("n-districts", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The explanation shown instead of or above the table (offline, errors, no quotas), or
   * NULL. */
  properties [PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "progress.refresh", NULL, refresh_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "progress.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "progress.refresh", NULL);
  gtk_widget_class_install_action (widget_class, "progress.export", NULL, export_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK,
                                       "progress.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
cp_progress_page_export_button_new (void)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("document-save-as-symbolic");

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "progress.export");
  gtk_widget_set_tooltip_text (button, _("Export the Table (Ctrl+E)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Export the table as an Excel workbook or CSV file"), -1);
  return button;
}

static void
cp_progress_page_init (CpProgressPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *refresh = gtk_button_new_from_icon_name ("view-refresh-symbolic");
  GtkWidget *loading = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *big_spinner = gtk_spinner_new ();
  GtkWidget *status_refresh = gtk_button_new_with_mnemonic (_("_Refresh"));
  GtkWidget *year_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *year_label = gtk_label_new_with_mnemonic (_("_Year"));
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  self->cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
  self->first_year = g_date_time_get_year (now);
  self->searching = TRUE;

  gtk_window_set_title (GTK_WINDOW (self), _("District Progress"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 1200, 640);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);

  self->title = ADW_WINDOW_TITLE (adw_window_title_new (_("District Progress"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), GTK_WIDGET (self->title));

  self->year_spin = GTK_SPIN_BUTTON (gtk_spin_button_new_with_range (2000, 2100, 1));
  gtk_spin_button_set_numeric (self->year_spin, TRUE);
  gtk_spin_button_set_value (self->year_spin, self->first_year);
  gtk_label_set_mnemonic_widget (GTK_LABEL (year_label), GTK_WIDGET (self->year_spin));
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->year_spin), _("Campaign year"));
  gtk_box_append (GTK_BOX (year_box), year_label);
  gtk_box_append (GTK_BOX (year_box), GTK_WIDGET (self->year_spin));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), year_box);
  g_signal_connect (self->year_spin, "value-changed", G_CALLBACK (year_changed_cb), self);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (refresh), "progress.refresh");
  gtk_widget_set_tooltip_text (refresh, _("Refresh (Ctrl+R)"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (refresh), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Refresh"), -1);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), refresh);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), cp_progress_page_export_button_new ());
  self->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), GTK_WIDGET (self->spinner));

  self->message_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message_label, TRUE);
  gtk_label_set_xalign (self->message_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "warning");
  gtk_widget_set_margin_start (GTK_WIDGET (self->message_label), 24);
  gtk_widget_set_margin_end (GTK_WIDGET (self->message_label), 24);
  gtk_widget_set_margin_top (GTK_WIDGET (self->message_label), 12);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->stack), TRUE);

  gtk_widget_set_size_request (big_spinner, 32, 32);
  gtk_spinner_start (GTK_SPINNER (big_spinner));
  gtk_widget_set_valign (loading, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (loading), big_spinner);
  gtk_box_append (GTK_BOX (loading), gtk_label_new (_("Loading the progress…")));
  gtk_stack_add_named (self->stack, loading, "loading");

  self->status_page = ADW_STATUS_PAGE (adw_status_page_new ());
  gtk_widget_set_halign (status_refresh, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (status_refresh, "pill");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (status_refresh), "progress.refresh");
  adw_status_page_set_child (self->status_page, status_refresh);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->status_page), "status");

  self->scroller = GTK_SCROLLED_WINDOW (gtk_scrolled_window_new ());
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->scroller), "table");
  gtk_stack_set_visible_child_name (self->stack, "loading");

  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->message_label));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->stack));
  /* The export says how it went in a toast. */
  adw_window_set_content (ADW_WINDOW (self), adw_toast_overlay_new ());
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (adw_window_get_content (ADW_WINDOW (self))),
                               box);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "progress.export", FALSE);
}

CpProgressPage *
cp_progress_page_new (GtkWindow          *parent,
                      CpSyncManager      *manager,
                      CpTemplateRegistry *registry)
{
  CpProgressPage *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);

  self = g_object_new (CP_TYPE_PROGRESS_PAGE, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  self->registry = g_object_ref (registry);
  cp_progress_page_load (self);
  return self;
}

int
cp_progress_page_get_year (CpProgressPage *self)
{
  g_return_val_if_fail (CP_IS_PROGRESS_PAGE (self), 0);
  return gtk_spin_button_get_value_as_int (self->year_spin);
}

void
cp_progress_page_set_year (CpProgressPage *self,
                           int             year)
{
  g_return_if_fail (CP_IS_PROGRESS_PAGE (self));

  /* The same value emits no "value-changed". */
  if (year == cp_progress_page_get_year (self))
    cp_progress_page_refresh (self);
  else
    gtk_spin_button_set_value (self->year_spin, year);
}

void
cp_progress_page_refresh (CpProgressPage *self)
{
  g_return_if_fail (CP_IS_PROGRESS_PAGE (self));

  self->searching = FALSE;
  cp_progress_page_load (self);
}

guint
cp_progress_page_get_n_loads (CpProgressPage *self)
{
  g_return_val_if_fail (CP_IS_PROGRESS_PAGE (self), 0);

  return self->n_loads;
}

GtkLabel *
cp_progress_page_get_cell (CpProgressPage   *self,
                           const char       *district,
                           const char       *kind,
                           CpProgressColumn  column)
{
  g_autofree char *key = NULL;

  g_return_val_if_fail (CP_IS_PROGRESS_PAGE (self), NULL);

  key = cell_key (district, kind, column);
  return g_hash_table_lookup (self->cells, key);
}
