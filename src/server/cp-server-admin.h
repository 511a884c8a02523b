/* cp-server-admin.h — administration commands of credit-packet-server
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-server-auth.h"
#include "cp-server-storage.h"

G_BEGIN_DECLS

typedef struct
{
  const char *role;
  const char *district;
  const char *enterprise;
  const char *agency;
  const char *uscc;       /* agency add: the agency's credit code */
} CpServerAdminOptions;

/* Checks the role's tenant (district for office, USCC for enterprise, agency id for agency)
 * and stores the user with an Argon2id hash of @password. */
gboolean cp_server_admin_add_user (CpServerStorage            *storage,
                                   const char                 *name,
                                   CpServerRole                role,
                                   const char                 *district,
                                   const char                 *uscc,
                                   const char                 *agency,
                                   const char                 *password,
                                   const CpPasswordCost       *cost,
                                   GError                    **error);

/* Runs "user add …", "agency add …", "agency set-uscc …", "assign …", "district list|add …",
 * "quota set|list|import …"; prints what it did on stdout. */
gboolean cp_server_admin_run      (CpServerStorage            *storage,
                                   const CpPasswordCost       *cost,
                                   const CpServerAdminOptions *options,
                                   char                      **args,
                                   GError                    **error);

G_END_DECLS
