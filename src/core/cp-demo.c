/* cp-demo.c — realistic, complete sample packets for demonstrations, tests and benchmarks
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "cp-demo.h"
#include "cp-date.h"
#include "cp-uscc.h"

/* Made-up enterprises of Suzhou: every name below is an invented combination. */
typedef struct
{
  const char *id;        /* the "district" choice of the cover */
  const char *division;  /* GB/T 2260 code of the registering authority */
  const char *place;     /* prefix of enterprise names */
  const char *name;      /* for offices: "吴中区" */
  const char *city;      /* "苏州市" for districts, "" for county-level cities */
  const char *street;
  const char *postcode;
} District;

static const District districts[] = {
  { "zhangjiagang", "320582", "张家港", "张家港市", "", "杨舍镇港城大道", "215600" },
  { "changshu", "320581", "常熟", "常熟市", "", "虞山街道海虞北路", "215500" },
  { "taicang", "320585", "太仓", "太仓市", "", "城厢镇上海东路", "215400" },
  { "kunshan", "320583", "昆山", "昆山市", "", "玉山镇前进西路", "215300" },
  { "wujiang", "320509", "苏州", "吴江区", "苏州市", "松陵街道中山南路", "215200" },
  { "wuzhong", "320506", "苏州", "吴中区", "苏州市", "长桥街道东吴北路", "215100" },
  { "xiangcheng", "320507", "苏州", "相城区", "苏州市", "元和街道相城大道", "215131" },
  { "gusu", "320508", "苏州", "姑苏区", "苏州市", "平江街道人民路", "215000" },
  { "snd", "320505", "苏州", "苏州高新区", "", "狮山街道长江路", "215011" },
};

static const char * const trade_names[] = {
  "恒瑞", "华盛", "永泰", "金鼎", "东吴", "新宇", "瑞丰", "天成", "宏达", "润禾", "博远", "信诚",
};
static const char * const industries[] = {
  "精密机械", "电子科技", "纺织", "新材料", "物流", "环保科技", "医疗器械", "食品", "汽车零部件",
  "智能装备",
};
static const char * const industry_names[] = {
  "通用设备制造业", "计算机、通信和其他电子设备制造业", "纺织业", "化学原料和化学制品制造业",
  "道路运输业", "生态保护和环境治理业", "专用设备制造业", "食品制造业", "汽车制造业",
  "专用设备制造业",
};
static const char * const scopes[] = {
  "精密机械零部件的研发、生产和销售；自营和代理各类商品及技术的进出口业务。",
  "电子元器件、电子产品的研发、生产和销售；软件开发及技术服务。",
  "纺织品、服装的生产、加工和销售；纺织原料购销。",
  "新型复合材料的研发、生产和销售；技术咨询和技术转让。",
  "普通货运、仓储服务（不含危险品）；供应链管理服务。",
  "环保设备的研发、制造和销售；环境工程设计与施工。",
  "第二类医疗器械的研发、生产和销售。",
  "食品生产、销售；农副产品收购。",
  "汽车零部件及配件的研发、制造和销售。",
  "工业自动化设备、机器人的研发、生产和销售。",
};
static const char * const surnames[] = {
  "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "朱", "马", "胡", "郭",
  "沈", "顾", "陆", "钱",
};
static const char * const given_names[] = {
  "建国", "海峰", "晓东", "丽华", "志强", "文静", "国平", "俊杰", "雪梅", "明辉", "振华", "燕",
  "伟", "秀英", "红梅", "立新",
};
static const char * const positions[] = {
  "总经理", "财务总监", "信用管理部经理", "销售部经理", "法务专员", "办公室主任",
};
static const char * const agencies[] = {
  "苏州诚德信用管理咨询有限公司", "江苏信衡企业信用评估有限公司", "苏州中正信用服务有限公司",
  "苏州天诚征信有限公司",
};

typedef struct
{
  CpTemplate     *tpl;
  CpPacket       *packet;
  guint           seed;
  int             year;
  GDate           submission;
  const District *district;
  guint           agency;
  char           *name;
  char           *uscc;
  char           *agency_uscc;
  char           *legal_rep;
  char           *contact;
  char           *manager;
  char           *address;
  char           *contract_number;
  char           *host;
  guint           counter;
} Demo;

