/* credit-packet-tool.c — the core on the command line
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "cp-binder.h"
#include "cp-date.h"
#include "cp-demo.h"
#include "cp-export.h"
#include "cp-finding.h"
#include "cp-packet.h"
#include "cp-scoring.h"
#include "cp-scoring-sheet.h"
#include "cp-template.h"
#include "cp-template-registry.h"
#include "cp-uscc.h"
#include "cp-validator.h"

/* Exit statuses: 0 all good, 1 the input has errors (invalid code, findings), 2 the command
 * could not do its work (bad usage, unreadable or malformed input). */
enum {
  EXIT_OK = 0,
  EXIT_FINDINGS = 1,
  EXIT_TROUBLE = 2,
};

static char **extra_templates;

static const GOptionEntry common_entries[] = {
  { "templates", 't', 0, G_OPTION_ARG_FILENAME_ARRAY, &extra_templates,
    N_("Also load the templates or scoring sheets in FILE or folder"), N_("FILE") },
  { NULL }
};

static void
print_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static void
print_error (const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("credit-packet-tool: %s\n", message);
}

static CpTemplateRegistry *
load_registry (void)
{
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;

  registry = cp_template_registry_new_default (&error);
  if (registry == NULL)
    {
      print_error (_("The built-in templates could not be loaded: %s"), error->message);
      return NULL;
    }

  for (guint i = 0; extra_templates != NULL && extra_templates[i] != NULL; i++)
    {
      const char *path = extra_templates[i];
      gboolean ok;

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        ok = cp_template_registry_load_directory (registry, path, &error);
      else
        ok = cp_template_registry_load_file (registry, path, &error);

      if (!ok)
        {
          print_error ("%s", error->message);
          return NULL;
        }
    }

  return g_steal_pointer (&registry);
}

static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv)
{
  g_autoptr(GError) error = NULL;

  g_option_context_add_main_entries (context, common_entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      print_error ("%s", error->message);
      return FALSE;
    }

  return TRUE;
}

static void
write_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

/* @text followed by spaces up to @width columns of a terminal, counting wide (CJK) characters
 * as two columns, so that Chinese titles line up like English ones. */
static char *
pad (const char *text,
     int         width)
{
  GString *out = g_string_new (text);
  int columns = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      columns += g_unichar_iswide (c) ? 2 : g_unichar_iszerowidth (c) ? 0 : 1;
    }

  for (; columns < width; columns++)
    g_string_append_c (out, ' ');

  return g_string_free (out, FALSE);
}

static void
print_pair (const char *label,
            const char *value)
{
  /* Translators: a label and its value on one line; use a full-width colon where fitting */
  g_print (_("  %s: %s\n"), label, value);
}

/* ---- validate --------------------------------------------------------------------------- */

static const char *
section_title (CpTemplate *tpl,
               const char *section_id)
{
  const CpSection *section;

  if (tpl == NULL || section_id == NULL)
    return NULL;
  section = cp_template_lookup_section (tpl, section_id);
  return section != NULL ? cp_text_get (section->title) : NULL;
}

