/* test-server-reports.c — the six reports over a seeded server database, read back as a
 * spreadsheet program reads them (openpyxl) and compared cell by cell with values the test works
 * out from the packets it seeded; on SQLite and on PostgreSQL.
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <sys/wait.h>

#include <glib/gstdio.h>

#include "server-fixture.h"
#include "cp-demo.h"
#include "cp-scoring.h"
#include "cp-scoring-sheet.h"
#include "cp-template-registry.h"

static CpTemplateRegistry *templates;
/* The packets seeded into every fixture's database (CpPacket *). */
static GPtrArray *seeded;

static const struct
{
  const char *code;
  const char *division;
  const char *choice;   /* the cover's district option */
  const char *name;     /* the server's district name */
} districts[] = {
  { "kunshan", "320583", "kunshan", "昆山" },
  { "wuzhong", "320506", "wuzhong", "吴中" },
  { "gusu", "320508", "gusu", "姑苏区" },
};

static const char * const kinds[] = {
  "standardization-acceptance", "city-demonstration", "provincial-recommendation",
  "demonstration-review",
};

static const CpPacketState states[] = {
  CP_PACKET_STATE_DRAFT, CP_PACKET_STATE_SUBMITTED, CP_PACKET_STATE_RETURNED,
  CP_PACKET_STATE_ACCEPTED,
};

/* --- seeding ----------------------------------------------------------------------------- */

/* For each kind, year (2020, 2021) and district, three packets in different states, with
 * names that sort in a known order and a few values changed so that the sorts are tested. */
static void
make_seeded (void)
{
  guint serial = 100;

  seeded = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (int year = 2020; year <= 2021; year++)
      for (guint d = 0; d < G_N_ELEMENTS (districts); d++)
        for (guint i = 0; i < 3; i++)
          {
            CpPacket *packet = cp_demo_packet_for_year (templates, kinds[k], year, serial);
            g_autofree char *uscc = cp_test_make_uscc (districts[d].division, serial);
            g_autofree char *name = g_strdup_printf ("测试企业%c-%d-%s-%u", 'A' + (char) (2 - i),
                                                     year, districts[d].code, k);

            g_assert_nonnull (packet);
            cp_packet_set_string (packet, "cover", "enterprise_name", name);
            cp_packet_set_string (packet, "cover", "uscc", uscc);
            cp_packet_set_string (packet, "cover", "district", districts[d].choice);
            cp_packet_set_state (packet, states[(serial + i) % G_N_ELEMENTS (states)]);
            /* Scores that differ, so that the descending sorts mean something. */
            if (i == 1)
              cp_packet_unset_score (packet, "1.1.1", CP_SCORE_SELF),
              cp_packet_unset_score (packet, "1.1.1", CP_SCORE_ACCEPTANCE);
            if (g_str_equal (kinds[k], "demonstration-review"))
              {
                cp_packet_set_string (packet, "recognition", "level",
                                      i == 2 ? "province" : "city");
                cp_packet_set_string (packet, "review-report", "conclusion",
                                      i == 2 ? "rectify" : "pass");
              }
            g_ptr_array_add (seeded, packet);
            serial++;
          }
}

static void
seed_cb (ServerFixture *f)
{
  g_autoptr(GError) error = NULL;
  CpServerStorage *storage = server_fixture_open_storage (f);

  for (guint i = 0; i < seeded->len; i++)
    {
      CpPacket *packet = g_ptr_array_index (seeded, i);
      g_autoptr(CpServerRevision) revision = g_new0 (CpServerRevision, 1);
      gsize length;
      char *data = cp_packet_to_data (packet, FALSE, &length);

      revision->uuid = g_strdup (cp_packet_get_uuid (packet));
      revision->action = g_strdup ("test");
      revision->state = g_strdup (cp_packet_state_to_string (cp_packet_get_state (packet)));
      revision->uscc = g_strdup (cp_packet_get_uscc (packet));
      revision->kind = g_strdup (cp_packet_get_kind (packet));
      revision->year = cp_packet_get_year (packet);
      revision->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data,
                                                      length);
      revision->user_name = g_strdup ("test");
      revision->body = g_bytes_new_take (data, length);
      g_assert_true (cp_server_storage_put_revision (storage, revision, 0, NULL, &error));
      g_assert_no_error (error);
    }
  cp_server_storage_close (storage);
}

/* --- what the test expects --------------------------------------------------------------- */

typedef enum
{
  X_ROW,        /* the row number */
  X_TEXT,       /* a text field */
  X_CHOICE,     /* a choice field, by its zh_CN label */
  X_DATE,       /* a date field */
  X_NUMBER,     /* a number field */
  X_LABEL,      /* a state or yes/no, by the labels given */
  X_SUBMITTED,  /* the submission date */
  X_SCORE,      /* the sheet total in a column */
  X_PASS_MARK,  /* the pass mark the recognition level names */
  X_REACHED,    /* reached it, by the labels given */
} Extract;

