/* cp-app-util.h — small helpers the application shares between its widgets
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cp-finding.h"
#include "cp-packet.h"
#include "cp-template-registry.h"
#include "cp-validator.h"
#include "cp-workflow.h"

G_BEGIN_DECLS

/* How long the trash keeps a deleted packet before it is removed for good. */
#define CP_APP_TRASH_DAYS 30


/* The kinds the registry knows, as ids (element type char *), in the registry's order. */
GPtrArray       *cp_app_list_kinds        (CpTemplateRegistry *registry);
/* The localized title of @kind, or @kind itself when the registry does not know it. */
const char      *cp_app_kind_title        (CpTemplateRegistry *registry,
                                           const char         *kind);
const char      *cp_app_state_title       (CpPacketState       state);
/* A new draft of @kind made with the registry's template. */
CpPacket        *cp_app_new_packet        (CpTemplateRegistry *registry,
                                           const char         *kind,
                                           GError            **error);
/* Every finding for @packet (element type CpFinding *), never NULL. */
GPtrArray       *cp_app_validate          (CpTemplateRegistry *registry,
                                           CpPacket           *packet);
/* The status of @section_id given @findings. */
CpSectionStatus  cp_app_section_status    (CpTemplateRegistry *registry,
                                           CpPacket           *packet,
                                           GPtrArray          *findings,
                                           const char         *section_id);
const char      *cp_app_section_status_icon  (CpSectionStatus status);
const char      *cp_app_section_status_title (CpSectionStatus status);
/* "7 of 9 sections complete"; NULL when the kind is unknown. */
char            *cp_app_completeness_text (CpTemplateRegistry *registry,
                                           CpPacket           *packet);
/* How near the deadline of a packet's stage is. */
typedef enum
{
  CP_APP_DEADLINE_NONE,     /* the stage has no deadline (or the kind is unknown) */
  CP_APP_DEADLINE_AHEAD,    /* more than a week left */
  CP_APP_DEADLINE_NEAR,     /* a week or less, today included */
  CP_APP_DEADLINE_PAST,
} CpAppDeadline;

/* The deadline of @packet's stage (cp_template_get_stage_deadline() with the packet's template
 * from @registry); FALSE when it has none or the kind is unknown. */
gboolean         cp_app_get_stage_deadline (CpTemplateRegistry *registry,
                                            CpPacket           *packet,
                                            const GDate        *today,
                                            CpStageDeadline    *out);
/* The deadline of @packet's stage (cp_template_get_stage_deadline(), the one the validator warns
 * of once it has passed) in a few words for a list row, "还剩 12 天", "今天截止", "已逾期 3 天"
 * (NULL for CP_APP_DEADLINE_NONE), and in @details, when not NULL, what is due and when: "申报
 * 企业名单报市信用办：2020-04-30 截止". @today: NULL for the current date. */
char            *cp_app_deadline_text     (CpTemplateRegistry *registry,
                                           CpPacket           *packet,
                                           const GDate        *today,
                                           char              **details,
                                           CpAppDeadline      *urgency);
/* Who the signed-in account is to a packet of @tmpl, the party whose parts it writes
 * (docs/templates.md, "Ownership"): @server_party, what the server said at the last sync, when it
 * said anything; else what the account's @account_role ("enterprise", "agency", "office") makes
 * it to a packet of its own: the enterprise, the coaching agency, the district office.
 * CP_ROLE_NONE when nobody is signed in (@account_role NULL), for an administrator, and for a kind
 * without a workflow: then the application restricts nothing and the server checks each write. */
CpRole           cp_app_party_for         (CpTemplate         *tmpl,
                                           const char         *account_role,
                                           CpRole              server_party);
/* The stage of a packet of @tmpl in @state: @server_stage when it names a state of the kind's
 * workflow, else the state @state maps to. NULL for a kind without a workflow. */
const CpWorkflowState *cp_app_stage_for   (CpTemplate         *tmpl,
                                           CpPacketState       state,
                                           const char         *server_stage);
/* Whether an account of @account_role (NULL: nobody signed in) makes packets of some kind the
 * registry knows: the kind's workflow names its party as the creator, or the kind has none. */
gboolean         cp_app_role_can_create   (CpTemplateRegistry *registry,
                                           const char         *account_role);
/* Whether @party has something to do in @stage: a part to write or a step to take. */
gboolean         cp_app_is_my_turn        (CpTemplate         *tmpl,
                                           const CpWorkflowState *stage,
                                           CpRole              party);
/* What to show under a credit code being typed: the division, or what is wrong with it, in
 * words that tell the user what to do. @ok is FALSE for a code that cannot be right. */
char            *cp_app_describe_uscc     (const char         *normalized,
                                           gboolean           *ok);
/* "1.2 MB" */
char            *cp_app_format_size       (guint64             size);
/* The keyboard shortcuts of the shortcuts window (resources/gtk/help-overlay.ui), by action:
 * a NULL-terminated array ending with an entry whose action is NULL. */
typedef struct
{
  const char *action;
  const char *accels[3];
} CpAppAccel;

const CpAppAccel *cp_app_get_accels       (void);
/* A shortcut controller for the accelerators of the actions of @prefix ("packet."), to add to
 * the widget that installs them: application accelerators are looked up from the window down
 * to nothing, so a widget's own actions need their shortcuts on the widget. Runs in the capture
 * phase with global scope: the keys work wherever the focus is, an entry included. */
GtkEventController *cp_app_shortcut_controller_new (const char *prefix);
/* A weak reference to @object, for async work that must not keep a window alive: a window
 * closed meanwhile goes at once (with its transient parent still there), and the late result
 * finds NULL. Free it with cp_app_weak_free() (a GDestroyNotify). */
GWeakRef        *cp_app_weak_new          (gpointer            object);
void             cp_app_weak_free         (gpointer            weak);
/* A modal save chooser on @parent titled @title: @suggested as the name (its '/', '\' and ':'
 * made '-'), @filter the one filter, "Export" its button. Connect "response", then show it. */
GtkFileChooserNative *cp_app_export_chooser_new (GtkWindow     *parent,
                                                 const char    *title,
                                                 const char    *suggested,
                                                 GtkFileFilter *filter);
/* What @response of a save chooser gives, the chooser destroyed: the local path chosen, or
 * NULL when nothing was chosen or the file chosen has no local path (@not_local TRUE: the
 * user is to choose a folder on this computer). */
char            *cp_app_export_chooser_finish (GtkNativeDialog *native,
                                               int              response,
                                               gboolean        *not_local);
/* Destroys *@chooser, if any, without its handlers for @data running, and clears it. */
void             cp_app_clear_chooser     (GtkFileChooserNative **chooser,
                                           gpointer               data);
/* Whether @finding_field ("surveyors[1].name") belongs to the field @field_id. */
gboolean         cp_app_finding_is_for_field (const char      *finding_field,
                                              const char      *field_id);
/* Whether the value pointer @pointer ("/sections/cover/name") is one of those asked about. */
typedef gboolean (*CpAppPointerMatch) (const char    *pointer,
                                       gconstpointer  data);
/* Who last wrote a value whose pointer @match accepts, and when, from @authors (the server's
 * …/authors: pointer → {"name", "at", …}): "王芳 于 2026-05-06 14:20 填写", or NULL when
 * nobody is known to have. */
char            *cp_app_describe_author   (JsonObject        *authors,
                                           CpAppPointerMatch  match,
                                           gconstpointer      data);

G_END_DECLS
