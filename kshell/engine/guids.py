"""GUIDs without importing `uuid` until a GUID *value* is needed.

The simulator derives its ids from names (uuid5 under one namespace, design.md:
deterministic ids).  Most of them are only ever text (principal object ids,
tenant ids, identity ids); a GUID value (`uuid.UUID`, the value type of `guid`
columns) is needed only when a result or a query holds one.  `uuid` imports
`platform` (which compiles a handful of regular expressions) and was a tenth of
the engine's part of script start-up (issue 18), so the digest and the text are
made here and `uuid` is imported on the first value.
"""

from __future__ import annotations

import sys

ID_NAMESPACE_TEXT = "6b9a3f0e-3d1c-4c55-9e53-8f2d6c1a7b40"
_NAMESPACE_BYTES = bytes.fromhex(ID_NAMESPACE_TEXT.replace("-", ""))
_sha1 = None


def name_guid_bytes(text: str) -> bytes:
    """The 16 bytes of uuid.uuid5(ID_NAMESPACE, text), hashed with the interpreter's
    built-in SHA-1: `uuid.uuid5` imports hashlib, whose OpenSSL binding is a tenth of
    script start-up (issue 18), for the one digest a short script needs."""
    global _sha1
    if _sha1 is None:
        try:
            from _sha1 import sha1 as _sha1
        except ImportError:  # an interpreter built without it
            from hashlib import sha1 as _sha1
    b = bytearray(_sha1(_NAMESPACE_BYTES + text.encode("utf-8")).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50  # version 5
    b[8] = (b[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return bytes(b)


def guid_text(b: bytes) -> str:
    """The canonical (lower-case, hyphenated) text of 16 GUID bytes, as str(uuid.UUID(bytes=b))."""
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid_module():
    """The `uuid` module (imported on the first GUID value)."""
    mod = sys.modules.get("uuid")
    if mod is None:
        mod = _import_uuid()
    return mod


def _import_uuid():
    """Import `uuid` without `platform` where that is safe.

    At import, uuid asks `platform.system()` whether this is Linux or AIX (for the MAC
    address lookups of uuid1, which kshell never makes); importing `platform` just for
    that compiles a dozen regular expressions, two thirds of uuid's import time.  On a
    POSIX system `platform.system()` is `os.uname().sysname`: a stand-in answering that
    is put in sys.modules for the import and taken out again, so a later
    `import platform` gets the real module.  Only while one thread runs (another
    could import `platform` meanwhile) and when `platform` is not loaded already.
    """
    import os

    threading = sys.modules.get("threading")
    if ("platform" in sys.modules or sys.platform in ("win32", "darwin") or not hasattr(os, "uname")
            or (threading is not None and threading.active_count() > 1)):
        import uuid

        return uuid
    stand_in = type(sys)("platform")
    stand_in.system = lambda: os.uname().sysname
    sys.modules["platform"] = stand_in
    try:
        import uuid
    finally:
        if sys.modules.get("platform") is stand_in:
            del sys.modules["platform"]
    return uuid
