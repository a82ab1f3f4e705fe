/* calendar.c - compute the ISMS calendar from the records.
 *
 * Each event is computed from one record and points at the field its date
 * comes from. Intervals come from the record itself when it sets one
 * (review_months), else from isms.yaml parameters, else a default of 12
 * months; the names are in docs/scheduler.md. An event is overdue when it
 * is an obligation of the organisation (not an audit the certification
 * body runs) and its date is before today in the organisation's zone. */
#include "calendar.h"
#include "escape.h"

#include <stdio.h>
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "alloc.h"
#include "buf.h"
#include "strset.h"

#define TITLE_MAX 120 /* characters of quoted free text in a title */

static const char *const kind_names[CAL_NKINDS] = {
	"management-review", "review-action",      "internal-audit",        "stage1-audit",
	"stage2-audit",      "surveillance-audit", "recertification-audit", "certificate-expiry",
	"document-review",   "risk-assessment",    "risk-method-review",    "supplier-review",
	"corrective-action", "risk-treatment",
};

/* Whether kind k is the organisation's own obligation (can be overdue). */
int
calendar_obligation(enum cal_kind k)
{
	return k != CAL_STAGE1 && k != CAL_STAGE2 && k != CAL_SURVEILLANCE &&
	       k != CAL_RECERTIFICATION && k != CAL_CERT_EXPIRY;
}

/* Name kind k. */
const char *
calendar_kind_name(enum cal_kind k)
{
	return (unsigned)k < CAL_NKINDS ? kind_names[k] : "unknown";
}

/* Find a kind by name. */
int
calendar_kind_find(const char *name)
{
	for (int k = 0; k < CAL_NKINDS; k++)
		if (strcmp(kind_names[k], name) == 0)
			return k;
	return -1;
}

/* Record readers. */

/* Visit the records of one type. */
void
calendar_each(const struct model *m, const char *type, calendar_visit fn, void *arg)
{
	const struct record_type *t = record_type_find(type);
	if (t)
		model_each_record(m, t, fn, arg);
}

/* Every record type calendar_build reads (calendar_each), for
 * calendar_inputs: a type read and not listed here would let a calendar
 * be kept when it changed. */
static const char *const read_types[] = {
	"audit_programme",     "management_review", "policy",        "risk",
	"risk_method",         "supplier",          "nonconformity", "risk_treatment",
	"certification_audit",
};

static int
read_type(const struct record_type *t)
{
	for (size_t i = 0; t && i < sizeof(read_types) / sizeof(read_types[0]); i++)
		if (strcmp(t->name, read_types[i]) == 0)
			return 1;
	return 0;
}

/* h with the text s mixed in. */
static uint64_t
mix(uint64_t h, const char *s)
{
	return (h ^ str_hash(s)) * UINT64_C(1099511628211);
}

/* Visit the records of one type of read_types (asserted: a type the
 * calendar reads must be listed there). */
static void
each_read(const struct model *m, const char *type, calendar_visit fn, void *arg)
{
	assert(read_type(record_type_find(type)));
	calendar_each(m, type, fn, arg);
}

/* Read a scalar field's text. */
const char *
calendar_str(const struct node *rec, const char *key)
{
	const struct node *n = rec ? node_get(rec, key) : NULL;
	if (n == NULL || n->kind == NODE_SEQ || n->kind == NODE_MAP || n->kind == NODE_NULL ||
	    n->str == NULL)
		return NULL;
	return n->str;
}

/* Read a date field. */
int
calendar_date(const struct node *rec, const char *key, struct ymd *out)
{
	const char *s = calendar_str(rec, key);
	if (s == NULL || date_parse(s, "UTC", out, NULL, NULL) < 0)
		return -1;
	return 0;
}

/* Read a whole-number field. */
int64_t
calendar_int(const struct node *rec, const char *key, int64_t def)
{
	const struct node *n = rec ? node_get(rec, key) : NULL;
	return n && n->kind == NODE_INT ? n->i : def;
}

/* Read a number field. */
double
calendar_num(const struct node *rec, const char *key, double def)
{
	const struct node *n = rec ? node_get(rec, key) : NULL;
	if (n && n->kind == NODE_INT)
		return (double)n->i;
	return n && n->kind == NODE_FLOAT ? n->f : def;
}

