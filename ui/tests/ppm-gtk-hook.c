#include "ppm-gtk-hook.h"

#include "ppm-gtk-core.h"
#include "ppm-gtk-dump.h"
#include "ppm-gtk-ipc.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <libpurple/mediamanager.h>
#include <libpurple/plugin.h>
#include <pidgin/gtkplugin.h>
#include <string.h>

typedef struct
{
  GHashTable *values; /* key -> unescaped value (the last one given) */
  GPtrArray *rows;    /* every row=, in order */
} PpmGtkHookArgs;

static GSocketService *service;
static char *socket_path;
static const PpmUiOps *ops;   /* gtk-ppm's table, borrowed through its IPC */
static GString *results;      /* what rating and history callbacks received */
static PurpleMedia *incoming; /* the last incoming call, for "accept" */
static gulong init_media_id;

static gboolean
ppm_gtk_hook_on_init_media(PurpleMediaManager *manager, PurpleMedia *media, PurpleAccount *account,
                           const char *remote_user, gpointer data)
{
  gboolean initiator = TRUE;
  g_object_get(media, "initiator", &initiator, NULL);
  if (!initiator)
    g_set_weak_pointer(&incoming, media);
  /* init-media is RUN_LAST without accumulator: FALSE would drop the call. */
  return TRUE;
}

static void
ppm_gtk_hook_args_clear(PpmGtkHookArgs *args)
{
  g_clear_pointer(&args->values, g_hash_table_destroy);
  g_clear_pointer(&args->rows, g_ptr_array_unref);
}

static void
ppm_gtk_hook_args_parse(PpmGtkHookArgs *args, char **tokens)
{
  args->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  args->rows = g_ptr_array_new_with_free_func(g_free);
  for (char **t = tokens; *t != NULL; t++)
    {
      char *eq = strchr(*t, '=');
      if (eq == NULL)
        continue;
      char *value = g_uri_unescape_string(eq + 1, NULL);
      if (value == NULL)
        value = g_strdup(eq + 1);
      if (g_str_has_prefix(*t, "row="))
        g_ptr_array_add(args->rows, value);
      else
        g_hash_table_replace(args->values, g_strndup(*t, (gsize)(eq - *t)), value);
    }
}

static const char *
ppm_gtk_hook_get(PpmGtkHookArgs *args, const char *key)
{
  return g_hash_table_lookup(args->values, key);
}

static gint64
ppm_gtk_hook_get_int_or(PpmGtkHookArgs *args, const char *key, gint64 missing)
{
  const char *value = ppm_gtk_hook_get(args, key);
  return value != NULL ? g_ascii_strtoll(value, NULL, 10) : missing;
}

static gint64
ppm_gtk_hook_get_int(PpmGtkHookArgs *args, const char *key)
{
  return ppm_gtk_hook_get_int_or(args, key, 0);
}

/* The index of `text` in `names`: the enum value of that name, 0 if none. */
static int
ppm_gtk_hook_enum(const char *text, const char *const *names, gsize n_names)
{
  for (gsize i = 0; i < n_names; i++)
    if (g_strcmp0(names[i], text) == 0)
      return (int)i;
  return 0;
}

/* In the order of PpmTrackerState and PpmCallerKind. */
static const char *const state_names[]
    = { "opening", "charging", "not_charging", "unbilled", "ended" };
static const char *const kind_names[]
    = { "funded", "unfunded", "not_member", "unknown", "signed_out" };

static void
ppm_gtk_hook_on_rated(int stars, const char *comment, gpointer user_data)
{
  g_string_append_printf(results, "rated stars=%d comment=%s\n", stars,
                         comment != NULL ? comment : "(none)");
}

static void
ppm_gtk_hook_on_history_more(const char *before, gpointer more_data)
{
  g_string_append_printf(results, "history-load before=%s\n", before != NULL ? before : "(newest)");
}

/* Clicks a button or an expander, types into an entry or text view, or picks
 * a file in a file chooser button, found by name (in the window whose title
 * contains `window=`, if given). */
