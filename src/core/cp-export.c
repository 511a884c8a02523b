/* cp-export.c — the printable binder: a packet as a PDF the credit office receives
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
#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "cp-export.h"
#include "cp-date.h"
#include "cp-scoring.h"
#include "cp-scoring-sheet.h"
#include "cp-template.h"

/* How the binder is built. The document is a list of rows: a row is a strip of cells (each a
 * PangoLayout) that is never split across pages, unless it is taller than a whole page, in which
 * case it is cut between lines of text. Three streams of rows are paginated in turn (the cover,
 * the table of contents, the body); the body's pagination tells each table-of-contents entry its
 * page, and only then is anything drawn, so the page numbers are real. */

/* A4 in PostScript points. */
#define PAGE_WIDTH    595.276
#define PAGE_HEIGHT   841.890
#define MARGIN_X      56.0
#define MARGIN_TOP    72.0
#define MARGIN_BOTTOM 64.0
#define BODY_WIDTH    (PAGE_WIDTH - 2 * MARGIN_X)
#define BODY_HEIGHT   (PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
#define PAD_X         4.0
#define PAD_Y         3.0
#define MAX_CELLS     8

#define FONT_FAMILY "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans"
#define MONO_FAMILY "DejaVu Sans Mono, Noto Sans Mono CJK SC, monospace"

G_DEFINE_QUARK (cp-export-error-quark, cp_export_error)

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
} RowFlags;

typedef struct
{
  PangoLayout *layout;
  double       x;      /* from the left margin */
  double       width;  /* padding included */
} Cell;

typedef struct _Row Row;
struct _Row
{
  Cell      cells[MAX_CELLS];
  guint     n_cells;
  double    height;        /* padding included */
  double    space_before;  /* dropped at the top of a page */
  RowFlags  flags;
  int       anchor;        /* the table-of-contents entry that starts here, or -1 */
  Row      *header;        /* a table header to repeat after a page break, not owned */
  int       link_page;     /* the row links to this page (table of contents), or 0 */
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
  GArray *placed;  /* Placed */
  gboolean cover;  /* no running header or footer */
} Page;

typedef struct
{
  char *title;
  int   page;
  int   level;        /* 1 for an entry that belongs to the one before it */
  Row  *number_row;  /* the table-of-contents row that shows the page number */
} TocEntry;

typedef struct
{
  /* Output. */
  int                   fd;
  int                   write_errno;
  GCancellable         *cancellable;
  cairo_surface_t      *surface;
  cairo_t              *cr;
  PangoContext         *context;
  PangoFontDescription *fonts[N_STYLES];
  PangoAttrList        *no_hyphens;

  /* Inputs. */
  CpTemplateRegistry   *registry;
  CpPacket             *packet;
  CpTemplate           *kind;
  CpScoringSheet       *sheet;       /* nullable */
  const char           *path;

  /* The document. */
  GPtrArray            *rows;        /* Row *, in page order */
  GPtrArray            *body_rows;   /* the rows after the table of contents */
  GPtrArray            *all_rows;    /* owns every Row */
  GPtrArray            *toc;         /* TocEntry * */
  GPtrArray            *pages;       /* Page * */
  char                 *running_title;
} Export;

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
make_layout (Export         *ex,
             const char     *text,
             Style           style,
             double          cell_width,
             PangoAlignment  alignment,
             PangoAttrList  *attrs)
{
  PangoLayout *layout = pango_layout_new (ex->context);

  pango_layout_set_font_description (layout, ex->fonts[style]);
  pango_layout_set_width (layout, (int) ((cell_width - 2 * PAD_X) * PANGO_SCALE));
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
  /* No hyphens: a hyphen inside a code or a number would change what it says. */
  if (attrs == NULL)
    attrs = ex->no_hyphens;
  else
    pango_attr_list_insert (attrs, pango_attr_insert_hyphens_new (FALSE));
  pango_layout_set_attributes (layout, attrs);

  return layout;
}

