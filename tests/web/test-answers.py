#!/usr/bin/python3
"""Real answers of a running ppm-server match docs/openapi.json: each status
is documented for its route, and each JSON body validates against the
documented schema with no undocumented fields."""

import copy
import importlib.util
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppmweb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PROTOCOL = "prpl-jabber"
MODEL = ("model@example.test", "model-password-1", "mia@example.test")
MEMBER = ("member@example.test", "member-password-1", "ann@example.test")
UNKNOWN_SESSION = "0123456789abcdef0123456789abcdef"


def load_document():
    spec = importlib.util.spec_from_file_location("openapi_doc",
                                                  os.path.join(HERE, "test-openapi.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.load()


def closed(node):
    """The document with every object schema closed to undocumented fields."""
    if isinstance(node, dict):
        node = {key: closed(value) for key, value in node.items()}
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        return node
    if isinstance(node, list):
        return [closed(value) for value in node]
    return node


class Contract:
    def __init__(self, document):
        import jsonschema
        self.document = closed(copy.deepcopy(document))
        self.resolver = jsonschema.RefResolver.from_schema(self.document)
        self.validator_class = jsonschema.Draft4Validator

    def deref(self, node):
        while isinstance(node, dict) and "$ref" in node:
            node = self.resolver.resolve(node["$ref"])[1]
        return node

    def check(self, method, template, answer, status=None):
        """Asserts the answer is documented for the route; returns its JSON."""
        if status is not None:
            assert answer.status == status, \
                f"{method} {template}: {answer.status} {answer.body[:300]!r}, expected {status}"
        operation = self.document["paths"][template][method.lower()]
        documented = operation["responses"].get(str(answer.status))
        assert documented is not None, f"{method} {template} answers {answer.status}, undocumented"
        for name, header in self.deref(documented).get("headers", {}).items():
            if self.deref(header).get("required"):
                assert answer.header(name) in self.deref(header)["schema"]["enum"], \
                    f"{method} {template} {answer.status}: {name} is {answer.header(name)!r}"
        content = self.deref(documented).get("content", {})
        if "application/json" not in content:
            return None
        body = json.loads(answer.body)
        schema = content["application/json"]["schema"]
        validator = self.validator_class(schema, resolver=self.resolver)
        errors = list(validator.iter_errors(body))
        assert not errors, f"{method} {template} {answer.status}: " + "; ".join(
            f"{list(e.path)}: {e.message}" for e in errors[:5])
        if answer.status >= 400:
            text = json.dumps(self.deref(documented))
            code = body["error"]["code"]
            assert f"`{code}`" in text, f"{method} {template} {answer.status} {code} undocumented"
        return body


class Scenario:
    def __init__(self, server, contract):
        self.server = server
        self.contract = contract
        self.model_token = None
        self.member_token = None
        self.session_id = None

    def call(self, method, template, status, payload=None, token=None, path=None, query=""):
        path = (path or template).replace("{id}", self.session_id or UNKNOWN_SESSION) + query
        answer = self.server.api(method, path, payload, token)
        return self.contract.check(method, template, answer, status)

    def setup(self):
        server = self.server
        for (email, password, handle), role, name in [(MODEL, "model", "Mia"),
                                                      (MEMBER, "member", "Ann")]:
            server.admin("create-user", "--email", email, "--role", role, "--display-name",
                         name, stdin=password + "\n")
            server.admin("link", "--email", email, "--protocol", PROTOCOL, "--handle", handle)
        server.admin("set-rate", "--email", MODEL[0], "--amount", "2.00")
        server.admin("fund", "--email", MEMBER[0], "--amount", "20.00")

    def auth(self):
        login = self.call("POST", "/v1/auth/login", 200,
                          {"email": MODEL[0], "password": MODEL[1]})
        self.model_token = login["access_token"]
        refreshed = self.call("POST", "/v1/auth/refresh", 200,
                              {"refresh_token": login["refresh_token"]})
        assert refreshed["user"]["role"] == "model"
        self.member_token = self.call("POST", "/v1/auth/login", 200,
                                      {"email": MEMBER[0], "password": MEMBER[1]})[
                                          "access_token"]
        self.call("POST", "/v1/auth/login", 401, {"email": MEMBER[0], "password": "wrong-one"})
        self.call("POST", "/v1/auth/refresh", 401, {"refresh_token": "not-a-token"})

    def account(self):
        model = self.call("GET", "/v1/me", 200, token=self.model_token)
        member = self.call("GET", "/v1/me", 200, token=self.member_token)
        assert "rate" in model and "available" in member and "max_rate" in member
        self.call("GET", "/v1/me", 401)
        self.call("PUT", "/v1/me/rate", 200, {"amount_minor": 200}, self.model_token)
        self.call("PUT", "/v1/me/rate", 422, {"amount_minor": 0}, self.model_token)
        self.call("PUT", "/v1/me/rate", 403, {"amount_minor": 200}, self.member_token)
        self.call("PUT", "/v1/me/max-rate", 200, {"amount_minor": 500}, self.member_token)
        handle = {"protocol": "prpl-irc", "handle": "mia"}
        self.call("POST", "/v1/me/handles", 200, handle, self.model_token)
        self.call("POST", "/v1/me/handles", 409, handle, self.member_token)
        self.call("DELETE", "/v1/me/handles", 200, handle, self.model_token)
        self.call("GET", "/v1/members/lookup", 200, token=self.model_token,
                  query=f"?protocol={PROTOCOL}&handle={MEMBER[2]}")

    def call_flow(self):
        # Connected 2 s ago: the 1 s periods of seq 0 and 1 have begun.
        body = {"client_session_id": str(uuid.uuid4()), "protocol": PROTOCOL,
                "model_handle": MODEL[2], "member_handle": MEMBER[2], "elapsed_ms": 2000}
        self.call("POST", "/v1/sessions", 404, dict(body, member_handle="nobody@example.test"),
                  self.model_token)
        opened = self.call("POST", "/v1/sessions", 201, body, self.model_token)
        self.session_id = opened["session_id"]
        self.call("POST", "/v1/sessions", 409, dict(body, member_handle="other@example.test"),
                  self.model_token)
        for seq in range(2):
            self.call("POST", "/v1/sessions/{id}/charges", 201,
                      {"seq": seq, "elapsed_ms": 1000 + seq * 1000}, self.model_token)
        self.call("POST", "/v1/sessions/{id}/charges", 422, {"seq": 5, "elapsed_ms": 9000},
                  self.model_token)
        self.call("POST", "/v1/sessions/{id}/charges", 404, {"seq": 0, "elapsed_ms": 0},
                  self.model_token, path=f"/v1/sessions/{UNKNOWN_SESSION}/charges")
        self.call("POST", "/v1/sessions/{id}/close", 200,
                  {"reason": "remote_hangup", "elapsed_ms": 2500}, self.model_token)
        self.call("POST", "/v1/sessions/{id}/charges", 409, {"seq": 2, "elapsed_ms": 3000},
                  self.model_token)

    def ratings(self):
        rating = {"stars": 5, "comment": "great"}
        self.call("POST", "/v1/sessions/{id}/rating", 204, rating, self.member_token)
        self.call("POST", "/v1/sessions/{id}/rating", 409, rating, self.member_token)
        self.call("POST", "/v1/sessions/{id}/rating", 422, {"stars": 6}, self.model_token)
        self.call("POST", "/v1/app-rating", 204, {"stars": 4}, self.model_token)
        self.call("POST", "/v1/app-rating", 422, {"stars": 4, "comment": "x" * 501},
                  self.model_token)

    def history(self):
        page = self.call("GET", "/v1/me/transactions", 200, token=self.member_token,
                         query="?limit=1")
        assert page["items"][0]["kind"] == "charge" and "next_before" in page
        self.call("GET", "/v1/me/transactions", 200, token=self.member_token,
                  query=f"?limit=200&before={page['next_before']}")
        self.call("GET", "/v1/me/transactions", 422, token=self.member_token,
                  query="?limit=201")
        sessions = self.call("GET", "/v1/me/sessions", 200, token=self.model_token)
        assert sessions["items"][0]["session_id"] == self.session_id

    def protocol_errors(self):
        server = self.server
        headers = {"Authorization": f"Bearer {self.model_token}"}
        answer = server.request("PUT", "/v1/me/rate", b"amount_minor=1",
                                dict(headers, **{"Content-Type": "text/plain"}))
        self.contract.check("PUT", "/v1/me/rate", answer, 415)
        answer = server.request("PUT", "/v1/me/rate", b"[1]",
                                dict(headers, **{"Content-Type": "application/json"}))
        self.contract.check("PUT", "/v1/me/rate", answer, 400)
        answer = server.request("PUT", "/v1/me/rate", b" " * (64 * 1024 + 1),
                                dict(headers, **{"Content-Type": "application/json"}))
        self.contract.check("PUT", "/v1/me/rate", answer, 413)
        # A method the path does not have: documented with the path's GET.
        self.contract.check("GET", "/v1/me", server.request("DELETE", "/v1/me"), 405)
        self.call("POST", "/v1/auth/logout", 204, token=self.model_token)
        self.call("GET", "/v1/me", 401, token=self.model_token)

    def web_login(self, email, password):
        client = ppmweb.WebClient(self.server)
        answer = client.post("/account/login", {"email": email, "password": password,
                                                "csrf": client.csrf("/account/login")})
        self.contract.check("POST", "/account/login", answer, 303)
        return client

    def web_pages(self):
        check = self.contract.check
        anonymous = ppmweb.WebClient(self.server)
        check("GET", "/account/signup", anonymous.get("/account/signup"), 200)
        check("GET", "/account/login", anonymous.get("/account/login"), 200)
        # The platform's root leads a newcomer to the sign-in page.
        root = anonymous.get("/")
        check("GET", "/", root, 303)
        assert (root.header("Location") or "").endswith("/account/login"), \
            f"GET / leads to {root.header('Location')!r}, not the sign-in page"
        for path in ["/account/password", "/account/payments/history",
                     f"/account/sessions/{self.session_id}/rate"]:
            template = path.replace(self.session_id, "{id}")
            check("GET", template, anonymous.get(path), 303)
        fields = {"email": "web@example.test", "display_name": "Web", "password": "short"}
        check("POST", "/account/signup", anonymous.post("/account/signup", fields), 403)
        csrf = anonymous.csrf("/account/signup")
        check("POST", "/account/signup", anonymous.post("/account/signup",
                                                        dict(fields, csrf=csrf)), 422)
        check("POST", "/account/signup", anonymous.post(
            "/account/signup", dict(fields, email=MEMBER[0], password="long-enough-1",
                                    csrf=csrf)), 409)
        unreadable = f"csrf={csrf}&email=%FF&display_name=x&password=long-enough-1".encode()
        answer = self.server.request("POST", "/account/signup", unreadable, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": ppmweb.cookie_header(anonymous.cookies)})
        check("POST", "/account/signup", answer, 400)
        check("POST", "/account/signup", anonymous.post(
            "/account/signup", dict(fields, password="long-enough-1", csrf=csrf)), 303)
        check("POST", "/account/login", anonymous.post(
            "/account/login", {"email": MEMBER[0], "password": "wrong-password",
                               "csrf": anonymous.csrf("/account/signup")}), 401)

        member = self.web_login(MEMBER[0], MEMBER[1])
        check("GET", "/account/payments/history", member.get("/account/payments/history"), 200)
        check("GET", "/account/payments/history",
              member.get("/account/payments/history?before=x"), 422)
        rate = f"/account/sessions/{self.session_id}/rate"
        template = "/account/sessions/{id}/rate"
        check("GET", template, member.get(rate), 200)
        check("GET", template, member.get(f"/account/sessions/{UNKNOWN_SESSION}/rate"), 404)
        check("POST", template, member.post(rate, {"stars": "9", "csrf": member.csrf(rate)}),
              422)
        check("POST", template, member.post(rate, {"stars": "3", "csrf": member.csrf(rate)}),
              409)  # rated through the API in /answers/ratings
        model = self.web_login(MODEL[0], MODEL[1])
        check("GET", template, model.get(rate), 403)
        # A model's history shows its earnings after the fee (2 × (2.00 − 20 %)).
        earnings = model.get("/account/payments/history")
        check("GET", "/account/payments/history", earnings, 200)
        assert "Earnings</span><strong>$3.20" in earnings.text(), earnings.text()[-1500:]
        assert earnings.text().count('data-kind="earning"') == 2

        password = "/account/password"
        check("GET", password, member.get(password), 200)
        change = {"current_password": "wrong-password", "new_password": "member-password-2"}
        check("POST", password, member.post(password, dict(change, csrf=member.csrf(password))),
              401)
        check("POST", password, member.post(password, dict(
            change, current_password=MEMBER[1], new_password="short",
            csrf=member.csrf(password))), 422)
        check("POST", password, member.post(password, dict(
            change, current_password=MEMBER[1], csrf=member.csrf(password))), 200)
        check("POST", "/account/logout", member.post("/account/logout", {
            "csrf": member.csrf(password)}), 303)

    def health(self):
        self.call("GET", "/healthz", 200)


def main():
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        ppmweb.skip("python3-jsonschema is not installed")
    contract = Contract(load_document())
    tests = ppmweb.Tests()
    with ppmweb.PpmServer("answers", ["--period-seconds", "1"]) as server:
        scenario = Scenario(server, contract)
        scenario.setup()
        for name, step in [("/answers/healthz", scenario.health),
                           ("/answers/auth", scenario.auth),
                           ("/answers/account", scenario.account),
                           ("/answers/call", scenario.call_flow),
                           ("/answers/ratings", scenario.ratings),
                           ("/answers/history", scenario.history),
                           ("/answers/web-pages", scenario.web_pages),
                           ("/answers/protocol-errors", scenario.protocol_errors)]:
            tests.run(name, step)
        tests.run("/answers/server-exit-clean", server.check_clean_exit)
    tests.finish()


if __name__ == "__main__":
    main()
