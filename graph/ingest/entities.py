"""Entity mentions of a sentence: known entities from the gazetteer, and new ones found by name patterns — a name
ending in a typed suffix (…有限公司 a company, …产业园 a park, …项目 a project, …研究院 an institute), a title in
《》 (a policy document), a person beside a job title or a photo credit — typed by the ontology's classes.

The left edge of a new name is found with jieba's segmentation: tokens are taken leftwards from the suffix until a
function word, a common governing verb, a number or punctuation. Known names inside a new name stay mentions of
their own. No graph access here: the gazetteer is passed in.
"""

from __future__ import annotations

import re
import warnings
from functools import cache

from chainkg.graph.ingest.candidates import KNOWN, NAME_PATTERN, Mention
from chainkg.graph.ingest.gazetteer import Gazetteer
from chainkg.graph.ingest.sentences import Sentence

# Suffix → class (local names of ontology/chainkg.ttl), longest first; tests check every class exists.
SUFFIX_CLASSES: list[tuple[str, str]] = sorted([
    ("股份有限公司", "Company"), ("有限责任公司", "Company"), ("有限公司", "Company"), ("集团", "Company"),
    ("公司", "Company"), ("光电", "Company"), ("电器", "Company"), ("物流", "Company"), ("生物", "Company"),
    ("诊断", "Company"), ("检验", "Company"), ("医疗", "Company"), ("动力", "Company"), ("新材", "Company"),
    ("研究院", "ResearchInstitute"), ("研究所", "ResearchInstitute"), ("实验室", "ResearchInstitute"),
    ("技术中心", "ResearchInstitute"), ("检验所", "ResearchInstitute"), ("研发中心", "ResearchInstitute"),
    ("大学", "University"), ("学院", "University"),
    ("产业园", "IndustrialPark"), ("工业园", "IndustrialPark"), ("科技园", "IndustrialPark"), ("生物城", "IndustrialPark"),
    ("数码城", "IndustrialPark"), ("云谷", "IndustrialPark"), ("智慧谷", "IndustrialPark"), ("物流基地", "IndustrialPark"),
    ("产业基地", "IndustrialPark"), ("示范基地", "IndustrialPark"), ("经济园区", "IndustrialPark"), ("拓展园", "IndustrialPark"),
    ("号楼", "Building"), ("大楼", "Building"), ("大厦", "Building"),
    ("孵化器", "Incubator"), ("孵化中心", "Incubator"), ("加速器", "Incubator"), ("创业苗圃", "Incubator"),
    ("孵化机构", "Incubator"), ("众创空间", "MakerSpace"), ("创客中心", "MakerSpace"), ("生态圈", "InnovationEcosystem"),
    ("生态体系", "InnovationEcosystem"), ("集群", "IndustryCluster"),
    ("生产基地", "Facility"), ("基地", "Facility"), ("工厂", "Facility"), ("生产线", "Facility"), ("仓储区", "Facility"),
    ("路演厅", "Facility"), ("广场", "Facility"), ("运营中心", "Platform"), ("创新中心", "Platform"),
    ("招商中心", "ServiceCenter"), ("医院", "Facility"), ("算力中心", "Facility"),
    ("物流中心", "Facility"), ("分拣中心", "Facility"), ("监管中心", "Facility"), ("商业中心", "Facility"),
    ("服务中心", "ServiceCenter"), ("平台", "Platform"), ("基金", "InvestmentFund"), ("专项资金", "InvestmentFund"),
    ("联盟", "Alliance"), ("协会", "Alliance"), ("商会", "Alliance"), ("联合体", "Alliance"),
    ("天使投资", "InvestmentFund"), ("扶持计划", "PolicyMeasure"), ("加速计划", "PolicyMeasure"),
    ("人民政府", "GovernmentBody"), ("政府", "GovernmentBody"), ("政法系统", "GovernmentBody"),
    ("融媒体中心", "FormalOrganization"), ("工作报告", "PolicyDocument"), ("委员会", "GovernmentBody"), ("经信委", "GovernmentBody"),
    ("管委会", "GovernmentBody"), ("区委", "GovernmentBody"), ("市委", "GovernmentBody"), ("县委", "GovernmentBody"),
    ("卫计委", "GovernmentBody"), ("卫健委", "GovernmentBody"), ("商务委", "GovernmentBody"), ("办公厅", "GovernmentBody"), ("发展办", "GovernmentBody"), ("发改委", "GovernmentBody"),
    ("项目", "Project"), ("产业集群", "IndustryCluster"), ("产业链", "IndustryChain"), ("全产业链", "IndustryChain"),
    ("产业", "Industry"), ("行业", "Industry"), ("服务业", "Industry"), ("制造业", "Industry"), ("经济", "Industry"),
    ("改革", "PolicyMeasure"), ("机制", "PolicyMeasure"), ("制度", "PolicyMeasure"), ("战略", "PolicyMeasure"),
    ("试点", "PolicyMeasure"), ("举措", "PolicyMeasure"), ("政策", "PolicyMeasure"), ("服务模式", "PolicyMeasure"),
    ("理念", "PolicyMeasure"), ("新发展格局", "PolicyMeasure"), ("工程", "PolicyMeasure"), ("产业体系", "PolicyMeasure"),
    ("长制", "PolicyMeasure"), ("信用贷", "PolicyMeasure"), ("担保贷", "PolicyMeasure"), ("营商环境", "PolicyMeasure"),
    ("一期", "Project"), ("二期", "Project"), ("三期", "Project"), ("四期", "Project"), ("扩能", "Project"),
    ("产业化", "Project"), ("生鲜仓", "Project"),
    ("高新区", "PlanningArea"), ("科学城", "PlanningArea"), ("核心区", "PlanningArea"), ("拓展区", "PlanningArea"),
    ("主城区", "PlanningArea"), ("中心城区", "PlanningArea"), ("都市区", "PlanningArea"), ("新城", "PlanningArea"), ("半岛", "PlanningArea"),
    ("示范区", "PlanningArea"), ("上游地区", "PlanningArea"), ("经济圈", "PlanningArea"), ("画廊", "PlanningArea"),
    ("物流业", "Industry"), ("冷链物流", "Industry"),
    ("医疗器械", "Industry"), ("器械", "Industry"), ("设备", "Industry"), ("器具", "Industry"), ("软件", "Industry"),
    ("诊疗", "Industry"), ("医疗系统", "Industry"),
], key=lambda pair: -len(pair[0]))
# Suffixes that are also ordinary words: the name needs a distinctive core before them.
WEAK_SUFFIXES = {"设备", "软件", "诊疗", "集群", "生物", "诊断", "检验", "医疗", "动力", "光电", "物流", "公司", "平台", "基地", "产业", "行业", "项目", "新城",
                 "一期", "二期", "三期", "四期", "扩能", "产业化", "核心区", "拓展区",
                 "集团", "电器", "新材", "产业链", "经济", "改革", "机制", "制度", "战略", "试点", "举措", "政策", "理念",
                 "工程", "服务业", "制造业"}
CONFIDENCE = {"Company": 0.6, "Industry": 0.3, "Project": 0.5, "PolicyMeasure": 0.4, "Place": 0.5}
# Tokens a name never starts with or crosses: function words and the verbs that govern names in these articles
# (also as jieba glues an adverb onto them: 紧紧围绕, 充分利用, 大力发展).
STOP_WORDS = set("""
在 与 和 及 以 由 为 是 将 把 对 从 向 于 及其 以及 还 并 也 都 其 该 这 那 此 已 即 又 就 被 让 使 给 同 跟 或 等 的 了 着 过
推动 获得 引进 引入 入驻 落户 进驻 聚集 集聚 云集 汇聚 汇集 吸引 支持 包括 不乏 打造 建设 成立 组建 设立 依托 围绕 加快 正式 成功 积极 实现
完成 形成 培育 推进 带动 签约 签订 签署 开展 拥有 成为 作为 建成 投用 投产 开工 启动 发布 出台 印发 获批 获评 认定 举办
召开 提供 专注 位于 来自 共同 共建 携手 集中 相继 先后 陆续 全力 大力 持续 进一步 深入 加强 强化 提升 发挥 聚焦
发展 做强 做优 做大 做精 壮大 补齐 完善 构建 搭建 一批 一个 多家 这些 各类 相关 重点 主要 首个 首家 全市 全区 全国
我市 该区 区内 市内 国内 目前 如今 今年 去年 其中 同时 此外 另外 未来 下一步 接下来 记者 获 有 达 超 近 约 居 占 新增
引育 招引 培养 拓展 加大 落地 建 设 入 迁入 迁 入孵 扩能 促建 包含 涵盖 涉及 中 内 上 下 里 外 后 前 间 以来 负责人
介绍 表示 说 称 指出 认为 透视 参与 合作 共 旗下 子公司 叫 名为 简称 以下简称 开设 引导 主导 一栋 首批 一家
纳入 全域 加入 融入 挂牌 走进 迈入 进入 推出 建立 布局 承接 抓住 借助 利用 依靠 面向 对接 服务于 致力于 专注于
落实 贯彻 秉承 坚持 践行 抢抓
紧紧围绕 充分利用 积极探索 大力发展 探索 面对 意味着 地处 确立 走出 离不开 跨 丰富 谋 变为 夯实 打好 重构 深耕 举行 举办
好
""".split())
STOP_FLAGS = ("p", "c", "u", "d", "r", "y", "e", "o", "q", "mq", "t", "f", "x", "w", "ad", "vd", "uj", "ul", "zg", "i")
TITLES = ("总经理", "董事长", "副总经理", "总裁", "主任", "区长", "市长", "书记", "局长", "院长", "联合创始人", "创始人",
          "负责人", "首席执行官", "经理", "秘书长", "会长", "教授", "博士", "岁的")
