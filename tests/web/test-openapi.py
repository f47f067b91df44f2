#!/usr/bin/python3
"""docs/openapi.json is a valid OpenAPI 3.0 document (checked offline against
the schema Debian's openapi-specification package ships) and documents every
frozen route and error code of the API contract."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ppmweb  # noqa: E402

SCHEMA_PATH = os.environ.get("OPENAPI_SCHEMA",
                             "/usr/share/openapi-specification/schemas/v3.0/schema.json")
DOCUMENT_PATH = os.environ.get("PPM_OPENAPI") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "openapi.json")

# The API's frozen routes and pages with the error
# codes each route must document.
FROZEN = {
    ("POST", "/v1/auth/login"): ["unauthorized", "rate_limited", "busy"],
    ("POST", "/v1/auth/refresh"): ["unauthorized"],
    ("POST", "/v1/auth/logout"): ["unauthorized"],
    ("GET", "/v1/me"): ["unauthorized"],
    ("PUT", "/v1/me/rate"): ["invalid"],
    ("PUT", "/v1/me/max-rate"): ["invalid"],
    ("POST", "/v1/me/handles"): ["handle_taken"],
    ("DELETE", "/v1/me/handles"): [],
    ("GET", "/v1/members/lookup"): ["rate_limited"],
    ("POST", "/v1/sessions"): ["insufficient_funds", "forbidden", "rate_not_accepted",
                               "not_found", "too_many_sessions", "idempotency_mismatch",
                               "invalid"],
    ("POST", "/v1/sessions/{id}/charges"): ["insufficient_funds", "session_closed",
                                            "session_expired", "seq_gap", "too_early",
                                            "not_found"],
    ("POST", "/v1/sessions/{id}/close"): ["not_found"],
    ("POST", "/v1/sessions/{id}/rating"): ["already_rated", "invalid"],
    ("POST", "/v1/app-rating"): ["invalid"],
    ("GET", "/v1/me/sessions"): [],
    ("GET", "/v1/me/transactions"): ["invalid"],
    ("GET", "/healthz"): [],
    ("GET", "/account/signup"): [],
    ("GET", "/account/login"): [],
    ("POST", "/account/logout"): [],
    ("GET", "/account/password"): [],
    ("GET", "/account/payments/history"): [],
    ("GET", "/account/sessions/{id}/rate"): [],
}

ALL_CODES = ["bad_request", "unauthorized", "insufficient_funds", "forbidden",
             "rate_not_accepted", "not_found", "method_not_allowed", "session_closed",
             "idempotency_mismatch", "handle_taken", "too_many_sessions", "already_rated",
             "session_expired", "too_large", "unsupported_media_type", "invalid", "seq_gap",
             "too_early", "rate_limited", "busy"]

# Codes the platform added to the frozen ones (which may be added to, never changed),
# with the routes that must document them.
ADDED_CODES = {"model_not_allowed": [("POST", "/v1/sessions")]}

METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def load():
    with open(DOCUMENT_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def resolve(document, ref):
    assert ref.startswith("#/"), f"external $ref {ref}"
    node = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"unresolved $ref {ref}"
        node = node[part]
    return node


def deref(document, node):
    while isinstance(node, dict) and "$ref" in node:
        node = resolve(document, node["$ref"])
    return node


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method.upper(), path, operation


def check_schema_valid(document):
    import jsonschema
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert document["openapi"].startswith("3.0.")


def check_rejects_broken_document(document):
    # The validator must notice a broken document, or the check above proves nothing.
    import copy
    import jsonschema
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema = json.load(handle)
    broken = copy.deepcopy(document)
    del broken["paths"]["/healthz"]["get"]["responses"]
    validator = jsonschema.validators.validator_for(schema)(schema)
    assert list(validator.iter_errors(broken)), "a response-less operation passed"


def check_refs_resolve(document):
    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                resolve(document, node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(document)


def check_frozen_routes(document):
    documented = {(method, path) for method, path, _ in operations(document)}
    missing = sorted(set(FROZEN) - documented)
    assert not missing, f"routes missing from docs/openapi.json: {missing}"


def check_error_codes(document):
    error = document["components"]["schemas"]["Error"]
    enum = error["properties"]["error"]["properties"]["code"]["enum"]
    assert sorted(enum) == sorted(ALL_CODES + list(ADDED_CODES)), \
        f"error codes differ: {sorted(enum)}"
    for method, path, operation in operations(document):
        text = json.dumps({status: deref(document, answer)
                           for status, answer in operation["responses"].items()})
        added = [code for code, routes in ADDED_CODES.items() if (method, path) in routes]
        for code in FROZEN.get((method, path), []) + added:
            assert f"`{code}`" in text, f"{method} {path} does not document {code}"


def check_error_shape(document):
    # Every API error response (4xx of /v1 and /healthz) uses the Error schema.
    for method, path, operation in operations(document):
        if path.startswith("/account/"):
            continue
        for status, answer in operation["responses"].items():
            if not status.startswith("4"):
                continue
            content = deref(document, answer).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            assert schema.get("$ref") == "#/components/schemas/Error", \
                f"{method} {path} {status} lacks the error shape"


def check_security(document):
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    assert document["security"] == [{"bearer": []}]
    anonymous = {(m, p) for m, p, op in operations(document) if op.get("security") == []}
    for route in [("POST", "/v1/auth/login"), ("POST", "/v1/auth/refresh"),
                  ("GET", "/healthz")]:
        assert route in anonymous, f"{route} must not require a token"
    for route in [("GET", "/v1/me"), ("POST", "/v1/sessions")]:
        assert route not in anonymous, f"{route} must require a token"


def check_web_forms_carry_csrf(document):
    for method, path, operation in operations(document):
        if not path.startswith("/account/") or method != "POST":
            continue
        body = deref(document, operation["requestBody"])
        schema = body["content"]["application/x-www-form-urlencoded"]["schema"]
        assert "csrf" in schema["required"], f"{path} form lacks the CSRF field"


def main():
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        ppmweb.skip("python3-jsonschema is not installed")
    if not os.path.exists(SCHEMA_PATH):
        ppmweb.skip(f"{SCHEMA_PATH} is missing (Debian package openapi-specification)")
    document = load()
    tests = ppmweb.Tests()
    for name, check in [
            ("/openapi/valid-3.0", check_schema_valid),
            ("/openapi/validator-rejects-broken", check_rejects_broken_document),
            ("/openapi/refs-resolve", check_refs_resolve),
            ("/openapi/frozen-routes", check_frozen_routes),
            ("/openapi/error-codes", check_error_codes),
            ("/openapi/error-shape", check_error_shape),
            ("/openapi/bearer-security", check_security),
            ("/openapi/web-forms-csrf", check_web_forms_carry_csrf)]:
        tests.run(name, check, document)
    tests.finish()


if __name__ == "__main__":
    main()
