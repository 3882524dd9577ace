#!/usr/bin/env python3
"""test_voice_conditions.py - the buddy heard in a real room: test_voice_e2e.py's
machinery (a real voxcartd, `voxcart talk`, judged by the cart and orders) over the
smoke subset of the hard conditions in voice_conditions.py (noise of three colours,
reverb, a quiet and a clipping microphone, leading silence, fast and slow speech,
eSpeak NG's accents, a kitchen table), four sentences each (two from the half the
recogniser was tuned on, two from the held-out half).  A separate script so that
each keeps within the per-script time limit of scripts/run-integration.sh.

Checks: every turn's protocol (one final transcript, reply.done, contiguous speech
frames, the WAV's length) and a floor on task success over the set
(THRESHOLDS["hard_task_success_min"]).  The full grid is `make bench`
(tests/bench/voice_bench.py).  Prints `N passed, M failed` last.
"""
import os
import sys

os.environ.setdefault("E2E_BASE", "0")
os.environ.setdefault("E2E_CONDITIONS", "smoke")
os.environ.setdefault("E2E_OUT", "voice_conditions.json")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_voice_e2e  # noqa: E402

if __name__ == "__main__":
    test_voice_e2e.main()
