/* main.c — credit-packet-server: run the server, or administer its data
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <stdio.h>
#include <sys/resource.h>

#include "cp-server.h"
#include "cp-server-admin.h"
#include "cp-server-reports.h"

typedef struct
{
  GMainLoop *loop;
  CpServer  *server;
  gboolean   stopping;
  int        status;
} RunState;

static void
shutdown_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RunState *state = user_data;
  g_autoptr(GError) error = NULL;

  if (!cp_server_shutdown_finish (CP_SERVER (object), result, &error))
    {
      g_printerr ("credit-packet-server: %s\n", error->message);
      state->status = 1;
    }
  g_printerr ("credit-packet-server: stopped\n");
  g_main_loop_quit (state->loop);
}

static gboolean
signal_cb (gpointer user_data)
{
  RunState *state = user_data;

  if (state->stopping)
    return G_SOURCE_CONTINUE;
  state->stopping = TRUE;
  g_printerr ("credit-packet-server: shutting down (%u requests in flight)\n",
              cp_server_get_in_flight (state->server));
  cp_server_shutdown_async (state->server, 10000, NULL, shutdown_done_cb, state);
  return G_SOURCE_CONTINUE;
}

static int
run_server (CpServerConfig *config)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  RunState state = { 0 };
  guint term_id;
  guint int_id;

  server = cp_server_new (config, &error);
  if (server == NULL || !cp_server_listen (server, &error))
    {
      g_printerr ("credit-packet-server: %s\n", error->message);
      return 1;
    }
  url = cp_server_get_url (server);
  g_print ("listening on %s\n", url);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  state.loop = loop;
  state.server = server;
  term_id = g_unix_signal_add (SIGTERM, signal_cb, &state);
  int_id = g_unix_signal_add (SIGINT, signal_cb, &state);
  g_main_loop_run (loop);
  g_source_remove (term_id);
  g_source_remove (int_id);
  return state.status;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *database = NULL;
  g_autofree char *listen = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *templates_dir = NULL;
  g_autofree char *config_file = NULL;
  g_autofree char *role = NULL;
  g_autofree char *district = NULL;
  g_autofree char *enterprise = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *uscc = NULL;
  g_autofree char *output = NULL;
  g_autofree char *lang = NULL;
  int year = 0;
  gint64 max_body = 0;
  gint64 max_blob = 0;
  gboolean version = FALSE;
  CpServerConfig config;
  int status;
  const GOptionEntry entries[] = {
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Directory for the database and the attachments", "DIR" },
    { "database", 0, 0, G_OPTION_ARG_STRING, &database,
      "PostgreSQL database instead of SQLite in DIR (postgresql://…)", "URL" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address and port to listen on (port 0 picks a free one)", "ADDR:PORT" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "TLS certificate (PEM)", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "TLS private key (PEM)", "FILE" },
    { "templates-dir", 0, 0, G_OPTION_ARG_FILENAME, &templates_dir,
      "Packet kinds and scoring sheets to serve over the shipped ones", "DIR" },
    { "max-body", 0, 0, G_OPTION_ARG_INT64, &max_body, "Largest request body in bytes", "N" },
    { "max-blob", 0, 0, G_OPTION_ARG_INT64, &max_blob, "Largest attachment in bytes", "N" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file, "Configuration file", "FILE" },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role,
      "user add: admin, office, agency or enterprise", "ROLE" },
    { "district", 0, 0, G_OPTION_ARG_STRING, &district, "user add: the office's district",
      "CODE" },
    { "enterprise", 0, 0, G_OPTION_ARG_STRING, &enterprise,
      "user add: the enterprise's credit code", "USCC" },
    { "agency", 0, 0, G_OPTION_ARG_STRING, &agency, "user add: the agency's id", "ID" },
    { "uscc", 0, 0, G_OPTION_ARG_STRING, &uscc, "agency add: the agency's credit code", "CODE" },
    { "year", 0, 0, G_OPTION_ARG_INT, &year, "report: the campaign year", "YEAR" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      "report: write FILE.xlsx (Excel) or FILE.csv", "FILE" },
    { "lang", 0, 0, G_OPTION_ARG_STRING, &lang, "report: zh_CN (the default) or en", "LANG" },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("[COMMAND …] — the Credit Packet server");
  g_option_context_set_summary (context,
    "Without a command, runs the server in the foreground.\n\n"
    "Commands:\n"
    "  user add NAME --role ROLE [--district CODE] [--enterprise USCC] [--agency ID]\n"
    "                       (reads the password from standard input)\n"
    "  agency add ID NAME [--uscc CODE]\n"
    "  agency set-uscc ID CODE\n"
    "  assign ENTERPRISE_USCC AGENCY_ID\n"
    "  district list\n"
    "  district add CODE NAME DIVISION_PREFIX…\n"
    "  quota set DISTRICT YEAR KIND N\n"
    "  quota list YEAR\n"
    "  quota import FILE.json\n"
    "  report list\n"
    "  report NAME --year YEAR [--district CODE] -o FILE.xlsx|FILE.csv [--lang en]");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("credit-packet-server: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("credit-packet-server %s\n", PACKAGE_VERSION);
      return 0;
    }

  cp_server_config_init (&config);
  if (config_file != NULL && !cp_server_config_load (&config, config_file, &error))
    {
      g_printerr ("credit-packet-server: %s\n", error->message);
      cp_server_config_clear (&config);
      return 2;
    }
  if (data_dir != NULL)
    g_free (config.data_dir), config.data_dir = g_strdup (data_dir);
  if (database != NULL)
    g_free (config.database), config.database = g_strdup (database);
  if (listen != NULL)
    g_free (config.listen), config.listen = g_strdup (listen);
  if (tls_cert != NULL)
    g_free (config.tls_cert), config.tls_cert = g_strdup (tls_cert);
  if (tls_key != NULL)
    g_free (config.tls_key), config.tls_key = g_strdup (tls_key);
  if (templates_dir != NULL)
    g_free (config.templates_dir), config.templates_dir = g_strdup (templates_dir);
  if (max_body > 0)
    config.max_body = (guint64) max_body;
  if (max_blob > 0)
    config.max_blob = (guint64) max_blob;
  if (config.data_dir == NULL)
    {
      g_printerr ("credit-packet-server: give --data-dir DIR (or data-dir in the config "
                  "file).\n");
      cp_server_config_clear (&config);
      return 2;
    }
  if (g_mkdir_with_parents (config.data_dir, 0700) != 0)
    {
      g_printerr ("credit-packet-server: cannot create %s: %s\n", config.data_dir,
                  g_strerror (errno));
      cp_server_config_clear (&config);
      return 1;
    }

  if (argc > 1)
    {
      g_autoptr(CpServerStorage) storage = NULL;
      CpServerAdminOptions options = { role, district, enterprise, agency, uscc };
      CpServerReportOptions report_options = { year, district, output, lang };
      gboolean is_report = g_str_equal (argv[1], "report");

      if (!cp_server_auth_init ())
        {
          g_printerr ("credit-packet-server: libsodium could not be initialised\n");
          status = 1;
        }
      else if ((storage = cp_server_storage_open (config.database, config.data_dir,
                                                  &error)) == NULL ||
               !cp_server_storage_seed_defaults (storage, &error) ||
               (is_report ? !cp_server_reports_run (storage, config.templates_dir,
                                                    &report_options, argv + 1, &error)
                          : !cp_server_admin_run (storage, &config.password_cost, &options,
                                                  argv + 1, &error)))
        {
          g_printerr ("credit-packet-server: %s\n", error->message);
          status = g_error_matches (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE) ? 2 : 1;
        }
      else
        status = 0;
    }
  else
    {
      struct rlimit files;

      /* Every connection is a descriptor: take all the system allows this process (the soft
       * limit is often 1024, the hard one far higher; systemd's LimitNOFILE sets both). */
      if (getrlimit (RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max)
        {
          files.rlim_cur = files.rlim_max;
          setrlimit (RLIMIT_NOFILE, &files);
        }
      status = run_server (&config);
    }

  cp_server_config_clear (&config);
  return status;
}
