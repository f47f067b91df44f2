#include "ppm-gtk-settings.h"

#include "ppm-gtk-check.h"
#include "ppm-gtk-core.h"
#include "ppm-prefs.h"

#include <glib/gi18n-lib.h>
#include <libpurple/prefs.h>

typedef const char *(*PpmGtkCheck)(const char *text);

typedef struct
{
  const char *pref; /* NULL: not a preference (the rate lives on the platform) */
  PpmGtkCheck check;
  GtkWidget *entry;
  GtkWidget *message;
} PpmGtkField;

enum
{
  FIELD_EMAIL,
  FIELD_URL,
  FIELD_CA_FILE,
  FIELD_RATE,
  N_FIELDS
};

typedef struct
{
  const char *pref;
  GtkWidget *widget;
} PpmGtkOption;

static const char *const bool_prefs[]
    = { PPM_PREF_AUTO_DECLINE, PPM_PREF_NOTIFY_MEMBER, PPM_PREF_LAST_MINUTE_WARNING };
static const char *const int_prefs[]
    = { PPM_PREF_MAX_UNBILLED_SECONDS, PPM_PREF_NO_MEDIA_SECONDS, PPM_PREF_RING_TIMEOUT_SECONDS };

typedef struct
{
  GtkWidget *dialog;
  GtkWidget *status;
  GtkWidget *account;
  GtkWidget *password; /* masked; handed to core-ppm, never stored here */
  GtkWidget *remember;
  GtkWidget *sign_in_message;
  PpmGtkField fields[N_FIELDS];
  GtkWidget *bools[G_N_ELEMENTS(bool_prefs)];
  GtkWidget *ints[G_N_ELEMENTS(int_prefs)];
  guint status_id;
} PpmGtkSettings;

static PpmGtkSettings *settings;

/* Shows the field's problem next to it; TRUE when there is none. */
static gboolean
ppm_gtk_settings_check(PpmGtkField *field)
{
  const char *problem = field->check(gtk_entry_get_text(GTK_ENTRY(field->entry)));
  g_autofree char *markup = g_markup_printf_escaped(
      "<small><span foreground='#b00020'>%s</span></small>", problem != NULL ? problem : "");
  gtk_label_set_markup(GTK_LABEL(field->message), markup);
  atk_object_set_description(gtk_widget_get_accessible(field->entry),
                             problem != NULL ? problem : "");
  return problem == NULL;
}

static void
ppm_gtk_settings_on_changed(GtkEditable *editable, gpointer data)
{
  ppm_gtk_settings_check(data);
}

/* core-ppm offers "Sign out" among its actions while signed in. */
static gboolean
ppm_gtk_settings_signed_in(void)
{
  return ppm_gtk_core_has_action("Sign out");
}

static void
ppm_gtk_settings_say(const char *text, gboolean problem)
{
  g_autofree char *markup
      = g_markup_printf_escaped(problem ? "<span foreground='#c01c28'>%s</span>" : "%s", text);
  gtk_label_set_markup(GTK_LABEL(settings->sign_in_message), markup);
}

static void
ppm_gtk_settings_signed_in_done(const char *error_words, gpointer data)
{
  /* The dialog may have been closed meanwhile. */
  if (settings == NULL)
    return;
  gtk_widget_set_sensitive(settings->account, TRUE);
  if (error_words == NULL)
    gtk_entry_set_text(GTK_ENTRY(settings->password), "");
  ppm_gtk_settings_say(error_words != NULL ? error_words : _("Signed in"), error_words != NULL);
}

static gboolean ppm_gtk_settings_save(void);

static void
ppm_gtk_settings_on_account(GtkButton *button, gpointer data)
{
  if (ppm_gtk_settings_signed_in())
    {
      ppm_gtk_core_sign_out();
      ppm_gtk_settings_say(_("Signing out…"), FALSE);
      return;
    }
  /* Signs in where the dialog says, so its fields are saved first. */
  if (!ppm_gtk_settings_save())
    {
      ppm_gtk_settings_say(_("Correct the fields marked below first."), TRUE);
      return;
    }
  gtk_widget_set_sensitive(settings->account, FALSE);
  ppm_gtk_settings_say(_("Signing in…"), FALSE);
  ppm_gtk_core_sign_in(gtk_entry_get_text(GTK_ENTRY(settings->fields[FIELD_EMAIL].entry)),
                       gtk_entry_get_text(GTK_ENTRY(settings->password)),
                       gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(settings->remember)),
                       ppm_gtk_settings_signed_in_done, NULL);
}

