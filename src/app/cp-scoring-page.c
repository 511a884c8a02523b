/* cp-scoring-page.c — the scoring sheet of the on-site review, keyboard first
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The sheet is a grid with one line of widgets per item, all of them built when the page is:
 * a sheet has a few dozen items (69 on the Jiangsu sheet), so nothing is recycled. Moving from
 * item to item is therefore one gtk_widget_grab_focus() on a widget that exists, inside the key
 * handler, without running the main loop: the next key event GTK delivers already goes to the
 * item the reviewer moved to, however fast the keys come and however the sheet scrolls (the
 * viewport scrolls to the focus). A score is committed to the store (::score-edited) before the
 * focus leaves its item.
 */
#include "config.h"

#include "cp-scoring-page.h"
#include "cp-scoring-page-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cp-access.h"
#include "cp-app-util.h"
#include "cp-score-row.h"
#include "cp-scoring.h"

#define CP_SCORING_ERROR (cp_scoring_page_error_quark ())

typedef enum
{
  CP_SCORING_PAGE_ERROR_NOT_A_NUMBER,
  CP_SCORING_PAGE_ERROR_OUT_OF_RANGE,
  CP_SCORING_PAGE_ERROR_STEP,
  CP_SCORING_PAGE_ERROR_UNKNOWN_ITEM,
  CP_SCORING_PAGE_ERROR_READ_ONLY,
} CpScoringPageError;

/* Grid columns. */
enum {
  COL_ITEM,
  COL_MAX,
  COL_SELF,
  COL_ACCEPTANCE,
  COL_NOTE,
  COL_EVIDENCE,
  N_COLS
};

/* One line of the sheet: an item or an addition/deduction, and its widgets. */
typedef struct
{
  CpScoreRow *row;
  GtkWidget  *cells[N_COLS];   /* NULL for a column that is not shown */
  GtkWidget  *separator;       /* the line under it */
  GtkWidget  *entries[3];      /* CP_SCORE_SELF, CP_SCORE_ACCEPTANCE, CP_SCORING_PAGE_NOTE */
  gboolean    shown;
} SheetRow;

struct _CpScoringPage
{
  AdwBin              parent_instance;

  CpScoringSheet     *sheet;
  CpPacket           *packet;
  GPtrArray          *lines;          /* SheetRow *, in the sheet's order */
  GHashTable         *by_id;          /* item id → SheetRow * */
  GtkWidget          *grid;
  GtkWidget          *scrolled;
  GtkWidget          *flap;           /* the totals beside the sheet, folded away when narrow */
  GtkWidget          *totals_button;
  GtkWidget          *compact_total;  /* the total in the toolbar while the totals are folded */
  GtkWidget          *message_label;
  GtkWidget          *access_label;   /* which columns someone else fills in */
  gboolean            read_only[3];   /* CP_SCORE_SELF, CP_SCORE_ACCEPTANCE, CP_SCORING_PAGE_NOTE */
  char               *read_only_reason[3];
  GtkWidget          *notes_box;
  GtkWidget          *clock_icon;
  GtkWidget          *clock_label;
  GtkWidget          *clock_button;
  CpTemplate         *access_tmpl;    /* as last given to _set_access(), or NULL */
  CpRole              access_party;
  char               *access_stage;
  JsonObject         *authors;        /* value pointer → {name, party, at}, or NULL */
  GtkWidget          *unscored_button;
  GtkWidget          *category_grid;
  GtkWidget          *total_labels[2];
  GtkWidget          *verdict_labels[2];
  GHashTable         *category_labels; /* category id → GtkLabel */
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

static void update_evidence_button (CpScoringPage *self,
                                    SheetRow      *line);

static GQuark
cp_scoring_page_error_quark (void)
{
  return g_quark_from_static_string ("cp-scoring-page-error-quark");
}

static void
sheet_row_free (SheetRow *line)
{
  g_clear_object (&line->row);
  g_free (line);
}

static char *
format_points (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (value == floor (value))
    return g_strdup_printf ("%.0f", value);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.2f", value));
}

static SheetRow *
cp_scoring_page_lookup_line (CpScoringPage *self,
                             const char    *item_id)
{
  return item_id != NULL ? g_hash_table_lookup (self->by_id, item_id) : NULL;
}

static CpScoreRow *
cp_scoring_page_lookup_row (CpScoringPage *self,
                            const char    *item_id)
{
  SheetRow *line = cp_scoring_page_lookup_line (self, item_id);

  return line != NULL ? line->row : NULL;
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

      /* The main column (acceptance when shown) also goes into the toolbar. */
      if (column == CP_SCORE_ACCEPTANCE || !self->columns[CP_SCORE_ACCEPTANCE])
        {
          /* Translators: short form in the toolbar: points of the maximum, items scored of
           * all items */
          g_autofree char *compact = g_strdup_printf (_("%s/%s points · %u/%u scored"),
                                                      total, max, n_scored, n_items);

          gtk_label_set_text (GTK_LABEL (self->compact_total), compact);
        }
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

static char *score_text (CpScoringPage *self,
                         CpScoreRow    *row,
                         int            column);

/* A score entered through the API (not typed in its cell) shows in its cell too. */
static void
cp_scoring_page_show_score (CpScoringPage *self,
                            const char    *item_id,
                            CpScoreColumn  column)
{
  SheetRow *line = cp_scoring_page_lookup_line (self, item_id);
  GtkWidget *entry = line != NULL ? line->entries[column] : NULL;
  g_autofree char *text = NULL;

  if (entry == NULL || gtk_widget_has_focus (entry) ||
      gtk_widget_is_ancestor (gtk_root_get_focus (gtk_widget_get_root (entry)), entry))
    return;
  text = score_text (self, line->row, column);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

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

  if ((guint) column < G_N_ELEMENTS (self->read_only) && self->read_only[column])
    {
      g_set_error_literal (error, CP_SCORING_ERROR, CP_SCORING_PAGE_ERROR_READ_ONLY,
                           self->read_only_reason[column]);
      return FALSE;
    }
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
          cp_scoring_page_show_score (self, item_id, column);
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
  cp_scoring_page_show_score (self, item_id, column);
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
  SheetRow *line = g_object_get_data (G_OBJECT (entry), "cp-line");
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry), "cp-column"));
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  g_autoptr(GError) error = NULL;

  if (line == NULL || self->read_only[column])
    return TRUE;

  if (column == CP_SCORING_PAGE_NOTE)
    {
      g_autofree char *old = score_text (self, line->row, column);
      g_autofree char *stripped = g_strstrip (g_strdup (text));

      if (g_strcmp0 (old, stripped) != 0)
        {
          cp_packet_set_score_note (self->packet, cp_score_row_get_id (line->row),
                                    *stripped ? stripped : NULL);
          g_signal_emit (self, signals [SCORE_EDITED], 0, cp_score_row_get_id (line->row),
                         column);
        }
      return TRUE;
    }

  if (!cp_scoring_page_enter_score (self, cp_score_row_get_id (line->row), column, text,
                                    &error))
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

