/* cp-packet-view.c — an open packet: the steps of the wizard, completeness and scoring
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-packet-view.h"
#include "cp-packet-view-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-completeness-page.h"
#include "cp-export.h"
#include "cp-export-dialog.h"
#include "cp-identity.h"
#include "cp-print-operation.h"
#include "cp-review-dialog.h"
#include "cp-scoring-page.h"
#include "cp-section-page.h"

/* Edits reach the store at most this long after they are made. */
#define SAVE_DELAY_MS 250

typedef struct
{
  char            *id;           /* page id */
  char            *section_id;   /* the section whose findings decide the badge, or NULL */
  char            *title;
  GtkWidget       *page;
  GtkWidget       *row;
  GtkWidget       *badge;
  GtkWidget       *comment_badge;  /* shown while the reviewer commented on this step */
  CpSectionStatus  status;
  guint            n_comments;
} Step;

struct _CpPacketView
{
  AdwBin              parent_instance;

  /* template children */
  AdwWindowTitle     *title_widget;
  AdwFlap            *flap;
  GtkListBox         *step_list;
  GtkStack           *page_stack;
  GtkLabel           *step_label;
  CpSyncStatus       *sync_status;

  CpStore            *store;
  CpTemplateRegistry *registry;
  CpTemplate         *tmpl;
  CpScoringSheet     *sheet;
  CpPacket           *packet;
  char               *uuid;
  GPtrArray          *steps;        /* element type Step * */
  GPtrArray          *findings;
  GPtrArray          *comments;     /* CpComment *: a returned packet's, or NULL */
  GHashTable         *pending;      /* "section\037field" → NULL */
  GHashTable         *carried;      /* "section.field" others repeat → its value when last
                                     * carried (JsonNode *, NULL when empty) */
  guint               save_id;
  gboolean            dirty;        /* edited since the last validation */
  gboolean            switching;
  CpCompletenessPage *completeness;
  CpScoringPage      *scoring;
  CpRole              party;        /* who the user is to the packet; CP_ROLE_NONE: no limits */
  char               *stage_id;     /* the stage of the packet's workflow, or NULL */
};

enum {
  PAGE_CHANGED,
  PACKET_EDITED,
  STEP,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

G_DEFINE_FINAL_TYPE (CpPacketView, cp_packet_view, ADW_TYPE_BIN)

static void
step_free (Step *step)
{
  g_free (step->id);
  g_free (step->section_id);
  g_free (step->title);
  g_free (step);
}

static void
cp_packet_view_show_toast (CpPacketView *self,
                             const char   *message)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  g_debug ("%s", message);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (message));
}

static Step *
cp_packet_view_find_step (CpPacketView *self,
                          const char   *id)
{
  for (guint i = 0; self->steps != NULL && i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      if (g_strcmp0 (step->id, id) == 0)
        return step;
    }
  return NULL;
}

static int
cp_packet_view_current_index (CpPacketView *self)
{
  const char *name = gtk_stack_get_visible_child_name (self->page_stack);

  for (guint i = 0; self->steps != NULL && i < self->steps->len; i++)
    if (g_strcmp0 (((Step *) g_ptr_array_index (self->steps, i))->id, name) == 0)
      return (int) i;
  return -1;
}

static void
cp_packet_view_update_title (CpPacketView *self)
{
  const char *name = cp_packet_get_enterprise_name (self->packet);
  g_autofree char *subtitle = NULL;
  g_autofree char *deadline = NULL;
  g_autofree char *details = NULL;

  adw_window_title_set_title (self->title_widget,
                              name != NULL && *name ? name : _("Unnamed enterprise"));
  deadline = cp_app_deadline_text (self->registry, self->packet, NULL, &details, NULL);
  if (deadline != NULL)
    /* Translators: kind of packet · campaign year · the deadline of its stage ("12 days left") */
    subtitle = g_strdup_printf (_("%s · %d · %s"),
                                cp_text_get (cp_template_get_title (self->tmpl)),
                                cp_packet_get_year (self->packet), deadline);
  else
    /* Translators: kind of packet · campaign year */
    subtitle = g_strdup_printf (_("%s · %d"),
                                cp_text_get (cp_template_get_title (self->tmpl)),
                                cp_packet_get_year (self->packet));
  adw_window_title_set_subtitle (self->title_widget, subtitle);
  /* What is due, and by when. */
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->title_widget), details);
}

static void
cp_packet_view_update_badges (CpPacketView *self)
{
  for (guint i = 0; i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);
      g_autofree char *label = NULL;
      CpSectionStatus status;

      if (step->section_id != NULL)
        status = cp_validator_section_status (self->tmpl, self->packet, self->findings,
                                              step->section_id);
      else
        status = cp_validator_is_ready (self->findings) ? CP_SECTION_STATUS_COMPLETE
                                                        : CP_SECTION_STATUS_ERRORS;
      step->status = status;
      gtk_image_set_from_icon_name (GTK_IMAGE (step->badge), cp_app_section_status_icon (status));
      gtk_widget_remove_css_class (step->badge, "success");
      gtk_widget_remove_css_class (step->badge, "warning");
      gtk_widget_remove_css_class (step->badge, "error");
      switch (status)
        {
        case CP_SECTION_STATUS_COMPLETE:
          gtk_widget_add_css_class (step->badge, "success");
          break;
        case CP_SECTION_STATUS_WARNINGS:
          gtk_widget_add_css_class (step->badge, "warning");
          break;
        case CP_SECTION_STATUS_ERRORS:
          gtk_widget_add_css_class (step->badge, "error");
          break;
        case CP_SECTION_STATUS_EMPTY:
        default:
          break;
        }
      /* Translators: step number, step title, its state ("Complete") */
      label = g_strdup_printf (_("%u. %s: %s"), i + 1, step->title,
                               cp_app_section_status_title (status));
      gtk_widget_set_visible (step->comment_badge, step->n_comments > 0);
      if (step->n_comments > 0)
        {
          g_autofree char *plain = g_steal_pointer (&label);
          g_autofree char *comments =
            g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u reviewer’s comment",
                                          "%u reviewer’s comments", step->n_comments),
                             step->n_comments);
          g_autofree char *tooltip = NULL;

          /* Translators: a step's accessible label, then how many comments it has */
          label = g_strdup_printf (_("%s, %s"), plain, comments);
          tooltip = g_strdup_printf (_("%s, %s"), cp_app_section_status_title (status), comments);
          gtk_widget_set_tooltip_text (step->row, tooltip);
        }
      else
        gtk_widget_set_tooltip_text (step->row, cp_app_section_status_title (status));
      gtk_accessible_update_property (GTK_ACCESSIBLE (step->row),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                      -1);
    }
}

