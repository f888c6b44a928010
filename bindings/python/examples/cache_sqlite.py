#!/usr/bin/env python3
# SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
"""Cache-aside and write-through in front of SQLite (a file, stdlib sqlite3).

3 reader processes read prices through an skv cache: a hit is one GET; a
miss reads the database and fills the cache with PUT nx=True (never over a
fresher value) and a TTL of what is left of TTL seconds since the database
read began. A writer process updates prices in the database and then
either writes the new row through to the cache or invalidates it, in turn.

Cache-aside has a known race: a reader that read the old row before the
update can put it into the cache after the writer's invalidation. The TTL
bounds how long such a value lives, and the check at the end shows it: no
reader returned a version more than TTL seconds after the next version
was committed.
"""
import json
import multiprocessing as mp
import os
import random
import sqlite3
import sys
import time

import skv

TABLE = "example_cache"
DB = "/tmp/example_cache.db"
TTL = 0.5            # seconds a cached row may lag the database
SLACK = 0.01         # the kernel's expiry granularity
ITEMS = 20
SECONDS = 3.0
READERS = 3


def db_connect():
    db = sqlite3.connect(DB, timeout=30, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    return db


def read_price(cache, db, item, stats):
    """Cache-aside read: (price, version) of item."""
    raw = cache.get(f"item:{item}")
    if raw is not None:
        stats["hits"] += 1
        row = json.loads(raw)
        return row["price"], row["version"]
    stats["misses"] += 1
    began = time.monotonic()
    price, version = db.execute("SELECT price, version FROM items WHERE id = ?",
                                (item,)).fetchone()
    left = TTL - (time.monotonic() - began)
    if left > 0.001:
        try:
            cache.put(f"item:{item}", json.dumps({"price": price, "version": version}),
                      ttl=left, nx=True)
        except FileExistsError:
            pass  # someone cached a value meanwhile: keep theirs
    return price, version


def reader(n, results):
    cache = skv.open(TABLE)
    db = db_connect()
    rnd = random.Random(n)
    stats = {"hits": 0, "misses": 0}
    reads = []
    end = time.monotonic() + SECONDS
    while time.monotonic() < end:
        item = rnd.randrange(ITEMS)
        before = time.monotonic()  # the lookup happens after this
        _, version = read_price(cache, db, item, stats)
        reads.append((before, item, version))
    results.put(("reader", reads, stats))


def writer(results):
    cache = skv.open(TABLE)
    db = db_connect()
    rnd = random.Random(99)
    commits = []  # (item, version, time the commit had returned)
    end = time.monotonic() + SECONDS
    n = 0
    while time.monotonic() < end:
        item = rnd.randrange(ITEMS)
        began = time.monotonic()
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("SELECT version FROM items WHERE id = ?",
                             (item,)).fetchone()[0] + 1
        price = rnd.randrange(100, 10000)
        db.execute("UPDATE items SET price = ?, version = ? WHERE id = ?",
                   (price, version, item))
        db.execute("COMMIT")
        commits.append((item, version, time.monotonic()))
        if n % 2 == 0:   # write-through
            left = TTL - (time.monotonic() - began)
            if left > 0.001:
                cache.put(f"item:{item}", json.dumps({"price": price, "version": version}),
                          ttl=left)
            else:
                cache.pop(f"item:{item}", None)
        else:            # invalidate
            cache.pop(f"item:{item}", None)
        n += 1
        time.sleep(0.01)
    results.put(("writer", commits, n))


def main():
    try:
        skv.delete_table(TABLE)
    except FileNotFoundError:
        pass
    for f in (DB, DB + "-wal", DB + "-shm"):
        if os.path.exists(f):
            os.unlink(f)
    db = db_connect()
    db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, price INTEGER, version INTEGER)")
    db.executemany("INSERT INTO items VALUES (?, ?, 1)",
                   [(i, 100 * i) for i in range(ITEMS)])
    db.close()
    cache = skv.open(TABLE, create=True, max_entries=ITEMS * 2)

    ctx = mp.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=reader, args=(n, results)) for n in range(READERS)]
    procs.append(ctx.Process(target=writer, args=(results,)))
    for p in procs:
        p.start()
    reads, hits, misses, commits, updates = [], 0, 0, [], 0
    for _ in procs:
        kind, data, extra = results.get(timeout=600)
        if kind == "reader":
            reads += data
            hits += extra["hits"]
            misses += extra["misses"]
        else:
            commits, updates = data, extra
    for p in procs:
        p.join()
        if p.exitcode:
            sys.exit(f"a process failed with status {p.exitcode}")

    # when each version was superseded: the commit of the next one
    superseded = {(item, version - 1): when for item, version, when in commits}
    worst = 0.0
    too_old = 0
    for when, item, version in reads:
        newer = superseded.get((item, version))
        if newer is not None and when > newer:
            # the next version existed for this long when version was returned
            lag = when - newer
            worst = max(worst, lag)
            too_old += lag > TTL + SLACK
    print(f"{READERS} readers: {len(reads)} reads, {hits} cache hits "
          f"({100 * hits // max(1, len(reads))}%), {misses} database reads")
    print(f"1 writer: {updates} updates, half written through, half invalidated")
    print(f"oldest value returned: {worst:.3f} s after a newer one was committed "
          f"(TTL {TTL} s); reads older than the TTL allows: {too_old}")
    cache.close()
    skv.delete_table(TABLE)
    ok = too_old == 0 and hits > 0 and updates > 0 and len(reads) > 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
