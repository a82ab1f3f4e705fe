#!/usr/bin/env python3
"""pybaseline.py [--repo REPO] [--now DAY] [--runs N] [--json FILE]

The Python baseline of tests/bench/rules12.sh: twelve of the shipped rules
written again in plain Python, to compare ismsctl's Lua rules with.

It reads the ISMS from the files on disk (a git work tree, such as the one
gen-isms.py writes, checked out at HEAD): YAML with PyYAML's C loader,
Markdown front matter as the YAML between the leading '---' lines, into
plain dicts and lists, grouped by record type (only the types these rules
read). Then it runs the rules over those dicts, with the semantics of the
Lua in rules/ (and of the helpers in rules/lib/ and lib/rules/sdk.lua
they call): the same findings, the same verdict (pass, fail, warn,
not_applicable, waived), parameters from isms.yaml else their defaults,
controls excluded in the SoA, waivers.

Two phases are timed with time.perf_counter: reading and parsing the
files, once; and the rules, best of --runs over the same parsed records
(each run starts from nothing shared, as an evaluation does). It prints
each rule's verdict and number of findings, and the totals; --json FILE
writes the same as JSON for rules12.sh to compare with ismsctl's report.

A record of another type at a rule's default path (a `type:` field) is not
looked for: the repositories it is run on keep every record at its
type's default path, or where isms.yaml `paths:` says."""
import argparse
import datetime
import glob
import json
import os
import re
import sys
import time

try:
    import yaml
except ImportError:
    sys.exit("pybaseline.py: PyYAML is not installed (apt-get install python3-yaml)")

LOADER = getattr(yaml, "CSafeLoader", None)
if LOADER is None:
    sys.exit("pybaseline.py: PyYAML has no C loader, CSafeLoader (install python3-yaml, built with libyaml)")

# The record types the twelve rules read: default path patterns, and the
# key of a collection file's list (None: the file is one record).
TYPES = {
    "policy": ("policies/*.md procedures/*.md", None),
    "role": ("org/roles.yaml", "roles"),
    "person": ("people/personnel.yaml", "people"),
    "training": ("people/training*.yaml people/training/*.yaml", "training"),
    "risk_method": ("risk/method.yaml", None),
    "risk": ("risk/register.yaml risk/register/*.yaml", "risks"),
    "soa": ("soa.yaml", None),
    "asset": ("assets/*.yaml", "assets"),
    "supplier": ("suppliers.yaml", "suppliers"),
    "audit_programme": ("audits/programme.yaml", None),
}
RECORD_EXT = (".yaml", ".yml", ".json", ".md")


# Reading ----------------------------------------------------------------------


def load_yaml(text):
    return yaml.load(text, Loader=LOADER)


def front_matter(text):
    """The front matter of a Markdown document as a dict: the YAML between
    a first line '---' and the next '---' or '...' line ({} without)."""
    lines = text.split("\n")
    if lines[0].rstrip("\r") != "---":
        return {}
    for n in range(1, len(lines)):
        if lines[n].rstrip("\r") in ("---", "..."):
            data = load_yaml("\n".join(lines[1:n]))
            return data if data is not None else {}
    raise ValueError("the front matter is never closed with a '---' line")


