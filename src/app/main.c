/* main.c — the credit-packet executable
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cp-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CpApplication) app = NULL;

  setlocale (LC_ALL, "");
  cp_application_init_i18n ();

  app = cp_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
