"""The patterns of the credential, off-platform and instruction findings.

They run on "squeezed" text (`scan.squeeze`): NFKC-folded, lower-case, without spaces,
emoji, zero-width characters or the dots and dashes people put inside words to dodge
filters ("加 微 信", "v.x", "Ｗｅｃｈａｔ", "➕薇❤️"), and with runs of Chinese digits as
digits. Each rule is written over general words of the trade (payment, accounts, chat apps,
assistants), never over one shop's text, in Chinese and English (code-mixed text matches
both).

A credential or off-platform match is no finding when its clause negates it before the
match ("请勿…", "客服不会索要…", "不需要把卡号提供给客服", "never share…") or its
sentence warns about a scam ("谨防诈骗", "有人自称客服…", "report it"): that is a warning
to the shopper, not a request. Instructions to an assistant count however they are put.
"""
from __future__ import annotations

import re

# --- credentials ------------------------------------------------------------------------
_SECRET_ZH = (r"(?:支付|银行卡|取款|交易|登录|登陆|账户|账号|帐号|淘宝|支付宝|微信|网银|查询|锁屏|开机|解锁|"
              r"id|icloud)密码|(?:账号|帐号|账户)(?:和|及|与|、|/|\+)密码|"
              r"(?:银行|信用|储蓄)?卡号|卡的?号码|cvv2?|cvc|安全码|(?:短信|手机|动态|登录|支付)?验证码|"
              r"动态码|校验码|付款码|收款码|身份证号码?|u盾|网银口令|口令卡")
_GIVE_ZH = (r"索要|索取|要求提供|需要提供|拿一下|要一下|找你拿|找你要|输入|提供|告诉|告知|发送|发给|发来|发我|报一下|报给|报出|报下|填写|填入|"
            r"填一下|提交|回复|私信|给我|给客服|截图|拍照|核对|验证|登记|留下|念一下|说一下|读一下")
_PASSWORD_CONTEXT = r"银行|支付|账户|账号|帐号|淘宝|支付宝|微信|卡|登录|登陆|退款|链接|页面|网址|网站|客服|官网"
_SECRET_EN = (r"(?:(?:bank|card|account|login|payment|alipay|taobao|apple(?: id)?|icloud) )?"
              r"(?:password|passcode|pin(?: code)?|card number|card no|cvv2?|cvc|security code|"
              r"verification code|otp|one[- ]time (?:pass)?code|sms code|payment code|id (?:card )?number|"
              r"bank details|card details|expiry date)")
_GIVE_EN = (r"enter|provide|send|share|give|tell|type|submit|confirm|verify|reply|text|input|fill in|email|"
            r"upload|key in")

CREDENTIALS_ZH = (
    re.compile(r"(?:打开|登录|登陆)(?:手机)?(?:银行|网银|支付宝|微信支付)(?:app|客户端|软件)?.{0,8}?(?:操作|转账|输入|验证)"),
    re.compile(rf"(?:{_GIVE_ZH}).{{0,12}}?(?:{_SECRET_ZH})"),
    re.compile(rf"(?:{_SECRET_ZH})(?:和|及|以及|、|,|，)?.{{0,8}}?(?:发给|发到|发送|告诉|提供|填写|填到|"
               rf"填入|输入|报给|私信|回复给|发过来|发我)"),
    re.compile(rf"(?:{_GIVE_ZH}).{{0,10}}?密码.{{0,10}}?(?:{_PASSWORD_CONTEXT})"),
    re.compile(rf"(?:{_PASSWORD_CONTEXT}).{{0,14}}?(?:{_GIVE_ZH}).{{0,6}}?密码"),
)
CREDENTIALS_EN = (
    re.compile(rf"\bask(?:s|ed|ing)?\b[^.!?。！？]{{0,30}}?\bfor\b[^.!?。！？]{{0,30}}?\b{_SECRET_EN}\b"),
    re.compile(rf"(?:\b(?:{_GIVE_EN})\b|{_GIVE_ZH})[^.!?。！？]{{0,40}}?\b{_SECRET_EN}\b"),
    re.compile(rf"\b{_SECRET_EN}\b[^.!?。！？]{{0,20}}?\b(?:to us|to me|to (?:the|our) (?:agent|staff|team)|"
               rf"below|here)\b"),
)

