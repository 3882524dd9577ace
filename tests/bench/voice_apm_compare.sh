#!/bin/sh
# voice_apm_compare.sh - speexdsp's preprocessor (the server's [voice] cleaner =
# speex) against WebRTC's audio processing module run offline in front of the server
# (Debian's libwebrtc-audio-processing 0.3: high-pass, noise suppression, adaptive
# digital gain) on the condition grid of tests/integration/voice_conditions.py: the
# same WAVs, once heard by ./voxcartd as they are (cleaner = speex), once run
# through tests/bench/apm_filter.cc first and heard by the same binary with
# cleaner = off.  This is how WebRTC was chosen; the server now runs it itself
# (cleaner = webrtc, the default): compare that with test_voice_e2e.py and
# E2E_CONFIG / E2E_BASELINE_CONFIG.
#
#   tests/bench/voice_apm_compare.sh [held|tune]    (default held; E2E_ONLY=... narrows)
#
# Needs libwebrtc-audio-processing-dev and g++ (make deps installs both).  Figures: tests/integration/out/voice_apm.json;
# "now" is speexdsp, "before" is WebRTC.
set -e
cd "$(dirname "$0")/../.."
out=build/apm_filter
mkdir -p build
g++ -O2 $(pkg-config --cflags webrtc-audio-processing) tests/bench/apm_filter.cc \
	$(pkg-config --libs webrtc-audio-processing) -o "$out"
E2E_BASE=0 E2E_CONDITIONS=full E2E_HALF="${1:-held}" VOXCARTD_BASELINE=./voxcartd \
	E2E_CONFIG='[voice]\ncleaner = speex' \
	E2E_BASELINE_CONFIG='[voice]\ncleaner = off' E2E_BASELINE_FILTER="$out --ns high" \
	E2E_OUT=voice_apm.json exec python3 tests/integration/test_voice_e2e.py
