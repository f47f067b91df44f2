/* Requests are printed and then cancelled, as a user closing the dialog
 * would: from an idle callback, since libpurple records the handle only
 * after the ui-op returns. */
#include "sim-ui.h"

#include "sim-events.h"

typedef struct
{
  PurpleRequestType type;
  GCallback cancel_cb; /* NULL: closing calls nothing (actions) */
  gpointer user_data;
  gpointer arg; /* what the cancel callback gets after user_data */
  int choice;   /* for choices the argument is an int */
  guint idle_id;
} SimRequest;

static gboolean
sim_request_cancel(gpointer data)
{
  SimRequest *req = data;

  req->idle_id = 0;
  if (req->cancel_cb != NULL && req->type == PURPLE_REQUEST_CHOICE)
    ((PurpleRequestChoiceCb)req->cancel_cb)(req->user_data, req->choice);
  else if (req->cancel_cb != NULL && req->type == PURPLE_REQUEST_FIELDS)
    ((PurpleRequestFieldsCb)req->cancel_cb)(req->user_data, req->arg);
  else if (req->cancel_cb != NULL)
    ((PurpleRequestInputCb)req->cancel_cb)(req->user_data, req->arg);
  purple_request_close(req->type, req);
  return G_SOURCE_REMOVE;
}

static SimRequest *
sim_request_new(PurpleRequestType type, const char *kind, const char *title, const char *primary,
                GCallback cancel_cb, gpointer user_data, gpointer arg)
{
  SimRequest *req = g_new0(SimRequest, 1);

  req->type = type;
  req->cancel_cb = cancel_cb;
  req->user_data = user_data;
  req->arg = arg;
  ppm_sim_event("request", "kind", kind, "title", title, "text", primary, NULL);
  req->idle_id = g_idle_add(sim_request_cancel, req);
  return req;
}

static void *
sim_request_input(const char *title, const char *primary, const char *secondary,
                  const char *default_value, gboolean multiline, gboolean masked, gchar *hint,
                  const char *ok_text, GCallback ok_cb, const char *cancel_text,
                  GCallback cancel_cb, PurpleAccount *account, const char *who,
                  PurpleConversation *conv, void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_INPUT, "input", title, primary, cancel_cb, user_data,
                         (gpointer)default_value);
}

static void *
sim_request_choice(const char *title, const char *primary, const char *secondary, int default_value,
                   const char *ok_text, GCallback ok_cb, const char *cancel_text,
                   GCallback cancel_cb, PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data, va_list choices)
{
  SimRequest *req = sim_request_new(PURPLE_REQUEST_CHOICE, "choice", title, primary, cancel_cb,
                                    user_data, NULL);

  req->choice = default_value;
  return req;
}

static void *
sim_request_action(const char *title, const char *primary, const char *secondary,
                   int default_action, PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data, size_t action_count, va_list actions)
{
  return sim_request_new(PURPLE_REQUEST_ACTION, "action", title, primary, NULL, user_data, NULL);
}

static void *
sim_request_fields(const char *title, const char *primary, const char *secondary,
                   PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
                   const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                   const char *who, PurpleConversation *conv, void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_FIELDS, "fields", title, primary, cancel_cb, user_data,
                         fields);
}

static void *
sim_request_file(const char *title, const char *filename, gboolean savedialog, GCallback ok_cb,
                 GCallback cancel_cb, PurpleAccount *account, const char *who,
                 PurpleConversation *conv, void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_FILE, "file", title, filename, cancel_cb, user_data, NULL);
}

static void *
sim_request_folder(const char *title, const char *dirname, GCallback ok_cb, GCallback cancel_cb,
                   PurpleAccount *account, const char *who, PurpleConversation *conv,
                   void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_FOLDER, "folder", title, dirname, cancel_cb, user_data,
                         NULL);
}

/* The ui owns a fields request's fields, as in Pidgin. */
static void
sim_request_close(PurpleRequestType type, void *handle)
{
  SimRequest *req = handle;

  if (req->idle_id != 0)
    g_source_remove(req->idle_id);
  if (type == PURPLE_REQUEST_FIELDS)
    purple_request_fields_destroy(req->arg);
  g_free(req);
}

static PurpleRequestUiOps sim_request_ops = {
  .request_input = sim_request_input,
  .request_choice = sim_request_choice,
  .request_action = sim_request_action,
  .request_fields = sim_request_fields,
  .request_file = sim_request_file,
  .close_request = sim_request_close,
  .request_folder = sim_request_folder,
};

PurpleRequestUiOps *
ppm_sim_request_get_ui_ops(void)
{
  return &sim_request_ops;
}
