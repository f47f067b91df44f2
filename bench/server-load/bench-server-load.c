/* bench-server-load: posts charges to a running ppm-server over N keep-alive
 * connections (libcurl multi) and prints charges/s and latency percentiles.
 *
 * It starts nothing itself.  The users must exist: models
 * bench-model-I@bench.test (I < --models, rate set, handle of the same name
 * linked on prpl-jabber) and funded members bench-member-J@bench.test
 * (J < --connections, same handles), all with the password in the
 * environment variable PPM_BENCH_PASSWORD.  Connection J bills member J for
 * model J mod --models, so no two connections share a session.  The sessions
 * are opened backdated by --backdate-ms (the server caps it at its
 * --max-backdate-seconds), so that the clock guard lets charges through as
 * fast as they come.  `run` next to this file sets all of this up.
 *
 * By default each connection posts its next charge as soon as the last is
 * answered (closed loop: the figure is the most the server takes).  With
 * --rate R the charges are posted on a schedule instead, R a second in all,
 * each connection every connections/R seconds (open loop: the latency the
 * server gives at that load).  A charge's latency is then counted from its
 * scheduled time, so a late answer also counts against the charges that had
 * to wait for it.
 */
#include "ppm-latency.h"

#include <curl/curl.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>

#define BENCH_DOMAIN "bench.test"

typedef struct
{
  const char *url;
  int models;
  int connections;
  int seconds;
  gint64 backdate_ms;
  double rate; /* charges/s in all; 0: as fast as answered */
} BenchOptions;

typedef struct
{
  CURL *easy;
  struct curl_slist *headers; /* owns the Authorization header */
  GString *body;              /* the answer being received */
  char *charge_url;
  gint64 opened_usec; /* monotonic time of the open */
  gint64 seq;
  gint64 started_usec; /* of the request in flight: sent, or scheduled (--rate) */
  gint64 due_usec;     /* --rate: when the next charge is scheduled */
  gboolean waiting;    /* --rate: idle until due_usec */
  gboolean stopped;
} BenchConnection;

typedef struct
{
  guint ok;
  guint too_early;
  guint failed;
  guint last_status;
} BenchCounts;

static size_t
collect_body(char *data, size_t size, size_t nmemb, void *user_data)
{
  g_string_append_len(user_data, data, (gssize)(size * nmemb));
  return size * nmemb;
}

/* Sets `easy` up to POST `json` to `url` and collect the answer in `body`. */
static void
bench_prepare_post(CURL *easy, const char *url, struct curl_slist *headers, const char *json,
                   GString *body)
{
  g_string_truncate(body, 0);
  curl_easy_setopt(easy, CURLOPT_URL, url);
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, json);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, body);
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
}

/* One blocking POST for the setup; returns the answer's JSON object with
 * status `expected`, else NULL and an error. */
static JsonNode *
bench_post_sync(CURL *easy, const char *url, struct curl_slist *headers, const char *json,
                long expected, GError **error)
{
  g_autoptr(GString) body = g_string_new(NULL);
  g_autoptr(JsonParser) parser = json_parser_new();
  long status = 0;
  CURLcode rc;

  bench_prepare_post(easy, url, headers, json, body);
  rc = curl_easy_perform(easy);
  if (rc != CURLE_OK)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s: %s", url, curl_easy_strerror(rc));
      return NULL;
    }
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (status != expected)
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s: HTTP %ld: %s", url, status,
                  body->str);
      return NULL;
    }
  if (!json_parser_load_from_data(parser, body->str, (gssize)body->len, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
    {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "POST %s: not an object", url);
      return NULL;
    }
  return json_node_copy(json_parser_get_root(parser));
}

static struct curl_slist *
bench_headers(const char *token)
{
  struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");

  if (token != NULL)
    {
      g_autofree char *auth = g_strdup_printf("Authorization: Bearer %s", token);

      headers = curl_slist_append(headers, auth);
    }
  return headers;
}

static char *
bench_login(CURL *easy, const BenchOptions *options, int model, const char *password,
            GError **error)
{
  g_autofree char *url = g_strdup_printf("%s/v1/auth/login", options->url);
  g_autofree char *email = g_strdup_printf("bench-model-%d@" BENCH_DOMAIN, model);
  g_autoptr(JsonBuilder) builder = json_builder_new();
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *json = NULL;
  struct curl_slist *headers = bench_headers(NULL);

  json_builder_begin_object(builder);
  json_builder_set_member_name(builder, "email");
  json_builder_add_string_value(builder, email);
  json_builder_set_member_name(builder, "password");
  json_builder_add_string_value(builder, password);
  json_builder_end_object(builder);
  request = json_builder_get_root(builder);
  json = json_to_string(request, FALSE);
  answer = bench_post_sync(easy, url, headers, json, 200, error);
  curl_slist_free_all(headers);
  if (answer == NULL)
    return NULL;
  return g_strdup(
      json_object_get_string_member_with_default(json_node_get_object(answer), "access_token", ""));
}

