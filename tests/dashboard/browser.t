#!/bin/sh
# The dashboard in headless chromium (browser.js): no console errors, the
# figures of ismsctl summary, a finding appearing live after a commit, a
# reconnection by cursor across kill -9 and restart. Skipped, and says
# why, when chromium or playwright-core is missing.
. "$(dirname "$0")/dashboard.sh"

NODE_PATH="$ISMS_BUILD/node/node_modules"
if [ ! -x /usr/bin/chromium ]; then
	echo "1..0 # SKIP Debian's chromium is not installed (make deps installs it)"
	exit 0
fi
if [ ! -f "$NODE_PATH/playwright-core/package.json" ] || ! command -v node >/dev/null; then
	echo "1..0 # SKIP playwright-core is not installed (make node-deps; it needs the npm registry)"
	exit 0
fi

example_clone "$T/repo"
dashboard_conf "$T/repo"
ISMSD="$ISMS_BUILD/ismsd" ISMSCTL="$ISMS_BUILD/ismsctl" REPO="$T/repo" CONF="$T/ismsd.yaml" \
	SOCK="$SOCK" PORT="$PORT" TOKEN="$READ_TOKEN" LOG="$T/ismsd.log" \
	SHOT="$ISMS_BUILD/dashboard.png" NODE_PATH="$NODE_PATH" \
	node "$(dirname "$0")/browser.js"
rc=$?
[ $rc -eq 0 ] || sed 's/^/# ismsd: /' "$T/ismsd.log" | tail -30
exit $rc