static int
cmd_validate (int    argc,
              char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE… — check packets"));
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  gboolean as_json = FALSE;
  g_autofree char *today_text = NULL;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Write the findings as JSON"), NULL },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today_text,
      N_("Check dates as if today were DATE (YYYY-MM-DD)"), N_("DATE") },
    { NULL }
  };
  int status = EXIT_OK;
  GDate today;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (argc < 2)
    {
      print_error (_("Name at least one packet file to check."));
      return EXIT_TROUBLE;
    }

  if (today_text != NULL)
    {
      if (!cp_date_parse (today_text, &today))
        {
          print_error (_("“%s” is not a date such as 2020-08-31."), today_text);
          return EXIT_TROUBLE;
        }
    }
  else
    cp_date_today (&today);

  if (!(registry = load_registry ()))
    return EXIT_TROUBLE;

  json_builder_begin_array (builder);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CpPacket) packet = NULL;
      g_autoptr(GPtrArray) findings = NULL;
      CpTemplate *tpl;
      guint n_errors, n_warnings;

      packet = cp_packet_new_from_file (argv[i], &error);
      if (packet != NULL)
        findings = cp_validator_validate (registry, packet, &today, &error);

      if (findings == NULL)
        {
          if (as_json)
            {
              json_builder_begin_object (builder);
              json_builder_set_member_name (builder, "file");
              json_builder_add_string_value (builder, argv[i]);
              json_builder_set_member_name (builder, "error");
              json_builder_add_string_value (builder, error->message);
              json_builder_end_object (builder);
            }
          else
            print_error ("%s", error->message);
          status = EXIT_TROUBLE;
          continue;
        }

      tpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
      n_errors = cp_findings_count (findings, CP_SEVERITY_ERROR);
      n_warnings = cp_findings_count (findings, CP_SEVERITY_WARNING);
      if (n_errors > 0 && status == EXIT_OK)
        status = EXIT_FINDINGS;

      if (as_json)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "file");
          json_builder_add_string_value (builder, argv[i]);
          json_builder_set_member_name (builder, "uuid");
          json_builder_add_string_value (builder, cp_packet_get_uuid (packet));
          json_builder_set_member_name (builder, "kind");
          json_builder_add_string_value (builder, cp_packet_get_kind (packet));
          json_builder_set_member_name (builder, "ready");
          json_builder_add_boolean_value (builder, n_errors == 0);
          json_builder_set_member_name (builder, "errors");
          json_builder_add_int_value (builder, n_errors);
          json_builder_set_member_name (builder, "warnings");
          json_builder_add_int_value (builder, n_warnings);
          json_builder_set_member_name (builder, "findings");
          json_builder_add_value (builder, cp_findings_to_json (findings));
          json_builder_end_object (builder);
          continue;
        }

      if (n_errors == 0 && n_warnings == 0)
        g_print (_("%s: complete, ready to submit\n"), argv[i]);
      else if (n_errors == 0)
        g_print (g_dngettext (GETTEXT_PACKAGE, "%s: ready to submit, %u warning\n",
                              "%s: ready to submit, %u warnings\n", n_warnings),
                 argv[i], n_warnings);
      else
        {
          g_autofree char *errors = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u error",
                                                                  "%u errors", n_errors),
                                                     n_errors);
          g_autofree char *warnings = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                    "%u warning",
                                                                    "%u warnings", n_warnings),
                                                       n_warnings);

          /* Translators: FILE: not ready to submit, N errors, N warnings */
          g_print (_("%s: not ready to submit, %s, %s\n"), argv[i], errors, warnings);
        }

      for (guint j = 0; j < findings->len; j++)
        {
          const CpFinding *finding = g_ptr_array_index (findings, j);
          const char *title = section_title (tpl, finding->section);
          g_autofree char *where = NULL;

          if (finding->section != NULL && finding->field != NULL)
            where = g_strdup_printf ("%s.%s", finding->section, finding->field);
          else
            where = g_strdup (finding->section != NULL ? finding->section : "-");

          g_print ("  %-7s %s%s%s%s [%s]\n    %s\n",
                   finding->severity == CP_SEVERITY_ERROR ? _("error") : _("warning"),
                   where,
                   title != NULL ? " (" : "", title != NULL ? title : "",
                   title != NULL ? ")" : "",
                   finding->code, finding->message);
        }
    }

  json_builder_end_array (builder);

  if (as_json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      write_json (root);
    }

  return status;
}

/* ---- uscc ------------------------------------------------------------------------------- */

static int
cmd_uscc (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("CODE… — check unified social credit codes"));
  gboolean normalize = FALSE;
  GOptionEntry entries[] = {
    { "normalize", 'n', 0, G_OPTION_ARG_NONE, &normalize,
      N_("Accept small letters, full-width characters, spaces and dashes"), NULL },
    { NULL }
  };
  int status = EXIT_OK;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (argc < 2)
    {
      print_error (_("Name at least one code to check."));
      return EXIT_TROUBLE;
    }

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *code = normalize ? cp_uscc_normalize (argv[i]) : g_strdup (argv[i]);
      CpUsccInfo info;

      if (!cp_uscc_validate (code, &info, &error))
        {
          g_print (_("%s: not valid: %s\n"), argv[i], error->message);
          status = EXIT_FINDINGS;
          continue;
        }

      g_print (_("%s: valid\n"), code);
      if (info.authority_name != NULL)
        print_pair (_("Registration authority"), _(info.authority_name));
      if (info.category_name != NULL)
        print_pair (_("Organisation category"), _(info.category_name));
      if (info.division_known)
        {
          g_autofree char *division = g_strdup_printf (_("%s (%s)"), info.division_name,
                                                       info.division);
          print_pair (_("Division"), division);
        }
      else
        print_pair (_("Division"),
                 /* Translators: a warning, not an error */
                 _("code not in any GB/T 2260 revision we know (development zones register "
                   "under such codes): check it"));
      print_pair (_("Organisation code"), info.org_code);
    }

  return status;
}

