#!/usr/bin/env python3
"""Voice benchmark: spoken turns with `voxcart talk --input x.wav --json` against a
real voxcartd holding the test catalog.

Measures
  - audio.stop -> first speech frame, p50 and p99, for 1 session (turns one after
    another) and for 20 concurrent voice sessions (20 `voxcart talk` processes at
    once, each paced in real time as a microphone would be, not --fast);
  - the recogniser's real-time factor;
  - the server's CPU per voice session: its CPU time (/proc/PID/stat, user+system)
    over the concurrent run divided by sessions x seconds of audio, i.e. the share of
    one core a talking shopper costs.

Where the numbers come from: `voxcart talk`'s talk.summary has no client-side
timing, so audio.stop -> first speech is reply.done.timing.first_speech_ms, which the
server measures from the moment it receives audio.stop to the moment it hands the
first speech frame to the socket (recognition, understanding, acting and the first
sentence's synthesis; timing.asr_ms is the recognition part of it).  The network
hop back to the client (loopback here) is not in it.  As a cross-check the bench
also timestamps talk's JSON lines as they arrive and reports the client-observed
"audio sent -> first reply.delta line" estimate (the end of the audio taken as the
`ready` line's arrival plus the utterance's length, so it carries some jitter).

The real-time factor: (1) the server's CPU time per second of audio over the
sequential --fast pass (decoding, Opus, understanding and speech synthesis: an upper
bound for the recogniser alone), and (2) timing.asr_ms per second of audio, the part
of recognition left after audio.stop (the rest runs while audio arrives).

Then the recognition grid: tests/integration/test_voice_e2e.py with every hard
condition (noise, reverb, gain, leading silence, speed, accents) and every sentence
(E2E_CONDITIONS=full), WER and task success per condition for the held-out half and
for both; VOXCARTD_BASELINE=old-binary adds the same figures for that binary.

  voice_bench.py [--sessions 20] [--rounds 3] [--no-grid] [--json tests/bench/out/voice.json]

VOXCARTD_BASELINE=old-binary: the one-session turns also go to a second server running
that binary, one turn each in turn (so both see the same machine load), and its
figures are printed beside; the concurrent run is repeated on it after the first.
VOICE_BENCH_BASELINE_CONFIG adds configuration lines to that server ("[voice]\\n
early_end = off": the same binary without a feature).

Needs flite and sox, a built ./voxcartd and ./voxcart; Python standard library only.
"""

import argparse
import concurrent.futures as futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import lib  # noqa: E402

VOXCART = os.environ.get("VOXCART", os.path.join(ROOT, "voxcart"))
CATALOG = os.path.join(ROOT, "tests", "fixtures", "test_catalog.csv")
TICK = os.sysconf("SC_CLK_TCK")
BASELINE = os.environ.get("VOXCARTD_BASELINE")
BASELINE_CONFIG = os.environ.get("VOICE_BENCH_BASELINE_CONFIG", "")

UTTERANCES = [
    ("slt", "add two gala apples to my cart"), ("awb", "do you have oat milk"),
    ("rms", "what's in my cart"), ("slt", "show me wireless headphones under fifty dollars"),
    ("awb", "remove the whole milk"), ("rms", "how much is the french press"),
    ("slt", "i'd like three blueberries"), ("awb", "can i get a sourdough bread"),
    ("rms", "do you sell bluetooth speakers"), ("slt", "where is my order"),
]


def pct(values, p):
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / float(TICK)  # utime, stime


def synthesise(tmp):
    out = []
    for i, (voice, text) in enumerate(UTTERANCES):
        raw = os.path.join(tmp, "u%d.raw.wav" % i)
        path = os.path.join(tmp, "u%d.wav" % i)
        subprocess.run(["flite", "-voice", voice, "-t", text, "-o", raw], check=True)
        subprocess.run(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", path, "pad", "0.3", "0.3"],
                       check=True)
        with wave.open(path) as w:
            out.append((path, text, w.getnframes() / float(w.getframerate())))
    return out


