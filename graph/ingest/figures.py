"""Statistics of a sentence: every figure with its value and unit as printed (亿/万 magnitudes, Chinese numerals
with cn2an, percentages), its qualifier (余, 超, 近, 以上, 不到 …), what it measures (the nearest measure word
before it), whose it is (the nearest entity mention before it), its period and year (the nearest time expression,
relative ones resolved against the article's date) and whether it is actual, a target or a forecast.

Units and measures are the local names of ontology/vocab.ttl; tests check each one exists there.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

import cn2an

from chainkg.graph.ingest import dates
from chainkg.graph.ingest.candidates import Figure, Mention
from chainkg.graph.ingest.sentences import Sentence

CN_DIGITS = "零〇一二两三四五六七八九十百千"
NUMBER = (r"(?P<num>\d+(?:,\d{3})*(?:\.\d+)?|[" + CN_DIGITS + r"]+(?:点[零〇一二三四五六七八九]+)?)")
BEFORE = r"(?P<pre>超过|超|逾|近|约|不到|不足|突破|达到|达|高达|仅|共|累计|总计|合计)?"
MAGNITUDE = r"(?P<mag>千万|百万|十万|万|亿)?"
AFTER_NUMBER = r"(?P<post>余|多)?"
UNITS = ("亿元/年", "元/年", "平方公里", "万平方米", "平方米", "公里", "个项目", "个月", "车次", "元", "家", "个", "项", "亩",
         "%", "人", "名", "倍", "条", "户", "年", "吨", "台", "位", "座", "件", "款", "支", "种")
UNIT = r"(?P<unit>" + "|".join(re.escape(u) for u in UNITS) + r")?"
TAIL = r"(?P<tail>以上|左右|以下|余)?"
FIGURE_PATTERN = re.compile(BEFORE + NUMBER + AFTER_NUMBER + MAGNITUDE + r"(?P<post2>余|多)?" + UNIT + TAIL)
RANK = re.compile(r"(?:居|排|位居|位列|名列)?[^，。；]{0,8}?(?P<pre>第|前)(?P<num>[一二三四五六七八九十\d]+)(?:位|名)?")
QUALIFIERS = {"超过": "超", "超": "超", "逾": "超", "突破": "突破", "近": "近", "约": "约", "不到": "不到", "不足": "不到",
              "余": "余", "多": "余", "以上": "以上", "左右": "约", "以下": "不到"}
MONEY_WORDS = ("营收", "收入", "产值", "投资", "规模", "交易额", "金额", "资金", "融资", "授信", "贷款", "订单", "基金", "营业",
               "总额", "资产", "利润", "税收", "财政", "研发", "增加值", "生产总值", "gdp", "销售", "出口", "进口", "费")
# Measure words (normalised), nearest before the figure wins; then the unit decides.
MEASURE_WORDS: list[tuple[str, str]] = [
    ("营业收入", "revenue"), ("营收", "revenue"), ("营业", "revenue"), ("销售收入", "revenue"), ("收入", "revenue"),
    ("工业总产值", "industrial-output-value"), ("总产值", "industrial-output-value"), ("产值", "output-value"),
    ("工业增加值", "industrial-value-added"), ("地区生产总值", "gdp"), ("gdp", "gdp"),
    ("固定资产投资", "fixed-asset-investment"), ("研发投入", "rd-investment"), ("研发", "rd-investment"),
    ("投资", "investment"), ("合同", "contract-value"), ("签约", "contract-value"), ("到位资金", "funds-in-place"),
    ("占地面积", "land-area"), ("占地", "land-area"), ("建筑面积", "floor-area"), ("面积", "area"),
    ("产能", "capacity"), ("生产线", "production-lines"), ("人才", "talent-count"), ("员工", "employee-count"),
    ("成员", "employee-count"), ("人口", "population"), ("订单", "order-value"), ("贷款", "loan-amount"),
    ("授信", "credit-amount"), ("融资", "loan-amount"), ("基金", "fund-size"), ("交易额", "trade-volume"),
    ("车次", "trips"), ("线路", "routes"), ("市场主体", "new-market-entities"), ("满意率", "satisfaction-rate"),
    ("绿化覆盖率", "green-coverage"), ("人均公园面积", "park-area-per-capita"), ("阅读量", "reading-count"),
    ("财政收入", "fiscal-revenue"), ("规模", "industry-scale"), ("企业", "firm-count"), ("公司", "firm-count"),
    ("项目", "project-count"), ("占", "share"), ("比重", "share"), ("增长", "growth-rate"), ("增速", "growth-rate"),
    ("增", "growth-rate"), ("降低", "efficiency-change"), ("提高", "efficiency-change"), ("压缩", "time-reduction"),
    ("排名", "rank"), ("居", "rank"),
]
MEASURE_BY_UNIT = {"firms": "firm-count", "projects": "project-count", "persons": "employee-count", "mu": "land-area",
                   "wan-mu": "land-area", "sqm": "area", "wan-sqm": "area", "sqkm": "area", "km": "length",
                   "trips": "trips", "years": "duration", "months": "duration", "rank": "rank", "yi-yuan": "revenue",
                   "wan-yuan": "revenue", "yuan": "revenue", "percent": "share", "households": "new-market-entities"}
FORECAST_WORDS = ("预计", "有望", "可望", "估计", "预期", "将突破", "将达", "将实现", "可突破", "可达", "可实现")
TARGET_WORDS = ("计划", "目标", "力争", "争取", "到20", "要实现", "确保")
SKIP_AFTER = ("代", "号", "期", "+", "届", "级", "/", "g", "年代", "月", "日", "点", "时", "岁", "季度", "周年")


def figures(sentence: Sentence, mentions: list[Mention], article: dates.ArticleDate, context: dict, next_id,
            units: dict[str, str] | None = None) -> list[Figure]:
    """The statistics of one sentence. `context` carries the paragraph's last year and subject across sentences."""
    norm = sentence.norm
    whens = dates.find(norm, article, context.get("year"))
    shifted = [s for s in (_shifted(w, norm, article) for w in whens) if s is not None]
    shifted += _planned_spans(norm, article)
    shifted += _spans_from_paragraph(norm, whens + shifted, article, context.get("year"))
    whens = sorted(whens + shifted, key=lambda w: w.start)
    bases = [w for w in whens if norm[w.end:w.end + 2] == "同期"]  # 与去年同期相比: a comparison's base
    blocked = [(w.start, w.end) for w in whens] + _titles(norm)
    whens = [w for w in whens if w not in bases]
    found: list[Figure] = []
    for match in FIGURE_PATTERN.finditer(norm):
        if any(s <= match.start("num") < e for s, e in blocked):
            continue
        parsed = _value_and_unit(match, norm, units or {})
        if parsed is None:
            continue
        value, unit = parsed
        if unit == "percent" and DECLINE.search(norm[max(0, match.start() - 6):match.start()]):
            value = -value  # 工业产值至少减少50%: a fall is a negative change (降低 names a reduction measure: positive)
        if unit == "yi-yuan" and ANNUAL.search(norm[max(0, match.start() - 8):match.start()]):
            unit = "yi-yuan-per-year"  # 年产值突破10亿元: an annual rate
        low = _range_low(match, norm)
        if low is not None and unit != "years":  # 其中2—3家实现上市: both ends of a range are figures
            found.append(_figure(sentence, match.start() - len(low) - 1, match.end(), Decimal(low), unit, None, whens,
                                 mentions, article, context, next_id))
        for year in _running_years(norm, match.start(), whens):
            found.append(_figure(sentence, match.start(), match.end(), value, unit, _qualifier(match), whens,
                                 mentions, article, context, next_id, in_year=year))
    for match in PROPORTION.finditer(norm):
        if any(s <= match.start() < e for s, e in blocked) or _inside(found, sentence, match.start()):
            continue
        value = _proportion(match)
        if value is not None:
            found.append(_figure(sentence, match.start(), match.end(), value, "percent", _qualifier(match), whens,
                                 mentions, article, context, next_id))
    for match in RANK.finditer(norm):
        if any(s <= match.start("num") < e for s, e in blocked) or any(f.start <= sentence.offsets[match.start("num")] < f.end for f in found):
            continue
        value = _number(match.group("num"))
        if norm[match.end():match.end() + 1] in ("次", "批", "代", "方", "季", "根", "条", "届", "期", "轮", "步"):
            continue  # 第三次创业, 第一批, 第三方, 第三季度, 第一根钢轨: an ordinal, not a rank
        if value is None or value == 0 or value > 100 or \
                not _ranked_within(norm, match.start("pre"), mentions, sentence):
            continue
        found.append(_figure(sentence, match.start("pre"), match.end(), value, "rank", None, whens, mentions, article,
                             context, next_id, measure="rank"))
    for match in FIRST.finditer(norm):  # 重庆首个新媒体创客中心, 西部首个…孵化器: first within a place is rank 1
        if _inside(found, sentence, match.start()) or not _ranked_within(norm, match.start(), mentions, sentence, 4):
            continue
        found.append(_figure(sentence, match.start(), match.end(), Decimal(1), "rank", None, whens, mentions, article,
                             context, next_id, measure="rank"))
    context["seen"] = (context.get("seen", []) + mentions)[-40:]  # what 该公司, 园区 may refer back to
    stated = [w for w in whens if not w.target and not w.relative]
    if stated:  # 截至2020年底，…。科技型企业2585家: the paragraph's later figures are of its stated year
        context["year"] = stated[-1].year
    return found


