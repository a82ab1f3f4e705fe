#!/usr/bin/env python3
"""Parse a Prometheus text exposition (format 0.0.4) with the reference
Python client's parser; print each family as "name type samples" and
fail on anything it cannot read or on a family without HELP."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    families = list(text_string_to_metric_families(text))
    if not families:
        sys.exit("no metric families")
    for fam in families:
        if not fam.documentation:
            sys.exit("%s has no HELP" % fam.name)
        if fam.type == "untyped":
            sys.exit("%s has no TYPE" % fam.name)
        print(fam.name, fam.type, len(fam.samples))
        for s in fam.samples:
            if s.value != s.value:
                sys.exit("%s is NaN" % s.name)


if __name__ == "__main__":
    main(sys.argv[1])
