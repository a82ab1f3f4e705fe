/* record.c - tests of the record type declarations: the tables, validation
 * with lines, JSON Schema output, and the generated reference in
 * docs/isms-repository.md. */
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "record.h"
#include "tap.h"
#include "cdefs.h"
#include "alloc.h"
#include "buf.h"
#include "problems.h"
#include "sys.h"

/* Validate text as a file of type tn at path, adding to *out. */
static int
check(const char *tn, const char *path, const char *text,
    struct problems *out)
{
	const struct record_type *t = record_type_find(tn);
	struct doc *d = doc_parse(path, text, strlen(text));
	int n;

	if (t == NULL)
		printf("# no record type %s\n", tn);
	if (d->root == NULL)
		printf("# %s:%d: %s\n", path, d->error_line, d->error);
	n = t ? record_validate_doc(t, d, out) : -1;
	doc_free(d);
	return n;
}

/* Print problems as TAP comments. */
static void
dump(const struct problems *p)
{
	for (size_t i = 0; i < p->n; i++)
		printf("#   %s:%d: %s\n", p->v[i].path ? p->v[i].path : "-",
		    p->v[i].line, p->v[i].msg);
}

/* The message of a problem at line (any line when line < 0) holding sub. */
static const char *
find(const struct problems *p, int line, const char *sub)
{
	for (size_t i = 0; i < p->n; i++)
		if ((line < 0 || p->v[i].line == line) && strstr(p->v[i].msg, sub))
			return p->v[i].msg;
	return NULL;
}

#define HAS(p, line, sub)                                                      \
	do {                                                                       \
		if (!ok(find((p), (line), (sub)) != NULL, "line %d: %s", (line),      \
		    (sub)))                                                            \
			dump(p);                                                           \
	} while (0)

#define CLEAN(p, what)                                                         \
	do {                                                                       \
		if (!ok((p)->n == 0, "%s: no problems", (what)))                       \
			dump(p);                                                           \
	} while (0)

/* Check one field declaration and those below it; returns failures. */
static int
field_sane(const struct record_type *t, const struct field_decl *f,
    int in_list)
{
	int bad = 0;

	if (f->doc == NULL || strlen(f->doc) < 10 || f->doc[strlen(f->doc) - 1]
	    != '.') {
		printf("# %s.%s: no one-line doc\n", t->name, f->name);
		bad++;
	}
	if (strchr(f->doc ? f->doc : "", '\n') || strchr(f->doc ? f->doc : "",
	    '|')) {
		printf("# %s.%s: doc must be one line without '|'\n", t->name,
		    f->name);
		bad++;
	}
	enum field_type it = f->type == FT_LIST ? f->item_type : f->type;
	if (it == FT_ENUM && (f->values == NULL || f->values[0] == NULL)) {
		printf("# %s.%s: enum without values\n", t->name, f->name);
		bad++;
	}
	if (it == FT_OBJECT && !(f->flags & FIELD_MAP) && f->fields == NULL) {
		printf("# %s.%s: object without fields\n", t->name, f->name);
		bad++;
	}
	if ((f->flags & FIELD_KEY) && !in_list) {
		printf("# %s.%s: key outside a list\n", t->name, f->name);
		bad++;
	}
	int list_of_obj = f->type == FT_LIST && f->item_type == FT_OBJECT;
	for (const struct field_decl *g = f->fields; g && g->name; g++) {
		for (const struct field_decl *h = g + 1; h->name; h++)
			if (strcmp(g->name, h->name) == 0) {
				printf("# %s.%s.%s: twice\n", t->name, f->name, g->name);
				bad++;
			}
		bad += field_sane(t, g, list_of_obj);
	}
	return bad;
}

/* Every type is complete: names, paths, docs, fields. */
static void
test_tables(void)
{
	size_t n;
	const struct record_type *all = record_types(&n);

	is_int(n, 26, "26 record types");
	for (size_t i = 0; i < n; i++) {
		const struct record_type *t = &all[i];
		int bad = 0;
		ok(t->name && t->title && t->clause && t->paths && t->doc &&
		    strlen(t->doc) > 40 && strlen(t->paths) > 4,
		    "%s: name, title, clause, paths, doc", t->name);
		ok(record_type_find(t->name) == t, "%s: found by name", t->name);
		ok(t->shape != SHAPE_COLLECTION || (t->list_key && *t->list_key),
		    "%s: a collection has a list key", t->name);
		if (t->id_field != NULL) {
			const struct field_decl *f = t->fields;
			while (f->name && strcmp(f->name, t->id_field) != 0)
				f++;
			ok(f->name && (f->flags & FIELD_REQUIRED),
			    "%s: id field '%s' is a required field", t->name,
			    t->id_field);
		}
		struct field_decl top = {.name = t->name, .type = FT_OBJECT,
		    .fields = t->fields, .doc = "The record itself."};
		bad = field_sane(t, &top, 0);
		ok(bad == 0 && t->fields[0].name != NULL,
		    "%s: every field declared with a doc", t->name);
	}
	ok(record_type_find("polcy") == NULL, "unknown type name");
	ok(record_type_find(NULL) == NULL, "NULL type name");
	ok(record_type_find("") == NULL, "empty type name");
}

/* The field named by a dotted path, or NULL. */
static const struct field_decl *
lookup(const struct field_decl *fields, const char *dotted)
{
	char name[64];
	const char *dot = strchr(dotted, '.');
	size_t len = dot ? (size_t)(dot - dotted) : strlen(dotted);

	snprintf(name, sizeof(name), "%.*s", (int)len, dotted);
	for (const struct field_decl *f = fields; f && f->name; f++) {
		if (strcmp(f->name, name) != 0)
			continue;
		return dot ? lookup(f->fields, dot + 1) : f;
	}
	return NULL;
}

