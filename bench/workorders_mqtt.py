"""Benchmark: IoT alerts through MQTT, end to end (goal 1,000 alerts/s on 2 cores, nothing lost).

Standalone: a throw-away data directory, the demo city's departments, categories, grid and rules,
and 20 water-logging sensors. A gateway in a process of its own publishes signed alerts (QoS 1) to
the local Mosquitto at a steady rate; `tongban workorders mqtt`'s subscriber — N connections in one
shared subscription, one writer folding batches per sensor and acknowledging after the commit —
receives them. Printed per N: alerts/s from the first alert received to the last one folded,
received, counted in the orders' alert_count, lost (Mosquitto drops what queues beyond
max_queued_messages, 1,000 per client, so a subscriber that falls behind loses alerts and shows it
here), batches, and the load average. Skipped when no broker listens on 127.0.0.1:1883.
Run: .venv/bin/python bench/workorders_mqtt.py [RATE [SECONDS [N,N,…]]]   (default 1000 3 1,4,8)
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from _common import fresh_django, load_average

BROKER = ("127.0.0.1", 1883)
SENSORS = 20

PUBLISHER = """
import json, sys, time
import paho.mqtt.client as paho
prefix, rate, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
messages = json.load(open(path))
client = paho.Client(paho.CallbackAPIVersion.VERSION2)
client.max_inflight_messages_set(1000)
client.max_queued_messages_set(0)
client.connect("127.0.0.1", 1883)
client.loop_start()
started = time.perf_counter()
infos = []
for n, (code, payload) in enumerate(messages):
    delay = started + n / rate - time.perf_counter()
    if delay > 0:
        time.sleep(delay)
    infos.append(client.publish(f"{prefix}/{code}", payload.encode(), qos=1))
for info in infos:
    info.wait_for_publish(timeout=60)
print(f"{len(messages) / (time.perf_counter() - started):.0f}")
client.loop_stop()
"""


def main() -> int:
    rate = float(sys.argv[1]) if len(sys.argv) > 1 else 1000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3
    counts = [int(n) for n in (sys.argv[3] if len(sys.argv) > 3 else "1,4,8").split(",")]
    try:
        socket.create_connection(BROKER, timeout=1).close()
    except OSError:
        print("MQTT: no broker on 127.0.0.1:1883, skipped")
        return 0
    workdir = fresh_django("tongban-bench-mqtt-")
    try:
        sensors = setup()
        for n in counts:
            run(sensors, n, rate, int(rate * seconds))
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def setup():
    from tongban.core import demo as core_demo
    from tongban.workorders import demo, geo
    from tongban.workorders.models import Sensor, new_secret

    core_demo.load_regions()
    core_demo.load_departments()
    categories = demo.load_categories()
    geo.load_cells(geo.read_grid_file())
    demo.load_rules(categories)
    return [
        Sensor.objects.create(
            code=f"B-{n:03d}",
            name=f"积水监测{n}",
            alert_text="道路积水",
            category=categories["SW03"],
            urgency="urgent",
            address="示例路",
            lng="113.812000",
            lat="34.031000",
            secret=new_secret(),
        )
        for n in range(SENSORS)
    ]


def counted(sensors) -> int:
    from tongban.workorders.models import WorkOrder

    return sum(WorkOrder.objects.filter(sensor__in=sensors).values_list("alert_count", flat=True))


def run(sensors, subscribers: int, rate: float, total: int) -> None:
    from tongban.workorders import mqtt
    from tongban.workorders.actions import alerts

    messages = []
    for n in range(total):
        sensor = sensors[n % len(sensors)]
        body = json.dumps({"sensor": sensor.code, "value": n}).encode()
        messages.append(
            (sensor.code, mqtt.envelope(body, alerts.sign(sensor.secret, body)).decode())
        )
    before = counted(sensors)
    prefix = f"bench/{uuid.uuid4().hex}"
    subscriber = mqtt.Subscriber(
        mqtt.BrokerConfig.from_url(
            f"mqtt://{BROKER[0]}:{BROKER[1]}/{prefix}",
            subscribers=subscribers,
            group=uuid.uuid4().hex,
        ),
        client_id=uuid.uuid4().hex[:12],
    )
    if not subscriber.start():
        print(f"MQTT, {subscribers} connection(s): did not subscribe, skipped")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(messages, file)
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, prefix, str(rate), file.name],
        stdout=subprocess.PIPE,
        text=True,
    )
    started, first, last = time.perf_counter(), None, time.perf_counter()
    while subscriber.accepted + subscriber.refused < total:
        if subscriber.step(timeout=0.2):
            last = time.perf_counter()
            first = first or last
        elif time.perf_counter() - last > 5 and time.perf_counter() - started > 10:
            break  # nothing more for 5 s: the broker dropped the rest
    subscriber.stop()
    offered = publisher.communicate(timeout=120)[0].strip()
    os.unlink(file.name)
    added = counted(sensors) - before
    elapsed = max(last - (first or started), 1e-6)
    print(
        f"MQTT, {subscribers} connection(s) in a shared subscription, offered {offered}/s: "
        f"{subscriber.accepted / elapsed:7.0f} alerts/s   received {subscriber.accepted}, "
        f"counted {added}, lost {total - added} in {subscriber.batches} batches   "
        f"(load average {load_average()})"
    )


if __name__ == "__main__":
    sys.exit(main())
