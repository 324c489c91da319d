"""Eval sets kept in the ledger, eval runs in the background, and the activation gate.

The gate runs every eval set of the merchant twice through the real pipeline, once
drafting with the candidate prompt version and once with the active one, and
refuses (`GateRefused`, 409) when the candidate is worse on a gate metric
(`evals.compare.METRICS`) by more than the margin, naming the metric and the cases.
A run's results (JSON and HTML report) are written under `<data_dir>/eval-runs/`.
"""
from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from copilot.errors import BadRequest, Conflict, GateRefused, InputProblem, NotFound, UploadRejected
from copilot.ledger.trainer import EvalRun, EvalSet, SqliteTrainerStore
from copilot.names import check_name
from copilot.prompts import PromptTemplate
from evals.cases import parse_cases
from evals.compare import regressions
from evals.harness import evaluate, write_results

log = logging.getLogger(__name__)
RUNS_DIR = "eval-runs"
MAX_EVAL_SET_BYTES = 5 * 1024 * 1024


def upload_eval_set(store: SqliteTrainerStore, *, merchant: str, name: str, raw: bytes,
                    author: str) -> EvalSet:
    """Validate (every bad line and field is reported, nothing stored) and keep an eval set."""
    check_name(name, what="eval set name", field="name")   # the form field, or the file name
    if len(raw) > MAX_EVAL_SET_BYTES:
        raise BadRequest(f"eval set {name!r} is over {MAX_EVAL_SET_BYTES // 1024 // 1024} MB; split it")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UploadRejected([InputProblem(
            name, raw.count(b"\n", 0, err.start) + 1, None, f"not UTF-8 text: byte 0x{raw[err.start]:02x} "
            "cannot be decoded; save the eval set as UTF-8 JSONL and upload again",
            f"不是 UTF-8 文本：字节 0x{raw[err.start]:02x} 无法解码；请把评测集另存为 UTF-8 编码的 JSONL "
            "后重新上传")]) from err
    cases = parse_cases(text, source=name)
    return store.put_eval_set(merchant=merchant, name=name, body=text, cases=len(cases), author=author)


class EvalRuns:
    """Eval runs started over HTTP: progress in the ledger, results in files."""

    def __init__(self, *, store: SqliteTrainerStore, runs_dir: Path):
        self.store = store
        self.runs_dir = Path(runs_dir)
        self._tasks: set[asyncio.Task] = set()

    def start(self, parts, *, merchant: str, name: str, prompts: dict[str, PromptTemplate],
              author: str) -> EvalRun:
        """Start running eval set `name` with `parts` (`copilot.components.Components`)."""
        eval_set = self.store.get_eval_set(merchant, name)
        cases = parse_cases(eval_set.body, source=name)
        run = self.store.create_run(merchant=merchant, eval_set=name, total=len(cases), author=author,
                                    prompts={task: t.id for task, t in prompts.items()})
        task = asyncio.get_running_loop().create_task(self._run(parts, run, cases, prompts))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return run

    async def _run(self, parts, run: EvalRun, cases, prompts: dict[str, PromptTemplate]) -> None:
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            self.store.run_progress(run.id, done)

        try:
            results = await evaluate(parts, merchant=run.merchant, cases=cases,
                                     eval_set=f"{run.merchant}/{run.eval_set}", prompts=prompts,
                                     progress=advance)
            write_results(self.json_path(run.id), results)
            self.store.end_run(run.id, summary=results["summary"], error=None)
        except Exception as err:  # noqa: BLE001 - a background run records its failure
            log.exception("eval run %s failed", run.id)
            self.store.end_run(run.id, summary=None, error=f"{type(err).__name__}: {err}")

    def json_path(self, run_id: str) -> Path:
        return self.runs_dir / f"{run_id}.json"

    def finished_file(self, run_id: str, suffix: str) -> Path:
        run = self.store.get_run(run_id)
        if run.status != "finished":
            raise Conflict(f"eval run {run_id!r} is {run.status}; wait until GET .../evalruns/{run_id} "
                           "says finished")
        path = self.json_path(run_id).with_suffix(suffix)
        if not path.exists():
            raise NotFound(f"the results of eval run {run_id!r} are gone from {path.parent}; run it again")
        return path

    async def drain(self) -> None:
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


async def gate(parts, *, merchant: str, task: str, candidate: PromptTemplate, margin: float) -> dict:
    """Compare `candidate` with the merchant's active version of its task on every eval set.

    Returns {"active", "candidate", "eval_sets": [{name, regressions, active, candidate}], "regressions"}
    where each regression names its eval set; raises `Conflict` when there is no eval set.
    """
    active = parts.prompt_registry.active(merchant, task)
    sets = parts.trainer_store.eval_sets(merchant)
    if not sets:
        raise Conflict(f"merchant {merchant!r} has no eval set to check {candidate.id} against; upload one "
                       f"(POST /v1/merchants/{merchant}/evalsets) or ask an admin to override")
    report = {"active": active.id, "candidate": candidate.id, "eval_sets": [], "regressions": []}
    for eval_set in sets:
        cases = parse_cases(eval_set.body, source=eval_set.name)
        runs = {}
        for label, template in (("active", active), ("candidate", candidate)):
            runs[label] = await evaluate(parts, merchant=merchant, cases=cases, eval_set=eval_set.name,
                                         prompts={task: template})
        found = [{**r, "eval_set": eval_set.name}
                 for r in regressions(runs["active"], runs["candidate"], margin=margin)]
        report["eval_sets"].append({"name": eval_set.name, "regressions": found,
                                    "active": runs["active"]["summary"],
                                    "candidate": runs["candidate"]["summary"]})
        report["regressions"] += found
    return report


def refusal(report: dict, margin: float) -> GateRefused:
    worst = "; ".join(
        f"{r['metric']} on {r['eval_set']}: {r['active']} -> {r['candidate']} "
        f"(worse cases: {', '.join(r['cases']) or 'none singled out'})" for r in report["regressions"])
    return GateRefused(
        f"{report['candidate']} scores worse than the active {report['active']} (margin {margin}): {worst}. "
        "Fix the prompt and post a new version, or an admin can activate with ?override=true",
        report["regressions"])
