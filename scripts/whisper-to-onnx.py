"""Whisper's CTranslate2 weights (model.bin) as two ONNX graphs for onnxruntime-node (issue #28).

    python whisper-to-onnx.py <dir with model.bin> [<output dir>, default: the same]

writes
  encoder.onnx  mel [1, 80, 3000] -> encoder states [1, 1500, 512], and for every decoder layer i
                its cross-attention keys cross_k_i [1, heads, 64, 1500] (already transposed for
                the score product) and values cross_v_i [1, heads, 1500, 64], computed once per
                30 s window instead of at every decoded token;
  decoder.onnx  tokens [beams, n], positions [n], mask [n, past + n] (0 or -1e9, added to the
                self-attention scores), past_k_i / past_v_i [beams, heads, past, 64] and the cross
                keys and values (batch 1, shared by the beams) -> logits [beams, vocabulary] for
                the last token, present_k_i / present_v_i [beams, heads, past + n, 64] (the
                self-attention cache for the next call);
  onnx.json     the layer and head counts.

An int8 encoder (onnxruntime's dynamic quantization, per output channel) was tried: twice as fast,
CTranslate2's tokens in Python, but on onnxruntime-node it misheard a test question ("meals" →
"army you'll"), so the graphs stay float.

model.bin is CTranslate2's documented binary layout (python/ctranslate2/specs/model_spec.py,
`_serialize`): a version, the spec's name and revision, then named tensors (shape, dtype id,
bytes) and aliases. The names follow whisper_spec.py and transformer_spec.py: fused q|k|v
`self_attention/linear_0`, cross-attention query `attention/linear_0`, fused k|v
`attention/linear_1`, pre-norm layers, sinusoidal encoder positions, learned decoder positions,
and the output projection tied to the token embeddings. Weights stay float16 in the files and are
cast to float32 inside the graph (onnxruntime folds the casts once, at load), so the files are
half the size; the arithmetic is float32. The output is byte-stable for one onnx and protobuf
version (names and order are deterministic); scripts/setup-speech.sh pins the input weights'
SHA-256 and onnx's version, and whisper-to-onnx-test.py checks the result against CTranslate2.
"""

import json
import os
import re
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17  # LayerNormalization
DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}


