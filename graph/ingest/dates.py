"""Time in an article: explicit dates (2023年9月14日, 2021年, 7月5日), relative ones (今年, 去年, 上半年, 今年1-8月,
明年) resolved against the article's date, and the period a figure covers (full year, first half, year to date …).

Works on the normalised sentence text (simplified, half-width). Finding the expressions and resolving them is all
this module does; what they date is decided by figures.py and events.py.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

RELATIVE_YEARS = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1, "前年": -2, "明年": 1}
FIVE_YEAR_PLANS = {"十二五": (2011, 2015), "十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030)}
NOW_WORDS = ("目前", "如今", "截至目前", "当前", "现已", "当下", "现在", "至今")

YEAR = r"(?P<year>(?:19|20)\d{2})年(?:度)?"
RELATIVE = r"(?P<rel>今年|本年|去年|上年|前年|明年)"
PART = (r"(?P<part>上半年|下半年|前三季度|一季度|第一季度|以来|年底|底|末|年末|全年"
        r"|(?P<m1>\d{1,2})(?:月)?(?:-|—|–|~|至|到)(?P<m2>\d{1,2})月|(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?)?")
EXPRESSIONS = [
    re.compile(r"(?:(?P<target>计划到|预计到|力争到|争取到|目标到|到|至)\s*)?" + YEAR + PART),
    re.compile(RELATIVE + PART),
    re.compile(r"(?P<plan>十二五|十三五|十四五|十五五)(?:”|」)?(?P<planpart>末期|末|期间|时期)?"),
    re.compile(r"(?<![\d.年])(?P<m1>\d{1,2})(?:月)?(?:-|—|–|至)(?P<m2>\d{1,2})月"),
    re.compile(r"(?<![\d.年])(?P<month>\d{1,2})月(?:(?P<day>\d{1,2})日)?(?!份?\d)"),
    re.compile(r"(?P<half>上半年|前三季度)"),
    re.compile(r"(?P<now>截至目前|目前|如今|当前|当下|现已|至今)"),
]


BARE_MONTHS = 3  # EXPRESSIONS from this index on carry no year of their own


@dataclass(frozen=True)
class ArticleDate:
    """When the article was written: a year, and a month and day when known."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> ArticleDate:
        """From YYYY, YYYY-MM or YYYY-MM-DD.

        >>> ArticleDate.parse("2024-07")
        ArticleDate(year=2024, month=7, day=None)
        """
        match = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text.strip())
        if not match:
            raise ValueError(f"a date is YYYY, YYYY-MM or YYYY-MM-DD, not {text!r}")
        year, month, day = (int(g) if g else None for g in match.groups())
        if month is not None and not 1 <= month <= 12 or day is not None and not 1 <= day <= 31:
            raise ValueError(f"no such date: {text!r}")
        return cls(year, month, day)

    def literal(self) -> tuple[str, str]:
        """(lexical form, XSD datatype local name) of the article date."""
        if self.month and self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}", "date"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}", "gYearMonth"
        return f"{self.year:04d}", "gYear"


@dataclass(frozen=True)
class When:
    """A resolved time expression at [start, end) of a normalised sentence."""

    start: int
    end: int
    label: str
    year: int
    month: int | None = None
    day: int | None = None
    period: str = "full-year"  # a period kind of ontology/vocab.ttl
    period_start: str | None = None
    period_end: str | None = None
    target: bool = False
    relative: bool = False

    def date_literal(self) -> tuple[str, str]:
        if self.month and self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}", "date"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}", "gYearMonth"
        return f"{self.year:04d}", "gYear"


def find(norm: str, article: ArticleDate, context_year: int | None = None) -> list[When]:
    """Every time expression of a normalised sentence, resolved; `context_year` dates a bare 7月5日.

    >>> [(w.label, w.year, w.month, w.period) for w in find("今年1-8月，全区规上工业产值增长26.2%", ArticleDate(2021, 10))]
    [('今年1-8月', 2021, None, 'year-to-date')]
    >>> [(w.year, w.month, w.day) for w in find("7月5日，海康威视重庆科技园", ArticleDate(2024, 7))]
    [(2024, 7, 5)]
    """
    found: list[When] = []
    taken: list[tuple[int, int]] = []
    for index, pattern in enumerate(EXPRESSIONS):
        for match in pattern.finditer(norm):
            if any(match.start() < e and s < match.end() for s, e in taken):
                continue
            year = context_year
            if index >= BARE_MONTHS:  # 去年6月…，10月…: a bare month is of the year named before it in the sentence
                before = sorted((w for w in found if w.end <= match.start() and not w.target), key=lambda w: w.start)
                year = before[-1].year if before else context_year
            when = _resolve(match, article, year)
            if when is not None:
                found.append(when)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda w: w.start)


