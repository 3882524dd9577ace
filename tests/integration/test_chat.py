#!/usr/bin/env python3
"""test_chat.py - `voxcart chat` against a real voxcartd (--demo catalog).

Logs the demo shopper in with ./voxcart and checks: piped chat is a filter (one reply
line per input line, blank lines skipped, nothing else on stdout), the buddy's actions
really change the cart, --json prints every server event as one JSON line with one
reply.done per turn (its text the joined deltas), --conversation continues a
conversation, --output writes the spoken reply as a 24 kHz WAV, the interactive mode
on a pseudo-terminal (readline prompt, streamed reply, action lines, private history
file), and the failures: refused token (exit 4, "log in"), unreachable server (exit 3),
not logged in (exit 4), bad command line (exit 2).  Prints one line per check and
`N passed, M failed` last; exits 1 on any failure.
"""

import json
import os
import pty
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

VOXCART = os.environ.get("VOXCART", os.path.join(lib.ROOT, "voxcart"))
C = lib.Checks("test_chat")
C.verbose = True  # one line per check
TMP = tempfile.mkdtemp(prefix="voxcart-chat-")
EMAIL, PASSWORD = "shopper@demo.voxcart", "shop-demo-2026"
URL = None


def env_for(who):
    d = os.path.join(TMP, who)
    os.makedirs(d, exist_ok=True)
    e = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART")}
    e.update({"XDG_CONFIG_HOME": os.path.join(d, "config"),
              "XDG_STATE_HOME": os.path.join(d, "state"),
              "HOME": d, "LC_ALL": "C.UTF-8", "TERM": "dumb"})
    return e


