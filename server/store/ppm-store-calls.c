/* The store's operations as every caller reaches them (ppm_store_*() in
 * ppm-store.h): the checks that every engine shares run here once, then the
 * engine's own operation. */
#include "ppm-store.h"
#include "ppm-amount.h"
#include "ppm-handle.h"
#include "ppm-validate.h"

gint64
ppm_store_default_max_rate(const PpmStore *store)
{
  return PPM_DEFAULT_MAX_RATE_UNITS * ppm_money_unit(store->digits);
}

gboolean
ppm_user_require_role(const PpmStoreUser *user, PpmRole role, GError **error)
{
  if (user->role == role)
    return TRUE;
  g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_FORBIDDEN,
                      role == PPM_ROLE_MODEL ? "for models only" : "for members only");
  return FALSE;
}

gboolean
ppm_store_authenticate_model(PpmStore *store, const char *access_hash, gint64 now_ms,
                             gint64 *model_id, GError **error)
{
  g_autoptr(PpmStoreUser) user = ppm_store_tokens_authenticate(store, access_hash, now_ms, error);

  if (user == NULL || !ppm_user_require_role(user, PPM_ROLE_MODEL, error))
    return FALSE;
  *model_id = user->id;
  return TRUE;
}

gboolean
ppm_store_allow_model(PpmStore *store, gint64 member_id, const char *email, const char *protocol,
                      const char *handle, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PpmStoreUser) user = NULL;
  g_autofree char *spelled = NULL;
  g_autoptr(PpmStoreHandle) link = NULL;
  gboolean ok;

  /* As typed by the member: the one spelling first, as every other route. */
  if (email != NULL)
    {
      spelled = ppm_email_normalize(email, &local);
      user = spelled != NULL ? ppm_store_get_user_by_email(store, spelled, &local) : NULL;
      ok = user != NULL
           && store->ops->allow_list_add(store, member_id, user->id, NULL, NULL, &local);
    }
  else
    {
      link = ppm_handle_normalize(protocol, handle, &local);
      ok = link != NULL
           && store->ops->allow_list_add(store, member_id, 0, link->protocol, link->handle, &local);
    }
  if (ok)
    return TRUE;
  if (g_error_matches(local, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND))
    {
      g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_NOT_FOUND,
                          "no model has that email or handle");
      return FALSE;
    }
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

gboolean
ppm_store_create_user(PpmStore *store, const char *email, PpmRole role, const char *display_name,
                      const char *password_hash, gint64 *user_id, GError **error)
{
  return store->ops->create_user(store, email, role, display_name, password_hash, user_id, error);
}

PpmStoreUser *
ppm_store_get_user_by_email(PpmStore *store, const char *email, GError **error)
{
  return store->ops->get_user_by_email(store, email, error);
}

PpmStoreUser *
ppm_store_get_user_by_id(PpmStore *store, gint64 user_id, GError **error)
{
  return store->ops->get_user_by_id(store, user_id, error);
}

gboolean
ppm_store_set_password(PpmStore *store, gint64 user_id, const char *password_hash,
                       const char *keep_access_hash, GError **error)
{
  return store->ops->set_password(store, user_id, password_hash, keep_access_hash, error);
}

gboolean
ppm_store_disable_user(PpmStore *store, gint64 user_id, GError **error)
{
  return store->ops->disable_user(store, user_id, error);
}

gboolean
ppm_store_revoke_tokens(PpmStore *store, gint64 user_id, GError **error)
{
  return store->ops->revoke_tokens(store, user_id, error);
}

gboolean
ppm_store_login_attempt(PpmStore *store, const char *email, const char *address, gint64 now_ms,
                        gint64 *retry_after_s, GError **error)
{
  return store->ops->login_attempt(store, email, address, now_ms, retry_after_s, error);
}

gboolean
ppm_store_login_forget(PpmStore *store, const char *email, const char *address, GError **error)
{
  return store->ops->login_forget(store, email, address, error);
}