static void
cp_packet_view_update_state (CpPacketView *self)
{
  gboolean ready = cp_validator_is_ready (self->findings);
  CpPacketState state = cp_packet_get_state (self->packet);
  g_autoptr(GError) error = NULL;

  /* A draft becomes "ready" once complete, and falls back when it no longer is. Later states
   * belong to the submission workflow. */
  if ((state == CP_PACKET_STATE_DRAFT && ready) || (state == CP_PACKET_STATE_READY && !ready))
    {
      cp_packet_view_flush (self);
      cp_packet_set_state (self->packet, ready ? CP_PACKET_STATE_READY : CP_PACKET_STATE_DRAFT);
      if (!cp_store_save_packet (self->store, self->packet, NULL, &error))
        cp_packet_view_show_toast (self, error->message);
    }
}

/* The completeness page lists the reviewer's comments first, then the findings. */
static void
cp_packet_view_update_completeness (CpPacketView *self)
{
  g_autoptr(GPtrArray) listed = NULL;

  if (self->comments == NULL || self->comments->len == 0)
    {
      cp_completeness_page_update (self->completeness, self->tmpl, self->findings);
      return;
    }
  listed = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);
  for (guint i = 0; i < self->comments->len; i++)
    {
      const CpComment *comment = g_ptr_array_index (self->comments, i);

      /* Translators: a reviewer's comment on the completeness page; %s: who, %s: the comment */
      g_ptr_array_add (listed, cp_finding_new (CP_SEVERITY_WARNING, comment->section,
                                               comment->field, CP_COMMENT_FINDING_CODE,
                                               _("Reviewer %s: %s"),
                                               comment->author != NULL ? comment->author : "?",
                                               comment->text));
    }
  for (guint i = 0; self->findings != NULL && i < self->findings->len; i++)
    {
      const CpFinding *f = g_ptr_array_index (self->findings, i);

      g_ptr_array_add (listed, cp_finding_new (f->severity, f->section, f->field, f->code, "%s",
                                               f->message));
    }
  cp_completeness_page_update (self->completeness, self->tmpl, listed);
}

/* Which step shows @comment: the scoring sheet for one on a scoring item, the section's page
 * for one on the section or a field of it, the first page for one on the whole packet. */
static Step *
cp_packet_view_comment_step (CpPacketView          *self,
                             const CpComment *comment)
{
  Step *first = NULL, *section_step = NULL, *scoring_step = NULL;

  for (guint i = 0; i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      if (first == NULL && step->section_id != NULL)
        first = step;
      if (comment->section == NULL || g_strcmp0 (step->section_id, comment->section) != 0)
        continue;
      if (CP_IS_SCORING_PAGE (step->page))
        scoring_step = step;
      else if (CP_IS_SECTION_PAGE (step->page))
        section_step = step;
    }
  if (scoring_step != NULL && comment->field != NULL && self->sheet != NULL &&
      (cp_scoring_sheet_lookup_item (self->sheet, comment->field) != NULL ||
       cp_scoring_sheet_lookup_adjustment (self->sheet, comment->field) != NULL))
    return scoring_step;
  if (section_step != NULL)
    return section_step;
  if (scoring_step != NULL)
    return scoring_step;
  return first;
}

static void
cp_packet_view_show_comments (CpPacketView *self)
{
  g_autoptr(GPtrArray) per_step = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      step->n_comments = 0;
      g_ptr_array_add (per_step, g_ptr_array_new ());
    }
  for (guint i = 0; self->comments != NULL && i < self->comments->len; i++)
    {
      CpComment *comment = g_ptr_array_index (self->comments, i);
      Step *step = cp_packet_view_comment_step (self, comment);
      guint index;

      if (step == NULL || !g_ptr_array_find (self->steps, step, &index))
        continue;
      step->n_comments++;
      g_ptr_array_add (g_ptr_array_index (per_step, index), comment);
    }

  for (guint i = 0; i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);
      GPtrArray *comments = g_ptr_array_index (per_step, i);

      if (CP_IS_SECTION_PAGE (step->page))
        cp_section_page_set_comments (CP_SECTION_PAGE (step->page),
                                      comments->len > 0 ? comments : NULL);
      else if (CP_IS_SCORING_PAGE (step->page))
        {
          GtkWidget *box = cp_scoring_page_get_notes_box (CP_SCORING_PAGE (step->page));
          GtkWidget *child;

          while ((child = gtk_widget_get_first_child (box)) != NULL)
            gtk_box_remove (GTK_BOX (box), child);
          for (guint j = 0; j < comments->len; j++)
            {
              const CpComment *comment = g_ptr_array_index (comments, j);
              const CpScoringItem *item = NULL;
              const CpScoringAdjustment *adjustment = NULL;
              g_autofree char *where = NULL;

              if (comment->field != NULL)
                {
                  item = cp_scoring_sheet_lookup_item (self->sheet, comment->field);
                  adjustment = cp_scoring_sheet_lookup_adjustment (self->sheet, comment->field);
                }
              if (item != NULL)
                /* Translators: scoring item number and title */
                where = g_strdup_printf (_("%s %s"), item->id, cp_text_get (item->title));
              else if (adjustment != NULL)
                where = g_strdup (cp_text_get (adjustment->title));
              else if (comment->field != NULL)
                where = g_strdup (comment->field);
              gtk_box_append (GTK_BOX (box), cp_review_comment_new_widget (comment, where, NULL));
            }
          gtk_widget_set_visible (box, comments->len > 0);
        }
    }
}

