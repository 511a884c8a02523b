/* cp-review-dialog.c — a credit office's queue: submitted packets to return or accept
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-review-dialog.h"
#include "cp-review-dialog-private.h"

#include <glib/gi18n.h>

#include "cp-app-util.h"
#include "cp-field-chooser.h"
#include "cp-uscc.h"

#include <string.h>

struct _CpReviewDialog
{
  AdwWindow            parent_instance;

  AdwPreferencesGroup *group;
  GtkLabel            *message_label;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *kind_dropdown;
  GtkDropDown         *district_dropdown;
  GtkDropDown         *stage_dropdown;
  GtkDropDown         *sort_dropdown;
  GPtrArray           *uuids;      /* char * */
  GPtrArray           *kinds;      /* char * */
  GPtrArray           *rows;       /* AdwActionRow *, not owned */
  GArray              *entries;    /* QueueEntry, by row index */
  GPtrArray           *kind_ids;   /* char *: the kind filter's choices after "all" */
  GPtrArray           *districts;  /* char *: the district filter's choices after "all" */
  GPtrArray           *stages;     /* char *: the stage filter's choices after "all" */
  CpSyncManager       *manager;
  CpTemplateRegistry  *registry;
  GCancellable        *cancellable;
  guint                busy;
  int                  pending_row;
  gboolean             pending_accept;
  gboolean             loaded;     /* the queue has been read */
};

enum {
  PROP_0,
  PROP_BUSY,
  PROP_MESSAGE,
  PROP_N_ROWS,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_PACKET,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpReviewDialog, cp_review_dialog, ADW_TYPE_WINDOW)

/* What the queue sorts and filters a row by. */
typedef struct
{
  char *folded;      /* the enterprise name and the credit code, case-folded */
  char *district;    /* "昆山市", from the credit code's division, or NULL */
  char *submitted;   /* the submission date, "2026-04-12", or NULL */
  char *stage;       /* the stage of its review chain, in words ("市、区信用办初审"), or NULL */
  int   days_left;   /* to the deadline of the stage; G_MAXINT without one */
} QueueEntry;

static void
queue_entry_clear (QueueEntry *entry)
{
  g_clear_pointer (&entry->folded, g_free);
  g_clear_pointer (&entry->district, g_free);
  g_clear_pointer (&entry->submitted, g_free);
  g_clear_pointer (&entry->stage, g_free);
}

/* The orders of the sort dropdown. */
enum {
  SORT_SUBMITTED,   /* the earliest submission first: first come, first reviewed */
  SORT_DEADLINE,    /* the nearest deadline first */
  SORT_NAME,
};

/* "昆山市" of "江苏省苏州市昆山市": what follows the province and the city, else what follows
 * the province. */
static char *
district_of (const char *uscc)
{
  g_autofree char *normalized = uscc != NULL ? cp_uscc_normalize (uscc) : NULL;
  CpUsccInfo info;
  const char *name, *after_province, *after_city;

  if (normalized == NULL || !cp_uscc_validate (normalized, &info, NULL) ||
      (name = info.division_name) == NULL)
    return NULL;
  after_province = strstr (name, "省");
  after_province = after_province != NULL ? after_province + strlen ("省") : name;
  after_city = strstr (after_province, "市");
  if (after_city != NULL && after_city[strlen ("市")] != '\0')
    return g_strdup (after_city + strlen ("市"));
  return g_strdup (after_province);
}

static guint
dropdown_choice (GtkDropDown *dropdown)
{
  return dropdown != NULL ? gtk_drop_down_get_selected (dropdown) : 0;
}