static gboolean
ppm_gtk_settings_update_status(gpointer data)
{
  g_autofree char *status = ppm_gtk_core_status();
  g_autofree char *markup = g_markup_printf_escaped("<b>%s</b>", status);
  gtk_label_set_markup(GTK_LABEL(settings->status), markup);
  gboolean signed_in = ppm_gtk_settings_signed_in();
  gtk_button_set_label(GTK_BUTTON(settings->account), signed_in ? _("Sign _out") : _("S_ign in"));
  gtk_widget_set_sensitive(settings->password, !signed_in);
  gtk_widget_set_sensitive(settings->remember, !signed_in);
  return G_SOURCE_CONTINUE;
}

static GtkWidget *
ppm_gtk_settings_label(GtkWidget *table, guint row, const char *mnemonic, GtkWidget *target)
{
  GtkWidget *label = gtk_label_new_with_mnemonic(mnemonic);
  gtk_misc_set_alignment(GTK_MISC(label), 0.0, 0.5);
  if (target != NULL)
    gtk_label_set_mnemonic_widget(GTK_LABEL(label), target);
  gtk_table_attach(GTK_TABLE(table), label, 0, 1, row, row + 1, GTK_FILL, 0, 0, 3);
  return label;
}

static void
ppm_gtk_settings_add_field(GtkWidget *table, guint row, PpmGtkField *field, const char *mnemonic,
                           const char *name, const char *pref, PpmGtkCheck check)
{
  field->pref = pref;
  field->check = check;
  field->entry = gtk_entry_new();
  gtk_widget_set_name(field->entry, name);
  gtk_entry_set_activates_default(GTK_ENTRY(field->entry), TRUE);
  gtk_entry_set_width_chars(GTK_ENTRY(field->entry), 32);
  if (pref != NULL)
    gtk_entry_set_text(GTK_ENTRY(field->entry), purple_prefs_get_string(pref));
  field->message = gtk_label_new(NULL);
  g_autofree char *message_name = g_strconcat(name, "-message", NULL);
  gtk_widget_set_name(field->message, message_name);
  gtk_misc_set_alignment(GTK_MISC(field->message), 0.0, 0.5);
  ppm_gtk_settings_label(table, row, mnemonic, field->entry);
  gtk_table_attach(GTK_TABLE(table), field->entry, 1, 2, row, row + 1, GTK_FILL | GTK_EXPAND, 0, 0,
                   3);
  gtk_table_attach(GTK_TABLE(table), field->message, 2, 3, row, row + 1, GTK_FILL, 0, 0, 3);
  g_signal_connect(field->entry, "changed", G_CALLBACK(ppm_gtk_settings_on_changed), field);
}

static GtkWidget *
ppm_gtk_settings_add_seconds(GtkWidget *table, guint row, const char *mnemonic, const char *hint,
                             const char *name, const char *pref)
{
  GtkWidget *spin = gtk_spin_button_new_with_range(0, 86400, 1);
  gtk_widget_set_name(spin, name);
  gtk_spin_button_set_value(GTK_SPIN_BUTTON(spin), purple_prefs_get_int(pref));
  ppm_gtk_settings_label(table, row, mnemonic, spin);
  gtk_table_attach(GTK_TABLE(table), spin, 1, 2, row, row + 1, GTK_FILL, 0, 0, 3);
  GtkWidget *note = gtk_label_new(NULL);
  g_autofree char *markup = g_markup_printf_escaped("<small>%s</small>", hint);
  gtk_label_set_markup(GTK_LABEL(note), markup);
  gtk_misc_set_alignment(GTK_MISC(note), 0.0, 0.5);
  gtk_table_attach(GTK_TABLE(table), note, 2, 3, row, row + 1, GTK_FILL, 0, 0, 3);
  atk_object_set_description(gtk_widget_get_accessible(spin), hint);
  return spin;
}

