/* test-store-crash.c — kill a writer with SIGKILL at random moments; no acknowledged edit may
 * be lost and the database must stay intact
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "cp-store.h"

#define PACKET_UUID "5a0c2d3e-1b4f-4c6a-9e8d-7f6a5b4c3d2e"
#define N_FIELDS 50
#define N_ROUNDS 300

typedef struct
{
  gint64 last_ack[N_FIELDS];  /* -1: never written */
  gint64 max_ack;             /* -1: nothing yet */
  guint  acks;
  guint  in_flight_kept;
  guint  early_kills;
} State;

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
check_integrity (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "packets.db", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
                   SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "ok");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* Every acknowledged edit must be there; the one edit in flight may be there too. */
static void
check_store (const char *dir,
             State      *state)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CpStore) store = cp_store_new (dir, &error);
  g_autoptr(CpPacket) packet = NULL;
  gint64 in_flight = state->max_ack + 1;

  g_assert_no_error (error);

  if (!cp_store_has_packet (store, PACKET_UUID))
    {
      /* Killed before the packet was created: then nothing was acknowledged either. */
      g_assert_cmpint (state->max_ack, ==, -1);
      return;
    }

  packet = cp_store_load_packet (store, PACKET_UUID, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_FIELDS; i++)
    {
      g_autofree char *field = g_strdup_printf ("f%u", i);
      const char *value = cp_packet_get_string (packet, "crash", field);
      guint64 n = 0;

      if (value == NULL)
        {
          if (state->last_ack[i] != -1)
            g_error ("field %s lost its acknowledged value-%" G_GINT64_FORMAT, field,
                     state->last_ack[i]);
          continue;
        }

      g_assert_true (g_str_has_prefix (value, "value-"));
      g_assert_true (g_ascii_string_to_unsigned (value + 6, 10, 0, G_MAXINT64, &n, NULL));
      g_assert_cmpuint (n % N_FIELDS, ==, i);

      if ((gint64) n == state->last_ack[i])
        continue;

      if ((gint64) n == in_flight)
        {
          /* The edit in flight reached the disk before the kill: from now on it must stay. */
          state->last_ack[i] = (gint64) n;
          state->max_ack = (gint64) n;
          state->in_flight_kept++;
          continue;
        }

      g_error ("field %s holds value-%" G_GUINT64_FORMAT " but the last acknowledged edit was "
               "value-%" G_GINT64_FORMAT " (last acknowledged overall: %" G_GINT64_FORMAT ")",
               field, n, state->last_ack[i], state->max_ack);
    }
}

static void
run_round (const char *writer,
           const char *dir,
           State      *state,
           guint       round)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  gboolean early = g_test_rand_int_range (0, 5) == 0;
  gint64 expected_next = state->max_ack + 1;
  char *line;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, writer, dir, NULL);
  g_assert_no_error (error);
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));

  if (early)
    {
      /* Anywhere in start-up: exec, opening, migrating, creating the packet, first edits. */
      g_usleep ((gulong) g_test_rand_int_range (0, 15000));
      state->early_kills++;
    }
  else
    {
      g_autofree char *ready = g_strdup_printf ("READY %" G_GINT64_FORMAT, expected_next);

      line = g_data_input_stream_read_line (output, NULL, NULL, &error);
      g_assert_no_error (error);
      if (line == NULL)
        g_error ("round %u: the writer exited before it was ready", round);
      g_assert_cmpstr (line, ==, ready);
      g_free (line);
      g_usleep ((gulong) g_test_rand_int_range (0, 30000));
    }

  g_subprocess_send_signal (process, SIGKILL);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_if_signaled (process))
    g_error ("round %u: the writer exited with status %d before it was killed", round,
             g_subprocess_get_exit_status (process));

  while ((line = g_data_input_stream_read_line (output, NULL, NULL, &error)) != NULL)
    {
      guint64 n = 0;

      if (g_str_has_prefix (line, "READY "))
        {
          g_assert_true (g_ascii_string_to_unsigned (line + 6, 10, 0, G_MAXINT64, &n, NULL));
          g_assert_cmpint ((gint64) n, ==, expected_next);
        }
      else
        {
          g_assert_true (g_str_has_prefix (line, "ACK "));
          g_assert_true (g_ascii_string_to_unsigned (line + 4, 10, 0, G_MAXINT64, &n, NULL));
          /* Acknowledged in order, continuing from what was stored. */
          g_assert_cmpint ((gint64) n, ==, state->max_ack + 1);
          state->max_ack = (gint64) n;
          state->last_ack[n % N_FIELDS] = (gint64) n;
          state->acks++;
        }
      g_free (line);
    }
  g_assert_no_error (error);

  check_integrity (dir);
  check_store (dir, state);
}

static void
test_kill_writer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *writer = g_test_build_filename (G_TEST_BUILT, "store-writer", NULL);
  g_autofree char *dir = g_dir_make_tmp ("test-store-crash-XXXXXX", &error);
  gint64 start = g_get_monotonic_time ();
  State state;

  g_assert_no_error (error);
  g_assert_true (g_file_test (writer, G_FILE_TEST_IS_EXECUTABLE));

  state.max_ack = -1;
  state.acks = state.in_flight_kept = state.early_kills = 0;
  for (guint i = 0; i < N_FIELDS; i++)
    state.last_ack[i] = -1;

  for (guint round = 0; round < N_ROUNDS; round++)
    run_round (writer, dir, &state, round);

  g_test_message ("%u kills (%u during start-up), %u acknowledged edits, "
                  "%u unacknowledged edits found stored, %.1f s",
                  N_ROUNDS, state.early_kills, state.acks, state.in_flight_kept,
                  (g_get_monotonic_time () - start) / 1e6);
  /* The test must have exercised edits, not only start-ups. */
  g_assert_cmpuint (state.acks, >, N_ROUNDS);

  rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/store/crash/kill-writer", test_kill_writer);

  return g_test_run ();
}
