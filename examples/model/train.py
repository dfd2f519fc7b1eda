# SPDX-License-Identifier: Apache-2.0
"""Trains tinyexec's default example model and writes its committed artifacts.

A small CNN for Fashion-MNIST (28x28x1, 10 classes), trained with a fixed seed on CPU, exported
to float ONNX (opset 13) with the softmax inside the graph, plus test inputs, labels, torch's
outputs and calibration images as .npy files next to this script.

Run with Debian's interpreter (it sees python3-torch, python3-onnx, python3-numpy):

    /usr/bin/python3 examples/model/train.py

Data: Debian's dataset-fashion-mnist (/usr/share/datasets/fashion-mnist/*.gz, idx format).
No network access is needed.
"""

import argparse
import gzip
import os
import random
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 20240501
THREADS = 2
EPOCHS = 10
BATCH = 64
LR = 4e-3
WEIGHT_DECAY = 1e-4

# Normalization applied to every image: x = (pixel / 255 - MEAN) / STD, computed in float32.
# MEAN and STD are the Fashion-MNIST training-set statistics, rounded.
MEAN = 0.2860
STD = 0.3530

NUM_TEST_INPUTS = 300
NUM_CALIBRATION = 200

DATA_DIR = "/usr/share/datasets/fashion-mnist"
OUT_DIR = os.path.dirname(os.path.abspath(__file__))

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ---------------------------------------------------------------------------------------------
# Data


