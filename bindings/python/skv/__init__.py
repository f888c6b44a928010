# SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
"""skv: the in-kernel key-value store, from Python.

A table lives in the kernel (skv.ko) and is shared by every process of the
host (network namespace) that may open it: web workers, job runners,
sidecars. Every operation is one system call (a batch is one per 1024 ops),
made with the GIL released; there is no server to keep running.

    import skv
    t = skv.open("sessions", create=True, ttl=1800)
    t["user:42"] = "alice"               # str is stored as UTF-8
    t["user:42"]                         # b'alice'
    t.put("hits", "0", nx=True)          # FileExistsError if present
    t.incr("hits")                       # 1
    value, version, ttl, flags = t.get("user:42", meta=True)
    t.put("user:42", "bob", cas=version) # skv.StaleError if it changed
    for key in t.scan(prefix="user:"): ...
    with t.watch() as w:
        for event in w: ...              # skv.Event(type='set', key=...)

Errors are built-in exceptions where one fits, each with .errno: KeyError
(missing key), PermissionError (EACCES, EPERM, or a write on a read-only
table: EBADF), FileExistsError (nx), FileNotFoundError (no such table),
ValueError (bad argument, or a key or value the table does not take),
OverflowError; and skv.StaleError (ESTALE: compare-and-swap),
skv.QuotaError (EDQUOT) and skv.FullError (ENOSPC, EFBIG), which are
OSErrors too.
"""
from collections.abc import MutableMapping as _MutableMapping

from . import _skv
from ._skv import (BATCH_MAX, KEY_LEN_CAP, VALUE_LEN_CAP, Batch, Entry,
                   Error, Event, FullError, Info, QuotaError, Scan,
                   StaleError, Stats, Watch, delete_table, tables)

__all__ = ["open", "Table", "Batch", "Scan", "Watch", "Entry", "Event",
           "Info", "Stats", "Error", "StaleError", "QuotaError", "FullError",
           "delete_table", "tables", "KEY_LEN_CAP", "VALUE_LEN_CAP",
           "BATCH_MAX"]
__version__ = "0.1.0"


class Table(_skv.Table, _MutableMapping):
    __doc__ = _skv.Table.__doc__
    __slots__ = ()

    # The mixins of MutableMapping are not atomic; the kernel's ops are.
    def setdefault(self, key, default=b""):
        """Return t[key]; if absent, store default first (atomically, NX)."""
        try:
            self.put(key, default, nx=True)
            return default if isinstance(default, bytes) else self[key]
        except FileExistsError:
            return self.get(key, default)

    def __eq__(self, other):
        # identity, as for files: comparing two tables' contents would read
        # them both
        return self is other

    __hash__ = object.__hash__


def open(name, create=False, mode=0o600, max_entries=None, ttl=None,
         policy=None, readonly=False, **more):
    """Open table name and return a Table.

    create       create the table if it does not exist (with the attributes
                 below; without create they must not be given)
    mode         permission bits of a new table, as for files
    max_entries  entries allowed (default 1,048,576)
    ttl          default time to live of its entries, float seconds
    policy       'none' (a full table raises skv.FullError) or 'lru'
                 (it evicts about the least recently used entry)
    readonly     open for reading only: writes raise PermissionError
    Keyword-only as well: max_bytes, max_key_len, max_value_len,
    exclusive=True (with create: FileExistsError if it exists), and
    mapped=True (with create: a mapped table, whose reads t[k] and t.get()
    look the key up in shared memory without a system call; fixed memory,
    defaults 65,536 entries, 64-byte keys, 224-byte values, no 'lru').

    FileNotFoundError if the table does not exist (without create),
    PermissionError if its mode does not let the caller in, skv.QuotaError
    if the caller owns too many tables.
    """
    return Table(name, create, mode, max_entries, ttl, policy, readonly,
                 **more)
