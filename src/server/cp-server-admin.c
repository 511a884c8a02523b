/* cp-server-admin.c — administration commands of credit-packet-server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-server-admin.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cp-uscc.h"

static gboolean
usage (GError    **error,
       const char *text)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "Usage: %s", text);
  return FALSE;
}

static gboolean
uscc_is_well_formed (const char *uscc)
{
  static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
  gsize i;

  for (i = 0; uscc[i] != '\0'; i++)
    if (strchr (charset, uscc[i]) == NULL)
      return FALSE;
  return i == 18;
}

/* An agency's own credit code: a code as GB 32100 writes it, check characters included. */
static gboolean
uscc_is_valid (const char  *uscc,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (cp_uscc_validate (uscc, NULL, &local_error))
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "“%s” is not a valid unified social credit code: %s", uscc, local_error->message);
  return FALSE;
}

/* One line from stdin; without echo when stdin is a terminal. */
static char *
read_password (GError **error)
{
  gboolean tty = isatty (STDIN_FILENO);
  struct termios saved;
  char buffer[1100];
  char *line;
  gsize len;

  if (tty)
    {
      struct termios quiet;

      fputs ("Password: ", stderr);
      fflush (stderr);
      tcgetattr (STDIN_FILENO, &saved);
      quiet = saved;
      quiet.c_lflag &= ~(tcflag_t) ECHO;
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  line = fgets (buffer, sizeof buffer, stdin);
  if (tty)
    {
      tcsetattr (STDIN_FILENO, TCSAFLUSH, &saved);
      fputs ("\n", stderr);
    }
  if (line == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "No password given: type it, or pipe it on standard input.");
      return NULL;
    }
  len = strlen (line);
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    line[--len] = '\0';
  if (len < 8)
    {
      memset (buffer, 0, sizeof buffer);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The password must have at least 8 characters.");
      return NULL;
    }
  line = g_strdup (buffer);
  memset (buffer, 0, sizeof buffer);
  return line;
}

gboolean
cp_server_admin_add_user (CpServerStorage       *storage,
                          const char            *name,
                          CpServerRole           role,
                          const char            *district,
                          const char            *uscc,
                          const char            *agency,
                          const char            *password,
                          const CpPasswordCost  *cost,
                          GError               **error)
{
  CpServerUser user = { 0 };
  g_autofree char *hash = NULL;

  if (name == NULL || *name == '\0' || strlen (name) > 200)
    return usage (error, "user add NAME: the name must be 1-200 bytes.");
  if ((role == CP_SERVER_ROLE_OFFICE) != (district != NULL))
    return usage (error, "office users need --district CODE, and only they take one.");
  if ((role == CP_SERVER_ROLE_ENTERPRISE) != (uscc != NULL))
    return usage (error, "enterprise users need --enterprise USCC, and only they take one.");
  if ((role == CP_SERVER_ROLE_AGENCY) != (agency != NULL))
    return usage (error, "agency users need --agency ID, and only they take one.");
  if (uscc != NULL && !uscc_is_well_formed (uscc))
    return usage (error, "--enterprise takes an 18-character unified social credit code.");

  hash = cp_password_hash (password, cost, error);
  if (hash == NULL)
    return FALSE;
  user.name = (char *) name;
  user.role = role;
  user.district = (char *) district;
  user.uscc = (char *) uscc;
  user.agency = (char *) agency;
  user.password_hash = hash;
  if (!cp_server_storage_add_user (storage, &user, error))
    {
      if (g_error_matches (*error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_INVALID))
        {
          g_clear_error (error);
          g_set_error (error, CP_SERVER_STORAGE_ERROR, CP_SERVER_STORAGE_ERROR_NOT_FOUND,
                       "The district or agency does not exist; add it first.");
        }
      return FALSE;
    }
  return TRUE;
}

