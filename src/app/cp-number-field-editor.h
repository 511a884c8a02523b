/* cp-number-field-editor.h — the editor of numbers, sums of money and whole numbers
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_NUMBER_FIELD_EDITOR (cp_number_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpNumberFieldEditor, cp_number_field_editor, CP, NUMBER_FIELD_EDITOR,
                      AdwBin)

CpNumberFieldEditor *cp_number_field_editor_new (const CpField *field);

G_END_DECLS
