/* A private Prosody for one test run: its own config and data dir, users
 * registered and already in each other's rosters, stopped by its PID. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  GPid pid;
  int port;
  char *dir;
} PpmGuiProsody;

/* Starts Prosody on 127.0.0.1:`port` with the users "name" (password `password`,
 * host "localhost") of `users`; every user has every other one in its roster
 * with subscription "both", so presence flows without authorization prompts.
 * Returns once the port accepts connections. */
PpmGuiProsody *ppm_gui_prosody_start(const char *dir, int port, const char *const *users,
                                     const char *password, GError **error);
void ppm_gui_prosody_free(PpmGuiProsody *prosody);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PpmGuiProsody, ppm_gui_prosody_free)

G_END_DECLS