gboolean
ppm_store_tokens_issue(PpmStore *store, gint64 user_id, const char *access_hash,
                       const char *refresh_hash, gint64 now_ms, GError **error)
{
  return store->ops->tokens_issue(store, user_id, access_hash, refresh_hash, now_ms, error);
}

PpmStoreUser *
ppm_store_tokens_refresh(PpmStore *store, const char *old_refresh_hash, const char *access_hash,
                         const char *refresh_hash, gint64 now_ms, GError **error)
{
  return store->ops->tokens_refresh(store, old_refresh_hash, access_hash, refresh_hash, now_ms,
                                    error);
}

PpmStoreUser *
ppm_store_tokens_authenticate(PpmStore *store, const char *access_hash, gint64 now_ms,
                              GError **error)
{
  return store->ops->tokens_authenticate(store, access_hash, now_ms, error);
}

gboolean
ppm_store_tokens_revoke_pair(PpmStore *store, const char *access_hash, GError **error)
{
  return store->ops->tokens_revoke_pair(store, access_hash, error);
}

PpmStoreAccount *
ppm_store_account_get(PpmStore *store, gint64 user_id, GError **error)
{
  return store->ops->account_get(store, user_id, error);
}

gboolean
ppm_store_set_rate(PpmStore *store, gint64 user_id, gint64 rate_minor, GError **error)
{
  return store->ops->set_rate(store, user_id, rate_minor, error);
}

gboolean
ppm_store_set_max_rate(PpmStore *store, gint64 user_id, gint64 max_rate_minor, GError **error)
{
  return store->ops->set_max_rate(store, user_id, max_rate_minor, error);
}

gboolean
ppm_store_handle_link(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
                      GError **error)
{
  return store->ops->handle_link(store, user_id, protocol, handle, error);
}

gboolean
ppm_store_handle_unlink(PpmStore *store, gint64 user_id, const char *protocol, const char *handle,
                        GError **error)
{
  return store->ops->handle_unlink(store, user_id, protocol, handle, error);
}

PpmStoreLookup *
ppm_store_lookup(PpmStore *store, gint64 model_id, const char *protocol, const char *handle,
                 gint64 now_ms, gint64 *retry_after_s, GError **error)
{
  return store->ops->lookup(store, model_id, protocol, handle, now_ms, retry_after_s, error);
}

gboolean
ppm_store_session_open_count(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                             gint64 now_ms, gint64 *retry_after_s, GError **error)
{
  return store->ops->session_open_count(store, model_id, params, now_ms, retry_after_s, error);
}

gboolean
ppm_store_allow_list_get(PpmStore *store, gint64 member_id, PpmStoreAllowList *list, GError **error)
{
  return store->ops->allow_list_get(store, member_id, list, error);
}

gboolean
ppm_store_allow_list_set_only(PpmStore *store, gint64 member_id, gboolean only, GError **error)
{
  return store->ops->allow_list_set_only(store, member_id, only, error);
}

gboolean
ppm_store_allow_list_remove(PpmStore *store, gint64 member_id, gint64 model_id, GError **error)
{
  return store->ops->allow_list_remove(store, member_id, model_id, error);
}

gboolean
ppm_store_session_open(PpmStore *store, gint64 model_id, const PpmStoreOpenParams *params,
                       const PpmBillingConfig *config, gint64 now_ms, PpmStoredAnswer *answer,
                       GError **error)
{
  return store->ops->session_open(store, model_id, params, config, now_ms, answer, error);
}

void
ppm_store_session_charge_submit(PpmStore *store, const char *access_hash, const char *session_id,
                                gint64 seq, gint64 elapsed_ms, gint64 now_ms,
                                PpmStoreChargeDone done, gpointer user_data)
{
  store->ops->session_charge_submit(store, access_hash, session_id, seq, elapsed_ms, now_ms, done,
                                    user_data);
}

gboolean
ppm_store_session_close(PpmStore *store, gint64 model_id, const char *session_id,
                        const char *reason, gint64 elapsed_ms, const PpmBillingConfig *config,
                        gint64 now_ms, PpmStoredAnswer *answer, GError **error)
{
  g_autofree char *rate_url
      = g_strdup_printf("%s/account/sessions/%s/rate", config->public_url, session_id);

  return store->ops->session_close(store, model_id, session_id, reason, elapsed_ms, rate_url,
                                   now_ms, answer, error);
}