/* Shows the rows the search and the filters let through, in the order chosen. */
static void
cp_review_dialog_refilter (CpReviewDialog *self)
{
  g_autofree char *needle = NULL;
  g_autofree guint *order = NULL;
  guint kind = dropdown_choice (self->kind_dropdown);
  guint district = dropdown_choice (self->district_dropdown);
  guint stage = dropdown_choice (self->stage_dropdown);
  guint sort = dropdown_choice (self->sort_dropdown);
  guint n = self->rows->len, shown = 0;

  if (self->search_entry != NULL)
    needle = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);

  /* Sorting: take the rows out, put them back in order (an insertion sort: a queue holds
   * hundreds of rows, not millions). */
  order = g_new (guint, n);
  for (guint i = 0; i < n; i++)
    {
      guint j = i;

      while (j > 0)
        {
          const QueueEntry *a = &g_array_index (self->entries, QueueEntry, order[j - 1]);
          const QueueEntry *b = &g_array_index (self->entries, QueueEntry, i);
          int cmp;

          if (sort == SORT_DEADLINE)
            cmp = a->days_left < b->days_left ? -1 : a->days_left > b->days_left;
          else if (sort == SORT_NAME)
            cmp = g_utf8_collate (a->folded, b->folded);
          else
            cmp = g_strcmp0 (a->submitted != NULL ? a->submitted : "9",
                             b->submitted != NULL ? b->submitted : "9");
          if (cmp <= 0)
            break;
          order[j] = order[j - 1];
          j--;
        }
      order[j] = i;
    }
  /* The group holds the rows: keep them while they are out. */
  for (guint i = 0; i < n; i++)
    {
      g_object_ref (g_ptr_array_index (self->rows, i));
      adw_preferences_group_remove (self->group, g_ptr_array_index (self->rows, i));
    }
  for (guint i = 0; i < n; i++)
    {
      const QueueEntry *entry = &g_array_index (self->entries, QueueEntry, order[i]);
      GtkWidget *row = g_ptr_array_index (self->rows, order[i]);
      gboolean visible =
        (needle == NULL || *needle == '\0' || strstr (entry->folded, needle) != NULL) &&
        (kind == 0 || kind > self->kind_ids->len ||
         g_str_equal (g_ptr_array_index (self->kinds, order[i]),
                      g_ptr_array_index (self->kind_ids, kind - 1))) &&
        (district == 0 || district > self->districts->len ||
         g_strcmp0 (entry->district, g_ptr_array_index (self->districts, district - 1)) == 0) &&
        (stage == 0 || stage > self->stages->len ||
         g_strcmp0 (entry->stage, g_ptr_array_index (self->stages, stage - 1)) == 0);

      adw_preferences_group_add (self->group, row);
      g_object_unref (row);
      gtk_widget_set_visible (row, visible);
      shown += visible;
    }
  if (!self->loaded)
    adw_preferences_group_set_description (self->group, _("Reading the queue…"));
  else if (n == 0)
    adw_preferences_group_set_description (self->group,
                                           _("No packet waits for review. Sync to see newly "
                                             "submitted packets."));
  else if (shown == 0)
    adw_preferences_group_set_description (self->group,
                                           _("No packet in the queue matches the search and "
                                             "the filters."));
  else
    adw_preferences_group_set_description (self->group, NULL);
}

static void
filters_changed_cb (CpReviewDialog *self)
{
  cp_review_dialog_refilter (self);
}

/* Comments. */

/* One comment: a warning-coloured box with a speech bubble, who and when, and the text.
 * @where names the field when the comment is not shown under it. */
GtkWidget *
cp_review_comment_new_widget (const CpComment  *comment,
                              const char             *where,
                              char                  **spoken)
{
  g_autofree char *when = cp_comment_format_time (comment);
  g_autofree char *heading = NULL;
  g_autofree char *said = NULL;
  GtkWidget *box, *icon, *texts, *heading_label, *text_label;
  const char *author = comment->author != NULL ? comment->author : _("the credit office");

  /* Translators: above a reviewer's comment; %s: the reviewer's user name, %s: date and time */
  heading = g_strdup_printf (_("Comment from %s · %s"), author, when);
  if (where != NULL)
    {
      g_autofree char *plain = g_steal_pointer (&heading);

      /* Translators: a reviewer's comment heading, then the field it is about */
      heading = g_strdup_printf (_("%s — about “%s”"), plain, where);
    }
  /* Translators: what a screen reader says for a reviewer's comment: who, when, the comment */
  said = g_strdup_printf (_("Reviewer’s comment from %s, %s: %s"), author, when,
                          comment->text);

  box = g_object_new (GTK_TYPE_BOX, "orientation", GTK_ORIENTATION_HORIZONTAL, "spacing", 10,
                      "accessible-role", GTK_ACCESSIBLE_ROLE_NOTE, NULL);
  gtk_widget_add_css_class (box, "review-comment");
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, said, -1);
  icon = gtk_image_new_from_icon_name ("review-comment-symbolic");
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Reviewer’s comment"), -1);
  texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_hexpand (texts, TRUE);
  heading_label = gtk_label_new (heading);
  gtk_label_set_xalign (GTK_LABEL (heading_label), 0);
  gtk_label_set_wrap (GTK_LABEL (heading_label), TRUE);
  gtk_widget_add_css_class (heading_label, "caption-heading");
  gtk_widget_add_css_class (heading_label, "review-comment-heading");
  text_label = gtk_label_new (comment->text);
  gtk_label_set_xalign (GTK_LABEL (text_label), 0);
  gtk_label_set_wrap (GTK_LABEL (text_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_add_css_class (text_label, "review-comment-text");
  gtk_box_append (GTK_BOX (texts), heading_label);
  gtk_box_append (GTK_BOX (texts), text_label);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), texts);
  if (spoken != NULL)
    *spoken = g_steal_pointer (&said);
  return box;
}

/* The queue. */

/* The last outcome ("The packet was accepted.", an error), or NULL. */
static const char *
cp_review_dialog_get_message (CpReviewDialog *self)
{
  return gtk_widget_get_visible (GTK_WIDGET (self->message_label))
         ? gtk_label_get_text (self->message_label) : NULL;
}

