#!/usr/bin/env python3
"""Reads Liaison's exports with parsers nobody here wrote, and compares them with the bundle.

Usage: interop_check.py OUT NAME=BUNDLE [NAME=BUNDLE ...]

For each NAME, scripts/interop-check.sh has written into OUT:
  NAME.vcf, NAME-open.vcf           vCard 4.0 (everything; --max-marking open)
  NAME.ics, NAME-open.ics           iCalendar
  NAME-csv/, NAME-excel/            contacts.csv, meetings.csv, actions.csv (plain; with a BOM)
  NAME-from-vcf.json                the bundle `liaison import-vcf NAME.vcf` made

Expectations come from the bundle itself, read here with the json module: the shown value of each
field is its entry with the highest stamp, as in Liaison. Markings are graded by a re-implementation of
Liaison's rules, so that the ceiling is checked independently too.

Each file is one check. Prints a line per failure, then `interop: N passed, M failed`; exits 1 on
any failure.
"""

import csv
import datetime
import io
import json
import re
import sys
from pathlib import Path

import icalendar
import vobject

# ---- the bundle, read independently ----


def shown(entries):
    """The value a person sees: the entry with the highest stamp (wall ms, counter, device)."""
    # Bundle v2 wraps a register's entries with its context ({"e": [...], "seen": ...}); v1 lists them.
    if isinstance(entries, dict):
        entries = entries["e"]
    return max(entries, key=lambda e: (e["t"][0], e["t"][1], e["t"][2]))["v"]


def shown_v3(entries, base, devices):
    """The same for bundle v3: entries are [value, wall ms after the record's base, counter, device index]."""
    return max(entries, key=lambda e: (base + e[1], e[2], devices[e[3]]))[0]


class Notebook:
    def __init__(self, path):
        bundle = json.loads(Path(path).read_text(encoding="utf-8"))
        self.records = {}
        if bundle["version"] >= 3:
            devices = [d["id"] for d in bundle["devices"]]
            for r in bundle["records"]:
                fields = {k: shown_v3(v, r["w"], devices) for k, v in r.get("f", {}).items()}
                deleted = shown_v3(r["l"], r["w"], devices)
                self.records[r["id"]] = {"id": r["id"], "kind": r["k"], "deleted": deleted, **fields}
            return
        for r in bundle["records"]:
            fields = {k: shown(v) for k, v in r["fields"].items()}
            self.records[r["id"]] = {"id": r["id"], "kind": r["kind"], "deleted": shown(r["life"]), **fields}

    def alive(self, kind):
        return [r for r in self.records.values() if r["kind"] == kind and not r["deleted"]]

    def contacts(self):
        return [c for c in self.alive("contact") if not c.get("merged_into")]

    def resolve(self, cid):
        for _ in range(16):
            r = self.records.get(cid)
            if not r or not r.get("merged_into"):
                return cid
            cid = r["merged_into"]
        return cid

    def participants(self, meeting):
        out, seen = [], set()
        for p in meeting.get("participants", []):
            p = self.resolve(p)
            c = self.records.get(p)
            if p in seen or not c or c["kind"] != "contact" or c["deleted"]:
                continue
            seen.add(p)
            out.append(c)
        return out

    def actions_of(self, mid):
        return sorted((a for a in self.alive("action") if a.get("meeting") == mid), key=lambda a: a["id"])


def level(marking):
    """Liaison's grading of a marking: 0 open/unmarked, 1 restricted, 2 confidential, 3 secret, 4 unknown."""
    m = marking.strip().upper()
    words = set(re.split(r"[^\w]+", m))
    if not m:
        return 0
    if "SECRET" in words:
        return 3
    if "CONFIDENTIAL" in words:
        return 2
    if "RESTRICTED" in words or "REL TO" in m or "NOFORN" in words:
        return 1
    if words & {"UNCLASSIFIED", "PUBLIC", "OFFICIAL"}:
        return 0
    return 4


def within(ceiling, marking):
    return level(marking) <= {"open": 0, "all": 4}[ceiling]


def parse_date(s):
    try:
        return datetime.date.fromisoformat(s) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s) else None
    except ValueError:
        return None


def parse_time(s):
    m = re.fullmatch(r"(\d{2}):(\d{2})", s)
    if m and int(m[1]) < 24 and int(m[2]) < 60:
        return datetime.time(int(m[1]), int(m[2]))
    return None


def guard(s):
    """Liaison's CSV guard against formula injection."""
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def phone_cell(s):
    """Liaison's Phones cell: a plain phone number as the text formula ="…", anything else guarded."""
    plain = s[:1] in ("+", "-") and any(c.isdigit() for c in s) and all(c.isdigit() or c in "+-()./; " for c in s)
    return '="' + s + '"' if plain else guard(s)


