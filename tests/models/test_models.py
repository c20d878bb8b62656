import pytest
import torch

from siamese_core.models import ConcatHead, KochBackbone, ModelConfig, SiameseNet, VGGBackbone, WeightedL1Head
from siamese_core.models.backbones import count_parameters


def test_course_backbone_has_the_course_parameter_count():
    counts = count_parameters(VGGBackbone(embedding_dim=32, input_size=(28, 28)))
    assert counts["parameters"] == 428_552       # Keras "trainable"
    assert counts["bn_statistics"] == 624        # Keras "non-trainable": BN moving mean/variance
    assert counts["keras_total"] == 429_176      # the course's model summary


def test_course_backbone_shapes():
    net = VGGBackbone(embedding_dim=7, input_size=(28, 28)).eval()
    assert net(torch.rand(5, 1, 28, 28)).shape == (5, 7)
    assert VGGBackbone(embedding_dim=4, input_size=(8, 8)).eval()(torch.rand(3, 1, 8, 8)).shape == (3, 4)


def test_koch_full_size_matches_the_paper():
    net = KochBackbone()  # 105×105 → 96 → 48 → 42 → 21 → 18 → 9 → 6; 6·6·256 = 9216 → 4096
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    expected = [(64, (10, 10)), (128, (7, 7)), (128, (4, 4)), (256, (4, 4))]
    assert [(c.out_channels, c.kernel_size) for c in convs] == expected
    dense = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert dense[0].in_features == 9216 and dense[0].out_features == 4096
    out = net.eval()(torch.rand(2, 1, 105, 105))
    assert out.shape == (2, 4096) and out.min() >= 0 and out.max() <= 1  # sigmoid embedding


def test_koch_init_follows_the_paper():
    net = KochBackbone(embedding_dim=64, input_size=(105, 105), width=0.25).koch_init_()
    conv = next(m for m in net.modules() if isinstance(m, torch.nn.Conv2d))
    assert abs(conv.weight.std().item() - 1e-2) < 2e-3 and abs(conv.bias.mean().item() - 0.5) < 1e-2


def test_input_too_small_is_a_clear_error():
    with pytest.raises(ValueError, match="too small"):
        KochBackbone(input_size=(20, 20))


def test_l1_head_is_the_workshop_formula():
    head = WeightedL1Head(3)
    with torch.no_grad():
        head.alpha.weight.copy_(torch.tensor([[1.0, 2.0, -1.0]]))
        head.alpha.bias.fill_(0.5)
    h1, h2 = torch.tensor([[0.1, 0.4, 1.1]]), torch.tensor([[3.7, 0.5, -1.0]])
    # |h1 − h2| = (3.6, 0.1, 2.1); 1·3.6 + 2·0.1 − 1·2.1 + 0.5 = 2.2
    torch.testing.assert_close(head(h1, h2), torch.tensor([2.2]))


@pytest.mark.parametrize("head", [None, "l1", "concat"])
def test_twins_share_one_module_and_the_network_is_symmetric(head):
    torch.manual_seed(0)
    model = SiameseNet(ModelConfig(embedding_dim=8, input_size=(8, 8), head=head)).eval()
    x1, x2 = torch.rand(6, 1, 8, 8), torch.rand(6, 1, 8, 8)
    torch.testing.assert_close(model(x1, x2), model(x2, x1))
    # One module embeds both inputs: gradients from both branches land on the same tensors.
    model.train()
    x1.requires_grad_(True)
    x2.requires_grad_(True)
    model(x1, x2).sum().backward()
    assert x1.grad.abs().sum() > 0 and x2.grad.abs().sum() > 0
    w = next(model.twin.parameters())
    assert w.grad is not None and w.grad.abs().sum() > 0
    # The only embedding network in the model is `twin`; there is no second copy of its weights.
    assert sum(1 for m in model.modules() if isinstance(m, VGGBackbone)) == 1


def test_concat_head_is_symmetric_even_untrained():
    head = ConcatHead(5)
    a, b = torch.randn(4, 5), torch.randn(4, 5)
    torch.testing.assert_close(head(a, b), head(b, a))


def test_model_config_rejects_unknown_parts():
    with pytest.raises(ValueError, match="backbone"):
        ModelConfig(backbone="resnet")
    with pytest.raises(ValueError, match="head"):
        ModelConfig(head="dot")


