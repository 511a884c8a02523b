/* bench-store.c — what a field edit costs compared with a bare SQLite commit
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-store [DIRECTORY]   (default: the current directory, which must be on the disk
 *                                  the application would use; /tmp on tmpfs measures nothing)
 *
 * In one run and one directory it measures, interleaved in blocks so that drift hits both:
 *   (a) a bare commit: one 200-byte UPDATE per transaction, WAL, synchronous=FULL;
 *   (b) one acknowledged cp_store_set_value() on a store that holds a realistic packet;
 * then the list of 10,000 packets and loading a packet. It prints figures; it never fails on a
 * number.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cp-store.h"

#define N_BLOCKS 10
#define BLOCK 200
#define WARM_UP 50

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

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static gint64
percentile (GArray *samples,
            double  p)
{
  guint index;

  g_array_sort (samples, compare_gint64);
  index = (guint) (p * (samples->len - 1) + 0.5);
  return g_array_index (samples, gint64, index);
}

static void
check_sqlite (sqlite3    *db,
              int         rc,
              const char *what)
{
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      fprintf (stderr, "bench-store: %s: %s\n", what, sqlite3_errmsg (db));
      exit (1);
    }
}

static void
check_error (GError     *error,
             const char *what)
{
  if (error != NULL)
    {
      fprintf (stderr, "bench-store: %s: %s\n", what, error->message);
      exit (1);
    }
}

/* A packet the size of a real city-demonstration application: cover, contract, survey,
 * finance, plan sections, attachments and a scored sheet. */
static CpPacket *
make_packet (guint i)
{
  CpPacket *packet = cp_packet_new ("city-demonstration", "2020.1");
  g_autofree char *name = g_strdup_printf ("苏州示例%04u科技有限公司", i);

  cp_packet_set_year (packet, 2020);
  cp_packet_set_string (packet, "cover", "enterprise_name", name);
  cp_packet_set_string (packet, "cover", "uscc", "91320500MA1XXXXX0X");
  cp_packet_set_string (packet, "cover", "address", "江苏省苏州市工业园区星湖街 328 号");
  cp_packet_set_string (packet, "cover", "contact", "王芳");
  cp_packet_set_string (packet, "cover", "phone", "0512-66668888");
  cp_packet_set_string (packet, "cover", "email", "credit@example.com");
  for (guint f = 0; f < 40; f++)
    {
      g_autofree char *field = g_strdup_printf ("item_%02u", f);
      g_autofree char *text = g_strdup_printf ("企业信用管理制度第 %u 条已落实，台账齐全，"
                                               "责任人明确。", f);
      const char *section = f < 10 ? "contract" : f < 20 ? "survey" : f < 30 ? "finance" : "plan";

      if (f % 3 == 0)
        cp_packet_set_number (packet, section, field, 1000.5 * f);
      else
        cp_packet_set_string (packet, section, field, text);
    }
  for (guint a = 0; a < 8; a++)
    {
      g_autofree char *data = g_strdup_printf ("attachment %u of packet %u", a, i);
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, data, -1);
      g_autofree char *file = g_strdup_printf ("scan-%u.pdf", a);

      cp_packet_add_attachment (packet, file, sha, 250000 + a, "application/pdf");
    }
  cp_packet_set_sheet (packet, "jiangsu-2019", "2019.12");
  for (guint s = 0; s < 60; s++)
    {
      g_autofree char *item = g_strdup_printf ("%u.%u.%u", 1 + s / 20, 1 + (s / 5) % 4, 1 + s % 5);

      cp_packet_set_score (packet, item, CP_SCORE_SELF, s % 10);
      cp_packet_set_score (packet, item, CP_SCORE_ACCEPTANCE, (s % 10) * 0.5);
    }

  return packet;
}

typedef struct
{
  sqlite3      *db;
  sqlite3_stmt *update;
  guint         n;
} Bare;

