/* cp-section-page.c — one wizard page: the fields of a template section
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-section-page.h"
#include "cp-section-page-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-access.h"
#include "cp-app-util.h"
#include "cp-attachment-drop.h"
#include "cp-field-editor.h"
#include "cp-review-dialog.h"
#include "cp-signature-field-editor.h"

typedef struct _FieldSlot FieldSlot;

struct _CpSectionPage
{
  AdwBin           parent_instance;

  CpTemplate      *tmpl;
  const CpSection *section;
  CpPacket        *packet;
  CpStore         *store;
  GPtrArray       *slots;         /* element type FieldSlot * */
  GPtrArray       *findings;
  GPtrArray       *comments;      /* element type CpComment *, of this section */
  GtkWidget       *comments_box;  /* reviewer comments on the whole section, at the top */
  GtkWidget       *access_label;  /* who fills the section in, when it is all someone else's */
  CpRole           party;         /* who the user is to the packet; CP_ROLE_NONE: no limits */
  char            *stage_id;
  JsonObject      *authors;       /* value pointer → {name, party, at}, or NULL */
};

/* One top-level field of the section: its editor, and around it the title, help, error and
 * the reviewer's comments. */
struct _FieldSlot
{
  CpSectionPage *page;
  const CpField *field;
  CpFieldEditor *editor;
  GtkWidget     *group;         /* AdwPreferencesGroup holding it all */
  GtkWidget     *error_label;
  GtkWidget     *comments_box;  /* reviewer comments on this field */
  GtkWidget     *access_label;  /* who fills it in, and who did when */
  char          *comments_text; /* the same, for the accessible description */
  char          *shown_error;
  gboolean       touched;
};

enum {
  EDITED,
  FIELD_LEFT,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpSectionPage, cp_section_page, ADW_TYPE_BIN)

static void
field_slot_free (FieldSlot *slot)
{
  g_clear_pointer (&slot->shown_error, g_free);
  g_clear_pointer (&slot->comments_text, g_free);
  g_free (slot);
}

static FieldSlot *
cp_section_page_find_slot (CpSectionPage *self,
                           const char    *field_path)
{
  for (guint i = 0; field_path != NULL && i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);

      if (cp_app_finding_is_for_field (field_path, slot->field->id))
        return slot;
    }
  return NULL;
}

/* Errors and reviewer comments. */

/* The field's accessible description: its error, then what the reviewer said about it. */
static void
field_slot_update_description (FieldSlot *slot)
{
  g_autoptr(GString) text = g_string_new (slot->shown_error);
  GtkWidget *focus = cp_field_editor_get_focus_widget (slot->editor);

  if (focus == NULL)
    return;
  if (gtk_widget_get_visible (slot->access_label))
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, gtk_label_get_text (GTK_LABEL (slot->access_label)));
    }
  if (slot->comments_text != NULL)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, slot->comments_text);
    }
  if (text->len > 0)
    gtk_accessible_update_property (GTK_ACCESSIBLE (focus),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text->str, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (focus), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
  gtk_widget_set_visible (box, FALSE);
}

/* The label of a field path that has no editor on this page ("surveyors[1].name" names its
 * group), or the path itself. */
static const char *
describe_field (CpSectionPage *self,
                const char    *field_path)
{
  g_autofree char *top = g_strndup (field_path, strcspn (field_path, "[."));
  const CpField *field = cp_section_lookup_field (self->section, top);

  return field != NULL ? cp_text_get (field->label) : field_path;
}

static void
cp_section_page_show_comments (CpSectionPage *self)
{
  clear_box (self->comments_box);
  for (guint i = 0; i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);

      clear_box (slot->comments_box);
      g_clear_pointer (&slot->comments_text, g_free);
    }

  for (guint i = 0; self->comments != NULL && i < self->comments->len; i++)
    {
      const CpComment *comment = g_ptr_array_index (self->comments, i);
      FieldSlot *slot = g_strcmp0 (comment->section, self->section->id) == 0
                        ? cp_section_page_find_slot (self, comment->field) : NULL;
      g_autofree char *spoken = NULL;
      GtkWidget *widget;

      if (slot != NULL)
        {
          widget = cp_review_comment_new_widget (comment, NULL, &spoken);
          gtk_box_append (GTK_BOX (slot->comments_box), widget);
          gtk_widget_set_visible (slot->comments_box, TRUE);
          if (slot->comments_text != NULL)
            {
              g_autofree char *joined = g_strdup_printf ("%s\n%s", slot->comments_text, spoken);

              g_free (slot->comments_text);
              slot->comments_text = g_steal_pointer (&joined);
            }
          else
            slot->comments_text = g_steal_pointer (&spoken);
        }
      else
        {
          const char *where = NULL;

          if (comment->section == NULL)
            where = _("the whole packet");
          else if (g_strcmp0 (comment->section, self->section->id) != 0)
            where = comment->field != NULL ? comment->field : comment->section;
          else if (comment->field != NULL)
            where = describe_field (self, comment->field);
          widget = cp_review_comment_new_widget (comment, where, &spoken);
          gtk_box_append (GTK_BOX (self->comments_box), widget);
          gtk_widget_set_visible (self->comments_box, TRUE);
        }
    }

  for (guint i = 0; i < self->slots->len; i++)
    field_slot_update_description (g_ptr_array_index (self->slots, i));
}

