/* ppm-admin: the platform's operator commands (docs/man/ppm-admin.1).  Every
 * command prints one line on success; on error one line on stderr, exit 1,
 * and nothing changed, except a refund that could return only part of a
 * call (cmd_refund()).  A usage error exits 64 before the database is
 * opened. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppm-amount.h"
#include "ppm-auth.h"
#include "ppm-die.h"
#include "ppm-handle.h"
#include "ppm-validate.h"

#define DEMO_PROTOCOL "prpl-jabber"

typedef struct
{
  PpmStore *store;
  PpmStoreMigration migration; /* what opening the store did to the schema */
  char **positional;
} Command;

/* Each command's options; a command's entries name the ones it takes. */
static struct
{
  char *email;
  char *role;
  char *display_name;
  char *amount;
  char *session;
  char *protocol;
  char *handle;
  char *to;
  char *currency;
} opt;

#define ENTRY(name, field, help, value)                                                            \
  {                                                                                                \
    name, 0, 0, G_OPTION_ARG_STRING, &opt.field, help, value                                       \
  }
#define EMAIL ENTRY("email", email, "The user's email", "E")
#define AMOUNT ENTRY("amount", amount, "An amount such as 20.00", "AMOUNT")
#define PROTOCOL ENTRY("protocol", protocol, "A libpurple protocol id", "PRPL")
#define HANDLE ENTRY("handle", handle, "The user's handle on that protocol", "NAME")

/* `error` is read only after `ok` was computed (argument evaluation order
 * is unspecified, so it is passed by address). */
static void
check(gboolean ok, GError **error)
{
  if (!ok)
    ppm_die("%s", *error ? (*error)->message : "failed");
}

/* --email as the platform spells it (ppm_email_normalize()). */
static char *
email_flag(Command *c)
{
  GError *error = NULL;
  char *email = ppm_email_normalize(opt.email, &error);

  if (email == NULL)
    ppm_die("--email: %s", error->message);
  return email;
}

static PpmStoreUser *
user_by_email(Command *c)
{
  GError *error = NULL;
  g_autofree char *email = email_flag(c);
  PpmStoreUser *user = ppm_store_get_user_by_email(c->store, email, &error);

  check(user != NULL, &error);
  return user;
}

static gint64
amount(Command *c, gboolean positive)
{
  GError *error = NULL;
  gint64 minor;

  check(ppm_amount_parse(opt.amount, c->store->currency, &minor, &error), &error);
  if (positive && minor <= 0)
    ppm_die("the amount must be greater than zero");
  return minor;
}

/* The bare amount in the store's currency: "20.00", "-3.50". */
static char *
amount_text(gint64 minor, Command *c)
{
  PpmMoney money = ppm_money_of(minor, c->store->currency);

  return ppm_money_format_plain(&money);
}

static void
print_money(gint64 minor, Command *c)
{
  g_autofree char *text = amount_text(minor, c);
  g_print("%s %s\n", text, c->store->currency);
}

/* The first line of standard input, without its newline. */
static char *
read_password(void)
{
  char line[1100];
  char *password;

  if (fgets(line, sizeof line, stdin) == NULL)
    ppm_die("the password is read from the first line of standard input");
  line[strcspn(line, "\r\n")] = '\0';
  password = g_strdup(line);
  explicit_bzero(line, sizeof line);
  if (!ppm_password_acceptable(password))
    ppm_die("the password must be 8 to 1024 bytes of UTF-8");
  return password;
}

static void
cmd_create_user(Command *c)
{
  const char *name = opt.display_name;
  g_autofree char *email = NULL, *password = NULL, *hash = NULL;
  GError *error = NULL;
  gint64 id;
  PpmRole role;

  if (!ppm_role_from_string(opt.role, &role))
    ppm_die("--role must be model or member");
  email = email_flag(c);
  if (!ppm_display_name_valid(name))
    ppm_die("--display-name must be 1..100 bytes of UTF-8 without control or bidi characters");
  password = read_password();
  hash = ppm_password_hash(password, &error);
  check(hash != NULL, &error);
  check(ppm_store_create_user(c->store, email, role, name, hash, &id, &error), &error);
  g_print("id=%" G_GINT64_FORMAT " email=%s role=%s\n", id, email, ppm_role_to_string(role));
}

static void
cmd_set_password(Command *c)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  g_autofree char *password = read_password();
  GError *error = NULL;
  g_autofree char *hash = ppm_password_hash(password, &error);

  check(hash != NULL, &error);
  check(ppm_store_set_password(c->store, user->id, hash, NULL, &error), &error);
  g_print("ok\n");
}

static void
cmd_disable_user(Command *c)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  GError *error = NULL;

  check(ppm_store_disable_user(c->store, user->id, &error), &error);
  g_print("ok\n");
}