def run(args, who="shopper", stdin="", server=None, timeout=60):
    cmd = [VOXCART, "--server", server or URL] + list(args)
    p = subprocess.run(cmd, input=stdin.encode(), capture_output=True, env=env_for(who),
                       timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def json_lines(out):
    try:
        return [json.loads(l) for l in out.splitlines() if l.strip()]
    except ValueError:
        return None


def write_credentials(who, server, access, refresh):
    d = os.path.join(env_for(who)["XDG_CONFIG_HOME"], "voxcart")
    os.makedirs(d, mode=0o700, exist_ok=True)
    path = os.path.join(d, "credentials")
    with open(path, "w") as f:
        f.write("server = %s\nemail = %s\naccess_token = %s\nrefresh_token = %s\n"
                "expires_at = %d\n" % (server, EMAIL, access, refresh, int(time.time()) + 3600))
    os.chmod(path, 0o600)


def login(who):
    rc, out, err = run(["login", EMAIL], who, stdin=PASSWORD + "\n")
    return C.check("login %s" % who, rc == 0, "rc %r %r %r" % (rc, out, err))


def cart_titles(who):
    rc, out, _ = run(["--json", "cart"], who)
    lines = json_lines(out) if rc == 0 else None
    return [i.get("title", "") for i in (lines[0].get("items", []) if lines else [])]


# ---------------------------------------------------------------------------------
def t_piped(srv):
    login("shopper")
    run(["cart", "clear"], "shopper")
    lines = ["add a soy milk", "show my cart", "do you have dark roast coffee"]
    rc, out, err = run(["chat"], stdin="\n".join(lines) + "\n")
    got = out.splitlines()
    C.check("piped chat exits 0", rc == 0, "rc %r, stderr %r" % (rc, err))
    C.check("piped chat: one reply line per input line", len(got) == len(lines) and
            all(l.strip() for l in got), got)
    C.check("piped chat: nothing on stderr", err == "", err)
    C.check("the buddy's cart.add reached the cart",
            any("Soy Milk" in t for t in cart_titles("shopper")), cart_titles("shopper"))
    C.check("the reply to 'show my cart' names the item",
            len(got) > 1 and "soy milk" in got[1].lower(), got)
    rc, out, err = run(["chat"], stdin="show my cart\n\n   \nshow my cart")
    C.check("blank lines are skipped, a last line without newline counts",
            rc == 0 and len(out.splitlines()) == 2, (rc, out, err))
    rc, out, err = run(["chat"], stdin="")
    C.check("empty input: no output, exit 0", rc == 0 and out == "", (rc, out, err))
    hist = os.path.join(env_for("shopper")["XDG_STATE_HOME"], "voxcart", "chat_history")
    C.check("piped chat keeps no history", not os.path.exists(hist), hist)


def t_json(srv):
    lines = ["show my cart", "add two organic bananas", "what is in my cart"]
    rc, out, err = run(["chat", "--json"], stdin="\n".join(lines) + "\n")
    events = json_lines(out)
    C.check("--json: exit 0 and every line is JSON", rc == 0 and events is not None,
            (rc, out[:300], err))
    events = events or []
    C.check("--json: every event has a type", all(isinstance(e.get("type"), str) for e in events))
    C.check("--json: ready comes first", events[:1] and events[0]["type"] == "ready", events[:1])
    done = [e for e in events if e["type"] == "reply.done"]
    C.check("--json: one reply.done per turn, turns 1..N",
            [d.get("turn") for d in done] == list(range(1, len(lines) + 1)), done)
    joined_ok = True
    for d in done:
        deltas = sorted((e for e in events if e["type"] == "reply.delta" and
                         e.get("turn") == d["turn"]), key=lambda e: e.get("seq", 0))
        if "".join(e.get("text", "") for e in deltas) != d.get("text"):
            joined_ok = False
    C.check("--json: reply.done text is the joined deltas", joined_ok)
    C.check("--json: actions are printed", any(e["type"] == "action" for e in events))
    last_done = max((i for i, e in enumerate(events) if e["type"] == "reply.done"), default=-1)
    C.check("--json: reply.done is the last event of the last turn", last_done == len(events) - 1)
    conv = events[0].get("conversation_id") if events else None
    rc, out, err = run(["chat", "--json", "--conversation", str(conv)], stdin="show my cart\n")
    ev = json_lines(out) or [{}]
    C.check("--conversation continues that conversation",
            rc == 0 and ev[0].get("conversation_id") == conv, (rc, out[:200], err))
    rc, out, err = run(["--json", "chat"], stdin="show my cart\n")
    C.check("global --json works too", rc == 0 and (json_lines(out) or [{}])[0].get("type") == "ready")


def t_speech(srv):
    wav_path = os.path.join(TMP, "chat-speech.wav")
    rc, out, err = run(["chat", "--json", "--output", wav_path], stdin="show my cart\n")
    events = json_lines(out) or []
    done = [e for e in events if e.get("type") == "reply.done"]
    frames = done[0].get("speech_frames", 0) if done else 0
    C.check("chat --output: exit 0 with speech frames", rc == 0 and frames > 0, (rc, err, done))
    try:
        with wave.open(wav_path) as w:
            ok = w.getframerate() == 24000 and w.getnchannels() == 1 and w.getsampwidth() == 2
            secs = w.getnframes() / 24000.0
    except (OSError, wave.Error) as e:
        ok, secs = False, repr(e)
    C.check("chat --output: 24 kHz mono WAV as long as the frames (20 ms each)",
            ok and abs(secs - frames * 0.02) < 0.05, (secs, frames))


def read_until(fd, pattern, timeout=15):
    buf = b""
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            buf += chunk
            if re.search(pattern, buf):
                return buf
    return buf


def screen(raw):
    """Terminal output as text: escape sequences and carriage returns removed."""
    text = raw.decode("utf-8", "replace")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text).replace("\r", "")


def t_interactive(srv):
    e = env_for("shopper")
    e["TERM"] = "xterm"
    master, slave = pty.openpty()
    p = subprocess.Popen([VOXCART, "--server", URL, "chat"], stdin=slave, stdout=slave,
                         stderr=slave, env=e, close_fds=True)
    os.close(slave)
    try:
        first = read_until(master, rb"> ")
        C.check("terminal: a prompt", b"> " in first, first[-200:])
        os.write(master, b"do you have dark roast coffee\r")
        reply = read_until(master, rb"\n(\x1b\[\?2004h)?> ")
        text = screen(reply)
        C.check("terminal: the reply streams in, search results as a numbered list",
                re.search(r"^\s+1\. .*\$\d+\.\d\d", text, re.M) is not None, text[-500:])
        os.write(master, b"add a soy milk\r")
        reply = screen(read_until(master, rb"\n(\x1b\[\?2004h)?> "))
        C.check("terminal: cart.add as a short line (+ N x Title   cart $)",
                re.search(r"^\s+\+ \d+ \u00d7 .+ {3}cart \$\d+\.\d\d", reply, re.M) is not None,
                reply[-500:])
        os.write(master, b"\x04")
        p.wait(timeout=10)
        C.check("terminal: Ctrl-D leaves with status 0", p.returncode == 0, p.returncode)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    hist = os.path.join(e["XDG_STATE_HOME"], "voxcart", "chat_history")
    try:
        mode = stat.S_IMODE(os.stat(hist).st_mode)
        text = open(hist).read()
    except OSError as ex:
        mode, text = None, repr(ex)
    C.check("terminal: history saved, private (0600)",
            mode == 0o600 and "add a soy milk" in text, (oct(mode or 0), text))


