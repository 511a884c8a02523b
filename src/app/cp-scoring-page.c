/* cp-scoring-page.c — the scoring sheet of the on-site review, keyboard first
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-scoring-page.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cp-score-row.h"
#include "cp-scoring.h"

#define CP_SCORING_ERROR (cp_scoring_page_error_quark ())

typedef enum
{
  CP_SCORING_PAGE_ERROR_NOT_A_NUMBER,
  CP_SCORING_PAGE_ERROR_OUT_OF_RANGE,
  CP_SCORING_PAGE_ERROR_STEP,
  CP_SCORING_PAGE_ERROR_UNKNOWN_ITEM,
} CpScoringPageError;

struct _CpScoringPage
{
  AdwBin              parent_instance;

  CpScoringSheet     *sheet;
  CpPacket           *packet;
  GListStore         *rows;
  GtkFilterListModel *filtered;
  GtkCustomFilter    *filter;
  GtkColumnView      *column_view;
  GtkWidget          *scrolled;
  GtkWidget          *message_label;
  GtkWidget          *notes_box;
  GtkWidget          *clock_label;
  GtkWidget          *clock_button;
  GtkWidget          *unscored_button;
  GtkWidget          *totals_box;
  GtkWidget          *category_grid;
  GtkWidget          *total_labels[2];
  GtkWidget          *verdict_labels[2];
  GHashTable         *entries[3];     /* CpScoreRow → GtkEntry, per column (and notes) */
  GHashTable         *category_labels; /* category id → GtkLabel */
  GHashTable         *evidence_buttons; /* CpScoreRow → GtkButton */
  char               *total_text[2];
  char               *verdict_text[2];
  char               *message;
  guint               clock_id;
  gboolean            only_unscored;
  gboolean            columns[2];     /* which score columns are shown */
};

enum {
  SCORE_EDITED,
  CLOCK_CHANGED,
  EVIDENCE_CHOSEN,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpScoringPage, cp_scoring_page, ADW_TYPE_BIN)

static GQuark
cp_scoring_page_error_quark (void)
{
  return g_quark_from_static_string ("cp-scoring-page-error-quark");
}

static char *
format_points (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == floor (value))
    return g_strdup_printf ("%.0f", value);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", value));
}

static CpScoreRow *
cp_scoring_page_lookup_row (CpScoringPage *self,
                            const char    *item_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->rows));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpScoreRow) row = g_list_model_get_item (G_LIST_MODEL (self->rows), i);

      if (g_strcmp0 (cp_score_row_get_id (row), item_id) == 0)
        return row;  /* the store keeps its reference */
    }
  return NULL;
}

static gboolean
row_is_unscored (CpScoringPage *self,
                 CpScoreRow    *row)
{
  const CpItemScore *score = cp_packet_get_score (self->packet, cp_score_row_get_id (row));

  if (cp_score_row_get_adjustment (row) != NULL)
    return FALSE;
  if (self->columns[CP_SCORE_SELF] &&
      (score == NULL || !score->has_self))
    return TRUE;
  if (self->columns[CP_SCORE_ACCEPTANCE] &&
      (score == NULL || !score->has_acceptance))
    return TRUE;
  return FALSE;
}

static gboolean
unscored_filter_func (gpointer item,
                      gpointer user_data)
{
  CpScoringPage *self = user_data;

  return !self->only_unscored || row_is_unscored (self, item);
}

static void
cp_scoring_page_set_message (CpScoringPage *self,
                             const char    *message)
{
  g_free (self->message);
  self->message = g_strdup (message);
  gtk_label_set_text (GTK_LABEL (self->message_label), message != NULL ? message : "");
  gtk_widget_set_visible (self->message_label, message != NULL);
}

/* Totals. */