class Shoppers:
    def __init__(self, srv, tmp):
        self.srv, self.tmp, self.n = srv, tmp, 0
        self.url = "http://127.0.0.1:%d" % srv.port

    def env(self, cfg):
        e = {k: v for k, v in os.environ.items() if not k.startswith("VOXCART")}
        e.update({"XDG_CONFIG_HOME": cfg, "XDG_STATE_HOME": cfg, "HOME": cfg,
                  "LC_ALL": "C.UTF-8", "VOXCART_SERVER": self.url})
        return e

    def new(self):
        self.n += 1
        cfg = os.path.join(self.tmp, "cfg%d" % self.n)
        os.makedirs(cfg)
        subprocess.run([VOXCART, "register", "bench%d@voice.bench" % self.n, "--password-stdin"],
                       input=b"password123\n", capture_output=True, env=self.env(cfg), check=True)
        return cfg


def talk(shoppers, cfg, wav, secs, fast, outdir):
    """One spoken turn; returns a record with the server and client timings."""
    args = [VOXCART, "talk", "--input", wav, "--output",
            os.path.join(outdir, "reply-%d.wav" % threading.get_ident()), "--json"]
    if fast:
        args.append("--fast")
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=shoppers.env(cfg))
    stamps, events = [], []
    for line in p.stdout:
        stamps.append(time.monotonic())
        try:
            events.append(json.loads(line))
        except ValueError:
            events.append({})
    err = p.stderr.read().decode("utf-8", "replace")
    rc = p.wait()
    rec = {"rc": rc, "audio_s": secs, "wall_s": time.monotonic() - t0, "err": err[-200:]}
    for t, e in zip(stamps, events):
        ty = e.get("type")
        if ty == "ready" and "t_ready" not in rec:
            rec["t_ready"] = t
        elif ty == "reply.delta" and "t_delta" not in rec:
            rec["t_delta"] = t
        elif ty == "reply.done":
            timing = e.get("timing") or {}
            rec["first_speech_ms"] = timing.get("first_speech_ms")
            rec["asr_ms"] = timing.get("asr_ms")
            rec["think_ms"] = timing.get("think_ms")
            rec["first_text_ms"] = timing.get("first_text_ms")
            rec["first_packet_ms"] = timing.get("first_packet_ms")
            rec["asr_cpu_ms"] = timing.get("asr_cpu_ms")
            rec["first_speech_cpu_ms"] = timing.get("first_speech_cpu_ms")
            rec["speech_frames"] = e.get("speech_frames")
        elif ty == "talk.summary":
            rec["transcript"] = e.get("transcript")
            rec["contiguous"] = e.get("frames_contiguous")
    if not fast and "t_ready" in rec and "t_delta" in rec:
        rec["client_est_ms"] = (rec["t_delta"] - (rec["t_ready"] + secs)) * 1000.0
    for k in ("t_ready", "t_delta"):
        rec.pop(k, None)
    return rec


