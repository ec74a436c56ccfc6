"""Reading a target: `https://CLUSTER[.REGION].kusto.windows.net[/DATABASE]`,
`http://127.0.0.1:PORT/DB`, or a Kusto connection string
(`Data Source=...;Initial Catalog=...;Fed=true`, with the SDK's keyword aliases).

Pure parsing, no SDK: the command line decides with it whether an argument is a
cluster, and the tests read it without the Azure extra.  The connection string
may carry secrets (AppKey, tokens, passwords): `TargetSpec.display` never shows
them, and nothing here prints the text it was given.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# Keyword aliases, as the SDK's kcsb.json lists them (lower case, spaces removed).
_DATA_SOURCE = frozenset({"datasource", "server", "addr", "address", "networkaddress"})
_DATABASE = frozenset({"initialcatalog", "database"})
_FEDERATED = frozenset({"aadfederatedsecurity", "federatedsecurity", "aadfed", "fed", "federated"})
# Keywords that carry a credential: with one of them the connection string chooses its own
# authentication, as it would in any other Kusto client.
_CREDENTIALS = frozenset({
    "applicationkey", "appkey", "applicationtoken", "apptoken", "usertoken", "usrtoken",
    "password", "pwd", "applicationcertificatethumbprint", "appcert", "applicationcertificateblob",
})


_SECRET_VALUE = re.compile(r"(?i)\b(application\s*key|app\s*key|application\s*token|app\s*token|user\s*token|"
                           r"usr\s*token|password|pwd|application\s*certificate\s*thumbprint|app\s*cert|"
                           r"application\s*certificate\s*blob)(\s*=\s*)[^;\n]*")


def redact(text: str) -> str:
    """`text` with the values of connection-string credentials replaced by ****
    (the shell's history file never keeps a secret typed in `#connect`)."""
    return _SECRET_VALUE.sub(lambda m: m.group(1) + m.group(2) + "****", text)


class TargetSpecError(ValueError):
    """A target that cannot be a cluster (the message never quotes the whole text: it may hold secrets)."""


@dataclass(frozen=True)
class TargetSpec:
    connection_string: str  # for the SDK's builders: "Data Source=URL;Initial Catalog=DB;..."
    url: str                # scheme://host[:port]
    database: str | None
    has_credentials: bool   # the connection string names its own credentials
    federated: bool | None  # AAD Federated Security as given, None when absent

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def loopback(self) -> bool:
        """A server on this machine (`kshell serve`, the Kusto emulator)."""
        host = self.host
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def display(self) -> str:
        """Where requests go, safe to show: the cluster URL (never the connection string)."""
        return self.url


def _normalize(key: str) -> str:
    return "".join(key.split()).lower()


def _split_url(url: str) -> tuple[str, str | None]:
    """(scheme://host[:port], database named by the path or None)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TargetSpecError("a cluster URL looks like https://CLUSTER.REGION.kusto.windows.net[/DATABASE]")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise TargetSpecError(f"invalid port in the cluster URL '{parts.scheme}://{parts.netloc}'") from None
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > 1:
        raise TargetSpecError("a cluster URL names at most one database: https://CLUSTER/DATABASE")
    base = f"{parts.scheme.lower()}://{parts.netloc}"
    return base, (segments[0] if segments else None)


# Kusto.Cli's and KQL's way of naming a cluster: cluster('help').database('Samples')
CLUSTER_CALL = re.compile(r"""^\s*cluster\(\s*(['"])([^'"]+)\1\s*\)"""
                          r"""(?:\s*\.\s*database\(\s*(['"])([^'"]+)\3\s*\))?\s*$""", re.IGNORECASE)


def cluster_url(name: str) -> str:
    """A cluster() name as a URL, as Kusto resolves it: `help` is https://help.kusto.windows.net."""
    name = name.strip()
    if re.match(r"^https?://", name, re.IGNORECASE):
        return name
    # a full host name is kept; a bare or region-qualified name gets Kusto's public suffix
    if re.search(r"\.kusto(mfa)?\.|\.windows\.net$|\.microsoft\.com$|^localhost\b|^\d+\.\d+\.\d+\.\d+", name,
                 re.IGNORECASE):
        return f"https://{name}"
    return f"https://{name}.kusto.windows.net"


def parse_target(text: str) -> TargetSpec:
    """A cluster URL, `cluster('NAME')[.database('DB')]` or a connection string, as a
    TargetSpec; TargetSpecError otherwise."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1].strip()  # a connection string quoted as on a command line
    if not text:
        raise TargetSpecError("no cluster given")
    m = CLUSTER_CALL.match(text)
    if m:
        url, database = _split_url(cluster_url(m.group(2)))
        return _from_pairs(url, m.group(4) or database, [])
    first = text.partition(";")[0]
    if "=" not in first:
        # a URL, possibly followed by ";key=value" pairs (the SDK accepts that too)
        url, database = _split_url(first)
        rest = text[len(first):]
        return _from_pairs(url, database, _pairs(rest))
    pairs = _pairs(text)
    source = next((v for k, v in pairs if _normalize(k) in _DATA_SOURCE), None)
    if not source:
        raise TargetSpecError("the connection string has no Data Source (the cluster URL)")
    url, database = _split_url(source)
    return _from_pairs(url, database, [(k, v) for k, v in pairs if _normalize(k) not in _DATA_SOURCE])


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in text.split(";"):
        if not item.strip():
            continue
        key, eq, value = item.partition("=")
        if not eq or not key.strip():
            raise TargetSpecError("a connection string is KEY=VALUE pairs separated by ';'")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _from_pairs(url: str, database: str | None, pairs: list[tuple[str, str]]) -> TargetSpec:
    named = next((v for k, v in pairs if _normalize(k) in _DATABASE), None)
    database = named or database
    federated = None
    for k, v in pairs:
        if _normalize(k) in _FEDERATED:
            if v.lower() not in ("true", "false"):
                raise TargetSpecError(f"'{k}' is true or false, not '{v}'")
            federated = v.lower() == "true"
    has_credentials = any(_normalize(k) in _CREDENTIALS and v for k, v in pairs)
    rest = [(k, v) for k, v in pairs if _normalize(k) not in _DATABASE]
    items = [("Data Source", url)] + ([("Initial Catalog", database)] if database else []) + rest
    connection_string = ";".join(f"{k}={v}" for k, v in items)
    return TargetSpec(connection_string, url, database, has_credentials, federated)