# ---- checks ----


class Mismatch(Exception):
    pass


def same(what, got, want):
    if got != want:
        raise Mismatch(f"{what}: read {got!r}, expected {want!r}")


def check_vcf(path, nb, ceiling):
    text = path.read_text(encoding="utf-8")
    cards = list(vobject.readComponents(text))
    expected = {c["id"]: c for c in nb.contacts() if within(ceiling, c.get("marking", ""))}
    got = {}
    for card in cards:
        uid = card.uid.value
        same("UID form", uid.startswith("urn:uuid:"), True)
        got[uid[len("urn:uuid:"):]] = card
    same("contacts (by UID)", sorted(got), sorted(expected))
    for cid, card in got.items():
        c = expected[cid]
        name = c.get("name", "")
        same(f"{cid} VERSION", card.version.value, "4.0")
        same(f"{cid} FN", card.fn.value, name)
        words = name.split()
        same(f"{cid} N family", card.n.value.family, words[-1] if words else "")
        same(f"{cid} N given", card.n.value.given, " ".join(words[:-1]))
        same(f"{cid} EMAIL", [e.value for e in card.contents.get("email", [])], c.get("emails", []))
        same(f"{cid} TEL", [t.value for t in card.contents.get("tel", [])], c.get("phones", []))
        same(f"{cid} TITLE", card.title.value if "title" in card.contents else "", c.get("title", ""))
        org = card.org.value if "org" in card.contents else [""]
        same(f"{cid} ORG", org, [c.get("organisation", "")])
        cats = card.categories.value if "categories" in card.contents else []
        same(f"{cid} CATEGORIES", cats, c.get("tags", []))
        marking = c.get("marking", "")
        got_marking = card.contents["x-liaison-marking"][0].value if "x-liaison-marking" in card.contents else ""
        same(f"{cid} X-LIAISON-MARKING", got_marking, marking)
        notes = c.get("notes", "")
        note = "\n".join(x for x in ([f"Marking: {marking}"] if marking else []) + ([notes] if notes else []))
        same(f"{cid} NOTE", card.note.value if "note" in card.contents else "", note)
    return f"{len(cards)} cards"


