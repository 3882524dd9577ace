#!/usr/bin/env python3
"""test_voice_e2e_b.py - the second half of test_voice_e2e.py's utterance set
(E2E_PART=b: each sentence in eSpeak NG, and in a second changed Flite rendering),
with the same checks and thresholds; a script of its own so that each keeps within
the per-script time limit of scripts/run-integration.sh.  Figures go to
tests/integration/out/voice_e2e_b.json.  Prints `N passed, M failed` last.
"""
import os
import sys

os.environ.setdefault("E2E_PART", "b")
os.environ.setdefault("E2E_OUT", "voice_e2e_b.json")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_voice_e2e  # noqa: E402

if __name__ == "__main__":
    test_voice_e2e.main()
