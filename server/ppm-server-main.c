/* ppm-server: the billing platform's HTTP API (docs/man/ppm-server.1). */
#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-daemon.h>

#include "ppm-amount.h"
#include "ppm-auth.h"
#include "ppm-die.h"
#include "ppm-http-server.h"
#include "ppm-routes.h"
#include "ppm-web.h"

typedef struct
{
  char *db;
  char *listen;
  int listen_fd;
  char *public_url;
  char *currency;
  int period_seconds;
  int fee_bps;
  int hold_periods;
  char *max_rate;
  int max_backdate_seconds;
  char *tls_cert;
  char *tls_key;
  int max_connections_per_address;
  int request_deadline_seconds;
  int hash_threads;
  int hash_queue;
  gboolean print_routes;
  gboolean version;
  gboolean no_migrate;
  char *config;
} Options;

#define DEFAULT_CONFIG "/etc/ppm-server/ppm-server.conf"
#define CONFIG_GROUP "ppm-server"
#define UNSET G_MININT /* an integer option given neither as a flag nor in the file */

typedef struct
{
  GMainLoop *loop;
  PpmHttpServer *http;
  PpmPlatform *platform;
} Running;

static void
check_range(const char *flag, int value, int low, int high)
{
  if (value < low || value > high)
    ppm_die("%s must be %d..%d, got %d", flag, low, high, value);
}

/* Options the command line left unset come from the key file's group
 * [ppm-server], whose keys are the flags' names.  No file at the default
 * path is no configuration; a file named by --config must exist. */
static void
read_config(const char *path, gboolean given, const GOptionEntry *entries)
{
  g_autoptr(GKeyFile) file = g_key_file_new();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;

  if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, &error))
    {
      if (!given && g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return;
      ppm_die("%s: %s", path, error->message);
    }
  keys = g_key_file_get_keys(file, CONFIG_GROUP, NULL, NULL);
  for (gsize i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      const GOptionEntry *e = entries;

      while (e->long_name != NULL && !g_str_equal(e->long_name, keys[i]))
        e++;
      if (e->long_name == NULL)
        ppm_die("%s: [%s] %s is not a setting", path, CONFIG_GROUP, keys[i]);
      if (e->arg == G_OPTION_ARG_INT && *(int *)e->arg_data == UNSET)
        *(int *)e->arg_data = g_key_file_get_integer(file, CONFIG_GROUP, keys[i], &error);
      /* A flag given is TRUE and wins; the file may only turn one on. */
      else if (e->arg == G_OPTION_ARG_NONE && !*(gboolean *)e->arg_data)
        *(gboolean *)e->arg_data = g_key_file_get_boolean(file, CONFIG_GROUP, keys[i], &error);
      else if ((e->arg == G_OPTION_ARG_STRING || e->arg == G_OPTION_ARG_FILENAME)
               && *(char **)e->arg_data == NULL)
        *(char **)e->arg_data = g_key_file_get_string(file, CONFIG_GROUP, keys[i], NULL);
      if (error != NULL)
        ppm_die("%s: %s", path, error->message);
    }
}

static void
default_int(int *value, int fallback)
{
  if (*value == UNSET)
    *value = fallback;
}

