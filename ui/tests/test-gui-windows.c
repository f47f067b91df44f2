/* gtk-ppm's windows in a real Pidgin under Xvfb, driven through the test hook
 * with the same ui-ops calls core-ppm makes, and read back from the widgets. */
#include "ppm-pidgin-lab.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static PpmPidginLab *lab;

/* Runs one hook command that must succeed; returns its reply. */
static char *hook(const char *format, ...) G_GNUC_PRINTF(1, 2);

static char *
hook(const char *format, ...)
{
  va_list args;
  va_start(args, format);
  g_autofree char *line = g_strdup_vprintf(format, args);
  va_end(args);
  g_autoptr(GError) error = NULL;
  char *reply = ppm_pidgin_lab_command(lab, &error, "%s", line);
  g_assert_no_error(error);
  return reply;
}

#define HOOK(...) g_free(hook(__VA_ARGS__))

/* The window is named by part of its dump line: its name or its title. */
static void
assert_widget(const char *window, const char *widget, const char *expected)
{
  g_autofree char *value = ppm_pidgin_lab_widget(lab, window, widget);
  g_assert_cmpstr(value, ==, expected);
}

/* Polls until the widget shows `expected` (TRUE) or `timeout_ms` passes. */
static gboolean
wait_widget(const char *window, const char *widget, const char *expected, int timeout_ms)
{
  for (int waited = 0; waited <= timeout_ms; waited += 100)
    {
      g_autofree char *value = ppm_pidgin_lab_widget(lab, window, widget);
      if (g_strcmp0(value, expected) == 0)
        return TRUE;
      g_usleep(100 * 1000);
    }
  return FALSE;
}

/* Polls until no window's dump line contains `window`. */
static gboolean
wait_gone(const char *window, int timeout_ms)
{
  for (int waited = 0; waited <= timeout_ms; waited += 100)
    {
      g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
      if (dump != NULL && strstr(dump, window) == NULL)
        return TRUE;
      g_usleep(100 * 1000);
    }
  return FALSE;
}

/* The whole display as NAME.png, the window alone as NAME-window.png. */
static void
screenshot(const char *name, const char *window_title)
{
  g_autoptr(GError) error = NULL;
  /* Let the windows draw what the dump just read. */
  g_usleep(300 * 1000);
  ppm_pidgin_lab_screenshot(lab, name, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *window_name = g_strconcat(name, "-window", NULL);
  ppm_pidgin_lab_screenshot(lab, window_name, window_title, &error);
  g_assert_no_error(error);
}

typedef struct
{
  int x, y, w, h;
} Box;

/* Where the first window whose dump line contains `title` is on the screen. */
static Box
window_box(const char *title)
{
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);
  Box box = { 0 };
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix(*l, "window ") && strstr(*l, title) != NULL)
      {
        g_assert_cmpint(
            sscanf(strstr(*l, " x="), " x=%d y=%d w=%d h=%d", &box.x, &box.y, &box.w, &box.h), ==,
            4);
        return box;
      }
  g_assert_not_reached();
}

/* The lower-right corner of the 1280x800 screen, with a small margin. */
static void
assert_in_corner(Box box)
{
  g_assert_cmpint(box.x + box.w, >, 1280 - 40);
  g_assert_cmpint(box.x + box.w, <=, 1280);
  g_assert_cmpint(box.y + box.h, <=, 800);
}

static void
test_plugin_loaded(void)
{
  /* The settings come from core-ppm's own action: they are ours only if
   * core-ppm took gtk-ppm's table over IPC. */
  HOOK("core-action label=Settings");
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "window ppm-settings visible=1", 5000));
  HOOK("click name=ppm-settings-cancel");
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(dump, "window ppm-settings"));
}

