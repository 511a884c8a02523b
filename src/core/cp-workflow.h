/* cp-workflow.h — a packet kind's review chain: states, transitions, who writes what when
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cp-packet.h"
#include "cp-role.h"
#include "cp-template.h"
#include "cp-text.h"

G_BEGIN_DECLS

/* The workflow is part of the template (its "workflow" member, docs/templates.md) and lives as
 * long as the template does; everything below belongs to it. */

/* Some of a kind's parts, for one role: everything the role owns ("all"), or the parts it owns in
 * some sections and fields. */
typedef struct
{
  gboolean   all;
  GPtrArray *sections;  /* element type const CpSection * */
  GPtrArray *fields;    /* element type const CpField *: fields, groups or group sub-fields */
} CpPartSet;

/* Does @set name @field (its section, the field, or the group it belongs to)? A NULL set names
 * nothing. Ownership is not checked here. */
gboolean cp_part_set_covers_field   (const CpPartSet *set,
                                     const CpField   *field);
/* Does @set name the whole of @section ("all" or the section itself)? */
gboolean cp_part_set_covers_section (const CpPartSet *set,
                                     const CpSection *section);

typedef struct
{
  char             *id;
  CpText           *label;
  /* The packet state the store, the sync and the server's queue show for it. */
  CpPacketState     legacy;
  /* The deadline of this stage (one of the template's), or NULL. */
  const CpDeadline *deadline;
  /* No transition leaves a final state; nobody writes in it. */
  gboolean          final;
  /* Indexed by CpRole: what the role may write in this state (of what it owns), or NULL. */
  CpPartSet        *writers[CP_N_ROLES];
  guint             index;
} CpWorkflowState;

typedef struct
{
  char                  *id;      /* unique among the transitions leaving one state */
  CpText                *label;
  const CpWorkflowState *from;
  const CpWorkflowState *to;
  CpRole                 role;    /* the party that makes it */
  /* Indexed by CpRole: the parts of that role that must validate without an error first (the
   * parts owned so far), or NULL. */
  CpPartSet             *complete[CP_N_ROLES];
  /* Fields that must hold a value first, although the template does not require them
   * (element type const CpField *). */
  GPtrArray             *filled;
  /* CP_ROLE_EVALUATING_AGENCY when this transition assigns the evaluating agency (the server
   * takes the agency with the request), else CP_ROLE_NONE. */
  CpRole                 assigns;
  /* With assigns: the agency must be independent of the campaign year's other work (seed 000
   * 二(四)2: an agency that coached or accepted enterprises that year does not re-review). The
   * agency that coaches the packet's own enterprise is never assigned. */
  gboolean               independent;
  /* The transition hands the packet in: the server sets its submission date. */
  gboolean               submits;
  /* The transition sends the packet back and needs the reviewer's comments. */
  gboolean               comment;
  guint                  index;
} CpTransition;

/* The role that makes new packets of the kind and writes their header (year). */
CpRole                 cp_workflow_get_creator        (const CpWorkflow *self);
const CpWorkflowState *cp_workflow_get_initial        (const CpWorkflow *self);
/* Element type CpWorkflowState *, in the template's order. */
GPtrArray             *cp_workflow_get_states         (const CpWorkflow *self);
const CpWorkflowState *cp_workflow_lookup_state       (const CpWorkflow *self,
                                                       const char       *state_id);
/* Element type CpTransition *, in the template's order. */
GPtrArray             *cp_workflow_get_transitions    (const CpWorkflow *self);
const CpTransition    *cp_workflow_lookup_transition  (const CpWorkflow *self,
                                                       const char       *from_state_id,
                                                       const char       *transition_id);
/* The transitions @role may make from @state_id, in the template's order (element type
 * const CpTransition *; free the container only). Empty for an unknown state. */
GPtrArray             *cp_workflow_list_transitions   (const CpWorkflow *self,
                                                       CpRole            role,
                                                       const char       *state_id);
/* Whether @role writes anything in @state. */
gboolean               cp_workflow_state_has_writer   (const CpWorkflowState *state,
                                                       CpRole                 role);

/* Packets made before workflows existed carry one of the five packet states; the template maps
 * each to a state of its workflow ("from_legacy"). */
const CpWorkflowState *cp_workflow_state_from_legacy  (const CpWorkflow *self,
                                                       CpPacketState     legacy);
/* The workflow state of @packet: the one its packet state maps to. */
const CpWorkflowState *cp_workflow_state_for_packet   (const CpWorkflow *self,
                                                       CpPacket         *packet);

/* The deadline of the stage a packet is in. */
typedef struct
{
  const CpDeadline *deadline;   /* the template's deadline */
  GDate             date;       /* on the packet's campaign year */
  int               days_left;  /* date − today: 0 on the day itself, negative once past */
} CpStageDeadline;

/* The deadline of @packet's stage on @today (NULL: the current date). The stage is @state_id,
 * or, when NULL, the state the packet's state maps to. For a kind without a workflow the stage
 * is the packet state: the first of the kind's deadlines on or after @today (the last one once
 * all have passed) until the packet is accepted. FALSE when the stage has no deadline (a final
 * state, a state without one, an unknown state). */
gboolean               cp_template_get_stage_deadline (CpTemplate       *tpl,
                                                       CpPacket         *packet,
                                                       const char       *state_id,
                                                       const GDate      *today,
                                                       CpStageDeadline  *out);

G_END_DECLS
