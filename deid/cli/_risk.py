"""``deid risk``: the re-identification risk report of a table."""

from __future__ import annotations

import json
import math

from deid.cli._common import EXIT_FAILED, EXIT_OK, comma_list, load_config, report_stream


def add_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help="a table: .csv .tsv .parquet .jsonl (optionally compressed)")
    p.add_argument("--qi", "--quasi-identifiers", dest="qi", type=comma_list, action="extend", required=True,
                   metavar="A,B", help="quasi-identifier columns (what an attacker may know)")
    p.add_argument("--sensitive", type=comma_list, action="extend", metavar="S",
                   help="sensitive columns for l-diversity and t-closeness")
    pop = p.add_mutually_exclusive_group()
    pop.add_argument("--population-size", type=float, metavar="N", help="people the table was drawn from")
    pop.add_argument("--sampling-fraction", type=float, metavar="F", help="n / N, in (0, 1]")
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    p.add_argument("--encoding", default="utf-8", help="encoding of CSV/TSV/JSON Lines (default utf-8)")
    p.add_argument("--dask", metavar="SCHEDULER", help="compute on a Dask cluster (needs the deid[dask] extra)")
    lim = p.add_argument_group("limits (exit 1 when one is exceeded)")
    lim.add_argument("--min-k", type=float, metavar="K", help="smallest class size allowed")
    lim.add_argument("--max-records-at-risk", type=float, metavar="F",
                     help="largest share of records with risk above --risk-threshold")
    lim.add_argument("--risk-threshold", type=float, default=0.2, metavar="T",
                     help="the risk threshold of --max-records-at-risk (default 0.2)")
    lim.add_argument("--max-population-uniqueness", type=float, metavar="F",
                     help="largest estimated share of population uniques (needs a population size)")


def risk_arguments(args) -> tuple[list[str], list[str], dict]:
    """(quasi-identifiers, sensitive columns, keyword arguments of ``assess_risk``) of a
    ``deid risk`` command line: one function for the local and the ``--dask`` path, so both
    compute the same report (the thresholds include ``--risk-threshold``)."""
    from deid.gate._gate import risk_thresholds

    qis = list(dict.fromkeys(args.qi))
    sensitive = list(dict.fromkeys(args.sensitive or []))
    options = {"sensitive": sensitive or None, "population_size": args.population_size,
               "sampling_fraction": args.sampling_fraction, "thresholds": risk_thresholds(args.risk_threshold)}
    return qis, sensitive, options


def run(args) -> int:
    from deid import report as rep
    from deid.config import RiskRule
    from deid.gate import risk_figures

    load_config(args)  # a broken configuration is reported even here
    qis, sensitive, options = risk_arguments(args)
    if args.dask:
        from deid.cli._dask import risk_with_dask

        report = risk_with_dask(args, qis, sensitive, options)
    else:
        from deid.gate._gate import numeric_sensitive
        from deid.io import read_table, table_format
        from deid.risk import assess_risk

        fmt, _ = table_format(args.file)
        kwargs = {"encoding": args.encoding} if fmt != "parquet" else {}
        df = read_table(args.file, columns=list(dict.fromkeys(qis + sensitive)), **kwargs)
        # CSV reads every field as text: sensitive columns of numbers become numbers (ordered
        # distance for t-closeness), as a Parquet column of numbers would be
        df = numeric_sensitive(df, sensitive)
        report = assess_risk(df, qis, **options)
    limits = {name: value for name, value in (("min-k", args.min_k), ("max-records-at-risk", args.max_records_at_risk),
                                              ("max-population-uniqueness", args.max_population_uniqueness))
              if value is not None}
    failures = []
    if limits:
        rule = RiskRule(("*",), tuple(qis), tuple(sensitive), args.population_size, args.sampling_fraction,
                        args.risk_threshold, limits)
        failures = _failures(report, rule, risk_figures)
    with report_stream(args.output) as fh:
        if args.format == "json":
            doc = rep.risk_to_dict(report, path=args.file)
            if limits:
                doc["limits"] = {"limits": limits, "failures": failures, "passed": not failures}
            json.dump(doc, fh, indent=2, allow_nan=False)
            fh.write("\n")
        else:
            out = rep.console(fh)
            out.print(f"{args.file}: {report.n_records:,} records")
            rep.render_risk(report, out)
            for failure in failures:
                out.print(f"limit exceeded: {failure}")
    return EXIT_FAILED if failures else EXIT_OK


def _failures(report, rule, risk_figures) -> list[str]:
    from deid.config import RISK_LIMITS

    figures = risk_figures(report, rule.risk_threshold)
    out = []
    for name, bound in rule.limits.items():
        figure, sense = RISK_LIMITS[name]
        value = figures[figure]
        if isinstance(value, float) and math.isnan(value):
            out.append(f"{figure} could not be estimated (needed by --{name})")
        elif (sense == "min" and value < bound) or (sense == "max" and value > bound):
            out.append(f"{figure} = {value:.4g} ({'below' if sense == 'min' else 'above'} --{name} {bound:g})")
    return out


def register(register_command) -> None:
    register_command(
        "risk",
        help="re-identification risk of a table (k, prosecutor/journalist/marketer, uniqueness)",
        description="Measure how re-identifiable the records of a table are, with ARX's definitions "
                    "(docs/risk.md): equivalence classes of the quasi-identifiers, k, prosecutor, "
                    "journalist and marketer risk, records at risk, sample and population uniqueness, "
                    "l-diversity and t-closeness of sensitive columns. Only figures are printed, never "
                    "a cell value. With limits (--min-k ...) the exit code is 1 when one is exceeded.",
        example="deid risk visits.parquet --qi age,sex,zip3 --sampling-fraction 0.05\n"
                "deid risk visits.csv --qi age,sex,zip3 --sensitive dx --min-k 5 --format json",
        add_arguments=add_arguments,
        run=run,
    )
