"""The safety check: text a draft must never pass on to a shopper silently.

Four kinds of finding, each with a reason in Chinese for the agent's screen:

- `link`: a link to a host the merchant has not allowed (`hosts`);
- `credentials`: asking for a password, card number, CVV, SMS code or payment code;
- `off_platform`: moving the conversation or the payment off the platform (WeChat, QQ,
  a phone number, a private transfer);
- `instruction`: text addressed to an assistant to change what it does ("忽略以上规则",
  "ignore previous instructions", a fake system notice).

`scan` reads any text: a draft, a knowledge record's field, a shopper message. The
pipeline flags a draft's own findings and those of the sources and message it stands on;
the composer never quotes a fact with a finding; uploads report them as warnings (file,
line, field) and store the records.
"""
from copilot.safety.hosts import PLATFORM_HOSTS, normalise_hosts
from copilot.safety.scan import Finding, flagged, scan

__all__ = ["Finding", "PLATFORM_HOSTS", "flagged", "normalise_hosts", "scan"]
