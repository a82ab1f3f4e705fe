"""longrun.py - what the long runs outside make check share
(tests/fuzz/socket_fuzz.py, tests/soak/soak.py): their command line, and
a daemon that is stopped however the run ends.

Import it after putting this directory on sys.path."""

import atexit
import os
import random
import signal
import subprocess
import sys

_daemons = []  # started here: killed at exit if still running


@atexit.register
def _stop_all():
    for d in _daemons:
        if d.poll() is None:
            d.kill()
            d.wait()


# Stopped from outside (a CI timeout, Ctrl-C): still stop the daemon.
signal.signal(signal.SIGTERM, lambda *a: sys.exit(1))


def args(doc):
    """BUILD_DIR SECONDS [SEED] from the command line, or the usage line of
    doc and exit 2: (build, seconds, seed, a random.Random of the seed)."""
    if len(sys.argv) not in (3, 4):
        print(doc.split("\n\n")[1], file=sys.stderr)
        sys.exit(2)
    build, seconds = os.path.abspath(sys.argv[1]), float(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else random.randrange(1 << 32)
    return build, seconds, seed, random.Random(seed)


def start(argv, log, env=None):
    """Start the daemon argv (foreground) writing to the file log."""
    d = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env)
    _daemons.append(d)
    return d


def stop(d, fail):
    """SIGTERM the daemon and return its exit status; fail(why) when it is
    not gone within 60 s."""
    d.send_signal(signal.SIGTERM)
    try:
        return d.wait(60)
    except subprocess.TimeoutExpired:
        d.kill()
        fail("the daemon did not exit within 60 s of SIGTERM")
