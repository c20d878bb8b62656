"""Streamlit helpers shared by the pages: layout pieces, URL state and cached shared objects.

This is the only UI package; `siamese_core` never imports it (nor Streamlit)."""
