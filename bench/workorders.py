"""Benchmark: 12345 work orders.

Standalone: a throw-away data directory migrated from scratch, the demo city's departments,
categories, grid, rules and sensors; the classifier trained on the repository corpus (the held-out
split is printed). Then:
  1. classify alone: p95 of classifier.predict on held-out texts (goal ≤ 20 ms);
  2. intake → classified and routed: p95 of intake.submit with a location (goal ≤ 1 s);
  3. held-out top-1 department accuracy (goal ≥ 90%), and on a small set of free-form sentences
     written independently of the corpus templates (a fairer view of real-world accuracy);
  4. IoT alerts/s accepted, repeats folded, nothing lost: signed alerts from 20 sensors through
     alerts.receive (the webhook's path, one transaction each) and through alerts.receive_batch
     (the MQTT subscriber's path, per-batch folding); every alert must be counted.
  5. IoT alerts on the wire (goal 1,000/s on 2 cores, nothing lost) through the webhook served as in
     production (Granian, `python -m tongban.server`, 2 workers): one alert per request from 4
     keep-alive clients, and gateway batches (a JSON array of 200 signed alerts per request).
Alerts through MQTT: bench/workorders_mqtt.py.
Run: .venv/bin/python bench/workorders.py [N]   (BENCH_WORKORDERS_PORT, default 8207)
"""

import http.client
import json
import os
import shutil
import sys
import threading
import time

from _common import fresh_django, percentiles, start_server

PORT = int(os.environ.get("BENCH_WORKORDERS_PORT", "8207"))
WIRE_ALERTS = 4000
CLIENTS = 4
GATEWAY_BATCH = 200

