"""A student is their browser: every tab sends the same XSRF cookie, whose token stays while its mask changes."""
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

from lab_ui.student_identity import xsrf_token


def test_the_token_is_the_same_under_every_mask_the_server_gives_it():
    token = bytes(range(16))
    cookies = {generate_xsrf_token_string(token, 1_796_554_790) for _ in range(5)}  # as each page load re-masks
    assert len(cookies) > 1 and {xsrf_token(c) for c in cookies} == {token}
    assert xsrf_token(generate_xsrf_token_string(bytes(16 * [7]))) != token


def test_anything_else_names_no_browser():
    for cookie in ("", "2|zz|00|1", "1|00|00|1", "2||00|1", "2|00000000|0|1", "2|01|02"):
        assert xsrf_token(cookie) is None
