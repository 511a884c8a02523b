/* test-export.c — the printable binder, read back with pdftotext and pdftoppm
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <cairo-pdf.h>

#include "cp-binder.h"
#include "cp-demo.h"
#include "cp-export.h"
#include "cp-scoring.h"
#include "cp-template-registry.h"
#include "cp-validator.h"
#include "export-files.h"

static CpTemplateRegistry *registry;

/* Helpers ---------------------------------------------------------------------------------- */

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-export-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
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

/* The names in @path, sorted, joined by spaces. */
static char *
list_dir (const char *path)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_dir_close (dir);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

static char *
run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("%s failed: %s\n%s", argv[0], error->message, err);

  return out;
}

static int
pdf_page_count (const char *pdf)
{
  const char *argv[] = { "pdfinfo", pdf, NULL };
  g_autofree char *info = run (argv);
  const char *pages = strstr (info, "\nPages:");

  g_assert_nonnull (pages);
  return atoi (pages + strlen ("\nPages:"));
}

static char *
pdf_page_text (const char *pdf,
               int         page,
               gboolean    layout)
{
  g_autofree char *number = g_strdup_printf ("%d", page);
  const char *argv[] = { "pdftotext", "-q", "-f", number, "-l", number,
                         layout ? "-layout" : "-raw", pdf, "-", NULL };

  return run (argv);
}

/* Text without any white space, so that wrapped lines still match. */
static char *
squeeze (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c))
        g_string_append_unichar (out, c);
    }

  return g_string_free (out, FALSE);
}

static gboolean
page_contains (const char *page_text,
               const char *needle)
{
  g_autofree char *hay = squeeze (page_text);
  g_autofree char *pin = squeeze (needle);

  return strstr (hay, pin) != NULL;
}

/* 1234.5 → "1,234.5": the way the binder writes scores. */
static char *
format_score (double value)
{
  g_autofree char *plain = NULL;
  GString *out = g_string_new (NULL);
  const char *dot;
  gsize int_len;

  if (value == floor (value))
    plain = g_strdup_printf ("%.0f", value);
  else if (value * 10 == floor (value * 10))
    plain = g_strdup_printf ("%.1f", value);
  else
    plain = g_strdup_printf ("%.2f", value);

  dot = strchr (plain, '.');
  int_len = dot != NULL ? (gsize) (dot - plain) : strlen (plain);
  for (gsize i = 0; i < int_len; i++)
    {
      if (i > 0 && (int_len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, plain[i]);
    }
  if (dot != NULL)
    g_string_append (out, dot);

  return g_string_free (out, FALSE);
}

static CpPacket *
demo_packet (const char *kind_id)
{
  CpPacket *packet = cp_validator_demo_packet (registry, kind_id, 7);

  g_assert_nonnull (packet);
  return packet;
}

static void
export_ok (CpPacket   *packet,
           const char *path)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = cp_export_pdf (registry, packet, path, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* The expected table of contents: every section of the kind in binder order, then the scoring
 * sheet, then the attachment list. */
static GPtrArray *
expected_entries (CpPacket *packet)
{
  CpTemplate *kind = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  GPtrArray *titles = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *sections = cp_template_get_sections (kind);
  const CpScoringRef *scoring = cp_template_get_scoring (kind);

  CpScoringSheet *sheet = scoring != NULL ?
                          cp_template_registry_lookup_sheet (registry, scoring->sheet_id) : NULL;

  /* The sheet follows the section it belongs to. */
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      g_ptr_array_add (titles, g_strdup (cp_text_get (section->title)));
      if (sheet != NULL && scoring->section == section)
        {
          g_ptr_array_add (titles, g_strdup (cp_text_get (cp_scoring_sheet_get_title (sheet))));
          sheet = NULL;
        }
    }
  if (sheet != NULL)
    g_ptr_array_add (titles, g_strdup (cp_text_get (cp_scoring_sheet_get_title (sheet))));
  g_ptr_array_add (titles, g_strdup (C_("binder", "Attachment list")));

  return titles;
}

/* Reads the page number printed after @title in the table of contents (pdftotext -layout puts
 * the number on the line of the title's first line). */
static int
toc_page_of (const char *toc_text,
             const char *title)
{
  g_auto(GStrv) lines = g_strsplit (toc_text, "\n", -1);
  g_autofree char *start = NULL;
  const char *end;
  glong n_chars = g_utf8_strlen (title, -1);

  /* The first few characters are enough to find the line, and do not wrap. */
  end = g_utf8_offset_to_pointer (title, MIN (n_chars, 16));
  start = g_strndup (title, end - title);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *found = strstr (lines[i], start);
      const char *p;

      if (found == NULL)
        continue;
      p = lines[i] + strlen (lines[i]);
      while (p > found && g_ascii_isspace (p[-1]))
        p--;
      while (p > found && g_ascii_isdigit (p[-1]))
        p--;
      if (g_ascii_isdigit (*p))
        return atoi (p);
    }

  return -1;
}

/* Checks the whole binder: cover, table of contents against the real start pages, section
 * order, scoring total, attachment hashes, running footer. */
