/* cp-server-reports.c — the tables offices send upward, from the server's database
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The report commands of credit-packet-server and GET /api/v1/reports[/NAME]. The packets come
 * from the changes feed of the storage (current revisions, with the reader's tenancy applied by
 * the storage itself); the definitions and the evaluation are the core's (cp-report-*.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cp-server-private.h"
#include "cp-server-reports.h"
#include "cp-report-registry.h"
#include "cp-report-table.h"
#include "cp-template-registry.h"

/* A page of the feed: enough packets to be quick, few enough bytes to stay small. */
#define PAGE_ROWS  500
#define PAGE_BYTES (16 * 1024 * 1024)

CpReportRegistry *
cp_server_load_reports (CpTemplateRegistry  *templates,
                        const char          *templates_dir,
                        GError             **error)
{
  g_autoptr(CpReportRegistry) reports = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (templates), NULL);

  reports = cp_report_registry_new_default (templates, error);
  if (reports == NULL)
    return NULL;

  /* The office's own definitions (a revision of a shipped report, or one of its own). */
  if (templates_dir != NULL)
    {
      g_autofree char *dir = g_build_filename (templates_dir, "reports", NULL);

      if (g_file_test (dir, G_FILE_TEST_IS_DIR) &&
          !cp_report_registry_load_directory (reports, dir, error))
        {
          g_prefix_error (error, "templates-dir %s: ", templates_dir);
          return NULL;
        }
    }
  return g_steal_pointer (&reports);
}

/* Does the district cover the enterprise (positions 3–8 of its credit code)? */
static gboolean
uscc_in_district (const char             *uscc,
                  const CpServerDistrict *district)
{
  if (uscc == NULL || strlen (uscc) < 8)
    return FALSE;
  for (guint i = 0; district->prefixes != NULL && district->prefixes[i] != NULL; i++)
    if (g_str_has_prefix (uscc + 2, district->prefixes[i]))
      return TRUE;
  return FALSE;
}

/* Is every division of @district inside @own (the city office's "3205" covers Kunshan's
 * "320583")? */
static gboolean
district_covers (const CpServerDistrict *own,
                 const CpServerDistrict *district)
{
  if (g_str_equal (own->code, district->code))
    return TRUE;
  for (guint i = 0; district->prefixes != NULL && district->prefixes[i] != NULL; i++)
    {
      gboolean covered = FALSE;

      for (guint j = 0; own->prefixes != NULL && own->prefixes[j] != NULL && !covered; j++)
        covered = g_str_has_prefix (district->prefixes[i], own->prefixes[j]);
      if (!covered)
        return FALSE;
    }
  return district->prefixes != NULL && district->prefixes[0] != NULL;
}

static const CpServerDistrict *
find_district (GPtrArray  *districts,
               const char *code)
{
  for (guint i = 0; code != NULL && i < districts->len; i++)
    {
      const CpServerDistrict *district = g_ptr_array_index (districts, i);

      if (g_str_equal (district->code, code))
        return district;
    }
  return NULL;
}

/* Every current packet @user may see of @kind and @year (in @district when given). */
static GPtrArray *
collect_packets (CpServerStorage         *storage,
                 const CpServerUser      *user,
                 const char              *kind,
                 int                      year,
                 const CpServerDistrict  *district,
                 GError                 **error)
{
  g_autoptr(GPtrArray) packets = g_ptr_array_new_with_free_func (g_object_unref);
  gint64 since = 0;

  for (;;)
    {
      g_autoptr(GPtrArray) page = NULL;
      gint64 last_seq = 0;
      gboolean truncated = FALSE;

      page = cp_server_storage_list_changes_with_bodies (storage, user, since, PAGE_ROWS,
                                                         PAGE_BYTES, &last_seq, &truncated, error);
      if (page == NULL)
        return NULL;
      if (page->len == 0)
        break;

      for (guint i = 0; i < page->len; i++)
        {
          CpServerRevision *revision = g_ptr_array_index (page, i);
          g_autoptr(GError) local_error = NULL;
          CpPacket *packet;
          gsize length = 0;
          const char *data;

          since = MAX (since, revision->seq);
          if (g_strcmp0 (revision->kind, kind) != 0 || revision->year != year ||
              (district != NULL && !uscc_in_district (revision->uscc, district)))
            continue;
          data = g_bytes_get_data (revision->body, &length);
          packet = cp_packet_new_from_data (data, (gssize) length, revision->uuid, &local_error);
          if (packet == NULL)
            {
              /* Stored packets were checked when they were written: this is damage. */
              g_warning ("The stored packet %s cannot be read: %s", revision->uuid,
                         local_error->message);
              continue;
            }
          g_ptr_array_add (packets, packet);
        }
    }

  return g_steal_pointer (&packets);
}

