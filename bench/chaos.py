"""`python -m bench.chaos`: every fault of bench/faults.py run N times against a local broker of
its own, with seed = base seed + run index (other stories, other fault points each run). Prints
one row per run and fault (lost, duplicates against one batch per fault, seconds) and a summary;
exits 1 if any run lost, misrouted or over-duplicated a record, or could not finish."""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.e2e import free_port
from bench.faults import FAULTS, run_fault
from deploy.kafka.broker import LocalBroker, port_open

BASE_SEED = 20261128
COLUMNS = ("fault", "seed", "pushed", "enriched", "lost", "duplicates", "bound", "seconds")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.chaos", description=__doc__)
    parser.add_argument("--runs", type=int, default=1, help="runs of each fault (default 1)")
    parser.add_argument(
        "--stories",
        type=int,
        default=None,
        help="stories per run (default per fault: sigkill 2000, broker 600, rebalance 700, "
        "pool 400)",
    )
    parser.add_argument(
        "--faults",
        default=",".join(FAULTS),
        help=f"comma-separated, of {', '.join(FAULTS)} (default all)",
    )
    parser.add_argument("--seed", type=int, default=BASE_SEED, help="seed of run 0")
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the worker logs of passing runs too"
    )
    args = parser.parse_args(argv)
    args.faults = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose from {', '.join(FAULTS)}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def line(values: dict[str, Any]) -> str:
    widths = (9, 9, 7, 9, 5, 10, 6, 8)
    return "  ".join(f"{str(values.get(c, '')):>{w}}" for c, w in zip(COLUMNS, widths, strict=True))


def one_run(
    fault: str, broker: LocalBroker, workdir: Path, seed: int, stories: int | None
) -> dict[str, Any]:
    """The row of one run; a run that could not finish is a row with its error."""
    started = time.monotonic()
    if not port_open(broker.port):  # a broker run that failed half way leaves it down
        broker.start()
    try:
        result = run_fault(fault, broker, workdir, seed, stories)
    except Exception as exc:  # noqa: BLE001 - one broken run must not end the others
        return {
            "fault": fault,
            "seed": seed,
            "error": f"{type(exc).__name__}: {exc}"[:2000],
            "seconds": round(time.monotonic() - started, 1),
            "logs": str(workdir),
        }
    row = result.row()
    row["bound"] = row["duplicate_bound"]
    return row


def summary(rows: list[dict[str, Any]], faults: list[str]) -> list[str]:
    out = []
    for fault in faults:
        mine = [r for r in rows if r["fault"] == fault]
        done = [r for r in mine if "error" not in r]
        if not mine:
            continue
        failed = sum(1 for r in mine if "error" in r or r["shortfalls"])
        dupes = [r["duplicates"] for r in done]
        out.append(
            f"{fault:>9}: {len(done)} of {len(mine)} runs finished, {failed} failed; "
            f"lost {sum(r['lost'] for r in done)} in all; duplicates "
            f"{min(dupes, default=0)}-{max(dupes, default=0)} per run "
            f"(bound {max((r['bound'] for r in done), default=0)}); "
            f"median {statistics.median([r['seconds'] for r in done] or [0]):.0f}s"
        )
    return out


def write_json(path: Path | None, args: argparse.Namespace, rows: list[dict[str, Any]]) -> None:
    if path is None:
        return
    record = {"runs": args.runs, "base_seed": args.seed, "stories": args.stories, "rows": rows}
    path.write_text(json.dumps(record, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    root = Path(tempfile.mkdtemp(prefix="wirestream-chaos-"))
    broker = LocalBroker(port=free_port(), controller_port=free_port(), state_dir=root / "kafka")
    rows: list[dict[str, Any]] = []
    started = time.monotonic()
    broker.start()
    print(f"broker {broker.bootstrap}; work and logs under {root}")
    print(line({c: c for c in COLUMNS}), flush=True)
    try:
        for run in range(args.runs):
            for fault in args.faults:
                workdir = root / f"run{run}-{fault}"
                row = one_run(fault, broker, workdir, args.seed + run, args.stories)
                rows.append(row)
                print(line(row), flush=True)
                trouble = row.get("error") or "; ".join(row.get("shortfalls", []))
                if trouble:
                    print(f"  FAILED: {trouble} (logs in {workdir})", flush=True)
                elif not args.keep:
                    shutil.rmtree(workdir, ignore_errors=True)
                write_json(args.json, args, rows)
    finally:
        broker.stop()
    elapsed = time.monotonic() - started
    print(f"\n{args.runs} run(s) of {len(args.faults)} fault(s) in {elapsed:.0f}s")
    for text in summary(rows, args.faults):
        print(text)
    failed = any(r.get("error") or r.get("shortfalls") for r in rows)
    if not failed and not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
