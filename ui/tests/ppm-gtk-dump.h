/* A plain-text picture of gtk-ppm's windows, for tests: what each named
 * widget ("ppm-…") shows, read from the widgets themselves. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One block per toplevel window named "ppm-…":
 *   window ppm-tracker visible=1 x=1000 y=600 w=260 h=180 title=Call with Alice
 *     ppm-state: ● Charging
 *     ppm-star-3: active=1 label=★
 *     ppm-transactions: row=…|…|…
 */
char *ppm_gtk_dump_windows(void);
/* The entries of the submenus of the buddy list's Tools menu, where Pidgin
 * lists plugin actions, one a line: "Pay per minute › Sign out". */
char *ppm_gtk_dump_tools_menu(void);
/* The first widget named `name` in a window named "ppm-…" whose title
 * contains `title` (NULL: any window), or NULL. */
GtkWidget *ppm_gtk_dump_find(const char *title, const char *name);

G_END_DECLS