static void
demo_clear (Demo *d)
{
  g_free (d->name);
  g_free (d->uscc);
  g_free (d->agency_uscc);
  g_free (d->legal_rep);
  g_free (d->contact);
  g_free (d->manager);
  g_free (d->address);
  g_free (d->contract_number);
  g_free (d->host);
}

static guint
mix (guint seed,
     guint salt)
{
  guint32 h = seed * 2654435761u ^ (salt + 0x9e3779b9u + (seed << 6) + (seed >> 2));

  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  h ^= h >> 12;
  h *= 0x297a2d39u;
  h ^= h >> 15;
  return h;
}

static char *
person (guint seed,
        guint salt)
{
  guint h = mix (seed, salt);

  return g_strconcat (surnames[h % G_N_ELEMENTS (surnames)],
                      given_names[(h / 97) % G_N_ELEMENTS (given_names)], NULL);
}

char *
cp_demo_uscc (const char *division6,
              guint       seed)
{
  static const char digits[] = "0123456789";
  char code[CP_USCC_LENGTH + 1];
  guint h = mix (seed, 17);

  g_return_val_if_fail (division6 != NULL && strlen (division6) == 6, NULL);

  code[0] = '9';
  code[1] = '1';
  memcpy (code + 2, division6, 6);
  /* Organization codes of enterprises registered since 2015 are mostly "MA" + letters and
   * digits; older ones are eight digits. */
  code[8] = 'M';
  code[9] = 'A';
  for (guint i = 10; i < 16; i++)
    {
      code[i] = (i == 12 && h % 3 == 0) ? "ABCDEFGHJKLMNPQRTUWXY"[h % 21] : digits[h % 10];
      h = h / 10 + mix (h, i);
    }
  code[16] = cp_uscc_compute_org_check (code + 8);
  code[17] = cp_uscc_compute_check (code);
  code[18] = '\0';
  return g_strdup (code);
}

static void
date_offset (const GDate *from,
             int          days,
             GDate       *out)
{
  *out = *from;
  if (days >= 0)
    g_date_add_days (out, (guint) days);
  else
    g_date_subtract_days (out, (guint) -days);
}

static JsonNode *
date_node (const GDate *date)
{
  g_autofree char *text = cp_date_format (date);
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, text);
  return node;
}

static JsonNode *
string_node (const char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  return node;
}

static JsonNode *
take_string_node (char *value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_string (node, value);
  g_free (value);
  return node;
}

static JsonNode *
number_node (double value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  if (value == floor (value) && fabs (value) < 1e15)
    json_node_set_int (node, (gint64) value);
  else
    json_node_set_double (node, round (value * 100) / 100);
  return node;
}

static JsonNode *
bool_node (gboolean value)
{
  JsonNode *node = json_node_new (JSON_NODE_VALUE);

  json_node_set_boolean (node, value);
  return node;
}

static const char *
zh (const CpText *text)
{
  const char *s = cp_text_get_for (text, "zh_CN");

  return s != NULL ? s : cp_text_get (text);
}

/* Adds a manifest entry for a made-up file and returns its SHA-256. */
static char *
add_file (Demo          *d,
          const CpField *field,
          const char    *suffix,
          const char    *mime)
{
  g_autofree char *key = g_strdup_printf ("%s/%s/%u/%u", cp_template_get_id (d->tpl),
                                          field->path, d->seed, d->counter++);
  g_autofree char *name = NULL;
  char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  const char *ext = g_str_equal (mime, "application/pdf") ? "pdf" :
                    g_str_has_prefix (mime, "image/") ? "jpg" : "docx";

  name = g_strdup_printf ("%s%s.%s", zh (field->label), suffix, ext);
  cp_packet_add_attachment (d->packet, name, sha, 80000 + mix (d->seed, d->counter) % 2400000,
                            mime);
  return sha;
}

static const char *
file_mime (const CpField *field)
{
  const char *first;

  if (field->mime_types == NULL)
    return "application/pdf";
  first = field->mime_types[0];
  if (g_str_equal (first, "image/*"))
    return "image/jpeg";
  return first;
}

static char *
office_phone (Demo *d,
              guint salt)
{
  return g_strdup_printf ("0512-6%07u", mix (d->seed, salt) % 10000000);
}

