"""Hand-written explanations that run.py puts under the table of docs/performance.md."""

WHY = {}
NOTES = ""
