"""The process `npnru ui` becomes: Streamlit run in this very process, with Ctrl+C honoured
from the first instant.

Streamlit installs its SIGINT and SIGTERM handler only once its server has started (and
answers /_stcore/health). A SIGINT in between raises KeyboardInterrupt inside the event loop
and leaves Streamlit's own threads running: seen in CI, the process still alive 10 s after the
signal. Until Streamlit's handler replaces it, SIGINT ends the process at once — nothing has
been served yet. (SIGTERM and SIGHUP keep their default action, which ends the process.)
"""

import os
import signal
import sys


def _stop_now(signum: int, _frame) -> None:
    os._exit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGINT, _stop_now)
    from streamlit.web.cli import main

    sys.argv[0] = "streamlit"
    sys.exit(main())
