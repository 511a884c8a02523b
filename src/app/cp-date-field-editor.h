/* cp-date-field-editor.h — the editor of dates and times of day
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_DATE_FIELD_EDITOR (cp_date_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpDateFieldEditor, cp_date_field_editor, CP, DATE_FIELD_EDITOR, AdwBin)

CpDateFieldEditor *cp_date_field_editor_new (const CpField *field);

G_END_DECLS
