#!/usr/bin/env python3
"""What differs between the engine modules of JavaScript apps of different worlds (issue 12: one compiled engine for
every JS app). componentize-js puts one core module per app holding StarlingMonkey, its snapshot and the world's glue;
this compares those modules function by function after renumbering, and prints figures, asserting nothing.

Each module's function index space is read as: its imports; the stubs that follow them (defined functions whose body
is `unreachable`, standing in for engine imports the world does not have); then every other defined function, named
by its position after the stubs (E0, E1, …). A call to an import or a stub is named by what it stands for (the import
field without its interface prefix, or the stub's debug name), so a call to wasi:http's `[method]fields.get` reads the
same whether the world imports it or componentize-js stubbed it. Bodies are compared on wasm-objdump's disassembly
(Debian `wabt`) with calls so renamed; data segments are not compared (they are per app and read at instantiate).

Usage: js_engine_layout.py <reference.wasm> <other.wasm>…   (components or core modules)
e.g.   js_engine_layout.py build/debug/tests/runtime/fixtures/js_echo.wasm build/debug/tests/runtime/fixtures/js_fetch.wasm"""
import hashlib
import re
import subprocess
import sys
import tempfile

CALL = re.compile(r"(call|return_call|ref\.func) (\d+)")
LOCALS = re.compile(r"local\[(\d+)(?:\.\.(\d+))?\] type=(\w+)")


def leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def main_core_module(path):
    """The bytes of `path` if it is a core module, else its largest embedded core module (the engine's)."""
    data = open(path, "rb").read()
    if data[4:8] == b"\x01\x00\x00\x00":
        return data
    best, at = b"", 8
    while at < len(data):
        section, (size, at) = data[at], leb(data, at + 1)
        if section == 1 and size > len(best):  # component section 1: a core module
            best = data[at:at + size]
        at += size
    return best


def objdump(path, *args):
    return subprocess.run(["wasm-objdump", *args, path], check=True, capture_output=True, text=True).stdout


class Layout:
    def __init__(self, path):
        self.path = path
        with tempfile.NamedTemporaryFile(suffix=".wasm") as tmp:
            tmp.write(main_core_module(path))
            tmp.flush()
            details = objdump(tmp.name, "-x")
            self.bodies, self.sizes = self.read_bodies(objdump(tmp.name, "-d"))
        self.imports = [(int(m.group(1)), m.group(2)) for m in
                        re.finditer(r"- func\[(\d+)\] sig=\d+ <[^>]*> <- (\S+)", details)]
        self.names = {int(m.group(1)): m.group(2) for m in re.finditer(r"- func\[(\d+)\] <([^>]*)>\n", details)}
        self.elems = [int(m.group(1)) for m in re.finditer(r"elem\[\d+\] = func\[(\d+)\]", details)]
        self.exports = {m.group(2): int(m.group(1)) for m in re.finditer(r"- func\[(\d+)\] <[^>]*> -> \"([^\"]+)\"",
                                                                          details)}
        self.types = re.findall(r"- type\[\d+\] (.*)", details)
        self.first = len(self.imports)
        while self.bodies.get(self.first) == "unreachable\nend":
            self.first += 1
        self.stubs = self.first - len(self.imports)
        self.count = max(self.bodies) + 1 if self.bodies else len(self.imports)

    @staticmethod
    def read_bodies(text):
        bodies, sizes, current, start = {}, {}, None, 0
        for line in text.splitlines():
            if not line.startswith(" ") and " func[" in line:
                offset = int(line.split()[0], 16)
                if current is not None:
                    sizes[current] = offset - start
                current, start = int(line.split("func[")[1].split("]")[0]), offset
                bodies[current] = []
            elif current is not None and "|" in line:
                bodies[current].append(line.split("|", 1)[1].strip())
        if current is not None:
            sizes[current] = 0
        return {k: "\n".join(v) for k, v in bodies.items()}, sizes

    def stands_for(self, index):
        """What a function index means independently of the world's numbering."""
        if index < len(self.imports):
            return "import:" + re.sub(r"^.*@\d+\.\d+\.\d+\.|^wasi_snapshot_preview1\.", "", self.imports[index][1])
        if index < self.first:
            return "import:" + self.names.get(index, "?%d" % index)
        return "E%d" % (index - self.first)

    def normalised(self, index):
        out = []
        for ins in self.bodies[index].split("\n"):
            locals_ = LOCALS.match(ins)
            if locals_:  # wasm-objdump numbers locals from a miscounted parameter count: keep count and type
                out.append("locals %d %s" % (int(locals_.group(2) or locals_.group(1)) - int(locals_.group(1)) + 1,
                                             locals_.group(3)))
                continue
            call = CALL.match(ins)
            out.append(call.group(1) + " " + self.stands_for(int(call.group(2))) if call else ins)
        return hashlib.sha256("\n".join(out).encode()).hexdigest()

    def calls_import(self, index, names):
        return any((m := CALL.match(ins)) and self.stands_for(int(m.group(2))) in names for ins in self.bodies[index].split("\n"))


