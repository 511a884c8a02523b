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

#include "cp-demo.h"
#include "cp-export.h"
#include "cp-scoring.h"
#include "cp-template-registry.h"

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

  g_test_add_func ("/export/city-demonstration", test_city_demonstration);
  g_test_add_func ("/export/every-kind", test_every_kind);
  g_test_add_func ("/export/chinese", test_chinese);
  g_test_add_func ("/export/long-text", test_long_text);
  g_test_add_func ("/export/unwritable", test_unwritable);
  g_test_add_func ("/export/cancelled", test_cancelled);
  g_test_add_func ("/export/cancelled-while-running", test_cancelled_while_running);
  g_test_add_func ("/export/replace", test_replace);
  g_test_add_func ("/export/graded-sheet", test_graded_sheet);
  g_test_add_func ("/export/unknown-kind", test_unknown_kind);

  ret = g_test_run ();
  g_clear_object (&registry);
  return ret;
}