static char *
mobile_phone (Demo *d,
              guint salt)
{
  static const char * const prefixes[] = { "139", "138", "137", "136", "186", "158", "151" };
  guint h = mix (d->seed, salt);

  return g_strdup_printf ("%s%08u", prefixes[h % G_N_ELEMENTS (prefixes)], (h / 7) % 100000000);
}

static char *
office_name (Demo       *d,
             const char *role)
{
  if (g_str_equal (role, "district-office"))
    return g_strdup_printf ("%s信用办", d->district->name);
  if (g_str_equal (role, "city-office"))
    return g_strdup ("苏州市信用办");
  if (g_str_equal (role, "provincial-office"))
    return g_strdup ("江苏省信用办");
  return NULL;
}

static char *
text_value (Demo          *d,
            const CpField *f,
            guint          item)
{
  const char *id = f->id;
  guint h = mix (d->seed, 5);

  if (g_str_equal (id, "enterprise_name"))
    return g_strdup (d->name);
  if (g_str_equal (id, "legal_representative"))
    return g_strdup (d->legal_rep);
  if (g_str_equal (id, "contact_person"))
    return g_strdup (d->contact);
  if (g_str_equal (id, "manager"))
    return g_strdup (d->manager);
  if (g_str_equal (id, "address") || g_str_equal (id, "domicile"))
    return g_strdup (d->address);
  if (g_str_equal (id, "agency_name") || g_str_equal (id, "evaluator"))
    return g_strdup (agencies[d->agency]);
  if (g_str_equal (id, "contract_number"))
    return g_strdup (d->contract_number);
  if (g_str_equal (id, "report_number"))
    return g_strdup_printf ("JSXY%d%08u", d->year, mix (d->seed, 21) % 100000000);
  if (g_str_equal (id, "registering_authority"))
    return g_strdup_printf ("%s%s市场监督管理局", d->district->city, d->district->name);
  if (g_str_equal (id, "industry"))
    return g_strdup (industry_names[h % G_N_ELEMENTS (industry_names)]);
  if (g_str_equal (id, "name") || g_str_equal (id, "assessed_by"))
    return person (d->seed, 100 + item * 7 + (guint) strlen (f->path));
  if (g_str_equal (id, "position"))
    return g_strdup (positions[(item + h) % G_N_ELEMENTS (positions)]);
  if (g_str_equal (id, "certificate_number"))
    return g_strdup_printf ("XYGL%06u", mix (d->seed, 300 + item) % 1000000);
  if (g_str_equal (id, "document_number"))
    return g_strdup_printf ("苏信用办〔%d〕%u号", d->year - 4, 10 + h % 40);
  if (g_str_equal (id, "standardization_certificate"))
    return g_strdup_printf ("JSGB%d%05u", d->year - 2, h % 100000);
  if (g_str_equal (id, "assessor"))
    return g_strdup ("信用管理部");
  if (g_str_equal (id, "auditor"))
    return g_strdup ("苏州华信会计师事务所有限公司");
  return g_strdup_printf ("%s（示例）", zh (f->label));
}

static char *
multiline_value (Demo          *d,
                 const CpField *f)
{
  const char *id = f->id;

  if (g_str_equal (id, "business_scope"))
    return g_strdup (scopes[mix (d->seed, 5) % G_N_ELEMENTS (scopes)]);
  if (g_str_has_suffix (id, "opinion"))
    return g_strdup ("经审核，该企业申报材料齐全，信用状况良好，同意推荐。");
  if (g_str_equal (id, "continuity"))
    return g_strdup ("企业自获评示范以来保持信用管理部门和专职人员稳定，客户资信调查、授信审批、"
                     "合同评审和应收账款管理制度持续执行，逾期账款比例逐年下降。");
  if (g_str_equal (id, "practices"))
    return g_strdup ("建立客户信用分级数据库，将信用评价结果嵌入销售审批流程；定期向管理层报送"
                     "信用风险报告；主动应用第三方信用报告和信用保险。");
  return g_strdup_printf ("%s：企业已按《江苏省企业信用管理规范》建立信用管理制度，设立信用管理部门，"
                          "客户资信档案完整，授信和合同管理规范，应收账款逾期率持续下降。",
                          zh (f->label));
}

