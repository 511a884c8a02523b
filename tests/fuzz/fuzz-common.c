/* fuzz-common.c — what the fuzz targets share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
quiet_log_cb (const char     *domain,
              GLogLevelFlags  level,
              const char     *message,
              gpointer        user_data)
{
  /* Criticals and warnings are bugs: make them findings. Debug and info are noise. */
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      fprintf (stderr, "%s: %s\n", domain != NULL ? domain : "(null)", message);
      abort ();
    }
}

void
fuzz_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done))
    {
      g_log_set_default_handler (quiet_log_cb, NULL);
      g_once_init_leave (&done, 1);
    }
}

void
fuzz_fail (const char   *what,
           const char   *text,
           const GError *error)
{
  fprintf (stderr, "FUZZ FINDING: %s\n", what);
  if (error != NULL)
    fprintf (stderr, "  error: %s\n", error->message);
  if (text != NULL)
    fprintf (stderr, "  text: %.2000s\n", text);
  abort ();
}

char *
fuzz_strndup (const uint8_t *data,
              size_t         size)
{
  char *copy = g_malloc (size + 1);

  if (size > 0)
    memcpy (copy, data, size);
  copy[size] = '\0';
  return copy;
}
