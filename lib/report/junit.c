/* junit.c - a check as JUnit XML. */
#include "junit.h"

#include <string.h>

#include "buf.h"

static const char *
str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* s as XML character data or attribute value: markup escaped, and the
 * control characters XML 1.0 forbids left out, so repository content
 * cannot change the document's structure. */
static void
xml(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		case '\n': fputs("&#10;", out); break;
		case '\t': fputc(' ', out); break;
		default:
			if (c >= 0x20 && c != 0x7f)
				fputc(c, out);
		}
	}
}

/* The findings of verdict v as lines: [new] file:line: message. */
static void
findings_text(struct buf *b, json_t *v)
{
	json_t *f;
	size_t i;
	json_array_foreach (json_object_get(v, "findings"), i, f) {
		const char *file = str(f, "file"), *state = str(f, "baseline_state");
		json_int_t line = json_integer_value(json_object_get(f, "line"));
		if (state)
			buf_printf(b, "[%s] ", strcmp(state, "new") == 0 ? "new" : "existing");
		if (file && line)
			buf_printf(b, "%s:%lld: ", file, (long long)line);
		else if (file)
			buf_printf(b, "%s: ", file);
		buf_printf(b, "%s", str(f, "message") ? str(f, "message") : "");
		if (str(f, "severity"))
			buf_printf(b, " [%s]", str(f, "severity"));
		buf_addc(b, '\n');
	}
	if (str(v, "remediation"))
		buf_printf(b, "What to do: %s\n", str(v, "remediation"));
}

static int
is(json_t *v, const char *status)
{
	return str(v, "status") && strcmp(str(v, "status"), status) == 0;
}

void
junit_write(FILE *out, json_t *doc)
{
	json_t *verdicts = json_object_get(doc, "results"), *v;
	size_t i, nfail = 0, nerr = 0, nskip = 0;
	json_array_foreach (verdicts, i, v) {
		nfail += is(v, "fail");
		nerr += is(v, "error");
		nskip += is(v, "not_applicable") || is(v, "waived");
	}
	const char *org = str(doc, "organisation");
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(out,
	        "<testsuites name=\"ISMS conformance\" tests=\"%zu\" failures=\"%zu\" "
	        "errors=\"%zu\" skipped=\"%zu\">\n",
	        json_array_size(verdicts), nfail, nerr, nskip);
	fprintf(out, "  <testsuite name=\"ISO/IEC 27001:2022");
	if (org) {
		fputs(" - ", out);
		xml(out, org);
	}
	fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"",
	        json_array_size(verdicts), nfail, nerr, nskip);
	if (str(doc, "evaluated_at")) {
		fputs(" timestamp=\"", out);
		/* JUnit's timestamp has no zone designator. */
		char ts[20];
		snprintf(ts, sizeof(ts), "%s", str(doc, "evaluated_at"));
		xml(out, ts);
		fputc('"', out);
	}
	fputs(">\n    <properties>\n", out);
	static const char *const props[] = { "repository", "ref", "commit", "evaluated_at",
		                             "time_zone" };
	for (size_t p = 0; p < sizeof(props) / sizeof(props[0]); p++)
		if (str(doc, props[p])) {
			fprintf(out, "      <property name=\"%s\" value=\"", props[p]);
			xml(out, str(doc, props[p]));
			fputs("\"/>\n", out);
		}
	fputs("    </properties>\n", out);
	json_array_foreach (verdicts, i, v) {
		const char *group = str(v, "group");
		fputs("    <testcase classname=\"ISMS.", out);
		xml(out, group && strspn(group, "0123456789") == strlen(group) ? "clause-" : "");
		xml(out, group ? group : "other");
		fputs("\" name=\"", out);
		xml(out, str(v, "id"));
		fputs(": ", out);
		xml(out, str(v, "title"));
		fputs("\"", out);
		struct buf b = { 0 };
		if (is(v, "fail")) {
			size_t n = json_array_size(json_object_get(v, "findings"));
			findings_text(&b, v);
			fprintf(out, ">\n      <failure type=\"%s\" message=\"",
			        str(v, "severity") ? str(v, "severity") : "major");
			fprintf(out, "%zu finding%s: ", n, n == 1 ? "" : "s");
			xml(out, str(json_array_get(json_object_get(v, "findings"), 0), "message"));
			fputs("\">", out);
			xml(out, b.data);
			fputs("</failure>\n    </testcase>\n", out);
		} else if (is(v, "error")) {
			fputs(">\n      <error type=\"rule-error\" message=\"", out);
			xml(out,
			    str(v, "note") ? str(v, "note") : "the rule could not be evaluated");
			fputs("\"/>\n    </testcase>\n", out);
		} else if (is(v, "not_applicable") || is(v, "waived")) {
			fputs(">\n      <skipped message=\"", out);
			xml(out, str(v, "note") ? str(v, "note") : str(v, "status"));
			fputs("\"/>\n    </testcase>\n", out);
		} else if (is(v, "warn")) {
			findings_text(&b, v);
			fputs(">\n      <system-out>Observations:&#10;", out);
			xml(out, b.data);
			fputs("</system-out>\n    </testcase>\n", out);
		} else {
			fputs("/>\n", out);
		}
		buf_free(&b);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
}
