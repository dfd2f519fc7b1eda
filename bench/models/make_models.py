# SPDX-License-Identifier: Apache-2.0
"""Writes the four MLPerf Tiny reference architectures as float ONNX models, for the model
benchmarks (bench/models/model_bench.cpp).

The layer lists follow the MLPerf Tiny (v0.5/v1.0) reference Keras models:

  resnet8      image classification, CIFAR-10 32x32x3 -> 10 classes: conv 3x3 16 + BN + ReLU,
               three stacks of one residual block (16, 32, 64 channels; the 2nd and 3rd stride
               2 with a 1x1 stride-2 convolution on the shortcut), average pool 8x8, dense 10,
               softmax.
  mobilenet    visual wake words, MobileNetV1 alpha 0.25, 96x96x3 -> 2 classes: conv 3x3 s2 8
               + BN + ReLU, 13 depthwise-separable blocks (dw 3x3 + BN + ReLU, pw 1x1 + BN +
               ReLU) to 256 channels, average pool 3x3, dense 2, softmax.
  ds_cnn       keyword spotting, DS-CNN (small), 49x10x1 MFCCs -> 12 classes: conv 10x4 s2 64
               ("same" padding: an explicit pad) + BN + ReLU, 4 depthwise-separable blocks of
               64 channels, average pool 25x5, dense 12, softmax.
  autoencoder  anomaly detection, FC autoencoder 640 -> 4x (dense 128 + BN + ReLU) -> dense 8
               + BN + ReLU -> 4x (dense 128 + BN + ReLU) -> dense 640.

Weights are random, not trained (the benchmarks measure instructions, memory and flash, which
do not depend on the values): He-normal weights as in the Keras references, and BatchNorm
running statistics measured on random inputs then perturbed, with random affine parameters,
so every BatchNorm is non-trivial and the compiler's BN folding is exercised. Everything is
seeded: the files are the same on every run with the same PyTorch.

Workarounds for two tinyexec gaps (bench/models/README.md), off with --no-workarounds:
  ds_cnn       PyTorch exports F.pad's pads as a Shape/.../Slice(step -1)/Transpose chain that
               its own constant folder cannot fold; tinyexec's importer has no onnx.Slice, so
               the chain is replaced by the constant it computes (the Pad node stays).
  autoencoder  tinyexec folds BatchNormalization into Conv/ConvTranspose only, not into Gemm,
               and has no cortex_m lowering for BatchNormalization: the BatchNorm1d layers are
               folded into the Linear layers before export (the same arithmetic).

Each model <name> becomes <out>/<name>.onnx (opset 13, batch 1, BatchNormalization kept) and
<out>/<name>_calibration.npy (32 random-normal samples, float32, [32, *input shape without
the batch axis]), <out>/<name>_inputs.npy (2 test inputs, random normal, another seed) and
<out>/<name>_expected.npy (PyTorch's outputs for them).

Run with Debian's interpreter (it sees python3-torch, python3-onnx, python3-numpy):

    /usr/bin/python3 bench/models/make_models.py --out build/host/bench/models
"""

import argparse
import os
import sys
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240611
CALIBRATION_SAMPLES = 32
TEST_SAMPLES = 2
OPSET = 13


# Average pools use count_include_pad=False: there is no padding, and it keeps the exporter from
# adding a (zero) Pad node in front of the AveragePool.


def conv_bn(cin, cout, kernel, stride=1, groups=1, padding=None, relu=True):
    """Conv2d (with bias, as Keras' default) + BatchNorm2d [+ ReLU]."""
    if padding is None:
        padding = kernel // 2 if isinstance(kernel, int) else (kernel[0] // 2, kernel[1] // 2)
    layers = [nn.Conv2d(cin, cout, kernel, stride, padding, groups=groups, bias=True),
              nn.BatchNorm2d(cout)]
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class ResNet8(nn.Module):
    """MLPerf Tiny image classification (resnet_v1_eembc)."""

    input_shape = (1, 3, 32, 32)

    def __init__(self, classes=10):
        super().__init__()
        self.stem = conv_bn(3, 16, 3)
        # Stack 1: identity shortcut.
        self.s1a = conv_bn(16, 16, 3)
        self.s1b = conv_bn(16, 16, 3, relu=False)
        # Stacks 2 and 3: stride 2, 1x1 stride-2 convolution (no BN) on the shortcut.
        self.s2a = conv_bn(16, 32, 3, stride=2)
        self.s2b = conv_bn(32, 32, 3, relu=False)
        self.s2skip = nn.Conv2d(16, 32, 1, 2)
        self.s3a = conv_bn(32, 64, 3, stride=2)
        self.s3b = conv_bn(64, 64, 3, relu=False)
        self.s3skip = nn.Conv2d(32, 64, 1, 2)
        self.pool = nn.AvgPool2d(8, count_include_pad=False)
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.stem(x)
        x = F.relu(x + self.s1b(self.s1a(x)))
        x = F.relu(self.s2skip(x) + self.s2b(self.s2a(x)))
        x = F.relu(self.s3skip(x) + self.s3b(self.s3a(x)))
        x = torch.flatten(self.pool(x), 1)
        return torch.softmax(self.fc(x), dim=1)


