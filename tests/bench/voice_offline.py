#!/usr/bin/env python3
"""voice_offline.py - measures a recogniser setting on the condition grid without the
server: the grid's WAVs (tests/integration/voice_conditions.py, made once and kept)
go through tests/bench/voice_decode.c (Opus, the [voice] cleaner, PocketSphinx with
the test catalog's model, the catalog-aware choice), and the readings are scored per
condition kind: word error rate, sentences heard exactly, CPU per utterance, and how
well the recogniser's posterior tells right readings from wrong (AUC).  It judges
hearing only, not whether the buddy then did the task: confirm a setting with
tests/integration/test_voice_e2e.py (E2E_CONFIG, VOXCARTD_BASELINE).

  tests/bench/voice_offline.py [--half tune|held] [--options "-topn 8"] [--jobs 2]
                               [--only cond,cond] [--cache DIR] [--out file.json]
  tests/bench/voice_offline.py --judge old.json new.json ...

--judge takes the readings of earlier runs (--out) and types each one, as heard,
to a voxcartd holding the test catalog (test_voice_e2e.run_typed: a fresh shopper
set up for the sentence, then judged on the cart, orders and actions), so a
reading that is wrong but still does the task ("how much is a french press")
counts as done and a right-looking one that does not, as not: task success per
condition kind, for each file side by side, and the sentences typed exactly as
written (understanding alone).  No audio: a few minutes for a half.

Build first (make).  Each variant runs on the same cached WAVs
(VOICE_OFFLINE_CACHE or --cache, default build/voice_offline/<half>), so variants
compare on the same audio; the cleaner and choice are set through voice_decode's
environment (VOICE_CLEANER, VOICE_APM_NOISE, VOICE_APM_PREGAIN_DB,
VOICE_CHOOSE_WEIGHT).  Tune on the tune half only: the held half is for the
figures you report.
"""

import argparse
import concurrent.futures as futures
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
import lib  # noqa: E402
import test_voice_e2e as e2e  # noqa: E402
import voice_conditions as vc  # noqa: E402

TOOL = os.path.join(ROOT, "build", "voice_decode")


def build_tool():
    """Compiles voice_decode.c against the release build's libraries."""
    pkgs = ("libwebsockets libcjson sqlite3 libpq libsodium libcurl opus sndfile speexdsp "
            "pocketsphinx sphinxbase espeak-ng webrtc-audio-processing").split()
    flags = subprocess.run(["pkg-config", "--cflags", "--libs"] + pkgs, capture_output=True,
                           text=True, check=True).stdout.split()
    rel = os.path.join(ROOT, "build", "rel")
    for lib_a in ("libvoxcartd.a", "libvoxcart.a"):
        if not os.path.exists(os.path.join(rel, lib_a)):
            sys.exit("build/rel/%s is missing: run make first" % lib_a)
    subprocess.run(["cc", "-O2", "-std=c11", "-D_GNU_SOURCE", "-Wall", "-Wextra",
                    "-Ishared", "-Ishared/proto", "-Ishared/media", "-Iserver",
                    "tests/bench/voice_decode.c", os.path.join(rel, "libvoxcartd.a"),
                    os.path.join(rel, "libvoxcart.a")] + flags +
                   ["-lstdc++", "-lev", "-lpthread", "-lm", "-o", TOOL], cwd=ROOT, check=True)


def catalog_model(dest):
    """The language model voxcartd builds from the test catalog, copied to dest."""
    if os.path.exists(os.path.join(dest, "voxcart.lm")):
        return
    srv = lib.Server(args=["--import-catalog", e2e.CATALOG], name="voice_offline")
    srv.start()
    try:
        if not e2e.wait_language_model(srv, 60):
            sys.exit("the language model was never built:\n" + srv.log_tail())
        shutil.copytree(srv.db + ".asr", dest, dirs_exist_ok=True)
    finally:
        srv.stop()


def render_all(half, only, cache):
    """[(uid, sentence id, condition name, path)] for the half, made once into cache."""
    plan = []
    for c in vc.GRID:
        if only and c["name"] not in only:
            continue
        for i, s in enumerate(e2e.SENTENCES):
            if s[1] == half:
                plan.append(("%s-%s" % (s[0], c["name"]), s, c, i))
    os.makedirs(cache, exist_ok=True)

    def one(p):
        path = os.path.join(cache, p[0] + ".wav")
        if not os.path.exists(path):
            tmp = os.path.join(cache, "tmp-" + p[0])
            os.makedirs(tmp, exist_ok=True)
            made, _, _ = vc.render(p[0], p[1][2], p[2], p[3], tmp)
            os.rename(made, path)
            shutil.rmtree(tmp, ignore_errors=True)
        return (p[0], p[1][0], p[2]["name"], path)
    with futures.ThreadPoolExecutor(2) as pool:
        return list(pool.map(one, plan))