static char *
ppm_gtk_hook_drive(const char *command, PpmGtkHookArgs *args)
{
  const char *name = ppm_gtk_hook_get(args, "name");
  GtkWidget *widget = ppm_gtk_dump_find(ppm_gtk_hook_get(args, "window"), name != NULL ? name : "");
  if (widget == NULL)
    return g_strdup("error no such widget");
  const char *text = ppm_gtk_hook_get(args, "text");
  if (g_strcmp0(command, "click") == 0 && GTK_IS_BUTTON(widget))
    gtk_button_clicked(GTK_BUTTON(widget));
  else if (g_strcmp0(command, "click") == 0 && GTK_IS_EXPANDER(widget))
    gtk_expander_set_expanded(GTK_EXPANDER(widget),
                              !gtk_expander_get_expanded(GTK_EXPANDER(widget)));
  else if (g_strcmp0(command, "type") == 0 && GTK_IS_ENTRY(widget))
    gtk_entry_set_text(GTK_ENTRY(widget), text != NULL ? text : "");
  else if (g_strcmp0(command, "type") == 0 && GTK_IS_TEXT_VIEW(widget))
    gtk_text_buffer_set_text(gtk_text_view_get_buffer(GTK_TEXT_VIEW(widget)),
                             text != NULL ? text : "", -1);
  else if (g_strcmp0(command, "choose") == 0 && GTK_IS_FILE_CHOOSER_BUTTON(widget))
    {
      /* What picking a file in the button's dialog ends with. */
      gtk_file_chooser_set_filename(GTK_FILE_CHOOSER(widget), ppm_gtk_hook_get(args, "file"));
      g_signal_emit_by_name(widget, "file-set");
    }
  else
    return g_strdup("error the widget cannot do that");
  return g_strdup("ok");
}

static void
ppm_gtk_hook_on_configure_destroy(GtkWidget *window, gpointer data)
{
  PurplePlugin *plugin = data;
  /* Pidgin's own dialog frees the libpurple frame it built the widgets from. */
  if (plugin->info->prefs_info != NULL && plugin->info->prefs_info->frame != NULL)
    {
      purple_plugin_pref_frame_destroy(plugin->info->prefs_info->frame);
      plugin->info->prefs_info->frame = NULL;
    }
}

/* What Pidgin's Configure Plugin button opens: the plugin's frame in a
 * window ("Configure ID"), with a Close button (ppm-configure-close). */
static char *
ppm_gtk_hook_configure(PpmGtkHookArgs *args)
{
  const char *id = ppm_gtk_hook_get(args, "id");
  PurplePlugin *plugin = purple_plugins_find_with_id(id != NULL ? id : "");
  if (plugin == NULL || !purple_plugin_is_loaded(plugin))
    return g_strdup("error no such plugin loaded");
  GtkWidget *frame = pidgin_plugin_get_config_frame(plugin);
  if (frame == NULL)
    return g_strdup("error the plugin has no configuration frame");
  GtkWidget *window = gtk_window_new(GTK_WINDOW_TOPLEVEL);
  gtk_widget_set_name(window, "ppm-configure");
  g_autofree char *title = g_strdup_printf("Configure %s", id);
  gtk_window_set_title(GTK_WINDOW(window), title);
  GtkWidget *box = gtk_vbox_new(FALSE, 6);
  gtk_container_add(GTK_CONTAINER(window), box);
  gtk_box_pack_start(GTK_BOX(box), frame, TRUE, TRUE, 0);
  GtkWidget *close = gtk_button_new_from_stock(GTK_STOCK_CLOSE);
  gtk_widget_set_name(close, "ppm-configure-close");
  g_signal_connect_swapped(close, "clicked", G_CALLBACK(gtk_widget_destroy), window);
  gtk_box_pack_end(GTK_BOX(box), close, FALSE, FALSE, 0);
  g_signal_connect(window, "destroy", G_CALLBACK(ppm_gtk_hook_on_configure_destroy), plugin);
  gtk_widget_show_all(window);
  return g_strdup("ok");
}

/* One page of the history as core-ppm sends it; its page requests are
 * recorded for "results". */
static char *
ppm_gtk_hook_history_page(PpmGtkHookArgs *args)
{
  g_autofree PpmHistoryRow *rows = g_new0(PpmHistoryRow, args->rows->len);
  g_autoptr(GPtrArray) split = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
  for (guint i = 0; i < args->rows->len; i++)
    {
      char **cells = g_strsplit(args->rows->pdata[i], "|", 5);
      g_ptr_array_add(split, cells);
      if (g_strv_length(cells) < 4)
        return g_strdup("error a row needs time|kind|amount|balance[|member]");
      rows[i] = (PpmHistoryRow){ cells[0], cells[1], cells[2], cells[3], cells[4] };
    }
  PpmHistoryPage page = {
    .before = ppm_gtk_hook_get(args, "before"),
    .rows = rows,
    .n_rows = args->rows->len,
    .balance = ppm_gtk_hook_get(args, "balance"),
    .next_before = ppm_gtk_hook_get(args, "next"),
    .error = ppm_gtk_hook_get(args, "error"),
  };
  ops->history_page(&page, ppm_gtk_hook_on_history_more, NULL);
  return g_strdup("ok");
}

