"""secp256k1 in plain Python (affine coordinates, None the point at infinity) and RFC 9380's
expand_message_xmd with SHA-256: the independent checks' arithmetic (tdh2_check.py,
check_action_signatures.py), sharing nothing with LitSim's Swift code."""
import hashlib

P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    if a == b:
        slope = 3 * a[0] * a[0] * pow(2 * a[1], -1, P) % P
    else:
        slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, P) % P
    x = (slope * slope - a[0] - b[0]) % P
    return (x, (slope * (a[0] - x) - a[1]) % P)


def mul(k, point):
    result = None
    k %= N
    while k:
        if k & 1:
            result = add(result, point)
        point = add(point, point)
        k >>= 1
    return result


def neg(point):
    return None if point is None else (point[0], (-point[1]) % P)


def lift_x(x):
    """The point with x-coordinate x and an even y (BIP-340's lift_x), or None."""
    if x >= P:
        return None
    y2 = (x * x * x + 7) % P
    y = pow(y2, (P + 1) // 4, P)
    if y * y % P != y2:
        return None
    return (x, y if y % 2 == 0 else P - y)


def decompress(data):
    """A compressed point (SEC 1), or None if it is not one."""
    if len(data) != 33 or data[0] not in (2, 3):
        return None
    point = lift_x(int.from_bytes(data[1:], "big"))
    if point is None:
        return None
    return point if point[1] % 2 == data[0] - 2 else neg(point)


def compress(point):
    if point is None:
        return bytes(33)
    return bytes([2 + point[1] % 2]) + point[0].to_bytes(32, "big")


def expand_message_xmd(msg, dst, length):
    """RFC 9380 §5.3.1 with SHA-256."""
    ell = (length + 31) // 32
    dst_prime = dst + bytes([len(dst)])
    b0 = hashlib.sha256(bytes(64) + msg + length.to_bytes(2, "big") + b"\x00" + dst_prime).digest()
    blocks = [hashlib.sha256(b0 + b"\x01" + dst_prime).digest()]
    for i in range(2, ell + 1):
        blocks.append(hashlib.sha256(bytes(x ^ y for x, y in zip(b0, blocks[-1])) + bytes([i]) + dst_prime).digest())
    return b"".join(blocks)[:length]