static void
test_tracker_charging(void)
{
  HOOK("tracker-show call_id=c1 member=Alice state=opening");
  g_assert_true(wait_widget("Call with Alice", "ppm-state", "● Opening the session…", 2000));
  HOOK("tracker-update call_id=c1 member=Alice state=charging minutes=1 total=%%242.00 "
       "line=Charged%%20%%242.00%%20%%E2%%80%%94%%20minute%%201%%2C%%20%%242.00%%20in%%20total");
  assert_widget("Call with Alice", "ppm-state", "● Charging");
  assert_widget("Call with Alice", "ppm-caller", "Alice");
  assert_widget("Call with Alice", "ppm-minutes", "1");
  assert_widget("Call with Alice", "ppm-total", "$2.00");
  assert_widget("Call with Alice", "ppm-detail", "Charged $2.00 — minute 1, $2.00 in total");
  /* The clock counts by itself, once a second, from the first show. */
  g_assert_true(wait_widget("Call with Alice", "ppm-elapsed", "00:02", 4000));
  HOOK("tracker-update call_id=c1 member=Alice state=charging minutes=2 total=%%244.00");
  assert_widget("Call with Alice", "ppm-total", "$4.00");
  assert_widget("Call with Alice", "ppm-minutes", "2");
  screenshot("gui-tracker-charging", "Call with Alice");
  /* Hidden by core-ppm when the call is over: it says so for a while. */
  HOOK("tracker-hide call_id=c1");
  assert_widget("Call with Alice", "ppm-state", "■ Ended");
  assert_widget("Call with Alice", "ppm-total", "$4.00");
}

static void
test_tracker_not_charging(void)
{
  HOOK("tracker-show call_id=c2 member=Bob state=charging minutes=3 total=%%246.00");
  HOOK(
      "tracker-update call_id=c2 member=Bob state=not_charging minutes=3 total=%%246.00 secured=2");
  assert_widget("Call with Bob", "ppm-state", "● Not charging — 2 minutes secured");
  HOOK(
      "tracker-update call_id=c2 member=Bob state=not_charging minutes=3 total=%%246.00 secured=1");
  assert_widget("Call with Bob", "ppm-state", "● Not charging — 1 minute secured");
  screenshot("gui-tracker-not-charging", "Call with Bob");
  HOOK("tracker-update call_id=c2 member=Bob state=unbilled minutes=3 total=%%246.00");
  assert_widget("Call with Bob", "ppm-state", "● Not charging");
  HOOK("tracker-hide call_id=c2");
}

/* Version 2 of the table: the call's own time, rate, earnings, the caller's
 * standing and why the call ended, all from core-ppm. */
static void
test_tracker_call_facts(void)
{
  HOOK("tracker-show call_id=c5 member=Erin state=charging elapsed_ms=125400 minutes=2 "
       "total=%%245.00 rate=%%242.50 earnings=%%244.00 status=funded%%20member");
  /* The clock starts at the call's t0, not at the window's first show. */
  assert_widget("Call with Erin", "ppm-elapsed", "02:05");
  assert_widget("Call with Erin", "ppm-rate", "$2.50 / minute");
  assert_widget("Call with Erin", "ppm-earnings", "$4.00");
  assert_widget("Call with Erin", "ppm-caller-status", "funded member");
  HOOK("tracker-update call_id=c5 member=Erin state=ended elapsed_ms=130000 minutes=3 "
       "total=%%247.50 rate=%%242.50 earnings=%%246.00 status=funded%%20member "
       "reason=the%%20member%%20hung%%20up");
  assert_widget("Call with Erin", "ppm-state", "■ Ended: the member hung up");
  assert_widget("Call with Erin", "ppm-elapsed", "02:10");
  assert_widget("Call with Erin", "ppm-earnings", "$6.00");
  screenshot("gui-tracker-ended-reason", "Call with Erin");
  HOOK("tracker-hide call_id=c5");
  /* The core's reason stays once the tracker is hidden. */
  assert_widget("Call with Erin", "ppm-state", "■ Ended: the member hung up");
}

static void
test_tracker_ended(void)
{
  HOOK("tracker-show call_id=c3 member=Carol state=charging minutes=1 total=%%242.00");
  g_assert_true(wait_widget("Call with Carol", "ppm-elapsed", "00:01", 3000));
  HOOK("tracker-update call_id=c3 member=Carol state=ended minutes=1 total=%%242.00 "
       "line=Call%%20ended%%3A%%20the%%20member%%20hung%%20up");
  assert_widget("Call with Carol", "ppm-state", "■ Ended");
  assert_widget("Call with Carol", "ppm-detail", "Call ended: the member hung up");
  /* The clock stops at the end. */
  g_autofree char *stopped = ppm_pidgin_lab_widget(lab, "Call with Carol", "ppm-elapsed");
  g_usleep(2200 * 1000);
  assert_widget("Call with Carol", "ppm-elapsed", stopped);
  screenshot("gui-tracker-ended", "Call with Carol");
  /* Hidden, an ended tracker stays ten seconds, then closes by itself. */
  HOOK("tracker-hide call_id=c3");
  assert_widget("Call with Carol", "ppm-state", "■ Ended");
  g_assert_true(wait_gone("title=Call with Carol", 13000));
}

