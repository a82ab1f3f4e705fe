#!/usr/bin/env python3
"""gen-isms.py - write a large synthetic ISMS repository for the benchmark.

usage: python3 tests/bench/gen-isms.py [--stamp] DEST

Creates a git repository at DEST (replacing an earlier output) holding the
ISMS of a made-up logistics company, laid out as docs/isms-repository.md
describes: 1,000 people, 20,000 training records, 10,000 assets, 2,000
risks, 300 policies and procedures, the Statement of Applicability with all
93 Annex A controls, audits, management reviews, suppliers, incidents,
nonconformities, changes, metrics and evidence records, built up over 2,000
commits of history spanning two years by several authors.

Every record uses the field names, types and allowed values declared in
lib/records/record.c, so the repository validates; the rule packs still find
plenty to report (overdue reviews, leavers whose access was removed late),
as in a real ISMS.

The output depends only on this file and rules/iso27001-2022.json: a fixed
random seed, fixed dates, fixed authors. The history is written through one
`git fast-import` stream. --stamp prints the fingerprint that the finished
repository records in .git/bench-stamp, so a caller can reuse it.
"""

import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOGUE = os.path.join(HERE, "..", "..", "rules", "iso27001-2022.json")

SEED = 27001
START = dt.date(2024, 11, 25)  # the import of the records into git
END = dt.date(2026, 11, 20)  # the last commit
N_COMMITS = 2000
N_PEOPLE = 1000
N_TRAINING = 20000
N_RISKS = 2000
N_DOCS = 300
ASSET_FILES = [  # file, id prefix, kind, count, names
    ("endpoints", "EP", "hardware", 3000, ["Laptop", "Desktop", "Thin client"]),
    ("mobile-devices", "MD", "hardware", 1500, ["Handheld scanner", "Smartphone", "Tablet"]),
    ("servers", "SRV", "infrastructure", 1200, ["Virtual server", "Database server",
                                                "Kubernetes node"]),
    ("network", "NET", "infrastructure", 800, ["Switch", "Firewall", "Wireless access point",
                                               "Router"]),
    ("applications", "APP", "application", 900, ["Warehouse app", "Dispatch app",
                                                 "Billing service", "Carrier API"]),
    ("information", "INF", "information", 1000, ["Customer shipment data", "Payroll records",
                                                 "Contracts", "Route plans"]),
    ("saas", "SAAS", "saas", 400, ["SaaS subscription"]),
    ("facilities", "FAC", "facility", 200, ["Server room", "Loading dock", "Office floor"]),
    ("vehicle-telematics", "VT", "hardware", 600, ["Telematics unit"]),
    ("removable-media", "RM", "hardware", 400, ["Encrypted USB drive", "Backup tape"]),
]
ORG = "Nordlicht Logistik AG"
DOMAIN = "nordlicht.example"


def stamp():
    """The fingerprint of what the output depends on."""
    h = hashlib.sha256()
    for path in (os.path.abspath(__file__), CATALOGUE):
        with open(path, "rb") as f:
            h.update(f.read())
    return h.hexdigest()


if sys.argv[1:] == ["--stamp"]:
    print(stamp())
    sys.exit(0)

rng = random.Random(SEED)
D = dt.date
DAY = dt.timedelta(days=1)


def days(n):
    return dt.timedelta(days=n)


def rand_date(a, b):
    """A date from a to b inclusive."""
    if b <= a:
        return a
    return a + days(rng.randrange((b - a).days + 1))


def add_months(d, n):
    m = d.month - 1 + n
    y, m = d.year + m // 12, m % 12 + 1
    last = [31, 29 if y % 4 == 0 and (y % 100 or y % 400 == 0) else 28, 31, 30, 31, 30,
            31, 31, 30, 31, 30, 31][m - 1]
    return D(y, m, min(d.day, last))


# ---- YAML writing ----


class Ctl(str):
    """A dotted id (control, clause) that is always written in quotes."""


PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,()/'+&%-]*\Z")
RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def scalar(v, flow=False):
    """Write one value so that it reads back as the same YAML value."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    s = str(v)
    if (not isinstance(v, Ctl) and PLAIN.match(s) and not s.endswith(" ") and
            s.lower() not in RESERVED and not (flow and "," in s)):
        return s
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ymap(d, ind):
    """The fields of d as block mapping lines indented by ind; None is left out."""
    out = []
    pad = " " * ind
    for k, v in d.items():
        if v is None or v == []:
            continue
        if isinstance(v, dict):
            out.append(f"{pad}{k}:\n{ymap(v, ind + 2)}")
        elif isinstance(v, list) and isinstance(v[0], dict):
            out.append(f"{pad}{k}:\n" + "".join(yitem(x, ind + 2) for x in v))
        elif isinstance(v, list) and any(len(str(x)) > 40 for x in v):
            out.append(f"{pad}{k}:\n" + "".join(f"{pad}  - {scalar(x)}\n" for x in v))
        elif isinstance(v, list):
            out.append(f"{pad}{k}: [" + ", ".join(scalar(x, True) for x in v) + "]\n")
        else:
            out.append(f"{pad}{k}: {scalar(v)}\n")
    return "".join(out)


def yitem(d, ind):
    """One mapping as an item of a block list at indent ind."""
    body = ymap(d, ind + 2)
    return " " * ind + "- " + body[ind + 2:]


def markdown(front, body):
    return "---\n" + ymap(front, 0) + "---\n" + body


# ---- the repository state ----


class Repo:
    """The files at the current commit; changed paths are collected in dirty."""

    def __init__(self):
        self.files = {}  # path -> str or Coll
        self.dirty = set()

    def put(self, path, text):
        self.files[path] = text
        self.dirty.add(path)

    def coll(self, path, key, header):
        c = Coll(self, path, key, header)
        self.files[path] = c
        return c

    def text(self, path):
        f = self.files[path]
        return f.render() if isinstance(f, Coll) else f


class Coll:
    """A collection file: records kept with their rendered text, so that a
    change re-renders one record only."""

    def __init__(self, repo, path, key, header):
        self.repo, self.path, self.key, self.header = repo, path, key, header
        self.recs, self.txt, self.pos = [], [], {}

    def add(self, rec):
        if "id" in rec:
            self.pos[rec["id"]] = len(self.recs)
        self.recs.append(rec)
        self.txt.append(yitem(rec, 2))
        self.repo.dirty.add(self.path)

    def get(self, rid):
        return self.recs[self.pos[rid]]

    def update(self, rid, **changes):
        i = self.pos[rid]
        self.recs[i].update(changes)
        self.txt[i] = yitem(self.recs[i], 2)
        self.repo.dirty.add(self.path)

    def render(self):
        return self.header + f"{self.key}:\n" + "".join(self.txt)


repo = Repo()

# ---- history events ----

events = []  # (date, hour or None, seq, author, message, fn)


def event(day, author, msg, fn, hour=None):
    events.append([day, hour, len(events), author, msg, fn])


# ---- the catalogue ----

with open(CATALOGUE, encoding="utf-8") as f:
    CONTROLS = [(c["id"], c["title"]) for c in json.load(f)["annex_a"]]
assert len(CONTROLS) == 93
EXCLUDED = {"8.30": "No development is outsourced: all software is built by in-house "
                    "teams or bought as standard products (see suppliers.yaml)."}
APPLICABLE = [c for c, _ in CONTROLS if c not in EXCLUDED]
TITLE = dict(CONTROLS)

# ---- people ----

KEY_PEOPLE = [  # id stem, name, department, role
    ("katrin-albers", "Katrin Albers", "Management", "Chief Executive Officer"),
    ("martin-hoffmann", "Martin Hoffmann", "Management", "Chief Financial Officer"),
    ("yusuf-demir", "Yusuf Demir", "Management", "Chief Operating Officer"),
    ("lena-brandt", "Lena Brandt", "IT Security", "Chief Information Security Officer"),
    ("jonas-krueger", "Jonas Krüger", "Legal and Compliance", "ISMS Manager"),
    ("anja-wolf", "Anja Wolf", "Human Resources", "Head of Human Resources"),
    ("tobias-schulz", "Tobias Schulz", "IT", "Head of IT"),
    ("miriam-peters", "Miriam Peters", "Legal and Compliance", "Risk Manager"),
    ("felix-wagner", "Felix Wagner", "Legal and Compliance", "Internal Audit Lead"),
    ("sofia-romano", "Sofia Romano", "Legal and Compliance", "Data Protection Officer"),
]
DEPARTMENTS = [  # name, size, job titles
    ("Management", 10, ["Executive Assistant", "Strategy Manager"]),
    ("IT Security", 20, ["Security Engineer", "SOC Analyst", "Security Architect"]),
    ("Legal and Compliance", 15, ["Compliance Officer", "Legal Counsel"]),
    ("Human Resources", 25, ["HR Business Partner", "Recruiter", "Payroll Specialist"]),
    ("IT", 70, ["System Administrator", "Service Desk Agent", "Network Engineer",
                "Database Administrator"]),
    ("Software Engineering", 160, ["Software Engineer", "Product Owner", "QA Engineer",
                                   "Site Reliability Engineer"]),
    ("Warehouse Operations", 320, ["Warehouse Operative", "Shift Lead", "Forklift Driver",
                                   "Inventory Controller"]),
    ("Transport", 180, ["Dispatcher", "Fleet Manager", "Driver", "Route Planner"]),
    ("Customer Service", 90, ["Customer Service Agent", "Key Account Manager"]),
    ("Finance", 40, ["Accountant", "Controller", "Accounts Payable Clerk"]),
    ("Procurement", 30, ["Buyer", "Supplier Manager"]),
    ("Sales", 40, ["Sales Manager", "Sales Representative"]),
]
assert sum(d[1] for d in DEPARTMENTS) == N_PEOPLE
FIRST = ("Anna Ben Clara David Elif Emil Eva Finn Greta Hanna Henrik Ida Ismail Jakob Jana "
         "Julia Jürgen Karl Lara Leon Lina Luca Lukas Maja Marek Maria Max Mia Mila Moritz "
         "Nadia Nele Niklas Noah Ole Paul Pia Rafael Rosa Sara Simon Sophie Stefan Tarek "
         "Theo Tim Ursula Valentin Vera Yara Zoe Ahmet Björn Chiara Dana Ewa Fatima Gustav "
         "Hugo Irina").split()
LAST = ("Bauer Becker Berger Braun Busch Dietrich Engel Fischer Franke Frey Fuchs Graf Hahn "
        "Hartmann Herrmann Horn Jung Kaiser Keller Klein Koch Köhler König Kowalski Krause "
        "Kuhn Lange Lehmann Lorenz Ludwig Maier Marx Meyer Möller Nowak Öztürk Pohl Richter "
        "Roth Sauer Schäfer Scholz Schröder Schubert Schwarz Seidel Sommer Stein Thomas Vogel "
        "Voigt Walter Weber Weiß Werner Winkler Winter Wolff Yilmaz Ziegler Zimmermann Haas "
        "Peters Jansen Petersen Nielsen Kovač Novak Rossi Silva Costa Dubois Laurent").split()
ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ö": "Oe", "Ü": "Ue",
                       "Ä": "Ae", "č": "c", "ł": "l"})


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.translate(ASCII).lower()).strip("-")


def make_people():
    taken = {k[0] for k in KEY_PEOPLE}
    combos = [(a, b) for a in FIRST for b in LAST]
    rng.shuffle(combos)
    names = [n for n in (f"{a} {b}" for a, b in combos) if slug(n) not in taken]
    people, by_dept = [], {d[0]: [] for d in DEPARTMENTS}
    for stem, name, dept, role in KEY_PEOPLE:
        people.append({"id": "p-" + stem, "name": name, "dept": dept, "role": role,
                       "key": True})
    ni = 0
    for dept, size, titles in DEPARTMENTS:
        have = sum(1 for p in people if p["dept"] == dept)
        for j in range(size - have):
            name = names[ni]
            ni += 1
            role = f"Head of {dept}" if j == 0 and have == 0 else rng.choice(titles)
            people.append({"id": "p-" + slug(name), "name": name, "dept": dept, "role": role,
                           "key": j == 0 and have == 0})
    for p in people:
        by_dept[p["dept"]].append(p)
    heads = {d: ps[0] for d, ps in by_dept.items()}
    heads["Management"] = people[0]
    for p in people:
        h = heads[p["dept"]]
        p["manager"] = None if p is people[0] else (people[0]["id"] if h is p else h["id"])
    # Joining and leaving: 30 left before the import, 770 active at it,
    # 200 join during the two years; 80 leave during them.
    order = [p for p in people if not p["key"]]
    rng.shuffle(order)
    for p in people:
        p["joined"] = rand_date(D(2008, 1, 1), D(2020, 12, 31)) if p["key"] else None
        p["left"] = None
    for i, p in enumerate(order):
        if i < 30:
            p["joined"] = rand_date(D(2012, 1, 1), D(2021, 12, 31))
            p["left"] = rand_date(p["joined"] + days(400), D(2024, 10, 31))
        elif i < 30 + 200:
            p["joined"] = rand_date(START + days(20), END - days(10))
            if i < 30 + 10:
                p["left"] = rand_date(p["joined"] + days(60), END + days(120))
        else:
            p["joined"] = rand_date(D(2012, 1, 1), START - days(20))
            if i < 230 + 70:
                p["left"] = rand_date(START + days(5), END - days(3))
    for p in people:
        if p["left"] and p["left"] > END - days(3):
            p["left"] = None
    for p in people:
        fill_person(p)
    return people


def fill_person(p):
    j = p["joined"]
    rec = {
        "id": p["id"], "name": p["name"],
        "email": p["id"][2:].replace("-", ".", 1) + "@" + DOMAIN,
        "employment": rng.choices(["employee", "contractor", "temporary"], [90, 8, 2])[0],
        "department": p["dept"], "role": p["role"], "manager": p["manager"],
        "joined": j, "left": None,
        "screening_completed_on": None if rng.random() < 0.02 else j - days(rng.randint(5, 40)),
        "terms_signed_on": j - days(rng.randint(3, 30)),
        "nda_signed_on": None if rng.random() < 0.01 else j - days(rng.randint(3, 30)),
        "remote_worker": p["dept"] in ("Software Engineering", "IT", "IT Security",
                                       "Customer Service") and rng.random() < 0.5,
    }
    if p["key"] and p["dept"] in ("IT Security", "Legal and Compliance"):
        rec["competences"] = [rng.choice(["ISO/IEC 27001 Lead Implementer certificate",
                                          "ISO/IEC 27001 Lead Auditor certificate",
                                          "CISSP", "CISA", "Certified data protection officer"])]
    p["rec"] = rec


def leave_fields(p):
    lf = p["left"]
    late = rng.random() < 0.05
    return {"left": lf,
            "access_removed_on": lf + days(rng.randint(5, 20) if late else rng.randint(0, 1)),
            "assets_returned_on": lf + days(rng.randint(0, 3))}


PEOPLE = make_people()
PID = {p["id"]: p for p in PEOPLE}
TOP = [PEOPLE[0]["id"], PEOPLE[1]["id"], PEOPLE[2]["id"]]
CISO, ISMSM, HRH, ITH, RISKM, AUDL, DPO = (PEOPLE[i]["id"] for i in range(3, 10))
STABLE = [p["id"] for p in PEOPLE if p["key"]]  # never leave: owners, approvers
ENGINEERS = [p["id"] for p in PEOPLE if p["dept"] in ("IT", "IT Security") and
             p["left"] is None and p["joined"] < START]
AUTHORS = {
    "isms": PEOPLE[4], "ciso": PEOPLE[3], "hr": PEOPLE[5], "it": PEOPLE[6],
    "risk": PEOPLE[7], "audit": PEOPLE[8], "dpo": PEOPLE[9],
    "ops": PID[ENGINEERS[0]], "sec": PID[ENGINEERS[1]],
}


def active(pid, d):
    p = PID[pid]
    return p["joined"] <= d and (p["left"] is None or p["left"] > d)


def hr_setup():
    c = repo.coll("people/personnel.yaml", "people",
                  "# Personnel in the scope of the ISMS (7.2, A.6). Exported from the HR\n"
                  "# system every second Friday; do not edit by hand.\n")
    pending = sorted(PEOPLE, key=lambda p: (p["joined"], p["id"]))
    leavers = sorted((p for p in PEOPLE if p["left"]), key=lambda p: (p["left"], p["id"]))
    state = {"j": 0, "l": 0}

    def sync(d):
        while state["j"] < len(pending) and pending[state["j"]]["joined"] - days(14) <= d:
            c.add(pending[state["j"]]["rec"])
            state["j"] += 1
        while state["l"] < len(leavers) and leavers[state["l"]]["left"] < d:
            p = leavers[state["l"]]
            if p["id"] in c.pos:
                c.update(p["id"], **leave_fields(p))
            state["l"] += 1

    event(START - DAY, "hr", "", lambda: sync(START - DAY))
    d, prev = START + days(4), START - DAY
    while d <= END:
        if any(prev < p["joined"] - days(14) <= d for p in pending) or \
           any(prev <= p["left"] < d for p in leavers):
            event(d, "hr", "Personnel export from the HR system " + d.isoformat(),
                  lambda d=d: sync(d), hour=16)
            prev = d
        d += days(14)
    return c


PERSONNEL = hr_setup()

# ---- policies and procedures ----

POLICY_TOPICS = [
    ("information-security-policy", "Information security policy", ["5.1"]),
    ("acceptable-use-policy", "Acceptable use policy", ["5.10"]),
    ("access-control-policy", "Access control policy", ["5.15", "5.18"]),
    ("asset-management-policy", "Asset management policy", ["5.9", "5.11"]),
    ("backup-policy", "Backup policy", ["8.13"]),
    ("business-continuity-policy", "Business continuity policy", ["5.29", "5.30"]),
    ("classification-policy", "Information classification policy", ["5.12", "5.13"]),
    ("clean-desk-policy", "Clear desk and clear screen policy", ["7.7"]),
    ("cloud-services-policy", "Cloud services policy", ["5.23"]),
    ("cryptography-policy", "Cryptography policy", ["8.24"]),
    ("data-protection-policy", "Data protection policy", ["5.34"]),
    ("email-policy", "E-mail and messaging policy", ["5.14"]),
    ("hr-security-policy", "Human resources security policy", ["6.1", "6.2", "6.5"]),
    ("incident-management-policy", "Incident management policy", ["5.24", "5.26"]),
    ("logging-policy", "Logging and monitoring policy", ["8.15", "8.16"]),
    ("malware-policy", "Protection against malware policy", ["8.7"]),
    ("mobile-device-policy", "Mobile device policy", ["8.1"]),
    ("network-security-policy", "Network security policy", ["8.20", "8.21", "8.22"]),
    ("password-policy", "Password policy", ["5.17"]),
    ("patch-management-policy", "Patch management policy", ["8.8"]),
    ("physical-security-policy", "Physical security policy", ["7.1", "7.2", "7.3"]),
    ("remote-working-policy", "Remote working policy", ["6.7"]),
    ("retention-policy", "Records retention policy", ["5.33"]),
    ("secure-development-policy", "Secure development policy", ["8.25", "8.28"]),
    ("supplier-security-policy", "Supplier security policy", ["5.19", "5.20"]),
    ("threat-intelligence-policy", "Threat intelligence policy", ["5.7"]),
    ("vulnerability-management-policy", "Vulnerability management policy", ["8.8"]),
    ("change-management-policy", "Change management policy", ["8.32"]),
    ("capacity-management-policy", "Capacity management policy", ["8.6"]),
    ("removable-media-policy", "Removable media policy", ["7.10"]),
    ("privileged-access-policy", "Privileged access policy", ["8.2"]),
    ("identity-management-policy", "Identity management policy", ["5.16"]),
    ("information-transfer-policy", "Information transfer policy", ["5.14"]),
    ("legal-compliance-policy", "Legal and contractual compliance policy", ["5.31", "5.32"]),
    ("screening-policy", "Screening policy", ["6.1"]),
    ("disciplinary-policy", "Disciplinary process policy", ["6.4"]),
    ("data-masking-policy", "Data masking policy", ["8.11"]),
    ("dlp-policy", "Data leakage prevention policy", ["8.12"]),
    ("web-filtering-policy", "Web filtering policy", ["8.23"]),
    ("clock-synchronisation-standard", "Clock synchronisation standard", ["8.17"]),
]
AREAS = ["warehouse", "transport", "fleet", "customer-service", "finance", "payroll",
         "service-desk", "datacentre", "network", "cloud-platform", "erp", "wms",
         "telematics", "hr", "procurement", "sales", "software-delivery", "identity",
         "endpoint", "security-operations", "facilities", "legal", "privacy", "backup",
         "supplier"]
ACTIVITIES = [("onboarding", "5.16"), ("offboarding", "5.18"), ("access-review", "5.18"),
              ("incident-response", "5.26"), ("backup-restore", "8.13"),
              ("change-approval", "8.32"), ("log-review", "8.15"), ("patching", "8.8"),
              ("key-handling", "8.24"), ("media-disposal", "7.14"),
              ("visitor-handling", "7.2"), ("data-export", "5.14"),
              ("continuity-test", "5.30"), ("vulnerability-triage", "8.8"),
              ("configuration-baseline", "8.9"), ("evidence-collection", "5.28")]
AREA_NAMES = {"erp": "ERP", "wms": "WMS", "hr": "HR", "service-desk": "Service desk",
              "datacentre": "Data centre"}
SENTENCES = [
    "This document applies to all employees, contractors and temporary staff of the company.",
    "Exceptions require the written approval of the information security officer and are recorded in the risk register.",
    "The owner reviews this document at least once a year and after every significant change.",
    "Information is handled according to its classification label.",
    "Access is granted on the principle of least privilege and removed when no longer needed.",
    "Every step is recorded in the ticket system so that it can be audited later.",
    "Suppliers that process company information are bound by the same requirements through their contracts.",
    "Violations are reported to the service desk and handled as security events.",
    "Managers make sure that their teams know and follow this document.",
    "The information security team monitors compliance and reports the results to management each quarter.",
    "Logs of the activity are kept for at least twelve months.",
    "Changes to production systems follow the change management procedure.",
    "Where personal data are involved, the data protection officer is consulted first.",
    "Shift leads in the warehouses confirm the steps at the start of each shift.",
    "Drivers report lost or stolen devices to dispatch immediately.",
    "Results are stored as evidence records in the ISMS repository.",
    "Passwords and keys are never shared by e-mail or chat.",
    "Critical systems are listed in the asset inventory with their owners.",
    "The procedure is tested at least once a year and the lessons learned are recorded.",
    "Training on this document is part of the induction of new staff.",
]
REVISION_NOTES = ["Clarify responsibilities", "Align with the new organisation chart",
                  "Update after internal audit", "Reflect lessons learned from an incident",
                  "Annual review", "Tighten retention periods", "Add warehouse specifics",
                  "Reword for readability", "Update references to supplier contracts",
                  "Add requirements for remote staff"]


def make_docs():
    docs = []
    for i, (stem, title, ctls) in enumerate(POLICY_TOPICS):
        docs.append({"path": f"policies/{stem}.md", "id": stem, "title": title,
                     "kind": "policy" if i == 0 else ("standard" if "standard" in stem
                                                     else "topic-policy"),
                     "controls": ctls, "ack": i < 24})
    combos = [(a, b) for a in AREAS for b in ACTIVITIES]
    rng.shuffle(combos)
    for area, (act, ctl) in combos[:N_DOCS - len(docs)]:
        stem = f"{area}-{act}"
        title = (AREA_NAMES.get(area, area.replace("-", " ").capitalize()) + ": " +
                 act.replace("-", " "))
        docs.append({"path": f"procedures/{stem}.md", "id": stem, "title": title,
                     "kind": "standard" if rng.random() < 0.15 else "procedure",
                     "controls": [ctl], "ack": False})
    for d in docs:
        d["owner"] = CISO if d["kind"] == "policy" else rng.choice(STABLE[3:])
        d["approver"] = TOP[0] if d["kind"] == "policy" else rng.choice([CISO, ISMSM] + TOP)
        d["body"] = [rng.sample(SENTENCES, 3) for _ in range(4)]
        d["major"], d["minor"] = rng.randint(1, 3), rng.randint(0, 5)
    return docs


DOCS = make_docs()
ACK_DOCS = [d for d in DOCS if d["ack"]]


def doc_text(d):
    front = {
        "id": d["id"], "title": d["title"], "kind": d["kind"], "owner": d["owner"],
        "approved_by": d["approver"] if d["status"] != "draft" else None,
        "approved_on": d["approved_on"] if d["status"] != "draft" else None,
        "reviewed_on": d.get("reviewed_on"), "review_months": d["review_months"],
        "version": f"{d['major']}.{d['minor']}", "status": d["status"],
        "controls": [Ctl(c) for c in d["controls"]],
        "clauses": [Ctl("7.5")] if d["id"].endswith("evidence-collection") else None,
        "acknowledgement_required": d["ack"],
    }
    heads = ["Purpose", "Scope", "Requirements", "Responsibilities"]
    body = f"# {d['title']}\n"
    for h, para in zip(heads, d["body"]):
        body += f"\n## {h}\n\n" + "\n".join(para) + "\n"
    note = d.get("note", "Initial version")
    body += f"\n## Document history\n\n- {d['major']}.{d['minor']}: {note}\n"
    return markdown(front, body)


def docs_setup():
    early = DOCS[:240]
    late = DOCS[240:]
    for d in early:
        d["approved_on"] = rand_date(D(2023, 6, 1), START - days(3))
        d["status"] = "approved"
        d["review_months"] = 24 if d["kind"] == "standard" else 12
        event(d["approved_on"], d["owner"], "", lambda d=d: repo.put(d["path"], doc_text(d)))
    for d in late:
        d["created"] = rand_date(START + days(10), END - days(30))
        d["approved_on"] = d["created"]
        d["status"] = "draft"
        d["major"], d["minor"] = 0, 1
        d["review_months"] = 12

        def create(d=d):
            repo.put(d["path"], doc_text(d))

        event(d["created"], d["owner"], f"Add draft {d['title'].lower()}", create)


docs_setup()


def revise(d, day):
    """A revision of one document: approval of a draft, a new version, or a
    review that leaves the text unchanged."""
    if d["status"] == "draft":
        d["status"], d["major"], d["minor"], d["approved_on"] = "approved", 1, 0, day
        d["note"] = "First approved version"
        return f"Approve {d['title'].lower()} version 1.0"
    if rng.random() < 0.25:
        d["reviewed_on"] = day
        return f"Review {d['title'].lower()}: no changes needed"
    note = rng.choice(REVISION_NOTES)
    if rng.random() < 0.2:
        d["major"], d["minor"] = d["major"] + 1, 0
    else:
        d["minor"] += 1
    d["approved_on"], d["note"] = day, note
    d.pop("reviewed_on", None)
    para = d["body"][rng.randrange(4)]
    para[rng.randrange(3)] = rng.choice(SENTENCES)
    if rng.random() < 0.1 and len(d["controls"]) < 4:
        extra = rng.choice(APPLICABLE)
        if extra not in d["controls"]:
            d["controls"] = d["controls"] + [extra]
    return f"{d['title']} {d['major']}.{d['minor']}: {note.lower()}"


# ---- training records ----


def make_training():
    recs = []
    last = END - DAY

    def add(pid, course, kind, when, expires=None, policy=None, passed=None):
        if when > last or when < D(2024, 1, 1) or not active(pid, when):
            return
        recs.append({"person": pid, "course": course, "kind": kind, "policy": policy,
                     "completed_on": when, "expires_on": expires, "passed": passed})

    for p in PEOPLE:
        if p["joined"] >= D(2024, 1, 1):
            add(p["id"], "Information security induction", "induction",
                p["joined"] + days(rng.choice([0, 1, 2, 3, 5, 7, 10, 14, 45])), passed=True)
    for year in (2024, 2025, 2026):
        for p in PEOPLE:
            if rng.random() < 0.96:
                when = rand_date(D(year, 1, 8), D(year, 4, 30))
                add(p["id"], f"Security awareness {year}", "awareness", when,
                    expires=add_months(when, 12), passed=rng.random() < 0.98)
    role_courses = ["Secure coding", "Cloud security fundamentals", "Incident response drill",
                    "Privileged access handling", "Phishing simulation follow-up",
                    "Data protection for customer service", "Secure driving and device care"]
    for p in PEOPLE:
        n = 4 if p["dept"] in ("Software Engineering", "IT", "IT Security") else 1
        for _ in range(n):
            when = rand_date(D(2024, 1, 1), last)
            add(p["id"], rng.choice(role_courses), "role", when,
                expires=add_months(when, 24), passed=True)
    while len(recs) < N_TRAINING:
        p = PEOPLE[rng.randrange(len(PEOPLE))]
        d = rng.choice(ACK_DOCS)
        add(p["id"], "Read and accepted: " + d["title"], "policy-acknowledgement",
            rand_date(D(2024, 1, 1), last), policy=d["id"])
    recs = recs[:N_TRAINING]
    recs.sort(key=lambda r: (r["completed_on"], r["person"]))
    for i, r in enumerate(recs):
        r["evidence"] = f"LMS-{r['completed_on'].year}-{i + 1:06d}"
    return recs


def training_setup():
    recs = make_training()
    colls = {}
    state = {"i": 0}

    def coll(year):
        if year not in colls:
            colls[year] = repo.coll(
                f"people/training/{year}.yaml", "training",
                f"# Training and awareness records completed in {year} (7.2, 7.3).\n"
                "# Exported weekly from the learning management system.\n")
        return colls[year]

    def export(d):
        while state["i"] < len(recs) and recs[state["i"]]["completed_on"] < d:
            r = recs[state["i"]]
            coll(r["completed_on"].year).add(r)
            state["i"] += 1

    event(START - DAY, "lms", "", lambda: export(START))
    d = START + days(7)
    while d <= END:
        event(d, "lms", f"Weekly export from the learning management system, week "
              f"{d.isocalendar()[1]}/{d.isocalendar()[0]}", lambda d=d: export(d), hour=6)
        d += days(7)
    event(END, "lms", "Export from the learning management system before the audit",
          lambda: export(END + DAY), hour=6)
    return recs


TRAINING = training_setup()

# ---- assets ----

LOCATIONS = ["Hamburg HQ", "Hamburg data centre", "Bremen hub", "Hannover hub",
             "Leipzig hub", "Dortmund hub", "AWS eu-central-1", "Azure West Europe",
             "Remote workplace"]
CLASSES = ["public", "internal", "confidential", "strictly-confidential"]
SUPPLIERS_N = 120


def make_assets():
    files = []
    for stem, prefix, kind, count, labels in ASSET_FILES:
        recs = []
        for i in range(count):
            created = (rand_date(D(2019, 1, 1), START - days(2)) if rng.random() < 0.85
                       else rand_date(START + days(3), D(2026, 10, 30)))
            rec = {"id": f"AS-{prefix}-{i + 1:05d}",
                   "name": f"{rng.choice(labels)} {prefix}-{i + 1:05d}",
                   "kind": kind,
                   "description": f"{kind.capitalize()} asset used by "
                                  f"{rng.choice(DEPARTMENTS)[0].lower()}",
                   "owner": rng.choice(STABLE[3:]),
                   "classification": rng.choice(CLASSES),
                   "location": rng.choice(LOCATIONS),
                   "production": rng.random() < 0.8,
                   "backup_required": kind in ("infrastructure", "application", "information",
                                               "saas") and rng.random() < 0.7,
                   "supplier": f"S-{rng.randint(1, SUPPLIERS_N):03d}" if kind == "saas" else None}
            retire = None
            if kind == "hardware" and rng.random() < 0.06:
                retire = rand_date(max(created, START) + days(30), END + days(200))
                if retire > END:
                    retire = None
            recs.append((created, retire, rec))
        files.append((stem, recs))
    return files


def assets_setup():
    all_ids = []
    for stem, recs in make_assets():
        c = repo.coll(f"assets/{stem}.yaml", "assets",
                      f"# Asset inventory: {stem.replace('-', ' ')} (A.5.9). Synchronised "
                      "from the CMDB on the first working day of each month.\n")
        recs.sort(key=lambda r: r[2]["id"])
        adds = sorted(recs, key=lambda r: (r[0], r[2]["id"]))
        rets = sorted((r for r in recs if r[1]), key=lambda r: (r[1], r[2]["id"]))
        state = {"a": 0, "r": 0}

        def sync(d, c=c, adds=adds, rets=rets, state=state):
            while state["a"] < len(adds) and adds[state["a"]][0] < d:
                c.add(adds[state["a"]][2])
                state["a"] += 1
            while state["r"] < len(rets) and rets[state["r"]][1] < d:
                rec = rets[state["r"]][2]
                c.update(rec["id"], retired_on=rets[state["r"]][1], production=False)
                state["r"] += 1

        event(START - DAY, "cmdb", "", lambda sync=sync: sync(START))
        m, prev = D(START.year, START.month, 1), START
        while True:
            m = add_months(m, 1)
            day = m
            while day.weekday() > 4:
                day += DAY
            if day > END:
                break
            if any(prev <= r[0] < day for r in recs) or any(prev <= r[1] < day for r in rets):
                event(day, "cmdb", f"CMDB sync of {stem.replace('-', ' ')} "
                      f"{add_months(m, -1).strftime('%Y-%m')}", lambda d=day, s=sync: s(d),
                      hour=5)
                prev = day
        all_ids.extend((r[0], r[2]["id"]) for r in recs)
    return all_ids


ASSET_IDS = assets_setup()

# ---- the Statement of Applicability ----

SOA_OWNER = {c: rng.choice([CISO, ISMSM, ITH, HRH, DPO]) for c in APPLICABLE}
SOA_STATUS = {c: rng.choices(["implemented", "partial", "planned"], [80, 14, 6])[0]
              for c in APPLICABLE}
EVIDENCE_FILES = {
    "access-review": "evidence/access-reviews.yaml",
    "backup-restore-test": "evidence/backup-restore-tests.yaml",
    "vulnerability-scan": "evidence/vulnerability-scans.yaml",
    "pen-test": "evidence/pen-tests.yaml",
    "bcp-test": "evidence/bcp-tests.yaml",
    "log-review": "evidence/log-reviews.yaml",
    "malware-coverage": "evidence/malware-coverage.yaml",
    "entry-log-review": "evidence/entry-log-reviews.yaml",
    "patch-review": "evidence/patch-reviews.yaml",
    "configuration-review": "evidence/configuration-reviews.yaml",
    "firewall-review": "evidence/firewall-reviews.yaml",
    "clock-sync-check": "evidence/clock-sync-checks.yaml",
    "secure-code-review": "evidence/secure-code-reviews.yaml",
    "data-deletion": "evidence/data-deletion.yaml",
    "media-disposal": "evidence/media-disposal.yaml",
    "capacity-review": "evidence/capacity-reviews.yaml",
}
EVIDENCE_CONTROLS = {
    "access-review": ["5.15", "5.18", "8.2"], "backup-restore-test": ["8.13"],
    "vulnerability-scan": ["8.8"], "pen-test": ["8.8", "8.29"], "bcp-test": ["5.29", "5.30"],
    "log-review": ["8.15", "8.16"], "malware-coverage": ["8.7"], "entry-log-review": ["7.2"],
    "patch-review": ["8.8", "8.19"], "configuration-review": ["8.9"],
    "firewall-review": ["8.20", "8.22"], "clock-sync-check": ["8.17"],
    "secure-code-review": ["8.28"], "data-deletion": ["8.10"],
    "media-disposal": ["7.10", "7.14"], "capacity-review": ["8.6"],
}


def soa_evidence(c):
    out = [d["path"] for d in DOCS[:40] if c in d["controls"]][:2]
    out += [EVIDENCE_FILES[k] for k, cs in EVIDENCE_CONTROLS.items() if c in cs][:2]
    return out or None


def soa_text(version, approved_on):
    ctl = []
    for c, title in CONTROLS:
        if c in EXCLUDED:
            ctl.append({"control": Ctl(c), "applicable": False, "justification": EXCLUDED[c],
                        "notes": title})
            continue
        ctl.append({"control": Ctl(c), "applicable": True,
                    "justification": f"Treats risks in the register; {title.lower()} is "
                                     "required by the risk assessment.",
                    "status": SOA_STATUS[c], "owner": SOA_OWNER[c],
                    "evidence": soa_evidence(c), "notes": title})
    head = ("# Statement of Applicability (6.1.3 d): all 93 controls of\n"
            "# ISO/IEC 27001:2022 Annex A.\n")
    return head + ymap({"version": version, "owner": ISMSM, "approved_by": TOP[0],
                        "approved_on": approved_on, "controls": ctl}, 0)


def soa_setup():
    first = START - days(10)
    event(first, "isms", "", lambda: repo.put("soa.yaml", soa_text("1.4", first)))
    when = sorted(rand_date(START + days(20), END - days(25)) for _ in range(12))
    for i, d in enumerate(when):
        def change(i=i, d=d):
            for c in rng.sample(APPLICABLE, 6):
                if SOA_STATUS[c] == "planned":
                    SOA_STATUS[c] = "partial"
                elif SOA_STATUS[c] == "partial":
                    SOA_STATUS[c] = "implemented"
                else:
                    SOA_OWNER[c] = rng.choice([CISO, ISMSM, ITH, HRH, DPO])
            repo.put("soa.yaml", soa_text(f"1.{5 + i}", d))
        event(d, "isms", f"Statement of Applicability version 1.{5 + i}", change)


soa_setup()

# ---- risks ----

THREATS = [
    ("Ransomware encrypts", "Ransomware delivered by e-mail or remote access",
     "Flat network segments and unpatched hosts", ["8.7", "8.8", "8.13", "8.22"]),
    ("Credential theft affects", "Phishing and credential stuffing",
     "Password-only logins on some systems", ["5.17", "8.5", "6.3"]),
    ("Insider misuse of", "Malicious or careless insider", "Broad standing access rights",
     ["5.15", "5.18", "8.2", "8.15"]),
    ("Unpatched flaw exploited in", "Exploitation of a known vulnerability",
     "Slow patching of legacy components", ["8.8", "8.19", "8.9"]),
    ("Loss or theft of", "Loss or theft of equipment", "Devices carried in vehicles and hubs",
     ["7.9", "8.1", "8.24"]),
    ("Supplier outage affects", "Outage of a critical supplier",
     "Single supplier without exit plan", ["5.19", "5.21", "5.22", "5.30"]),
    ("Misconfiguration exposes", "Configuration error", "No baseline for cloud resources",
     ["8.9", "8.32", "5.23"]),
    ("Power or cooling failure hits", "Environmental failure", "Ageing supporting utilities",
     ["7.11", "7.5", "5.30"]),
    ("Accidental deletion in", "Human error", "Missing restore tests for some systems",
     ["8.13", "8.10"]),
    ("Denial of service against", "Distributed denial of service", "Public endpoints",
     ["8.20", "8.6", "5.30"]),
    ("Data leakage from", "Exfiltration by e-mail or cloud storage",
     "No data leakage prevention on all channels", ["8.12", "5.14", "5.12"]),
    ("Unauthorised physical access to", "Intruder or tailgating visitor",
     "Hub doors held open during shift change", ["7.1", "7.2", "7.3", "7.4"]),
]


def risk_rec(rid, created, assets):
    t, threat, vuln, ctls = rng.choice(THREATS)
    ctls = [c for c in ctls if c in APPLICABLE]
    extra = rng.sample(APPLICABLE, rng.randint(0, 2))
    return {"id": rid, "title": f"{t} {assets[0]}",
            "description": f"{threat} affects {', '.join(assets)} and disrupts operations.",
            "assets": assets, "threat": threat, "vulnerability": vuln,
            "owner": rng.choice(STABLE), "likelihood": 0, "impact": 0,
            "score": 0, "assessed_on": created, "treatment": "mitigate",
            "controls": [Ctl(c) for c in sorted(set(ctls + extra), key=ctl_key)],
            "residual_likelihood": 0, "residual_impact": 0, "residual_accepted_by": None,
            "residual_accepted_on": None, "status": "open"}


def ctl_key(c):
    a, b = c.split(".")
    return int(a), int(b)


def assess(r, day):
    """Assess r on day: levels, treatment and the owner's acceptance."""
    li, im = rng.randint(1, 5), rng.randint(1, 5)
    score = li * im
    treat = "accept" if score <= 8 and rng.random() < 0.6 else rng.choices(
        ["mitigate", "transfer", "avoid"], [85, 10, 5])[0]
    rl = li if treat == "accept" else max(1, li - rng.randint(1, 3))
    ri = im if treat == "accept" else max(1, im - rng.randint(0, 2))
    accepted = rng.random() < 0.93
    status = ("accepted" if treat == "accept" else
              rng.choices(["treated", "in-treatment", "closed"], [75, 22, 3])[0])
    r.update(likelihood=li, impact=im, score=score, assessed_on=day, treatment=treat,
             residual_likelihood=rl, residual_impact=ri,
             residual_accepted_by=r["owner"] if accepted else None,
             residual_accepted_on=day + days(rng.randint(0, 10)) if accepted else None,
             status=status if accepted else "open")