/* Opens connection `index`'s session and prepares its first charge. */
static gboolean
bench_connection_open(BenchConnection *connection, const BenchOptions *options, int index,
                      char **tokens, GError **error)
{
  int model = index % options->models;
  g_autofree char *url = g_strdup_printf("%s/v1/sessions", options->url);
  g_autofree char *csid = g_uuid_string_random();
  g_autofree char *json = g_strdup_printf(
      "{\"client_session_id\":\"%s\",\"protocol\":\"prpl-jabber\","
      "\"model_handle\":\"bench-model-%d@" BENCH_DOMAIN "\","
      "\"member_handle\":\"bench-member-%d@" BENCH_DOMAIN "\",\"elapsed_ms\":%" G_GINT64_FORMAT "}",
      csid, model, index, options->backdate_ms);
  g_autoptr(JsonNode) answer = NULL;
  const char *session_id;

  connection->easy = curl_easy_init();
  connection->body = g_string_new(NULL);
  connection->headers = bench_headers(tokens[model]);
  answer = bench_post_sync(connection->easy, url, connection->headers, json, 201, error);
  if (answer == NULL)
    return FALSE;
  session_id
      = json_object_get_string_member_with_default(json_node_get_object(answer), "session_id", "");
  connection->charge_url = g_strdup_printf("%s/v1/sessions/%s/charges", options->url, session_id);
  connection->opened_usec = g_get_monotonic_time();
  return TRUE;
}

static void
bench_connection_post_charge(BenchConnection *connection, const BenchOptions *options, CURLM *multi)
{
  gint64 now = g_get_monotonic_time();
  gint64 elapsed_ms = options->backdate_ms + (now - connection->opened_usec) / 1000;
  char json[96];

  g_snprintf(json, sizeof json,
             "{\"seq\":%" G_GINT64_FORMAT ",\"elapsed_ms\":%" G_GINT64_FORMAT "}", connection->seq,
             elapsed_ms);
  bench_prepare_post(connection->easy, connection->charge_url, connection->headers, json,
                     connection->body);
  curl_easy_setopt(connection->easy, CURLOPT_PRIVATE, connection);
  connection->started_usec = options->rate > 0 ? connection->due_usec : now;
  connection->waiting = FALSE;
  curl_multi_add_handle(multi, connection->easy);
}

static void
bench_connection_clear(BenchConnection *connection)
{
  if (connection->easy != NULL)
    curl_easy_cleanup(connection->easy);
  curl_slist_free_all(connection->headers);
  if (connection->body != NULL)
    g_string_free(connection->body, TRUE);
  g_free(connection->charge_url);
}

/* Handles one finished charge: records it and posts the next one (at once,
 * or when it is due with --rate) until `deadline`.  A 425 repeats the same
 * seq; any other failure stops the connection (the figures then say how many
 * failed). */
static void
bench_charge_done(BenchConnection *connection, CURLcode rc, const BenchOptions *options,
                  CURLM *multi, gint64 deadline, PpmLatency *latency, BenchCounts *counts)
{
  gint64 now = g_get_monotonic_time();
  long status = 0;

  curl_multi_remove_handle(multi, connection->easy);
  if (rc == CURLE_OK)
    curl_easy_getinfo(connection->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status == 201)
    {
      counts->ok++;
      ppm_latency_add(latency, now - connection->started_usec);
      connection->seq++;
      if (options->rate > 0)
        connection->due_usec += (gint64)(options->connections * G_USEC_PER_SEC / options->rate);
    }
  else if (status == 425)
    counts->too_early++;
  else
    {
      counts->failed++;
      counts->last_status = (guint)status;
      connection->stopped = TRUE;
      fprintf(stderr, "charge %" G_GINT64_FORMAT ": %s (HTTP %ld): %s\n", connection->seq,
              curl_easy_strerror(rc), status, connection->body->str);
      return;
    }
  if (now >= deadline || (options->rate > 0 && connection->due_usec >= deadline))
    connection->stopped = TRUE;
  else if (options->rate > 0 && connection->due_usec > now)
    connection->waiting = TRUE;
  else
    bench_connection_post_charge(connection, options, multi);
}

/* --rate: posts the charges now due; returns the ms until the next one is
 * (at most `ms`). */
static int
bench_post_due(BenchConnection *connections, const BenchOptions *options, CURLM *multi, int ms)
{
  gint64 now = g_get_monotonic_time();

  for (int c = 0; c < options->connections; c++)
    if (connections[c].waiting && connections[c].due_usec <= now)
      bench_connection_post_charge(&connections[c], options, multi);
    else if (connections[c].waiting)
      ms = MIN(ms, (int)((connections[c].due_usec - now + 999) / 1000));
  return ms;
}