static double
number_value (Demo          *d,
              const CpField *f,
              guint          item,
              guint          n_items)
{
  const char *id = f->id;
  double assets = 6000 + (mix (d->seed, 40) % 60) * 250;
  double growth = pow (1.08, (double) item);
  double revenue = assets * 1.3 * growth;
  double value;

  if (g_str_equal (id, "year"))
    value = d->year - (int) n_items + (int) item;
  else if (g_str_equal (id, "total_assets"))
    value = round (assets * growth * 100) / 100;
  else if (g_str_equal (id, "total_liabilities"))
    value = round (assets * growth * 45) / 100;
  else if (g_str_equal (id, "owners_equity"))
    value = round (assets * growth * 100) / 100 - round (assets * growth * 45) / 100;
  else if (g_str_equal (id, "output") || g_str_equal (id, "revenue"))
    value = round (revenue * 100) / 100;
  else if (g_str_equal (id, "net_profit"))
    value = round (revenue * 6) / 100;
  else if (g_str_equal (id, "taxes_paid"))
    value = round (revenue * 4) / 100;
  else if (g_str_equal (id, "registered_capital"))
    value = 1000 + (mix (d->seed, 41) % 20) * 500;
  else if (g_str_equal (id, "headcount"))
    value = 150 + mix (d->seed, 42) % 400;
  else if (g_str_equal (id, "staff_postgraduate"))
    value = 3 + mix (d->seed, 43) % 10;
  else if (g_str_equal (id, "staff_bachelor"))
    value = 30 + mix (d->seed, 44) % 60;
  else if (g_str_equal (id, "staff_college"))
    value = 40 + mix (d->seed, 45) % 60;
  else if (g_str_equal (id, "title_senior"))
    value = 2 + mix (d->seed, 46) % 8;
  else if (g_str_equal (id, "title_intermediate"))
    value = 10 + mix (d->seed, 47) % 20;
  else if (g_str_equal (id, "title_junior"))
    value = 20 + mix (d->seed, 48) % 30;
  else if (g_str_equal (id, "report_minutes"))
    value = 20 + mix (d->seed, 49) % 10;
  else if (g_str_equal (id, "recognised_year"))
    value = d->year - 4 - (int) (mix (d->seed, 50) % 3);
  else
    value = f->has_min ? f->min : 1;

  if (f->has_min && value < f->min)
    value = f->min;
  if (f->has_max && value > f->max)
    value = f->max;
  return value;
}

static void
date_value (Demo          *d,
            const CpField *f,
            GDate         *out)
{
  const char *id = f->id;
  int jitter = (int) (mix (d->seed, 60) % 20);

  if (g_str_equal (id, "founding_date"))
    {
      cp_date_add_months (&d->submission, -12 * (6 + (int) (mix (d->seed, 61) % 15)), out);
      date_offset (out, -jitter * 9, out);
    }
  else if (g_str_equal (id, "standardization_passed_on"))
    {
      cp_date_add_months (&d->submission, -15, out);
      date_offset (out, -jitter, out);
    }
  else if (g_str_equal (id, "valid_until"))
    date_offset (&d->submission, 90, out);
  else if (g_str_equal (id, "issued_on"))
    date_offset (&d->submission, -20 - jitter / 2, out);
  else if (g_str_equal (id, "signed_on"))
    {
      cp_date_add_months (&d->submission, -10, out);
      date_offset (out, -7, out);
    }
  else if (g_str_equal (id, "start_date"))
    cp_date_add_months (&d->submission, -10, out);
  else if (g_str_equal (id, "end_date"))
    cp_date_add_months (&d->submission, 2, out);
  else if (g_str_equal (id, "survey_date") || g_str_equal (id, "review_date") ||
           g_str_equal (id, "evaluated_on"))
    date_offset (&d->submission, -21, out);
  else if (g_str_equal (id, "report_date"))
    date_offset (&d->submission, -15, out);
  else if (g_str_equal (id, "feedback_date"))
    date_offset (&d->submission, -10, out);
  else
    date_offset (&d->submission, -30 - jitter, out);
}