def t_terminal_rendering(srv):
    """On a terminal replies wrap at word boundaries (piped output is left alone), and
    a removal names the product even when this connection never saw it."""
    import fcntl
    import struct
    import termios
    e = env_for("shopper")
    e["TERM"] = "xterm"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    p = subprocess.Popen([VOXCART, "--server", URL, "chat"], stdin=slave, stdout=slave,
                         stderr=slave, env=e, close_fds=True)
    os.close(slave)
    try:
        read_until(master, rb"> ")
        os.write(master, b"what can you do\r")
        text = screen(read_until(master, rb"\n(\x1b\[\?2004h)?> "))
        lines = [l for l in text.split("\n")[1:] if l.strip() and not l.startswith(">")]
        C.check("terminal 40 columns: every reply line fits", lines and
                all(len(l) <= 40 for l in lines), lines)
        rc, out, _ = run(["--json", "chat"], stdin="what can you do\n")
        done = [ev for ev in json_lines(out) or [] if ev.get("type") == "reply.done"]
        whole = done[0]["text"] if done else ""
        C.check("terminal: wrapped at word boundaries (the words joined are the reply)",
                whole and " ".join(" ".join(lines).split()) == " ".join(whole.split()),
                (lines, whole))
        rc, out, _ = run(["chat"], stdin="what can you do\n")
        C.check("piped: the reply stays one line", rc == 0 and len(out.strip().split("\n")) == 1,
                out)
        # a removal on a fresh connection: the product's title, not "item"
        os.write(master, b"remove the soy milk\r")
        text = screen(read_until(master, rb"\n(\x1b\[\?2004h)?> "))
        C.check("terminal: the remove action line names the product",
                re.search(r"^\s+- \S", text, re.M) is not None and
                re.search(r"^\s+- item\s*$", text, re.M) is None, text[-400:])
        os.write(master, b"\x04")
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)


def t_failures(srv):
    write_credentials("refused", URL, "A" * 43, "B" * 43)
    rc, out, err = run(["chat"], "refused", stdin="show my cart\n")
    first = err.splitlines()[0] if err else ""
    C.check("refused token: exit 4 and one clear line saying to log in",
            rc == 4 and first.startswith("voxcart: ") and re.search(r"log ?in", first) and
            len(err.splitlines()) == 1 and out == "", (rc, out, err))
    write_credentials("refused2", URL, "A" * 43, "B" * 43)
    rc, out, err = run(["chat", "--json"], "refused2", stdin="show my cart\n")
    lines = json_lines(out) or []
    C.check("refused token --json: an error object on stdout",
            rc == 4 and lines and "error" in lines[-1], (rc, out, err))
    dead = "http://127.0.0.1:%d" % lib.free_port()
    write_credentials("dead", dead, "A" * 43, "B" * 43)
    rc, out, err = run(["chat"], "dead", stdin="show my cart\n", server=dead)
    C.check("unreachable server: exit 3, 'cannot reach'",
            rc == 3 and re.search(r"^voxcart: cannot reach voxcartd", err) is not None,
            (rc, err))
    rc, out, err = run(["chat"], "nobody", stdin="hi\n")
    C.check("not logged in: exit 4", rc == 4 and "not logged in" in err, (rc, err))
    rc, out, err = run(["chat", "extra"], "shopper")
    C.check("unexpected argument: exit 2 with usage", rc == 2 and "usage: voxcart chat" in err,
            (rc, err))
    rc, out, err = run(["chat", "--conversation", "x"], "shopper")
    C.check("bad --conversation: exit 2", rc == 2, (rc, err))
    rc, out, _ = run(["help"], "nobody")
    C.check("help lists chat and talk",
            re.search(r"^  chat ", out, re.M) and re.search(r"^  talk ", out, re.M), out)


def main():
    global URL
    srv = lib.Server(args=["--demo"])
    srv.start()
    URL = "http://127.0.0.1:%d" % srv.port
    try:
        for t in (t_piped, t_json, t_speech, t_interactive, t_terminal_rendering, t_failures):
            C.run(t.__name__, t, srv)
    finally:
        status = srv.stop()
        C.check("server shut down cleanly", status == 0, status)
        shutil.rmtree(TMP, ignore_errors=True)
    C.finish()


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
