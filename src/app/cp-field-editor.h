/* cp-field-editor.h — what the section page asks of the editor of one field
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cp-packet.h"
#include "cp-store.h"
#include "cp-template.h"

G_BEGIN_DECLS

#define CP_TYPE_FIELD_EDITOR (cp_field_editor_get_type ())
G_DECLARE_INTERFACE (CpFieldEditor, cp_field_editor, CP, FIELD_EDITOR, GtkWidget)

/* An editor shows and edits the value of one field at one place of a packet: a field of a
 * section, a sub-field of a group entry, or a part of a signature. It writes every change to
 * the packet at once and emits ::edited; what it refuses to write (not a number, a file that
 * could not be attached) is its local error (::local-error-changed). The page shows that, the
 * validator's findings and the reviewer's comments under it. */
struct _CpFieldEditorInterface
{
  GTypeInterface parent;

  /* Shows the value at the editor's place again, as it is in the packet. */
  void        (*refresh)          (CpFieldEditor *self);
  /* The widget that takes the focus (the entry, the switch, the first button), or NULL. */
  GtkWidget * (*get_focus_widget) (CpFieldEditor *self);
};

/* The family's editor for @field: one switch on the field type, for the page and for the
 * entries of a group. @store holds the files of attachments and signature scans. */
CpFieldEditor *cp_field_editor_new_for_field   (const CpField  *field,
                                                CpStore        *store);

/* For the families' constructors: the field the editor is for, which the template does not
 * outlive. */
void           cp_field_editor_set_field       (CpFieldEditor  *self,
                                                const CpField  *field);

/* Points the editor at @packet: the value of @field in @section, or with @index ≥ 0 the
 * sub-field @field of entry @index of the group @group_field. Refreshes. */
void           cp_field_editor_set_packet      (CpFieldEditor  *self,
                                                CpPacket       *packet,
                                                const char     *section,
                                                const CpField  *group_field,
                                                int             index);
CpPacket      *cp_field_editor_get_packet      (CpFieldEditor  *self);
const char    *cp_field_editor_get_section     (CpFieldEditor  *self);
const CpField *cp_field_editor_get_field       (CpFieldEditor  *self);
CpStore       *cp_field_editor_get_store       (CpFieldEditor  *self);
/* The group entry the editor is in, or -1. */
int            cp_field_editor_get_index       (CpFieldEditor  *self);
void           cp_field_editor_refresh         (CpFieldEditor  *self);

/* The value at the editor's place, or NULL; it belongs to the packet. */
JsonNode      *cp_field_editor_get_value       (CpFieldEditor  *self);
/* Writes @value (owned; NULL unsets) at the editor's place and emits ::edited (@full_save:
 * the attachment manifest changed too). Does nothing while the editor refreshes. */
void           cp_field_editor_set_value       (CpFieldEditor  *self,
                                                JsonNode       *value,
                                                gboolean        full_save);

/* An editor inside another one: a part of a signature. Its value is the member @part of the
 * object @owner edits. */
void           cp_field_editor_set_owner       (CpFieldEditor  *self,
                                                CpFieldEditor  *owner,
                                                const char     *part);

/* What the editor refused (NULL: nothing); emits ::local-error-changed. set_local_error is
 * shown when the user leaves the field, report_error at once. */
const char    *cp_field_editor_get_local_error (CpFieldEditor  *self);
void           cp_field_editor_set_local_error (CpFieldEditor  *self,
                                                const char     *message);
void           cp_field_editor_report_error    (CpFieldEditor  *self,
                                                const char     *message);

GtkWidget     *cp_field_editor_get_focus_widget (CpFieldEditor *self);

/* Another party fills the value in, or nobody may change it now: the editor shows it and writes
 * nothing. A text stays readable and focusable; other editors turn insensitive. */
void           cp_field_editor_set_read_only   (CpFieldEditor  *self,
                                                gboolean        read_only);
gboolean       cp_field_editor_get_read_only   (CpFieldEditor  *self);
/* Focuses the editor; @at_start: without selecting a text, the cursor at its end, as when a
 * page has just been shown. */
gboolean       cp_field_editor_take_focus      (CpFieldEditor  *self,
                                                gboolean        at_start);

G_END_DECLS