static gboolean
option_excluded (Demo          *d,
                 const CpField *field,
                 const char    *option)
{
  GPtrArray *rules = cp_template_get_rules (d->tpl);

  for (guint i = 0; i < rules->len; i++)
    {
      const CpRule *rule = g_ptr_array_index (rules, i);

      if (rule->type == CP_RULE_EXCLUDED_VALUES && g_ptr_array_index (rule->fields, 0) == field &&
          g_strv_contains ((const char * const *) rule->values, option))
        return TRUE;
    }
  return FALSE;
}

static JsonNode *
choice_value (Demo          *d,
              const CpField *f)
{
  if (g_str_equal (f->id, "district") && cp_field_lookup_option (f, d->district->id) != NULL)
    return string_node (d->district->id);
  if (g_str_equal (f->id, "level") && f->options->len > 1 && d->seed % 2 == 1)
    return string_node (((CpChoiceOption *) g_ptr_array_index (f->options, 1))->id);
  for (guint i = 0; i < f->options->len; i++)
    {
      const CpChoiceOption *option = g_ptr_array_index (f->options, i);

      if (!option_excluded (d, f, option->id))
        return string_node (option->id);
    }
  return string_node (((CpChoiceOption *) g_ptr_array_index (f->options, 0))->id);
}

static JsonNode *
signature_value (Demo          *d,
                 const CpField *f)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *signer = NULL;
  g_autofree char *scan = NULL;
  const char *role = f->role != NULL ? f->role : "enterprise";
  GDate date;

  if (g_str_equal (role, "enterprise"))
    signer = g_strdup (d->name);
  else if (g_str_equal (role, "enterprise-head") || g_str_equal (role, "legal-representative"))
    signer = g_strdup (d->legal_rep);
  else if (g_str_equal (role, "agency"))
    signer = f->stamp ? g_strdup (agencies[d->agency]) : person (d->seed, 500);
  else if ((signer = office_name (d, role)) != NULL)
    {
      if (!f->stamp)
        {
          g_free (signer);
          signer = person (d->seed, 600 + (guint) strlen (f->id));
        }
    }
  else
    signer = person (d->seed, 700);

  date_offset (&d->submission, -18, &date);
  scan = add_file (d, f, f->stamp ? "-盖章页" : "-签字页", "image/jpeg");

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "signer");
  json_builder_add_string_value (builder, signer);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, role);
  json_builder_set_member_name (builder, "date");
  json_builder_add_value (builder, date_node (&date));
  json_builder_set_member_name (builder, "scan");
  json_builder_add_string_value (builder, scan);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static guint
group_size (Demo          *d,
            const CpField *f)
{
  GPtrArray *rules = cp_template_get_rules (d->tpl);
  guint n = MAX (f->min_items, 2);

  for (guint i = 0; i < rules->len; i++)
    {
      const CpRule *rule = g_ptr_array_index (rules, i);

      if (g_ptr_array_index (rule->fields, 0) != f)
        continue;
      if (rule->type == CP_RULE_MIN_ITEMS)
        n = MAX (n, (guint) rule->min);
      else if (rule->type == CP_RULE_RECENT_YEARS)
        n = MAX (n, (guint) rule->count);
    }
  if (cp_field_lookup_subfield (f, "year") != NULL && n < 3)
    n = 3;
  if (f->max_items > 0)
    n = MIN (n, f->max_items);
  return n;
}

static JsonNode *value_for (Demo          *d,
                            const CpField *f,
                            guint          item,
                            guint          n_items);

static JsonNode *
group_value (Demo          *d,
             const CpField *f)
{
  JsonArray *array = json_array_new ();
  JsonNode *node = json_node_new (JSON_NODE_ARRAY);
  guint n = group_size (d, f);

  for (guint i = 0; i < n; i++)
    {
      JsonObject *object = json_object_new ();

      for (guint j = 0; j < f->fields->len; j++)
        {
          const CpField *sub = g_ptr_array_index (f->fields, j);

          json_object_set_member (object, sub->id, value_for (d, sub, i, n));
        }
      json_array_add_object_element (array, object);
    }
  json_node_take_array (node, array);
  return node;
}

