/* cp-window-private.h — what the main window's files share
 *
 * Copyright 2026 The Credit Packet authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "cp-application.h"
#include "cp-packet-list.h"
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
  CpPacketList         *packet_list;
  CpPacketView         *packet_view;
  CpSyncStatus         *sync_status;
  GtkWidget            *new_button;

  CpSyncManager        *sync;
  CpSyncManagerStatus   last_status;
  AdwToast             *login_toast;  /* weak: "log in again", until dismissed or logged in */
  AdwToast             *last_toast;     /* weak: the last one shown, see _cp_window_add_toast() */
  GPtrArray            *waiting_toasts; /* of high priority, until the last one's show ends */
  guint                 counts_id;

  /* The store, the sync and the list start after the first frame (cp_window_start()). */
  gboolean              started;
  GdkFrameClock        *start_clock;  /* waited on for the first frame */
  guint                 start_id;

  guint                 generation;   /* of list reads: a late thread result is dropped */
  GHashTable           *review_comments;  /* uuid → GPtrArray of CpComment *, as last read */
  GHashTable           *submissions;  /* uuid → "Submitted on … by …", from the server */
  char                 *undo_uuid;    /* the last deletion, while its toast is up */
  AdwToast             *undo_toast;   /* weak */
  GPtrArray            *toasts;       /* the texts of the last toasts shown, oldest first */
  char                 *authors_uuid; /* the packet whose authors are being asked for */
};

CpApplication      *_cp_window_get_app              (CpWindow       *self);
CpStore            *_cp_window_get_store            (CpWindow       *self);
CpTemplateRegistry *_cp_window_get_registry         (CpWindow       *self);
/* Reads the list again in a thread. */
void                _cp_window_reload_async         (CpWindow       *self);
/* Every toast of the window goes through these: see cp-window.c on libadwaita 1.2's toasts. */
void                _cp_window_add_toast            (CpWindow       *self,
                                                     AdwToast       *toast);
void                _cp_window_dismiss_toast        (CpWindow       *self,
                                                     AdwToast       *toast);

/* cp-window-actions.c */
void                _cp_window_class_actions_init   (GtkWidgetClass *widget_class);
void                _cp_window_setup_sync           (CpWindow       *self);
/* What the open packet's workflow state allows: an accepted or submitted packet is
 * read-only. */
void                _cp_window_apply_workflow_state (CpWindow       *self);

/* What the tests and the benchmarks read and drive (cp-window.c). */
/* Whether the packet list has been read (it is read in a thread when the window opens). */
gboolean    cp_window_is_loaded        (CpWindow      *self);
/* The list model as shown (after search and filters); element type CpPacketItem. */
GListModel *cp_window_get_visible_packets (CpWindow   *self);
void        cp_window_set_search       (CpWindow      *self,
                                        const char    *text);
GtkWidget  *cp_window_get_packet_view  (CpWindow      *self);
/* The texts of the last toasts cp_window_show_toast() showed (at most 20, oldest first;
 * element type char *). */
GPtrArray  *cp_window_get_toasts       (CpWindow      *self);

G_END_DECLS
