# SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT
"""Build skv._skv, the C extension over libskvdev.

Where libskvdev comes from (environment variable SKV_LIBSKVDEV):
  bundled  (default in a checkout) compile ../../libskvdev/*.c into the
           extension, so `pip install ./bindings/python` needs nothing
           installed but libnl-genl-3-dev
  system   link the installed libskvdev.so.1 (pkg-config libskvdev), as the
           python3-skv Debian package does
  DIR      link libskvdev.so in DIR, with the headers of this checkout
"""
import os
import shlex
import subprocess

from setuptools import Extension, setup

here = os.path.dirname(os.path.abspath(__file__))
top = os.path.normpath(os.path.join(here, "..", ".."))
libsrc = os.path.join(here, "libskvdev")
mode = os.environ.get("SKV_LIBSKVDEV") or (
    "bundled" if os.path.isfile(os.path.join(libsrc, "skvdev.h")) else "system")


def pkgconfig(*args):
    try:
        out = subprocess.run(["pkg-config", *args], check=True,
                             capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return shlex.split(out)


def flags(tokens):
    inc = [t[2:] for t in tokens if t.startswith("-I")]
    libs = [t[2:] for t in tokens if t.startswith("-l")]
    dirs = [t[2:] for t in tokens if t.startswith("-L")]
    return inc, libs, dirs


# include/skvdev -> ../../../uapi/linux: <skvdev/skv.h>, as installed
sources = ["src/_skv.c"]
include_dirs, libraries, library_dirs = [], [], []
if mode == "bundled":
    # through the symlink libskvdev -> ../../libskvdev: setuptools wants
    # relative source paths, and one with "../" would put the objects
    # outside build_temp
    sources += [os.path.join("libskvdev", f) for f in
                ("device.c", "entry.c", "batch.c", "scan.c", "events.c",
                 "map.c")]
    include_dirs += [libsrc, "include", os.path.join(top, "uapi")]
    nl = pkgconfig("--cflags", "--libs", "libnl-genl-3.0") or \
        ["-I/usr/include/libnl3", "-lnl-genl-3", "-lnl-3"]
    i, l, d = flags(nl)
    include_dirs += i
    libraries += l
    library_dirs += d
elif mode == "system":
    pc = pkgconfig("--cflags", "--libs", "libskvdev")
    if pc is None:
        raise SystemExit("setup.py: pkg-config libskvdev failed: install "
                         "libskvdev-dev, or build from a checkout")
    include_dirs, libraries, library_dirs = flags(pc)
else:
    include_dirs += [libsrc, "include", os.path.join(top, "uapi")]
    nl = pkgconfig("--cflags", "libnl-genl-3.0") or ["-I/usr/include/libnl3"]
    include_dirs += flags(nl)[0]
    libraries += ["skvdev"]
    library_dirs += [mode]

ext = Extension(
    "skv._skv",
    sources=sources,
    include_dirs=include_dirs,
    libraries=libraries,
    library_dirs=library_dirs,
    define_macros=[("_GNU_SOURCE", None)],
    # only PyInit__skv is exported; a bundled libskvdev stays private
    extra_compile_args=["-fvisibility=hidden", "-Wall", "-Wextra",
                        "-Wno-unused-parameter",
                        "-Wno-missing-field-initializers"],
)

setup(ext_modules=[ext])