typedef struct
{
  const char *heading;
  Extract     extract;
  const char *path;          /* section.field, or "self" / "acceptance" for scores */
  const char *labels[6];     /* X_LABEL on states: draft, ready, submitted, returned, accepted;
                              * on yes/no and X_REACHED: true, false */
} Column;

typedef struct
{
  const char *id;
  const char *kind;
  const char *title;         /* after the year and the district */
  guint       states;        /* 1 << state */
  guint       sort_score;    /* sort by district, then this column descending (0: by name) */
  gboolean    average;       /* totals: count of names, average of the score column */
  guint       score_column;
  Column      columns[16];
} Report;

#define ALL ((1u << CP_PACKET_STATE_DRAFT) | (1u << CP_PACKET_STATE_READY) | \
             (1u << CP_PACKET_STATE_SUBMITTED) | (1u << CP_PACKET_STATE_RETURNED) | \
             (1u << CP_PACKET_STATE_ACCEPTED))
#define HANDED_IN ((1u << CP_PACKET_STATE_SUBMITTED) | (1u << CP_PACKET_STATE_RETURNED) | \
                   (1u << CP_PACKET_STATE_ACCEPTED))
#define ALL_STATES { "准备中", "待提交", "已提交", "已退回修改", "已通过" }

static const Report reports[] = {
  { "standardization-enterprises", "standardization-acceptance", "贯标企业信息汇总表", HANDED_IN,
    0, FALSE, 0, {
      { "序号", X_ROW }, { "所属市、区", X_CHOICE, "cover.district" },
      { "企业名称", X_TEXT, "cover.enterprise_name" }, { "统一社会信用代码", X_TEXT, "cover.uscc" },
      { "法定代表人", X_TEXT, "cover.legal_representative" },
      { "企业地址", X_TEXT, "cover.address" }, { "联系人", X_TEXT, "cover.contact_person" },
      { "联系电话", X_TEXT, "cover.phone" }, { "成立日期", X_DATE, "eligibility.founding_date" },
      { "信用信息查询报告编号", X_TEXT, "credit-report.report_number" },
      { "报告有效期至", X_DATE, "credit-report.valid_until" },
      { "状态", X_LABEL, NULL, { "", "", "已提交", "已退回修改", "已通过验收" } },
    } },
  { "standardization-acceptance-summary", "standardization-acceptance", "贯标验收汇总表",
    HANDED_IN, 0, TRUE, 4, {
      { "序号", X_ROW }, { "所属市、区", X_CHOICE, "cover.district" },
      { "企业名称", X_TEXT, "cover.enterprise_name" }, { "统一社会信用代码", X_TEXT, "cover.uscc" },
      { "自评得分", X_SCORE, "self" }, { "自查日期", X_DATE, "eligibility.checked_on" },
      { "提交日期", X_SUBMITTED },
      { "验收结果", X_LABEL, NULL, { "", "", "待验收", "退回整改", "通过验收" } },
    } },
  { "city-demonstration-applicants", "city-demonstration", "市级示范企业申报名单及对应辅导机构",
    ALL, 0, FALSE, 0, {
      { "序号", X_ROW }, { "所属市、区", X_CHOICE, "cover.district" },
      { "企业名称", X_TEXT, "cover.enterprise_name" }, { "统一社会信用代码", X_TEXT, "cover.uscc" },
      { "贯标验收通过日期", X_DATE, "application-form.standardization_passed_on" },
      { "辅导机构", X_TEXT, "contract.agency_name" },
      { "辅导机构统一社会信用代码", X_TEXT, "contract.agency_uscc" },
      { "服务合同编号", X_TEXT, "contract.contract_number" },
      { "服务起始日期", X_DATE, "contract.start_date" },
      { "服务终止日期", X_DATE, "contract.end_date" },
      { "联系人", X_TEXT, "cover.contact_person" }, { "联系电话", X_TEXT, "cover.phone" },
      { "状态", X_LABEL, NULL, ALL_STATES },
    } },
  { "provincial-candidates", "provincial-recommendation", "省级示范候选企业名单", ALL, 11, TRUE,
    11, {
      { "序号", X_ROW }, { "所属市、区", X_CHOICE, "cover.district" },
      { "企业名称", X_TEXT, "cover.enterprise_name" }, { "统一社会信用代码", X_TEXT, "cover.uscc" },
      { "市级示范认定年度", X_NUMBER, "city-recognition.recognised_year" },
      { "证书编号", X_TEXT, "city-recognition.certificate_number" },
      { "所属行业", X_TEXT, "application-form.industry" },
      { "职工人数", X_NUMBER, "application-form.headcount" },
      { "注册资本（万元）", X_NUMBER, "application-form.registered_capital" },
      { "辅导机构", X_TEXT, "coaching.agency_name" },
      { "信用状况核查结果", X_CHOICE, "credit-check.result" },
      { "企业自评得分", X_SCORE, "self" },
      { "市、区信用办推荐意见", X_TEXT, "application-form.district_opinion" },
      { "状态", X_LABEL, NULL, ALL_STATES },
    } },
  { "demonstration-review-list", "demonstration-review", "示范企业复核名单", ALL, 0, FALSE, 0, {
      { "序号", X_ROW }, { "所属市、区", X_CHOICE, "cover.district" },
      { "企业名称", X_TEXT, "cover.enterprise_name" }, { "统一社会信用代码", X_TEXT, "cover.uscc" },
      { "示范级别", X_CHOICE, "recognition.level" },
      { "认定年度", X_NUMBER, "recognition.recognised_year" },
      { "证书编号", X_TEXT, "recognition.certificate_number" },
      { "信用状况", X_CHOICE, "recognition.credit_status" },
      { "同意参加复核", X_LABEL, "recognition.consent", { "是", "否" } },
      { "联系人", X_TEXT, "cover.contact_person" }, { "联系电话", X_TEXT, "cover.phone" },
      { "状态", X_LABEL, NULL, ALL_STATES },
    } },
  { "demonstration-review-results", "demonstration-review", "示范企业复核结果及处理意见",
    HANDED_IN, 7, TRUE, 7, {
      { "序号", X_ROW }, { "所属市、区", X_CHOICE, "cover.district" },
      { "企业名称", X_TEXT, "cover.enterprise_name" }, { "统一社会信用代码", X_TEXT, "cover.uscc" },
      { "示范级别", X_CHOICE, "recognition.level" },
      { "复核日期", X_DATE, "on-site.review_date" }, { "复核机构", X_TEXT, "on-site.agency_name" },
      { "复核得分", X_SCORE, "acceptance" }, { "标准分", X_PASS_MARK, "acceptance" },
      { "是否达标", X_REACHED, "acceptance", { "达标", "未达标" } },
      { "处理意见", X_CHOICE, "review-report.conclusion" },
      { "复核报告日期", X_DATE, "review-report.report_date" },
      { "状态", X_LABEL, NULL, { "", "", "已提交", "已退回修改", "已确认" } },
    } },
};