static void
check_binder (CpPacket   *packet,
              const char *pdf)
{
  g_autoptr(GPtrArray) titles = expected_entries (packet);
  int n_pages = pdf_page_count (pdf);
  g_autofree char *cover = pdf_page_text (pdf, 1, FALSE);
  g_autofree char *toc = pdf_page_text (pdf, 2, TRUE);
  g_autofree char *footer = g_strdup_printf (_("Page %d of %d"), 2, n_pages);
  GPtrArray *attachments = cp_packet_get_attachments (packet);
  CpTemplate *kind = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  const CpScoringRef *scoring = cp_template_get_scoring (kind);
  g_autoptr(GString) all = g_string_new (NULL);
  int last_page = 0;

  g_assert_cmpint (n_pages, >=, 2 + (int) titles->len - 2);

  /* The cover. */
  g_assert_true (page_contains (cover, cp_packet_get_enterprise_name (packet)));
  g_assert_true (page_contains (cover, cp_packet_get_uscc (packet)));
  g_assert_true (page_contains (cover, cp_text_get (cp_template_get_title (kind))));

  /* The table of contents and the running footer. */
  g_assert_true (page_contains (toc, g_ptr_array_index (titles, 1)));
  g_assert_true (page_contains (toc, footer));

  for (int page = 1; page <= n_pages; page++)
    {
      g_autofree char *text = pdf_page_text (pdf, page, FALSE);

      g_string_append (all, text);
      g_string_append_c (all, '\f');
    }

  /* Every entry starts on the page the table of contents gives, in binder order. */
  for (guint i = 0; i < titles->len; i++)
    {
      const char *title = g_ptr_array_index (titles, i);
      int page = toc_page_of (toc, title);
      g_autofree char *text = NULL;

      g_test_message ("%s → page %d", title, page);
      g_assert_cmpint (page, >=, 1);
      g_assert_cmpint (page, <=, n_pages);
      g_assert_cmpint (page, >, last_page);
      last_page = page;

      text = pdf_page_text (pdf, page, FALSE);
      if (i == 0)
        g_assert_true (page_contains (text, cp_packet_get_enterprise_name (packet)));
      else
        g_assert_true (page_contains (text, title));

      /* Sections start on a fresh page: the title is not on the page before (the table of
       * contents aside). */
      if (i >= 2 && page - 1 > 2)
        {
          g_autofree char *before = pdf_page_text (pdf, page - 1, FALSE);

          g_assert_false (page_contains (before, title));
        }
    }

  /* The scoring total, in each column the sheet has. */
  if (scoring != NULL)
    {
      CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, scoring->sheet_id);
      g_autoptr(CpScoreSummary) summary = cp_scoring_compute (sheet, packet);
      int page = toc_page_of (toc, cp_text_get (cp_scoring_sheet_get_title (sheet)));
      g_autoptr(GString) rest = g_string_new (NULL);

      for (int p = page; p <= n_pages; p++)
        {
          g_autofree char *text = pdf_page_text (pdf, p, FALSE);

          g_string_append (rest, text);
        }

      for (int c = CP_SCORE_SELF; c <= CP_SCORE_ACCEPTANCE; c++)
        {
          g_autofree char *total = NULL;
          g_autofree char *max = NULL;
          g_autofree char *line = NULL;

          gboolean wanted = c == CP_SCORE_SELF ? scoring->self : scoring->acceptance;

          /* The binder prints the columns the kind asks for and those with scores. */
          if (!cp_scoring_sheet_has_column (sheet, c) ||
              (!wanted && cp_score_summary_get_n_scored (summary, c) == 0))
            continue;
          total = format_score (cp_score_summary_get_total (summary, c));
          max = format_score (cp_scoring_sheet_get_total (sheet));
          line = g_strdup_printf (c == CP_SCORE_SELF ? _("Self-assessment: %s of %s points.")
                                                     : _("Acceptance: %s of %s points."),
                                  total, max);
          g_test_message ("%s", line);
          g_assert_true (page_contains (rest->str, line));
        }
    }

  /* The attachment list says where each file is used: after a field's file in the list (its
   * last mention) comes the title of the field's section. */
  for (guint i = 0; i < cp_template_get_sections (kind)->len; i++)
    {
      const CpSection *section = g_ptr_array_index (cp_template_get_sections (kind), i);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);
          const char *sha256 = cp_packet_get_string (packet, section->id, field->id);
          const char *last;
          g_autofree char *window = NULL;

          if (field->type != CP_FIELD_ATTACHMENT || sha256 == NULL)
            continue;
          last = g_strrstr (all->str, sha256);
          g_assert_nonnull (last);
          window = g_utf8_substring (last, 0, 300);
          g_assert_true (page_contains (window, cp_text_get (section->title)));
        }
    }

  /* Every attachment with its SHA-256. */
  g_assert_cmpuint (attachments->len, >, 0);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);

      g_assert_nonnull (strstr (all->str, attachment->sha256));
      g_assert_true (page_contains (all->str, attachment->name));
    }
}

/* Tests ------------------------------------------------------------------------------------ */

static void
test_city_demonstration (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autofree char *shots = g_build_filename (dir, "shots", NULL);
  g_autofree char *prefix = g_build_filename (shots, "page", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  const char *argv[] = { "pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "3", pdf, prefix,
                         NULL };
  g_autofree char *out = NULL;
  GDir *d;
  const char *name;
  guint n_images = 0;

  export_ok (packet, pdf);
  check_binder (packet, pdf);

  /* The cover names the agency of the service contract and the packet's state. */
  {
    g_autofree char *cover = pdf_page_text (pdf, 1, FALSE);
    const char *agency = cp_packet_get_string (packet, "contract", "agency_name");

    g_assert_nonnull (agency);
    g_assert_true (page_contains (cover, agency));
    g_assert_true (page_contains (cover, C_("binder", "Draft")));
  }

  /* Nothing but the binder is left beside it. */
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "binder.pdf");

  /* The first pages render as images. */
  g_mkdir (shots, 0700);
  out = run (argv);
  d = g_dir_open (shots, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *file = g_build_filename (shots, name, NULL);
      GStatBuf st;

      g_assert_true (g_str_has_suffix (name, ".png"));
      g_assert_cmpint (g_stat (file, &st), ==, 0);
      g_assert_cmpint (st.st_size, >, 1000);
      n_images++;
    }
  g_dir_close (d);
  g_assert_cmpuint (n_images, ==, 3);

  remove_tree (dir);
}

static void
test_every_kind (void)
{
  g_autoptr(GPtrArray) kinds = cp_template_registry_list_kinds (registry);

  g_assert_cmpuint (kinds->len, >=, 4);
  for (guint i = 0; i < kinds->len; i++)
    {
      CpTemplate *kind = g_ptr_array_index (kinds, i);
      g_autofree char *dir = make_temp_dir ();
      g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
      g_autoptr(CpPacket) packet = demo_packet (cp_template_get_id (kind));

      g_test_message ("kind %s", cp_template_get_id (kind));
      export_ok (packet, pdf);
      check_binder (packet, pdf);
      remove_tree (dir);
    }
}

/* Under a Chinese locale the template titles and the program's own words are in Chinese. */
static void
test_chinese (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autofree char *mo_dir = g_build_filename (dir, "locale", "zh_CN", "LC_MESSAGES", NULL);
  g_autofree char *mo = g_build_filename (mo_dir, "credit-packet.mo", NULL);
  g_autofree char *locale_dir = g_build_filename (dir, "locale", NULL);
  g_autofree char *po = g_test_build_filename (G_TEST_DIST, "..", "po", "zh_CN.po", NULL);
  const char *msgfmt[] = { "msgfmt", "-o", mo, po, NULL };
  g_autofree char *old_locale = g_strdup (setlocale (LC_ALL, NULL));
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  CpTemplate *kind = cp_template_registry_lookup_kind (registry, "city-demonstration");
  GPtrArray *sections = cp_template_get_sections (kind);
  gboolean have_locale;
  g_autofree char *toc = NULL;
  g_autofree char *cover = NULL;
  g_autofree char *out = NULL;

  /* The translation, compiled from the source tree so that the test needs no installation. */
  g_mkdir_with_parents (mo_dir, 0700);
  out = run (msgfmt);
  bindtextdomain (GETTEXT_PACKAGE, locale_dir);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  g_setenv ("LANGUAGE", "zh_CN", TRUE);
  have_locale = setlocale (LC_ALL, "zh_CN.UTF-8") != NULL;

  export_ok (packet, pdf);
  check_binder (packet, pdf);

  toc = pdf_page_text (pdf, 2, TRUE);
  cover = pdf_page_text (pdf, 1, FALSE);
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);
      const char *zh = cp_text_get_for (section->title, "zh_CN");

      g_assert_nonnull (zh);
      g_assert_cmpstr (cp_text_get (section->title), ==, zh);
      g_assert_true (page_contains (toc, zh));
    }

  if (have_locale)
    {
      g_assert_true (page_contains (toc, "目录"));
      g_assert_true (page_contains (cover, "统一社会信用代码"));
      g_assert_true (page_contains (toc, "第 2 页"));
    }
  else
    {
      g_test_message ("zh_CN.UTF-8 is not installed: the program's own words stay in English");
    }

  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, old_locale);
  remove_tree (dir);
}

