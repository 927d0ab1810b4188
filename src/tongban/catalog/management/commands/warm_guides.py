import time

from django.core.management.base import BaseCommand

from tongban.catalog import warmup


class Command(BaseCommand):
    help = "把已发布事项的办事指南页面预先渲染进页面缓存（部署或清空 Redis 之后运行）"

    def handle(self, *args, **options):
        started = time.perf_counter()
        rendered = warmup.warm_guides()
        while rendered is None:  # the catalogue changed meanwhile: render the new generation
            rendered = warmup.warm_guides()
        self.stdout.write(
            f"已预先渲染 {rendered} 个办事指南页面，用时 {time.perf_counter() - started:.1f} 秒"
        )