DECLINE = re.compile(r"(?:减少|下降|下滑|回落|缩减)了?(?:至少|约|近)?$")
ANNUAL = re.compile(r"(?<![\d今去明本当上前同全])年(?:产值|营收|营业收入|销售额|产出)[^,;:。]{0,4}$")
# Shares written in words: 三成以上 (30 %), 近两成, 一半以上, 过半, 减半, 三分之一, 2/3以上.
PROPORTION = re.compile(r"(?P<pre>近|超|约|逾)?(?:(?P<tenths>[一二两三四五六七八九])成(?![为立功本果员熟交长型绩都不])"
                        r"|(?P<half>一半|过半|减半|半数)|(?P<den>[二三四五六七八九十])分之(?P<numer>[一二三四五六七八九])"
                        r"|(?<![\d.])(?P<a>\d)/(?P<b>\d{1,2})(?![\d/]))(?P<tail>以上|左右)?")
RUNNING = re.compile(r"连续(?P<n>[两二三四五六七八九十]|\d{1,2})年")


def _proportion(match: re.Match) -> Decimal | None:
    """The share a word form states, in percent (two decimals where it does not come out even)."""
    if match.group("tenths"):
        return Decimal(10) * _number(match.group("tenths"))
    if match.group("half"):
        return Decimal(50)
    if match.group("den"):
        numer, den = _number(match.group("numer")), _number(match.group("den"))
    else:
        numer, den = Decimal(match.group("a")), Decimal(match.group("b"))
    if not den or numer >= den:
        return None
    return (Decimal(100) * numer / den).quantize(Decimal("0.01")).normalize()


