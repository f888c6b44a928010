#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
"""A fixed-window rate limiter shared by 4 worker processes.

Each request of a client increments the counter of the client's current
window, "rl:<client>:<window>", with one INCR: the kernel serialises the
increments, so the workers need no lock and no server, and the first LIMIT
requests of a window are allowed, the rest refused, whichever process
served them. The table's default TTL reclaims old windows.

The check at the end is exact: for every client and window, the number of
requests the workers allowed is min(LIMIT, requests made).
"""
import multiprocessing as mp
import sys
import time
from collections import Counter

import skv

TABLE = "example_ratelimit"
LIMIT = 25          # requests per client per window
WINDOW = 1.0        # seconds
WORKERS = 4
REQUESTS = 300      # per worker
CLIENTS = ["alice", "bob", "carol"]


def allow(t, client):
    """One request of client: (allowed?, window)."""
    window = int(time.time() // WINDOW)
    count = t.incr(f"rl:{client}:{window}")
    return count <= LIMIT, window


def worker(n, results):
    t = skv.open(TABLE)
    seen = Counter()
    allowed = Counter()
    for i in range(REQUESTS):
        client = CLIENTS[(i + n) % len(CLIENTS)]
        ok, window = allow(t, client)
        seen[client, window] += 1
        allowed[client, window] += ok
    results.put((dict(seen), dict(allowed)))


def main():
    try:
        skv.delete_table(TABLE)
    except FileNotFoundError:
        pass
    # counters outlive their window by one window, then go
    t = skv.open(TABLE, create=True, ttl=2 * WINDOW)
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(n, results)) for n in range(WORKERS)]
    for p in procs:
        p.start()
    seen, allowed = Counter(), Counter()
    for _ in procs:
        s, a = results.get(timeout=300)
        seen.update(s)
        allowed.update(a)
    for p in procs:
        p.join()
        if p.exitcode:
            sys.exit(f"a worker failed with status {p.exitcode}")

    ok = True
    for client in CLIENTS:
        windows = sorted(w for c, w in seen if c == client)
        made = sum(seen[client, w] for w in windows)
        let = sum(allowed[client, w] for w in windows)
        want = sum(min(LIMIT, seen[client, w]) for w in windows)
        print(f"{client}: {made} requests in {len(windows)} windows, "
              f"{let} allowed (limit {LIMIT}/window), {made - let} refused")
        ok &= let == want
        for w in windows:
            # the kernel's count is every request of the window, by anyone
            stored = t.get(f"rl:{client}:{w}")
            if stored is not None and int(stored) != seen[client, w]:
                print(f"  window {w}: counter {int(stored)} != {seen[client, w]} requests")
                ok = False
    total = sum(seen.values())
    print(f"{WORKERS} processes, {total} requests: allowed = "
          f"sum of min({LIMIT}, requests) over windows: {'exact' if ok else 'WRONG'}")
    t.close()
    skv.delete_table(TABLE)
    return 0 if ok and total == WORKERS * REQUESTS else 1


if __name__ == "__main__":
    sys.exit(main())
