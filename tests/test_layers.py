"""The import rules of docs/architecture.md, enforced: every import of the project's packages
(module level, inside functions and under ``TYPE_CHECKING`` alike) is parsed; a cycle, an import
from a lower layer into a higher one, or an import of a plug-in package from ``arena`` fails.

The rules are the table under "Import rules" in docs/architecture.md, read by this test, so the
page and the check cannot drift apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("arena", "envs", "agents", "baselines")
DOC = ROOT / "docs" / "architecture.md"


def module_names(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of ``packages`` under ``root``."""
    out = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest prefix of ``name`` that is a project module (None: not ours)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        candidate = ".".join(parts[:k])
        if candidate in modules:
            return candidate
    return None


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Project modules that ``module`` imports anywhere in its file."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative import
                anchor = module.split(".")[: len(module.split(".")) - node.level
                                         + int(is_package)]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` imports the submodule when there is one
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                     for a in node.names]
        else:
            continue
        for name in names:
            target = _resolve(name, modules)
            if target is not None and target != module:
                out.add(target)
    return out


def import_graph(root: Path, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    modules = module_names(root, packages)
    return {m: imports_of(m, p, modules) for m, p in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def read_rules(doc: Path = DOC) -> dict[str, set[str]]:
    """``{layer: layers it may import}`` from the "Import rules" table of the doc. A layer is
    named by its package (``arena.core``) or module (``arena.cli``); ``arena`` is the public
    facade ``arena/__init__.py``."""
    text = doc.read_text().split("## Import rules", 1)[1].split("\n## ", 1)[0]
    rules: dict[str, set[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        for layer in re.findall(r"`([\w.]+)`", cells[0]):
            rules[layer] = set(re.findall(r"`([\w.]+)`", cells[-1]))
    return rules


def layer_of(module: str, rules: dict[str, set[str]]) -> str:
    """The most specific layer whose name is ``module`` or a package above it."""
    best = ""
    for layer in rules:
        if (module == layer or module.startswith(layer + ".")) and len(layer) > len(best):
            best = layer
    if not best:
        raise AssertionError(f"module {module} belongs to no layer of docs/architecture.md")
    return best


def violations(graph: dict[str, set[str]], rules: dict[str, set[str]]) -> list[str]:
    """Imports that the rules do not allow (within one layer everything is allowed)."""
    out = []
    for module, targets in sorted(graph.items()):
        mine = layer_of(module, rules)
        for target in sorted(targets):
            theirs = layer_of(target, rules)
            if theirs != mine and theirs not in rules[mine]:
                out.append(f"{module} ({mine}) imports {target} ({theirs})")
    return out


# ------------------------------------------------------------------------------ the project
def test_no_import_cycles() -> None:
    assert cycles(import_graph(ROOT)) == []


def test_layers_import_only_what_the_rules_allow() -> None:
    rules = read_rules()
    assert {"arena.sim", "arena.core", "arena.training", "envs", "agents"} <= set(rules)
    assert violations(import_graph(ROOT), rules) == []


def test_arena_never_imports_the_plugin_packages() -> None:
    graph = import_graph(ROOT)
    bad = [f"{m} imports {t}" for m, ts in graph.items() if m.split(".")[0] == "arena"
           for t in ts if t.split(".")[0] in ("envs", "agents", "baselines")]
    assert bad == []


def test_every_arena_package_is_a_layer_of_the_doc() -> None:
    rules = read_rules()
    packages = {p.parent.relative_to(ROOT).as_posix().replace("/", ".")
                for p in (ROOT / "arena").rglob("__init__.py")}
    assert packages - set(rules) == set(), "a package of arena/ that docs/architecture.md omits"
    assert {r for r in rules if r.startswith("arena")} - packages - {"arena.cli"} == set()


@pytest.mark.parametrize("doc", ["docs/architecture.md", "README.md"])
def test_paths_named_in_the_docs_exist(doc: str) -> None:
    text = (ROOT / doc).read_text()
    named = set(re.findall(r"`((?:arena|envs|agents|baselines|tests|configs)/[\w/.]*)`", text))
    assert named, doc
    missing = sorted(p for p in named if not (ROOT / p.rstrip("/")).exists())
    assert missing == [], f"{doc} names paths that are not in the tree"


# ------------------------------------------------------------------- the check itself fails
def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_a_planted_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "arena/__init__.py": "",
        "arena/core/__init__.py": "",
        "arena/core/a.py": "from arena.core import b\n",
        "arena/core/b.py": "def f():\n    from arena.core.c import g\n    return g\n",
        "arena/core/c.py": "import arena.core.a\n\ndef g():\n    pass\n",
        "arena/core/d.py": "from arena.core import a\n",
    })
    graph = import_graph(tmp_path, ("arena",))
    assert graph["arena.core.b"] == {"arena.core.c"}
    assert cycles(graph) == [["arena.core.a", "arena.core.b", "arena.core.c"]]


def test_planted_upward_and_plugin_imports_are_violations(tmp_path: Path) -> None:
    _plant(tmp_path, {
        "arena/__init__.py": "", "arena/core/__init__.py": "",
        "arena/training/__init__.py": "", "agents/__init__.py": "",
        "arena/training/loop.py": "from arena.core import vec\n",
        "arena/core/vec.py": "def f():\n    from arena.training.loop import x\n",
        "arena/core/uses_plugin.py": "import agents\n",
        "agents/algo.py": "from arena.training import loop\n",
    })
    rules = {"arena": {"arena.core", "arena.training"}, "arena.core": set(),
             "arena.training": {"arena.core"}, "agents": {"arena", "arena.core",
                                                          "arena.training"}}
    graph = import_graph(tmp_path, ("arena", "agents"))
    assert violations(graph, rules) == [
        "arena.core.uses_plugin (arena.core) imports agents (agents)",
        "arena.core.vec (arena.core) imports arena.training.loop (arena.training)",
    ]
    assert cycles(graph) == [["arena.core.vec", "arena.training.loop"]]
