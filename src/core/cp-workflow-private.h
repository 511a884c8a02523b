/* cp-workflow-private.h — reading a packet kind's "workflow" member
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-json-private.h"
#include "cp-workflow.h"

G_BEGIN_DECLS

/* Reads the workflow of @tpl from @object (the template's "workflow" member; @ctx's path points
 * at it). @tpl's sections, fields (with their owners resolved), deadlines and scoring are read
 * already. A CP_JSON_ERROR names the JSON path of the fault. */
CpWorkflow *cp_workflow_read             (CpTemplate  *tpl,
                                          CpJsonCtx   *ctx,
                                          JsonObject  *object,
                                          GError     **error);
void        cp_workflow_free             (CpWorkflow  *self);

/* Does @role own anything in @section (a field, a sub-field or, for the scoring section, a
 * column, the notes, the evidence or the review clock)? */
gboolean    cp_template_role_owns_section (CpTemplate      *tpl,
                                           const CpSection *section,
                                           CpRole           role);
/* Does @role own @field (or, for a group, one of its sub-fields)? */
gboolean    cp_template_role_owns_field   (const CpField   *field,
                                           CpRole           role);

G_END_DECLS