SPEECH = ("说", "表示", "告诉", "称", "讲道", "介绍", "如是说", "指出", "认为", "透露", "坦言", "，", "、", ",", "在")
PHOTO_CREDIT = re.compile(r"摄/([\u4e00-\u9fff]{2,3})")
TITLE_IN_BOOK = re.compile(r"《([^《》]{2,60})》")


@cache
def _jieba():
    """jieba's part-of-speech tokenizer, its dictionary loaded once (it ships in the package; nothing downloads).
    jieba 0.42 imports pkg_resources, which warns on recent setuptools: that warning is jieba's, not ours."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
        import jieba.posseg
    jieba.setLogLevel(60)
    jieba.initialize()
    for word, flag in MISSING_WORDS:  # 重庆|经|开区, (外|包|服务平台) otherwise: a name would lose its first character
        jieba.add_word(word, tag=flag)
    return jieba.posseg


# The local zones by their class, and words of names, that jieba's dictionary lacks.
LOCAL_ZONES = ("经开区", "高新区")
MISSING_WORDS = [(zone, "ns") for zone in LOCAL_ZONES] + [("外包", "vn")]


def jieba_dictionary() -> dict[str, int]:
    """Word frequencies of jieba's dictionary."""
    return _jieba().dt.FREQ if hasattr(_jieba(), "dt") else __import__("jieba").dt.FREQ


def tokens(norm: str) -> list[tuple[int, int, str, str]]:
    """jieba's words of a normalised sentence with their spans and part-of-speech tags."""
    out, at = [], 0
    for word, flag in _jieba().cut(norm, HMM=True):
        out.append((at, at + len(word), word, flag))
        at += len(word)
    return out


def mentions(sentence: Sentence, article: str, gazetteer: Gazetteer, next_id) -> list[Mention]:
    """Known and new entity mentions of one sentence, in reading order."""
    hits = gazetteer.find(sentence.norm)
    known = [_known(sentence, article, hit, next_id) for hit in hits]
    words = tokens(sentence.norm)
    spans = [(_after_leading_place(words, hit.start, hit.end) if hit.entities[0].kind in FIRM_KINDS else hit.start,
              hit.end) for hit in hits]
    places = [(h.start, h.end) for h in hits if h.entities[0].kind in OWNING_PLACES]
    new = _titles(sentence, article, next_id) + _suffixed(sentence, article, words, spans, places, next_id)
    new += _closed_sets(sentence, article, next_id) + _regions(sentence, article, known, next_id)
    new += _listed_on_exchange(sentence, article, words, next_id)
    new += _people(sentence, article, words, next_id) + _byline(sentence, article, next_id)
    new += _listed(sentence, article, words, known, new, next_id)
    new += _leaders(sentence, article, known + new, next_id)
    new += _settlers(sentence, article, known + new, next_id)
    new += _chain_links(sentence, article, known + new, next_id)
    new += _quoted_terms(sentence, article, known + new, next_id)
    new += _focus(sentence, article, known + new, next_id)
    new += _measures(sentence, article, known + new, next_id)
    new += _single_trades(sentence, article, words, known + new, next_id)
    new += _led_trades(sentence, article, known + new, next_id)
    new += _places(sentence, article, words, spans + [_after_home_place(words, _norm_span(sentence, m)) for m in new],
                   next_id)
    new += _owners(sentence, article, new, next_id) + _latin_brands(sentence, article, words, next_id)
    new += _trades_of_groups(sentence, article, words, known + new, next_id)
    taken = {(m.start, m.end) for m in known}
    unique: dict[tuple[int, int], Mention] = {}
    for mention in new:
        if (mention.start, mention.end) in taken or _known_with_a_verb(mention, known):
            continue
        if mention.name in gazetteer.names:
            known += _known_overlapped(sentence, article, mention, gazetteer, hits, next_id)
            continue
        unique.setdefault((mention.start, mention.end), mention)
    longer = list(unique.values())
    known = [k for k in known if not _inside_a_longer_name(k, longer)]
    return sorted(known + longer, key=lambda m: (m.start, -m.end))


FIRM_KINDS = {"Company", "University", "ResearchInstitute", "FormalOrganization"}


def _known_overlapped(sentence: Sentence, article: str, mention: Mention, gazetteer: Gazetteer, hits,
                      next_id) -> list[Mention]:
    """重庆市政府 in 重庆市政府工作报告: the gazetteer's leftmost-longest match took 政府工作报告, passing over a known
    name the suffix rules found; that name is the known entity. Not inside a known name (中元 inside 中元汇吉)."""
    i = sentence.at(mention.start)
    j = i + len(mention.name)
    if sentence.norm[i:j] != mention.name or any(h.start <= i and j <= h.end for h in hits):
        return []
    return [_known(sentence, article, gazetteer.hit(i, j, mention.name), next_id)]


def _inside_a_longer_name(known: Mention, longer: list[Mention]) -> bool:
    """An abbreviation inside a longer new name is part of it (a short name inside a new firm's full name), and so
    is a trade inside a firm's name (机械 in 重庆宏锐精工机械有限公司) or inside a listed trade (物流 in 物流托盘)."""
    def covers(m: Mention) -> bool:
        return m.start <= known.start and known.end <= m.end and m.end - m.start > known.end - known.start
    return any(covers(m) and (known.how == "abbreviation" or known.kind == m.kind == "Industry" and m.how == "list item"
                              or known.kind == "Industry" and m.kind in FIRM_KINDS) for m in longer)



def _after_leading_place(words, start: int, end: int) -> int:
    """昆山|金聚, 莫斯科|国立…音乐学院: the city a firm's name opens with is a place of its own."""
    first = next((w for w in words if w[0] == start), None)
    return first[1] if first and first[3] == "ns" and len(first[2]) >= 2 and first[1] < end - 1 else start


def _norm_span(sentence: Sentence, mention: Mention) -> tuple[int, int]:
    start = sentence.at(mention.start)
    return start, start + len(mention.name)


def _after_home_place(words, span: tuple[int, int]) -> tuple[int, int]:
    """A place may open a longer new name (浙江 in 浙江春风动力股份有限公司, 昆山 in 昆山金聚): it is a place of its own."""
    start, end = span
    return (_after_leading_place(words, start, end), end) if end - start >= 4 else span


def _known_with_a_verb(mention: Mention, known: list[Mention]) -> bool:
    """挂牌重庆市小面产业园: a new name that is a known name with words before it is the known name — unless those
    words are a known place whose own it is (重庆市|政府工作报告 is the city's report, not any report)."""
    def owned(k: Mention) -> bool:
        return any(p.kind in OWNING_PLACES and p.start == mention.start and p.end == k.start for p in known)
    if mention.how == "list item" and mention.kind == "Industry":
        return False  # 冷链物流 in 进口冷链食品、冷链物流企业: a list's commas bound the trade, 物流 is inside it
    return any(k.end == mention.end and k.start > mention.start and not owned(k) and
               (k.kind == mention.kind or mention.how.startswith("suffix") and mention.how[7:] in k.name)
               for k in known)


def _known(sentence: Sentence, article: str, hit, next_id) -> Mention:
    entity = hit.entities[0]
    start, end = sentence.span(hit.start, hit.end)
    confidence = 0.9 if entity.how == "label" else 0.6
    if len(hit.entities) > 1:
        confidence -= 0.2
    name = sentence.norm[hit.start:hit.end]
    return Mention(next_id("m"), sentence.index, start, end, sentence.original(hit.start, hit.end, article), name,
                   entity.kind, entity.iri, KNOWN, round(confidence, 2), entity.how)


def _new(sentence: Sentence, article: str, i: int, j: int, kind: str, how: str, confidence: float, next_id,
         name: str | None = None) -> Mention:
    start, end = sentence.span(i, j)
    written = sentence.original(i, j, article)
    return Mention(next_id("m"), sentence.index, start, end, written, name or sentence.norm[i:j], kind, None,
                   NAME_PATTERN, confidence, how)


CHONGQING_DISTRICTS = (r"(?:渝中|大渡口|沙坪坝|九龙坡|(?<![长江])南岸(?!边|线)|北碚|渝北|巴南|万州|涪陵|黔江|江津|合川|"
                       r"永川|南川|綦江|璧山|铜梁|潼南|荣昌|开州|梁平|武隆|城口|丰都|垫江|云阳|奉节|巫溪|石柱|秀山|酉阳|"
                       r"彭水|(?<!长)江北(?!岸)|长寿(?=区)|大足(?=区))")
