/* cp-template.h — a packet kind published as data: sections, fields, rules, deadlines
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-finding.h"
#include "cp-packet.h"
#include "cp-role.h"
#include "cp-text.h"

G_BEGIN_DECLS

/* The JSON format ("format": 1, "type": "packet-kind") is documented in docs/templates.md. */
#define CP_TEMPLATE_FORMAT 1
/* Template files larger than this are refused. */
#define CP_TEMPLATE_MAX_SIZE (1024 * 1024)

typedef enum
{
  CP_FIELD_TEXT,
  CP_FIELD_MULTILINE,
  CP_FIELD_NUMBER,
  CP_FIELD_INTEGER,
  CP_FIELD_MONEY,
  CP_FIELD_DATE,
  CP_FIELD_TIME,
  CP_FIELD_CHOICE,
  CP_FIELD_BOOLEAN,
  CP_FIELD_USCC,
  CP_FIELD_PHONE,
  CP_FIELD_EMAIL,
  CP_FIELD_URL,
  CP_FIELD_POSTCODE,
  CP_FIELD_GROUP,
  CP_FIELD_ATTACHMENT,
  CP_FIELD_SIGNATURE,
} CpFieldType;

const char *cp_field_type_to_string   (CpFieldType  type);
gboolean    cp_field_type_from_string (const char  *text,
                                       CpFieldType *type);

/* Cross-field rules. Every rule type is a name in the template; each is checked by the
 * validator. Those that cannot be expressed as data are still named here, so a template can
 * only ask for checks this program knows. */
typedef enum
{
  CP_RULE_MONTHS_BETWEEN,       /* "from" + "min" months ≤ "to" (dates) */
  CP_RULE_VALID_ON_SUBMISSION,  /* "field" (a date) ≥ the submission date */
  CP_RULE_YEARS_BEFORE,         /* "field" ≤ reference − "years" (reference: a date field or
                                 * the submission date) */
  CP_RULE_MIN_AGE,              /* same check, worded as an age (founding date) */
  CP_RULE_SAME_VALUE,           /* every field of "fields" that has a value has the same one */
  CP_RULE_MIN_ITEMS,            /* "field" (a group or attachment) has ≥ "min" items */
  CP_RULE_REQUIRED_IF,          /* "field" must be filled when "if" is filled (or equals
                                 * "equals") */
  CP_RULE_ORDER,                /* "from" ≤ "to" (dates or times; "strict" for <) */
  CP_RULE_DURATION,             /* "to" − "from" (times) within "min_minutes".."max_minutes" */
  CP_RULE_EXCLUDED_VALUES,      /* "field" (a choice) is none of "values" */
  CP_RULE_CAMPAIGN_YEAR,        /* "field" (a year, integer) ≤ the packet's year − "years" */
  CP_RULE_PASS_MARK,            /* the sheet total in "column" reaches the pass mark named by
                                 * the choice "field" (code: needs the scoring sheet) */
  CP_RULE_RECENT_YEARS,         /* the group "field" covers the "count" years before the
                                 * packet's year through its sub-field "year_field" (code) */
  CP_RULE_PASS_MARK_DECISION,   /* below the pass mark named by "field", the choice "decision"
                                 * is none of "values" (code: needs the scoring sheet) */
  CP_RULE_DIVISION,             /* the credit code "field" was issued in a division that
                                 * starts with one of "prefixes" */
} CpRuleType;

const char *cp_rule_type_to_string    (CpRuleType   type);
gboolean    cp_rule_type_from_string  (const char  *text,
                                       CpRuleType  *type);

typedef struct _CpSection  CpSection;
typedef struct _CpField    CpField;
typedef struct _CpRule     CpRule;
/* The kind's review chain (cp-workflow.h); it belongs to the template. */
typedef struct _CpWorkflow CpWorkflow;

typedef struct
{
  char   *id;
  CpText *label;
  char  **divisions;   /* division-code starts ("320583") that pick this option from a credit
                        * code (the choice's "division_of", cp-identity.h), or NULL */
} CpChoiceOption;

/* Which value of the agency's account a field holds ("account", cp-identity.h). */
typedef enum
{
  CP_ACCOUNT_NONE,
  CP_ACCOUNT_AGENCY_NAME,   /* "agency-name" */
  CP_ACCOUNT_AGENCY_USCC,   /* "agency-uscc" */
} CpAccountValue;

