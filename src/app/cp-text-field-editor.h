/* cp-text-field-editor.h — the editor of text, multi-line text, credit codes, phone numbers,
 * e-mail and web addresses and postcodes
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_TEXT_FIELD_EDITOR (cp_text_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpTextFieldEditor, cp_text_field_editor, CP, TEXT_FIELD_EDITOR, AdwBin)

CpTextFieldEditor *cp_text_field_editor_new (const CpField *field);

G_END_DECLS