static Row *
row_new (Export   *ex,
         RowFlags  flags)
{
  Row *row = g_new0 (Row, 1);

  row->flags = flags;
  row->anchor = -1;
  g_ptr_array_add (ex->all_rows, row);
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
row_add (Export         *ex,
         Row            *row,
         double          x,
         double          width,
         const char     *text,
         Style           style,
         PangoAlignment  alignment)
{
  return row_add_layout (row, x, width, make_layout (ex, text, style, width, alignment, NULL));
}

/* A full-width row with one cell of text. */
static Row *
add_text (Export     *ex,
          GPtrArray  *rows,
          const char *text,
          Style       style,
          RowFlags    flags,
          double      space_before)
{
  Row *row = row_new (ex, flags);

  row_add (ex, row, 0, BODY_WIDTH, text, style, PANGO_ALIGN_LEFT);
  row->space_before = space_before;
  g_ptr_array_add (rows, row);
  return row;
}

static Row *
add_spacer (Export    *ex,
            GPtrArray *rows,
            double     height)
{
  Row *row = row_new (ex, 0);

  row->height = height;
  g_ptr_array_add (rows, row);
  return row;
}

/* A label/value row of a section or a form. */
#define LABEL_WIDTH (BODY_WIDTH * 0.34)

static Row *
add_pair_layout (Export      *ex,
                 GPtrArray   *rows,
                 const char  *label,
                 PangoLayout *value)
{
  Row *row = row_new (ex, ROW_RULE_BELOW);

  row_add (ex, row, 0, LABEL_WIDTH, label, STYLE_BOLD, PANGO_ALIGN_LEFT);
  row_add_layout (row, LABEL_WIDTH, BODY_WIDTH - LABEL_WIDTH, value);
  g_ptr_array_add (rows, row);
  return row;
}

static Row *
add_pair (Export     *ex,
          GPtrArray  *rows,
          const char *label,
          const char *value)
{
  return add_pair_layout (ex, rows, label,
                          make_layout (ex, value, STYLE_BODY, BODY_WIDTH - LABEL_WIDTH,
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
  Export *ex;
  Page   *page;
  double  y;
} Pager;

static void
pager_new_page (Pager *pager)
{
  pager->page = g_new0 (Page, 1);
  pager->page->placed = g_array_new (FALSE, FALSE, sizeof (Placed));
  g_ptr_array_add (pager->ex->pages, pager->page);
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

static void
paginate (Export    *ex,
          GPtrArray *rows)
{
  Pager pager = { ex, NULL, 0 };

  pager_new_page (&pager);

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);
      gboolean empty = pager.page->placed->len == 0;
      double space = empty ? 0 : row->space_before;
      double need = row->height;

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
          TocEntry *entry = g_ptr_array_index (ex->toc, row->anchor);

          entry->page = ex->pages->len;
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
draw_row (Export       *ex,
          const Placed *placed)
{
  cairo_t *cr = ex->cr;
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
draw_running_parts (Export *ex,
                    int     number,
                    int     total)
{
  cairo_t *cr = ex->cr;
  const char *name = cp_packet_get_enterprise_name (ex->packet);
  g_autofree char *footer = NULL;
  g_autoptr(PangoLayout) left = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autoptr(PangoLayout) bottom = NULL;
  int h;

  /* Translators: the footer of every page of the exported binder. */
  footer = g_strdup_printf (_("Page %d of %d"), number, total);

  left = make_layout (ex, name != NULL ? name : "", STYLE_SMALL, BODY_WIDTH * 0.5 + 2 * PAD_X,
                      PANGO_ALIGN_LEFT, NULL);
  pango_layout_set_ellipsize (left, PANGO_ELLIPSIZE_END);
  right = make_layout (ex, ex->running_title, STYLE_SMALL, BODY_WIDTH * 0.5 + 2 * PAD_X,
                       PANGO_ALIGN_RIGHT, NULL);
  pango_layout_set_ellipsize (right, PANGO_ELLIPSIZE_END);
  bottom = make_layout (ex, footer, STYLE_SMALL, BODY_WIDTH + 2 * PAD_X, PANGO_ALIGN_CENTER,
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
attachment_title (Export     *ex,
                  const char *sha256)
{
  const CpAttachment *attachment = cp_packet_find_attachment (ex->packet, sha256);

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
describe_signature (Export        *ex,
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
    scan_name = attachment_title (ex, scan);

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
describe_value (Export        *ex,
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
      return describe_signature (ex, field, node);

    case CP_FIELD_ATTACHMENT:
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        return attachment_title (ex, json_node_get_string (node));
      if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);
          GString *out = g_string_new (NULL);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);
              g_autofree char *title = NULL;

              if (!JSON_NODE_HOLDS_VALUE (element) ||
                  json_node_get_value_type (element) != G_TYPE_STRING)
                continue;
              title = attachment_title (ex, json_node_get_string (element));
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
attachment_layout (Export     *ex,
                   JsonNode   *node,
                   double      width)
{
  g_autoptr(GPtrArray) hashes = g_ptr_array_new ();
  PangoAttrList *attrs = pango_attr_list_new ();
  GString *text = g_string_new (NULL);
  PangoLayout *layout;

  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    g_ptr_array_add (hashes, (gpointer) json_node_get_string (node));
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) &&
              json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (hashes, (gpointer) json_node_get_string (element));
        }
    }

  for (guint i = 0; i < hashes->len; i++)
    {
      const char *sha256 = g_ptr_array_index (hashes, i);
      const CpAttachment *attachment = cp_packet_find_attachment (ex->packet, sha256);
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

      attr = pango_attr_font_desc_new (ex->fonts[STYLE_MONO]);
      attr->start_index = text->len;
      g_string_append (text, sha256);
      attr->end_index = text->len;
      pango_attr_list_insert (attrs, attr);
    }

  if (hashes->len == 0)
    g_string_append (text, "—");

  layout = make_layout (ex, text->str, STYLE_BODY, width, PANGO_ALIGN_LEFT, attrs);
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
add_group (Export        *ex,
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

  add_text (ex, rows, cp_text_get (field->label), STYLE_BOLD, ROW_KEEP_WITH_NEXT, 6);

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node) ||
      json_array_get_length (json_node_get_array (node)) == 0)
    {
      add_text (ex, rows, "—", STYLE_BODY, ROW_RULE_BELOW, 0);
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

          add_text (ex, rows, number, STYLE_BOLD, ROW_SHADE | ROW_KEEP_WITH_NEXT, 2);
          for (guint f = 0; f < fields->len; f++)
            {
              const CpField *sub = g_ptr_array_index (fields, f);
              JsonNode *value = object != NULL && json_object_has_member (object, sub->id) ?
                                json_object_get_member (object, sub->id) : NULL;
              g_autofree char *text = describe_value (ex, sub, value);

              add_pair (ex, rows, cp_text_get (sub->label), text);
            }
        }
      add_spacer (ex, rows, 6);
      return;
    }

  /* Years, dates and counts need less room than names and words. */
  for (guint f = 0; f < n_columns; f++)
    total_weight += column_weight (g_ptr_array_index (fields, f));

  header = row_new (ex, ROW_GRID | ROW_SHADE | ROW_KEEP_WITH_NEXT);
  row_add (ex, header, 0, number_width, "#", STYLE_SMALL, PANGO_ALIGN_CENTER);
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
      row_add (ex, header, lefts[f], widths[f], title, STYLE_SMALL_BOLD, PANGO_ALIGN_LEFT);
    }
  g_ptr_array_add (rows, header);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      Row *row = row_new (ex, ROW_GRID);

      row->header = header;
      row_add (ex, row, 0, number_width, number, STYLE_SMALL, PANGO_ALIGN_CENTER);
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
            text = describe_value (ex, sub, value);

          row_add (ex, row, lefts[f], widths[f], text, STYLE_SMALL,
                   numeric ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
        }
      g_ptr_array_add (rows, row);
    }

  add_spacer (ex, rows, 6);
}

static void
add_field (Export        *ex,
           GPtrArray     *rows,
           const CpField *field,
           JsonNode      *value)
{
  if (field->type == CP_FIELD_GROUP)
    {
      add_group (ex, rows, field, value);
    }
  else if (field->type == CP_FIELD_ATTACHMENT && value != NULL && !JSON_NODE_HOLDS_NULL (value))
    {
      add_pair_layout (ex, rows, cp_text_get (field->label),
                       attachment_layout (ex, value, BODY_WIDTH - LABEL_WIDTH));
    }
  else
    {
      g_autofree char *text = describe_value (ex, field, value);

      add_pair (ex, rows, cp_text_get (field->label), text);
    }
}

/* Parts of the binder ---------------------------------------------------------------------- */

static int
add_toc_entry (Export     *ex,
               const char *title,
               Row        *heading)
{
  TocEntry *entry = g_new0 (TocEntry, 1);

  entry->title = g_strdup (title);
  entry->page = -1;
  g_ptr_array_add (ex->toc, entry);
  heading->anchor = ex->toc->len - 1;

  return ex->toc->len - 1;
}

/* A section heading: a new page, the title, a rule. */
static Row *
add_heading (Export     *ex,
             GPtrArray  *rows,
             const char *title)
{
  Row *row = add_text (ex, rows, title, STYLE_H1,
                       ROW_NEW_PAGE | ROW_KEEP_WITH_NEXT | ROW_RULE_HEAVY, 0);
  Row *space = row_new (ex, 0);

  space->height = 8;
  space->flags = ROW_KEEP_WITH_NEXT;
  g_ptr_array_add (rows, space);

  add_toc_entry (ex, title, row);
  return row;
}

/* The agency named in the service contract, else in any other section (the re-review names
 * its reviewing agency), or NULL. */
static const char *
find_agency (Export *ex)
{
  GPtrArray *sections = cp_template_get_sections (ex->kind);

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
              value = cp_packet_get_string (ex->packet, section->id, field->id);
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
add_cover (Export          *ex,
           GPtrArray       *rows,
           const CpSection *section)
{
  const char *name = cp_packet_get_enterprise_name (ex->packet);
  const char *uscc = cp_packet_get_uscc (ex->packet);
  const char *agency = find_agency (ex);
  const CpText *campaign = cp_template_get_campaign (ex->kind);
  g_autofree char *year = g_strdup_printf ("%d", cp_packet_get_year (ex->packet));
  g_autofree char *today = NULL;
  g_autofree char *uscc_line = NULL;
  GDate date;
  Row *row;

  cp_date_today (&date);
  today = cp_date_format (&date);

  row = add_spacer (ex, rows, 96);
  if (section != NULL)
    add_toc_entry (ex, cp_text_get (section->title), row);

  row = add_text (ex, rows, year, STYLE_H2, 0, 0);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  row = add_text (ex, rows, cp_text_get (cp_template_get_title (ex->kind)), STYLE_TITLE, 0, 6);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  if (campaign != NULL)
    {
      row = add_text (ex, rows, cp_text_get (campaign), STYLE_BODY, 0, 6);
      pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
    }

  add_spacer (ex, rows, 90);

  row = add_text (ex, rows, name != NULL ? name : "—", STYLE_COVER_NAME, 0, 0);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);
  /* Translators: on the cover of the binder, under the enterprise name. */
  uscc_line = g_strdup_printf (_("Unified social credit code: %s"), uscc != NULL ? uscc : "—");
  row = add_text (ex, rows, uscc_line, STYLE_BODY, 0, 6);
  pango_layout_set_alignment (row->cells[0].layout, PANGO_ALIGN_CENTER);

  add_spacer (ex, rows, 80);

  add_pair (ex, rows, C_("binder", "Enterprise"), name != NULL ? name : "—");
  add_pair (ex, rows, C_("binder", "Unified social credit code"), uscc != NULL ? uscc : "—");
  add_pair (ex, rows, C_("binder", "Packet kind"), cp_text_get (cp_template_get_title (ex->kind)));
  add_pair (ex, rows, C_("binder", "Campaign year"), year);
  add_pair (ex, rows, C_("binder", "Credit service agency"), agency != NULL ? agency : "—");
  add_pair (ex, rows, C_("binder", "Date of export"), today);
  add_pair (ex, rows, C_("binder", "State"), state_label (cp_packet_get_state (ex->packet)));

  /* The rest of the cover section (legal representative, address, contact...). */
  if (section != NULL)
    {
      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);

          if (g_str_equal (field->id, "enterprise_name") || g_str_equal (field->id, "uscc"))
            continue;
          add_field (ex, rows, field, cp_packet_get_value (ex->packet, section->id, field->id));
        }
    }
}

