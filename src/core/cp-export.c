/* cp-export.c — the printable binder written as a PDF the credit office receives
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <cairo.h>
#include <cairo-pdf.h>

#include "cp-export.h"

G_DEFINE_QUARK (cp-export-error-quark, cp_export_error)

typedef struct
{
  int           fd;
  int           write_errno;
  GCancellable *cancellable;
} Output;

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  Output *out = closure;

  if (out->write_errno != 0 || g_cancellable_is_cancelled (out->cancellable))
    return CAIRO_STATUS_WRITE_ERROR;

  while (length > 0)
    {
      ssize_t n = write (out->fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          out->write_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += n;
      length -= n;
    }

  return CAIRO_STATUS_SUCCESS;
}

static void
set_write_error (GError    **error,
                 const char *path,
                 int         errsv)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_WRITE,
               /* Translators: the first %s is a file name, the second the system's reason. */
               _("Could not write the PDF to “%s”: %s. Choose another folder or free some "
                 "space, then export again."),
               display, g_strerror (errsv));
}

static void
set_metadata (CpBinder        *binder,
              cairo_surface_t *surface)
{
  const char *name = cp_packet_get_enterprise_name (cp_binder_get_packet (binder));
  g_autofree char *creator = g_strdup_printf ("Credit Packet %s", PACKAGE_VERSION);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format_iso8601 (now);

  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, cp_binder_get_title (binder));
  if (name != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_AUTHOR, name);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, creator);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
}

/* One bookmark per entry; an entry hangs under the last entry of the level above it. */
static void
add_outline (CpBinder        *binder,
             cairo_surface_t *surface)
{
  int parents[8] = { CAIRO_PDF_OUTLINE_ROOT, };
  guint depth = 0;

  for (guint i = 0; i < cp_binder_get_n_entries (binder); i++)
    {
      const char *title;
      guint page;
      guint level;
      g_autofree char *link = NULL;
      int id;

      cp_binder_get_entry (binder, i, &title, &page, &level);
      if (page == 0)
        continue;
      level = MIN (level, MIN (depth, G_N_ELEMENTS (parents) - 1));
      link = g_strdup_printf ("page=%u", page);
      id = cairo_pdf_surface_add_outline (surface, level == 0 ? CAIRO_PDF_OUTLINE_ROOT
                                                              : parents[level],
                                          title, link, 0);
      if (level + 1 < G_N_ELEMENTS (parents))
        {
          parents[level + 1] = id;
          depth = level + 1;
        }
    }
}

static gboolean
render (CpBinder              *binder,
        Output                *out,
        const char            *path,
        CpExportProgressFunc   progress,
        gpointer               progress_data,
        GError               **error)
{
  guint n_pages = cp_binder_get_n_pages (binder);
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  guint drawn;

  surface = cairo_pdf_surface_create_for_stream (write_cb, out, CP_BINDER_PAGE_WIDTH,
                                                 CP_BINDER_PAGE_HEIGHT);
  cairo_pdf_surface_restrict_to_version (surface, CAIRO_PDF_VERSION_1_5);
  set_metadata (binder, surface);
  cr = cairo_create (surface);

  /* Page by page: cairo writes each page out when it is shown. */
  for (drawn = 0; drawn < n_pages; drawn++)
    {
      if (g_cancellable_is_cancelled (out->cancellable) || out->write_errno != 0 ||
          cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
        break;
      cp_binder_draw_page (binder, cr, drawn);
      cairo_show_page (cr);
      if (progress != NULL)
        progress (drawn + 1, n_pages, progress_data);
    }

  /* Bookmarks only in a whole document: cairo 1.16 crashes on finishing one whose outline
   * points at pages it never got. */
  if (drawn == n_pages && !g_cancellable_is_cancelled (out->cancellable) &&
      out->write_errno == 0 && cairo_surface_status (surface) == CAIRO_STATUS_SUCCESS)
    add_outline (binder, surface);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (g_cancellable_set_error_if_cancelled (out->cancellable, error))
    return FALSE;
  if (out->write_errno != 0)
    {
      set_write_error (error, path, out->write_errno);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_WRITE,
                   _("Could not produce the PDF (%s). Export again; if it fails again, report "
                     "the problem."),
                   cairo_status_to_string (status));
      return FALSE;
    }

  return TRUE;
}

