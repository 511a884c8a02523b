/* cp-field-chooser.c — picks one of many labelled choices, found by any part of its label
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-field-chooser.h"

#include <glib/gi18n.h>

struct _CpFieldChooser
{
  AdwBin               parent_instance;

  /* template children */
  GtkMenuButton       *button;
  GtkLabel            *button_label;
  GtkPopover          *popover;
  GtkSearchEntry      *search_entry;
  GtkStack            *results_stack;
  GtkListView         *list_view;

  GtkStringList       *choices;
  GtkStringFilter     *filter;
  GtkFilterListModel  *filtered;
  GtkSingleSelection  *selection;
  guint                selected;
};

enum {
  PROP_0,
  PROP_SELECTED,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpFieldChooser, cp_field_chooser, ADW_TYPE_BIN)

/* The position in the choices of the filtered item at @position. */
static guint
choice_of_filtered (CpFieldChooser *self,
                    guint           position)
{
  g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->choices));

  for (guint i = 0; item != NULL && i < n; i++)
    {
      g_autoptr(GObject) choice = g_list_model_get_item (G_LIST_MODEL (self->choices), i);

      if (choice == item)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static void
choose_filtered (CpFieldChooser *self,
                 guint           position)
{
  guint choice = choice_of_filtered (self, position);

  if (choice == GTK_INVALID_LIST_POSITION)
    return;
  cp_field_chooser_set_selected (self, choice);
  gtk_popover_popdown (self->popover);
  gtk_widget_grab_focus (GTK_WIDGET (self->button));
}

static void
update_results (CpFieldChooser *self)
{
  gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0;

  gtk_stack_set_visible_child_name (self->results_stack, any ? "list" : "none");
  if (any)
    gtk_single_selection_set_selected (self->selection, 0);
}

static void
search_changed_cb (CpFieldChooser *self)
{
  gtk_string_filter_set_search (self->filter,
                                gtk_editable_get_text (GTK_EDITABLE (self->search_entry)));
  update_results (self);
}

/* Enter in the search takes the first match. */
static void
search_activate_cb (CpFieldChooser *self)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) > 0)
    choose_filtered (self, 0);
}

static void
stop_search_cb (CpFieldChooser *self)
{
  gtk_popover_popdown (self->popover);
}

static void
list_activate_cb (CpFieldChooser *self,
                  guint           position)
{
  choose_filtered (self, position);
}

/* Down from the search goes into the list, at the row after the first match. */
static gboolean
search_key_pressed_cb (GtkEventControllerKey *controller,
                       guint                  keyval,
                       guint                  keycode,
                       GdkModifierType        state,
                       CpFieldChooser        *self)
{
  if ((keyval != GDK_KEY_Down && keyval != GDK_KEY_KP_Down) ||
      g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    return FALSE;
  gtk_widget_child_focus (GTK_WIDGET (self->list_view), GTK_DIR_TAB_FORWARD);
  return TRUE;
}

static void
popover_show_cb (CpFieldChooser *self)
{
  guint n;

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_string_filter_set_search (self->filter, NULL);
  update_results (self);
  /* The list opens at the current choice. */
  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  if (self->selected < n)
    {
      gtk_single_selection_set_selected (self->selection, self->selected);
      gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u",
                                  self->selected);
    }
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
row_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_list_item_set_child (list_item, label);
}

static void
row_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item)
{
  GtkStringObject *item = gtk_list_item_get_item (list_item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (list_item)),
                      gtk_string_object_get_string (item));
}

