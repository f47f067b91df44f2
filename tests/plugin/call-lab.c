#define _GNU_SOURCE /* unshare() */
#include "call-lab.h"

#include "lab-process.h"

#include <curl/curl.h>
#include <json-glib/json-glib.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define XMPP_PORT "5222"

/* What a failed assertion (abort) must not leave running: every process the
 * lab started.  Read from the SIGABRT handler, so plain fixed-size storage. */
#define MAX_CHILDREN 16
static volatile GPid children[MAX_CHILDREN];
static PpmTestServer *volatile current_server;

static void
on_abort(int signal_number)
{
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (children[i] > 0)
      kill(children[i], SIGKILL);
  if (current_server != NULL && current_server->pid > 0)
    kill(current_server->pid, SIGKILL);
  signal(SIGABRT, SIG_DFL);
  raise(SIGABRT);
}

static void
child_track(GPid pid)
{
  signal(SIGABRT, on_abort);
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (children[i] == 0)
      {
        children[i] = pid;
        return;
      }
}

static void
child_forget(GPid pid)
{
  for (int i = 0; i < MAX_CHILDREN; i++)
    if (children[i] == pid)
      children[i] = 0;
}

double
call_lab_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static gboolean
run(GError **error, const char *first, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  va_list ap;
  va_start(ap, first);
  for (const char *arg = first; arg != NULL; arg = va_arg(ap, const char *))
    g_ptr_array_add(argv, (gpointer)arg);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  int status = 0;
  g_autofree char *out = NULL; /* kept off the test's TAP output */
  g_autofree char *err = NULL;
  if (!g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                    &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, error))
    {
      g_prefix_error(error, "%s: %s", first, err);
      return FALSE;
    }
  return TRUE;
}

gboolean
call_lab_enter_netns(GError **error)
{
  if (unshare(CLONE_NEWNET) != 0)
    {
      g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                  "no private network namespace: %s", g_strerror(errno));
      return FALSE;
    }
  /* libnice ignores loopback: the veth pair gives it a candidate. */
  return run(error, "ip", "link", "set", "lo", "up", NULL)
         && run(error, "ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1", NULL)
         && run(error, "ip", "addr", "add", "10.77.0.1/24", "dev", "v0", NULL)
         && run(error, "ip", "link", "set", "v0", "up", NULL)
         && run(error, "ip", "link", "set", "v1", "up", NULL);
}

static void
lab_prosody(CallLab *lab)
{
  g_autofree char *config = g_build_filename(lab->dir, "prosody.cfg.lua", NULL);
  g_autofree char *data = g_build_filename(lab->dir, "prosody-data", NULL);
  g_mkdir(data, 0700);
  g_autofree char *text = g_strdup_printf(
      "run_as_root = true\n"
      "daemonize = false\n"
      "pidfile = \"%s/prosody.pid\"\n"
      "data_path = \"%s\"\n"
      "interfaces = { \"127.0.0.1\" }\n"
      "c2s_interfaces = { \"127.0.0.1\" }\n"
      "c2s_ports = { " XMPP_PORT " }\n"
      "s2s_ports = {}\n"
      "c2s_require_encryption = false\n"
      "allow_unencrypted_plain_auth = true\n"
      "authentication = \"internal_plain\"\n"
      "modules_enabled = { \"roster\", \"saslauth\", \"disco\", \"presence\", \"ping\", "
      "\"posix\", \"admin_shell\" }\n"
      "log = { { levels = { min = \"warn\" }, to = \"file\", filename = \"%s/prosody.log\" } }\n"
      "VirtualHost \"localhost\"\n",
      lab->dir, data, lab->dir);
  g_assert_true(g_file_set_contents(config, text, -1, NULL));
  static const char *const users[] = { "model", "model2", "member", "member2" };
  for (gsize i = 0; i < G_N_ELEMENTS(users); i++)
    {
      g_autoptr(GError) error = NULL;
      g_assert_true(run(&error, "prosodyctl", "--config", config, "register", users[i], "localhost",
                        "pw", NULL));
      g_assert_no_error(error);
    }
  const char *argv[] = { "prosody", "-F", "--config", config, NULL };
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                              G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD
                                  | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                              NULL, NULL, &lab->prosody, &error));
  g_assert_no_error(error);
  child_track(lab->prosody);
  /* Ready when the port answers. */
  for (int i = 0; i < 100; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new();
      g_autoptr(GSocketConnection) connection
          = g_socket_client_connect_to_host(client, "127.0.0.1:" XMPP_PORT, 0, NULL, NULL);
      if (connection != NULL)
        return;
      g_usleep(50000);
    }
  g_error("prosody did not start");
}

