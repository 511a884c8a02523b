/* cp-validator.h — what a packet still lacks before it can be submitted
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cp-finding.h"
#include "cp-packet.h"
#include "cp-role.h"
#include "cp-scoring-sheet.h"
#include "cp-template-registry.h"
#include "cp-template.h"

G_BEGIN_DECLS

#define CP_VALIDATOR_ERROR (cp_validator_error_quark ())

typedef enum
{
  CP_VALIDATOR_ERROR_UNKNOWN_KIND,     /* no template for the packet's kind */
  CP_VALIDATOR_ERROR_UNKNOWN_VERSION,  /* the kind is known, the packet's version is not */
  CP_VALIDATOR_ERROR_NO_WORKFLOW,      /* the packet's template version has no workflow */
  CP_VALIDATOR_ERROR_UNKNOWN_TRANSITION, /* no such transition from the packet's state */
  CP_VALIDATOR_ERROR_NOT_ALLOWED,      /* another party makes that transition */
  CP_VALIDATOR_ERROR_INCOMPLETE,       /* the parts the transition needs have errors */
} CpValidatorError;

GQuark      cp_validator_error_quark (void);

/* Checks @packet against the template of its kind and version (the newest version when the
 * packet names none) and returns every finding at once, in binder order (element type
 * CpFinding *, with its free function set). The submission date used by the date rules is
 * cp_packet_get_submitted_on(), or @today (NULL: the current date). Fails only when the kind or
 * its version is unknown. The finding codes are listed in docs/templates.md. */
GPtrArray  *cp_validator_validate               (CpTemplateRegistry *registry,
                                                 CpPacket           *packet,
                                                 const GDate        *today,
                                                 GError            **error);
/* The same with a template (and its scoring sheet, or NULL when it has none) at hand. */
GPtrArray  *cp_validator_validate_with_template (CpTemplate         *tpl,
                                                 CpScoringSheet     *sheet,
                                                 CpPacket           *packet,
                                                 const GDate        *today);

/* The findings about the parts the roles in @roles (a mask of CP_ROLE_BIT()) own, for "what I
 * must still do" and "what others must do". Findings about no party's part (a value the template
 * does not have) are left out. For a kind without a workflow nobody owns anything: empty. */
GPtrArray  *cp_validator_validate_owned         (CpTemplateRegistry *registry,
                                                 CpPacket           *packet,
                                                 guint               roles,
                                                 const GDate        *today,
                                                 GError            **error);
/* cp_validator_validate() and, first, the warning "stage-overdue" (for the packet as a whole)
 * when the stage @state_id (NULL: the one the packet's state maps to) is past its deadline on
 * @today (NULL: the current date); cp_template_get_stage_deadline() says which. */
GPtrArray  *cp_validator_validate_in_state      (CpTemplateRegistry *registry,
                                                 CpPacket           *packet,
                                                 const char         *state_id,
                                                 const GDate        *today,
                                                 GError            **error);
/* May @role move @packet on by the transition @transition_id from @state_id (NULL: the state the
 * packet's state maps to) on @today? It must be @role's transition from that state, and the parts
 * it names in "complete" must have no error, the fields in "filled" a value. A transition that
 * "submits" checks the validity rules against @today. On CP_VALIDATOR_ERROR_INCOMPLETE (and on
 * success) *@findings (nullable) gets the findings about those parts. */
gboolean    cp_validator_check_transition       (CpTemplateRegistry *registry,
                                                 CpPacket           *packet,
                                                 const char         *state_id,
                                                 const char         *transition_id,
                                                 CpRole              role,
                                                 const GDate        *today,
                                                 GPtrArray         **findings,
                                                 GError            **error);
/* Who must act on @finding: the owner of the field it is about, of the score column for a
 * scoring item (the acceptance column when the kind requires both), or CP_ROLE_NONE. */
CpRole      cp_validator_finding_owner          (CpTemplate         *tpl,
                                                 const CpFinding    *finding);

/* TRUE when @findings holds no error (warnings do not block submission). */
gboolean    cp_validator_is_ready               (GPtrArray          *findings);

/* The badge of a section in the UI. */
typedef enum
{
  CP_SECTION_STATUS_EMPTY,     /* nothing filled in yet */
  CP_SECTION_STATUS_COMPLETE,  /* filled in, no findings (generated sections always) */
  CP_SECTION_STATUS_WARNINGS,  /* filled in, warnings only */
  CP_SECTION_STATUS_ERRORS,    /* filled in, with errors */
} CpSectionStatus;

const char     *cp_section_status_to_string     (CpSectionStatus     status);
CpSectionStatus cp_validator_section_status     (CpTemplate         *tpl,
                                                 CpPacket           *packet,
                                                 GPtrArray          *findings,
                                                 const char         *section_id);
/* How many sections are complete (complete or with warnings only); @n_sections (nullable) gets
 * the number of sections: "N of M sections complete". */
guint           cp_validator_count_complete     (CpTemplate         *tpl,
                                                 CpPacket           *packet,
                                                 GPtrArray          *findings,
                                                 guint              *n_sections);

G_END_DECLS
