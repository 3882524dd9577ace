#!/usr/bin/env python3
"""The buddy WebSocket and the conversation endpoints against a real voxcartd:
every message type and every error case of PROTOCOL.md section 4."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from wsclient import WS, Closed, frame, parse_frame  # noqa: E402

CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")


def is_done(turn):
    return lambda k, m: k == "text" and m.get("type") == "reply.done" and m.get("turn") == turn


def hello(ws, token, **extra):
    msg = {"type": "hello", "token": token, "client": "test/1", "speech": False}
    msg.update(extra)
    ws.send_json(msg)
    return ws.recv()[1]


def texts(events):
    return [m for k, m in events if k == "text"]


def main():
    c = lib.Checks("buddy_ws")
    srv = lib.Server(args=["--import-catalog", CATALOG]).start()
    try:
        tok = srv.register("ws1@example.com")["access_token"]
        other = srv.register("ws2@example.com")["access_token"]

        # --- hello / ready / auth ---
        ws = WS(srv.port)
        ready = hello(ws, tok, speech=True)
        c.eq("ready type", ready.get("type"), "ready")
        c.check("ready has conversation and user", ready.get("conversation_id", 0) > 0
                and ready.get("user", {}).get("email") == "ws1@example.com", ready)
        c.eq("ready speech codec", ready.get("speech", {}).get("codec"), "opus")
        c.eq("ready speech rate", ready.get("speech", {}).get("sample_rate"), 24000)
        c.check("ready asr", "engine" in ready.get("asr", {}), ready)
        conv = ready["conversation_id"]

        ws.send_json({"type": "ping"})
        c.eq("ping -> pong", ws.recv()[1].get("type"), "pong")

        # --- a typed turn with speech: order of events, numbered frames ---
        ws.send_json({"type": "say", "turn": 1, "text": "do you have bananas"})
        ev = ws.events_until(is_done(1))
        deltas = [m for m in texts(ev) if m["type"] == "reply.delta"]
        done = texts(ev)[-1]
        c.check("reply.delta before reply.done", len(deltas) > 0, texts(ev))
        c.eq("deltas numbered from 0", [d["seq"] for d in deltas], list(range(len(deltas))))
        c.eq("deltas join to the reply", "".join(d["text"] for d in deltas), done["text"])
        acts = [m for m in texts(ev) if m["type"] == "action"]
        c.check("search action with items", any(a["name"] == "search" and a["result"].get("items")
                                                for a in acts), acts)
        frames = [parse_frame(m) for k, m in ev if k == "binary"]
        c.check("speech frames sent", len(frames) > 0, done)
        c.eq("speech_frames counts them", done.get("speech_frames"), len(frames))
        c.eq("frame seqs contiguous from 0", [f["seq"] for f in frames], list(range(len(frames))))
        c.check("only the last frame flagged", frames and frames[-1]["flags"] == 1
                and all(f["flags"] == 0 for f in frames[:-1]), [f["flags"] for f in frames[-3:]])
        c.check("frames are speech of turn 1", all(f["kind"] == 2 and f["turn"] == 1 for f in frames))
        c.check("timing present", set(done.get("timing", {})) >= {"asr_ms", "think_ms", "first_speech_ms"},
                done)
        c.eq("not cancelled", done.get("cancelled"), False)
        sseq = [d.get("speech_seq") for d in deltas]
        c.check("reply.delta carries speech_seq, from 0, non-decreasing, within the frames",
                sseq and sseq[0] == 0 and all(a <= b for a, b in zip(sseq, sseq[1:]))
                and all(x < len(frames) for x in sseq), sseq)
        first_bin = next(i for i, (k, _) in enumerate(ev) if k == "binary")
        c.check("speech starts before reply.done", first_bin < len(ev) - 1)

        # --- acting on the cart ---
        ws.send_json({"type": "say", "turn": 2, "text": "add two organic bananas to my cart"})
        ev = ws.events_until(is_done(2))
        adds = [m for m in texts(ev) if m["type"] == "action" and m["name"] == "cart.add"]
        c.check("cart.add action with the cart", adds and "cart" in adds[0]["result"], texts(ev))
        st, _, cart = srv.http("GET", "/api/v1/cart", token=tok)
        c.check("cart holds the bananas", any("Banana" in i["title"] and i["quantity"] == 2
                                              for i in cart.get("items", [])), cart)

        # --- errors that keep the socket open ---
        ws.send_text("{not json")
        c.eq("invalid JSON -> error", ws.recv()[1].get("code"), "invalid_json")
        ws.send_json({"no": "type"})
        c.eq("no type -> bad_request", ws.recv()[1].get("code"), "bad_request")
        ws.send_json({"type": "dance"})
        c.eq("unknown type -> bad_request", ws.recv()[1].get("code"), "bad_request")
        ws.send_json({"type": "say", "turn": 3})
        c.eq("say without text -> bad_request", ws.recv()[1].get("code"), "bad_request")
        ws.send_json({"type": "say", "turn": 2, "text": "hi"})
        m = ws.recv()[1]
        c.check("reused turn id -> error", m.get("type") == "error" and m.get("turn") == 2, m)
        ws.send_json({"type": "say", "turn": -4, "text": "hi"})
        c.eq("negative turn -> bad_request", ws.recv()[1].get("code"), "bad_request")
        ws.send_binary(b"\x01\x00")
        c.eq("short audio frame -> error", ws.recv()[1].get("code"), "bad_request")
        ws.send_binary(frame(1, 0, 9, 0, b"\x00\x01"))
        c.eq("audio for a turn not recording -> error", ws.recv()[1].get("code"), "bad_request")
        ws.send_json({"type": "audio.stop", "turn": 77})
        c.eq("audio.stop without start -> error", ws.recv()[1].get("code"), "bad_request")
        ws.send_json({"type": "ping"})
        c.eq("still serving after errors", ws.recv()[1].get("type"), "pong")

        # --- barge-in: cancel stops speech and ends the turn cancelled ---
        ws.send_json({"type": "say", "turn": 10, "text": "show me coffee"})
        first = ws.events_until(lambda k, m: k == "binary", timeout=20)
        ws.send_json({"type": "cancel", "turn": 10})
        ev = first + ws.events_until(is_done(10))
        done = texts(ev)[-1]
        c.eq("cancelled turn says cancelled", done.get("cancelled"), True)
        sent = [parse_frame(m) for k, m in ev if k == "binary"]
        c.check("speech stopped early", len(sent) < max(done.get("speech_frames", 0), 1) or
                done.get("speech_frames", 0) == len(sent), (len(sent), done.get("speech_frames")))
        ws.send_json({"type": "say", "turn": 11, "text": "hello"})
        ev = ws.events_until(is_done(11))
        c.check("no frames of the cancelled turn after its reply.done",
                all(parse_frame(m)["turn"] == 11 for k, m in ev if k == "binary"))

        # --- a new turn cancels the running one ---
        ws.send_json({"type": "say", "turn": 12, "text": "what fruit do you have"})
        ws.send_json({"type": "say", "turn": 13, "text": "what is in my cart"})
        ev = ws.events_until(is_done(13))
        dones = {m["turn"]: m for m in texts(ev) if m["type"] == "reply.done"}
        c.check("both turns end with reply.done", 12 in dones and 13 in dones, list(dones))
        c.check("turn 13 answered in full", dones.get(13, {}).get("cancelled") is False, dones.get(13))
        ws.close()

        # --- bad tokens: unauthorized and close 4001 ---
        for name, token in (("unknown", "nope"), ("missing", None)):
            ws = WS(srv.port)
            msg = {"type": "hello"}
            if token:
                msg["token"] = token
            ws.send_json(msg)
            got = ws.recv()[1]
            c.eq("hello with %s token -> unauthorized" % name, got.get("code"), "unauthorized")
            try:
                ws.recv(timeout=5)
                c.check("socket closed 4001 (%s)" % name, False, "still open")
            except Closed as e:
                c.eq("socket closed 4001 (%s)" % name, e.code, 4001)
            ws.sock.close()

        ws = WS(srv.port)
        ws.send_json({"type": "say", "turn": 1, "text": "hi"})
        c.eq("say before hello -> error", ws.recv()[1].get("code"), "bad_request")
        ws.close()

        # --- resume a conversation; another user's is refused ---
        ws = WS(srv.port)
        ready = hello(ws, tok, conversation_id=conv)
        c.eq("hello resumes the conversation", ready.get("conversation_id"), conv)
        ws.close()
        ws = WS(srv.port)
        got = hello(ws, other, conversation_id=conv)
        c.eq("someone else's conversation -> not_found", got.get("code"), "not_found")
        ready = ws.recv()[1]
        c.check("... and a new one starts", ready.get("type") == "ready" and
                ready.get("conversation_id") != conv, ready)
        ws.close()

        # --- REST: one turn without streaming, conversations ---
        st, _, b = srv.http("POST", "/api/v1/buddy/messages", {"text": "show my cart"}, token=tok)
        c.eq("buddy/messages 200", st, 200)
        c.check("buddy/messages shape", isinstance(b.get("reply"), str) and b.get("reply") and
                isinstance(b.get("actions"), list) and b.get("conversation_id"), b)
        st, _, b2 = srv.http("POST", "/api/v1/buddy/messages",
                             {"text": "thanks", "conversation_id": b["conversation_id"]}, token=tok)
        c.eq("buddy/messages continues a conversation", b2.get("conversation_id"), b["conversation_id"])
        st, _, e = srv.http("POST", "/api/v1/buddy/messages", {"text": "hi", "conversation_id": conv},
                            token=other)
        c.eq("buddy/messages on another's conversation -> 404", st, 404)
        st, _, e = srv.http("POST", "/api/v1/buddy/messages", {"text": ""}, token=tok)
        c.eq("empty text -> 422", st, 422)
        st, _, e = srv.http("POST", "/api/v1/buddy/messages", {"text": "hi"})
        c.eq("no token -> 401", st, 401)

        st, _, page = srv.http("GET", "/api/v1/conversations", token=tok)
        c.check("conversations listed", st == 200 and page.get("total", 0) >= 2, page)
        st, _, one = srv.http("GET", "/api/v1/conversations/%d" % conv, token=tok)
        msgs = one.get("messages", []) if st == 200 else []
        c.check("conversation has user and buddy messages", any(m["role"] == "user" for m in msgs)
                and any(m["role"] == "buddy" for m in msgs), one)
        c.check("user messages carry intent and sentiment",
                all("sentiment" in m and "intent" in m for m in msgs if m["role"] == "user"), msgs[:2])
        st, _, _ = srv.http("GET", "/api/v1/conversations/%d" % conv, token=other)
        c.eq("another user's conversation -> 404", st, 404)
        st, _, _ = srv.http("DELETE", "/api/v1/conversations/%d" % conv, token=other)
        c.eq("another user cannot delete it", st, 404)
        st, _, _ = srv.http("DELETE", "/api/v1/conversations/%d" % conv, token=tok)
        c.eq("owner deletes it", st, 204)
        st, _, _ = srv.http("GET", "/api/v1/conversations/%d" % conv, token=tok)
        c.eq("deleted conversation is gone", st, 404)
        c.check("server alive", srv.alive())
    finally:
        srv.stop()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
