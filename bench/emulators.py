"""How fast the emulators build their worlds and answer the gateway's typical searches.

Tests and the demo start emulators often, so their start-up and their answers must stay
quick; the figures live here, not in timed tests.

    .venv/bin/python -m bench.emulators [--runs 5]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable

from erp_backends.emulation.world import seed_world
from erp_backends.hubspot.emulator.seed import build_world as build_crm
from erp_backends.odoo.emulator.methods import environment
from erp_backends.odoo.emulator.seed import build_world as build_erp
from erp_backends.woocommerce.emulator.seed import build_shop

LINE_FIELDS = ["order_id", "product_id", "name", "product_uom_qty", "price_subtotal"]
CUSTOMERS = [["customer_rank", ">", 0], ["parent_id", "=", False]]


def median_ms(action: Callable[[], object], runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    print(f"world builds, median of {args.runs}:")
    builders: dict[str, Callable[[int], object]] = {
        "neutral": seed_world,  # what each of the three builds first
        "odoo": build_erp,
        "hubspot": build_crm,
        "woocommerce": build_shop,
    }
    for name, build in builders.items():
        print(f"  {name:<12} {median_ms(functools.partial(build, 3), args.runs):7.0f} ms")

    world = build_erp(1)
    orders, lines = environment(world, "sale.order"), environment(world, "sale.order.line")
    first = environment(world, "res.partner").search(CUSTOMERS, limit=1, order="id")
    order_ids = orders.search([["partner_id", "=", first[0]]], limit=50)
    searches = {
        "lines of 50 orders": lambda: lines.search_read(
            [["order_id", "in", order_ids]], LINE_FIELDS
        ),
        "50 orders of a customer": lambda: orders.search_read(
            [["partner_id", "in", first]], ["name"], limit=50
        ),
    }
    print(f"Odoo emulator searches, in process, median of {args.runs * 10}:")
    for name, search in searches.items():
        print(f"  {name:<25} {median_ms(search, args.runs * 10):7.2f} ms")


if __name__ == "__main__":
    main()
