#!/usr/bin/python3
"""validate_sbom.py FORMAT FILE... : check SBOM files against the official JSON schemas.

The same check as ../shared/tools/validate-sbom (same schemas, same validator class chosen by
the schema's $schema, same format checker, one report line per file, exit 0 when all are
valid, 1 otherwise, 2 on usage), made fast enough for SPDX 3.0.1.

Why: the SPDX 3.0.1 schema puts `unevaluatedProperties: false` on every class of an
`anyOf` of some 60 classes.  python3-jsonschema computes the evaluated properties by
validating each subschema again, recursively, so the subtrees of a document are validated
over and over: a 140 KB SPDX 3 document of examples/hello-make took 2-3.5 minutes (the
`element` lists of SpdxDocument and software_Sbom, one IRI per element, dominate).

What is changed: for SPDX 3 only, a subschema applied to an instance that it was already
found to accept is not applied again (`descend` remembers (subschema, instance) pairs that
gave no error, by object identity, keeping both alive).  Validation is a pure function of
(subschema, instance) here: the schema is one resource (no nested $id, no $dynamicRef, which
the memo checks before it is used), so every $ref resolves the same way wherever it is met.
Pairs that gave errors are never remembered: each failing check runs exactly as before, and
the set of errors reported for an invalid document is the same.  ASBUILT_VALIDATE_NO_MEMO=1
turns the memo off (the plain, slow run) to compare.
"""
import json
import os
import sys

from jsonschema import FormatChecker, RefResolver, validators

HERE = os.path.dirname(os.path.realpath(__file__))
SCHEMAS = os.environ.get("ASBUILT_SCHEMAS") or os.path.join(HERE, "..", "..", "..", "shared",
                                                            "schemas")
FILES = {"spdx2": "spdx-2.3-schema.json", "spdx2.3.1": "spdx-2.3.1-schema.json",
         "spdx3": "spdx-3.0.1-json-schema.json", "cyclonedx": "bom-1.6.schema.json"}


def load(name):
    with open(os.path.join(SCHEMAS, name)) as f:
        return json.load(f)


def single_resource(schema):
    """True when no subschema sets its own base ($id) or uses $dynamicRef/$recursiveRef."""
    todo = [schema]
    while todo:
        s = todo.pop()
        if isinstance(s, dict):
            if s is not schema and "$id" in s:
                return False
            if "$dynamicRef" in s or "$recursiveRef" in s:
                return False
            todo.extend(s.values())
        elif isinstance(s, list):
            todo.extend(s)
    return True


def memoize_valid_descends(cls):
    """Makes cls.descend skip (subschema, instance) pairs already accepted; returns a
    function that puts the plain descend back (this process validates nothing else)."""
    accepted = {}
    plain = cls.descend

    def descend(self, instance, schema, *args, **kwargs):
        key = (id(schema), id(instance))
        if key in accepted:
            return
        errors = list(plain(self, instance, schema, *args, **kwargs))
        if not errors:
            accepted[key] = (schema, instance)  # keeps both alive: ids stay unique
        yield from errors

    cls.descend = descend

    def restore():
        cls.descend = plain

    return restore


def main(argv):
    if len(argv) < 3 or argv[1] not in FILES:
        sys.stderr.write(__doc__)
        return 2
    schema = load(FILES[argv[1]])
    store = {}
    if argv[1] == "cyclonedx":
        store = {"http://cyclonedx.org/schema/spdx.schema.json": load("spdx.schema.json"),
                 "http://cyclonedx.org/schema/jsf-0.82.schema.json": load("jsf-0.82.schema.json")}
    cls = validators.validator_for(schema)
    bad = 0
    for path in argv[2:]:
        restore = lambda: None
        if (argv[1] == "spdx3" and not os.environ.get("ASBUILT_VALIDATE_NO_MEMO")
                and single_resource(schema)):
            restore = memoize_valid_descends(cls)  # a fresh memo per document
        v = cls(schema, resolver=RefResolver.from_schema(schema, store=store),
                format_checker=FormatChecker())
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read JSON: {e}")
            bad += 1
            continue
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        restore()
        if errs:
            bad += 1
            for e in errs[:5]:
                print(f"{path}: {'/'.join(map(str, e.path)) or '(root)'}: {e.message[:200]}")
        else:
            print(f"{path}: valid {argv[1]}")
    return 1 if bad else 0


if __name__ == "__main__":
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver, as validate-sbom uses it
    sys.exit(main(sys.argv))