/* The names, paths and key fields that others code against. */
static void
test_contract(void)
{
	static const struct {
		const char *type, *paths, *list_key, *fields;
	} c[] = {
		{"manifest", "isms.yaml", NULL, "organisation time_zone "
		    "top_management certificate.issued certificate.expires "
		    "certificate.certification_body certificate.stage1_on "
		    "certificate.stage2_on certificate.scope_statement parameters "
		    "waivers.rule waivers.reason waivers.approved_by "
		    "waivers.approved_on waivers.expires paths ignore"},
		{"scope", "isms/scope.md", NULL, "owner approved_by approved_on "
		    "review_months boundaries exclusions interfaces"},
		{"context_issue", "context/issues.yaml", "issues", "id issue kind "
		    "category climate_relevant effect reviewed_on"},
		{"interested_party", "context/interested-parties.yaml", "parties",
		    "id name requirements addressed_by climate_requirements "
		    "reviewed_on"},
		{"policy", "policies/*.md procedures/*.md", NULL, "id title kind "
		    "owner approved_by approved_on review_months version status "
		    "controls acknowledgement_required"},
		{"role", "org/roles.yaml", "roles", "id title holder "
		    "responsibilities reports_to isms_role"},
		{"person", "people/personnel.yaml", "people", "id name department "
		    "role manager joined left screening_completed_on "
		    "terms_signed_on nda_signed_on remote_worker access_removed_on "
		    "assets_returned_on"},
		{"training", "people/training*.yaml people/training/*.yaml",
		    "training", "person course kind completed_on expires_on "
		    "evidence"},
		{"risk_method", "risk/method.yaml", NULL, "owner approved_by "
		    "approved_on review_months likelihood.value likelihood.label "
		    "likelihood.description impact.value impact.label "
		    "impact.description scoring acceptance_threshold criteria"},
		{"risk", "risk/register.yaml risk/register/*.yaml", "risks", "id "
		    "title description assets threat vulnerability owner "
		    "likelihood impact score assessed_on treatment controls "
		    "residual_likelihood residual_impact residual_accepted_by "
		    "residual_accepted_on status"},
		{"risk_treatment", "risk/treatment-plan.yaml", "actions", "id risk "
		    "action controls owner due status completed_on"},
		{"soa", "soa.yaml", NULL, "version owner approved_by approved_on "
		    "controls.control controls.applicable controls.justification "
		    "controls.status controls.owner controls.evidence "
		    "controls.notes"},
		{"objective", "objectives.yaml", "objectives", "id objective "
		    "measure target owner due resources evaluation status "
		    "results.date results.value results.note"},
		{"change", "changes.yaml", "changes", "id title planned_on "
		    "requested_by approved_by approved_on impact_assessment status "
		    "implemented_on"},
		{"asset", "assets/*.yaml", "assets", "id name kind owner "
		    "classification location production backup_required"},
		{"supplier", "suppliers.yaml", "suppliers", "id name service "
		    "criticality owner agreement_signed_on security_clauses "
		    "data_access last_review_on review_months"},
		{"incident", "incidents/*.yaml", "incidents", "id title "
		    "reported_on severity triaged_on closed_on status root_cause "
		    "lessons_learned controls"},
		{"legal_requirement", "legal/register.yaml", "requirements", "id "
		    "requirement source owner applies_to reviewed_on"},
		{"audit_programme", "audits/programme.yaml", NULL, "owner "
		    "approved_by approved_on cycle_start cycle_months "
		    "auditors.person auditors.owns auditors.capacity_days "
		    "audits.id audits.areas audits.planned_on audits.auditor "
		    "audits.status"},
		{"audit_report", "audits/reports/*.md", NULL, "id title held_on "
		    "auditor areas findings.id findings.kind findings.clause "
		    "findings.description findings.nonconformity status"},
		{"management_review", "reviews/*.md", NULL, "id held_on "
		    "chaired_by attendees inputs.previous_actions "
		    "inputs.context_changes inputs.interested_parties "
		    "inputs.nonconformities inputs.monitoring inputs.audit_results "
		    "inputs.objectives inputs.feedback inputs.risk_assessment "
		    "inputs.improvement decisions actions.id actions.action "
		    "actions.owner actions.due actions.status"},
		{"metric", "metrics.yaml", "metrics", "id name objective owner "
		    "method frequency target measurements.date "
		    "measurements.value"},
		{"nonconformity", "nonconformities.yaml", "nonconformities", "id "
		    "raised_on source clause control description severity "
		    "root_cause correction corrective_action.action "
		    "corrective_action.owner corrective_action.due "
		    "corrective_action.completed_on effectiveness.reviewed_on "
		    "effectiveness.reviewed_by effectiveness.effective status"},
		{"evidence", "evidence/*.yaml", "evidence", "id kind controls date "
		    "performed_by result summary asset"},
	};
	for (size_t i = 0; i < NELEM(c); i++) {
		const struct record_type *t = record_type_find(c[i].type);
		if (!ok(t != NULL, "contract: type %s", c[i].type))
			continue;
		is_str(t->paths, c[i].paths, "contract: %s paths", c[i].type);
		is_str(t->list_key, c[i].list_key, "contract: %s list key",
		    c[i].type);
		char *names = xstrdup(c[i].fields), *save = NULL, *missing = NULL;
		for (char *w = strtok_r(names, " ", &save); w;
		    w = strtok_r(NULL, " ", &save))
			if (lookup(t->fields, w) == NULL && missing == NULL)
				missing = w;
		ok(missing == NULL, "contract: %s has every agreed field%s%s",
		    c[i].type, missing ? ", not " : "", missing ? missing : "");
		free(names);
	}
}

