# asof.awk - print a record file as it stood on day D, for make-repo.sh.
#
# The files under records/ are the repository's final state. An earlier
# state is that text less whatever is dated after D:
#   - a list item whose own "item key" (joined, raised_on, reported_on,
#     date, and the keys in -v items="...") is a date after D;
#   - a list item whose id is in -v drop="..." (added to the register later);
#   - a line "key: DATE" after D for event keys (left, closed_on, ...);
#   - an "effectiveness:" block reviewed after D;
#   - in Markdown (-v md=1), a revision-table row "| 1.2 | DATE | ..." after D
#     (the front matter is treated as YAML).
# An item that loses a completion date this way goes back to its earlier
# status (done -> in-progress, closed -> open, implemented -> approved), and
# an audit planned after D to planned.
# Dates compare as text (ISO 8601). Input is read whole, then walked once.

BEGIN {
	split("joined raised_on reported_on date " items, a, " ")
	for (k in a)
		itemkey[a[k]] = 1
	split("left access_removed_on assets_returned_on closed_on triaged_on " \
	    "completed_on implemented_on retired_on ended_on", b, " ")
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

# Say how the status of the list item at i..e (dash at column col) must be
# turned back on day D: "planned" (its planned_on is later), "undone" (an
# event of it is later), or "" (as it is).
function item_rewind(i, e, col,    j, c, r) {
	r = ""
	for (j = i; j <= e; j++) {
		c = (j == i) ? col : indent(line[j]) - 2
		if (c != col || (j > i && line[j] ~ /^ *- /))
			continue
		if (!keyval(line[j]))
			continue
		if (K == "planned_on" && isdate(V) && substr(V, 1, 10) > D)
			return "planned"
		if ((K in linekey) && isdate(V) && substr(V, 1, 10) > D)
			r = "undone"
		if (K == "effectiveness" && V == "" && block_later(j, extent(j, col + 2)))
			r = "undone"
	}
	return r
}

# The status value v as it stood before the events after D.
function rewind(v, how) {
	if (how == "planned" && (v == "done" || v == "in-progress"))
		return "planned"
	if (how == "undone" && v == "done")
		return "in-progress"
	if (how == "undone" && v == "closed")
		return "open"
	if (how == "undone" && v == "implemented")
		return "approved"
	return v
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
	fm = 0
	if (md && line[1] == "---")
		for (j = 2; j <= n; j++)
			if (line[j] == "---") {
				fm = j
				break
			}
	i = 1
	while (i <= n) {
		while (ns > 0 && send[ns] < i)
			ns--
		s = line[i]
		if (md && (i == 1 || i >= fm)) {
			if (i == fm)
				fmout = nout + 1
			if (!row_later(s))
				emit(s)
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
			how = item_rewind(i, e, col)
			if (how != "") {
				ns++
				send[ns] = e
				scol[ns] = col
				show[ns] = how
			}
		} else if (s ~ /^ *status: / && ns > 0 && send[ns] >= i &&
		    col == scol[ns] + 2 && keyval(s)) {
			sub(/status: .*/, "status: " rewind(V, show[ns]), s)
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
		emit(s)
		i++
	}
	flush()
}

# Queue one output line.
function emit(s) {
	out[++nout] = s
}

# Print the output; a key whose list lost every item gets "[]" so that it
# stays a list (an empty value would read as null).
function flush(    k, j, s) {
	for (k = 1; k <= nout; k++) {
		s = out[k]
		if ((!md || k < fmout) && s ~ /^ *[A-Za-z_][A-Za-z_0-9]*: *$/) {
			for (j = k + 1; j <= nout && out[j] ~ /^ *$/; j++)
				;
			if (j > nout || indent(out[j]) <= indent(s) &&
			    out[j] !~ /^ *- / || indent(out[j]) < indent(s))
				sub(/: *$/, ": []", s)
		}
		print s
	}
}
