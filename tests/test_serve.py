"""`python -m autocomplete --serve`: the editor in a browser tab (textual-serve), and the
command-line options that reach the editor."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO

from autocomplete import __main__ as cli
from autocomplete.frontends import web as serve

needs_textual_serve = pytest.mark.skipif(
    not serve.available(), reason="textual-serve is not installed (pip install '.[serve]')"
)
CHROMEDRIVER = shutil.which("chromedriver")


def test_serve_without_textual_serve_says_what_to_install(capsys, monkeypatch) -> None:
    monkeypatch.setattr(serve, "available", lambda: False)
    assert cli.main(["--serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'autocomplete[serve]'" in err


def test_options_reach_the_editor(monkeypatch, tmp_path: Path) -> None:
    started = []

    class Recorder:
        def __init__(self, options, text):
            started.append(options)

        def run(self) -> None:
            pass

    monkeypatch.setattr(cli, "EditorApp", Recorder)
    assert cli.main(["--no-phrases"]) == 0
    assert cli.main([]) == 0
    assert [options.phrases for options in started] == [False, True]


def test_each_tab_runs_the_editor_with_the_same_options(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = cli.parse_args(["nota.txt", "--no-phrases", "--no-learn", "--serve", "--port", "9"])
    assert cli.editor_args(args) == [str(tmp_path / "nota.txt"), "--no-learn", "--no-phrases"]
    assert (args.host, args.port) == ("127.0.0.1", 9)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def server(*editor_args: str) -> Iterator[str]:
    """`python -m autocomplete --serve` on a free port; yields its URL once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "autocomplete", "--serve", "--port", str(port)]
    process = subprocess.Popen(
        [*command, *editor_args], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 300  # a hang guard, not a speed check
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(process.stderr.read().decode()) from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@needs_textual_serve
def test_the_server_serves_the_editors_page() -> None:
    with server() as url, urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        page = response.read().decode()
    assert "textual-terminal" in page and "data-session-websocket-url" in page
    assert url.startswith("http://127.0.0.1:")


@needs_textual_serve
@pytest.mark.skipif(CHROMEDRIVER is None, reason="no chromium driver (apt install chromium-driver)")
def test_a_browser_types_accepts_a_suggestion_and_saves(tiny_model: Path, tmp_path: Path) -> None:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    document = tmp_path / "nota.txt"
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--window-size=1100,700"):
        options.add_argument(flag)

    def chord(browser, key: str, character: str) -> None:
        webdriver.ActionChains(browser).key_down(key).send_keys(character).key_up(key).perform()

    with server(str(document), "--checkpoint", str(tiny_model), "--no-learn") as url:
        browser = webdriver.Chrome(service=webdriver.ChromeService(CHROMEDRIVER), options=options)
        try:
            browser.get(url)
            body = browser.find_element(By.TAG_NAME, "body")
            wait_until(lambda: "-first-byte" in body.get_attribute("class"))  # a first frame
            browser.find_element(By.CLASS_NAME, "textual-terminal").click()
            webdriver.ActionChains(browser).send_keys("Segue documento em an").perform()

            def accepted() -> bool:
                """Alt+1 inserts the first suggestion once the model has loaded (before, it
                does nothing); Ctrl+S saves what the tab shows."""
                chord(browser, Keys.ALT, "1")
                chord(browser, Keys.CONTROL, "s")
                time.sleep(1)
                text = document.read_text(encoding="utf-8") if document.exists() else ""
                return text.startswith("Segue documento em anexo ")

            wait_until(accepted)
        finally:
            browser.quit()


def wait_until(condition, timeout: float = 300) -> None:
    """Poll `condition`; the timeout only guards against a hang (a loaded CPU is slow)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
