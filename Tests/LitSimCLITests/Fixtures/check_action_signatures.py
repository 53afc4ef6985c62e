"""Checks a Lit Action run's outputs with nothing from LitSim: every signature in
signatures.jsonl verifies under its key over its 32-byte digest, and a signature with one bit
changed does not.
- ECDSA (`sign-ecdsa`, `jwt`) with the `cryptography` package under the PKP key; the digest is
  the Keccak-256 (this file's own implementation, checked against EIP-1052's code hash of an
  account without code, keccak256('')) of PREFIX + the response the client picked in
  actions.jsonl, or the SHA-256 of a JWT's signing input, whose token PyJWT verifies (ES256K)
  with the response as its `value` claim.
- FROST (`sign`) under the network key, by this file's own secp256k1 arithmetic: BIP-340
  (frost-taproot; the verifier checked against BIP-340's own test vectors) and RFC 9591's
  FROST(secp256k1, SHA-256) (the challenge by RFC 9380's expand_message_xmd; the verifier
  checked against RFC 9591 appendix E.5's signature); the digest is the SHA-256 of PREFIX + the
  response.
Usage: check_action_signatures.py RUN_FOLDER PREFIX [FIXTURES_FOLDER]"""
import csv
import hashlib
import json
import sys

import jwt

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

# The fixtures folder: BIP-340's and RFC 9591's vectors, and the plain-Python secp256k1.
fixtures = sys.argv[3] if len(sys.argv) > 3 else "Tests/ThresholdCryptoTests/Fixtures"
sys.path.insert(0, fixtures)
from secp256k1_plain import G, N, P, add, decompress, expand_message_xmd, lift_x, mul  # noqa: E402

# Keccak-f[1600] (FIPS 202's permutation) with the original Keccak padding (0x01), rate 1088.
ROUND_CONSTANTS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000, 0x000000000000808B, 0x0000000080000001,
    0x8000000080008081, 0x8000000000008009, 0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003, 0x8000000000008002, 0x8000000000000080,
    0x000000000000800A, 0x800000008000000A, 0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
ROTATIONS = [[0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56], [27, 20, 39, 8, 14]]
MASK = (1 << 64) - 1


def rotate(value, shift):
    return ((value << shift) | (value >> (64 - shift))) & MASK if shift else value


def permute(state):
    for constant in ROUND_CONSTANTS:
        c = [state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ rotate(c[(x + 1) % 5], 1) for x in range(5)]
        state = [[state[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = rotate(state[x][y], ROTATIONS[x][y])
        state = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)] for x in range(5)]
        state[0][0] ^= constant
    return state


