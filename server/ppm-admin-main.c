/* ppm-admin: the platform's operator commands (docs/man/ppm-admin.1).  Every
 * command prints one line on success; on error one line on stderr, exit 1,
 * and nothing changed, except a refund that could return only part of a
 * call (cmd_refund()). */
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
  GHashTable *flags; /* "--name" → value */
  char **positional;
} Command;

/* `error` is read only after `ok` was computed (argument evaluation order
 * is unspecified, so it is passed by address). */
static void
check(gboolean ok, GError **error)
{
  if (!ok)
    ppm_die("%s", *error ? (*error)->message : "failed");
}

static const char *
flag(Command *c, const char *name)
{
  const char *value = g_hash_table_lookup(c->flags, name);

  if (value == NULL)
    ppm_die("%s is required", name);
  return value;
}

/* --email as the platform spells it (ppm_email_normalize()). */
static char *
email_flag(Command *c)
{
  GError *error = NULL;
  char *email = ppm_email_normalize(flag(c, "--email"), &error);

  if (email == NULL)
    ppm_die("--email: %s", error->message);
  return email;
}

static PpmUser *
user_by_email(Command *c)
{
  GError *error = NULL;
  g_autofree char *email = email_flag(c);
  PpmUser *user = c->store->ops->get_user_by_email(c->store, email, &error);

  check(user != NULL, &error);
  return user;
}

static gint64
amount(Command *c, gboolean positive)
{
  GError *error = NULL;
  gint64 minor;

  check(ppm_amount_parse(flag(c, "--amount"), c->store->currency, &minor, &error), &error);
  if (positive && minor <= 0)
    ppm_die("the amount must be greater than zero");
  return minor;
}

static void
print_money(gint64 minor, Command *c)
{
  g_autofree char *text = ppm_amount_format(minor, c->store->digits);
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
  const char *name = flag(c, "--display-name");
  g_autofree char *email = NULL, *password = NULL, *hash = NULL;
  GError *error = NULL;
  gint64 id;
  PpmRole role;

  if (!ppm_role_from_string(flag(c, "--role"), &role))
    ppm_die("--role must be model or member");
  email = email_flag(c);
  if (!ppm_display_name_valid(name))
    ppm_die("--display-name must be 1..100 bytes of UTF-8 without control or bidi characters");
  password = read_password();
  hash = ppm_password_hash(password, &error);
  check(hash != NULL, &error);
  check(c->store->ops->create_user(c->store, email, role, name, hash, &id, &error), &error);
  g_print("id=%" G_GINT64_FORMAT " email=%s role=%s\n", id, email, ppm_role_to_string(role));
}

static void
cmd_set_password(Command *c)
{
  g_autoptr(PpmUser) user = user_by_email(c);
  g_autofree char *password = read_password();
  GError *error = NULL;
  g_autofree char *hash = ppm_password_hash(password, &error);

  check(hash != NULL, &error);
  check(c->store->ops->set_password(c->store, user->id, hash, NULL, &error), &error);
  g_print("ok\n");
}

static void
cmd_disable_user(Command *c)
{
  g_autoptr(PpmUser) user = user_by_email(c);
  GError *error = NULL;

  check(c->store->ops->disable_user(c->store, user->id, &error), &error);
  g_print("ok\n");
}

static void
cmd_revoke_tokens(Command *c)
{
  g_autoptr(PpmUser) user = user_by_email(c);
  GError *error = NULL;

  check(c->store->ops->revoke_tokens(c->store, user->id, &error), &error);
  g_print("ok\n");
}

static void
cmd_fund(Command *c)
{
  g_autoptr(PpmUser) user = user_by_email(c);
  gint64 minor = amount(c, TRUE), balance;
  GError *error = NULL;

  if (minor > PPM_MAX_DEPOSIT_MINOR)
    ppm_die("a deposit is at most 10^11 minor units");
  check(c->store->ops->fund(c->store, user->id, minor, g_get_real_time() / 1000, &balance, &error),
        &error);
  print_money(balance, c);
}

static void
cmd_payout(Command *c)
{
  g_autoptr(PpmUser) user = user_by_email(c);
  gint64 minor = amount(c, TRUE), balance;
  GError *error = NULL;

  check(
      c->store->ops->payout(c->store, user->id, minor, g_get_real_time() / 1000, &balance, &error),
      &error);
  print_money(balance, c);
}

/* What could be returned is, and printed; charges the model's earnings
 * cannot pay back stand, and then the command fails, saying which. */
static void
cmd_refund(Command *c)
{
  PpmRefund refund;
  GError *error = NULL;
  g_autofree char *stood = NULL;

  check(c->store->ops->refund_session(c->store, flag(c, "--session"), g_get_real_time() / 1000,
                                      &refund, &error),
        &error);
  print_money(refund.refunded_minor, c);
  if (refund.stood_charges == 0)
    return;
  stood = ppm_amount_format(refund.stood_minor, c->store->digits);
  ppm_die("%" G_GINT64_FORMAT " charge%s (%s %s) not refunded: the model's earnings cannot pay "
          "them back; run refund again once they can",
          refund.stood_charges, refund.stood_charges == 1 ? "" : "s", stood, c->store->currency);
}