static const char policy_ok[] =
    "---\n"
    "id: information-security-policy\n"
    "title: Information security policy\n"
    "kind: policy\n"
    "owner: j.smith\n"
    "approved_by: a.ceo\n"
    "approved_on: 2024-02-29\n"
    "review_months: 12\n"
    "version: 1.2\n"
    "status: approved\n"
    "controls: [5.1, 5.10, \"8.34\"]\n"
    "clauses: [5.2, 7.5.3, 10]\n"
    "acknowledgement_required: true\n"
    "owner_note_unused_placeholder:\n"
    "---\n"
    "# Information security policy\n";

/* Scalar field types: accepted values, and rejected ones with lines. */
static void
test_scalars(void)
{
	struct problems p = {0};
	int n;

	n = check("policy", "policies/isp.md", policy_ok, &p);
	is_int(n, 1, "one problem in a nearly valid policy");
	HAS(&p, 14, "unknown field 'owner_note_unused_placeholder'");
	problems_free(&p);

	n = check("policy", "policies/a.md",
	    "---\n"
	    "id: a\n"
	    "title: A\n"
	    "approved_on: 2024-02-30\n"
	    "reviewed_on: 2023-02-29\n"
	    "review_months: twelve\n"
	    "status: aproved\n"
	    "acknowledgement_required: \"true\"\n"
	    "kind: 3\n"
	    "version: [1]\n"
	    "owner: 17\n"
	    "controls: 5.15\n"
	    "---\n", &p);
	is_int(n, 9, "nine problems");
	HAS(&p, 4, "field 'approved_on': '2024-02-30' is not a valid date "
	    "(February 2024 has 29 days)");
	HAS(&p, 5, "(February 2023 has 28 days)");
	HAS(&p, 6, "field 'review_months': expected a whole number, found text "
	    "'twelve'");
	HAS(&p, 7, "field 'status': 'aproved' is not one of draft, approved, "
	    "retired (did you mean 'approved'?)");
	HAS(&p, 8, "field 'acknowledgement_required': expected true or false, "
	    "found text 'true' (write true or false, without quotes)");
	HAS(&p, 9, "field 'kind': expected one of policy, topic-policy, "
	    "procedure, standard, found the number 3");
	HAS(&p, 10, "field 'version': expected text, found a list");
	HAS(&p, 11, "field 'owner': expected a person id, found the number 17 "
	    "(put it in quotes to make it text)");
	HAS(&p, 12, "field 'controls': expected a list, found the number 5.15");
	problems_free(&p);

	n = check("policy", "policies/b.md",
	    "---\n"
	    "id: b\n"
	    "title: B\n"
	    "controls: none\n"
	    "approved_on: 2024-13-01\n"
	    "reviewed_on: 1 May 2024\n"
	    "review_months: 1.5\n"
	    "---\n", &p);
	HAS(&p, 4, "field 'controls': expected a list, found text 'none'");
	HAS(&p, 5, "field 'approved_on': '2024-13-01' is not a valid date");
	HAS(&p, 6, "field 'reviewed_on': '1 May 2024' is not an ISO 8601 date");
	HAS(&p, 7, "expected a whole number, found the number 1.5");
	is_int(p.n, 4, "four problems");
	problems_free(&p);

	n = check("risk_method", "risk/method.yaml",
	    "acceptance_threshold: high\n"
	    "scoring: matrix\n"
	    "likelihood:\n"
	    "  - value: 1\n"
	    "    label: Rare\n"
	    "  - value: 2.0\n"
	    "reassessment_months: 12\n", &p);
	is_int(n, 2, "risk method: two problems");
	HAS(&p, 1, "field 'acceptance_threshold': expected a number, found text "
	    "'high'");
	HAS(&p, 6, "field 'likelihood[1].value': expected a whole number");
	problems_free(&p);

	check("risk_method", "risk/method.yaml", "acceptance_threshold: 12.5\n",
	    &p);
	CLEAN(&p, "a number may have a fraction");
	problems_free(&p);
	check("risk_method", "risk/method.yaml", "acceptance_threshold: .nan\n",
	    &p);
	HAS(&p, 1, "expected a number");
	problems_free(&p);
}

/* Required fields, empty values, unknown fields and suggestions. */
static void
test_fields(void)
{
	struct problems p = {0};

	check("policy", "policies/c.md",
	    "---\n"
	    "title:\n"
	    "aprover: a.ceo\n"
	    "Owner: j.smith\n"
	    "approved-on: 2024-01-01\n"
	    "colour: blue\n"
	    "ab: 1\n"
	    "owner:\n"
	    "---\n", &p);
	HAS(&p, 2, "missing required field 'id'");
	HAS(&p, 2, "field 'title': required, but empty");
	HAS(&p, 3, "unknown field 'aprover' (did you mean 'approved_by'?)");
	HAS(&p, 4, "unknown field 'Owner' (did you mean 'owner'?)");
	HAS(&p, 5, "unknown field 'approved-on' (did you mean 'approved_on'?)");
	HAS(&p, 6, "unknown field 'colour'");
	ok(find(&p, 6, "did you mean") == NULL, "no suggestion for 'colour'");
	ok(find(&p, 7, "did you mean") == NULL, "no suggestion for 'ab'");
	is_int(p.n, 7, "seven problems; an empty optional field is fine");
	problems_free(&p);

	check("policy", "policies/d.md", "---\n---\nText.\n", &p);
	HAS(&p, 1, "missing required field 'id'");
	HAS(&p, 1, "missing required field 'title'");
	problems_free(&p);

	check("policy", "policies/e.md", "# Just a heading\n\nText.\n", &p);
	is_int(p.n, 1, "no front matter: one problem");
	HAS(&p, 1, "no front matter");
	problems_free(&p);

	check("soa", "soa.yaml", "- control: 5.1\n", &p);
	HAS(&p, 1, "expected the fields of a soa record");
	problems_free(&p);
	check("soa", "soa.yaml", "", &p);
	HAS(&p, -1, "found nothing");
	problems_free(&p);
}

