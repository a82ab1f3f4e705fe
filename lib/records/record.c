/* record.c - the ISMS record types, declared once. The tables below drive
 * validation (record_validate), the JSON Schema files editors use for
 * completion (record_json_schema) and the field reference in
 * docs/isms-repository.md (record_markdown). */
#include "record.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "date.h"
#include "log.h"
#include "alloc.h"
#include "err.h"
#include "buf.h"
#include "problems.h"

/* ---- the declarations ---- */

#define REQ FIELD_REQUIRED
#define PER FIELD_PERSON
#define IDT FIELD_ID_TEXT
#define KEY FIELD_KEY
#define CTL (FIELD_CONTROL | FIELD_ID_TEXT)
#define CLA (FIELD_CLAUSE | FIELD_ID_TEXT)
#define ARE (FIELD_AREA | FIELD_ID_TEXT)

#define V(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* clang-format off */
#define F_STR(n, fl, d)       {.name = n, .type = FT_STRING, .flags = fl, .doc = d}
#define F_TEXT(n, fl, d)      {.name = n, .type = FT_TEXT, .flags = fl, .doc = d}
#define F_DATE(n, fl, d)      {.name = n, .type = FT_DATE, .flags = fl, .doc = d}
#define F_INT(n, fl, d)       {.name = n, .type = FT_INT, .flags = fl, .doc = d}
#define F_NUM(n, fl, d)       {.name = n, .type = FT_NUMBER, .flags = fl, .doc = d}
#define F_BOOL(n, fl, d)      {.name = n, .type = FT_BOOL, .flags = fl, .doc = d}
#define F_ENUM(n, fl, v, d)   {.name = n, .type = FT_ENUM, .flags = fl, .values = v, .doc = d}
#define F_LIST(n, fl, it, d)  {.name = n, .type = FT_LIST, .flags = fl, .item_type = it, .doc = d}
#define F_LOBJ(n, fl, sub, d) {.name = n, .type = FT_LIST, .flags = fl, .item_type = FT_OBJECT, \
                               .fields = sub, .doc = d}
#define F_OBJ(n, fl, sub, d)  {.name = n, .type = FT_OBJECT, .flags = fl, .fields = sub, .doc = d}
#define F_MAP(n, fl, val, d)  {.name = n, .type = FT_OBJECT, .flags = (fl) | FIELD_MAP, \
                               .fields = val, .doc = d}
#define F_END                 {.name = NULL}
/* clang-format on */

/* manifest */

static const struct field_decl certificate_fields[] = {
	F_STR("number", IDT, "Certificate number as printed by the certification body."),
	F_STR("certification_body", 0,
	      "Accredited certification body that issued, or will issue, the certificate."),
	F_DATE("issued", 0,
	       "Date of issue; surveillance audits fall due 12 and 24 months after it."),
	F_DATE("expires", 0, "Expiry date; recertification must be completed before it."),
	F_DATE("stage1_on", 0, "Date of the stage 1 (documentation) audit."),
	F_DATE("stage2_on", 0, "Date of the stage 2 (implementation) audit."),
	F_TEXT("scope_statement", 0,
	       "Scope as worded on the certificate; it must agree with the ISMS scope (4.3)."),
	F_END,
};

static const struct field_decl waiver_fields[] = {
	F_STR("rule", REQ,
	      "Id of the rule waived, as shown in the results (e.g. 5.2-policy-approved)."),
	F_TEXT("reason", 0, "Why the rule is accepted as not met; an auditor will ask for it."),
	F_STR("approved_by", PER,
	      "Person id of who accepted the waiver, normally a member of top management."),
	F_DATE("approved_on", 0, "Date the waiver was accepted."),
	F_DATE("expires", 0,
	       "Date the waiver lapses; from then on the rule is evaluated as usual."),
	F_END,
};

static const struct field_decl path_value[] = {
	F_LIST("<type>", FIELD_ONE_OR_MORE, FT_STRING,
	       "Path patterns of that record type's files: one pattern, several separated by "
	       "spaces, or a list."),
	F_END,
};

static const struct field_decl manifest_fields[] = {
	F_STR("organisation", REQ,
	      "Legal name of the organisation whose ISMS this is, as on the certificate."),
	F_STR("time_zone", FIELD_TIME_ZONE,
	      "IANA time zone (e.g. Europe/Berlin) in which due dates and reminders fall; UTC "
	      "when absent."),
	F_LIST("top_management", PER, FT_STRING,
	       "Person ids of top management (clause 5): who approves the policy and attends "
	       "management reviews."),
	F_OBJ("certificate", 0, certificate_fields,
	      "The ISO/IEC 27001 certificate, or the certification planned."),
	F_MAP("parameters", 0, NULL,
	      "Rule parameters by name, overriding the rule packs' defaults (e.g. "
	      "policy_review_months: 12)."),
	F_LOBJ("waivers", 0, waiver_fields,
	       "Rules accepted as not met for a time, each with reason, approver and expiry; a "
	       "waived rule reports waived instead of fail."),
	F_MAP("paths", FIELD_TYPE_KEYS, path_value,
	      "Where record types live when not at their default paths: record type, then path "
	      "patterns that replace the defaults."),
	F_LIST("ignore", 0, FT_STRING,
	       "Path patterns of files that are not records (templates, notes), so they are not "
	       "reported as unrecognised."),
	F_END,
};

/* scope */

static const struct field_decl scope_fields[] = {
	F_STR("owner", PER, "Person id of who maintains the scope."),
	F_STR("approved_by", PER, "Person id of who approved the scope, normally top management."),
	F_DATE("approved_on", 0, "Date the current scope was approved."),
	F_DATE("reviewed_on", 0,
	       "Date of the last review that confirmed the scope unchanged, if later than the "
	       "approval."),
	F_INT("review_months", 0,
	      "Months between reviews; the scope is overdue after the last approval or review "
	      "plus this."),
	F_STR("version", IDT, "Version of the scope document."),
	F_LIST("boundaries", FIELD_ONE_OR_MORE, FT_TEXT,
	       "Organisational units, sites, systems and processes inside the scope (4.3)."),
	F_LIST("exclusions", FIELD_ONE_OR_MORE, FT_TEXT,
	       "What is left outside the scope, each with its reason; auditors challenge "
	       "unexplained exclusions."),
	F_LIST("interfaces", FIELD_ONE_OR_MORE, FT_TEXT,
	       "Interfaces and dependencies between activities inside and outside the scope (4.3 "
	       "c)."),
	F_END,
};

/* context and interested parties */

static const struct field_decl issue_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the issue, e.g. CI-3."),
	F_TEXT("issue", REQ, "The issue, stated so that a reader outside the team understands it."),
	F_ENUM("kind", 0, V("internal", "external"),
	       "Whether the issue is internal or external; 4.1 asks for both."),
	F_STR("category", 0, "Grouping such as legal, technological, market or organisational."),
	F_BOOL("climate_relevant", 0,
	       "Whether climate change bears on this issue (4.1 as amended in 2024)."),
	F_TEXT("effect", 0,
	       "How the issue affects the ISMS's intended outcomes, and what is done about it."),
	F_LIST("risks", IDT, FT_STRING,
	       "Ids of the risks in the register that the issue gives rise to."),
	F_DATE("reviewed_on", 0,
	       "Date the issue was last reviewed; the context must be kept current."),
	F_END,
};

static const struct field_decl party_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the party, e.g. IP-2."),
	F_STR("name", REQ, "Who the party is: customers, a regulator, staff, a named supplier."),
	F_LIST("requirements", 0, FT_TEXT,
	       "The party's requirements relevant to information security (4.2 b), one per item."),
	F_LIST("addressed_by", FIELD_ONE_OR_MORE, FT_TEXT,
	       "How those requirements are met: policies, controls, processes or records (4.2 "
	       "c)."),
	F_TEXT("climate_requirements", 0,
	       "The party's requirements on climate change, if any (4.2 as amended in 2024)."),
	F_DATE("reviewed_on", 0, "Date the party and its requirements were last reviewed."),
	F_END,
};

/* policies and procedures */

static const struct field_decl policy_fields[] = {
	F_STR("id", REQ | IDT,
	      "Unique id of the document (e.g. information-security-policy); rules and records "
	      "refer to it."),
	F_STR("title", REQ, "Title as shown to readers."),
	F_ENUM("kind", 0, V("policy", "topic-policy", "procedure", "standard"),
	       "What kind of document it is; the information security policy is kind policy."),
	F_STR("owner", PER, "Person id of who maintains the document and keeps it current."),
	F_STR("approved_by", PER,
	      "Person id of who approved this version; for the information security policy, a "
	      "member of top management (5.2)."),
	F_DATE("approved_on", 0, "Date this version was approved."),
	F_DATE("reviewed_on", 0,
	       "Date of the last review that left the text unchanged, if later than the "
	       "approval."),
	F_INT("review_months", 0,
	      "Months between reviews; the document is overdue after the last approval or review "
	      "plus this."),
	F_STR("version", IDT, "Version of the approved text (7.5.2)."),
	F_ENUM("status", 0, V("draft", "approved", "retired"),
	       "Lifecycle state; only an approved document is in force."),
	F_LIST("controls", CTL, FT_STRING,
	       "Annex A controls the document addresses, by id (e.g. 5.15)."),
	F_LIST("clauses", CLA, FT_STRING,
	       "Clauses of ISO/IEC 27001 the document addresses, by number (e.g. 7.5)."),
	F_BOOL("acknowledgement_required", 0,
	       "Whether staff must confirm they read it; confirmations are training records of "
	       "kind policy-acknowledgement."),
	F_END,
};

/* roles and people */

static const struct field_decl role_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the role, e.g. ciso."),
	F_STR("title", REQ, "Name of the role."),
	F_STR("holder", PER,
	      "Person id of who holds the role now; an unfilled ISMS role is a finding."),
	F_STR("deputy", PER, "Person id of the deputy, if any."),
	F_LIST("responsibilities", 0, FT_TEXT, "The role's responsibilities, one per item (5.3)."),
	F_LIST("authorities", 0, FT_TEXT, "What the role may decide or approve (5.3)."),
	F_STR("reports_to", IDT, "Id of the role this role reports to."),
	F_STR("isms_role", 0,
	      "The role's part in the ISMS, e.g. top-management, isms-manager, control-owner, "
	      "internal-auditor; absent for roles outside it."),
	F_DATE("assigned_on", 0, "Date the current holder was assigned and informed."),
	F_END,
};

