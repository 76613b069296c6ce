"""The article as text: refuse what is not an article (binary, HTML, huge, mixed scripts), then split it into
sentences with their character offsets in the text as given.

Newspaper texts break lines inside sentences, so a single line break is not a boundary; a blank line, 。！？；
and their closing quotes are. Each sentence keeps its verbatim text (line breaks between Chinese characters
dropped, as the curated quotes do) and a normalised twin for matching (simplified script, half-width, case-folded,
no white space) with the offset of every normalised character in the original text. No matching happens here.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

import opencc

SENTENCE_END = "。！？；!?"
CLOSERS = "”’」』）)\"'"
HTML_TAG = re.compile(r"</?(html|head|body|div|p|span|script|style|table|tr|td|br|a|img|meta|link)\b[^>]*>", re.I)
CJK = re.compile(r"[\u3400-\u9fff]")


class IngestError(ValueError):
    """Text that cannot be ingested; the message says why in one line a person can act on. Nothing is loaded."""


@cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s.json")


@cache
def _s2t() -> opencc.OpenCC:
    return opencc.OpenCC("s2t.json")


def to_simplified(text: str) -> str:
    return _t2s().convert(text)


def to_traditional(text: str) -> str:
    return _s2t().convert(text)


def decode(data: bytes | str, *, max_chars: int) -> str:
    """The article's text, or IngestError: not UTF-8, binary, markup, too long, no Chinese, or mixed scripts.

    >>> decode("大渡口区今年引进企业20家。", max_chars=1000)
    '大渡口区今年引进企业20家。'
    >>> decode(b"\\x00\\x01PK", max_chars=1000)
    Traceback (most recent call last):
    ...
    chainkg.graph.ingest.sentences.IngestError: this is binary data, not an article's text (NUL bytes): paste or upload plain UTF-8 text
    """
    if isinstance(data, bytes):
        if b"\x00" in data:
            raise IngestError("this is binary data, not an article's text (NUL bytes): paste or upload plain UTF-8 text")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise IngestError(f"the text is not UTF-8 (byte {error.start}): save it as UTF-8 and try again") from None
    text = data.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > max_chars:
        raise IngestError(f"the text has {len(text):,} characters, more than the {max_chars:,} one article may have "
                          "(setting ingest_max_chars): split it")
    controls = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") and c not in "\n\t")
    if "\x00" in text or controls > max(3, len(text) // 200):
        raise IngestError(f"the text holds {controls} control or invisible characters: this looks like binary data")
    tags = len(HTML_TAG.findall(text))
    if tags >= 3:
        raise IngestError(f"the text is HTML ({tags} tags): paste the article's words, not the page's source")
    if len(CJK.findall(text)) < 10:
        raise IngestError("the text has (almost) no Chinese characters: chainkg ingests Chinese articles")
    script_of(text)  # raises on a mixture
    return text


def script_of(text: str) -> str:
    """zh-Hans or zh-Hant, by which conversion changes more characters; a real mixture is refused.

    >>> script_of("重慶大渡口區工業總產值")
    'zh-Hant'
    >>> script_of("重庆大渡口区工业总产值")
    'zh-Hans'
    """
    chars = "".join(CJK.findall(text))
    traditional = sum(1 for a, b in zip(chars, to_simplified(chars)) if a != b)
    simplified = sum(1 for a, b in zip(chars, to_traditional(chars)) if a != b)
    mixed = min(traditional, simplified)
    if mixed >= 8 and mixed > 0.25 * max(traditional, simplified):
        raise IngestError(f"the text mixes simplified ({simplified} characters) and traditional script "
                          f"({traditional}): convert it to one script first")
    return "zh-Hant" if traditional > simplified else "zh-Hans"


# ---------------------------------------------------------------------------------------------------- sentences
@dataclass
class Sentence:
    """One sentence: verbatim `text`, its span [start, end) in the article, and `norm` for matching, whose i-th
    character comes from the article's character `offsets[i]`."""

    index: int
    start: int
    end: int
    text: str
    norm: str
    offsets: list[int] = field(repr=False)
    paragraph: int = 0

    def at(self, offset: int) -> int:
        """The normalised index of the article's character `offset` (or of the first one after it: white space has
        none); len(norm) past the sentence's end."""
        return bisect.bisect_left(self.offsets, offset)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Article offsets of the normalised characters [i, j)."""
        return self.offsets[i], self.offsets[j - 1] + 1

    def original(self, i: int, j: int, article: str) -> str:
        """The article's own characters for the normalised span [i, j), white space dropped."""
        start, end = self.span(i, j)
        return re.sub(r"\s+", "", article[start:end])


