/* cp-completeness-page.c — every finding of a packet, grouped by section
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-completeness-page.h"
#include "cp-completeness-page-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-access.h"
#include "cp-review-dialog.h"
#include "cp-validator.h"

struct _CpCompletenessPage
{
  AdwBin     parent_instance;

  GtkWidget *status;       /* the verdict: icon, title, description */
  GtkWidget *status_icon;
  GtkWidget *status_title;
  GtkWidget *status_description;
  GtkWidget *submit_button;
  GtkWidget *steps_box;    /* the steps of the review chain the user may take now */
  guint      n_steps;
  GtkWidget *groups_box;
  GPtrArray *rows;         /* element type GtkWidget * (AdwActionRow) in order */
  char      *title;
  char      *workflow_detail;  /* "Submitted on … by …" */
  char      *stage_id;     /* the stage of its review chain, or NULL */
  CpPacketState state;
  CpRole     party;        /* CP_ROLE_NONE: one list, everything the user's */
  guint      n_others;     /* rows of parts other parties fill in */
  gboolean   ready;
};

enum {
  JUMP,
  STEP,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

enum {
  PROP_0,
  PROP_READY,
  PROP_CAN_SUBMIT,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_N_ROWS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (CpCompletenessPage, cp_completeness_page, ADW_TYPE_BIN)

static void
row_activated_cb (AdwActionRow       *row,
                  CpCompletenessPage *self)
{
  g_signal_emit (self, signals [JUMP], 0,
                 g_object_get_data (G_OBJECT (row), "cp-section"),
                 g_object_get_data (G_OBJECT (row), "cp-field"));
}

static void
cp_completeness_page_dispose (GObject *object)
{
  CpCompletenessPage *self = CP_COMPLETENESS_PAGE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  adw_bin_set_child (ADW_BIN (self), NULL);

  G_OBJECT_CLASS (cp_completeness_page_parent_class)->dispose (object);
}

static void
cp_completeness_page_finalize (GObject *object)
{
  CpCompletenessPage *self = CP_COMPLETENESS_PAGE (object);

  g_clear_pointer (&self->title, g_free);
  g_clear_pointer (&self->workflow_detail, g_free);
  g_clear_pointer (&self->stage_id, g_free);

  G_OBJECT_CLASS (cp_completeness_page_parent_class)->finalize (object);
}

static void
cp_completeness_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  CpCompletenessPage *self = CP_COMPLETENESS_PAGE (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, self->ready);
      break;
    case PROP_CAN_SUBMIT:
      g_value_set_boolean (value, gtk_widget_get_visible (self->submit_button));
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, gtk_label_get_text (GTK_LABEL (self->status_description)));
      break;
    case PROP_N_ROWS:
      g_value_set_uint (value, self->rows->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_completeness_page_class_init (CpCompletenessPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cp_completeness_page_dispose;
  object_class->finalize = cp_completeness_page_finalize;
  object_class->get_property = cp_completeness_page_get_property;

  /* Whether the validator finds nothing that blocks submission. */
  properties [PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Whether the page offers Submit (ready, and neither submitted nor accepted). */
  properties [PROP_CAN_SUBMIT] =
    g_param_spec_boolean ("can-submit", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The verdict at the top ("Ready to Submit", "3 Problems Left", "Submitted to …"). */
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The sentence under the verdict. */
  properties [PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The number of findings listed, one row each. */
  properties [PROP_N_ROWS] =
    g_param_spec_uint ("n-rows", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals [JUMP] = g_signal_new ("jump", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                 G_TYPE_STRING, G_TYPE_STRING);
  /* A step of the review chain was chosen (its transition id). */
  signals [STEP] = g_signal_new ("step", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
cp_completeness_page_init (CpCompletenessPage *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);

  self->rows = g_ptr_array_new ();
  self->status = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  gtk_widget_set_margin_top (self->status, 36);
  gtk_widget_set_margin_bottom (self->status, 12);
  gtk_widget_add_css_class (self->status, "completeness-status");
  self->status_icon = gtk_image_new ();
  gtk_image_set_pixel_size (GTK_IMAGE (self->status_icon), 96);
  self->status_title = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->status_title), TRUE);
  gtk_widget_add_css_class (self->status_title, "title-1");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->status_title),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 1, -1);
  self->status_description = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->status_description), TRUE);
  gtk_label_set_justify (GTK_LABEL (self->status_description), GTK_JUSTIFY_CENTER);
  self->submit_button = gtk_button_new_with_mnemonic (_("_Submit to the Credit Office…"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->submit_button), "win.submit");
  gtk_widget_set_halign (self->submit_button, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (self->submit_button, 6);
  gtk_widget_add_css_class (self->submit_button, "pill");
  gtk_widget_add_css_class (self->submit_button, "suggested-action");
  gtk_widget_set_visible (self->submit_button, FALSE);
  gtk_box_append (GTK_BOX (self->status), self->status_icon);
  gtk_box_append (GTK_BOX (self->status), self->status_title);
  gtk_box_append (GTK_BOX (self->status), self->status_description);
  gtk_box_append (GTK_BOX (self->status), self->submit_button);
  self->steps_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_halign (self->steps_box, GTK_ALIGN_CENTER);
  gtk_widget_set_margin_top (self->steps_box, 6);
  gtk_widget_set_visible (self->steps_box, FALSE);
  gtk_box_append (GTK_BOX (self->status), self->steps_box);
  self->groups_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 18);
  gtk_widget_set_margin_bottom (self->groups_box, 24);
  gtk_widget_set_margin_start (self->groups_box, 12);
  gtk_widget_set_margin_end (self->groups_box, 12);
  gtk_box_append (GTK_BOX (box), self->status);
  gtk_box_append (GTK_BOX (box), self->groups_box);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 760);
  adw_clamp_set_child (ADW_CLAMP (clamp), box);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER,
                                  GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  adw_bin_set_child (ADW_BIN (self), scrolled);
}

