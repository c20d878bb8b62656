"""The validation comparison's scoring on real Omniglot tasks: an embedding that knows every class answers
every task, one that knows nothing answers only the tasks whose answer happens to be the first support."""
import pytest
import torch
import torch.nn.functional as F

from benchmarks.oneshot_validation import format_comparison, within_alphabet_accuracy
from siamese_core.data import DatasetNotFoundError, load_dataset
from siamese_core.data.omniglot import VALIDATION_ALPHABETS, alphabet_subset
from siamese_core.data.sampling import sample_tasks


@pytest.fixture(scope="module")
def tasks_and_labels():
    try:
        ev = load_dataset("omniglot", "evaluation", image_size=(28, 28))
    except DatasetNotFoundError as exc:
        pytest.skip(str(exc))
    val = alphabet_subset(ev, VALIDATION_ALPHABETS)
    return sample_tasks(val.labels, 20, 200, 1, 5, val.alphabets, within_alphabet=True), val.labels


def test_a_perfect_embedding_answers_every_task_and_a_blind_one_guesses(tasks_and_labels):
    tasks, labels = tasks_and_labels
    knows = F.one_hot(labels).float()
    assert within_alphabet_accuracy(tasks, knows) == 1.0
    blind = torch.zeros(len(labels), 4)  # every support equally near: argmin takes the first
    first = sum(t.answer == 0 for t in tasks) / len(tasks)
    assert within_alphabet_accuracy(tasks, blind) == first < 0.2


def test_the_comparison_marks_ensembles_and_pairs_joined_here():
    text = format_comparison({"n_way": 20, "tasks": 1000, "seed": 1, "models": {"a.pt": 0.81, "e.pt": 0.83},
                              "joined_pairs": {"a.pt + b.pt": 0.82}, "members": {"a.pt": 1, "e.pt": 2}})
    assert "0.8300  (2 twins)" in text and "a.pt + b.pt" in text and "(joined here)" in text
    assert "0.8100\n" in text  # one twin: no mark


def test_the_comparison_says_input_sizes_only_when_they_differ():
    f = {"n_way": 20, "tasks": 1000, "seed": 1, "models": {"a.pt": 0.81, "b.pt": 0.83}, "joined_pairs": {},
         "members": {"a.pt": 1, "b.pt": 1}}
    assert "×" not in format_comparison({**f, "input_sizes": {"a.pt": [28, 28], "b.pt": [28, 28]}})
    text = format_comparison({**f, "input_sizes": {"a.pt": [28, 28], "b.pt": [40, 40]}})
    assert "0.8100  (28×28)" in text and "0.8300  (40×40)" in text


def test_the_comparison_gives_the_mean_and_range_of_each_recipes_seeds():
    models = {"rot-seed10.pt": 0.80, "rot-seed20.pt": 0.84, "mir-seed10.pt": 0.83, "mir-seed20.pt": 0.82,
              "mir-seed30.pt": 0.84, "one-twin-seed40.pt": 0.81}
    text = format_comparison({"n_way": 20, "tasks": 3000, "seed": 1, "models": models, "joined_pairs": {},
                              "members": dict.fromkeys(models, 2)})
    assert "mean of rot-seed*.pt" in text and "0.8200  (2 seeds, 0.8000 to 0.8400)" in text
    assert "0.8300  (3 seeds, 0.8200 to 0.8400)" in text
    assert "mean of one-twin" not in text  # one seed is no spread