static void
cp_field_chooser_dispose (GObject *object)
{
  CpFieldChooser *self = CP_FIELD_CHOOSER (object);

  /* The button is both the bin's child and a template child: unparent it once. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_FIELD_CHOOSER);
  g_clear_object (&self->selection);
  g_clear_object (&self->filtered);
  g_clear_object (&self->filter);
  g_clear_object (&self->choices);

  G_OBJECT_CLASS (cp_field_chooser_parent_class)->dispose (object);
}

static void
cp_field_chooser_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpFieldChooser *self = CP_FIELD_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      g_value_set_uint (value, self->selected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_field_chooser_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CpFieldChooser *self = CP_FIELD_CHOOSER (object);

  switch (prop_id)
    {
    case PROP_SELECTED:
      cp_field_chooser_set_selected (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_field_chooser_class_init (CpFieldChooserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_field_chooser_dispose;
  object_class->get_property = cp_field_chooser_get_property;
  object_class->set_property = cp_field_chooser_set_property;

  properties [PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, G_MAXUINT, GTK_INVALID_LIST_POSITION,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/creditpacket/CreditPacket/cp-field-chooser.ui");
  gtk_widget_class_bind_template_child (widget_class, CpFieldChooser, button);
  gtk_widget_class_bind_template_child (widget_class, CpFieldChooser, button_label);
  gtk_widget_class_bind_template_child (widget_class, CpFieldChooser, popover);
  gtk_widget_class_bind_template_child (widget_class, CpFieldChooser, search_entry);
  gtk_widget_class_bind_template_child (widget_class, CpFieldChooser, results_stack);
  gtk_widget_class_bind_template_child (widget_class, CpFieldChooser, list_view);
  gtk_widget_class_bind_template_callback (widget_class, popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
}

static void
cp_field_chooser_init (CpFieldChooser *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkEventController *keys;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->selected = GTK_INVALID_LIST_POSITION;

  self->filter = gtk_string_filter_new (gtk_property_expression_new (GTK_TYPE_STRING_OBJECT,
                                                                     NULL, "string"));
  gtk_string_filter_set_match_mode (self->filter, GTK_STRING_FILTER_MATCH_MODE_SUBSTRING);
  gtk_string_filter_set_ignore_case (self->filter, TRUE);
  g_signal_connect (factory, "setup", G_CALLBACK (row_setup_cb), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (row_bind_cb), NULL);
  gtk_list_view_set_factory (self->list_view, factory);

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (search_key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->search_entry), keys);
}

CpFieldChooser *
cp_field_chooser_new (GtkStringList *choices)
{
  CpFieldChooser *self;

  g_return_val_if_fail (GTK_IS_STRING_LIST (choices), NULL);

  self = g_object_new (CP_TYPE_FIELD_CHOOSER, NULL);
  self->choices = g_object_ref (choices);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (choices)),
                                              g_object_ref (GTK_FILTER (self->filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  cp_field_chooser_set_selected (self, 0);
  return self;
}

GtkStringList *
cp_field_chooser_get_choices (CpFieldChooser *self)
{
  g_return_val_if_fail (CP_IS_FIELD_CHOOSER (self), NULL);

  return self->choices;
}

guint
cp_field_chooser_get_selected (CpFieldChooser *self)
{
  g_return_val_if_fail (CP_IS_FIELD_CHOOSER (self), GTK_INVALID_LIST_POSITION);

  return self->selected;
}

void
cp_field_chooser_set_selected (CpFieldChooser *self,
                               guint           position)
{
  const char *label;

  g_return_if_fail (CP_IS_FIELD_CHOOSER (self));

  if (self->choices == NULL ||
      position >= g_list_model_get_n_items (G_LIST_MODEL (self->choices)))
    position = GTK_INVALID_LIST_POSITION;
  label = position != GTK_INVALID_LIST_POSITION
          ? gtk_string_list_get_string (self->choices, position) : "";
  gtk_label_set_text (self->button_label, label);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), *label ? label : NULL);
  if (position == self->selected)
    return;
  self->selected = position;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTED]);
}

GListModel *
cp_field_chooser_search (CpFieldChooser *self,
                         const char     *text)
{
  g_return_val_if_fail (CP_IS_FIELD_CHOOSER (self), NULL);

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* search-changed comes after a delay: filter now. */
  search_changed_cb (self);
  return G_LIST_MODEL (self->filtered);
}