typedef struct
{
  enum { V_EMPTY, V_TEXT, V_NUMBER, V_DATE } type;
  char   *text;    /* TEXT and DATE ("2020-08-31") */
  double  number;
  int     order;   /* sort helper */
} Value;

static void
value_clear (Value *value)
{
  g_clear_pointer (&value->text, g_free);
}

static CpScoringSheet *
sheet_of (CpPacket *packet)
{
  return cp_template_registry_lookup_sheet (templates, cp_packet_get_sheet_id (packet));
}

static Value
extract (const Column *column,
         CpPacket     *packet)
{
  CpTemplate *kind = cp_template_registry_lookup_kind (templates, cp_packet_get_kind (packet));
  Value value = { V_EMPTY, NULL, 0, -1 };
  g_auto(GStrv) parts = column->path != NULL && strchr (column->path, '.') != NULL ?
                        g_strsplit (column->path, ".", 2) : NULL;
  CpScoreColumn score_column = g_strcmp0 (column->path, "self") == 0 ? CP_SCORE_SELF
                                                                      : CP_SCORE_ACCEPTANCE;
  JsonNode *node = parts != NULL ? cp_packet_get_value (packet, parts[0], parts[1]) : NULL;

  switch (column->extract)
    {
    case X_ROW:
      break;
    case X_TEXT:
    case X_DATE:
      if (node != NULL)
        {
          value.type = column->extract == X_TEXT ? V_TEXT : V_DATE;
          value.text = g_strdup (json_node_get_string (node));
        }
      break;
    case X_CHOICE:
      if (node != NULL)
        {
          const CpField *field = cp_template_lookup_field (kind, column->path);
          const CpChoiceOption *option = cp_field_lookup_option (field,
                                                                 json_node_get_string (node));

          value.type = V_TEXT;
          value.text = g_strdup (cp_text_get_for (option->label, "zh_CN"));
          for (guint i = 0; i < field->options->len; i++)
            if (g_ptr_array_index (field->options, i) == option)
              value.order = (int) i;
        }
      break;
    case X_NUMBER:
      if (node != NULL)
        {
          value.type = V_NUMBER;
          value.number = json_node_get_double (node);
        }
      break;
    case X_LABEL:
      value.type = V_TEXT;
      if (column->path == NULL)
        value.text = g_strdup (column->labels[cp_packet_get_state (packet)]);
      else if (node != NULL)
        value.text = g_strdup (column->labels[json_node_get_boolean (node) ? 0 : 1]);
      else
        value.type = V_EMPTY;
      break;
    case X_SUBMITTED:
      if (cp_packet_get_submitted_on (packet) != NULL)
        {
          value.type = V_DATE;
          value.text = g_strdup (cp_packet_get_submitted_on (packet));
        }
      break;
    case X_SCORE:
    case X_PASS_MARK:
    case X_REACHED:
      {
        g_autoptr(CpScoreSummary) summary = cp_scoring_compute (sheet_of (packet), packet);
        const CpScoringMark *mark =
          cp_scoring_sheet_lookup_pass_mark (sheet_of (packet),
                                             cp_packet_get_string (packet, "recognition",
                                                                   "level") ?: "");

        if (column->extract == X_SCORE)
          {
            value.type = V_NUMBER;
            value.number = round (cp_score_summary_get_total (summary, score_column) * 1e6) / 1e6;
          }
        else if (column->extract == X_PASS_MARK)
          {
            value.type = V_NUMBER;
            value.number = mark->min;
          }
        else
          {
            gboolean reached = cp_score_summary_meets_pass_mark (summary, score_column, mark->id);

            value.type = V_TEXT;
            value.text = g_strdup (column->labels[reached ? 0 : 1]);
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
  return value;
}

typedef struct
{
  CpPacket *packet;
  Value     cells[16];
} Expected;

static const Report *sorting;

static int
compare_expected (gconstpointer a,
                  gconstpointer b)
{
  const Expected *x = *(const Expected * const *) a;
  const Expected *y = *(const Expected * const *) b;

  /* By district (its order in the template), ... */
  if (x->cells[1].order != y->cells[1].order)
    return x->cells[1].order - y->cells[1].order;
  /* ... the re-review list by title level, ... */
  if (g_str_equal (sorting->id, "demonstration-review-list") &&
      x->cells[4].order != y->cells[4].order)
    return x->cells[4].order - y->cells[4].order;
  /* ... the score lists by the score, highest first, ... */
  if (sorting->sort_score > 0)
    {
      double s = x->cells[sorting->sort_score].number;
      double t = y->cells[sorting->sort_score].number;

      if (s != t)
        return s > t ? -1 : 1;
    }
  /* ... then by name. */
  return strcmp (x->cells[2].text, y->cells[2].text);
}

static guint
n_columns_of (const Report *report)
{
  guint n = 0;

  while (n < G_N_ELEMENTS (report->columns) && report->columns[n].heading != NULL)
    n++;
  return n;
}

/* The rows the report must have for @year, seen by an office of @district (NULL: all). */
static GPtrArray *
expected_rows (const Report *report,
               int           year,
               const char   *district,
               gboolean      handed_in)
{
  GPtrArray *rows = g_ptr_array_new ();
  guint n = n_columns_of (report);

  for (guint i = 0; i < seeded->len; i++)
    {
      CpPacket *packet = g_ptr_array_index (seeded, i);
      Expected *row;

      if (!g_str_equal (cp_packet_get_kind (packet), report->kind) ||
          cp_packet_get_year (packet) != year ||
          !(report->states & (1u << cp_packet_get_state (packet))) ||
          (handed_in && !(HANDED_IN & (1u << cp_packet_get_state (packet)))) ||
          (district != NULL &&
           !g_str_equal (cp_packet_get_string (packet, "cover", "district"), district)))
        continue;
      row = g_new0 (Expected, 1);
      row->packet = packet;
      for (guint c = 0; c < n; c++)
        row->cells[c] = extract (&report->columns[c], packet);
      g_ptr_array_add (rows, row);
    }
  sorting = report;
  g_ptr_array_sort (rows, compare_expected);
  for (guint r = 0; r < rows->len; r++)
    {
      Expected *row = g_ptr_array_index (rows, r);

      row->cells[0].type = V_NUMBER;
      row->cells[0].number = r + 1;
    }
  return rows;
}

static void
expected_free (GPtrArray *rows,
               const Report *report)
{
  for (guint r = 0; r < rows->len; r++)
    {
      Expected *row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < n_columns_of (report); c++)
        value_clear (&row->cells[c]);
      g_free (row);
    }
  g_ptr_array_unref (rows);
}

/* --- reading back ------------------------------------------------------------------------ */

static JsonNode *
read_table (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "server", "read-table.py", NULL);
  /* Debian's own Python, where python3-openpyxl is installed (not a python3 earlier in PATH). */
  const char *argv[] = { g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ?
                         "/usr/bin/python3" : "python3", script, path, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("read-table.py %s: %s", path, err);
  return json_from_string (out, &error);
}

static void
assert_cell (JsonNode    *cell,
             const Value *want,
             gboolean     csv,
             const char  *where)
{
  g_test_message ("%s", where);
  if (want->type == V_EMPTY)
    {
      if (csv)
        g_assert_cmpstr (json_node_get_string (cell), ==, "");
      else
        g_assert_true (JSON_NODE_HOLDS_NULL (cell));
      return;
    }
  if (csv)
    {
      if (want->type == V_NUMBER)
        {
          g_assert_cmpfloat_with_epsilon (g_ascii_strtod (json_node_get_string (cell), NULL),
                                          want->number, 1e-6);
          return;
        }
      g_assert_cmpstr (json_node_get_string (cell), ==, want->text);
      return;
    }
  switch (want->type)
    {
    case V_TEXT:
      g_assert_true (JSON_NODE_HOLDS_VALUE (cell));
      g_assert_cmpstr (json_node_get_string (cell), ==, want->text);
      break;
    case V_NUMBER:
      g_assert_true (JSON_NODE_HOLDS_VALUE (cell));
      g_assert_cmpint (json_node_get_value_type (cell), !=, G_TYPE_STRING);
      g_assert_cmpfloat_with_epsilon (json_node_get_double (cell), want->number, 1e-6);
      break;
    case V_DATE:
      g_assert_true (JSON_NODE_HOLDS_OBJECT (cell));
      g_assert_cmpstr (json_get_string (cell, "date"), ==, want->text);
      break;
    case V_EMPTY:
    default:
      g_assert_not_reached ();
    }
}

/* The whole table: title, headings, every cell, the totals; for a workbook also the frozen
 * panes, the filter, the number formats and the widths. An office's table (@handed_in) counts
 * only the packets handed in: it does not see drafts (issue 11). */
static void
check_table (const Report *report,
             const char   *path,
             int           year,
             const char   *district_choice,
             const char   *district_name,
             gboolean      handed_in)
{
  g_autoptr(JsonNode) root = read_table (path);
  JsonArray *rows = json_object_get_array_member (json_node_get_object (root), "rows");
  GPtrArray *want = expected_rows (report, year, district_choice, handed_in);
  gboolean csv = g_str_has_suffix (path, ".csv");
  guint n = n_columns_of (report);
  guint first = csv ? 1 : 2;
  g_autofree char *title = g_strdup_printf ("%d年%s%s", year,
                                            district_name != NULL ? district_name : "",
                                            report->title);
  double sum = 0;
  guint n_scored = 0;

  g_test_message ("%s (%s): %u rows", report->id, path, want->len);
  g_assert_cmpuint (want->len, >, 0);
  g_assert_cmpuint (json_array_get_length (rows), ==, first + want->len + 1);

  if (!csv)
    {
      JsonObject *book = json_node_get_object (root);
      JsonArray *title_row = json_array_get_array_element (rows, 0);
      JsonArray *formats = json_object_get_array_member (book, "formats");
      JsonObject *widths = json_object_get_object_member (book, "widths");
      g_autofree char *last = g_strdup_printf ("%c%u", 'A' + (char) (n - 1), 2 + want->len);
      g_autofree char *filter = g_strdup_printf ("A2:%s", last);
      g_autofree char *merged = g_strdup_printf ("A1:%c1", 'A' + (char) (n - 1));

      g_assert_cmpstr (json_array_get_string_element (title_row, 0), ==, title);
      g_assert_cmpstr (json_object_get_string_member (book, "title"), ==, title);
      g_assert_cmpstr (json_object_get_string_member (book, "freeze"), ==, "D3");
      g_assert_cmpstr (json_object_get_string_member (book, "filter"), ==, filter);
      g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (book,
                                                                                    "merged"), 0),
                       ==, merged);
      for (guint c = 0; c < n; c++)
        {
          char letter[2] = { (char) ('A' + c), 0 };
          const char *format = json_array_get_string_element (json_array_get_array_element (formats,
                                                                                            2), c);

          g_assert_true (json_object_has_member (widths, letter));
          g_assert_cmpfloat (json_object_get_double_member (widths, letter), >=, 6);
          switch (report->columns[c].extract)
            {
            case X_DATE:
            case X_SUBMITTED:
              g_assert_cmpstr (format, ==, "yyyy-mm-dd");
              break;
            case X_SCORE:
              g_assert_cmpstr (format, ==, "0.0");
              break;
            case X_ROW:
              g_assert_cmpstr (format, ==, "0");
              break;
            case X_TEXT:
            case X_CHOICE:
            case X_LABEL:
            case X_REACHED:
              g_assert_cmpstr (format, ==, "General");
              break;
            case X_NUMBER:
            case X_PASS_MARK:
            default:
              break;
            }
        }
      /* The money column. */
      if (g_str_equal (report->id, "provincial-candidates"))
        g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (formats, 2),
                                                        8), ==, "#,##0.00");
    }

  /* The headings. */
  for (guint c = 0; c < n; c++)
    g_assert_cmpstr (json_array_get_string_element (json_array_get_array_element (rows,
                                                                                  first - 1), c),
                     ==, report->columns[c].heading);

  /* Every cell. */
  for (guint r = 0; r < want->len; r++)
    {
      Expected *row = g_ptr_array_index (want, r);
      JsonArray *got = json_array_get_array_element (rows, first + r);

      g_assert_cmpuint (json_array_get_length (got), ==, n);
      for (guint c = 0; c < n; c++)
        {
          g_autofree char *where = g_strdup_printf ("%s row %u column %u (%s)", report->id, r + 1,
                                                    c + 1, report->columns[c].heading);

          assert_cell (json_array_get_element (got, c), &row->cells[c], csv, where);
        }
      if (report->average && row->cells[report->score_column].type == V_NUMBER)
        {
          sum += row->cells[report->score_column].number;
          n_scored++;
        }
    }

  /* Totals: the label, the count of enterprises, the average score. */
  {
    JsonArray *totals = json_array_get_array_element (rows, first + want->len);
    Value label = { V_TEXT, (char *) "合计", 0, -1 };
    Value count = { V_NUMBER, NULL, want->len, -1 };

    assert_cell (json_array_get_element (totals, 0), &label, csv, "totals label");
    assert_cell (json_array_get_element (totals, 2), &count, csv, "totals count");
    if (report->average)
      {
        Value average = { V_NUMBER, NULL, sum / n_scored, -1 };

        if (csv)
          {
            const char *text = json_array_get_string_element (totals, report->score_column);

            g_assert_cmpfloat_with_epsilon (g_ascii_strtod (text, NULL), average.number, 0.005);
          }
        else
          assert_cell (json_array_get_element (totals, report->score_column), &average, FALSE,
                       "totals average");
      }
  }

  expected_free (want, report);
}

