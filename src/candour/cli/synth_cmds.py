"""`candour synth`: write a synthetic district in intake's formats, with ground truth."""

from __future__ import annotations

from pathlib import Path

import typer

from candour.cli.context import console, progress_bar


def register(app: typer.Typer) -> None:
    app.command("synth")(synth)


def synth(
    out_dir: Path = typer.Argument(..., help="Directory to write (must be empty)."),
    seed: int = typer.Option(1, "--seed", help="Same seed and scale give byte-identical output."),
    scale: str = typer.Option("small", "--scale", help="small | medium | large"),
    years: int | None = typer.Option(None, "--years", help="Years simulated (default by scale)."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace a non-empty directory."),
) -> None:
    """Generate a synthetic district: records, documents, workforce and ground truth."""
    from candour.synth import generate

    with progress_bar("months") as bar:
        task = bar.add_task("synth", total=None)
        manifest = generate(
            out_dir,
            seed=seed,
            scale=scale,
            years=years,
            overwrite=overwrite,
            progress=lambda n, total: bar.update(task, completed=n, total=total),
        )
    console.print(
        f"[bold green]district written[/] to {out_dir}: {manifest.records:,} records, "
        f"{manifest.person_mentions:,} person mentions, seed {seed}, scale {scale}"
    )
    for name, n in manifest.files.items():
        console.print(f"  {name:<40} {n:>9,}")