void
cp_scoring_page_refresh (CpScoringPage *self)
{
  g_autoptr(CpScoreSummary) summary = NULL;
  CpScoreColumn columns[] = { CP_SCORE_SELF, CP_SCORE_ACCEPTANCE };

  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  summary = cp_scoring_compute (self->sheet, self->packet);
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    {
      CpScoreColumn column = columns[c];
      g_autofree char *total = NULL;
      g_autofree char *max = NULL;
      g_autoptr(GString) verdict = g_string_new (NULL);
      guint n_scored, n_items;

      if (!self->columns[column])
        continue;

      total = format_points (cp_score_summary_get_total (summary, column));
      max = format_points (cp_scoring_sheet_get_total (self->sheet));
      n_scored = cp_score_summary_get_n_scored (summary, column);
      n_items = cp_score_summary_get_n_items (summary);
      g_free (self->total_text[c]);
      /* Translators: points reached of the maximum, then items scored of all items */
      self->total_text[c] = g_strdup_printf (_("%s of %s points · %u of %u items scored"),
                                             total, max, n_scored, n_items);

      if (cp_scoring_sheet_get_n_grades (self->sheet) > 0)
        {
          const char *grade = cp_score_summary_get_grade (summary, column);

          if (grade != NULL)
            {
              const CpScoringMark *mark = NULL;

              for (guint i = 0; i < cp_scoring_sheet_get_n_grades (self->sheet); i++)
                if (g_strcmp0 (cp_scoring_sheet_get_grade (self->sheet, i)->id, grade) == 0)
                  mark = cp_scoring_sheet_get_grade (self->sheet, i);
              g_string_append_printf (verdict, _("Grade %s"),
                                      mark != NULL && mark->label != NULL
                                      ? cp_text_get (mark->label) : grade);
            }
          else
            g_string_append (verdict, _("Below every grade"));
        }
      for (guint i = 0; i < cp_scoring_sheet_get_n_pass_marks (self->sheet); i++)
        {
          const CpScoringMark *mark = cp_scoring_sheet_get_pass_mark (self->sheet, i);
          g_autofree char *min = format_points (mark->min);
          const char *label = mark->label != NULL ? cp_text_get (mark->label) : mark->id;

          if (verdict->len > 0)
            g_string_append_c (verdict, '\n');
          if (cp_score_summary_meets_pass_mark (summary, column, mark->id))
            /* Translators: pass mark name, its points */
            g_string_append_printf (verdict, _("✓ %s (%s): passed"), label, min);
          else
            {
              g_autofree char *missing =
                format_points (mark->min - cp_score_summary_get_total (summary, column));
              /* Translators: pass mark name, its points, points still missing */
              g_string_append_printf (verdict, _("✗ %s (%s): not reached, %s points short"),
                                      label, min, missing);
            }
        }
      g_free (self->verdict_text[c]);
      self->verdict_text[c] = g_string_free (g_steal_pointer (&verdict), FALSE);
      gtk_label_set_text (GTK_LABEL (self->total_labels[c]), self->total_text[c]);
      gtk_label_set_text (GTK_LABEL (self->verdict_labels[c]), self->verdict_text[c]);
    }

  for (guint i = 0; i < cp_scoring_sheet_get_n_categories (self->sheet); i++)
    {
      const CpScoringCategory *category = cp_scoring_sheet_get_category (self->sheet, i);
      GtkWidget *label = g_hash_table_lookup (self->category_labels, category->id);
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *max = format_points (category->points);

      if (label == NULL)
        continue;
      for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
        {
          g_autofree char *points = NULL;

          if (!self->columns[columns[c]])
            continue;
          points = format_points (cp_score_summary_get_subtotal (summary, columns[c],
                                                                 category->id));
          if (text->len > 0)
            g_string_append (text, " · ");
          g_string_append_printf (text, "%s/%s", points, max);
        }
      gtk_label_set_text (GTK_LABEL (label), text->str);
    }
}

/* Entering scores. */

gboolean
cp_scoring_page_enter_score (CpScoringPage  *self,
                             const char     *item_id,
                             CpScoreColumn   column,
                             const char     *text,
                             GError        **error)
{
  CpScoreRow *row;
  g_autofree char *copy = NULL;
  const CpItemScore *score;
  double value, min, max, step;
  char *end = NULL;

  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), FALSE);
  g_return_val_if_fail (item_id != NULL, FALSE);

  row = cp_scoring_page_lookup_row (self, item_id);
  if (row == NULL)
    {
      g_set_error (error, CP_SCORING_ERROR, CP_SCORING_PAGE_ERROR_UNKNOWN_ITEM,
                   _("The sheet has no item %s."), item_id);
      return FALSE;
    }
  score = cp_packet_get_score (self->packet, item_id);
  copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_strdelimit (copy, ",", '.');

  if (*copy == '\0')
    {
      gboolean had = score != NULL && (column == CP_SCORE_SELF ? score->has_self
                                                               : score->has_acceptance);
      if (had)
        {
          cp_packet_unset_score (self->packet, item_id, column);
          g_signal_emit (self, signals [SCORE_EDITED], 0, item_id, (int) column);
          cp_scoring_page_refresh (self);
        }
      return TRUE;
    }

  value = g_ascii_strtod (copy, &end);
  if (end == NULL || *end != '\0' || !isfinite (value))
    {
      g_set_error (error, CP_SCORING_ERROR, CP_SCORING_PAGE_ERROR_NOT_A_NUMBER,
                   _("“%s” is not a number. Type the points for item %s, for example 8 or 7.5."),
                   copy, item_id);
      return FALSE;
    }
  min = cp_score_row_get_min (row);
  max = cp_score_row_get_max (row);
  if (value > max || value < min)
    {
      g_autofree char *min_text = format_points (min);
      g_autofree char *max_text = format_points (max);

      g_set_error (error, CP_SCORING_ERROR, CP_SCORING_PAGE_ERROR_OUT_OF_RANGE,
                   _("Item %s takes %s to %s points; %s is refused."),
                   item_id, min_text, max_text, copy);
      return FALSE;
    }
  step = cp_scoring_sheet_get_step (self->sheet);
  if (step > 0 && fabs (value / step - round (value / step)) > 1e-9)
    {
      g_autofree char *step_text = format_points (step);

      g_set_error (error, CP_SCORING_ERROR, CP_SCORING_PAGE_ERROR_STEP,
                   _("Scores on this sheet go in steps of %s points; %s is refused."),
                   step_text, copy);
      return FALSE;
    }

  if (score != NULL && (column == CP_SCORE_SELF ? score->has_self && score->self == value
                                                : score->has_acceptance &&
                                                  score->acceptance == value))
    return TRUE;
  cp_packet_set_score (self->packet, item_id, column, value);
  g_signal_emit (self, signals [SCORE_EDITED], 0, item_id, (int) column);
  cp_scoring_page_refresh (self);
  return TRUE;
}