def risks_setup():
    c = repo.coll("risk/register.yaml", "risks",
                  "# Information security risk register (6.1.2, 8.2).\n"
                  "# Method: risk/method.yaml. Reassessed every October.\n")
    ids = sorted(ASSET_IDS)
    risks = []
    for i in range(N_RISKS):
        created = (rand_date(D(2022, 1, 1), START - days(3)) if i < 1600
                   else rand_date(START + days(10), END - days(10)))
        pool = [a for when, a in (rng.choice(ids) for _ in range(8)) if when <= created]
        if not pool:
            pool = [ids[0][1]]
        r = risk_rec(f"R-{i + 1:04d}", created, sorted(set(pool[:rng.randint(1, 4)])))
        assess(r, created)
        risks.append((created, r))
    risks.sort(key=lambda x: (x[0], x[1]["id"]))
    initial = [r for d, r in risks if d < START]
    event(START - DAY, "risk", "", lambda: [c.add(r) for r in initial])
    later = [(d, r) for d, r in risks if d >= START]
    months = {}
    for d, r in later:
        months.setdefault((d.year, d.month), []).append(r)
    for (y, m), rs in sorted(months.items()):
        day = max(rs[-1]["assessed_on"] + days(3), D(y, m, 1))
        def add(rs=rs):
            for r in rs:
                c.add(r)
        event(day, "risk", f"Add {len(rs)} risks identified in {D(y, m, 1).strftime('%B %Y')}",
              add)
    # The annual reassessment each October, in batches, and reassessments
    # of single risks after incidents and changes.
    for year in (2025, 2026):
        for b in range(8):
            day = D(year, 10, 6) + days(b * 3 if b < 5 else b * 3 + 2)

            def batch(b=b, day=day):
                for r in c.recs[b::8]:
                    if rng.random() < 0.97:
                        assess(r, day)
                        c.update(r["id"])
            event(day, "risk", f"Annual risk reassessment {year}, batch {b + 1} of 8", batch)
    for _ in range(24):
        day = rand_date(START + days(30), END - days(5))

        def single(day=day):
            rs = rng.sample(c.recs, rng.randint(1, 4))
            for r in rs:
                assess(r, day)
                c.update(r["id"])
            return rs
        event(day, "risk", "Reassess risks after an incident review", single)
    return c