CallLab *
call_lab_new(const char *const *server_args, GError **error)
{
  g_autoptr(CallLab) lab = g_new0(CallLab, 1);
  lab->dir = g_dir_make_tmp("ppm-call-lab-XXXXXX", error);
  if (lab->dir == NULL)
    return NULL;
  lab_prosody(lab);
  lab->server = ppm_test_server_start(NULL, server_args, error);
  if (lab->server == NULL)
    return NULL;
  current_server = lab->server;
  return g_steal_pointer(&lab);
}

void
call_lab_free(CallLab *lab)
{
  if (lab == NULL)
    return;
  current_server = NULL;
  g_clear_pointer(&lab->server, ppm_test_server_free);
  if (lab->prosody > 0)
    {
      child_forget(lab->prosody);
      ppm_lab_process_stop(&lab->prosody);
    }
  if (lab->dir != NULL && g_getenv("PPM_KEEP_LAB") == NULL)
    ppm_lab_remove_tree(lab->dir);
  else if (lab->dir != NULL)
    g_test_message("lab kept in %s", lab->dir);
  g_free(lab->dir);
  g_free(lab);
}

void
call_lab_xmpp_drop(CallLab *lab, const char *jid)
{
  g_autofree char *config = g_build_filename(lab->dir, "prosody.cfg.lua", NULL);
  g_autofree char *command = g_strdup_printf("c2s:close('%s')", jid);
  g_autoptr(GError) error = NULL;
  g_assert_true(run(&error, "prosodyctl", "--config", config, "shell", command, NULL));
  g_assert_no_error(error);
}

char *
call_lab_admin(CallLab *lab, const char *stdin_text, const char *first, ...)
{
  const char *args[10] = { first };
  va_list ap;
  va_start(ap, first);
  for (int i = 1; i < 9 && args[i - 1] != NULL; i++)
    args[i] = va_arg(ap, const char *);
  va_end(ap);
  g_autoptr(GError) error = NULL;
  char *out = ppm_test_admin(lab->server, stdin_text, &error, args[0], args[1], args[2], args[3],
                             args[4], args[5], args[6], args[7], args[8], NULL);
  g_assert_no_error(error);
  return out;
}

/* USER@example.org, linked to `handle` unless it is NULL. */
static void
add_user(CallLab *lab, const char *user, const char *role, const char *handle)
{
  g_autofree char *email = g_strdup_printf("%s@example.org", user);
  g_autofree char *a = call_lab_admin(lab, "platform-pw", "create-user", "--email", email, "--role",
                                      role, "--display-name", user, NULL);
  if (handle == NULL)
    return;
  g_autofree char *b = call_lab_admin(lab, NULL, "link", "--email", email, "--protocol",
                                      "prpl-jabber", "--handle", handle, NULL);
}

void
call_lab_add_model_linked(CallLab *lab, const char *user, const char *rate, const char *handle)
{
  add_user(lab, user, "model", handle);
  g_autofree char *email = g_strdup_printf("%s@example.org", user);
  g_autofree char *out
      = call_lab_admin(lab, NULL, "set-rate", "--email", email, "--amount", rate, NULL);
}

void
call_lab_add_model(CallLab *lab, const char *user, const char *rate)
{
  g_autofree char *handle = g_strdup_printf("%s@localhost", user);
  call_lab_add_model_linked(lab, user, rate, handle);
}

void
call_lab_add_member(CallLab *lab, const char *user, const char *funds)
{
  g_autofree char *handle = g_strdup_printf("%s@localhost", user);
  add_user(lab, user, "member", handle);
  if (funds == NULL)
    return;
  g_autofree char *email = g_strdup_printf("%s@example.org", user);
  g_autofree char *out
      = call_lab_admin(lab, NULL, "fund", "--email", email, "--amount", funds, NULL);
}

/* ---- sims ---- */

static void
event_free(SimEvent *event)
{
  g_free(event->name);
  g_hash_table_unref(event->fields);
  g_free(event);
}

