/* cp-validator.c — what a packet still lacks before it can be submitted
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cp-validator.h"

#include "cp-date.h"
#include "cp-role.h"
#include "cp-scoring.h"
#include "cp-uscc.h"
#include "cp-workflow.h"

G_DEFINE_QUARK (cp-validator-error-quark, cp_validator_error)

/* Findings are collected with a sort key (section, then field in binder order) and sorted once
 * at the end, so that rules, which read fields of several sections, still report in binder
 * order. */
typedef struct
{
  guint      key;
  guint      seq;
  CpFinding *finding;
  /* What the finding is about, for findings of some parties only (Scope): a field, or a score
   * column (-1 for none). */
  const CpField *field;
  int        column;
} Entry;

#define KEY_PACKET        0u
#define KEY_SECTION(s)    (((guint) (s)->index + 1u) << 16)
#define SUB_SCORING       0xfff0u
#define SUB_SECTION       0xffffu

typedef struct
{
  CpTemplate *tpl;
  CpPacket   *packet;
  GDate       submission;
  GArray     *entries;
} Ctx;

/* Some parties' parts: the findings about them (indexed by CpRole; NULL: none of that role's). */
typedef struct
{
  const CpPartSet *parts[CP_N_ROLES];
} Scope;

static const CpPartSet all_parts = { TRUE, NULL, NULL };

static void add_finding (Ctx             *ctx,
                         guint            key,
                         CpSeverity       severity,
                         const char      *section,
                         const char      *field,
                         const char      *code,
                         const char      *format,
                         ...) G_GNUC_PRINTF (7, 8);

static void
add_finding (Ctx        *ctx,
             guint       key,
             CpSeverity  severity,
             const char *section,
             const char *field,
             const char *code,
             const char *format,
             ...)
{
  Entry entry;
  va_list args;

  entry.key = key;
  entry.seq = ctx->entries->len;
  entry.field = NULL;
  entry.column = -1;
  entry.finding = g_new0 (CpFinding, 1);
  entry.finding->severity = severity;
  entry.finding->section = g_strdup (section);
  entry.finding->field = g_strdup (field);
  entry.finding->code = g_strdup (code);
  va_start (args, format);
  entry.finding->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (ctx->entries, entry);
}

static guint
field_key (const CpField *field)
{
  const CpField *top = field->parent != NULL ? field->parent : field;

  return KEY_SECTION (field->section) | (top->index + 1u);
}

/* Where a value sits: the field and, for a sub-field, the 1-based entry of its group. Its path
 * ("surveyors[1].name") and label are only built when there is something to report. */
typedef struct
{
  const CpField *field;
  guint          item;
} Where;

static char *
where_label (const Where *w)
{
  if (w->field->parent != NULL)
    return g_strdup_printf (_("%s (%s, entry %u)"), cp_text_get (w->field->label),
                            cp_text_get (w->field->parent->label), w->item);
  return g_strdup (cp_text_get (w->field->label));
}

static void field_finding (Ctx         *ctx,
                           const Where *w,
                           CpSeverity   severity,
                           const char  *code,
                           const char  *format,
                           ...) G_GNUC_PRINTF (5, 6);

static void
field_finding (Ctx         *ctx,
               const Where *w,
               CpSeverity   severity,
               const char  *code,
               const char  *format,
               ...)
{
  Entry entry;
  va_list args;

  entry.key = field_key (w->field);
  entry.seq = ctx->entries->len;
  entry.field = w->field;
  entry.column = -1;
  entry.finding = g_new0 (CpFinding, 1);
  entry.finding->severity = severity;
  entry.finding->section = g_strdup (w->field->section->id);
  if (w->field->parent != NULL)
    entry.finding->field = g_strdup_printf ("%s[%u].%s", w->field->parent->id, w->item - 1,
                                            w->field->id);
  else
    entry.finding->field = g_strdup (w->field->id);
  entry.finding->code = g_strdup (code);
  va_start (args, format);
  entry.finding->message = g_strdup_vprintf (format, args);
  va_end (args);
  g_array_append_val (ctx->entries, entry);
}

#define FIELD_FINDING(ctx, w, sev, code, ...) field_finding ((ctx), (w), (sev), (code), __VA_ARGS__)

/* Says what the finding added last is about. */
static void
tag_last (Ctx           *ctx,
          const CpField *field,
          int            column)
{
  Entry *entry = &g_array_index (ctx->entries, Entry, ctx->entries->len - 1);

  entry->field = field;
  entry->column = column;
}

/* Values. */

static gboolean
node_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static const char *
node_string (JsonNode *node)
{
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
string_is_blank (const char *s)
{
  for (; *s != '\0'; s++)
    {
      if (!g_ascii_isspace (*s))
        return FALSE;
    }
  return TRUE;
}

static gboolean
node_is_number (JsonNode *node, double *out)
{
  GType type;

  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}

/* Whether a value counts as filled in. */
static gboolean
value_present (JsonNode *node)
{
  if (node_is_null (node))
    return FALSE;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_ARRAY:
      return json_array_get_length (json_node_get_array (node)) > 0;
    case JSON_NODE_OBJECT:
      return json_object_get_size (json_node_get_object (node)) > 0;
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return !string_is_blank (json_node_get_string (node));
      return TRUE;
    case JSON_NODE_NULL:
    default:
      return FALSE;
    }
}

static JsonNode *
top_value (Ctx           *ctx,
           const CpField *field)
{
  JsonObject *section = cp_packet_get_section (ctx->packet, field->section->id);

  return section != NULL ? json_object_get_member (section, field->id) : NULL;
}

static gboolean
get_date (Ctx           *ctx,
          const CpField *field,
          GDate         *out)
{
  const char *s = node_string (top_value (ctx, field));

  return s != NULL && cp_date_parse (s, out);
}

static char *
format_date (const GDate *date)
{
  return cp_date_format (date);
}

/* A signer's role in words, or the role as written when it is none the programme knows. */
static const char *
role_name (const char *role)
{
  const char *name = cp_role_get_signer_name (role);

  return name != NULL ? name : role;
}

static char *
format_number (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.12g", value));
}

/* Format checks for the typed strings. */

static gboolean
phone_is_valid (const char *s)
{
  guint digits = 0;

  if (*s == '+')
    s++;
  for (; *s != '\0'; s++)
    {
      if (g_ascii_isdigit (*s))
        digits++;
      else if (*s != ' ' && *s != '-' && *s != '(' && *s != ')')
        return FALSE;
    }
  return digits >= 7 && digits <= 15;
}

static gboolean
email_is_valid (const char *s)
{
  const char *at = strchr (s, '@');
  const char *dot;

  if (at == NULL || at == s || strchr (at + 1, '@') != NULL)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    {
      if ((guchar) *p <= ' ')
        return FALSE;
    }
  dot = strrchr (at + 1, '.');
  return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

static gboolean
url_is_valid (const char *s)
{
  const char *host = s;
  const char *end;
  gboolean dot = FALSE;

  if (g_ascii_strncasecmp (s, "https://", 8) == 0)
    host = s + 8;
  else if (g_ascii_strncasecmp (s, "http://", 7) == 0)
    host = s + 7;
  else if (strstr (s, "://") != NULL)
    return FALSE;

  for (const char *p = s; *p != '\0'; p++)
    {
      if ((guchar) *p <= ' ')
        return FALSE;
    }
  end = host + strcspn (host, "/?#");
  if (end == host)
    return FALSE;
  for (const char *p = host; p < end; p++)
    {
      if (*p == '.')
        dot = TRUE;
      else if (!g_ascii_isalnum (*p) && *p != '-' && *p != ':' && !((guchar) *p & 0x80))
        return FALSE;
    }
  return dot && host[0] != '.' && end[-1] != '.';
}

static gboolean
postcode_is_valid (const char *s)
{
  for (guint i = 0; i < 6; i++)
    {
      if (!g_ascii_isdigit (s[i]))
        return FALSE;
    }
  return s[6] == '\0';
}

static gboolean
mime_accepted (const CpField *field,
               const char    *mime)
{
  if (field->mime_types == NULL)
    return TRUE;
  if (mime == NULL)
    return FALSE;
  for (guint i = 0; field->mime_types[i] != NULL; i++)
    {
      const char *accepted = field->mime_types[i];
      gsize len = strlen (accepted);

      if (len >= 2 && accepted[len - 1] == '*' && accepted[len - 2] == '/')
        {
          if (g_ascii_strncasecmp (mime, accepted, len - 1) == 0)
            return TRUE;
        }
      else if (g_ascii_strcasecmp (mime, accepted) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Field checks. */

static void
report_required (Ctx         *ctx,
                 const Where *w)
{
  g_autofree char *label = where_label (w);

  switch (w->field->type)
    {
    case CP_FIELD_ATTACHMENT:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "required",
                     _("“%s” is missing. Attach the scanned document."), label);
      break;
    case CP_FIELD_SIGNATURE:
      if (w->field->stamp)
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "required",
                       _("“%s” is missing. Record who stamped it and when, and attach the "
                         "scanned page with the seal."), label);
      else
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "required",
                       _("“%s” is missing. Record who signed it and when, and attach the "
                         "scanned page with the signature."), label);
      break;
    case CP_FIELD_BOOLEAN:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "required",
                     _("“%s” must be confirmed before you submit."), label);
      break;
    case CP_FIELD_GROUP:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "required",
                     _("“%s” has no entries. Add them before you submit."), label);
      break;
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_CHOICE:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    default:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "required",
                     _("“%s” is missing. Fill it in before you submit."), label);
      break;
    }
}

