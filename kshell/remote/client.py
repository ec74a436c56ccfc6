"""RemoteTarget: a real cluster (Azure Data Explorer, `kshell serve`, the Kusto
emulator) behind kshell's target interface (kshell.target), through the SDK.

Requests go as text: `execute_mgmt` when the text starts with `.`, else
`execute_query` (the routing every Kusto client uses), with the context
database, the query parameters (`#qp`) and client request properties (`#crp`)
of this connection.  The call runs on a worker thread while the caller waits,
so Ctrl-C interrupts the wait at once; `cancel()` then asks the cluster to
`.cancel query` the request by its client request id (best effort: only a
principal allowed to may cancel, and a server may not support it).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from typing import Any

from kshell.errors import KustoError
from kshell.gc_pause import end_startup
from kshell.remote import auth as auth_mod
from kshell.remote.convert import results_from_response
from kshell.remote.errors import RemoteError, from_sdk
from kshell.remote.schema import RemoteSchema
from kshell.remote.spec import TargetSpec
from kshell.result import Result
from kshell.target import CLIENT, REMOTE

# Control commands after which the schema may have changed (completion reloads it).
_READ_ONLY_COMMAND = re.compile(r"^\s*\.\s*(show|cancel|get)\b", re.IGNORECASE)
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$")
_DEFAULT_DATABASE = "NetDefaultDB"


class RemoteTarget:
    directive_scopes = frozenset({CLIENT, REMOTE})

    def __init__(self, spec: TargetSpec, auth: str | None = None, *, token_command: str | None = None,
                 environ: Any = None):
        from azure.kusto.data import KustoClient

        _quiet_sdk_logging()
        self.spec = spec
        self.name = spec.display
        self.title = f"connected to {spec.display}"
        self.auth = auth_mod.effective_mode(spec, auth)
        kcsb = auth_mod.build_kcsb(spec, self.auth, token_command=token_command, environ=environ)
        if self.auth == "token":
            kcsb.token_provider()  # a missing token or a failing command is said now, not at the first request
        self.client = KustoClient(kcsb)
        self._database = spec.database or kcsb.initial_catalog or _DEFAULT_DATABASE
        self.query_parameters: dict[str, str] = {}
        self.request_properties: dict[str, str] = {}
        self.after_commit: list = []
        self.schema = RemoteSchema(self._run_mgmt_quietly, lambda: self._database)
        self._in_flight: str | None = None  # client request id of the request being waited for
        self._lock = threading.Lock()
        end_startup()  # connected: the collector's start-up setting (kshell.gc_pause) ends here

    # ------------------------------------------------------------ interface
    @property
    def database_name(self) -> str:
        return self._database

    @property
    def cluster(self) -> Any:
        # the completer's first look starts the fetch (script mode never asks: no extra request)
        if not self.schema.wanted:
            self.schema.fetch_in_background()
        return self.schema.cluster

    @property
    def principal(self) -> str:
        return ""  # the cluster knows; `print current_principal_details()` asks it

    def execute(self, text: str) -> list[Result]:
        request_id = f"KSH.execute;{uuid.uuid4()}"
        results = self._call(text, self._properties(request_id), request_id)
        if self.schema.wanted and text.lstrip().startswith(".") and not _READ_ONLY_COMMAND.match(text):
            self.schema.fetch_in_background()
        for hook in list(self.after_commit):
            hook(self)
        return results

    def cancel(self) -> None:
        """Cancel the request Ctrl-C left running: ask the cluster, in the background."""
        with self._lock:
            request_id, self._in_flight = self._in_flight, None
        if request_id is None:
            return

        def send() -> None:
            try:
                self._run_mgmt_quietly(f'.cancel query "{request_id}"')
            except Exception:  # noqa: BLE001 - best effort: the cluster may refuse or not support it
                pass

        threading.Thread(target=send, name="kshell-cancel", daemon=True).start()

    def use_database(self, name: str) -> None:
        # Kusto.Cli's #dbcontext switches without asking; kshell checks a loaded schema
        # and takes the database's own spelling, as the local shell does.
        if self.schema.loaded.is_set() and self.schema.complete and self.schema.error is None:
            db = self.schema.cluster.databases.get(name.lower())
            if db is None:
                from kshell.errors import DatabaseNotFound

                raise DatabaseNotFound(f"Database '{name}' was not found on {self.name}")
            name = db.name
        self._database = name

    def status(self) -> list[tuple[str, str]]:
        return [("cluster", self.name), ("db", self._database), ("auth", auth_mod.describe(self.auth))]

    def refresh_schema(self) -> str:
        self.schema.fetch_now()
        if self.schema.error:
            return f"could not read the schema of {self.name}: {self.schema.error}"
        return f"schema of {self.name}: {self.schema.summary()}"

    def refusal(self, directive: str, scope: str) -> str:
        return (f"#{directive} applies to the simulated cluster only; requests now go to {self.name} "
                "(#connect local returns to the simulated cluster)")

    def sync(self) -> None:
        pass

    def close(self) -> None:
        try:
            self.client.close()
        except Exception:  # noqa: BLE001
            pass

    # ------------------------------------------------------------ options
    def set_parameter(self, name: str, value: str | None) -> None:
        if value is None:
            self.query_parameters.pop(name, None)
        else:
            self.query_parameters[name] = value

    def set_property(self, name: str, value: str | None) -> None:
        if value is None:
            self.request_properties.pop(name, None)
            return
        self.request_properties[name] = value  # as typed (for #crp); typed when sent

    def _properties(self, request_id: str) -> Any:
        from azure.kusto.data import ClientRequestProperties

        props = ClientRequestProperties()
        props.client_request_id = request_id
        props.application = "kshell"
        for k, v in self.request_properties.items():
            props.set_option(k, _option_value(v))
        for k, v in self.query_parameters.items():
            props.set_parameter(k, v)
        return props

    # ------------------------------------------------------------ calls
    def _call(self, text: str, properties: Any, request_id: str | None) -> list[Result]:
        is_mgmt = text.lstrip().startswith(".")
        run = self.client.execute_mgmt if is_mgmt else self.client.execute_query
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["response"] = run(self._database, text, properties)
            except BaseException as e:  # noqa: BLE001 - handed to the waiting thread
                box["error"] = e
            finally:
                done.set()

        if request_id is not None:
            with self._lock:
                self._in_flight = request_id
        threading.Thread(target=work, name="kshell-request", daemon=True).start()
        # Ctrl-C interrupts this wait (KeyboardInterrupt; cancel() follows).  Short waits
        # return to Python often, so a SIGINT some other thread received is acted on too.
        while not done.wait(0.1):
            pass
        with self._lock:
            if self._in_flight == request_id:
                self._in_flight = None
        if "error" in box:
            e = box["error"]
            if isinstance(e, KustoError):
                raise e
            raise from_sdk(e, url=self.name, auth=self.auth) from None
        try:
            return results_from_response(box["response"])
        except KustoError:
            raise
        except Exception as e:  # noqa: BLE001 - an answer the SDK parsed but kshell cannot read
            raise RemoteError("ClientError", f"unexpected response from {self.name}: {type(e).__name__}") from None

    def _run_mgmt_quietly(self, text: str) -> list[Result]:
        """A control command of kshell's own (schema, cancel): no user options, no hooks."""
        from azure.kusto.data import ClientRequestProperties

        props = ClientRequestProperties()
        props.application = "kshell"
        try:
            response = self.client.execute_mgmt(self._database, text, props)
        except Exception as e:  # noqa: BLE001
            raise from_sdk(e, url=self.name, auth=self.auth) from None
        return results_from_response(response)


def _quiet_sdk_logging() -> None:
    # azure-identity logs each failed credential as a warning; without a handler Python
    # would print them on stderr.  The failure reaches the user once, as a Kusto error.
    import logging

    for name in ("azure", "msal", "urllib3"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())


def _option_value(value: str) -> Any:
    """A request property from its text: booleans and numbers as such, timespans
    (servertimeout ...) as timedelta (the SDK needs one), anything else as text."""
    low = value.lower()
    if low in ("true", "false"):
        return low == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    m = _TIMESPAN.match(value)
    if m:
        days, h, mi, s, frac = m.groups()
        return dt.timedelta(days=int(days or 0), hours=int(h), minutes=int(mi), seconds=int(s),
                            microseconds=int((frac or "0")[:6].ljust(6, "0")))
    return value
