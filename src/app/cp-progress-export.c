/* cp-progress-export.c — the district progress table as a workbook or CSV file
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The figures are the server's, as the window shows them (GET /api/v1/progress); the file is
 * written by the core's report writers (cp_report_table_new(), cp_report_table_write()), so it
 * has the same header row, frozen panes, number formats and CSV byte-order mark as the reports.
 */
#include "config.h"

#include "cp-progress-export.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"

#define N_FIGURES 4

/* The kinds with columns: the registry's order, then any others the server knows. */
static GPtrArray *
table_kinds (CpProgress         *progress,
             CpTemplateRegistry *registry)
{
  g_autoptr(GPtrArray) known = cp_app_list_kinds (registry);
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  GPtrArray *kinds = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_extend (rows, progress->districts, NULL, NULL);
  g_ptr_array_add (rows, progress->total);
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
set_figures (CpReportCell            *cells,
             const CpProgressFigures *figures)
{
  if (figures == NULL)
    return;
  cells[0].type = CP_REPORT_CELL_NUMBER;
  cells[0].number = figures->quota;
  cells[1].type = CP_REPORT_CELL_NUMBER;
  cells[1].number = figures->accepted;
  if (figures->has_rate)
    {
      cells[2].type = CP_REPORT_CELL_NUMBER;
      cells[2].number = figures->rate;
    }
  cells[3].type = CP_REPORT_CELL_NUMBER;
  cells[3].number = figures->deduction;
}

static void
fill_row (CpReportCell        *cells,
          guint                n_columns,
          GPtrArray           *kinds,
          const CpProgressRow *row,
          const char          *label)
{
  for (guint c = 0; c < n_columns; c++)
    {
      cells[c].type = CP_REPORT_CELL_EMPTY;
      cells[c].text = NULL;
      cells[c].order = -1;
    }
  cells[0].type = CP_REPORT_CELL_TEXT;
  cells[0].text = (char *) label;
  for (guint k = 0; k < kinds->len; k++)
    set_figures (&cells[1 + k * N_FIGURES], cp_progress_row_get_kind (row,
                                                                      g_ptr_array_index (kinds,
                                                                                         k)));
  set_figures (&cells[1 + kinds->len * N_FIGURES], &row->all);
}

CpReportTable *
cp_progress_export_make_table (CpProgress         *progress,
                               CpTemplateRegistry *registry)
{
  g_autoptr(GPtrArray) kinds = NULL;
  g_autoptr(GPtrArray) headings = g_ptr_array_new_with_free_func (g_free);
  g_autofree CpReportColumnType *types = NULL;
  g_autofree CpReportCell *cells = NULL;
  g_autofree char *title = NULL;
  const char *figures[N_FIGURES] = { C_("progress table", "Quota"),
                                     C_("progress table", "Accepted"),
                                     C_("progress table", "Rate"),
                                     C_("progress table", "Deduction") };
  CpReportTable *table;
  guint n_columns;

  g_return_val_if_fail (progress != NULL, NULL);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);

  kinds = table_kinds (progress, registry);
  n_columns = 1 + (kinds->len + 1) * N_FIGURES;
  types = g_new0 (CpReportColumnType, n_columns);
  g_ptr_array_add (headings, g_strdup (C_("progress table", "District")));
  types[0] = CP_REPORT_COLUMN_TEXT;
  for (guint k = 0; k <= kinds->len; k++)
    for (guint i = 0; i < N_FIGURES; i++)
      {
        const char *group = k < kinds->len
                            ? cp_app_kind_title (registry, g_ptr_array_index (kinds, k))
                            : C_("progress table", "All Kinds");

        /* Translators: a column of the exported progress table: a packet kind, a figure */
        g_ptr_array_add (headings, g_strdup_printf (C_("progress table", "%s: %s"), group,
                                                    figures[i]));
        types[1 + k * N_FIGURES + i] = i == 2 ? CP_REPORT_COLUMN_NUMBER
                                              : CP_REPORT_COLUMN_INTEGER;
      }
  g_ptr_array_add (headings, NULL);

  /* Translators: the title of the exported district progress table; %d is the year */
  title = g_strdup_printf (_("District progress against the quotas, %d"), progress->year);
  table = cp_report_table_new (title, progress->year, n_columns,
                               (const char * const *) headings->pdata, types);
  for (guint k = 0; k <= kinds->len; k++)
    cp_report_table_set_number_format (table, 1 + k * N_FIGURES + 2, "0.0%");
  cp_report_table_set_freeze_columns (table, 1);

  cells = g_new0 (CpReportCell, n_columns);
  for (guint d = 0; d < progress->districts->len; d++)
    {
      const CpProgressRow *row = g_ptr_array_index (progress->districts, d);

      fill_row (cells, n_columns, kinds, row, row->name);
      cp_report_table_append_row (table, cells);
    }
  fill_row (cells, n_columns, kinds, progress->total, C_("progress table", "Total"));
  cp_report_table_set_totals (table, cells, NULL);
  return table;
}