static void
parse_options(int argc, char **argv, Options *o)
{
  const GOptionEntry settings[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &o->db, "Database URI", "URI" },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &o->listen, "Address to listen on", "ADDR:PORT" },
    { "listen-fd", 0, 0, G_OPTION_ARG_INT, &o->listen_fd,
      "Listening socket inherited from the parent, instead of --listen", "N" },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &o->public_url, "URL the server is reached at",
      "URL" },
    { "currency", 0, 0, G_OPTION_ARG_STRING, &o->currency, "Currency of a new database", "CODE" },
    { "period-seconds", 0, 0, G_OPTION_ARG_INT, &o->period_seconds, "Billing period", "N" },
    { "fee-bps", 0, 0, G_OPTION_ARG_INT, &o->fee_bps, "Platform fee", "N" },
    { "hold-periods", 0, 0, G_OPTION_ARG_INT, &o->hold_periods, "Periods held at open", "N" },
    { "max-rate", 0, 0, G_OPTION_ARG_STRING, &o->max_rate, "Highest rate per period", "AMOUNT" },
    { "max-backdate-seconds", 0, 0, G_OPTION_ARG_INT, &o->max_backdate_seconds,
      "Longest backdating of an open", "N" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_cert, "TLS certificate (PEM)", "F" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o->tls_key, "TLS key (PEM)", "F" },
    { "max-connections-per-address", 0, 0, G_OPTION_ARG_INT, &o->max_connections_per_address,
      "Open connections from one client address", "N" },
    { "request-deadline-seconds", 0, 0, G_OPTION_ARG_INT, &o->request_deadline_seconds,
      "Longest time to receive a whole request", "N" },
    { "hash-threads", 0, 0, G_OPTION_ARG_INT, &o->hash_threads, "Password checks at once", "N" },
    { "hash-queue", 0, 0, G_OPTION_ARG_INT, &o->hash_queue, "Requests waiting for a password check",
      "N" },
    { "no-migrate", 0, 0, G_OPTION_ARG_NONE, &o->no_migrate,
      "Refuse an older schema rather than migrate it (ppm-admin migrate)", NULL },
    G_OPTION_ENTRY_NULL,
  };
  /* Not settings of the key file. */
  const GOptionEntry actions[] = {
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &o->config,
      "Key file of settings (default " DEFAULT_CONFIG " when present)", "FILE" },
    { "print-routes", 0, 0, G_OPTION_ARG_NONE, &o->print_routes, "Print the routes and exit",
      NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &o->version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new("- pay-per-minute platform");
  g_autoptr(GError) error = NULL;
  struct sockaddr_storage address;
  socklen_t length;
  gboolean listen_given;

  for (const GOptionEntry *e = settings; e->long_name != NULL; e++)
    if (e->arg == G_OPTION_ARG_INT)
      *(int *)e->arg_data = UNSET;
  g_option_context_add_main_entries(context, actions, NULL);
  g_option_context_add_main_entries(context, settings, NULL);
  if (!g_option_context_parse(context, &argc, &argv, &error))
    ppm_die("%s", error->message);
  if (argc > 1)
    ppm_die("unexpected argument %s", argv[1]);
  if (o->version)
    return;
  listen_given = o->listen != NULL;
  if (listen_given && o->listen_fd != UNSET)
    ppm_die("--listen and --listen-fd exclude each other");
  read_config(o->config ? o->config : DEFAULT_CONFIG, o->config != NULL, settings);
  /* The command line's --listen wins over the file's listen-fd. */
  if (listen_given)
    o->listen_fd = UNSET;
  default_int(&o->period_seconds, 60);
  default_int(&o->fee_bps, 2000);
  default_int(&o->hold_periods, 2);
  default_int(&o->max_backdate_seconds, 330);
  default_int(&o->max_connections_per_address, 64);
  default_int(&o->request_deadline_seconds, 30);
  default_int(&o->hash_threads, 2);
  default_int(&o->hash_queue, 32);
  check_range("--period-seconds", o->period_seconds, 1, 3600);
  check_range("--fee-bps", o->fee_bps, 0, PPM_MONEY_FEE_BPS_MAX);
  check_range("--hold-periods", o->hold_periods, 1, 60);
  check_range("--max-backdate-seconds", o->max_backdate_seconds, 60, 86400);
  check_range("--max-connections-per-address", o->max_connections_per_address, 1, 1000);
  check_range("--request-deadline-seconds", o->request_deadline_seconds, 1, 3600);
  check_range("--hash-threads", o->hash_threads, 1, 64);
  check_range("--hash-queue", o->hash_queue, 0, 10000);
  if ((o->tls_cert == NULL) != (o->tls_key == NULL))
    ppm_die("--tls-cert and --tls-key go together");
  if (o->currency != NULL && !ppm_currency_valid(o->currency))
    ppm_die("--currency must be an ISO 4217 code such as USD");
  if (o->listen_fd != UNSET)
    {
      check_range("--listen-fd", o->listen_fd, 0, G_MAXINT);
      g_free(o->listen);
      o->listen = ppm_http_listening_address(o->listen_fd, &error);
      if (o->listen == NULL)
        ppm_die("%s", error->message);
    }
  else
    o->listen_fd = -1;
  if (o->listen == NULL)
    o->listen = g_strdup("127.0.0.1:8080");
  if (!ppm_http_parse_address(o->listen, &address, &length, &error))
    ppm_die("%s", error->message);
  if (o->public_url == NULL)
    o->public_url = g_strdup_printf("%s://%s", o->tls_cert ? "https" : "http", o->listen);
  else if (!g_str_has_prefix(o->public_url, "http://")
           && !g_str_has_prefix(o->public_url, "https://"))
    ppm_die("--public-url must start with http:// or https://");
  while (g_str_has_suffix(o->public_url, "/"))
    o->public_url[strlen(o->public_url) - 1] = '\0';
}

static void
options_clear(Options *o)
{
  g_free(o->db);
  g_free(o->listen);
  g_free(o->public_url);
  g_free(o->currency);
  g_free(o->max_rate);
  g_free(o->tls_cert);
  g_free(o->tls_key);
  g_free(o->config);
}

/* Tells systemd (Type=notify) what the server is doing; without
 * NOTIFY_SOCKET, outside systemd, it does nothing. */
