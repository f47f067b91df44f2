#!/usr/bin/python3
"""docs/openapi.json and the server agree: every documented route is served,
every served route (ppm-server --print-routes) is documented, and a running
server answers each documented route with something other than 404/405."""

import importlib.util
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppmweb  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOME_ID = "0123456789abcdef0123456789abcdef"


def load_openapi_module():
    spec = importlib.util.spec_from_file_location("openapi_doc",
                                                  os.path.join(HERE, "test-openapi.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def documented_routes(doc_module):
    document = doc_module.load()
    return {f"{method} {path}" for method, path, _ in doc_module.operations(document)}


def served_routes():
    import subprocess
    result = subprocess.run([ppmweb.program("PPM_SERVER_BIN"), "--print-routes"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"--print-routes failed: {result.stderr.strip()}"
    routes = {line.strip() for line in result.stdout.splitlines() if line.strip()}
    assert routes, "--print-routes printed nothing"
    return routes


def check_same_sets(documented, served):
    undocumented = sorted(served - documented)
    unserved = sorted(documented - served)
    assert not undocumented and not unserved, (
        f"served but not in docs/openapi.json: {undocumented}; "
        f"documented but not served: {unserved}")


def check_web_pages_listed(served):
    # The pages come from server/web: a server built without them would pass
    # the set comparison only if the document lacked them too.
    for route in ["GET /account/signup", "POST /account/login",
                  "GET /account/payments/history", "POST /account/sessions/{id}/rate"]:
        assert route in served, f"{route} is not served"


def probe(server, route):
    method, path = route.split(" ", 1)
    path = path.replace("{id}", SOME_ID)
    body = b"{}" if method in ("POST", "PUT", "DELETE") and path.startswith("/v1/") else None
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if method == "GET" and path == "/v1/members/lookup":
        path += "?protocol=prpl-jabber&handle=nobody"
    return server.request(method, path, body, headers)


def check_probe(server, documented):
    unknown = []
    for route in sorted(documented):
        answer = probe(server, route)
        # Without credentials a known route answers 401 (API) or 303 to the
        # sign-in page (pages) before it looks for the session {id}.
        if answer.status in (404, 405):
            unknown.append(f"{route} -> {answer.status}")
    assert not unknown, f"documented routes the server does not know: {unknown}"


def check_probe_discriminates(server):
    # The probe must be able to fail: an unknown route is 404.
    for route in ["GET /v1/no-such-route", "GET /account/no-such-page"]:
        assert probe(server, route).status == 404, f"{route} was not 404"


def main():
    doc_module = load_openapi_module()
    documented = documented_routes(doc_module)
    tests = ppmweb.Tests()
    served = set()

    def collect():
        served.update(served_routes())

    if tests.run("/routes/print-routes", collect):
        tests.run("/routes/same-sets", check_same_sets, documented, served)
        tests.run("/routes/web-pages-listed", check_web_pages_listed, served)
    with ppmweb.PpmServer("routes") as server:
        tests.run("/routes/probe-documented", check_probe, server, documented)
        tests.run("/routes/probe-unknown-is-404", check_probe_discriminates, server)
        tests.run("/routes/server-exit-clean", server.check_clean_exit)
    tests.finish()


if __name__ == "__main__":
    main()
