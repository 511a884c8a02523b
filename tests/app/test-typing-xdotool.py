#!/usr/bin/python3
# test-typing-xdotool.py — an agency reviewer scores the whole 1000-point sheet from the
# keyboard, at typing speed, on a busy laptop; not one score may be lost or land on the wrong
# item.
#
#   test-typing-xdotool.py APP_BINARY MAKE_SCORING_STORE
#
# The real application runs under Xvfb with openbox (xdotool needs a window manager to give
# the window the focus); a shell loop keeps one core busy. xdotool types a score and presses
# Enter, Tab or Down (next item) or Shift+Tab or Up (previous item), at 30–100 ms a key, in
# passes up and down the 69 items, each pass giving every item it visits a new value. After
# each pass the scores are read back from the SQLite store (through the store's own code,
# cp-make-scoring-store --scores) and compared with what was typed.
#
# Environment: CP_TYPING_SCORES (default 2070) how many scores to type; CP_TYPING_SEED.
# Prints TAP.
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

APP = sys.argv[1]
MAKE = sys.argv[2]
N_SCORES = int(os.environ.get("CP_TYPING_SCORES", "2070"))
SEED = int(os.environ.get("CP_TYPING_SEED", "9"))
DELAYS = (30, 30, 40, 50, 60, 80, 100)   # ms between keys, drawn for each key
rng = random.Random(SEED)


def tap(n, ok, what):
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, what), flush=True)
    return ok


def skip_all(why):
    print("1..0 # SKIP %s" % why, flush=True)
    sys.exit(0)


def press(cmd, keysym):
    """One key, then a user's pause before the next (xdotool's "type" cannot be chained)."""
    cmd += ["key", keysym, "sleep", "%.3f" % (rng.choice(DELAYS) / 1000)]


def value_text(v):
    return ("%g" % v)


def read_scores(data, uuid):
    out = subprocess.run([MAKE, "--scores", data, uuid], capture_output=True, text=True,
                         timeout=30)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    scores = {}
    for line in out.stdout.splitlines():
        item, _self, acceptance = line.split()
        if acceptance != "-":
            scores[item] = float(acceptance)
    return scores


def settle(data, uuid, expected, quiet=1.2, limit=30):
    """Reads the store until it stops changing (or matches what was typed)."""
    deadline = time.time() + limit
    last = None
    since = time.time()
    while True:
        now = read_scores(data, uuid)
        if now == expected:
            return now
        if now != last:
            last = now
            since = time.time()
        elif time.time() - since >= quiet or time.time() > deadline:
            return now
        time.sleep(0.2)


