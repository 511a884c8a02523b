/* cp-signature-field-editor.h — the editor of a signature or a seal
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "cp-attachment-field-editor.h"
#include "cp-field-editor.h"

G_BEGIN_DECLS

#define CP_TYPE_SIGNATURE_FIELD_EDITOR (cp_signature_field_editor_get_type ())
G_DECLARE_FINAL_TYPE (CpSignatureFieldEditor, cp_signature_field_editor, CP,
                      SIGNATURE_FIELD_EDITOR, AdwBin)

CpSignatureFieldEditor  *cp_signature_field_editor_new      (const CpField          *field);
/* The editor of the scanned page, where dropped and attached files go. */
CpAttachmentFieldEditor *cp_signature_field_editor_get_scan (CpSignatureFieldEditor *self);

G_END_DECLS
