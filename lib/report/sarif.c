/* sarif.c - a check as SARIF 2.1.0. */
#include "sarif.h"

#include <string.h>

#include "alloc.h"
#include "buf.h"

#ifndef ISMS_VERSION
#define ISMS_VERSION "0"
#endif

#define SARIF_SCHEMA                                                                               \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"                      \
	"sarif-schema-2.1.0.json"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static json_t *
text(const char *s)
{
	json_t *m = json_object();
	json_object_set_new(m, "text", json_string(s && *s ? s : "(none)"));
	return m;
}

/* SARIF's level for a severity: major error, minor warning, else note. */
static const char *
level(const char *severity)
{
	if (severity && strcmp(severity, "major") == 0)
		return "error";
	if (severity && strcmp(severity, "minor") == 0)
		return "warning";
	return "note";
}

/* A repository path as a relative URI reference: every byte but the
 * unreserved ones and '/' percent-encoded. The caller's. */
static char *
uri(const char *path)
{
	struct buf b = { 0 };
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			buf_addc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	return b.len ? buf_steal(&b) : xstrdup(".");
}

/* One reportingDescriptor from a rule declaration or a verdict. */
static json_t *
rule_of(json_t *r)
{
	json_t *d = json_object(), *props = json_object(), *tags = json_array();
	const char *clause = str(r, "clause"), *control = str(r, "control");
	json_object_set(d, "id", json_object_get(r, "id"));
	json_object_set_new(d, "name", json_string(str(r, "id")));
	json_object_set_new(d, "shortDescription", text(str(r, "title")));
	json_object_set_new(d, "fullDescription",
	                    text(str(r, "rationale") ? str(r, "rationale") : str(r, "title")));
	/* help: what to do, in the standard's words */
	json_t *help = text(str(r, "remediation"));
	struct buf md = { 0 };
	buf_printf(&md, "**%s** (%s %s)\n\n%s", str(r, "title") ? str(r, "title") : "",
	           control ? "ISO/IEC 27001:2022 Annex A" : "ISO/IEC 27001:2022 clause",
	           control  ? control
	           : clause ? clause
	                    : "?",
	           str(r, "remediation") ? str(r, "remediation") : "");
	json_object_set_new(help, "markdown", json_string(md.data));
	buf_free(&md);
	json_object_set_new(d, "help", help);
	json_t *conf = json_object();
	json_object_set_new(conf, "level", json_string(level(str(r, "severity"))));
	json_object_set_new(d, "defaultConfiguration", conf);
	json_array_append_new(tags, json_string("ISO/IEC 27001:2022"));
	if (clause)
		json_array_append_new(tags, json_pack("s+", "clause ", clause));
	if (control)
		json_array_append_new(tags, json_pack("s+", "A.", control));
	json_object_set_new(props, "tags", tags);
	json_object_set(props, "clause", json_object_get(r, "clause"));
	json_object_set(props, "control", json_object_get(r, "control"));
	json_object_set(props, "theme", json_object_get(r, "theme"));
	json_object_set(props, "severity", json_object_get(r, "severity"));
	json_object_set_new(d, "properties", props);
	return d;
}

/* One result for a finding of verdict v (index ri among the rules). */
static json_t *
result_of(json_t *v, size_t ri, json_t *f, const char *state)
{
	json_t *o = json_object(), *props = json_object();
	const char *sev = str(f, "severity") ? str(f, "severity") : str(v, "severity");
	const char *file = str(f, "file");
	json_int_t line = json_integer_value(json_object_get(f, "line"));
	json_object_set(o, "ruleId", json_object_get(v, "id"));
	json_object_set_new(o, "ruleIndex", json_integer((json_int_t)ri));
	if (state && strcmp(state, "absent") == 0) {
		/* A finding of the baseline that this commit resolves. */
		json_object_set_new(o, "kind", json_string("pass"));
		json_object_set_new(o, "level", json_string("none"));
	} else {
		json_object_set_new(o, "kind", json_string("fail"));
		json_object_set_new(o, "level", json_string(level(sev)));
	}
	json_object_set_new(o, "message", text(str(f, "message")));
	if (file) {
		json_t *phys = json_object(), *art = json_object(), *loc = json_object();
		char *u = uri(file);
		json_object_set_new(art, "uri", json_string(u));
		free(u);
		json_object_set_new(art, "uriBaseId", json_string("SRCROOT"));
		json_object_set_new(phys, "artifactLocation", art);
		if (line > 0) {
			json_t *region = json_object();
			json_object_set_new(region, "startLine", json_integer(line));
			json_object_set_new(phys, "region", region);
		}
		json_object_set_new(loc, "physicalLocation", phys);
		json_object_set_new(o, "locations", json_pack("[o]", loc));
	}
	if (str(f, "fingerprint")) {
		json_t *fp = json_object();
		json_object_set(fp, "ismsFinding/v1", json_object_get(f, "fingerprint"));
		json_object_set_new(o, "partialFingerprints", fp);
	}
	if (state)
		json_object_set_new(o, "baselineState", json_string(state));
	json_object_set_new(props, "severity", json_string(sev ? sev : "observation"));
	if (str(f, "record"))
		json_object_set(props, "record", json_object_get(f, "record"));
	json_object_set(props, "status", json_object_get(v, "status"));
	json_object_set_new(o, "properties", props);
	return o;
}

