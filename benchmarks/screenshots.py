"""The docs' screenshots, taken from the real app in headless Chromium by one command:

    python -m benchmarks.screenshots               # writes docs/screenshots/ (--out DIR: elsewhere)

It starts the app (one training worker, so that a second student's run waits in the queue), opens every page
app.py lists in a 1400×1000 window, then photographs the Class board empty and once three students shared a run,
the Losses page while a run trains and once it is done, a second student's place in the queue, and a colour photo
uploaded on the face page (`--only board` takes one step's screenshots). SHOTS is every file it
writes; a docs test checks that the docs show exactly these. Nothing else writes docs/screenshots/."""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from benchmarks.browser import OWN, ROOT, app_pages, lab_server, launch_chromium, open_app, settle, visit

VIEW = {"width": 1400, "height": 1000}
# Every page's screenshot as it opens, by the page's url path in app.py.
PAGE_SHOTS = {"home": "classroom_home.png", "convolution": "convolution.png", "twins": "siamese-twins.png",
              "losses": "losses.png", "embedding-size": "embedding-size.png", "mining": "mining.png",
              "one-shot": "one-shot.png", "faces": "faces.png", "class-board": "class-board.png"}
LIVE, QUEUE, RUN, UPLOAD = "losses-live.png", "classroom_queue.png", "classroom_losses_run.png", "faces-upload.png"
BOARD = "class-board-runs.png"
SHOTS = (*PAGE_SHOTS.values(), LIVE, QUEUE, RUN, UPLOAD, BOARD)
STEPS = ("pages", "board", "training", "faces")
OUT = ROOT / "docs" / "screenshots"
SERVER_ENV = {"SIAMESE_LAB_WORKERS": "1", "SIAMESE_LAB_THREADS_PER_JOB": "1"}
# A short run on digits, as a bookmarked link opens it; a seed of its own, so that it really trains.
LOSSES_LINK = "/losses?dataset=digits&loss=contrastive&dim=8&seed=314&seconds="
WAIT_MS = 240_000  # a busy machine: a first visit loads datasets and models, a run waits for its CPU
DRAWN_MS = 2_000   # after a script run ends, the browser's time to draw its charts


def shoot(page, out: Path, name: str, top=None) -> None:
    """Screenshot the window into out/name, with the element `top` (a locator) scrolled to its top first."""
    if top is not None:
        top.first.wait_for(timeout=WAIT_MS)
        # clear of the app's header, which covers the top of the page
        top.first.evaluate("e => { e.style.scrollMarginTop = '90px'; e.scrollIntoView({block: 'start'}); }")
    page.wait_for_timeout(DRAWN_MS)
    page.screenshot(path=str(out / name))
    print(f"  {name}", flush=True)


def every_page(browser, url: str, out: Path) -> None:
    page = browser.new_context(viewport=VIEW).new_page()
    open_app(page, url)
    for _, _, path in app_pages():
        if path not in PAGE_SHOTS:
            raise KeyError(f"app.py lists the page {path!r}, which PAGE_SHOTS has no screenshot for")
        if path == "class-board":
            continue  # class_board() photographs it empty, before any run is shared
        visit(page, url, path, WAIT_MS / 1000)
        shoot(page, out, PAGE_SHOTS[path])
    page.context.close()


def training(browser, url: str, out: Path) -> None:
    """The Losses page while a run trains and after it, and a second student's place in the queue meanwhile."""
    first, second = (browser.new_context(viewport=VIEW).new_page() for _ in range(2))
    for page, seconds in ((first, 30), (second, 5)):
        open_app(page, url)
        page.goto(url + LOSSES_LINK + str(seconds), timeout=WAIT_MS)
        settle(page, WAIT_MS / 1000)
    first.get_by_role("button", name="Train", exact=True).click()
    first.get_by_text(re.compile("^Live, on")).first.wait_for(timeout=WAIT_MS)
    first.wait_for_timeout(4_000)  # a few frames: the map has begun to sort itself
    shoot(first, out, LIVE, first.get_by_text(re.compile("^Training “")))
    second.get_by_role("button", name="Train", exact=True).click()
    shoot(second, out, QUEUE, second.get_by_text(re.compile("is number 1 in the queue")))
    second.context.close()  # a closed tab's run leaves the queue
    first.locator('[data-testid="stMetric"]' + OWN, has_text="test accuracy").first.wait_for(timeout=WAIT_MS)
    settle(first, WAIT_MS / 1000)
    shoot(first, out, RUN, first.get_by_role("heading", name="Runs", exact=True))
    first.context.close()