static void
cp_review_dialog_set_message (CpReviewDialog *self,
                              const char     *message)
{
  if (g_strcmp0 (cp_review_dialog_get_message (self), message) == 0)
    return;
  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), message != NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static void
cp_review_dialog_set_busy (CpReviewDialog *self,
                           gboolean        busy)
{
  guint was = self->busy;

  self->busy = busy ? self->busy + 1 : self->busy - 1;
  if ((was > 0) != (self->busy > 0))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
decide_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CpReviewDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!cp_sync_manager_decide_finish (CP_SYNC_MANAGER (object), result, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_object_freeze_notify (G_OBJECT (self));
  cp_review_dialog_set_busy (self, FALSE);
  if (error != NULL)
    {
      cp_review_dialog_set_message (self, error->message);
      g_object_thaw_notify (G_OBJECT (self));
      return;
    }
  cp_review_dialog_set_message (self, self->pending_accept
                                      ? _("The packet was accepted.")
                                      : _("The packet was returned to the enterprise with "
                                          "your comments."));
  if (self->pending_row >= 0 && (guint) self->pending_row < self->rows->len)
    gtk_widget_set_sensitive (g_ptr_array_index (self->rows, self->pending_row), FALSE);
  g_object_thaw_notify (G_OBJECT (self));
}

/* Row @index is accepted (@comments NULL) or returned with @comments. */
static void
cp_review_dialog_decide (CpReviewDialog *self,
                         guint           index,
                         GPtrArray      *comments)
{
  const char *uuid = g_ptr_array_index (self->uuids, index);

  cp_review_dialog_set_busy (self, TRUE);
  self->pending_row = index;
  self->pending_accept = comments == NULL;
  cp_review_dialog_set_message (self, NULL);
  if (comments == NULL)
    cp_sync_manager_accept_async (self->manager, uuid, self->cancellable, decide_done_cb,
                                  g_object_ref (self));
  else
    cp_sync_manager_return_async (self->manager, uuid, comments, self->cancellable,
                                  decide_done_cb, g_object_ref (self));
}

static void
accept_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CpReviewDialog   *self)
{
  if (g_str_equal (response, "accept"))
    cp_review_dialog_accept (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog),
                                                                        "cp-index")));
}

static void
accept_clicked_cb (GtkButton      *button,
                   CpReviewDialog *self)
{
  cp_review_dialog_ask_accept (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button),
                                                                          "cp-index")));
}

/* The text of a comment box. */
static char *
comment_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

/* The Return dialog holds one row (a GtkBox with "cp-fields", a CpFieldChooser, and
 * "cp-entry", a GtkTextView) per comment. */
static void
return_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    CpReviewDialog   *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "cp-index"));
  GPtrArray *rows = g_object_get_data (G_OBJECT (dialog), "cp-rows");
  GPtrArray *paths = g_object_get_data (G_OBJECT (dialog), "cp-paths");
  g_autoptr(GPtrArray) comments = NULL;

  if (!g_str_equal (response, "return"))
    return;
  comments = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_comment_free);
  for (guint i = 0; i < rows->len; i++)
    {
      GObject *row = g_ptr_array_index (rows, i);
      guint selected = cp_field_chooser_get_selected (g_object_get_data (row, "cp-fields"));
      g_autofree char *text = comment_text (g_object_get_data (row, "cp-entry"));
      g_auto(GStrv) parts = NULL;
      CpComment *comment;

      if (*text == '\0')
        continue;
      /* "section\037field", or "section\037" for the whole section. */
      if (selected != GTK_INVALID_LIST_POSITION && selected > 0 && selected <= paths->len)
        parts = g_strsplit (g_ptr_array_index (paths, selected - 1), "\037", 2);
      comment = cp_comment_new (parts != NULL ? parts[0] : NULL,
                                parts != NULL && parts[1] != NULL && *parts[1] != '\0'
                                ? parts[1] : NULL,
                                text);
      g_ptr_array_add (comments, comment);
    }
  if (comments->len > 0)
    cp_review_dialog_return_comments (self, index, comments);
}

static void
comment_changed_cb (GtkTextBuffer    *buffer,
                    AdwMessageDialog *dialog)
{
  GPtrArray *rows = g_object_get_data (G_OBJECT (dialog), "cp-rows");
  gboolean any = FALSE;

  for (guint i = 0; i < rows->len && !any; i++)
    {
      g_autofree char *text = comment_text (g_object_get_data (g_ptr_array_index (rows, i),
                                                               "cp-entry"));

      any = *text != '\0';
    }
  adw_message_dialog_set_response_enabled (dialog, "return", any);
}

