#include "plugin-host.h"

#include "lab-process.h"

#include <glib/gstdio.h>
#include <string.h>

static char *user_dir;
static GPtrArray *notices;
static GPtrArray *requests; /* of PpmHostRequest */
static GPtrArray *debug_lines;

/* ---- event loop ---- */

typedef struct
{
  PurpleInputFunction func;
  gpointer data;
} Input;

static gboolean
on_io(GIOChannel *channel, GIOCondition condition, gpointer data)
{
  Input *input = data;
  PurpleInputCondition cond = 0;
  if (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR))
    cond |= PURPLE_INPUT_READ;
  if (condition & (G_IO_OUT | G_IO_HUP | G_IO_ERR))
    cond |= PURPLE_INPUT_WRITE;
  input->func(input->data, g_io_channel_unix_get_fd(channel), cond);
  return G_SOURCE_CONTINUE;
}

static guint
input_add(int fd, PurpleInputCondition cond, PurpleInputFunction func, gpointer data)
{
  Input *input = g_new0(Input, 1);
  input->func = func;
  input->data = data;
  GIOCondition condition = 0;
  if (cond & PURPLE_INPUT_READ)
    condition |= G_IO_IN | G_IO_HUP | G_IO_ERR;
  if (cond & PURPLE_INPUT_WRITE)
    condition |= G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL;
  GIOChannel *channel = g_io_channel_unix_new(fd);
  guint id = g_io_add_watch_full(channel, G_PRIORITY_DEFAULT, condition, on_io, input, g_free);
  g_io_channel_unref(channel);
  return id;
}

static PurpleEventLoopUiOps loop_ops = {
  .timeout_add = g_timeout_add,
  .timeout_remove = g_source_remove,
  .input_add = input_add,
  .input_remove = g_source_remove,
  .timeout_add_seconds = g_timeout_add_seconds,
};

/* ---- notify ---- */

static void *
record_notice(const char *title, const char *primary, const char *secondary, const char *text)
{
  char *notice = g_strjoin(" / ", title != NULL ? title : "", primary != NULL ? primary : "",
                           secondary != NULL ? secondary : "", text != NULL ? text : "", NULL);
  g_test_message("notice: %s", notice);
  g_ptr_array_add(notices, notice);
  /* NULL: libpurple runs the close callback at once. */
  return NULL;
}

static void *
notify_message(PurpleNotifyMsgType type, const char *title, const char *primary,
               const char *secondary)
{
  return record_notice(title, primary, secondary, NULL);
}

static void *
notify_formatted(const char *title, const char *primary, const char *secondary, const char *text)
{
  return record_notice(title, primary, secondary, text);
}

static PurpleNotifyUiOps notify_ops = {
  .notify_message = notify_message,
  .notify_formatted = notify_formatted,
};

/* ---- debug ---- */

static void
debug_line_free(PpmHostDebugLine *line)
{
  g_free(line->category);
  g_free(line->message);
  g_free(line);
}

static void
debug_print(PurpleDebugLevel level, const char *category, const char *message)
{
  PpmHostDebugLine *line = g_new0(PpmHostDebugLine, 1);
  line->level = level;
  line->category = g_strdup(category);
  line->message = g_strdup(message);
  g_ptr_array_add(debug_lines, line);
}

static gboolean
debug_is_enabled(PurpleDebugLevel level, const char *category)
{
  return TRUE;
}

static PurpleDebugUiOps debug_ops = {
  .print = debug_print,
  .is_enabled = debug_is_enabled,
};

GPtrArray *
ppm_host_debug_lines(void)
{
  return debug_lines;
}

void
ppm_host_clear_debug_lines(void)
{
  g_ptr_array_set_size(debug_lines, 0);
}

/* ---- request ---- */

static void
request_free(PpmHostRequest *request)
{
  purple_request_fields_destroy(request->fields);
  g_free(request->title);
  g_free(request->secondary);
  g_free(request);
}