/* Focus. */

static gboolean
cp_scoring_page_focus_line (CpScoringPage *self,
                            SheetRow      *line,
                            int            column,
                            gboolean       select)
{
  GtkWidget *entry = line->entries[column];

  if (entry == NULL || !line->shown)
    return FALSE;
  if (select)
    {
      /* Moving on from the previous item: what is typed replaces the value, as in a
       * spreadsheet. */
      if (!gtk_widget_grab_focus (entry))
        return FALSE;
      gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
    }
  else
    {
      /* Arriving at the sheet: a stray key must not overwrite a value. */
      if (!gtk_entry_grab_focus_without_selecting (GTK_ENTRY (entry)))
        return FALSE;
      gtk_editable_set_position (GTK_EDITABLE (entry), -1);
    }
  return TRUE;
}

/* The next shown line from @line in @direction (1 or -1), or NULL at the end. */
static SheetRow *
cp_scoring_page_neighbour (CpScoringPage *self,
                           SheetRow      *line,
                           int            direction)
{
  guint index;

  if (!g_ptr_array_find (self->lines, line, &index))
    return NULL;
  for (int i = (int) index + direction; i >= 0 && (guint) i < self->lines->len; i += direction)
    {
      SheetRow *other = g_ptr_array_index (self->lines, i);

      if (other->shown)
        return other;
    }
  return NULL;
}

static void
move_to_next (CpScoringPage *self,
              GtkEntry      *entry,
              int            direction)
{
  SheetRow *line = g_object_get_data (G_OBJECT (entry), "cp-line");
  int column = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry), "cp-column"));
  SheetRow *next;

  if (line == NULL || (next = cp_scoring_page_neighbour (self, line, direction)) == NULL)
    {
      /* At the first or the last item: stay, ready for the value to be typed over. */
      gtk_editable_select_region (GTK_EDITABLE (entry), 0, -1);
      return;
    }
  cp_scoring_page_focus_line (self, next, column, TRUE);
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
  int direction;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK))
    return FALSE;
  switch (keyval)
    {
    case GDK_KEY_Tab:
    case GDK_KEY_KP_Tab:
      direction = (state & GDK_SHIFT_MASK) ? -1 : 1;
      break;
    case GDK_KEY_ISO_Left_Tab:
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      direction = -1;
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      direction = 1;
      break;
    default:
      return FALSE;
    }
  if (commit_entry (self, entry))
    move_to_next (self, entry, direction);
  return TRUE;
}

