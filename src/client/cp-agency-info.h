/* cp-agency-info.h — an agency a city office may assign as the evaluating agency
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* One agency of GET /api/v1/agencies (cp_sync_manager_list_agencies_async()). */
typedef struct
{
  char *id;    /* what the assign transition names */
  char *name;
} CpAgencyInfo;

#define CP_TYPE_AGENCY_INFO (cp_agency_info_get_type ())
GType         cp_agency_info_get_type (void) G_GNUC_CONST;
CpAgencyInfo *cp_agency_info_new      (const char         *id,
                                       const char         *name);
CpAgencyInfo *cp_agency_info_copy     (const CpAgencyInfo *info);
void          cp_agency_info_free     (CpAgencyInfo       *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpAgencyInfo, cp_agency_info_free)

G_END_DECLS
