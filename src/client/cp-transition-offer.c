/* cp-transition-offer.c — a step of the review chain the user may take on a packet
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-transition-offer.h"

G_DEFINE_BOXED_TYPE (CpTransitionOffer, cp_transition_offer, cp_transition_offer_copy,
                     cp_transition_offer_free)

CpTransitionOffer *
cp_transition_offer_new (const char *id,
                         const char *label,
                         const char *to,
                         gboolean    comment,
                         gboolean    assigns)
{
  CpTransitionOffer *offer;

  g_return_val_if_fail (id != NULL, NULL);

  offer = g_new0 (CpTransitionOffer, 1);
  offer->id = g_strdup (id);
  offer->label = g_strdup (label != NULL ? label : id);
  offer->to = g_strdup (to);
  offer->comment = comment;
  offer->assigns = assigns;
  return offer;
}

CpTransitionOffer *
cp_transition_offer_copy (const CpTransitionOffer *offer)
{
  g_return_val_if_fail (offer != NULL, NULL);

  return cp_transition_offer_new (offer->id, offer->label, offer->to, offer->comment,
                                  offer->assigns);
}

void
cp_transition_offer_free (CpTransitionOffer *offer)
{
  if (offer == NULL)
    return;
  g_free (offer->id);
  g_free (offer->label);
  g_free (offer->to);
  g_free (offer);
}
