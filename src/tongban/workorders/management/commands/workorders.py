"""`tongban workorders retrain | mqtt | corpus | grid`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tongban.workorders import classifier, corpus, geo
from tongban.workorders.models import Correction


class Command(BaseCommand):
    help = "12345 工单：重新训练分类模型、MQTT 告警订阅、生成语料和网格"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("retrain", help="用语料库和派单员的纠正重新训练分类模型，打印留出集准确率")
        mqtt = sub.add_parser("mqtt", help="订阅 TONGBAN_MQTT_URL 上的物联感知告警（长期运行）")
        mqtt.add_argument(
            "--subscribers",
            type=int,
            default=None,
            help="共享订阅的连接数（默认 TONGBAN_MQTT_SUBSCRIBERS，8）",
        )
        mqtt.add_argument(
            "--client-id",
            default="tongban-workorders",
            help="客户端标识前缀；同一共享订阅组的其他进程须用不同前缀",
        )
        sub.add_parser("corpus", help="重新生成训练语料 data/corpus.tsv.gz")
        sub.add_parser("grid", help="重新生成网格 data/grid.geojson")

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _retrain(self, **options):
        corrections = [
            (c.text, c.category.code)
            for c in Correction.objects.select_related("category").iterator()
        ]
        self.stdout.write(
            f"训练中：语料 {corpus.CORPUS_FILE.name}，人工纠正 {len(corrections)} 条 …"
        )
        report = classifier.train(corrections=corrections)
        self.stdout.write(
            f"模型 {report.version} 已保存：{report.path}\n"
            f"训练样本 {report.examples}，留出集 {report.held_out}\n"
            f"留出集分类准确率 {report.category_accuracy:.2%}，部门准确率（top-1）{report.department_accuracy:.2%}"
        )

    def _mqtt(self, subscribers=None, client_id="tongban-workorders", **options):
        from tongban.workorders import mqtt

        if not settings.MQTT_URL:
            raise CommandError(
                "未配置 TONGBAN_MQTT_URL（例如 mqtt://127.0.0.1:1883/tongban/alerts）"
            )
        try:
            config = mqtt.BrokerConfig.from_url(
                settings.MQTT_URL,
                subscribers=subscribers or settings.MQTT_SUBSCRIBERS,
                group=settings.MQTT_GROUP,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"订阅 {config.host}:{config.port} {config.topic}（{config.subscribers} 个连接）"
        )
        mqtt.Subscriber(config, client_id=client_id).run_forever()

    def _corpus(self, **options):
        rows = corpus.generate()
        corpus.write(rows)
        self.stdout.write(f"语料 {len(rows)} 条 → {corpus.CORPUS_FILE}")

    def _grid(self, **options):
        self.stdout.write(f"网格 {geo.write_grid_file()} 个 → {geo.GRID_FILE}")