/* Adds a comment row (what it is about, what must be corrected) to the Return dialog. */
static GtkWidget *
add_comment_row (AdwMessageDialog *dialog)
{
  GtkBox *rows_box = g_object_get_data (G_OBJECT (dialog), "cp-rows-box");
  GPtrArray *rows = g_object_get_data (G_OBJECT (dialog), "cp-rows");
  GtkStringList *labels = g_object_get_data (G_OBJECT (dialog), "cp-labels");
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *chooser, *scrolled, *entry;

  chooser = GTK_WIDGET (cp_field_chooser_new (labels));
  gtk_accessible_update_property (GTK_ACCESSIBLE (chooser), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The field the comment is about"), -1);
  /* A few lines: what must be corrected, and how, may take more than one. */
  entry = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (entry), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (entry), FALSE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (entry), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (entry), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (entry), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (entry), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("What must be corrected"), -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 72);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), entry);
  gtk_widget_add_css_class (scrolled, "card");
  gtk_box_append (GTK_BOX (row), chooser);
  gtk_box_append (GTK_BOX (row), scrolled);
  g_object_set_data (G_OBJECT (row), "cp-fields", chooser);
  g_object_set_data (G_OBJECT (row), "cp-entry", entry);
  g_signal_connect (gtk_text_view_get_buffer (GTK_TEXT_VIEW (entry)), "changed",
                    G_CALLBACK (comment_changed_cb), dialog);
  gtk_box_append (rows_box, row);
  g_ptr_array_add (rows, row);
  return entry;
}

static void
add_comment_clicked_cb (GtkButton        *button,
                        AdwMessageDialog *dialog)
{
  gtk_widget_grab_focus (add_comment_row (dialog));
}

