#!/bin/sh
# Clients that half-close after sending (shutdown(SHUT_WR), `nc -N`, a
# pipe into socat) receive the whole reply, on the Unix socket and on
# TCP: a large one (results, over 100 KB), a last line without its
# newline, a sync whose reply comes when its evaluation is done. The
# daemon then closes the connection itself. Also: the daemon's text
# replies through ismsctl escape hostile record values.
. "$(dirname "$0")/daemon.sh"

example_clone "$T/repo"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$T/ismsd.conf" <<CONF
socket: $SOCK
state_dir: $STATE
listen_tcp: 127.0.0.1:$port
repositories:
  - name: repo
    path: $T/repo
CONF
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22
ok $? "the daemon starts"
wait_ready
ok $? "the repository is evaluated"

cat > "$T/half.py" <<'PY'
import json, socket, sys
where, line = sys.argv[1], sys.argv[2].encode()
if where.startswith("tcp:"):
    s = socket.create_connection(("127.0.0.1", int(where[4:])), timeout=20)
else:
    s = socket.socket(socket.AF_UNIX); s.settimeout(20); s.connect(where)
s.sendall(line)
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
replies = [json.loads(l) for l in data.decode().splitlines()]
if len(replies) == 1 and isinstance(replies[0], list):
    assert len(replies[0]) == 2, replies[0]
    assert sorted(r["id"] for r in replies[0]) == [5, 6], replies[0]
    replies = [{}]
print(len(data), len(replies), " ".join(sorted(r.get("error", {}).get("message", "ok")[:20] for r in replies)))
PY
for where in "$SOCK" "tcp:$port"; do
	out=$(python3 "$T/half.py" "$where" '{"jsonrpc":"2.0","id":1,"method":"results"}
' 2>&1)
	n=${out%% *}
	ok $([ "${n:-0}" -gt 50000 ] 2>/dev/null; echo $?) "$where: a reply of $n bytes arrives whole after a half-close"
	like "$out" " 1 ok" "$where: one reply, valid JSON"
	out=$(python3 "$T/half.py" "$where" '{"jsonrpc":"2.0","id":2,"method":"status"}' 2>&1)
	like "$out" " 1 ok" "$where: a last line without its newline is answered"
done
out=$(python3 "$T/half.py" "$SOCK" '{"jsonrpc":"2.0","id":3,"method":"sync"}
{"jsonrpc":"2.0","id":4,"method":"status"}
' 2>&1)
like "$out" " 2 ok ok" "a sync's later reply still reaches a client that half-closed"
out=$(python3 "$T/half.py" "$SOCK" '[{"jsonrpc":"2.0","id":5,"method":"sync"},{"jsonrpc":"2.0","id":6,"method":"status"},{"jsonrpc":"2.0","method":"sync"}]' 2>&1)
like "$out" " 1 " "a batch with a sync: one reply, an array, when the sync is done"
if command -v socat >/dev/null; then
	n=$(printf '{"jsonrpc":"2.0","id":1,"method":"results"}\n' | socat -t 30 - UNIX-CONNECT:"$SOCK" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["results"]))')
	ok $([ "${n:-0}" -gt 100 ] 2>/dev/null; echo $?) "printf | socat: every verdict ($n)"
fi
"$ISMSCTL_BIN" status >/dev/null
ok $? "the daemon still serves"
done_testing