/* The boxes of the shown trackers and banners; fails if two overlap. */
static GArray *
corner_boxes(void)
{
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_auto(GStrv) lines = g_strsplit(dump, "\n", -1);
  GArray *boxes = g_array_new(FALSE, FALSE, sizeof(Box));
  for (char **l = lines; *l != NULL; l++)
    if (g_str_has_prefix(*l, "window ppm-tracker visible=1 ")
        || g_str_has_prefix(*l, "window ppm-banner visible=1 "))
      {
        Box box;
        g_assert_cmpint(
            sscanf(strstr(*l, " x="), " x=%d y=%d w=%d h=%d", &box.x, &box.y, &box.w, &box.h), ==,
            4);
        g_array_append_val(boxes, box);
      }
  return boxes;
}

static gboolean
boxes_overlap(Box a, Box b)
{
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static gboolean
corner_disjoint(void)
{
  g_autoptr(GArray) boxes = corner_boxes();
  for (guint i = 0; i < boxes->len; i++)
    for (guint j = i + 1; j < boxes->len; j++)
      if (boxes_overlap(g_array_index(boxes, Box, i), g_array_index(boxes, Box, j)))
        return FALSE;
  return TRUE;
}

/* Lets a resize settle (GTK resizes a window in an idle), then asserts that
 * no two shown corner windows overlap. */
static void
assert_corner_disjoint(void)
{
  g_usleep(300 * 1000);
  for (int waited = 0; waited < 2000 && !corner_disjoint(); waited += 100)
    g_usleep(100 * 1000);
  g_autoptr(GArray) boxes = corner_boxes();
  for (guint i = 0; i < boxes->len; i++)
    for (guint j = i + 1; j < boxes->len; j++)
      {
        Box a = g_array_index(boxes, Box, i), b = g_array_index(boxes, Box, j);
        if (boxes_overlap(a, b))
          g_error("%d,%d %dx%d overlaps %d,%d %dx%d", a.x, a.y, a.w, a.h, b.x, b.y, b.w, b.h);
      }
}

/* Polls until the window's height is no longer `height`. */
static Box
wait_resized(const char *title, int height)
{
  Box box = window_box(title);
  for (int waited = 0; waited < 2000 && box.h == height; waited += 100)
    {
      g_usleep(100 * 1000);
      box = window_box(title);
    }
  g_assert_cmpint(box.h, !=, height);
  return box;
}

/* Trackers of different heights (an ended one with its reason and last line
 * is the tallest) never cover each other: not two, not three, not when one
 * folds or unfolds its details, not when one closes. */
static void
test_tracker_never_overlap(void)
{
  /* The earlier tests' trackers close first: the column must not move under
   * the measurements. */
  g_assert_true(wait_gone("window ppm-tracker visible=1", 13000));
  HOOK("tracker-show call_id=s1 member=Sam state=charging elapsed_ms=61000 minutes=2 "
       "total=%%245.00 rate=%%242.50 earnings=%%244.00 status=funded%%20member");
  HOOK("tracker-show call_id=s2 member=Tia state=ended elapsed_ms=130000 minutes=3 "
       "total=%%247.50 rate=%%242.50 earnings=%%246.00 status=funded%%20member "
       "reason=the%%20member%%20hung%%20up "
       "line=Call%%20ended%%3A%%20the%%20member%%20hung%%20up%%20after%%203%%20minutes");
  assert_corner_disjoint();
  HOOK("tracker-show call_id=s3 member=Uma state=opening");
  assert_corner_disjoint();
  Box sam = window_box("title=Call with Sam");
  Box tia = window_box("title=Call with Tia");
  Box uma = window_box("title=Call with Uma");
  /* One column in the corner, in the order the calls came. */
  g_assert_cmpint(tia.x + tia.w, ==, sam.x + sam.w);
  g_assert_cmpint(uma.x + uma.w, ==, sam.x + sam.w);
  g_assert_cmpint(tia.y + tia.h, <=, sam.y);
  g_assert_cmpint(uma.y + uma.h, <=, tia.y);
  screenshot("gui-trackers-stacked", "Call with Tia");

  /* Sam folds his details: the trackers above come down, still apart. */
  HOOK("click window=Call%%20with%%20Sam name=ppm-details");
  Box folded = wait_resized("title=Call with Sam", sam.h);
  g_assert_cmpint(folded.h, <, sam.h);
  assert_corner_disjoint();
  g_assert_cmpint(window_box("title=Call with Uma").y, >, uma.y);
  /* And unfolds them: they go up again. */
  HOOK("click window=Call%%20with%%20Sam name=ppm-details");
  g_assert_cmpint(wait_resized("title=Call with Sam", folded.h).h, ==, sam.h);
  assert_corner_disjoint();
  g_assert_cmpint(window_box("title=Call with Uma").y, ==, uma.y);

  /* Tia's tracker is closed: Uma's takes its place, Sam's stays. */
  HOOK("click window=Call%%20with%%20Tia name=ppm-tracker-close");
  assert_corner_disjoint();
  g_assert_cmpint(window_box("title=Call with Uma").y + uma.h, ==, tia.y + tia.h);
  g_assert_cmpint(window_box("title=Call with Sam").y, ==, sam.y);
  HOOK("tracker-hide call_id=s1");
  HOOK("tracker-hide call_id=s2");
  HOOK("tracker-hide call_id=s3");
}

static void
test_tracker_stacks_and_moves(void)
{
  HOOK("tracker-show call_id=a member=Ann state=charging");
  HOOK("tracker-show call_id=b member=Ben state=charging");
  Box a = window_box("title=Call with Ann");
  Box b = window_box("title=Call with Ben");
  /* Both in the lower-right corner, the second above the first. */
  assert_in_corner(a);
  g_assert_cmpint(b.x + b.w, ==, a.x + a.w);
  g_assert_cmpint(b.y + b.h, <=, a.y);
  HOOK("tracker-hide call_id=b");

  /* A tracker the user moves stays there... */
  g_autoptr(GError) error = NULL;
  ppm_pidgin_lab_xdotool(lab, &error, "search", "--sync", "--name", "Call with Ann", "windowmove",
                         "300", "200", NULL);
  g_assert_no_error(error);
  Box moved = a;
  for (int i = 0; i < 30 && moved.x == a.x; i++)
    {
      g_usleep(100 * 1000);
      moved = window_box("title=Call with Ann");
    }
  g_assert_cmpint(moved.x, ==, 300);
  g_assert_cmpint(moved.y, ==, 200);
  /* ...and the next call's does not cover it while it is there... */
  HOOK("tracker-show call_id=d member=Dee state=charging");
  assert_corner_disjoint();
  Box d = window_box("title=Call with Dee");
  assert_in_corner(d);
  g_assert_cmpint(window_box("title=Call with Ann").x, ==, 300);
  HOOK("tracker-hide call_id=d");
  /* ...but goes where it was once it is closed: the move is remembered. */
  HOOK("click window=Call%%20with%%20Ann name=ppm-tracker-close");
  HOOK("tracker-hide call_id=a");
  HOOK("tracker-show call_id=e member=Eve state=charging");
  Box e = window_box("title=Call with Eve");
  g_assert_cmpint(e.x, ==, 300);
  g_assert_cmpint(e.y, ==, 200);
  assert_corner_disjoint();
  HOOK("tracker-hide call_id=e");
  /* Out of the way of the next tests' windows. */
  HOOK("click window=Call%%20with%%20Eve name=ppm-tracker-close");
}

static void
test_banner(void)
{
  HOOK("banner caller=bob%%40localhost kind=funded text=%s",
       "Incoming%20call%20from%20bob%40localhost%3A%20funded%20member%20Bob%2C%2060%2B%20minutes%"
       "20affordable");
  assert_widget("ppm-banner", "ppm-banner-caller", "bob@localhost");
  assert_widget("ppm-banner", "ppm-banner-status",
                "Incoming call from bob@localhost: funded member Bob, 60+ minutes affordable");
  screenshot("gui-banner-funded", "Incoming call");
  assert_in_corner(window_box("window ppm-banner"));
  /* A second lookup answer for the same caller updates the same banner. */
  HOOK("banner caller=bob%%40localhost kind=not_member text=Not%%20a%%20member");
  assert_widget("ppm-banner", "ppm-banner-status", "Not a member");
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(strstr(dump, "window ppm-banner") + 1, "window ppm-banner"));
  HOOK("banner-done caller=bob%%40localhost");
  g_free(dump);
  dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(dump, "window ppm-banner"));
}

