/* cp-new-packet-dialog.c — asks for the kind, the enterprise and its credit code
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-new-packet-dialog.h"
#include "cp-new-packet-dialog-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-uscc.h"

struct _CpNewPacketDialog
{
  AdwWindow           parent_instance;

  AdwComboRow        *kind_row;
  AdwEntryRow        *name_row;
  AdwEntryRow        *uscc_row;
  GtkLabel           *uscc_status;
  GtkButton          *create_button;

  CpTemplateRegistry *registry;
  CpStore            *store;
  GPtrArray          *kinds;
  gboolean            uscc_ok;
};

enum {
  CREATE,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpNewPacketDialog, cp_new_packet_dialog, ADW_TYPE_WINDOW)

/* A warning when the enterprise of @uscc (valid, normalized) already has a packet of the kind
 * chosen for the campaign year a new one gets, or NULL. */
static char *
describe_existing (CpNewPacketDialog *self,
                   const char        *uscc)
{
  const char *kind = cp_new_packet_dialog_get_kind (self);
  g_autoptr(GPtrArray) packets = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  /* A new packet's campaign year is the year it is made in (cp_window_create_packet()). */
  int year = g_date_time_get_year (now);

  if (self->store == NULL || kind == NULL)
    return NULL;
  packets = cp_store_list_packets_for_uscc (self->store, uscc, NULL);
  for (guint i = 0; packets != NULL && i < packets->len; i++)
    {
      const CpPacketSummary *summary = g_ptr_array_index (packets, i);

      if (g_strcmp0 (summary->kind, kind) == 0 && summary->year == year)
        return g_strdup_printf (_("This enterprise already has a packet of this kind for %d "
                                  "(%s, %s): open that one rather than start another."),
                                year,
                                summary->enterprise_name != NULL && *summary->enterprise_name
                                ? summary->enterprise_name : _("Unnamed enterprise"),
                                cp_app_state_title (summary->state));
    }
  return NULL;
}

static void
update_cb (CpNewPacketDialog *self)
{
  const char *uscc = gtk_editable_get_text (GTK_EDITABLE (self->uscc_row));
  g_autofree char *normalized = cp_uscc_normalize (uscc);
  g_autofree char *status = NULL;
  g_autofree char *existing = NULL;

  self->uscc_ok = FALSE;
  if (normalized == NULL || *normalized == '\0')
    {
      self->uscc_ok = TRUE;
      status = g_strdup (_("The credit code can also be entered later, on the cover page."));
    }
  else
    {
      status = cp_app_describe_uscc (normalized, &self->uscc_ok);
      /* A warning, not a refusal: a second packet may be meant (one returned and redone). */
      if (self->uscc_ok && cp_uscc_validate (normalized, NULL, NULL))
        existing = describe_existing (self, normalized);
    }
  if (existing != NULL)
    {
      g_autofree char *both = g_strdup_printf ("%s\n%s", status, existing);

      g_free (status);
      status = g_steal_pointer (&both);
    }

  gtk_label_set_text (self->uscc_status, status);
  if (existing != NULL)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_status), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_status), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->uscc_status), "warning");
    }
  else if (self->uscc_ok)
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_row), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_status), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_status), "warning");
      gtk_widget_add_css_class (GTK_WIDGET (self->uscc_status), "dim-label");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->uscc_row), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->uscc_status), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_status), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->uscc_status), "dim-label");
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->uscc_row),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, status,
                                  -1);

  gtk_widget_set_sensitive (GTK_WIDGET (self->create_button),
                            cp_new_packet_dialog_can_create (self));
}