static char *
ppm_gtk_hook_run(const char *command, PpmGtkHookArgs *args)
{
  if (g_str_has_prefix(command, "tracker-show") || g_str_has_prefix(command, "tracker-update"))
    {
      PpmTrackerInfo info = {
        .call_id = ppm_gtk_hook_get(args, "call_id"),
        .member = ppm_gtk_hook_get(args, "member"),
        .state = (PpmTrackerState)ppm_gtk_hook_enum(ppm_gtk_hook_get(args, "state"), state_names,
                                                    G_N_ELEMENTS(state_names)),
        .minutes = ppm_gtk_hook_get_int(args, "minutes"),
        .total = ppm_gtk_hook_get(args, "total"),
        .secured = (int)ppm_gtk_hook_get_int(args, "secured"),
        .line = ppm_gtk_hook_get(args, "line"),
        /* Without elapsed_ms the window keeps its own count. */
        .elapsed_ms = ppm_gtk_hook_get_int_or(args, "elapsed_ms", -1),
        .rate = ppm_gtk_hook_get(args, "rate"),
        .earnings = ppm_gtk_hook_get(args, "earnings"),
        .caller_status = ppm_gtk_hook_get(args, "status"),
        .reason = ppm_gtk_hook_get(args, "reason"),
      };
      if (info.call_id == NULL)
        return g_strdup("error call_id is missing");
      (g_str_equal(command, "tracker-show") ? ops->tracker_show : ops->tracker_update)(&info);
    }
  else if (g_str_equal(command, "tracker-hide"))
    ops->tracker_hide(ppm_gtk_hook_get(args, "call_id"));
  else if (g_str_equal(command, "banner"))
    {
      PpmBanner banner = {
        .account = ppm_gtk_hook_get(args, "account"),
        .protocol = ppm_gtk_hook_get(args, "protocol"),
        .caller = ppm_gtk_hook_get(args, "caller"),
        .kind
        = ppm_gtk_hook_enum(ppm_gtk_hook_get(args, "kind"), kind_names, G_N_ELEMENTS(kind_names)),
        .text = ppm_gtk_hook_get(args, "text"),
      };
      if (banner.caller == NULL)
        return g_strdup("error caller is missing");
      ops->incoming_call(&banner);
    }
  else if (g_str_equal(command, "banner-done"))
    ops->incoming_call_done(ppm_gtk_hook_get(args, "caller"));
  else if (g_str_equal(command, "rating"))
    ops->rating_request(ppm_gtk_hook_get(args, "title"), ppm_gtk_hook_on_rated, NULL);
  else if (g_str_equal(command, "core-action"))
    {
      if (!ppm_gtk_core_run_action(ppm_gtk_hook_get(args, "label")))
        return g_strdup("error core-ppm has no such action");
    }
  else if (g_str_equal(command, "accept"))
    {
      /* What Pidgin's Accept button does. */
      if (incoming == NULL)
        return g_strdup("error no incoming call");
      purple_media_stream_info(incoming, PURPLE_MEDIA_INFO_ACCEPT, NULL, NULL, TRUE);
    }
  else if (g_str_equal(command, "settings"))
    ops->settings_show();
  else if (g_str_equal(command, "history-page"))
    return ppm_gtk_hook_history_page(args);
  else if (g_str_equal(command, "click") || g_str_equal(command, "type")
           || g_str_equal(command, "choose"))
    return ppm_gtk_hook_drive(command, args);
  else if (g_str_equal(command, "configure"))
    return ppm_gtk_hook_configure(args);
  else if (g_str_equal(command, "results"))
    {
      g_autofree char *escaped = g_uri_escape_string(results->str, NULL, FALSE);
      return g_strconcat("ok ", escaped, NULL);
    }
  else if (g_str_equal(command, "tools-menu"))
    {
      g_autofree char *menu = ppm_gtk_dump_tools_menu();
      g_autofree char *escaped = g_uri_escape_string(menu, NULL, FALSE);
      return g_strconcat("ok ", escaped, NULL);
    }
  else if (g_str_equal(command, "dump"))
    {
      g_autofree char *dump = ppm_gtk_dump_windows();
      g_autofree char *escaped = g_uri_escape_string(dump, NULL, FALSE);
      return g_strconcat("ok ", escaped, NULL);
    }
  else
    return g_strdup("error unknown command");
  return g_strdup("ok");
}

/* One client of the hook.  Reading goes through a socket GSource, not an
 * async stream call: destroying the source at unload guarantees no callback
 * runs into the unloaded module later. */
typedef struct
{
  GSocketConnection *connection;
  GSource *source;
  GString *pending; /* received bytes not yet ending a line */
} PpmGtkHookClient;

static GSList *clients;
static gulong incoming_id;

