#!/usr/bin/python3
# test-e2e-atspi.py — drives the real credit-packet from outside through AT-SPI and checks the
# result in its SQLite store.
#
#   test-e2e-atspi.py APP_BINARY
#
# Runs under xvfb-run + dbus-run-session (meson test --suite app). Prints TAP.
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

try:
    import pyatspi
except ImportError:
    print("1..0 # SKIP python3-pyatspi is not installed")
    sys.exit(0)

APP = sys.argv[1]


def tap(n, ok, what):
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, what), flush=True)
    return ok


def uscc_check(first17):
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(chars.index(c) * w for c, w in zip(first17, weights))
    return chars[(31 - total % 31) % 31]


def org_check(first8):
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    def val(c):
        return int(c) if c.isdigit() else ord(c) - ord('A') + 10
    c = 11 - sum(val(x) * w for x, w in zip(first8, weights)) % 11
    return 'X' if c == 10 else '0' if c == 11 else str(c)


def make_uscc():
    org8 = "MA1B2C3D"
    first17 = "91320506" + org8 + org_check(org8)
    return first17 + uscc_check(first17)


def find_app(timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            a = desktop.getChildAtIndex(i)
            if a is not None and a.name in ("credit-packet", "Credit Packet"):
                return a
        time.sleep(0.2)
    return None


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    for i in range(node.childCount):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def find(root, role=None, name=None, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        for n in walk(root):
            try:
                if ((role is None or n.getRoleName() == role) and
                        (name is None or n.name == name or n.name.startswith(name + " ") or
                         n.name.endswith(" " + name))):
                    return n
            except Exception:
                pass
        time.sleep(0.2)
    return None


def find_all(root, role):
    out = []
    for n in walk(root):
        try:
            if n.getRoleName() in role:
                out.append(n)
        except Exception:
            pass
    return out


def click(node):
    node.queryAction().doAction(0)


def query(db, sql, args=()):
    con = sqlite3.connect(db, timeout=5)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def wait_for(fn, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            r = fn()
            if r:
                return r
        except sqlite3.Error:
            pass
        time.sleep(0.1)
    return fn()


def main():
    print("1..7", flush=True)
    data = tempfile.mkdtemp(prefix="cp-e2e-")
    db = os.path.join(data, "packets.db")
    env = dict(os.environ)
    env.setdefault("GSK_RENDERER", "cairo")
    env["GSETTINGS_BACKEND"] = "memory"
    env.pop("G_DEBUG", None)
    proc = subprocess.Popen([APP, "--data-dir", data], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok_all = True
    try:
        app = find_app()
        ok_all &= tap(1, app is not None, "the application shows up on the accessibility bus")
        if app is None:
            return 1

        new = find(app, "push button", "New Packet")
        ok_all &= tap(2, new is not None, "the New packet button has an accessible label")
        click(new)

        dialog = None
        deadline = time.time() + 5
        while dialog is None and time.time() < deadline:
            for i in range(app.childCount):
                top = app.getChildAtIndex(i)
                if top is not None and top.name == "New Packet":
                    dialog = top
            time.sleep(0.1)
        entries = find_all(dialog, ("text", "entry")) if dialog else []
        if len(entries) < 2:
            time.sleep(1)
            entries = find_all(dialog, ("text", "entry")) if dialog else []
        ok_all &= tap(3, len(entries) >= 2, "the dialog has the name and credit-code entries")
        uscc = make_uscc()
        entries[0].queryEditableText().setTextContents("苏州端到端测试有限公司")
        entries[1].queryEditableText().setTextContents(uscc.lower())
        create = find(dialog, "push button", "Create")
        wait_for(lambda: create.getState().contains(pyatspi.STATE_SENSITIVE), 3)
        click(create)

        rows = wait_for(lambda: query(db, "SELECT uuid, enterprise_name, uscc, kind FROM packets"))
        ok_all &= tap(4, len(rows) == 1 and rows[0][1] == "苏州端到端测试有限公司" and
                      rows[0][2] == uscc,
                      "the packet is in the store with the normalized credit code: %r" % (rows,))
        uuid = rows[0][0] if rows else ""

        # The cover page: type the legal representative; no Save button anywhere.
        time.sleep(0.5)
        frame = find(app, "frame")
        texts = find_all(frame, ("text", "entry"))
        target = None
        for t in texts:
            if t.name.startswith("Legal representative"):
                target = t
        if target is None and len(texts) >= 3:
            target = texts[2]
        target.queryEditableText().setTextContents("黄燕")
        edit = wait_for(lambda: query(db, "SELECT field, value FROM edits WHERE uuid = ? AND "
                                      "field = 'legal_representative'", (uuid,)), 3)
        ok_all &= tap(5, len(edit) >= 1 and "黄燕" in edit[-1][1],
                      "the edit reaches the store within a fraction of a second: %r" % (edit,))

        no_save = find(app, "push button", "Save", timeout=0.5)
        ok_all &= tap(6, no_save is None, "there is no Save button")

        # Type and quit at once (SIGTERM, as when the session ends): nothing is lost.
        address = None
        for t in find_all(frame, ("text", "entry")):
            if t.name.startswith("Address"):
                address = t
        if address is None and len(texts) >= 4:
            address = texts[3]
        address.queryEditableText().setTextContents("江苏省苏州市吴中区木渎镇")
        proc.terminate()
        proc.wait(10)
        edit = query(db, "SELECT value FROM edits WHERE uuid = ? AND field = 'address'", (uuid,))
        ok_all &= tap(7, len(edit) >= 1 and "木渎镇" in edit[-1][0] and proc.returncode == 0,
                      "an edit made just before SIGTERM is saved (exit %s): %r" %
                      (proc.returncode, edit))
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)
    return 0 if ok_all else 1


sys.exit(main())
