/* oscal.c - OSCAL assessment results. */
#include "oscal.h"

#include <stdio.h>
#include <string.h>

#include "date.h"
#include "export.h"
#include "sha1.h"

void
oscal_uuid(const char *name, char out[37])
{
	/* The URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8. */
	static const unsigned char ns[16] = { 0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
		                              0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	struct sha1 h;
	unsigned char d[20];
	sha1_init(&h);
	sha1_update(&h, ns, sizeof(ns));
	sha1_update(&h, name, strlen(name));
	sha1_final(&h, d);
	d[6] = (unsigned char)((d[6] & 0x0f) | 0x50);
	d[8] = (unsigned char)((d[8] & 0x3f) | 0x80);
	char *p = out;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		p += sprintf(p, "%02x", d[i]);
	}
}

/* The uuid of what (a part of this evaluation) as a JSON string. */
static json_t *
uuid(const struct evaluation *ev, const char *what, const char *id)
{
	char name[1024], u[37];
	char t[21];
	date_format_utc(ev->now, t);
	snprintf(name, sizeof(name), "urn:ismsd:%s:%s:%s:%s", ev->commit, t, what, id ? id : "");
	oscal_uuid(name, u);
	return json_string(u);
}

static json_t *
prop(const char *name, const char *value)
{
	return json_pack("{s:s, s:s, s:s}", "name", name, "ns", "https://ismsd.example/ns/oscal",
	                 "value", value && *value ? value : "none");
}

/* The finding target: the Annex A control or the clause. */
static json_t *
target(const struct rule_info *ri, enum rule_status st)
{
	char id[64];
	if (ri->control)
		snprintf(id, sizeof(id), "a.%s", ri->control);
	else
		snprintf(id, sizeof(id), "clause-%s", ri->clause ? ri->clause : "4");
	return json_pack(
	        "{s:s, s:s, s:s, s:{s:s, s:s}}", "type", "objective-id", "target-id", id, "title",
	        ri->control ? "ISO/IEC 27001:2022 Annex A control" : "ISO/IEC 27001:2022 clause",
	        "status", "state", "not-satisfied", "reason", st == ST_FAIL ? "fail" : "other");
}

json_t *
oscal_build(const struct evaluation *ev, const char *organisation, const char *repo)
{
	char t[21], title[512], ver[32];
	date_format_utc(ev->now, t);
	snprintf(title, sizeof(title), "ISO/IEC 27001:2022 conformance of the ISMS of %s",
	         organisation ? organisation : "the organisation");
	snprintf(ver, sizeof(ver), "%d", EXPORT_FORMAT_VERSION);
	json_t *obs = json_array(), *finds = json_array();
	for (size_t i = 0; i < ev->n; i++) {
		const struct rule_result *r = &ev->results[i];
		const struct rule_info *ri = r->rule;
		if (r->status != ST_FAIL && r->status != ST_ERROR)
			continue;
		json_t *o_uuid = uuid(ev, "observation", ri->id);
		json_t *evid = json_array();
		for (size_t k = 0; k < r->nfindings; k++) {
			const struct finding *f = &r->findings[k];
			char href[4200];
			if (f->file == NULL)
				continue;
			if (f->line)
				snprintf(href, sizeof(href), "%s#L%d", f->file, f->line);
			else
				snprintf(href, sizeof(href), "%s", f->file);
			json_array_append_new(evid, json_pack("{s:s, s:s}", "href", href,
			                                      "description", f->message));
		}
		char desc[8192];
		int n = snprintf(desc, sizeof(desc), "%s",
		                 r->status == ST_ERROR && r->note ? r->note : ri->title);
		for (size_t k = 0; k < r->nfindings && n >= 0 && (size_t)n < sizeof(desc); k++)
			n += snprintf(desc + n, sizeof(desc) - (size_t)n, "\n%s",
			              r->findings[k].message);
		json_t *ob = json_pack("{s:O, s:s, s:s, s:[s], s:[s], s:s, s:[o, o, o]}", "uuid",
		                       o_uuid, "title", ri->id, "description", desc, "methods",
		                       "TEST", "types", "finding", "collected", t, "props",
		                       prop("rule", ri->id), prop("severity", ri->severity),
		                       prop("status", rule_status_name(r->status)));
		if (json_array_size(evid))
			json_object_set_new(ob, "relevant-evidence", evid);
		else
			json_decref(evid);
		json_array_append_new(obs, ob);
		json_t *fi =
		        json_pack("{s:o, s:s, s:s, s:o, s:[{s:O}], s:s}", "uuid",
		                  uuid(ev, "finding", ri->id), "title", ri->title, "description",
		                  ri->rationale && *ri->rationale ? ri->rationale : ri->title,
		                  "target", target(ri, r->status), "related-observations",
		                  "observation-uuid", o_uuid, "remarks", ri->remediation);
		json_decref(o_uuid);
		json_array_append_new(finds, fi);
	}
	json_t *meta =
	        json_pack("{s:s, s:s, s:s, s:s, s:[o, o, o, o, o]}", "title", title,
	                  "last-modified", t, "version", ev->commit[0] ? ev->commit : "none",
	                  "oscal-version", OSCAL_VERSION, "props", prop("format-version", ver),
	                  prop("tool-version", ISMS_VERSION), prop("commit", ev->commit),
	                  prop("rules-digest", ev->digest), prop("repository", repo));
	json_t *res = json_pack(
	        "{s:o, s:s, s:s, s:s, s:s, s:{s:[{s:{}}]}}", "uuid", uuid(ev, "result", NULL),
	        "title", "ismsd evaluation", "description",
	        "Every rule of the ismsd rule packs evaluated against the ISMS "
	        "records at the commit named in the metadata.",
	        "start", t, "end", t, "reviewed-controls", "control-selections", "include-all");
	if (json_array_size(obs))
		json_object_set_new(res, "observations", obs);
	else
		json_decref(obs);
	if (json_array_size(finds))
		json_object_set_new(res, "findings", finds);
	else
		json_decref(finds);
	return json_pack("{s:{s:o, s:o, s:{s:s}, s:[o]}}", "assessment-results", "uuid",
	                 uuid(ev, "assessment-results", NULL), "metadata", meta, "import-ap",
	                 "href", "#ismsd-rule-packs", "results", res);
}
