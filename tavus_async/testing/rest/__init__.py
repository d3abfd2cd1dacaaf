"""The simulator's Tavus REST resources: one module per catalog row, mirroring ``resources/``.

Each module registers one handler per verb of its row (``HANDLERS``); :mod:`._plumbing` holds
what they share. Routes and counters come from the catalog (see ``testing/_app.py``).
"""
