#!/bin/sh
# The rule specs under tests/specs, run by `ismsctl test` (TAP).
top="${ISMS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}"
exec ${ISMS_WRAP:-} "${ISMS_BUILD:-$top/build}/ismsctl" test --rules "$top/rules" "$top/tests/specs"
