/* test-merge.c — three-way merge of packets
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "cp-merge.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

typedef struct
{
  CpPacket *base;
  CpPacket *mine;
  CpPacket *theirs;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->base = cp_packet_new ("city-demonstration", "2020.1");
  cp_packet_set_year (f->base, 2020);
  cp_packet_set_string (f->base, "cover", "enterprise_name", "Suzhou Widgets");
  cp_packet_set_string (f->base, "cover", "uscc", "91320583MA0000011X");
  cp_packet_set_string (f->base, "cover", "phone", "0512-1234567");
  cp_packet_set_number (f->base, "finance", "revenue", 1000);
  cp_packet_add_attachment (f->base, "report.pdf", SHA_A, 10, "application/pdf");
  cp_packet_set_sheet (f->base, "jiangsu-2019", "2019.1");
  cp_packet_set_score (f->base, "1.1.1", CP_SCORE_SELF, 10);
  cp_packet_set_score (f->base, "1.1.2", CP_SCORE_SELF, 5);
  f->mine = cp_packet_copy (f->base);
  f->theirs = cp_packet_copy (f->base);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->base);
  g_clear_object (&f->mine);
  g_clear_object (&f->theirs);
}

static const CpMergeConflict *
find_conflict (CpMergeResult *result,
               const char    *path)
{
  GPtrArray *conflicts = cp_merge_result_get_conflicts (result);

  for (guint i = 0; i < conflicts->len; i++)
    {
      const CpMergeConflict *c = g_ptr_array_index (conflicts, i);

      if (g_str_equal (c->path, path))
        return c;
    }
  return NULL;
}

static CpPacket *
merged (CpMergeResult *result)
{
  CpPacket *packet = cp_merge_result_get_packet (result);

  g_assert_null (cp_merge_result_get_error (result));
  g_assert_nonnull (packet);
  return packet;
}

static void
test_identical (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_autofree char *a = cp_packet_to_data (merged (result), FALSE, NULL);
  g_autofree char *b = cp_packet_to_data (f->base, FALSE, NULL);

  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_cmpuint (cp_merge_result_get_n_theirs (result), ==, 0);
  g_assert_cmpstr (a, ==, b);
}

static void
test_disjoint_fields (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  CpPacket *packet;

  cp_packet_set_string (f->mine, "cover", "phone", "0512-7654321");
  cp_packet_set_string (f->theirs, "cover", "enterprise_name", "Suzhou Widgets Ltd");
  cp_packet_set_number (f->theirs, "finance", "profit", 42);

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_cmpuint (cp_merge_result_get_n_theirs (result), ==, 2);
  packet = merged (result);
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "phone"), ==, "0512-7654321");
  g_assert_cmpstr (cp_packet_get_string (packet, "cover", "enterprise_name"), ==,
                   "Suzhou Widgets Ltd");
  g_assert_cmpfloat (json_node_get_double (cp_packet_get_value (packet, "finance", "profit")),
                     ==, 42);
  g_assert_cmpfloat (json_node_get_double (cp_packet_get_value (packet, "finance", "revenue")),
                     ==, 1000);
  g_assert_cmpstr (cp_packet_get_uuid (packet), ==, cp_packet_get_uuid (f->base));
}

static void
test_same_change_both_sides (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;

  cp_packet_set_string (f->mine, "cover", "phone", "0512-0000000");
  cp_packet_set_string (f->theirs, "cover", "phone", "0512-0000000");
  cp_packet_set_number (f->mine, "finance", "revenue", 2000);
  cp_packet_set_number (f->theirs, "finance", "revenue", 2000.0);

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "phone"), ==, "0512-0000000");
}

static void
test_same_field_conflict (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const CpMergeConflict *c;

  cp_packet_set_string (f->mine, "cover", "phone", "0512-1111111");
  cp_packet_set_string (f->theirs, "cover", "phone", "0512-2222222");
  cp_packet_set_string (f->theirs, "cover", "enterprise_name", "Other Name");

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_true (cp_merge_result_has_conflicts (result));
  g_assert_cmpuint (cp_merge_result_get_conflicts (result)->len, ==, 1);
  c = find_conflict (result, "/sections/cover/phone");
  g_assert_nonnull (c);
  g_assert_cmpstr (json_node_get_string (c->base), ==, "0512-1234567");
  g_assert_cmpstr (json_node_get_string (c->mine), ==, "0512-1111111");
  g_assert_cmpstr (json_node_get_string (c->theirs), ==, "0512-2222222");

  /* Unresolved: mine stays in place; the disjoint change is merged. */
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "phone"), ==, "0512-1111111");
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "enterprise_name"), ==,
                   "Other Name");

  g_assert_false (cp_merge_result_resolve (result, "/sections/cover/fax", CP_MERGE_THEIRS, NULL,
                                           &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_NO_SUCH_CONFLICT);
  g_clear_error (&error);

  g_assert_true (cp_merge_result_resolve (result, "/sections/cover/phone", CP_MERGE_THEIRS,
                                          NULL, &error));
  g_assert_no_error (error);
  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "phone"), ==, "0512-2222222");

  /* Resolved once: a second resolution has nothing to resolve. */
  g_assert_false (cp_merge_result_resolve (result, "/sections/cover/phone", CP_MERGE_MINE, NULL,
                                           &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_NO_SUCH_CONFLICT);
}

