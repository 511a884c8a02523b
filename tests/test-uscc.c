/* test-uscc.c — unified social credit codes and division names
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-uscc.h"

/* The worked example from GB 32100-2015 as quoted in DOMAIN.md: Σ = 999, 999 mod 31 = 7,
 * 31 − 7 = 24 → "Q"; organization part 55138508: Σ = 185, 185 mod 11 = 9, 11 − 9 = 2. */
#define WORKED_EXAMPLE "91110108551385082Q"

/* A Jiangsu code built by hand for an enterprise (9, 1) registered in 320506 (吴中区) with the
 * organization code body 13822345:
 *   organization check, weights 3 7 9 10 5 8 4 2:
 *     1·3 + 3·7 + 8·9 + 2·10 + 2·5 + 3·8 + 4·4 + 5·2 = 3+21+72+20+10+24+16+10 = 176,
 *     176 mod 11 = 0, 11 − 0 = 11 → "0";
 *   check character over 9 1 3 2 0 5 0 6 1 3 8 2 2 3 4 5 0, weights 1 3 9 27 19 26 16 17 20 29
 *   25 13 8 24 10 30 28:
 *     9 + 3 + 27 + 54 + 0 + 130 + 0 + 102 + 20 + 87 + 200 + 26 + 16 + 72 + 40 + 150 + 0 = 936,
 *     936 mod 31 = 6, 31 − 6 = 25 → "R" (0-9, A10 … N22 P23 Q24 R25). */
#define JIANGSU_EXAMPLE "91320506138223450R"

/* The same code with the organization check changed to "1" and a matching check character:
 * Σ = 936 + 1·28 = 964, 964 mod 31 = 3, 31 − 3 = 28 → "W" (R25 T26 U27 W28). Position 18 is
 * right, position 17 is not (it should be "0"). */
#define BAD_ORG_CHECK "91320506138223451W"

/* Division 329999 is in no revision: positions 3-8 weigh 3·9 + 2·27 + 9·19 + 9·26 + 9·16 +
 * 9·17 = 783 instead of 313 for 320506, Σ = 936 + 470 = 1406, 1406 mod 31 = 11,
 * 31 − 11 = 20 → "L". */
#define UNKNOWN_DIVISION "91329999138223450L"

static void
test_uscc_worked_example (void)
{
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;

  g_assert_true (cp_uscc_validate (WORKED_EXAMPLE, &info, &error));
  g_assert_no_error (error);

  g_assert_cmpint (info.authority, ==, '9');
  g_assert_cmpint (info.category, ==, '1');
  g_assert_cmpstr (info.division, ==, "110108");
  g_assert_cmpstr (info.org_code, ==, "551385082");
  g_assert_true (info.division_known);
  g_assert_cmpstr (info.division_name, ==, "北京市海淀区");
  g_assert_cmpstr (info.authority_name, ==, "Market regulation");
  g_assert_cmpstr (info.category_name, ==, "Enterprise");

  /* info is optional */
  g_assert_true (cp_uscc_validate (WORKED_EXAMPLE, NULL, NULL));
}