static void
report_type (Ctx         *ctx,
             const Where *w)
{
  g_autofree char *label = where_label (w);

#define TYPE_FINDING(msg) FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "type", msg, label)

  switch (w->field->type)
    {
    case CP_FIELD_NUMBER:
    case CP_FIELD_MONEY:
      TYPE_FINDING (_("“%s” must be a number."));
      break;
    case CP_FIELD_INTEGER:
      TYPE_FINDING (_("“%s” must be a whole number."));
      break;
    case CP_FIELD_DATE:
      TYPE_FINDING (_("“%s” is not a valid date. Write it as YYYY-MM-DD, for example 2020-08-31."));
      break;
    case CP_FIELD_TIME:
      TYPE_FINDING (_("“%s” is not a valid time. Write it as HH:MM, for example 09:30."));
      break;
    case CP_FIELD_BOOLEAN:
      TYPE_FINDING (_("“%s” must be yes or no."));
      break;
    case CP_FIELD_GROUP:
      TYPE_FINDING (_("“%s” must be a list of entries."));
      break;
    case CP_FIELD_ATTACHMENT:
      TYPE_FINDING (_("“%s” must refer to attached files by their SHA-256 checksum."));
      break;
    case CP_FIELD_SIGNATURE:
      TYPE_FINDING (_("“%s” must record the signer, the date and the scanned page."));
      break;
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_CHOICE:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    default:
      TYPE_FINDING (_("“%s” must be text."));
      break;
    }
#undef TYPE_FINDING
}

static void
check_length (Ctx         *ctx,
              const Where *w,
              const char  *s)
{
  const CpField *f = w->field;
  glong len;

  if (f->min_length < 0 && f->max_length < 0)
    return;
  /* A string never has more characters than bytes. */
  if (f->min_length < 0 && strlen (s) <= (gsize) f->max_length)
    return;
  len = g_utf8_strlen (s, -1);
  if (f->min_length >= 0 && len < f->min_length)
    {
      g_autofree char *label = where_label (w);

      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "length",
                     dngettext (GETTEXT_PACKAGE,
                                "“%s” must be at least %d character long.",
                                "“%s” must be at least %d characters long.",
                                (gulong) f->min_length), label, f->min_length);
    }
  else if (f->max_length >= 0 && len > f->max_length)
    {
      g_autofree char *label = where_label (w);

      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "length",
                     dngettext (GETTEXT_PACKAGE,
                                "“%s” can be at most %d character long; shorten it.",
                                "“%s” can be at most %d characters long; shorten it.",
                                (gulong) f->max_length), label, f->max_length);
    }
}

static gboolean
check_pattern (Ctx         *ctx,
               const Where *w,
               const char  *s)
{
  g_autofree char *label = NULL;

  if (w->field->regex == NULL || g_regex_match (w->field->regex, s, 0, NULL))
    return TRUE;
  label = where_label (w);
  FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "pattern",
                 _("“%s” does not have the expected form. Check what you typed."), label);
  return FALSE;
}

static void
check_uscc (Ctx         *ctx,
            const Where *w,
            const char  *s)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  CpUsccInfo info;

  if (cp_uscc_validate (s, &info, &error))
    {
      if (!info.division_known)
        {
          label = where_label (w);
          FIELD_FINDING (ctx, w, CP_SEVERITY_WARNING, "uscc-unknown-division",
                         _("“%s”: the region code %s in the credit code is not a known "
                           "administrative division. Check the code if this is unexpected."),
                         label, info.division);
        }
      return;
    }

  label = where_label (w);
  if (error->domain != CP_USCC_ERROR)
    {
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "uscc-charset", "%s", error->message);
      return;
    }
  switch ((CpUsccError) error->code)
    {
    case CP_USCC_ERROR_EMPTY:
      report_required (ctx, w);
      break;
    case CP_USCC_ERROR_LENGTH:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "uscc-length",
                     _("“%s”: a unified social credit code has exactly 18 characters; this one "
                       "has %ld."), label, g_utf8_validate (s, -1, NULL) ?
                     g_utf8_strlen (s, -1) : (glong) strlen (s));
      break;
    case CP_USCC_ERROR_CHARSET:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "uscc-charset",
                     _("“%s” contains a character that cannot appear in a unified social credit "
                       "code: only digits and capital letters except I, O, S, V and Z."), label);
      break;
    case CP_USCC_ERROR_CHECK:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "uscc-check",
                     _("“%s”: the last character of the credit code does not match the others. "
                       "Check the code for a typing error."), label);
      break;
    case CP_USCC_ERROR_ORG_CHECK:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "uscc-org-check",
                     _("“%s”: the organization code in the credit code (characters 9 to 17) "
                       "is not consistent. Check the code for a typing error."), label);
      break;
    default:
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "uscc-check", "%s", error->message);
      break;
    }
}

/* Checks that the SHA-256 @sha is a manifest entry the field accepts. */
static void
check_file_ref (Ctx         *ctx,
                const Where *w,
                const char  *sha)
{
  const CpAttachment *attachment = cp_packet_find_attachment (ctx->packet, sha);
  g_autofree char *label = NULL;

  /* Manifest entries are checked when the packet is read; only a miss needs a closer look. */
  if (attachment == NULL && !cp_sha256_is_valid (sha))
    {
      report_type (ctx, w);
      return;
    }
  if (attachment == NULL)
    {
      label = where_label (w);
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "attachment-missing",
                     _("“%s” refers to a file that is not among the packet's attachments. "
                       "Attach the file again."), label);
      return;
    }
  if (w->field->type == CP_FIELD_ATTACHMENT && !mime_accepted (w->field, attachment->mime))
    {
      g_autofree char *accepted = g_strjoinv (", ", w->field->mime_types);

      label = where_label (w);
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "attachment-type",
                     _("“%s”: the file “%s” (%s) is not of an accepted type (%s)."), label,
                     attachment->name, attachment->mime != NULL ? attachment->mime : "?",
                     accepted);
    }
}

static void
check_attachment (Ctx         *ctx,
                  const Where *w,
                  JsonNode    *node)
{
  const CpField *f = w->field;
  guint count = 0;

  if (node_string (node) != NULL)
    {
      check_file_ref (ctx, w, node_string (node));
      count = 1;
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      count = json_array_get_length (array);
      for (guint i = 0; i < count; i++)
        {
          const char *sha = node_string (json_array_get_element (array, i));

          if (sha == NULL)
            {
              report_type (ctx, w);
              return;
            }
          check_file_ref (ctx, w, sha);
        }
    }
  else
    {
      report_type (ctx, w);
      return;
    }

  if (count < f->min_count)
    {
      g_autofree char *label = where_label (w);

      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "min",
                     dngettext (GETTEXT_PACKAGE, "“%s” needs at least %u file; attach it.",
                                "“%s” needs at least %u files; attach the missing ones.",
                                f->min_count), label, f->min_count);
    }
  else if (f->max_count > 0 && count > f->max_count)
    {
      g_autofree char *label = where_label (w);

      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "max",
                     dngettext (GETTEXT_PACKAGE, "“%s” takes at most %u file; remove the others.",
                                "“%s” takes at most %u files; remove the others.",
                                f->max_count), label, f->max_count);
    }
}