/* A text longer than a page is cut between lines, and no line is lost or repeated. */
static void
test_long_text (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  CpTemplate *kind = cp_template_registry_lookup_kind (registry, "city-demonstration");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GString) all = g_string_new (NULL);
  const CpField *multiline = NULL;
  GPtrArray *sections = cp_template_get_sections (kind);
  const char *from;
  int n_pages;

  for (guint i = 0; i < sections->len && multiline == NULL; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      for (guint f = 0; f < section->fields->len && multiline == NULL; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);

          if (field->type == CP_FIELD_MULTILINE)
            multiline = field;
        }
    }
  g_assert_nonnull (multiline);

  for (int i = 1; i <= 250; i++)
    g_string_append_printf (text, "%sparagraph-%03d of the long report", i > 1 ? "\n" : "", i);
  cp_packet_set_string (packet, multiline->section->id, multiline->id, text->str);

  export_ok (packet, pdf);
  n_pages = pdf_page_count (pdf);
  for (int page = 1; page <= n_pages; page++)
    {
      g_autofree char *t = pdf_page_text (pdf, page, FALSE);

      g_string_append (all, t);
    }

  from = all->str;
  for (int i = 1; i <= 250; i++)
    {
      g_autofree char *line = g_strdup_printf ("paragraph-%03d of the long report", i);
      const char *found = strstr (from, line);

      g_assert_nonnull (found);
      g_assert_null (strstr (found + strlen (line), line));
      from = found + strlen (line);
    }

  remove_tree (dir);
}

static void
test_unwritable (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *blocker = g_build_filename (dir, "not-a-folder", NULL);
  g_autofree char *pdf = g_build_filename (blocker, "binder.pdf", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing", "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));

  g_assert_false (cp_export_pdf (registry, packet, pdf, NULL, &error));
  g_assert_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, "binder.pdf"));
  g_clear_error (&error);

  g_assert_false (cp_export_pdf (registry, packet, missing, NULL, &error));
  g_assert_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_WRITE);
  g_clear_error (&error);

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "not-a-folder");

  remove_tree (dir);
}

static void
test_cancelled (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *contents = NULL;

  g_cancellable_cancel (cancellable);
  g_assert_false (cp_export_pdf (registry, packet, pdf, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  /* A cancelled export leaves an earlier file of the same name as it was. */
  g_assert_true (g_file_set_contents (pdf, "earlier", -1, NULL));
  g_assert_false (cp_export_pdf (registry, packet, pdf, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "earlier");
  g_clear_pointer (&listing, g_free);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "binder.pdf");

  remove_tree (dir);
}

static gpointer
cancel_later_thread (gpointer data)
{
  g_usleep (30 * G_TIME_SPAN_MILLISECOND);
  g_cancellable_cancel (data);
  return NULL;
}

/* Cancelled while it runs: either it finished first and the file is whole, or it stopped and
 * left nothing behind. */
static void
test_cancelled_while_running (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  GThread *thread;
  gboolean ok;

  thread = g_thread_new ("cancel", cancel_later_thread, cancellable);
  ok = cp_export_pdf (registry, packet, pdf, cancellable, &error);
  g_thread_join (thread);

  listing = list_dir (dir);
  if (ok)
    {
      g_assert_no_error (error);
      g_assert_cmpstr (listing, ==, "binder.pdf");
      g_assert_cmpint (pdf_page_count (pdf), >, 2);
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_cmpstr (listing, ==, "");
    }

  remove_tree (dir);
}

/* Cancelled once the binder is paginated, before its first page: nothing is written, and
 * nothing crashes on the way out. */
static void
test_cancelled_after_pagination (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  g_autoptr(CpBinder) binder = cp_binder_new (registry, packet, NULL, CP_BINDER_FLAGS_NONE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_true (cp_binder_paginate (binder, NULL, &error));
  g_cancellable_cancel (cancellable);
  g_assert_false (cp_export_binder (binder, pdf, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  remove_tree (dir);
}

/* A second export replaces the first as a whole. */
static void
test_replace (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  g_autofree char *listing = NULL;
  g_autofree char *cover = NULL;

  g_assert_true (g_file_set_contents (pdf, "an older file", -1, NULL));
  cp_packet_set_string (packet, "cover", "enterprise_name", "苏州替换测试有限公司");
  export_ok (packet, pdf);

  cover = pdf_page_text (pdf, 1, FALSE);
  g_assert_true (page_contains (cover, "苏州替换测试有限公司"));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "binder.pdf");

  remove_tree (dir);
}

/* A weighted sheet with grades (Anhui): the weighted subtotals, the adjustments and the grade.
 * Every item scores 90 % (self) and 80 % (acceptance) of its maximum, so the weighted totals are
 * 90 and 80; the acceptance column also gets every addition at its maximum. */
static void
test_graded_sheet (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, "anhui-2016");
  GPtrArray *items;
  g_autoptr(CpScoreSummary) summary = NULL;
  g_autoptr(GString) all = g_string_new (NULL);
  double additions = 0;
  int n_pages;

  g_assert_nonnull (sheet);
  g_assert_cmpint (cp_scoring_sheet_get_method (sheet), ==, CP_SCORING_METHOD_WEIGHTED);
  g_assert_cmpuint (cp_scoring_sheet_get_n_grades (sheet), >, 0);

  cp_packet_set_sheet (packet, "anhui-2016", cp_scoring_sheet_get_version (sheet));
  items = cp_scoring_sheet_get_items (sheet);
  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);

      cp_packet_set_score (packet, item->id, CP_SCORE_SELF, item->points * 0.9);
      cp_packet_set_score (packet, item->id, CP_SCORE_ACCEPTANCE, item->points * 0.8);
    }
  for (guint a = 0; a < cp_scoring_sheet_get_n_adjustments (sheet); a++)
    {
      const CpScoringAdjustment *adjustment = cp_scoring_sheet_get_adjustment (sheet, a);

      cp_packet_set_score (packet, adjustment->id, CP_SCORE_ACCEPTANCE, adjustment->max);
      additions += adjustment->max;
    }

  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat_with_epsilon (cp_score_summary_get_total (summary, CP_SCORE_SELF), 90, 1e-6);
  g_assert_cmpfloat_with_epsilon (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE),
                                  80 + additions, 1e-6);

  export_ok (packet, pdf);
  n_pages = pdf_page_count (pdf);
  for (int page = 1; page <= n_pages; page++)
    {
      g_autofree char *t = pdf_page_text (pdf, page, FALSE);

      g_string_append (all, t);
    }

  for (int c = CP_SCORE_SELF; c <= CP_SCORE_ACCEPTANCE; c++)
    {
      double total = cp_score_summary_get_total (summary, c);
      const char *grade = cp_score_summary_get_grade (summary, c);
      const CpScoringMark *band = NULL;
      g_autofree char *value = format_score (total);
      g_autofree char *max = format_score (cp_scoring_sheet_get_total (sheet));
      g_autofree char *line = g_strdup_printf (c == CP_SCORE_SELF ?
                                               _("Self-assessment: %s of %s points.") :
                                               _("Acceptance: %s of %s points."), value, max);
      g_autofree char *grade_line = NULL;

      g_assert_nonnull (grade);
      for (guint g = 0; g < cp_scoring_sheet_get_n_grades (sheet); g++)
        if (g_str_equal (cp_scoring_sheet_get_grade (sheet, g)->id, grade))
          band = cp_scoring_sheet_get_grade (sheet, g);
      g_assert_nonnull (band);
      grade_line = g_strdup_printf (_("Grade %s: %s."), band->id, cp_text_get (band->label));

      g_test_message ("%s %s", line, grade_line);
      g_assert_true (page_contains (all->str, line));
      g_assert_true (page_contains (all->str, grade_line));
    }

  /* The first category is weighted 10 %: 90 % of it is 9 (self) and 80 % is 8 (acceptance). */
  {
    const CpScoringCategory *first = cp_scoring_sheet_get_category (sheet, 0);
    g_autofree char *weight = format_score (first->weight);
    g_autofree char *label = g_strdup_printf (_("Weighted (%s %%)"), weight);

    g_assert_cmpfloat_with_epsilon (first->weight, 10, 1e-9);
    g_assert_true (page_contains (all->str, label));
    g_assert_cmpfloat_with_epsilon (cp_score_summary_get_weighted_subtotal (summary,
                                                                            CP_SCORE_SELF,
                                                                            first->id),
                                    9, 1e-6);
  }

  remove_tree (dir);
}

