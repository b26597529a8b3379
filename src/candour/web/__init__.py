"""The web application: server-rendered pages (Jinja2, enhanced by htmx) and a JSON API, both
thin shells over the application object. No route opens a database session or decides access:
each calls one service of `candour.app` and renders what it returns.

Front-end libraries come from npm (`package.json` at the repository root, installed by
`make setup` into `node_modules`). Without `node_modules` the app still starts and serves every
page; forms then submit as plain HTML forms, without htmx enhancement.
"""

from __future__ import annotations

from candour.web.app import create_app

__all__ = ["create_app"]