/* Look a parameter up in isms.yaml. */
const struct node *
calendar_param(const struct model *m, const char *rule, const char *name)
{
	const struct node *root = m->manifest ? m->manifest->doc->root : NULL;
	const struct node *p = root ? node_get(root, "parameters") : NULL, *v = NULL;

	if (p == NULL || p->kind != NODE_MAP)
		return NULL;
	if (rule != NULL)
		v = node_get(node_get(p, rule), name);
	return v ? v : node_get(p, name);
}

/* Read a whole-number parameter. */
int64_t
calendar_param_int(const struct model *m, const char *rule, const char *name, int64_t def)
{
	const struct node *v = calendar_param(m, rule, name);
	return v && v->kind == NODE_INT ? v->i : def;
}

/* Building the calendar. */

struct build {
	const struct model *m;
	struct calendar *c;
	size_t cap;
	const char *audit_owner; /* audit programme owner, for certification events */
	/* latest management review */
	const struct node *last_review;
	const struct model_doc *last_review_doc;
	struct ymd last_held;
	/* oldest risk assessment */
	const struct node *oldest_risk;
	const struct model_doc *oldest_risk_doc;
	struct ymd oldest_assessed;
};

/* The line of field key in rec, else of rec itself. */
static int
line_of(const struct node *rec, const char *key)
{
	const struct node *n = key ? node_get(rec, key) : NULL;
	return n ? n->line : rec ? rec->line : 0;
}

/* Free text cut to TITLE_MAX characters on one line; the caller frees. */
static char *
excerpt(const char *s)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; s && s[i] && i < TITLE_MAX; i++)
		buf_addc(&b, s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i]);
	if (s && s[i])
		buf_adds(&b, "...");
	if (b.data == NULL)
		buf_adds(&b, "");
	return buf_steal(&b);
}

/* Add an event; title is stolen. */
static void
add(struct build *b, enum cal_kind k, const char *rid, char *title, struct ymd date,
    const char *owner, const struct model_doc *md, int line)
{
	struct cal_event *e;

	if (b->c->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->c->v = xreallocarray(b->c->v, b->cap, sizeof(*b->c->v));
	}
	e = &b->c->v[b->c->n++];
	e->id = xasprintf("%s:%s", kind_names[k], rid);
	e->kind = k;
	e->title = title;
	e->date = date;
	e->owner = owner ? xstrdup(owner) : NULL;
	e->file = xstrdup(md ? md->file->path : MANIFEST_PATH);
	e->line = line;
	e->overdue = calendar_obligation(k) && date_days(date) < date_days(b->c->today);
}

/* The later of two optional date fields; -1 when neither is a date. */
static int
latest_of(const struct node *rec, const char *k1, const char *k2, struct ymd *out,
          const char **which)
{
	struct ymd a, c;
	int ha = calendar_date(rec, k1, &a) == 0, hc = k2 && calendar_date(rec, k2, &c) == 0;

	if (!ha && !hc)
		return -1;
	if (hc && (!ha || date_days(c) > date_days(a))) {
		*out = c;
		*which = k2;
	} else {
		*out = a;
		*which = k1;
	}
	return 0;
}

/* Remember the latest management review; add its open actions. */
static void
visit_review(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const struct node *acts = node_get(rec, "actions");
	const char *rid = calendar_str(rec, "id");
	struct ymd held, due;

	if (calendar_date(rec, "held_on", &held) == 0 &&
	    (b->last_review == NULL || date_days(held) > date_days(b->last_held))) {
		b->last_review = rec;
		b->last_review_doc = md;
		b->last_held = held;
	}
	for (size_t i = 0; rid && acts && acts->kind == NODE_SEQ && i < acts->n; i++) {
		const struct node *a = acts->items[i];
		const char *st = calendar_str(a, "status"), *aid = calendar_str(a, "id");
		char *text, *id;
		if (a->kind != NODE_MAP || calendar_date(a, "due", &due) < 0 ||
		    calendar_str(a, "completed_on") ||
		    (st && (strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0)))
			continue;
		text = excerpt(calendar_str(a, "action"));
		id = aid ? xasprintf("%s/%s", rid, aid) : xasprintf("%s/%zu", rid, i + 1);
		add(b, CAL_REVIEW_ACTION, id,
		    xasprintf("Management review action %s: %s", id, text), due,
		    calendar_str(a, "owner"), md, line_of(a, "due"));
		free(text);
		free(id);
	}
}

