# The Proof-of-Quality code harness: runs an untrusted program against a task's test program.
#
# It runs inside CPython for WASI under wasmtime (offchain-worker/src/sandbox/): no file
# system, network, clock or entropy of the host; fuel (an instruction budget) and a memory cap
# bound it. The host gives the job on stdin as JSON {"program", "tests", "from"} and reads the
# protocol lines this harness writes to fd 1:
#   tests N          the test program holds N tests (written before the program runs)
#   invalid REASON   the test program itself does not parse (the submitter's fault: no verdict)
#   load             the program is about to run (the host sets the load budget)
#   loaded           the program ran to its end
#   refused REASON   the program does not parse or uses a refused construct: every test fails
#   run K            test K is about to run (the host sets the per-test budget)
#   pass K | fail K REASON
#   done
# A test is a top-level `assert` of the test program, or a top-level function whose name starts
# with `test` (called without arguments after the top-level statements); a test program with
# neither is one test as a whole. Other top-level statements are set-up: one that raises fails
# every test after it. Tests start at index "from" (the host resumes after a test that ran out
# of budget in a fresh interpreter).
#
# The program runs with restricted builtins and imports (see POLICY in docs/scoring-engine.md):
# the wasm boundary is what keeps the host safe; these rules are what keep a program from
# forging its own verdict from inside the interpreter.
import ast
import builtins
import json
import os
import sys
import types

_write = os.write
_BaseException = BaseException


def emit(line):
    _write(1, (line + "\n").encode("utf-8", "replace"))


class _Sink:
    """Where the program's prints go: kept to 4 KiB, never to the host."""

    def __init__(self):
        self.size = 0

    def write(self, s):
        self.size = min(4096, self.size + len(s))
        return len(s)

    def flush(self):
        pass


# Modules a program may import (read-only copies without private names and without modules
# other than allowed submodules).
ALLOWED_MODULES = {
    "math", "cmath", "itertools", "functools", "collections", "collections.abc", "heapq",
    "bisect", "re", "string", "operator", "typing", "dataclasses", "fractions", "decimal",
    "statistics", "copy", "json", "enum", "numbers", "array", "textwrap", "unicodedata",
    "random", "datetime", "calendar", "abc", "struct", "hashlib", "base64", "binascii",
    "difflib", "pprint", "graphlib", "keyword",
}
# Dunder names a program may read or call (everything else that starts and ends with "__" is
# refused): none of them reaches frames, globals, code objects, classes' internals or modules.
ALLOWED_DUNDERS = {
    "__init__", "__name__", "__qualname__", "__doc__", "__str__", "__repr__", "__iter__",
    "__next__", "__getitem__", "__setitem__", "__delitem__", "__add__", "__sub__", "__mul__",
    "__truediv__", "__floordiv__", "__mod__", "__pow__", "__neg__", "__abs__", "__call__",
    "__enter__", "__exit__", "__slots__", "__all__", "__post_init__", "__repr__", "__format__",
    "__radd__", "__rsub__", "__rmul__", "__iadd__", "__isub__", "__imul__", "__matmul__",
    "__reversed__", "__missing__", "__int__", "__float__", "__index__", "__round__",
    "__main__",
}
# Dunder methods a program may define (any other dunder definition is refused).
DEFINABLE_DUNDERS = ALLOWED_DUNDERS - {"__name__", "__qualname__", "__doc__", "__slots__", "__all__", "__main__"}
# Methods a program may not define (also as class attributes): they decide comparisons and
# truth, so an object that defines them could pass any `assert result == expected`.
REFUSED_DEFINITIONS = {
    "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__", "__bool__", "__len__",
    "__contains__", "__hash__", "__getattr__", "__getattribute__", "__instancecheck__",
    "__subclasscheck__", "__del__", "__init_subclass__", "__class_getitem__", "__set_name__",
}
# Attribute names that lead to frames, code, modules or the interpreter.
REFUSED_ATTRIBUTES = {
    "f_back", "f_globals", "f_locals", "f_builtins", "f_code", "f_trace", "gi_frame", "gi_code",
    "gi_yieldfrom", "cr_frame", "cr_code", "cr_await", "ag_frame", "ag_code", "tb_frame",
    "tb_next", "co_code", "co_consts", "co_names", "sys", "os", "builtins", "modules",
    "_getframe", "_current_frames", "settrace", "setprofile", "mro", "im_func", "func_globals",
}
# Public names of allowed modules a program may not use: they resolve attribute paths given as
# strings or evaluate strings as code.
REFUSED_MODULE_NAMES = {
    "string": {"Formatter"},
    "operator": {"attrgetter", "methodcaller"},
    "typing": {"get_type_hints", "ForwardRef", "get_overloads"},
}
REFUSED_BUILTINS = {
    "open", "input", "breakpoint", "exec", "eval", "compile", "globals", "locals", "vars",
    "help", "memoryview", "exit", "quit", "copyright", "credits", "license", "__import__",
    "getattr", "setattr", "delattr", "type", "__loader__", "__spec__", "__build_class__",
}


def is_dunder(name):
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def refused_name(name):
    if is_dunder(name) and name not in ALLOWED_DUNDERS:
        return True
    return name in REFUSED_ATTRIBUTES