def _running_years(norm: str, i: int, whens) -> list[int | None]:
    """连续三年实现营收超百亿元 (2023年…): one figure for each of the years, ending with the stated one, which the
    sentence's own figure for that year already gives."""
    clause = norm[max(norm.rfind(p, 0, i) for p in ",;:。") + 1:i]
    running = RUNNING.search(clause)
    stated = [w for w in whens if w.end <= i and not w.relative and not w.target]
    years = _number(running.group("n")) if running else None
    if not years or not stated or years > 10:
        return [None]
    last = stated[-1].year
    return [last - k for k in range(int(years) - 1, 0, -1)]


def _range_low(match: re.Match, norm: str) -> str | None:
    """The low end of a range printed before this figure (2—3家), if there is one."""
    low = re.search(r"(?<![\d.])(\d{1,4})[-—~至到]$", norm[max(0, match.start() - 6):match.start()])
    return low.group(1) if low and not match.group("pre") else None


PLANNED_SPAN = re.compile(r"(?:计划|力争|争取|预计|拟|目标)(?:用|在)?(?:未来)?(?:(?P<a>\d{1,2})[-—~至到])?(?P<b>\d{1,2})年(?:内|时间)?")


def _planned_spans(norm: str, article: dates.ArticleDate) -> list[dates.When]:
    """项目计划3—5年在重庆大渡口聚集50个…: a plan over the next years targets the article's year plus its span."""
    return [dates.When(m.start(), m.end(), m.group(0), article.year + int(m.group("b")), period="target-year",
                       target=True) for m in PLANNED_SPAN.finditer(norm)]


FIRST = re.compile(r"首(?:个|家)")
RANK_SCOPES = re.compile(r"全国|全市|全球|国内|全省|区县|西部|行业|全区|区域内")