def split(text: str) -> list[Sentence]:
    """Sentences of the article in reading order (headings and captions are sentences too).

    >>> [s.text for s in split("2023年，营收124.2亿\\n元。同比增长0.5%；\\n\\n标题")]
    ['2023年，营收124.2亿元。', '同比增长0.5%；', '标题']
    """
    sentences: list[Sentence] = []
    for paragraph, (start, end) in enumerate(_paragraphs(text)):
        for s, e in _sentence_spans(text, start, end):
            sentence = _make(text, s, e, len(sentences), paragraph)
            if sentence is not None:
                sentences.append(sentence)
    return sentences


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Blank-line separated paragraphs, except where the blank line is only layout: narrow newspaper columns put
    a blank line after every few characters, even inside a word (跳出钢铁谋产 / 业。)."""
    spans, start = [], 0
    for blank in re.finditer(r"\n[ \t\u3000]*\n\s*", text):
        spans.append((start, blank.start()))
        start = blank.end()
    spans.append((start, len(text)))
    merged = [spans[0]]
    for span in spans[1:]:
        if _continues(text[merged[-1][0]:merged[-1][1]], text[span[0]:span[1]]):
            merged[-1] = (merged[-1][0], span[1])
        else:
            merged.append(span)
    return [part for span in merged for part in _apart_from_byline(text, *span)]


ROLE = r"(?:本报记者|特约记者|记者|通讯员|实习生)"
BYLINE_LINE = re.compile(rf"^[ \t\u3000]*{ROLE}[ \t\u3000]*[\u4e00-\u9fff]{{2,4}}"
                         rf"(?:[ \t\u3000、]+(?:{ROLE}[ \t\u3000]*)?[\u4e00-\u9fff]{{2,4}})*[ \t\u3000]*$", re.M)


def _apart_from_byline(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A pasted article often puts headline, byline and first paragraph on lines of their own without a blank line
    between them: a line that is only a byline (本报记者 张明 通讯员 李华) ends what stands above it, a headline,
    and is a sentence of its own. Lines that merely begin with 记者 (记者从区经信委获悉，…) are prose."""
    byline = BYLINE_LINE.search(text, start, end)
    if byline is None:
        return [(start, end)]
    parts = [(start, byline.start()), (byline.start(), byline.end())] + _apart_from_byline(text, byline.end(), end)
    return [(a, b) for a, b in parts if text[a:b].strip()]


CONTINUING = "，、：—"
CAPTION = re.compile(r"摄\s*/|供图|^#")


def _continues(before: str, after: str) -> bool:
    """Does the paragraph `after` finish the sentence `before` broke off? Only when `before` stops mid-sentence
    (a character or a comma, not a full stop), neither is a caption or a heading, and either `before` is prose
    (it has punctuation inside), or the break cuts a word in two, or `after` opens with a fragment of ≤ 4
    characters before its first punctuation that is not a date (a heading above 7月5日，… stays a heading).

    >>> _continues("口区努力克服产业", "转型阵痛，坚持绿色")
    True
    >>> _continues("大数据智能化产业", "2021 年签约项目 24个，实")
    False
    """
    before, after = before.strip(), after.strip()
    if not before or not after or CAPTION.search(before) or CAPTION.search(after):
        return False
    last = before[-1]
    if not (last in CONTINUING or CJK.match(last) or last.isascii() and last.isalnum()):
        return False
    if any(c in before[:-1] for c in "，、；：。"):
        return True
    fragment = re.split(r"[，、；：。！？]", re.sub(r"\s+", "", after), maxsplit=1)
    if len(fragment) > 1 and len(fragment[0]) <= 4 and not re.search(r"[\d年月日]", fragment[0]):
        return True
    return _cuts_a_word(re.sub(r"\s+", "", before)[-4:], re.sub(r"\s+", "", after)[:4])