CpCompletenessPage *
cp_completeness_page_new (void)
{
  return g_object_new (CP_TYPE_COMPLETENESS_PAGE, NULL);
}

static char *
field_label (CpTemplate *tmpl,
             const char *section_id,
             const char *field_path)
{
  g_autofree char *top = NULL;
  g_autofree char *path = NULL;
  const CpField *field;
  const char *cut;

  if (field_path == NULL)
    return NULL;
  cut = field_path + strcspn (field_path, "[.");
  top = g_strndup (field_path, cut - field_path);
  path = g_strdup_printf ("%s.%s", section_id, top);
  field = cp_template_lookup_field (tmpl, path);
  if (field == NULL)
    return NULL;
  if (*cut == '[')
    {
      guint index = (guint) g_ascii_strtoull (cut + 1, NULL, 10);
      const char *dot = strchr (cut, '.');
      const CpField *sub = dot != NULL ? cp_field_lookup_subfield (field, dot + 1) : NULL;

      if (sub != NULL)
        /* Translators: group label, entry number, sub-field label */
        return g_strdup_printf (_("%s, entry %u: %s"), cp_text_get (field->label), index + 1,
                                cp_text_get (sub->label));
      return g_strdup_printf (_("%s, entry %u"), cp_text_get (field->label), index + 1);
    }
  return g_strdup (cp_text_get (field->label));
}

/* Who fills in the part a finding is about: its field's owner, else its section's;
 * CP_ROLE_NONE for the packet as a whole and for a kind without a workflow. */
static CpRole
finding_owner (CpTemplate      *tmpl,
               const CpFinding *f)
{
  const CpSection *section;
  g_autofree char *top = NULL;
  const CpField *field;

  if (f->section == NULL || cp_template_get_workflow (tmpl) == NULL)
    return CP_ROLE_NONE;
  section = cp_template_lookup_section (tmpl, f->section);
  if (section == NULL)
    return CP_ROLE_NONE;
  if (f->field != NULL)
    {
      top = g_strndup (f->field, strcspn (f->field, "[."));
      field = cp_section_lookup_field (section, top);
      if (field != NULL && field->owner != CP_ROLE_NONE)
        return field->owner;
    }
  return section->owner;
}