/* The next management review after the latest one held. */
static void
add_management_review(struct build *b)
{
	int64_t months =
	        calendar_param_int(b->m, "9.3-review-held", "interval_months",
	                           calendar_param_int(b->m, NULL, "management_review_months", 12));
	const struct node *root = b->m->manifest->doc->root;
	const struct node *tm = root ? node_get(root, "top_management") : NULL;
	const char *owner = NULL;
	char held[11];

	if (tm && tm->kind == NODE_SEQ && tm->n && tm->items[0]->kind == NODE_STRING)
		owner = tm->items[0]->str;
	if (b->last_review == NULL) {
		add(b, CAL_MANAGEMENT_REVIEW, "first",
		    xstrdup("First management review (none is recorded under reviews/)"),
		    b->c->today, owner, NULL, 0);
		b->c->v[b->c->n - 1].overdue = 1;
		return;
	}
	date_format(b->last_held, held);
	const char *rid = calendar_str(b->last_review, "id");
	const char *chair = calendar_str(b->last_review, "chaired_by");
	add(b, CAL_MANAGEMENT_REVIEW, rid ? rid : held,
	    xasprintf("Management review due (%lld months after %s held on %s)", (long long)months,
	              rid ? rid : "the last review", held),
	    date_add_months(b->last_held, (int)months), chair ? chair : owner, b->last_review_doc,
	    line_of(b->last_review, "held_on"));
}

/* Stage audits, surveillance audits, recertification and expiry. */
/* The surveillance audits held (certification_audit records), by date. */
struct held {
	struct ymd day[8];
	const struct node *rec[8];
	const struct model_doc *md[8];
	size_t n;
};

static void
visit_surveillance(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct held *h = arg;
	const char *type = calendar_str(rec, "type");
	struct ymd d;
	if (type == NULL || strcmp(type, "surveillance") != 0 ||
	    calendar_date(rec, "start_on", &d) < 0 || h->n == 8)
		return;
	size_t i = h->n++;
	for (; i > 0 && date_days(h->day[i - 1]) > date_days(d); i--) {
		h->day[i] = h->day[i - 1];
		h->rec[i] = h->rec[i - 1];
		h->md[i] = h->md[i - 1];
	}
	h->day[i] = d;
	h->rec[i] = rec;
	h->md[i] = md;
}

