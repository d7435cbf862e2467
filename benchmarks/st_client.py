"""A headless Streamlit client: one browser tab's protocol over ``/_stcore/stream``, without the rendering.

    client = StreamlitClient("http://127.0.0.1:8501", query="epochs=100000")
    await client.connect()                    # the page's first run, as a tab opening the URL
    await client.click("start", timeout=60)   # the button keyed "start", once it is drawn and enabled
    await client.wait_for(lambda: client.has_key("loss_chart"), timeout=60)
    print(client.progress_text)               # "Running · epoch 12 / 100000 · 3.1 s · 101,234 samples/s"
    await client.close()

What it mirrors of Streamlit's frontend (1.67, read from its bundle ``streamlit/static``):

- The connection: GET ``/_stcore/health`` and ``/_stcore/host-config`` (the health reply sets the
  ``_streamlit_xsrf`` cookie), then the websocket with subprotocols ``["streamlit", <that cookie's value>]``,
  the cookie and an Origin header; XSRF protection stays on.
- Reruns: ``rerun_script`` BackMsgs carrying the query string (the server's ``page_info_changed`` updates
  it), the current page's script hash (from ``navigation``), the widget states, the hashes of the cached
  messages, and context info.
- The forward-message cache: messages flagged ``metadata.cacheable`` are kept (by hash) and their hashes
  sent with every rerun; the server then sends ``ref_hash`` stand-ins, resolved here. Entries expire after
  ``max_cached_message_age`` script runs unused, as the frontend counts them.
- ``auto_rerun`` (``st.fragment(run_every=...)``): a fixed-rate timer per fragment sends
  ``rerun_script(fragment_id, is_auto_rerun)``; ``stop_auto_rerun`` cancels it, and so does a full run's
  ``new_session`` (the full run's own ``auto_rerun`` messages start new timers).
- Widget states: the value each widget commits when drawn (its ``default``, or ``value`` when the server
  sets it) for checkboxes and toggles, number inputs, sliders, select boxes, radios, multiselects and text
  inputs; other widgets (data editor, file uploader, chart selections) only send a state once a user
  acts on them, so they send none here. A button click is a trigger value sent once, from the button's
  fragment if it sits in one. After a run, states of widgets no longer on the page are dropped.
- The page: elements by delta path, each tagged with the run (and fragment) that drew it; a finished run
  removes what it did not redraw (within its fragments, for a fragment run), as ``clearStaleNodes`` does.

Not mirrored: static assets (the HTML and JS bundle a browser downloads once per tab), metrics, the host
heartbeat (only an embedding host sends it), reconnection after a dropped socket, forms.
"""

from __future__ import annotations

import asyncio
import os
import time
import urllib.request
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import ClientConnection, connect

XSRF_COOKIE = "_streamlit_xsrf"
TIMEZONE = os.environ.get("TZ") or str(datetime.now().astimezone().tzinfo)
FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


def user_key(element_id: str) -> str | None:
    """The user's ``key=`` in an element id ("$$ID-<hash>-<key>"), or None (as streamlit's user_key_from_element_id)."""
    key = element_id.split("-", maxsplit=2)[-1] if element_id.startswith("$$ID-") else None
    return None if key in (None, "None") else key


def initial_state(kind: str, el) -> WidgetState | None:
    """The WidgetState the frontend commits for a newly drawn widget ``el`` of type ``kind`` (None: it commits none).

    ``el.set_value`` (the server changed the value) is handled by the caller: this is the value then as well."""
    s = WidgetState(id=el.id)
    if kind == "checkbox":  # checkbox and toggle
        s.bool_value = el.value if el.set_value else el.default
    elif kind == "number_input":
        v = el.value if el.set_value else el.default
        if not (el.HasField("value") if el.set_value else el.HasField("default")):
            return None  # value=None: an empty input commits nothing
        if el.data_type == el.INT:
            s.int_value = int(v)
        else:
            s.double_value = v
    elif kind == "slider" and el.type == el.SELECT_SLIDER:  # the options' strings, not indices
        picked = [int(i) for i in el.default]
        if el.set_value and el.raw_value:
            picked = [list(el.options).index(v) if v in el.options else picked[i] for i, v in enumerate(el.raw_value)]
        s.string_array_value.data.extend(el.options[i] if 0 <= i < len(el.options) else "" for i in picked)
    elif kind == "slider":
        s.double_array_value.data.extend(el.value if el.set_value else el.default)
    elif kind in ("selectbox", "radio"):
        if el.set_value:
            if not el.HasField("raw_value"):
                return None
            s.string_value = el.raw_value
        elif el.HasField("default") and 0 <= el.default < len(el.options):
            s.string_value = el.options[el.default]
        else:
            return None
    elif kind == "multiselect":
        values = el.raw_values if el.set_value else [el.options[i] for i in el.default if 0 <= i < len(el.options)]
        s.string_array_value.data.extend(values)
    elif kind in ("text_input", "text_area"):
        has = el.HasField("value") if el.set_value else el.HasField("default")
        if not has:
            return None
        s.string_value = el.value if el.set_value else el.default
    else:
        return None
    return s