FREE_FORM = [
    ("我家楼下的井盖被人偷了，晚上差点摔进去", "cg"),
    ("路边的灯坏了一整条街都是黑的", "cg"),
    ("小区里有人在绿化带上盖了个棚子", "cg"),
    ("大货车拉的土撒了一路", "cg"),
    ("物业不管事还要涨物业费", "zj"),
    ("家里暖气冰凉，打电话给热力公司没人接", "zj"),
    ("楼道里天然气味道很重", "zj"),
    ("附近工厂晚上偷排烟，味道呛人", "sthj"),
    ("河里的水黑了还有死鱼", "sthj"),
    ("干了半年活包工头不给钱", "rs"),
    ("公司一直没给我交社保", "rs"),
    ("失业保险金申请了两个月还没发", "rs"),
    ("在饭馆吃饭吃出一只苍蝇", "sj"),
    ("超市标价和收银价格不一样", "sj"),
    ("电梯今天又把人关在里面了", "sj"),
    ("孩子户口迁不进来", "ga"),
    ("身份证丢了要怎么补", "ga"),
    ("楼下酒吧每天吵到凌晨两点", "ga"),
    ("有车天天停在消防通道上", "ga"),
    ("孩子上小学报不上名", "jy"),
    ("培训班跑路了学费退不回来", "jy"),
    ("住院花的钱医保报销比例太低", "yb"),
    ("外地住院没法直接结算", "yb"),
    ("医院护士态度恶劣", "wj"),
    ("打完疫苗孩子一直发烧", "wj"),
    ("公交车到站不停", "jt"),
    ("出租车司机不打表", "jt"),
    ("房产证等了三年还没下来", "zr"),
    ("公积金租房提取被拒绝了", "gjj"),
    ("母亲的高龄津贴三个月没发了", "mz"),
    ("敬老院的饭菜太差", "mz"),
    ("家里突然停水也没通知", "sw"),
    ("自来水是黄的", "sw"),
    ("下雨路口就积水排不出去", "sw"),
]


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    workdir = fresh_django("tongban-bench-workorders-")
    try:
        return run(count, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(count: int, workdir: str) -> int:
    from sklearn.model_selection import train_test_split

    from tongban.core import demo as core_demo
    from tongban.workorders import classifier, corpus, demo, geo
    from tongban.workorders.actions import alerts, intake
    from tongban.workorders.models import Category, Sensor, WorkOrder, new_secret

    core_demo.load_regions()
    core_demo.load_departments()
    categories = demo.load_categories()
    geo.load_cells(geo.read_grid_file())
    demo.load_rules(categories)

    rows = corpus.read()
    started = time.perf_counter()
    report = classifier.train(rows=rows)
    print(f"training: {report.examples} examples in {time.perf_counter() - started:.1f} s")
    print(
        f"held-out split ({report.held_out} texts): top-1 category {report.category_accuracy:.2%}, "
        f"top-1 department {report.department_accuracy:.2%}   (goal ≥ 90%)"
    )
    departments = classifier.department_of_leaf()
    hits = sum(
        departments.get(classifier.predict(text).category_code) == want for text, want in FREE_FORM
    )
    print(
        f"free-form sentences outside the templates: {hits}/{len(FREE_FORM)} departments right ({hits / len(FREE_FORM):.0%})"
    )

    texts = [t for t, _ in rows]
    _train, held_out = train_test_split(
        texts, test_size=0.2, random_state=42, stratify=[c for _, c in rows]
    )
    samples = []
    for text in held_out[:count]:
        t = time.perf_counter()
        classifier.predict(text)
        samples.append((time.perf_counter() - t) * 1000)
    print("classify alone:               " + percentiles(samples) + "   (goal p95 ≤ 20 ms)")

    samples = []
    for index, text in enumerate(held_out[:count]):
        t = time.perf_counter()
        intake.submit(
            intake.Report(
                text=text, reporter_phone=f"170{index:08d}", lng="113.812000", lat="34.031000"
            )
        )
        samples.append((time.perf_counter() - t) * 1000)
    routed = WorkOrder.objects.filter(department__isnull=False).count()
    print("intake → classified, routed:  " + percentiles(samples) + "   (goal p95 ≤ 1000 ms)")
    print(f"routed automatically: {routed}/{count}")

    sensors = []
    leaf = Category.objects.get(code="SW03")
    for n in range(20):
        sensors.append(
            Sensor.objects.create(
                code=f"B-{n:03d}",
                name=f"积水监测{n}",
                alert_text="道路积水",
                category=leaf,
                urgency="urgent",
                address="示例路",
                lng="113.812000",
                lat="34.031000",
                secret=new_secret(),
            )
        )
    messages = []
    for n in range(2000):
        sensor = sensors[n % len(sensors)]
        body = json.dumps({"sensor": sensor.code, "value": n}).encode()
        messages.append((body, alerts.sign(sensor.secret, body)))

    started = time.perf_counter()
    for body, signature in messages[:1000]:
        alerts.receive(body, signature)
    webhook_rate = 1000 / (time.perf_counter() - started)
    started = time.perf_counter()
    for offset in range(1000, 2000, 200):
        alerts.receive_batch(messages[offset : offset + 200])
    batch_rate = 1000 / (time.perf_counter() - started)
    counted = sum(
        WorkOrder.objects.filter(sensor__in=sensors).values_list("alert_count", flat=True)
    )
    orders = WorkOrder.objects.filter(sensor__in=sensors).count()
    print(f"IoT alerts, one transaction each (webhook path): {webhook_rate:7.0f} alerts/s")
    print(
        f"IoT alerts, folded per batch of 200 (MQTT path): {batch_rate:7.0f} alerts/s   (goal 1,000/s)"
    )
    print(
        f"alerts sent 2000, counted {counted}, orders {orders} for {len(sensors)} sensors (nothing lost: {counted == 2000})"
    )
    webhook_figures(workdir, sensors)
    return 0


def _signed(sensors, start: int, count: int) -> list[tuple[bytes, str]]:
    from tongban.workorders.actions import alerts

    out = []
    for n in range(start, start + count):
        sensor = sensors[n % len(sensors)]
        body = json.dumps({"sensor": sensor.code, "value": n}).encode()
        out.append((body, alerts.sign(sensor.secret, body)))
    return out


def _post_all(requests: list[tuple[bytes, dict]], clients: int) -> tuple[float, list[int]]:
    """Send the requests from `clients` keep-alive connections; (seconds, status codes)."""
    statuses: list[int] = []
    lock = threading.Lock()

    def work(share):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        for body, headers in share:
            connection.request("POST", "/api/v1/workorders/alerts", body, headers)
            response = connection.getresponse()
            response.read()
            with lock:
                statuses.append(response.status)
        connection.close()

    threads = [threading.Thread(target=work, args=(requests[i::clients],)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, statuses


def webhook_figures(workdir: str, sensors) -> None:
    """The webhook as production serves it: Granian with 2 workers on the bench's database."""
    from django.db import connections

    from tongban.workorders.models import WorkOrder

    def counted():
        return sum(
            WorkOrder.objects.filter(sensor__in=sensors).values_list("alert_count", flat=True)
        )

    connections.close_all()
    server = start_server(workdir, PORT, WEB_WORKERS="2")
    try:
        single = _signed(sensors, 10_000, WIRE_ALERTS // 2)
        requests = [
            (body, {"Content-Type": "application/json", "X-Signature": signature})
            for body, signature in single
        ]
        before = counted()
        seconds, statuses = _post_all(requests, CLIENTS)
        ok = sum(s == 202 for s in statuses)
        print(
            f"IoT alerts through the webhook, one per request ({CLIENTS} clients): "
            f"{ok / seconds:7.0f} alerts/s   accepted {ok}, counted {counted() - before} "
            f"(nothing lost: {counted() - before == len(single)})"
        )
        batched = _signed(sensors, 20_000, WIRE_ALERTS)
        requests = [
            (
                json.dumps(
                    [
                        {"body": body.decode(), "signature": signature}
                        for body, signature in batched[offset : offset + GATEWAY_BATCH]
                    ]
                ).encode(),
                {"Content-Type": "application/json"},
            )
            for offset in range(0, len(batched), GATEWAY_BATCH)
        ]
        before = counted()
        seconds, statuses = _post_all(requests, 2)
        if any(s != 202 for s in statuses):
            print(f"IoT alerts through the webhook, batched: refused (statuses {set(statuses)})")
            return
        added = counted() - before
        print(
            f"IoT alerts through the webhook, {GATEWAY_BATCH} per request (2 clients): "
            f"{len(batched) / seconds:7.0f} alerts/s   counted {added} (nothing lost: {added == len(batched)})"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
