"""Can the cluster train a page's run? The web server's judgement of each worker, made when it joins: a worker
that cannot import siamese_core, was started without the preload or runs another version is *refused* (no
run goes to it); one that lacks some datasets trains runs on those it has. Once per connection the question
also goes as a task, so a scheduler that could not read the training task is found before a student's run.
Each finding is one sentence: Home shows the first, the server's log every one, once."""
from __future__ import annotations

import logging
import uuid

from .task import PRELOAD, as_code, worker_facts

log = logging.getLogger("siamese_lab.cluster")
DOCS = "docs/scaling.md"


def refusal(facts: dict, who: str, version: str) -> str | None:
    """Why no run may go to this worker (a clause), or None."""
    if not facts["preload"] and not facts["importable"]:
        return (f"worker {who} cannot import siamese_core, so no run goes to it (start it in the repository "
                f"folder with PYTHONPATH=. as {DOCS} says)")
    if not facts["preload"]:
        return f"worker {who} was started without --preload {PRELOAD}, so no run goes to it"
    if facts["version"] != version:
        return (f"worker {who} runs Siamese Lab {facts['version']} and this web server {version}, so no run "
                "goes to it (give every machine the same version)")
    return None


def gap(facts: dict, who: str, datasets: tuple[str, ...]) -> str | None:
    """Which of the web server's datasets this worker lacks (a clause), or None."""
    missing = [d for d in datasets if d not in facts["datasets"]]
    if not missing:
        return None
    return (f"worker {who} has no {', '.join(missing)} in its data folder {facts['data_dir']}, so runs on "
            f"{'it' if len(missing) == 1 else 'them'} go to other workers")


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' if n != 1 else ''}"


class Readiness:
    """What the server knows of the workers it has seen (address → facts), and the sentence that sums it up."""

    def __init__(self, address: str, version: str, datasets: tuple[str, ...]):
        self.address, self.version, self.datasets = address, version, datasets
        self.facts: dict[str, dict] = {}
        self.problems: dict[str, str] = {}   # address → the clause that refuses it or says what it lacks
        self.task_error: str | None = None   # the scheduler did not run the submitted question
        self._probe = None                   # that question's future, once per connection
        self._said: str | None = None

    def reset(self) -> None:
        """A new connection: ask every worker and the scheduler again."""
        self.facts, self.problems, self.task_error, self._probe, self._said = {}, {}, None, None, None

    def ask(self, client, workers: dict[str, dict]) -> None:
        """Ask the workers not asked yet, forget those gone, look at the submitted question. The dicts are
        replaced, never changed in place: the queue's threads read them meanwhile."""
        facts = {a: f for a, f in self.facts.items() if a in workers}
        problems = {a: p for a, p in self.problems.items() if a in workers}
        new = [a for a in workers if a not in facts]
        try:
            answers = client.run(as_code(worker_facts), workers=new, on_error="return") if new else {}
        except Exception as exc:  # e.g. a worker left between the two requests: ask again at the next look
            log.info("Siamese Lab: asking the new workers failed (%s); asking again", exc)
            answers = {}
        for address, answer in answers.items():
            if address in workers:
                facts[address], problem = self._judge(address, answer, workers[address])
                if problem:
                    problems[address] = problem
        self.facts, self.problems = facts, problems
        if self._probe is None and self.ready():
            self._probe = client.submit(as_code(worker_facts), pure=False, key=f"siamese-lab-check-{uuid.uuid4().hex}",
                                        workers=list(self.ready()))
        elif self._probe is not None and self._probe.status == "error" and self.task_error is None:
            exc = self._probe.exception()
            log.error("Siamese Lab: the training cluster did not run the server's check task", exc_info=exc)
            self.task_error = ("its scheduler did not run the check task the server submitted, so no run can "
                               "train there (the server log has Dask's message)")

    def ready(self) -> dict[str, dict]:
        """The workers runs may go to: address → facts."""
        return {a: f for a, f in self.facts.items() if f.get("usable")}

    def with_dataset(self, name: str) -> list[str]:
        return [a for a, f in self.ready().items() if name in f["datasets"]]

    def unready(self) -> str | None:
        """Why no run can train on the cluster although its scheduler answers, or None."""
        if self.task_error or (self.facts and not self.ready()):
            return self.sentence()
        return None

    def complete(self) -> bool:
        """Workers there, and nothing missing on any of them."""
        return bool(self.facts) and not self.problems and not self.task_error

    def sentence(self) -> str:
        """The cluster's state in one sentence (Home, and the server's log when it changes)."""
        head = f"The training cluster ({self.address})"
        if self.task_error:
            return f"{head} cannot train page runs: {self.task_error}."
        if not self.facts:
            return f"{head} has no worker yet: start one as {DOCS} says."
        ready, problems = self.ready(), list(self.problems.values())
        threads = sum(f["nthreads"] for f in ready.values())
        if not problems:
            return (f"{head} is ready: {_count(len(ready), 'worker')} with {_count(threads, 'thread')}, each "
                    "with every dataset of this web server.")
        more = f"; {len(problems) - 1} more in the server log" if len(problems) > 1 else ""
        if not ready:
            return f"{head} cannot train page runs: {problems[0]}{more}."
        return f"{head} is ready on {len(ready)} of {len(self.facts)} workers: {problems[0]}{more}."

    def say(self) -> None:
        """Log the sentence when it changed."""
        now = self.sentence()
        if now != self._said:
            log.warning("Siamese Lab: %s", now)
            self._said = now

    def _judge(self, address: str, answer, info: dict) -> tuple[dict, str | None]:
        """(the worker's facts, marked usable or not; what is wrong with it, or None)."""
        name = str(info.get("name", address))
        who = f"{name} ({address})" if name != address else address
        if isinstance(answer, Exception):  # the question itself failed there: as good as refused
            log.error("Siamese Lab: worker %s could not answer the server's check", who, exc_info=answer)
            answer = {"datasets": []}
            problem = f"worker {who} could not answer the server's check, so no run goes to it"
        else:
            problem = refusal(answer, who, self.version)
        facts = {**answer, "nthreads": int(info.get("nthreads") or 0), "usable": problem is None}
        problem = problem or gap(answer, who, self.datasets)
        if problem:
            log.warning("Siamese Lab: %s.", problem[0].upper() + problem[1:])
        return facts, problem
