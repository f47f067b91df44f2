#include "ppm-gtk-corner.h"

#define PPM_GTK_CORNER_MARGIN 16
#define PPM_GTK_CORNER_GAP 8
/* Our own last moves of a window: a configure event at one of them is ours,
 * even when it arrives after a later move. */
#define PPM_GTK_CORNER_RECENT 4

typedef struct
{
  GtkWindow *window;
  gboolean pinned; /* out of the column, where the user (or `prefer`) put it */
  gboolean prefer_set;
  GdkRectangle prefer;
  GdkPoint recent[PPM_GTK_CORNER_RECENT];
  guint n_recent;
  PpmGtkCornerMoved moved;
  gpointer moved_data;
} PpmGtkCorner;

/* Every corner window, in the order they were made. */
static GList *corners;

static void ppm_gtk_corner_layout(GtkWindow *showing);

static gboolean
ppm_gtk_corner_is_shown(PpmGtkCorner *corner, GtkWindow *showing)
{
  return corner->window == showing || gtk_widget_get_visible(GTK_WIDGET(corner->window));
}

/* Where the window is now, at the size its content asks for. */
static GdkRectangle
ppm_gtk_corner_rect(PpmGtkCorner *corner)
{
  GtkRequisition size;
  gtk_widget_size_request(GTK_WIDGET(corner->window), &size);
  GdkRectangle rect = { 0, 0, size.width, size.height };
  gtk_window_get_position(corner->window, &rect.x, &rect.y);
  return rect;
}

static void
ppm_gtk_corner_move(PpmGtkCorner *corner, int x, int y)
{
  int now_x, now_y;
  gtk_window_get_position(corner->window, &now_x, &now_y);
  if (corner->n_recent > 0 && now_x == x && now_y == y)
    return;
  corner->recent[corner->n_recent % PPM_GTK_CORNER_RECENT] = (GdkPoint){ x, y };
  corner->n_recent++;
  gtk_window_move(corner->window, x, y);
}

static gboolean
ppm_gtk_corner_is_ours(PpmGtkCorner *corner, int x, int y)
{
  for (guint i = 0; i < MIN(corner->n_recent, PPM_GTK_CORNER_RECENT); i++)
    if (corner->recent[i].x == x && corner->recent[i].y == y)
      return TRUE;
  return FALSE;
}

/* The first shown window other than `self` that `rect` would cover, or NULL. */
static PpmGtkCorner *
ppm_gtk_corner_covered(const GdkRectangle *rect, PpmGtkCorner *self, GtkWindow *showing,
                       gboolean pinned_only)
{
  for (GList *l = corners; l != NULL; l = l->next)
    {
      PpmGtkCorner *other = l->data;
      if (other == self || !ppm_gtk_corner_is_shown(other, showing)
          || (pinned_only && !other->pinned))
        continue;
      GdkRectangle other_rect = ppm_gtk_corner_rect(other);
      if (gdk_rectangle_intersect(rect, &other_rect, NULL))
        return other;
    }
  return NULL;
}

/* A window shown for the first time with a preferred spot takes it if free. */
static void
ppm_gtk_corner_take_preferred(PpmGtkCorner *corner, GtkWindow *showing)
{
  corner->prefer_set = FALSE;
  GdkRectangle rect = ppm_gtk_corner_rect(corner);
  rect.x = corner->prefer.x;
  rect.y = corner->prefer.y;
  if (ppm_gtk_corner_covered(&rect, corner, showing, FALSE) != NULL)
    return;
  corner->pinned = TRUE;
  ppm_gtk_corner_move(corner, rect.x, rect.y);
}

/* Lays the column out from the corner upwards; `showing` is about to be
 * shown and counts as shown. */
