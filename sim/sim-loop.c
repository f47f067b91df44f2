#include "sim-loop.h"

typedef struct
{
  PurpleInputFunction func;
  gpointer data;
} SimInput;

#define SIM_READ_COND (G_IO_IN | G_IO_HUP | G_IO_ERR)
#define SIM_WRITE_COND (G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL)

static gboolean
sim_input_dispatch(GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
  SimInput *input = user_data;
  int cond = 0;

  if (condition & SIM_READ_COND)
    cond |= PURPLE_INPUT_READ;
  if (condition & SIM_WRITE_COND)
    cond |= PURPLE_INPUT_WRITE;
  input->func(input->data, g_io_channel_unix_get_fd(channel), cond);
  return G_SOURCE_CONTINUE;
}

static guint
sim_input_add(gint fd, PurpleInputCondition condition, PurpleInputFunction func, gpointer user_data)
{
  g_autoptr(GIOChannel) channel = g_io_channel_unix_new(fd);
  SimInput *input = g_new(SimInput, 1);
  int cond = 0;

  input->func = func;
  input->data = user_data;
  if (condition & PURPLE_INPUT_READ)
    cond |= SIM_READ_COND;
  if (condition & PURPLE_INPUT_WRITE)
    cond |= SIM_WRITE_COND;
  return g_io_add_watch_full(channel, G_PRIORITY_DEFAULT, cond, sim_input_dispatch, input, g_free);
}

static PurpleEventLoopUiOps sim_loop_ops = {
  .timeout_add = g_timeout_add,
  .timeout_remove = g_source_remove,
  .input_add = sim_input_add,
  .input_remove = g_source_remove,
  .timeout_add_seconds = g_timeout_add_seconds,
};

PurpleEventLoopUiOps *
ppm_sim_loop_get_ui_ops(void)
{
  return &sim_loop_ops;
}
