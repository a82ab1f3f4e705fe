/* record.c - the ISMS record types, declared once. The tables below drive
 * validation (record_validate.c), the JSON Schema files editors use for
 * completion and the field reference in docs/isms-repository.md
 * (record_export.c). */
#include "record.h"

#include <pthread.h>
#include <string.h>

#include "cdefs.h"

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

static const struct field_decl tm_history_fields[] = {
	F_STR("person", REQ | PER, "Person id of the member of top management."),
	F_DATE("from", 0, "First day in top management (open when absent)."),
	F_DATE("to", 0, "Last day in top management (open when absent: still a member)."),
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
	F_LOBJ("top_management_history", 0, tm_history_fields,
	       "Who was top management when: one entry per person and period, so that an "
	       "approval or a review chaired by someone who has since left is judged by the "
	       "top management of its day."),
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
	F_LIST("excluded_sites", FIELD_ONE_OR_MORE, FT_STRING,
	       "Sites outside the scope, as people's site and assets' location name them; "
	       "nothing in scope may be located there."),
	F_LIST("excluded_departments", FIELD_ONE_OR_MORE, FT_STRING,
	       "Departments outside the scope, as people's department names them."),
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

static const struct field_decl audience_fields[] = {
	F_BOOL("all", 0, "Everyone on the staff (the default when no audience is given)."),
	F_LIST("departments", FIELD_ONE_OR_MORE, FT_STRING,
	       "People whose department is one of these."),
	F_LIST("sites", FIELD_ONE_OR_MORE, FT_STRING, "People whose site is one of these."),
	F_LIST("roles", FIELD_ONE_OR_MORE | IDT, FT_STRING,
	       "People who hold one of these roles (role ids, or a person's role text)."),
	F_BOOL("remote_workers", 0, "People who work remotely (remote_worker: true)."),
	F_LIST("employment", FIELD_ONE_OR_MORE, FT_STRING,
	       "People of these kinds of engagement (employee, contractor, temporary)."),
	F_END,
};

/* One entry of a document's revision history (7.5.2, 7.5.3). */
static const struct field_decl revision_fields[] = {
	F_STR("version", REQ | IDT, "The version this entry describes."),
	F_DATE("date", REQ, "Date the version was written (its text completed)."),
	F_STR("by", PER, "Person id of who wrote or changed it."),
	F_TEXT("summary", 0, "What changed."),
	F_END,
};

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
	F_OBJ("audience", 0, audience_fields,
	      "Who the document applies to, when not all staff: acknowledgements and awareness "
	      "are counted against these people only."),
	F_LOBJ("revisions", 0, revision_fields,
	       "The revision history: each version with the date it was written; the version "
	       "in force cannot have been approved before it was written (7.5.2)."),
	F_END,
};

/* roles and people */

static const struct field_decl role_history_fields[] = {
	F_STR("holder", REQ | PER, "Person id of an earlier holder."),
	F_DATE("from", 0, "First day they held the role."),
	F_DATE("to", 0, "Last day they held the role."),
	F_END,
};

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
	F_LOBJ("history", 0, role_history_fields,
	       "Earlier holders of the role with their dates, so that their acts are judged by "
	       "the role they held then."),
	F_LIST("competences_required", 0, FT_TEXT,
	       "Competences the holder needs (7.2 a); compared with the holder's competences and "
	       "role training."),
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
	F_STR("site", 0,
	      "Office or site the person works from (e.g. Oslo, remote); compared with the "
	      "scope's excluded_sites and policies' audience."),
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

