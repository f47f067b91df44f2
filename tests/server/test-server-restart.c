/* kill -9 between charges: after a restart every acknowledged charge is
 * there, an unacknowledged one that landed is answered as a replay, no seq
 * is taken twice and the ledger holds. */
#include <string.h>

#include "ppm-test-api.h"

#define TOTAL_SEQS 100
#define KILL_AFTER 40

typedef struct
{
  PpmTestServer *server;
  const char *token;
  const char *session_id;
  char *bodies[TOTAL_SEQS]; /* first answer of each seq */
  gint acked;               /* seqs answered 201 so far */
  gint replayed_retries;    /* retries after a lost answer that came back as replays */
} Charger;

static gpointer
charge_all(gpointer data)
{
  Charger *c = data;

  for (gint64 seq = 0; seq < TOTAL_SEQS; seq++)
    {
      gboolean retried = FALSE;

      while (TRUE)
        {
          g_autofree char *path = g_strdup_printf("/v1/sessions/%s/charges", c->session_id);
          g_autofree char *body
              = g_strdup_printf("{\"seq\": %" G_GINT64_FORMAT ", \"elapsed_ms\": 0}", seq);
          g_autoptr(PpmTestResponse) r
              = ppm_test_request_try(c->server, "POST", path, c->token, NULL, body, strlen(body));

          if (r == NULL)
            {
              retried = TRUE;
              g_usleep(20000);
              continue;
            }
          ppm_assert_answer(r, 201, NULL);
          if (retried && g_hash_table_contains(r->headers, "idempotent-replayed"))
            g_atomic_int_inc(&c->replayed_retries);
          c->bodies[seq] = g_strdup(r->body);
          g_atomic_int_inc(&c->acked);
          break;
        }
    }
  return NULL;
}

static void
test_kill_between_charges(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PpmTestServer) server = ppm_test_server_start(
      NULL, (const char *[]){ "--period-seconds", "1", "--max-backdate-seconds", "600", NULL },
      &error);
  g_auto(PpmTestPair) pair = { 0 };
  g_autoptr(PpmTestResponse) open = NULL, history = NULL;
  Charger c = { 0 };
  GThread *thread;
  gint acked_before_kill, charges = 0;
  JsonArray *items;

  g_assert_no_error(error);
  ppm_test_pair_init(&pair, server, "model", "member", "20.00");
  g_free(
      ppm_test_admin_ok(server, "set-rate", "--email", pair.model_email, "--amount", "0.01", NULL));
  open = ppm_test_open(server, &pair, 500000);
  ppm_assert_answer(open, 201, NULL);
  c.server = server;
  c.token = pair.model_token;
  c.session_id = ppm_test_string(open, "session_id");

  thread = g_thread_new("charger", charge_all, &c);
  while (g_atomic_int_get(&c.acked) < KILL_AFTER)
    g_usleep(1000);
  ppm_test_server_kill(server);
  acked_before_kill = g_atomic_int_get(&c.acked);
  g_usleep(100000);
  g_assert_true(ppm_test_server_restart(server, &error));
  g_assert_no_error(error);
  g_thread_join(thread);
  g_assert_cmpint(c.acked, ==, TOTAL_SEQS);
  g_test_message("acknowledged before the kill: %d, retries answered as replays: %d",
                 acked_before_kill, c.replayed_retries);

  /* Every charge acknowledged before the kill survived: it replays, unchanged. */
  for (gint seq = 0; seq < acked_before_kill; seq++)
    {
      g_autoptr(PpmTestResponse) r = ppm_test_charge(server, pair.model_token, c.session_id, seq);
      ppm_assert_answer(r, 201, NULL);
      g_assert_cmpstr(g_hash_table_lookup(r->headers, "idempotent-replayed"), ==, "true");
      g_assert_cmpstr(r->body, ==, c.bodies[seq]);
    }
  /* No seq was taken twice. */
  history = ppm_test_call(server, "GET", "/v1/me/transactions?limit=200", pair.member_token, NULL);
  items = json_object_get_array_member(json_node_get_object(history->json), "items");
  for (guint i = 0; i < json_array_get_length(items); i++)
    if (g_str_equal(json_object_get_string_member(json_array_get_object_element(items, i), "kind"),
                    "charge"))
      charges++;
  g_assert_cmpint(charges, ==, TOTAL_SEQS);
  g_assert_cmpint(ppm_test_balance(server, pair.member_email), ==, 2000 - TOTAL_SEQS);
  ppm_test_verify(server);
  for (gint seq = 0; seq < TOTAL_SEQS; seq++)
    g_free(c.bodies[seq]);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/server/restart/kill-between-charges", test_kill_between_charges);
  return g_test_run();
}
