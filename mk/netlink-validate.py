#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate a genetlink YAML spec against the kernel's JSON schema.

Usage: netlink-validate.py SCHEMA-DIR SPEC
SCHEMA-DIR is Documentation/netlink of a kernel tree; the schema is the
one the spec's "protocol" names (genetlink by default).
"""
import os
import sys

import jsonschema
import yaml


def main():
    schema_dir, spec_path = sys.argv[1], sys.argv[2]
    with open(spec_path, encoding='utf-8') as f:
        spec = yaml.safe_load(f)
    proto = spec.get('protocol', 'genetlink')
    with open(os.path.join(schema_dir, proto + '.yaml'), encoding='utf-8') as f:
        schema = yaml.safe_load(f)
    try:
        jsonschema.validate(spec, schema)
    except jsonschema.ValidationError as e:
        print(f'{spec_path}: {e.message} at {list(e.absolute_path)}',
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
