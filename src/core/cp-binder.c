/* cp-binder.c — the pages of a packet's binder, paginated once and drawn on any cairo context
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <cairo.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <pango/pangocairo.h>

#include "cp-binder.h"
#include "cp-date.h"
#include "cp-export.h"
#include "cp-formats.h"
#include "cp-scoring.h"
#include "cp-scoring-sheet.h"
#include "cp-template.h"
#include "cp-validator.h"

/* How the binder is built. The document is a list of rows: a row is a strip of cells (each a
 * PangoLayout) that is never split across pages, unless it is taller than a whole page, in which
 * case it is cut between lines of text. A row can also stand for the pages of an attachment
 * (ROW_FILE_PAGES): the pager gives it as many pages of its own. Three streams of rows are
 * paginated in turn (the cover, the table of contents, the body); the body's pagination tells
 * each table-of-contents entry its page, and only then is anything drawn, so the page numbers are
 * real. The attachments are only looked at (hash, type, page count) while paginating; their
 * pages are opened again, one at a time, when they are drawn. */

/* A4 in PostScript points. */
#define PAGE_WIDTH    CP_BINDER_PAGE_WIDTH
#define PAGE_HEIGHT   CP_BINDER_PAGE_HEIGHT
#define MARGIN_X      56.0
#define MARGIN_TOP    72.0
#define MARGIN_BOTTOM 64.0
#define BODY_WIDTH    (PAGE_WIDTH - 2 * MARGIN_X)
#define BODY_HEIGHT   (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
#define PAD_X         4.0
#define PAD_Y         3.0
#define MAX_CELLS     8

/* Where an attachment's page goes on a binder page: between the running header and footer, a
 * little wider than the text, under a one-line caption. */
#define FILE_MARGIN_X   28.0
#define FILE_TOP        (MARGIN_TOP - 8)
#define FILE_CAPTION    16.0
#define FILE_BOTTOM     (PAGE_HEIGHT - MARGIN_BOTTOM + 8)

/* Images are shown at 72 dpi at most (a small picture is not blown up), and decoded at no more
 * than 150 dpi of the size they are shown at. Larger ones are refused as unshowable. */
#define IMAGE_MAX_DPI_SHOWN   72.0
#define IMAGE_DECODE_DPI      150.0
#define IMAGE_MAX_PIXELS      (200 * 1000 * 1000.0)

#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans"
#define MONO_FAMILY "DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace"

typedef enum
{
  STYLE_BODY,
  STYLE_BOLD,
  STYLE_SMALL,
  STYLE_SMALL_BOLD,
  STYLE_MONO,
  STYLE_H1,
  STYLE_H2,
  STYLE_TITLE,
  STYLE_COVER_NAME,
  STYLE_WATERMARK,
  N_STYLES
} Style;

static const struct
{
  const char  *family;
  double       size;
  PangoWeight  weight;
} style_fonts[N_STYLES] = {
  [STYLE_BODY]       = { FONT_FAMILY, 9.5,  PANGO_WEIGHT_NORMAL },
  [STYLE_BOLD]       = { FONT_FAMILY, 9.5,  PANGO_WEIGHT_BOLD },
  [STYLE_SMALL]      = { FONT_FAMILY, 8.0,  PANGO_WEIGHT_NORMAL },
  [STYLE_SMALL_BOLD] = { FONT_FAMILY, 8.0,  PANGO_WEIGHT_BOLD },
  [STYLE_MONO]       = { MONO_FAMILY, 7.0,  PANGO_WEIGHT_NORMAL },
  [STYLE_H1]         = { FONT_FAMILY, 16.0, PANGO_WEIGHT_BOLD },
  [STYLE_H2]         = { FONT_FAMILY, 11.5, PANGO_WEIGHT_BOLD },
  [STYLE_TITLE]      = { FONT_FAMILY, 22.0, PANGO_WEIGHT_BOLD },
  [STYLE_COVER_NAME] = { FONT_FAMILY, 17.0, PANGO_WEIGHT_BOLD },
  [STYLE_WATERMARK]  = { FONT_FAMILY, 150.0, PANGO_WEIGHT_BOLD },
};

typedef enum
{
  ROW_SHADE          = 1 << 0,  /* a grey background */
  ROW_RULE_BELOW     = 1 << 1,  /* a hairline under the row */
  ROW_GRID           = 1 << 2,  /* each cell boxed, as in a table */
  ROW_KEEP_WITH_NEXT = 1 << 3,  /* a heading: never last on a page */
  ROW_NEW_PAGE       = 1 << 4,  /* starts a new page */
  ROW_RULE_HEAVY     = 1 << 5,  /* a thicker rule under the row */
  ROW_COVER          = 1 << 6,  /* part of the cover: no running header or footer */
  ROW_LEADER         = 1 << 7,  /* dots from the first cell's text to the second cell */
  ROW_FILE_PAGES     = 1 << 8,  /* stands for the pages of an attachment (Row.file) */
} RowFlags;

typedef struct
{
  PangoLayout *layout;
  double       x;      /* from the left margin */
  double       width;  /* padding included */
} Cell;

/* One attachment of the binder (each SHA-256 once, where it is first used). */
typedef struct
{
  char               *sha256;
  const CpAttachment *attachment;   /* the manifest entry (of the binder's packet), or NULL */
  char               *label;        /* the field (or item) that uses it, or NULL */
  char               *place;        /* "Section › Field", for the caption */
  char               *path;         /* FILES_DIR/SHA256 */
  CpBinderFile        what;
  char               *reason;       /* why it is damaged or not shown, or NULL */
  gboolean            jpeg;         /* an image: JPEG (else PNG) */
  guint               n_pages;      /* its own pages in the binder */
  int                 merged_first; /* a PDF: its first page (from 0) in the merged PDF, or -1
                                     * when it is drawn from its own document */
  int                 width;        /* an image's size in pixels */
  int                 height;
  const CpSection    *section;      /* where it is bound in (NULL: after the scoring sheet or
                                     * with the other attachments) */
  gboolean            evidence;     /* used by the scoring sheet */
  guint               first_page;   /* from 1, once paginated; 0 for none */
  int                 toc_index;    /* its table-of-contents entry, or -1 */
  struct _Row        *pages_row;    /* the row of the section's file table that shows the
                                     * pages */
} BinderFile;

typedef struct _Row Row;
struct _Row
{
  Cell        cells[MAX_CELLS];
  guint       n_cells;
  double      height;        /* padding included */
  double      space_before;  /* dropped at the top of a page */
  RowFlags    flags;
  int         anchor;        /* the table-of-contents entry that starts here, or -1 */
  Row        *header;        /* a table header to repeat after a page break, not owned */
  int         link_page;     /* the row links to this page (table of contents), or 0 */
  BinderFile *file;          /* ROW_FILE_PAGES: whose pages */
};

typedef struct
{
  Row    *row;
  double  y;       /* from the top of the body area */
  double  offset;  /* the part of the row above this piece (a row cut between lines) */
  double  height;
} Placed;

typedef struct
{
  GArray     *placed;     /* Placed */
  gboolean    cover;      /* no running header or footer */
  BinderFile *file;       /* a page of this attachment instead of rows, or NULL */
  guint       file_page;  /* which (from 0) */
} Page;

typedef struct
{
  char *title;
  int   page;
  int   level;        /* 0 for a section; 1 for an entry that belongs to the one before it... */
  Row  *number_row;  /* the table-of-contents row that shows the page number */
} TocEntry;

struct _CpBinder
{
  GObject               parent_instance;

  /* Inputs. */
  CpTemplateRegistry   *registry;
  CpPacket             *packet;      /* a copy of the caller's */
  char                 *files_dir;   /* nullable */
  CpBinderFlags         flags;
  CpTemplate           *kind;
  CpScoringSheet       *sheet;       /* nullable */

  /* Text. */
  PangoFontMap         *font_map;
  PangoContext         *context;
  PangoFontDescription *fonts[N_STYLES];
  PangoAttrList        *no_hyphens;

  /* The document. */
  gboolean              paginated;
  gboolean              draft;
  GPtrArray            *rows;        /* Row *, in page order */
  GPtrArray            *body_rows;   /* the rows after the table of contents */
  GPtrArray            *all_rows;    /* owns every Row */
  GPtrArray            *toc;         /* TocEntry * */
  GPtrArray            *pages;       /* Page * */
  GPtrArray            *files;       /* BinderFile *, in binder order */
  GHashTable           *files_by_hash;
  char                 *running_title;
  char                 *title;

  /* Every PDF attachment in one document (see merge_pdfs()), unlinked, or -1. */
  int                   merged_fd;

  /* While drawing. */
  cairo_t              *cr;
  BinderFile           *open_file;   /* the PDF that doc belongs to */
  GObject              *doc;
};