/* --- the command line -------------------------------------------------------------------- */

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
usage_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                                                format, args));
  va_end (args);
  return FALSE;
}

static gboolean
list_reports (CpReportRegistry *reports,
              int               year)
{
  g_autoptr(GPtrArray) list = cp_report_registry_list (reports);

  for (guint i = 0; i < list->len; i++)
    {
      CpReport *report = g_ptr_array_index (list, i);
      g_autofree char *title = cp_report_format_title (report, year, NULL, "zh_CN");
      int month = 0;
      int day = 0;

      cp_report_get_due (report, &month, &day);
      if (month > 0)
        g_print ("%-36s %-28s due %02d-%02d  %s\n", cp_report_get_id (report),
                 cp_report_get_kind (report), month, day, title);
      else
        g_print ("%-36s %-28s           %s\n", cp_report_get_id (report),
                 cp_report_get_kind (report), title);
    }
  return TRUE;
}

gboolean
cp_server_reports_run (CpServerStorage              *storage,
                       const char                   *templates_dir,
                       const CpServerReportOptions  *options,
                       char                        **args,
                       GError                      **error)
{
  g_autoptr(GPtrArray) districts = NULL;
  g_autoptr(GPtrArray) packets = NULL;
  g_autoptr(CpReportTable) table = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *lower = NULL;
  g_autoptr(CpTemplateRegistry) templates = NULL;
  g_autoptr(CpReportRegistry) reports = NULL;
  const CpServerDistrict *district = NULL;
  const char *lang = options->lang != NULL ? options->lang : "zh_CN";
  CpServerUser user = { 0, };
  CpReport *report;

  if (args[0] == NULL || !g_str_equal (args[0], "report") || args[1] == NULL || args[2] != NULL)
    return usage_error (error, "Say “report list” or “report NAME --year YEAR -o FILE.xlsx”.");
  if (!g_str_equal (lang, "zh_CN") && !g_str_equal (lang, "en"))
    return usage_error (error, "--lang is zh_CN or en.");

  templates = cp_server_load_registry (templates_dir, error);
  if (templates == NULL)
    return FALSE;
  reports = cp_server_load_reports (templates, templates_dir, error);
  if (reports == NULL)
    return FALSE;

  if (g_str_equal (args[1], "list"))
    return list_reports (reports, options->year > 0 ? options->year
                                                    : g_date_time_get_year (now));

  report = cp_report_registry_lookup (reports, args[1]);
  if (report == NULL)
    return usage_error (error, "There is no report “%s”: see “report list”.", args[1]);
  if (options->year <= 0)
    return usage_error (error, "Name the campaign year: --year 2020.");
  if (options->output == NULL)
    return usage_error (error, "Say where to write the report: -o FILE.xlsx or -o FILE.csv.");
  lower = g_ascii_strdown (options->output, -1);
  if (!g_str_has_suffix (lower, ".xlsx") && !g_str_has_suffix (lower, ".csv"))
    return usage_error (error, "%s: the report is written as FILE.xlsx (Excel) or FILE.csv.",
                        options->output);

  /* A district's report is the one its office sees; without one, the administrator's view. */
  user.name = (char *) "report";
  user.role = CP_SERVER_ROLE_ADMIN;
  if (options->district != NULL)
    {
      districts = cp_server_storage_list_districts (storage, error);
      if (districts == NULL)
        return FALSE;
      district = find_district (districts, options->district);
      if (district == NULL)
        return usage_error (error, "There is no district “%s”: see “district list”.",
                            options->district);
      user.role = CP_SERVER_ROLE_OFFICE;
      user.district = district->code;
    }

  packets = collect_packets (storage, &user, cp_report_get_kind (report), options->year, NULL,
                             error);
  if (packets == NULL)
    return FALSE;
  table = cp_report_evaluate (report, cp_report_registry_get_templates (reports), packets,
                              options->year, district != NULL ? district->name : NULL, lang,
                              error);
  if (table == NULL || !cp_report_table_write (table, options->output, error))
    return FALSE;

  g_print ("%s: %s, %u rows\n", options->output, cp_report_table_get_title (table),
           cp_report_table_get_n_rows (table));
  return TRUE;
}

