#!/bin/sh
# The second example ISMS (contrib/example-isms-2, Aurora Klinikdata AS):
# written by another team in another style (registers split by department,
# Markdown collections, JSON exports, non-ASCII names, CRLF files, a merged
# branch). The loader must take every file, and the planted nonconformities
# that the shipped rules catch must be reported at the right file and line.
# The planted ones the rules still miss, and the honest records they still
# flag, are listed in contrib/example-isms-2/README.md and not asserted here.
. "$(dirname "$0")/../lib.sh"

SRC="$ISMS_TOP/contrib/example-isms-2"
EX="$T/aurora"
NOW="--now 2026-10-01"

sh "$SRC/make-repo.sh" "$EX" >"$T/make.out" 2>&1
ok $? "make-repo.sh builds the repository"
[ -s "$T/make.out" ] && sed 's/^/# /' "$T/make.out"

n=$(git -C "$EX" rev-list --count HEAD)
ok $([ "$n" -ge 90 ] && echo 0 || echo 1) "a dated history ($n commits)"
merges=$(git -C "$EX" rev-list --merges --count HEAD)
is "$merges" 1 "one merged branch in the history"
first=$(git -C "$EX" log --reverse --format=%aI | head -1)
is "$first" "2024-09-30T10:15:00+02:00" "the history starts on 2024-09-30, Oslo time"
is "$(git -C "$EX" log -1 --format=%an%x09%s -- suppliers/business-services.json)" \
	"Aleksandra Kowalczyk	Supplier review 2026: business services" "the supplier review came in through the branch"
git -C "$EX" show HEAD:policies/physical-security-policy.md | od -c | grep -q '\\r  \\n'
ok $? "CRLF line endings are kept in the committed policy"

sh "$SRC/make-repo.sh" "$T/again" >/dev/null 2>&1
is "$(git -C "$T/again" rev-parse HEAD)" "$(git -C "$EX" rev-parse HEAD)" "the build is reproducible"

$ISMSCTL check --repo "$EX" $NOW --format json >"$T/out.json"; rc=$?
is "$rc" 1 "the example has nonconformities: exit 1"

# finding RULE FILE LINE TEXT: RULE reports a finding at FILE:LINE whose
# message contains TEXT.
finding() {
	python3 - "$T/out.json" "$@" <<'EOF'
import json, sys
path, rule, file, line, text = sys.argv[1:6]
d = json.load(open(path))
for r in d["results"]:
    if r["id"] != rule:
        continue
    for f in r.get("findings") or []:
        if f.get("file") == file and str(f.get("line")) == line and text in f["message"]:
            sys.exit(0)
    for f in r.get("findings") or []:
        print("#   %s:%s: %s" % (f.get("file"), f.get("line"), f["message"][:160]))
    sys.exit(1)
print("#   no result for rule", rule)
sys.exit(1)
EOF
}

# status RULE: the rule's status.
status() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(next((r["status"] for r in d["results"] if r["id"] == sys.argv[2]), "missing"))' "$T/out.json" "$1"
}

like "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["organisation"])' "$T/out.json")" \
	"Aurora Klinikdata AS" "the report names the organisation"

