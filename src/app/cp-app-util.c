/* cp-app-util.c — small helpers the application shares between its widgets
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-app-util.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cp-date.h"
#include "cp-uscc.h"
#include "cp-workflow.h"
#include "cp-validator.h"

const char *
cp_app_state_title (CpPacketState state)
{
  switch (state)
    {
    case CP_PACKET_STATE_DRAFT:
      return _("Draft");
    case CP_PACKET_STATE_READY:
      return _("Ready to submit");
    case CP_PACKET_STATE_SUBMITTED:
      return _("Submitted");
    case CP_PACKET_STATE_RETURNED:
      return _("Returned");
    case CP_PACKET_STATE_ACCEPTED:
      return _("Accepted");
    default:
      return _("Unknown");
    }
}

CpSectionStatus
cp_app_section_status (CpTemplateRegistry *registry,
                       CpPacket           *packet,
                       GPtrArray          *findings,
                       const char         *section_id)
{
  CpTemplate *tmpl = cp_template_registry_lookup_kind_version (registry,
                                                               cp_packet_get_kind (packet),
                                                               cp_packet_get_template_version (packet));

  if (tmpl == NULL)
    tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  if (tmpl == NULL)
    return CP_SECTION_STATUS_ERRORS;
  return cp_validator_section_status (tmpl, packet, findings, section_id);
}

GPtrArray *
cp_app_list_kinds (CpTemplateRegistry *registry)
{
  g_autoptr(GPtrArray) kinds = cp_template_registry_list_kinds (registry);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < kinds->len; i++)
    g_ptr_array_add (ids, g_strdup (cp_template_get_id (g_ptr_array_index (kinds, i))));
  return ids;
}

const char *
cp_app_kind_title (CpTemplateRegistry *registry,
                   const char         *kind)
{
  CpTemplate *tmpl = registry != NULL && kind != NULL ?
                     cp_template_registry_lookup_kind (registry, kind) : NULL;

  if (tmpl == NULL)
    return kind != NULL ? kind : "";
  return cp_text_get (cp_template_get_title (tmpl));
}

CpPacket *
cp_app_new_packet (CpTemplateRegistry *registry,
                   const char         *kind,
                   GError            **error)
{
  CpTemplate *tmpl = cp_template_registry_lookup_kind (registry, kind);
  const CpScoringRef *scoring;
  CpPacket *packet;

  if (tmpl == NULL)
    {
      g_set_error (error, CP_VALIDATOR_ERROR, CP_VALIDATOR_ERROR_UNKNOWN_KIND,
                   _("This program does not know packets of the kind “%s”. "
                     "Update it to the current templates."), kind);
      return NULL;
    }
  packet = cp_packet_new (kind, cp_template_get_version (tmpl));
  scoring = cp_template_get_scoring (tmpl);
  if (scoring != NULL)
    {
      CpScoringSheet *sheet = cp_template_registry_lookup_sheet (registry, scoring->sheet_id);

      if (sheet != NULL)
        cp_packet_set_sheet (packet, cp_scoring_sheet_get_id (sheet),
                             cp_scoring_sheet_get_version (sheet));
    }
  return packet;
}

GPtrArray *
cp_app_validate (CpTemplateRegistry *registry,
                 CpPacket           *packet)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *findings = cp_validator_validate (registry, packet, NULL, &error);

  if (findings == NULL)
    {
      findings = g_ptr_array_new_with_free_func ((GDestroyNotify) cp_finding_free);
      g_ptr_array_add (findings, cp_finding_new (CP_SEVERITY_ERROR, NULL, NULL, "unknown-kind",
                                                 "%s", error->message));
    }
  return findings;
}

char *
cp_app_completeness_text (CpTemplateRegistry *registry,
                          CpPacket           *packet)
{
  CpTemplate *tmpl;
  g_autoptr(GPtrArray) findings = NULL;
  guint n_complete, n_sections = 0;

  if (registry == NULL)
    return NULL;
  tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                   cp_packet_get_template_version (packet));
  if (tmpl == NULL)
    tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  if (tmpl == NULL)
    return g_strdup (_("Unknown kind"));
  findings = cp_app_validate (registry, packet);
  n_complete = cp_validator_count_complete (tmpl, packet, findings, &n_sections);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u section complete",
                                       "%u of %u sections complete", n_sections),
                          n_complete, n_sections);
}

gboolean
cp_app_get_stage_deadline (CpTemplateRegistry *registry,
                           CpPacket           *packet,
                           const GDate        *today,
                           CpStageDeadline    *out)
{
  CpTemplate *tmpl;

  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (registry == NULL)
    return FALSE;
  tmpl = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                   cp_packet_get_template_version (packet));
  if (tmpl == NULL)
    tmpl = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  return tmpl != NULL && cp_template_get_stage_deadline (tmpl, packet, NULL, today, out);
}

char *
cp_app_deadline_text (CpTemplateRegistry *registry,
                      CpPacket           *packet,
                      const GDate        *today,
                      char              **details,
                      CpAppDeadline      *urgency)
{
  CpStageDeadline stage;
  g_autofree char *date = NULL;
  int days;

  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  if (details != NULL)
    *details = NULL;
  if (urgency != NULL)
    *urgency = CP_APP_DEADLINE_NONE;
  if (!cp_app_get_stage_deadline (registry, packet, today, &stage))
    return NULL;

  days = stage.days_left;
  if (urgency != NULL)
    *urgency = days < 0 ? CP_APP_DEADLINE_PAST
             : days <= 7 ? CP_APP_DEADLINE_NEAR
             : CP_APP_DEADLINE_AHEAD;
  if (details != NULL)
    {
      date = cp_date_format (&stage.date);
      /* Translators: what is due (a step of the programme), and the date it is due by */
      *details = g_strdup_printf (_("%s: due by %s"), cp_text_get (stage.deadline->label), date);
    }
  if (days < 0)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day overdue", "%d days overdue",
                                         (gulong) -days), -days);
  if (days == 0)
    return g_strdup (_("Due today"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day left", "%d days left",
                                       (gulong) days), days);
}