/* Lists of objects: nested names, lines, repeated keys. */
static void
test_nested(void)
{
	struct problems p = {0};

	check("soa", "soa.yaml",
	    "owner: j.smith\n"
	    "controls:\n"
	    "  - control: 5.1\n"
	    "    applicable: true\n"
	    "    status: implmented\n"
	    "  - control: 5.2\n"
	    "  - control: 5.1\n"
	    "    applicable: yes\n"
	    "  - control: A.5.3\n"
	    "    applicable: false\n"
	    "    justificaton: no need\n"
	    "  - control: 5.38\n"
	    "    applicable: false\n"
	    "    evidence: evidence/x.yaml\n"
	    "  - just text\n"
	    "  - control: 5.10\n"
	    "    applicable: true\n"
	    "    evidence: [a.yaml, 3]\n", &p);
	HAS(&p, 5, "field 'controls[0].status': 'implmented' is not one of "
	    "implemented, partial, planned, not-implemented (did you mean "
	    "'implemented'?)");
	HAS(&p, 6, "missing required field 'controls[1].applicable'");
	HAS(&p, 7, "duplicate control '5.1' in 'controls' (lines 3 and 7)");
	HAS(&p, 8, "field 'controls[2].applicable': expected true or false");
	HAS(&p, 9, "field 'controls[3].control': write the control 'A.5.3' "
	    "without 'A.', as 5.3");
	HAS(&p, 11, "unknown field 'controls[3].justificaton' (did you mean "
	    "'justification'?)");
	HAS(&p, 12, "field 'controls[4].control': '5.38' is not an Annex A "
	    "control");
	HAS(&p, 15, "field 'controls[5]': expected a mapping");
	HAS(&p, 18, "field 'controls[6].evidence[1]': expected text, found the "
	    "number 3");
	is_int(p.n, 9, "nine problems, 5.10 is not 5.1");
	problems_free(&p);

	check("nonconformity", "nonconformities.yaml",
	    "nonconformities:\n"
	    "  - id: NC-1\n"
	    "    description: Audit programme missing\n"
	    "    clause: 9.2.2\n"
	    "    control: 8.13\n"
	    "    corrective_action:\n"
	    "      action: Write it\n"
	    "      due: 2024-04-31\n"
	    "      owner: [a, b]\n"
	    "    effectiveness: yes please\n"
	    "  - id: NC-2\n"
	    "    description: x\n"
	    "    clause: 11\n"
	    "  - id: NC-3\n"
	    "    description: y\n"
	    "    clause: 6.1.4\n"
	    "  - id: NC-4\n"
	    "    description: z\n"
	    "    clause: 7.5.3\n"
	    "    control: 6.9\n", &p);
	HAS(&p, 8, "nonconformity 'NC-1': field 'corrective_action.due': "
	    "'2024-04-31' is not a valid date (April 2024 has 30 days)");
	HAS(&p, 9, "field 'corrective_action.owner': expected a person id, "
	    "found a list");
	HAS(&p, 10, "field 'effectiveness': expected a mapping");
	HAS(&p, 13, "nonconformity 'NC-2': field 'clause': '11' is not a clause");
	HAS(&p, 16, "'6.1.4' is not a clause");
	HAS(&p, 20, "nonconformity 'NC-4': field 'control': '6.9' is not an "
	    "Annex A control");
	is_int(p.n, 6, "six problems");
	problems_free(&p);

	check("audit_programme", "audits/programme.yaml",
	    "auditors:\n"
	    "  - person: a\n"
	    "    owns: [9.2, A.5.15, 5.15, A.9, A.8, 4]\n"
	    "  - person: a\n"
	    "audits:\n"
	    "  - id: 1\n"
	    "  - id: \"1\"\n", &p);
	HAS(&p, 3, "field 'auditors[0].owns[2]': '5.15' is not a clause; write "
	    "the Annex A control as A.5.15");
	HAS(&p, 3, "field 'auditors[0].owns[3]': 'A.9' is neither a clause");
	HAS(&p, 4, "duplicate person 'a' in 'auditors' (lines 2 and 4)");
	HAS(&p, 7, "duplicate id '1' in 'audits' (lines 6 and 7)");
	is_int(p.n, 4, "four problems");
	problems_free(&p);

	check("management_review", "reviews/2024.md",
	    "---\n"
	    "id: MR-2024\n"
	    "held_on: 2024-03-01\n"
	    "inputs:\n"
	    "  audit_results: none\n"
	    "  audit_result: typo\n"
	    "  feedback: [a, b]\n"
	    "actions:\n"
	    "  - action: Fix it\n"
	    "    due: soon\n"
	    "---\n", &p);
	HAS(&p, 6, "unknown field 'inputs.audit_result' (did you mean "
	    "'audit_results'?)");
	HAS(&p, 7, "field 'inputs.feedback': expected text, found a list");
	HAS(&p, 10, "field 'actions[0].due': 'soon' is not an ISO 8601 date");
	is_int(p.n, 3, "three problems");
	problems_free(&p);
}