static void
cmd_revoke_tokens(Command *c)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  GError *error = NULL;

  check(ppm_store_revoke_tokens(c->store, user->id, &error), &error);
  g_print("ok\n");
}

static void
cmd_fund(Command *c)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  gint64 minor = amount(c, TRUE), balance;
  GError *error = NULL;

  check(ppm_store_fund(c->store, user->id, minor, g_get_real_time() / 1000, &balance, &error),
        &error);
  print_money(balance, c);
}

static void
cmd_payout(Command *c)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  gint64 minor = amount(c, TRUE), balance;
  GError *error = NULL;

  check(ppm_store_payout(c->store, user->id, minor, g_get_real_time() / 1000, &balance, &error),
        &error);
  print_money(balance, c);
}

/* What could be returned is, and printed; charges the model's earnings
 * cannot pay back stand, and then the command fails, saying which. */
static void
cmd_refund(Command *c)
{
  PpmStoreRefund refund;
  GError *error = NULL;
  g_autofree char *stood = NULL;

  check(ppm_store_refund_session(c->store, opt.session, g_get_real_time() / 1000, &refund, &error),
        &error);
  print_money(refund.refunded_minor, c);
  if (refund.stood_charges == 0)
    return;
  stood = amount_text(refund.stood_minor, c);
  ppm_die("%" G_GINT64_FORMAT " charge%s (%s %s) not refunded: the model's earnings cannot pay "
          "them back; run refund again once they can",
          refund.stood_charges, refund.stood_charges == 1 ? "" : "s", stood, c->store->currency);
}

static void
change_link(Command *c, gboolean link)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  GError *error = NULL;
  g_autoptr(PpmStoreHandle) handle = ppm_handle_normalize(opt.protocol, opt.handle, &error);

  check(handle != NULL, &error);
  check((link ? ppm_store_handle_link : ppm_store_handle_unlink)(
            c->store, user->id, handle->protocol, handle->handle, &error),
        &error);
  g_print("%s %s %s\n", link ? "linked" : "unlinked", handle->protocol, handle->handle);
}

static void
cmd_link(Command *c)
{
  change_link(c, TRUE);
}

static void
cmd_unlink(Command *c)
{
  change_link(c, FALSE);
}

static void
set_rate(Command *c, PpmRole role)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  gint64 minor = amount(c, TRUE);
  GError *error = NULL;

  if (user->role != role)
    ppm_die("%s is not a %s", user->email, ppm_role_to_string(role));
  check((role == PPM_ROLE_MODEL ? ppm_store_set_rate : ppm_store_set_max_rate)(c->store, user->id,
                                                                               minor, &error),
        &error);
  print_money(minor, c);
}

static void
cmd_set_rate(Command *c)
{
  set_rate(c, PPM_ROLE_MODEL);
}

static void
cmd_set_max_rate(Command *c)
{
  set_rate(c, PPM_ROLE_MEMBER);
}

static void
cmd_balance(Command *c)
{
  g_autoptr(PpmStoreUser) user = user_by_email(c);
  GError *error = NULL;
  g_autoptr(PpmStoreAccount) account = ppm_store_account_get(c->store, user->id, &error);

  check(account != NULL, &error);
  print_money(account->balance_minor, c);
}

static void
cmd_verify(Command *c)
{
  g_autofree char *problem = NULL;
  GError *error = NULL;

  check(ppm_store_verify(c->store, &problem, &error), &error);
  if (problem != NULL)
    ppm_die("%s", problem);
  g_print("ok\n");
}

static void
cmd_backup(Command *c)
{
  GError *error = NULL;

  check(ppm_store_backup(c->store, c->positional[0], &error), &error);
  g_print("ok\n");
}

static void
cmd_copy(Command *c)
{
  GError *error = NULL;
  g_autoptr(PpmStore) target = ppm_store_open(opt.to, c->store->currency, &error);

  check(target != NULL, &error);
  check(ppm_store_import_rows(target, c->store, &error), &error);
  g_print("ok\n");
}

typedef struct
{
  PpmRole role;
  const char *email;
  const char *name;
  const char *handle;
} DemoUser;

