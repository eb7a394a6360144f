"""Root pytest configuration (also covers the doctests in spiking/ and models/): Brian's
numpy target, so that a cold machine compiles nothing for the quick tests."""

import os

os.environ.setdefault("SPIKING_RUNTIME_TARGET", "numpy")
