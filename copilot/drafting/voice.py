"""How the store talks: the frame around the quoted facts, in the shopper's language.

The quoted facts stay as the merchant wrote them; the voice gives the greeting, the
clause around each kind of fact, the closing, and the sentences for small talk, for
a question nothing answers (the agent will check: the service records it as a
knowledge gap), for an upset shopper and for outfits. No sentence says that an
action has been done: the promise check (`promises`) would flag it.
"""
from __future__ import annotations

from dataclasses import dataclass

from copilot.language import Language
from knowledge.facts import IN_STOCK, SOLD_OUT


@dataclass(frozen=True)
class Voice:
    greeting: str = "亲，"
    closing: str = "哦~"
    separator: str = "。"
    hello: str = "亲，您好，在的呢~ 请问有什么可以帮您的吗？"
    thanks: str = "亲，不客气哦~ 还有其他问题随时找我~"
    no_answer: str = "亲，这个问题我这边还没有查到确切的信息，我跟同事核实后马上回复您哦~"
    partly: str = "另外您问的「{part}」，我核实后马上回复您"
    apology: str = "亲，非常抱歉给您带来了不好的体验，您反映的问题我们非常重视"
    handover: str = "这边马上为您转交资深同事跟进处理，会尽快给您明确的处理方案，请您稍等哦~"
    this_product: str = "这款"
    other_product: str = "「{title}」"
    attribute: str = "{subject}的{key}是{value}"
    price: str = "{subject}现在的价格是{value}"
    stock: str = "{subject}目前{value}"
    spec: str = "{subject}的规格是{value}"
    description: str = "{subject}：{value}"
    policy: str = "按照本店《{title}》，{value}"
    policy_again: str = "{value}"
    faq: str = "{value}"
    outfit_intro: str = "亲，给您搭配了以下几套方案，您看看喜欢哪一套"
    outfit_label: str = "方案{n}"
    outfit_more: str = "有喜欢的可以直接告诉我"
    outfit_none: str = "亲，"                       # before the note when no outfit could be made
    stock_words: tuple[tuple[str, str], ...] = ()   # the stock status, said in this language


DEFAULT_VOICE = Voice()
ENGLISH_VOICE = Voice(
    greeting="Hi! ", closing=" Anything else I can help with?", separator=". ",
    hello="Hi! Hello, I'm here. How can I help you?",
    thanks="You're welcome! Let me know if there is anything else.",
    no_answer="Hi! I don't have a confirmed answer to this yet. "
              "I'll check with my colleagues and get back to you shortly.",
    partly="As for \"{part}\", I'll check and get back to you",
    apology="Hi, we are very sorry for the trouble, and we take it seriously",
    handover="I'm passing this to a senior colleague right now, who will get back to you "
             "with a clear solution shortly.",
    this_product="This item", other_product="\"{title}\"",
    attribute="{subject}, {key}: {value}", price="{subject} is priced at {value}",
    stock="{subject}: {value}", spec="{subject}, size/spec: {value}",
    description="{subject}: {value}", policy="Per our store policy 《{title}》: {value}",
    policy_again="also: {value}", faq="{value}",
    outfit_intro="Hi! Here are some outfits put together for you, see which one you like",
    outfit_label="Outfit {n}", outfit_more="Tell me which one you like.", outfit_none="Hi! ",
    stock_words=((IN_STOCK, f"in stock ({IN_STOCK})"), (SOLD_OUT, f"sold out for now ({SOLD_OUT})")),
)
VOICES: dict[Language, Voice] = {"zh": DEFAULT_VOICE, "en": ENGLISH_VOICE}


def voice_for(language: Language, store_voice: Voice = DEFAULT_VOICE) -> Voice:
    """The store's own voice for Chinese, the English frame for English questions."""
    return store_voice if language == "zh" else VOICES[language]
