#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the module's hand-written netlink policies against the spec.

Usage: netlink-policy-check.py GENERATED.c kmod/netlink.c

ynl-gen-c.py's kernel output uses struct genl_split_ops, which 6.1 lacks,
so kmod/netlink.c carries its policies by hand, in the same form. This
compares every policy entry "[ATTR] = POLICY," of every generated
skv_*_nl_policy array with the array of the same name in the module, and
the arrays' sizes. A dump and a do of one command share a policy in the
module (struct genl_ops has one): the generated dump policy must be a
subset of the module's do policy.
"""
import re
import sys

ARRAY = re.compile(
    r'nla_policy\s+(skv_\w+_nl_policy)\s*\[([^\]]+)\]\s*=\s*\{(.*?)\n\};',
    re.S)
ENTRY = re.compile(r'\[(\w+)\]\s*=\s*(.*?),\s*$', re.M)


def policies(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    res = {}
    for name, size, body in ARRAY.findall(text):
        entries = {a: re.sub(r'\s+', ' ', p) for a, p in ENTRY.findall(body)}
        res[name] = (size.strip(), entries)
    return res


def main():
    gen, mod = policies(sys.argv[1]), policies(sys.argv[2])
    bad = 0
    for name, (size, entries) in gen.items():
        target = name
        if name.endswith('_dump_nl_policy'):
            target = name.replace('_dump_nl_policy', '_do_nl_policy')
            if target not in mod:
                print(f'policy-check: {name}: no {target} in the module')
                bad += 1
                continue
            for attr, pol in entries.items():
                if mod[target][1].get(attr) != pol:
                    print(f'policy-check: {target}[{attr}]: {mod[target][1].get(attr)} '
                          f'!= spec {pol}')
                    bad += 1
            continue
        if target not in mod:
            print(f'policy-check: {name} is missing in the module')
            bad += 1
            continue
        msize, mentries = mod[target]
        if msize != size:
            print(f'policy-check: {name}: size {msize} != spec {size}')
            bad += 1
        if mentries != entries:
            for attr in sorted(set(entries) | set(mentries)):
                if entries.get(attr) != mentries.get(attr):
                    print(f'policy-check: {name}[{attr}]: module '
                          f'{mentries.get(attr)} != spec {entries.get(attr)}')
            bad += 1
    for name in mod:
        if name not in gen and name.replace('_do_', '_dump_') not in gen \
                and name not in {n.replace('_dump_', '_do_') for n in gen}:
            print(f'policy-check: {name} is not in the spec')
            bad += 1
    if bad:
        print(f'policy-check: {bad} difference(s) between {sys.argv[2]} '
              f'and the spec', file=sys.stderr)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
