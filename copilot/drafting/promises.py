"""The promise check: a draft must not say that an action happened when the system did not do it.

"已经帮您记录", "已为您申请退款", "I have transferred you" tell the shopper something was
done. The copilot does few things by itself (it escalates a conversation to senior
agents; it records unanswered questions as knowledge gaps); any other claimed action
(a refund, a shipment, a change of address) is the agent's to do, so a draft claiming it
is flagged for the agent, the way an ungrounded number is. Promises about the future
("我核实后回复您", "马上为您转交") are not claims and pass.
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# action -> the verbs that claim it (Chinese, after 已/已经; English, after I/we have)
ACTIONS: dict[str, tuple[str, str]] = {
    "escalate": (r"转接|转交|转给|转到|升级|请(?:了)?(?:资深|高级)?(?:同事|主管|专员)|交给(?:了)?(?:资深|高级)?(?:同事|主管|专员)",
                 r"transferred|escalated|handed (?:it |this |you )?over|passed (?:it|this|you) (?:on|to)"),
    "record": (r"记录|登记|备注|记下|反馈给|上报|提交", r"recorded|noted|logged|reported|submitted|filed"),
    "refund": (r"退款|退钱|退回(?:了)?(?:款|钱)|原路退回|返还|补偿|赔付|打款",
               r"refunded|reimbursed|compensated|issued (?:a|the|your) (?:refund|credit|coupon)"),
    "ship": (r"发货|发出|寄出|补发|重新发|安排(?:了)?(?:发|寄|补)|换货", r"shipped|sent (?:it|you|a|the)|dispatched|resent"),
    "change": (r"修改|改好|更改|取消|拦截|催(?:促)?(?:了)?(?:快递|物流|仓库)", r"changed|updated|cancell?ed|modified"),
}
_ZH_CLAIM = r"(?:已经|已|刚刚|刚才|这边已经|这边已)(?:经)?\s*(?:帮您|为您|给您|替您|帮你|为你|给你)?\s*(?:把[^，。,.!！?？]{0,10})?"
_EN_CLAIM = r"\b(?:i|we)(?:'ve| have)(?: already| just)?\s+|\b(?:has|have) (?:already )?been\s+"


@dataclass(frozen=True)
class PromiseReport:
    unkept: list[str]          # the phrases that claim an action the system did not take

    @property
    def ok(self) -> bool:
        return not self.unkept


# "已修改裤长的裤子" describes the goods, it claims nothing: a 的 right after the verb.
_NOT_ADJECTIVE = r"(?![^，。,.!！?？]{0,4}的)"
_ZH_VIA = r"(?:申请|办理|安排|处理|操作)?了?"     # "已为您申请退款": the action after a verb of arranging
_PATTERNS = [(action, re.compile(f"{_ZH_CLAIM}{_ZH_VIA}(?:{zh}){_NOT_ADJECTIVE}"), re.compile(f"(?:{_EN_CLAIM})(?:{en})", re.I))
             for action, (zh, en) in ACTIONS.items()]


def check(draft: str, *, done: Collection[str] = ()) -> PromiseReport:
    """Every claim in `draft` of an action (see `ACTIONS`) that is not among those `done`."""
    unkept: list[str] = []
    for action, zh, en in _PATTERNS:
        if action in done:
            continue
        unkept += [m.group().strip() for m in zh.finditer(draft)]
        unkept += [m.group().strip() for m in en.finditer(draft)]
    return PromiseReport(list(dict.fromkeys(unkept)))
