/* cp-uscc.h — the unified social credit code (统一社会信用代码, GB 32100-2015)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CP_USCC_LENGTH 18

#define CP_USCC_ERROR (cp_uscc_error_quark ())

typedef enum
{
  CP_USCC_ERROR_EMPTY,      /* NULL or "" */
  CP_USCC_ERROR_LENGTH,     /* not 18 characters */
  CP_USCC_ERROR_CHARSET,    /* a character outside 0-9 A-Z without I O S V Z (or bad UTF-8) */
  CP_USCC_ERROR_CHECK,      /* position 18 does not match positions 1-17 */
  CP_USCC_ERROR_ORG_CHECK,  /* position 17 does not match the organization code (GB 11714) */
} CpUsccError;

typedef struct
{
  char        authority;        /* position 1, or '\0' when the code could not be split */
  char        category;         /* position 2 */
  char        division[7];      /* positions 3-8, NUL-terminated */
  char        org_code[10];     /* positions 9-17, NUL-terminated */
  gboolean    division_known;   /* @division is in the shipped GB/T 2260 data */
  const char *division_name;    /* e.g. "江苏省苏州市吴中区", static, or NULL when unknown */
  const char *authority_name;   /* English, static, translate with _() when shown, e.g.
                                 * "Market regulation"; NULL for an unknown authority */
  const char *category_name;    /* English, static, translate with _() when shown, e.g.
                                 * "Enterprise" for 9/1; NULL when not known */
} CpUsccInfo;

GQuark      cp_uscc_error_quark       (void);

/* Strict check of a code as stored: exactly 18 characters from
 * 0123456789ABCDEFGHJKLMNPQRTUWXY, a correct check character (position 18) and a correct
 * organization-code check character (position 17). No normalization: call
 * cp_uscc_normalize() first on text a person typed.
 *
 * @info (may be NULL) is always cleared, and filled as far as the code can be split (any 18
 * ASCII characters), also when the function fails. An unknown division code is not an error:
 * info->division_known is FALSE and callers report it as a warning. */
gboolean    cp_uscc_validate          (const char  *code,
                                       CpUsccInfo  *info,
                                       GError     **error);

/* Uppercases ASCII letters, turns full-width digits and letters (０-９, Ａ-Ｚ, ａ-ｚ) into
 * ASCII, removes white space (including U+3000), invisible format characters (U+200B, U+FEFF)
 * and hyphens or dashes. Invalid UTF-8 is replaced first. Returns a newly allocated string. */
char       *cp_uscc_normalize         (const char  *text);

/* The check character (position 18) for the first 17 characters of @first17 (which may be
 * longer), or '\0' if there are fewer than 17 or one is outside the code's character set. */
char        cp_uscc_compute_check     (const char  *first17);

/* The GB 11714 check character ('0'-'9' or 'X') for the first 8 characters of @first8 (digits
 * and capital letters A-Z), or '\0' if there are fewer than 8 or one is not allowed. */
char        cp_uscc_compute_org_check (const char  *first8);

/* English, static, translatable names of the registration authority (position 1) and of the
 * organization category (positions 1-2); NULL when not known. */
const char *cp_uscc_authority_name    (char         authority);
const char *cp_uscc_category_name     (char         authority,
                                       char         category);

/* Division name for a 6-digit GB/T 2260 code from the shipped data (e.g. "320506" →
 * "江苏省苏州市吴中区"), or NULL. The string is static. Loads the data lazily, thread-safely,
 * once. */
const char *cp_division_lookup        (const char  *code6);

/* Number of division codes in the shipped data (for diagnostics and tests). */
guint       cp_division_count         (void);

G_END_DECLS
