/* cp-validator.h — what a packet still lacks before it can be submitted
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cp-finding.h"
#include "cp-packet.h"
#include "cp-scoring-sheet.h"
#include "cp-template-registry.h"
#include "cp-template.h"

G_BEGIN_DECLS

#define CP_VALIDATOR_ERROR (cp_validator_error_quark ())

typedef enum
{
  CP_VALIDATOR_ERROR_UNKNOWN_KIND,     /* no template for the packet's kind */
  CP_VALIDATOR_ERROR_UNKNOWN_VERSION,  /* the kind is known, the packet's version is not */
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