static void
check_signature (Ctx         *ctx,
                 const Where *w,
                 JsonNode    *node)
{
  const CpField *f = w->field;
  JsonObject *object;
  JsonNode *member;
  const char *signer, *date, *scan, *role;
  GDate parsed;
  GPtrArray *missing = NULL;
  g_autofree char *label = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      report_type (ctx, w);
      return;
    }
  object = json_node_get_object (node);

  member = json_object_get_member (object, "signer");
  signer = node_string (member);
  member = json_object_get_member (object, "date");
  date = node_string (member);
  member = json_object_get_member (object, "scan");
  scan = node_string (member);
  member = json_object_get_member (object, "role");
  role = node_string (member);

  if (signer == NULL || string_is_blank (signer) || date == NULL || string_is_blank (date) ||
      scan == NULL || string_is_blank (scan))
    {
      g_autofree char *parts = NULL;

      missing = g_ptr_array_new ();
      if (signer == NULL || string_is_blank (signer))
        g_ptr_array_add (missing, f->stamp ? _("who stamped it") : _("who signed it"));
      if (date == NULL || string_is_blank (date))
        g_ptr_array_add (missing, _("the date"));
      if (scan == NULL || string_is_blank (scan))
        g_ptr_array_add (missing, _("the scanned page"));
      g_ptr_array_add (missing, NULL);
      /* TRANSLATORS: joins the missing parts of a signature ("who signed it, the date") */
      parts = g_strjoinv (_(", "), (char **) missing->pdata);
      g_ptr_array_unref (missing);
      label = where_label (w);
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "signature-incomplete",
                     _("“%s” is incomplete. Record %s."), label, parts);
    }

  if (date != NULL && !string_is_blank (date) && !cp_date_parse (date, &parsed))
    {
      g_clear_pointer (&label, g_free);
      label = where_label (w);
      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "type",
                     _("“%s”: the date of the signature is not valid. Write it as YYYY-MM-DD."),
                     label);
    }

  if (scan != NULL && !string_is_blank (scan))
    check_file_ref (ctx, w, scan);

  if (f->role != NULL && role != NULL && !g_str_equal (role, f->role))
    {
      g_clear_pointer (&label, g_free);
      label = where_label (w);
      if (f->stamp)
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "signature-role",
                       _("“%s” must carry the seal of %s, not of %s."), label,
                       role_name (f->role), role_name (role));
      else
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "signature-role",
                       _("“%s” must be signed by %s, not by %s."), label,
                       role_name (f->role), role_name (role));
    }
}

static void check_value (Ctx         *ctx,
                         const Where *w,
                         JsonNode    *node);

static void
check_group (Ctx         *ctx,
             const Where *w,
             JsonNode    *node)
{
  const CpField *f = w->field;
  JsonArray *array;
  guint n;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      report_type (ctx, w);
      return;
    }
  array = json_node_get_array (node);
  n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      JsonObject *object;
      guint seen = 0;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        {
          report_type (ctx, w);
          return;
        }
      object = json_node_get_object (item);
      for (guint j = 0; j < f->fields->len; j++)
        {
          const CpField *sub = g_ptr_array_index (f->fields, j);
          JsonNode *value = json_object_get_member (object, sub->id);
          Where sw = { sub, i + 1 };

          if (value != NULL)
            seen++;
          check_value (ctx, &sw, value);
        }
      if (seen < json_object_get_size (object))
        {
          JsonObjectIter iter;
          const char *name;

          json_object_iter_init (&iter, object);
          while (json_object_iter_next (&iter, &name, NULL))
            {
              if (cp_field_lookup_subfield (f, name) == NULL)
                {
                  g_autofree char *path = g_strdup_printf ("%s[%u].%s", f->id, i, name);
                  g_autofree char *label = where_label (w);

                  add_finding (ctx, field_key (f), CP_SEVERITY_WARNING, f->section->id, path,
                               "unknown-field",
                               _("Entry %u of “%s” holds a value for “%s”, which this form does "
                                 "not have. It will be ignored."), i + 1, label, name);
                  tag_last (ctx, f, -1);
                }
            }
        }
    }

  if (f->min_items > 0 && n < f->min_items)
    {
      g_autofree char *label = where_label (w);

      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "min",
                     dngettext (GETTEXT_PACKAGE, "“%s” needs at least %u entry; it has %u.",
                                "“%s” needs at least %u entries; it has %u.", f->min_items),
                     label, f->min_items, n);
    }
  else if (f->max_items > 0 && n > f->max_items)
    {
      g_autofree char *label = where_label (w);

      FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "max",
                     dngettext (GETTEXT_PACKAGE, "“%s” can have at most %u entry; it has %u.",
                                "“%s” can have at most %u entries; it has %u.", f->max_items),
                     label, f->max_items, n);
    }
}

static void
check_number (Ctx         *ctx,
              const Where *w,
              JsonNode    *node)
{
  const CpField *f = w->field;
  double value;

  if (!node_is_number (node, &value) ||
      (f->type == CP_FIELD_INTEGER && (value != floor (value) || !isfinite (value))))
    {
      report_type (ctx, w);
      return;
    }
  if (f->has_min && value < f->min)
    {
      g_autofree char *label = where_label (w);
      g_autofree char *min = format_number (f->min);

      if (f->unit != NULL)
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "min", _("“%s” must be at least %s %s."),
                       label, min, f->unit);
      else
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "min", _("“%s” must be at least %s."),
                       label, min);
    }
  else if (f->has_max && value > f->max)
    {
      g_autofree char *label = where_label (w);
      g_autofree char *max = format_number (f->max);

      if (f->unit != NULL)
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "max", _("“%s” can be at most %s %s."),
                       label, max, f->unit);
      else
        FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "max", _("“%s” can be at most %s."),
                       label, max);
    }
}

static void
check_string (Ctx         *ctx,
              const Where *w,
              const char  *s)
{
  const CpField *f = w->field;
  g_autofree char *label = NULL;

  switch (f->type)
    {
    case CP_FIELD_DATE:
      {
        GDate date;

        if (!cp_date_parse (s, &date))
          report_type (ctx, w);
        return;
      }
    case CP_FIELD_TIME:
      {
        int minutes;

        if (!cp_time_parse (s, &minutes))
          report_type (ctx, w);
        return;
      }
    case CP_FIELD_CHOICE:
      if (cp_field_lookup_option (f, s) == NULL)
        {
          label = where_label (w);
          FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "choice",
                         _("“%s” has the value “%s”, which is not one of its options. Choose one "
                           "of the listed options."), label, s);
        }
      return;
    case CP_FIELD_USCC:
      check_uscc (ctx, w, s);
      return;
    case CP_FIELD_PHONE:
      if (!phone_is_valid (s))
        {
          label = where_label (w);
          FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "pattern",
                         _("“%s” is not a valid phone number. Write the digits with the area "
                           "code, for example 0512-57310600 or 13912345678."), label);
          return;
        }
      break;
    case CP_FIELD_EMAIL:
      if (!email_is_valid (s))
        {
          label = where_label (w);
          FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "pattern",
                         _("“%s” is not a valid e-mail address."), label);
          return;
        }
      break;
    case CP_FIELD_URL:
      if (!url_is_valid (s))
        {
          label = where_label (w);
          FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "pattern",
                         _("“%s” is not a valid web address, for example "
                           "https://www.example.com."), label);
          return;
        }
      break;
    case CP_FIELD_POSTCODE:
      if (!postcode_is_valid (s))
        {
          label = where_label (w);
          FIELD_FINDING (ctx, w, CP_SEVERITY_ERROR, "pattern",
                         _("“%s” is not a valid post code: it has six digits."), label);
          return;
        }
      break;
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      break;
    }

  check_length (ctx, w, s);
  check_pattern (ctx, w, s);
}