static SimEvent *
event_parse(const char *line)
{
  SimEvent *event = g_new0(SimEvent, 1);
  event->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  const char *text = strstr(line, " text=");
  g_autofree char *head = text != NULL ? g_strndup(line, text - line) : g_strdup(line);
  if (text != NULL)
    g_hash_table_insert(event->fields, g_strdup("text"), g_strdup(text + 6));
  g_auto(GStrv) words = g_strsplit(head, " ", -1);
  for (int i = 0; words[i] != NULL; i++)
    {
      char *eq = strchr(words[i], '=');
      if (eq == NULL)
        continue;
      *eq = '\0';
      g_hash_table_insert(event->fields, g_strdup(words[i]), g_strdup(eq + 1));
    }
  event->name = g_strdup(g_hash_table_lookup(event->fields, "event"));
  const char *t = g_hash_table_lookup(event->fields, "t");
  event->t = t != NULL ? g_ascii_strtod(t, NULL) : 0;
  return event;
}

static gboolean
on_output(GIOChannel *channel, GIOCondition condition, gpointer data)
{
  SimProc *sim = data;
  char buffer[4096];
  gsize got = 0;
  GIOStatus status = g_io_channel_read_chars(channel, buffer, sizeof buffer, &got, NULL);
  g_string_append_len(sim->partial, buffer, got);
  char *newline;
  while ((newline = strchr(sim->partial->str, '\n')) != NULL)
    {
      g_autofree char *line = g_strndup(sim->partial->str, newline - sim->partial->str);
      g_string_erase(sim->partial, 0, newline - sim->partial->str + 1);
      if (g_str_has_prefix(line, "event="))
        {
          g_test_message("%s: %s", sim->name, line);
          g_ptr_array_add(sim->events, event_parse(line));
        }
    }
  if (status == G_IO_STATUS_EOF || status == G_IO_STATUS_ERROR)
    {
      sim->watch = 0;
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* In the child: its stderr goes to a file kept with the lab. */
static void
stderr_to_file(gpointer path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd >= 0)
    dup2(fd, 2);
}

static SimProc *
sim_start(CallLab *lab, const char *name, GPtrArray *argv)
{
  SimProc *sim = g_new0(SimProc, 1);
  sim->name = g_strdup(name);
  sim->events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
  sim->partial = g_string_new(NULL);
  g_ptr_array_add(argv, NULL);

  g_auto(GStrv) env = g_get_environ();
  env = g_environ_setenv(env, "PPM_SIM_PASSWORD", "pw", TRUE);
  env = g_environ_setenv(env, "PPM_PASSWORD", "platform-pw", TRUE);
  env = g_environ_setenv(env, "DBUS_SESSION_BUS_ADDRESS", "disabled:", TRUE);
  /* farstream's codec cache of each person's own, as on their own machines:
   * the per-user one would carry codecs found by another process (with a
   * registry cleaned otherwise) into this one. */
  g_autofree char *audio_cache = g_strdup_printf("%s/%s-codecs.audio.cache", lab->dir, name);
  g_autofree char *video_cache = g_strdup_printf("%s/%s-codecs.video.cache", lab->dir, name);
  env = g_environ_setenv(env, "FS_AUDIO_CODECS_CACHE", audio_cache, TRUE);
  env = g_environ_setenv(env, "FS_VIDEO_CODECS_CACHE", video_cache, TRUE);
  g_autofree char *log = g_strdup_printf("%s/%s.err", lab->dir, name);

  int out = -1;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_async_with_pipes(NULL, (char **)argv->pdata, env, G_SPAWN_DO_NOT_REAP_CHILD,
                                         stderr_to_file, log, &sim->pid, NULL, &out, NULL, &error));
  g_assert_no_error(error);
  child_track(sim->pid);
  GIOChannel *channel = g_io_channel_unix_new(out);
  g_io_channel_set_close_on_unref(channel, TRUE);
  g_io_channel_set_flags(channel, G_IO_FLAG_NONBLOCK, NULL);
  g_io_channel_set_encoding(channel, NULL, NULL);
  sim->watch = g_io_add_watch(channel, G_IO_IN | G_IO_HUP | G_IO_ERR, on_output, sim);
  g_io_channel_unref(channel);
  return sim;
}

static GPtrArray *
sim_argv(CallLab *lab, const char *role, const char *user, const char *resource, const char *peer)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(g_getenv("PPM_SIM_BIN")));
  g_ptr_array_add(argv, g_strdup_printf("--role=%s", role));
  g_ptr_array_add(argv, g_strdup_printf("--account=%s@localhost/%s", user, resource));
  g_ptr_array_add(argv, g_strdup_printf("--peer=%s", peer));
  g_ptr_array_add(argv, g_strdup("--server=127.0.0.1"));
  g_ptr_array_add(argv, g_strdup("--port=" XMPP_PORT));
  g_ptr_array_add(argv, g_strdup_printf("--user-dir=%s/%s-%s", lab->dir, user, resource));
  /* Both run until stopped: the model to close and report, the member to
   * receive the messages that come after its call. */
  g_ptr_array_add(argv, g_strdup("--calls=0"));
  g_ptr_array_add(argv, g_strdup("--pause=1000"));
  g_ptr_array_add(argv, g_strdup("--timeout=300"));
  if (g_getenv("PPM_LAB_DEBUG") != NULL)
    g_ptr_array_add(argv, g_strdup("--debug"));
  return argv;
}