/* Collection files: their shape, records, ids. */
static void
test_collections(void)
{
	struct problems p = {0};

	check("risk", "risk/register.yaml",
	    "risks:\n"
	    "  - id: R-1\n"
	    "    title: Laptop theft\n"
	    "    owner: j.smith\n"
	    "    likelihood: 2\n"
	    "    controls: [8.1, 7.9]\n"
	    "    assessed_on: 2024-05-01\n"
	    "  - id: R-2\n"
	    "    title: Phishing\n"
	    "  - id: R-1\n"
	    "    title: Again\n"
	    "    likelihood: high\n"
	    "  - id: R-2\n"
	    "    title: Thrice\n", &p);
	HAS(&p, 10, "duplicate id 'R-1' (lines 2 and 10)");
	HAS(&p, 13, "duplicate id 'R-2' (lines 8 and 13)");
	HAS(&p, 12, "risk 'R-1': field 'likelihood': expected a whole number");
	is_int(p.n, 3, "three problems");
	problems_free(&p);

	check("risk", "risk/register.yaml",
	    "- id: R-1\n"
	    "  title: A\n"
	    "- id: 7\n"
	    "  title: B\n"
	    "- 42\n"
	    "- title: C\n", &p);
	HAS(&p, 5, "expected the fields of a risk record (lines of 'name: "
	    "value'), found the number 42");
	HAS(&p, 6, "missing required field 'id'");
	is_int(p.n, 2, "a top-level list works; numeric ids are text");
	problems_free(&p);

	check("risk", "risk/register.yaml", "risks: Laptop theft\n", &p);
	HAS(&p, 1, "field 'risks': expected a list of risk records, found text "
	    "'Laptop theft'");
	problems_free(&p);

	check("risk", "risk/register.yaml", "risk:\n  - id: R-1\n", &p);
	HAS(&p, 1, "missing the list 'risks:'");
	HAS(&p, 1, "unknown field 'risk' (did you mean 'risks'?)");
	is_int(p.n, 2, "two problems");
	problems_free(&p);

	check("risk", "risk/register.yaml", "id: R-1\ntitle: A\n", &p);
	is_int(p.n, 1, "one record at the top: one problem");
	HAS(&p, 1, "must be a list under 'risks:'");
	problems_free(&p);

	check("risk", "risk/register.yaml", "risks:\n", &p);
	CLEAN(&p, "an empty register");
	problems_free(&p);

	check("risk", "risk/register.yaml", "just text\n", &p);
	HAS(&p, 1, "expected a list of risk records under 'risks:', found text");
	problems_free(&p);

	check("training", "people/training.yaml",
	    "training:\n"
	    "  - person: j.smith\n"
	    "    course: Awareness 2024\n"
	    "    completed_on: 2024-01-15\n"
	    "  - person: j.smith\n"
	    "    course: Awareness 2024\n"
	    "    completed_on: 2024-01-15\n"
	    "  - person: k.jones\n"
	    "    kind: awarness\n"
	    "    type: training\n", &p);
	HAS(&p, 8, "missing required field 'course'");
	HAS(&p, 8, "missing required field 'completed_on'");
	HAS(&p, 9, "(did you mean 'awareness'?)");
	HAS(&p, 10, "unknown field 'type'");
	is_int(p.n, 4, "training has no ids: repeats are fine");
	problems_free(&p);

	check("evidence", "evidence/x.json",
	    "{\"evidence\": [\n"
	    "  {\"id\": \"EV-1\", \"kind\": \"access-review\", "
	    "\"date\": \"2024-06-01\"},\n"
	    "  {\"id\": \"EV-2\", \"kind\": \"backup-test\",\n"
	    "   \"date\": \"2024-06-31\"}\n"
	    "]}\n", &p);
	HAS(&p, 3, "evidence 'EV-2': field 'kind': 'backup-test' is not one of");
	HAS(&p, 4, "'2024-06-31' is not a valid date (June 2024 has 30 days)");
	is_int(p.n, 2, "JSON: two problems");
	problems_free(&p);
}