enum {
  PROP_0,
  PROP_REGISTRY,
  PROP_PACKET,
  PROP_FILES_DIR,
  PROP_FORMS_ONLY,
  PROP_N_PAGES,
  PROP_DRAFT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (CpBinder, cp_binder, G_TYPE_OBJECT)

static void
row_free (Row *row)
{
  for (guint i = 0; i < row->n_cells; i++)
    g_clear_object (&row->cells[i].layout);
  g_free (row);
}

static void
page_free (Page *page)
{
  g_array_unref (page->placed);
  g_free (page);
}

static void
toc_entry_free (TocEntry *entry)
{
  g_free (entry->title);
  g_free (entry);
}

static void
binder_file_free (BinderFile *file)
{
  g_free (file->sha256);
  g_free (file->label);
  g_free (file->place);
  g_free (file->path);
  g_free (file->reason);
  g_free (file);
}

/* Numbers ---------------------------------------------------------------------------------- */

/* 1234567.5 with 2 decimals → "1,234,567.50"; with -1 decimals, as few as needed (≤ 2). */
static char *
format_number (double value,
               int    decimals)
{
  g_autofree char *digits = NULL;
  GString *out;
  const char *p;
  const char *dot;
  gboolean negative = value < 0;
  gsize int_len;

  if (decimals < 0)
    {
      double rounded = round (fabs (value) * 100) / 100;

      if (rounded == floor (rounded))
        decimals = 0;
      else if (rounded * 10 == floor (rounded * 10))
        decimals = 1;
      else
        decimals = 2;
    }

  digits = g_strdup_printf ("%.*f", decimals, fabs (value));
  /* "%.*f" honours LC_NUMERIC; make sure the separator is a dot. */
  g_strdelimit (digits, ",", '.');
  dot = strchr (digits, '.');
  int_len = dot != NULL ? (gsize) (dot - digits) : strlen (digits);

  out = g_string_new (NULL);
  if (negative && strspn (digits, "0.") != strlen (digits))
    g_string_append_c (out, '-');
  for (p = digits; (gsize) (p - digits) < int_len; p++)
    {
      gsize left = int_len - (p - digits);

      if (p != digits && left % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, *p);
    }
  if (dot != NULL)
    g_string_append (out, dot);

  return g_string_free (out, FALSE);
}

/* Layout ----------------------------------------------------------------------------------- */

static PangoLayout *
make_layout (CpBinder         *self,
             const char     *text,
             Style           style,
             double          cell_width,
             PangoAlignment  alignment,
             PangoAttrList  *attrs)
{
  PangoLayout *layout = pango_layout_new (self->context);

  pango_layout_set_font_description (layout, self->fonts[style]);
  pango_layout_set_width (layout, (int) ((cell_width - 2 * PAD_X) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  /* No hyphens: a hyphen inside a code or a number would change what it says. */
  if (attrs == NULL)
    attrs = self->no_hyphens;
  else
    pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  pango_layout_set_attributes (layout, attrs);

  return layout;
}

static Row *
row_new (CpBinder   *self,
         RowFlags  flags)
{
  Row *row = g_new0 (Row, 1);

  row->flags = flags;
  row->anchor = -1;
  g_ptr_array_add (self->all_rows, row);
  return row;
}

/* Adds a cell and grows the row to fit it. */
static Cell *
row_add_layout (Row         *row,
                double       x,
                double       width,
                PangoLayout *layout)
{
  Cell *cell;
  int height;

  g_assert (row->n_cells < MAX_CELLS);

  cell = &row->cells[row->n_cells++];
  cell->x = x;
  cell->width = width;
  cell->layout = layout;

  pango_layout_get_size (layout, NULL, &height);
  row->height = MAX (row->height, (double) height / PANGO_SCALE + 2 * PAD_Y);

  return cell;
}

static Cell *
row_add (CpBinder         *self,
         Row            *row,
         double          x,
         double          width,
         const char     *text,
         Style           style,
         PangoAlignment  alignment)
{
  return row_add_layout (row, x, width, make_layout (self, text, style, width, alignment, NULL));
}

/* A full-width row with one cell of text. */
static Row *
add_text (CpBinder     *self,
          GPtrArray  *rows,
          const char *text,
          Style       style,
          RowFlags    flags,
          double      space_before)
{
  Row *row = row_new (self, flags);

  row_add (self, row, 0, BODY_WIDTH, text, style, PANGO_ALIGN_LEFT);
  row->space_before = space_before;
  g_ptr_array_add (rows, row);
  return row;
}

static Row *
add_spacer (CpBinder    *self,
            GPtrArray *rows,
            double     height)
{
  Row *row = row_new (self, 0);

  row->height = height;
  g_ptr_array_add (rows, row);
  return row;
}

/* A label/value row of a section or a form. */
#define LABEL_WIDTH (BODY_WIDTH * 0.34)

static Row *
add_pair_layout (CpBinder      *self,
                 GPtrArray   *rows,
                 const char  *label,
                 PangoLayout *value)
{
  Row *row = row_new (self, ROW_RULE_BELOW);

  row_add (self, row, 0, LABEL_WIDTH, label, STYLE_BOLD, PANGO_ALIGN_LEFT);
  row_add_layout (row, LABEL_WIDTH, BODY_WIDTH - LABEL_WIDTH, value);
  g_ptr_array_add (rows, row);
  return row;
}

static Row *
add_pair (CpBinder     *self,
          GPtrArray  *rows,
          const char *label,
          const char *value)
{
  return add_pair_layout (self, rows, label,
                          make_layout (self, value, STYLE_BODY, BODY_WIDTH - LABEL_WIDTH,
                                       PANGO_ALIGN_LEFT, NULL));
}

/* The candidate places to cut a row taller than a page: below each line of its tallest cell. */
static GArray *
row_break_points (Row *row)
{
  GArray *points = g_array_new (FALSE, FALSE, sizeof (double));
  const Cell *tallest = NULL;
  int tallest_height = -1;
  PangoLayoutIter *iter;

  for (guint i = 0; i < row->n_cells; i++)
    {
      int h;

      pango_layout_get_size (row->cells[i].layout, NULL, &h);
      if (h > tallest_height)
        {
          tallest_height = h;
          tallest = &row->cells[i];
        }
    }

  if (tallest == NULL)
    return points;

  iter = pango_layout_get_iter (tallest->layout);
  do
    {
      PangoRectangle logical;
      double bottom;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      bottom = PAD_Y + (double) (logical.y + logical.height) / PANGO_SCALE;
      g_array_append_val (points, bottom);
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);

  return points;
}

/* Pagination ------------------------------------------------------------------------------- */

typedef struct
{
  CpBinder *self;
  Page   *page;
  double  y;
} Pager;

static void
pager_new_page (Pager *pager)
{
  pager->page = g_new0 (Page, 1);
  pager->page->placed = g_array_new (FALSE, FALSE, sizeof (Placed));
  g_ptr_array_add (pager->self->pages, pager->page);
  pager->y = 0;
}

static void
pager_place (Pager  *pager,
             Row    *row,
             double  offset,
             double  height)
{
  Placed placed = { row, pager->y, offset, height };

  if (pager->page->placed->len == 0)
    pager->page->cover = (row->flags & ROW_COVER) != 0;

  g_array_append_val (pager->page->placed, placed);
  pager->y += height;
}

/* The pages of an attachment, each a page of its own. */
static void
pager_place_file (Pager *pager,
                  Row   *row)
{
  BinderFile *file = row->file;

  for (guint k = 0; k < file->n_pages; k++)
    {
      if (k > 0 || pager->page->placed->len > 0 || pager->page->file != NULL)
        pager_new_page (pager);
      pager->page->file = file;
      pager->page->file_page = k;
      if (k == 0)
        {
          file->first_page = pager->self->pages->len;
          if (row->anchor >= 0)
            {
              TocEntry *entry = g_ptr_array_index (pager->self->toc, row->anchor);

              entry->page = pager->self->pages->len;
            }
        }
    }
}

static void
paginate (CpBinder  *self,
          GPtrArray *rows)
{
  Pager pager = { self, NULL, 0 };

  pager_new_page (&pager);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);
      gboolean empty;
      double space;
      double need = row->height;

      if (row->flags & ROW_FILE_PAGES)
        {
          pager_place_file (&pager, row);
          continue;
        }

      /* Rows never share a page with an attachment's page. */
      if (pager.page->file != NULL)
        pager_new_page (&pager);
      empty = pager.page->placed->len == 0;
      space = empty ? 0 : row->space_before;

      if ((row->flags & ROW_NEW_PAGE) && !empty)
        {
          pager_new_page (&pager);
          empty = TRUE;
          space = 0;
        }

      /* Headings (and table headers) stay with the rows that follow them. */
      for (guint j = i; j + 1 < rows->len; j++)
        {
          Row *keep = g_ptr_array_index (rows, j);
          Row *next = g_ptr_array_index (rows, j + 1);

          if (!(keep->flags & ROW_KEEP_WITH_NEXT) ||
              need + next->space_before + next->height > BODY_HEIGHT)
            break;
          need += next->space_before + next->height;
        }

      /* A row taller than a page is cut anyway: start it here if a fair part fits. */
      if (row->height > BODY_HEIGHT && BODY_HEIGHT - (pager.y + space) >= 72)
        need = 0;

      if (!empty && pager.y + space + need > BODY_HEIGHT)
        {
          pager_new_page (&pager);
          space = 0;
          if (row->header != NULL && row->header != row)
            pager_place (&pager, row->header, 0, row->header->height);
        }

      pager.y += space;

      if (row->anchor >= 0)
        {
          TocEntry *entry = g_ptr_array_index (self->toc, row->anchor);

          entry->page = self->pages->len;
        }

      if (pager.y + row->height <= BODY_HEIGHT)
        {
          pager_place (&pager, row, 0, row->height);
        }
      else
        {
          /* Taller than what is left of a fresh page: cut it between lines. */
          g_autoptr(GArray) points = row_break_points (row);
          double offset = 0;

          while (offset < row->height)
            {
              double avail = BODY_HEIGHT - pager.y;
              double cut = offset + avail;

              if (offset + avail < row->height)
                {
                  double best = -1;

                  for (guint p = 0; p < points->len; p++)
                    {
                      double point = g_array_index (points, double, p);

                      if (point > offset && point <= offset + avail)
                        best = point;
                    }
                  if (best > 0)
                    cut = best;
                }
              else
                {
                  cut = row->height;
                }

              pager_place (&pager, row, offset, cut - offset);
              offset = cut;
              if (offset < row->height)
                pager_new_page (&pager);
            }
        }
    }
}

/* Drawing ---------------------------------------------------------------------------------- */

static void
draw_row (CpBinder       *self,
          const Placed *placed)
{
  cairo_t *cr = self->cr;
  const Row *row = placed->row;
  double top = MARGIN_TOP + placed->y;
  gboolean cut = placed->offset > 0 || placed->height < row->height;

  cairo_save (cr);

  if (cut)
    {
      cairo_rectangle (cr, MARGIN_X - 1, top, BODY_WIDTH + 2, placed->height);
      cairo_clip (cr);
    }

  if (row->link_page > 0)
    {
      g_autofree char *attrs = g_strdup_printf ("page=%d pos=[0 0]", row->link_page);

      cairo_tag_begin (cr, CAIRO_TAG_LINK, attrs);
    }

  if (row->flags & ROW_SHADE)
    {
      cairo_set_source_rgb (cr, 0.91, 0.92, 0.94);
      cairo_rectangle (cr, MARGIN_X, top, BODY_WIDTH, placed->height);
      cairo_fill (cr);
    }

  cairo_set_source_rgb (cr, 0.0, 0.0, 0.0);
  for (guint i = 0; i < row->n_cells; i++)
    {
      const Cell *cell = &row->cells[i];

      cairo_move_to (cr, MARGIN_X + cell->x + PAD_X, top - placed->offset + PAD_Y);
      pango_cairo_show_layout (cr, cell->layout);
    }

  if ((row->flags & ROW_LEADER) && row->n_cells >= 2)
    {
      /* Dots from the end of the title's last line to the page number, on its baseline. */
      PangoLayout *title = row->cells[0].layout;
      PangoLayoutIter *iter = pango_layout_get_iter (title);
      PangoRectangle logical;
      double baseline;
      double start;
      double end;

      while (!pango_layout_iter_at_last_line (iter))
        pango_layout_iter_next_line (iter);
      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      baseline = (double) pango_layout_iter_get_baseline (iter) / PANGO_SCALE;
      pango_layout_iter_free (iter);

      start = MARGIN_X + row->cells[0].x + PAD_X +
              (double) (logical.x + logical.width) / PANGO_SCALE + 4;
      end = MARGIN_X + row->cells[1].x + row->cells[1].width - PAD_X - 22;
      if (end > start)
        {
          static const double dashes[] = { 0.01, 3.0 };
          double y = top - placed->offset + PAD_Y + baseline;

          cairo_save (cr);
          cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
          cairo_set_line_width (cr, 0.9);
          cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
          cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
          cairo_move_to (cr, start, y);
          cairo_line_to (cr, end, y);
          cairo_stroke (cr);
          cairo_restore (cr);
        }
    }

  if (row->flags & ROW_GRID)
    {
      cairo_set_source_rgb (cr, 0.55, 0.57, 0.6);
      cairo_set_line_width (cr, 0.5);
      for (guint i = 0; i < row->n_cells; i++)
        {
          const Cell *cell = &row->cells[i];

          cairo_rectangle (cr, MARGIN_X + cell->x, top, cell->width, placed->height);
        }
      cairo_stroke (cr);
    }

  if (row->flags & (ROW_RULE_BELOW | ROW_RULE_HEAVY))
    {
      gboolean heavy = (row->flags & ROW_RULE_HEAVY) != 0;

      cairo_set_source_rgb (cr, heavy ? 0.2 : 0.75, heavy ? 0.25 : 0.77, heavy ? 0.3 : 0.8);
      cairo_set_line_width (cr, heavy ? 1.2 : 0.4);
      cairo_move_to (cr, MARGIN_X, top + placed->height);
      cairo_line_to (cr, MARGIN_X + BODY_WIDTH, top + placed->height);
      cairo_stroke (cr);
    }

  if (row->link_page > 0)
    cairo_tag_end (cr, CAIRO_TAG_LINK);

  cairo_restore (cr);
}

static void
draw_running_parts (CpBinder *self,
                    int     number,
                    int     total)
{
  cairo_t *cr = self->cr;
  const char *name = cp_packet_get_enterprise_name (self->packet);
  g_autofree char *footer = NULL;
  g_autoptr(PangoLayout) left = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autoptr(PangoLayout) bottom = NULL;
  int h;

  /* Translators: the footer of every page of the exported binder. */
  footer = g_strdup_printf (_("Page %d of %d"), number, total);

  left = make_layout (self, name != NULL ? name : "", STYLE_SMALL, BODY_WIDTH * 0.5 + 2 * PAD_X,
                      PANGO_ALIGN_LEFT, NULL);
  pango_layout_set_ellipsize (left, PANGO_ELLIPSIZE_END);
  right = make_layout (self, self->running_title, STYLE_SMALL, BODY_WIDTH * 0.5 + 2 * PAD_X,
                       PANGO_ALIGN_RIGHT, NULL);
  pango_layout_set_ellipsize (right, PANGO_ELLIPSIZE_END);
  bottom = make_layout (self, footer, STYLE_SMALL, BODY_WIDTH + 2 * PAD_X, PANGO_ALIGN_CENTER,
                        NULL);

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.3, 0.32, 0.36);

  pango_layout_get_size (left, NULL, &h);
  cairo_move_to (cr, MARGIN_X, MARGIN_TOP - 18 - (double) h / PANGO_SCALE);
  pango_cairo_show_layout (cr, left);
  cairo_move_to (cr, MARGIN_X + BODY_WIDTH * 0.5, MARGIN_TOP - 18 - (double) h / PANGO_SCALE);
  pango_cairo_show_layout (cr, right);

  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, MARGIN_X, MARGIN_TOP - 14);
  cairo_line_to (cr, MARGIN_X + BODY_WIDTH, MARGIN_TOP - 14);
  cairo_move_to (cr, MARGIN_X, PAGE_HEIGHT - MARGIN_BOTTOM + 14);
  cairo_line_to (cr, MARGIN_X + BODY_WIDTH, PAGE_HEIGHT - MARGIN_BOTTOM + 14);
  cairo_stroke (cr);

  cairo_move_to (cr, MARGIN_X, PAGE_HEIGHT - MARGIN_BOTTOM + 20);
  pango_cairo_show_layout (cr, bottom);

  cairo_restore (cr);
}

/* Values ----------------------------------------------------------------------------------- */

static const char *
state_label (CpPacketState state)
{
  switch (state)
    {
    case CP_PACKET_STATE_DRAFT:
      return C_("binder", "Draft");
    case CP_PACKET_STATE_READY:
      return C_("binder", "Ready to submit");
    case CP_PACKET_STATE_SUBMITTED:
      return C_("binder", "Submitted");
    case CP_PACKET_STATE_RETURNED:
      return C_("binder", "Returned for changes");
    case CP_PACKET_STATE_ACCEPTED:
      return C_("binder", "Accepted");
    default:
      return cp_packet_state_to_string (state);
    }
}

/* "name (1.2 MB)" for an attachment hash, or the bare hash when the manifest lacks it. */
static char *
attachment_title (CpBinder     *self,
                  const char *sha256)
{
  const CpAttachment *attachment = cp_packet_find_attachment (self->packet, sha256);

  if (attachment == NULL)
    return g_strdup (sha256);
  return g_strdup (attachment->name);
}

/* The signer roles templates use, as a reader names them; any other role is printed as is. */
static const char *
role_label (const char *role)
{
  static const struct
  {
    const char *id;
    const char *label;
  } roles[] = {
    { "enterprise", NC_("binder", "enterprise") },
    { "enterprise-head", NC_("binder", "head of the enterprise") },
    { "legal-representative", NC_("binder", "legal representative") },
    { "district-office", NC_("binder", "district credit office") },
    { "city-office", NC_("binder", "city credit office") },
    { "provincial-office", NC_("binder", "provincial credit office") },
    { "agency", NC_("binder", "credit service agency") },
    { "auditor", NC_("binder", "auditor") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (roles); i++)
    {
      if (g_str_equal (roles[i].id, role))
        return g_dpgettext2 (GETTEXT_PACKAGE, "binder", roles[i].label);
    }
  return role;
}

static char *
describe_signature (CpBinder        *self,
                    const CpField *field,
                    JsonNode      *node)
{
  JsonObject *object;
  const char *signer = NULL;
  const char *role = NULL;
  const char *date = NULL;
  const char *scan = NULL;
  g_autofree char *scan_name = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return json_to_string (node, FALSE);

  object = json_node_get_object (node);
  if (json_object_has_member (object, "signer"))
    signer = json_node_get_string (json_object_get_member (object, "signer"));
  if (json_object_has_member (object, "role"))
    role = json_node_get_string (json_object_get_member (object, "role"));
  if (json_object_has_member (object, "date"))
    date = json_node_get_string (json_object_get_member (object, "date"));
  if (json_object_has_member (object, "scan"))
    scan = json_node_get_string (json_object_get_member (object, "scan"));

  if (signer == NULL || *signer == '\0')
    signer = "—";
  if (date == NULL || *date == '\0')
    date = "—";
  if (role != NULL && *role == '\0')
    role = NULL;
  if (role != NULL)
    role = role_label (role);
  if (scan != NULL && *scan != '\0')
    scan_name = attachment_title (self, scan);

  if (field->stamp)
    {
      if (role != NULL && scan_name != NULL)
        /* Translators: a seal on a document: who stamped it, their role, the date, the scan. */
        return g_strdup_printf (_("Stamped by %s (%s) on %s, scan: %s"),
                                signer, role, date, scan_name);
      if (scan_name != NULL)
        return g_strdup_printf (_("Stamped by %s on %s, scan: %s"), signer, date, scan_name);
      if (role != NULL)
        return g_strdup_printf (_("Stamped by %s (%s) on %s, no scan attached"),
                                signer, role, date);
      return g_strdup_printf (_("Stamped by %s on %s, no scan attached"), signer, date);
    }

  if (role != NULL && scan_name != NULL)
    /* Translators: a hand signature: who signed, their role, the date, the scanned page. */
    return g_strdup_printf (_("Signed by %s (%s) on %s, scan: %s"), signer, role, date, scan_name);
  if (scan_name != NULL)
    return g_strdup_printf (_("Signed by %s on %s, scan: %s"), signer, date, scan_name);
  if (role != NULL)
    return g_strdup_printf (_("Signed by %s (%s) on %s, no scan attached"), signer, role, date);
  return g_strdup_printf (_("Signed by %s on %s, no scan attached"), signer, date);
}

static char *
with_unit (char          *number,
           const CpField *field)
{
  char *text;

  if (field->unit == NULL || *field->unit == '\0')
    return number;
  text = g_strdup_printf ("%s %s", number, field->unit);
  g_free (number);
  return text;
}

/* The text of a scalar value (anything but a group); attachments give their names only. */
static char *
describe_value (CpBinder        *self,
                const CpField *field,
                JsonNode      *node)
{
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("—");

  switch (field->type)
    {
    case CP_FIELD_NUMBER:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING &&
          json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return with_unit (format_number (json_node_get_double (node), -1), field);
      break;

    case CP_FIELD_MONEY:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING &&
          json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return with_unit (format_number (json_node_get_double (node), 2), field);
      break;

    case CP_FIELD_INTEGER:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) != G_TYPE_STRING &&
          json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        return with_unit (g_strdup_printf ("%.0f", json_node_get_double (node)), field);
      break;

    case CP_FIELD_BOOLEAN:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN)
        return g_strdup (json_node_get_boolean (node) ? C_("binder", "Yes") : C_("binder", "No"));
      break;

    case CP_FIELD_CHOICE:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        {
          const char *id = json_node_get_string (node);
          const CpChoiceOption *option = cp_field_lookup_option (field, id);

          return g_strdup (option != NULL ? cp_text_get (option->label) : id);
        }
      break;

    case CP_FIELD_SIGNATURE:
      return describe_signature (self, field, node);

    case CP_FIELD_ATTACHMENT:
      if ((JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING) ||
          JSON_NODE_HOLDS_ARRAY (node))
        {
          g_autoptr(GPtrArray) hashes = cp_packet_get_file_hashes (node);
          GString *out = g_string_new (NULL);

          for (guint i = 0; i < hashes->len; i++)
            {
              g_autofree char *title = attachment_title (self, g_ptr_array_index (hashes, i));

              if (out->len > 0)
                g_string_append_c (out, '\n');
              g_string_append (out, title);
            }
          return g_string_free (out, FALSE);
        }
      break;

    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    case CP_FIELD_GROUP:
    default:
      break;
    }

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));

  /* A value of the wrong type (the validator reports it): show it as it is. */
  return json_to_string (node, FALSE);
}