static void
check_value (Ctx         *ctx,
             const Where *w,
             JsonNode    *node)
{
  const CpField *f = w->field;

  if (!value_present (node))
    {
      /* A present but blank value of the wrong kind is still a type error. */
      if (!node_is_null (node) && f->type != CP_FIELD_GROUP && f->type != CP_FIELD_ATTACHMENT &&
          f->type != CP_FIELD_SIGNATURE && node_string (node) == NULL)
        report_type (ctx, w);
      else if (f->required)
        report_required (ctx, w);
      return;
    }

  switch (f->type)
    {
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
      check_number (ctx, w, node);
      break;
    case CP_FIELD_BOOLEAN:
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        report_type (ctx, w);
      else if (f->required && !json_node_get_boolean (node))
        report_required (ctx, w);
      break;
    case CP_FIELD_GROUP:
      check_group (ctx, w, node);
      break;
    case CP_FIELD_ATTACHMENT:
      check_attachment (ctx, w, node);
      break;
    case CP_FIELD_SIGNATURE:
      check_signature (ctx, w, node);
      break;
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_CHOICE:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    default:
      if (node_string (node) == NULL)
        report_type (ctx, w);
      else
        check_string (ctx, w, node_string (node));
      break;
    }
}

static void
check_sections (Ctx *ctx)
{
  GPtrArray *sections = cp_template_get_sections (ctx->tpl);
  g_autoptr(GPtrArray) present = NULL;
  guint n_present = 0;

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);
      JsonObject *object = cp_packet_get_section (ctx->packet, section->id);
      guint seen = 0;

      if (object != NULL)
        n_present++;

      for (guint j = 0; j < section->fields->len; j++)
        {
          const CpField *field = g_ptr_array_index (section->fields, j);
          JsonNode *node = object != NULL ? json_object_get_member (object, field->id) : NULL;
          Where w = { field, 0 };

          if (node != NULL)
            seen++;
          check_value (ctx, &w, node);
        }

      if (object != NULL && seen < json_object_get_size (object))
        {
          JsonObjectIter iter;
          const char *name;

          json_object_iter_init (&iter, object);
          while (json_object_iter_next (&iter, &name, NULL))
            {
              if (cp_section_lookup_field (section, name) == NULL)
                add_finding (ctx, KEY_SECTION (section) | SUB_SECTION, CP_SEVERITY_WARNING,
                             section->id, name, "unknown-field",
                             _("The packet holds a value for “%s” in “%s”, which this form does "
                               "not have. It will be ignored."), name,
                             cp_text_get (section->title));
            }
        }
    }

  /* Sections the template does not have. */
  present = cp_packet_list_sections (ctx->packet);
  if (present->len > n_present)
    {
      guint key = ((guint) sections->len + 1u) << 16;

      for (guint i = 0; i < present->len; i++)
        {
          const char *id = g_ptr_array_index (present, i);

          if (cp_template_lookup_section (ctx->tpl, id) == NULL)
            add_finding (ctx, key, CP_SEVERITY_WARNING, id, NULL, "unknown-field",
                         _("The packet holds a section “%s” that this kind of packet does not "
                           "have. It will be ignored."), id);
        }
    }
}

/* Rules. */

#define RULE_FIELD(rule, i) ((const CpField *) g_ptr_array_index ((rule)->fields, (i)))

static void
rule_finding_at (Ctx           *ctx,
                 const CpRule  *rule,
                 const CpField *field,
                 const char    *message)
{
  add_finding (ctx, field_key (field), rule->severity, field->section->id, field->id,
               rule->code, "%s", message);
  tag_last (ctx, field, -1);
}

static void
check_months_between (Ctx          *ctx,
                      const CpRule *rule)
{
  const CpField *from = RULE_FIELD (rule, 0), *to = RULE_FIELD (rule, 1);
  GDate a, b, limit;
  g_autofree char *message = NULL;
  g_autofree char *limit_text = NULL;

  if (!get_date (ctx, from, &a) || !get_date (ctx, to, &b))
    return;
  cp_date_add_months (&a, rule->min, &limit);
  if (g_date_compare (&b, &limit) >= 0)
    return;
  limit_text = format_date (&limit);
  message = g_strdup_printf (dngettext (GETTEXT_PACKAGE,
                                        "“%s” must be at least %d month after “%s”, that is on "
                                        "%s or later.",
                                        "“%s” must be at least %d months after “%s”, that is on "
                                        "%s or later.", (gulong) rule->min),
                             cp_text_get (to->label), rule->min, cp_text_get (from->label),
                             limit_text);
  rule_finding_at (ctx, rule, to, message);
}

static void
check_valid_on_submission (Ctx          *ctx,
                           const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  GDate date;
  g_autofree char *message = NULL;
  g_autofree char *date_text = NULL;
  g_autofree char *submission_text = NULL;

  if (!get_date (ctx, field, &date) || g_date_compare (&date, &ctx->submission) >= 0)
    return;
  date_text = format_date (&date);
  submission_text = format_date (&ctx->submission);
  message = g_strdup_printf (_("“%s” is %s, before the submission date %s: the document is no "
                               "longer valid. Obtain a new one and attach it."),
                             cp_text_get (field->label), date_text, submission_text);
  rule_finding_at (ctx, rule, field, message);
}

static void
check_years_before (Ctx          *ctx,
                    const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  const CpField *reference = rule->fields->len > 1 ? RULE_FIELD (rule, 1) : NULL;
  GDate date, ref, limit;
  g_autofree char *message = NULL;
  g_autofree char *date_text = NULL;
  g_autofree char *limit_text = NULL;
  g_autofree char *ref_text = NULL;

  if (!get_date (ctx, field, &date))
    return;
  if (reference != NULL)
    {
      if (!get_date (ctx, reference, &ref))
        return;
    }
  else
    ref = ctx->submission;

  cp_date_add_months (&ref, -12 * rule->years, &limit);
  if (g_date_compare (&date, &limit) <= 0)
    return;

  date_text = format_date (&date);
  limit_text = format_date (&limit);
  if (reference != NULL)
    ref_text = g_strdup_printf (_("“%s”"), cp_text_get (reference->label));
  else
    {
      g_autofree char *submission = format_date (&ctx->submission);

      ref_text = g_strdup_printf (_("the submission date (%s)"), submission);
    }

  if (rule->type == CP_RULE_MIN_AGE)
    message = g_strdup_printf (dngettext (GETTEXT_PACKAGE,
                                          "The enterprise must have been operating for at "
                                          "least %d year on %s, so “%s” must be %s or earlier; "
                                          "it is %s.",
                                          "The enterprise must have been operating for at "
                                          "least %d years on %s, so “%s” must be %s or earlier; "
                                          "it is %s.", (gulong) rule->years),
                               rule->years, ref_text, cp_text_get (field->label), limit_text,
                               date_text);
  else
    message = g_strdup_printf (dngettext (GETTEXT_PACKAGE,
                                          "“%s” must be at least %d year before %s, that is %s "
                                          "or earlier; it is %s.",
                                          "“%s” must be at least %d years before %s, that is %s "
                                          "or earlier; it is %s.", (gulong) rule->years),
                               cp_text_get (field->label), rule->years, ref_text, limit_text,
                               date_text);
  rule_finding_at (ctx, rule, field, message);
}

/* A scalar value as text for comparing and showing, or NULL when absent. */
static char *
scalar_text (JsonNode *node)
{
  double d;

  if (!value_present (node) || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  if (node_string (node) != NULL)
    return g_strstrip (g_strdup (node_string (node)));
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (node) ? "true" : "false");
  if (node_is_number (node, &d))
    return format_number (d);
  return NULL;
}

