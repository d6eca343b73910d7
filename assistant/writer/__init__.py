"""The reply writer (issue 5): ReplyFacts -> a short, warm reply that states only those facts.

- ``prompt.py``: facts -> compact chat messages; ``format_price`` ($79.99) is the one price format.
- ``template.py``: ``template_reply(facts)``, deterministic (``--no-generate`` and the fallback).
- ``guard.py``: ``check_reply(text, facts) -> GuardResult``; every generated reply is checked.
- ``embedded.py``: SmolLM2-135M-Instruct (packaged GGUF) + the shipped LoRA adapter
  (``assistant/artifacts/generator``), merged at load, optional dynamic int8, streaming.
- ``langchain_writer.py``: any LangChain chat model (e.g. ChatOpenAI at an OpenAI-compatible URL).
- ``writer.py``: ``ReplyWriter`` = generate -> guard -> regenerate once -> template; stream-then-retract.
- ``factory.py``: the writer ``Settings.writer`` asks for (embedded | openai | template).
"""