/* The value cell of an attachment field: each file with its size and SHA-256 in a fixed-width
 * font, so that the office can compare it with the files it received. */
static PangoLayout *
attachment_layout (CpBinder     *self,
                   JsonNode   *node,
                   double      width)
{
  g_autoptr(GPtrArray) hashes = cp_packet_get_file_hashes (node);
  PangoAttrList *attrs = pango_attr_list_new ();
  GString *text = g_string_new (NULL);
  PangoLayout *layout;

  for (guint i = 0; i < hashes->len; i++)
    {
      const char *sha256 = g_ptr_array_index (hashes, i);
      const CpAttachment *attachment = cp_packet_find_attachment (self->packet, sha256);
      PangoAttribute *attr;

      if (text->len > 0)
        g_string_append_c (text, '\n');
      if (attachment != NULL)
        {
          g_autofree char *size = g_format_size (attachment->size);

          g_string_append_printf (text, "%s · %s\n", attachment->name, size);
        }
      else
        {
          g_string_append_printf (text, "%s\n", _("Not in the attachment list"));
        }

      attr = pango_attr_font_desc_new (self->fonts[STYLE_MONO]);
      attr->start_index = text->len;
      g_string_append (text, sha256);
      attr->end_index = text->len;
      pango_attr_list_insert (attrs, attr);
    }

  if (hashes->len == 0)
    g_string_append (text, "—");

  layout = make_layout (self, text->str, STYLE_BODY, width, PANGO_ALIGN_LEFT, attrs);
  pango_attr_list_unref (attrs);
  g_string_free (text, TRUE);
  return layout;
}

static gboolean
is_numeric (const CpField *field)
{
  return field->type == CP_FIELD_MONEY || field->type == CP_FIELD_NUMBER ||
         field->type == CP_FIELD_INTEGER;
}

static double
column_weight (const CpField *field)
{
  switch (field->type)
    {
    case CP_FIELD_INTEGER:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_POSTCODE:
    case CP_FIELD_BOOLEAN:
      return 0.6;
    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_NUMBER:
    case CP_FIELD_MONEY:
    case CP_FIELD_CHOICE:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_GROUP:
    case CP_FIELD_ATTACHMENT:
    case CP_FIELD_SIGNATURE:
    default:
      return 1.0;
    }
}

/* A group (surveyors, three years of figures) as a small table, one row per entry. */
static void
add_group (CpBinder        *self,
           GPtrArray     *rows,
           const CpField *field,
           JsonNode      *node)
{
  GPtrArray *fields = field->fields;
  JsonArray *array;
  Row *header;
  guint n_columns;
  double number_width = 22;
  double widths[MAX_CELLS];
  double lefts[MAX_CELLS];
  double total_weight = 0;
  double x;

  add_text (self, rows, cp_text_get (field->label), STYLE_BOLD, ROW_KEEP_WITH_NEXT, 6);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    {
      add_text (self, rows, "—", STYLE_BODY, ROW_RULE_BELOW, 0);
      return;
    }

  array = json_node_get_array (node);
  n_columns = MIN (fields->len, MAX_CELLS - 1);

  if (fields->len > MAX_CELLS - 1)
    {
      /* Too many columns for a table: one block of label/value rows per entry. */
      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ?
                               json_node_get_object (element) : NULL;
          g_autofree char *number = g_strdup_printf ("%s %u", cp_text_get (field->label), i + 1);

          add_text (self, rows, number, STYLE_BOLD, ROW_SHADE | ROW_KEEP_WITH_NEXT, 2);
          for (guint f = 0; f < fields->len; f++)
            {
              const CpField *sub = g_ptr_array_index (fields, f);
              JsonNode *value = object != NULL && json_object_has_member (object, sub->id) ?
                                json_object_get_member (object, sub->id) : NULL;
              g_autofree char *text = describe_value (self, sub, value);

              add_pair (self, rows, cp_text_get (sub->label), text);
            }
        }
      add_spacer (self, rows, 6);
      return;
    }

  /* Years, dates and counts need less room than names and words. */
  for (guint f = 0; f < n_columns; f++)
    total_weight += column_weight (g_ptr_array_index (fields, f));

  header = row_new (self, ROW_GRID | ROW_SHADE | ROW_KEEP_WITH_NEXT);
  row_add (self, header, 0, number_width, "#", STYLE_SMALL, PANGO_ALIGN_CENTER);
  x = number_width;
  for (guint f = 0; f < n_columns; f++)
    {
      const CpField *sub = g_ptr_array_index (fields, f);
      g_autofree char *title = NULL;

      /* Units go to the column header, not into every cell. */
      if (is_numeric (sub) && sub->unit != NULL && *sub->unit != '\0')
        title = g_strdup_printf ("%s (%s)", cp_text_get (sub->label), sub->unit);
      else
        title = g_strdup (cp_text_get (sub->label));
      widths[f] = (BODY_WIDTH - number_width) * column_weight (sub) / total_weight;
      lefts[f] = x;
      x += widths[f];
      row_add (self, header, lefts[f], widths[f], title, STYLE_SMALL_BOLD, PANGO_ALIGN_LEFT);
    }
  g_ptr_array_add (rows, header);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      Row *row = row_new (self, ROW_GRID);

      row->header = header;
      row_add (self, row, 0, number_width, number, STYLE_SMALL, PANGO_ALIGN_CENTER);
      for (guint f = 0; f < n_columns; f++)
        {
          const CpField *sub = g_ptr_array_index (fields, f);
          JsonNode *value = object != NULL && json_object_has_member (object, sub->id) ?
                            json_object_get_member (object, sub->id) : NULL;
          g_autofree char *text = NULL;
          gboolean numeric = is_numeric (sub);

          if (numeric && value != NULL && JSON_NODE_HOLDS_VALUE (value) &&
              (json_node_get_value_type (value) == G_TYPE_DOUBLE ||
               json_node_get_value_type (value) == G_TYPE_INT64))
            text = sub->type == CP_FIELD_INTEGER ?
                   g_strdup_printf ("%.0f", json_node_get_double (value)) :
                   format_number (json_node_get_double (value),
                                  sub->type == CP_FIELD_MONEY ? 2 : -1);
          else
            text = describe_value (self, sub, value);

          row_add (self, row, lefts[f], widths[f], text, STYLE_SMALL,
                   numeric ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        }
      g_ptr_array_add (rows, row);
    }

  add_spacer (self, rows, 6);
}

static void
add_field (CpBinder        *self,
           GPtrArray     *rows,
           const CpField *field,
           JsonNode      *value)
{
  if (field->type == CP_FIELD_GROUP)
    {
      add_group (self, rows, field, value);
    }
  else if (field->type == CP_FIELD_ATTACHMENT && value != NULL && !JSON_NODE_HOLDS_NULL (value))
    {
      add_pair_layout (self, rows, cp_text_get (field->label),
                       attachment_layout (self, value, BODY_WIDTH - LABEL_WIDTH));
    }
  else
    {
      g_autofree char *text = describe_value (self, field, value);

      add_pair (self, rows, cp_text_get (field->label), text);
    }
}

/* Parts of the binder ---------------------------------------------------------------------- */

static int
add_toc_entry (CpBinder     *self,
               const char *title,
               Row        *heading)
{
  TocEntry *entry = g_new0 (TocEntry, 1);

  entry->title = g_strdup (title);
  entry->page = -1;
  g_ptr_array_add (self->toc, entry);
  heading->anchor = self->toc->len - 1;

  return self->toc->len - 1;
}

/* A section heading: a new page, the title, a rule. */
static Row *
add_heading (CpBinder     *self,
             GPtrArray  *rows,
             const char *title)
{
  Row *row = add_text (self, rows, title, STYLE_H1,
                       ROW_NEW_PAGE | ROW_KEEP_WITH_NEXT | ROW_RULE_HEAVY, 0);
  Row *space = row_new (self, 0);

  space->height = 8;
  space->flags = ROW_KEEP_WITH_NEXT;
  g_ptr_array_add (rows, space);

  add_toc_entry (self, title, row);
  return row;
}

/* The agency named in the service contract, else in any other section (the re-review names
 * its reviewing agency), or NULL. */
static const char *
find_agency (CpBinder *self)
{
  GPtrArray *sections = cp_template_get_sections (self->kind);

  for (guint pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < sections->len; i++)
        {
          const CpSection *section = g_ptr_array_index (sections, i);

          if ((strstr (section->id, "contract") != NULL) != (pass == 0))
            continue;

          for (guint f = 0; f < section->fields->len; f++)
            {
              const CpField *field = g_ptr_array_index (section->fields, f);
              const char *value;

              if (field->type != CP_FIELD_TEXT || !g_str_equal (field->id, "agency_name"))
                continue;
              value = cp_packet_get_string (self->packet, section->id, field->id);
              if (value != NULL && *value != '\0')
                return value;
            }
        }
    }

  return NULL;
}

static gboolean
is_cover_section (const CpSection *section)
{
  return g_str_equal (section->id, "cover");
}

static void
add_cover (CpBinder          *self,
           GPtrArray       *rows,
           const CpSection *section)
{
  const char *name = cp_packet_get_enterprise_name (self->packet);
  const char *uscc = cp_packet_get_uscc (self->packet);
  const char *agency = find_agency (self);
  const CpText *campaign = cp_template_get_campaign (self->kind);
  g_autofree char *year = g_strdup_printf ("%d", cp_packet_get_year (self->packet));
  g_autofree char *today = NULL;
  g_autofree char *uscc_line = NULL;
  GDate date;
  Row *row;

  cp_date_today (&date);
  today = cp_date_format (&date);

  row = add_spacer (self, rows, 96);
  if (section != NULL)
    add_toc_entry (self, cp_text_get (section->title), row);

  row = add_text (self, rows, year, STYLE_H2, 0, 0);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  row = add_text (self, rows, cp_text_get (cp_template_get_title (self->kind)), STYLE_TITLE, 0, 6);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  if (campaign != NULL)
    {
      /* The campaign is named for the packet's year ("苏州市{year}年…"), not the year the
       * template was first published for. */
      g_autoptr(GString) campaign_name = g_string_new (cp_text_get (campaign));

      g_string_replace (campaign_name, "{year}", year, 0);
      row = add_text (self, rows, campaign_name->str, STYLE_BODY, 0, 6);
      pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
    }

  add_spacer (self, rows, 90);

  row = add_text (self, rows, name != NULL ? name : "—", STYLE_COVER_NAME, 0, 0);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  /* Translators: on the cover of the binder, under the enterprise name. */
  uscc_line = g_strdup_printf (_("Unified social credit code: %s"), uscc != NULL ? uscc : "—");
  row = add_text (self, rows, uscc_line, STYLE_BODY, 0, 6);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);

  add_spacer (self, rows, 80);

  add_pair (self, rows, C_("binder", "Enterprise"), name != NULL ? name : "—");
  add_pair (self, rows, C_("binder", "Unified social credit code"), uscc != NULL ? uscc : "—");
  add_pair (self, rows, C_("binder", "Packet kind"), cp_text_get (cp_template_get_title (self->kind)));
  add_pair (self, rows, C_("binder", "Campaign year"), year);
  add_pair (self, rows, C_("binder", "Credit service agency"), agency != NULL ? agency : "—");
  add_pair (self, rows, C_("binder", "Date of export"), today);
  add_pair (self, rows, C_("binder", "State"), state_label (cp_packet_get_state (self->packet)));

  /* The rest of the cover section (legal representative, address, contact...). */
  if (section != NULL)
    {
      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);

          if (g_str_equal (field->id, "enterprise_name") || g_str_equal (field->id, "uscc"))
            continue;
          add_field (self, rows, field, cp_packet_get_value (self->packet, section->id, field->id));
        }
    }
}

#define TOC_NUMBER_WIDTH 48.0

static void
add_section (CpBinder          *self,
             GPtrArray       *rows,
             const CpSection *section)
{
  add_heading (self, rows, cp_text_get (section->title));

  if (section->fields->len == 0)
    add_text (self, rows, _("This section has no fields."), STYLE_BODY, 0, 0);

  for (guint f = 0; f < section->fields->len; f++)
    {
      const CpField *field = g_ptr_array_index (section->fields, f);

      add_field (self, rows, field, cp_packet_get_value (self->packet, section->id, field->id));
    }
}

/* The scoring sheet: item, maximum, then the columns the sheet has. */
#define SCORE_WIDTH 62.0

typedef struct
{
  CpScoreColumn columns[2];
  guint         n_columns;
  double        item_width;
} SheetLayout;

