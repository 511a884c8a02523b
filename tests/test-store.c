/* test-store.c — the local store: packets, revisions, edits, trash, schema, blobs
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cp-store.h"

#define ABC_SHA256 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

typedef struct
{
  char    *dir;
  CpStore *store;
} Fixture;

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    {
      g_unlink (path);
    }
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = cp_store_new (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  if (fixture->store != NULL)
    g_assert_finalize_object (fixture->store);
  rm_rf (fixture->dir);
  g_free (fixture->dir);
}

static char *
file_sha256 (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return NULL;

  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guint8 *) contents, length);
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static gint64
raw_query_int (const char *path,
               const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return value;
}

/* A packet with the kinds of values a real one holds. */
static CpPacket *
make_packet (const char *name,
             const char *uscc)
{
  CpPacket *packet = cp_packet_new ("city-demonstration", "2020.1");
  g_autoptr(JsonNode) group = NULL;

  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "enterprise_name", name);
  cp_packet_set_string (packet, "cover", "uscc", uscc);
  cp_packet_set_string (packet, "cover", "contact", "王芳");
  cp_packet_set_string (packet, "contract", "signed_on", "2019-09-01");
  cp_packet_set_number (packet, "finance", "revenue", 1250000.5);
  cp_packet_set_value (packet, "finance", "employees",
                       json_node_init_int (json_node_alloc (), 86));
  group = json_from_string ("[{\"year\": 2017, \"audited\": true},"
                            " {\"year\": 2018, \"audited\": true}]", NULL);
  cp_packet_set_value (packet, "finance", "statements", g_steal_pointer (&group));
  cp_packet_add_attachment (packet, "abc.txt", ABC_SHA256, 3, "text/plain");
  cp_packet_set_value (packet, "contract", "scan",
                       json_node_init_string (json_node_alloc (), ABC_SHA256));
  cp_packet_set_sheet (packet, "jiangsu-2019", "1");
  cp_packet_set_score (packet, "1.1", CP_SCORE_SELF, 18);
  cp_packet_set_score (packet, "1.1", CP_SCORE_ACCEPTANCE, 16.5);
  cp_packet_set_score_note (packet, "1.1", "台账齐全");

  return packet;
}

static char *
packet_json (CpPacket *packet)
{
  return cp_packet_to_data (packet, FALSE, NULL);
}

static void
test_default_directory (void)
{
  g_autofree char *dir = cp_store_get_default_directory ();
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), APP_ID, NULL);

  g_assert_cmpstr (dir, ==, expected);
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("苏州示例科技有限公司", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) loaded = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *db_path = g_build_filename (fixture->dir, "packets.db", NULL);
  guint revision = 0;

  g_assert_true (cp_store_save_packet (fixture->store, packet, &revision, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 1);
  g_assert_true (cp_store_has_packet (fixture->store, cp_packet_get_uuid (packet)));

  loaded = cp_store_load_packet (fixture->store, cp_packet_get_uuid (packet), &error);
  g_assert_no_error (error);
  before = packet_json (packet);
  after = packet_json (loaded);
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpstr (cp_packet_get_enterprise_name (loaded), ==, "苏州示例科技有限公司");

  /* The database is what the design says: WAL, schema 3, our application id. */
  g_assert_cmpint (raw_query_int (db_path, "PRAGMA user_version"), ==, 3);
  g_assert_cmpint (raw_query_int (db_path, "PRAGMA application_id"), ==, 0x43504b54);
  g_assert_cmpint (raw_query_int (db_path, "SELECT COUNT (*) FROM pragma_journal_mode"
                                           " WHERE journal_mode = 'wal'"), ==, 1);
}

static void
test_load_errors (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autofree char *uuid = g_uuid_string_random ();

  packet = cp_store_load_packet (fixture->store, uuid, &error);
  g_assert_null (packet);
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, uuid));
  g_clear_error (&error);

  packet = cp_store_load_packet (fixture->store, "not-a-uuid", &error);
  g_assert_null (packet);
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (cp_store_has_packet (fixture->store, uuid));
  g_assert_false (cp_store_has_packet (fixture->store, "x"));
}