/* The explicit type, the manifest's free mappings. */
static void
test_type_and_manifest(void)
{
	struct problems p = {0};

	check("policy", "docs-elsewhere/x.md",
	    "---\ntype: policy\nid: x\ntitle: X\n---\n", &p);
	CLEAN(&p, "type: policy in a policy");
	problems_free(&p);
	check("policy", "x.md", "---\ntype: polcy\nid: x\ntitle: X\n---\n", &p);
	HAS(&p, 2, "field 'type': 'polcy' is not a record type (did you mean "
	    "'policy'?)");
	problems_free(&p);
	check("policy", "x.md", "---\ntype: risk\nid: x\ntitle: X\n---\n", &p);
	HAS(&p, 2, "field 'type': says 'risk', but the file is read as a policy "
	    "record");
	problems_free(&p);
	check("policy", "x.md", "---\ntype: [policy]\nid: x\ntitle: X\n---\n",
	    &p);
	HAS(&p, 2, "field 'type': expected a record type name");
	problems_free(&p);
	check("risk", "r.yaml", "type: risk\nrisks: []\n", &p);
	CLEAN(&p, "type: next to the list of a collection");
	problems_free(&p);
	check("risk", "r.yaml", "tpye: risk\nrisks: []\n", &p);
	HAS(&p, 1, "unknown field 'tpye' (did you mean 'type'?)");
	problems_free(&p);

	check("manifest", "isms.yaml",
	    "organisation: Example Ltd\n"
	    "time_zone: Europe/Berlin\n"
	    "top_management: [a.ceo, b.cfo]\n"
	    "certificate:\n"
	    "  issued: 2023-06-01\n"
	    "  expires: 2026-05-31\n"
	    "  number: 12345\n"
	    "parameters:\n"
	    "  policy_review_months: 12\n"
	    "  anything: [1, {a: b}]\n"
	    "waivers:\n"
	    "  - rule: 5.2-policy-approved\n"
	    "    reason: Board meets in May\n"
	    "    expires: 2024-06-30\n"
	    "paths:\n"
	    "  risk: [risks/*.yaml, more/*.yaml]\n"
	    "  policy: docs/policies/*.md docs/procedures/*.md\n"
	    "ignore: [templates/**]\n", &p);
	CLEAN(&p, "a full manifest");
	problems_free(&p);

	check("manifest", "isms.yaml",
	    "time_zone: Mars/Olympus\n"
	    "paths:\n"
	    "  polcy: x/*.md\n"
	    "  manifest: other.yaml\n"
	    "  risk: 5\n"
	    "  soa:\n"
	    "waivers:\n"
	    "  - reason: none\n"
	    "certificate: 2024-01-01\n", &p);
	HAS(&p, 1, "missing required field 'organisation'");
	HAS(&p, 1, "field 'time_zone': 'Mars/Olympus' is not a time zone name");
	HAS(&p, 3, "field 'paths': 'polcy' is not a record type whose files can "
	    "be placed here (did you mean 'policy'?)");
	HAS(&p, 4, "field 'paths': 'manifest' is not a record type");
	HAS(&p, 5, "field 'paths.risk': expected text, found the number 5");
	HAS(&p, 6, "field 'paths.soa': expected text, found nothing");
	HAS(&p, 8, "missing required field 'waivers[0].rule'");
	HAS(&p, 9, "field 'certificate': expected a mapping");
	is_int(p.n, 8, "eight problems");
	problems_free(&p);
}

/* Direct record_validate on nodes of a parsed file. */
static void
test_record_validate(void)
{
	struct problems p = {0};
	const char *text = "risks:\n  - id: R-1\n    titel: x\n  - 5\n";
	struct doc *d = doc_parse("r.yaml", text, strlen(text));
	const struct node *list = node_get(d->root, "risks");
	const struct record_type *risk = record_type_find("risk");

	is_int(record_validate(risk, list->items[0], "r.yaml", &p), 2,
	    "record_validate returns the count");
	HAS(&p, 3, "risk 'R-1': unknown field 'titel' (did you mean 'title'?)");
	HAS(&p, 2, "risk 'R-1': missing required field 'title'");
	is_str(p.v[0].path, "r.yaml", "the path given");
	problems_free(&p);
	is_int(record_validate(risk, list->items[1], "r.yaml", &p), 1,
	    "a number is not a record");
	HAS(&p, 4, "expected the fields of a risk record");
	problems_free(&p);
	doc_free(d);

	is_int(record_validate(risk, NULL, "r.yaml", &p), 1, "no record at all");
	problems_free(&p);

	struct doc bad = {.path = "broken.yaml", .error = "a tab is not allowed",
	    .error_line = 3};
	is_int(record_validate_doc(risk, &bad, &p), 1, "a file that did not "
	    "parse is one problem");
	HAS(&p, 3, "a tab is not allowed");
	problems_free(&p);
}

/* Hostile input: floods, long and odd text. */
static void
test_hostile(void)
{
	struct problems p = {0};
	struct buf b = {0};
	int n;

	buf_adds(&b, "risks:\n");
	for (int i = 0; i < 20000; i++)
		buf_adds(&b, "  - 1\n");
	n = check("risk", "r.yaml", b.data, &p);
	is_int(n, RECORD_MAX_PROBLEMS + 1, "problems are capped");
	is_int(p.n, RECORD_MAX_PROBLEMS + 1, "cap plus one summary");
	like(p.v[p.n - 1].msg, "19900 more problems in this file are not "
	    "listed", "the summary counts the rest");
	problems_free(&p);
	buf_free(&b);

	buf_adds(&b, "risks:\n");
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "  - {id: same, title: t}\n");
	n = check("risk", "r.yaml", b.data, &p);
	is_int(n, RECORD_MAX_PROBLEMS + 1, "repeated ids are capped");
	HAS(&p, 3, "duplicate id 'same' (lines 2 and 3)");
	problems_free(&p);
	buf_free(&b);

	buf_adds(&b, "organisation: x\n");
	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "unknown_field_number_%d: 1\n", i);
	n = check("manifest", "isms.yaml", b.data, &p);
	is_int(n, RECORD_MAX_PROBLEMS + 1, "unknown fields are capped");
	problems_free(&p);
	buf_free(&b);

	buf_adds(&b, "organisation: x\n? ");
	for (int i = 0; i < 5000; i++)
		buf_adds(&b, "aprover");
	buf_adds(&b, "\n: 1\ncertificate:\n  issued: \"");
	for (int i = 0; i < 5000; i++)
		buf_adds(&b, "2024-01-01");
	buf_adds(&b, "\"\n  expires: \"2024\\t01\\n01\\u00e9\"\n");
	n = check("manifest", "isms.yaml", b.data, &p);
	is_int(n, 3, "three problems");
	int longest = 0;
	for (size_t i = 0; i < p.n; i++)
		if ((int)strlen(p.v[i].msg) > longest)
			longest = (int)strlen(p.v[i].msg);
	ok(longest < 300, "long keys and values are clipped in messages (%d)",
	    longest);
	HAS(&p, 2, "unknown field 'aprover");
	HAS(&p, 5, "is not a valid date (far too long)");
	HAS(&p, 6, "field 'certificate.expires': '2024?01?01\xc3\xa9' is not");
	problems_free(&p);
	buf_free(&b);
}

