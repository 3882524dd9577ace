"""A small WebSocket client (RFC 6455) on the Python standard library, for talking
to voxcartd's buddy endpoint in tests: text and binary frames, fragmentation on
receive, close codes.  Client frames are masked as the RFC requires."""

import base64
import json
import os
import socket
import struct
import time


class Closed(Exception):
    def __init__(self, code, reason=""):
        super().__init__("closed %s %s" % (code, reason))
        self.code = code
        self.reason = reason


class WS:
    def __init__(self, port, path="/api/v1/buddy", protocol="voxcart.v1", host="127.0.0.1",
                 timeout=15):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % (path, host, port, key))
        if protocol:
            req += "Sec-WebSocket-Protocol: %s\r\n" % protocol
        self.sock.sendall((req + "\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("handshake: connection closed")
            buf += chunk
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        self.status = int(head.split(b" ")[1])
        if self.status != 101:
            raise ConnectionError("handshake: HTTP %d" % self.status)
        self.closed = None

    def _send_frame(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_json(self, obj):
        self._send_frame(0x1, json.dumps(obj).encode())

    def send_text(self, text):
        self._send_frame(0x1, text.encode() if isinstance(text, str) else text)

    def send_binary(self, data):
        self._send_frame(0x2, data)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed(1006, "connection lost")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self, timeout=15):
        """Next message: ("text", obj) or ("binary", bytes).  Raises Closed."""
        self.sock.settimeout(timeout)
        data, kind = b"", None
        while True:
            b0, b1 = self._read(2)
            opcode, fin = b0 & 0x0F, b0 & 0x80
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(n)
            if opcode == 0x8:
                code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                self.closed = code
                raise Closed(code, payload[2:].decode(errors="replace"))
            if opcode == 0x9:
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:
                continue
            if opcode in (0x1, 0x2):
                kind = "text" if opcode == 0x1 else "binary"
            data += payload
            if fin:
                break
        if kind == "text":
            return "text", json.loads(data.decode())
        return "binary", data

    def events_until(self, pred, timeout=20):
        """Collects messages until pred(kind, msg) is true; returns the list."""
        out = []
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise TimeoutError("no matching event; got %r" % [m for k, m in out if k == "text"])
            kind, msg = self.recv(timeout=left)
            out.append((kind, msg))
            if pred(kind, msg):
                return out

    def close(self):
        try:
            self._send_frame(0x8, struct.pack(">H", 1000))
        except OSError:
            pass
        self.sock.close()


def frame(kind, flags, turn, seq, payload=b""):
    """A PROTOCOL.md audio frame."""
    return struct.pack(">BBHII", kind, flags, 0, turn, seq) + payload


def parse_frame(data):
    kind, flags, reserved, turn, seq = struct.unpack(">BBHII", data[:12])
    return {"kind": kind, "flags": flags, "reserved": reserved, "turn": turn, "seq": seq,
            "payload": data[12:]}