static void
return_clicked_cb (GtkButton      *button,
                   CpReviewDialog *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "cp-index"));
  CpTemplate *tmpl = cp_template_registry_lookup_kind (self->registry,
                                                       g_ptr_array_index (self->kinds, index));
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  GtkWidget *box, *rows_box, *add, *first, *row;
  AdwMessageDialog *dialog;

  gtk_string_list_append (labels, _("The whole packet"));
  if (tmpl != NULL)
    {
      GPtrArray *sections = cp_template_get_sections (tmpl);
      const CpScoringRef *scoring = cp_template_get_scoring (tmpl);
      CpScoringSheet *sheet = scoring != NULL
                              ? cp_template_registry_lookup_sheet (self->registry,
                                                                   scoring->sheet_id)
                              : NULL;

      for (guint i = 0; i < sections->len; i++)
        {
          const CpSection *section = g_ptr_array_index (sections, i);
          /* Translators: a whole section in the list of what a comment is about */
          g_autofree char *whole = g_strdup_printf (_("%s (the whole section)"),
                                                    cp_text_get (section->title));

          if (section->generated)
            continue;
          gtk_string_list_append (labels, whole);
          g_ptr_array_add (paths, g_strdup_printf ("%s\037", section->id));
          for (guint j = 0; section->fields != NULL && j < section->fields->len; j++)
            {
              const CpField *field = g_ptr_array_index (section->fields, j);
              /* Translators: "Section › Field" in the list of fields a comment is about */
              g_autofree char *label = g_strdup_printf (_("%s › %s"),
                                                        cp_text_get (section->title),
                                                        cp_text_get (field->label));

              gtk_string_list_append (labels, label);
              g_ptr_array_add (paths, g_strdup_printf ("%s\037%s", section->id, field->id));
            }
          /* The items of the scoring sheet belong to its section. */
          if (sheet != NULL && scoring->section == section)
            {
              GPtrArray *items = cp_scoring_sheet_get_items (sheet);

              for (guint j = 0; j < items->len; j++)
                {
                  const CpScoringItem *item = g_ptr_array_index (items, j);
                  /* Translators: scoring sheet › item number and title */
                  g_autofree char *label =
                    g_strdup_printf (_("%s › %s %s"),
                                     cp_text_get (cp_scoring_sheet_get_title (sheet)),
                                     item->id, cp_text_get (item->title));

                  gtk_string_list_append (labels, label);
                  g_ptr_array_add (paths, g_strdup_printf ("%s\037%s", section->id, item->id));
                }
            }
        }
    }

  row = g_ptr_array_index (self->rows, index);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Return the Packet?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("The packet of %s (%s) goes back to the enterprise. It "
                                    "sees each comment on the field it concerns, corrects "
                                    "the packet and submits it again."),
                                  adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                  (const char *) g_object_get_data (G_OBJECT (row),
                                                                    "cp-identity"));
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  rows_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  add = gtk_button_new_with_mnemonic (_("A_nother Comment"));
  gtk_widget_set_halign (add, GTK_ALIGN_START);
  gtk_widget_add_css_class (add, "flat");
  gtk_box_append (GTK_BOX (box), rows_box);
  gtk_box_append (GTK_BOX (box), add);
  adw_message_dialog_set_extra_child (dialog, box);
  g_object_set_data (G_OBJECT (dialog), "cp-rows-box", rows_box);
  g_object_set_data_full (G_OBJECT (dialog), "cp-rows", g_ptr_array_new (),
                          (GDestroyNotify) g_ptr_array_unref);
  g_object_set_data_full (G_OBJECT (dialog), "cp-labels", g_object_ref (labels),
                          g_object_unref);
  g_signal_connect (add, "clicked", G_CALLBACK (add_comment_clicked_cb), dialog);
  first = add_comment_row (dialog);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "return", _("_Return"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "return", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (dialog, "return", FALSE);
  g_object_set_data (G_OBJECT (dialog), "cp-index", GUINT_TO_POINTER (index));
  g_object_set_data_full (G_OBJECT (dialog), "cp-paths", paths,
                          (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect (dialog, "response", G_CALLBACK (return_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  /* The reviewer types the comment at once. */
  gtk_window_set_focus (GTK_WINDOW (dialog), first);
}

static void
row_activated_cb (AdwActionRow   *row,
                  CpReviewDialog *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "cp-index"));

  if (index < self->uuids->len)
    g_signal_emit (self, signals[OPEN_PACKET], 0, g_ptr_array_index (self->uuids, index));
}

/* One packet of the queue, as read in the thread: what its row shows and is sorted by. */
typedef struct
{
  char       *uuid;
  char       *kind;
  char       *name;
  char       *identity;   /* kind · year · code: what the Accept and Return dialogs name it by */
  char       *subtitle;
  QueueEntry  entry;
} QueueCandidate;

static void
queue_candidate_free (QueueCandidate *candidate)
{
  g_free (candidate->uuid);
  g_free (candidate->kind);
  g_free (candidate->name);
  g_free (candidate->identity);
  g_free (candidate->subtitle);
  queue_entry_clear (&candidate->entry);
  g_free (candidate);
}

/* Reads the packets the office has something to do with, in a thread: the queue opens at once
 * even with hundreds of packets in the store. Returns a GPtrArray of QueueCandidate. */
static GPtrArray *
queue_read (CpStore            *store,
            CpTemplateRegistry *registry)
{
  g_autoptr(GPtrArray) summaries = cp_store_list_packets (store, NULL);
  GPtrArray *candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) queue_candidate_free);

  for (guint i = 0; summaries != NULL && i < summaries->len; i++)
    {
      const CpPacketSummary *summary = g_ptr_array_index (summaries, i);
      g_autoptr(CpPacket) packet = NULL;
      g_autofree char *identity = NULL;
      g_autofree char *deadline = NULL;
      g_autofree char *name_and_code = NULL;
      CpStageDeadline stage;
      QueueCandidate *candidate;
      CpTemplate *tmpl = NULL;

      if (summary->state == CP_PACKET_STATE_DRAFT || summary->state == CP_PACKET_STATE_READY)
        continue;
      packet = cp_store_load_packet (store, summary->uuid, NULL);
      if (packet != NULL)
        tmpl = cp_template_registry_lookup_kind_version (registry, summary->kind,
                                                         cp_packet_get_template_version (packet));
      /* A kind with a review chain: the packets in a stage where the office has a part to
       * write or a step to take (a city office's are not a district office's); else the
       * submitted ones. */
      if (tmpl != NULL && cp_template_get_workflow (tmpl) != NULL)
        {
          if (!cp_app_is_my_turn (tmpl, cp_app_stage_for (tmpl, summary->state, summary->stage),
                                  cp_app_party_for (tmpl, "office", summary->party)))
            continue;
        }
      else if (summary->state != CP_PACKET_STATE_SUBMITTED)
        continue;

      candidate = g_new0 (QueueCandidate, 1);
      candidate->uuid = g_strdup (summary->uuid);
      candidate->kind = g_strdup (summary->kind);
      candidate->name = g_strdup (summary->enterprise_name != NULL ? summary->enterprise_name
                                                                   : _("Unnamed enterprise"));
      candidate->entry.days_left = G_MAXINT;
      if (packet != NULL)
        {
          const char *submitted = cp_packet_get_submitted_on (packet);
          const CpWorkflowState *in;

          in = tmpl != NULL ? cp_app_stage_for (tmpl, summary->state, summary->stage) : NULL;
          candidate->entry.submitted = submitted != NULL && *submitted ? g_strdup (submitted)
                                                                       : NULL;
          candidate->entry.stage = in != NULL ? g_strdup (cp_text_get (in->label)) : NULL;
          if (cp_app_get_stage_deadline (registry, packet, NULL, &stage))
            candidate->entry.days_left = stage.days_left;
          deadline = cp_app_deadline_text (registry, packet, NULL, NULL, NULL);
        }
      candidate->entry.district = district_of (summary->uscc);
      name_and_code = g_strdup_printf ("%s %s", candidate->name,
                                       summary->uscc != NULL ? summary->uscc : "");
      candidate->entry.folded = g_utf8_casefold (name_and_code, -1);

      /* Translators: kind of packet · campaign year · credit code */
      candidate->identity = g_strdup_printf (_("%s · %d · %s"),
                                             cp_app_kind_title (registry, summary->kind),
                                             summary->year,
                                             summary->uscc != NULL ? summary->uscc : "");
      identity = g_strdup (candidate->identity);
      if (candidate->entry.stage != NULL)
        {
          /* Translators: kind · year · code, then the stage of the review chain */
          g_autofree char *with_stage = g_strdup_printf (_("%s · %s"), identity,
                                                         candidate->entry.stage);

          g_free (identity);
          identity = g_steal_pointer (&with_stage);
        }
      if (candidate->entry.submitted != NULL && deadline != NULL)
        /* Translators: kind · year · code, then "submitted on 2026-04-12 · 12 days left" */
        candidate->subtitle = g_strdup_printf (_("%s\nsubmitted on %s · %s"), identity,
                                               candidate->entry.submitted, deadline);
      else if (candidate->entry.submitted != NULL)
        candidate->subtitle = g_strdup_printf (_("%s\nsubmitted on %s"), identity,
                                               candidate->entry.submitted);
      else if (deadline != NULL)
        candidate->subtitle = g_strdup_printf ("%s\n%s", identity, deadline);
      else
        candidate->subtitle = g_strdup (identity);
      g_ptr_array_add (candidates, candidate);
    }
  return candidates;
}