def read_ctranslate2(path):
    """The named tensors of a CTranslate2 model.bin (binary version 6), aliases resolved."""
    with open(path, "rb") as file:
        data = file.read()
    offset = 0

    def take(fmt):
        nonlocal offset
        values = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return values[0]

    def string():
        nonlocal offset
        length = take("H")
        text = data[offset : offset + length - 1].decode("utf-8")
        offset += length
        return text

    version = take("I")
    if version != 6:
        raise SystemExit(f"model.bin: binary version {version}, this reads version 6")
    name = string()
    take("I")  # the spec's revision
    if name != "WhisperSpec":
        raise SystemExit(f"model.bin holds a {name}, not a WhisperSpec")
    tensors = {}
    for _ in range(take("I")):
        key = string()
        shape = [take("I") for _ in range(take("B"))]
        dtype = DTYPES[take("B")]
        size = take("I")
        tensors[key] = np.frombuffer(data, dtype=dtype, count=size // np.dtype(dtype).itemsize, offset=offset).reshape(shape)
        offset += size
    for _ in range(take("I")):
        alias, target = string(), string()
        tensors[alias] = tensors[target]
    return tensors


class Graph:
    """A small builder: initializers are float16 and cast once; names are made unique."""

    def __init__(self, weights):
        self.weights = weights
        self.nodes = []
        self.initializers = {}
        self.count = 0

    def fresh(self, hint):
        self.count += 1
        return f"{hint}_{self.count}"

    def op(self, kind, inputs, hint=None, outputs=None, **attributes):
        outputs = outputs or [self.fresh(hint or kind.lower())]
        self.nodes.append(helper.make_node(kind, inputs, outputs, name=self.fresh(kind), **attributes))
        return outputs[0] if len(outputs) == 1 else outputs

    def constant(self, name, array):
        if name not in self.initializers:
            self.initializers[name] = numpy_helper.from_array(np.array(array, order="C"), name)
        return name

    def weight(self, key, transpose=False):
        """A model tensor as float32 inside the graph (stored float16, cast at load)."""
        array = self.weights[key]
        if transpose:
            array = array.T
        stored = self.constant(key + (".T" if transpose else ""), array)
        if array.dtype == np.float32:
            return stored
        cast_name = stored + ".f32"
        if cast_name not in {output for node in self.nodes for output in node.output}:
            self.op("Cast", [stored], outputs=[cast_name], to=TensorProto.FLOAT)
        return cast_name

    def ints(self, name, values):
        return self.constant(name, np.array(values, dtype=np.int64))

    def linear(self, x, prefix):
        """x @ W^T + b with CTranslate2's [out, in] weights (stored transposed: [in, out])."""
        return self.op("Add", [self.op("MatMul", [x, self.weight(prefix + "/weight", True)]), self.weight(prefix + "/bias")])

    def layer_norm(self, x, prefix):
        return self.op("LayerNormalization", [x, self.weight(prefix + "/gamma"), self.weight(prefix + "/beta")], axis=-1, epsilon=1e-5)

    def gelu(self, x):
        # Whisper's GELU is the exact (erf) one; onnxruntime fuses this pattern into its Gelu.
        inner = self.op("Erf", [self.op("Div", [x, self.constant("sqrt2", np.array(np.sqrt(2.0), dtype=np.float32))])])
        one = self.constant("one", np.array(1.0, dtype=np.float32))
        half = self.constant("half", np.array(0.5, dtype=np.float32))
        return self.op("Mul", [self.op("Mul", [x, half]), self.op("Add", [inner, one])])

    def heads(self, x, count, transpose_for_keys=False):
        """[b, t, d] -> [b, heads, t, d/heads] (keys: [b, heads, d/heads, t])."""
        split = self.op("Reshape", [x, self.ints(f"heads_shape_{count}", [0, -1, count, 64])])
        return self.op("Transpose", [split], perm=[0, 2, 3, 1] if transpose_for_keys else [0, 2, 1, 3])

    def merge(self, x):
        return self.op("Reshape", [self.op("Transpose", [x], perm=[0, 2, 1, 3]), self.ints("merge_shape", [0, -1, 512])])

    def attend(self, q, keys_t, values, mask=None):
        """softmax(q k^T / sqrt(64) + mask) v, per head; keys come transposed."""
        scaled = self.op("Mul", [q, self.constant("query_scale", np.array(0.125, dtype=np.float32))])
        scores = self.op("MatMul", [scaled, keys_t])
        if mask is not None:
            scores = self.op("Add", [scores, mask])
        return self.op("MatMul", [self.op("Softmax", [scores], axis=-1), values])

    def ffn(self, x, prefix):
        normed = self.layer_norm(x, prefix + "/layer_norm")
        hidden = self.gelu(self.linear(normed, prefix + "/linear_0"))
        return self.op("Add", [x, self.linear(hidden, prefix + "/linear_1")])

    def split3(self, x, size):
        return self.op("Split", [x, self.ints(f"split_{size}", [size] * 3)], outputs=[self.fresh("q"), self.fresh("k"), self.fresh("v")], axis=-1)

    def split2(self, x, size):
        return self.op("Split", [x, self.ints(f"split2_{size}", [size] * 2)], outputs=[self.fresh("k"), self.fresh("v")], axis=-1)

    def model(self, inputs, outputs, name):
        graph = helper.make_graph(self.nodes, name, inputs, outputs, list(self.initializers.values()))
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="threadline whisper-to-onnx")
        model.ir_version = 8
        onnx.checker.check_model(model)
        return model


def count_layers(weights, prefix):
    return len({key.split("/")[1] for key in weights if re.match(prefix + r"/layer_\d+/", key)})


def build_encoder(weights, decoder_layers):
    heads = int(weights["encoder/num_heads"])
    g = Graph(weights)
    x = g.op("Conv", ["mel", g.weight("encoder/conv1/weight"), g.weight("encoder/conv1/bias")], kernel_shape=[3], pads=[1, 1])
    x = g.gelu(x)
    x = g.op("Conv", [x, g.weight("encoder/conv2/weight"), g.weight("encoder/conv2/bias")], kernel_shape=[3], pads=[1, 1], strides=[2])
    x = g.gelu(x)
    x = g.op("Add", [g.op("Transpose", [x], perm=[0, 2, 1]), g.weight("encoder/position_encodings/encodings")])
    for layer in range(count_layers(weights, "encoder")):
        prefix = f"encoder/layer_{layer}"
        normed = g.layer_norm(x, prefix + "/self_attention/layer_norm")
        q, k, v = g.split3(g.linear(normed, prefix + "/self_attention/linear_0"), 512)
        context = g.attend(g.heads(q, heads), g.heads(k, heads, True), g.heads(v, heads))
        x = g.op("Add", [x, g.linear(g.merge(context), prefix + "/self_attention/linear_1")])
        x = g.ffn(x, prefix + "/ffn")
    states = g.layer_norm(x, "encoder/layer_norm")
    g.op("Identity", [states], outputs=["encoder_states"])
    outputs = [helper.make_tensor_value_info("encoder_states", TensorProto.FLOAT, [1, 1500, 512])]
    for layer in range(decoder_layers):
        k, v = g.split2(g.linear(states, f"decoder/layer_{layer}/attention/linear_1"), 512)
        g.op("Identity", [g.heads(k, heads, True)], outputs=[f"cross_k_{layer}"])
        g.op("Identity", [g.heads(v, heads)], outputs=[f"cross_v_{layer}"])
        outputs.append(helper.make_tensor_value_info(f"cross_k_{layer}", TensorProto.FLOAT, [1, heads, 64, 1500]))
        outputs.append(helper.make_tensor_value_info(f"cross_v_{layer}", TensorProto.FLOAT, [1, heads, 1500, 64]))
    inputs = [helper.make_tensor_value_info("mel", TensorProto.FLOAT, [1, 80, 3000])]
    return g.model(inputs, outputs, "whisper_encoder")