/* Under the field: what its editor refused, else the validator's findings on it; once the user
 * has left the field. */
static void
field_slot_update_error (FieldSlot *slot)
{
  CpSectionPage *self = slot->page;
  const char *local_error = cp_field_editor_get_local_error (slot->editor);
  g_autoptr(GString) text = g_string_new (local_error);

  for (guint i = 0; local_error == NULL && self->findings != NULL &&
                    i < self->findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (self->findings, i);

      if (g_strcmp0 (f->section, self->section->id) != 0 ||
          !cp_app_finding_is_for_field (f->field, slot->field->id))
        continue;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, f->message);
    }

  g_clear_pointer (&slot->shown_error, g_free);
  if (slot->touched && text->len > 0)
    slot->shown_error = g_strdup (text->str);

  gtk_label_set_text (GTK_LABEL (slot->error_label),
                      slot->shown_error != NULL ? slot->shown_error : "");
  gtk_widget_set_visible (slot->error_label, slot->shown_error != NULL);
  field_slot_update_description (slot);
}

static void
editor_edited_cb (CpFieldEditor *editor,
                  gboolean       full_save,
                  FieldSlot     *slot)
{
  g_signal_emit (slot->page, signals [EDITED], 0, slot->field->id, full_save);
}

static void
editor_local_error_changed_cb (CpFieldEditor *editor,
                               gboolean       now,
                               FieldSlot     *slot)
{
  if (now)
    slot->touched = TRUE;
  field_slot_update_error (slot);
}

static void
field_focus_leave_cb (GtkEventControllerFocus *controller,
                      FieldSlot               *slot)
{
  slot->touched = TRUE;
  field_slot_update_error (slot);
  g_signal_emit (slot->page, signals [FIELD_LEFT], 0, slot->field->id);
}

static GtkWidget *
new_caption (const char *text,
             const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, css_class);
  return label;
}

static FieldSlot *
field_slot_new (CpSectionPage *self,
                const CpField *field)
{
  FieldSlot *slot = g_new0 (FieldSlot, 1);
  GtkEventController *focus;
  /* Fields of several rows have their label and help above them, as a group's title. */
  gboolean complex = field->type == CP_FIELD_GROUP || field->type == CP_FIELD_ATTACHMENT ||
                     field->type == CP_FIELD_SIGNATURE || field->type == CP_FIELD_MULTILINE;

  slot->page = self;
  slot->field = field;
  slot->group = adw_preferences_group_new ();
  gtk_widget_add_css_class (slot->group, "field");
  /* Files dropped onto the group go into this field (cp-attachment-drop.c). */
  g_object_set_data (G_OBJECT (slot->group), "cp-field-id", (gpointer) field->id);
  if (complex)
    {
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (slot->group),
                                       cp_text_get (field->label));
      if (field->help != NULL)
        adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (slot->group),
                                               cp_text_get (field->help));
      if (field->required)
        {
          GtkWidget *required = gtk_label_new (_("Required"));

          gtk_widget_add_css_class (required, "dim-label");
          gtk_widget_add_css_class (required, "caption");
          gtk_widget_set_valign (required, GTK_ALIGN_END);
          adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (slot->group),
                                                   required);
        }
    }

  slot->editor = cp_field_editor_new_for_field (field, self->store);
  cp_field_editor_set_packet (slot->editor, self->packet, self->section->id, NULL, -1);
  g_signal_connect (slot->editor, "edited", G_CALLBACK (editor_edited_cb), slot);
  g_signal_connect (slot->editor, "local-error-changed",
                    G_CALLBACK (editor_local_error_changed_cb), slot);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (slot->group), GTK_WIDGET (slot->editor));

  if (!complex && field->help != NULL)
    {
      GtkWidget *help = new_caption (cp_text_get (field->help), "field-help");

      gtk_widget_add_css_class (help, "dim-label");
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (slot->group), help);
    }
  slot->access_label = new_caption (NULL, "field-owner");
  gtk_widget_add_css_class (slot->access_label, "dim-label");
  gtk_widget_set_visible (slot->access_label, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (slot->group), slot->access_label);
  slot->error_label = new_caption (NULL, "field-error");
  gtk_widget_add_css_class (slot->error_label, "error");
  gtk_widget_set_visible (slot->error_label, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (slot->group), slot->error_label);
  slot->comments_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (slot->comments_box, "review-comments");
  gtk_widget_set_visible (slot->comments_box, FALSE);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (slot->group), slot->comments_box);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "leave", G_CALLBACK (field_focus_leave_cb), slot);
  gtk_widget_add_controller (slot->group, focus);
  return slot;
}

