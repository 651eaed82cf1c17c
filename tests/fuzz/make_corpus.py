#!/usr/bin/env python3
"""Writes the seed corpora under corpus/<target>/: a few valid inputs per
target, so that fuzzing starts from the contract instead of from nothing.
Run it again after changing it; libFuzzer grows its own corpus elsewhere."""

import base64
import hashlib
import hmac
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
JWT_SECRET = b"fuzz-secret"  # jwt_fuzz.cpp, hello_auth_fuzz.cpp
TOKEN_SECRET = b"k" * 32  # stream_token_fuzz.cpp
ADMIN_TOKEN = "fuzz-admin"  # http_fuzz.cpp


def pack(x):
    """A minimal MessagePack encoder: nil, bool, uint, str, bytes (as an
    already encoded value), list and dict."""
    if x is None:
        return b"\xc0"
    if x is True:
        return b"\xc3"
    if x is False:
        return b"\xc2"
    if isinstance(x, int):
        if x < 128:
            return bytes([x])
        if x < 1 << 16:
            return b"\xcd" + struct.pack(">H", x)
        return b"\xcf" + struct.pack(">Q", x)
    if isinstance(x, str):
        b = x.encode()
        if len(b) < 32:
            return bytes([0xA0 | len(b)]) + b
        return b"\xd9" + bytes([len(b)]) + b
    if isinstance(x, bytes):
        return x
    if isinstance(x, list):
        return bytes([0x90 | len(x)]) + b"".join(pack(i) for i in x)
    if isinstance(x, dict):
        return bytes([0x80 | len(x)]) + b"".join(
            pack(k) + pack(v) for k, v in x.items())
    raise TypeError(x)


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def jwt_parts(claims):
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    return head + "." + b64url(json.dumps(claims).encode())


def jwt(claims):
    unsigned = jwt_parts(claims)
    mac = hmac.new(JWT_SECRET, unsigned.encode(), hashlib.sha256).digest()
    return unsigned + "." + b64url(mac)


def stream_token(body):
    unsigned = "v1." + b64url(body.encode())
    mac = hmac.new(TOKEN_SECRET, unsigned.encode(), hashlib.sha256).digest()
    return unsigned + "." + b64url(mac)


HELLO = [1, 1, "fuzz/1.0", {}]
FRAMES = {
    "hello": HELLO,
    "welcome": [2, 1, "node", "node-1", 15000, {"max_message": 1048576}],
    "request": [10, 1, "sys.echo", {"a": [1, "two", None, True]}],
    "stream": [16, 2, "sys.sum", 1],
    "stream_part": [17, 2, 2, True],
    "signal": [15, "tick", 7],
    "session": [23, 3, "s-1", "key", "v1.a.b", 9, False, {"sub": "ada"}],
    "session_resume": [22, 4, "v1.a.b", 0],
    "seq": [27, 5, pack([11, 1, "hi"])],
    "room_message": [30, "room-1", "s-1", "chat", "hello"],
    "close": [4, 0, "bye", ""],
}


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def codec():
    for name, frame in FRAMES.items():
        write("codec", name, pack(frame))
    write("codec", "batch", b"".join(pack(f) for f in (
        HELLO, [26, 3], [3, 0, 0], [14, 1], [12, 1, "invalid", "why"],
        [13, 1, 50, "overloaded"], [18, 1, "x", False], [24, 6],
        [25, "closed"], [20, 7, {"room": "a"}], [21, 8, "key"])))


def claims_pair(claims):
    return json.dumps({"alg": "HS256", "typ": "JWT"}) + "\n" + \
        json.dumps(claims)


def jwt_seeds():
    write("jwt", "pair", claims_pair({"sub": "ada", "exp": 1900000000}))
    write("jwt", "pair_nbf", claims_pair({"sub": "bo", "nbf": 1, "n": 1.5,
                                          "roles": ["a", {"b": None}]}))
    write("jwt", "expired", claims_pair({"exp": 1}))
    write("jwt", "token", jwt({"sub": "ada", "exp": 1900000000}))


def stream_token_seeds():
    body = "sess-1\n0\n1\n1900000000\nnode-a"
    write("stream_token", "body", body)
    write("stream_token", "token", stream_token(body))
    write("stream_token", "expired", stream_token("s\n1\n2\n3\nn"))


def hello_auth_seeds():
    info = [20, 2, {"name": "ada", "sub": "mallory"}]
    write("hello_auth", "anonymous", pack(HELLO) + pack(info))
    write("hello_auth", "unsigned", pack(
        [1, 1, "a", {"token": jwt_parts({"sub": "ada", "x": [1, 2]})}]) +
        pack(info))
    write("hello_auth", "signed", pack(
        [1, 1, "a", {"token": jwt({"sub": "ada", "exp": 1900000000})}]))
    write("hello_auth", "password", pack([1, 1, "a", {"password": "x"}]))


def request(method, target, headers="", body=""):
    if body:
        headers += "Content-Length: %d\r\n" % len(body)
    return "%s %s HTTP/1.1\r\nHost: fuzz\r\n%s\r\n%s" % (
        method, target, headers, body)


def ws_frame(payload, opcode=2):
    """A masked client frame (the mask is zero: the payload stays
    readable)."""
    assert len(payload) < 126
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + b"\0\0\0\0" + payload


UPGRADE = ("Upgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Version: 13\r\n")


def http_seeds():
    auth = "Authorization: Bearer %s\r\n" % ADMIN_TOKEN
    write("http", "health", request("GET", "/health"))
    write("http", "node", request("GET", "/api/v1/node", auth))
    write("http", "drain", request("POST", "/api/v1/drain", auth))
    write("http", "migrate", request(
        "POST", "/api/v1/sessions/s-1/migrate", auth, '{"to": "node-b"}'))
    write("http", "migrate_room", request(
        "POST", "/api/v1/rooms/r/migrate?x=1", auth, '{"to": 7}'))
    write("http", "unauthorized", request("GET", "/api/v1/node",
                                          "Authorization: Basic x\r\n"))
    write("http", "upgrade", request("GET", "/ws", UPGRADE).encode() +
          ws_frame(pack(HELLO)) + ws_frame(b"", 9) + ws_frame(b"\x03\xe8", 8))


def connection_seeds():
    # Messages separated by the harness's separator (connection_fuzz.cpp).
    sep = b"\xff\xfeMSG"
    open_session = pack([20, 1, {"name": "ada"}])
    write("connection", "echo", sep.join([
        pack(HELLO), pack([10, 1, "sys.echo", "hi"]),
        pack([10, 2, "sys.push", {"name": "t", "payload": 1, "count": 2}])]))
    write("connection", "session", sep.join([
        pack(HELLO) + open_session, pack([10, 1, "room.create", {}]),
        pack([26, 1]), pack([24, 2])]))
    write("connection", "stream", sep.join([
        pack(HELLO), pack([16, 1, "sys.sum", 1]), pack([17, 1, 2, False]),
        pack([14, 1]), pack([10, 3, "nope", None])]))
    write("connection", "resume", pack(HELLO) + pack(
        [22, 1, stream_token("s-1\n0\n1\n1900000000\nfuzz"), 0]))
    write("connection", "early", pack([10, 1, "sys.echo", 1]) + pack(HELLO))


if __name__ == "__main__":
    codec()
    jwt_seeds()
    stream_token_seeds()
    hello_auth_seeds()
    http_seeds()
    connection_seeds()
