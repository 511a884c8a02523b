/* cp-field-chooser.h — picks one of many labelled choices, found by any part of its label
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CP_TYPE_FIELD_CHOOSER (cp_field_chooser_get_type ())
G_DECLARE_FINAL_TYPE (CpFieldChooser, cp_field_chooser, CP, FIELD_CHOOSER, AdwBin)

/* A button that shows the chosen label and opens a list of all of them with a search above it.
 * Unlike GtkDropDown's search before GTK 4.12, which matches the start of a label only, the
 * search matches anywhere in it, without regard to case: "法定代表人" finds "封面 › 法定代表人".
 * In the popover, typing searches, Down goes to the list, Enter takes the first match or the
 * focused row, Escape closes.
 *
 * Property "selected" (guint, GTK_INVALID_LIST_POSITION when nothing is chosen): the position
 * of the choice in @choices (a GtkStringList). */
CpFieldChooser *cp_field_chooser_new          (GtkStringList  *choices);
GtkStringList  *cp_field_chooser_get_choices  (CpFieldChooser *self);
guint           cp_field_chooser_get_selected (CpFieldChooser *self);
void            cp_field_chooser_set_selected (CpFieldChooser *self,
                                               guint           position);
/* Searches as if @text had been typed in the popover's search: the choices shown (element type
 * GtkStringObject), owned by the chooser. */
GListModel     *cp_field_chooser_search       (CpFieldChooser *self,
                                               const char     *text);

G_END_DECLS