static void
test_unknown_kind (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = cp_packet_new ("no-such-kind", "1");
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_false (cp_export_pdf (registry, packet, pdf, NULL, &error));
  g_assert_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_TEMPLATE);
  g_assert_nonnull (strstr (error->message, "no-such-kind"));
  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "");

  remove_tree (dir);
}

/* The whole binder, with real attachments ---------------------------------------------------- */

/* One attachment of the bound packet: what the test made of it and what it expects. */
typedef struct
{
  char         *sha256;
  char         *name;
  char         *marker;    /* the text on each page of a PDF, or NULL */
  guint         n_pages;   /* pages bound in (0 for a notice or a file that is only listed) */
  CpBinderFile  what;
  gboolean      scanned;   /* a PDF whose pages are JPEG scans */
} Made;

static void
made_free (Made *made)
{
  g_free (made->sha256);
  g_free (made->name);
  g_free (made->marker);
  g_free (made);
}

/* Points every reference to @old at @made's file and puts it in the manifest. */
static CpPacket *
swap_attachment (CpPacket   *packet,
                 const char *old,
                 const Made *made,
                 guint64     size,
                 const char *mime)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data = cp_packet_to_data (packet, FALSE, NULL);
  g_autoptr(GString) text = g_string_new (data);
  CpPacket *swapped;

  g_string_replace (text, old, made->sha256, 0);
  swapped = cp_packet_new_from_data (text->str, text->len, "test", &error);
  g_assert_no_error (error);
  cp_packet_remove_attachment (swapped, made->sha256);
  cp_packet_add_attachment (swapped, made->name, made->sha256, size, mime);
  return swapped;
}

static gboolean have_qpdf;

/* The complete city-demonstration demo packet, its 19 attachments made real in @files: PDFs of
 * one to three pages, JPEG scans, a PNG, a Word file, a damaged PDF, a password-protected PDF
 * (when qpdf is there to make one) and a file left out. @made gets them in manifest order. */
static CpPacket *
bound_packet (const char *files,
              GPtrArray  *made)
{
  g_autoptr(CpPacket) packet = demo_packet ("city-demonstration");
  g_autoptr(GPtrArray) old = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *attachments = cp_packet_get_attachments (packet);

  for (guint i = 0; i < attachments->len; i++)
    g_ptr_array_add (old, g_strdup (((CpAttachment *) g_ptr_array_index (attachments, i))->sha256));
  g_assert_cmpuint (old->len, ==, 19);

  for (guint i = 0; i < old->len; i++)
    {
      const CpAttachment *a = cp_packet_find_attachment (packet, g_ptr_array_index (old, i));
      Made *m = g_new0 (Made, 1);
      const char *mime = a->mime;
      guint64 size = 0;
      CpPacket *swapped;

      if (i == 6)
        {
          /* The internal assessment as a Word file: listed with a note. */
          static const char docx[] = "PK\003\004 not really a Word document";

          m->name = g_strdup ("assessment.docx");
          m->sha256 = cp_test_make_file (files, docx, sizeof docx - 1, &size);
          m->what = CP_BINDER_FILE_OTHER;
          mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        }
      else if (i == 7)
        {
          static const char broken[] = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R";

          m->name = g_strdup ("plan-broken.pdf");
          m->sha256 = cp_test_make_file (files, broken, sizeof broken - 1, &size);
          m->what = CP_BINDER_FILE_DAMAGED;
        }
      else if (i == 8 && have_qpdf)
        {
          g_autofree char *plain_sha = NULL;
          g_autofree char *plain = NULL;
          g_autofree char *locked = g_build_filename (files, "locked.tmp", NULL);
          g_autofree char *contents = NULL;
          gsize length;
          const char *argv[] = { "qpdf", "--encrypt", "user-secret", "owner-secret", "256",
                                 "--", NULL, locked, NULL };

          plain_sha = cp_test_make_pdf (files, "LOCKED", 1, 0, NULL);
          plain = g_build_filename (files, plain_sha, NULL);
          argv[6] = plain;
          g_free (run (argv));
          g_assert_true (g_file_get_contents (locked, &contents, &length, NULL));
          g_unlink (locked);
          g_unlink (plain);
          m->name = g_strdup ("report-locked.pdf");
          m->sha256 = cp_test_make_file (files, contents, length, &size);
          m->what = CP_BINDER_FILE_ENCRYPTED;
        }
      else if (i == 14)
        {
          /* The credit report is made, then left out of the folder. */
          g_autofree char *path = NULL;

          m->name = g_strdup ("credit-report.pdf");
          m->sha256 = cp_test_make_pdf (files, "MISSING", 1, 0, &size);
          path = g_build_filename (files, m->sha256, NULL);
          g_unlink (path);
          m->what = CP_BINDER_FILE_MISSING;
        }
      else if (i == 4)
        {
          m->name = g_strdup ("seal.png");
          m->sha256 = cp_test_make_png (files, "企业盖章 seal", 300, 420, &size);
          m->what = CP_BINDER_FILE_IMAGE;
          m->n_pages = 1;
          mime = "image/png";
        }
      else if (g_str_equal (a->mime, "application/pdf"))
        {
          guint pages = i == 0 ? 3 : i % 2 + 1;

          m->marker = g_strdup_printf ("ATT%02uMARK", i);
          m->name = g_strdup_printf ("file%02u.pdf", i);
          /* The contract and the field-survey report are scans: a JPEG inside the PDF, as
           * scanners make them (alike, down to their object numbers). */
          m->sha256 = cp_test_make_pdf (files, m->marker, pages, i == 0 || i == 2 ? 20000 : 0,
                                        &size);
          m->scanned = i == 0 || i == 2;
          m->what = CP_BINDER_FILE_PDF;
          m->n_pages = pages;
        }
      else
        {
          g_autofree char *text = g_strdup_printf ("scan %u 签字页", i);

          m->name = g_strdup_printf ("scan%02u.jpg", i);
          m->sha256 = cp_test_make_jpeg (files, text, 30, 80, &size);
          m->what = CP_BINDER_FILE_IMAGE;
          m->n_pages = 1;
          mime = "image/jpeg";
        }

      swapped = swap_attachment (packet, g_ptr_array_index (old, i), m, size, mime);
      g_object_unref (packet);
      packet = swapped;
      g_ptr_array_add (made, m);
    }

  return g_steal_pointer (&packet);
}