/* --- HTTP -------------------------------------------------------------------------------- */

static void
reply_list (CpServer          *self,
            SoupServerMessage *msg)
{
  g_autoptr(GPtrArray) list = cp_report_registry_list (self->reports);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *array = json_array_new ();
  JsonObject *object = json_object_new ();

  for (guint i = 0; i < list->len; i++)
    {
      CpReport *report = g_ptr_array_index (list, i);
      JsonObject *entry = json_object_new ();
      int month = 0;
      int day = 0;

      json_object_set_string_member (entry, "id", cp_report_get_id (report));
      json_object_set_string_member (entry, "version", cp_report_get_version (report));
      json_object_set_string_member (entry, "kind", cp_report_get_kind (report));
      json_object_set_member (entry, "title", cp_text_to_json (cp_report_get_title (report)));
      if (cp_report_get_due (report, &month, &day))
        {
          g_autofree char *due = g_strdup_printf ("%02d-%02d", month, day);

          json_object_set_string_member (entry, "due", due);
        }
      json_array_add_object_element (array, entry);
    }
  json_object_set_array_member (object, "reports", array);
  node = json_node_init_object (json_node_alloc (), object);
  json_object_unref (object);
  cp_server_reply_json (msg, SOUP_STATUS_OK, node);
}

void
cp_server_handle_reports (CpServer          *self,
                          SoupServerMessage *msg,
                          CpRequest         *request,
                          GHashTable        *query)
{
  g_autoptr(GPtrArray) districts = NULL;
  g_autoptr(GPtrArray) packets = NULL;
  g_autoptr(CpReportTable) table = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_path = NULL;
  g_autofree char *disposition = NULL;
  g_autofree char *data = NULL;
  const CpServerDistrict *district = NULL;
  const CpServerDistrict *own = NULL;
  const char *scope = NULL;
  const char *format;
  const char *lang;
  const char *text;
  CpReport *report;
  SoupMessageHeaders *headers;
  guint64 year = 0;
  gsize length = 0;
  int fd;

  if (request->user->role != CP_SERVER_ROLE_OFFICE && request->user->role != CP_SERVER_ROLE_ADMIN)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                               "Reports are for credit offices.", NULL);
      return;
    }
  if (request->report == NULL)
    {
      reply_list (self, msg);
      return;
    }

  report = cp_report_registry_lookup (self->reports, request->report);
  if (report == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("There is no report “%s”; GET /api/v1/reports "
                                                 "lists them.", request->report);

      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "unknown-report", detail, NULL);
      return;
    }

  text = query != NULL ? g_hash_table_lookup (query, "year") : NULL;
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1990, 2999, &year, NULL))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                               "Name the campaign year, a whole number from 1990 to 2999: "
                               "?year=2020.", NULL);
      return;
    }
  format = query != NULL ? g_hash_table_lookup (query, "format") : NULL;
  if (format == NULL)
    format = "xlsx";
  if (!g_str_equal (format, "xlsx") && !g_str_equal (format, "csv"))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                               "The format is xlsx or csv.", NULL);
      return;
    }
  lang = query != NULL ? g_hash_table_lookup (query, "lang") : NULL;
  if (lang == NULL)
    lang = "zh_CN";
  if (!g_str_equal (lang, "zh_CN") && !g_str_equal (lang, "en"))
    {
      cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                               "The language is zh_CN or en.", NULL);
      return;
    }

  /* The reader's tenancy applies in the storage; a district narrows it further. */
  districts = cp_server_storage_list_districts (self->storage, &error);
  if (districts == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  if (request->user->role == CP_SERVER_ROLE_OFFICE)
    own = find_district (districts, request->user->district);
  text = query != NULL ? g_hash_table_lookup (query, "district") : NULL;
  if (text != NULL)
    {
      /* District codes are short words ("kunshan", "3205"); anything else is not looked up,
       * nor echoed. */
      gboolean valid = *text != '\0' && strlen (text) <= 64;

      for (const char *p = text; valid && *p != '\0'; p++)
        valid = g_ascii_islower (*p) || g_ascii_isdigit (*p) || *p == '-' || *p == '_';
      if (!valid)
        {
          cp_server_reply_problem (msg, SOUP_STATUS_BAD_REQUEST, "bad-request",
                                   "District codes are lower-case letters, digits, “-” and “_”.",
                                   NULL);
          return;
        }
      district = find_district (districts, text);
      if (district == NULL)
        {
          g_autofree char *detail = g_strdup_printf ("There is no district “%s”.", text);

          cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "unknown-district", detail,
                                   NULL);
          return;
        }
      if (request->user->role == CP_SERVER_ROLE_OFFICE &&
          (own == NULL || !district_covers (own, district)))
        {
          cp_server_reply_problem (msg, SOUP_STATUS_FORBIDDEN, "forbidden",
                                   "This office's reports cover its own district only.", NULL);
          return;
        }
      scope = district->name;
    }
  else if (own != NULL)
    scope = own->name;

  packets = collect_packets (self->storage, request->user, cp_report_get_kind (report),
                             (int) year, district, &error);
  if (packets == NULL)
    {
      cp_server_reply_storage_error (msg, error);
      return;
    }
  table = cp_report_evaluate (report, self->registry, packets, (int) year, scope, lang, &error);
  if (table == NULL)
    {
      cp_server_reply_problem (msg, SOUP_STATUS_NOT_FOUND, "no-data", error->message, NULL);
      return;
    }

  /* Written to a private temporary file, read back, removed. */
  fd = g_file_open_tmp (g_str_equal (format, "csv") ? "credit-packet-report-XXXXXX.csv"
                                                    : "credit-packet-report-XXXXXX.xlsx",
                        &tmp_path, &error);
  if (fd >= 0)
    close (fd);
  if (fd < 0 || !cp_report_table_write (table, tmp_path, &error) ||
      !g_file_get_contents (tmp_path, &data, &length, &error))
    {
      if (tmp_path != NULL)
        g_unlink (tmp_path);
      g_warning ("Could not write a report: %s", error->message);
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                               "The report could not be written. Try again later.", NULL);
      return;
    }
  g_unlink (tmp_path);
  if (length > CP_SERVER_MAX_REPORT)
    {
      g_free (g_steal_pointer (&data));
      g_warning ("A report of %" G_GSIZE_FORMAT " bytes is larger than clients read", length);
      cp_server_reply_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "report-too-large",
                               "The report is too large to send. Ask for one district at a "
                               "time.", NULL);
      return;
    }

  headers = soup_server_message_get_response_headers (msg);
  disposition = g_strdup_printf ("attachment; filename=\"%s-%u.%s\"", cp_report_get_id (report),
                                 (guint) year, format);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg,
                                    g_str_equal (format, "csv") ?
                                    "text/csv; charset=utf-8" :
                                    "application/vnd.openxmlformats-officedocument."
                                    "spreadsheetml.sheet",
                                    SOUP_MEMORY_TAKE, g_steal_pointer (&data), length);
}
