#!/usr/bin/python3
"""The account pages in the member's language over real HTTP: Accept-Language
with weights, the language cookie winning over it, English for a language not
shipped, money in the page's locale and times in the browser's time zone."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppmweb  # noqa: E402

MEMBER_EMAIL = "ann@example.test"
MEMBER_PASSWORD = "member-password-1"


def signed_in(server):
    client = ppmweb.WebClient(server)
    answer = client.post("/account/login", {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD,
                                            "csrf": client.csrf("/account/login")})
    assert answer.status == 303, answer.status
    return client


def page(client, path, language=None):
    headers = {"Cookie": ppmweb.cookie_header(client.cookies)}
    if language is not None:
        headers["Accept-Language"] = language
    return client._keep(client.server.request("GET", path, None, headers))


def html_lang(answer):
    found = re.search(r'<html lang="([^"]+)"', answer.text())
    return found.group(1) if found else None


def main():
    tests = ppmweb.Tests()
    with ppmweb.PpmServer("i18n", ["--currency", "EUR"]) as server:
        server.admin("create-user", "--email", MEMBER_EMAIL, "--role", "member",
                     "--display-name", "Ann", stdin=MEMBER_PASSWORD + "\n")
        server.admin("fund", "--email", MEMBER_EMAIL, "--amount", "2.00")
        client = signed_in(server)

        def german():
            answer = page(client, "/account/payments/history", "de")
            assert answer.status == 200, answer.status
            text = answer.text()
            assert html_lang(answer) == "de", html_lang(answer)
            assert answer.header("Content-Language") == "de"
            assert "Accept-Language" in answer.header("Vary")
            assert "<h1>Zahlungsverlauf</h1>" in text, text
            assert "2,00 €" in text, "German money"
            # The deposit's time, German style, in UTC by default.
            assert re.search(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d UTC", text), "German date"

        def weights():
            answer = page(client, "/account/payments/history",
                          "fr;q=0.9, ru;q=0.3, pt-BR;q=0.8, de;q=0")
            assert html_lang(answer) == "pt-BR", html_lang(answer)
            assert "Histórico de pagamentos" in answer.text()
            answer = page(client, "/account/payments/history", "ru")
            assert html_lang(answer) == "ru" and "2,00 €" in answer.text()

        def unknown_is_english():
            for header in ["fr, it;q=0.5", "", "de;q=1.5", None]:
                answer = page(client, "/account/payments/history", header)
                assert html_lang(answer) == "en", (header, html_lang(answer))
                assert "<h1>Payment history</h1>" in answer.text()
                assert "€2.00" in answer.text()

        def hostile_headers():
            # Past the 64th entry nothing is read; junk is skipped, not fatal.
            answer = page(client, "/account/payments/history", "xx," * 2000 + "de")
            assert answer.status == 200 and html_lang(answer) == "en", answer.status
            answer = page(client, "/account/payments/history",
                          "de;q=0.5;q=1, ru;q=NaN, ro;q=0.0000001, *;q=1e9, es;q=0.2")
            assert answer.status == 200 and html_lang(answer) == "es", html_lang(answer)
            answer = page(client, "/account/payments/history", "de" * 3000)
            assert answer.status in (200, 431), answer.status

        def chooser_cookie_wins():
            csrf = client.csrf("/account/payments/history")
            answer = client.post("/account/language", {"lang": "ro", "csrf": csrf,
                                                       "next": "/account/settings"})
            assert answer.status == 303, answer.status
            assert answer.header("Location") == server.url + "/account/settings"
            assert client.cookies.get("ppm_lang") == "ro", client.cookies
            answer = page(client, "/account/settings", "de")
            assert html_lang(answer) == "ro", html_lang(answer)
            assert "Fus orar" in answer.text()
            # A language not shipped, or a form without its token, changes nothing.
            refused = client.post("/account/language", {"lang": "fr", "csrf": csrf})
            assert refused.status == 422, refused.status
            forged = client.post("/account/language", {"lang": "de"})
            assert forged.status == 403, forged.status
            assert client.cookies.get("ppm_lang") == "ro"

        def time_zone():
            csrf = client.csrf("/account/settings")
            answer = client.post("/account/settings", {"action": "timezone", "tz": "Mars/Olympus",
                                                       "csrf": csrf})
            assert answer.status == 422, answer.status
            assert "ppm_tz" not in client.cookies
            answer = client.post("/account/settings", {"action": "timezone",
                                                       "tz": "Europe/Berlin", "csrf": csrf})
            assert answer.status == 200, answer.status
            assert client.cookies.get("ppm_tz") == "Europe/Berlin"
            client.cookies["ppm_lang"] = "de"
            text = page(client, "/account/payments/history").text()
            assert re.search(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d CES?T", text), "Berlin time"

        tests.run("/web/i18n/accept-language-german", german)
        tests.run("/web/i18n/q-values-honoured", weights)
        tests.run("/web/i18n/unknown-language-english", unknown_is_english)
        tests.run("/web/i18n/hostile-headers", hostile_headers)
        tests.run("/web/i18n/chooser-cookie-wins", chooser_cookie_wins)
        tests.run("/web/i18n/time-zone-setting", time_zone)
        tests.run("/web/i18n/server-exit-clean", server.check_clean_exit)
    tests.finish()


if __name__ == "__main__":
    main()