static void
entry_focus_enter_cb (GtkEventControllerFocus *controller,
                      CpScoringPage           *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  SheetRow *line = g_object_get_data (G_OBJECT (entry), "cp-line");

  if (line != NULL)
    gtk_widget_add_css_class (line->cells[COL_ITEM], "current-item");
}

static void
entry_focus_leave_cb (GtkEventControllerFocus *controller,
                      CpScoringPage           *self)
{
  GtkWidget *entry = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
  SheetRow *line = g_object_get_data (G_OBJECT (entry), "cp-line");

  if (line != NULL)
    gtk_widget_remove_css_class (line->cells[COL_ITEM], "current-item");
  commit_entry (self, GTK_ENTRY (entry));
}

/* Building the lines. */

static GtkWidget *
make_entry (CpScoringPage *self,
            SheetRow      *line,
            int            column)
{
  GtkWidget *entry = gtk_entry_new ();
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  g_autofree char *text = score_text (self, line->row, column);
  g_autofree char *label = NULL;
  const char *id = cp_score_row_get_id (line->row);
  const char *title = cp_score_row_get_item (line->row) != NULL
                      ? cp_text_get (cp_score_row_get_item (line->row)->title)
                      : cp_text_get (cp_score_row_get_adjustment (line->row)->title);

  if (column == CP_SCORING_PAGE_NOTE)
    {
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 8);
      gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), 14);
      gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Note"));
      label = g_strdup_printf (_("Note for %s %s"), id, title);
    }
  else
    {
      /* Without a maximum an entry asks for 150 pixels. */
      gtk_editable_set_width_chars (GTK_EDITABLE (entry), 4);
      gtk_editable_set_max_width_chars (GTK_EDITABLE (entry), 5);
      gtk_entry_set_alignment (GTK_ENTRY (entry), 1.0);
      gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
      gtk_widget_add_css_class (entry, "numeric");
      gtk_widget_add_css_class (entry, "score-entry");
      if (column == CP_SCORE_SELF)
        /* Translators: item id and title */
        label = g_strdup_printf (_("Self-assessment score for %s %s"), id, title);
      else
        label = g_strdup_printf (_("Acceptance score for %s %s"), id, title);
    }
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_editable_set_editable (GTK_EDITABLE (entry), !self->read_only[column]);
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (entry, column == CP_SCORING_PAGE_NOTE ? GTK_ALIGN_FILL : GTK_ALIGN_END);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data (G_OBJECT (entry), "cp-line", line);
  g_object_set_data (G_OBJECT (entry), "cp-column", GINT_TO_POINTER (column));
  gtk_event_controller_set_propagation_phase (key, GTK_PHASE_CAPTURE);
  g_signal_connect (key, "key-pressed", G_CALLBACK (entry_key_pressed_cb), self);
  g_signal_connect (focus, "enter", G_CALLBACK (entry_focus_enter_cb), self);
  g_signal_connect (focus, "leave", G_CALLBACK (entry_focus_leave_cb), self);
  gtk_widget_add_controller (entry, key);
  gtk_widget_add_controller (entry, focus);
  g_signal_connect (entry, "activate", G_CALLBACK (entry_activate_cb), self);
  line->entries[column] = entry;
  return entry;
}

static GtkWidget *
make_label (const char *text,
            float       xalign,
            int         width_chars,
            int         max_width_chars)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  if (width_chars > 0)
    gtk_label_set_width_chars (GTK_LABEL (label), width_chars);
  if (max_width_chars > 0)
    gtk_label_set_max_width_chars (GTK_LABEL (label), max_width_chars);
  return label;
}

/* Evidence: one attachment per item, chosen with the file chooser; the packet view stores it. */

