"""Home: the story of the workshop and a map of its pages."""
import streamlit as st

from lab_ui.cluster_status import cluster_status, small_machine_status
from lab_ui.datasets_panel import datasets_panel
from lab_ui.layout import notice
from siamese_core.lessons import notice_text

st.title("Siamese Lab")
st.markdown(
    "An interactive workshop on **Siamese neural networks** and **metric learning**: "
    "two twin networks with the *same* weights turn images into embeddings, and a distance between "
    "embeddings says whether two images show the same thing."
)
c1, c2, c3 = st.columns(3)
c1.markdown("## Verification\n*Are these two the same person, signature, object?* "
            "One yes/no answer from a distance and a threshold.")
c2.markdown("## Identification\n*Which of my gallery is this?* Rank the gallery by distance to the "
            "probe and return the closest matches.")
c3.markdown("## One-shot learning\nNew classes appear after training. Enrol each with **one** example — "
            "store its embedding — and no retraining is needed.")
st.latex(r"p(\text{same}) = \sigma\Big(\sum_j \alpha_j \,\lvert h_1^{(j)} - h_2^{(j)} \rvert\Big)"
         r"\qquad L_{\text{contrastive}} = y\,d^2 + (1-y)\,\max(m-d,\,0)^2")

st.subheader("The open-world problem")
st.markdown("A classifier knows a fixed list of classes: a new person at the passport gate would mean "
            "retraining it. A Siamese network learns a *distance* instead, so a new person is enrolled by "
            "storing one embedding of one photo.")

st.subheader("Map of the workshop")
st.markdown(
    "| # | page | you tweak | you see |\n|---|---|---|---|\n"
    "| 1 | Convolution & pooling | image, kernel, stride, padding, pooling | feature maps and one cell's arithmetic |\n"
    "| 2 | Siamese twins & the L1 layer | two feature vectors, weights α, distance "
    "| \\|h1 − h2\\|, σ, p, symmetry, BCE |\n"
    "| 3 | Losses: BCE vs contrastive vs triplet | loss, margin, embedding size, budget "
    "| histograms and map moving as it trains, replay, ROC |\n"
    "| 4 | Embedding size | sizes to sweep | accuracy and AUC versus size |\n"
    "| 5 | Triplet mining & center loss | miner, λ | active triplets, collapse, 2-D features |\n"
    "| 6 | One-shot learning | N, alphabet, your own drawing | N-way tasks, accuracy versus N |\n"
    "| 7 | Face verification | two photos, threshold, a gallery | verdicts of two models, ranked matches |\n"
    "| 📋 | Class board | the x axis (the instructor: clear, hide, pin) "
    "| every run the class shared: accuracy against a setting, histograms, maps, a table |\n")
st.subheader("Datasets")
st.markdown("Every page works offline with the datasets below; a missing one can be fetched here once "
            "(with internet), checked against its published checksum before it is kept.")
datasets_panel()
cluster_status()
small_machine_status()

notice(notice_text("home"))
