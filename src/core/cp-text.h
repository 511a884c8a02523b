/* cp-text.h — a string published in data with its translations
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Templates and scoring sheets are data published by the credit office, so their strings cannot
 * go through gettext. In JSON a text is either a plain string (English) or an object
 * { "en": "Cover", "zh_CN": "封面" }. cp_text_get() picks the best match for the user's locale
 * (g_get_language_names ()), falling back to English, then to any translation. */
typedef struct _CpText CpText;

CpText     *cp_text_new              (const char  *english);
CpText     *cp_text_ref              (CpText      *text);
void        cp_text_unref            (CpText      *text);
/* Reads a text from @node; sets @error with a plain message (the caller adds the path). */
CpText     *cp_text_new_from_json    (JsonNode    *node,
                                      GError     **error);
JsonNode   *cp_text_to_json          (const CpText *text);
/* The string for the current locale; never NULL for a non-NULL @text. */
const char *cp_text_get              (const CpText *text);
/* The string for @lang ("en", "zh_CN"), or NULL. */
const char *cp_text_get_for          (const CpText *text,
                                      const char   *lang);
void        cp_text_set              (CpText      *text,
                                      const char  *lang,
                                      const char  *value);

GType       cp_text_get_type         (void) G_GNUC_CONST;
#define CP_TYPE_TEXT (cp_text_get_type ())
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpText, cp_text_unref)

G_END_DECLS
