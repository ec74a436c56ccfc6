"""The text of a `real` and of a `decimal`, defined once for display, `tostring()` and
every output format.

Kusto prints a double as .NET does: the shortest digits that read back to the same
value, plain notation for decimal exponents -5..14 and `E+XX`/`E-XX` outside them
(1E+20, 1E-05), `-0` for negative zero, `NaN`, `Infinity`, `-Infinity`.
"""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    import decimal


def format_real(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    # repr is the shortest text that reads back to the same double ("1.5e-05",
    # "123.0", "1e+20"): its digits and exponent, read here without the decimal
    # module (not imported at start-up, issue 18).
    text = repr(value)
    prefix = "-" if text[0] == "-" else ""
    mantissa, _, exp = text.lstrip("-").partition("e")
    int_part, _, frac_part = mantissa.partition(".")
    all_digits = int_part + frac_part
    significant = all_digits.lstrip("0")
    # decimal exponent of the first significant digit
    sci = len(int_part) + (int(exp) if exp else 0) - 1 - (len(all_digits) - len(significant))
    digits_text = significant.rstrip("0") or "0"
    if sci < -4 or sci >= 15:
        mantissa = digits_text[0] + ("." + digits_text[1:] if len(digits_text) > 1 else "")
        return f"{prefix}{mantissa}E{'+' if sci >= 0 else '-'}{abs(sci):02d}"
    if sci < 0:
        return f"{prefix}0.{'0' * (-sci - 1)}{digits_text}"
    int_len = sci + 1
    if len(digits_text) <= int_len:
        return prefix + digits_text + "0" * (int_len - len(digits_text))
    return f"{prefix}{digits_text[:int_len]}.{digits_text[int_len:]}"


def format_decimal(value: decimal.Decimal) -> str:
    """A decimal's digits in plain notation as held (`1.50`, `decimal(1e5)` is `100000`),
    scientific only for magnitudes a plain text would spell with 30+ zeros."""
    if value.is_nan():
        return "NaN"
    return format(value, "f") if abs(value.adjusted()) < 30 else str(value)