def _ranked_within(norm: str, at: int, mentions: list[Mention], sentence: Sentence, reach: int = 12) -> bool:
    """A rank is a figure where a scope is named just before it: 全国, 西部, or a place (重庆首个, 重庆区域内第一个)."""
    if RANK_SCOPES.search(norm[max(0, at - reach):at + 4]):
        return True
    places = [m for m in mentions if m.kind in ("Municipality", "City", "District", "Country", "AdministrativeArea")]
    return any(0 <= at - _norm_end(sentence, m) <= 2 for m in places)


def _inside(found: list[Figure], sentence: Sentence, i: int) -> bool:
    return any(f.start <= sentence.offsets[i] < f.end for f in found)


AFTER_YEARS = re.compile(r"(?:经过|历经|用了|不到|仅用)?近?(?P<n>\d{1,2}|[一二三四五六七八九十]{1,2})年(?:多)?(?:时间|来|后)")


def _shifted(when: dates.When, norm: str, article: dates.ArticleDate) -> dates.When | None:
    """自2021年启动…以来，不到3年时间，…引育企业69家: a span of years after a stated year moves the figures on to its
    end (2021 + 3), never past the article's year."""
    if when.target or when.relative:
        return None
    span = AFTER_YEARS.search(norm, when.end, when.end + 30)
    years = _number(span.group("n")) if span else None
    if years is None:
        return None
    year = min(when.year + int(years), article.year)
    return dates.When(span.start(), span.end(), span.group(0), year, period="point-in-time")


def _spans_from_paragraph(norm: str, whens: list[dates.When], article: dates.ArticleDate,
                          year: int | None) -> list[dates.When]:
    """1965年，大渡口…设区。40年来，…一半以上 / 经过近5年时间发展，…258亩: a span of years in a sentence that states
    no year of its own runs from the year the paragraph stated last, so its figures are of that year plus the span."""
    if year is None or any(not w.relative and not w.target for w in whens):
        return []
    out = []
    for span in AFTER_YEARS.finditer(norm):
        years = _number(span.group("n"))
        if years is None or any(w.start < span.end() and span.start() < w.end for w in whens):
            continue
        out.append(dates.When(span.start(), span.end(), span.group(0), min(year + int(years), article.year),
                              period="point-in-time"))
    return out


def _titles(norm: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"《[^》]*》|（\d{4}-\d{4}年）|\d{4}-\d{4}", norm)]


def _value_and_unit(match: re.Match, norm: str, units: dict[str, str]) -> tuple[Decimal, str] | None:
    """The printed value and the vocab unit, or None when this is not a figure (a code, an ordinal, a range)."""
    number, magnitude, unit = match.group("num"), match.group("mag") or "", match.group("unit") or ""
    after = norm[match.end():match.end() + 2]
    before = norm[max(0, match.start() - 1):match.start()]
    chinese = not number[0].isdigit()
    ranged = _range_low(match, norm) is not None and unit != "年"  # 2—3家
    if before in ("第", "+", "-", "—", "~", "/", "：") and not chinese and not ranged or \
            (before.isascii() and before.isalnum()):
        return None
    skipped = after.startswith(SKIP_AFTER) and not unit and not _scale_reached(match, norm)
    if skipped or (unit == "年" and re.fullmatch(r"(19|20)\d{2}", number)):
        return None
    if not unit and not magnitude or _a_name(match, norm):
        return None
    value = _number(number)
    if value is None:
        return None
    if chinese and (value <= 1 or not (unit or magnitude) or unit in ("年", "名", "位")):
        return None  # 一个, 两年 and the like are words, not figures
    if unit == "年" and (value > 200 or after.startswith(("前", "后", "来", "以来", "间"))):
        return None  # 10年前, 10年以来: a distance in time, not a figure
    if unit and magnitude[-1:] + unit in units:  # 千万台 in 万台 (wan-units), where the graph has that unit
        factor = {"千万": 1000, "百万": 100, "十万": 10}.get(magnitude, 1)
        return value * factor, units[magnitude[-1:] + unit]
    found = _unit(value, magnitude, unit, norm, match.start())
    return _counted(found, match, norm, units) if found is not None else None


def _counted(found: tuple[Decimal, str], match: re.Match, norm: str, units: dict[str, str]) -> tuple[Decimal, str]:
    """A count the graph has a unit for: 5个千亿级产业集群 in clusters, 49台 in units (the curators' own units)."""
    value, vocab = found
    if vocab != "items" or not units:
        return found
    if match.group("unit") in units:
        return value, units[match.group("unit")]
    counted = re.split(r"[,;:。!?、]", norm[match.end():match.end() + 12], maxsplit=1)[0]
    for noun in sorted(units, key=len, reverse=True):
        if len(noun) >= 2 and noun in counted:
            return value, units[noun]
    return found