/* Evidence in another system, named where it is kept. */
static const struct field_decl external_fields[] = {
	F_STR("system", REQ, "The system or place that holds it, e.g. Jira, Sympa HR, the QMS."),
	F_STR("ref", IDT, "Its reference there: a ticket, case or document number, a URL."),
	F_DATE("date", 0, "Date of the newest record it stands for, when known."),
	F_TEXT("note", 0, "What it shows, or how it was sampled."),
	F_END,
};

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
	F_LOBJ("external_evidence", 0, external_fields,
	       "Evidence kept in another system (HR system, ticket system, QMS, a URL), named "
	       "there; its date, when given, is judged like a record's."),
	F_BOOL("event_driven", 0,
	       "Whether the control produces records only when something happens (a disposal, "
	       "a disciplinary case, a contact with an authority): then its evidence is not "
	       "stale by age. The rules know the usual ones; true or false overrides."),
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
	F_DATE("contract_ends_on", 0,
	       "Date the current agreement ends unless renewed; a supplier used after it has no "
	       "agreement (A.5.20)."),
	F_INT("notice_months", 0, "Months of notice to end or renegotiate the agreement."),
	F_BOOL("personal_data", 0,
	       "Whether the supplier processes personal data for the organisation (a processor "
	       "or sub-processor)."),
	F_DATE("dpa_signed_on", 0, "Date the data processing agreement was signed."),
	F_LIST("risks", IDT, FT_STRING,
	       "Ids of the risks in the register that assess this supplier (A.5.19)."),
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
	F_BOOL("notifiable", 0,
	       "For a personal data breach: whether it had to be notified to the supervisory "
	       "authority, as decided (A.5.34)."),
	F_STR("notification_decided_by", PER,
	      "Person id of who decided whether the breach was notifiable, e.g. the DPO."),
	F_DATE("notification_decided_on", 0, "Date that decision was taken."),
	F_TEXT("notification_reason", 0, "Why it was, or was not, notifiable."),
	F_DATE("controllers_notified_on", 0,
	       "As a processor: date the controllers (customers) were told."),
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
	F_LIST("departments", FIELD_ONE_OR_MORE, FT_STRING,
	       "Departments audited (auditees' department); an auditor must not audit their own "
	       "(9.2.2 c)."),
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
	F_LIST("departments", FIELD_ONE_OR_MORE, FT_STRING,
	       "Departments audited, when not evident from the auditees; an auditor must not "
	       "audit their own (9.2.2 c)."),
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
	F_LIST("follow_up", FIELD_ONE_OR_MORE | IDT, FT_STRING,
	       "For a result fail or partial: ids of the nonconformities, changes or later "
	       "evidence records that follow it up."),
	F_END,
};

/* vulnerabilities */

static const struct field_decl vulnerability_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the finding, e.g. VULN-2026-014."),
	F_STR("title", 0, "What the weakness is."),
	F_STR("asset", IDT, "Id of the asset affected."),
	F_STR("cve", IDT, "CVE or advisory id, if any."),
	F_ENUM("severity", REQ, V("critical", "high", "medium", "low"),
	       "Severity as rated under the vulnerability procedure."),
	F_DATE("found_on", REQ, "Date it was found (scan, advisory, report)."),
	F_DATE("due", 0,
	       "Remediation deadline; when absent, the deadline for its severity from the "
	       "rule's parameters."),
	F_DATE("fixed_on", 0, "Date it was fixed or mitigated, and verified."),
	F_STR("accepted_by", PER, "Person id of the risk owner who accepted it instead."),
	F_DATE("accepted_on", 0, "Date it was accepted."),
	F_STR("risk", IDT, "Id of the risk in the register that records the acceptance."),
	F_ENUM("status", 0, V("open", "fixed", "accepted"), "Where it stands."),
	F_END,
};

/* Every record type, in documentation order. A file's type comes from
 * `type:`, else from the first type whose paths match it. */
/* certification audits (appended block: external audits by the
 * certification body) */

static const struct field_decl cert_finding_fields[] = {
	F_STR("id", REQ | IDT | KEY, "Id of the finding as the audit report numbers it, e.g. F1."),
	F_ENUM("grade", REQ, V("major", "minor", "observation", "opportunity"),
	       "Major or minor nonconformity, observation, or opportunity for improvement."),
	F_STR("clause", CLA, "Clause concerned, e.g. 9.2.2."),
	F_STR("control", CTL, "Annex A control concerned, if any, e.g. 5.15."),
	F_TEXT("description", 0, "What the auditor found, with the evidence."),
	F_STR("nonconformity", IDT,
	      "Id of the record in the nonconformity log that handles it (10.2); required for "
	      "major and minor nonconformities."),
	F_END,
};

