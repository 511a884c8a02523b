/* cp-report-dialog.c — a credit office exports a table it sends upward
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The tables come from the server (GET /api/v1/reports/NAME through the client's typed call):
 * it holds every packet of the office's tenancy and the office's own revisions of the report
 * definitions. This computer has only the packets it synced, and the shipped definitions, so a
 * table made here could silently differ from the server's; offline the dialog lists the shipped
 * reports and says that exporting needs the server (docs/reports.md).
 */
#include "config.h"

#include "cp-report-dialog.h"
#include "cp-report-dialog-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-app-util.h"
#include "cp-report-registry.h"
#include "cp-sync-engine.h"
#include "cp-window.h"

struct _CpReportDialog
{
  AdwWindow             parent_instance;

  /* template children */
  GtkButton            *export_button;
  GtkSpinner           *spinner;
  AdwComboRow          *report_row;
  GtkSpinButton        *year_spin;
  AdwComboRow          *district_row;
  AdwComboRow          *format_row;
  GtkLabel             *description_label;
  GtkLabel             *message_label;

  CpSyncManager        *manager;
  CpTemplateRegistry   *registry;
  CpReportRegistry     *shipped;     /* for the descriptions, and the list offline */
  GPtrArray            *reports;     /* CpReportInfo * */
  GPtrArray            *districts;   /* char * codes; NULL for all */
  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;
  char                 *message;
  gboolean              online;
  gboolean              busy;
  gboolean              can_export;  /* logged in as an office or administrator */
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_ONLINE,
  PROP_N_REPORTS,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpReportDialog, cp_report_dialog, ADW_TYPE_WINDOW)

static const char *
ui_lang (void)
{
  const char * const *names = g_get_language_names ();

  return names[0] != NULL && g_str_has_prefix (names[0], "zh") ? "zh_CN" : "en";
}

static const CpReportInfo *
cp_report_dialog_current (CpReportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->report_row);

  if (self->reports == NULL || selected == GTK_INVALID_LIST_POSITION ||
      selected >= self->reports->len)
    return NULL;
  return g_ptr_array_index (self->reports, selected);
}

static const char *
cp_report_dialog_current_district (CpReportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->district_row);

  if (self->districts == NULL || selected == GTK_INVALID_LIST_POSITION ||
      selected >= self->districts->len)
    return NULL;
  return g_ptr_array_index (self->districts, selected);
}

/* The district field of the report's kind: its options are the districts. */
static const CpField *
district_field (CpReportDialog *self,
                const char     *kind)
{
  CpTemplate *tmpl = kind != NULL ? cp_template_registry_lookup_kind (self->registry, kind)
                                  : NULL;

  return tmpl != NULL ? cp_template_lookup_field (tmpl, "cover.district") : NULL;
}

static const char *
district_name (CpReportDialog *self,
               const char     *code)
{
  const CpReportInfo *info = cp_report_dialog_current (self);
  const CpField *field = district_field (self, info != NULL ? info->kind : NULL);
  const CpChoiceOption *option = field != NULL && code != NULL
                                 ? cp_field_lookup_option (field, code) : NULL;

  return option != NULL ? cp_text_get (option->label) : code;
}

/* "{year}年{district}贯标企业信息汇总表" for the year and district chosen. */
static char *
format_title (CpReportDialog     *self,
              const CpReportInfo *info)
{
  const char *text = cp_text_get_for (info->title, ui_lang ());
  const char *code = cp_report_dialog_current_district (self);
  int year_value = gtk_spin_button_get_value_as_int (self->year_spin);
  g_autofree char *year = g_strdup_printf ("%d", year_value);
  g_autoptr(GString) title = g_string_new (text != NULL ? text : cp_text_get (info->title));
  g_auto(GStrv) words = NULL;

  g_string_replace (title, "{year}", year, 0);
  g_string_replace (title, "{district}", code != NULL ? district_name (self, code) : "", 0);
  /* An empty district leaves no gap. */
  words = g_strsplit_set (title->str, " ", -1);
  g_string_truncate (title, 0);
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (title->len > 0)
        g_string_append_c (title, ' ');
      g_string_append (title, words[i]);
    }
  return g_string_free (g_steal_pointer (&title), FALSE);
}

static void
cp_report_dialog_set_message (CpReportDialog *self,
                              const char     *message,
                              gboolean        error)
{
  if (g_strcmp0 (message, self->message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_MESSAGE]);
    }
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  if (error)
    gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "error");
}

static void
cp_report_dialog_set_busy (CpReportDialog *self,
                           gboolean        busy)
{
  if (busy == self->busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
cp_report_dialog_set_online (CpReportDialog *self,
                             gboolean        online)
{
  if (online == self->online)
    return;
  self->online = online;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ONLINE]);
}

