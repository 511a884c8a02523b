/* cp-identity.h — the enterprise's and the agency's identity, typed once
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cp-packet.h"
#include "cp-template.h"

G_BEGIN_DECLS

/* The enterprise types its name, credit code, legal representative, address and phone once, on
 * the cover; every field that repeats one of them (its template member "repeats",
 * docs/templates.md "Identity") follows the cover. The cover's district follows the division of
 * the credit code (the choice's "division_of" and its options' "divisions"), and the fields that
 * hold an agency's name and code ("account") are filled from the agency's account. Nothing here
 * touches a store: the caller writes the fields returned. */

/* The fields that repeat @source (element type const CpField *), in binder order; empty when
 * none does. */
GPtrArray  *cp_identity_list_repeats      (CpTemplate    *tpl,
                                           const CpField *source);

/* The option of the choice @district (a field with "division_of") that the division of @uscc
 * (characters 3-8) falls in, the longest matching "divisions" prefix winning ("…320583…" →
 * "kunshan"); NULL when @uscc has no division yet or none matches. Static to the template. */
const char *cp_identity_district_for_uscc (const CpField *district,
                                           const char    *uscc);

/* After the field @section.@field of @packet changed from @previous (NULL: it was empty) to
 * its current value, carries the change: every field that repeats it and is empty or still
 * equal to @previous takes the new value (one the user changed to something else is left
 * alone; the same-value rules report it), and, for a credit code, every district choice filled
 * from it that is empty or still the district of the previous code takes the district of the
 * new one. Returns the paths ("section.field") written, in binder order (element type char *);
 * empty when nothing follows @field. */
GPtrArray  *cp_identity_carry             (CpTemplate    *tpl,
                                           CpPacket      *packet,
                                           const char    *section,
                                           const char    *field,
                                           JsonNode      *previous);

/* Fills, from the account of the agency using the program, every empty field that holds an
 * agency's name (@agency_name) or credit code (@agency_uscc) and that its owner — the coaching
 * or the evaluating agency — writes in the packet's present state: an agency account editing a
 * packet is the party that writes in that state. NULL or empty values fill nothing. Returns the
 * paths written (element type char *). */
GPtrArray  *cp_identity_fill_account      (CpTemplate    *tpl,
                                           CpPacket      *packet,
                                           const char    *agency_name,
                                           const char    *agency_uscc);

G_END_DECLS