def _cuts_a_word(left: str, right: str) -> bool:
    from chainkg.graph.ingest.entities import tokens

    at = 0
    for start, end, _, _ in tokens(normalise(left + right)):
        if start < len(left) < end:
            return True
        at = end
    return False


OPEN_QUOTES, CLOSE_QUOTES = "“「『", "”」』"
LONGEST_QUOTE = 400


def _sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence ends inside a paragraph. A quoted utterance is not cut at its inner full stops (the curators quote
    speech whole): no break inside “…” unless the quote runs on for more than LONGEST_QUOTE characters (an
    unbalanced quotation mark); a quote ending in 。” ends its sentence."""
    spans, i, begin = [], start, start
    while i < end:
        if text[i] in OPEN_QUOTES:
            close = _closing_quote(text, i, end)
            if close is not None:
                i = close + 1
                if text[close - 1] in SENTENCE_END and (i >= end or text[i] not in SENTENCE_END):
                    spans.append((begin, i))
                    begin = i
                continue
        if text[i] in SENTENCE_END:
            j = i + 1
            while j < end and (text[j] in CLOSERS or text[j] in SENTENCE_END):
                j += 1
            spans.append((begin, j))
            begin = i = j
            continue
        i += 1
    spans.append((begin, end))
    return spans


def _closing_quote(text: str, at: int, end: int) -> int | None:
    """The offset of the quotation mark that closes the one opened at `at`, or None when there is none near."""
    depth = 0
    for k in range(at, min(end, at + LONGEST_QUOTE)):
        if text[k] in OPEN_QUOTES:
            depth += 1
        elif text[k] in CLOSE_QUOTES:
            depth -= 1
            if depth == 0:
                return k
    return None


def _make(text: str, start: int, end: int, index: int, paragraph: int) -> Sentence | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start >= end:
        return None
    raw = text[start:end]
    verbatim = re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", raw)
    verbatim = re.sub(r"\s+", " ", verbatim)
    norm, offsets = normalise_with_offsets(raw, start)
    if not norm:
        return None
    return Sentence(index, start, end, verbatim, norm, offsets, paragraph)


def normalise_with_offsets(raw: str, base: int = 0) -> tuple[str, list[int]]:
    """`normalise(raw)` and, for each of its characters, the offset of the character it came from."""
    kept = [(base + i, c) for i, c in enumerate(raw) if not c.isspace()]
    chars = "".join(c for _, c in kept)
    converted = normalise(chars)
    if len(converted) != len(chars):  # a conversion changed the length: go character by character
        converted = "".join(_char(c) for c in chars)
    return converted, [i for i, _ in kept]


def normalise(text: str) -> str:
    """The form text and names are matched in: simplified, half-width, case-folded, no white space; one character
    for one character, so offsets carry over.

    >>> normalise("中元匯吉（ＩＶＤ） 產業鏈")
    '中元汇吉(ivd)产业链'
    """
    text = "".join(c for c in text if not c.isspace())
    out = "".join(_char(c) for c in to_simplified(text))
    return out if len(out) == len(text) else "".join(_char(c) for c in text)


@cache
def _char(c: str) -> str:
    simple = to_simplified(c)
    c = simple if len(simple) == 1 else c
    folded = unicodedata.normalize("NFKC", c).casefold()
    return folded if len(folded) == 1 else c