static void
add_heading (CpCompletenessPage *self,
             const char         *title,
             const char         *description)
{
  GtkWidget *heading = gtk_label_new (title);

  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
  gtk_widget_add_css_class (heading, "title-4");
  gtk_widget_add_css_class (heading, "completeness-heading");
  gtk_accessible_update_property (GTK_ACCESSIBLE (heading),
                                  GTK_ACCESSIBLE_PROPERTY_LEVEL, 2, -1);
  gtk_box_append (GTK_BOX (self->groups_box), heading);
  if (description != NULL)
    {
      GtkWidget *label = gtk_label_new (description);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_box_append (GTK_BOX (self->groups_box), label);
    }
}

/* The rows of @findings that are the user's (@mine) or the others', grouped by section in
 * binder order, the packet as a whole first. */
static void
add_findings (CpCompletenessPage *self,
              CpTemplate         *tmpl,
              GPtrArray          *findings,
              gboolean            mine)
{
  GPtrArray *sections = cp_template_get_sections (tmpl);

  for (int s = -1; s < (int) sections->len; s++)
    {
      const CpSection *section = s >= 0 ? g_ptr_array_index (sections, s) : NULL;
      GtkWidget *group = NULL;

      for (guint i = 0; i < findings->len; i++)
        {
          const CpFinding *f = g_ptr_array_index (findings, i);
          GtkWidget *row, *icon;
          g_autofree char *label = NULL;
          CpRole owner = finding_owner (tmpl, f);
          gboolean is_mine = self->party == CP_ROLE_NONE || owner == CP_ROLE_NONE ||
                             owner == self->party;

          if (is_mine != mine)
            continue;
          if (section == NULL ? f->section != NULL &&
                                cp_template_lookup_section (tmpl, f->section) != NULL
                              : g_strcmp0 (f->section, section->id) != 0)
            continue;
          if (!is_mine)
            self->n_others++;

          if (group == NULL)
            {
              group = adw_preferences_group_new ();
              adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group),
                                               section != NULL ? cp_text_get (section->title)
                                                               : _("The packet as a whole"));
              gtk_box_append (GTK_BOX (self->groups_box), group);
            }

          row = adw_action_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), f->message);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
          adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
          label = section != NULL ? field_label (tmpl, section->id, f->field) : NULL;
          if (label == NULL && f->field != NULL)
            label = g_strdup (f->field);
          if (!is_mine)
            {
              /* Translators: a field, and who fills it in: "法定代表人 · 由区信用办填写" */
              g_autofree char *with_owner = label != NULL
                ? g_strdup_printf (_("%s · %s"), label, cp_role_get_caption (owner))
                : g_strdup (cp_role_get_caption (owner));

              g_free (label);
              label = g_steal_pointer (&with_owner);
            }
          if (label != NULL)
            adw_action_row_set_subtitle (ADW_ACTION_ROW (row), label);
          if (g_strcmp0 (f->code, CP_COMMENT_FINDING_CODE) == 0)
            {
              icon = gtk_image_new_from_icon_name ("review-comment-symbolic");
              gtk_widget_add_css_class (icon, "warning");
              gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL,
                                              _("Reviewer’s comment"), -1);
            }
          else
            {
              icon = gtk_image_new_from_icon_name (f->severity == CP_SEVERITY_ERROR
                                                   ? "dialog-error-symbolic"
                                                   : "dialog-warning-symbolic");
              gtk_widget_add_css_class (icon, f->severity == CP_SEVERITY_ERROR ? "error"
                                                                               : "warning");
              gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                              GTK_ACCESSIBLE_PROPERTY_LABEL,
                                              f->severity == CP_SEVERITY_ERROR ? _("Error")
                                                                               : _("Warning"),
                                              -1);
            }
          adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
          if (section != NULL)
            {
              adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                         gtk_image_new_from_icon_name ("go-next-symbolic"));
              gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
              g_object_set_data_full (G_OBJECT (row), "cp-section", g_strdup (section->id),
                                      g_free);
              g_object_set_data_full (G_OBJECT (row), "cp-field", g_strdup (f->field), g_free);
              g_signal_connect (row, "activated", G_CALLBACK (row_activated_cb), self);
            }
          adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
          g_ptr_array_add (self->rows, row);
        }
    }

}