def keccak256(data):
    rate = 136
    if len(data) % rate == rate - 1:  # one byte of padding: 0x01 and 0x80 share it
        padded = bytearray(data) + b"\x81"
    else:
        padded = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 2) % rate) + b"\x80"
    state = [[0] * 5 for _ in range(5)]
    for offset in range(0, len(padded), rate):
        block = padded[offset:offset + rate]
        for index in range(rate // 8):
            x, y = index % 5, index // 5
            state[x][y] ^= int.from_bytes(block[8 * index:8 * index + 8], "little")
        state = permute(state)
    return b"".join(state[index % 5][index // 5].to_bytes(8, "little") for index in range(4))


# EIP-1052 (EXTCODEHASH): the code hash of an account without code is keccak256('').
assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
# Both padding cases and a second block (lengths 135, 136 and 300) must differ from each other.
assert len({keccak256(b"a" * n) for n in (135, 136, 137, 300)}) == 4

def tagged_hash(tag, data):
    digest = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(digest + digest + data).digest()


def bip340_verify(public_key, message, signature):
    """BIP-340's Verify, step by step."""
    point = lift_x(int.from_bytes(public_key, "big"))
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    if point is None or r >= P or s >= N:
        return False
    e = int.from_bytes(tagged_hash("BIP0340/challenge", signature[:32] + public_key + message), "big") % N
    R = add(mul(s, G), mul(N - e, point))
    return R is not None and R[1] % 2 == 0 and R[0] == r


def frost_secp256k1_verify(public_key, message, signature):
    """RFC 9591 §5.3/§6.5: z·G = R + c·PK, c = H2(R ‖ PK ‖ msg), H2 = hash_to_field (48 bytes mod n)."""
    R, point = decompress(signature[:33]), decompress(public_key)
    z = int.from_bytes(signature[33:], "big")
    if R is None or point is None or z >= N:
        return False
    c = int.from_bytes(expand_message_xmd(signature[:33] + public_key + message, b"FROST-secp256k1-SHA256-v1chal", 48), "big") % N
    return mul(z, G) == add(R, mul(c, point))


folder, prefix = sys.argv[1], sys.argv[2]
# The verifiers against the published vectors first: BIP-340's test-vectors.csv (every row's
# expected result) and RFC 9591 E.5's signature (and one bit of it changed).
for row in csv.DictReader(open(f"{fixtures}/bip340-test-vectors.csv")):
    expected = row["verification result"] == "TRUE"
    assert bip340_verify(bytes.fromhex(row["public key"]), bytes.fromhex(row["message"]), bytes.fromhex(row["signature"])) == expected, row["index"]
e5 = json.load(open(f"{fixtures}/rfc9591-e5-frost-secp256k1-sha256.json"))
e5_key, e5_message, e5_signature = (bytes.fromhex(e5["inputs"]["group_public_key"]), bytes.fromhex(e5["inputs"]["message"]),
                                    bytes.fromhex(e5["final_output"]["sig"]))
assert frost_secp256k1_verify(e5_key, e5_message, e5_signature)
assert not frost_secp256k1_verify(e5_key, e5_message, e5_signature[:-1] + bytes([e5_signature[-1] ^ 1]))

responses, tokens = {}, {}
for line in open(f"{folder}/actions.jsonl"):
    record = json.loads(line)
    responses[record["request"]] = record["response"]
    tokens[record["request"]] = record["jwts"]
jwt_digests = {hashlib.sha256(token.rsplit(".", 1)[0].encode()).digest() for each in tokens.values() for token in each}
keys = {}
count = 0
schnorr = {"frost-taproot": 0, "frost-secp256k1": 0}
for number, line in enumerate(open(f"{folder}/signatures.jsonl"), 1):
    record = json.loads(line)
    digest = bytes.fromhex(record["message"])
    if record["scheme"] in schnorr:
        assert digest == hashlib.sha256((prefix + responses[record["request"]]).encode()).digest(), f"line {number}: digest is not SHA-256 of the response"
        verify = bip340_verify if record["scheme"] == "frost-taproot" else frost_secp256k1_verify
        key, signature = bytes.fromhex(record["public_key"]), bytes.fromhex(record["signature"])
        assert verify(key, digest, signature), f"line {number}: {record['scheme']} signature does not verify"
        assert not verify(key, digest, signature[:-1] + bytes([signature[-1] ^ 1])), f"line {number}: a changed signature verified"
        schnorr[record["scheme"]] += 1
        continue
    assert record["scheme"] == "ecdsa", f"line {number}: scheme {record['scheme']}"
    if digest not in jwt_digests:
        assert digest == keccak256((prefix + responses[record["request"]]).encode()), f"line {number}: digest is not Keccak-256 of the response"
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(record["public_key"]))
    keys[record["request"]] = key
    signature = bytes.fromhex(record["signature"])
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    key.verify(utils.encode_dss_signature(r, s), digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
    try:
        key.verify(utils.encode_dss_signature(r, s ^ 1), digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        raise AssertionError(f"line {number}: a changed signature verified")
    except InvalidSignature:
        pass
    count += 1
verified_jwts = 0
for request, each in sorted(tokens.items()):
    for token in each:
        claims = jwt.decode(token, key=keys[request], algorithms=["ES256K"])
        assert claims["value"] == float(responses[request]), f"request {request}: value claim {claims['value']}"
        header, payload, signature = token.split(".")
        tampered = header + "." + payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature
        try:
            jwt.decode(tampered, key=keys[request], algorithms=["ES256K"])
            raise AssertionError(f"request {request}: a tampered token verified")
        except (jwt.exceptions.InvalidSignatureError, jwt.exceptions.DecodeError):
            pass
        verified_jwts += 1
print(f"{count} action signatures verified with cryptography (ECDSA secp256k1), digests recomputed with Keccak-256; "
      f"{verified_jwts} JWTs verified with PyJWT {jwt.__version__}; "
      f"{schnorr['frost-taproot']} BIP-340 and {schnorr['frost-secp256k1']} RFC 9591 FROST signatures verified")
