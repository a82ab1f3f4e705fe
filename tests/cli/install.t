#!/bin/sh
# make install into a DESTDIR with PREFIX=/usr, as a package build does,
# then the installed tree on its own: ismsd -t finds the plugins named by
# bare name, ismsctl finds its rules, `ismsctl test` with no argument runs
# the installed specs, the pkg-config file builds the example plugin with
# the line docs/writing-plugins.md gives, the unit passes systemd-analyze,
# and make uninstall leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

ROOT="$T/root"
USR="$ROOT/usr"
# The installed programs must find their own rules, not the tree's.
unset ISMS_RULES
mk() { env -u MAKEFLAGS -u MAKELEVEL make -s -C "$ISMS_TOP" BUILD="$ISMS_BUILD" PREFIX=/usr DESTDIR="$ROOT" "$@"; }

mk install > "$T/install.log" 2>&1
ok $? "make install DESTDIR=... PREFIX=/usr" || sed 's/^/#   /' "$T/install.log" | tail -20

for f in bin/ismsd bin/ismsctl lib/ismsd/plugins/exec.so lib/ismsd/plugins/prometheus.so \
	lib/ismsd/plugins/syslog.so lib/ismsd/plugins/webhook.so \
	share/ismsd/rules/iso27001-2022.json share/ismsd/rules/specs/clause-5.lua \
	share/ismsd/sdk/lua/isms.lua share/ismsd/sdk/examples/plugin-hello/hello.c \
	share/ismsd/hooks/pre-commit share/ismsd/hooks/post-receive \
	include/ismsd/plugin.h share/pkgconfig/ismsd-plugin.pc \
	share/man/man1/ismsctl.1 share/man/man8/ismsd.8 share/man/man5/ismsd.conf.5 \
	share/man/man7/ismsd-protocol.7 share/man/man7/ismsd-rules.7 \
	share/bash-completion/completions/ismsctl share/bash-completion/completions/ismsd \
	share/zsh/site-functions/_ismsctl share/zsh/site-functions/_ismsd \
	share/doc/ismsd/ismsd.service share/doc/ismsd/ismsd.example.conf; do
	[ -f "$USR/$f" ] || missing="$missing $f"
done
is "${missing:-}" "" "everything is installed"
[ -x "$USR/share/ismsd/hooks/pre-commit" ]; ok $? "the hooks are executable"
like "$(strings "$USR/bin/ismsd")" "/usr/lib/ismsd" "ismsd is built for PREFIX=/usr (compiled-in LIBDIR)"
like "$(strings "$USR/bin/ismsctl")" "/usr/share/ismsd" "ismsctl is built for PREFIX=/usr (compiled-in DATADIR)"
like "$(cat "$USR/share/doc/ismsd/ismsd.service")" "ExecStart=/usr/bin/ismsd -f" "the unit runs the installed ismsd"

# The installed daemon: plugins by bare name, its own rules.
git clone -q "$ISMS_BUILD/example-isms" "$T/repo"
cat > "$T/ismsd.conf" <<CONF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - path: exec
    config: {command: "true"}
  - path: prometheus
    config: {listen: "127.0.0.1:1"}
CONF
out=$("$USR/bin/ismsd" -t -c "$T/ismsd.conf" 2>&1); rc=$?
is "$rc" 0 "installed ismsd -t passes with plugins named by bare name"
like "$out" "plugin exec: exec 1.0.0 from $USR/bin/../lib/ismsd/plugins/exec.so" "and finds exec in its own tree"
like "$out" "plugin prometheus: prometheus" "and checks prometheus without binding (port 1 needs root)"
like "$out" "rules in $USR/bin/../share/ismsd/rules" "and its own rule packs"

# The installed ismsctl: rules, check, and the specs with no argument.
n=$("$USR/bin/ismsctl" rules --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)) > 100)' 2>&1)
is "$n" True "installed ismsctl rules lists the installed rules"
"$USR/bin/ismsctl" check --repo "$T/repo" --now 2026-11-22 --format json > "$T/check.json"; rc=$?
[ "$rc" -le 1 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/check.json"
ok $? "installed ismsctl check evaluates the example ISMS"
out=$(cd "$T" && "$USR/bin/ismsctl" test 2>&1); rc=$?
is "$rc" 0 "installed ismsctl test with no argument passes"
like "$out" "1..1" "and runs the installed specs"
unlike "$out" "not ok" "with no failure"

# The plugin build line of docs/writing-plugins.md, as written, against
# the installed header through pkg-config.
line=$(grep -E '^ *cc -std=c11 -fPIC -shared \$\(pkg-config --cflags ismsd-plugin' \
	"$ISMS_TOP/docs/writing-plugins.md" | sed 's/^ *//')
[ -n "$line" ]; ok $? "docs/writing-plugins.md gives the build line"
mkdir "$T/hello" "$T/bin" && cp "$USR/share/ismsd/sdk/examples/plugin-hello/hello.c" "$T/hello/"
# The line runs as written; the cc it finds refuses what GCC 14 refuses
# (an implicit declaration, as of strdup without -D_GNU_SOURCE).
printf '#!/bin/sh\nexec %s -Werror=implicit-function-declaration "$@"\n' "$(command -v cc)" > "$T/bin/cc"
chmod +x "$T/bin/cc"
(cd "$T/hello" && PATH="$T/bin:$PATH" PKG_CONFIG_PATH="$USR/share/pkgconfig" \
	PKG_CONFIG_SYSROOT_DIR="$ROOT" sh -c "$line") > "$T/cc.log" 2>&1
ok $? "the documented line builds the example plugin" || sed 's/^/#   /' "$T/cc.log"
like "$(PKG_CONFIG_PATH="$USR/share/pkgconfig" pkg-config --cflags ismsd-plugin)" "-D_GNU_SOURCE" \
	"ismsd-plugin.pc gives -D_GNU_SOURCE"
is "$(PKG_CONFIG_PATH="$USR/share/pkgconfig" pkg-config --variable=plugindir ismsd-plugin)" \
	/usr/lib/ismsd/plugins "ismsd-plugin.pc names the plugin directory"
cat > "$T/hello.conf" <<CONF
repositories:
  - name: isms
    path: $T/repo
plugins:
  - path: $T/hello/hello.so
    config: {greeting: moin}
CONF
out=$("$USR/bin/ismsd" -t -c "$T/hello.conf" 2>&1); rc=$?
is "$rc" 0 "installed ismsd -t loads the plugin built that way"
like "$out" "plugin hello: hello" "and names it"

# The unit as installed, pointed at this tree's ismsd.
if command -v systemd-analyze >/dev/null; then
	mkdir "$T/unit"
	sed "s|/usr/bin/ismsd|$USR/bin/ismsd|g" "$USR/share/doc/ismsd/ismsd.service" > "$T/unit/ismsd.service"
	out=$(systemd-analyze verify --man=no "$T/unit/ismsd.service" 2>&1)
	ok $? "systemd-analyze verify accepts the unit" || printf '%s\n' "$out" | sed 's/^/#   /'
	score=$(systemd-analyze security --offline=true --no-pager "$T/unit/ismsd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for ismsd.service: \([0-9.]*\).*/\1/p')
	ok "$(awk -v s="${score:-99}" 'BEGIN { print (s <= 2.0) ? 0 : 1 }')" \
		"systemd-analyze security rates the unit 2.0 or better (got ${score:-nothing})"
fi

mk uninstall > "$T/uninstall.log" 2>&1
ok $? "make uninstall"
left=$(find "$ROOT" -type f | sed "s|$ROOT||")
is "$left" "" "make uninstall removes every installed file"
done_testing
