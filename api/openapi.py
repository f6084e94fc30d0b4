"""Write the committed OpenAPI document from the app (``make openapi``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from api.app import create_app

DOCUMENT = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"


def render() -> str:
    """The app's OpenAPI document as stable, reviewable JSON."""
    document = create_app().openapi()
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> None:
    """Regenerate ``openapi/openapi.json``."""
    DOCUMENT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {DOCUMENT.name}\n")


if __name__ == "__main__":
    main()
