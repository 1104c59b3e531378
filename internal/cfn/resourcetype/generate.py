#!/usr/bin/env python3
"""Generates types.json, Slipway's table of CloudFormation resource types.

Source: the CloudFormation resource provider (registry) schemas that cfn-lint
ships (cfnlint/data/schemas, us-east-1), which are AWS's published schemas.
From each schema it takes the properties (their JSON type; createOnly means
Update requires: Replacement, conditionalCreateOnly means Conditional, any
other is No interruption), the required properties, the primary identifier,
and the read-only properties, which are the attributes Fn::GetAtt reads.
curated.json adds what the schemas do not say (see its _doc).

Usage (from this directory):
    python3 generate.py          # rewrites types.json
    python3 generate.py --check  # exits 1 if types.json is not what it would write
"""
import json
import os
import re
import sys

import cfnlint

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMAS = os.path.join(os.path.dirname(cfnlint.__file__), "data", "schemas")


def schema_files():
    """Maps each resource type to its schema file, as cfn-lint's index does."""
    with open(os.path.join(SCHEMAS, "providers", "us_east_1.py"), encoding="utf-8") as f:
        index = dict(re.findall(r'"([A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+)": "([0-9a-f]+)"', f.read()))
    return index


def json_type(prop, definitions):
    """The JSON type of a property: string, integer, boolean, number, array or object."""
    if "$ref" in prop:
        target = definitions.get(prop["$ref"].split("/")[-1], {})
        return json_type(target, definitions) if target else "object"
    t = prop.get("type")
    if isinstance(t, list):
        return "|".join(sorted(t))
    if t:
        return t
    if "properties" in prop or "patternProperties" in prop:
        return "object"
    for key in ("anyOf", "oneOf"):
        if key in prop:
            return "|".join(sorted({json_type(p, definitions) for p in prop[key]}))
    return "object"


def top(pointers):
    """Top-level property names of JSON pointers like /properties/A/B."""
    return [p.split("/")[2] for p in pointers or [] if p.startswith("/properties/")]


def build_type(name, schema, curated, overrides):
    create_only = set()
    nested_create_only = set()
    for p in schema.get("createOnlyProperties", []):
        parts = p.split("/")
        (create_only if len(parts) == 3 else nested_create_only).add(parts[2])
    conditional = set(top(schema.get("conditionalCreateOnlyProperties"))) | (nested_create_only - create_only)
    read_only = schema.get("readOnlyProperties", [])
    read_only_top = {p.split("/")[2] for p in read_only if len(p.split("/")) == 3}
    required = set(schema.get("required", []))
    definitions = schema.get("definitions", {})
    props = {}
    for pname, prop in sorted(schema.get("properties", {}).items()):
        if pname in read_only_top:
            continue
        update = "NoInterruption"
        if pname in create_only:
            update = "Replacement"
        elif pname in conditional:
            update = "Conditional"
        update = overrides.get(name, {}).get(pname, update)
        props[pname] = {"type": json_type(prop, definitions), "update": update, "required": pname in required}
    attrs = {".".join(p.split("/")[2:]) for p in read_only if p.startswith("/properties/")}
    if curated.get("getAttAllProperties"):
        attrs |= set(props)
    out = {
        "kind": curated["kind"],
        "ref": curated["ref"],
        "properties": props,
        "attributes": sorted(attrs),
        "primaryIdentifier": [".".join(p.split("/")[2:]) for p in schema.get("primaryIdentifier", [])],
    }
    for key in ("name", "dynamicAttributePrefix"):
        if key in curated:
            out[key] = curated[key]
    return out


def generate():
    with open(os.path.join(HERE, "curated.json"), encoding="utf-8") as f:
        curated = json.load(f)
    index = schema_files()
    types = {}
    for name, facts in sorted(curated["types"].items()):
        with open(os.path.join(SCHEMAS, "resources", index[name] + ".json"), encoding="utf-8") as f:
            schema = json.load(f)
        types[name] = build_type(name, schema, facts, curated["updateOverrides"])
    doc = {
        "_generated": "by generate.py from the registry schemas of cfn-lint %s; do not edit" % cfnlint_version(),
        "types": types,
    }
    return json.dumps(doc, indent=1, sort_keys=True) + "\n"


def cfnlint_version():
    try:
        from importlib.metadata import version
        return version("cfn-lint")
    except Exception:  # pragma: no cover
        return "unknown"


def main():
    text = generate()
    path = os.path.join(HERE, "types.json")
    if "--check" in sys.argv:
        with open(path, encoding="utf-8") as f:
            current = f.read()
        if json.loads(current)["types"] != json.loads(text)["types"]:
            sys.stderr.write("types.json differs from the schemas: run python3 generate.py\n")
            sys.exit(1)
        return
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
