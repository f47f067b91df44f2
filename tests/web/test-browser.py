#!/usr/bin/python3
"""The account pages in a real browser (headless Chromium through Selenium)
against a real ppm-server: sign up, sign in and out, the payment history after
a funded call, rating the show, the password change, and the defences (CSRF,
cookie flags, escaping, throttling).  Screenshots land in PPM_WEB_ARTIFACTS."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppmweb  # noqa: E402

MODEL_EMAIL = "mia@example.test"
MODEL_PASSWORD = "model-password-1"
MODEL_NAME = "Mia Model"
MEMBER_EMAIL = "ann@example.test"
MEMBER_PASSWORD = "member-password-1"
MEMBER_NEW_PASSWORD = "member-password-2"
# Markup in a name must show as text, never become elements.
MEMBER_NAME = 'Ann <b>&</b> "Co"'
PROTOCOL = "prpl-jabber"
MODEL_HANDLE = "mia@example.test"
MEMBER_HANDLE = "ann@example.test"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"]


def find_browser():
    try:
        from selenium import webdriver  # noqa: F401
    except ImportError:
        ppmweb.skip("python3-selenium is not installed")
    browser = shutil.which("chromium")
    driver = shutil.which("chromedriver")
    if not browser or not driver:
        ppmweb.skip("chromium and chromium-driver are not installed")
    return browser, driver


class Browser:
    def __init__(self, browser, driver):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        self.profile = tempfile.mkdtemp(prefix="ppm-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in CHROMIUM_FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        self.log_path = os.path.join(ppmweb.artifacts_dir(), "chromedriver.log")
        self.driver = webdriver.Chrome(service=Service(driver, log_path=self.log_path),
                                       options=options)
        self.driver.set_window_size(1100, 900)
        self.driver.set_page_load_timeout(30)

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def go(self, url):
        self.driver.get(url)

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def fill(self, fields):
        for name, value in fields.items():
            element = self.find(f"[name={name}]")
            element.clear()
            element.send_keys(value)

    def submit(self, css="button.primary"):
        """Clicks a button or link and waits for the next page."""
        from selenium.webdriver.support.ui import WebDriverWait
        old = self.find("html")
        self.find(css).click()
        WebDriverWait(self.driver, 30).until(lambda d: not self._alive(old))
        WebDriverWait(self.driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete")

    @staticmethod
    def _alive(element):
        # Chromium reports a replaced document as a stale element or, while
        # the new one loads, as a node that "does not belong to the document".
        from selenium.common.exceptions import WebDriverException
        try:
            element.tag_name
            return True
        except WebDriverException:
            return False

    def path(self):
        return self.driver.current_url

    def heading(self):
        return self.find("h1").text

    def message(self):
        found = self.find_all(".msg")
        return found[0].text if found else ""

    def cookies(self):
        return {c["name"]: c for c in self.driver.get_cookies()}

    def screenshot(self, name, width=None, height=None):
        if width:
            self.driver.set_window_size(width, height)
        path = os.path.join(ppmweb.artifacts_dir(), f"{name}.png")
        self.driver.save_screenshot(path)
        if width:
            self.driver.set_window_size(1100, 900)
        return path


def setup_model(server):
    server.admin("create-user", "--email", MODEL_EMAIL, "--role", "model", "--display-name",
                 MODEL_NAME, stdin=MODEL_PASSWORD + "\n")
    server.admin("set-rate", "--email", MODEL_EMAIL, "--amount", "2.00")
    server.admin("link", "--email", MODEL_EMAIL, "--protocol", PROTOCOL, "--handle",
                 MODEL_HANDLE)


def drive_call(server):
    """A three-minute call through the API as the model's plugin makes it."""
    token = server.login(MODEL_EMAIL, MODEL_PASSWORD)
    # Connected 3 s ago: the 1 s periods of seq 0, 1 and 2 have begun.
    opened = server.api("POST", "/v1/sessions", {
        "client_session_id": str(uuid.uuid4()), "protocol": PROTOCOL,
        "model_handle": MODEL_HANDLE, "member_handle": MEMBER_HANDLE, "elapsed_ms": 3000}, token)
    assert opened.status == 201, f"open: {opened.status} {opened.body!r}"
    session_id = opened.json()["session_id"]
    for seq in range(3):
        charged = server.api("POST", f"/v1/sessions/{session_id}/charges",
                             {"seq": seq, "elapsed_ms": seq * 1000 + 1000}, token)
        assert charged.status == 201, f"charge {seq}: {charged.status} {charged.body!r}"
    closed = server.api("POST", f"/v1/sessions/{session_id}/close",
                        {"reason": "remote_hangup", "elapsed_ms": 3500}, token)
    assert closed.status == 200, f"close: {closed.status} {closed.body!r}"
    return session_id, closed.json()["rate_url"]


