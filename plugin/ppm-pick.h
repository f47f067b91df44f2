/* A "pick one" request field answered by value.  libpurple's choice fields
 * answer with a position, and the UIs disagree on where positions start
 * (Pidgin at 0, Finch at 1); a single-select list field answers with the
 * label the user picked, the same in every UI. */
#pragma once

#include <purple.h>

G_BEGIN_DECLS

PurpleRequestField *ppm_pick_new(const char *id, const char *text);
/* Adds `label` standing for `value` (not NULL); `selected`: the default. */
void ppm_pick_add(PurpleRequestField *pick, const char *label, gpointer value, gboolean selected);
/* The value of the picked label; NULL when nothing is picked. */
gpointer ppm_pick_get(PurpleRequestFields *fields, const char *id);

G_END_DECLS