static void
test_rating_send(void)
{
  HOOK("rating title=Call%%20with%%20Alice");
  assert_widget("ppm-rating", "ppm-rating-send", "insensitive Send");
  assert_widget("ppm-rating", "ppm-star-1", "active=0 ☆");
  HOOK("click name=ppm-star-4");
  assert_widget("ppm-rating", "ppm-star-1", "active=1 ★");
  assert_widget("ppm-rating", "ppm-star-4", "active=1 ★");
  assert_widget("ppm-rating", "ppm-star-5", "active=0 ☆");
  assert_widget("ppm-rating", "ppm-rating-send", "Send");
  HOOK("type name=ppm-rating-comment text=Clear%%20sound");
  screenshot("gui-rating", "Rate the app");
  HOOK("click name=ppm-rating-send");
  g_autofree char *results = hook("results");
  g_assert_nonnull(strstr(results, "rated stars=4 comment=Clear sound\n"));
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(dump, "window ppm-rating"));
}

static void
test_rating_not_now(void)
{
  HOOK("rating title=Call%%20with%%20Bob");
  HOOK("click name=ppm-star-2");
  /* A comment over 500 characters cannot be sent. */
  g_autofree char *long_comment = g_strnfill(501, 'a');
  HOOK("type name=ppm-rating-comment text=%s", long_comment);
  assert_widget("ppm-rating", "ppm-rating-send", "insensitive Send");
  HOOK("click name=ppm-rating-cancel");
  g_autofree char *results = hook("results");
  g_assert_nonnull(strstr(results, "rated stars=0 comment=(none)\n"));
}

