"""A student's session without a browser: the messages a Streamlit page exchanges with the server over its
websocket (`/_stcore/stream`): `BackMsg` rerun requests out (page, query string, widget values, triggers),
`ForwardMsg`s back until `script_finished`. The server does the work a browser session gives it; the load
generator costs almost nothing. The browser's own drawing time is not measured (docs/benchmarks.md,
"Classroom load test")."""
from __future__ import annotations

import asyncio
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

FINISHED = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)


@dataclass
class Run:
    """What one script run sent back."""
    seconds: float
    elements: list = field(default_factory=list)   # (type, Element) in arrival order
    page_not_found: bool = False
    fragments: dict = field(default_factory=dict)  # fragment id → seconds: what the browser reruns on its own
    fragment_run: bool = False                     # the run of one fragment, not of the whole page

    def of_type(self, kind: str) -> list:
        return [e for k, e in self.elements if k == kind]

    def widget(self, kind: str, label: str):
        for e in self.of_type(kind):
            if getattr(e, kind).label == label:
                return getattr(e, kind)
        raise LookupError(f"no {kind} labelled {label!r} on the page")

    def metric(self, label: str) -> str | None:
        return next((e.metric.body for e in self.of_type("metric") if e.metric.label == label), None)

    @property
    def exceptions(self) -> list[str]:
        return [f"{e.exception.type}: {e.exception.message}" for e in self.of_type("exception")]


class StreamSession:
    """One session on a running app: `await open()`, then `goto`, `set_slider`, `click`."""

    def __init__(self, url: str, timeout: float = 120.0):
        self.url, self.timeout = url.rstrip("/"), timeout
        self.pages: dict[str, str] = {}          # page title → script hash, from the app's navigation
        self.page_hash, self.query, self.page_name = "", "", ""  # page_name: the URL's path, until a page runs
        self.widgets: dict[str, WidgetState] = {}  # values this session has set, sent with every rerun
        self.ws = None

    async def open(self, path: str = "") -> Run:
        """Open the app at /`path` (the root URL by default), as a browser opens a link."""
        ws_url = self.url.replace("http", "ws", 1) + "/_stcore/stream"
        self.ws = await websockets.connect(ws_url, subprotocols=["streamlit"], origin=self.url, max_size=None)
        self.page_name = path
        return await self._rerun()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def __aenter__(self) -> StreamSession:
        """`async with StreamSession(url) as s:` opens the session and closes it however the block ends."""
        await self.open()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def goto(self, title: str, query: dict | None = None) -> Run:
        """Open the page whose title starts with `title`, as a click in the sidebar (or a link with `query`)."""
        matches = [h for name, h in self.pages.items() if name.startswith(title)]
        if len(matches) != 1:
            raise LookupError(f"{len(matches)} pages start with {title!r}: {sorted(self.pages)}")
        self.page_hash, self.query, self.widgets = matches[0], urlencode(query or {}), {}
        return await self._rerun()

    async def set_slider(self, slider, value: float) -> Run:
        state = WidgetState(id=slider.id)
        state.double_array_value.data.append(float(value))
        self.widgets[slider.id] = state
        return await self._rerun()

    async def choose(self, widget, option: str) -> Run:
        """Pick `option` of a radio or selectbox (sent as its text, as the browser does)."""
        self.widgets[widget.id] = WidgetState(id=widget.id, string_value=option)
        return await self._rerun()

    async def upload(self, uploader, name: str, data: bytes, mime: str = "image/png") -> Run:
        """Put a file into an st.file_uploader as a browser does: ask the session for an upload URL, PUT
        the file there (multipart, as the browser's form), then rerun with the file in the widget's state.
        The server must run with server.enableXsrfProtection false (no browser cookie here)."""
        request_id = uuid.uuid4().hex
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        await self.ws.send(msg.SerializeToString())
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await asyncio.wait_for(self.ws.recv(), self.timeout))
            if fwd.WhichOneof("type") == "file_urls_response" and fwd.file_urls_response.response_id == request_id:
                urls = fwd.file_urls_response.file_urls[0]
                break
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}"\r\n'
                f"Content-Type: {mime}\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        put = urllib.request.Request(self.url + urls.upload_url, data=body, method="PUT",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        await asyncio.to_thread(lambda: urllib.request.urlopen(put, timeout=self.timeout).read())
        state = WidgetState(id=uploader.id)
        info = state.file_uploader_state_value.uploaded_file_info.add()
        info.file_id, info.name, info.size = urls.file_id, name, len(data)
        info.file_urls.CopyFrom(urls)
        self.widgets[uploader.id] = state
        return await self._rerun()

    async def click(self, button) -> Run:
        """Press a button: a trigger sent once with the current widget values."""
        return await self._rerun(trigger=WidgetState(id=button.id, trigger_value=True))

    async def follow(self, run: Run) -> Run:
        """What a browser does after a whole run of the page that left fragments to rerun on their own (a page
        following a training): rerun each at its interval, until a whole run of the page leaves none (the
        page's job ended and it reran); returns that run."""
        end = time.monotonic() + self.timeout
        due = {fid: time.monotonic() + every for fid, every in run.fragments.items()}
        while due:
            if time.monotonic() > end:
                raise TimeoutError(f"the page still followed its job after {self.timeout:.0f} s")
            fid = min(due, key=due.get)
            await asyncio.sleep(max(0.0, due[fid] - time.monotonic()))
            rerun = await self.fragment(fid)
            if rerun.fragment_run:
                due[fid] = time.monotonic() + run.fragments[fid]
            else:  # the fragment asked for a whole run of the page
                run = rerun
                due = {f: time.monotonic() + every for f, every in run.fragments.items()}
        return run

    async def fragment(self, fragment_id: str) -> Run:
        """Rerun one fragment as the browser's timer does (a run_every fragment): a fragment run, or a whole run
        of the page when the fragment asked for one."""
        return await self._rerun(fragment_id=fragment_id)

    async def _rerun(self, trigger: WidgetState | None = None, fragment_id: str = "") -> Run:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string, state.page_script_hash = self.query, self.page_hash
        if not self.page_hash:
            state.page_name = self.page_name
        state.widget_states.widgets.extend(list(self.widgets.values()) + ([trigger] if trigger else []))
        if fragment_id:
            state.fragment_id, state.is_auto_rerun = fragment_id, True
        t0 = time.monotonic()
        await self.ws.send(msg.SerializeToString())
        return await asyncio.wait_for(self._read_run(t0), self.timeout)

    async def _read_run(self, t0: float) -> Run:
        """Messages until the script run this request started has finished; earlier runs' tails are skipped."""
        run, started = Run(0.0), False
        while True:
            fwd = ForwardMsg()
            fwd.ParseFromString(await self.ws.recv())
            kind = fwd.WhichOneof("type")
            if kind == "new_session":
                started, run.elements = True, []
                self.page_hash = fwd.new_session.page_script_hash or self.page_hash
            elif kind == "navigation":
                self.pages = {p.page_name: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "page_info_changed":  # the page wrote st.query_params: the browser's URL follows
                self.query = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "auto_rerun" and started:
                run.fragments[fwd.auto_rerun.fragment_id] = fwd.auto_rerun.interval
            elif kind == "delta" and started and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                run.elements.append((element.WhichOneof("type"), element))
            elif kind == "script_finished" and started:
                if fwd.script_finished in FINISHED:
                    run.seconds = time.monotonic() - t0
                    run.fragment_run = fwd.script_finished == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                    return run
                if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("the page's script failed to compile")
                started = False  # ended early for a newer rerun: wait for that one
