/* test-scoring.c — scoring sheets: loading, the shipped sheets, totals, grades and checks
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "cp-json-private.h"
#include "cp-packet.h"
#include "cp-scoring.h"
#include "cp-scoring-sheet.h"

#define JIANGSU_RESOURCE "/io/github/creditpacket/core/templates/sheets/jiangsu-2019.json"
#define ANHUI_RESOURCE "/io/github/creditpacket/core/templates/sheets/anhui-2016.json"

static CpScoringSheet *
load_resource (const char *path)
{
  g_autoptr(GError) error = NULL;
  CpScoringSheet *sheet = cp_scoring_sheet_new_from_resource (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sheet);
  return sheet;
}

static char *
test_sheet_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", "sheets", name, NULL);
}

static CpScoringSheet *
load_test_sheet (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_sheet_path (name);
  CpScoringSheet *sheet = cp_scoring_sheet_new_from_file (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sheet);
  return sheet;
}

static const char *
zh (const CpText *text)
{
  return cp_text_get_for (text, "zh_CN");
}

static const char *
en (const CpText *text)
{
  return cp_text_get_for (text, "en");
}

/* Gives every item of @sheet its maximum in @column. */
static void
fill_full_marks (CpScoringSheet *sheet,
                 CpPacket       *packet,
                 CpScoreColumn   column)
{
  GPtrArray *items = cp_scoring_sheet_get_items (sheet);

  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);

      cp_packet_set_score (packet, item->id, column, item->points);
    }
}

/* Sets every item of a category or sub-category (by id prefix "5." or "2.4.") to 0. */
static void
zero_group (CpScoringSheet *sheet,
            CpPacket       *packet,
            CpScoreColumn   column,
            const char     *prefix)
{
  GPtrArray *items = cp_scoring_sheet_get_items (sheet);
  guint n = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);

      if (g_str_has_prefix (item->id, prefix))
        {
          cp_packet_set_score (packet, item->id, column, 0);
          n++;
        }
    }
  g_assert_cmpuint (n, >, 0);
}

/* ---------------------------------------------------------------- the shipped Jiangsu sheet */

static void
assert_item (CpScoringSheet *sheet,
             const char     *id,
             const char     *title_zh,
             double          points)
{
  const CpScoringItem *item = cp_scoring_sheet_lookup_item (sheet, id);

  g_assert_nonnull (item);
  g_assert_cmpstr (item->id, ==, id);
  g_assert_cmpstr (zh (item->title), ==, title_zh);
  g_assert_cmpfloat (item->points, ==, points);
}

static void
test_jiangsu_published_rows (void)
{
  g_autoptr(CpScoringSheet) sheet = load_resource (JIANGSU_RESOURCE);
  const CpScoringCategory *cat;
  const CpScoringSubcategory *sub;

  g_assert_cmpstr (cp_scoring_sheet_get_id (sheet), ==, "jiangsu-2019");
  g_assert_cmpstr (zh (cp_scoring_sheet_get_title (sheet)), ==,
                   "江苏省企业信用管理状况评价指标（修订版）");
  g_assert_cmpfloat (cp_scoring_sheet_get_total (sheet), ==, 1000);
  g_assert_cmpint (cp_scoring_sheet_get_method (sheet), ==, CP_SCORING_METHOD_SUM);
  g_assert_cmpfloat (cp_scoring_sheet_get_step (sheet), ==, 0.5);
  g_assert_true (cp_scoring_sheet_has_column (sheet, CP_SCORE_SELF));
  g_assert_true (cp_scoring_sheet_has_column (sheet, CP_SCORE_ACCEPTANCE));
  g_assert_cmpuint (cp_scoring_sheet_get_n_categories (sheet), ==, 12);
  g_assert_cmpuint (cp_scoring_sheet_get_n_grades (sheet), ==, 0);

  /* The metadata says the wording is to be replaced by the office's official revision. */
  g_assert_nonnull (cp_scoring_sheet_get_note (sheet));
  g_assert_nonnull (strstr (en (cp_scoring_sheet_get_note (sheet)),
                            "to be replaced by the credit office's official revision"));
  g_assert_nonnull (strstr (zh (cp_scoring_sheet_get_note (sheet)), "正式发布的修订版替换"));
  g_assert_nonnull (cp_scoring_sheet_get_source (sheet));

  /* Pass marks 700 (city) and 900 (province). */
  g_assert_cmpuint (cp_scoring_sheet_get_n_pass_marks (sheet), ==, 2);
  g_assert_cmpstr (cp_scoring_sheet_get_pass_mark (sheet, 0)->id, ==, "city");
  g_assert_cmpfloat (cp_scoring_sheet_get_pass_mark (sheet, 0)->min, ==, 700);
  g_assert_cmpstr (cp_scoring_sheet_get_pass_mark (sheet, 1)->id, ==, "province");
  g_assert_cmpfloat (cp_scoring_sheet_lookup_pass_mark (sheet, "province")->min, ==, 900);
  g_assert_null (cp_scoring_sheet_lookup_pass_mark (sheet, "county"));

  /* 一、信用管理方针和目标 (60) */
  cat = cp_scoring_sheet_get_category (sheet, 0);
  g_assert_cmpstr (cat->id, ==, "1");
  g_assert_cmpstr (zh (cat->title), ==, "信用管理方针和目标");
  g_assert_cmpfloat (cat->points, ==, 60);
  g_assert_cmpuint (cat->subcategories->len, ==, 2);

  /* 信用管理方针 (30) = 10 + 5 + 5 + 10 */
  sub = g_ptr_array_index (cat->subcategories, 0);
  g_assert_cmpstr (sub->id, ==, "1.1");
  g_assert_cmpstr (zh (sub->title), ==, "信用管理方针");
  g_assert_cmpfloat (sub->points, ==, 30);
  g_assert_cmpuint (sub->items->len, ==, 4);
  assert_item (sheet, "1.1.1", "确定方针并形成文件", 10);
  assert_item (sheet, "1.1.2", "与企业其他方针相协调", 5);
  assert_item (sheet, "1.1.3", "最高管理层作出承诺", 5);
  assert_item (sheet, "1.1.4", "采取措施确保全体员工理解和实施", 10);
  g_assert_true (g_ptr_array_index (sub->items, 3) ==
                 cp_scoring_sheet_lookup_item (sheet, "1.1.4"));

  /* 信用管理目标 (30) = 20 + 10 */
  sub = g_ptr_array_index (cat->subcategories, 1);
  g_assert_cmpstr (sub->id, ==, "1.2");
  g_assert_cmpstr (zh (sub->title), ==, "信用管理目标");
  g_assert_cmpfloat (sub->points, ==, 30);
  g_assert_cmpuint (sub->items->len, ==, 2);
  assert_item (sheet, "1.2.1", "确定目标并形成文件", 20);
  assert_item (sheet, "1.2.2", "与方针相协调", 10);

  /* 二、企业信用管理的组织 (100): 信用管理部门建立 (30) = 明确某部门行使信用管理职能 30;
   * 信用管理部门职责 (20) */
  cat = cp_scoring_sheet_get_category (sheet, 1);
  g_assert_cmpstr (cat->id, ==, "2");
  g_assert_cmpstr (zh (cat->title), ==, "企业信用管理的组织");
  g_assert_cmpfloat (cat->points, ==, 100);
  sub = g_ptr_array_index (cat->subcategories, 0);
  g_assert_cmpstr (zh (sub->title), ==, "信用管理部门建立");
  g_assert_cmpfloat (sub->points, ==, 30);
  g_assert_cmpuint (sub->items->len, ==, 1);
  assert_item (sheet, "2.1.1", "明确某部门行使信用管理职能", 30);
  sub = g_ptr_array_index (cat->subcategories, 1);
  g_assert_cmpstr (zh (sub->title), ==, "信用管理部门职责");
  g_assert_cmpfloat (sub->points, ==, 20);
  g_assert_true (cp_scoring_sheet_lookup_subcategory (sheet, "2.2") == sub);
  g_assert_true (sub->category == cat);
}