RISKS = risks_setup()

# ---- risk method and treatment plan ----


def method_text(approved_on):
    scale = ["rare", "unlikely", "possible", "likely", "almost certain"]
    impact = ["negligible", "minor", "moderate", "major", "severe"]
    m = {
        "owner": RISKM, "approved_by": TOP[0], "approved_on": approved_on,
        "review_months": 12, "reassessment_months": 12,
        "likelihood": [{"value": i + 1, "label": s,
                        "description": f"The event is {s} within the next year."}
                       for i, s in enumerate(scale)],
        "impact": [{"value": i + 1, "label": s,
                    "description": f"The consequence for customers and operations is {s}."}
                   for i, s in enumerate(impact)],
        "scoring": "multiply", "acceptance_threshold": 8,
        "criteria": "Score is likelihood times impact. Residual scores up to 8 are accepted "
                    "by the risk owner; higher scores need treatment or acceptance by top "
                    "management.",
    }
    return "# Risk assessment method (6.1.2).\n" + ymap(m, 0)


event(START - days(30), "risk", "",
      lambda: repo.put("risk/method.yaml", method_text(D(2024, 9, 30))))
event(D(2025, 9, 29), "risk", "Annual review of the risk assessment method",
      lambda: repo.put("risk/method.yaml", method_text(D(2025, 9, 29))))