# Closed sets an article names without a suffix that says what they are: (pattern, class, how, confidence). Each is a
# short, well-known list (the stock exchanges, the national programmes the State Council names, the bodies of the
# world, the statistical sectors of the yearbooks), so matching them by name is safe where a general rule is not.
CLOSED_SETS: list[tuple[re.Pattern, str, str, float]] = [
    # stock exchanges and their boards, named where a firm lists (在深交所创业板上市)
    (re.compile(r"深交所|上交所|港交所|北交所|纽交所|联交所|(?:深圳|上海|北京|香港|纽约)证券交易所|纳斯达克|"
                r"(?<!新)创业板|科创板|新三板"), "FormalOrganization", "stock exchange", 0.7),
    # national programmes and slogans, with the 建设/战略 the articles add where the name runs on; a district's
    # "Nth entrepreneurship" and a province's cooperation with Chongqing (浙渝合作) are programmes of the same kind
    (re.compile(r"一带一路|西部大开发(?:战略)?|高质量发展|新发展理念|新发展格局|双循环|内陆开放高地(?:建设)?|"
                r"国际消费中心城市(?:建设)?|招商引资|以商招商|营商环境|乡村振兴(?:战略)?|共同富裕|放管服|专精特新|"
                r"碳达峰|碳中和|大众创业、?万众创新|第[一二三四五]次创业|[京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼川蜀贵黔"
                r"云滇藏陕秦甘陇青宁新港澳台]渝合作"), "PolicyMeasure", "national policy term", 0.4),
    # parties and international bodies (中共中央 is the party's centre, a body of its own)
    (re.compile(r"中国共产党|中共(?!中央)|欧盟|东盟|联合国|世贸组织|世界贸易组织|世界卫生组织|世卫组织"),
     "FormalOrganization", "well-known body", 0.6),
    # the world as a market (全球化 is a process, 世界一流 a grade)
    (re.compile(r"全世界|全球(?!化)|世界(?=第|最|前列|范围|各地)"), "Place", "the world", 0.4),
    # Chongqing's districts and counties by their short names (南岸长嘉汇, 渝中朝天门); those that are everyday words
    # as well (长寿, 江北 in 长江北岸, 南岸 a river's bank) only with 区/县 or where nothing says "river"
    (re.compile(CHONGQING_DISTRICTS + "(?:区|县|自治县)?(?!城区)"), "District", "Chongqing district", 0.5),
    (re.compile(CHONGQING_DISTRICTS + "(?:区)?城区"), "Place", "a district's town", 0.5),  # 巴南城区
    # the large cities a university's name opens with (上海|交通大学, 莫斯科|国立柴可夫斯基音乐学院), which jieba
    # keeps inside one word or tags as a person
    (re.compile(r"(?:北京|上海|天津)(?=[^,;:。!?、]{0,12}(?:大学|学院))"), "Municipality", "large city", 0.4),
    (re.compile(r"(?:深圳|广州|成都|武汉|杭州|南京|西安|苏州|香港|澳门|台北|莫斯科|伦敦|纽约|东京|首尔|新加坡|巴黎|柏林)"
                r"(?=[^,;:。!?、]{0,12}(?:大学|学院))"), "City", "large city", 0.4),
    # the national pilots a place is designated (被确定为全国城区老工业区搬迁改造试点区)
    (re.compile(r"(?:(?<=确定为|认定为|批准为|命名为)|(?<=列为|评为))(?:全国|国家级?)[^,;:。!?、()\s]{2,24}?试点(?:区|城市|县)?"),
     "PolicyMeasure", "designation", 0.4),
    # the local high-tech and development zones, named by their class alone (推动高新区建桥园创新发展)
    # (after a verb or a pause: 重庆高新区 is the suffix rule's)
    (re.compile(r"(?:(?<![\u4e00-\u9fff])|(?<=推动|纳入|位于|落户|入驻|依托|融入|加入|建设))(?:" + "|".join(LOCAL_ZONES) + ")"),
     "PlanningArea", "the local zone", 0.4),
    # the statistical sectors yearbooks and work reports count figures of
    (re.compile(r"规上工业|规模以上工业|高技术制造业|战略性新兴制造业|战略性新兴产业|第[一二三]产业|"
                r"工业(?=总产值|产值|投资|增加值|用电)"), "Industry",
     "statistical sector", 0.5),
]


EXCHANGE_AFTER = re.compile(r"(?:在|于|登陆)(?:深交所|上交所|港交所|北交所|纽交所|联交所|纳斯达克|"
                            r"(?:深圳|上海|北京|香港|纽约)证券交易所)")


def _listed_on_exchange(sentence: Sentence, article: str, words, next_id) -> list[Mention]:
    """推动国际复材在深交所创业板成功上市: what lists on an exchange is a firm, whatever its name ends in."""
    out = []
    for match in EXCHANGE_AFTER.finditer(sentence.norm):
        start = _left_edge(words, match.start(), sentence.norm)
        if 2 <= match.start() - start <= 10 and _good_core(sentence.norm[start:match.start()], ""):
            out.append(_new(sentence, article, start, match.start(), "Company", "listed on an exchange", 0.5, next_id))
    return out


def _closed_sets(sentence: Sentence, article: str, next_id) -> list[Mention]:
    """深交所, 一带一路, 欧盟, 全球, 规上工业: names of the closed sets above, typed by their set."""
    return [_new(sentence, article, m.start(), m.end(), kind, how, confidence, next_id)
            for pattern, kind, how, confidence in CLOSED_SETS for m in pattern.finditer(sentence.norm)]


# China's macro-regions, a closed set jieba tags as directions (西部 f) or organisations (中西部 nt).
REGION = re.compile(r"(?:中国)?(?:中西部|西部|东部|中部|东北|西北|西南|华南|华东|华北|华中|长三角|珠三角|京津冀)"
                    r"(?![\u4e00-\u9fff]{0,2}(?:\([^()]{1,4}\))?(?:科学城|大开发|中心|城|部))")


def _regions(sentence: Sentence, article: str, known: list[Mention], next_id) -> list[Mention]:
    """中国中西部, 西部 (not inside a longer name: 西部科学城, 西部生物医药创新中心, nor 西部大开发)."""
    out = []
    for match in REGION.finditer(sentence.norm):
        a, b = sentence.span(*match.span())
        if any(m.start <= a and b <= m.end for m in known):
            continue
        out.append(_new(sentence, article, match.start(), match.end(), "PlanningArea", "region", 0.5, next_id))
    return out


def _titles(sentence: Sentence, article: str, next_id) -> list[Mention]:
    return [_new(sentence, article, m.start(1), m.end(1), "PolicyDocument", "《》 title", 0.8, next_id)
            for m in TITLE_IN_BOOK.finditer(sentence.norm)]


def _suffixed(sentence: Sentence, article: str, words, known: list[tuple[int, int]], places: list[tuple[int, int]],
              next_id) -> list[Mention]:
    """Names ending in a typed suffix, extended leftwards over name-like tokens (a body named for a place from the
    last known place in it: 重庆移动互联网产业园|大渡口经信委)."""
    found = []
    norm = sentence.norm
    ends = {e for _, e, _, _ in words}
    for suffix, kind in SUFFIX_CLASSES:
        for match in re.finditer(re.escape(suffix), norm):
            end = match.end()
            if end not in ends or any(i < end < j and i < match.start() for i, j in known):
                continue  # (a known name that starts with the suffix word is no reason: 重庆市政府|工作报告)
            if kind in ("Industry",) and norm[end:end + 2] in ("集群", "园区", "链", "基地"):
                continue
            if kind == "Industry" and norm[:match.start()].endswith(("地区", "区", "市", "省", "县", "圈")):
                continue  # 长江上游地区|经济、金融…中心: a place's economy is no industry's name
            if suffix == "项目" and (_unquoted(norm[:match.start()]).endswith(PROJECT_CLASSES) or
                                   re.match(r"\d+个", norm[end:])):  # 实施智能化改造项目152个: counted, a class
                continue  # 重庆市重点项目, 重庆小面产业项目: a class of projects, not one project's name
            if suffix in WEAK_SUFFIXES and kind == "Company" and (norm[end:end + 2] in ("企业", "产业", "行业", "领域")
                                                                  or norm[end:].startswith(ACTIVITIES + PRODUCTS)):
                continue  # 精准医疗企业, 植入生物材料: the suffix word describes a trade here, it does not end a name
            start = _over_quoted(words, _left_edge(words, match.start(), norm), norm)
            clause = list(CLAUSE_INSIDE.finditer(norm, start, match.start()))
            if clause:  # 精准医疗企业|迪威纳生物科技有限公司: the name begins after the clause word
                start = clause[-1].end()
            if kind in PLACE_NAMED:
                start = max([start] + [i for i, j in places if start < i and j <= match.start()])
            if suffix in PART_SUFFIXES:
                start = _whole_known(norm, match.start(), known, start)
            core = _unquoted(norm[start:match.start()])
            measure = MEASURE_WORD.match(core)
            if measure and norm[start - 1:start].isdigit():  # 年产5万台|精密数控机床生产基地: the figure's unit
                start, core = start + measure.end(), core[measure.end():]
            if norm[start - 1:start] == "、" and re.search(r"[\d一二三四五六七八九十两]+[大个类项]", core):
                continue  # 智能装备、生物医药三大主导产业: a list's last item and the class it makes, no name
            counted = re.match(r"[\d一二三四五六七八九十两]+个", core)
            if counted and kind == "IndustryCluster" and suffix == "产业集群":  # 6个|生物医药产业集群(项目)
                start, core = start + counted.end(), core[counted.end():]
            own_body = kind == "GovernmentBody" and core in ("市", "区", "县", "省")  # 市政府, 市卫计委
            if not (_good_core(core, suffix) or own_body) or kind == "Industry" and core[:1].isdigit():  # 49台…设备
                continue
            confidence = CONFIDENCE.get(kind, 0.7) - (0.2 if suffix in WEAK_SUFFIXES else 0.0)
            found.append(_new(sentence, article, start, end, kind, f"suffix {suffix}", round(confidence, 2), next_id,
                              name=_unquoted(norm[start:end])))
    # the longest name wins where suffixes nest (…科技园 inside …科技园项目)
    found.sort(key=lambda m: -(m.end - m.start))
    kept: list[Mention] = []
    for mention in found:
        if not any(m.start <= mention.start and mention.end <= m.end and not _opens_name(mention, m) for m in kept):
            kept.append(mention)
    return kept


