/* tap.h - a small TAP producer for C unit tests run by prove. */
#ifndef ISMS_TAP_H
#define ISMS_TAP_H

#include <stdio.h>
#include <stdarg.h>
#include <string.h>

static int tap_n, tap_failed;

#define plan_no_plan() ((void)0)
#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define is_int(got, want, ...)                                              \
	do {                                                                    \
		long long g_ = (long long)(got), w_ = (long long)(want);            \
		if (!ok(g_ == w_, __VA_ARGS__))                                     \
			printf("#   got %lld, want %lld\n", g_, w_);                    \
	} while (0)
#define is_str(got, want, ...)                                              \
	do {                                                                    \
		const char *g_ = (got), *w_ = (want);                               \
		int eq_ = (g_ == NULL && w_ == NULL) ||                             \
		          (g_ && w_ && strcmp(g_, w_) == 0);                        \
		if (!ok(eq_, __VA_ARGS__))                                          \
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",         \
			       w_ ? w_ : "(null)");                                     \
	} while (0)
#define like(got, sub, ...)                                                 \
	do {                                                                    \
		const char *g_ = (got), *s_ = (sub);                                \
		if (!ok(g_ && strstr(g_, s_), __VA_ARGS__))                         \
			printf("#   '%s' does not contain '%s'\n",                      \
			       g_ ? g_ : "(null)", s_);                                 \
	} while (0)

static int __attribute__((format(printf, 4, 5)))
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
