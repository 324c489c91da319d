"""The escalation assessor: general rules on sentences of our own, then the sample eval sets."""
from __future__ import annotations

import pytest
from conftest import sample

from copilot.errors import ConfigError
from copilot.escalation import DEFAULT_THRESHOLDS, Assessment, Thresholds, assess
from copilot.turns import Turn
from evals.cases import load_cases

C, A = "customer", "agent"

# Our own messages that must raise an escalation, with a word every reason list must hold.
CRITICAL = [
    ("再不给我处理，我就去消费者协会反映，顺便咨询律师", "consumer association"),
    ("买的电热毯半夜冒火星，被子都烧了个洞！！", "fire"),
    ("宝宝用了你们的湿巾脸上全是疹子，已经带去看医生了", "allergic"),
    ("你们就是一群骗子，收钱不发货", "fraud"),
    ("什么破店，客服是猪吗", "abusive"),
    ("孩子玩你们的玩具被划破了手，流了好多血", "injury"),
    ("我要在抖音上发视频曝光你们这家店", "public exposure"),
    ("衣服质量差得要命，客服又一直敷衍，我要投诉你们", "complaint"),
    ("退款都一个月了还没到，我已经联系律师了", "legal action"),
    ("我再说最后一遍，今天不退款我就去消协", "consumer association"),
    ("已经在小红书上发了避雷帖，等着吧", "public exposure"),
    ("I want to speak to your manager right now, this is the third time I'm asking!!", "supervisor"),
    ("My son burned his hand on this kettle. Unacceptable.", "burn"),
    ("If I don't get my money back by Friday I'm calling my bank for a chargeback", "chargeback"),
    ("This is a scam. Fake leather, and I'm reporting you to the police.", "police"),
    ("Your product gave me hives and I ended up at the hospital", "allergic"),
    ("SERIOUSLY?? 你们发来的是二手机，this is fraud, 我要去12315", "12315"),
    ("客服是机器人吗 get me a real human, 不然我就给差评发到所有平台", "organised"),
    ("你们客服是不是都死了？两天没人回", "abusive"),
    ("手机刚买一周屏幕就鼓包了，电池膨胀，吓得我不敢用", "fire"),
    ("你们的客服骂人？？我要找你们主管", "abuse by shop staff"),
    ("the strap snapped and my phone cracked, unbelievable. Refund me or I'm filing a dispute",
     "chargeback"),
    ("你们的电暖器把我家孩子的腿烫起泡了", "burn"),
    ("今天不给我换货我就每天来刷你们的评论区", "organised"),
    ("客服态度恶劣，我要求跟你们的负责人通话，否则我去平台申诉", "platform"),
]

# Our own calm or mildly unhappy messages: strong words used for praise, jokes, calm
# questions about complaints, someone else's threat, worries that are not incidents.
CALM = [
    "这件衬衫太好看了吧，气死我了怎么才发现",
    "美哭了，绝绝子，已经安利给全办公室",
    "这个价格杀疯了，我要囤十件",
    "请问如果要投诉的话，流程是怎么样的？",
    "请问你们的售后投诉电话是多少？我想咨询一下保修",
    "快递员态度好差，要投诉快递员找哪里",
    "我闺蜜说要是她就投诉你们了，我觉得没必要，换个码就行",
    "我老公说我再买衣服他就要报警了哈哈",
    "客服小姐姐太温柔了吧，我要投诉你们对我太好了😂",
    "这款霜敏感肌用会不会过敏啊",
    "不会是假货吧？想确认一下是不是正品",
    "我不想投诉，只是想换个货",
    "这个裙子第三次回购了，每次都很满意",
    "有点小失望，颜色偏暗，能换个色吗",
    "扫地机器人怎么连wifi",
    "LOVE it!!! the color is PERFECT",
    "Can you tell me how to file a complaint about the courier? He was rude.",
    "I'm not going to complain, just wanted to say the box was a bit damaged",
    "I'm allergic to nickel, is the watch strap nickel-free?",
    "Can I speak to someone about a bulk order? Maybe a manager?",
    "lol 这个 hoodie is insane 我要再买一件",
    "这个耳机是发烧级的吗",
    "这条裙子好看到爆炸",
    "羽绒服的蓬松膨胀度是多少",
    "我有病吧一口气买了五件",
    "说明书上写着小心烫伤，这个要怎么用才安全？",
    "已经第三次买了，一如既往的好",
    "这个充电器会不会把手机充坏啊",
    "这个版型绝了，穿上显瘦十斤，我要疯了",
    "I almost cried when I opened it, so beautiful!!",
]


@pytest.mark.parametrize("message, reason", CRITICAL)
def test_critical_messages_escalate_with_a_reason_the_agent_can_read(message, reason):
    result = assess(message)
    assert result.escalate and result.level == 3
    assert any(reason in r for r in result.reasons), result.reasons


@pytest.mark.parametrize("message", CALM)
def test_calm_messages_do_not_escalate(message):
    result = assess(message)
    assert not result.escalate and result.level <= 1, result


def test_praise_does_not_cancel_a_complaint_after_but():
    assert not assess("衣服挺好看的，客服态度也不错").escalate
    assert assess("衣服挺好看的，但是客服态度太差了，我要投诉你们").escalate


