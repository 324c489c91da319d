"""The `copilot` command: everything the server does, from the shell."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from copilot.components import build
from copilot.errors import CopilotError
from copilot.outfits.slot_settings import FILE_NAME as SLOT_FILE
from copilot.outfits.slot_settings import parse_slot_settings
from copilot.settings import Settings
from knowledge import loaders

app = typer.Typer(help="E-commerce customer-service copilot.", no_args_is_help=True)
merchants_app = typer.Typer(help="Create and list merchants.", no_args_is_help=True)
app.add_typer(merchants_app, name="merchants")
console = Console()
err_console = Console(stderr=True)

MerchantOpt = Annotated[str, typer.Option("--merchant", "-m", help="merchant id")]


def _fail(err: CopilotError) -> None:
    err_console.print(f"[red]error:[/red] {err}")
    raise typer.Exit(2)


@merchants_app.command("add")
def merchants_add(merchant: str, name: Annotated[str, typer.Option(help="display name")] = "") -> None:
    """Create a merchant (its own Chroma collection)."""
    try:
        build(Settings()).kb.create_merchant(merchant, name=name)
    except CopilotError as err:
        _fail(err)
    console.print(f"merchant {merchant} ready")


@merchants_app.command("list")
def merchants_list() -> None:
    for merchant, name in sorted(build(Settings()).kb.merchants().items()):
        console.print(f"{merchant}\t{name}")


def ingest_paths(kb, merchant: str, paths: list[Path], *, statements: bool = True) -> list[dict]:
    """Ingest files and merchant folders (catalog, policies/, faqs), one upload per kind, then
    embed the products' statements (a server does that in the background; with `statements`
    false they are left to the first question about each product); a folder's `slots.csv`
    (outfit slot settings) is checked first and set after them."""
    slot_files = [p / SLOT_FILE for p in paths if p.is_dir() and (p / SLOT_FILE).is_file()]
    settings = {k: v for f in slot_files for k, v in parse_slot_settings(str(f), f.read_bytes()).items()}
    by_kind: dict[str, list[tuple[str, bytes]]] = {}
    for kind, path in loaders.files_in(paths):
        by_kind.setdefault(kind, []).append((str(path), path.read_bytes()))
    reports = []
    with Progress(console=err_console, transient=True) as bar:
        for kind, files in by_kind.items():
            task = bar.add_task(f"embedding {kind}", total=None)
            reports.append(kb.ingest(merchant, kind, files,
                                     progress=lambda n, t=task: bar.advance(t, n)).to_dict())
        if "sku" in by_kind and statements:
            task = bar.add_task("embedding product statements", total=None)
            kb.embed_statements(merchant, progress=lambda n, t=task: bar.advance(t, n))
    if settings:
        kb.set_slot_settings(merchant, kb.slot_settings(merchant) | settings)
        reports.append({"kind": "outfit slots", "set": len(settings)})
    return reports


@app.command()
def ingest(merchant: MerchantOpt, paths: list[Path],
           create: Annotated[bool, typer.Option(help="create the merchant if it is new")] = False) -> None:
    """Upload catalog / policy / FAQ files or a merchant folder; all-or-nothing per kind."""
    kb = build(Settings()).kb
    try:
        if create and merchant not in kb.merchants():
            kb.create_merchant(merchant)
        for report in ingest_paths(kb, merchant, paths):
            warnings = report.pop("warnings", [])
            console.print(report)
            for w in warnings:     # flagged text: stored, never quoted, shown to agents flagged
                err_console.print(f"[yellow]warning:[/yellow] {w['file']}:{w['line']} [{w['field']}]: {w['message']}")
    except CopilotError as err:
        _fail(err)


@app.command()
def search(merchant: MerchantOpt, message: str,
           sku: Annotated[Optional[str], typer.Option(help="the SKU the shopper is viewing")] = None,
           k: int = 8) -> None:
    """Show what retrieval returns for a shopper message."""
    try:
        sources = build(Settings()).retriever.search(merchant, message, sku=sku, k=k)
    except CopilotError as err:
        _fail(err)
    table = Table("rank", "id", "kind", "score", "title")
    for rank, s in enumerate(sources, start=1):
        table.add_row(str(rank), s.id, s.kind, f"{s.score:.4f}", s.title)
    console.print(table)


@app.command()
def gaps(merchant: MerchantOpt, limit: int = 50) -> None:
    """List the shopper questions drafts found no answer to (knowledge gaps), newest first."""
    parts = build(Settings())
    try:
        parts.kb.require_merchant(merchant)
        found = parts.ledger.knowledge_gaps(merchant, limit=limit)
    except CopilotError as err:
        _fail(err)
    finally:
        parts.close()
    table = Table("time", "question", "product", "conversation")
    for gap in found:
        table.add_row(time.strftime("%Y-%m-%d %H:%M", time.localtime(gap.created_at)), gap.question,
                      gap.sku or "", gap.conversation_id)
    console.print(table)


@app.command("eval")
def eval_(eval_set: Annotated[Optional[Path], typer.Argument(help="the eval set (JSONL)")] = None,
          merchant: Annotated[Optional[str], typer.Option("--merchant", "-m", help="merchant id")] = None,
          knowledge: Annotated[Optional[Path], typer.Option(
              help="a merchant folder to load into a fresh, temporary data dir first")] = None,
          json_out: Annotated[Path, typer.Option("--json", help="where to write results (and .html beside)")] = Path(
              "eval-results/results.json"),
          prompt: Annotated[Optional[list[str]], typer.Option(
              help="draft with this prompt version, TASK@VERSION (repeatable)")] = None,
          drafter: Annotated[Optional[str], typer.Option(help="composer | llm (default: settings)")] = None,
          compare: Annotated[Optional[tuple[Path, Path]], typer.Option(
              help="compare two results JSON files instead (writes --json's .html as the compare page)")] = None,
          ) -> None:
    """Run an eval set through the assist pipeline; write the results JSON and an HTML report."""
    import tempfile

    from evals.cases import load_cases
    from evals.harness import evaluate, write_results

    if compare:
        _compare(*compare, html_out=json_out.with_name("compare.html"))
        return
    if eval_set is None or merchant is None:
        raise typer.BadParameter("give an eval set and --merchant (or --compare A.json B.json)")
    if drafter not in (None, "composer", "llm"):
        raise typer.BadParameter(f"--drafter must be composer or llm, not {drafter!r}")
    try:
        cases = load_cases(eval_set)
        with tempfile.TemporaryDirectory(prefix="copilot-eval-") as tmp:
            overrides = {"drafter": drafter} if drafter else {}
            settings = Settings(data_dir=Path(tmp), **overrides) if knowledge else Settings(**overrides)
            parts = build(settings)
            if knowledge:
                parts.kb.create_merchant(merchant)
                ingest_paths(parts.kb, merchant, [knowledge])
            chosen = {t.task: t for t in (parts.prompt_registry.resolve(ref, merchant=merchant)
                                          for ref in prompt or [])}
            with Progress(console=err_console, transient=True) as bar:
                task = bar.add_task("eval", total=len(cases))
                results = asyncio.run(evaluate(
                    parts, merchant=merchant, cases=cases, eval_set=str(eval_set), prompts=chosen,
                    progress=lambda n: bar.advance(task, n)))
            parts.close()
    except CopilotError as err:
        _fail(err)
    report = write_results(json_out, results)
    console.print_json(json.dumps(results["summary"], ensure_ascii=False))
    console.print(f"results written to {json_out}, report to {report}")


def _compare(a: Path, b: Path, *, html_out: Path) -> None:
    from evals.compare import side_by_side
    from evals.report import render_compare, write_page

    compared = side_by_side(*(json.loads(p.read_text(encoding="utf-8")) for p in (a, b)))
    table = Table("metric", f"A {a.name}", f"B {b.name}", "B - A")
    for m in compared["metrics"]:
        table.add_row(m["metric"], *("—" if v is None else str(v) for v in (m["a"], m["b"], m["delta"])))
    console.print(table)
    cases = Table("case", "worse", "better", "changed")
    for d in compared["cases"]:
        cases.add_row(d["id"], ", ".join(d["worse"]), ", ".join(d["better"]), ", ".join(d["changed"]))
    console.print(cases)
    console.print(f"compare page written to {write_page(html_out, render_compare(compared))}")


@app.command()
def serve(host: Annotated[Optional[str], typer.Option()] = None,
          port: Annotated[Optional[int], typer.Option()] = None) -> None:
    """Start the HTTP server (agent screen, API, OpenAPI docs at /docs)."""
    import uvicorn

    settings = Settings()
    uvicorn.run("server:create_app", factory=True, host=host or settings.host,
                port=port or settings.port, log_level="info")


keys_app = typer.Typer(help="API keys for agents, merchants, trainers and admins.",
                       no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("add")
def keys_add(role: Annotated[str, typer.Option(help="agent | merchant | trainer | admin")],
             merchant: Annotated[Optional[str], typer.Option(help="the merchant it acts for")] = None,
             label: Annotated[str, typer.Option(help="who holds it, in any language")] = "",
             expires_days: Annotated[Optional[float], typer.Option(help="days until it expires")] = None) -> None:
    """Make a key for an existing merchant; it is printed once and stored only as a hash (audited)."""
    from copilot.auth import new_key

    parts = build(Settings())
    try:
        console.print(new_key(parts.ledger, role=role, merchant=merchant, label=label or role,
                              merchants=parts.kb.merchants(), expires_in_days=expires_days, actor="cli"))
    except CopilotError as err:
        _fail(err)
    finally:
        parts.close()


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, role, merchant, label, state (never the key itself)."""
    import time

    parts = build(Settings())
    try:
        keys = parts.ledger.api_keys()
    finally:
        parts.close()
    now = time.time()
    for key in keys:
        state = "revoked" if key.revoked else "expired" if not key.usable(now) else "active"
        console.print(f"{key.id}\t{key.role}\t{key.merchant or '-'}\t{key.label}\t{state}")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="the key's id, from `copilot keys list`")]) -> None:
    """Revoke a key at once (audited)."""
    parts = build(Settings())
    try:
        key = parts.ledger.revoke_api_key(key_id, actor="cli")
    except CopilotError as err:
        _fail(err)
    finally:
        parts.close()
    console.print(f"key {key.id} ({key.label}) revoked")


DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"
DEMO_MERCHANT = "qinghe"


@app.command()
def demo(simulate: Annotated[bool, typer.Option(help="offer the demo shopper messages (they play when the "
                                                "first agent logs in, and on the agent screen's button)")] = True) -> None:
    """Load the demo merchant, print a key per role, start the server with the shopper simulator."""
    import uvicorn

    from copilot.auth import new_key
    from server import create_app

    settings = Settings()
    if simulate:
        settings = settings.model_copy(update={"demo_merchant": DEMO_MERCHANT,
                                               "demo_messages": DEMO_DIR / "shopper_messages.jsonl"})
    parts = build(settings)
    try:
        if DEMO_MERCHANT not in parts.kb.merchants():
            parts.kb.create_merchant(DEMO_MERCHANT, name="青禾服饰")
        for report in ingest_paths(parts.kb, DEMO_MERCHANT, [DEMO_DIR / "merchant"]):
            console.print(f"loaded {report['records']} {report['kind']} records "
                          f"({report['embedded']} embedded)")
        keys = {role: new_key(parts.ledger, role=role, merchant=None if role == "admin" else DEMO_MERCHANT,
                              label=f"demo-{role}")
                for role in ("agent", "merchant", "trainer", "admin")}
    finally:
        parts.close()
    url = f"http://{settings.host}:{settings.port}"
    console.print(f"\n[bold]Copilot demo[/bold] for merchant {DEMO_MERCHANT} (青禾服饰)")
    console.print(f"  agent screen   {url}/   (log in with the agent key)")
    console.print(f"  shopper page   {url}/#/shop   (chat as a shopper, with a product page open)")
    console.print(f"  API docs       {url}/docs")
    for role, key in keys.items():
        console.print(f"  {role:<8} key   {key}")
    if simulate:
        console.print("  shopper simulator: plays when the first agent logs in; replay it from the agent screen")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="warning")
