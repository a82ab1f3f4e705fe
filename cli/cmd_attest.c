/* cmd_attest.c - signed attestations: `keygen`, `attest` and `verify`.
 *
 * An attestation is exactly what `ismsctl check --format json` prints
 * (attest runs that command and keeps its output byte for byte) plus a
 * detached minisign signature beside it (FILE.minisig), so that anyone can
 * check it with `minisign -V -p KEY.pub -m FILE`, without ismsd. The
 * trusted comment names the repository, commit, evaluation time, verdict
 * and a digest of the rule packs. `verify` checks the signature and then
 * evaluates the named commit again, as of the same time, and compares the
 * verdicts. Single threaded. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "engine.h"
#include "err.h"
#include "sign.h"
#include "sys.h"

#include "ismsctl_int.h"

#define MAX_REPORT (256u << 20)

static const char keygen_help[] =
        "usage: ismsctl keygen --key FILE [--pub FILE]\n"
        "\n"
        "Make an Ed25519 key pair for `ismsctl attest` and the daemon's sign_key:\n"
        "FILE, an unencrypted minisign secret key (mode 0600), and FILE.pub (or\n"
        "--pub), the public key to give to whoever checks the attestations.\n"
        "`minisign -G -W -s FILE -p FILE.pub` makes an equivalent pair.\n";

static const char attest_help[] =
        "usage: ismsctl attest --key FILE [--out FILE] [--repo PATH] [--ref REF]\n"
        "                      [--now DATE] [--rules DIR] [--pack DIR]...\n"
        "\n"
        "Evaluate the repository as `ismsctl check --format json` does, write the\n"
        "result set to --out (default isms-attestation.json) and its detached\n"
        "signature to OUT.minisig. Anyone checks it with\n"
        "  minisign -V -p KEY.pub -m OUT\n"
        "and re-evaluates it with `ismsctl verify OUT --pub KEY.pub`.\n"
        "\n"
        "Exit status: 0 conformant, 1 nonconformities, 2 usage, repository or key error.\n";

static const char verify_help[] =
        "usage: ismsctl verify FILE --pub KEY.pub [--repo PATH] [--rules DIR]\n"
        "                      [--pack DIR]... [--signature-only]\n"
        "\n"
        "Check FILE's signature (FILE.minisig), then evaluate the commit it names\n"
        "again as of its evaluation time (in --repo, default the repository it\n"
        "names) and compare the verdicts with the signed ones.\n"
        "\n"
        "Exit status: 0 signature good and verdicts confirmed, 1 a bad signature\n"
        "or different verdicts, 2 usage or repository error.\n";

/* Run this program with args (NULL-terminated) and keep its standard
 * output in *out (the caller's). Returns the exit status, or -1. */
