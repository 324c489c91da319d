"""Links and the hosts they point to; which hosts a merchant allows."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from publicsuffixlist import PublicSuffixList

# The platform's own hosts: links to them are never flagged.
PLATFORM_HOSTS = frozenset({"taobao.com", "tmall.com", "alipay.com", "aliyun.com"})

# A bare host ("xx.cn/abc", no scheme or www) counts as a link when it ends in a public suffix
# (the Public Suffix List's ICANN part, bundled by `publicsuffixlist`) or a reserved test
# domain; "3.5mm" and "fabric.machine" do not.
RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local", "onion"})
_HOST_CHARS = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_SCHEMED = re.compile(rf"(?:https?|hxxps?|ftp)://((?:{_HOST_CHARS}\.)*{_HOST_CHARS})")
_WWW = re.compile(rf"(?<![a-z0-9.-])(www\.(?:{_HOST_CHARS}\.)+[a-z]{{2,}})")
_BARE = re.compile(rf"(?<![a-z0-9.@/_-])((?:{_HOST_CHARS}\.)+[a-z]{{2,24}})(?![a-z0-9-])")
_PSL = PublicSuffixList(only_icann=True)
_IP = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
# Obfuscated dots: "evil[.]com", "evil(.)com", "evil 。com", "evil点com".
_DOT = re.compile(r"\s*(?:\[\.\]|\(\.\)|（\.）|【\.】|。|点)\s*(?=[a-z])")


def hosts_in(text: str) -> list[str]:
    """Every host a link in `text` points to (lower-case, NFKC-folded text expected)."""
    text = _DOT.sub(".", text)
    found = [m.group(1) for m in _SCHEMED.finditer(text)]
    rest = _SCHEMED.sub(" ", text)
    found += [m.group(1) for m in _WWW.finditer(rest)]
    rest = _WWW.sub(" ", rest)
    found += [m.group(1) for m in _BARE.finditer(rest) if _is_host(m.group(1))]
    found += [m.group(1) for m in _IP.finditer(rest) if _is_ip(m.group(1))]
    return list(dict.fromkeys(h.strip(".") for h in found))


def allowed(host: str, hosts: Iterable[str]) -> bool:
    """A host is allowed when it is one of `hosts` or a subdomain of one."""
    host = host.removeprefix("www.")
    return any(host == h or host.endswith("." + h) for h in hosts)


def normalise_hosts(hosts: Iterable[str]) -> list[str]:
    """A merchant's allowed hosts as stored: lower-case, no scheme, path or "www.";
    `ValueError` naming the first entry that is not a host."""
    out = []
    for raw in hosts:
        host = re.sub(r"^[a-z]+://", "", raw.strip().lower()).split("/")[0].removeprefix("www.")
        if not re.fullmatch(rf"(?:{_HOST_CHARS}\.)+[a-z]{{2,}}", host):
            raise ValueError(f"{raw!r} is not a host name such as shop.example.com")
        out.append(host)
    return sorted(set(out))


def _is_host(name: str) -> bool:
    if name.rsplit(".", 1)[1] in RESERVED_TLDS:
        return True
    suffix = _PSL.publicsuffix(name, accept_unknown=False)
    return suffix is not None and suffix != name


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
