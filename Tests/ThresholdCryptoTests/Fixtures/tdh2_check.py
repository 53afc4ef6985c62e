"""An implementation of LitSim's TDH2 (Shoup–Gennaro, as a labelled KEM over secp256k1 with
ChaCha20-Poly1305) written apart from the Swift code: affine secp256k1 arithmetic in plain
Python, RFC 9380 expand_message_xmd(SHA-256), and the `cryptography` package's AEAD. It checks
the ciphertext, every decryption share's proof (and that a tampered one fails), interpolates a
threshold of shares and opens the content. Usage: tdh2_check.py FILE.json (written by
TDH2Tests.pythonChecksAndOpensWhatSwiftMade), or tdh2_check.py decryptions.jsonl (a run's
output): each line's label must be the SHA-256 of its conditions re-serialised here as
canonical JSON, its ciphertext and every share valid, and the shares must open content whose
SHA-256 is the one recorded."""
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from secp256k1_plain import G, N, P, add, compress, expand_message_xmd, mul, neg  # noqa: E402
from secp256k1_plain import decompress as plain_decompress  # noqa: E402

DOMAIN = b"LitSim-TDH2-secp256k1-v1"


def decompress(data):
    point = plain_decompress(data)
    assert point is not None, "not a compressed point on the curve"
    return point


def hash_to_scalar(msg, dst):
    return int.from_bytes(expand_message_xmd(msg, dst, 48), "big") % N


def second_generator():
    for counter in range(256):
        x = int.from_bytes(hashlib.sha256(DOMAIN + b"generator" + bytes([counter])).digest(), "big")
        if x >= P:
            continue
        y2 = (x * x * x + 7) % P
        y = pow(y2, (P + 1) // 4, P)
        if y * y % P == y2:
            return (x, y if y % 2 == 0 else P - y)
    raise AssertionError("no generator")


def h2(sealed, label, points):
    data = hashlib.sha256(sealed).digest() + hashlib.sha256(label).digest() + b"".join(compress(p) for p in points)
    return hash_to_scalar(data, DOMAIN + b"H2")


def h4(points):
    return hash_to_scalar(b"".join(compress(p) for p in points), DOMAIN + b"H4")


def share_valid(u, share):
    ui, hi = decompress(bytes.fromhex(share["ui"])), decompress(bytes.fromhex(share["hi"]))
    e, f = int(share["e"], 16), int(share["f"], 16)
    u_hat = add(mul(f, u), neg(mul(e, ui)))
    h_hat = add(mul(f, G), neg(mul(e, hi)))
    return h4([u, hi, ui, u_hat, h_hat]) == e


def lagrange_open(sealed, label, shares):
    ids = [int(s["id"], 16) for s in shares]
    total = None
    for j, s in enumerate(shares):
        lam = 1
        for m, other in enumerate(ids):
            if m != j:
                lam = lam * other * pow(other - ids[j], -1, N) % N
        total = add(total, mul(lam, decompress(bytes.fromhex(s["ui"]))))
    key = hashlib.sha256(DOMAIN + b"H1" + compress(total)).digest()
    return ChaCha20Poly1305(key).decrypt(sealed[:12], sealed[12:], label)


def ciphertext_valid(sealed, label, c, g_bar):
    u, u_bar = decompress(bytes.fromhex(c["u"])), decompress(bytes.fromhex(c["u_bar"]))
    e, f = int(c["e"], 16), int(c["f"], 16)
    w = add(mul(f, G), neg(mul(e, u)))
    w_bar = add(mul(f, g_bar), neg(mul(e, u_bar)))
    return h2(sealed, label, [u, w, u_bar, w_bar]) == e, u


def check_run(path):
    g_bar = second_generator()
    count = 0
    for number, line in enumerate(open(path), 1):
        record = json.loads(line)
        conditions = record["conditions"]
        canonical = "[]" if conditions is None else json.dumps(json.loads(conditions), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
        assert conditions is None or canonical == conditions, f"line {number}: conditions are not canonical JSON"
        label = bytes.fromhex(record["label"])
        assert hashlib.sha256(canonical.encode()).digest() == label, f"line {number}: label is not the hash of the conditions"
        sealed = bytes.fromhex(record["ciphertext"]["sealed"])
        valid, u = ciphertext_valid(sealed, label, record["ciphertext"], g_bar)
        assert valid, f"line {number}: ciphertext invalid"
        shares = record["shares"]
        assert shares and all(share_valid(u, s) for s in shares), f"line {number}: a share fails its proof"
        assert len({s["id"] for s in shares}) == len(shares), f"line {number}: a share repeats"
        plaintext = lagrange_open(sealed, label, shares)
        assert hashlib.sha256(plaintext).hexdigest() == record["plaintext_sha256"], f"line {number}: opened to something else"
        count += 1
    print(f"{count} decryptions checked: labels, ciphertexts and shares valid, content opened")


def main():
    if sys.argv[1].endswith(".jsonl"):
        check_run(sys.argv[1])
        return
    doc = json.load(open(sys.argv[1]))
    g_bar = second_generator()
    assert compress(g_bar).hex() == doc["second_generator"], "second generator differs"
    sealed, label = bytes.fromhex(doc["sealed"]), bytes.fromhex(doc["label"])
    valid, u = ciphertext_valid(sealed, label, doc, g_bar)
    assert valid, "ciphertext invalid"
    assert not ciphertext_valid(sealed, label + b"x", doc, g_bar)[0]
    shares = doc["shares"]
    assert all(share_valid(u, s) for s in shares), "a share fails its proof"
    tampered = dict(shares[0])
    tampered["ui"] = compress(add(decompress(bytes.fromhex(tampered["ui"])), G)).hex()
    rejected = 0 if share_valid(u, tampered) else 1
    plaintext = lagrange_open(sealed, label, shares[:3])
    assert plaintext.hex() == doc["plaintext"], "opened to something else"
    print(f"ciphertext valid, {len(shares)} shares valid, rejected {rejected} tampered, opened {len(plaintext)} bytes")


main()