static void
cp_report_dialog_update (CpReportDialog *self)
{
  const CpReportInfo *info = cp_report_dialog_current (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button),
                            self->online && self->can_export && !self->busy && info != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
}

/* The districts the user may ask for: an office of one district has that one; the city office
 * and the administrator any district, or all of them together. The server checks it again. */
static void
cp_report_dialog_fill_districts (CpReportDialog *self)
{
  const CpReportInfo *info = cp_report_dialog_current (self);
  const CpField *field = district_field (self, info != NULL ? info->kind : NULL);
  const char *own = g_strcmp0 (cp_sync_manager_get_role (self->manager), "office") == 0
                    ? cp_sync_manager_get_district (self->manager) : NULL;
  const char *previous = cp_report_dialog_current_district (self);
  g_autofree char *keep = g_strdup (previous);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint select = 0;

  g_clear_pointer (&self->districts, g_ptr_array_unref);
  self->districts = g_ptr_array_new_with_free_func (g_free);
  if (own != NULL && field != NULL && cp_field_lookup_option (field, own) != NULL)
    {
      g_ptr_array_add (self->districts, g_strdup (own));
      gtk_string_list_append (names, district_name (self, own));
    }
  else
    {
      g_ptr_array_add (self->districts, NULL);
      gtk_string_list_append (names, own != NULL ? _("The whole office’s area")
                                                 : _("All districts"));
      for (guint i = 0; field != NULL && field->options != NULL && i < field->options->len; i++)
        {
          const CpChoiceOption *option = g_ptr_array_index (field->options, i);

          if (g_strcmp0 (option->id, keep) == 0)
            select = self->districts->len;
          g_ptr_array_add (self->districts, g_strdup (option->id));
          gtk_string_list_append (names, cp_text_get (option->label));
        }
    }
  adw_combo_row_set_model (self->district_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->district_row, select);
  gtk_widget_set_sensitive (GTK_WIDGET (self->district_row), self->districts->len > 1);
}

static void
cp_report_dialog_describe (CpReportDialog *self)
{
  const CpReportInfo *info = cp_report_dialog_current (self);
  CpReport *report = info != NULL ? cp_report_registry_lookup (self->shipped, info->id) : NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *title = NULL;

  if (info == NULL)
    {
      gtk_label_set_text (self->description_label, "");
      return;
    }
  title = format_title (self, info);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->report_row), title);
  if (info->due_month > 0)
    {
      g_autoptr(GDateTime) due = g_date_time_new_local (2000, info->due_month, info->due_day, 0,
                                                        0, 0);
      /* Translators: a day of the year a report is due, as in "31 August" (strftime) */
      g_autofree char *day = g_date_time_format (due, _("%-d %B"));

      /* Translators: when the report is due */
      g_string_append_printf (text, _("Due by %s each year."), day);
    }
  if (report != NULL && cp_report_get_description (report) != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, ' ');
      g_string_append (text, cp_text_get (cp_report_get_description (report)));
    }
  gtk_label_set_text (self->description_label, text->str);
}

static void
report_selected_cb (CpReportDialog *self)
{
  cp_report_dialog_fill_districts (self);
  cp_report_dialog_describe (self);
  cp_report_dialog_update (self);
}

static void
choice_changed_cb (CpReportDialog *self)
{
  cp_report_dialog_describe (self);
}

static void
cp_report_dialog_show_reports (CpReportDialog *self,
                               GPtrArray      *reports)
{
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);
  guint n_before = self->reports != NULL ? self->reports->len : 0;

  g_clear_pointer (&self->reports, g_ptr_array_unref);
  self->reports = g_ptr_array_ref (reports);
  if (reports->len != n_before)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_REPORTS]);
  for (guint i = 0; i < reports->len; i++)
    {
      const CpReportInfo *info = g_ptr_array_index (reports, i);
      const char *title = cp_text_get_for (info->title, ui_lang ());
      g_autoptr(GString) plain = g_string_new (title != NULL ? title : cp_text_get (info->title));

      /* The list names the tables; the year and district follow from the rows below. */
      g_string_replace (plain, "{year}年", "", 0);
      g_string_replace (plain, "{year}", "", 0);
      g_string_replace (plain, "{district}", "", 0);
      while (plain->len > 0 && strchr (" ,", plain->str[plain->len - 1]) != NULL)
        g_string_truncate (plain, plain->len - 1);
      gtk_string_list_append (titles, g_strstrip (plain->str));
    }
  g_signal_handlers_block_by_func (self->report_row, report_selected_cb, self);
  adw_combo_row_set_model (self->report_row, G_LIST_MODEL (titles));
  g_signal_handlers_unblock_by_func (self->report_row, report_selected_cb, self);
  adw_combo_row_set_selected (self->report_row, 0);
  report_selected_cb (self);
}