static void
test_resolve_mine_and_edit (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;

  cp_packet_set_string (f->mine, "cover", "phone", "mine");
  cp_packet_set_string (f->theirs, "cover", "phone", "theirs");
  cp_packet_set_number (f->mine, "finance", "revenue", 1);
  cp_packet_set_number (f->theirs, "finance", "revenue", 2);

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_cmpuint (cp_merge_result_get_conflicts (result)->len, ==, 2);
  /* Sorted by path. */
  g_assert_cmpstr (((CpMergeConflict *) g_ptr_array_index (cp_merge_result_get_conflicts (result),
                                                           0))->path, ==,
                   "/sections/cover/phone");

  g_assert_true (cp_merge_result_resolve (result, "/sections/cover/phone", CP_MERGE_MINE, NULL,
                                          &error));
  json_node_set_double (value, 1.5);
  g_assert_true (cp_merge_result_resolve (result, "/sections/finance/revenue", CP_MERGE_EDIT,
                                          value, &error));
  g_assert_no_error (error);
  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "phone"), ==, "mine");
  g_assert_cmpfloat (json_node_get_double (cp_packet_get_value (merged (result), "finance",
                                                                "revenue")), ==, 1.5);
}

static void
test_delete_vs_edit (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  const CpMergeConflict *c;

  cp_packet_set_value (f->mine, "cover", "phone", NULL);
  cp_packet_set_string (f->theirs, "cover", "phone", "0512-9999999");

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  c = find_conflict (result, "/sections/cover/phone");
  g_assert_nonnull (c);
  g_assert_null (c->mine);
  g_assert_cmpstr (json_node_get_string (c->theirs), ==, "0512-9999999");
  /* Mine (the deletion) holds until resolved, nothing is lost: theirs is in the conflict. */
  g_assert_null (cp_packet_get_value (merged (result), "cover", "phone"));

  g_assert_true (cp_merge_result_resolve (result, "/sections/cover/phone", CP_MERGE_THEIRS,
                                          NULL, &error));
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "phone"), ==, "0512-9999999");
}

static void
test_delete_one_side (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;

  /* A deletion on one side with the other side unchanged is a clean merge. */
  cp_packet_set_value (f->theirs, "cover", "phone", NULL);
  cp_packet_set_string (f->mine, "cover", "enterprise_name", "Renamed");
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_null (cp_packet_get_value (merged (result), "cover", "phone"));
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "enterprise_name"), ==,
                   "Renamed");
}

