"""Evaluation: test sets, metrics, runs, reports and plots."""