def build_decoder(weights):
    heads = int(weights["decoder/num_heads"])
    layers = count_layers(weights, "decoder")
    g = Graph(weights)
    embeddings = g.weight("decoder/embeddings/weight")
    x = g.op("Add", [g.op("Gather", [embeddings, "tokens"]), g.op("Gather", [g.weight("decoder/position_encodings/encodings"), "positions"])])
    inputs = [
        helper.make_tensor_value_info("tokens", TensorProto.INT64, ["beams", "n"]),
        helper.make_tensor_value_info("positions", TensorProto.INT64, ["n"]),
        helper.make_tensor_value_info("mask", TensorProto.FLOAT, ["n", "total"]),
    ]
    outputs = [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["beams", weights["decoder/embeddings/weight"].shape[0]])]
    for layer in range(layers):
        prefix = f"decoder/layer_{layer}"
        for name, shape in ((f"past_k_{layer}", ["beams", heads, "past", 64]), (f"past_v_{layer}", ["beams", heads, "past", 64])):
            inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
        normed = g.layer_norm(x, prefix + "/self_attention/layer_norm")
        q, k, v = g.split3(g.linear(normed, prefix + "/self_attention/linear_0"), 512)
        keys = g.op("Concat", [f"past_k_{layer}", g.heads(k, heads)], outputs=[f"present_k_{layer}"], axis=2)
        values = g.op("Concat", [f"past_v_{layer}", g.heads(v, heads)], outputs=[f"present_v_{layer}"], axis=2)
        for name in (keys, values):
            outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, ["beams", heads, "total", 64]))
        context = g.attend(g.heads(q, heads), g.op("Transpose", [keys], perm=[0, 1, 3, 2]), values, "mask")
        x = g.op("Add", [x, g.linear(g.merge(context), prefix + "/self_attention/linear_1")])
        normed = g.layer_norm(x, prefix + "/attention/layer_norm")
        query = g.heads(g.linear(normed, prefix + "/attention/linear_0"), heads)
        context = g.attend(query, f"cross_k_{layer}", f"cross_v_{layer}")
        x = g.op("Add", [x, g.linear(g.merge(context), prefix + "/attention/linear_2")])
        x = g.ffn(x, prefix + "/ffn")
    for layer in range(layers):
        inputs.append(helper.make_tensor_value_info(f"cross_k_{layer}", TensorProto.FLOAT, [1, heads, 64, 1500]))
        inputs.append(helper.make_tensor_value_info(f"cross_v_{layer}", TensorProto.FLOAT, [1, heads, 1500, 64]))
    x = g.layer_norm(x, "decoder/layer_norm")
    last = g.op("Gather", [x, g.ints("last", -1)], axis=1)  # [1, 512]: only the next token is asked for
    # The output projection is the token embedding matrix (tied): Gemm reads it transposed.
    g.op("Gemm", [last, embeddings], outputs=["logits"], transB=1)
    return g.model(inputs, outputs, "whisper_decoder")


def main():
    source = sys.argv[1]
    target = sys.argv[2] if len(sys.argv) > 2 else source
    weights = read_ctranslate2(os.path.join(source, "model.bin"))
    decoder_layers = count_layers(weights, "decoder")
    os.makedirs(target, exist_ok=True)
    for name, model in (("encoder", build_encoder(weights, decoder_layers)), ("decoder", build_decoder(weights))):
        partial = os.path.join(target, f"{name}.onnx.partial")
        onnx.save(model, partial)
        os.replace(partial, os.path.join(target, f"{name}.onnx"))
    with open(os.path.join(target, "onnx.json"), "w") as file:
        about = {"decoder_layers": decoder_layers, "heads": int(weights["decoder/num_heads"]), "onnx": onnx.__version__}
        json.dump(about, file)
    print(f"wrote {target}/encoder.onnx and decoder.onnx ({decoder_layers} decoder layers)")


if __name__ == "__main__":
    main()