static Row *
score_row (CpBinder            *self,
           const SheetLayout *sl,
           const char        *title,
           const char        *maximum,
           const char        *values[2],
           Style              style,
           RowFlags           flags)
{
  Row *row = row_new (self, ROW_GRID | flags);

  row_add (self, row, 0, sl->item_width, title, style, PANGO_ALIGN_LEFT);
  row_add (self, row, sl->item_width, SCORE_WIDTH, maximum, style, PANGO_ALIGN_RIGHT);
  for (guint c = 0; c < sl->n_columns; c++)
    row_add (self, row, sl->item_width + (c + 1) * SCORE_WIDTH, SCORE_WIDTH, values[c], style,
             PANGO_ALIGN_RIGHT);
  return row;
}

static char *
score_text (const CpItemScore *score,
            CpScoreColumn      column)
{
  if (score == NULL)
    return g_strdup ("—");
  if (column == CP_SCORE_SELF && score->has_self)
    return format_number (score->self, -1);
  if (column == CP_SCORE_ACCEPTANCE && score->has_acceptance)
    return format_number (score->acceptance, -1);
  return g_strdup ("—");
}

static void
add_scoring (CpBinder         *self,
             GPtrArray      *rows,
             CpScoringSheet *sheet)
{
  g_autoptr(CpScoreSummary) summary = cp_scoring_compute (sheet, self->packet);
  gboolean weighted = cp_scoring_sheet_get_method (sheet) == CP_SCORING_METHOD_WEIGHTED;
  double total = cp_scoring_sheet_get_total (sheet);
  g_autofree char *total_text = format_number (total, -1);
  const CpText *note = cp_scoring_sheet_get_note (sheet);
  const CpText *source = cp_scoring_sheet_get_source (sheet);
  const CpScoringRef *scoring = cp_template_get_scoring (self->kind);
  SheetLayout sl = { { 0, }, 0, 0 };
  const char *headers[2];
  char *values[2] = { NULL, NULL };
  Row *header;
  Row *row;

  /* The columns the kind asks for, and any other column of the sheet the packet has scores
   * in; a column nobody is asked to fill would only print dashes and failed pass marks. */
  for (CpScoreColumn column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
    {
      gboolean wanted = scoring != NULL && (column == CP_SCORE_SELF ? scoring->self
                                                                   : scoring->acceptance);

      if (cp_scoring_sheet_has_column (sheet, column) &&
          (wanted || cp_score_summary_get_n_scored (summary, column) > 0))
        sl.columns[sl.n_columns++] = column;
    }
  if (sl.n_columns == 0)
    {
      for (CpScoreColumn column = CP_SCORE_SELF; column <= CP_SCORE_ACCEPTANCE; column++)
        if (cp_scoring_sheet_has_column (sheet, column))
          sl.columns[sl.n_columns++] = column;
    }
  sl.item_width = BODY_WIDTH - (sl.n_columns + 1) * SCORE_WIDTH;

  add_heading (self, rows, cp_text_get (cp_scoring_sheet_get_title (sheet)));
  if (source != NULL)
    add_text (self, rows, cp_text_get (source), STYLE_SMALL, 0, 0);
  if (note != NULL)
    add_text (self, rows, cp_text_get (note), STYLE_SMALL, 0, 2);
  add_spacer (self, rows, 6);

  for (guint c = 0; c < sl.n_columns; c++)
    headers[c] = sl.columns[c] == CP_SCORE_SELF ? C_("binder", "Self-assessment")
                                                : C_("binder", "Acceptance");
  header = score_row (self, &sl, C_("binder", "Item"), C_("binder", "Maximum"),
                      headers, STYLE_SMALL_BOLD, ROW_SHADE | ROW_KEEP_WITH_NEXT);
  g_ptr_array_add (rows, header);

#define SET_VALUES(expr)                                        \
  G_STMT_START {                                                \
    for (guint c = 0; c < sl.n_columns; c++)                    \
      {                                                         \
        CpScoreColumn column = sl.columns[c];                   \
        g_free (values[c]);                                     \
        values[c] = (expr);                                     \
        (void) column;                                          \
      }                                                         \
  } G_STMT_END

  for (guint i = 0; i < cp_scoring_sheet_get_n_categories (sheet); i++)
    {
      const CpScoringCategory *category = cp_scoring_sheet_get_category (sheet, i);
      g_autofree char *title = g_strdup_printf ("%s  %s", category->id,
                                                cp_text_get (category->title));
      g_autofree char *points = format_number (category->points, -1);
      const char *empty[2] = { "", "" };

      row = score_row (self, &sl, title, points, empty, STYLE_BOLD, ROW_SHADE | ROW_KEEP_WITH_NEXT);
      row->header = header;
      g_ptr_array_add (rows, row);

      for (guint s = 0; s < category->subcategories->len; s++)
        {
          const CpScoringSubcategory *sub = g_ptr_array_index (category->subcategories, s);
          g_autofree char *sub_title = g_strdup_printf ("%s  %s", sub->id,
                                                        cp_text_get (sub->title));
          g_autofree char *sub_points = format_number (sub->points, -1);

          SET_VALUES (format_number (cp_score_summary_get_subtotal (summary, column, sub->id),
                                     -1));
          row = score_row (self, &sl, sub_title, sub_points, (const char **) values, STYLE_BOLD,
                           ROW_KEEP_WITH_NEXT);
          row->header = header;
          g_ptr_array_add (rows, row);

          for (guint t = 0; t < sub->items->len; t++)
            {
              const CpScoringItem *item = g_ptr_array_index (sub->items, t);
              const CpItemScore *score = cp_packet_get_score (self->packet, item->id);
              g_autofree char *item_title = g_strdup_printf ("%s  %s", item->id,
                                                             cp_text_get (item->title));
              g_autofree char *item_points = format_number (item->points, -1);

              SET_VALUES (score_text (score, column));
              row = score_row (self, &sl, item_title, item_points, (const char **) values,
                               STYLE_SMALL, 0);
              row->header = header;
              g_ptr_array_add (rows, row);
            }
        }

      {
        /* Translators: the sum of one category of the scoring sheet. */
        g_autofree char *label = g_strdup_printf (_("Subtotal of %s"), category->id);

        SET_VALUES (format_number (cp_score_summary_get_subtotal (summary, column, category->id),
                                   -1));
        row = score_row (self, &sl, label, points, (const char **) values, STYLE_BOLD, 0);
        row->header = header;
        g_ptr_array_add (rows, row);
      }

      if (weighted)
        {
          /* Translators: a category's points scaled to its weight, e.g. "Weighted (25 %)". */
          g_autofree char *weight = format_number (category->weight, -1);
          g_autofree char *label = g_strdup_printf (_("Weighted (%s %%)"), weight);
          g_autofree char *weighted_max = format_number (category->weight * total / 100, -1);

          SET_VALUES (format_number (cp_score_summary_get_weighted_subtotal (summary, column,
                                                                              category->id),
                                     -1));
          row = score_row (self, &sl, label, weighted_max, (const char **) values, STYLE_BOLD, 0);
          row->header = header;
          g_ptr_array_add (rows, row);
        }
    }

  if (cp_scoring_sheet_get_n_adjustments (sheet) > 0)
    {
      const char *empty[2] = { "", "" };

      row = score_row (self, &sl, C_("binder", "Additions and deductions"), "", empty, STYLE_BOLD,
                       ROW_SHADE | ROW_KEEP_WITH_NEXT);
      row->header = header;
      g_ptr_array_add (rows, row);

      for (guint a = 0; a < cp_scoring_sheet_get_n_adjustments (sheet); a++)
        {
          const CpScoringAdjustment *adjustment = cp_scoring_sheet_get_adjustment (sheet, a);
          const CpItemScore *score = cp_packet_get_score (self->packet, adjustment->id);
          g_autofree char *min = format_number (adjustment->min, -1);
          g_autofree char *max = format_number (adjustment->max, -1);
          g_autofree char *range = g_strdup_printf ("%s…%s", min, max);

          SET_VALUES (score_text (score, column));
          row = score_row (self, &sl, cp_text_get (adjustment->title), range,
                           (const char **) values, STYLE_SMALL, 0);
          row->header = header;
          g_ptr_array_add (rows, row);
        }
    }

  SET_VALUES (format_number (cp_score_summary_get_total (summary, column), -1));
  row = score_row (self, &sl, C_("binder", "Total"), total_text, (const char **) values, STYLE_H2,
                   ROW_SHADE);
  row->header = header;
  g_ptr_array_add (rows, row);

  /* The verdict: pass marks (Jiangsu) or the grade (Anhui), per column. */
  for (guint m = 0; m < cp_scoring_sheet_get_n_pass_marks (sheet); m++)
    {
      const CpScoringMark *mark = cp_scoring_sheet_get_pass_mark (sheet, m);
      g_autofree char *min = format_number (mark->min, -1);
      /* Translators: a pass mark of the scoring sheet, e.g. "Pass mark: city level". */
      g_autofree char *label = g_strdup_printf (_("Pass mark: %s"), cp_text_get (mark->label));

      SET_VALUES (g_strdup (cp_score_summary_meets_pass_mark (summary, column, mark->id) ?
                            /* Translators: the total reaches a pass mark. */
                            C_("binder", "Passed") :
                            /* Translators: the total does not reach a pass mark. */
                            C_("binder", "Not reached")));
      row = score_row (self, &sl, label, min, (const char **) values, STYLE_BOLD, 0);
      row->header = header;
      g_ptr_array_add (rows, row);
    }

  if (cp_scoring_sheet_get_n_grades (sheet) > 0)
    {
      SET_VALUES (g_strdup (cp_score_summary_get_grade (summary, column) != NULL ?
                            cp_score_summary_get_grade (summary, column) :
                            /* Translators: the score is below every grade band. */
                            C_("binder", "No grade")));
      row = score_row (self, &sl, C_("binder", "Grade"), "", (const char **) values, STYLE_BOLD, 0);
      row->header = header;
      g_ptr_array_add (rows, row);
    }

  /* The verdict in words, below the table. */
  for (guint c = 0; c < sl.n_columns; c++)
    {
      CpScoreColumn column = sl.columns[c];
      g_autofree char *value = format_number (cp_score_summary_get_total (summary, column), -1);
      g_autoptr(GString) line = g_string_new (NULL);
      guint n_items = cp_score_summary_get_n_items (summary);
      guint n_scored = cp_score_summary_get_n_scored (summary, column);

      if (column == CP_SCORE_SELF)
        /* Translators: "Self-assessment: 812 of 1000 points." */
        g_string_append_printf (line, _("Self-assessment: %s of %s points."), value, total_text);
      else
        g_string_append_printf (line, _("Acceptance: %s of %s points."), value, total_text);

      if (cp_scoring_sheet_get_n_grades (sheet) > 0)
        {
          const char *grade = cp_score_summary_get_grade (summary, column);
          const CpScoringMark *band = NULL;

          for (guint g = 0; grade != NULL && g < cp_scoring_sheet_get_n_grades (sheet); g++)
            if (g_str_equal (cp_scoring_sheet_get_grade (sheet, g)->id, grade))
              band = cp_scoring_sheet_get_grade (sheet, g);

          g_string_append_c (line, ' ');
          if (band != NULL)
            g_string_append_printf (line, _("Grade %s: %s."), band->id,
                                    cp_text_get (band->label));
          else
            g_string_append (line, _("The score is below every grade."));
        }

      for (guint m = 0; m < cp_scoring_sheet_get_n_pass_marks (sheet); m++)
        {
          const CpScoringMark *mark = cp_scoring_sheet_get_pass_mark (sheet, m);
          g_autofree char *min = format_number (mark->min, -1);

          g_string_append_c (line, ' ');
          if (cp_score_summary_meets_pass_mark (summary, column, mark->id))
            /* Translators: "Reaches the pass mark city level (700)." */
            g_string_append_printf (line, _("Reaches the pass mark %s (%s)."),
                                    cp_text_get (mark->label), min);
          else
            g_string_append_printf (line, _("Does not reach the pass mark %s (%s)."),
                                    cp_text_get (mark->label), min);
        }

      if (n_scored < n_items)
        {
          g_string_append_c (line, ' ');
          g_string_append_printf (line, _("%u of %u items are not scored yet."),
                                  n_items - n_scored, n_items);
        }

      add_text (self, rows, line->str, STYLE_BODY, 0, c == 0 ? 10 : 4);
    }

#undef SET_VALUES
  g_free (values[0]);
  g_free (values[1]);
}

static void
note_use (GHashTable *uses,
          const char *sha256,
          const char *place)
{
  GString *places;

  if (sha256 == NULL || *sha256 == '\0')
    return;

  places = g_hash_table_lookup (uses, sha256);
  if (places == NULL)
    {
      places = g_string_new (NULL);
      g_hash_table_insert (uses, g_strdup (sha256), places);
    }
  else if (strstr (places->str, place) != NULL)
    {
      return;
    }
  else
    {
      /* Translators: separates the places a file is used in the attachment list. */
      g_string_append (places, C_("binder", "; "));
    }
  g_string_append (places, place);
}

static void
note_field_uses (GHashTable    *uses,
                 const CpField *field,
                 JsonNode      *node,
                 const char    *place)
{
  if (node == NULL)
    return;

  if (field->type == CP_FIELD_ATTACHMENT)
    {
      g_autoptr(GPtrArray) hashes = cp_packet_get_file_hashes (node);

      for (guint i = 0; i < hashes->len; i++)
        note_use (uses, g_ptr_array_index (hashes, i), place);
    }
  else if (field->type == CP_FIELD_SIGNATURE && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      JsonNode *scan = json_object_get_member (object, "scan");

      if (scan != NULL && JSON_NODE_HOLDS_VALUE (scan) &&
          json_node_get_value_type (scan) == G_TYPE_STRING)
        note_use (uses, json_node_get_string (scan), place);
    }
  else if (field->type == CP_FIELD_GROUP && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!JSON_NODE_HOLDS_OBJECT (element))
            continue;
          for (guint f = 0; f < field->fields->len; f++)
            {
              const CpField *sub = g_ptr_array_index (field->fields, f);

              note_field_uses (uses, sub,
                               json_object_get_member (json_node_get_object (element), sub->id),
                               place);
            }
        }
    }
}

static void
string_free (gpointer string)
{
  g_string_free (string, TRUE);
}

/* sha256 → GString: where the packet uses each file ("Service contract › Scan"). */
static GHashTable *
collect_uses (CpBinder *self)
{
  GHashTable *uses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, string_free);
  GPtrArray *sections = cp_template_get_sections (self->kind);

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);
          g_autofree char *place = g_strdup_printf ("%s › %s", cp_text_get (section->title),
                                                    cp_text_get (field->label));

          note_field_uses (uses, field,
                           cp_packet_get_value (self->packet, section->id, field->id), place);
        }
    }

  if (self->sheet != NULL)
    {
      GPtrArray *items = cp_scoring_sheet_get_items (self->sheet);

      for (guint i = 0; i < items->len; i++)
        {
          const CpScoringItem *item = g_ptr_array_index (items, i);
          const CpItemScore *score = cp_packet_get_score (self->packet, item->id);
          g_autofree char *place = NULL;

          if (score == NULL || score->evidence == NULL)
            continue;
          /* Translators: where an evidence file is used: "Scoring sheet item 1.1.2". */
          place = g_strdup_printf (_("Scoring sheet item %s"), item->id);
          note_use (uses, score->evidence, place);
        }
    }

  return uses;
}

