"""Does the server's memory stay bounded when sessions come and go for a long time? A server on
127.0.0.1; sessions (benchmarks/stream_client.py, no browser) open, act and close without end: some
upload the costliest images the gate accepts to the face page, some train on the losses page, some
browse. The server's resident memory is sampled throughout; what counts is its growth after the first
minutes (models, datasets and caches loading is not a leak), and where it settles once the sessions have
gone: Streamlit keeps a closed session's state for `server.disconnectedSessionTTL` (120 s), and the
server's housekeeping sweeps once a minute, so the settling lasts longer than both.

    python -m benchmarks run soak [--minutes 20] [--warmup 4] [--settle 240] [--out docs/results/soak.json]
"""
from __future__ import annotations

import asyncio
import random
import statistics
import time

from benchmarks.blocks import Block, conditions_line
from benchmarks.browser import lab_server
from benchmarks.hostile_images import candidates
from benchmarks.load_test import Sampler
from benchmarks.results import conditions, parser, save
from benchmarks.stream_client import StreamSession

NAME = "soak"
SUMMARY = "the server's memory while sessions come and go for a long time, and where it settles after"
SAMPLE_EVERY_S = 5.0  # between two samples of the server's memory
FACES = "Face verification"
# The stream client uploads without a browser cookie: XSRF protection off on this local test server only.
SERVER_ENV = {"STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false"}

BROWSE = ["Home", "Convolution", "Siamese twins", "One-shot", FACES]


class Tally:
    def __init__(self):
        self.sessions, self.failures, self.uploads, self.trainings, self.errors = 0, 0, 0, 0, {}

    def failed(self, what: str) -> None:
        self.failures += 1
        self.errors[what[:200]] = self.errors.get(what[:200], 0) + 1


async def uploader(url: str, images: list, rng: random.Random, tally: Tally) -> None:
    async with StreamSession(url, timeout=300) as s:
        page = await s.goto(FACES)
        page = await s.choose(page.widget("radio", "Photo A: source"), "Upload a photo")
        for _ in range(rng.randint(1, 3)):
            name, (data, mime) = rng.choice(images)
            run = await s.upload(page.widget("file_uploader", "Photo A: photo"), f"{rng.random():.6f}.img",
                                 data, mime)
            tally.uploads += 1
            if run.exceptions:
                tally.failed(f"upload {name}: {run.exceptions[0]}")


async def trainer(url: str, rng: random.Random, tally: Tally) -> None:
    async with StreamSession(url, timeout=600) as s:
        # Some seeds repeat: the shared-results cache fills.
        page = await s.goto("Losses", {"dataset": "digits", "loss": "contrastive", "dim": 8, "seconds": 5,
                                       "seed": rng.randint(0, 40)})
        run = await s.follow(await s.click(page.widget("button", "Train")))  # the page follows the job to its end
        tally.trainings += 1
        if run.exceptions:
            tally.failed(f"training: {run.exceptions[0]}")


async def browser(url: str, rng: random.Random, tally: Tally) -> None:
    async with StreamSession(url, timeout=300) as s:
        for title in rng.sample(BROWSE, 2):
            run = await s.goto(title)
            if run.exceptions:
                tally.failed(f"{title}: {run.exceptions[0]}")


async def worker(kind, url: str, deadline: float, seed: int, tally: Tally, *args) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        try:
            await kind(url, *args, rng, tally)
            tally.sessions += 1
        except Exception as exc:  # a timeout or a dropped connection: counted, and the soak goes on
            tally.failed(f"{kind.__name__}: {type(exc).__name__}: {exc}")
        await asyncio.sleep(rng.uniform(0.5, 3.0))


def slope_mb_per_min(points: list[tuple[float, float]]) -> float:
    try:
        return statistics.linear_regression([t / 60 for t, _ in points], [y for _, y in points]).slope
    except statistics.StatisticsError:  # fewer than two samples, or all at one time
        return 0.0


def summarise(samples: list, warmup: float, minutes: float, settled_from: float | None = None) -> dict:
    """Figures of the RSS samples (t seconds, MB): those of the load's `minutes`, and where it settled
    (the median from `settled_from` seconds on, after the load)."""
    settled = [mb for t, mb in samples if settled_from is not None and t >= settled_from]
    samples = [(t, mb) for t, mb in samples if t <= minutes * 60] or samples
    after = [(t, mb) for t, mb in samples if t >= warmup * 60]
    warm = [mb for t, mb in samples if (warmup - 1) * 60 <= t < warmup * 60] or [samples[0][1]]
    last = [mb for t, mb in samples if t >= (minutes - 1) * 60] or [samples[-1][1]]
    return {"start_mb": samples[0][1], "warm_mb": statistics.median(warm), "end_mb": statistics.median(last),
            "peak_mb": max(mb for _, mb in samples),
            "growth_after_warmup_mb": statistics.median(last) - statistics.median(warm),
            "peak_over_warm_mb": max((mb for _, mb in after), default=0) - statistics.median(warm),
            "slope_after_warmup_mb_per_min": slope_mb_per_min(after),
            **({"settled_mb": statistics.median(settled),
                "settled_over_warm_mb": statistics.median(settled) - statistics.median(warm)} if settled else {})}