class MobileNetV1(nn.Module):
    """MLPerf Tiny visual wake words: MobileNetV1, alpha 0.25, 96x96."""

    input_shape = (1, 3, 96, 96)
    # (pointwise output channels, depthwise stride) of the 13 blocks, alpha 0.25.
    blocks = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1),
              (128, 1), (128, 1), (128, 1), (256, 2), (256, 1)]

    def __init__(self, classes=2):
        super().__init__()
        layers = [conv_bn(3, 8, 3, stride=2)]
        channels = 8
        for out, stride in self.blocks:
            layers.append(conv_bn(channels, channels, 3, stride=stride, groups=channels))
            layers.append(conv_bn(channels, out, 1))
            channels = out
        self.features = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d(3, count_include_pad=False)
        self.fc = nn.Linear(channels, classes)

    def forward(self, x):
        x = torch.flatten(self.pool(self.features(x)), 1)
        return torch.softmax(self.fc(x), dim=1)


DS_CNN_PAD = (1, 1, 4, 5)  # F.pad's (left, right, top, bottom)


class DSCNN(nn.Module):
    """MLPerf Tiny keyword spotting: DS-CNN (small)."""

    input_shape = (1, 1, 49, 10)

    def __init__(self, classes=12, filters=64):
        super().__init__()
        # Keras' padding="same" for a 10x4 kernel, stride 2 on 49x10: 4 top, 5 bottom, 1 left,
        # 1 right (asymmetric, so an explicit pad as in the PyTorch port of the reference).
        self.stem = conv_bn(1, filters, (10, 4), stride=2, padding=0)
        layers = []
        for _ in range(4):
            layers.append(conv_bn(filters, filters, 3, groups=filters))
            layers.append(conv_bn(filters, filters, 1))
        self.blocks = nn.Sequential(*layers)
        self.pool = nn.AvgPool2d((25, 5), count_include_pad=False)
        self.fc = nn.Linear(filters, classes)

    def forward(self, x):
        x = self.stem(F.pad(x, DS_CNN_PAD))
        x = torch.flatten(self.pool(self.blocks(x)), 1)
        return torch.softmax(self.fc(x), dim=1)


class Autoencoder(nn.Module):
    """MLPerf Tiny anomaly detection: the fully connected autoencoder (ToyADMOS)."""

    input_shape = (1, 640)

    def __init__(self, inputs=640):
        super().__init__()
        widths = [128, 128, 128, 128, 8, 128, 128, 128, 128]
        layers = []
        previous = inputs
        for width in widths:
            layers += [nn.Linear(previous, width), nn.BatchNorm1d(width), nn.ReLU()]
            previous = width
        layers.append(nn.Linear(previous, inputs))
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


MODELS = {
    "resnet8": ResNet8,
    "mobilenet": MobileNetV1,
    "ds_cnn": DSCNN,
    "autoencoder": Autoencoder,
}