gboolean
ppm_store_sessions_tick(PpmStore *store, gint64 now_ms, GError **error)
{
  return store->ops->sessions_tick(store, now_ms, error);
}

gboolean
ppm_store_sessions_resume(PpmStore *store, gint64 now_ms, GError **error)
{
  return store->ops->sessions_resume(store, now_ms, error);
}

gboolean
ppm_store_session_rate(PpmStore *store, gint64 user_id, const char *session_id, int stars,
                       const char *comment, gint64 now_ms, GError **error)
{
  return store->ops->session_rate(store, user_id, session_id, stars, comment, now_ms, error);
}

gboolean
ppm_store_app_rate(PpmStore *store, gint64 user_id, int stars, const char *comment,
                   const char *session_id, gint64 now_ms, GError **error)
{
  return store->ops->app_rate(store, user_id, stars, comment, session_id, now_ms, error);
}

gboolean
ppm_store_sessions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                        PpmStorePage *page, GError **error)
{
  return store->ops->sessions_page(store, user_id, before, limit, page, error);
}

gboolean
ppm_store_transactions_page(PpmStore *store, gint64 user_id, gint64 before, int limit,
                            PpmStorePage *page, GError **error)
{
  return store->ops->transactions_page(store, user_id, before, limit, page, error);
}

/* INVALID with `message` unless the amount is 1..max_minor. */
static gboolean
amount_in_range(gint64 amount_minor, gint64 max_minor, const char *message, GError **error)
{
  if (amount_minor >= 1 && amount_minor <= max_minor)
    return TRUE;
  g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, message);
  return FALSE;
}

gboolean
ppm_store_fund(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
               gint64 *balance_minor, GError **error)
{
  return amount_in_range(amount_minor, PPM_MAX_DEPOSIT_MINOR, "a deposit is 1..10^11 minor units",
                         error)
         && store->ops->fund(store, user_id, amount_minor, now_ms, balance_minor, error);
}

gboolean
ppm_store_payout(PpmStore *store, gint64 user_id, gint64 amount_minor, gint64 now_ms,
                 gint64 *balance_minor, GError **error)
{
  return amount_in_range(amount_minor, PPM_MAX_BALANCE_MINOR, "a payout is 1..10^15 minor units",
                         error)
         && store->ops->payout(store, user_id, amount_minor, now_ms, balance_minor, error);
}

gboolean
ppm_store_refund_session(PpmStore *store, const char *session_id, gint64 now_ms,
                         PpmStoreRefund *refund, GError **error)
{
  return store->ops->refund_session(store, session_id, now_ms, refund, error);
}

gboolean
ppm_store_verify(PpmStore *store, char **problem, GError **error)
{
  return store->ops->verify(store, problem, error);
}

gboolean
ppm_store_backup(PpmStore *store, const char *path, GError **error)
{
  if (store->ops->backup != NULL)
    return store->ops->backup(store, path, error);
  g_set_error_literal(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID,
                      "this database has no file to back up; use copy --to");
  return FALSE;
}

char *
ppm_store_meta_claim(PpmStore *store, const char *key, const char *value, GError **error)
{
  return store->ops->meta_claim(store, key, value, error);
}

gboolean
ppm_store_export_rows(PpmStore *store, PpmStoreRowFunc func, gpointer user_data, GError **error)
{
  return store->ops->export_rows(store, func, user_data, error);
}

gboolean
ppm_store_import_rows(PpmStore *store, PpmStore *source, GError **error)
{
  if (g_strcmp0(source->currency, store->currency) != 0)
    {
      g_set_error(error, PPM_STORE_ERROR, PPM_STORE_ERROR_INVALID, "the currencies differ (%s, %s)",
                  source->currency, store->currency);
      return FALSE;
    }
  return store->ops->import_rows(store, source, error);
}
