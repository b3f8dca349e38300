"""The table `wirestream bench` prints, and the verdict on each target, from the report dict
that bench.throughput builds (also what bench/results/<timestamp>.json holds).
"""

from __future__ import annotations

from typing import Any

TARGETS = {
    "e2e_vs_limit": 0.85,  # against bare nlp.pipe on every core the worker may use
    "e2e_vs_single_limit": 0.9,  # against bare nlp.pipe in one process
    "worker_cpu_vs_nlp": 1.15,
    "steady_p99_seconds": 1.0,
    "resend_cpu_ms": 1.0,
    "scaling": 1.8,
    "rss_gb": 1.5,
}
LOWER_IS_BETTER = frozenset({"worker_cpu_vs_nlp", "steady_p99_seconds", "resend_cpu_ms", "rss_gb"})
SESSIONS = ("e2e", "e2e_scaled", "e2e_pinned", "e2e_pinned_scaled")


def limit_rate(report: dict[str, Any]) -> float:
    """Stories/s of the whole-machine limit (bare nlp.pipe, one process per core): the mean of
    the runs before and after the end to end."""
    runs = [float(report[k]["stories_per_s"]) for k in ("limit", "limit_after") if k in report]
    return sum(runs) / len(runs)


def single_limit_rate(report: dict[str, Any]) -> float:
    """Stories/s of bare nlp.pipe in one process (the whole-machine limit on one core)."""
    single = report.get("limit_single") or report["limit"]
    return float(single["stories_per_s"])