#define TOC_NUMBER_WIDTH 48.0

static void
add_section (Export          *ex,
             GPtrArray       *rows,
             const CpSection *section)
{
  add_heading (ex, rows, cp_text_get (section->title));

  if (section->fields->len == 0)
    add_text (ex, rows, _("This section has no fields."), STYLE_BODY, 0, 0);

  for (guint f = 0; f < section->fields->len; f++)
    {
      const CpField *field = g_ptr_array_index (section->fields, f);

      add_field (ex, rows, field, cp_packet_get_value (ex->packet, section->id, field->id));
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
score_row (Export            *ex,
           const SheetLayout *sl,
           const char        *title,
           const char        *maximum,
           const char        *values[2],
           Style              style,
           RowFlags           flags)
{
  Row *row = row_new (ex, ROW_GRID | flags);

  row_add (ex, row, 0, sl->item_width, title, style, PANGO_ALIGN_LEFT);
  row_add (ex, row, sl->item_width, SCORE_WIDTH, maximum, style, PANGO_ALIGN_RIGHT);
  for (guint c = 0; c < sl->n_columns; c++)
    row_add (ex, row, sl->item_width + (c + 1) * SCORE_WIDTH, SCORE_WIDTH, values[c], style,
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
add_scoring (Export         *ex,
             GPtrArray      *rows,
             CpScoringSheet *sheet)
{
  g_autoptr(CpScoreSummary) summary = cp_scoring_compute (sheet, ex->packet);
  gboolean weighted = cp_scoring_sheet_get_method (sheet) == CP_SCORING_METHOD_WEIGHTED;
  double total = cp_scoring_sheet_get_total (sheet);
  g_autofree char *total_text = format_number (total, -1);
  const CpText *note = cp_scoring_sheet_get_note (sheet);
  const CpText *source = cp_scoring_sheet_get_source (sheet);
  const CpScoringRef *scoring = cp_template_get_scoring (ex->kind);
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

  add_heading (ex, rows, cp_text_get (cp_scoring_sheet_get_title (sheet)));
  if (source != NULL)
    add_text (ex, rows, cp_text_get (source), STYLE_SMALL, 0, 0);
  if (note != NULL)
    add_text (ex, rows, cp_text_get (note), STYLE_SMALL, 0, 2);
  add_spacer (ex, rows, 6);

  for (guint c = 0; c < sl.n_columns; c++)
    headers[c] = sl.columns[c] == CP_SCORE_SELF ? C_("binder", "Self-assessment")
                                                : C_("binder", "Acceptance");
  header = score_row (ex, &sl, C_("binder", "Item"), C_("binder", "Maximum"),
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

      row = score_row (ex, &sl, title, points, empty, STYLE_BOLD, ROW_SHADE | ROW_KEEP_WITH_NEXT);
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
          row = score_row (ex, &sl, sub_title, sub_points, (const char **) values, STYLE_BOLD,
                           ROW_KEEP_WITH_NEXT);
          row->header = header;
          g_ptr_array_add (rows, row);

          for (guint t = 0; t < sub->items->len; t++)
            {
              const CpScoringItem *item = g_ptr_array_index (sub->items, t);
              const CpItemScore *score = cp_packet_get_score (ex->packet, item->id);
              g_autofree char *item_title = g_strdup_printf ("%s  %s", item->id,
                                                             cp_text_get (item->title));
              g_autofree char *item_points = format_number (item->points, -1);

              SET_VALUES (score_text (score, column));
              row = score_row (ex, &sl, item_title, item_points, (const char **) values,
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
        row = score_row (ex, &sl, label, points, (const char **) values, STYLE_BOLD, 0);
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
          row = score_row (ex, &sl, label, weighted_max, (const char **) values, STYLE_BOLD, 0);
          row->header = header;
          g_ptr_array_add (rows, row);
        }
    }

  if (cp_scoring_sheet_get_n_adjustments (sheet) > 0)
    {
      const char *empty[2] = { "", "" };

      row = score_row (ex, &sl, C_("binder", "Additions and deductions"), "", empty, STYLE_BOLD,
                       ROW_SHADE | ROW_KEEP_WITH_NEXT);
      row->header = header;
      g_ptr_array_add (rows, row);

      for (guint a = 0; a < cp_scoring_sheet_get_n_adjustments (sheet); a++)
        {
          const CpScoringAdjustment *adjustment = cp_scoring_sheet_get_adjustment (sheet, a);
          const CpItemScore *score = cp_packet_get_score (ex->packet, adjustment->id);
          g_autofree char *min = format_number (adjustment->min, -1);
          g_autofree char *max = format_number (adjustment->max, -1);
          g_autofree char *range = g_strdup_printf ("%s…%s", min, max);

          SET_VALUES (score_text (score, column));
          row = score_row (ex, &sl, cp_text_get (adjustment->title), range,
                           (const char **) values, STYLE_SMALL, 0);
          row->header = header;
          g_ptr_array_add (rows, row);
        }
    }

  SET_VALUES (format_number (cp_score_summary_get_total (summary, column), -1));
  row = score_row (ex, &sl, C_("binder", "Total"), total_text, (const char **) values, STYLE_H2,
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
      row = score_row (ex, &sl, label, min, (const char **) values, STYLE_BOLD, 0);
      row->header = header;
      g_ptr_array_add (rows, row);
    }

  if (cp_scoring_sheet_get_n_grades (sheet) > 0)
    {
      SET_VALUES (g_strdup (cp_score_summary_get_grade (summary, column) != NULL ?
                            cp_score_summary_get_grade (summary, column) :
                            /* Translators: the score is below every grade band. */
                            C_("binder", "No grade")));
      row = score_row (ex, &sl, C_("binder", "Grade"), "", (const char **) values, STYLE_BOLD, 0);
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

      add_text (ex, rows, line->str, STYLE_BODY, 0, c == 0 ? 10 : 4);
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
      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        note_use (uses, json_node_get_string (node), place);
      else if (JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *element = json_array_get_element (array, i);

              if (JSON_NODE_HOLDS_VALUE (element) &&
                  json_node_get_value_type (element) == G_TYPE_STRING)
                note_use (uses, json_node_get_string (element), place);
            }
        }
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
collect_uses (Export *ex)
{
  GHashTable *uses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, string_free);
  GPtrArray *sections = cp_template_get_sections (ex->kind);

  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      for (guint f = 0; f < section->fields->len; f++)
        {
          const CpField *field = g_ptr_array_index (section->fields, f);
          g_autofree char *place = g_strdup_printf ("%s › %s", cp_text_get (section->title),
                                                    cp_text_get (field->label));

          note_field_uses (uses, field,
                           cp_packet_get_value (ex->packet, section->id, field->id), place);
        }
    }

  if (ex->sheet != NULL)
    {
      GPtrArray *items = cp_scoring_sheet_get_items (ex->sheet);

      for (guint i = 0; i < items->len; i++)
        {
          const CpScoringItem *item = g_ptr_array_index (items, i);
          const CpItemScore *score = cp_packet_get_score (ex->packet, item->id);
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
add_attachment_list (Export    *ex,
                     GPtrArray *rows)
{
  GPtrArray *attachments = cp_packet_get_attachments (ex->packet);
  const double number_width = 24;
  const double size_width = 86;
  const double name_width = BODY_WIDTH - number_width - size_width;
  g_autoptr(GHashTable) uses = collect_uses (ex);
  Row *header;

  add_heading (ex, rows, C_("binder", "Attachment list"));

  if (attachments->len == 0)
    {
      add_text (ex, rows, _("The packet has no attachments."), STYLE_BODY, 0, 0);
      return;
    }

  header = row_new (ex, ROW_GRID | ROW_SHADE | ROW_KEEP_WITH_NEXT);
  row_add (ex, header, 0, number_width, "#", STYLE_BOLD, PANGO_ALIGN_CENTER);
  row_add (ex, header, number_width, name_width, _("File and SHA-256"), STYLE_BOLD,
           PANGO_ALIGN_LEFT);
  row_add (ex, header, number_width + name_width, size_width, C_("binder", "Size"), STYLE_BOLD,
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
      Row *row = row_new (ex, ROW_GRID);

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
      attr = pango_attr_font_desc_new (ex->fonts[STYLE_MONO]);
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

        attr = pango_attr_font_desc_new (ex->fonts[STYLE_SMALL]);
        attr->start_index = start;
        attr->end_index = strlen (text);
        pango_attr_list_insert (attrs, attr);
        attr = pango_attr_foreground_new (0x4400, 0x4800, 0x5000);
        attr->start_index = start;
        attr->end_index = strlen (text);
        pango_attr_list_insert (attrs, attr);
      }

      row->header = header;
      row_add (ex, row, 0, number_width, number, STYLE_BODY, PANGO_ALIGN_CENTER);
      row_add_layout (row, number_width, name_width,
                      make_layout (ex, text, STYLE_BODY, name_width, PANGO_ALIGN_LEFT, attrs));
      row_add (ex, row, number_width + name_width, size_width, size_text, STYLE_SMALL,
               PANGO_ALIGN_RIGHT);
      pango_attr_list_unref (attrs);
      g_ptr_array_add (rows, row);
    }
}

/* The whole document ----------------------------------------------------------------------- */

static void
build_document (Export         *ex,
                CpScoringSheet *sheet)
{
  GPtrArray *sections = cp_template_get_sections (ex->kind);
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

  add_cover (ex, cover_rows, cover);
  for (guint i = 0; i < cover_rows->len; i++)
    ((Row *) g_ptr_array_index (cover_rows, i))->flags |= ROW_COVER;

  /* The table of contents lists itself; its entry is reserved now so that the entries stay in
   * binder order. */
  toc_entry = g_new0 (TocEntry, 1);
  toc_entry->title = g_strdup (toc_section != NULL ? cp_text_get (toc_section->title)
                                                   : C_("binder", "Table of contents"));
  toc_entry->page = -1;
  g_ptr_array_add (ex->toc, toc_entry);
  toc_index = ex->toc->len - 1;

  /* The scoring sheet follows the section it belongs to (the reviewer's signature), or the
   * last section. */
  scoring = cp_template_get_scoring (ex->kind);
  for (guint i = 0; i < sections->len; i++)
    {
      const CpSection *section = g_ptr_array_index (sections, i);

      if (section == cover || section->generated)
        continue;
      add_section (ex, ex->body_rows, section);
      if (sheet != NULL && scoring != NULL && scoring->section == section)
        {
          add_scoring (ex, ex->body_rows, sheet);
          ((TocEntry *) g_ptr_array_index (ex->toc, ex->toc->len - 1))->level = 1;
          sheet = NULL;
        }
    }

  if (sheet != NULL)
    add_scoring (ex, ex->body_rows, sheet);
  add_attachment_list (ex, ex->body_rows);

  toc_heading = add_text (ex, toc_rows, toc_entry->title, STYLE_H1,
                          ROW_NEW_PAGE | ROW_KEEP_WITH_NEXT | ROW_RULE_HEAVY, 0);
  toc_heading->anchor = toc_index;
  add_spacer (ex, toc_rows, 10);
  for (guint i = 0; i < ex->toc->len; i++)
    {
      TocEntry *entry = g_ptr_array_index (ex->toc, i);
      Row *row = row_new (ex, ROW_LEADER);
      double indent = entry->level * 16.0;

      row_add (ex, row, indent, BODY_WIDTH - TOC_NUMBER_WIDTH - indent, entry->title,
               STYLE_BODY, PANGO_ALIGN_LEFT);
      /* A placeholder until the body is paginated; a number never changes the height. */
      row_add (ex, row, BODY_WIDTH - TOC_NUMBER_WIDTH, TOC_NUMBER_WIDTH, "000", STYLE_BODY,
               PANGO_ALIGN_RIGHT);
      row->space_before = 4;
      entry->number_row = row;
      g_ptr_array_add (toc_rows, row);
    }

  g_ptr_array_extend (ex->rows, cover_rows, NULL, NULL);
  g_ptr_array_extend (ex->rows, toc_rows, NULL, NULL);
  g_ptr_array_extend (ex->rows, ex->body_rows, NULL, NULL);
}

static void
draw_page (Export *ex,
           guint   index)
{
  Page *page = g_ptr_array_index (ex->pages, index);

  if (!page->cover)
    draw_running_parts (ex, index + 1, ex->pages->len);

  for (guint i = 0; i < page->placed->len; i++)
    draw_row (ex, &g_array_index (page->placed, Placed, i));

  cairo_show_page (ex->cr);
}

/* Output ----------------------------------------------------------------------------------- */

static cairo_status_t
write_cb (void                *closure,
          const unsigned char *data,
          unsigned int         length)
{
  Export *ex = closure;

  if (ex->write_errno != 0 || g_cancellable_is_cancelled (ex->cancellable))
    return CAIRO_STATUS_WRITE_ERROR;

  while (length > 0)
    {
      ssize_t n = write (ex->fd, data, length);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          ex->write_errno = errno;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += n;
      length -= n;
    }

  return CAIRO_STATUS_SUCCESS;
}

static void
export_clear (Export *ex)
{
  g_clear_pointer (&ex->cr, cairo_destroy);
  g_clear_pointer (&ex->surface, cairo_surface_destroy);
  g_clear_object (&ex->context);
  for (guint i = 0; i < N_STYLES; i++)
    g_clear_pointer (&ex->fonts[i], pango_font_description_free);
  g_clear_pointer (&ex->no_hyphens, pango_attr_list_unref);
  g_clear_pointer (&ex->rows, g_ptr_array_unref);
  g_clear_pointer (&ex->body_rows, g_ptr_array_unref);
  g_clear_pointer (&ex->all_rows, g_ptr_array_unref);
  g_clear_pointer (&ex->toc, g_ptr_array_unref);
  g_clear_pointer (&ex->pages, g_ptr_array_unref);
  g_clear_pointer (&ex->running_title, g_free);
}

static void
set_write_error (GError    **error,
                 const char *path,
                 int         errsv)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_WRITE,
               /* Translators: the first %s is a file name, the second the system's reason. */
               _("Could not write the PDF to “%s”: %s. Choose another folder or free some "
                 "space, then export again."),
               display, g_strerror (errsv));
}

static void
set_pdf_metadata (Export *ex)
{
  const char *name = cp_packet_get_enterprise_name (ex->packet);
  g_autofree char *title = NULL;
  g_autofree char *creator = g_strdup_printf ("Credit Packet %s", PACKAGE_VERSION);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *created = g_date_time_format_iso8601 (now);

  if (name != NULL)
    title = g_strdup_printf ("%s — %s", name, ex->running_title);
  else
    title = g_strdup (ex->running_title);

  cairo_pdf_surface_set_metadata (ex->surface, CAIRO_PDF_METADATA_TITLE, title);
  if (name != NULL)
    cairo_pdf_surface_set_metadata (ex->surface, CAIRO_PDF_METADATA_AUTHOR, name);
  cairo_pdf_surface_set_metadata (ex->surface, CAIRO_PDF_METADATA_CREATOR, creator);
  cairo_pdf_surface_set_metadata (ex->surface, CAIRO_PDF_METADATA_CREATE_DATE, created);
}

static gboolean
render (Export  *ex,
        GError **error)
{
  cairo_font_options_t *options;

  ex->surface = cairo_pdf_surface_create_for_stream (write_cb, ex, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_restrict_to_version (ex->surface, CAIRO_PDF_VERSION_1_5);
  set_pdf_metadata (ex);
  ex->cr = cairo_create (ex->surface);

  /* Unhinted metrics: what is measured is what is printed, at any zoom. */
  ex->context = pango_cairo_create_context (ex->cr);
  options = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (ex->context, options);
  cairo_font_options_destroy (options);
  pango_cairo_context_set_resolution (ex->context, 72);
  pango_context_set_round_glyph_positions (ex->context, FALSE);
  /* Han characters in their Simplified Chinese forms, whatever the user's locale. */
  pango_context_set_language (ex->context, pango_language_from_string ("zh-cn"));

  ex->no_hyphens = pango_attr_list_new ();
  pango_attr_list_insert (ex->no_hyphens, pango_attr_insert_hyphens_new (FALSE));

  for (guint i = 0; i < N_STYLES; i++)
    {
      ex->fonts[i] = pango_font_description_from_string (style_fonts[i].family);
      pango_font_description_set_size (ex->fonts[i], style_fonts[i].size * PANGO_SCALE);
      pango_font_description_set_weight (ex->fonts[i], style_fonts[i].weight);
    }

  build_document (ex, ex->sheet);
  if (g_cancellable_set_error_if_cancelled (ex->cancellable, error))
    return FALSE;

  paginate (ex, ex->rows);

  /* Now every entry knows its page. */
  for (guint i = 0; i < ex->toc->len; i++)
    {
      TocEntry *entry = g_ptr_array_index (ex->toc, i);
      g_autofree char *number = g_strdup_printf ("%d", entry->page);

      pango_layout_set_text (entry->number_row->cells[1].layout, number, -1);
      entry->number_row->link_page = entry->page;
    }

  for (guint i = 0; i < ex->pages->len; i++)
    {
      if (g_cancellable_set_error_if_cancelled (ex->cancellable, error))
        return FALSE;
      draw_page (ex, i);
    }

  /* Bookmarks for PDF viewers, one per table-of-contents entry. */
  for (guint i = 0; i < ex->toc->len; i++)
    {
      TocEntry *entry = g_ptr_array_index (ex->toc, i);
      g_autofree char *link = g_strdup_printf ("page=%d", entry->page);

      cairo_pdf_surface_add_outline (ex->surface, CAIRO_PDF_OUTLINE_ROOT, entry->title, link, 0);
    }

  g_clear_pointer (&ex->cr, cairo_destroy);
  cairo_surface_finish (ex->surface);

  if (g_cancellable_set_error_if_cancelled (ex->cancellable, error))
    return FALSE;
  if (ex->write_errno != 0)
    {
      set_write_error (error, ex->path, ex->write_errno);
      return FALSE;
    }
  if (cairo_surface_status (ex->surface) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_WRITE,
                   _("Could not produce the PDF (%s). Export again; if it fails again, report "
                     "the problem."),
                   cairo_status_to_string (cairo_surface_status (ex->surface)));
      return FALSE;
    }

  return TRUE;
}

gboolean
cp_export_pdf (CpTemplateRegistry *registry,
               CpPacket           *packet,
               const char         *path,
               GCancellable       *cancellable,
               GError            **error)
{
  Export ex = { 0, };
  const CpScoringRef *scoring;
  const char *sheet_id;
  g_autofree char *dir = NULL;
  g_autofree char *base = NULL;
  g_autofree char *tmp_path = NULL;
  gboolean ok;

  g_return_val_if_fail (CP_IS_TEMPLATE_REGISTRY (registry), FALSE);
  g_return_val_if_fail (CP_IS_PACKET (packet), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* The template version the packet was made with, or else the newest. */
  ex.kind = cp_template_registry_lookup_kind_version (registry, cp_packet_get_kind (packet),
                                                      cp_packet_get_template_version (packet));
  if (ex.kind == NULL)
    ex.kind = cp_template_registry_lookup_kind (registry, cp_packet_get_kind (packet));
  if (ex.kind == NULL)
    {
      g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_TEMPLATE,
                   _("The packet kind “%s” is unknown to this program. Update the templates, "
                     "then export again."),
                   cp_packet_get_kind (packet));
      return FALSE;
    }

  scoring = cp_template_get_scoring (ex.kind);
  sheet_id = cp_packet_get_sheet_id (packet);
  if (sheet_id != NULL)
    ex.sheet = cp_template_registry_lookup_sheet_version (registry, sheet_id,
                                                         cp_packet_get_sheet_version (packet));
  else if (scoring != NULL)
    sheet_id = scoring->sheet_id;
  if (sheet_id != NULL && ex.sheet == NULL)
    {
      ex.sheet = cp_template_registry_lookup_sheet (registry, sheet_id);
      if (ex.sheet == NULL)
        {
          g_set_error (error, CP_EXPORT_ERROR, CP_EXPORT_ERROR_TEMPLATE,
                       _("The scoring sheet “%s” is unknown to this program. Update the "
                         "templates, then export again."),
                       sheet_id);
          return FALSE;
        }
    }

  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  ex.fd = g_mkstemp_full (tmp_path, O_WRONLY | O_CLOEXEC, 0666);
  if (ex.fd < 0)
    {
      set_write_error (error, path, errno);
      return FALSE;
    }

  ex.registry = registry;
  ex.packet = packet;
  ex.path = path;
  ex.cancellable = cancellable;
  ex.rows = g_ptr_array_new ();
  ex.body_rows = g_ptr_array_new ();
  ex.all_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  ex.toc = g_ptr_array_new_with_free_func ((GDestroyNotify) toc_entry_free);
  ex.pages = g_ptr_array_new_with_free_func ((GDestroyNotify) page_free);
  ex.running_title = g_strdup (cp_text_get (cp_template_get_title (ex.kind)));

  ok = render (&ex, error);
  export_clear (&ex);

  if (ok && fsync (ex.fd) != 0)
    {
      set_write_error (error, path, errno);
      ok = FALSE;
    }
  if (close (ex.fd) != 0 && ok)
    {
      set_write_error (error, path, errno);
      ok = FALSE;
    }
  if (ok && g_rename (tmp_path, path) != 0)
    {
      set_write_error (error, path, errno);
      ok = FALSE;
    }
  if (!ok)
    g_unlink (tmp_path);

  return ok;
}