static const Made *
made_by_hash (GPtrArray  *made,
              const char *sha256)
{
  for (guint i = 0; i < made->len; i++)
    {
      const Made *m = g_ptr_array_index (made, i);

      if (g_str_equal (m->sha256, sha256))
        return m;
    }
  return NULL;
}

/* Every page's text (pdftotext -raw, in one run: pages end with a form feed), from 1. */
static GPtrArray *
all_page_texts (const char *pdf)
{
  const char *argv[] = { "pdftotext", "-q", "-raw", pdf, "-", NULL };
  g_autofree char *text = run (argv);
  g_auto(GStrv) parts = g_strsplit (text, "\f", -1);
  GPtrArray *pages = g_ptr_array_new_with_free_func (g_free);
  int n = pdf_page_count (pdf);

  g_assert_cmpint (g_strv_length (parts), ==, n + 1);
  g_ptr_array_add (pages, g_strdup (""));
  for (int p = 0; p < n; p++)
    g_ptr_array_add (pages, g_strdup (parts[p]));
  return pages;
}

/* The table-of-contents pages (2 up to @last) as pdftotext -layout reads them. */
static GPtrArray *
toc_texts (const char *pdf,
           int         last)
{
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);

  for (int page = 2; page <= last; page++)
    g_ptr_array_add (texts, pdf_page_text (pdf, page, TRUE));
  return texts;
}

/* The page number at the end of the table-of-contents line that names @needle. */
static int
toc_page_naming (GPtrArray  *toc,
                 const char *needle)
{
  for (guint t = 0; t < toc->len; t++)
    {
      g_auto(GStrv) lines = g_strsplit (g_ptr_array_index (toc, t), "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        {
          const char *found = strstr (lines[i], needle);
          const char *p;

          if (found == NULL)
            continue;
          p = lines[i] + strlen (lines[i]);
          while (p > found && g_ascii_isspace (p[-1]))
            p--;
          while (p > found && g_ascii_isdigit (p[-1]))
            p--;
          if (g_ascii_isdigit (*p))
            return atoi (p);
        }
    }
  return -1;
}

/* The outline as qpdf reads it: "title" → first page (from 1), at every depth. */
static void
collect_outline (JsonArray  *items,
                 GHashTable *pages,
                 guint       depth,
                 GHashTable *depths)
{
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonObject *item = json_array_get_object_element (items, i);
      const char *title = json_object_get_string_member (item, "title");

      g_hash_table_insert (pages, g_strdup (title),
                           GINT_TO_POINTER ((int) json_object_get_int_member (item,
                                                                              "destpageposfrom1")));
      g_hash_table_insert (depths, g_strdup (title), GUINT_TO_POINTER (depth));
      collect_outline (json_object_get_array_member (item, "kids"), pages, depth + 1, depths);
    }
}

/* The SHA-256 of the one JPEG image on page @page of @pdf, as pdfimages extracts it (the JPEG
 * data as it is in the file). */
static char *
page_jpeg (const char *pdf,
           int         page,
           const char *dir)
{
  g_autofree char *number = g_strdup_printf ("%d", page);
  g_autofree char *prefix = g_build_filename (dir, "img", NULL);
  g_autofree char *path = g_build_filename (dir, "img-000.jpg", NULL);
  g_autofree char *second = g_build_filename (dir, "img-001.jpg", NULL);
  const char *argv[] = { "pdfimages", "-j", "-f", number, "-l", number, pdf, prefix, NULL };
  g_autofree char *data = NULL;
  gsize length;

  g_free (run (argv));
  g_assert_true (g_file_get_contents (path, &data, &length, NULL));
  g_assert_false (g_file_test (second, G_FILE_TEST_EXISTS));
  g_unlink (path);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, length);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* How many clearly red pixels the middle of each page has at 25 dpi: the watermark crosses it. */
static GArray *
red_in_the_middle (const char *pdf,
                   const char *dir)
{
  g_autofree char *prefix = g_build_filename (dir, "wm", NULL);
  const char *argv[] = { "pdftoppm", "-r", "25", "-png", pdf, prefix, NULL };
  GArray *counts = g_array_new (FALSE, TRUE, sizeof (guint));
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GDir *d;
  const char *name;

  g_free (run (argv));
  d = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_prefix (name, "wm-") && g_str_has_suffix (name, ".png"))
      g_ptr_array_add (names, g_build_filename (dir, name, NULL));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_strings);
  g_assert_cmpuint (names->len, ==, pdf_page_count (pdf));

  for (guint i = 0; i < names->len; i++)
    {
      cairo_surface_t *image = cairo_image_surface_create_from_png (g_ptr_array_index (names, i));
      int width, height, stride;
      const guchar *pixels;
      guint red = 0;

      g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
      width = cairo_image_surface_get_width (image);
      height = cairo_image_surface_get_height (image);
      stride = cairo_image_surface_get_stride (image);
      pixels = cairo_image_surface_get_data (image);
      for (int y = height * 2 / 5; y < height * 3 / 5; y++)
        for (int x = width * 2 / 5; x < width * 3 / 5; x++)
          {
            guint32 p = ((const guint32 *) (gconstpointer) (pixels + (gsize) y * stride))[x];
            int r = (p >> 16) & 0xff;
            int g = (p >> 8) & 0xff;
            int b = p & 0xff;

            if (r > g + 25 && r > b + 25)
              red++;
          }
      cairo_surface_destroy (image);
      g_array_append_val (counts, red);
      g_unlink (g_ptr_array_index (names, i));
    }

  return counts;
}

