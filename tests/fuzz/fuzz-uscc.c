/* fuzz-uscc.c — the unified social credit code check
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Properties: validation never reads past the text; a code that validates is 18 characters whose
 * check characters recompute to themselves; normalizing is idempotent and a normalized valid code
 * still validates.
 */
#include "config.h"

#include <string.h>

#include "cp-uscc.h"
#include "fuzz-common.h"

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = fuzz_strndup (data, size);
  g_autofree char *normal = NULL;
  g_autofree char *twice = NULL;
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;

  fuzz_init ();
  if (cp_uscc_validate (text, &info, &error))
    {
      if (strlen (text) != CP_USCC_LENGTH || error != NULL)
        fuzz_fail ("a valid code is not 18 characters", text, error);
      if (cp_uscc_compute_check (text) != text[17] ||
          cp_uscc_compute_org_check (text + 8) != text[16])
        fuzz_fail ("a valid code's check characters do not recompute", text, NULL);
      if (info.authority != text[0] || info.category != text[1] ||
          strncmp (info.division, text + 2, 6) != 0)
        fuzz_fail ("the parts of a valid code are not its characters", text, NULL);
    }
  else if (error == NULL)
    fuzz_fail ("a refused code has no reason", text, NULL);
  g_clear_error (&error);

  normal = cp_uscc_normalize (text);
  twice = cp_uscc_normalize (normal);
  if (strcmp (normal, twice) != 0)
    fuzz_fail ("normalizing twice changes the code", text, NULL);
  if (cp_uscc_validate (text, NULL, NULL) && !cp_uscc_validate (normal, NULL, NULL))
    fuzz_fail ("a valid code no longer validates once normalized", text, NULL);

  (void) cp_uscc_compute_check (text);
  (void) cp_uscc_compute_org_check (text);
  if (size >= 6)
    {
      char division[7];

      memcpy (division, data, 6);
      division[6] = '\0';
      (void) cp_division_lookup (division);
    }
  return 0;
}