static void
add_certificate(struct build *b)
{
	const struct node *root = b->m->manifest->doc->root;
	const struct node *cert = root ? node_get(root, "certificate") : NULL;
	int64_t lead = calendar_param_int(b->m, NULL, "recertification_lead_months", 3);
	struct ymd d, issued, expires;
	char is[11], ex[11];

	if (cert == NULL || cert->kind != NODE_MAP)
		return;
	if (calendar_date(cert, "stage1_on", &d) == 0)
		add(b, CAL_STAGE1, "certificate", xstrdup("Stage 1 certification audit"), d,
		    b->audit_owner, b->m->manifest, line_of(cert, "stage1_on"));
	if (calendar_date(cert, "stage2_on", &d) == 0)
		add(b, CAL_STAGE2, "certificate", xstrdup("Stage 2 certification audit"), d,
		    b->audit_owner, b->m->manifest, line_of(cert, "stage2_on"));
	if (calendar_date(cert, "issued", &issued) == 0) {
		/* A surveillance audit held since the certificate was issued
		 * (a certification_audit record) takes its place in the
		 * calendar; one not held by its due date is overdue. */
		struct held h = { .n = 0 };
		each_read(b->m, "certification_audit", visit_surveillance, &h);
		size_t first = 0;
		while (first < h.n && date_days(h.day[first]) < date_days(issued))
			first++;
		date_format(issued, is);
		for (int i = 1; i <= 2; i++) {
			char *rid = xasprintf("%s/%d", is, i);
			struct ymd due = date_add_months(issued, 12 * i);
			size_t k = first + (size_t)i - 1;
			if (k < h.n) {
				char held[11], dd[11];
				date_format(h.day[k], held);
				date_format(due, dd);
				add(b, CAL_SURVEILLANCE, rid,
				    xasprintf("Surveillance audit %d held on %s (%s, due %s)", i,
				              held,
				              calendar_str(h.rec[k], "id")
				                      ? calendar_str(h.rec[k], "id")
				                      : "no id",
				              dd),
				    h.day[k], b->audit_owner, h.md[k], h.rec[k]->line);
			} else {
				add(b, CAL_SURVEILLANCE, rid,
				    xasprintf("Surveillance audit %d due (%d months after the "
				              "certificate was issued on %s)",
				              i, 12 * i, is),
				    due, b->audit_owner, b->m->manifest, line_of(cert, "issued"));
				b->c->v[b->c->n - 1].overdue =
				        date_days(due) < date_days(b->c->today);
			}
			free(rid);
		}
	}
	if (calendar_date(cert, "expires", &expires) == 0) {
		date_format(expires, ex);
		add(b, CAL_RECERTIFICATION, ex,
		    xasprintf("Recertification audit due (%lld months before the certificate "
		              "expires on %s)",
		              (long long)lead, ex),
		    date_add_months(expires, -(int)lead), b->audit_owner, b->m->manifest,
		    line_of(cert, "expires"));
		add(b, CAL_CERT_EXPIRY, ex, xstrdup("The ISO/IEC 27001 certificate expires"),
		    expires, b->audit_owner, b->m->manifest, line_of(cert, "expires"));
	}
}

/* Audits of the programme still to be held. */
static void
visit_programme(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const struct node *audits = node_get(rec, "audits");
	struct ymd d;

	for (size_t i = 0; audits && audits->kind == NODE_SEQ && i < audits->n; i++) {
		const struct node *a = audits->items[i], *areas = node_get(a, "areas");
		const char *st = calendar_str(a, "status"), *id = calendar_str(a, "id");
		struct buf t = { 0 };
		if (a->kind != NODE_MAP || id == NULL || calendar_date(a, "planned_on", &d) < 0 ||
		    (st && (strcmp(st, "done") == 0 || strcmp(st, "cancelled") == 0)))
			continue;
		buf_printf(&t, "Internal audit %s", id);
		for (size_t k = 0; areas && areas->kind == NODE_SEQ && k < areas->n; k++) {
			if (k == 8) {
				buf_printf(&t, " and %zu more", areas->n - k);
				break;
			}
			buf_printf(&t, "%s%s", k ? ", " : ": ",
			           areas->items[k]->str ? areas->items[k]->str : "?");
		}
		add(b, CAL_INTERNAL_AUDIT, id, buf_steal(&t), d, calendar_str(a, "auditor"), md,
		    line_of(a, "planned_on"));
	}
}

/* The audit programme's owner, for certification events. */
static void
visit_programme_owner(const struct node *rec, const struct model_doc *md, void *arg)
{
	(void)md;
	((struct build *)arg)->audit_owner = calendar_str(rec, "owner");
}

/* Review of a policy or procedure in force. */
static void
visit_policy(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const char *st = calendar_str(rec, "status"), *id = calendar_str(rec, "id"), *which;
	const char *title = calendar_str(rec, "title");
	int64_t months = calendar_int(
	        rec, "review_months",
	        calendar_param_int(b->m, NULL, "policy_review_months",
	                           calendar_param_int(b->m, NULL, "review_months", 12)));
	struct ymd d;

	if (id == NULL || (st && strcmp(st, "approved") != 0) ||
	    latest_of(rec, "approved_on", "reviewed_on", &d, &which) < 0)
		return;
	add(b, CAL_DOCUMENT_REVIEW, id,
	    xasprintf("Review of %s (%s), every %lld months", title ? title : id, id,
	              (long long)months),
	    date_add_months(d, (int)months), calendar_str(rec, "owner"), md, line_of(rec, which));
}