void
cp_completeness_page_update (CpCompletenessPage *self,
                             CpTemplate         *tmpl,
                             GPtrArray          *findings)
{
  GtkWidget *child;
  guint n_errors, n_warnings;
  g_autofree char *description = NULL;
  gboolean was_ready, could_submit;
  g_autofree char *old_title = NULL;
  g_autofree char *old_description = NULL;
  guint old_n_rows;

  g_return_if_fail (CP_IS_COMPLETENESS_PAGE (self));
  g_return_if_fail (CP_IS_TEMPLATE (tmpl));
  g_return_if_fail (findings != NULL);

  was_ready = self->ready;
  could_submit = gtk_widget_get_visible (self->submit_button);
  old_title = g_strdup (self->title);
  old_description = g_strdup (gtk_label_get_text (GTK_LABEL (self->status_description)));
  old_n_rows = self->rows->len;

  while ((child = gtk_widget_get_first_child (self->groups_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->groups_box), child);
  g_ptr_array_set_size (self->rows, 0);
  self->n_others = 0;

  n_errors = cp_findings_count (findings, CP_SEVERITY_ERROR);
  n_warnings = cp_findings_count (findings, CP_SEVERITY_WARNING);
  self->ready = cp_validator_is_ready (findings);

  g_free (self->title);
  if (self->ready)
    {
      self->title = g_strdup (_("Ready to Submit"));
      if (n_warnings > 0)
        description = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
          "Every required part is filled in and no rule is broken. %u warning below is worth "
          "a look; it does not block submission.",
          "Every required part is filled in and no rule is broken. %u warnings below are worth "
          "a look; they do not block submission.", n_warnings), n_warnings);
      else
        description = g_strdup (_("Every required part is filled in and no rule is broken. "
                                  "The packet can be submitted."));
      gtk_image_set_from_icon_name (GTK_IMAGE (self->status_icon), "emblem-ok-symbolic");
      gtk_widget_add_css_class (self->status, "ready");
      gtk_widget_remove_css_class (self->status, "not-ready");
    }
  else
    {
      self->title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Problem Left",
                                                  "%u Problems Left", n_errors), n_errors);
      description = g_strdup (_("Each row says what is missing or wrong, and where. Select a "
                                "row to go to the field."));
      gtk_image_set_from_icon_name (GTK_IMAGE (self->status_icon), "dialog-warning-symbolic");
      gtk_widget_add_css_class (self->status, "not-ready");
      gtk_widget_remove_css_class (self->status, "ready");
    }
  /* Submitted or accepted: that is what the page says first, with when and by whom. */
  if (self->state == CP_PACKET_STATE_SUBMITTED || self->state == CP_PACKET_STATE_ACCEPTED)
    {
      g_free (self->title);
      self->title = g_strdup (self->state == CP_PACKET_STATE_SUBMITTED
                              ? _("Submitted to the Credit Office")
                              : _("Accepted by the Credit Office"));
      g_free (description);
      if (self->state == CP_PACKET_STATE_SUBMITTED)
        description = g_strdup_printf ("%s\n%s", self->workflow_detail != NULL
                                                 ? self->workflow_detail : "",
                                       _("It cannot be changed unless the credit office "
                                         "returns it."));
      else
        description = g_strdup (self->workflow_detail != NULL ? self->workflow_detail : "");
      g_strstrip (description);
      /* A kind with a review chain: the stage it is in and whose turn it is, rather than the
       * one office of the older kinds. */
      {
        const CpWorkflow *workflow = cp_template_get_workflow (tmpl);
        const CpWorkflowState *stage = workflow != NULL && self->stage_id != NULL
                                       ? cp_workflow_lookup_state (workflow, self->stage_id)
                                       : NULL;

        if (stage != NULL && stage != cp_workflow_get_initial (workflow))
          {
            g_autoptr(GString) parties = g_string_new (NULL);

            g_free (self->title);
            self->title = g_strdup (cp_text_get (stage->label));
            for (CpRole role = CP_ROLE_NONE + 1; role < CP_N_ROLES; role++)
              {
                g_autoptr(GPtrArray) steps = cp_workflow_list_transitions (workflow, role,
                                                                           stage->id);

                if (!cp_workflow_state_has_writer (stage, role) && steps->len == 0)
                  continue;
                if (parties->len > 0)
                  /* Translators: between the parties a stage waits on: "评价机构、市信用办" */
                  g_string_append (parties, _(", "));
                g_string_append (parties, cp_role_get_label (role));
              }
            g_free (description);
            if (parties->len > 0)
              {
                /* Translators: who the packet waits on in its stage: "现在由评价机构办理。" */
                g_autofree char *now = g_strdup_printf (_("Now with %s."), parties->str);

                description = g_strdup_printf ("%s\n%s", self->workflow_detail != NULL
                                                         ? self->workflow_detail : "", now);
              }
            else
              description = g_strdup (self->workflow_detail != NULL ? self->workflow_detail
                                                                    : "");
            g_strstrip (description);
          }
      }
      gtk_image_set_from_icon_name (GTK_IMAGE (self->status_icon),
                                    self->state == CP_PACKET_STATE_SUBMITTED
                                    ? "mail-send-symbolic" : "emblem-ok-symbolic");
      gtk_widget_add_css_class (self->status, "ready");
      gtk_widget_remove_css_class (self->status, "not-ready");
    }
  gtk_label_set_text (GTK_LABEL (self->status_title), self->title);
  gtk_label_set_text (GTK_LABEL (self->status_description), description);
  gtk_widget_set_visible (self->submit_button,
                          self->ready && self->state != CP_PACKET_STATE_SUBMITTED &&
                          self->state != CP_PACKET_STATE_ACCEPTED);

  /* With a party: what the user must still do first, then what waits on others. */
  if (self->party != CP_ROLE_NONE && cp_template_get_workflow (tmpl) != NULL)
    {
      guint n_mine = 0, n_others = 0;

      for (guint i = 0; i < findings->len; i++)
        {
          CpRole owner = finding_owner (tmpl, g_ptr_array_index (findings, i));

          if (owner == CP_ROLE_NONE || owner == self->party)
            n_mine++;
          else
            n_others++;
        }
      if (n_others > 0)
        {
          const char *shown = gtk_label_get_text (GTK_LABEL (self->status_description));
          g_autofree char *split = NULL;

          /* Translators: added to the page's description: how many of the problems are the
           * user's, how many wait on others */
          split = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                "%u of them for you to do, %u for others.",
                                                "%u of them for you to do, %u for others.",
                                                n_mine), n_mine, n_others);
          if (!self->ready && self->state != CP_PACKET_STATE_SUBMITTED &&
              self->state != CP_PACKET_STATE_ACCEPTED)
            {
              g_autofree char *joined = g_strdup_printf ("%s\n%s", split, shown);

              gtk_label_set_text (GTK_LABEL (self->status_description), joined);
            }
          add_heading (self, n_mine > 0 ? _("For You to Do") : _("Nothing Left for You"),
                       n_mine > 0 ? NULL
                                  : _("What is left below is for other parties to fill in."));
          add_findings (self, tmpl, findings, TRUE);
          add_heading (self, _("For Others to Do"),
                       _("Other parties fill these in; each row says who."));
          add_findings (self, tmpl, findings, FALSE);
        }
      else
        add_findings (self, tmpl, findings, TRUE);
    }
  else
    add_findings (self, tmpl, findings, TRUE);

  if (self->ready != was_ready)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_READY]);
  if (gtk_widget_get_visible (self->submit_button) != could_submit)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CAN_SUBMIT]);
  if (g_strcmp0 (self->title, old_title) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
  if (g_strcmp0 (gtk_label_get_text (GTK_LABEL (self->status_description)),
                 old_description) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DESCRIPTION]);
  if (self->rows->len != old_n_rows)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ROWS]);
}