def main(argv=None) -> dict:
    p = parser(NAME, __doc__)
    p.add_argument("--minutes", type=float, default=20.0)
    p.add_argument("--warmup", type=float, default=4.0, help="minutes before growth is counted")
    p.add_argument("--uploaders", type=int, default=3)
    p.add_argument("--trainers", type=int, default=2)
    p.add_argument("--browsers", type=int, default=2)
    p.add_argument("--settle", type=float, default=240.0,
                   help="seconds of sampling after the load, with no session open")
    a = p.parse_args(argv)
    warmup = min(a.warmup, a.minutes / 2)
    before = conditions()
    images = list(candidates().items())
    tally = Tally()
    with lab_server(env=SERVER_ENV) as (url, proc):
        sampler = Sampler(proc.pid, SAMPLE_EVERY_S)  # the server's RSS with its training processes'
        sampler.start()
        t0 = sampler.t0
        deadline = t0 + a.minutes * 60

        async def soak():
            tasks = [asyncio.ensure_future(w) for w in
                     [worker(uploader, url, deadline, k, tally, images) for k in range(a.uploaders)]
                     + [worker(trainer, url, deadline, 100 + k, tally) for k in range(a.trainers)]
                     + [worker(browser, url, deadline, 200 + k, tally) for k in range(a.browsers)]]
            while time.monotonic() < deadline:  # a line a minute, so a long run shows how it goes
                await asyncio.sleep(min(60.0, max(0.0, deadline - time.monotonic())))
                print(f"{(time.monotonic() - t0) / 60:5.1f} min: {tally.sessions} sessions, {tally.failures} failures, "
                      f"server {sampler.rss[-1] / 2**20 if sampler.rss else 0:.0f} MB", flush=True)
            # Bounded in time: sessions still busy at the deadline (a training waiting in line) are dropped.
            _, late = await asyncio.wait(tasks, timeout=30)
            for t in late:
                t.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        asyncio.run(soak())
        settle_end = time.monotonic() + a.settle
        print(f"load over; sampling {a.settle:g} s more with no session open", flush=True)
        time.sleep(a.settle)
        sampler.stop.set()
        sampler.join()
        samples = [(t, rss / 2**20) for t, rss in zip(sampler.at, sampler.rss)]  # (s, MB)
        settled_from = settle_end - t0 - min(60.0, a.settle / 2)  # its last minute
    figures = {"minutes": a.minutes, "warmup_minutes": warmup, "uploaders": a.uploaders, "trainers": a.trainers,
               "browsers": a.browsers, "sessions": tally.sessions, "uploads": tally.uploads,
               "trainings": tally.trainings, "failures": tally.failures, "errors": tally.errors,
               "settle_s": a.settle, **summarise(samples, warmup, a.minutes, settled_from),
               "samples": [[round(t, 1), round(mb, 1)] for t, mb in samples]}
    for what, n in tally.errors.items():
        print(f"  {n}× {what}")
    save(a.out, NAME, argv, figures, before, show=block_text)
    return figures


def block_text(r: dict) -> str:
    f = r["figures"]
    return "\n".join([
        f"{f['minutes']:g} minutes, {f['sessions']} sessions ({f['uploaders']} uploading, {f['trainers']} training, "
        f"{f['browsers']} browsing at any time): {f['uploads']} uploads, {f['trainings']} trainings, "
        f"{f['failures']} failures. Server memory: {f['start_mb']:.0f} MB at start, {f['warm_mb']:.0f} MB after "
        f"{f['warmup_minutes']:g} minutes, {f['end_mb']:.0f} MB in the last minute (peak {f['peak_mb']:.0f} MB): "
        f"**{f['growth_after_warmup_mb']:+.0f} MB** after the warm-up "
        f"({f['slope_after_warmup_mb_per_min']:+.1f} MB per minute)."
        + (f" With every session closed, it settled at {f['settled_mb']:.0f} MB within {f['settle_s']:g} s "
           f"(**{f['settled_over_warm_mb']:+.0f} MB** against the server after the warm-up)."
           if "settled_mb" in f else ""), "", conditions_line(r)])


BLOCKS = {"soak": Block(("docs/results/soak.json",),
                        "python -m benchmarks.soak --minutes 20 --out docs/results/soak.json", block_text)}


if __name__ == "__main__":
    main()