static void
queue_read_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CpTemplateRegistry *registry = g_object_get_data (G_OBJECT (task), "cp-registry");

  g_task_return_pointer (task, queue_read (task_data, registry),
                         (GDestroyNotify) g_ptr_array_unref);
}

/* The rows, once the thread has read them. */
static void
cp_review_dialog_add_rows (CpReviewDialog *self,
                           GPtrArray      *candidates)
{
  for (guint i = 0; i < candidates->len; i++)
    {
      QueueCandidate *candidate = g_ptr_array_index (candidates, i);
      GtkWidget *row, *accept, *return_button;
      guint index = self->uuids->len;
      QueueEntry *entry;

      /* The entry moves into the dialog. */
      g_array_append_val (self->entries, candidate->entry);
      memset (&candidate->entry, 0, sizeof candidate->entry);
      entry = &g_array_index (self->entries, QueueEntry, index);
      if (entry->district != NULL && !g_ptr_array_find_with_equal_func (self->districts,
                                                                       entry->district,
                                                                       g_str_equal, NULL))
        g_ptr_array_add (self->districts, g_strdup (entry->district));
      if (!g_ptr_array_find_with_equal_func (self->kind_ids, candidate->kind, g_str_equal, NULL))
        g_ptr_array_add (self->kind_ids, g_strdup (candidate->kind));
      if (entry->stage != NULL && !g_ptr_array_find_with_equal_func (self->stages, entry->stage,
                                                                    g_str_equal, NULL))
        g_ptr_array_add (self->stages, g_strdup (entry->stage));

      row = adw_action_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), candidate->name);
      /* What the Accept and Return dialogs name the packet by. */
      g_object_set_data_full (G_OBJECT (row), "cp-identity", g_strdup (candidate->identity),
                              g_free);
      /* Enter or a click opens the packet itself, to read it and write the office's part. */
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row),
                                 gtk_image_new_from_icon_name ("document-open-symbolic"));
      g_object_set_data (G_OBJECT (row), "cp-index", GUINT_TO_POINTER (index));
      g_signal_connect (row, "activated", G_CALLBACK (row_activated_cb), self);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), candidate->subtitle);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);

      return_button = gtk_button_new_with_mnemonic (_("_Return…"));
      gtk_widget_set_valign (return_button, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (return_button), "cp-index", GUINT_TO_POINTER (index));
      g_signal_connect (return_button, "clicked", G_CALLBACK (return_clicked_cb), self);
      accept = gtk_button_new_with_mnemonic (_("_Accept"));
      gtk_widget_set_valign (accept, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (accept, "suggested-action");
      g_object_set_data (G_OBJECT (accept), "cp-index", GUINT_TO_POINTER (index));
      g_signal_connect (accept, "clicked", G_CALLBACK (accept_clicked_cb), self);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), return_button);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), accept);

      adw_preferences_group_add (self->group, row);
      g_ptr_array_add (self->rows, row);
      g_ptr_array_add (self->uuids, g_strdup (candidate->uuid));
      g_ptr_array_add (self->kinds, g_strdup (candidate->kind));
    }

  /* The filters offer what the queue holds. */
  {
    g_autoptr(GtkStringList) kinds = gtk_string_list_new (NULL);
    g_autoptr(GtkStringList) districts = gtk_string_list_new (NULL);
    g_autoptr(GtkStringList) stages = gtk_string_list_new (NULL);

    gtk_string_list_append (kinds, _("All kinds"));
    for (guint i = 0; i < self->kind_ids->len; i++)
      gtk_string_list_append (kinds, cp_app_kind_title (self->registry,
                                                        g_ptr_array_index (self->kind_ids, i)));
    gtk_string_list_append (districts, _("All districts"));
    for (guint i = 0; i < self->districts->len; i++)
      gtk_string_list_append (districts, g_ptr_array_index (self->districts, i));
    gtk_drop_down_set_model (self->kind_dropdown, G_LIST_MODEL (kinds));
    gtk_drop_down_set_model (self->district_dropdown, G_LIST_MODEL (districts));
    gtk_string_list_append (stages, _("All stages"));
    for (guint i = 0; i < self->stages->len; i++)
      gtk_string_list_append (stages, g_ptr_array_index (self->stages, i));
    gtk_drop_down_set_model (self->stage_dropdown, G_LIST_MODEL (stages));
    /* A queue whose packets are all in one stage needs no such filter. */
    gtk_widget_set_visible (GTK_WIDGET (self->stage_dropdown), self->stages->len > 1);
  }
}

