"""A real ppm-server for the web tests, as tests/support/ppm-test-server.h
starts one for the C tests: a free 127.0.0.1 port, a fresh SQLite database in
a temporary directory, stopped by its PID (also when a test fails).

The programs come from PPM_SERVER_BIN and PPM_ADMIN_BIN; logs and screenshots
go to PPM_WEB_ARTIFACTS (the meson build directory of tests/web)."""

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.parse

SKIP = 77
CSRF_RE = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def skip(reason):
    print(f"1..0 # SKIP {reason}")
    sys.exit(SKIP)


def artifacts_dir():
    path = os.environ.get("PPM_WEB_ARTIFACTS") or tempfile.gettempdir()
    os.makedirs(path, exist_ok=True)
    return path


def program(variable):
    path = os.environ.get(variable)
    if not path or not os.access(path, os.X_OK):
        skip(f"{variable} is not set to a built program")
    return path


def cookie_header(cookies):
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value), names as sent
        self.body = body

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def header_all(self, name):
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self):
        return json.loads(self.body)

    def text(self):
        return self.body.decode("utf-8")


class PpmServer:
    """ppm-server on 127.0.0.1 with its own database; a context manager."""

    def __init__(self, name, extra_args=(), scheme="http", ca_file=None):
        self.server_bin = program("PPM_SERVER_BIN")
        self.dir = tempfile.mkdtemp(prefix="ppm-web-")
        self.db_uri = "sqlite:" + os.path.join(self.dir, "ppm.db")
        self.port = free_port()
        self.scheme = scheme
        self.ca_file = ca_file
        self.url = f"{scheme}://127.0.0.1:{self.port}"
        self.log_path = os.path.join(artifacts_dir(), f"{name}-server.log")
        self.extra_args = list(extra_args)
        self.process = None

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def start(self):
        args = [self.server_bin, "--db", self.db_uri,
                "--listen", f"127.0.0.1:{self.port}"] + self.extra_args
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=log,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"ppm-server exited with {self.process.returncode}; "
                                   f"see {self.log_path}")
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("ppm-server did not answer /healthz within 20 s")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def check_clean_exit(self):
        """Stops the server; it must exit 0 on SIGTERM without a sanitizer
        report in its log."""
        self.stop()
        assert self.process.returncode == 0, f"ppm-server exited with {self.process.returncode}"
        with open(self.log_path, "rb") as log:
            text = log.read().decode("utf-8", "replace")
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in text, f"{marker} in {self.log_path}"

    def connection(self):
        if self.scheme == "https":
            import ssl
            context = ssl.create_default_context(cafile=self.ca_file)
            return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=30,
                                               context=context)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method, path, body=None, headers=None):
        """One request, redirects not followed."""
        connection = self.connection()
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return Response(answer.status, answer.getheaders(), answer.read())
        finally:
            connection.close()

    def api(self, method, path, payload=None, token=None):
        headers = {}
        body = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if payload is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(payload).encode()
        return self.request(method, path, body, headers)

    def form(self, path, fields, cookies=None):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if cookies:
            headers["Cookie"] = cookie_header(cookies)
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), headers)

    def admin(self, *args, stdin=None):
        result = subprocess.run([program("PPM_ADMIN_BIN"), "--db", self.db_uri, *args],
                                input=stdin, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"ppm-admin {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout.strip()

    def login(self, email, password):
        answer = self.api("POST", "/v1/auth/login", {"email": email, "password": password})
        if answer.status != 200:
            raise AssertionError(f"login of {email}: {answer.status} {answer.body!r}")
        return answer.json()["access_token"]


class WebClient:
    """A cookie-keeping HTTP client for the pages, to send what a browser
    would not (a missing token, an over-long comment)."""

    def __init__(self, server, cookies=None):
        self.server = server
        self.cookies = dict(cookies or {})

    def _keep(self, answer):
        for header in answer.header_all("Set-Cookie"):
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return answer

    def get(self, path):
        headers = {"Cookie": cookie_header(self.cookies)}
        return self._keep(self.server.request("GET", path, None, headers))

    def csrf(self, path):
        answer = self.get(path)
        found = CSRF_RE.search(answer.text())
        assert found, f"no CSRF field on {path} ({answer.status})"
        return found.group(1)

    def post(self, path, fields):
        return self._keep(self.server.form(path, fields, self.cookies))


class Tests:
    """Runs named checks in order and prints TAP-style lines; the process
    exits non-zero when any check failed."""

    def __init__(self):
        self.results = []
        # meson ends a test that runs too long with SIGTERM: unwind, so the
        # servers and the browser this process started are stopped too.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(1))

    def run(self, name, function, *args):
        try:
            function(*args)
        except Exception:  # report every failure, then go on with the next check
            traceback.print_exc()
            self.results.append((name, False))
            print(f"not ok {len(self.results)} - {name}", flush=True)
            return False
        self.results.append((name, True))
        print(f"ok {len(self.results)} - {name}", flush=True)
        return True

    def finish(self):
        print(f"1..{len(self.results)}")
        sys.exit(0 if all(ok for _, ok in self.results) else 1)