def main():
    for tool in ("xdotool", "openbox"):
        if shutil.which(tool) is None:
            skip_all("%s is not installed" % tool)
    if not os.environ.get("DISPLAY"):
        skip_all("no X display")

    print("1..4", flush=True)
    tmp = tempfile.mkdtemp(prefix="cp-typing-")
    data = os.path.join(tmp, "data")
    config = os.path.join(tmp, "config")
    os.makedirs(os.path.join(config, "glib-2.0", "settings"))

    made = subprocess.run([MAKE, data], capture_output=True, text=True, check=True)
    lines = made.stdout.split("\n")
    uuid = lines[0].strip()
    items = []
    for line in lines[1:]:
        if line.strip():
            item, points = line.split()
            items.append((item, float(points)))

    # The application opens the packet on its scoring sheet, as it does after a restart.
    with open(os.path.join(config, "glib-2.0", "settings", "keyfile"), "w") as f:
        f.write("[io/github/creditpacket/CreditPacket]\n"
                "last-packet='%s'\nlast-page='scoring-sheet'\n"
                "window-width=1100\nwindow-height=720\n" % uuid)

    env = dict(os.environ)
    env.setdefault("GSK_RENDERER", "cairo")
    env["GSETTINGS_BACKEND"] = "keyfile"
    env["XDG_CONFIG_HOME"] = config
    env.pop("G_DEBUG", None)
    env.pop("CP_SERVER_URL", None)

    procs = []
    ok_all = True
    started = time.time()
    try:
        wm = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(wm)
        time.sleep(0.5)
        app = subprocess.Popen([APP, "--data-dir", data], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        procs.append(app)
        wid = None
        deadline = time.time() + 30
        while wid is None and time.time() < deadline:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--pid",
                                    str(app.pid)], capture_output=True, text=True)
            if found.returncode == 0 and found.stdout.split():
                wid = found.stdout.split()[-1]
            else:
                time.sleep(0.2)
        ok_all &= tap(1, wid is not None, "the window shows")
        if wid is None:
            return 1
        subprocess.run(["xdotool", "windowactivate", "--sync", wid], timeout=10)
        time.sleep(1.5)    # the sheet is built and the first unscored item has the focus

        hog = subprocess.Popen(["sh", "-c", "while :; do :; done"])
        procs.append(hog)

        expected = {}      # item → the value typed last
        history = {}       # item → every value typed, oldest first
        pos = 0            # the item the reviewer sees focused
        n_typed = 0
        n_passes = 0
        lost = misplaced = 0
        worst = []
        forward = True
        n = len(items)
        while n_typed < N_SCORES:
            cmd = ["xdotool"]
            n_passes += 1
            while True:
                item, points = items[pos]
                steps = int(points * 2) + 1          # 0, 0.5, … points
                k = (n_passes * 5 + pos * 7) % steps
                if rng.random() < 0.7:               # mostly whole points, fewer keys
                    k -= k % 2
                value = k / 2
                if expected.get(item) == value:
                    value = (k + 2) % steps / 2 if steps > 2 else (k + 1) % steps / 2
                for c in value_text(value):
                    press(cmd, "period" if c == "." else c)
                expected[item] = value
                history.setdefault(item, []).append(value)
                n_typed += 1
                at_end = (forward and pos == n - 1) or (not forward and pos == 0)
                if at_end:
                    # Turn round: the key that commits this score goes the other way.
                    forward = not forward
                if forward:
                    key = rng.choice(("Return", "Tab", "Down"))
                    pos += 1
                else:
                    key = rng.choice(("shift+Tab", "Up"))
                    pos -= 1
                press(cmd, key)
                if at_end or n_typed >= N_SCORES:
                    break
            subprocess.run(cmd, check=True, timeout=600)
            got = settle(data, uuid, expected)
            pass_lost = pass_misplaced = 0
            for item, _points in items:
                want = expected.get(item)
                have = got.get(item)
                if have == want:
                    continue
                if have is None or have in history.get(item, [])[:-1]:
                    pass_lost += 1
                else:
                    pass_misplaced += 1
                if len(worst) < 12:
                    worst.append("pass %d item %s: typed %s, stored %s" %
                                 (n_passes, item, want, have))
            lost += pass_lost
            misplaced += pass_misplaced
            # Start the next pass from what the store has, so that one loss is counted once.
            for item, _points in items:
                if got.get(item) is not None:
                    expected[item] = got[item]
                elif item in expected:
                    del expected[item]
            print("# pass %d: %d scores typed so far, %d lost, %d misplaced (%.0f s)" %
                  (n_passes, n_typed, pass_lost, pass_misplaced, time.time() - started),
                  flush=True)

        ok_all &= tap(2, n_typed >= N_SCORES,
                      "%d scores typed in %d passes over %d items" % (n_typed, n_passes, n))
        ok_all &= tap(3, lost == 0, "no score lost: %d lost of %d" % (lost, n_typed))
        ok_all &= tap(4, misplaced == 0,
                      "no score on the wrong item: %d misplaced of %d" % (misplaced, n_typed))
        for line in worst:
            print("# " + line, flush=True)
        print("# %.0f s in all" % (time.time() - started), flush=True)
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok_all else 1


sys.exit(main())