static int
run_self(char *const *args, char **out, size_t *len)
{
	int fd[2];
	struct buf b = { 0 };
	if (pipe(fd) < 0)
		return err_set("pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid < 0) {
		close(fd[0]), close(fd[1]);
		return err_set("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]), close(fd[1]);
		execv("/proc/self/exe", args);
		fprintf(stderr, "ismsctl: cannot run itself: %s\n", strerror(errno));
		_exit(EXIT_USAGE);
	}
	close(fd[1]);
	char chunk[65536];
	ssize_t n;
	while ((n = read(fd[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || b.len + (size_t)n > MAX_REPORT)
			break;
		buf_add(&b, chunk, (size_t)n);
	}
	close(fd[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*len = b.len;
	*out = b.len ? buf_steal(&b) : xstrdup("");
	buf_free(&b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : err_set("ismsctl check died");
}

static int
name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Hash every file under dir (sorted, by path relative to top) into st. */
static void
hash_dir(crypto_hash_sha256_state *st, const char *top, const char *rel)
{
	char *dir = *rel ? xasprintf("%s/%s", top, rel) : xstrdup(top);
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, name_cmp);
	for (int i = 0; i < n; i++) {
		const char *nm = ents[i]->d_name;
		if (nm[0] == '.')
			continue;
		char *r = *rel ? xasprintf("%s/%s", rel, nm) : xstrdup(nm);
		char *full = xasprintf("%s/%s", top, r);
		struct stat sb;
		char *data = NULL;
		size_t len = 0;
		if (stat(full, &sb) == 0 && S_ISDIR(sb.st_mode))
			hash_dir(st, top, r);
		else if (S_ISREG(sb.st_mode) && read_file(full, 64u << 20, &data, &len) == 0) {
			char head[64];
			int hl = snprintf(head, sizeof(head), "%zu:", len);
			crypto_hash_sha256_update(st, (const unsigned char *)r, strlen(r) + 1);
			crypto_hash_sha256_update(st, (const unsigned char *)head, (size_t)hl);
			crypto_hash_sha256_update(st, (const unsigned char *)data, len);
		}
		free(data), free(full), free(r);
	}
	for (int i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	free(dir);
}

/* A digest of the rule packs that judged: SHA-256 over every file of the
 * rules directory and the --pack directories, by relative path. The
 * caller's (64 hex digits). */
static char *
packs_digest(const char *rules, char **packs, size_t npacks)
{
	crypto_hash_sha256_state st;
	unsigned char h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	hash_dir(&st, rules, "");
	for (size_t i = 0; i < npacks; i++) {
		crypto_hash_sha256_update(&st, (const unsigned char *)"\0pack\0", 6);
		hash_dir(&st, packs[i], "");
	}
	crypto_hash_sha256_final(&st, h);
	char *hex = xmalloc(2 * sizeof(h) + 1);
	sodium_bin2hex(hex, 2 * sizeof(h) + 1, h, sizeof(h));
	return hex;
}

/* v[key] at the top or in an object one level down (the versioned shape
 * may nest it); borrowed. */
static json_t *
find(json_t *v, const char *key)
{
	json_t *x = json_object_get(v, key), *sub;
	const char *k;
	if (x)
		return x;
	json_object_foreach (v, k, sub) {
		if (json_is_object(sub) && (x = json_object_get(sub, key)) != NULL)
			return x;
	}
	return NULL;
}

int
cmd_keygen(int argc, char **argv)
{
	const char *key = NULL, *pub = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--key") == 0 && i + 1 < argc)
			key = argv[++i];
		else if (strcmp(argv[i], "--pub") == 0 && i + 1 < argc)
			pub = argv[++i];
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(keygen_help, stdout);
			return 0;
		} else {
			fputs(keygen_help, stderr);
			return EXIT_USAGE;
		}
	}
	if (key == NULL) {
		fputs(keygen_help, stderr);
		return EXIT_USAGE;
	}
	char *p = pub ? xstrdup(pub) : xasprintf("%s.pub", key);
	struct sign_key k;
	char hex[17];
	int rc = sign_keygen(key, p) == 0 && sign_key_load(key, &k) == 0 ? 0 : EXIT_USAGE;
	if (rc == 0) {
		sign_id_hex(k.id, hex);
		sodium_memzero(&k, sizeof(k));
		printf("secret key %s (keep it private), public key %s, key id %s\n", key, p, hex);
	} else
		fprintf(stderr, "ismsctl keygen: %s\n", err_msg());
	free(p);
	return rc;
}

struct aopts {
	const char *key, *out, *repo, *ref, *now, *rules, *pub;
	char *packs[MAX_PACK_DIRS];
	size_t npacks;
	int sig_only;
};

static int
parse_aopts(int argc, char **argv, struct aopts *o, const char *help, int verify)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "out", required_argument, NULL, 'o' },
		{ "repo", required_argument, NULL, 'r' },
		{ "ref", required_argument, NULL, 'f' },
		{ "now", required_argument, NULL, 'n' },
		{ "rules", required_argument, NULL, 'R' },
		{ "pack", required_argument, NULL, 'P' },
		{ "pub", required_argument, NULL, 'p' },
		{ "signature-only", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "k:o:r:f:n:R:P:p:sh", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o->key = optarg; break;
		case 'o': o->out = optarg; break;
		case 'r': o->repo = optarg; break;
		case 'f': o->ref = optarg; break;
		case 'n': o->now = optarg; break;
		case 'R': o->rules = optarg; break;
		case 'p': o->pub = optarg; break;
		case 's': o->sig_only = 1; break;
		case 'P':
			if (o->npacks == MAX_PACK_DIRS) {
				fprintf(stderr, "at most %d --pack directories\n", MAX_PACK_DIRS);
				return -1;
			}
			o->packs[o->npacks++] = optarg;
			break;
		case 'h': fputs(help, stdout); exit(0);
		default: fputs(help, stderr); return -1;
		}
	}
	if (verify ? (o->pub == NULL || optind != argc - 1) : (o->key == NULL || optind != argc)) {
		fputs(help, stderr);
		return -1;
	}
	return 0;
}

/* The check command line for o (ref and now override o's); NULL-terminated,
 * the caller's (the strings are borrowed). */
static char **
check_args(const struct aopts *o, const char *repo, const char *ref, const char *now)
{
	char **a = xcalloc(16 + 2 * o->npacks, sizeof(*a));
	size_t n = 0;
	a[n++] = "ismsctl", a[n++] = "check", a[n++] = "--format", a[n++] = "json";
	a[n++] = "--repo", a[n++] = (char *)(repo ? repo : ".");
	if (ref)
		a[n++] = "--ref", a[n++] = (char *)ref;
	if (now)
		a[n++] = "--now", a[n++] = (char *)now;
	if (o->rules)
		a[n++] = "--rules", a[n++] = (char *)o->rules;
	for (size_t i = 0; i < o->npacks; i++)
		a[n++] = "--pack", a[n++] = o->packs[i];
	return a;
}

static int
write_file(const char *path, const char *data, size_t len)
{
	char *tmp = xasprintf("%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	int rc = -1;
	if (f == NULL) {
		err_set("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		err_set("%s: %s", tmp, strerror(errno));
		fclose(f);
		goto out;
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		err_set("%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}

int
cmd_attest(int argc, char **argv)
{
	struct aopts o = { .out = "isms-attestation.json" };
	if (parse_aopts(argc, argv, &o, attest_help, 0) < 0)
		return EXIT_USAGE;
	struct sign_key k;
	if (sign_key_load(o.key, &k) < 0) {
		fprintf(stderr, "ismsctl attest: %s\n", err_msg());
		return EXIT_USAGE;
	}
	char **args = check_args(&o, o.repo, o.ref, o.now);
	char *report = NULL, *sig = NULL, *digest = NULL, *trusted = NULL, *sigpath = NULL;
	size_t len = 0;
	int rc = EXIT_USAGE;
	int st = run_self(args, &report, &len);
	json_t *j = NULL;
	if (st != 0 && st != EXIT_NONCONFORMANT) {
		fprintf(stderr, "ismsctl attest: the check failed (exit %d); nothing signed\n", st);
		goto out;
	}
	j = json_loadb(report, len, 0, NULL);
	json_t *commit = find(j, "commit"), *at = find(j, "evaluated_at"),
	       *conf = find(j, "conformant");
	if (!json_is_string(commit) || !json_is_string(at)) {
		fprintf(stderr,
		        "ismsctl attest: the check printed no commit and evaluation time\n");
		goto out;
	}
	digest = packs_digest(o.rules ? o.rules : engine_default_rules_dir(), o.packs, o.npacks);
	const char *base = strrchr(o.out, '/') ? strrchr(o.out, '/') + 1 : o.out;
	trusted = xasprintf("ismsd attestation commit=%s evaluated_at=%s conformant=%s "
	                    "rules_sha256=%s file=%s",
	                    json_string_value(commit), json_string_value(at),
	                    json_is_true(conf) ? "true" : "false", digest, base);
	if (strpbrk(trusted, "\r\n")) {
		fprintf(stderr, "ismsctl attest: a line break in the file name\n");
		goto out;
	}
	sig = sign_detached(&k, report, len, trusted);
	sigpath = xasprintf("%s.minisig", o.out);
	if (sig == NULL || write_file(o.out, report, len) < 0 ||
	    write_file(sigpath, sig, strlen(sig)) < 0) {
		fprintf(stderr, "ismsctl attest: %s\n", err_msg());
		goto out;
	}
	printf("%s: commit %s, %s; signature %s\n", o.out, json_string_value(commit),
	       json_is_true(conf) ? "conformant" : "NOT conformant", sigpath);
	rc = st;
out:
	sodium_memzero(&k, sizeof(k));
	json_decref(j);
	free(args), free(report), free(sig), free(digest), free(trusted), free(sigpath);
	return rc;
}

/* Compare the signed verdicts with the fresh ones; print what differs.
 * Returns the number of rules that differ. */
static size_t
compare(json_t *signed_, json_t *fresh)
{
	json_t *a = find(signed_, "results"), *b = find(fresh, "results"), *x, *y;
	size_t i, diff = 0;
	if (!json_is_array(a) || !json_is_array(b)) {
		printf("verdicts: the file has no results list\n");
		return 1;
	}
	json_array_foreach (a, i, x) {
		const char *id = json_string_value(json_object_get(x, "id"));
		size_t k;
		json_t *match = NULL;
		json_array_foreach (b, k, y) {
			if (id && json_equal(json_object_get(y, "id"), json_object_get(x, "id"))) {
				match = y;
				break;
			}
		}
		if (match == NULL) {
			printf("  %s: signed as %s, no such rule now\n", id ? id : "?",
			       json_string_value(json_object_get(x, "status")));
			diff++;
		} else if (!json_equal(json_object_get(x, "status"),
		                       json_object_get(match, "status")) ||
		           !json_equal(json_object_get(x, "findings"),
		                       json_object_get(match, "findings"))) {
			printf("  %s: signed as %s, evaluates to %s\n", id,
			       json_string_value(json_object_get(x, "status")),
			       json_string_value(json_object_get(match, "status")));
			diff++;
		}
	}
	if (json_array_size(a) != json_array_size(b)) {
		printf("  %zu rules signed, %zu evaluated now\n", json_array_size(a),
		       json_array_size(b));
		diff += diff == 0;
	}
	return diff;
}

int
cmd_verify(int argc, char **argv)
{
	struct aopts o = { 0 };
	if (parse_aopts(argc, argv, &o, verify_help, 1) < 0)
		return EXIT_USAGE;
	const char *file = argv[optind];
	char *data = NULL, *sigtext = NULL, *trusted = NULL, *fresh = NULL;
	char *sigpath = xasprintf("%s.minisig", file);
	size_t len = 0, slen = 0, flen = 0;
	char **args = NULL;
	json_t *j = NULL, *f = NULL;
	int rc = EXIT_USAGE;
	struct sign_pub p;
	if (sign_pub_load(o.pub, &p) < 0 || read_file(file, MAX_REPORT, &data, &len) < 0 ||
	    read_file(sigpath, 65536, &sigtext, &slen) < 0) {
		fprintf(stderr, "ismsctl verify: %s\n", err_msg());
		goto out;
	}
	if (sign_verify(&p, data, len, sigtext, &trusted) < 0) {
		printf("signature: BAD: %s\n", err_msg());
		rc = EXIT_NONCONFORMANT;
		goto out;
	}
	printf("signature: good\ntrusted comment: %s\n", trusted);
	if (o.sig_only) {
		rc = 0;
		goto out;
	}
	j = json_loadb(data, len, 0, NULL);
	json_t *commit = find(j, "commit"), *at = find(j, "evaluated_at");
	json_t *repo = find(j, "repository");
	if (!json_is_string(commit) || !json_is_string(at)) {
		printf("verdicts: the file names no commit or evaluation time\n");
		rc = EXIT_NONCONFORMANT;
		goto out;
	}
	args = check_args(&o, o.repo ? o.repo : json_string_value(repo), json_string_value(commit),
	                  json_string_value(at));
	int st = run_self(args, &fresh, &flen);
	if (st != 0 && st != EXIT_NONCONFORMANT) {
		fprintf(stderr, "ismsctl verify: cannot evaluate commit %s again (exit %d)\n",
		        json_string_value(commit), st);
		goto out;
	}
	f = json_loadb(fresh, flen, 0, NULL);
	size_t diff = compare(j, f);
	if (diff == 0) {
		printf("verdicts: confirmed: %zu rules evaluated again at commit %s as of %s "
		       "agree%s\n",
		       json_array_size(find(j, "results")), json_string_value(commit),
		       json_string_value(at),
		       fresh && flen == len && memcmp(fresh, data, len) == 0 ? " (byte-identical)"
		                                                             : "");
		rc = 0;
	} else {
		printf("verdicts: %zu rule%s differ from the signed ones\n", diff,
		       diff == 1 ? "" : "s");
		rc = EXIT_NONCONFORMANT;
	}
out:
	json_decref(j), json_decref(f);
	free(data), free(sigtext), free(trusted), free(fresh), free(sigpath), free(args);
	return rc;
}