static GtkWidget *
ppm_gtk_settings_add_check(GtkWidget *box, const char *mnemonic, const char *name, const char *pref)
{
  GtkWidget *check = gtk_check_button_new_with_mnemonic(mnemonic);
  gtk_widget_set_name(check, name);
  gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(check), purple_prefs_get_bool(pref));
  gtk_box_pack_start(GTK_BOX(box), check, FALSE, FALSE, 0);
  return check;
}

/* The calls' preferences (int_prefs, then bool_prefs) in rows row to row + 3. */
static void
ppm_gtk_settings_add_call_prefs(GtkWidget *table, guint row, GtkWidget **ints, GtkWidget **bools)
{
  ints[0] = ppm_gtk_settings_add_seconds(table, row, _("_Unbilled time allowed (s):"),
                                         _("0: only the reserved minutes"), "ppm-max-unbilled",
                                         int_prefs[0]);
  ints[1] = ppm_gtk_settings_add_seconds(table, row + 1, _("End a call without _media after (s):"),
                                         _("0: never"), "ppm-no-media", int_prefs[1]);
  ints[2] = ppm_gtk_settings_add_seconds(table, row + 2, _("Decline _unanswered calls after (s):"),
                                         _("0: never"), "ppm-ring-timeout", int_prefs[2]);

  GtkWidget *checks = gtk_vbox_new(FALSE, 2);
  gtk_table_attach(GTK_TABLE(table), checks, 0, 3, row + 3, row + 4, GTK_FILL, 0, 0, 6);
  bools[0] = ppm_gtk_settings_add_check(
      checks, _("_Decline calls from non-members and unfunded members automatically"),
      "ppm-auto-decline", bool_prefs[0]);
  bools[1] = ppm_gtk_settings_add_check(checks, _("Tell the member about every _charge"),
                                        "ppm-notify-member", bool_prefs[1]);
  bools[2] = ppm_gtk_settings_add_check(checks, _("Warn in the chat before the _last paid minute"),
                                        "ppm-last-minute-warning", bool_prefs[2]);
}

static gboolean
ppm_gtk_settings_save(void)
{
  gboolean ok = TRUE;
  for (int i = 0; i < N_FIELDS; i++)
    ok = ppm_gtk_settings_check(&settings->fields[i]) && ok;
  if (!ok)
    return FALSE;
  for (int i = 0; i < N_FIELDS; i++)
    if (settings->fields[i].pref != NULL)
      purple_prefs_set_string(settings->fields[i].pref,
                              gtk_entry_get_text(GTK_ENTRY(settings->fields[i].entry)));
  for (gsize i = 0; i < G_N_ELEMENTS(bool_prefs); i++)
    purple_prefs_set_bool(bool_prefs[i],
                          gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(settings->bools[i])));
  for (gsize i = 0; i < G_N_ELEMENTS(int_prefs); i++)
    {
      /* Takes in what was typed but not yet confirmed with Enter. */
      gtk_spin_button_update(GTK_SPIN_BUTTON(settings->ints[i]));
      purple_prefs_set_int(int_prefs[i],
                           gtk_spin_button_get_value_as_int(GTK_SPIN_BUTTON(settings->ints[i])));
    }
  const char *rate = gtk_entry_get_text(GTK_ENTRY(settings->fields[FIELD_RATE].entry));
  g_autofree char *current = ppm_gtk_core_rate();
  if (*rate != '\0' && g_strcmp0(rate, current) != 0)
    ppm_gtk_core_set_rate(rate);
  return TRUE;
}

static void
ppm_gtk_settings_on_response(GtkDialog *dialog, int response, gpointer data)
{
  if (response == GTK_RESPONSE_OK && !ppm_gtk_settings_save())
    return;
  gtk_widget_destroy(GTK_WIDGET(dialog));
}