# --- off the platform -------------------------------------------------------------------
_APPS_ZH = r"微信|威信|薇信|维信|徽信|v信|vx|wx|qq|扣扣|企鹅号|钉钉|飞书|微博私信|抖音|快手|小红书"
_APPS_EN = r"wechat|weixin|whatsapp|telegram|qq|skype|vx|wx|tg|line id|signal app"
_HANDLE = r"[a-z0-9_-]{4,}"
OFF_PLATFORM_ZH = (
    re.compile(rf"(?:加|添加|联系|找|私聊|私信|扫|搜|搜索|关注|通过|进)(?:一下)?(?:我|我们|本人|店主|老板|客服|"
               rf"小编|掌柜|卖家|商家|官方)?(?:的)?(?:个人|私人|工作|售后|官方)?(?:{_APPS_ZH}|{_APPS_EN})"),
    re.compile(rf"(?:{_APPS_ZH})(?:号|id|账号|帐号|号码|群|群号)?(?:[:：是为]|@)?{_HANDLE}"),
    re.compile(rf"(?:{_APPS_ZH})(?:号|id|账号|帐号|号码|群|群号)[:：是为]"),
    re.compile(rf"加(?:我|我们|店主|老板|客服|掌柜|卖家|小编)?(?:的)?(?:v|薇|威|微|卫)(?:信)?[:：]?{_HANDLE}"),
    re.compile(r"(?:私下|线下|场外|站外|绕过平台|不走平台|脱离平台)(?:交易|转账|付款|支付|联系|沟通|退款|打款|收款)"),
    re.compile(r"(?:转账|打款|汇款|付款|支付)(?:到|给|至)(?:我|个人|本人|店主|老板|以下|这个|下面|对方)"),
    re.compile(r"(?:支付宝|银行卡|微信)(?:转账|打款|汇款)"),
    re.compile(r"(?:(?<!\d)|(?<=\+86)|(?<=0086))1[3-9]\d{9}(?!\d)"),
    re.compile(r"(?:电话|致电|拨打|打)[:：]?\+?\d{0,3}0\d{2,3}\d{7,8}(?!\d)"),
    re.compile(r"(?:私人|个人)(?:电话|手机|号码|微信|账户|账号|收款码|银行卡)"),
    re.compile(r"屏幕共享|共享屏幕|远程(?:协助|控制|桌面|操作)|腾讯会议|teamviewer|anydesk|向日葵远程"),
    re.compile(r"(?:微信|qq|支付宝)扫(?:一扫|码)(?:进群|加群|加好友|添加|付款|转账)?|扫码(?:进群|加群|加好友)|"
               r"(?:粉丝|福利|vip|售后|返现|内部)群"),
    re.compile(r"\.apk|下载(?:我们|本店)?的?(?:独立|专属|官方)?(?:app|客户端)"),
)
# Off-platform requests that carry their own negation ("别走平台了"): no negation excuses them.
OFF_PLATFORM_ZH_ALWAYS = (
    re.compile(r"(?:别|不要|不用|不必|甭)(?:再)?(?:走|通过|经过|在)平台"),
)
OFF_PLATFORM_EN = (
    re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"),
    re.compile(rf"\b(?:add|contact|message|text|reach|dm|find|ping|call|join|chat with)\b[^.!?。！？]{{0,30}}?"
               rf"\b(?:on|via|at|through|in)\s+(?:{_APPS_EN})\b"),
    re.compile(rf"\b(?:{_APPS_EN})\b\s*(?:(?:id|number|account|handle|group)\s*[:：]?|[:：@])\s*@?{_HANDLE}"),
    re.compile(r"\b(?:call|phone|tel)\b\s*[:：]?\s*\+?[\d\s-]{10,}"),
    re.compile(r"\b(?:pay|transfer|send (?:the )?money)\b(?: (?:me|us))?\s+(?:directly|privately|outside|offline|"
               r"via bank transfer|to my personal)"),
    re.compile(r"\b(?:outside (?:of )?|skip |bypass |off )(?:the )?(?:platform|taobao|tmall|app)\b|\boff-platform\b"),
    re.compile(rf"\b(?:{_APPS_EN})\s+(?:us|me|our)\b"),
)

