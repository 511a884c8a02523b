/* bench-export.c — how long the whole binder of a complete packet takes, and how much memory
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The complete city-demonstration demo packet (cp_validator_demo_packet, seed 1) with real
 * attachments of the sizes its manifest declares (19 files, about 24 MB): multi-page PDFs of
 * JPEG scans with a text layer, and JPEG scans, generated here (nothing big is committed). Then,
 * each in a child process of its own so that its peak RSS is its own:
 *
 *   whole binder   cp_export_binder(): form pages + every attachment page (poppler-glib draws
 *                  each PDF page onto the cairo PDF surface; JPEGs go in as they are)
 *   forms only     the floor: the same binder without the attachments' pages
 *   qpdf           the peer: the forms-only PDF, the JPEGs wrapped one per page by cairo, and
 *                  every PDF attachment assembled page for page by qpdf (its pages copied, not
 *                  drawn again; no running header, footer or watermark on them)
 *
 * Usage: bench-export [RUNS] [--keep DIR]   (default 3 runs; --keep leaves the files, the packet
 * and the binder in DIR to look at). Target: whole binder under 3 s and under 300 MB peak RSS.
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cairo.h>
#include <cairo-pdf.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <glib-unix.h>
#include <unistd.h>

#include "cp-binder.h"
#include "cp-demo.h"
#include "cp-export.h"
#include "cp-template-registry.h"
#include "export-files.h"

typedef struct
{
  double seconds;   /* wall clock */
  double cpu;       /* user + system */
  double peak_mb;   /* the child's own peak RSS (VmHWM) */
} Run;

static int
compare_runs (gconstpointer a,
              gconstpointer b)
{
  double x = ((const Run *) a)->seconds;
  double y = ((const Run *) b)->seconds;

  return (x > y) - (x < y);
}

/* VmHWM of a process in kB, or 0. It starts afresh at exec, unlike ru_maxrss, which would also
 * count the pages this (large) process had when it forked the child. */
static guint64
read_vmhwm (const char *status_path)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents (status_path, &status, NULL, NULL))
    return 0;
  line = strstr (status, "VmHWM:");
  return line != NULL ? g_ascii_strtoull (line + strlen ("VmHWM:"), NULL, 10) : 0;
}

/* Runs @argv to the end and measures its wall time, CPU time and peak RSS. A child of ours
 * reports its own VmHWM as its last line ("vmhwm N"); for others /proc is polled. */
static Run
measure (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *status_path = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  struct rusage usage;
  GPid pid;
  int out_fd;
  int status;
  guint64 polled = 0;
  gint64 start = g_get_monotonic_time ();
  const char *reported;
  Run run;

  if (!g_spawn_async_with_pipes (NULL, (char **) argv, NULL,
                                 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, NULL, NULL,
                                 &pid, NULL, &out_fd, NULL, &error))
    g_error ("%s: %s", argv[0], error->message);
  status_path = g_strdup_printf ("/proc/%d/status", pid);
  g_unix_set_fd_nonblocking (out_fd, TRUE, NULL);
  for (;;)
    {
      char buffer[256];
      ssize_t n;
      pid_t done;

      polled = MAX (polled, read_vmhwm (status_path));
      while ((n = read (out_fd, buffer, sizeof buffer)) > 0)
        g_string_append_len (out, buffer, n);
      done = wait4 (pid, &status, WNOHANG, &usage);
      if (done == pid)
        break;
      if (done < 0)
        g_error ("wait4 failed");
      g_usleep (2000);
    }
  {
    char buffer[256];
    ssize_t n;

    while ((n = read (out_fd, buffer, sizeof buffer)) > 0)
      g_string_append_len (out, buffer, n);
  }
  close (out_fd);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s failed (status %d)", argv[0], status);

  run.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  run.cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
            usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  reported = strstr (out->str, "vmhwm ");
  run.peak_mb = (reported != NULL ? g_ascii_strtoull (reported + 6, NULL, 10) : polled) / 1024.0;
  return run;
}