void
cp_packet_view_set_review_comments (CpPacketView *self,
                                    GPtrArray    *comments)
{
  g_autoptr(GPtrArray) old = NULL;

  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  if (self->packet == NULL)
    return;
  /* The pages point into the comments: give them the new ones before the old go. */
  old = g_steal_pointer (&self->comments);
  self->comments = comments != NULL && comments->len > 0 ? g_ptr_array_ref (comments) : NULL;
  cp_packet_view_show_comments (self);
  cp_packet_view_update_badges (self);
  cp_packet_view_update_completeness (self);
}

void
cp_packet_view_refresh_completeness (CpPacketView *self)
{
  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  if (self->packet != NULL && self->findings != NULL)
    cp_packet_view_update_completeness (self);
}

guint
cp_packet_view_get_n_comments (CpPacketView *self,
                               const char   *page)
{
  Step *step;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), 0);

  if (page == NULL)
    return self->comments != NULL ? self->comments->len : 0;
  step = cp_packet_view_find_step (self, page);
  return step != NULL ? step->n_comments : 0;
}

void
cp_packet_view_revalidate (CpPacketView *self)
{
  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  if (self->packet == NULL)
    return;

  g_clear_pointer (&self->findings, g_ptr_array_unref);
  self->findings = cp_app_validate (self->registry, self->packet);
  self->dirty = FALSE;

  cp_packet_view_update_badges (self);
  cp_packet_view_update_title (self);
  for (guint i = 0; i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      if (CP_IS_SECTION_PAGE (step->page))
        cp_section_page_set_findings (CP_SECTION_PAGE (step->page), self->findings, FALSE);
    }
  cp_packet_view_update_completeness (self);
  cp_packet_view_update_state (self);
  g_signal_emit (self, signals [PACKET_EDITED], 0);
}

static gboolean
save_timeout_cb (gpointer user_data)
{
  CpPacketView *self = user_data;

  self->save_id = 0;
  cp_packet_view_flush (self);
  if (self->dirty)
    cp_packet_view_revalidate (self);
  return G_SOURCE_REMOVE;
}

static void
cp_packet_view_schedule_save (CpPacketView *self)
{
  self->dirty = TRUE;
  /* Not restarted by later edits: a steady typist still gets saved every SAVE_DELAY_MS. */
  if (self->save_id == 0)
    self->save_id = g_timeout_add (SAVE_DELAY_MS, save_timeout_cb, self);
}

static void
json_node_free_nullable (gpointer node)
{
  if (node != NULL)
    json_node_unref (node);
}

/* Remembers the value of every field that others repeat (cp-identity.h), so that an edit knows
 * what the copies held when they still followed it. */
static void
cp_packet_view_note_carried (CpPacketView *self)
{
  GPtrArray *sections = cp_template_get_sections (self->tmpl);

  g_hash_table_remove_all (self->carried);
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      for (guint j = 0; section->fields != NULL && j < section->fields->len; j++)
        {
          const CpField *field = g_ptr_array_index (section->fields, j);
          const CpField *source = field->repeats != NULL ? field->repeats : field->division_of;
          JsonNode *value;

          if (source == NULL || g_hash_table_contains (self->carried, source->path))
            continue;
          value = cp_packet_get_value (self->packet, source->section->id, source->id);
          g_hash_table_insert (self->carried, g_strdup (source->path),
                               value != NULL ? json_node_copy (value) : NULL);
        }
    }
}

/* The cover's identity is typed once: its copies follow it, in the same save. */
static void
cp_packet_view_carry_identity (CpPacketView *self,
                               const char   *section_id,
                               const char   *field_id)
{
  g_autofree char *path = g_strconcat (section_id, ".", field_id, NULL);
  g_autoptr(GPtrArray) written = NULL;
  JsonNode *current;
  gpointer previous = NULL;

  if (!g_hash_table_lookup_extended (self->carried, path, NULL, &previous))
    return;
  written = cp_identity_carry (self->tmpl, self->packet, section_id, field_id, previous);
  for (guint i = 0; i < written->len; i++)
    {
      const char *copy = g_ptr_array_index (written, i);
      const char *dot = strchr (copy, '.');
      g_autofree char *copy_section = g_strndup (copy, dot - copy);
      Step *step = cp_packet_view_find_step (self, copy_section);

      g_hash_table_add (self->pending, g_strdup_printf ("%s\037%s", copy_section, dot + 1));
      if (step != NULL && CP_IS_SECTION_PAGE (step->page))
        cp_section_page_refresh_field (CP_SECTION_PAGE (step->page), dot + 1);
    }
  current = cp_packet_get_value (self->packet, section_id, field_id);
  g_hash_table_insert (self->carried, g_steal_pointer (&path),
                       current != NULL ? json_node_copy (current) : NULL);
}

