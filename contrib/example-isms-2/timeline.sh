# timeline.sh - the commits of the Aurora Klinikdata ISMS repository, oldest
# first. Sourced by make-repo.sh, which defines commit, put, snap, gone,
# branch and merge. Dates are Oslo local time.

author mt "Maren Tveit" maren.tveit@aurora-klinikdata.example
author ak "Aleksandra Kowalczyk" aleksandra.kowalczyk@aurora-klinikdata.example
author pz "Piotr Zieliński" piotr.zielinski@aurora-klinikdata.example
author hn "Hege Nilsen" hege.nilsen@aurora-klinikdata.example
author sn "Siv Nygård" siv.nygard@aurora-klinikdata.example
author ti "Tomás Ibáñez" tomas.ibanez@aurora-klinikdata.example
author jn "José Núñez" jose.nunez@aurora-klinikdata.example

# Sed lines used more than once.
TM_2024='s/^  - karin.solbakken$/  - zoe.odegard/'
TM_COO='/^  - bjorn.asheim$/a\  - ingrid.halvorsen'
NO_CEO_NOTE='/^# Zoë Ødegård (CEO until/d'

# --- 2024: setting up --------------------------------------------------

commit 2024-09-30T10:15:00+02:00 mt "Start the ISMS repository" \
	"Decided in the leadership meeting of 2024-09-24: certification against
ISO/IEC 27001:2022 in spring 2025, records kept in Git."
put README.md
put isms.yaml -e "$TM_2024" -e "$TM_COO" -e "$NO_CEO_NOTE" \
	-e '/^certificate:/,/^    offices in Oslo/d'

commit 2024-10-07T14:02:00+02:00 mt "Scope of the ISMS, version 1.0"
put isms/scope.md -e 's/^version: "1.2"/version: "1.0"/' -e 's/^approved_by: jose.nunez/approved_by: zoe.odegard/' \
	-e 's/^approved_on: 2026-03-02/approved_on: 2024-10-07/' -e '/Madrid sales office (4 people/d' \
	-e '/^| 1\.[12] |/d' -e 's/, the SMS reminder service,/,/'

commit 2024-10-14T09:30:00+02:00 mt "Risk method and document control procedure"
put risk/method.md -e '/^reviewed_on:/d'
put procedures/document-control.md -e '/^reviewed_on:/d'

commit 2024-10-15T16:45:00+02:00 mt "Context: issues and interested parties" \
	"From the workshop with the management team on 2024-10-15."
put context/issues.md -e '/id: CTX-05/,/reviewed_on:/d' -e 's/reviewed_on: 2026-0[49]-[0-9]*/reviewed_on: 2024-10-15/' \
	-e 's/ (CTX-05 was added when$/./' -e '/^the CEO change was announced)\.$/d'
put context/interested-parties.md -e 's/reviewed_on: 2026-04-14/reviewed_on: 2024-10-15/'

commit 2024-10-21T11:20:00+02:00 hn "Import personnel from Sympa" \
	"One file per department so that each head can check their own people."
for f in leadership security-compliance platform-engineering product-engineering \
	product-design customer-operations sales-marketing people-finance-it; do
	snap 2024-10-21 people/staff/$f.yaml
done
snap 2024-10-21 people/staff/contractors.json

commit 2024-10-22T13:05:00+02:00 mt "Roles and responsibilities"
put org/roles.md -e 's/holder: karin.solbakken/holder: zoe.odegard/' -e 's/assigned_on: 2026-08-17/assigned_on: 2018-03-01/' \
	-e 's/Karin Solbakken (since 2026-08-17; Zoë Ødegård before)/Zoë Ødegård/' -e 's/Søren Fabricius until 2025-11, now none/Søren Fabricius/' \
	-e '/id: head-product-engineering/,/Secure development life cycle/d' \
	-e '/^    history:$/,/^        to: 2026-08-31$/d'

