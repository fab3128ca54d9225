"""Unicode normalisation of typed answers, before tokenising."""

from __future__ import annotations

import unicodedata

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
    "√": "sqrt",
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
            out.append(ch)
        elif ch in SYMBOLS:
            out.append(SYMBOLS[ch])
        elif ch in GREEK:
            out.append(_greek(ch, out))
        else:
            folded = unicodedata.normalize("NFKC", ch)
            if folded in GREEK:
                out.append(_greek(folded, out))
            elif folded in SYMBOLS:
                out.append(SYMBOLS[folded])
            else:
                out.append(folded)
    if sup:
        out.append("^(" + "".join(sup) + ")")
    return "".join(out)


def _greek(ch: str, out: list[str]) -> str:
    """Spell a Greek letter, separated from a preceding letter so ``xα`` stays two names."""
    name = GREEK[ch]
    if out and out[-1] and (out[-1][-1].isalpha()):
        return " " + name
    return name