event(D(2026, 9, 28), "risk", "Annual review of the risk assessment method",
      lambda: repo.put("risk/method.yaml", method_text(D(2026, 9, 28))))


def treatment_setup():
    c = repo.coll("risk/treatment-plan.yaml", "actions",
                  "# Risk treatment plan (6.1.3 e, 8.3).\n")
    state = {"n": 0}
    planned = set()

    def plan(day, k):
        for r in [r for r in RISKS.recs if r["status"] == "in-treatment" and
                  r["id"] not in planned][:k]:
            planned.add(r["id"])
            state["n"] += 1
            c.add({"id": f"T-{state['n']:04d}", "risk": r["id"],
                   "action": f"Implement {', '.join(r['controls'][:2])} for {r['title'].lower()}",
                   "controls": r["controls"][:2], "owner": r["owner"],
                   "resources": "Budget from the annual security plan",
                   "due": add_months(day, rng.randint(2, 9)), "status": "planned"})
        for a in c.recs:
            if a["status"] != "done" and rng.random() < 0.25:
                done = rng.random() < 0.6
                c.update(a["id"], status="done" if done else "in-progress",
                         completed_on=day if done else None)

    event(START - DAY, "risk", "", lambda: plan(START - DAY, 120))
    for i in range(30):
        d = rand_date(START + days(7), END - days(3))
        event(d, "risk", "Update the risk treatment plan", lambda d=d: plan(d, 6))


treatment_setup()

# ---- manifest, scope, context, roles, legal ----


def manifest_text(params_extra, waivers, surveillance):
    m = {
        "organisation": ORG, "time_zone": "Europe/Berlin", "top_management": TOP,
        "certificate": {"number": "ISMS-2023-8841", "certification_body": "Example Cert GmbH",
                        "stage1_on": D(2023, 9, 4), "stage2_on": D(2023, 10, 16),
                        "issued": D(2023, 11, 20), "expires": D(2026, 11, 19),
                        "scope_statement": "The ISMS of the logistics, warehousing, transport "
                                           "and IT services of " + ORG + " at all German sites."},
        "parameters": dict({"policy_review_months": 12, "management_review_months": 12,
                            "awareness_months": 12, "access_review_months": 3,
                            "backup_test_months": 3, "vulnerability_scan_months": 1,
                            "log_review_months": 1, "pen_test_months": 12,
                            "bcp_test_months": 12, "leaver_access_removal_days": 2},
                           **params_extra),
        "waivers": waivers,
    }
    if surveillance:
        m["certificate"]["expires"] = D(2029, 11, 19)
        m["certificate"]["issued"] = D(2026, 11, 12)
    return "# ISMS manifest of " + ORG + ".\n" + ymap(m, 0)


W1 = {"rule": "8.7-malware-coverage",
      "reason": "Telematics units run a vendor-locked firmware without an anti-malware agent; "
                "they are isolated in their own network segment (risk R-0042).",
      "approved_by": TOP[2], "approved_on": D(2025, 2, 3), "expires": D(2027, 2, 28)}
event(START - days(40), "isms", "", lambda: repo.put("isms.yaml", manifest_text({}, [], False)))
event(D(2025, 2, 4), "isms", "Waive malware coverage for telematics units",
      lambda: repo.put("isms.yaml", manifest_text({}, [W1], False)))
event(D(2025, 6, 16), "isms", "Set supplier review interval",
      lambda: repo.put("isms.yaml", manifest_text({"supplier_review_months": 12}, [W1], False)))
event(D(2026, 11, 13), "isms", "Record the recertification",
      lambda: repo.put("isms.yaml", manifest_text({"supplier_review_months": 12}, [W1], True)))
repo.put("README.md", "# " + ORG + " ISMS\n\nSynthetic ISMS repository written by "
         "tests/bench/gen-isms.py for the ismsctl benchmark. All names are made up.\n")


