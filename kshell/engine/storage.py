"""Simulated Azure Storage: accounts backed by real files, role assignments,
connection-string credentials and the one access decision every storage flow uses.

URIs map onto a directory (the *storage dir*):

    https://ACCOUNT.blob.core.windows.net/CONTAINER/PATH   -> DIR/ACCOUNT/CONTAINER/PATH
    https://ACCOUNT.dfs.core.windows.net/FS/PATH            -> DIR/ACCOUNT/FS/PATH
    abfss://FS@ACCOUNT.dfs.core.windows.net/PATH            -> DIR/ACCOUNT/FS/PATH

so a user can drop a CSV file in and ingest it, and open what an export wrote.
The storage dir is `--storage DIR`, else a `storage/` folder beside the state
file, else (in-memory cluster) a temporary directory removed at exit.  It is
kept on the session (`session.storage_dir`), never in the state file.

Accounts and their role assignments (Storage Blob Data Reader / Contributor)
live in `cluster.storage_accounts` (name -> StorageAccount) so the state file
keeps them.  An account exists when it has a record or a directory.

Credentials (spec 6.5): `;managed_identity=system|OBJECTID`, `;impersonate`
(the calling principal), a SAS query `?sv=...&sig=...`, an account key `;KEY`
or `;sharedkey=KEY`, `;token=...`.  Keys, SAS and tokens are accepted for any
account (the simulator does not validate secrets); identities and
impersonated principals need a storage role on the account.  Secrets are
masked (`;*******`) in every output.
"""

from __future__ import annotations

import atexit
import errno
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import parse_qs

from kshell.errors import BadRequest, EntityNotFound, Forbidden, NotSupported
from kshell.syntax.records import Record, field

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

READER = "Storage Blob Data Reader"
CONTRIBUTOR = "Storage Blob Data Contributor"
OWNER = "Storage Blob Data Owner"
ROLE_WORDS = {"reader": READER, "contributor": CONTRIBUTOR, "owner": OWNER}
# Which roles grant which access (Owner > Contributor > Reader).
ROLES_FOR = {"read": (READER, CONTRIBUTOR, OWNER), "write": (CONTRIBUTOR, OWNER)}
ROLE_FOR_NEED = {"read": READER, "write": CONTRIBUTOR}

MASK = "*******"
ACCOUNT_NAME = re.compile(r"^[a-z0-9]{3,24}$")


# ------------------------------------------------------------------ records
class StorageRoleAssignment(Record):
    principal: str   # normalised FQN: aaduser=..., aadapp=<identity object id>, aadgroup=...
    role: str        # READER | CONTRIBUTOR | OWNER
    display: str = ""  # how the grant named it (system, an identity name, the FQN)


class StorageAccount(Record):
    name: str
    roles: list[StorageRoleAssignment] = field(default_factory=list)


# ------------------------------------------------------------- credentials
class Credential(Record, frozen=True):
    """How a connection string authenticates (spec 6.5)."""

    kind: str        # managed_identity | impersonate | sas | key | token | aws | none
    value: str = ""  # the identity reference, or the secret

    @property
    def is_secret(self) -> bool:
        return self.kind in ("sas", "key", "token", "aws")

    def describe(self) -> str:
        return {
            "managed_identity": f"managed identity '{self.value}'",
            "impersonate": "impersonation",
            "sas": "a SAS token",
            "key": "an account key",
            "token": "an access token",
            "aws": "AWS credentials",
            "none": "no credentials",
        }[self.kind]


class StorageUri(Record, frozen=True):
    """A parsed storage connection string."""

    raw: str
    scheme: str        # https | abfss | http
    endpoint: str      # blob | dfs
    account: str       # lower-case account name
    container: str     # container / filesystem
    path: str          # path inside the container ("" for the container itself)
    credential: Credential

    @property
    def base(self) -> str:
        """The URI without credentials."""
        return uri_for(self, self.path)

    def child(self, relative: str) -> "StorageUri":
        path = "/".join(p for p in (self.path.strip("/"), relative.strip("/")) if p)
        return StorageUri(self.raw, self.scheme, self.endpoint, self.account, self.container, path,
                          self.credential)