def read_idx(path):
    """Reads an idx file (gzip-compressed) into a numpy array of its stored dtype (uint8)."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype_code != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte idx file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(dims)):
        raise ValueError(f"{path}: size does not match its header")
    return array.reshape(dims)


def normalize(images_u8):
    """uint8 [N,28,28] -> float32 [N,1,28,28], exactly as in training."""
    x = images_u8.astype(np.float32) / np.float32(255.0)
    x = (x - np.float32(MEAN)) / np.float32(STD)
    return x[:, None, :, :].astype(np.float32)


def load_split(prefix):
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    if images.shape[0] != labels.shape[0] or images.shape[1:] != (28, 28):
        raise ValueError(f"{prefix}: unexpected shapes {images.shape} {labels.shape}")
    return normalize(images), labels.astype(np.int64)


# ---------------------------------------------------------------------------------------------
# Model


class ConvBN(nn.Sequential):
    """Conv2d (no bias) + BatchNorm2d + optional activation ('relu', 'relu6' or None)."""

    def __init__(self, cin, cout, kernel, stride=1, groups=1, act="relu"):
        layers = [nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
                  nn.BatchNorm2d(cout)]
        if act == "relu":
            layers.append(nn.ReLU())
        elif act == "relu6":
            layers.append(nn.ReLU6())
        super().__init__(*layers)


C1, C2, C3 = 16, 32, 64  # channel widths


class FashionCNN(nn.Module):
    """28x28x1 -> 10 class probabilities.

    stem     conv 3x3 1->C1, BN, ReLU                      28x28xC1
             max pool 2x2                                  14x14xC1
    block 1  depthwise 3x3, BN, ReLU6                      14x14xC1
             pointwise 1x1 C1->C2, BN, ReLU6               14x14xC2
             average pool 2x2                              7x7xC2
    block 2  depthwise 3x3, BN, ReLU6                      7x7xC2
    (resid.) pointwise 1x1 C2->C2, BN                      7x7xC2
             add the block's input, ReLU                   7x7xC2
    head     pointwise 1x1 C2->C3, BN, ReLU                7x7xC3
             global average pool, flatten                  C3
             linear C3->10, softmax                        10
    """

    def __init__(self):
        super().__init__()
        self.stem = ConvBN(1, C1, 3, act="relu")
        self.pool1 = nn.MaxPool2d(2)
        self.dw1 = ConvBN(C1, C1, 3, groups=C1, act="relu6")
        self.pw1 = ConvBN(C1, C2, 1, act="relu6")
        # Max rather than average pooling: it passes int8 values through unchanged (no
        # requantization, so no rounding step where the integer kernels and the float QDQ
        # reference can part), at the same accuracy.
        self.pool2 = nn.MaxPool2d(2)
        self.dw2 = ConvBN(C2, C2, 3, groups=C2, act="relu6")
        self.pw2 = ConvBN(C2, C2, 1, act=None)
        self.pw3 = ConvBN(C2, C3, 1, act="relu")
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(C3, 10)

    def logits(self, x):
        x = self.pool1(self.stem(x))
        x = self.pool2(self.pw1(self.dw1(x)))
        x = F.relu(x + self.pw2(self.dw2(x)))
        x = self.gap(self.pw3(x))
        return self.fc(torch.flatten(x, 1))

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def count_macs(model):
    """Multiply-accumulates of one 1x1x28x28 inference (conv and linear layers only)."""
    macs = 0

    def conv_hook(module, inputs, output):
        nonlocal macs
        kh, kw = module.kernel_size
        macs += output.numel() * (module.in_channels // module.groups) * kh * kw

    def linear_hook(module, inputs, output):
        nonlocal macs
        macs += output.numel() * module.in_features

    handles = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            handles.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            handles.append(m.register_forward_hook(linear_hook))
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    for h in handles:
        h.remove()
    return macs


# ---------------------------------------------------------------------------------------------
# Training and evaluation


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(THREADS)
    torch.use_deterministic_algorithms(True)


def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            probs = model(torch.from_numpy(x[i:i + batch]))
            correct += int((probs.argmax(1).numpy() == y[i:i + batch]).sum())
    return correct / len(x)


def train(model, x_train, y_train, epochs, log):
    generator = torch.Generator().manual_seed(SEED)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps_per_epoch = (len(x_train) + BATCH - 1) // BATCH
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=LR, epochs=epochs, steps_per_epoch=steps_per_epoch)
    x_all = torch.from_numpy(x_train)
    y_all = torch.from_numpy(y_train)
    for epoch in range(epochs):
        model.train()
        start = time.time()
        order = torch.randperm(len(x_all), generator=generator)
        # Random horizontal flips (clothes are left-right symmetric enough), drawn from the same
        # seeded generator.
        flips = torch.rand(len(x_all), generator=generator) < 0.5
        total_loss = 0.0
        for step in range(steps_per_epoch):
            idx = order[step * BATCH:(step + 1) * BATCH]
            xb = x_all[idx]
            fb = flips[idx]
            xb = torch.where(fb[:, None, None, None], xb.flip(3), xb)
            loss = F.cross_entropy(model.logits(xb), y_all[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += float(loss) * len(idx)
        log(f"epoch {epoch + 1}/{epochs}: loss {total_loss / len(x_all):.4f}, "
            f"{time.time() - start:.1f} s")


# ---------------------------------------------------------------------------------------------
# Export and checks

ALLOWED_OPS = {"Conv", "BatchNormalization", "Relu", "Clip", "MaxPool", "AveragePool",
               "GlobalAveragePool", "Add", "Flatten", "Reshape", "Gemm", "MatMul", "Softmax",
               "Shape", "Gather", "Unsqueeze", "Concat", "Constant"}


def export_onnx(model, path):
    import onnx

    model.eval()
    torch.onnx.export(
        model, torch.zeros(1, 1, 28, 28), path,
        opset_version=13,
        input_names=["input"], output_names=["probabilities"],
        # PRESERVE keeps BatchNormalization nodes (in inference form, since the model is in
        # eval mode) instead of letting the exporter fold them into the convolutions: the
        # tinyexec compiler folds BN itself, and the example should exercise that.
        training=torch.onnx.TrainingMode.PRESERVE,
        # Constant folding has nothing to fold in this graph; turning it off only silences the
        # exporter's warning about folding in PRESERVE mode.
        do_constant_folding=False,
        export_params=True)
    proto = onnx.load(path)
    onnx.checker.check_model(proto, full_check=True)
    for init in proto.graph.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            raise RuntimeError(f"initializer {init.name} uses external data")
    return proto


def run_onnx_numpy(proto, x):
    """Evaluates the exported graph with numpy (float64), for the ops this model uses.

    A self-check that the file computes what torch computed, without onnxruntime.
    """
    import onnx
    from onnx import numpy_helper

    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in proto.graph.initializer}
    env[proto.graph.input[0].name] = x.astype(np.float64)

    def attrs(node):
        return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}

    def windows(x, kh, kw, sh, sw):
        n, c, h, w = x.shape
        oh, ow = (h - kh) // sh + 1, (w - kw) // sw + 1
        out = np.empty((n, c, oh, ow, kh, kw))
        for i in range(kh):
            for j in range(kw):
                out[..., i, j] = x[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
        return out

    for node in proto.graph.node:
        a = attrs(node)
        ins = [env[name] if name else None for name in node.input]
        op = node.op_type
        if op == "Constant":
            out = numpy_helper.to_array(a["value"]).astype(np.float64)
        elif op == "Conv":
            x_, w_ = ins[0], ins[1]
            pt, pl, pb, pr = a["pads"]
            x_ = np.pad(x_, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
            g = a.get("group", 1)
            cout, cin_g, kh, kw = w_.shape
            win = windows(x_, kh, kw, *a["strides"])  # n, cin, oh, ow, kh, kw
            n, cin, oh, ow = win.shape[:4]
            win = win.reshape(n, g, cin // g, oh, ow, kh, kw)
            wg = w_.reshape(g, cout // g, cin_g, kh, kw)
            out = np.einsum("ngcyxij,gocij->ngoyx", win, wg).reshape(n, cout, oh, ow)
            if len(ins) > 2 and ins[2] is not None:
                out = out + ins[2][None, :, None, None]
        elif op == "BatchNormalization":
            x_, sc, b, mean, var = ins
            k = sc / np.sqrt(var + a["epsilon"])
            out = (x_ - mean[None, :, None, None]) * k[None, :, None, None] + b[None, :, None, None]
        elif op == "Relu":
            out = np.maximum(ins[0], 0)
        elif op == "Clip":
            out = np.clip(ins[0], ins[1], ins[2])
        elif op in ("MaxPool", "AveragePool"):
            if any(a.get("pads", [0])) or a.get("ceil_mode", 0):
                raise NotImplementedError(f"{op} with padding/ceil_mode")
            win = windows(ins[0], *a["kernel_shape"], *a["strides"])
            out = win.max(axis=(4, 5)) if op == "MaxPool" else win.mean(axis=(4, 5))
        elif op == "GlobalAveragePool":
            out = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Add":
            out = ins[0] + ins[1]
        elif op == "Flatten":
            out = ins[0].reshape(ins[0].shape[0], -1)
        elif op == "Gemm":
            w_ = ins[1].T if a.get("transB", 0) else ins[1]
            out = a.get("alpha", 1.0) * (ins[0] @ w_) + a.get("beta", 1.0) * ins[2]
        elif op == "Softmax":
            e = np.exp(ins[0] - ins[0].max(axis=a.get("axis", -1), keepdims=True))
            out = e / e.sum(axis=a.get("axis", -1), keepdims=True)
        else:
            raise NotImplementedError(op)
        env[node.output[0]] = out
    return env[proto.graph.output[0].name]


def op_types(proto):
    seen = []
    for node in proto.graph.node:
        if node.op_type not in seen:
            seen.append(node.op_type)
    return seen


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--out", default=OUT_DIR, help="output directory (default: next to "
                        "this script)")
    args = parser.parse_args()

    def log(msg):
        print(msg, flush=True)

    seed_everything(SEED)
    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")
    log(f"data: train {x_train.shape}, test {x_test.shape}")

    model = FashionCNN()
    params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model)
    log(f"model: {params} parameters, {macs} MACs per inference")

    start, start_cpu = time.time(), time.process_time()
    train(model, x_train, y_train, args.epochs, log)
    train_seconds, train_cpu = time.time() - start, time.process_time() - start_cpu
    model.eval()

    acc_full = evaluate(model, x_test, y_test)
    x_few, y_few = x_test[:NUM_TEST_INPUTS], y_test[:NUM_TEST_INPUTS]
    # torch's outputs, one image at a time, as the exported graph (static batch 1) sees them.
    with torch.no_grad():
        outs = np.concatenate(
            [model(torch.from_numpy(x_few[i:i + 1])).numpy() for i in range(len(x_few))])
    acc_few = float((outs.argmax(1) == y_few).mean())
    log(f"training time {train_seconds:.1f} s wall, {train_cpu:.1f} s CPU "
        f"({THREADS} threads)")
    log(f"accuracy: full test set {acc_full * 100:.2f}% (10000 images), "
        f"first {NUM_TEST_INPUTS} test images {acc_few * 100:.2f}%")

    os.makedirs(args.out, exist_ok=True)
    onnx_path = os.path.join(args.out, "fashion_cnn.onnx")
    proto = export_onnx(model, onnx_path)
    ops = op_types(proto)
    log(f"onnx: {onnx_path} ({os.path.getsize(onnx_path)} bytes), checker ok, "
        f"op types: {' '.join(ops)}")
    unexpected = [op for op in ops if op not in ALLOWED_OPS]
    if unexpected:
        raise RuntimeError(f"unexpected ONNX op types: {unexpected}")
    onnx_outs = np.concatenate([run_onnx_numpy(proto, x_few[i:i + 1]) for i in range(len(x_few))])
    max_diff = float(np.abs(onnx_outs - outs).max())
    agree = float((onnx_outs.argmax(1) == outs.argmax(1)).mean())
    log(f"onnx graph evaluated with numpy: max |p_onnx - p_torch| = {max_diff:.2e}, "
        f"top-1 agreement {agree * 100:.1f}%")
    if max_diff > 1e-4 or agree != 1.0:
        raise RuntimeError("the exported graph does not match torch")

    np.save(os.path.join(args.out, "test_inputs.npy"), x_few.astype(np.float32))
    np.save(os.path.join(args.out, "test_labels.npy"), y_few.astype(np.int64))
    np.save(os.path.join(args.out, "torch_outputs.npy"), outs.astype(np.float32))
    # Calibration: 200 training images, evenly spaced over the training set (a fixed choice,
    # independent of the seed).
    calib_idx = np.arange(NUM_CALIBRATION) * (len(x_train) // NUM_CALIBRATION)
    np.save(os.path.join(args.out, "calibration.npy"), x_train[calib_idx].astype(np.float32))
    log("wrote test_inputs.npy, test_labels.npy, torch_outputs.npy, calibration.npy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