static void
test_whole_binder (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *files = g_build_filename (dir, "blobs", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *pdf = g_build_filename (out, "binder.pdf", NULL);
  g_autofree char *forms_pdf = g_build_filename (dir, "forms.pdf", NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) made_free);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GPtrArray) titles = NULL;
  g_autoptr(GPtrArray) toc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) outline = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) depths = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) owner = NULL;
  g_autoptr(GArray) red = NULL;
  g_autofree char *listing = NULL;
  CpTemplate *kind = cp_template_registry_lookup_kind (registry, "city-demonstration");
  guint n_file_pages = 0;
  guint n_notices = 0;
  guint n_form = 0;
  int n_pages;
  int n_forms_only;
  int first_section_page;

  g_mkdir (files, 0700);
  g_mkdir (out, 0700);
  packet = bound_packet (files, made);
  if (!have_qpdf)
    g_test_message ("qpdf is not installed: no password-protected attachment in this run");

  /* The packet is complete, so no watermark. */
  {
    g_autoptr(GPtrArray) findings = cp_validator_validate (registry, packet, NULL, &error);

    g_assert_no_error (error);
    g_assert_true (cp_validator_is_ready (findings));
  }

  binder = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);
  g_assert_true (cp_export_binder (binder, pdf, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cp_binder_get_draft (binder));
  listing = list_dir (out);
  g_assert_cmpstr (listing, ==, "binder.pdf");

  export_ok (packet, forms_pdf);
  n_forms_only = pdf_page_count (forms_pdf);
  n_pages = pdf_page_count (pdf);
  g_assert_cmpint (n_pages, ==, cp_binder_get_n_pages (binder));
  texts = all_page_texts (pdf);

  /* Each page is a form page, a page of one attachment, or the notice of one. */
  owner = g_array_new (FALSE, TRUE, sizeof (gpointer));
  g_array_set_size (owner, n_pages + 1);
  for (int p = 1; p <= n_pages; p++)
    {
      const char *text = g_ptr_array_index (texts, p);
      const Made *found = NULL;

      for (guint i = 0; i < made->len && found == NULL; i++)
        {
          const Made *m = g_ptr_array_index (made, i);
          g_autofree char *caption = NULL;
          g_autofree char *notice = g_strdup_printf (_("Attachment: %s"), m->name);

          if (m->what == CP_BINDER_FILE_PDF)
            caption = g_strdup_printf ("— %s, page", m->name);
          else if (m->what == CP_BINDER_FILE_IMAGE)
            caption = g_strdup_printf ("— %s", m->name);
          if ((caption != NULL && page_contains (text, caption)) ||
              (m->n_pages == 0 && page_contains (text, notice)))
            found = m;
        }
      g_array_index (owner, gconstpointer, p) = found;
      if (found == NULL)
        n_form++;
      else if (found->n_pages > 0)
        n_file_pages++;
      else
        n_notices++;
    }

  /* pdfinfo's count = form pages + attachment pages + notices. */
  {
    guint want_file_pages = 0;
    guint want_notices = 0;

    for (guint i = 0; i < made->len; i++)
      {
        const Made *m = g_ptr_array_index (made, i);

        want_file_pages += m->n_pages;
        if (m->what == CP_BINDER_FILE_DAMAGED || m->what == CP_BINDER_FILE_ENCRYPTED ||
            m->what == CP_BINDER_FILE_MISSING)
          want_notices++;
      }
    g_test_message ("%d pages: %u form pages, %u attachment pages, %u notices; forms only: %d",
                    n_pages, n_form, n_file_pages, n_notices, n_forms_only);
    g_assert_cmpuint (n_file_pages, ==, want_file_pages);
    g_assert_cmpuint (n_notices, ==, want_notices);
    g_assert_cmpint (n_pages, ==, (int) (n_form + n_file_pages + n_notices));
    /* The form pages are those of the forms-only binder, plus at most a page per section for
     * its table of attachments. */
    g_assert_cmpint ((int) n_form, >=, n_forms_only);
    g_assert_cmpint ((int) n_form, <=, n_forms_only + 9);
  }

  /* The binder's own account agrees, file by file, and each PDF page is the file's page. */
  g_assert_cmpuint (cp_binder_get_n_files (binder), ==, made->len);
  for (guint i = 0; i < cp_binder_get_n_files (binder); i++)
    {
      const char *sha256;
      CpBinderFile what;
      guint first, n;
      const Made *m;

      cp_binder_get_file (binder, i, &sha256, &what, &first, &n);
      m = made_by_hash (made, sha256);
      g_assert_nonnull (m);
      g_test_message ("%s: what %d, pages %u+%u", m->name, what, first, n);
      g_assert_cmpint (what, ==, m->what);
      if (m->n_pages > 0)
        {
          g_assert_cmpuint (n, ==, m->n_pages);
          for (guint k = 0; k < n; k++)
            {
              g_assert_true (g_array_index (owner, gconstpointer, first + k) == m);
              if (m->marker != NULL)
                {
                  g_autofree char *marker = g_strdup_printf ("%s-P%u", m->marker, k + 1);

                  g_assert_true (page_contains (g_ptr_array_index (texts, first + k), marker));
                }
            }
        }
      else if (what != CP_BINDER_FILE_OTHER)
        g_assert_true (g_array_index (owner, gconstpointer, first) == m);
    }

  /* Attachment text appears nowhere but on its own pages. */
  for (guint i = 0; i < made->len; i++)
    {
      const Made *m = g_ptr_array_index (made, i);

      if (m->marker == NULL)
        continue;
      for (int p = 1; p <= n_pages; p++)
        if (page_contains (g_ptr_array_index (texts, p), m->marker))
          g_assert_true (g_array_index (owner, gconstpointer, p) == m);
    }

  /* The table of contents names each attachment's page (the notice's, or for a file that is
   * only listed, the page of its section's list). */
  titles = expected_entries (packet);
  {
    g_autoptr(GPtrArray) first_pages = toc_texts (pdf, 3);

    first_section_page = toc_page_naming (first_pages, g_ptr_array_index (titles, 2));
  }
  g_assert_cmpint (first_section_page, >, 2);
  toc = toc_texts (pdf, first_section_page - 1);
  for (guint i = 0; i < made->len; i++)
    {
      const Made *m = g_ptr_array_index (made, i);
      int page = toc_page_naming (toc, m->name);

      g_test_message ("table of contents: %s → page %d", m->name, page);
      g_assert_cmpint (page, >, 2);
      g_assert_cmpint (page, <=, n_pages);
      if (m->what == CP_BINDER_FILE_OTHER)
        {
          g_assert_true (g_array_index (owner, gconstpointer, page) == NULL);
          g_assert_true (page_contains (g_ptr_array_index (texts, page), m->name));
          g_assert_true (page_contains (g_ptr_array_index (texts, page), "Not bound in"));
        }
      else
        {
          g_assert_true (g_array_index (owner, gconstpointer, page) == m);
          g_assert_true (g_array_index (owner, gconstpointer, page - 1) != m);
        }
      if (m->marker != NULL)
        {
          g_autofree char *first = g_strdup_printf ("%s-P1", m->marker);

          g_assert_true (page_contains (g_ptr_array_index (texts, page), first));
        }
    }

  /* Each attachment comes after its section's form page, before the next section. */
  {
    GPtrArray *sections = cp_template_get_sections (kind);

    for (guint s = 0; s + 1 < sections->len; s++)
      {
        const CpSection *section = g_ptr_array_index (sections, s);
        const CpSection *next = g_ptr_array_index (sections, s + 1);
        int start, end;

        if (section->generated || next->generated || g_str_equal (section->id, "cover"))
          continue;
        start = toc_page_naming (toc, cp_text_get (section->title));
        end = toc_page_naming (toc, cp_text_get (next->title));
        g_assert_cmpint (start, <, end);
        for (guint f = 0; f < section->fields->len; f++)
          {
            const CpField *field = g_ptr_array_index (section->fields, f);
            const char *sha256 = cp_packet_get_string (packet, section->id, field->id);
            const Made *m;
            int page;

            if (field->type != CP_FIELD_ATTACHMENT || sha256 == NULL)
              continue;
            m = made_by_hash (made, sha256);
            page = toc_page_naming (toc, m->name);
            g_test_message ("%s: section pages %d–%d, %s on %d", section->id, start, end - 1,
                            m->name, page);
            /* A file that is only listed points at its section's list. */
            g_assert_cmpint (page, >=, m->what == CP_BINDER_FILE_OTHER ? start : start + 1);
            g_assert_cmpint (page, <, end);
          }
      }
  }

  /* The outline has every section and every attachment, at the table of contents' pages. */
  if (have_qpdf)
    {
      const char *argv[] = { "qpdf", "--json", "--json-key=outlines", pdf, NULL };
      g_autofree char *json = run (argv);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *root;

      g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
      root = json_node_get_object (json_parser_get_root (parser));
      collect_outline (json_object_get_array_member (root, "outlines"), outline, 0, depths);
      for (guint i = 0; i < titles->len; i++)
        {
          const char *title = g_ptr_array_index (titles, i);

          g_assert_true (g_hash_table_contains (outline, title));
          g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (depths, title)), <=, 1);
        }
      for (guint i = 0; i < cp_binder_get_n_entries (binder); i++)
        {
          const char *title;
          guint page, level;

          cp_binder_get_entry (binder, i, &title, &page, &level);
          g_assert_true (g_hash_table_contains (outline, title));
          g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (outline, title)), ==, page);
          g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (depths, title)), ==, level);
        }
      for (guint i = 0; i < made->len; i++)
        {
          const Made *m = g_ptr_array_index (made, i);
          gboolean seen = FALSE;
          GHashTableIter iter;
          gpointer key;

          g_hash_table_iter_init (&iter, outline);
          while (g_hash_table_iter_next (&iter, &key, NULL))
            if (strstr (key, m->name) != NULL)
              seen = TRUE;
          g_assert_true (seen);
          g_assert_cmpint (toc_page_naming (toc, m->name), >, 0);
        }
    }

  /* Each scanned PDF's pages show its own scans, byte for byte: two attachments whose images
   * have the same object numbers do not share the first one's images. */
  for (guint i = 0; i < made->len; i++)
    {
      const Made *m = g_ptr_array_index (made, i);
      g_autofree char *source = NULL;
      int first;

      if (!m->scanned)
        continue;
      source = g_build_filename (files, m->sha256, NULL);
      first = toc_page_naming (toc, m->name);
      for (guint k = 1; k <= m->n_pages; k++)
        {
          g_autofree char *in_binder = page_jpeg (pdf, first + k - 1, dir);
          g_autofree char *in_source = page_jpeg (source, k, dir);

          g_test_message ("%s page %u: %s / %s", m->name, k, in_binder, in_source);
          g_assert_cmpstr (in_binder, ==, in_source);
        }
    }

  /* The scan inside the contract and the JPEG scans go in as JPEG data, not re-encoded. */
  {
    const Made *contract = g_ptr_array_index (made, 0);
    const Made *scan = g_ptr_array_index (made, 1);
    int page = toc_page_naming (toc, contract->name);
    int scan_page = toc_page_naming (toc, scan->name);
    g_autofree char *first = g_strdup_printf ("%d", page);
    g_autofree char *second = g_strdup_printf ("%d", scan_page);
    const char *argv1[] = { "pdfimages", "-list", "-f", first, "-l", first, pdf, NULL };
    const char *argv2[] = { "pdfimages", "-list", "-f", second, "-l", second, pdf, NULL };
    g_autofree char *list1 = run (argv1);
    g_autofree char *list2 = run (argv2);

    g_assert_cmpint (scan->what, ==, CP_BINDER_FILE_IMAGE);
    g_test_message ("%s", list1);
    g_assert_nonnull (strstr (list1, " jpeg "));
    g_assert_nonnull (strstr (list2, " jpeg "));
  }

  /* No watermark on a ready packet: nothing red in the middle of any page, except the scans'
   * own red seals. */
  red = red_in_the_middle (pdf, dir);
  for (guint i = 0; i < red->len; i++)
    {
      const Made *m = g_array_index (owner, gconstpointer, i + 1);

      if (m == NULL || m->what != CP_BINDER_FILE_IMAGE)
        g_assert_cmpuint (g_array_index (red, guint, i), ==, 0);
    }

  remove_tree (dir);
}