static const struct field_decl person_fields[] = {
	F_STR("id", REQ | IDT,
	      "Unique id that names the person in every other record (e.g. j.smith)."),
	F_STR("name", REQ, "Full name."),
	F_STR("email", 0, "Work e-mail address."),
	F_ENUM("employment", 0, V("employee", "contractor", "temporary"), "Kind of engagement."),
	F_STR("department", 0, "Department or team."),
	F_STR("role", IDT, "Id of the role held (see roles), or the job title."),
	F_STR("manager", PER, "Person id of the line manager."),
	F_DATE("joined", 0, "Date the person started."),
	F_DATE("left", 0, "Date the person left; access must then be removed and assets returned."),
	F_DATE("screening_completed_on", 0,
	       "Date background verification was completed (A.6.1), normally before joining."),
	F_DATE("terms_signed_on", 0,
	       "Date the terms of employment, with their information security duties, were "
	       "signed (A.6.2)."),
	F_DATE("nda_signed_on", 0,
	       "Date the confidentiality or non-disclosure agreement was signed (A.6.6)."),
	F_BOOL("remote_worker", 0, "Whether the person works remotely (A.6.7)."),
	F_LIST("competences", 0, FT_TEXT,
	       "Competences for the person's ISMS duties and their evidence, e.g. a certificate "
	       "(7.2)."),
	F_DATE("access_removed_on", 0,
	       "Date all access rights were removed after leaving (A.5.18)."),
	F_DATE("assets_returned_on", 0,
	       "Date all assets of the organisation were returned after leaving (A.5.11)."),
	F_END,
};

static const struct field_decl training_fields[] = {
	F_STR("person", REQ | PER, "Person id of who was trained."),
	F_STR("course", REQ | IDT, "Name or id of the course, session or document."),
	F_ENUM("kind", 0, V("awareness", "role", "induction", "policy-acknowledgement"),
	       "What the training was for: awareness (7.3), role competence (7.2), induction, or "
	       "confirming a policy was read."),
	F_STR("policy", IDT, "For a policy acknowledgement: id of the policy confirmed."),
	F_DATE("completed_on", REQ, "Date the person completed it."),
	F_DATE("expires_on", 0, "Date by which it must be repeated, if it lapses."),
	F_BOOL("passed", 0, "Whether the person passed the assessment, where there was one."),
	F_STR("evidence", 0,
	      "Where the proof is kept: a path in this repository or a reference in the learning "
	      "system."),
	F_END,
};

/* risk */

static const struct field_decl level_fields[] = {
	F_INT("value", REQ | KEY, "Number of the level, as used in the risk register."),
	F_STR("label", 0, "Short name of the level, e.g. Likely."),
	F_TEXT("description", 0, "What the level means, so that assessors choose consistently."),
	F_END,
};

static const struct field_decl matrix_fields[] = {
	F_INT("likelihood", REQ, "Likelihood level."),
	F_INT("impact", REQ, "Impact level."),
	F_NUM("score", REQ, "Risk score of that pair."),
	F_END,
};

static const struct field_decl method_fields[] = {
	F_STR("owner", PER, "Person id of who maintains the method."),
	F_STR("approved_by", PER,
	      "Person id of who approved the method and its acceptance criteria."),
	F_DATE("approved_on", 0, "Date the method was approved."),
	F_DATE("reviewed_on", 0, "Date of the last review that left the method unchanged."),
	F_INT("review_months", 0, "Months between reviews of the method."),
	F_LOBJ("likelihood", 0, level_fields,
	       "The likelihood scale, one item per level from lowest to highest."),
	F_LOBJ("impact", 0, level_fields,
	       "The impact (consequence) scale, one item per level from lowest to highest."),
	F_ENUM("scoring", 0, V("multiply", "add", "matrix"),
	       "How likelihood and impact combine into the score: multiplied, added, or looked "
	       "up in matrix."),
	F_LOBJ("matrix", 0, matrix_fields,
	       "With scoring matrix: the score of each likelihood and impact pair."),
	F_NUM("acceptance_threshold", 0,
	      "Highest score that may be accepted without treatment; risks above it must be "
	      "treated (6.1.2 a)."),
	F_TEXT("criteria", 0,
	       "Risk acceptance criteria and criteria for performing assessments, in words "
	       "(6.1.2 a)."),
	F_INT("reassessment_months", 0,
	      "Months between reassessments of the register (8.2); significant changes call for "
	      "one sooner."),
	F_END,
};

static const struct field_decl risk_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the risk, e.g. R-7."),
	F_STR("title", REQ, "Short name of the risk."),
	F_TEXT("description", 0, "What could happen and what it would cause."),
	F_LIST("assets", IDT, FT_STRING, "Ids of the assets affected (see the asset inventory)."),
	F_TEXT("threat", 0, "The threat that could exploit the vulnerability."),
	F_TEXT("vulnerability", 0, "The weakness that could be exploited."),
	F_STR("owner", PER,
	      "Person id of the risk owner, accountable for the risk and for accepting what "
	      "remains (6.1.2 c)."),
	F_INT("likelihood", 0, "Likelihood level on the method's scale, before treatment."),
	F_INT("impact", 0, "Impact level on the method's scale, before treatment."),
	F_NUM("score", 0, "Risk score before treatment; computed by the method when absent."),
	F_DATE("assessed_on", 0,
	       "Date of the last assessment; reassess at planned intervals (8.2)."),
	F_ENUM("treatment", 0, V("mitigate", "accept", "transfer", "avoid"),
	       "Treatment option chosen (6.1.3 a)."),
	F_LIST("controls", CTL, FT_STRING,
	       "Annex A controls selected to treat the risk; each must be applicable in the SoA "
	       "(6.1.3 b, c)."),
	F_INT("residual_likelihood", 0, "Likelihood level after treatment."),
	F_INT("residual_impact", 0, "Impact level after treatment."),
	F_STR("residual_accepted_by", PER,
	      "Person id of the risk owner who accepted the residual risk (6.1.3 f)."),
	F_DATE("residual_accepted_on", 0, "Date the residual risk was accepted."),
	F_ENUM("status", 0, V("open", "in-treatment", "treated", "accepted", "closed"),
	       "Where the risk stands."),
	F_END,
};

static const struct field_decl treatment_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the action, e.g. T-12."),
	F_STR("risk", REQ | IDT, "Id of the risk the action treats."),
	F_TEXT("action", REQ, "What will be done."),
	F_LIST("controls", CTL, FT_STRING, "Annex A controls the action puts in place."),
	F_STR("owner", PER, "Person id of who is responsible for the action."),
	F_TEXT("resources", 0, "What the action needs: people, budget, tools."),
	F_DATE("due", 0, "Date by which the action is to be done."),
	F_ENUM("status", 0, V("planned", "in-progress", "done"), "Progress of the action."),
	F_DATE("completed_on", 0, "Date the action was completed."),
	F_END,
};

/* Statement of Applicability */

static const struct field_decl soa_control_fields[] = {
	F_STR("control", REQ | KEY | CTL, "Annex A control id, e.g. 5.15."),
	F_BOOL("applicable", REQ, "Whether the control is applicable (needed) in this ISMS."),
	F_TEXT("justification", 0,
	       "Why the control is included (risk, law, contract) or excluded; an exclusion "
	       "without one fails 6.1.3 d."),
	F_ENUM("status", 0, V("implemented", "partial", "planned", "not-implemented"),
	       "Implementation state of an applicable control."),
	F_STR("owner", PER, "Person id of who is responsible for the control."),
	F_LIST("evidence", FIELD_ONE_OR_MORE, FT_STRING,
	       "Paths in this repository, or references, showing that the control operates."),
	F_TEXT("notes", 0, "Anything else the reader should know."),
	F_END,
};

static const struct field_decl soa_fields[] = {
	F_STR("version", IDT, "Version of the Statement of Applicability."),
	F_STR("owner", PER, "Person id of who maintains the SoA."),
	F_STR("approved_by", PER, "Person id of who approved this version."),
	F_DATE("approved_on", 0, "Date this version was approved."),
	F_DATE("reviewed_on", 0, "Date of the last review that left it unchanged."),
	F_LOBJ("controls", REQ, soa_control_fields,
	       "One item per Annex A control; all 93 must be there (6.1.3 d)."),
	F_END,
};

/* objectives and changes */

static const struct field_decl result_fields[] = {
	F_DATE("date", REQ, "Date of the result."),
	F_STR("value", REQ | IDT, "Value measured or state reached."),
	F_TEXT("note", 0, "Comment on the result."),
	F_END,
};

static const struct field_decl objective_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the objective, e.g. O-1."),
	F_TEXT("objective", REQ, "The objective, consistent with the policy (6.2 a)."),
	F_TEXT("measure", 0, "How achievement is measured (6.2 b)."),
	F_STR("metric", IDT, "Id of the metric that measures it, if any."),
	F_STR("target", IDT, "Target value or state to reach."),
	F_STR("owner", PER, "Person id of who is responsible (6.2 h)."),
	F_DATE("due", 0, "Date by which it is to be achieved (6.2 i)."),
	F_TEXT("resources", 0, "Resources required (6.2 g)."),
	F_TEXT("evaluation", 0, "How and when the results are evaluated (6.2 j)."),
	F_ENUM("status", 0, V("planned", "in-progress", "achieved", "not-achieved", "cancelled"),
	       "Where the objective stands."),
	F_LOBJ("results", 0, result_fields, "Results recorded so far, one per item."),
	F_END,
};

static const struct field_decl change_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the change, e.g. CH-4."),
	F_STR("title", REQ, "Short name of the change."),
	F_ENUM("kind", 0, V("isms", "technical"),
	       "isms for a change to the ISMS itself (6.3), technical for a change to systems or "
	       "facilities (A.8.32)."),
	F_TEXT("description", 0, "What changes and why."),
	F_STR("requested_by", PER, "Person id of who asked for the change."),
	F_DATE("planned_on", 0, "Date the change is planned for."),
	F_TEXT("impact_assessment", 0,
	       "Effect of the change on information security and on the ISMS, and how risks are "
	       "handled."),
	F_STR("approved_by", PER, "Person id of who authorised the change."),
	F_DATE("approved_on", 0, "Date it was authorised."),
	F_ENUM("status", 0, V("requested", "approved", "rejected", "implemented", "cancelled"),
	       "Where the change stands."),
	F_DATE("implemented_on", 0, "Date the change was carried out."),
	F_END,
};

/* assets, suppliers, incidents, legal */

static const struct field_decl asset_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the asset, e.g. A-17."),
	F_STR("name", REQ, "Name of the asset."),
	F_STR("kind", 0,
	      "Kind of asset, e.g. information, application, saas, infrastructure, hardware, "
	      "facility."),
	F_TEXT("description", 0, "What the asset is and what it is used for."),
	F_STR("owner", PER, "Person id of the asset owner (A.5.9)."),
	F_STR("classification", 0,
	      "Label under the organisation's classification scheme (A.5.12), e.g. confidential."),
	F_STR("location", 0, "Where the asset is kept or hosted."),
	F_BOOL("production", 0, "Whether the asset is in production use."),
	F_BOOL("backup_required", 0,
	       "Whether it must be backed up (A.8.13); restore tests are then expected."),
	F_STR("supplier", IDT, "Id of the supplier providing it, if any."),
	F_DATE("retired_on", 0, "Date it was taken out of use or disposed of (A.7.14)."),
	F_END,
};

