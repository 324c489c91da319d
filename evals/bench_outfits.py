"""Outfit building on a synthetic 10k-SKU catalog: the wardrobe is built once per catalog
version (slots read by meaning per category), then each styling question is answered.
    python -m evals.bench_outfits [--skus 10000]
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from decimal import Decimal
from functools import lru_cache

import numpy as np

from copilot.outfits.building import build_outfits
from copilot.outfits.request import StylingRequest, occasion_named
from copilot.outfits.stylist import build_wardrobe
from knowledge.embedders import E5Embedder
from knowledge.records import Product

CATEGORIES = ["衬衫", "T恤", "毛衣", "卫衣", "牛仔裤", "西裤", "半身裙", "连衣裙", "大衣", "夹克", "羽绒服",
              "皮鞋", "运动鞋", "靴子", "凉鞋", "托特包", "双肩包", "帽子", "围巾", "领带", "腰带", "手表", "袜子"]
TAGS = ["商务", "休闲", "婚礼", "通勤", "约会", "派对", "度假", "运动", "正装", "冷色", "暖色"]
COLOURS = ["黑色", "白色", "藏青色", "驼色", "灰色", "酒红色", "浅蓝色", "卡其色"]
SEASONS = ["春秋", "秋冬", "夏季", "四季", "春夏"]
REQUESTS = [({}, "这件怎么搭"), ({"occasion": occasion_named("婚礼")}, "婚礼穿 配什么"),
            ({"budget": Decimal(800)}, "800以内帮我配一身"),
            ({"occasion": occasion_named("海边"), "wanted_slots": ("bag", "shoes")}, "去海边 配什么鞋和包")]


def catalog(n: int, rng: random.Random) -> list[Product]:
    return [Product(sku_id=f"SYN-{i}", title=f"{rng.choice(['男士', '女士', '男女同款'])}{rng.choice(COLOURS)}款式{i}",
                    category=rng.choice(CATEGORIES), price=rng.randint(20, 3000),
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
    embed = lru_cache(maxsize=None)(E5Embedder().embed_query)
    start = time.perf_counter()
    wardrobe = build_wardrobe(products, embed)
    built_ms = (time.perf_counter() - start) * 1000
    requests = [StylingRequest(**fields, meaning=embed(message)) for fields, message in REQUESTS]
    times, made = [], []
    for n in range(args.runs):
        anchor = wardrobe.piece(rng.choice(products).sku_id)
        start = time.perf_counter()
        result = build_outfits(anchor, wardrobe, requests[n % len(requests)])
        times.append((time.perf_counter() - start) * 1000)
        made.append(len(result.outfits))
    print(f"| outfits, {args.skus} SKUs | value |\n|---|---|\n"
          f"| wardrobe built: {len(wardrobe.slots)} categories' slots and meanings read, pieces indexed "
          f"(once per knowledge version) | {built_ms:.0f} ms |\n"
          f"| build_outfits p50 / p95 / p99 over {args.runs} runs | {np.percentile(times, 50):.2f} / "
          f"{np.percentile(times, 95):.2f} / {np.percentile(times, 99):.2f} ms |\n"
          f"| outfits per question (mean) | {statistics.mean(made):.2f} |")


if __name__ == "__main__":
    main()