OPENING_ORGANISATIONS = ("大学", "学院", "研究院", "研究所", "有限公司", "有限责任公司", "集团", "政府", "人民政府")
# Bodies named for the place they serve: the name begins at the last known place in it (one of OWNING_PLACES, the
# kinds of place whose own a body or a report named after them is).
PLACE_NAMED = {"GovernmentBody", "FormalOrganization"}
OWNING_PLACES = {"District", "City", "Municipality", "AdministrativeArea", "Country"}


def _opens_name(inner: Mention, outer: Mention) -> bool:
    """上海交通大学|重庆国际生物城数字医学联合技术中心, 重庆市政府|工作报告: a university, institute, firm or
    government that opens a longer name of another kind is named there too (the centre, the report is its); so is
    the whole a part is named by (…示范区|核心区, 重庆总部基地|5号楼)."""
    return inner.start == outer.start and inner.end < outer.end and (
        inner.kind != outer.kind and inner.how[7:] in OPENING_ORGANISATIONS or outer.how[7:] in PART_SUFFIXES)


# Suffixes that name a part of a whole named before them: a phase, a core zone, a building.
PART_SUFFIXES = ("一期", "二期", "三期", "四期", "核心区", "拓展区", "号楼")


def _whole_known(norm: str, part_start: int, known: list[tuple[int, int]], start: int) -> int:
    """重庆大渡口园区风貌|重庆天安数码城|一期: a part's name begins at the known whole right before it (before the
    building's number: 重庆天安数码城|5号楼), whatever the words before that."""
    number = re.search(r"[\dA-Za-z一二三四五六七八九十]*$", norm[:part_start])
    wholes = [i for i, j in known if j == part_start - len(number.group()) and i >= start]
    return min(wholes, default=start)


OPENING, CLOSING = "“「‘", "”」’"
PROJECT_CLASSES = ("重点", "示范", "试点", "招商", "产业", "在建", "重大", "签约", "开工", "领域")


def _over_quoted(words, start: int, norm: str) -> int:
    """“芯屏器核网”全产业链, 医疗器械“放管服”服务中心, 京东“重庆亚洲一号”电商产业园: a coined term in quotation marks
    before the suffix is part of the name, and so are the name-like words before it."""
    if start < 1 or norm[start - 1] not in CLOSING:
        return start
    opening = max(norm.rfind(q, max(0, start - 14), start - 1) for q in OPENING)
    if opening < 0 or re.search(r"[,;:。!?、]", norm[opening:start]):
        return start
    for s, e, word, flag in reversed(words):  # before the quote only nouns: 驱动“数智”产业 is 数智产业
        if e > opening:
            continue
        if e < opening or not flag.startswith(("n", "eng")) or word in STOP_WORDS or opening - s > 8:
            break
        opening = s
    return opening


def _unquoted(text: str) -> str:
    return "".join(c for c in text if c not in OPENING + CLOSING)


def _left_edge(words, suffix_start: int, norm: str, *, strict: bool = False) -> int:
    """Where a name ending at the suffix begins: the start of the leftmost acceptable token before it (`strict`:
    a list item, which no verb begins)."""
    start = suffix_start
    index = next((k for k, (s, e, _, _) in enumerate(words) if s <= suffix_start < e), None)
    if index is None:
        return start
    s0 = words[index][0]
    if s0 < suffix_start:  # the suffix starts inside a token: that token's head belongs to the name
        start = s0
    k = index - 1
    while k >= 0:
        s, e, word, flag = words[k]
        opening = next((j for j in range(k - 1, max(k - 4, -1), -1) if words[j][2] == "("), None)
        if word == ")" and opening is not None and \
                re.fullmatch("[\u4e00-\u9fff]{2,6}", "".join(w[2] for w in words[opening + 1:k])):
            start, k = words[opening][0], opening - 1  # 重庆国际分拨(公路)海关监管中心, ivd(体外诊断)生物科技园:
            # a short gloss inside a name
            if k >= 0 and words[k][3] == "f" and re.fullmatch("[东南西北中]+部", words[k][2]):
                start, k = words[k][0], k - 1  # 西部(重庆)科学城: a region the gloss narrows
            continue
        if _shattered(words, k, start):
            start = s
            k -= 1
            continue
        if _name_piece(words, k, index, norm, suffix_start):
            start = s
            k -= 1
            continue
        if word in STOP_WORDS or flag.startswith(STOP_FLAGS) and flag != "eng" and word != "现代" or _punct(word) or \
                suffix_start - s > 24 or \
                word in ("年", "月", "日") or re.search(r"\d[年月日]$", word):  # 2016年11月|重庆国际分拨…
            if len(word) == 2 and word[0] in "以在与和对向从于由" and "\u4e00" <= word[1] <= "\u9fff" and \
                    word not in STOP_WORDS and flag == "f":
                start = s + 1  # jieba glues the preposition on: 以北|大医疗 is 以|北大医疗
            break
        ordinal = re.fullmatch("第[一二三四五六七八九十百]+", word)
        valence = k + 1 < len(words) and words[k + 1][2].startswith("价")  # 九价|宫颈癌疫苗: a vaccine's valence
        # 大渡口|百亿|纤维复合材料产业园: a park's size is in its name after its place (not 五大|百亿|产业集群, a count)
        magnitude = word in ("百亿", "千亿", "万亿") and k > 0 and words[k - 1][3] in ("n", "ns", "nz", "nt")
        if flag == "m" and (re.fullmatch(NUMERAL, word) or ordinal) and not word.isascii() and not valence and \
                not magnitude:  # 十家…;
            break                                                                  # 5号楼, 三峰集团, 红九九 do not
        if flag.startswith("v") and len(word) >= 2 and k == index - 1 and word in STOP_WORDS:
            break
        if strict and flag in ("v", "vg", "vd") and k < index - 1 and word not in TRADE_VERBS:  # 不乏|三峰集团, but 镜头制造 ends in a verb
            break
        start = s
        k -= 1
    return _without_leading_verb(words, start, suffix_start)


def _name_piece(words, k: int, index: int, norm: str, suffix_start: int) -> bool:
    """Words that stop most names but are pieces of some: 发展 right before a firm's or a strategy's suffix (重庆小面
    产业发展|集团, 五大功能区域发展|战略), a phase (园区|三期|项目), a stretch of a chain (纤维复合材料|下游|应用孵化
    机构), a macro-region opening a name (建设|西部|生物医药创新中心). (A gloss in brackets is _left_edge's own.)"""
    word, flag = words[k][2], words[k][3]
    if word in ("发展", "建设", "投资", "开发") and k == index - 1:
        return norm.startswith(("集团", "有限公司", "有限责任公司", "股份有限公司", "公司", "战略", "规划"), suffix_start)
    if re.fullmatch("[一二三四五六七八九十]期", word) or word in ("上游", "中游", "下游"):
        return True
    if flag == "f" and word in ("西部", "东部", "中部", "西南", "西北") and k + 1 < len(words):
        return words[k + 1][3] not in ("x", "w", "uj")
    return False


NUMERAL = r"[\d.,%一二三四五六七八九十百千万亿两零〇几多余]+"
MEASURE_WORD = re.compile(r"[万亿千百]?(?:台|吨|件|套|辆|平方米|亩|千瓦|片|颗|条)")


def _shattered(words, k: int, start: int) -> bool:
    """Is the one-character function word at `k` a piece of a name jieba does not know? 重庆|京|因|生物科技有限责任
    公司 (因 between two single characters of a name), 、都|创|药物研发服务平台 (都 right after a list comma, before a
    single character the name already holds). A function word between two words is left alone."""
    s, e, word, flag = words[k]
    if len(word) != 1 or flag not in ("c", "p", "d", "q") or word in JOINING:  # (渝|台|公司: q)
        return False
    first = next((w for w in words if w[0] == start), None)
    if first is None or first[0] != e:
        return False
    before = words[k - 1] if k > 0 else None
    if before and len(before[2]) == 1 and before[3] in NAME_PIECES and before[2] not in STOP_WORDS:
        return True  # 京|因|生物…
    return len(first[2]) == 1 and flag == "d" and before is not None and before[2] in ("、", ",")