static void
ppm_gtk_settings_on_destroy(GtkWidget *widget, gpointer data)
{
  g_clear_handle_id(&settings->status_id, g_source_remove);
  g_clear_pointer(&settings, g_free);
}

static void
ppm_gtk_settings_build(void)
{
  settings = g_new0(PpmGtkSettings, 1);
  settings->dialog = gtk_dialog_new_with_buttons(
      _("Pay per minute: settings"), NULL, GTK_DIALOG_NO_SEPARATOR, GTK_STOCK_CANCEL,
      GTK_RESPONSE_CANCEL, GTK_STOCK_SAVE, GTK_RESPONSE_OK, NULL);
  gtk_widget_set_name(settings->dialog, "ppm-settings");
  gtk_dialog_set_default_response(GTK_DIALOG(settings->dialog), GTK_RESPONSE_OK);
  gtk_widget_set_name(
      gtk_dialog_get_widget_for_response(GTK_DIALOG(settings->dialog), GTK_RESPONSE_OK),
      "ppm-settings-save");
  gtk_widget_set_name(
      gtk_dialog_get_widget_for_response(GTK_DIALOG(settings->dialog), GTK_RESPONSE_CANCEL),
      "ppm-settings-cancel");
  GtkWidget *content = gtk_dialog_get_content_area(GTK_DIALOG(settings->dialog));
  GtkWidget *table = gtk_table_new(13, 3, FALSE);
  gtk_container_set_border_width(GTK_CONTAINER(table), 12);
  gtk_table_set_col_spacings(GTK_TABLE(table), 10);
  gtk_box_pack_start(GTK_BOX(content), table, TRUE, TRUE, 0);

  settings->status = gtk_label_new(NULL);
  gtk_widget_set_name(settings->status, "ppm-settings-status");
  gtk_misc_set_alignment(GTK_MISC(settings->status), 0.0, 0.5);
  gtk_label_set_line_wrap(GTK_LABEL(settings->status), TRUE);
  ppm_gtk_settings_label(table, 0, _("Status:"), NULL);
  GtkWidget *account_row = gtk_hbox_new(FALSE, 8);
  gtk_box_pack_start(GTK_BOX(account_row), settings->status, TRUE, TRUE, 0);
  gtk_table_attach(GTK_TABLE(table), account_row, 1, 3, 0, 1, GTK_FILL | GTK_EXPAND, 0, 0, 3);
  settings->account = gtk_button_new_with_mnemonic(_("S_ign in"));
  gtk_widget_set_name(settings->account, "ppm-account");
  gtk_widget_set_tooltip_text(settings->account,
                              _("Sign in with your platform email and password"));
  g_signal_connect(settings->account, "clicked", G_CALLBACK(ppm_gtk_settings_on_account), NULL);
  gtk_box_pack_start(GTK_BOX(account_row), settings->account, FALSE, FALSE, 0);

  PpmGtkField *f = settings->fields;
  ppm_gtk_settings_add_field(table, 1, &f[FIELD_EMAIL], _("_Email:"), "ppm-email", PPM_PREF_EMAIL,
                             ppm_gtk_check_email);

  settings->password = gtk_entry_new();
  gtk_widget_set_name(settings->password, "ppm-password");
  gtk_entry_set_visibility(GTK_ENTRY(settings->password), FALSE);
  ppm_gtk_settings_label(table, 2, _("_Password:"), settings->password);
  gtk_table_attach(GTK_TABLE(table), settings->password, 1, 2, 2, 3, GTK_FILL | GTK_EXPAND, 0, 0,
                   3);
  settings->remember = gtk_check_button_new_with_mnemonic(_("Re_member it (system keyring)"));
  gtk_widget_set_name(settings->remember, "ppm-remember");
  gtk_table_attach(GTK_TABLE(table), settings->remember, 2, 3, 2, 3, GTK_FILL, 0, 0, 3);
  settings->sign_in_message = gtk_label_new(NULL);
  gtk_widget_set_name(settings->sign_in_message, "ppm-sign-in-message");
  gtk_misc_set_alignment(GTK_MISC(settings->sign_in_message), 0.0, 0.5);
  gtk_label_set_line_wrap(GTK_LABEL(settings->sign_in_message), TRUE);
  gtk_table_attach(GTK_TABLE(table), settings->sign_in_message, 1, 3, 3, 4, GTK_FILL, 0, 0, 0);

  ppm_gtk_settings_add_field(table, 4, &f[FIELD_URL], _("Platform _address:"), "ppm-server-url",
                             PPM_PREF_SERVER_URL, ppm_gtk_check_url);
  ppm_gtk_settings_add_field(table, 5, &f[FIELD_CA_FILE], _("_CA certificates file:"),
                             "ppm-ca-file", PPM_PREF_CA_FILE, ppm_gtk_check_ca_file);
  ppm_gtk_settings_add_field(table, 6, &f[FIELD_RATE], _("Your _rate per minute:"),
                             "ppm-rate-setting", NULL, ppm_gtk_check_rate);
  g_autofree char *rate = ppm_gtk_core_rate();
  if (rate != NULL)
    gtk_entry_set_text(GTK_ENTRY(f[FIELD_RATE].entry), rate);
  gtk_widget_set_tooltip_text(f[FIELD_RATE].entry,
                              _("Your rate now, once signed in; change it to set a new one"));

  ppm_gtk_settings_add_call_prefs(table, 7, settings->ints, settings->bools);

  /* Empty fields are not flagged before the model typed anything. */
  for (int i = 0; i < N_FIELDS; i++)
    if (*gtk_entry_get_text(GTK_ENTRY(f[i].entry)) != '\0')
      ppm_gtk_settings_check(&f[i]);
  ppm_gtk_settings_update_status(NULL);
  settings->status_id = g_timeout_add_seconds(2, ppm_gtk_settings_update_status, NULL);
  g_signal_connect(settings->dialog, "response", G_CALLBACK(ppm_gtk_settings_on_response), NULL);
  g_signal_connect(settings->dialog, "destroy", G_CALLBACK(ppm_gtk_settings_on_destroy), NULL);
  gtk_widget_show_all(settings->dialog);
}

