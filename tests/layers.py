#!/usr/bin/env python3
"""layers.py LAYERS_FILE SOURCE_DIR -- holds the source tree to the layering the build declares.

LAYERS_FILE (written by cmake/EngineModules.cmake) lists each engine module with the modules it may
include. Fails (exit 1), naming file and line, on:
  - an include of engine/<m>/ from a module that does not declare m;
  - a cycle among the declared dependencies, or a folder under engine/ that is not a module;
  - Qt in engine/, LibTorch in widgets/, or a widgets/ include of an engine header that reaches LibTorch.
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def includes(path):
    with open(path, errors="ignore") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield number, m.group(1)


def read_layers(path):
    deps = {}
    for line in open(path):
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, rest = line.partition(":")
            deps[name.strip()] = set(rest.split())
    return deps


def cycles(deps):
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(deps.get(node, ())):
            if state.get(nxt) == "open":
                found.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(deps):
        if node not in state:
            visit(node, [node])
    return found


def sources(folder):
    for dirpath, _, files in os.walk(folder):
        for f in sorted(files):
            if f.endswith((".h", ".hpp", ".cpp", ".cc")):
                yield os.path.join(dirpath, f)


def torch_headers(root):
    """Engine headers that include LibTorch directly or through another engine header."""
    direct, edges = set(), {}
    for path in sources(os.path.join(root, "engine")):
        if not path.endswith(".h"):
            continue
        rel = os.path.relpath(path, root)
        edges[rel] = set()
        for _, inc in includes(path):
            if inc.startswith(("torch/", "ATen/", "c10/")):
                direct.add(rel)
            elif inc.startswith("engine/"):
                edges[rel].add(inc)
    torchy, changed = set(direct), True
    while changed:
        changed = False
        for h, incs in edges.items():
            if h not in torchy and incs & torchy:
                torchy.add(h)
                changed = True
    return torchy


def main():
    layers, root = sys.argv[1], sys.argv[2]
    deps = read_layers(layers)
    problems = []
    engine = os.path.join(root, "engine")
    for folder in sorted(os.listdir(engine)):
        if os.path.isdir(os.path.join(engine, folder)) and folder not in deps:
            problems.append(f"engine/{folder}/ is not a module in engine/CMakeLists.txt")
    for c in cycles(deps):
        problems.append(f"declared dependencies form a cycle: {c}")
    checked = 0
    for module in sorted(deps):
        for path in sources(os.path.join(engine, module)):
            rel = os.path.relpath(path, root)
            for number, inc in includes(path):
                checked += 1
                m = re.match(r"engine/([A-Za-z0-9_]+)/", inc)
                if m and m.group(1) != module and m.group(1) not in deps[module]:
                    problems.append(f"{rel}:{number}: includes {inc}, but module '{module}' does not depend on "
                                    f"'{m.group(1)}' (declared: {' '.join(sorted(deps[module])) or 'nothing'})")
                if re.match(r"(Q[A-Za-z]+|qcustomplot|qcp)", inc):
                    problems.append(f"{rel}:{number}: includes {inc}: the engine builds without Qt")
    torchy = torch_headers(root)
    for path in sources(os.path.join(root, "widgets")):
        rel = os.path.relpath(path, root)
        for number, inc in includes(path):
            checked += 1
            if inc.startswith(("torch/", "ATen/", "c10/")):
                problems.append(f"{rel}:{number}: includes {inc}: widgets build without LibTorch")
            elif inc in torchy:
                problems.append(f"{rel}:{number}: includes {inc}, which reaches LibTorch: widgets build without it")
    for p in problems:
        print(p)
    print(f"{checked} includes checked against {len(deps)} modules: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
