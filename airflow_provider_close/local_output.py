"""Where local files go by default: a folder under ``AIRFLOW_HOME``, never a shared ``/tmp``.

In a shared ``/tmp`` folder, the first user's directories block every other user's writes and
runs of different users overwrite each other's files. Under ``AIRFLOW_HOME`` each installation
has its own. (Production DAGs give an object storage URL instead, which every worker can read.)
Standard library only: example DAG files import it at parse time.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["local_output_dir"]


def local_output_dir(*parts: str) -> str:
    """Return ``$AIRFLOW_HOME/close/<parts>`` (not created here).

    ``AIRFLOW_HOME`` is resolved as Airflow does: the environment variable, else ``~/airflow``.

    :param parts: sub-folders, e.g. ``"results"``.
    """
    home = os.path.expanduser(os.path.expandvars(os.environ.get("AIRFLOW_HOME", "~/airflow")))
    return str(Path(home, "close", *parts))
