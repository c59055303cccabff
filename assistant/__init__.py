"""Retrieval and cited answers for the Module 9.5 course assistant.

No model hub is reachable where this runs: the offline switches of huggingface_hub and
transformers are set before either can be imported, so a stray download fails at once instead of
hanging, and Chroma's telemetry is off.
"""

import os as _os

for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    _os.environ.setdefault(_name, _value)