static void
section_edited_cb (CpSectionPage *page,
                   const char    *field_id,
                   gboolean       full_save,
                   CpPacketView  *self)
{
  const CpSection *section = cp_section_page_get_section (page);

  /* A late result (an attachment copied in a thread) for a packet that is no longer shown:
   * write that packet and leave the one on screen alone. */
  if (cp_section_page_get_packet (page) != self->packet)
    {
      g_autoptr(GError) error = NULL;

      if (self->store != NULL &&
          !cp_store_save_packet (self->store, cp_section_page_get_packet (page), NULL, &error))
        cp_packet_view_show_toast (self, error->message);
      return;
    }

  if (full_save)
    {
      g_autoptr(GError) error = NULL;

      /* The attachment manifest changed: the whole packet is written (pending edits are part
       * of it). */
      g_hash_table_remove_all (self->pending);
      g_clear_handle_id (&self->save_id, g_source_remove);
      if (!cp_store_save_packet (self->store, self->packet, NULL, &error))
        cp_packet_view_show_toast (self, error->message);
      cp_packet_view_revalidate (self);
      return;
    }

  g_hash_table_add (self->pending, g_strdup_printf ("%s\037%s", section->id, field_id));
  cp_packet_view_carry_identity (self, section->id, field_id);
  cp_packet_view_schedule_save (self);
}

static void
section_field_left_cb (CpSectionPage *page,
                       const char    *field_id,
                       CpPacketView  *self)
{
  cp_packet_view_flush (self);
  if (self->dirty)
    cp_packet_view_revalidate (self);
}

static void
score_edited_cb (CpScoringPage *page,
                 const char    *item_id,
                 int            column,
                 CpPacketView  *self)
{
  const CpItemScore *score = cp_packet_get_score (self->packet, item_id);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  /* Scores are written at once: one small transaction per accepted cell. */
  if (column == CP_SCORING_PAGE_NOTE)
    ok = cp_store_set_score_note (self->store, self->uuid, item_id,
                                  score != NULL ? score->note : NULL, &error);
  else if (score != NULL && column == CP_SCORE_SELF && score->has_self)
    ok = cp_store_set_score (self->store, self->uuid, item_id, column, score->self, &error);
  else if (score != NULL && column == CP_SCORE_ACCEPTANCE && score->has_acceptance)
    ok = cp_store_set_score (self->store, self->uuid, item_id, column, score->acceptance,
                             &error);
  else
    ok = cp_store_unset_score (self->store, self->uuid, item_id, column, &error);
  if (!ok)
    cp_packet_view_show_toast (self, error->message);
  cp_packet_view_schedule_save (self);
}

static void
clock_changed_cb (CpScoringPage *page,
                  CpPacketView  *self)
{
  g_autoptr(GError) error = NULL;

  cp_packet_view_flush (self);
  if (!cp_store_save_packet (self->store, self->packet, NULL, &error))
    cp_packet_view_show_toast (self, error->message);
}

typedef struct
{
  GFile   *file;
  char    *uuid;
  char    *item_id;
  char    *name;
  char    *sha256;
  guint64  size;
} EvidenceJob;

static void
evidence_job_free (EvidenceJob *job)
{
  g_clear_object (&job->file);
  g_free (job->uuid);
  g_free (job->item_id);
  g_free (job->name);
  g_free (job->sha256);
  g_free (job);
}

static void
evidence_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  CpPacketView *self = source_object;
  EvidenceJob *job = task_data;
  GError *error = NULL;

  if (!cp_store_add_blob_from_file (self->store, job->file, &job->sha256, &job->size,
                                    cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
evidence_done_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CpPacketView *self = CP_PACKET_VIEW (object);
  EvidenceJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *mime = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *message = g_strdup_printf (_("The file could not be attached: %s"),
                                                  error->message);
      cp_packet_view_show_toast (self, message);
      return;
    }
  if (self->packet == NULL || self->scoring == NULL || g_strcmp0 (self->uuid, job->uuid) != 0)
    {
      cp_packet_view_show_toast (self, _("The evidence was not attached: its packet was "
                                           "closed meanwhile. Open it and attach the file again."));
      return;
    }
  content_type = g_content_type_guess (job->name, NULL, 0, NULL);
  mime = g_content_type_get_mime_type (content_type);
  cp_packet_add_attachment (self->packet, job->name, job->sha256, job->size,
                            mime != NULL ? mime : "application/octet-stream");
  cp_packet_set_score_evidence (self->packet, job->item_id, job->sha256);
  /* The manifest changed: the whole packet is written. */
  g_hash_table_remove_all (self->pending);
  if (!cp_store_save_packet (self->store, self->packet, NULL, &error))
    cp_packet_view_show_toast (self, error->message);
  cp_scoring_page_update_evidence (self->scoring, job->item_id);
  cp_packet_view_schedule_save (self);
}

static void
evidence_chosen_cb (CpScoringPage *page,
                    const char    *item_id,
                    GFile         *file,
                    CpPacketView  *self)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GFileInfo) info = NULL;
  EvidenceJob *job = g_new0 (EvidenceJob, 1);

  job->file = g_object_ref (file);
  job->uuid = g_strdup (self->uuid);
  job->item_id = g_strdup (item_id);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_DISPLAY_NAME,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  job->name = info != NULL ? g_strdup (g_file_info_get_display_name (info))
                           : g_file_get_basename (file);
  task = g_task_new (self, NULL, evidence_done_cb, NULL);
  g_task_set_source_tag (task, evidence_chosen_cb);
  g_task_set_task_data (task, job, (GDestroyNotify) evidence_job_free);
  g_task_run_in_thread (task, evidence_thread);
}

static void
completeness_step_cb (CpCompletenessPage *page,
                      const char         *transition,
                      CpPacketView       *self)
{
  g_signal_emit (self, signals [STEP], 0, transition);
}

static void
completeness_jump_cb (CpCompletenessPage *page,
                      const char         *section,
                      const char         *field,
                      CpPacketView       *self)
{
  cp_packet_view_jump (self, section, field);
}

static void
step_activated_cb (CpPacketView  *self,
                   GtkListBoxRow *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (index >= 0 && (guint) index < self->steps->len)
    {
      cp_packet_view_set_page (self, ((Step *) g_ptr_array_index (self->steps, index))->id);
      if (adw_flap_get_folded (self->flap))
        adw_flap_set_reveal_flap (self->flap, FALSE);
    }
}

