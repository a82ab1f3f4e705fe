#!/usr/bin/python3
"""validate.py SCHEMA DOCUMENT - validate a JSON document against a JSON
Schema (draft 7) with python3-jsonschema; print each error and exit 1 when
there is one.

The NIST OSCAL schemas write their patterns in XML Schema's dialect
(\\p{L}, \\p{N}, ...), which Python's re module does not read; the pattern
keyword is checked here with the regex module (python3-regex), which does.
"""
import json
import sys

import jsonschema
import regex


def pattern(validator, patrn, instance, schema):
    if validator.is_type(instance, "string") and not regex.search(patrn, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        doc = json.load(f)
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": pattern})
    errors = list(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc))
    for e in errors:
        print("/".join(str(p) for p in e.absolute_path) + ": " + e.message[:400])
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
