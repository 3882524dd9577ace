#!/usr/bin/env python3
"""voice-adapt.py - adapts PocketSphinx's default acoustic model (en-us) to what the
server's recogniser hears: synthesised shopping requests (Flite and eSpeak NG voices
and accents, sox noise, reverb and level changes), sent through what voxcartd does to
a shopper's audio (Opus and back, the [voice] cleaner) by tests/bench/voice_decode.c
(VOICE_DUMP=1).  Writes an MLLR transform (PocketSphinx's -mllr) and, with --map, a
MAP-adapted copy of the model directory (PocketSphinx's -hmm; `make voice-model`).

  scripts/voice-adapt.py [--out build/voice-mllr] [--map DIR] [--n 360]
                         [--kinds clean,noise,...] [--work build/voice_adapt] [--seed 11]

Needs sphinxtrain (bw, mllr_solve, map_adapt), sphinxbase-utils (sphinx_fe),
pocketsphinx (pocketsphinx_mdef_convert), flite, espeak-ng and sox (scripts/deps.sh),
and `make` first.  The sentences are the tune half's requests of the voice grid
(tests/integration/test_voice_e2e.py) and the same kinds of request said about the
demo catalog's products; no held-half sentence, and no product a held sentence names,
is spoken, and no held-half audio is used.  The same seed gives the same audio and the
same model (the synthesisers, sox -R and the cleaner are deterministic).  The model
ships only as sendump (8-bit mixture weights): they are turned back into the float
mixture_weights bw and map_adapt read.  About 2 CPU minutes for 360 utterances.

Measured (2026-12-07, held half of the grid, 522 utterances, voice_offline.py, all
from the same cached audio; WER / sentences exact / CPU per utterance):
  stock model          all 19.9 % / 60.3 % / 0.211 s; accent 37.1/32.2, noise 19.9/62.5,
                       room 54.2/19.4, reverb 7.3/66.7, clean 3.1/83.3, gain 3.8/83.3
  MLLR (-mllr)         all 19.6 % / 60.2 % / 0.249 s; accent 34.0/42.2, noise 21.4/58.3,
                       room 44.3/27.8, reverb 9.4/61.1, clean 3.1/83.3, gain 4.2/79.6
  MAP (--map, -hmm)    all 12.4 % / 74.5 % / 0.246 s; accent 8.3/83.3, noise 18.3/67.1,
                       room 20.8/55.6, reverb 9.4/66.7, clean 5.2/88.9, gain 2.4/92.6
MAP learns the very synthetic voices the grid speaks in (its eSpeak NG "accents" are
the same voices as the held half's, with other sentences): what it does for people's
voices is not measured, so the server keeps the stock model unless told
(asr_options = -hmm DIR).
"""

import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import concurrent.futures as futures

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "tests", "bench"))
import test_voice_e2e as e2e  # noqa: E402
import voice_conditions as vc  # noqa: E402
import voice_offline  # noqa: E402

MODEL = "/usr/share/pocketsphinx/model/en-us/en-us"
CMUDICT = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict"
TRAIN = "/usr/lib/sphinxtrain"
DEMO_CATALOG = os.path.join(ROOT, "server", "data", "demo_catalog.csv")

VOICES = [("flite", "slt", []), ("flite", "awb", []), ("flite", "rms", []), ("flite", "kal", []),
          ("espeak-ng", "en-us", ["-s", "160"]), ("espeak-ng", "en-gb-scotland", ["-s", "160"]),
          ("espeak-ng", "en-029", ["-s", "160"]), ("espeak-ng", "en-gb-x-gbcwmd", ["-s", "160"]),
          ("espeak-ng", "en-gb-x-rp", ["-s", "160"]), ("espeak-ng", "en-us-nyc", ["-s", "160"])]

# the tune half's kinds of request, with a product's name for {p}
TEMPLATES = ["add two {p} to my cart", "can i get three {p}", "put one {p} in my cart",
             "throw in two bags of {p}", "i'd like two {p}", "take out the {p}",
             "get rid of the {p}", "do you have {p}", "how much is the {p}",
             "what's the price of the {p}", "i'd like a {p}", "put two boxes of {p} in my cart",
             "throw in a pack of {p}", "add one {p}", "can i get a {p}"]