/* Remember the open risk assessed longest ago. */
static void
visit_risk(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const char *st = calendar_str(rec, "status");
	struct ymd d;

	if ((st && strcmp(st, "closed") == 0) || calendar_date(rec, "assessed_on", &d) < 0)
		return;
	if (b->oldest_risk == NULL || date_days(d) < date_days(b->oldest_assessed)) {
		b->oldest_risk = rec;
		b->oldest_risk_doc = md;
		b->oldest_assessed = d;
	}
}

/* Reassessment of the register and review of the method. */
static void
visit_method(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	int64_t def = calendar_param_int(b->m, NULL, "review_months", 12);
	int64_t months = calendar_int(rec, "review_months", def);
	int64_t reassess =
	        calendar_int(rec, "reassessment_months",
	                     calendar_param_int(b->m, NULL, "risk_reassessment_months", months));
	const char *which, *rid;
	struct ymd d;
	char on[11];

	if (latest_of(rec, "approved_on", "reviewed_on", &d, &which) == 0)
		add(b, CAL_RISK_METHOD_REVIEW, "method",
		    xasprintf("Review of the risk assessment method, every %lld months",
		              (long long)months),
		    date_add_months(d, (int)months), calendar_str(rec, "owner"), md,
		    line_of(rec, which));
	if (b->oldest_risk == NULL)
		return;
	rid = calendar_str(b->oldest_risk, "id");
	date_format(b->oldest_assessed, on);
	add(b, CAL_RISK_ASSESSMENT, "register",
	    xasprintf("Risk reassessment due, every %lld months (oldest: %s assessed on %s)",
	              (long long)reassess, rid ? rid : "a risk", on),
	    date_add_months(b->oldest_assessed, (int)reassess), calendar_str(rec, "owner"),
	    b->oldest_risk_doc, line_of(b->oldest_risk, "assessed_on"));
}

/* Review of a current supplier. */
static void
visit_supplier(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const char *id = calendar_str(rec, "id"), *name = calendar_str(rec, "name"), *which;
	int64_t months = calendar_int(rec, "review_months",
	                              calendar_param_int(b->m, NULL, "supplier_review_months", 12));
	struct ymd d;

	if (id == NULL || calendar_str(rec, "ended_on") ||
	    latest_of(rec, "last_review_on", "agreement_signed_on", &d, &which) < 0)
		return;
	add(b, CAL_SUPPLIER_REVIEW, id,
	    xasprintf("Supplier review of %s (%s), every %lld months", name ? name : id, id,
	              (long long)months),
	    date_add_months(d, (int)months), calendar_str(rec, "owner"), md, line_of(rec, which));
}

/* The corrective action of an open nonconformity. */
static void
visit_nc(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const struct node *ca = node_get(rec, "corrective_action");
	const char *id = calendar_str(rec, "id"), *st = calendar_str(rec, "status");
	struct ymd d;
	char *text;

	if (id == NULL || (st && strcmp(st, "closed") == 0) || ca == NULL || ca->kind != NODE_MAP ||
	    calendar_str(ca, "completed_on") || calendar_date(ca, "due", &d) < 0)
		return;
	text = excerpt(calendar_str(ca, "action"));
	add(b, CAL_CORRECTIVE_ACTION, id,
	    xasprintf("Corrective action for %s%s%s", id, *text ? ": " : "", text), d,
	    calendar_str(ca, "owner"), md, line_of(ca, "due"));
	free(text);
}

/* An unfinished risk treatment action. */
static void
visit_treatment(const struct node *rec, const struct model_doc *md, void *arg)
{
	struct build *b = arg;
	const char *id = calendar_str(rec, "id"), *st = calendar_str(rec, "status");
	const char *risk = calendar_str(rec, "risk");
	struct ymd d;
	char *text;

	if (id == NULL || (st && strcmp(st, "done") == 0) || calendar_str(rec, "completed_on") ||
	    calendar_date(rec, "due", &d) < 0)
		return;
	text = excerpt(calendar_str(rec, "action"));
	add(b, CAL_RISK_TREATMENT, id,
	    xasprintf("Risk treatment %s for %s: %s", id, risk ? risk : "?", text), d,
	    calendar_str(rec, "owner"), md, line_of(rec, "due"));
	free(text);
}

