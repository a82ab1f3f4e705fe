/* suggest.c - "did you mean": the closest candidate by edit distance, for
 * misspelt record types, field names and enum values, configuration keys,
 * commands, flags and socket parameters. */
#include "suggest.h"

#include <stdio.h>
#include <string.h>

/* Lower-case a character, and read '-' as '_', for fuzzy matching. */
static int
fold(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 'a';
	return ch == '-' ? '_' : ch;
}

#define EDIT_MAX 64

/* Edit distance (insert, delete, substitute, swap neighbours) between a
 * and b, both at most EDIT_MAX bytes. */
static int
edits(const char *a, size_t la, const char *b, size_t lb)
{
	int d[EDIT_MAX + 1][EDIT_MAX + 1];

	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			int cost = fold(a[i - 1]) != fold(b[j - 1]);
			int v = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

/* Whether a distance is small enough for strings this long. */
static int
close_enough(int dist, size_t la, size_t lb)
{
	size_t longer = la > lb ? la : lb;

	return dist <= 2 && (size_t)dist * 3 <= longer;
}

/* Weigh cand as a suggestion: the whole name, or else one of its leading
 * words ("approved" of approved_by), which ranks after whole names. */
void
suggest_consider(struct suggest *s, const char *cand)
{
	size_t lc = strlen(cand);

	if (s->wlen > EDIT_MAX || lc > EDIT_MAX)
		return;
	int d = edits(s->word, s->wlen, cand, lc);
	if (close_enough(d, s->wlen, lc) && (s->best == NULL || d < s->score)) {
		s->best = cand;
		s->score = d;
	}
	for (size_t i = 3; i < lc; i++) {
		if (cand[i] != '_')
			continue;
		d = edits(s->word, s->wlen, cand, i);
		if (close_enough(d, s->wlen, i) && (s->best == NULL || d + 3 < s->score)) {
			s->best = cand;
			s->score = d + 3;
		}
	}
}

/* " (did you mean 'x'?)" when s found a candidate, else "". */
const char *
suggest_hint(const struct suggest *s, char *out, size_t size)
{
	if (s->best == NULL)
		return "";
	snprintf(out, size, " (did you mean '%s'?)", s->best);
	return out;
}

const char *
suggest_among(const char *word, const char *const *cands, size_t n, char *out, size_t size)
{
	struct suggest s = { .word = word, .wlen = strlen(word) };
	for (size_t i = 0; i < n && cands[i]; i++)
		suggest_consider(&s, cands[i]);
	return suggest_hint(&s, out, size);
}
