/* cp-finding.h — one thing the validator found wrong or doubtful in a packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  CP_SEVERITY_ERROR,    /* blocks submission */
  CP_SEVERITY_WARNING,  /* shown, does not block */
} CpSeverity;

typedef struct
{
  CpSeverity  severity;
  char       *section;  /* section id, or NULL for the packet as a whole */
  char       *field;    /* field path within the section ("uscc", "surveyors[1].name",
                         * a scoring item id), or NULL */
  char       *code;     /* stable machine code, e.g. "required", "uscc-check" */
  char       *message;  /* for people, in the current locale */
} CpFinding;

CpFinding  *cp_finding_new           (CpSeverity       severity,
                                      const char      *section,
                                      const char      *field,
                                      const char      *code,
                                      const char      *format,
                                      ...) G_GNUC_PRINTF (5, 6);
CpFinding  *cp_finding_copy          (const CpFinding *finding);
void        cp_finding_free          (CpFinding       *finding);
const char *cp_severity_to_string    (CpSeverity       severity);
/* { "severity": "error", "section": ..., "field": ..., "code": ..., "message": ... } */
JsonNode   *cp_finding_to_json       (const CpFinding *finding);
CpFinding  *cp_finding_new_from_json (JsonNode        *node,
                                      GError         **error);
/* Sorts by section order is the validator's job; this counts. */
guint       cp_findings_count        (GPtrArray       *findings,
                                      CpSeverity       severity);
/* A JSON array of every finding in @findings (element type CpFinding *). */
JsonNode   *cp_findings_to_json      (GPtrArray       *findings);

GType       cp_finding_get_type      (void) G_GNUC_CONST;
#define CP_TYPE_FINDING (cp_finding_get_type ())
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpFinding, cp_finding_free)

G_END_DECLS