static JsonNode *
value_for (Demo          *d,
           const CpField *f,
           guint          item,
           guint          n_items)
{
  switch (f->type)
    {
    case CP_FIELD_TEXT:
      return take_string_node (text_value (d, f, item));
    case CP_FIELD_MULTILINE:
      return take_string_node (multiline_value (d, f));
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
      return number_node (number_value (d, f, item, n_items));
    case CP_FIELD_DATE:
      {
        GDate date;

        date_value (d, f, &date);
        return date_node (&date);
      }
    case CP_FIELD_TIME:
      return string_node (g_str_equal (f->id, "end_time") ? "12:00" : "09:00");
    case CP_FIELD_CHOICE:
      return choice_value (d, f);
    case CP_FIELD_BOOLEAN:
      return bool_node (TRUE);
    case CP_FIELD_USCC:
      return string_node (g_str_has_prefix (f->id, "agency") ? d->agency_uscc : d->uscc);
    case CP_FIELD_PHONE:
      if (strstr (f->id, "mobile") != NULL)
        return take_string_node (mobile_phone (d, 800 + (guint) strlen (f->path)));
      return take_string_node (office_phone (d, 900 + (guint) strlen (f->path)));
    case CP_FIELD_EMAIL:
      return take_string_node (g_strdup_printf ("credit@%s", d->host));
    case CP_FIELD_URL:
      return take_string_node (g_strdup_printf ("https://www.%s", d->host));
    case CP_FIELD_POSTCODE:
      return string_node (d->district->postcode);
    case CP_FIELD_GROUP:
      return group_value (d, f);
    case CP_FIELD_ATTACHMENT:
      {
        JsonArray *array;
        JsonNode *node;

        if (f->min_count <= 1)
          return take_string_node (add_file (d, f, "", file_mime (f)));
        array = json_array_new ();
        for (guint i = 0; i < f->min_count; i++)
          {
            g_autofree char *suffix = g_strdup_printf ("-%u", i + 1);

            json_array_add_string_element (array, add_file (d, f, suffix, file_mime (f)));
          }
        node = json_node_new (JSON_NODE_ARRAY);
        json_node_take_array (node, array);
        return node;
      }
    case CP_FIELD_SIGNATURE:
      return signature_value (d, f);
    default:
      g_assert_not_reached ();
    }
}

/* Optional fields a packet has at submission: not those the city fills in afterwards, nor
 * evidence for situations the sample enterprise is not in. */
static gboolean
fill_optional (const CpField *f)
{
  return !g_str_has_prefix (f->id, "city_") && !g_str_equal (f->id, "repair_evidence");
}

static void
set_date (Demo          *d,
          const CpField *f,
          const GDate   *date)
{
  cp_packet_set_value (d->packet, f->section->id, f->id, date_node (date));
}

static gboolean
get_date (Demo          *d,
          const CpField *f,
          GDate         *out)
{
  const char *s = cp_packet_get_string (d->packet, f->section->id, f->id);

  return s != NULL && cp_date_parse (s, out);
}