static void
add_extra(GPtrArray *argv, const char *const *extra)
{
  for (int i = 0; extra != NULL && extra[i] != NULL; i++)
    g_ptr_array_add(argv, g_strdup(extra[i]));
}

SimProc *
call_lab_model(CallLab *lab, const char *user, const char *const *extra)
{
  g_autoptr(GPtrArray) argv = sim_argv(lab, "model", user, "m", "member@localhost/c");
  /* GStreamer as a desktop's Pidgin sees it: what breaks calls there is the
   * plugin's to take out. */
  g_ptr_array_add(argv, g_strdup("--stock-media"));
  g_ptr_array_add(argv, g_strdup_printf("--plugin=%s", g_getenv("PPM_PLUGIN_PATH")));
  g_ptr_array_add(argv,
                  g_strdup_printf("--pref=/plugins/core/ppm/server_url=%s", lab->server->url));
  g_ptr_array_add(argv, g_strdup_printf("--pref=/plugins/core/ppm/email=%s@example.org", user));
  add_extra(argv, extra);
  return sim_start(lab, user, argv);
}

SimProc *
call_lab_member(CallLab *lab, const char *user, const char *model, const char *const *extra)
{
  g_autofree char *peer = g_strdup_printf("%s@localhost/m", model);
  g_autoptr(GPtrArray) argv = sim_argv(lab, "member", user, "c", peer);
  add_extra(argv, extra);
  return sim_start(lab, user, argv);
}

/* Whether the event's `peer` names `peer`'s user (resources aside). */
static gboolean
peer_matches(const SimEvent *event, const char *peer)
{
  const char *value = g_hash_table_lookup(event->fields, "peer");
  if (value == NULL)
    return FALSE;
  size_t n = strlen(peer);
  return g_ascii_strncasecmp(value, peer, n) == 0 && (value[n] == '\0' || value[n] == '/');
}

static gboolean
event_matches(const SimEvent *event, const char *name, const char *peer, const char *text_prefix)
{
  if (g_strcmp0(event->name, name) != 0)
    return FALSE;
  if (peer != NULL && !peer_matches(event, peer))
    return FALSE;
  if (text_prefix == NULL)
    return TRUE;
  const char *text = g_hash_table_lookup(event->fields, "text");
  return text != NULL && g_str_has_prefix(text, text_prefix);
}

const SimEvent *
sim_wait_for(SimProc *sim, const char *name, const char *peer, const char *text_prefix, guint *from,
             double timeout_s)
{
  double deadline = call_lab_now() + timeout_s;
  guint start = from != NULL ? *from : 0;
  for (;;)
    {
      for (guint i = start; i < sim->events->len; i++)
        {
          const SimEvent *event = g_ptr_array_index(sim->events, i);
          if (event_matches(event, name, peer, text_prefix))
            {
              if (from != NULL)
                *from = i + 1;
              return event;
            }
        }
      if (call_lab_now() >= deadline)
        return NULL;
      call_lab_run(0.05);
    }
}

const SimEvent *
sim_wait(SimProc *sim, const char *name, const char *text_prefix, guint *from, double timeout_s)
{
  return sim_wait_for(sim, name, NULL, text_prefix, from, timeout_s);
}

guint
sim_count_for(SimProc *sim, const char *name, const char *peer, const char *text_prefix,
              double after)
{
  guint n = 0;
  for (guint i = 0; i < sim->events->len; i++)
    {
      const SimEvent *event = g_ptr_array_index(sim->events, i);
      n += event->t > after && event_matches(event, name, peer, text_prefix);
    }
  return n;
}

guint
sim_count(SimProc *sim, const char *name, const char *text_prefix)
{
  return sim_count_for(sim, name, NULL, text_prefix, -G_MAXDOUBLE);
}

const char *
sim_event_get(const SimEvent *event, const char *key)
{
  return g_hash_table_lookup(event->fields, key);
}

static gboolean
on_run_over(gpointer data)
{
  *(gboolean *)data = TRUE;
  return G_SOURCE_REMOVE;
}

