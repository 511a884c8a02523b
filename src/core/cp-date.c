/* cp-date.c — calendar dates as the packets write them (YYYY-MM-DD)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-date.h"

#include <string.h>

static gboolean
parse_digits (const char *text,
              guint       n,
              guint      *out)
{
  guint value = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit (text[i]))
        return FALSE;
      value = value * 10 + (guint) (text[i] - '0');
    }

  *out = value;
  return TRUE;
}

gboolean
cp_date_parse (const char *text,
               GDate      *date)
{
  guint year, month, day;

  g_return_val_if_fail (date != NULL, FALSE);

  g_date_clear (date, 1);

  if (text == NULL)
    return FALSE;

  if (!parse_digits (text, 4, &year) || text[4] != '-' ||
      !parse_digits (text + 5, 2, &month) || text[7] != '-' ||
      !parse_digits (text + 8, 2, &day) || text[10] != '\0')
    return FALSE;

  if (year < 1900 || year > 9999 || !g_date_valid_dmy (day, month, year))
    return FALSE;

  g_date_set_dmy (date, day, month, year);
  return TRUE;
}

/* @text with full-width digits and separators made ASCII and spaces removed; NULL when it holds
 * anything that cannot be part of a date. */
static char *
normalize_input (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0xFF10 && c <= 0xFF19)          /* ０–９ */
        g_string_append_c (out, (char) ('0' + (c - 0xFF10)));
      else if (c == 0xFF0D || c == 0x2212)     /* －, − */
        g_string_append_c (out, '-');
      else if (c == 0xFF0F)                    /* ／ */
        g_string_append_c (out, '/');
      else if (c == 0xFF0E)                    /* ． */
        g_string_append_c (out, '.');
      else if (g_unichar_isspace (c) || c == 0x3000)
        continue;
      else if (c < 0x80 || c == 0x5E74 || c == 0x6708 || c == 0x65E5 || c == 0x53F7)
        g_string_append_unichar (out, c);      /* ASCII, 年, 月, 日, 号 */
      else
        {
          g_string_free (out, TRUE);
          return NULL;
        }
    }
  return g_string_free (out, FALSE);
}

/* 1 to @max_digits digits at *p (advanced past them). */
static gboolean
read_number (const char **p,
             guint        max_digits,
             guint       *out)
{
  guint n = 0, value = 0;

  while (g_ascii_isdigit (**p) && n < max_digits)
    {
      value = value * 10 + (guint) (**p - '0');
      (*p)++;
      n++;
    }
  if (n == 0 || g_ascii_isdigit (**p))
    return FALSE;
  *out = value;
  return TRUE;
}

static gboolean
skip (const char **p,
      const char  *what)
{
  if (!g_str_has_prefix (*p, what))
    return FALSE;
  *p += strlen (what);
  return TRUE;
}

gboolean
cp_date_parse_input (const char *text,
                     GDate      *date)
{
  g_autofree char *norm = NULL;
  const char *p;
  guint year = 0, month = 0, day = 0;
  gboolean ok = FALSE;

  g_return_val_if_fail (date != NULL, FALSE);

  g_date_clear (date, 1);
  if (text == NULL || (norm = normalize_input (text)) == NULL)
    return FALSE;
  p = norm;

  if (strlen (norm) == 8 && parse_digits (norm, 4, &year) &&
      parse_digits (norm + 4, 2, &month) && parse_digits (norm + 6, 2, &day))
    ok = TRUE;
  else if (parse_digits (p, 4, &year) && !g_ascii_isdigit (p[4]))
    {
      p += 4;
      if (skip (&p, "年"))
        ok = read_number (&p, 2, &month) && skip (&p, "月") && read_number (&p, 2, &day) &&
             (*p == '\0' || ((skip (&p, "日") || skip (&p, "号")) && *p == '\0'));
      else if (*p == '-' || *p == '/' || *p == '.')
        {
          char sep = *p++;

          ok = read_number (&p, 2, &month) && *p++ == sep && read_number (&p, 2, &day) &&
               *p == '\0';
        }
    }

  if (!ok || year < 1900 || year > 9999 || month < 1 || month > 12 ||
      !g_date_valid_dmy (day, month, year))
    return FALSE;
  g_date_set_dmy (date, day, month, year);
  return TRUE;
}

char *
cp_date_format (const GDate *date)
{
  g_return_val_if_fail (date != NULL && g_date_valid (date), NULL);

  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

void
cp_date_today (GDate *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                  g_date_time_get_year (now));
}

void
cp_date_add_months (const GDate *date,
                    int          months,
                    GDate       *out)
{
  g_return_if_fail (date != NULL && g_date_valid (date));
  g_return_if_fail (out != NULL);

  *out = *date;
  /* g_date_add_months clamps to the last day of the month, as we want. */
  if (months > 0)
    g_date_add_months (out, months);
  else if (months < 0)
    g_date_subtract_months (out, -months);
}

int
cp_date_months_between (const GDate *from,
                        const GDate *to)
{
  int months;
  GDate probe;

  g_return_val_if_fail (from != NULL && g_date_valid (from), 0);
  g_return_val_if_fail (to != NULL && g_date_valid (to), 0);

  months = ((int) g_date_get_year (to) - (int) g_date_get_year (from)) * 12 +
           ((int) g_date_get_month (to) - (int) g_date_get_month (from));

  /* Correct for the day of the month: the months count as whole only once @from plus them
   * is not after @to (or, going backwards, not before it). */
  cp_date_add_months (from, months, &probe);
  if (months > 0 && g_date_compare (&probe, to) > 0)
    months--;
  else if (months < 0 && g_date_compare (&probe, to) < 0)
    months++;

  return months;
}

gboolean
cp_time_parse (const char *text,
               int        *minutes)
{
  guint h, m;

  if (text == NULL || !parse_digits (text, 2, &h) || text[2] != ':' ||
      !parse_digits (text + 3, 2, &m) || text[5] != '\0' || h > 23 || m > 59)
    return FALSE;

  if (minutes != NULL)
    *minutes = (int) (h * 60 + m);
  return TRUE;
}
