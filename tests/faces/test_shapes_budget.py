"""Every shape an upload can have, through the whole face pipeline (gate → shrink → YuNet with its
small-photo retry → Haar), in a subprocess whose address space is capped: a blow-up (the unbounded retry
once asked OpenCV for 42 GB on a 20×10000 strip) fails the test instead of the machine."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADROOM_MB = 1024  # address space allowed above what the process maps after loading torch and YuNet

CHILD = textwrap.dedent(r'''
    import io, json, resource, sys
    import numpy as np
    from PIL import Image
    from siamese_core.faces.photos import photo_from_bytes
    from siamese_core.vision.uploads import MAX_PIXELS, UploadError
    from siamese_core.vision.detect import FaceDetector

    class Recording(FaceDetector):
        """The real detector, noting the size of every picture its net is given."""
        largest = 0
        def _run(self, bgr):
            Recording.largest = max(Recording.largest, bgr.shape[0] * bgr.shape[1])
            return super()._run(bgr)

    detector = Recording()
    vm_kb = int(next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmSize")))
    limit = vm_kb * 1024 + int(sys.argv[1]) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def png(w, h, noisy):
        img = (Image.fromarray(np.random.default_rng(w * h).integers(0, 256, (h, w, 3), dtype=np.uint8))
               if noisy else Image.new("RGB", (w, h), (200, 150, 120)))
        buf = io.BytesIO(); img.save(buf, "PNG", compress_level=1); return buf.getvalue()

    def through_everything(w, h, noisy):
        """The page's path (bytes → gate → FacePhoto) and the detector alone on an array of that shape
        (the gate refuses extreme shapes; the detector must stay bounded without it)."""
        try:
            photo_from_bytes(png(w, h, noisy), detector)
        except UploadError as exc:
            assert str(exc) and "\n" not in str(exc)
        if w * h <= 4_000_000:
            detector.detect(np.full((h, w, 3), 128, np.uint8))

    shapes = json.loads(sys.argv[2])
    for w, h, noisy in shapes:
        through_everything(w, h, noisy)
    if sys.argv[3] != "0":
        from hypothesis import HealthCheck, given, settings, strategies as st

        @st.composite
        def shape(draw):
            long = draw(st.integers(1, 12_000))
            short = draw(st.integers(1, max(1, min(long, MAX_PIXELS // long))))
            return (long, short) if draw(st.booleans()) else (short, long)

        @settings(max_examples=int(sys.argv[3]), deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(shape(), st.booleans())
        def fuzz(wh, noisy):
            w, h = wh
            through_everything(w, h, noisy and w * h <= 2_000_000)

        fuzz()
    print(json.dumps({"largest_net_input": Recording.largest, "max_pixels": detector.config.max_pixels,
                      "retry_max_pixels": detector.config.retry_max_pixels}))
''')

# The audit's shapes: thin strips both ways, a strip just inside the gate, tiny pictures, and the cap.
AUDIT_SHAPES = [(1280, 8, False), (10000, 20, False), (20, 10000, False), (1280, 64, True), (64, 1280, True),
                (1, 1, False), (2, 3, True), (15, 15, True), (92, 112, True), (319, 16, True), (6300, 6300, False)]


def run_child(shapes, examples: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(HEADROOM_MB), json.dumps(shapes), str(examples)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900,
                          env={**__import__("os").environ, "MALLOC_ARENA_MAX": "2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _bounded(out: dict) -> None:
    assert 0 < out["largest_net_input"] <= max(out["max_pixels"], out["retry_max_pixels"])


@pytest.mark.slow
def test_the_audits_shapes_stay_inside_the_memory_cap_and_the_detector_budget():
    _bounded(run_child(AUDIT_SHAPES, 0))


@pytest.mark.slow
def test_fuzzed_shapes_from_1xn_to_nx1_stay_inside_the_memory_cap_and_the_detector_budget():
    _bounded(run_child([], 60))