def test_a_laugh_does_not_cancel_a_safety_incident_or_an_authority():
    assert assess("哈哈 充电宝把沙发烧焦了").escalate
    assert assess("笑死，你们再不退款我就打12315").escalate


def test_negation_voids_the_threat():
    assert not assess("放心，我不会给差评的，就是想换个颜色").escalate
    assert assess("不退款我就给差评，再去12315").escalate


def test_a_thread_whose_latest_message_settles_it_is_calm():
    history = [Turn(C, "怎么回事！！！收到的杯子是碎的，你们到底管不管"),
               Turn(A, "亲，非常抱歉，已经给您补发新的了~")]
    angry_again = assess("到底管不管？？再拖就投诉", history)
    settled = assess("问题解决了，谢谢你们这么快处理", history)
    assert angry_again.escalate
    assert not settled.escalate and settled.level == 0


def test_the_same_matter_raised_three_times_is_named_and_tips_anger_over():
    history = [Turn(C, "退款申请五天了没人处理"), Turn(A, "亲，已经催促财务了哦~"),
               Turn(C, "还是没到账"), Turn(A, "亲，已经催促财务了哦~")]
    with_history = assess("到底什么时候处理？？你们有没有人管", history)
    alone = assess("到底什么时候处理？？你们有没有人管")
    assert with_history.escalate and not alone.escalate
    assert any("3rd time asking" in r for r in with_history.reasons)
    assert any("same reply 2 times" in r for r in with_history.reasons)


def test_repeated_calm_questions_do_not_escalate():
    history = [Turn(C, "什么时候发货"), Turn(A, "亲，48小时内发货哦"),
               Turn(C, "今天还是发不了吗"), Turn(A, "亲，尽量今天发出哦")]
    result = assess("还没发货吗，想确认一下", history)
    assert not result.escalate


def test_a_supervisor_demand_escalates_after_failed_help_only():
    history = [Turn(C, "发错货了"), Turn(A, "亲，麻烦拍个照片")]
    assert not assess("叫你们经理出来").escalate
    assert assess("叫你们经理出来", history).escalate


def test_an_earlier_threat_is_carried_into_an_angry_follow_up():
    history = [Turn(C, "再不发货我就去12315"), Turn(A, "亲，马上安排")]
    result = assess("搞什么？？还没发？！", history)
    assert not assess("搞什么？？还没发？！").escalate
    assert result.level == 3
    assert any(r.startswith("earlier: ") for r in result.reasons)


def test_score_and_level_grow_with_the_evidence():
    calm, unhappy, angry, critical = (assess(m) for m in (
        "请问有M码吗", "有点失望", "搞什么！！气死了", "搞什么！！气死了，我要去法院起诉你们"))
    assert calm.score < unhappy.score < angry.score < critical.score
    assert [calm.level, unhappy.level, angry.level, critical.level] == [0, 1, 2, 3]


def test_thresholds_per_merchant_change_the_decision():
    sensitive = Thresholds(escalate_level=2)
    message = "搞什么！！气死了"
    assert not assess(message).escalate
    assert assess(message, thresholds=sensitive).escalate
    strict = Thresholds(level_cutoffs=(0.2, 0.5, 0.95))
    assert not assess("我要投诉你们", thresholds=strict).escalate


@pytest.mark.parametrize("kwargs", [{"escalate_level": 0}, {"escalate_level": 4},
                                    {"level_cutoffs": (0.5, 0.4, 0.9)},
                                    {"level_cutoffs": (0.1, 0.5)}])
def test_bad_thresholds_are_config_errors(kwargs):
    with pytest.raises(ConfigError):
        Thresholds(**kwargs)


def test_to_dict_is_json_ready():
    result = assess("我要投诉你们！！")
    data = result.to_dict()
    assert data == {"level": result.level, "label": "critical", "score": result.score,
                    "escalate": True, "reasons": result.reasons}
    assert isinstance(result, Assessment) and DEFAULT_THRESHOLDS.escalate_level == 3


def _decisions(path):
    cases = [c for c in load_cases(path) if c.expect.escalate is not None]
    return [(c, assess(c.message, c.turns).escalate) for c in cases]


def _precision_recall(pairs):
    tp = sum(1 for c, got in pairs if got and c.expect.escalate)
    fp = sum(1 for c, got in pairs if got and not c.expect.escalate)
    fn = sum(1 for c, got in pairs if not got and c.expect.escalate)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize("parts", [("anger.jsonl",), ("fashion", "eval.jsonl")])
def test_sample_escalation_cases_meet_precision_and_recall(parts):
    pairs = [(c, got) for c, got in _decisions(sample(*parts)) if c.expect.kind == "escalation"]
    precision, recall = _precision_recall(pairs)
    assert len(pairs) >= 20
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


@pytest.mark.parametrize("merchant", ["fashion", "gadgets"])
def test_no_false_alarm_on_sample_questions_and_outfit_requests(merchant):
    pairs = [(c, got) for c, got in _decisions(sample(merchant, "eval.jsonl"))
             if c.expect.kind in ("reply", "outfit") and not c.expect.escalate]
    assert pairs
    assert [c.id for c, got in pairs if got] == []