# A class of three, each a margin and a nickname, 5-s runs on digits.
CLASS = {"Quiet Otter": 0.25, "Brave Heron": 0.5, "Calm Lynx": 1.0}


def class_board(browser, url: str, out: Path) -> None:
    """The Class board empty, then with the runs of three students who trained three margins."""
    board = browser.new_context(viewport=VIEW).new_page()
    open_app(board, url)
    visit(board, url, "class-board", WAIT_MS / 1000)
    shoot(board, out, PAGE_SHOTS["class-board"])
    students = []
    for k, (name, margin) in enumerate(CLASS.items()):
        page = browser.new_context(viewport=VIEW).new_page()
        open_app(page, url)
        page.goto(f"{url}/losses?dataset=digits&loss=contrastive&dim=8&seconds=5&seed={11 + k}&margin={margin}",
                  timeout=WAIT_MS)
        settle(page, WAIT_MS / 1000)
        page.get_by_text(re.compile("Class board: sharing as")).first.click()
        box = page.get_by_role("textbox", name="Nickname")
        box.fill(name)
        box.press("Enter")
        settle(page, WAIT_MS / 1000)
        page.get_by_role("button", name="Train", exact=True).click()
        students.append(page)
    for page in students:
        page.locator('[data-testid="stMetric"]' + OWN, has_text="test accuracy").first.wait_for(timeout=WAIT_MS)
    board.get_by_text("3 runs on the board", exact=False).wait_for(timeout=WAIT_MS)
    settle(board, WAIT_MS / 1000)
    shoot(board, out, BOARD, board.get_by_role("heading", name="What the class found"))
    for page in (*students, board):
        page.context.close()


def face_upload(browser, url: str, out: Path, photo: Path) -> None:
    page = browser.new_context(viewport=VIEW).new_page()
    open_app(page, url)
    page.goto(url + "/faces", timeout=WAIT_MS)
    settle(page, WAIT_MS / 1000)
    source = page.locator('[data-testid="stRadio"]', has_text="Photo A: source").first
    source.get_by_text("Upload a photo", exact=True).click()
    settle(page)
    box = page.locator('[data-testid="stFileUploader"]', has_text="Photo A: photo").first
    box.locator('input[type="file"]').set_input_files(str(photo))
    page.get_by_text("The verdicts").first.wait_for(timeout=WAIT_MS)
    settle(page, WAIT_MS / 1000)
    shoot(page, out, UPLOAD, source)
    page.context.close()


def astronaut(folder: Path) -> Path:
    """scikit-image's astronaut (Eileen Collins, NASA, public domain): a colour photo with one face."""
    from PIL import Image
    from skimage import data

    path = folder / "astronaut.jpg"
    Image.fromarray(data.astronaut()).save(path, quality=90)
    return path


def main(argv: list[str] | None = None) -> None:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", type=Path, default=OUT, help="folder to write (default: docs/screenshots)")
    p.add_argument("--only", nargs="+", choices=STEPS, default=STEPS, help="take only these steps' screenshots")
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, lab_server(env=SERVER_ENV) as (url, _), sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            steps = {"pages": lambda: every_page(browser, url, a.out),
                     "board": lambda: class_board(browser, url, a.out),  # before any other run is shared
                     "training": lambda: training(browser, url, a.out),
                     "faces": lambda: face_upload(browser, url, a.out, astronaut(Path(tmp)))}
            for step in STEPS:
                if step in a.only:
                    steps[step]()
        finally:
            browser.close()
    stale = sorted(f.name for f in a.out.glob("*.png") if f.name not in SHOTS)
    if stale:
        print("not written by this command (no doc shows them): " + ", ".join(stale))


if __name__ == "__main__":
    main()