/* ---- score ------------------------------------------------------------------------------ */

static void
print_column (CpScoringSheet *sheet,
              CpScoreSummary *summary,
              CpScoreColumn   column,
              const char     *title)
{
  const char *grade;
  g_auto(GStrv) met = NULL;

  /* Translators: COLUMN: SCORE / MAXIMUM (N of M items scored) */
  g_print (_("%s: %g / %g (%u of %u items scored)\n"), title,
           cp_score_summary_get_total (summary, column), cp_scoring_sheet_get_total (sheet),
           cp_score_summary_get_n_scored (summary, column),
           cp_score_summary_get_n_items (summary));

  for (guint i = 0; i < cp_scoring_sheet_get_n_categories (sheet); i++)
    {
      const CpScoringCategory *category = cp_scoring_sheet_get_category (sheet, i);

      g_autofree char *padded = pad (cp_text_get (category->title), 36);

      g_print ("  %-4s %s %7g / %g\n", category->id, padded,
               cp_score_summary_get_subtotal (summary, column, category->id), category->points);
    }

  grade = cp_score_summary_get_grade (summary, column);
  if (grade != NULL)
    print_pair (_("Grade"), grade);

  for (guint i = 0; i < cp_scoring_sheet_get_n_pass_marks (sheet); i++)
    {
      const CpScoringMark *mark = cp_scoring_sheet_get_pass_mark (sheet, i);
      gboolean ok = cp_score_summary_meets_pass_mark (summary, column, mark->id);

      g_print ("  %s (%g): %s\n", cp_text_get (mark->label), mark->min,
               ok ? _("passed") : _("not reached"));
    }
}

static int
cmd_score (int    argc,
           char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE — total a scoring sheet"));
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpScoreSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Write the totals as JSON"), NULL },
    { NULL }
  };
  CpScoringSheet *sheet;
  const char *sheet_id;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (argc != 2)
    {
      print_error (_("Name exactly one packet file."));
      return EXIT_TROUBLE;
    }

  if (!(registry = load_registry ()))
    return EXIT_TROUBLE;

  packet = cp_packet_new_from_file (argv[1], &error);
  if (packet == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_TROUBLE;
    }

  sheet_id = cp_packet_get_sheet_id (packet);
  if (sheet_id == NULL)
    {
      print_error (_("%s has no scoring sheet."), argv[1]);
      return EXIT_TROUBLE;
    }

  sheet = cp_template_registry_lookup_sheet (registry, sheet_id);
  if (sheet == NULL)
    {
      print_error (_("%s uses the scoring sheet “%s”, which is not known; load it with "
                     "--templates."), argv[1], sheet_id);
      return EXIT_TROUBLE;
    }

  summary = cp_scoring_compute (sheet, packet);

  if (as_json)
    {
      g_autoptr(JsonNode) root = cp_score_summary_to_json (summary);
      write_json (root);
      return EXIT_OK;
    }

  g_print ("%s (%s)\n", cp_text_get (cp_scoring_sheet_get_title (sheet)),
           cp_scoring_sheet_get_version (sheet));
  if (cp_scoring_sheet_has_column (sheet, CP_SCORE_SELF))
    print_column (sheet, summary, CP_SCORE_SELF, _("Self-assessment"));
  if (cp_scoring_sheet_has_column (sheet, CP_SCORE_ACCEPTANCE))
    print_column (sheet, summary, CP_SCORE_ACCEPTANCE, _("Acceptance"));

  return EXIT_OK;
}

/* ---- templates -------------------------------------------------------------------------- */