def _scale_reached(match: re.Match, norm: str) -> bool:
    """突破百亿级, 将达100亿级规模: a scale reached is a figure (五大百亿级产业集群, a class of clusters, is not)."""
    if match.group("mag") != "亿" or norm[match.end():match.end() + 1] != "级" or match.group("unit"):
        return False
    return match.group("pre") in ("突破", "达", "达到", "超过", "超") or norm[match.end():match.end() + 3] == "级规模"


def _a_name(match: re.Match, norm: str) -> bool:
    """Numbers that are part of a name, not a figure: “四个一”, “五大百亿”, 五个千亿级产业集群 (a class of clusters),
    唯一一个 (not 11)."""
    quote = re.search(r"[“「]([^”」]{0,10})[”」]", norm[max(0, match.start() - 10):match.end() + 10])
    if quote and match.group(0) in quote.group(1):
        return True
    if _scale_reached(match, norm):
        return False
    if match.group("mag") == "亿" and match.group("num") in ("百", "千") and (
            norm[match.end():match.end() + 1] in ("级", "产") or norm[max(0, match.start() - 1):match.start()] == "大"):
        return True
    return norm[max(0, match.start() - 1):match.start()] == "唯"


def _number(text: str) -> Decimal | None:
    text = text.replace(",", "")
    try:
        if text[0].isdigit():
            return Decimal(text)
        if text in ("十", "百", "千"):  # 突破千万: cn2an wants a digit before a bare unit
            return Decimal({"十": 10, "百": 100, "千": 1000}[text])
        return Decimal(str(cn2an.cn2an(text, "smart")))
    except (InvalidOperation, ValueError, KeyError, IndexError):
        return None


def _unit(value: Decimal, magnitude: str, unit: str, norm: str, at: int) -> tuple[Decimal, str] | None:
    money = any(word in norm[max(0, at - 30):at + 12] for word in MONEY_WORDS)
    if magnitude in ("千万", "百万", "十万"):
        value *= {"千万": 1000, "百万": 100, "十万": 10}[magnitude]
        magnitude = "万"
    if unit == "亿元/年":
        return value, "yi-yuan-per-year"
    if unit == "元" or (not unit and money and magnitude in ("亿", "万")):
        return value, {"亿": "yi-yuan", "万": "wan-yuan", "": "yuan"}[magnitude]
    if magnitude == "亿":
        return (value, "yi-yuan") if not unit or unit in ("元",) else None
    if magnitude == "万":
        if unit and unit not in ("人", "名", "亩", "平方米"):
            return None
        return value, {"人": "wan-persons", "名": "wan-persons", "亩": "wan-mu", "平方米": "wan-sqm", "": "wan"}[unit]
    table = {"家": "firms", "个项目": "projects", "个": "items", "项": "items", "亩": "mu", "平方米": "sqm",
             "万平方米": "wan-sqm", "平方公里": "sqkm", "公里": "km", "%": "percent", "人": "persons", "名": "persons",
             "倍": "times", "条": "lines", "户": "households", "年": "years", "个月": "months", "车次": "trips",
             "台": "items", "座": "items", "件": "items", "款": "items", "支": "items", "种": "items", "吨": "tonnes-per-day",
             "位": "rank"}
    if unit not in table:
        return None
    vocab = table[unit]
    counted = re.split(r"[,;:。!?、]", norm[at:at + 16], maxsplit=1)[0]  # 20多个重庆小面品牌企业: what is counted
    if vocab == "items" and ("项目" in norm[max(0, at - 8):at + 6] or "项目" in counted):
        vocab = "projects"
    elif vocab == "items" and re.search(r"企业|公司", counted):
        vocab = "firms"
    return value, vocab


def _qualifier(match: re.Match) -> str | None:
    for group in ("pre", "post", "post2", "tail"):
        word = match.groupdict().get(group)
        if word in QUALIFIERS:
            return QUALIFIERS[word]
    return None


