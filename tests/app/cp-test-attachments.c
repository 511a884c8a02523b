/* cp-test-attachments.c — a packet whose attachments are real files in a store
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-test-attachments.h"

#include <glib/gstdio.h>
#include <string.h>

#include "cp-demo.h"
#include "export-files.h"

CpPacket *
cp_test_packet_with_files (CpStore            *store,
                           CpTemplateRegistry *registry,
                           const char         *kind,
                           guint               seed,
                           gboolean            problems)
{
  g_autoptr(CpPacket) demo = cp_validator_demo_packet (registry, kind, seed);
  g_autofree char *files = g_build_filename (cp_store_get_directory (store), "blobs", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (g_free);
  CpPacket *packet;
  GPtrArray *attachments;
  guint n_pdf = 0;

  g_assert_nonnull (demo);
  g_assert_cmpint (g_mkdir_with_parents (files, 0700), ==, 0);
  data = cp_packet_to_data (demo, FALSE, NULL);
  text = g_string_new (data);
  attachments = cp_packet_get_attachments (demo);
  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *a = g_ptr_array_index (attachments, i);
      g_autofree char *sha = NULL;
      g_autofree char *name = NULL;
      const char *mime = a->mime;
      guint64 size = 0;

      if (g_strcmp0 (a->mime, "application/pdf") == 0)
        {
          g_autofree char *marker = g_strdup_printf ("ATT%02uMARK", i);

          n_pdf++;
          if (problems && n_pdf == 2)
            {
              static const char broken[] = "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R";

              sha = cp_test_make_file (files, broken, sizeof broken - 1, &size);
              name = g_strdup_printf ("damaged-%02u.pdf", i);
            }
          else
            {
              sha = cp_test_make_pdf (files, marker, i % 3 + 1, i == 0 ? 20000 : 0, &size);
              name = g_strdup_printf ("file-%02u.pdf", i);
              if (problems && n_pdf == 3)
                {
                  g_autofree char *path = g_build_filename (files, sha, NULL);

                  g_unlink (path);
                  g_free (name);
                  name = g_strdup_printf ("missing-%02u.pdf", i);
                }
            }
        }
      else if (i % 4 == 3)
        {
          g_autofree char *label = g_strdup_printf ("盖章页 %u", i);

          sha = cp_test_make_png (files, label, 300, 420, &size);
          name = g_strdup_printf ("seal-%02u.png", i);
          mime = "image/png";
        }
      else
        {
          g_autofree char *label = g_strdup_printf ("scan %u 签字页", i);

          sha = cp_test_make_jpeg (files, label, 30, 80, &size);
          name = g_strdup_printf ("scan-%02u.jpg", i);
          mime = "image/jpeg";
        }
      g_string_replace (text, a->sha256, sha, 0);
      g_ptr_array_add (entries, g_strdup (sha));
      g_ptr_array_add (entries, g_steal_pointer (&name));
      g_ptr_array_add (entries, g_strdup (mime));
      g_ptr_array_add (entries, g_strdup_printf ("%" G_GUINT64_FORMAT, size));
    }
  packet = cp_packet_new_from_data (text->str, (gssize) text->len, "test", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i += 4)
    {
      const char *sha = g_ptr_array_index (entries, i);

      cp_packet_remove_attachment (packet, sha);
      cp_packet_add_attachment (packet, g_ptr_array_index (entries, i + 1), sha,
                                g_ascii_strtoull (g_ptr_array_index (entries, i + 3), NULL, 10),
                                g_ptr_array_index (entries, i + 2));
    }
  g_assert_true (cp_store_save_packet (store, packet, NULL, &error));
  g_assert_no_error (error);
  return packet;
}