GtkWidget *
ppm_gtk_settings_show(void)
{
  if (settings == NULL)
    ppm_gtk_settings_build();
  gtk_window_present(GTK_WINDOW(settings->dialog));
  return settings->dialog;
}

void
ppm_gtk_settings_close(void)
{
  if (settings != NULL)
    gtk_widget_destroy(settings->dialog);
}

/* ---- the frame of Configure Plugin: each preference is written as it changes ---- */

typedef struct
{
  PpmGtkField email;
  PpmGtkField url;
  GtkWidget *ca_file;
  GtkWidget *ca_message;
  GtkWidget *bools[G_N_ELEMENTS(bool_prefs)];
  GtkWidget *ints[G_N_ELEMENTS(int_prefs)];
} PpmGtkConfig;

static void
ppm_gtk_config_on_entry(GtkEditable *editable, gpointer data)
{
  PpmGtkField *field = data;
  if (ppm_gtk_settings_check(field))
    purple_prefs_set_string(field->pref, gtk_entry_get_text(GTK_ENTRY(field->entry)));
}

static void
ppm_gtk_config_on_ca_file(GtkFileChooserButton *button, gpointer data)
{
  PpmGtkConfig *config = data;
  g_autofree char *path = gtk_file_chooser_get_filename(GTK_FILE_CHOOSER(button));
  const char *problem = path != NULL ? ppm_gtk_check_ca_file(path) : NULL;
  gtk_label_set_text(GTK_LABEL(config->ca_message), problem != NULL ? problem : "");
  if (path != NULL && problem == NULL)
    purple_prefs_set_string(PPM_PREF_CA_FILE, path);
}

static void
ppm_gtk_config_on_system_cas(GtkButton *button, gpointer data)
{
  PpmGtkConfig *config = data;
  gtk_file_chooser_unselect_all(GTK_FILE_CHOOSER(config->ca_file));
  gtk_label_set_text(GTK_LABEL(config->ca_message), "");
  purple_prefs_set_string(PPM_PREF_CA_FILE, "");
}

