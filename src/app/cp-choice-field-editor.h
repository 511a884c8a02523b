/* cp-choice-field-editor.h — the editor of a choice among the template's options
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_CHOICE_FIELD_EDITOR (cp_choice_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpChoiceFieldEditor, cp_choice_field_editor, CP, CHOICE_FIELD_EDITOR,
                      AdwBin)

CpChoiceFieldEditor *cp_choice_field_editor_new (const CpField *field);

G_END_DECLS
