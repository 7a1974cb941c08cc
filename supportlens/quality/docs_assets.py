"""Make the built Data Docs render offline.

GX Data Docs load jQuery, Bootstrap, bootstrap-table and Font Awesome from CDNs; without
network the pages show headings but no tables. When the npm packages of
`gx/docs_assets/package.json` are installed (`npm ci` there, part of `make install`), the
files are copied to `<docs>/static/vendor/` and every page is rewritten to use them. Without
them the CDN links stay, which works wherever the browser has internet.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from supportlens.config import PACKAGE_ROOT, Settings

log = logging.getLogger(__name__)

#: CDN URL in GX's templates → file inside node_modules.
CDN_TO_PACKAGE: dict[str, str] = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css": (
        "bootstrap/dist/css/bootstrap.min.css"
    ),
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js": (
        "bootstrap/dist/js/bootstrap.min.js"
    ),
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js": (
        "popper.js/dist/umd/popper.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css": (
        "bootstrap-table/dist/bootstrap-table.min.css"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js": (
        "bootstrap-table/dist/bootstrap-table.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.js": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js"
    ),
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/"
    "bootstrap-table-filter-control.min.css": (
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css"
    ),
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/"
    "bootstrap-datepicker.min.css": "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/"
    "bootstrap-datepicker.min.js": "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css": (
        "@fortawesome/fontawesome-free/css/all.min.css"
    ),
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/"
    "bootstrap-prefers-dark.css": "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
}
#: Folders copied whole because their CSS refers to siblings (Font Awesome's webfonts).
WHOLE_FOLDERS = ("@fortawesome/fontawesome-free/webfonts",)


def node_modules(settings: Settings) -> Path | None:
    for base in (settings.project_root, PACKAGE_ROOT):
        candidate = base / "gx" / "docs_assets" / "node_modules"
        if (candidate / "jquery").is_dir():
            return candidate
    return None


def localize(settings: Settings) -> int:
    """Copy the assets next to the docs and rewrite the pages; returns pages rewritten."""
    modules = node_modules(settings)
    docs = settings.paths.gx_docs_dir
    if modules is None:
        log.info("Data Docs keep CDN links: gx/docs_assets not installed (npm ci there)")
        return 0
    vendor = docs / "static" / "vendor"
    for relative in (*CDN_TO_PACKAGE.values(), *WHOLE_FOLDERS):
        source, target = modules / relative, vendor / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copyfile(source, target)
    rewritten = 0
    for page in docs.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = text
        for url, relative in CDN_TO_PACKAGE.items():
            if url in new:
                local = os.path.relpath(vendor / relative, page.parent)
                new = new.replace(url, local)
        if new != text:
            page.write_text(new, encoding="utf-8")
            rewritten += 1
    return rewritten