static void
test_settings_validation(void)
{
  HOOK("settings");
  HOOK("type name=ppm-server-url text=ftp%%3A%%2F%%2Fpay.example.com");
  assert_widget("ppm-settings", "ppm-server-url-message", "The address must start with https://");
  HOOK("type name=ppm-rate-setting text=2.555");
  assert_widget("ppm-settings", "ppm-rate-setting-message", "Write the rate as 2.50");
  HOOK("type name=ppm-email text=model%%40example.com");
  assert_widget("ppm-settings", "ppm-email-message", "");
  screenshot("gui-settings-invalid", "settings");
  /* Saving with a bad field keeps the dialog open and changes nothing. */
  HOOK("click name=ppm-settings-save");
  assert_widget("ppm-settings", "ppm-server-url", "ftp://pay.example.com");
  HOOK("type name=ppm-server-url text=https%%3A%%2F%%2F127.0.0.1%%3A9");
  HOOK("type name=ppm-rate-setting text=");
  assert_widget("ppm-settings", "ppm-server-url-message", "");
  HOOK("type name=ppm-no-media text=20");
  HOOK("click name=ppm-auto-decline");
  HOOK("click name=ppm-settings-save");
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(dump, "window ppm-settings"));
  /* Saved into core-ppm's preferences: a new dialog reads them back. */
  HOOK("settings");
  assert_widget("ppm-settings", "ppm-server-url", "https://127.0.0.1:9");
  assert_widget("ppm-settings", "ppm-email", "model@example.com");
  assert_widget("ppm-settings", "ppm-no-media", "20");
  assert_widget("ppm-settings", "ppm-auto-decline",
                "active=1 Decline calls from non-members and unfunded members automatically");
  screenshot("gui-settings", "settings");

  /* Signed out, the password is typed here, masked, and core-ppm signs in
   * with it (sign-in IPC); its answer, in words, shows under the field. */
  assert_widget("ppm-settings", "ppm-account", "Sign in");
  HOOK("click name=ppm-account");
  g_assert_true(
      wait_widget("ppm-settings", "ppm-sign-in-message", "Enter your email and password.", 3000));
  HOOK("type name=ppm-password text=secret-pw");
  assert_widget("ppm-settings", "ppm-password", "masked, 9 characters");
  HOOK("click name=ppm-account");
  /* Nothing listens at 127.0.0.1:9: the core's request fails. */
  gboolean unreachable = FALSE;
  for (int i = 0; i < 100 && !unreachable; i++)
    {
      g_autofree char *message = ppm_pidgin_lab_widget(lab, "ppm-settings", "ppm-sign-in-message");
      unreachable = message != NULL && strstr(message, "The platform is unreachable") != NULL;
      if (!unreachable)
        g_usleep(100 * 1000);
    }
  g_assert_true(unreachable);
  g_autofree char *status = ppm_pidgin_lab_widget(lab, "ppm-settings", "ppm-settings-status");
  g_assert_nonnull(strstr(status, "Not signed in"));
  screenshot("gui-settings-sign-in-failed", "settings");
  HOOK("click name=ppm-settings-cancel");
}

