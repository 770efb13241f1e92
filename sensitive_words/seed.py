"""Built-in seed data: mild illustrative words, allow-list phrases and real official-expression rules.

The demo words only show how categories and levels behave; real dictionaries are imported by the
bureau (``import_sensitive_words``). The 表述规范 entries are real, each with the correct form as
its suggestion:

- names replaced in the 2018 reform of the Party and State institutions: 国土资源部 → 自然资源部;
  环境保护部 → 生态环境部; 农业部 → 农业农村部; 文化部 and 国家旅游局 → 文化和旅游部; 国家卫生计生委 →
  国家卫生健康委员会; 国家工商总局, 国家质检总局 and 国家食药监总局 → 国家市场监督管理总局 (drugs:
  国家药品监督管理局; entry-exit inspection: 海关总署); 国家安监总局 → 应急管理部; 监察部 → 国家监察
  委员会; 国务院法制办 → 司法部; 国家林业局 → 国家林业和草原局; 国家粮食局 → 国家粮食和物资储备局;
  国家新闻出版广电总局 → 国家广播电视总局; 国税局 and 地税局 → one 税务局; the duties 民政部 handed
  over (disaster relief to 应急管理部, care of veterans to 退役军人事务部); and the local bureaus
  that followed (工商局, 质监局, 食药监局, 安监局, 国土资源局, 环保局, 卫计委 …);
- the 2023 reform: 银保监会 (银监会 and 保监会 before 2018) → 国家金融监督管理总局; 国家乡村振兴局
  (国务院扶贫办 until 2021) merged into 农业农村部, which bears its name; 全国老龄办 moved from
  国家卫生健康委 to 民政部;
- 国家煤矿安全监察局 renamed 国家矿山安全监察局 (2020); 新农合 merged into 城乡居民基本医疗保险;
  the 2005 《信访条例》 superseded by the 《信访工作条例》 (in force since 1 May 2022); the renaming
  of COVID-19 in December 2022;
- the official order of the leader's titles (中共中央总书记、国家主席、中央军委主席);
- common misspellings of official formulations (两学一作, 一代一路, 不忘出心, 筑牢中华民族共同体意识,
  社会主义核心价值关, 习近平新时期中国特色社会主义思想, 党的20大 …).

Local names get a suggestion without the level (自治区、市、县 differ). Names that live on as a
second name of the body that absorbed them (国家乡村振兴局, 国家海洋局, 国家公务员局, 国家宗教事务局)
are not flagged. Loaded by ``manage.py seed_sensitive_words`` (every row by get-or-create: running
it again adds what is new and changes nothing else) and used by the benchmark. Pure data: no
Django import.
"""

from __future__ import annotations

from .engine.normalize import Profile

DEMO_DICTIONARY = "通用示例词库"
EXPRESSION_DICTIONARY = "表述规范"

# Every dictionary can choose its normalizations; the seed keeps the defaults for both, so that
# one normalization pass serves them (each distinct profile costs one more pass per check).
EXPRESSION_PROFILE = Profile()

SEED_DICTIONARIES = [
    {
        "name": DEMO_DICTIONARY,
        "description": "演示用的温和示例词，正式词库请由管理员导入。",
        "profile": Profile(),
    },
    {
        "name": EXPRESSION_DICTIONARY,
        "description": "机构名称、法规名称等规范表述，命中后给出正确写法。",
        "profile": EXPRESSION_PROFILE,
    },
]

_NORM = "表述规范"
_REVIEW = "review"
MARKET = "市场监督管理局"
SAMR = "国家市场监督管理总局"
NFRA = "国家金融监督管理总局（2023年组建）"
NFRA_LOCAL = "国家金融监督管理总局派出机构（如“国家金融监督管理总局广西监管局”）"
HEALTH = "卫生健康委员会（卫健委）"
TAX = "税务局（2018年国税地税合并）"
RURAL = "农业农村部（加挂国家乡村振兴局牌子，2023年起）"
XI_THOUGHT = "习近平新时代中国特色社会主义思想"
CCP_TITLES = "中共中央总书记、国家主席、中央军委主席"

