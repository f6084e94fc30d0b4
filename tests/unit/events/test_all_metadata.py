"""The metadata the migrations compare against holds every table, without help from imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_all_metadata_registers_every_table_of_events_in_a_fresh_process() -> None:
    # Alembic run on its own (``alembic check``, ``tumbuh migrate``) imports only env.py:
    # a table registered by a module nobody imported would look dropped.
    script = textwrap.dedent(
        """
        import importlib, pkgutil
        import events
        from events.tables import all_metadata
        registered = set(all_metadata().tables)
        for module in pkgutil.walk_packages(events.__path__, "events."):
            importlib.import_module(module.name)
        print(sorted(set(all_metadata().tables) - registered))
        """
    )
    shown = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout

    assert shown.strip() == "[]"