def read_file(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if path.endswith(".md"):
            return front_matter(text)
        return load_yaml(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as e:
        sys.exit("pybaseline.py: %s: %s" % (path, e))


def patterns(manifest, kind):
    paths = manifest.get("paths") if isinstance(manifest, dict) else None
    mine = paths.get(kind) if isinstance(paths, dict) else None
    if isinstance(mine, str):
        return mine.split()
    if isinstance(mine, list):
        return [p for p in mine if isinstance(p, str)]
    return TYPES[kind][0].split()


def load_repo(repo):
    """The manifest and the records of each type in TYPES, in path order."""
    manifest = read_file(os.path.join(repo, "isms.yaml")) or {}
    records, seen = {kind: [] for kind in TYPES}, set()
    for kind, (_, list_key) in TYPES.items():
        paths = set()
        for pattern in patterns(manifest, kind):
            paths.update(glob.glob(pattern, root_dir=repo))
        for path in sorted(paths):
            if not path.endswith(RECORD_EXT) or path in seen:
                continue
            seen.add(path)  # the first type whose pattern matches has it
            data = read_file(os.path.join(repo, path))
            if list_key is None:
                if isinstance(data, dict):
                    records[kind].append(data)
                continue
            items = data.get(list_key) if isinstance(data, dict) else data
            if isinstance(items, list):
                records[kind].extend(item for item in items if isinstance(item, dict))
    return manifest, records


# Values -----------------------------------------------------------------------

DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                     r"(?:Z|[+-]\d{2}:?\d{2})?)?$")


def as_date(v):
    """A date from a date, a date-time (its date part) or ISO 8601 text;
    None when v is not one."""
    if isinstance(v, datetime.datetime):
        return v.date()
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, str):
        m = DATE_RE.match(v)
        if m:
            try:
                return datetime.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def add_months(d, months):
    """d plus whole months, on the last day of a shorter month."""
    t = d.year * 12 + d.month - 1 + months
    year, month = divmod(t, 12)
    month += 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(d.day, last))


def text(v):
    """A value as the Lua rules print it."""
    if v is None:
        return "nil"
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


def is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def present(v):
    if v is None:
        return False
    if isinstance(v, str):
        return v.strip() != ""
    if isinstance(v, (list, dict)):
        return len(v) > 0
    return True


def who(p):
    if p is None:
        return "?"
    if p.get("name") is not None:
        return "%s (%s)" % (text(p["name"]), text(p.get("id")))
    return text(p.get("id"))


# The evaluation ---------------------------------------------------------------


class Result:
    def __init__(self):
        self.findings = []  # (severity, message)
        self.failed = self.warned = False
        self.na = None
        self.valid_until = None


class Evaluation:
    """One evaluation over parsed records: the indexes the rules share
    (people by id, the staff, acknowledgements) are made once, on demand."""

    def __init__(self, manifest, records, now):
        self.manifest, self.records, self.now = manifest, records, now
        self.cache = {}
        self.result = None

    def shared(self, key, build):
        if key not in self.cache:
            self.cache[key] = build()
        return self.cache[key]

    # people
    def person(self, pid):
        by_id = self.shared("person-index", self._person_index)
        return by_id.get(text(pid)) if pid is not None else None

    def _person_index(self):
        by_id = {}
        for p in self.records["person"]:
            if p.get("id") is not None:
                by_id.setdefault(text(p["id"]), p)
        return by_id

    def active(self, p):
        joined, left = as_date(p.get("joined")), as_date(p.get("left"))
        if joined and joined > self.now:
            return False
        return left is None or left > self.now

    def staff(self):
        return self.shared("staff", lambda: [p for p in self.records["person"] if self.active(p)])

    def settled(self, p, days):
        joined = as_date(p.get("joined"))
        if not joined:
            return True, None
        by = joined + datetime.timedelta(days=days)
        return self.now > by, by

    # findings
    def fail(self, message):
        self.result.findings.append(("fail", message))
        self.result.failed = True

    def warn(self, message):
        self.result.findings.append(("observation", message))
        self.result.warned = True

    def valid_until(self, day):
        if day is None or day < self.now:
            return
        if self.result.valid_until is None or day < self.result.valid_until:
            self.result.valid_until = day

    def report(self, items, each, what, limit=20):
        """One finding per item while there are at most `limit`, else one
        for all, naming the first `limit`."""
        if len(items) <= limit:
            for item in items:
                each(item)
            return
        shown = ", ".join(who(item["p"]) for item in items[:limit])
        self.fail("%d %s: %s and %d more" % (len(items), what, shown, len(items) - limit))

    def in_post(self, pid, role):
        if pid is None:
            self.fail("no %s is named" % role)
            return None
        p = self.person(pid)
        if p is None:
            self.fail("%s '%s' is not in the personnel records" % (role, text(pid)))
            return None
        left = as_date(p.get("left"))
        if left and left <= self.now:
            self.fail("%s '%s' left the organisation on %s" % (role, text(pid), left))
        return p

    def leaver_step(self, field, days, late, missing):
        for p in self.records["person"]:
            left = as_date(p.get("left"))
            if not left or left > self.now:
                continue
            by = left + datetime.timedelta(days=days)
            done = as_date(p.get(field))
            if done:
                if done > by:
                    self.fail(late % (text(p.get("id")), left, done, (done - left).days, days))
            elif self.now > by:
                self.fail(missing % (text(p.get("id")), left, by))
            else:
                self.valid_until(by)