/* --- the tests --------------------------------------------------------------------------- */

static char *
server_binary (void)
{
  const char *binary = g_getenv ("CP_SERVER_BINARY");

  g_assert_nonnull (binary);
  return g_strdup (binary);
}

/* credit-packet-server ARGS… on the fixture's database; returns the exit status. */
static int
run_cli (ServerFixture *f,
         char         **out,
         const char    *first,
         ...) G_GNUC_NULL_TERMINATED;

static int
run_cli (ServerFixture *f,
         char         **out,
         const char    *first,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, server_binary ());
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (f->dir));
  if (f->database != NULL)
    {
      g_ptr_array_add (argv, g_strdup ("--database"));
      g_ptr_array_add (argv, g_strdup (f->database));
    }
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, g_strdup (arg));
  va_end (args);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &stdout_text, &stderr_text, &status, &error));
  g_assert_no_error (error);
  if (out != NULL)
    *out = g_strconcat (stdout_text, stderr_text, NULL);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static char *
save_reply (ServerFixture *f,
            Reply         *reply,
            const char    *name)
{
  char *path = g_build_filename (f->dir, name, NULL);
  gsize length = 0;
  const char *data = g_bytes_get_data (reply->body, &length);

  g_assert_true (g_file_set_contents (path, data, length, NULL));
  return path;
}