/* A packet that is not ready to submit carries the watermark on every page, attachments too. */
static void
test_draft_watermark (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *files = g_build_filename (dir, "blobs", NULL);
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) made_free);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) red = NULL;
  g_autoptr(GPtrArray) findings = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  int n_pages;

  g_mkdir (files, 0700);
  packet = bound_packet (files, made);
  cp_packet_set_string (packet, "cover", "legal_representative", NULL);
  findings = cp_validator_validate (registry, packet, NULL, &error);
  g_assert_false (cp_validator_is_ready (findings));

  binder = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);
  g_assert_true (cp_export_binder (binder, pdf, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cp_binder_get_draft (binder));

  n_pages = pdf_page_count (pdf);
  red = red_in_the_middle (pdf, dir);
  texts = all_page_texts (pdf);
  g_assert_cmpuint (red->len, ==, n_pages);
  for (guint i = 0; i < red->len; i++)
    {
      g_test_message ("page %u: %u red pixels in the middle", i + 1, g_array_index (red, guint, i));
      g_assert_cmpuint (g_array_index (red, guint, i), >, 10);
      g_assert_true (page_contains (g_ptr_array_index (texts, i + 1),
                                    C_("watermark", "Draft")));
    }

  /* The same on the forms-only binder. */
  g_unlink (pdf);
  export_ok (packet, pdf);
  g_clear_pointer (&red, g_array_unref);
  red = red_in_the_middle (pdf, dir);
  for (guint i = 0; i < red->len; i++)
    g_assert_cmpuint (g_array_index (red, guint, i), >, 10);

  remove_tree (dir);
}

typedef struct
{
  guint  calls;
  guint  last_done;
  guint  total;
  guint  cancel_at;
  GCancellable *cancellable;
} Progress;

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpuint (done, ==, progress->last_done + 1);
  g_assert_cmpuint (done, <=, total);
  progress->calls++;
  progress->last_done = done;
  progress->total = total;
  if (progress->cancel_at > 0 && done == progress->cancel_at)
    g_cancellable_cancel (progress->cancellable);
}

