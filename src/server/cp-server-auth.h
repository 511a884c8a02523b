/* cp-server-auth.h — passwords, session tokens and login rate limits
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Argon2id cost. The defaults are libsodium's "interactive" limits; tests lower them. */
typedef struct
{
  guint64 opslimit;
  gsize   memlimit;
} CpPasswordCost;

void      cp_password_cost_init_default (CpPasswordCost       *cost);
/* Initialises libsodium; FALSE when it cannot be used. Safe to call more than once. */
gboolean  cp_server_auth_init           (void);
/* crypto_pwhash_str with Argon2id; NULL and an error when out of memory. */
char     *cp_password_hash              (const char           *password,
                                         const CpPasswordCost *cost,
                                         GError              **error);
gboolean  cp_password_verify            (const char           *hash,
                                         const char           *password);
/* A hash of a random password, to spend the same time when a user name does not exist. */
const char *cp_password_dummy_hash      (const CpPasswordCost *cost);

/* 256 random bits, base64url without padding (43 characters). */
char     *cp_token_new                  (void);
/* The lowercase hex SHA-256 of @token: what the database keeps. */
char     *cp_token_hash                 (const char           *token);

/* Counts failures per key within a sliding window, and the attempts still being checked: an
 * attempt in flight counts as a failure until its outcome is known, so that concurrent attempts
 * cannot all pass the check before the first of them fails. */
typedef struct _CpRateLimiter CpRateLimiter;

CpRateLimiter *cp_rate_limiter_new      (guint           max_failures,
                                         gint64          window_usec);
void           cp_rate_limiter_free     (CpRateLimiter  *self);
/* 0 when @key may try now; otherwise the number of seconds until it may (1 when only attempts in
 * flight hold it back). */
guint          cp_rate_limiter_check    (CpRateLimiter  *self,
                                         const char     *key,
                                         gint64          now_usec);
void           cp_rate_limiter_fail     (CpRateLimiter  *self,
                                         const char     *key,
                                         gint64          now_usec);
void           cp_rate_limiter_reset    (CpRateLimiter  *self,
                                         const char     *key);
/* An attempt of @key starts (after check() let it through) and ends (before fail() or reset()). */
void           cp_rate_limiter_begin    (CpRateLimiter  *self,
                                         const char     *key);
void           cp_rate_limiter_end      (CpRateLimiter  *self,
                                         const char     *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CpRateLimiter, cp_rate_limiter_free)

G_END_DECLS
