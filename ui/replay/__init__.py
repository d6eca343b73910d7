"""Batch replay of transcripts through the assistant, scored turn by turn, with a report.

Modules: ``transcripts`` (load + validate input), ``record`` (per-turn records), ``checks`` (expectation
verdicts, faithfulness scan), ``worker`` (the per-conversation function and per-worker state),
``checkpoint`` (resumable turns.jsonl), ``runner`` (local process pool / Ray, report assembly),
``metrics``, ``report_json`` (report.json + turns.parquet), ``report_html``, ``compare`` (regressions
between two runs). See ``ui/replay/README.md``.
"""
