#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench, Python part: skv's binding against redis-py over a unix
socket and against a plain dict, in the same boot of the bench VM.

GET and PUT of 16-byte keys and 64-byte values, one op per call, the
client on one CPU and redis-server on the other (as skv-bench's Redis
suite). Each figure is the median of several rounds of ns/op; TCG makes
the absolute numbers meaningless, the ratios are what carries over.
Prints a table, one "SKVB:py:" JSON line, and whether Python skv GET is at
least 20x faster than Python Redis GET.
Usage: py_bench.py [--redis SOCKET] [--ops N] [--rounds R] [--cpu C]
"""
import argparse
import json
import os
import statistics
import sys
import time

import skv

TARGET = 20.0


def measure(fn, keys, ops, rounds):
    """Median ns per call of fn(key) over rounds of ops calls."""
    nkeys = len(keys)
    results = []
    fn(keys[0])  # warm
    for _ in range(rounds):
        start = time.perf_counter_ns()
        for i in range(ops):
            fn(keys[i % nkeys])
        results.append((time.perf_counter_ns() - start) / ops)
    return statistics.median(results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis", default="/tmp/redis-py.sock")
    ap.add_argument("--ops", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--cpu", type=int, default=1)
    ap.add_argument("--keys", type=int, default=1000)
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {args.cpu})
    except OSError:
        pass
    keys = [f"key:{i:012d}".encode() for i in range(args.keys)]   # 16 bytes
    value = b"v" * 64
    res = {}

    try:
        skv.delete_table("py_bench")
    except FileNotFoundError:
        pass
    t = skv.open("py_bench", create=True, max_entries=4 * args.keys)
    for k in keys:
        t[k] = value
    res["skv_get"] = measure(t.get, keys, args.ops, args.rounds)
    res["skv_getitem"] = measure(t.__getitem__, keys, args.ops, args.rounds)
    res["skv_put"] = measure(lambda k: t.__setitem__(k, value), keys, args.ops, args.rounds)
    res["skv_put_method"] = measure(lambda k: t.put(k, value), keys, args.ops, args.rounds)

    d = {k: value for k in keys}
    res["dict_get"] = measure(d.get, keys, args.ops, args.rounds)
    res["dict_put"] = measure(lambda k: d.__setitem__(k, value), keys, args.ops, args.rounds)

    try:
        import redis
        r = redis.Redis(unix_socket_path=args.redis)
        r.ping()
    except Exception as e:  # no redis-py or no server: say so, measure the rest
        print(f"py-bench: Redis not measured: {type(e).__name__}: {e}", file=sys.stderr)
        r = None
    if r is not None:
        for k in keys:
            r.set(k, value)
        rops = max(300, args.ops // 50)   # redis-py costs ms per call under TCG
        res["redis_get"] = measure(r.get, keys, rops, args.rounds)
        res["redis_put"] = measure(lambda k: r.set(k, value), keys, rops, args.rounds)
        res["redis_py"] = redis.__version__
    t.close()
    skv.delete_table("py_bench")

    lines = [f"Python {sys.version.split()[0]}: ns per op (median of {args.rounds} rounds, "
             "16 B keys, 64 B values; TCG: compare ratios only)",
             f"  {'op':<26}{'ns/op':>10}{'vs skv':>10}"]
    rows = [("skv t.get(k)", "skv_get", "skv_get"), ("skv t[k]", "skv_getitem", "skv_get"),
            ("skv t[k] = v", "skv_put", "skv_put"), ("skv t.put(k, v)", "skv_put_method", "skv_put"),
            ("redis-py r.get(k)", "redis_get", "skv_get"), ("redis-py r.set(k, v)", "redis_put", "skv_put"),
            ("dict d.get(k)", "dict_get", "skv_get"), ("dict d[k] = v", "dict_put", "skv_put")]
    for label, key, base in rows:
        if key in res:
            lines.append(f"  {label:<26}{res[key]:>10.0f}{res[key] / res[base]:>9.2f}x")
    if "redis_get" in res:
        ratio = res["redis_get"] / res["skv_get"]
        pratio = res["redis_put"] / res["skv_put"]
        res["redis_over_skv_get"] = ratio
        res["redis_over_skv_put"] = pratio
        verdict = "met" if ratio >= TARGET else "MISSED"
        lines.append(f"  Python skv GET is {ratio:.1f}x faster than Python Redis GET "
                     f"(PUT {pratio:.1f}x): target >= {TARGET:.0f}x {verdict}")
    else:
        lines.append("  Python Redis not measured: no ratio")
    print("\n".join(lines))
    print("SKVB:py:" + json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
