"""Adds up lit's JSON results and pytest's JUnit XML into one closing line."""
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


def pytest_counts(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return 0, 1, 0, ["pytest produced no results (crashed?)"]
    passed = failed = skipped = 0
    failures = []
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
            failures.append(f"pytest FAIL: {case.get('classname')}::{case.get('name')}")
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped, failures


def main():
    lit = lit_counts(sys.argv[1])
    py = pytest_counts(sys.argv[2])
    for name, c in (("lit", lit), ("pytest", py)):
        print(f"{name}: {c[0]} passed, {c[1]} failed, {c[2]} skipped")
    for line in lit[3] + py[3]:
        print("  " + line)
    passed, failed, skipped = (lit[i] + py[i] for i in range(3))
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
