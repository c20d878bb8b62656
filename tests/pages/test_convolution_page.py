"""AppTest of the convolution page: drive the controls and check the numbers it shows."""
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from siamese_core.data import load_dataset
from siamese_core.explain.conv_explain import grey_input
from siamese_core.explain.kernels import kernel_preset
from siamese_core.vision.uploads import read_image

PAGE = str(Path(__file__).resolve().parents[2] / "app_pages" / "1_convolution.py")


def _page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for k, v in query.items():
        at.query_params[k] = str(v)
    return at.run()


def _latex(at) -> str:
    return "\n".join(x.value for x in at.latex)


def _sum_shown(at) -> float:
    cap = next(c.value for c in at.caption if c.value.startswith(tuple("0123456789")) and "Sum =" in c.value)
    return float(re.search(r"Sum = (-?[\d.]+)", cap).group(1))


@pytest.mark.slow
def test_digits_sobel_formula_and_one_cells_arithmetic():
    at = _page(ds="digits", idx=3)
    assert not at.exception
    assert "digits test image #3" in at.caption[0].value
    # 8×8 digits, 3×3 kernel, stride 1, no padding: ⌊(8 + 0 − 3)/1⌋ + 1 = 6.
    assert r"\frac{8 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 6" in _latex(at)
    at.slider(key="conv_stride").set_value(2).run()
    at.slider(key="conv_pad").set_value(1).run()
    assert r"\frac{8 + 2\cdot1 - 3}{2} \right\rfloor + 1 = 4" in _latex(at)
    at.toggle(key="conv_relu").set_value(False).run()
    at.number_input(key="conv_row_4").set_value(0).run()
    at.number_input(key="conv_col_4").set_value(2).run()
    x = load_dataset("digits", "test").images[3, 0].double()
    ref = F.conv2d(x[None, None], torch.from_numpy(kernel_preset("Sobel x"))[None, None], stride=2, padding=1)
    assert _sum_shown(at) == pytest.approx(float(ref[0, 0, 0, 2]), abs=1e-4)
    assert "rows **-1 … 1** and columns **3 … 5**" in " ".join(m.value for m in at.markdown)
    assert "zero padding" in " ".join(m.value for m in at.markdown)
    # The state is in the URL, so the view can be shared.
    assert at.query_params["stride"] == "2" and at.query_params["pad"] == "1"


@pytest.mark.slow
def test_kernel_and_pooling_controls_and_the_impossible_case():
    at = _page(ds="digits")
    at.selectbox(key="conv_kernel").set_value("box blur").run()
    at.radio(key="conv_ksize").set_value(5).run()
    assert r"\frac{8 + 2\cdot0 - 5}{1} \right\rfloor + 1 = 4" in _latex(at)
    at.selectbox(key="conv_pool").set_value("average").run()
    at.slider(key="conv_psize").set_value(3).run()
    at.slider(key="conv_pstride").set_value(1).run()
    assert r"\left\lfloor \frac{4 - 3}{1} \right\rfloor + 1 = 2\ \text{rows}" in _latex(at)
    # Stride 5 leaves a 1×1 map: a 3×3 pooling window cannot fit → a warning, the rest still renders.
    at.slider(key="conv_stride").set_value(5).run()
    assert not at.exception
    assert any("Pooling cannot run" in w.value for w in at.warning)
    assert any("7680" in x.value for x in at.latex)  # the parameter section is still there


def test_why_convolutions_table_counts():
    at = _page(ds="digits")
    at.slider(key="conv_units").set_value(10).run()
    table = at.dataframe[-1].value
    assert list(table["numbers in the image"]) == ["64", "48", "99,532,800"]
    assert list(table["dense, 10 units"]) == ["650", "490", "995,328,010"]
    assert set(table["conv, 10 filters 3×3"]) == {"100", "280"}  # 9·1·10 + 10 grey, 9·3·10 + 10 RGB


def test_uploaded_image_state_path(data_dir):
    pgm = Path(data_dir or "/nonexistent") / "att_faces" / "s1" / "1.pgm"
    if not pgm.is_file():
        pytest.skip("AT&T faces not in the data folder")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["src"] = "upload"
    at.run()
    assert any("Upload an image" in i.value for i in at.info)  # nothing uploaded yet: a hint, no error
    at.session_state["conv_upload"] = grey_input(read_image(pgm.read_bytes()), 64)
    at.run()
    assert not at.exception
    assert "shrunk from 92×112 to 53×64 pixels, width × height" in at.caption[0].value
    assert r"\frac{64 + 2\cdot0 - 3}{1} \right\rfloor + 1 = 62" in _latex(at)


def test_an_uploaded_photo_is_said_to_be_shrunk_from_its_own_size():
    """The file is decoded at most 256 pixels wide before the page shrinks it to 64: the caption must give the
    file's 900×700, not the decoded 256×199."""
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (900, 700), (90, 120, 150)).save(buf, "JPEG")
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["src"] = "upload"
    at.run()
    at.sidebar.file_uploader[0].set_value(("photo.jpg", buf.getvalue(), "image/jpeg")).run()
    assert not at.exception
    assert "shrunk from 900×700 to 64×50 pixels, width × height" in at.caption[0].value


def test_trained_first_layer_is_shown():
    at = _page(ds="digits")
    text = " ".join(m.value for m in at.markdown)
    assert "first layer of `assets/mnist_koch_edges.pt`" in text and "32 filters of 5×5" in text


@pytest.mark.slow
def test_custom_kernel_starts_as_identity():
    at = _page(ds="digits", idx=5)
    at.selectbox(key="conv_kernel").set_value("custom").run()
    at.slider(key="conv_pad").set_value(1).run()  # identity + 'same' padding: the map is the image
    at.number_input(key="conv_row_8").set_value(2).run()
    at.number_input(key="conv_col_8").set_value(6).run()
    x = load_dataset("digits", "test").images[5, 0]
    assert _sum_shown(at) == pytest.approx(float(x[2, 6]), abs=1e-4)
    assert at.query_params["kernel"] == "custom"


def test_an_image_smaller_than_the_kernel_gives_a_warning():
    from PIL import Image
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["src"] = "upload"
    at.session_state["conv_upload"] = grey_input(Image.new("L", (3, 2), 200), 64)
    at.run()
    at.radio(key="conv_ksize").set_value(5).run()
    assert not at.exception
    assert any("cannot work" in w.value and "larger than the padded input" in w.value for w in at.warning)
    at.slider(key="conv_pad").set_value(2).run()  # 2 + 2·2 = 6 ≥ 5: works again
    assert not at.warning and r"\frac{2 + 2\cdot2 - 5}{1} \right\rfloor + 1 = 2" in _latex(at)