static void
test_jiangsu_structure_adds_up (void)
{
  /* The twelve areas of the provincial guide, in order, with the points this sheet gives them. */
  static const struct { const char *zh; double points; } areas[] = {
    { "信用管理方针和目标", 60 }, { "企业信用管理的组织", 100 }, { "信用管理制度", 100 },
    { "信用信息化管理系统", 60 }, { "客户资信管理", 120 }, { "信用档案管理", 80 },
    { "授信管理", 100 }, { "合同管理", 80 }, { "商账管理", 100 },
    { "外部信用工具应用", 60 }, { "社会责任履行与守法经营", 80 },
    { "效果评估与持续改进", 60 },
  };
  g_autoptr(CpScoringSheet) sheet = load_resource (JIANGSU_RESOURCE);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *items = cp_scoring_sheet_get_items (sheet);
  double total = 0;
  guint n_items = 0;
  guint n_subs = 0;

  g_assert_cmpuint (cp_scoring_sheet_get_n_categories (sheet), ==, G_N_ELEMENTS (areas));

  for (guint c = 0; c < cp_scoring_sheet_get_n_categories (sheet); c++)
    {
      const CpScoringCategory *cat = cp_scoring_sheet_get_category (sheet, c);
      g_autofree char *cat_id = g_strdup_printf ("%u", c + 1);
      double cat_sum = 0;

      g_assert_cmpstr (cat->id, ==, cat_id);
      g_assert_cmpstr (zh (cat->title), ==, areas[c].zh);
      g_assert_nonnull (en (cat->title));
      g_assert_cmpfloat (cat->points, ==, areas[c].points);
      g_assert_nonnull (cat->reference);
      g_assert_true (g_str_has_prefix (cat->reference, "DB32/T 4186-2022"));
      g_assert_cmpuint (cat->index, ==, c);
      g_assert_true (cp_scoring_sheet_lookup_category (sheet, cat->id) == cat);

      for (guint s = 0; s < cat->subcategories->len; s++)
        {
          const CpScoringSubcategory *sub = g_ptr_array_index (cat->subcategories, s);
          double sub_sum = 0;

          g_assert_true (sub->category == cat);
          g_assert_cmpuint (sub->index, ==, n_subs);
          n_subs++;
          g_assert_nonnull (zh (sub->title));
          g_assert_nonnull (en (sub->title));

          for (guint i = 0; i < sub->items->len; i++)
            {
              const CpScoringItem *item = g_ptr_array_index (sub->items, i);
              g_autofree char *item_id = g_strdup_printf ("%s.%u", sub->id, i + 1);

              /* Ids are stable "category.sub.item" strings, unique, in sheet order. */
              g_assert_cmpstr (item->id, ==, item_id);
              g_assert_false (g_hash_table_contains (seen, item->id));
              g_hash_table_add (seen, item->id);
              g_assert_true (g_ptr_array_index (items, n_items) == item);
              g_assert_cmpuint (item->index, ==, n_items);
              g_assert_true (item->subcategory == sub);
              n_items++;

              g_assert_cmpfloat (item->points, >, 0);
              g_assert_cmpfloat (fmod (item->points, 0.5), ==, 0);
              g_assert_nonnull (zh (item->title));
              g_assert_nonnull (en (item->title));
              g_assert_nonnull (item->guidance);
              g_assert_nonnull (item->evidence);
              g_assert_nonnull (zh (item->guidance));
              g_assert_nonnull (en (item->guidance));
              g_assert_nonnull (zh (item->evidence));
              g_assert_nonnull (en (item->evidence));
              sub_sum += item->points;
            }
          g_assert_cmpfloat (sub_sum, ==, sub->points);
          cat_sum += sub->points;
        }
      g_assert_cmpfloat (cat_sum, ==, cat->points);
      total += cat->points;
    }

  g_assert_cmpfloat (total, ==, 1000);
  g_assert_cmpuint (n_items, ==, items->len);
  g_assert_cmpuint (n_items, ==, cp_scoring_sheet_get_n_items (sheet));
  g_assert_cmpuint (n_subs, ==, cp_scoring_sheet_get_n_subcategories (sheet));
  g_assert_cmpuint (n_items, >=, 60);
  g_assert_cmpuint (n_items, <=, 90);
}

/* ---------------------------------------------------------------- the shipped Anhui sheet */