static void *
request_fields(const char *title, const char *primary, const char *secondary,
               PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
               const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
               const char *who, PurpleConversation *conv, void *user_data)
{
  PpmHostRequest *request = g_new0(PpmHostRequest, 1);
  request->title
      = g_strdup_printf("%s / %s", title != NULL ? title : "", primary != NULL ? primary : "");
  request->secondary = g_strdup(secondary != NULL ? secondary : "");
  request->fields = fields;
  request->ok_cb = ok_cb;
  request->cancel_cb = cancel_cb;
  request->user_data = user_data;
  g_ptr_array_add(requests, request);
  return request;
}

static void *
request_action(const char *title, const char *primary, const char *secondary, int default_action,
               PurpleAccount *account, const char *who, PurpleConversation *conv, void *user_data,
               size_t action_count, va_list actions)
{
  return record_notice(title, primary, secondary, "(action)");
}

static void
close_request(PurpleRequestType type, void *handle)
{
  if (type == PURPLE_REQUEST_FIELDS && g_ptr_array_remove(requests, handle))
    request_free(handle);
}

static PurpleRequestUiOps request_ops = {
  .request_fields = request_fields,
  .request_action = request_action,
  .close_request = close_request,
};

/* ---- life cycle ---- */

void
ppm_host_init(void)
{
  g_setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  user_dir = g_dir_make_tmp("ppm-plugin-host-XXXXXX", NULL);
  g_assert_nonnull(user_dir);
  notices = g_ptr_array_new_with_free_func(g_free);
  requests = g_ptr_array_new();
  debug_lines = g_ptr_array_new_with_free_func((GDestroyNotify)debug_line_free);
  purple_util_set_user_dir(user_dir);
  purple_debug_set_enabled(g_getenv("PPM_TEST_DEBUG") != NULL);
  purple_debug_set_ui_ops(&debug_ops);
  purple_eventloop_set_ui_ops(&loop_ops);
  purple_notify_set_ui_ops(&notify_ops);
  purple_request_set_ui_ops(&request_ops);
  g_assert_true(purple_core_init("ppm-test"));
  purple_prefs_set_bool("/purple/network/map_ports", FALSE);
  purple_prefs_set_bool("/purple/network/auto_ip", FALSE);
  purple_prefs_set_string("/purple/network/stun_server", "");
}

void
ppm_host_shutdown(void)
{
  purple_core_quit();
  while (requests->len > 0)
    request_free(g_ptr_array_steal_index(requests, 0));
  g_clear_pointer(&requests, g_ptr_array_unref);
  g_clear_pointer(&notices, g_ptr_array_unref);
  purple_debug_set_ui_ops(NULL);
  g_clear_pointer(&debug_lines, g_ptr_array_unref);
  ppm_lab_remove_tree(user_dir);
  g_clear_pointer(&user_dir, g_free);
}

PurplePlugin *
ppm_host_probe_plugin(void)
{
  const char *path = g_getenv("PPM_PLUGIN_PATH");
  g_assert_nonnull(path);
  PurplePlugin *plugin = purple_plugin_probe(path);
  g_assert_nonnull(plugin);
  return plugin;
}

typedef struct
{
  gboolean expired;
} Deadline;

static gboolean
on_deadline(gpointer data)
{
  ((Deadline *)data)->expired = TRUE;
  return G_SOURCE_REMOVE;
}

gboolean
ppm_host_wait(gboolean (*done)(gpointer data), gpointer data, guint timeout_ms)
{
  Deadline deadline = { FALSE };
  guint id = g_timeout_add(timeout_ms, on_deadline, &deadline);
  while (!done(data) && !deadline.expired)
    g_main_context_iteration(NULL, TRUE);
  if (!deadline.expired)
    g_source_remove(id);
  return done(data);
}

GPtrArray *
ppm_host_notices(void)
{
  return notices;
}

void
ppm_host_clear_notices(void)
{
  g_ptr_array_set_size(notices, 0);
}

typedef struct
{
  const char *needle;
  const char *found;
} Search;

