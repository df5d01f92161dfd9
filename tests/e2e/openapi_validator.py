"""Validates an OpenAPI 3.0 document: against the specification's own JSON Schema (Debian's openapi-specification,
checked with python3-jsonschema), and every local $ref must resolve, which the schema alone does not check."""
import json
import pathlib

import jsonschema

SCHEMA = pathlib.Path("/usr/share/openapi-specification/schemas/v3.0/schema.json")


def local_refs(node):
    """Every "$ref" in the document, wherever it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from local_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from local_refs(item)


def resolves(doc, ref):
    """True if ref is "#/a/b" and doc["a"]["b"] exists (JSON Pointer escapes ~0 and ~1 undone)."""
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def problems(doc):
    """What is wrong with the document: schema violations and dangling references; empty if it is valid."""
    schema = json.loads(SCHEMA.read_text())
    found = [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
             for error in jsonschema.Draft4Validator(schema).iter_errors(doc)]
    found += [f"$ref {ref} does not resolve" for ref in local_refs(doc) if not resolves(doc, ref)]
    return found