def randomize(model, generator):
    """He-normal weights, small random biases; BatchNorm statistics measured on random inputs,
    then perturbed, with random affine parameters (non-trivial in every channel)."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.normal_(0.0, (2.0 / fan_in) ** 0.5, generator=generator)
                if m.bias is not None:
                    m.bias.uniform_(-0.1, 0.1, generator=generator)
        # Measure the running statistics (cumulative average) the way training would, so the
        # activations stay in a sensible range through a deep random network.
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.reset_running_stats()
                m.momentum = None
        model.train()
        model(torch.randn((64,) + tuple(model.input_shape[1:]), generator=generator))
        model.eval()
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                n = m.num_features
                m.running_mean.add_(0.1 * torch.randn(n, generator=generator))
                m.running_var.mul_(torch.empty(n).uniform_(0.8, 1.25, generator=generator))
                m.weight.copy_(torch.empty(n).uniform_(0.5, 1.5, generator=generator))
                m.bias.copy_(0.2 * torch.randn(n, generator=generator))


def constant_pads(proto):
    """Replaces the input `pads` of every Pad node, computed by a chain of shape ops, with the
    constant that chain computes, and drops the then unused nodes."""
    from onnx import numpy_helper

    graph = proto.graph
    for node in graph.node:
        if node.op_type != "Pad":
            continue
        # The chain's value: F.pad's (left, right, top, bottom) as ONNX's NCHW begins, ends.
        left, right, top, bottom = DS_CNN_PAD
        pads = np.array([0, 0, top, left, 0, 0, bottom, right], dtype=np.int64)
        name = node.output[0] + "_pads"
        graph.initializer.append(numpy_helper.from_array(pads, name))
        node.input[1] = name
    # Remove nodes whose outputs nothing reads, until none is left.
    while True:
        used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
        dead = [n for n in graph.node if not any(o in used for o in n.output)]
        if not dead:
            break
        for n in dead:
            graph.node.remove(n)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def fold_linear_batch_norm(model):
    """Linear -> BatchNorm1d pairs of a Sequential become one Linear (eval-mode arithmetic)."""
    from torch.nn.utils.fusion import fuse_linear_bn_eval

    layers = list(model.layers)
    folded = []
    i = 0
    while i < len(layers):
        if (isinstance(layers[i], nn.Linear) and i + 1 < len(layers)
                and isinstance(layers[i + 1], nn.BatchNorm1d)):
            folded.append(fuse_linear_bn_eval(layers[i], layers[i + 1]))
            i += 2
        else:
            folded.append(layers[i])
            i += 1
    model.layers = nn.Sequential(*folded)
    return model


def export(model, path):
    torch.onnx.export(
        model, torch.zeros(model.input_shape), path,
        opset_version=OPSET, input_names=["input"], output_names=["output"],
        # PRESERVE keeps the BatchNormalization nodes (inference form: the model is in eval
        # mode) instead of folding them in the exporter: the compiler folds them itself.
        training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False,
        export_params=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def parameters(model):
    return sum(p.numel() for p in model.parameters())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--models", nargs="*", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--no-workarounds", action="store_true",
                        help="export the models as PyTorch does (to check tinyexec's gaps)")
    args = parser.parse_args()

    os.makedirs(args.out, exist_ok=True)
    # The exporter's notes about the shape arithmetic of F.pad it cannot constant-fold.
    warnings.filterwarnings("ignore", category=UserWarning)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    for name in args.models:
        seed = SEED + list(MODELS).index(name)
        generator = torch.Generator().manual_seed(seed)
        model = MODELS[name]()
        randomize(model, generator)
        if name == "autoencoder" and not args.no_workarounds:
            fold_linear_batch_norm(model)
        path = os.path.join(args.out, f"{name}.onnx")
        proto = export(model, path)
        if name == "ds_cnn" and not args.no_workarounds:
            proto = constant_pads(proto)
            onnx.save(proto, path)
        ops = sorted({n.op_type for n in proto.graph.node})
        samples = np.random.default_rng(seed).standard_normal(
            (CALIBRATION_SAMPLES,) + tuple(model.input_shape[1:])).astype(np.float32)
        np.save(os.path.join(args.out, f"{name}_calibration.npy"), samples)
        # Test inputs: the calibration samples' distribution, other samples.
        inputs = np.random.default_rng(seed + 1000).standard_normal(
            (TEST_SAMPLES,) + tuple(model.input_shape[1:])).astype(np.float32)
        np.save(os.path.join(args.out, f"{name}_inputs.npy"), inputs)
        # PyTorch's outputs for them: model_bench checks the imported ONNX model against them.
        with torch.no_grad():
            expected = model(torch.from_numpy(inputs)).numpy()
        if not np.isfinite(expected).all():
            sys.exit(f"make_models: {name}: non-finite output")
        np.save(os.path.join(args.out, f"{name}_expected.npy"), expected)
        print(f"{name}: {parameters(model):,} parameters, {os.path.getsize(path):,} bytes, "
              f"ops {' '.join(ops)}", flush=True)


if __name__ == "__main__":
    main()