static void
test_attachments (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  GPtrArray *attachments;
  CpPacket *packet;

  cp_packet_add_attachment (f->mine, "photo.jpg", SHA_B, 20, "image/jpeg");
  cp_packet_add_attachment (f->theirs, "scan.png", SHA_C, 30, "image/png");

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_false (cp_merge_result_has_conflicts (result));
  packet = merged (result);
  attachments = cp_packet_get_attachments (packet);
  g_assert_cmpuint (attachments->len, ==, 3);
  /* The server's order first, then the local additions. */
  g_assert_cmpstr (((CpAttachment *) g_ptr_array_index (attachments, 0))->sha256, ==, SHA_A);
  g_assert_cmpstr (((CpAttachment *) g_ptr_array_index (attachments, 1))->sha256, ==, SHA_C);
  g_assert_cmpstr (((CpAttachment *) g_ptr_array_index (attachments, 2))->sha256, ==, SHA_B);
  g_assert_cmpuint (cp_packet_find_attachment (packet, SHA_B)->size, ==, 20);
}

static void
test_attachments_same_added_both (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(CpMergeResult) result2 = NULL;
  g_autoptr(CpPacket) mine2 = cp_packet_copy (f->base);
  g_autoptr(CpPacket) theirs2 = cp_packet_copy (f->base);

  /* The same file added on both sides under the same name: one entry. */
  cp_packet_add_attachment (f->mine, "photo.jpg", SHA_B, 20, "image/jpeg");
  cp_packet_add_attachment (f->theirs, "photo.jpg", SHA_B, 20, "image/jpeg");
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_false (cp_merge_result_has_conflicts (result));
  g_assert_cmpuint (cp_packet_get_attachments (merged (result))->len, ==, 2);

  /* Under different names: a conflict on that entry. */
  cp_packet_add_attachment (mine2, "photo.jpg", SHA_B, 20, "image/jpeg");
  cp_packet_add_attachment (theirs2, "picture.jpg", SHA_B, 20, "image/jpeg");
  result2 = cp_merge_packets (f->base, mine2, theirs2);
  g_assert_nonnull (find_conflict (result2, "/attachments/" SHA_B));
  g_assert_cmpuint (cp_merge_result_get_conflicts (result2)->len, ==, 1);
}

static void
test_attachment_removed_vs_renamed (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(CpMergeResult) result2 = NULL;
  g_autoptr(CpPacket) theirs2 = cp_packet_copy (f->base);

  cp_packet_remove_attachment (f->mine, SHA_A);
  cp_packet_add_attachment (f->theirs, "renamed.pdf", SHA_A, 10, "application/pdf");
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_nonnull (find_conflict (result, "/attachments/" SHA_A));

  /* Removed on one side, untouched on the other: removed. */
  result2 = cp_merge_packets (f->base, f->mine, theirs2);
  g_assert_false (cp_merge_result_has_conflicts (result2));
  g_assert_cmpuint (cp_packet_get_attachments (merged (result2))->len, ==, 0);
}

static void
test_scores (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  const CpItemScore *score;
  const CpMergeConflict *c;
  CpPacket *packet;

  /* Same item, different columns: merges. */
  cp_packet_set_score (f->theirs, "1.1.1", CP_SCORE_ACCEPTANCE, 8.5);
  cp_packet_set_score_note (f->mine, "1.1.1", "policy documents complete");
  /* Same item, same column, different values: conflict. */
  cp_packet_set_score (f->mine, "1.1.2", CP_SCORE_SELF, 4);
  cp_packet_set_score (f->theirs, "1.1.2", CP_SCORE_SELF, 3);
  /* A new item on one side. */
  cp_packet_set_score (f->theirs, "2.1.1", CP_SCORE_SELF, 7);

  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_cmpuint (cp_merge_result_get_conflicts (result)->len, ==, 1);
  c = find_conflict (result, "/scoring/items/1.1.2/self");
  g_assert_nonnull (c);
  g_assert_cmpfloat (json_node_get_double (c->base), ==, 5);
  g_assert_cmpfloat (json_node_get_double (c->mine), ==, 4);
  g_assert_cmpfloat (json_node_get_double (c->theirs), ==, 3);

  packet = merged (result);
  g_assert_cmpstr (cp_packet_get_sheet_id (packet), ==, "jiangsu-2019");
  score = cp_packet_get_score (packet, "1.1.1");
  g_assert_true (score->has_self && score->self == 10);
  g_assert_true (score->has_acceptance && score->acceptance == 8.5);
  g_assert_cmpstr (score->note, ==, "policy documents complete");
  score = cp_packet_get_score (packet, "2.1.1");
  g_assert_nonnull (score);
  g_assert_cmpfloat (score->self, ==, 7);
  score = cp_packet_get_score (packet, "1.1.2");
  g_assert_cmpfloat (score->self, ==, 4);
}

