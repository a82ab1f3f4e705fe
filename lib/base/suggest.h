/* suggest.h - "did you mean" for a misspelt word: the closest candidate
 * by edit distance (insertions, deletions, substitutions and swapped
 * neighbours; case and '-' against '_' ignored), close enough for its
 * length. The one helper for every such hint. Any thread. */
#ifndef ISMS_SUGGEST_H
#define ISMS_SUGGEST_H

#include <stddef.h>

/* The closest candidate seen so far for a misspelt word (word and best
 * are borrowed). Start with { .word = w, .wlen = strlen(w) }. */
struct suggest {
	const char *word;
	size_t wlen;
	const char *best;
	int score;
};
/* Weigh cand as a suggestion: the whole name, or else one of its leading
 * words ("approved" of approved_by), which ranks after whole names. */
void suggest_consider(struct suggest *s, const char *cand);
/* " (did you mean 'x'?)" in out when s found a candidate, else "". */
const char *suggest_hint(const struct suggest *s, char *out, size_t size);
/* The hint for word among the n candidates cands (n may be larger than
 * the list when it ends with NULL): " (did you mean 'x'?)" in out, or "". */
const char *suggest_among(const char *word, const char *const *cands, size_t n, char *out,
                          size_t size);

#endif