/* Makes the generic values meet the template's rules. */
static void
apply_rules (Demo *d)
{
  GPtrArray *rules = cp_template_get_rules (d->tpl);

  for (guint i = 0; i < rules->len; i++)
    {
      const CpRule *rule = g_ptr_array_index (rules, i);
      const CpField *a = g_ptr_array_index (rule->fields, 0);
      const CpField *b = rule->fields->len > 1 ? g_ptr_array_index (rule->fields, 1) : NULL;
      GDate da, db, limit;

      switch (rule->type)
        {
        case CP_RULE_MONTHS_BETWEEN:
          if (get_date (d, a, &da))
            {
              cp_date_add_months (&da, rule->min + 6, &limit);
              set_date (d, b, &limit);
            }
          break;
        case CP_RULE_VALID_ON_SUBMISSION:
          if (get_date (d, a, &da) && g_date_compare (&da, &d->submission) < 0)
            {
              date_offset (&d->submission, 90, &da);
              set_date (d, a, &da);
            }
          break;
        case CP_RULE_YEARS_BEFORE:
        case CP_RULE_MIN_AGE:
          if (get_date (d, a, &da))
            {
              GDate ref = d->submission;

              if (b != NULL && !get_date (d, b, &ref))
                break;
              cp_date_add_months (&ref, -12 * rule->years, &limit);
              if (g_date_compare (&da, &limit) > 0)
                {
                  date_offset (&limit, -60, &limit);
                  set_date (d, a, &limit);
                }
            }
          break;
        case CP_RULE_SAME_VALUE:
          {
            JsonNode *first = cp_packet_get_value (d->packet, a->section->id, a->id);

            for (guint j = 1; first != NULL && j < rule->fields->len; j++)
              {
                const CpField *other = g_ptr_array_index (rule->fields, j);

                cp_packet_set_value (d->packet, other->section->id, other->id,
                                     json_node_copy (first));
              }
          }
          break;
        case CP_RULE_ORDER:
          if (a->type == CP_FIELD_DATE)
            {
              if (get_date (d, a, &da) && get_date (d, b, &db) &&
                  g_date_compare (&da, &db) > 0)
                set_date (d, b, &da);
            }
          else
            {
              const char *sa = cp_packet_get_string (d->packet, a->section->id, a->id);
              const char *sb = cp_packet_get_string (d->packet, b->section->id, b->id);
              int ma, mb;

              if (sa != NULL && sb != NULL && cp_time_parse (sa, &ma) && cp_time_parse (sb, &mb) &&
                  mb <= ma && ma < 20 * 60)
                {
                  g_autofree char *end = g_strdup_printf ("%02d:%02d", (ma + 180) / 60,
                                                          (ma + 180) % 60);

                  cp_packet_set_string (d->packet, b->section->id, b->id, end);
                }
            }
          break;
        case CP_RULE_REQUIRED_IF:
          {
            JsonNode *cond = cp_packet_get_value (d->packet, b->section->id, b->id);
            gboolean holds = cond != NULL;

            if (holds && rule->equals != NULL)
              holds = JSON_NODE_HOLDS_VALUE (cond) &&
                      json_node_get_value_type (cond) == json_node_get_value_type (rule->equals) &&
                      json_node_equal (cond, rule->equals);
            if (holds && cp_packet_get_value (d->packet, a->section->id, a->id) == NULL)
              cp_packet_set_value (d->packet, a->section->id, a->id, value_for (d, a, 0, 1));
          }
          break;
        case CP_RULE_CAMPAIGN_YEAR:
          if (a->type == CP_FIELD_DATE)
            {
              /* A date in the year of the campaign or later: the same day that many years
               * earlier. */
              if (get_date (d, a, &da) &&
                  (int) g_date_get_year (&da) > d->year - rule->years)
                {
                  cp_date_add_months (&da, -12 * ((int) g_date_get_year (&da) - d->year +
                                                  rule->years), &limit);
                  set_date (d, a, &limit);
                }
            }
          else
            {
              JsonNode *node = cp_packet_get_value (d->packet, a->section->id, a->id);

              if (node != NULL && json_node_get_int (node) > d->year - rule->years)
                cp_packet_set_value (d->packet, a->section->id, a->id,
                                     number_node (d->year - rule->years));
            }
          break;
        case CP_RULE_DURATION:
        case CP_RULE_MIN_ITEMS:
        case CP_RULE_EXCLUDED_VALUES:
        case CP_RULE_PASS_MARK:
        case CP_RULE_RECENT_YEARS:
        case CP_RULE_PASS_MARK_DECISION:
        case CP_RULE_DIVISION:
        default:
          /* Met by construction: half-day times, group sizes, options, full scores, Suzhou
           * credit codes. */
          break;
        }
    }
}

static void
fill_scores (Demo               *d,
             CpTemplateRegistry *registry)
{
  const CpScoringRef *ref = cp_template_get_scoring (d->tpl);
  CpScoringSheet *sheet;
  GPtrArray *items;
  double step;

  if (ref == NULL)
    return;
  sheet = cp_template_registry_lookup_sheet (registry, ref->sheet_id);
  if (sheet == NULL)
    return;

  cp_packet_set_sheet (d->packet, cp_scoring_sheet_get_id (sheet),
                       cp_scoring_sheet_get_version (sheet));
  items = cp_scoring_sheet_get_items (sheet);
  step = cp_scoring_sheet_get_step (sheet);
  for (guint i = 0; i < items->len; i++)
    {
      const CpScoringItem *item = g_ptr_array_index (items, i);
      double value = item->points;

      /* A realistic sheet is not perfect: every seventh item loses a point (or a step). */
      if ((i + d->seed) % 7 == 0 && item->points >= 2)
        value -= step > 0 ? MAX (step, 1.0) : 1.0;
      if (ref->self)
        cp_packet_set_score (d->packet, item->id, CP_SCORE_SELF,
                             (i + d->seed) % 11 == 0 && value >= 1 ? value - MAX (step, 0.5) : value);
      if (ref->acceptance)
        cp_packet_set_score (d->packet, item->id, CP_SCORE_ACCEPTANCE, value);
    }
}

