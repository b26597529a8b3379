"""Front-end libraries, served from the npm install (`node_modules`), never from the repo.

Only the files named here are served, each under /assets/<name>. When `node_modules` is absent
(a Python-only checkout) the pages are served without them: forms still work as plain forms.
"""

from __future__ import annotations

import os
from pathlib import Path

LIBRARIES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "pico.min.css": "@picocss/pico/css/pico.min.css",
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "axe.min.js": "axe-core/axe.min.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}


def node_modules() -> Path | None:
    """CANDOUR_NODE_MODULES, else the repository's (an editable install), else the cwd's."""
    if env := os.environ.get("CANDOUR_NODE_MODULES"):
        return Path(env)
    for base in (Path(__file__).resolve().parents[3], Path.cwd()):
        if (base / "node_modules").is_dir():
            return base / "node_modules"
    return None


def available() -> dict[str, Path]:
    """The libraries that are installed: name -> file."""
    root = node_modules()
    if root is None:
        return {}
    found = {name: root / rel for name, rel in LIBRARIES.items()}
    return {name: path for name, path in found.items() if path.is_file()}