def verdicts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target with the measured value and whether it was met (None: not measured)."""
    e2e, scaled = report.get("e2e", {}), report.get("e2e_scaled", {})
    limit = limit_rate(report)
    burst = e2e.get("burst", {}).get("stories_per_s")
    p99 = e2e.get("steady", {}).get("latency_s", {}).get("p99")
    scaling = _ratio(report.get("e2e"), scaled)
    pinned = _ratio(report.get("e2e_pinned"), report.get("e2e_pinned_scaled"))
    trees = [*e2e.get("peak_rss_bytes", []), *scaled.get("peak_rss_bytes", [])]
    rss = max((p["tree"] for p in trees), default=None)
    burst_run = e2e.get("burst", {})
    worker_cpu = burst_run.get("cpu_seconds_per_story")
    nlp_cpu = report["limit"]["cpu_seconds_per_story"]
    resend = e2e.get("resend", {})
    measured = {
        "e2e_vs_limit": burst / limit if burst else None,
        "e2e_vs_single_limit": burst / single_limit_rate(report) if burst else None,
        "worker_cpu_vs_nlp": worker_cpu / nlp_cpu if worker_cpu else None,
        "steady_p99_seconds": p99,
        "resend_cpu_ms": resend.get("cpu_ms_per_message") if resend.get("supported") else None,
        # "two workers (one per core)": with each worker confined to a core when measured so
        "scaling": pinned if pinned is not None else scaling,
        "rss_gb": rss / 1e9 if rss else None,
    }
    return {
        name: {
            "target": TARGETS[name],
            "measured": value,
            "met": None if value is None else (value <= TARGETS[name]) == (name in LOWER_IS_BETTER),
        }
        for name, value in measured.items()
    }


def _ratio(one: dict[str, Any] | None, two: dict[str, Any] | None) -> float | None:
    if not one or not two:
        return None
    return float(two["burst"]["stories_per_s"] / one["burst"]["stories_per_s"])


def _row(name: str, run: dict[str, Any], limit: float, latency: bool, memory: str) -> str:
    lat = run.get("latency_s", {}) if latency else {}
    cells = [
        f"{lat[k]:7.2f}" if lat.get(k) is not None else "      -" for k in ("p50", "p95", "p99")
    ]
    words = f"{run['words_per_s']:8.0f}" if "words_per_s" in run else "       -"
    cpu = run.get("cpu_seconds_per_story")
    return (
        f"{name:<32}{run['stories_per_s']:8.2f}{words}{run['stories_per_s'] / limit:8.2f}"
        f"{f'{1000 * cpu:8.0f}' if cpu else '       -'} {' '.join(cells)}  {memory}"
    )


def render(report: dict[str, Any]) -> str:
    corpus, m = report["corpus"], report["machine"]
    limit, offline = report["limit"], report["offline"]
    rate = limit_rate(report)
    lines = [
        f"wirestream bench: {corpus['stories']} {corpus['kind']} stories, "
        f"{corpus['words_per_story']:.0f} words each on average; {report['processes']} NLP "
        f"process(es) per worker (+{report.get('finish_processes', 0)} finishing), batch "
        f"{report['batch_size']}, {report['model']}",
        f"machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']:.1f} GiB, "
        f"Python {m['python']}; load average {m['loadavg']} before, "
        f"{report.get('loadavg_after', '?')} after",
        *(
            [
                f"broker and bench client on cores {cores_text(report['broker_cores'])}; the "
                "worker, its pool and the limit's processes on "
                + cores_text(report["worker_cores"])
            ]
            if report.get("broker_cores")
            else []
        ),
        "",
        f"x limit: over the mean of the whole-machine limit runs (bare nlp.pipe in "
        f"{report.get('limit_processes', report['processes'])} process(es), one per core); "
        "CPU ms: per story, whole worker trees for e2e",
        f"{'run':<32}{'story/s':>8}{'words/s':>8}{'x limit':>8}{'CPU ms':>8} {'p50 s':>7} "
        f"{'p95 s':>7} {'p99 s':>7}  peak RSS",
        _row(
            f"limit: bare nlp.pipe x{limit.get('processes', report['processes'])}",
            limit,
            rate,
            False,
            f"{limit['peak_rss_bytes_per_process'] / 1e9:.2f} GB/process",
        ),
        _row(
            "offline: Enricher",
            offline,
            rate,
            False,
            f"{offline['peak_rss_bytes_per_process'] / 1e9:.2f} GB/process",
        ),
    ]
    if "limit_after" in report:
        lines.insert(-1, _row("limit again, after e2e", report["limit_after"], rate, False, ""))
    if "limit_single" in report:
        single = report["limit_single"]
        lines.insert(-1, _row("limit: bare nlp.pipe x1", single, rate, False, ""))
    for key in SESSIONS:
        e2e = report.get(key)
        if not e2e:
            continue
        peaks = ", ".join(f"{p['tree'] / 1e9:.2f}" for p in e2e["peak_rss_bytes"])
        where = f" on core(s) {cores_text(e2e['cores'])}" if e2e.get("cores") else ""
        name = f"e2e: {e2e['workers']} worker(s){where}, burst"
        lines.append(_row(name, e2e["burst"], rate, True, f"{peaks} GB/worker tree"))
        if "steady" in e2e:
            steady = e2e["steady"]
            name = f"steady: {steady['rate']:.1f}/s for {steady['stories'] / steady['rate']:.0f} s"
            lines.append(_row(name, steady, rate, True, ""))
    for key in SESSIONS:
        for reason in report.get(key, {}).get("failed_starts", []):
            lines.append(f"NOTE {key}: a worker group failed warm-up and was replaced: {reason}")
        for phase, run_ in report.get(key, {}).items():
            if isinstance(run_, dict) and (run_.get("missing") or run_.get("dead_lettered")):
                lines.append(
                    f"WARNING {key} {phase}: {run_['missing']} missing, dead letters: "
                    f"{run_.get('dead_letter_reasons')}"
                )
    e2e = report.get("e2e")
    if e2e:
        cheap, lag = e2e.get("cheap"), e2e.get("event_loop_lag_s")
        full = 1000 * e2e["burst"]["cpu_seconds_per_story"]
        resend = e2e.get("resend", {})
        if resend.get("supported"):
            lines.append(
                f"resend (same story x{resend['messages']}, dropped before NLP): "
                f"{resend['messages_per_s']:.0f} msg/s, {resend['cpu_ms_per_message']:.2f} ms "
                f"worker CPU/msg vs {full:.0f} ms per enriched story; "
                f"re-enriched {resend['re_enriched']}, not counted {resend['missing']}"
            )
        if cheap:
            lines.append(
                f"cheap path (invalid JSON, dead-lettered): {cheap['messages_per_s']:.0f} msg/s, "
                f"{cheap['cpu_ms_per_message']:.2f} ms worker CPU/msg"
            )
        if lag:
            lines.append(
                f"event-loop lag (/metrics): max {lag['max'] * 1000:.1f} ms, median "
                f"{lag['median'] * 1000:.1f} ms"
            )
    if e2e and "burst" in e2e:
        burst_rate, single_rate = e2e["burst"]["stories_per_s"], single_limit_rate(report)
        nlp_ms = 1000 * limit["cpu_seconds_per_story"]
        worker_ms = 1000 * e2e["burst"]["cpu_seconds_per_story"]
        lines.append(
            f"headline: e2e burst {burst_rate:.1f} stories/s = {burst_rate / rate:.2f} x the "
            f"whole-machine limit ({rate:.1f}/s), {burst_rate / single_rate:.2f} x one bare "
            f"process ({single_rate:.1f}/s); worker CPU {worker_ms:.0f} ms/story = "
            f"{worker_ms / nlp_ms:.2f} x bare NLP CPU {nlp_ms:.0f} ms/story"
        )
    for key in SESSIONS:
        burst = report.get(key, {}).get("burst")
        if burst:
            main, pool = burst["main_cpu_ms_per_story"], burst["pool_cpu_ms_per_story"]
            finishing = burst.get("finish_cpu_ms_per_story") or 0.0
            lines.append(
                f"{key} burst: CPU/story main {main:.0f} ms + NLP {pool - finishing:.0f} ms + "
                f"finishing {finishing:.0f} ms (limit/e2e CPU "
                f"{1000 * limit['cpu_seconds_per_story'] / (main + pool):.2f}); NLP processes busy "
                f"{100 * burst['pool_busy_share']:.0f}%; mean batch {burst['mean_batch'] or 0:.1f}"
                f"; outside the workers: broker {burst['broker_cpu_ms_per_story'] or 0:.0f} ms, "
                f"bench client {burst['client_cpu_ms_per_story']:.0f} ms"
            )
            lines.append(_stages(f"stage ms/story, {key} burst:", burst["stage_ms_per_story"]))
            records = burst.get("kafka_records_per_story")
            if records:
                lines.append(
                    f"Kafka records/story, {key} burst: {records['total']:.1f} ("
                    + ", ".join(f"{t} {n:.1f}" for t, n in records["by_topic"].items())
                    + ")"
                )
    lines.append(_stages("stage ms/story, offline:", offline["stage_ms_per_story"]))
    free = _ratio(report.get("e2e"), report.get("e2e_scaled"))
    pinned = _ratio(report.get("e2e_pinned"), report.get("e2e_pinned_scaled"))
    if free is not None or pinned is not None:
        shown = [f"{x:.2f}" if x is not None else "not measured" for x in (free, pinned)]
        lines.append(
            f"scaling, twice the workers: {shown[0]} with every worker free to use every core; "
            f"{shown[1]} with one core per worker (the broker and the bench client use any)"
        )
    lines += ["", "targets:"]
    for name, v in report["targets"].items():
        shown = "not measured" if v["measured"] is None else f"{v['measured']:.2f}"
        verdict = {None: "", True: "met", False: "MISSED"}[v["met"]]
        lines.append(f"  {name:<20} target {v['target']:<5} measured {shown:<13} {verdict}")
    return "\n".join(lines)


def _stages(title: str, stages: dict[str, float | None]) -> str:
    return f"{title} " + ", ".join(f"{k} {v:.1f}" for k, v in stages.items() if v is not None)


def cores_text(cores: list[Any]) -> str:
    """[0, 1] (a core per worker) or [[0]] (a set shared by the workers) as '0,1'."""
    flat = sorted({c for entry in cores for c in (entry if isinstance(entry, list) else [entry])})
    return ",".join(str(c) for c in flat)
