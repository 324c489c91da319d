"""Cue lists of the escalation assessor, as data: Chinese and English regexes.

Each `CueFamily` groups regexes that mean the same thing to an agent (a threat of
outside action, a safety incident, an insult...). A family carries the reason phrase
shown to the agent (Chinese and English, `LABELS_ZH` translating the labels) and the
`guards` that may cancel one of its matches (see `copilot.escalation.cues`). Which
families fire is a feature of the learned scorer (`copilot.escalation.features`); the
`hard` ones (threats of outside action, safety incidents, abuse) are named first among the
reasons and carried from earlier turns. Families without the JOKE, PRAISE and RESOLUTION
guards do not yield to a laugh or a thank-you: those do not cancel a reported injury or a
threat of 12315.

A cue is `(regex, label)`; the label fills `{label}` in the family's reason. A
regex may name a group `n` holding a count (Chinese or Arabic numeral) that fills
`{n}` in the label. Regexes use no other capturing group and are compiled once,
with `re.IGNORECASE`, by the assessor at import.
"""
from __future__ import annotations

from dataclasses import dataclass

# Guards: the cancellers the assessor knows. Match-level ones look at the clause
# around one match; message-level ones (JOKE, PRAISE, RESOLUTION) at the message.
NEGATION = "negation"          # "我不会给差评的", "先不投诉了", "not going to complain"
INQUIRY = "inquiry"            # "要投诉快递员找谁？", "how do I complain"
THIRD_PARTY = "third_party"    # "我朋友说…让我投诉": someone else's words, not the shopper's
HYPOTHETICAL = "hypothetical"  # "会不会过敏", "不会是假货吧": a worry, not an incident
OTHER_TARGET = "other_target"  # "投诉快递员", "mad at myself": aimed away from the shop
JOKE = "joke"                  # "哈哈", "😂", "lol" anywhere in the message
PRAISE = "praise"              # praise in the same stretch ("气死我了这么好看", "美哭了")
RESOLUTION = "resolution"      # thanks or "解决了" / "误会了": the latest message settles it
SOFT = (JOKE, PRAISE, RESOLUTION)  # threats to complain or post are not settled by a thank-you


@dataclass(frozen=True)
class CueFamily:
    name: str
    hard: bool                          # named first, and carried from earlier turns
    reason: str                         # English phrase for the agent screen, with {label}
    guards: frozenset[str]              # cancellers that may void one of its matches
    cues: tuple[tuple[str, str], ...]   # (regex, English label)

    @property
    def reason_zh(self) -> str:
        return REASONS_ZH[self.reason]


def _family(name, hard, reason, *, guards, cues):
    return CueFamily(name=name, hard=hard, reason=reason, guards=frozenset(guards), cues=tuple(cues))


# Counts written in Chinese or digits, for "第三次", "三次了", "4 times"; PURCHASE after a
# count makes it a loyal customer ("第三次回购"), not a repeated complaint.
COUNT = r"(?P<n>[三四五六七八九十几]+|\d+|third|fourth|fifth|sixth|three|four|five|six|many)"
PURCHASE = r"买|购|回购|下单|来买|光顾|入手"
NOT_REPEAT = r"a|per|faster|more|better|cheaper|bigger|smaller|as|buying|ordering"  # "3 times a day"