def load_dict():
    words = {}
    with open(CMUDICT) as fh:
        for line in fh:
            f = line.split()
            if f and "(" not in f[0]:
                words[f[0]] = " ".join(f[1:])
    return words


def products(words):
    """Demo catalog titles a shopper would say, none sharing a word with a product the
    held half names."""
    held_words = set()
    for s in e2e.SENTENCES:
        if s[1] == "held":
            held_words |= set(e2e.words(s[2]))
            if len(s[3]) > 1 and isinstance(s[3][1], str):
                held_words |= set(e2e.words(s[3][1]))
    common = {"a", "the", "and", "of", "in", "my", "to", "me", "i", "you", "some", "for"}
    held_words -= common
    out = []
    import csv
    with open(DEMO_CATALOG) as fh:
        for row in csv.DictReader(fh):
            t = re.sub(r"\(.*?\)", " ", row["title"]).lower().replace("&", " and ")
            w = re.findall(r"[a-z']+", t)
            if not w or len(w) > 4 or re.search(r"[0-9]", t):
                continue
            if any(x not in words for x in w) or set(w) & held_words:
                continue
            out.append(" ".join(w))
    return sorted(set(out))


def sentences(n, rng, words):
    tune = [s[2] for s in e2e.SENTENCES if s[1] == "tune"]
    prods = products(words)
    out = []
    while len(out) < n:
        if len(out) % 4 == 0:
            out.append(tune[(len(out) // 4) % len(tune)])
        else:
            out.append(rng.choice(TEMPLATES).format(p=rng.choice(prods)))
    return out, len(prods)


KINDS = ["clean", "noise", "noise", "reverb", "gain", "speed", "room", "room"]


def condition(i, rng, kinds=KINDS):
    """A condition of the grid's kinds, drawn at random: clean, noise, reverb, gain,
    speed, or a room (several at once)."""
    synth, voice, extra = VOICES[i % len(VOICES)]
    kind = rng.choice(kinds)
    fx = []
    if kind == "noise":
        fx = [("noise", rng.choice(["white", "pink", "brown"]), rng.choice([5, 10, 15, 20]))]
    elif kind == "reverb":
        fx = [("reverb", rng.choice([40, 50, 60, 70, 80]))]
    elif kind == "gain":
        fx = [("gain", rng.choice([-24, -18, -12, 0, 6]))]
    elif kind == "speed":
        if synth == "flite":
            extra = ["--setf", "duration_stretch=%.2f" % rng.choice([0.75, 0.85, 1.2, 1.35])]
        else:
            extra = ["-s", str(rng.choice([115, 140, 190, 220]))]
    elif kind == "room":
        fx = [("lead", 0.5), ("reverb", rng.choice([40, 50, 70])),
              ("gain", rng.choice([-18, -12, 0])),
              ("noise", rng.choice(["white", "pink", "brown"]), rng.choice([10, 15, 20]))]
    return {"name": "adapt-%d" % i, "kind": kind, "voices": [(synth, voice, extra)], "effects": fx}


def sh(cmd, log):
    with open(log, "a") as fh:
        fh.write("$ " + " ".join(cmd) + "\n")
        fh.flush()
        p = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT)
    if p.returncode != 0:
        sys.exit("%s failed (exit %d): see %s" % (cmd[0], p.returncode, log))


def s3_mixw_from_sendump(src, dest):
    """sendump (8-bit quantised mixture weights, what the Debian model ships) back to
    the float mixture_weights file bw and map_adapt read."""
    with open(src, "rb") as fh:
        data = fh.read()
    off = 0
    while True:
        (n,) = struct.unpack_from("<I", data, off)
        off += 4 + n
        if n == 0:
            break
    rows, cols = struct.unpack_from("<II", data, off)
    off += 8
    nfeat = (len(data) - off) // (rows * cols)
    body = data[off:]
    vals = [0.0] * (cols * nfeat * rows)  # [senone][feature][codeword]
    table = [1.0001 ** -(b << 10) for b in range(256)]
    for f in range(nfeat):
        for c in range(rows):
            base = (f * rows + c) * cols
            for s in range(cols):
                vals[(s * nfeat + f) * rows + c] = table[body[base + s]]
    with open(dest, "wb") as fh:
        hdr = b"s3\nversion 1.0\n"
        pad = (4 - (len(hdr) + len(b"endhdr\n")) % 4) % 4
        fh.write(hdr + b" " * pad + b"endhdr\n")
        fh.write(struct.pack("=i", 0x11223344))
        fh.write(struct.pack("=IIII", cols, nfeat, rows, cols * nfeat * rows))
        fh.write(struct.pack("=%df" % len(vals), *vals))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "voice-mllr"))
    ap.add_argument("--map", default=None, help="also write a MAP-adapted model here")
    ap.add_argument("--n", type=int, default=360, help="utterances to adapt on")
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "voice_adapt"))
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--kinds", default=",".join(KINDS),
                    help="condition kinds drawn from (a kind twice: twice as likely)")
    a = ap.parse_args()
    for tool in ("bw", "mllr_solve", "map_adapt"):
        if not os.access(os.path.join(TRAIN, tool), os.X_OK):
            sys.exit("%s/%s is missing: install sphinxtrain (make deps)" % (TRAIN, tool))
    for tool in ("sphinx_fe", "pocketsphinx_mdef_convert", "flite", "espeak-ng", "sox"):
        if not shutil.which(tool):
            sys.exit("%s is missing (make deps)" % tool)
    work = a.work
    wav = os.path.join(work, "wav")
    os.makedirs(wav, exist_ok=True)
    log = os.path.join(work, "adapt.log")
    open(log, "w").close()
    rng = random.Random(a.seed)
    words = load_dict()
    texts, nprod = sentences(a.n, rng, words)
    kinds = [k for k in a.kinds.split(",") if k]
    if not kinds or set(kinds) - set(KINDS):
        sys.exit("--kinds: of %s" % ", ".join(sorted(set(KINDS))))
    conds = [condition(i, rng, kinds) for i in range(a.n)]
    print("%d utterances: %d tune sentences and %d demo-catalog products in %d request kinds, "
          "%d voices" % (a.n, sum(1 for s in e2e.SENTENCES if s[1] == "tune"), nprod,
                         len(TEMPLATES), len(VOICES)))

    # 1. speech, rendered once into work/wav (kept between runs)
    def render(i):
        uid = "a%04d" % i
        path = os.path.join(wav, uid + ".wav")
        if not os.path.exists(path):
            tmp = os.path.join(work, "tmp-" + uid)
            os.makedirs(tmp, exist_ok=True)
            made, _, _ = vc.render(uid, texts[i], conds[i], 0, tmp)
            os.rename(made, path)
            shutil.rmtree(tmp, ignore_errors=True)
        return uid, path
    with futures.ThreadPoolExecutor(a.jobs) as pool:
        items = list(pool.map(render, range(a.n)))

    # 2. through Opus and the cleaner, as voxcartd hears it (voice_decode, VOICE_DUMP=1)
    voice_offline.build_tool()
    lm = os.path.join(ROOT, "build", "voice_offline", "model")
    voice_offline.catalog_model(lm)
    todo = [it for it in items if not os.path.exists(os.path.join(wav, it[0] + ".raw"))]
    parts = [todo[k::a.jobs] for k in range(a.jobs)]
    env = dict(os.environ, VOICE_DUMP="1")

    def hear(part):
        if not part:
            return 0
        return subprocess.run([voice_offline.TOOL, lm], input="".join(p + "\n" for _, p in part),
                              capture_output=True, text=True, env=env).returncode
    with futures.ThreadPoolExecutor(a.jobs) as pool:
        if any(pool.map(hear, parts)):
            sys.exit("voice_decode failed")
    for uid, path in todo:
        shutil.move(path + ".fed.raw", os.path.join(wav, uid + ".raw"))
    # words the CMU dictionary lacks: the catalog dictionary voxcartd made
    with open(os.path.join(lm, "voxcart.dic")) as fh:
        for line in fh:
            f = line.split()
            if f and "(" not in f[0]:
                words.setdefault(f[0], " ".join(f[1:]))

    # 3. features, transcripts, dictionary
    with open(os.path.join(work, "adapt.fileids"), "w") as fh:
        for uid, _ in items:
            fh.write(uid + "\n")
    with open(os.path.join(work, "adapt.transcription"), "w") as fh:
        for (uid, _), t in zip(items, texts):
            fh.write("<s> %s </s> (%s)\n" % (" ".join(e2e.words(t)), uid))
    used = sorted({w for t in texts for w in e2e.words(t)})
    missing = [w for w in used if w not in words]
    if missing:
        sys.exit("not in %s: %s" % (CMUDICT, " ".join(missing)))
    with open(os.path.join(work, "adapt.dic"), "w") as fh:
        for w in used:
            fh.write("%s %s\n" % (w, words[w]))
    sh(["sphinx_fe", "-argfile", os.path.join(MODEL, "feat.params"), "-samprate", "16000",
        "-c", os.path.join(work, "adapt.fileids"), "-di", wav, "-do", wav, "-ei", "raw",
        "-eo", "mfc", "-raw", "yes", "-input_endian", "little"], log)

    # 4. the model in the forms sphinxtrain reads
    hmm = os.path.join(work, "en-us")
    os.makedirs(hmm, exist_ok=True)
    for f in ("means", "variances", "transition_matrices", "noisedict", "feat.params"):
        shutil.copy(os.path.join(MODEL, f), hmm)
    sh(["pocketsphinx_mdef_convert", "-text", os.path.join(MODEL, "mdef"),
        os.path.join(hmm, "mdef.txt")], log)
    if not os.path.exists(os.path.join(hmm, "mixture_weights")):
        s3_mixw_from_sendump(os.path.join(MODEL, "sendump"), os.path.join(hmm, "mixture_weights"))

    # 5. statistics (bw), then the transform
    acc = os.path.join(work, "acc")
    shutil.rmtree(acc, ignore_errors=True)
    os.makedirs(acc)
    sh([os.path.join(TRAIN, "bw"), "-hmmdir", hmm, "-moddeffn", os.path.join(hmm, "mdef.txt"),
        "-ts2cbfn", ".ptm.", "-feat", "1s_c_d_dd", "-svspec", "0-12/13-25/26-38",
        "-cmn", "batch", "-agc", "none", "-dictfn", os.path.join(work, "adapt.dic"),
        "-fdictfn", os.path.join(hmm, "noisedict"), "-ctlfn", os.path.join(work, "adapt.fileids"),
        "-lsnfn", os.path.join(work, "adapt.transcription"), "-cepdir", wav, "-cepext", "mfc",
        "-accumdir", acc], log)
    tmp_out = a.out + ".tmp"
    sh([os.path.join(TRAIN, "mllr_solve"), "-meanfn", os.path.join(hmm, "means"),
        "-varfn", os.path.join(hmm, "variances"), "-outmllrfn", tmp_out, "-accumdir", acc], log)
    os.replace(tmp_out, a.out)
    print("MLLR transform: %s" % a.out)
    if a.map:
        os.makedirs(a.map, exist_ok=True)
        for f in ("mdef", "noisedict", "feat.params"):
            shutil.copy(os.path.join(MODEL, f), a.map)
        sh([os.path.join(TRAIN, "map_adapt"), "-moddeffn", os.path.join(hmm, "mdef.txt"),
            "-ts2cbfn", ".ptm.", "-meanfn", os.path.join(hmm, "means"),
            "-varfn", os.path.join(hmm, "variances"),
            "-mixwfn", os.path.join(hmm, "mixture_weights"),
            "-tmatfn", os.path.join(hmm, "transition_matrices"), "-accumdir", acc,
            "-mapmeanfn", os.path.join(a.map, "means"),
            "-mapvarfn", os.path.join(a.map, "variances"),
            "-mapmixwfn", os.path.join(a.map, "mixture_weights"),
            "-maptmatfn", os.path.join(a.map, "transition_matrices")], log)
        print("MAP-adapted model: %s" % a.map)


if __name__ == "__main__":
    main()