/* Everything below belongs to the template and lives as long as it does. */
struct _CpField
{
  char            *id;
  char            *path;         /* "section.field", or "section.group.field" for sub-fields */
  CpFieldType      type;
  CpText          *label;
  CpText          *help;         /* nullable */
  gboolean         required;

  /* Constraints; which ones a field may carry depends on its type (docs/templates.md). */
  gboolean         has_min;      /* number, integer, money */
  gboolean         has_max;
  double           min;
  double           max;
  int              min_length;   /* text-like types, in characters; -1 for none */
  int              max_length;
  char            *pattern;      /* nullable; must match the whole value */
  GRegex          *regex;        /* compiled @pattern */
  char            *unit;         /* money (and number): "万元"; nullable */
  GPtrArray       *options;      /* choice: element type CpChoiceOption * */
  GPtrArray       *fields;       /* group: element type CpField * */
  GHashTable      *field_index;  /* group: sub-field id → CpField * */
  guint            min_items;    /* group: 0 for none */
  guint            max_items;    /* group: 0 for none */
  char           **mime_types;   /* attachment: accepted MIME types, or NULL; "image/" plus a star
                                  * accepts any image */
  guint            min_count;    /* attachment: at least this many when filled (≥ 1) */
  guint            max_count;    /* attachment: 0 for none */
  char            *role;         /* signature: signer role ("enterprise-head"); nullable */
  gboolean         stamp;        /* signature: a seal rather than a hand signature */
  /* Who writes the value: the field's own "owner", else its group's, else its section's;
   * CP_ROLE_NONE in a template without a workflow. */
  CpRole           owner;
  /* Identity (cp-identity.h; top-level fields only): the field this one repeats, typed once
   * there ("repeats"); for a choice, the credit-code field whose division picks the option
   * ("division_of"); the value of the owning agency's account it holds ("account"). */
  const CpField   *repeats;
  const CpField   *division_of;
  CpAccountValue   account;
  char            *repeats_ref;   /* as written, until the template is resolved */
  char            *division_ref;

  const CpSection *section;
  const CpField   *parent;       /* the group of a sub-field, else NULL */
  guint            index;        /* position in its section (or group) */
};

struct _CpSection
{
  char       *id;
  CpText     *title;
  CpText     *help;        /* nullable */
  gboolean    generated;   /* produced by the program (table of contents): no fields */
  GPtrArray  *fields;      /* element type CpField * */
  GHashTable *field_index; /* field id → CpField * */
  guint       index;       /* binder position */
  CpRole      owner;       /* the section's "owner" (its fields may name their own), or
                            * CP_ROLE_NONE */
};

struct _CpRule
{
  char          *id;
  CpRuleType     type;
  char          *code;         /* the finding code, e.g. "contract-too-short" */
  CpSeverity     severity;
  CpText        *description;  /* nullable: what the rule is for */
  /* The fields the rule reads, in the order its type defines:
   *   months-between, order, duration: from, to
   *   valid-on-submission, min-items, excluded-values, campaign-year, pass-mark,
   *   recent-years: field
   *   years-before, min-age: field [, reference]
   *   same-value: every field
   *   required-if: field, if
   *   pass-mark-decision: field, decision
   *   division: field */
  GPtrArray     *fields;       /* element type const CpField * */
  const CpSection *section;    /* where findings not tied to a field are reported */
  int            min;          /* months-between, min-items */
  int            years;        /* years-before, min-age, campaign-year */
  int            min_minutes;  /* duration; -1 for none */
  int            max_minutes;
  gboolean       strict;       /* order */
  JsonNode      *equals;       /* required-if; nullable */
  char         **values;       /* excluded-values */
  CpScoreColumn  column;       /* pass-mark */
  int            count;        /* recent-years */
  const CpField *year_field;   /* recent-years: the sub-field holding the year */
  char         **prefixes;     /* division: division-code prefixes ("3205") */
  CpText        *region;       /* division: the region they make up, in words ("Suzhou") */
};

typedef struct
{
  char   *id;
  guint   month;
  guint   day;
  CpText *label;
} CpDeadline;

