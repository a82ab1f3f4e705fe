/* baseline.c - new, resolved and existing findings between two
 * evaluations. */
#include "baseline.h"

#include <string.h>

#include "alloc.h"
#include "cdefs.h"
#include "err.h"

static const char *const level_names[] = { "major", "minor", "observation" };

int
baseline_level_parse(const char *s, enum baseline_level *out)
{
	for (size_t i = 0; s && i < NELEM(level_names); i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum baseline_level)i;
			return 0;
		}
	return err_set("unknown severity '%s' (use major, minor or observation)", s ? s : "");
}

enum baseline_level
baseline_level_of(const char *severity)
{
	enum baseline_level l = LEVEL_OBSERVATION;
	return baseline_level_parse(severity, &l) == 0 ? l : LEVEL_OBSERVATION;
}

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* Whether a verdict's findings are open: the rule fails or warns (not
 * waived, not passed). */
static int
open_verdict(json_t *v)
{
	const char *st = str(v, "status");
	return st && (strcmp(st, "fail") == 0 || strcmp(st, "warn") == 0);
}

/* The identity a finding is matched by: its fingerprint, or for a
 * verdict made before fingerprints (an old journal line) its rule, file
 * and message. The caller's. */
static char *
identity(json_t *v, json_t *f)
{
	const char *fp = str(f, "fingerprint");
	if (fp)
		return xstrdup(fp);
	const char *file = str(f, "file"), *msg = str(f, "message");
	return xasprintf("%s\n%s\n%s", str(v, "id") ? str(v, "id") : "", file ? file : "",
	                 msg ? msg : "");
}

/* Count the open findings of verdicts by identity into an object. */
static json_t *
tally(json_t *verdicts)
{
	json_t *t = json_object(), *v, *f;
	size_t i, k;
	json_array_foreach (verdicts, i, v) {
		if (!open_verdict(v))
			continue;
		json_array_foreach (json_object_get(v, "findings"), k, f) {
			char *id = identity(v, f);
			json_object_set_new(
			        t, id,
			        json_integer(json_integer_value(json_object_get(t, id)) + 1));
			free(id);
		}
	}
	return t;
}

/* Take one from the count of id in t; 1 when there was one. */
static int
take(json_t *t, const char *id)
{
	json_int_t n = json_integer_value(json_object_get(t, id));
	if (n <= 0)
		return 0;
	json_object_set_new(t, id, json_integer(n - 1));
	return 1;
}

/* A copy of finding f of verdict v with its rule named. */
static json_t *
entry(json_t *v, json_t *f)
{
	json_t *e = json_object();
	json_object_set(e, "rule", json_object_get(v, "id"));
	json_object_set(e, "title", json_object_get(v, "title"));
	json_object_update(e, f);
	json_object_del(e, "baseline_state");
	if (!json_is_string(json_object_get(e, "severity")))
		json_object_set(e, "severity", json_object_get(v, "severity"));
	return e;
}

/* The verdict of rule id in verdicts, or NULL. */
static json_t *
find(json_t *verdicts, const char *id)
{
	json_t *v;
	size_t i;
	json_array_foreach (verdicts, i, v) {
		const char *vid = str(v, "id");
		if (vid && id && strcmp(vid, id) == 0)
			return v;
	}
	return NULL;
}

json_t *
baseline_compare(json_t *base, json_t *head)
{
	json_t *out = json_object(), *added = json_array(), *gone = json_array(),
	       *kept = json_array(), *changed = json_array();
	json_t *before = tally(base), *after = tally(head), *v, *f;
	size_t i, k;
	json_array_foreach (head, i, v) {
		if (!open_verdict(v))
			continue;
		json_array_foreach (json_object_get(v, "findings"), k, f) {
			char *id = identity(v, f);
			int old = take(before, id);
			free(id);
			json_array_append_new(old ? kept : added, entry(v, f));
			json_object_set_new(f, "baseline_state",
			                    json_string(old ? "unchanged" : "new"));
		}
	}
	json_array_foreach (base, i, v) {
		if (!open_verdict(v))
			continue;
		json_array_foreach (json_object_get(v, "findings"), k, f) {
			char *id = identity(v, f);
			if (!take(after, id))
				json_array_append_new(gone, entry(v, f));
			free(id);
		}
	}
	json_array_foreach (head, i, v) {
		json_t *was = find(base, str(v, "id"));
		const char *from = was ? str(was, "status") : NULL, *to = str(v, "status");
		if (from && to && strcmp(from, to) == 0)
			continue;
		json_t *c = json_object();
		json_object_set(c, "id", json_object_get(v, "id"));
		json_object_set(c, "title", json_object_get(v, "title"));
		json_object_set_new(c, "from", from ? json_string(from) : json_null());
		json_object_set_new(c, "to", to ? json_string(to) : json_null());
		json_array_append_new(changed, c);
	}
	json_decref(before);
	json_decref(after);
	/* The tally of head is spent; the base's leftovers are resolved. */
	json_object_set_new(out, "new", added);
	json_object_set_new(out, "resolved", gone);
	json_object_set_new(out, "existing", kept);
	json_object_set_new(out, "changed", changed);
	return out;
}

