/* fuzz-request.c — what the server reads from a request: JSON bodies (login, return comments,
 * the list of missing attachments, a packet PUT) and the Content-Range and If-Match headers
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the reader, the rest is the input. Properties: nothing crashes or leaks;
 * a body the server accepts as a packet has a canonical form that reads back; a range it
 * accepts is within its total; a revision tag it accepts is positive.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cp-json-private.h"
#include "cp-packet.h"
#include "cp-server-private.h"
#include "fuzz-common.h"

static void
fuzz_body (const char *data,
           gsize       size)
{
  g_autoptr(JsonObject) object = NULL;
  g_autoptr(GError) error = NULL;

  object = cp_server_parse_json_object (data, size, 64 * 1024, &error);
  if (object == NULL)
    {
      if (error == NULL)
        fuzz_fail ("a refused body has no reason", NULL, NULL);
      return;
    }

  {
    g_autoptr(GError) login_error = NULL;
    const char *user = NULL;
    const char *password = NULL;

    if (cp_server_parse_login (object, &user, &password, &login_error))
      {
        if (user == NULL || password == NULL || *user == '\0' || strlen (user) > 200)
          fuzz_fail ("a login was accepted without a usable user name", NULL, NULL);
      }
  }
  {
    g_autoptr(GError) comments_error = NULL;
    g_autoptr(GPtrArray) comments = cp_server_parse_comments (object, &comments_error);

    if (comments != NULL && comments->len == 0)
      fuzz_fail ("a return was accepted without a comment", NULL, NULL);
    if (comments == NULL && comments_error == NULL)
      fuzz_fail ("refused comments have no reason", NULL, NULL);
  }
  {
    g_autoptr(GError) list_error = NULL;
    guint bad = G_MAXUINT;
    g_autoptr(GPtrArray) hashes = cp_server_parse_hash_list (object, 100, &bad, &list_error);

    for (guint i = 0; hashes != NULL && i < hashes->len; i++)
      if (!cp_sha256_is_valid (g_ptr_array_index (hashes, i)))
        fuzz_fail ("an accepted hash list holds something else", NULL, NULL);
  }
}

static void
fuzz_packet (const char *data,
             gsize       size)
{
  g_autoptr(CpPacket) packet = NULL;
  g_autoptr(CpPacket) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *stored = NULL;
  g_autofree char *reread = NULL;
  gsize length = 0;

  /* What handle_put does before it stores anything. */
  packet = cp_packet_new_from_data (data, (gssize) size, "request", &error);
  if (packet == NULL)
    return;
  stored = cp_packet_to_verified_data (packet, &length, &error);
  if (stored == NULL)
    return;
  again = cp_packet_new_from_data (stored, (gssize) length, "stored", &error);
  if (again == NULL)
    fuzz_fail ("a stored body does not read back", stored, error);
  reread = cp_packet_to_data (again, FALSE, NULL);
  if (strcmp (reread, stored) != 0)
    fuzz_fail ("a stored body reads back as another packet", reread, NULL);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *text = NULL;

  fuzz_init ();
  if (size == 0)
    return 0;
  text = fuzz_strndup (data + 1, size - 1);
  switch (data[0] % 4)
    {
    case 0:
      fuzz_body ((const char *) data + 1, size - 1);
      break;
    case 1:
      fuzz_packet ((const char *) data + 1, size - 1);
      break;
    case 2:
      {
        guint64 start = 0, end = 0, total = 0;

        if (cp_server_parse_content_range (text, &start, &end, &total) &&
            !(start <= end && end < total))
          fuzz_fail ("an accepted range is not within its total", text, NULL);
      }
      break;
    default:
      {
        gint64 revision = cp_server_parse_revision_tag (text);
        g_autofree char *escaped = cp_server_escape_for_log (text);

        /* A number from 1, -1 when it is not one, 0 only for no header at all. */
        if (revision < -1)
          fuzz_fail ("a revision tag below -1", text, NULL);
        for (const char *p = escaped; *p != '\0'; p++)
          if ((guchar) *p < 0x20 || *p == 0x7f || *p == ' ')
            fuzz_fail ("the log escape lets a control character or space through", escaped,
                       NULL);
        if (!g_utf8_validate (escaped, -1, NULL))
          fuzz_fail ("the log escape lets invalid UTF-8 through", escaped, NULL);
      }
      break;
    }
  return 0;
}
