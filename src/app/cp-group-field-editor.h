/* cp-group-field-editor.h — the editor of a repeated group: entries of sub-fields
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_GROUP_FIELD_EDITOR (cp_group_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpGroupFieldEditor, cp_group_field_editor, CP, GROUP_FIELD_EDITOR, AdwBin)

CpGroupFieldEditor *cp_group_field_editor_new (const CpField *field);

G_END_DECLS
