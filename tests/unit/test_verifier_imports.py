"""tools/verify_export.py stays independent: an auditor needs Python and rfc8785, nothing of
this project (orjson only speeds it up when it happens to be installed)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "verify_export.py"
ALLOWED = {"rfc8785", "orjson"}


def test_the_verifier_imports_only_the_standard_library_and_rfc8785() -> None:
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))

    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    }

    assert imported - set(sys.stdlib_module_names) <= ALLOWED
    assert "rfc8785" in imported