def ranges(values):
    out, values = [], sorted(values)
    for v in values:
        if out and v == out[-1][1] + 1:
            out[-1][1] = v
        else:
            out.append([v, v])
    return ", ".join("E%d" % a if a == b else "E%d–E%d" % (a, b) for a, b in out)


def compare(ref, other):
    print("\n== %s vs %s" % (other.path, ref.path))
    for m in (ref, other):
        print("  %s: %d types, %d function imports, %d stubs, %d other defined functions, table elements %d" %
              (m.path, len(m.types), len(m.imports), m.stubs, m.count - m.first, len(m.elems)))
    print("  type sections identical:", ref.types == other.types)
    ref_import = {ref.stands_for(i) for i in range(len(ref.imports))}
    other_import = {other.stands_for(i) for i in range(len(other.imports))}
    ref_all = {ref.stands_for(i) for i in range(ref.first)}
    other_all = {other.stands_for(i) for i in range(other.first)}
    print("  imports only in %s: %s" % (ref.path, sorted(ref_all - other_all)))
    print("  imports only in %s: %s" % (other.path, sorted(other_all - ref_all)))
    flipped = (ref_import ^ other_import) & ref_all & other_all
    print("  imported in one, stubbed in the other: %d %s" % (len(flipped), sorted(flipped)[:6] + ["…"]))
    shared = min(ref.count - ref.first, other.count - other.first)
    same, differ = [], []
    for k in range(shared):
        (same if ref.normalised(ref.first + k) == other.normalised(other.first + k) else differ).append(k)
    code = sum(other.sizes.get(other.first + k, 0) for k in range(shared))
    print("  functions after the stubs: %d identical of %d compared (%d / %d bytes of code)" %
          (len(same), shared, sum(other.sizes.get(other.first + k, 0) for k in same), code))
    print("  differing: %s" % (ranges(differ) or "none"))
    extra = (ref.count - ref.first) - shared, (other.count - other.first) - shared
    print("  beyond the shorter one: %d in %s, %d in %s" % (extra[0], ref.path, extra[1], other.path))
    engine = [k for k in same]
    engine_end = max(engine) + 1 if engine else 0
    print("  of the identical ones, calling an import that one world stubs: %d (%d bytes, %s)" % (
        sum(1 for k in engine if other.calls_import(other.first + k, flipped)),
        sum(other.sizes.get(other.first + k, 0) for k in engine if other.calls_import(other.first + k, flipped)),
        ranges([k for k in engine if other.calls_import(other.first + k, flipped)]) or "none"))
    tail = lambda m: [m.stands_for(i) for i in range(m.first + engine_end, m.count)]
    print("  after the last identical function: %s %s; %s %s" % (ref.path, tail(ref), other.path, tail(other)))
    elems = lambda m: [m.stands_for(f) if f < m.first + engine_end else "tail" for f in m.elems]
    a, b = elems(ref), elems(other)
    common = sum(1 for x, y in zip(a, b) if x == y)
    print("  table elements equal at the same slot: %d of %d/%d; %s ends %s, %s ends %s" %
          (common, len(a), len(b), ref.path, a[common:], other.path, b[common:]))
    exports = sorted(set(ref.exports) | set(other.exports))
    print("  exports pointing at the same function: %d of %d" % (
        sum(1 for e in exports if e in ref.exports and e in other.exports and
            ref.stands_for(ref.exports[e]) == other.stands_for(other.exports[e])), len(exports)))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    reference = Layout(sys.argv[1])
    for path in sys.argv[2:]:
        compare(reference, Layout(path))