static void
update_evidence_button (CpScoringPage *self,
                        SheetRow      *line)
{
  GtkWidget *button = line->cells[COL_EVIDENCE];
  const char *id = cp_score_row_get_id (line->row);
  const CpItemScore *score = cp_packet_get_score (self->packet, id);
  const CpAttachment *attachment = score != NULL && score->evidence != NULL
                                   ? cp_packet_find_attachment (self->packet, score->evidence)
                                   : NULL;
  g_autofree char *label = NULL;

  if (attachment != NULL)
    {
      GtkWidget *name = gtk_label_new (attachment->name);

      gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
      gtk_label_set_max_width_chars (GTK_LABEL (name), 12);
      gtk_button_set_child (GTK_BUTTON (button), name);
      label = g_strdup_printf (_("Evidence for %s: %s. Choose another file"), id,
                               attachment->name);
      gtk_widget_set_tooltip_text (button, attachment->sha256);
    }
  else
    {
      gtk_button_set_icon_name (GTK_BUTTON (button), "mail-attachment-symbolic");
      label = g_strdup_printf (_("Attach evidence for %s"), id);
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
  SheetRow *line = g_object_get_data (G_OBJECT (button), "cp-line");
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *native;

  if (line == NULL)
    return;
  native = gtk_file_chooser_native_new (_("Attach Evidence"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_OPEN,
                                        _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_object_set_data_full (G_OBJECT (native), "cp-item",
                          g_strdup (cp_score_row_get_id (line->row)), g_free);
  g_signal_connect (native, "response", G_CALLBACK (evidence_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (native));
}

static void
cp_scoring_page_add_line (CpScoringPage *self,
                          CpScoreRow    *row)
{
  SheetRow *line = g_new0 (SheetRow, 1);
  const CpScoringItem *item = cp_score_row_get_item (row);
  const CpScoringAdjustment *adjustment = cp_score_row_get_adjustment (row);
  const CpText *guidance = item != NULL ? item->guidance : adjustment->guidance;
  const CpText *evidence = item != NULL ? item->evidence : adjustment->evidence;
  g_autoptr(GString) guidance_text = g_string_new (guidance != NULL ? cp_text_get (guidance)
                                                                    : "");
  g_autofree char *where = NULL;
  g_autofree char *title = NULL;
  g_autofree char *max = format_points (cp_score_row_get_max (row));
  GtkWidget *box, *caption, *label, *guidance_label;
  int grid_line = 2 + 2 * (int) self->lines->len;  /* below the heading and its line */

  line->row = g_object_ref (row);
  line->shown = TRUE;

  /* The item: where it sits in the sheet, its number and title. */
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  if (item != NULL)
    {
      where = g_strdup_printf ("%s › %s", cp_text_get (item->subcategory->category->title),
                               cp_text_get (item->subcategory->title));
      title = g_strdup_printf ("%s %s", item->id, cp_text_get (item->title));
    }
  else
    {
      where = g_strdup (_("Addition or deduction"));
      title = g_strdup_printf ("%s %s", adjustment->id, cp_text_get (adjustment->title));
    }
  caption = gtk_label_new (where);
  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_label_set_ellipsize (GTK_LABEL (caption), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (caption), 8);
  gtk_label_set_max_width_chars (GTK_LABEL (caption), 30);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  label = make_label (title, 0, 12, 60);
  gtk_widget_add_css_class (label, "sheet-item-title");
  gtk_widget_set_hexpand (box, TRUE);
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (box, "sheet-item");
  line->cells[COL_ITEM] = box;

  if (adjustment != NULL)
    {
      g_autofree char *min = format_points (cp_score_row_get_min (row));
      g_autofree char *range = g_strdup_printf ("%s … %s", min, max);

      line->cells[COL_MAX] = make_label (range, 1, 0, 0);
    }
  else
    line->cells[COL_MAX] = make_label (max, 1, 0, 0);
  gtk_widget_add_css_class (line->cells[COL_MAX], "numeric");

  if (self->columns[CP_SCORE_SELF])
    line->cells[COL_SELF] = make_entry (self, line, CP_SCORE_SELF);
  if (self->columns[CP_SCORE_ACCEPTANCE])
    line->cells[COL_ACCEPTANCE] = make_entry (self, line, CP_SCORE_ACCEPTANCE);
  line->cells[COL_NOTE] = make_entry (self, line, CP_SCORING_PAGE_NOTE);

  line->cells[COL_EVIDENCE] = gtk_button_new ();
  gtk_widget_set_valign (line->cells[COL_EVIDENCE], GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (line->cells[COL_EVIDENCE], "flat");
  g_object_set_data (G_OBJECT (line->cells[COL_EVIDENCE]), "cp-line", line);
  g_signal_connect (line->cells[COL_EVIDENCE], "clicked", G_CALLBACK (evidence_clicked_cb),
                    self);
  update_evidence_button (self, line);

  if (evidence != NULL)
    {
      if (guidance_text->len > 0)
        g_string_append_c (guidance_text, '\n');
      /* Translators: what document proves the item */
      g_string_append_printf (guidance_text, _("Evidence: %s"), cp_text_get (evidence));
    }
  /* The guidance under the title, where the eye reading the item is. */
  if (guidance_text->len > 0)
    {
      guidance_label = make_label (guidance_text->str, 0, 12, 60);
      gtk_widget_add_css_class (guidance_label, "dim-label");
      gtk_widget_add_css_class (guidance_label, "sheet-guidance");
      gtk_box_append (GTK_BOX (box), guidance_label);
    }

  for (int c = 0; c < N_COLS; c++)
    if (line->cells[c] != NULL)
      {
        gtk_widget_set_margin_top (line->cells[c], 6);
        gtk_widget_set_margin_bottom (line->cells[c], 6);
        gtk_grid_attach (GTK_GRID (self->grid), line->cells[c], c, grid_line, 1, 1);
      }
  line->separator = gtk_separator_new (GTK_ORIENTATION_HORIZONTAL);
  gtk_grid_attach (GTK_GRID (self->grid), line->separator, 0, grid_line + 1, N_COLS, 1);

  g_ptr_array_add (self->lines, line);
  g_hash_table_insert (self->by_id, (gpointer) cp_score_row_get_id (row), line);
}

static void
cp_scoring_page_add_heading (CpScoringPage *self)
{
  const char *titles[N_COLS] = {
    [COL_ITEM] = _("Item"),
    [COL_MAX] = _("Max"),
    [COL_SELF] = self->columns[CP_SCORE_SELF] ? _("Self") : NULL,
    [COL_ACCEPTANCE] = self->columns[CP_SCORE_ACCEPTANCE] ? _("Acceptance") : NULL,
    [COL_NOTE] = _("Note"),
    [COL_EVIDENCE] = _("Evidence"),
  };

  for (int c = 0; c < N_COLS; c++)
    {
      GtkWidget *label;

      if (titles[c] == NULL)
        continue;
      label = gtk_label_new (titles[c]);
      gtk_label_set_xalign (GTK_LABEL (label), c == COL_MAX ? 1 : 0);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_bottom (label, 6);
      gtk_grid_attach (GTK_GRID (self->grid), label, c, 0, 1, 1);
    }
  gtk_grid_attach (GTK_GRID (self->grid), gtk_separator_new (GTK_ORIENTATION_HORIZONTAL),
                   0, 1, N_COLS, 1);
}

/* Shows the lines the filter lets through; a focused line that goes keeps its place: the
 * focus goes to the next line shown. */
static void
cp_scoring_page_apply_filter (CpScoringPage *self)
{
  const char *focused = cp_scoring_page_get_focus_item (self);
  SheetRow *focus_line = cp_scoring_page_lookup_line (self, focused);
  int focus_column = -1;

  if (focus_line != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (GTK_WIDGET (self)));

      for (int c = 0; c < 3; c++)
        if (focus_line->entries[c] != NULL &&
            (focus == focus_line->entries[c] ||
             gtk_widget_is_ancestor (focus, focus_line->entries[c])))
          focus_column = c;
    }

  for (guint i = 0; i < self->lines->len; i++)
    {
      SheetRow *line = g_ptr_array_index (self->lines, i);
      gboolean shown = !self->only_unscored || row_is_unscored (self, line->row);

      if (shown == line->shown)
        continue;
      line->shown = shown;
      for (int c = 0; c < N_COLS; c++)
        if (line->cells[c] != NULL)
          gtk_widget_set_visible (line->cells[c], shown);
      gtk_widget_set_visible (line->separator, shown);
    }

  if (focus_line != NULL && focus_column >= 0 && !focus_line->shown)
    {
      SheetRow *next = cp_scoring_page_neighbour (self, focus_line, 1);

      if (next == NULL)
        next = cp_scoring_page_neighbour (self, focus_line, -1);
      if (next != NULL)
        cp_scoring_page_focus_line (self, next, focus_column, FALSE);
    }
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
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->lines, g_ptr_array_unref);
  g_clear_pointer (&self->category_labels, g_hash_table_unref);

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
  for (guint i = 0; i < G_N_ELEMENTS (self->read_only_reason); i++)
    g_clear_pointer (&self->read_only_reason[i], g_free);
  g_clear_object (&self->access_tmpl);
  g_clear_pointer (&self->access_stage, g_free);
  g_clear_pointer (&self->authors, json_object_unref);

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
  self->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) sheet_row_free);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->category_labels = g_hash_table_new (g_str_hash, g_str_equal);
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
  GtkWidget *box, *toolbar, *side_scrolled, *side, *title, *icon, *viewport;
  GPtrArray *items;
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

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  /* Toolbar: the review clock, the filter, the totals. */
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
  self->compact_total = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->compact_total, "numeric");
  gtk_widget_add_css_class (self->compact_total, "heading");
  gtk_box_append (GTK_BOX (toolbar), self->compact_total);
  icon = gtk_image_new_from_icon_name ("alarm-symbolic");
  self->clock_icon = icon;
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
  self->totals_button = gtk_toggle_button_new ();
  gtk_button_set_icon_name (GTK_BUTTON (self->totals_button), "sidebar-show-right-symbolic");
  gtk_widget_set_tooltip_text (self->totals_button, _("Show the Totals"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->totals_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Show the totals and subtotals"), -1);
  gtk_box_append (GTK_BOX (toolbar), self->totals_button);
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
  self->access_label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->access_label), 0);
  gtk_label_set_wrap (GTK_LABEL (self->access_label), TRUE);
  gtk_widget_set_margin_start (self->access_label, 12);
  gtk_widget_set_margin_bottom (self->access_label, 6);
  gtk_widget_add_css_class (self->access_label, "caption");
  gtk_widget_add_css_class (self->access_label, "dim-label");
  gtk_widget_set_visible (self->access_label, FALSE);
  gtk_box_append (GTK_BOX (box), self->access_label);
  self->notes_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_widget_set_margin_start (self->notes_box, 12);
  gtk_widget_set_margin_end (self->notes_box, 12);
  gtk_widget_set_margin_bottom (self->notes_box, 6);
  gtk_widget_set_visible (self->notes_box, FALSE);
  gtk_box_append (GTK_BOX (box), self->notes_box);

  /* The sheet: every line built now (see the top of the file). */
  self->grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 12);
  gtk_widget_set_margin_start (self->grid, 12);
  gtk_widget_set_margin_end (self->grid, 12);
  gtk_widget_set_margin_bottom (self->grid, 12);
  gtk_widget_add_css_class (self->grid, "scoring-sheet");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->grid),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Scoring sheet items"), -1);
  cp_scoring_page_add_heading (self);
  items = cp_scoring_sheet_get_items (sheet);
  for (guint i = 0; i < items->len; i++)
    {
      g_autoptr(CpScoreRow) row = cp_score_row_new (g_ptr_array_index (items, i), NULL,
                                                    position++);
      cp_scoring_page_add_line (self, row);
    }
  for (guint i = 0; i < cp_scoring_sheet_get_n_adjustments (sheet); i++)
    {
      const CpScoringAdjustment *adjustment = cp_scoring_sheet_get_adjustment (sheet, i);
      g_autoptr(CpScoreRow) row = cp_score_row_new (NULL, adjustment, position++);
      cp_scoring_page_add_line (self, row);
    }
  viewport = gtk_viewport_new (NULL, NULL);
  gtk_viewport_set_scroll_to_focus (GTK_VIEWPORT (viewport), TRUE);
  gtk_viewport_set_child (GTK_VIEWPORT (viewport), self->grid);
  self->scrolled = gtk_scrolled_window_new ();
  /* No horizontal scrolling: the score columns are always in view; the text columns wrap. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), viewport);
  gtk_widget_set_hexpand (self->scrolled, TRUE);
  gtk_widget_set_vexpand (self->scrolled, TRUE);
  /* With less than this beside the totals, the totals fold away (AdwFlap). */
  gtk_widget_set_size_request (self->scrolled, 600, -1);

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
      gtk_label_set_max_width_chars (GTK_LABEL (self->total_labels[c]), 24);
      gtk_widget_add_css_class (self->total_labels[c], "numeric");
      gtk_widget_add_css_class (self->total_labels[c], "score-total");
      gtk_box_append (GTK_BOX (side), self->total_labels[c]);
      self->verdict_labels[c] = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (self->verdict_labels[c]), 0);
      gtk_label_set_wrap (GTK_LABEL (self->verdict_labels[c]), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (self->verdict_labels[c]), 30);
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
  gtk_widget_set_size_request (side_scrolled, 300, -1);
  /* Its own width, not a share of the window's (the subtotals' labels expand). */
  gtk_widget_set_hexpand (side_scrolled, FALSE);
  gtk_widget_add_css_class (side_scrolled, "background");

  self->flap = adw_flap_new ();
  adw_flap_set_flap_position (ADW_FLAP (self->flap), GTK_PACK_END);
  adw_flap_set_content (ADW_FLAP (self->flap), self->scrolled);
  adw_flap_set_flap (ADW_FLAP (self->flap), side_scrolled);
  adw_flap_set_separator (ADW_FLAP (self->flap), gtk_separator_new (GTK_ORIENTATION_VERTICAL));
  adw_flap_set_swipe_to_open (ADW_FLAP (self->flap), FALSE);
  adw_flap_set_fold_threshold_policy (ADW_FLAP (self->flap),
                                      ADW_FOLD_THRESHOLD_POLICY_MINIMUM);
  gtk_widget_set_vexpand (self->flap, TRUE);
  g_object_bind_property (self->flap, "reveal-flap", self->totals_button, "active",
                          G_BINDING_SYNC_CREATE | G_BINDING_BIDIRECTIONAL);
  /* The total stays in the toolbar, for when the totals are folded away or hidden with the
   * button. (Nothing is shown or hidden on "folded": the flap folds while it is allocated.) */
  gtk_box_append (GTK_BOX (box), self->flap);

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
  cp_scoring_page_apply_filter (self);
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
  guint n = 0;

  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), 0);

  for (guint i = 0; i < self->lines->len; i++)
    if (((SheetRow *) g_ptr_array_index (self->lines, i))->shown)
      n++;
  return n;
}

