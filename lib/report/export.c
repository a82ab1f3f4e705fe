/* export.c - what the exports share: envelope, people, ages, escaping. */
#include "export.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "calendar.h"
#include "date.h"
#include "err.h"

int
export_format_parse(const char *s, unsigned allowed, enum export_format *out)
{
	static const struct {
		const char *name;
		enum export_format f;
	} names[] = {
		{ "markdown", EXPORT_MARKDOWN }, { "md", EXPORT_MARKDOWN }, { "csv", EXPORT_CSV },
		{ "html", EXPORT_HTML },         { "json", EXPORT_JSON },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0 && (allowed & (1u << names[i].f))) {
			*out = names[i].f;
			return 0;
		}
	return err_set("unknown format '%s' (use %s%s%s%s)", s,
	               allowed & (1u << EXPORT_MARKDOWN) ? "markdown " : "",
	               allowed & (1u << EXPORT_CSV) ? "csv " : "",
	               allowed & (1u << EXPORT_HTML) ? "html " : "",
	               allowed & (1u << EXPORT_JSON) ? "json" : "");
}

json_t *
export_envelope(const char *kind, const char *commit, const char *rules_digest,
                int64_t evaluated_at, const char *tz)
{
	char t[21], fmt[64];
	date_format_utc(evaluated_at, t);
	snprintf(fmt, sizeof(fmt), "ismsd.%s", kind);
	return json_pack("{s:s, s:i, s:{s:s, s:s}, s:s?, s:s?, s:s, s:s?}", "format", fmt,
	                 "format_version", EXPORT_FORMAT_VERSION, "tool", "name", "ismsd",
	                 "version", ISMS_VERSION, "commit", commit && *commit ? commit : NULL,
	                 "rules_digest", rules_digest && *rules_digest ? rules_digest : NULL,
	                 "evaluated_at", t, "time_zone", tz);
}

json_t *
export_envelope_ev(const char *kind, const struct evaluation *ev)
{
	return export_envelope(kind, ev->commit, ev->digest, ev->now, ev->tz);
}

static void
add_person(const struct node *rec, const struct model_doc *md, void *arg)
{
	(void)md;
	const char *id = calendar_str(rec, "id"), *name = calendar_str(rec, "name");
	if (id && name)
		json_object_set_new(arg, id, json_string(name));
}

json_t *
export_people(const struct model *m)
{
	json_t *o = json_object();
	if (m)
		calendar_each(m, "person", add_person, o);
	return o;
}

const char *
export_person_name(json_t *people, const char *id)
{
	const char *n = json_string_value(json_object_get(people, id ? id : ""));
	return n ? n : id;
}

json_t *
export_person(json_t *people, const char *id)
{
	if (id == NULL)
		return json_null();
	const char *n = json_string_value(json_object_get(people, id));
	return json_pack("{s:s, s:s?}", "id", id, "name", n);
}

int
export_max_age_months(const struct model *m)
{
	int64_t v = calendar_param_int(m, NULL, "evidence_max_age_months", 0);
	if (v <= 0)
		v = calendar_param_int(m, NULL, "review_months", 12);
	return v > 0 && v < 1200 ? (int)v : 12;
}

int
export_current(struct ymd day, struct ymd today, int months)
{
	return date_days(date_add_months(day, months)) >= date_days(today);
}

struct ymd
export_today(const struct model *m, int64_t now)
{
	struct ymd d;
	if (date_local_ymd(now, m && m->tz ? m->tz : "UTC", &d) < 0)
		d = date_from_days(now / 86400);
	return d;
}

const char *
export_str(const struct node *rec, const char *key)
{
	return calendar_str(rec, key);
}

void
export_html(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

void
export_csv(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	int formula = strchr("=+-@", *s) != NULL && *s != '\0';
	if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

void
export_md(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '|': fputs("\\|", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n':
		case '\r': fputc(' ', out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		default: fputc(*s, out);
		}
	}
}

void
export_html_head(FILE *out, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>",
	      out);
	export_html(out, title);
	fputs("</title>\n<style>\n"
	      "body{font:10pt/1.35 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
	      "color:#111;margin:1.5em}\n"
	      "h1{font-size:16pt;margin:0 0 .3em}h2{font-size:13pt;margin:1.4em 0 .4em;"
	      "border-bottom:1px solid #999}\n"
	      "table{border-collapse:collapse;width:100%;margin:.4em 0}\n"
	      "th,td{border:1px solid #bbb;padding:3px 5px;vertical-align:top;text-align:left}\n"
	      "th{background:#eee}thead{display:table-header-group}\n"
	      "td.n{white-space:nowrap}.meta td,.meta th{border:none;padding:1px 8px 1px 0}\n"
	      ".pass,.implemented{color:#185c18}.fail,.major{color:#a00;font-weight:bold}\n"
	      ".warn,.minor,.partial,.planned{color:#8a5a00}.stale{color:#a00}\n"
	      ".excluded{color:#666}small{color:#555}ul{margin:0;padding-left:1.1em}\n"
	      "@media print{@page{size:A4 landscape;margin:12mm}body{margin:0;font-size:8pt}"
	      "tr{break-inside:avoid;page-break-inside:avoid}h2{break-after:avoid}"
	      "a{color:inherit;text-decoration:none}}\n"
	      "</style>\n</head>\n<body>\n",
	      out);
}
