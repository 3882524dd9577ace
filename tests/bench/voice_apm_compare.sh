#!/bin/sh
# voice_apm_compare.sh - speexdsp's preprocessor (server/voice/clean.c, the server's
# own cleaning) against WebRTC's audio processing module (Debian's
# libwebrtc-audio-processing 0.3: high-pass, noise suppression, adaptive digital
# gain) on the condition grid of tests/integration/voice_conditions.py: the same
# WAVs, once heard by ./voxcartd as they are (clean = on), once run through
# tests/bench/apm_filter.cc first and heard by the same binary with clean = off.
# Measuring only: the server does not link WebRTC (see issue 11's note for why).
#
#   tests/bench/voice_apm_compare.sh [held|tune]    (default held; E2E_ONLY=... narrows)
#
# Needs libwebrtc-audio-processing-dev and g++ (not in make deps: apt-get install
# libwebrtc-audio-processing-dev g++).  Figures: tests/integration/out/voice_apm.json;
# "now" is speexdsp, "before" is WebRTC.
set -e
cd "$(dirname "$0")/../.."
out=build/apm_filter
mkdir -p build
g++ -O2 $(pkg-config --cflags webrtc-audio-processing) tests/bench/apm_filter.cc \
	$(pkg-config --libs webrtc-audio-processing) -o "$out"
E2E_BASE=0 E2E_CONDITIONS=full E2E_HALF="${1:-held}" VOXCARTD_BASELINE=./voxcartd \
	E2E_BASELINE_CONFIG='[voice]\nclean = off' E2E_BASELINE_FILTER="$out --ns high" \
	E2E_OUT=voice_apm.json exec python3 tests/integration/test_voice_e2e.py