static void
cmd_demo(Command *c)
{
  const DemoUser users[] = {
    { PPM_ROLE_MODEL, "model@localhost", "Demo Model", "model@localhost" },
    { PPM_ROLE_MEMBER, "member@localhost", "Demo Member", "member@localhost" },
  };
  gint64 unit = ppm_money_unit(c->store->digits);
  GError *error = NULL;

  /* Everything is checked before anything is written. */
  for (gsize i = 0; i < G_N_ELEMENTS(users); i++)
    {
      PpmStoreUser *existing = ppm_store_get_user_by_email(c->store, users[i].email, NULL);
      if (existing != NULL)
        {
          ppm_store_user_free(existing);
          ppm_die("the demo users exist already (%s)", users[i].email);
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS(users); i++)
    {
      g_autofree char *password = ppm_token_new();
      g_autofree char *hash = ppm_password_hash(password, &error);
      g_autofree char *balance_text = NULL;
      gint64 id, balance = 0;

      check(hash != NULL, &error);
      check(ppm_store_create_user(c->store, users[i].email, users[i].role, users[i].name, hash, &id,
                                  &error),
            &error);
      check(ppm_store_handle_link(c->store, id, DEMO_PROTOCOL, users[i].handle, &error), &error);
      if (users[i].role == PPM_ROLE_MODEL)
        check(ppm_store_set_rate(c->store, id, 2 * unit, &error), &error);
      else
        check(ppm_store_fund(c->store, id, 20 * unit, g_get_real_time() / 1000, &balance, &error),
              &error);
      balance_text = amount_text(balance, c);
      g_print("role=%s email=%s password=%s protocol=%s handle=%s balance=%s\n",
              ppm_role_to_string(users[i].role), users[i].email, password, DEMO_PROTOCOL,
              users[i].handle, balance_text);
    }
}

static void
cmd_init(Command *c)
{
  if (opt.currency != NULL && !g_str_equal(opt.currency, c->store->currency))
    ppm_die("the database uses %s, not %s", c->store->currency, opt.currency);
  g_print("ok\n");
}

static const GOptionEntry no_options[] = { G_OPTION_ENTRY_NULL };
/* Opening the store migrated it (main()); this says what was done. */
static void
cmd_migrate(Command *c)
{
  if (c->migration.from == c->migration.to)
    g_print("schema already at version %d\n", c->migration.to);
  else
    g_print("schema migrated from version %d to %d\n", c->migration.from, c->migration.to);
}

static const GOptionEntry email_only[] = { EMAIL, G_OPTION_ENTRY_NULL };
static const GOptionEntry email_amount[] = { EMAIL, AMOUNT, G_OPTION_ENTRY_NULL };
static const GOptionEntry link_options[] = { EMAIL, PROTOCOL, HANDLE, G_OPTION_ENTRY_NULL };
static const GOptionEntry create_user_options[] = {
  EMAIL,
  ENTRY("role", role, "model or member", "ROLE"),
  ENTRY("display-name", display_name, "The name others see", "NAME"),
  G_OPTION_ENTRY_NULL,
};
static const GOptionEntry refund_options[]
    = { ENTRY("session", session, "The session's id", "ID"), G_OPTION_ENTRY_NULL };
static const GOptionEntry copy_options[]
    = { ENTRY("to", to, "The database to copy into (empty)", "URI"), G_OPTION_ENTRY_NULL };
static const GOptionEntry init_options[] = {
  ENTRY("currency", currency, "Currency of the new database (default USD)", "CODE"),
  G_OPTION_ENTRY_NULL,
};

static const struct
{
  const char *name;
  void (*run)(Command *c);
  const GOptionEntry *required;
  const GOptionEntry *optional;
  const char *arguments; /* positional arguments, NULL for none */
  gboolean creates;      /* may create the database */
  const char *summary;
} commands[] = {
  { "init", cmd_init, no_options, init_options, NULL, TRUE, "Create the database" },
  { "migrate", cmd_migrate, no_options, no_options, NULL, FALSE,
    "Bring the database's schema to this version" },
  { "create-user", cmd_create_user, create_user_options, no_options, NULL, TRUE,
    "Create a user; the password is the first line of standard input" },
  { "set-password", cmd_set_password, email_only, no_options, NULL, FALSE,
    "Set a user's password from the first line of standard input" },
  { "disable-user", cmd_disable_user, email_only, no_options, NULL, FALSE, "Disable a user" },
  { "revoke-tokens", cmd_revoke_tokens, email_only, no_options, NULL, FALSE,
    "Sign a user out everywhere" },
  { "fund", cmd_fund, email_amount, no_options, NULL, FALSE, "Deposit money for a member" },
  { "payout", cmd_payout, email_amount, no_options, NULL, FALSE, "Pay a model's earnings out" },
  { "refund", cmd_refund, refund_options, no_options, NULL, FALSE,
    "Return a session's charges to the member" },
  { "link", cmd_link, link_options, no_options, NULL, FALSE, "Link a handle to a user" },
  { "unlink", cmd_unlink, link_options, no_options, NULL, FALSE, "Unlink a handle" },
  { "set-rate", cmd_set_rate, email_amount, no_options, NULL, FALSE, "Set a model's rate" },
  { "set-max-rate", cmd_set_max_rate, email_amount, no_options, NULL, FALSE,
    "Set a member's highest rate" },
  { "balance", cmd_balance, email_only, no_options, NULL, FALSE,
    "Print a member's balance or a model's earnings" },
  { "verify", cmd_verify, no_options, no_options, NULL, FALSE, "Check the ledger's invariants" },
  { "backup", cmd_backup, no_options, no_options, "FILE", FALSE,
    "Write a consistent copy of an SQLite database (mode 0600)" },
  { "copy", cmd_copy, copy_options, no_options, NULL, FALSE,
    "Copy all data into another database" },
  { "demo", cmd_demo, no_options, no_options, NULL, TRUE, "Create a demo model and member" },
};

static char *
commands_description(void)
{
  GString *text = g_string_new("Commands (ppm-admin COMMAND --help for each):\n");

  for (gsize k = 0; k < G_N_ELEMENTS(commands); k++)
    g_string_append_printf(text, "  %-14s %s\n", commands[k].name, commands[k].summary);
  g_string_append(text, "\nThe database is --db, else $PPM_DB, else sqlite:ppm.db.");
  return g_string_free(text, FALSE);
}

/* Parses argv (the command's name first) into opt; a usage error exits. */
static void
parse_command(gsize k, int *argc, char ***argv)
{
  g_autofree char *parameter
      = g_strdup_printf("%s%s%s", commands[k].name, commands[k].arguments ? " " : "",
                        commands[k].arguments ? commands[k].arguments : "");
  g_autoptr(GOptionContext) context = g_option_context_new(parameter);
  g_autoptr(GError) error = NULL;

  g_option_context_set_summary(context, commands[k].summary);
  g_option_context_add_main_entries(context, commands[k].required, NULL);
  g_option_context_add_main_entries(context, commands[k].optional, NULL);
  if (!g_option_context_parse(context, argc, argv, &error))
    ppm_die_usage("%s: %s", commands[k].name, error->message);
  for (const GOptionEntry *e = commands[k].required; e->long_name != NULL; e++)
    if (*(char **)e->arg_data == NULL)
      ppm_die_usage("%s: --%s is required", commands[k].name, e->long_name);
  /* (*argv)[0] is the command's name. */
  if (commands[k].arguments == NULL ? *argc != 1 : *argc != 2)
    ppm_die_usage("usage: ppm-admin %s", parameter);
}

int
main(int argc, char **argv)
{
  g_autofree char *db = NULL;
  g_autofree char *description = NULL;
  gboolean create = FALSE, version = FALSE;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_STRING, &db, "Database URI (default $PPM_DB, else sqlite:ppm.db)",
      "URI" },
    { "create", 0, 0, G_OPTION_ARG_NONE, &create, "Create the database if it does not exist",
      NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    G_OPTION_ENTRY_NULL,
  };
  g_autoptr(GOptionContext) context = g_option_context_new("COMMAND [OPTION…]");
  Command c = { 0 };
  GError *error = NULL;

  g_set_prgname("ppm-admin");
  setlocale(LC_ALL, "");
  description = commands_description();
  g_option_context_set_summary(context, "Operator commands of the pay-per-minute platform.");
  g_option_context_set_description(context, description);
  g_option_context_add_main_entries(context, entries, NULL);
  /* Stops at the command's name: what follows is the command's. */
  g_option_context_set_strict_posix(context, TRUE);
  if (!g_option_context_parse(context, &argc, &argv, &error))
    ppm_die_usage("%s", error->message);
  if (version)
    {
      g_print("ppm-admin %s\n", PPM_VERSION);
      return 0;
    }
  if (argc < 2)
    ppm_die_usage("usage: ppm-admin [--db URI] COMMAND ... (ppm-admin --help lists the commands)");
  for (gsize k = 0; k < G_N_ELEMENTS(commands); k++)
    if (g_str_equal(commands[k].name, argv[1]))
      {
        int command_argc = argc - 1;
        char **command_argv = argv + 1;

        parse_command(k, &command_argc, &command_argv);
        c.positional = command_argv + 1;
        if (db == NULL)
          db = g_strdup(g_getenv("PPM_DB") ? g_getenv("PPM_DB") : "sqlite:ppm.db");
        if (opt.currency != NULL && !ppm_currency_valid(opt.currency))
          ppm_die_usage("--currency must be an ISO 4217 code such as USD");
        check(ppm_auth_init(&error), &error);
        c.store = ppm_store_open_migrating(db, opt.currency ? opt.currency : "USD",
                                           commands[k].creates || create, &c.migration, &error);
        check(c.store != NULL, &error);
        commands[k].run(&c);
        ppm_store_free(c.store);
        return 0;
      }
  ppm_die_usage("unknown command %s (ppm-admin --help lists the commands)", argv[1]);
}
