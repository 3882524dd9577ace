#!/usr/bin/env python3
"""test_talk.py - `voxcart talk --input FILE.wav` against a real voxcartd (--demo).

Synthesises utterances at test time (Flite's slt and awb voices, eSpeak NG, a
stereo 44.1 kHz copy and a noisy copy made with sox, and one second of silence),
sends each with `voxcart talk --input x.wav --output y.wav --fast --json` and checks
the protocol flow: ready first, exactly one final transcript, reply.done, the
talk.summary line last; speech frames numbered 0..N-1 without gaps, as many as
reply.done announced; the output WAV 24 kHz mono 16-bit and frames x 20 ms long.
Where the server has a recogniser it also checks what it heard (Flite voices only:
eSpeak's formant voice is known to be hard for the acoustic model); checks that
cannot run are printed as "skip" lines with the reason, never counted as passed.
Then: real-time pacing without --fast, the human output (also that with --output,
where reply text is held until its speech is written, every sentence of the reply
still comes out, in order), the hands-free loop over a file (--vad --input: no
turn started or speech cancelled by the buddy's own speech, with and without
echo cancellation), and failures (missing
file, not audio, unwritable output, bad flags, no sound device).  Prints one line
per check and `N passed, M failed` last; exits 1 on any failure.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import wave

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402

VOXCART = os.environ.get("VOXCART", os.path.join(lib.ROOT, "voxcart"))
C = lib.Checks("test_talk")
C.verbose = True  # one line per check
TMP = tempfile.mkdtemp(prefix="voxcart-talk-")
EMAIL, PASSWORD = "shopper@demo.voxcart", "shop-demo-2026"
URL = None
SKIPPED = []


def skip(name, why):
    SKIPPED.append(name)
    print("skip %s: %s" % (name, why))
    sys.stdout.flush()


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART")}
    e.update({"XDG_CONFIG_HOME": os.path.join(TMP, "config"),
              "XDG_STATE_HOME": os.path.join(TMP, "state"), "HOME": TMP, "LC_ALL": "C.UTF-8"})
    return e


def run(args, stdin="", timeout=60):
    p = subprocess.run([VOXCART, "--server", URL] + list(args), input=stdin.encode(),
                       capture_output=True, env=env(), timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def tool(*cmd):
    """Runs a synthesis tool; True when it worked."""
    if not shutil.which(cmd[0]):
        return False
    return subprocess.run(list(cmd), capture_output=True).returncode == 0


def make_inputs():
    """[(name, path, expected words or None)] of utterances that could be made."""
    out = []

    def add(name, path, words, ok):
        if ok and os.path.exists(path):
            out.append((name, path, words))
        else:
            skip("utterance %s" % name, "could not synthesise it (is the tool installed?)")

    p = os.path.join(TMP, "slt.wav")
    # The words the request needs; accuracy as a whole (WER, task success over 144
    # utterances) is test_voice_e2e.py's job.  The trailing "to my cart" is the
    # known weak spot (sometimes heard as a product name: see the issue notes).
    add("flite slt 'add two bananas to my cart'", p, ["add", "bananas"],
        tool("flite", "-voice", "slt", "-t", "add two bananas to my cart", "-o", p))
    p = os.path.join(TMP, "awb.wav")
    add("flite awb 'show my cart'", p, ["show", "cart"],
        tool("flite", "-voice", "awb", "-t", "show my cart", "-o", p))
    p = os.path.join(TMP, "espeak.wav")
    add("espeak-ng 'do you have dark roast coffee'", p, None,
        tool("espeak-ng", "-w", p, "do you have dark roast coffee"))
    src = os.path.join(TMP, "slt.wav")
    if os.path.exists(src):
        p = os.path.join(TMP, "stereo44.wav")
        add("slt as stereo 44.1 kHz float", p, ["bananas"],
            tool("sox", src, "-r", "44100", "-c", "2", "-e", "floating-point", p))
        p = os.path.join(TMP, "noisy.wav")
        add("slt with pink noise", p, None,
            tool("sox", src, p, "synth", "pinknoise", "mix", "vol", "0.9")
            or tool("sox", "-m", src, "-n", p))
    p = os.path.join(TMP, "silence.wav")
    with wave.open(p, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 16000)
    out.append(("one second of silence", p, None))
    return out


def check_flow(name, events, rc, err):
    """The protocol flow of one talk --json run; returns (ready, done, summary)."""
    C.check("%s: exit 0, every line JSON" % name, rc == 0 and events is not None,
            "rc %r, stderr %r" % (rc, err[-300:]))
    events = events or []
    ready = events[0] if events and events[0].get("type") == "ready" else None
    C.check("%s: ready first" % name, ready is not None, events[:1])
    finals = [e for e in events if e.get("type") == "transcript" and e.get("final")]
    C.check("%s: exactly one final transcript" % name, len(finals) == 1, finals)
    done = [e for e in events if e.get("type") == "reply.done"]
    C.check("%s: reply.done arrives" % name, len(done) == 1, done)
    summary = events[-1] if events and events[-1].get("type") == "talk.summary" else None
    C.check("%s: talk.summary last" % name, summary is not None, events[-1:])
    if finals and done:
        order = [e.get("type") for e in events]
        C.check("%s: transcript before the reply, reply.done after it" % name,
                order.index("transcript") < order.index("reply.done") and
                all(t in ("reply.done", "talk.summary")
                    for t in order[order.index("reply.done"):]), order)
    return ready, (done or [None])[0], summary, (finals or [None])[0]


def check_speech(name, done, summary, out_wav):
    frames = (summary or {}).get("speech_frames", -1)
    announced = (done or {}).get("speech_frames", -2)
    C.check("%s: speech frames received = announced by reply.done" % name,
            frames == announced, (frames, announced))
    C.check("%s: frame seqs contiguous, no gaps" % name,
            (summary or {}).get("frames_contiguous") is True and (summary or {}).get("gaps") == 0,
            summary)
    try:
        with wave.open(out_wav) as w:
            fmt = (w.getframerate(), w.getnchannels(), w.getsampwidth())
            secs = w.getnframes() / float(w.getframerate())
    except (OSError, wave.Error) as e:
        fmt, secs = repr(e), -1
    C.check("%s: output is a 24 kHz mono 16-bit WAV" % name, fmt == (24000, 1, 2), fmt)
    if (done or {}).get("text"):
        C.check("%s: the reply is spoken: output holds frames x 20 ms of speech (> 0.3 s)" % name,
                frames > 0 and abs(secs - frames * 0.02) < 0.05 and secs > 0.3, (secs, frames))


def t_utterances(srv):
    inputs = make_inputs()
    for name, path, words in inputs:
        out_wav = path.replace(".wav", "-reply.wav")
        rc, out, err = run(["talk", "--input", path, "--output", out_wav, "--fast", "--json"])
        events = None
        try:
            events = [json.loads(l) for l in out.splitlines() if l.strip()]
        except ValueError:
            pass
        ready, done, summary, final = check_flow(name, events, rc, err)
        check_speech(name, done, summary, out_wav)
        C.check("%s: the summary repeats the final transcript" % name,
                summary is not None and final is not None and
                summary.get("transcript") == final.get("text"), (summary, final))
        engine = ((ready or {}).get("asr") or {}).get("engine")
        label = "%s: recognised %s" % (name, words)
        if words is None:
            if "silence" in name:
                C.check("%s: nothing heard" % name, final is not None and
                        not final.get("text", "x").strip(), final)
            else:
                skip("%s: what was heard" % name, "no reliable expectation for this voice "
                     "(heard %r)" % (final or {}).get("text"))
        elif not engine or engine == "none":
            skip(label, "the server has no speech recogniser (ready.asr.engine %r)" % engine)
        else:
            heard = ((final or {}).get("text") or "").lower().split()
            C.check(label, all(w in heard for w in words), heard)


def t_realtime(srv):
    path = os.path.join(TMP, "slt.wav")
    if not os.path.exists(path):
        skip("real-time pacing", "no Flite utterance")
        return
    with wave.open(path) as w:
        secs = w.getnframes() / float(w.getframerate())
    t0 = time.time()
    rc, out, err = run(["talk", "--input", path, "--output", os.path.join(TMP, "rt.wav")])
    took = time.time() - t0
    C.check("without --fast the file is sent in real time", rc == 0 and took >= secs * 0.9,
            (rc, took, secs, err))
    C.check("human output: what was heard, then the reply",
            re.search(r"^you: .+\n(.|\n)*\S", out) is not None and "{" not in out, out)
    C.check("human output: how much speech was written (stderr)",
            re.search(r"\d+ speech frames, \d+\.\d s, written to ", err) is not None, err)


def t_text_with_speech(srv):
    """Human output with --output: reply text is held until the speech written reaches
    it (reply.delta speech_seq); every sentence must still come out, once, in order."""
    path = os.path.join(TMP, "coffee.wav")
    if not tool("flite", "-voice", "slt", "-t", "do you have dark roast coffee", "-o", path):
        skip("human output in step with speech", "could not synthesise the utterance (flite)")
        return
    rc, out, err = run(["talk", "--input", path, "--output", os.path.join(TMP, "j.wav"),
                        "--fast", "--json"])
    try:
        events = [json.loads(l) for l in out.splitlines() if l.strip()]
    except ValueError:
        events = []
    done = next((e for e in events if e.get("type") == "reply.done"), {})
    deltas = [e for e in events if e.get("type") == "reply.delta"]
    C.check("--json with speech: reply.delta carries speech_seq, events as they come",
            rc == 0 and deltas and all(isinstance(d.get("speech_seq"), int) for d in deltas)
            and events[-1].get("type") == "talk.summary", (rc, deltas, err[-300:]))
    reply = done.get("text") or ""
    sentences = [x for x in re.split(r"(?<=[.!?])\s+", reply.strip()) if x]
    C.check("the reply has several sentences to hold", len(sentences) >= 2 and
            (done.get("speech_frames") or 0) > 0, done)
    out_wav = os.path.join(TMP, "h.wav")
    rc, out, err = run(["talk", "--input", path, "--output", out_wav, "--fast"])
    lines = out.splitlines()
    text = " ".join(l for l in lines if not l.startswith("you: ") and not l.startswith("  "))
    at, missing = 0, []
    for sent in sentences:
        i = text.find(sent, at)
        if i < 0:
            missing.append(sent)
        else:
            at = i + len(sent)
    C.check("human output with --output: every sentence of the reply, in order",
            rc == 0 and sentences and not missing and "{" not in out,
            "rc %r, missing %r\nstdout %r\nstderr %r" % (rc, missing, out, err[-300:]))
    C.check("human output with --output: each sentence once, the reply on one line",
            all(text.count(x) == 1 for x in sentences) and
            len([l for l in lines if sentences and sentences[0] in l]) == 1 and
            sentences[-1] in next((l for l in lines if sentences[0] in l), ""), lines)
    C.check("human output with --output: the speech is written whole",
            re.search(r"\d+ speech frames, \d+\.\d s, written to ", err) is not None and
            os.path.exists(out_wav), err)


def t_vad_file(srv):
    """--vad --input: the file stands in for the microphone in the hands-free loop and
    the speech written to --output (in real time) is the echo canceller's far end.
    An utterance then silence: one turn, its reply spoken whole, and neither the
    buddy's own speech nor the canceller's output makes the VAD start a turn or barge
    in - with the canceller and with --no-aec (microphone gated)."""
    src = os.path.join(TMP, "slt.wav")
    if not os.path.exists(src):
        skip("hands-free over a file", "no Flite utterance")
        return
    path = os.path.join(TMP, "slt-then-silence.wav")
    with wave.open(src) as w:
        params, data = w.getparams(), w.readframes(w.getnframes())
    with wave.open(path, "wb") as w:
        w.setparams(params)
        w.writeframes(data + b"\0" * (w.getsampwidth() * w.getnchannels() *
                                       w.getframerate() * 3))
    for flags, aec in (([], True), (["--no-aec"], False)):
        name = "talk --vad --input%s" % (" " + " ".join(flags) if flags else "")
        out_wav = os.path.join(TMP, "vad-reply.wav")
        rc, out, err = run(["talk", "--vad", "--input", path, "--output", out_wav, "--json"]
                           + flags, timeout=90)
        try:
            events = [json.loads(l) for l in out.splitlines() if l.strip()]
        except ValueError:
            events = None
        ready, done, summary, final = check_flow(name, events, rc, err)
        check_speech(name, done, summary, out_wav)
        summary = summary or {}
        C.check("%s: one utterance, no barge-in, reply not cancelled" % name,
                summary.get("utterances") == 1 and summary.get("barge_ins") == 0 and
                done is not None and not done.get("cancelled"), (summary, done))
        C.check("%s: echo cancellation %s" % (name, "on" if aec else "off"),
                summary.get("aec") is aec, summary)
    rc, out, err = run(["talk", "--vad", "--input", path, "--fast"])
    C.check("--vad with --input --fast: usage error", rc == 2 and "usage:" in err, (rc, err))


def t_failures(srv):
    rc, out, err = run(["talk", "--input", os.path.join(TMP, "missing.wav")])
    C.check("missing input: exit 1, says no such file", rc == 1 and "no such file" in err, (rc, err))
    bogus = os.path.join(TMP, "bogus.wav")
    with open(bogus, "w") as f:
        f.write("this is not audio\n" * 10)
    rc, out, err = run(["talk", "--input", bogus])
    C.check("not audio: exit 1, says so", rc == 1 and re.search(r"not a (WAV|audio)", err), (rc, err))
    src = os.path.join(TMP, "silence.wav")
    rc, out, err = run(["talk", "--input", src, "--output", "/nonexistent/dir/y.wav", "--fast"])
    C.check("unwritable --output: exit 1 with a message", rc == 1 and "voxcart:" in err, (rc, err))
    rc, out, err = run(["talk", "--fast"])
    C.check("--fast without --input: usage error", rc == 2 and "usage:" in err, (rc, err))
    rc, out, err = run(["talk"], stdin="")
    C.check("push-to-talk without a terminal: usage error", rc == 2 and "terminal" in err, (rc, err))
    try:
        rc, out, err = run(["talk", "--vad"], timeout=10)
    except subprocess.TimeoutExpired:
        skip("no sound device: clear message", "this machine has a microphone")
        return
    if "no sound device" in err:
        C.check("no sound device: exit 1 and the hint to use files",
                rc == 1 and "--input FILE.wav" in err, (rc, err))
    else:
        skip("no sound device: clear message", "a sound device exists (%r)" % err[:200])


def wait_language_model(srv, timeout=20):
    """The server builds its recogniser's language model from the catalog in the
    background after it starts listening; an audio turn that comes sooner is decoded
    without it (heard "add to the nanosecond icon to").  Waits for the log line."""
    end = time.time() + timeout
    while time.time() < end:
        try:
            with open(srv.log_path, "rb") as f:
                if b"language model built" in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def main():
    global URL
    srv = lib.Server(args=["--demo"])
    srv.start()
    URL = "http://127.0.0.1:%d" % srv.port
    try:
        rc, out, err = run(["login", EMAIL], stdin=PASSWORD + "\n")
        C.check("login", rc == 0, (rc, out, err))
        if not wait_language_model(srv):
            skip("waiting for the language model", "the server log never said it was built; "
                 "recognition checks may fail")
        for t in (t_utterances, t_realtime, t_text_with_speech, t_vad_file, t_failures):
            C.run(t.__name__, t, srv)
    finally:
        status = srv.stop()
        C.check("server shut down cleanly", status == 0, status)
        shutil.rmtree(TMP, ignore_errors=True)
    if SKIPPED:
        print("skipped (not counted): %d: %s" % (len(SKIPPED), "; ".join(SKIPPED)))
    C.finish()


if __name__ == "__main__":
    main()
