"""`candour serve`: the web application and JSON API over the application object."""

from __future__ import annotations

import typer

from candour.cli.context import console, ctx_obj


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
) -> None:
    """Serve the web app (pages and the JSON API, OpenAPI at /docs) until Ctrl-C."""
    app = ctx_obj(ctx).app
    app.store()  # a missing store, or one of another schema, says so before listening
    run(app, host, port)


def run(app: object, host: str, port: int) -> None:
    import uvicorn

    from candour.web import create_app

    console.print(f"Candour is serving at [bold]http://{host}:{port}/[/] (Ctrl-C to stop)")
    uvicorn.run(create_app(app), host=host, port=port, log_level="warning")  # type: ignore[arg-type]
