"""LaTeX for the validation echo, rendered from the tree: what the candidate typed, unsimplified."""

from __future__ import annotations

from .construct import flatten
from .names import GREEK_NAMES
from .parser import Node

_FUNC_TEX = {
    "sin",
    "cos",
    "tan",
    "sec",
    "csc",
    "cot",
    "sinh",
    "cosh",
    "tanh",
    "coth",
    "exp",
    "log",
    "ln",
    "arg",
    "det",
    "max",
    "min",
    "gcd",
}
_NAMED = {
    "asin": r"\arcsin",
    "acos": r"\arccos",
    "atan": r"\arctan",
    "lg": r"\lg",
}
_REL_TEX = {"=": "=", "#": r"\neq", "<": "<", "<=": r"\leq", ">": ">", ">=": r"\geq"}
_CONST_TEX = {
    "pi": r"\pi",
    "e": "e",
    "i": "i",
    "inf": r"\infty",
    "minf": r"-\infty",
    "true": r"\mathrm{true}",
    "false": r"\mathrm{false}",
    "all": r"\mathrm{all}",
    "none": r"\mathrm{none}",
    "euler_gamma": r"\gamma",
    "golden": r"\phi",
}
# binding strength of each node, for brackets
_PREC = {
    "or": 10,
    "and": 20,
    "not": 25,
    "rel": 30,
    "set": 35,
    "+": 40,
    "*": 50,
    "neg": 55,
    "^": 70,
    "fact": 80,
    "atom": 100,
}


def _prec(node: Node) -> int:
    if node.kind == "op":
        v = node.value
        if v in _REL_TEX:
            return _PREC["rel"]
        if v in ("+", "-", "#pm#"):
            return _PREC["+"]
        if v in ("*", "/"):
            return _PREC["*"]
        if v == "^":
            return _PREC["^"]
        if v in ("union", "intersect"):
            return _PREC["set"]
        return _PREC.get(v, 0)
    if node.kind in ("neg", "pos", "upm"):
        return _PREC["neg"]
    if node.kind == "not":
        return _PREC["not"]
    if node.kind == "fact":
        return _PREC["fact"]
    if node.kind == "num" and node.value.lower().count("e"):
        return _PREC["*"]
    return _PREC["atom"]


def _wrap(node: Node, min_prec: int) -> str:
    text = to_latex(node)
    return rf"\left({text}\right)" if _prec(node) < min_prec else text


def _name(name: str) -> str:
    base, _, sub = name.partition("_")
    tex = "\\" + base if base in GREEK_NAMES else base
    if len(base) > 1 and base not in GREEK_NAMES:
        tex = rf"\mathrm{{{base}}}"
    return tex + (f"_{{{_name(sub)}}}" if sub else "")


def _number(text: str) -> str:
    mant, _, exp = text.lower().partition("e")
    if exp:
        return rf"{mant} \times 10^{{{int(exp)}}}"
    return text


def to_latex(node: Node) -> str:
    """Render a tree as LaTeX, keeping the candidate's structure (no simplification).

    :param node: the parsed tree.
    :returns: LaTeX source.
    """
    k = node.kind
    if k == "num":
        return _number(node.value)
    if k == "name":
        return _name(node.value)
    if k == "const":
        return _CONST_TEX.get(node.value, node.value)
    if k == "op":
        return _op(node)
    if k == "neg":
        return "-" + _wrap(node.args[0], _PREC["neg"] + 1)
    if k == "pos":
        return "+" + _wrap(node.args[0], _PREC["neg"] + 1)
    if k == "upm":
        return r"\pm " + _wrap(node.args[0], _PREC["neg"] + 1)
    if k == "not":
        return r"\neg " + _wrap(node.args[0], _PREC["not"])
    if k == "fact":
        return _wrap(node.args[0], _PREC["atom"]) + "!"
    if k in ("call", "ufunc"):
        return _call(node)
    if k == "list":
        return r"\left[{}\right]".format(", ".join(to_latex(a) for a in node.args))
    if k == "tuple":
        return r"\left({}\right)".format(", ".join(to_latex(a) for a in node.args))
    if k == "set":
        return r"\left\{{{}\right\}}".format(", ".join(to_latex(a) for a in node.args))
    if k == "index":
        return "{}_{{{}}}".format(_name(node.value), ",".join(to_latex(a) for a in node.args))
    if k == "interval":
        left = "(" if node.value[0] == "o" else "["
        right = ")" if node.value[1] == "o" else "]"
        return rf"\left{left}{to_latex(node.args[0])}, {to_latex(node.args[1])}\right{right}"
    return node.value


