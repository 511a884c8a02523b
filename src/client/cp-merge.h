/* cp-merge.h — three-way merge of packets, field by field
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "cp-packet.h"

G_BEGIN_DECLS

/* The merge works on the packet's canonical JSON and compares it leaf by leaf. Each leaf has a
 * JSON-pointer path:
 *   /sections/SECTION/FIELD              one field value (a group is one value)
 *   /attachments/SHA256                  one manifest entry {name, size, mime}
 *   /scoring/sheet, /scoring/sheet_version
 *   /scoring/items/ITEM/self|acceptance|note|evidence
 *   /kind, /template_version, /year, /state, /submitted_on, /created, /review
 * A leaf changed on one side only takes that side's value; the same value on both sides merges;
 * different values on both sides (including a deletion against an edit) are a conflict. The
 * packet's `modified` is the later of the two. Nothing is ever resolved silently: the merged
 * packet holds the local ("mine") value of a conflicting leaf until it is resolved. */

#define CP_MERGE_ERROR (cp_merge_error_quark ())

typedef enum
{
  CP_MERGE_ERROR_NO_SUCH_CONFLICT, /* the path names no unresolved conflict */
  CP_MERGE_ERROR_INVALID,          /* the resolution gives no valid packet */
} CpMergeError;

GQuark cp_merge_error_quark (void);

typedef enum
{
  CP_MERGE_MINE,    /* keep the local value */
  CP_MERGE_THEIRS,  /* take the server's value */
  CP_MERGE_EDIT,    /* a value the user typed (NULL unsets the leaf) */
} CpMergeChoice;

typedef struct
{
  char     *path;    /* JSON pointer, see above */
  JsonNode *base;    /* NULL when absent on that side */
  JsonNode *mine;
  JsonNode *theirs;
} CpMergeConflict;

#define CP_TYPE_MERGE_CONFLICT (cp_merge_conflict_get_type ())
GType            cp_merge_conflict_get_type (void) G_GNUC_CONST;
CpMergeConflict *cp_merge_conflict_copy     (const CpMergeConflict *conflict);
void             cp_merge_conflict_free     (CpMergeConflict       *conflict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpMergeConflict, cp_merge_conflict_free)

typedef struct _CpMergeResult CpMergeResult;

#define CP_TYPE_MERGE_RESULT (cp_merge_result_get_type ())
GType          cp_merge_result_get_type      (void) G_GNUC_CONST;
CpMergeResult *cp_merge_result_ref           (CpMergeResult *result);
void           cp_merge_result_unref         (CpMergeResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpMergeResult, cp_merge_result_unref)

/* @base is the packet as the server held it at the last sync (NULL when there is none: then only
 * leaves that one side lacks merge by themselves). @mine and @theirs must have the same uuid. */
CpMergeResult *cp_merge_packets              (CpPacket      *base,
                                              CpPacket      *mine,
                                              CpPacket      *theirs);

/* The merged packet with every resolution applied so far (unresolved leaves hold "mine").
 * Owned by the result; NULL only if the merged document is not a valid packet (see
 * cp_merge_result_get_error()). */
CpPacket      *cp_merge_result_get_packet    (CpMergeResult *result);
const GError  *cp_merge_result_get_error     (CpMergeResult *result);
/* Unresolved conflicts, in path order (element type CpMergeConflict *, owned by the result). */
GPtrArray     *cp_merge_result_get_conflicts (CpMergeResult *result);
gboolean       cp_merge_result_has_conflicts (CpMergeResult *result);
/* How many leaves took the server's value without a conflict. */
guint          cp_merge_result_get_n_theirs  (CpMergeResult *result);
/* Resolves one conflict. @value is used only with CP_MERGE_EDIT and is not taken. */
gboolean       cp_merge_result_resolve       (CpMergeResult *result,
                                              const char    *path,
                                              CpMergeChoice  choice,
                                              JsonNode      *value,
                                              GError       **error);

/* The conflicts as a JSON array of {path, base?, mine?, theirs?} and back, so that a conflict
 * can be kept on disk until the user resolves it. */
JsonNode      *cp_merge_conflicts_to_json    (GPtrArray     *conflicts);
GPtrArray     *cp_merge_conflicts_from_json  (JsonNode      *node,
                                              GError       **error);

G_END_DECLS