def policy_violation(tree):
    """The first construct of the program the policy refuses, or None."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and refused_name(node.attr):
            return "attribute " + node.attr
        if isinstance(node, ast.Name) and is_dunder(node.id) and node.id not in ALLOWED_DUNDERS:
            return "name " + node.id
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                node.name in REFUSED_DEFINITIONS or (is_dunder(node.name) and node.name not in DEFINABLE_DUNDERS)):
            return "definition of " + node.name
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in REFUSED_DEFINITIONS:
            return "definition of " + node.id
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            mod = node.module if isinstance(node, ast.ImportFrom) else None
            for n in ([mod] if mod else names):
                if n not in ALLOWED_MODULES:
                    return "import " + str(n)
            if mod:
                for n in names:
                    if n == "*" or n.startswith("_") or n in REFUSED_ATTRIBUTES \
                            or n in REFUSED_MODULE_NAMES.get(mod, ()):
                        return "import " + n + " from " + mod
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and is_dunder(node.value) \
                and node.value not in ALLOWED_DUNDERS:
            return "string " + node.value
    return None


def proxy(name):
    """A copy of module `name`: its public attributes but refused ones, no modules but allowed
    submodules (themselves copies)."""
    real = sys.modules[name]
    p = types.ModuleType(name)
    refused = REFUSED_MODULE_NAMES.get(name, ())
    for k, v in list(real.__dict__.items()):
        if k.startswith("_") or k in refused:
            continue
        if isinstance(v, types.ModuleType):
            full = name + "." + k
            if full in ALLOWED_MODULES:
                v = proxy(full)
            else:
                continue
        p.__dict__[k] = v
    return p


def guarded_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level != 0 or name not in ALLOWED_MODULES:
        raise ImportError("import of " + str(name) + " is not allowed in the sandbox")
    for n in fromlist or ():
        if n.startswith("_") or n in REFUSED_ATTRIBUTES or n in REFUSED_MODULE_NAMES.get(name, ()):
            raise ImportError("import of " + n + " from " + name + " is not allowed")
    __import__(name)
    for n in fromlist or ():
        if name + "." + n in ALLOWED_MODULES:
            __import__(name + "." + n)
    if fromlist:
        return proxy(name)
    return proxy(name.split(".")[0])


def safe_getattr(obj, name, *default):
    if not isinstance(name, str) or name.startswith("_") or name in REFUSED_ATTRIBUTES:
        raise AttributeError("attribute " + str(name) + " is not allowed in the sandbox")
    return builtins.getattr(obj, name, *default)


def safe_setattr(obj, name, value):
    if not isinstance(name, str) or name.startswith("_") or name in REFUSED_ATTRIBUTES:
        raise AttributeError("attribute " + str(name) + " is not allowed in the sandbox")
    return builtins.setattr(obj, name, value)


def safe_type(*args):
    if len(args) == 1:
        return builtins.type(args[0])
    raise TypeError("type() with three arguments is not allowed in the sandbox")


_type_name = builtins.type.__dict__["__name__"]


def reason(e):
    """The name of an exception's type, as letters, digits and underscores (never the
    program's text: a type's name could be made to hold a protocol line)."""
    name = _type_name.__get__(builtins.type(e), builtins.type)
    return "".join(c for c in name[:64] if c.isalnum() or c == "_") or "Exception"


def program_builtins():
    b = {k: v for k, v in builtins.__dict__.items() if k not in REFUSED_BUILTINS}
    b["__import__"] = guarded_import
    b["__build_class__"] = builtins.__build_class__
    b["getattr"] = safe_getattr
    b["setattr"] = safe_setattr
    b["type"] = safe_type
    return b


def split_tests(tree):
    """(set-up or test, statement) pairs in run order, and the number of tests."""
    steps, later = [], []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assert):
            steps.append(("test", ast.Module(body=[stmt], type_ignores=[])))
        elif isinstance(stmt, ast.FunctionDef) and stmt.name.startswith("test"):
            steps.append(("setup", ast.Module(body=[stmt], type_ignores=[])))
            call = ast.parse(stmt.name + "()", mode="exec")
            later.append(("test", call))
        else:
            steps.append(("setup", ast.Module(body=[stmt], type_ignores=[])))
    steps.extend(later)
    if not any(kind == "test" for kind, _ in steps):
        steps = [("test", tree)]
    return steps, sum(1 for kind, _ in steps if kind == "test")


def main():
    job = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    start = int(job.get("from", 0))
    try:
        test_tree = ast.parse(job["tests"], "<tests>", "exec")
    except _BaseException as e:
        emit("invalid " + reason(e))
        emit("done")
        return
    steps, n = split_tests(test_tree)
    emit("tests %d" % n)
    sink = _Sink()
    sys.stdout = sink
    sys.stderr = sink
    refusal = None
    try:
        program_tree = ast.parse(job["program"], "<program>", "exec")
        refusal = policy_violation(program_tree)
    except _BaseException as e:
        refusal = "syntax " + reason(e)
    if refusal is not None:
        emit("refused " + refusal)
        emit("done")
        return
    code = compile(program_tree, "<program>", "exec")
    pb = program_builtins()
    ns = {"__builtins__": pb, "__name__": "solution"}
    emit("load")
    try:
        exec(code, ns)
    except _BaseException as e:
        emit("refused raised " + reason(e))
        emit("done")
        return
    emit("loaded")
    # Tests see the program's names (not those that shadow builtins) and every builtin.
    tns = {"__builtins__": builtins, "__name__": "tests"}
    for k, v in list(ns.items()):
        if k not in builtins.__dict__ and not k.startswith("__"):
            tns[k] = v
    index = 0
    broken = None
    for kind, tree in steps:
        if kind == "setup":
            if broken is None:
                try:
                    exec(compile(tree, "<tests>", "exec"), tns)
                except _BaseException as e:
                    broken = reason(e)
            continue
        k = index
        index += 1
        if k < start:
            continue
        if broken is not None:
            emit("fail %d setup %s" % (k, broken))
            continue
        emit("run %d" % k)
        try:
            exec(compile(tree, "<tests>", "exec"), tns)
        except _BaseException as e:
            emit("fail %d %s" % (k, reason(e)))
            continue
        emit("pass %d" % k)
    emit("done")


main()