def summary(recs):
    ok = [r for r in recs if r["rc"] == 0 and r.get("first_speech_ms") is not None]
    fs = [r["first_speech_ms"] for r in ok]
    asr = [r["asr_ms"] for r in ok if r.get("asr_ms") is not None]
    est = [r["client_est_ms"] for r in ok if r.get("client_est_ms") is not None]
    def stage(key):
        v = [r[key] for r in ok if r.get(key) is not None]
        return {"p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)}
    return {
        "stages_ms": {k: stage(k) for k in ("asr_ms", "first_text_ms", "first_packet_ms",
                                             "first_speech_ms", "client_est_ms", "asr_cpu_ms",
                                             "first_speech_cpu_ms")},
        "turns": len(recs), "failed": len(recs) - len(ok),
        "stop_to_first_speech_ms": {"p50": pct(fs, 50), "p95": pct(fs, 95), "p99": pct(fs, 99),
                                    "max": max(fs) if fs else None},
        "asr_after_stop_ms": {"p50": pct(asr, 50), "p99": pct(asr, 99)},
        "client_est_stop_to_first_delta_ms": {"p50": pct(est, 50), "p99": pct(est, 99)},
        "contiguous": all(r.get("contiguous") for r in ok),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json", default=os.path.join(HERE, "out", "voice.json"))
    ap.add_argument("--no-grid", action="store_true", help="latency and CPU only")
    ap.add_argument("--single-rounds", type=int, default=3,
                    help="passes over the utterances for the one-session figures")
    a = ap.parse_args()
    for tool in ("flite", "sox"):
        if not shutil.which(tool):
            sys.exit("voice_bench: %s is needed" % tool)
    tmp = tempfile.mkdtemp(prefix="voxcart-vbench-")
    utts = synthesise(tmp)
    audio_total = sum(s for _, _, s in utts)
    srv = lib.Server(args=["--import-catalog", CATALOG], name="voice-bench")
    srv.start()
    base_srv = None
    if BASELINE:
        old = lib.VOXCARTD
        lib.VOXCARTD = BASELINE
        try:
            base_srv = lib.Server(config=lib.DEFAULT_CONFIG + BASELINE_CONFIG.replace("\\n", "\n"),
                                  args=["--import-catalog", CATALOG], name="voice-bench-baseline")
            base_srv.start()
        finally:
            lib.VOXCARTD = old
    result = {"machine": {"cpus": os.cpu_count()}, "utterances": len(utts),
              "utterance_audio_s": round(audio_total / len(utts), 2)}
    try:
        end = time.time() + 30
        while time.time() < end and b"language model built" not in open(srv.log_path, "rb").read():
            time.sleep(0.05)
        pid = srv.proc.pid
        sh = Shoppers(srv, tmp)
        one = sh.new()
        talk(sh, one, utts[0][0], utts[0][2], True, tmp)  # warm: a decoder in the pool

        # Real-time factor: sequential --fast turns, server CPU per audio second.
        c0 = cpu_seconds(pid)
        fast = [talk(sh, one, w, s, True, tmp) for w, _, s in utts]
        cpu_fast = cpu_seconds(pid) - c0
        asr_rtf = [r["asr_ms"] / 1000.0 / r["audio_s"] for r in fast if r.get("asr_ms") is not None]
        result["rtf"] = {
            "server_cpu_per_audio_s_fast": round(cpu_fast / audio_total, 4),
            "asr_after_stop_ms_per_audio_s": round(statistics.mean(asr_rtf), 4) if asr_rtf else None,
            "note": "server CPU includes decoding, Opus, the buddy and speech synthesis",
        }

        # One session, paced in real time.
        single, before = [], []
        if base_srv:
            bsh = Shoppers(base_srv, tmp)
            bsh.n = 1000
            bone = bsh.new()
            talk(bsh, bone, utts[0][0], utts[0][2], True, tmp)
        for rnd in range(a.single_rounds):
            for w, _, s in utts:
                # one turn on each server in turn: the machine's load falls on both
                single.append(talk(sh, one, w, s, False, tmp))
                if base_srv:
                    before.append(talk(bsh, bone, w, s, False, tmp))
        result["single"] = summary(single)
        if base_srv:
            result["single_baseline"] = summary(before)
            result["single_baseline"]["binary"] = BASELINE

        # N concurrent sessions, paced in real time, a few rounds (then the same on
        # the baseline server, when there is one).
        def concurrent(server, shoppers, pid_of):
            cfgs = [shoppers.new() for _ in range(a.sessions)]
            conc, audio_conc = [], 0.0
            c0, t0 = cpu_seconds(pid_of), time.monotonic()
            with futures.ThreadPoolExecutor(a.sessions) as pool:
                for rnd in range(a.rounds):
                    jobs = []
                    for i, cfg in enumerate(cfgs):
                        w, _, s = utts[(i + rnd) % len(utts)]
                        audio_conc += s
                        jobs.append(pool.submit(talk, shoppers, cfg, w, s, False, tmp))
                    conc += [j.result() for j in jobs]
            cpu_conc, wall = cpu_seconds(pid_of) - c0, time.monotonic() - t0
            summ = summary(conc)
            summ["sessions"] = a.sessions
            summ["rounds"] = a.rounds
            return summ, {
                "server_cpu_s": round(cpu_conc, 2), "wall_s": round(wall, 2),
                "audio_s": round(audio_conc, 1),
                "cpu_per_session_audio_s": round(cpu_conc / audio_conc, 4),
                "cpu_per_turn_s": round(cpu_conc / len(conc), 4),
                "mean_cores_busy": round(cpu_conc / wall, 2)}
        result["concurrent"], result["cpu"] = concurrent(srv, sh, pid)
        if base_srv:
            result["concurrent_baseline"], result["cpu_baseline"] = concurrent(
                base_srv, bsh, base_srv.proc.pid)
    finally:
        srv.stop()
        if base_srv:
            base_srv.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    def ms(v):
        return "%7.0f" % v if v is not None else "      -"
    print("voice bench: %d utterances of %.1f s on average, %d CPUs" %
          (len(utts), result["utterance_audio_s"], os.cpu_count()))
    print("\n%-28s %7s %7s %7s   %s" % ("audio.stop -> first speech", "p50", "p99", "max", "(server-side, ms)"))
    for name, key in (("1 session", "single"), ("%d concurrent sessions" % a.sessions, "concurrent")):
        s = result[key]["stop_to_first_speech_ms"]
        print("%-28s %s %s %s   turns %d, failed %d" % (name, ms(s["p50"]), ms(s["p99"]), ms(s["max"]),
                                                        result[key]["turns"], result[key]["failed"]))
    for name, key in (("1 session", "single"), ("%d concurrent sessions" % a.sessions, "concurrent")):
        s, e = result[key]["asr_after_stop_ms"], result[key]["client_est_stop_to_first_delta_ms"]
        print("  %-26s recognition after stop p50 %s p99 %s; client-observed first reply.delta "
              "(estimate) p50 %s p99 %s" % (name, ms(s["p50"]).strip(), ms(s["p99"]).strip(),
                                            ms(e["p50"]).strip(), ms(e["p99"]).strip()))
    if "single_baseline" in result:
        s = result["single_baseline"]["stop_to_first_speech_ms"]
        print("%-28s %s %s %s   turns %d (VOXCARTD_BASELINE, interleaved with the above)" % (
            "1 session, baseline", ms(s["p50"]), ms(s["p99"]), ms(s["max"]),
            result["single_baseline"]["turns"]))
    print("\nstages after audio.stop (server clock, ms; p50 / p95 / p99):")
    if "concurrent_baseline" in result:
        s = result["concurrent_baseline"]["stop_to_first_speech_ms"]
        print("%-28s %s %s %s   turns %d (baseline, p95 %s)" % (
            "%d concurrent, baseline" % a.sessions, ms(s["p50"]), ms(s["p99"]), ms(s["max"]),
            result["concurrent_baseline"]["turns"], ms(s["p95"]).strip()))
    for name, key in (("1 session", "single"), ("1 s. baseline", "single_baseline"),
                      ("%d concurrent" % a.sessions, "concurrent"),
                      ("%d conc. base" % a.sessions, "concurrent_baseline")):
        if key not in result:
            continue
        st = result[key]["stages_ms"]
        print("  %-14s " % name + "  ".join(
            "%s %s/%s/%s" % (label, ms(st[k]["p50"]).strip(), ms(st[k]["p95"]).strip(),
                             ms(st[k]["p99"]).strip())
            for label, k in (("transcript", "asr_ms"), ("understood", "first_text_ms"),
                             ("synthesised", "first_packet_ms"), ("on socket", "first_speech_ms"),
                             ("client", "client_est_ms"))))
        print("  %-14s " % "" + "CPU of the turn's thread: recognition %s/%s/%s, to the first frame "
              "%s/%s/%s" % tuple("%.1f" % st[k][p] if st[k][p] is not None else "-"
                                  for k in ("asr_cpu_ms", "first_speech_cpu_ms")
                                  for p in ("p50", "p95", "p99")))
    r, c = result["rtf"], result["cpu"]
    print("\nreal-time factor: server CPU per second of audio (--fast, sequential) %.3f; "
          "recognition after audio.stop %.3f s per s of audio" %
          (r["server_cpu_per_audio_s_fast"], r["asr_after_stop_ms_per_audio_s"] or 0))
    print("CPU per voice session: %.3f core-seconds per second of audio (%.0f%% of a core while a "
          "shopper talks); %.3f s per turn; %.2f cores busy on average over %.1f s" %
          (c["cpu_per_session_audio_s"], 100 * c["cpu_per_session_audio_s"], c["cpu_per_turn_s"],
           c["mean_cores_busy"], c["wall_s"]))
    if "cpu_baseline" in result:
        print("CPU per voice session, baseline: %.3f core-seconds per second of audio" %
              result["cpu_baseline"]["cpu_per_session_audio_s"])
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    grid_ok = True
    if not a.no_grid:
        grid_ok = run_grid(result, os.path.join(os.path.dirname(os.path.abspath(a.json)),
                                                "voice_grid.json"))
    with open(a.json, "w") as f:
        json.dump(result, f, indent=1)
    print("\nwritten to %s" % a.json)
    bad = result["single"]["failed"] + result["concurrent"]["failed"]
    sys.exit(1 if bad or not grid_ok else 0)


def run_grid(result, out):
    """The condition grid through test_voice_e2e.py; figures into result["grid"]."""
    env = dict(os.environ, E2E_BASE="0", E2E_CONDITIONS="full", E2E_OUT=out)
    t0 = time.monotonic()
    print("\nvoice grid: every condition x every sentence (test_voice_e2e.py) ...")
    sys.stdout.flush()
    p = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "integration",
                                                     "test_voice_e2e.py")],
                       env=env, capture_output=True)
    try:
        with open(out) as f:
            g = json.load(f)
    except (OSError, ValueError):
        print("voice grid failed (exit %d):\n%s" % (p.returncode,
                                                   p.stdout.decode("utf-8", "replace")[-2000:]))
        return False
    figs, base = g["figures"], (g.get("baseline") or {}).get("figures")
    result["grid"] = {"utterances": g["utterances"], "seconds": round(time.monotonic() - t0, 1),
                      "figures": {k: v for k, v in figs.items() if k.startswith("hard_")},
                      "baseline": base and {k: v for k, v in base.items() if k.startswith("hard_")}}
    for key, title in (("hard_by_condition_held", "held-out half"),
                       ("hard_by_condition", "both halves")):
        print("\n%-28s %5s %7s %8s%s" % ("condition (%s)" % title, "n", "WER", "task ok",
                                        "   WER before  task before" if base else ""))
        for c in sorted(figs[key], key=lambda c: (c == "all", c)):
            f = figs[key][c]
            line = "%-28s %5d %6.1f%% %7.1f%%" % (c, f["n"], 100 * f["wer"], 100 * f["task_success"])
            b = base and base[key].get(c)
            if b:
                line += "   %9.1f%%  %10.1f%%" % (100 * b["wer"], 100 * b["task_success"])
            print(line)
    print("\ngrid: %d utterances in %.0f s; written to %s" % (g["utterances"],
                                                             time.monotonic() - t0, out))
    return True


if __name__ == "__main__":
    main()