commit 2024-11-04T10:00:00+01:00 mt "Corrective action procedure; asset inventory"
put procedures/corrective-action.md -e '/^reviewed_on:/d'
put assets/platform.yaml -e '/id: AS-PLT-05/,/supplier: SUP-AWS/d'
put assets/product.yaml -e '/In-house since 2026-03/d'
put assets/corporate-it.yaml -e '/retired_on:/d' -e 's/location: disposed through Foxway/location: Oslo and Gdańsk/'
put assets/information.json
put assets/facilities.yaml -e 's/Olivia Star 11th floor/Wały Piastowskie 2nd floor/' -e 's/al. Grunwaldzka, Gdańsk/Wały Piastowskie, Gdańsk/'

commit 2024-11-05T15:40:00+01:00 ak "Supplier register" \
	"Cloud and hosting by hand; business services exported from the Pleo vendor list."
put suppliers/cloud-and-hosting.yaml -e 's/last_review_on: 2026-06-2[0-9]/last_review_on: 2024-10-30/'
put suppliers/business-services.json -e '/SUP-NETSEC/d' -e 's/"last_review_on": "2026-0[67]-[0-9]*"/"last_review_on": "2024-10-31"/'

commit 2024-11-11T12:00:00+01:00 ak "Security Week 2024 results"
put people/training/awareness-2024.yaml

commit 2024-11-18T17:10:00+01:00 ak "Role training of management and control owners"
put people/training/role-training.yaml -u 'person: karin.solbakken'

commit 2024-11-25T09:45:00+01:00 mt "First risk assessment and treatment plan" \
	"Workshops of 2024-11-18 to 2024-11-22 with each department."
for f in platform product-engineering customer-operations corporate; do
	put risk/register/$f.yaml -e 's/2026-04-1[0-9]/2024-11-22/' -e 's/2026-04-2[0-9]/2024-11-25/'
done
put risk/treatment-plan.md -e '/completed_on:/d' -e 's/status: done/status: planned/' -e 's/status: in-progress/status: planned/' \
	-e '/id: T-07/,/status: planned/d' -e '/id: T-08/,/status: planned/d' -e '/id: T-14/,/status: planned/d'

commit 2024-12-16T11:30:00+01:00 mt "Internal audit programme 2025-2027"
put audits/programme.yaml -e 's/status: done/status: planned/' -e '/report: IA-/d'

# --- 2025: certification -------------------------------------------------

commit 2025-01-13T10:10:00+01:00 mt "Incident management procedure 2.0"
put procedures/incident-management.md -e 's/^version: "2.1"/version: "2.0"/' -e 's/^approved_on: 2026-03-23/approved_on: 2025-01-13/' \
	-e '/^| 2.1 |/d'

commit 2025-01-20T15:00:00+01:00 mt "Information security policy 3.0" \
	"Approved by Zoë in the leadership meeting today."
put policies/information-security-policy.md -e 's/^version: "4.0"/version: "3.0"/' -e 's/^approved_on: 2026-02-10/approved_on: 2025-01-20/' \
	-e 's/version 4.0, approved by the CEO on 10 February 2026/version 3.0, approved by the CEO on 20 January 2025/' -e '/^| 4.0 |/d'

commit 2025-01-24T16:30:00+01:00 ak "Evidence: access reviews Q1, January log reviews and coverage"
put evidence/platform/access-reviews.yaml -u 'id: AR-2025Q2-'
put evidence/platform/log-reviews.yaml -u 'id: LR-2025-02-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2025-02'

commit 2025-01-27T13:00:00+01:00 mt "Statement of Applicability 2.0"
put soa.yaml -e 's/^version: "3.1"/version: "2.0"/' -e 's/^approved_on: 2026-04-28/approved_on: 2025-01-27/' \
	-e 's/^# Statement of Applicability, version 3.1/# Statement of Applicability, version 2.0/'

commit 2025-02-05T09:20:00+01:00 sn "Contact with Datatilsynet on SMS retention"
put evidence/compliance/authority-contacts.yaml -u 'id: AC-2025-02'

commit 2025-02-18T14:30:00+01:00 ak "Report of internal audit IA-2025-01; NC-2025-01"
put audits/reports/IA-2025-01.md
put improvement/nonconformities.yaml -u 'id: NC-2025-02' \
	-e '/completed_on: 2025-03-10/,/closed_on: 2025-05-20/c\    status: open'