/* Each of the six, cell by cell: the whole city from the administrator, Kunshan's office over
 * HTTP (only its district), Wuzhong's from the command line, as XLSX and as CSV. */
static void
test_six_reports (ServerFixture *f,
                  gconstpointer  data)
{
  g_autofree char *admin = server_login (f, "admin");
  g_autofree char *kunshan = server_login (f, "office-kunshan");

  for (guint i = 0; i < G_N_ELEMENTS (reports); i++)
    {
      const Report *report = &reports[i];
      g_autofree char *xlsx_path = g_strdup_printf ("/api/v1/reports/%s?year=2020", report->id);
      g_autofree char *csv_path = g_strdup_printf ("/api/v1/reports/%s?year=2020&format=csv",
                                                   report->id);
      g_autofree char *name = g_strdup_printf ("%s-admin.xlsx", report->id);
      g_autofree char *csv_name = g_strdup_printf ("%s-kunshan.csv", report->id);
      g_autofree char *office_name = g_strdup_printf ("%s-kunshan.xlsx", report->id);
      g_autofree char *cli_path = g_strdup_printf ("%s/%s-wuzhong.xlsx", f->dir, report->id);
      g_autofree char *cli_csv = g_strdup_printf ("%s/%s-all.csv", f->dir, report->id);
      g_autofree char *saved = NULL;
      g_autofree char *out = NULL;
      g_autoptr(Reply) reply = NULL;
      g_autoptr(Reply) office = NULL;
      g_autoptr(Reply) office_csv = NULL;
      SoupMessageHeaders *headers;

      reply = server_request (f, "GET", xlsx_path, admin, NULL, 0, NULL);
      g_assert_cmpuint (reply->status, ==, 200);
      headers = soup_message_get_response_headers (reply->msg);
      g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      g_assert_nonnull (strstr (soup_message_headers_get_one (headers, "Content-Disposition"),
                                report->id));
      saved = save_reply (f, reply, name);
      check_table (report, saved, 2020, NULL, NULL, FALSE);
      g_clear_pointer (&saved, g_free);

      /* A district office sees its district only, titled so. */
      office = server_request (f, "GET", xlsx_path, kunshan, NULL, 0, NULL);
      g_assert_cmpuint (office->status, ==, 200);
      saved = save_reply (f, office, office_name);
      check_table (report, saved, 2020, "kunshan", "昆山", TRUE);
      g_clear_pointer (&saved, g_free);

      office_csv = server_request (f, "GET", csv_path, kunshan, NULL, 0, NULL);
      g_assert_cmpuint (office_csv->status, ==, 200);
      g_assert_true (g_str_has_prefix (g_bytes_get_data (office_csv->body, NULL),
                                       "\xef\xbb\xbf序号,"));
      saved = save_reply (f, office_csv, csv_name);
      check_table (report, saved, 2020, "kunshan", "昆山", TRUE);

      /* The command line, on the same database. */
      g_assert_cmpint (run_cli (f, &out, "report", report->id, "--year", "2020", "--district",
                                "wuzhong", "-o", cli_path, NULL), ==, 0);
      check_table (report, cli_path, 2020, "wuzhong", "吴中", FALSE);
      g_clear_pointer (&out, g_free);
      g_assert_cmpint (run_cli (f, &out, "report", report->id, "--year", "2021", "-o", cli_csv,
                                NULL), ==, 0);
      check_table (report, cli_csv, 2021, NULL, NULL, FALSE);
    }
}