def _figure(sentence: Sentence, i: int, j: int, value: Decimal, unit: str, qualifier: str | None, whens, mentions,
            article: dates.ArticleDate, context: dict, next_id, measure: str | None = None,
            in_year: int | None = None) -> Figure:
    norm = sentence.norm
    clause_start = max(norm.rfind(p, 0, i) for p in "，；：,;") + 1
    before = norm[clause_start:i]
    when = _when_for(whens, i, _clause_end(norm, i))
    measure = measure or _measure(before, unit, norm[max(0, i - 25):i])
    status = "actual"
    if (when and when.target) or any(w in before or w in norm[:i][-20:] for w in TARGET_WORDS if w != "到20") or \
            re.search(r"到20\d\d", norm[:i]):
        status = "target"
    elif any(w in norm[max(0, i - 25):i] for w in FORECAST_WORDS):
        status = "forecast"
    elif qualifier in ("约", "近"):
        status = "estimate"
    if when is None:
        year, period, start, end = context.get("year") or article.year, "point-in-time", None, None
        label = ""
    else:
        year, period, start, end, label = when.year, when.period, when.period_start, when.period_end, when.label
        if status == "target":
            period, start, end = "target-year", None, None
    if in_year is not None:  # one of the years 连续三年 covers
        year, period, start, end, label = in_year, "full-year", f"{in_year}-01-01", f"{in_year}-12-31", str(in_year)
    if status != "target" and period == "full-year" and unit not in ("percent",) and measure in (
            "firm-count", "project-count", "employee-count", "talent-count", "area", "land-area", "floor-area"):
        period = "point-in-time" if "累计" not in before else "cumulative"
    if "累计" in before and status == "actual":
        period = "cumulative"
    subject = _subject(mentions, sentence, i, context)
    a, b = sentence.span(i, j)
    confidence = 0.8 if when else 0.6
    return Figure(next_id("f"), sentence.index, a, b, norm[i:j], _printed(value), unit, measure, subject, year, period,
                  start, end, label or ("目前" if when is None else ""), status, qualifier, confidence)


def _when_for(whens, i: int, clause_end: int):
    """The time expression governing a figure: the last one before it (or around it: 近5年时间), else the first one
    after it in its clause (全区企业总数达119家，2020年营业收入55亿元: 2020 dates the revenue, not the count)."""
    before = [w for w in whens if w.start <= i]
    if before:
        return before[-1]
    after = [w for w in whens if i < w.start < clause_end]
    return after[0] if after else None


def _clause_end(norm: str, i: int) -> int:
    ends = [k for k in (norm.find(p, i) for p in ",;:。!?") if k >= 0]
    return min(ends, default=len(norm))


def _measure(before: str, unit: str, window: str) -> str:
    best, best_at = None, -1
    for word, measure in MEASURE_WORDS:
        at = window.rfind(word)
        if at > best_at or (at == best_at and best is not None and len(word) > len(best[0])):
            best, best_at = (word, measure), at
    if unit == "percent":
        if best and best[1] in ("growth-rate", "share", "satisfaction-rate", "green-coverage", "efficiency-change",
                                "time-reduction"):
            return best[1]
        return "share"
    if best is not None and _compatible(best[1], unit):
        return best[1]
    return MEASURE_BY_UNIT.get(unit, "count")


def _compatible(measure: str, unit: str) -> bool:
    money = unit in ("yi-yuan", "wan-yuan", "yuan", "yi-yuan-per-year")
    money_measures = {"revenue", "output-value", "industrial-output-value", "industrial-value-added", "gdp",
                      "fixed-asset-investment", "rd-investment", "investment", "contract-value", "funds-in-place",
                      "order-value", "loan-amount", "credit-amount", "fund-size", "trade-volume", "fiscal-revenue",
                      "industry-scale"}
    if money:
        return measure in money_measures
    if measure in money_measures or measure in ("growth-rate", "share"):
        return False
    if unit in ("firms",):
        return measure in ("firm-count", "new-market-entities")
    if unit == "projects":  # 四川星河电子科技股份有限公司等8个项目: the 公司 of a listed name counts no firms
        return measure == "project-count"
    if unit in ("mu", "wan-mu", "sqm", "wan-sqm", "sqkm"):
        return measure in ("land-area", "floor-area", "area", "park-area-per-capita")
    return True


# Words that name the subject again: 该公司 is the firm named before, 园区 the park, 该区 the district.
SUBJECT_ANAPHORS = [(re.compile(r"该公司|公司的|公司(?=年|营|产|已|员工)|企业的"), ("Company",)),
                    (re.compile(r"该园|园区|其中|该基地"), ("IndustrialPark", "Building", "Incubator", "MakerSpace")),
                    (re.compile(r"该区|全区|区内"), ("District",))]