commit 2025-02-24T16:50:00+01:00 mt "Scope 1.1: Madrid sales office excluded"
put isms/scope.md -e 's/^version: "1.2"/version: "1.1"/' -e 's/^approved_by: jose.nunez/approved_by: zoe.odegard/' \
	-e 's/^approved_on: 2026-03-02/approved_on: 2025-02-24/' -e '/^| 1\.2 |/d' -e 's/, the SMS reminder service,/,/'
put changes.yaml -u 'id: CHG-2025-04'

commit 2025-02-26T10:05:00+01:00 ak "Minutes of the management review of 2025-02-25"
put reviews/MR-2025-02.md -e 's/status: done, completed_on: 2025-04-11/status: planned/'
put policies/physical-security-policy.md -e 's/^version: "1.1"/version: "1.0"/' -e 's/^approved_on: 2026-06-08/approved_on: 2025-02-17/' \
	-e '/^| 1.1 |/d' -e 's/Gdańsk (Olivia Star, 11th$/Gdańsk (Wały Piastowskie, 2nd/'

commit 2025-03-13T08:45:00+01:00 hn "Disciplinary case HR-2025-07"
put evidence/people/disciplinary-log.yaml

commit 2025-03-27T15:15:00+01:00 pz "Evidence Q1 2025: restore test, entry logs, pen test"
put evidence/platform/access-reviews.yaml -u 'id: AR-2025Q2-'
put evidence/platform/restore-tests.yaml -u 'id: RT-2025-02'
put evidence/platform/log-reviews.yaml -u 'id: LR-2025-04-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2025-04'
put evidence/facilities/entry-and-monitoring.yaml -u 'id: EL-2025-06-OSL'
put evidence/security-testing/tests.yaml -u 'id: PT-2025-02'

commit 2025-04-11T11:00:00+02:00 ak "Junglemap signed: MR-2025-02 action A1 done; NC-2025-01 corrective action done"
put reviews/MR-2025-02.md
put improvement/nonconformities.yaml -u 'id: NC-2025-02' \
	-e '/effectiveness:/,/closed_on: 2025-05-20/c\    status: open'

commit 2025-04-23T09:00:00+02:00 mt "Certificate NS-ISMS-25-0412 issued" \
	"Certification decision of Nordisk Sertifisering AS, 2025-04-22."
put isms.yaml -e "$TM_2024" -e "$TM_COO" -e "$NO_CEO_NOTE"

commit 2025-04-29T10:40:00+02:00 ti "Forensic image for the leaver case"
put evidence/compliance/evidence-collection.yaml

commit 2025-05-20T13:10:00+02:00 ak "NC-2025-01 effective, closed"
put improvement/nonconformities.yaml -u 'id: NC-2025-02'

commit 2025-06-03T09:30:00+02:00 mt "Gdańsk office rules 1.0"
put policies/gdansk-office-rules.md -e '/^reviewed_on:/d'

commit 2025-06-20T15:00:00+02:00 ak "Gdańsk office rules: confirmations collected"
snap 2025-06-20 people/training/gdansk-office-rules.yaml
put people/training/onboarding.yaml -u 'joined 2025-0[6-9]|joined 2025-1|joined 2026'

commit 2025-06-24T12:00:00+02:00 sn "Authority contact list checked"
put evidence/compliance/authority-contacts.yaml

commit 2025-06-27T16:00:00+02:00 pz "Evidence Q2 2025"
put evidence/platform/access-reviews.yaml -u 'id: AR-2025Q3-'
put evidence/platform/restore-tests.yaml -u 'id: RT-2025-04'
put evidence/platform/log-reviews.yaml -u 'id: LR-2025-07-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2025-07'
put evidence/facilities/entry-and-monitoring.yaml -u 'id: EL-2025-09-OSL'
put evidence/security-testing/tests.yaml -u 'id: PT-2026-01'
put evidence/continuity/exercises.yaml -u 'id: BC-2026-01'
put evidence/corporate-it/media-disposal.yaml -u 'id: MD-2026-01'
put incidents/2025.md -e '/  - id: INC-2025-03/,/^---/{/^---/!d}'