static void
test_anhui_structure (void)
{
  static const struct { const char *zh; double weight; } classes[] = {
    { "企业价值观", 10 }, { "企业经营状况", 25 }, { "企业信用管理", 26 },
    { "企业诚信记录及企业社会责任履行", 30 }, { "创新和发展能力", 9 },
  };
  static const struct { const char *id; double min; const char *zh; } bands[] = {
    { "AAA", 90, "AAA级信用企业" }, { "AA", 80, "AA级信用企业" }, { "A", 70, "A级信用企业" },
    { "BBB", 60, "BBB级守信企业" }, { "BB", 50, "BB级守信企业" }, { "B", 40, "B级守信企业" },
    { "CCC", 30, "CCC级信用警示企业" }, { "CC", 20, "CC级信用警示企业" },
    { "C", 10, "C级信用警示企业" }, { "D", 0, "D级失信企业" },
  };
  g_autoptr(CpScoringSheet) sheet = load_resource (ANHUI_RESOURCE);
  const CpText *note;
  double weights = 0;

  g_assert_cmpstr (cp_scoring_sheet_get_id (sheet), ==, "anhui-2016");
  g_assert_cmpfloat (cp_scoring_sheet_get_total (sheet), ==, 100);
  g_assert_cmpint (cp_scoring_sheet_get_method (sheet), ==, CP_SCORING_METHOD_WEIGHTED);
  g_assert_cmpuint (cp_scoring_sheet_get_n_categories (sheet), ==, 5);

  for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
    {
      const CpScoringCategory *cat = cp_scoring_sheet_get_category (sheet, c);
      double sum = 0;

      g_assert_cmpstr (zh (cat->title), ==, classes[c].zh);
      g_assert_cmpfloat (cat->weight, ==, classes[c].weight);
      g_assert_cmpfloat (cat->points, ==, 100);
      for (guint s = 0; s < cat->subcategories->len; s++)
        {
          const CpScoringSubcategory *sub = g_ptr_array_index (cat->subcategories, s);

          for (guint i = 0; i < sub->items->len; i++)
            {
              const CpScoringItem *item = g_ptr_array_index (sub->items, i);

              g_assert_nonnull (zh (item->guidance));
              g_assert_nonnull (en (item->evidence));
              sum += item->points;
            }
        }
      g_assert_cmpfloat (sum, ==, 100);
      weights += cat->weight;
    }
  g_assert_cmpfloat (weights, ==, 100);

  g_assert_cmpuint (cp_scoring_sheet_get_n_grades (sheet), ==, G_N_ELEMENTS (bands));
  for (guint g = 0; g < G_N_ELEMENTS (bands); g++)
    {
      const CpScoringMark *grade = cp_scoring_sheet_get_grade (sheet, g);

      g_assert_cmpstr (grade->id, ==, bands[g].id);
      g_assert_cmpfloat (grade->min, ==, bands[g].min);
      g_assert_cmpstr (zh (grade->label), ==, bands[g].zh);
    }

  g_assert_cmpstr (cp_scoring_sheet_get_pass_mark (sheet, 0)->id, ==, "credit-enterprise");
  g_assert_cmpfloat (cp_scoring_sheet_get_pass_mark (sheet, 0)->min, ==, 70);

  /* Additions and deductions: two additions and one deduction, all flagged as assumptions. */
  g_assert_cmpuint (cp_scoring_sheet_get_n_adjustments (sheet), ==, 3);
  g_assert_cmpfloat (cp_scoring_sheet_lookup_adjustment (sheet, "add.1")->max, ==, 2);
  g_assert_cmpfloat (cp_scoring_sheet_lookup_adjustment (sheet, "add.2")->max, ==, 3);
  g_assert_cmpfloat (cp_scoring_sheet_lookup_adjustment (sheet, "ded.1")->min, ==, -100);
  g_assert_null (cp_scoring_sheet_lookup_item (sheet, "ded.1"));

  /* The note tells which thresholds come from the rules and which are assumptions. */
  note = cp_scoring_sheet_get_note (sheet);
  g_assert_nonnull (strstr (en (note), "AA (80–89)"));
  g_assert_nonnull (strstr (en (note), "Assumptions"));
  g_assert_nonnull (strstr (en (note), "BBB 60"));
  g_assert_nonnull (strstr (zh (note), "以下为假设"));
}

/* ---------------------------------------------------------------- loader errors */

typedef struct
{
  const char *file;
  CpJsonError code;
  const char *path;     /* "ORIGIN: PATH: " must appear in the message */
  const char *detail;   /* and this */
} BadSheet;

static const BadSheet bad_sheets[] = {
  { "missing-member.json", CP_JSON_ERROR_MISSING_MEMBER,
    "$.categories[0].subcategories[0].items[1]", "the member “points” is missing" },
  { "wrong-type.json", CP_JSON_ERROR_WRONG_TYPE,
    "$.categories[0].subcategories[0].items[0].points", "expected a number, found a string" },
  { "unknown-member.json", CP_JSON_ERROR_UNKNOWN_MEMBER,
    "$.categories[1].subcategories[0].items[0].max", "unknown member “max”" },
  { "duplicate-id.json", CP_JSON_ERROR_DUPLICATE_ID,
    "$.categories[1].subcategories[1].items[0].id",
    "“A.1.1” is already used at $.categories[0].subcategories[0].items[0].id" },
  { "item-sum.json", CP_JSON_ERROR_INCONSISTENT,
    "$.categories[0].subcategories[0].points", "add up to 11.5 points, but it declares 12" },
  { "subcategory-sum.json", CP_JSON_ERROR_INCONSISTENT,
    "$.categories[1].points", "add up to 8 points, but it declares 9" },
  { "category-sum.json", CP_JSON_ERROR_INCONSISTENT,
    "$.total", "the categories add up to 20 points, but the sheet declares a total of 25" },
  { "weights.json", CP_JSON_ERROR_INCONSISTENT,
    "$.categories", "the category weights add up to 90 %, not 100 %" },
  { "pass-mark-above-total.json", CP_JSON_ERROR_INCONSISTENT,
    "$.pass_marks[0].min", "the minimum 21 is above the sheet's total of 20 points" },
  { "negative-points.json", CP_JSON_ERROR_INVALID_VALUE,
    "$.categories[0].subcategories[0].items[1].points", "points cannot be negative (-4)" },
};

static void
test_bad_sheet_file (gconstpointer data)
{
  const BadSheet *bad = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = test_sheet_path (bad->file);
  g_autofree char *prefix = g_strdup_printf ("%s: %s: ", path, bad->path);
  g_autoptr(CpScoringSheet) sheet = cp_scoring_sheet_new_from_file (path, &error);

  g_assert_null (sheet);
  g_assert_error (error, CP_JSON_ERROR, (int) bad->code);
  g_test_message ("%s", error->message);
  /* The message starts with the origin and the path, then states the fault. */
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_nonnull (strstr (error->message, bad->detail));
}

/* A minimal valid sheet as a format string: %s is spliced in as extra top-level members and
 * the category list is given separately. */
static CpScoringSheet *
load_inline (const char  *top,
             const char  *categories,
             GError     **error)
{
  g_autofree char *json =
    g_strdup_printf ("{\"format\": 1, \"type\": \"scoring-sheet\", \"id\": \"t\", "
                     "\"version\": \"1\", \"title\": \"T\", \"total\": 10, %s "
                     "\"columns\": [\"self\"], \"categories\": %s}", top, categories);

  return cp_scoring_sheet_new_from_data (json, -1, "inline.json", error);
}

#define ONE_CATEGORY \
  "[{\"id\": \"1\", \"title\": \"C\", \"points\": 10, \"subcategories\": " \
  "[{\"id\": \"1.1\", \"title\": \"S\", \"points\": 10, \"items\": " \
  "[{\"id\": \"1.1.1\", \"title\": \"I\", \"points\": 10}]}]}]"

#define ONE_WEIGHTED_CATEGORY(weight) \
  "[{\"id\": \"1\", \"title\": \"C\", \"points\": 10, \"weight\": " weight ", " \
  "\"subcategories\": [{\"id\": \"1.1\", \"title\": \"S\", \"points\": 10, \"items\": " \
  "[{\"id\": \"1.1.1\", \"title\": \"I\", \"points\": 10}]}]}]"

static void
assert_inline_error (const char  *top,
                     const char  *categories,
                     CpJsonError  code,
                     const char  *path,
                     const char  *detail)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpScoringSheet) sheet = load_inline (top, categories, &error);
  g_autofree char *prefix = g_strdup_printf ("inline.json: %s: ", path);

  g_assert_null (sheet);
  g_assert_error (error, CP_JSON_ERROR, (int) code);
  if (!g_str_has_prefix (error->message, prefix) || strstr (error->message, detail) == NULL)
    g_error ("unexpected message “%s” (wanted “%s…%s”)", error->message, prefix, detail);
}