static gint64
bare_commit (Bare *bare)
{
  char payload[200];
  gint64 start, end;

  memset (payload, 'a' + bare->n % 26, sizeof payload);
  g_snprintf (payload, 16, "%u", bare->n);
  bare->n++;

  start = g_get_monotonic_time ();
  sqlite3_bind_blob (bare->update, 1, payload, sizeof payload, SQLITE_STATIC);
  check_sqlite (bare->db, sqlite3_step (bare->update), "update");
  sqlite3_reset (bare->update);
  end = g_get_monotonic_time ();

  return end - start;
}

typedef struct
{
  CpStore    *store;
  const char *uuid;
  guint       n;
} Edit;

static gint64
store_edit (Edit *edit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *field = g_strdup_printf ("item_%02u", 10 + edit->n % 10);
  g_autofree char *text = g_strdup_printf ("现场调查记录第 %u 稿：访谈五人，抽查台账三册。",
                                           edit->n);
  g_autoptr(JsonNode) value = json_node_init_string (json_node_alloc (), text);
  gint64 start, end;

  edit->n++;

  start = g_get_monotonic_time ();
  cp_store_set_value (edit->store, edit->uuid, "survey", field, value, &error);
  end = g_get_monotonic_time ();
  check_error (error, "edit");

  return end - start;
}