def uri_for(uri: StorageUri, path: str) -> str:
    """The credential-free URI of `path` inside uri's container, in uri's scheme."""
    tail = ("/" + path.strip("/")) if path.strip("/") else ""
    if uri.scheme == "abfss":
        return f"abfss://{uri.container}@{uri.account}.dfs.core.windows.net{tail or '/'}"
    return f"{uri.scheme}://{uri.account}.{uri.endpoint}.core.windows.net/{uri.container}{tail}"


_HTTPS = re.compile(r"^(https?)://([^./?;]+)\.(blob|dfs)\.core\.windows\.net(?::\d+)?(/[^?;]*)?", re.IGNORECASE)
_ABFSS = re.compile(r"^abfss://([^@/?;]+)@([^./?;]+)\.dfs\.core\.windows\.net(?::\d+)?(/[^?;]*)?", re.IGNORECASE)


def split_secret(text: str) -> tuple[str, str, str]:
    """(uri, separator, suffix): the suffix starts at the first ';' or '?'."""
    cut = [i for i in (text.find(";"), text.find("?")) if i >= 0]
    if not cut:
        return text, "", ""
    i = min(cut)
    return text[:i], text[i], text[i + 1:]


def parse_credential(sep: str, suffix: str) -> Credential:
    """The credential of a connection string suffix (spec 6.5 [DECIDE] parsing rule)."""
    if not sep:
        return Credential("none")
    if sep == "?":
        # A SAS query; a trailing ';...' after it would be odd: keep it in the secret.
        return Credential("sas", suffix)
    word, eq, value = suffix.partition("=")
    key = word.strip().lower()
    if key == "impersonate" and not eq:
        return Credential("impersonate")
    if key == "managed_identity" and eq:
        if not value.strip():
            raise BadRequest("';managed_identity=' needs 'system' or an object id")
        return Credential("managed_identity", value.strip())
    if key == "token" and eq:
        return Credential("token", value)
    if key == "sharedkey" and eq:
        return Credential("key", value)
    if key == "awscredentials" and eq:
        return Credential("aws", value)
    if not suffix.strip():
        return Credential("none")
    return Credential("key", suffix)  # any other suffix is an account key


def parse_uri(text: str) -> StorageUri:
    """Parse a storage connection string; raises BadRequest / NotSupported naming the problem."""
    raw = text.strip()
    if any(ord(ch) < 32 or ch == "\\" for ch in raw):
        raise BadRequest(f"storage URI '{mask(raw)}' contains a control character or a backslash")
    uri, sep, suffix = split_secret(raw)
    credential = parse_credential(sep, suffix)
    m = _HTTPS.match(uri)
    if m and m.end() == len(uri):
        scheme, account, endpoint, path = m.group(1).lower(), m.group(2), m.group(3).lower(), m.group(4) or ""
        parts = [p for p in path.split("/") if p]
        if not parts:
            raise BadRequest(f"storage URI '{mask(raw)}' names no container")
        container, rest = parts[0], "/".join(parts[1:])
    else:
        m = _ABFSS.match(uri)
        if m and m.end() == len(uri):
            scheme, endpoint = "abfss", "dfs"
            container, account = m.group(1), m.group(2)
            rest = "/".join(p for p in (m.group(3) or "").split("/") if p)
        else:
            lowered = uri.lower()
            if lowered.startswith("adl://"):
                raise NotSupported(f"'{mask(raw)}': Azure Data Lake Storage Gen1 (adl://) is not simulated by kshell")
            if "amazonaws.com" in lowered or "onelake" in lowered:
                raise NotSupported(f"'{mask(raw)}': only Azure Blob Storage and ADLS Gen2 are simulated by kshell")
            raise BadRequest(f"'{mask(raw)}' is not a storage connection string: expected "
                             "https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH], "
                             "https://ACCOUNT.dfs.core.windows.net/FILESYSTEM[/PATH] or "
                             "abfss://FILESYSTEM@ACCOUNT.dfs.core.windows.net/[PATH]")
    for part in [container, *rest.split("/")]:
        if part in (".", ".."):
            raise BadRequest(f"storage URI '{mask(raw)}': '.' and '..' are not valid path segments")
    return StorageUri(raw, scheme, endpoint, account.lower(), container, rest, credential)


