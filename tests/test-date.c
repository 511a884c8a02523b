/* test-date.c — calendar arithmetic used by the date rules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-date.h"

static void
test_parse (void)
{
  GDate d;
  g_autofree char *text = NULL;

  g_assert_true (cp_date_parse ("2020-08-31", &d));
  g_assert_cmpuint (g_date_get_year (&d), ==, 2020);
  g_assert_cmpuint (g_date_get_month (&d), ==, 8);
  g_assert_cmpuint (g_date_get_day (&d), ==, 31);
  text = cp_date_format (&d);
  g_assert_cmpstr (text, ==, "2020-08-31");

  g_assert_true (cp_date_parse ("2020-02-29", &d));
  g_assert_false (cp_date_parse ("2021-02-29", &d));
  g_assert_false (cp_date_parse ("2020-13-01", &d));
  g_assert_false (cp_date_parse ("2020-8-31", &d));
  g_assert_false (cp_date_parse ("2020-08-31T00:00", &d));
  g_assert_false (cp_date_parse ("２０２０-08-31", &d));
  g_assert_false (cp_date_parse ("", &d));
  g_assert_false (cp_date_parse (NULL, &d));
  g_assert_false (g_date_valid (&d));
}

static void
check_input (const char *text,
             const char *expected)
{
  GDate d;

  if (expected == NULL)
    {
      if (cp_date_parse_input (text, &d))
        g_error ("“%s” should be refused", text);
      g_assert_false (g_date_valid (&d));
    }
  else
    {
      g_autofree char *formatted = NULL;

      if (!cp_date_parse_input (text, &d))
        g_error ("“%s” should read as %s", text, expected);
      formatted = cp_date_format (&d);
      g_assert_cmpstr (formatted, ==, expected);
    }
}

/* The forms people type in China. */
static void
test_parse_input (void)
{
  check_input ("2026/3/1", "2026-03-01");
  check_input ("2026-3-1", "2026-03-01");
  check_input ("2026.3.1", "2026-03-01");
  check_input ("20260301", "2026-03-01");
  check_input ("2026年3月1日", "2026-03-01");
  check_input ("2026年3月1", "2026-03-01");
  check_input ("2026年03月01号", "2026-03-01");
  check_input ("2026-03-01", "2026-03-01");
  check_input ("2026/12/31", "2026-12-31");
  check_input (" 2026 / 3 / 1 ", "2026-03-01");
  check_input ("２０２６年３月１日", "2026-03-01");
  check_input ("２０２６／３／１", "2026-03-01");
  check_input ("2024/2/29", "2024-02-29");

  check_input ("2026/2/30", NULL);
  check_input ("2025-2-29", NULL);
  check_input ("2026/13/1", NULL);
  check_input ("2026/0/1", NULL);
  check_input ("2026/3/0", NULL);
  check_input ("2026-3/1", NULL);
  check_input ("2026/3", NULL);
  check_input ("2026年3月", NULL);
  check_input ("2026年3月1日x", NULL);
  check_input ("26/3/1", NULL);
  check_input ("1/3/2026", NULL);
  check_input ("2026/003/1", NULL);
  check_input ("20261301", NULL);
  check_input ("2026031", NULL);
  check_input ("1899-12-31", NULL);
  check_input ("2026-03-01T00:00", NULL);
  check_input ("二〇二六年三月一日", NULL);
  check_input ("", NULL);
  check_input (NULL, NULL);
}

static int
months (const char *from,
        const char *to)
{
  GDate a, b;

  g_assert_true (cp_date_parse (from, &a));
  g_assert_true (cp_date_parse (to, &b));
  return cp_date_months_between (&a, &b);
}

static void
test_months_between (void)
{
  g_assert_cmpint (months ("2020-01-15", "2020-07-15"), ==, 6);
  g_assert_cmpint (months ("2020-01-15", "2020-07-14"), ==, 5);
  /* Months are counted as cp_date_add_months adds them: 31 Jan + 1 month = 29 Feb. */
  g_assert_cmpint (months ("2020-01-31", "2020-02-29"), ==, 1);
  g_assert_cmpint (months ("2020-01-31", "2020-02-28"), ==, 0);
  g_assert_cmpint (months ("2020-08-31", "2021-02-28"), ==, 6);
  g_assert_cmpint (months ("2020-08-31", "2021-02-27"), ==, 5);
  g_assert_cmpint (months ("2020-01-31", "2020-03-01"), ==, 1);
  g_assert_cmpint (months ("2019-03-01", "2020-03-01"), ==, 12);
  g_assert_cmpint (months ("2020-07-15", "2020-01-15"), ==, -6);
  g_assert_cmpint (months ("2020-07-15", "2020-01-16"), ==, -5);
  g_assert_cmpint (months ("2020-05-05", "2020-05-01"), ==, 0);
}

static void
test_add_months (void)
{
  GDate d, out;
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  g_assert_true (cp_date_parse ("2020-08-31", &d));
  cp_date_add_months (&d, 6, &out);
  a = cp_date_format (&out);
  g_assert_cmpstr (a, ==, "2021-02-28");
  cp_date_add_months (&d, -6, &out);
  b = cp_date_format (&out);
  g_assert_cmpstr (b, ==, "2020-02-29");
}

static void
test_time (void)
{
  int minutes = -1;

  g_assert_true (cp_time_parse ("08:30", &minutes));
  g_assert_cmpint (minutes, ==, 510);
  g_assert_true (cp_time_parse ("23:59", &minutes));
  g_assert_cmpint (minutes, ==, 1439);
  g_assert_false (cp_time_parse ("24:00", &minutes));
  g_assert_false (cp_time_parse ("8:30", &minutes));
  g_assert_false (cp_time_parse ("08:60", &minutes));
  g_assert_false (cp_time_parse (NULL, &minutes));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/date/parse", test_parse);
  g_test_add_func ("/date/parse-input", test_parse_input);
  g_test_add_func ("/date/months-between", test_months_between);
  g_test_add_func ("/date/add-months", test_add_months);
  g_test_add_func ("/date/time", test_time);
  return g_test_run ();
}
