"""Writes a tiny cross-encoder ONNX model for the tests of the cross-encoder path: inputs
`input_ids`, `attention_mask`, `token_type_ids` (int64, [batch, sequence]); output `logits`
(float, [batch, 3]) = (mean token id / 1000, token count / 10, 1). Not a real model: it checks
that the engine loads an operator's cross-encoder, feeds it pairs and reads 3 labels.

    python tiny_cross_encoder.py OUT_DIR      (also copies no tokenizer: the test does)
"""
import os
import sys

import onnx
from onnx import TensorProto, helper


def main():
    out = sys.argv[1]
    seq = ["batch", "sequence"]
    inputs = [helper.make_tensor_value_info(n, TensorProto.INT64, seq) for n in ("input_ids", "attention_mask", "token_type_ids")]
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 3])
    axes = helper.make_tensor("axes", TensorProto.INT64, [1], [1])
    nodes = [
        helper.make_node("Cast", ["input_ids"], ["ids_f"], to=TensorProto.FLOAT),
        helper.make_node("Cast", ["attention_mask"], ["mask_f"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["ids_f", "axes"], ["mean_id"], keepdims=1),
        helper.make_node("ReduceSum", ["mask_f", "axes"], ["count"], keepdims=1),
        helper.make_node("Mul", ["mean_id", "k1"], ["a"]),
        helper.make_node("Mul", ["count", "k2"], ["b"]),
        helper.make_node("Mul", ["count", "k0"], ["zero"]),
        helper.make_node("Add", ["zero", "one"], ["c"]),
        helper.make_node("Concat", ["a", "b", "c"], ["logits"], axis=1),
    ]
    consts = [
        axes,
        helper.make_tensor("k1", TensorProto.FLOAT, [], [0.001]),
        helper.make_tensor("k2", TensorProto.FLOAT, [], [0.1]),
        helper.make_tensor("k0", TensorProto.FLOAT, [], [0.0]),
        helper.make_tensor("one", TensorProto.FLOAT, [], [1.0]),
    ]
    graph = helper.make_graph(nodes, "tiny-cross-encoder", inputs, [logits], initializer=consts)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], producer_name="poq-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, "cross-encoder.onnx"))


if __name__ == "__main__":
    main()