gboolean
cp_progress_export_write (CpProgress         *progress,
                          CpTemplateRegistry *registry,
                          const char         *path,
                          GError            **error)
{
  g_autoptr(CpReportTable) table = NULL;

  g_return_val_if_fail (progress != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  table = cp_progress_export_make_table (progress, registry);
  return cp_report_table_write (table, path, error);
}

/* Export… */

typedef struct
{
  CpReportTable *table;
  char          *path;
  GWeakRef       window;   /* closed meanwhile: the result is not told */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->table);
  g_free (job->path);
  g_weak_ref_clear (&job->window);
  g_free (job);
}

static void
toast (AdwWindow  *window,
       const char *message)
{
  GtkWidget *content = adw_window_get_content (window);

  g_debug ("%s", message);
  if (ADW_IS_TOAST_OVERLAY (content))
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (content), adw_toast_new (message));
}

static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (!cp_report_table_write (job->table, job->path, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
written_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(AdwWindow) window = g_weak_ref_get (&job->window);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    message = g_strdup_printf (_("The table could not be exported: %s"), error->message);
  else
    {
      g_autofree char *name = g_filename_display_basename (job->path);

      message = g_strdup_printf (_("The table was saved as %s"), name);
    }
  if (window != NULL)
    toast (window, message);
  else
    g_debug ("%s", message);
}

static void
chooser_response_cb (GtkNativeDialog *native,
                     int              response,
                     AdwWindow       *window)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GTask) task = NULL;
  CpReportTable *table = g_object_get_data (G_OBJECT (native), "cp-table");
  GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (native));
  const char *suffix = filter != NULL ? g_object_get_data (G_OBJECT (filter), "cp-suffix")
                                      : NULL;
  Job *job;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  if (file == NULL)
    {
      gtk_native_dialog_destroy (native);
      g_object_unref (native);
      return;
    }
  job = g_new0 (Job, 1);
  job->table = g_object_ref (table);
  job->path = g_file_get_path (file);
  g_weak_ref_init (&job->window, window);
  gtk_native_dialog_destroy (native);
  g_object_unref (native);

  task = g_task_new (NULL, NULL, written_cb, NULL);
  g_task_set_source_tag (task, cp_progress_export_run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (job->path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                               _("Choose a folder on this computer."));
      return;
    }
  /* A name typed without an ending gets the one of the chosen type. */
  if (suffix != NULL && !g_str_has_suffix (job->path, ".xlsx") &&
      !g_str_has_suffix (job->path, ".csv") && !g_str_has_suffix (job->path, ".XLSX") &&
      !g_str_has_suffix (job->path, ".CSV"))
    {
      char *with = g_strconcat (job->path, suffix, NULL);

      g_free (job->path);
      job->path = with;
    }
  g_task_run_in_thread (task, write_thread);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *mime,
            const char     *suffix)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_mime_type (filter, mime);
  gtk_file_filter_add_suffix (filter, suffix + 1);
  g_object_set_data (G_OBJECT (filter), "cp-suffix", (gpointer) suffix);
  gtk_file_chooser_add_filter (chooser, filter);
}

void
cp_progress_export_run (AdwWindow          *parent,
                        CpProgress         *progress,
                        CpTemplateRegistry *registry)
{
  g_autoptr(CpReportTable) table = NULL;
  GtkFileChooserNative *native;
  g_autofree char *suggested = NULL;

  g_return_if_fail (ADW_IS_WINDOW (parent));
  g_return_if_fail (progress != NULL);

  table = cp_progress_export_make_table (progress, registry);
  suggested = g_strconcat (cp_report_table_get_title (table), ".xlsx", NULL);
  g_strdelimit (suggested, "/\\:", '-');
  native = gtk_file_chooser_native_new (_("Export the District Progress"), GTK_WINDOW (parent),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"),
                                        _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), suggested);
  add_filter (GTK_FILE_CHOOSER (native), _("Excel workbooks"),
              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx");
  add_filter (GTK_FILE_CHOOSER (native), _("CSV files"), "text/csv", ".csv");
  g_object_set_data_full (G_OBJECT (native), "cp-table", g_steal_pointer (&table),
                          g_object_unref);
  g_signal_connect_object (native, "response", G_CALLBACK (chooser_response_cb), parent, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}
