/* cp-credentials.h — the session token in the keyring, with an in-memory fallback
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CP_CREDENTIALS_SCHEMA_NAME "io.github.creditpacket.CreditPacket.Token"

#define CP_CREDENTIALS_ERROR (cp_credentials_error_quark ())

/* Why the keyring could not be used. In every case a stored token is still kept in memory for
 * the rest of this session, so the user can work; it must be typed again next time. */
typedef enum
{
  CP_CREDENTIALS_ERROR_NO_SERVICE, /* no session bus, or no secret service on it */
  CP_CREDENTIALS_ERROR_LOCKED,     /* the keyring is locked and could not be unlocked */
  CP_CREDENTIALS_ERROR_TIMED_OUT,  /* the keyring did not answer in time (a prompt nobody sees) */
  CP_CREDENTIALS_ERROR_FAILED,     /* another keyring error */
} CpCredentialsError;

GQuark cp_credentials_error_quark (void);

#define CP_TYPE_CREDENTIALS (cp_credentials_get_type ())
G_DECLARE_FINAL_TYPE (CpCredentials, cp_credentials, CP, CREDENTIALS, GObject)

#define CP_CREDENTIALS_DEFAULT_TIMEOUT_MS 5000

CpCredentials *cp_credentials_new                (void);
/* How long a keyring call may take before it is given up (default 5 s). */
void           cp_credentials_set_timeout        (CpCredentials        *self,
                                                  guint                 timeout_ms);
guint          cp_credentials_get_timeout        (CpCredentials        *self);

/* Keeps @token for (@server, @user): in memory at once, then in the keyring. The finish
 * function returns FALSE with a CP_CREDENTIALS_ERROR when only the in-memory copy exists. */
void           cp_credentials_store_async        (CpCredentials        *self,
                                                  const char           *server,
                                                  const char           *user,
                                                  const char           *token,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       cp_credentials_store_finish       (CpCredentials        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* The token for (@server, @user); @user NULL matches any user of @server. The in-memory copy
 * wins. Returns NULL without an error when none is stored. */
void           cp_credentials_lookup_async       (CpCredentials        *self,
                                                  const char           *server,
                                                  const char           *user,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
char          *cp_credentials_lookup_finish      (CpCredentials        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* Forgets the token (memory and keyring). */
void           cp_credentials_clear_async        (CpCredentials        *self,
                                                  const char           *server,
                                                  const char           *user,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
gboolean       cp_credentials_clear_finish       (CpCredentials        *self,
                                                  GAsyncResult         *result,
                                                  GError              **error);

/* TRUE when the token for (@server, @user) lives only in memory (the keyring refused it). */
gboolean       cp_credentials_is_session_only    (CpCredentials        *self,
                                                  const char           *server,
                                                  const char           *user);

G_END_DECLS
