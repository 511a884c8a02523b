/* cp-test-attachments.h — a packet whose attachments are real files in a store
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-store.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* The complete demo packet of @kind (@seed), every attachment of its manifest made a real file
 * in @store's blob folder: PDFs of one to three pages with text (some with a JPEG scan), JPEG
 * scans, a PNG; when @problems is TRUE also a damaged PDF (the 2nd PDF-typed file) and one left
 * out (the 3rd), so that the binder has notice pages. The packet is saved in @store. */
CpPacket *cp_test_packet_with_files (CpStore            *store,
                                     CpTemplateRegistry *registry,
                                     const char         *kind,
                                     guint               seed,
                                     gboolean            problems);

G_END_DECLS
