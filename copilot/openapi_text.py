"""The OpenAPI states the character rule every request obeys (`copilot.characters`, enforced for
every route by `copilot.input_guard`), which FastAPI cannot see: a string a client sends holds no
control character and no lone surrogate; a parameter or an object key is one line, a JSON or
form string value may also hold tab and line breaks.

`state_text_rule(app)` makes `app.openapi()` add the rule as a `pattern` to every string schema of
a path or query parameter or a request body that has none (a pattern it has, such as a name's, is stricter
already) and as `propertyNames` to every object a request body holds. Files (`format: binary`) are
left alone: their contents are each format's business; so are headers: HTTP itself refuses
control characters in them.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

# Lone surrogates are refused too, but left out of the pattern: UTF-8 text cannot hold one (only a
# JSON escape can send it), and generators such as Schemathesis drop a pattern with such a range.
_CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
ONE_LINE = rf"^[^\t\n\r{_CONTROLS}]*$"
FREE_TEXT = rf"^[^{_CONTROLS}]*$"
OWN_RULES = {"pattern", "enum", "const", "format", "contentMediaType"}   # a string that has one is left as it is
REF = "#/components/schemas/"
Schema = dict[str, Any]


def state_text_rule(app: FastAPI) -> None:
    build: Callable[[], Schema] = app.openapi

    def openapi() -> Schema:
        return with_text_rule(build())         # in place and idempotent: FastAPI caches the schema

    app.openapi = openapi


def with_text_rule(spec: Schema) -> Schema:
    components = spec.get("components", {}).get("schemas", {})
    done: set[str] = set()
    for path in spec.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict):
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("in") in ("path", "query") and "schema" in parameter:
                    _constrain(parameter["schema"], ONE_LINE, components, done)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if "schema" in media:
                    _constrain(media["schema"], FREE_TEXT, components, done)
    return spec


def _constrain(schema: Any, pattern: str, components: Schema, done: set[str]) -> None:
    if not isinstance(schema, dict):
        return
    ref = schema.get("$ref", "")
    if ref.startswith(REF):
        name = ref.removeprefix(REF)
        if name not in done and name in components:
            done.add(name)                     # request body components: always the free-text pattern
            _constrain(components[name], pattern, components, done)
        return
    if schema.get("type") == "string" and not OWN_RULES & schema.keys():
        schema["pattern"] = pattern
    if schema.get("type") == "object":
        schema.setdefault("propertyNames", {"pattern": ONE_LINE})
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for branch in schema.get(key, []):
            _constrain(branch, pattern, components, done)
    for key in ("items", "additionalProperties"):
        _constrain(schema.get(key), pattern, components, done)
    for branch in schema.get("properties", {}).values():
        _constrain(branch, pattern, components, done)