/* Every attachment of the manifest with its size, SHA-256 and where the packet uses it. */
static void
add_attachment_list (CpBinder    *self,
                     GPtrArray *rows)
{
  GPtrArray *attachments = cp_packet_get_attachments (self->packet);
  const double number_width = 24;
  const double size_width = 86;
  const double name_width = BODY_WIDTH - number_width - size_width;
  g_autoptr(GHashTable) uses = collect_uses (self);
  Row *header;

  add_heading (self, rows, C_("binder", "Attachment list"));

  if (attachments->len == 0)
    {
      add_text (self, rows, _("The packet has no attachments."), STYLE_BODY, 0, 0);
      return;
    }

  header = row_new (self, ROW_GRID | ROW_SHADE | ROW_KEEP_WITH_NEXT);
  row_add (self, header, 0, number_width, "#", STYLE_BOLD, PANGO_ALIGN_CENTER);
  row_add (self, header, number_width, name_width, _("File and SHA-256"), STYLE_BOLD,
           PANGO_ALIGN_LEFT);
  row_add (self, header, number_width + name_width, size_width, C_("binder", "Size"), STYLE_BOLD,
           PANGO_ALIGN_RIGHT);
  g_ptr_array_add (rows, header);

  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *size = g_format_size (attachment->size);
      g_autofree char *bytes = format_number ((double) attachment->size, 0);
      /* Translators: an exact file size under the rounded one: "1,234,567 bytes". */
      g_autofree char *size_text = g_strdup_printf (_("%s\n%s bytes"), size, bytes);
      g_autofree char *text = NULL;
      PangoAttrList *attrs = pango_attr_list_new ();
      PangoAttribute *attr;
      gsize start;
      Row *row = row_new (self, ROW_GRID);

      if (attachment->mime != NULL && *attachment->mime != '\0')
        text = g_strdup_printf ("%s (%s)\n", attachment->name, attachment->mime);
      else
        text = g_strdup_printf ("%s\n", attachment->name);
      start = strlen (text);
      {
        char *full = g_strconcat (text, attachment->sha256, NULL);

        g_free (text);
        text = full;
      }
      attr = pango_attr_font_desc_new (self->fonts[STYLE_MONO]);
      attr->start_index = start;
      attr->end_index = strlen (text);
      pango_attr_list_insert (attrs, attr);

      {
        GString *places = g_hash_table_lookup (uses, attachment->sha256);
        g_autofree char *line = NULL;
        char *full;

        if (places != NULL)
          /* Translators: under a file in the attachment list: the materials it belongs to. */
          line = g_strdup_printf (_("Used in: %s"), places->str);
        else
          line = g_strdup (_("Not used by any field of the packet."));

        start = strlen (text);
        full = g_strconcat (text, "\n", line, NULL);
        g_free (text);
        text = full;

        attr = pango_attr_font_desc_new (self->fonts[STYLE_SMALL]);
        attr->start_index = start;
        attr->end_index = strlen (text);
        pango_attr_list_insert (attrs, attr);
        attr = pango_attr_foreground_new (0x4400, 0x4800, 0x5000);
        attr->start_index = start;
        attr->end_index = strlen (text);
        pango_attr_list_insert (attrs, attr);
      }

      row->header = header;
      row_add (self, row, 0, number_width, number, STYLE_BODY, PANGO_ALIGN_CENTER);
      row_add_layout (row, number_width, name_width,
                      make_layout (self, text, STYLE_BODY, name_width, PANGO_ALIGN_LEFT, attrs));
      row_add (self, row, number_width + name_width, size_width, size_text, STYLE_SMALL,
               PANGO_ALIGN_RIGHT);
      pango_attr_list_unref (attrs);
      g_ptr_array_add (rows, row);
    }
}

/* Attachments ------------------------------------------------------------------------------ */

static BinderFile *
note_file (CpBinder        *self,
           const char      *sha256,
           const char      *label,
           const char      *place,
           const CpSection *section,
           gboolean         evidence)
{
  BinderFile *file;

  if (sha256 == NULL || !cp_sha256_is_valid (sha256) ||
      g_hash_table_contains (self->files_by_hash, sha256))
    return NULL;

  file = g_new0 (BinderFile, 1);
  file->sha256 = g_strdup (sha256);
  file->attachment = cp_packet_find_attachment (self->packet, sha256);
  file->label = g_strdup (label);
  file->place = g_strdup (place);
  file->section = section;
  file->evidence = evidence;
  file->what = CP_BINDER_FILE_NOT_BOUND;
  file->toc_index = -1;
  file->merged_first = -1;
  if (self->files_dir != NULL)
    file->path = g_build_filename (self->files_dir, sha256, NULL);
  g_ptr_array_add (self->files, file);
  g_hash_table_insert (self->files_by_hash, file->sha256, file);
  return file;
}

static void
collect_field_files (CpBinder        *self,
                     const CpSection *section,
                     const CpField   *field,
                     JsonNode        *node,
                     const char      *label)
{
  g_autofree char *place = NULL;

  if (node == NULL)
    return;

  place = g_strdup_printf ("%s › %s", cp_text_get (section->title), label);

  switch (field->type)
    {
    case CP_FIELD_ATTACHMENT:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        note_file (self, json_node_get_string (node), label, place, section, FALSE);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (element) &&
                  json_node_get_value_type (element) == G_TYPE_STRING)
                note_file (self, json_node_get_string (element), label, place, section, FALSE);
            }
        }
      break;

    case CP_FIELD_SIGNATURE:
      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonNode *scan = json_object_get_member (json_node_get_object (node), "scan");

          if (scan != NULL && JSON_NODE_HOLDS_VALUE (scan) &&
              json_node_get_value_type (scan) == G_TYPE_STRING)
            note_file (self, json_node_get_string (scan), label, place, section, FALSE);
        }
      break;

    case CP_FIELD_GROUP:
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (!JSON_NODE_HOLDS_OBJECT (element))
                continue;
              for (guint f = 0; f < field->fields->len; f++)
                {
                  const CpField *sub = g_ptr_array_index (field->fields, f);
                  g_autofree char *sub_label = g_strdup_printf ("%s %u › %s", label, i + 1,
                                                                cp_text_get (sub->label));

                  collect_field_files (self, section, sub,
                                       json_object_get_member (json_node_get_object (element),
                                                               sub->id),
                                       sub_label);
                }
            }
        }
      break;

    case CP_FIELD_TEXT:
    case CP_FIELD_MULTILINE:
    case CP_FIELD_NUMBER:
    case CP_FIELD_INTEGER:
    case CP_FIELD_MONEY:
    case CP_FIELD_DATE:
    case CP_FIELD_TIME:
    case CP_FIELD_CHOICE:
    case CP_FIELD_BOOLEAN:
    case CP_FIELD_USCC:
    case CP_FIELD_PHONE:
    case CP_FIELD_EMAIL:
    case CP_FIELD_URL:
    case CP_FIELD_POSTCODE:
    default:
      break;
    }
}

/* Every attachment in binder order: each section's files where its fields name them, then the
 * scoring evidence, then the files of the manifest that no field uses. */
static void
collect_files (CpBinder *self)
{
  GPtrArray *sections = cp_template_get_sections (self->kind);
  GPtrArray *attachments = cp_packet_get_attachments (self->packet);

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      if (section->generated)
        continue;
      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);

          collect_field_files (self, section, field,
                               cp_packet_get_value (self->packet, section->id, field->id),
                               cp_text_get (field->label));
        }
    }

  if (self->sheet != NULL)
    {
      GPtrArray *items = cp_scoring_sheet_get_items (self->sheet);

      for (guint i = 0; i < items->len; i++)
        {
          const CpScoringItem *item = g_ptr_array_index (items, i);
          const CpItemScore *score = cp_packet_get_score (self->packet, item->id);
          g_autofree char *label = NULL;
          g_autofree char *place = NULL;

          if (score == NULL || score->evidence == NULL)
            continue;
          /* Translators: where an evidence file is used: "Scoring sheet item 1.1.2". */
          label = g_strdup_printf (_("Scoring sheet item %s"), item->id);
          place = g_strdup_printf ("%s › %s",
                                   cp_text_get (cp_scoring_sheet_get_title (self->sheet)), label);
          note_file (self, score->evidence, label, place, NULL, TRUE);
        }
    }

  for (guint i = 0; i < attachments->len; i++)
    {
      const CpAttachment *attachment = g_ptr_array_index (attachments, i);

      note_file (self, attachment->sha256, NULL, NULL, NULL, FALSE);
    }
}

static const char *
file_name (const BinderFile *file)
{
  return file->attachment != NULL ? file->attachment->name : file->sha256;
}

static const char *
file_mime (const BinderFile *file)
{
  return file->attachment != NULL && file->attachment->mime != NULL ? file->attachment->mime : "";
}

typedef enum
{
  SNIFF_UNKNOWN,
  SNIFF_PDF,
  SNIFF_JPEG,
  SNIFF_PNG,
} Sniff;

static Sniff
sniff (const guchar *head,
       gsize         length)
{
  static const guchar png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (length >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
    return SNIFF_JPEG;
  if (length >= sizeof png && memcmp (head, png, sizeof png) == 0)
    return SNIFF_PNG;
  /* A PDF may have a little junk before its header (the reference allows 1024 bytes). */
  for (gsize i = 0; i + 5 <= length; i++)
    if (memcmp (head + i, "%PDF-", 5) == 0)
      return SNIFF_PDF;
  return SNIFF_UNKNOWN;
}

/* Images are read with the loader of the type their contents showed (not by guessing it again
 * from the name: GIO's guess keeps the whole MIME database for the life of the process). */
typedef struct
{
  int width;       /* the image's own size */
  int height;
  int max_width;   /* decode within this box, aspect kept; 0 for the full size */
  int max_height;
} ImageSize;

static void
size_prepared_cb (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  ImageSize *size = user_data;

  size->width = width;
  size->height = height;
  if (size->max_width > 0 && size->max_height > 0 && width > 0 && height > 0)
    {
      double scale = MIN (1.0, MIN ((double) size->max_width / width,
                                    (double) size->max_height / height));

      gdk_pixbuf_loader_set_size (loader, MAX (1, (int) (width * scale + 0.5)),
                                  MAX (1, (int) (height * scale + 0.5)));
    }
}

/* The image at @path, decoded to fit @size's box; with @size_only, only its size is read (and
 * NULL returned). NULL, and a size of 0, when it cannot be read. */
static GdkPixbuf *
load_image (const char *path,
            gboolean    jpeg,
            gboolean    size_only,
            ImageSize  *size)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autofree guchar *buffer = NULL;
  GdkPixbuf *pixbuf = NULL;
  gboolean ok = TRUE;
  int fd;

  size->width = 0;
  size->height = 0;
  loader = gdk_pixbuf_loader_new_with_type (jpeg ? "jpeg" : "png", NULL);
  if (loader == NULL)
    return NULL;
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), size);

  fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  buffer = g_malloc (64 * 1024);
  for (;;)
    {
      ssize_t n = read (fd, buffer, 64 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          ok = n == 0;
          break;
        }
      if (!gdk_pixbuf_loader_write (loader, buffer, (gsize) n, NULL))
        {
          ok = FALSE;
          break;
        }
      if (size_only && size->width > 0)
        break;
    }
  close (fd);

  /* Closing early (only the size was wanted) is an error for the loader, not for us. */
  if (!gdk_pixbuf_loader_close (loader, NULL) && !size_only)
    ok = FALSE;
  if (!ok || size_only)
    {
      if (!ok)
        size->width = size->height = 0;
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  return pixbuf != NULL ? g_object_ref (pixbuf) : NULL;
}

static void
set_file_problem (BinderFile   *file,
                  CpBinderFile  what,
                  const char   *reason)
{
  file->what = what;
  g_free (file->reason);
  file->reason = g_strdup (reason);
  file->n_pages = 0;
}

/* What a reader calls the types attachments come in; other types by their MIME name. (GIO's
 * descriptions would load the whole shared-mime-info database for the life of the process.) */