static void
queue_read_done_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  CpReviewDialog *self = CP_REVIEW_DIALOG (object);
  g_autoptr(GPtrArray) candidates = g_task_propagate_pointer (G_TASK (result), NULL);

  /* Closed meanwhile. */
  if (g_cancellable_is_cancelled (self->cancellable) || candidates == NULL)
    return;
  g_object_freeze_notify (G_OBJECT (self));
  cp_review_dialog_add_rows (self, candidates);
  self->loaded = TRUE;
  cp_review_dialog_refilter (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ROWS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
cp_review_dialog_fill (CpReviewDialog *self,
                       CpStore        *store)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, queue_read_done_cb, NULL);

  g_task_set_source_tag (task, cp_review_dialog_fill);
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "cp-registry", g_object_ref (self->registry),
                          g_object_unref);
  cp_review_dialog_refilter (self);
  g_task_run_in_thread (task, queue_read_thread);
}

static void
cp_review_dialog_dispose (GObject *object)
{
  CpReviewDialog *self = CP_REVIEW_DIALOG (object);

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (cp_review_dialog_parent_class)->dispose (object);
}

static void
cp_review_dialog_finalize (GObject *object)
{
  CpReviewDialog *self = CP_REVIEW_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->registry);
  g_clear_pointer (&self->uuids, g_ptr_array_unref);
  g_clear_pointer (&self->kinds, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->entries, g_array_unref);
  g_clear_pointer (&self->kind_ids, g_ptr_array_unref);
  g_clear_pointer (&self->districts, g_ptr_array_unref);
  g_clear_pointer (&self->stages, g_ptr_array_unref);

  G_OBJECT_CLASS (cp_review_dialog_parent_class)->finalize (object);
}

static void
cp_review_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CpReviewDialog *self = CP_REVIEW_DIALOG (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy > 0);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, cp_review_dialog_get_message (self));
      break;
    case PROP_N_ROWS:
      g_value_set_uint (value, self->uuids->len);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_review_dialog_class_init (CpReviewDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = cp_review_dialog_dispose;
  object_class->finalize = cp_review_dialog_finalize;
  object_class->get_property = cp_review_dialog_get_property;

  /* Whether a return or an acceptance is on its way to the server. */
  properties[PROP_BUSY] = g_param_spec_boolean ("busy", NULL, NULL, FALSE, flags);
  /* The last outcome ("The packet was accepted.", an error), or NULL. */
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, flags);
  /* The submitted packets listed. */
  properties[PROP_N_ROWS] = g_param_spec_uint ("n-rows", NULL, NULL, 0, G_MAXUINT, 0, flags);
  /* Whether the queue has been read (it is read in a thread when the dialog opens). */
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
  /* A row was activated: open the packet (its UUID) in the window. */
  signals[OPEN_PACKET] = g_signal_new ("open-packet", G_TYPE_FROM_CLASS (klass),
                                       G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                       G_TYPE_STRING);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cp_review_dialog_init (CpReviewDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *message_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *filters;

  self->uuids = g_ptr_array_new_with_free_func (g_free);
  self->kinds = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->pending_row = -1;
  gtk_window_set_title (GTK_WINDOW (self), _("Review Queue"));
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 640, 560);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (self), TRUE);

  self->entries = g_array_new (FALSE, TRUE, sizeof (QueueEntry));
  g_array_set_clear_func (self->entries, (GDestroyNotify) queue_entry_clear);
  self->kind_ids = g_ptr_array_new_with_free_func (g_free);
  self->districts = g_ptr_array_new_with_free_func (g_free);
  self->stages = g_ptr_array_new_with_free_func (g_free);

  /* Search, filters and order, above the rows. */
  filters = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  self->search_entry = GTK_SEARCH_ENTRY (gtk_search_entry_new ());
  g_object_set (self->search_entry, "placeholder-text", _("Enterprise or credit code"), NULL);
  gtk_widget_set_hexpand (GTK_WIDGET (self->search_entry), TRUE);
  g_signal_connect_swapped (self->search_entry, "search-changed",
                            G_CALLBACK (filters_changed_cb), self);
  self->kind_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->kind_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Kind of packet"), -1);
  self->district_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->district_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("District"), -1);
  {
    const char *orders[] = { N_("Submitted first"), N_("Nearest deadline"),
                             N_("Enterprise name"), NULL };
    g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

    for (guint i = 0; orders[i] != NULL; i++)
      gtk_string_list_append (names, _(orders[i]));
    self->sort_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (names)),
                                                            NULL));
  }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->sort_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Order"), -1);
  g_signal_connect_swapped (self->kind_dropdown, "notify::selected",
                            G_CALLBACK (filters_changed_cb), self);
  g_signal_connect_swapped (self->district_dropdown, "notify::selected",
                            G_CALLBACK (filters_changed_cb), self);
  self->stage_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (NULL, NULL));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->stage_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Stage"), -1);
  g_signal_connect_swapped (self->stage_dropdown, "notify::selected",
                            G_CALLBACK (filters_changed_cb), self);
  g_signal_connect_swapped (self->sort_dropdown, "notify::selected",
                            G_CALLBACK (filters_changed_cb), self);
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->search_entry));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->kind_dropdown));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->district_dropdown));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->stage_dropdown));
  gtk_box_append (GTK_BOX (filters), GTK_WIDGET (self->sort_dropdown));
  adw_preferences_group_add (message_group, filters);

  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Submitted Packets"));
  self->message_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->message_label, TRUE);
  gtk_label_set_xalign (self->message_label, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->message_label), FALSE);
  adw_preferences_group_add (message_group, GTK_WIDGET (self->message_label));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), message_group);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->group);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);
}