static void
change_link(Command *c, gboolean link)
{
  g_autoptr(PpmUser) user = user_by_email(c);
  GError *error = NULL;
  g_autoptr(PpmHandle) handle
      = ppm_handle_normalize(flag(c, "--protocol"), flag(c, "--handle"), &error);

  check(handle != NULL, &error);
  check((link ? c->store->ops->handle_link : c->store->ops->handle_unlink)(
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
  g_autoptr(PpmUser) user = user_by_email(c);
  gint64 minor = amount(c, TRUE);
  GError *error = NULL;

  if (user->role != role)
    ppm_die("%s is not a %s", user->email, ppm_role_to_string(role));
  check((role == PPM_ROLE_MODEL ? c->store->ops->set_rate
                                : c->store->ops->set_max_rate)(c->store, user->id, minor, &error),
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
  g_autoptr(PpmUser) user = user_by_email(c);
  GError *error = NULL;
  g_autoptr(PpmAccount) account = c->store->ops->account_get(c->store, user->id, &error);

  check(account != NULL, &error);
  print_money(account->balance_minor, c);
}

static void
cmd_verify(Command *c)
{
  g_autofree char *problem = NULL;
  GError *error = NULL;

  check(c->store->ops->verify(c->store, &problem, &error), &error);
  if (problem != NULL)
    ppm_die("%s", problem);
  g_print("ok\n");
}

static void
cmd_backup(Command *c)
{
  GError *error = NULL;

  if (c->positional[0] == NULL || c->positional[1] != NULL)
    ppm_die("usage: backup FILE");
  if (c->store->ops->backup == NULL)
    ppm_die("this database has no file to back up; use copy --to");
  check(c->store->ops->backup(c->store, c->positional[0], &error), &error);
  g_print("ok\n");
}

static void
cmd_copy(Command *c)
{
  GError *error = NULL;
  g_autoptr(PpmStore) target = ppm_store_open(flag(c, "--to"), c->store->currency, &error);

  check(target != NULL, &error);
  check(target->ops->import_rows(target, c->store, &error), &error);
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
      PpmUser *existing = c->store->ops->get_user_by_email(c->store, users[i].email, NULL);
      if (existing != NULL)
        {
          ppm_user_free(existing);
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
      check(c->store->ops->create_user(c->store, users[i].email, users[i].role, users[i].name, hash,
                                       &id, &error),
            &error);
      check(c->store->ops->handle_link(c->store, id, DEMO_PROTOCOL, users[i].handle, &error),
            &error);
      if (users[i].role == PPM_ROLE_MODEL)
        check(c->store->ops->set_rate(c->store, id, 2 * unit, &error), &error);
      else
        check(c->store->ops->fund(c->store, id, 20 * unit, g_get_real_time() / 1000, &balance,
                                  &error),
              &error);
      balance_text = ppm_amount_format(balance, c->store->digits);
      g_print("role=%s email=%s password=%s protocol=%s handle=%s balance=%s\n",
              ppm_role_to_string(users[i].role), users[i].email, password, DEMO_PROTOCOL,
              users[i].handle, balance_text);
    }
}

static const struct
{
  const char *name;
  void (*run)(Command *c);
} commands[] = {
  { "create-user", cmd_create_user },
  { "set-password", cmd_set_password },
  { "disable-user", cmd_disable_user },
  { "revoke-tokens", cmd_revoke_tokens },
  { "fund", cmd_fund },
  { "payout", cmd_payout },
  { "refund", cmd_refund },
  { "link", cmd_link },
  { "unlink", cmd_unlink },
  { "set-rate", cmd_set_rate },
  { "set-max-rate", cmd_set_max_rate },
  { "balance", cmd_balance },
  { "verify", cmd_verify },
  { "backup", cmd_backup },
  { "copy", cmd_copy },
  { "demo", cmd_demo },
};

int
main(int argc, char **argv)
{
  const char *db = "sqlite:ppm.db";
  int i = 1;
  g_autoptr(GPtrArray) positional = g_ptr_array_new();
  Command c = { 0 };
  GError *error = NULL;

  g_set_prgname("ppm-admin");
  setlocale(LC_ALL, "");
  if (i + 1 < argc && g_str_equal(argv[i], "--db"))
    {
      db = argv[i + 1];
      i += 2;
    }
  else if (i < argc && g_str_has_prefix(argv[i], "--db="))
    db = argv[i++] + strlen("--db=");
  if (i >= argc)
    ppm_die("usage: ppm-admin [--db URI] COMMAND ...");
  c.flags = g_hash_table_new(g_str_hash, g_str_equal);
  for (int j = i + 1; j < argc; j++)
    {
      if (g_str_has_prefix(argv[j], "--"))
        {
          if (j + 1 >= argc)
            ppm_die("%s needs a value", argv[j]);
          g_hash_table_insert(c.flags, argv[j], argv[j + 1]);
          j++;
        }
      else
        g_ptr_array_add(positional, argv[j]);
    }
  g_ptr_array_add(positional, NULL);
  c.positional = (char **)positional->pdata;
  for (gsize k = 0; k < G_N_ELEMENTS(commands); k++)
    if (g_str_equal(commands[k].name, argv[i]))
      {
        check(ppm_auth_init(&error), &error);
        c.store = ppm_store_open(db, "USD", &error);
        check(c.store != NULL, &error);
        commands[k].run(&c);
        ppm_store_free(c.store);
        g_hash_table_unref(c.flags);
        return 0;
      }
  ppm_die("unknown command %s", argv[i]);
}