/* The shipped definitions, for when the server cannot be asked. */
static GPtrArray *
shipped_reports (CpReportDialog *self)
{
  g_autoptr(GPtrArray) list = cp_report_registry_list (self->shipped);
  GPtrArray *reports = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_report_info_free);

  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      CpReport *report = g_ptr_array_index (list, i);
      CpReportInfo *info = g_new0 (CpReportInfo, 1);

      info->id = g_strdup (cp_report_get_id (report));
      info->version = g_strdup (cp_report_get_version (report));
      info->kind = g_strdup (cp_report_get_kind (report));
      info->title = cp_text_ref ((CpText *) cp_report_get_title (report));
      cp_report_get_due (report, &info->due_month, &info->due_day);
      g_ptr_array_add (reports, info);
    }
  return reports;
}

static void
list_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CpReportDialog) self = g_weak_ref_get (user_data);
  g_autoptr(GPtrArray) reports = NULL;
  g_autoptr(GError) error = NULL;

  cp_app_weak_free (user_data);
  reports = cp_sync_client_list_reports_finish (CP_SYNC_CLIENT (object), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  cp_report_dialog_set_busy (self, FALSE);
  if (reports != NULL && reports->len > 0)
    {
      cp_report_dialog_set_online (self, TRUE);
      cp_report_dialog_set_message (self, NULL, FALSE);
      cp_report_dialog_show_reports (self, reports);
      return;
    }
  cp_report_dialog_set_online (self, FALSE);
  g_clear_pointer (&reports, g_ptr_array_unref);
  reports = shipped_reports (self);
  cp_report_dialog_show_reports (self, reports);
  if (g_error_matches (error, CP_SYNC_ERROR, CP_SYNC_ERROR_OFFLINE))
    cp_report_dialog_set_message (self, _("The server cannot be reached. The reports are made by "
                                          "the server from all the office’s packets, with the "
                                          "office’s own versions of the tables: connect to the "
                                          "network, then open this dialog again."), TRUE);
  else
    cp_report_dialog_set_message (self, error != NULL ? error->message
                                                      : _("The server publishes no reports."),
                                  TRUE);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpReportDialog) self = g_weak_ref_get (user_data);
  g_autoptr(GError) error = NULL;
  GtkWindow *parent;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;

  cp_app_weak_free (user_data);
  if (!cp_sync_client_fetch_report_finish (CP_SYNC_CLIENT (object), result, &error) &&
      (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    return;
  if (self == NULL)
    return;
  name = g_object_steal_data (G_OBJECT (self), "cp-file-name");
  if (error != NULL)
    {
      cp_report_dialog_set_busy (self, FALSE);
      message = g_strdup_printf (_("The report could not be exported: %s"), error->message);
      cp_report_dialog_set_message (self, message, TRUE);
      cp_report_dialog_update (self);
      return;
    }
  cp_report_dialog_set_busy (self, FALSE);
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  message = g_strdup_printf (_("The report was saved as %s"), name);
  g_debug ("%s", message);
  if (CP_IS_WINDOW (parent))
    cp_window_show_toast (CP_WINDOW (parent), message);
  gtk_window_destroy (GTK_WINDOW (self));
}

void
cp_report_dialog_export_to (CpReportDialog *self,
                            const char     *path)
{
  const CpReportInfo *info;
  CpSyncEngine *engine;
  CpSyncReportFormat format;

  g_return_if_fail (CP_IS_REPORT_DIALOG (self));
  g_return_if_fail (path != NULL);

  info = cp_report_dialog_current (self);
  engine = cp_sync_manager_get_engine (self->manager);
  if (info == NULL || self->busy)
    return;
  if (!self->online || engine == NULL)
    {
      cp_report_dialog_set_message (self, _("Reports are made by the server: log in and connect "
                                            "to it to export one."), TRUE);
      return;
    }
  format = adw_combo_row_get_selected (self->format_row) == 1 ? CP_SYNC_REPORT_CSV
                                                               : CP_SYNC_REPORT_XLSX;
  cp_report_dialog_set_busy (self, TRUE);
  cp_report_dialog_set_message (self, _("Fetching the table from the server…"), FALSE);
  cp_report_dialog_update (self);
  g_object_set_data_full (G_OBJECT (self), "cp-file-name", g_filename_display_basename (path),
                          g_free);
  cp_sync_client_fetch_report_async (cp_sync_engine_get_client (engine), info->id,
                                     gtk_spin_button_get_value_as_int (self->year_spin),
                                     cp_report_dialog_current_district (self), format, ui_lang (),
                                     path, self->cancellable, export_done_cb,
                                     cp_app_weak_new (self));
}

static void
chooser_response_cb (GtkNativeDialog *native,
                     int              response,
                     CpReportDialog  *self)
{
  const char *suffix = adw_combo_row_get_selected (self->format_row) == 1 ? ".csv" : ".xlsx";
  gboolean not_local = FALSE;
  g_autofree char *path = cp_app_export_chooser_finish (native, response, &not_local);

  g_clear_object (&self->chooser);
  if (not_local)
    cp_report_dialog_set_message (self, _("Choose a folder on this computer."), TRUE);
  if (path == NULL)
    return;
  /* A name typed without its ending gets the format's. */
  if (!g_str_has_suffix (path, suffix))
    {
      g_autofree char *lower = g_ascii_strdown (path, -1);

      if (!g_str_has_suffix (lower, suffix))
        {
          char *with = g_strconcat (path, suffix, NULL);

          g_free (path);
          path = with;
        }
    }
  cp_report_dialog_export_to (self, path);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  CpReportDialog *self = CP_REPORT_DIALOG (widget);
  const CpReportInfo *info = cp_report_dialog_current (self);
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  gboolean csv = adw_combo_row_get_selected (self->format_row) == 1;
  g_autofree char *title = NULL;
  g_autofree char *suggested = NULL;

  if (info == NULL || self->busy || self->chooser != NULL ||
      !gtk_widget_get_sensitive (GTK_WIDGET (self->export_button)))
    return;
  title = format_title (self, info);
  suggested = g_strconcat (title, csv ? ".csv" : ".xlsx", NULL);
  if (csv)
    {
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
      gtk_file_filter_add_suffix (filter, "csv");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("Excel workbooks"));
      gtk_file_filter_add_mime_type (filter,
                                     "application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet");
      gtk_file_filter_add_suffix (filter, "xlsx");
    }
  self->chooser = cp_app_export_chooser_new (GTK_WINDOW (self), _("Export the Report"), suggested,
                                             filter);
  g_signal_connect (self->chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpReportDialog *self = CP_REPORT_DIALOG (widget);

  /* A fetch in progress is dropped: nothing is written. */
  g_cancellable_cancel (self->cancellable);
  gtk_window_close (GTK_WINDOW (self));
}

static void
cp_report_dialog_load (CpReportDialog *self)
{
  CpSyncEngine *engine = cp_sync_manager_get_engine (self->manager);
  const char *role = cp_sync_manager_get_role (self->manager);
  g_autoptr(GPtrArray) reports = NULL;

  self->can_export = engine != NULL && cp_sync_manager_is_logged_in (self->manager) &&
                     (g_strcmp0 (role, "office") == 0 || g_strcmp0 (role, "admin") == 0);
  if (self->can_export)
    {
      cp_report_dialog_set_busy (self, TRUE);
      cp_report_dialog_set_message (self, _("Asking the server for its reports…"), FALSE);
      cp_report_dialog_update (self);
      cp_sync_client_list_reports_async (cp_sync_engine_get_client (engine), self->cancellable,
                                         list_done_cb, cp_app_weak_new (self));
      return;
    }
  reports = shipped_reports (self);
  cp_report_dialog_show_reports (self, reports);
  cp_report_dialog_set_message (self, _("Reports are made by the credit office’s server from its "
                                        "packets: log in to the server as a credit office to "
                                        "export one."), TRUE);
}

static void
cp_report_dialog_unrealize (GtkWidget *widget)
{
  /* Destroyed while it fetches: nothing is written. */
  g_cancellable_cancel (CP_REPORT_DIALOG (widget)->cancellable);
  GTK_WIDGET_CLASS (cp_report_dialog_parent_class)->unrealize (widget);
}

static void
cp_report_dialog_dispose (GObject *object)
{
  CpReportDialog *self = CP_REPORT_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  cp_app_clear_chooser (&self->chooser, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_REPORT_DIALOG);

  G_OBJECT_CLASS (cp_report_dialog_parent_class)->dispose (object);
}

static void
cp_report_dialog_finalize (GObject *object)
{
  CpReportDialog *self = CP_REPORT_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->registry);
  g_clear_object (&self->shipped);
  g_clear_pointer (&self->reports, g_ptr_array_unref);
  g_clear_pointer (&self->districts, g_ptr_array_unref);
  g_free (self->message);

  G_OBJECT_CLASS (cp_report_dialog_parent_class)->finalize (object);
}

