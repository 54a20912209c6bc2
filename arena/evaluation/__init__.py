"""Evaluation of saved runs: reports with intervals, cross-play, statistics and plots."""