# Parameters: isms.yaml parameters["<rule id>"][name], then parameters[name],
# then the default, as the default's type (a list: of text).


def param(ev, rule_id, name, default):
    params = ev.manifest.get("parameters")
    if not isinstance(params, dict):
        return default
    own = params.get(rule_id)
    if isinstance(own, dict) and own.get(name) is not None:
        v = own[name]
    elif params.get(name) is not None:
        v = params[name]
    else:
        return default
    if isinstance(default, list):
        if isinstance(v, list) and all(is_number(x) or isinstance(x, str) for x in v):
            return [text(x) for x in v]
        if isinstance(v, str) or is_number(v):
            return re.findall(r"[^\s,;]+", text(v))
    elif isinstance(default, int):
        if isinstance(v, str) and re.fullmatch(r"\s*[-+]?\d+\s*", v):
            v = int(v)
        if is_number(v) and v == int(v) and (default <= 0 or v > 0):
            return int(v)
    raise ValueError("parameter %s must be of the type of its default %r, not %r" % (name, default, v))


# The rules ----------------------------------------------------------------------


def norm(v):
    return None if v is None else text(v).lower().strip()


def entries(v):
    if isinstance(v, list):
        return [text(x) for x in v]
    if isinstance(v, dict) or v is None:
        return []
    return [text(v)]


def has_audience(policy):
    a = policy.get("audience")
    return isinstance(a, dict) and a.get("all") is not True


def audience_text(policy):
    if not has_audience(policy):
        return "all staff"
    a, parts = policy["audience"], []
    for k in ("departments", "sites", "roles"):
        items = entries(a.get(k))
        if items:
            parts.append(k[:-1] + ("s " if len(items) > 1 else " ") + ", ".join(items))
    if a.get("remote_workers") is True:
        parts.append("remote workers")
    return "; ".join(parts) if parts else "an empty audience"


def audience_matcher(policy):
    """None when the policy reaches all staff, else a test of a profile."""
    if not has_audience(policy):
        return None
    a = policy["audience"]
    deps = {norm(x) for x in entries(a.get("departments"))}
    sites = {norm(x) for x in entries(a.get("sites"))}
    roles = {norm(x) for x in entries(a.get("roles"))}
    remote = a.get("remote_workers") is True
    return lambda f: (f["department"] in deps or f["site"] in sites or f["role"] in roles
                      or (remote and f["remote"]))


def acknowledgements(ev):
    """person id -> policy id -> the newest acknowledgement's date."""
    idx = {}
    for t in ev.records["training"]:
        if t.get("kind") == "policy-acknowledgement" and t.get("policy") is not None:
            d = as_date(t.get("completed_on"))
            if d and d <= ev.now:
                mine = idx.setdefault(text(t.get("person")), {})
                pol = text(t["policy"])
                if pol not in mine or d > mine[pol]:
                    mine[pol] = d
    return idx


def staff_profiles(ev):
    return [{"p": p, "id": text(p.get("id")), "department": norm(p.get("department")),
             "site": norm(p.get("site")), "role": norm(p.get("role")),
             "remote": p.get("remote_worker") is True} for p in ev.staff()]


