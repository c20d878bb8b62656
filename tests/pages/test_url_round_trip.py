"""Every page's state lives in its URL: set each control of a page to a value other than its default, take the
query string the page wrote, open it in a fresh session (a new browser given the link) and find every control
as it was left."""
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

PAGES = Path(__file__).resolve().parents[2] / "app_pages"
ARCH_VGG = "Course VGG backbone (28×28, 32-d)"

# page → the controls, set in this order: (widget kind, key, value other than the default)
CONTROLS = {
    "1_convolution.py": [
        ("selectbox", "conv_ds", "digits"), ("number_input", "conv_idx_digits", 5),
        ("selectbox", "conv_kernel", "sharpen"), ("radio", "conv_ksize", 5), ("slider", "conv_stride", 2),
        ("slider", "conv_pad", 1), ("toggle", "conv_relu", False), ("selectbox", "conv_pool", "average"),
        ("slider", "conv_psize", 1), ("slider", "conv_pstride", 1),
        # digits are 8×8: a 5×5 kernel at stride 2 with padding 1 gives a 3×3 map
        ("number_input", "conv_row_3", 1), ("number_input", "conv_col_3", 2), ("slider", "conv_units", 128)],
    "2_siamese_twins.py": [
        ("radio", "twins_arch", ARCH_VGG), ("text_input", "twins_h1", "1, 2, 3"),
        ("text_input", "twins_h2", "0, 2, 5"), ("text_input", "twins_alpha", "-0.5"),
        ("number_input", "twins_bias", 1.5), ("slider", "twins_sigma", 3.5), ("radio", "twins_y", 0),
        ("slider", "twins_p", 0.25), ("select_slider", "twins_bs", 64), ("toggle", "twins_shuffle", False),
        ("radio", "twins_opt", "sgd")],
    "3_losses.py": [
        ("selectbox", "losses_dataset", "digits"), ("selectbox", "losses_loss", "triplet"),
        ("slider", "losses_margin_triplet", 0.35), ("select_slider", "losses_dim", 8),
        ("selectbox", "losses_distance", "cosine"), ("slider", "losses_seconds", 15),
        ("number_input", "losses_seed", 3), ("multiselect", "losses_pretrained", ["fashion_triplet.pt"])],
    "4_embedding_size.py": [
        ("selectbox", "size_dataset", "digits"), ("selectbox", "size_loss", "triplet"),
        ("multiselect", "size_sizes", [4, 16]), ("slider", "size_seconds", 7)],
    "5_mining.py": [
        ("selectbox", "mining_dataset", "digits"), ("slider", "mining_seconds", 7),
        ("multiselect", "mining_miners", ["random", "hardest"]), ("slider", "mining_margin", 0.35),
        ("multiselect", "centre_lambdas", [0.0, 1.0])],
    "6_one_shot.py": [
        ("slider", "oneshot_n", 5), ("selectbox", "oneshot_alphabet", "all alphabets mixed"),
        ("radio", "oneshot_source", "upload a drawing"), ("slider", "oneshot_own_k", 4),
        ("slider", "oneshot_seconds", 120), ("number_input", "oneshot_train_seed", 5)],
}
# The explore mode of the two atlas pages: its own controls.
EXPLORE = {
    "3_losses.py": [("radio", "losses_mode", "explore"), ("selectbox", "atlas_loss", "triplet"),
                    ("select_slider", "atlas_margin_triplet", 0.5), ("select_slider", "atlas_dim", 8)],
    "4_embedding_size.py": [("radio", "size_mode", "explore"), ("selectbox", "atlas_size_loss", "triplet"),
                            ("select_slider", "atlas_size_margin_triplet", 1.0)],
}


def control(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def set_and_reopen(page: str, controls: list) -> tuple[AppTest, AppTest]:
    """(the session that set the controls, a fresh one opened on the query string it wrote)."""
    at = AppTest.from_file(str(PAGES / page), default_timeout=300).run()
    assert not at.exception, at.exception
    for kind, key, value in controls:
        control(at, kind, key).set_value(value)
        at.run()
        assert not at.exception, at.exception
        assert control(at, kind, key).value == value, key
    fresh = AppTest.from_file(str(PAGES / page), default_timeout=300)
    fresh.query_params = dict(at.query_params)
    return at, fresh.run()


@pytest.mark.parametrize("page,controls", [*CONTROLS.items(), *EXPLORE.items()],
                         ids=[*CONTROLS, *(f"{p}-explore" for p in EXPLORE)])
def test_every_control_comes_back_from_the_url_in_a_fresh_session(page, controls, atlas):
    _, fresh = set_and_reopen(page, controls)
    assert not fresh.exception, fresh.exception
    came_back = {key: control(fresh, kind, key).value for kind, key, _ in controls}
    assert came_back == {key: value for _, key, value in controls}


def test_the_one_shot_task_comes_back_from_the_url():
    """The task itself (New task draws another) is part of the page's state: a shared link shows the same one."""
    page = str(PAGES / "6_one_shot.py")
    at = AppTest.from_file(page, default_timeout=300).run()
    at.button(key="oneshot_new_task").click().run()
    at.button(key="oneshot_new_task").click().run()
    fresh = AppTest.from_file(page, default_timeout=300)
    fresh.query_params = dict(at.query_params)
    fresh.run()
    assert not fresh.exception, fresh.exception
    assert any("(task #2)" in m.value for m in fresh.markdown)
