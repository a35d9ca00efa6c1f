"""Reading DBOS workflow statuses for the sweep: which send workflows ended without finishing.

``DBOS.list_workflows(workflow_ids=…)`` reads the ``workflow_status`` rows of the system
database in one query per chunk; ids DBOS never saw (an enqueue lost before it reached DBOS,
or a system database that was reset) are simply absent. A finished workflow's row stays:
enqueueing its id again returns the old row and runs nothing (``_insert_workflow_status`` in
DBOS 3.4), which is why a new round needs a new workflow id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbos import DBOS

from payjournal.jobs import JobStatus

#: Ids per query: well under SQLite's limit of bound parameters.
CHUNK = 500


def workflow_statuses(workflow_ids: Sequence[str]) -> Mapping[str, JobStatus]:
    """The status of every known workflow among ``workflow_ids``."""
    found: dict[str, JobStatus] = {}
    ids = list(workflow_ids)
    for start in range(0, len(ids), CHUNK):
        for workflow in DBOS.list_workflows(
            workflow_ids=ids[start : start + CHUNK], load_input=False
        ):
            error = type(workflow.error).__name__ if workflow.error is not None else ""
            found[workflow.workflow_id] = JobStatus(str(workflow.status), error)
    return found