def policies_acknowledged(ev, rid):
    policies = [p for p in ev.records["policy"]
                if p.get("acknowledgement_required") is True and p.get("status") in (None, "approved")]
    if not policies:
        return
    acks = ev.shared("acknowledgements", lambda: acknowledgements(ev))
    days = param(ev, rid, "awareness_after_joining_days", 30)
    due = []
    for f in ev.shared("profiles", lambda: staff_profiles(ev)):
        settled, by = ev.settled(f["p"], days)
        if settled:
            due.append({"p": f["p"], "by": by, "f": f})
        elif by:
            ev.valid_until(by)
    for pol in policies:
        match, pid, audience, missing = audience_matcher(pol), text(pol.get("id")), 0, []
        for d in due:
            if match is None or match(d["f"]):
                audience += 1
                if pid not in acks.get(d["f"]["id"], ()):
                    missing.append(d)
        if has_audience(pol) and audience == 0:
            ev.warn("the audience of policy '%s' (%s) names nobody on the staff: check the audience "
                    "against the people records' department, site and role" % (pid, audience_text(pol)))

        def each(d):
            due_on = "by %s, %d days after joining" % (d["by"], days) if d["by"] else "on joining"
            ev.fail("%s has not acknowledged the policy '%s' (due %s)" % (who(d["p"]), pid, due_on))

        ev.report(missing, each, "of the %d people of its audience (%s) have not acknowledged the policy '%s'"
                  % (audience, audience_text(pol), pid))


def asset_inventory(ev, rid):
    assets, limit = ev.records["asset"], param(ev, rid, "max_assets", 500000)
    if not assets:
        return ev.fail("the asset inventory (assets/*.yaml) is empty or missing")
    if len(assets) > limit:
        return ev.warn("the asset inventory has %d assets, more than this rule can judge (%d)" % (len(assets), limit))
    owner_ok = set()
    for a in assets:
        retired = as_date(a.get("retired_on"))
        if retired and retired <= ev.now:
            continue
        owner = a.get("owner")
        key = text(owner) if owner is not None else None
        if key is None or key not in owner_ok:
            p = ev.in_post(owner, "asset %s owner" % text(a.get("id")))
            left = as_date(p.get("left")) if p else None
            if key is not None and p and not (left and left <= ev.now):
                owner_ok.add(key)
        if not present(a.get("classification")):
            ev.fail("asset %s (%s) has no classification" % (text(a.get("id")), text(a.get("name"))))
        if retired:
            ev.valid_until(retired)


def assets_returned(ev, rid):
    ev.leaver_step("assets_returned_on", param(ev, rid, "leaver_asset_return_days", 7),
                   "%s left on %s and returned the assets on %s, %d days later (allowed: %d)",
                   "%s left on %s and has no assets_returned_on; the return was due by %s")


def classification_scheme(ev, rid):
    levels = {w.lower() for w in param(ev, rid, "classification_levels",
                                       ["public", "internal", "confidential", "restricted"])}
    for a in ev.records["asset"]:
        c = a.get("classification")
        if c is not None and text(c).lower() not in levels:
            ev.fail("asset %s: classification '%s' is not a label of the scheme" % (text(a.get("id")), text(c)))
    for s in ev.records["supplier"]:
        c = s.get("data_access")
        if c is not None and text(c).lower() != "none" and text(c).lower() not in levels:
            ev.fail("supplier %s: data_access '%s' is not a label of the scheme" % (text(s.get("id")), text(c)))


def before_joining(ev, key, what):
    for p in ev.staff():
        done, joined = as_date(p.get(key)), as_date(p.get("joined"))
        if not done:
            ev.fail("%s (%s): no %s is recorded (%s)" % (text(p.get("id")), text(p.get("name")), what, key))
        elif joined and done > joined:
            ev.fail("%s: %s on %s, %d days after joining on %s"
                    % (text(p.get("id")), what, done, (done - joined).days, joined))


