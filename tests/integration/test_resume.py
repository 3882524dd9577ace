#!/usr/bin/env python3
"""test_resume.py - a buddy conversation resumed on another voxcartd process keeps its
dialogue context (issues 12, 13): the dialogue state is stored at the end of each
turn and loaded when the process has none for the conversation.  One SQLite file
takes one process, so the other process is voxcartd restarted on the same database
between two turns: "Shall I add it?" ... restart ... hello with the conversation
id ... "yes" adds it.  The REST turn (POST /buddy/messages with conversation_id)
resumes the same way, and a stored state that does not load starts the
conversation fresh."""

import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from wsclient import WS  # noqa: E402

CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
OFFER = "tell me about the honeycrisp apples"


def say(ws, turn, text):
    ws.send_json({"type": "say", "turn": turn, "text": text})
    ev = ws.events_until(lambda k, m: k == "text" and m.get("type") == "reply.done"
                         and m.get("turn") == turn)
    msgs = [m for k, m in ev if k == "text"]
    return msgs[-1].get("text", ""), [m for m in msgs if m.get("type") == "action"]


def cart_titles(srv, tok):
    st, _, b = srv.http("GET", "/api/v1/cart", token=tok)
    return [i.get("title", "") for i in (b or {}).get("items", [])] if st == 200 else None


def main():
    c = lib.Checks("resume")
    first = lib.Server(args=["--import-catalog", CATALOG], keep=True).start()
    second = third = None
    try:
        tok = first.register("resume@example.com")["access_token"]
        ws = WS(first.port)
        ws.send_json({"type": "hello", "token": tok, "client": "test/1", "speech": False})
        ready = ws.recv()[1]
        conv = ready.get("conversation_id")
        reply, _ = say(ws, 1, OFFER)
        c.check("the buddy offers the product", "Shall I add it?" in reply, reply)
        # a REST conversation with the same offer open
        st, _, b = first.http("POST", "/api/v1/buddy/messages", {"text": OFFER}, token=tok)
        c.check("REST offer", st == 200 and "Shall I add it?" in b.get("reply", ""), b)
        rest_conv = b.get("conversation_id")
        ws.close()
        db = first.db
        c.eq("first voxcartd stops cleanly", first.stop(), 0)

        second = lib.Server(db=db, keep=True).start()
        ws = WS(second.port)
        ws.send_json({"type": "hello", "token": tok, "client": "test/1", "speech": False,
                      "conversation_id": conv})
        ready = ws.recv()[1]
        c.eq("hello resumes the conversation", ready.get("conversation_id"), conv)
        reply, acts = say(ws, 2, "yes")
        c.check("'yes' after the restart adds it",
                any(a.get("name") == "cart.add" for a in acts), (reply, acts))
        titles = cart_titles(second, tok) or []
        c.check("the cart holds it", any("Honeycrisp" in t for t in titles), titles)
        ws.close()
        st, _, b = second.http("POST", "/api/v1/buddy/messages",
                               {"text": "yes", "conversation_id": rest_conv}, token=tok)
        c.check("REST 'yes' after the restart answers the offer", st == 200 and
                any(a.get("name") == "cart.add" for a in b.get("actions", [])), b)
        c.eq("second voxcartd stops cleanly", second.stop(), 0)

        # a stored state that does not load: the conversation starts fresh, no crash
        corrupt = "'{\"v\":1,\"pending\":'"
        if lib.ON_POSTGRES:
            stored = lib.pg_query(db, "SELECT state FROM conversations WHERE id = %d" % rest_conv)
            lib.pg_query(db, "UPDATE conversations SET state = %s WHERE id = %d" % (corrupt, rest_conv))
        else:
            con = sqlite3.connect(db)
            stored = con.execute("SELECT state FROM conversations WHERE id = ?",
                                 (rest_conv,)).fetchone()[0]
            con.execute("UPDATE conversations SET state = %s WHERE id = ?" % corrupt, (rest_conv,))
            con.commit()
            con.close()
        c.check("the state is stored, version-tagged", str(stored).startswith('{"v":1,'), stored)
        third = lib.Server(db=db, keep=True).start()
        st, _, b = third.http("POST", "/api/v1/buddy/messages",
                              {"text": "yes", "conversation_id": rest_conv}, token=tok)
        c.check("a corrupt stored state: a fresh answer, nothing added", st == 200 and
                not any(a.get("name") == "cart.add" for a in b.get("actions", [])), b)
        c.check("... and it is said in the log", "dialogue state dropped" in third.log_tail(200),
                third.log_tail())
        c.eq("third voxcartd stops cleanly", third.stop(), 0)
    finally:
        for s in (first, second, third):
            if s and s.alive():
                s.stop()
    c.finish()


if __name__ == "__main__":
    main()
