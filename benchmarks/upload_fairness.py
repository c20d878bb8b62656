"""Does one student's expensive upload stall everyone else? A plain face-page load (a new session opening
the page: two sample faces found, cropped, embedded, verified) is timed on a quiet server, then again while
other sessions keep uploading the costliest image the gate accepts (benchmarks/hostile_images.py).

    python -m benchmarks run upload-fairness [--loads 5] [--uploaders 1] [--out docs/results/upload-fairness.json]
"""
from __future__ import annotations

import asyncio
import statistics
import time

from benchmarks.blocks import Block, conditions_line
from benchmarks.browser import lab_server
from benchmarks.results import conditions, parser, save
from benchmarks.stream_client import StreamSession

NAME = "upload-fairness"
SUMMARY = "a face-page load on a quiet server against one while other sessions upload the costliest image"

FACES = "Face verification"
# The stream client uploads without a browser cookie: XSRF protection off on this local test server only.
SERVER_ENV = {"STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false"}


async def plain_load(url: str) -> float:
    """Seconds for a fresh session to open the face page (as a student arriving on it)."""
    async with StreamSession(url, timeout=300) as s:
        run = await s.goto(FACES)
        if run.exceptions:
            raise RuntimeError(f"the face page failed: {run.exceptions}")
        return run.seconds


async def keep_uploading(url: str, data: bytes, mime: str, stop: asyncio.Event, counts: list) -> None:
    """One session uploading the costly image again and again (a new file each time, so it is decoded anew)."""
    async with StreamSession(url, timeout=300) as s:
        page = await s.goto(FACES)
        page = await s.choose(page.widget("radio", "Photo A: source"), "Upload a photo")
        k = 0
        while not stop.is_set():
            k += 1
            run = await s.upload(page.widget("file_uploader", "Photo A: photo"), f"big{k}.png", data, mime)
            if run.exceptions:
                raise RuntimeError(f"the upload failed: {run.exceptions}")
            counts.append(run.seconds)


async def measure(url: str, data: bytes, mime: str, loads: int, uploaders: int) -> dict:
    await plain_load(url)  # the first visit loads the models and scores the held-out pairs
    quiet = [await plain_load(url) for _ in range(loads)]
    stop, uploads = asyncio.Event(), []
    tasks = [asyncio.create_task(keep_uploading(url, data, mime, stop, uploads)) for _ in range(uploaders)]
    t0 = time.monotonic()
    while len(uploads) < uploaders and time.monotonic() - t0 < 120:  # every uploader is busy before we time
        await asyncio.sleep(0.2)
    busy = [await plain_load(url) for _ in range(loads)]
    stop.set()
    await asyncio.gather(*tasks)
    return {"quiet_s": quiet, "busy_s": busy, "upload_s": uploads}


def main(argv=None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--loads", type=int, default=5, help="plain face-page loads timed in each condition")
    p.add_argument("--uploaders", type=int, default=1, help="sessions uploading the costliest image meanwhile")
    a = p.parse_args(argv)
    before = conditions()
    from benchmarks.hostile_images import costliest
    from siamese_core.vision.detect import FaceDetector
    name, data, mime, costs = costliest(FaceDetector())
    print(f"costliest accepted image: {name} ({len(data):,} bytes, {costs[name]:.2f} s to decode and search alone)")
    with lab_server(env=SERVER_ENV) as (url, _):
        r = asyncio.run(measure(url, data, mime, a.loads, a.uploaders))
    quiet, busy = statistics.median(r["quiet_s"]), statistics.median(r["busy_s"])
    figures = {"image": name, "image_bytes": len(data), "image_costs_s": costs, "loads": a.loads,
               "uploaders": a.uploaders, "quiet_median_s": quiet, "busy_median_s": busy, "ratio": busy / quiet,
               "upload_median_s": statistics.median(r["upload_s"]), "uploads": len(r["upload_s"]), **r}
    save(a.out, NAME, argv, figures, before, show=block_text)
    return figures


def block_text(r: dict) -> str:
    f = r["figures"]
    return "\n".join([f"A plain face-page load, median of {f['loads']}: **{f['quiet_median_s']:.2f} s** on a quiet "
                      f"server, **{f['busy_median_s']:.2f} s** while {f['uploaders']} other session(s) kept "
                      f"uploading the costliest accepted image ({f['image']}, {f['uploads']} uploads of "
                      f"{f['upload_median_s']:.2f} s each): **{f['ratio']:.2f}×**.", "", conditions_line(r)])


BLOCKS = {"upload-fairness": Block(("docs/results/upload-fairness.json",), "python -m benchmarks.upload_fairness "
                                     "--out docs/results/upload-fairness.json", block_text)}


if __name__ == "__main__":
    main()