/* The page. */

static void
cp_section_page_dispose (GObject *object)
{
  CpSectionPage *self = CP_SECTION_PAGE (object);

  adw_bin_set_child (ADW_BIN (self), NULL);

  G_OBJECT_CLASS (cp_section_page_parent_class)->dispose (object);
}

static void
cp_section_page_finalize (GObject *object)
{
  CpSectionPage *self = CP_SECTION_PAGE (object);

  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_clear_pointer (&self->stage_id, g_free);
  g_clear_pointer (&self->authors, json_object_unref);
  g_clear_object (&self->tmpl);
  g_clear_object (&self->packet);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (cp_section_page_parent_class)->finalize (object);
}

static void
cp_section_page_class_init (CpSectionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_section_page_dispose;
  object_class->finalize = cp_section_page_finalize;

  signals [EDITED] = g_signal_new ("edited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                   G_TYPE_STRING, G_TYPE_BOOLEAN);
  signals [FIELD_LEFT] = g_signal_new ("field-left", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                       G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cp_section_page_init (CpSectionPage *self)
{
  self->slots = g_ptr_array_new_with_free_func ((GDestroyNotify) field_slot_free);
}

CpSectionPage *
cp_section_page_new (CpTemplate      *tmpl,
                     const CpSection *section,
                     CpPacket        *packet,
                     CpStore         *store)
{
  CpSectionPage *self;
  GtkWidget *scrolled, *clamp, *box, *title;

  g_return_val_if_fail (CP_IS_TEMPLATE (tmpl), NULL);
  g_return_val_if_fail (section != NULL, NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);
  g_return_val_if_fail (CP_IS_STORE (store), NULL);

  self = g_object_new (CP_TYPE_SECTION_PAGE, NULL);
  self->tmpl = g_object_ref (tmpl);
  self->section = section;
  self->packet = g_object_ref (packet);
  self->store = g_object_ref (store);

  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  clamp = adw_clamp_new ();
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_top (box, 24);
  gtk_widget_set_margin_bottom (box, 24);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);

  title = gtk_label_new (cp_text_get (section->title));
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "title-2");
  gtk_accessible_update_property (GTK_ACCESSIBLE (title),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 1, -1);
  gtk_box_append (GTK_BOX (box), title);
  if (section->help != NULL)
    {
      GtkWidget *help = gtk_label_new (cp_text_get (section->help));

      gtk_label_set_xalign (GTK_LABEL (help), 0);
      gtk_label_set_wrap (GTK_LABEL (help), TRUE);
      gtk_widget_add_css_class (help, "dim-label");
      gtk_box_append (GTK_BOX (box), help);
    }
  self->comments_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_add_css_class (self->comments_box, "review-comments");
  gtk_widget_set_visible (self->comments_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->comments_box);
  self->access_label = new_caption (NULL, "section-owner");
  gtk_widget_add_css_class (self->access_label, "dim-label");
  gtk_widget_set_visible (self->access_label, FALSE);
  gtk_box_append (GTK_BOX (box), self->access_label);

  for (guint i = 0; section->fields != NULL && i < section->fields->len; i++)
    {
      FieldSlot *slot = field_slot_new (self, g_ptr_array_index (section->fields, i));

      g_ptr_array_add (self->slots, slot);
      gtk_box_append (GTK_BOX (box), slot->group);
    }

  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  adw_bin_set_child (ADW_BIN (self), scrolled);
  cp_attachment_drop_install (self);
  return self;
}

const CpSection *
cp_section_page_get_section (CpSectionPage *self)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  return self->section;
}

CpPacket *
cp_section_page_get_packet (CpSectionPage *self)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  return self->packet;
}