static Run
median_of (const char * const *argv,
           int                 runs,
           Run                *first)
{
  g_autoptr(GArray) all = g_array_new (FALSE, FALSE, sizeof (Run));

  for (int i = 0; i < runs; i++)
    {
      Run run = measure (argv);

      if (i == 0 && first != NULL)
        *first = run;
      g_array_append_val (all, run);
    }
  g_array_sort (all, compare_runs);
  return g_array_index (all, Run, all->len / 2);
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    g_error ("%s is missing", path);
  return (guint64) st.st_size;
}

/* The child: one export, then exit. */
static int
child_export (const char *packet_path,
              const char *files,
              const char *output,
              gboolean    forms_only)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = cp_template_registry_new_default (&error);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;

  if (registry == NULL)
    g_error ("%s", error->message);
  packet = cp_packet_new_from_file (packet_path, &error);
  if (packet == NULL)
    g_error ("%s", error->message);
  binder = cp_binder_new (registry, packet, forms_only ? NULL : files,
                          forms_only ? CP_BINDER_FLAGS_FORMS_ONLY : CP_BINDER_FLAGS_NONE);
  if (!cp_export_binder (binder, output, NULL, NULL, NULL, &error))
    g_error ("%s", error->message);
  g_print ("vmhwm %" G_GUINT64_FORMAT "\n", read_vmhwm ("/proc/self/status"));
  return 0;
}

/* The child of the qpdf peer: each JPEG on a page of its own, as the JPEG it is. */
static int
child_wrap_images (int    argc,
                   char **argv)
{
  for (int i = 0; i + 1 < argc; i += 2)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file_at_scale (argv[i], 400, 566, TRUE,
                                                                       &error);
      cairo_surface_t *surface;
      cairo_surface_t *pdf;
      cairo_t *cr;
      char *data = NULL;
      gsize length = 0;
      int width, height;

      if (pixbuf == NULL || !g_file_get_contents (argv[i], &data, &length, &error))
        g_error ("%s", error->message);
      if (!gdk_pixbuf_get_file_info (argv[i], &width, &height))
        g_error ("%s: not an image", argv[i]);
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, gdk_pixbuf_get_width (pixbuf),
                                            gdk_pixbuf_get_height (pixbuf));
      cairo_surface_set_mime_data (surface, CAIRO_MIME_TYPE_JPEG, (const guchar *) data, length,
                                   g_free, data);
      pdf = cairo_pdf_surface_create (argv[i + 1], CP_BINDER_PAGE_WIDTH, CP_BINDER_PAGE_HEIGHT);
      cr = cairo_create (pdf);
      cairo_scale (cr, CP_BINDER_PAGE_WIDTH / gdk_pixbuf_get_width (pixbuf),
                   CP_BINDER_PAGE_HEIGHT / gdk_pixbuf_get_height (pixbuf));
      cairo_set_source_surface (cr, surface, 0, 0);
      cairo_paint (cr);
      cairo_destroy (cr);
      cairo_surface_destroy (pdf);
      cairo_surface_destroy (surface);
    }
  g_print ("vmhwm %" G_GUINT64_FORMAT "\n", read_vmhwm ("/proc/self/status"));
  return 0;
}

