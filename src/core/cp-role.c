/* cp-role.c — the parties of the programme that write a packet's parts
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "cp-role.h"

static const struct
{
  const char *id;
  const char *label;
  const char *caption;
} roles[CP_N_ROLES] = {
  [CP_ROLE_NONE] = { NULL, NULL, NULL },
  [CP_ROLE_ENTERPRISE] = {
    "enterprise", N_("Enterprise"), N_("Filled in by the enterprise")
  },
  [CP_ROLE_COACHING_AGENCY] = {
    "coaching-agency", N_("Coaching agency"), N_("Filled in by the coaching agency")
  },
  [CP_ROLE_EVALUATING_AGENCY] = {
    "evaluating-agency", N_("Evaluating agency"), N_("Filled in by the evaluating agency")
  },
  [CP_ROLE_DISTRICT_OFFICE] = {
    "district-office", N_("District credit office"),
    N_("Filled in by the district credit office")
  },
  [CP_ROLE_CITY_OFFICE] = {
    "city-office", N_("City credit office"), N_("Filled in by the city credit office")
  },
};

const char *
cp_role_to_string (CpRole role)
{
  g_return_val_if_fail ((guint) role < CP_N_ROLES, NULL);

  return roles[role].id;
}

gboolean
cp_role_from_string (const char *text,
                     CpRole     *role)
{
  g_return_val_if_fail (role != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = CP_ROLE_ENTERPRISE; i < CP_N_ROLES; i++)
    {
      if (g_str_equal (text, roles[i].id))
        {
          *role = (CpRole) i;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
cp_role_get_label (CpRole role)
{
  g_return_val_if_fail ((guint) role < CP_N_ROLES, NULL);

  return roles[role].label != NULL ? _(roles[role].label) : NULL;
}

const char *
cp_role_get_caption (CpRole role)
{
  g_return_val_if_fail ((guint) role < CP_N_ROLES, NULL);

  return roles[role].caption != NULL ? _(roles[role].caption) : NULL;
}

const char *
cp_role_get_signer_name (const char *role)
{
  static const struct { const char *id; const char *name; } signers[] = {
    { "enterprise", N_("the enterprise") },
    { "enterprise-head", N_("the head of the enterprise") },
    { "legal-representative", N_("the legal representative") },
    { "district-office", N_("the district credit office") },
    { "city-office", N_("the city credit office") },
    { "provincial-office", N_("the provincial credit office") },
    { "agency", N_("the credit service agency") },
    { "auditor", N_("the auditor") },
  };

  g_return_val_if_fail (role != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (signers); i++)
    if (g_str_equal (signers[i].id, role))
      return _(signers[i].name);
  return NULL;
}
