#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
"""Sessions of a WSGI app served by 4 worker processes (stdlib wsgiref).

Each worker is its own process on its own port of the loopback, as behind
a load balancer; none shares memory with another. (On a kernel without
IPv4, such as the test VM's debug kernel, each listens on a unix socket
instead, as gunicorn's --bind unix:PATH does.) The session lives in an
skv table, "sess:<id>" -> JSON, with a sliding TTL: every request renews
it. A request updates its session with compare-and-swap, so concurrent
requests of one session through different workers lose no update.

The client logs in, makes requests round-robin through every worker and
then concurrently from 4 threads, and checks that the session's counter is
exact, that every worker served it, that logout ends it everywhere, and
that an idle session expires.
"""
import http.client
import json
import os
import secrets
import signal
import socket
import socketserver
import sys
import threading
import time
from http.cookies import SimpleCookie
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import skv

TABLE = "example_sessions"
WORKERS = 4
SESSION_TTL = 30.0


class QuietHandler(WSGIRequestHandler):
    def setup(self):
        super().setup()
        if not self.client_address:  # a unix socket's peer has no address
            self.client_address = ("local", 0)

    def log_message(self, *args):
        pass


class UnixWSGIServer(WSGIServer):
    address_family = socket.AF_UNIX

    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "localhost", 80
        self.setup_environ()


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.unix_path)


def have_ipv4():
    try:
        socket.socket(socket.AF_INET).close()
        return True
    except OSError:
        return False


def session_update(t, key, change):
    """Apply change(dict) to session key atomically; None if there is none."""
    while True:
        e = t.get(key, meta=True)
        if e is None:
            return None
        data = json.loads(e.value)
        change(data)
        try:
            t.put(key, json.dumps(data), cas=e.version, ttl=data["ttl"])
            return data
        except skv.StaleError:
            continue    # another worker updated it first: again
        except KeyError:
            return None  # logged out meanwhile


def make_app(t):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        query = parse_qs(environ.get("QUERY_STRING", ""))
        cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        sid = cookie["sid"].value if "sid" in cookie else None
        worker = str(os.getpid())

        def reply(status, body, headers=()):
            data = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"),
                                    ("Content-Length", str(len(data))),
                                    *headers])
            return [data]

        if path == "/login":
            sid = secrets.token_hex(16)
            ttl = float(query.get("ttl", [SESSION_TTL])[0])
            data = {"user": query["user"][0], "count": 0, "workers": [],
                    "ttl": ttl}
            t.put(f"sess:{sid}", json.dumps(data), nx=True, ttl=ttl)
            return reply("200 OK", {"worker": worker},
                         [("Set-Cookie", f"sid={sid}; HttpOnly; Path=/")])
        if path == "/count" and sid:
            def count(d):
                d["count"] += 1
                if worker not in d["workers"]:
                    d["workers"].append(worker)
            data = session_update(t, f"sess:{sid}", count)
            if data is None:
                return reply("401 Unauthorized", {"error": "no session"})
            return reply("200 OK", {"user": data["user"], "count": data["count"],
                                    "worker": worker})
        if path == "/whoami" and sid:
            raw = t.get(f"sess:{sid}")
            if raw is None:
                return reply("401 Unauthorized", {"error": "no session"})
            return reply("200 OK", json.loads(raw))
        if path == "/logout" and sid:
            t.pop(f"sess:{sid}", None)
            return reply("200 OK", {"bye": True})
        return reply("404 Not Found", {"error": path})
    return app


def request(port, path, sid=None):
    """GET path from the worker at port (a TCP port or a unix socket path)."""
    if isinstance(port, str):
        c = UnixHTTPConnection(port, timeout=60)
    else:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    c.request("GET", path, headers={"Cookie": f"sid={sid}"} if sid else {})
    r = c.getresponse()
    body = json.loads(r.read())
    cookie = SimpleCookie(r.getheader("Set-Cookie", ""))
    c.close()
    return r.status, body, cookie["sid"].value if "sid" in cookie else None


def main():
    try:
        skv.delete_table(TABLE)
    except FileNotFoundError:
        pass
    skv.open(TABLE, create=True, max_entries=10000, policy="lru").close()

    # bind every port first, then fork one worker per server
    if have_ipv4():
        servers = [make_server("127.0.0.1", 0, None, handler_class=QuietHandler)
                   for _ in range(WORKERS)]
        ports = [s.server_address[1] for s in servers]
        print(f"{WORKERS} workers on 127.0.0.1, ports {ports}")
    else:
        ports = [f"/tmp/wsgi-worker{n}.sock" for n in range(WORKERS)]
        for p in ports:
            if os.path.exists(p):
                os.unlink(p)
        servers = [UnixWSGIServer(p, QuietHandler) for p in ports]
        print(f"{WORKERS} workers on unix sockets (this kernel has no IPv4)")
    pids = []
    for s in servers:
        pid = os.fork()
        if pid == 0:
            s.set_app(make_app(skv.open(TABLE)))  # each worker its own handle
            s.serve_forever()
            os._exit(0)
        pids.append(pid)
        s.server_close()
    ok = True
    try:
        status, body, sid = request(ports[0], "/login?user=alice")
        print(f"login: {status}, session {sid[:8]}... from worker {body['worker']}")
        counts = []
        for i in range(12):
            status, body, _ = request(ports[i % WORKERS], "/count", sid)
            counts.append(body["count"])
        print(f"12 requests round-robin over {WORKERS} workers: counts {counts}")
        ok &= counts == list(range(1, 13))

        def hammer(n):
            for i in range(10):
                request(ports[(n + i) % WORKERS], "/count", sid)
        threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        status, body, _ = request(ports[1], "/whoami", sid)
        print(f"after 40 concurrent requests from 4 threads: count {body['count']}, "
              f"served by {len(body['workers'])} worker processes")
        ok &= body["count"] == 52 and len(body["workers"]) == WORKERS

        request(ports[2], "/logout", sid)
        gone = [request(p, "/count", sid)[0] for p in ports]
        print(f"after logout, every worker answers {sorted(set(gone))}")
        ok &= gone == [401] * WORKERS

        _, _, short = request(ports[3], "/login?user=bob&ttl=0.5")
        first = request(ports[0], "/count", short)[0]
        time.sleep(1.5)
        later = request(ports[1], "/count", short)[0]
        print(f"bob's 0.5 s session: {first} at once, {later} after 1.5 s idle")
        ok &= (first, later) == (200, 401)
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGTERM)
        for pid in pids:
            os.waitpid(pid, 0)
        skv.delete_table(TABLE)
    print("sessions shared by every worker:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