static int
cmd_templates (int    argc,
               char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("list | check FILE… — list or check templates"));

  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (argc >= 2 && g_str_equal (argv[1], "list"))
    {
      g_autoptr(CpTemplateRegistry) registry = load_registry ();
      g_autoptr(GPtrArray) kinds = NULL;
      g_autoptr(GPtrArray) sheets = NULL;

      if (registry == NULL)
        return EXIT_TROUBLE;

      kinds = cp_template_registry_list_kinds (registry);
      sheets = cp_template_registry_list_sheets (registry);

      g_print ("%s\n", _("Packet kinds:"));
      for (guint i = 0; i < kinds->len; i++)
        {
          CpTemplate *tpl = g_ptr_array_index (kinds, i);

          guint n = cp_template_get_n_sections (tpl);
          g_autofree char *sections = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                                    "%u section",
                                                                    "%u sections", n), n);

          g_print ("  %-28s %-10s %s (%s)\n", cp_template_get_id (tpl),
                   cp_template_get_version (tpl), cp_text_get (cp_template_get_title (tpl)),
                   sections);
        }

      g_print ("%s\n", _("Scoring sheets:"));
      for (guint i = 0; i < sheets->len; i++)
        {
          CpScoringSheet *sheet = g_ptr_array_index (sheets, i);

          /* Translators: (1000 points, 69 items) after a scoring sheet's title */
          g_print (_("  %-28s %-10s %s (%g points, %u items)\n"), cp_scoring_sheet_get_id (sheet),
                   cp_scoring_sheet_get_version (sheet),
                   cp_text_get (cp_scoring_sheet_get_title (sheet)),
                   cp_scoring_sheet_get_total (sheet), cp_scoring_sheet_get_n_items (sheet));
        }

      return EXIT_OK;
    }

  if (argc >= 3 && g_str_equal (argv[1], "check"))
    {
      g_autoptr(CpTemplateRegistry) registry = load_registry ();
      int status = EXIT_OK;

      if (registry == NULL)
        return EXIT_TROUBLE;

      for (int i = 2; i < argc; i++)
        {
          g_autoptr(GError) error = NULL;

          if (cp_template_registry_load_file (registry, argv[i], &error))
            g_print (_("%s: valid\n"), argv[i]);
          else
            {
              g_print ("%s\n", error->message);
              status = EXIT_FINDINGS;
            }
        }

      return status;
    }

  print_error (_("Say “templates list” or “templates check FILE…”."));
  return EXIT_TROUBLE;
}

/* ---- new and demo ----------------------------------------------------------------------- */

static CpPacket *
new_packet (CpTemplateRegistry *registry,
            const char         *kind,
            int                 year)
{
  CpTemplate *tpl = cp_template_registry_lookup_kind (registry, kind);
  const CpScoringRef *scoring;
  CpPacket *packet;

  if (tpl == NULL)
    return NULL;

  packet = cp_packet_new (kind, cp_template_get_version (tpl));
  if (year > 0)
    cp_packet_set_year (packet, year);

  scoring = cp_template_get_scoring (tpl);
  if (scoring != NULL)
    {
      CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, scoring->sheet_id);

      if (sheet != NULL)
        cp_packet_set_sheet (packet, cp_scoring_sheet_get_id (sheet),
                             cp_scoring_sheet_get_version (sheet));
    }

  return packet;
}

static void
print_kinds (CpTemplateRegistry *registry)
{
  g_autoptr(GPtrArray) kinds = cp_template_registry_list_kinds (registry);

  g_printerr ("%s\n", _("Known kinds:"));
  for (guint i = 0; i < kinds->len; i++)
    {
      CpTemplate *tpl = g_ptr_array_index (kinds, i);

      g_printerr ("  %-28s %s\n", cp_template_get_id (tpl),
                  cp_text_get (cp_template_get_title (tpl)));
    }
}

static int
cmd_new (int    argc,
         char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("KIND — write an empty packet"));
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *data = NULL;
  int year = 0;
  GOptionEntry entries[] = {
    { "year", 0, 0, G_OPTION_ARG_INT, &year, N_("Campaign year"), N_("YEAR") },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (!(registry = load_registry ()))
    return EXIT_TROUBLE;

  if (argc != 2)
    {
      print_error (_("Name exactly one packet kind."));
      print_kinds (registry);
      return EXIT_TROUBLE;
    }

  if (year != 0 && (year < 1990 || year > 9999))
    {
      print_error (_("%d is not a campaign year."), year);
      return EXIT_TROUBLE;
    }

  packet = new_packet (registry, argv[1], year);
  if (packet == NULL)
    {
      print_error (_("“%s” is not a packet kind."), argv[1]);
      print_kinds (registry);
      return EXIT_TROUBLE;
    }

  data = cp_packet_to_data (packet, TRUE, NULL);
  g_print ("%s\n", data);
  return EXIT_OK;
}