/* A string at path in a JSON object ("a/b/c"), or NULL. */
static json_t *
jget(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;

	for (char *w = strtok_r(copy, "/", &save); w && j;
	    w = strtok_r(NULL, "/", &save)) {
		if (json_is_array(j))
			j = json_array_get(j, (size_t)atoi(w));
		else
			j = json_object_get(j, w);
	}
	free(copy);
	return j;
}

/* Whether JSON array a holds the string s. */
static int
jhas(json_t *a, const char *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

/* A schema of type tn, parsed back. */
static json_t *
schema_of(const char *tn)
{
	char *s = record_json_schema(record_type_find(tn));
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);

	if (j == NULL)
		printf("# %s schema: %s at line %d\n", tn, e.text, e.line);
	free(s);
	return j;
}

/* The JSON Schema of documents and collections. */
static void
test_schema(void)
{
	size_t n;
	const struct record_type *all = record_types(&n);

	for (size_t i = 0; i < n; i++) {
		json_t *j = schema_of(all[i].name);
		char id[128];
		snprintf(id, sizeof(id), "https://ismsd.invalid/schema/%s.json",
		    all[i].name);
		ok(j != NULL && json_is_string(jget(j, "$id")) &&
		    strcmp(json_string_value(jget(j, "$id")), id) == 0 &&
		    json_is_string(jget(j, "title")) &&
		    json_is_string(jget(j, "description")),
		    "%s: schema parses, with $id, title, description", all[i].name);
		json_decref(j);
	}

	json_t *j = schema_of("policy");
	is_str(json_string_value(jget(j, "$schema")),
	    "https://json-schema.org/draft/2020-12/schema", "draft 2020-12");
	is_str(json_string_value(jget(j, "type")), "object", "policy: object");
	ok(jhas(jget(j, "required"), "id") && jhas(jget(j, "required"),
	    "title") && !jhas(jget(j, "required"), "approved_by"),
	    "policy: id and title required, approval not");
	ok(jhas(jget(j, "properties/status/enum"), "approved") &&
	    json_array_size(jget(j, "properties/status/enum")) == 3,
	    "policy: status enum");
	ok(json_is_false(jget(j, "additionalProperties")), "policy: no "
	    "additional properties");
	is_str(json_string_value(jget(j, "properties/type/const")), "policy",
	    "policy: type property");
	is_str(json_string_value(jget(j, "properties/approved_on/anyOf/0/"
	    "format")), "date", "policy: dates have format date");
	like(json_string_value(jget(j, "properties/owner/description")),
	    "Person id", "policy: fields carry their description");
	is_str(json_string_value(jget(j, "properties/controls/type")), "array",
	    "policy: controls is an array");
	ok(jhas(jget(j, "properties/controls/items/type"), "number"),
	    "policy: control ids may be numbers");
	json_decref(j);

	j = schema_of("risk");
	ok(jhas(jget(j, "type"), "object") && jhas(jget(j, "type"), "array"),
	    "risk: an object or an array");
	is_str(json_string_value(jget(j, "anyOf/0/properties/risks/items/$ref")),
	    "#/$defs/risk", "risk: list under risks");
	ok(jhas(jget(j, "anyOf/0/required"), "risks"), "risk: risks required");
	is_str(json_string_value(jget(j, "anyOf/1/items/$ref")), "#/$defs/risk",
	    "risk: or a top-level list");
	ok(jhas(jget(j, "$defs/risk/required"), "id"), "risk: id required");
	ok(jhas(jget(j, "$defs/risk/properties/treatment/enum"), "mitigate"),
	    "risk: treatment enum");
	ok(jget(j, "$defs/risk/properties/type") == NULL, "risk: no type in "
	    "each record");
	json_decref(j);

	j = schema_of("soa");
	ok(jhas(jget(j, "properties/controls/items/required"), "applicable"),
	    "soa: nested required");
	is_str(json_string_value(jget(j, "properties/controls/items/properties/"
	    "applicable/type")), "boolean", "soa: nested boolean");
	ok(jget(j, "properties/controls/items/properties/evidence/anyOf") !=
	    NULL, "soa: evidence is one path or a list");
	json_decref(j);

	j = schema_of("manifest");
	json_t *names = jget(j, "properties/paths/propertyNames/enum");
	ok(jhas(names, "policy") && !jhas(names, "manifest"),
	    "manifest: paths keys are record types");
	ok(jget(j, "properties/paths/additionalProperties/anyOf") != NULL,
	    "manifest: path patterns are one or a list");
	json_decref(j);
}

/* Whether the validator takes s as the field of type tn described by the
 * YAML template (with %s for the value). */
static int
accepts(const char *tn, const char *tmpl, const char *s)
{
	struct problems p = {0};
	char *text = xasprintf(tmpl, s);
	check(tn, "x.yaml", text, &p);
	int r = p.n == 0;
	problems_free(&p);
	free(text);
	return r;
}