const char *
cp_app_section_status_icon (CpSectionStatus status)
{
  switch (status)
    {
    case CP_SECTION_STATUS_EMPTY:
      return "radio-symbolic";
    case CP_SECTION_STATUS_ERRORS:
      return "dialog-error-symbolic";
    case CP_SECTION_STATUS_WARNINGS:
      return "dialog-warning-symbolic";
    case CP_SECTION_STATUS_COMPLETE:
      return "emblem-ok-symbolic";
    default:
      return NULL;
    }
}

const char *
cp_app_section_status_title (CpSectionStatus status)
{
  switch (status)
    {
    case CP_SECTION_STATUS_EMPTY:
      return _("Not started");
    case CP_SECTION_STATUS_ERRORS:
      return _("Needs corrections");
    case CP_SECTION_STATUS_WARNINGS:
      return _("Complete, with warnings");
    case CP_SECTION_STATUS_COMPLETE:
      return _("Complete");
    default:
      return NULL;
    }
}

char *
cp_app_describe_uscc (const char *normalized,
                      gboolean   *ok)
{
  g_autoptr(GError) error = NULL;
  CpUsccInfo info;
  gsize len;

  g_assert (ok != NULL);

  *ok = FALSE;
  if (normalized == NULL || *normalized == '\0')
    return g_strdup (_("Enter the 18-character unified social credit code."));

  len = g_utf8_strlen (normalized, -1);
  if (cp_uscc_validate (normalized, &info, &error))
    {
      const char *category = info.category_name != NULL ? _(info.category_name) : NULL;

      *ok = TRUE;
      if (info.division_name != NULL && category != NULL)
        /* Translators: the administrative division, then the kind of organization */
        return g_strdup_printf (_("Registered in %s · %s"), info.division_name, category);
      if (info.division_name != NULL)
        return g_strdup_printf (_("Registered in %s"), info.division_name);
      return g_strdup_printf (_("The code is valid, but its division %s is not in the list of "
                                "known divisions. Check it against the business licence."),
                              info.division);
    }

  if (g_error_matches (error, CP_USCC_ERROR, CP_USCC_ERROR_LENGTH))
    {
      if (len < CP_USCC_LENGTH)
        return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                             "%u more character needed: a credit code has 18.",
                                             "%u more characters needed: a credit code has 18.",
                                             CP_USCC_LENGTH - len),
                                (guint) (CP_USCC_LENGTH - len));
      return g_strdup_printf (_("This has %u characters; a credit code has exactly 18. "
                                "Remove the extra ones."), (guint) len);
    }
  if (g_error_matches (error, CP_USCC_ERROR, CP_USCC_ERROR_CHARSET))
    return g_strdup (_("A credit code uses only digits and capital letters other than I, O, S, "
                       "V and Z. Check for a mistyped character."));
  if (g_error_matches (error, CP_USCC_ERROR, CP_USCC_ERROR_CHECK) ||
      g_error_matches (error, CP_USCC_ERROR, CP_USCC_ERROR_ORG_CHECK))
    return g_strdup (_("The check character does not match: one of the characters is mistyped. "
                       "Compare the code with the business licence."));
  return g_strdup (_("Enter the 18-character unified social credit code."));
}