static int
cmd_demo (int    argc,
          char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("— write complete sample packets of every kind"));
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(GPtrArray) kinds = NULL;
  g_autofree char *output = NULL;
  g_autofree char *only_kind = NULL;
  int count = 1;
  int seed = 1;
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write the packets into FOLDER instead of printing them"), N_("FOLDER") },
    { "kind", 'k', 0, G_OPTION_ARG_STRING, &only_kind, N_("Only this kind"), N_("KIND") },
    { "count", 'n', 0, G_OPTION_ARG_INT, &count, N_("Packets of each kind (default 1)"),
      N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_INT, &seed, N_("Seed for the sample data"), N_("N") },
    { NULL }
  };
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (count < 1 || count > 100000)
    {
      print_error (_("--count takes a number from 1 to 100000."));
      return EXIT_TROUBLE;
    }

  if (!(registry = load_registry ()))
    return EXIT_TROUBLE;

  if (output != NULL && g_mkdir_with_parents (output, 0755) != 0)
    {
      print_error (_("Could not create the folder %s: %s"), output, g_strerror (errno));
      return EXIT_TROUBLE;
    }

  kinds = cp_template_registry_list_kinds (registry);
  if (only_kind != NULL && cp_template_registry_lookup_kind (registry, only_kind) == NULL)
    {
      print_error (_("“%s” is not a packet kind."), only_kind);
      print_kinds (registry);
      return EXIT_TROUBLE;
    }

  json_builder_begin_array (builder);

  for (guint i = 0; i < kinds->len; i++)
    {
      CpTemplate *tpl = g_ptr_array_index (kinds, i);
      const char *kind = cp_template_get_id (tpl);

      if (only_kind != NULL && !g_str_equal (only_kind, kind))
        continue;

      for (int n = 0; n < count; n++)
        {
          g_autoptr(CpPacket) packet = cp_demo_packet (registry, kind, (guint) (seed + n));
          g_autoptr(GError) error = NULL;

          if (packet == NULL)
            {
              print_error (_("No sample data for the kind “%s”."), kind);
              return EXIT_TROUBLE;
            }

          if (output != NULL)
            {
              g_autofree char *name = g_strdup_printf ("%s-%03d.json", kind, n + 1);
              g_autofree char *path = g_build_filename (output, name, NULL);
              g_autofree char *data = cp_packet_to_data (packet, TRUE, NULL);

              if (!g_file_set_contents (path, data, -1, &error))
                {
                  print_error ("%s", error->message);
                  return EXIT_TROUBLE;
                }
              g_print ("%s\n", path);
            }
          else
            json_builder_add_value (builder, cp_packet_to_json (packet));
        }
    }

  json_builder_end_array (builder);

  if (output == NULL)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (builder);
      write_json (root);
    }

  return EXIT_OK;
}

/* ---- binder ----------------------------------------------------------------------------- */

static void
binder_progress_cb (guint    done,
                    guint    total,
                    gpointer user_data)
{
  gboolean *verbose = user_data;

  if (*verbose)
    g_printerr (_("Page %u of %u written\n"), done, total);
}

