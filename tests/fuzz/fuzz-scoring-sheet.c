/* fuzz-scoring-sheet.c — the scoring-sheet loader
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>

#include "cp-scoring-sheet.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(CpScoringSheet) sheet = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  sheet = cp_scoring_sheet_new_from_data ((const char *) data, (gssize) size, "fuzz", &error);
  if (sheet == NULL)
    {
      if (error == NULL || error->message == NULL)
        abort ();
      return 0;
    }
  if (cp_scoring_sheet_get_id (sheet) == NULL || cp_scoring_sheet_get_version (sheet) == NULL)
    fuzz_fail ("a loaded sheet has no id or version", NULL, NULL);
  return 0;
}
