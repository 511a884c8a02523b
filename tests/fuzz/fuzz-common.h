/* fuzz-common.h — what the fuzz targets share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each target defines LLVMFuzzerTestOneInput(). Built with clang and -fsanitize=fuzzer it is a
 * libFuzzer binary; built normally it is linked with replay-main.c, which feeds it every file of
 * the corpus folders named on its command line (so the ordinary test run covers the corpus).
 */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

int  LLVMFuzzerTestOneInput (const uint8_t *data,
                             size_t         size);

/* Once per process: quiet logging (a refused input is not news), fatal criticals. */
void fuzz_init              (void);
/* Prints @what, the offending text (nullable) and @error (nullable), then aborts: a finding. */
G_NORETURN
void fuzz_fail              (const char    *what,
                             const char    *text,
                             const GError  *error);
/* A NUL-terminated copy of the input; free with g_free(). */
char *fuzz_strndup          (const uint8_t *data,
                             size_t         size);

G_END_DECLS