static const struct field_decl cert_audit_fields[] = {
	F_STR("id", REQ | IDT, "Unique id of the audit, e.g. CA-2026-S1."),
	F_ENUM("type", REQ, V("stage1", "stage2", "surveillance", "recertification"),
	       "Which audit of the certification cycle it was."),
	F_STR("body", 0, "Certification body that held it."),
	F_DATE("start_on", REQ, "First day of the audit."),
	F_DATE("end_on", 0, "Last day of the audit (the first when absent)."),
	F_LIST("auditors", FIELD_ONE_OR_MORE, FT_STRING,
	       "Names of the certification body's auditors (they are not personnel)."),
	F_ENUM("result", 0,
	       V("recommended", "recommended-with-conditions", "not-recommended", "maintained",
	         "suspended"),
	       "Outcome: recommendation for certification, or the certificate maintained or "
	       "suspended."),
	F_STR("report", 0, "Path or reference of the audit report."),
	F_LOBJ("findings", 0, cert_finding_fields,
	       "Findings raised, each with its grade and, for nonconformities, the id in the "
	       "nonconformity log."),
	F_END,
};

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
	{ "vulnerability", "Technical vulnerability", "A.8.8",
	  "vulnerabilities.yaml vulnerabilities/*.yaml", SHAPE_COLLECTION, "vulnerabilities", "id",
	  vulnerability_fields,
	  "One technical vulnerability found on a system (A.8.8): its "
	  "severity, when it was found, the remediation deadline the "
	  "procedure sets, and when it was fixed or who accepted it." },
	{ "certification_audit", "Certification audit", "9.2, 10.2", "audits/certification*.yaml",
	  SHAPE_COLLECTION, "audits", "id", cert_audit_fields,
	  "An audit held by the certification body: stage 1, stage 2, "
	  "surveillance or recertification, with its auditors, result and the "
	  "findings raised. The calendar tells a held surveillance audit from a "
	  "missed one, and 10.2 tracks each nonconformity raised to closure." },
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

/* ---- records and files as their declarations describe them ---- */

static struct field_decl rec_decl[NELEM(types)];  /* a record */
static struct field_decl list_decl[NELEM(types)]; /* a collection's list */
static struct field_decl root_fields[NELEM(types)][3];
static struct field_decl root_decl[NELEM(types)]; /* a collection file */
static pthread_once_t decls_once = PTHREAD_ONCE_INIT;

static void
decls_init(void)
{
	for (size_t i = 0; i < NELEM(types); i++) {
		const struct record_type *t = &types[i];
		rec_decl[i] = (struct field_decl){
			.name = t->name, .type = FT_OBJECT, .fields = t->fields, .doc = t->title
		};
		list_decl[i] = (struct field_decl){ .name = t->list_key ? t->list_key : t->name,
			                            .type = FT_LIST,
			                            .item_type = FT_OBJECT,
			                            .fields = t->fields,
			                            .doc = t->title };
		root_fields[i][0] = list_decl[i];
		root_fields[i][1] = (struct field_decl){ .name = "type", .type = FT_STRING };
		root_fields[i][2] = (struct field_decl){ .name = NULL };
		root_decl[i] = (struct field_decl){ .name = t->name,
			                            .type = FT_OBJECT,
			                            .fields = root_fields[i],
			                            .doc = t->title };
	}
}

const struct field_decl *
record_type_decl(const struct record_type *t)
{
	pthread_once(&decls_once, decls_init);
	return &rec_decl[t - types];
}

const struct field_decl *
record_file_decl(const struct record_type *t, const struct node *root)
{
	pthread_once(&decls_once, decls_init);
	size_t i = (size_t)(t - types);
	if (t->shape != SHAPE_COLLECTION)
		return &rec_decl[i];
	return root && root->kind == NODE_SEQ ? &list_decl[i] : &root_decl[i];
}

const struct field_decl *
record_field_find(const struct field_decl *fields, const char *key, size_t len)
{
	for (const struct field_decl *f = fields; f && f->name; f++)
		if (strncmp(f->name, key, len) == 0 && f->name[len] == '\0')
			return f;
	return NULL;
}