static void
check_same_value (Ctx          *ctx,
                  const CpRule *rule)
{
  const CpField *first = NULL;
  g_autofree char *first_value = NULL;

  for (guint i = 0; i < rule->fields->len; i++)
    {
      const CpField *field = RULE_FIELD (rule, i);
      g_autofree char *value = scalar_text (top_value (ctx, field));
      g_autofree char *message = NULL;

      if (value == NULL)
        continue;
      if (first == NULL)
        {
          first = field;
          first_value = g_steal_pointer (&value);
          continue;
        }
      if (g_str_equal (value, first_value))
        continue;
      message = g_strdup_printf (_("“%s” in “%s” is %s, but “%s” in “%s” is %s. Use the same "
                                   "value in every section."),
                                 cp_text_get (field->label), cp_text_get (field->section->title),
                                 value, cp_text_get (first->label),
                                 cp_text_get (first->section->title), first_value);
      rule_finding_at (ctx, rule, field, message);
    }
}

static void
check_min_items (Ctx          *ctx,
                 const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  JsonNode *node = top_value (ctx, field);
  guint n = 0;
  g_autofree char *message = NULL;

  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    n = json_array_get_length (json_node_get_array (node));
  else if (node_string (node) != NULL && value_present (node))
    n = 1;
  else if (!node_is_null (node))
    return;  /* a type error, reported with the field */
  if (n >= (guint) rule->min)
    return;

  message = g_strdup_printf (dngettext (GETTEXT_PACKAGE,
                                        "“%s” needs at least %d entry; it has %u.",
                                        "“%s” needs at least %d entries; it has %u.",
                                        (gulong) rule->min),
                             cp_text_get (field->label), rule->min, n);
  rule_finding_at (ctx, rule, field, message);
}

static void
check_required_if (Ctx          *ctx,
                   const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0), *condition = RULE_FIELD (rule, 1);
  JsonNode *cond = top_value (ctx, condition);
  g_autofree char *message = NULL;

  if (!value_present (cond))
    return;
  if (rule->equals != NULL)
    {
      g_autofree char *a = scalar_text (cond);
      g_autofree char *b = scalar_text (rule->equals);

      if (a == NULL || b == NULL || !g_str_equal (a, b))
        return;
    }
  else if (JSON_NODE_HOLDS_VALUE (cond) &&
           json_node_get_value_type (cond) == G_TYPE_BOOLEAN && !json_node_get_boolean (cond))
    return;

  if (value_present (top_value (ctx, field)))
    return;
  message = g_strdup_printf (_("“%s” is needed because of what “%s” says. Fill it in before you "
                               "submit."), cp_text_get (field->label),
                             cp_text_get (condition->label));
  rule_finding_at (ctx, rule, field, message);
}

static gboolean
get_minutes (Ctx           *ctx,
             const CpField *field,
             int           *out)
{
  const char *s = node_string (top_value (ctx, field));

  return s != NULL && cp_time_parse (s, out);
}

static void
check_order (Ctx          *ctx,
             const CpRule *rule)
{
  const CpField *from = RULE_FIELD (rule, 0), *to = RULE_FIELD (rule, 1);
  int cmp;
  g_autofree char *message = NULL;

  if (from->type == CP_FIELD_DATE)
    {
      GDate a, b;

      if (!get_date (ctx, from, &a) || !get_date (ctx, to, &b))
        return;
      cmp = g_date_compare (&a, &b);
    }
  else
    {
      int a, b;

      if (!get_minutes (ctx, from, &a) || !get_minutes (ctx, to, &b))
        return;
      cmp = a < b ? -1 : a > b ? 1 : 0;
    }

  if (cmp < 0 || (cmp == 0 && !rule->strict))
    return;
  if (rule->strict)
    message = g_strdup_printf (_("“%s” must be later than “%s”."), cp_text_get (to->label),
                               cp_text_get (from->label));
  else
    message = g_strdup_printf (_("“%s” cannot be earlier than “%s”."), cp_text_get (to->label),
                               cp_text_get (from->label));
  rule_finding_at (ctx, rule, to, message);
}

static void
check_duration (Ctx          *ctx,
                const CpRule *rule)
{
  const CpField *from = RULE_FIELD (rule, 0), *to = RULE_FIELD (rule, 1);
  int a, b, minutes;
  g_autofree char *message = NULL;

  if (!get_minutes (ctx, from, &a) || !get_minutes (ctx, to, &b) || b < a)
    return;
  minutes = b - a;
  if (rule->min_minutes >= 0 && minutes < rule->min_minutes)
    message = g_strdup_printf (_("From “%s” to “%s” is %d minutes; it must be at least %d "
                                 "minutes."), cp_text_get (from->label), cp_text_get (to->label),
                               minutes, rule->min_minutes);
  else if (rule->max_minutes >= 0 && minutes > rule->max_minutes)
    message = g_strdup_printf (_("From “%s” to “%s” is %d minutes; it should take at most %d "
                                 "minutes."), cp_text_get (from->label), cp_text_get (to->label),
                               minutes, rule->max_minutes);
  if (message != NULL)
    rule_finding_at (ctx, rule, to, message);
}

static void
check_excluded_values (Ctx          *ctx,
                       const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  const char *value = node_string (top_value (ctx, field));
  const CpChoiceOption *option;
  g_autofree char *message = NULL;

  if (value == NULL || !g_strv_contains ((const char * const *) rule->values, value))
    return;
  option = cp_field_lookup_option (field, value);
  message = g_strdup_printf (_("“%s” is “%s”: a packet with this answer cannot be submitted."),
                             cp_text_get (field->label),
                             option != NULL ? cp_text_get (option->label) : value);
  rule_finding_at (ctx, rule, field, message);
}

/* A year, or a date's year, at most the packet's year − "years": passed 贯标 "in 2019 or
 * before" for the 2020 round (2019年度（含）之前, seed 000 二(二)1). */
static void
check_campaign_year (Ctx          *ctx,
                     const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  JsonNode *node = top_value (ctx, field);
  int year = cp_packet_get_year (ctx->packet);
  double value;
  g_autofree char *message = NULL;

  if (year <= 0)
    year = cp_template_get_year (ctx->tpl);
  if (field->type == CP_FIELD_DATE)
    {
      GDate date;
      g_autofree char *date_text = NULL;

      if (!get_date (ctx, field, &date) || g_date_get_year (&date) <= year - rule->years)
        return;
      date_text = format_date (&date);
      message = g_strdup_printf (_("“%s” is %s; for the %d campaign it must be in %d or "
                                   "earlier."),
                                 cp_text_get (field->label), date_text, year,
                                 year - rule->years);
      rule_finding_at (ctx, rule, field, message);
      return;
    }
  if (node_is_null (node) || !node_is_number (node, &value) || value <= year - rule->years)
    return;
  message = g_strdup_printf (_("“%s” is %.0f; for the %d campaign it must be %d or earlier."),
                             cp_text_get (field->label), value, year, year - rule->years);
  rule_finding_at (ctx, rule, field, message);
}

static void
check_pass_mark (Ctx            *ctx,
                 const CpRule   *rule,
                 CpScoringSheet *sheet)
{
  const CpField *field = RULE_FIELD (rule, 0);
  const char *value = node_string (top_value (ctx, field));
  const CpScoringMark *mark;
  const CpChoiceOption *option;
  g_autoptr(CpScoreSummary) summary = NULL;
  g_autofree char *total = NULL;
  g_autofree char *min = NULL;

  if (sheet == NULL || value == NULL)
    return;
  mark = cp_scoring_sheet_lookup_pass_mark (sheet, value);
  if (mark == NULL)
    return;
  summary = cp_scoring_compute (sheet, ctx->packet);
  if (!cp_score_summary_is_complete (summary, rule->column) ||
      cp_score_summary_meets_pass_mark (summary, rule->column, value))
    return;
  option = cp_field_lookup_option (field, value);
  total = format_number (cp_score_summary_get_total (summary, rule->column));
  min = format_number (mark->min);
  add_finding (ctx, KEY_SECTION (rule->section) | SUB_SECTION, rule->severity, rule->section->id,
               NULL, rule->code,
               _("The score is %s, below the pass mark of %s for “%s”."), total, min,
               option != NULL ? cp_text_get (option->label) : value);
  tag_last (ctx, NULL, (int) rule->column);
}

/* Below the pass mark the decision is not one of the refused values (a re-review "passed"
 * below 700, seed 000 二(四)6). */
