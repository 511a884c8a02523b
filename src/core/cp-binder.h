/* cp-binder.h — the pages of a packet's binder, paginated once and drawn on any cairo context
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "cp-packet.h"
#include "cp-template-registry.h"

G_BEGIN_DECLS

/* The binder is A4, in PostScript points (1/72 inch). */
#define CP_BINDER_PAGE_WIDTH  595.276
#define CP_BINDER_PAGE_HEIGHT 841.890

typedef enum
{
  CP_BINDER_FLAGS_NONE       = 0,
  /* The form pages alone: the attachments are listed but their pages are not bound in. */
  CP_BINDER_FLAGS_FORMS_ONLY = 1 << 0,
} CpBinderFlags;

/* What became of one attachment in the binder. */
typedef enum
{
  CP_BINDER_FILE_PDF,        /* its pages are bound in */
  CP_BINDER_FILE_IMAGE,      /* a JPEG or PNG, one page scaled to fit */
  CP_BINDER_FILE_OTHER,      /* a type the binder cannot show: listed with a note */
  CP_BINDER_FILE_MISSING,    /* not in the files folder: a page says so */
  CP_BINDER_FILE_DAMAGED,    /* unreadable, or not what its SHA-256 says: a page says so */
  CP_BINDER_FILE_ENCRYPTED,  /* a password-protected PDF: a page says so */
  CP_BINDER_FILE_NOT_BOUND,  /* forms only: not looked at */
} CpBinderFile;

#define CP_TYPE_BINDER (cp_binder_get_type ())
G_DECLARE_FINAL_TYPE (CpBinder, cp_binder, CP, BINDER, GObject)

/* A binder of a copy of @packet (later edits of @packet do not reach it). @files_dir holds the
 * attachments named by their SHA-256 (the store's blob folder, cp_store_get_blob_path()); NULL
 * makes a forms-only binder. Nothing is read until cp_binder_paginate().
 *
 * A binder is used by one thread at a time: paginate it in a worker thread, then draw or write
 * it there or (for printing) in the main thread. */
CpBinder     *cp_binder_new              (CpTemplateRegistry *registry,
                                          CpPacket           *packet,
                                          const char         *files_dir,
                                          CpBinderFlags       flags);

/* Validates the packet (the 草稿 / draft watermark goes on every page unless the validator finds
 * no error), looks at every attachment (its SHA-256 is checked, PDFs are opened for their page
 * count), lays out the form pages and numbers every page. Only then are the page count, the
 * table of contents and the outline known. Safe to call again: it does nothing the second time.
 * Errors: CP_EXPORT_ERROR_TEMPLATE (the kind or its scoring sheet is unknown),
 * G_IO_ERROR_CANCELLED. A damaged, missing or password-protected attachment is not an error: it
 * gets a page that says so. */
gboolean      cp_binder_paginate         (CpBinder           *self,
                                          GCancellable       *cancellable,
                                          GError            **error);

/* After cp_binder_paginate(). */
guint         cp_binder_get_n_pages      (CpBinder           *self);
gboolean      cp_binder_get_draft        (CpBinder           *self);
gboolean      cp_binder_get_forms_only   (CpBinder           *self);
CpPacket     *cp_binder_get_packet       (CpBinder           *self);
/* The document title ("enterprise — kind"), for PDF metadata and print jobs. */
const char   *cp_binder_get_title        (CpBinder           *self);

/* Draws page @index (from 0) with its running header, its "Page N of M" footer and, on a draft,
 * the watermark, onto @cr in points with the page's top left corner at the origin: scale @cr
 * first to draw it at another size (a GtkPrintContext). Links are tagged for PDF surfaces.
 * Does not call cairo_show_page(). FALSE only for an index out of range. */
gboolean      cp_binder_draw_page        (CpBinder           *self,
                                          cairo_t            *cr,
                                          guint               index);

/* The entries of the table of contents, which are also the PDF outline: sections at level 0,
 * the scoring sheet and the attachments of a section below it. @page counts from 1. */
guint         cp_binder_get_n_entries    (CpBinder           *self);
void          cp_binder_get_entry        (CpBinder           *self,
                                          guint               index,
                                          const char        **title,
                                          guint              *page,
                                          guint              *level);

/* The attachments in binder order (each SHA-256 once), with what became of them and, when bound
 * in, their pages (from 1; 0 when the file has no page of its own). */
guint         cp_binder_get_n_files      (CpBinder           *self);
void          cp_binder_get_file         (CpBinder           *self,
                                          guint               index,
                                          const char        **sha256,
                                          CpBinderFile       *what,
                                          guint              *first_page,
                                          guint              *n_pages);

G_END_DECLS