def test_prepare_converts_pil_images_like_training(tmp_path):
    from PIL import Image
    model = SiameseNet(ModelConfig(embedding_dim=4, input_size=(8, 8)))
    img = Image.new("RGB", (32, 16), (255, 255, 255))
    x = model.prepare([img, img.convert("L")])
    assert x.shape == (2, 1, 8, 8) and torch.allclose(x, torch.ones_like(x))
    inverted = SiameseNet(ModelConfig(embedding_dim=4, input_size=(8, 8), invert=True)).prepare([img])
    assert torch.allclose(inverted, torch.zeros_like(inverted))


def test_face_cnn_shapes_and_flip_averaged_embeddings_are_mirror_symmetric():
    torch.manual_seed(0)
    m = SiameseNet(ModelConfig(backbone="face-cnn", embedding_dim=16, input_size=(56, 46), flip_average=True)).eval()
    x = torch.rand(3, 1, 56, 46)
    h = m.embed(x)
    assert h.shape == (3, 16) and torch.allclose(h.norm(dim=1), torch.ones(3))
    assert torch.allclose(h, m.embed(x.flip(-1)), atol=1e-5)  # a face and its mirror: one embedding
    plain = SiameseNet(ModelConfig(backbone="face-cnn", embedding_dim=16, input_size=(56, 46))).eval()
    plain.load_state_dict(m.state_dict())
    assert not torch.allclose(plain.embed(x), plain.embed(x.flip(-1)), atol=1e-3)
    m.train()
    assert m.embed(x).shape == (3, 16)  # training sees each picture once, unmirrored


def test_s_norm_scores_a_pair_against_the_cohort_once_it_is_filled(tmp_path):
    """cohort_size > 0: score = ½((s − μ_a)/σ_a + (s − μ_b)/σ_b), s = −distance, μ/σ over each side's
    −distances to the cohort; an unfilled (all-zero) cohort leaves −distance; the cohort is saved."""
    from siamese_core.models.checkpoint import load_model, save_checkpoint
    torch.manual_seed(0)
    net = SiameseNet(ModelConfig(backbone="face-cnn", embedding_dim=8, input_size=(16, 16), cohort_size=20)).eval()
    x, h = torch.rand(20, 1, 16, 16), torch.nn.functional.normalize(torch.randn(6, 8), dim=1)
    raw = -torch.linalg.norm(h[:3] - h[3:], dim=1)
    assert torch.allclose(net.score(h[:3], h[3:]), raw)
    net.set_cohort(x)
    cohort = net.embed(x)
    assert torch.allclose(net.cohort, cohort)
    c = -torch.cdist(h, cohort)
    mu, sd = c.mean(1), c.std(1)
    expected = ((raw - mu[:3]) / sd[:3] + (raw - mu[3:]) / sd[3:]) / 2
    assert torch.allclose(net.score(h[:3], h[3:]), expected, rtol=1e-4, atol=1e-4)
    save_checkpoint(tmp_path / "n.pt", net)
    assert torch.allclose(load_model(tmp_path / "n.pt").score(h[:3], h[3:]), expected, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="cohort_size"):
        ModelConfig(cohort_size=5, head="l1")


@pytest.mark.parametrize("settings", [{"head": "l1"}, {"test_shifts": 1, "distance": "cosine"},
                                      {"backbone": "face-cnn", "input_size": (16, 16), "cohort_size": 5}])
def test_a_similarity_matrix_holds_the_similarity_of_every_pair(settings):
    torch.manual_seed(0)
    model = SiameseNet(ModelConfig(**{"embedding_dim": 8, "input_size": (8, 8), **settings})).train()
    if model.config.cohort_size:
        model.set_cohort(torch.rand(5, 1, *model.input_size))
    a, b = torch.rand(3, 1, *model.input_size), torch.rand(4, 1, *model.input_size)
    matrix = model.similarity_matrix(a, b)
    assert matrix.shape == (3, 4) and model.training  # left as it was found
    pairs = torch.stack([model.similarity(a[i:i + 1], b[j:j + 1]) for i in range(3) for j in range(4)]).view(3, 4)
    # Equal up to float rounding (embeddings of batches of other sizes; S-norm divides by a small spread); a
    # pair scored against the wrong picture is off by far more.
    torch.testing.assert_close(matrix, pairs, rtol=1e-4, atol=1e-4)