gboolean
cp_scoring_page_focus_item (CpScoringPage *self,
                            const char    *item_id,
                            CpScoreColumn  column)
{
  SheetRow *line;

  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), FALSE);

  line = cp_scoring_page_lookup_line (self, item_id);
  return line != NULL && cp_scoring_page_focus_line (self, line, column, FALSE);
}

const char *
cp_scoring_page_get_focus_item (CpScoringPage *self)
{
  GtkRoot *root;
  GtkWidget *focus;
  SheetRow *line;

  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  while (focus != NULL && !GTK_IS_ENTRY (focus))
    focus = gtk_widget_get_parent (focus);
  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return NULL;
  line = g_object_get_data (G_OBJECT (focus), "cp-line");
  return line != NULL ? cp_score_row_get_id (line->row) : NULL;
}

void
cp_scoring_page_focus_first_unscored (CpScoringPage *self)
{
  CpScoreColumn column;
  SheetRow *first = NULL;

  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  column = self->columns[CP_SCORE_ACCEPTANCE] ? CP_SCORE_ACCEPTANCE : CP_SCORE_SELF;
  for (guint i = 0; i < self->lines->len; i++)
    {
      SheetRow *line = g_ptr_array_index (self->lines, i);
      const CpItemScore *score;
      gboolean scored;

      if (!line->shown)
        continue;
      if (first == NULL)
        first = line;
      score = cp_packet_get_score (self->packet, cp_score_row_get_id (line->row));
      scored = score != NULL && (column == CP_SCORE_SELF ? score->has_self
                                                         : score->has_acceptance);
      if (!scored && cp_score_row_get_adjustment (line->row) == NULL)
        {
          cp_scoring_page_focus_line (self, line, column, FALSE);
          return;
        }
    }
  if (first != NULL)
    cp_scoring_page_focus_line (self, first, column, FALSE);
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
  SheetRow *line;

  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  line = cp_scoring_page_lookup_line (self, item_id);
  if (line != NULL)
    update_evidence_button (self, line);
}