def _op(node: Node) -> str:
    v = node.value
    if v in ("+", "-", "#pm#"):
        parts = []
        for i, (sign, sub) in enumerate(flatten(node, ("+", "-", "#pm#"))):
            text = _wrap(sub, _PREC["+"] + (1 if sign != "+" else 0))
            if i == 0:
                parts.append(text)
            else:
                parts.append({"+": " + ", "-": " - ", "#pm#": r" \pm "}[sign] + text)
        return "".join(parts)
    if v in ("*", "/"):
        chain = flatten(node, ("*", "/"))
        if any(sign == "/" for sign, _ in chain):
            num = [s for sign, s in chain if sign == "*"]
            den = [s for sign, s in chain if sign == "/"]
            return rf"\frac{{{_times(num)}}}{{{_times(den)}}}"
        return _times([s for _, s in chain])
    if v == "^":
        base, exp = node.args
        if base.kind in ("call", "ufunc") and base.value not in ("sqrt", "abs"):
            base_tex = rf"\left({to_latex(base)}\right)"
        else:
            base_tex = _wrap(base, _PREC["^"] + 1)
        return f"{{{base_tex}}}^{{{to_latex(exp)}}}"
    if v in _REL_TEX:
        return f"{to_latex(node.args[0])} {_REL_TEX[v]} {to_latex(node.args[1])}"
    if v in ("and", "or"):
        word = r"\ \mathrm{and}\ " if v == "and" else r"\ \mathrm{or}\ "
        return word.join(_wrap(s, _PREC[v] + 1) for _, s in flatten(node, (v,)))
    if v in ("union", "intersect"):
        sym = r" \cup " if v == "union" else r" \cap "
        return sym.join(_wrap(a, _PREC["set"] + 1) for a in node.args)
    return rf"\mathrm{{{v}}}"


def _times(factors: list[Node]) -> str:
    out = []
    for i, f in enumerate(factors):
        text = _wrap(f, _PREC["*"] + (1 if i else 0))
        out.append(text)
    return r" \cdot ".join(out)


def _call(node: Node) -> str:
    name = node.value
    args = node.args
    inner = ", ".join(to_latex(a) for a in args)
    if name == "sqrt" and len(args) == 1:
        return rf"\sqrt{{{inner}}}"
    if name == "root" and len(args) == 2:
        return rf"\sqrt[{to_latex(args[1])}]{{{to_latex(args[0])}}}"
    if name == "matrix" and all(a.kind == "list" for a in args):
        rows = [" & ".join(to_latex(x) for x in row.args) for row in args]
        return r"\begin{{pmatrix}}{}\end{{pmatrix}}".format(r" \\ ".join(rows))
    if name == "abs":
        return rf"\left|{inner}\right|"
    if name == "binomial" and len(args) == 2:
        return rf"\binom{{{to_latex(args[0])}}}{{{to_latex(args[1])}}}"
    if name == "factorial" and len(args) == 1:
        return _wrap(args[0], _PREC["atom"]) + "!"
    if name == "exp" and len(args) == 1:
        return rf"e^{{{inner}}}"
    if name in _FUNC_TEX:
        head = "\\" + name
    elif name in _NAMED:
        head = _NAMED[name]
    elif node.kind == "ufunc" and len(name) == 1:
        head = name
    else:
        head = r"\operatorname{{{}}}".format(name.replace("_", r"\_"))
    return rf"{head}\left({inner}\right)"