static void
ppm_gtk_corner_layout(GtkWindow *showing)
{
  if (corners == NULL)
    return;
  GdkScreen *screen = gtk_window_get_screen(((PpmGtkCorner *)corners->data)->window);
  int right = gdk_screen_get_width(screen) - PPM_GTK_CORNER_MARGIN;
  int bottom = gdk_screen_get_height(screen) - PPM_GTK_CORNER_MARGIN;
  int y = bottom, column_width = 0;
  for (GList *l = corners; l != NULL; l = l->next)
    {
      PpmGtkCorner *corner = l->data;
      if (corner->window == showing && corner->prefer_set)
        ppm_gtk_corner_take_preferred(corner, showing);
      else if (corner->window == showing && corner->pinned)
        {
          /* Shown again where it was put: back into the column if another
           * window was put there since (the column keeps clear by itself). */
          GdkRectangle rect = ppm_gtk_corner_rect(corner);
          corner->pinned = ppm_gtk_corner_covered(&rect, corner, showing, TRUE) == NULL;
        }
      if (corner->pinned || !ppm_gtk_corner_is_shown(corner, showing))
        continue;
      GdkRectangle rect = ppm_gtk_corner_rect(corner);
      rect.x = right - rect.width;
      rect.y = y - rect.height;
      /* Above every window the user put in the way, or in a new column. */
      for (PpmGtkCorner *in_the_way;
           (in_the_way = ppm_gtk_corner_covered(&rect, corner, showing, TRUE)) != NULL;)
        rect.y = ppm_gtk_corner_rect(in_the_way).y - PPM_GTK_CORNER_GAP - rect.height;
      if (rect.y < PPM_GTK_CORNER_MARGIN && y < bottom)
        {
          right -= column_width + PPM_GTK_CORNER_GAP;
          column_width = 0;
          rect.x = right - rect.width;
          rect.y = bottom - rect.height;
        }
      ppm_gtk_corner_move(corner, MAX(rect.x, 0), MAX(rect.y, 0));
      y = rect.y - PPM_GTK_CORNER_GAP;
      column_width = MAX(column_width, rect.width);
    }
}

static void
ppm_gtk_corner_on_show(GtkWidget *window, gpointer data)
{
  ppm_gtk_corner_layout(GTK_WINDOW(window));
}

static void
ppm_gtk_corner_on_change(GtkWidget *window, gpointer data)
{
  ppm_gtk_corner_layout(NULL);
}

/* A position we did not ask for is the user's move. */
static gboolean
ppm_gtk_corner_on_configure(GtkWidget *window, GdkEventConfigure *event, gpointer data)
{
  PpmGtkCorner *corner = data;
  int x, y;
  gtk_window_get_position(GTK_WINDOW(window), &x, &y);
  if (ppm_gtk_corner_is_ours(corner, x, y))
    return FALSE;
  corner->pinned = TRUE;
  corner->recent[corner->n_recent % PPM_GTK_CORNER_RECENT] = (GdkPoint){ x, y };
  corner->n_recent++;
  if (corner->moved != NULL)
    corner->moved(GTK_WINDOW(window), x, y, corner->moved_data);
  ppm_gtk_corner_layout(NULL);
  return FALSE;
}

static void
ppm_gtk_corner_on_destroy(GtkWidget *window, gpointer data)
{
  corners = g_list_remove(corners, data);
  g_free(data);
  ppm_gtk_corner_layout(NULL);
}

GtkWidget *
ppm_gtk_corner_window_new(const char *title, const char *accessible_name, PpmGtkCornerMoved moved,
                          gpointer moved_data)
{
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  GtkWindow *w = GTK_WINDOW(window);
  gtk_window_set_title(w, title);
  gtk_window_set_type_hint(w, GDK_WINDOW_TYPE_HINT_UTILITY);
  gtk_window_set_keep_above(w, TRUE);
  gtk_window_set_skip_taskbar_hint(w, TRUE);
  gtk_window_set_focus_on_map(w, FALSE);
  gtk_window_set_resizable(w, FALSE);
  gtk_container_set_border_width(GTK_CONTAINER(window), 10);
  atk_object_set_name(gtk_widget_get_accessible(window), accessible_name);
  g_signal_connect(window, "delete-event", G_CALLBACK(gtk_widget_hide_on_delete), NULL);

  PpmGtkCorner *corner = g_new0(PpmGtkCorner, 1);
  corner->window = w;
  corner->moved = moved;
  corner->moved_data = moved_data;
  corners = g_list_append(corners, corner);
  g_signal_connect(window, "show", G_CALLBACK(ppm_gtk_corner_on_show), NULL);
  g_signal_connect_after(window, "hide", G_CALLBACK(ppm_gtk_corner_on_change), NULL);
  g_signal_connect_after(window, "check-resize", G_CALLBACK(ppm_gtk_corner_on_change), NULL);
  g_signal_connect(window, "configure-event", G_CALLBACK(ppm_gtk_corner_on_configure), corner);
  g_signal_connect(window, "destroy", G_CALLBACK(ppm_gtk_corner_on_destroy), corner);
  return window;
}

void
ppm_gtk_corner_prefer(GtkWindow *window, int x, int y)
{
  for (GList *l = corners; l != NULL; l = l->next)
    {
      PpmGtkCorner *corner = l->data;
      if (corner->window == window)
        {
          corner->prefer_set = TRUE;
          corner->prefer.x = x;
          corner->prefer.y = y;
        }
    }
}

void
ppm_gtk_corner_hide_clicked(GtkButton *button, gpointer data)
{
  gtk_widget_hide(gtk_widget_get_toplevel(GTK_WIDGET(button)));
}