static void
test_uscc_jiangsu (void)
{
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;

  g_assert_cmpint (cp_uscc_compute_org_check ("13822345"), ==, '0');
  g_assert_cmpint (cp_uscc_compute_check (JIANGSU_EXAMPLE), ==, 'R');

  g_assert_true (cp_uscc_validate (JIANGSU_EXAMPLE, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.division, ==, "320506");
  g_assert_cmpstr (info.org_code, ==, "138223450");
  g_assert_true (info.division_known);
  g_assert_cmpstr (info.division_name, ==, "江苏省苏州市吴中区");
}

static void
assert_error (const char  *code,
              CpUsccError  expected_code,
              const char  *expected_message)
{
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;

  g_assert_false (cp_uscc_validate (code, &info, &error));
  g_assert_error (error, CP_USCC_ERROR, (int) expected_code);
  g_assert_cmpstr (error->message, ==, expected_message);
}

static void
test_uscc_errors (void)
{
  assert_error (NULL, CP_USCC_ERROR_EMPTY,
                "No code was entered: enter the 18-character unified social credit code.");
  assert_error ("", CP_USCC_ERROR_EMPTY,
                "No code was entered: enter the 18-character unified social credit code.");

  assert_error ("91110108551385082", CP_USCC_ERROR_LENGTH,
                "The code has 17 characters; a unified social credit code has 18. "
                "Check whether a character is missing.");
  assert_error ("9", CP_USCC_ERROR_LENGTH,
                "The code has 1 character; a unified social credit code has 18. "
                "Check whether a character is missing.");
  assert_error ("91110108551385082Q1", CP_USCC_ERROR_LENGTH,
                "The code has 19 characters; a unified social credit code has 18. "
                "Check for extra characters.");
  /* Length counts characters, not bytes: 18 characters, 20 bytes. */
  assert_error ("9111010855138508２Q", CP_USCC_ERROR_CHARSET,
                "Character 17 (“２”) is not allowed: codes use digits and capital letters "
                "except I, O, S, V and Z.");

  /* A lowercase letter is an error when the text was not normalized. */
  assert_error ("91110108551385082q", CP_USCC_ERROR_CHARSET,
                "Character 18 (“q”) is a small letter: codes use capital letters, so type "
                "“Q” instead.");

  /* The five letters the code never uses, at position 9. */
  assert_error ("91110108I51385082Q", CP_USCC_ERROR_CHARSET,
                "Character 9 (“I”) is not allowed: codes use digits and capital letters except "
                "I, O, S, V and Z. It is probably the digit “1”.");
  assert_error ("91110108O51385082Q", CP_USCC_ERROR_CHARSET,
                "Character 9 (“O”) is not allowed: codes use digits and capital letters except "
                "I, O, S, V and Z. It is probably the digit “0”.");
  assert_error ("91110108S51385082Q", CP_USCC_ERROR_CHARSET,
                "Character 9 (“S”) is not allowed: codes use digits and capital letters except "
                "I, O, S, V and Z.");
  assert_error ("91110108V51385082Q", CP_USCC_ERROR_CHARSET,
                "Character 9 (“V”) is not allowed: codes use digits and capital letters except "
                "I, O, S, V and Z.");
  assert_error ("91110108Z51385082Q", CP_USCC_ERROR_CHARSET,
                "Character 9 (“Z”) is not allowed: codes use digits and capital letters except "
                "I, O, S, V and Z.");
  assert_error ("9111 0108551385082", CP_USCC_ERROR_CHARSET,
                "Character 5 (“ ”) is not allowed: codes use digits and capital letters except "
                "I, O, S, V and Z.");
  assert_error ("91110108551385082\xff", CP_USCC_ERROR_CHARSET,
                "The code contains bytes that are not text: type it again using digits and "
                "capital letters.");

  assert_error ("91110108551385082R", CP_USCC_ERROR_CHECK,
                "The check character should be “Q”, not “R”: a character was probably "
                "mistyped.");
  /* A typo in the middle also shows as a wrong check character (5 → 6 at position 9:
   * Σ = 999 + 20 = 1019, 1019 mod 31 = 27, 31 − 27 = 4). */
  assert_error ("91110108651385082Q", CP_USCC_ERROR_CHECK,
                "The check character should be “4”, not “Q”: a character was probably "
                "mistyped.");

  assert_error (BAD_ORG_CHECK, CP_USCC_ERROR_ORG_CHECK,
                "Character 17, the check character of the organization code, should be “0”, "
                "not “1”: a character was probably mistyped.");
}

static void
test_uscc_info_on_failure (void)
{
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;

  /* Split as far as possible even though the check fails. */
  g_assert_false (cp_uscc_validate ("91110108551385082R", &info, &error));
  g_assert_error (error, CP_USCC_ERROR, CP_USCC_ERROR_CHECK);
  g_assert_cmpint (info.authority, ==, '9');
  g_assert_cmpstr (info.division, ==, "110108");
  g_assert_cmpstr (info.division_name, ==, "北京市海淀区");
  g_assert_cmpstr (info.org_code, ==, "551385082");
  g_clear_error (&error);

  /* Too short to split: everything cleared. */
  memset (&info, 0x55, sizeof info);
  g_assert_false (cp_uscc_validate ("9111", &info, &error));
  g_assert_error (error, CP_USCC_ERROR, CP_USCC_ERROR_LENGTH);
  g_assert_cmpint (info.authority, ==, '\0');
  g_assert_cmpstr (info.division, ==, "");
  g_assert_cmpstr (info.org_code, ==, "");
  g_assert_false (info.division_known);
  g_assert_null (info.division_name);
  g_assert_null (info.authority_name);
  g_assert_null (info.category_name);
}

static void
test_uscc_unknown_division (void)
{
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;

  g_assert_cmpint (cp_uscc_compute_check (UNKNOWN_DIVISION), ==, 'L');
  g_assert_true (cp_uscc_validate (UNKNOWN_DIVISION, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (info.division, ==, "329999");
  g_assert_false (info.division_known);
  g_assert_null (info.division_name);
  g_assert_cmpstr (info.authority_name, ==, "Market regulation");
}

static void
test_uscc_normalize (void)
{
  struct {
    const char *input;
    const char *output;
  } cases[] = {
    /* full-width digits and capital letters */
    { "９１１１０１０８５５１３８５０８２Ｑ", WORKED_EXAMPLE },
    /* full-width small letter, ideographic space, hyphens, ASCII spaces and tabs */
    { "9111\u30000108-5513 8508\t2ｑ", WORKED_EXAMPLE },
    { " 91-110108-551385082-q ", WORKED_EXAMPLE },
    /* en dash and full-width hyphen-minus */
    { "911101\u2013085513\uFF0D85082Q", WORKED_EXAMPLE },
    /* byte order mark and zero-width space from a copied web page */
    { "\uFEFF91110108\u200B551385082Q", WORKED_EXAMPLE },
    /* lowercase ASCII is uppercased, including letters the code does not use */
    { "91320506138223450r", JIANGSU_EXAMPLE },
    { "abc xyz", "ABCXYZ" },
    /* other characters are kept for cp_uscc_validate() to report */
    { "9111/0108", "9111/0108" },
    { "信用代码", "信用代码" },
    { "", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *normalized = cp_uscc_normalize (cases[i].input);

      g_assert_cmpstr (normalized, ==, cases[i].output);
    }

  /* Invalid UTF-8 does not crash; the bad byte becomes U+FFFD, which validate rejects. */
  {
    g_autofree char *normalized = cp_uscc_normalize ("91\xff");
    g_autoptr(GError) error = NULL;

    g_assert_cmpstr (normalized, ==, "91\xef\xbf\xbd");
    g_assert_false (cp_uscc_validate (normalized, NULL, &error));
    g_assert_error (error, CP_USCC_ERROR, CP_USCC_ERROR_LENGTH);
  }

  /* What a person types, normalized, then validated. */
  {
    g_autofree char *normalized = cp_uscc_normalize ("９１３２ ０５０６ １３８２ ２３４５ ０ｒ");

    g_assert_true (cp_uscc_validate (normalized, NULL, NULL));
  }
}

static void
test_uscc_compute_check (void)
{
  g_assert_cmpint (cp_uscc_compute_check ("91110108551385082"), ==, 'Q');
  /* Only the first 17 characters count. */
  g_assert_cmpint (cp_uscc_compute_check (WORKED_EXAMPLE), ==, 'Q');
  g_assert_cmpint (cp_uscc_compute_check ("91110108551385082Z"), ==, 'Q');
  /* 17 zeros: Σ = 0 → (31 − 0) mod 31 = 0. */
  g_assert_cmpint (cp_uscc_compute_check ("00000000000000000"), ==, '0');
  /* "1" at position 17 only: Σ = 28, 31 − 28 = 3. */
  g_assert_cmpint (cp_uscc_compute_check ("00000000000000001"), ==, '3');

  g_assert_cmpint (cp_uscc_compute_check ("9111010855138508"), ==, '\0');
  g_assert_cmpint (cp_uscc_compute_check (""), ==, '\0');
  g_assert_cmpint (cp_uscc_compute_check ("9111010855138508O"), ==, '\0');
  g_assert_cmpint (cp_uscc_compute_check ("9111010855138508q"), ==, '\0');
  g_assert_cmpint (cp_uscc_compute_check ("9111010855138508\xc3\xa9"), ==, '\0');

  g_assert_cmpint (cp_uscc_compute_org_check ("55138508"), ==, '2');
  /* 6·2 = 12, 12 mod 11 = 1, 11 − 1 = 10 → "X" */
  g_assert_cmpint (cp_uscc_compute_org_check ("00000006"), ==, 'X');
  /* letters count 10-35: A·3 = 30, 30 mod 11 = 8, 11 − 8 = 3 */
  g_assert_cmpint (cp_uscc_compute_org_check ("A0000000"), ==, '3');
  g_assert_cmpint (cp_uscc_compute_org_check ("5513850"), ==, '\0');
  g_assert_cmpint (cp_uscc_compute_org_check ("5513850a"), ==, '\0');
}

static void
test_uscc_names (void)
{
  g_assert_cmpstr (cp_uscc_authority_name ('1'), ==, "Public sector establishment");
  g_assert_cmpstr (cp_uscc_authority_name ('5'), ==, "Civil affairs");
  g_assert_cmpstr (cp_uscc_authority_name ('N'), ==, "Agriculture");
  g_assert_cmpstr (cp_uscc_authority_name ('Y'), ==, "Other authority");
  g_assert_null (cp_uscc_authority_name ('B'));
  g_assert_null (cp_uscc_authority_name ('0'));

  g_assert_cmpstr (cp_uscc_category_name ('9', '1'), ==, "Enterprise");
  g_assert_cmpstr (cp_uscc_category_name ('9', '2'), ==, "Individual business");
  g_assert_cmpstr (cp_uscc_category_name ('9', '3'), ==, "Farmers’ cooperative");
  g_assert_cmpstr (cp_uscc_category_name ('5', '3'), ==, "Foundation");
  g_assert_null (cp_uscc_category_name ('9', '4'));
  g_assert_null (cp_uscc_category_name ('2', '1'));
}

static void
test_division_lookup (void)
{
  g_assert_cmpstr (cp_division_lookup ("110108"), ==, "北京市海淀区");
  g_assert_cmpstr (cp_division_lookup ("320506"), ==, "江苏省苏州市吴中区");
  /* hand-curated supplement: in no GB/T 2260 revision */
  g_assert_cmpstr (cp_division_lookup ("320594"), ==, "江苏省苏州市苏州工业园区");
  /* abolished in 2012, still in older codes */
  g_assert_cmpstr (cp_division_lookup ("320502"), ==, "江苏省苏州市沧浪区");
  /* province and prefecture levels */
  g_assert_cmpstr (cp_division_lookup ("320000"), ==, "江苏省");
  g_assert_cmpstr (cp_division_lookup ("320500"), ==, "江苏省苏州市");
  g_assert_cmpstr (cp_division_lookup ("320583"), ==, "江苏省苏州市昆山市");
  /* a county-level city directly under the province skips the placeholder level */
  g_assert_cmpstr (cp_division_lookup ("429004"), ==, "湖北省仙桃市");

  g_assert_null (cp_division_lookup ("329999"));
  g_assert_null (cp_division_lookup ("32050"));
  g_assert_null (cp_division_lookup ("3205060"));
  g_assert_null (cp_division_lookup ("32O506"));
  g_assert_null (cp_division_lookup (""));

  /* the shipped union has several thousand codes */
  g_assert_cmpuint (cp_division_count (), >, 3500);
  g_assert_cmpuint (cp_division_count (), <, 10000);
}

static gpointer
lookup_thread (gpointer data)
{
  guint hits = 0;

  for (guint i = 0; i < 200; i++)
    {
      if (g_strcmp0 (cp_division_lookup ("320506"), "江苏省苏州市吴中区") == 0)
        hits++;
    }

  return GUINT_TO_POINTER (hits);
}

/* Runs first, so the threads race to load the data. */
static void
test_division_threads (void)
{
  GThread *threads[8];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("lookup", lookup_thread, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_cmpuint (GPOINTER_TO_UINT (g_thread_join (threads[i])), ==, 200);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/division/threads", test_division_threads);
  g_test_add_func ("/division/lookup", test_division_lookup);
  g_test_add_func ("/uscc/worked-example", test_uscc_worked_example);
  g_test_add_func ("/uscc/jiangsu", test_uscc_jiangsu);
  g_test_add_func ("/uscc/errors", test_uscc_errors);
  g_test_add_func ("/uscc/info-on-failure", test_uscc_info_on_failure);
  g_test_add_func ("/uscc/unknown-division", test_uscc_unknown_division);
  g_test_add_func ("/uscc/normalize", test_uscc_normalize);
  g_test_add_func ("/uscc/compute-check", test_uscc_compute_check);
  g_test_add_func ("/uscc/names", test_uscc_names);

  return g_test_run ();
}
