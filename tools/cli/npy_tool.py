#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Small .npy helpers for the CLI tests, with the standard library only (no numpy).

  npy_tool.py shape FILE                      prints the dtype and shape: "<f4 (300, 1, 10)"
  npy_tool.py slice FILE START COUNT OUT      writes samples [START, START+COUNT) of a stacked file
  npy_tool.py first FILE OUT                  writes sample 0 without the samples axis
  npy_tool.py equal A B                       exit 0 when both hold the same dtype, shape, bytes
  npy_tool.py zeros DESCR SHAPE OUT           writes zeros, e.g. zeros '<f4' 5,100 out.npy
"""
import ast
import math
import struct
import sys


def read(path):
    data = open(path, "rb").read()
    if data[:6] != b"\x93NUMPY":
        sys.exit(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        (length,), start = struct.unpack("<H", data[8:10]), 10
    else:
        (length,), start = struct.unpack("<I", data[8:12]), 12
    header = ast.literal_eval(data[start:start + length].decode("latin1"))
    return header["descr"], tuple(header["shape"]), data[start + length:]


def write(path, descr, shape, payload):
    header = repr({"descr": descr, "fortran_order": False, "shape": tuple(shape)})
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as out:
        out.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        out.write(payload)


def main():
    command = sys.argv[1]
    if command == "shape":
        descr, shape, _ = read(sys.argv[2])
        print(descr, shape)
    elif command in ("slice", "first"):
        descr, shape, payload = read(sys.argv[2])
        each = len(payload) // shape[0]
        if command == "first":
            start, count, out = 0, 1, sys.argv[3]
            new_shape = shape[1:]
        else:
            start, count, out = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
            new_shape = (count,) + shape[1:]
        write(out, descr, new_shape, payload[start * each:(start + count) * each])
    elif command == "zeros":
        shape = tuple(int(d) for d in sys.argv[3].split(","))
        size = int(sys.argv[2][2:]) * math.prod(shape)
        write(sys.argv[4], sys.argv[2], shape, bytes(size))
    elif command == "equal":
        sys.exit(0 if read(sys.argv[2]) == read(sys.argv[3]) else 1)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