commit 2025-09-24T10:30:00+02:00 mt "Minutes of the management review of 2025-09-23; Gdańsk office moved"
put reviews/MR-2025-09.md
put assets/facilities.yaml
put incidents/2025.md

commit 2025-09-26T15:30:00+02:00 pz "Evidence Q3 2025; backup account in place (CHG-2025-04)"
put evidence/platform/access-reviews.yaml -u 'id: AR-2025Q4-'
put evidence/platform/restore-tests.yaml -u 'id: RT-2025-05'
put evidence/platform/log-reviews.yaml -u 'id: LR-2025-10-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2025-10'
put evidence/facilities/entry-and-monitoring.yaml -u 'id: EL-2025-12-OSL'
put changes.yaml -u 'id: CHG-2026-02'

commit 2025-10-01T14:00:00+02:00 ak "Acceptable use policy 3.0 for Security Week 2025"
put policies/acceptable-use-policy.md -e '/^reviewed_on:/d' -e '/^Reviewed unchanged on 2026-09-22/d'

commit 2025-10-06T09:00:00+02:00 hn "Personnel export of October 2025"
for f in leadership security-compliance platform-engineering product-engineering \
	product-design customer-operations sales-marketing people-finance-it; do
	snap 2025-10-06 people/staff/$f.yaml
done
snap 2025-10-06 people/staff/contractors.json

commit 2025-10-14T11:00:00+02:00 ak "Document control procedure reviewed, no change"
put procedures/document-control.md

commit 2025-10-21T10:00:00+02:00 pz "Backup and restore procedure 1.1"
put procedures/backup-and-restore.md

commit 2025-10-28T15:20:00+01:00 ak "Report of internal audit IA-2025-02; NC-2025-02"
put audits/reports/IA-2025-02.md
put improvement/nonconformities.yaml -u 'id: NC-2026-01' \
	-e '/completed_on: 2025-11-14/,/closed_on: 2026-03-05/c\    status: open'

commit 2025-11-04T09:10:00+01:00 mt "Corrective action procedure reviewed, no change"
put procedures/corrective-action.md

commit 2025-11-10T16:40:00+01:00 ak "Security Week 2025: Junglemap export" \
	"Completions and acceptable use confirmations of all staff, 2025-10-13 to 2025-11-07."
put people/training/lms-export-2025.json
put policies/cryptography-policy.md

commit 2025-11-14T12:30:00+01:00 ak "NC-2025-02: deputy for the entry log reviews"
put improvement/nonconformities.yaml -u 'id: NC-2026-01' \
	-e '/effectiveness:/,/closed_on: 2026-03-05/c\    status: open'

commit 2025-11-25T10:20:00+01:00 pz "Logging and monitoring standard 1.1"
put standards/logging-and-monitoring-standard.md

commit 2025-12-02T13:00:00+01:00 mt "Internal audit procedure 1.1"
put procedures/internal-audit.md

commit 2025-12-09T09:00:00+01:00 mt "Classification and handling 1.1, with DLP rules"
put policies/classification-policy.md

commit 2025-12-16T14:45:00+01:00 hn "Joiners, movers and leavers 1.1"
put procedures/joiners-movers-leavers.md

commit 2025-12-29T10:00:00+01:00 pz "Evidence Q4 2025"
put evidence/platform/access-reviews.yaml -u 'id: AR-2026Q1-'
put evidence/platform/restore-tests.yaml -u 'id: RT-2026-07'
put evidence/platform/log-reviews.yaml -u 'id: LR-2026-01-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2026-01'
put evidence/facilities/entry-and-monitoring.yaml -u 'id: EL-2026-03-OSL'

# --- 2026 ------------------------------------------------------------------

commit 2026-01-07T09:15:00+01:00 ti "Vulnerability scan export 2025"
put evidence/scans/vulnerability-scans-2025.json

commit 2026-01-13T11:00:00+01:00 mt "Remote working 1.1 and the communication plan"
put policies/remote-working-policy.md
put procedures/communication-plan.md

