/* fingerprint.c - tests for finding identity: the record a line is in
 * (collections by type and id, documents and singletons by path, keyed
 * list items such as SoA entries), the kind of a message without its
 * numbers, and fingerprints that ignore lines but not records. */
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "plainsnap.h"
#include "tap.h"
#include "cdefs.h"

static const char manifest[] = "organisation: T\ntime_zone: UTC\n";
static const char risks[] = "risks:\n"           /* 1 */
                            "  - id: R-01\n"     /* 2 */
                            "    title: One\n"   /* 3 */
                            "    owner: p-a\n"   /* 4 */
                            "  - id: R-02\n"     /* 5 */
                            "    title: Two\n"   /* 6 */
                            "  - title: no id\n" /* 7 */
                            "    owner: p-b\n";  /* 8 */
static const char soa[] = "version: \"1\"\n"     /* 1 */
                          "controls:\n"          /* 2 */
                          "  - control: \"5.1\"\n" /* 3 */
                          "    applicable: true\n" /* 4 */
                          "  - control: \"7.4\"\n" /* 5 */
                          "    applicable: false\n"; /* 6 */
static const char policy[] = "---\nid: isp\nkind: policy\ntitle: P\n---\nText.\n";

static void
records(void)
{
	const char *paths[] = { "isms.yaml", "risk/register.yaml", "soa.yaml",
		                "policies/isp.md" };
	const char *data[] = { manifest, risks, soa, policy };
	struct snapshot *s = plainsnap_memory(paths, data, NELEM(paths), 0, "t");
	struct model *m = NULL;
	ok(model_build(s, &m) == 0, "the model builds");
	if (m == NULL)
		return;
	struct {
		const char *path;
		int line;
		const char *want;
	} cases[] = {
		{ "risk/register.yaml", 2, "risk:R-01" },
		{ "risk/register.yaml", 4, "risk:R-01" },
		{ "risk/register.yaml", 6, "risk:R-02" },
		{ "risk/register.yaml", 8, "risk/register.yaml" },
		{ "risk/register.yaml", 1, "risk/register.yaml" },
		{ "risk/register.yaml", 0, "risk/register.yaml" },
		{ "soa.yaml", 1, "soa.yaml" },
		{ "soa.yaml", 6, "soa.yaml/controls[control=7.4]" },
		{ "soa.yaml", 3, "soa.yaml/controls[control=5.1]" },
		{ "policies/isp.md", 3, "policies/isp.md" },
		{ "not/a/record.txt", 3, "not/a/record.txt" },
	};
	for (size_t i = 0; i < NELEM(cases); i++) {
		char *got = fingerprint_record(m, cases[i].path, cases[i].line);
		is_str(got, cases[i].want, "case %zu: %s:%d", i, cases[i].path, cases[i].line);
		free(got);
	}
	char *none = fingerprint_record(m, NULL, 0);
	is_str(none, "", "a finding about the repository names no record");
	free(none);
	model_free(m);
	snapshot_free(s);
}

static void
kinds(void)
{
	char *a = fingerprint_kind(NULL, "R-01 was due on 2026-11-01 (35 days overdue)");
	char *b = fingerprint_kind(NULL, "  R-01 was due on 2026-11-01\n (36 days  overdue)");
	is_str(a, "R-# was due on #-#-# (# days overdue)", "numbers become #");
	is_str(a, b, "a count that moves on and blanks do not change the kind");
	char *k = fingerprint_kind("overdue", "anything 12");
	is_str(k, "overdue", "a key given by the rule is the kind");
	char *e = fingerprint_kind("", NULL);
	is_str(e, "", "no key and no message: an empty kind");
	free(a);
	free(b);
	free(k);
	free(e);
}

static void
hashes(void)
{
	char a[FINGERPRINT_HEX + 1], b[FINGERPRINT_HEX + 1], c[FINGERPRINT_HEX + 1];
	fingerprint_make("r1", "risk:R-01", "k", a);
	fingerprint_make("r1", "risk:R-01", "k", b);
	is_int(strlen(a), FINGERPRINT_HEX, "32 hex digits");
	is_str(a, b, "the same finding, the same fingerprint");
	fingerprint_make("r1", "risk:R-02", "k", c);
	ok(strcmp(a, c) != 0, "another record, another fingerprint");
	fingerprint_make("r2", "risk:R-01", "k", c);
	ok(strcmp(a, c) != 0, "another rule, another fingerprint");
	fingerprint_make("r1", "risk:R-01k", "", c);
	ok(strcmp(a, c) != 0, "the parts cannot run into each other");
}

int
main(void)
{
	records();
	kinds();
	hashes();
	return done_testing();
}
