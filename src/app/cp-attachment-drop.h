/* cp-attachment-drop.h — files dropped onto a section, and the checks every attached file passes
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "cp-section-page.h"

G_BEGIN_DECLS

#define CP_ATTACHMENT_ERROR (cp_attachment_error_quark ())

typedef enum
{
  CP_ATTACHMENT_ERROR_EMPTY,       /* 0 bytes */
  CP_ATTACHMENT_ERROR_NOT_FILE,    /* a folder, a device… */
  CP_ATTACHMENT_ERROR_UNREADABLE,  /* missing, or no permission to read it */
  CP_ATTACHMENT_ERROR_TYPE,        /* not of a type the field accepts */
  CP_ATTACHMENT_ERROR_FULL,        /* the field has all the files it can hold */
  CP_ATTACHMENT_ERROR_NO_FIELD,    /* the section has no field for files */
} CpAttachmentError;

GQuark      cp_attachment_error_quark   (void);

/* The MIME type an attachment named @name gets in the packet's manifest (by its name, as the
 * validator sees it). */
char       *cp_attachment_guess_mime    (const char          *name);
/* Whether @mime is one of @mime_types ("image/" with a star takes any image); NULL takes all. */
gboolean    cp_attachment_mime_accepted (const char * const  *mime_types,
                                         const char          *mime);
/* Checks @file before it is attached: a regular file that can be read and is not empty, of one
 * of @mime_types (nullable). Blocks: call it from a worker thread. The messages name the file
 * and say what to do. */
gboolean    cp_attachment_check_file    (GFile               *file,
                                         const char * const  *mime_types,
                                         GCancellable        *cancellable,
                                         GError             **error);

/* Makes @page take files dropped onto it (GDK_TYPE_FILE_LIST): onto an attachment field (or a
 * signature's scan), into that field; anywhere else on the page, into the first such field
 * that accepts their type and has room. What cannot go anywhere is said in a toast. Does
 * nothing for a section without such fields. */
void           cp_attachment_drop_install    (CpSectionPage *page);

G_END_DECLS
