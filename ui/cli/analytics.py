"""`shopbot analytics`: summary table + self-contained HTML page; off-policy report; misunderstood-turn inbox.

    shopbot analytics [--since 7d] [--out DIR] [--policy weights.toml] [--inbox N] [--export-reviewed PATH]
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser("analytics", help="what the bot did: summary table, HTML report, off-policy estimates, inbox")
    p.add_argument("--since", default="7d", help="time window back from now, e.g. 7d, 24h, 2w (default 7d)")
    p.add_argument("--out", type=Path, help="folder of the HTML report (default <data_dir>/analytics)")
    p.add_argument("--policy", type=Path, help="TOML of RankerWeights to evaluate off-policy on the logged traffic")
    p.add_argument("--temperature", type=float, default=None,
                   help="softmax temperature of the target ranking (default: the TOML's [offpolicy] or 0.25)")
    p.add_argument("--propensity", choices=("topk", "slot"), default="topk",
                   help="what the logged propensities mean: P(item in the top-k) as the RankingPolicy logs "
                        "(weights conditional on the shown set; default) or P(item in its slot)")
    p.add_argument("--inbox", type=int, metavar="N", default=0, help="also list the first N unlabelled inbox turns")
    p.add_argument("--export-reviewed", type=Path, metavar="PATH",
                   help="write the reviewed inbox labels as NLU training JSONL to PATH")
    p.add_argument("--label", metavar="REF", help="label an inbox turn (REF as listed by --inbox) with --intent/--entity")
    p.add_argument("--intent", help="the corrected intent of --label")
    p.add_argument("--entity", action="append", default=[], metavar="TYPE=surface",
                   help="a corrected entity of --label (repeatable), e.g. --entity PRODUCT_TYPE='running shoes'")
    p.add_argument("--reviewer", default="", help="who labelled (stored with the label)")
    p.add_argument("--no-html", action="store_true", help="print the summary only")
    p.set_defaults(func=run)


def _user_error(msg: str) -> Exception:
    from assistant.errors import UserError

    return UserError(msg)


def _offpolicy(args, settings, convs, interactions):
    """(markdown, html) of the off-policy report, or a message when nothing can be evaluated."""
    from assistant.analytics.offpolicy import estimate
    from assistant.analytics.offpolicy_log import load_policy, slates_from_log
    from assistant.report import table
    from assistant.analytics.rows import OFFPOLICY_HEADER, markdown_table, offpolicy_rows
    from assistant.analytics.target_policy import ReweightedPolicy

    target, toml_temperature = load_policy(args.policy)
    temperature = args.temperature or toml_temperature or ReweightedPolicy.temperature
    slates = slates_from_log(convs, interactions)
    if not slates:
        msg = ("off-policy: no logged recommendation slates with score parts and propensities in this window "
               "(they come from the TurnMeasured event the assistant appends per turn)")
        return msg, f"<p>{msg}</p>"
    logging_w = settings.ranker
    behaviour = ReweightedPolicy(logging_w, logging_w, temperature) if args.propensity == "topk" else None
    reports = [estimate(slates, ReweightedPolicy(logging_w, logging_w, temperature), logging_w, name="logging (current)",
                        behaviour=behaviour),
               estimate(slates, ReweightedPolicy(target, logging_w, temperature), logging_w, name=args.policy.name,
                        behaviour=behaviour)]
    rows = offpolicy_rows(reports)
    note = (f"Target re-orders the logged slates by re-weighted score parts (Plackett-Luce, temperature {temperature:g}); "
            "only shown items are logged, so a target cannot bring in items that were never shown.")
    if args.propensity == "topk":
        note += (" Logged propensities are top-k membership probabilities, so weights are conditional on the shown "
                 "set with the logging order modelled by the same Plackett-Luce ranking of the logging weights.")
    elif all(i.propensity >= 0.999 for sl in slates for i in sl.items):
        note += (" WARNING: every logged propensity is 1 (a deterministic ranker logged this traffic), so orderings "
                 "the logger never showed have no support and the estimates are not reliable.")
    md = "Off-policy estimate (reward per impression):\n\n" + markdown_table(OFFPOLICY_HEADER, rows) + f"\n\n{note}"
    return md, f"<h3>Off-policy estimate</h3>{table(OFFPOLICY_HEADER, rows)}<p>{note}</p>"


def _label(args, settings, engine) -> None:
    from assistant.analytics.inbox import find_item, save_label
    from assistant.analytics.source import AnalyticsError

    if not args.intent:
        raise AnalyticsError("--label needs --intent (and optionally --entity TYPE=surface ...)")
    entities = []
    for spec in args.entity:
        etype, sep, surface = spec.partition("=")
        if not sep:
            raise AnalyticsError(f"bad --entity {spec!r}: use TYPE=surface, e.g. COLOR=red")
        entities.append((etype.strip(), surface))
    item = find_item(engine, args.label, confidence_threshold=settings.nlu_confidence_threshold)
    label = save_label(engine, item, args.intent, entities, reviewer=args.reviewer)
    print(f"labelled {label.ref}: {label.intent} {[list(e) for e in label.entities]} (was {label.predicted_intent})")


def _inbox(args, settings, engine, interactions) -> None:
    from assistant.analytics.inbox import export_reviewed, pending

    if args.label:
        _label(args, settings, engine)
    if args.inbox:
        items = pending(engine, confidence_threshold=settings.nlu_confidence_threshold, interactions=interactions)
        print(f"\nInbox: {len(items)} turns waiting for review")
        for i in items[: args.inbox]:
            print(f"- {i.ref} [{', '.join(i.reasons)}] ({i.intent} {i.confidence:.2f}) {i.text}")
    if args.export_reviewed:
        n = export_reviewed(engine, args.export_reviewed)
        print(f"\nwrote {n} reviewed examples to {args.export_reviewed}")


def run(args, settings) -> int:
    from assistant.analytics.source import AnalyticsError, parse_window
    from assistant.stores import open_stores

    try:
        until = datetime.now(timezone.utc)
        since = until - parse_window(args.since)
        with open_stores(settings) as stores:
            _report(args, settings, stores.engine, since, until)
    except AnalyticsError as exc:
        raise _user_error(str(exc)) from None
    return 0


def _report(args, settings, engine, since, until) -> None:
    from assistant.analytics.report_html import write_report
    from assistant.analytics.rows import summary_markdown
    from assistant.analytics.source import load_conversations, load_interactions
    from assistant.analytics.summary import summarize

    convs = load_conversations(engine, since, until)
    interactions = load_interactions(engine, since, until)
    summary = summarize(convs, interactions, confidence_threshold=settings.nlu_confidence_threshold,
                        since=since, until=until)
    print(summary_markdown(summary))
    extra = ""
    if args.policy:
        md, extra = _offpolicy(args, settings, convs, interactions)
        print("\n" + md)
    if not args.no_html:
        path = write_report(summary, args.out or settings.data_dir / "analytics", extra)
        print(f"\nwrote {path}")
    _inbox(args, settings, engine, interactions)
