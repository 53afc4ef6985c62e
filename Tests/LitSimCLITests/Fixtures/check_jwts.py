"""Checks a run's jwts.jsonl with a stock JWT library (PyJWT, ES256K through the
`cryptography` package), nothing from LitSim: every token must verify under the recorded
network key, name its client as `sub` and carry access-control conditions; a token with one
payload byte changed must not verify. Usage: check_jwts.py jwts.jsonl"""
import json
import sys

import jwt
from cryptography.hazmat.primitives.asymmetric import ec

count = 0
for number, line in enumerate(open(sys.argv[1]), 1):
    record = json.loads(line)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), bytes.fromhex(record["public_key"]))
    token = record["jwt"]
    # The tokens' dates are simulated (from 2026-01-01): expiry is not what is checked here.
    claims = jwt.decode(token, key=key, algorithms=["ES256K"], options={"verify_exp": False, "verify_iat": False})
    assert jwt.get_unverified_header(token) == {"alg": "ES256K", "typ": "JWT"}, f"line {number}: header"
    assert claims["sub"] == f"client-{record['client']}", f"line {number}: sub {claims['sub']}"
    assert claims["iss"] == "LitSim" and claims["exp"] > claims["iat"], f"line {number}: claims"
    assert isinstance(claims["accessControlConditions"], list) and claims["accessControlConditions"], f"line {number}: conditions"
    header, payload, signature = token.split(".")
    tampered = header + "." + payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + signature
    try:
        jwt.decode(tampered, key=key, algorithms=["ES256K"], options={"verify_exp": False, "verify_iat": False})
        raise AssertionError(f"line {number}: a tampered token verified")
    except jwt.exceptions.InvalidSignatureError:
        pass
    except jwt.exceptions.DecodeError:
        pass
    count += 1
print(f"{count} JWTs verified with PyJWT {jwt.__version__} (ES256K)")