# Outdated names and misspellings: (word, suggestion). All are 表述规范 at review level except
# where EXPRESSION_LEVELS says otherwise.
_EXPRESSIONS = [
    # regulations
    ("信访条例", "《信访工作条例》（2022年5月1日起施行）"),
    # 2018: 工商, 质检 and 食药监 merged into market regulation
    ("国家工商总局", SAMR),
    ("国家工商行政管理总局", SAMR),
    ("工商行政管理局", MARKET),
    ("工商局", MARKET),
    ("国家质检总局", f"{SAMR}（出入境检验检疫：海关总署）"),
    ("国家质量监督检验检疫总局", f"{SAMR}（出入境检验检疫：海关总署）"),
    ("质量技术监督局", MARKET),
    ("质监局", MARKET),
    ("出入境检验检疫局", "海关（出入境检验检疫2018年起划入海关总署）"),
    ("国家食品药品监督管理总局", f"{SAMR}（药品：国家药品监督管理局）"),
    ("食药监总局", f"{SAMR}（药品：国家药品监督管理局）"),
    ("食品药品监督管理局", f"{MARKET}（药品：药品监督管理局）"),
    ("食药监局", f"{MARKET}（药品：药品监督管理局）"),
    # 2018: natural resources, ecology and environment
    ("国土资源部", "自然资源部"),
    ("国土资源厅", "自然资源厅"),
    ("国土资源局", "自然资源局"),
    ("国土局", "自然资源局"),
    ("国家测绘地理信息局", "自然资源部"),
    ("环境保护部", "生态环境部"),
    ("环保部", "生态环境部"),
    ("环境保护厅", "生态环境厅"),
    ("环保厅", "生态环境厅"),
    ("环境保护局", "生态环境局"),
    ("环保局", "生态环境局"),
    # 2018: health, agriculture, culture and tourism, broadcasting
    ("卫计委", HEALTH),
    ("计生委", HEALTH),
    ("计划生育委员会", "卫生健康委员会"),
    ("农业部", "农业农村部"),
    ("文化部", "文化和旅游部"),
    ("国家旅游局", "文化和旅游部"),
    ("新闻出版广电总局", "国家广播电视总局（新闻出版、电影由中央宣传部管理）"),
    ("新闻出版广电局", "广播电视局"),
    # 2018: supervision, justice, emergency management, veterans, forestry, grain, tax
    ("监察部", "国家监察委员会"),
    ("国务院法制办", "司法部"),
    ("国家安全生产监督管理总局", "应急管理部"),
    ("国家安监总局", "应急管理部"),
    ("安全生产监督管理局", "应急管理局"),
    ("安监局", "应急管理局"),
    ("民政部救灾司", "应急管理部（救灾职责2018年起由民政部划入）"),
    ("民政部优抚安置局", "退役军人事务部（优抚安置职责2018年起由民政部划入）"),
    ("国家林业局", "国家林业和草原局"),
    ("国家粮食局", "国家粮食和物资储备局"),
    ("国家煤矿安全监察局", "国家矿山安全监察局（2020年更名）"),
    ("国家煤矿安监局", "国家矿山安监局（2020年更名）"),
    ("国家税务局", "国家税务总局（地方：国家税务总局××税务局，2018年国税地税合并）"),
    ("地方税务局", TAX),
    ("地税局", TAX),
    ("国税局", TAX),
    ("新农合", "城乡居民基本医疗保险"),
    ("新型农村合作医疗", "城乡居民基本医疗保险"),
    # 2018 and 2023: banking and insurance regulation (保监会 is a rule: 银保监会 contains it)
    ("银监会", NFRA),
    ("银监局", NFRA_LOCAL),
    ("银保监会", NFRA),
    ("银保监局", NFRA_LOCAL),
    ("银保监分局", "国家金融监督管理总局监管分局"),
    ("中国银行业监督管理委员会", NFRA),
    ("中国保险监督管理委员会", NFRA),
    ("中国银行保险监督管理委员会", NFRA),
    # 2021 and 2023: poverty alleviation office -> 国家乡村振兴局 -> 农业农村部
    ("国务院扶贫办", RURAL),
    ("国务院扶贫开发领导小组办公室", RURAL),
    # misspellings of official formulations
    ("中华人名共和国", "中华人民共和国"),
    ("中华名族", "中华民族"),
    ("两学一作", "两学一做"),
    ("一代一路", "一带一路"),
    ("不忘出心", "不忘初心"),
    ("牢记史命", "牢记使命"),
    ("不忘初衷牢记使命", "不忘初心、牢记使命"),
    ("筑牢中华民族共同体意识", "铸牢中华民族共同体意识"),
    ("铸劳中华民族共同体意识", "铸牢中华民族共同体意识"),
    ("中华民族共同体意思", "中华民族共同体意识"),
    ("坚持不渝", "坚持不懈（或：矢志不渝）"),
    ("中国特设社会主义", "中国特色社会主义"),
    ("习近平新时期中国特色社会主义思想", XI_THOUGHT),
    ("习近平新时代特色社会主义思想", XI_THOUGHT),
    ("习近平新时代中国特色社会注意思想", XI_THOUGHT),
]
EXPRESSION_LEVELS = {"中华人名共和国": "block"}

