#!/bin/sh
# A third-party JSON-RPC 2.0 client (jayson, from npm; tests/npm) against
# the daemon's TCP listener and Unix socket: a call, a batch, a
# notification, and errors for a wrong-typed and an unknown parameter.
. "$(dirname "$0")/daemon.sh"

NPM_DIR="$ISMS_TOP/tests/npm"
if [ ! -d "$NPM_DIR/node_modules/jayson" ] || ! command -v node >/dev/null; then
	echo "1..0 # SKIP jayson is not installed (make check installs it into tests/npm)"
	exit 0
fi
example_clone "$T/repo"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$T/ismsd.conf" <<CONF
socket: $SOCK
state_dir: $STATE
listen_tcp: 127.0.0.1:$port
repositories:
  - name: acme
    path: $T/repo
CONF
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22
ok $? "the daemon starts"
wait_ready
ok $? "the repository is evaluated"

cat > "$T/client.js" <<'JS'
const jayson = require("jayson");
const [where] = process.argv.slice(2);
const opts = where.startsWith("tcp:") ? { host: "127.0.0.1", port: +where.slice(4) } : { path: where };
const client = jayson.client.tcp(opts);
const call = (m, p) => new Promise((res) => client.request(m, p, (err, r) => res({ err, r })));
(async () => {
  let { err, r } = await call("status", {});
  console.log("status", err ? "err " + err.message : r.result.version);
  ({ err, r } = await call("results", { status: "pass", clause: "5" }));
  console.log("results", err ? "err " + err.message : r.result.results.every((v) => v.status === "pass") && r.result.results.length > 0);
  ({ err, r } = await call("results", { status: 42 }));
  console.log("wrongtype", r && r.error ? r.error.code + " " + r.error.message : "no error");
  ({ err, r } = await call("results", { staus: "fail" }));
  console.log("unknown", r && r.error ? r.error.code + " " + r.error.message : "no error");
  const batch = [client.request("status", {}, undefined, false), client.request("rules", {}, undefined, false),
                 client.request("summary", {}, null, false)];
  ({ err, r } = await new Promise((res) => client.request(batch, (err, r) => res({ err, r }))));
  console.log("batch", err ? "err " + err.message : r.length + " " + r.map((x) => x.id === undefined ? "-" : typeof x.result).join(","));
  ({ err, r } = await call("status", {}).then(() => new Promise((res) => client.request("status", {}, null, (e) => res({ err: e, r: null })))));
  console.log("notification", err ? "err " + err.message : "ok");
})();
JS
for where in "tcp:$port" "$SOCK"; do
	out=$(cd "$NPM_DIR" && NODE_PATH="$NPM_DIR/node_modules" timeout 30 node "$T/client.js" "$where" 2>&1)
	like "$out" "status 0.1.0" "$where: jayson calls status"
	like "$out" "results true" "$where: with named params"
	like "$out" 'wrongtype -32602 "status" must be a verdict status' "$where: a wrong-typed param is -32602, named"
	like "$out" "unknown -32602 unknown parameter \"staus\" for 'results' (did you mean 'status'?)" "$where: an unknown param is -32602, named"
	like "$out" "batch 2 object,object" "$where: a batch gets an array, without the notification's response"
	like "$out" "notification ok" "$where: a notification gets no reply"
done
done_testing
