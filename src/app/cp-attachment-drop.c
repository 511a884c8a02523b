/* cp-attachment-drop.c — files dropped onto a section, and the checks every attached file passes
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The section page tags each field's group with its id ("cp-field-id"); a drop goes to the field
 * under the pointer, else to the first field for files that can take it, through
 * cp_section_page_attach_file() like a file chosen in the file chooser. Every file attached —
 * chosen or dropped — is checked in the worker thread that copies it into the store: an empty
 * or unreadable file, a folder, or a type the field does not take gets a message under the
 * field instead of a silent refusal (or an empty attachment).
 */
#include "config.h"

#include "cp-attachment-drop.h"
#include "cp-attachment-drop-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-window.h"

G_DEFINE_QUARK (cp-attachment-error-quark, cp_attachment_error)

char *
cp_attachment_guess_mime (const char *name)
{
  g_autofree char *content_type = g_content_type_guess (name, NULL, 0, NULL);
  char *mime = g_content_type_get_mime_type (content_type);

  return mime != NULL ? mime : g_strdup ("application/octet-stream");
}

gboolean
cp_attachment_mime_accepted (const char * const *mime_types,
                             const char         *mime)
{
  if (mime_types == NULL)
    return TRUE;
  if (mime == NULL)
    return FALSE;
  for (guint i = 0; mime_types[i] != NULL; i++)
    {
      const char *accepted = mime_types[i];
      gsize len = strlen (accepted);

      if (len >= 2 && accepted[len - 1] == '*' && accepted[len - 2] == '/')
        {
          if (g_ascii_strncasecmp (mime, accepted, len - 1) == 0)
            return TRUE;
        }
      else if (g_ascii_strcasecmp (mime, accepted) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
cp_attachment_check_file (GFile               *file,
                          const char * const  *mime_types,
                          GCancellable        *cancellable,
                          GError             **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *mime = NULL;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  info = g_file_query_info (file,
                            G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME ","
                            G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                            G_FILE_ATTRIBUTE_ACCESS_CAN_READ,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      g_autofree char *basename = g_file_get_basename (file);

      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_set_error (error, CP_ATTACHMENT_ERROR, CP_ATTACHMENT_ERROR_UNREADABLE,
                   _("“%s” cannot be read (%s). Check that the file is still there."),
                   basename, local_error->message);
      return FALSE;
    }
  name = g_strdup (g_file_info_get_display_name (info));
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, CP_ATTACHMENT_ERROR, CP_ATTACHMENT_ERROR_NOT_FILE,
                   _("“%s” is not a file (a folder?). Attach the files in it one by one."), name);
      return FALSE;
    }
  if (g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ) &&
      !g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ))
    {
      g_set_error (error, CP_ATTACHMENT_ERROR, CP_ATTACHMENT_ERROR_UNREADABLE,
                   _("“%s” cannot be read: you have no permission to read it. Copy it somewhere "
                     "you can read, or ask whoever owns it."), name);
      return FALSE;
    }
  if (g_file_info_get_size (info) == 0)
    {
      g_set_error (error, CP_ATTACHMENT_ERROR, CP_ATTACHMENT_ERROR_EMPTY,
                   _("“%s” is empty (0 bytes): nothing would be sent. The scan or the download "
                     "may not have finished; attach the complete file."), name);
      return FALSE;
    }
  mime = cp_attachment_guess_mime (name);
  if (!cp_attachment_mime_accepted (mime_types, mime))
    {
      g_autofree char *accepted = g_strjoinv (", ", (char **) mime_types);

      g_set_error (error, CP_ATTACHMENT_ERROR, CP_ATTACHMENT_ERROR_TYPE,
                   _("“%s” (%s) is not of a type this field takes (%s)."), name, mime, accepted);
      return FALSE;
    }
  return TRUE;
}

/* Dropping. */

static const CpField *
find_field (CpSectionPage *page,
            const char    *id)
{
  const CpSection *section = cp_section_page_get_section (page);

  for (guint i = 0; id != NULL && section->fields != NULL && i < section->fields->len; i++)
    {
      const CpField *field = g_ptr_array_index (section->fields, i);

      if (g_str_equal (field->id, id))
        return field;
    }
  return NULL;
}

static gboolean
takes_files (const CpField *field)
{
  return field->type == CP_FIELD_ATTACHMENT || field->type == CP_FIELD_SIGNATURE;
}

