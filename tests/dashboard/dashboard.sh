# dashboard.sh - helpers for the HTTP API and dashboard tests: the daemon
# helpers of tests/daemon/daemon.sh, a free loopback port, a tokens file
# and a configuration with http enabled.
. "$(dirname "$0")/../daemon/daemon.sh"

# A port nothing listens on now.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
READ_TOKEN=read-token-for-the-tests-0123456789
WRITE_TOKEN=write-token-for-the-tests-9876543210
printf '# tokens for the tests\n%s read\n%s write  # sync and ack\n' \
	"$READ_TOKEN" "$WRITE_TOKEN" >"$T/tokens"
chmod 600 "$T/tokens"

# dashboard_conf PATH...: $T/ismsd.yaml serving these repositories (named
# after their directories) with http on $PORT.
dashboard_conf() {
	{
		echo "socket: $SOCK"
		echo "state_dir: $STATE"
		echo "http:"
		echo "  listen: 127.0.0.1:$PORT"
		echo "  tokens: $T/tokens"
		echo "repositories:"
		for p in "$@"; do
			echo "  - name: $(basename "$p")"
			echo "    path: $p"
		done
	} >"$T/ismsd.yaml"
}

# hget PATH [TOKEN] [METHOD]: "STATUS BODY" of an HTTP request to the
# daemon (TOKEN "-": none).
hget() {
	python3 - "$PORT" "$1" "${2:-$READ_TOKEN}" "${3:-GET}" <<'PY'
import sys, urllib.request, urllib.error
port, path, tok, method = sys.argv[1:5]
req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                             data=b"" if method == "POST" else None)
if tok != "-":
    req.add_header("Authorization", "Bearer " + tok)
try:
    with urllib.request.urlopen(req, timeout=30) as r:
        code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
sys.stdout.write(f"{code} {body.decode()}")
PY
}
