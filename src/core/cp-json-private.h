/* cp-json-private.h — strict JSON readers shared by the loaders
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Errors raised while reading a JSON document into a core object. Every message names the
 * origin (a file name or "<memory>"), the JSON path ($.sections[2].fields[0].id) and the fault. */
#define CP_JSON_ERROR (cp_json_error_quark ())

typedef enum
{
  CP_JSON_ERROR_SYNTAX,          /* not JSON, or not UTF-8 */
  CP_JSON_ERROR_MISSING_MEMBER,  /* a required member is absent */
  CP_JSON_ERROR_WRONG_TYPE,      /* a member has the wrong JSON type */
  CP_JSON_ERROR_UNKNOWN_MEMBER,  /* a member the format does not know */
  CP_JSON_ERROR_INVALID_VALUE,   /* right type, wrong value (a bad date, an unknown enum value) */
  CP_JSON_ERROR_INCONSISTENT,    /* totals do not add up, a rule names an unknown field, ... */
  CP_JSON_ERROR_DUPLICATE_ID,    /* an id used twice */
  CP_JSON_ERROR_TOO_LARGE,       /* the document exceeds a size limit */
  CP_JSON_ERROR_UNSUPPORTED,     /* a format version this program does not read */
  CP_JSON_ERROR_TOO_DEEP,        /* arrays and objects nest deeper than CP_JSON_MAX_DEPTH */
} CpJsonError;

/* The deepest nesting of arrays and objects in any document read: json-glib's parser recurses
 * once per level, so a deep enough document overflows the stack. Deeper ones are refused before
 * json-glib sees them. */
#define CP_JSON_MAX_DEPTH 64

GQuark      cp_json_error_quark      (void);

/* A reading context: the origin and the current JSON path, for error messages. */
typedef struct _CpJsonCtx CpJsonCtx;
struct _CpJsonCtx
{
  const char *origin;
  GString    *path;
};

void        cp_json_ctx_init         (CpJsonCtx   *ctx,
                                      const char  *origin);
void        cp_json_ctx_clear        (CpJsonCtx   *ctx);
/* Push ".member" or "[index]" onto the path; pop restores the previous length. */
gsize       cp_json_ctx_push_member  (CpJsonCtx   *ctx,
                                      const char  *member);
gsize       cp_json_ctx_push_index   (CpJsonCtx   *ctx,
                                      guint        index);
void        cp_json_ctx_pop          (CpJsonCtx   *ctx,
                                      gsize        mark);

/* Sets @error to "ORIGIN: PATH: message". Always returns FALSE. */
gboolean    cp_json_ctx_fail         (CpJsonCtx   *ctx,
                                      GError     **error,
                                      CpJsonError  code,
                                      const char  *format,
                                      ...) G_GNUC_PRINTF (4, 5);

/* The checks json-glib cannot make itself, on the bytes of a document before it is parsed:
 *   - arrays and objects nest at most @max_depth levels (CP_JSON_ERROR_TOO_DEEP);
 *   - no string (member names included) holds the escape \u0000, which json-glib truncates the
 *     string at, nor an unpaired UTF-16 surrogate escape (\ud800 alone), which it turns into
 *     invalid UTF-8 (CP_JSON_ERROR_SYNTAX);
 *   - every number reads as a finite double, and every whole number (no fraction, no exponent)
 *     fits in 64 bits: json-glib turns 1e400 into infinity and wraps larger whole numbers
 *     (CP_JSON_ERROR_SYNTAX).
 * Anything else that is not JSON is left to json-glib. Errors name @origin and the byte offset. */
gboolean    cp_json_check_text       (const char  *data,
                                      gsize        length,
                                      guint        max_depth,
                                      const char  *origin,
                                      GError     **error);

/* Whether json-glib 1.6's generator writes @value as JSON that reads back as @value: it writes
 * "%.17g" and appends ".0" when there is no '.', so 1e+20 becomes "1e+20.0" (not JSON), and
 * so does, for example, 1e-08. Non-finite values are never writable. */
gboolean    cp_json_double_is_writable (double     value);

/* Parses @data (which must be valid UTF-8, at most @max_size bytes, 0 for no limit) after
 * cp_json_check_text() with CP_JSON_MAX_DEPTH. */
JsonNode   *cp_json_parse            (const char  *data,
                                      gssize       length,
                                      gsize        max_size,
                                      const char  *origin,
                                      GError     **error);

/* Typed member readers: each fails with a path-naming error when the member is missing (for the
 * require_ variants) or of the wrong type. The optional variants return TRUE and leave *out
 * untouched when the member is absent or null. */
gboolean    cp_json_require_object   (CpJsonCtx   *ctx,
                                      JsonNode    *node,
                                      JsonObject **out,
                                      GError     **error);
gboolean    cp_json_get_string       (CpJsonCtx   *ctx,
                                      JsonObject  *object,
                                      const char  *member,
                                      gboolean     required,
                                      const char **out,
                                      GError     **error);
gboolean    cp_json_get_int          (CpJsonCtx   *ctx,
                                      JsonObject  *object,
                                      const char  *member,
                                      gboolean     required,
                                      gint64      *out,
                                      GError     **error);
gboolean    cp_json_get_double       (CpJsonCtx   *ctx,
                                      JsonObject  *object,
                                      const char  *member,
                                      gboolean     required,
                                      double      *out,
                                      GError     **error);
gboolean    cp_json_get_boolean      (CpJsonCtx   *ctx,
                                      JsonObject  *object,
                                      const char  *member,
                                      gboolean     required,
                                      gboolean    *out,
                                      GError     **error);
gboolean    cp_json_get_array        (CpJsonCtx   *ctx,
                                      JsonObject  *object,
                                      const char  *member,
                                      gboolean     required,
                                      JsonArray  **out,
                                      GError     **error);
gboolean    cp_json_get_object       (CpJsonCtx   *ctx,
                                      JsonObject  *object,
                                      const char  *member,
                                      gboolean     required,
                                      JsonObject **out,
                                      GError     **error);
/* Fails with CP_JSON_ERROR_UNKNOWN_MEMBER for a member of @object not in the NULL-terminated
 * @known list. */
gboolean    cp_json_check_members    (CpJsonCtx          *ctx,
                                      JsonObject         *object,
                                      const char * const *known,
                                      GError            **error);

const char *cp_json_node_type_name   (JsonNode    *node);

G_END_DECLS