static void
cp_report_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpReportDialog *self = CP_REPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    case PROP_ONLINE:
      g_value_set_boolean (value, self->online);
      break;
    case PROP_N_REPORTS:
      g_value_set_uint (value, self->reports != NULL ? self->reports->len : 0);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_report_dialog_class_init (CpReportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_report_dialog_dispose;
  object_class->finalize = cp_report_dialog_finalize;
  object_class->get_property = cp_report_dialog_get_property;
  widget_class->unrealize = cp_report_dialog_unrealize;

  /* While the list or a file is being fetched. */
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the list came from the server (FALSE: the shipped definitions). */
  properties [PROP_ONLINE] =
    g_param_spec_boolean ("online", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The number of reports to choose from. */
  properties [PROP_N_REPORTS] =
    g_param_spec_uint ("n-reports", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* What the dialog says above its buttons (offline, an error), or NULL. */
  properties [PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/creditpacket/CreditPacket/cp-report-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, report_row);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, year_spin);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, district_row);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, description_label);
  gtk_widget_class_bind_template_child (widget_class, CpReportDialog, message_label);

  gtk_widget_class_install_action (widget_class, "report.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "report.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "report.cancel", NULL);
}

static void
cp_report_dialog_init (CpReportDialog *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  gtk_spin_button_set_value (self->year_spin, g_date_time_get_year (now));
  g_signal_connect_swapped (self->report_row, "notify::selected",
                            G_CALLBACK (report_selected_cb), self);
  g_signal_connect_swapped (self->district_row, "notify::selected",
                            G_CALLBACK (choice_changed_cb), self);
  g_signal_connect_swapped (self->year_spin, "value-changed", G_CALLBACK (choice_changed_cb),
                            self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->export_button));
}

