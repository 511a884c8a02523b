/* cp-server-auth.c — passwords, session tokens and login rate limits
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "cp-server-auth.h"

#include <sodium.h>

void
cp_password_cost_init_default (CpPasswordCost *cost)
{
  cost->opslimit = crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE;
  cost->memlimit = crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE;
}

gboolean
cp_server_auth_init (void)
{
  return sodium_init () >= 0;
}

char *
cp_password_hash (const char           *password,
                  const CpPasswordCost *cost,
                  GError              **error)
{
  char out[crypto_pwhash_STRBYTES];

  g_return_val_if_fail (password != NULL, NULL);

  if (crypto_pwhash_str_alg (out, password, strlen (password), cost->opslimit, cost->memlimit,
                             crypto_pwhash_ALG_ARGON2ID13) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           "Not enough memory to hash the password.");
      return NULL;
    }
  return g_strdup (out);
}

gboolean
cp_password_verify (const char *hash,
                    const char *password)
{
  if (hash == NULL || password == NULL)
    return FALSE;
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

const char *
cp_password_dummy_hash (const CpPasswordCost *cost)
{
  static GMutex lock;
  static char *dummy;
  static CpPasswordCost dummy_cost;
  const char *result;

  g_mutex_lock (&lock);
  if (dummy == NULL || dummy_cost.opslimit != cost->opslimit ||
      dummy_cost.memlimit != cost->memlimit)
    {
      char random[33];
      guchar bytes[16];

      randombytes_buf (bytes, sizeof bytes);
      sodium_bin2hex (random, sizeof random, bytes, sizeof bytes);
      g_free (dummy);
      dummy = cp_password_hash (random, cost, NULL);
      dummy_cost = *cost;
    }
  result = dummy;
  g_mutex_unlock (&lock);
  return result;
}

char *
cp_token_new (void)
{
  guchar bytes[32];
  char out[sodium_base64_ENCODED_LEN (32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

  randombytes_buf (bytes, sizeof bytes);
  sodium_bin2base64 (out, sizeof out, bytes, sizeof bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero (bytes, sizeof bytes);
  return g_strdup (out);
}

char *
cp_token_hash (const char *token)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, token, -1);
}

struct _CpRateLimiter
{
  guint       max_failures;
  gint64      window_usec;
  GHashTable *failures;  /* key → GArray of gint64 times */
  GHashTable *pending;   /* key → attempts whose outcome is not known yet (GUINT_TO_POINTER) */
};

CpRateLimiter *
cp_rate_limiter_new (guint  max_failures,
                     gint64 window_usec)
{
  CpRateLimiter *self = g_new0 (CpRateLimiter, 1);

  self->max_failures = MAX (max_failures, 1);
  self->window_usec = window_usec;
  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_array_unref);
  self->pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return self;
}

void
cp_rate_limiter_free (CpRateLimiter *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->failures);
  g_hash_table_unref (self->pending);
  g_free (self);
}

static GArray *
prune (CpRateLimiter *self,
       const char    *key,
       gint64         now_usec)
{
  GArray *times = g_hash_table_lookup (self->failures, key);
  guint expired = 0;

  if (times == NULL)
    return NULL;
  while (expired < times->len &&
         g_array_index (times, gint64, expired) + self->window_usec <= now_usec)
    expired++;
  if (expired > 0)
    g_array_remove_range (times, 0, expired);
  if (times->len == 0)
    {
      g_hash_table_remove (self->failures, key);
      return NULL;
    }
  return times;
}

guint
cp_rate_limiter_check (CpRateLimiter *self,
                       const char    *key,
                       gint64         now_usec)
{
  GArray *times = prune (self, key, now_usec);
  guint pending = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, key));
  guint failures = times != NULL ? times->len : 0;
  gint64 wait;

  if (failures + pending < self->max_failures)
    return 0;
  /* The attempts in flight may all fail: wait for them before more are let through. */
  if (failures < self->max_failures)
    return 1;
  /* The oldest failure that keeps the count at the limit must leave the window. */
  wait = g_array_index (times, gint64, times->len - self->max_failures) + self->window_usec -
         now_usec;
  return (guint) MAX (1, (wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

void
cp_rate_limiter_fail (CpRateLimiter *self,
                      const char    *key,
                      gint64         now_usec)
{
  GArray *times = prune (self, key, now_usec);

  if (times == NULL)
    {
      times = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->failures, g_strdup (key), times);
    }
  g_array_append_val (times, now_usec);
  /* Keep memory bounded for a key under attack. */
  if (times->len > self->max_failures * 2)
    g_array_remove_range (times, 0, times->len - self->max_failures * 2);

  /* And for many keys: drop idle entries now and then. */
  if (g_hash_table_size (self->failures) > 10000)
    {
      GHashTableIter iter;
      GArray *value;

      g_hash_table_iter_init (&iter, self->failures);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &value))
        if (g_array_index (value, gint64, value->len - 1) + self->window_usec <= now_usec)
          g_hash_table_iter_remove (&iter);
    }
}

void
cp_rate_limiter_reset (CpRateLimiter *self,
                       const char    *key)
{
  g_hash_table_remove (self->failures, key);
}

void
cp_rate_limiter_begin (CpRateLimiter *self,
                       const char    *key)
{
  guint pending = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, key));

  g_hash_table_replace (self->pending, g_strdup (key), GUINT_TO_POINTER (pending + 1));
}

void
cp_rate_limiter_end (CpRateLimiter *self,
                     const char    *key)
{
  guint pending = GPOINTER_TO_UINT (g_hash_table_lookup (self->pending, key));

  g_return_if_fail (pending > 0);
  if (pending == 1)
    g_hash_table_remove (self->pending, key);
  else
    g_hash_table_replace (self->pending, g_strdup (key), GUINT_TO_POINTER (pending - 1));
}