gboolean
cp_export_binder (CpBinder              *binder,
                  const char            *path,
                  CpExportProgressFunc   progress,
                  gpointer               progress_data,
                  GCancellable          *cancellable,
                  GError               **error)
{
  Output out = { -1, 0, cancellable };
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  gboolean ok;

  g_return_val_if_fail (CP_IS_BINDER (binder), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!cp_binder_paginate (binder, cancellable, error))
    return FALSE;

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  out.fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (out.fd < 0)
    {
      set_write_error (error, path, errno);
      return FALSE;
    }

  ok = render (binder, &out, path, progress, progress_data, error);

  if (ok && fsync (out.fd) != 0)
    {
      set_write_error (error, path, errno);
      ok = FALSE;
    }
  if (close (out.fd) != 0 && ok)
    {
      set_write_error (error, path, errno);
      ok = FALSE;
    }
  if (ok && g_rename (tmp_path, path) != 0)
    {
      set_write_error (error, path, errno);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);

  return ok;
}

gboolean
cp_export_pdf (CpTemplateRegistry *registry,
               CpPacket           *packet,
               const char         *path,
               GCancellable       *cancellable,
               GError            **error)
{
  g_autoptr(CpBinder) binder = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  binder = cp_binder_new (registry, packet, NULL, CP_BINDER_FLAGS_FORMS_ONLY);
  return cp_export_binder (binder, path, NULL, NULL, cancellable, error);
}

/* In a worker thread -------------------------------------------------------------------------- */

typedef struct
{
  char                 *path;
  CpExportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_notify;
  GMainContext         *context;
  gint                  done;
  gint                  total;
  gint                  pending;   /* a progress report is queued in @context */
} AsyncJob;

static void
async_job_free (AsyncJob *job)
{
  if (job->progress_notify != NULL)
    job->progress_notify (job->progress_data);
  g_main_context_unref (job->context);
  g_free (job->path);
  g_free (job);
}

static gboolean
report_progress_cb (gpointer data)
{
  GTask *task = data;
  AsyncJob *job = g_task_get_task_data (task);

  g_atomic_int_set (&job->pending, 0);
  job->progress ((guint) g_atomic_int_get (&job->done), (guint) g_atomic_int_get (&job->total),
                 job->progress_data);
  return G_SOURCE_REMOVE;
}

/* In the worker: keep the newest figures and queue one report at a time, so a fast export does
 * not flood the main loop. */
static void
thread_progress_cb (guint    done,
                    guint    total,
                    gpointer data)
{
  GTask *task = data;
  AsyncJob *job = g_task_get_task_data (task);

  g_atomic_int_set (&job->done, (gint) done);
  g_atomic_int_set (&job->total, (gint) total);
  if (g_atomic_int_compare_and_exchange (&job->pending, 0, 1))
    g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, report_progress_cb,
                                g_object_ref (task), g_object_unref);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CpBinder *binder = source_object;
  AsyncJob *job = task_data;
  GError *error = NULL;

  if (cp_export_binder (binder, job->path, job->progress != NULL ? thread_progress_cb : NULL,
                        task, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cp_export_binder_async (CpBinder             *binder,
                        const char           *path,
                        CpExportProgressFunc  progress,
                        gpointer              progress_data,
                        GDestroyNotify        progress_notify,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncJob *job;

  g_return_if_fail (CP_IS_BINDER (binder));
  g_return_if_fail (path != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (AsyncJob, 1);
  job->path = g_strdup (path);
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_notify = progress_notify;
  job->context = g_main_context_ref_thread_default ();

  task = g_task_new (binder, cancellable, callback, user_data);
  g_task_set_source_tag (task, cp_export_binder_async);
  g_task_set_task_data (task, job, (GDestroyNotify) async_job_free);
  g_task_run_in_thread (task, export_thread);
}

gboolean
cp_export_binder_finish (CpBinder      *binder,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (CP_IS_BINDER (binder), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, binder), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, cp_export_binder_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