def scope_text(day, version):
    f = {"owner": ISMSM, "approved_by": TOP[0], "approved_on": day, "review_months": 12,
         "version": version,
         "boundaries": ["All German sites: Hamburg HQ, Bremen, Hannover, Leipzig and Dortmund hubs",
                        "Warehouse, transport, customer service and IT operations",
                        "Cloud platforms in AWS eu-central-1 and Azure West Europe"],
         "exclusions": ["The Polish subsidiary, which runs its own ISMS"],
         "interfaces": ["Customers' ordering systems through the EDI gateway",
                        "Subcontracted carriers through the carrier portal"]}
    return markdown(f, "# Scope of the ISMS\n\nThe ISMS covers the logistics services of "
                    + ORG + ".\n")


event(START - days(60), "isms", "",
      lambda: repo.put("isms/scope.md", scope_text(D(2024, 9, 20), "3.0")))
event(D(2025, 9, 15), "isms", "Annual review of the ISMS scope",
      lambda: repo.put("isms/scope.md", scope_text(D(2025, 9, 15), "3.1")))
event(D(2026, 9, 14), "isms", "Annual review of the ISMS scope",
      lambda: repo.put("isms/scope.md", scope_text(D(2026, 9, 14), "3.2")))


def context_text(day):
    issues = [{"id": f"CI-{i + 1}", "issue": t, "kind": k, "category": cat,
               "climate_relevant": cl, "effect": "Considered in the risk assessment.",
               "risks": [f"R-{rng.randint(1, 1600):04d}"], "reviewed_on": day}
              for i, (t, k, cat, cl) in enumerate([
                  ("Customers require ISO/IEC 27001 certification in tenders", "external",
                   "market", False),
                  ("NIS2 obligations for transport operators", "external", "legal", False),
                  ("Heat waves and flooding threaten hub operations", "external",
                   "environmental", True),
                  ("Shortage of skilled IT staff", "external", "labour market", False),
                  ("Migration of the warehouse management system to the cloud", "internal",
                   "technological", False),
                  ("High staff turnover in warehouses", "internal", "organisational", False),
                  ("Growing use of subcontracted carriers", "internal", "organisational",
                   False),
                  ("Ransomware attacks on logistics companies", "external",
                   "threat landscape", False),
              ])]
    parties = [{"id": f"IP-{i + 1}", "name": n, "requirements": reqs,
                "addressed_by": ["policies/information-security-policy.md"],
                "reviewed_on": day}
               for i, (n, reqs) in enumerate([
                   ("Customers", ["Confidentiality of shipment data", "Certified ISMS"]),
                   ("Employees", ["Protection of personal data", "Clear rules"]),
                   ("Supervisory authority for data protection", ["GDPR compliance"]),
                   ("Federal office for information security", ["NIS2 incident reporting"]),
                   ("Subcontracted carriers", ["Secure carrier portal"]),
                   ("Insurers", ["Cyber insurance requirements met"]),
               ])]
    repo.put("context/issues.yaml", "# Context issues (4.1).\n" + ymap({"issues": issues}, 0))
    repo.put("context/interested-parties.yaml",
             "# Interested parties (4.2).\n" + ymap({"parties": parties}, 0))


event(START - days(50), "isms", "", lambda: context_text(D(2024, 10, 1)))
event(D(2025, 10, 1), "isms", "Review the context and interested parties",
      lambda: context_text(D(2025, 10, 1)))
event(D(2026, 10, 1), "isms", "Review the context and interested parties",
      lambda: context_text(D(2026, 10, 1)))


def roles_text(day):
    specs = [("ceo", "Chief Executive Officer", TOP[0], "top-management"),
             ("cfo", "Chief Financial Officer", TOP[1], "top-management"),
             ("coo", "Chief Operating Officer", TOP[2], "top-management"),
             ("ciso", "Chief Information Security Officer", CISO, "isms-manager"),
             ("isms-manager", "ISMS Manager", ISMSM, "isms-manager"),
             ("risk-manager", "Risk Manager", RISKM, "control-owner"),
             ("internal-audit-lead", "Internal Audit Lead", AUDL, "internal-auditor"),
             ("dpo", "Data Protection Officer", DPO, "control-owner"),
             ("head-of-it", "Head of IT", ITH, "control-owner"),
             ("head-of-hr", "Head of Human Resources", HRH, "control-owner")]
    specs += [(slug(p["role"]), p["role"], p["id"], "control-owner")
              for p in PEOPLE[10:] if p["key"]]
    roles = [{"id": i, "title": t, "holder": h, "isms_role": r,
              "responsibilities": [f"Information security duties of the {t.lower()}"],
              "reports_to": None if i == "ceo" else "ceo", "assigned_on": day}
             for i, t, h, r in specs]
    repo.put("org/roles.yaml", "# ISMS roles (5.3).\n" + ymap({"roles": roles}, 0))


event(START - days(45), "isms", "", lambda: roles_text(D(2024, 10, 7)))
event(D(2025, 7, 1), "isms", "Confirm role assignments", lambda: roles_text(D(2025, 7, 1)))


def legal_text(day):
    reqs = [{"id": f"L-{i + 1}", "requirement": r, "source": s,
             "owner": DPO if "GDPR" in s else ISMSM,
             "applies_to": ["all sites"], "controls": [Ctl(c) for c in cs],
             "compliance": rng.choice(["compliant", "compliant", "partially-compliant"]),
             "reviewed_on": day}
            for i, (r, s, cs) in enumerate([
                ("Security of processing of personal data", "GDPR Art. 32", ["5.34", "8.24"]),
                ("Notification of personal data breaches", "GDPR Art. 33", ["5.26"]),
                ("Risk management measures for essential entities", "NIS2 Art. 21",
                 ["5.1", "5.30"]),
                ("Incident reporting within 24 hours", "NIS2 Art. 23", ["5.24", "5.26"]),
                ("Retention of commercial records", "HGB 257", ["5.33"]),
                ("Tachograph data retention", "EU 165/2014", ["5.33"]),
                ("Customer security annexes", "Framework contracts", ["5.20"]),
                ("Employee monitoring limits", "BDSG 26", ["5.34"]),
            ])]
    repo.put("legal/register.yaml", "# Legal, regulatory and contractual requirements (A.5.31).\n"
             + ymap({"requirements": reqs}, 0))


event(START - days(35), "dpo", "", lambda: legal_text(D(2024, 10, 15)))
for _d in (D(2025, 4, 14), D(2025, 10, 13), D(2026, 4, 13), D(2026, 10, 12)):
    event(_d, "dpo", "Review the legal register", lambda d=_d: legal_text(d))

# ---- suppliers ----


def suppliers_setup():
    c = repo.coll("suppliers.yaml", "suppliers", "# Suppliers (A.5.19 to A.5.23).\n")
    services = ["Cloud hosting", "Payroll software", "Telematics platform", "E-mail and office",
                "Carrier services", "Printing", "Security monitoring", "Hardware leasing",
                "EDI gateway", "Cleaning", "Shredding and disposal", "Recruiting portal"]
    for i in range(SUPPLIERS_N):
        crit = rng.choice(["low", "medium", "high", "critical"])
        form = rng.choice(["GmbH", "AG", "Ltd", "BV", "SE"])
        rec = {"id": f"S-{i + 1:03d}", "name": f"{rng.choice(LAST)} {form} {i + 1}",
               "service": rng.choice(services), "criticality": crit,
               "owner": rng.choice(STABLE[3:]),
               "agreement_signed_on": rand_date(D(2018, 1, 1), D(2024, 6, 30)),
               "security_clauses": rng.random() < 0.9,
               "data_access": rng.choice(CLASSES + ["none"]),
               "cloud": rng.random() < 0.4,
               "certifications": ["ISO/IEC 27001"] if rng.random() < 0.5 else None,
               "last_review_on": rand_date(D(2024, 1, 1), START - days(5)),
               "review_months": 12 if crit in ("high", "critical") else 24}
        event(START - DAY, "isms", "", lambda r=rec: c.add(r))
    for _ in range(40):
        d = rand_date(START + days(5), END - days(2))

        def review(d=d):
            for r in rng.sample(c.recs, 4):
                c.update(r["id"], last_review_on=d)
        event(d, "isms", "Supplier reviews", review)


suppliers_setup()

# ---- incidents, nonconformities, changes ----

INC_TITLES = ["Phishing e-mail clicked", "Lost handheld scanner", "Stolen laptop from vehicle",
              "Misdirected e-mail with customer data", "Malware blocked on a workstation",
              "Unauthorised person in the Bremen hub", "Outage of the carrier portal",
              "Leaked API key in a repository", "Ransomware attempt stopped",
              "Printed delivery notes left in a truck", "Brute-force login attempts",
              "Backup job failed for three days"]


def incidents_setup():
    colls = {}

    def coll(y):
        if y not in colls:
            colls[y] = repo.coll(f"incidents/{y}.yaml", "incidents",
                                 f"# Information security incidents reported in {y}.\n")
        return colls[y]

    seq = {}
    for _ in range(110):
        rep = rand_date(D(2024, 3, 1), END - days(1))
        y = rep.year
        seq[y] = seq.get(y, 0) + 1
        rid = f"INC-{y}-{seq[y]:03d}"
        sev = rng.choices(["low", "medium", "high", "critical"], [50, 30, 15, 5])[0]
        rec = {"id": rid, "title": rng.choice(INC_TITLES),
               "description": "Reported to the service desk and handled by the security team.",
               "reported_on": f"{rep.isoformat()}T{rng.randint(7, 19):02d}:"
                              f"{rng.choice(['05', '20', '35', '50'])}",
               "reported_by": rng.choice(STABLE), "severity": sev,
               "triaged_on": min(END, rep + days(rng.choice([0, 0, 1, 1, 2, 4]))),
               "status": "investigating",
               "personal_data": rng.random() < 0.2, "controls": [Ctl(rng.choice(APPLICABLE))]}
        closed = rep + days(rng.randint(3, 40))
        event(rep, "sec", f"Report incident {rid}" if rep >= START else "",
              lambda r=rec, y=y: coll(y).add(r))
        if closed <= END:
            def close(rid=rid, y=y, closed=closed):
                coll(y).update(rid, status="closed", closed_on=closed,
                               root_cause="Analysed in the post-incident review.",
                               lessons_learned="Awareness message sent; controls adjusted.")
            event(closed, "sec", f"Close incident {rid}" if closed >= START else "", close)