static void
test_history_pages(void)
{
  g_autofree char *before = hook("results");
  HOOK("history-page balance=%%2412.00 next=t7 row=%s row=%s",
       "2026-11-27%2013%3A02|earning|%2B%241.60|%2412.00|Alice",
       "2026-11-27%2013%3A01|earning|%2B%241.60|%2410.40|Alice");
  /* The newest page did not fill the window: the next one is asked for at once. */
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "ppm-spinner: active=1", 2000));
  g_autofree char *second = hook("results");
  g_assert_cmpstr(second + strlen(before), ==, "history-load before=t7\n");
  HOOK("history-page before=t7 row=%s", "2026-11-26%2018%3A30|payout|%E2%88%92%2450.00|%248.80");
  g_autofree char *dump = ppm_pidgin_lab_dump(lab, NULL);
  const char *newest = strstr(dump, "row: 2026-11-27 13:02 | earning | +$1.60 | $12.00 | Alice");
  const char *oldest = strstr(dump, "row: 2026-11-26 18:30 | payout | −$50.00 | $8.80 | ");
  g_assert_nonnull(newest);
  g_assert_nonnull(oldest);
  g_assert_true(newest < oldest);
  assert_widget("ppm-history", "ppm-balance", "Balance: $12.00");
  assert_widget("ppm-history", "ppm-spinner", "hidden active=0");
  screenshot("gui-history", "Payment history");
  /* Nothing older: no more loads; refresh starts again from the newest. */
  g_autofree char *settled = hook("results");
  g_assert_null(strstr(settled + strlen(second), "history-load"));
  HOOK("click name=ppm-refresh");
  g_autofree char *refreshed = hook("results");
  g_assert_nonnull(strstr(refreshed + strlen(settled), "history-load before=(newest)\n"));
  g_free(dump);
  dump = ppm_pidgin_lab_dump(lab, NULL);
  g_assert_null(strstr(dump, "row: "));
  HOOK("history-page error=The%%20platform%%20does%%20not%%20answer");
  assert_widget("ppm-history", "ppm-history-message", "The platform does not answer");
  HOOK("click name=ppm-history-close");
}

/* Last: quitting unloads gtk-ppm with its windows open, and core-ppm,
 * without a crash. */
/* Configure Plugin: core-ppm's libpurple frame, and gtk-ppm's own with the
 * settings' checks, each preference saved as it changes, the CA file picked
 * with a file chooser. */
