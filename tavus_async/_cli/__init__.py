"""The ``tavus-async`` command line, split by concern (the entry point is :mod:`tavus_async.cli`).

- :mod:`.common`: the errors a command raises for the entry point to report, and client set-up.
- :mod:`.output`: JSON for programs, tables for people.
- :mod:`.parser`: the argparse tree.
- :mod:`.resources`: ``list``/``get``/``create``/``delete``/``patch``... for each REST resource.
- :mod:`.waiting`: ``replicas wait``, ``videos wait``, ``documents wait`` with progress.
- :mod:`.rooms`: ``listen``, ``say``, ``ask``.
- :mod:`.demo` and :mod:`.simulate`: the walkthrough and the standalone simulator.
"""