/* Whether @pointer is "/scoring/items/ITEM/COLUMN" for any one item, @data being "/COLUMN". */
static gboolean
pointer_is_column (const char    *pointer,
                   gconstpointer  data)
{
  const char *suffix = data;
  const char *prefix = "/scoring/items/";
  const char *item;

  if (!g_str_has_prefix (pointer, prefix) || !g_str_has_suffix (pointer, suffix))
    return FALSE;
  item = pointer + strlen (prefix);
  /* One item id between the prefix and the column, no deeper pointer. */
  return strlen (item) > strlen (suffix) &&
         memchr (item, '/', strlen (item) - strlen (suffix)) == NULL;
}

/* "王芳 于 2026-05-06 14:20 填写": who last wrote a value of @column ("self", "acceptance" or
 * "note") of any item, and when; NULL when nobody is known to have. */
static char *
describe_column_author (CpScoringPage *self,
                        const char    *column)
{
  g_autofree char *suffix = g_strconcat ("/", column, NULL);

  return cp_app_describe_author (self->authors, pointer_is_column, suffix);
}

void
cp_scoring_page_set_authors (CpScoringPage *self,
                             JsonObject    *authors)
{
  g_return_if_fail (CP_IS_SCORING_PAGE (self));

  if (authors != NULL)
    json_object_ref (authors);
  g_clear_pointer (&self->authors, json_object_unref);
  self->authors = authors;
  if (self->access_tmpl != NULL)
    {
      g_autoptr(CpTemplate) tmpl = g_object_ref (self->access_tmpl);
      g_autofree char *stage = g_strdup (self->access_stage);

      cp_scoring_page_set_access (self, tmpl, self->access_party, stage);
    }
}