FAMILIES: tuple[CueFamily, ...] = (
    _family("threat", True, "threatens {label}", guards=(NEGATION, THIRD_PARTY), cues=(
        (r"12315|12345", "12315"),
        (r"消协|消费者协会|消保委|消费维权", "the consumer association"),
        (r"黑猫", "Black Cat Complaints"),
        (r"工商局|工商部门|市场监管|市监局|监管局|质监局", "market regulators"),
        (r"律师|法院|起诉|告你们|告到底|立案|诉讼|打官司|法庭|法律途径|走法律", "legal action"),
        (r"电视台|记者|(?<!自)媒体|报社|维权栏目", "the media"),
        (r"(?:平台|小二)介入|(?:找|申请|联系)(?:平台|小二)|平台小二|(?:到|去|向|上)?平台投诉|投诉到平台|平台(?:处罚|处理|反映|申诉)|向平台",
         "platform intervention"),
        (r"拒付|(?:信用卡|银行).{0,6}(?:申诉|争议)", "a chargeback"),
        (r"\b(?:lawyer|attorney|sue|suing|lawsuit|court|legal action)\b", "legal action"),
        (r"charge\s?back|(?:fil|open)\w* a (?:dispute|claim)|disput\w* the (?:charge|payment)|"
         r"(?:call|contact)\w* my bank", "a chargeback"),
        (r"consumer (?:protection|council|association|rights)|\bBBB\b|\bFTC\b",
         "consumer protection"),
        (r"(?:report\w*|complain\w*|complaint) (?:\w+ ){0,4}(?:to|with) the platform",
         "platform intervention"),
        (r"\bthe media\b|\bjournalists?\b|\breporters?\b|\bthe news\b", "the media"),
    )),
    _family("organised", True, "threatens {label}", guards=(NEGATION, THIRD_PARTY), cues=(
        (r"集体投诉|一起投诉|联合投诉|拉了?个?群|(?:所有|每个|各个|全)平台|刷.{0,6}(?:评论区|差评)",
         "an organised complaint"),
        (r"every (?:platform|site)|all (?:platforms|sites)|tag (?:your|the) (?:brand|shop|store)",
         "an organised complaint"),
    )),
    _family("complaint", False, "threatens {label}",
            guards=(JOKE, PRAISE, NEGATION, THIRD_PARTY, INQUIRY, OTHER_TARGET), cues=(
        (r"投诉", "a complaint"),
        (r"举报", "a report to the authorities"),
        (r"报警|警察", "the police"),
        (r"(?:file|filing|lodge|lodging|make|submit)\w* an? (?:formal )?complaint|"
         r"I(?:'m| am| will|'ll) (?:going to )?(?:complain|report)|report(?:ing)? (?:you|your|this shop)",
         "a complaint"),
        (r"\bpolice\b|\bcops\b", "the police"),
    )),
    _family("exposure", False, "threatens {label}", guards=(JOKE, PRAISE, NEGATION, THIRD_PARTY), cues=(
        (r"曝光|(?:发|晒|挂|传)(?:到|在|上)?(?:微博|抖音|小红书|朋友圈|知乎|[bB]站|网上|快手)|"
         r"(?:微博|抖音|小红书|朋友圈|知乎|快手).{0,6}(?:发帖|发|曝光|挂|晒)|"
         r"让(?:所有人|大家|网友|全网)(?:都)?(?:看看|评评理|知道)",
         "public exposure"),
        (r"post\w* (?:this|it|about you) (?:everywhere|online|on)|go(?:ing)? viral|expose you",
         "public exposure"),
    )),
    _family("bad_review", False, "threatens {label}", guards=(JOKE, PRAISE, NEGATION, THIRD_PARTY),
            cues=(
        (r"(?:给|打|写|吃|发|留)(?:你们)?(?:一)?(?:个)?差评|差评.{0,6}(?:写好|发出去|等着|伺候)",
         "a bad review"),
        (r"(?:1|one)[- ]star|bad review|negative review", "a bad review"),
    )),
    _family("safety", True, "reports {label}", guards=(NEGATION, HYPOTHETICAL), cues=(
        (r"过敏(?!体质|原|史)|红疹|起疹|疹子|红肿|又红又肿|\brash\b|allergic(?! to)|hives|swollen",
         "an allergic reaction"),
        (r"烫(?:伤|起泡|出泡|红了|破|到了)|烧伤|灼伤|\bburn(?:ed|t)? (?:my|her|his|our)", "a burn"),
        (r"(?<!到)爆炸(?!款|头)|(?<![美帅好酷])炸了|起火|着火|(?:房子|床|屋|家|火)就?着了|冒烟|冒火|"
         r"火花|鼓包|(?:电池|机身|后盖).{0,4}膨胀|烧焦|烧坏|烧黑|把.{0,4}烧了|"
         r"烧(?:了)?(?:个|一个)?(?:洞|穿)|自燃|漏电|触电", "a fire or electrical hazard"),
        (r"explod|caught fire|swell(?:ed|ing)? (?:up )?battery|battery (?:is )?swell|on fire|"
         r"smok(?:e|ing)\b|melt(?:ed|ing)|scorch|sparks?\b|electric shock", "a fire or electrical hazard"),
        (r"受伤|划伤|割伤|划破|割破|流了.{0,4}血|划了.{0,3}口子|缝了?.{0,3}针|出血(?!价)|流血|骨折|"
         r"磕(?:了)?(?:个|一个)?(?:包|伤|破)|扎(?:出血|伤|破)", "an injury"),
        (r"injur|bleed|stitches|\bcut (?:my|her|his)", "an injury"),
        (r"(?:食物|甲醛|一氧化碳|农药|酒精)中毒|上吐下泻|拉肚子|呕吐|food poisoning|vomit", "food poisoning"),
        (r"发烧(?!友|级)|咳嗽|头晕|呼吸困难|喘不上气|起了?[水血]泡|\bfever\b|dizzy|can't breathe", "illness symptoms"),
        (r"(?:差点|误)(?:吞|食)|吞下去|窒息(?!操作)|chok(?:e|ing)|swallow", "a choking hazard"),
        (r"过期.{0,12}(?:喝|吃|用)了|(?:喝|吃|用)了.{0,12}过期|谋财害命", "an expired product consumed"),
    )),
    _family("medical", False, "reports {label}", guards=(NEGATION, HYPOTHETICAL), cues=(
        (r"医院|急诊|就医|看医生|挂号|\bclinic\b|hospital|doctor", "medical treatment"),
        (r"安全(?:问题|隐患)|危险|dangerous|unsafe|safety hazard", "a safety hazard"),
    )),
    _family("insult", True, "{label}", guards=(THIRD_PARTY, OTHER_TARGET), cues=(
        (r"傻[xX逼比B×叉]|(?<![a-zA-Z])sb(?![a-zA-Z])|煞笔|脑残|智障|(?<!我)有病|神经病|弱智|白痴|蠢货|"
         r"(?<![a-zA-Z])(?:tm|tmd|nmsl|cnm)(?![a-zA-Z])|他妈|妈的|操你|草泥马|去死|狗东西|狗店|狗商家|"
         r"废物|垃圾(?!袋|桶|篓|分类|处理|清理|箱|车|场)|你个头|老子|听不懂人话|人在回复|"
         r"是不是人(?=[啊在回呀吧?？]|$)|不是人(?=[啊吧呀，,。!！?？\s]|$)|"
         r"什么德行|黑店|奸商|无良|黑心|(?:客服|你们)(?:是不是)?(?:都)?死(?:了|光)|人都死(?:了|光)|"
         r"破(?:客服|店|公司)|(?:是|像)猪|猪脑|蠢猪|滚(?:蛋|吧|开|出去)?(?=$|[\s，,。.!！?？])",
         "abusive language"),
        (r"\bwtf\b|f+u+c+k|\bshit|\bidiot|\bstupid\b|\bmoron|\buseless\b|\bpathetic\b|"
         r"\b(?:are|is|r) a joke\b|bullshit|incompetent|\bclowns?\b", "abusive language"),
    )),
    _family("staff_abuse", False, "reports {label}", guards=(NEGATION, THIRD_PARTY), cues=(
        (r"骂我|骂人|辱骂|骚扰|威胁我|恐吓|harass|insulted me|threatened me", "abuse by shop staff"),
    )),
    _family("fraud", False, "{label}", guards=(*SOFT, NEGATION, THIRD_PARTY, HYPOTHETICAL), cues=(
        (r"骗子|骗钱|骗人|被骗|诈骗|欺诈|假货|假冒|冒牌|山寨|二手当新|翻新机|"
         r"\bscam|\bfraud|\bfake\b|counterfeit|\bliars?\b",
         "accuses the shop of fraud or fakes"),
    )),
    _family("supervisor", False, "{label}", guards=(*SOFT, NEGATION, THIRD_PARTY), cues=(
        (r"(?:叫|找|让|换|要|请)(?:你们)?(?:的)?(?:店长|主管|经理|负责人|上级|领导|老板)|"
         r"(?:店长|主管|经理|负责人|上级|领导)(?:出来|电话|来|通话|说话|对话|沟通)|"
         r"换个(?:活)?人|活人|真人(?:来|回复)",
         "demands a supervisor"),
        (r"(?:get|want|speak to|talk to|give me|let me talk to) (?:me )?(?:a |an |your |the )?"
         r"(?:manager|supervisor|real human|human|real person|someone in charge)",
         "demands a supervisor"),
    )),
    _family("repeat", False, "{label}", guards=(*SOFT, NEGATION), cues=(
        (rf"第{COUNT}[次遍回](?!{PURCHASE})", "says it has asked {n} times"),
        (rf"{COUNT}[次遍回](?:了|都|还)", "says it has asked {n} times"),
        (r"(?:八百|一万|无数|好几|N)[遍次]|说了.{0,4}遍|又是这句|每次.{0,6}都", "repeated complaint"),
        (rf"(?:the )?{COUNT} times?\b(?!\s+(?:{NOT_REPEAT})\b)", "says it has asked {n} times"),
        (r"again and again|keep(?:s)? (?:telling|saying|asking|sending)|same (?:copy[- ]paste )?answer",
         "repeated complaint"),
    )),
    _family("ultimatum", False, "{label}", guards=SOFT, cues=(
        (r"今天(?:再)?不.{0,10}就|再(?:不|敢).{0,12}就|不然|否则|这事没完|没完没了|追究到底|看着办|"
         r"给(?:我|个)?(?:一)?(?:个)?说法|给我等着|(?:就)?等着(?:吧|瞧|吃|处理)|说到做到|别想|走着瞧|后果自负|"
         r"(?:今天|马上|立刻|立即)(?:必须)?给我|必须给我|你们必须",
         "gives an ultimatum"),
        (r"\bunless\b|\bor else\b|\bor I(?:'m| am| will|'ll)\b|by tonight|I'?m done|not joking|"
         r"not kidding|(?-i:\bNOW\b)|last chance",
         "gives an ultimatum"),
    )),
    _family("anger", False, "{label}", guards=(*SOFT, NEGATION, OTHER_TARGET), cues=(
        (r"耍我|欺负|推脱|推来推去|踢皮球|不想再听|废话|什么态度|态度(?:这么|太|真|很)?(?:差|恶劣)|有没有人管|"
         r"搞什么|有没有搞错|气死|恶心死|受够|太过分|忍无可忍|别跟我扯|扯什么|死不认账|不承认|还要拖|"
         r"拖多久|拖了.{0,4}(?:月|周|星期|天)|问东答西|答非所问|骗我|糊弄|敷衍|复制粘贴|什么玩意|什么破|"
         r"凭什么|气炸|没人(?:回|理|管)|坑人|被坑|不想(?:再)?(?:跟|和)(?:你|客服)|(?:看|听)不懂(?:人话|中文|我说的)|"
         r"(?:是|这些|你这个|这个|个)机器人|机器人(?:客服|回复)",
         "angry wording"),
        (r"ridiculous|unacceptable|rip[- ]?off|furious|outraged|fed up|sick of|had enough|lied to|\bworst\b|"
         r"no reply|(?:nobody|no one) (?:replies|answers)|unbelievable|disgusting|copy[- ]paste|"
         r"\bmad\b|\bangry\b|\bpissed\b",
         "angry wording"),
    )),
    _family("compensation", False, "{label}", guards=(*SOFT, NEGATION, INQUIRY), cues=(
        (r"索赔|退一赔[三十]|赔偿|(?<!包)赔(?!付|钱了|本)|损失|承担|compensat|reimburs",
         "demands compensation"),
    )),
    _family("mild", False, "{label}", guards=(*SOFT, NEGATION, OTHER_TARGET), cues=(
        (r"失望|不满意|有点生气|无语|慢死|急死|太慢|怎么还|还没|色差|质量问题|不太好|"
         r"disappoint|annoyed|not happy|unhappy|frustrat|\blate\b",
         "mild dissatisfaction"),
    )),
)