static const char *
describe_type (const char *mime)
{
  static const struct
  {
    const char *mime;
    const char *description;
  } types[] = {
    { "application/msword", N_("Word document") },
    { "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      N_("Word document") },
    { "application/vnd.ms-excel", N_("Excel workbook") },
    { "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      N_("Excel workbook") },
    { "application/vnd.ms-powerpoint", N_("PowerPoint presentation") },
    { "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      N_("PowerPoint presentation") },
    { "application/vnd.oasis.opendocument.text", N_("OpenDocument text") },
    { "application/vnd.oasis.opendocument.spreadsheet", N_("OpenDocument spreadsheet") },
    { "application/zip", N_("ZIP archive") },
    { "text/plain", N_("plain text") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    if (g_str_equal (mime, types[i].mime))
      return _(types[i].description);
  return *mime != '\0' ? mime : _("unknown type");
}

/* Looks at one attachment: is it there, is it what its SHA-256 says, what is it, how many pages.
 * FALSE only when cancelled. */
static gboolean
probe_file (CpBinder      *self,
            BinderFile    *file,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (256 * 1024);
  guchar head[1024];
  gsize head_length = 0;
  const char *mime = file_mime (file);
  struct stat st;
  Sniff type;
  int fd;

  fd = g_open (file->path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        set_file_problem (file, CP_BINDER_FILE_MISSING, NULL);
      else
        set_file_problem (file, CP_BINDER_FILE_DAMAGED, g_strerror (errsv));
      return TRUE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      set_file_problem (file, CP_BINDER_FILE_DAMAGED, _("It is not a file."));
      return TRUE;
    }

  for (;;)
    {
      ssize_t n = read (fd, buffer, 256 * 1024);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int errsv = errno;

          close (fd);
          set_file_problem (file, CP_BINDER_FILE_DAMAGED, g_strerror (errsv));
          return TRUE;
        }
      if (n == 0)
        break;
      if (head_length < sizeof head)
        {
          gsize take = MIN ((gsize) n, sizeof head - head_length);

          memcpy (head + head_length, buffer, take);
          head_length += take;
        }
      g_checksum_update (checksum, buffer, n);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return FALSE;
        }
    }
  close (fd);

  if (!g_str_equal (g_checksum_get_string (checksum), file->sha256))
    {
      set_file_problem (file, CP_BINDER_FILE_DAMAGED,
                        _("Its contents do not match its SHA-256: the file was changed or "
                          "damaged after it was attached."));
      return TRUE;
    }

  type = sniff (head, head_length);
  if (type == SNIFF_UNKNOWN)
    {
      if (g_str_equal (mime, "application/pdf") || g_str_equal (mime, "image/jpeg") ||
          g_str_equal (mime, "image/png"))
        {
          set_file_problem (file, CP_BINDER_FILE_DAMAGED,
                            _("It is not a PDF, JPEG or PNG file, although its type says so."));
        }
      else
        {
          g_autofree char *reason =
            /* Translators: %s is a kind of file, e.g. "Word document". */
            g_strdup_printf (_("Not bound in: the binder cannot show a file of this type (%s). "
                               "It goes with the packet as a file."),
                             describe_type (mime));

          set_file_problem (file, CP_BINDER_FILE_OTHER, reason);
        }
      return TRUE;
    }

  if (type == SNIFF_PDF)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GObject) doc = NULL;
      const CpFormats *formats = cp_formats_get (error);

      /* Without the formats module no PDF can be bound in: the binder is not made, rather than
       * made without the attachments' pages. */
      if (formats == NULL)
        return FALSE;
      doc = formats->pdf_open_file (file->path, &local_error);
      if (doc == NULL)
        {
          if (g_error_matches (local_error, CP_FORMATS_ERROR, CP_FORMATS_ERROR_ENCRYPTED))
            set_file_problem (file, CP_BINDER_FILE_ENCRYPTED, NULL);
          else
            set_file_problem (file, CP_BINDER_FILE_DAMAGED,
                              _("The PDF is damaged and cannot be read."));
          return TRUE;
        }
      file->n_pages = (guint) MAX (formats->pdf_get_n_pages (doc), 0);
      if (file->n_pages == 0)
        {
          set_file_problem (file, CP_BINDER_FILE_DAMAGED, _("The PDF has no pages."));
          return TRUE;
        }
      file->what = CP_BINDER_FILE_PDF;
      return TRUE;
    }

  /* JPEG or PNG. */
  {
    ImageSize size = { 0, 0, 0, 0 };

    load_image (file->path, type == SNIFF_JPEG, TRUE, &size);
    file->width = size.width;
    file->height = size.height;
  }
  if (file->width <= 0 || file->height <= 0)
    {
      set_file_problem (file, CP_BINDER_FILE_DAMAGED,
                        _("The image is damaged and cannot be read."));
      return TRUE;
    }
  if ((double) file->width * file->height > IMAGE_MAX_PIXELS)
    {
      g_autofree char *reason =
        g_strdup_printf (_("Not bound in: the image is too large to show (%d × %d pixels). It "
                           "goes with the packet as a file."), file->width, file->height);

      set_file_problem (file, CP_BINDER_FILE_OTHER, reason);
      return TRUE;
    }
  file->jpeg = type == SNIFF_JPEG;
  file->what = CP_BINDER_FILE_IMAGE;
  file->n_pages = 1;
  return TRUE;
}

/* Poppler tags the JPEG data of each image it draws for printing with an id made of the image's
 * object and generation number ("poppler-surface-0-12"), and cairo's PDF surface takes two
 * images with the same id for one image, written once. Two attachments from the same scanner
 * software number their objects alike, so the second scan would silently show the first. Every
 * PDF attachment is therefore copied (qpdf, its pages as they are, nothing decoded) into one
 * document, where each object has a number of its own, and drawn from there. */
static void
merge_pdfs (CpBinder *self)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_path = NULL;
  const CpFormats *formats = cp_formats_get (NULL);
  GObject *doc = NULL;
  guint total = 0;
  int status;
  int fd;

  g_ptr_array_add (argv, (gpointer) "qpdf");
  g_ptr_array_add (argv, (gpointer) "--empty");
  g_ptr_array_add (argv, (gpointer) "--decode-level=none");
  g_ptr_array_add (argv, (gpointer) "--no-warn");
  g_ptr_array_add (argv, (gpointer) "--pages");
  for (guint i = 0; i < self->files->len; i++)
    {
      BinderFile *file = g_ptr_array_index (self->files, i);

      if (file->what != CP_BINDER_FILE_PDF)
        continue;
      g_ptr_array_add (argv, file->path);
      total += file->n_pages;
    }
  /* (probe_file() has loaded the formats module for the first PDF.) */
  if (total == 0 || formats == NULL)
    return;

  fd = g_file_open_tmp ("credit-packet-binder-XXXXXX.pdf", &tmp_path, &error);
  if (fd < 0)
    {
      g_debug ("No room to merge the PDF attachments: %s", error->message);
      return;
    }
  close (fd);
  g_ptr_array_add (argv, (gpointer) "--");
  g_ptr_array_add (argv, tmp_path);
  g_ptr_array_add (argv, NULL);

  status = formats->pdf_run_qpdf ((const char * const *) argv->pdata);

  /* 0: done; 3: done with warnings (a file it had to repair). */
  fd = status == 0 || status == 3 ? g_open (tmp_path, O_RDONLY | O_CLOEXEC, 0) : -1;
  g_unlink (tmp_path);
  if (fd >= 0)
    {
      int doc_fd = dup (fd);

      if (doc_fd >= 0)
        doc = formats->pdf_open_fd (doc_fd, NULL);
    }
  if (doc == NULL || formats->pdf_get_n_pages (doc) != (int) total)
    {
      /* Each PDF is then drawn from its own document, without the ids. */
      g_debug ("Could not merge the PDF attachments (qpdf status %d)", status);
      g_clear_object (&doc);
      if (fd >= 0)
        close (fd);
      return;
    }
  g_object_unref (doc);

  self->merged_fd = fd;
  total = 0;
  for (guint i = 0; i < self->files->len; i++)
    {
      BinderFile *file = g_ptr_array_index (self->files, i);

      if (file->what != CP_BINDER_FILE_PDF)
        continue;
      file->merged_first = (int) total;
      total += file->n_pages;
    }
}

/* "Field: name" for the table of contents. */
static char *
file_entry_title (const BinderFile *file)
{
  if (file->label != NULL)
    /* Translators: a table-of-contents entry for an attachment: the field, the file name. */
    return g_strdup_printf (C_("binder", "%s: %s"), file->label, file_name (file));
  return g_strdup (file_name (file));
}

static char *
file_note (const BinderFile *file)
{
  switch (file->what)
    {
    case CP_BINDER_FILE_PDF:
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "PDF, %u page", "PDF, %u pages",
                                           file->n_pages), file->n_pages);
    case CP_BINDER_FILE_IMAGE:
      return g_strdup_printf (file->jpeg ? _("JPEG image, %d × %d pixels")
                                         : _("PNG image, %d × %d pixels"),
                              file->width, file->height);
    case CP_BINDER_FILE_OTHER:
      return g_strdup (file->reason);
    case CP_BINDER_FILE_MISSING:
      return g_strdup (_("Missing from the attachments: see the notice page."));
    case CP_BINDER_FILE_DAMAGED:
      return g_strdup (_("Damaged: see the notice page."));
    case CP_BINDER_FILE_ENCRYPTED:
      return g_strdup (_("Protected by a password: see the notice page."));
    case CP_BINDER_FILE_NOT_BOUND:
    default:
      return g_strdup ("");
    }
}

/* The page range printed for a file; with four-digit numbers it is the widest the cell gets. */
static char *
file_pages_text (guint first,
                 guint n)
{
  if (first == 0)
    return g_strdup ("—");
  if (n <= 1)
    /* Translators: where an attachment is in the binder: "p. 12". */
    return g_strdup_printf (C_("binder", "p. %u"), first);
  /* Translators: where an attachment is in the binder: "pp. 12–15". */
  return g_strdup_printf (C_("binder", "pp. %u–%u"), first, first + n - 1);
}

/* The files of a section as a small table: each with its type, or why it is not shown, and its
 * pages in the binder. A file that has no page of its own gets its table-of-contents entry
 * here. */
static void
add_files_table (CpBinder  *self,
                 GPtrArray *rows,
                 GPtrArray *files,
                 int        level)
{
  const double number_width = 22;
  const double pages_width = 74;
  const double note_width = 170;
  const double name_width = BODY_WIDTH - number_width - pages_width - note_width;
  g_autofree char *widest = file_pages_text (8888, 2);
  Row *header;

  add_text (self, rows, C_("binder", "Attachments"), STYLE_BOLD, ROW_KEEP_WITH_NEXT, 12);

  header = row_new (self, ROW_GRID | ROW_SHADE | ROW_KEEP_WITH_NEXT);
  row_add (self, header, 0, number_width, "#", STYLE_SMALL_BOLD, PANGO_ALIGN_CENTER);
  row_add (self, header, number_width, name_width, C_("binder", "File"), STYLE_SMALL_BOLD,
           PANGO_ALIGN_LEFT);
  row_add (self, header, number_width + name_width, note_width, C_("binder", "In this binder"),
           STYLE_SMALL_BOLD, PANGO_ALIGN_LEFT);
  row_add (self, header, BODY_WIDTH - pages_width, pages_width, C_("binder", "Pages"),
           STYLE_SMALL_BOLD, PANGO_ALIGN_RIGHT);
  g_ptr_array_add (rows, header);

  for (guint i = 0; i < files->len; i++)
    {
      BinderFile *file = g_ptr_array_index (files, i);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *size = file->attachment != NULL ? g_format_size (file->attachment->size)
                                                       : g_strdup ("—");
      g_autofree char *name = NULL;
      g_autofree char *note = file_note (file);
      Row *row = row_new (self, ROW_GRID);

      if (file->label != NULL)
        name = g_strdup_printf ("%s\n%s · %s", file->label, file_name (file), size);
      else
        name = g_strdup_printf ("%s · %s", file_name (file), size);

      row->header = header;
      row_add (self, row, 0, number_width, number, STYLE_SMALL, PANGO_ALIGN_CENTER);
      row_add (self, row, number_width, name_width, name, STYLE_SMALL, PANGO_ALIGN_LEFT);
      row_add (self, row, number_width + name_width, note_width, note, STYLE_SMALL,
               PANGO_ALIGN_LEFT);
      /* A placeholder as wide as any page range, filled in after pagination. */
      row_add (self, row, BODY_WIDTH - pages_width, pages_width, widest, STYLE_SMALL,
               PANGO_ALIGN_RIGHT);
      file->pages_row = row;
      g_ptr_array_add (rows, row);

      if (file->what == CP_BINDER_FILE_OTHER)
        {
          g_autofree char *title = file_entry_title (file);
          /* Translators: a table-of-contents entry for a file that has no pages in the binder. */
          g_autofree char *entry = g_strdup_printf (_("%s (not bound in)"), title);

          file->toc_index = add_toc_entry (self, entry, row);
          ((TocEntry *) g_ptr_array_index (self->toc, file->toc_index))->level = level;
        }
    }
}

/* The page that stands in for a file that is missing, damaged or protected by a password. */
static Row *
add_notice (CpBinder   *self,
            GPtrArray  *rows,
            BinderFile *file)
{
  g_autofree char *title = NULL;
  g_autofree char *size = NULL;
  const char *headline;
  const char *advice;
  Row *heading;
  Row *row;

  switch (file->what)
    {
    case CP_BINDER_FILE_MISSING:
      headline = _("This attachment is missing.");
      advice = _("The file is not among the attachments the binder was made from. Sync the "
                 "packet or ask whoever attached it for the file, then make the binder again.");
      break;
    case CP_BINDER_FILE_ENCRYPTED:
      headline = _("This attachment is protected by a password.");
      advice = _("Its pages cannot be bound in. Ask whoever attached it for a copy without a "
                 "password, attach it instead, then make the binder again.");
      break;
    case CP_BINDER_FILE_DAMAGED:
    case CP_BINDER_FILE_PDF:
    case CP_BINDER_FILE_IMAGE:
    case CP_BINDER_FILE_OTHER:
    case CP_BINDER_FILE_NOT_BOUND:
    default:
      headline = _("This attachment is damaged and cannot be shown.");
      advice = _("Ask whoever attached it for a new copy, attach it instead, then make the "
                 "binder again.");
      break;
    }

  /* Translators: the heading of the page that stands in for an unreadable attachment. */
  title = g_strdup_printf (_("Attachment: %s"), file_name (file));
  heading = add_text (self, rows, title, STYLE_H2,
                      ROW_NEW_PAGE | ROW_KEEP_WITH_NEXT | ROW_RULE_HEAVY, 0);
  add_spacer (self, rows, 14);
  row = add_text (self, rows, headline, STYLE_H2, ROW_SHADE, 0);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  if (file->reason != NULL)
    add_text (self, rows, file->reason, STYLE_BODY, 0, 8);
  add_spacer (self, rows, 8);

  size = file->attachment != NULL ? g_format_size (file->attachment->size) : g_strdup ("—");
  if (file->place != NULL)
    add_pair (self, rows, C_("binder", "Used in"), file->place);
  add_pair (self, rows, C_("binder", "File"), file_name (file));
  add_pair (self, rows, C_("binder", "Type"), *file_mime (file) != '\0' ? file_mime (file) : "—");
  add_pair (self, rows, C_("binder", "Size"), size);
  add_pair_layout (self, rows, "SHA-256",
                   make_layout (self, file->sha256, STYLE_MONO, BODY_WIDTH - LABEL_WIDTH,
                                PANGO_ALIGN_LEFT, NULL));
  add_text (self, rows, advice, STYLE_BODY, 0, 12);

  return heading;
}

/* The pages of one file, or its notice, with its table-of-contents entry. */
static void
add_file_pages (CpBinder   *self,
                GPtrArray  *rows,
                BinderFile *file,
                int         level)
{
  g_autofree char *title = file_entry_title (file);
  Row *row;

  switch (file->what)
    {
    case CP_BINDER_FILE_PDF:
    case CP_BINDER_FILE_IMAGE:
      row = row_new (self, ROW_FILE_PAGES);
      row->file = file;
      g_ptr_array_add (rows, row);
      break;
    case CP_BINDER_FILE_MISSING:
    case CP_BINDER_FILE_DAMAGED:
    case CP_BINDER_FILE_ENCRYPTED:
      row = add_notice (self, rows, file);
      break;
    case CP_BINDER_FILE_OTHER:
    case CP_BINDER_FILE_NOT_BOUND:
    default:
      return;
    }

  file->toc_index = add_toc_entry (self, title, row);
  ((TocEntry *) g_ptr_array_index (self->toc, file->toc_index))->level = level;
}

/* The files bound in after a section (or the scoring sheet): the table, then their pages. */
static void
add_files (CpBinder        *self,
           GPtrArray       *rows,
           const CpSection *section,
           gboolean         evidence,
           int              level)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new ();

  if (self->flags & CP_BINDER_FLAGS_FORMS_ONLY)
    return;

  for (guint i = 0; i < self->files->len; i++)
    {
      BinderFile *file = g_ptr_array_index (self->files, i);

      if (file->section == section && file->evidence == evidence)
        g_ptr_array_add (files, file);
    }
  if (files->len == 0)
    return;

  add_files_table (self, rows, files, level);
  for (guint i = 0; i < files->len; i++)
    add_file_pages (self, rows, g_ptr_array_index (files, i), level);
}

