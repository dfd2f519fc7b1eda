#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Rebuilds fuzz/corpus/onnx_import/: the example model and small ONNX node-test models (Debian's
libonnx-testdata), one per operator family the importer supports. Node tests whose shape-like
inputs (Reshape's shape, Squeeze's axes, Pad's pads, Clip's bounds) are graph inputs get those
inputs as initializers, from the test's own input_N.pb, so that the seeds import successfully
and the fuzzer starts from accepted models. Standard library only: the protobuf wire format is
edited directly (ModelProto.graph = field 7, GraphProto.initializer = field 5)."""
import pathlib
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
NODE = pathlib.Path("/usr/share/libonnx-testdata/data/node")
OUT = ROOT / "fuzz" / "corpus" / "onnx_import"

# test name -> indices of the inputs to turn into initializers
TESTS = {
    "test_conv_with_strides_padding": [],
    "test_conv_with_autopad_same": [],
    "test_convtranspose_pads": [],
    "test_maxpool_2d_pads": [],
    "test_averagepool_2d_same_upper": [],
    "test_globalaveragepool": [],  # opset 1: accepted as unchanged at opset 11
    "test_gemm_all_attributes": [],
    "test_matmul_3d": [],
    "test_add_bcast": [],
    "test_div_bcast": [],
    "test_mul_uint8": [],
    "test_clip": [1, 2],
    "test_leakyrelu": [],
    "test_hardswish": [],
    "test_softmax_axis_1": [],
    "test_batchnorm_epsilon": [],
    "test_reshape_negative_dim": [1],
    "test_flatten_axis1": [],
    "test_squeeze": [1],
    "test_unsqueeze_axis_0": [1],
    "test_concat_2d_axis_0": [],
    "test_transpose_all_permutations_3": [],
    "test_gather_0": [1],
    "test_constant_pad": [1, 2],
    "test_constantofshape_float_ones": [0],
    "test_reduce_mean_keepdims_example": [],
    "test_quantizelinear_axis": [],
    "test_dequantizelinear_axis": [],
    "test_shape_start_1": [],
}


def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def read_varint(data, pos):
    shift = result = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return result, pos


def fields(data):
    """(field number, wire type, raw bytes of the whole field) of a message."""
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, pos = read_varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 2:
            length, pos = read_varint(data, pos)
            pos += length
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"wire type {wire}")
        yield number, wire, data[start:pos]


def payload(field):
    key, pos = read_varint(field, 0)
    _, pos = read_varint(field, pos)
    return field[pos:]


def length_delimited(number, body):
    return varint(number << 3 | 2) + varint(len(body)) + body


def with_initializers(model, tensors):
    out = bytearray()
    for number, _, field in fields(model):
        if number == 7:  # graph
            graph = payload(field) + b"".join(length_delimited(5, t) for t in tensors)
            field = length_delimited(7, graph)
        out += field
    return bytes(out)


def main():
    if not NODE.is_dir():
        sys.exit(f"{NODE} not found: apt-get install libonnx-testdata")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    shutil.copy(ROOT / "examples" / "model" / "fashion_cnn.onnx", OUT / "fashion_cnn.onnx")
    for test, bound in TESTS.items():
        model = (NODE / test / "model.onnx").read_bytes()
        tensors = [(NODE / test / "test_data_set_0" / f"input_{i}.pb").read_bytes() for i in bound]
        (OUT / f"{test[5:]}.onnx").write_bytes(with_initializers(model, tensors))
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"{OUT}: {len(list(OUT.iterdir()))} files, {total} bytes")


if __name__ == "__main__":
    main()
