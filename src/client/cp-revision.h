/* cp-revision.h — one revision the server keeps of a packet: who wrote it, when, and how
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define CP_TYPE_REVISION (cp_revision_get_type ())
G_DECLARE_FINAL_TYPE (CpRevision, cp_revision, CP, REVISION, GObject)

/* From a receipt of the server (docs/api.md, "Receipts"); NULL when @receipt is not one. */
CpRevision *cp_revision_new_from_json   (JsonNode   *receipt);

const char *cp_revision_get_uuid        (CpRevision *self);
gint64      cp_revision_get_number      (CpRevision *self);
/* "put", "submit", "return" or "accept". */
const char *cp_revision_get_action      (CpRevision *self);
/* The packet's workflow state after it ("draft", "submitted", …). */
const char *cp_revision_get_state       (CpRevision *self);
const char *cp_revision_get_modified_by (CpRevision *self);
/* Nullable: when the server's time cannot be read. */
GDateTime  *cp_revision_get_modified_at (CpRevision *self);

G_END_DECLS
