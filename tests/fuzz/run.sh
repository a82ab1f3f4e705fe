#!/bin/sh
# run.sh - the long fuzzing runs, outside make check (make fuzz runs this).
#
# usage: sh tests/fuzz/run.sh SAN_BUILD FUZZ_DIR SECONDS
#
# For SECONDS each: the libFuzzer targets in FUZZ_DIR (doc_fuzz: the YAML,
# JSON and Markdown record parsers; update_fuzz: a changed register parsed
# by the records that changed, against a full parse; cron_fuzz: cron expressions;
# config_fuzz: the daemon's configuration file), from corpora under
# FUZZ_DIR/corpus seeded with the example repository's files, the cron
# expressions of the docs and the example configuration, kept between
# runs; then
# socket_fuzz.py against SAN_BUILD/ismsd (the ASan+UBSan build). A crash
# leaves libFuzzer's reproducer in FUZZ_DIR and fails the run.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: sh tests/fuzz/run.sh SAN_BUILD FUZZ_DIR SECONDS" >&2
	exit 2
fi
san=$1 dir=$2 secs=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

# Seeds: each record file of the example with the format byte doc_fuzz
# reads first (0 YAML, 1 JSON, 2 Markdown), and the docs' cron lines.
mkdir -p "$dir/corpus/doc" "$dir/corpus/update" "$dir/corpus/cron" "$dir/corpus/config"
[ -n "$(ls "$dir/corpus/config")" ] || cp "$top/contrib/ismsd.example.conf" "$dir/corpus/config/seed-0"
if [ -z "$(ls "$dir/corpus/doc")" ]; then
	i=0
	for f in $(cd "$san/example-isms" && git ls-files); do
		case "$f" in
		*.yaml | *.yml) b='\000' ;;
		*.json) b='\001' ;;
		*.md) b='\002' ;;
		*) continue ;;
		esac
		{ printf "$b"; cat "$san/example-isms/$f"; } > "$dir/corpus/doc/seed-$i"
		i=$((i + 1))
	done
fi
# update_fuzz: the example's registers, each with an edit in its middle
# (where, how much to remove, NUL, what to put in).
if [ -z "$(ls "$dir/corpus/update")" ]; then
	i=0
	for f in risk/register.yaml assets/applications.yaml people/personnel.yaml; do
		[ -f "$san/example-isms/$f" ] || continue
		# its first 6 KB, whole lines (libFuzzer's -max_len is 8 KB)
		{ printf '\000\200\004\000'; head -c 6000 "$san/example-isms/$f" | sed '$d'; printf '\000 x'; } \
			> "$dir/corpus/update/seed-$i"
		i=$((i + 1))
	done
fi
if [ -z "$(ls "$dir/corpus/cron")" ]; then
	i=0
	for e in '0 9 * * 1-5' '*/15 * * * *' '30 2 29 2 *' '@monthly' '0 0 1,15 jan-mar sun' \
		'5 4 * * 7' '0 12 31 4 *' '59 23 L * *'; do
		printf '\001%s' "$e" > "$dir/corpus/cron/seed-$i"
		i=$((i + 1))
	done
fi

rc=0
for t in doc update cron config; do
	echo "== ${t}_fuzz for $secs s"
	(cd "$dir" && "./${t}_fuzz" -max_total_time="$secs" -max_len=8192 -print_final_stats=1 \
		"corpus/$t" 2>&1 | grep -E '^(Done|stat::number_of_executed_units|==|SUMMARY|artifact_prefix|Test unit written)' ) ||
		true
	if ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* >/dev/null 2>&1; then
		echo "${t}_fuzz found a failure: $(ls "$dir"/crash-* "$dir"/leak-* "$dir"/timeout-* 2>/dev/null)"
		rc=1
	fi
done
echo "== socket_fuzz.py against $san/ismsd for $secs s"
python3 "$here/socket_fuzz.py" "$san" "$secs" || rc=1
exit $rc