static void
test_top_level (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(CpMergeResult) result2 = NULL;
  g_autoptr(CpPacket) mine2 = cp_packet_copy (f->base);
  g_autoptr(CpPacket) theirs2 = cp_packet_copy (f->base);
  CpPacket *packet;

  cp_packet_set_state (f->theirs, CP_PACKET_STATE_READY);
  cp_packet_set_submitted_on (f->mine, "2020-04-20");
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_false (cp_merge_result_has_conflicts (result));
  packet = merged (result);
  g_assert_cmpint (cp_packet_get_state (packet), ==, CP_PACKET_STATE_READY);
  g_assert_cmpstr (cp_packet_get_submitted_on (packet), ==, "2020-04-20");
  g_assert_cmpint (cp_packet_get_year (packet), ==, 2020);

  cp_packet_set_year (mine2, 2021);
  cp_packet_set_year (theirs2, 2022);
  result2 = cp_merge_packets (f->base, mine2, theirs2);
  g_assert_nonnull (find_conflict (result2, "/year"));
  g_assert_cmpint (json_node_get_int (find_conflict (result2, "/year")->theirs), ==, 2022);
  g_assert_cmpint (cp_packet_get_year (merged (result2)), ==, 2021);
}

static void
test_modified_is_later (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(GDateTime) later = NULL;

  g_usleep (2000);
  cp_packet_set_string (f->theirs, "cover", "phone", "x"); /* bumps modified */
  later = g_date_time_ref (cp_packet_get_modified (f->theirs));
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_cmpint (g_date_time_compare (cp_packet_get_modified (merged (result)), later), ==, 0);
}

static void
test_no_base (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;

  /* Without a base, equal values merge, one-sided leaves are kept, differing ones conflict. */
  cp_packet_set_string (f->mine, "cover", "fax", "1");
  cp_packet_set_string (f->theirs, "cover", "email", "a@b.cn");
  cp_packet_set_string (f->mine, "cover", "phone", "m");
  cp_packet_set_string (f->theirs, "cover", "phone", "t");
  result = cp_merge_packets (NULL, f->mine, f->theirs);
  g_assert_cmpuint (cp_merge_result_get_conflicts (result)->len, ==, 1);
  g_assert_nonnull (find_conflict (result, "/sections/cover/phone"));
  g_assert_null (find_conflict (result, "/sections/cover/phone")->base);
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "fax"), ==, "1");
  g_assert_cmpstr (cp_packet_get_string (merged (result), "cover", "email"), ==, "a@b.cn");
}

static void
test_groups_are_one_value (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, "[{\"name\": \"Wang\"}]", -1, NULL));
  cp_packet_set_value (f->mine, "survey", "surveyors",
                       json_node_copy (json_parser_get_root (parser)));
  g_assert_true (json_parser_load_from_data (parser, "[{\"name\": \"Li\"}]", -1, NULL));
  cp_packet_set_value (f->theirs, "survey", "surveyors",
                       json_node_copy (json_parser_get_root (parser)));
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  g_assert_nonnull (find_conflict (result, "/sections/survey/surveyors"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (find_conflict (result,
                                                       "/sections/survey/surveyors")->theirs));
}

