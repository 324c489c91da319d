"""Outfit building on a synthetic 10k-SKU catalog: the wardrobe is built once per catalog
version, then `build_outfits` runs per styling question.
    python -m evals.bench_outfits [--skus 10000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal

import numpy as np

from copilot.outfits import Wardrobe, build_outfits
from copilot.styling import StylingRequest
from copilot.wardrobe import DEFAULT_COMPLEMENTS
from knowledge.records import Product

TAGS = ["商务", "休闲", "婚礼", "通勤", "约会", "派对", "度假", "运动", "正装", "冷色", "暖色", "快充", "便携"]
COLOURS = ["黑色", "白色", "藏青色", "驼色", "灰色", "酒红色", "浅蓝色", "卡其色"]
SEASONS = ["春秋", "秋冬", "夏季", "四季", "春夏"]
REQUESTS = [StylingRequest(), StylingRequest(occasion="婚礼"), StylingRequest(budget=Decimal(800)),
            StylingRequest(occasion="海边", wanted_categories=("包", "凉鞋"))]


def catalog(n: int, rng: random.Random) -> list[Product]:
    categories = sorted({c for key, value in DEFAULT_COMPLEMENTS.items() for c in [key.split()[-1], *value]})
    return [Product(sku_id=f"SYN-{i}", title=f"{rng.choice(['男士', '女士', '男女同款'])}{rng.choice(COLOURS)}款式{i}",
                    category=rng.choice(categories), price=rng.randint(20, 3000),
                    stock=rng.choice([0, 3, 10, 50]),
                    tags=rng.sample(TAGS, 3) + [rng.choice(["男装", "女装", "情侣"])],
                    attributes={"颜色": rng.choice(COLOURS), "适用季节": rng.choice(SEASONS)})
            for i in range(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(7)
    products = catalog(args.skus, rng)
    start = time.perf_counter()
    wardrobe = Wardrobe.from_products(products)
    built_ms = (time.perf_counter() - start) * 1000
    anchors = [p for p in products if p.category in {k.split()[-1] for k in DEFAULT_COMPLEMENTS}]
    times, made = [], []
    for n in range(args.runs):
        start = time.perf_counter()
        result = build_outfits(rng.choice(anchors), wardrobe, REQUESTS[n % len(REQUESTS)])
        times.append((time.perf_counter() - start) * 1000)
        made.append(len(result.outfits))
    print(f"outfits, {args.skus} SKUs: wardrobe built once in {built_ms:.0f} ms; build_outfits "
          f"p50 {np.percentile(times, 50):.2f} ms, p95 {np.percentile(times, 95):.2f} ms, "
          f"p99 {np.percentile(times, 99):.2f} ms over {args.runs} runs; "
          f"mean outfits per question {statistics.mean(made):.2f}")


if __name__ == "__main__":
    main()