CpReviewDialog *
cp_review_dialog_new (GtkWindow          *parent,
                      CpSyncManager      *manager,
                      CpStore            *store,
                      CpTemplateRegistry *registry)
{
  CpReviewDialog *self;

  g_return_val_if_fail (CP_IS_SYNC_MANAGER (manager), NULL);
  g_return_val_if_fail (CP_IS_STORE (store), NULL);
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);

  self = g_object_new (CP_TYPE_REVIEW_DIALOG, "transient-for", parent, NULL);
  self->manager = g_object_ref (manager);
  self->registry = g_object_ref (registry);
  cp_review_dialog_fill (self, store);
  return self;
}

const char *
cp_review_dialog_get_uuid (CpReviewDialog *self,
                           guint           index)
{
  g_return_val_if_fail (CP_IS_REVIEW_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->uuids->len, NULL);
  return g_ptr_array_index (self->uuids, index);
}

GtkWidget *
cp_review_dialog_get_row (CpReviewDialog *self,
                          guint           index)
{
  g_return_val_if_fail (CP_IS_REVIEW_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->rows->len, NULL);
  return g_ptr_array_index (self->rows, index);
}

AdwMessageDialog *
cp_review_dialog_ask_accept (CpReviewDialog *self,
                             guint           index)
{
  AdwMessageDialog *dialog;
  const char *title;

  g_return_val_if_fail (CP_IS_REVIEW_DIALOG (self), NULL);
  g_return_val_if_fail (index < self->uuids->len, NULL);

  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (g_ptr_array_index (self->rows,
                                                                                 index)));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Accept This Packet?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("The packet of %s (%s) is accepted as complete and "
                                    "correct. The enterprise and its agency see the decision "
                                    "at their next sync, and the packet can then no longer be "
                                    "changed or returned."),
                                  title,
                                  (const char *) g_object_get_data (
                                    g_ptr_array_index (self->rows, index), "cp-identity"));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "accept", _("_Accept"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "cp-index", GUINT_TO_POINTER (index));
  g_signal_connect (dialog, "response", G_CALLBACK (accept_response_cb), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

void
cp_review_dialog_accept (CpReviewDialog *self,
                         guint           index)
{
  g_return_if_fail (CP_IS_REVIEW_DIALOG (self));
  g_return_if_fail (index < self->uuids->len);

  cp_review_dialog_decide (self, index, NULL);
}

void
cp_review_dialog_return (CpReviewDialog *self,
                         guint           index,
                         const char     *section,
                         const char     *field,
                         const char     *comment)
{
  g_autoptr(GPtrArray) comments = g_ptr_array_new ();
  CpComment one = { 0 };

  g_return_if_fail (CP_IS_REVIEW_DIALOG (self));
  g_return_if_fail (comment != NULL);

  one.section = (char *) section;
  one.field = (char *) field;
  one.text = (char *) comment;
  g_ptr_array_add (comments, &one);
  cp_review_dialog_return_comments (self, index, comments);
}

void
cp_review_dialog_return_comments (CpReviewDialog *self,
                                  guint           index,
                                  GPtrArray      *comments)
{
  g_return_if_fail (CP_IS_REVIEW_DIALOG (self));
  g_return_if_fail (index < self->uuids->len);
  g_return_if_fail (comments != NULL && comments->len > 0);

  cp_review_dialog_decide (self, index, comments);
}