def awareness_programme(ev, rid):
    months = param(ev, rid, "awareness_months", 12)
    days = param(ev, rid, "awareness_after_joining_days", 30)
    target = param(ev, rid, "awareness_completion_percent", 95)
    # the newest passed and newest failed awareness per person; a training
    # dated after the person left does not count for them
    passed, failed = {}, {}
    for t in ev.records["training"]:
        if t.get("kind") != "awareness":
            continue
        d = as_date(t.get("completed_on"))
        if not d or d > ev.now:
            continue
        pid = text(t.get("person"))
        p = ev.person(pid)
        left = as_date(p.get("left")) if p else None
        if left and d >= left:
            ev.fail("awareness training '%s' of %s is dated %s, on or after they left on %s: it cannot "
                    "count; correct the date or the person" % (text(t.get("course")), who(p), d, left))
            continue
        into = failed if t.get("passed") is False else passed
        if pid not in into or d > into[pid][1]:
            into[pid] = (t, d)
    due_people, missing, next_due = 0, [], None
    for p in ev.staff():
        pid = text(p.get("id"))
        settled, by = ev.settled(p, days)
        last = passed.get(pid)
        valid = add_months(last[1], months) if last else None
        if valid and valid >= ev.now and (next_due is None or valid < next_due):
            next_due = valid
        if settled:
            due_people += 1
            if not valid or valid < ev.now:
                missing.append({"p": p, "last": last, "valid": valid})
        elif by and (next_due is None or by < next_due):
            next_due = by
        f = failed.get(pid)
        if f and (not last or last[1] < f[1]):
            ev.fail("%s failed the awareness assessment on %s (%s) and has not passed it since"
                    % (who(p), f[1], text(f[0].get("course"))))
    if next_due:
        ev.valid_until(next_due)
    if due_people == 0:
        return
    rate = 100 * (due_people - len(missing)) / due_people
    if rate >= target:
        return

    def each(m):
        if m["last"]:
            ev.fail("%s: awareness training last completed on %s, lapsed on %s (%.1f%% of the staff current, "
                    "target %s%%)" % (who(m["p"]), m["last"][1], m["valid"], rate, target))
        else:
            ev.fail("%s has no awareness training on record (%.1f%% of the staff current, target %s%%)"
                    % (who(m["p"]), rate, target))

    ev.report(missing, each, "of %d staff have no awareness training from the last %d months (%.1f%%, below "
              "the %s%% target)" % (due_people, months, rate, target))


def leaver_access_removed(ev, rid):
    ev.leaver_step("access_removed_on", param(ev, rid, "leaver_access_removal_days", 1),
                   "%s left on %s; access was removed on %s, %d days later (allowed: %d)",
                   "%s left on %s and no access removal is recorded (access_removed_on); it was due by %s")


def risk_owner(ev, rid):
    risks = ev.records["risk"]
    if not risks:
        return ev.fail("the risk register is empty or missing (risk/register.yaml)")
    for k in risks:
        if k.get("status") != "closed":
            ev.in_post(k.get("owner"), "risk %s owner" % text(k.get("id")))


def scale_values(scale):
    if not isinstance(scale, list):
        return set()
    return {s["value"] for s in scale if isinstance(s, dict) and s.get("value") is not None}


def scorer(method):
    how = method.get("scoring") if method is not None else None
    if how == "add":
        return lambda l, i: l + i
    if how == "matrix":
        m = method.get("matrix")
        cells = {(text(c.get("likelihood")), text(c.get("impact"))): c.get("score")
                 for c in (m if isinstance(m, list) else []) if isinstance(c, dict)}
        return lambda l, i: cells.get((text(l), text(i)))
    return lambda l, i: l * i