JOINING = set("和与及或等的了在从向对为以把被将")
NAME_PIECES = ("j", "n", "nr", "nrt", "nrfg", "ns", "nz", "b", "g", "ng")


def _without_leading_verb(words, start: int, suffix_start: int) -> int:
    """走进重庆天安数码城5号楼, 挂牌重庆市小面产业园: a verb heading the name governs it and is not part of it — but
    not a trade jieba tags as a verb (节能环保服务产业集群)."""
    for s, e, word, flag in words:
        if s == start and flag == "v" and len(word) == 2 and e < suffix_start and word not in TRADE_VERBS:
            return e
    return start


TRADE_VERBS = ("节能", "储能", "养老", "养生", "制药", "仿制")  # 重庆市|仿制|药一致性评价中心


def _punct(word: str) -> bool:
    return all(not (c.isalnum() or "\u4e00" <= c <= "\u9fff") for c in word)


def _good_core(core: str, suffix: str) -> bool:
    """Is `core` the distinctive part of a name? Not a function word, a count (4大产业集群), a clause (做优做强以…),
    and before a suffix that is also an everyday word (…项目, …公司) not an everyday word itself (上市公司, 招商项目)."""
    numbered = suffix in ("战略", "规划") and len(core) >= 6  # 五大功能区域发展|战略: a strategy counts its parts
    if len(core) < 2 or core in STOP_WORDS or re.fullmatch(r"[\d.%]+", core) or \
            re.match(r"[\d一二三四五六七八九十两]+[大个家类项条]", core) and not numbered or \
            re.search(r"[\d一二三四五六七八九十两]+大$", core):  # …检测中心四大|平台: N major …, a class
        return False
    if CLAUSE_INSIDE.search(core):
        return False
    if suffix in WEAK_SUFFIXES and (len(core) < 2 or core.endswith(("的", "和", "与")) or
                                    len(core) == 2 and jieba_dictionary().get(core, 0) > 500):
        return False
    return not core.startswith(("等", "的", "和", "与", "及", "起", "了", "着"))


CLAUSE_INSIDE = re.compile(r"以|进行|打通|拉长|做优|做强|做大|企业(?=.)|实现|通过")


def _people(sentence: Sentence, article: str, words, next_id) -> list[Mention]:
    """Persons: a name after a job title and before a verb of saying, and photo credits (摄/李显彦)."""
    found = []
    norm = sentence.norm
    for match in PHOTO_CREDIT.finditer(norm):
        found.append(_new(sentence, article, match.start(1), match.end(1), "Person", "photo credit", 0.7, next_id))
    for title in TITLES:
        for match in re.finditer(re.escape(title) + r"([\u4e00-\u9fff]{2,3}?)(?=" + "|".join(SPEECH) + ")", norm):
            if match.group(1) in STOP_WORDS or match.group(1).startswith(SPEECH[:11]):
                continue  # 负责人表示，…: the verb of saying is no name
            found.append(_new(sentence, article, match.start(1), match.end(1), "Person", f"after {title}", 0.6, next_id))
    return found


BYLINE_ROLE = re.compile(r"^(?:本报记者|特约记者|记者|通讯员|实习生)")


def _byline(sentence: Sentence, article: str, next_id) -> list[Mention]:
    """王祥明 杨涛 本报记者 左朝胜: a line of nothing but two- and three-character names, space-separated (a reporter's
    role before one), is the article's byline, and each name a person."""
    raw = article[sentence.start:sentence.end]
    names = []
    for chunk in re.finditer(r"\S+", raw):
        name = BYLINE_ROLE.sub("", chunk.group(0))
        if name:
            names.append((chunk.end() - len(name), name))
    if not names or not (len(names) >= 2 or BYLINE_ROLE.search(raw.strip())) or \
            not all(re.fullmatch("[\u4e00-\u9fff]{2,3}", name) for _, name in names):
        return []
    out = []
    for at, name in names:
        i = sentence.offsets.index(sentence.start + at)
        out.append(_new(sentence, article, i, i + len(name), "Person", "byline", 0.6, next_id))
    return out


# ---------------------------------------------------------------------------------------------------- lists
# The noun a list of names ends in (…等10余家企业, …等产业) says what its items are.
LIST_HEADS: list[tuple[str, str]] = [
    ("企业", "Company"), ("公司", "Company"), ("龙头", "Company"), ("品牌", "Company"), ("产业集群", "Industry"),
    ("产业", "Industry"), ("行业", "Industry"), ("领域", "Industry"), ("业态", "Industry"), ("方向", "Industry"),
    ("产品", "Industry"), ("药物", "Drug"), ("新药", "Drug"), ("疫苗", "Drug"), ("平台", "Platform"), ("载体", "IndustrialPark"), ("园区", "IndustrialPark"),
    ("基金", "InvestmentFund"), ("项目", "Project"), ("国家", "Country"), ("城市", "City"), ("高校", "University"),
    ("机构", "FormalOrganization"),
]
# Items ending in an activity are industries or chain links, not firms, whatever the list's head says.
ACTIVITIES = ("制造", "设计", "生产", "研发", "服务", "系统", "材料", "设备", "检测", "加工", "销售", "治理", "处理",
              "修复", "监测", "器械", "医药", "旅游", "健身", "创意", "金融", "物流", "电商", "软件", "通讯", "器具")
# What a trade makes: 生物材料, 医疗器件 are trades, so 生物 or 医疗 before them ends no firm's name.
PRODUCTS = ("器件", "芯片", "试剂", "药物", "产品", "装备", "仪器")
LIST_ITEM = r"(?:[“「][^,;:。!?、“”「」]{1,12}[”」])?[^,.;:!?…—，。；：、！？“”「」《》()（）\s]{2,18}"  # normalised text;
# an item may open with a coined term in quotation marks: “智慧监管”农贸市场
LIST = re.compile(rf"(?:{LIST_ITEM}、)+(?:{LIST_ITEM}?(?:和|及|以及|与))?{LIST_ITEM}")


def _listed(sentence: Sentence, article: str, words, known: list[Mention], found: list[Mention],
            next_id) -> list[Mention]:
    """Names in an enumeration (A、B、C等…企业): typed by the noun the list ends in, else by the kind most of its
    already recognised items have; items that are known or already found stay as they are."""
    norm = sentence.norm
    out: list[Mention] = []
    recognised = known + found
    for match in LIST.finditer(norm):
        items = _items(norm, match, words)
        if len(items) < 2:
            continue
        items[0] = _after_opening_name(sentence, items[0], recognised)
        kind = _list_kind(norm, items, recognised, sentence) or _list_of_places(norm, items, words)
        if kind is None:
            continue
        if kind == "Industry" and any(norm[i:j].endswith(DRUG_ENDINGS) for i, j in items) and \
                re.match(r"等?[^,;:。]{0,6}产品", norm[items[-1][1]:]):
            kind = "Drug"  # 九价、四价宫颈癌疫苗、利拉鲁肽注射液等7个产品: products that are medicines
        for i, j in items:
            if kind == "Project":
                _as_projects(sentence, i, j, found)
            item_kind = "Industry" if kind == "Company" and norm[i:j].endswith(ACTIVITIES) else kind
            if item_kind == "Industry" and norm[i:j].endswith("企业") and j - i > 4:
                j -= 2  # 冷链物流企业和现代服务业企业: the firms of a trade name the trade
            if _nested(sentence, i, j, recognised) and not (item_kind == "Industry" and
                                                            _around_trades(sentence, i, j, recognised)):
                continue
            if not _good_core(norm[i:j], "") or norm[i:j] in STOP_WORDS:
                continue
            out.append(_new(sentence, article, i, j, item_kind, "list item", 0.4, next_id,
                            name=_unquoted(norm[i:j])))
    return out


# What a medicine's name ends in: a list of products with one such item lists medicines (schema:Drug).
DRUG_ENDINGS = ("疫苗", "注射液", "胰岛素", "胶囊", "口服液", "滴眼液", "单抗", "抗体", "颗粒", "片剂", "制剂")


def _after_opening_name(sentence: Sentence, item: tuple[int, int], recognised: list[Mention]) -> tuple[int, int]:
    """重庆国际生物城|九价HPV疫苗、长效胰岛素…: a name already found that opens the first item is the sentence's
    topic, not part of the item."""
    i, j = item
    ends = [b for a, b in (_norm_span(sentence, m) for m in recognised if m.kind in CARRIER_KINDS) if a == i]
    longest = max(ends, default=j)
    return (longest, j) if longest <= j - 2 else item


CARRIER_KINDS = {"IndustrialPark", "InnovationEcosystem", "Incubator", "MakerSpace", "Building", "District", "City",
                 "PlanningArea", "Municipality", "Place"}


GEOGRAPHIC = ("山", "江", "河", "湖", "岛", "峡", "溪")


def _list_of_places(norm: str, items, words) -> str | None:
    """(中梁山、铜锣山), (长江、嘉陵江): a list whose items all end like mountains and rivers, or that holds a place
    name jieba knows among such items, lists places."""
    place_words = {(s, e) for s, e, _, flag in words if flag == "ns"}
    if all(norm[i:j].endswith(GEOGRAPHIC) or (i, j) in place_words for i, j in items) and \
            any(norm[i:j].endswith(GEOGRAPHIC) for i, j in items):
        return "Place"
    return None