char *
cp_app_format_size (guint64 size)
{
  return g_format_size (size);
}

gboolean
cp_app_finding_is_for_field (const char *finding_field,
                             const char *field_id)
{
  gsize len;

  if (finding_field == NULL || field_id == NULL)
    return FALSE;
  len = strlen (field_id);
  return strncmp (finding_field, field_id, len) == 0 &&
         (finding_field[len] == '\0' || finding_field[len] == '[' || finding_field[len] == '.');
}

GWeakRef *
cp_app_weak_new (gpointer object)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, object);
  return weak;
}

void
cp_app_weak_free (gpointer data)
{
  GWeakRef *weak = data;

  g_weak_ref_clear (weak);
  g_free (weak);
}

GtkFileChooserNative *
cp_app_export_chooser_new (GtkWindow     *parent,
                           const char    *title,
                           const char    *suggested,
                           GtkFileFilter *filter)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = g_strdup (suggested);

  g_return_val_if_fail (GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (GTK_IS_FILE_FILTER (filter), NULL);

  g_strdelimit (name, "/\\:", '-');
  chooser = gtk_file_chooser_native_new (title, parent, GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  return chooser;
}

char *
cp_app_export_chooser_finish (GtkNativeDialog *native,
                              int              response,
                              gboolean        *not_local)
{
  g_autoptr(GFile) file = NULL;
  char *path = NULL;

  g_return_val_if_fail (GTK_IS_FILE_CHOOSER_NATIVE (native), NULL);

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (native));
  gtk_native_dialog_destroy (native);
  if (file != NULL)
    path = g_file_get_path (file);
  if (not_local != NULL)
    *not_local = file != NULL && path == NULL;
  return path;
}

void
cp_app_clear_chooser (GtkFileChooserNative **chooser,
                      gpointer               data)
{
  if (*chooser == NULL)
    return;
  g_signal_handlers_disconnect_by_data (*chooser, data);
  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (*chooser));
  g_clear_object (chooser);
}

static const CpAppAccel accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "window.close", { "<Control>w", NULL } },
  { "win.new-packet", { "<Control>n", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.sync", { "<Control>r", NULL } },
  { "win.show-list", { "<Alt>Home", NULL } },
  { "win.import", { "<Control>o", NULL } },
  { "packet.next", { "<Alt>Right", "<Control>Page_Down", NULL } },
  { "packet.previous", { "<Alt>Left", "<Control>Page_Up", NULL } },
  { "packet.export-pdf", { "<Control>e", NULL } },
  { "packet.print", { "<Control>p", NULL } },
  { "packet.show-completeness", { "<Control>i", NULL } },
  { "packet.show-scoring", { "<Control>k", NULL } },
  { "packet.only-unscored", { "<Control>u", NULL } },
  { NULL, { NULL } },
};

const CpAppAccel *
cp_app_get_accels (void)
{
  return accels;
}

GtkEventController *
cp_app_shortcut_controller_new (const char *prefix)
{
  GtkEventController *controller = gtk_shortcut_controller_new ();

  g_return_val_if_fail (prefix != NULL, NULL);

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller),
                                     GTK_SHORTCUT_SCOPE_GLOBAL);
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  for (guint i = 0; accels[i].action != NULL; i++)
    {
      if (!g_str_has_prefix (accels[i].action, prefix))
        continue;
      for (guint j = 0; accels[i].accels[j] != NULL; j++)
        gtk_shortcut_controller_add_shortcut (
          GTK_SHORTCUT_CONTROLLER (controller),
          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (accels[i].accels[j]),
                            gtk_named_action_new (accels[i].action)));
    }
  return controller;
}

