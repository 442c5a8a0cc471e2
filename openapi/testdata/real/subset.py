#!/usr/bin/env python3
"""Cut a subset of a real OpenAPI 3 JSON spec: the named paths and every
component they reference (transitively), for the golden tests.

    subset.py SPEC.json OUT.json /path1 /path2 ...
"""
import json
import sys

src, out, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
doc = json.load(open(src))
keep = {}
todo = []


def refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.startswith("#/components/"):
                todo.append(v)
            else:
                refs(v)
    elif isinstance(node, list):
        for v in node:
            refs(v)


sub = {k: doc[k] for k in ("openapi", "info", "servers", "security") if k in doc}
sub["paths"] = {}
for p in paths:
    item = {m: v for m, v in doc["paths"][p].items()}
    sub["paths"][p] = item
    refs(item)
comps = doc.get("components", {})
if "securitySchemes" in comps:
    keep.setdefault("securitySchemes", {}).update(comps["securitySchemes"])
while todo:
    _, _, kind, name = todo.pop().split("/", 3)
    name = name.replace("~1", "/").replace("~0", "~")
    if name in keep.get(kind, {}):
        continue
    node = comps[kind][name]
    keep.setdefault(kind, {})[name] = node
    refs(node)
sub["components"] = keep
json.dump(sub, open(out, "w"), separators=(",", ":"))