def check_ics(path, nb, ceiling):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    same("VERSION", str(cal.get("VERSION")), "2.0")
    meetings = {
        m["id"]: m
        for m in nb.alive("meeting")
        if within(ceiling, m.get("marking", "")) and parse_date(m.get("date", ""))
    }
    events = {str(e.get("UID")): e for e in cal.walk("VEVENT")}
    same("events (by UID)", sorted(events), sorted(f"{mid}@liaison" for mid in meetings))
    todos = {str(t.get("UID")): t for t in cal.walk("VTODO")}
    want_todos = {}
    for mid, m in meetings.items():
        e = events[f"{mid}@liaison"]
        same(f"{mid} SUMMARY", str(e.get("SUMMARY", "")), m.get("title", ""))
        day = parse_date(m["date"])
        start, end = parse_time(m.get("start", "")), parse_time(m.get("end", ""))
        if start:
            same(f"{mid} DTSTART", e.decoded("DTSTART"), datetime.datetime.combine(day, start))
            if end:
                end_day = day + datetime.timedelta(days=1) if end < start else day
                same(f"{mid} DTEND", e.decoded("DTEND"), datetime.datetime.combine(end_day, end))
        else:
            same(f"{mid} DTSTART", e.decoded("DTSTART"), day)
        same(f"{mid} LOCATION", str(e.get("LOCATION", "")), m.get("location", ""))
        marking = m.get("marking", "")
        cls = ["PUBLIC", "CONFIDENTIAL", "CONFIDENTIAL", "PRIVATE", "PRIVATE"][level(marking)]
        same(f"{mid} CLASS", str(e.get("CLASS")), cls)
        same(f"{mid} X-LIAISON-MARKING", str(e.get("X-LIAISON-MARKING", "")), marking)
        attendees = e.get("ATTENDEE", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        people = [c for c in nb.participants(m) if within(ceiling, c.get("marking", ""))]
        want = [c.get("name", "") for c in people] + m.get("attendees", [])
        same(f"{mid} ATTENDEE CN", [str(a.params.get("CN", "")) for a in attendees], want)
        for a, c in zip(attendees, people):
            emails = [x for x in c.get("emails", []) if x.strip()]
            same(f"{mid} ATTENDEE address", str(a), f"mailto:{emails[0]}" if emails else f"urn:uuid:{c['id']}")
        cats = e.get("CATEGORIES")
        same(f"{mid} CATEGORIES", [str(x) for x in cats.cats] if cats else [], m.get("tags", []))
        for a in nb.actions_of(mid):
            want_todos[f"{a['id']}@liaison"] = (a, mid)
    same("to-dos (by UID)", sorted(todos), sorted(want_todos))
    for uid, (a, mid) in want_todos.items():
        t = todos[uid]
        same(f"{uid} SUMMARY", str(t.get("SUMMARY", "")), a.get("text", ""))
        same(f"{uid} RELATED-TO", str(t.get("RELATED-TO")), f"{mid}@liaison")
        same(f"{uid} STATUS", str(t.get("STATUS")), "COMPLETED" if a.get("done") else "NEEDS-ACTION")
        due = parse_date(a.get("due", ""))
        same(f"{uid} DUE", t.decoded("DUE") if t.get("DUE") else None, due)
    return f"{len(events)} events, {len(todos)} to-dos"


def check_csv(directory, nb, excel):
    counts = []
    contacts = {c["id"]: c for c in nb.contacts()}
    meetings = {m["id"]: m for m in nb.alive("meeting")}
    actions = {a["id"]: a for a in nb.alive("action")}
    names = ["Id", "Name", "Title", "Organisation", "Nation", "Role", "Emails", "Phones", "Languages", "Tags", "Notes", "Marking"]
    for file, want, header, fields in [
        ("contacts.csv", contacts, names, [("Name", "name"), ("Title", "title"), ("Marking", "marking")]),
        ("meetings.csv", meetings, None, [("Title", "title"), ("Date", "date"), ("Start", "start"), ("End", "end"), ("Location", "location"), ("Marking", "marking")]),
        ("actions.csv", actions, None, [("Action", "text"), ("Owner", "owner"), ("Due", "due")]),
    ]:
        raw = (directory / file).read_bytes()
        same(f"{file} byte-order mark", raw.startswith(b"\xef\xbb\xbf"), excel)
        same(f"{file} line ends", b"\r\n" in raw and not re.search(rb"(?<!\r)\n(?=[0-9a-f]{8}-)", raw), True)
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        if header:
            same(f"{file} header", list(rows[0].keys()) if rows else header, header)
        same(f"{file} ids", sorted(r["Id"] for r in rows), sorted(want))
        for r in rows:
            rec = want[r["Id"]]
            for column, key in fields:
                same(f"{file} {r['Id']} {column}", r[column], guard(rec.get(key, "")))
            if file == "contacts.csv":
                same(f"{file} {r['Id']} Phones", r["Phones"], phone_cell("; ".join(rec.get("phones", []))))
            if file == "actions.csv":
                same(f"{file} {r['Id']} Done", r["Done"], "yes" if rec.get("done") else "no")
            if file == "meetings.csv":
                people = "; ".join(c.get("name", "") or "Unnamed contact" for c in nb.participants(rec))
                same(f"{file} {r['Id']} Participants", r["Participants"], guard(people))
        counts.append(f"{len(rows)} {file[:-4]}")
    return ", ".join(counts)


def check_vcf_bundle(path, nb):
    """The bundle `import-vcf` made from NAME.vcf holds the same contacts, under the same ids."""
    back = Notebook(path)
    got = {c["id"]: c for c in back.contacts()}
    want = {c["id"]: c for c in nb.contacts()}
    same("contact ids", sorted(got), sorted(want))
    for cid, c in want.items():
        for key in ["name", "title", "organisation", "nation", "role", "emails", "phones", "languages", "notes", "tags", "marking"]:
            empty = [] if key in ("emails", "phones", "languages", "tags") else ""
            same(f"{cid} {key}", got[cid].get(key, empty), c.get(key, empty))
    return f"{len(got)} contacts"


def main(argv):
    out = Path(argv[1])
    passed, failed = 0, 0
    for arg in argv[2:]:
        name, bundle = arg.split("=", 1)
        nb = Notebook(bundle)
        checks = [
            (f"{name}.vcf", lambda: check_vcf(out / f"{name}.vcf", nb, "all")),
            (f"{name}-open.vcf", lambda: check_vcf(out / f"{name}-open.vcf", nb, "open")),
            (f"{name}.ics", lambda: check_ics(out / f"{name}.ics", nb, "all")),
            (f"{name}-open.ics", lambda: check_ics(out / f"{name}-open.ics", nb, "open")),
            (f"{name}-csv/", lambda: check_csv(out / f"{name}-csv", nb, False)),
            (f"{name}-excel/", lambda: check_csv(out / f"{name}-excel", nb, True)),
            (f"{name}-from-vcf.json", lambda: check_vcf_bundle(out / f"{name}-from-vcf.json", nb)),
        ]
        for label, check in checks:
            try:
                detail = check()
                passed += 1
                print(f"ok   {label}: {detail}")
            except Exception as e:  # any parser error is a failure of the check, reported, not a crash
                failed += 1
                print(f"FAIL {label}: {type(e).__name__}: {e}")
    print(f"interop: {passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