# Regexes of the message-level guards.
PRAISE_CUES = (
    r"好看|漂亮|美哭|美得|好美|真美|太美|美炸|好吃|好用|好穿|舒服|喜欢|爱了|爱死|绝了|绝绝子|满意|推荐|"
    r"安利|回购|五星|(?:写|给|打|改成|留)(?:个|了|一千字|五星)?好评|太香|真香|香了|(?:这么|太|好|真|又)便宜|"
    r"划算|值了|超值|没话说|一如既往|质量(?:真|很|超)?好|很好|不错|挺好|犯规|惊艳|杀疯|剁手|种草|"
    r"\bnice\b|\blove\b|pretty|gorgeous|beautiful|amazing|awesome|\bgreat\b|perfect|\bcute\b|10/10|"
    r"obsessed|😍|🥰|❤|♥|👍|😘"
)
JOKE_CUES = (
    r"哈哈|嘻嘻|笑死|开玩笑|逗你|😂|🤣|😆|😁|😄|😜|🤦|"
    r"\blol\b|\blmao\b|\bhaha|\bhehe|\bjk\b|just kidding"
)
RESOLUTION_CUES = (
    r"谢谢|谢啦|多谢|感谢|辛苦|解决了|搞定了|误会|原来是这样|没事了|(?:不好意思|抱歉)(?:哈|啊|啦|了|呀)|"
    r"不跟你计较|\bthanks\b|thank you|\bthx\b|appreciate|sorted|\bfixed\b|got it|no worries|no biggie|my bad"
)

