"""openai_fixture.py - a FIXTURE standing in for an OUTSIDE service: an
OpenAI-compatible chat-completions endpoint, for testing voxcartd's optional buddy
engine (server/engine_openai.c) without a network or an account.  Python 3, stdlib
only.

It answers POST /v1/chat/completions from a script, one scripted response per
request, in the wire format of the real service: HTTP/1.1, chunked transfer
encoding, `text/event-stream`, one `data: {chat.completion.chunk}` event per piece
(`choices[0].delta.content` for text; `choices[0].delta.tool_calls[]` with index,
id, type, function name and the arguments in fragments), a last chunk with
`finish_reason` ("stop" or "tool_calls"), then `data: [DONE]`.  The responses are
hand-written copies of that format, not captures of a live service.  Also: a whole
chat.completion JSON (a server that ignores "stream").  Failure modes:
an HTTP error with the service's JSON error body, a hang past the client's timeout,
a malformed stream, and a good start that breaks off.

Every request is recorded (path, headers, parsed JSON body) so a test can check what
voxcartd sent: the tools schema, the tool results, the Authorization header.

The voice endpoints of the same service, for the optional outside recogniser and
voice (server/voice/remote_asr.c, remote_tts.c):

- POST /v1/audio/transcriptions (multipart/form-data: `file`, `model`, ...) answers
  {"text": <scripted text>}.  The record gets `form` (field name -> bytes) and `wav`
  (the uploaded file read as WAV: rate, channels, sampwidth, frames, seconds, or None
  when it is not a valid WAV).
- POST /v1/audio/speech (JSON model, input, voice, response_format) answers the
  input spoken: `espeak-ng -s 120 --stdout` through sox (a slow voice, so its length
  tells it apart from voxcartd's own eSpeak NG at 175 wpm), or a tone of 70 ms per
  character when those tools are missing; raw 24 kHz 16-bit mono little-endian for
  "pcm", a 22.05 kHz WAV for "wav".  The record gets `speech` (format, rate, samples,
  seconds of the audio sent).

Both have modes: "ok", "500" (an HTTP 500 whose message quotes the caller's API key,
as some services do, to prove voxcartd scrubs it) and "hang" (no answer for
`hang_seconds`).

    fx.transcribe_as("add two bananas to my cart")       # mode "ok"
    fx.speak_mode("hang", hang_seconds=10)

    fx = OpenAIFixture().start()
    fx.script(tool_call("add_to_cart", ['{"product_id": ', '7, "quantity": 2}']),
              text_stream(["I added", " two bananas", " to your cart."]))
    ... drive voxcartd with openai_url = fx.url ...
    reqs = fx.take_requests()
    fx.stop()
"""

import email.parser
import email.policy
import http.server
import io
import json
import math
import shutil
import struct
import subprocess
import sys
import threading
import time
import wave

CREATED = 1732270000
FINGERPRINT = "fp_fixture01"


# -- scripted responses -----------------------------------------------------------------

def _chunk(delta, finish_reason=None, model=None, cid="chatcmpl-fixture"):
    """One chat.completion.chunk as the service sends it (compact JSON)."""
    return {
        "id": cid, "object": "chat.completion.chunk", "created": CREATED,
        "model": model, "system_fingerprint": FINGERPRINT,
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }


def text_stream(pieces, pause_after=None, pause=0.0):
    """A streamed text answer: a role chunk, one chunk per piece, a "stop" chunk,
    [DONE].  pause_after=i waits `pause` seconds after sending piece i."""
    events = [("chunk", {"role": "assistant", "content": "", "refusal": None}, None, 0.0)]
    for i, p in enumerate(pieces):
        events.append(("chunk", {"content": p}, None, pause if pause_after == i else 0.0))
    events.append(("chunk", {}, "stop", 0.0))
    events.append(("done", None, None, 0.0))
    return {"kind": "stream", "events": events}


def tool_call(name, argument_pieces, call_id=None):
    """A streamed answer that is one tool call, its arguments in several pieces."""
    call_id = call_id or "call_fx_" + name
    first = {"role": "assistant", "content": None, "refusal": None,
             "tool_calls": [{"index": 0, "id": call_id, "type": "function",
                             "function": {"name": name, "arguments": ""}}]}
    events = [("chunk", first, None, 0.0)]
    for piece in argument_pieces:
        events.append(("chunk", {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]},
                       None, 0.0))
    events.append(("chunk", {}, "tool_calls", 0.0))
    events.append(("done", None, None, 0.0))
    return {"kind": "stream", "events": events}


def completion(text):
    """A whole chat.completion JSON, as a server that ignores "stream" answers."""
    return {"kind": "completion", "text": text}