def _resolve(match: re.Match, article: ArticleDate, context_year: int | None) -> When | None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    label = match.group(0)
    start, end = match.start(), match.end()
    relative = "rel" in groups or "now" in groups or "half" in groups
    if "year" in groups:
        year = int(groups["year"])
    elif "rel" in groups:
        year = article.year + RELATIVE_YEARS[groups["rel"]]
    elif "plan" in groups:
        first, last = FIVE_YEAR_PLANS[groups["plan"]]
        ending = groups.get("planpart", "").startswith("末")
        return When(start, end, label, last, period="target-year" if ending else "multi-year",
                    period_start=None if ending else f"{first}-01-01", period_end=f"{last}-12-31", target=ending)
    else:
        year = context_year or article.year
        relative = True
    if "now" in groups:
        return When(start, end, label, article.year, article.month, period="point-in-time", relative=True)
    target = "target" in groups and year > article.year
    if "target" in groups and not target:  # 2016年至2020年 ends a range; 增长至2020年的44万人 is of 2020
        ending_a_range = groups.get("target") in ("至",) and "part" not in groups and \
            not match.string[match.end():match.end() + 1] == "的"
        return None if ending_a_range else When(
            start, end, label, year, period="full-year", period_start=f"{year}-01-01", period_end=f"{year}-12-31")
    return _with_part(When(start, end, label, year, target=target, relative=relative), groups, article)


def _with_part(when: When, groups: dict[str, str], article: ArticleDate) -> When:
    year = when.year
    part = groups.get("part") or groups.get("half") or ""
    fields: dict[str, object] = {"period": "target-year" if when.target else "full-year",
                                 "period_start": None if when.target else f"{year}-01-01",
                                 "period_end": None if when.target else f"{year}-12-31"}
    if part == "上半年":
        fields.update(period="first-half", period_start=f"{year}-01-01", period_end=f"{year}-06-30")
    elif part == "下半年":
        fields.update(period="months", period_start=f"{year}-07-01", period_end=f"{year}-12-31")
    elif part == "前三季度":
        fields.update(period="first-three-quarters", period_start=f"{year}-01-01", period_end=f"{year}-09-30")
    elif part in ("一季度", "第一季度"):
        fields.update(period="months", period_start=f"{year}-01-01", period_end=f"{year}-03-31")
    elif part == "以来":
        end = f"{year}-{article.month:02d}-01" if article.month and year == article.year else None
        fields.update(period="year-to-date", period_start=f"{year}-01-01", period_end=end)
    elif part in ("年底", "底", "末", "年末"):
        fields.update(period="point-in-time", period_start=f"{year}-10-01", period_end=f"{year}-12-31")
    elif "m1" in groups:
        first, last = int(groups["m1"]), int(groups["m2"])
        if 1 <= first <= last <= 12:
            kind = "first-half" if (first, last) == (1, 6) else "year-to-date" if first == 1 else "months"
            fields.update(period=kind, period_start=f"{year}-{first:02d}-01",
                          period_end=f"{year}-{last:02d}-{calendar.monthrange(year, last)[1]:02d}")
    elif "month" in groups:
        month = int(groups["month"])
        if not 1 <= month <= 12:
            return when
        day = int(groups["day"]) if "day" in groups else None
        if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            day = None
        last = calendar.monthrange(year, month)[1]
        fields.update(month=month, day=day, period="months" if day is None else "point-in-time",
                      period_start=f"{year}-{month:02d}-{day or 1:02d}",
                      period_end=f"{year}-{month:02d}-{day or last:02d}")
    return When(when.start, when.end, when.label, year, target=when.target, relative=when.relative, **fields)