static void
test_revisions (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("First Name Ltd", "91320500MA1XXXXX0X");
  g_autoptr(GPtrArray) revisions = NULL;
  g_autoptr(CpPacket) first = NULL;
  g_autoptr(CpPacket) second = NULL;
  g_autoptr(CpPacket) missing = NULL;
  g_autofree char *json1 = NULL;
  g_autofree char *json2 = NULL;
  g_autofree char *loaded1 = NULL;
  g_autofree char *loaded2 = NULL;
  const char *uuid = cp_packet_get_uuid (packet);
  guint revision = 0;

  g_assert_true (cp_store_save_packet (fixture->store, packet, &revision, &error));
  g_assert_cmpuint (revision, ==, 1);
  json1 = packet_json (packet);

  cp_packet_set_string (packet, "cover", "enterprise_name", "Second Name Ltd");
  cp_packet_set_state (packet, CP_PACKET_STATE_READY);
  g_assert_true (cp_store_save_packet (fixture->store, packet, &revision, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 2);
  json2 = packet_json (packet);
  g_assert_cmpstr (json1, !=, json2);

  /* Saving the same content again adds no revision. */
  g_assert_true (cp_store_save_packet (fixture->store, packet, &revision, &error));
  g_assert_cmpuint (revision, ==, 2);

  revisions = cp_store_list_revisions (fixture->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (revisions->len, ==, 2);
  g_assert_cmpuint (((CpRevisionInfo *) revisions->pdata[0])->revision, ==, 1);
  g_assert_cmpuint (((CpRevisionInfo *) revisions->pdata[1])->revision, ==, 2);
  g_assert_cmpint (g_date_time_compare (((CpRevisionInfo *) revisions->pdata[0])->saved_at,
                                        ((CpRevisionInfo *) revisions->pdata[1])->saved_at),
                   <=, 0);

  first = cp_store_load_revision (fixture->store, uuid, 1, &error);
  g_assert_no_error (error);
  second = cp_store_load_revision (fixture->store, uuid, 2, &error);
  g_assert_no_error (error);
  loaded1 = packet_json (first);
  loaded2 = packet_json (second);
  g_assert_cmpstr (loaded1, ==, json1);
  g_assert_cmpstr (loaded2, ==, json2);
  g_assert_cmpint (cp_packet_get_state (first), ==, CP_PACKET_STATE_DRAFT);
  g_assert_cmpint (cp_packet_get_state (second), ==, CP_PACKET_STATE_READY);

  missing = cp_store_load_revision (fixture->store, uuid, 3, &error);
  g_assert_null (missing);
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  {
    g_autofree char *other = g_uuid_string_random ();
    g_autoptr(GPtrArray) none = cp_store_list_revisions (fixture->store, other, &error);

    g_assert_null (none);
    g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  }
}

static JsonNode *
string_node (const char *text)
{
  return json_node_init_string (json_node_alloc (), text);
}

static void
test_edits (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("Old Name Ltd", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) loaded = NULL;
  g_autoptr(CpPacket) again = NULL;
  g_autoptr(CpPacket) compacted = NULL;
  g_autoptr(JsonNode) name = string_node ("New Name Ltd");
  g_autoptr(JsonNode) number = json_node_init_double (json_node_alloc (), 99.25);
  g_autoptr(JsonNode) list = json_from_string ("[1, 2, {\"a\": \"b\"}]", NULL);
  g_autoptr(JsonNode) null_node = json_node_new (JSON_NODE_NULL);
  g_autoptr(GPtrArray) summaries = NULL;
  g_autoptr(GPtrArray) revisions = NULL;
  g_autofree char *loaded_json = NULL;
  g_autofree char *again_json = NULL;
  g_autofree char *compacted_json = NULL;
  const char *uuid = cp_packet_get_uuid (packet);
  const CpItemScore *score;
  CpPacketSummary *summary;
  JsonNode *value;
  guint revision = 0;

  g_assert_true (cp_store_save_packet (fixture->store, packet, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 0);

  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "enterprise_name", name,
                                     &error));
  g_assert_no_error (error);
  g_assert_true (cp_store_set_value (fixture->store, uuid, "finance", "revenue", number,
                                     &error));
  g_assert_true (cp_store_set_value (fixture->store, uuid, "notes", "list", list, &error));
  /* NULL unsets, and so does a JSON null. */
  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "contact", NULL, &error));
  g_assert_true (cp_store_set_value (fixture->store, uuid, "finance", "employees", null_node,
                                     &error));
  /* A later edit of the same field wins. */
  g_assert_true (cp_store_set_value (fixture->store, uuid, "notes", "list", NULL, &error));
  g_assert_true (cp_store_set_value (fixture->store, uuid, "notes", "list", list, &error));
  g_assert_true (cp_store_set_score (fixture->store, uuid, "1.1", CP_SCORE_ACCEPTANCE, 17.5,
                                     &error));
  g_assert_true (cp_store_unset_score (fixture->store, uuid, "1.1", CP_SCORE_SELF, &error));
  g_assert_true (cp_store_set_score (fixture->store, uuid, "2.3", CP_SCORE_SELF, 40, &error));
  g_assert_true (cp_store_set_score_note (fixture->store, uuid, "1.1", "补充材料", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 11);

  loaded = cp_store_load_packet (fixture->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_enterprise_name (loaded), ==, "New Name Ltd");
  value = cp_packet_get_value (loaded, "finance", "revenue");
  g_assert_nonnull (value);
  g_assert_cmpfloat (json_node_get_double (value), ==, 99.25);
  g_assert_null (cp_packet_get_value (loaded, "cover", "contact"));
  g_assert_null (cp_packet_get_value (loaded, "finance", "employees"));
  g_assert_true (json_node_equal (cp_packet_get_value (loaded, "notes", "list"), list));
  g_assert_cmpstr (cp_packet_get_string (loaded, "cover", "uscc"), ==, "91320500MA1XXXXX0X");
  score = cp_packet_get_score (loaded, "1.1");
  g_assert_nonnull (score);
  g_assert_false (score->has_self);
  g_assert_true (score->has_acceptance);
  g_assert_cmpfloat (score->acceptance, ==, 17.5);
  g_assert_cmpstr (score->note, ==, "补充材料");
  score = cp_packet_get_score (loaded, "2.3");
  g_assert_nonnull (score);
  g_assert_true (score->has_self);
  g_assert_cmpfloat (score->self, ==, 40);

  /* The loaded packet carries the time of its last edit, so loading is repeatable. */
  g_assert_cmpint (g_date_time_compare (cp_packet_get_modified (loaded),
                                        cp_packet_get_modified (packet)), >=, 0);
  again = cp_store_load_packet (fixture->store, uuid, &error);
  g_assert_no_error (error);
  loaded_json = packet_json (loaded);
  again_json = packet_json (again);
  g_assert_cmpstr (loaded_json, ==, again_json);

  /* The list shows the edited cover fields without a save. */
  summaries = cp_store_list_packets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (summaries->len, ==, 1);
  summary = summaries->pdata[0];
  g_assert_cmpstr (summary->enterprise_name, ==, "New Name Ltd");
  g_assert_true (g_date_time_equal (summary->modified, cp_packet_get_modified (loaded)));

  /* Saving compacts the journal into a new revision. */
  g_assert_true (cp_store_save_packet (fixture->store, loaded, &revision, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 2);
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 0);
  compacted = cp_store_load_packet (fixture->store, uuid, &error);
  g_assert_no_error (error);
  compacted_json = packet_json (compacted);
  g_assert_cmpstr (compacted_json, ==, loaded_json);
  revisions = cp_store_list_revisions (fixture->store, uuid, &error);
  g_assert_cmpuint (revisions->len, ==, 2);
}