# Where a praise segment ends: strong words after "但/but" are not covered by praise before it.
CONTRAST = r"但是|但|可是|然而|不过|就是|只是|\bbut\b|\bhowever\b"
# Clause boundaries: punctuation, and spaces next to Chinese characters.
CLAUSE_BREAK = r"[，,。.!！?？;；~～\n…、]+|(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])"

# Guard regexes. NEGATION and HYPOTHETICAL look at the clause text just before a
# match, OTHER_TARGET just after it, INQUIRY and THIRD_PARTY at the whole clause
# (THIRD_PARTY only before the match).
NEGATION_BEFORE = (
    r"(?:不会|不想|不打算|不用|不必|先不|不要|并不|没有|没|别|不)"
    r"(?:太|很|怎么|大|是很|再|去|给|要|跟|向|会|想|打算)?"
    r"(?:你们|你)?$|\b(?:not|never|won'?t|wouldn'?t|don'?t|didn'?t|no)\b(?:\s+\w+){0,2}\s*$"
)
HYPOTHETICAL_BEFORE = (
    r"会不会|不会是|该不会|别是|可别|怕|担心|万一|是否|如果|假如|防止|避免|有没有|小心|注意|当心|以免|谨防|对[^\s，,]{1,6}$|容易$|"
    r"\b(?:will|could|would|might|can|does|is) (?:it|this|they)\b|in case|afraid|worried"
)
# "爆炸的话怎么办", "过敏的情况能退吗"; an allergy told before asking what the product holds
# ("宝宝对蛋白过敏 这款里面有没有蛋白成分？") is a question, not an incident.
HYPOTHETICAL_AFTER = r"^(?:的话|的情况)|^(?!了)[^。！!]{0,12}(?:里面|成分|含不含|含有|有没有|含).{0,12}[吗嘛?？]"
INQUIRY_CLAUSE = (
    r"怎么|如何|找谁|在哪|哪里|哪儿|渠道|流程|入口|途径|按钮|请问|能不能|能.{0,8}吗|可以.{0,8}吗|"
    r"\bhow (?:do|can|to|does)\b|\bwhere\b|\bwho (?:do|should)\b|is there a way|any way"
)
THIRD_PARTY_BEFORE = (
    r"(?:朋友|闺蜜|同事|室友|我妈|妈妈|我爸|爸爸|老公|老婆|男朋友|女朋友|男友|女友|家人|邻居|别人|有人)"
    r".{0,8}?(?:说|觉得|让我|叫我|劝我|建议我|非要)|"
    r"\b(?:friend|mom|mum|mother|dad|father|wife|husband|gf|bf|girlfriend|boyfriend|sister|brother)s?\b"
    r".{0,20}?\b(?:says?|said|told me|thinks?|wants? me)\b"
)
OTHER_TARGET_AFTER = (
    r"^\s*(?:一下)?(?:那个|这个|下)?(?:快递员|快递小哥|快递公司|快递|物流|我自己|自己)|"
    r"^\s*(?:about |at |with )?(?:the )?(?:courier|delivery|myself)"
)

