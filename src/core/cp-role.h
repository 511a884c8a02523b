/* cp-role.h — the parties of the programme that write a packet's parts
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Who writes a part of a packet (docs/templates.md, "Ownership"). These are the programme's
 * parties (seed 000 二 and 三), not the server's account roles: an agency account is the
 * coaching agency of the packets of the enterprises it is contracted to and the evaluating agency
 * of the packets the city office assigned it; an office account is the district office of its
 * district's packets, and the city office when its district is the whole city. */
typedef enum
{
  CP_ROLE_NONE,               /* nobody: an unowned or fixed part */
  CP_ROLE_ENTERPRISE,         /* 企业 */
  CP_ROLE_COACHING_AGENCY,    /* the agency under contract, which coaches (辅导机构) */
  CP_ROLE_EVALUATING_AGENCY,  /* the third party the city office commissions for the on-site
                               * evaluation (seed 000 二(二)3); for a re-review, the agency the
                               * province selected (二(四)2) */
  CP_ROLE_DISTRICT_OFFICE,    /* 市、区信用办 */
  CP_ROLE_CITY_OFFICE,        /* 市信用办 */
} CpRole;

#define CP_N_ROLES (CP_ROLE_CITY_OFFICE + 1)
/* A set of roles, as a bit mask. */
#define CP_ROLE_BIT(role) (1u << (guint) (role))
#define CP_ROLE_MASK_ALL  (CP_ROLE_BIT (CP_ROLE_ENTERPRISE) | \
                           CP_ROLE_BIT (CP_ROLE_COACHING_AGENCY) | \
                           CP_ROLE_BIT (CP_ROLE_EVALUATING_AGENCY) | \
                           CP_ROLE_BIT (CP_ROLE_DISTRICT_OFFICE) | \
                           CP_ROLE_BIT (CP_ROLE_CITY_OFFICE))

/* "enterprise", "coaching-agency", "evaluating-agency", "district-office", "city-office" (NULL
 * for CP_ROLE_NONE). */
const char *cp_role_to_string    (CpRole      role);
/* FALSE for any other text, "none" included. */
gboolean    cp_role_from_string  (const char *text,
                                  CpRole     *role);
/* The party in words, translated: "市、区信用办". */
const char *cp_role_get_label    (CpRole      role);
/* The caption of a part someone else fills in, translated: "由市、区信用办填写". */
const char *cp_role_get_caption  (CpRole      role);

/* The capacity in which someone signs or seals a signature field (its "role" in the template:
 * "enterprise-head", "legal-representative", "district-office", …) in words, translated: "the
 * head of the enterprise". NULL for a role the programme does not know. */
const char *cp_role_get_signer_name (const char *role);

G_END_DECLS