/* The focus on a page just shown: the first empty required field of a section, the first
 * unscored item of the sheet (its value not selected: a stray key must not overwrite it), the
 * Submit button of a packet ready to go. */
static void
cp_packet_view_focus_page (CpPacketView *self,
                           Step         *step)
{
  if (!gtk_widget_get_sensitive (step->page))
    return;
  if (CP_IS_SECTION_PAGE (step->page))
    cp_section_page_focus_first_empty (CP_SECTION_PAGE (step->page));
  else if (CP_IS_SCORING_PAGE (step->page))
    {
      if (cp_scoring_page_get_focus_item (CP_SCORING_PAGE (step->page)) == NULL)
        cp_scoring_page_focus_first_unscored (CP_SCORING_PAGE (step->page));
    }
  else if (CP_IS_COMPLETENESS_PAGE (step->page))
    cp_completeness_page_focus (CP_COMPLETENESS_PAGE (step->page));
}

static void
page_changed_cb (CpPacketView *self)
{
  int index;
  g_autofree char *label = NULL;

  if (self->steps == NULL || self->switching)
    return;
  index = cp_packet_view_current_index (self);
  if (index < 0)
    return;

  /* Leaving a page writes what was typed on it. */
  cp_packet_view_flush (self);
  if (self->dirty)
    cp_packet_view_revalidate (self);

  gtk_list_box_select_row (self->step_list,
                           gtk_list_box_get_row_at_index (self->step_list, index));
  label = g_strdup_printf (_("Step %d of %u"), index + 1, self->steps->len);
  gtk_label_set_text (self->step_label, label);
  /* Keyboard first: what is typed next lands where the page needs it. */
  cp_packet_view_focus_page (self, g_ptr_array_index (self->steps, index));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "packet.previous", index > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "packet.next",
                                 (guint) index + 1 < self->steps->len);
  g_signal_emit (self, signals [PAGE_CHANGED], 0);
}

/* Actions. */

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CpPacketView *self = CP_PACKET_VIEW (widget);
  int index = cp_packet_view_current_index (self);

  if (index >= 0 && (guint) index + 1 < self->steps->len)
    cp_packet_view_set_page (self, ((Step *) g_ptr_array_index (self->steps, index + 1))->id);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  CpPacketView *self = CP_PACKET_VIEW (widget);
  int index = cp_packet_view_current_index (self);

  if (index > 0)
    cp_packet_view_set_page (self, ((Step *) g_ptr_array_index (self->steps, index - 1))->id);
}

static void
show_completeness_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  cp_packet_view_set_page (CP_PACKET_VIEW (widget), CP_PAGE_COMPLETENESS);
}

static void
show_scoring_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  cp_packet_view_set_page (CP_PACKET_VIEW (widget), CP_PAGE_SCORING);
}

static void
only_unscored_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CpPacketView *self = CP_PACKET_VIEW (widget);

  if (self->scoring != NULL)
    cp_scoring_page_set_only_unscored (self->scoring,
                                       !cp_scoring_page_get_only_unscored (self->scoring));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CpPacketView *self = CP_PACKET_VIEW (widget);

  if (self->uuid != NULL)
    gtk_widget_activate_action (widget, "win.delete-packet", "s", self->uuid);
}

static void
export_pdf_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CpPacketView *self = CP_PACKET_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->packet == NULL)
    return;
  cp_packet_view_flush (self);
  gtk_window_present (GTK_WINDOW (cp_export_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root)
                                                                          : NULL,
                                                        self->registry, self->store,
                                                        self->packet)));
}

static void
print_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  CpPacketView *self = CP_PACKET_VIEW (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (self->packet == NULL || !GTK_IS_WINDOW (root))
    return;
  cp_packet_view_flush (self);
  cp_print_operation_print_packet (GTK_WINDOW (root), self->registry, self->store, self->packet);
}

/* Building the steps. */

static Step *
cp_packet_view_add_step (CpPacketView *self,
                         const char   *id,
                         const char   *section_id,
                         const char   *title,
                         GtkWidget    *page)
{
  Step *step = g_new0 (Step, 1);
  GtkWidget *box, *label, *number;
  g_autofree char *number_text = g_strdup_printf ("%u", self->steps->len + 1);

  step->id = g_strdup (id);
  step->section_id = g_strdup (section_id);
  step->title = g_strdup (title);
  step->page = page;
  step->status = CP_SECTION_STATUS_EMPTY;

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  number = gtk_label_new (number_text);
  gtk_widget_add_css_class (number, "dim-label");
  gtk_widget_add_css_class (number, "numeric");
  gtk_label_set_width_chars (GTK_LABEL (number), 2);
  gtk_label_set_xalign (GTK_LABEL (number), 1);
  label = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  step->badge = gtk_image_new ();
  gtk_widget_add_css_class (step->badge, "step-badge");
  step->comment_badge = gtk_image_new_from_icon_name ("review-comment-symbolic");
  gtk_widget_add_css_class (step->comment_badge, "step-badge");
  gtk_widget_add_css_class (step->comment_badge, "review");
  gtk_widget_set_visible (step->comment_badge, FALSE);
  gtk_box_append (GTK_BOX (box), number);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), step->comment_badge);
  gtk_box_append (GTK_BOX (box), step->badge);
  step->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (step->row), box);
  gtk_widget_set_tooltip_text (step->row, title);
  gtk_list_box_append (self->step_list, step->row);

  gtk_stack_add_named (self->page_stack, page, id);
  g_ptr_array_add (self->steps, step);
  return step;
}

/* Takes the focus out of the pages before the page that holds it is hidden or removed: GTK 4.8
 * then marks the window to move the focus on later, and it would move from the field the next
 * page focused to the one after it. */
