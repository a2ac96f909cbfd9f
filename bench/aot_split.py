#!/usr/bin/env python3
"""Splits one wasm2c (wabt 1.0.32) output file into translation units that compile in parallel (issue 12, JS engine
experiment): shared.h (the prelude: macros, types, every function prototype made non-static, func_types extern),
main.c (func_types, the data segments, init functions, exports, instantiate) and part_<k>.c (the function bodies,
made non-static, in N slices of about equal size). Usage: aot_split.py <module.c> <out dir> <N>"""
import os
import re
import sys

src, out, parts = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
lines = open(src, encoding="utf-8", errors="surrogateescape").read().split("\n")
body = re.compile(r"^static [a-z0-9_]+ w2c_[A-Za-z0-9_]+\(")
first_init = next(i for i, l in enumerate(lines) if l.startswith("static void init_func_types("))
first_globals = next(i for i, l in enumerate(lines) if l.startswith("static void init_globals("))
first_body = next(i for i, l in enumerate(lines) if body.match(l) and i > first_globals)
first_export = next(i for i, l in enumerate(lines) if l.startswith("/* export: ") and i > first_body)

shared = []
for l in lines[:first_init]:
    shared.append("extern u32 func_types[" + l.split("[")[1] if l.startswith("static u32 func_types[") else l)
# init_func_types, then the prototypes (a long one spans lines; each starts with "static ").
end_init = next(i for i in range(first_init, first_globals) if lines[i] == "}")
init_block = lines[first_init:end_init + 1]
shared += [l[len("static "):] if l.startswith("static ") else l for l in lines[end_init + 1:first_globals]]
with open(os.path.join(out, "shared.h"), "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write("\n".join(shared) + "\n")

func_types = next(l for l in lines[:first_init] if l.startswith("static u32 func_types["))
main = ['#include "shared.h"', func_types[len("static "):]] + init_block + lines[first_globals:first_body] + \
    lines[first_export:]
with open(os.path.join(out, "main.c"), "w", encoding="utf-8", errors="surrogateescape") as f:
    f.write("\n".join(main) + "\n")

# Function bodies: split at function starts into N slices of about equal byte size.
# A body starts at a line beginning "static " (wasm2c emits no static locals); its signature may span lines.
functions, current = [], []
for l in lines[first_body:first_export]:
    starts = l.startswith("static ")
    if starts and current:
        functions.append(current)
        current = []
    current.append(l[len("static "):] if starts else l)
functions.append(current)
total = sum(sum(len(l) + 1 for l in f) for f in functions)
k, size, chunk = 0, 0, []
def flush():
    with open(os.path.join(out, f"part_{k}.c"), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write('#include "shared.h"\n' + "\n".join("\n".join(fn) for fn in chunk) + "\n")
for fn in functions:
    chunk.append(fn)
    size += sum(len(l) + 1 for l in fn)
    if size >= total * (k + 1) / parts and k < parts - 1:
        flush()
        k, chunk = k + 1, []
flush()
print(f"{len(functions)} functions, {total >> 20} MiB of bodies, {k + 1} parts")
