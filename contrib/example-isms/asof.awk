# asof.awk - print a record file as it stood on day D, for make-repo.sh.
#
# The files under records/ are the repository's final state. An earlier
# state is that text less whatever is dated after D:
#   - a list item whose own "item key" (joined, raised_on, reported_on,
#     date, and the keys in -v items="...") is a date after D;
#   - a list item whose id is in -v drop="..." (added to the register later);
#   - a line "key: DATE" after D for event keys (left, closed_on, ...);
#   - an "effectiveness:" block reviewed after D;
#   - in Markdown (-v md=1), a revision-table row "| 1.2 | DATE | ..." after D.
# Dates compare as text (ISO 8601). Input is read whole, then walked once.

BEGIN {
	split("joined raised_on reported_on date " items, a, " ")
	for (k in a)
		itemkey[a[k]] = 1
	split("left access_removed_on assets_returned_on closed_on triaged_on " \
	    "completed_on implemented_on residual_accepted_on", b, " ")
	for (k in b)
		linekey[b[k]] = 1
	split(drop, c, " ")
	for (k in c)
		dropid[c[k]] = 1
}

{ line[++n] = $0 }

# Count the leading spaces of s.
function indent(s) {
	match(s, /^ */)
	return RLENGTH
}

# Say whether v starts with an ISO 8601 date.
function isdate(v) {
	return v ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]/
}

# Split a "key: value" line (after any "- ") into K and V, unquoted.
function keyval(s,    p) {
	sub(/^ *(- )?/, "", s)
	p = index(s, ":")
	if (p == 0 || s ~ /^#/) {
		K = ""; V = ""
		return 0
	}
	K = substr(s, 1, p - 1)
	V = substr(s, p + 1)
	sub(/^ +/, "", V)
	sub(/ +#.*$/, "", V)
	gsub(/^["']|["']$/, "", V)
	return 1
}

# The last line of the block starting at i whose lines are deeper than col.
function extent(i, col,    j, e) {
	e = i
	for (j = i + 1; j <= n; j++) {
		if (line[j] ~ /^ *$/)
			continue
		if (indent(line[j]) <= col)
			break
		e = j
	}
	return e
}

# Say whether the list item at i..e (dash at column col) is dated after D
# or named in drop.
function item_later(i, e, col,    j) {
	for (j = i; j <= e; j++) {
		if (j > i && indent(line[j]) != col + 2)
			continue
		if (j > i && line[j] ~ /^ *- /)
			continue
		if (!keyval(line[j]))
			continue
		if (K == "id" && (V in dropid))
			return 1
		if ((K in itemkey) && isdate(V) && substr(V, 1, 10) > D)
			return 1
	}
	return 0
}

# Say whether the effectiveness block at i..e was reviewed after D.
function block_later(i, e,    j) {
	for (j = i + 1; j <= e; j++)
		if (keyval(line[j]) && K == "reviewed_on" && isdate(V) &&
		    substr(V, 1, 10) > D)
			return 1
	return 0
}

# Say whether a Markdown revision-table row is dated after D.
function row_later(s,    f) {
	if (s !~ /^\| *v?[0-9][0-9.]* *\| *[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] *\|/)
		return 0
	split(s, f, "|")
	sub(/^ +/, "", f[3])
	return substr(f[3], 1, 10) > D
}

END {
	i = 1
	while (i <= n) {
		s = line[i]
		if (md) {
			if (!row_later(s))
				print s
			i++
			continue
		}
		col = indent(s)
		if (s ~ /^ *- /) {
			e = extent(i, col)
			if (item_later(i, e, col)) {
				i = e + 1
				continue
			}
		} else if (s ~ /^ *effectiveness: *$/) {
			e = extent(i, col)
			if (block_later(i, e)) {
				i = e + 1
				continue
			}
		} else if (keyval(s) && (K in linekey) && isdate(V) &&
		    substr(V, 1, 10) > D) {
			i++
			continue
		}
		print s
		i++
	}
}