static void
check_pass_mark_decision (Ctx            *ctx,
                          const CpRule   *rule,
                          CpScoringSheet *sheet)
{
  const CpField *field = RULE_FIELD (rule, 0);
  const CpField *decision = RULE_FIELD (rule, 1);
  const char *value = node_string (top_value (ctx, field));
  const char *chosen = node_string (top_value (ctx, decision));
  const CpScoringMark *mark;
  const CpChoiceOption *level, *option;
  g_autoptr(CpScoreSummary) summary = NULL;
  g_autoptr(GString) others = NULL;
  g_autofree char *total = NULL;
  g_autofree char *min = NULL;
  g_autofree char *message = NULL;

  if (sheet == NULL || value == NULL || chosen == NULL ||
      !g_strv_contains ((const char * const *) rule->values, chosen))
    return;
  mark = cp_scoring_sheet_lookup_pass_mark (sheet, value);
  if (mark == NULL)
    return;
  summary = cp_scoring_compute (sheet, ctx->packet);
  if (!cp_score_summary_is_complete (summary, rule->column) ||
      cp_score_summary_meets_pass_mark (summary, rule->column, value))
    return;

  others = g_string_new (NULL);
  for (guint i = 0; i < decision->options->len; i++)
    {
      const CpChoiceOption *other = g_ptr_array_index (decision->options, i);

      if (g_strv_contains ((const char * const *) rule->values, other->id))
        continue;
      if (others->len > 0)
        /* Translators: between the choices of a list, “A” or “B” */
        g_string_append (others, _(" or "));
      g_string_append_printf (others, _("“%s”"), cp_text_get (other->label));
    }
  level = cp_field_lookup_option (field, value);
  option = cp_field_lookup_option (decision, chosen);
  total = format_number (cp_score_summary_get_total (summary, rule->column));
  min = format_number (mark->min);
  message = g_strdup_printf (_("“%s” is “%s”, but the score %s is below the pass mark of %s for "
                               "“%s”: choose %s."),
                             cp_text_get (decision->label),
                             option != NULL ? cp_text_get (option->label) : chosen, total, min,
                             level != NULL ? cp_text_get (level->label) : value, others->str);
  rule_finding_at (ctx, rule, decision, message);
}

/* The credit code was issued in the region (在我市辖区内注册, seed 000 三(一)1). A malformed
 * code is the field check's business. */
static void
check_division (Ctx          *ctx,
                const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  const char *code = node_string (top_value (ctx, field));
  g_autoptr(GString) prefixes = NULL;
  g_autofree char *message = NULL;
  CpUsccInfo info;

  if (code == NULL || !cp_uscc_validate (code, &info, NULL))
    return;
  for (guint i = 0; rule->prefixes[i] != NULL; i++)
    {
      if (g_str_has_prefix (info.division, rule->prefixes[i]))
        return;
    }
  prefixes = g_string_new (NULL);
  for (guint i = 0; rule->prefixes[i] != NULL; i++)
    g_string_append_printf (prefixes, "%s%s…", i > 0 ? ", " : "", rule->prefixes[i]);
  message = g_strdup_printf (_("“%s”: the region code %s in the credit code is outside %s (%s). "
                               "Only enterprises registered in %s can take part."),
                             cp_text_get (field->label), info.division,
                             cp_text_get (rule->region), prefixes->str,
                             cp_text_get (rule->region));
  rule_finding_at (ctx, rule, field, message);
}

static void
check_recent_years (Ctx          *ctx,
                    const CpRule *rule)
{
  const CpField *field = RULE_FIELD (rule, 0);
  JsonNode *node = top_value (ctx, field);
  int year = cp_packet_get_year (ctx->packet);
  JsonArray *array;

  if (year <= 0)
    year = cp_template_get_year (ctx->tpl);
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return;
  array = json_node_get_array (node);

  for (int y = year - rule->count; y < year; y++)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < json_array_get_length (array) && !found; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          JsonNode *value;
          double d;

          if (!JSON_NODE_HOLDS_OBJECT (item))
            continue;
          value = json_object_get_member (json_node_get_object (item), rule->year_field->id);
          if (value != NULL && node_is_number (value, &d) && (int) d == y)
            found = TRUE;
        }
      if (!found)
        {
          g_autofree char *message =
            g_strdup_printf (_("“%s” must cover each of the years %d to %d; %d is missing."),
                             cp_text_get (field->label), year - rule->count, year - 1, y);

          rule_finding_at (ctx, rule, field, message);
          return;
        }
    }
}