/* The schema's id patterns accept exactly what validation accepts. */
static void
test_patterns(void)
{
	static const struct {
		const char *type, *path, *tmpl;
	} c[] = {
		{"soa", "properties/controls/items/properties/control/pattern",
		    "controls: [{control: \"%s\", applicable: true}]\n"},
		{"nonconformity", "$defs/nonconformity/properties/clause/pattern",
		    "- {id: a, description: b, clause: \"%s\"}\n"},
		{"audit_report", "properties/areas/items/pattern",
		    "id: a\nheld_on: 2024-01-01\nareas: [\"%s\"]\n"},
	};
	for (size_t k = 0; k < NELEM(c); k++) {
		json_t *j = schema_of(c[k].type);
		const char *re = json_string_value(jget(j, c[k].path));
		regex_t rx;
		int disagree = 0, accepted = 0;
		if (!ok(re && regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0,
		    "%s: pattern compiles", c[k].type)) {
			json_decref(j);
			continue;
		}
		for (int pre = 0; pre < 2; pre++)
			for (int a = 0; a <= 11; a++)
				for (int b = -1; b <= 40; b++)
					for (int d = -1; d <= 4; d++) {
						char s[32];
						if (b < 0 && d >= 0)
							continue;
						snprintf(s, sizeof(s), "%s%d", pre ? "A." : "", a);
						if (b >= 0)
							snprintf(s + strlen(s), 8, ".%d", b);
						if (d >= 0)
							snprintf(s + strlen(s), 8, ".%d", d);
						int v = accepts(c[k].type, c[k].tmpl, s);
						int m = regexec(&rx, s, 0, NULL, 0) == 0;
						accepted += v;
						if (v != m && disagree++ < 5)
							printf("# %s: '%s' validator %d, pattern %d\n",
							    c[k].type, s, v, m);
					}
		ok(disagree == 0 && accepted > 0, "%s: pattern and validator agree "
		    "(%d accepted)", c[k].type, accepted);
		regfree(&rx);
		json_decref(j);
	}
	ok(accepts("soa", c[0].tmpl, "8.34") && !accepts("soa", c[0].tmpl,
	    "8.35") && !accepts("soa", c[0].tmpl, "05.1") &&
	    !accepts("soa", c[0].tmpl, "5.1.") && !accepts("soa", c[0].tmpl, ""),
	    "control ids: edges");
	ok(accepts("audit_report", c[2].tmpl, "A.8") &&
	    accepts("audit_report", c[2].tmpl, "10.2") &&
	    !accepts("audit_report", c[2].tmpl, "A.5.38"), "areas: edges");
}

/* The Markdown reference, and the copy of it in the docs. */
static void
test_markdown(void)
{
	char *md = record_markdown();
	const char *top = getenv("ISMS_TOP");
	char *path = xasprintf("%s/docs/isms-repository.md", top ? top : ".");
	char *text = NULL;
	size_t len;

	like(md, "### `policy`: Policy or procedure\n", "a heading per type");
	like(md, "| `controls.applicable` | true/false | yes | `true`, `false` "
	    "| Whether the control", "nested fields as parent.child");
	like(md, "| `status` | choice |  | `draft`, `approved`, `retired` |",
	    "enum values listed");
	like(md, "- Default paths: `risk/register.yaml`, "
	    "`risk/register/*.yaml`\n", "default paths");
	like(md, "| `paths.<type>` | text or list of text |", "map values");
	like(md, "- Shape: collection; a file holds many records as a list under "
	    "`risks:`", "shape");
	size_t n;
	const struct record_type *all = record_types(&n);
	int missing = 0;
	for (size_t i = 0; i < n; i++) {
		char *h = xasprintf("### `%s`: %s\n", all[i].name, all[i].title);
		missing += strstr(md, h) == NULL;
		free(h);
	}
	is_int(missing, 0, "every type has its section");

	if (ok(read_file(path, 1 << 22, &text, &len) == 0, "read %s", path)) {
		const char *b = "<!-- BEGIN GENERATED RECORD TYPES -->\n";
		const char *e = "<!-- END GENERATED RECORD TYPES -->";
		char *s = strstr(text, b), *t = s ? strstr(s, e) : NULL;
		char *want = xasprintf("\n%s\n", md);
		int same = s && t && (size_t)(t - s - strlen(b)) == strlen(want) &&
		    memcmp(s + strlen(b), want, strlen(want)) == 0;
		if (!ok(same, "docs/isms-repository.md holds record_markdown() "
		    "between the markers"))
			printf("# regenerate the part between the markers\n");
		free(want);
	}
	free(text);
	free(path);
	free(md);
}

/* Certification audits: type and grades checked, findings keyed. */
static void
test_certification_audit(void)
{
	struct problems p = { 0 };
	int n = check("certification_audit", "audits/certification.yaml",
	    "audits:\n"
	    "  - id: CA-1\n"
	    "    type: surveillance\n"
	    "    start_on: 2026-02-17\n"
	    "    auditors: Markus Feld\n"
	    "    findings:\n"
	    "      - id: F1\n"
	    "        grade: minor\n"
	    "        nonconformity: NC-1\n",
	    &p);
	is_int(n, 0, "certification audit: a valid record");
	dump(&p);
	problems_free(&p);
	memset(&p, 0, sizeof(p));
	check("certification_audit", "audits/certification.yaml",
	    "audits:\n"
	    "  - id: CA-2\n"
	    "    type: stage3\n"
	    "    findings:\n"
	    "      - id: F1\n"
	    "        grade: serious\n"
	    "      - id: F1\n"
	    "        grade: minor\n",
	    &p);
	HAS(&p, 3, "stage3");
	HAS(&p, 2, "start_on");
	HAS(&p, 6, "serious");
	HAS(&p, -1, "F1");
	problems_free(&p);
}

int
main(void)
{
	test_tables();
	test_contract();
	test_scalars();
	test_fields();
	test_nested();
	test_collections();
	test_type_and_manifest();
	test_record_validate();
	test_hostile();
	test_schema();
	test_patterns();
	test_markdown();
	test_certification_audit();
	return done_testing();
}
