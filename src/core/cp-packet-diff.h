/* cp-packet-diff.h — what differs between two revisions of a packet, as JSON pointers
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "cp-packet.h"

G_BEGIN_DECLS

/* Where a change sits in the packet (docs/packets.md), at the grain ownership is decided on:
 *   header       /year, /state, /submitted_on, /modified, /uuid, … (any other top-level member
 *                but the four below)
 *   value        /sections/S/F           a field's whole value (text, date, signature,
 *                                        attachment list, …); a group that is neither in the old
 *                                        nor in the new revision an array of objects too
 *   entry        /sections/S/G/I         an entry of a group added or removed (its values are
 *                                        listed as entry-value changes as well)
 *   entry-value  /sections/S/G/I/M       a value inside an entry
 *   attachment   /attachments/I          a manifest entry added, removed or changed, matched by
 *                                        its SHA-256; I is its index in the revision that has it
 *                                        (the new one, or the old one for a removal)
 *   scoring      /scoring/sheet, /scoring/sheet_version
 *   score        /scoring/items/ID/M     M is self, acceptance, note or evidence
 *   review       /review/M               the half-day review clock
 * Pointers follow RFC 6901 ("~" is written "~0", "/" "~1"). */
typedef enum
{
  CP_CHANGE_HEADER,
  CP_CHANGE_VALUE,
  CP_CHANGE_ENTRY,
  CP_CHANGE_ENTRY_VALUE,
  CP_CHANGE_ATTACHMENT,
  CP_CHANGE_SCORING,
  CP_CHANGE_SCORE,
  CP_CHANGE_REVIEW,
} CpChangeKind;

typedef struct
{
  CpChangeKind  kind;
  char         *pointer;
  char         *section;  /* value, entry, entry-value */
  char         *field;    /* value, entry, entry-value: the field or group id */
  int           index;    /* entry, entry-value, attachment; -1 otherwise */
  char         *member;   /* header, entry-value, scoring, score, review: the member name */
  char         *item;     /* score: the scoring item id */
  char         *sha256;   /* attachment */
} CpPacketChange;

void        cp_packet_change_free    (CpPacketChange *change);

/* Every difference between @old and @new (element type CpPacketChange *, with its free function
 * set), in the canonical order of the packet's members (the header, sections and fields sorted by
 * id, entries by index, attachments in the new manifest's order then the removed ones, items
 * sorted). @old NULL stands for nothing stored yet: every value, entry, attachment, score and the
 * review clock of @new is listed (the header is not). */
GPtrArray  *cp_packet_diff           (CpPacket       *old,
                                      CpPacket       *new_packet);
/* The same, as the list of pointers only (element type char *). */
GPtrArray  *cp_packet_diff_pointers  (CpPacket       *old,
                                      CpPacket       *new_packet);

/* RFC 6901: @token with "~" written "~0" and "/" "~1"; free with g_free(). */
char       *cp_json_pointer_escape   (const char     *token);
/* The unescaped tokens of @pointer ("" → none); NULL when it is not a JSON pointer (it does not
 * start with "/", or has "~" not followed by 0 or 1). Free with g_strfreev(). */
char      **cp_json_pointer_split    (const char     *pointer);

G_END_DECLS
