"""Photos in: the one gate every uploaded image passes through (`uploads`), and finding faces — OpenCV's YuNet
detector (and Haar cascades), alignment, and the model files they need. Below the data layer: the re-aligned
AT&T dataset is made with it."""