static char *
score_text (CpScoringPage *self,
            CpScoreRow    *row,
            int            column)
{
  const CpItemScore *score = cp_packet_get_score (self->packet, cp_score_row_get_id (row));

  if (score == NULL)
    return g_strdup ("");
  if (column == CP_SCORING_PAGE_NOTE)
    return g_strdup (score->note != NULL ? score->note : "");
  if (column == CP_SCORE_SELF && score->has_self)
    return format_points (score->self);
  if (column == CP_SCORE_ACCEPTANCE && score->has_acceptance)
    return format_points (score->acceptance);
  return g_strdup ("");
}

static gboolean
commit_entry (CpScoringPage *self,
              GtkEntry      *entry)
{
  CpScoreRow *row = g_object_get_data (G_OBJECT (entry), "cp-row");
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry), "cp-column"));
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GError) error = NULL;

  if (row == NULL)
    return TRUE;

  if (column == CP_SCORING_PAGE_NOTE)
    {
      g_autofree char *old = score_text (self, row, column);
      g_autofree char *stripped = g_strstrip (g_strdup (text));

      if (g_strcmp0 (old, stripped) != 0)
        {
          cp_packet_set_score_note (self->packet, cp_score_row_get_id (row),
                                    *stripped ? stripped : NULL);
          g_signal_emit (self, signals [SCORE_EDITED], 0, cp_score_row_get_id (row), column);
        }
      return TRUE;
    }

  if (!cp_scoring_page_enter_score (self, cp_score_row_get_id (row), column, text, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      cp_scoring_page_set_message (self, error->message);
      gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, error->message,
                                      -1);
      gtk_widget_error_bell (GTK_WIDGET (entry));
      return FALSE;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_accessible_reset_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
  cp_scoring_page_set_message (self, NULL);
  return TRUE;
}

static guint
cp_scoring_page_shown_position (CpScoringPage *self,
                                CpScoreRow    *row)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpScoreRow) other = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);

      if (other == row)
        return i;
    }
  return GTK_INVALID_LIST_POSITION;
}

static gboolean
cp_scoring_page_focus_row (CpScoringPage *self,
                           CpScoreRow    *row,
                           int            column)
{
  GtkWidget *entry = g_hash_table_lookup (self->entries[column], row);
  guint position = cp_scoring_page_shown_position (self, row);
  GtkAdjustment *adj;

  if (position == GTK_INVALID_LIST_POSITION)
    return FALSE;
  if (entry == NULL)
    {
      /* The row has no widget yet: scroll it into view and bind it. */
      adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (self->scrolled));
      gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) * position /
                                     MAX (1, g_list_model_get_n_items (G_LIST_MODEL (self->filtered))));
      for (int i = 0; i < 20 && entry == NULL; i++)
        {
          g_main_context_iteration (NULL, FALSE);
          entry = g_hash_table_lookup (self->entries[column], row);
        }
    }
  if (entry == NULL)
    return FALSE;
  gtk_widget_grab_focus (entry);
  gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
  return TRUE;
}

static void
move_to_next (CpScoringPage *self,
              GtkEntry      *entry,
              int            direction)
{
  CpScoreRow *row = g_object_get_data (G_OBJECT (entry), "cp-row");
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry), "cp-column"));
  guint position, n;
  g_autoptr(CpScoreRow) next = NULL;

  position = cp_scoring_page_shown_position (self, row);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  if (position == GTK_INVALID_LIST_POSITION)
    return;
  if ((direction > 0 && position + 1 >= n) || (direction < 0 && position == 0))
    return;
  next = g_list_model_get_item (G_LIST_MODEL (self->filtered), position + direction);
  cp_scoring_page_focus_row (self, next, column);
}

static void
entry_activate_cb (GtkEntry      *entry,
                   CpScoringPage *self)
{
  if (commit_entry (self, entry))
    move_to_next (self, entry, 1);
}

static gboolean
entry_key_pressed_cb (GtkEventControllerKey *controller,
                      guint                  keyval,
                      guint                  keycode,
                      GdkModifierType        state,
                      CpScoringPage         *self)
{
  GtkEntry *entry = GTK_ENTRY (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));

  switch (keyval)
    {
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      if (state & GDK_CONTROL_MASK)
        return FALSE;
      if (commit_entry (self, entry))
        move_to_next (self, entry, (state & GDK_SHIFT_MASK) ? -1 : 1);
      return TRUE;
    case GDK_KEY_ISO_Left_Tab:
      if (commit_entry (self, entry))
        move_to_next (self, entry, -1);
      return TRUE;
    case GDK_KEY_Down:
      if (commit_entry (self, entry))
        move_to_next (self, entry, 1);
      return TRUE;
    case GDK_KEY_Up:
      if (commit_entry (self, entry))
        move_to_next (self, entry, -1);
      return TRUE;
    default:
      return FALSE;
    }
}

static void
entry_focus_leave_cb (GtkEventControllerFocus *controller,
                      CpScoringPage           *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));

  commit_entry (self, GTK_ENTRY (entry));
}

/* Column cells. */