static void
test_edit_errors (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("Name Ltd", "91320500MA1XXXXX0X");
  g_autoptr(JsonNode) value = string_node ("x");
  g_autoptr(JsonNode) deep = json_from_string ("[[[[[[1]]]]]]", NULL);
  g_autoptr(JsonNode) ok_depth = json_from_string ("[[[[[1]]]]]", NULL);
  g_autofree char *unknown = g_uuid_string_random ();
  const char *uuid = cp_packet_get_uuid (packet);

  g_assert_true (cp_store_save_packet (fixture->store, packet, NULL, &error));

  g_assert_false (cp_store_set_value (fixture->store, unknown, "cover", "x", value, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_false (cp_store_set_value (fixture->store, "nope", "cover", "x", value, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (cp_store_set_value (fixture->store, uuid, "cover", "bad field", value,
                                      &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (cp_store_set_value (fixture->store, uuid, "", "x", value, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_false (cp_store_set_value (fixture->store, uuid, "cover", "x", deep, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "x", ok_depth, &error));
  g_assert_no_error (error);

  g_assert_false (cp_store_set_score (fixture->store, uuid, "1.1", CP_SCORE_SELF, NAN, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
  g_clear_error (&error);

  /* Only the valid edit was recorded, and the packet still loads. */
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 1);
  {
    g_autoptr(CpPacket) loaded = cp_store_load_packet (fixture->store, uuid, &error);

    g_assert_no_error (error);
    g_assert_true (json_node_equal (cp_packet_get_value (loaded, "cover", "x"), ok_depth));
  }

  /* A deleted packet refuses edits. */
  g_assert_true (cp_store_delete_packet (fixture->store, uuid, &error));
  g_assert_false (cp_store_set_value (fixture->store, uuid, "cover", "x", value, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 1);
}

static guint
list_length (CpStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = cp_store_list_packets (store, &error);

  g_assert_no_error (error);
  return list->len;
}

static void
test_delete (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) keep = make_packet ("Keep Ltd", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) gone = make_packet ("Gone Ltd", "91320500MA1XXXXX1X");
  g_autoptr(CpPacket) loaded = NULL;
  g_autoptr(GDateTime) past = g_date_time_new_from_unix_utc (1000);
  g_autoptr(JsonNode) value = string_node ("x");
  g_autofree char *db_path = g_build_filename (fixture->dir, "packets.db", NULL);
  const char *uuid = cp_packet_get_uuid (gone);
  guint n_purged = 99;

  g_assert_true (cp_store_save_packet (fixture->store, keep, NULL, &error));
  g_assert_true (cp_store_save_packet (fixture->store, gone, NULL, &error));
  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "x", value, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list_length (fixture->store), ==, 2);

  g_assert_true (cp_store_delete_packet (fixture->store, uuid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list_length (fixture->store), ==, 1);
  /* Deleting twice is harmless; a deleted packet can still be loaded (with its edits). */
  g_assert_true (cp_store_delete_packet (fixture->store, uuid, &error));
  loaded = cp_store_load_packet (fixture->store, uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (cp_packet_get_string (loaded, "cover", "x"), ==, "x");

  g_assert_true (cp_store_undelete_packet (fixture->store, uuid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list_length (fixture->store), ==, 2);
  g_assert_true (cp_store_undelete_packet (fixture->store, uuid, &error));

  g_assert_true (cp_store_delete_packet (fixture->store, uuid, &error));
  /* Nothing was deleted before 1970-01-01T00:16:40Z. */
  g_assert_true (cp_store_purge_deleted (fixture->store, past, &n_purged, &error));
  g_assert_cmpuint (n_purged, ==, 0);
  g_assert_true (cp_store_has_packet (fixture->store, uuid));

  g_assert_true (cp_store_purge_deleted (fixture->store, NULL, &n_purged, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_purged, ==, 1);
  g_assert_false (cp_store_has_packet (fixture->store, uuid));
  g_assert_true (cp_store_has_packet (fixture->store, cp_packet_get_uuid (keep)));
  g_assert_cmpuint (list_length (fixture->store), ==, 1);

  /* Its revisions and edits went with it. */
  g_assert_cmpint (raw_query_int (db_path, "SELECT COUNT (*) FROM revisions"), ==, 1);
  g_assert_cmpint (raw_query_int (db_path, "SELECT COUNT (*) FROM edits"), ==, 0);

  g_assert_false (cp_store_undelete_packet (fixture->store, uuid, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (cp_store_delete_packet (fixture->store, uuid, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
}

/* The trash lists what was deleted and when; a packet in the office's workflow never goes
 * there, and one the sync brings back into the workflow comes out of it. */
static void
test_trash (Fixture       *fixture,
            gconstpointer  data)
{
  const CpPacketState workflow[] = {
    CP_PACKET_STATE_SUBMITTED, CP_PACKET_STATE_RETURNED, CP_PACKET_STATE_ACCEPTED
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) draft = make_packet ("Draft Ltd", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) later = make_packet ("Later Ltd", "91320500MA1XXXXX1X");
  g_autoptr(GPtrArray) trash = NULL;
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  const CpPacketSummary *summary;

  g_assert_true (cp_store_save_packet (fixture->store, draft, NULL, &error));
  g_assert_true (cp_store_save_packet (fixture->store, later, NULL, &error));
  trash = cp_store_list_deleted_packets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 0);
  g_clear_pointer (&trash, g_ptr_array_unref);

  g_assert_true (cp_store_delete_packet (fixture->store, cp_packet_get_uuid (draft), &error));
  g_usleep (2000);
  g_assert_true (cp_store_delete_packet (fixture->store, cp_packet_get_uuid (later), &error));
  g_assert_no_error (error);
  trash = cp_store_list_deleted_packets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 2);
  /* Last deleted first, with when. */
  summary = g_ptr_array_index (trash, 0);
  g_assert_cmpstr (summary->uuid, ==, cp_packet_get_uuid (later));
  g_assert_cmpstr (summary->enterprise_name, ==, "Later Ltd");
  g_assert_nonnull (summary->deleted);
  g_assert_cmpint (g_date_time_compare (summary->deleted, before), >=, 0);
  summary = g_ptr_array_index (trash, 1);
  g_assert_cmpstr (summary->uuid, ==, cp_packet_get_uuid (draft));
  g_assert_cmpuint (list_length (fixture->store), ==, 0);
  /* The list of live packets says nothing was deleted. */
  g_assert_true (cp_store_undelete_packet (fixture->store, cp_packet_get_uuid (draft), &error));
  {
    g_autoptr(GPtrArray) live = cp_store_list_packets (fixture->store, &error);

    g_assert_cmpuint (live->len, ==, 1);
    g_assert_null (((CpPacketSummary *) g_ptr_array_index (live, 0))->deleted);
  }
  g_clear_pointer (&trash, g_ptr_array_unref);
  trash = cp_store_list_deleted_packets (fixture->store, &error);
  g_assert_cmpuint (trash->len, ==, 1);

  /* Submitted, returned, accepted: refused, with the reason, and nothing changes. */
  for (guint i = 0; i < G_N_ELEMENTS (workflow); i++)
    {
      cp_packet_set_state (draft, workflow[i]);
      g_assert_true (cp_store_save_packet (fixture->store, draft, NULL, &error));
      g_assert_false (cp_store_delete_packet (fixture->store, cp_packet_get_uuid (draft),
                                              &error));
      g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_IN_WORKFLOW);
      g_assert_nonnull (strstr (error->message, "credit office"));
      g_clear_error (&error);
      g_assert_cmpuint (list_length (fixture->store), ==, 1);
    }

  /* The sync pulls the office's return of a packet deleted here (a draft when it was deleted,
   * submitted from another computer since): it comes out of the trash. */
  cp_packet_set_state (later, CP_PACKET_STATE_DRAFT);
  cp_packet_set_string (later, "cover", "enterprise_name", "Later Ltd (edited elsewhere)");
  g_assert_true (cp_store_save_packet (fixture->store, later, NULL, &error));
  g_assert_cmpuint (list_length (fixture->store), ==, 1);
  cp_packet_set_state (later, CP_PACKET_STATE_RETURNED);
  g_assert_true (cp_store_save_packet (fixture->store, later, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (list_length (fixture->store), ==, 2);
  g_clear_pointer (&trash, g_ptr_array_unref);
  trash = cp_store_list_deleted_packets (fixture->store, &error);
  g_assert_cmpuint (trash->len, ==, 0);
}

/* The packets of one credit code, however the cover's code was typed; not those in the trash. */
static void
test_list_for_uscc (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  const char *typed[] = { "91320500MA1XXXXX0X", "91320500ma1xxxxx0x", " 913205 00MA1XXXXX0X",
                          "91320500MA1YYYYY0X", "" };
  CpPacket *packets[G_N_ELEMENTS (typed)];

  for (guint i = 0; i < G_N_ELEMENTS (packets); i++)
    {
      packets[i] = make_packet ("Enterprise", typed[i]);
      g_assert_true (cp_store_save_packet (fixture->store, packets[i], NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (cp_store_delete_packet (fixture->store, cp_packet_get_uuid (packets[1]), &error));
  g_assert_no_error (error);

  list = cp_store_list_packets_for_uscc (fixture->store, "９１３２０５００ＭＡ１ＸＸＸＸＸ０Ｘ", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 2);
  for (guint i = 0; i < list->len; i++)
    {
      CpPacketSummary *summary = list->pdata[i];

      g_assert_true (g_str_equal (summary->uuid, cp_packet_get_uuid (packets[0])) ||
                     g_str_equal (summary->uuid, cp_packet_get_uuid (packets[2])));
    }
  g_clear_pointer (&list, g_ptr_array_unref);

  /* Nothing typed matches nothing. */
  list = cp_store_list_packets_for_uscc (fixture->store, " ", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (packets); i++)
    g_object_unref (packets[i]);
}

static void
test_list (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonNode) value = string_node ("touched");
  g_autofree char *db_path = g_build_filename (fixture->dir, "packets.db", NULL);
  CpPacket *packets[3];
  CpPacketSummary *summary;

  for (guint i = 0; i < G_N_ELEMENTS (packets); i++)
    {
      g_autofree char *name = g_strdup_printf ("Enterprise %u", i);

      packets[i] = make_packet (name, "91320500MA1XXXXX0X");
      cp_packet_set_state (packets[i], CP_PACKET_STATE_SUBMITTED);
      cp_packet_set_year (packets[i], 2019 + (int) i);
      g_assert_true (cp_store_save_packet (fixture->store, packets[i], NULL, &error));
      g_assert_no_error (error);
      g_usleep (2000);
    }

  list = cp_store_list_packets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 3);
  /* Newest modification first. */
  for (guint i = 0; i < 3; i++)
    {
      summary = list->pdata[i];
      g_assert_cmpstr (summary->uuid, ==, cp_packet_get_uuid (packets[2 - i]));
    }

  summary = list->pdata[0];
  g_assert_cmpstr (summary->kind, ==, "city-demonstration");
  g_assert_cmpint (summary->year, ==, 2021);
  g_assert_cmpint (summary->state, ==, CP_PACKET_STATE_SUBMITTED);
  g_assert_cmpstr (summary->enterprise_name, ==, "Enterprise 2");
  g_assert_cmpstr (summary->uscc, ==, "91320500MA1XXXXX0X");
  g_assert_cmpint (summary->sync_state, ==, CP_STORE_SYNC_PENDING);
  g_assert_true (g_date_time_equal (summary->modified, cp_packet_get_modified (packets[2])));

  {
    g_autoptr(CpPacketSummary) copy = cp_packet_summary_copy (summary);

    g_assert_cmpstr (copy->uuid, ==, summary->uuid);
    g_assert_true (g_date_time_equal (copy->modified, summary->modified));
  }
  g_clear_pointer (&list, g_ptr_array_unref);

  /* An edit moves the oldest to the top. */
  g_assert_true (cp_store_set_value (fixture->store, cp_packet_get_uuid (packets[0]),
                                     "cover", "note", value, &error));
  list = cp_store_list_packets (fixture->store, &error);
  summary = list->pdata[0];
  g_assert_cmpstr (summary->uuid, ==, cp_packet_get_uuid (packets[0]));

  /* The list query reads one index in order: no sort, no row (with its body) read. */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    GString *plan = g_string_new (NULL);

    g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_prepare_v2 (db, "EXPLAIN QUERY PLAN SELECT uuid, kind, year,"
                                         " state, enterprise_name, uscc, modified, sync_state"
                                         " FROM packets WHERE deleted_at IS NULL"
                                         " ORDER BY modified DESC", -1, &stmt, NULL),
                     ==, SQLITE_OK);
    while (sqlite3_step (stmt) == SQLITE_ROW)
      g_string_append_printf (plan, "%s\n", sqlite3_column_text (stmt, 3));
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    g_test_message ("%s", plan->str);
    g_assert_nonnull (strstr (plan->str, "USING COVERING INDEX packets_list"));
    g_assert_null (strstr (plan->str, "TEMP B-TREE"));
    g_string_free (plan, TRUE);
  }

  for (guint i = 0; i < G_N_ELEMENTS (packets); i++)
    g_object_unref (packets[i]);
}

static void
count_changed_cb (CpStore    *store,
                  const char *uuid,
                  gpointer    user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup (uuid));
}

static void
test_signal (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("Signal Ltd", "91320500MA1XXXXX0X");
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonNode) value = string_node ("x");
  const char *uuid = cp_packet_get_uuid (packet);

  g_signal_connect (fixture->store, "packet-changed", G_CALLBACK (count_changed_cb), seen);

  g_assert_true (cp_store_save_packet (fixture->store, packet, NULL, &error));
  g_assert_cmpuint (seen->len, ==, 1);
  /* An unchanged save commits nothing and says nothing. */
  g_assert_true (cp_store_save_packet (fixture->store, packet, NULL, &error));
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_true (cp_store_set_value (fixture->store, uuid, "a", "b", value, &error));
  g_assert_true (cp_store_delete_packet (fixture->store, uuid, &error));
  g_assert_true (cp_store_undelete_packet (fixture->store, uuid, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (seen->len, ==, 4);
  for (guint i = 0; i < seen->len; i++)
    g_assert_cmpstr (seen->pdata[i], ==, uuid);

  /* A failed edit emits nothing. */
  g_assert_false (cp_store_set_value (fixture->store, uuid, "a", "b c", value, &error));
  g_clear_error (&error);
  g_assert_cmpuint (seen->len, ==, 4);

  g_signal_handlers_disconnect_by_func (fixture->store, count_changed_cb, seen);
}

static void
test_sync_info (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("Sync Ltd", "91320500MA1XXXXX0X");
  g_autoptr(JsonNode) value = string_node ("x");
  g_autofree char *body = packet_json (packet);
  const char *uuid = cp_packet_get_uuid (packet);
  CpStoreSyncState state = CP_STORE_SYNC_CONFLICT;
  char *revision = NULL;
  char *base = NULL;

  g_assert_true (cp_store_save_packet (fixture->store, packet, NULL, &error));
  g_assert_true (cp_store_get_sync_info (fixture->store, uuid, &state, &revision, &base,
                                         &error));
  g_assert_no_error (error);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_PENDING);
  g_assert_null (revision);
  g_assert_null (base);

  g_assert_true (cp_store_set_sync_info (fixture->store, uuid, CP_STORE_SYNC_SYNCED, "7", body,
                                         &error));
  g_assert_true (cp_store_get_sync_info (fixture->store, uuid, &state, &revision, &base,
                                         &error));
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (revision, ==, "7");
  g_assert_cmpstr (base, ==, body);
  g_clear_pointer (&revision, g_free);
  g_clear_pointer (&base, g_free);

  /* A local edit makes it pending again; the base stays for the merge. */
  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "x", value, &error));
  g_assert_true (cp_store_get_sync_info (fixture->store, uuid, &state, &revision, &base,
                                         &error));
  g_assert_cmpint (state, ==, CP_STORE_SYNC_PENDING);
  g_assert_cmpstr (revision, ==, "7");
  g_assert_cmpstr (base, ==, body);
  g_clear_pointer (&revision, g_free);
  g_clear_pointer (&base, g_free);

  /* A conflict is not cleared by a further edit. */
  g_assert_true (cp_store_set_sync_info (fixture->store, uuid, CP_STORE_SYNC_CONFLICT, NULL,
                                         NULL, &error));
  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "x", value, &error));
  g_assert_true (cp_store_get_sync_info (fixture->store, uuid, &state, NULL, NULL, &error));
  g_assert_cmpint (state, ==, CP_STORE_SYNC_CONFLICT);
  g_assert_no_error (error);

  g_assert_cmpstr (cp_store_sync_state_to_string (CP_STORE_SYNC_QUARANTINED), ==,
                   "quarantined");
  g_assert_true (cp_store_sync_state_from_string ("synced", &state));
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_false (cp_store_sync_state_from_string ("Synced", &state));
}

static char *
sync_base (CpStore          *store,
           const char       *uuid,
           CpStoreSyncState *state,
           char            **revision)
{
  g_autoptr(GError) error = NULL;
  char *base = NULL;

  g_assert_true (cp_store_get_sync_info (store, uuid, state, revision, &base, &error));
  g_assert_no_error (error);
  return base;
}

static void
test_save_if_unchanged (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("CAS Ltd", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) loaded = NULL;
  g_autoptr(CpPacket) theirs = NULL;
  g_autoptr(CpPacket) now = NULL;
  g_autoptr(JsonNode) typed = string_node ("typed meanwhile");
  g_autoptr(GPtrArray) revisions = NULL;
  g_autofree char *theirs_body = NULL;
  g_autofree char *base = NULL;
  g_autofree char *server_revision = NULL;
  const char *uuid = cp_packet_get_uuid (packet);
  CpStoreSyncState state;
  guint64 version = 1;
  guint64 version2 = 0;
  guint64 version3 = 0;
  guint revision = 0;

  /* No such packet: version 0, and a conditional save on 0 creates it. */
  g_assert_null (cp_store_load_packet_versioned (fixture->store, uuid, &version, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (cp_store_save_packet_if_unchanged (fixture->store, packet, 0,
                                                    CP_STORE_SYNC_SYNCED, "1", "{}", &revision,
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 1);
  g_clear_pointer (&base, g_free);
  base = sync_base (fixture->store, uuid, &state, &server_revision);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (server_revision, ==, "1");
  g_assert_cmpstr (base, ==, "{}");
  /* … and refuses to create it twice. */
  g_assert_false (cp_store_save_packet_if_unchanged (fixture->store, packet, 0,
                                                     CP_STORE_SYNC_SYNCED, "1", NULL, NULL,
                                                     &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED);
  g_clear_error (&error);

  /* Unchanged since the load: saved, with its sync columns, in one go. */
  loaded = cp_store_load_packet_versioned (fixture->store, uuid, &version, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version, !=, 0);
  theirs = cp_packet_copy (loaded);
  cp_packet_set_string (theirs, "cover", "contact", "李雷");
  theirs_body = packet_json (theirs);
  g_assert_true (cp_store_save_packet_if_unchanged (fixture->store, theirs, version,
                                                    CP_STORE_SYNC_SYNCED, "2", theirs_body,
                                                    &revision, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 2);
  g_clear_pointer (&base, g_free);
  g_clear_pointer (&server_revision, g_free);
  base = sync_base (fixture->store, uuid, &state, &server_revision);
  /* The save alone would have made it pending: the state given wins, in the same commit. */
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (server_revision, ==, "2");
  g_assert_cmpstr (base, ==, theirs_body);
  now = cp_store_load_packet_versioned (fixture->store, uuid, &version2, &error);
  g_assert_cmpstr (cp_packet_get_string (now, "cover", "contact"), ==, "李雷");
  g_assert_cmpuint (version2, >, version);

  /* Sync bookkeeping changes no version. */
  g_assert_true (cp_store_set_sync_info (fixture->store, uuid, CP_STORE_SYNC_SYNCED, "2", NULL,
                                         &error));
  g_assert_true (cp_store_set_sync_info_if_unchanged (fixture->store, uuid, version2,
                                                      CP_STORE_SYNC_SYNCED, NULL, NULL,
                                                      &error));
  g_assert_no_error (error);
  g_clear_object (&now);
  now = cp_store_load_packet_versioned (fixture->store, uuid, &version3, &error);
  g_assert_cmpuint (version3, ==, version2);

  /* An edit lands between the load and the save: CHANGED, nothing written, the edit intact. */
  g_clear_object (&theirs);
  theirs = cp_packet_copy (now);
  cp_packet_set_string (theirs, "cover", "contact", "韩梅梅");
  g_assert_true (cp_store_set_value (fixture->store, uuid, "cover", "phone", typed, &error));
  g_assert_no_error (error);
  g_assert_false (cp_store_save_packet_if_unchanged (fixture->store, theirs, version2,
                                                     CP_STORE_SYNC_SYNCED, "3", "{\"x\":1}",
                                                     &revision, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  g_assert_false (cp_store_set_sync_info_if_unchanged (fixture->store, uuid, version2,
                                                       CP_STORE_SYNC_SYNCED, "3", NULL,
                                                       &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_CHANGED);
  g_clear_error (&error);

  g_clear_object (&now);
  now = cp_store_load_packet_versioned (fixture->store, uuid, &version3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (version3, >, version2);
  g_assert_cmpstr (cp_packet_get_string (now, "cover", "phone"), ==, "typed meanwhile");
  g_assert_cmpstr (cp_packet_get_string (now, "cover", "contact"), ==, "李雷");
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 1);
  revisions = cp_store_list_revisions (fixture->store, uuid, &error);
  g_assert_cmpuint (revisions->len, ==, 2);
  g_clear_pointer (&base, g_free);
  g_clear_pointer (&server_revision, g_free);
  base = sync_base (fixture->store, uuid, &state, &server_revision);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_PENDING);
  g_assert_cmpstr (server_revision, ==, "2");
  g_assert_cmpstr (base, ==, theirs_body);

  /* With the new version it goes through (the caller merged the edit in). */
  cp_packet_set_string (theirs, "cover", "phone", "typed meanwhile");
  g_assert_true (cp_store_save_packet_if_unchanged (fixture->store, theirs, version3,
                                                    CP_STORE_SYNC_PENDING, "3", NULL, &revision,
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 3);
  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, uuid), ==, 0);

  /* A save of the same content writes no revision and keeps the version. */
  g_clear_object (&now);
  now = cp_store_load_packet_versioned (fixture->store, uuid, &version, &error);
  g_assert_true (cp_store_save_packet (fixture->store, now, NULL, &error));
  g_assert_true (cp_store_save_packet_if_unchanged (fixture->store, now, version,
                                                    CP_STORE_SYNC_SYNCED, "3", NULL, &revision,
                                                    &error));
  g_assert_no_error (error);
  g_assert_cmpuint (revision, ==, 3);
  g_clear_pointer (&base, g_free);
  base = sync_base (fixture->store, uuid, &state, NULL);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
}

/* Several conditional writes in one transaction: the one whose packet was edited meanwhile is
 * left out alone (the edit intact), the others land, a new packet included. */
static void
test_write_sync_batch (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) a = make_packet ("Batch A", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) b = make_packet ("Batch B", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) c = make_packet ("Batch C", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) b_theirs = NULL;
  g_autoptr(CpPacket) now = NULL;
  g_autoptr(JsonNode) typed = string_node ("typed meanwhile");
  g_autofree char *base = NULL;
  g_autofree char *server_revision = NULL;
  CpStoreSyncWrite writes[3] = { { 0 } };
  CpStoreSyncState state;
  guint64 version_a = 0, version_b = 0, version = 0;

  g_assert_true (cp_store_save_packet (fixture->store, a, NULL, &error));
  g_assert_true (cp_store_save_packet (fixture->store, b, NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&now);
  now = cp_store_load_packet_versioned (fixture->store, cp_packet_get_uuid (a), &version_a,
                                        &error);
  g_clear_object (&now);
  now = cp_store_load_packet_versioned (fixture->store, cp_packet_get_uuid (b), &version_b,
                                        &error);
  g_assert_no_error (error);
  b_theirs = cp_packet_copy (now);
  cp_packet_set_string (b_theirs, "cover", "contact", "李雷");

  /* a: marked sent; b: replaced by the server's version, but edited first; c: new. */
  writes[0] = (CpStoreSyncWrite) { cp_packet_get_uuid (a), NULL, version_a, CP_STORE_SYNC_SYNCED,
                                   "4", "{\"a\":1}", TRUE };
  writes[1] = (CpStoreSyncWrite) { cp_packet_get_uuid (b), b_theirs, version_b,
                                   CP_STORE_SYNC_SYNCED, "7", "{\"b\":1}", FALSE };
  writes[2] = (CpStoreSyncWrite) { cp_packet_get_uuid (c), c, 0, CP_STORE_SYNC_SYNCED, "1",
                                   "{\"c\":1}", TRUE };
  g_assert_true (cp_store_set_value (fixture->store, cp_packet_get_uuid (b), "cover", "phone",
                                     typed, &error));
  g_assert_true (cp_store_write_sync_batch (fixture->store, writes, 3, &error));
  g_assert_no_error (error);
  g_assert_false (writes[0].changed);
  g_assert_true (writes[1].changed);
  g_assert_false (writes[2].changed);

  base = sync_base (fixture->store, cp_packet_get_uuid (a), &state, &server_revision);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (server_revision, ==, "4");
  g_assert_cmpstr (base, ==, "{\"a\":1}");
  g_clear_pointer (&base, g_free);
  g_clear_pointer (&server_revision, g_free);
  base = sync_base (fixture->store, cp_packet_get_uuid (b), &state, &server_revision);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_PENDING);
  g_assert_null (server_revision);
  g_clear_object (&now);
  now = cp_store_load_packet_versioned (fixture->store, cp_packet_get_uuid (b), &version,
                                        &error);
  g_assert_cmpstr (cp_packet_get_string (now, "cover", "phone"), ==, "typed meanwhile");
  g_assert_cmpstr (cp_packet_get_string (now, "cover", "contact"), ==,
                   cp_packet_get_string (b, "cover", "contact"));
  g_clear_pointer (&base, g_free);
  g_clear_pointer (&server_revision, g_free);
  base = sync_base (fixture->store, cp_packet_get_uuid (c), &state, &server_revision);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (server_revision, ==, "1");
  g_assert_true (cp_store_has_packet (fixture->store, cp_packet_get_uuid (c)));

  /* An id that is none refuses the whole batch: nothing of it is written. */
  writes[0] = (CpStoreSyncWrite) { cp_packet_get_uuid (a), NULL, version_a, CP_STORE_SYNC_PENDING,
                                   "5", NULL, FALSE };
  writes[1] = (CpStoreSyncWrite) { "not-a-uuid", NULL, 0, CP_STORE_SYNC_SYNCED, "1", NULL,
                                   FALSE };
  g_assert_false (cp_store_write_sync_batch (fixture->store, writes, 2, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_pointer (&base, g_free);
  g_clear_pointer (&server_revision, g_free);
  base = sync_base (fixture->store, cp_packet_get_uuid (a), &state, &server_revision);
  g_assert_cmpint (state, ==, CP_STORE_SYNC_SYNCED);
  g_assert_cmpstr (server_revision, ==, "4");
}

/* Opening a database must not change it when it is refused. */
static void
assert_refused_untouched (const char *dir,
                          int         code,
                          const char *expected_text)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = g_build_filename (dir, "packets.db", NULL);
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  g_autofree char *before = file_sha256 (db_path);
  g_autofree char *after = NULL;
  g_autofree char *blobs_path = g_build_filename (dir, "blobs", NULL);
  gboolean had_wal = g_file_test (wal_path, G_FILE_TEST_EXISTS);
  gboolean had_blobs = g_file_test (blobs_path, G_FILE_TEST_EXISTS);
  GStatBuf st_before, st_after;
  CpStore *store;

  g_assert_nonnull (before);
  g_assert_cmpint (g_stat (db_path, &st_before), ==, 0);

  store = cp_store_new (dir, &error);
  g_assert_null (store);
  g_assert_error (error, CP_STORE_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, expected_text));

  after = file_sha256 (db_path);
  /* Nothing was created beside it either. */
  if (!had_blobs)
    g_assert_false (g_file_test (blobs_path, G_FILE_TEST_EXISTS));
  g_assert_cmpstr (before, ==, after);
  g_assert_cmpint (g_stat (db_path, &st_after), ==, 0);
  g_assert_cmpint (st_before.st_size, ==, st_after.st_size);
  g_assert_cmpint (st_before.st_mtime, ==, st_after.st_mtime);
  if (!had_wal)
    g_assert_false (g_file_test (wal_path, G_FILE_TEST_EXISTS));
}

static void
test_newer_schema (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "packets.db", NULL);

  /* A database of a future version, left in rollback-journal mode. */
  raw_exec (db_path, "PRAGMA application_id = 1129335636;"
                     "CREATE TABLE packets (uuid TEXT PRIMARY KEY, future BLOB);"
                     "INSERT INTO packets VALUES ('x', zeroblob (5000));"
                     "PRAGMA user_version = 4;");
  assert_refused_untouched (dir, CP_STORE_ERROR_NEWER_SCHEMA,
                            "written by a newer version of Credit Packet (schema 4; "
                            "this version reads up to 3). Update the application; "
                            "the database has not been changed.");
  rm_rf (dir);
}

static void
test_newer_schema_wal (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "packets.db", NULL);
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) packet = make_packet ("Future Ltd", "91320500MA1XXXXX0X");

  /* A real store, then moved on by a "newer version" to schema 7. */
  store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  g_assert_true (cp_store_save_packet (store, packet, NULL, &error));
  g_assert_finalize_object (g_steal_pointer (&store));
  raw_exec (db_path, "PRAGMA user_version = 7");

  assert_refused_untouched (dir, CP_STORE_ERROR_NEWER_SCHEMA, "(schema 7;");
  rm_rf (dir);
}

static void
test_not_a_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "packets.db", NULL);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < 100; i++)
    g_string_append_printf (text, "line %u of a text file that someone named packets.db\n", i);
  g_assert_true (g_file_set_contents (db_path, text->str, (gssize) text->len, &error));
  assert_refused_untouched (dir, CP_STORE_ERROR_CORRUPT, "is not a Credit Packet database");

  /* Shorter than an SQLite header. */
  g_assert_true (g_file_set_contents (db_path, "SQLite format 3", 16, &error));
  assert_refused_untouched (dir, CP_STORE_ERROR_CORRUPT, "is not a Credit Packet database");

  /* A valid header followed by garbage. */
  g_string_overwrite_len (text, 0, "SQLite format 3\0\x10\0\x01\x01", 20);
  g_assert_true (g_file_set_contents (db_path, text->str, (gssize) text->len, &error));
  assert_refused_untouched (dir, CP_STORE_ERROR_CORRUPT, "is not a Credit Packet database");

  /* Another program's SQLite database is not ours to migrate. */
  g_unlink (db_path);
  raw_exec (db_path, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('a');");
  assert_refused_untouched (dir, CP_STORE_ERROR_CORRUPT, "is not a Credit Packet database");

  rm_rf (dir);
}

static void
test_migration_from_v1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "packets.db", NULL);
  g_autoptr(CpPacket) packet = make_packet ("Old Schema Ltd", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) loaded = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(JsonNode) value = string_node ("after migration");
  g_autofree char *body = packet_json (packet);
  g_autofree char *loaded_json = NULL;
  g_autofree char *insert = NULL;
  char *escaped;
  CpStoreSyncState state = CP_STORE_SYNC_SYNCED;

  /* Schema 1 as the first release wrote it: packets and revisions, no edits, no sync. */
  escaped = sqlite3_mprintf ("%q", body);
  insert = g_strdup_printf (
    "PRAGMA application_id = 1129335636;"
    "CREATE TABLE packets (uuid TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL,"
    " year INTEGER NOT NULL, state TEXT NOT NULL, enterprise_name TEXT, uscc TEXT,"
    " created INTEGER NOT NULL, modified INTEGER NOT NULL, revision INTEGER NOT NULL,"
    " body TEXT NOT NULL, deleted_at INTEGER);"
    "CREATE INDEX packets_by_modified ON packets (modified DESC) WHERE deleted_at IS NULL;"
    "CREATE TABLE revisions (uuid TEXT NOT NULL REFERENCES packets (uuid) ON DELETE CASCADE,"
    " revision INTEGER NOT NULL, saved_at INTEGER NOT NULL, body TEXT NOT NULL,"
    " PRIMARY KEY (uuid, revision)) WITHOUT ROWID;"
    "INSERT INTO packets VALUES ('%s', 'city-demonstration', 2020, 'draft',"
    " 'Old Schema Ltd', '91320500MA1XXXXX0X', 1577836800000000, 1577836800000000, 1, '%s',"
    " NULL);"
    "INSERT INTO revisions VALUES ('%s', 1, 1577836800000000, '%s');"
    "PRAGMA user_version = 1;",
    cp_packet_get_uuid (packet), escaped, cp_packet_get_uuid (packet), escaped);
  sqlite3_free (escaped);
  raw_exec (db_path, insert);

  store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  loaded = cp_store_load_packet (store, cp_packet_get_uuid (packet), &error);
  g_assert_no_error (error);
  loaded_json = packet_json (loaded);
  g_assert_cmpstr (loaded_json, ==, body);

  /* What schema 2 added works on the migrated row. */
  g_assert_true (cp_store_get_sync_info (store, cp_packet_get_uuid (packet), &state, NULL, NULL,
                                         &error));
  g_assert_cmpint (state, ==, CP_STORE_SYNC_PENDING);
  g_assert_true (cp_store_set_value (store, cp_packet_get_uuid (packet), "cover", "note", value,
                                     &error));
  g_assert_no_error (error);
  list = cp_store_list_packets (store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((CpPacketSummary *) list->pdata[0])->enterprise_name, ==, "Old Schema Ltd");
  /* And what schema 3 added: the server has said nothing of a migrated packet. */
  g_assert_null (((CpPacketSummary *) list->pdata[0])->stage);
  g_assert_cmpint (((CpPacketSummary *) list->pdata[0])->party, ==, CP_ROLE_NONE);
  g_assert_true (cp_store_set_review_place (store, cp_packet_get_uuid (packet), "preparing",
                                            "enterprise", NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = cp_store_list_packets (store, &error);
  g_assert_cmpstr (((CpPacketSummary *) list->pdata[0])->stage, ==, "preparing");
  g_assert_cmpint (((CpPacketSummary *) list->pdata[0])->party, ==, CP_ROLE_ENTERPRISE);
  g_clear_pointer (&list, g_ptr_array_unref);
  g_assert_finalize_object (g_steal_pointer (&store));

  g_assert_cmpint (raw_query_int (db_path, "PRAGMA user_version"), ==, CP_STORE_SCHEMA_VERSION);
  g_assert_cmpint (raw_query_int (db_path, "SELECT COUNT (*) FROM edits"), ==, 1);

  /* Opening again runs no migration and keeps the data. */
  store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = cp_store_load_packet (store, cp_packet_get_uuid (packet), &error);
  g_assert_cmpstr (cp_packet_get_string (loaded, "cover", "note"), ==, "after migration");
  g_assert_finalize_object (g_steal_pointer (&store));

  rm_rf (dir);
}

static void
test_empty_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-store-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "packets.db", NULL);
  g_autoptr(CpStore) store = NULL;

  /* An empty file is an empty database (as SQLite sees it): it becomes a store. */
  g_assert_true (g_file_set_contents (db_path, "", 0, &error));
  store = cp_store_new (dir, &error);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&store));
  g_assert_cmpint (raw_query_int (db_path, "PRAGMA user_version"), ==, CP_STORE_SCHEMA_VERSION);
  rm_rf (dir);
}

static void
test_blobs (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) abc = g_bytes_new_static ("abc", 3);
  g_autofree char *sha = NULL;
  g_autofree char *sha_again = NULL;
  g_autofree char *sha_file = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected_path = NULL;
  g_autofree char *blob_dir = g_build_filename (fixture->dir, "blobs", NULL);
  GStatBuf st1, st2;
  gsize length = 0;

  g_assert_false (cp_store_has_blob (fixture->store, ABC_SHA256));

  g_assert_true (cp_store_add_blob_from_bytes (fixture->store, abc, &sha, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (sha, ==, ABC_SHA256);
  g_assert_true (cp_store_has_blob (fixture->store, sha));

  path = cp_store_get_blob_path (fixture->store, sha);
  expected_path = g_build_filename (fixture->dir, "blobs", ABC_SHA256, NULL);
  g_assert_cmpstr (path, ==, expected_path);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_cmpmem (contents, length, "abc", 3);
  g_assert_true (cp_store_verify_blob (fixture->store, sha, NULL, &error));
  g_assert_no_error (error);

  /* The same content again is not written twice: same inode, same mtime. */
  g_assert_cmpint (g_stat (path, &st1), ==, 0);
  g_assert_true (cp_store_add_blob_from_bytes (fixture->store, abc, &sha_again, &error));
  g_assert_cmpstr (sha_again, ==, ABC_SHA256);
  g_assert_cmpint (g_stat (path, &st2), ==, 0);
  g_assert_cmpint (st1.st_ino, ==, st2.st_ino);

  /* From a file. */
  {
    g_autofree char *source = g_build_filename (fixture->dir, "abc.txt", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (source);
    guint64 size = 0;

    g_assert_true (g_file_set_contents (source, "abc", 3, &error));
    g_assert_true (cp_store_add_blob_from_file (fixture->store, file, &sha_file, &size, NULL,
                                                &error));
    g_assert_no_error (error);
    g_assert_cmpstr (sha_file, ==, ABC_SHA256);
    g_assert_cmpuint (size, ==, 3);
    g_assert_cmpint (g_stat (path, &st2), ==, 0);
    g_assert_cmpint (st1.st_ino, ==, st2.st_ino);
  }

  /* A larger file that spans many read buffers. */
  {
    g_autofree char *source = g_build_filename (fixture->dir, "big.bin", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (source);
    g_autofree guint8 *big = g_malloc (1000003);
    g_autofree char *expected = NULL;
    g_autofree char *big_sha = NULL;
    guint64 size = 0;

    for (guint i = 0; i < 1000003; i++)
      big[i] = (guint8) (i * 7 + i / 251);
    expected = g_compute_checksum_for_data (G_CHECKSUM_SHA256, big, 1000003);
    g_assert_true (g_file_set_contents (source, (const char *) big, 1000003, &error));
    g_assert_true (cp_store_add_blob_from_file (fixture->store, file, &big_sha, &size, NULL,
                                                &error));
    g_assert_no_error (error);
    g_assert_cmpstr (big_sha, ==, expected);
    g_assert_cmpuint (size, ==, 1000003);
    g_assert_true (cp_store_verify_blob (fixture->store, big_sha, NULL, &error));
  }

  /* A missing source file. */
  {
    g_autofree char *source = g_build_filename (fixture->dir, "missing.pdf", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (source);
    char *none = NULL;

    g_assert_false (cp_store_add_blob_from_file (fixture->store, file, &none, NULL, NULL,
                                                 &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_null (none);
    g_clear_error (&error);
  }

  /* A cancelled copy leaves nothing behind. */
  {
    g_autofree char *source = g_build_filename (fixture->dir, "abc.txt", NULL);
    g_autoptr(GFile) file = g_file_new_for_path (source);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();

    g_cancellable_cancel (cancellable);
    g_assert_false (cp_store_add_blob_from_file (fixture->store, file, NULL, NULL, cancellable,
                                                 &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }

  /* No temporary files are left in blobs/. */
  {
    g_autoptr(GDir) dir = g_dir_open (blob_dir, 0, &error);
    const char *name;
    guint n = 0;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_assert_true (cp_sha256_is_valid (name));
        n++;
      }
    g_assert_cmpuint (n, ==, 2);
  }

  /* Damage is detected. */
  g_assert_true (g_file_set_contents (path, "abd", 3, &error));
  g_assert_false (cp_store_verify_blob (fixture->store, ABC_SHA256, NULL, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_BLOB_MISMATCH);
  g_clear_error (&error);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_false (cp_store_has_blob (fixture->store, ABC_SHA256));
  g_assert_false (cp_store_verify_blob (fixture->store, ABC_SHA256, NULL, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Adding it again restores it. */
  g_clear_pointer (&sha, g_free);
  g_assert_true (cp_store_add_blob_from_bytes (fixture->store, abc, &sha, &error));
  g_assert_true (cp_store_verify_blob (fixture->store, ABC_SHA256, NULL, &error));
  g_assert_no_error (error);

  /* Bad hashes. */
  g_assert_null (cp_store_get_blob_path (fixture->store, "../packets.db"));
  g_assert_null (cp_store_get_blob_path (fixture->store, "BA7816BF8F01CFEA414140DE5DAE2223"
                                                         "B00361A396177A9CB410FF61F20015AD"));
  g_assert_false (cp_store_has_blob (fixture->store, NULL));
  g_assert_false (cp_store_verify_blob (fixture->store, "abc", NULL, &error));
  g_assert_error (error, CP_STORE_ERROR, CP_STORE_ERROR_INVALID);
}

typedef struct
{
  CpStore    *store;
  const char *uuid;
  guint       thread;
} ThreadData;

static gpointer
edit_thread (gpointer data)
{
  ThreadData *td = data;

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *field = g_strdup_printf ("t%u_%u", td->thread, i);
      g_autoptr(JsonNode) value = json_node_init_int (json_node_alloc (), i);

      if (!cp_store_set_value (td->store, td->uuid, "threads", field, value, &error))
        g_error ("edit from thread %u failed: %s", td->thread, error->message);
    }

  return NULL;
}

static void
test_threads (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpPacket) packet = make_packet ("Threads Ltd", "91320500MA1XXXXX0X");
  g_autoptr(CpPacket) loaded = NULL;
  ThreadData td[4];
  GThread *threads[4];
  JsonObject *section;

  g_assert_true (cp_store_save_packet (fixture->store, packet, NULL, &error));

  for (guint t = 0; t < 4; t++)
    {
      td[t] = (ThreadData) { fixture->store, cp_packet_get_uuid (packet), t };
      threads[t] = g_thread_new ("edit", edit_thread, &td[t]);
    }
  for (guint t = 0; t < 4; t++)
    g_thread_join (threads[t]);

  /* Signals from the threads were queued to this main context; let them run. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (cp_store_count_pending_edits (fixture->store, cp_packet_get_uuid (packet)),
                    ==, 160);
  loaded = cp_store_load_packet (fixture->store, cp_packet_get_uuid (packet), &error);
  g_assert_no_error (error);
  section = cp_packet_get_section (loaded, "threads");
  g_assert_nonnull (section);
  g_assert_cmpuint (json_object_get_size (section), ==, 160);
  g_assert_cmpint (json_object_get_int_member (section, "t3_39"), ==, 39);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/store/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  g_test_add_func ("/store/default-directory", test_default_directory);
  ADD ("round-trip", test_round_trip);
  ADD ("load-errors", test_load_errors);
  ADD ("revisions", test_revisions);
  ADD ("edits", test_edits);
  ADD ("edit-errors", test_edit_errors);
  ADD ("delete", test_delete);
  ADD ("trash", test_trash);
  ADD ("list", test_list);
  ADD ("list-for-uscc", test_list_for_uscc);
  ADD ("signal", test_signal);
  ADD ("sync-info", test_sync_info);
  ADD ("save-if-unchanged", test_save_if_unchanged);
  ADD ("write-sync-batch", test_write_sync_batch);
  g_test_add_func ("/store/newer-schema", test_newer_schema);
  g_test_add_func ("/store/newer-schema-wal", test_newer_schema_wal);
  g_test_add_func ("/store/not-a-database", test_not_a_database);
  g_test_add_func ("/store/migration-from-v1", test_migration_from_v1);
  g_test_add_func ("/store/empty-file", test_empty_file);
  ADD ("blobs", test_blobs);
  ADD ("threads", test_threads);

#undef ADD

  return g_test_run ();
}
