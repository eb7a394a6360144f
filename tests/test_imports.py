"""The import graph reads downward: no module of the project imports, directly or through
others, a module that imports it back (function-level imports count too: they are the same
dependency, only later), and ``models/`` (cells, synapses, rules, parameter sets) imports
nothing above the network plan."""

import ast
import os

from conftest import ROOT

PACKAGES = ("spiking", "models")
#: What models/ may import from spiking/: the layers below the plan.
MODELS_MAY_IMPORT = {"spiking.errors", "spiking.parameters", "spiking.decoding"}


def _modules() -> dict:
    out = {}
    for package in PACKAGES:
        for folder, _, files in os.walk(os.path.join(ROOT, package)):
            for name in files:
                if name.endswith(".py"):
                    path = os.path.join(folder, name)
                    module = os.path.relpath(path, ROOT)[:-3].replace(os.sep, ".")
                    out[module.removesuffix(".__init__")] = path
    return out


def _graph(modules: dict) -> dict:
    edges = {module: set() for module in modules}
    for module, path in modules.items():
        with open(path) as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            edges[module] |= {name for name in names if name in modules and name != module}
    return edges


def _cycles(edges: dict) -> list:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter[0]
                counter[0] += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles_among_the_project_modules():
    modules = _modules()
    assert len(modules) > 40  # the walk found the project
    assert _cycles(_graph(modules)) == []


def test_models_import_nothing_above_the_plan():
    edges = _graph(_modules())
    for module, targets in edges.items():
        if module.startswith("models"):
            above = {t for t in targets if t.startswith("spiking") and t not in MODELS_MAY_IMPORT}
            assert not above, f"{module} imports {sorted(above)}"