static void
fill_packets (const char *db_path,
              const char *body,
              guint       count)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  check_sqlite (db, sqlite3_open (db_path, &db), "open");
  sqlite3_busy_timeout (db, 10000);
  check_sqlite (db, sqlite3_prepare_v2 (db,
    "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2)"
    " INSERT INTO packets (uuid, kind, year, state, enterprise_name, uscc, created, modified,"
    " revision, body)"
    " SELECT printf ('%08x-0000-4000-8000-%012x', i, i), 'city-demonstration', 2020, 'draft',"
    " printf ('企业 %05d', i), '91320500MA1XXXXX0X', 1577836800000000,"
    " 1577836800000000 + i * 60000000, 1, ?1 FROM n",
    -1, &stmt, NULL), "prepare fill");
  sqlite3_bind_text (stmt, 1, body, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, (int) count);
  check_sqlite (db, sqlite3_step (stmt), "fill");
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *parent = argc > 1 ? g_strdup (argv[1]) : g_get_current_dir ();
  g_autofree char *dir = g_build_filename (parent, "bench-store-XXXXXX", NULL);
  g_autofree char *bare_path = NULL;
  g_autofree char *store_dir = NULL;
  g_autofree char *store_db = NULL;
  g_autofree char *body = NULL;
  g_autoptr(CpStore) store = NULL;
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(GArray) bare_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) edit_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) list_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) load_samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  Bare bare = { NULL, NULL, 0 };
  Edit edit = { NULL, NULL, 0 };
  gint64 bare_p50, bare_p99, edit_p50, edit_p99;
  char payload[200];
  gsize body_length = 0;
  guint list_length = 0;

  if (g_mkdtemp (dir) == NULL)
    {
      fprintf (stderr, "bench-store: cannot create a directory in %s\n", parent);
      return 1;
    }
  bare_path = g_build_filename (dir, "bare.db", NULL);
  store_dir = g_build_filename (dir, "store", NULL);
  store_db = g_build_filename (store_dir, "packets.db", NULL);

  /* (a) the floor */
  check_sqlite (bare.db, sqlite3_open (bare_path, &bare.db), "open");
  check_sqlite (bare.db, sqlite3_exec (bare.db, "PRAGMA journal_mode = WAL;"
                                       "PRAGMA synchronous = FULL;"
                                       "PRAGMA foreign_keys = ON;"
                                       "CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB);",
                                       NULL, NULL, NULL), "create");
  memset (payload, 'x', sizeof payload);
  check_sqlite (bare.db, sqlite3_prepare_v2 (bare.db, "INSERT INTO t VALUES (1, ?1)", -1,
                                             &bare.update, NULL), "prepare");
  sqlite3_bind_blob (bare.update, 1, payload, sizeof payload, SQLITE_STATIC);
  check_sqlite (bare.db, sqlite3_step (bare.update), "insert");
  sqlite3_finalize (bare.update);
  check_sqlite (bare.db, sqlite3_prepare_v3 (bare.db, "UPDATE t SET data = ?1 WHERE id = 1", -1,
                                             SQLITE_PREPARE_PERSISTENT, &bare.update, NULL),
                "prepare");

  /* (b) the store, with a realistic packet and a few hundred others */
  store = cp_store_new (store_dir, &error);
  check_error (error, "open store");
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(CpPacket) other = make_packet (i);

      cp_store_save_packet (store, other, NULL, &error);
      check_error (error, "save");
    }
  packet = make_packet (9999);
  cp_store_save_packet (store, packet, NULL, &error);
  check_error (error, "save");
  body = cp_packet_to_data (packet, FALSE, &body_length);
  edit.store = store;
  edit.uuid = cp_packet_get_uuid (packet);

  for (guint i = 0; i < WARM_UP; i++)
    {
      bare_commit (&bare);
      store_edit (&edit);
    }

  for (guint block = 0; block < N_BLOCKS; block++)
    {
      for (guint i = 0; i < BLOCK; i++)
        {
          gint64 t = bare_commit (&bare);

          g_array_append_val (bare_samples, t);
        }
      for (guint i = 0; i < BLOCK; i++)
        {
          gint64 t = store_edit (&edit);

          g_array_append_val (edit_samples, t);
        }
    }

  bare_p50 = percentile (bare_samples, 0.50);
  bare_p99 = percentile (bare_samples, 0.99);
  edit_p50 = percentile (edit_samples, 0.50);
  edit_p99 = percentile (edit_samples, 0.99);

  printf ("directory: %s\n", dir);
  printf ("packet body: %" G_GSIZE_FORMAT " bytes\n", body_length);
  printf ("bare commit (WAL, synchronous=FULL, one 200-byte UPDATE): n=%u p50=%" G_GINT64_FORMAT
          " us p99=%" G_GINT64_FORMAT " us\n", bare_samples->len, bare_p50, bare_p99);
  printf ("store edit (cp_store_set_value, acknowledged): n=%u p50=%" G_GINT64_FORMAT
          " us p99=%" G_GINT64_FORMAT " us\n", edit_samples->len, edit_p50, edit_p99);
  printf ("ratio edit/bare: p50 %.2f, p99 %.2f (target: p99 at most 2.00)\n",
          (double) edit_p50 / (double) MAX (bare_p50, 1),
          (double) edit_p99 / (double) MAX (bare_p99, 1));

  /* Loading the packet with the 2,050 edits above pending, then after a save compacts them. */
  for (guint i = 0; i < 20; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(CpPacket) loaded = cp_store_load_packet (store, edit.uuid, &error);
      gint64 t = g_get_monotonic_time () - start;

      check_error (error, "load");
      g_array_append_val (load_samples, t);
      if (i == 9)
        {
          printf ("load with %u pending edits: p50=%" G_GINT64_FORMAT " us\n",
                  cp_store_count_pending_edits (store, edit.uuid),
                  percentile (load_samples, 0.5));
          cp_store_save_packet (store, loaded, NULL, &error);
          check_error (error, "save");
          g_array_set_size (load_samples, 0);
        }
    }
  printf ("load after compaction: p50=%" G_GINT64_FORMAT " us\n",
          percentile (load_samples, 0.5));

  /* The packet list with 10,000 packets. */
  fill_packets (store_db, body, 10000);
  for (guint i = 0; i < 20; i++)
    {
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) list = cp_store_list_packets (store, &error);
      gint64 t = g_get_monotonic_time () - start;

      check_error (error, "list");
      list_length = list->len;
      g_array_append_val (list_samples, t);
    }
  printf ("list of %u packets: p50=%.1f ms p99=%.1f ms\n", list_length,
          percentile (list_samples, 0.5) / 1000.0, percentile (list_samples, 0.99) / 1000.0);

  sqlite3_finalize (bare.update);
  sqlite3_close (bare.db);
  g_clear_object (&store);

  rm_rf (dir);

  return 0;
}
