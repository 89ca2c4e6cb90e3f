"""Independent Standard Webhooks signer for test_signing.cpp.

Reads lines "<hex key> <hex id> <timestamp> <hex body>" from the file named by argv[1] and
prints, for each, "<base64 key> v1,<base64 HMAC-SHA256(key, id.timestamp.body)>", using only
Python's hmac, hashlib and base64.
"""
import base64
import hashlib
import hmac
import sys

with open(sys.argv[1], encoding="ascii") as f:
    for line in f:
        key_hex, id_hex, ts, body_hex = line.split(" ")
        key = bytes.fromhex(key_hex)
        signed = bytes.fromhex(id_hex) + b"." + ts.encode() + b"." + bytes.fromhex(body_hex.strip())
        mac = hmac.new(key, signed, hashlib.sha256).digest()
        print(base64.b64encode(key).decode(), "v1," + base64.b64encode(mac).decode())
