"""The floors of the house, checked from the code's own imports (every module, found by walking the packages).

Each package may import only the floors below it; nothing below `ui/` loads QtWidgets, and only `ui/` and
`printing/` load Qt at all; plugins see only `plugin_api`; no `ui/` module writes to the store itself; no two
modules import each other, however indirectly.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import networked_councillor

ROOT = Path(networked_councillor.__file__).parent
PLUGINS = ROOT.parent / "plugins"
APP = "networked_councillor"

FLOORS = {
    "base": set(),
    "store": {"base"},
    "tagger": {"base", "store"},
    "plugin_api": {"base"},
    "casework": {"base", "store", "tagger", "plugin_api", "exporters"},
    "ingest": {"base", "store", "tagger", "plugin_api", "casework"},
    "replies": {"base", "store", "tagger", "plugin_api", "casework", "ingest", "shared"},
    "insights": {"base", "store", "tagger"},
    "exporters": {"base", "store", "tagger", "plugin_api", "casework", "insights"},
    "printing": {"base", "store", "tagger", "casework", "insights", "exporters"},
    "demo": {"base", "store", "tagger", "plugin_api", "casework", "ingest", "replies", "exporters"},
    "training": {"base", "store", "tagger", "plugin_api", "casework", "ingest", "replies", "exporters", "printing",
                 "demo", "app"},
    "shared": {"base", "store", "casework"},
    "app": {"base", "store", "tagger", "plugin_api", "ingest", "shared"},
    "cli": {"base", "store", "tagger", "plugin_api", "casework", "ingest", "replies", "insights", "exporters",
            "printing", "demo", "training", "app", "ui", "shared"},
    "ui": {"base", "store", "tagger", "plugin_api", "casework", "ingest", "replies", "insights", "exporters",
           "printing", "demo", "training", "app", "shared"},
}
"""What each folder may import besides itself. `casework` may use the Open311 client in `exporters` only through
an argument (see `casework/open311_sync.py`): the edge is here for its type, and the circle check keeps it one way."""


def modules() -> dict[str, Path]:
    found = {APP: ROOT / "__init__.py"}
    for info in pkgutil.walk_packages([str(ROOT)], prefix=f"{APP}."):
        spec = info.module_finder.find_spec(info.name.rsplit(".", 1)[-1])
        found[info.name] = Path(spec.origin)
    for info in pkgutil.iter_modules([str(PLUGINS)]):
        for sub in pkgutil.walk_packages([str(PLUGINS / info.name)], prefix=f"{info.name}."):
            found[sub.name] = PLUGINS / info.name / (sub.name.split(".", 1)[1].replace(".", "/") + ".py")
        found[info.name] = PLUGINS / info.name / "__init__.py"
    return found


def imports_of(path: Path, name: str) -> set[str]:
    """The modules ``path`` imports at run time (imports only for type checkers are left out)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If) and _type_checking(block.test)
            for node in ast.walk(block)}
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            named = {f"{base}.{alias.name}" for alias in node.names}
            found |= named if named & set(MODULE_NAMES) else named | {base}  # `from pkg import module` is the module
    return found


def _type_checking(test: ast.expr) -> bool:
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


MODULES = modules()
MODULE_NAMES = frozenset(MODULES)
IMPORTS = {name: imports_of(path, name) for name, path in MODULES.items()}


def floor(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != APP:
        return "plugins" if parts[0].startswith("nc_") else None
    return parts[1] if len(parts) > 1 else None


def inner(name: str) -> set[str]:
    """The app's and the plugins' own modules that ``name`` imports (an imported name resolved to its module)."""
    return {m for m in IMPORTS[name] if m in MODULES} - {name}


def test_every_module_is_seen():
    assert len(MODULES) > 150 and "networked_councillor.base.clock" in MODULES and "nc_rss.opml" in MODULES


def test_each_folder_imports_only_the_floors_below_it():
    wrong = []
    for name in MODULES:
        here = floor(name)
        if here in (None, "plugins", "__main__"):
            continue
        allowed = FLOORS[here] | {here}
        for other in inner(name):
            there = floor(other)
            if there is not None and there != "plugins" and there not in allowed:
                wrong.append(f"{name} -> {other}")
    assert not wrong, "upward imports:\n" + "\n".join(sorted(wrong))


def test_plugins_import_only_the_plugin_api():
    wrong = [f"{name} -> {other}" for name in MODULES if floor(name) == "plugins" for other in IMPORTS[name]
             if other.startswith(APP) and not other.startswith(f"{APP}.plugin_api")
             or other.startswith("nc_") and other.split(".")[0] != name.split(".")[0]]
    assert not wrong, "\n".join(sorted(wrong))


def test_nothing_outside_a_plugin_imports_its_insides():
    wrong = [f"{name} -> {other}" for name in MODULES if floor(name) != "plugins" for other in IMPORTS[name]
             if other.startswith("nc_")]
    assert not wrong, "\n".join(sorted(wrong))


def test_qt_stays_in_ui_and_printing():
    wrong = []
    for name in MODULES:
        qt = {m for m in IMPORTS[name] if m.startswith(("PySide6", "shiboken6"))}
        if floor(name) == "ui":
            continue
        if floor(name) == "printing":
            qt = {m for m in qt if m.startswith("PySide6.QtWidgets")}
        wrong += [f"{name} -> {m}" for m in qt]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_ui_module_writes_or_holds_sql():
    """`store.write()` (a write transaction) and SQL stay below ui/; a socket's write(data) is not the store's."""
    wrong = []
    for name, path in MODULES.items():
        if floor(name) != "ui":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in (".write()", ".execute(", ".query(", "SELECT ", "UPDATE ", "INSERT ", "DELETE FROM"):
            if needle in text:
                wrong.append(f"{name}: {needle}")
    assert not wrong, "\n".join(wrong)


def test_no_import_circles():
    graph = {name: inner(name) for name in MODULES}
    circles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                circles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node}->{nxt}")
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, "\n".join(circles)


MAX_LINES = 400


def test_no_module_is_over_the_limit():
    long = {name: n for name, path in MODULES.items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


@pytest.mark.realtime  # a subprocess waited on with a timeout: a moved clock breaks the wait
def test_headless_layers_do_not_load_qt():
    """At run time too: importing everything below `ui/` and `printing/`, and loading the plugins, loads no Qt."""
    headless = sorted(name for name in MODULES if floor(name) not in ("ui", "printing", "training", "cli")
                      and not name.endswith("__main__"))
    code = (
        "import sys, importlib\n"
        f"for name in {headless!r}:\n"
        "    importlib.import_module(name)\n"
        "from networked_councillor.plugin_api.loader import discover\n"
        "discover()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
