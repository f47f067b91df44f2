/* Real calls for the plugin's acceptance scenarios: a private network
 * namespace, Prosody, a real ppm-server, and ppm-sim processes whose event
 * lines (docs/ppm-sim.md) the test reads.  Everything stays inside the
 * namespace: loopback plus a veth pair for libnice's candidates. */
#pragma once

#include "ppm-test-server.h"

#include <glib.h>

G_BEGIN_DECLS

/* Moves this process into a new network namespace with lo and a veth pair
 * up.  FALSE (with the reason) when namespaces are not available here. */
gboolean call_lab_enter_netns(GError **error);

typedef struct
{
  char *dir;
  GPid prosody;
  PpmTestServer *server;
} CallLab;

/* Prosody with the XMPP users `model`, `member`, `member2` and `model2` (password
 * "pw"), and ppm-server started with `server_args` (NULL-terminated). */
CallLab *call_lab_new(const char *const *server_args, GError **error);
void call_lab_free(CallLab *lab);

/* Prosody closes the XMPP streams of `jid` (a full JID closes that one),
 * as when the connection drops: the client sees its stream end. */
void call_lab_xmpp_drop(CallLab *lab, const char *jid);

/* ppm-admin; fails the test on error. */
char *call_lab_admin(CallLab *lab, const char *stdin_text, const char *first,
                     ...) G_GNUC_NULL_TERMINATED;

/* A platform model (email USER@example.org, rate `rate`) and member (funded
 * `funds`, or not at all when NULL), each linked to USER@localhost. */
void call_lab_add_model(CallLab *lab, const char *user, const char *rate);
/* The same model linked to `handle` instead, or to no IM account when NULL. */
void call_lab_add_model_linked(CallLab *lab, const char *user, const char *rate,
                               const char *handle);
void call_lab_add_member(CallLab *lab, const char *user, const char *funds);

typedef struct
{
  char *name;
  double t;
  GHashTable *fields; /* key -> value, "text" included */
} SimEvent;

typedef struct
{
  char *name;
  GPid pid;
  gboolean exited;
  GPtrArray *events; /* of SimEvent */
  GString *partial;
  guint watch;
} SimProc;

/* ppm-sim as USER@localhost/res calling or answering PEER@localhost/res.
 * A model gets the plugin with server_url and email set and PPM_PASSWORD;
 * `extra` (NULL-terminated, may be NULL) is appended: a further `--peer`
 * there adds a buddy to a model and a callee to a member (docs/ppm-sim.md). */
SimProc *call_lab_model(CallLab *lab, const char *user, const char *const *extra);
SimProc *call_lab_member(CallLab *lab, const char *user, const char *model,
                         const char *const *extra);

/* Waits for the first event `name` at index >= *from whose "text" starts with
 * `text_prefix` (NULL: any); on success *from is set past it. */
const SimEvent *sim_wait(SimProc *sim, const char *name, const char *text_prefix, guint *from,
                         double timeout_s);
/* Counts the events so far named `name` with the text prefix. */
guint sim_count(SimProc *sim, const char *name, const char *text_prefix);
/* The same for events whose `peer` is `peer`'s user (any resource; NULL:
 * any peer); sim_count_for() counts only events later than `after`. */
const SimEvent *sim_wait_for(SimProc *sim, const char *name, const char *peer,
                             const char *text_prefix, guint *from, double timeout_s);
guint sim_count_for(SimProc *sim, const char *name, const char *peer, const char *text_prefix,
                    double after);
const char *sim_event_get(const SimEvent *event, const char *key);
/* Lets the main loop run for `seconds`, reading every sim's output. */
void call_lab_run(double seconds);
void sim_signal(SimProc *sim, int signal);
/* SIGTERM, then waits up to 10 s for the exit (SIGKILL after that). */
void sim_stop(SimProc *sim);
void sim_free(SimProc *sim);

/* The sessions of USER@example.org as GET /v1/me/sessions lists them, newest
 * first (password "platform-pw", as call_lab_add_* create them). */
typedef struct
{
  char *reason; /* NULL while open */
  gint64 periods_charged;
  gint64 total_minor;
} LabSession;
void lab_session_free(LabSession *session);
GPtrArray *call_lab_sessions(CallLab *lab, const char *user);
/* The handles GET /v1/me lists for USER@example.org: "protocol handle",
 * comma-separated, "" for none. */
char *call_lab_handles(CallLab *lab, const char *user);

/* Monotonic seconds, comparable with the events' t. */
double call_lab_now(void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallLab, call_lab_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SimProc, sim_free)

G_END_DECLS
