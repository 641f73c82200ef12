"""The data dictionary (``/data/``): every column of the public CSV downloads and every field and filter of the
open API, read from the code that makes them (the lists' column sets, the API's OpenAPI schema), so that it
cannot fall behind what the files and the API hold."""

import functools
from dataclasses import dataclass

from django.utils import translation
from drf_spectacular.generators import SchemaGenerator


@dataclass(frozen=True)
class CsvList:
    name: str  # "initiatives"
    url: str  # the list's CSV
    columns: list  # ``exports.Column``s, in the file's order


@dataclass(frozen=True)
class ApiField:
    name: str
    type: str
    description: str
    required: bool


@dataclass(frozen=True)
class ApiObject:
    name: str
    fields: list  # ``ApiField``s, or for an enumeration its values in ``values``
    values: tuple = ()


@dataclass(frozen=True)
class ApiList:
    path: str
    filters: list  # ``ApiField``s of its query parameters


def type_of(schema):
    """A property's type as the schema gives it, in words: ``string (date)``, ``array of Initiative``, …"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema or "oneOf" in schema:
        parts = schema.get("allOf") or schema.get("oneOf")
        return " | ".join(type_of(part) for part in parts)
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


@functools.cache  # the schema is the code's: it changes with a deploy, never with the data
def api_schema(language):
    """The components and list operations of the OpenAPI schema that ``/api/schema/`` serves, its labels in
    ``language``."""
    with translation.override(language):
        schema = SchemaGenerator().get_schema(request=None, public=True)
    objects = []
    for name, component in sorted(schema["components"]["schemas"].items()):
        if name.startswith("Paginated"):
            continue  # every list's envelope is the same: count, next, previous, results
        required = set(component.get("required", ()))
        fields = [
            ApiField(field, type_of(spec), spec.get("description", ""), field in required)
            for field, spec in component.get("properties", {}).items()
        ]
        objects.append(ApiObject(name, fields, tuple(component.get("enum", ()))))
    lists = [
        ApiList(
            path,
            [
                ApiField(p["name"], type_of(p.get("schema", {})), p.get("description", ""), p.get("required", False))
                for p in operations["get"].get("parameters", ())
                if p.get("in") == "query"
            ],
        )
        for path, operations in sorted(schema["paths"].items())
        if "get" in operations and "{" not in path
    ]
    return objects, lists
