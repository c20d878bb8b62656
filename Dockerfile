# Siamese Lab in a container: PyTorch's CPU-only wheels, `streamlit run app.py` on port 8501, the datasets in a
# volume (docs/classroom.md, "Where to run it"):
#   docker build -t siamese-lab .
#   docker run -p 8501:8501 -v /path/to/data:/data siamese-lab
FROM python:3.11-slim

WORKDIR /app
# requirements.txt as the README installs it; torch and torchvision from PyTorch's CPU index (a fraction of the
# CUDA wheels' size), everything else from PyPI.
COPY requirements.txt .
RUN pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
COPY . .

# The data folder (MNIST, Fashion-MNIST, Omniglot, AT&T faces; docs/data.md). The parsed arrays the processes
# share go to ~/.cache/siamese-lab/arrays inside the container.
ENV SIAMESE_LAB_DATA=/data
VOLUME /data
EXPOSE 8501
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