commit 2026-01-20T10:30:00+01:00 mt "Access control policy 2.1"
put policies/access-control-policy.md

commit 2026-01-27T15:00:00+01:00 jn "Change management procedure 1.2"
put procedures/change-management.md

commit 2026-02-02T09:00:00+01:00 mt "Ingrid has left: top management and changes" \
	"Ingrid Halvorsen left on 2026-01-31. Øystein Rønning starts today as VP
Customer Operations (CHG-2026-03)."
put isms.yaml -e "$TM_2024" -e "$NO_CEO_NOTE"

commit 2026-02-10T13:30:00+01:00 mt "Hardening standard 1.0; information security policy 4.0"
put standards/hardening-standard.md
put policies/information-security-policy.md

commit 2026-02-13T16:00:00+01:00 pz "Configuration, firewall and clock reviews 2026"
put evidence/platform/reviews.yaml -u 'id: CAP-2026-Q2'

commit 2026-02-16T10:00:00+01:00 ak "Supplier security policy 2.0" \
	"Ingrid's comments of January are in; approval as agreed with her."
put policies/supplier-security-policy.md

commit 2026-02-24T11:00:00+01:00 pz "Network security standard 1.0"
put standards/network-security-standard.md

commit 2026-03-03T14:00:00+01:00 mt "Scope 1.2 and risk method reviewed"
put isms/scope.md
put risk/method.md

commit 2026-03-06T17:20:00+01:00 mt "INC-2026-01 closed"
put incidents/2026.md -e '/  - id: INC-2026-02/,/^---/{/^---/!d}' -e '/^INC-2026-04 is still/,$d' \
	-e 's/^Same rules as 2025\. INC-2026-04 is still being investigated: no account was$/Same rules as 2025./' \
	-e '/^taken over (all clinic/d' -e '/^the list used comes from/d'

commit 2026-03-09T15:10:00+01:00 pz "SMS service and event bus in production (CHG-2026-02)"
put assets/platform.yaml
put assets/product.yaml
put policies/hr-security-policy.md
put changes.yaml -u 'id: CHG-2026-05'

commit 2026-03-10T12:00:00+01:00 ak "Report of internal audit IA-2026-01; NC-2026-02 and NC-2026-03"
put audits/reports/IA-2026-01.md
put improvement/nonconformities.yaml -u 'id: NC-2026-05' \
	-e '/id: NC-2026-01/,/status: open/d' \
	-e '/completed_on: 2026-05-29/,/closed_on: 2026-05-12/c\    status: open' \
	-e '/completed_on: 2026-04-10/,/closed_on: 2026-07-15/c\    status: open'

commit 2026-03-16T13:00:00+01:00 mt "Objectives 2026 with resources (NC-2026-03 correction)"
put objectives.yaml -e '/date: 2026-0[4-9]/d'
put metrics.yaml -e '/date: 2026-0[3-9]/d' -e '/date: 2026-03-31/d'

commit 2026-03-24T09:30:00+01:00 mt "Incident procedure 2.1: recipient check, DPO decision"
put procedures/incident-management.md

commit 2026-03-27T16:10:00+01:00 ak "Surveillance audit 1: NC-2026-01; evidence Q1 2026"
put improvement/nonconformities.yaml -u 'id: NC-2026-05' \
	-e '/completed_on: 2026-07-02/d' \
	-e '/completed_on: 2026-05-29/,/closed_on: 2026-05-12/c\    status: open' \
	-e '/completed_on: 2026-04-10/,/closed_on: 2026-07-15/c\    status: open'
put evidence/platform/access-reviews.yaml -u 'id: AR-2026Q2-'
put evidence/platform/restore-tests.yaml -u 'id: RT-2026-08'
put evidence/platform/log-reviews.yaml -u 'id: LR-2026-04-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2026-04'
put evidence/facilities/entry-and-monitoring.yaml -u 'id: EL-2026-06-OSL'
put evidence/security-testing/tests.yaml -u 'id: PT-2026-02'

commit 2026-04-08T10:00:00+02:00 ti "Vulnerability scan export up to April 2026"
snap 2026-04-08 evidence/scans/vulnerability-scans-2026.json