static void
cp_packet_view_release_focus (CpPacketView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;

  if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->page_stack)))
    gtk_root_set_focus (root, NULL);
}

/* Without a packet the view's actions do nothing: they are off, so that their keys (which work
 * window-wide) reach other widgets. */
static void
cp_packet_view_set_actions_enabled (CpPacketView *self,
                                    gboolean      enabled)
{
  static const char * const actions[] = {
    "packet.next", "packet.previous", "packet.show-completeness", "packet.show-scoring",
    "packet.only-unscored", "packet.export-pdf", "packet.print", "packet.delete",
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), actions[i], enabled);
}

static void
cp_packet_view_clear (CpPacketView *self)
{
  GtkWidget *child;

  cp_packet_view_release_focus (self);
  g_clear_handle_id (&self->save_id, g_source_remove);
  g_hash_table_remove_all (self->pending);
  self->switching = TRUE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->step_list))) != NULL)
    gtk_list_box_remove (self->step_list, child);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->page_stack))) != NULL)
    gtk_stack_remove (self->page_stack, child);
  self->switching = FALSE;
  g_clear_pointer (&self->steps, g_ptr_array_unref);
  g_clear_pointer (&self->findings, g_ptr_array_unref);
  g_clear_pointer (&self->comments, g_ptr_array_unref);
  g_clear_pointer (&self->uuid, g_free);
  g_clear_object (&self->packet);
  g_clear_object (&self->tmpl);
  g_clear_object (&self->sheet);
  g_clear_object (&self->store);
  g_clear_object (&self->registry);
  self->completeness = NULL;
  self->scoring = NULL;
  self->party = CP_ROLE_NONE;
  g_clear_pointer (&self->stage_id, g_free);
  self->dirty = FALSE;
  cp_packet_view_set_actions_enabled (self, FALSE);
}

static void
cp_packet_view_dispose (GObject *object)
{
  CpPacketView *self = CP_PACKET_VIEW (object);

  if (self->packet != NULL)
    cp_packet_view_flush (self);
  cp_packet_view_clear (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), CP_TYPE_PACKET_VIEW);

  G_OBJECT_CLASS (cp_packet_view_parent_class)->dispose (object);
}

static void
cp_packet_view_finalize (GObject *object)
{
  CpPacketView *self = CP_PACKET_VIEW (object);

  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->carried, g_hash_table_unref);

  G_OBJECT_CLASS (cp_packet_view_parent_class)->finalize (object);
}

static void
cp_packet_view_class_init (CpPacketViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cp_packet_view_dispose;
  object_class->finalize = cp_packet_view_finalize;

  signals [PAGE_CHANGED] = g_signal_new ("page-changed", G_TYPE_FROM_CLASS (klass),
                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                         G_TYPE_NONE, 0);
  signals [PACKET_EDITED] = g_signal_new ("packet-edited", G_TYPE_FROM_CLASS (klass),
                                          G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                          G_TYPE_NONE, 0);
  /* The user chose a step of the packet's review chain (the transition's id). */
  signals [STEP] = g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                 NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (CP_TYPE_SYNC_STATUS);
  gtk_widget_class_set_template_from_resource (
    widget_class, "/io/github/creditpacket/CreditPacket/cp-packet-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CpPacketView, title_widget);
  gtk_widget_class_bind_template_child (widget_class, CpPacketView, flap);
  gtk_widget_class_bind_template_child (widget_class, CpPacketView, step_list);
  gtk_widget_class_bind_template_child (widget_class, CpPacketView, page_stack);
  gtk_widget_class_bind_template_child (widget_class, CpPacketView, step_label);
  gtk_widget_class_bind_template_child (widget_class, CpPacketView, sync_status);
  gtk_widget_class_bind_template_callback (widget_class, step_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);

  gtk_widget_class_install_action (widget_class, "packet.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "packet.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "packet.show-completeness", NULL,
                                   show_completeness_action);
  gtk_widget_class_install_action (widget_class, "packet.show-scoring", NULL,
                                   show_scoring_action);
  gtk_widget_class_install_action (widget_class, "packet.only-unscored", NULL,
                                   only_unscored_action);
  gtk_widget_class_install_action (widget_class, "packet.export-pdf", NULL, export_pdf_action);
  gtk_widget_class_install_action (widget_class, "packet.print", NULL, print_action);
  gtk_widget_class_install_action (widget_class, "packet.delete", NULL, delete_action);
}

static void
cp_packet_view_init (CpPacketView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->carried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         json_node_free_nullable);
  /* Ctrl+K, Alt+Right, Ctrl+E…: from any field and from the header bar. */
  gtk_widget_add_controller (GTK_WIDGET (self), cp_app_shortcut_controller_new ("packet."));
  cp_packet_view_set_actions_enabled (self, FALSE);
}