static void
test_configure_plugin(void)
{
  HOOK("configure id=core-ppm");
  g_assert_true(ppm_pidgin_lab_wait_dump(lab, "title=Configure core-ppm", 5000));
  HOOK("click name=ppm-configure-close window=Configure%%20core-ppm");
  g_assert_true(wait_gone("title=Configure core-ppm", 5000));

  g_autoptr(GError) error = NULL;
  g_autofree char *ca_file = NULL;
  int fd = g_file_open_tmp("ppm-gui-ca-XXXXXX.pem", &ca_file, &error);
  g_assert_no_error(error);
  g_close(fd, NULL);
  g_autofree char *ca_escaped = g_uri_escape_string(ca_file, NULL, FALSE);

  HOOK("configure id=gtk-ppm");
  HOOK("type name=ppm-server-url window=gtk-ppm text=http%%3A%%2F%%2Fpay.example.com");
  assert_widget("Configure gtk-ppm", "ppm-server-url-message",
                "The address must start with https://");
  HOOK("type name=ppm-server-url window=gtk-ppm text=https%%3A%%2F%%2Fframe.example.com");
  assert_widget("Configure gtk-ppm", "ppm-server-url-message", "");
  HOOK("choose name=ppm-ca-file window=gtk-ppm file=%s", ca_escaped);
  HOOK("click name=ppm-notify-member window=gtk-ppm");
  g_autofree char *shown = g_strdup_printf("file=%s", ca_file);
  assert_widget("Configure gtk-ppm", "ppm-ca-file", shown);
  screenshot("gui-configure-plugin", "Configure gtk-ppm");
  HOOK("click name=ppm-configure-close window=gtk-ppm");
  g_assert_true(wait_gone("title=Configure gtk-ppm", 5000));

  /* Saved: the settings window reads them back; the refused address was not. */
  HOOK("settings");
  assert_widget("ppm-settings", "ppm-server-url", "https://frame.example.com");
  assert_widget("ppm-settings", "ppm-ca-file", ca_file);
  assert_widget("ppm-settings", "ppm-notify-member", "active=1 Tell the member about every charge");
  HOOK("click name=ppm-settings-cancel");

  /* "Use the system's certificates" empties the preference. */
  HOOK("configure id=gtk-ppm");
  assert_widget("Configure gtk-ppm", "ppm-ca-file", shown);
  HOOK("click name=ppm-ca-file-system window=gtk-ppm");
  HOOK("type name=ppm-server-url window=gtk-ppm text=https%%3A%%2F%%2F127.0.0.1%%3A9");
  HOOK("click name=ppm-notify-member window=gtk-ppm");
  HOOK("click name=ppm-configure-close window=gtk-ppm");
  HOOK("settings");
  assert_widget("ppm-settings", "ppm-ca-file", "");
  assert_widget("ppm-settings", "ppm-server-url", "https://127.0.0.1:9");
  HOOK("click name=ppm-settings-cancel");
  g_unlink(ca_file);
}

static void
test_quit_unloads(void)
{
  HOOK("tracker-show call_id=q member=Quinn state=charging");
  HOOK("rating title=Quit");
  HOOK("settings");
  int status = 0;
  g_assert_true(ppm_pidgin_lab_quit(lab, &status));
  g_assert_true(WIFEXITED(status));
  g_assert_cmpint(WEXITSTATUS(status), ==, 0);
  g_autofree char *log = NULL;
  g_assert_true(g_file_get_contents(lab->log_path, &log, NULL, NULL));
  g_assert_nonnull(strstr(log, "Unloading plugin Pay per minute (Pidgin windows)"));
  g_assert_nonnull(strstr(log, "Unloading plugin Pay per minute\n"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gui/plugin-loaded", test_plugin_loaded);
  g_test_add_func("/gui/tracker/charging", test_tracker_charging);
  g_test_add_func("/gui/tracker/not-charging", test_tracker_not_charging);
  g_test_add_func("/gui/tracker/ended", test_tracker_ended);
  g_test_add_func("/gui/tracker/call-facts", test_tracker_call_facts);
  g_test_add_func("/gui/tracker/never-overlap", test_tracker_never_overlap);
  g_test_add_func("/gui/tracker/stacks-and-moves", test_tracker_stacks_and_moves);
  g_test_add_func("/gui/banner", test_banner);
  g_test_add_func("/gui/rating/send", test_rating_send);
  g_test_add_func("/gui/rating/not-now", test_rating_not_now);
  g_test_add_func("/gui/settings/validation", test_settings_validation);
  g_test_add_func("/gui/settings/configure-plugin", test_configure_plugin);
  g_test_add_func("/gui/history/pages", test_history_pages);
  g_test_add_func("/gui/zz/quit-unloads", test_quit_unloads);

  g_autoptr(GError) error = NULL;
  lab = ppm_pidgin_lab_start(NULL, &error);
  if (lab == NULL)
    {
      g_printerr("cannot start Pidgin under Xvfb: %s\n", error->message);
      return 1;
    }
  int status = g_test_run();
  g_clear_pointer(&lab, ppm_pidgin_lab_free);
  return status;
}
