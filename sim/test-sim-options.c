/* ppm-sim's command line: several peers, --max-calls, --peer-script and
 * --plugin-action. */
#include "sim-options.h"

#include <string.h>

typedef struct
{
  PpmSimOptions opts;
  gboolean parsed;
  GError *error;
} Parsed;

/* Parses "ppm-sim --role ROLE --account ... ARGS..." with the password in
 * the environment, as ppm-sim gets it. */
static void
parse(Parsed *parsed, const char *role, const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup("ppm-sim"));
  g_ptr_array_add(argv, g_strdup_printf("--role=%s", role));
  g_ptr_array_add(argv, g_strdup("--account=me@localhost/r"));
  g_ptr_array_add(argv, g_strdup("--user-dir=unused"));
  for (int i = 0; args[i] != NULL; i++)
    g_ptr_array_add(argv, g_strdup(args[i]));
  /* g_option_context_parse() rearranges the array it is given. */
  g_autofree char **view = g_new0(char *, argv->len + 1);
  for (guint i = 0; i < argv->len; i++)
    view[i] = g_ptr_array_index(argv, i);
  int argc = (int)argv->len;
  char **parse_argv = view;
  g_setenv("PPM_SIM_PASSWORD", "pw", TRUE);
  parsed->error = NULL;
  parsed->parsed = ppm_sim_options_parse(&parsed->opts, &argc, &parse_argv, &parsed->error);
}

static void
parsed_clear(Parsed *parsed)
{
  ppm_sim_options_clear(&parsed->opts);
  g_clear_error(&parsed->error);
}

static void
test_defaults(void)
{
  Parsed p;
  const char *const args[] = { "--peer=model@localhost/m", NULL };
  parse(&p, "member", args);
  g_assert_no_error(p.error);
  g_assert_true(p.parsed);
  g_assert_cmpuint(g_strv_length(p.opts.peers), ==, 1);
  g_assert_cmpint(p.opts.calls, ==, 1);
  g_assert_cmpint(p.opts.max_calls, ==, 1);
  g_assert_cmpfloat(p.opts.call.answer_after, ==, 0.0);
  g_assert_cmpfloat(p.opts.call.hangup_after, <, 0.0);
  g_assert_false(p.opts.stock_media);
  g_assert_false(p.opts.survive_disconnect);
  g_assert_true(ppm_sim_options_script_for(&p.opts, "model@localhost/m") == &p.opts.call);
  /* Read once, then gone from the environment. */
  g_assert_cmpstr(p.opts.password, ==, "pw");
  g_assert_null(g_getenv("PPM_SIM_PASSWORD"));
  parsed_clear(&p);
}

static void
test_several_peers(void)
{
  Parsed p;
  const char *const args[]
      = { "--peer=model@localhost/m", "--peer=model2@localhost/m", "--max-calls=3", NULL };
  parse(&p, "model", args);
  g_assert_no_error(p.error);
  g_assert_cmpuint(g_strv_length(p.opts.peers), ==, 2);
  g_assert_cmpstr(p.opts.peers[0], ==, "model@localhost/m");
  g_assert_cmpstr(p.opts.peers[1], ==, "model2@localhost/m");
  g_assert_cmpint(p.opts.max_calls, ==, 3);
  parsed_clear(&p);
}

/* A peer's script starts from the options of every call, whatever their
 * order on the command line, and applies to any resource of that peer. */
static void
test_peer_script(void)
{
  Parsed p;
  const char *const args[]
      = { "--peer=a@localhost/c", "--peer-script=a@localhost:hangup-after=4.5,hold-after=1",
          "--hold-for=2", "--peer-script=b@localhost/x:answer-after=3", NULL };
  parse(&p, "model", args);
  g_assert_no_error(p.error);
  const PpmSimCallScript *a = ppm_sim_options_script_for(&p.opts, "A@localhost/other");
  g_assert_true(a != &p.opts.call);
  g_assert_cmpfloat(a->hangup_after, ==, 4.5);
  g_assert_cmpfloat(a->hold_after, ==, 1.0);
  g_assert_cmpfloat(a->hold_for, ==, 2.0);
  const PpmSimCallScript *b = ppm_sim_options_script_for(&p.opts, "b@localhost/c");
  g_assert_cmpfloat(b->answer_after, ==, 3.0);
  g_assert_cmpfloat(b->hangup_after, <, 0.0);
  /* Everyone else: the options of every call, untouched. */
  const PpmSimCallScript *other = ppm_sim_options_script_for(&p.opts, "ab@localhost/c");
  g_assert_true(other == &p.opts.call);
  g_assert_cmpfloat(other->hangup_after, <, 0.0);
  g_assert_cmpfloat(other->hold_for, ==, 2.0);
  parsed_clear(&p);
}

static void
test_peer_script_last_wins(void)
{
  Parsed p;
  const char *const args[] = { "--peer=a@localhost/c", "--peer-script=a@localhost:hangup-after=1",
                               "--peer-script=a@localhost:hangup-after=2", NULL };
  parse(&p, "member", args);
  g_assert_no_error(p.error);
  g_assert_cmpfloat(ppm_sim_options_script_for(&p.opts, "a@localhost")->hangup_after, ==, 2.0);
  parsed_clear(&p);
}