gboolean
cp_packet_view_set_packet (CpPacketView        *self,
                           CpStore             *store,
                           CpTemplateRegistry  *registry,
                           CpPacket            *packet,
                           GError             **error)
{
  CpTemplate *tmpl;
  const CpScoringRef *scoring;
  GPtrArray *sections;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), FALSE);
  g_return_val_if_fail (CP_IS_STORE (store), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);

  if (registry == NULL)
    {
      g_set_error_literal (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_KIND,
                           _("The packet templates could not be loaded."));
      return FALSE;
    }
  tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                   cp_packet_get_template_version (packet));
  if (tmpl == NULL)
    tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  if (tmpl == NULL)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_KIND,
                   _("This program does not know packets of the kind “%s”. "
                     "Update it to the current templates."), cp_packet_get_kind (packet));
      return FALSE;
    }

  if (self->packet != NULL)
    cp_packet_view_flush (self);
  cp_packet_view_clear (self);

  self->store = g_object_ref (store);
  self->registry = g_object_ref (registry);
  self->tmpl = g_object_ref (tmpl);
  self->packet = g_object_ref (packet);
  cp_packet_view_note_carried (self);
  self->uuid = g_strdup (cp_packet_get_uuid (packet));
  self->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);

  scoring = cp_template_get_scoring (tmpl);
  if (scoring != NULL)
    {
      const char *sheet_id = cp_packet_get_sheet_id (packet) != NULL
                             ? cp_packet_get_sheet_id (packet) : scoring->sheet_id;
      CpScoringSheet *sheet =
        cp_template_registry_lookup_sheet_version (registry, sheet_id,
                                                   cp_packet_get_sheet_version (packet));

      if (sheet == NULL)
        sheet = cp_template_registry_lookup_sheet (registry, sheet_id);
      if (sheet != NULL)
        self->sheet = g_object_ref (sheet);
    }

  self->switching = TRUE;
  sections = cp_template_get_sections (tmpl);
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);
      gboolean is_scoring = scoring != NULL && scoring->section == section && self->sheet;

      if (section->generated)
        continue;
      if (section->fields->len > 0 || !is_scoring)
        {
          CpSectionPage *page = cp_section_page_new (tmpl, section, packet, store);

          g_signal_connect (page, "edited", G_CALLBACK (section_edited_cb), self);
          g_signal_connect (page, "field-left", G_CALLBACK (section_field_left_cb), self);
          cp_packet_view_add_step (self, section->id, section->id,
                                   cp_text_get (section->title), GTK_WIDGET (page));
        }
      if (is_scoring)
        {
          self->scoring = cp_scoring_page_new (self->sheet, packet, scoring->self,
                                               scoring->acceptance);
          g_signal_connect (self->scoring, "score-edited", G_CALLBACK (score_edited_cb), self);
          g_signal_connect (self->scoring, "clock-changed", G_CALLBACK (clock_changed_cb), self);
          g_signal_connect (self->scoring, "evidence-chosen", G_CALLBACK (evidence_chosen_cb),
                            self);
          cp_packet_view_add_step (self, CP_PAGE_SCORING, section->id,
                                   cp_text_get (cp_scoring_sheet_get_title (self->sheet)),
                                   GTK_WIDGET (self->scoring));
        }
    }
  cp_packet_view_set_actions_enabled (self, TRUE);
  self->completeness = cp_completeness_page_new ();
  g_signal_connect (self->completeness, "jump", G_CALLBACK (completeness_jump_cb), self);
  g_signal_connect (self->completeness, "step", G_CALLBACK (completeness_step_cb), self);
  cp_packet_view_add_step (self, CP_PAGE_COMPLETENESS, NULL, _("Completeness"),
                           GTK_WIDGET (self->completeness));
  self->switching = FALSE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "packet.show-scoring", self->scoring != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "packet.only-unscored",
                                 self->scoring != NULL);

  cp_packet_view_revalidate (self);
  cp_packet_view_set_page (self, ((Step *) g_ptr_array_index (self->steps, 0))->id);
  page_changed_cb (self);
  return TRUE;
}

void
cp_packet_view_close (CpPacketView *self)
{
  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  if (self->packet != NULL)
    cp_packet_view_flush (self);
  cp_packet_view_clear (self);
}

CpPacket *
cp_packet_view_get_packet (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  return self->packet;
}

const char *
cp_packet_view_get_uuid (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  return self->uuid;
}

void
cp_packet_view_flush (CpPacketView *self)
{
  GHashTableIter iter;
  const char *key;

  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  g_clear_handle_id (&self->save_id, g_source_remove);
  if (self->packet == NULL)
    return;

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      const char *sep = strchr (key, '\037');
      g_autofree char *section = g_strndup (key, sep - key);
      const char *field = sep + 1;
      g_autoptr(GError) error = NULL;

      if (!cp_store_set_value (self->store, self->uuid, section, field,
                               cp_packet_get_value (self->packet, section, field), &error))
        {
          g_autofree char *message = g_strdup_printf (_("A change could not be saved: %s"),
                                                      error->message);
          cp_packet_view_show_toast (self, message);
          continue;
        }
      g_hash_table_iter_remove (&iter);
    }
  /* Validation is cheap next to a keystroke; do it now if anything is outstanding. */
  if (self->dirty)
    self->save_id = g_idle_add (save_timeout_cb, self);
}

guint
cp_packet_view_get_n_pending (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), 0);

  return g_hash_table_size (self->pending);
}

const char *
cp_packet_view_get_page (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  if (self->packet == NULL)
    return NULL;
  return gtk_stack_get_visible_child_name (self->page_stack);
}

gboolean
cp_packet_view_set_page (CpPacketView *self,
                         const char   *page)
{
  Step *step;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), FALSE);

  step = cp_packet_view_find_step (self, page);
  if (step == NULL)
    return FALSE;
  if (step->page == GTK_WIDGET (self->completeness))
    {
      /* Everything is listed on the completeness page; show every error on the pages too. */
      for (guint i = 0; i < self->steps->len; i++)
        {
          Step *other = g_ptr_array_index (self->steps, i);

          if (CP_IS_SECTION_PAGE (other->page))
            cp_section_page_set_findings (CP_SECTION_PAGE (other->page), self->findings, TRUE);
        }
    }
  if (gtk_stack_get_visible_child (self->page_stack) != step->page)
    cp_packet_view_release_focus (self);
  gtk_stack_set_visible_child (self->page_stack, step->page);
  return TRUE;
}

GPtrArray *
cp_packet_view_get_pages (CpPacketView *self)
{
  GPtrArray *ids;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  ids = g_ptr_array_new ();
  for (guint i = 0; self->steps != NULL && i < self->steps->len; i++)
    g_ptr_array_add (ids, ((Step *) g_ptr_array_index (self->steps, i))->id);
  return ids;
}

