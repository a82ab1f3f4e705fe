/* record_ids.c - the ids of ISO/IEC 27001:2022: clause numbers, Annex A
 * controls and audit areas, as the record fields that hold them take
 * them. */
#include "record_int.h"

#include <stddef.h>

/* ---- ids of clauses and controls ---- */

/* Controls per Annex A theme: A.5 to A.8. */
static const int theme_size[4] = { 37, 8, 14, 34 };

/* Subclauses of clauses 4 to 10, and third-level ones of each. */
static const struct {
	int nsub;
	int nsub3[5];
} clause_tree[7] = {
	{ 4, { 0 } },             /* 4.1-4.4 */
	{ 3, { 0 } },             /* 5.1-5.3 */
	{ 3, { 3, 0, 0 } },       /* 6.1.1-6.1.3, 6.2, 6.3 */
	{ 5, { 0, 0, 0, 0, 3 } }, /* 7.1-7.4, 7.5.1-7.5.3 */
	{ 3, { 0 } },             /* 8.1-8.3 */
	{ 3, { 0, 2, 3 } },       /* 9.1, 9.2.1-9.2.2, 9.3.1-9.3.3 */
	{ 2, { 0 } },             /* 10.1-10.2 */
};

/* Split s into one to three dot-separated numbers written without leading
 * zeros; returns how many, or 0 when s is not of that form. */
static int
dotted(const char *s, size_t len, int num[3])
{
	int n = 0;
	size_t i = 0;

	while (n < 3) {
		size_t start = i;
		int v = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (s[i++] - '0');
		if (i == start || (s[start] == '0'))
			return 0;
		num[n++] = v;
		if (i == len)
			return n;
		if (s[i++] != '.')
			return 0;
	}
	return 0;
}

/* Whether s is an Annex A control id such as 5.15. */
int
record_control_ok(const char *s, size_t len)
{
	int num[3];

	if (dotted(s, len, num) != 2 || num[0] < 5 || num[0] > 8)
		return 0;
	return num[1] <= theme_size[num[0] - 5];
}

/* Whether s is a clause number of ISO/IEC 27001 such as 9.2.2. */
int
record_clause_ok(const char *s, size_t len)
{
	int num[3], n = dotted(s, len, num);

	if (n == 0 || num[0] < 4 || num[0] > 10)
		return 0;
	if (n == 1)
		return 1;
	if (num[1] > clause_tree[num[0] - 4].nsub)
		return 0;
	return n == 2 || num[2] <= clause_tree[num[0] - 4].nsub3[num[1] - 1];
}

/* Whether s is an audit area: a clause, a control as A.5.15, or a theme
 * as A.5. */
int
record_area_ok(const char *s, size_t len)
{
	int num[3];

	if (record_clause_ok(s, len))
		return 1;
	if (len < 3 || s[0] != 'A' || s[1] != '.')
		return 0;
	if (record_control_ok(s + 2, len - 2))
		return 1;
	return dotted(s + 2, len - 2, num) == 1 && num[0] >= 5 && num[0] <= 8;
}