# --- instructions to an assistant -------------------------------------------------------
_AI_ZH = r"ai|助手|机器人|模型|智能客服|客服助理|大模型|gpt|人工智能"
_OVERRIDE = r"忽略|无视|忘记|忘掉|抛开|抛弃|不要理会|不用理会|跳过|覆盖|取消|绕过|不再遵守|不用遵守"
_QUALIFIER = r"之前|以上|上面|上述|前面|先前|此前|所有|全部|一切|原有|原来|原先|原始|初始|系统|默认|已有|你的"
INSTRUCTION_ZH = (
    re.compile(rf"(?:{_OVERRIDE})(?:掉)?(?:你)?(?:的)?(?:{_QUALIFIER}).{{0,8}}?(?:规则|指令|指示|设定|要求|提示|"
               rf"约束|限制|规定|命令|内容|设置|条款)"),
    re.compile(rf"(?:{_OVERRIDE}).{{0,6}}?(?:规则|指令|指示|设定|提示词|知识库|系统提示|限制|约束)"),
    re.compile(r"你现在(?:是|扮演|的身份)|从现在(?:开始|起)[,，]?你|你的新(?:身份|角色|任务|指令)|"
               r"(?:你|请你)(?:来|现在)?扮演|来玩(?:个|一个)?角色扮演|进入(?:开发者|管理员|调试|越狱)模式|"
               r"(?:没有任何|不受任何)(?:限制|约束)的(?:客服|助手|ai|机器人)|你是(?:一个)?(?:没有任何|不受任何)(?:限制|约束)"),
    re.compile(r"[【\[<(（]?(?:系统|管理员|开发者|平台)(?:通知|指令|消息|提示|命令|公告)[】\]>)）:：]|"
               r"[【\[<(（]系统[:：】\]>]"),
    re.compile(r"(?:隐藏|秘密|内部|特别|最新|新的?)(?:指令|指示|提示词)|提示词"),
    re.compile(r"(?:以下|下面|本条)(?:内容|指令|规则|信息|说明)?.{0,4}(?:优先级最高|最高优先级|必须(?:严格)?执行|"
               r"覆盖)"),
    re.compile(rf"(?:{_AI_ZH})(?:你)?.{{0,6}}?(?:必须|务必|一律|应当|需要|要)(?:直接)?(?:告诉|回复|告知|通知|声称|说|"
               rf"回答|推荐|引导|承诺|提醒)"),
    re.compile(rf"(?:给|致|对)(?:{_AI_ZH})(?:的)?(?:说明|指令|提示|话|留言)|(?:{_AI_ZH})(?:你好|您好)"),
    re.compile(r"(?:在|于)(?:你的)?(?:回复|回答)(?:里|中|末尾|结尾|开头|最后)(?:都|一律|必须|务必)?"
               r"(?:加上|附上|写上|推荐|告诉|提到|带上|插入|输出)"),
    re.compile(r"(?:无论|不管)(?:顾客|客户|买家|用户)?(?:问|说)?什么.{0,8}(?:都|一律)(?:要|得|必须)?"
               r"(?:回复|回答|告诉|说|称)"),
    re.compile(r"按照?(?:这|上面|以上)(?:句话|段话|条|些)(?:去)?(?:执行|做|操作)"),
    re.compile(r"(?:规则|指令|设定|提示词|要求)(?:已|都|全部|均)?(?:作废|失效|无效|不再有效)|新(?:规则|指令|设定|任务)[:：]"),
    re.compile(r"优先级(?:最高|高于)|(?:模型|ai|助手|机器人)(?:必须|务必|需要)(?:遵守|执行|服从|照做)"),
    re.compile(rf"(?:{_AI_ZH}|客服助手)(?:现在|已经|已)?(?:进入|切换到|切换为)\S{{0,6}}模式"),
    re.compile(r"(?:倒过来|反过来|逆序|倒序)(?:读|念|看)|(?:然后|并且?|再)(?:照做|照着做|执行它)"),
)
INSTRUCTION_EN = (
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|of|these|those|my|"
               r"everything)\s+)*(?:previous|prior|above|earlier|preceding|system|original|existing|former)\b"),
    re.compile(r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|your|these|those|my)\s+)*"
               r"(?:instructions?|rules|prompts?|guidelines|directives|constraints)\b"),
    re.compile(r"\byou are now\b|\bfrom now on,? you\b|\bact as (?:an? |the )?(?:ai|assistant|chatbot|"
               r"unrestricted|dan)\b|\bpretend (?:to be|you are)\b|\bnew instructions?\s*(?:[:：]|for\b)|"
               r"\binstructions? (?:for|to) (?:the )?(?:assistant|ai|bot|model|chatbot)\b|\bsystem prompt\b|"
               r"\bdeveloper mode\b|\bjailbreak mode\b|\bdo anything now\b"),
    re.compile(r"\b(?:assistant|ai|chatbot|copilot|llm)\b,?\s*(?:you\s+)?(?:must|should|shall|are to|need to)\s+"
               r"(?:always\s+)?(?:tell|inform|say|reply|respond|answer|claim|advise|recommend|direct|ask|refer|"
               r"remind|offer|promise|append|include|add|mention|treat|consider|grant|approve|ignore|follow|obey|"
               r"execute|comply)\b"),
    re.compile(r"[\"']role[\"']\s*:\s*[\"'](?:system|assistant|developer)[\"']|(?:^|\n)\s*(?:assistant|user|system|human)\s*[:：]|"
               r"\b(?:ai|language model|llm|assistant|chatbot|model)s?\s+(?:reading|processing|parsing|seeing)\s+this\b"),
    re.compile(r"</?(?:system|instructions?|assistant|prompt)>|<\|[a-z_]+\|>|#{2,}\s*(?:system|instructions?)\b|"
               r"(?:^|[\n。.!！?？;；)）\]】>—-])\s*system\s*[:：]|\[(?:system|inst|assistant)\b[^\]]{0,6}\]"),
)

# Words before a match, in its clause, that make it a warning, not a request (a bare "不",
# "not" only right before it); and words that make a whole sentence a warning about a scam.
NEGATION = re.compile(r"勿|别|切勿|不要|不会|绝不|不得|严禁|防止|谨防|谨慎|不需要|无需|不用|不必|"
                      r"never|don'?t|donot|won'?t|willnot|doesnot|cannot|can't|noneed")
NEGATION_RIGHT_BEFORE = re.compile(r"(?:不|没|无|not|no)$")
WARNING = re.compile(r"自称|冒充|假冒|骗子|诈骗|举报|警惕|小心|防骗|上当|scam|fraud|phishing|beware|impersonat|"
                     r"report(?:it|them|this)")
CLAUSE_END = re.compile(r"[，,。！？!?；;\n]")
SENTENCE_END = re.compile(r"[。！？!?；;\n]")