static void
entry_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                CpScoringPage            *self)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "cp-column"));
  GtkWidget *entry = gtk_entry_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();

  if (column == CP_SCORING_PAGE_NOTE)
    {
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 14);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Note"));
    }
  else
    {
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 5);
      gtk_entry_set_alignment (GTK_ENTRY (entry), 1.0);
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
      gtk_widget_add_css_class (entry, "numeric");
      gtk_widget_add_css_class (entry, "score-entry");
    }
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (entry), "cp-column", GINT_TO_POINTER (column));
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
  g_signal_connect (focus, "leave", G_CALLBACK (entry_focus_leave_cb), self);
  gtk_widget_add_controller (entry, key);
  gtk_widget_add_controller (entry, focus);
  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), self);
  gtk_list_item_set_child (list_item, entry);
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
entry_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CpScoringPage            *self)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "cp-column"));
  CpScoreRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *entry = gtk_list_item_get_child (list_item);
  g_autofree char *text = score_text (self, row, column);
  g_autofree char *label = NULL;
  const char *title = cp_score_row_get_item (row) != NULL
                      ? cp_text_get (cp_score_row_get_item (row)->title)
                      : cp_text_get (cp_score_row_get_adjustment (row)->title);

  g_object_set_data (G_OBJECT (entry), "cp-row", NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_widget_remove_css_class (entry, "error");
  g_object_set_data (G_OBJECT (entry), "cp-row", row);
  g_hash_table_insert (self->entries[column], row, entry);

  switch (column)
    {
    case CP_SCORE_SELF:
      /* Translators: item id and title */
      label = g_strdup_printf (_("Self-assessment score for %s %s"),
                               cp_score_row_get_id (row), title);
      break;
    case CP_SCORE_ACCEPTANCE:
      label = g_strdup_printf (_("Acceptance score for %s %s"), cp_score_row_get_id (row), title);
      break;
    default:
      label = g_strdup_printf (_("Note for %s %s"), cp_score_row_get_id (row), title);
      break;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
entry_unbind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CpScoringPage            *self)
{
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (factory), "cp-column"));
  CpScoreRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *entry = gtk_list_item_get_child (list_item);

  if (gtk_widget_has_focus (entry))
    commit_entry (self, GTK_ENTRY (entry));
  if (g_hash_table_lookup (self->entries[column], row) == entry)
    g_hash_table_remove (self->entries[column], row);
  g_object_set_data (G_OBJECT (entry), "cp-row", NULL);
}

static void
label_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                CpScoringPage            *self)
{
  const char *kind = g_object_get_data (G_OBJECT (factory), "cp-kind");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption = gtk_label_new (NULL);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_xalign (GTK_LABEL (label), g_str_equal (kind, "max") ? 1 : 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  if (g_str_equal (kind, "guidance"))
    {
      gtk_widget_add_css_class (label, "dim-label");
      gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
      gtk_label_set_width_chars (GTK_LABEL (label), 24);
    }
  else if (g_str_equal (kind, "item"))
    {
      gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
      gtk_label_set_width_chars (GTK_LABEL (label), 20);
    }
  else
    gtk_widget_add_css_class (label, "numeric");
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_list_item_set_child (list_item, box);
}

static void
label_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CpScoringPage            *self)
{
  const char *kind = g_object_get_data (G_OBJECT (factory), "cp-kind");
  CpScoreRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *caption = gtk_widget_get_first_child (box);
  GtkWidget *label = gtk_widget_get_next_sibling (caption);
  const CpScoringItem *item = cp_score_row_get_item (row);
  const CpScoringAdjustment *adjustment = cp_score_row_get_adjustment (row);

  gtk_widget_set_visible (caption, FALSE);
  if (g_str_equal (kind, "item"))
    {
      g_autofree char *text = NULL;

      if (item != NULL)
        {
          g_autofree char *where = g_strdup_printf ("%s › %s",
                                                    cp_text_get (item->subcategory->category->title),
                                                    cp_text_get (item->subcategory->title));

          gtk_label_set_text (GTK_LABEL (caption), where);
          gtk_widget_set_visible (caption, TRUE);
          text = g_strdup_printf ("%s %s", item->id, cp_text_get (item->title));
        }
      else
        {
          gtk_label_set_text (GTK_LABEL (caption), _("Addition or deduction"));
          gtk_widget_set_visible (caption, TRUE);
          text = g_strdup_printf ("%s %s", adjustment->id, cp_text_get (adjustment->title));
        }
      gtk_label_set_text (GTK_LABEL (label), text);
    }
  else if (g_str_equal (kind, "guidance"))
    {
      const CpText *guidance = item != NULL ? item->guidance : adjustment->guidance;
      const CpText *evidence = item != NULL ? item->evidence : adjustment->evidence;
      g_autoptr(GString) text = g_string_new (guidance != NULL ? cp_text_get (guidance) : "");

      if (evidence != NULL)
        {
          if (text->len > 0)
            g_string_append_c (text, '\n');
          /* Translators: what document proves the item */
          g_string_append_printf (text, _("Evidence: %s"), cp_text_get (evidence));
        }
      gtk_label_set_text (GTK_LABEL (label), text->str);
    }
  else
    {
      g_autofree char *max = format_points (cp_score_row_get_max (row));

      if (adjustment != NULL)
        {
          g_autofree char *min = format_points (cp_score_row_get_min (row));
          g_autofree char *range = g_strdup_printf ("%s … %s", min, max);

          gtk_label_set_text (GTK_LABEL (label), range);
        }
      else
        gtk_label_set_text (GTK_LABEL (label), max);
    }
}

