/* cp-agency-info.c — an agency a city office may assign as the evaluating agency
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-agency-info.h"

G_DEFINE_BOXED_TYPE (CpAgencyInfo, cp_agency_info, cp_agency_info_copy, cp_agency_info_free)

CpAgencyInfo *
cp_agency_info_new (const char *id,
                    const char *name)
{
  CpAgencyInfo *info;

  g_return_val_if_fail (id != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  info = g_new0 (CpAgencyInfo, 1);
  info->id = g_strdup (id);
  info->name = g_strdup (name);
  return info;
}

CpAgencyInfo *
cp_agency_info_copy (const CpAgencyInfo *info)
{
  g_return_val_if_fail (info != NULL, NULL);

  return cp_agency_info_new (info->id, info->name);
}

void
cp_agency_info_free (CpAgencyInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->name);
  g_free (info);
}
