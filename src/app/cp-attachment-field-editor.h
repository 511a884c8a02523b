/* cp-attachment-field-editor.h — the editor of attached files (and of a signature's scan)
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_ATTACHMENT_FIELD_EDITOR (cp_attachment_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpAttachmentFieldEditor, cp_attachment_field_editor, CP,
                      ATTACHMENT_FIELD_EDITOR, AdwBin)

CpAttachmentFieldEditor *cp_attachment_field_editor_new      (const CpField *field);
/* The scanned page of a signature: worded as such. */
CpAttachmentFieldEditor *cp_attachment_field_editor_new_scan (const CpField *field);
/* Attaches @file (replacing the file @replace names, or adding it when NULL) in a thread: the
 * store keeps a copy, the manifest names it, the value lists it; emits ::edited when done. A
 * file the field does not take is reported as the editor's error. */
void                     cp_attachment_field_editor_attach   (CpAttachmentFieldEditor *self,
                                                              GFile                   *file,
                                                              const char              *replace);

G_END_DECLS