static void
notify(const char *state)
{
  int r = sd_notify(0, state);

  if (r < 0)
    g_printerr("ppm-server: cannot notify systemd: %s\n", g_strerror(-r));
}

static gboolean
on_stop(gpointer data)
{
  Running *running = data;

  g_printerr("ppm-server: stopping\n");
  notify("STOPPING=1");
  g_main_loop_quit(running->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_reload(gpointer data)
{
  Running *running = data;
  g_autoptr(GError) error = NULL;
  /* MONOTONIC_USEC ties the reload to this signal (systemd >= 253 wants it). */
  g_autofree char *reloading
      = g_strdup_printf("RELOADING=1\nMONOTONIC_USEC=%" G_GINT64_FORMAT, g_get_monotonic_time());

  notify(reloading);
  if (ppm_http_server_reload_tls(running->http, &error))
    g_printerr("ppm-server: TLS files reloaded\n");
  else
    g_printerr("ppm-server: TLS reload failed, keeping the old files: %s\n", error->message);
  notify("READY=1");
  return G_SOURCE_CONTINUE;
}

static gboolean
on_tick(gpointer data)
{
  Running *running = data;
  PpmStore *store = running->platform->store;
  g_autoptr(GError) error = NULL;

  if (!ppm_store_sessions_tick(store, g_get_real_time() / 1000, &error))
    g_printerr("ppm-server: expiring sessions failed: %s\n", error->message);
  return G_SOURCE_CONTINUE;
}

int
main(int argc, char **argv)
{
  Options o = { 0 };
  PpmPlatform platform = { 0 };
  Running running = { 0 };
  g_autoptr(GError) error = NULL;
  gint64 max_rate;

  g_set_prgname("ppm-server");
  setlocale(LC_ALL, "");
  parse_options(argc, argv, &o);
  if (o.version)
    {
      g_print("ppm-server %s\n", PPM_VERSION);
      options_clear(&o);
      return 0;
    }
  if (o.print_routes)
    {
      ppm_router_print_routes();
      options_clear(&o);
      return 0;
    }
  ppm_web_languages_init();
  if (!ppm_auth_init(&error))
    ppm_die("%s", error->message);
  platform.store
      = ppm_store_open_migrating(o.db ? o.db : "sqlite:ppm.db", o.currency ? o.currency : "USD",
                                 TRUE, &(PpmStoreMigration){ o.no_migrate, 0, 0 }, &error);
  if (platform.store == NULL)
    ppm_die("%s", error->message);
  if (o.currency != NULL && !g_str_equal(o.currency, platform.store->currency))
    ppm_die("the database uses %s, not %s", platform.store->currency, o.currency);
  if (o.max_rate == NULL)
    max_rate = 1000 * ppm_money_unit(platform.store->digits);
  else if (!ppm_amount_parse(o.max_rate, platform.store->currency, &max_rate, &error))
    ppm_die("--max-rate: %s", error->message);
  if (max_rate <= 0)
    ppm_die("--max-rate must be greater than zero");
  platform.billing
      = (PpmBillingConfig){ o.period_seconds,       o.fee_bps,   o.hold_periods, max_rate,
                            o.max_backdate_seconds, o.public_url };
  if (!ppm_web_form_key_load(&platform, &error))
    ppm_die("%s", error->message);
  if (!ppm_store_sessions_resume(platform.store, g_get_real_time() / 1000, &error))
    ppm_die("%s", error->message);

  platform.signups = ppm_throttle_new(PPM_SIGNUP_MAX_PER_ADDRESS, PPM_SIGNUP_WINDOW_SECONDS);

  /* Signals are caught from before the first request is answered: a SIGHUP
   * that came between would otherwise end the process. */
  running.loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGTERM, on_stop, &running);
  g_unix_signal_add(SIGINT, on_stop, &running);
  g_unix_signal_add(SIGHUP, on_reload, &running);
  running.platform = &platform;
  running.http = ppm_http_server_start(
      &(PpmHttpSettings){ o.listen, o.listen_fd, o.tls_cert, o.tls_key,
                          o.max_connections_per_address, o.request_deadline_seconds, o.hash_threads,
                          o.hash_queue },
      &platform, &(PpmHttpRouting){ ppm_router_handle, ppm_router_lane, ppm_router_busy }, &error);
  if (running.http == NULL)
    ppm_die("%s", error->message);
  g_printerr("ppm-server: listening on %s (%s)\n", o.listen, o.public_url);
  /* Only now: the store is open and connections are accepted. */
  notify("READY=1");

  g_timeout_add_seconds(1, on_tick, &running);
  g_main_loop_run(running.loop);

  ppm_http_server_stop(running.http);
  ppm_throttle_free(platform.signups);
  ppm_store_free(platform.store);
  g_main_loop_unref(running.loop);
  options_clear(&o);
  return 0;
}
