"""Unicode normalisation of typed answers, before tokenising."""

from __future__ import annotations

import re
import unicodedata

ROOT = "\x00"  # stands for a typed root sign until _roots() gives it brackets
_FRACTION = re.compile(r"(?<![0-9.])(\d+)?[ ]?\x01(\d+)/(\d+)\x02")
_ROOT_OPERAND = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)|%?[A-Za-z_][A-Za-z0-9_]*")

GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "ο": "omicron",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "υ": "upsilon",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Α": "Alpha",
    "Β": "Beta",
    "Γ": "Gamma",
    "Δ": "Delta",
    "Ε": "Epsilon",
    "Ζ": "Zeta",
    "Η": "Eta",
    "Θ": "Theta",
    "Ι": "Iota",
    "Κ": "Kappa",
    "Λ": "Lambda",
    "Μ": "Mu",
    "Ν": "Nu",
    "Ξ": "Xi",
    "Ο": "Omicron",
    "Π": "Pi",
    "Ρ": "Rho",
    "Σ": "Sigma",
    "Τ": "Tau",
    "Υ": "Upsilon",
    "Φ": "Phi",
    "Χ": "Chi",
    "Ψ": "Psi",
    "Ω": "Omega",
}

SYMBOLS = {
    "\u2212": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\ufe63": "-",
    "×": "*",
    "·": "*",
    "⋅": "*",
    "∙": "*",
    "∗": "*",
    "✕": "*",
    "÷": "/",
    "∕": "/",
    "⁄": "/",
    "≤": "<=",
    "⩽": "<=",
    "≥": ">=",
    "⩾": ">=",
    "≠": "#",
    "∞": "inf",
    "√": "\x00",  # a root sign, given its argument's brackets by _roots()
    "∪": " union ",
    "∩": " intersect ",
    "±": "#pm#",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200b": "",
    "\u3000": " ",
}

SUPERSCRIPTS = {
    "⁰": "0",
    "¹": "1",
    "²": "2",
    "³": "3",
    "⁴": "4",
    "⁵": "5",
    "⁶": "6",
    "⁷": "7",
    "⁸": "8",
    "⁹": "9",
    "⁻": "-",
    "⁺": "+",
}


def normalise(text: str) -> str:
    """Return ``text`` with Unicode maths spellings mapped to our ASCII syntax.

    Full-width forms become ASCII (NFKC), the minus sign U+2212 becomes ``-``, ``×``/``·``
    become ``*``, ``÷`` becomes ``/``, Greek letters become their names (``μ0`` -> ``mu0``)
    and superscript digits become powers (``x²`` -> ``x^(2)``).

    :param text: the raw answer; callers have already bounded its length.
    :returns: the normalised text.
    """
    out: list[str] = []
    sup: list[str] = []
    for ch in text:
        if ch in SUPERSCRIPTS:
            sup.append(SUPERSCRIPTS[ch])
            continue
        if sup:
            out.append("^(" + "".join(sup) + ")")
            sup = []
        if ch.isascii():
            out.append("\x7f" if ch in "\x00\x01\x02" else ch)  # our markers: refused
        elif ch in SYMBOLS:
            out.append(SYMBOLS[ch])
        elif ch in GREEK:
            out.append(_greek(ch, out))
        else:
            folded = unicodedata.normalize("NFKC", ch)
            if "\u2044" in folded and len(folded) > 1:  # a vulgar fraction: ½ -> 1⁄2
                num, _, den = folded.partition("\u2044")
                out.append(f"\x01{num}/{den}\x02")
            elif folded in GREEK:
                out.append(_greek(folded, out))
            elif folded in SYMBOLS:
                out.append(SYMBOLS[folded])
            else:
                out.append(folded)
    if sup:
        out.append("^(" + "".join(sup) + ")")
    text = "".join(out)
    if "\x01" in text:
        text = _FRACTION.sub(_fraction, text)
    if ROOT in text:
        text = _roots(text)
    return text


def _fraction(m: re.Match[str]) -> str:
    """``½`` -> ``(1/2)``; a whole number before it makes a mixed number: ``3½`` -> ``(3+1/2)``."""
    whole, num, den = m.group(1), m.group(2), m.group(3)
    return f"({whole}+{num}/{den})" if whole else f"({num}/{den})"


def _roots(text: str) -> str:
    """Give every root sign its argument: ``√2/2`` -> ``sqrt(2)/2``, ``2√x`` -> ``2*sqrt(x)``.

    The argument of ``√`` is the bracket, number or name right after it (a name followed by
    brackets is a call: ``√sin(x)``), as on a calculator; nested signs are done inside out.
    """
    while (at := text.rfind(ROOT)) >= 0:
        before, after = text[:at], text[at + 1 :]
        if before and (before[-1].isalnum() or before[-1] in "_)]}"):
            before += "*"  # 2√2 is 2*sqrt(2) even where implicit products are refused
        rest = after.lstrip(" ")
        m = _ROOT_OPERAND.match(rest)
        if rest.startswith("(") or m is None:
            text = before + "sqrt" + after
            continue
        end = m.end()
        if rest[end : end + 1] == "(":
            depth = 0
            for j in range(end, len(rest)):
                depth += {"(": 1, ")": -1}.get(rest[j], 0)
                if depth == 0:
                    end = j + 1
                    break
            else:
                end = len(rest)
        text = before + "sqrt(" + rest[:end] + ")" + rest[end:]
    return text


def _greek(ch: str, out: list[str]) -> str:
    """Spell a Greek letter, separated from a preceding letter so ``xα`` stays two names."""
    name = GREEK[ch]
    if out and out[-1] and (out[-1][-1].isalpha()):
        return " " + name
    return name
