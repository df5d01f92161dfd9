"""The pieces of bench/run.py and bench/soak.py, one concern a module; ROOT is the repository they run from."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