static const struct field_decl supplier_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the supplier, e.g. S-3."),
	F_STR("name", REQ, "Name of the supplier."),
	F_TEXT("service", 0, "What the supplier provides."),
	F_ENUM("criticality", 0, V("low", "medium", "high", "critical"),
	       "How much the organisation depends on the supplier."),
	F_STR("owner", PER, "Person id of who manages the relationship."),
	F_DATE("agreement_signed_on", 0, "Date the current agreement was signed (A.5.20)."),
	F_BOOL("security_clauses", 0,
	       "Whether the agreement sets out information security requirements (A.5.20)."),
	F_STR("data_access", 0,
	      "Highest classification of the organisation's information the supplier can access "
	      "(e.g. confidential), or none."),
	F_BOOL("cloud", 0, "Whether it is a cloud service (A.5.23)."),
	F_LIST("certifications", 0, FT_STRING,
	       "Certifications the supplier holds, e.g. ISO/IEC 27001."),
	F_DATE("last_review_on", 0,
	       "Date the supplier's service and security were last reviewed (A.5.22)."),
	F_INT("review_months", 0, "Months between supplier reviews."),
	F_DATE("ended_on", 0, "Date the relationship ended."),
	F_END,
};

static const struct field_decl incident_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the incident, e.g. INC-2025-04."),
	F_STR("title", REQ, "Short name of the incident."),
	F_TEXT("description", 0, "What happened."),
	F_DATE("reported_on", REQ, "Date (or date and time) the event was reported (A.6.8)."),
	F_STR("reported_by", PER, "Person id of who reported it."),
	F_ENUM("severity", 0, V("low", "medium", "high", "critical"), "Severity as assessed."),
	F_DATE("triaged_on", 0,
	       "Date the event was assessed and decided to be an incident or not (A.5.25)."),
	F_ENUM("status", 0, V("open", "investigating", "contained", "closed"),
	       "Where the response stands (A.5.26)."),
	F_BOOL("personal_data", 0,
	       "Whether personal data were affected; breach notification duties may follow."),
	F_DATE("authority_notified_on", 0,
	       "Date an authority or other party was notified, where that was required."),
	F_DATE("closed_on", 0, "Date the incident was closed."),
	F_TEXT("root_cause", 0, "Cause found by the analysis."),
	F_TEXT("lessons_learned", 0, "What was learned and changed as a result (A.5.27)."),
	F_LIST("controls", CTL, FT_STRING, "Annex A controls involved or found wanting."),
	F_END,
};

static const struct field_decl legal_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the requirement, e.g. L-5."),
	F_TEXT("requirement", REQ, "What must be complied with."),
	F_STR("source", 0,
	      "Where it comes from: the law, regulation or contract, e.g. GDPR Art. 32."),
	F_STR("owner", PER, "Person id of who keeps track of it."),
	F_LIST("applies_to", FIELD_ONE_OR_MORE, FT_STRING,
	       "Processes, systems or sites it applies to."),
	F_LIST("controls", CTL, FT_STRING, "Annex A controls that meet it."),
	F_ENUM("compliance", 0,
	       V("compliant", "partially-compliant", "non-compliant", "not-assessed"),
	       "State of compliance when last assessed."),
	F_DATE("reviewed_on", 0,
	       "Date it was last reviewed; the register must be kept up to date (A.5.31)."),
	F_END,
};

/* internal audit */

static const struct field_decl auditor_fields[] = {
	F_STR("person", REQ | KEY | PER, "Person id of the auditor."),
	F_LIST("owns", ARE, FT_STRING,
	       "Areas the auditor is responsible for and so must not audit: clauses (9.2) or "
	       "controls written A.5.15."),
	F_NUM("capacity_days", 0, "Audit days the auditor can give per cycle."),
	F_BOOL("external", 0, "Whether the auditor comes from outside the organisation."),
	F_END,
};

static const struct field_decl planned_audit_fields[] = {
	F_STR("id", REQ | KEY | IDT, "Unique id of the audit, quoted by its report."),
	F_LIST("areas", ARE, FT_STRING,
	       "What the audit covers: clauses (9.2), controls written A.5.15, or a whole theme "
	       "(A.5 to A.8)."),
	F_DATE("planned_on", 0, "Date the audit is planned for."),
	F_STR("auditor", PER, "Person id of the lead auditor."),
	F_TEXT("criteria", 0, "Audit criteria and scope (9.2.2 b)."),
	F_ENUM("status", 0, V("planned", "in-progress", "done", "postponed", "cancelled"),
	       "Where the audit stands."),
	F_STR("report", IDT, "Id of the audit report, once written."),
	F_END,
};

static const struct field_decl programme_fields[] = {
	F_STR("owner", PER, "Person id of who manages the programme."),
	F_STR("approved_by", PER, "Person id of who approved the programme."),
	F_DATE("approved_on", 0, "Date the programme was approved."),
	F_DATE("cycle_start", 0, "First day of the current audit cycle."),
	F_INT("cycle_months", 0,
	      "Length of the cycle in months (often 12 or 36); every clause and applicable "
	      "control is audited within it."),
	F_LOBJ("auditors", 0, auditor_fields,
	       "Who may audit, and what each must not audit to stay objective and impartial "
	       "(9.2.2 c)."),
	F_LOBJ("audits", 0, planned_audit_fields, "The audits planned in the cycle."),
	F_END,
};

static const struct field_decl finding_fields[] = {
	F_STR("id", KEY | IDT, "Id of the finding within the report."),
	F_ENUM("kind", REQ, V("nonconformity", "observation", "opportunity"),
	       "What the finding is: a nonconformity, an observation, or an opportunity for "
	       "improvement."),
	F_STR("clause", CLA, "Clause the finding is about, e.g. 7.5.3."),
	F_STR("control", CTL, "Annex A control the finding is about, e.g. 8.13."),
	F_ENUM("severity", 0, V("major", "minor"), "For a nonconformity: major or minor."),
	F_TEXT("description", REQ, "What was found, with the evidence seen."),
	F_STR("nonconformity", IDT, "Id of the nonconformity record raised from it (10.2)."),
	F_END,
};

static const struct field_decl report_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the report, e.g. IA-2025-1."),
	F_STR("title", 0, "Title of the report."),
	F_STR("audit", IDT, "Id of the audit in the programme that this report records."),
	F_DATE("held_on", REQ, "Date the audit was held (its first day)."),
	F_STR("auditor", PER, "Person id of the lead auditor."),
	F_LIST("auditees", PER, FT_STRING, "Person ids of the people audited."),
	F_LIST("areas", ARE, FT_STRING,
	       "What was audited: clauses (9.2), controls written A.5.15, or a whole theme (A.5 "
	       "to A.8)."),
	F_TEXT("criteria", 0, "Audit criteria and scope (9.2.2 b)."),
	F_LOBJ("findings", 0, finding_fields, "Findings of the audit, one per item."),
	F_TEXT("conclusion", 0, "Overall conclusion, as reported to management (9.2.2 e)."),
	F_ENUM("status", 0, V("draft", "final"), "Whether the report is final."),
	F_END,
};

/* management review */

static const struct field_decl input_fields[] = {
	F_TEXT("previous_actions", 0,
	       "Status of actions from previous management reviews (9.3.2 a)."),
	F_TEXT("context_changes", 0,
	       "Changes in external and internal issues relevant to the ISMS (9.3.2 b)."),
	F_TEXT("interested_parties", 0,
	       "Changes in the needs and expectations of interested parties (9.3.2 c)."),
	F_TEXT("nonconformities", 0, "Nonconformities and corrective actions (9.3.2 d 1)."),
	F_TEXT("monitoring", 0, "Monitoring and measurement results (9.3.2 d 2)."),
	F_TEXT("audit_results", 0, "Audit results (9.3.2 d 3)."),
	F_TEXT("objectives", 0, "Fulfilment of the information security objectives (9.3.2 d 4)."),
	F_TEXT("feedback", 0, "Feedback from interested parties (9.3.2 e)."),
	F_TEXT("risk_assessment", 0,
	       "Results of risk assessment and status of the risk treatment plan (9.3.2 f)."),
	F_TEXT("improvement", 0, "Opportunities for continual improvement (9.3.2 g)."),
	F_END,
};

static const struct field_decl review_action_fields[] = {
	F_STR("id", KEY | IDT, "Id of the action within the review."),
	F_TEXT("action", REQ, "What is to be done."),
	F_STR("owner", PER, "Person id of who is responsible."),
	F_DATE("due", 0, "Date by which it is to be done."),
	F_ENUM("status", 0, V("planned", "in-progress", "done", "cancelled"),
	       "Progress of the action."),
	F_DATE("completed_on", 0, "Date it was completed."),
	F_END,
};

static const struct field_decl review_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the review, e.g. MR-2025."),
	F_STR("title", 0, "Title of the minutes."),
	F_DATE("held_on", REQ, "Date the review was held."),
	F_STR("chaired_by", PER,
	      "Person id of who chaired it; top management must take part (9.3.1)."),
	F_LIST("attendees", PER, FT_STRING, "Person ids of who attended."),
	F_OBJ("inputs", 0, input_fields,
	      "What was considered, one entry per input that 9.3.2 requires; a missing input is "
	      "a finding."),
	F_LIST("decisions", 0, FT_TEXT,
	       "Decisions on continual improvement and on any need for changes to the ISMS "
	       "(9.3.3)."),
	F_LOBJ("actions", 0, review_action_fields, "Actions decided, followed up to completion."),
	F_END,
};

/* monitoring, nonconformities, evidence */

static const struct field_decl measurement_fields[] = {
	F_DATE("date", REQ, "Date of the measurement."),
	F_NUM("value", REQ, "Value measured."),
	F_TEXT("note", 0, "Comment on the measurement."),
	F_END,
};

static const struct field_decl metric_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the metric, e.g. M-3."),
	F_STR("name", REQ, "What is measured."),
	F_STR("objective", IDT, "Id of the objective it measures, if any."),
	F_LIST("controls", CTL, FT_STRING, "Annex A controls whose effectiveness it measures."),
	F_STR("owner", PER, "Person id of who measures (9.1 d)."),
	F_STR("evaluated_by", PER,
	      "Person id of who analyses and evaluates the results (9.1 e, f)."),
	F_TEXT("method", 0,
	       "How it is measured, so that results are comparable and reproducible (9.1 b)."),
	F_ENUM("frequency", 0,
	       V("daily", "weekly", "monthly", "quarterly", "half-yearly", "yearly"),
	       "How often it is measured (9.1 c)."),
	F_STR("unit", 0, "Unit of measurement, e.g. % or days."),
	F_STR("target", IDT, "Target value."),
	F_LOBJ("measurements", 0, measurement_fields, "Measurements taken, one per item."),
	F_END,
};

static const struct field_decl corrective_fields[] = {
	F_TEXT("action", 0, "Action to remove the cause so that it does not recur (10.2 c)."),
	F_STR("owner", PER, "Person id of who is responsible."),
	F_DATE("due", 0, "Date by which it is to be done."),
	F_DATE("completed_on", 0, "Date it was completed."),
	F_END,
};