static void
ppm_gtk_hook_client_free(PpmGtkHookClient *client)
{
  clients = g_slist_remove(clients, client);
  g_source_destroy(client->source);
  g_source_unref(client->source);
  g_object_unref(client->connection);
  g_string_free(client->pending, TRUE);
  g_free(client);
}

static char *
ppm_gtk_hook_answer(char *line)
{
  g_auto(GStrv) tokens = g_strsplit(g_strstrip(line), " ", -1);
  if (tokens[0] == NULL)
    return g_strdup("error empty command");
  PpmGtkHookArgs args = { 0 };
  ppm_gtk_hook_args_parse(&args, tokens + 1);
  char *reply = ppm_gtk_hook_run(tokens[0], &args);
  ppm_gtk_hook_args_clear(&args);
  return reply;
}

static gboolean
ppm_gtk_hook_on_readable(GSocket *socket, GIOCondition condition, gpointer data)
{
  PpmGtkHookClient *client = data;
  char buffer[4096];
  gssize n = g_socket_receive(socket, buffer, sizeof buffer, NULL, NULL);
  if (n <= 0)
    {
      ppm_gtk_hook_client_free(client);
      return G_SOURCE_REMOVE;
    }
  g_string_append_len(client->pending, buffer, n);
  char *end;
  while ((end = memchr(client->pending->str, '\n', client->pending->len)) != NULL)
    {
      g_autofree char *line = g_strndup(client->pending->str, (gsize)(end - client->pending->str));
      g_string_erase(client->pending, 0, end - client->pending->str + 1);
      g_autofree char *reply = ppm_gtk_hook_answer(line);
      g_autofree char *answer = g_strconcat(reply, "\n", NULL);
      GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(client->connection));
      if (!g_output_stream_write_all(out, answer, strlen(answer), NULL, NULL, NULL))
        {
          ppm_gtk_hook_client_free(client);
          return G_SOURCE_REMOVE;
        }
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
ppm_gtk_hook_on_incoming(GSocketService *svc, GSocketConnection *connection, GObject *source,
                         gpointer data)
{
  PpmGtkHookClient *client = g_new0(PpmGtkHookClient, 1);
  client->connection = g_object_ref(connection);
  client->pending = g_string_new(NULL);
  GSocket *socket = g_socket_connection_get_socket(connection);
  client->source = g_socket_create_source(socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
  g_source_set_callback(client->source, G_SOURCE_FUNC(ppm_gtk_hook_on_readable), client, NULL);
  g_source_attach(client->source, NULL);
  clients = g_slist_prepend(clients, client);
  return TRUE;
}

gboolean
ppm_gtk_hook_start(GError **error)
{
  const char *path = g_getenv(PPM_GTK_TEST_SOCKET_ENV);
  if (path == NULL || *path == '\0')
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%s is not set",
                  PPM_GTK_TEST_SOCKET_ENV);
      return FALSE;
    }
  PurplePlugin *gtk = purple_plugins_find_with_id(PPM_GTK_PLUGIN_ID);
  ops = gtk != NULL ? purple_plugin_ipc_call(gtk, PPM_GTK_IPC_GET_UI_OPS, NULL) : NULL;
  if (ops == NULL)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "gtk-ppm lends no windows");
      return FALSE;
    }
  g_autoptr(GSocketAddress) address = g_unix_socket_address_new(path);
  g_autoptr(GSocketService) svc = g_socket_service_new();
  g_unlink(path);
  if (!g_socket_listener_add_address(G_SOCKET_LISTENER(svc), address, G_SOCKET_TYPE_STREAM,
                                     G_SOCKET_PROTOCOL_DEFAULT, NULL, NULL, error))
    return FALSE;
  incoming_id = g_signal_connect(svc, "incoming", G_CALLBACK(ppm_gtk_hook_on_incoming), NULL);
  g_socket_service_start(svc);
  service = g_steal_pointer(&svc);
  init_media_id = g_signal_connect(purple_media_manager_get(), "init-media",
                                   G_CALLBACK(ppm_gtk_hook_on_init_media), NULL);
  socket_path = g_strdup(path);
  results = g_string_new(NULL);
  return TRUE;
}

void
ppm_gtk_hook_stop(void)
{
  if (service == NULL)
    return;
  g_clear_signal_handler(&init_media_id, purple_media_manager_get());
  g_clear_weak_pointer(&incoming);
  g_clear_signal_handler(&incoming_id, service);
  g_socket_service_stop(service);
  g_socket_listener_close(G_SOCKET_LISTENER(service));
  while (clients != NULL)
    ppm_gtk_hook_client_free(clients->data);
  g_clear_object(&service);
  g_unlink(socket_path);
  g_clear_pointer(&socket_path, g_free);
  ops = NULL;
  g_string_free(g_steal_pointer(&results), TRUE);
}
