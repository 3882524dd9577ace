#!/usr/bin/env python3
"""voice_conditions.py - the acoustic conditions the voice tests speak in, made at
test time with Flite, eSpeak NG and sox (nothing recorded is shipped).

A condition is a dict:
  name      what the figures are grouped under ("noise-pink-10db", "accent-scotland")
  kind      clean | noise | reverb | gain | lead | speed | accent | room
  voices    [(synth, voice, extra synth args)]: taken in turn by sentence index, so one
            condition is heard in several voices
  effects   [(effect, args...)] applied in order after the speech is padded to 16 kHz:
              ("noise", colour, snr_db)   white/pink/brown noise from sox, scaled so
                                          that speech RMS / noise RMS = snr_db (the
                                          speech RMS measured over its voiced part)
              ("reverb", reverberance)    sox reverb (room scale 100, wet and dry)
              ("gain", db)                a level change, clipped at full scale like a
                                          real converter (+6 dB clips Flite's peaks)
              ("lead", seconds)           silence before the speech
The full grid (GRID) is what `make bench` runs; SMOKE is the small subset in
`make test` (one hard condition of each kind).
"""

import array
import math
import os
import subprocess
import wave

FLITE = [("flite", "slt", []), ("flite", "awb", []), ("flite", "rms", [])]
ESPEAK_US = [("espeak-ng", "en-us", ["-s", "160"])]
MIXED = FLITE + ESPEAK_US


def _c(name, kind, voices, effects=()):
    return {"name": name, "kind": kind, "voices": voices, "effects": list(effects)}


GRID = [
    _c("clean", "clean", MIXED),
]
for colour in ("white", "pink", "brown"):
    for snr in (20, 15, 10, 5):
        GRID.append(_c("noise-%s-%ddb" % (colour, snr), "noise", MIXED, [("noise", colour, snr)]))
GRID += [
    _c("reverb-50", "reverb", MIXED, [("reverb", 50)]),
    _c("reverb-80", "reverb", MIXED, [("reverb", 80)]),
    _c("gain-24db", "gain", MIXED, [("gain", -24)]),
    _c("gain-18db", "gain", MIXED, [("gain", -18)]),
    _c("gain+6db", "gain", MIXED, [("gain", 6)]),
    _c("lead-1.0s", "lead", MIXED, [("lead", 1.0)]),
    _c("lead-1.5s", "lead", MIXED, [("lead", 1.5)]),
    _c("fast", "speed", [("flite", "slt", ["--setf", "duration_stretch=0.75"]),
                         ("flite", "awb", ["--setf", "duration_stretch=0.75"]),
                         ("espeak-ng", "en-us", ["-s", "220"])]),
    _c("slow", "speed", [("flite", "rms", ["--setf", "duration_stretch=1.35"]),
                         ("flite", "slt", ["--setf", "duration_stretch=1.35"]),
                         ("espeak-ng", "en-us", ["-s", "115"])]),
    _c("accent-scotland", "accent", [("espeak-ng", "en-gb-scotland", ["-s", "160"])]),
    _c("accent-caribbean", "accent", [("espeak-ng", "en-029", ["-s", "160"])]),
    _c("accent-westmidlands", "accent", [("espeak-ng", "en-gb-x-gbcwmd", ["-s", "160"])]),
    _c("accent-rp", "accent", [("espeak-ng", "en-gb-x-rp", ["-s", "160"])]),
    _c("accent-nyc", "accent", [("espeak-ng", "en-us-nyc", ["-s", "160"])]),
    # the kitchen table: a fan, a room, a cheap headset, and a pause before speaking
    _c("room-pink15-reverb-quiet", "room", MIXED,
       [("lead", 1.0), ("reverb", 50), ("gain", -18), ("noise", "pink", 15)]),
    _c("room-brown10-scotland", "room", [("espeak-ng", "en-gb-scotland", ["-s", "160"])],
       [("noise", "brown", 10), ("reverb", 50)]),
]