incidents_setup()


def nc_setup():
    c = repo.coll("nonconformities.yaml", "nonconformities",
                  "# Nonconformities and corrective actions (10.2).\n")
    clauses = ["7.2", "7.5.3", "8.1", "9.1", "6.1.2", "5.3", "7.3", "9.2.2"]
    for i in range(36):
        raised = rand_date(D(2024, 6, 1), END - days(10))
        nid = f"NC-{raised.year}-{i + 1:02d}"
        rec = {"id": nid, "raised_on": raised, "raised_by": AUDL,
               "source": "Internal audit", "clause": Ctl(rng.choice(clauses)),
               "control": Ctl(rng.choice(APPLICABLE)) if rng.random() < 0.5 else None,
               "description": "Records did not show that the requirement was met.",
               "severity": "minor" if rng.random() < 0.85 else "major",
               "correction": "Records completed.",
               "root_cause": "The responsibility was not clear.",
               "corrective_action": {"action": "Assign the duty and add it to the procedure.",
                                     "owner": rng.choice(STABLE[3:]),
                                     "due": raised + days(60)},
               "status": "open"}
        done = raised + days(rng.randint(20, 120))
        event(raised, "audit", f"Raise nonconformity {nid}" if raised >= START else "",
              lambda r=rec: c.add(r))
        if done <= END:
            def close(nid=nid, done=done):
                r = c.get(nid)
                ca = dict(r["corrective_action"], completed_on=done)
                c.update(nid, corrective_action=ca, status="closed", closed_on=done,
                         effectiveness={"reviewed_on": done, "reviewed_by": AUDL,
                                        "effective": True})
            event(done, "audit", f"Close nonconformity {nid}" if done >= START else "", close)


nc_setup()


def changes_setup():
    c = repo.coll("changes.yaml", "changes", "# Planned changes (6.3, A.8.32).\n")
    what = ["Upgrade the warehouse management system", "Replace hub firewalls",
            "Migrate e-mail archive", "Introduce hardware security keys",
            "New carrier portal release", "Move backups to immutable storage",
            "Reorganise the IT security team", "Roll out new handheld scanners",
            "Update the telematics firmware", "Open the Dortmund hub extension"]
    seq = {}
    for _ in range(160):
        req = rand_date(D(2024, 6, 1), END - days(4))
        seq[req.year] = seq.get(req.year, 0) + 1
        cid = f"CH-{req.year}-{seq[req.year]:03d}"
        rec = {"id": cid, "title": rng.choice(what), "kind": rng.choice(["isms", "technical",
                                                                          "technical"]),
               "description": "Planned and assessed through the change advisory board.",
               "requested_by": rng.choice(STABLE), "planned_on": req + days(14),
               "impact_assessment": "No new risks; existing controls apply.",
               "status": "requested"}
        event(req, "it", f"Request change {cid}" if req >= START else "",
              lambda r=rec: c.add(r))
        done = req + days(rng.randint(5, 40))
        if done <= END:
            event(done, "it", f"Approve and implement change {cid}" if done >= START else "",
                  lambda cid=cid, done=done: c.update(
                      cid, approved_by=rng.choice([CISO, ITH]), approved_on=done - days(3),
                      status="implemented", implemented_on=done))


changes_setup()

# ---- evidence ----


def evidence_setup():
    colls = {}
    seqs = {}

    def put(kind, day, asset=None, result=None):
        if kind not in colls:
            colls[kind] = repo.coll(EVIDENCE_FILES[kind], "evidence",
                                    f"# Evidence records: {kind.replace('-', ' ')}.\n")
        seqs[kind] = seqs.get(kind, 0) + 1
        colls[kind].add({
            "id": f"EV-{kind.upper()[:3]}-{day.year}-{seqs[kind]:04d}", "kind": kind,
            "controls": [Ctl(c) for c in EVIDENCE_CONTROLS[kind] if c in APPLICABLE],
            "date": day, "performed_by": rng.choice(ENGINEERS[:12]),
            "result": result or rng.choices(["pass", "partial", "fail"], [85, 12, 3])[0],
            "summary": f"{kind.replace('-', ' ').capitalize()} carried out as planned.",
            "asset": asset})

    def schedule(kind, months, per=1, jitter=10, msg=None):
        m = D(2024, 1, 1)
        while m <= END:
            day = rand_date(m, m + days(jitter))
            if day <= END:
                assets = [a for _, a in rng.sample(ASSET_IDS, per)]
                what = msg or f"Record {kind.replace('-', ' ')}"
                event(day, "ops", f"{what} {day.isoformat()}" if day >= START else "",
                      lambda k=kind, d=day, a=assets: [put(k, d, x) for x in a])
            m = add_months(m, months)

    for kind in ("log-review", "vulnerability-scan", "malware-coverage", "patch-review",
                 "entry-log-review", "clock-sync-check"):
        schedule(kind, 1)
    schedule("access-review", 3, per=6)
    schedule("backup-restore-test", 3, per=3)
    for kind in ("firewall-review", "configuration-review", "capacity-review",
                 "secure-code-review"):
        schedule(kind, 3)
    schedule("data-deletion", 2)
    schedule("media-disposal", 2)
    schedule("pen-test", 12, jitter=60)
    schedule("bcp-test", 12, jitter=60)


evidence_setup()

# ---- objectives and metrics ----


def perf_setup():
    mc = repo.coll("metrics.yaml", "metrics", "# ISMS metrics (9.1).\n")
    oc = repo.coll("objectives.yaml", "objectives", "# Information security objectives (6.2).\n")
    names = [("Phishing simulation click rate", "%", 5),
             ("Critical patches within 14 days", "%", 95),
             ("Awareness training completion", "%", 95), ("Access reviews on time", "%", 100),
             ("Restore tests passed", "%", 100), ("Mean time to triage incidents", "hours", 24),
             ("Leavers with access removed within 2 days", "%", 98),
             ("Suppliers reviewed on time", "%", 90), ("Open major nonconformities", "count", 0),
             ("Endpoint encryption coverage", "%", 100), ("Backup success rate", "%", 99),
             ("Vulnerabilities older than 30 days", "count", 10),
             ("Security incidents per month", "count", 5), ("Risk reassessments on time", "%", 95),
             ("Policies reviewed on time", "%", 95)]
    for i, (n, unit, target) in enumerate(names):
        mc.add({"id": f"M-{i + 1:02d}", "name": n, "objective": f"O-{i % 10 + 1:02d}",
                "owner": rng.choice(STABLE[3:]), "evaluated_by": ISMSM,
                "method": "Taken from the monthly report of the responsible team.",
                "frequency": "monthly", "unit": unit, "target": target, "measurements": []})
    for i in range(10):
        oc.add({"id": f"O-{i + 1:02d}", "objective": f"Improve {names[i][0].lower()}",
                "measure": names[i][0], "metric": f"M-{i + 1:02d}", "target": names[i][2],
                "owner": rng.choice(STABLE[3:]), "due": D(2026, 12, 31),
                "resources": "Security team budget", "evaluation": "Quarterly by the ISMS manager",
                "status": "in-progress", "results": []})

    def measure(day):
        for r in mc.recs:
            v = round(rng.uniform(0.8, 1.05) * (r["target"] or 3), 1)
            mc.update(r["id"], measurements=r["measurements"] + [{"date": day, "value": v}])

    def results(day):
        for r in oc.recs:
            oc.update(r["id"], results=r["results"] + [{"date": day, "value": rng.randint(60, 100),
                                                        "note": "Quarterly evaluation"}])

    event(START - DAY, "isms", "", lambda: measure(START - days(25)))
    m = add_months(D(START.year, START.month, 5), 1)
    while m <= END:
        event(m, "isms", f"Metrics for {add_months(m, -1).strftime('%B %Y')}",
              lambda d=m: measure(d))
        if m.month in (1, 4, 7, 10):
            event(m + DAY, "isms", f"Objective results for Q{(m.month + 8) // 3 % 4 + 1}",
                  lambda d=m + DAY: results(d))
        m = add_months(m, 1)


perf_setup()

# ---- audits and management reviews ----

HEADS = [p["id"] for p in PEOPLE[10:] if p["key"]]
AUDITORS = [AUDL] + HEADS[-3:]
AUDIT_AREAS = [["4", "5", "6", "7"], ["8", "9", "10"], ["A.5", "A.6"], ["A.7", "A.8"]]


def programme_text(year, statuses):
    audits = []
    for q in range(4):
        aid = f"IA-{year}-0{q + 1}"
        audits.append({"id": aid, "areas": [Ctl(a) for a in AUDIT_AREAS[q]],
                       "planned_on": D(year, 3 * q + 2, 10), "auditor": AUDITORS[q],
                       "criteria": "ISO/IEC 27001:2022 and the ISMS documents",
                       "status": statuses.get(aid, "planned"),
                       "report": aid if statuses.get(aid) == "done" else None})
    p = {"owner": AUDL, "approved_by": TOP[0], "approved_on": D(year - 1, 12, 10),
         "cycle_start": D(year, 1, 1), "cycle_months": 12,
         "auditors": [{"person": a, "owns": [Ctl(["9.1", "A.5.35", "A.8", "7.2"][i])],
                       "capacity_days": 12, "external": i == 3}
                      for i, a in enumerate(AUDITORS)],
         "audits": audits}
    return "# Internal audit programme (9.2.2).\n" + ymap(p, 0)