static int
cmd_binder (int    argc,
            char **argv)
{
  g_autoptr(GOptionContext) context =
    g_option_context_new (_("PACKET.json --files DIR -o OUT.pdf — make the binder of a packet"));
  g_autoptr(CpTemplateRegistry) registry = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpBinder) binder = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *files = NULL;
  g_autofree char *output = NULL;
  gboolean forms_only = FALSE;
  gboolean verbose = FALSE;
  guint n_missing = 0;
  guint n_unreadable = 0;
  GOptionEntry entries[] = {
    { "files", 'f', 0, G_OPTION_ARG_FILENAME, &files,
      N_("The folder of attachments, each named by its SHA-256"), N_("DIR") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("Write the binder to FILE"),
      N_("FILE") },
    { "forms-only", 0, 0, G_OPTION_ARG_NONE, &forms_only,
      N_("Only the form pages, without the attachments' pages"), NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Report each page written"), NULL },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv))
    return EXIT_TROUBLE;

  if (argc != 2)
    {
      print_error (_("Name exactly one packet file."));
      return EXIT_TROUBLE;
    }
  if (output == NULL)
    {
      print_error (_("Say where to write the binder: -o OUT.pdf."));
      return EXIT_TROUBLE;
    }
  if (files == NULL && !forms_only)
    {
      print_error (_("Name the folder of attachments with --files DIR, or ask for --forms-only."));
      return EXIT_TROUBLE;
    }
  if (files != NULL && !g_file_test (files, G_FILE_TEST_IS_DIR))
    {
      print_error (_("%s is not a folder of attachments."), files);
      return EXIT_TROUBLE;
    }

  if (!(registry = load_registry ()))
    return EXIT_TROUBLE;

  packet = cp_packet_new_from_file (argv[1], &error);
  if (packet == NULL)
    {
      print_error ("%s", error->message);
      return EXIT_TROUBLE;
    }

  binder = cp_binder_new (registry, packet, files,
                          forms_only ? CP_BINDER_FLAGS_FORMS_ONLY : CP_BINDER_FLAGS_NONE);
  if (!cp_export_binder (binder, output, binder_progress_cb, &verbose, NULL, &error))
    {
      print_error ("%s", error->message);
      return EXIT_TROUBLE;
    }

  for (guint i = 0; i < cp_binder_get_n_files (binder); i++)
    {
      const char *sha256;
      CpBinderFile what;
      const CpAttachment *attachment;
      const char *name;

      cp_binder_get_file (binder, i, &sha256, &what, NULL, NULL);
      attachment = cp_packet_find_attachment (packet, sha256);
      name = attachment != NULL ? attachment->name : sha256;
      switch (what)
        {
        case CP_BINDER_FILE_MISSING:
          g_print (_("%s: missing from %s (a notice page stands in for it)\n"), name, files);
          n_missing++;
          break;
        case CP_BINDER_FILE_DAMAGED:
          g_print (_("%s: damaged (a notice page stands in for it)\n"), name);
          n_unreadable++;
          break;
        case CP_BINDER_FILE_ENCRYPTED:
          g_print (_("%s: protected by a password (a notice page stands in for it)\n"), name);
          n_unreadable++;
          break;
        case CP_BINDER_FILE_OTHER:
          g_print (_("%s: not bound in, its type cannot be shown (listed with a note)\n"), name);
          break;
        case CP_BINDER_FILE_PDF:
        case CP_BINDER_FILE_IMAGE:
        case CP_BINDER_FILE_NOT_BOUND:
        default:
          break;
        }
    }

  g_print (g_dngettext (GETTEXT_PACKAGE, "%s: %u page\n", "%s: %u pages\n",
                        cp_binder_get_n_pages (binder)),
           output, cp_binder_get_n_pages (binder));
  if (cp_binder_get_draft (binder))
    g_print ("%s\n", _("The packet is not ready to submit: every page is marked as a draft."));

  /* Missing or unreadable attachments leave a binder the office cannot accept as it is. */
  return n_missing + n_unreadable > 0 ? EXIT_FINDINGS : EXIT_OK;
}

/* ---- main ------------------------------------------------------------------------------- */

static void
usage (void)
{
  g_printerr ("%s\n\n%s\n", _("Usage: credit-packet-tool COMMAND [OPTION…]"),
              _("Commands:\n"
                "  validate FILE…          check packets: every finding; --json for machines\n"
                "  uscc CODE…              check unified social credit codes\n"
                "  score FILE              total a packet's scoring sheet\n"
                "  templates list          list packet kinds and scoring sheets\n"
                "  templates check FILE…   check template or scoring-sheet files\n"
                "  new KIND                write an empty packet of a kind\n"
                "  demo                    write complete sample packets of every kind\n"
                "  binder FILE --files DIR -o OUT.pdf [--forms-only]\n"
                "                          the binder of a packet with its attachments, as a PDF\n"
                "\n"
                "Run “credit-packet-tool COMMAND --help” for a command's options.\n"
                "Exit status: 0 fine, 1 the input has errors, 2 the command failed."));
}

int
main (int    argc,
      char **argv)
{
  static const struct {
    const char *name;
    int (*run) (int argc, char **argv);
  } commands[] = {
    { "validate", cmd_validate },
    { "uscc", cmd_uscc },
    { "score", cmd_score },
    { "templates", cmd_templates },
    { "new", cmd_new },
    { "demo", cmd_demo },
    { "binder", cmd_binder },
  };
  const char *localedir;

  setlocale (LC_ALL, "");
  localedir = g_getenv ("CP_LOCALEDIR");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      usage ();
      return argc < 2 ? EXIT_TROUBLE : EXIT_OK;
    }

  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("credit-packet-tool %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (argv[1], commands[i].name))
        {
          g_autofree char *prgname = g_strdup_printf ("credit-packet-tool %s", argv[1]);

          g_set_prgname (prgname);
          /* The command sees itself as argv[0]. */
          return commands[i].run (argc - 1, argv + 1);
        }
    }

  print_error (_("“%s” is not a command."), argv[1]);
  usage ();
  return EXIT_TROUBLE;
}