void
cp_completeness_page_set_workflow (CpCompletenessPage *self,
                                   CpPacketState       state,
                                   const char         *detail)
{
  g_return_if_fail (CP_IS_COMPLETENESS_PAGE (self));

  self->state = state;
  g_free (self->workflow_detail);
  self->workflow_detail = g_strdup (detail);
}

gboolean
cp_completeness_page_focus (CpCompletenessPage *self)
{
  g_return_val_if_fail (CP_IS_COMPLETENESS_PAGE (self), FALSE);

  if (gtk_widget_get_visible (self->submit_button) &&
      gtk_widget_is_sensitive (self->submit_button))
    return gtk_widget_grab_focus (self->submit_button);
  for (guint i = 0; i < self->rows->len; i++)
    if (gtk_list_box_row_get_activatable (g_ptr_array_index (self->rows, i)))
      return gtk_widget_grab_focus (g_ptr_array_index (self->rows, i));
  return FALSE;
}

void
cp_completeness_page_activate_row (CpCompletenessPage *self,
                                   guint               index)
{
  g_return_if_fail (CP_IS_COMPLETENESS_PAGE (self));
  g_return_if_fail (index < self->rows->len);

  row_activated_cb (g_ptr_array_index (self->rows, index), self);
}

void
cp_completeness_page_set_party (CpCompletenessPage *self,
                                CpRole              party)
{
  g_return_if_fail (CP_IS_COMPLETENESS_PAGE (self));

  self->party = party;
}

