"""Tables for the benchmark: plain text for stdout, Markdown for bench/out/results.md."""

from __future__ import annotations


def _ms(r: dict | None) -> str:
    if r is None:
        return "-"
    if r["status"] == "ok":
        return f"{r['median_s'] * 1000:.1f}" + ("" if r.get("runs", 1) > 1 else "*")
    return r["status"]


def _rows(r: dict | None) -> str:
    return "-" if r is None or r.get("rows") is None else str(r["rows"])


def ratio(base: dict | None, ours: dict | None) -> str:
    """rdflib / pflegegraph; '>' when rdflib overran, so the true ratio is at least this."""
    if not base or not ours or ours["status"] != "ok":
        return "-"
    if base["status"] == "ok":
        return f"{base['median_s'] / ours['median_s']:.1f}x"
    if base["status"] == "timeout" and "timeout_s" in base:
        return f">{base['timeout_s'] / ours['median_s']:.0f}x"
    return "-"


def row_check(base: dict | None, ours: dict | None) -> str:
    if not base or not ours or base.get("rows") is None or ours.get("rows") is None:
        return ""
    return "same" if base["rows"] == ours["rows"] else f"MISMATCH {ours['rows']} vs {base['rows']}"


def lines(size: str, entry: dict, names: list[str]) -> list[list[str]]:
    pg = entry["engines"].get("pflegegraph", {})
    rl = entry["engines"].get("rdflib", {})
    out = [["query", "rows", "pflegegraph ms", "rdflib ms", "rdflib/pflegegraph", "row counts"]]
    pl, bl = pg.get("load", {}), rl.get("load", {})
    load_ratio = (
        f"{bl['seconds'] / pl['seconds']:.1f}x" if pl.get("status") == bl.get("status") == "ok" else "-"
    )
    out.append(
        [
            f"(load, {pl.get('triples', bl.get('triples', '?'))} triples)",
            "",
            f"{pl['seconds'] * 1000:.0f}" if pl.get("status") == "ok" else pl.get("status", "-"),
            f"{bl['seconds'] * 1000:.0f}" if bl.get("status") == "ok" else bl.get("status", "-"),
            load_ratio,
            "",
        ]
    )
    for name in names:
        ours, base = pg.get("queries", {}).get(name), rl.get("queries", {}).get(name)
        out.append(
            [
                name,
                _rows(ours) if ours and ours.get("rows") is not None else _rows(base),
                _ms(ours),
                _ms(base),
                ratio(base, ours),
                row_check(base, ours),
            ]
        )
    mem = [f"{e}: {r.get('peak_rss_mb', 0):.0f} MB" for e, r in entry["engines"].items()]
    out.append(["(peak RSS)", "", *[m.split(": ")[1] for m in mem[:2]], _mem_ratio(entry), ""])
    return out


def _mem_ratio(entry: dict) -> str:
    pg = entry["engines"].get("pflegegraph", {}).get("peak_rss_mb")
    rl = entry["engines"].get("rdflib", {}).get("peak_rss_mb")
    return f"{rl / pg:.1f}x" if pg and rl else "-"


def table(size: str, entry: dict, names: list[str]) -> str:
    rows = lines(size, entry, names)
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    text = [f"\n== {size} ({entry['data']}) =="]
    for r in rows:
        text.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    return "\n".join(text)


def markdown(report: dict, names: list[str]) -> str:
    m = report["machine"]
    out = [
        "# Benchmark results",
        "",
        f"Run started {report['started']}, {report['wall_seconds'] / 60:.1f} min wall time. "
        f"pyoxigraph {report['versions']['pyoxigraph']}, rdflib {report['versions']['rdflib']}, "
        f"Python {m['python']}, {m['cpus']} CPUs, load average {m['loadavg_start'][0]:.2f} at the start and "
        f"{m['loadavg_end'][0]:.2f} at the end ({m['note']}).",
        "",
        "Times are medians of the timed runs after one warm-up run; `*` marks a single run "
        "(the query was too slow to repeat within the per-query budget). Ratios are "
        "rdflib / pflegegraph (higher is better for pflegegraph). `timeout` = no answer within "
        "the per-run timeout; `skipped` = not run because it overran at a smaller size.",
        "",
    ]
    qv = report.get("queries")
    if qv:
        changed = ", ".join(x.split("/")[-1] for x in qv["queries_changed_since_head"]) or "none"
        out += [
            f"Queries as in the working tree at git {qv['git_head']} (changed since that commit: "
            f"{changed}); sha256 prefixes per query are in results.json.",
            "",
        ]
    for size, entry in report["sizes"].items():
        rows = lines(size, entry, names)
        out += [f"## {size} (`{entry['data']}`)", ""]
        out.append("| " + " | ".join(rows[0]) + " |")
        out.append("|" + "|".join(["---"] * len(rows[0])) + "|")
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows[1:]]
        notes = [
            f"- {engine} `{name}`: {r['note']}"
            for engine, res in entry["engines"].items()
            for name, r in res["queries"].items()
            if r.get("note")
        ]
        restarts = [
            f"- {engine} restarted {res['load']['restarts']} time(s) after a timeout"
            for engine, res in entry["engines"].items()
            if res["load"].get("restarts")
        ]
        if notes or restarts:
            out += ["", *notes, *restarts]
        out.append("")
    return "\n".join(out)