class _Node:
    """One delta on the page: an element (``kind`` its oneof name) or a block (``kind`` "block")."""

    __slots__ = ("fragment_id", "kind", "proto", "run_id")

    def __init__(self, kind: str, proto, run_id: str, fragment_id: str) -> None:
        self.kind, self.proto, self.run_id, self.fragment_id = kind, proto, run_id, fragment_id

    @property
    def id(self) -> str:
        """The element's (or block's) id, "" if none."""
        return getattr(self.proto, "id", "")

    def text(self) -> str:
        return getattr(self.proto, "text", "")


class StreamlitClient:
    """One session of a Streamlit app over its websocket, as one browser tab (see the module's docstring)."""

    def __init__(self, base: str, query: str = "", page: str = "", locale: str = "en-US") -> None:
        self.base = base.rstrip("/")
        self.query = query.lstrip("?")
        self.page_name = page  # the URL path under base ("" for the main page)
        self.locale = locale
        self.ws: ClientConnection | None = None
        self.session_id = ""
        self.page_script_hash = ""  # the current page (navigation's page_script_hash), "" until known
        self.script_run_id = ""
        self.fragment_ids_this_run: list[str] = []
        self.running = False  # session_status_changed.script_is_running
        self.runs_finished = 0
        self.nodes: dict[tuple[int, ...], _Node] = {}
        self.widgets: dict[str, WidgetState] = {}
        self.error: BaseException | None = None
        self.closed = False
        # the forward-message cache: hash -> [encoded message, run count when last used, fragment id]
        self._cache: dict[str, list] = {}
        self._cache_runs = 0
        self._max_cache_age = 2
        self._timers: dict[str, tuple[float, asyncio.Task]] = {}  # fragment id -> (interval, task)
        self._changed = asyncio.Condition()
        self._reader: asyncio.Task | None = None
        self.stats = {"messages": 0, "bytes": 0, "reruns": 0, "auto_reruns": 0, "cache_hits": 0}

    # ---------------------------------------------------------------- connection
    def _get(self, path: str, cookie: str = "") -> str:
        """GET ``path``; the value of the XSRF cookie it sets ("" if none)."""
        req = urllib.request.Request(self.base + path, headers={"Cookie": cookie} if cookie else {})
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
            for header in r.headers.get_all("Set-Cookie") or ():
                name, _, rest = header.partition("=")
                if name.strip() == XSRF_COOKIE:
                    return rest.split(";", 1)[0]
        return ""

    async def connect(self, timeout: float = 60) -> None:
        """The tab opening ``base/page?query``: health and host-config pings, the websocket, the first run."""
        xsrf = await asyncio.to_thread(self._get, "/_stcore/health")
        await asyncio.to_thread(self._get, "/_stcore/host-config", f"{XSRF_COOKIE}={xsrf}" if xsrf else "")
        parts = urlsplit(self.base)
        self.ws = await connect(
            f"ws://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", xsrf or "PLACEHOLDER_AUTH_TOKEN"],
            origin=self.base,
            additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"} if xsrf else None,
            max_size=None,  # a browser takes messages of any size (a figure can pass 1 MB)
            ping_interval=None,  # a browser never pings (it answers the server's pings, as this does)
            open_timeout=timeout,
            proxy=None,
        )
        self._reader = asyncio.create_task(self._read(), name="st-client-read")
        await self.rerun()

    async def close(self) -> None:
        """Stop the timers and close the socket (the server then ends the session)."""
        self.closed = True
        for _, task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 10)
            except (TimeoutError, asyncio.CancelledError):
                self._reader.cancel()
        await self._notify()

    # ---------------------------------------------------------------- what the page shows
    def elements(self, kind: str | None = None) -> list[_Node]:
        """Elements on the page in page order, of ``kind`` (e.g. "progress", "plotly_chart") if given."""
        return [n for _, n in sorted(self.nodes.items()) if n.kind != "block" and (kind is None or n.kind == kind)]

    def by_key(self, key: str) -> _Node | None:
        """The element (or block) drawn with ``key=key``, or None."""
        for _, node in sorted(self.nodes.items()):
            if node.id and user_key(node.id) == key:
                return node
        return None

    def has_key(self, key: str) -> bool:
        return self.by_key(key) is not None

    @property
    def exceptions(self) -> list[str]:
        """The messages of the exceptions the page shows (a script that raised)."""
        return [f"{n.proto.type}: {n.proto.message}" for n in self.elements("exception")]

    @property
    def progress_text(self) -> str:
        """The first progress bar's text as shown (markdown's ** dropped), "" if there is none."""
        bars = self.elements("progress")
        return bars[0].text().replace("**", "") if bars else ""

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> None:
        """Until ``predicate()`` holds (checked after every message); TimeoutError, or ConnectionError if the socket ends."""

        def done() -> bool:
            return predicate() or self.closed

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(done), timeout)
        if not predicate():
            raise ConnectionError(f"the session's websocket closed ({self.error!r})")

    # ---------------------------------------------------------------- what a user does
    async def click(self, key: str, timeout: float = 60) -> None:
        """Press the button keyed ``key`` once it is on the page and enabled (as Playwright's click waits)."""

        def ready() -> bool:
            node = self.by_key(key)
            return node is not None and node.kind == "button" and not node.proto.disabled

        await self.wait_for(ready, timeout)
        node = self.by_key(key)
        await self.rerun(node.fragment_id, triggers=[WidgetState(id=node.id, trigger_value=True)])

    async def rerun(self, fragment_id: str = "", *, auto: bool = False, triggers: list[WidgetState] = ()) -> None:
        """Send ``rerun_script`` with the widget states (and ``triggers``, sent this once) as the frontend does."""
        if self.ws is None or self.closed:
            return
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = self.query
        rs.widget_states.widgets.extend(self.widgets.values())
        rs.widget_states.widgets.extend(triggers)
        if self.page_script_hash:
            rs.page_script_hash = self.page_script_hash
        else:
            rs.page_name = self.page_name
        if fragment_id:
            rs.fragment_id = fragment_id
        rs.is_auto_rerun = auto
        rs.cached_message_hashes.extend(self._cache)
        info = rs.context_info
        info.timezone = TIMEZONE
        info.timezone_offset = -time.localtime().tm_gmtoff // 60  # as JavaScript's getTimezoneOffset()
        info.locale = self.locale
        info.url = f"{self.base}/{self.page_name}" + (f"?{self.query}" if self.query else "")
        info.is_embedded = False
        info.color_scheme = "light"
        self.stats["auto_reruns" if auto else "reruns"] += 1
        try:
            await self.ws.send(msg.SerializeToString())
        except Exception as err:  # noqa: BLE001 - the reader sees the close too
            self.error = self.error or err

    # ---------------------------------------------------------------- the server's messages
    async def _read(self) -> None:
        try:
            async for data in self.ws:
                self.stats["messages"] += 1
                self.stats["bytes"] += len(data)
                self._handle(self._resolve(data))
                await self._notify()
        except Exception as err:  # noqa: BLE001 - kept for wait_for's error
            self.error = err
        finally:
            self.closed = True
            for _, task in self._timers.values():
                task.cancel()
            await self._notify()

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _resolve(self, data: bytes) -> ForwardMsg:
        """The message, a ``ref_hash`` replaced by the cached message it names (the ref's metadata kept)."""
        msg = ForwardMsg.FromString(data)
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash and msg.hash not in self._cache:
                fragment = msg.delta.fragment_id if msg.HasField("delta") else ""
                self._cache[msg.hash] = [data, self._cache_runs, fragment]
            elif msg.metadata.cacheable and msg.hash:
                self._cache[msg.hash][1] = self._cache_runs
            return msg
        entry = self._cache.get(msg.ref_hash)
        if entry is None:
            raise RuntimeError(f"cached ForwardMsg miss (hash {msg.ref_hash})")
        self.stats["cache_hits"] += 1
        entry[1] = self._cache_runs
        cached = ForwardMsg.FromString(entry[0])
        cached.metadata.CopyFrom(msg.metadata)
        return cached

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self._new_session(msg)
        elif kind == "delta":
            self._delta(msg)
        elif kind == "script_finished":
            self._script_finished(msg)
        elif kind == "session_status_changed":
            self.running = msg.session_status_changed.script_is_running
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "navigation":
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "auto_rerun":
            self._auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self._stop_timer(fragment_id)

    def _new_session(self, msg: ForwardMsg) -> None:
        ns = msg.new_session
        if not self.session_id:
            self.session_id = ns.initialize.session_id
            self.running = ns.initialize.session_status.script_is_running
            self._max_cache_age = ns.config.max_cached_message_age
        self.script_run_id = msg.metadata.run.script_run_id
        self.fragment_ids_this_run = list(msg.metadata.run.fragment_ids)
        if not self.fragment_ids_this_run:  # a full run: its auto_rerun messages start the timers again
            for fragment_id in list(self._timers):
                self._stop_timer(fragment_id)
            if not self.page_script_hash and ns.page_script_hash:
                self.page_script_hash = ns.page_script_hash

    def _delta(self, msg: ForwardMsg) -> None:
        delta = msg.delta
        path = tuple(msg.metadata.delta_path)
        which = delta.WhichOneof("type")
        if which == "add_block":
            self.nodes[path] = _Node("block", delta.add_block, self.script_run_id, delta.fragment_id)
        elif which == "new_element":
            kind = delta.new_element.WhichOneof("type")
            el = getattr(delta.new_element, kind)
            self.nodes[path] = _Node(kind, el, self.script_run_id, delta.fragment_id)
            wid = getattr(el, "id", "")
            if wid and hasattr(el, "set_value") and (el.set_value or wid not in self.widgets):
                state = initial_state(kind, el)
                if state is not None:
                    self.widgets[wid] = state

    def _script_finished(self, msg: ForwardMsg) -> None:
        status = msg.script_finished
        run = msg.metadata.run
        fragments = list(run.fragment_ids)
        if status in FINISHED_OK and (fragments or run.script_run_id == self.script_run_id):
            self.nodes = {
                path: node
                for path, node in self.nodes.items()
                if node.run_id == run.script_run_id or (fragments and node.fragment_id not in fragments)
            }
            active = {node.id for node in self.nodes.values() if node.id}
            self.widgets = {wid: s for wid, s in self.widgets.items() if wid in active}
        if status != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self._cache_runs += 1
            for key, (_, used, fragment) in list(self._cache.items()):
                if fragments and (not fragment or fragment not in fragments):
                    continue
                if self._cache_runs - used > self._max_cache_age:
                    del self._cache[key]
        self.runs_finished += 1

    # ---------------------------------------------------------------- st.fragment(run_every=...)
    def _auto_rerun(self, fragment_id: str, interval: float) -> None:
        if not fragment_id or (fragment_id in self._timers and self._timers[fragment_id][0] == interval):
            return
        self._stop_timer(fragment_id)
        task = asyncio.get_running_loop().create_task(self._tick(fragment_id, interval), name="st-client-timer")
        self._timers[fragment_id] = (interval, task)

    def _stop_timer(self, fragment_id: str) -> None:
        entry = self._timers.pop(fragment_id, None)
        if entry is not None:
            entry[1].cancel()

    async def _tick(self, fragment_id: str, interval: float) -> None:
        """setInterval: a rerun of the fragment every ``interval`` s, at a fixed rate."""
        loop = asyncio.get_running_loop()
        due = loop.time()
        while not self.closed:
            due += interval
            await asyncio.sleep(max(0.0, due - loop.time()))
            await self.rerun(fragment_id, auto=True)
