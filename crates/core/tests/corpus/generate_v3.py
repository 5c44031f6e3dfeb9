#!/usr/bin/env python3
"""Adds the bundle v3 cases to the corpus of hostile bundles (tests/bad_bundles.rs), beside generate.py's.

    python3 crates/core/tests/corpus/generate_v3.py

writes every v3-*.json case and replaces the v3 lines at the end of EXPECTED.tsv. Cases are made from the
golden fixture ../fixtures/v3-field-conflict.json, which write_bundle wrote, so each differs from a real
export only by what it is about. A v3 checksum is the SHA-256 of the file's bytes before the "checksum"
key, so a case that still parses gets a correct one (except the checksum cases): it is refused for what it
is about, never for its checksum.
"""

import copy
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BASE = json.load(open(os.path.join(HERE, "..", "fixtures", "v3-field-conflict.json"), encoding="utf-8"))


def dump(b, sum_last=True):
    """Compact JSON with the checksum last and correct, as write_bundle writes it."""
    body = {k: v for k, v in b.items() if k != "checksum"}
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))[:-1] + ","
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return text + '"checksum":"sha256:' + digest + '"}'


CASES = []


def case(name, bundle_or_text, expect):
    CASES.append((name, bundle_or_text, expect))


def first_entry(b):
    return b["records"][0]["l"][0]


b = copy.deepcopy(BASE)
first_entry(b)[3] = len(b["devices"]) + 5
case("v3-index-past-the-table", b, f"device index {len(b['devices']) + 5} is not in the device table")

b = copy.deepcopy(BASE)
del b["devices"]
case("v3-devices-table-missing", b, "missing field `devices`")

b = copy.deepcopy(BASE)
e = first_entry(b)
b["records"][0]["ls"] = [[0, e[1], e[2]], [0, e[1], e[2]]]
case("v3-index-twice-in-a-context", b, "names device 0 twice")

b = copy.deepcopy(BASE)
b["devices"].append(copy.deepcopy(b["devices"][0]))
case("v3-table-device-twice", b, "appears twice in the device table")

b = copy.deepcopy(BASE)
b["device"]["d"] = 99
case("v3-exporter-past-the-table", b, "the exporting device is number 99")

b = copy.deepcopy(BASE)
del b["devices"][0]["officer"]
case("v3-table-label-without-officer", b, "has a label or an officer but not both")

b = copy.deepcopy(BASE)
first_entry(b)[3] = -1
case("v3-index-negative", b, "not a valid bundle")

b = copy.deepcopy(BASE)
first_entry(b)[3] = 4294967296
case("v3-index-beyond-u32", b, "not a valid bundle")

b = copy.deepcopy(BASE)
first_entry(b)[3] = b["devices"][0]["id"]
case("v3-stamp-device-as-id", b, "not a valid bundle: invalid type: string")

b = copy.deepcopy(BASE)
r = b["records"][0]
b["records"][0] = {"id": r["id"], "kind": r["k"], "w": r["w"], "l": r["l"]}
case("v3-record-with-v2-keys", b, "unknown field `kind`")

b = copy.deepcopy(BASE)
del b["records"][0]["l"]
case("v3-record-without-life", b, "missing field `l`")

text = dump(BASE)
# The 64 hex digits and the closing quote and brace are the last 66 characters.
case("v3-sum-wrong", text[:-66] + "0" * 64 + '"}', "the checksum does not match the content")

b = copy.deepcopy(BASE)
moved = {"checksum": b["checksum"], **{k: v for k, v in b.items() if k != "checksum"}}
case("v3-sum-not-last", json.dumps(moved, ensure_ascii=False, separators=(",", ":")), "the checksum must be the bundle's last key")

b = copy.deepcopy(BASE)
b["version"] = 4
case("v3-version-4", b, "this bundle needs a newer version of Liaison")

b = copy.deepcopy(BASE)
b["records"][0]["s"] = {"x-nothing-here": [[0, 0, 0]]}
case("v3-context-without-field", b, "has a history but no entries")

b = copy.deepcopy(BASE)
b["records"][0]["w"] = 253402300799999
case("v3-base-past-year-9999", b, "a stamp lies beyond the year 9999")

b = copy.deepcopy(BASE)
first_entry(b).append([[0, 0, 0]])
first_entry(b).append(1)
case("v3-entry-with-six-elements", b, "invalid length 6")

lines = []
for name, content, expect in CASES:
    text = content if isinstance(content, str) else dump(content)
    with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
        f.write(text)
    lines.append(f"{name}.json\t{expect}\n")

path = os.path.join(HERE, "EXPECTED.tsv")
kept = [l for l in open(path, encoding="utf-8") if not l.startswith("v3-")]
with open(path, "w", encoding="utf-8") as f:
    f.writelines(kept + lines)
print(f"wrote {len(CASES)} v3 cases")
