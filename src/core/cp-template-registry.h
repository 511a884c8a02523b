/* cp-template-registry.h — the packet kinds and scoring sheets a program knows
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "cp-scoring-sheet.h"
#include "cp-template.h"

G_BEGIN_DECLS

/* Where the shipped templates live in the core's resources. */
#define CP_TEMPLATE_RESOURCE_KINDS  "/io/github/creditpacket/core/templates/kinds"
#define CP_TEMPLATE_RESOURCE_SHEETS "/io/github/creditpacket/core/templates/sheets"
/* Earlier versions of the shipped kinds and sheets, kept for the packets made with them. */
#define CP_TEMPLATE_RESOURCE_ARCHIVE_KINDS  "/io/github/creditpacket/core/templates/archive/kinds"
#define CP_TEMPLATE_RESOURCE_ARCHIVE_SHEETS "/io/github/creditpacket/core/templates/archive/sheets"

#define CP_TEMPLATE_REGISTRY_ERROR (cp_template_registry_error_quark ())

typedef enum
{
  CP_TEMPLATE_REGISTRY_ERROR_UNKNOWN_KIND,  /* no template for the packet's kind */
} CpTemplateRegistryError;

GQuark              cp_template_registry_error_quark         (void);

#define CP_TYPE_TEMPLATE_REGISTRY (cp_template_registry_get_type ())
G_DECLARE_FINAL_TYPE (CpTemplateRegistry, cp_template_registry, CP, TEMPLATE_REGISTRY, GObject)

/* Every version loaded stays available (a packet names the version it was made with); lookups
 * without a version, and the lists, give the newest version of each id. Loading a version that
 * is already there replaces it. A packet kind that names a scoring sheet can only be loaded once
 * that sheet is. */
CpTemplateRegistry *cp_template_registry_new                 (void);
/* Loads every kind and sheet shipped in the core's resources, the earlier versions kept for the
 * packets made with them included. */
CpTemplateRegistry *cp_template_registry_new_default         (GError             **error);

/* Detects "type": "packet-kind" or "scoring-sheet". */
gboolean            cp_template_registry_load_data           (CpTemplateRegistry  *self,
                                                              const char          *data,
                                                              gssize               length,
                                                              const char          *origin,
                                                              GError             **error);
gboolean            cp_template_registry_load_json           (CpTemplateRegistry  *self,
                                                              JsonNode            *root,
                                                              const char          *origin,
                                                              GError             **error);
gboolean            cp_template_registry_load_file           (CpTemplateRegistry  *self,
                                                              const char          *path,
                                                              GError             **error);
gboolean            cp_template_registry_load_resource       (CpTemplateRegistry  *self,
                                                              const char          *resource_path,
                                                              GError             **error);
/* Loads every *.json file of @path (sheets first, then kinds); stops at the first error. */
gboolean            cp_template_registry_load_directory      (CpTemplateRegistry  *self,
                                                              const char          *path,
                                                              GError             **error);
void                cp_template_registry_add_kind            (CpTemplateRegistry  *self,
                                                              CpTemplate          *kind);
void                cp_template_registry_add_sheet           (CpTemplateRegistry  *self,
                                                              CpScoringSheet      *sheet);

/* The newest version, or NULL. */
CpTemplate         *cp_template_registry_lookup_kind         (CpTemplateRegistry  *self,
                                                              const char          *id);
CpScoringSheet     *cp_template_registry_lookup_sheet        (CpTemplateRegistry  *self,
                                                              const char          *id);
/* An exact version (NULL @version: the newest), or NULL. */
CpTemplate         *cp_template_registry_lookup_kind_version (CpTemplateRegistry  *self,
                                                              const char          *id,
                                                              const char          *version);
CpScoringSheet     *cp_template_registry_lookup_sheet_version (CpTemplateRegistry *self,
                                                              const char          *id,
                                                              const char          *version);
/* The newest version of each id, sorted by id; element type CpTemplate * / CpScoringSheet *
 * (references). */
GPtrArray          *cp_template_registry_list_kinds          (CpTemplateRegistry  *self);
GPtrArray          *cp_template_registry_list_sheets         (CpTemplateRegistry  *self);

/* A copy of @packet on the newest version of its kind, for moving stored packets on (the values
 * keep their section and field ids, which the newer versions of the shipped kinds keep; a value
 * a newer version no longer has stays and is reported as "unknown-field"). The packet state and
 * the scoring sheet version are kept. */
CpPacket           *cp_template_registry_upgrade_packet      (CpTemplateRegistry  *self,
                                                              CpPacket            *packet,
                                                              GError             **error);

G_END_DECLS