/* Evidence: one attachment per item, chosen with the file chooser; the packet view stores it. */

static void
update_evidence_button (CpScoringPage *self,
                        GtkWidget     *button,
                        CpScoreRow    *row)
{
  const CpItemScore *score = cp_packet_get_score (self->packet, cp_score_row_get_id (row));
  const CpAttachment *attachment = score != NULL && score->evidence != NULL
                                   ? cp_packet_find_attachment (self->packet, score->evidence)
                                   : NULL;
  g_autofree char *label = NULL;

  if (attachment != NULL)
    {
      gtk_button_set_label (GTK_BUTTON (button), attachment->name);
      label = g_strdup_printf (_("Evidence for %s: %s. Choose another file"),
                               cp_score_row_get_id (row), attachment->name);
      gtk_widget_set_tooltip_text (button, attachment->sha256);
    }
  else
    {
      gtk_button_set_icon_name (GTK_BUTTON (button), "mail-attachment-symbolic");
      label = g_strdup_printf (_("Attach evidence for %s"), cp_score_row_get_id (row));
      gtk_widget_set_tooltip_text (button, _("Attach evidence"));
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
}

static void
evidence_response_cb (GtkNativeDialog *native,
                      int              response,
                      CpScoringPage   *self)
{
  const char *item_id = g_object_get_data (G_OBJECT (native), "cp-item");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));

      if (file != NULL)
        cp_scoring_page_attach_evidence (self, item_id, file);
    }
  gtk_native_dialog_destroy (native);
  g_object_unref (native);
}

