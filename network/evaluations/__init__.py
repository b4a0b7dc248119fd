"""Evaluations: questionnaires after events, the needs survey, the resources' usefulness."""