/* Order events by id, for finding duplicates. */
static int
by_id(const void *a, const void *b)
{
	const struct cal_event *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	if (c == 0)
		c = strcmp(x->file, y->file);
	return c ? c : x->line - y->line;
}

/* Order events by date, then id. */
static int
by_date(const void *a, const void *b)
{
	const struct cal_event *x = a, *y = b;
	int64_t dx = date_days(x->date), dy = date_days(y->date);
	return dx < dy ? -1 : dx > dy ? 1 : strcmp(x->id, y->id);
}

/* Make ids unique (records with the same id in two files): the second
 * and later get "~2", "~3" in file order. */
static void
unique_ids(struct calendar *c)
{
	size_t run = 1, base = 0;

	qsort(c->v, c->n, sizeof(*c->v), by_id);
	for (size_t i = 1; i < c->n; i++) {
		if (strcmp(c->v[i].id, c->v[base].id) != 0) {
			base = i;
			run = 1;
			continue;
		}
		char *id = xasprintf("%s~%zu", c->v[i].id, ++run);
		free(c->v[i].id);
		c->v[i].id = id;
	}
}

uint64_t
calendar_inputs(const struct model *m)
{
	uint64_t h = mix(UINT64_C(14695981039346656037), m->tz ? m->tz : "UTC");
	for (size_t i = 0; i < m->ndocs; i++) {
		const struct model_doc *md = &m->docs[i];
		if (md != m->manifest && !read_type(md->type))
			continue;
		if (md->file->blob[0] == '\0')
			return 0; /* a work-tree file: its content has no name */
		h = mix(mix(h, md->file->path), md->file->blob);
	}
	return h ? h : 1;
}

/* Compute the calendar; see calendar.h. */
void
calendar_build(const struct model *m, int64_t now, struct calendar **out)
{
	struct calendar *c = xcalloc(1, sizeof(*c));
	struct build b;

	memset(&b, 0, sizeof(b));
	b.m = m;
	b.c = c;
	c->tz = xstrdup(m->tz ? m->tz : "UTC");
	if (date_local_ymd(now, c->tz, &c->today) < 0)
		date_local_ymd(now, "UTC", &c->today);
	each_read(m, "audit_programme", visit_programme_owner, &b);
	each_read(m, "management_review", visit_review, &b);
	if (m->manifest && m->manifest->doc->root) {
		add_management_review(&b);
		add_certificate(&b);
	}
	each_read(m, "audit_programme", visit_programme, &b);
	each_read(m, "policy", visit_policy, &b);
	each_read(m, "risk", visit_risk, &b);
	each_read(m, "risk_method", visit_method, &b);
	each_read(m, "supplier", visit_supplier, &b);
	each_read(m, "nonconformity", visit_nc, &b);
	each_read(m, "risk_treatment", visit_treatment, &b);
	if (c->n) {
		unique_ids(c);
		qsort(c->v, c->n, sizeof(*c->v), by_date);
	}
	*out = c;
}

/* Free a calendar. */
void
calendar_free(struct calendar *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].title);
		free(c->v[i].owner);
		free(c->v[i].file);
	}
	free(c->v);
	free(c->tz);
	free(c);
}

/* Write the calendar as text. */
void
calendar_text(const struct calendar *c, struct buf *out)
{
	char d[11], t[11];

	date_format(c->today, t);
	buf_printf(out, "ISMS calendar as of %s (%s): %zu events\n\n", t, c->tz, c->n);
	for (size_t i = 0; i < c->n; i++) {
		const struct cal_event *e = &c->v[i];
		date_format(e->date, d);
		buf_printf(out, "%s  %-8s %-22s %s\n", d, e->overdue ? "OVERDUE" : "",
		           kind_names[e->kind], esc(e->title));
		buf_printf(out, "            owner %s, %s:%d, id %s\n",
		           e->owner ? esc(e->owner) : "-", esc(e->file), e->line, esc(e->id));
	}
}