# (word, category, level, suggestion, pinyin)
SEED_WORDS = {
    DEMO_DICTIONARY: [
        ("代开发票", "广告", "block", "", True),
        ("办证刻章", "广告", "block", "", False),
        ("无抵押贷款", "广告", "review", "", False),
        ("六合彩", "涉赌", "block", "", True),
        ("网络赌博", "涉赌", "review", "", False),
        ("黄片", "涉黄", "block", "", False),
        ("大麻", "暴恐", "review", "", False),
        ("傻冒", "辱骂", "replace", "", False),
        ("笨蛋", "辱骂", "replace", "", False),
    ],
    EXPRESSION_DICTIONARY: [
        (word, _NORM, EXPRESSION_LEVELS.get(word, _REVIEW), suggestion, False)
        for word, suggestion in _EXPRESSIONS
    ],
}

# (phrase, dictionary or "" for every dictionary)
SEED_ALLOW = [
    ("三黄片", DEMO_DICTIONARY),
    ("大麻烦", DEMO_DICTIONARY),
    ("大麻纤维", DEMO_DICTIONARY),
    ("农业部门", EXPRESSION_DICTIONARY),
    ("农业部署", EXPRESSION_DICTIONARY),
    ("文化部门", EXPRESSION_DICTIONARY),
    ("文化部署", EXPRESSION_DICTIONARY),
    ("环保部门", EXPRESSION_DICTIONARY),
    ("监察部门", EXPRESSION_DICTIONARY),
    ("国土局部", EXPRESSION_DICTIONARY),
    ("矿山安监局", EXPRESSION_DICTIONARY),
    ("煤矿安监局", EXPRESSION_DICTIONARY),
]


def _rule(name: str, pattern: str, suggestion: str, level: str = _REVIEW) -> dict:
    return {
        "name": name,
        "pattern": pattern,
        "category": _NORM,
        "level": level,
        "suggestion": suggestion,
        "dictionary": EXPRESSION_DICTIONARY,
        "profile": EXPRESSION_PROFILE,
    }


# Rules are regular expressions matched on the normalized text of their dictionary (simplified,
# lower case, half width, without punctuation or spaces, Chinese numerals as digits, repeats
# collapsed). Their literal characters are normalized the same way, so they are written as people
# write; 、 and ， between titles disappear like any punctuation. Every rule has a literal the
# automaton looks for, so none runs on texts that cannot match.
SEED_RULES = [
    _rule("国家信访局名称", r"国家信访(?:办公室|办|总局|委员会)", "国家信访局"),
    _rule(
        "自治区信访局名称",
        r"广西(?:壮族自治区)?(?:人民政府)?信访(?:办公室|办)",
        "广西壮族自治区信访局",
    ),
    _rule("新冠病名", r"新型冠状病毒肺炎|新冠肺炎", "新型冠状病毒感染（2022年12月26日起）"),
    # Any two titles out of order: 国家主席 before 总书记, 军委主席 before either of them.
    _rule(
        "领导职务排序",
        r"(?:中华人民共和国|国家)主席(?:中共)?中央总书记"
        r"|中央军委主席(?:(?:中共)?中央总书记|(?:中华人民共和国|国家)主席)",
        CCP_TITLES,
    ),
    _rule("保监会旧称", r"(?<!银)保监(?:会|局)", NFRA),
    _rule("社会主义核心价值观误写", r"社会主义核心价值关(?![乎系联注切])", "社会主义核心价值观"),
    _rule(
        "社会主义误写",
        r"社会主意(?=核心价值观|制度|现代化|道路|市场经济|法治|建设|思想|国家)|(?<=特色)社会主意",
        "社会主义",
    ),
    _rule("思想名称增字", r"习近平(?:同志|总书记)新时代中国特色社会主义思想", XI_THOUGHT),
    _rule(
        "届次用汉字数字",
        r"党的(?:1[5-9]|20)大|(?:1[5-9]|20)届[1-9]中全会",
        "届次用汉字数字，如“党的二十大”“二十届三中全会”",
    ),
    _rule(
        "全国老龄办隶属",
        r"卫(?:生)?健(?:康)?委(?:员会)?全国老龄(?:工作委员会)?办(?:公室)?",
        "全国老龄工作委员会办公室（2023年起设在民政部）",
    ),
]