static void
test_bad_sheet_inline (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpScoringSheet) good = NULL;

  /* The minimal sheet itself is fine. */
  good = load_inline ("\"method\": \"sum\", \"pass_marks\": [],", ONE_CATEGORY, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cp_scoring_sheet_get_n_items (good), ==, 1);
  g_assert_cmpstr (cp_scoring_sheet_get_origin (good), ==, "inline.json");
  g_assert_false (cp_scoring_sheet_has_column (good, CP_SCORE_ACCEPTANCE));

  /* Missing top-level members name the object and the member. */
  assert_inline_error ("\"pass_marks\": [],", ONE_CATEGORY, CP_JSON_ERROR_MISSING_MEMBER,
                       "$", "the member “method” is missing");
  assert_inline_error ("\"method\": \"sum\",", ONE_CATEGORY, CP_JSON_ERROR_MISSING_MEMBER,
                       "$", "the member “pass_marks” is missing");
  /* Wrong types. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": {},", ONE_CATEGORY,
                       CP_JSON_ERROR_WRONG_TYPE, "$.pass_marks", "expected an array");
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"note\": 5,", ONE_CATEGORY,
                       CP_JSON_ERROR_WRONG_TYPE, "$.note", "found a number");
  /* Unknown values and members. */
  assert_inline_error ("\"method\": \"average\", \"pass_marks\": [],", ONE_CATEGORY,
                       CP_JSON_ERROR_INVALID_VALUE, "$.method", "unknown method “average”");
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"colour\": \"red\",",
                       ONE_CATEGORY, CP_JSON_ERROR_UNKNOWN_MEMBER, "$.colour",
                       "unknown member “colour”");
  /* Negative points and totals. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [{\"id\": \"p\", \"label\": \"P\", "
                       "\"min\": -1}],", ONE_CATEGORY, CP_JSON_ERROR_INVALID_VALUE,
                       "$.pass_marks[0].min", "cannot be negative");
  /* Weights only on weighted sheets; weighted sheets need them. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [],", ONE_WEIGHTED_CATEGORY ("100"),
                       CP_JSON_ERROR_INCONSISTENT, "$.categories[0].weight",
                       "only a sheet with \"method\": \"weighted\"");
  assert_inline_error ("\"method\": \"weighted\", \"pass_marks\": [],", ONE_CATEGORY,
                       CP_JSON_ERROR_MISSING_MEMBER, "$.categories[0]",
                       "the member “weight” is missing");
  assert_inline_error ("\"method\": \"weighted\", \"pass_marks\": [],",
                       ONE_WEIGHTED_CATEGORY ("120"), CP_JSON_ERROR_INVALID_VALUE,
                       "$.categories[0].weight", "at most 100, not 120");
  /* Points off the step. */
  assert_inline_error ("\"method\": \"sum\", \"step\": 3, \"pass_marks\": [],", ONE_CATEGORY,
                       CP_JSON_ERROR_INCONSISTENT, "$.categories[0].points",
                       "10 is not a multiple of the sheet's step 3");
  /* Grades must come highest first, with distinct ids. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"grades\": ["
                       "{\"id\": \"A\", \"label\": \"A\", \"min\": 5}, "
                       "{\"id\": \"B\", \"label\": \"B\", \"min\": 7}],", ONE_CATEGORY,
                       CP_JSON_ERROR_INCONSISTENT, "$.grades[1].min",
                       "7 is not below the previous grade's 5");
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"grades\": ["
                       "{\"id\": \"A\", \"label\": \"A\", \"min\": 5}, "
                       "{\"id\": \"A\", \"label\": \"B\", \"min\": 2}],", ONE_CATEGORY,
                       CP_JSON_ERROR_DUPLICATE_ID, "$.grades[1].id", "“A” is used twice");
  /* Adjustments straddle 0. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"adjustments\": ["
                       "{\"id\": \"x\", \"title\": \"X\", \"min\": 1, \"max\": 3}],",
                       ONE_CATEGORY, CP_JSON_ERROR_INVALID_VALUE, "$.adjustments[0].min",
                       "the minimum of an adjustment is 0 or a deduction");
  /* An adjustment id cannot reuse an item id: scores are stored by id. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"adjustments\": ["
                       "{\"id\": \"1.1.1\", \"title\": \"X\", \"min\": -1, \"max\": 0}],",
                       ONE_CATEGORY, CP_JSON_ERROR_DUPLICATE_ID, "$.adjustments[0].id",
                       "already used at $.categories[0].subcategories[0].items[0].id");
  /* Empty lists. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [],", "[]",
                       CP_JSON_ERROR_INVALID_VALUE, "$.categories", "the list is empty");
  /* A bad text. */
  assert_inline_error ("\"method\": \"sum\", \"pass_marks\": [], \"source\": {\"en\": 3},",
                       ONE_CATEGORY, CP_JSON_ERROR_INVALID_VALUE, "$.source",
                       "the translation “en” must be a string");
}

static void
test_bad_sheet_header (void)
{
  struct { const char *json; CpJsonError code; const char *message; } cases[] = {
    { "{\"format\": 2, \"type\": \"scoring-sheet\"}", CP_JSON_ERROR_UNSUPPORTED,
      "x.json: $.format: scoring-sheet format 2 is not supported" },
    { "{\"format\": 1, \"type\": \"packet-kind\"}", CP_JSON_ERROR_INVALID_VALUE,
      "x.json: $.type: the document is a “packet-kind”, not a “scoring-sheet”" },
    { "{\"type\": \"scoring-sheet\"}", CP_JSON_ERROR_MISSING_MEMBER,
      "x.json: $: the member “format” is missing" },
    { "[1, 2]", CP_JSON_ERROR_WRONG_TYPE, "x.json: $: expected an object, found an array" },
    { "{\"format\": 1,", CP_JSON_ERROR_SYNTAX, "x.json: not valid JSON" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CpScoringSheet) sheet =
        cp_scoring_sheet_new_from_data (cases[i].json, -1, "x.json", &error);

      g_assert_null (sheet);
      g_assert_error (error, CP_JSON_ERROR, (int) cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, cases[i].message));
    }
}

static void
test_load_failures (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpScoringSheet) sheet = NULL;

  sheet = cp_scoring_sheet_new_from_file ("/nonexistent/sheet.json", &error);
  g_assert_null (sheet);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  sheet = cp_scoring_sheet_new_from_resource ("/io/github/creditpacket/core/templates/sheets/"
                                              "none.json", &error);
  g_assert_null (sheet);
  g_assert_error (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND);
}

/* Columns: an unknown name, a duplicate, none at all. */
static void
test_bad_columns (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpScoringSheet) sheet = NULL;
  const char *json_unknown =
    "{\"format\": 1, \"type\": \"scoring-sheet\", \"id\": \"t\", \"version\": \"1\", "
    "\"title\": \"T\", \"total\": 10, \"method\": \"sum\", \"pass_marks\": [], "
    "\"columns\": [\"self\", \"agency\"], \"categories\": " ONE_CATEGORY "}";
  const char *json_twice =
    "{\"format\": 1, \"type\": \"scoring-sheet\", \"id\": \"t\", \"version\": \"1\", "
    "\"title\": \"T\", \"total\": 10, \"method\": \"sum\", \"pass_marks\": [], "
    "\"columns\": [\"self\", \"self\"], \"categories\": " ONE_CATEGORY "}";
  const char *json_none =
    "{\"format\": 1, \"type\": \"scoring-sheet\", \"id\": \"t\", \"version\": \"1\", "
    "\"title\": \"T\", \"total\": 10, \"method\": \"sum\", \"pass_marks\": [], "
    "\"columns\": [], \"categories\": " ONE_CATEGORY "}";

  sheet = cp_scoring_sheet_new_from_data (json_unknown, -1, "c.json", &error);
  g_assert_null (sheet);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message,
                                   "c.json: $.columns[1]: unknown column “agency”"));
  g_clear_error (&error);

  sheet = cp_scoring_sheet_new_from_data (json_twice, -1, "c.json", &error);
  g_assert_null (sheet);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_DUPLICATE_ID);
  g_assert_true (g_str_has_prefix (error->message, "c.json: $.columns[1]: the column “self”"));
  g_clear_error (&error);

  sheet = cp_scoring_sheet_new_from_data (json_none, -1, "c.json", &error);
  g_assert_null (sheet);
  g_assert_error (error, CP_JSON_ERROR, CP_JSON_ERROR_INVALID_VALUE);
  g_assert_true (g_str_has_prefix (error->message, "c.json: $.columns: the list is empty"));
}