MEASURE_AFTER = re.compile(r"(?:总)?(?:产值|营收|营业收入|销售收入|主营业务收入|规模|增加值|税收)")


def _subject(mentions: list[Mention], sentence: Sentence, i: int, context: dict) -> str | None:
    """Whose figure this is: the entity an anaphor before it in its clause refers to (该公司 after a park's name is
    the company named last, not the park), else the nearest mention before it (organisations, clusters, chains,
    parks, projects first; not the place a firm's name opens with, nor a policy measure), else the paragraph's last subject.
    A name written right before the measure (智能装备产业产值) comes first."""
    at = sentence.offsets[i]
    clause = sentence.norm[max(sentence.norm.rfind(p, 0, i) for p in ",;:。") + 1:i]
    for pattern, kinds in SUBJECT_ANAPHORS:
        if pattern.search(clause):
            earlier = [m for m in mentions if m.end <= at and m.kind in kinds] or \
                [m for m in context.get("seen", []) if m.kind in kinds]
            if earlier:
                return _remember(context, earlier[-1])
    before = [m for m in mentions if m.end <= at and m.kind not in ("Person",) and m.confidence >= 0.35 and
              not _home_of_a_name(m, mentions)]
    # 智能装备产业产值突破300亿元: a trade named right before the measure is whose figure it is (a known sector,
    # 规上工业增加值, qualifies the measure of the place's figure instead)
    measured = [m for m in mentions if m.end <= at and m.kind == "Industry" and m.iri is None and
                m.name.endswith("产业") and MEASURE_AFTER.match(sentence.norm, _norm_end(sentence, m))
                and not re.search(r"[,;:。]", sentence.norm[_norm_end(sentence, m):i])]
    if measured:
        return _remember(context, measured[-1])
    listed = [m for m in before if "等" in sentence.norm[_norm_end(sentence, m):i][:2] or
              sentence.norm[_norm_end(sentence, m):_norm_end(sentence, m) + 1] == "、"]
    before = [m for m in before if m not in listed]  # 中元汇吉、迪安诊断等650家企业: a count of the set, not theirs
    preferred = [m for m in before if m.kind not in ("Industry", "Country", "Municipality", "PolicyDocument",
                                                     "PolicyMeasure")]  # 实施产业链招商，引进配套企业21家: the district's
    chosen = (preferred or before or [None])[-1]
    if chosen is not None:
        return _remember(context, chosen)
    rest = re.split(r"[,;:。]", sentence.norm[i:], maxsplit=1)[0]
    if re.search(r"其中|于此|园区", rest) and context.get("carrier") is not None:  # 650家企业入驻其中
        return _remember(context, context["carrier"])
    topic = context.get("cluster")  # a heading 大数据智能化产业 over 2021年签约项目24个…
    if topic is not None and topic[1] == sentence.paragraph - 1 and topic[2]:
        return _remember(context, topic[0])
    return context.get("subject")


HOMES = ("Place", "City", "Municipality", "Province", "Country", "AdministrativeArea", "District")


def _home_of_a_name(mention: Mention, mentions: list[Mention]) -> bool:
    """四川 in 四川星河电子科技股份有限公司: the place a firm's name opens with is no subject of the firm's figures."""
    return mention.kind in HOMES and any(o.start == mention.start and o.end > mention.end and o.confidence >= 0.35
                                         and o.kind not in HOMES + ("Industry",) for o in mentions)


def own_subjects(found: list[Figure], mentions: list[Mention], short_names: list[Mention]) -> None:
    """其中，宏锐精工将建设年产5万台…: a short name found after the sentences were read is the subject of a figure
    after it in its sentence, where the figure had only the paragraph's earlier subject."""
    sentence_of = {m.id: m.sentence for m in mentions}
    for figure in found:
        if figure.subject is not None and sentence_of.get(figure.subject) == figure.sentence:
            continue
        before = [m for m in short_names if m.sentence == figure.sentence and m.end <= figure.start]
        if before:
            figure.subject = before[-1].id


def _norm_end(sentence: Sentence, mention: Mention) -> int:
    return sentence.at(mention.end)


def _remember(context: dict, mention: Mention) -> str:
    context["subject"] = mention.id
    return mention.id


def _printed(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return text if "." in text else text + ".0"
