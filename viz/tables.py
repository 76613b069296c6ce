"""Flat records as CSV text, for the exports of the browse lists: UTF-8 with a byte-order mark, so that Excel (what
most analysts open a CSV with) reads the Chinese names right. Rendering only: the records come from graph/browse.py.
"""

from __future__ import annotations

import csv
import io


def csv_text(records: list[dict[str, object]], columns: list[str]) -> str:
    """The records as CSV, columns in the given order, a header first.

    >>> csv_text([{"iri": "x", "name_zh": "中元汇吉"}], ["iri", "name_zh"])
    '\\ufeffiri,name_zh\\r\\nx,中元汇吉\\r\\n'
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue()
