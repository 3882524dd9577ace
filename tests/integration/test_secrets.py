#!/usr/bin/env python3
"""test_secrets.py - secrets typed to the buddy (issue 15, item 8).

A card number (Luhn, grouped or not), a CVC and a password typed in a chat must not
be stored (conversation messages, read back through the API and straight from the
database file) nor sent to the outside engine; the buddy tells the shopper not to
type them.  Over REST, over the WebSocket, and with the OpenAI-compatible engine
(openai_fixture.py records what it was sent).
"""

import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lib  # noqa: E402
from openai_fixture import OpenAIFixture, completion  # noqa: E402
from wsclient import WS  # noqa: E402

C = lib.Checks("test_secrets")
CATALOG = os.path.join(lib.ROOT, "tests", "fixtures", "test_catalog.csv")
SECRET_TEXT = ("my card is 4242 4242 4242 4242 and the cvc is 987, "
               "my password is Hunter2xyz")
LEAKS = ("4242", "987", "Hunter2xyz")
WARNING = "don't type"


def leaked(text):
    return [s for s in LEAKS if s in (text or "")]


def stored_texts(srv):
    if lib.ON_POSTGRES:
        return lib.pg_query(srv.db, "SELECT text FROM messages").splitlines()
    db = sqlite3.connect(srv.db)
    try:
        return [r[0] for r in db.execute("SELECT text FROM messages")]
    finally:
        db.close()


def over_rest(srv, tok):
    st, _, b = srv.http("POST", "/api/v1/buddy/messages", {"text": SECRET_TEXT}, token=tok)
    C.eq("REST turn with secrets -> 200", st, 200)
    C.check("REST: the buddy tells the shopper not to type them", WARNING in b.get("reply", ""), b)
    C.check("REST: the reply does not repeat them", not leaked(b.get("reply")), b)
    st, _, conv = srv.http("GET", "/api/v1/conversations/%d" % b["conversation_id"], token=tok)
    user = [m["text"] for m in conv.get("messages", []) if m["role"] == "user"]
    C.check("REST: stored user message has them removed",
            len(user) == 1 and "[removed]" in user[0] and not leaked(user[0]), user)
    # ordinary shopping talk is stored as typed
    st, _, b = srv.http("POST", "/api/v1/buddy/messages",
                        {"text": "add 2 bananas", "conversation_id": b["conversation_id"]}, token=tok)
    C.check("no warning for ordinary talk", st == 200 and WARNING not in b.get("reply", ""), b)


def over_ws(srv, tok):
    ws = WS(srv.port)
    ws.send_json({"type": "hello", "token": tok, "client": "test/1", "speech": False})
    ready = ws.recv()[1]
    C.eq("ws ready", ready.get("type"), "ready")
    ws.send_json({"type": "say", "turn": 1, "text": "cvv 4321 and card 5555-5555-5555-4444"})
    ev = ws.events_until(lambda k, m: k == "text" and m.get("type") == "reply.done")
    done = ev[-1][1]
    C.check("ws: the reply warns", WARNING in done.get("text", ""), done)
    ws.close()
    texts = stored_texts(srv)
    C.check("ws: nothing of the card or the CVV in the database",
            not any("4321" in t or "5555" in t or "4444" in t for t in texts), texts)


def main():
    with lib.Server(args=["--import-catalog", CATALOG]) as srv:
        tok = srv.register("secrets@test.io")["access_token"]
        C.run("REST", over_rest, srv, tok)
        C.run("WebSocket", over_ws, srv, tok)
        texts = stored_texts(srv)
        C.check("database: no secret in any stored message", not any(leaked(t) for t in texts), texts)

    os.environ["VOXCART_TEST_KEY"] = "sk-test-secrets"
    fx = OpenAIFixture().start()
    conf = (lib.DEFAULT_CONFIG + "[buddy]\nengine = openai\nopenai_url = %s\n"
            "openai_model = test-model\nopenai_api_key_env = VOXCART_TEST_KEY\n"
            "openai_timeout_ms = 1500\n" % fx.url)
    try:
        with lib.Server(config=conf, args=["--import-catalog", CATALOG]) as srv:
            tok = srv.register("secrets2@test.io")["access_token"]
            fx.script(completion("Noted."))
            st, _, b = srv.http("POST", "/api/v1/buddy/messages", {"text": SECRET_TEXT}, token=tok,
                                timeout=30)
            C.check("openai engine: answered, with the warning", st == 200 and
                    WARNING in b.get("reply", ""), b)
            reqs = fx.take_requests()
            sent = json.dumps([r.get("body") for r in reqs])
            C.check("openai engine: the request carried the message", len(reqs) >= 1 and
                    "[removed]" in sent, sent[:500])
            C.check("openai engine: nothing secret was sent out", not leaked(sent), sent[:800])
            # the next turn sends the stored history: still clean
            fx.script(completion("Sure."))
            srv.http("POST", "/api/v1/buddy/messages",
                     {"text": "thanks", "conversation_id": b.get("conversation_id")}, token=tok,
                     timeout=30)
            sent = json.dumps([r.get("body") for r in fx.take_requests()])
            C.check("openai engine: history sent later is clean", not leaked(sent), sent[:800])
    finally:
        fx.stop()
    C.finish()


if __name__ == "__main__":
    main()