# The loader takes every style: Markdown collections (roles, context,
# incidents, treatment plan, risk method), JSON exports (contractors,
# training, suppliers, information assets, scans), CRLF, non-ASCII names,
# registers split per department, evidence in subdirectories.
nproblems=$(python3 -c 'import json,sys
print(sum(len(r["findings"]) for r in json.load(open(sys.argv[1]))["results"] if r["id"] == "7.5-records-valid"))' "$T/out.json")
is "$nproblems" 1 "every record file is read; the one problem is the duplicate risk id (N8, below)"
is "$(status 7.5.1-required-documents)" pass "the documented information is found in its non-default places"
is "$(status A.6.8-event-reporting)" pass "incident reporters are found across the department files"
is "$(status 7.3-awareness-current)" pass "awareness from the JSON export and onboarding counts for everyone"
is "$(status 9.2.1-audits-held)" pass "the audits of the programme are held"
python3 -c 'import json, sys
r = next(r for r in json.load(open(sys.argv[1]))["results"] if r["id"] == "A.8.13-backup-restore-tested")
sys.exit(1 if [f for f in r.get("findings") or [] if "is recorded" in f["message"] or "was due by" in f["message"]] else 0)' "$T/out.json"
ok $? "restore tests from evidence/platform are found and current (N6, below, is their failure)"
is "$(status 7.5.3-document-changes-approved)" pass "documents were committed with their approvals"

# Planted nonconformities the shipped rules catch (README: N5, N11, N13, N14, N15).
finding A.5.26-incident-response incidents/2026.md 55 "INC-2026-03 was closed on 2026-04-12, before it was reported"
ok $? "N5: incident closed before it was reported"
finding A.8.32-change-approved changes.yaml 54 "CHG-2026-05 was approved on 2026-05-04"
ok $? "N11: change implemented before it was approved"
finding A.5.20-supplier-agreements suppliers/business-services.json 7 "SUP-LINK"
ok $? "N13: supplier with access to confidential data and no security clauses"
finding A.5.34-breach-notification incidents/2026.md 17 "INC-2026-01 affected personal data; reported on 2026-02-03, notified on 2026-02-09"
ok $? "N14: breach notified after the deadline"
finding 10.2-audit-nonconformities-recorded audits/reports/IA-2026-01.md 27 "NC-2026-04, which is not in"
ok $? "N15: audit nonconformity missing from the log"

# --- Engineer B: the theme packs judge every record (issues 16 and 21) ---
# Planted nonconformities now caught (README: N6, N9, N12).
finding A.8.13-backup-restore-tested evidence/platform/restore-tests.yaml 82 "RT-2026-09 of AS-PLT-03 on 2026-07-08 has result fail and no follow-up"
ok $? "N6: a failed restore test without follow-up, not hidden by a later pass elsewhere"
finding A.8.11-soa soa.yaml 476 "its only evidence 'procedures/test-data-masking.md' is not in force (status draft"
ok $? "N9: a draft procedure is not evidence of an implemented control"
finding A.8.2-privileged-access-review assets/platform.yaml 40 "AS-PLT-05 (event-bus (Amazon MSK, Kafka))"
ok $? "N12: a production system in scope that never had a privileged access review"
finding A.5.18-access-rights-reviewed assets/platform.yaml 40 "AS-PLT-05"
ok $? "N12: and never had an access review (A.5.18)"
# False alarms gone: event-driven logs, evidence kept elsewhere, the
# decision not to notify, the Gdańsk audience, unquoted control ids.
is "$(status A.5.5-soa)" pass "H1: the authority contact log is event-driven, not stale"
is "$(status A.5.28-soa)" pass "H1: the evidence collection log is event-driven, not stale"
is "$(status A.6.4-soa)" pass "H1: the disciplinary log is event-driven, not stale"
is "$(status A.6.1-soa)" pass "H2: background checks kept in Sympa HR are external evidence"
is "$(status A.8.32-soa)" pass "H2: change tickets kept in Jira are external evidence"
is "$(status A.5.1-policies-acknowledged)" pass "H6: the Gdańsk office rules count against their audience"
is "$(status A.5.30-ict-readiness-tested)" pass "H7: an unquoted 5.30 is control 5.30"
is "$(status A.8.20-network-security)" pass "H7: an unquoted 8.20 is control 8.20"
python3 -c 'import json, sys
r = next(r for r in json.load(open(sys.argv[1]))["results"] if r["id"] == "A.5.34-breach-notification")
sys.exit(1 if [f for f in r.get("findings") or [] if f.get("line") != 17] else 0)' "$T/out.json"
ok $? "H5: INC-2026-02's recorded decision not to notify is accepted; only N14 remains"
# Planted nonconformities caught by the clause rules that judge every
# record at its own time (README: N1, N2, N3, N4, N7, N8, N10).
finding 9.2.2-auditor-independence audits/reports/IA-2026-02.md 6 "they own A.8.15, A.8.16 in the SoA"
ok $? "N1: the auditor audits controls he owns in the SoA"
finding 9.2.2-auditor-independence audits/reports/IA-2026-02.md 6 "are in their own department (Platform Engineering (Gdańsk))"
ok $? "N1: ... and his own department, naming the auditees"
finding 6.1.3-soa-exclusions-justified soa.yaml 387 "control 7.12 is excluded and is justified only by 'N/A'"
ok $? "N2: an exclusion justified by N/A"
finding 6.1.3-soa-exclusions-justified soa.yaml 597 "control 8.30 is excluded and is justified only by 'Outsourced development', the control's title"
ok $? "N3: an exclusion justified by the control's title"
is "$(status A.7.12-soa)" not_applicable "N2 is counted once: A.7.12-soa links to 6.1.3"
like "$(python3 -c 'import json,sys; print(next(r["note"] for r in json.load(open(sys.argv[1]))["results"] if r["id"] == "A.8.30-soa"))' "$T/out.json")" \
	"reported under 6.1.3-soa-exclusions-justified" "N3 is counted once: A.8.30-soa links to 6.1.3"
finding 9.3-review-outputs reviews/MR-2025-09.md 2 "management review MR-2025-09 of 2025-09-23 records no decisions (9.3.3) and no actions"
ok $? "N4: an older management review of the cycle without outputs"
finding 7.5.2-documents-approved policies/supplier-security-policy.md 6 "Ingrid Halvorsen (ingrid.halvorsen) had left on 2026-01-31"
ok $? "N7: a policy approved after its approver had left"
finding 7.5-records-valid risk/register/platform.yaml 54 "id 'R-014' is also used at risk/register/customer-operations.yaml:36"
ok $? "N8: one risk id in two register files, naming both places"
finding 10.2-effectiveness-reviewed improvement/nonconformities.yaml 77 "reviewed on 2026-05-12, before the action was completed on 2026-05-29"
ok $? "N10: effectiveness reviewed before the corrective action was completed"
finding 10.2-effectiveness-reviewed improvement/nonconformities.yaml 81 "NC-2026-02 was closed on 2026-05-12, before its corrective action was completed"
ok $? "N10: ... and closed before it too"

# Honest records judged by the people of their day (README: H3, H4): the
# former CEO chaired the review and approved the policy while in office.
is "$(status 9.3-review-held)" pass "H3: the review chaired by the CEO of the day passes"
is "$(status 5.2-policy-approved)" pass "H4: the policy approved by the CEO of the day passes"
is "$(status 9.3-review-inputs)" pass "every review of the cycle records its inputs"
is "$(status 4.3-scope-approved)" pass "the scope approved by the CTO, top management then and now"

# The text report says where, too.
out=$($ISMSCTL check --repo "$EX" $NOW 2>&1)
like "$out" "incidents/2026.md:55:" "the text report names file and line"

done_testing
