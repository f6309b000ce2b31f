"""Answering: question analysis, retrieval, extractive and generated answers, verification, the Assistant."""