# Intensity cues (soft). Capitals: words of 3+ letters, not made only of size letters.
EXCLAIM = r"[!！]{2,}"
QUESTION = r"[?？]{2,}|[?？][!！]|[!！][?？]"
CAPITALS = r"\b(?![XSML]+\b)[A-Z]{3,}\b"
STRETCHED = r"([\u4e00-\u9fff])\1{2,}|([a-ln-zA-LN-Z])\2{3,}"
CAPITALS_EXEMPT = frozenset({"USB", "LED", "SKU", "CEO", "DHL", "UPS", "EMS", "SMS", "APP", "PDF",
                             "OMG", "LOL", "CNY", "USD", "VIP", "DIY", "FAQ", "GPS", "NFC"})
LAUGH_CHARS = frozenset("哈呵嘻嘿啦")

# Repetition across turns: a customer turn that chases the same unresolved matter.
CHASE = (
    r"还没|也没|还是没|还是|怎么还|到底|又|仍然|依然|一直|(?:已经)?[一二三四五六七八九十两几\d]+(?:天|周|个?星期|个?月)了|"
    r"\bstill\b|\bagain\b|\byet\b|\balready\b|didn'?t"
)

# The reasons and labels above, as a Chinese-speaking agent reads them.
REASONS_ZH = {"threatens {label}": "威胁{label}", "reports {label}": "反映{label}", "{label}": "{label}"}
LABELS_ZH = {
    "12315": "打12315", "the consumer association": "找消协", "Black Cat Complaints": "黑猫投诉",
    "market regulators": "找市场监管部门", "legal action": "走法律途径", "the media": "找媒体曝光",
    "platform intervention": "申请平台介入", "a chargeback": "信用卡拒付", "consumer protection": "找消费者保护机构",
    "an organised complaint": "集体投诉", "a complaint": "投诉", "a report to the authorities": "举报",
    "the police": "报警", "public exposure": "公开曝光", "a bad review": "给差评",
    "an allergic reaction": "过敏反应", "a burn": "烫伤", "a fire or electrical hazard": "起火或漏电",
    "an injury": "受伤", "food poisoning": "食物中毒", "illness symptoms": "身体不适", "a choking hazard": "误吞或窒息",
    "an expired product consumed": "吃了过期商品", "medical treatment": "已就医", "a safety hazard": "安全隐患",
    "abusive language": "辱骂或脏话", "abuse by shop staff": "被店员辱骂",
    "accuses the shop of fraud or fakes": "指控假货或欺诈", "demands a supervisor": "要求主管处理",
    "says it has asked {n} times": "说已经问了{n}次", "repeated complaint": "反复追问同一件事",
    "gives an ultimatum": "下最后通牒", "angry wording": "愤怒的措辞", "demands compensation": "要求赔偿",
    "mild dissatisfaction": "轻微不满",
}
