"""Run several AppTest scripts at the same time, as several students' browsers do."""
import threading

from streamlit.testing.v1.util import patch_config_options


def run_at_once(*runs) -> None:
    """Calls every `run` (an AppTest's bound run, e.g. `button.click().run`) in a thread of its own and
    waits for all. Each AppTest run patches streamlit's config for its own length; overlapping patches undo
    each other out of order, so without this outer one a script could find AppTest mode switched off
    mid-run and leave a widget's format_func unrecorded (a KeyError on that student's next run)."""
    threads = [threading.Thread(target=run) for run in runs]
    with patch_config_options({"global.appTest": True}):
        for t in threads:
            t.start()
        for t in threads:
            t.join()