static void
ppm_gtk_config_on_int(GtkSpinButton *spin, gpointer data)
{
  purple_prefs_set_int(data, gtk_spin_button_get_value_as_int(spin));
}

static void
ppm_gtk_config_on_bool(GtkToggleButton *check, gpointer data)
{
  purple_prefs_set_bool(data, gtk_toggle_button_get_active(check));
}

static void
ppm_gtk_config_on_destroy(GtkWidget *widget, gpointer data)
{
  g_free(data);
}

GtkWidget *
ppm_gtk_settings_config_frame(void)
{
  PpmGtkConfig *config = g_new0(PpmGtkConfig, 1);
  GtkWidget *table = gtk_table_new(7, 3, FALSE);
  gtk_widget_set_name(table, "ppm-config");
  gtk_container_set_border_width(GTK_CONTAINER(table), 12);
  gtk_table_set_col_spacings(GTK_TABLE(table), 10);

  ppm_gtk_settings_add_field(table, 0, &config->email, _("_Email:"), "ppm-email", PPM_PREF_EMAIL,
                             ppm_gtk_check_email);
  ppm_gtk_settings_add_field(table, 1, &config->url, _("Platform _address:"), "ppm-server-url",
                             PPM_PREF_SERVER_URL, ppm_gtk_check_url);
  g_signal_connect(config->email.entry, "changed", G_CALLBACK(ppm_gtk_config_on_entry),
                   &config->email);
  g_signal_connect(config->url.entry, "changed", G_CALLBACK(ppm_gtk_config_on_entry), &config->url);

  config->ca_file
      = gtk_file_chooser_button_new(_("CA certificates file"), GTK_FILE_CHOOSER_ACTION_OPEN);
  gtk_widget_set_name(config->ca_file, "ppm-ca-file");
  const char *ca_file = purple_prefs_get_string(PPM_PREF_CA_FILE);
  if (ca_file != NULL && *ca_file != '\0')
    gtk_file_chooser_set_filename(GTK_FILE_CHOOSER(config->ca_file), ca_file);
  ppm_gtk_settings_label(table, 2, _("_CA certificates file:"), config->ca_file);
  gtk_table_attach(GTK_TABLE(table), config->ca_file, 1, 2, 2, 3, GTK_FILL | GTK_EXPAND, 0, 0, 3);
  GtkWidget *system_cas = gtk_button_new_with_mnemonic(_("Use the _system's certificates"));
  gtk_widget_set_name(system_cas, "ppm-ca-file-system");
  gtk_widget_set_tooltip_text(system_cas, _("Trust the certificate authorities of this computer"));
  gtk_table_attach(GTK_TABLE(table), system_cas, 2, 3, 2, 3, GTK_FILL, 0, 0, 3);
  config->ca_message = gtk_label_new(NULL);
  gtk_widget_set_name(config->ca_message, "ppm-ca-file-message");
  gtk_misc_set_alignment(GTK_MISC(config->ca_message), 0.0, 0.5);
  gtk_table_attach(GTK_TABLE(table), config->ca_message, 1, 3, 3, 4, GTK_FILL, 0, 0, 0);
  g_signal_connect(config->ca_file, "file-set", G_CALLBACK(ppm_gtk_config_on_ca_file), config);
  g_signal_connect(system_cas, "clicked", G_CALLBACK(ppm_gtk_config_on_system_cas), config);

  ppm_gtk_settings_add_call_prefs(table, 4, config->ints, config->bools);
  for (gsize i = 0; i < G_N_ELEMENTS(int_prefs); i++)
    g_signal_connect(config->ints[i], "value-changed", G_CALLBACK(ppm_gtk_config_on_int),
                     (gpointer)int_prefs[i]);
  for (gsize i = 0; i < G_N_ELEMENTS(bool_prefs); i++)
    g_signal_connect(config->bools[i], "toggled", G_CALLBACK(ppm_gtk_config_on_bool),
                     (gpointer)bool_prefs[i]);

  g_signal_connect(table, "destroy", G_CALLBACK(ppm_gtk_config_on_destroy), config);
  gtk_widget_show_all(table);
  return table;
}