static void
check_rules (Ctx            *ctx,
             CpScoringSheet *sheet)
{
  GPtrArray *rules = cp_template_get_rules (ctx->tpl);

  for (guint i = 0; i < rules->len; i++)
    {
      const CpRule *rule = g_ptr_array_index (rules, i);

      switch (rule->type)
        {
        case CP_RULE_MONTHS_BETWEEN:
          check_months_between (ctx, rule);
          break;
        case CP_RULE_VALID_ON_SUBMISSION:
          check_valid_on_submission (ctx, rule);
          break;
        case CP_RULE_YEARS_BEFORE:
        case CP_RULE_MIN_AGE:
          check_years_before (ctx, rule);
          break;
        case CP_RULE_SAME_VALUE:
          check_same_value (ctx, rule);
          break;
        case CP_RULE_MIN_ITEMS:
          check_min_items (ctx, rule);
          break;
        case CP_RULE_REQUIRED_IF:
          check_required_if (ctx, rule);
          break;
        case CP_RULE_ORDER:
          check_order (ctx, rule);
          break;
        case CP_RULE_DURATION:
          check_duration (ctx, rule);
          break;
        case CP_RULE_EXCLUDED_VALUES:
          check_excluded_values (ctx, rule);
          break;
        case CP_RULE_CAMPAIGN_YEAR:
          check_campaign_year (ctx, rule);
          break;
        case CP_RULE_PASS_MARK:
          check_pass_mark (ctx, rule, sheet);
          break;
        case CP_RULE_RECENT_YEARS:
          check_recent_years (ctx, rule);
          break;
        case CP_RULE_PASS_MARK_DECISION:
          check_pass_mark_decision (ctx, rule, sheet);
          break;
        case CP_RULE_DIVISION:
          check_division (ctx, rule);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

static void
check_scoring (Ctx            *ctx,
               CpScoringSheet *sheet)
{
  const CpScoringRef *ref = cp_template_get_scoring (ctx->tpl);
  g_autoptr(GPtrArray) found = NULL;
  guint key;

  if (ref == NULL || sheet == NULL)
    return;
  key = KEY_SECTION (ref->section) | SUB_SCORING;

  for (int column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
    {
      const CpText *label = cp_template_get_column_label (ctx->tpl, (CpScoreColumn) column);

      if (column == CP_SCORE_SELF ? !ref->self : !ref->acceptance)
        continue;
      found = g_ptr_array_new ();
      cp_scoring_check_column (sheet, ctx->packet, (CpScoreColumn) column,
                               label != NULL ? cp_text_get (label) : NULL, ref->section->id,
                               found);
      for (guint i = 0; i < found->len; i++)
        {
          Entry entry = { key, ctx->entries->len, g_ptr_array_index (found, i), NULL, column };

          g_array_append_val (ctx->entries, entry);
        }
      g_clear_pointer (&found, g_ptr_array_unref);
    }
}

/* Is the finding @entry about a part of @scope? */
static gboolean
entry_in_scope (CpTemplate  *tpl,
                const Entry *entry,
                const Scope *scope)
{
  const CpScoringRef *ref = cp_template_get_scoring (tpl);

  if (entry->field != NULL)
    return entry->field->owner != CP_ROLE_NONE &&
           cp_part_set_covers_field (scope->parts[entry->field->owner], entry->field);
  if (entry->column >= 0 && ref != NULL)
    {
      CpRole owner = ref->column_owner[entry->column];

      return owner != CP_ROLE_NONE &&
             cp_part_set_covers_section (scope->parts[owner], ref->section);
    }
  return FALSE;
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *ea = a, *eb = b;

  if (ea->key != eb->key)
    return ea->key < eb->key ? -1 : 1;
  return ea->seq < eb->seq ? -1 : ea->seq > eb->seq ? 1 : 0;
}

/* Every finding, or with @scope those about its parts. With @submitting the submission date is
 * @today whatever the packet says (the transition that hands it in sets it). */
static GPtrArray *
validate_template (CpTemplate     *tpl,
                   CpScoringSheet *sheet,
                   CpPacket       *packet,
                   const GDate    *today,
                   const Scope    *scope,
                   gboolean        submitting)
{
  Ctx ctx = { 0, };
  const char *submitted;
  GPtrArray *ret;

  ctx.tpl = tpl;
  ctx.packet = packet;
  ctx.entries = g_array_new (FALSE, FALSE, sizeof (Entry));

  submitted = cp_packet_get_submitted_on (packet);
  if (submitting || submitted == NULL || !cp_date_parse (submitted, &ctx.submission))
    {
      if (today != NULL && g_date_valid (today))
        ctx.submission = *today;
      else
        cp_date_today (&ctx.submission);
    }

  check_sections (&ctx);
  check_scoring (&ctx, sheet);
  check_rules (&ctx, sheet);

  if (ctx.entries->len > 1)
    g_array_sort (ctx.entries, compare_entries);

  ret = g_ptr_array_new_full (ctx.entries->len, (GDestroyNotify) cp_finding_free);
  for (guint i = 0; i < ctx.entries->len; i++)
    {
      Entry *entry = &g_array_index (ctx.entries, Entry, i);

      if (scope == NULL || entry_in_scope (tpl, entry, scope))
        g_ptr_array_add (ret, entry->finding);
      else
        cp_finding_free (entry->finding);
    }
  g_array_unref (ctx.entries);
  return ret;
}

GPtrArray *
cp_validator_validate_with_template (CpTemplate     *tpl,
                                     CpScoringSheet *sheet,
                                     CpPacket       *packet,
                                     const GDate    *today)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), NULL);
  g_return_val_if_fail (sheet == NULL || CP_IS_SCORING_SHEET (sheet), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  return validate_template (tpl, sheet, packet, today, NULL, FALSE);
}

static GPtrArray *
validate_packet (CpTemplateRegistry  *registry,
                 CpPacket            *packet,
                 const GDate         *today,
                 const Scope         *scope,
                 gboolean             submitting,
                 CpTemplate         **tpl_out,
                 GError             **error)
{
  const char *kind, *version, *sheet_id, *sheet_version;
  const CpScoringRef *ref;
  CpScoringSheet *sheet = NULL;
  CpTemplate *tpl;
  GPtrArray *ret;
  gboolean sheet_mismatch = FALSE;
  gboolean sheet_fallback = FALSE;

  kind = cp_packet_get_kind (packet);
  version = cp_packet_get_template_version (packet);
  if (version != NULL && *version == '\0')
    version = NULL;

  if (cp_template_registry_lookup_kind (registry, kind) == NULL)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_KIND,
                   _("The packet is of the kind “%s”, which this program does not know. Update "
                     "the templates from the server."), kind != NULL ? kind : "");
      return NULL;
    }
  tpl = cp_template_registry_lookup_kind_version (registry, kind, version);
  if (tpl == NULL)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_VERSION,
                   _("The packet was made with version %s of the “%s” template, which this "
                     "program does not have. Update the templates from the server."),
                   version, kind);
      return NULL;
    }

  ref = cp_template_get_scoring (tpl);
  if (ref != NULL)
    {
      sheet_id = cp_packet_get_sheet_id (packet);
      sheet_version = cp_packet_get_sheet_version (packet);
      if (sheet_id != NULL && !g_str_equal (sheet_id, ref->sheet_id))
        sheet_mismatch = TRUE;
      else if (sheet_id != NULL && sheet_version != NULL)
        {
          sheet = cp_template_registry_lookup_sheet_version (registry, ref->sheet_id,
                                                             sheet_version);
          sheet_fallback = sheet == NULL;
        }
      if (sheet == NULL)
        sheet = cp_template_registry_lookup_sheet (registry, ref->sheet_id);
    }

  if (tpl_out != NULL)
    *tpl_out = tpl;
  ret = validate_template (tpl, sheet, packet, today, scope, submitting);
  /* The sheet reference is its owner's. */
  if (scope != NULL && (ref == NULL || ref->sheet_owner == CP_ROLE_NONE ||
                        !cp_part_set_covers_section (scope->parts[ref->sheet_owner],
                                                     ref->section)))
    return ret;

  if (sheet_mismatch)
    g_ptr_array_insert (ret, 0,
                        cp_finding_new (CP_SEVERITY_ERROR, ref->section->id, NULL,
                                        "scoring-sheet-mismatch",
                                        _("The scores were entered on the sheet “%s”, but this "
                                          "kind of packet is scored on “%s”. Score it again on "
                                          "the right sheet."),
                                        cp_packet_get_sheet_id (packet), ref->sheet_id));
  else if (sheet_fallback)
    g_ptr_array_insert (ret, 0,
                        cp_finding_new (CP_SEVERITY_WARNING, ref->section->id, NULL,
                                        "scoring-sheet-version",
                                        _("The scores were entered on version %s of the sheet "
                                          "“%s”, which this program does not have; they were "
                                          "checked against version %s."),
                                        cp_packet_get_sheet_version (packet), ref->sheet_id,
                                        cp_scoring_sheet_get_version (sheet)));
  return ret;
}

GPtrArray *
cp_validator_validate (CpTemplateRegistry  *registry,
                       CpPacket            *packet,
                       const GDate         *today,
                       GError             **error)
{
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return validate_packet (registry, packet, today, NULL, FALSE, NULL, error);
}

GPtrArray *
cp_validator_validate_owned (CpTemplateRegistry  *registry,
                             CpPacket            *packet,
                             guint                roles,
                             const GDate         *today,
                             GError             **error)
{
  Scope scope = { { NULL, } };

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  for (guint r = CP_ROLE_ENTERPRISE; r < CP_N_ROLES; r++)
    {
      if (roles & CP_ROLE_BIT (r))
        scope.parts[r] = &all_parts;
    }
  return validate_packet (registry, packet, today, &scope, FALSE, NULL, error);
}

/* The warning of a stage past its deadline, or NULL. */
static CpFinding *
deadline_finding (CpTemplate  *tpl,
                  CpPacket    *packet,
                  const char  *state_id,
                  const GDate *today)
{
  const CpWorkflow *workflow = cp_template_get_workflow (tpl);
  const CpWorkflowState *state = NULL;
  CpStageDeadline stage;
  g_autofree char *date = NULL;
  const char *stage_name;

  if (!cp_template_get_stage_deadline (tpl, packet, state_id, today, &stage) ||
      stage.days_left >= 0)
    return NULL;
  if (workflow != NULL)
    state = state_id != NULL ? cp_workflow_lookup_state (workflow, state_id)
                             : cp_workflow_state_for_packet (workflow, packet);
  stage_name = state != NULL ? cp_text_get (state->label) : cp_text_get (stage.deadline->label);
  date = cp_date_format (&stage.date);
  return cp_finding_new (CP_SEVERITY_WARNING, NULL, NULL, "stage-overdue",
                         dngettext (GETTEXT_PACKAGE,
                                    "The stage “%s” was due by %s (%s), %d day ago.",
                                    "The stage “%s” was due by %s (%s), %d days ago.",
                                    (gulong) -stage.days_left),
                         stage_name, date, cp_text_get (stage.deadline->label),
                         -stage.days_left);
}

GPtrArray *
cp_validator_validate_in_state (CpTemplateRegistry  *registry,
                                CpPacket            *packet,
                                const char          *state_id,
                                const GDate         *today,
                                GError             **error)
{
  CpTemplate *tpl = NULL;
  GPtrArray *ret;
  CpFinding *late;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ret = validate_packet (registry, packet, today, NULL, FALSE, &tpl, error);
  if (ret == NULL)
    return NULL;
  late = deadline_finding (tpl, packet, state_id, today);
  if (late != NULL)
    g_ptr_array_insert (ret, 0, late);
  return ret;
}

