/* cp-comment.h — a reviewer's comment on a returned packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The finding code under which the completeness page lists a reviewer's comment. */
#define CP_COMMENT_FINDING_CODE "review-comment"

/* One comment of a return, as GET /api/v1/packets/{uuid}/comments gives it (and as
 * POST …/return takes it: section, field and text). */
typedef struct
{
  gint64  revision;     /* the revision the return made; 0 for one not yet sent */
  char   *section;      /* nullable: NULL for the whole packet */
  char   *field;        /* nullable: NULL for the whole section; a field path or scoring item */
  char   *text;
  char   *author;       /* nullable */
  char   *created_at;   /* nullable; as the server wrote it ("2026-05-03T06:20:00Z") */
} CpComment;

#define CP_TYPE_COMMENT (cp_comment_get_type ())
GType      cp_comment_get_type          (void) G_GNUC_CONST;

/* A comment to send with a return. @section and @field may be NULL for one on the whole
 * packet, @field alone for one on the whole section. */
CpComment *cp_comment_new               (const char      *section,
                                         const char      *field,
                                         const char      *text);
CpComment *cp_comment_copy              (const CpComment *comment);
void       cp_comment_free              (CpComment       *comment);
/* "2026-05-03 14:20" in local time, or the server's text when it cannot be read. */
char      *cp_comment_format_time       (const CpComment *comment);

/* The comments of the newest return in a …/comments answer for @uuid (element type
 * CpComment *); NULL when @node is not such an answer. The server keeps the comments of
 * earlier returns too; they were answered by the resubmission that followed them. */
GPtrArray *cp_comment_list_from_json    (JsonNode        *node,
                                         const char      *uuid);
/* The body of POST …/return: {"comments": [{"section", "field", "comment"}, …]}. */
JsonNode  *cp_comment_list_to_json      (GPtrArray       *comments);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpComment, cp_comment_free)

G_END_DECLS