static const struct field_decl effectiveness_fields[] = {
	F_DATE("reviewed_on", 0, "Date the effectiveness was reviewed (10.2 d)."),
	F_STR("reviewed_by", PER, "Person id of who reviewed it."),
	F_BOOL("effective", 0, "Whether the corrective action worked."),
	F_END,
};

static const struct field_decl nc_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the nonconformity, e.g. NC-9."),
	F_DATE("raised_on", 0, "Date it was identified."),
	F_STR("raised_by", PER, "Person id of who raised it."),
	F_TEXT("source", 0,
	       "Where it was found, e.g. internal audit IA-2025-01, incident INC-2025-03."),
	F_STR("audit", IDT, "Id of the audit report that raised it, if any."),
	F_STR("clause", CLA, "Clause not conformed to, e.g. 9.2.2."),
	F_STR("control", CTL, "Annex A control concerned, if any, e.g. 8.13."),
	F_TEXT("description", REQ, "What is wrong, with the evidence."),
	F_ENUM("severity", 0, V("major", "minor"), "Major or minor."),
	F_TEXT("correction", 0, "Immediate action to control and correct it (10.2 a)."),
	F_TEXT("root_cause", 0, "Cause found by analysis (10.2 b)."),
	F_OBJ("corrective_action", 0, corrective_fields, "Action taken on the cause (10.2 c)."),
	F_OBJ("effectiveness", 0, effectiveness_fields,
	      "Review of whether the corrective action worked (10.2 d)."),
	F_ENUM("status", 0, V("open", "closed"),
	       "Open until the corrective action is done and found effective."),
	F_DATE("closed_on", 0, "Date it was closed."),
	F_END,
};

static const struct field_decl evidence_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the evidence record, e.g. EV-2025-031."),
	F_ENUM("kind", REQ,
	       V("access-review", "backup-restore-test", "vulnerability-scan", "pen-test",
	         "bcp-test", "log-review", "malware-coverage", "entry-log-review", "patch-review",
	         "configuration-review", "firewall-review", "clock-sync-check",
	         "secure-code-review", "data-deletion", "media-disposal", "capacity-review",
	         "other"),
	       "What activity it records; rules look for recent evidence of the kind their "
	       "control needs."),
	F_LIST("controls", CTL, FT_STRING, "Annex A controls it shows operating."),
	F_DATE("date", REQ, "Date the activity was performed."),
	F_STR("performed_by", PER, "Person id of who performed it."),
	F_ENUM("result", 0, V("pass", "fail", "partial"), "Outcome of the activity."),
	F_TEXT("summary", 0, "What was done and what was found."),
	F_STR("asset", IDT, "Id of the asset concerned, if one."),
	F_LIST("attachments", FIELD_ONE_OR_MORE, FT_STRING,
	       "Paths in this repository of reports, exports or screenshots."),
	F_END,
};

/* Every record type, in documentation order. A file's type comes from
 * `type:`, else from the first type whose paths match it. */
static const struct record_type types[] = {
	{ "manifest", "Manifest", "4, 5", "isms.yaml", SHAPE_SINGLETON, NULL, NULL, manifest_fields,
	  "The file at the top of the repository that makes it an ISMS: who "
	  "the organisation is, its time zone and top management, the "
	  "certificate, rule parameters, waivers, and where records live when "
	  "the default layout is not used." },
	{ "scope", "ISMS scope", "4.3", "isms/scope.md", SHAPE_SINGLETON, NULL, NULL, scope_fields,
	  "The boundaries and applicability of the ISMS (4.3), approved by "
	  "management. The Markdown text below the front matter is the scope "
	  "statement itself." },
	{ "context_issue", "Context issue", "4.1", "context/issues.yaml", SHAPE_COLLECTION,
	  "issues", "id", issue_fields,
	  "An internal or external issue that bears on the purpose of the ISMS "
	  "and its ability to achieve its intended outcomes (4.1), including "
	  "whether climate change is relevant." },
	{ "interested_party", "Interested party", "4.2", "context/interested-parties.yaml",
	  SHAPE_COLLECTION, "parties", "id", party_fields,
	  "A party with an interest in the ISMS, its relevant requirements, "
	  "and how the ISMS addresses them (4.2)." },
	{ "policy", "Policy or procedure", "5.2, 7.5, A.5.1", "policies/*.md procedures/*.md",
	  SHAPE_DOCUMENT, NULL, "id", policy_fields,
	  "A policy, topic-specific policy, procedure or standard, written in "
	  "Markdown with its fields in the front matter. Clause 5.2 asks for "
	  "an information security policy approved by top management, 7.5 for "
	  "documented information that is identified, approved and reviewed, "
	  "and A.5.1 for topic-specific policies." },
	{ "role", "Role", "5.3", "org/roles.yaml", SHAPE_COLLECTION, "roles", "id", role_fields,
	  "A role with information security responsibilities and authorities, "
	  "assigned and communicated (5.3, A.5.2)." },
	{ "person", "Person", "7.2, A.6", "people/personnel.yaml", SHAPE_COLLECTION, "people", "id",
	  person_fields,
	  "A member of staff or contractor within the scope: screening, terms "
	  "and confidentiality agreements on joining, and what happened on "
	  "leaving (A.6.1 to A.6.7, A.5.11, A.5.18). Every other record names "
	  "people by their id here." },
	{ "training", "Training record", "7.2, 7.3, A.6.3",
	  "people/training*.yaml people/training/*.yaml", SHAPE_COLLECTION, "training", NULL,
	  training_fields,
	  "One person's completion of one course: induction, awareness, role "
	  "training, or confirming that a policy was read (7.2, 7.3, A.6.3). "
	  "Records may be split over several files, e.g. one per year." },
	{ "risk_method", "Risk assessment method", "6.1.2", "risk/method.yaml", SHAPE_SINGLETON,
	  NULL, NULL, method_fields,
	  "How risks are assessed: the likelihood and impact scales, how they "
	  "combine into a score, and the criteria for accepting risk "
	  "(6.1.2 a), so that repeated assessments give consistent, valid and "
	  "comparable results." },
	{ "risk", "Risk", "6.1.2, 8.2", "risk/register.yaml risk/register/*.yaml", SHAPE_COLLECTION,
	  "risks", "id", risk_fields,
	  "An information security risk in the register: what could happen, "
	  "to which assets, how likely and how bad, who owns it, how it is "
	  "treated, and the residual risk its owner accepted (6.1.2, 6.1.3, "
	  "8.2)." },
	{ "risk_treatment", "Risk treatment action", "6.1.3, 8.3", "risk/treatment-plan.yaml",
	  SHAPE_COLLECTION, "actions", "id", treatment_fields,
	  "An action of the risk treatment plan (6.1.3 e, 8.3): what will be "
	  "done for which risk, by whom, and by when." },
	{ "soa", "Statement of Applicability", "6.1.3", "soa.yaml", SHAPE_SINGLETON, NULL, NULL,
	  soa_fields,
	  "The Statement of Applicability (6.1.3 d): each of the 93 Annex A "
	  "controls, whether it is applicable, why it is included or "
	  "excluded, and whether it is implemented." },
	{ "objective", "Information security objective", "6.2", "objectives.yaml", SHAPE_COLLECTION,
	  "objectives", "id", objective_fields,
	  "An information security objective (6.2): measurable where "
	  "practicable, with what will be done, the resources, who is "
	  "responsible, when it is due and how results are evaluated." },
	{ "change", "Planned change", "6.3, A.8.32", "changes.yaml", SHAPE_COLLECTION, "changes",
	  "id", change_fields,
	  "A change to the ISMS (6.3) or to systems and facilities (A.8.32), "
	  "planned, assessed and authorised before it is carried out." },
	{ "asset", "Asset", "A.5.9", "assets/*.yaml", SHAPE_COLLECTION, "assets", "id",
	  asset_fields,
	  "An entry of the inventory of information and other associated "
	  "assets (A.5.9), with its owner and classification (A.5.12)." },
	{ "supplier", "Supplier", "A.5.19-5.22", "suppliers.yaml", SHAPE_COLLECTION, "suppliers",
	  "id", supplier_fields,
	  "A supplier whose products or services touch information in scope, "
	  "with its agreement and its monitoring (A.5.19 to A.5.22, and A.5.23 "
	  "for cloud services)." },
	{ "incident", "Information security incident", "A.5.24-5.28", "incidents/*.yaml",
	  SHAPE_COLLECTION, "incidents", "id", incident_fields,
	  "An information security incident from report to closure: "
	  "assessment, response and lessons learned (A.5.24 to A.5.28, "
	  "A.6.8)." },
	{ "legal_requirement", "Legal, regulatory or contractual requirement", "A.5.31",
	  "legal/register.yaml", SHAPE_COLLECTION, "requirements", "id", legal_fields,
	  "A legal, statutory, regulatory or contractual requirement relevant "
	  "to information security, and how the organisation meets it "
	  "(A.5.31)." },
	{ "audit_programme", "Internal audit programme", "9.2.2", "audits/programme.yaml",
	  SHAPE_SINGLETON, NULL, NULL, programme_fields,
	  "The internal audit programme (9.2.2): the cycle, the auditors and "
	  "what each must not audit, and the audits planned so that every "
	  "clause and every applicable control is covered." },
	{ "audit_report", "Internal audit report", "9.2", "audits/reports/*.md", SHAPE_DOCUMENT,
	  NULL, "id", report_fields,
	  "The report of one internal audit (9.2.2 e, f), in Markdown: the "
	  "front matter records when, by whom, what was covered and the "
	  "findings; the text below it is the narrative." },
	{ "management_review", "Management review", "9.3", "reviews/*.md", SHAPE_DOCUMENT, NULL,
	  "id", review_fields,
	  "The record of one management review (9.3): who took part, the "
	  "inputs considered (9.3.2), and the decisions and actions that came "
	  "out of it (9.3.3). The text below the front matter holds the "
	  "minutes." },
	{ "metric", "Metric", "9.1", "metrics.yaml", SHAPE_COLLECTION, "metrics", "id",
	  metric_fields,
	  "A measure of information security performance or of the "
	  "effectiveness of the ISMS (9.1): what is measured, how, how often, "
	  "by whom, and the measurements taken." },
	{ "nonconformity", "Nonconformity and corrective action", "10.2", "nonconformities.yaml",
	  SHAPE_COLLECTION, "nonconformities", "id", nc_fields,
	  "A nonconformity and its handling (10.2): correction, root cause, "
	  "corrective action, and the review of whether it worked." },
	{ "evidence", "Evidence record", "A.5-A.8", "evidence/*.yaml", SHAPE_COLLECTION, "evidence",
	  "id", evidence_fields,
	  "A record that a control operated: an access review, a backup "
	  "restore test, a vulnerability scan, a continuity test. Rules for "
	  "Annex A controls look for recent evidence of the right kind." },
};