static void
cancel_clicked_cb (CpNewPacketDialog *self)
{
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
create_clicked_cb (CpNewPacketDialog *self)
{
  if (cp_new_packet_dialog_can_create (self))
    g_signal_emit (self, signals [CREATE], 0);
}

static void
entry_activated_cb (CpNewPacketDialog *self)
{
  create_clicked_cb (self);
}

static void
cp_new_packet_dialog_dispose (GObject *object)
{
  CpNewPacketDialog *self = CP_NEW_PACKET_DIALOG (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_NEW_PACKET_DIALOG);
  g_clear_object (&self->registry);
  g_clear_object (&self->store);
  g_clear_pointer (&self->kinds, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_new_packet_dialog_parent_class)->dispose (object);
}

static void
cp_new_packet_dialog_class_init (CpNewPacketDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_new_packet_dialog_dispose;

  signals [CREATE] = g_signal_new ("create", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/creditpacket/CreditPacket/cp-new-packet-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CpNewPacketDialog, kind_row);
  gtk_widget_class_bind_template_child (widget_class, CpNewPacketDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, CpNewPacketDialog, uscc_row);
  gtk_widget_class_bind_template_child (widget_class, CpNewPacketDialog, uscc_status);
  gtk_widget_class_bind_template_child (widget_class, CpNewPacketDialog, create_button);
  gtk_widget_class_bind_template_callback (widget_class, update_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, create_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_new_packet_dialog_init (CpNewPacketDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

CpNewPacketDialog *
cp_new_packet_dialog_new (GtkWindow          *parent,
                          CpTemplateRegistry *registry,
                          CpStore            *store)
{
  CpNewPacketDialog *self;
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  g_return_val_if_fail (registry != NULL, NULL);

  self = g_object_new (CP_TYPE_NEW_PACKET_DIALOG, "transient-for", parent, NULL);
  self->registry = g_object_ref (registry);
  g_set_object (&self->store, store);
  self->kinds = cp_app_list_kinds (registry);
  for (guint i = 0; i < self->kinds->len; i++)
    gtk_string_list_append (titles, cp_app_kind_title (registry,
                                                       g_ptr_array_index (self->kinds, i)));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (titles));
  update_cb (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
  return self;
}

const char *
cp_new_packet_dialog_get_kind (CpNewPacketDialog *self)
{
  guint pos;

  g_return_val_if_fail (CP_IS_NEW_PACKET_DIALOG (self), NULL);

  pos = adw_combo_row_get_selected (self->kind_row);
  if (self->kinds == NULL || pos == GTK_INVALID_LIST_POSITION || pos >= self->kinds->len)
    return NULL;
  return g_ptr_array_index (self->kinds, pos);
}

void
cp_new_packet_dialog_set_kind (CpNewPacketDialog *self,
                               const char        *kind)
{
  g_return_if_fail (CP_IS_NEW_PACKET_DIALOG (self));

  for (guint i = 0; self->kinds != NULL && i < self->kinds->len; i++)
    if (g_strcmp0 (kind, g_ptr_array_index (self->kinds, i)) == 0)
      adw_combo_row_set_selected (self->kind_row, i);
}

void
cp_new_packet_dialog_set_enterprise (CpNewPacketDialog *self,
                                     const char        *name,
                                     const char        *uscc)
{
  g_return_if_fail (CP_IS_NEW_PACKET_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
  gtk_editable_set_text (GTK_EDITABLE (self->uscc_row), uscc != NULL ? uscc : "");
}

const char *
cp_new_packet_dialog_get_enterprise_name (CpNewPacketDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_PACKET_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->name_row));
}

const char *
cp_new_packet_dialog_get_uscc (CpNewPacketDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_PACKET_DIALOG (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->uscc_row));
}

const char *
cp_new_packet_dialog_get_uscc_status (CpNewPacketDialog *self)
{
  g_return_val_if_fail (CP_IS_NEW_PACKET_DIALOG (self), NULL);

  return gtk_label_get_text (self->uscc_status);
}

gboolean
cp_new_packet_dialog_can_create (CpNewPacketDialog *self)
{
  g_autofree char *name = NULL;

  g_return_val_if_fail (CP_IS_NEW_PACKET_DIALOG (self), FALSE);

  name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  return self->uscc_ok && *name != '\0' && cp_new_packet_dialog_get_kind (self) != NULL;
}
