/* cp-packet.h — one enterprise's application packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The packet JSON format is documented in docs/packets.md. Values live per section as JSON:
 *   text, multiline, choice, uscc, phone, email, url, postcode, time  → string
 *   date                                                           → string "YYYY-MM-DD"
 *   number, money, integer                                         → number
 *   boolean                                                        → true/false
 *   group                                                          → array of objects
 *   attachment                                                     → string SHA-256, or an array of them
 *   signature (a signature or a stamp)                             → object
 *       { "signer": "...", "role": "...", "date": "YYYY-MM-DD", "scan": "<sha256>" }
 * Every SHA-256 a value names must be in the packet's attachment manifest. */

#define CP_PACKET_FORMAT 1
/* Packets larger than this are refused by the parser (the server advertises its own limit). */
#define CP_PACKET_MAX_SIZE (8 * 1024 * 1024)

typedef enum
{
  CP_PACKET_STATE_DRAFT,
  CP_PACKET_STATE_READY,
  CP_PACKET_STATE_SUBMITTED,
  CP_PACKET_STATE_RETURNED,
  CP_PACKET_STATE_ACCEPTED,
} CpPacketState;

const char *cp_packet_state_to_string    (CpPacketState  state);
gboolean    cp_packet_state_from_string  (const char    *text,
                                          CpPacketState *state);

/* One entry of the attachment manifest. */
typedef struct
{
  char    *name;
  char    *sha256;   /* 64 lowercase hex digits */
  guint64  size;
  char    *mime;
} CpAttachment;

/* Names that come from outside (the network, a file) before they name a file or a row: a SHA-256
 * in 64 lowercase hexadecimal digits; a UUID in lowercase 8-4-4-4-12 hexadecimal digits. */
gboolean    cp_sha256_is_valid           (const char    *text);
gboolean    cp_uuid_is_valid             (const char    *text);
/* The one rule for the ids of kinds, sections, fields, scoring sheets and their items, roles
 * and reports: 1 to 64 ASCII letters, digits, '-', '_' and '.', a letter or a digit first (no
 * spaces, quotes, slashes or control characters, never "." or "..", so that an id can name a
 * file or a JSON member as it is). */
gboolean    cp_id_is_valid               (const char    *text);

/* The largest magnitude a number in a packet may have (values and scores): a trillion yuan
 * and then some. */
#define CP_PACKET_MAX_NUMBER 1e15
/* Creation, modification and review times must fall in these years (written with four
 * digits; year 26 would be written "26-…" and not read back). */
#define CP_PACKET_MIN_TIME_YEAR 1900
#define CP_PACKET_MAX_TIME_YEAR 2999

/* Whether @value may be a number in a packet: finite, at most CP_PACKET_MAX_NUMBER in
 * magnitude, and written by the canonical writer so that it reads back as itself. */
gboolean    cp_packet_number_is_valid    (double         value);
/* The same for a whole JSON value (a field's value, nested groups and signatures included):
 * numbers as above, nesting within the packet's limit. */
gboolean    cp_packet_value_is_valid     (JsonNode      *value);

/* The score of one scoring-sheet item: the enterprise's self-assessment and the agency's
 * acceptance score side by side, a note and an evidence attachment. */
typedef enum
{
  CP_SCORE_SELF,
  CP_SCORE_ACCEPTANCE,
} CpScoreColumn;

typedef struct
{
  gboolean  has_self;
  double    self;
  gboolean  has_acceptance;
  double    acceptance;
  char     *note;       /* nullable */
  char     *evidence;   /* nullable SHA-256 */
} CpItemScore;

#define CP_TYPE_PACKET (cp_packet_get_type ())
G_DECLARE_FINAL_TYPE (CpPacket, cp_packet, CP, PACKET, GObject)

/* A new draft with a fresh random UUID, created and modified now. */
CpPacket          *cp_packet_new                  (const char     *kind,
                                                   const char     *template_version);
/* Strict readers: wrong types, unknown members, bad UUIDs, dates or hashes are CP_JSON_ERROR
 * errors that name the JSON path. */
CpPacket          *cp_packet_new_from_json        (JsonNode       *node,
                                                   const char     *origin,
                                                   GError        **error);
CpPacket          *cp_packet_new_from_data        (const char     *data,
                                                   gssize          length,
                                                   const char     *origin,
                                                   GError        **error);
CpPacket          *cp_packet_new_from_file        (const char     *path,
                                                   GError        **error);
JsonNode          *cp_packet_to_json              (CpPacket       *self);
/* Canonical JSON text (members in a fixed order); free with g_free(). */
char              *cp_packet_to_data              (CpPacket       *self,
                                                   gboolean        pretty,
                                                   gsize          *length);
/* The canonical text, checked to read back into a packet whose canonical text is the same: what
 * is stored or sent can always be read again. NULL and a CP_JSON_ERROR_INVALID_VALUE error when
 * it does not. */
char              *cp_packet_to_verified_data     (CpPacket       *self,
                                                   gsize          *length,
                                                   GError        **error);
/* The same, and the SHA-256 (lower-case hex) of the text in @sha256 when it is not NULL. */
char              *cp_packet_to_verified_data_full (CpPacket      *self,
                                                   gsize          *length,
                                                   char          **sha256,
                                                   GError        **error);
CpPacket          *cp_packet_copy                 (CpPacket       *self);