static void
test_invalid_edit_refused (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(JsonNode) value = json_node_new (JSON_NODE_VALUE);
  g_autoptr(GError) error = NULL;

  cp_packet_set_year (f->mine, 2021);
  cp_packet_set_year (f->theirs, 2022);
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  json_node_set_string (value, "twenty twenty");
  g_assert_false (cp_merge_result_resolve (result, "/year", CP_MERGE_EDIT, value, &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID);
  /* Still unresolved, and the packet still valid with mine. */
  g_assert_true (cp_merge_result_has_conflicts (result));
  g_assert_cmpint (cp_packet_get_year (merged (result)), ==, 2021);
}

static void
test_conflicts_json_round_trip (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(CpMergeResult) result = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bad = json_node_new (JSON_NODE_OBJECT);
  const CpMergeConflict *c;

  cp_packet_set_value (f->mine, "cover", "phone", NULL);
  cp_packet_set_string (f->theirs, "cover", "phone", "t");
  result = cp_merge_packets (f->base, f->mine, f->theirs);
  json = cp_merge_conflicts_to_json (cp_merge_result_get_conflicts (result));
  back = cp_merge_conflicts_from_json (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (back->len, ==, 1);
  c = g_ptr_array_index (back, 0);
  g_assert_cmpstr (c->path, ==, "/sections/cover/phone");
  g_assert_cmpstr (json_node_get_string (c->base), ==, "0512-1234567");
  g_assert_null (c->mine);
  g_assert_cmpstr (json_node_get_string (c->theirs), ==, "t");

  json_node_take_object (bad, json_object_new ());
  g_assert_null (cp_merge_conflicts_from_json (bad, &error));
  g_assert_error (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID);
}

static void
test_merge_is_symmetric_without_conflicts (Fixture       *f,
                                           gconstpointer  data)
{
  g_autoptr(CpMergeResult) ab = NULL;
  g_autoptr(CpMergeResult) ba = NULL;
  g_autofree char *x = NULL;
  g_autofree char *y = NULL;

  cp_packet_set_string (f->mine, "cover", "phone", "1");
  cp_packet_set_score (f->mine, "3.1", CP_SCORE_SELF, 2);
  cp_packet_add_attachment (f->theirs, "scan.png", SHA_C, 30, "image/png");
  cp_packet_set_string (f->theirs, "cover", "email", "x@y.cn");
  ab = cp_merge_packets (f->base, f->mine, f->theirs);
  ba = cp_merge_packets (f->base, f->theirs, f->mine);
  /* Same content whichever side is local (the manifest order aside: one entry each side). */
  g_assert_false (cp_merge_result_has_conflicts (ab));
  g_assert_false (cp_merge_result_has_conflicts (ba));
  x = cp_packet_to_data (merged (ab), FALSE, NULL);
  y = cp_packet_to_data (merged (ba), FALSE, NULL);
  g_assert_cmpuint (strlen (x), ==, strlen (y));
  g_assert_cmpstr (cp_packet_get_string (merged (ab), "cover", "email"), ==, "x@y.cn");
  g_assert_cmpstr (cp_packet_get_string (merged (ba), "cover", "phone"), ==, "1");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/merge/identical", test_identical);
  ADD ("/merge/disjoint-fields", test_disjoint_fields);
  ADD ("/merge/same-change-both-sides", test_same_change_both_sides);
  ADD ("/merge/same-field-conflict", test_same_field_conflict);
  ADD ("/merge/resolve-mine-and-edit", test_resolve_mine_and_edit);
  ADD ("/merge/delete-vs-edit", test_delete_vs_edit);
  ADD ("/merge/delete-one-side", test_delete_one_side);
  ADD ("/merge/attachments", test_attachments);
  ADD ("/merge/attachments-same-added-both", test_attachments_same_added_both);
  ADD ("/merge/attachment-removed-vs-renamed", test_attachment_removed_vs_renamed);
  ADD ("/merge/scores", test_scores);
  ADD ("/merge/top-level", test_top_level);
  ADD ("/merge/modified-is-later", test_modified_is_later);
  ADD ("/merge/no-base", test_no_base);
  ADD ("/merge/groups-are-one-value", test_groups_are_one_value);
  ADD ("/merge/invalid-edit-refused", test_invalid_edit_refused);
  ADD ("/merge/conflicts-json-round-trip", test_conflicts_json_round_trip);
  ADD ("/merge/symmetric", test_merge_is_symmetric_without_conflicts);
#undef ADD

  return g_test_run ();
}