def _as_projects(sentence: Sentence, i: int, j: int, found: list[Mention]) -> None:
    """珂蓝大健康产业基地、中南高科重庆大健康智慧谷等在建项目: a list that says its items are projects makes a new
    park or facility name among them a project (the base being built), whatever its suffix says."""
    a, b = sentence.span(i, j)
    for mention in found:
        if mention.iri is None and (mention.start, mention.end) == (a, b) and len(mention.name) >= 6 and \
                mention.kind in ("IndustrialPark", "Facility"):  # 智能工厂、数字化车间等…项目: classes stay
            mention.kind = "Project"


def _items(norm: str, match: re.Match, words) -> list[tuple[int, int]]:
    """The items' spans: split at 、 (和/及/与 before the last), the first cut at its left edge, the last before 等."""
    spans, start = [], match.start()
    text = match.group(0)
    closing = text.find("等", text.rfind("、") + 1)  # A、B等全国和重庆知名…机构: the list ends at 等
    text = text[:closing] if closing > 0 else text
    for sep in re.finditer(r"、|以及|和|及|与", text):
        if sep.group(0) != "、" and "、" in text[sep.end():] and not _joined_names(text, sep):
            continue
        spans.append((start, match.start() + sep.start()))
        start = match.start() + sep.end()
    spans.append((start, match.end()))
    first_end = spans[0][1]
    first_start = max(spans[0][0], _left_edge(words, first_end, norm, strict=True))
    if match.start() > 0 and norm[match.start() - 1] in "(（":  # 两山(中梁山、铜锣山): the bracket bounds the item
        first_start = spans[0][0]
    quoted = _over_quoted(words, first_start, norm)  # 先后建立“互联网+特种设备”管理云平台、…
    first_start = quoted if quoted >= spans[0][0] and norm[quoted:quoted + 1] in OPENING else first_start
    if norm[first_start] in "起了着于" and first_end - first_start > 3:  # 聚集起|惠科金渝, 聚集于|云计算: jieba glues
        # the particle on
        first_start += 1
    spans[0] = (first_start, first_end)
    last_start, last_end = spans[-1]
    cut = re.search(r"等|为(?:主|代表|载体|核心|龙头|骨干|重点|特色|引领)|在内|的|这|作为|相关|"
                    r"[0-9一二三四五六七八九十两]+[余多]?(?:家|个|大|类|种)",
                    norm[last_start:last_end])
    if cut:
        last_end = last_start + cut.start()
    elif norm[last_end:last_end + 1] not in ")）":  # (…、北斗导航应用众创空间): the bracket bounds the item
        last_end = _right_edge(words, last_start, last_end)
    spans[-1] = (last_start, last_end)
    return [(i, j) for i, j in spans if 2 <= j - i <= 18]


def _joined_names(text: str, sep: re.Match) -> bool:
    """一格创客坊和新戈创业培训机构 inside a list: 和 joins two names of four characters or more (not 研发和生产)."""
    before = text[max(text.rfind("、", 0, sep.start()) + 1, 0):sep.start()]
    after = re.split(r"、", text[sep.end():])[0]
    return sep.group(0) == "和" and len(before) >= 4 and len(after) >= 4


def _right_edge(words, start: int, end: int) -> int:
    """The last item of a list without 等 ends where its first token that cannot be part of a name starts."""
    for s, e, word, flag in words:
        if s <= start:
            continue
        if s >= end:
            break
        if word in STOP_WORDS or flag.startswith(("v", "p", "u", "d", "c")) and flag not in ("vn",):
            return s
    return end


LIST_ENDS = ("等", "为主", "为代表", "在内", "相关", "各类", "类", "为特色", "为重点", "为方向")


def _list_kind(norm: str, items, recognised: list[Mention], sentence: Sentence) -> str | None:
    bracketed = _bracket_head(norm[:items[0][0]])
    if bracketed:
        return bracketed
    after = norm[items[-1][1]:items[-1][1] + 24]
    if re.match(r"等?为代表的[^,;:。]*(?:集群|产业|行业)", after):
        return "Company"  # 以京东、顺丰等为代表的电子商务产业集群: a cluster's exemplars are its firms
    if re.match(r"等?[0-9一二三四五六七八九十两]+[个大][^,;:。、]{0,6}(?:产业)?集群", after):
        return "IndustryCluster"  # 生物医药、商贸物流…五个千亿级产业集群: counted, the items are the clusters
    if after.startswith(LIST_ENDS) or re.match(r"[0-9一二三四五六七八九十两]+(?:家|个|大)", after):
        phrase = re.split(r"[,;:。!?、]", after)[0]
        head = max(((phrase.rfind(word) + len(word), kind) for word, kind in LIST_HEADS if word in phrase),
                   default=None)
        if head is not None:
            return head[1]
    kinds = [m.kind for i, j in items for m in recognised
             if sentence.span(i, j)[0] <= m.start and m.end <= sentence.span(i, j)[1]]
    if len(kinds) * 2 >= len(items) and kinds:
        best = max(sorted(set(kinds)), key=kinds.count)
        return "Industry" if best in ("IndustryCluster", "IndustryChain", "ChainSegment") else best
    trades = sum(bool(TRADE_ENDING.search(norm[i:j])) for i, j in items)
    if trades >= 2 and trades * 3 >= len(items) * 2:
        return "Industry"  # 信息服务业、环保产业和现代服务业; 节能环保、信息制造、文化…: items that name trades
    return None


# How the name of a trade ends (not 企业, 创业, 就业: firms and jobs).
TRADE_ENDING = re.compile(r"(?<![企创就毕职专学])业$|(?:制造|旅游|环保|软件|物流|医药|电商|商务|零售|批发)$")


def _bracket_head(before: str) -> str | None:
    """3个主题孵化器(亚马逊AWS联合孵化器、…), 4大新兴产业集群(节能环保、精准医疗、…): a list in brackets spells out the
    noun before them, which types its items (a cluster's items are its trades)."""
    if not before.endswith(("(", "（")):
        return None
    head = before[:-1]
    kind = next((k for suffix, k in SUFFIX_CLASSES if head.endswith(suffix)), None) or \
        next((k for word, k in LIST_HEADS if head.endswith(word)), None)
    return "Industry" if kind in ("IndustryCluster", "IndustryChain") else kind


def _around_trades(sentence: Sentence, i: int, j: int, recognised: list[Mention]) -> bool:
    """物流托盘 in 绿色建筑、物流托盘、新能源汽车材料: an item of a list of trades that holds a shorter trade's name
    (物流) is a trade of its own, not that one."""
    a, b = sentence.span(i, j)
    inside = [m for m in recognised if a <= m.start and m.end <= b]
    return bool(inside) and all(m.kind == "Industry" and m.end - m.start < b - a for m in inside) and \
        not any(m.start <= a and b <= m.end for m in recognised)


def _nested(sentence: Sentence, i: int, j: int, recognised: list[Mention]) -> bool:
    """Is the normalised span [i, j) inside a name already found, or around one? Then it is not a new name."""
    a, b = sentence.span(i, j)
    return any(m.start <= a and b <= m.end or a <= m.start and m.end <= b for m in recognised)


def _inside(sentence: Sentence, i: int, j: int, recognised: list[Mention]) -> bool:
    a, b = sentence.span(i, j)
    return any(m.start <= a and b <= m.end for m in recognised)


LEADER = re.compile(r"以[“「]?(?P<name>[^,;:。!?、“”「」()\s]{2,8}?)[”」]?(?:为[“「]?(?:龙头|骨干|核心企业|链主)|"
                    r"等?为代表的[^,;:。]{0,8}(?:集群|产业))")


