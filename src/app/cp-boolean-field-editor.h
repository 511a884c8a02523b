/* cp-boolean-field-editor.h — the editor of a yes-or-no answer
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_BOOLEAN_FIELD_EDITOR (cp_boolean_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpBooleanFieldEditor, cp_boolean_field_editor, CP, BOOLEAN_FIELD_EDITOR,
                      AdwBin)

CpBooleanFieldEditor *cp_boolean_field_editor_new (const CpField *field);

G_END_DECLS