/* The whole document ----------------------------------------------------------------------- */

static void
build_document (CpBinder       *self,
                CpScoringSheet *sheet)
{
  GPtrArray *sections = cp_template_get_sections (self->kind);
  g_autoptr(GPtrArray) cover_rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) toc_rows = g_ptr_array_new ();
  const CpSection *cover = NULL;
  const CpSection *toc_section = NULL;
  const CpScoringRef *scoring;
  TocEntry *toc_entry;
  Row *toc_heading;
  int toc_index;

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      if (cover == NULL && is_cover_section (section))
        cover = section;
      else if (toc_section == NULL && section->generated)
        toc_section = section;
    }

  add_cover (self, cover_rows, cover);
  for (guint i = 0; i < cover_rows->len; i++)
    ((Row *) g_ptr_array_index (cover_rows, i))->flags |= ROW_COVER;

  /* The table of contents lists itself; its entry is reserved now so that the entries stay in
   * binder order. */
  toc_entry = g_new0 (TocEntry, 1);
  toc_entry->title = g_strdup (toc_section != NULL ? cp_text_get (toc_section->title)
                                                   : C_("binder", "Table of contents"));
  toc_entry->page = -1;
  g_ptr_array_add (self->toc, toc_entry);
  toc_index = self->toc->len - 1;

  /* The cover's own files (rare) are bound in after the table of contents. */
  add_files (self, self->body_rows, cover, FALSE, 1);

  /* The scoring sheet follows the section it belongs to (the reviewer's signature), or the
   * last section; each section's attachments follow its form pages, the evidence follows the
   * sheet. */
  scoring = cp_template_get_scoring (self->kind);
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      if (section == cover || section->generated)
        continue;
      add_section (self, self->body_rows, section);
      add_files (self, self->body_rows, section, FALSE, 1);
      if (sheet != NULL && scoring != NULL && scoring->section == section)
        {
          add_scoring (self, self->body_rows, sheet);
          ((TocEntry *) g_ptr_array_index (self->toc, self->toc->len - 1))->level = 1;
          add_files (self, self->body_rows, NULL, TRUE, 2);
          sheet = NULL;
        }
    }

  if (sheet != NULL)
    {
      add_scoring (self, self->body_rows, sheet);
      add_files (self, self->body_rows, NULL, TRUE, 1);
    }
  add_attachment_list (self, self->body_rows);

  /* The files of the manifest that no field uses. */
  if (!(self->flags & CP_BINDER_FLAGS_FORMS_ONLY))
    {
      gboolean any = FALSE;

      for (guint i = 0; i < self->files->len && !any; i++)
        {
          BinderFile *file = g_ptr_array_index (self->files, i);

          any = file->section == NULL && !file->evidence;
        }
      if (any)
        {
          add_heading (self, self->body_rows, C_("binder", "Other attachments"));
          add_text (self, self->body_rows,
                    _("Files in the packet's attachment list that no field uses."),
                    STYLE_BODY, 0, 0);
          add_files (self, self->body_rows, NULL, FALSE, 1);
        }
    }

  toc_heading = add_text (self, toc_rows, toc_entry->title, STYLE_H1,
                          ROW_NEW_PAGE | ROW_KEEP_WITH_NEXT | ROW_RULE_HEAVY, 0);
  toc_heading->anchor = toc_index;
  add_spacer (self, toc_rows, 10);
  for (guint i = 0; i < self->toc->len; i++)
    {
      TocEntry *entry = g_ptr_array_index (self->toc, i);
      Row *row = row_new (self, ROW_LEADER);
      double indent = entry->level * 16.0;

      row_add (self, row, indent, BODY_WIDTH - TOC_NUMBER_WIDTH - indent, entry->title,
               STYLE_BODY, PANGO_ALIGN_LEFT);
      /* A placeholder until the body is paginated; a number never changes the height. */
      row_add (self, row, BODY_WIDTH - TOC_NUMBER_WIDTH, TOC_NUMBER_WIDTH, "0000", STYLE_BODY,
               PANGO_ALIGN_RIGHT);
      row->space_before = 4;
      entry->number_row = row;
      g_ptr_array_add (toc_rows, row);
    }

  g_ptr_array_extend (self->rows, cover_rows, NULL, NULL);
  g_ptr_array_extend (self->rows, toc_rows, NULL, NULL);
  g_ptr_array_extend (self->rows, self->body_rows, NULL, NULL);
}

/* Drawing the pages of files --------------------------------------------------------------- */

static void
file_box (double *x,
          double *y,
          double *width,
          double *height)
{
  *x = FILE_MARGIN_X;
  *y = FILE_TOP + FILE_CAPTION;
  *width = PAGE_WIDTH - 2 * FILE_MARGIN_X;
  *height = FILE_BOTTOM - *y;
}

static void
draw_caption (CpBinder   *self,
              const char *text)
{
  cairo_t *cr = self->cr;
  g_autoptr(PangoLayout) layout = make_layout (self, text, STYLE_SMALL_BOLD,
                                               PAGE_WIDTH - 2 * FILE_MARGIN_X + 2 * PAD_X,
                                               PANGO_ALIGN_LEFT, NULL);

  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.15, 0.17, 0.2);
  cairo_move_to (cr, FILE_MARGIN_X, FILE_TOP + 1);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/* Something went wrong between paginating and drawing (the file changed): say so in the box. */
static void
draw_box_problem (CpBinder   *self,
                  const char *text)
{
  cairo_t *cr = self->cr;
  double x, y, width, height;
  g_autoptr(PangoLayout) layout = NULL;

  file_box (&x, &y, &width, &height);
  layout = make_layout (self, text, STYLE_H2, width, PANGO_ALIGN_CENTER, NULL);
  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.6, 0.1, 0.1);
  cairo_move_to (cr, x + PAD_X, y + height / 3);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

static void
draw_frame (CpBinder *self,
            double    x,
            double    y,
            double    width,
            double    height)
{
  cairo_t *cr = self->cr;

  cairo_save (cr);
  cairo_set_source_rgb (cr, 0.7, 0.72, 0.75);
  cairo_set_line_width (cr, 0.5);
  cairo_rectangle (cr, x - 0.25, y - 0.25, width + 0.5, height + 0.5);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static GObject *
open_document (CpBinder        *self,
               const CpFormats *formats,
               BinderFile      *file)
{

  if (self->open_file == file)
    return self->doc;

  g_clear_object (&self->doc);
  self->open_file = file;
  if (file->merged_first >= 0)
    {
      int fd = dup (self->merged_fd);

      /* Poppler takes the descriptor; pread leaves the shared offset alone. */
      if (fd >= 0)
        self->doc = formats->pdf_open_fd (fd, NULL);
      return self->doc;
    }
  self->doc = formats->pdf_open_file (file->path, NULL);
  return self->doc;
}

static void
draw_pdf_page (CpBinder *self,
               Page     *page)
{
  cairo_t *cr = self->cr;
  BinderFile *file = page->file;
  /* Only a paginated binder draws, and it has loaded the module for its first PDF. */
  const CpFormats *formats = cp_formats_get (NULL);
  GObject *doc = formats != NULL ? open_document (self, formats, file) : NULL;
  GObject *source = NULL;
  g_autofree char *caption = NULL;
  double x, y, box_width, box_height;
  double width, height, scale;

  if (file->place != NULL)
    /* Translators: the caption above an attachment's page: where it is used, the file name, the
     * page of the file. */
    caption = g_strdup_printf (_("%s — %s, page %u of %u"), file->place, file_name (file),
                               page->file_page + 1, file->n_pages);
  else
    caption = g_strdup_printf (_("%s, page %u of %u"), file_name (file), page->file_page + 1,
                               file->n_pages);
  draw_caption (self, caption);

  if (doc != NULL)
    source = formats->pdf_get_page (doc, (int) page->file_page + MAX (file->merged_first, 0));
  if (source != NULL)
    formats->pdf_page_get_size (source, &width, &height);
  if (source == NULL || width <= 0 || height <= 0)
    {
      g_clear_object (&source);
      draw_box_problem (self, _("This page could not be read from the file."));
      return;
    }

  file_box (&x, &y, &box_width, &box_height);
  scale = MIN (box_width / width, box_height / height);
  x += (box_width - width * scale) / 2;

  cairo_save (cr);
  cairo_rectangle (cr, x, y, width * scale, height * scale);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, scale, scale);
  /* As vectors: text stays text, a scan keeps its JPEG data. That data comes with an id made
   * of the image's object number, which cairo takes for the image itself; only pages of the
   * one merged document may carry such ids. A PDF drawn from its own document is drawn the
   * way poppler draws for the screen, without them (its images are compressed again). */
  formats->pdf_page_render (source, cr, file->merged_first >= 0);
  cairo_restore (cr);
  g_object_unref (source);

  draw_frame (self, x, y, width * scale, height * scale);
}

/* The number of colour components of a baseline or progressive JPEG, from its frame header, or
 * 0. */
static int
jpeg_components (const guchar *data,
                 gsize         length)
{
  gsize i = 2;

  while (i + 4 <= length)
    {
      guint marker;
      gsize size;

      if (data[i] != 0xff)
        return 0;
      marker = data[i + 1];
      if (marker == 0xff)
        {
          i++;
          continue;
        }
      size = ((gsize) data[i + 2] << 8) | data[i + 3];
      if (marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 &&
          marker != 0xcc)
        return i + 9 < length ? data[i + 9] : 0;
      if (marker == 0xd9 || marker == 0xda)
        return 0;
      i += 2 + size;
    }
  return 0;
}

static cairo_surface_t *
surface_from_pixbuf (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int src_stride = gdk_pixbuf_get_rowstride (pixbuf);
  gboolean alpha = gdk_pixbuf_get_has_alpha (pixbuf);
  const guchar *src = gdk_pixbuf_read_pixels (pixbuf);
  cairo_surface_t *surface;
  guchar *dst;
  int dst_stride;

  surface = cairo_image_surface_create (alpha ? CAIRO_FORMAT_ARGB32 : CAIRO_FORMAT_RGB24,
                                        width, height);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS)
    return surface;
  cairo_surface_flush (surface);
  dst = cairo_image_surface_get_data (surface);
  dst_stride = cairo_image_surface_get_stride (surface);

  for (int y = 0; y < height; y++)
    {
      const guchar *s = src + (gsize) y * src_stride;
      guint32 *d = (guint32 *) (gpointer) (dst + (gsize) y * dst_stride);

      for (int x = 0; x < width; x++, s += channels)
        {
          guint a = alpha ? s[3] : 0xff;
          guint r = s[0] * a / 0xff;
          guint g = s[1] * a / 0xff;
          guint b = s[2] * a / 0xff;

          d[x] = (a << 24) | (r << 16) | (g << 8) | b;
        }
    }
  cairo_surface_mark_dirty (surface);
  return surface;
}

static void
draw_image_page (CpBinder *self,
                 Page     *page)
{
  cairo_t *cr = self->cr;
  BinderFile *file = page->file;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) oriented = NULL;
  g_autofree char *caption = NULL;
  g_autofree char *jpeg_data = NULL;
  gsize jpeg_length = 0;
  cairo_surface_t *surface;
  const char *orientation;
  gboolean turned;
  double x, y, box_width, box_height;
  double natural_width, natural_height;
  double width, height, scale;

  if (file->place != NULL)
    caption = g_strdup_printf (C_("binder", "%s — %s"), file->place, file_name (file));
  else
    caption = g_strdup (file_name (file));
  draw_caption (self, caption);

  /* A JPEG goes into a PDF as it is, not decoded and compressed again (CMYK ones are left out:
   * cairo would print their colours inverted). Then the pixels only matter if cairo ever has
   * to draw the image itself: a small decode is enough. */
  if (file->jpeg &&
      cairo_surface_supports_mime_type (cairo_get_target (cr), CAIRO_MIME_TYPE_JPEG) &&
      g_file_get_contents (file->path, &jpeg_data, &jpeg_length, NULL))
    {
      int components = jpeg_components ((const guchar *) jpeg_data, jpeg_length);

      if (components != 1 && components != 3)
        g_clear_pointer (&jpeg_data, g_free);
    }

  /* Shown at most at 72 dpi, decoded at most at 150 dpi of that. */
  file_box (&x, &y, &box_width, &box_height);
  scale = MIN (1.0, MIN (box_width / file->width, box_height / file->height));
  for (int attempt = 0; attempt < 2 && oriented == NULL; attempt++)
    {
      int decode_width;
      int decode_height;

      if (jpeg_data != NULL)
        {
          decode_width = MAX (1, file->width / 8);
          decode_height = MAX (1, file->height / 8);
        }
      else
        {
          decode_width = MAX (1, MIN (file->width, (int) ceil (file->width * scale *
                                                               IMAGE_DECODE_DPI /
                                                               IMAGE_MAX_DPI_SHOWN)));
          decode_height = MAX (1, MIN (file->height, (int) ceil (file->height * scale *
                                                                 IMAGE_DECODE_DPI /
                                                                 IMAGE_MAX_DPI_SHOWN)));
        }
      g_clear_object (&pixbuf);
      {
        ImageSize size = { 0, 0, decode_width, decode_height };

        pixbuf = load_image (file->path, file->jpeg, FALSE, &size);
      }
      if (pixbuf == NULL)
        {
          draw_box_problem (self, _("The image is damaged and cannot be read."));
          return;
        }

      /* A photographed page may say how it was held: then it is turned upright, and drawn from
       * its pixels. */
      orientation = gdk_pixbuf_get_option (pixbuf, "orientation");
      turned = orientation != NULL && !g_str_equal (orientation, "1");
      if (turned && jpeg_data != NULL)
        {
          g_clear_pointer (&jpeg_data, g_free);
          continue;
        }
      oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
      if (oriented == NULL)
        oriented = g_object_ref (pixbuf);
    }

  natural_width = file->width;
  natural_height = file->height;
  if ((gdk_pixbuf_get_width (oriented) > gdk_pixbuf_get_height (oriented)) !=
      (gdk_pixbuf_get_width (pixbuf) > gdk_pixbuf_get_height (pixbuf)))
    {
      natural_width = file->height;
      natural_height = file->width;
    }
  scale = MIN (1.0, MIN (box_width / natural_width, box_height / natural_height));
  width = natural_width * scale;
  height = natural_height * scale;
  x += (box_width - width) / 2;

  surface = surface_from_pixbuf (oriented);
  if (jpeg_data != NULL)
    {
      char *data = g_steal_pointer (&jpeg_data);

      cairo_surface_set_mime_data (surface, CAIRO_MIME_TYPE_JPEG, (const guchar *) data,
                                   jpeg_length, g_free, data);
    }

  cairo_save (cr);
  cairo_rectangle (cr, x, y, width, height);
  cairo_clip (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, x, y);
  cairo_scale (cr, width / cairo_image_surface_get_width (surface),
               height / cairo_image_surface_get_height (surface));
  cairo_set_source_surface (cr, surface, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_restore (cr);
  cairo_surface_destroy (surface);

  draw_frame (self, x, y, width, height);
}

