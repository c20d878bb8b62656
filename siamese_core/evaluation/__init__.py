"""Measuring a trained model: verification pairs at a validation threshold, ROC/EER, N-way one-shot, retrieval."""