/* The index of rule id among the descriptors, or -1. */
static long
index_of(json_t *descs, const char *id)
{
	json_t *d;
	size_t i;
	json_array_foreach (descs, i, d)
		if (id && str(d, "id") && strcmp(str(d, "id"), id) == 0)
			return (long)i;
	return -1;
}

void
sarif_write(FILE *out, json_t *doc, json_t *rules)
{
	json_t *verdicts = json_object_get(doc, "results"), *descs = json_array(),
	       *results = json_array(), *v, *f;
	json_t *cmp = json_object_get(doc, "baseline");
	size_t i, k;
	json_array_foreach (rules ? rules : verdicts, i, v)
		json_array_append_new(descs, rule_of(v));
	json_array_foreach (verdicts, i, v) {
		const char *st = str(v, "status");
		long ri = index_of(descs, str(v, "id"));
		if (ri < 0) {
			json_array_append_new(descs, rule_of(v));
			ri = (long)json_array_size(descs) - 1;
		}
		if (st && strcmp(st, "error") == 0) {
			json_t *e = json_object();
			struct buf m = { 0 };
			buf_printf(&m, "the rule could not be evaluated: %s",
			           str(v, "note") ? str(v, "note") : "unknown error");
			json_object_set_new(e, "message", json_string(m.data));
			json_object_set_new(e, "severity", json_string("major"));
			buf_free(&m);
			json_array_append_new(results, result_of(v, (size_t)ri, e, NULL));
			json_decref(e);
			continue;
		}
		if (!st || (strcmp(st, "fail") != 0 && strcmp(st, "warn") != 0))
			continue;
		json_array_foreach (json_object_get(v, "findings"), k, f)
			json_array_append_new(
			        results, result_of(v, (size_t)ri, f, str(f, "baseline_state")));
	}
	json_array_foreach (json_object_get(cmp, "resolved"), i, f) {
		json_t *vv = json_object();
		json_object_set(vv, "id", json_object_get(f, "rule"));
		json_object_set(vv, "severity", json_object_get(f, "severity"));
		json_object_set_new(vv, "status", json_string("pass"));
		long ri = index_of(descs, str(f, "rule"));
		if (ri >= 0)
			json_array_append_new(results, result_of(vv, (size_t)ri, f, "absent"));
		json_decref(vv);
	}
	json_t *driver = json_object();
	json_object_set_new(driver, "name", json_string("ismsctl"));
	json_object_set_new(driver, "fullName",
	                    json_string("ismsd ISO/IEC 27001:2022 conformance check"));
	json_object_set_new(driver, "version", json_string(ISMS_VERSION));
	json_object_set_new(driver, "semanticVersion", json_string(ISMS_VERSION));
	json_object_set_new(driver, "rules", descs);
	json_t *run = json_object(), *tool = json_object(), *inv = json_object();
	json_object_set_new(tool, "driver", driver);
	json_object_set_new(run, "tool", tool);
	json_object_set_new(inv, "executionSuccessful", json_true());
	json_t *ip = json_object();
	json_object_set(ip, "commit", json_object_get(doc, "commit"));
	json_object_set(ip, "ref", json_object_get(doc, "ref"));
	json_object_set(ip, "evaluated_at", json_object_get(doc, "evaluated_at"));
	json_object_set(ip, "organisation", json_object_get(doc, "organisation"));
	json_object_set_new(inv, "properties", ip);
	json_object_set_new(run, "invocations", json_pack("[o]", inv));
	json_t *base = json_object(), *src = json_object();
	json_object_set_new(src, "description", text("the root of the ISMS repository"));
	json_object_set_new(base, "SRCROOT", src);
	json_object_set_new(run, "originalUriBaseIds", base);
	json_object_set_new(run, "columnKind", json_string("unicodeCodePoints"));
	json_object_set_new(run, "results", results);
	json_t *log = json_object();
	json_object_set_new(log, "$schema", json_string(SARIF_SCHEMA));
	json_object_set_new(log, "version", json_string("2.1.0"));
	json_object_set_new(log, "runs", json_pack("[o]", run));
	json_dumpf(log, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(log);
}
