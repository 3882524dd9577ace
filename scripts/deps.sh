#!/bin/sh
# Installs the Debian packages voxcart needs that this machine lacks.
# pkg-config names the libraries; plain commands cover the test tools.
# With --check it only reports what is missing (exit 1 if anything is).
set -e
missing=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need_file() { [ -e "$1" ] || missing="$missing $2"; }

need_cmd pkg-config pkg-config
# the buddy's knowledge of words beyond the catalog (server/buddy/knowledge.c)
need_file /usr/share/wordnet/data.noun wordnet-base
need_cmd cc gcc
need_pc libwebsockets libwebsockets-dev
# epoll for the event loop: lws's libev plugin and libev (no pkg-config file)
need_file /usr/include/ev.h libev-dev
need_glob0() { for f in $1; do [ -e "$f" ] && return 0; done; missing="$missing $2"; }
need_glob0 "/usr/lib/*/libwebsockets-evlib_ev.so" libwebsockets-evlib-ev
need_pc libcurl libcurl4-openssl-dev
need_pc libcjson libcjson-dev
need_pc sqlite3 libsqlite3-dev
need_pc libsodium libsodium-dev
need_pc opus libopus-dev
need_pc portaudio-2.0 portaudio19-dev
need_pc sndfile libsndfile1-dev
need_pc speexdsp libspeexdsp-dev
# the server's cleaning before recognition (server/voice/apm_webrtc.cc): WebRTC's
# audio processing module, a C++ library, so g++ too
need_pc webrtc-audio-processing libwebrtc-audio-processing-dev
need_cmd g++ g++
need_pc pocketsphinx libpocketsphinx-dev
need_pc sphinxbase libsphinxbase-dev
need_file /usr/share/pocketsphinx/model/en-us/en-us pocketsphinx-en-us
need_pc espeak-ng libespeak-ng-dev
need_pc ncursesw libncurses-dev
need_pc readline libreadline-dev
need_pc check check
need_cmd espeak-ng espeak-ng
need_cmd flite flite
need_cmd sox sox
need_cmd python3 python3
# adapting the acoustic model to the server's audio (scripts/voice-adapt.py, make
# voice-adapt): sphinxtrain's bw/mllr_solve/map_adapt, sphinx_fe, the mdef converter
need_file /usr/lib/sphinxtrain/bw sphinxtrain
need_cmd sphinx_fe sphinxbase-utils
need_cmd pocketsphinx_mdef_convert pocketsphinx
need_cmd tmux tmux
need_cmd zsh zsh
need_cmd wrk wrk
need_cmd curl curl
# fuzzing (make fuzz, make fuzz-check): clang and its libFuzzer/sanitizer runtimes
need_cmd clang clang
need_glob() { for f in $1; do [ -e "$f" ] && return 0; done; missing="$missing $2"; }
need_glob "/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a" libclang-rt-14-dev
# race detection (make SANITIZE=thread): gcc's ThreadSanitizer runtime
need_glob "/usr/lib/*/libtsan.so.2" libtsan2
# several voxcartd on one database (issue 12): PostgreSQL's client library, the
# server whose initdb the tests and `make scale-demo` use for a throwaway cluster
# (scripts/pg-cluster.sh), and HAProxy in front of the processes
need_pc libpq libpq-dev
need_glob "/usr/lib/postgresql/*/bin/initdb" postgresql
need_cmd haproxy haproxy

if [ -z "$missing" ]; then
	exit 0
fi
if [ "$1" = "--check" ]; then
	echo "missing packages:$missing" >&2
	exit 1
fi
echo "make deps: installing$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null || $SUDO apt-get update
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