const char        *cp_packet_get_uuid             (CpPacket       *self);
const char        *cp_packet_get_kind             (CpPacket       *self);
const char        *cp_packet_get_template_version (CpPacket       *self);
int                cp_packet_get_year             (CpPacket       *self);
void               cp_packet_set_year             (CpPacket       *self,
                                                   int             year);
CpPacketState      cp_packet_get_state            (CpPacket       *self);
void               cp_packet_set_state            (CpPacket       *self,
                                                   CpPacketState   state);
GDateTime         *cp_packet_get_created          (CpPacket       *self);
GDateTime         *cp_packet_get_modified         (CpPacket       *self);
/* The date the packet was (or will be) submitted, "YYYY-MM-DD", or NULL. Validity rules
 * ("credit report still valid on the submission date") use it, or today when NULL. */
const char        *cp_packet_get_submitted_on     (CpPacket       *self);
void               cp_packet_set_submitted_on     (CpPacket       *self,
                                                   const char     *date);

/* Convenience: the enterprise name and credit code from the cover section ("cover" section,
 * fields "enterprise_name" and "uscc"), or NULL. */
const char        *cp_packet_get_enterprise_name  (CpPacket       *self);
const char        *cp_packet_get_uscc             (CpPacket       *self);

/* Section values. get_value returns NULL when unset; the node belongs to the packet. */
JsonObject        *cp_packet_get_section          (CpPacket       *self,
                                                   const char     *section);
JsonNode          *cp_packet_get_value            (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field);
/* NULL when unset or not a string. */
const char        *cp_packet_get_string           (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field);
/* Takes ownership of @value, which must pass cp_packet_value_is_valid(); NULL unsets the field.
 * Emits ::changed and bumps modified. */
void               cp_packet_set_value            (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field,
                                                   JsonNode       *value);
void               cp_packet_set_string           (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field,
                                                   const char     *value);
/* @value must pass cp_packet_number_is_valid(). */
void               cp_packet_set_number           (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field,
                                                   double          value);
/* Values inside a field: @index ≥ 0 picks an entry of a group (an array), @member a member of an
 * object (a group entry's sub-field, or a part of a signature such as "scan"); -1 and NULL
 * stop at the field. get_value_at returns NULL (never a JSON null) when the place is unset or
 * the path does not fit the value (unknown field, index out of range, not an array or object);
 * the node belongs to the packet. */
JsonNode          *cp_packet_get_value_at         (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field,
                                                   int             index,
                                                   const char     *member);
/* Takes ownership of @value (NULL unsets). A member of a field that has no value makes it an
 * object; an object left empty unsets the field. An entry index needs a member, an existing
 * array and an object entry there: FALSE, and nothing changes, when the path does not fit or
 * @value does not pass cp_packet_value_is_valid(). */
gboolean           cp_packet_set_value_at         (CpPacket       *self,
                                                   const char     *section,
                                                   const char     *field,
                                                   int             index,
                                                   const char     *member,
                                                   JsonNode       *value);
/* The SHA-256 hashes an attachment value names (a string or an array of strings; other
 * elements are skipped), in order, as new strings; empty for NULL or any other value. */
GPtrArray         *cp_packet_get_file_hashes      (JsonNode       *value);
/* The ids of the sections that hold values, in no particular order. */
GPtrArray         *cp_packet_list_sections        (CpPacket       *self);

/* Attachment manifest, in insertion order (element type CpAttachment *). */
GPtrArray         *cp_packet_get_attachments      (CpPacket       *self);
const CpAttachment *cp_packet_find_attachment     (CpPacket       *self,
                                                   const char     *sha256);
/* Adding a hash that is already listed updates its name and MIME type. */
void               cp_packet_add_attachment       (CpPacket       *self,
                                                   const char     *name,
                                                   const char     *sha256,
                                                   guint64         size,
                                                   const char     *mime);
gboolean           cp_packet_remove_attachment    (CpPacket       *self,
                                                   const char     *sha256);

/* Scoring. */
const char        *cp_packet_get_sheet_id         (CpPacket       *self);
const char        *cp_packet_get_sheet_version    (CpPacket       *self);
void               cp_packet_set_sheet            (CpPacket       *self,
                                                   const char     *sheet_id,
                                                   const char     *sheet_version);
/* NULL when the item has no entry. */
const CpItemScore *cp_packet_get_score            (CpPacket       *self,
                                                   const char     *item_id);
void               cp_packet_set_score            (CpPacket       *self,
                                                   const char     *item_id,
                                                   CpScoreColumn   column,
                                                   double          value);
void               cp_packet_unset_score          (CpPacket       *self,
                                                   const char     *item_id,
                                                   CpScoreColumn   column);
void               cp_packet_set_score_note       (CpPacket       *self,
                                                   const char     *item_id,
                                                   const char     *note);
void               cp_packet_set_score_evidence   (CpPacket       *self,
                                                   const char     *item_id,
                                                   const char     *sha256);
/* item id → CpItemScore *, owned by the packet. */
GHashTable        *cp_packet_get_scores           (CpPacket       *self);

/* The half-day review clock, kept with the packet: seconds accumulated in earlier runs and,
 * while running, when the current run started. */
gint64             cp_packet_get_review_seconds   (CpPacket       *self,
                                                   GDateTime      *now);
gboolean           cp_packet_get_review_running   (CpPacket       *self);
void               cp_packet_start_review_clock   (CpPacket       *self,
                                                   GDateTime      *now);
void               cp_packet_stop_review_clock    (CpPacket       *self,
                                                   GDateTime      *now);

G_END_DECLS