/* List every record type. */
const struct record_type *
record_types(size_t *n)
{
	*n = NELEM(types);
	return types;
}

/* Find a record type by name; NULL when there is none. */
const struct record_type *
record_type_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < NELEM(types); i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

/* ---- ids of clauses and controls ---- */

/* Controls per Annex A theme: A.5 to A.8. */
static const int theme_size[4] = { 37, 8, 14, 34 };

/* Subclauses of clauses 4 to 10, and third-level ones of each. */
static const struct {
	int nsub;
	int nsub3[5];
} clause_tree[7] = {
	{ 4, { 0 } },             /* 4.1-4.4 */
	{ 3, { 0 } },             /* 5.1-5.3 */
	{ 3, { 3, 0, 0 } },       /* 6.1.1-6.1.3, 6.2, 6.3 */
	{ 5, { 0, 0, 0, 0, 3 } }, /* 7.1-7.4, 7.5.1-7.5.3 */
	{ 3, { 0 } },             /* 8.1-8.3 */
	{ 3, { 0, 2, 3 } },       /* 9.1, 9.2.1-9.2.2, 9.3.1-9.3.3 */
	{ 2, { 0 } },             /* 10.1-10.2 */
};

/* Split s into one to three dot-separated numbers written without leading
 * zeros; returns how many, or 0 when s is not of that form. */
static int
dotted(const char *s, size_t len, int num[3])
{
	int n = 0;
	size_t i = 0;

	while (n < 3) {
		size_t start = i;
		int v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == start || (s[start] == '0'))
			return 0;
		num[n++] = v;
		if (i == len)
			return n;
		if (s[i++] != '.')
			return 0;
	}
	return 0;
}

/* Whether s is an Annex A control id such as 5.15. */
static int
control_ok(const char *s, size_t len)
{
	int num[3];

	if (dotted(s, len, num) != 2 || num[0] < 5 || num[0] > 8)
		return 0;
	return num[1] <= theme_size[num[0] - 5];
}

/* Whether s is a clause number of ISO/IEC 27001 such as 9.2.2. */
static int
clause_ok(const char *s, size_t len)
{
	int num[3], n = dotted(s, len, num);

	if (n == 0 || num[0] < 4 || num[0] > 10)
		return 0;
	if (n == 1)
		return 1;
	if (num[1] > clause_tree[num[0] - 4].nsub)
		return 0;
	return n == 2 || num[2] <= clause_tree[num[0] - 4].nsub3[num[1] - 1];
}

/* Whether s is an audit area: a clause, a control as A.5.15, or a theme
 * as A.5. */
static int
area_ok(const char *s, size_t len)
{
	int num[3];

	if (clause_ok(s, len))
		return 1;
	if (len < 3 || s[0] != 'A' || s[1] != '.')
		return 0;
	if (control_ok(s + 2, len - 2))
		return 1;
	return dotted(s + 2, len - 2, num) == 1 && num[0] >= 5 && num[0] <= 8;
}

/* ---- validation ---- */

#define ID_FLAGS (FIELD_ID_TEXT | FIELD_CONTROL | FIELD_CLAUSE | FIELD_AREA)
#define CLIP     64

/* Where a value sits inside a record, for messages: findings[2].kind. */
struct fpath {
	const struct fpath *up;
	const char *name; /* a field name, or NULL for a list index */
	size_t index;
};

/* One validation call: where problems go and how many were added. */
struct vctx {
	const char *path;
	struct problems *out;
	char prefix[CLIP + 32]; /* names the record of a collection, or "" */
	size_t shown, hidden;
};

/* Copy up to about 48 bytes of s for a message, cut at a character
 * boundary, with control characters shown as '?'. */
static const char *
clip(char out[CLIP], const char *s, size_t len)
{
	size_t n = len < 48 ? len : 48;

	if (n < len)
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	strcpy(out + n, n < len ? "..." : "");
	return out;
}

/* Append the dotted name of p to b. */
static void
fpath_put(struct buf *b, const struct fpath *p)
{
	char c[CLIP];

	if (p == NULL)
		return;
	fpath_put(b, p->up);
	if (p->name == NULL) {
		buf_printf(b, "[%zu]", p->index);
		return;
	}
	if (b->len > 0)
		buf_addc(b, '.');
	buf_adds(b, clip(c, p->name, strlen(p->name)));
}

/* Whether the problem cap is reached; then the problem is only counted. */
static int
full(struct vctx *c)
{
	if (c->shown < RECORD_MAX_PROBLEMS)
		return 0;
	c->hidden++;
	return 1;
}

static void report(struct vctx *c, int line, const char *fmt, ...) PRINTF(3, 4);
static void bad(struct vctx *c, const struct fpath *p, int line, const char *fmt, ...) PRINTF(4, 5);

/* Add one problem at line, after the record's prefix. */
static void
report(struct vctx *c, int line, const char *fmt, ...)
{
	va_list ap;
	char *m;

	if (full(c))
		return;
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	problems_add(c->out, c->path, line, "%s%s", c->prefix, m);
	free(m);
	c->shown++;
}

/* Add a problem about the field at p: "field 'p': ...". */
static void
bad(struct vctx *c, const struct fpath *p, int line, const char *fmt, ...)
{
	struct buf b = { 0 };
	va_list ap;
	char *m;

	if (full(c))
		return;
	fpath_put(&b, p);
	va_start(ap, fmt);
	m = xvasprintf(fmt, ap);
	va_end(ap);
	report(c, line, "field '%s': %s", b.data ? b.data : "", m);
	free(m);
	buf_free(&b);
}

/* Close a validation call: count what the cap held back. Returns the
 * number of problems added. */
static int
finish(struct vctx *c)
{
	if (c->hidden > 0)
		problems_add(c->out, c->path, 0, "%zu more problems in this file are not listed",
		             c->hidden);
	return (int)(c->shown + (c->hidden > 0));
}

/* Describe a value for "found ...": text 'x', the number 3, a list. */
static const char *
describe(const struct node *v, char *out, size_t size)
{
	char c[CLIP];

	switch (v->kind) {
	case NODE_STRING: snprintf(out, size, "text '%s'", clip(c, v->str, v->len)); break;
	case NODE_INT:
	case NODE_FLOAT: snprintf(out, size, "the number %s", clip(c, v->str, v->len)); break;
	case NODE_BOOL: snprintf(out, size, "%s", clip(c, v->str, v->len)); break;
	default: snprintf(out, size, "%s", node_kind_name(v->kind)); break;
	}
	return out;
}

/* Lower-case a character, and read '-' as '_', for fuzzy matching. */
static int
fold(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 'a';
	return ch == '-' ? '_' : ch;
}

#define EDIT_MAX 64

/* Edit distance (insert, delete, substitute, swap neighbours) between a
 * and b, both at most EDIT_MAX bytes. */