void
cp_section_page_set_findings (CpSectionPage *self,
                              GPtrArray     *findings,
                              gboolean       all)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));

  if (findings != NULL)
    g_ptr_array_ref (findings);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  self->findings = findings;

  for (guint i = 0; i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);

      if (all)
        slot->touched = TRUE;
      field_slot_update_error (slot);
    }
}

static gboolean
value_is_empty (JsonNode *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);

      return text == NULL || *text == '\0';
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    return json_array_get_length (json_node_get_array (node)) == 0;
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_size (json_node_get_object (node)) == 0;
  return FALSE;
}

static gboolean
field_slot_can_focus (FieldSlot *slot)
{
  GtkWidget *focus = cp_field_editor_get_focus_widget (slot->editor);

  return focus != NULL && gtk_widget_is_sensitive (focus) && gtk_widget_get_visible (focus);
}

gboolean
cp_section_page_focus_first_empty (CpSectionPage *self)
{
  FieldSlot *empty = NULL, *first = NULL;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), FALSE);

  for (guint i = 0; i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);
      gboolean is_empty;

      if (!field_slot_can_focus (slot))
        continue;
      is_empty = value_is_empty (cp_field_editor_get_value (slot->editor));
      if (is_empty && slot->field->required)
        return cp_field_editor_take_focus (slot->editor, TRUE);
      if (is_empty && empty == NULL)
        empty = slot;
      if (first == NULL)
        first = slot;
    }
  if (empty != NULL)
    return cp_field_editor_take_focus (empty->editor, TRUE);
  if (first != NULL)
    return cp_field_editor_take_focus (first->editor, TRUE);
  return FALSE;
}

gboolean
cp_section_page_focus_field (CpSectionPage *self,
                             const char    *field_path)
{
  FieldSlot *slot;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), FALSE);

  slot = cp_section_page_find_slot (self, field_path);
  if (slot == NULL)
    return FALSE;
  slot->touched = TRUE;
  field_slot_update_error (slot);
  cp_field_editor_take_focus (slot->editor, FALSE);
  return TRUE;
}

const char *
cp_section_page_get_error (CpSectionPage *self,
                           const char    *field_id)
{
  FieldSlot *slot;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  slot = cp_section_page_find_slot (self, field_id);
  return slot != NULL ? slot->shown_error : NULL;
}

GtkWidget *
cp_section_page_get_editor (CpSectionPage *self,
                            const char    *field_id)
{
  FieldSlot *slot;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  slot = cp_section_page_find_slot (self, field_id);
  return slot != NULL ? cp_field_editor_get_focus_widget (slot->editor) : NULL;
}

void
cp_section_page_attach_file (CpSectionPage *self,
                             const char    *field_id,
                             GFile         *file)
{
  FieldSlot *slot;
  CpFieldEditor *editor;

  g_return_if_fail (CP_IS_SECTION_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  slot = cp_section_page_find_slot (self, field_id);
  g_return_if_fail (slot != NULL);
  editor = slot->editor;
  if (CP_IS_SIGNATURE_FIELD_EDITOR (editor))
    editor = CP_FIELD_EDITOR (cp_signature_field_editor_get_scan (
                                CP_SIGNATURE_FIELD_EDITOR (editor)));
  g_return_if_fail (CP_IS_ATTACHMENT_FIELD_EDITOR (editor));
  cp_attachment_field_editor_attach (CP_ATTACHMENT_FIELD_EDITOR (editor), file, NULL);
}

void
cp_section_page_set_comments (CpSectionPage *self,
                              GPtrArray     *comments)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));

  if (comments != NULL)
    g_ptr_array_ref (comments);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  self->comments = comments;
  cp_section_page_show_comments (self);
}

guint
cp_section_page_get_n_comments (CpSectionPage *self)
{
  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), 0);

  return self->comments != NULL ? self->comments->len : 0;
}

GtkWidget *
cp_section_page_get_comments_box (CpSectionPage *self,
                                  const char    *field_id)
{
  FieldSlot *slot;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  if (field_id == NULL)
    return self->comments_box;
  slot = cp_section_page_find_slot (self, field_id);
  return slot != NULL ? slot->comments_box : NULL;
}

/* Who fills what in. */

/* Whether @pointer is @prefix ("/sections/cover/name") or lies under it. */
static gboolean
pointer_is_under (const char    *pointer,
                  gconstpointer  data)
{
  const char *prefix = data;
  gsize length = strlen (prefix);

  return strncmp (pointer, prefix, length) == 0 &&
         (pointer[length] == '\0' || pointer[length] == '/');
}