def _leaders(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    """以德润环境为龙头, 以中元汇吉为骨干: what leads a cluster or chain is a firm, whatever its name ends in."""
    out = []
    for match in LEADER.finditer(sentence.norm):
        i, j = match.span("name")
        if _nested(sentence, i, j, recognised) or not _good_core(match.group("name"), ""):
            continue
        out.append(_new(sentence, article, i, j, "Company", "以…为龙头", 0.6, next_id))
    return out


SETTLER = re.compile(r"(?:^|[,;:。])(?P<name>[\u4e00-\u9fff]{2,8}?)(?:正式|成功|已|将)?(?:入驻|落户|进驻)")


def _settlers(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    """，无锡蕾明视康正式入驻重庆国际生物城: what opens a clause and settles in a park is a firm, whatever its name
    ends in."""
    out = []
    for match in SETTLER.finditer(sentence.norm):
        i, j = match.span("name")
        words = tokens(match.group("name"))
        if _nested(sentence, i, j, recognised) or not _good_core(match.group("name"), "") or \
                any(w in STOP_WORDS or f.startswith(STOP_FLAGS) and f != "eng" or
                    f.startswith("v") and jieba_dictionary().get(w, 0) > 1000 for _, _, w, f in words):
            continue
        out.append(_new(sentence, article, i, j, "Company", "subject of 入驻", 0.4, next_id))
    return out


CHAIN_SPAN = re.compile(r"从(?P<items>[^;:。]{2,60}?),?再?到(?P<last>[\u4e00-\u9fff]{2,8}?)的[^,;:。]{0,12}(?:产业链|链条)")


def _chain_links(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    """从液晶材料、玻璃基板、液晶面板、液晶显示模组，再到整机的新型显示全产业链: the links a chain runs through are its
    segments."""
    out = []
    for match in CHAIN_SPAN.finditer(sentence.norm):
        start = match.start("items")
        spans = []
        for part in re.split(r"(、)", match.group("items")):
            if part != "、":
                spans.append((start, start + len(part)))
            start += len(part)
        spans.append(match.span("last"))
        for i, j in spans:
            if 2 <= j - i <= 10 and not _nested(sentence, i, j, recognised) and _good_core(sentence.norm[i:j], ""):
                out.append(_new(sentence, article, i, j, "ChainSegment", "从…到…的产业链", 0.4, next_id))
    return out


FOCUS = re.compile(r"以(?P<items>[^,;:。!?“”「」]{2,40}?)(?<!等)为(?:特色|主|重点|主导|方向|拓展|延伸|补充)")


def _focus(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    """以固废资源循环利用和环保友好型新材料为特色的…产业体系, 以先进治疗设备和植入生物材料为拓展: what an
    industry is built on, or grows into, are industries."""
    out = []
    for match in FOCUS.finditer(sentence.norm):
        start = match.start("items")
        for part in re.split(r"(、|和|及|与)", match.group("items")):
            i, j = start, start + len(part)
            start = j
            if part in ("、", "和", "及", "与") or not 2 <= len(part) <= 12 or not _good_core(part, ""):
                continue
            if not _nested(sentence, i, j, recognised):
                out.append(_new(sentence, article, i, j, "Industry", "以…为特色", 0.4, next_id))
    return out


# 实施精准招商, 开展信用分级分类监管, 聚焦企业全生命周期服务: what a policy verb sets going, up to the clause's end,
# when it ends like a measure, is a policy measure.
MEASURE = re.compile(r"(?:实施|开展|推行|深化|聚焦|推进|落实|实行|探索|创新)(?P<name>[^,;:。!?、“”「」()\s]{2,12}?"
                     r"(?:招商|监管|服务|改革|行动|计划|制度|机制|模式|试点|研判))(?=[,;:。!?]|$)")


def _measures(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    out = []
    for match in MEASURE.finditer(sentence.norm):
        i, j = match.span("name")
        # (企业 names whom a measure serves, 企业全生命周期服务, where in a name it would begin a clause)
        if not any(_norm_span(sentence, m) == (i, j) for m in recognised) and \
                _good_core(match.group("name").replace("企业", "", 1), ""):
            out.append(_new(sentence, article, i, j, "PolicyMeasure", "object of 实施/开展", 0.4, next_id))
    return out


SINGLE_TRADE = re.compile(r"等(?:新兴|新型|重点|高端|相关)?(?:业态|产业|行业|领域)")


def _single_trades(sentence: Sentence, article: str, words, recognised: list[Mention], next_id) -> list[Mention]:
    """引进数字文化等新兴业态: the one trade named before 等…业态 is an industry (a list of several is _listed's)."""
    out = []
    for match in SINGLE_TRADE.finditer(sentence.norm):
        before = [w for w in words if w[1] <= match.start()]
        name = []
        for s, e, word, flag in reversed(before):
            if not flag.startswith(("n", "vn", "eng")) or word in STOP_WORDS or match.start() - s > 6:
                break
            name.insert(0, (s, e))
        if not name or before and len(before) > len(name) and before[-len(name) - 1][2] == "、":
            continue
        i, j = name[0][0], name[-1][1]
        if j - i >= 2 and not _nested(sentence, i, j, recognised) and _good_core(sentence.norm[i:j], ""):
            out.append(_new(sentence, article, i, j, "Industry", "X等…业态", 0.4, next_id))
    return out


LED_TRADE = re.compile(r"(?:国内|全国|全球|世界|西部|行业内)?(?P<trade>[\u4e00-\u9fff]{2,8}?)(?:行业|领域|产业)?的"
                       r"(?:领跑者|领先企业|龙头企业|领军企业|排头兵)")


SCOPE_WORDS = ("国内", "全国", "全球", "世界", "西部", "行业内")


def _before_leaders(norm: str) -> list[tuple[int, int, str, str]]:
    """24家物流龙头企业: the noun right before 龙头企业 is the trade they lead (产业龙头, 重点龙头 are not trades)."""
    words = tokens(norm)
    out = []
    for k, (s, e, word, flag) in enumerate(words[1:], start=1):
        if word.startswith(("龙头企业", "领军企业")) or word == "龙头" and k + 1 < len(words) and words[k + 1][2] == "企业":
            before = words[k - 1]
            if before[3] in ("n", "vn", "nz", "eng") and 2 <= len(before[2]) <= 4 and \
                    before[2] not in ("产业", "行业", "企业", "重点", "骨干", "区域") and before[2] not in STOP_WORDS:
                out.append(before)
    return out


def _led_trades(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    """作为国内新型液晶材料的领跑者, 国内垃圾焚烧行业的领先企业, 24家物流龙头企业: what a firm leads is a trade (an
    industry)."""
    out = []
    spans = [(*m.span("trade"), "…的领跑者") for m in LED_TRADE.finditer(sentence.norm)]
    spans += [(s, e, "…龙头企业") for s, e, word, flag in _before_leaders(sentence.norm)]
    for i, j, how in spans:
        scope = max((sentence.norm.rfind(w, i, j) + len(w) for w in SCOPE_WORDS if w in sentence.norm[i:j]),
                    default=i)  # 拥有国内|垃圾焚烧
        i = max(i, scope)
        if not _nested(sentence, i, j, recognised) and _good_core(sentence.norm[i:j], "") and \
                sentence.norm[i:j] not in STOP_WORDS:
            out.append(_new(sentence, article, i, j, "Industry", how, 0.4, next_id))
    return out


QUOTED_TERM = re.compile(r"[“「‘](?P<term>[^“”「」‘’,;:。!?、\s]{2,10})[”」’](?P<tail>服务|品牌|模式|行动|计划|平台)?")


def _quoted_terms(sentence: Sentence, article: str, recognised: list[Mention], next_id) -> list[Mention]:
    """A short term in quotation marks is a coined name — “智慧监管”, “双循环”, “一区两群” — most often of a policy
    measure in these articles; low confidence, for the curator to type. The word it qualifies right after the quote
    is part of the name (“保姆式”服务 is the measure 保姆式服务, “企业吹哨·部门报到”平台 a platform), and such a name may
    hold a known one (“义渡诚信”品牌 is a brand of its own, not the place 义渡)."""
    out = []
    for match in QUOTED_TERM.finditer(sentence.norm):
        tail = match.group("tail")
        i, j = match.start("term"), match.end("tail") if tail else match.end("term")
        if not _nested(sentence, i, j, recognised) or tail and not _inside(sentence, i, j, recognised):
            out.append(_new(sentence, article, i, j, "Platform" if tail == "平台" else "PolicyMeasure", "“” term",
                            0.3, next_id, name=_unquoted(sentence.norm[i:j])))
    return out


# ---------------------------------------------------------------------------------------------------- owners
OWNED = {"Project", "Facility", "Platform", "ResearchInstitute", "ServiceCenter", "IndustrialPark", "Incubator",
         "InnovationEcosystem"}
FIRM_WORDS = ("生物", "光电", "医疗", "动力", "科技", "高科", "新材", "电器", "集团", "药业", "制药")


def _owners(sentence: Sentence, article: str, found: list[Mention], next_id) -> list[Mention]:
    """宸安生物中试平台, 博唯生物二期扩能, 南芯西南总部运营中心: a facility, platform or project named after its firm names
    the firm — a head that is no everyday word, ending in a firm word or followed by a place."""
    out = []
    for mention in found:
        if mention.kind not in OWNED:
            continue
        i, j = _norm_span(sentence, mention)
        head = _owner_head(sentence.norm[i:j])
        if head:
            at = i + sentence.norm[i:j].index(head)
            out.append(_new(sentence, article, at, at + len(head), "Company", "owner in a name", 0.5, next_id))
    return out


# 生物药产业链, 冷链物流企业, 眼用药物制造基地项目: the trade a chain, cluster, class of firms or project is named for
TRADE_OF = re.compile(r"(?P<trade>[\u4e00-\u9fff]{2,8}?)(?:全产业链|产业链|产业集群|企业|制造基地项目|特色项目)$")


def _trades_of_groups(sentence: Sentence, article: str, words, found: list[Mention], next_id) -> list[Mention]:
    """The trade a chain, cluster, list of firms or project is named for is an industry of its own (生物药 in 生物药
    全产业链), at low confidence: the curator judges whether the article means the trade."""
    out = []
    industries = [_norm_span(sentence, m) for m in found if m.kind == "Industry"]
    # 巴南|液晶屏, 天安|精准医疗, 园区|精准医疗: a place, a known name or the park before the trade is no part of it
    heads = {s: e for s, e, _, flag in words if flag == "ns" or sentence.norm[s:e] in ("园区", "园内", "全区", "全市")}
    heads.update({i: j for i, j in (_norm_span(sentence, m) for m in found if m.iri)})
    for mention in found:
        if mention.kind not in ("IndustryChain", "IndustryCluster", "Project", "Company") or mention.iri:
            continue
        i, j = _norm_span(sentence, mention)
        match = TRADE_OF.search(sentence.norm, i, j)
        if match is None or match.start() != i or i and sentence.norm[i - 1] in OPENING:  # a quoted name is a title
            continue
        a, b = match.span("trade")
        while a in heads and heads[a] < b - 1:
            a = heads[a]
        if any(s < b and a < e for s, e in industries):  # “国家战略性新兴产业集群”: 战略性新兴产业 is named already
            continue
        if b - a >= 2 and not common_word(sentence.norm[a:b]) and sentence.norm[a:b] not in STOP_WORDS:
            out.append(_new(sentence, article, a, b, "Industry", "trade of a group's name", 0.3, next_id))
    return out


def _latin_brands(sentence: Sentence, article: str, words, next_id) -> list[Mention]:
    """亚马逊AWS, 阿里巴巴LOFT: a firm jieba knows by name (nrt) with Latin letters right after it is a brand or unit
    of its own (AWS is Amazon's cloud firm), wherever it stands."""
    return [_new(sentence, article, s, e2, "Company", "firm and Latin name", 0.4, next_id)
            for (s, e, word, flag), (s2, e2, latin, flag2) in zip(words, words[1:])
            if flag == "nrt" and len(word) >= 2 and flag2 == "eng" and s2 == e and len(latin) >= 2]


def _owner_head(name: str) -> str | None:
    """The firm a longer name begins with, if it begins with one (without the city before it: 苏州|汉朗光电)."""
    words = tokens(name)
    home = words[0][1] if words and words[0][3] == "ns" and len(words[0][2]) >= 2 and len(words) > 1 else 0
    brand = next((w for w in words if w[0] == home), None)
    if brand and brand[3] == "nrt" and len(brand[2]) >= 2 and len(name) - brand[1] >= 2:
        return brand[2]  # 阿里巴巴|跨境电商LOFT, 重庆|亚马逊|AWS联合孵化器: a firm's name jieba knows (nrt)
    for word in FIRM_WORDS:
        at = name.find(word, home + 2)
        if 2 <= at - home <= 4 and len(name) - at - len(word) >= 2 and _unusual(name[home:at]):
            return name[home:at + len(word)]
    places = [s for s, _, word, flag in words if flag == "ns" and s >= 2]
    if places and places[0] <= 4 and _unusual(name[:places[0]]):
        return name[:places[0]]
    return None


def _unusual(head: str) -> bool:
    """No everyday word: 宸安, 南芯, 中南高科 are names; 精准, 北大, 先进, 好环保 are not."""
    if head in STOP_WORDS or not all("\u4e00" <= c <= "\u9fff" for c in head):
        return False
    words = tokens(head)
    if all(flag == "ns" for _, _, _, flag in words) or jieba_dictionary().get(head, 0) >= 20:
        return False
    return not any(e - s >= 2 and not flag.startswith(("nr", "ns", "nz")) and jieba_dictionary().get(word, 0) > 100
                   for s, e, word, flag in words)


# ---------------------------------------------------------------------------------------------------- places
# Everyday words jieba's dictionary tags as place names (ns): not places in an article about an economy.
NOT_PLACES = set("英雄 深度 三区 半壁江山 上市 城市 都市 大都市 山水 宜居 新区 新城 湾区 法治化 之区 都市区 城区 江山 中华 "
                 "东方 天下 江湖 海外 内地 本土 边疆 山区 乡村 农村 港口 口岸 沿海 内陆 云集 入口 大关".split())
PLACE_SUFFIX_CLASSES = (("自治区", "AdministrativeArea"), ("省", "AdministrativeArea"), ("市", "City"), ("区", "District"),
                        ("县", "District"))


def _places(sentence: Sentence, article: str, words, known: list[tuple[int, int]], next_id) -> list[Mention]:
    """Place names jieba's dictionary knows (its ns tag): 绵阳, 俄罗斯, 嘉陵江. Typed by their suffix, else Place."""
    out = []
    following = {s: w for s, _, w, _ in words}
    for start, end, word, flag in words:
        if flag != "ns" or len(word) < 2 or word in NOT_PLACES or any(i < end and start < j for i, j in known):
            continue
        if following.get(end) in GEOGRAPHIC + ("半岛",):  # 广阳|岛: the island, not a place called 广阳
            end, word = end + len(following[end]), word + following[end]
        kind = next((k for suffix, k in PLACE_SUFFIX_CLASSES if word.endswith(suffix) and len(word) > 2), "Place")
        out.append(_new(sentence, article, start, end, kind, "place name", CONFIDENCE["Place"], next_id))
    return out


# ---------------------------------------------------------------------------------------------------- brands
def brands(found: list[Mention], split: list[Sentence], article: str, next_id) -> list[Mention]:
    """A firm's short name, read across the article: the first two characters of its name (after its home city),
    where they stand alone (宗申动力 … 宗申全新打造的) or open the names of several firms (惠科金渝、惠科金扬 → 惠科).
    Not an everyday word, a place or a name already found."""
    cores: dict[str, set[str]] = {}
    full_name: dict[str, str] = {}  # core → the id of the mention it is the core of
    for mention in found:  # (a short name already linked to its firm is that firm, not another one)
        if mention.kind == "Company" and mention.alias_of is None and re.fullmatch("[\u4e00-\u9fff]{4,}", mention.name):
            core = _without_legal_suffix(mention.name[_home_length(mention.name):])
            if len(core) >= 4:
                cores.setdefault(core[:2], set()).add(core)
                full_name.setdefault(core, mention.id)
    named = {m.name for m in found}
    out = []
    for head, names in sorted(cores.items()):
        if head in named or head in STOP_WORDS or common_word(head) or any(f.startswith("ns") for _, _, _, f in
                                                                       tokens(head)):
            continue
        place = _brand_place(head, names, split, found)
        if place is not None:
            sentence, i = place
            length = _shared_words(sentence.norm[i:], min(names, key=len)) if len(names) == 1 else 2
            short = _new(sentence, article, i, i + length, "Company", "short name of " + min(names, key=len), 0.4,
                         next_id)
            short.alias_of = full_name[min(names, key=len)] if len(names) == 1 else None
            out.append(short)
    return out


def _shared_words(text: str, core: str) -> int:
    """How much of the firm's name the text repeats, in whole words of the name: 宏锐精工将建设 after 重庆宏锐精工机械
    有限公司 is 宏锐精工 (4), 宗申全新打造 after 宗申动力 is 宗申 (2)."""
    same = next((k for k, (a, b) in enumerate(zip(text, core)) if a != b), min(len(text), len(core)))
    return max([2] + [end for _, end, _, _ in tokens(core) if end <= same])


def link_short_names(found: list[Mention]) -> None:
    """以宏锐精工为链主 after 重庆宏锐精工机械有限公司: a new firm's name that opens another new firm's name without its
    home city and legal form is a short name of that firm (`alias_of`), for the curator to merge."""
    full = [m for m in found if m.kind == "Company" and m.iri is None and len(m.name) >= 6]
    for mention in found:
        if mention.kind != "Company" or mention.iri is not None or mention.alias_of or len(mention.name) < 3:
            continue
        for firm in full:
            core = _without_legal_suffix(firm.name[_home_length(firm.name):])
            if firm.name != mention.name and core.startswith(mention.name):
                mention.alias_of = firm.id
                break


def _brand_place(head: str, names: set[str], split: list[Sentence], found: list[Mention]):
    """Where the short name is written: anywhere when several firms' names open with it, else where it stands alone
    (not inside a name already found: 宏锐 in 以宏锐精工为链主 is part of the firm's other short name)."""
    if len({n[2:] for n in names}) >= 2 and not any(n[:3] in jieba_dictionary() for n in names):
        # 惠科金渝、惠科金扬: the names part after the short name (大渡口… are one word, not 大渡|口…)
        sentence = next(s for s in split if head in s.norm)
        return sentence, sentence.norm.index(head)
    if not any(2 in {e for _, e, _, _ in tokens(n)} for n in names):
        return None  # 大渡|口科技投资: a short name ends where a word of the name ends
    for sentence in split:
        covered = [_norm_span(sentence, m) for m in found if m.sentence == sentence.index]
        for match in re.finditer(head, sentence.norm):
            if any(i <= match.start() < j for i, j in covered):
                continue
            if not any(sentence.norm.startswith(n, match.start()) for n in names) and \
                    not re.match(r"[\u4e00-\u9fff]{0,2}(?:有限|股份|集团|公司)", sentence.norm[match.end():]):
                return sentence, match.start()
    return None


def _home_length(name: str) -> int:
    words = tokens(name)
    return words[0][1] if words and words[0][3] == "ns" and len(words[0][2]) >= 2 and len(words) > 1 else 0


def _without_legal_suffix(name: str) -> str:
    for suffix in ("股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def common_word(word: str) -> bool:
    return jieba_dictionary().get(word, 0) > 100