def mask(text: str) -> str:
    """A connection string fit for output: secrets replaced by `*******`.

    Impersonation and managed-identity suffixes are not secrets and stay
    readable (docs/storage.md); keys, SAS queries, tokens and anything else
    after the first ';' or '?' are masked.
    """
    uri, sep, suffix = split_secret(text.strip())
    if not sep:
        return uri
    try:
        credential = parse_credential(sep, suffix)
    except BadRequest:
        return f"{uri}{sep}{MASK}"
    if credential.kind == "impersonate":
        return f"{uri};impersonate"
    if credential.kind == "managed_identity":
        return f"{uri};managed_identity={credential.value}"
    return f"{uri}{sep}{MASK}"


# ------------------------------------------------------------ storage dir
_TEMP_DIRS: list[str] = []


def storage_root(session: Any) -> Path:
    """The directory backing the storage accounts of this session (created on demand)."""
    d = getattr(session, "storage_dir", None)
    if not d:
        store = getattr(session, "store", None)
        path = getattr(store, "path", None)
        if path:
            d = os.path.join(os.path.dirname(os.path.abspath(path)), "storage")
        else:
            d = tempfile.mkdtemp(prefix="kshell-storage-")
            if not _TEMP_DIRS:
                atexit.register(_remove_temp_dirs)
            _TEMP_DIRS.append(d)
        session.storage_dir = d
    root = Path(d)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadRequest(f"cannot use storage directory '{d}': {e.strerror or e}") from None
    return root


def _remove_temp_dirs() -> None:
    for d in _TEMP_DIRS:
        shutil.rmtree(d, ignore_errors=True)


def local_path(session: Any, uri: StorageUri, relative: str = "") -> Path:
    """The file or directory a URI maps to: the one path resolver of the storage family.

    Every read and write goes through here.  The path is resolved (symbolic links
    followed) and refused when it leaves the storage directory, so a link planted
    inside the directory cannot lead a read or a write elsewhere.
    """
    root = storage_root(session)
    _check_account_name(uri.account)
    path = root / uri.account / uri.container
    for part in (uri.path + "/" + relative).split("/"):
        if part in (".", ".."):
            raise BadRequest(f"'{part}' is not a valid path segment")
        if part:
            path = path / part
    return contained(root, path, uri_for(uri, "/".join(p for p in (uri.path, relative) if p)))


def contained(root: Path, path: Path, label: str) -> Path:
    """`path` if it stays inside `root` once symbolic links are resolved; Forbidden otherwise."""
    try:
        real_root = root.resolve()
        real = path.resolve()
    except (OSError, RuntimeError) as e:  # a link loop
        raise BadRequest(f"cannot resolve '{label}': {e}") from None
    if real != real_root and real_root not in real.parents:
        raise Forbidden(f"'{label}' leads outside the storage directory (through a symbolic link); "
                        "kshell reads and writes only inside it")
    return path


def _check_account_name(name: str) -> None:
    if not ACCOUNT_NAME.match(name):
        raise BadRequest(f"'{name}' is not a valid storage account name (3-24 lower-case letters and digits)")


# ---------------------------------------------------------------- accounts
def accounts(cluster: Any) -> dict[str, StorageAccount]:
    return cluster.storage_accounts