commit 2026-04-15T10:00:00+02:00 mt "Context and interested parties reviewed in the risk workshop"
put context/issues.md -e '/id: CTX-05/,/reviewed_on:/d' -e 's/ (CTX-05 was added when$/./' -e '/^the CEO change was announced)\.$/d'
put context/interested-parties.md

commit 2026-04-17T15:30:00+02:00 ak "Zendesk, Slack and Link Mobility reviewed (NC-2026-01 correction)"
put suppliers/business-services.json -e 's/"last_review_on": "2026-06-29"/"last_review_on": "2026-04-16"/' \
	-e 's/"last_review_on": "2026-06-30"/"last_review_on": "2026-04-16"/' -e 's/"last_review_on": "2026-07-0[12]"/"last_review_on": "2025-06-18"/' \
	-e 's/"last_review_on": "2024-10-31"/"last_review_on": "2025-06-18"/'

commit 2026-04-23T16:00:00+02:00 mt "Risk assessment 2026" \
	"Workshops of 14-17 April; residual risks accepted by the owners."
for f in platform product-engineering customer-operations corporate; do
	put risk/register/$f.yaml
done
put evidence/continuity/exercises.yaml

commit 2026-04-24T08:30:00+02:00 ti "INC-2026-03 closed"
put incidents/2026.md -e '/  - id: INC-2026-04/,/^---/{/^---/!d}' \
	-e 's/^Same rules as 2025\. INC-2026-04 is still being investigated: no account was$/Same rules as 2025./' \
	-e '/^taken over (all clinic/d' -e '/^the list used comes from/d'

commit 2026-04-28T14:20:00+02:00 mt "Statement of Applicability 3.1; business continuity 1.2"
put soa.yaml
put policies/business-continuity-policy.md

commit 2026-05-04T11:45:00+02:00 jn "Rate limit change approved; data protection and vulnerability procedures"
put changes.yaml -u 'id: CHG-2026-07'
put policies/data-protection-policy.md
put procedures/vulnerability-management.md

commit 2026-05-14T17:30:00+02:00 ti "KMS keys rotated (CHG-2026-07)"
put changes.yaml -u 'id: CHG-2026-09'

commit 2026-05-19T10:05:00+02:00 jn "Secure development standard 2.0"
put standards/secure-development-standard.md

commit 2026-05-21T09:40:00+02:00 pz "2021 laptop batch retired"
put assets/corporate-it.yaml

commit 2026-05-26T15:00:00+02:00 pz "Report of internal audit IA-2026-02"
put audits/reports/IA-2026-02.md
put audits/programme.yaml

commit 2026-05-29T16:30:00+02:00 mt "NC-2026-02: Zendesk behind Entra ID"
put improvement/nonconformities.yaml -u 'id: NC-2026-05' \
	-e '/completed_on: 2026-07-02/d' \
	-e '/completed_on: 2026-04-10/,/closed_on: 2026-07-15/{/completed_on/!d}' \
	-e '/completed_on: 2026-04-10/a\    status: open'

commit 2026-06-01T10:00:00+02:00 ak "Gdańsk office rules reviewed, unchanged"
put policies/gdansk-office-rules.md

commit 2026-06-04T13:00:00+02:00 pz "Disposal certificates for the 2021 laptops"
put evidence/corporate-it/media-disposal.yaml

commit 2026-06-09T11:10:00+02:00 ak "Physical security policy 1.1"
put policies/physical-security-policy.md

commit 2026-06-15T09:00:00+02:00 sn "Normen mapping done (T-22); treatment plan status"
put risk/treatment-plan.md

commit 2026-06-19T15:40:00+02:00 ak "Minutes of the management review of 2026-06-16"
put reviews/MR-2026-06.md -e 's/status: done, completed_on: 2026-08-24/status: planned/'

branch supplier-review-2026

commit 2026-06-25T14:00:00+02:00 ak "Supplier review 2026: cloud and hosting" \
	"SOC 2 reports of AWS, Microsoft, GitHub, Grafana and Cloudflare read;
no exceptions relevant to us. Part of the corrective action of NC-2026-01."
put suppliers/cloud-and-hosting.yaml

