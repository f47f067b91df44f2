/* The platform and the request runner of the server's fuzz targets. */
#include "ppm-fuzz.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppm-amount.h"
#include "ppm-auth.h"
#include "ppm-http-request.h"
#include "ppm-routes.h"

typedef struct
{
  PpmPlatform platform;
  char *dir;
  char *model_token;
  char *member_token;
  char *session_id; /* a session the model opened with the member */
} FuzzWorld;

static FuzzWorld *world;

/* A user with a handle and an access token; a model charges 1.00 a period,
 * a member holds 100.00, so that sessions can open. */
static char *
world_add_user(PpmStore *store, const char *email, PpmRole role, const char *protocol,
               const char *handle)
{
  gint64 unit = ppm_money_unit(store->digits), balance;
  g_autoptr(GError) error = NULL;
  g_autofree char *access_hash = NULL, *refresh_hash = NULL, *refresh = NULL;
  char *access = ppm_token_new();
  gint64 id;

  refresh = ppm_token_new();
  access_hash = ppm_token_hash(access);
  refresh_hash = ppm_token_hash(refresh);
  /* No password hash: nobody signs in as these users, they hold tokens. */
  if (!ppm_store_create_user(store, email, role, "Fuzz", "-", &id, &error)
      || !ppm_store_handle_link(store, id, protocol, handle, &error)
      || !(role == PPM_ROLE_MODEL
               ? ppm_store_set_rate(store, id, unit, &error)
               : ppm_store_fund(store, id, 100 * unit, g_get_real_time() / 1000, &balance, &error))
      || !ppm_store_tokens_issue(store, id, access_hash, refresh_hash, g_get_real_time() / 1000,
                                 &error))
    g_error("fuzz world: %s", error->message);
  return access;
}

static void
world_free(void)
{
  g_autofree char *db = g_build_filename(world->dir, "fuzz.db", NULL);
  g_autofree char *wal = g_strconcat(db, "-wal", NULL), *shm = g_strconcat(db, "-shm", NULL);

  ppm_store_free(world->platform.store);
  ppm_throttle_free(world->platform.signups);
  g_unlink(db);
  g_unlink(wal);
  g_unlink(shm);
  g_rmdir(world->dir);
  g_free(world->dir);
  g_free(world->model_token);
  g_free(world->member_token);
  g_free(world->session_id);
  g_free(world);
}

static char *world_open_session(void);

static void
world_init(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  PpmStore *store;

  world = g_new0(FuzzWorld, 1);
  world->dir = g_dir_make_tmp("ppm-fuzz-XXXXXX", &error);
  if (world->dir == NULL || !ppm_auth_init(&error))
    g_error("fuzz world: %s", error->message);
  uri = g_strdup_printf("sqlite:%s/fuzz.db", world->dir);
  store = ppm_store_open(uri, "USD", &error);
  if (store == NULL)
    g_error("fuzz world: %s", error->message);
  world->platform.store = store;
  world->platform.signups = ppm_throttle_new(PPM_SIGNUP_MAX_PER_ADDRESS, PPM_SIGNUP_WINDOW_SECONDS);
  world->platform.billing = (PpmBillingConfig){ 60,  2000,
                                                2,   1000 * ppm_money_unit(store->digits),
                                                330, "http://127.0.0.1:8080" };
  world->model_token
      = world_add_user(store, "model@example.org", PPM_ROLE_MODEL, "prpl-jabber", "model@x.org");
  world->member_token
      = world_add_user(store, "member@example.org", PPM_ROLE_MEMBER, "prpl-jabber", "member@x.org");
  atexit(world_free);
  world->session_id = world_open_session();
}

/* A request line or header value with the placeholders filled in. */
static char *
value_expand(const char *value)
{
  g_autoptr(GString) text = g_string_new(value);

  g_string_replace(text, "$MODEL", world->model_token, 0);
  g_string_replace(text, "$MEMBER", world->member_token, 0);
  if (world->session_id != NULL)
    g_string_replace(text, "$SESSION", world->session_id, 0);
  return g_string_free(g_steal_pointer(&text), FALSE);
}

static gboolean
method_valid(const char *method)
{
  gsize length = strlen(method);

  return length > 0 && length <= 16 && strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == length;
}