/* How many more files @field can take (G_MAXUINT: any number). */
static guint
room_in (CpSectionPage *page,
         const CpField *field)
{
  CpPacket *packet = cp_section_page_get_packet (page);
  JsonNode *node = cp_packet_get_value (packet, cp_section_page_get_section (page)->id,
                                        field->id);
  guint n = 0;

  if (field->type == CP_FIELD_SIGNATURE)
    {
      JsonNode *scan = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                       ? json_object_get_member (json_node_get_object (node), "scan") : NULL;

      return scan != NULL && !JSON_NODE_HOLDS_NULL (scan) ? 0 : 1;
    }
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    n = json_array_get_length (json_node_get_array (node));
  else if (node != NULL && JSON_NODE_HOLDS_VALUE (node))
    n = 1;
  if (field->max_count == 0)
    return G_MAXUINT;
  return field->max_count > n ? field->max_count - n : 0;
}

static const char * const *
field_mime_types (const CpField *field)
{
  /* A signature's scan takes any file, as its chooser does. */
  return field->type == CP_FIELD_ATTACHMENT ? (const char * const *) field->mime_types : NULL;
}

static void
drop_toast (CpSectionPage *page,
            const char    *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (page));

  g_debug ("%s", message);
  if (CP_IS_WINDOW (root))
    cp_window_show_toast (CP_WINDOW (root), message);
}

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         CpSectionPage *page)
{
  const CpSection *section = cp_section_page_get_section (page);
  const CpField *under = NULL;
  GdkFileList *list;
  GSList *files;
  GtkWidget *picked;
  guint n_attached = 0;
  /* Files sent to each field by this drop: they are copied in a thread, so the packet does not
   * count them yet. */
  g_autoptr(GHashTable) sent = g_hash_table_new (NULL, NULL);

  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    return FALSE;
  list = g_value_get_boxed (value);
  files = list != NULL ? gdk_file_list_get_files (list) : NULL;
  if (files == NULL)
    return FALSE;

  /* The field under the pointer, when it takes files. */
  for (picked = gtk_widget_pick (GTK_WIDGET (page), x, y, GTK_PICK_DEFAULT);
       picked != NULL && picked != GTK_WIDGET (page) && under == NULL;
       picked = gtk_widget_get_parent (picked))
    {
      const CpField *field = find_field (page, g_object_get_data (G_OBJECT (picked),
                                                                  "cp-field-id"));

      if (field != NULL && takes_files (field))
        under = field;
    }

  for (GSList *l = files; l != NULL; l = l->next)
    {
      GFile *file = l->data;
      g_autofree char *name = g_file_get_basename (file);
      g_autofree char *mime = cp_attachment_guess_mime (name);
      const CpField *into = NULL;

#define HAS_ROOM(field) \
  (room_in (page, (field)) > GPOINTER_TO_UINT (g_hash_table_lookup (sent, (field))))
      if (under != NULL)
        into = HAS_ROOM (under) ? under : NULL;
      else
        for (guint i = 0; section->fields != NULL && i < section->fields->len && !into; i++)
          {
            const CpField *field = g_ptr_array_index (section->fields, i);

            if (takes_files (field) && HAS_ROOM (field) &&
                cp_attachment_mime_accepted (field_mime_types (field), mime))
              into = field;
          }
#undef HAS_ROOM

      if (into == NULL)
        {
          g_autofree char *message = NULL;

          if (under != NULL)
            message = g_strdup_printf (_("“%s” was not attached: “%s” holds all the files it "
                                         "can. Remove one first, or replace it."),
                                       name, cp_text_get (under->label));
          else
            message = g_strdup_printf (_("“%s” was not attached: no field of this page takes "
                                         "another file of its type. Drop it onto the field it "
                                         "belongs to."), name);
          drop_toast (page, message);
          continue;
        }
      /* Checked (empty, unreadable, its type) in the thread that copies it in; a refusal is
       * shown under the field. */
      cp_section_page_attach_file (page, into->id, file);
      g_hash_table_insert (sent, (gpointer) into,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (sent, into))
                                             + 1));
      n_attached++;
    }
  return n_attached > 0;
}

void
cp_attachment_drop_install (CpSectionPage *page)
{
  const CpSection *section;
  GtkDropTarget *target;
  gboolean any = FALSE;

  g_return_if_fail (CP_IS_SECTION_PAGE (page));

  section = cp_section_page_get_section (page);
  for (guint i = 0; section->fields != NULL && i < section->fields->len; i++)
    any |= takes_files (g_ptr_array_index (section->fields, i));
  if (!any)
    return;

  target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (target, "drop", G_CALLBACK (drop_cb), page);
  gtk_widget_add_controller (GTK_WIDGET (page), GTK_EVENT_CONTROLLER (target));
  g_object_set_data (G_OBJECT (page), "cp-drop-target", target);
}

GtkDropTarget *
cp_attachment_drop_get_target (CpSectionPage *page)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (page), NULL);
  return g_object_get_data (G_OBJECT (page), "cp-drop-target");
}