void
call_lab_run(double seconds)
{
  gboolean over = FALSE;
  g_timeout_add((guint)(seconds * 1000), on_run_over, &over);
  while (!over)
    g_main_context_iteration(NULL, TRUE);
}

void
sim_signal(SimProc *sim, int signal)
{
  if (!sim->exited)
    kill(sim->pid, signal);
}

void
sim_stop(SimProc *sim)
{
  if (sim->exited)
    return;
  kill(sim->pid, SIGCONT);
  kill(sim->pid, SIGTERM);
  for (int i = 0; i < 200; i++)
    {
      call_lab_run(0.05);
      if (waitpid(sim->pid, NULL, WNOHANG) == sim->pid)
        {
          sim->exited = TRUE;
          return;
        }
    }
  kill(sim->pid, SIGKILL);
  waitpid(sim->pid, NULL, 0);
  sim->exited = TRUE;
}

void
sim_free(SimProc *sim)
{
  if (sim == NULL)
    return;
  if (!sim->exited)
    {
      kill(sim->pid, SIGKILL);
      waitpid(sim->pid, NULL, 0);
    }
  child_forget(sim->pid);
  if (sim->watch != 0)
    g_source_remove(sim->watch);
  g_ptr_array_unref(sim->events);
  g_string_free(sim->partial, TRUE);
  g_free(sim->name);
  g_free(sim);
}

/* ---- the platform's view, through its API ---- */

static size_t
collect(char *data, size_t size, size_t n, void *user_data)
{
  g_string_append_len(user_data, data, size * n);
  return size * n;
}

static JsonNode *
api_request(const char *method, const char *url, const char *token, const char *body)
{
  CURL *curl = curl_easy_init();
  g_autoptr(GString) answer = g_string_new(NULL);
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
  g_autofree char *auth = token != NULL ? g_strdup_printf("Authorization: Bearer %s", token) : NULL;
  if (auth != NULL)
    headers = curl_slist_append(headers, auth);
  curl_easy_setopt(curl, CURLOPT_URL, url);
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (body != NULL)
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  g_assert_cmpint(curl_easy_perform(curl), ==, CURLE_OK);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string(answer->str, &error);
  g_assert_no_error(error);
  return node;
}

/* GET `path` as USER@example.org (password "platform-pw"). */
static JsonNode *
api_get_as(CallLab *lab, const char *user, const char *path)
{
  g_autofree char *url = g_strdup_printf("%s/v1/auth/login", lab->server->url);
  g_autofree char *body
      = g_strdup_printf("{\"email\": \"%s@example.org\", \"password\": \"platform-pw\"}", user);
  g_autoptr(JsonNode) login = api_request("POST", url, NULL, body);
  const char *token = json_object_get_string_member(json_node_get_object(login), "access_token");
  g_autofree char *get = g_strdup_printf("%s%s", lab->server->url, path);
  return api_request("GET", get, token, NULL);
}

GPtrArray *
call_lab_sessions(CallLab *lab, const char *user)
{
  g_autoptr(JsonNode) sessions = api_get_as(lab, user, "/v1/me/sessions?limit=50");
  JsonArray *items = json_object_get_array_member(json_node_get_object(sessions), "items");
  GPtrArray *result = g_ptr_array_new_with_free_func((GDestroyNotify)lab_session_free);
  for (guint i = 0; i < json_array_get_length(items); i++)
    {
      JsonObject *item = json_array_get_object_element(items, i);
      LabSession *session = g_new0(LabSession, 1);
      session->reason = g_strdup(json_object_get_string_member_with_default(item, "reason", NULL));
      session->periods_charged = json_object_get_int_member(item, "periods_charged");
      session->total_minor = json_object_get_int_member(
          json_object_get_object_member(item, "total"), "amount_minor");
      g_ptr_array_add(result, session);
    }
  return result;
}

char *
call_lab_handles(CallLab *lab, const char *user)
{
  g_autoptr(JsonNode) me = api_get_as(lab, user, "/v1/me");
  JsonArray *handles = json_object_get_array_member(json_node_get_object(me), "handles");
  g_autoptr(GString) list = g_string_new(NULL);
  for (guint i = 0; i < json_array_get_length(handles); i++)
    {
      JsonObject *handle = json_array_get_object_element(handles, i);
      g_string_append_printf(list, "%s%s %s", i > 0 ? "," : "",
                             json_object_get_string_member(handle, "protocol"),
                             json_object_get_string_member(handle, "handle"));
    }
  return g_string_free(g_steal_pointer(&list), FALSE);
}

void
lab_session_free(LabSession *session)
{
  g_free(session->reason);
  g_free(session);
}