def account_exists(session: Any, name: str) -> bool:
    if not ACCOUNT_NAME.match(name.lower()):
        return False
    return name.lower() in accounts(session.cluster) or (storage_root(session) / name.lower()).is_dir()


def get_account(session: Any, name: str) -> StorageAccount:
    """The account record (created for an account that exists only as a directory)."""
    key = name.lower()
    _check_account_name(key)  # `..` or `a/b` would name a directory outside the storage root
    record = accounts(session.cluster).get(key)
    if record is None:
        if not (storage_root(session) / key).is_dir():
            raise EntityNotFound(f"storage account '{key}' does not exist (#storage create {key})")
        record = StorageAccount(key)
        accounts(session.cluster)[key] = record
    return record


def create_account(session: Any, name: str) -> StorageAccount:
    key = name.lower()
    if not ACCOUNT_NAME.match(key):
        raise BadRequest(f"'{name}' is not a valid storage account name (3-24 lower-case letters and digits)")
    directory = storage_root(session) / key
    try:  # the directory first: a refused one leaves no account behind
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BadRequest(f"cannot create storage account '{key}' in '{directory.parent}': {e.strerror or e}") from None
    record = accounts(session.cluster).get(key)
    if record is None:
        record = StorageAccount(key)
        accounts(session.cluster)[key] = record
    return record


def principal_of(cluster: Any, text: str) -> tuple[str, str]:
    """(normalised FQN, display) of a grantee: `system`, an identity name / object id, or an FQN."""
    from kshell.engine import auth, azure

    text = text.strip()
    if "=" not in text:
        identity = azure.find_identity(cluster, text)
        if identity is None:
            raise EntityNotFound(f"no managed identity '{text}' in the simulated tenant; a principal "
                                 "is 'system', an identity name or object id, or an FQN "
                                 "(aaduser=..., aadapp=..., aadgroup=...)")
        return f"aadapp={identity.object_id}", identity.name
    p = auth.parse_fqn(text, cluster)
    if p.identity is not None:
        return f"aadapp={p.identity.object_id}", p.identity.name
    return p.fqn, text


def grant(session: Any, account: str, principal: str, role_word: str) -> StorageAccount:
    role = _role(role_word)
    fqn, display = principal_of(session.cluster, principal)
    record = get_account(session, account)
    if not any(a.principal == fqn and a.role == role for a in record.roles):
        record.roles.append(StorageRoleAssignment(fqn, role, display))
    return record


def revoke(session: Any, account: str, principal: str, role_word: str | None) -> StorageAccount:
    role = _role(role_word) if role_word else None
    fqn, _ = principal_of(session.cluster, principal)
    record = get_account(session, account)
    record.roles = [a for a in record.roles if not (a.principal == fqn and (role is None or a.role == role))]
    return record


def _role(word: str) -> str:
    role = ROLE_WORDS.get(word.strip().lower())
    if role is None:
        for full in ROLE_WORDS.values():
            if full.lower() == word.strip().lower():
                return full
        raise BadRequest(f"unknown storage role '{word}' (expected reader, contributor or owner)")
    return role


def roles_of(session: Any, account: str, fqn: str) -> list[str]:
    """The storage roles `fqn` holds on the account, directly or through a group."""
    from kshell.engine import auth

    record = accounts(session.cluster).get(account.lower())
    if record is None:
        return []
    cluster = session.cluster
    keys = auth.principal_keys(cluster, fqn)
    key = auth.key_function(cluster)
    return [a.role for a in record.roles if key(a.principal) in keys]


# ------------------------------------------------------------------ access
class AccessGrant(Record):
    """Who an allowed access acts as, and how it was decided (for #storage / #identity explain)."""

    acting: str          # the FQN or identity the storage sees, or the credential kind
    method: str          # Credential.kind
    detail: str


def identity_fqn(cluster: Any, ref: str) -> str:
    from kshell.engine import azure

    identity = azure.find_by_object_id(cluster, ref) or azure.find_identity(cluster, ref)
    return f"aadapp={identity.object_id}" if identity is not None else f"aadapp={ref}"


