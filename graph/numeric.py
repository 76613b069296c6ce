"""Numbers and truth values read from the graph's literals, as charts, rankings and JSON can use them.

A literal's lexical form is the data; the float made from it is only for drawing and scoring. `"1" + 400 zeros` is
a valid xsd:decimal that the shapes pass, but as a float it is infinite: it broke the entity page's chart (a 500)
and put `Infinity` into the district view's JSON. Such values keep their text and are left out of the arithmetic.
"""

from __future__ import annotations

import math


def finite(lexical: str) -> float | None:
    """The literal's value as a finite float, or None when it has none (too large, or not a number at all).

    >>> finite("69.20"), finite("-3"), finite("1" + "0" * 400), finite("-1e400"), finite("abc"), finite("NaN")
    (69.2, -3.0, None, None, None, None)
    """
    try:
        number = float(lexical)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def finite_product(number: float, factor: float | None) -> float | None:
    """`number × factor` (a unit's factor to yuan), or None when there is no factor or the product overflows.

    >>> finite_product(2.5, 1e8), finite_product(1e300, 1e12), finite_product(1.0, None)
    (250000000.0, None, None)
    """
    if factor is None:
        return None
    product = number * factor
    return product if math.isfinite(product) else None


def true(lexical: str) -> bool:
    """Whether an xsd:boolean's lexical form says true: "true" or "1" (Virtuoso answers EXISTS and booleans as "1").

    >>> true("true"), true("1"), true("false"), true("0")
    (True, True, False, False)
    """
    return lexical.strip() in ("true", "1")
