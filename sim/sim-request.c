/* Requests are printed and then closed, as a user would: cancelled, or
 * answered with the button --plugin-action chose for the requests its
 * action opens.  From an idle callback, since libpurple records the handle
 * only after the ui-op returns. */
#include "sim-ui.h"

#include "sim-events.h"

/* The button to press in requests opened now (NULL: cancel them). */
static const char *sim_answer;

typedef struct
{
  PurpleRequestType type;
  GCallback cancel_cb; /* NULL: closing calls nothing (actions) */
  GCallback press_cb;  /* the chosen button's callback; NULL: cancel */
  gpointer user_data;
  gpointer arg; /* what the callbacks get after user_data */
  int choice;   /* for choices and actions the argument is an int */
  guint idle_id;
} SimRequest;

void
ppm_sim_request_set_answer(const char *button)
{
  sim_answer = button;
}

/* A button's label without its mnemonic underscores. */
static char *
sim_plain_label(const char *label)
{
  g_autoptr(GString) plain = g_string_new(label);

  g_string_replace(plain, "_", "", 0);
  return g_string_free(g_steal_pointer(&plain), FALSE);
}

static gboolean
sim_label_is(const char *label, const char *button)
{
  g_autofree char *a = sim_plain_label(label);
  g_autofree char *b = sim_plain_label(button);

  return label != NULL && button != NULL && g_str_equal(a, b);
}

static gboolean
sim_request_answer(gpointer data)
{
  SimRequest *req = data;
  GCallback cb = req->press_cb != NULL ? req->press_cb : req->cancel_cb;

  req->idle_id = 0;
  if (cb != NULL && (req->type == PURPLE_REQUEST_CHOICE || req->type == PURPLE_REQUEST_ACTION))
    ((PurpleRequestChoiceCb)cb)(req->user_data, req->choice);
  else if (cb != NULL && req->type == PURPLE_REQUEST_FIELDS)
    ((PurpleRequestFieldsCb)cb)(req->user_data, req->arg);
  else if (cb != NULL)
    ((PurpleRequestInputCb)cb)(req->user_data, req->arg);
  purple_request_close(req->type, req);
  return G_SOURCE_REMOVE;
}

/* `ok_text`/`ok_cb`: the button that answers, for the kinds with one. */
static SimRequest *
sim_request_new(PurpleRequestType type, const char *kind, const char *title, const char *primary,
                const char *secondary, const char *ok_text, GCallback ok_cb, GCallback cancel_cb,
                gpointer user_data, gpointer arg)
{
  SimRequest *req = g_new0(SimRequest, 1);
  g_autofree char *text = secondary != NULL && *secondary != '\0'
                              ? g_strjoin(" / ", primary != NULL ? primary : "", secondary, NULL)
                              : g_strdup(primary);

  req->type = type;
  req->cancel_cb = cancel_cb;
  req->user_data = user_data;
  req->arg = arg;
  if (ok_cb != NULL && sim_label_is(ok_text, sim_answer))
    req->press_cb = ok_cb;
  ppm_sim_event("request", "kind", kind, "title", title, "answer",
                req->press_cb != NULL ? sim_answer : NULL, "text", text, NULL);
  req->idle_id = g_idle_add(sim_request_answer, req);
  return req;
}

static void *
sim_request_input(const char *title, const char *primary, const char *secondary,
                  const char *default_value, gboolean multiline, gboolean masked, gchar *hint,
                  const char *ok_text, GCallback ok_cb, const char *cancel_text,
                  GCallback cancel_cb, PurpleAccount *account, const char *who,
                  PurpleConversation *conv, void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_INPUT, "input", title, primary, secondary, ok_text, ok_cb,
                         cancel_cb, user_data, (gpointer)default_value);
}

static void *
sim_request_choice(const char *title, const char *primary, const char *secondary, int default_value,
                   const char *ok_text, GCallback ok_cb, const char *cancel_text,
                   GCallback cancel_cb, PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data, va_list choices)
{
  SimRequest *req = sim_request_new(PURPLE_REQUEST_CHOICE, "choice", title, primary, secondary,
                                    ok_text, ok_cb, cancel_cb, user_data, NULL);

  req->choice = default_value;
  return req;
}

static void *
sim_request_action(const char *title, const char *primary, const char *secondary,
                   int default_action, PurpleAccount *account, const char *who,
                   PurpleConversation *conv, void *user_data, size_t action_count, va_list actions)
{
  GCallback press_cb = NULL;
  int pressed = -1;

  /* The actions come as (label, callback) pairs; a callback gets its index. */
  for (size_t i = 0; i < action_count; i++)
    {
      const char *label = va_arg(actions, const char *);
      GCallback cb = va_arg(actions, GCallback);

      if (press_cb == NULL && sim_label_is(label, sim_answer))
        {
          press_cb = cb;
          pressed = (int)i;
        }
    }
  /* Through the ok button's path: the chosen action is the "ok" here. */
  SimRequest *req = sim_request_new(PURPLE_REQUEST_ACTION, "action", title, primary, secondary,
                                    sim_answer, press_cb, NULL, user_data, NULL);
  req->choice = pressed;
  return req;
}

static void *
sim_request_fields(const char *title, const char *primary, const char *secondary,
                   PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
                   const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                   const char *who, PurpleConversation *conv, void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_FIELDS, "fields", title, primary, secondary, ok_text, ok_cb,
                         cancel_cb, user_data, fields);
}

static void *
sim_request_file(const char *title, const char *filename, gboolean savedialog, GCallback ok_cb,
                 GCallback cancel_cb, PurpleAccount *account, const char *who,
                 PurpleConversation *conv, void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_FILE, "file", title, filename, NULL, NULL, NULL, cancel_cb,
                         user_data, NULL);
}

static void *
sim_request_folder(const char *title, const char *dirname, GCallback ok_cb, GCallback cancel_cb,
                   PurpleAccount *account, const char *who, PurpleConversation *conv,
                   void *user_data)
{
  return sim_request_new(PURPLE_REQUEST_FOLDER, "folder", title, dirname, NULL, NULL, NULL,
                         cancel_cb, user_data, NULL);
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
