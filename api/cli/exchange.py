"""``tumbuh import …``: operators bring in data from the national systems.

``tumbuh import krs FILE`` reads a KRS family list (CSV with the documented header, or a
JSON array with ``.json``), checks every row, and imports the valid ones a thousand at a
time with a progress bar; each thousand is one transaction, and running the same file again
changes nothing, so an interrupted import is finished by running it again. The command
imports the application only when it runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

imports = typer.Typer(
    help="Import data from the national systems.", no_args_is_help=True, rich_markup_mode=None
)
SHOWN = 20


@imports.command("krs")
def import_krs(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="CSV or .json.")],
    chunk: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per transaction.")] = 1000,
) -> None:
    """Import a round of BKKBN's KRS family list, with a progress bar."""
    from api.exchange.krs_import import Report, import_rows
    from api.identity.accounts import operator_meta
    from api.services import build_services
    from api.settings import Settings
    from domain.fact import DomainError
    from domain.sponsor.krs import check

    try:
        rows = _read(file)
    except DomainError as refusal:
        typer.echo(f"not imported: {refusal.detail}", err=True)
        raise typer.Exit(code=1) from None
    good, refused = check(rows)
    report = Report(refused=list(refused))
    services = build_services(Settings())
    meta = operator_meta()
    try:
        with typer.progressbar(length=len(rows), label="importing") as bar:
            bar.update(len(refused))
            for start in range(0, len(good), chunk):
                part = good[start : start + chunk]
                import_rows(services, part, [], reach=("*",), meta=meta, report=report)
                bar.update(len(part))
    finally:
        services.close()
    typer.echo(
        f"created {report.created}, updated {report.updated}, unchanged "
        f"{report.unchanged}, refused {len(report.refused)}"
    )
    for row in sorted(report.refused, key=lambda r: r.row)[:SHOWN]:
        typer.echo(f"  row {row.row}: {row.reason}")
    if len(report.refused) > SHOWN:
        typer.echo(f"  … and {len(report.refused) - SHOWN} more")


def _read(file: Path) -> list[dict[str, Any]]:
    import orjson

    from domain.sponsor.krs import read_csv, read_objects

    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() == ".json":
        return list(read_objects(orjson.loads(text)))
    return list(read_csv(text))
