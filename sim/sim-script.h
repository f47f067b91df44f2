/* The call script: sign-on, calls placed or answered, scripted actions, and
 * whether it all went as expected. */
#pragma once

#include <purple.h>

#include "sim-options.h"

G_BEGIN_DECLS

enum
{
  PPM_SIM_EXIT_OK = 0,
  PPM_SIM_EXIT_FAILED = 1,  /* an outcome other than the expected one */
  PPM_SIM_EXIT_TIMEOUT = 2, /* --timeout passed first */
  PPM_SIM_EXIT_USAGE = 64,
};

typedef void (*PpmSimDoneFunc)(int exit_status);

/* Starts the script for `account` (not yet connected); `done` runs once. */
void ppm_sim_script_start(const PpmSimOptions *opts, PurpleAccount *account, PpmSimDoneFunc done);

/* SIGINT/SIGTERM: ends the script; fine for --calls 0, a failure otherwise. */
void ppm_sim_script_stop(void);

G_END_DECLS