static void
evidence_clicked_cb (GtkButton     *button,
                     CpScoringPage *self)
{
  CpScoreRow *row = g_object_get_data (G_OBJECT (button), "cp-row");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;

  if (row == NULL)
    return;
  native = gtk_file_chooser_native_new (_("Attach Evidence"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_object_set_data_full (G_OBJECT (native), "cp-item", g_strdup (cp_score_row_get_id (row)),
                          g_free);
  g_signal_connect (native, "response", G_CALLBACK (evidence_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
evidence_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   CpScoringPage            *self)
{
  GtkWidget *button = gtk_button_new ();

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_size_request (button, 40, -1);
  g_signal_connect (button, "clicked", G_CALLBACK (evidence_clicked_cb), self);
  gtk_list_item_set_child (list_item, button);
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
evidence_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  CpScoringPage            *self)
{
  CpScoreRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *button = gtk_list_item_get_child (list_item);

  g_object_set_data (G_OBJECT (button), "cp-row", row);
  g_hash_table_insert (self->evidence_buttons, row, button);
  update_evidence_button (self, button, row);
}

static void
evidence_unbind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    CpScoringPage            *self)
{
  CpScoreRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *button = gtk_list_item_get_child (list_item);

  if (g_hash_table_lookup (self->evidence_buttons, row) == button)
    g_hash_table_remove (self->evidence_buttons, row);
  g_object_set_data (G_OBJECT (button), "cp-row", NULL);
}

static void
add_evidence_column (CpScoringPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  g_signal_connect (factory, "setup", G_CALLBACK (evidence_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (evidence_bind_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (evidence_unbind_cb), self);
  col = gtk_column_view_column_new (_("Evidence"), g_object_ref (factory));
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_fixed_width (col, 120);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
}

static GtkColumnViewColumn *
add_column (CpScoringPage *self,
            const char    *title,
            const char    *kind,
            int            column,
            gboolean       expand)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;

  if (kind != NULL)
    {
      g_object_set_data (G_OBJECT (factory), "cp-kind", (gpointer) kind);
      g_signal_connect (factory, "setup", G_CALLBACK (label_setup_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (label_bind_cb), self);
    }
  else
    {
      g_object_set_data (G_OBJECT (factory), "cp-column", GINT_TO_POINTER (column));
      g_signal_connect (factory, "setup", G_CALLBACK (entry_setup_cb), self);
      g_signal_connect (factory, "bind", G_CALLBACK (entry_bind_cb), self);
      g_signal_connect (factory, "unbind", G_CALLBACK (entry_unbind_cb), self);
    }
  col = gtk_column_view_column_new (title, g_object_ref (factory));
  gtk_column_view_column_set_expand (col, expand);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_append_column (self->column_view, col);
  g_object_unref (col);
  return col;
}

/* The review clock. */

static void
cp_scoring_page_update_clock (CpScoringPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gint64 seconds = cp_packet_get_review_seconds (self->packet, now);
  gboolean running = cp_packet_get_review_running (self->packet);
  g_autofree char *text = NULL;

  /* Translators: hours:minutes:seconds spent on the on-site review */
  text = g_strdup_printf (_("Review time %02d:%02d:%02d"), (int) (seconds / 3600),
                          (int) (seconds / 60 % 60), (int) (seconds % 60));
  gtk_label_set_text (GTK_LABEL (self->clock_label), text);
  gtk_button_set_label (GTK_BUTTON (self->clock_button),
                        running ? _("_Stop Review Clock") : _("_Start Review Clock"));
  if (running)
    gtk_widget_remove_css_class (self->clock_button, "suggested-action");
  else
    gtk_widget_add_css_class (self->clock_button, "suggested-action");
}

static gboolean
clock_tick_cb (gpointer user_data)
{
  cp_scoring_page_update_clock (user_data);
  return G_SOURCE_CONTINUE;
}

void
cp_scoring_page_toggle_clock (CpScoringPage *self)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  if (cp_packet_get_review_running (self->packet))
    {
      cp_packet_stop_review_clock (self->packet, now);
      g_clear_handle_id (&self->clock_id, g_source_remove);
    }
  else
    {
      cp_packet_start_review_clock (self->packet, now);
      if (self->clock_id == 0)
        self->clock_id = g_timeout_add_seconds (1, clock_tick_cb, self);
    }
  cp_scoring_page_update_clock (self);
  g_signal_emit (self, signals [CLOCK_CHANGED], 0);
}

static void
clock_clicked_cb (GtkButton     *button,
                  CpScoringPage *self)
{
  cp_scoring_page_toggle_clock (self);
}

static void
unscored_toggled_cb (GtkToggleButton *button,
                     CpScoringPage   *self)
{
  cp_scoring_page_set_only_unscored (self, gtk_toggle_button_get_active (button));
}

/* Object. */

static void
cp_scoring_page_dispose (GObject *object)
{
  CpScoringPage *self = CP_SCORING_PAGE (object);

  g_clear_handle_id (&self->clock_id, g_source_remove);
  adw_bin_set_child (ADW_BIN (self), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (self->entries); i++)
    g_clear_pointer (&self->entries[i], g_hash_table_unref);
  g_clear_pointer (&self->category_labels, g_hash_table_unref);
  g_clear_pointer (&self->evidence_buttons, g_hash_table_unref);
  g_clear_object (&self->filtered);
  g_clear_object (&self->rows);

  G_OBJECT_CLASS (cp_scoring_page_parent_class)->dispose (object);
}

static void
cp_scoring_page_finalize (GObject *object)
{
  CpScoringPage *self = CP_SCORING_PAGE (object);

  g_clear_object (&self->sheet);
  g_clear_object (&self->packet);
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&self->total_text[i], g_free);
      g_clear_pointer (&self->verdict_text[i], g_free);
    }
  g_clear_pointer (&self->message, g_free);

  G_OBJECT_CLASS (cp_scoring_page_parent_class)->finalize (object);
}

static void
cp_scoring_page_class_init (CpScoringPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_scoring_page_dispose;
  object_class->finalize = cp_scoring_page_finalize;

  signals [SCORE_EDITED] = g_signal_new ("score-edited", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_INT);
  signals [CLOCK_CHANGED] = g_signal_new ("clock-changed", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  signals [EVIDENCE_CHOSEN] = g_signal_new ("evidence-chosen", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                            G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_FILE);
}

static void
cp_scoring_page_init (CpScoringPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (self->entries); i++)
    self->entries[i] = g_hash_table_new (NULL, NULL);
  self->category_labels = g_hash_table_new (g_str_hash, g_str_equal);
  self->evidence_buttons = g_hash_table_new (NULL, NULL);
}

static GtkWidget *
make_heading (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  return label;
}

CpScoringPage *
cp_scoring_page_new (CpScoringSheet *sheet,
                     CpPacket       *packet,
                     gboolean        show_self,
                     gboolean        show_acceptance)
{
  CpScoringPage *self;
  GtkWidget *box, *toolbar, *paned, *side_scrolled, *side, *title, *icon;
  GPtrArray *items;
  g_autoptr(GtkNoSelection) selection = NULL;
  CpScoreColumn columns[] = { CP_SCORE_SELF, CP_SCORE_ACCEPTANCE };
  guint position = 0;

  g_return_val_if_fail (CP_IS_SCORING_SHEET (sheet), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  self = g_object_new (CP_TYPE_SCORING_PAGE, NULL);
  self->sheet = g_object_ref (sheet);
  self->packet = g_object_ref (packet);
  if (!show_self && !show_acceptance)
    {
      show_self = cp_scoring_sheet_has_column (sheet, CP_SCORE_SELF);
      show_acceptance = cp_scoring_sheet_has_column (sheet, CP_SCORE_ACCEPTANCE);
    }
  self->columns[CP_SCORE_SELF] = show_self && cp_scoring_sheet_has_column (sheet, CP_SCORE_SELF);
  self->columns[CP_SCORE_ACCEPTANCE] = show_acceptance &&
                                       cp_scoring_sheet_has_column (sheet, CP_SCORE_ACCEPTANCE);

  self->rows = g_list_store_new (CP_TYPE_SCORE_ROW);
  items = cp_scoring_sheet_get_items (sheet);
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(CpScoreRow) row = cp_score_row_new (g_ptr_array_index (items, i), NULL,
                                                    position++);
      g_list_store_append (self->rows, row);
    }
  for (guint i = 0; i < cp_scoring_sheet_get_n_adjustments (sheet); i++)
    {
      g_autoptr(CpScoreRow) row = cp_score_row_new (NULL, cp_scoring_sheet_get_adjustment (sheet, i),
                                                    position++);
      g_list_store_append (self->rows, row);
    }
  self->filter = gtk_custom_filter_new (unscored_filter_func, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                              GTK_FILTER (self->filter));

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  /* Toolbar: the review clock and the filter. */
  toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_start (toolbar, 12);
  gtk_widget_set_margin_end (toolbar, 12);
  gtk_widget_set_margin_top (toolbar, 8);
  gtk_widget_set_margin_bottom (toolbar, 8);
  title = gtk_label_new (cp_text_get (cp_scoring_sheet_get_title (sheet)));
  gtk_widget_add_css_class (title, "title-4");
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (toolbar), title);
  icon = gtk_image_new_from_icon_name ("alarm-symbolic");
  gtk_box_append (GTK_BOX (toolbar), icon);
  self->clock_label = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->clock_label, "numeric");
  gtk_box_append (GTK_BOX (toolbar), self->clock_label);
  self->clock_button = gtk_button_new_with_mnemonic (_("_Start Review Clock"));
  gtk_widget_set_tooltip_text (self->clock_button,
                               _("Start the clock when the on-site review begins and stop it "
                                 "when it ends; the time is kept with the packet."));
  g_signal_connect (self->clock_button, "clicked", G_CALLBACK (clock_clicked_cb), self);
  gtk_box_append (GTK_BOX (toolbar), self->clock_button);
  self->unscored_button = gtk_toggle_button_new_with_mnemonic (_("Only _Unscored"));
  gtk_widget_set_tooltip_text (self->unscored_button,
                               _("Show only the items that still lack a score (Ctrl+U)"));
  g_signal_connect (self->unscored_button, "toggled", G_CALLBACK (unscored_toggled_cb), self);
  gtk_box_append (GTK_BOX (toolbar), self->unscored_button);
  gtk_box_append (GTK_BOX (box), toolbar);

  self->message_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->message_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->message_label), TRUE);
  gtk_widget_set_margin_start (self->message_label, 12);
  gtk_widget_set_margin_bottom (self->message_label, 6);
  gtk_widget_add_css_class (self->message_label, "error");
  gtk_widget_set_visible (self->message_label, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->message_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Score message"), -1);
  gtk_box_append (GTK_BOX (box), self->message_label);
  self->notes_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (self->notes_box, 12);
  gtk_widget_set_margin_end (self->notes_box, 12);
  gtk_widget_set_margin_bottom (self->notes_box, 6);
  gtk_widget_set_visible (self->notes_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->notes_box);

  /* The sheet. */
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  gtk_column_view_set_show_row_separators (self->column_view, TRUE);
  gtk_column_view_set_show_column_separators (self->column_view, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "scoring-sheet");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->column_view),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Scoring sheet items"), -1);
  add_column (self, _("Item"), "item", 0, TRUE);
  add_column (self, _("Guidance"), "guidance", 0, TRUE);
  add_column (self, _("Max"), "max", 0, FALSE);
  if (self->columns[CP_SCORE_SELF])
    add_column (self, _("Self"), NULL, CP_SCORE_SELF, FALSE);
  if (self->columns[CP_SCORE_ACCEPTANCE])
    add_column (self, _("Acceptance"), NULL, CP_SCORE_ACCEPTANCE, FALSE);
  add_column (self, _("Note"), NULL, CP_SCORING_PAGE_NOTE, FALSE);
  add_evidence_column (self);
  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled),
                                 GTK_WIDGET (self->column_view));
  gtk_widget_set_hexpand (self->scrolled, TRUE);
  gtk_widget_set_vexpand (self->scrolled, TRUE);

  /* Totals beside it. */
  side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (side, 12);
  gtk_widget_set_margin_end (side, 12);
  gtk_widget_set_margin_top (side, 12);
  gtk_widget_set_margin_bottom (side, 12);
  for (guint c = 0; c < G_N_ELEMENTS (columns); c++)
    {
      if (!self->columns[columns[c]])
        continue;
      gtk_box_append (GTK_BOX (side), make_heading (columns[c] == CP_SCORE_SELF
                                                    ? _("Self-assessment")
                                                    : _("Acceptance")));
      self->total_labels[c] = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (self->total_labels[c]), 0);
      gtk_label_set_wrap (GTK_LABEL (self->total_labels[c]), TRUE);
      gtk_widget_add_css_class (self->total_labels[c], "numeric");
      gtk_widget_add_css_class (self->total_labels[c], "score-total");
      gtk_box_append (GTK_BOX (side), self->total_labels[c]);
      self->verdict_labels[c] = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (self->verdict_labels[c]), 0);
      gtk_label_set_wrap (GTK_LABEL (self->verdict_labels[c]), TRUE);
      gtk_widget_set_margin_bottom (self->verdict_labels[c], 12);
      gtk_box_append (GTK_BOX (side), self->verdict_labels[c]);
    }
  gtk_box_append (GTK_BOX (side), make_heading (_("Subtotals by category")));
  self->category_grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->category_grid), 12);
  gtk_grid_set_row_spacing (GTK_GRID (self->category_grid), 4);
  for (guint i = 0; i < cp_scoring_sheet_get_n_categories (sheet); i++)
    {
      const CpScoringCategory *category = cp_scoring_sheet_get_category (sheet, i);
      GtkWidget *name = gtk_label_new (cp_text_get (category->title));
      GtkWidget *value = gtk_label_new (NULL);

      gtk_label_set_xalign (GTK_LABEL (name), 0);
      gtk_label_set_wrap (GTK_LABEL (name), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (name), 18);
      gtk_widget_set_hexpand (name, TRUE);
      gtk_label_set_xalign (GTK_LABEL (value), 1);
      gtk_widget_add_css_class (value, "numeric");
      gtk_grid_attach (GTK_GRID (self->category_grid), name, 0, i, 1, 1);
      gtk_grid_attach (GTK_GRID (self->category_grid), value, 1, i, 1, 1);
      g_hash_table_insert (self->category_labels, category->id, value);
    }
  gtk_box_append (GTK_BOX (side), self->category_grid);
  side_scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (side_scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (side_scrolled), side);
  gtk_widget_set_size_request (side_scrolled, 280, -1);
  self->totals_box = side_scrolled;

  paned = gtk_paned_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_paned_set_start_child (GTK_PANED (paned), self->scrolled);
  gtk_paned_set_end_child (GTK_PANED (paned), side_scrolled);
  gtk_paned_set_resize_end_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_end_child (GTK_PANED (paned), FALSE);
  gtk_paned_set_shrink_start_child (GTK_PANED (paned), FALSE);
  gtk_widget_set_vexpand (paned, TRUE);
  gtk_box_append (GTK_BOX (box), paned);

  adw_bin_set_child (ADW_BIN (self), box);

  cp_scoring_page_update_clock (self);
  if (cp_packet_get_review_running (packet))
    self->clock_id = g_timeout_add_seconds (1, clock_tick_cb, self);
  cp_scoring_page_refresh (self);
  return self;
}

