"""Fixtures for the real-browser tests: a Voila server, Debian's chromium driven by Playwright.

One Voila server, one chromium and one page (one kernel) per pytest(-xdist) worker, all
session-scoped, so the notebook renders once per worker and the tests share the page; each test
sets the state it needs. Every request that leaves 127.0.0.1 is aborted and recorded in
``offline.blocked``, so each test can prove that nothing came from a CDN.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Route,
    WebSocket,
    expect,
    sync_playwright,
)

from ._harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    RENDER_TIMEOUT_MS,
    STEP_TIMEOUT_MS,
    Offline,
    VoilaServer,
    start_voila,
    stop_voila,
)

# Every assertion waits for the kernel's answer as long as an action may (default 5 s).
expect.set_options(timeout=STEP_TIMEOUT_MS)


def _local(url: str) -> bool:
    return urlsplit(url).hostname == "127.0.0.1"


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VoilaServer]:
    """Voila on 127.0.0.1 and a free port, serving tests/browser/explorer.ipynb."""
    server = start_voila(tmp_path_factory.mktemp("voila"))
    try:
        yield server
    finally:
        stop_voila(server)


@pytest.fixture(scope="session")
def offline() -> Offline:
    """The requests that tried to leave 127.0.0.1."""
    return Offline()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless. Missing, it fails the tests: it never skips them."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
            "(`apt-get install -y chromium`, as .ci/run does; never `playwright install`)",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def context(browser: Browser, offline: Offline) -> Iterator[BrowserContext]:
    """A browser context whose requests may only go to 127.0.0.1; the others are aborted."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})

    def only_local(route: Route) -> None:
        if _local(route.request.url):
            route.continue_()
        else:
            offline.blocked.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_local)
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


def _render(context: BrowserContext, url: str, server: VoilaServer, offline: Offline) -> Page:
    """A new page on ``url`` once the notebook's widgets are on screen."""
    pg = context.new_page()

    def watch(ws: WebSocket) -> None:  # routes do not see websockets
        if not _local(ws.url):
            offline.blocked.append(ws.url)

    pg.on("websocket", watch)
    pg.goto(url, wait_until="domcontentloaded", timeout=RENDER_TIMEOUT_MS)
    try:
        for selector in (".sk-test-standalone", ".sk-browser"):
            expect(pg.locator(selector)).to_be_visible(timeout=RENDER_TIMEOUT_MS)
    except AssertionError as exc:
        pytest.fail(f"the notebook did not render: {exc}\n--- voila log ---\n{server.log_tail()}")
    return pg


@pytest.fixture(scope="session")
def page(context: BrowserContext, voila_server: VoilaServer, offline: Offline) -> Page:
    """The rendered notebook (both widgets on screen), shared by this worker's tests."""
    return _render(context, voila_server.url, voila_server, offline)


@pytest.fixture(scope="session")
def dark_page(context: BrowserContext, voila_server: VoilaServer, offline: Offline) -> Page:
    """The same notebook under JupyterLab's dark theme (Voila's ``?theme=dark``; own kernel)."""
    pg = _render(context, voila_server.url + "?theme=dark", voila_server, offline)
    expect(pg.locator("body")).to_have_attribute("data-jp-theme-light", "false")
    return pg