/* ---------------------------------------------------------------- Jiangsu totals */

static void
test_jiangsu_totals (void)
{
  g_autoptr(CpScoringSheet) sheet = load_resource (JIANGSU_RESOURCE);
  g_autoptr(CpPacket) packet = cp_packet_new ("demonstration-review", "1");
  g_autoptr(CpScoreSummary) summary = NULL;
  g_auto(GStrv) met = NULL;
  guint n = cp_scoring_sheet_get_n_items (sheet);

  /* Self-assessment: full marks except
   *   2.1.1 (30) → 0, 5.2.1 (20) → 0, 7.2.2 (15) → 0, 9.1.2 (20) → 0, 12.2.2 (15) → 0
   * = 1000 − 30 − 20 − 15 − 20 − 15 = 900: meets both pass marks.
   * Acceptance: the same and 1.1.2 (5) → 4 = 899: the city mark only. */
  fill_full_marks (sheet, packet, CP_SCORE_SELF);
  fill_full_marks (sheet, packet, CP_SCORE_ACCEPTANCE);
  for (CpScoreColumn column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
    {
      cp_packet_set_score (packet, "2.1.1", column, 0);
      cp_packet_set_score (packet, "5.2.1", column, 0);
      cp_packet_set_score (packet, "7.2.2", column, 0);
      cp_packet_set_score (packet, "9.1.2", column, 0);
      cp_packet_set_score (packet, "12.2.2", column, 0);
    }
  cp_packet_set_score (packet, "1.1.2", CP_SCORE_ACCEPTANCE, 4);

  summary = cp_scoring_compute (sheet, packet);
  g_assert_true (cp_score_summary_get_sheet (summary) == sheet);
  g_assert_cmpuint (cp_score_summary_get_n_items (summary), ==, n);

  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 900);
  g_assert_cmpfloat (cp_score_summary_get_raw_total (summary, CP_SCORE_SELF), ==, 900);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 899);
  g_assert_cmpuint (cp_score_summary_get_n_scored (summary, CP_SCORE_SELF), ==, n);
  g_assert_true (cp_score_summary_is_complete (summary, CP_SCORE_ACCEPTANCE));
  g_assert_null (cp_score_summary_get_grade (summary, CP_SCORE_SELF));

  /* Subtotals side by side: category 1 is 60 / 59, sub-category 1.1 is 30 / 29. */
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "1"), ==, 60);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "1"), ==, 59);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "1.1"), ==, 30);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "1.1"), ==, 29);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "1.2"), ==, 30);
  /* 2: 100 − 30 = 70, 2.1: 0; 5: 120 − 20 = 100, 5.2: 40 − 20 = 20; 7: 100 − 15 = 85,
   * 7.2: 50 − 15 = 35; 9: 100 − 20 = 80, 9.1: 50 − 20 = 30; 12: 60 − 15 = 45, 12.2: 15. */
  for (CpScoreColumn column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
    {
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "2"), ==, 70);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "2.1"), ==, 0);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "5"), ==, 100);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "5.2"), ==, 20);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "7"), ==, 85);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "7.2"), ==, 35);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "9"), ==, 80);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "9.1"), ==, 30);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "12"), ==, 45);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "12.2"), ==, 15);
      g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, column, "3"), ==, 100);
      /* On a sum sheet a category contributes its raw points. */
      g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, column, "7"), ==, 85);
      g_assert_cmpuint (cp_score_summary_get_group_n_scored (summary, column, "1"), ==, 6);
      g_assert_cmpuint (cp_score_summary_get_group_n_scored (summary, column, "2.1"), ==, 1);
    }
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "nope"), ==, 0);

  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "city"));
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "province"));
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE, "city"));
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE, "province"));
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "county"));
  met = cp_score_summary_list_pass_marks_met (summary, CP_SCORE_ACCEPTANCE);
  g_assert_cmpuint (g_strv_length (met), ==, 1);
  g_assert_cmpstr (met[0], ==, "city");
  g_clear_pointer (&met, g_strfreev);
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* Half a point under the provincial mark: 1.1.2 → 4.5 gives 899.5. */
  cp_packet_set_score (packet, "1.1.2", CP_SCORE_ACCEPTANCE, 4.5);
  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 899.5);
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE, "province"));
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* The city boundary. Self: full marks except categories 5 (120), 7 (100) and 8 (80), all 0:
   * 1000 − 300 = 700. Acceptance: the same and 1.1.2 → 4 = 699. */
  g_clear_object (&packet);
  packet = cp_packet_new ("demonstration-review", "1");
  fill_full_marks (sheet, packet, CP_SCORE_SELF);
  fill_full_marks (sheet, packet, CP_SCORE_ACCEPTANCE);
  for (CpScoreColumn column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
    {
      zero_group (sheet, packet, column, "5.");
      zero_group (sheet, packet, column, "7.");
      zero_group (sheet, packet, column, "8.");
    }
  cp_packet_set_score (packet, "1.1.2", CP_SCORE_ACCEPTANCE, 4);

  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 700);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 699);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "5"), ==, 0);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "8"), ==, 0);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "9"), ==, 100);
  /* Zero is a score: every item still counts as scored. */
  g_assert_cmpuint (cp_score_summary_get_n_scored (summary, CP_SCORE_SELF), ==, n);
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "city"));
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "province"));
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE, "city"));
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE, "province"));
  met = cp_score_summary_list_pass_marks_met (summary, CP_SCORE_ACCEPTANCE);
  g_assert_cmpuint (g_strv_length (met), ==, 0);
  g_clear_pointer (&met, g_strfreev);
  met = cp_score_summary_list_pass_marks_met (summary, CP_SCORE_SELF);
  g_assert_cmpstrv (met, ((const char * const[]) { "city", NULL }));
}