def audits_setup():
    done = {}
    for year in (2025, 2026):
        event(D(year - 1, 12, 10), "audit",
              f"Internal audit programme {year}" if D(year - 1, 12, 10) >= START else "",
              lambda y=year: repo.put("audits/programme.yaml", programme_text(y, done)))
        for q in range(4):
            aid = f"IA-{year}-0{q + 1}"
            held = D(year, 3 * q + 2, 10)
            if held > END:
                continue
            findings = [{"id": f"F{j + 1}", "kind": k,
                         "clause": Ctl(rng.choice(["7.2", "8.1", "9.1"])),
                         "description": "Evidence was incomplete for the sample taken.",
                         "severity": "minor" if k == "nonconformity" else None}
                        for j, k in enumerate(rng.sample(["nonconformity", "observation",
                                                          "opportunity"], 2))]
            front = {"id": aid, "title": f"Internal audit {aid}", "audit": aid, "held_on": held,
                     "auditor": AUDITORS[q], "auditees": rng.sample(STABLE[3:], 3),
                     "areas": [Ctl(a) for a in AUDIT_AREAS[q]],
                     "criteria": "ISO/IEC 27001:2022 and the ISMS documents",
                     "findings": findings, "conclusion": "The ISMS is effectively implemented.",
                     "status": "draft"}
            path = f"audits/reports/{aid}.md"
            body = f"# Internal audit {aid}\n\nThe audit covered {', '.join(AUDIT_AREAS[q])}.\n"

            def draft(path=path, front=front, body=body):
                repo.put(path, markdown(front, body))

            def final(path=path, front=front, body=body, aid=aid, y=year):
                repo.put(path, markdown(dict(front, status="final"), body))
                done[aid] = "done"
                repo.put("audits/programme.yaml", programme_text(y, done))
            event(held + days(4), "audit", f"Draft report {aid}", draft)
            event(held + days(12), "audit", f"Final report {aid}", final)


audits_setup()


def review_text(rid, held, actions):
    inputs = {k: f"Discussed; see the minutes ({k.replace('_', ' ')})." for k in (
        "previous_actions", "context_changes", "interested_parties", "nonconformities",
        "monitoring", "audit_results", "objectives", "feedback", "risk_assessment",
        "improvement")}
    front = {"id": rid, "title": f"Management review {rid}", "held_on": held,
             "chaired_by": TOP[0], "attendees": TOP + [CISO, ISMSM], "inputs": inputs,
             "decisions": ["Continue the ISMS with the current scope",
                           "Fund the roll-out of hardware security keys"],
             "actions": actions}
    return markdown(front, f"# Management review {rid}\n\nMinutes of the meeting held on "
                    f"{held.isoformat()}.\n")


for _rid, _held in (("MR-2024-11", D(2024, 11, 4)), ("MR-2025-11", D(2025, 11, 17)),
                    ("MR-2026-11", D(2026, 11, 9))):
    _acts = [{"id": f"A{i + 1}", "action": t, "owner": o, "due": add_months(_held, 6),
              "status": "planned"}
             for i, (t, o) in enumerate([("Roll out hardware keys to administrators", ITH),
                                         ("Review supplier exit plans", ISMSM)])]
    _msg = f"Minutes of management review {_rid}" if _held + days(3) >= START else ""
    event(_held + days(3), "isms", _msg,
          lambda r=_rid, h=_held, a=_acts: repo.put(f"reviews/{r}.md", review_text(r, h, a)))
    _done = [dict(a, status="done", completed_on=add_months(_held, 5)) for a in _acts]
    if add_months(_held, 5) <= END:
        event(add_months(_held, 5), "isms", f"Close the actions of {_rid}",
              lambda r=_rid, h=_held, a=_done: repo.put(f"reviews/{r}.md", review_text(r, h, a)))

# ---- filling the history with document revisions ----


def hist_count():
    return sum(1 for e in events if START <= e[0] <= END)


def fill_revisions():
    n = N_COMMITS - 1 - hist_count()
    if n < 0:
        sys.exit(f"gen-isms.py: {-n} commits too many before the revisions")
    for day in sorted(rand_date(START + days(1), END) for _ in range(n)):
        def rev(day=day):
            # Prefer the documents whose approval is oldest, as an annual
            # review cycle does.
            cands = [d for d in rng.sample(DOCS, 12) if d["path"] in repo.files]
            if not cands:
                cands = [d for d in DOCS if d["path"] in repo.files]
            d = min(cands, key=lambda d: (d.get("reviewed_on") or d["approved_on"], d["id"]))
            msg = revise(d, day)
            repo.put(d["path"], doc_text(d))
            return msg, d["owner"]
        event(day, None, None, rev)


fill_revisions()

# ---- writing the history ----


def tz_offset(day):
    """Berlin's UTC offset on day, in hours: summer time between the last
    Sundays of March and October."""
    def last_sunday(m):
        d = D(day.year, m, 31)
        return d - days((d.weekday() + 1) % 7)
    return 2 if last_sunday(3) <= day < last_sunday(10) else 1


def workday(d):
    while d.weekday() > 4:
        d += DAY
    return d


def schedule():
    """Order the events: those before START form the first commit, the rest
    one commit each, on working days, at fixed or office hours."""
    first, rest = [], []
    for e in events:
        if e[0] <= END:
            (first if e[0] < START else rest).append(e)
    first.sort(key=lambda e: (e[0], e[2]))
    timed = []
    for e in rest:
        day, hour = e[0], e[1]
        if hour is None:
            day = workday(day)
            secs = rng.randrange(8 * 3600, 18 * 3600)
        else:
            secs = hour * 3600 + rng.randrange(0, 900)
        timed.append((day, secs, e[2], e))
    timed.sort(key=lambda t: (t[0], t[1], t[2]))
    return first, timed


def ident(who):
    if who in AUTHORS:
        p = AUTHORS[who]
        return p["name"], p["rec"]["email"]
    if who in PID:
        return PID[who]["name"], PID[who]["rec"]["email"]
    return {"lms": ("LMS export", "lms-export@" + DOMAIN),
            "cmdb": ("CMDB sync", "cmdb-sync@" + DOMAIN)}[who]


def write_commit(out, mark, who, when, offset, msg):
    name, email = ident(who)
    ts = int(dt.datetime.combine(when[0], dt.time(), dt.timezone.utc).timestamp()) + when[1] \
        - offset * 3600
    sign = f"+0{offset}00"
    m = msg.encode() + b"\n"
    head = (f"commit refs/heads/main\nmark :{mark}\n"
            f"author {name} <{email}> {ts} {sign}\ncommitter {name} <{email}> {ts} {sign}\n"
            f"data {len(m)}\n").encode()
    parts = [head, m]
    for path in sorted(repo.dirty):
        data = repo.text(path).encode()
        parts.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode())
        parts.append(data)
        parts.append(b"\n")
    parts.append(b"\n")
    out.write(b"".join(parts))
    repo.dirty.clear()


def main():
    args = sys.argv[1:]
    if len(args) != 1 or args[0].startswith("-"):
        sys.stderr.write("usage: gen-isms.py [--stamp] DEST\n")
        return 2
    dest = args[0]
    t0 = time.time()
    first, timed = schedule()
    stampfile = os.path.join(dest, ".git", "bench-stamp")
    if os.path.lexists(dest):
        # Only ever remove an earlier output of this script (finished or
        # not): it carries .git/bench-stamp from its first moment.
        ours = os.path.isdir(dest) and not os.path.islink(dest) and (
            not os.listdir(dest) or os.path.isfile(stampfile))
        if not ours:
            sys.exit(f"gen-isms.py: {dest} exists and was not written by gen-isms.py; "
                     "remove it or choose another destination")
        shutil.rmtree(dest)
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               LC_ALL="C")
    git = ["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false"]
    subprocess.run(git + ["init", "-q", dest], check=True, env=env)
    with open(stampfile, "w") as f:
        f.write("incomplete\n")
    fi = subprocess.Popen(git + ["-C", dest, "fast-import", "--quiet", "--date-format=raw"],
                          stdin=subprocess.PIPE, env=env)
    for e in first:
        e[5]()
    write_commit(fi.stdin, 1, "isms", (START, 9 * 3600), tz_offset(START),
                 "Import the ISMS records from the document management system")
    for n, (day, secs, _, e) in enumerate(timed, start=2):
        r = e[5]()
        who, msg = e[3], e[4]
        if who is None:
            msg, who = r
        if not msg:
            sys.exit(f"gen-isms.py: commit {n} has no message")
        if not repo.dirty:
            sys.exit(f"gen-isms.py: commit {n} ({msg}) changes nothing")
        write_commit(fi.stdin, n, who, (day, secs), tz_offset(day), msg)
    fi.stdin.close()
    if fi.wait() != 0:
        sys.exit("gen-isms.py: git fast-import failed")
    subprocess.run(git + ["-C", dest, "symbolic-ref", "HEAD", "refs/heads/main"], check=True,
                   env=env)
    subprocess.run(git + ["-C", dest, "reset", "-q", "--hard"], check=True, env=env)
    with open(stampfile, "w") as f:
        f.write(stamp() + "\n")
    counts = {
        "commits": 1 + len(timed), "people": len(PERSONNEL.recs),
        "training": sum(len(c.recs) for p, c in repo.files.items()
                        if p.startswith("people/training/")),
        "assets": sum(len(c.recs) for p, c in repo.files.items() if p.startswith("assets/")),
        "risks": len(RISKS.recs),
        "documents": sum(1 for p in repo.files if p.startswith(("policies/", "procedures/"))),
        "files": len(repo.files),
    }
    sys.stderr.write("gen-isms.py: %s in %.1f s\n" % (
        ", ".join(f"{v} {k}" for k, v in counts.items()), time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