static int
at_level(json_t *f, enum baseline_level level)
{
	return baseline_level_of(str(f, "severity")) <= level;
}

int
baseline_fails(json_t *cmp, enum baseline_level level)
{
	json_t *f;
	size_t i;
	json_array_foreach (json_object_get(cmp, "new"), i, f)
		if (at_level(f, level))
			return 1;
	json_array_foreach (json_object_get(cmp, "changed"), i, f) {
		const char *to = str(f, "to"), *from = str(f, "from");
		if (to && strcmp(to, "error") == 0 && !(from && strcmp(from, "error") == 0))
			return 1;
	}
	return 0;
}

int
baseline_fails_plain(json_t *results, enum baseline_level level)
{
	json_t *v, *f;
	size_t i, k;
	json_array_foreach (results, i, v) {
		const char *st = str(v, "status");
		if (st && strcmp(st, "error") == 0)
			return 1;
		if (!open_verdict(v))
			continue;
		json_array_foreach (json_object_get(v, "findings"), k, f) {
			json_t *e = entry(v, f);
			int hit = at_level(e, level);
			json_decref(e);
			if (hit)
				return 1;
		}
	}
	return 0;
}

/* One finding as a line: severity, rule, file:line: message. */
static void
text_finding(FILE *out, json_t *f)
{
	char sev[16];
	snprintf(sev, sizeof(sev), "%s", str(f, "severity") ? str(f, "severity") : "?");
	for (char *p = sev; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	const char *file = str(f, "file");
	json_int_t line = json_integer_value(json_object_get(f, "line"));
	fprintf(out, "  %-11s %s\n      ", sev, str(f, "rule") ? str(f, "rule") : "?");
	if (file && line)
		fprintf(out, "%s:%lld: ", file, (long long)line);
	else if (file)
		fprintf(out, "%s: ", file);
	fprintf(out, "%s\n", str(f, "message") ? str(f, "message") : "");
}

void
baseline_write_text(FILE *out, json_t *cmp, const char *base, enum baseline_level level)
{
	json_t *added = json_object_get(cmp, "new"), *gone = json_object_get(cmp, "resolved"),
	       *changed = json_object_get(cmp, "changed"), *f;
	size_t i, nfail = 0;
	json_array_foreach (added, i, f)
		nfail += at_level(f, level);
	fprintf(out, "Compared with %s: %zu new, %zu resolved, %zu existing finding%s\n", base,
	        json_array_size(added), json_array_size(gone),
	        json_array_size(json_object_get(cmp, "existing")),
	        json_array_size(json_object_get(cmp, "existing")) == 1 ? "" : "s");
	if (json_array_size(added)) {
		fprintf(out, "\nNew findings\n");
		json_array_foreach (added, i, f)
			text_finding(out, f);
	}
	if (json_array_size(gone)) {
		fprintf(out, "\nResolved findings\n");
		json_array_foreach (gone, i, f)
			text_finding(out, f);
	}
	if (json_array_size(changed)) {
		fprintf(out, "\nVerdicts that changed\n");
		json_array_foreach (changed, i, f)
			fprintf(out, "  %-34s %s -> %s\n", str(f, "id") ? str(f, "id") : "?",
			        str(f, "from") ? str(f, "from") : "(new rule)",
			        str(f, "to") ? str(f, "to") : "?");
	}
	if (baseline_fails(cmp, level))
		fprintf(out, "\nGate: FAILED - %zu new finding%s at %s or above%s.\n", nfail,
		        nfail == 1 ? "" : "s", level_names[level],
		        nfail ? "" : " (a rule could not be evaluated)");
	else
		fprintf(out, "\nGate: PASSED - no new finding at %s or above.\n",
		        level_names[level]);
}