gboolean
cp_validator_check_transition (CpTemplateRegistry  *registry,
                               CpPacket            *packet,
                               const char          *state_id,
                               const char          *transition_id,
                               CpRole               role,
                               const GDate         *today,
                               GPtrArray          **findings,
                               GError             **error)
{
  g_autoptr(GPtrArray) found = NULL;
  const CpWorkflow *workflow;
  const CpWorkflowState *state;
  const CpTransition *transition;
  CpTemplate *tpl;
  Scope scope = { { NULL, } };
  guint n_errors;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail (transition_id != NULL, FALSE);
  g_return_val_if_fail (findings == NULL || *findings == NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  tpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                  cp_packet_get_template_version (packet));
  if (tpl == NULL)
    {
      /* The same error as validating it. */
      g_autoptr(GPtrArray) none = cp_validator_validate (registry, packet, today, error);

      g_assert (none == NULL);
      return FALSE;
    }
  workflow = cp_template_get_workflow (tpl);
  if (workflow == NULL)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_NO_WORKFLOW,
                   _("Version %s of the “%s” template has no review chain; the packet moves on "
                     "as before."), cp_template_get_version (tpl), cp_template_get_id (tpl));
      return FALSE;
    }
  state = state_id != NULL ? cp_workflow_lookup_state (workflow, state_id)
                           : cp_workflow_state_for_packet (workflow, packet);
  transition = state != NULL ? cp_workflow_lookup_transition (workflow, state->id, transition_id)
                             : NULL;
  if (transition == NULL)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_TRANSITION,
                   _("A packet at the stage “%s” cannot move on by “%s”."),
                   state != NULL ? cp_text_get (state->label) : (state_id != NULL ? state_id : ""),
                   transition_id);
      return FALSE;
    }
  if (transition->role != role)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_NOT_ALLOWED,
                   _("“%s” can only be done by: %s."), cp_text_get (transition->label),
                   cp_role_get_label (transition->role));
      return FALSE;
    }

  for (guint r = CP_ROLE_ENTERPRISE; r < CP_N_ROLES; r++)
    scope.parts[r] = transition->complete[r];
  found = validate_packet (registry, packet, today, &scope, transition->submits, NULL, error);
  if (found == NULL)
    return FALSE;
  for (guint i = 0; i < transition->filled->len; i++)
    {
      const CpField *field = g_ptr_array_index (transition->filled, i);
      JsonNode *node = cp_packet_get_value (packet, field->section->id, field->id);

      if (!value_present (node))
        g_ptr_array_add (found,
                         cp_finding_new (CP_SEVERITY_ERROR, field->section->id, field->id,
                                         "required",
                                         _("“%s” must be filled in before “%s”."),
                                         cp_text_get (field->label),
                                         cp_text_get (transition->label)));
    }

  n_errors = cp_findings_count (found, CP_SEVERITY_ERROR);
  if (findings != NULL)
    *findings = g_steal_pointer (&found);
  if (n_errors > 0)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_INCOMPLETE,
                   dngettext (GETTEXT_PACKAGE,
                              "%u problem must be fixed before “%s”.",
                              "%u problems must be fixed before “%s”.", n_errors),
                   n_errors, cp_text_get (transition->label));
      return FALSE;
    }
  return TRUE;
}

CpRole
cp_validator_finding_owner (CpTemplate      *tpl,
                            const CpFinding *finding)
{
  const CpScoringRef *ref;
  const CpSection *section;
  const CpField *field = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), CP_ROLE_NONE);
  g_return_val_if_fail (finding != NULL, CP_ROLE_NONE);

  if (finding->section == NULL ||
      (section = cp_template_lookup_section (tpl, finding->section)) == NULL)
    return CP_ROLE_NONE;
  if (finding->field != NULL)
    {
      const char *bracket = strchr (finding->field, '[');

      if (bracket != NULL)
        {
          g_autofree char *group = g_strndup (finding->field, bracket - finding->field);
          const char *dot = strchr (bracket, '.');

          field = cp_section_lookup_field (section, group);
          if (field != NULL && dot != NULL && cp_field_lookup_subfield (field, dot + 1) != NULL)
            field = cp_field_lookup_subfield (field, dot + 1);
        }
      else
        field = cp_section_lookup_field (section, finding->field);
    }
  if (field != NULL)
    return field->owner;

  /* A scoring item, or the scoring section as a whole: the column the kind requires. */
  ref = cp_template_get_scoring (tpl);
  if (ref != NULL && ref->section == section && (ref->acceptance || ref->self))
    return ref->column_owner[ref->acceptance ? CP_SCORE_ACCEPTANCE : CP_SCORE_SELF];
  return CP_ROLE_NONE;
}

gboolean
cp_validator_is_ready (GPtrArray *findings)
{
  g_return_val_if_fail (findings != NULL, FALSE);

  for (guint i = 0; i < findings->len; i++)
    {
      const CpFinding *finding = g_ptr_array_index (findings, i);

      if (finding->severity == CP_SEVERITY_ERROR)
        return FALSE;
    }
  return TRUE;
}

const char *
cp_section_status_to_string (CpSectionStatus status)
{
  switch (status)
    {
    case CP_SECTION_STATUS_EMPTY:
      return "empty";
    case CP_SECTION_STATUS_COMPLETE:
      return "complete";
    case CP_SECTION_STATUS_WARNINGS:
      return "warnings";
    case CP_SECTION_STATUS_ERRORS:
      return "errors";
    default:
      g_return_val_if_reached (NULL);
    }
}

static gboolean
section_is_empty (CpTemplate      *tpl,
                  CpPacket        *packet,
                  const CpSection *section)
{
  const CpScoringRef *ref = cp_template_get_scoring (tpl);
  JsonObject *object = cp_packet_get_section (packet, section->id);

  if (ref != NULL && ref->section == section &&
      g_hash_table_size (cp_packet_get_scores (packet)) > 0)
    return FALSE;
  if (object != NULL)
    {
      JsonObjectIter iter;
      JsonNode *node;
      const char *name;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &node))
        {
          if (value_present (node))
            return FALSE;
        }
    }
  return TRUE;
}

static CpSectionStatus
status_of (CpTemplate      *tpl,
           CpPacket        *packet,
           GPtrArray       *findings,
           const CpSection *section)
{
  gboolean warnings = FALSE;

  if (section->generated)
    return CP_SECTION_STATUS_COMPLETE;
  if (section_is_empty (tpl, packet, section))
    return CP_SECTION_STATUS_EMPTY;
  for (guint i = 0; findings != NULL && i < findings->len; i++)
    {
      const CpFinding *finding = g_ptr_array_index (findings, i);

      if (finding->section == NULL || !g_str_equal (finding->section, section->id))
        continue;
      if (finding->severity == CP_SEVERITY_ERROR)
        return CP_SECTION_STATUS_ERRORS;
      warnings = TRUE;
    }
  return warnings ? CP_SECTION_STATUS_WARNINGS : CP_SECTION_STATUS_COMPLETE;
}

CpSectionStatus
cp_validator_section_status (CpTemplate *tpl,
                             CpPacket   *packet,
                             GPtrArray  *findings,
                             const char *section_id)
{
  const CpSection *section;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), CP_SECTION_STATUS_EMPTY);
  g_return_val_if_fail (CP_IS_PACKET (packet), CP_SECTION_STATUS_EMPTY);
  g_return_val_if_fail (section_id != NULL, CP_SECTION_STATUS_EMPTY);

  section = cp_template_lookup_section (tpl, section_id);
  g_return_val_if_fail (section != NULL, CP_SECTION_STATUS_EMPTY);
  return status_of (tpl, packet, findings, section);
}

guint
cp_validator_count_complete (CpTemplate *tpl,
                             CpPacket   *packet,
                             GPtrArray  *findings,
                             guint      *n_sections)
{
  GPtrArray *sections;
  guint complete = 0;

  g_return_val_if_fail (CP_IS_TEMPLATE (tpl), 0);
  g_return_val_if_fail (CP_IS_PACKET (packet), 0);

  sections = cp_template_get_sections (tpl);
  for (guint i = 0; i < sections->len; i++)
    {
      CpSectionStatus status = status_of (tpl, packet, findings,
                                          g_ptr_array_index (sections, i));

      if (status == CP_SECTION_STATUS_COMPLETE || status == CP_SECTION_STATUS_WARNINGS)
        complete++;
    }
  if (n_sections != NULL)
    *n_sections = sections->len;
  return complete;
}