void
cp_scoring_page_set_access (CpScoringPage *self,
                            CpTemplate    *tmpl,
                            CpRole         party,
                            const char    *stage_id)
{
  const CpScoringRef *scoring;
  g_autoptr(GString) caption = g_string_new (NULL);
  g_autofree char *note_pointer = NULL;

  g_return_if_fail (CP_IS_SCORING_PAGE (self));
  g_return_if_fail (CP_IS_TEMPLATE (tmpl));

  g_set_object (&self->access_tmpl, tmpl);
  self->access_party = party;
  if (self->access_stage != stage_id)
    {
      g_free (self->access_stage);
      self->access_stage = g_strdup (stage_id);
    }
  scoring = cp_template_get_scoring (tmpl);
  if (self->lines->len > 0)
    note_pointer = g_strdup_printf ("/scoring/items/%s/note",
                                    cp_score_row_get_id (((SheetRow *) g_ptr_array_index (
                                                           self->lines, 0))->row));
  for (int c = 0; c < (int) G_N_ELEMENTS (self->read_only); c++)
    {
      CpRole owner = CP_ROLE_NONE;
      gboolean shown = c == CP_SCORING_PAGE_NOTE || self->columns[c];
      const char *label = NULL;

      g_clear_pointer (&self->read_only_reason[c], g_free);
      if (c == CP_SCORING_PAGE_NOTE)
        {
          self->read_only[c] = party != CP_ROLE_NONE && note_pointer != NULL &&
                               !cp_template_may_write (tmpl, party, stage_id, note_pointer);
          owner = scoring != NULL ? scoring->note_owner : CP_ROLE_NONE;
          label = _("Notes");
        }
      else
        {
          const CpText *text = cp_template_get_column_label (tmpl, (CpScoreColumn) c);

          self->read_only[c] = party != CP_ROLE_NONE &&
                               !cp_template_may_write_score (tmpl, party, stage_id,
                                                             (CpScoreColumn) c);
          owner = scoring != NULL ? scoring->column_owner[c] : CP_ROLE_NONE;
          label = text != NULL ? cp_text_get (text)
                               : c == CP_SCORE_SELF ? _("Self-assessment") : _("Acceptance");
        }
      if (!self->read_only[c])
        continue;
      /* Translators: a column of the scoring sheet, and who fills it in: "复核评价：由评价机构
       * 填写" */
      self->read_only_reason[c] =
        owner != CP_ROLE_NONE && owner != party
        ? g_strdup_printf (_("%s: %s"), label, cp_role_get_caption (owner))
        : g_strdup_printf (_("%s: %s"), label, _("Not to be changed at this stage"));
      if (!shown)
        continue;
      if (caption->len > 0)
        g_string_append (caption, "　");
      g_string_append (caption, self->read_only_reason[c]);
      {
        g_autofree char *author = describe_column_author (self, c == CP_SCORE_SELF ? "self"
                                                                : c == CP_SCORE_ACCEPTANCE
                                                                ? "acceptance" : "note");

        if (author != NULL)
          g_string_append_printf (caption, " · %s", author);
      }
    }
  /* The review clock belongs to whoever scores: a party that writes no column has no use for it. */
  {
    gboolean any_writable = FALSE;

    for (int c = 0; c < 2; c++)
      any_writable |= self->columns[c] && !self->read_only[c];
    gtk_widget_set_visible (self->clock_icon, any_writable);
    gtk_widget_set_visible (self->clock_label, any_writable);
    gtk_widget_set_visible (self->clock_button, any_writable);
  }

  for (guint i = 0; i < self->lines->len; i++)
    {
      SheetRow *line = g_ptr_array_index (self->lines, i);

      for (int c = 0; c < (int) G_N_ELEMENTS (line->entries); c++)
        if (line->entries[c] != NULL)
          {
            gtk_editable_set_editable (GTK_EDITABLE (line->entries[c]), !self->read_only[c]);
            gtk_accessible_update_property (GTK_ACCESSIBLE (line->entries[c]),
                                            GTK_ACCESSIBLE_PROPERTY_READ_ONLY,
                                            self->read_only[c], -1);
          }
    }
  gtk_label_set_text (GTK_LABEL (self->access_label), caption->str);
  gtk_widget_set_visible (self->access_label, caption->len > 0);
}

gboolean
cp_scoring_page_get_read_only (CpScoringPage *self,
                               int            column)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), FALSE);
  g_return_val_if_fail (column >= 0 && column < (int) G_N_ELEMENTS (self->read_only), FALSE);

  return self->read_only[column];
}

const char *
cp_scoring_page_get_access_caption (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), NULL);

  return gtk_widget_get_visible (self->access_label)
         ? gtk_label_get_text (GTK_LABEL (self->access_label)) : NULL;
}

gboolean
cp_scoring_page_get_clock_shown (CpScoringPage *self)
{
  g_return_val_if_fail (CP_IS_SCORING_PAGE (self), FALSE);

  return gtk_widget_get_visible (self->clock_button);
}
