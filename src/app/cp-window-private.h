/* cp-window-private.h — what the main window's files share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-application.h"
#include "cp-packet-view.h"
#include "cp-sync-status.h"
#include "cp-window.h"

G_BEGIN_DECLS

struct _CpWindow
{
  AdwApplicationWindow  parent_instance;

  /* template children */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwWindowTitle       *list_title;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *kind_dropdown;
  GtkDropDown          *state_dropdown;
  GtkDropDown          *year_dropdown;
  GtkStack             *list_stack;
  GtkSpinner           *loading_spinner;
  GtkListView          *list_view;
  CpPacketView         *packet_view;
  CpSyncStatus         *sync_status;

  CpSyncManager        *sync;
  CpSyncManagerStatus   last_status;
  AdwToast             *login_toast;  /* weak: "log in again", until dismissed or logged in */
  guint                 counts_id;

  GListStore           *packets;
  GtkFilterListModel   *filtered;
  GtkCustomFilter      *filter;
  GPtrArray            *kind_ids;     /* kind filter position - 1 → kind id */
  GArray               *years;        /* year filter position - 1 → year */
  char                 *needle;       /* case-folded search text */
  gboolean              loading_filters;
  gboolean              loaded;       /* the list has been read at least once */
  GQueue               *completeness_queue;   /* items waiting for their completeness */
  GHashTable           *completeness_queued;
  guint                 completeness_id;
  guint                 generation;   /* of list reads: a late thread result is dropped */
  GHashTable           *review_comments;  /* uuid → GPtrArray of CpComment *, as last read */
  GHashTable           *submissions;  /* uuid → "Submitted on … by …", from the server */
  gboolean              show_trash;   /* the list shows the deleted packets */
  char                 *undo_uuid;    /* the last deletion, while its toast is up */
  AdwToast             *undo_toast;   /* weak */
  GPtrArray            *toasts;       /* the texts of the last toasts shown, oldest first */
};

CpApplication      *_cp_window_get_app              (CpWindow       *self);
CpStore            *_cp_window_get_store            (CpWindow       *self);
CpTemplateRegistry *_cp_window_get_registry         (CpWindow       *self);
/* Reads the list again in a thread. */
void                _cp_window_reload_async         (CpWindow       *self);
void                _cp_window_list_activate_cb     (CpWindow       *self,
                                                     guint           position,
                                                     GtkListView    *view);

/* cp-window-actions.c */
void                _cp_window_class_actions_init   (GtkWidgetClass *widget_class);
gboolean            _cp_window_list_key_cb          (GtkWidget      *widget,
                                                     GVariant       *args,
                                                     gpointer        user_data);
void                _cp_window_setup_sync           (CpWindow       *self);
/* What the open packet's workflow state allows: an accepted or submitted packet is
 * read-only. */
void                _cp_window_apply_workflow_state (CpWindow       *self);

G_END_DECLS
