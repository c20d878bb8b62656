"""What the costliest accepted uploads cost the face page: for each image at the gate's edges
(benchmarks/hostile_images.py), the seconds to decode it and search it for faces, and the memory that
takes above an idle process that has the face detector loaded (its resident size sampled every few
milliseconds while the upload is handled, each image in a fresh process).

    python -m benchmarks run upload-budget [--out docs/results/upload-budget.json]
"""
from __future__ import annotations

import json
import subprocess
import sys

from benchmarks.blocks import Block, conditions_line, table, thousands
from benchmarks.browser import ROOT
from benchmarks.results import conditions, parser, save

NAME = "upload-budget"
SUMMARY = "the time and memory the costliest accepted uploads cost the face page"

CHILD = r"""
import io, json, sys, time
import numpy as np
from PIL import Image
from siamese_core.faces.photos import photo_from_bytes
from siamese_core.vision.detect import FaceDetector
data = sys.stdin.buffer.read()  # made by the parent: making it here would raise this process's peak first
detector = FaceDetector()
warm = io.BytesIO()
Image.fromarray(np.full((480, 640, 3), 128, np.uint8)).save(warm, "PNG")
photo_from_bytes(warm.getvalue(), detector)  # the detector warmed up on an ordinary photo
import os, threading
def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
idle, peak, done = rss_mb(), [0.0], threading.Event()
def watch():  # the resident size now and then while the upload is handled (the peak since start would
    while not done.is_set():  # be the import of torch's, not this upload's)
        peak[0] = max(peak[0], rss_mb())
        time.sleep(0.002)
watcher = threading.Thread(target=watch)
watcher.start()
t0 = time.perf_counter()
photo = photo_from_bytes(data, detector)
seconds = time.perf_counter() - t0
done.set()
watcher.join()
print(json.dumps({"seconds": seconds, "peak_mb": max(peak[0], rss_mb()) - idle,
                  "shape": list(photo.rgb.shape), "faces": len(photo.faces)}))
"""


def main(argv=None) -> dict:
    p = parser(NAME, __doc__)
    a = p.parse_args(argv)
    before = conditions()
    from benchmarks.hostile_images import candidates
    images = {}
    for name, (data, _) in candidates().items():
        out = subprocess.run([sys.executable, "-c", CHILD], input=data, cwd=ROOT, capture_output=True, check=True)
        images[name] = {"bytes": len(data), **json.loads(out.stdout.decode().strip().splitlines()[-1])}
        print(f"  {name}: {images[name]['seconds']:.2f} s, {images[name]['peak_mb']:.0f} MB above idle", flush=True)
    figures = {"images": images, "max_seconds": max(r["seconds"] for r in images.values()),
               "max_peak_mb": max(r["peak_mb"] for r in images.values())}
    save(a.out, NAME, argv, figures, before, show=block_text)
    return figures


def block_text(r: dict) -> str:
    f = r["figures"]
    rows = [[name, thousands(x["bytes"]), f"{x['seconds']:.2f} s", f"{x['peak_mb']:.0f} MB"]
            for name, x in f["images"].items()]
    return "\n".join([table(["accepted upload", "bytes", "decode + find faces", "memory above idle"], rows), "",
                      conditions_line(r)])


BLOCKS = {"upload-budget": Block(("docs/results/upload-budget.json",),
                                   "python -m benchmarks.upload_budget --out docs/results/upload-budget.json",
                                   block_text)}


if __name__ == "__main__":
    main()