static int
edits(const char *a, size_t la, const char *b, size_t lb)
{
	int d[EDIT_MAX + 1][EDIT_MAX + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = fold(a[i - 1]) != fold(b[j - 1]);
			int v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* The closest candidate seen so far for a misspelt word. */
struct suggest {
	const char *word;
	size_t wlen;
	const char *best;
	int score;
};

/* Whether a distance is small enough for strings this long. */
static int
close_enough(int dist, size_t la, size_t lb)
{
	size_t longer = la > lb ? la : lb;

	return dist <= 2 && (size_t)dist * 3 <= longer;
}

/* Weigh cand as a suggestion: the whole name, or else one of its leading
 * words ("approved" of approved_by), which ranks after whole names. */
static void
consider(struct suggest *s, const char *cand)
{
	size_t lc = strlen(cand);

	if (s->wlen > EDIT_MAX || lc > EDIT_MAX)
		return;
	int d = edits(s->word, s->wlen, cand, lc);
	if (close_enough(d, s->wlen, lc) && (s->best == NULL || d < s->score)) {
		s->best = cand;
		s->score = d;
	}
	for (size_t i = 3; i < lc; i++) {
		if (cand[i] != '_')
			continue;
		d = edits(s->word, s->wlen, cand, i);
		if (close_enough(d, s->wlen, i) && (s->best == NULL || d + 3 < s->score)) {
			s->best = cand;
			s->score = d + 3;
		}
	}
}

/* " (did you mean 'x'?)" when s found a candidate, else "". */
static const char *
hint(const struct suggest *s, char *out, size_t size)
{
	if (s->best == NULL)
		return "";
	snprintf(out, size, " (did you mean '%s'?)", s->best);
	return out;
}

/* The field of fields named name, or NULL. */
static const struct field_decl *
find_field(const struct field_decl *fields, const char *name)
{
	for (const struct field_decl *f = fields; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

/* Say in words what a field of type t expects: "a date (YYYY-MM-DD)". */
static void
expectation(struct buf *b, const struct field_decl *f, enum field_type t)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT:
		if (f->flags & FIELD_CONTROL)
			buf_adds(b, "an Annex A control id such as 5.15");
		else if (f->flags & FIELD_CLAUSE)
			buf_adds(b, "a clause number such as 9.2");
		else if (f->flags & FIELD_AREA)
			buf_adds(b, "a clause (9.2) or control (A.5.15)");
		else if (f->flags & FIELD_PERSON)
			buf_adds(b, "a person id");
		else
			buf_adds(b, "text");
		break;
	case FT_DATE: buf_adds(b, "a date (YYYY-MM-DD)"); break;
	case FT_INT: buf_adds(b, "a whole number"); break;
	case FT_NUMBER: buf_adds(b, "a number"); break;
	case FT_BOOL: buf_adds(b, "true or false"); break;
	case FT_ENUM:
		buf_adds(b, "one of ");
		for (const char *const *v = f->values; v && *v; v++)
			buf_printf(b, "%s%s", v == f->values ? "" : ", ", *v);
		break;
	case FT_LIST: buf_adds(b, "a list"); break;
	case FT_OBJECT: buf_adds(b, "a mapping (lines of 'name: value')"); break;
	case FT_ANY: buf_adds(b, "a value"); break;
	}
}

/* Report a value of the wrong kind, with an optional hint. */
static void
mismatch(struct vctx *c, const struct field_decl *f, enum field_type t, const struct node *v,
         const struct fpath *p, const char *tip)
{
	struct buf b = { 0 };
	char d[CLIP + 16];

	if (full(c))
		return;
	expectation(&b, f, t);
	bad(c, p, v->line, "expected %s, found %s%s", b.data, describe(v, d, sizeof(d)), tip);
	buf_free(&b);
}

static void check_value(struct vctx *, const struct field_decl *, enum field_type,
                        const struct node *, const struct fpath *);
static void check_fields(struct vctx *, const struct field_decl *, const struct node *,
                         const struct fpath *, const struct record_type *);

/* Check what an id-like text says: a control, clause, area, time zone. */
static void
check_id(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	const char *s = v->str;
	size_t len = v->len;
	char q[CLIP];

	clip(q, s, len);
	if ((f->flags & FIELD_CONTROL) && !control_ok(s, len)) {
		if (len > 2 && s[0] == 'A' && s[1] == '.' && control_ok(s + 2, len - 2))
			bad(c, p, v->line, "write the control '%s' without 'A.', as %s", q, q + 2);
		else
			bad(c, p, v->line,
			    "'%s' is not an Annex A control (5.1 to 5.37, 6.1 to 6.8, 7.1 to 7.14, "
			    "8.1 to 8.34)",
			    q);
	} else if ((f->flags & FIELD_CLAUSE) && !clause_ok(s, len)) {
		bad(c, p, v->line, "'%s' is not a clause of ISO/IEC 27001 (4 to 10.2, e.g. 9.2.2)",
		    q);
	} else if ((f->flags & FIELD_AREA) && !area_ok(s, len)) {
		if (control_ok(s, len))
			bad(c, p, v->line,
			    "'%s' is not a clause; write the Annex A control as A.%s", q, q);
		else
			bad(c, p, v->line,
			    "'%s' is neither a clause (such as 9.2) nor a control (such as A.5.15)",
			    q);
	} else if ((f->flags & FIELD_TIME_ZONE) &&
	           (memchr(s, 0, len) != NULL || date_tz_valid(s) < 0)) {
		bad(c, p, v->line, "'%s' is not a time zone name such as Europe/Berlin", q);
	}
}

/* Check a text field; numbers count as text where ids are expected. */
static void
check_text(struct vctx *c, const struct field_decl *f, enum field_type t, const struct node *v,
           const struct fpath *p)
{
	int num = v->kind == NODE_INT || v->kind == NODE_FLOAT;

	if (v->kind == NODE_STRING || (num && (f->flags & ID_FLAGS))) {
		check_id(c, f, v, p);
		return;
	}
	mismatch(c, f, t, v, p,
	         num || v->kind == NODE_BOOL ? " (put it in quotes to make it text)" : "");
}

/* Check an ISO 8601 date or date-time; date_parse says what is wrong. */
static void
check_date(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	struct ymd ymd;
	char q[CLIP], why[256];

	if (v->kind != NODE_STRING) {
		mismatch(c, f, FT_DATE, v, p, "");
		return;
	}
	if (v->len > 64 || memchr(v->str, 0, v->len) != NULL) {
		bad(c, p, v->line, "'%s' is not a valid date (far too long)",
		    clip(q, v->str, v->len));
		return;
	}
	if (date_parse(v->str, NULL, &ymd, NULL, NULL) == 0 || full(c))
		return;
	snprintf(why, sizeof(why), "%s", err_msg());
	for (char *w = why; *w; w++)
		if ((unsigned char)*w < 0x20 || *w == 0x7f)
			*w = '?';
	bad(c, p, v->line, "%s", why);
}

/* Check a value against one of the allowed values. */
static void
check_enum(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	struct buf b = { 0 };
	char q[CLIP], h[CLIP + 32];

	if (v->kind != NODE_STRING) {
		mismatch(c, f, FT_ENUM, v, p, "");
		return;
	}
	for (const char *const *a = f->values; a && *a; a++)
		if (strlen(*a) == v->len && memcmp(*a, v->str, v->len) == 0)
			return;
	if (full(c))
		return;
	struct suggest s = { .word = v->str, .wlen = v->len };
	for (const char *const *a = f->values; a && *a; a++) {
		consider(&s, *a);
		buf_printf(&b, "%s%s", a == f->values ? "" : ", ", *a);
	}
	bad(c, p, v->line, "'%s' is not one of %s%s", clip(q, v->str, v->len), b.data ? b.data : "",
	    hint(&s, h, sizeof(h)));
	buf_free(&b);
}

/* Check a true/false value; quoted "true" gets a hint. */
static void
check_bool(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	static const char *const words[] = { "true", "false", "yes", "no" };
	const char *tip = "";

	if (v->kind == NODE_BOOL)
		return;
	for (size_t i = 0; v->kind == NODE_STRING && i < NELEM(words); i++)
		if (v->len == strlen(words[i]) && strncasecmp(v->str, words[i], v->len) == 0)
			tip = " (write true or false, without quotes)";
	mismatch(c, f, FT_BOOL, v, p, tip);
}

/* One key of a list of objects: its text and where it is. */
struct keyref {
	const char *s;
	size_t len;
	int line;
	size_t pos; /* item index */
	int first;  /* DUP: line of the first use */
};

/* Order key references by text, then by position. */
static int
keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->s, y->s, n);

	if (r != 0)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Order key references by position. */
static int
keyref_pos(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;

	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Gather the scalar values of key in the items of list; *n the count.
 * The result is the caller's. */
static struct keyref *
gather_keys(const struct node *list, const char *key, size_t *n)
{
	struct keyref *r = xcalloc(list->n, sizeof(*r));

	*n = 0;
	for (size_t i = 0; i < list->n; i++) {
		const struct node *v = node_get(list->items[i], key);
		if (v == NULL || v->len == 0 ||
		    (v->kind != NODE_STRING && v->kind != NODE_INT && v->kind != NODE_FLOAT))
			continue;
		r[(*n)++] = (struct keyref){ v->str, v->len, v->line, i, 0 };
	}
	return r;
}

/* Whether two key references hold the same text. */
static int
keyref_same(const struct keyref *x, const struct keyref *y)
{
	return x->len == y->len && memcmp(x->s, y->s, x->len) == 0;
}

/* Report values of key used more than once among the items of list, in
 * file order, each naming the line of the first use. */
static void
check_unique(struct vctx *c, const struct node *list, const char *key, const struct fpath *p)
{
	struct buf where = { 0 };
	size_t n, ndup = 0;
	struct keyref *r = gather_keys(list, key, &n);
	struct keyref *dup = xcalloc(n, sizeof(*dup));
	char q[CLIP];

	qsort(r, n, sizeof(*r), keyref_cmp);
	for (size_t i = 1, g = 0; i < n; i++) {
		if (!keyref_same(&r[g], &r[i])) {
			g = i;
			continue;
		}
		dup[ndup] = r[i];
		dup[ndup++].first = r[g].line;
	}
	qsort(dup, ndup, sizeof(*dup), keyref_pos);
	if (p != NULL)
		fpath_put(&where, p);
	for (size_t i = 0; i < ndup; i++)
		report(c, dup[i].line, "duplicate %s '%s'%s%s%s (lines %d and %d)", key,
		       clip(q, dup[i].s, dup[i].len), p ? " in '" : "",
		       where.data ? where.data : "", p ? "'" : "", dup[i].first, dup[i].line);
	buf_free(&where);
	free(dup);
	free(r);
}

/* The declaration of one item of list f. */
static struct field_decl
item_decl(const struct field_decl *f)
{
	struct field_decl it = *f;

	it.type = f->item_type;
	it.flags = f->flags & ~(unsigned)(FIELD_REQUIRED | FIELD_ONE_OR_MORE | FIELD_KEY);
	return it;
}

/* Check a list and each of its items; a list of objects also has the
 * values of its key fields checked for repeats. */
static void
check_list(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	struct field_decl it = item_decl(f);

	if (v->kind != NODE_SEQ) {
		if ((f->flags & FIELD_ONE_OR_MORE) && v->kind != NODE_MAP)
			check_value(c, &it, it.type, v, p);
		else
			mismatch(c, f, FT_LIST, v, p, "");
		return;
	}
	for (size_t i = 0; i < v->n; i++) {
		struct fpath ip = { p, NULL, i };
		check_value(c, &it, it.type, v->items[i], &ip);
	}
	if (it.type != FT_OBJECT)
		return;
	for (const struct field_decl *k = f->fields; k && k->name; k++)
		if (k->flags & FIELD_KEY)
			check_unique(c, v, k->name, p);
}

/* Whether name is a record type that `paths:` may place. */
static int
placeable(const char *name)
{
	const struct record_type *t = record_type_find(name);

	return t != NULL && t != &types[0];
}

/* Check a mapping with free keys (parameters, paths): record type names
 * as keys where asked, and each value against the one value decl. */
static void
check_map(struct vctx *c, const struct field_decl *f, const struct node *v, const struct fpath *p)
{
	char q[CLIP], h[CLIP + 32];

	for (size_t i = 0; i < v->n; i++) {
		const char *k = v->keys[i];
		if ((f->flags & FIELD_TYPE_KEYS) && !placeable(k)) {
			if (full(c))
				continue;
			struct suggest s = { .word = k, .wlen = strlen(k) };
			for (size_t t = 1; t < NELEM(types); t++)
				consider(&s, types[t].name);
			bad(c, p, v->key_lines[i],
			    "'%s' is not a record type whose files can be placed here%s",
			    clip(q, k, strlen(k)), hint(&s, h, sizeof(h)));
			continue;
		}
		if (f->fields == NULL || f->fields[0].name == NULL)
			continue;
		struct fpath kp = { p, k, 0 };
		check_value(c, &f->fields[0], f->fields[0].type, v->items[i], &kp);
	}
}

/* Check a value against its declaration, as type t (the field's own type,
 * or its item type inside a list). */
static void
check_value(struct vctx *c, const struct field_decl *f, enum field_type t, const struct node *v,
            const struct fpath *p)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT: check_text(c, f, t, v, p); break;
	case FT_DATE: check_date(c, f, v, p); break;
	case FT_INT:
		if (v->kind != NODE_INT)
			mismatch(c, f, t, v, p, "");
		break;
	case FT_NUMBER:
		if (v->kind != NODE_INT && (v->kind != NODE_FLOAT || !isfinite(v->f)))
			mismatch(c, f, t, v, p, "");
		break;
	case FT_BOOL: check_bool(c, f, v, p); break;
	case FT_ENUM: check_enum(c, f, v, p); break;
	case FT_LIST: check_list(c, f, v, p); break;
	case FT_OBJECT:
		if (v->kind != NODE_MAP)
			mismatch(c, f, t, v, p, "");
		else if (f->flags & FIELD_MAP)
			check_map(c, f, v, p);
		else
			check_fields(c, f->fields, v, p, NULL);
		break;
	case FT_ANY: break;
	}
}

/* Check an explicit `type:` against the type the file is read as. */
static void
check_type(struct vctx *c, const struct record_type *t, const struct node *v)
{
	const struct fpath p = { NULL, "type", 0 };
	char q[CLIP], h[CLIP + 32];

	if (v->kind != NODE_STRING) {
		if (full(c))
			return;
		bad(c, &p, v->line, "expected a record type name such as %s, found %s", t->name,
		    describe(v, q, sizeof(q)));
		return;
	}
	if (strlen(t->name) == v->len && memcmp(t->name, v->str, v->len) == 0)
		return;
	if (full(c))
		return;
	if (record_type_find(v->str) != NULL) {
		bad(c, &p, v->line, "says '%s', but the file is read as a %s record", v->str,
		    t->name);
		return;
	}
	struct suggest s = { .word = v->str, .wlen = v->len };
	for (size_t i = 0; i < NELEM(types); i++)
		consider(&s, types[i].name);
	bad(c, &p, v->line, "'%s' is not a record type%s", clip(q, v->str, v->len),
	    hint(&s, h, sizeof(h)));
}

