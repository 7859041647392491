#!/usr/bin/env python3
"""Writes the seed corpus of the `calls` fuzz target (fuzz/seeds/calls): SCALE-encoded call
sequences of the project's pallets on the dev chain, each call after an origin byte (0 root,
1 none, 2.. Alice, Bob, Charlie, Dave, Eve, Ferdie; the high bit ends the block)."""
import hashlib, os, struct

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
BOB = bytes.fromhex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")
CHARLIE = bytes.fromhex("90b5ab205c6974c9ea841be688864633dc9ca8a357843eeacf2314649965fe22")
ROOT, ALICE_O, BOB_O, CHARLIE_O, DAVE_O = 0, 2, 3, 4, 5
END = 0x80
POQ = 10**12
TASKS, EVALUATORS, CONSENSUS, CALIBRATION = 10, 11, 12, 13


def compact(n):
    if n < 1 << 6:
        return bytes([n << 2])
    if n < 1 << 14:
        return struct.pack("<H", (n << 2) | 1)
    if n < 1 << 30:
        return struct.pack("<I", (n << 2) | 2)
    b = n.to_bytes((n.bit_length() + 7) // 8, "little")
    return bytes([((len(b) - 4) << 2) | 3]) + b


def vec(b):
    return compact(len(b)) + b


def call(origin, pallet, index, args=b""):
    return bytes([origin, pallet, index]) + args


def output_commitment(who, task, output, salt):
    return hashlib.blake2b(who + struct.pack("<Q", task) + vec(output) + salt, digest_size=32).digest()


SALT = bytes([7]) * 32
ANSWER = b"Paris"
submit = call(ALICE_O, TASKS, 0, b"\x00" + vec(b"What is the capital of France?") + b"\x00" + compact(10 * POQ) + b"\x01" + struct.pack("<I", 1) + b"\x00")
register = call(BOB_O, TASKS, 2, vec(b"good-model") + compact(POQ))
commit = call(BOB_O, TASKS, 5, struct.pack("<Q", 0) + output_commitment(BOB, 0, ANSWER, SALT))
reveal = call(BOB_O, TASKS, 6, struct.pack("<Q", 0) + vec(ANSWER) + SALT)
bond = call(DAVE_O, EVALUATORS, 0, compact(200 * POQ))
activate = call(DAVE_O, EVALUATORS, 5)
price = call(DAVE_O, CONSENSUS, 0, compact(POQ // 10))
key = call(DAVE_O, EVALUATORS, 9, b"\x01" + CHARLIE)
bounds = call(ROOT, EVALUATORS, 7, struct.pack("<II", 10_000_000, 900_000_000))
settle = call(CHARLIE_O | END, CONSENSUS, 3, struct.pack("<Q", 0))
phases = call(ROOT, TASKS, 7, struct.pack("<III", 4, 3, 12))
unbond = call(DAVE_O, EVALUATORS, 2, compact(50 * POQ))
withdraw = call(DAVE_O | END, EVALUATORS, 3)
poster = call(ROOT, CALIBRATION, 0, ALICE)

seeds = {
    "task-lifecycle": submit + register + commit + settle * 4 + reveal + settle * 8,
    "evaluator-stake": bond + activate + price + key + unbond + withdraw + withdraw,
    "governance": bounds + phases + poster + settle,
    "everything": bond + activate + submit + register + commit + settle * 4 + reveal + settle * 10 + unbond + withdraw,
}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "calls")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")