CpScoringSheet *
cp_scoring_page_get_sheet (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  return self->sheet;
}

const char *
cp_scoring_page_get_total_text (CpScoringPage *self,
                                CpScoreColumn  column)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  return self->total_text[column == CP_SCORE_SELF ? 0 : 1];
}

const char *
cp_scoring_page_get_verdict_text (CpScoringPage *self,
                                  CpScoreColumn  column)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  return self->verdict_text[column == CP_SCORE_SELF ? 0 : 1];
}

GtkWidget *
cp_scoring_page_get_notes_box (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  return self->notes_box;
}

const char *
cp_scoring_page_get_message (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  return self->message;
}

void
cp_scoring_page_set_only_unscored (CpScoringPage *self,
                                   gboolean       only_unscored)
{
  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  only_unscored = !!only_unscored;
  if (self->only_unscored == only_unscored)
    return;
  self->only_unscored = only_unscored;
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->unscored_button), only_unscored);
  gtk_filter_changed (GTK_FILTER (self->filter),
                      only_unscored ? GTK_FILTER_CHANGE_MORE_STRICT
                                    : GTK_FILTER_CHANGE_LESS_STRICT);
}

gboolean
cp_scoring_page_get_only_unscored (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), FALSE);

  return self->only_unscored;
}

guint
cp_scoring_page_get_n_shown (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

gboolean
cp_scoring_page_focus_item (CpScoringPage *self,
                            const char    *item_id,
                            CpScoreColumn  column)
{
  CpScoreRow *row;

  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), FALSE);

  row = cp_scoring_page_lookup_row (self, item_id);
  return row != NULL && cp_scoring_page_focus_row (self, row, column);
}

