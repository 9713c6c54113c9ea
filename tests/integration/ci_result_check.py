#!/usr/bin/env python3
"""Validate an `lkvm-gpu run --result` file against docs/result.schema.json.

    ci_result_check.py RESULT.json [--status N] [--reason R] [--screenshots N]
                       [--screens-matched N]

Implements the part of JSON Schema the schema uses (type, const, enum,
required, properties, additionalProperties (false or a schema), items, $ref,
minimum, maximum, maxItems, pattern) with the standard library only. Also checks what a schema
cannot say: expects are matched in order (non-decreasing times, matched ones
first), the status and reason agree, and listed screenshots exist and are
PNG files (and so are each expect_screen's frame and diff), screen
expectations matched in order. Prints one line and exits 1 on the first problem."""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.path.join(HERE, "..", "..", "docs", "result.schema.json")
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


class Invalid(Exception):
    pass


def is_type(v, t):
    if t == "integer":
        return isinstance(v, int) and not isinstance(v, bool)
    if t == "number":
        return isinstance(v, (int, float)) and not isinstance(v, bool)
    return isinstance(v, TYPES[t])


def validate(v, s, root, path):
    if "$ref" in s:
        parts = s_ref(s, path)
        s = root
        for part in parts:
            s = s[part]
    if "const" in s and v != s["const"]:
        raise Invalid(f"{path}: {v!r} is not {s['const']!r}")
    if "enum" in s and v not in s["enum"]:
        raise Invalid(f"{path}: {v!r} is not one of {s['enum']}")
    if "type" in s:
        types = s["type"] if isinstance(s["type"], list) else [s["type"]]
        if not any(is_type(v, t) for t in types):
            raise Invalid(f"{path}: {v!r} is not of type {s['type']}")
    if is_type(v, "number"):
        if "minimum" in s and v < s["minimum"]:
            raise Invalid(f"{path}: {v} < {s['minimum']}")
        if "maximum" in s and v > s["maximum"]:
            raise Invalid(f"{path}: {v} > {s['maximum']}")
    if isinstance(v, str) and "pattern" in s and not re.search(s["pattern"], v):
        raise Invalid(f"{path}: {v!r} does not match {s['pattern']}")
    if isinstance(v, dict):
        for k in s.get("required", []):
            if k not in v:
                raise Invalid(f"{path}: missing {k}")
        props = s.get("properties", {})
        for k, item in v.items():
            if k in props:
                validate(item, props[k], root, f"{path}.{k}")
            elif s.get("additionalProperties", True) is False:
                raise Invalid(f"{path}: unexpected member {k}")
            elif isinstance(s.get("additionalProperties"), dict):
                validate(item, s["additionalProperties"], root, f"{path}.{k}")
    if isinstance(v, list):
        if "maxItems" in s and len(v) > s["maxItems"]:
            raise Invalid(f"{path}: {len(v)} items, at most {s['maxItems']}")
        for i, item in enumerate(v):
            validate(item, s.get("items", {}), root, f"{path}[{i}]")


def s_ref(s, path):
    ref = s["$ref"]
    if not ref.startswith("#/"):
        raise Invalid(f"{path}: unsupported $ref {ref}")
    return ref[2:].split("/")


def semantic_checks(r):
    times = [e["time_s"] for e in r["expect"] if e["matched"]]
    if times != sorted(times):
        raise Invalid(f"expect: times not in order: {times}")
    matched = [e["matched"] for e in r["expect"]]
    if matched != sorted(matched, reverse=True):
        raise Invalid(f"expect: matched out of order: {matched}")
    for e in r["expect"] + r["fail_on"]:
        if e["matched"] != (e["time_s"] is not None) or e["matched"] != (e["line"] is not None):
            raise Invalid(f"pattern {e['pattern']!r}: matched, time_s and line disagree")
    want = {"expect": 0, "fail-on": 3, "timeout": 4}.get(r["reason"])
    if want is not None and r["status"] != want:
        raise Invalid(f"reason {r['reason']} with status {r['status']}, want {want}")
    if r["reason"] == "expect" and not all(matched):
        raise Invalid("reason expect, but not every expect matched")
    screens = r["expect_screen"]
    smatched = [e["matched"] for e in screens]
    if smatched != sorted(smatched, reverse=True):
        raise Invalid(f"expect_screen: matched out of order: {smatched}")
    stimes = [e["time_s"] for e in screens if e["matched"]]
    if stimes != sorted(stimes):
        raise Invalid(f"expect_screen: times not in order: {stimes}")
    for e in screens:
        if e["matched"] != (e["time_s"] is not None):
            raise Invalid(f"expect_screen {e['reference']!r}: matched and time_s disagree")
        if e["matched"] and (e["mismatched_pixels"] != 0 or e["frame"] or e["diff"]):
            raise Invalid(f"expect_screen {e['reference']!r}: matched, yet a mismatch is reported")
        if (e["mismatched_pixels"] is None) != (e["max_delta"] is None):
            raise Invalid(f"expect_screen {e['reference']!r}: mismatched_pixels and max_delta disagree")
        for key in ("frame", "diff"):
            if e[key] is not None:
                png_file(e[key], f"expect_screen {key}")
    if r["reason"] == "expect" and not all(smatched):
        raise Invalid("reason expect, but not every expect_screen matched")
    if r["reason"] == "fail-on" and not any(f["matched"] for f in r["fail_on"]):
        raise Invalid("reason fail-on, but no fail_on matched")
    if (r["reason"] == "signal") != (r["signal"] is not None):
        raise Invalid(f"reason {r['reason']} with signal {r['signal']}")
    if (r["reason"] == "timeout") != bool(r["registers"]):
        raise Invalid(f"reason {r['reason']} with {len(r['registers'])} vCPUs' registers")
    for p in r["screenshots"]:
        png_file(p, "screenshot")


def png_file(p, what):
    with open(p, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            raise Invalid(f"{what} {p} is not a PNG")


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__.strip().splitlines()[2].strip())
        return 2
    path, want = args[0], dict(zip(args[1::2], args[2::2]))
    try:
        with open(SCHEMA) as f:
            schema = json.load(f)
        with open(path, "rb") as f:
            raw = f.read()
        raw.decode("utf-8")  # strict: the writer must emit valid UTF-8
        r = json.loads(raw)
        validate(r, schema, schema, "$")
        semantic_checks(r)
        if "--status" in want and r["status"] != int(want["--status"]):
            raise Invalid(f"status {r['status']}, want {want['--status']}")
        if "--reason" in want and r["reason"] != want["--reason"]:
            raise Invalid(f"reason {r['reason']}, want {want['--reason']}")
        if "--screens-matched" in want:
            got = sum(e["matched"] for e in r["expect_screen"])
            if got != int(want["--screens-matched"]):
                raise Invalid(f"{got} expect_screen matched, want {want['--screens-matched']}")
        if "--screenshots" in want and len(r["screenshots"]) < int(want["--screenshots"]):
            raise Invalid(f"{len(r['screenshots'])} screenshots, want {want['--screenshots']}")
    except (OSError, ValueError, Invalid) as e:
        print(f"{path}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