/* The demo packet with every manifest entry made into a real file of the declared size. */
static CpPacket *
make_packet (CpTemplateRegistry *registry,
             const char         *files,
             guint64            *total,
             guint              *n_pdf_pages,
             guint              *n_images)
{
  g_autoptr(CpPacket) packet = cp_validator_demo_packet (registry, "city-demonstration", 1);
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *attachments;

  if (packet == NULL)
    g_error ("Could not make a demonstration packet");
  attachments = cp_packet_get_attachments (packet);
  for (guint i = 0; i < attachments->len; i++)
    g_ptr_array_add (old, g_strdup (((CpAttachment *) g_ptr_array_index (attachments, i))->sha256));

  *total = 0;
  *n_pdf_pages = 0;
  *n_images = 0;
  for (guint i = 0; i < old->len; i++)
    {
      const CpAttachment *a = cp_packet_find_attachment (packet, g_ptr_array_index (old, i));
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strdup (a->name);
      g_autofree char *mime = g_strdup (a->mime);
      g_autofree char *marker = g_strdup_printf ("BENCH%02u", i);
      g_autofree char *sha256 = NULL;
      g_autofree char *data = NULL;
      g_autoptr(GString) text = NULL;
      CpPacket *swapped;
      guint64 size = 0;

      if (g_str_equal (a->mime, "application/pdf"))
        {
          /* Scanned documents of a few pages, about 400 KB a page. */
          guint pages = CLAMP ((guint) (a->size / 400000), 1, 6);

          sha256 = cp_test_make_pdf (files, marker, pages, a->size / pages, &size);
          *n_pdf_pages += pages;
        }
      else
        {
          sha256 = cp_test_make_jpeg_of_size (files, marker, a->size, &size);
          (*n_images)++;
        }
      *total += size;

      data = cp_packet_to_data (packet, FALSE, NULL);
      text = g_string_new (data);
      g_string_replace (text, g_ptr_array_index (old, i), sha256, 0);
      swapped = cp_packet_new_from_data (text->str, text->len, "bench", &error);
      if (swapped == NULL)
        g_error ("%s", error->message);
      cp_packet_remove_attachment (swapped, sha256);
      cp_packet_add_attachment (swapped, name, sha256, size, mime);
      g_object_unref (packet);
      packet = swapped;
    }

  return g_steal_pointer (&packet);
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR))
            remove_tree (child);
          else
            g_unlink (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *self = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *files = NULL;
  g_autofree char *packet_path = NULL;
  g_autofree char *whole = NULL;
  g_autofree char *forms = NULL;
  g_autofree char *assembled = NULL;
  g_autofree char *data = NULL;
  g_autoptr(GPtrArray) wrap_argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) qpdf_argv = g_ptr_array_new_with_free_func (g_free);
  const char *keep = NULL;
  guint64 total = 0;
  guint n_pdf_pages = 0;
  guint n_images = 0;
  int runs = 3;
  Run first = { 0, 0, 0 };
  Run whole_run, forms_run, wrap_run, qpdf_run;
  gint64 start;
  double generated;
  int n_pages = 0;

  setlocale (LC_ALL, "");

  if (argc == 6 && g_str_equal (argv[1], "--child-export"))
    return child_export (argv[2], argv[3], argv[4], g_str_equal (argv[5], "forms"));
  if (argc >= 2 && g_str_equal (argv[1], "--child-wrap"))
    return child_wrap_images (argc - 2, argv + 2);

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--keep") && i + 1 < argc)
        keep = argv[++i];
      else
        runs = MAX (1, atoi (argv[i]));
    }

  self = g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE) && strchr (argv[0], '/') != NULL ?
         g_canonicalize_filename (argv[0], NULL) : g_find_program_in_path (argv[0]);
  registry = cp_template_registry_new_default (&error);
  if (registry == NULL)
    g_error ("Could not load the templates: %s", error->message);

  if (keep != NULL)
    {
      dir = g_canonicalize_filename (keep, NULL);
      g_mkdir_with_parents (dir, 0700);
    }
  else if ((dir = g_dir_make_tmp ("bench-export-XXXXXX", &error)) == NULL)
    g_error ("%s", error->message);
  files = g_build_filename (dir, "blobs", NULL);
  g_mkdir_with_parents (files, 0700);
  packet_path = g_build_filename (dir, "packet.json", NULL);
  whole = g_build_filename (dir, "binder.pdf", NULL);
  forms = g_build_filename (dir, "forms.pdf", NULL);
  assembled = g_build_filename (dir, "qpdf.pdf", NULL);

  start = g_get_monotonic_time ();
  packet = make_packet (registry, files, &total, &n_pdf_pages, &n_images);
  generated = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  data = cp_packet_to_data (packet, TRUE, NULL);
  if (!g_file_set_contents (packet_path, data, -1, &error))
    g_error ("%s", error->message);

  /* The whole binder, and the forms-only floor, each in a fresh process. */
  {
    const char *argv_whole[] = { self, "--child-export", packet_path, files, whole, "whole",
                                 NULL };
    const char *argv_forms[] = { self, "--child-export", packet_path, files, forms, "forms",
                                 NULL };

    whole_run = median_of (argv_whole, runs, &first);
    forms_run = median_of (argv_forms, runs, NULL);
  }
  {
    g_autoptr(CpBinder) binder = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);

    if (!cp_binder_paginate (binder, NULL, &error))
      g_error ("%s", error->message);
    n_pages = (int) cp_binder_get_n_pages (binder);
  }

  /* The qpdf peer: the same forms, images wrapped by cairo, PDFs assembled by qpdf. */
  g_ptr_array_add (wrap_argv, g_strdup (self));
  g_ptr_array_add (wrap_argv, g_strdup ("--child-wrap"));
  g_ptr_array_add (qpdf_argv, g_strdup ("qpdf"));
  g_ptr_array_add (qpdf_argv, g_strdup ("--empty"));
  g_ptr_array_add (qpdf_argv, g_strdup ("--pages"));
  g_ptr_array_add (qpdf_argv, g_strdup (forms));
  for (guint i = 0; i < cp_packet_get_attachments (packet)->len; i++)
    {
      const CpAttachment *a = g_ptr_array_index (cp_packet_get_attachments (packet), i);
      char *path = g_build_filename (files, a->sha256, NULL);

      if (g_str_equal (a->mime, "application/pdf"))
        g_ptr_array_add (qpdf_argv, path);
      else
        {
          char *wrapped = g_strdup_printf ("%s/wrapped-%02u.pdf", dir, i);

          g_ptr_array_add (wrap_argv, path);
          g_ptr_array_add (wrap_argv, wrapped);
          g_ptr_array_add (qpdf_argv, g_strdup (wrapped));
        }
    }
  g_ptr_array_add (qpdf_argv, g_strdup ("--"));
  g_ptr_array_add (qpdf_argv, g_strdup (assembled));
  g_ptr_array_add (wrap_argv, NULL);
  g_ptr_array_add (qpdf_argv, NULL);
  wrap_run = median_of ((const char * const *) wrap_argv->pdata, runs, NULL);
  if (g_find_program_in_path ("qpdf") != NULL)
    qpdf_run = median_of ((const char * const *) qpdf_argv->pdata, runs, NULL);
  else
    qpdf_run = (Run) { -1, -1, -1 };

  g_print ("bench-export: the complete city-demonstration binder, %d runs each, "
           "median (each run a process of its own)\n", runs);
  g_print ("  attachments:        %u files, %.1f MB (%u PDF pages of scans, %u JPEG scans), "
           "made in %.1f s\n",
           cp_packet_get_attachments (packet)->len, total / 1e6, n_pdf_pages, n_images,
           generated);
  g_print ("  whole binder:       %.2f s (CPU %.2f s; first run %.2f s), peak RSS %.0f MB, "
           "%d pages, %.1f MB\n",
           whole_run.seconds, whole_run.cpu, first.seconds, whole_run.peak_mb, n_pages,
           file_size (whole) / 1e6);
  g_print ("  floor, forms only:  %.2f s (CPU %.2f s), peak RSS %.0f MB, %.1f KB\n",
           forms_run.seconds, forms_run.cpu, forms_run.peak_mb, file_size (forms) / 1e3);
  if (qpdf_run.seconds >= 0)
    g_print ("  peer, qpdf:         %.2f s (CPU %.2f s: forms %.2f + wrapping the JPEGs %.2f + "
             "qpdf %.2f), peak RSS %.0f MB (qpdf), %.1f MB\n",
             forms_run.seconds + wrap_run.seconds + qpdf_run.seconds,
             forms_run.cpu + wrap_run.cpu + qpdf_run.cpu, forms_run.cpu, wrap_run.cpu,
             qpdf_run.cpu, qpdf_run.peak_mb, file_size (assembled) / 1e6);
  else
    g_print ("  peer, qpdf:         qpdf is not installed\n");
  g_print ("  target:             whole binder < 3 s and < 300 MB peak RSS\n");

  if (keep != NULL)
    g_print ("  kept in %s (packet.json, blobs/, binder.pdf, forms.pdf, qpdf.pdf)\n", dir);
  else
    remove_tree (dir);
  return 0;
}