CpRole
cp_app_party_for (CpTemplate *tmpl,
                  const char *account_role,
                  CpRole      server_party)
{
  g_return_val_if_fail (CP_IS_TEMPLATE (tmpl), CP_ROLE_NONE);

  if (cp_template_get_workflow (tmpl) == NULL || account_role == NULL)
    return CP_ROLE_NONE;
  if (server_party != CP_ROLE_NONE)
    return server_party;
  if (g_str_equal (account_role, "enterprise"))
    return CP_ROLE_ENTERPRISE;
  if (g_str_equal (account_role, "agency"))
    return CP_ROLE_COACHING_AGENCY;
  if (g_str_equal (account_role, "office"))
    return CP_ROLE_DISTRICT_OFFICE;
  return CP_ROLE_NONE;
}

const CpWorkflowState *
cp_app_stage_for (CpTemplate    *tmpl,
                  CpPacketState  state,
                  const char    *server_stage)
{
  const CpWorkflow *workflow;
  const CpWorkflowState *stage = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE (tmpl), NULL);

  workflow = cp_template_get_workflow (tmpl);
  if (workflow == NULL)
    return NULL;
  if (server_stage != NULL)
    stage = cp_workflow_lookup_state (workflow, server_stage);
  if (stage == NULL)
    stage = cp_workflow_state_from_legacy (workflow, state);
  return stage;
}

gboolean
cp_app_is_my_turn (CpTemplate            *tmpl,
                   const CpWorkflowState *stage,
                   CpRole                 party)
{
  g_autoptr(GPtrArray) steps = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE (tmpl), FALSE);

  if (stage == NULL || stage->final || party == CP_ROLE_NONE ||
      cp_template_get_workflow (tmpl) == NULL)
    return FALSE;
  if (cp_workflow_state_has_writer (stage, party))
    return TRUE;
  steps = cp_workflow_list_transitions (cp_template_get_workflow (tmpl), party, stage->id);
  return steps->len > 0;
}

gboolean
cp_app_role_can_create (CpTemplateRegistry *registry,
                        const char         *account_role)
{
  g_autoptr(GPtrArray) kinds = NULL;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), FALSE);

  if (account_role == NULL)
    return TRUE;
  kinds = cp_app_list_kinds (registry);
  for (guint i = 0; i < kinds->len; i++)
    {
      CpTemplate *tmpl = cp_template_registry_lookup_kind (registry, g_ptr_array_index (kinds, i));
      const CpWorkflow *workflow = tmpl != NULL ? cp_template_get_workflow (tmpl) : NULL;

      if (tmpl == NULL)
        continue;
      if (workflow == NULL ||
          cp_app_party_for (tmpl, account_role, CP_ROLE_NONE) == cp_workflow_get_creator (workflow))
        return TRUE;
    }
  return FALSE;
}

char *
cp_app_describe_author (JsonObject        *authors,
                        CpAppPointerMatch  match,
                        gconstpointer      data)
{
  g_autoptr(GDateTime) latest = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *when = NULL;
  const char *name = NULL;
  GList *members;

  if (authors == NULL)
    return NULL;
  members = json_object_get_members (authors);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *member = l->data;
      JsonNode *node = json_object_get_member (authors, member);
      g_autoptr(GDateTime) at = NULL;
      const char *at_text, *who;
      JsonObject *entry;

      if (!match (member, data) || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      entry = json_node_get_object (node);
      who = json_object_get_string_member_with_default (entry, "name", NULL);
      at_text = json_object_get_string_member_with_default (entry, "at", NULL);
      at = at_text != NULL ? g_date_time_new_from_iso8601 (at_text, NULL) : NULL;
      if (who == NULL || at == NULL)
        continue;
      if (latest == NULL || g_date_time_compare (at, latest) > 0)
        {
          g_clear_pointer (&latest, g_date_time_unref);
          latest = g_date_time_ref (at);
          name = who;
        }
    }
  g_list_free (members);
  if (latest == NULL)
    return NULL;
  local = g_date_time_to_local (latest);
  when = g_date_time_format (local, "%Y-%m-%d %H:%M");
  /* Translators: who last wrote a value another party fills in, and when: "王芳 于
   * 2026-05-06 14:20 填写" */
  return g_strdup_printf (_("Filled in by %s on %s"), name, when);
}
