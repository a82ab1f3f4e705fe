#!/bin/sh
# The webhook plugin against real receivers: python's http.server (HTTP/1.0,
# closing after each answer) gets every event at the first attempt; every
# request carries an HMAC-SHA256 signature over the timestamp and the body,
# checked here as a receiver would (docs/writing-plugins.md); HTTPS with a
# self-signed certificate made by openssl is delivered when ca_file names
# it and refused (certificate verification) when it does not. Both carry
# Content-Length, which headers cannot override.
. "$(dirname "$0")/daemon.sh"

PLUGDIR="$ISMS_BUILD/plugins"
command -v openssl >/dev/null || { echo "1..0 # SKIP openssl is not installed"; exit 0; }
example_clone "$T/repo"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
p_http=$(free_port); p_https=$(free_port)

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
	-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
ok $? "a self-signed certificate for localhost"

cat > "$T/recv.py" <<'PY'
import hashlib, hmac, http.server, json, ssl, sys, threading
port, log, tls = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
class H(http.server.BaseHTTPRequestHandler):
    # protocol_version stays "HTTP/1.0": the connection closes after each answer
    def do_POST(self):
        cl = self.headers.get("Content-Length")
        body = self.rfile.read(int(cl)) if cl else b"{}"
        ts, sig = self.headers.get("X-Ismsd-Timestamp"), self.headers.get("X-Ismsd-Signature")
        want = "sha256=" + hmac.new(b"s3cret", ts.encode() + b"." + body, hashlib.sha256).hexdigest() if ts else None
        with open(log, "a") as f:
            f.write(json.dumps({"ok": sig is not None and hmac.compare_digest(sig, want),
                                "event": json.loads(body).get("event"),
                                "length": cl is not None and int(cl) == len(body) and
                                          "Transfer-Encoding" not in self.headers}) + "\n")
        self.send_response(200)
        if tls:
            self.send_header("Content-Length", "2")
        self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(tls[0], tls[1])
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.timeout = 0.5
open(log + ".ready", "w").close()
import time; end = time.time() + 60
while time.time() < end:
    srv.handle_request()
PY
python3 "$T/recv.py" "$p_http" "$T/http.log" & R1=$!
python3 "$T/recv.py" "$p_https" "$T/https.log" "$T/cert.pem" "$T/key.pem" & R2=$!
trap 'kill $R1 $R2 2>/dev/null; stop_ismsd; rm -rf "$T"' EXIT INT TERM
i=0
while [ $i -lt 200 ] && ! { [ -e "$T/http.log.ready" ] && [ -e "$T/https.log.ready" ]; }; do
	sleep 0.05; i=$((i + 1))
done

cat > "$T/ismsd.conf" <<CONF
socket: $SOCK
state_dir: $STATE
repositories:
  - name: isms
    path: $T/repo
plugins:
  - name: plain
    path: $PLUGDIR/webhook.so
    config: { url: "http://127.0.0.1:$p_http/hook", secret: "s3cret", events: [evaluation-finished] }
  - name: tls
    path: $PLUGDIR/webhook.so
    config: { url: "https://localhost:$p_https/hook", ca_file: "$T/cert.pem", secret: "s3cret", events: [evaluation-finished] }
  - name: untrusted
    path: $PLUGDIR/webhook.so
    config: { url: "https://localhost:$p_https/hook", secret: "s3cret", events: [evaluation-finished], backoff_initial: 30 }
CONF
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1)
ok $? "ismsd -t accepts https, ca_file and secret"
start_ismsd -c "$T/ismsd.conf" --now 2026-11-22
ok $? "the daemon starts"
wait_ready; ok $? "and evaluates"
i=0
while [ $i -lt 100 ]; do
	[ -s "$T/http.log" ] && [ -s "$T/https.log" ] && break
	sleep 0.1; i=$((i + 1))
done
sleep 0.5
st=$("$ISMSCTL_BIN" status --json)
pl() { echo "$st" | jget "[p for p in j['plugins'] if p['name']=='$1'][0]['stats'].get('$2')"; }
echo "$st" | jget "[(p['name'], p['stats']) for p in j['plugins']]" | sed 's/^/# /'
sed 's/^/# http: /' "$T/http.log"; sed 's/^/# https: /' "$T/https.log"
is "$(pl plain delivered)" 1 "HTTP/1.0 receiver: the event is delivered"
is "$(pl plain failed_attempts)" 0 "HTTP/1.0 receiver: at the first attempt"
is "$(grep -c '"ok": true' "$T/http.log")" 1 "the signature verifies in Python (HMAC-SHA256 of timestamp.body)"
is "$(grep -c '"length": true' "$T/http.log")" 1 "http: the request carries Content-Length"
is "$(pl tls delivered)" 1 "https with ca_file: delivered"
is "$(grep -c '"ok": true' "$T/https.log")" 1 "https: the receiver got it once, signed"
is "$(grep -c '"length": true' "$T/https.log")" 1 "https: the request carries Content-Length too"
is "$(pl untrusted delivered)" 0 "https without the CA: not delivered"
ok $([ "$(pl untrusted failed_attempts)" -ge 1 ]; echo $?) "https without the CA: the certificate is refused"
stop_ismsd

# The body's framing is the plugin's: headers cannot set it.
sed -i 's|secret: "s3cret", events|headers: { content-length: "5" }, secret: "s3cret", events|' "$T/ismsd.conf"
out=$($ISMSD -t -c "$T/ismsd.conf" 2>&1)
is "$?" 1 "ismsd -t refuses a Content-Length in headers"
like "$out" '"headers" cannot set content-length: the plugin sends the body'"'"'s length itself' "and says why"
done_testing