CpPacket *
cp_demo_packet_for_year (CpTemplateRegistry *registry,
                         const char         *kind_id,
                         int                 year,
                         guint               seed)
{
  CpTemplate *tpl;
  GPtrArray *sections, *deadlines;
  Demo d = { 0, };
  guint h = mix (seed, 1);
  g_autofree char *submitted = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);
  g_return_val_if_fail (kind_id != NULL, NULL);

  tpl = cp_template_registry_lookup_kind (registry, kind_id);
  if (tpl == NULL)
    return NULL;

  d.tpl = tpl;
  d.seed = seed;
  d.year = year > 0 ? year : cp_template_get_year (tpl);
  d.district = &districts[h % G_N_ELEMENTS (districts)];
  d.agency = mix (seed, 2) % G_N_ELEMENTS (agencies);
  d.name = g_strdup_printf ("%s%s%s%s", d.district->place,
                            trade_names[mix (seed, 3) % G_N_ELEMENTS (trade_names)],
                            industries[mix (seed, 5) % G_N_ELEMENTS (industries)],
                            mix (seed, 4) % 4 == 0 ? "股份有限公司" : "有限公司");
  d.uscc = cp_demo_uscc (d.district->division, seed);
  d.agency_uscc = cp_demo_uscc ("320508", 7919u + d.agency);
  d.legal_rep = person (seed, 10);
  d.contact = person (seed, 11);
  d.manager = person (seed, 12);
  d.address = g_strdup_printf ("江苏省%s%s%s%u号", d.district->city, d.district->name,
                               d.district->street, 1 + mix (seed, 13) % 388);
  d.contract_number = g_strdup_printf ("XYFW-%d-%04u", d.year - 1, mix (seed, 14) % 10000);
  d.host = g_strdup_printf ("sz%05u.com.cn", mix (seed, 15) % 100000);

  /* Submitted some days before the kind's last deadline of the year. */
  deadlines = cp_template_get_deadlines (tpl);
  if (deadlines->len > 0)
    {
      const CpDeadline *last = g_ptr_array_index (deadlines, deadlines->len - 1);

      g_date_set_dmy (&d.submission, (GDateDay) last->day, (GDateMonth) last->month,
                      (GDateYear) d.year);
    }
  else
    g_date_set_dmy (&d.submission, 30, G_DATE_SEPTEMBER, (GDateYear) d.year);
  g_date_subtract_days (&d.submission, 3 + mix (seed, 16) % 20);

  d.packet = cp_packet_new (kind_id, cp_template_get_version (tpl));
  cp_packet_set_year (d.packet, d.year);
  submitted = cp_date_format (&d.submission);
  cp_packet_set_submitted_on (d.packet, submitted);

  sections = cp_template_get_sections (tpl);
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      for (guint j = 0; j < section->fields->len; j++)
        {
          const CpField *field = g_ptr_array_index (section->fields, j);

          if (field->required || fill_optional (field))
            cp_packet_set_value (d.packet, section->id, field->id, value_for (&d, field, 0, 1));
        }
    }

  apply_rules (&d);
  fill_scores (&d, registry);

  demo_clear (&d);
  return d.packet;
}

CpPacket *
cp_demo_packet (CpTemplateRegistry *registry,
                const char         *kind_id,
                guint               seed)
{
  return cp_demo_packet_for_year (registry, kind_id, 0, seed);
}

CpPacket *
cp_validator_demo_packet (CpTemplateRegistry *registry,
                          const char         *kind_id,
                          guint               seed)
{
  return cp_demo_packet_for_year (registry, kind_id, 0, seed);
}