/* The draft mark across the page, over everything else. */
static void
draw_watermark (CpBinder *self)
{
  cairo_t *cr = self->cr;
  g_autoptr(PangoLayout) layout = NULL;
  int width, height;

  /* Translators: the watermark across every page of a binder whose packet is not ready to
   * submit. */
  layout = make_layout (self, C_("watermark", "Draft"), STYLE_WATERMARK, PAGE_WIDTH,
                        PANGO_ALIGN_CENTER, NULL);
  pango_layout_set_width (layout, -1);
  pango_layout_get_size (layout, &width, &height);

  cairo_save (cr);
  cairo_translate (cr, PAGE_WIDTH / 2, PAGE_HEIGHT / 2);
  cairo_rotate (cr, -atan2 (PAGE_HEIGHT, PAGE_WIDTH));
  cairo_set_source_rgba (cr, 0.80, 0.10, 0.10, 0.25);
  cairo_move_to (cr, -(double) width / PANGO_SCALE / 2, -(double) height / PANGO_SCALE / 2);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

/* Paginating ------------------------------------------------------------------------------- */

static gboolean
lookup_templates (CpBinder  *self,
                  GError   **error)
{
  const CpScoringRef *scoring;
  const char *sheet_id;
  CpPacket *packet = self->packet;

  /* The template version the packet was made with, or else the newest. */
  self->kind = cp_template_registry_lookup_kind_version (self->registry,
                                                         cp_packet_get_kind (packet),
                                                         cp_packet_get_template_version (packet));
  if (self->kind == NULL)
    self->kind = cp_template_registry_lookup_kind (self->registry, cp_packet_get_kind (packet));
  if (self->kind == NULL)
    {
      g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_TEMPLATE,
                   _("The packet kind “%s” is unknown to this program. Update the templates, "
                     "then export again."),
                   cp_packet_get_kind (packet));
      return FALSE;
    }

  scoring = cp_template_get_scoring (self->kind);
  sheet_id = cp_packet_get_sheet_id (packet);
  if (sheet_id != NULL)
    self->sheet = cp_template_registry_lookup_sheet_version (self->registry, sheet_id,
                                                             cp_packet_get_sheet_version (packet));
  else if (scoring != NULL)
    sheet_id = scoring->sheet_id;
  if (sheet_id != NULL && self->sheet == NULL)
    {
      self->sheet = cp_template_registry_lookup_sheet (self->registry, sheet_id);
      if (self->sheet == NULL)
        {
          g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_TEMPLATE,
                       _("The scoring sheet “%s” is unknown to this program. Update the "
                         "templates, then export again."),
                       sheet_id);
          return FALSE;
        }
    }

  return TRUE;
}

static void
setup_text (CpBinder *self)
{
  cairo_font_options_t *options;

  /* A font map of the binder's own: it may be paginated in one thread and drawn in another. */
  self->font_map = pango_cairo_font_map_new ();
  self->context = pango_font_map_create_context (self->font_map);

  /* Unhinted metrics: what is measured is what is printed, at any zoom. */
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (self->context, options);
  cairo_font_options_destroy (options);
  pango_cairo_context_set_resolution (self->context, 72);
  pango_context_set_round_glyph_positions (self->context, FALSE);
  /* Han characters in their Simplified Chinese forms, whatever the user's locale. */
  pango_context_set_language (self->context, pango_language_from_string ("zh-cn"));

  self->no_hyphens = pango_attr_list_new ();
  pango_attr_list_insert (self->no_hyphens, pango_attr_insert_hyphens_new (FALSE));

  for (guint i = 0; i < N_STYLES; i++)
    {
      self->fonts[i] = pango_font_description_from_string (style_fonts[i].family);
      pango_font_description_set_size (self->fonts[i], style_fonts[i].size * PANGO_SCALE);
      pango_font_description_set_weight (self->fonts[i], style_fonts[i].weight);
    }
}

/* GObject ---------------------------------------------------------------------------------- */

static void
cp_binder_finalize (GObject *object)
{
  CpBinder *self = CP_BINDER (object);

  g_clear_object (&self->doc);
  if (self->merged_fd >= 0)
    close (self->merged_fd);
  g_clear_object (&self->registry);
  g_clear_object (&self->packet);
  g_clear_pointer (&self->files_dir, g_free);
  g_clear_object (&self->context);
  g_clear_object (&self->font_map);
  for (guint i = 0; i < N_STYLES; i++)
    g_clear_pointer (&self->fonts[i], pango_font_description_free);
  g_clear_pointer (&self->no_hyphens, pango_attr_list_unref);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  g_clear_pointer (&self->body_rows, g_ptr_array_unref);
  g_clear_pointer (&self->all_rows, g_ptr_array_unref);
  g_clear_pointer (&self->toc, g_ptr_array_unref);
  g_clear_pointer (&self->pages, g_ptr_array_unref);
  g_clear_pointer (&self->files_by_hash, g_hash_table_unref);
  g_clear_pointer (&self->files, g_ptr_array_unref);
  g_clear_pointer (&self->running_title, g_free);
  g_clear_pointer (&self->title, g_free);

  G_OBJECT_CLASS (cp_binder_parent_class)->finalize (object);
}

static void
cp_binder_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CpBinder *self = CP_BINDER (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      g_value_set_object (value, self->registry);
      break;
    case PROP_PACKET:
      g_value_set_object (value, self->packet);
      break;
    case PROP_FILES_DIR:
      g_value_set_string (value, self->files_dir);
      break;
    case PROP_FORMS_ONLY:
      g_value_set_boolean (value, cp_binder_get_forms_only (self));
      break;
    case PROP_N_PAGES:
      g_value_set_uint (value, cp_binder_get_n_pages (self));
      break;
    case PROP_DRAFT:
      g_value_set_boolean (value, self->draft);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_binder_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CpBinder *self = CP_BINDER (object);

  switch (prop_id)
    {
    case PROP_REGISTRY:
      self->registry = g_value_dup_object (value);
      break;
    case PROP_PACKET:
      /* A copy: the caller may go on editing its packet while the binder is made. */
      self->packet = g_value_get_object (value) != NULL ?
                     cp_packet_copy (g_value_get_object (value)) : NULL;
      break;
    case PROP_FILES_DIR:
      /* Absolute: poppler opens files by URI. */
      self->files_dir = g_value_get_string (value) != NULL ?
                        g_canonicalize_filename (g_value_get_string (value), NULL) : NULL;
      break;
    case PROP_FORMS_ONLY:
      if (g_value_get_boolean (value))
        self->flags |= CP_BINDER_FLAGS_FORMS_ONLY;
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cp_binder_constructed (GObject *object)
{
  CpBinder *self = CP_BINDER (object);

  G_OBJECT_CLASS (cp_binder_parent_class)->constructed (object);

  /* Without the files there is nothing to bind in. */
  if (self->files_dir == NULL)
    self->flags |= CP_BINDER_FLAGS_FORMS_ONLY;
}

static void
cp_binder_class_init (CpBinderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = cp_binder_finalize;
  object_class->get_property = cp_binder_get_property;
  object_class->set_property = cp_binder_set_property;
  object_class->constructed = cp_binder_constructed;

  properties[PROP_REGISTRY] =
    g_param_spec_object ("registry", NULL, NULL, CP_TYPE_TEMPLATE_REGISTRY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PACKET] =
    g_param_spec_object ("packet", NULL, NULL, CP_TYPE_PACKET,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FILES_DIR] =
    g_param_spec_string ("files-dir", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FORMS_ONLY] =
    g_param_spec_boolean ("forms-only", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PAGES] =
    g_param_spec_uint ("n-pages", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRAFT] =
    g_param_spec_boolean ("draft", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
cp_binder_init (CpBinder *self)
{
  self->rows = g_ptr_array_new ();
  self->body_rows = g_ptr_array_new ();
  self->all_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  self->toc = g_ptr_array_new_with_free_func ((GDestroyNotify) toc_entry_free);
  self->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) page_free);
  self->files = g_ptr_array_new_with_free_func ((GDestroyNotify) binder_file_free);
  self->files_by_hash = g_hash_table_new (g_str_hash, g_str_equal);
  self->merged_fd = -1;
}

/* Public API ------------------------------------------------------------------------------- */

CpBinder *
cp_binder_new (CpTemplateRegistry *registry,
               CpPacket           *packet,
               const char         *files_dir,
               CpBinderFlags       flags)
{
  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), NULL);
  g_return_val_if_fail (CP_IS_PACKET (packet), NULL);

  return g_object_new (CP_TYPE_BINDER,
                       "registry", registry,
                       "packet", packet,
                       "files-dir", files_dir,
                       "forms-only", (flags & CP_BINDER_FLAGS_FORMS_ONLY) != 0,
                       NULL);
}

gboolean
cp_binder_paginate (CpBinder      *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GPtrArray) findings = NULL;
  const char *name;

  g_return_val_if_fail (CP_IS_BINDER (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->paginated)
    return TRUE;
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (self->kind == NULL && !lookup_templates (self, error))
    return FALSE;

  /* Ready to submit means: the validator finds no error. Anything else is a draft. */
  findings = cp_validator_validate_with_template (self->kind, self->sheet, self->packet, NULL);
  self->draft = !cp_validator_is_ready (findings);

  self->running_title = g_strdup (cp_text_get (cp_template_get_title (self->kind)));
  name = cp_packet_get_enterprise_name (self->packet);
  self->title = name != NULL ? g_strdup_printf ("%s — %s", name, self->running_title)
                             : g_strdup (self->running_title);

  collect_files (self);
  if (!(self->flags & CP_BINDER_FLAGS_FORMS_ONLY))
    {
      for (guint i = 0; i < self->files->len; i++)
        if (!probe_file (self, g_ptr_array_index (self->files, i), cancellable, error))
          return FALSE;
      merge_pdfs (self);
    }

  setup_text (self);
  /* From here on there is nothing to wait for: no cancellation, so that a cancelled binder can
   * be paginated again without rows from the first try. */
  build_document (self, self->sheet);
  paginate (self, self->rows);

  /* Now every entry and every file knows its page. */
  for (guint i = 0; i < self->toc->len; i++)
    {
      TocEntry *entry = g_ptr_array_index (self->toc, i);
      g_autofree char *number = g_strdup_printf ("%d", entry->page);

      pango_layout_set_text (entry->number_row->cells[1].layout, number, -1);
      entry->number_row->link_page = entry->page;
    }
  for (guint i = 0; i < self->files->len; i++)
    {
      BinderFile *file = g_ptr_array_index (self->files, i);
      guint n = file->n_pages;

      if (file->first_page == 0 && file->toc_index >= 0 &&
          (file->what == CP_BINDER_FILE_MISSING || file->what == CP_BINDER_FILE_DAMAGED ||
           file->what == CP_BINDER_FILE_ENCRYPTED))
        {
          file->first_page = ((TocEntry *) g_ptr_array_index (self->toc, file->toc_index))->page;
          n = 1;
        }
      if (file->pages_row != NULL)
        {
          g_autofree char *text = file_pages_text (file->first_page, n);

          pango_layout_set_text (file->pages_row->cells[3].layout, text, -1);
          if (file->first_page > 0)
            file->pages_row->link_page = file->first_page;
        }
    }

  self->paginated = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PAGES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DRAFT]);
  return TRUE;
}

guint
cp_binder_get_n_pages (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), 0);

  return self->paginated ? self->pages->len : 0;
}

gboolean
cp_binder_get_draft (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), FALSE);

  return self->draft;
}

gboolean
cp_binder_get_forms_only (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), FALSE);

  return (self->flags & CP_BINDER_FLAGS_FORMS_ONLY) != 0;
}

CpPacket *
cp_binder_get_packet (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), NULL);

  return self->packet;
}

const char *
cp_binder_get_title (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), NULL);

  return self->title;
}

gboolean
cp_binder_draw_page (CpBinder *self,
                     cairo_t  *cr,
                     guint     index)
{
  Page *page;

  g_return_val_if_fail (CP_IS_BINDER (self), FALSE);
  g_return_val_if_fail (cr != NULL, FALSE);
  g_return_val_if_fail (self->paginated, FALSE);

  if (index >= self->pages->len)
    return FALSE;
  page = g_ptr_array_index (self->pages, index);

  self->cr = cr;
  cairo_save (cr);

  if (page->file != NULL && page->file->what == CP_BINDER_FILE_PDF)
    draw_pdf_page (self, page);
  else if (page->file != NULL)
    draw_image_page (self, page);
  else
    for (guint i = 0; i < page->placed->len; i++)
      draw_row (self, &g_array_index (page->placed, Placed, i));

  if (!page->cover)
    draw_running_parts (self, index + 1, self->pages->len);
  if (self->draft)
    draw_watermark (self);

  cairo_restore (cr);
  self->cr = NULL;

  /* One attachment at a time: let go of a PDF after its last page. */
  if (page->file != NULL && page->file_page + 1 == page->file->n_pages &&
      self->open_file == page->file)
    {
      g_clear_object (&self->doc);
      self->open_file = NULL;
    }

  return TRUE;
}

guint
cp_binder_get_n_entries (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), 0);

  return self->paginated ? self->toc->len : 0;
}

void
cp_binder_get_entry (CpBinder    *self,
                     guint        index,
                     const char **title,
                     guint       *page,
                     guint       *level)
{
  TocEntry *entry;

  g_return_if_fail (CP_IS_BINDER (self));
  g_return_if_fail (self->paginated && index < self->toc->len);

  entry = g_ptr_array_index (self->toc, index);
  if (title != NULL)
    *title = entry->title;
  if (page != NULL)
    *page = (guint) MAX (entry->page, 0);
  if (level != NULL)
    *level = (guint) entry->level;
}

guint
cp_binder_get_n_files (CpBinder *self)
{
  g_return_val_if_fail (CP_IS_BINDER (self), 0);

  return self->paginated ? self->files->len : 0;
}

void
cp_binder_get_file (CpBinder      *self,
                    guint          index,
                    const char   **sha256,
                    CpBinderFile  *what,
                    guint         *first_page,
                    guint         *n_pages)
{
  BinderFile *file;

  g_return_if_fail (CP_IS_BINDER (self));
  g_return_if_fail (self->paginated && index < self->files->len);

  file = g_ptr_array_index (self->files, index);
  if (sha256 != NULL)
    *sha256 = file->sha256;
  if (what != NULL)
    *what = file->what;
  if (first_page != NULL)
    *first_page = file->first_page;
  if (n_pages != NULL)
    *n_pages = file->n_pages > 0 ? file->n_pages : file->first_page > 0 ? 1 : 0;
}
