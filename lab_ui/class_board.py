"""The class board's server side for pages: the server's one board, a student's share switch and nickname, and
the one place a finished page run is shared (`share`, called where `run_follow` hands a result over).

Sharing is on by default: the lab is run in class. A student appears under a nickname they type or a random one
("Quiet Otter"); the board keeps that nickname and the run, nothing else about the student. Only page training
runs (RunReports) reach it: never a photo, an upload or a drawing."""
from __future__ import annotations

import random
import uuid

import streamlit as st

from siamese_core.service.class_board import NICKNAME_LIMIT, ClassBoard
from siamese_core.service.experiment import RunReport
from siamese_core.service.job import Job

from .plain_text import clean, shown
from .training_jobs import SETTINGS

ADJECTIVES = ("Quiet", "Brave", "Calm", "Swift", "Bright", "Clever", "Gentle", "Bold", "Keen", "Lucky", "Merry",
              "Noble", "Proud", "Sunny", "Witty", "Eager")
ANIMALS = ("Otter", "Heron", "Lynx", "Falcon", "Badger", "Panda", "Gecko", "Marten", "Ibis", "Bison", "Koala",
           "Lemur", "Puffin", "Tapir", "Walrus", "Yak")
# The switch's widget (SWITCH) and the choice it sets (SHARE): Streamlit forgets a widget's state on a page that
# does not draw it, and a student who switched sharing off must not find it on again after a visit to Home.
SHARE, SWITCH, NICKNAME, TYPED, TOKEN, NOTE = "_board_share", "board_share", "_board_nickname", "board_nickname", \
    "_board_token", "_board_note"


@st.cache_resource
def board() -> ClassBoard:
    """The server's one board (per web server process: docs/scaling.md)."""
    return ClassBoard(SETTINGS.board_runs, SETTINGS.instructor_key, clean)


def random_nickname(rng: random.Random | None = None) -> str:
    rng = rng or random.Random()
    return f"{rng.choice(ADJECTIVES)} {rng.choice(ANIMALS)}"


def _token() -> str:
    """A random id for this session's nickname: nothing about the student."""
    return st.session_state.setdefault(TOKEN, uuid.uuid4().hex)


def nickname() -> str:
    """This student's nickname on the board (a random one until they type their own)."""
    if NICKNAME not in st.session_state:
        st.session_state[NICKNAME] = board().claim_nickname(_token(), random_nickname())
    return st.session_state[NICKNAME]


def sharing() -> bool:
    return st.session_state.get(SHARE, True)


def _typed() -> None:
    """The nickname field changed: claim it, or keep the old one and say why in one sentence."""
    typed = st.session_state.get(TYPED, "")
    name = board().claim_nickname(_token(), typed)
    st.session_state.pop(NOTE, None)
    if name is None:
        st.session_state[NOTE] = ("warning", "A nickname needs at least one letter, digit or sign: you keep "
                                             f"“{shown(nickname())}”.")
    else:
        st.session_state[NICKNAME] = name
        if name != clean(typed, NICKNAME_LIMIT):
            st.session_state[NOTE] = ("caption", f"Another student has that nickname: you appear as “{shown(name)}”.")
    st.session_state[TYPED] = nickname()


def _switched() -> None:
    st.session_state[SHARE] = st.session_state[SWITCH]


def share_controls() -> None:
    """The training pages' sidebar switch and nickname field, folded under what they decide."""
    name = nickname()
    st.session_state.setdefault(TYPED, name)
    label = f"📋 Class board: sharing as {shown(name)}" if sharing() else "📋 Class board: not sharing"
    with st.sidebar.expander(label):
        st.toggle("Share my runs on the class board", value=sharing(), key=SWITCH, on_change=_switched,
                  help="Each run you train on this page appears on the Class board under your nickname, "
                       "with its settings and results; nothing else about you is kept.")
        st.text_input("Nickname", key=TYPED, max_chars=NICKNAME_LIMIT, on_change=_typed,
                      help="What the class sees beside your runs; another student's nickname gets a number.")
        if NOTE in st.session_state:
            kind, text = st.session_state[NOTE]
            getattr(st, kind)(text)


def share(job: Job, result) -> None:
    """Put a finished page run (or each run of a sweep) on the board, if this student shares: the one place
    runs reach the board. Identical runs (the same share key) are one entry there."""
    if not sharing():
        return
    reports = result if isinstance(result, list) else [result]
    key = job.training.share_key
    for k, report in enumerate(reports):
        if isinstance(report, RunReport):
            board().add(report, nickname(), f"{key}/{k}" if key else None)
