# Every verifier and importer error message has a test: the first literal fragment of
# each message in the sources must appear in some lit test under test/.
#
#   python error-messages-covered.py [-v]      (lists the uncovered messages)
#
# RUN: %python %s
import glob
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCES = glob.glob(os.path.join(ROOT, "lib", "**", "*.cpp"), recursive=True)
TESTS = [p for p in glob.glob(os.path.join(ROOT, "test", "**", "*"), recursive=True)
         if p.endswith((".mlir", ".py")) and "Docs" not in p]

# Calls whose first string literal starts an error message.
CALL = re.compile(r'(?:emitOpError|emitError|emitOptionalError|\bfail|\berror)\s*\(\s*'
                  r'(?:[a-zA-Z_]+\s*,\s*)?((?:"(?:[^"\\]|\\.)*"\s*)+)'
                  # and the streamed form: emitOpError() << "..."
                  r'|(?:emitOpError|emitError)\(\)\s*<<\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
# Messages that no IR or ONNX file can produce, each with the reason.
UNREACHABLE = {
    "cannot serialize the module": "writing bytecode to a string stream does not fail",
    "could not be imported": "fallback for a handler that fails without a message; "
                             "every handler failure path reports one",
    "is used but this import does not produce it": "defensive: every handler binds "
                             "each output it is asked for or fails with its own message",
}
MIN_FRAGMENT = 10


def fragments(source):
    text = open(source).read()
    for m in CALL.finditer(text):
        # The message is every literal of the statement (`<< "..." << value << "..."`);
        # its longest piece between values identifies it.
        statement = text[m.start():text.find(";", m.start())]
        literals = re.findall(r'"((?:[^"\\]|\\.)*)"', statement)
        pieces = []
        for literal in literals:
            literal = literal.replace('\\"', '"').replace("\\'", "'").replace("\\n", "\n")
            pieces += [p.strip() for p in re.split(r"[\n']", literal)]
        piece = max(pieces, key=len, default="")
        if len(piece) >= MIN_FRAGMENT:
            line = text.count("\n", 0, m.start()) + 1
            yield piece, f"{os.path.relpath(source, ROOT)}:{line}"


def main():
    corpus = "\n".join(open(t, errors="replace").read() for t in TESTS)
    corpus = corpus.replace("{{.*}}", "")
    missing = []
    total = 0
    for src in SOURCES:
        for piece, where in fragments(src):
            total += 1
            if piece in UNREACHABLE or piece in corpus:
                continue
            missing.append((where, piece))
    print(f"error messages: {total}, covered by a test: {total - len(missing)}")
    for where, piece in missing:
        print(f"UNCOVERED {where}: {piece}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
