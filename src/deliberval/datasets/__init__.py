"""SYNTHETIC example data: seeded simulators of six example processes in the canonical tables.

``list_examples()`` lists them and ``load_example(name)`` simulates one with its default design
and seed. The ``simulate_*`` functions expose every design size and true effect, so tests and
Monte Carlo studies can vary them. See :mod:`deliberval.datasets.examples` for the designs and
:mod:`deliberval.datasets._engine` for the latent-trait and measurement models.
"""

from deliberval.datasets.examples import (
    DEFAULT_SEED,
    Example,
    list_examples,
    load_example,
    simulate_brussels_committee,
    simulate_climate_assembly,
    simulate_cofoe_panel,
    simulate_gentofte_ptc,
    simulate_ostbelgien_dialogue,
    simulate_wallonia_committee,
)

__all__ = [
    "DEFAULT_SEED",
    "Example",
    "list_examples",
    "load_example",
    "simulate_brussels_committee",
    "simulate_climate_assembly",
    "simulate_cofoe_panel",
    "simulate_gentofte_ptc",
    "simulate_ostbelgien_dialogue",
    "simulate_wallonia_committee",
]