onto main

commit 2026-06-26T16:45:00+02:00 pz "Evidence Q2 2026"
put evidence/platform/access-reviews.yaml -u 'id: AR-2026Q3-'
put evidence/platform/restore-tests.yaml -u 'id: RT-2026-09'
put evidence/platform/log-reviews.yaml -u 'id: LR-2026-07-'
put evidence/corporate-it/endpoint-coverage.yaml -u 'id: MC-2026-07'
put evidence/facilities/entry-and-monitoring.yaml -u 'id: EL-2026-09-OSL'
put evidence/security-testing/tests.yaml

onto supplier-review-2026

commit 2026-07-01T16:20:00+02:00 ak "Supplier review 2026: business services"
put suppliers/business-services.json

merge supplier-review-2026 2026-07-02T09:30:00+02:00 mt "Merge branch 'supplier-review-2026'"

commit 2026-07-02T10:00:00+02:00 mt "NC-2026-01: supplier review round done"
put improvement/nonconformities.yaml -u 'id: NC-2026-05' \
	-e '/completed_on: 2026-04-10/,/closed_on: 2026-07-15/{/completed_on/!d}' \
	-e '/completed_on: 2026-04-10/a\    status: open'

commit 2026-07-03T15:30:00+02:00 pz "Capacity review Q2 2026"
put evidence/platform/reviews.yaml -u 'id: DD-2026-01'

commit 2026-07-06T11:00:00+02:00 ak "Draft: test data and masking procedure (T-05)"
put procedures/test-data-masking.md

commit 2026-07-09T08:50:00+02:00 pz "Restore test of clinical-attachments"
put evidence/platform/restore-tests.yaml -u 'id: RT-2026-10'

commit 2026-07-15T14:00:00+02:00 ak "NC-2026-03 effective, closed"
put improvement/nonconformities.yaml -u 'id: NC-2026-05'

commit 2026-08-20T10:30:00+02:00 pz "Data of two departed clinics deleted"
put evidence/platform/reviews.yaml

commit 2026-08-24T16:00:00+02:00 mt "Karin Solbakken takes over as CEO" \
	"Handover briefing today (MR-2026-06 action A1)."
put org/roles.md
put people/training/role-training.yaml
put reviews/MR-2026-06.md

commit 2026-09-01T09:00:00+02:00 mt "Top management after the CEO change; context issue CTX-05"
put isms.yaml
put context/issues.md

commit 2026-09-08T12:00:00+02:00 sn "NC-2026-05 on old DPAs; scan export September"
put improvement/nonconformities.yaml
put evidence/scans/vulnerability-scans-2026.json

commit 2026-09-10T10:00:00+02:00 sn "Legal register reviewed"
put legal/register.yaml

commit 2026-09-15T09:30:00+02:00 ti "INC-2026-04 under investigation"
put incidents/2026.md

commit 2026-09-21T14:10:00+02:00 jn "CHG-2026-09 just-in-time admin access approved"
put changes.yaml

commit 2026-09-22T11:00:00+02:00 ak "Acceptable use policy reviewed for Security Week 2026"
put policies/acceptable-use-policy.md

commit 2026-09-28T10:00:00+02:00 hn "Personnel export of September 2026" \
	"Joiners since October 2025, leavers with their exit dates, onboarding
and office rule confirmations."
for f in leadership security-compliance platform-engineering product-engineering \
	product-design customer-operations sales-marketing people-finance-it; do
	put people/staff/$f.yaml
done
put people/staff/contractors.json
put people/training/onboarding.yaml
put people/training/gdansk-office-rules.yaml

commit 2026-09-29T16:00:00+02:00 pz "Evidence Q3 2026"
put evidence/platform/access-reviews.yaml
put evidence/platform/restore-tests.yaml
put evidence/platform/log-reviews.yaml
put evidence/corporate-it/endpoint-coverage.yaml
put evidence/facilities/entry-and-monitoring.yaml

commit 2026-09-30T17:00:00+02:00 mt "Objectives and metrics, Q3 results"
put objectives.yaml
put metrics.yaml