/* "王芳 于 2026-05-06 14:20 填写" for the latest value under @field's pointer, or NULL. */
static char *
describe_author (CpSectionPage *self,
                 const CpField *field)
{
  g_autofree char *pointer = g_strdup_printf ("/sections/%s/%s", self->section->id, field->id);

  return cp_app_describe_author (self->authors, pointer_is_under, pointer);
}

static void
cp_section_page_update_access (CpSectionPage *self)
{
  CpRole common = CP_ROLE_NONE;
  gboolean all_others = self->slots->len > 0 && self->party != CP_ROLE_NONE;

  /* A section that is all one other party's says so once, at the top. */
  for (guint i = 0; all_others && i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);
      CpRole owner = slot->field->owner;

      if (owner == CP_ROLE_NONE || owner == self->party ||
          (common != CP_ROLE_NONE && owner != common))
        all_others = FALSE;
      common = owner;
    }
  gtk_label_set_text (GTK_LABEL (self->access_label),
                      all_others ? cp_role_get_caption (common) : "");
  gtk_widget_set_visible (self->access_label, all_others);

  for (guint i = 0; i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);
      CpRole owner = slot->field->owner;
      gboolean writable = self->party == CP_ROLE_NONE ||
                          cp_template_may_write_field (self->tmpl, self->party, self->stage_id,
                                                       slot->field);
      g_autoptr(GString) caption = g_string_new (NULL);
      g_autofree char *author = NULL;
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
      GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

      if (!writable)
        {
          if (owner != CP_ROLE_NONE && owner != self->party)
            {
              if (!all_others)
                g_string_append (caption, cp_role_get_caption (owner));
            }
          else
            g_string_append (caption, _("Not to be changed at this stage"));
          author = describe_author (self, slot->field);
          if (author != NULL)
            {
              if (caption->len > 0)
                g_string_append (caption, " · ");
              g_string_append (caption, author);
            }
          /* A field that turns insensitive with the focus in it never gets its focus-out in
           * GTK 4.8: take the focus out first. */
          if (focus != NULL && GTK_IS_WINDOW (root) &&
              gtk_widget_is_ancestor (focus, GTK_WIDGET (slot->editor)) &&
              !GTK_IS_EDITABLE (focus) && !GTK_IS_TEXT_VIEW (focus))
            gtk_window_set_focus (GTK_WINDOW (root), NULL);
        }
      cp_field_editor_set_read_only (slot->editor, !writable);
      gtk_label_set_text (GTK_LABEL (slot->access_label), caption->str);
      gtk_widget_set_visible (slot->access_label, caption->len > 0);
      field_slot_update_description (slot);
    }
}

void
cp_section_page_set_access (CpSectionPage *self,
                            CpRole         party,
                            const char    *stage_id)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));

  self->party = party;
  g_free (self->stage_id);
  self->stage_id = g_strdup (stage_id);
  cp_section_page_update_access (self);
}

void
cp_section_page_set_authors (CpSectionPage *self,
                             JsonObject    *authors)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));

  if (authors != NULL)
    json_object_ref (authors);
  g_clear_pointer (&self->authors, json_object_unref);
  self->authors = authors;
  cp_section_page_update_access (self);
}

gboolean
cp_section_page_get_read_only (CpSectionPage *self,
                               const char    *field_id)
{
  FieldSlot *slot;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), FALSE);

  slot = cp_section_page_find_slot (self, field_id);
  return slot != NULL && cp_field_editor_get_read_only (slot->editor);
}

const char *
cp_section_page_get_owner_caption (CpSectionPage *self,
                                   const char    *field_id)
{
  FieldSlot *slot;

  g_return_val_if_fail (CP_IS_SECTION_PAGE (self), NULL);

  if (field_id == NULL)
    return gtk_widget_get_visible (self->access_label)
           ? gtk_label_get_text (GTK_LABEL (self->access_label)) : NULL;
  slot = cp_section_page_find_slot (self, field_id);
  return slot != NULL && gtk_widget_get_visible (slot->access_label)
         ? gtk_label_get_text (GTK_LABEL (slot->access_label)) : NULL;
}

void
cp_section_page_refresh_field (CpSectionPage *self,
                               const char    *field_id)
{
  g_return_if_fail (CP_IS_SECTION_PAGE (self));
  g_return_if_fail (field_id != NULL);

  for (guint i = 0; i < self->slots->len; i++)
    {
      FieldSlot *slot = g_ptr_array_index (self->slots, i);

      if (g_str_equal (slot->field->id, field_id))
        cp_field_editor_refresh (slot->editor);
    }
}