static void
test_jiangsu_incomplete (void)
{
  g_autoptr(CpScoringSheet) sheet = load_resource (JIANGSU_RESOURCE);
  g_autoptr(CpPacket) packet = cp_packet_new ("demonstration-review", "1");
  g_autoptr(CpScoreSummary) summary = NULL;
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);
  guint n = cp_scoring_sheet_get_n_items (sheet);

  /* An empty sheet: nothing scored, 0 points, no pass mark, every item missing in both columns. */
  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 0);
  g_assert_cmpuint (cp_score_summary_get_n_scored (summary, CP_SCORE_ACCEPTANCE), ==, 0);
  g_assert_false (cp_score_summary_is_complete (summary, CP_SCORE_SELF));
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "city"));
  g_clear_pointer (&summary, cp_score_summary_unref);

  cp_scoring_check (sheet, packet, CP_SCORE_ACCEPTANCE, "scoring", findings);
  g_assert_cmpuint (findings->len, ==, n);
  for (guint i = 0; i < findings->len; i++)
    {
      CpFinding *finding = g_ptr_array_index (findings, i);
      const CpScoringItem *item = g_ptr_array_index (cp_scoring_sheet_get_items (sheet), i);

      g_assert_cmpstr (finding->code, ==, "score-missing");
      g_assert_cmpstr (finding->field, ==, item->id);
    }
  g_ptr_array_set_size (findings, 0);

  /* Full self-assessment with one item left out: 1000 − 10 (1.1.4), n − 1 scored, one finding;
   * the acceptance column is still empty. */
  fill_full_marks (sheet, packet, CP_SCORE_SELF);
  cp_packet_unset_score (packet, "1.1.4", CP_SCORE_SELF);
  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 990);
  g_assert_cmpuint (cp_score_summary_get_n_scored (summary, CP_SCORE_SELF), ==, n - 1);
  g_assert_cmpuint (cp_score_summary_get_group_n_scored (summary, CP_SCORE_SELF, "1.1"), ==, 3);
  g_assert_false (cp_score_summary_is_complete (summary, CP_SCORE_SELF));
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "province"));
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 0);

  cp_scoring_check (sheet, packet, CP_SCORE_SELF, "scoring", findings);
  g_assert_cmpuint (findings->len, ==, 1);
  g_assert_cmpstr (((CpFinding *) findings->pdata[0])->field, ==, "1.1.4");
  g_assert_cmpstr (((CpFinding *) findings->pdata[0])->code, ==, "score-missing");
  g_ptr_array_set_size (findings, 0);

  /* Complete: no findings at all. */
  cp_packet_set_score (packet, "1.1.4", CP_SCORE_SELF, 10);
  cp_scoring_check (sheet, packet, CP_SCORE_SELF, "scoring", findings);
  g_assert_cmpuint (findings->len, ==, 0);
}

/* ---------------------------------------------------------------- Anhui weighted totals */

static CpScoreSummary *
anhui_compute (CpScoringSheet *sheet,
               CpPacket       *packet)
{
  return cp_scoring_compute (sheet, packet);
}

static void
test_anhui_grades (void)
{
  g_autoptr(CpScoringSheet) sheet = load_resource (ANHUI_RESOURCE);
  g_autoptr(CpPacket) packet = cp_packet_new ("anhui", "1");
  g_autoptr(CpScoreSummary) summary = NULL;

  /* Full marks: every category 100 raw → 10 + 25 + 26 + 30 + 9 = 100, AAA. */
  fill_full_marks (sheet, packet, CP_SCORE_SELF);
  fill_full_marks (sheet, packet, CP_SCORE_ACCEPTANCE);
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 100);
  g_assert_cmpfloat (cp_score_summary_get_raw_total (summary, CP_SCORE_SELF), ==, 500);
  g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_SELF, "3"), ==, 26);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "AAA");
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* Self: category 1 (values, 10 %) all 0 → 90, exactly AAA.
   * Acceptance: category 1 and sub-category 2.4 (economic indicators, 40 of the 100 raw points
   * of operations, 25 %: 40 × 25 / 100 = 10) → 80, exactly AA. */
  zero_group (sheet, packet, CP_SCORE_SELF, "1.");
  zero_group (sheet, packet, CP_SCORE_ACCEPTANCE, "1.");
  zero_group (sheet, packet, CP_SCORE_ACCEPTANCE, "2.4.");
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 90);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "AAA");
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 80);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "AA");
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "2"), ==, 60);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "2.4"), ==, 0);
  g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_ACCEPTANCE, "2"),
                     ==, 15);
  g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_SELF, "2"), ==, 25);
  g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_SELF, "1"), ==, 0);
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE,
                                                   "credit-enterprise"));
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* Self: the acceptance case and 2.2.2 (5) → 4: 80 − 1 × 25 / 100 = 79.75, A.
   * Acceptance: also 2.3 (30 raw → 7.5) and 2.2.1 (10 raw → 2.5) at 0: 80 − 10 = 70, exactly A. */
  zero_group (sheet, packet, CP_SCORE_SELF, "2.4.");
  cp_packet_set_score (packet, "2.2.2", CP_SCORE_SELF, 4);
  zero_group (sheet, packet, CP_SCORE_ACCEPTANCE, "2.3.");
  cp_packet_set_score (packet, "2.2.1", CP_SCORE_ACCEPTANCE, 0);
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 79.75);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "A");
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 70);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "A");
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE,
                                                   "credit-enterprise"));
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* Acceptance 2.2.2 → 4 too: 70 − 0.25 = 69.75, BBB, below the pass mark of 70. */
  cp_packet_set_score (packet, "2.2.2", CP_SCORE_ACCEPTANCE, 4);
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 69.75);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "BBB");
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE,
                                                    "credit-enterprise"));
  g_clear_pointer (&summary, cp_score_summary_unref);
}