def risk_scored(ev, rid):
    methods = ev.records["risk_method"]
    m = methods[0] if methods else None
    ls = scale_values(m.get("likelihood")) if m is not None else set()
    iss = scale_values(m.get("impact")) if m is not None else set()
    score = scorer(m)
    for k in ev.records["risk"]:
        kid = text(k.get("id"))
        l, i = k.get("likelihood"), k.get("impact")
        if not is_number(l) or not is_number(i):
            ev.fail("risk %s has no likelihood and impact score" % kid)
        else:
            if m is not None and l not in ls:
                ev.fail("risk %s: likelihood %s is not on the method's scale" % (kid, text(l)))
            if m is not None and i not in iss:
                ev.fail("risk %s: impact %s is not on the method's scale" % (kid, text(i)))
            s = score(l, i)
            if k.get("score") is not None and s is not None and k["score"] != s:
                ev.fail("risk %s: score %s does not match likelihood %s and impact %s (%s)"
                        % (kid, text(k["score"]), text(l), text(i), text(s)))
        rl, ri = k.get("residual_likelihood"), k.get("residual_impact")
        if m is not None and is_number(rl) and rl not in ls:
            ev.fail("risk %s: residual likelihood %s is not on the method's scale" % (kid, text(rl)))
        if m is not None and is_number(ri) and ri not in iss:
            ev.fail("risk %s: residual impact %s is not on the method's scale" % (kid, text(ri)))


def competence_evidence(ev, rid):
    want = param(ev, rid, "roles", ["*"])
    need = {}  # person id -> why, in the order found
    for role in ev.records["role"]:
        if role.get("isms_role") is not None and ("*" in want or text(role["isms_role"]) in want):
            if role.get("holder") is not None:
                need.setdefault(text(role["holder"]), "holds role " + text(role.get("id")))
    programmes = ev.records["audit_programme"]
    auditors = programmes[0].get("auditors") if programmes else None
    if isinstance(auditors, list):
        for a in auditors:
            if isinstance(a, dict) and a.get("person") is not None:
                need.setdefault(text(a["person"]), "is an internal auditor")
    if not need:
        ev.result.na = "no ISMS roles or auditors recorded"
        return
    # role training current today: person id -> latest expiry, or True
    # when one does not expire
    trained = {}
    for t in ev.records["training"]:
        if t.get("kind") != "role" or t.get("passed") is False:
            continue
        done, exp = as_date(t.get("completed_on")), as_date(t.get("expires_on"))
        if done and done <= ev.now and (exp is None or exp >= ev.now):
            pid = text(t.get("person"))
            cur = trained.get(pid)
            if exp is None or cur is True:
                trained[pid] = True
            elif cur is None or exp > cur:
                trained[pid] = exp
    for pid, why in need.items():
        p = ev.person(pid)
        if p and ev.active(p) and not present(p.get("competences")):
            t = trained.get(pid)
            if t is None:
                ev.fail("%s %s but has no evidence of competence: no competences in the personnel record "
                        "and no current role training" % (pid, why))
            elif t is not True:
                ev.valid_until(t)


# id, Annex A control (None: a clause), check
RULES = [
    ("A.5.1-policies-acknowledged", "5.1", policies_acknowledged),
    ("A.5.9-asset-inventory", "5.9", asset_inventory),
    ("A.5.11-assets-returned", "5.11", assets_returned),
    ("A.5.12-classification-scheme", "5.12", classification_scheme),
    ("A.6.1-screening", "6.1",
     lambda ev, rid: before_joining(ev, "screening_completed_on", "screening completed")),
    ("A.6.2-terms-signed", "6.2", lambda ev, rid: before_joining(ev, "terms_signed_on", "terms signed")),
    ("A.6.3-awareness-programme", "6.3", awareness_programme),
    ("A.6.5-leaver-access-removed", "6.5", leaver_access_removed),
    ("A.6.6-nda-signed", "6.6",
     lambda ev, rid: before_joining(ev, "nda_signed_on", "confidentiality agreement signed")),
    ("6.1.2-risk-owner", None, risk_owner),
    ("6.1.2-risk-scored", None, risk_scored),
    ("7.2-competence-evidence", None, competence_evidence),
]