/* Who may read which report, and bad input of every kind: a clear answer, nothing written. */
static void
test_access_and_bad_input (ServerFixture *f,
                           gconstpointer  data)
{
  g_autofree char *admin = server_login (f, "admin");
  g_autofree char *kunshan = server_login (f, "office-kunshan");
  g_autofree char *enterprise = server_login (f, "ent-1");
  g_autofree char *agency = server_login (f, "agency-a");
  g_autofree char *out = NULL;
  g_autofree char *target = g_build_filename (f->dir, "out", "report.xlsx", NULL);
  g_autofree char *out_dir = g_build_filename (f->dir, "out", NULL);
  g_autofree char *blocker = g_build_filename (f->dir, "blocker", NULL);
  g_autofree char *inside = g_build_filename (blocker, "report.xlsx", NULL);
  const char *path = "/api/v1/reports/demonstration-review-list?year=2020";

  /* The list. */
  {
    g_autoptr(Reply) reply = server_request (f, "GET", "/api/v1/reports", kunshan, NULL, 0,
                                             NULL);
    JsonArray *list;

    g_assert_cmpuint (reply->status, ==, 200);
    list = json_object_get_array_member (json_node_get_object (reply->json), "reports");
    g_assert_cmpuint (json_array_get_length (list), ==, G_N_ELEMENTS (reports));
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                    "id"), ==, "city-demonstration-applicants");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0),
                                                    "due"), ==, "04-30");
  }

  /* Enterprises and agencies get none; nobody without a token. */
  {
    g_autoptr(Reply) a = server_request (f, "GET", path, enterprise, NULL, 0, NULL);
    g_autoptr(Reply) b = server_request (f, "GET", path, agency, NULL, 0, NULL);
    g_autoptr(Reply) c = server_request (f, "GET", "/api/v1/reports", agency, NULL, 0, NULL);
    g_autoptr(Reply) d = server_request (f, "GET", path, NULL, NULL, 0, NULL);

    assert_problem (a, 403, "forbidden");
    assert_problem (b, 403, "forbidden");
    assert_problem (c, 403, "forbidden");
    g_assert_cmpuint (d->status, ==, 401);
  }

  /* An office asks for another district: refused; the administrator may narrow to one. */
  {
    g_autoptr(Reply) a = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=2020&district=wuzhong", kunshan, NULL, 0, NULL);
    g_autoptr(Reply) b = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=2020&district=kunshan", kunshan, NULL, 0, NULL);
    g_autoptr(Reply) c = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=2020&district=kunshan", admin, NULL, 0, NULL);
    g_autoptr(Reply) d = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=2020&district=atlantis", admin, NULL, 0, NULL);
    g_autofree char *saved = NULL;

    assert_problem (a, 403, "forbidden");
    g_assert_cmpuint (b->status, ==, 200);
    g_assert_cmpuint (c->status, ==, 200);
    saved = save_reply (f, c, "admin-kunshan.xlsx");
    check_table (&reports[4], saved, 2020, "kunshan", "昆山", FALSE);
    assert_problem (d, 404, "unknown-district");
  }

  /* Unknown report, no year, a year without data, a bad format, a bad name. */
  {
    g_autoptr(Reply) a = server_request (f, "GET", "/api/v1/reports/annual-accounts?year=2020",
                                         admin, NULL, 0, NULL);
    g_autoptr(Reply) b = server_request (f, "GET", "/api/v1/reports/demonstration-review-list",
                                         admin, NULL, 0, NULL);
    g_autoptr(Reply) c = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=2019", admin, NULL, 0, NULL);
    g_autoptr(Reply) d = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=2020&format=pdf", admin, NULL, 0, NULL);
    g_autoptr(Reply) e = server_request (f, "GET", "/api/v1/reports/..%2Fetc?year=2020", admin,
                                         NULL, 0, NULL);
    g_autoptr(Reply) g = server_request (f, "GET", "/api/v1/reports/demonstration-review-list"
                                         "?year=twenty", admin, NULL, 0, NULL);

    assert_problem (a, 404, "unknown-report");
    assert_problem (b, 400, "bad-request");
    assert_problem (c, 404, "no-data");
    g_assert_nonnull (strstr (json_get_string (c->json, "detail"), "2019"));
    assert_problem (d, 400, "bad-request");
    g_assert_cmpuint (e->status, ==, 400);
    assert_problem (g, 400, "bad-request");
  }

  /* The command line: the list; usage errors exit 2, a year without data or an unwritable
   * file 1, and leave nothing. */
  g_assert_cmpint (run_cli (f, &out, "report", "list", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "provincial-candidates"));
  g_assert_nonnull (strstr (out, "省级示范候选企业名单"));
  g_assert_nonnull (strstr (out, "07-31"));
  g_clear_pointer (&out, g_free);

  g_mkdir (out_dir, 0700);
  g_assert_cmpint (run_cli (f, &out, "report", "annual-accounts", "--year", "2020", "-o", target,
                            NULL), ==, 2);
  g_assert_nonnull (strstr (out, "annual-accounts"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "report", "provincial-candidates", "-o", target, NULL), ==,
                   2);
  g_assert_nonnull (strstr (out, "--year"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "report", "provincial-candidates", "--year", "2020", NULL),
                   ==, 2);
  g_assert_nonnull (strstr (out, "-o"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "report", "provincial-candidates", "--year", "2020", "-o",
                            "report.pdf", NULL), ==, 2);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "report", "provincial-candidates", "--year", "2020",
                            "--district", "atlantis", "-o", target, NULL), ==, 2);
  g_assert_nonnull (strstr (out, "atlantis"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (f, &out, "report", "provincial-candidates", "--year", "2019", "-o",
                            target, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "2019"));
  g_clear_pointer (&out, g_free);
  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  g_assert_cmpint (run_cli (f, &out, "report", "provincial-candidates", "--year", "2020", "-o",
                            inside, NULL), ==, 1);
  g_assert_nonnull (strstr (out, "report.xlsx"));
  g_clear_pointer (&out, g_free);

  {
    g_autoptr(GDir) dir = g_dir_open (out_dir, 0, NULL);

    g_assert_null (g_dir_read_name (dir));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  templates = cp_template_registry_new_default (&error);
  g_assert_no_error (error);

  g_test_add ("/reports/six-reports", ServerFixture, (gconstpointer) seed_cb,
              server_fixture_setup, test_six_reports, server_fixture_teardown);
  g_test_add ("/reports/access-and-bad-input", ServerFixture, (gconstpointer) seed_cb,
              server_fixture_setup, test_access_and_bad_input, server_fixture_teardown);

  make_seeded ();
  ret = g_test_run ();
  g_clear_pointer (&seeded, g_ptr_array_unref);
  g_clear_object (&templates);
  return ret;
}