static void
test_anhui_low_bands_and_adjustments (void)
{
  g_autoptr(CpScoringSheet) sheet = load_resource (ANHUI_RESOURCE);
  g_autoptr(CpPacket) packet = cp_packet_new ("anhui", "1");
  g_autoptr(CpScoreSummary) summary = NULL;

  /* Self: only category 4 (30 %) at full marks → 30, exactly CCC.
   * Acceptance: only category 1 (10 %) → 10, exactly C. */
  zero_group (sheet, packet, CP_SCORE_SELF, "");
  zero_group (sheet, packet, CP_SCORE_ACCEPTANCE, "");
  {
    GPtrArray *items = cp_scoring_sheet_get_items (sheet);

    for (guint i = 0; i < items->len; i++)
      {
        const CpScoringItem *item = g_ptr_array_index (items, i);

        if (g_str_has_prefix (item->id, "4."))
          cp_packet_set_score (packet, item->id, CP_SCORE_SELF, item->points);
        if (g_str_has_prefix (item->id, "1."))
          cp_packet_set_score (packet, item->id, CP_SCORE_ACCEPTANCE, item->points);
      }
  }
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 30);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "CCC");
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 10);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "C");
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* Acceptance 1.1.1 (10) → 9.5: 99.5 raw × 10 / 100 = 9.95, D. */
  cp_packet_set_score (packet, "1.1.1", CP_SCORE_ACCEPTANCE, 9.5);
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat_with_epsilon (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE),
                                  9.95, 1e-9);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "D");
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* 26 % is not a power of two: category 3 at 33 raw points (3.1.1 8 + 3.1.2 8 + 3.1.3 6 +
   * 3.1.4 8 + 3.1.5 3) counts 33 × 26 / 100 = 8.58. Self: 30 + 8.58 = 38.58, B is 40: CCC. */
  cp_packet_set_score (packet, "3.1.1", CP_SCORE_SELF, 8);
  cp_packet_set_score (packet, "3.1.2", CP_SCORE_SELF, 8);
  cp_packet_set_score (packet, "3.1.3", CP_SCORE_SELF, 6);
  cp_packet_set_score (packet, "3.1.4", CP_SCORE_SELF, 8);
  cp_packet_set_score (packet, "3.1.5", CP_SCORE_SELF, 3);
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_SELF, "3"), ==, 33);
  g_assert_cmpfloat_with_epsilon (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_SELF,
                                                                          "3"), 8.58, 1e-9);
  g_assert_cmpfloat_with_epsilon (cp_score_summary_get_total (summary, CP_SCORE_SELF), 38.58, 1e-9);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "CCC");
  g_clear_pointer (&summary, cp_score_summary_unref);

  /* Adjustments. Both columns full marks except category 1 (−10), 2.1.2 (5 raw, −1.25) and
   * 2.2.2 at 2 of 5 (3 raw, −0.75): 100 − 12 = 88, AA.
   * Acceptance adds add.1 = 2 → 90, AAA. Self deducts ded.1 = −100: 88 − 100 → 0, never below,
   * and the grade is D. */
  g_clear_object (&packet);
  packet = cp_packet_new ("anhui", "1");
  for (CpScoreColumn column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
    {
      fill_full_marks (sheet, packet, column);
      zero_group (sheet, packet, column, "1.");
      cp_packet_set_score (packet, "2.1.2", column, 0);
      cp_packet_set_score (packet, "2.2.2", column, 2);
    }
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 88);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "AA");
  g_assert_cmpfloat (cp_score_summary_get_adjustments (summary, CP_SCORE_SELF), ==, 0);
  g_clear_pointer (&summary, cp_score_summary_unref);

  cp_packet_set_score (packet, "add.1", CP_SCORE_ACCEPTANCE, 2);
  cp_packet_set_score (packet, "ded.1", CP_SCORE_SELF, -100);
  summary = anhui_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_adjustments (summary, CP_SCORE_ACCEPTANCE), ==, 2);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 90);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "AAA");
  g_assert_cmpfloat (cp_score_summary_get_adjustments (summary, CP_SCORE_SELF), ==, -100);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 0);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "D");
  /* Adjustments are not items: the raw total and the scored count leave them out. */
  g_assert_cmpfloat (cp_score_summary_get_raw_total (summary, CP_SCORE_SELF), ==,
                     500 - 100 - 5 - 3);
  g_assert_cmpuint (cp_score_summary_get_n_scored (summary, CP_SCORE_SELF), ==,
                    cp_scoring_sheet_get_n_items (sheet));
}

static void
test_small_weighted_clamp_and_json (void)
{
  g_autoptr(CpScoringSheet) sheet = load_test_sheet ("small-weighted.json");
  g_autoptr(CpPacket) packet = cp_packet_new ("t", "1");
  g_autoptr(CpScoreSummary) summary = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObject *acceptance;
  JsonObject *p;

  /* P: 10 raw points worth 40 %, Q: 20 raw points worth 60 %.
   * P.1.1 3 + P.1.2 4 = 7 of 10 → 28; Q.1.1 15 of 20 → 45; 73 + bonus 5 = 78 → MID.
   * Self: P.1.1 6, P.1.2 4, Q.1.1 20 → 100, bonus 5 → 105, kept at 100 → HIGH. */
  g_assert_false (cp_scoring_sheet_has_column (sheet, CP_SCORE_SELF));
  cp_packet_set_score (packet, "P.1.1", CP_SCORE_ACCEPTANCE, 3);
  cp_packet_set_score (packet, "P.1.2", CP_SCORE_ACCEPTANCE, 4);
  cp_packet_set_score (packet, "Q.1.1", CP_SCORE_ACCEPTANCE, 15);
  cp_packet_set_score (packet, "bonus", CP_SCORE_ACCEPTANCE, 5);
  cp_packet_set_score (packet, "P.1.1", CP_SCORE_SELF, 6);
  cp_packet_set_score (packet, "P.1.2", CP_SCORE_SELF, 4);
  cp_packet_set_score (packet, "Q.1.1", CP_SCORE_SELF, 20);
  cp_packet_set_score (packet, "bonus", CP_SCORE_SELF, 5);

  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_ACCEPTANCE, "P"),
                     ==, 28);
  g_assert_cmpfloat (cp_score_summary_get_weighted_subtotal (summary, CP_SCORE_ACCEPTANCE, "Q"),
                     ==, 45);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 78);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_ACCEPTANCE), ==, "MID");
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 100);
  g_assert_cmpstr (cp_score_summary_get_grade (summary, CP_SCORE_SELF), ==, "HIGH");

  /* The JSON form carries the same figures. */
  node = cp_score_summary_to_json (summary);
  text = json_to_string (node, FALSE);
  g_test_message ("%s", text);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (node), "sheet"), ==,
                   "small-weighted");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (node), "items"), ==, 3);
  acceptance = json_object_get_object_member (json_node_get_object (node), "acceptance");
  g_assert_cmpfloat (json_object_get_double_member (acceptance, "total"), ==, 78);
  g_assert_cmpfloat (json_object_get_double_member (acceptance, "raw"), ==, 22);
  g_assert_cmpfloat (json_object_get_double_member (acceptance, "adjustments"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (acceptance, "grade"), ==, "MID");
  p = json_object_get_object_member (json_object_get_object_member (acceptance, "categories"), "P");
  g_assert_cmpfloat (json_object_get_double_member (p, "points"), ==, 7);
  g_assert_cmpfloat (json_object_get_double_member (p, "weighted"), ==, 28);
  g_assert_cmpint (json_object_get_int_member (p, "scored"), ==, 2);
  g_assert_cmpfloat (json_object_get_double_member (
                       json_object_get_object_member (
                         json_object_get_object_member (p, "subcategories"), "P.1"), "points"),
                     ==, 7);
}

/* ---------------------------------------------------------------- checks */

typedef struct
{
  const char *field;
  const char *code;
  const char *words[4];   /* each must appear in the message */
} ExpectedFinding;

static void
assert_findings (GPtrArray             *findings,
                 const ExpectedFinding *expected,
                 guint                  n_expected)
{
  for (guint i = 0; i < findings->len && i < n_expected; i++)
    {
      CpFinding *finding = g_ptr_array_index (findings, i);

      g_test_message ("%s %s: %s", finding->field, finding->code, finding->message);
      g_assert_cmpint (finding->severity, ==, CP_SEVERITY_ERROR);
      g_assert_cmpstr (finding->section, ==, "scoring");
      g_assert_cmpstr (finding->field, ==, expected[i].field);
      g_assert_cmpstr (finding->code, ==, expected[i].code);
      for (guint w = 0; w < G_N_ELEMENTS (expected[i].words) && expected[i].words[w]; w++)
        if (strstr (finding->message, expected[i].words[w]) == NULL)
          g_error ("“%s” is not in “%s”", expected[i].words[w], finding->message);
    }
  g_assert_cmpuint (findings->len, ==, n_expected);
}

