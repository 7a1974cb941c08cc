"""The interactive API docs (/schema) with Swagger UI's assets served by the API itself.

Litestar's Swagger page loads its JavaScript and CSS from a CDN, so it was blank without
internet. `api/docs_assets/package.json` pins `swagger-ui-dist` (installed by
`make node`); when that install is present its files are served at ASSETS_PATH and the
page points there. Without it the page keeps the CDN links (and says so in the log).
"""

from __future__ import annotations

import logging
from pathlib import Path

import msgspec
from litestar import Router
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.plugins import (
    JsonRenderPlugin,
    OpenAPIRenderPlugin,
    SwaggerRenderPlugin,
    YamlRenderPlugin,
)
from litestar.openapi.spec import Schema
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition

from supportlens.api.schemas import StrictBody

log = logging.getLogger(__name__)

SWAGGER_UI_DIR = Path(__file__).with_name("docs_assets") / "node_modules" / "swagger-ui-dist"
ASSETS_PATH = "/static/swagger-ui"
#: The files the page loads; all must be present for the local copy to be used.
FILES = ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css")


def local_assets() -> Path | None:
    if all((SWAGGER_UI_DIR / name).is_file() for name in FILES):
        return SWAGGER_UI_DIR
    log.info("Swagger UI loads from a CDN: api/docs_assets not installed (make node)")
    return None


def render_plugins() -> list[OpenAPIRenderPlugin]:
    """Swagger UI first: it is the page /schema shows."""
    if local_assets() is None:
        swagger = SwaggerRenderPlugin(path=["/", "/swagger"])
    else:
        swagger = SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            css_url=f"{ASSETS_PATH}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
        )
    return [swagger, JsonRenderPlugin(), YamlRenderPlugin()]


def docs_assets_router() -> list[Router]:
    """The static route for the assets (none when they are not installed)."""
    directory = local_assets()
    if directory is None:
        return []
    return [
        create_static_files_router(
            path=ASSETS_PATH, directories=[directory], include_in_schema=False, name="docs_assets"
        )
    ]


class StrictBodySchemaPlugin(StructSchemaPlugin):
    """Request bodies (`supportlens.api.schemas.StrictBody`) refuse unknown fields; their
    schemas say so (`additionalProperties: false`), which Litestar's Struct schemas leave out.

    Subclasses Litestar's own Struct plugin (an internal module; Litestar is pinned), so
    everything else about the schema stays as Litestar writes it."""

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return not field_definition.is_union and field_definition.is_subclass_of(StrictBody)

    def to_openapi_schema(
        self, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        _restore_string_item_constraints(schema, field_definition.annotation)
        return schema


def _restore_string_item_constraints(schema: Schema, struct_type: type) -> None:
    """Litestar drops the constraints of a list's string items (`list[Text]` documents
    `items: {type: string}`, although the body refuses "" or a blank text), so a client
    reading the schema would send what the API refuses. msgspec's own JSON schema of the
    same Struct keeps them: copy length and pattern from there."""
    defs = msgspec.json.schema(struct_type).get("$defs", {})
    declared = defs.get(struct_type.__name__, {}).get("properties", {})
    for name, prop in (schema.properties or {}).items():
        items = declared.get(name, {}).get("items", {})
        target = getattr(prop, "items", None)
        if items.get("type") != "string" or not isinstance(target, Schema):
            continue
        target.min_length = items.get("minLength")
        target.max_length = items.get("maxLength")
        target.pattern = items.get("pattern")