/* The scoring sheet a packet of this kind carries, and which columns must be complete. */
typedef struct
{
  char            *sheet_id;
  const CpSection *section;     /* the section the sheet belongs to */
  gboolean         self;        /* the self-assessment column must be complete */
  gboolean         acceptance;  /* the acceptance column must be complete */
  /* Who writes each column (indexed by CpScoreColumn), the items' notes and evidence, the
   * half-day review clock and the sheet reference; CP_ROLE_NONE: nobody (or a template without
   * a workflow). Notes, evidence and the clock default to the owner of the first column the
   * kind requires, the sheet reference (set when the packet is made) to the kind's creator. */
  CpRole           column_owner[2];
  CpRole           note_owner;
  CpRole           evidence_owner;
  CpRole           review_owner;
  CpRole           sheet_owner;   /* which sheet and version the packet is scored on */
  /* The kind's own name of a column ("复核评价"), or NULL for the usual one. */
  CpText          *column_label[2];
} CpScoringRef;

#define CP_TYPE_TEMPLATE (cp_template_get_type ())
G_DECLARE_FINAL_TYPE (CpTemplate, cp_template, CP, TEMPLATE, GObject)

/* Strict loaders: a malformed template is a CP_JSON_ERROR naming @origin, the JSON path and the
 * fault. Whether the scoring sheet it names exists is checked by the registry. */
CpTemplate          *cp_template_new_from_json     (JsonNode      *root,
                                                    const char    *origin,
                                                    GError       **error);
CpTemplate          *cp_template_new_from_data     (const char    *data,
                                                    gssize         length,
                                                    const char    *origin,
                                                    GError       **error);
CpTemplate          *cp_template_new_from_file     (const char    *path,
                                                    GError       **error);

const char          *cp_template_get_id            (CpTemplate    *self);
const char          *cp_template_get_version       (CpTemplate    *self);
const char          *cp_template_get_origin        (CpTemplate    *self);
const CpText        *cp_template_get_title         (CpTemplate    *self);
const CpText        *cp_template_get_description   (CpTemplate    *self);
/* The campaign year the kind was published for (2020), and its name (nullable). */
int                  cp_template_get_year          (CpTemplate    *self);
const CpText        *cp_template_get_campaign      (CpTemplate    *self);
/* element type CpDeadline *, in the template's order */
GPtrArray           *cp_template_get_deadlines     (CpTemplate    *self);
/* element type CpText * */
GPtrArray           *cp_template_get_eligibility   (CpTemplate    *self);
/* NULL when the kind carries no scoring sheet. */
const CpScoringRef  *cp_template_get_scoring       (CpTemplate    *self);
/* The kind's name of a score column, or NULL when it uses the usual word. */
const CpText        *cp_template_get_column_label  (CpTemplate    *self,
                                                    CpScoreColumn  column);
/* The review chain, with who writes what in each state (cp-workflow.h); NULL for a kind
 * published without one (format of 2020.1), where every party entitled to a packet writes all
 * of it. */
const CpWorkflow    *cp_template_get_workflow      (CpTemplate    *self);

/* Sections in binder order (element type CpSection *). */
GPtrArray           *cp_template_get_sections      (CpTemplate    *self);
guint                cp_template_get_n_sections    (CpTemplate    *self);
const CpSection     *cp_template_get_section       (CpTemplate    *self,
                                                    guint          index);
const CpSection     *cp_template_lookup_section    (CpTemplate    *self,
                                                    const char    *section_id);
/* "section.field" or "section.group.field"; NULL when there is none. */
const CpField       *cp_template_lookup_field      (CpTemplate    *self,
                                                    const char    *path);
/* element type CpRule * */
GPtrArray           *cp_template_get_rules         (CpTemplate    *self);
const CpRule        *cp_template_lookup_rule       (CpTemplate    *self,
                                                    const char    *rule_id);
/* The document the template was read from, for publishing it again. */
JsonNode            *cp_template_get_json          (CpTemplate    *self);

/* The option with @id of a choice field, or NULL. */
const CpChoiceOption *cp_field_lookup_option       (const CpField *field,
                                                    const char    *option_id);
const CpField       *cp_field_lookup_subfield      (const CpField *field,
                                                    const char    *field_id);
const CpField       *cp_section_lookup_field       (const CpSection *section,
                                                    const char      *field_id);

/* Compares "2020.1"-style versions by their numeric components (then as strings). */
int                  cp_template_version_compare   (const char    *a,
                                                    const char    *b);

G_END_DECLS