def check_access(session: Any, credential: Credential | StorageUri, account: str | None = None,
                 need: str = "read", usage: str | None = None, database: str | None = None,
                 principal: str | None = None) -> AccessGrant:
    """May this credential read (`need="read"`) or write (`"write"`) on the account?

    - key, SAS (with its `sp=` permissions when given), token: yes;
    - `;impersonate`: the acting principal (`principal`, default the session's)
      needs Storage Blob Data Reader (read) or Contributor (write) on the account;
    - `;managed_identity=X`: X must be allowed for `usage` by the cluster or
      `database` ManagedIdentity policy (kshell.engine.managed_identity.identity_allowed),
      and hold the storage role;
    - no credentials: refused.
    Raises Forbidden naming the missing link, EntityNotFound for an unknown account.
    """
    if isinstance(credential, StorageUri):
        account = account or credential.account
        credential = credential.credential
    assert account is not None
    if not account_exists(session, account):
        raise EntityNotFound(f"storage account '{account}' does not exist (#storage create {account})")
    verb = "read from" if need == "read" else "write to"
    kind = credential.kind
    if kind in ("key", "token", "aws"):
        return AccessGrant(credential.describe(), kind, f"{credential.describe()} is accepted for any account")
    if kind == "sas":
        _check_sas(credential.value, need, account)
        return AccessGrant("SAS", kind, "a SAS token is accepted for any account")
    if kind == "none":
        raise Forbidden(f"cannot {verb} storage account '{account}': the connection string has no credentials "
                        "(append ;impersonate, ;managed_identity=..., a SAS token or an account key)")
    if kind == "impersonate":
        acting = principal or session.principal
        _require_role(session, account, acting, need, f"principal '{acting}' (impersonation)", acting)
        return AccessGrant(acting, kind, f"'{acting}' holds {ROLE_FOR_NEED[need]} or higher on '{account}'")
    # managed identity
    from kshell.engine import azure
    from kshell.engine.managed_identity import identity_allowed

    ref = credential.value
    if usage is not None:
        decision = identity_allowed(session.cluster, ref, usage, database)
        if not decision.allowed:
            err = Forbidden(decision.reason)
            err.code = "BadRequest_InvalidManagedIdentity"
            raise err
        identity = decision.identity
    else:
        identity = azure.find_by_object_id(session.cluster, ref)
        if identity is None or not identity.assigned:
            err = Forbidden(f"managed identity '{ref}' does not exist or is not assigned to the cluster")
            err.code = "BadRequest_InvalidManagedIdentity"
            raise err
    fqn = f"aadapp={identity.object_id}"
    _require_role(session, account, fqn, need, f"managed identity {identity.describe()}",
                  "system" if identity.is_system else identity.name)
    return AccessGrant(fqn, kind, f"{identity.describe()} holds {ROLE_FOR_NEED[need]} or higher on '{account}'")


def _require_role(session: Any, account: str, fqn: str, need: str, who: str, grant_ref: str) -> None:
    held = roles_of(session, account, fqn)
    if any(r in ROLES_FOR[need] for r in held):
        return
    verb = "read from" if need == "read" else "write to"
    role = ROLE_FOR_NEED[need]
    has = f" (it holds only {', '.join(held)})" if held else ""
    err = Forbidden(f"{who} lacks {role} on storage account '{account}' and cannot {verb} it{has} "
                    f"(#storage grant {account} {grant_ref} {'reader' if need == 'read' else 'contributor'})")
    err.code = "Download_Forbidden" if need == "read" else "Forbidden"
    raise err