static void
test_plugin_action(void)
{
  Parsed p;
  const char *const args[] = { "--peer=a@localhost/c", "--plugin-action=Status@1.5",
                               "--plugin-action=Link IM account…@4:Link", NULL };
  parse(&p, "model", args);
  g_assert_no_error(p.error);
  g_assert_cmpuint(p.opts.plugin_actions->len, ==, 2);
  const PpmSimPluginAction *status = g_ptr_array_index(p.opts.plugin_actions, 0);
  g_assert_cmpstr(status->name, ==, "Status");
  g_assert_cmpfloat(status->seconds, ==, 1.5);
  g_assert_null(status->button);
  const PpmSimPluginAction *link = g_ptr_array_index(p.opts.plugin_actions, 1);
  g_assert_cmpstr(link->name, ==, "Link IM account…");
  g_assert_cmpfloat(link->seconds, ==, 4.0);
  g_assert_cmpstr(link->button, ==, "Link");
  parsed_clear(&p);

  /* Without the option: no actions, as before it existed. */
  const char *const none[] = { "--peer=a@localhost/c", NULL };
  parse(&p, "model", none);
  g_assert_no_error(p.error);
  g_assert_cmpuint(p.opts.plugin_actions->len, ==, 0);
  parsed_clear(&p);
}

static void
assert_usage_error(const char *role, const char *const *args, const char *words)
{
  Parsed p;
  parse(&p, role, args);
  g_assert_false(p.parsed);
  g_assert_error(p.error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
  g_assert_nonnull(strstr(p.error->message, words));
  parsed_clear(&p);
}

/* A model as a desktop's Pidgin: GStreamer as installed, still running
 * after its connection dropped. */
static void
test_desktop_model(void)
{
  Parsed p;
  const char *const args[]
      = { "--peer=member@localhost/c", "--stock-media", "--survive-disconnect", NULL };
  parse(&p, "model", args);
  g_assert_no_error(p.error);
  g_assert_true(p.opts.stock_media);
  g_assert_true(p.opts.survive_disconnect);
  parsed_clear(&p);
}

static void
test_bad_usage(void)
{
  const char *const unknown_key[]
      = { "--peer=a@localhost/c", "--peer-script=a@localhost:vanish-after=1", NULL };
  assert_usage_error("model", unknown_key, "vanish-after=1");
  const char *const not_a_number[]
      = { "--peer=a@localhost/c", "--peer-script=a@localhost:hangup-after=soon", NULL };
  assert_usage_error("model", not_a_number, "hangup-after=soon");
  const char *const trailing[]
      = { "--peer=a@localhost/c", "--peer-script=a@localhost:hangup-after=1,", NULL };
  assert_usage_error("model", trailing, "is not KEY=SECONDS");
  const char *const no_jid[] = { "--peer=a@localhost/c", "--peer-script=hangup-after=1", NULL };
  assert_usage_error("model", no_jid, "JID:KEY=SECONDS");
  const char *const no_calls[] = { "--peer=a@localhost/c", "--max-calls=0", NULL };
  assert_usage_error("model", no_calls, "--max-calls >= 1");
  const char *const no_time[] = { "--peer=a@localhost/c", "--plugin-action=Status", NULL };
  assert_usage_error("model", no_time, "NAME@SECONDS[:BUTTON]");
  const char *const bad_time[] = { "--peer=a@localhost/c", "--plugin-action=Status@soon", NULL };
  assert_usage_error("model", bad_time, "Status@soon");
  const char *const negative[] = { "--peer=a@localhost/c", "--plugin-action=Status@-1", NULL };
  assert_usage_error("model", negative, "Status@-1");
  const char *const no_name[] = { "--peer=a@localhost/c", "--plugin-action=@1", NULL };
  assert_usage_error("model", no_name, "NAME@SECONDS");
  const char *const no_button[] = { "--peer=a@localhost/c", "--plugin-action=Status@1:", NULL };
  assert_usage_error("model", no_button, "Status@1:");
}

static void
test_peer_required(void)
{
  Parsed p;
  const char *const args[] = { NULL };
  parse(&p, "member", args);
  g_assert_false(p.parsed);
  g_assert_error(p.error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED);
  g_assert_nonnull(strstr(p.error->message, "--peer"));
  parsed_clear(&p);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sim/options/defaults", test_defaults);
  g_test_add_func("/sim/options/several-peers", test_several_peers);
  g_test_add_func("/sim/options/peer-script", test_peer_script);
  g_test_add_func("/sim/options/peer-script-last-wins", test_peer_script_last_wins);
  g_test_add_func("/sim/options/plugin-action", test_plugin_action);
  g_test_add_func("/sim/options/desktop-model", test_desktop_model);
  g_test_add_func("/sim/options/bad-usage", test_bad_usage);
  g_test_add_func("/sim/options/peer-required", test_peer_required);
  return g_test_run();
}
