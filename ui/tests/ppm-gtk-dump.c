#include "ppm-gtk-dump.h"

#include <pidgin/gtkblist.h>
#include <string.h>

static gboolean
ppm_gtk_dump_is_ours(GtkWidget *widget)
{
  return g_str_has_prefix(gtk_widget_get_name(widget), "ppm-");
}

static void
ppm_gtk_dump_tree(GString *out, GtkTreeView *view)
{
  GtkTreeModel *model = gtk_tree_view_get_model(view);
  int columns = gtk_tree_model_get_n_columns(model);
  GtkTreeIter iter;
  for (gboolean ok = gtk_tree_model_get_iter_first(model, &iter); ok;
       ok = gtk_tree_model_iter_next(model, &iter))
    {
      g_string_append(out, "    row:");
      for (int c = 0; c < columns; c++)
        {
          g_autofree char *cell = NULL;
          gtk_tree_model_get(model, &iter, c, &cell, -1);
          g_string_append_printf(out, "%s%s", c == 0 ? " " : " | ", cell != NULL ? cell : "");
        }
      g_string_append_c(out, '\n');
    }
}

static void ppm_gtk_dump_widget(GtkWidget *widget, gpointer data);

static void
ppm_gtk_dump_widget(GtkWidget *widget, gpointer data)
{
  GString *out = data;
  if (ppm_gtk_dump_is_ours(widget) && !GTK_IS_WINDOW(widget))
    {
      g_string_append_printf(out, "  %s:", gtk_widget_get_name(widget));
      if (!gtk_widget_get_visible(widget))
        g_string_append(out, " hidden");
      if (!gtk_widget_get_sensitive(widget))
        g_string_append(out, " insensitive");
      if (GTK_IS_TOGGLE_BUTTON(widget))
        g_string_append_printf(out, " active=%d",
                               gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(widget)));
      if (GTK_IS_SPINNER(widget))
        {
          gboolean active = FALSE;
          g_object_get(widget, "active", &active, NULL);
          g_string_append_printf(out, " active=%d", active);
        }
      if (GTK_IS_LABEL(widget))
        g_string_append_printf(out, " %s", gtk_label_get_text(GTK_LABEL(widget)));
      else if (GTK_IS_ENTRY(widget) && !gtk_entry_get_visibility(GTK_ENTRY(widget)))
        /* A password never leaves its field, not even into a dump. */
        g_string_append_printf(out, " masked, %u characters",
                               (guint)gtk_entry_get_text_length(GTK_ENTRY(widget)));
      else if (GTK_IS_ENTRY(widget))
        g_string_append_printf(out, " %s", gtk_entry_get_text(GTK_ENTRY(widget)));
      else if (GTK_IS_BUTTON(widget) && GTK_IS_LABEL(gtk_bin_get_child(GTK_BIN(widget))))
        g_string_append_printf(out, " %s",
                               gtk_label_get_text(GTK_LABEL(gtk_bin_get_child(GTK_BIN(widget)))));
      else if (GTK_IS_FILE_CHOOSER_BUTTON(widget))
        {
          g_autofree char *file = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(widget));
          g_string_append_printf(out, " file=%s", file != NULL ? file : "(none)");
        }
      else if (GTK_IS_TEXT_VIEW(widget))
        {
          GtkTextBuffer *buffer = gtk_text_view_get_buffer(GTK_TEXT_VIEW(widget));
          GtkTextIter start, end;
          gtk_text_buffer_get_bounds(buffer, &start, &end);
          g_autofree char *text = gtk_text_buffer_get_text(buffer, &start, &end, FALSE);
          g_string_append_printf(out, " %s", text);
        }
      g_string_append_c(out, '\n');
      if (GTK_IS_TREE_VIEW(widget))
        ppm_gtk_dump_tree(out, GTK_TREE_VIEW(widget));
    }
  if (GTK_IS_CONTAINER(widget))
    gtk_container_forall(GTK_CONTAINER(widget), ppm_gtk_dump_widget, out);
}

char *
ppm_gtk_dump_windows(void)
{
  GString *out = g_string_new(NULL);
  GList *windows = gtk_window_list_toplevels();
  for (GList *l = windows; l != NULL; l = l->next)
    {
      GtkWidget *window = l->data;
      if (!ppm_gtk_dump_is_ours(window))
        continue;
      int x, y, w, h;
      gtk_window_get_position(GTK_WINDOW(window), &x, &y);
      gtk_window_get_size(GTK_WINDOW(window), &w, &h);
      g_string_append_printf(out, "window %s visible=%d x=%d y=%d w=%d h=%d title=%s\n",
                             gtk_widget_get_name(window), gtk_widget_get_visible(window), x, y, w,
                             h, gtk_window_get_title(GTK_WINDOW(window)));
      gtk_container_forall(GTK_CONTAINER(window), ppm_gtk_dump_widget, out);
    }
  g_list_free(windows);
  return g_string_free(out, FALSE);
}

static const char *
ppm_gtk_dump_item_label(GtkWidget *item)
{
  GtkWidget *child = gtk_bin_get_child(GTK_BIN(item));
  return GTK_IS_LABEL(child) ? gtk_label_get_text(GTK_LABEL(child)) : "";
}

char *
ppm_gtk_dump_tools_menu(void)
{
  GString *out = g_string_new(NULL);
  PidginBuddyList *blist = pidgin_blist_get_default_gtk_blist();
  GtkWidget *tools = blist != NULL && blist->ift != NULL
                         ? gtk_item_factory_get_widget(blist->ift, "/Tools")
                         : NULL;
  if (tools == NULL)
    return g_string_free(out, FALSE);
  GList *items = gtk_container_get_children(GTK_CONTAINER(tools));
  for (GList *i = items; i != NULL; i = i->next)
    {
      if (!GTK_IS_MENU_ITEM(i->data) || gtk_menu_item_get_submenu(i->data) == NULL)
        continue;
      GList *entries
          = gtk_container_get_children(GTK_CONTAINER(gtk_menu_item_get_submenu(i->data)));
      for (GList *e = entries; e != NULL; e = e->next)
        if (GTK_IS_MENU_ITEM(e->data))
          g_string_append_printf(out, "%s › %s\n", ppm_gtk_dump_item_label(i->data),
                                 ppm_gtk_dump_item_label(e->data));
      g_list_free(entries);
    }
  g_list_free(items);
  return g_string_free(out, FALSE);
}

typedef struct
{
  const char *name;
  GtkWidget *found;
} PpmGtkDumpSearch;

static void
ppm_gtk_dump_search(GtkWidget *widget, gpointer data)
{
  PpmGtkDumpSearch *search = data;
  if (search->found != NULL)
    return;
  if (strcmp(gtk_widget_get_name(widget), search->name) == 0)
    search->found = widget;
  else if (GTK_IS_CONTAINER(widget))
    gtk_container_forall(GTK_CONTAINER(widget), ppm_gtk_dump_search, search);
}

GtkWidget *
ppm_gtk_dump_find(const char *title, const char *name)
{
  PpmGtkDumpSearch search = { name, NULL };
  GList *windows = gtk_window_list_toplevels();
  for (GList *l = windows; l != NULL && search.found == NULL; l = l->next)
    if (ppm_gtk_dump_is_ours(l->data)
        && (title == NULL || strstr(gtk_window_get_title(l->data), title) != NULL))
      ppm_gtk_dump_search(l->data, &search);
  g_list_free(windows);
  return search.found;
}
