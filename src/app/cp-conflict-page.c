/* cp-conflict-page.c — choose mine, theirs or another value for each conflicting field
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing is chosen in advance: "Keep These Values" stays off until every conflicting field has
 * a value, so that no side is overwritten without the user saying so.
 */
#include "config.h"

#include "cp-conflict-page.h"
#include "cp-conflict-page-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"

typedef struct
{
  CpMergeConflict *conflict;   /* owned by the merge result */
  GtkCheckButton  *mine;
  GtkCheckButton  *theirs;
  GtkCheckButton  *edit;
  AdwEntryRow     *entry;
} Row;

struct _CpConflictPage
{
  AdwWindow           parent_instance;

  AdwToastOverlay    *toast_overlay;
  AdwWindowTitle     *title_widget;
  GtkButton          *save_button;
  AdwPreferencesPage *page;

  CpSyncManager      *manager;
  CpMergeResult      *result;
  char               *uuid;
  GArray             *rows;   /* of Row */
  gboolean            resolving;  /* the rows' conflicts were handed to the result */
  gboolean            can_save;   /* as last notified */
};

enum {
  PROP_0,
  PROP_N_CONFLICTS,
  PROP_CAN_SAVE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpConflictPage, cp_conflict_page, ADW_TYPE_WINDOW)

/* Drops the focus first: GTK 4.8 warns when a window goes away with a text field focused. */
static void
close_dialog (GtkWindow *window)
{
  GtkWidget *focus = gtk_window_get_focus (window);

  /* The text inside an entry row holds the focus: move it out of the window's widgets. */
  if (focus != NULL)
    gtk_widget_grab_focus (GTK_WIDGET (window));
  gtk_window_set_focus (window, NULL);
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_destroy (window);
}

enum {
  RESOLVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
node_unref0 (gpointer node)
{
  if (node != NULL)
    json_node_unref (node);
}

static char *
value_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup (_("(empty)"));
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      return g_strdup (*text ? text : _("(empty)"));
    }
  return json_to_string (node, FALSE);
}

/* The text to start an edit from: the value itself, "" when there is none. */
static char *
edit_text (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

/* The typed text as a value of the same kind as the two sides hold. */
static JsonNode *
parse_edit (const CpMergeConflict  *conflict,
            const char             *text,
            GError                **error)
{
  JsonNode *like = conflict->mine != NULL ? conflict->mine : conflict->theirs;
  g_autoptr(JsonParser) parser = NULL;

  if (*text == '\0')
    return NULL;
  if (like == NULL || JSON_NODE_HOLDS_NULL (like) ||
      (JSON_NODE_HOLDS_VALUE (like) && json_node_get_value_type (like) == G_TYPE_STRING))
    {
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      json_node_set_string (node, text);
      return node;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, -1, NULL))
    {
      g_set_error_literal (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                           _("The value you typed is not valid for this field. Type it the way "
                             "the two other values are written."));
      return NULL;
    }
  return json_node_copy (json_parser_get_root (parser));
}

/* "/sections/cover/uscc" → the field's label and its section's title. */
static void
describe_path (CpTemplate  *tmpl,
               const char  *path,
               char       **title,
               char       **subtitle)
{
  g_auto(GStrv) parts = g_strsplit (path + (*path == '/' ? 1 : 0), "/", -1);

  *title = NULL;
  *subtitle = NULL;
  if (tmpl != NULL && g_strv_length (parts) == 3 && g_str_equal (parts[0], "sections"))
    {
      g_autofree char *field_path = g_strconcat (parts[1], ".", parts[2], NULL);
      const CpField *field = cp_template_lookup_field (tmpl, field_path);
      const CpSection *section = cp_template_lookup_section (tmpl, parts[1]);

      if (field != NULL)
        *title = g_strdup (cp_text_get (field->label));
      if (section != NULL)
        *subtitle = g_strdup (cp_text_get (section->title));
    }
  else if (g_strv_length (parts) >= 1 && g_str_equal (parts[0], "attachments"))
    *title = g_strdup (_("Attachment"));
  else if (g_strv_length (parts) >= 1 && g_str_equal (parts[0], "scoring"))
    *title = g_strdup (_("Scoring sheet"));
  if (*title == NULL)
    *title = g_strdup (path);
}

