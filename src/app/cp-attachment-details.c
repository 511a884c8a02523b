/* cp-attachment-details.c — what an attachment is: name, type, size, SHA-256
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The SHA-256 is what the store and the server name the file by and what the binder prints;
 * a reviewer compares it now and then, so it sits here rather than in every row.
 */
#include "config.h"

#include "cp-attachment-details.h"
#include "cp-attachment-details-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-app-util.h"

struct _CpAttachmentDetails
{
  GtkPopover  parent_instance;

  char       *sha256;
  GtkWidget  *copy_button;
};

G_DEFINE_FINAL_TYPE (CpAttachmentDetails, cp_attachment_details, GTK_TYPE_POPOVER)

static char *
type_description (const char *mime)
{
  g_autofree char *content_type = NULL;

  if (mime == NULL || *mime == '\0')
    return g_strdup (_("Unknown type"));
  content_type = g_content_type_from_mime_type (mime);
  return content_type != NULL ? g_content_type_get_description (content_type) : g_strdup (mime);
}

char *
cp_attachment_details_describe (const CpAttachment *attachment)
{
  g_autofree char *type = NULL;
  g_autofree char *size = NULL;

  g_return_val_if_fail (attachment != NULL, NULL);

  type = type_description (attachment->mime);
  size = cp_app_format_size (attachment->size);
  /* Translators: an attachment's type ("PDF document"), then its size ("1.2 MB") */
  return g_strdup_printf (_("%s · %s"), type, size);
}

static void
copy_clicked_cb (CpAttachmentDetails *self)
{
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self));

  gdk_clipboard_set_text (clipboard, self->sha256);
  gtk_button_set_label (GTK_BUTTON (self->copy_button), _("Copied"));
}

/* Opened on the copy button, not with the fingerprint selected. */
static void
map_cb (CpAttachmentDetails *self)
{
  gtk_widget_grab_focus (self->copy_button);
}

static void
closed_cb (CpAttachmentDetails *self)
{
  gtk_button_set_label (GTK_BUTTON (self->copy_button), _("_Copy SHA-256"));
}

static GtkWidget *
value_label (const char *text,
             gboolean    monospace)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  /* The fingerprint can be selected (to compare a part of it). */
  gtk_label_set_selectable (GTK_LABEL (label), monospace);
  gtk_label_set_wrap (GTK_LABEL (label), !monospace);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 32);
  if (monospace)
    gtk_widget_add_css_class (label, "monospace");
  return label;
}

static void
add_row (GtkGrid    *grid,
         int         line,
         const char *heading,
         GtkWidget  *value)
{
  GtkWidget *label = gtk_label_new (heading);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_grid_attach (grid, label, 0, line, 1, 1);
  gtk_grid_attach (grid, value, 1, line, 1, 1);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (value), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
}

static void
cp_attachment_details_finalize (GObject *object)
{
  CpAttachmentDetails *self = CP_ATTACHMENT_DETAILS (object);

  g_free (self->sha256);

  G_OBJECT_CLASS (cp_attachment_details_parent_class)->finalize (object);
}

static void
cp_attachment_details_class_init (CpAttachmentDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_attachment_details_finalize;
}

static void
cp_attachment_details_init (CpAttachmentDetails *self)
{
  g_signal_connect (self, "closed", G_CALLBACK (closed_cb), NULL);
  g_signal_connect (self, "map", G_CALLBACK (map_cb), NULL);
}

GtkWidget *
cp_attachment_details_new (const CpAttachment *attachment)
{
  CpAttachmentDetails *self;
  GtkWidget *box, *grid, *title;
  g_autofree char *type = NULL;
  g_autofree char *size = NULL;
  g_autofree char *bytes = NULL;
  g_autofree char *count = NULL;

  g_return_val_if_fail (attachment != NULL && attachment->sha256 != NULL, NULL);

  self = g_object_new (CP_TYPE_ATTACHMENT_DETAILS, NULL);
  self->sha256 = g_strdup (attachment->sha256);

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  title = gtk_label_new (attachment->name != NULL ? attachment->name : attachment->sha256);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (title), 36);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_box_append (GTK_BOX (box), title);

  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  type = type_description (attachment->mime);
  size = cp_app_format_size (attachment->size);
  count = g_strdup_printf ("%" G_GUINT64_FORMAT, attachment->size);
  /* Translators: a size ("1.2 MB"), then the exact number of bytes */
  bytes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%s byte)", "%s (%s bytes)",
                                        (gulong) MIN (attachment->size, G_MAXULONG)),
                           size, count);
  add_row (GTK_GRID (grid), 0, C_("attachment details", "Type"), value_label (type, FALSE));
  add_row (GTK_GRID (grid), 1, C_("attachment details", "Size"), value_label (bytes, FALSE));
  /* In two lines of 32 hexadecimal digits; the button copies it whole. */
  if (strlen (attachment->sha256) == 64)
    {
      g_autofree char *lines = g_strdup_printf ("%.32s\n%s", attachment->sha256,
                                                attachment->sha256 + 32);

      add_row (GTK_GRID (grid), 2, C_("attachment details", "SHA-256"),
               value_label (lines, TRUE));
    }
  else
    add_row (GTK_GRID (grid), 2, C_("attachment details", "SHA-256"),
             value_label (attachment->sha256, TRUE));
  gtk_box_append (GTK_BOX (box), grid);

  self->copy_button = gtk_button_new_with_mnemonic (_("_Copy SHA-256"));
  gtk_widget_set_halign (self->copy_button, GTK_ALIGN_END);
  g_signal_connect_swapped (self->copy_button, "clicked", G_CALLBACK (copy_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), self->copy_button);

  gtk_popover_set_child (GTK_POPOVER (self), box);
  return GTK_WIDGET (self);
}

GtkWidget *
cp_attachment_details_new_button (const CpAttachment *attachment)
{
  GtkWidget *button = gtk_menu_button_new ();
  g_autofree char *label = NULL;

  g_return_val_if_fail (attachment != NULL, NULL);

  label = g_strdup_printf (_("Details of %s"),
                           attachment->name != NULL ? attachment->name : attachment->sha256);
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "help-about-symbolic");
  gtk_menu_button_set_popover (GTK_MENU_BUTTON (button), cp_attachment_details_new (attachment));
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  return button;
}

const char *
cp_attachment_details_get_sha256 (CpAttachmentDetails *self)
{
  g_return_val_if_fail (CP_IS_ATTACHMENT_DETAILS (self), NULL);
  return self->sha256;
}