void
cp_completeness_page_set_stage (CpCompletenessPage *self,
                                const char         *stage_id)
{
  g_return_if_fail (CP_IS_COMPLETENESS_PAGE (self));

  g_free (self->stage_id);
  self->stage_id = g_strdup (stage_id);
}

guint
cp_completeness_page_get_n_others (CpCompletenessPage *self)
{
  g_return_val_if_fail (CP_IS_COMPLETENESS_PAGE (self), 0);

  return self->n_others;
}

static void
step_clicked_cb (GtkButton          *button,
                 CpCompletenessPage *self)
{
  g_signal_emit (self, signals [STEP], 0, g_object_get_data (G_OBJECT (button), "cp-step"));
}

void
cp_completeness_page_set_steps (CpCompletenessPage *self,
                                GPtrArray          *steps)
{
  GtkWidget *child;
  gboolean first = TRUE;

  g_return_if_fail (CP_IS_COMPLETENESS_PAGE (self));

  while ((child = gtk_widget_get_first_child (self->steps_box)) != NULL)
    gtk_box_remove (GTK_BOX (self->steps_box), child);
  self->n_steps = 0;
  for (guint i = 0; steps != NULL && i < steps->len; i++)
    {
      const CpTransition *step = g_ptr_array_index (steps, i);
      /* Translators: a step of the review chain on a button: "通过初审…" */
      g_autofree char *label = g_strdup_printf (_("%s…"), cp_text_get (step->label));
      GtkWidget *button;

      /* Handing the packet in is the Submit button's, with its confirmation. */
      if (step->submits)
        continue;
      button = gtk_button_new_with_label (label);
      self->n_steps++;
      gtk_widget_add_css_class (button, "pill");
      /* Sending back is never the default; the first step forward is. */
      if (step->comment)
        gtk_widget_add_css_class (button, "destructive-action");
      else if (first)
        {
          gtk_widget_add_css_class (button, "suggested-action");
          first = FALSE;
        }
      g_object_set_data_full (G_OBJECT (button), "cp-step", g_strdup (step->id), g_free);
      g_signal_connect (button, "clicked", G_CALLBACK (step_clicked_cb), self);
      gtk_box_append (GTK_BOX (self->steps_box), button);
    }
  gtk_widget_set_visible (self->steps_box, self->n_steps > 0);
}

guint
cp_completeness_page_get_n_steps (CpCompletenessPage *self)
{
  g_return_val_if_fail (CP_IS_COMPLETENESS_PAGE (self), 0);

  return self->n_steps;
}
