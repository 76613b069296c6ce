"""The chain pages' data as JSON: a chain map, an anchor ranking or a place's gaps as plain dicts, every IRI beside
its local id, every evidence as {quote, article, title, date, note}, every component with its points.

The HTML pages and the JSON routes are fed from the same objects (graph/chainmap.py, ranking.py, gaps.py): this is
only their data twin. No HTTP, no HTML.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from chainkg.graph.chainmap import STATUS_LABELS, ChainMap
from chainkg.graph.gaps import PlaceGaps
from chainkg.graph.namespaces import local_id
from chainkg.graph.ranking import COMPONENT_LABELS, AnchorRanking, Component


def plain(base: str, value: Any) -> Any:
    """Dataclasses as dicts (recursively), every `iri` joined by its local `id`, components by their `points`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: plain(base, getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Component):
            out["points"] = value.points
        if isinstance(out.get("iri"), str):
            out["id"] = local_id(base, out["iri"])
        return out
    if isinstance(value, dict):
        return {k: plain(base, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(base, v) for v in value]
    return value


def chain_map_json(base: str, report: ChainMap) -> dict:
    data = plain(base, report)
    data["stages"] = [[s.segment.iri for s in stage] for stage in report.stages]
    for segment in data["segments"]:
        segment["status_zh"], segment["status_en"] = STATUS_LABELS[segment["status"]]
    return data


def ranking_json(base: str, ranking: AnchorRanking) -> dict:
    data = plain(base, ranking)
    data["id"] = local_id(base, ranking.chain)
    data["weights"] = ranking.weights.as_dict()
    data["component_labels"] = {k: {"zh": zh, "en": en} for k, (zh, en) in COMPONENT_LABELS.items()}
    return data


def place_gaps_json(base: str, report: PlaceGaps) -> dict:
    return {"place": plain(base, report.place), "counts": report.counts,
            "chains": [chain_map_json(base, c) for c in report.chains]}
