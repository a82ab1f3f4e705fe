#!/bin/sh
# make deb-test: the package built by make deb, unpacked into a scratch
# root (dpkg-deb -x, as dpkg --root would lay it out, without running the
# maintainer scripts there), then used as an operator would: ismsd -t on a
# configuration naming plugins by bare name, ismsctl check on the example
# ISMS, ismsctl test with no argument; the maintainer scripts parse and
# create the user, group and state directory the unit expects.
# usage: deb-test.sh DEB_DIR EXAMPLE_REPO
set -u
DEB_DIR=$1 EXAMPLE=$2
T=$(mktemp -d "${TMPDIR:-/tmp}/ismsd-deb.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
unset ISMS_RULES ISMS_SOCKET
n=0 fail=0
ok() { n=$((n + 1)); if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=$((fail + 1)); fi; }

deb=$(ls "$DEB_DIR"/ismsd_*_amd64.deb | head -1)
[ -f "$deb" ]; ok $? "the package exists: $(basename "$deb")"
R="$T/root"
dpkg-deb -x "$deb" "$R"; ok $? "it unpacks"
dpkg-deb -e "$deb" "$T/control"
for s in postinst postrm prerm; do
	[ -f "$T/control/$s" ] && { sh -n "$T/control/$s"; ok $? "$s parses"; }
done
grep -q 'adduser --system' "$T/control/postinst"; ok $? "postinst creates the system user ismsd"
grep -q 'addgroup --system' "$T/control/postinst"; ok $? "postinst creates the group ismsd"
grep -q '/var/lib/ismsd' "$T/control/postinst"; ok $? "postinst creates /var/lib/ismsd"
u="$R/lib/systemd/system/ismsd.service"
grep -q '^Type=notify' "$u" && grep -q '^RuntimeDirectory=ismsd' "$u" &&
	grep -q '^RuntimeDirectoryMode=0750' "$u" && grep -q '^StateDirectory=ismsd' "$u" &&
	grep -q '^Group=ismsd' "$u"
ok $? "the unit: Type=notify, /run/ismsd for the group ismsd, /var/lib/ismsd"

git clone -q "$EXAMPLE" "$T/repo"
cat > "$T/ismsd.conf" <<CONF
socket: $T/ismsd.sock
state_dir: $T/state
repositories:
  - name: example
    path: $T/repo
plugins:
  - path: exec
    config: {command: "true"}
  - path: syslog
  - path: webhook
    config: {url: "http://127.0.0.1:9/events"}
  - path: prometheus
CONF
out=$("$R/usr/bin/ismsd" -t -c "$T/ismsd.conf" 2>&1); rc=$?
echo "$out" | sed 's/^/# /'
[ $rc -eq 0 ]; ok $? "the packaged ismsd -t passes, plugins by bare name"
echo "$out" | grep -q "plugin prometheus: prometheus .* from $R/usr/bin/../lib/ismsd/plugins/prometheus.so"
ok $? "it finds the packaged plugins"
"$R/usr/bin/ismsctl" check --repo "$T/repo" --now 2026-11-22 > "$T/check.txt" 2>&1; rc=$?
sed -n '1,5p' "$T/check.txt" | sed 's/^/# /'
[ $rc -le 1 ] && grep -q "Fernwerk Systems GmbH" "$T/check.txt"
ok $? "the packaged ismsctl check reports on the example ISMS (exit $rc)"
out=$(cd "$T" && "$R/usr/bin/ismsctl" test 2>&1); rc=$?
[ $rc -eq 0 ] && ! echo "$out" | grep -q '^not ok'
ok $? "the packaged ismsctl test runs the packaged specs ($(echo "$out" | tail -1))"
echo "1..$n"
[ $fail -eq 0 ]