class Journey:
    """The checks share one server, one browser and the member they create."""

    def __init__(self, server, browser):
        self.server = server
        self.browser = browser
        self.session_id = None
        self.rate_url = None

    def url(self, path):
        return self.server.url + path

    def signup_errors(self):
        client = ppmweb.WebClient(self.server)
        fields = {"email": MEMBER_EMAIL, "display_name": MEMBER_NAME, "password": "short"}
        answer = client.post("/account/signup",
                             dict(fields, csrf=client.csrf("/account/signup")))
        assert answer.status == 422, answer.status
        assert "shorter than 10 characters" in answer.text()
        # The form keeps what was typed, escaped, and never the password.
        assert "Ann &lt;b&gt;&amp;&lt;/b&gt;" in answer.text()
        assert 'value="short"' not in answer.text()
        answer = client.post("/account/signup", dict(fields, email="not-an-email",
                                                      password=MEMBER_PASSWORD,
                                                      csrf=client.csrf("/account/signup")))
        assert answer.status == 422 and "valid email" in answer.text(), answer.status

    def signup(self):
        self.browser.go(self.url("/account/signup"))
        assert self.browser.heading() == "Create your account"
        assert self.browser.find("meta[name=viewport]") is not None
        self.browser.fill({"email": MEMBER_EMAIL, "display_name": MEMBER_NAME,
                           "password": MEMBER_PASSWORD})
        self.browser.screenshot("signup")
        self.browser.submit()
        assert self.browser.path() == self.url("/account/payments/history"), self.browser.path()
        assert self.browser.heading() == "Payment history"
        assert "No transactions yet." in self.browser.find("main").text

    def signup_duplicate(self):
        client = ppmweb.WebClient(self.server)
        answer = client.post("/account/signup", {
            "email": MEMBER_EMAIL.upper(), "display_name": "Other", "password": "another-pass",
            "csrf": client.csrf("/account/signup")})
        assert answer.status == 409, answer.status
        assert "exists already" in answer.text()

    def escaping(self):
        name = self.browser.find("nav span")
        assert name.text == MEMBER_NAME, name.text
        assert not self.browser.find_all("nav span b"), "markup in a name became an element"

    def cookie_flags(self):
        cookies = self.browser.cookies()
        session = cookies["ppm_session"]
        assert session["httpOnly"] is True
        assert session["sameSite"] == "Strict"
        assert session["secure"] is False  # plain HTTP here; see tls_cookie_flags
        assert session["path"] == "/account/"
        assert len(session["value"]) >= 43  # 256 random bits
        assert cookies["ppm_form"]["httpOnly"] is True
        # The raw header, as any client sees it.
        client = ppmweb.WebClient(self.server)
        answer = client.post("/account/login", {"email": MEMBER_EMAIL,
                                                "password": MEMBER_PASSWORD,
                                                "csrf": client.csrf("/account/login")})
        assert answer.status == 303, answer.status
        header = [h for h in answer.header_all("Set-Cookie") if h.startswith("ppm_session=")]
        assert header, answer.headers
        flags = [part.strip() for part in header[0].split(";")]
        assert "HttpOnly" in flags and "SameSite=Strict" in flags and "Secure" not in flags

    def session_not_stored_plain(self):
        token = self.browser.cookies()["ppm_session"]["value"]
        database = self.server.db_uri[len("sqlite:"):]
        dump = subprocess.run(["sqlite3", database, ".dump"], capture_output=True,
                              text=True, timeout=30)
        if dump.returncode != 0:
            raise AssertionError(f"sqlite3 failed: {dump.stderr}")
        assert token not in dump.stdout, "the session cookie is stored in plain text"
        assert MEMBER_PASSWORD not in dump.stdout, "the password is stored in plain text"

    def logout_and_login(self):
        old_token = self.browser.cookies()["ppm_session"]["value"]
        self.browser.submit("nav button")
        assert self.browser.path().startswith(self.url("/account/login")), self.browser.path()
        # The old cookie no longer opens the history.
        answer = ppmweb.WebClient(self.server, {"ppm_session": old_token}).get(
            "/account/payments/history")
        assert answer.status == 303, answer.status
        assert answer.header("Location").startswith(self.url("/account/login"))
        # A wrong password says so on the page.
        self.browser.fill({"email": MEMBER_EMAIL, "password": "wrong-password"})
        self.browser.submit()
        assert "not right" in self.browser.message(), self.browser.message()
        self.browser.screenshot("login-error")
        self.browser.fill({"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD})
        self.browser.submit()
        assert self.browser.path() == self.url("/account/payments/history"), self.browser.path()

    def funded_call_history(self):
        self.server.admin("link", "--email", MEMBER_EMAIL, "--protocol", PROTOCOL,
                          "--handle", MEMBER_HANDLE)
        self.server.admin("fund", "--email", MEMBER_EMAIL, "--amount", "20.00")
        self.session_id, self.rate_url = drive_call(self.server)
        self.browser.go(self.url("/account/payments/history"))
        tiles = [t.text for t in self.browser.find_all(".tile strong")]
        assert tiles == ["$14.00", "$14.00"], tiles
        rows = self.browser.find_all("#transactions tbody tr")
        kinds = [row.get_attribute("data-kind") for row in rows]
        assert kinds == ["charge", "charge", "charge", "deposit"], kinds  # newest first
        amounts = [row.find_elements("css selector", "td")[1].text for row in rows]
        assert amounts == ["−$2.00", "−$2.00", "−$2.00", "$20.00"], amounts
        balances = [row.find_elements("css selector", "td")[2].text for row in rows]
        assert balances == ["$14.00", "$16.00", "$18.00", "$20.00"], balances
        assert MODEL_NAME in rows[0].text
        self.browser.screenshot("history")
        self.browser.screenshot("history-phone", 390, 844)

    def phone_layout(self):
        self.browser.driver.set_window_size(390, 844)
        try:
            for path in ["/account/payments/history", "/account/password"]:
                self.browser.go(self.url(path))
                overflow = self.browser.driver.execute_script(
                    "return document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
        finally:
            self.browser.driver.set_window_size(1100, 900)

    def history_paging(self):
        for _ in range(22):
            self.server.admin("fund", "--email", MEMBER_EMAIL, "--amount", "1.00")
        self.browser.go(self.url("/account/payments/history"))
        assert len(self.browser.find_all("#transactions tbody tr")) == 25
        assert self.browser.find_all("a[href*='/account/payments/history']")
        self.browser.submit("a[rel=next]")
        rows = self.browser.find_all("#transactions tbody tr")
        assert [r.get_attribute("data-kind") for r in rows] == ["deposit"], len(rows)
        assert "$20.00" in rows[0].text  # the oldest entry is the first deposit
        assert "Newest" in self.browser.find(".pager").text
        client = ppmweb.WebClient(self.server, {"ppm_session": self.session_cookie()})
        assert client.get("/account/payments/history?before=zero").status == 422
        # The newest page updates by itself; older pages stay put.
        assert client.get("/account/payments/history").header("Refresh")
        assert client.get("/account/payments/history?before=2").header("Refresh") is None

    def session_cookie(self):
        return self.browser.cookies()["ppm_session"]["value"]

    def rate_show(self):
        assert self.rate_url == self.url(f"/account/sessions/{self.session_id}/rate"), \
            self.rate_url
        self.browser.go(self.rate_url)
        assert self.browser.heading() == "Rate the show"
        assert MODEL_NAME in self.browser.find("main").text
        self.browser.find("label[for=stars4]").click()
        self.browser.fill({"comment": "Lovely show <3 & thanks"})
        self.browser.screenshot("rate")
        self.browser.submit()
        assert "rating was saved" in self.browser.message(), self.browser.message()
        # The rating reached the store: the API refuses a second one.
        token = self.server.login(MEMBER_EMAIL, MEMBER_PASSWORD)
        again = self.server.api("POST", f"/v1/sessions/{self.session_id}/rating",
                                {"stars": 5}, token)
        assert again.status == 409 and again.json()["error"]["code"] == "already_rated"

    def rate_twice(self):
        self.browser.go(self.rate_url)
        self.browser.find("label[for=stars2]").click()
        self.browser.submit()
        assert "rated this show already" in self.browser.message(), self.browser.message()
        self.browser.screenshot("rate-already")

    def rate_errors(self):
        client = ppmweb.WebClient(self.server, {"ppm_session": self.session_cookie()})
        path = f"/account/sessions/{self.session_id}/rate"
        answer = client.post(path, {"stars": "4", "comment": "x" * 501,
                                    "csrf": client.csrf(path)})
        assert answer.status == 422 and "500 characters" in answer.text(), answer.status
        answer = client.post(path, {"stars": "6", "csrf": client.csrf(path)})
        assert answer.status == 422 and "1 to 5 stars" in answer.text(), answer.status
        other = "0123456789abcdef0123456789abcdef"
        assert client.get(f"/account/sessions/{other}/rate").status == 404
        # A model signed in on the web does not rate shows there.
        model = ppmweb.WebClient(self.server)
        model.post("/account/login", {"email": MODEL_EMAIL, "password": MODEL_PASSWORD,
                                      "csrf": model.csrf("/account/login")})
        assert model.get(path).status == 403

    def login_redirects_back(self):
        client = ppmweb.WebClient(self.server)
        path = f"/account/sessions/{self.session_id}/rate"
        answer = client.get(path)
        assert answer.status == 303, answer.status
        login = answer.header("Location")
        assert login.startswith(self.url("/account/login?next=")), login
        login_path = login[len(self.server.url):]
        answer = client.post("/account/login", {"email": MEMBER_EMAIL,
                                                "password": MEMBER_PASSWORD,
                                                "next": path, "csrf": client.csrf(login_path)})
        assert answer.status == 303 and answer.header("Location") == self.url(path)
        # Never to another site.
        client = ppmweb.WebClient(self.server)
        answer = client.post("/account/login", {"email": MEMBER_EMAIL,
                                                "password": MEMBER_PASSWORD,
                                                "next": "//evil.example/account/",
                                                "csrf": client.csrf("/account/login")})
        assert answer.header("Location") == self.url("/account/payments/history")

    def method_not_allowed(self):
        answer = self.server.request("PUT", "/account/login")
        assert answer.status == 405, answer.status
        assert answer.header("Allow") == "GET, POST", answer.header("Allow")
        assert self.server.request("GET", "/account/logout").status == 405
        assert self.server.request("GET", "/account/nothing-here").status == 404

    def csrf_refused(self):
        client = ppmweb.WebClient(self.server, {"ppm_session": self.session_cookie()})
        fields = {"current_password": MEMBER_PASSWORD, "new_password": "hijacked-password"}
        for csrf in [None, "", "0" * 64]:
            sent = dict(fields) if csrf is None else dict(fields, csrf=csrf)
            answer = client.post("/account/password", sent)
            assert answer.status == 403, (csrf, answer.status)
            assert "did not come from this site" in answer.text()
        # Another browser's token does not fit this session either.
        stranger = ppmweb.WebClient(self.server)
        token = stranger.csrf("/account/login")
        assert client.post("/account/password", dict(fields, csrf=token)).status == 403
        assert client.post("/account/logout", {}).status == 403
        self.server.login(MEMBER_EMAIL, MEMBER_PASSWORD)  # unchanged

    def login_throttled(self):
        client = ppmweb.WebClient(self.server)
        csrf = client.csrf("/account/login")
        fields = {"email": "nobody@example.test", "password": "wrong-password", "csrf": csrf}
        statuses = [client.post("/account/login", fields).status for _ in range(10)]
        assert statuses == [401] * 10, statuses
        answer = client.post("/account/login", fields)
        assert answer.status == 429, answer.status
        assert int(answer.header("Retry-After")) > 0
        assert "Too many failed sign-ins" in answer.text()

    def change_password(self):
        self.browser.go(self.url("/account/password"))
        self.browser.fill({"current_password": "not-my-password",
                           "new_password": MEMBER_NEW_PASSWORD})
        self.browser.submit()
        assert "current password is not right" in self.browser.message()
        self.browser.fill({"current_password": MEMBER_PASSWORD,
                           "new_password": MEMBER_NEW_PASSWORD})
        self.browser.submit()
        assert "password was changed" in self.browser.message(), self.browser.message()
        self.browser.screenshot("password-changed")
        # This browser stays signed in; the API takes only the new password.
        self.browser.go(self.url("/account/payments/history"))
        assert self.browser.heading() == "Payment history"
        self.server.login(MEMBER_EMAIL, MEMBER_NEW_PASSWORD)
        refused = self.server.api("POST", "/v1/auth/login", {"email": MEMBER_EMAIL,
                                                             "password": MEMBER_PASSWORD})
        assert refused.status == 401, refused.status


def language_chooser(tests, browser):
    """The chooser every page carries switches the language, and the settings
    page the time zone, on a platform billing in euros; docs/img's translated
    screenshots (history-de.png, settings-ro.png) come from here."""
    from selenium.webdriver.support.ui import Select

    def choose(language):
        Select(browser.find("#lang")).select_by_value(language)
        browser.submit("footer button")

    with ppmweb.PpmServer("browser-i18n", ["--period-seconds", "1", "--currency", "EUR"]) as server:
        def check():
            setup_model(server)
            server.admin("create-user", "--email", MEMBER_EMAIL, "--role", "member",
                         "--display-name", "Ann", stdin=MEMBER_PASSWORD + "\n")
            server.admin("link", "--email", MEMBER_EMAIL, "--protocol", PROTOCOL,
                         "--handle", MEMBER_HANDLE)
            server.admin("fund", "--email", MEMBER_EMAIL, "--amount", "20.00")
            drive_call(server)
            browser.go(server.url + "/account/login")
            browser.fill({"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD})
            browser.submit()
            choose("de")
            assert browser.path() == server.url + "/account/payments/history", browser.path()
            assert browser.find("html").get_attribute("lang") == "de"
            assert browser.heading() == "Zahlungsverlauf", browser.heading()
            tiles = [t.text for t in browser.find_all(".tile strong")]
            assert tiles == ["14,00 €", "14,00 €"], tiles
            browser.go(server.url + "/account/settings")
            browser.fill({"tz": "Europe/Berlin"})
            browser.submit("form:has(#tz) button")
            assert "Zeitzone" in browser.message() or "Zeiten" in browser.message(), \
                browser.message()
            browser.go(server.url + "/account/payments/history")
            when = browser.find("#transactions .sub").text
            assert re.fullmatch(r"\d\d\.\d\d\.20\d\d, \d\d:\d\d CES?T", when), when
            browser.screenshot("history-de")
            browser.go(server.url + "/account/settings")
            choose("ro")
            assert browser.heading() == "Setări", browser.heading()
            browser.screenshot("settings-ro")
            choose("en")
            assert browser.heading() == "Settings", browser.heading()
        tests.run("/browser/language-chooser", check)
        tests.run("/browser/language-server-exit-clean", server.check_clean_exit)


def tls_cookie_flags(tests):
    """Under TLS the cookies also get Secure."""
    directory = tempfile.mkdtemp(prefix="ppm-web-tls-")
    cert, key = os.path.join(directory, "cert.pem"), os.path.join(directory, "key.pem")
    try:
        made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                               "-keyout", key, "-out", cert, "-days", "2", "-subj",
                               "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                              capture_output=True, timeout=60)
        assert made.returncode == 0, made.stderr
        with ppmweb.PpmServer("tls", ["--tls-cert", cert, "--tls-key", key],
                              scheme="https", ca_file=cert) as server:
            def check():
                answer = server.request("GET", "/account/login")
                assert answer.status == 200, answer.status
                header = answer.header_all("Set-Cookie")
                assert header and all("Secure" in h.split("; ") for h in header), header
            tests.run("/browser/tls-cookie-secure", check)
            tests.run("/browser/tls-server-exit-clean", server.check_clean_exit)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def public_url_links(tests):
    """Links, form actions and redirects are built from --public-url, and an
    https public URL (TLS in front of the server) makes cookies Secure."""
    public = "https://pay.example.test"
    with ppmweb.PpmServer("public-url", ["--public-url", public + "/"]) as server:
        def check():
            page = server.request("GET", "/account/login")
            links = re.findall(r'(?:href|action)="([^"]+)"', page.text())
            assert links and all(link.startswith(public + "/account/") for link in links), links
            assert all("Secure" in h.split("; ") for h in page.header_all("Set-Cookie"))
            answer = server.request("GET", "/account/payments/history")
            assert answer.status == 303, answer.status
            assert answer.header("Location").startswith(public + "/account/login?next=")
        tests.run("/browser/public-url-links", check)
        tests.run("/browser/public-url-server-exit-clean", server.check_clean_exit)


def main():
    browser_bin, driver_bin = find_browser()
    tests = ppmweb.Tests()
    with ppmweb.PpmServer("browser", ["--period-seconds", "1"]) as server:
        setup_model(server)
        browser = Browser(browser_bin, driver_bin)
        try:
            journey = Journey(server, browser)
            steps = [
                ("/browser/signup-errors", journey.signup_errors),
                ("/browser/signup", journey.signup),
                ("/browser/signup-duplicate", journey.signup_duplicate),
                ("/browser/escaping", journey.escaping),
                ("/browser/cookie-flags", journey.cookie_flags),
                ("/browser/secrets-stored-hashed", journey.session_not_stored_plain),
                ("/browser/logout-login", journey.logout_and_login),
                ("/browser/history-after-funded-call", journey.funded_call_history),
                ("/browser/phone-layout", journey.phone_layout),
                ("/browser/rate-show", journey.rate_show),
                ("/browser/rate-twice", journey.rate_twice),
                ("/browser/rate-errors", journey.rate_errors),
                ("/browser/login-redirects-back", journey.login_redirects_back),
                ("/browser/method-not-allowed", journey.method_not_allowed),
                ("/browser/csrf-refused", journey.csrf_refused),
                ("/browser/login-throttled", journey.login_throttled),
                ("/browser/history-paging", journey.history_paging),
                ("/browser/change-password", journey.change_password),
            ]
            for name, step in steps:
                tests.run(name, step)
            language_chooser(tests, browser)
        finally:
            browser.close()
        tests.run("/browser/server-exit-clean", server.check_clean_exit)
    tls_cookie_flags(tests)
    public_url_links(tests)
    tests.finish()


if __name__ == "__main__":
    main()