static gboolean
find_notice(gpointer data)
{
  Search *search = data;
  for (guint i = 0; i < notices->len && search->found == NULL; i++)
    if (strstr(g_ptr_array_index(notices, i), search->needle) != NULL)
      search->found = g_ptr_array_index(notices, i);
  return search->found != NULL;
}

const char *
ppm_host_wait_notice(const char *needle, guint timeout_ms)
{
  Search search = { needle, NULL };
  ppm_host_wait(find_notice, &search, timeout_ms);
  return search.found;
}

typedef struct
{
  const char *needle;
  PpmHostRequest *found;
} RequestSearch;

static gboolean
find_request(gpointer data)
{
  RequestSearch *search = data;
  for (guint i = 0; i < requests->len && search->found == NULL; i++)
    {
      PpmHostRequest *request = g_ptr_array_index(requests, i);
      if (strstr(request->title, search->needle) != NULL)
        search->found = request;
    }
  return search->found != NULL;
}

PpmHostRequest *
ppm_host_wait_request(const char *needle, guint timeout_ms)
{
  RequestSearch search = { needle, NULL };
  ppm_host_wait(find_request, &search, timeout_ms);
  return search.found;
}

static void
request_answer(PpmHostRequest *request, GCallback cb)
{
  if (cb != NULL)
    ((PurpleRequestFieldsCb)cb)(request->user_data, request->fields);
  purple_request_close(PURPLE_REQUEST_FIELDS, request);
}

gboolean
ppm_host_wait_sign_in_refused(const char *words, guint timeout_ms)
{
  PpmHostRequest *again = ppm_host_wait_request("Sign in", timeout_ms);
  gboolean said = again != NULL && strstr(again->secondary, words) != NULL;
  if (again != NULL)
    ppm_host_request_cancel(again);
  return said;
}

void
ppm_host_request_ok(PpmHostRequest *request)
{
  request_answer(request, request->ok_cb);
}

void
ppm_host_request_cancel(PpmHostRequest *request)
{
  request_answer(request, request->cancel_cb);
}

void
ppm_host_request_pick(PpmHostRequest *request, const char *id, const char *label)
{
  PurpleRequestField *field = purple_request_fields_get_field(request->fields, id);
  g_assert_nonnull(field);
  g_assert_cmpint(purple_request_field_get_type(field), ==, PURPLE_REQUEST_FIELD_LIST);
  g_assert_false(purple_request_field_list_get_multi_select(field));
  g_assert_nonnull(g_list_find_custom(purple_request_field_list_get_items(field), label,
                                      (GCompareFunc)g_strcmp0));
  purple_request_field_list_clear_selected(field);
  purple_request_field_list_add_selected(field, label);
}

guint
ppm_host_n_requests(void)
{
  return requests->len;
}

gboolean
ppm_host_run_action(PurplePlugin *plugin, const char *label)
{
  GList *actions = plugin->info->actions(plugin, NULL);
  gboolean found = FALSE;
  for (GList *l = actions; l != NULL; l = l->next)
    {
      PurplePluginAction *action = l->data;
      if (!found && g_strcmp0(action->label, label) == 0)
        {
          action->plugin = plugin;
          action->callback(action);
          found = TRUE;
        }
      purple_plugin_action_free(action);
    }
  g_list_free(actions);
  return found;
}

void
ppm_host_sign_in(PurplePlugin *plugin, const char *email, const char *password)
{
  g_assert_true(ppm_host_run_action(plugin, "Sign in…"));
  PpmHostRequest *dialog = ppm_host_wait_request("Sign in", 1000);
  g_assert_nonnull(dialog);
  PurpleRequestField *field = purple_request_fields_get_field(dialog->fields, "password");
  g_assert_nonnull(field);
  g_assert_true(purple_request_field_string_is_masked(field));
  g_assert_nonnull(purple_request_fields_get_field(dialog->fields, "remember"));
  purple_request_field_string_set_value(purple_request_fields_get_field(dialog->fields, "email"),
                                        email);
  purple_request_field_string_set_value(field, password);
  ppm_host_request_ok(dialog);
}
