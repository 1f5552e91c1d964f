"""Adds up lit's JSON results, JUnit XML (pytest, gtest) and the conformance summary
into one closing line `N passed, M failed, K skipped`."""
import argparse
import json
import sys
import xml.etree.ElementTree as ET

PASS = {"PASS", "XFAIL", "FLAKYPASS"}
SKIP = {"UNSUPPORTED", "SKIPPED", "EXCLUDED"}


def lit_counts(path):
    try:
        with open(path) as f:
            tests = json.load(f)["tests"]
    except (OSError, ValueError, KeyError):
        return 0, 1, 0, ["lit produced no results (crashed?)"]
    passed = failed = skipped = 0
    failures = []
    for t in tests:
        code = t["code"]
        if code in PASS:
            passed += 1
        elif code in SKIP:
            skipped += 1
        else:
            failed += 1
            failures.append(f"lit {code}: {t['name']}")
    return passed, failed, skipped, failures


def junit_counts(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return 0, 1, 0, [f"{path}: no results (crashed?)"]
    passed = failed = skipped = 0
    failures = []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failures.append(f"FAIL: {case.get('classname')}::{case.get('name')}")
        elif case.find("skipped") is not None or case.get("result") == "skipped":
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def conformance_counts(path):
    try:
        with open(path) as f:
            c = json.load(f)
    except (OSError, ValueError):
        return 0, 1, 0, ["conformance produced no results (crashed?)"]
    return c["passed"], c["failed"], c["skipped"], [f"{path}: FAIL {n}" for n in c["failures"]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lit")
    ap.add_argument("--junit", action="append", default=[], help="NAME=FILE.xml")
    ap.add_argument("--conformance", action="append", default=[], help="[NAME=]FILE.json")
    args = ap.parse_args()
    suites = []
    if args.lit:
        suites.append(("lit", lit_counts(args.lit)))
    for spec in args.junit:
        name, _, path = spec.partition("=")
        suites.append((name, junit_counts(path)))
    for spec in args.conformance:
        name, _, path = spec.rpartition("=")
        suites.append((name or "conformance", conformance_counts(path)))
    for name, c in suites:
        print(f"{name}: {c[0]} passed, {c[1]} failed, {c[2]} skipped")
    for _, c in suites:
        for line in c[3]:
            print("  " + line)
    passed, failed, skipped = (sum(c[i] for _, c in suites) for i in range(3))
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