def _check_sas(query: str, need: str, account: str) -> None:
    params = {k.lower(): v for k, v in parse_qs(query, keep_blank_values=True).items()}
    sp = params.get("sp")
    if not sp:
        return  # permissions not stated: accepted
    perms = sp[0].lower()
    if need == "read" and "r" not in perms:
        raise Forbidden(f"the SAS token (sp={perms}) does not allow reading from storage account '{account}' "
                        "(needs Read and List)")
    if need == "write" and not (set(perms) & set("wca")):
        raise Forbidden(f"the SAS token (sp={perms}) does not allow writing to storage account '{account}' "
                        "(needs Write)")


# ------------------------------------------------------------- file access
def list_files(session: Any, uri: StorageUri) -> list[tuple[str, Path]]:
    """Every file under the URI's path (itself, if it is a file): (relative path, local path), sorted."""
    base = local_path(session, uri)
    if base.is_file():
        return [("", base)]
    if not base.is_dir():
        return []
    root = storage_root(session)
    out = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for f in sorted(filenames):
            if f.startswith(TEMP_PREFIX):
                continue  # a write in progress (or left by a crash): not a blob yet
            p = Path(dirpath) / f
            relative = p.relative_to(base).as_posix()
            contained(root, p, uri_for(uri, "/".join(x for x in (uri.path, relative) if x)))
            out.append((relative, p))
    out.sort()
    return out


# Files being written are first written under this prefix, then linked to their name
# (`write_new_file`): a blob appears whole or not at all.
TEMP_PREFIX = ".kshell-partial-"


def write_new_file(path: Path, data: bytes) -> None:
    """Write a new file atomically: never a truncated blob, never an overwrite (FileExistsError)."""
    import secrets

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where a folder should be: not a name conflict
        raise NotADirectoryError(errno.ENOTDIR, "a file stands where a folder is needed") from None
    tmp = path.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}-{path.name}"
    try:
        tmp.write_bytes(data)
        os.link(tmp, path)  # fails if the name exists: no overwrite
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass


def read_text(path: Path) -> str:
    """A file's text (gzip detected by content), UTF-8 with or without BOM."""
    import zlib

    try:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":
            data = _gunzip(data, path.name)
    except (OSError, EOFError, zlib.error) as e:
        raise BadRequest(f"cannot read '{path.name}': {getattr(e, 'strerror', None) or e}") from None
    text = data.decode("utf-8", errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


def open_text(path: Path) -> Any:
    """A file's text as a stream decoded while it is read (a large blob never exists whole
    as bytes and again as str; issue 18), UTF-8 with or without BOM; gzip detected by
    content (decompressed whole, within MAX_DECOMPRESSED_BYTES).  The caller closes it."""
    import io
    import zlib

    try:
        raw: Any = path.open("rb")
    except OSError as e:
        raise BadRequest(f"cannot read '{path.name}': {e.strerror or e}") from None
    try:
        if raw.peek(2)[:2] == b"\x1f\x8b":
            data = _gunzip(raw.read(), path.name)
            raw.close()
            raw = io.BytesIO(data)
    except (OSError, EOFError, zlib.error) as e:
        raw.close()
        raise BadRequest(f"cannot read '{path.name}': {getattr(e, 'strerror', None) or e}") from None
    except BaseException:
        raw.close()
        raise
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _gunzip(data: bytes, name: str) -> bytes:
    """gzip members (concatenated ones too), decompressed in bounded steps: a blob that would
    expand past MAX_DECOMPRESSED_BYTES fails before the memory is used (a decompression bomb)."""
    import zlib

    from kshell.query import limits

    limit = limits.MAX_DECOMPRESSED_BYTES
    out = bytearray()
    while data:
        d = zlib.decompressobj(31)
        chunk = data
        while chunk:
            out += d.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit:
                raise limits.LimitExceeded(f"'{name}' decompresses to more than {limit:,} bytes, the limit "
                                           "for one compressed blob", limits.LOW_MEMORY)
            chunk = d.unconsumed_tail
        if not d.eof:
            raise EOFError("the compressed data ends early")
        data = d.unused_data.lstrip(b"\x00")  # trailing padding after the last member
    return bytes(out)
