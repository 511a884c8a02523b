/* cp-access.h — who may write what of a packet, in which state
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cp-packet-diff.h"
#include "cp-packet.h"
#include "cp-role.h"
#include "cp-template.h"
#include "cp-workflow.h"

G_BEGIN_DECLS

/* One place decides, for the server's 403 and the application's read-only fields alike, whether a
 * party may write a part of a packet: the part's owner (docs/templates.md, "Ownership") must be
 * the party, and the state of the packet's workflow must let the party write that part
 * ("writers"). Parts are named by JSON pointers into the packet (cp-packet-diff.h):
 *   /sections/S/F, /sections/S/G/I, /sections/S/G/I/M (deeper pointers name the same value),
 *   /scoring/sheet, /scoring/sheet_version, /scoring/items/ID/{self,acceptance,note,evidence},
 *   /review/…, /attachments/I, and the header (/year, /state, …).
 * A kind without a workflow (the 2020.1 format) has no owners: every party entitled to a packet
 * writes all of it, as before, and nothing is refused.
 *
 * @state_id names a state of the kind's workflow; NULL means the state the packet's own state
 * maps to (cp_workflow_state_for_packet()). An unknown state lets nobody write. */

typedef enum
{
  CP_REFUSAL_NOT_OWNER,  /* another party owns the part (owner says who) */
  CP_REFUSAL_NOT_NOW,    /* the party owns it, but does not write it in this state */
  CP_REFUSAL_FIXED,      /* nobody writes it: the packet's identity, its template version, its
                          * state and submission date (transitions set those) */
  CP_REFUSAL_UNKNOWN,    /* the kind has no such part */
} CpRefusalReason;

const char *cp_refusal_reason_to_string (CpRefusalReason reason);

typedef struct
{
  char            *pointer;
  CpRefusalReason  reason;
  CpRole           owner;   /* who writes the part; CP_ROLE_NONE when nobody does */
} CpRefusal;

void        cp_refusal_free                (CpRefusal     *refusal);

/* Who writes the part @pointer names; CP_ROLE_NONE for fixed, unknown or unowned parts (and for
 * every part of a kind without a workflow). An attachment pointer has no owner of its own. */
CpRole      cp_template_get_owner          (CpTemplate    *tpl,
                                            const char    *pointer);
/* May @role write the part @pointer names in @state_id (NULL: the kind's initial state)? For an
 * attachment pointer: may @role add files in that state (removing one is checked against the
 * values that name it, by cp_template_check_write()). TRUE for every part of a kind without a
 * workflow. */
gboolean    cp_template_may_write          (CpTemplate    *tpl,
                                            CpRole         role,
                                            const char    *state_id,
                                            const char    *pointer);
/* The same for a field, group or sub-field of the template, and for a score column. */
gboolean    cp_template_may_write_field    (CpTemplate    *tpl,
                                            CpRole         role,
                                            const char    *state_id,
                                            const CpField *field);
gboolean    cp_template_may_write_score    (CpTemplate    *tpl,
                                            CpRole         role,
                                            const char    *state_id,
                                            CpScoreColumn  column);

/* Every change from @old (the stored revision; NULL when the packet is new) to @new_packet that
 * @role may not make in @state_id (NULL: the state @old's packet state maps to, or the initial
 * state for a new packet), element type CpRefusal * with its free function set, in the order of
 * cp_packet_diff(). Empty when the write is allowed. Besides the parts above:
 *   /modified is always allowed; /year belongs to the kind's creator; /state may only change
 *   between packet states that map to the same workflow state (draft and ready); a new packet
 *   must be in a state that maps to the initial one, and made by the creator (else "" is
 *   refused, the whole packet);
 *   a manifest entry may be added by a party that writes in the state, and removed or changed
 *   only when that party may write every value that names its file (in either revision). */
GPtrArray  *cp_template_check_write        (CpTemplate    *tpl,
                                            CpRole         role,
                                            const char    *state_id,
                                            CpPacket      *old,
                                            CpPacket      *new_packet);
/* The same with the changes at hand (cp_packet_diff (old, new_packet)), for a caller that also
 * acts on them (the server stamps the signatures a write records). */
GPtrArray  *cp_template_check_changes      (CpTemplate    *tpl,
                                            CpRole         role,
                                            const char    *state_id,
                                            CpPacket      *old,
                                            CpPacket      *new_packet,
                                            GPtrArray     *changes);
/* The pointers of cp_template_check_write() (element type char *). */
GPtrArray  *cp_template_refused_pointers   (CpTemplate    *tpl,
                                            CpRole         role,
                                            const char    *state_id,
                                            CpPacket      *old,
                                            CpPacket      *new_packet);

G_END_DECLS
