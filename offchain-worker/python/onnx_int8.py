"""Weight-only int8 quantization of an ONNX graph, shared by the trained models of the default
model set (the cross-encoder and the judge)."""

import numpy as np


def weight_only_int8(src, dst):
    """Stores every 2-D float weight of at least 4096 values as int8 with one scale per column
    (symmetric, `max |w| / 127`, round half to even: deterministic), restored in the graph by
    `Cast` and `Mul` (the embedding model's scheme). Activations stay float, so a pair's scores do
    not depend on the other pairs of its batch, which dynamic quantization's per-batch
    activation scales would break."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    m = onnx.load(src)
    g = m.graph
    inits, nodes = [], []
    for init in g.initializer:
        w = numpy_helper.to_array(init)
        if w.dtype != np.float32 or w.ndim != 2 or w.size < 4096:
            inits.append(init)
            continue
        scale = (np.abs(w).max(axis=0) / 127.0).astype(np.float32)
        scale[scale == 0] = 1.0
        q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
        inits += [numpy_helper.from_array(q, init.name + "_q"), numpy_helper.from_array(scale, init.name + "_scale")]
        nodes += [
            helper.make_node("Cast", [init.name + "_q"], [init.name + "_f"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [init.name + "_f", init.name + "_scale"], [init.name]),
        ]
    nodes += list(g.node)
    del g.initializer[:]
    g.initializer.extend(inits)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