gboolean
cp_server_admin_run (CpServerStorage       *storage,
                     const CpPasswordCost  *cost,
                     const CpServerAdminOptions *options,
                     char                 **args,
                     GError               **error)
{
  guint n = g_strv_length (args);

  if (n >= 3 && g_str_equal (args[0], "user") && g_str_equal (args[1], "add"))
    {
      g_autofree char *password = NULL;
      CpServerRole role;

      if (n != 3 || options->role == NULL || !cp_server_role_from_string (options->role, &role))
        return usage (error, "user add NAME --role admin|office|agency|enterprise "
                             "[--district CODE] [--enterprise USCC] [--agency ID]");
      password = read_password (error);
      if (password == NULL)
        return FALSE;
      if (!cp_server_admin_add_user (storage, args[2], role, options->district,
                                     options->enterprise, options->agency, password, cost, error))
        {
          memset (password, 0, strlen (password));
          return FALSE;
        }
      memset (password, 0, strlen (password));
      g_print ("Added %s user %s.\n", options->role, args[2]);
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "agency") && g_str_equal (args[1], "add"))
    {
      if (n != 4)
        return usage (error, "agency add ID NAME [--uscc CODE]");
      if (options->uscc != NULL && !uscc_is_valid (options->uscc, error))
        return FALSE;
      if (!cp_server_storage_add_agency (storage, args[2], args[3], options->uscc, error))
        return FALSE;
      g_print ("Added agency %s.\n", args[2]);
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "agency") && g_str_equal (args[1], "set-uscc"))
    {
      if (n != 4)
        return usage (error, "agency set-uscc ID CODE");
      if (!uscc_is_valid (args[3], error) ||
          !cp_server_storage_set_agency_uscc (storage, args[2], args[3], error))
        return FALSE;
      g_print ("Set the credit code of agency %s.\n", args[2]);
      return TRUE;
    }
  if (n >= 1 && g_str_equal (args[0], "assign"))
    {
      if (n != 3 || !uscc_is_well_formed (args[1]))
        return usage (error, "assign ENTERPRISE_USCC AGENCY_ID");
      if (!cp_server_storage_assign (storage, args[1], args[2], error))
        return FALSE;
      g_print ("Assigned %s to agency %s.\n", args[1], args[2]);
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "district") && g_str_equal (args[1], "list"))
    {
      g_autoptr(GPtrArray) districts = cp_server_storage_list_districts (storage, error);

      if (districts == NULL)
        return FALSE;
      for (guint i = 0; i < districts->len; i++)
        {
          CpServerDistrict *district = g_ptr_array_index (districts, i);
          g_autofree char *prefixes = g_strjoinv (",", district->prefixes);

          g_print ("%s\t%s\t%s\n", district->code, district->name, prefixes);
        }
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "district") && g_str_equal (args[1], "add"))
    {
      if (n < 5)
        return usage (error, "district add CODE NAME DIVISION_PREFIX...");
      /* The code names the district in URLs (GET /api/v1/reports/NAME?district=CODE). */
      if (*args[2] == '\0' || strlen (args[2]) > 64 ||
          strspn (args[2], "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen (args[2]))
        return usage (error, "district codes are lower-case letters, digits, “-” and “_”.");
      for (guint i = 4; i < n; i++)
        {
          gsize len = strlen (args[i]);

          if (len == 0 || len > 6 || strspn (args[i], "0123456789") != len)
            return usage (error, "division prefixes are 1-6 digits (positions 3-8 of a USCC).");
        }
      if (!cp_server_storage_add_district (storage, args[2], args[3],
                                           (const char * const *) args + 4, error))
        return FALSE;
      g_print ("Added district %s.\n", args[2]);
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "quota") && g_str_equal (args[1], "set"))
    {
      guint64 year;
      guint64 quota;

      if (n != 6 ||
          !g_ascii_string_to_unsigned (args[3], 10, 1990, 2999, &year, NULL) ||
          !g_ascii_string_to_unsigned (args[5], 10, 0, 100000, &quota, NULL))
        return usage (error, "quota set DISTRICT YEAR KIND N");
      if (!cp_server_storage_set_quota (storage, args[2], (int) year, args[4], (int) quota, error))
        return FALSE;
      g_print ("Quota of %s for %s in %s: %s.\n", args[2], args[4], args[3], args[5]);
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "quota") && g_str_equal (args[1], "list"))
    {
      g_autoptr(GPtrArray) quotas = NULL;
      guint64 year;

      if (n != 3 || !g_ascii_string_to_unsigned (args[2], 10, 1990, 2999, &year, NULL))
        return usage (error, "quota list YEAR");
      quotas = cp_server_storage_list_quotas (storage, (int) year, error);
      if (quotas == NULL)
        return FALSE;
      for (guint i = 0; i < quotas->len; i++)
        {
          CpServerCount *count = g_ptr_array_index (quotas, i);

          g_print ("%s\t%s\t%d\n", count->district, count->kind, count->count);
        }
      return TRUE;
    }
  if (n >= 2 && g_str_equal (args[0], "quota") && g_str_equal (args[1], "import"))
    {
      g_autofree char *contents = NULL;
      gsize length;

      if (n != 3)
        return usage (error, "quota import FILE.json");
      if (!g_file_get_contents (args[2], &contents, &length, error) ||
          !cp_server_storage_import_quotas (storage, contents, length, error))
        return FALSE;
      g_print ("Imported %s.\n", args[2]);
      return TRUE;
    }

  return usage (error, "user add | agency add | assign | district list | district add | "
                       "quota set | quota list | quota import (see --help)");
}