/* The request line: the method and the target, split into path and query. */
static PpmHttpRequest *
request_from_line(const char *line)
{
  g_auto(GStrv) parts = g_strsplit(line, " ", 2);
  g_autofree char *path = NULL;
  const char *query;
  char *mark;
  PpmHttpRequest *request;

  if (g_strv_length(parts) != 2 || !method_valid(parts[0]) || parts[1][0] != '/')
    return NULL;
  mark = strchr(parts[1], '?');
  query = mark != NULL ? mark + 1 : NULL;
  if (mark != NULL)
    *mark = '\0';
  path = g_uri_unescape_string(parts[1], NULL);
  if (path == NULL)
    return NULL;
  request = ppm_http_request_new(&world->platform, parts[0], path, "127.0.0.1", FALSE);
  if (query != NULL && !ppm_http_request_parse_query(request, query))
    g_clear_pointer(&request, ppm_http_request_free);
  return request;
}

static void
answer_check(PpmHttpRequest *request)
{
  guint status = ppm_http_request_get_status(request);
  GBytes *answer = ppm_http_request_get_answer(request);
  g_autoptr(JsonParser) parser = json_parser_new();
  gsize length;
  const char *data = g_bytes_get_data(answer, &length);

  if (status < 200 || status > 599 || status == 500)
    {
      g_printerr("answer %u: %.*s\n", status, (int)length, data);
      abort();
    }
  if (g_str_has_prefix(ppm_http_request_get_path(request), "/v1/") && length > 0
      && !json_parser_load_from_data(parser, data, length, NULL))
    {
      g_printerr("not JSON: %.*s\n", (int)length, data);
      abort();
    }
}

/* Opens a session through the router, so that "$SESSION" in a request stands
 * for one that charges, closes and ratings can find. */
static char *
world_open_session(void)
{
  const char body[] = "{\"client_session_id\": \"fuzz\", \"protocol\": \"prpl-jabber\","
                      " \"model_handle\": \"model@x.org\", \"member_handle\": \"member@x.org\","
                      " \"elapsed_ms\": 0}";
  PpmHttpRequest *request
      = ppm_http_request_new(&world->platform, "POST", "/v1/sessions", "127.0.0.1", FALSE);
  g_autofree char *authorization = value_expand("Bearer $MODEL");
  g_autoptr(JsonParser) parser = json_parser_new();
  gsize length;
  const char *answer;
  char *id = NULL;

  ppm_http_request_add_header(request, "Authorization", authorization);
  ppm_http_request_add_header(request, "Content-Type", "application/json");
  ppm_http_request_append_body(request, body, sizeof body - 1);
  ppm_http_request_run(request, ppm_router_handle, NULL, NULL);
  answer = g_bytes_get_data(ppm_http_request_get_answer(request), &length);
  if (ppm_http_request_get_status(request) == 201
      && json_parser_load_from_data(parser, answer, length, NULL))
    id = g_strdup(json_object_get_string_member(json_node_get_object(json_parser_get_root(parser)),
                                                "session_id"));
  ppm_http_request_free(request);
  if (id == NULL)
    g_error("fuzz world: cannot open a session: %.*s", (int)length, answer);
  return id;
}

void
ppm_fuzz_request(const char *text, gsize length)
{
  const char *end = text + length, *line = text, *newline;
  g_autofree char *first = NULL, *expanded = NULL;
  PpmHttpRequest *request;

  if (world == NULL)
    world_init();
  newline = memchr(line, '\n', end - line);
  first = g_strndup(line, newline ? newline - line : end - line);
  if (strlen(first) != (gsize)((newline ? newline : end) - line))
    return;
  expanded = value_expand(g_strchomp(first));
  request = request_from_line(expanded);
  if (request == NULL)
    return;
  line = newline ? newline + 1 : end;
  while (line < end)
    {
      g_autofree char *header = NULL;
      char *colon;
      gsize size;

      newline = memchr(line, '\n', end - line);
      size = (newline ? newline : end) - line;
      header = g_strndup(line, size);
      line = newline ? newline + 1 : end;
      if (strlen(header) != size)
        {
          ppm_http_request_free(request);
          return;
        }
      if (*g_strchomp(header) == '\0')
        break;
      colon = strchr(header, ':');
      if (colon != NULL && colon != header)
        {
          g_autofree char *value = NULL;

          *colon = '\0';
          value = value_expand(g_strstrip(colon + 1));
          ppm_http_request_add_header(request, header, value);
        }
    }
  ppm_http_request_append_body(request, line, end - line);
  ppm_http_request_run(request, ppm_router_handle, NULL, NULL);
  answer_check(request);
  ppm_http_request_free(request);
}

void
ppm_fuzz_request_printf(const char *body, gsize body_length, const char *format, ...)
{
  va_list args;
  g_autoptr(GString) text = g_string_new(NULL);

  va_start(args, format);
  g_string_append_vprintf(text, format, args);
  va_end(args);
  g_string_append_len(text, body, body_length);
  ppm_fuzz_request(text->str, text->len);
}