const char *
cp_scoring_page_get_focus_item (CpScoringPage *self)
{
  GtkRoot *root;
  GtkWidget *focus;

  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  while (focus != NULL && !GTK_IS_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return NULL;
  if (g_object_get_data (G_OBJECT (focus), "cp-row") == NULL)
    return NULL;
  return cp_score_row_get_id (g_object_get_data (G_OBJECT (focus), "cp-row"));
}

void
cp_scoring_page_focus_first_unscored (CpScoringPage *self)
{
  CpScoreColumn column;
  guint n;

  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  column = self->columns[CP_SCORE_ACCEPTANCE] ? CP_SCORE_ACCEPTANCE : CP_SCORE_SELF;
  n = g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CpScoreRow) row = g_list_model_get_item (G_LIST_MODEL (self->filtered), i);
      const CpItemScore *score = cp_packet_get_score (self->packet, cp_score_row_get_id (row));
      gboolean scored = score != NULL && (column == CP_SCORE_SELF ? score->has_self
                                                                  : score->has_acceptance);

      if (!scored && cp_score_row_get_adjustment (row) == NULL)
        {
          cp_scoring_page_focus_row (self, row, column);
          return;
        }
    }
  if (n > 0)
    {
      g_autoptr(CpScoreRow) first = g_list_model_get_item (G_LIST_MODEL (self->filtered), 0);

      cp_scoring_page_focus_row (self, first, column);
    }
}

void
cp_scoring_page_attach_evidence (CpScoringPage *self,
                                 const char    *item_id,
                                 GFile         *file)
{
  g_return_if_fail (CP_IS_SCORING_PAGE (self));
  g_return_if_fail (item_id != NULL);
  g_return_if_fail (G_IS_FILE (file));

  g_signal_emit (self, signals [EVIDENCE_CHOSEN], 0, item_id, file);
}

void
cp_scoring_page_update_evidence (CpScoringPage *self,
                                 const char    *item_id)
{
  CpScoreRow *row;
  GtkWidget *button;

  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  row = cp_scoring_page_lookup_row (self, item_id);
  button = row != NULL ? g_hash_table_lookup (self->evidence_buttons, row) : NULL;
  if (button != NULL)
    update_evidence_button (self, button, row);
}
