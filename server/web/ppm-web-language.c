/* The language chooser of every page: remembers the chosen language in a
 * cookie and goes back to the page it was on. */
#include "ppm-web-page.h"
#include "ppm-web-pages.h"
#include "ppm-web-session.h"

void
ppm_web_language_post(PpmHttpRequest *request, const char *id)
{
  g_autoptr(PpmStoreUser) user = ppm_web_session_user(request);
  GHashTable *form = ppm_web_post_form(request, user);
  const PpmWebLanguage *language;

  if (form == NULL)
    return;
  language = ppm_web_language_find(ppm_web_field(form, "lang"));
  if (language == NULL || language->locale_object == (locale_t)0)
    {
      ppm_web_respond_message(request, 422, user, _("Language"),
                              _("This language is not offered here."));
      return;
    }
  ppm_web_language_remember(request, language);
  ppm_web_redirect(request, ppm_web_next_page(ppm_web_field(form, "next")));
}