def soa_index(ev):
    """The SoA's entries by control id (the first wins)."""
    soa = ev.records["soa"]
    controls = soa[0].get("controls") if soa else None
    idx = {}
    for e in controls if isinstance(controls, list) else []:
        if isinstance(e, dict) and e.get("control") is not None:
            idx.setdefault(text(e["control"]), e)
    return idx


def excluded(ev, control):
    """Whether the SoA excludes the control (applicable: false)."""
    e = ev.shared("soa-index", lambda: soa_index(ev)).get(control)
    return e is not None and e.get("applicable") is False


def waived(ev, rid):
    waivers = ev.manifest.get("waivers")
    for w in waivers if isinstance(waivers, list) else []:
        if isinstance(w, dict) and text(w.get("rule")) == rid and w.get("approved_by") is not None:
            exp = as_date(w.get("expires"))
            if exp and ev.now <= exp:
                return exp
    return None


def evaluate(manifest, records, now):
    """Run the rules once: rule id -> Result with its status."""
    ev = Evaluation(manifest, records, now)
    results = {}
    for rid, control, check in RULES:
        ev.result = res = Result()
        if control is not None and excluded(ev, control):
            res.na = "A.%s is excluded in the Statement of Applicability" % control
        else:
            try:
                check(ev, rid)
            except ValueError as e:  # a parameter of the wrong type
                ev.fail(str(e))
        if res.failed:
            res.status = "fail"
        elif res.warned:
            res.status = "warn"
        elif res.na:
            res.status = "not_applicable"
        else:
            res.status = "pass"
        exp = waived(ev, rid)
        if exp and res.status in ("fail", "warn"):
            res.status = "waived"
            if res.valid_until is None or exp < res.valid_until:
                res.valid_until = exp
        results[rid] = res
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[1])
    ap.add_argument("--repo", default="build/bench-isms", help="the ISMS work tree (default %(default)s)")
    ap.add_argument("--now", default="2026-11-22", help="the day of the evaluation (default %(default)s)")
    ap.add_argument("--runs", type=int, default=3, help="runs of the rules; the best counts (default 3)")
    ap.add_argument("--json", metavar="FILE", help="also write the verdicts and timings as JSON to FILE")
    args = ap.parse_args()
    now = datetime.date.fromisoformat(args.now)
    if not os.path.isfile(os.path.join(args.repo, "isms.yaml")):
        sys.exit("pybaseline.py: %s has no isms.yaml: not an ISMS work tree" % args.repo)

    t0 = time.perf_counter()
    manifest, records = load_repo(args.repo)
    parse_s = time.perf_counter() - t0

    rule_times = []
    for _ in range(max(1, args.runs)):
        t0 = time.perf_counter()
        results = evaluate(manifest, records, now)
        rule_times.append(time.perf_counter() - t0)
    rules_s = min(rule_times)

    print("Python baseline: %s (now %s)" % (args.repo, now))
    print("  records: " + ", ".join("%d %s" % (len(v), k) for k, v in records.items()))
    print()
    print("  %-32s %-15s %9s" % ("rule", "status", "findings"))
    counts, total = {}, 0
    for rid, res in results.items():
        print("  %-32s %-15s %9d" % (rid, res.status, len(res.findings)))
        counts[res.status] = counts.get(res.status, 0) + 1
        total += len(res.findings)
    print("  %-32s %-15s %9d" % ("total", ", ".join("%s %d" % kv for kv in sorted(counts.items())), total))
    print()
    print("  parse phase (read and parse the files, once):   %9.1f ms" % (parse_s * 1000))
    print("  rule phase (best of %d):                         %9.1f ms" % (len(rule_times), rules_s * 1000))
    print("  parse + rules:                                  %9.1f ms" % ((parse_s + rules_s) * 1000))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"parse_ms": parse_s * 1000, "rules_ms": rules_s * 1000,
                       "rules_ms_runs": [t * 1000 for t in rule_times],
                       "results": {rid: {"status": r.status, "findings": len(r.findings),
                                         "valid_until": r.valid_until and r.valid_until.isoformat()}
                                   for rid, r in results.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