/* Report an unknown field, suggesting the closest known name. */
static void
unknown(struct vctx *c, const struct field_decl *fields, int typed, const char *key, int line,
        const struct fpath *up)
{
	struct buf b = { 0 };
	char q[CLIP], h[CLIP + 32];

	if (full(c))
		return;
	struct suggest s = { .word = key, .wlen = strlen(key) };
	for (const struct field_decl *f = fields; f && f->name; f++)
		consider(&s, f->name);
	if (typed)
		consider(&s, "type");
	fpath_put(&b, up);
	report(c, line, "unknown field '%s%s%s'%s", b.data ? b.data : "", b.len ? "." : "",
	       clip(q, key, strlen(key)), hint(&s, h, sizeof(h)));
	buf_free(&b);
}

/* Check the fields of a mapping: each present field against its
 * declaration, unknown names, and required fields that are missing. A
 * document's own mapping (typed) may also name its type. */
static void
check_fields(struct vctx *c, const struct field_decl *fields, const struct node *map,
             const struct fpath *up, const struct record_type *typed)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *k = map->keys[i];
		const struct node *v = map->items[i];
		int kline = map->key_lines[i];
		if (typed != NULL && strcmp(k, "type") == 0) {
			check_type(c, typed, v);
			continue;
		}
		const struct field_decl *f = find_field(fields, k);
		if (f == NULL) {
			unknown(c, fields, typed != NULL, k, kline, up);
			continue;
		}
		struct fpath p = { up, f->name, 0 };
		if (v->kind == NODE_NULL) {
			if (f->flags & FIELD_REQUIRED)
				bad(c, &p, kline, "required, but empty");
			continue;
		}
		check_value(c, f, f->type, v, &p);
	}
	for (const struct field_decl *f = fields; f && f->name; f++) {
		if (!(f->flags & FIELD_REQUIRED) || node_get(map, f->name) != NULL)
			continue;
		struct buf b = { 0 };
		struct fpath p = { up, f->name, 0 };
		fpath_put(&b, &p);
		report(c, map->line, "missing required field '%s'", b.data);
		buf_free(&b);
	}
}

/* Check one record; a record of a collection is named in each message
 * by its id. */
static void
check_record(struct vctx *c, const struct record_type *t, const struct node *rec, int typed)
{
	char q[CLIP];

	c->prefix[0] = '\0';
	if (rec->kind != NODE_MAP) {
		report(c, rec->line,
		       "expected the fields of a %s record (lines of 'name: value'), found %s",
		       t->name, describe(rec, q, sizeof(q)));
		return;
	}
	const struct node *id = t->id_field ? node_get(rec, t->id_field) : NULL;
	if (t->shape == SHAPE_COLLECTION && id != NULL && id->len > 0 &&
	    (id->kind == NODE_STRING || id->kind == NODE_INT || id->kind == NODE_FLOAT))
		snprintf(c->prefix, sizeof(c->prefix), "%s '%s': ", t->name,
		         clip(q, id->str, id->len));
	check_fields(c, t->fields, rec, NULL, typed ? t : NULL);
	c->prefix[0] = '\0';
}

/* Check one record against its type. */
int
record_validate(const struct record_type *t, const struct node *rec, const char *path,
                struct problems *out)
{
	struct vctx c = { .path = path, .out = out };

	if (rec == NULL)
		report(&c, 0, "no %s record to check", t->name);
	else
		check_record(&c, t, rec, t->shape != SHAPE_COLLECTION);
	return finish(&c);
}

/* Whether any key of map is a field of t: one record written where the
 * list of records belongs. */
static int
looks_like_record(const struct record_type *t, const struct node *map)
{
	for (size_t i = 0; i < map->n; i++)
		if (find_field(t->fields, map->keys[i]) != NULL)
			return 1;
	return 0;
}

/* Check the mapping at the top of a collection file; returns its list of
 * records, or NULL. */
static const struct node *
collection_list(struct vctx *c, const struct record_type *t, const struct node *root)
{
	const struct node *list = NULL;
	const struct field_decl key[] = { { .name = t->list_key }, F_END };
	char d[CLIP + 16];

	if (node_get(root, t->list_key) == NULL) {
		if (looks_like_record(t, root)) {
			report(c, root->line,
			       "the %s records must be a list under '%s:'; put this record under "
			       "'%s:' as an item starting with '- '",
			       t->name, t->list_key, t->list_key);
			return NULL;
		}
		report(c, root->line, "missing the list '%s:' that holds the %s records",
		       t->list_key, t->name);
	}
	for (size_t i = 0; i < root->n; i++) {
		const struct node *v = root->items[i];
		if (strcmp(root->keys[i], "type") == 0)
			check_type(c, t, v);
		else if (strcmp(root->keys[i], t->list_key) != 0)
			unknown(c, key, 1, root->keys[i], root->key_lines[i], NULL);
		else if (v->kind == NODE_SEQ)
			list = v;
		else if (v->kind != NODE_NULL)
			report(c, v->line, "field '%s': expected a list of %s records, found %s",
			       t->list_key, t->name, describe(v, d, sizeof(d)));
	}
	return list;
}

/* Check a collection file: each record, then repeated ids. */
static void
check_collection(struct vctx *c, const struct record_type *t, const struct node *root)
{
	const struct node *list = root;
	char d[CLIP + 16];

	if (root->kind == NODE_MAP)
		list = collection_list(c, t, root);
	else if (root->kind != NODE_SEQ) {
		report(c, root->line, "expected a list of %s records under '%s:', found %s",
		       t->name, t->list_key, describe(root, d, sizeof(d)));
		return;
	}
	if (list == NULL)
		return;
	for (size_t i = 0; i < list->n; i++)
		check_record(c, t, list->items[i], 0);
	if (t->id_field != NULL)
		check_unique(c, list, t->id_field, NULL);
}

/* Check a whole file: a document's fields, or a collection's records. */
int
record_validate_doc(const struct record_type *t, const struct doc *d, struct problems *out)
{
	struct vctx c = { .path = d->path, .out = out };
	const struct node *root = d->root;

	if (root == NULL) {
		report(&c, d->error_line, "%s", d->error ? d->error : "the file could not be read");
		return finish(&c);
	}
	if (d->format == DOC_MARKDOWN && root->kind == NODE_MAP && root->n == 0 &&
	    d->body_line == 1) {
		report(&c, 1,
		       "no front matter: a %s record starts with its fields between two '---' "
		       "lines at the top of the file",
		       t->name);
		return finish(&c);
	}
	if (t->shape == SHAPE_COLLECTION)
		check_collection(&c, t, root);
	else
		check_record(&c, t, root, 1);
	return finish(&c);
}

/* ---- JSON Schema ---- */

#define SCHEMA_DRAFT "https://json-schema.org/draft/2020-12/schema"
#define SCHEMA_BASE  "https://ismsd.invalid/schema/"

/* Patterns that accept what control_ok, clause_ok and area_ok accept. */
#define RE_CONTROL                                                                                 \
	"(5\\.([1-9]|[12][0-9]|3[0-7])|6\\.[1-8]|"                                                 \
	"7\\.([1-9]|1[0-4])|8\\.([1-9]|[12][0-9]|3[0-4]))"
#define RE_CLAUSE                                                                                  \
	"(4(\\.[1-4])?|5(\\.[1-3])?|6(\\.1(\\.[1-3])?|\\.[23])?|"                                  \
	"7(\\.[1-4]|\\.5(\\.[1-3])?)?|8(\\.[1-3])?|"                                               \
	"9(\\.1|\\.2(\\.[12])?|\\.3(\\.[1-3])?)?|10(\\.[12])?)"
#define RE_AREA     "(" RE_CLAUSE "|A\\.(" RE_CONTROL "|[5-8]))"
#define RE_DATETIME "^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}"

static void schema_fill(json_t *s, const struct field_decl *f, enum field_type t);
static json_t *schema_object(const struct field_decl *fields, const struct record_type *typed);

/* A new schema for a value of type t. */
static json_t *
schema_new(const struct field_decl *f, enum field_type t)
{
	json_t *s = json_object();

	schema_fill(s, f, t);
	return s;
}

/* Describe a text value: ids also accept numbers, some follow a pattern. */
static void
schema_text(json_t *s, const struct field_decl *f)
{
	const char *re = NULL;

	if (f->flags & ID_FLAGS)
		json_object_set_new(s, "type", json_pack("[ss]", "string", "number"));
	else
		json_object_set_new(s, "type", json_string("string"));
	if (f->flags & FIELD_CONTROL)
		re = "^" RE_CONTROL "$";
	else if (f->flags & FIELD_CLAUSE)
		re = "^" RE_CLAUSE "$";
	else if (f->flags & FIELD_AREA)
		re = "^" RE_AREA "$";
	if (re != NULL)
		json_object_set_new(s, "pattern", json_string(re));
}

/* Describe a list; one item alone is allowed where the field says so. */
static void
schema_list(json_t *s, const struct field_decl *f)
{
	struct field_decl it = item_decl(f);

	if (!(f->flags & FIELD_ONE_OR_MORE)) {
		json_object_set_new(s, "type", json_string("array"));
		json_object_set_new(s, "items", schema_new(&it, it.type));
		return;
	}
	json_t *arr = json_object();
	json_object_set_new(arr, "type", json_string("array"));
	json_object_set_new(arr, "items", schema_new(&it, it.type));
	json_object_set_new(s, "anyOf", json_pack("[oo]", schema_new(&it, it.type), arr));
}

/* Describe a mapping with free keys. */
static void
schema_map(json_t *s, const struct field_decl *f)
{
	json_object_set_new(s, "type", json_string("object"));
	if (f->flags & FIELD_TYPE_KEYS) {
		json_t *names = json_array();
		for (size_t i = 1; i < NELEM(types); i++)
			json_array_append_new(names, json_string(types[i].name));
		json_object_set_new(s, "propertyNames", json_pack("{so}", "enum", names));
	}
	if (f->fields != NULL && f->fields[0].name != NULL) {
		json_t *v = json_object();
		json_object_set_new(v, "description", json_string(f->fields[0].doc));
		schema_fill(v, &f->fields[0], f->fields[0].type);
		json_object_set_new(s, "additionalProperties", v);
	}
}

/* Add to s the keywords for a value of type t declared by f. */
static void
schema_fill(json_t *s, const struct field_decl *f, enum field_type t)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT: schema_text(s, f); break;
	case FT_DATE:
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(
		        s, "anyOf",
		        json_pack("[{ss}{ss}]", "format", "date", "pattern", RE_DATETIME));
		break;
	case FT_INT: json_object_set_new(s, "type", json_string("integer")); break;
	case FT_NUMBER: json_object_set_new(s, "type", json_string("number")); break;
	case FT_BOOL: json_object_set_new(s, "type", json_string("boolean")); break;
	case FT_ENUM: {
		json_t *vals = json_array();
		for (const char *const *v = f->values; v && *v; v++)
			json_array_append_new(vals, json_string(*v));
		json_object_set_new(s, "type", json_string("string"));
		json_object_set_new(s, "enum", vals);
		break;
	}
	case FT_LIST: schema_list(s, f); break;
	case FT_OBJECT:
		if (f->flags & FIELD_MAP)
			schema_map(s, f);
		else {
			json_t *o = schema_object(f->fields, NULL);
			json_object_update(s, o);
			json_decref(o);
		}
		break;
	case FT_ANY: break;
	}
}