CpReportDialog *
cp_report_dialog_new (GtkWindow          *parent,
                      CpSyncManager      *manager,
                      CpTemplateRegistry *registry)
{
  CpReportDialog *self;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CP_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);

  self = g_object_new (CP_TYPE_REPORT_DIALOG, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  self->registry = g_object_ref (registry);
  self->shipped = cp_report_registry_new_default (registry, &error);
  if (self->shipped == NULL)
    {
      g_warning ("The shipped reports cannot be read: %s", error->message);
      self->shipped = cp_report_registry_new (registry);
    }
  cp_report_dialog_load (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->report_row));
  return self;
}

const char *
cp_report_dialog_get_report_id (CpReportDialog *self,
                                guint           index)
{
  g_return_val_if_fail (CP_IS_REPORT_DIALOG (self), NULL);
  g_return_val_if_fail (self->reports != NULL && index < self->reports->len, NULL);
  return ((CpReportInfo *) g_ptr_array_index (self->reports, index))->id;
}

gboolean
cp_report_dialog_select_report (CpReportDialog *self,
                                const char     *id)
{
  g_return_val_if_fail (CP_IS_REPORT_DIALOG (self), FALSE);

  for (guint i = 0; self->reports != NULL && i < self->reports->len; i++)
    if (g_str_equal (((CpReportInfo *) g_ptr_array_index (self->reports, i))->id, id))
      {
        adw_combo_row_set_selected (self->report_row, i);
        return TRUE;
      }
  return FALSE;
}

void
cp_report_dialog_set_year (CpReportDialog *self,
                           int             year)
{
  g_return_if_fail (CP_IS_REPORT_DIALOG (self));
  gtk_spin_button_set_value (self->year_spin, year);
}

GPtrArray *
cp_report_dialog_get_districts (CpReportDialog *self)
{
  g_return_val_if_fail (CP_IS_REPORT_DIALOG (self), NULL);
  return self->districts;
}

gboolean
cp_report_dialog_select_district (CpReportDialog *self,
                                  const char     *code)
{
  g_return_val_if_fail (CP_IS_REPORT_DIALOG (self), FALSE);

  for (guint i = 0; self->districts != NULL && i < self->districts->len; i++)
    if (g_strcmp0 (g_ptr_array_index (self->districts, i), code) == 0)
      {
        adw_combo_row_set_selected (self->district_row, i);
        return TRUE;
      }
  return FALSE;
}

void
cp_report_dialog_set_format (CpReportDialog     *self,
                             CpSyncReportFormat  format)
{
  g_return_if_fail (CP_IS_REPORT_DIALOG (self));
  adw_combo_row_set_selected (self->format_row, format == CP_SYNC_REPORT_CSV ? 1 : 0);
}