/* Pages done of total, one call per page; cancelled halfway, nothing is left behind. */
static void
test_progress_and_cancel (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *files = g_build_filename (dir, "blobs", NULL);
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autofree char *pdf = g_build_filename (out, "binder.pdf", NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) made_free);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;
  g_autoptr(CpBinder) again = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;
  g_autofree char *contents = NULL;
  Progress progress = { 0, };

  g_mkdir (files, 0700);
  g_mkdir (out, 0700);
  packet = bound_packet (files, made);

  binder = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);
  g_assert_true (cp_export_binder (binder, pdf, progress_cb, &progress, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (progress.calls, ==, cp_binder_get_n_pages (binder));
  g_assert_cmpuint (progress.last_done, ==, progress.total);
  g_assert_cmpint (pdf_page_count (pdf), ==, (int) progress.total);

  /* Cancelled at the middle page: the earlier binder stays as it was. */
  g_assert_true (g_file_set_contents (pdf, "earlier", -1, NULL));
  again = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);
  progress = (Progress) { 0, };
  progress.cancellable = cancellable;
  progress.cancel_at = cp_binder_get_n_pages (binder) / 2;
  g_assert_false (cp_export_binder (again, pdf, progress_cb, &progress, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (progress.last_done, ==, progress.cancel_at);
  listing = list_dir (out);
  g_assert_cmpstr (listing, ==, "binder.pdf");
  g_assert_true (g_file_get_contents (pdf, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "earlier");

  remove_tree (dir);
}

typedef struct
{
  GMainLoop *loop;
  GThread   *main_thread;
  guint      reports;
  guint      last_done;
  gboolean   ok;
  gboolean   freed;
  GError    *error;
} AsyncState;

static void
async_progress_cb (guint    done,
                   guint    total,
                   gpointer user_data)
{
  AsyncState *state = user_data;

  /* In the caller's main context, in order. */
  g_assert_true (g_thread_self () == state->main_thread);
  g_assert_cmpuint (done, >, state->last_done);
  g_assert_cmpuint (done, <=, total);
  state->last_done = done;
  state->reports++;
}

static void
async_notify_cb (gpointer user_data)
{
  AsyncState *state = user_data;

  state->freed = TRUE;
}

static void
async_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *state = user_data;

  state->ok = cp_export_binder_finish (CP_BINDER (object), result, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *files = g_build_filename (dir, "blobs", NULL);
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) made_free);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncState state = { loop, g_thread_self (), 0, 0, FALSE, FALSE, NULL };

  g_mkdir (files, 0700);
  packet = bound_packet (files, made);
  binder = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);
  cp_export_binder_async (binder, pdf, async_progress_cb, &state, async_notify_cb, NULL,
                          async_done_cb, &state);
  g_main_loop_run (loop);

  g_assert_no_error (state.error);
  g_assert_true (state.ok);
  /* Let the last report, queued before the result, run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (state.reports, >, 0);
  g_assert_cmpuint (state.last_done, ==, cp_binder_get_n_pages (binder));
  g_assert_cmpint (pdf_page_count (pdf), ==, (int) cp_binder_get_n_pages (binder));
  g_clear_object (&binder);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_true (state.freed);

  remove_tree (dir);
}

/* The pages drawn onto a context the caller owns (as GtkPrintOperation's) are the same pages:
 * same count, the same text on each. */
static void
test_draw_on_caller_context (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *files = g_build_filename (dir, "blobs", NULL);
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autofree char *printed = g_build_filename (dir, "printed.pdf", NULL);
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func ((GDestroyNotify) made_free);
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;
  g_autoptr(GError) error = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  guint n;

  g_mkdir (files, 0700);
  packet = bound_packet (files, made);
  binder = cp_binder_new (registry, packet, files, CP_BINDER_FLAGS_NONE);
  g_assert_true (cp_binder_paginate (binder, NULL, &error));
  g_assert_no_error (error);
  n = cp_binder_get_n_pages (binder);
  g_assert_cmpuint (n, >, 20);

  /* A print context is in its own units: here half size. */
  surface = cairo_pdf_surface_create (printed, CP_BINDER_PAGE_WIDTH / 2,
                                      CP_BINDER_PAGE_HEIGHT / 2);
  cr = cairo_create (surface);
  for (guint i = 0; i < n; i++)
    {
      cairo_save (cr);
      cairo_scale (cr, 0.5, 0.5);
      g_assert_true (cp_binder_draw_page (binder, cr, i));
      cairo_restore (cr);
      cairo_show_page (cr);
    }
  g_assert_false (cp_binder_draw_page (binder, cr, n));
  cairo_destroy (cr);
  cairo_surface_destroy (surface);

  g_assert_true (cp_export_binder (binder, pdf, NULL, NULL, NULL, &error));
  g_assert_cmpint (pdf_page_count (printed), ==, (int) n);
  for (guint i = 1; i <= n; i += 3)
    {
      g_autofree char *a = pdf_page_text (pdf, i, FALSE);
      g_autofree char *b = pdf_page_text (printed, i, FALSE);
      g_autofree char *sa = squeeze (a);
      g_autofree char *sb = squeeze (b);

      g_assert_cmpstr (sa, ==, sb);
    }

  /* And onto an image surface: the contract's scanned first page is drawn, not blank. */
  {
    cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 298, 421);
    cairo_t *icr = cairo_create (image);
    const guchar *data;
    guint dark = 0;
    guint first = 0;

    cp_binder_get_file (binder, 0, NULL, NULL, &first, NULL);
    g_assert_cmpuint (first, >, 2);
    cairo_set_source_rgb (icr, 1, 1, 1);
    cairo_paint (icr);
    cairo_scale (icr, 0.5, 0.5);
    g_assert_true (cp_binder_draw_page (binder, icr, first - 1));
    cairo_destroy (icr);
    cairo_surface_flush (image);
    data = cairo_image_surface_get_data (image);
    for (int y = 0; y < 421; y++)
      for (int x = 0; x < 298; x++)
        {
          int stride = cairo_image_surface_get_stride (image);

          if ((((const guint32 *) (gconstpointer) (data + y * stride))[x] & 0xff) < 0xf0)
            dark++;
        }
    cairo_surface_destroy (image);
    g_assert_cmpuint (dark, >, 20000);
  }

  remove_tree (dir);
}

/* The cover names the packet's year in the campaign, whatever year the template was made for. */
static void
test_cover_year (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *pdf = g_build_filename (dir, "binder.pdf", NULL);
  g_autoptr(CpPacket) packet = cp_demo_packet_for_year (registry, "city-demonstration", 2026, 3);
  CpTemplate *kind = cp_template_registry_lookup_kind (registry, "city-demonstration");
  g_autofree char *cover = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (cp_template_get_year (kind), ==, 2020);
  g_assert_cmpint (cp_packet_get_year (packet), ==, 2026);
  export_ok (packet, pdf);
  cover = pdf_page_text (pdf, 1, FALSE);
  g_assert_true (page_contains (cover, "2026"));
  g_assert_false (page_contains (cover, "2020"));
  expected = g_strdup (cp_text_get_for (cp_template_get_campaign (kind), "en"));
  g_assert_nonnull (strstr (expected, "{year}"));
  g_assert_true (page_contains (cover, "Suzhou 2026 credit-management"));

  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  registry = cp_template_registry_new_default (&error);
  g_assert_no_error (error);
  {
    g_autofree char *qpdf = g_find_program_in_path ("qpdf");

    have_qpdf = qpdf != NULL;
  }

  g_test_add_func ("/export/city-demonstration", test_city_demonstration);
  g_test_add_func ("/export/every-kind", test_every_kind);
  g_test_add_func ("/export/chinese", test_chinese);
  g_test_add_func ("/export/long-text", test_long_text);
  g_test_add_func ("/export/unwritable", test_unwritable);
  g_test_add_func ("/export/cancelled", test_cancelled);
  g_test_add_func ("/export/cancelled-while-running", test_cancelled_while_running);
  g_test_add_func ("/export/cancelled-after-pagination", test_cancelled_after_pagination);
  g_test_add_func ("/export/replace", test_replace);
  g_test_add_func ("/export/graded-sheet", test_graded_sheet);
  g_test_add_func ("/export/unknown-kind", test_unknown_kind);
  g_test_add_func ("/export/cover-year", test_cover_year);
  g_test_add_func ("/export/whole-binder", test_whole_binder);
  g_test_add_func ("/export/draft-watermark", test_draft_watermark);
  g_test_add_func ("/export/progress-and-cancel", test_progress_and_cancel);
  g_test_add_func ("/export/async", test_async);
  g_test_add_func ("/export/draw-on-caller-context", test_draw_on_caller_context);

  ret = g_test_run ();
  g_clear_object (&registry);
  return ret;
}