/* The `type:` property of a document, naming the record type. */
static json_t *
schema_type_prop(const struct record_type *t)
{
	return json_pack("{ssss}", "description",
	                 "Record type of this file; needed only when the file is not at one of the "
	                 "type's default paths.",
	                 "const", t->name);
}

/* A schema for a mapping of the given fields. */
static json_t *
schema_object(const struct field_decl *fields, const struct record_type *typed)
{
	json_t *s = json_object(), *props = json_object(), *req = json_array();

	json_object_set_new(s, "type", json_string("object"));
	for (const struct field_decl *f = fields; f && f->name; f++) {
		json_t *p = json_object();
		json_object_set_new(p, "description", json_string(f->doc));
		schema_fill(p, f, f->type);
		json_object_set_new(props, f->name, p);
		if (f->flags & FIELD_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	if (typed != NULL)
		json_object_set_new(props, "type", schema_type_prop(typed));
	json_object_set_new(s, "properties", props);
	if (json_array_size(req) > 0)
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	json_object_set_new(s, "additionalProperties", json_false());
	return s;
}

/* The file of a collection: a mapping holding the list under list_key,
 * or the list alone; records are described once, under $defs. */
static void
schema_collection(json_t *root, const struct record_type *t)
{
	char *ref = xasprintf("#/$defs/%s", t->name);
	char *what = xasprintf("The %s records, one per item.", t->name);
	json_t *props = json_object(), *inmap = json_object(), *defs;

	json_object_set_new(props, t->list_key,
	                    json_pack("{sssss{ss}}", "description", what, "type", "array", "items",
	                              "$ref", ref));
	json_object_set_new(props, "type", schema_type_prop(t));
	json_object_set_new(inmap, "type", json_string("object"));
	json_object_set_new(inmap, "properties", props);
	json_object_set_new(inmap, "required", json_pack("[s]", t->list_key));
	json_object_set_new(inmap, "additionalProperties", json_false());
	json_object_set_new(root, "type", json_pack("[ss]", "object", "array"));
	json_object_set_new(
	        root, "anyOf",
	        json_pack("[o{sss{ss}}]", inmap, "type", "array", "items", "$ref", ref));
	defs = json_object();
	json_object_set_new(defs, t->name, schema_object(t->fields, NULL));
	json_object_set_new(root, "$defs", defs);
	free(what);
	free(ref);
}

/* Build the JSON Schema of one record type's files. */
char *
record_json_schema(const struct record_type *t)
{
	json_t *root = json_object();
	json_malloc_t jmalloc;
	json_free_t jfree;
	char *id = xasprintf(SCHEMA_BASE "%s.json", t->name), *text, *out;

	json_object_set_new(root, "$schema", json_string(SCHEMA_DRAFT));
	json_object_set_new(root, "$id", json_string(id));
	json_object_set_new(root, "title", json_string(t->title));
	json_object_set_new(root, "description", json_string(t->doc));
	if (t->shape == SHAPE_COLLECTION) {
		schema_collection(root, t);
	} else {
		json_t *o = schema_object(t->fields, t);
		json_object_update(root, o);
		json_decref(o);
	}
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	free(id);
	if (text == NULL)
		fatalx("out of memory writing the JSON Schema of %s", t->name);
	/* jansson may have its own allocator; hand back our own copy. */
	out = xstrdup(text);
	json_get_alloc_funcs(&jmalloc, &jfree);
	jfree(text);
	return out;
}

/* ---- the Markdown reference ---- */

/* Append s to b for a table cell: '|' escaped, line breaks as spaces. */
static void
md_cell(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			buf_adds(b, "\\|");
		else
			buf_addc(b, *s == '\n' ? ' ' : *s);
	}
}

/* Name the kind of a value of type t, singular or plural. */
static const char *
md_kind(const struct field_decl *f, enum field_type t, int plural)
{
	switch (t) {
	case FT_STRING:
	case FT_TEXT:
		if (f->flags & FIELD_CONTROL)
			return plural ? "control ids" : "control id";
		if (f->flags & FIELD_CLAUSE)
			return plural ? "clause numbers" : "clause number";
		if (f->flags & FIELD_AREA)
			return plural ? "clauses or controls" : "clause or control";
		if (f->flags & FIELD_PERSON)
			return plural ? "person ids" : "person id";
		if (f->flags & FIELD_TIME_ZONE)
			return "time zone";
		if (f->flags & FIELD_ID_TEXT)
			return plural ? "text or numbers" : "text or number";
		return t == FT_TEXT ? "long text" : "text";
	case FT_DATE: return plural ? "dates" : "date";
	case FT_INT: return plural ? "whole numbers" : "whole number";
	case FT_NUMBER: return plural ? "numbers" : "number";
	case FT_BOOL: return "true/false";
	case FT_ENUM: return plural ? "choices" : "choice";
	case FT_OBJECT:
		if (f->flags & FIELD_MAP)
			return plural ? "maps" : "map";
		return plural ? "entries (fields below)" : "fields below";
	case FT_LIST: return plural ? "lists" : "list";
	case FT_ANY: return "any value";
	}
	return "?";
}

/* The type column: "date", "list of person ids", "text or list of text". */
static void
md_type(struct buf *b, const struct field_decl *f)
{
	if (f->type != FT_LIST) {
		buf_adds(b, md_kind(f, f->type, 0));
		return;
	}
	struct field_decl it = item_decl(f);
	if (f->flags & FIELD_ONE_OR_MORE)
		buf_printf(b, "%s or ", md_kind(&it, it.type, 0));
	buf_printf(b, "list of %s", md_kind(&it, it.type, 1));
}

/* The allowed-values column. */
static void
md_values(struct buf *b, const struct field_decl *f)
{
	enum field_type t = f->type == FT_LIST ? f->item_type : f->type;

	if (t == FT_ENUM) {
		for (const char *const *v = f->values; v && *v; v++)
			buf_printf(b, "%s`%s`", v == f->values ? "" : ", ", *v);
	} else if (f->flags & FIELD_CONTROL) {
		buf_adds(b, "5.1 to 5.37, 6.1 to 6.8, 7.1 to 7.14, 8.1 to 8.34");
	} else if (f->flags & FIELD_CLAUSE) {
		buf_adds(b, "4 to 10.2, e.g. `9.2.2`");
	} else if (f->flags & FIELD_AREA) {
		buf_adds(b, "clause `9.2`, control `A.5.15`, theme `A.5`");
	} else if (f->flags & FIELD_TIME_ZONE) {
		buf_adds(b, "IANA name, e.g. `Europe/Berlin`");
	} else if (f->flags & FIELD_PERSON) {
		buf_adds(b, "an `id` from people/personnel.yaml");
	} else if (f->flags & FIELD_TYPE_KEYS) {
		buf_adds(b, "record type names");
	} else if (t == FT_DATE) {
		buf_adds(b, "`YYYY-MM-DD`, or a date-time");
	} else if (t == FT_BOOL) {
		buf_adds(b, "`true`, `false`");
	}
}

/* Append the table rows of fields, nested ones as parent.child. */
static void
md_rows(struct buf *b, const struct field_decl *fields, const char *parent)
{
	for (const struct field_decl *f = fields; f && f->name; f++) {
		char *name = parent ? xasprintf("%s.%s", parent, f->name) : xstrdup(f->name);
		buf_printf(b, "| `%s` | ", name);
		md_type(b, f);
		buf_printf(b, " | %s | ", f->flags & FIELD_REQUIRED ? "yes" : "");
		md_values(b, f);
		buf_adds(b, " | ");
		md_cell(b, f->doc);
		buf_adds(b, " |\n");
		int nested =
		        f->type == FT_OBJECT || (f->type == FT_LIST && f->item_type == FT_OBJECT);
		if (nested)
			md_rows(b, f->fields, name);
		free(name);
	}
}

/* Whether every default path of t names a Markdown file. */
static int
md_markdown_paths(const struct record_type *t)
{
	const char *p = t->paths;

	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		if (len < 3 || strncmp(p + len - 3, ".md", 3) != 0)
			return 0;
		p += len;
		while (*p == ' ')
			p++;
	}
	return 1;
}

/* Append the facts list of one record type. */
static void
md_facts(struct buf *b, const struct record_type *t)
{
	const char *p = t->paths;

	buf_adds(b, "- Default paths:");
	while (*p) {
		const char *e = strchr(p, ' ');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		buf_printf(b, "%s `%.*s`", p == t->paths ? "" : ",", (int)len, p);
		p += len;
		while (*p == ' ')
			p++;
	}
	buf_printf(b, "\n- Format: %s\n",
	           md_markdown_paths(t) ? "Markdown; the fields are the YAML front matter, the "
	                                  "text below it is the document"
	                                : "YAML (JSON with the same fields also works)");
	if (t->shape == SHAPE_COLLECTION)
		buf_printf(b,
		           "- Shape: collection; a file holds many records as a list under `%s:` "
		           "(or a list at the top of the file)\n",
		           t->list_key);
	else if (t->shape == SHAPE_SINGLETON)
		buf_adds(b, "- Shape: singleton; one file holds the only record of its kind\n");
	else
		buf_adds(b, "- Shape: document; one record per file\n");
	buf_printf(b, "- ISO/IEC 27001:2022: %s\n", t->clause);
	if (t->id_field != NULL)
		buf_printf(b, "- Identified by: `%s`%s\n", t->id_field,
		           t->shape == SHAPE_COLLECTION ? ", unique within the file" : "");
	if (t != &types[0])
		buf_printf(b, "- At another path: `type: %s` %s\n", t->name,
		           t->shape == SHAPE_COLLECTION ? "at the top of the file, next to the list"
		           : md_markdown_paths(t)       ? "in the front matter"
		                                        : "at the top of the file");
	buf_printf(b, "- JSON Schema: `" SCHEMA_BASE "%s.json`\n", t->name);
}

/* Build the Markdown reference of every record type. */
char *
record_markdown(void)
{
	struct buf b = { 0 };

	for (size_t i = 0; i < NELEM(types); i++) {
		const struct record_type *t = &types[i];
		buf_printf(&b, "%s### `%s`: %s\n\n%s\n\n", i ? "\n" : "", t->name, t->title,
		           t->doc);
		md_facts(&b, t);
		buf_adds(&b, "\n| field | type | required | allowed values | meaning "
		             "|\n|---|---|---|---|---|\n");
		md_rows(&b, t->fields, NULL);
	}
	return buf_steal(&b);
}