static void
test_check_findings (void)
{
  static const ExpectedFinding self_expected[] = {
    { "A.1.2", "score-missing", { "A.1.2", "Objectives", "no self-assessment score", "0 to 4" } },
    { "B.1.1", "score-over-max", { "B.1.1", "Contracts", "score 6", "maximum of 5 points" } },
    { "B.2.1", "score-negative", { "B.2.1", "Receivables", "negative score -1", "0 to 3" } },
    { "X", "score-below-min", { "Adjustment X", "-6", "minimum of -5", "from -5 to 2" } },
    { "Z.9", "score-unknown-item", { "Z.9", "Small test sheet", NULL, NULL } },
  };
  static const ExpectedFinding acceptance_expected[] = {
    { "A.1.1", "score-step", { "A.1.1", "Policy", "7.3", "steps of 0.5" } },
    { "X", "score-over-max", { "Adjustment X", "is 3", "maximum of 2", "from -5 to 2" } },
    { "Z.1", "score-unknown-item", { "acceptance score for item Z.1", NULL, NULL, NULL } },
    { "Z.2", "score-unknown-item", { "Z.2", NULL, NULL, NULL } },
  };
  g_autoptr(CpScoringSheet) sheet = load_test_sheet ("small-sum.json");
  g_autoptr(CpPacket) packet = cp_packet_new ("t", "1");
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);
  g_autoptr(CpScoreSummary) summary = NULL;

  /* Self: A.1.1 fine, A.1.2 missing, B.1.1 above 5, B.2.1 negative, X below −5, Z.9 unknown. */
  cp_packet_set_score (packet, "A.1.1", CP_SCORE_SELF, 8);
  cp_packet_set_score (packet, "B.1.1", CP_SCORE_SELF, 6);
  cp_packet_set_score (packet, "B.2.1", CP_SCORE_SELF, -1);
  cp_packet_set_score (packet, "X", CP_SCORE_SELF, -6);
  cp_packet_set_score (packet, "Z.9", CP_SCORE_SELF, 1);
  /* Acceptance: A.1.1 off the half-point step, the others fine, X above 2, unknown Z.2 and Z.1
   * (reported sorted). Z.3 has only a note: nothing to report. */
  cp_packet_set_score (packet, "A.1.1", CP_SCORE_ACCEPTANCE, 7.3);
  cp_packet_set_score (packet, "A.1.2", CP_SCORE_ACCEPTANCE, 4);
  cp_packet_set_score (packet, "B.1.1", CP_SCORE_ACCEPTANCE, 5);
  cp_packet_set_score (packet, "B.2.1", CP_SCORE_ACCEPTANCE, 2.5);
  cp_packet_set_score (packet, "X", CP_SCORE_ACCEPTANCE, 3);
  cp_packet_set_score (packet, "Z.2", CP_SCORE_ACCEPTANCE, 2);
  cp_packet_set_score (packet, "Z.1", CP_SCORE_ACCEPTANCE, 2);
  cp_packet_set_score_note (packet, "Z.3", "nothing scored here");

  cp_scoring_check (sheet, packet, CP_SCORE_SELF, "scoring", findings);
  assert_findings (findings, self_expected, G_N_ELEMENTS (self_expected));
  g_ptr_array_set_size (findings, 0);

  cp_scoring_check (sheet, packet, CP_SCORE_ACCEPTANCE, "scoring", findings);
  assert_findings (findings, acceptance_expected, G_N_ELEMENTS (acceptance_expected));

  /* The totals count scores as entered; unknown items are ignored.
   * Self: 8 + 6 − 1 = 13, X −6 → 7. Acceptance: 7.3 + 4 + 5 + 2.5 = 18.8, X +3 → 21.8, kept at
   * the sheet's 20. */
  summary = cp_scoring_compute (sheet, packet);
  g_assert_cmpfloat (cp_score_summary_get_raw_total (summary, CP_SCORE_SELF), ==, 13);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_SELF), ==, 7);
  g_assert_cmpuint (cp_score_summary_get_n_scored (summary, CP_SCORE_SELF), ==, 3);
  g_assert_false (cp_score_summary_meets_pass_mark (summary, CP_SCORE_SELF, "pass"));
  g_assert_cmpfloat_with_epsilon (cp_score_summary_get_raw_total (summary, CP_SCORE_ACCEPTANCE),
                                  18.8, 1e-9);
  g_assert_cmpfloat (cp_score_summary_get_total (summary, CP_SCORE_ACCEPTANCE), ==, 20);
  g_assert_true (cp_score_summary_meets_pass_mark (summary, CP_SCORE_ACCEPTANCE, "pass"));
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "B"), ==, 7.5);
  g_assert_cmpfloat (cp_score_summary_get_subtotal (summary, CP_SCORE_ACCEPTANCE, "B.2"), ==, 2.5);
}

static void
test_check_jiangsu_messages (void)
{
  g_autoptr(CpScoringSheet) sheet = load_resource (JIANGSU_RESOURCE);
  g_autoptr(CpPacket) packet = cp_packet_new ("demonstration-review", "1");
  g_autoptr(GPtrArray) findings = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);
  static const ExpectedFinding expected[] = {
    { "1.1.2", "score-step", { "1.1.2", "Consistent with the enterprise's other policies",
                               "4.25", "from 0 to 5 in steps of 0.5" } },
    { "2.1.1", "score-over-max", { "2.1.1", "score 31", "maximum of 30 points", NULL } },
  };

  fill_full_marks (sheet, packet, CP_SCORE_SELF);
  cp_packet_set_score (packet, "1.1.2", CP_SCORE_SELF, 4.25);
  cp_packet_set_score (packet, "2.1.1", CP_SCORE_SELF, 31);
  cp_scoring_check (sheet, packet, CP_SCORE_SELF, "scoring", findings);
  assert_findings (findings, expected, G_N_ELEMENTS (expected));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/scoring/sheet/jiangsu/published-rows", test_jiangsu_published_rows);
  g_test_add_func ("/scoring/sheet/jiangsu/adds-up", test_jiangsu_structure_adds_up);
  g_test_add_func ("/scoring/sheet/anhui/structure", test_anhui_structure);
  for (guint i = 0; i < G_N_ELEMENTS (bad_sheets); i++)
    {
      g_autofree char *name = g_strdup_printf ("/scoring/sheet/bad/%s", bad_sheets[i].file);

      g_test_add_data_func (name, &bad_sheets[i], test_bad_sheet_file);
    }
  g_test_add_func ("/scoring/sheet/bad/inline", test_bad_sheet_inline);
  g_test_add_func ("/scoring/sheet/bad/header", test_bad_sheet_header);
  g_test_add_func ("/scoring/sheet/bad/columns", test_bad_columns);
  g_test_add_func ("/scoring/sheet/load-failures", test_load_failures);
  g_test_add_func ("/scoring/compute/jiangsu", test_jiangsu_totals);
  g_test_add_func ("/scoring/compute/jiangsu-incomplete", test_jiangsu_incomplete);
  g_test_add_func ("/scoring/compute/anhui-grades", test_anhui_grades);
  g_test_add_func ("/scoring/compute/anhui-low-bands-adjustments",
                   test_anhui_low_bands_and_adjustments);
  g_test_add_func ("/scoring/compute/weighted-clamp-json", test_small_weighted_clamp_and_json);
  g_test_add_func ("/scoring/check/findings", test_check_findings);
  g_test_add_func ("/scoring/check/jiangsu-messages", test_check_jiangsu_messages);

  return g_test_run ();
}