/* Whether every conflict has a choice (and there is one at least). */
static gboolean
cp_conflict_page_all_chosen (CpConflictPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);

      if (!gtk_check_button_get_active (row->mine) &&
          !gtk_check_button_get_active (row->theirs) &&
          !gtk_check_button_get_active (row->edit))
        return FALSE;
    }
  return self->rows->len > 0;
}

static void
cp_conflict_page_update (CpConflictPage *self)
{
  gboolean can_save = cp_conflict_page_all_chosen (self);

  gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), can_save);
  if (can_save != self->can_save)
    {
      self->can_save = can_save;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CAN_SAVE]);
    }
}

static void
choice_toggled_cb (GtkCheckButton *button,
                   CpConflictPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);

      gtk_widget_set_sensitive (GTK_WIDGET (row->entry),
                                gtk_check_button_get_active (row->edit));
    }
  cp_conflict_page_update (self);
}

static GtkCheckButton *
add_choice_row (AdwPreferencesGroup *group,
                const char          *title,
                const char          *value,
                GtkCheckButton      *group_with,
                CpConflictPage      *self)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *check = gtk_check_button_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), value);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  if (group_with != NULL)
    gtk_check_button_set_group (GTK_CHECK_BUTTON (check), group_with);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
  gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  title, -1);
  g_signal_connect (check, "toggled", G_CALLBACK (choice_toggled_cb), self);
  adw_preferences_group_add (group, row);
  return GTK_CHECK_BUTTON (check);
}

static void
cp_conflict_page_build (CpConflictPage *self,
                        CpTemplate     *tmpl)
{
  GPtrArray *conflicts = cp_merge_result_get_conflicts (self->result);

  for (guint i = 0; i < conflicts->len; i++)
    {
      CpMergeConflict *conflict = g_ptr_array_index (conflicts, i);
      AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      g_autofree char *mine = value_text (conflict->mine);
      g_autofree char *theirs = value_text (conflict->theirs);
      g_autofree char *start = edit_text (conflict->mine);
      GtkWidget *check;
      Row row = { conflict };

      describe_path (tmpl, conflict->path, &title, &subtitle);
      adw_preferences_group_set_title (group, title);
      if (subtitle != NULL)
        adw_preferences_group_set_description (group, subtitle);

      row.mine = add_choice_row (group, _("Keep the value on this computer"), mine, NULL, self);
      row.theirs = add_choice_row (group, _("Take the value on the server"), theirs, row.mine,
                                   self);

      row.entry = ADW_ENTRY_ROW (adw_entry_row_new ());
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row.entry), _("Type another value"));
      gtk_editable_set_text (GTK_EDITABLE (row.entry), start);
      gtk_widget_set_sensitive (GTK_WIDGET (row.entry), FALSE);
      check = gtk_check_button_new ();
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_check_button_set_group (GTK_CHECK_BUTTON (check), row.mine);
      gtk_accessible_update_property (GTK_ACCESSIBLE (check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      _("Type another value"), -1);
      g_signal_connect (check, "toggled", G_CALLBACK (choice_toggled_cb), self);
      adw_entry_row_add_prefix (row.entry, check);
      row.edit = GTK_CHECK_BUTTON (check);
      adw_preferences_group_add (group, GTK_WIDGET (row.entry));

      adw_preferences_page_add (self->page, group);
      g_array_append_val (self->rows, row);
    }
}

static void
later_clicked_cb (CpConflictPage *self)
{
  close_dialog (GTK_WINDOW (self));
}

static void
save_clicked_cb (CpConflictPage *self)
{
  g_autoptr(GError) error = NULL;

  if (!cp_conflict_page_save (self, &error))
    adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
}