GtkWidget *
cp_packet_view_get_page_widget (CpPacketView *self,
                                const char   *page)
{
  Step *step;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  step = cp_packet_view_find_step (self, page);
  return step != NULL ? step->page : NULL;
}

CpSectionStatus
cp_packet_view_get_status (CpPacketView *self,
                           const char   *page)
{
  Step *step;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), CP_SECTION_STATUS_EMPTY);

  step = cp_packet_view_find_step (self, page);
  return step != NULL ? step->status : CP_SECTION_STATUS_EMPTY;
}

gboolean
cp_packet_view_jump (CpPacketView *self,
                     const char   *section,
                     const char   *field)
{
  Step *step = NULL;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), FALSE);

  for (guint i = 0; self->steps != NULL && i < self->steps->len; i++)
    {
      Step *s = g_ptr_array_index (self->steps, i);

      if (g_strcmp0 (s->section_id, section) != 0)
        continue;
      /* A section with fields and a scoring sheet: items go to the sheet. */
      if (step == NULL || (CP_IS_SCORING_PAGE (s->page) && field != NULL && self->sheet != NULL &&
                           (cp_scoring_sheet_lookup_item (self->sheet, field) != NULL ||
                            cp_scoring_sheet_lookup_adjustment (self->sheet, field) != NULL)))
        step = s;
    }
  if (step == NULL)
    return FALSE;
  cp_packet_view_set_page (self, step->id);
  if (field == NULL)
    return TRUE;
  if (CP_IS_SECTION_PAGE (step->page))
    return cp_section_page_focus_field (CP_SECTION_PAGE (step->page), field);
  if (CP_IS_SCORING_PAGE (step->page))
    {
      const CpScoringRef *scoring = cp_template_get_scoring (self->tmpl);
      CpScoreColumn column = scoring != NULL && scoring->self && !scoring->acceptance
                             ? CP_SCORE_SELF : CP_SCORE_ACCEPTANCE;

      cp_scoring_page_set_only_unscored (CP_SCORING_PAGE (step->page), FALSE);
      return cp_scoring_page_focus_item (CP_SCORING_PAGE (step->page), field, column);
    }
  return FALSE;
}

gboolean
cp_packet_view_export_pdf (CpPacketView  *self,
                           const char    *path,
                           GError       **error)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (self->packet == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("No packet is open."));
      return FALSE;
    }
  cp_packet_view_flush (self);
  return cp_export_pdf (self->registry, self->packet, path, NULL, error);
}

/* The sync status button of the view's header bar (hidden until the window gives it a sync
 * manager), so that where sync stands shows while a packet is open too. */
CpSyncStatus *
cp_packet_view_get_sync_status (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  return self->sync_status;
}

void
cp_packet_view_set_access (CpPacketView *self,
                           CpRole        party,
                           const char   *stage_id)
{
  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  self->party = party;
  g_free (self->stage_id);
  self->stage_id = g_strdup (stage_id);
  for (guint i = 0; self->steps != NULL && i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      if (CP_IS_SECTION_PAGE (step->page))
        cp_section_page_set_access (CP_SECTION_PAGE (step->page), party, stage_id);
    }
  if (self->scoring != NULL)
    cp_scoring_page_set_access (self->scoring, self->tmpl, party, stage_id);
  if (self->completeness != NULL)
    {
      const CpWorkflow *workflow = cp_template_get_workflow (self->tmpl);
      g_autoptr(GPtrArray) steps = NULL;

      /* The steps this party may take in this stage, from the template. */
      if (workflow != NULL && party != CP_ROLE_NONE && stage_id != NULL)
        steps = cp_workflow_list_transitions (workflow, party, stage_id);
      cp_completeness_page_set_party (self->completeness, party);
      cp_completeness_page_set_stage (self->completeness, stage_id);
      cp_completeness_page_set_steps (self->completeness, steps);
      cp_packet_view_update_completeness (self);
    }
}

CpRole
cp_packet_view_get_party (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), CP_ROLE_NONE);

  return self->party;
}

const char *
cp_packet_view_get_stage (CpPacketView *self)
{
  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), NULL);

  return self->stage_id;
}

void
cp_packet_view_set_authors (CpPacketView *self,
                            JsonObject   *authors)
{
  g_return_if_fail (CP_IS_PACKET_VIEW (self));

  for (guint i = 0; self->steps != NULL && i < self->steps->len; i++)
    {
      Step *step = g_ptr_array_index (self->steps, i);

      if (CP_IS_SECTION_PAGE (step->page))
        cp_section_page_set_authors (CP_SECTION_PAGE (step->page), authors);
    }
  if (self->scoring != NULL)
    cp_scoring_page_set_authors (self->scoring, authors);
}

guint
cp_packet_view_fill_account (CpPacketView *self,
                             const char   *agency_name,
                             const char   *agency_uscc)
{
  g_autoptr(GPtrArray) written = NULL;

  g_return_val_if_fail (CP_IS_PACKET_VIEW (self), 0);

  if (self->packet == NULL || self->tmpl == NULL)
    return 0;
  written = cp_identity_fill_account (self->tmpl, self->packet, agency_name, agency_uscc);
  for (guint i = 0; i < written->len; i++)
    {
      const char *path = g_ptr_array_index (written, i);
      const char *dot = strchr (path, '.');
      g_autofree char *section_id = g_strndup (path, dot - path);
      Step *step = cp_packet_view_find_step (self, section_id);

      g_hash_table_add (self->pending, g_strdup_printf ("%s\037%s", section_id, dot + 1));
      if (step != NULL && CP_IS_SECTION_PAGE (step->page))
        cp_section_page_refresh_field (CP_SECTION_PAGE (step->page), dot + 1);
    }
  if (written->len > 0)
    {
      self->dirty = TRUE;
      cp_packet_view_schedule_save (self);
    }
  return written->len;
}
