"""Finding faces in photos: OpenCV's YuNet detector (and Haar cascades), alignment, and the model files
they need. Below the data layer: the re-aligned AT&T dataset is made with it."""