static void
cp_conflict_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CP_TYPE_CONFLICT_PAGE);

  G_OBJECT_CLASS (cp_conflict_page_parent_class)->dispose (object);
}

static void
cp_conflict_page_finalize (GObject *object)
{
  CpConflictPage *self = CP_CONFLICT_PAGE (object);

  g_clear_object (&self->manager);
  g_clear_pointer (&self->result, cp_merge_result_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_free (self->uuid);

  G_OBJECT_CLASS (cp_conflict_page_parent_class)->finalize (object);
}

static void
cp_conflict_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpConflictPage *self = CP_CONFLICT_PAGE (object);

  switch (prop_id)
    {
    case PROP_N_CONFLICTS:
      g_value_set_uint (value, self->rows != NULL ? self->rows->len : 0);
      break;
    case PROP_CAN_SAVE:
      g_value_set_boolean (value, self->rows != NULL && cp_conflict_page_all_chosen (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_conflict_page_class_init (CpConflictPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_conflict_page_dispose;
  object_class->finalize = cp_conflict_page_finalize;
  object_class->get_property = cp_conflict_page_get_property;

  /* The number of conflicting values, one row each (fixed when the page opens). */
  properties [PROP_N_CONFLICTS] =
    g_param_spec_uint ("n-conflicts", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether every row has a choice, so that Save can merge. */
  properties [PROP_CAN_SAVE] =
    g_param_spec_boolean ("can-save", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CpConflictPage::resolved:
   *
   * The merged packet was saved; it is pending and goes out with the next sync.
   */
  signals[RESOLVED] = g_signal_new ("resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/creditpacket/CreditPacket/"
                                               "cp-conflict-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CpConflictPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CpConflictPage, title_widget);
  gtk_widget_class_bind_template_child (widget_class, CpConflictPage, save_button);
  gtk_widget_class_bind_template_child (widget_class, CpConflictPage, page);
  gtk_widget_class_bind_template_callback (widget_class, later_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, save_clicked_cb);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_conflict_page_init (CpConflictPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
}

CpConflictPage *
cp_conflict_page_new (GtkWindow           *parent,
                      CpSyncManager       *manager,
                      CpTemplateRegistry  *registry,
                      const char          *uuid,
                      GError             **error)
{
  CpSyncEngine *engine;
  g_autoptr(CpMergeResult) result = NULL;
  CpConflictPage *self;
  CpPacket *merged;
  CpTemplate *tmpl = NULL;
  const char *name;

  g_return_val_if_fail (CP_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (uuid != NULL, NULL);

  engine = cp_sync_manager_get_engine (manager);
  if (engine == NULL)
    {
      g_set_error_literal (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN,
                           _("Log in to the server to resolve the conflicts of this packet."));
      return NULL;
    }
  result = cp_sync_engine_load_conflict (engine, uuid, error);
  if (result == NULL)
    return NULL;
  merged = cp_merge_result_get_packet (result);
  if (merged == NULL)
    {
      g_set_error_literal (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                           cp_merge_result_get_error (result) != NULL
                           ? cp_merge_result_get_error (result)->message
                           : _("The merged packet is not valid."));
      return NULL;
    }

  self = g_object_new (CP_TYPE_CONFLICT_PAGE, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  self->result = g_steal_pointer (&result);
  self->uuid = g_strdup (uuid);
  if (registry != NULL)
    tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (merged),
                                                     cp_packet_get_template_version (merged));
  if (tmpl == NULL && registry != NULL)
    tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (merged));
  name = cp_packet_get_string (merged, "cover", "enterprise_name");
  adw_window_title_set_subtitle (self->title_widget, name != NULL ? name : "");
  cp_conflict_page_build (self, tmpl);
  cp_conflict_page_update (self);
  return self;
}

const char *
cp_conflict_page_get_path (CpConflictPage *self,
                           guint           index)
{
  g_return_val_if_fail (CP_IS_CONFLICT_PAGE (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  g_return_val_if_fail (!self->resolving, NULL);
  return g_array_index (self->rows, Row, index).conflict->path;
}

char *
cp_conflict_page_get_mine_text (CpConflictPage *self,
                                guint           index)
{
  g_return_val_if_fail (CP_IS_CONFLICT_PAGE (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  return value_text (g_array_index (self->rows, Row, index).conflict->mine);
}

char *
cp_conflict_page_get_theirs_text (CpConflictPage *self,
                                  guint           index)
{
  g_return_val_if_fail (CP_IS_CONFLICT_PAGE (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  return value_text (g_array_index (self->rows, Row, index).conflict->theirs);
}

void
cp_conflict_page_choose (CpConflictPage *self,
                         guint           index,
                         CpMergeChoice   choice,
                         const char     *text)
{
  Row *row;

  g_return_if_fail (CP_IS_CONFLICT_PAGE (self));
  g_return_if_fail (index < self->rows->len);

  row = &g_array_index (self->rows, Row, index);
  if (choice == CP_MERGE_MINE)
    gtk_check_button_set_active (row->mine, TRUE);
  else if (choice == CP_MERGE_THEIRS)
    gtk_check_button_set_active (row->theirs, TRUE);
  else
    {
      gtk_check_button_set_active (row->edit, TRUE);
      if (text != NULL)
        gtk_editable_set_text (GTK_EDITABLE (row->entry), text);
    }
}

gboolean
cp_conflict_page_save (CpConflictPage  *self,
                       GError         **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) values = NULL;
  g_autoptr(GArray) choices = NULL;
  CpSyncEngine *engine;

  g_return_val_if_fail (CP_IS_CONFLICT_PAGE (self), FALSE);

  if (self->resolving || !cp_conflict_page_all_chosen (self))
    {
      g_set_error_literal (error, CP_MERGE_ERROR, CP_MERGE_ERROR_INVALID,
                           _("Some fields still differ. Choose a value for each of them first."));
      return FALSE;
    }
  engine = cp_sync_manager_get_engine (self->manager);
  if (engine == NULL)
    {
      g_set_error_literal (error, CP_SYNC_ERROR, CP_SYNC_ERROR_NEEDS_LOGIN,
                           _("Log in to the server to resolve the conflicts of this packet."));
      return FALSE;
    }

  /* Read every choice first (a typed value may not parse), then resolve: resolving frees the
   * conflict, so work from copies of the paths. */
  values = g_ptr_array_new_with_free_func (node_unref0);
  choices = g_array_new (FALSE, FALSE, sizeof (CpMergeChoice));
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      JsonNode *value = NULL;
      CpMergeChoice choice;

      if (gtk_check_button_get_active (row->mine))
        choice = CP_MERGE_MINE;
      else if (gtk_check_button_get_active (row->theirs))
        choice = CP_MERGE_THEIRS;
      else
        {
          GError *parse_error = NULL;

          choice = CP_MERGE_EDIT;
          value = parse_edit (row->conflict,
                              gtk_editable_get_text (GTK_EDITABLE (row->entry)), &parse_error);
          if (parse_error != NULL)
            {
              g_propagate_error (error, parse_error);
              return FALSE;
            }
        }
      g_ptr_array_add (paths, g_strdup (row->conflict->path));
      g_ptr_array_add (values, value);
      g_array_append_val (choices, choice);
    }
  self->resolving = TRUE;
  for (guint i = 0; i < self->rows->len; i++)
    {
      g_array_index (self->rows, Row, i).conflict = NULL;
      if (!cp_merge_result_resolve (self->result, g_ptr_array_index (paths, i),
                                    g_array_index (choices, CpMergeChoice, i),
                                    g_ptr_array_index (values, i), error))
        {
          gtk_widget_set_sensitive (GTK_WIDGET (self->save_button), FALSE);
          return FALSE;
        }
    }
  if (!cp_sync_engine_resolve_conflict (engine, self->uuid, self->result, error))
    return FALSE;

  g_signal_emit (self, signals[RESOLVED], 0);
  close_dialog (GTK_WINDOW (self));
  return TRUE;
}
