"""Face verification and identification on real photos: detection (YuNet, Haar), alignment, two
embedders behind one interface (the class's own Siamese network, OpenCV's SFace), verdicts and a gallery.

No Streamlit here: the page `app_pages/7_faces.py` and `python -m siamese_core.faces.benchmark` call it."""
from ..vision.detect import Face, FaceDetector, haar_boxes
from ..vision.zoo import ModelFileError, model_file
from .embedders import ClassModelEmbedder, Embedder, SFaceEmbedder
from .gallery import Gallery, Match
from .photos import FacePhoto, draw_faces, find_faces, photo_from_bytes, to_rgb_array
from .verify import Verdict, heldout_pair_scores, trade_off, verify

__all__ = ["Face", "FaceDetector", "haar_boxes", "Embedder", "ClassModelEmbedder", "SFaceEmbedder",
           "Gallery", "Match", "FacePhoto", "draw_faces", "find_faces", "photo_from_bytes", "to_rgb_array",
           "Verdict", "verify",
           "heldout_pair_scores", "trade_off", "ModelFileError", "model_file"]
