/* cp-transition-offer.h — a step of the review chain the user may take on a packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One transition the server lets the user's party make from the packet's stage
 * (cp_sync_manager_list_transitions_async()). */
typedef struct
{
  char     *id;       /* the workflow's transition id: "submit", "approve", "assign", … */
  char     *label;    /* the template's label, translated; the id when the template is unknown */
  char     *to;       /* the stage it leads to */
  gboolean  comment;  /* it needs the reviewer's comments (a return) */
  gboolean  assigns;  /* it names the evaluating agency */
} CpTransitionOffer;

#define CP_TYPE_TRANSITION_OFFER (cp_transition_offer_get_type ())
GType              cp_transition_offer_get_type (void) G_GNUC_CONST;
CpTransitionOffer *cp_transition_offer_new      (const char              *id,
                                                 const char              *label,
                                                 const char              *to,
                                                 gboolean                 comment,
                                                 gboolean                 assigns);
CpTransitionOffer *cp_transition_offer_copy     (const CpTransitionOffer *offer);
void               cp_transition_offer_free     (CpTransitionOffer       *offer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpTransitionOffer, cp_transition_offer_free)

G_END_DECLS