# One of each kind for `make test`: what CI can afford.
SMOKE_NAMES = ["noise-white-10db", "noise-pink-10db", "noise-brown-10db", "reverb-80", "gain-24db",
               "gain+6db", "lead-1.5s", "fast", "slow", "accent-scotland", "accent-caribbean",
               "accent-westmidlands", "room-pink15-reverb-quiet"]
SMOKE = [c for c in GRID if c["name"] in SMOKE_NAMES]
BY_NAME = {c["name"]: c for c in GRID}


def _sh(cmd, timeout=30):
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode,
                                                  p.stderr.decode("utf-8", "replace")[-300:]))


def _read(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, path
        a = array.array("h")
        a.frombytes(w.readframes(w.getnframes()))
        return a, w.getframerate()


def _write(path, samples, rate=16000):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())


def _clip(v):
    return 32767 if v > 32767 else -32768 if v < -32768 else int(round(v))


def voiced_rms(samples, rate=16000):
    """RMS over the 20 ms blocks within 30 dB of the loudest: the speech's level,
    not diluted by the silence around it."""
    n = rate // 50
    blocks = []
    for i in range(0, len(samples) - n + 1, n):
        s = sum(x * x for x in samples[i:i + n]) / float(n)
        blocks.append(s)
    if not blocks:
        return 0.0
    top = max(blocks)
    voiced = [b for b in blocks if b >= top * 1e-3]
    return math.sqrt(sum(voiced) / len(voiced))


def _noise(colour, n, tag, tmp):
    """n samples of sox's noise of that colour (sox -R: the same every run)."""
    path = os.path.join(tmp, "noise-%s-%s.wav" % (colour, tag))
    _sh(["sox", "-R", "-n", "-r", "16000", "-c", "1", "-b", "16", path, "synth",
         "%.4f" % (n / 16000.0 + 0.01), colour + "noise", "vol", "0.3"])
    a, _ = _read(path)
    os.unlink(path)
    if len(a) < n:
        a.extend([0] * (n - len(a)))
    return a[:n]


def render(uid, text, cond, index, tmp):
    """Writes the utterance (16 kHz mono WAV) for condition cond, voice number index;
    returns (path, seconds, voice label)."""
    synth, voice, extra = cond["voices"][index % len(cond["voices"])]
    raw = os.path.join(tmp, uid + ".raw.wav")
    pad = os.path.join(tmp, uid + ".pad.wav")
    out = os.path.join(tmp, uid + ".wav")
    if synth == "flite":
        _sh(["flite", "-voice", voice] + extra + ["-t", text, "-o", raw])
    else:
        _sh(["espeak-ng", "-v", voice] + extra + ["-w", raw, text])
    # 0.3 s either side, as a push-to-talk recording has
    _sh(["sox", raw, "-r", "16000", "-c", "1", "-b", "16", pad, "pad", "0.3", "0.3"])
    os.unlink(raw)
    cur = pad
    for k, eff in enumerate(cond["effects"]):
        nxt = os.path.join(tmp, "%s.e%d.wav" % (uid, k))
        if eff[0] == "reverb":
            _sh(["sox", cur, nxt, "reverb", str(eff[1]), "50", "100"])
        elif eff[0] == "lead":
            _sh(["sox", cur, nxt, "pad", "%.3f" % eff[1], "0"])
        elif eff[0] == "gain":
            a, _ = _read(cur)
            g = 10 ** (eff[1] / 20.0)
            _write(nxt, array.array("h", (_clip(x * g) for x in a)))
        elif eff[0] == "noise":
            a, _ = _read(cur)
            nz = _noise(eff[1], len(a), uid, tmp)
            s_rms = voiced_rms(a)
            n_rms = math.sqrt(sum(x * x for x in nz) / float(len(nz) or 1)) or 1.0
            g = s_rms / (n_rms * 10 ** (eff[2] / 20.0))
            _write(nxt, array.array("h", (_clip(x + g * y) for x, y in zip(a, nz))))
        else:
            raise ValueError(eff[0])
        os.unlink(cur)
        cur = nxt
    os.rename(cur, out)
    with wave.open(out) as w:
        secs = w.getnframes() / float(w.getframerate())
    return out, secs, "%s-%s" % (synth.replace("espeak-ng", "espeak"), voice)
