#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests of the skv Python binding, run in the test VM as root with skv.ko
loaded (selftests/python.sh). KTAP out, one test point per function below,
and kselftest's "# Totals:" line for run_tests.sh. Usage: test_skv.py
[NAME...] runs only the tests whose names contain one of NAME."""
import ast
import asyncio
import errno
import gc
import math
import os
import pydoc
import selectors
import sys
import threading
import time
import traceback

import skv

ALICE = 1000
PREFIX = "pyt_"
TESTS = []
created = set()


def test(fn):
    TESTS.append(fn)
    return fn


class Skip(Exception):
    pass


def check(cond, msg="check failed"):
    if not cond:
        raise AssertionError(msg)


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}" if what else f"{a!r} != {b!r}")


def raises(exc, fn, *args, errno_=None, **kwargs):
    """fn(*args, **kwargs) must raise exc (with .errno errno_ if given)."""
    try:
        fn(*args, **kwargs)
    except exc as e:
        if errno_ is not None:
            got = getattr(e, "errno", None)
            check(got == errno_, f"{type(e).__name__}: errno {got} != "
                  f"{errno_} ({errno.errorcode.get(errno_)})")
        return e
    except Exception as e:
        raise AssertionError(f"expected {exc.__name__}, got "
                             f"{type(e).__name__}: {e}") from e
    raise AssertionError(f"expected {exc.__name__}, nothing raised by "
                         f"{getattr(fn, '__name__', fn)}{args}")


def fresh(suffix, **attrs):
    """A new, empty table of this test (deleted first if a run left it)."""
    name = PREFIX + suffix
    try:
        skv.delete_table(name)
    except FileNotFoundError:
        pass
    created.add(name)
    return skv.open(name, create=True, exclusive=True, **attrs)


def as_user(uid, fn):
    """Run fn() in a child as uid (and gid uid); return its exit code: 0 if
    fn returned, 1 and its traceback if it raised."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            fn()
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def in_child(fn):
    """Run fn() in a forked child (same user); return its exit code."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            fn()
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


# Opening -------------------------------------------------------------------

@test
def open_create_and_reopen():
    t = fresh("open", max_entries=100, ttl=60, policy="lru", mode=0o640)
    check(t.created, "created is False for a new table")
    eq(t.name, PREFIX + "open")
    check(isinstance(t, skv.Table), "open() returns a Table")
    t2 = skv.open(PREFIX + "open")
    check(not t2.created, "reopen says created")
    t["k"] = "v"
    eq(t2["k"], b"v", "second handle sees the first's write")
    i = t2.info()
    eq((i.name, i.max_entries, i.ttl, i.policy, i.mode, i.uid, i.readonly),
       (PREFIX + "open", 100, 60.0, "lru", 0o640, 0, False))
    t3 = skv.open(PREFIX + "open", create=True)
    check(not t3.created, "create=True on an existing table creates")
    for x in (t, t2, t3):
        x.close()


@test
def open_errors():
    fresh("openerr").close()
    e = raises(FileExistsError, skv.open, PREFIX + "openerr", create=True,
               exclusive=True, errno_=errno.EEXIST)
    check(isinstance(e, OSError))
    raises(FileNotFoundError, skv.open, PREFIX + "absent", errno_=errno.ENOENT)
    raises(FileNotFoundError, skv.delete_table, PREFIX + "absent",
           errno_=errno.ENOENT)
    # the kernel's check of the characters
    raises(ValueError, skv.open, "bad name!", create=True, errno_=errno.EINVAL)
    raises(ValueError, skv.open, PREFIX + "x", create=True,
           max_entries=2**31 + 1, errno_=errno.EINVAL)
    raises(ValueError, skv.open, PREFIX + "openerr", max_entries=5)
    raises(ValueError, skv.open, PREFIX + "openerr", exclusive=True)


@test
def readonly_table():
    t = fresh("ro")
    t["k"] = "v"
    r = skv.open(PREFIX + "ro", readonly=True)
    check(r.readonly and r.info().readonly, "readonly flag")
    eq(r["k"], b"v")
    for fn, args in ((r.put, ("k", "w")), (r.delete, ("k",)),
                     (r.incr, ("n",)), (r.getdel, ("k",)), (r.flush, ())):
        raises(PermissionError, fn, *args, errno_=errno.EBADF)
    e = raises(PermissionError, r.__setitem__, "k", "w", errno_=errno.EBADF)
    check(PREFIX + "ro" not in str(e) or True)
    eq(t["k"], b"v", "value unchanged by refused writes")


@test
def close_and_context_manager():
    with fresh("close") as t:
        t["a"] = "1"
        fd = t.fileno()
        check(fd >= 0)
    check(t.closed, "with block did not close")
    raises(ValueError, t.get, "a")
    raises(ValueError, t.__getitem__, "a")
    raises(ValueError, t.fileno)
    raises(ValueError, len, t)
    raises(ValueError, t.scan)
    raises(ValueError, t.batch)
    t.close()  # twice is fine
    check("closed" in repr(t), repr(t))


@test
def tables_and_delete_table():
    t = fresh("list")
    check(PREFIX + "list" in skv.tables(), "tables() misses a table")
    skv.delete_table(PREFIX + "list")
    check(PREFIX + "list" not in skv.tables(), "deleted table still listed")
    t["still"] = "works"  # open fds outlive the name
    eq(t["still"], b"works")
    raises(FileNotFoundError, skv.open, PREFIX + "list")


# The mapping ---------------------------------------------------------------

@test
def mapping_protocol():
    t = fresh("map")
    t["a"] = "1"
    t[b"b"] = b"2"
    t[bytearray(b"c")] = memoryview(b"3")
    eq(t["a"], b"1")
    eq(t[b"c"], b"3")
    check("a" in t and b"b" in t and "zz" not in t, "in")
    eq(len(t), 3)
    eq(sorted(t), [b"a", b"b", b"c"])
    eq(sorted(t.keys()), [b"a", b"b", b"c"])
    eq(sorted(t.values()), [b"1", b"2", b"3"])
    eq(dict(t.items()), {b"a": b"1", b"b": b"2", b"c": b"3"})
    del t["b"]
    check("b" not in t)
    e = raises(KeyError, t.__getitem__, "b", errno_=errno.ENOENT)
    eq(e.args[0], "b", "KeyError carries the key")
    raises(KeyError, t.__delitem__, "b", errno_=errno.ENOENT)
    t.update({"x": "9"}, y="8")
    eq((t["x"], t["y"]), (b"9", b"8"))
    eq(t.pop("x"), b"9")
    eq(t.pop("x", None), None)
    raises(KeyError, t.pop, "x")
    eq(t.setdefault("s", b"first"), b"first")
    eq(t.setdefault("s", b"second"), b"first")
    check(t == t and t != skv.open(PREFIX + "map"), "tables compare by identity")
    t.clear()
    eq(len(t), 0)
    eq(list(t), [])


@test
def str_keys_and_values_are_utf8():
    t = fresh("utf8")
    t["clé"] = "välue ☃"
    eq(t["clé".encode()], "välue ☃".encode())
    check("clé" in t)
    raises(UnicodeEncodeError, t.__setitem__, "\udcff", "x")


@test
def get_default_and_meta():
    t = fresh("get")
    eq(t.get("nope"), None)
    eq(t.get("nope", b"d"), b"d")
    eq(t.get("nope", meta=True), None)
    v1 = t.put("k", "v", flags=0xdeadbeef)
    e = t.get("k", meta=True)
    check(isinstance(e, skv.Entry) and isinstance(e, tuple))
    value, version, ttl, flags = e
    eq((value, version, ttl, flags), (b"v", v1, None, 0xdeadbeef))
    t.put("t", "v", ttl=30)
    ttl = t.get("t", meta=True).ttl
    check(isinstance(ttl, float) and 25 < ttl <= 30, f"ttl {ttl}")


@test
def large_values():
    t = fresh("large", max_value_len=4 << 20)
    for n in (0, 1, 4095, 4096, 4097, 100000, 3 << 20):
        v = bytes(range(256)) * (n // 256) + b"x" * (n % 256)
        t.put("k", v)
        eq(len(t["k"]), n, "length")
        check(t["k"] == v, f"value of {n} bytes differs")
        eq(t.get("k", meta=True).value, v)
    eq(t.getdel("k"), v)
    check("k" not in t)


# Ops -------------------------------------------------------------------------

@test
def put_versions_and_flags():
    t = fresh("put")
    v1 = t.put("k", "1")
    v2 = t.put("k", "2")
    v3 = t.put("other", "x")
    check(0 < v1 < v2 < v3, f"versions {v1} {v2} {v3}")
    e = raises(FileExistsError, t.put, "k", "3", nx=True, errno_=errno.EEXIST)
    check(isinstance(e, OSError))
    eq(t["k"], b"2", "failed NX changed the value")
    check(t.put("new", "n", nx=True) > v3)
    raises(KeyError, t.put, "absent", "x", xx=True, errno_=errno.ENOENT)
    check("absent" not in t, "failed XX created the key")
    check(t.put("k", "xx", xx=True) > v3)
    raises(ValueError, t.put, "k", "v", nx=True, xx=True)
    raises(ValueError, t.put, "k", "v", nx=True, cas=1)


@test
def compare_and_swap():
    t = fresh("cas")
    v = t.put("k", "1")
    v2 = t.put("k", "2", cas=v)
    check(v2 > v)
    e = raises(skv.StaleError, t.put, "k", "3", cas=v, errno_=errno.ESTALE)
    check(isinstance(e, skv.Error) and isinstance(e, OSError))
    eq(t["k"], b"2", "failed CAS changed the value")
    raises(KeyError, t.put, "absent", "x", cas=v, errno_=errno.ENOENT)
    raises(skv.StaleError, t.delete, "k", cas=v, errno_=errno.ESTALE)
    eq(t.delete("k", cas=v2), v2)
    check("k" not in t)


@test
def ttl_expiry():
    t = fresh("ttl")
    t.put("short", "x", ttl=0.3)
    t.put("long", "x", ttl=60)
    t.put("tiny", "x", ttl=0.0001)  # rounds up to 1 ms
    check("long" in t)
    time.sleep(1.0)
    check("short" not in t, "entry outlived its TTL")
    check("tiny" not in t, "1 ms entry outlived its TTL")
    eq(t.get("short"), None)
    check("long" in t)
    d = fresh("ttldef", ttl=0.3)
    d["k"] = "x"
    check(0 < d.get("k", meta=True).ttl <= 0.3, "default TTL not applied")
    time.sleep(1.0)
    check("k" not in d, "default TTL not applied")


@test
def incr():
    t = fresh("incr")
    eq(t.incr("n"), 1)
    eq(t.incr("n", 10), 11)
    eq(t.incr("n", delta=-20), -9)
    eq(t["n"], b"-9")
    t["s"] = "not a number"
    raises(ValueError, t.incr, "s", errno_=errno.EDOM)
    t["big"] = str(2**63 - 1)
    raises(OverflowError, t.incr, "big", errno_=errno.EOVERFLOW)
    eq(t["big"], str(2**63 - 1).encode(), "failed INCR changed the value")
    raises(OverflowError, t.incr, "n", 2**63)


@test
def getdel():
    t = fresh("getdel")
    v = t.put("k", "v", flags=5)
    e = t.getdel("k", meta=True)
    eq((e.value, e.version, e.flags), (b"v", v, 5))
    check("k" not in t)
    raises(KeyError, t.getdel, "k", errno_=errno.ENOENT)
    eq(t.getdel("k", b"default"), b"default")


@test
def delete():
    t = fresh("delete")
    v = t.put("k", "v")
    eq(t.delete("k"), v)
    raises(KeyError, t.delete, "k", errno_=errno.ENOENT)


@test
def flush_stats_info():
    t = fresh("stats", max_entries=50, max_key_len=32, max_value_len=1000)
    for i in range(10):
        t[f"k{i}"] = "v"
    t.get("k1")
    t.get("absent")
    s = t.stats()
    check(isinstance(s, skv.Stats))
    eq(s.entries, 10)
    eq(s.bytes, 10 * 3, "bytes")
    check(s.hits >= 1 and s.misses >= 1 and s.writes >= 10, str(s))
    eq(t.flush(), 10)
    eq(t.stats().entries, 0)
    i = t.info()
    eq((i.max_entries, i.max_key_len, i.max_value_len, i.policy),
       (50, 32, 1000, "none"))


@test
def set_attributes():
    t = fresh("set")
    t.set(ttl=5)
    eq(t.info().ttl, 5.0)
    t["k"] = "v"
    check(0 < t.get("k", meta=True).ttl <= 5)
    t.set(ttl=None)
    eq(t.info().ttl, None)
    t.set(policy="lru", mode=0o644)
    eq((t.info().policy, t.info().mode), ("lru", 0o644))
    t.set(gid=2000)
    eq(t.info().gid, 2000)
    raises(TypeError, t.set)
    raises(ValueError, t.set, policy="fifo")
    raises(ValueError, t.set, mode=0o1000)


@test
def scan():
    t = fresh("scan")
    want = {}
    for i in range(300):
        k = (b"user:" if i % 3 else b"item:") + str(i).encode()
        want[k] = b"v" * (i % 50)
        t[k] = want[k]
    eq(set(t.scan()), set(want))
    eq(set(t.scan(prefix="user:")), {k for k in want if k.startswith(b"user:")})
    eq(dict(t.scan(prefix=b"item:", values=True)),
       {k: v for k, v in want.items() if k.startswith(b"item:")})
    eq(set(t.scan(count=1)), set(want))
    eq(list(t.scan(prefix="nothing")), [])
    it = iter(t)
    check(next(it) in want)
    # an iterator keeps working while the table changes under it
    t["late"] = "x"
    rest = set(it)
    check(len(rest) >= len(want) - 1)


@test
def batch():
    t = fresh("batch")
    t["a"] = "1"
    v = t.put("c", "x")
    big = b"B" * 10000
    t["big"] = big
    with t.batch() as b:
        eq(b.put("p", "1"), 0)
        b.get("a")
        b.get("absent")
        b.incr("n", 5)
        b.delete("absent")
        b.put("c", "y", cas=v + 1000)
        b.getdel("a")
        b.get("big")
        b.put("q", "2", nx=True, ttl=10, flags=3)
        eq(len(b), 9)
    r = b.results
    eq(len(r), 9)
    check(isinstance(r[0], int) and r[0] > 0, f"put result {r[0]!r}")
    eq(r[1:4], [b"1", None, 5])
    check(isinstance(r[4], KeyError) and r[4].errno == errno.ENOENT, repr(r[4]))
    check(isinstance(r[5], skv.StaleError) and r[5].errno == errno.ESTALE, repr(r[5]))
    eq(r[6], b"1")
    check(r[7] == big, "a GET longer than the batch buffer")
    check("a" not in t, "batch getdel")
    eq(t.get("q", meta=True).flags, 3)
    eq(len(b), 0, "submit empties the batch")
    # an exception in the block drops the ops
    try:
        with t.batch() as b2:
            b2.put("never", "x")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    check("never" not in t, "a batch whose block raised was submitted")
    # more ops than one BATCH ioctl takes
    b3 = t.batch()
    for i in range(skv.BATCH_MAX + 300):
        b3.incr("count")
    res = b3.submit()
    eq(res[-1], skv.BATCH_MAX + 300)
    eq(t["count"], str(skv.BATCH_MAX + 300).encode())
    eq(t.batch().submit(), [])
    raises(TypeError, b3.put, "k", 5)
    raises(ValueError, b3.get, "")


@test
def full_and_too_big():
    t = fresh("full", max_entries=2, max_key_len=8, max_value_len=100)
    t["a"] = "1"
    t["b"] = "2"
    e = raises(skv.FullError, t.__setitem__, "c", "3", errno_=errno.ENOSPC)
    check(isinstance(e, OSError))
    t["a"] = "replaced"  # a full table still takes updates
    raises(ValueError, t.put, "a", b"x" * 101, errno_=errno.E2BIG)
    raises(ValueError, t.put, "123456789", "x", errno_=errno.EINVAL)
    raises(ValueError, t.get, "123456789", errno_=errno.EINVAL)
    f = fresh("fbig", max_bytes=64)
    raises(skv.FullError, f.put, "k", b"x" * 100, errno_=errno.EFBIG)
    lru = fresh("lru", max_entries=2, policy="lru")
    for k in "abc":
        lru[k] = "v"
    eq(len(lru), 2)
    check(lru.stats().evictions >= 1)


# Other users ----------------------------------------------------------------

@test
def permission_errors():
    t = fresh("perm", mode=0o600)
    t["k"] = "v"
    shared = fresh("perm_shared", mode=0o666)

    def alice():
        raises(PermissionError, skv.open, PREFIX + "perm", errno_=errno.EACCES)
        raises(PermissionError, skv.open, PREFIX + "perm", readonly=True,
               errno_=errno.EACCES)
        s = skv.open(PREFIX + "perm_shared")
        s["from"] = "alice"
        raises(PermissionError, s.set, mode=0o600, errno_=errno.EPERM)
        raises(PermissionError, skv.delete_table, PREFIX + "perm_shared",
               errno_=errno.EPERM)
        raises(PermissionError, skv.Watch, PREFIX + "perm")
    eq(as_user(ALICE, alice), 0, "alice's checks")
    eq(shared["from"], b"alice")


@test
def table_quota():
    param = "/sys/module/skv/parameters/max_tables_per_user"
    if not os.access(param, os.W_OK):
        raise Skip("no writable " + param)
    with open(param) as f:
        old = f.read().strip()
    names = [PREFIX + f"quota{i}" for i in range(3)]
    for n in names:
        created.add(n)

    def alice():
        skv.open(names[0], create=True).close()
        skv.open(names[1], create=True).close()
        e = raises(skv.QuotaError, skv.open, names[2], create=True,
                   errno_=errno.EDQUOT)
        check(isinstance(e, skv.Error) and isinstance(e, OSError))
    try:
        with open(param, "w") as f:
            f.write("2")
        eq(as_user(ALICE, alice), 0, "alice's checks")
    finally:
        with open(param, "w") as f:
            f.write(old)
        for n in names:
            try:
                skv.delete_table(n)
            except FileNotFoundError:
                pass


# Bad arguments: the exception a Python user expects, never a crash ----------

@test
def bad_arguments():
    t = fresh("badargs", max_value_len=16)
    cases = [
        (TypeError, t.get, (1,), {}),
        (TypeError, t.get, (None,), {}),
        (TypeError, t.__getitem__, ([b"k"],), {}),
        (TypeError, t.__setitem__, ("k", 5), {}),
        (TypeError, t.__setitem__, ("k", None), {}),
        (TypeError, t.__contains__, (3.5,), {}),
        (TypeError, t.put, ("k",), {}),
        (TypeError, t.put, ("k", "v", 5), {}),
        (TypeError, t.put, ("k", "v"), {"bogus": 1}),
        (TypeError, t.put, ("k", "v"), {"ttl": "1"}),
        (TypeError, t.put, ("k", "v"), {"ttl": True}),
        (TypeError, t.put, ("k", "v"), {"cas": 1.5}),
        (TypeError, t.put, ("k", "v"), {"flags": "1"}),
        (TypeError, t.get, (), {"key": "k", "key2": 1}),
        (TypeError, t.get, ("k",), {"key": "k"}),
        (TypeError, t.incr, ("k", 1.0), {}),
        (TypeError, t.incr, (), {}),
        (TypeError, t.scan, (1,), {}),
        (TypeError, t.delete, ("k",), {"cas": "1"}),
        (TypeError, skv.open, (5,), {}),
        (TypeError, skv.open, (PREFIX + "x",), {"create": True, "policy": 1}),
        (ValueError, t.get, ("",), {}),
        (ValueError, t.__setitem__, (b"", "v"), {}),
        (ValueError, t.get, ("k" * (skv.KEY_LEN_CAP + 1),), {}),
        (ValueError, t.put, ("k", b"x" * (skv.VALUE_LEN_CAP + 1)), {}),
        (ValueError, t.put, ("k", b"x" * 17), {}),
        (ValueError, t.put, ("k", "v"), {"ttl": -1}),
        (ValueError, t.put, ("k", "v"), {"ttl": 0}),
        (ValueError, t.put, ("k", "v"), {"ttl": math.nan}),
        (ValueError, t.scan, (), {"prefix": b"p" * (skv.KEY_LEN_CAP + 1)}),
        (ValueError, skv.open, ("",), {}),
        (ValueError, skv.open, ("n" * 64,), {}),
        (ValueError, skv.open, ("a\0b",), {}),
        (ValueError, skv.open, (PREFIX + "x",), {"create": True, "policy": "fifo"}),
        (ValueError, skv.open, (PREFIX + "x",), {"create": True, "mode": 0o1000}),
        (ValueError, skv.open, (PREFIX + "x",), {"create": True, "ttl": -5}),
        (OverflowError, t.put, ("k", "v"), {"ttl": math.inf}),
        (OverflowError, t.put, ("k", "v"), {"ttl": 1e300}),
        (OverflowError, t.put, ("k", "v"), {"ttl": 10**400}),
        (OverflowError, t.put, ("k", "v"), {"flags": -1}),
        (OverflowError, t.put, ("k", "v"), {"flags": 2**32}),
        (OverflowError, t.put, ("k", "v"), {"cas": -1}),
        (OverflowError, t.put, ("k", "v"), {"cas": 2**64}),
        (OverflowError, t.incr, ("k", 2**63), {}),
        (OverflowError, t.incr, ("k", -2**63 - 1), {}),
        (OverflowError, t.scan, (), {"count": 2**32}),
        (OverflowError, skv.open, (PREFIX + "x",), {"create": True, "max_entries": -1}),
        (OverflowError, skv.open, (PREFIX + "x",), {"create": True, "max_key_len": 2**40}),
    ]
    for exc, fn, args, kwargs in cases:
        try:
            raises(exc, fn, *args, **kwargs)
        except AssertionError as e:
            raise AssertionError(f"{fn.__name__}(*{args!r:.60}, **{kwargs!r:.60}): {e}")
    eq(len(t), 0, "a refused call stored something")
    check(PREFIX + "x" not in skv.tables(), "a refused open created a table")
    # a bytearray being written cannot be resized under the call
    buf = bytearray(b"value")
    t["k"] = buf
    eq(t["k"], b"value")


# Threads and processes -------------------------------------------------------

@test
def threads_share_a_table():
    t = fresh("threads")
    n_threads, n = 8, 300
    errors = []

    def worker(i):
        try:
            for j in range(n):
                t.incr("count")
                t[f"t{i}"] = str(j)
                check(t[f"t{i}"] == str(j).encode())
        except BaseException as e:
            errors.append(e)
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    eq(errors, [])
    eq(t["count"], str(n_threads * n).encode(), "lost increments")


@test
def gil_is_released_while_waiting():
    t = fresh("gil")
    w = t.watch()
    got = []

    def waiter():
        got.append(w.next(timeout=20))
    th = threading.Thread(target=waiter)
    start = time.monotonic()
    th.start()
    time.sleep(0.3)
    t["k"] = "v"  # runs only if the waiting thread let go of the GIL
    th.join()
    elapsed = time.monotonic() - start
    check(got and got[0] is not None and got[0].key == b"k", f"got {got}")
    check(elapsed < 15, f"the writer waited {elapsed:.1f}s for the GIL")


@test
def close_while_other_threads_call():
    t = fresh("closerace")
    t["k"] = "v"
    stop = threading.Event()
    bad = []

    def reader():
        while not stop.is_set():
            try:
                if t.get("k") != b"v":
                    bad.append("wrong value")
            except ValueError:
                return  # closed: the expected end
            except BaseException as e:
                bad.append(e)
                return
    threads = [threading.Thread(target=reader) for _ in range(4)]
    for th in threads:
        th.start()
    time.sleep(0.3)
    t.close()
    stop.set()
    for th in threads:
        th.join()
    eq(bad, [])
    check(t.closed)
    raises(ValueError, t.get, "k")


@test
def scan_iterator_is_one_threads():
    # two threads pulling from one scan iterator: every key comes out once
    # at most per pull, and nothing crashes
    t = fresh("scanthreads")
    for i in range(500):
        t[str(i)] = "v"
    it = t.scan(count=4)
    seen = []
    errors = []

    def pull():
        while True:
            try:
                k = next(it)
            except StopIteration:
                return
            except RuntimeError:
                continue  # in use by the other thread: fine
            except BaseException as e:
                errors.append(e)
                return
            seen.append(k)
    threads = [threading.Thread(target=pull) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    eq(errors, [])
    eq(set(seen), {str(i).encode() for i in range(500)})


@test
def works_after_fork():
    t = fresh("fork")
    w = t.watch()
    t["before"] = "fork"
    w.next(timeout=5)

    def child():
        eq(t["before"], b"fork")
        for _ in range(100):
            t.incr("n")
        raises(RuntimeError, w.next, timeout=0)
        w2 = t.watch()
        me = f"child{os.getpid()}".encode()
        t[me] = "x"
        deadline = time.monotonic() + 10
        keys = []
        while me not in keys and time.monotonic() < deadline:
            e = w2.next(timeout=1)  # other children's events come too
            if e:
                keys.append(e.key)
        check(me in keys, f"child's own watch missed its event: {keys[-5:]}")
    pids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child()
            except BaseException:
                traceback.print_exc()
                code = 1
            os._exit(code)
        pids.append(pid)
    for pid in pids:
        _, st = os.waitpid(pid, 0)
        eq(os.waitstatus_to_exitcode(st), 0, "child failed")
    eq(t["n"], b"400", "increments of 4 children")
    # the parent's watch still works: drain what the children did, then
    # one more event
    while w.read():
        pass
    t["after"] = "fork"
    keys = set()
    deadline = time.monotonic() + 10
    while b"after" not in keys and time.monotonic() < deadline:
        e = w.next(timeout=1)
        if e:
            keys.add(e.key)
    check(b"after" in keys, "parent's watch lost its subscription")


# Watching ------------------------------------------------------------------

@test
def watch_events():
    t = fresh("watch")
    with t.watch() as w:
        v = t.put("a", "1")
        t.incr("n")
        t.delete("a")
        t.put("e", "x", ttl=0.2)
        t.flush()
        evs = [w.next(timeout=10) for _ in range(5)]
        check(None not in evs, f"missing events: {evs}")
        eq([e.type for e in evs], ["set", "set", "delete", "set", "flushed"])
        eq([e.key for e in evs], [b"a", b"n", b"a", b"e", None])
        eq(evs[0].version, v)
        eq([e.seq for e in evs], [1, 2, 3, 4, 5])
        check(all(e.missed == 0 and e.lost == 0 and e.table == t.name
                  for e in evs))
        eq(w.next(timeout=0), None)
        eq(w.read(), [])
        skv.delete_table(t.name)
        e = w.next(timeout=10)
        check(e is not None and e.type == "table_deleted", f"got {e}")
    raises(ValueError, w.next)
    raises(ValueError, w.fileno)


@test
def watch_values():
    t = fresh("watchval", max_value_len=100000)
    with t.watch(values=True) as w:
        t.put("a", "1")
        t.put("s", "v", ttl=30)
        t.put("big", b"z" * 70000)
        t.delete("a")
        evs = [w.next(timeout=10) for _ in range(4)]
        check(None not in evs, f"missing events: {evs}")
        eq([e.value for e in evs], [b"1", b"v", None, None])
        eq(evs[0].ttl, None)
        check(20 < evs[1].ttl <= 30, f"ttl {evs[1].ttl}")
        eq(len(evs[0]), 7)  # value and ttl are attributes, not items
    with t.watch() as w:
        t.put("a", "2")
        e = w.next(timeout=10)
        check(e is not None and e.value is None and e.ttl is None, f"got {e}")
    raises(TypeError, t.watch, True)
    raises(TypeError, t.watch, valuez=True)
    raises(TypeError, skv.Watch, t.name, other=1)
    with skv.Watch(t.name, values=True) as w:
        t.put("b", "3")
        eq(w.next(timeout=10).value, b"3")


@test
def watch_expired_event():
    t = fresh("watchexp")
    w = t.watch()
    t.put("e", "x", ttl=0.2)
    eq(w.next(timeout=10).type, "set")
    time.sleep(0.5)
    check("e" not in t)  # an access reclaims it, at the latest
    e = w.next(timeout=10)
    check(e is not None and (e.type, e.key) == ("expired", b"e"), f"got {e}")


@test
def watch_reports_gaps():
    t = fresh("gap")
    w = t.watch()
    n = 4000
    for start in range(0, n, 1000):
        with t.batch() as b:
            for i in range(start, start + 1000):
                b.put(f"k{i}", "v")
    evs = []
    while True:
        e = w.next(timeout=2)
        if e is None:
            break
        evs.append(e)
    t["last"] = "x"  # sent after the drain: shows the gap at the tail
    e = w.next(timeout=10)
    check(e is not None and e.key == b"last", f"got {e}")
    evs.append(e)
    check(evs, "no events at all")
    missed = sum(e.missed for e in evs)
    check(missed > 0, f"{len(evs)} of {n + 1} events arrived and no gap was reported")
    eq(len(evs) + missed, evs[-1].seq, "received + missed")
    check(evs[-1].lost > 0, "lost counter")
    seqs = [e.seq for e in evs]
    eq(seqs, sorted(seqs), "sequence numbers out of order")


@test
def watch_with_selectors():
    t = fresh("sel")
    w = skv.Watch()
    w.subscribe(t.name)
    sel = selectors.DefaultSelector()
    sel.register(w, selectors.EVENT_READ)
    eq(sel.select(timeout=0), [])
    t["k"] = "v"
    got = []
    deadline = time.monotonic() + 10
    while not got and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            check(key.fileobj is w)
            got += w.read()
    check(got and got[0].key == b"k", f"got {got}")
    w.unsubscribe(t.name)
    t["k2"] = "v"
    eq(w.next(timeout=0.5), None, "event after unsubscribe")
    sel.close()
    w.close()


@test
def watch_with_asyncio():
    t = fresh("aio")
    w = t.watch()

    async def main():
        loop = asyncio.get_running_loop()
        q = asyncio.Queue()
        loop.add_reader(w.fileno(), lambda: [q.put_nowait(e) for e in w.read()])
        try:
            await loop.run_in_executor(
                None, lambda: [t.put(f"k{i}", "v") for i in range(5)])
            return [await asyncio.wait_for(q.get(), 10) for _ in range(5)]
        finally:
            loop.remove_reader(w.fileno())
    evs = asyncio.run(main())
    eq([e.key for e in evs], [f"k{i}".encode() for i in range(5)])
    eq([e.seq for e in evs], [1, 2, 3, 4, 5])


# Documentation ---------------------------------------------------------------

@test
def mapped_table_reads_and_writes():
    t = fresh("map", mapped=True, max_entries=100, max_key_len=16,
              max_value_len=32)
    t[b"k"] = b"v1"
    eq(t[b"k"], b"v1", "read from the mapping")
    t.put("s", "str", ttl=60)
    eq(t.get("s"), b"str")
    raises(KeyError, lambda: t[b"absent"])
    raises(ValueError, lambda: t.put(b"k" * 17, b"x"))
    eq(t.incr("n", 5), 5)
    raises(ValueError, skv.open, PREFIX + "map_bad", mapped=True)
    raises(ValueError, fresh, "map_lru", mapped=True, policy="lru")
    for i in range(100 - 3):
        t[f"f{i}"] = b"x"
    raises(skv.FullError, t.__setitem__, b"over", b"x")


@test
def help_and_stubs():
    text = pydoc.render_doc(skv.Table, renderer=pydoc.plaintext)
    for s in ("put(key, value, *, ttl=None, nx=False, xx=False, cas=None, flags=0)",
              "get(key, default=None, *, meta=False)", "scan(prefix=b''",
              "MutableMapping", "KeyError"):
        check(s in text, f"help(skv.Table) lacks {s!r}")
    for name in dir(skv.Table):
        if not name.startswith("_"):
            doc = getattr(skv.Table, name).__doc__
            check(doc and len(doc) > 10, f"Table.{name} has no docstring")
    for cls in (skv.Batch, skv.Watch, skv.Entry, skv.Event, skv.StaleError):
        check(cls.__doc__, f"{cls.__name__} has no docstring")
    stub = os.path.join(os.path.dirname(skv.__file__), "__init__.pyi")
    tree = ast.parse(open(stub).read())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    for cname in ("Table", "Batch", "Watch"):
        stubbed = {f.name for f in classes[cname].body
                   if isinstance(f, ast.FunctionDef)}
        real = {m for m in vars(getattr(skv._skv, cname)) if not m.startswith("_")
                and callable(getattr(getattr(skv, cname), m))}
        check(real <= stubbed, f"{cname} methods missing from the stub: {real - stubbed}")
    top = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    check(set(skv.__all__) - {"KEY_LEN_CAP", "VALUE_LEN_CAP", "BATCH_MAX"} <= top,
          f"names missing from the stub: {set(skv.__all__) - top}")


def main(argv):
    selected = [fn for fn in TESTS
                if not argv[1:] or any(a in fn.__name__ for a in argv[1:])]
    print("TAP version 13")
    print(f"1..{len(selected)}")
    if not os.path.exists("/dev/skv"):
        for i, fn in enumerate(selected, 1):
            print(f"ok {i} {fn.__name__} # SKIP no /dev/skv")
        print(f"# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:{len(selected)} error:0")
        return 4
    passed = failed = skipped = 0
    for i, fn in enumerate(selected, 1):
        sys.stdout.flush()
        try:
            fn()
        except Skip as e:
            skipped += 1
            print(f"ok {i} {fn.__name__} # SKIP {e}")
        except BaseException:
            failed += 1
            for line in traceback.format_exc().splitlines():
                print("# " + line)
            print(f"not ok {i} {fn.__name__}")
        else:
            passed += 1
            print(f"ok {i} {fn.__name__}")
        gc.collect()
    for name in created:
        try:
            skv.delete_table(name)
        except FileNotFoundError:
            pass
    print(f"# Totals: pass:{passed} fail:{failed} xfail:0 xpass:0 "
          f"skip:{skipped} error:0")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
