/* cp-demo.h — realistic, complete sample packets for demonstrations, tests and benchmarks
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-packet.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* A packet of the newest version of @kind_id, filled from its template so that the validator
 * finds no error: a made-up Suzhou enterprise (name, people, addresses, phones), credit codes
 * with correct check characters, dates relative to @year (the template's campaign year when
 * @year is 0) and submitted by the kind's last deadline, attachment manifest entries with
 * SHA-256 checksums derived from the seed, every signature recorded, and the scoring sheet
 * fully scored in the columns the kind needs. The same @seed gives the same packet (except its
 * UUID and timestamps). NULL for an unknown kind. */
CpPacket   *cp_demo_packet               (CpTemplateRegistry *registry,
                                          const char         *kind_id,
                                          guint               seed);
CpPacket   *cp_demo_packet_for_year      (CpTemplateRegistry *registry,
                                          const char         *kind_id,
                                          int                 year,
                                          guint               seed);
/* The same as cp_demo_packet(). */
CpPacket   *cp_validator_demo_packet     (CpTemplateRegistry *registry,
                                          const char         *kind_id,
                                          guint               seed);

/* A credit code with correct check characters for the division @division6 ("320506"), made
 * from @seed; free with g_free(). */
char       *cp_demo_uscc                 (const char         *division6,
                                          guint               seed);

G_END_DECLS