def http_error(status=500, message="The server had an error while processing your request. "
               "Sorry about that!", etype="server_error", code=None):
    """An HTTP error with the service's JSON error body."""
    body = {"error": {"message": message, "type": etype, "param": None, "code": code}}
    return {"kind": "error", "status": status, "body": body}


def hang(seconds):
    """Reads the request and answers nothing for `seconds` (past the client's timeout)."""
    return {"kind": "hang", "seconds": seconds}


def malformed():
    """A 200 event stream whose first event is cut in the middle of its JSON."""
    return {"kind": "raw_stream",
            "data": b'data: {"id":"chatcmpl-fixture","object":"chat.completion.chunk",'
                    b'"choices":[{"index":0,"delta":{"content":"Hel\n\n'
                    b'data: [DONE]\n\n'}


def text_then_break(pieces):
    """Streams text pieces, then breaks the stream with a malformed event."""
    resp = text_stream(pieces)
    events = resp["events"][:-2]  # no stop chunk, no [DONE]
    events.append(("raw", b"data: {this is not json\n\n", None, 0.0))
    return {"kind": "stream", "events": events}


# -- the server -------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openai-fixture/1"

    def log_message(self, fmt, *args):  # quiet
        pass

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raw = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return raw
                raw += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_POST(self):  # noqa: N802 - http.server's naming
        fx = self.server.fixture
        raw = self._read_body()
        try:
            body = json.loads(raw.decode("utf-8"))
        except ValueError:
            body = None
        rec = fx._record(self.path, self.headers, body, raw)
        voice = {"/v1/audio/transcriptions": self._transcription, "/v1/audio/speech": self._speech}
        if self.path.rstrip("/") in voice:
            try:
                voice[self.path.rstrip("/")](rec, raw, body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": "Unknown path %s" % self.path,
                                       "type": "invalid_request_error", "param": None, "code": None}})
            return
        resp = fx._next()
        model = body.get("model") if isinstance(body, dict) else None
        try:
            self._answer(resp, model)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, cancel): fine

    # -- the voice endpoints ----------------------------------------------------------
    def _voice_failure(self, mode, hang_seconds):
        """Answers per a failure mode; False when the mode is "ok" (nothing sent)."""
        if mode == "500":
            auth = self.headers.get("Authorization") or ""
            key = auth[7:] if auth.startswith("Bearer ") else "(none)"
            self._json(500, {"error": {"message": "Internal error (key %s)." % key,
                                       "type": "server_error", "param": None, "code": None}})
            return True
        if mode == "hang":
            deadline = time.time() + hang_seconds
            while time.time() < deadline and not self.server.fixture._stopping:
                time.sleep(0.05)
            self._json(504, {"error": {"message": "fixture hang over", "type": "server_error",
                                       "param": None, "code": None}})
            return True
        return False

    def _transcription(self, rec, raw, body):
        fx = self.server.fixture
        form = _multipart(self.headers.get("Content-Type") or "", raw)
        rec["form"] = form
        rec["wav"] = _wav_info(form.get("file", b""))
        with fx._lock:
            mode, text, hang = fx._asr_mode, fx._asr_text, fx._asr_hang
        if self._voice_failure(mode, hang):
            return
        self._json(200, {"text": text})

    def _speech(self, rec, raw, body):
        fx = self.server.fixture
        with fx._lock:
            mode, hang = fx._tts_mode, fx._tts_hang
        if self._voice_failure(mode, hang):
            return
        body = body if isinstance(body, dict) else {}
        fmt = body.get("response_format") or "mp3"
        if fmt not in ("pcm", "wav") or not isinstance(body.get("input"), str):
            self._json(400, {"error": {"message": "fixture: response_format pcm or wav and an input",
                                       "type": "invalid_request_error", "param": None, "code": None}})
            return
        rate = 24000 if fmt == "pcm" else 22050
        pcm = synthesise(body["input"], rate)
        rec["speech"] = {"format": fmt, "rate": rate, "samples": len(pcm) // 2,
                         "seconds": len(pcm) / 2.0 / rate}
        if fmt == "wav":
            out = io.BytesIO()
            with wave.open(out, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(rate)
                w.writeframes(pcm)
            data, ctype = out.getvalue(), "audio/wav"
        else:
            data, ctype = pcm, "audio/pcm"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _json(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _start_stream(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def _send_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _answer(self, resp, model):
        kind = resp["kind"]
        if kind == "error":
            self._json(resp["status"], resp["body"])
        elif kind == "hang":
            deadline = time.time() + resp["seconds"]
            while time.time() < deadline and not self.server.fixture._stopping:
                time.sleep(0.05)
            self._json(504, {"error": {"message": "fixture hang over", "type": "server_error",
                                       "param": None, "code": None}})
        elif kind == "completion":
            self._json(200, {
                "id": "chatcmpl-fixture", "object": "chat.completion", "created": CREATED,
                "model": model, "system_fingerprint": FINGERPRINT,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": resp["text"],
                                                     "refusal": None},
                             "logprobs": None, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 9, "total_tokens": 59}})
        elif kind == "raw_stream":
            self._start_stream()
            self._send_chunk(resp["data"])
            self._send_chunk(b"")
        else:
            self._start_stream()
            for what, delta, finish, pause in resp["events"]:
                if what == "chunk":
                    ev = _chunk(delta, finish, model)
                    data = b"data: " + json.dumps(ev, separators=(",", ":")).encode() + b"\n\n"
                elif what == "done":
                    data = b"data: [DONE]\n\n"
                else:
                    data = delta
                self._send_chunk(data)
                if pause:
                    time.sleep(pause)
            self._send_chunk(b"")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client closing its kept-alive connection is normal, not worth a traceback
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class OpenAIFixture:
    """The fake endpoint on 127.0.0.1, a free port; `url` is the base URL (…/v1)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._script = []
        self._requests = []
        self._stopping = False
        self._httpd = None
        self._thread = None

    def start(self):
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fixture = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._stopping = True
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d/v1" % self.port

    def script(self, *responses):
        """The answers to the next requests, in order (replaces what was left).  A
        request beyond the script gets a 500."""
        with self._lock:
            self._script = list(responses)

    def take_requests(self):
        """The requests received since the last call: dicts with path, headers
        (lower-case names), body (parsed JSON or None) and raw bytes."""
        with self._lock:
            out, self._requests = self._requests, []
        return out

    def _record(self, path, headers, body, raw):
        rec = {"path": path, "headers": {k.lower(): v for k, v in headers.items()},
               "body": body, "raw": raw}
        with self._lock:
            self._requests.append(rec)
        return rec

    # -- the voice endpoints ----------------------------------------------------------
    _asr_mode, _asr_text, _asr_hang = "ok", "", 30.0
    _tts_mode, _tts_hang = "ok", 30.0

    def transcribe_as(self, text, mode="ok", hang_seconds=30.0):
        """What /v1/audio/transcriptions answers from now on: {"text": text} in mode
        "ok"; "500" and "hang" fail as described above."""
        with self._lock:
            self._asr_text, self._asr_mode, self._asr_hang = text, mode, hang_seconds

    def speak_mode(self, mode="ok", hang_seconds=30.0):
        """How /v1/audio/speech answers from now on: "ok", "500" or "hang"."""
        with self._lock:
            self._tts_mode, self._tts_hang = mode, hang_seconds

    def _next(self):
        with self._lock:
            if self._script:
                return self._script.pop(0)
        return http_error(500, "fixture: no scripted response left")


# -- helpers of the voice endpoints -------------------------------------------------------

def _multipart(ctype, raw):
    """A multipart/form-data body as {field name: bytes} (later fields win)."""
    if not ctype.lower().startswith("multipart/form-data"):
        return {}
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + raw)
    out = {}
    if not msg.is_multipart():
        return out
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            out[name] = part.get_payload(decode=True) or b""
            if part.get_filename():
                out[name + ".filename"] = part.get_filename().encode()
                out[name + ".content_type"] = part.get_content_type().encode()
    return out


def _wav_info(data):
    """The WAV held in data: rate, channels, sampwidth, frames, seconds; None when it is
    not a valid WAV (bad header, or a data chunk that does not match its size)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return None
    try:
        with wave.open(io.BytesIO(data)) as w:
            info = {"rate": w.getframerate(), "channels": w.getnchannels(),
                    "sampwidth": w.getsampwidth(), "frames": w.getnframes()}
            got = len(w.readframes(info["frames"])) // (info["channels"] * info["sampwidth"])
    except (wave.Error, EOFError, struct.error):
        return None
    if got != info["frames"] or struct.unpack("<I", data[4:8])[0] != len(data) - 8:
        return None
    info["seconds"] = info["frames"] / float(info["rate"])
    return info


def synthesise(text, rate):
    """text spoken as 16-bit mono little-endian PCM at rate: espeak-ng at 120 words a
    minute through sox, else a 440 Hz tone of 70 ms per character."""
    if shutil.which("espeak-ng") and shutil.which("sox"):
        try:
            es = subprocess.run(["espeak-ng", "-s", "120", "--stdout", text], capture_output=True,
                                timeout=20, check=True)
            sx = subprocess.run(["sox", "-t", "wav", "-", "-t", "raw", "-r", str(rate), "-e", "signed",
                                 "-b", "16", "-c", "1", "-L", "-"], input=es.stdout,
                                capture_output=True, timeout=20, check=True)
            if len(sx.stdout) >= 2:
                return sx.stdout[: len(sx.stdout) // 2 * 2]
        except (OSError, subprocess.SubprocessError):
            pass
    n = int(rate * 0.07 * max(1, len(text)))
    return b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                    for i in range(n))