def decode(items, model, options, jobs):
    """{uid: (chosen, cpu_s, posterior)} from voice_decode, jobs processes at once."""
    by_path = {it[3]: it[0] for it in items}
    parts = [items[k::jobs] for k in range(jobs)]

    def run(part):
        p = subprocess.run([TOOL, model, options], input="".join(it[3] + "\n" for it in part),
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.stderr.write(p.stderr)
        return p.stdout.splitlines()
    out = {}
    with futures.ThreadPoolExecutor(jobs) as pool:
        for lines in pool.map(run, parts):
            for line in lines:
                f = line.split("\t")
                out[by_path[f[0]]] = (f[1], float(f[3]), int(f[4]))
    return out


def auc(right, wrong):
    """P(a right reading's posterior is above a wrong one's)."""
    if not right or not wrong:
        return None
    s = sum(1.0 if r > w else 0.5 if r == w else 0.0 for r in right for w in wrong)
    return round(s / (len(right) * len(wrong)), 3)


def judge_readings(files, jobs):
    """Task success of earlier runs' readings, typed to the buddy (see --judge)."""
    runs = []
    for path in files:
        with open(path) as fh:
            runs.append((os.path.basename(path), json.load(fh)["readings"]))
    by_id = {s[0]: s for s in e2e.SENTENCES}
    todo = set()
    for _, readings in runs:
        for uid, text in readings.items():
            todo.add((uid.split("-", 1)[0], text))
    for sid in {k[0] for k in todo}:
        todo.add((sid, by_id[sid][2]))
    shop = e2e.Shop(lib.VOXCARTD, "voice_judge").start()
    try:
        def one(key):
            sid, text = key
            s = by_id[sid]
            try:
                return key, bool(e2e.run_typed(shop, (sid, s[1], text, s[3]))[0])
            except Exception as exc:  # a turn that fails counts as not done
                sys.stderr.write("%s %r: %s\n" % (sid, text, exc))
                return key, False
        with futures.ThreadPoolExecutor(jobs) as pool:
            done = dict(pool.map(one, sorted(todo)))
    finally:
        shop.stop()
    typed = sorted(sid for sid in {k[0] for k in todo} if not done[(sid, by_id[sid][2])])
    print("sentences typed as written: %d of %d done%s" % (
        len({k[0] for k in todo}) - len(typed), len({k[0] for k in todo}),
        " (not: %s)" % ", ".join(typed) if typed else ""))
    print("  %-8s %4s  " % ("kind", "n") + "  ".join("%16s" % r[0][-16:] for r in runs))
    kinds = {}
    for i, (_, readings) in enumerate(runs):
        for uid, text in readings.items():
            sid, cond = uid.split("-", 1)
            for g in (vc.BY_NAME[cond]["kind"], "all"):
                d = kinds.setdefault(g, [[0, 0] for _ in runs])
                d[i][0] += 1
                d[i][1] += done[(sid, text)]
    for g in sorted(kinds, key=lambda g: (g == "all", g)):
        d = kinds[g]
        print("  %-8s %4d  " % (g, d[0][0]) +
              "  ".join("%15.1f%%" % (100.0 * ok / (n or 1)) for n, ok in d))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--half", default="tune", choices=("tune", "held"))
    ap.add_argument("--options", default="", help="PocketSphinx options, as [voice] asr_options")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--only", default="", help="condition names, comma-separated")
    ap.add_argument("--cache", default=os.environ.get("VOICE_OFFLINE_CACHE"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--judge", nargs="+", metavar="RUN.json",
                    help="task success of earlier runs' readings, typed (no decoding)")
    a = ap.parse_args()
    if a.judge:
        judge_readings(a.judge, a.jobs)
        return
    cache = a.cache or os.path.join(ROOT, "build", "voice_offline", a.half)
    only = [x for x in a.only.split(",") if x]
    build_tool()
    model = os.path.join(ROOT, "build", "voice_offline", "model")
    catalog_model(model)
    t0 = time.time()
    items = render_all(a.half, only, cache)
    t1 = time.time()
    got = decode(items, model, a.options, a.jobs)
    t2 = time.time()
    text = {s[0]: s[2] for s in e2e.SENTENCES}
    groups = {}
    for uid, sid, cond, _ in items:
        if uid not in got:
            continue
        heard, cpu, post = got[uid]
        ref = e2e.words(text[sid])
        err = e2e.edit_distance(ref, e2e.words(heard))
        for g in (vc.BY_NAME[cond]["kind"], "all"):
            d = groups.setdefault(g, {"n": 0, "ref": 0, "err": 0, "exact": 0, "cpu": 0.0,
                                      "post_right": [], "post_wrong": []})
            d["n"] += 1
            d["ref"] += len(ref)
            d["err"] += err
            d["exact"] += err == 0
            d["cpu"] += cpu
            d["post_right" if err == 0 else "post_wrong"].append(post)
    print("%d utterances (%s half, options %r): rendered in %.0f s, decoded in %.0f s"
          % (len(got), a.half, a.options, t1 - t0, t2 - t1))
    print("  %-8s %4s  %6s  %6s  %8s  %s" % ("kind", "n", "WER", "exact", "CPU/utt", "AUC"))
    figs = {}
    for g in sorted(groups, key=lambda g: (g == "all", g)):
        d = groups[g]
        figs[g] = {"n": d["n"], "wer": round(d["err"] / float(d["ref"] or 1), 4),
                   "exact": round(d["exact"] / float(d["n"]), 4),
                   "cpu_s": round(d["cpu"] / d["n"], 4),
                   "posterior_auc": auc(d["post_right"], d["post_wrong"])}
        f = figs[g]
        print("  %-8s %4d  %5.1f%%  %5.1f%%  %7.3fs  %s" % (g, f["n"], 100 * f["wer"], 100 * f["exact"],
                                                       f["cpu_s"], f["posterior_auc"]))
    if a.out:
        with open(a.out, "w") as fh:
            json.dump({"half": a.half, "options": a.options, "figures": figs,
                       "readings": {u: got[u][0] for u in got}}, fh, indent=1)


if __name__ == "__main__":
    main()