static gboolean
bench_any_waiting(const BenchConnection *connections, int n)
{
  for (int c = 0; c < n; c++)
    if (connections[c].waiting)
      return TRUE;
  return FALSE;
}

static int
bench_run(const BenchOptions *options, const char *password)
{
  g_autoptr(PpmLatency) latency = ppm_latency_new();
  g_autofree BenchConnection *connections = g_new0(BenchConnection, options->connections);
  g_auto(GStrv) tokens = g_new0(char *, options->models + 1);
  g_autoptr(GError) error = NULL;
  BenchCounts counts = { 0 };
  CURL *setup = curl_easy_init();
  CURLM *multi = curl_multi_init();
  gint64 start, deadline;
  int running = 0;
  int status = 0;

  for (int m = 0; m < options->models && error == NULL; m++)
    tokens[m] = bench_login(setup, options, m, password, &error);
  for (int c = 0; c < options->connections && error == NULL; c++)
    bench_connection_open(&connections[c], options, c, tokens, &error);
  curl_easy_cleanup(setup);
  if (error != NULL)
    {
      fprintf(stderr, "bench-server-load: setup: %s\n", error->message);
      status = 1;
      goto out;
    }

  curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)options->connections);
  start = g_get_monotonic_time();
  deadline = start + options->seconds * G_USEC_PER_SEC;
  for (int c = 0; c < options->connections; c++)
    {
      /* --rate: staggered, one connection every 1/rate s. */
      connections[c].due_usec
          = start + (options->rate > 0 ? (gint64)(c * G_USEC_PER_SEC / options->rate) : 0);
      connections[c].waiting = TRUE;
    }
  do
    {
      CURLMsg *message;
      int queued;
      int timeout_ms = bench_post_due(connections, options, multi, 100);

      curl_multi_perform(multi, &running);
      while ((message = curl_multi_info_read(multi, &queued)) != NULL)
        {
          BenchConnection *connection = NULL;

          if (message->msg != CURLMSG_DONE)
            continue;
          curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, (char **)&connection);
          bench_charge_done(connection, message->data.result, options, multi, deadline, latency,
                            &counts);
        }
      curl_multi_perform(multi, &running);
      if (running > 0 || bench_any_waiting(connections, options->connections))
        curl_multi_poll(multi, NULL, 0, timeout_ms, NULL);
    }
  while (running > 0 || bench_any_waiting(connections, options->connections));

  printf("connections %d, models %d, url %s", options->connections, options->models, options->url);
  if (options->rate > 0)
    printf(", offered %.0f charges/s", options->rate);
  printf("\n");
  ppm_latency_print(latency, "charges", g_get_monotonic_time() - start);
  printf("too early (425, repeated): %u, failed: %u\n", counts.too_early, counts.failed);
  if (counts.failed > 0)
    status = 1;

out:
  for (int c = 0; c < options->connections; c++)
    bench_connection_clear(&connections[c]);
  curl_multi_cleanup(multi);
  return status;
}

int
main(int argc, char **argv)
{
  BenchOptions options = { NULL, 64, 64, 10, 86400 * 1000, 0 };
  g_autofree char *url = NULL;
  GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, "ppm-server base URL", "URL" },
    { "models", 0, 0, G_OPTION_ARG_INT, &options.models, "models to bill for (64)", "M" },
    { "connections", 0, 0, G_OPTION_ARG_INT, &options.connections,
      "connections, one session each (64)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &options.seconds, "how long to post charges (10)", "S" },
    { "backdate-ms", 0, 0, G_OPTION_ARG_INT64, &options.backdate_ms,
      "elapsed_ms of the opens (86400000)", "MS" },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &options.rate,
      "charges/s to post on a schedule (0: each as soon as the last is answered)", "R" },
    { NULL, 0, 0, 0, NULL, NULL, NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- ppm-server charge load");
  g_autoptr(GError) error = NULL;
  const char *password = g_getenv("PPM_BENCH_PASSWORD");
  int status;

  g_option_context_add_main_entries(context, entries, NULL);
  if (!g_option_context_parse(context, &argc, &argv, &error))
    {
      fprintf(stderr, "bench-server-load: %s\n", error->message);
      return 2;
    }
  if (url == NULL || password == NULL || options.models < 1 || options.connections < 1
      || options.seconds < 1 || options.rate < 0)
    {
      fprintf(stderr, "bench-server-load: --url and PPM_BENCH_PASSWORD are required; "
                      "--models, --connections and --seconds must be positive, "
                      "--rate not negative\n");
      return 2;
    }
  options.url = url;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  status = bench_run(&options, password);
  curl_global_cleanup();
  return status;
}
