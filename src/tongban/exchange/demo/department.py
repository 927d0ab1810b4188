"""A demo department system: 许昌市民政局's 户籍 and 婚姻登记 query endpoint, as its own process.

    python -m tongban.exchange.demo.department [--host 127.0.0.1] [--port 8181]
        [--delay SECONDS] [--fail] [--garbage]

`make run` starts it (Procfile) so the exchange's HTTP provider crosses a real process boundary.
It answers POST /query {"resource": "MZ_HJ", "items": [...], "subjects": [...]} with
{"records": {subject: {item: value} | null}} from the generated demo data (`population`).
--delay, --fail and --garbage make it slow, answer HTTP 500, or answer records that break the
resource's data items: the tests start it that way on a free port.
"""

import argparse
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MAX_BODY = 1024 * 1024


class Behaviour:
    delay = 0.0
    fail = False
    garbage = False
    token = ""


def make_handler(behaviour: Behaviour, records_for):
    class Handler(BaseHTTPRequestHandler):
        server_version = "XuchangMinzhengDemo/1"

        def log_message(self, format, *args):  # the subjects are personal data: log nothing
            return

        def _answer(self, status: int, payload: dict) -> None:
            body = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/healthz":
                self._answer(200, {"status": "ok"})
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self):
            if self.path != "/query":
                self._answer(404, {"error": "not found"})
                return
            if behaviour.token and self.headers.get("Authorization") != f"Bearer {behaviour.token}":
                self._answer(401, {"error": "令牌无效"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._answer(413, {"error": "请求过大"})
                return
            try:
                request = json.loads(self.rfile.read(length))
                resource, items = request["resource"], request["items"]
                subjects = request["subjects"]
            except (ValueError, KeyError, TypeError):
                self._answer(400, {"error": "请求格式不正确"})
                return
            if behaviour.delay:
                time.sleep(behaviour.delay)
            if behaviour.fail:
                self._answer(500, {"error": "系统维护中"})
                return
            known = records_for(resource)
            records = {}
            for subject in subjects:
                record = known.get(subject)
                if record is not None:
                    record = {item: record.get(item) for item in items}
                    if behaviour.garbage:
                        record = {item: 12345 for item in items}
                records[subject] = record
            self._answer(200, {"records": records})

    return Handler


def serve(host: str, port: int, behaviour: Behaviour) -> ThreadingHTTPServer:
    from tongban.exchange.demo import population

    server = ThreadingHTTPServer(
        (host, port), make_handler(behaviour, population.department_records)
    )
    server.daemon_threads = True
    return server


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="演示部门系统（许昌市民政局 户籍、婚姻登记查询）")
    parser.add_argument("--host", default=os.environ.get("TONGBAN_EXCHANGE_DEMO_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("TONGBAN_EXCHANGE_DEMO_PORT", "8181"))
    )
    parser.add_argument("--delay", type=float, default=0.0, help="每次应答前等待的秒数")
    parser.add_argument("--fail", action="store_true", help="每次都返回 HTTP 500")
    parser.add_argument("--garbage", action="store_true", help="返回不符合信息项定义的数据")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    import django

    django.setup()
    behaviour = Behaviour()
    behaviour.delay, behaviour.fail, behaviour.garbage = args.delay, args.fail, args.garbage
    behaviour.token = os.environ.get("TONGBAN_EXCHANGE_DEMO_TOKEN", "")
    server = serve(args.host, args.port, behaviour)
    print(f"演示部门系统已启动：http://{args.host}:{args.port}/query", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
